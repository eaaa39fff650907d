/* sinc: the band-limited interpolator's resampler state, the one place
 * the engine side reaches libsamplerate (DESIGN.md lets the engine use it
 * for this mode; everything else there stays pure C11 + libm).
 *
 * A state is created off the audio thread (sinc_new allocates). On the
 * audio thread only sinc_reset, sinc_set_ratio and sinc_read are used:
 * libsamplerate's callback read, ratio set and reset neither allocate,
 * lock nor do I/O (tests/unit/test_engine_rt.c checks this). */
#ifndef HISS_SINC_H
#define HISS_SINC_H

#include "base.h"

typedef struct SincState SincState;

/* Hands the resampler its next input: points *data at frames (never a
 * copy) and returns how many, 0 at the end. */
typedef long (*SincFeed)(void *ctx, float **data);

SincState *sinc_new(int channels, SincFeed feed, void *ctx);
void sinc_free(SincState *state);
void sinc_reset(SincState *state);
/* ratio = output rate / input rate; a step at this frame, not a ramp. */
void sinc_set_ratio(SincState *state, double ratio);
/* Fills up to `frames` interleaved frames; returns how many (<= 0: none). */
long sinc_read(SincState *state, double ratio, long frames, float *out);

#endif
