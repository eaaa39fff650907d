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

#endif
