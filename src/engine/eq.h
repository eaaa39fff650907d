/* eq: the five-band equaliser of the master bus (and, later, of channel
 * strips): low cut, low shelf, a peaking mid, high shelf, high cut.
 * Second-order sections from the well-known audio-EQ cookbook formulas:
 * the cuts are Butterworth (3 dB down at their frequency), the shelves
 * reach their gain well inside the shelf and half of it (in dB) at their
 * frequency, the peak reaches its gain at its centre. A band at 0 dB (or
 * a cut at 0 Hz) is skipped. Pure C11 + libm, no allocation. */
#ifndef HISS_EQ_H
#define HISS_EQ_H

#include <stdbool.h>
#include <stdint.h>

#include "song.h"

enum { EQ_BANDS = 5 };

typedef struct {
    float b0, b1, b2, a1, a2; /* normalised: a0 = 1 */
    float z1[2], z2[2];       /* transposed direct form II, per side */
    bool on;
} EqSection;

typedef struct {
    EqSection band[EQ_BANDS];
    SongEq set; /* the settings the sections were made from */
    uint32_t rate;
} Eq;

/* [audio] Takes the settings (plain copies of the song's atomics); the
 * sections are recomputed only when they changed. */
void eq_follow(Eq *eq, const SongEq *settings, uint32_t rate);
/* [audio] Whether any band filters at all. */
bool eq_active(const Eq *eq);
/* [audio] Filters n interleaved stereo frames in place. */
void eq_process(Eq *eq, float *stereo, uint32_t n);
/* [audio] Reads the song's EQ atomics into a plain SongEq. */
void eq_read(const SongEqShared *shared, SongEq *out);

#endif
