/* truepeak: the true peak of a stereo signal as ITU-R BS.1770 reads it:
 * every frame and the three points a quarter, a half and three quarters
 * of the way to the next, interpolated with a 4-phase windowed-sinc
 * filter (TRUEPEAK_HALF_TAPS frames each way). The master limiter holds
 * its ceiling with the same filter; a render reports its true peak with
 * the meter below.
 *
 * The meter skips the interpolation wherever it cannot change the
 * reading: a point between frames is a weighted sum of the frames its
 * taps read, so it is at most the sum of the |taps| times the largest
 * |frame| among them. Where that bound is under the highest peak read so
 * far, the points are not computed. The skip is exact: the reading is the
 * one every point computed would give. Pure C11 + libm. */
#ifndef HISS_TRUEPEAK_H
#define HISS_TRUEPEAK_H

#include <stdint.h>

enum {
    TRUEPEAK_HALF_TAPS = 16,
    TRUEPEAK_TAPS = 2 * TRUEPEAK_HALF_TAPS,
    TRUEPEAK_PHASES = 4,
    TRUEPEAK_CHUNK = 1024, /* frames the meter takes at a time */
};

/* The filter: for the point p/4 of the way from frame j to j+1, tap k
 * weighs frame j + k - (TRUEPEAK_HALF_TAPS - 1) (taps[p - 1], p = 1..3).
 * Returns the most any phase's |taps| add up to (at least 1). */
double truepeak_make_taps(float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS]);

typedef struct {
    float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS];
    float bound; /* the most a point reads over its largest |frame|, rounding included */
    float peak;  /* the highest |value| so far, linear */
    /* Per side: the last TRUEPEAK_TAPS - 1 frames, then room for a chunk. */
    float work[2][TRUEPEAK_TAPS - 1 + TRUEPEAK_CHUNK];
} TruePeak;

/* Silence behind, nothing read. */
void truepeak_init(TruePeak *t);
/* Reads n interleaved stereo frames. The points between a frame and the
 * next are read once the frames their taps need have come. */
void truepeak_add(TruePeak *t, const float *stereo, uint32_t n);
/* The highest true peak read, linear (0 for silence). */
float truepeak_max(const TruePeak *t);

#endif
