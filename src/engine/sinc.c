#include "sinc.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* Kaiser window shape: about 90 dB of stopband for this length, with the
 * transition (0.45 .. 0.55 of the rate) inside the kernel's reach. */
#define KAISER_BETA 9.0

typedef float V4 __attribute__((vector_size(16)));

/* unit_c[q]: the kernel at phase q / SINC_PHASES for the SINC_TAPS frames
 * around the position; unit_d[q]: the difference to phase q + 1, so a
 * fraction between two phases interpolates linearly. */
static float unit_c[SINC_PHASES][SINC_TAPS] __attribute__((aligned(16)));
static float unit_d[SINC_PHASES][SINC_TAPS] __attribute__((aligned(16)));
/* The kernel's right half, h(j / SINC_PHASES), and differences, for the
 * stretched kernel that reads it at arbitrary points. Two extra zeros so
 * the last index needs no test. */
enum { FLAT_LEN = SINC_HALF * SINC_PHASES + 2 };
static float flat_c[FLAT_LEN];
static float flat_d[FLAT_LEN];

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The zeroth-order modified Bessel function, by its power series. */
static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0, q = x * x / 4.0;
    for (int k = 1; k < 64 && term > sum * 1e-17; k++) {
        term *= q / ((double)k * k);
        sum += term;
    }
    return sum;
}

static double kernel(double t)
{
    double a = fabs(t);
    if (a >= SINC_HALF)
        return 0.0;
    double sinc = a < 1e-12 ? 1.0 : sin(M_PI * a) / (M_PI * a);
    double r = a / SINC_HALF;
    return sinc * bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) / bessel_i0(KAISER_BETA);
}

/* One phase's row, scaled to sum to exactly 1 so DC passes unchanged. */
static void unit_row(int q, double row[SINC_TAPS])
{
    double sum = 0;
    for (int i = 0; i < SINC_TAPS; i++) {
        int m = i - (SINC_HALF - 1);
        row[i] = kernel((double)q / SINC_PHASES - m);
        sum += row[i];
    }
    for (int i = 0; i < SINC_TAPS; i++)
        row[i] /= sum;
}

static void build_tables(void)
{
    double row[SINC_TAPS], next[SINC_TAPS];
    unit_row(0, row);
    for (int q = 0; q < SINC_PHASES; q++) {
        unit_row(q + 1, next);
        for (int i = 0; i < SINC_TAPS; i++) {
            unit_c[q][i] = (float)row[i];
            unit_d[q][i] = (float)(next[i] - row[i]);
        }
        memcpy(row, next, sizeof row);
    }
    for (int j = 0; j < FLAT_LEN; j++)
        flat_c[j] = (float)kernel((double)j / SINC_PHASES);
    for (int j = 0; j + 1 < FLAT_LEN; j++)
        flat_d[j] = flat_c[j + 1] - flat_c[j];
    flat_d[FLAT_LEN - 1] = 0;
}

void sinc_init(void)
{
    pthread_once(&tables_once, build_tables);
}

static inline V4 load4(const float *p)
{
    V4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline float sum4(V4 v)
{
    return (v[0] + v[1]) + (v[2] + v[3]);
}

static inline float unit_fraction(uint32_t frac)
{
    return (float)(frac & ((1u << (32 - SINC_PHASE_BITS)) - 1)) *
           (1.0f / (float)(1u << (32 - SINC_PHASE_BITS)));
}

float sinc_unit_mono(const float *x, uint32_t frac)
{
    const float *c = unit_c[frac >> (32 - SINC_PHASE_BITS)];
    const float *d = unit_d[frac >> (32 - SINC_PHASE_BITS)];
    const float *p = x - (SINC_HALF - 1);
    V4 a = {0}, b = {0};
    for (int i = 0; i < SINC_TAPS; i += 4) {
        V4 xv = load4(p + i);
        a += xv * load4(c + i);
        b += xv * load4(d + i);
    }
    return sum4(a) + unit_fraction(frac) * sum4(b);
}

void sinc_unit_stereo(const float *x, uint32_t frac, float *l, float *r)
{
    const float *c = unit_c[frac >> (32 - SINC_PHASE_BITS)];
    const float *d = unit_d[frac >> (32 - SINC_PHASE_BITS)];
    float f = unit_fraction(frac);
    float e[SINC_TAPS] __attribute__((aligned(16)));
    V4 fv = {f, f, f, f};
    for (int i = 0; i < SINC_TAPS; i += 4) {
        V4 ev = load4(c + i) + fv * load4(d + i);
        memcpy(e + i, &ev, sizeof ev);
    }
    const float *p = x - 2 * (SINC_HALF - 1);
    V4 a = {0}, b = {0};
    for (int i = 0; i < SINC_TAPS; i += 4) {
        V4 e0 = {e[i], e[i], e[i + 1], e[i + 1]};
        V4 e1 = {e[i + 2], e[i + 2], e[i + 3], e[i + 3]};
        a += load4(p + 2 * i) * e0;
        b += load4(p + 2 * i + 4) * e1;
    }
    V4 s = a + b;
    *l = s[0] + s[2];
    *r = s[1] + s[3];
}

uint32_t sinc_wide_reach(uint32_t stretch_fp16)
{
    return (uint32_t)(((uint64_t)SINC_HALF * stretch_fp16 + 0xFFFF) >> 16);
}

/* The stretched kernel walks the flat table from the position outwards on
 * each side, in 16.16 table steps of SINC_PHASES / stretch. */
#define WIDE_LIMIT ((uint32_t)SINC_HALF * SINC_PHASES << 16)

static inline float flat_at(uint32_t a)
{
    uint32_t j = a >> 16;
    return flat_c[j] + (float)(a & 0xFFFF) * (1.0f / 65536.0f) * flat_d[j];
}

float sinc_wide_mono(const float *x, uint32_t frac, uint32_t stretch_fp16)
{
    uint32_t da = (uint32_t)(((uint64_t)1 << 40) / stretch_fp16);
    uint32_t a = (uint32_t)(((uint64_t)frac * da) >> 32);
    float sum = 0;
    for (const float *p = x; a < WIDE_LIMIT; a += da, p--)
        sum += *p * flat_at(a);
    a = da - (uint32_t)(((uint64_t)frac * da) >> 32);
    for (const float *p = x + 1; a < WIDE_LIMIT; a += da, p++)
        sum += *p * flat_at(a);
    return sum * (65536.0f / (float)stretch_fp16);
}

void sinc_wide_stereo(const float *x, uint32_t frac, uint32_t stretch_fp16,
                      float *l, float *r)
{
    uint32_t da = (uint32_t)(((uint64_t)1 << 40) / stretch_fp16);
    uint32_t a = (uint32_t)(((uint64_t)frac * da) >> 32);
    float sl = 0, sr = 0;
    for (const float *p = x; a < WIDE_LIMIT; a += da, p -= 2) {
        float c = flat_at(a);
        sl += p[0] * c;
        sr += p[1] * c;
    }
    a = da - (uint32_t)(((uint64_t)frac * da) >> 32);
    for (const float *p = x + 2; a < WIDE_LIMIT; a += da, p += 2) {
        float c = flat_at(a);
        sl += p[0] * c;
        sr += p[1] * c;
    }
    float g = 65536.0f / (float)stretch_fp16;
    *l = sl * g;
    *r = sr * g;
}
