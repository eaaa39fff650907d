#include "alsalib.h"

AlsaLib alsalib;

#define ROW(name) {&alsalib.name, #name},
static const DynlibSymbol symbols[] = {ALSALIB_FUNCTIONS(ROW)};
static DynlibLibrary library =
    DYNLIB_LIBRARY("alsa-lib", symbols, "libasound.so.2", "libasound.so");

HissError alsalib_load(HissDiag *diag)
{
    return dynlib_load(&library, diag);
}
