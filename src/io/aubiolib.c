#include "aubiolib.h"

#include "dynlib.h"

static AubioLib loaded;

static const DynlibSymbol symbols[] = {
    {&loaded.new_onset, "new_aubio_onset"},
    {&loaded.del_onset, "del_aubio_onset"},
    {&loaded.onset_set_threshold, "aubio_onset_set_threshold"},
    {&loaded.onset_set_minioi_ms, "aubio_onset_set_minioi_ms"},
    {&loaded.onset_set_silence, "aubio_onset_set_silence"},
    {&loaded.onset_do, "aubio_onset_do"},
    {&loaded.onset_get_last, "aubio_onset_get_last"},
    {&loaded.new_tempo, "new_aubio_tempo"},
    {&loaded.del_tempo, "del_aubio_tempo"},
    {&loaded.tempo_do, "aubio_tempo_do"},
    {&loaded.tempo_get_bpm, "aubio_tempo_get_bpm"},
    {&loaded.new_fvec, "new_fvec"},
    {&loaded.del_fvec, "del_fvec"},
};
static DynlibLibrary library =
    DYNLIB_LIBRARY("libaubio", symbols, "libaubio.so.5", "libaubio.so");

HissError aubiolib_get(const AubioLib **lib, HissDiag *diag)
{
    HissError err = dynlib_load(&library, diag);
    *lib = err ? NULL : &loaded;
    return err;
}
