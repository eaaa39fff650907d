#include "finelevel.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "sinc.h"

/* The sinc mode's passband (of the lower of the sound's and the output's
 * rate) and the widest step a fine level is read at (sinc.h). */
#define PASSBAND 0.45
#define MAX_STEP ((double)SINC_FINE_MAX_STEP / 4294967296.0)
/* The stopband the kernel is designed for: the levels' own tests ask 90
 * dB, the mode's images and aliases 80. */
#define STOP_DB 96.0

typedef float V4 __attribute__((vector_size(16)));

/* One level's kernel: `num` rows of 2 x half taps; row b weighs the sound
 * frames around position a + b / num, frames a - (half-1) .. a + half. */
typedef struct {
    uint32_t num, den; /* level frames per sound frame, in lowest terms */
    uint32_t half;     /* a multiple of 8, so rows are whole vectors */
    double cutoff;     /* cycles per sound frame */
    double reach;      /* the window's half length, sound frames */
    float *rows;       /* NULL until built */
} Kernel;

static Kernel kernels[SAMPLE_MAX_LEVELS];
static pthread_mutex_t kernels_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Level j's kernel shape. A voice reads level j at steps (level frames
 * per output frame) from MAX_STEP x ratio_j / ratio_(j-1) to MAX_STEP:
 * the passband, 0.45 of the output rate, then reaches at most
 * PASSBAND / MAX_STEP x ratio_(j-1) of the sound's rate (and never past
 * 0.45 of it), and what the level holds above (1 - PASSBAND) / MAX_STEP x
 * ratio_j (a quarter of its rate) would alias into the passband at the
 * widest step. */
static Kernel design(int j)
{
    Kernel k = {0};
    sample_fine_fraction(j, &k.num, &k.den);
    uint32_t g = gcd(k.num, k.den);
    k.num /= g;
    k.den /= g;
    double pass = PASSBAND, stop = (1.0 - PASSBAND) / MAX_STEP * k.num / k.den;
    if (j > 0) {
        uint32_t num, den;
        sample_fine_fraction(j - 1, &num, &den);
        pass = fmin(pass, PASSBAND / MAX_STEP * num / den);
    }
    k.cutoff = (pass + stop) / 2;
    /* Kaiser's estimate of the window's length for this transition. */
    k.reach = (STOP_DB - 7.95) / (2.285 * 2 * M_PI * (stop - pass)) / 2;
    k.half = ((uint32_t)ceil(k.reach) + 7) & ~7u;
    return k;
}

static double kaiser_beta(void)
{
    return 0.1102 * (STOP_DB - 8.7);
}

/* 1 / (4 k^2): the steps of I0's power series, sum of (x^2 / 4)^k / k!^2. */
enum { I0_TERMS = 32 };
static double i0_steps[I0_TERMS];

static void build_i0_steps(void)
{
    for (int k = 1; k < I0_TERMS; k++)
        i0_steps[k] = 1.0 / (4.0 * k * k);
}

/* The zeroed-order modified Bessel function for the window's arguments
 * (0 .. beta, about 9.6): a fixed number of the series' terms, enough
 * for double precision there, each a multiplication rather than a
 * division (the table building is mostly this). */
static double window_i0(double x)
{
    double x2 = x * x, term = 1.0, sum = 1.0;
    for (int k = 1; k < I0_TERMS; k++) {
        term *= x2 * i0_steps[k];
        sum += term;
    }
    return sum;
}

/* The kernel at u sound frames from the position. */
static double kernel_at(const Kernel *k, double u, double beta, double window_top)
{
    double a = fabs(u);
    if (a >= k->reach)
        return 0.0;
    double x = 2 * k->cutoff * a;
    double sinc = x < 1e-12 ? 1.0 : sin(M_PI * x) / (M_PI * x);
    double r = a / k->reach;
    return 2 * k->cutoff * sinc * window_i0(beta * sqrt(1.0 - r * r)) / window_top;
}

/* The rows, each scaled to sum to exactly 1 so DC passes unchanged. Row
 * num - b is row b backwards (the kernel is even), so half are worked
 * out. */
static bool build_rows(Kernel *k)
{
    const uint32_t taps = 2 * k->half;
    float *rows = aligned_alloc(32, (size_t)k->num * taps * sizeof(float));
    double *row = malloc(taps * sizeof(double));
    if (!rows || !row) {
        free(rows);
        free(row);
        return false;
    }
    const double beta = kaiser_beta(), top = window_i0(beta);
    for (uint32_t b = 0; b <= k->num / 2; b++) {
        double sum = 0;
        for (uint32_t m = 0; m < taps; m++) {
            row[m] = kernel_at(k, (double)b / k->num + (k->half - 1.0) - m, beta, top);
            sum += row[m];
        }
        float *mine = rows + (size_t)b * taps;
        float *mirror = b ? rows + (size_t)(k->num - b) * taps : NULL;
        for (uint32_t m = 0; m < taps; m++) {
            mine[m] = (float)(row[m] / sum);
            if (mirror)
                mirror[taps - 1 - m] = mine[m];
        }
    }
    free(row);
    k->rows = rows;
    return true;
}

/* Level j's kernel, built on first use; NULL when out of memory. */
static const Kernel *kernel_for(int j)
{
    pthread_mutex_lock(&kernels_lock);
    if (!i0_steps[1])
        build_i0_steps();
    Kernel *k = &kernels[j];
    if (!k->rows) {
        *k = design(j);
        if (!build_rows(k))
            k = NULL;
    }
    pthread_mutex_unlock(&kernels_lock);
    return k;
}

uint32_t finelevel_reach(int j)
{
    Kernel k = design(j);
    return k.half + (uint32_t)ceil((SINC_FINE_HALF + 1.0) * k.den / k.num);
}

/* The sound, each channel alone, with `lead` silent frames before it and
 * silence after: sound frame f at x[c][lead + f]. */
typedef struct {
    const float *x[2];
    uint32_t lead;
} Padded;

/* Level frame i is at sound position i x den / num: its row is
 * (i x den) mod num, its first tap on sound frame
 * floor(i x den / num) - (half-1). So frames i, i + num, i + 2 num, ...
 * share a row, den sound frames apart: they are summed four at a time,
 * the row's vectors loaded once for the four (a value is summed the same
 * way whichever group it falls in). */
enum { GROUP = 4 };

/* The four values at first taps p[0..3] through one row c of `taps`. */
typedef void (*SumFn)(const float *const p[GROUP], const float *c, uint32_t taps,
                      float sums[GROUP]);

static void sum_portable(const float *const p[GROUP], const float *c, uint32_t taps,
                         float sums[GROUP])
{
    for (int v = 0; v < GROUP; v++) {
        V4 s0 = {0}, s1 = {0};
        for (uint32_t m = 0; m < taps; m += 8) {
            V4 p0, p1, c0, c1;
            memcpy(&p0, p[v] + m, sizeof p0);
            memcpy(&p1, p[v] + m + 4, sizeof p1);
            memcpy(&c0, c + m, sizeof c0);
            memcpy(&c1, c + m + 4, sizeof c1);
            s0 += p0 * c0;
            s1 += p1 * c1;
        }
        V4 s = s0 + s1;
        sums[v] = (s[0] + s[2]) + (s[1] + s[3]);
    }
}

static SumFn sum = sum_portable;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

/* Two sums a value (rows are whole pairs of vectors), eight chains of
 * fused multiply-adds in all, so none waits on another's latency. */
AVX2 static void sum_avx2(const float *const p[GROUP], const float *c, uint32_t taps,
                          float sums[GROUP])
{
    const float *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3];
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
           s7 = s0;
    for (uint32_t m = 0; m < taps; m += 16) {
        __m256 c0 = _mm256_load_ps(c + m), c1 = _mm256_load_ps(c + m + 8);
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(p0 + m), c0, s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(p0 + m + 8), c1, s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(p1 + m), c0, s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(p1 + m + 8), c1, s3);
        s4 = _mm256_fmadd_ps(_mm256_loadu_ps(p2 + m), c0, s4);
        s5 = _mm256_fmadd_ps(_mm256_loadu_ps(p2 + m + 8), c1, s5);
        s6 = _mm256_fmadd_ps(_mm256_loadu_ps(p3 + m), c0, s6);
        s7 = _mm256_fmadd_ps(_mm256_loadu_ps(p3 + m + 8), c1, s7);
    }
    /* The four values, in order, by a tree of horizontal adds. */
    __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                              _mm256_hadd_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7)));
    _mm_storeu_ps(sums, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
}

static SumFn fastest(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? sum_avx2
                                                                          : sum_portable;
}
#else
static SumFn fastest(void)
{
    return sum_portable;
}
#endif

/* `frames` frames of one level into out (interleaved), a block of
 * GROUP x num frames at a time, so the sound a block reads stays in the
 * cache while each of its rows is applied. */
static void run(const Kernel *k, const Padded *src, int channels, SumFn sums_of, float *out,
                uint32_t frames)
{
    const uint32_t num = k->num, den = k->den, taps = 2 * k->half;
    const uint32_t skip = src->lead - (k->half - 1);
    for (uint64_t start = 0; start < frames; start += (uint64_t)GROUP * num) {
        const uint64_t block_a = start / num * den;
        for (uint32_t i = 0; i < num && start + i < frames; i++) {
            const float *c = k->rows + (size_t)((uint64_t)i * den % num) * taps;
            const uint64_t a = block_a + (uint64_t)i * den / num, first = start + i;
            int count = 1;
            while (count < GROUP && first + (uint64_t)count * num < frames)
                count++;
            for (int ch = 0; ch < channels; ch++) {
                /* Past the level's end, a group repeats its last value. */
                const float *p[GROUP];
                for (int g = 0; g < GROUP; g++)
                    p[g] = src->x[ch] + skip + a + (uint64_t)(g < count ? g : count - 1) * den;
                float sums[GROUP];
                sums_of(p, c, taps, sums);
                for (int g = 0; g < count; g++)
                    out[(first + (uint64_t)g * num) * channels + ch] = sums[g];
            }
        }
    }
}

static pthread_once_t sum_once = PTHREAD_ONCE_INIT;
static _Atomic bool portable_only;

static void choose_sum(void)
{
    sum = fastest();
}

void finelevel_use_portable(bool portable)
{
    portable_only = portable;
}

/* The padded sound's length after its lead that `frames` level frames
 * read: up to the last frame's last tap. */
static uint64_t taps_end(const Kernel *k, uint32_t frames)
{
    return ((uint64_t)frames - 1) * k->den / k->num + k->half + 1;
}

HissError finelevel_build(const float *in, uint32_t frames, int channels, SampleLevel *levels,
                          int count)
{
    if (count < 0 || count > SAMPLE_MAX_LEVELS || channels < 1 || channels > 2)
        return HISS_ERR_RANGE;
    pthread_once(&sum_once, choose_sum);
    const Kernel *k[SAMPLE_MAX_LEVELS];
    uint32_t lead = 0;
    uint64_t end = frames;
    for (int j = 0; j < count; j++) {
        if (!(k[j] = kernel_for(j)))
            return HISS_ERR_NOMEM;
        if (k[j]->half > lead)
            lead = k[j]->half;
        if (levels[j].frames && taps_end(k[j], levels[j].frames) > end)
            end = taps_end(k[j], levels[j].frames);
    }
    uint64_t len = lead + end;
    float *pad = calloc((size_t)len * channels, sizeof(float));
    if (!pad)
        return HISS_ERR_NOMEM;
    Padded src = {.x = {pad, pad + len}, .lead = lead};
    for (int ch = 0; ch < channels; ch++)
        for (uint32_t f = 0; f < frames; f++)
            pad[(size_t)ch * len + lead + f] = in[(size_t)f * channels + ch];
    SumFn sums_of = portable_only ? sum_portable : sum;
    for (int j = 0; j < count; j++)
        run(k[j], &src, channels, sums_of, levels[j].data, levels[j].frames);
    free(pad);
    return HISS_OK;
}
