/* bus: the channel buses. Every song channel's voices add into its own
 * stereo bus (after their pan and balance), and the buses sum into the
 * mix at their faders' gains; previews skip them. A bus is what a
 * channel's inserts and pre-fader sends see, and times its fader gain
 * what its stem, its meter and its post-fader sends see. The engine works through a
 * period in chunks of BUS_FRAMES so the buses stay small and in cache.
 * Pure C11 + libm; nothing allocated, nothing unbounded. */
#ifndef HISS_BUS_H
#define HISS_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "song.h"

#ifdef __SSE__
#include <xmmintrin.h>
#endif

typedef float BusV4 __attribute__((vector_size(16)));
typedef int32_t BusI4 __attribute__((vector_size(16)));

/* a > b ? a : b in each lane: one instruction where there is SSE (whose
 * max returns its second operand unless the first is greater). */
static inline BusV4 bus_max4(BusV4 a, BusV4 b)
{
#ifdef __SSE__
    return (BusV4)_mm_max_ps((__m128)a, (__m128)b);
#else
    BusI4 above = a > b;
    return (BusV4)(((BusI4)a & above) | ((BusI4)b & ~above));
#endif
}

enum { BUS_FRAMES = 256 };
_Static_assert(SONG_MAX_CHANNELS <= 64, "a bus's used bit is one of 64");

/* The lowest channel of mask (not 0), for walking a mask in channel
 * order: for (m = mask; m; m &= m - 1) c = bus_lowest(m)... */
static inline int bus_lowest(uint64_t mask)
{
    return __builtin_ctzll(mask);
}

/* Each bus is a cache line longer than its frames: 2 KiB apart, the same
 * place in every bus fell in one of two sets of the first-level cache,
 * and a pass over many buses at once evicted its own lines. */
enum { BUS_PAD = 16 };

typedef struct {
    float buf[SONG_MAX_CHANNELS][2 * BUS_FRAMES + BUS_PAD];
    bool used[SONG_MAX_CHANNELS]; /* written since bus_begin */
    float gain[SONG_MAX_CHANNELS]; /* what bus_sum scales each by (its fader) */
    uint64_t used_mask;            /* the same, bit c for channel c */
    float peak[SONG_MAX_CHANNELS]; /* the highest |sample| since bus_take_peaks */
    double energy[SONG_MAX_CHANNELS]; /* the sum of squared samples since then */
    /* The buses bus_sum measured since the peaks were last taken (their
     * reader clears it): no other's peak or energy has moved from 0. */
    uint64_t measured;
    /* No channel meter reads peak and energy (an offline render): the
     * sum leaves them, for a third of its cost. */
    bool unmetered;
} BusBank;

/* [audio] Starts a chunk: every bus is empty. */
void bus_begin(BusBank *b);
/* [audio] Channel c's bus for this chunk (n frames, cleared on first use). */
float *bus_channel(BusBank *b, int c, uint32_t n);
/* [audio] mix[0..count) += bus[0..count) x gain: the sums bus_sum makes
 * of one bus, unmetered (for a bus of the caller's own). */
void bus_add(float *mix, const float *bus, size_t count, float gain);
/* [audio] Adds every used bus times its gain into mix (n interleaved
 * frames), measures their peaks and energy (unless unmetered) and copies
 * each (times its gain) into
 * stems[c] + 2 * offset (stem_count interleaved stereo buffers, NULL
 * entries skipped; unused buses give silence). Channels are summed in
 * channel order whatever the chunk. */
void bus_sum(BusBank *b, float *mix, uint32_t n, float *const *stems, int stem_count,
             uint32_t offset);

#endif
