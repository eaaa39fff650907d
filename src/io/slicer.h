/* slicer: where to cut a sample into slices. Equal divisions, and hits
 * found by aubio's onset detector (spectral flux over 1024-frame windows
 * every 128 frames, placed back by aubio's own detection delay).
 * Runs on the calling thread, never the audio thread: a 10 s break takes
 * a few hundred milliseconds (`make bench` prints it). */
#ifndef HISS_SLICER_H
#define HISS_SLICER_H

#include <stdint.h>

#include "base.h"
#include "sample.h"

enum {
    SLICER_MIN_DIVISIONS = 2,
    SLICER_MAX_DIVISIONS = 128,
    SLICER_DEFAULT_SENSITIVITY = 50, /* 0 (only the loudest hits) .. 100 */
};

/* `count` equal slices of `frames` frames: out[k] = k * frames / count.
 * count is clamped to SLICER_MIN_DIVISIONS..SLICER_MAX_DIVISIONS and to
 * frames. Returns how many points were written. */
int slicer_equal(uint32_t frames, int count, uint32_t *out);

/* The hits of `sample` (frames of the sample, ascending, the first always
 * 0), at most `max` of them, into out; *count says how many. sensitivity
 * 0..100: higher finds quieter hits. */
HissError slicer_transients(const Sample *sample, int sensitivity, uint32_t *out,
                            int max, int *count, HissDiag *diag);

/* The frame nearest `frame` (within `reach` frames either way) where the
 * sample's mono sum changes sign or is zero: a cut there does not click.
 * `frame` itself when there is none in reach. */
uint32_t slicer_zero_crossing(const Sample *sample, uint32_t frame, uint32_t reach);

/* Where a slice point dropped by ear at `frame` belongs: the nearest of
 * hits[0..count) within `reach` frames, else the nearest zero crossing
 * within a millisecond (the tap's own timing is kept). */
uint32_t slicer_snap(const Sample *sample, const uint32_t *hits, int count,
                     uint32_t frame, uint32_t reach);

/* The tempo of a loop: aubio's beat tracker guesses the beat, then the
 * loop is taken to hold a whole number of beats, so the tempo is the one
 * that fits that number exactly into the sample (a loop cut on its beats
 * has no other tempo). *beats is that number (1..256). A sample shorter
 * than a beat at 300 BPM or without a steady beat is HISS_ERR_RANGE with
 * a message. */
HissError slicer_tempo(const Sample *sample, double *bpm, int *beats, HissDiag *diag);

#endif
