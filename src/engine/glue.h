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
/* [audio] Tape saturation, n interleaved stereo frames in place: tanh(k x)
 * / k with k from 1 at drive 0 (nothing done) to 4 at 100, so quiet
 * passages keep their level and peaks round off. */
void glue_tape(int drive, float *x, uint32_t n);
/* [audio] Compresses n interleaved stereo frames in place (when on). */
void glue_process(Glue *g, const int *settings, float *x, uint32_t n);

#endif
