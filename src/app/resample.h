/* resample: a pattern rendered into audio for a new instrument (render to
 * instrument), at a chosen rate and bit depth: lo-fi on purpose, as an
 * old sampler resampling its own output. Off the audio thread: it runs an
 * engine of its own over the song (mutes and solos apply, so chosen
 * channels are rendered by soloing them) and never touches the playing
 * one. */
#ifndef HISS_RESAMPLE_H
#define HISS_RESAMPLE_H

#include <stdint.h>

#include "base.h"
#include "sampleio.h"
#include "song.h"

enum { RESAMPLE_MIN_BITS = 1, RESAMPLE_MAX_BITS = 24 };

/* Frames pattern `pattern` lasts at rate at the song's tempo and speed
 * (each tick as the engine counts it; Fxx inside the pattern is not
 * followed). 0 when there is no such pattern. */
uint64_t resample_pattern_frames(const Song *song, int pattern, uint32_t rate);

/* Renders the pattern once from its first row, cut to its length, as
 * stereo at rate, every sample rounded to `bits` bits (1..24). *out is
 * freed with sampleio_audio_free. */
HissError resample_pattern(Song *song, int pattern, uint32_t rate, int bits,
                           SampleioAudio *out, HissDiag *diag);

#endif
