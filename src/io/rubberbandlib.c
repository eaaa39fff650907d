#include "rubberbandlib.h"

RubberBandLib rubberbandlib;

#define ROW(name) {&rubberbandlib.name, #name},
static const DynlibSymbol symbols[] = {RUBBERBANDLIB_FUNCTIONS(ROW)};
static DynlibLibrary library =
    DYNLIB_LIBRARY("librubberband", symbols, "librubberband.so.2", "librubberband.so");

HissError rubberbandlib_load(HissDiag *diag)
{
    return dynlib_load(&library, diag);
}
