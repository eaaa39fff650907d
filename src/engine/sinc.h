/* sinc: the band-limited interpolator's kernel, a Kaiser-windowed sinc of
 * SINC_TAPS taps kept as tables (built once, read-only afterwards, so any
 * thread may read them).
 *
 * The kernel passes up to 0.45 of the sample rate and stops from 0.55, so
 * that a tone anywhere in the passband leaves its images and aliases at
 * least 80 dB down (tests/unit/test_engine_interp.c measures it).
 *
 * Two ways to read it:
 * - sinc_unit_*: a step at or below one frame per output frame (the sample
 *   played at or below its own rate). One table row per phase, SINC_TAPS
 *   coefficients, interpolated linearly between SINC_PHASES phases.
 * - sinc_wide_*: a step s above 1 (played faster than its rate). The kernel
 *   is stretched by s, cutting at 0.5 / s of the sample rate, and covers
 *   about SINC_TAPS x s frames; the mixer keeps s below 2 by reading the
 *   sample's octave levels when it has them, and never above SINC_MAX_STRETCH.
 *
 * Pure C11 + libm: no allocation (the tables are static), no locks after
 * sinc_init (which engine_new calls). */
#ifndef HISS_SINC_H
#define HISS_SINC_H

#include <stdint.h>

#include "base.h"

enum {
    SINC_HALF = 32,          /* taps on each side of the read position */
    SINC_TAPS = 2 * SINC_HALF,
    SINC_PHASE_BITS = 8,
    SINC_PHASES = 1 << SINC_PHASE_BITS,
    SINC_MAX_STRETCH = 4,    /* wider steps alias (documented in hiss.5) */
};

/* Builds the tables once per process; cheap to call again. */
void sinc_init(void);

/* Frames the wide kernel reads on each side of the position at stretch s
 * (16.16 fixed point, 1.0 .. SINC_MAX_STRETCH): frames p-reach+1 .. p+reach. */
uint32_t sinc_wide_reach(uint32_t stretch_fp16);

/* x points at frame floor(p); frac is p's fraction (0.32). Reads frames
 * x[-(SINC_HALF-1)] .. x[SINC_HALF]. */
float sinc_unit_mono(const float *x, uint32_t frac);
void sinc_unit_stereo(const float *x, uint32_t frac, float *l, float *r);

/* The same with the kernel stretched (stretch_fp16 > 1.0): reads frames
 * x[-(reach-1)] .. x[reach] with reach = sinc_wide_reach(stretch). */
float sinc_wide_mono(const float *x, uint32_t frac, uint32_t stretch_fp16);
void sinc_wide_stereo(const float *x, uint32_t frac, uint32_t stretch_fp16,
                      float *l, float *r);

#endif
