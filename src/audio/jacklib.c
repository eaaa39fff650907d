#include "jacklib.h"

JackLib jacklib;

#define ROW(name) {&jacklib.name, #name},
static const DynlibSymbol symbols[] = {JACKLIB_FUNCTIONS(ROW)};
static DynlibLibrary library = DYNLIB_LIBRARY("libjack", symbols, "libjack.so.0", "libjack.so");

HissError jacklib_load(HissDiag *diag)
{
    return dynlib_load(&library, diag);
}
