/* glue: the compressor of the master bus (the glue) and of the channel
 * strips (keyed from their own or another channel's bus). Feed-forward, both sides
 * linked on the louder one's peak: above the threshold the level rises
 * 1/ratio as fast as the input; the reduction (in dB) moves towards what
 * the level asks with the attack's time constant and falls back with the
 * release's; makeup gain comes after. Pure C11 + libm, no allocation. */
#ifndef HISS_GLUE_H
#define HISS_GLUE_H

#include <stdint.h>

#include "song.h"

typedef struct {
    float reduction_db; /* applied now */
    float attack, release; /* one-pole coefficients per frame */
    float threshold, slope, makeup; /* linear threshold, 1 - 1/ratio, linear */
    float threshold_db, makeup_db;
    float most_db;      /* the deepest reduction since the last look */
    int set[SONG_GLUE_PARAMS];
    uint32_t rate;
} Glue;

void glue_init(Glue *g, uint32_t rate);
/* [audio] Reads the song's glue atomics. */
void glue_read(const Song *song, int *settings);
/* [audio] The gains for n frames whose level the detector takes from key
 * (interleaved stereo; NULL: silence), whatever the on switch says. */
void glue_gains(Glue *g, const int *settings, const float *key, float *gains, uint32_t n);
/* Tape saturation on the master. Drive 1..100 sets k, from 1/4 to 8 in
 * equal steps of dB: each sample goes through c(k x) / k, c tanh's Pade
 * shape x (27 + x^2) / (27 + 9 x^2), exactly +-1 from +-3 on, so a quiet
 * signal keeps its level while loud peaks round off into odd harmonics,
 * more of them as k rises. A make-up gain then gives back the power the
 * rounding took: a sine's mean square through the curve falls by close
 * to 1 / (1 + k^2 m), m the input's mean square (exact for small and for
 * large k x), so the make-up is sqrt(1 + k^2 m), m averaged over about
 * 100 ms. A loud passage thus comes out about as loud as it went in,
 * denser and with more harmonics, where dividing by k alone left a
 * ceiling that dropped with the drive. The make-up stops at k / c(k), so
 * a sample inside full scale stays inside it. A one-pole roll-off (about
 * -1.7 dB at 10 kHz at 48 kHz) is mixed in in proportion to the drive,
 * as tape dulls the top. Drive 0 is off: the samples untouched. */
typedef struct {
    float power;       /* the input's mean square, both sides */
    float average;     /* its one-pole coefficient */
    float lowpass[2];  /* the roll-off's state, per side */
    float lowpass_coef;
    int drive;         /* what k, inv_k, most and dull are for */
    float k, inv_k, most, dull;
} Tape;

void glue_tape_init(Tape *t, uint32_t rate);
/* [audio] n interleaved stereo frames in place, drive 0..100. */
void glue_tape(Tape *t, int drive, float *x, uint32_t n);
/* [audio] Compresses n interleaved stereo frames in place (when on). */
void glue_process(Glue *g, const int *settings, float *x, uint32_t n);

#endif
