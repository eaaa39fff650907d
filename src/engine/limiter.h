/* limiter: the master's true-peak limiter. It looks ahead: the output is
 * the input LIMITER_LOOKAHEAD_MS later (limiter_latency frames), times a
 * gain that has already come down by the time a peak arrives, so the
 * ceiling holds on every sample and between samples, without clipping.
 *
 * The peak it holds is the true peak as a meter of ITU-R BS.1770 reads
 * it: each frame and three points between it and the next, interpolated
 * with truepeak.h's 4-phase windowed-sinc filter, both sides linked. The
 * gain for a frame is at most ceiling / that peak for every frame within
 * the lookahead, reached through an average over the lookahead (a smooth
 * attack that can only undershoot), and recovers with a 60 ms release.
 * Where no true peak of a stretch can reach the ceiling (truepeak.h's
 * bound) and no gain is left to recover, it only delays, and computes
 * nothing; while a gain is held, the frames the bound shows under the
 * ceiling need 1 without their peaks worked out. Skipping is exact, the
 * output the same bit for bit (test_limiter compares it with a plain
 * limiter that skips nothing).
 * Buffers come from limiter_init; limiter_process allocates nothing.
 * Pure C11 + libm. */
#ifndef HISS_LIMITER_H
#define HISS_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "truepeak.h"

enum { LIMITER_HALF_TAPS = TRUEPEAK_HALF_TAPS, LIMITER_PHASES = TRUEPEAK_PHASES };

typedef struct {
    uint32_t lookahead; /* L: the latency in frames */
    uint32_t attack;    /* frames the gain takes to come down: L - taps / 2 + 1 */
    float taps[LIMITER_PHASES - 1][2 * LIMITER_HALF_TAPS];
    TruePeakBound bound; /* the closer bound, over a stretch (truepeak.h) */
    /* Stereo input, history_mask + 1 frames: the lookahead, a span's
     * input beside it, and the frames before a span that its true peaks
     * read. */
    float *history;
    uint32_t history_mask;
    /* The gains the last attack - 1 frames need, oldest first: with the
     * next frame's own, the window its least need is taken over. */
    float *needs;
    bool needs_at_one;  /* all of them 1 */
    float *scratch;     /* a span's needs behind them, twice attack - 1 + SPAN */
    float *smooth;      /* the last `attack` gains the average is over */
    double smooth_sum;
    uint32_t smooth_held;  /* frames until none of them is under 1 */
    float env, release;
    uint64_t frames;    /* taken since limiter_reset */
} Limiter;

/* Makes every limiter use the portable loops (true) or the fastest the
 * CPU has (false, the default), so tests can check that both give the
 * same samples. Call only while no limiter runs. */
void limiter_use_portable(bool portable);
/* [ui] Sizes the lookahead and its buffers for rate. */
HissError limiter_init(Limiter *l, uint32_t rate);
void limiter_deinit(Limiter *l);
/* [audio] Silence behind, gain 1. */
void limiter_reset(Limiter *l);
uint32_t limiter_latency(const Limiter *l);
/* [ui, neither rendering] to goes on exactly as from would (both made at
 * the same rate). */
void limiter_carry(Limiter *to, const Limiter *from);
/* [audio] Limits n interleaved stereo frames in place to ceiling (linear,
 * true peak), delayed by the lookahead. *min_gain gets the least gain
 * applied (1: none), *reduced the frames turned down. */
void limiter_process(Limiter *l, float *x, uint32_t n, float ceiling, float *min_gain,
                     uint32_t *reduced);

#endif
