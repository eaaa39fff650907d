/* loudness: see loudness.h.
 *
 * ITU-R BS.1770-4 and EBU Tech 3342 as libebur128 reads them, computed
 * here: libebur128 filters each sample through a fourth-order filter in
 * double precision, one channel and one sample at a time, and squares
 * every sample again for each of the four overlapping gating blocks and
 * the three short-term windows it falls in. That was more than half of
 * a render's instructions. Here both channels go through the K-weighting
 * in one vector of two doubles, and each 100 ms sub-block's energy is
 * summed once; the gating blocks (400 ms every 100 ms) and the short-term
 * windows (3 s every 1 s, for the range) are sums of sub-blocks. The
 * gates, the percentiles and the 0.1 LU histogram follow libebur128's, so
 * the figures agree with it (test_loudness compares them). */
#include "loudness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "truepeak.h"

typedef double D2 __attribute__((vector_size(16)));

enum {
    BLOCK_SUBS = 4,       /* 400 ms gating blocks */
    SHORT_SUBS = 30,      /* 3 s short-term windows */
    SHORT_HOP_SUBS = 10,  /* one short-term window a second, for the range */
    HISTOGRAM_BINS = 1000 /* 0.1 LU bins from -70 LUFS */
};

/* One biquad's coefficients (a0 = 1) and its state, for both channels. */
typedef struct {
    double b0, b1, b2, a1, a2;
    D2 s1, s2;
} Biquad;

/* The gated energies of one kind of block: every one (exact) or a count
 * per 0.1 LU bin (open-ended). */
typedef struct {
    double *energy;
    size_t count, cap;
    uint64_t bins[HISTOGRAM_BINS];
} Blocks;

struct Loudness {
    LoudnessHistory history;
    Biquad shelf, highpass;
    uint32_t sub_frames;   /* frames in 100 ms, rounded as libebur128 does */
    uint32_t sub_fill;     /* frames in the current sub-block */
    D2 sub_sum;            /* its K-weighted squares, left and right */
    double subs[SHORT_SUBS]; /* the last sub-blocks' energies, a ring */
    uint64_t subs_done;
    Blocks gating, short_term;
    /* The true peak: libebur128's own oversamples every frame, which cost
     * most of a render; this one interpolates only where the reading can
     * still rise. */
    TruePeak peak;
};

/* BS.1770's loudness of a mean square energy (both channels weigh 1). */
static double energy_to_lufs(double energy)
{
    return 10.0 * log10(energy) - 0.691;
}

static double lufs_to_energy(double lufs)
{
    return pow(10.0, (lufs + 0.691) / 10.0);
}

/* The K-weighting's two stages at `rate`: the head's high shelf and the
 * RLB high-pass, from BS.1770's 48 kHz coefficients' analogue prototypes
 * (as libebur128 derives them). */
static void k_weighting(Loudness *l, double rate)
{
    double f0 = 1681.974450955533, g = 3.999843853973347, q = 0.7071752369554196;
    double k = tan(M_PI * f0 / rate);
    double vh = pow(10.0, g / 20.0), vb = pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;
    l->shelf = (Biquad){
        .b0 = (vh + vb * k / q + k * k) / a0,
        .b1 = 2.0 * (k * k - vh) / a0,
        .b2 = (vh - vb * k / q + k * k) / a0,
        .a1 = 2.0 * (k * k - 1.0) / a0,
        .a2 = (1.0 - k / q + k * k) / a0,
    };
    f0 = 38.13547087602444;
    q = 0.5003270373238773;
    k = tan(M_PI * f0 / rate);
    a0 = 1.0 + k / q + k * k;
    l->highpass = (Biquad){
        .b0 = 1.0,
        .b1 = -2.0,
        .b2 = 1.0,
        .a1 = 2.0 * (k * k - 1.0) / a0,
        .a2 = (1.0 - k / q + k * k) / a0,
    };
}

/* Transposed direct form II, both channels at once. */
static inline D2 biquad(Biquad *f, D2 x)
{
    D2 y = f->b0 * x + f->s1;
    f->s1 = f->b1 * x - f->a1 * y + f->s2;
    f->s2 = f->b2 * x - f->a2 * y;
    return y;
}

Loudness *loudness_new(uint32_t rate, LoudnessHistory history)
{
    if (!rate)
        return NULL;
    Loudness *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->history = history;
    l->sub_frames = (rate + 5) / 10;
    k_weighting(l, rate);
    truepeak_init(&l->peak);
    return l;
}

void loudness_free(Loudness *l)
{
    if (!l)
        return;
    free(l->gating.energy);
    free(l->short_term.energy);
    free(l);
}

/* The bin of a loudness: 0.1 LU wide from -70 LUFS, the top one open. */
static int bin_of(double energy)
{
    double b = floor((energy_to_lufs(energy) + 70.0) * 10.0);
    return b < 0 ? 0 : b >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : (int)b;
}

/* A bin's energy: its centre's. */
static double bin_energy(int b)
{
    return lufs_to_energy(-70.0 + (b + 0.5) / 10.0);
}

/* Keeps a block's energy if it passes BS.1770's absolute gate. */
static HissError keep(Loudness *l, Blocks *b, double energy)
{
    if (!(energy >= lufs_to_energy(LOUDNESS_GATE_LUFS)))
        return HISS_OK;
    if (l->history == LOUDNESS_OPEN_ENDED) {
        b->bins[bin_of(energy)]++;
        return HISS_OK;
    }
    if (b->count == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        double *grown = realloc(b->energy, cap * sizeof *grown);
        if (!grown)
            return HISS_ERR_NOMEM;
        b->energy = grown;
        b->cap = cap;
    }
    b->energy[b->count++] = energy;
    return HISS_OK;
}

/* The mean energy of the last `subs` sub-blocks (fewer while the signal
 * is younger: the missing ones are silence). */
static double last_subs(const Loudness *l, int subs)
{
    double sum = 0;
    for (int k = 1; k <= subs && (uint64_t)k <= l->subs_done; k++)
        sum += l->subs[(l->subs_done - (uint64_t)k) % SHORT_SUBS];
    return sum / ((double)subs * l->sub_frames);
}

/* A state left to decay through silence would reach the subnormal
 * range, where arithmetic is a hundred times slower; this far under any
 * gate it is silence. */
static void flush_tiny(Biquad *f)
{
    for (int c = 0; c < 2; c++) {
        if (fabs(f->s1[c]) < 1e-20)
            f->s1[c] = 0;
        if (fabs(f->s2[c]) < 1e-20)
            f->s2[c] = 0;
    }
}

static HissError end_sub_block(Loudness *l)
{
    flush_tiny(&l->shelf);
    flush_tiny(&l->highpass);
    l->subs[l->subs_done % SHORT_SUBS] = l->sub_sum[0] + l->sub_sum[1];
    l->subs_done++;
    l->sub_sum = (D2){0, 0};
    l->sub_fill = 0;
    HissError err = HISS_OK;
    if (l->subs_done >= BLOCK_SUBS)
        err = keep(l, &l->gating, last_subs(l, BLOCK_SUBS));
    if (!err && l->subs_done >= SHORT_SUBS && (l->subs_done - SHORT_SUBS) % SHORT_HOP_SUBS == 0)
        err = keep(l, &l->short_term, last_subs(l, SHORT_SUBS));
    return err;
}

HissError loudness_add(Loudness *l, const float *stereo, uint32_t n)
{
    truepeak_add(&l->peak, stereo, n);
    Biquad shelf = l->shelf, highpass = l->highpass;
    HissError err = HISS_OK;
    uint32_t i = 0;
    while (i < n && !err) {
        uint32_t run = l->sub_frames - l->sub_fill;
        run = run < n - i ? run : n - i;
        D2 sum = l->sub_sum;
        for (uint32_t end = i + run; i < end; i++) {
            D2 x = {stereo[2 * i], stereo[2 * i + 1]};
            D2 y = biquad(&highpass, biquad(&shelf, x));
            sum += y * y;
        }
        l->sub_sum = sum;
        l->sub_fill += run;
        if (l->sub_fill == l->sub_frames)
            err = end_sub_block(l);
    }
    l->shelf = shelf;
    l->highpass = highpass;
    return err;
}

static int by_energy(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The blocks' energies, each once, ascending (a bin's count times its
 * centre's energy when open-ended): calls fn(energy, count, ctx) until it
 * returns false. */
static void each_block(const Blocks *b, LoudnessHistory h, bool (*fn)(double, uint64_t, void *),
                       void *ctx)
{
    if (h == LOUDNESS_OPEN_ENDED) {
        for (int k = 0; k < HISTOGRAM_BINS; k++)
            if (b->bins[k] && !fn(bin_energy(k), b->bins[k], ctx))
                return;
        return;
    }
    for (size_t k = 0; k < b->count; k++)
        if (!fn(b->energy[k], 1, ctx))
            return;
}

typedef struct {
    double gate;     /* energies below it are left out */
    double sum;
    uint64_t count;
} Mean;

static bool add_to_mean(double energy, uint64_t count, void *ctx)
{
    Mean *m = ctx;
    if (energy >= m->gate) {
        m->sum += energy * (double)count;
        m->count += count;
    }
    return true;
}

/* The mean energy of the blocks at or above gate (0 when none). */
static double gated_mean(const Blocks *b, LoudnessHistory h, double gate, uint64_t *count)
{
    Mean m = {gate, 0, 0};
    each_block(b, h, add_to_mean, &m);
    *count = m.count;
    return m.count ? m.sum / (double)m.count : 0.0;
}

/* The relative gate's threshold, as libebur128 places it in a histogram:
 * a bin counts when its centre is at or above it. */
static double relative_gate(const Blocks *b, LoudnessHistory h, double factor)
{
    uint64_t count;
    return gated_mean(b, h, 0.0, &count) * factor;
}

/* Integrated loudness: blocks above the absolute gate (kept), then those
 * above 10 LU under their mean. */
static double integrated(const Blocks *b, LoudnessHistory h)
{
    uint64_t count;
    double energy = gated_mean(b, h, relative_gate(b, h, 0.1), &count);
    return count ? energy_to_lufs(energy) : -HUGE_VAL;
}

typedef struct {
    double gate;
    uint64_t low_at, high_at, seen;
    double low, high;
} Percentiles;

static bool find_percentiles(double energy, uint64_t count, void *ctx)
{
    Percentiles *p = ctx;
    if (energy < p->gate)
        return true;
    if (p->seen <= p->low_at && p->low_at < p->seen + count)
        p->low = energy;
    if (p->seen <= p->high_at && p->high_at < p->seen + count) {
        p->high = energy;
        return false;
    }
    p->seen += count;
    return true;
}

/* Loudness range (EBU Tech 3342): the short-term loudness from its 10th
 * to its 95th percentile, of the windows above the absolute gate and
 * above 20 LU under their mean. */
static double range(const Blocks *b, LoudnessHistory h)
{
    if (h == LOUDNESS_EXACT && b->count)
        qsort(b->energy, b->count, sizeof *b->energy, by_energy);
    double gate = relative_gate(b, h, 0.01);
    uint64_t count;
    gated_mean(b, h, gate, &count);
    if (!count)
        return 0.0;
    Percentiles p = {
        .gate = gate,
        .low_at = (uint64_t)((double)(count - 1) * 0.1 + 0.5),
        .high_at = (uint64_t)((double)(count - 1) * 0.95 + 0.5),
    };
    each_block(b, h, find_percentiles, &p);
    return energy_to_lufs(p.high) - energy_to_lufs(p.low);
}

/* The loudness of the last `subs` sub-blocks; silence under the absolute
 * gate (a fading tail reads thousands of dB down otherwise). */
static double recent(const Loudness *l, int subs)
{
    double energy = last_subs(l, subs);
    double lufs = energy > 0 ? energy_to_lufs(energy) : -HUGE_VAL;
    return lufs >= LOUDNESS_GATE_LUFS ? lufs : -HUGE_VAL;
}

LoudnessFigures loudness_figures(const Loudness *l)
{
    LoudnessFigures f = {-HUGE_VAL, 0.0, -HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    f.integrated_lufs = integrated(&l->gating, l->history);
    /* range sorts the exact list in place, which changes no figure. */
    f.range_lu = range(&l->short_term, l->history);
    f.momentary_lufs = recent(l, BLOCK_SUBS);
    f.short_term_lufs = recent(l, SHORT_SUBS);
    double peak = truepeak_max(&l->peak);
    if (peak > 0.0)
        f.true_peak_dbtp = 20.0 * log10(peak);
    return f;
}
