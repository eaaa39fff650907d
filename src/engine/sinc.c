#include "sinc.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Kaiser window shape: about 87 dB of stopband by design for this length
 * (94 measured, tests/unit/test_engine_interp.c), with the transition
 * (0.45 .. 0.55 of the rate) inside the kernel's reach. A shorter kernel
 * (48 taps) leaves less than the 80 dB the mode promises. */
#define KAISER_BETA 8.6

typedef float V4 __attribute__((vector_size(16)));

/* unit_c[q]: the kernel at phase q / SINC_PHASES for the SINC_TAPS frames
 * around the position; unit_d[q]: the difference to phase q + 1, so a
 * fraction between two phases interpolates linearly. */
static float unit_c[SINC_PHASES][SINC_TAPS] __attribute__((aligned(16)));
static float unit_d[SINC_PHASES][SINC_TAPS] __attribute__((aligned(16)));
/* The kernel's right half, h(j / SINC_PHASES), and differences, for the
 * stretched kernel that reads it at arbitrary points. Zeros after the
 * kernel's end, so the last index needs no test and a vector of taps may
 * run up to WIDE_VECTOR taps past it. */
enum { WIDE_VECTOR = 8, FLAT_LEN = (SINC_HALF + WIDE_VECTOR + 1) * SINC_PHASES };
/* [j][0] the value, [j][1] the difference: side by side, so one 64-bit
 * load (or gather lane) fetches both. */
static float flat[FLAT_LEN][2] __attribute__((aligned(8)));

/* The fine kernel (sinc.h): fine_cd[q] holds the row at phase
 * q / SINC_PHASES, then its difference to phase q + 1 (as unit_c and
 * unit_d do for the unit kernel), so a frame's two rows share one
 * address and two neighbouring cache lines. Its
 * transition (a quarter to three quarters of the level's rate) is five
 * times wider than the unit kernel's, so 16 taps stop its images far
 * below 80 dB: about 100 dB by design for this window. */
#define FINE_KAISER_BETA 10.0
static float fine_cd[SINC_PHASES][2 * SINC_FINE_TAPS] __attribute__((aligned(64)));
/* The same rows with each difference scaled by 2^-24, the weight of the
 * lowest bit of a fraction below the phase, so the vector readers
 * multiply it by those bits as an integer rather than scaling them: the
 * same product (a power of two moved from one factor to the other), and
 * unrounded inside a fused multiply-add, so the same sums. */
static float fine_cd_bits[SINC_PHASES][2 * SINC_FINE_TAPS] __attribute__((aligned(64)));

/* The same readers for CPUs with AVX2 and FMA (chosen once by sinc_init):
 * eight taps an instruction. They round differently from the portable
 * ones, so one machine always uses the same. */
static float wide_mono_portable(const float *x, uint32_t frac, const SincStretch *st);
static void wide_stereo_portable(const float *x, uint32_t frac, const SincStretch *st,
                                 float *l, float *r);
static void unit_span_portable(const float *x, uint64_t acc, uint64_t step, uint32_t n,
                               int chans, float *out);
static void (*unit_span)(const float *, uint64_t, uint64_t, uint32_t, int, float *) =
    unit_span_portable;
static float (*wide_mono)(const float *, uint32_t, const SincStretch *) =
    wide_mono_portable;
static void (*wide_stereo)(const float *, uint32_t, const SincStretch *, float *, float *) =
    wide_stereo_portable;
static void fine_span_portable(const float *x, uint64_t pos, uint64_t step, uint64_t ratio,
                               uint32_t n, int chans, float *out);
static void (*fine_span)(const float *, uint64_t, uint64_t, uint64_t, uint32_t, int,
                         float *) = fine_span_portable;
static void fine_add_portable(const float *x, uint64_t pos, uint64_t step, uint64_t ratio,
                              uint32_t n, int chans, float gl, float gr, float *out);
static void (*fine_add)(const float *, uint64_t, uint64_t, uint64_t, uint32_t, int, float,
                        float, float *) = fine_add_portable;

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static _Atomic bool tables_built;

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
    static double window_top; /* built once, by the one thread building the tables */
    if (window_top == 0.0)
        window_top = bessel_i0(KAISER_BETA);
    return sinc * bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) / window_top;
}

/* The kernel at j / SINC_PHASES for every j of the flat table: every
 * coefficient of both tables is one of these (a unit row's tap m at phase
 * q is the kernel at |q - SINC_PHASES m| / SINC_PHASES), so the window's
 * Bessel series runs once per point rather than once per use. */
static double kernel_at[FLAT_LEN];

/* One phase's row, scaled to sum to exactly 1 so DC passes unchanged. */
static void unit_row(int q, double row[SINC_TAPS])
{
    double sum = 0;
    for (int i = 0; i < SINC_TAPS; i++) {
        int m = i - (SINC_HALF - 1);
        int j = abs(q - SINC_PHASES * m);
        row[i] = kernel_at[j];
        sum += row[i];
    }
    for (int i = 0; i < SINC_TAPS; i++)
        row[i] /= sum;
}

static double fine_kernel(double t)
{
    double a = fabs(t);
    if (a >= SINC_FINE_HALF)
        return 0.0;
    double sinc = a < 1e-12 ? 1.0 : sin(M_PI * a) / (M_PI * a);
    double r = a / SINC_FINE_HALF;
    return sinc * bessel_i0(FINE_KAISER_BETA * sqrt(1.0 - r * r)) /
           bessel_i0(FINE_KAISER_BETA);
}

/* One phase's row of the fine kernel, summing to exactly 1. */
static void fine_row(int q, double row[SINC_FINE_TAPS])
{
    double sum = 0;
    for (int i = 0; i < SINC_FINE_TAPS; i++) {
        row[i] = fine_kernel((double)q / SINC_PHASES - (i - (SINC_FINE_HALF - 1)));
        sum += row[i];
    }
    for (int i = 0; i < SINC_FINE_TAPS; i++)
        row[i] /= sum;
}

static void build_fine_tables(void)
{
    double row[SINC_FINE_TAPS], next[SINC_FINE_TAPS];
    fine_row(0, row);
    for (int q = 0; q < SINC_PHASES; q++) {
        fine_row(q + 1, next);
        for (int i = 0; i < SINC_FINE_TAPS; i++) {
            fine_cd[q][i] = (float)row[i];
            fine_cd[q][SINC_FINE_TAPS + i] = (float)(next[i] - row[i]);
            fine_cd_bits[q][i] = fine_cd[q][i];
            fine_cd_bits[q][SINC_FINE_TAPS + i] =
                ldexpf(fine_cd[q][SINC_FINE_TAPS + i], -(32 - SINC_PHASE_BITS));
        }
        memcpy(row, next, sizeof row);
    }
}

static void build_tables(void)
{
    build_fine_tables();
    for (int j = 0; j < FLAT_LEN; j++)
        kernel_at[j] = kernel((double)j / SINC_PHASES); /* 0 past the end */
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
        flat[j][0] = (float)kernel_at[j];
    for (int j = 0; j + 1 < FLAT_LEN; j++)
        flat[j][1] = flat[j + 1][0] - flat[j][0];
    flat[FLAT_LEN - 1][1] = 0;
}

static SincReaders choose_readers(SincReaders widest);

static void init_once(void)
{
    build_tables();
    choose_readers(SINC_READERS_AVX512);
    atomic_store_explicit(&tables_built, true, memory_order_release);
}

void sinc_init(void)
{
    pthread_once(&tables_once, init_once);
}

bool sinc_ready(void)
{
    return atomic_load_explicit(&tables_built, memory_order_acquire);
}

SincReaders sinc_use_readers(SincReaders which)
{
    sinc_init();
    unit_span = unit_span_portable;
    wide_mono = wide_mono_portable;
    wide_stereo = wide_stereo_portable;
    fine_span = fine_span_portable;
    fine_add = fine_add_portable;
    return which == SINC_READERS_PORTABLE ? SINC_READERS_PORTABLE : choose_readers(which);
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

/* One frame through a kernel row interpolated between phases: c and d are
 * the row and its difference to the next phase, p the first frame it
 * weighs, `taps` a multiple of 4. */
static inline float row_mono(const float *p, const float *c, const float *d, uint32_t frac,
                             const int taps)
{
    V4 a = {0}, b = {0};
    for (int i = 0; i < taps; i += 4) {
        V4 xv = load4(p + i);
        a += xv * load4(c + i);
        b += xv * load4(d + i);
    }
    return sum4(a) + unit_fraction(frac) * sum4(b);
}

/* The same for a stereo frame: the row is interpolated in registers,
 * four taps at a time, each tap then spread over its frame's left and
 * right lanes (a row stored and read back stalls on the store). */
static inline void row_stereo(const float *p, const float *c, const float *d, uint32_t frac,
                              const int taps, float *l, float *r)
{
    float f = unit_fraction(frac);
    V4 fv = {f, f, f, f};
    V4 a = {0}, b = {0};
    for (int i = 0; i < taps; i += 4) {
        V4 e = load4(c + i) + fv * load4(d + i);
        V4 e0 = {e[0], e[0], e[1], e[1]};
        V4 e1 = {e[2], e[2], e[3], e[3]};
        a += load4(p + 2 * i) * e0;
        b += load4(p + 2 * i + 4) * e1;
    }
    V4 s = a + b;
    *l = s[0] + s[2];
    *r = s[1] + s[3];
}

/* One frame of a kernel of 2 x half taps from its tables c and d (rows
 * of 2 x half coefficients, `stride` floats from one phase's to the
 * next) at the frame x and fraction frac: the unit and the fine portable
 * readers differ only in these. */
static void row_frame(const float *x, const float *c, const float *d, size_t stride, int half,
                      uint32_t frac, int chans, float *out)
{
    uint32_t q = frac >> (32 - SINC_PHASE_BITS);
    const int taps = 2 * half;
    c += q * stride;
    d += q * stride;
    if (chans == 2)
        row_stereo(x - 2 * (half - 1), c, d, frac, taps, out, out + 1);
    else
        *out = row_mono(x - (half - 1), c, d, frac, taps);
}

static void unit_span_portable(const float *x, uint64_t acc, uint64_t step, uint32_t n,
                               int chans, float *out)
{
    for (uint32_t i = 0; i < n; i++, acc += step, out += chans)
        row_frame(x + (size_t)(acc >> 32) * (size_t)chans, &unit_c[0][0], &unit_d[0][0],
                  SINC_TAPS, SINC_HALF, (uint32_t)acc, chans, out);
}

static void fine_span_portable(const float *x, uint64_t pos, uint64_t step, uint64_t ratio,
                               uint32_t n, int chans, float *out)
{
    for (uint32_t i = 0; i < n; i++, pos += step, out += chans) {
        uint64_t q = sinc_level_pos(pos, ratio);
        row_frame(x + (size_t)(q >> 32) * (size_t)chans, &fine_cd[0][0],
                  &fine_cd[0][SINC_FINE_TAPS], 2 * SINC_FINE_TAPS, SINC_FINE_HALF, (uint32_t)q,
                  chans, out);
    }
}

/* A span at a time through whichever span reader is chosen, then the
 * gains. */
static void fine_add_portable(const float *x, uint64_t pos, uint64_t step, uint64_t ratio,
                              uint32_t n, int chans, float gl, float gr, float *out)
{
    float span[2 * SINC_SPAN];
    for (uint32_t i = 0; i < n;) {
        uint32_t m = n - i < SINC_SPAN ? n - i : SINC_SPAN;
        fine_span(x, pos + (uint64_t)i * step, step, ratio, m, chans, span);
        float *o = out + 2 * (size_t)i;
        for (uint32_t k = 0; k < m; k++) {
            float l = span[k * chans], r = chans == 2 ? span[2 * k + 1] : l;
            o[2 * k] += l * gl;
            o[2 * k + 1] += r * gr;
        }
        i += m;
    }
}

SincStretch sinc_stretch(uint32_t stretch_fp16)
{
    return (SincStretch){
        .reach = (uint32_t)(((uint64_t)SINC_HALF * stretch_fp16 + 0xFFFF) >> 16),
        .da = (uint32_t)(((uint64_t)1 << 40) / stretch_fp16),
        .gain = 65536.0f / (float)stretch_fp16,
    };
}

/* The stretched kernel walks the flat table from the position outwards on
 * each side, in 16.16 table steps of SINC_PHASES / stretch. */
#define WIDE_LIMIT ((uint32_t)SINC_HALF * SINC_PHASES << 16)

static inline float flat_at(uint32_t a)
{
    uint32_t j = a >> 16;
    return flat[j][0] + (float)(a & 0xFFFF) * (1.0f / 65536.0f) * flat[j][1];
}

static float wide_mono_portable(const float *x, uint32_t frac, const SincStretch *st)
{
    uint32_t da = st->da;
    uint32_t a = (uint32_t)(((uint64_t)frac * da) >> 32);
    float sum = 0;
    for (const float *p = x; a < WIDE_LIMIT; a += da, p--)
        sum += *p * flat_at(a);
    a = da - (uint32_t)(((uint64_t)frac * da) >> 32);
    for (const float *p = x + 1; a < WIDE_LIMIT; a += da, p++)
        sum += *p * flat_at(a);
    return sum * st->gain;
}

static void wide_stereo_portable(const float *x, uint32_t frac, const SincStretch *st,
                                 float *l, float *r)
{
    uint32_t da = st->da;
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
    *l = sl * st->gain;
    *r = sr * st->gain;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline float hsum8(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* Four sums (eight taps each, in turn): a sum's chain of fused
 * multiply-adds is then two long rather than seven, so a frame's taps do
 * not wait on each other's latency. */
AVX2 static inline __attribute__((always_inline)) float unit_mono8(const float *x,
                                                                  uint32_t frac)
{
    const float *c = unit_c[frac >> (32 - SINC_PHASE_BITS)];
    const float *d = unit_d[frac >> (32 - SINC_PHASE_BITS)];
    const float *p = x - (SINC_HALF - 1);
    __m256 f = _mm256_set1_ps(unit_fraction(frac));
    __m256 sum[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
#pragma GCC unroll 8
    for (int i = 0; i < SINC_TAPS; i += 8) {
        __m256 e = _mm256_fmadd_ps(f, _mm256_loadu_ps(d + i), _mm256_loadu_ps(c + i));
        sum[(i / 8) % 4] = _mm256_fmadd_ps(_mm256_loadu_ps(p + i), e, sum[(i / 8) % 4]);
    }
    return hsum8(_mm256_add_ps(_mm256_add_ps(sum[0], sum[1]), _mm256_add_ps(sum[2], sum[3])));
}

AVX2 static inline void stereo_sums(__m256 s, float *l, float *r)
{
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h)); /* l r . . */
    *l = _mm_cvtss_f32(h);
    *r = _mm_cvtss_f32(_mm_shuffle_ps(h, h, 1));
}

/* The row is interpolated in registers, eight taps at a time, and each
 * tap spread over the left and right lanes of its frame by a permute (a
 * row stored and read back half by half stalls on the store); six sums,
 * so each chain of fused multiply-adds is at most three long. */
AVX2 static inline __attribute__((always_inline)) void
unit_stereo8(const float *x, uint32_t frac, float *l, float *r)
{
    const float *c = unit_c[frac >> (32 - SINC_PHASE_BITS)];
    const float *d = unit_d[frac >> (32 - SINC_PHASE_BITS)];
    const float *p = x - 2 * (SINC_HALF - 1);
    const __m256i low = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256i high = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
    __m256 f = _mm256_set1_ps(unit_fraction(frac));
    __m256 sum[6];
    for (int k = 0; k < 6; k++)
        sum[k] = _mm256_setzero_ps();
#pragma GCC unroll 8
    for (int i = 0; i < SINC_TAPS; i += 8) {
        const int k = 2 * ((i / 8) % 3);
        __m256 e = _mm256_fmadd_ps(f, _mm256_loadu_ps(d + i), _mm256_loadu_ps(c + i));
        sum[k] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 2 * i), _mm256_permutevar8x32_ps(e, low),
                                 sum[k]);
        sum[k + 1] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 2 * i + 8),
                                     _mm256_permutevar8x32_ps(e, high), sum[k + 1]);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(sum[0], sum[1]),
                             _mm256_add_ps(_mm256_add_ps(sum[2], sum[3]),
                                           _mm256_add_ps(sum[4], sum[5])));
    stereo_sums(s, l, r);
}

AVX2 static void unit_span_avx2(const float *x, uint64_t acc, uint64_t step, uint32_t n,
                                int chans, float *out)
{
    if (chans == 2) {
        for (uint32_t i = 0; i < n; i++, acc += step)
            unit_stereo8(x + 2 * (size_t)(acc >> 32), (uint32_t)acc, out + 2 * i,
                         out + 2 * i + 1);
    } else {
        for (uint32_t i = 0; i < n; i++, acc += step)
            out[i] = unit_mono8(x + (size_t)(acc >> 32), (uint32_t)acc);
    }
}

/* The fine kernel: two vectors of taps. One frame at level frame
 * `whole`, through the row `cd` (fine_cd's) at the fraction in every
 * lane of fv: mono, the
 * eight lanes whose sum is the frame's value (hsum8); stereo, each tap
 * spread over its frame's two lanes, the lanes whose halves summed give
 * left, right, left, right (stereo_sums). */
AVX2 static inline __attribute__((always_inline)) __m256
fine_frame(const float *x, uint64_t whole, const float *cd, __m256 fv, const int chans)
{
    const float *c = cd, *d = cd + SINC_FINE_TAPS;
    __m256 e0 = _mm256_fmadd_ps(fv, _mm256_load_ps(d), _mm256_load_ps(c));
    __m256 e1 = _mm256_fmadd_ps(fv, _mm256_load_ps(d + 8), _mm256_load_ps(c + 8));
    if (chans == 1) {
        const float *p = x + whole - (SINC_FINE_HALF - 1);
        __m256 s = _mm256_mul_ps(_mm256_loadu_ps(p), e0);
        return _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), e1, s);
    }
    const __m256i low = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256i high = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
    const float *p = x + 2 * whole - 2 * (SINC_FINE_HALF - 1);
    __m256 s0 = _mm256_mul_ps(_mm256_loadu_ps(p), _mm256_permutevar8x32_ps(e0, low));
    __m256 s1 = _mm256_mul_ps(_mm256_loadu_ps(p + 8), _mm256_permutevar8x32_ps(e0, high));
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 16), _mm256_permutevar8x32_ps(e1, low), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 24), _mm256_permutevar8x32_ps(e1, high), s1);
    return _mm256_add_ps(s0, s1);
}

/* The level position, pos x ratio >> 32, is kept whole in 128 bits (the
 * same as sinc_level_pos, for less): hi the level frame, lo its
 * fraction (the top 32 bits of lo are the 32.32 position's), stepped by
 * by_hi:by_lo with a carry. */
typedef struct {
    uint64_t lo, hi, by_lo, by_hi;
} FinePos;

static inline FinePos fine_pos(uint64_t pos, uint64_t step, uint64_t ratio)
{
    unsigned __int128 at = (unsigned __int128)pos * ratio, by = (unsigned __int128)step * ratio;
    return (FinePos){(uint64_t)at, (uint64_t)(at >> 64), (uint64_t)by, (uint64_t)(by >> 64)};
}

static inline void fine_step(FinePos *at)
{
    at->hi += at->by_hi + __builtin_add_overflow(at->lo, at->by_lo, &at->lo);
}

/* The frame at *at, then *at stepped. (Eight frames' fractions worked
 * out in one vector and spread lane by lane measured slower than this:
 * the spreading takes the shuffle unit the sums need.) */
AVX2 static inline __attribute__((always_inline)) __m256 fine_next(const float *x, FinePos *at,
                                                                   const int chans)
{
    uint32_t frac = (uint32_t)(at->lo >> 32);
    __m256 s = fine_frame(x, at->hi, fine_cd_bits[frac >> (32 - SINC_PHASE_BITS)],
                          _mm256_set1_ps((float)(frac & ((1u << (32 - SINC_PHASE_BITS)) - 1))),
                          chans);
    fine_step(at);
    return s;
}

AVX2 static void fine_span_avx2(const float *x, uint64_t pos, uint64_t step, uint64_t ratio,
                                uint32_t n, int chans, float *out)
{
    FinePos at = fine_pos(pos, step, ratio);
    if (chans == 2) {
        for (uint32_t i = 0; i < n; i++)
            stereo_sums(fine_next(x, &at, 2), out + 2 * i, out + 2 * i + 1);
    } else {
        for (uint32_t i = 0; i < n; i++)
            out[i] = hsum8(fine_next(x, &at, 1));
    }
}

/* The halves of two frames' lanes added, lane k to lane k + 4 (the first
 * step of hsum8 and stereo_sums): a's four sums, then b's. */
AVX2 static inline __m256 halves_added(__m256 a, __m256 b)
{
    return _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31));
}

/* Four frames' sums of halves (two from halves_added): their lanes 0 + 2
 * and 1 + 3 (the second step of hsum8 and stereo_sums), laid out
 * 0 0 2 2 | 1 1 3 3 by frame. */
AVX2 static inline __m256 pairs_added(__m256 ab, __m256 cd)
{
    return _mm256_add_ps(_mm256_shuffle_ps(ab, cd, _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm256_shuffle_ps(ab, cd, _MM_SHUFFLE(3, 2, 3, 2)));
}

/* The fine kernel added at steady gains: eight mono frames or four
 * stereo ones at a time, their horizontal sums done together, each step
 * in the order hsum8 and stereo_sums take, so every value is the one
 * fine_span_avx2 gives and the output is the same as span and gains
 * apart. */
AVX2 static inline __attribute__((always_inline)) void
fine_add_chans(const float *x, uint64_t pos, uint64_t step, uint64_t ratio, uint32_t n,
               const int chans, float gl, float gr, float *out)
{
    FinePos at = fine_pos(pos, step, ratio);
    const __m256 gains = _mm256_setr_ps(gl, gr, gl, gr, gl, gr, gl, gr);
    const uint32_t per = chans == 1 ? 8 : 4;
    uint32_t i = 0;
    for (; i + per <= n; i += per) {
        __m256 s[8];
#pragma GCC unroll 8
        for (uint32_t k = 0; k < per; k++)
            s[k] = fine_next(x, &at, chans);
        float *o = out + 2 * (size_t)i;
        if (chans == 2) {
            /* l r of frames 0 2 | 1 3, put in order. */
            __m256 v = pairs_added(halves_added(s[0], s[1]), halves_added(s[2], s[3]));
            v = _mm256_castpd_ps(
                _mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
            _mm256_storeu_ps(o, _mm256_add_ps(_mm256_loadu_ps(o), _mm256_mul_ps(v, gains)));
            continue;
        }
        /* Frames 0 2 4 6 | 1 3 5 7: the last step of hsum8, lane 0 +
         * lane 1, for all eight; then each value twice, in order. */
        __m256 v = _mm256_hadd_ps(
            pairs_added(halves_added(s[0], s[1]), halves_added(s[2], s[3])),
            pairs_added(halves_added(s[4], s[5]), halves_added(s[6], s[7])));
        __m256 a = _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(0, 0, 4, 4, 1, 1, 5, 5));
        __m256 c = _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(2, 2, 6, 6, 3, 3, 7, 7));
        _mm256_storeu_ps(o, _mm256_add_ps(_mm256_loadu_ps(o), _mm256_mul_ps(a, gains)));
        _mm256_storeu_ps(o + 8, _mm256_add_ps(_mm256_loadu_ps(o + 8), _mm256_mul_ps(c, gains)));
    }
    for (; i < n; i++) {
        float l, r;
        if (chans == 2)
            stereo_sums(fine_next(x, &at, 2), &l, &r);
        else
            l = r = hsum8(fine_next(x, &at, 1));
        out[2 * i] += l * gl;
        out[2 * i + 1] += r * gr;
    }
}

AVX2 static void fine_add_avx2(const float *x, uint64_t pos, uint64_t step, uint64_t ratio,
                               uint32_t n, int chans, float gl, float gr, float *out)
{
    if (chans == 2)
        fine_add_chans(x, pos, step, ratio, n, 2, gl, gr, out);
    else
        fine_add_chans(x, pos, step, ratio, n, 1, gl, gr, out);
}

/* The mono fine reader at steady gains for CPUs with AVX-512 as well
 * (chosen on AMD's, which run 512-bit vectors at full clock): the AVX2
 * one is bound by its loads (two vectors a cycle), four of a row and two
 * of taps a frame; here a row takes two and the taps one, two frames
 * share each multiply-add, and the fractions of eight frames are
 * converted at once. Every lane's sum is the AVX2 reader's, in its
 * order, so the output is the same bit for bit. */
#define AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))

/* The row of the frame at *at interpolated at its fraction `bits` (in
 * every lane; the lanes of fine_frame's e0 and e1), and its sixteen
 * frames into *frames; then *at stepped. */
AVX512 static inline __attribute__((always_inline)) __m512
fine_row16(const float *x, FinePos *at, __m512 bits, __m512 *frames)
{
    /* The phase is the top bits of lo; a row is 128 bytes. */
    const float *cd = (const float *)(const void *)((const char *)fine_cd_bits +
                                                    ((at->lo >> (64 - SINC_PHASE_BITS - 7)) &
                                                     ~(uint64_t)127));
    *frames = _mm512_loadu_ps(x + at->hi - (SINC_FINE_HALF - 1));
    fine_step(at);
    return _mm512_fmadd_ps(bits, _mm512_load_ps(cd + SINC_FINE_TAPS), _mm512_load_ps(cd));
}

/* Frames k and k + 1 of eight whose fractions are `bits`: their sums, as
 * fine_frame's (taps 0 .. 7 times their coefficients, then taps 8 .. 15
 * fused in), frame k's eight lanes then frame k + 1's. */
AVX512 static inline __attribute__((always_inline)) __m512 fine_pair16(const float *x,
                                                                       FinePos *at,
                                                                       __m512 bits,
                                                                       const int k)
{
    __m512 xa, xb;
    __m512 ea = fine_row16(x, at, _mm512_permutexvar_ps(_mm512_set1_epi32(k), bits), &xa);
    __m512 eb = fine_row16(x, at, _mm512_permutexvar_ps(_mm512_set1_epi32(k + 1), bits), &xb);
    __m512 low = _mm512_mul_ps(_mm512_shuffle_f32x4(xa, xb, _MM_SHUFFLE(1, 0, 1, 0)),
                               _mm512_shuffle_f32x4(ea, eb, _MM_SHUFFLE(1, 0, 1, 0)));
    return _mm512_fmadd_ps(_mm512_shuffle_f32x4(xa, xb, _MM_SHUFFLE(3, 2, 3, 2)),
                           _mm512_shuffle_f32x4(ea, eb, _MM_SHUFFLE(3, 2, 3, 2)), low);
}

/* Four frames' halves added (hsum8's first step) from two pairs: frame
 * k's four sums in quarter k. */
AVX512 static inline __m512 quarters_added(__m512 ab, __m512 cd)
{
    return _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(ab, cd, _MM_SHUFFLE(3, 1, 3, 1)));
}

AVX512 static void fine_add_mono_avx512(const float *x, uint64_t pos, uint64_t step,
                                        uint64_t ratio, uint32_t n, float gl, float gr,
                                        float *out)
{
    FinePos at = fine_pos(pos, step, ratio);
    const __m512 gains = _mm512_setr_ps(gl, gr, gl, gr, gl, gr, gl, gr, gl, gr, gl, gr, gl, gr,
                                        gl, gr);
    /* Frame q's lanes 0 1 and frame q + 4's lanes 2 3 of quarter q (the
     * layout below), each value twice, in frame order. */
    const __m512i in_order =
        _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    /* The low words of eight frames' positions, whose top 32 bits are
     * the fractions fine_next takes: worked out together. */
    __m512i lo = _mm512_add_epi64(
        _mm512_set1_epi64((long long)at.lo),
        _mm512_mullo_epi64(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
                           _mm512_set1_epi64((long long)at.by_lo)));
    const __m512i lo_by = _mm512_set1_epi64((long long)(8 * at.by_lo));
    const __m512i below_phase = _mm512_set1_epi64((1 << (32 - SINC_PHASE_BITS)) - 1);
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m512 bits = _mm512_castps256_ps512(_mm512_cvtepi64_ps(
            _mm512_and_si512(_mm512_srli_epi64(lo, 32), below_phase)));
        lo = _mm512_add_epi64(lo, lo_by);
        __m512 s01 = fine_pair16(x, &at, bits, 0), s23 = fine_pair16(x, &at, bits, 2);
        __m512 s45 = fine_pair16(x, &at, bits, 4), s67 = fine_pair16(x, &at, bits, 6);
        __m512 h0 = quarters_added(s01, s23), h4 = quarters_added(s45, s67);
        /* hsum8's second step, lanes 0 + 2 and 1 + 3: per quarter q,
         * frame q's two sums then frame q + 4's; then its third, lane 0 +
         * lane 1, each sum twice. */
        __m512 p = _mm512_add_ps(_mm512_shuffle_ps(h0, h4, _MM_SHUFFLE(1, 0, 1, 0)),
                                 _mm512_shuffle_ps(h0, h4, _MM_SHUFFLE(3, 2, 3, 2)));
        __m512 v = _mm512_add_ps(p, _mm512_permute_ps(p, _MM_SHUFFLE(2, 3, 0, 1)));
        v = _mm512_permutexvar_ps(in_order, v);
        float *o = out + 2 * (size_t)i;
        _mm512_storeu_ps(o, _mm512_add_ps(_mm512_loadu_ps(o), _mm512_mul_ps(v, gains)));
    }
    for (; i < n; i++) {
        float l = hsum8(fine_next(x, &at, 1));
        out[2 * i] += l * gl;
        out[2 * i + 1] += l * gr;
    }
}

AVX512 static void fine_add_avx512(const float *x, uint64_t pos, uint64_t step, uint64_t ratio,
                                   uint32_t n, int chans, float gl, float gr, float *out)
{
    if (chans == 2)
        fine_add_avx2(x, pos, step, ratio, n, chans, gl, gr, out);
    else
        fine_add_mono_avx512(x, pos, step, ratio, n, gl, gr, out);
}

/* Eight coefficients of the stretched kernel at table positions a (16.16). */
AVX2 static inline __m256 flat_at8(__m256i a)
{
    __m256i j = _mm256_srli_epi32(a, 16);
    __m256 fr = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(a, _mm256_set1_epi32(0xFFFF))),
                              _mm256_set1_ps(1.0f / 65536.0f));
    /* Value-difference pairs of taps 0 1 4 5 and of 2 3 6 7: two gathers
     * of four 64-bit lanes (half the elements of two float gathers), and
     * one shuffle each puts the values and the differences in tap order. */
    __m128i lo = _mm256_castsi256_si128(j), hi = _mm256_extracti128_si256(j, 1);
    const double *pairs = (const double *)(const void *)flat;
    __m256 a0 = _mm256_castpd_ps(_mm256_i32gather_pd(pairs, _mm_unpacklo_epi64(lo, hi), 8));
    __m256 a1 = _mm256_castpd_ps(_mm256_i32gather_pd(pairs, _mm_unpackhi_epi64(lo, hi), 8));
    __m256 c = _mm256_shuffle_ps(a0, a1, _MM_SHUFFLE(2, 0, 2, 0));
    __m256 d = _mm256_shuffle_ps(a0, a1, _MM_SHUFFLE(3, 1, 3, 1));
    return _mm256_fmadd_ps(fr, d, c);
}

/* Taps walk outwards from the position, a group of lanes at a time; the
 * left side reads its frames forwards, so its lanes count taps down. The
 * last group may run past the kernel's end: those lanes read zeros from
 * the table (and frames up to 7 beyond the reach, see SINC_OVERREACH). */
/* Eight taps at a time: their coefficients in one vector (the left side
 * reads its frames forwards, so its lanes count taps down), multiplied
 * into eight mono frames, or spread over the two lanes of each of eight
 * stereo frames. */
AVX2 static inline __m256 wide_group(__m256 sum, const float *p, __m256 c, const int chans)
{
    if (chans == 1)
        return _mm256_fmadd_ps(_mm256_loadu_ps(p), c, sum);
    const __m256i low = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256i high = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
    sum = _mm256_fmadd_ps(_mm256_loadu_ps(p), _mm256_permutevar8x32_ps(c, low), sum);
    return _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), _mm256_permutevar8x32_ps(c, high), sum);
}

AVX2 static inline __m256 wide_sum_avx2(const float *x, uint32_t frac, const SincStretch *st,
                                        const int chans)
{
    uint32_t da = st->da;
    uint32_t a0 = (uint32_t)(((uint64_t)frac * da) >> 32);
    __m256i tap = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i lanes_da = _mm256_mullo_epi32(tap, _mm256_set1_epi32((int)da));
    __m256i rev_da = _mm256_mullo_epi32(_mm256_sub_epi32(_mm256_set1_epi32(7), tap),
                                        _mm256_set1_epi32((int)da));
    __m256i step = _mm256_set1_epi32((int)(8 * da));
    __m256 sum = _mm256_setzero_ps();
    __m256i a = _mm256_add_epi32(_mm256_set1_epi32((int)a0), rev_da);
    const float *p = x - chans * 7;
    for (uint32_t t = a0; t < WIDE_LIMIT; t += 8 * da, p -= 8 * chans) {
        sum = wide_group(sum, p, flat_at8(a), chans);
        a = _mm256_add_epi32(a, step);
    }
    uint32_t a1 = da - a0;
    a = _mm256_add_epi32(_mm256_set1_epi32((int)a1), lanes_da);
    p = x + chans;
    for (uint32_t t = a1; t < WIDE_LIMIT; t += 8 * da, p += 8 * chans) {
        sum = wide_group(sum, p, flat_at8(a), chans);
        a = _mm256_add_epi32(a, step);
    }
    return _mm256_mul_ps(sum, _mm256_set1_ps(st->gain));
}

AVX2 static float wide_mono_avx2(const float *x, uint32_t frac, const SincStretch *st)
{
    return hsum8(wide_sum_avx2(x, frac, st, 1));
}

AVX2 static void wide_stereo_avx2(const float *x, uint32_t frac, const SincStretch *st,
                                  float *l, float *r)
{
    stereo_sums(wide_sum_avx2(x, frac, st, 2), l, r);
}

/* The widest set up to `widest` the CPU has, set in place of the
 * portable readers; returns it. */
static SincReaders choose_readers(SincReaders widest)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        return SINC_READERS_PORTABLE;
    unit_span = unit_span_avx2;
    wide_mono = wide_mono_avx2;
    wide_stereo = wide_stereo_avx2;
    fine_span = fine_span_avx2;
    fine_add = fine_add_avx2;
    if (widest != SINC_READERS_AVX512 || !__builtin_cpu_is("amd") ||
        !__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq"))
        return SINC_READERS_AVX2;
    fine_add = fine_add_avx512;
    return SINC_READERS_AVX512;
}
#else
static SincReaders choose_readers(SincReaders widest)
{
    (void)widest;
    return SINC_READERS_PORTABLE;
}
#endif

void sinc_unit_span(const float *x, uint64_t acc, uint64_t step, uint32_t n, int chans,
                    float *out)
{
    unit_span(x, acc, step, n, chans, out);
}

void sinc_fine_span(const float *x, uint64_t pos, uint64_t step, uint64_t ratio, uint32_t n,
                    int chans, float *out)
{
    fine_span(x, pos, step, ratio, n, chans, out);
}

void sinc_fine_add(const float *x, uint64_t pos, uint64_t step, uint64_t ratio, uint32_t n,
                   int chans, float gl, float gr, float *out)
{
    fine_add(x, pos, step, ratio, n, chans, gl, gr, out);
}

float sinc_wide_mono(const float *x, uint32_t frac, const SincStretch *st)
{
    return wide_mono(x, frac, st);
}

void sinc_wide_stereo(const float *x, uint32_t frac, const SincStretch *st, float *l,
                      float *r)
{
    wide_stereo(x, frac, st, l, r);
}
