/* delay: send A, a tempo-synced stereo delay. Echoes come back after a
 * note value of the song's tempo (engine.c works out the frames), each
 * through a low cut and a high cut in the feedback loop, straight or
 * ping-pong, with an optional slow wobble of the time (tape wow).
 * Without wobble the time is a whole number of frames, so an echo lands
 * on the exact frame the tempo gives. The line is allocated by
 * delay_init (engine_new); delay_process allocates nothing.
 * Pure C11 + libm. */
#ifndef HISS_DELAY_H
#define HISS_DELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "song.h"

enum { DELAY_MAX_SECONDS = 4 };

typedef struct {
    float *line;      /* 2 x size floats, interleaved */
    uint32_t size;    /* frames, a power of two */
    uint32_t write;
    uint32_t rate;
    double time;      /* frames now; < 0 until the first period */
    uint32_t wobble_phase; /* frames into the wobble's cycle */
    float hp_x[2], hp_y[2], lp_y[2];
    uint32_t zero_run; /* frames written and put out as silence in a row */
    int set[SONG_DELAY_PARAMS]; /* the settings in use */
    float hp_a, lp_a, feedback;
} Delay;

/* [ui] Allocates the line for DELAY_MAX_SECONDS at rate. */
HissError delay_init(Delay *d, uint32_t rate);
void delay_deinit(Delay *d);
/* [ui, neither rendering] to goes on exactly as from would, its tail
 * included (both made at the same rate). */
void delay_carry(Delay *to, const Delay *from);
/* [audio] n stereo frames of in (the send's sum; NULL: silence) give out
 * (the wet echoes only). target_frames is the time the tempo gives now; a
 * change glides to it instead of jumping: at a fixed rate (smooth 0), or
 * each frame by 1/smooth of the distance left (at most that rate), so a
 * target that keeps moving a little (a followed clock's tempo) is
 * followed without a step or a warble. false when the line is silent and
 * nothing came in: out is then silence and left unwritten. */
bool delay_process(Delay *d, const int *settings, double target_frames, double smooth,
                   const float *in, float *out, uint32_t n);
/* [audio] Reads the song's delay atomics. */
void delay_read(const Song *song, int *settings);

#endif
