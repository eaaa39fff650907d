/* truepeak: see truepeak.h. */
#include "truepeak.h"

#include <math.h>
#include <string.h>

#include "bus.h" /* its four-lane vectors and max */

enum {
    H = TRUEPEAK_HALF_TAPS,
    HISTORY = TRUEPEAK_TAPS - 1,
    /* Points checked against the bound together: a few frames of taps
     * either side cost little against this many. */
    SPAN = 64,
};

typedef BusV4 TpV4;

double truepeak_make_taps(float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS])
{
    double tap_bound = 1.0;
    for (int p = 1; p < TRUEPEAK_PHASES; p++) {
        /* A sinc under a Blackman window H frames wide each way, scaled
         * to pass DC at unity. */
        double t[TRUEPEAK_TAPS], sum = 0;
        for (int k = 0; k < TRUEPEAK_TAPS; k++) {
            double d = (double)(k - (H - 1)) - p / (double)TRUEPEAK_PHASES;
            double sinc = fabs(d) < 1e-12 ? 1.0 : sin(M_PI * d) / (M_PI * d);
            double w = 0.5 + 0.5 * cos(M_PI * d / H);
            t[k] = sinc * w;
            sum += t[k];
        }
        double bound = 0;
        for (int k = 0; k < TRUEPEAK_TAPS; k++) {
            taps[p - 1][k] = (float)(t[k] / sum);
            bound += fabs(t[k] / sum);
        }
        tap_bound = fmax(tap_bound, bound);
    }
    return tap_bound;
}

TruePeakBound truepeak_bound(const float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS])
{
    double near = 1.0, curve = 0.0;
    for (int p = 1; p < TRUEPEAK_PHASES; p++) {
        /* What the filter adds to the line from frame H - 1 to H: w. On
         * any signal, sum w x = s0 x[H-1] + s1 (x[H] - x[H-1]) + sum g e,
         * e the second differences (the line's own terms cancel). */
        double a = p / (double)TRUEPEAK_PHASES, w[TRUEPEAK_TAPS], s0 = 0, s1 = 0;
        for (int k = 0; k < TRUEPEAK_TAPS; k++)
            w[k] = taps[p - 1][k];
        w[H - 1] -= 1.0 - a;
        w[H] -= a;
        for (int k = 0; k < TRUEPEAK_TAPS; k++) {
            s0 += w[k];
            s1 += w[k] * (k - (H - 1));
        }
        double g = 0;
        for (int m = 2; m < TRUEPEAK_TAPS; m++) {
            /* e[m] = x[m] - 2 x[m-1] + x[m-2] weighs in every frame on
             * its far side from the line's two frames. */
            double gm = 0;
            if (m > H)
                for (int k = m; k < TRUEPEAK_TAPS; k++)
                    gm += w[k] * (k - m + 1);
            else
                for (int k = 0; k <= m - 2; k++)
                    gm += w[k] * (m - k - 1);
            g += fabs(gm);
        }
        /* The line is at most its larger frame; x[H] - x[H-1] at most
         * twice the largest. */
        near = fmax(near, 1.0 + fabs(s0) + 2.0 * fabs(s1));
        curve = fmax(curve, g);
    }
    /* Float rounding in a point's 32 products and sums is under 1e-5 of
     * the largest frame, and in a second difference under 1e-6 of it. */
    TruePeakBound b = {(float)(near * 1.001 + 1e-4), (float)(curve * 1.001)};
    return b;
}

void truepeak_init(TruePeak *t)
{
    memset(t, 0, sizeof *t);
    truepeak_make_taps(t->taps);
    t->bound = truepeak_bound(t->taps);
}

static inline TpV4 abs4(TpV4 x)
{
    return (TpV4)((BusI4)x & 0x7FFFFFFF);
}

static inline float max_lane(TpV4 v)
{
    float m = v[0];
    for (int k = 1; k < 4; k++)
        m = v[k] > m ? v[k] : m;
    return m;
}

/* The largest |x[i]| of n values, four at a time. */
static float abs_max_portable(const float *x, size_t n)
{
    TpV4 m4 = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        TpV4 v;
        memcpy(&v, x + i, sizeof v);
        m4 = bus_max4(abs4(v), m4);
    }
    float m = max_lane(m4);
    for (; i < n; i++)
        m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
    return m;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
/* The same, sixteen values a pass, on CPUs with AVX2 (the limiter's idle
 * test reads every frame of a quiet song with it). A maximum is the same
 * in any order. */
__attribute__((target("avx2"))) static float abs_max_avx2(const float *x, size_t n)
{
    const __m256 mag = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 m0 = _mm256_setzero_ps(), m1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), mag), m0);
        m1 = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i + 8), mag), m1);
    }
    __m256 m8 = _mm256_max_ps(m0, m1);
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m8), _mm256_extractf128_ps(m8, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
    float m = _mm_cvtss_f32(m4);
    float rest = abs_max_portable(x + i, n - i);
    return rest > m ? rest : m;
}

static float abs_max(const float *x, size_t n)
{
    return __builtin_cpu_supports("avx2") ? abs_max_avx2(x, n) : abs_max_portable(x, n);
}
#else
#define abs_max abs_max_portable
#endif

TruePeakSpan truepeak_span(const float *x, size_t count, size_t lag)
{
    size_t start = 2 * lag < count ? 2 * lag : count;
    /* The first values have no second difference of their own. */
    float most = abs_max(x, start), e = 0;
    /* One pass for both: each value is read once for its |x| and its
     * difference, eight at a time. */
    TpV4 m4 = {0, 0, 0, 0}, e4 = {0, 0, 0, 0};
    size_t i = start;
    for (; i + 8 <= count; i += 8) {
        TpV4 a0, a1, a2, b0, b1, b2;
        memcpy(&a0, x + i, sizeof a0);
        memcpy(&a1, x + i - lag, sizeof a1);
        memcpy(&a2, x + i - 2 * lag, sizeof a2);
        memcpy(&b0, x + i + 4, sizeof b0);
        memcpy(&b1, x + i + 4 - lag, sizeof b1);
        memcpy(&b2, x + i + 4 - 2 * lag, sizeof b2);
        m4 = bus_max4(bus_max4(abs4(a0), abs4(b0)), m4);
        e4 = bus_max4(bus_max4(abs4(a0 - (a1 + a1) + a2), abs4(b0 - (b1 + b1) + b2)), e4);
    }
    float m = max_lane(m4);
    most = m > most ? m : most;
    e = max_lane(e4);
    for (; i < count; i++) {
        float a = fabsf(x[i]), d = fabsf(x[i] - (x[i - lag] + x[i - lag]) + x[i - 2 * lag]);
        most = a > most ? a : most;
        e = d > e ? d : e;
    }
    TruePeakSpan s = {most, e};
    return s;
}

TruePeakSpan truepeak_span_loose(const float *x, size_t count)
{
    /* |a - 2b + c| is at most 4 times the largest of them; the factor's
     * last digit covers the rounding of the differences' float sums. */
    float most = abs_max(x, count);
    TruePeakSpan s = {most, most * 4.0001f};
    return s;
}

TruePeakSpan truepeak_span_join(TruePeakSpan a, TruePeakSpan b)
{
    TruePeakSpan s = {a.most > b.most ? a.most : b.most, a.bend > b.bend ? a.bend : b.bend};
    return s;
}

float truepeak_bound_of(TruePeakBound b, TruePeakSpan s)
{
    return b.near * s.most + b.curve * s.bend;
}

/* The largest |point| between frames for the points after work[from ..
 * from + count - 1] of one side (each reads H - 1 frames before it and H
 * after): four points at a time, every phase in its own sums. */
static float points_max(const TruePeak *t, const float *w, uint32_t from, uint32_t count)
{
    TpV4 m4 = {0, 0, 0, 0};
    uint32_t i = from;
    for (; i + 4 <= from + count; i += 4) {
        TpV4 acc[TRUEPEAK_PHASES - 1] = {{0}};
        const float *x = w + i - (H - 1);
        for (int k = 0; k < TRUEPEAK_TAPS; k++) {
            TpV4 v;
            memcpy(&v, x + k, sizeof v);
            for (int p = 0; p < TRUEPEAK_PHASES - 1; p++)
                acc[p] += t->taps[p][k] * v;
        }
        for (int p = 0; p < TRUEPEAK_PHASES - 1; p++)
            m4 = bus_max4(abs4(acc[p]), m4);
    }
    float m = max_lane(m4);
    for (; i < from + count; i++) {
        const float *x = w + i - (H - 1);
        for (int p = 0; p < TRUEPEAK_PHASES - 1; p++) {
            float v = 0;
            for (int k = 0; k < TRUEPEAK_TAPS; k++)
                v += t->taps[p][k] * x[k];
            m = fabsf(v) > m ? fabsf(v) : m;
        }
    }
    return m;
}

/* Takes the frames into work[][HISTORY ...]. */
static void take_frames(TruePeak *t, const float *stereo, uint32_t n)
{
    for (uint32_t f = 0; f < n; f++) {
        t->work[0][HISTORY + f] = stereo[2 * f];
        t->work[1][HISTORY + f] = stereo[2 * f + 1];
    }
}

/* Up to TRUEPEAK_CHUNK frames. */
static void add_chunk(TruePeak *t, const float *stereo, uint32_t n)
{
    /* Every frame is a point of its own. */
    TruePeakSpan all = truepeak_span(stereo, 2 * (size_t)n, 2);
    t->peak = all.most > t->peak ? all.most : t->peak;
    /* The frames before, with the first two new ones, whose second
     * differences reach back into them. */
    float edge[2 * (HISTORY + 2)];
    uint32_t lead = n < 2 ? n : 2;
    for (uint32_t k = 0; k < HISTORY; k++) {
        edge[2 * k] = t->work[0][k];
        edge[2 * k + 1] = t->work[1][k];
    }
    memcpy(edge + 2 * HISTORY, stereo, sizeof(float) * 2 * lead);
    all = truepeak_span_join(all, truepeak_span(edge, 2 * (size_t)(HISTORY + lead), 2));
    if (truepeak_bound_of(t->bound, all) <= t->peak) {
        /* No point of the chunk can read higher: keep its last frames. */
        if (n >= HISTORY) {
            take_frames(t, stereo + 2 * (size_t)(n - HISTORY), HISTORY);
            for (int c = 0; c < 2; c++)
                memcpy(t->work[c], t->work[c] + HISTORY, sizeof(float) * HISTORY);
        } else {
            take_frames(t, stereo, n);
            for (int c = 0; c < 2; c++)
                memmove(t->work[c], t->work[c] + n, sizeof(float) * HISTORY);
        }
        return;
    }
    take_frames(t, stereo, n);
    /* Now the points after work[H - 1 .. H - 2 + n] have all their taps. */
    for (uint32_t s = 0; s < n; s += SPAN) {
        uint32_t count = n - s < SPAN ? n - s : SPAN;
        uint32_t from = H - 1 + s;
        float most = 0;
        for (int c = 0; c < 2; c++) {
            float m = truepeak_bound_of(t->bound, truepeak_span(t->work[c] + from - (H - 1),
                                                                count + 2 * H - 1, 1));
            most = m > most ? m : most;
        }
        if (most <= t->peak)
            continue; /* none of these points can read higher */
        for (int c = 0; c < 2; c++) {
            float m = points_max(t, t->work[c], from, count);
            t->peak = m > t->peak ? m : t->peak;
        }
    }
    for (int c = 0; c < 2; c++)
        memmove(t->work[c], t->work[c] + n, sizeof(float) * HISTORY);
}

void truepeak_add(TruePeak *t, const float *stereo, uint32_t n)
{
    while (n) {
        uint32_t chunk = n < TRUEPEAK_CHUNK ? n : TRUEPEAK_CHUNK;
        add_chunk(t, stereo, chunk);
        stereo += 2 * (size_t)chunk;
        n -= chunk;
    }
}

float truepeak_max(const TruePeak *t)
{
    return t->peak;
}
