/* truepeak: the true peak of a stereo signal as ITU-R BS.1770 reads it:
 * every frame and the three points a quarter, a half and three quarters
 * of the way to the next, interpolated with a 4-phase windowed-sinc
 * filter (TRUEPEAK_HALF_TAPS frames each way). The master limiter holds
 * its ceiling with the same filter; a render reports its true peak with
 * the meter below.
 *
 * The meter skips the interpolation wherever it cannot change the
 * reading: where TruePeakBound says no point can read over the highest
 * peak read so far, the points are not computed. The skip is exact: the
 * reading is the one every point computed would give. Pure C11 + libm. */
#ifndef HISS_TRUEPEAK_H
#define HISS_TRUEPEAK_H

#include <stddef.h>
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

/* What a point between frames can read at most, from the frames its taps
 * read: near * their largest |frame| + curve * their largest |second
 * difference| (x[i] - 2 x[i-1] + x[i-2]). The filter is exact for a
 * straight line, so what it adds to the line between two frames comes
 * from the signal's curvature alone: a smooth signal (a bass, a kick, a
 * pad) is bounded close to its frames, where the sum of the |taps| would
 * allow 2.5 times them. Float rounding is included. */
typedef struct {
    float near, curve;
} TruePeakBound;

TruePeakBound truepeak_bound(const float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS]);
/* What the bound reads of a stretch of signal. */
typedef struct {
    float most; /* the largest |x| */
    float bend; /* the largest |second difference| */
} TruePeakSpan;

/* The count floats at x: lag 1 for one side, 2 for interleaved stereo
 * (each side's differences its own). */
TruePeakSpan truepeak_span(const float *x, size_t count, size_t lag);
/* The same bounded from above by |x| alone, for any lag (a second
 * difference is at most 4 times the largest |value|): a quarter of the
 * work, and where its bound is low enough, so is the exact one's. */
TruePeakSpan truepeak_span_loose(const float *x, size_t count);
/* Both stretches' figures. */
TruePeakSpan truepeak_span_join(TruePeakSpan a, TruePeakSpan b);
/* The most a point whose taps read only within s can read. */
float truepeak_bound_of(TruePeakBound b, TruePeakSpan s);

typedef struct {
    float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS];
    TruePeakBound bound;
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
