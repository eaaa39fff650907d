/* clockfeed (test side): an external MIDI clock fed to a MidiRoute as
 * JACK would, period by period, with an engine rendering offline, so a
 * follow is measured in frames, fast and the same every run. The master
 * sends start (or a song position and continue) on frame 1000 and its
 * first pulse at frame CLOCKFEED_FIRST, then one every 60 x rate /
 * (24 x bpm) frames, each up to `jitter` frames early or late. */
#ifndef HISS_TEST_CLOCKFEED_H
#define HISS_TEST_CLOCKFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

enum { CLOCKFEED_RATE = 48000, CLOCKFEED_PERIOD = 64 };
#define CLOCKFEED_FIRST 1000.5

typedef struct {
    double bpm, seconds;
    bool clock, transport;        /* the route's switches */
    const uint8_t *before;        /* a song position sent before continue */
    size_t before_size;           /* 0: start */
    int jitter;                   /* each pulse up to this many frames off */
    const uint8_t *during;        /* a message sent just before pulse */
    size_t during_size;           /* number during_pulse (0: the first) */
    int64_t during_pulse;
    int64_t silent_from, silent_pulses; /* pulses the master leaves out */
    float *delay;                 /* NULL, or the delay's stem: 2 x frames */
    uint64_t *own;                /* NULL, or room for own_cap frames: */
    int own_cap, own_count;       /* the engine's own pulses, from its first */
    int *shown, *tempo;           /* NULL, or room for tempo_cap: */
    int tempo_cap, tempo_count;   /* bpm_shown_tenths and bpm_tenths
                                     after each period */
    int64_t worst;                /* out: the largest difference in frames
                                     between the master's (exact) pulses
                                     and the engine's own clock out over
                                     the last second */
} ClockFeed;

/* Runs it; returns the engine, to look at (the caller frees it). */
Engine *clockfeed_follow(Song *song, ClockFeed *f);

#endif
