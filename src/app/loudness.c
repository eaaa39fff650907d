/* loudness: see loudness.h. */
#include "loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "truepeak.h"

/* Two lanes, the left and right channel, filtered side by side. */
typedef double LoudV2 __attribute__((vector_size(16)));

/* One biquad section's coefficients (a0 = 1), the same for both lanes. */
typedef struct {
    double b0, b1, b2, a1, a2;
} Biquad;

enum {
    MOMENTARY_BLOCKS = 4,  /* 400 ms in 100 ms steps */
    SHORT_TERM_BLOCKS = 30, /* 3 s */
    SHORT_TERM_HOP = 10,    /* a short-term reading for the range each second */
};

/* A list of block energies that only grows (exact history). */
typedef struct {
    double *e;
    size_t n, cap;
} Energies;

/* The exact history's own meter: BS.1770's K-weighting and 100 ms sums
 * of its square. libebur128 filters with its state in memory and sums
 * each 400 ms block and 3 s window from the samples again (about 170
 * instructions a stereo frame); here the filter's state stays in
 * registers and each sample is squared once into its 100 ms sum, which
 * the blocks and windows add up. */
typedef struct {
    Biquad shelf, high_pass;
    LoudV2 s1, s2, h1, h2; /* the two sections' transposed direct form II state */
    LoudV2 sum;            /* the 100 ms step being summed */
    uint32_t step_frames;  /* frames in 100 ms */
    uint32_t in_step;      /* frames summed into sum so far */
    uint64_t steps;        /* 100 ms steps completed */
    double recent[SHORT_TERM_BLOCKS]; /* the last steps' sums, a ring */
    Energies blocks;                  /* 400 ms blocks over the absolute gate */
    Energies windows;                 /* 3 s windows over the absolute gate */
} KMeter;

struct Loudness {
    LoudnessHistory history;
    ebur128_state *st; /* the open-ended history's meter */
    KMeter *k;         /* the exact history's */
    /* The true peak: libebur128's own oversamples every frame, which cost
     * most of a render; this one interpolates only where the reading can
     * still rise. */
    TruePeak peak;
};

/* BS.1770's K-weighting for any rate: a high shelf of about +4 dB above
 * 1.7 kHz (the head) and a high-pass at 38 Hz, both the bilinear
 * transforms of the analog sections whose 48 kHz forms the standard
 * tabulates (the parameters reproduce that table to 1e-8). */
static void k_weighting(uint32_t rate, Biquad *shelf, Biquad *high_pass)
{
    double k = tan(M_PI * 1681.974450955533 / rate), q = 0.7071752369554196;
    double vh = pow(10.0, 3.999843853973347 / 20.0), vb = pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;
    *shelf = (Biquad){(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0,
                      (vh - vb * k / q + k * k) / a0, 2.0 * (k * k - 1.0) / a0,
                      (1.0 - k / q + k * k) / a0};
    k = tan(M_PI * 38.13547087602444 / rate);
    q = 0.5003270373238773;
    a0 = 1.0 + k / q + k * k;
    *high_pass = (Biquad){1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0};
}

/* The mean square of a sum of stereo squares over frames, as BS.1770
 * weighs the left and right channels (1 each) to LUFS. */
static double energy_lufs(double energy)
{
    return 10.0 * log10(energy) - 0.691;
}

/* The absolute gate as an energy. */
static double gate_energy(void)
{
    return pow(10.0, (LOUDNESS_GATE_LUFS + 0.691) / 10.0);
}

static bool energies_push(Energies *list, double e)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 1024;
        double *grown = realloc(list->e, cap * sizeof *grown);
        if (!grown)
            return false;
        list->e = grown;
        list->cap = cap;
    }
    list->e[list->n++] = e;
    return true;
}

/* The mean energy of the last count steps (fewer at the start read as
 * silence before it, as a meter started on silence would). */
static double kmeter_recent(const KMeter *k, uint32_t count)
{
    double sum = 0.0;
    uint64_t have = k->steps < count ? k->steps : count;
    for (uint64_t i = 1; i <= have; i++)
        sum += k->recent[(k->steps - i) % SHORT_TERM_BLOCKS];
    return sum / ((double)count * k->step_frames);
}

/* Closes a 100 ms step: its 400 ms block and, each second, its 3 s window
 * join the gated lists when over the absolute gate. */
static bool kmeter_close_step(KMeter *k)
{
    k->recent[k->steps % SHORT_TERM_BLOCKS] = k->sum[0] + k->sum[1];
    k->steps++;
    k->sum = (LoudV2){0.0, 0.0};
    k->in_step = 0;
    double gate = gate_energy();
    bool ok = true;
    if (k->steps >= MOMENTARY_BLOCKS) {
        double e = kmeter_recent(k, MOMENTARY_BLOCKS);
        if (e >= gate)
            ok = energies_push(&k->blocks, e);
    }
    if (k->steps >= SHORT_TERM_BLOCKS && (k->steps - SHORT_TERM_BLOCKS) % SHORT_TERM_HOP == 0) {
        double e = kmeter_recent(k, SHORT_TERM_BLOCKS);
        if (e >= gate)
            ok = energies_push(&k->windows, e) && ok;
    }
    return ok;
}

/* After silence the state decays into denormals, each a slow operation;
 * below 1e-30 it adds nothing a gate at -70 LUFS sees. */
static LoudV2 flush_tiny(LoudV2 v)
{
    for (int lane = 0; lane < 2; lane++)
        if (fabs(v[lane]) < 1e-30)
            v[lane] = 0.0;
    return v;
}

static void kmeter_keep(KMeter *k, LoudV2 s1, LoudV2 s2, LoudV2 h1, LoudV2 h2, LoudV2 sum)
{
    k->s1 = flush_tiny(s1);
    k->s2 = flush_tiny(s2);
    k->h1 = flush_tiny(h1);
    k->h2 = flush_tiny(h2);
    k->sum = sum;
}

/* Filters n frames into the running sum: the loop every frame runs. */
static void kmeter_filter_portable(KMeter *k, const float *stereo, uint32_t n)
{
    const Biquad s = k->shelf, h = k->high_pass;
    LoudV2 s1 = k->s1, s2 = k->s2, h1 = k->h1, h2 = k->h2, sum = k->sum;
    for (const float *end = stereo + 2 * (size_t)n; stereo < end; stereo += 2) {
        LoudV2 x = {stereo[0], stereo[1]};
        LoudV2 y = s.b0 * x + s1;
        s1 = s.b1 * x - s.a1 * y + s2;
        s2 = s.b2 * x - s.a2 * y;
        LoudV2 z = y + h1;
        h1 = h2 - (y + y) - h.a1 * z;
        h2 = y - h.a2 * z;
        sum += z * z;
    }
    kmeter_keep(k, s1, s2, h1, h2, sum);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* The filter's coefficients and state in registers. */
typedef struct {
    __m128d b0, b1, b2, sa1, sa2, ha1, ha2;
    __m128d s1, s2, h1, h2, sum;
} KFma;

__attribute__((target("avx2,fma"), always_inline)) static inline void kfma_step(KFma *f,
                                                                              const float *frame)
{
    __m128d x = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)frame)));
    __m128d y = _mm_fmadd_pd(f->b0, x, f->s1);
    f->s1 = _mm_fmadd_pd(f->b1, x, _mm_fnmadd_pd(f->sa1, y, f->s2));
    f->s2 = _mm_fnmadd_pd(f->sa2, y, _mm_mul_pd(f->b2, x));
    __m128d z = _mm_add_pd(y, f->h1);
    f->h1 = _mm_fnmadd_pd(f->ha1, z, _mm_sub_pd(f->h2, _mm_add_pd(y, y)));
    f->h2 = _mm_fnmadd_pd(f->ha2, z, y);
    f->sum = _mm_fmadd_pd(z, z, f->sum);
}

/* The same filter with fused multiply-adds: 11 operations a frame for
 * 19 (the figures move by far less than the 0.1 LU they are shown in),
 * two frames a pass so that no register needs copying. */
__attribute__((target("avx2,fma"))) static void kmeter_filter_fma(KMeter *k, const float *stereo,
                                                                  uint32_t n)
{
    const Biquad s = k->shelf, h = k->high_pass;
    KFma f = {_mm_set1_pd(s.b0),      _mm_set1_pd(s.b1),      _mm_set1_pd(s.b2),
              _mm_set1_pd(s.a1),      _mm_set1_pd(s.a2),      _mm_set1_pd(h.a1),
              _mm_set1_pd(h.a2),      (__m128d)k->s1,         (__m128d)k->s2,
              (__m128d)k->h1,         (__m128d)k->h2,         (__m128d)k->sum};
    const float *end = stereo + 2 * (size_t)n;
    for (; stereo + 4 <= end; stereo += 4) {
        kfma_step(&f, stereo);
        kfma_step(&f, stereo + 2);
    }
    if (stereo < end)
        kfma_step(&f, stereo);
    kmeter_keep(k, (LoudV2)f.s1, (LoudV2)f.s2, (LoudV2)f.h1, (LoudV2)f.h2, (LoudV2)f.sum);
}

static void kmeter_filter(KMeter *k, const float *stereo, uint32_t n)
{
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        kmeter_filter_fma(k, stereo, n);
    else
        kmeter_filter_portable(k, stereo, n);
}
#else
#define kmeter_filter kmeter_filter_portable
#endif

static HissError kmeter_add(KMeter *k, const float *stereo, uint32_t n)
{
    bool ok = true;
    while (n) {
        uint32_t take = k->step_frames - k->in_step;
        if (take > n)
            take = n;
        kmeter_filter(k, stereo, take);
        k->in_step += take;
        stereo += 2 * (size_t)take;
        n -= take;
        if (k->in_step == k->step_frames)
            ok = kmeter_close_step(k) && ok;
    }
    return ok ? HISS_OK : HISS_ERR_NOMEM;
}

/* The mean of the energies at least floor_ratio times the mean of them
 * all (BS.1770's relative gate); 0 when none. */
static double gated_mean(const Energies *list, double floor_ratio)
{
    double sum = 0.0, kept = 0.0;
    size_t count = 0;
    for (size_t i = 0; i < list->n; i++)
        sum += list->e[i];
    if (!list->n)
        return 0.0;
    double floor = floor_ratio * sum / list->n;
    for (size_t i = 0; i < list->n; i++)
        if (list->e[i] >= floor) {
            kept += list->e[i];
            count++;
        }
    return count ? kept / count : 0.0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* EBU Tech 3342's loudness range: the spread from the 10th to the 95th
 * percentile of the 3 s windows within 20 LU of their mean. */
static double kmeter_range(const KMeter *k)
{
    const Energies *w = &k->windows;
    if (!w->n)
        return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < w->n; i++)
        sum += w->e[i];
    double floor = 0.01 * sum / w->n;
    double *kept = malloc(w->n * sizeof *kept);
    if (!kept)
        return NAN;
    size_t count = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->e[i] >= floor)
            kept[count++] = w->e[i];
    double range = 0.0;
    if (count) {
        qsort(kept, count, sizeof *kept, compare_doubles);
        double low = kept[(size_t)((count - 1) * 0.10 + 0.5)];
        double high = kept[(size_t)((count - 1) * 0.95 + 0.5)];
        range = energy_lufs(high) - energy_lufs(low);
    }
    free(kept);
    return range;
}

static KMeter *kmeter_new(uint32_t rate)
{
    KMeter *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k_weighting(rate, &k->shelf, &k->high_pass);
    k->step_frames = (rate + 5) / 10;
    return k;
}

static void kmeter_free(KMeter *k)
{
    if (!k)
        return;
    free(k->blocks.e);
    free(k->windows.e);
    free(k);
}

Loudness *loudness_new(uint32_t rate, LoudnessHistory history)
{
    Loudness *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->history = history;
    if (history == LOUDNESS_EXACT)
        l->k = kmeter_new(rate);
    else
        l->st = ebur128_init(2, rate,
                             EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM);
    if (!l->k && !l->st) {
        free(l);
        return NULL;
    }
    truepeak_init(&l->peak);
    return l;
}

void loudness_free(Loudness *l)
{
    if (!l)
        return;
    if (l->st)
        ebur128_destroy(&l->st);
    kmeter_free(l->k);
    free(l);
}

HissError loudness_add(Loudness *l, const float *stereo, uint32_t n)
{
    truepeak_add(&l->peak, stereo, n);
    if (l->k)
        return kmeter_add(l->k, stereo, n);
    return ebur128_add_frames_float(l->st, stereo, n) == EBUR128_SUCCESS ? HISS_OK
                                                                          : HISS_ERR_NOMEM;
}

/* A gated reading: under the absolute gate it is silence. */
static double gated_lufs(double energy)
{
    return energy > 0.0 && energy_lufs(energy) >= LOUDNESS_GATE_LUFS ? energy_lufs(energy)
                                                                    : -HUGE_VAL;
}

LoudnessFigures loudness_figures(const Loudness *l)
{
    LoudnessFigures f = {-HUGE_VAL, 0.0, -HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    double v, peak = truepeak_max(&l->peak);
    if (peak > 0.0)
        f.true_peak_dbtp = 20.0 * log10(peak);
    if (l->k) {
        double integrated = gated_mean(&l->k->blocks, 0.1);
        if (integrated > 0.0)
            f.integrated_lufs = energy_lufs(integrated);
        f.range_lu = kmeter_range(l->k);
        f.momentary_lufs = gated_lufs(kmeter_recent(l->k, MOMENTARY_BLOCKS));
        f.short_term_lufs = gated_lufs(kmeter_recent(l->k, SHORT_TERM_BLOCKS));
        return f;
    }
    if (ebur128_loudness_global(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.integrated_lufs = v;
    if (ebur128_loudness_range(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.range_lu = v;
    /* A fading tail reads thousands of dB down; under BS.1770's absolute
     * gate it is silence, as the integrated figure already treats it. */
    if (ebur128_loudness_momentary(l->st, &v) == EBUR128_SUCCESS && v >= LOUDNESS_GATE_LUFS)
        f.momentary_lufs = v;
    if (ebur128_loudness_shortterm(l->st, &v) == EBUR128_SUCCESS && v >= LOUDNESS_GATE_LUFS)
        f.short_term_lufs = v;
    return f;
}
