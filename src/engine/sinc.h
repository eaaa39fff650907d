/* sinc: the band-limited interpolator's kernel, a Kaiser-windowed sinc of
 * SINC_TAPS taps kept as tables (built once, read-only afterwards, so any
 * thread may read them).
 *
 * The kernel passes up to 0.45 of the sample rate and stops from 0.55, so
 * that a tone anywhere in the passband leaves its images and aliases at
 * least 80 dB down (tests/unit/test_engine_interp.c measures it).
 *
 * A sample with fine levels (sample.h) is read instead with the fine
 * kernel below, at any step. Two ways to read the long kernel:
 * - sinc_unit_span: a step at or below one frame per output frame (the sample
 *   played at or below its own rate). One table row per phase, SINC_TAPS
 *   coefficients, interpolated linearly between SINC_PHASES phases.
 * - sinc_wide_*: a step s above 1 (played faster than its rate). The kernel
 *   is stretched by s, cutting at 0.5 / s of the sample rate, and covers
 *   about SINC_TAPS x s frames; the mixer keeps s below 2 by reading the
 *   sample's octave levels when it has them, and never above SINC_MAX_STRETCH.
 *
 * Pure C11 + libm: no allocation (the tables are static), no locks after
 * sinc_init. The tables take about 2 ms to build, so a process builds them
 * only once something is to play with sinc: engine_prepare_instrument
 * (engine.h) calls sinc_init for a sinc instrument, before the audio
 * thread may read them. On x86-64 CPUs with AVX2 and FMA,
 * sinc_init picks readers that do eight taps an instruction; they round
 * differently, so output is deterministic per machine, not across them.
 * (On AMD CPUs with AVX-512 the mono fine reader does sixteen, with the
 * same sums as the AVX2 one.) */
#ifndef HISS_SINC_H
#define HISS_SINC_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"

enum {
    SINC_HALF = 28,          /* taps on each side of the read position */
    SINC_TAPS = 2 * SINC_HALF,
    SINC_PHASE_BITS = 8,
    SINC_PHASES = 1 << SINC_PHASE_BITS,
    SINC_MAX_STRETCH = 4,    /* wider steps alias (documented in hiss.5) */
    /* The wide readers may read this many frames beyond their reach on
     * either side (weighted by zero): vectors of taps. */
    SINC_OVERREACH = 7,
};

/* Builds the tables once per process; cheap to call again. Never on the
 * audio thread. */
void sinc_init(void);
/* [either thread] Whether sinc_init has built the tables (and they may be
 * read). */
bool sinc_ready(void);
/* The sets of readers, widest first: a CPU gets the widest it has. */
typedef enum {
    SINC_READERS_AVX512, /* AVX2's with a mono fine adder of 512-bit vectors */
    SINC_READERS_AVX2,
    SINC_READERS_PORTABLE,
} SincReaders;

/* Makes every engine use `which`, or the widest narrower set the CPU has,
 * so tests check each set on one machine; returns the set now in use.
 * SINC_READERS_AVX512 is the default. Call only while no engine renders. */
SincReaders sinc_use_readers(SincReaders which);

/* The stretched kernel at one stretch s (1.0 .. SINC_MAX_STRETCH), worked
 * out once for all the frames read at it. */
typedef struct {
    uint32_t reach;  /* frames read on each side: p-reach+1 .. p+reach */
    uint32_t da;     /* table step per tap, 16.16 table entries */
    float gain;      /* 1 / s */
} SincStretch;

/* stretch_fp16: s in 16.16 fixed point. */
SincStretch sinc_stretch(uint32_t stretch_fp16);

/* n frames of the unit kernel at positions acc, acc + step, ... (32.32
 * frames from x, the frame of position 0; a step of at most one frame):
 * `chans` values a frame (1 mono, 2 left and right) into out. A frame at
 * position p reads frames floor(p) - (SINC_HALF-1) .. floor(p) + SINC_HALF.
 * One call a span, so the readers run back to back without a call
 * between frames. */
enum { SINC_SPAN = 64 };
void sinc_unit_span(const float *x, uint64_t acc, uint64_t step, uint32_t n, int chans,
                    float *out);

/* The same with the kernel stretched: weighs frames x[-(reach-1)] ..
 * x[reach], and may read SINC_OVERREACH more on either side. */
float sinc_wide_mono(const float *x, uint32_t frac, const SincStretch *st);
void sinc_wide_stereo(const float *x, uint32_t frac, const SincStretch *st, float *l,
                      float *r);

/* The fine levels' kernel. A fine level (sample.h) is the sample at twice
 * a rate r_j = rate x 2^(-j/5), band-limited to r_j / 2: it holds nothing
 * above a quarter of its own rate. Read at a step sigma of at most
 * SINC_FINE_MAX_STEP level frames per output frame, what it holds stays
 * below 0.55 of the output rate (0.25 x 2.2), so nothing aliases into the
 * passband; and at a sigma of at least 2.2 / 2^(1/5) (a voice reads the
 * first level that brings sigma to 2.2 or below) the passband, 0.45 of the
 * output rate, lies within the level's flat band. The kernel then only
 * has to pass a quarter of the level's rate and stop its images from
 * three quarters: SINC_FINE_TAPS taps, not stretched, one table row a
 * phase whatever the step. */
enum {
    SINC_FINE_HALF = 8,
    SINC_FINE_TAPS = 2 * SINC_FINE_HALF,
    SINC_FINE_PER_OCTAVE = 5,
    /* Levels 0 .. 15 serve steps up to 1.1 x 2^(15/5) = 8.8, beyond the
     * widest the mode promises clean (SINC_MAX_STRETCH, 4); wider steps
     * read level 15 and alias. */
    SINC_FINE_LEVELS = 16,
};
/* 2.2 level frames per output frame, 32.32. */
#define SINC_FINE_MAX_STEP ((uint64_t)(2.2 * 4294967296.0))

/* The position of level frames at `ratio` (32.32 level frames per sample
 * frame) that sample position `pos` (32.32) is at: floor(pos x ratio),
 * exact, so a position maps the same whatever the run it is in. */
static inline uint64_t sinc_level_pos(uint64_t pos, uint64_t ratio)
{
    uint64_t ph = pos >> 32, pl = pos & 0xFFFFFFFFu;
    uint64_t rh = ratio >> 32, rl = ratio & 0xFFFFFFFFu;
    return ph * ratio + pl * rh + ((pl * rl) >> 32);
}

/* n frames of a fine level `x` (its frame 0) at sample positions pos,
 * pos + step, ... (32.32 sample frames, mapped to the level by `ratio`,
 * at most SINC_FINE_MAX_STEP level frames apart): `chans` values a frame
 * into out. A frame at level position q reads level frames
 * floor(q) - (SINC_FINE_HALF-1) .. floor(q) + SINC_FINE_HALF. */
void sinc_fine_span(const float *x, uint64_t pos, uint64_t step, uint64_t ratio, uint32_t n,
                    int chans, float *out);

/* The same n frames added into out at steady gains: out[2i] += l x gl,
 * out[2i + 1] += r x gr (r = l for a mono level), the sums sinc_fine_span
 * and those additions give, without the values stored and read back. */
void sinc_fine_add(const float *x, uint64_t pos, uint64_t step, uint64_t ratio, uint32_t n,
                   int chans, float gl, float gr, float *out);

#endif
