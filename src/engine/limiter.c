/* limiter: see limiter.h. */
#include "limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h" /* its four-lane max, and SSE's header where there is SSE */

#define LIMITER_LOOKAHEAD_MS 1.5 /* 72 frames at 48 kHz */
#define RELEASE_SECONDS 0.06
/* A short interpolator cannot see all of what lies between samples of
 * content near the Nyquist frequency (noise, aliased hats): the gain aims
 * this far under the ceiling so a meter with a longer filter still reads
 * the ceiling held. */
#define MARGIN_DB 0.2

enum { H = LIMITER_HALF_TAPS, WINDOW = 2 * LIMITER_HALF_TAPS };
typedef float LimV4 __attribute__((vector_size(16)));
#define MARGIN_GAIN 0.97723722095581 /* 10^(-MARGIN_DB / 20) */
/* The most crest() reads over the largest of its three points: its cap
 * (the parabola's own top is at most a quarter over). */
#define CREST_LIFT 1.5f
/* The parabola's top over its middle point b, when neither neighbour is
 * further from 0 than b: (a - c)^2 / (8 |a - 2b + c|) is at most |b| / 4.
 * The factor covers float rounding where a - 2b + c is tiny. */
#define CREST_TOP (1.25f * 1.001f)
/* Frames the limiter takes at a time: where a stretch this long and the
 * frames its taps read cannot reach the ceiling, it only delays. */
enum { SPAN = 128 };

static uint32_t pow2_above(uint32_t n)
{
    uint32_t p = 16;
    while (p <= n)
        p *= 2;
    return p;
}

/* The interpolation filter is the true-peak meter's (truepeak.h), with
 * the bound of what its points can read: no stretch this bound passes
 * reads over the ceiling, so skipping its interpolation changes nothing. */
static void make_taps(Limiter *l)
{
    truepeak_make_taps(l->taps);
    l->bound = truepeak_bound(l->taps);
}

HissError limiter_init(Limiter *l, uint32_t rate)
{
    memset(l, 0, sizeof *l);
    uint32_t look = (uint32_t)lround(LIMITER_LOOKAHEAD_MS / 1000.0 * rate);
    l->lookahead = look < 2 * H + 8 ? 2 * H + 8 : look;
    l->attack = l->lookahead - H + 1;
    /* Room for a span's input beside the lookahead still to go out (so
     * delay needs no copy of it), and for the frames a span's taps read
     * before it. */
    _Static_assert(2 * H <= SPAN, "a span's input is the most the ring takes at once");
    uint32_t history = pow2_above(l->lookahead + SPAN);
    l->history_mask = history - 1;
    l->history = calloc(2 * (size_t)history, sizeof(float));
    l->needs = calloc(l->attack - 1, sizeof(float));
    l->scratch = calloc(2 * ((size_t)l->attack - 1 + SPAN), sizeof(float));
    l->smooth = calloc(l->attack, sizeof(float));
    if (!l->history || !l->needs || !l->scratch || !l->smooth) {
        limiter_deinit(l);
        return HISS_ERR_NOMEM;
    }
    l->release = (float)exp(-1.0 / (RELEASE_SECONDS * rate));
    make_taps(l);
    limiter_reset(l);
    return HISS_OK;
}

void limiter_deinit(Limiter *l)
{
    free(l->history);
    free(l->needs);
    free(l->scratch);
    free(l->smooth);
    l->history = l->needs = l->scratch = l->smooth = NULL;
}

void limiter_reset(Limiter *l)
{
    memset(l->history, 0, sizeof(float) * 2 * ((size_t)l->history_mask + 1));
    for (uint32_t i = 0; i < l->attack; i++)
        l->smooth[i] = 1.0f;
    l->smooth_sum = l->attack;
    l->smooth_held = 0;
    l->env = 1.0f;
    /* Counting from the lookahead keeps every frame index it looks back
     * to (j - lookahead and the taps before it) at or above 0. */
    l->frames = l->lookahead;
    /* No frame behind needs anything: 1, the most a need can be, leaves
     * every least need as the frames there are make it. */
    for (uint32_t i = 0; i + 1 < l->attack; i++)
        l->needs[i] = 1.0f;
    l->needs_at_one = true;
}

void limiter_carry(Limiter *to, const Limiter *from)
{
    memcpy(to->history, from->history, sizeof(float) * 2 * ((size_t)from->history_mask + 1));
    memcpy(to->needs, from->needs, sizeof(float) * (from->attack - 1));
    memcpy(to->smooth, from->smooth, sizeof(float) * from->attack);
    to->needs_at_one = from->needs_at_one;
    to->smooth_sum = from->smooth_sum;
    to->smooth_held = from->smooth_held;
    to->env = from->env;
    to->frames = from->frames;
}

uint32_t limiter_latency(const Limiter *l)
{
    return l->lookahead;
}

/* fmaxf for peaks, which are never NaN (x NaN leaves a): inline, where
 * fmaxf is a call into libm at every sample. */
static inline float peak_max(float a, float x)
{
    return x > a ? x : a;
}

/* The true peaks of a run of frames, worked out eight frames at a time
 * wherever a frame needs one. The frames the taps read lie in a row per
 * side: side[c][i] is frame first - (H - 1) + i, so frame first + i's
 * taps read side[c][i .. i + WINDOW - 1], its own frame side[c][i + H - 1]
 * and the next side[c][i + H]. Each point is summed tap by tap in order,
 * in every lane and in the portable loop alike (no fused multiply-add),
 * so a frame's true peak is the same whatever run or block it falls in. */
enum {
    GROUP = 8,
    RUN_MAX = SPAN + GROUP,
    ROWS = WINDOW - 1 + RUN_MAX,
    BLOCKS = (ROWS + GROUP - 1) / GROUP, /* of GROUP rows, for the bound */
    GROUP_BLOCKS = (GROUP + WINDOW - 1 + GROUP - 1) / GROUP /* a group's rows */
};

typedef struct {
    float side[2][BLOCKS * GROUP];
    float tp[RUN_MAX];   /* each frame's true peak, then the gain it needs */
    float ceiling;
    /* Per block of GROUP rows: the largest |value| and |second
     * difference| (of rows within the run) of either side. */
    float most[BLOCKS], bend[BLOCKS];
} PeakRun;

/* The crest of the parabola through three points a grid step apart,
 * around the middle one b (a local peak of |v|): what lies between the
 * grid's points, which is most of a 4x grid's error near Nyquist. */
static float crest(float a, float b, float c)
{
    float curve = a - 2.0f * b + c;
    if (curve == 0.0f)
        return fabsf(b);
    float v = b - (a - c) * (a - c) / (8.0f * curve);
    float top = fabsf(b) * CREST_LIFT; /* a flat run of points: keep it sane */
    return fabsf(v) > fabsf(b) ? fminf(fabsf(v), top) : fabsf(b);
}

/* The peak over a frame, the points after it and the crests between. */
static float peak_of_points(const float v[LIMITER_PHASES + 1])
{
    float peak = fabsf(v[0]);
    for (int p = 1; p < LIMITER_PHASES; p++)
        if (fabsf(v[p]) >= fabsf(v[p - 1]) && fabsf(v[p]) >= fabsf(v[p + 1]))
            peak = peak_max(peak, crest(v[p - 1], v[p], v[p + 1]));
        else
            peak = peak_max(peak, fabsf(v[p]));
    return peak;
}

/* Four frames a pass (in vector lanes where the target has them), each
 * lane summing its taps in order. */
static void group_portable(const Limiter *l, PeakRun *r, uint32_t from)
{
    _Static_assert(LIMITER_PHASES == 4, "three points between frames below");
    for (uint32_t i = from; i < from + GROUP; i += 4) {
        float peaks[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int c = 0; c < 2; c++) {
            const float *x = r->side[c] + i;
            LimV4 s1 = {0}, s2 = {0}, s3 = {0};
            for (int k = 0; k < WINDOW; k++) {
                LimV4 xv;
                memcpy(&xv, x + k, sizeof xv);
                s1 += l->taps[0][k] * xv;
                s2 += l->taps[1][k] * xv;
                s3 += l->taps[2][k] * xv;
            }
            for (int lane = 0; lane < 4; lane++) {
                float v[LIMITER_PHASES + 1] = {x[lane + H - 1], s1[lane], s2[lane], s3[lane],
                                               x[lane + H]};
                peaks[lane] = peak_max(peaks[lane], peak_of_points(v));
            }
        }
        memcpy(r->tp + i, peaks, sizeof peaks);
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define LIMITER_AVX2 1

/* peak_of_points in eight lanes: the same operations, lane by lane. */
__attribute__((target("avx2"))) static inline __m256 crest8(__m256 a, __m256 b, __m256 c)
{
    const __m256 mag = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 ab = _mm256_and_ps(b, mag);
    __m256 curve = _mm256_add_ps(_mm256_sub_ps(a, _mm256_add_ps(b, b)), c);
    /* 2.0f * b is b + b exactly. */
    __m256 d = _mm256_sub_ps(a, c);
    __m256 v = _mm256_sub_ps(b, _mm256_div_ps(_mm256_mul_ps(d, d),
                                              _mm256_mul_ps(_mm256_set1_ps(8.0f), curve)));
    __m256 av = _mm256_and_ps(v, mag);
    __m256 top = _mm256_mul_ps(ab, _mm256_set1_ps(CREST_LIFT));
    __m256 lifted = _mm256_min_ps(av, top); /* fminf: neither is NaN where it is kept */
    __m256 r = _mm256_blendv_ps(ab, lifted, _mm256_cmp_ps(av, ab, _CMP_GT_OQ));
    return _mm256_blendv_ps(r, ab, _mm256_cmp_ps(curve, _mm256_setzero_ps(), _CMP_EQ_OQ));
}

__attribute__((target("avx2"))) static void group_avx2(const Limiter *l, PeakRun *r,
                                                       uint32_t from)
{
    const __m256 mag = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 peak = _mm256_setzero_ps();
    /* Both sides at once, so each tap is fetched once. */
    const float *xl = r->side[0] + from, *xr = r->side[1] + from;
    /* Named sums, not an array: gcc kept an array of them in memory. */
    __m256 l1 = _mm256_setzero_ps(), l2 = l1, l3 = l1, r1 = l1, r2 = l1, r3 = l1;
    for (int k = 0; k < WINDOW; k++) {
        __m256 vl = _mm256_loadu_ps(xl + k), vr = _mm256_loadu_ps(xr + k);
        __m256 t1 = _mm256_broadcast_ss(&l->taps[0][k]);
        __m256 t2 = _mm256_broadcast_ss(&l->taps[1][k]);
        __m256 t3 = _mm256_broadcast_ss(&l->taps[2][k]);
        l1 = _mm256_add_ps(l1, _mm256_mul_ps(t1, vl));
        l2 = _mm256_add_ps(l2, _mm256_mul_ps(t2, vl));
        l3 = _mm256_add_ps(l3, _mm256_mul_ps(t3, vl));
        r1 = _mm256_add_ps(r1, _mm256_mul_ps(t1, vr));
        r2 = _mm256_add_ps(r2, _mm256_mul_ps(t2, vr));
        r3 = _mm256_add_ps(r3, _mm256_mul_ps(t3, vr));
    }
    const __m256 sums[2][3] = {{l1, l2, l3}, {r1, r2, r3}};
    for (int c = 0; c < 2; c++) {
        const float *x = r->side[c] + from;
        _Static_assert(LIMITER_PHASES == 4, "three points between frames below");
        __m256 v[5] = {_mm256_loadu_ps(x + H - 1), sums[c][0], sums[c][1], sums[c][2],
                       _mm256_loadu_ps(x + H)};
        peak = _mm256_max_ps(peak, _mm256_and_ps(v[0], mag));
        for (int p = 1; p < 4; p++) {
            __m256 a = _mm256_and_ps(v[p], mag);
            __m256 local = _mm256_and_ps(
                _mm256_cmp_ps(a, _mm256_and_ps(v[p - 1], mag), _CMP_GE_OQ),
                _mm256_cmp_ps(a, _mm256_and_ps(v[p + 1], mag), _CMP_GE_OQ));
            __m256 cr = crest8(v[p - 1], v[p], v[p + 1]);
            peak = _mm256_max_ps(peak, _mm256_blendv_ps(a, cr, local));
        }
    }
    _mm256_storeu_ps(r->tp + from, peak);
}
#endif

static bool limiter_portable;

void limiter_use_portable(bool portable)
{
    limiter_portable = portable;
}

typedef int32_t LimI4 __attribute__((vector_size(16)));

/* a < b ? a : b lane by lane: one instruction on x86 (whose minps is
 * exactly this), masks elsewhere; bus.h has the max. */
static inline LimV4 lim_min4(LimV4 a, LimV4 b)
{
#ifdef __SSE__
    return (LimV4)_mm_min_ps((__m128)a, (__m128)b);
#else
    LimI4 lower = a < b;
    return (LimV4)(((LimI4)a & lower) | ((LimI4)b & ~lower));
#endif
}

/* The gains a group's frames need, from their true peaks: ceiling / peak
 * over the ceiling, else 1. A division rounds the same in any lane. */
static void group_needs(PeakRun *r, uint32_t from)
{
    const LimV4 ceiling = {r->ceiling, r->ceiling, r->ceiling, r->ceiling};
    const LimV4 one = {1.0f, 1.0f, 1.0f, 1.0f};
    for (uint32_t i = from; i < from + GROUP; i += 4) {
        LimV4 tp;
        memcpy(&tp, r->tp + i, sizeof tp);
        LimI4 over = tp > ceiling;
        LimV4 need = (LimV4)(((LimI4)(ceiling / tp) & over) | ((LimI4)one & ~over));
        memcpy(r->tp + i, &need, sizeof need);
    }
}

/* Block b's figures of the run, four rows at a time (the second
 * difference summed as truepeak_span sums it, whose rounding truepeak.h's
 * bound covers). */
static void block_figure(PeakRun *r, uint32_t b)
{
    _Static_assert(GROUP == 8, "two passes of four rows a block below");
    LimV4 most = {0, 0, 0, 0}, bend = {0, 0, 0, 0};
    for (uint32_t i = b * GROUP; i < (b + 1) * GROUP; i += 4)
        for (int c = 0; c < 2; c++) {
            const float *x = r->side[c];
            LimV4 a0, a1, a2;
            memcpy(&a0, x + i, sizeof a0);
            /* The first two rows have no second difference here. */
            if (i) {
                memcpy(&a1, x + i - 1, sizeof a1);
                memcpy(&a2, x + i - 2, sizeof a2);
            } else {
                a1 = (LimV4){0, a0[0], a0[1], a0[2]};
                a2 = (LimV4){0, 0, a0[0], a0[1]};
            }
            LimV4 d = a0 - (a1 + a1) + a2;
            if (!i)
                d = (LimV4){0, 0, d[2], d[3]};
            const LimI4 mag = {0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF};
            const LimI4 inf = {0x7F800000, 0x7F800000, 0x7F800000, 0x7F800000};
            /* A NaN row counts as infinite: never quiet. */
            LimI4 nan = a0 != a0;
            LimV4 am = (LimV4)(((LimI4)a0 & mag & ~nan) | (inf & nan));
            LimV4 dm = (LimV4)((LimI4)d & mag);
            most = bus_max4(am, most);
            bend = bus_max4(dm, bend);
        }
    float m = 0.0f, e = 0.0f;
    for (int k = 0; k < 4; k++) {
        m = most[k] > m ? most[k] : m;
        e = bend[k] > e ? bend[k] : e;
    }
    r->most[b] = m;
    r->bend[b] = e;
}

#ifdef LIMITER_AVX2
/* The largest of a vector's lanes (none NaN, none under 0): exact in any
 * order. */
__attribute__((target("avx2"))) static inline float lane_most8(__m256 v)
{
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}

/* block_figure for the blocks after the first, a block's eight rows in
 * one vector a side: the same operations on each row, and a largest is
 * the same whichever lane finds it. */
__attribute__((target("avx2"))) static void block_figures_avx2(PeakRun *r)
{
    const __m256 mag = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 inf = _mm256_castsi256_ps(_mm256_set1_epi32(0x7F800000));
    for (uint32_t b = 1; b < BLOCKS; b++) {
        __m256 most = _mm256_setzero_ps(), bend = most;
        for (int c = 0; c < 2; c++) {
            const float *x = r->side[c] + b * GROUP;
            __m256 a0 = _mm256_loadu_ps(x), a1 = _mm256_loadu_ps(x - 1);
            __m256 d = _mm256_add_ps(_mm256_sub_ps(a0, _mm256_add_ps(a1, a1)),
                                     _mm256_loadu_ps(x - 2));
            __m256 nan = _mm256_cmp_ps(a0, a0, _CMP_UNORD_Q);
            __m256 am = _mm256_blendv_ps(_mm256_and_ps(a0, mag), inf, nan);
            most = _mm256_max_ps(am, most);
            bend = _mm256_max_ps(_mm256_and_ps(d, mag), bend);
        }
        /* Folded from 0, as block_figure folds: a NaN lane of bend has
         * already given way to the lane's earlier figure. */
        r->most[b] = lane_most8(most);
        r->bend[b] = lane_most8(bend);
    }
}
#endif

/* The run's figures per block of GROUP rows. */
static void block_figures(PeakRun *r)
{
    block_figure(r, 0);
#ifdef LIMITER_AVX2
    if (!limiter_portable && __builtin_cpu_supports("avx2")) {
        block_figures_avx2(r);
        return;
    }
#endif
    for (uint32_t b = 1; b < BLOCKS; b++)
        block_figure(r, b);
}

/* Whether no true peak of a group's frames can pass the ceiling, by
 * truepeak.h's bound over the rows their taps read: a point between
 * frames reads at most the bound, and a crest over it at most CREST_TOP
 * times that. Each then needs 1, as working it out would say, at a
 * fraction of the cost: most frames of a loud song that the limiter
 * turns down all along are not its peaks. */
static bool group_quiet(const Limiter *l, const PeakRun *r, uint32_t from)
{
    /* The blocks cover the group's rows and a few more, and the second
     * differences of its first two rows reach before them: a bound over
     * more rows is only higher. */
    TruePeakSpan s = {0.0f, 0.0f};
    for (uint32_t b = from / GROUP; b < from / GROUP + GROUP_BLOCKS; b++) {
        s.most = r->most[b] > s.most ? r->most[b] : s.most;
        s.bend = r->bend[b] > s.bend ? r->bend[b] : s.bend;
    }
    return truepeak_bound_of(l->bound, s) * CREST_TOP <= r->ceiling;
}

#ifdef LIMITER_AVX2
/* group_quiet for eight groups at once from group `first` on, bit g for
 * group first + g: the same largest figures (exact in any order), and
 * truepeak_bound_of's products and sum, each rounded on its own. */
__attribute__((target("avx2"))) static uint32_t groups_quiet8_avx2(const Limiter *l,
                                                                  const PeakRun *r,
                                                                  uint32_t first)
{
    const float *most = r->most + first, *bend = r->bend + first;
    __m256 m = _mm256_loadu_ps(most), e = _mm256_loadu_ps(bend);
    for (int b = 1; b < GROUP_BLOCKS; b++) {
        m = _mm256_max_ps(m, _mm256_loadu_ps(most + b));
        e = _mm256_max_ps(e, _mm256_loadu_ps(bend + b));
    }
    __m256 bound = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(l->bound.near), m),
                                 _mm256_mul_ps(_mm256_set1_ps(l->bound.curve), e));
    __m256 top = _mm256_mul_ps(bound, _mm256_set1_ps(CREST_TOP));
    return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(top, _mm256_set1_ps(r->ceiling), _CMP_LE_OQ));
}
#endif

/* Bit g: whether group g of the run's `groups` is quiet (group_quiet). */
static uint32_t groups_quiet(const Limiter *l, const PeakRun *r, uint32_t groups)
{
#ifdef LIMITER_AVX2
    /* Eight groups read the blocks up to GROUP_BLOCKS + 6 after their first. */
    _Static_assert(SPAN / GROUP <= 16 && SPAN / GROUP + GROUP_BLOCKS - 2 < BLOCKS,
                   "two passes of eight groups read within most and bend");
    if (!limiter_portable && __builtin_cpu_supports("avx2")) {
        uint32_t quiet = groups_quiet8_avx2(l, r, 0);
        if (groups > 8)
            quiet |= groups_quiet8_avx2(l, r, 8) << 8;
        return quiet & ((1u << groups) - 1);
    }
#endif
    uint32_t quiet = 0;
    for (uint32_t g = 0; g < groups; g++)
        quiet |= (uint32_t)group_quiet(l, r, g * GROUP) << g;
    return quiet;
}

/* The gains the group of frames first + from on needs, into r->tp;
 * `quiet` as group_quiet finds it. */
static void group_need(const Limiter *l, PeakRun *r, uint32_t from, bool quiet)
{
    if (quiet) {
        for (uint32_t k = from; k < from + GROUP; k++)
            r->tp[k] = 1.0f;
        return;
    }
#ifdef LIMITER_AVX2
    if (!limiter_portable && __builtin_cpu_supports("avx2"))
        group_avx2(l, r, from);
    else
#endif
        group_portable(l, r, from);
    group_needs(r, from);
}

/* The rows for a span of n frames of x, whose first true peak is of the
 * frame H before x's first: the history's last WINDOW - 1 frames, x, and
 * zeros to fill the last group. */
static void run_begin(const Limiter *l, PeakRun *r, const float *x, uint32_t n, float ceiling)
{
    r->ceiling = ceiling;
    uint64_t first = l->frames - (WINDOW - 1);
    for (uint32_t k = 0; k < WINDOW - 1; k++) {
        const float *h = l->history + 2 * (size_t)((first + k) & l->history_mask);
        r->side[0][k] = h[0];
        r->side[1][k] = h[1];
    }
    for (int c = 0; c < 2; c++)
        for (uint32_t f = WINDOW - 1 + n; f < BLOCKS * GROUP; f++)
            r->side[c][f] = 0.0f;
    float *left = r->side[0] + WINDOW - 1, *right = r->side[1] + WINDOW - 1;
    uint32_t f = 0;
#ifdef __SSE__
    /* Four frames a pass, their sides apart. */
    for (; f + 4 <= n; f += 4) {
        __m128 a = _mm_loadu_ps(x + 2 * f), b = _mm_loadu_ps(x + 2 * f + 4);
        _mm_storeu_ps(left + f, _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
        _mm_storeu_ps(right + f, _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
    }
#endif
    for (; f < n; f++) {
        left[f] = x[2 * f];
        right[f] = x[2 * f + 1];
    }
    block_figures(r);
}

/* Whether no point whose taps read only within the frames of `edge`
 * (edge_frames of them, NULL for none) and x (n frames) can come near
 * the ceiling. */
static bool stretch_clear(const Limiter *l, const float *edge, uint32_t edge_frames,
                          const float *x, uint32_t n, float ceiling)
{
    /* A quiet stretch passes on its largest |frame| alone. */
    TruePeakSpan loose = truepeak_span_loose(x, 2 * (size_t)n);
    if (edge)
        loose = truepeak_span_join(truepeak_span_loose(edge, 2 * (size_t)edge_frames), loose);
    if (truepeak_bound_of(l->bound, loose) * CREST_TOP <= ceiling)
        return true;
    TruePeakSpan s = truepeak_span(x, 2 * (size_t)n, 2);
    if (edge)
        s = truepeak_span_join(truepeak_span(edge, 2 * (size_t)edge_frames, 2), s);
    /* A true peak is a frame, a point between, or a crest over a point. */
    return truepeak_bound_of(l->bound, s) * CREST_TOP <= ceiling;
}

/* Whether nothing in x (n frames) or the frames before it that the
 * interpolation reads can come near the ceiling, with no gain to
 * recover: then the output is the delayed input and nothing else.
 * Looked at IDLE_STRETCH frames at a time, each with the frames before
 * it that its points' taps read: one loud moment in a long block then
 * costs its own stretch the exact bound, not the whole block (a render's
 * blocks are tens of thousands of frames). Every point's taps lie within
 * one stretch's frames, so the answer is as safe as the block's. */
enum { IDLE_STRETCH = 1024 };
static bool idle(const Limiter *l, const float *x, uint32_t n, float ceiling)
{
    if (l->smooth_held || l->env != 1.0f || !l->needs_at_one)
        return false;
    /* The frames before x that the taps read, and x's first two, whose
     * second differences reach back into them. */
    enum { BEFORE = 2 * H - 1 };
    float edge[2 * (BEFORE + 2)];
    uint32_t lead = n < 2 ? n : 2;
    for (uint32_t k = 0; k < BEFORE; k++)
        memcpy(edge + 2 * k, l->history + 2 * (size_t)((l->frames - BEFORE + k) & l->history_mask),
               sizeof(float) * 2);
    memcpy(edge + 2 * BEFORE, x, sizeof(float) * 2 * lead);
    uint32_t first = n < IDLE_STRETCH ? n : IDLE_STRETCH;
    if (!stretch_clear(l, edge, BEFORE + lead, x, first, ceiling))
        return false;
    for (uint32_t from = first; from < n; from += IDLE_STRETCH) {
        uint32_t m = n - from < IDLE_STRETCH ? n - from : IDLE_STRETCH;
        if (!stretch_clear(l, NULL, 0, x + 2 * (size_t)(from - BEFORE), m + BEFORE, ceiling))
            return false;
    }
    return true;
}

/* Copies n frames between x and the history ring from frame `from` on,
 * in at most two pieces (where the ring wraps). */
static void ring_copy(const Limiter *l, uint64_t from, float *x, uint32_t n, bool into_ring)
{
    uint32_t size = l->history_mask + 1;
    uint32_t at = (uint32_t)(from & l->history_mask);
    uint32_t first = size - at < n ? size - at : n;
    float *ring = l->history + 2 * (size_t)at;
    if (into_ring) {
        memcpy(ring, x, sizeof(float) * 2 * first);
        memcpy(l->history, x + 2 * (size_t)first, sizeof(float) * 2 * (n - first));
    } else {
        memcpy(x, ring, sizeof(float) * 2 * first);
        memcpy(x + 2 * (size_t)first, l->history, sizeof(float) * 2 * (n - first));
    }
}

/* The output is the input lookahead frames late, and nothing else: frame
 * by frame this is what the steps below do with every gain at 1. The
 * history takes the input first: the ring holds the lookahead and a span
 * besides, so the frames going out are still there. l->frames stays. */
static void delay(Limiter *l, float *x, uint32_t n)
{
    ring_copy(l, l->frames, x, n, true);
    ring_copy(l, l->frames - l->lookahead, x, n, false);
}

/* delay for a block of n >= lookahead frames at once: the frames going
 * out first from the history, then the block moved up by the lookahead,
 * and the history's last frames from its end. The same frames as span
 * by span. */
enum { BLOCK_LOOKAHEAD_MOST = 2 * SPAN }; /* the frames it holds aside */

static void delay_block(Limiter *l, float *x, uint32_t n)
{
    float out[2 * BLOCK_LOOKAHEAD_MOST];
    const uint32_t look = l->lookahead, size = l->history_mask + 1;
    ring_copy(l, l->frames - look, out, look, false);
    uint32_t kept = n < size ? n : size;
    ring_copy(l, l->frames + n - kept, x + 2 * (size_t)(n - kept), kept, true);
    memmove(x + 2 * (size_t)look, x, sizeof(float) * 2 * (n - look));
    memcpy(x, out, sizeof(float) * 2 * look);
    l->frames += n;
}

/* Frame f's gain is sums[f] / attack, rounded to float: the same
 * division, correctly rounded in any lane, four at a time. */
typedef double LimD4 __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) void
apply_gains_in(const Limiter *l, float *x, const double *sums, uint32_t n, float *min_gain,
               uint32_t *reduced)
{
    const double attack = l->attack;
    const LimV4 one = {1.0f, 1.0f, 1.0f, 1.0f};
    LimV4 least4 = {*min_gain, *min_gain, *min_gain, *min_gain};
    LimI4 below4 = {0, 0, 0, 0};
    uint32_t f = 0;
    for (; f + 4 <= n; f += 4) {
        LimD4 s;
        memcpy(&s, sums + f, sizeof s);
        LimV4 g = __builtin_convertvector(s / attack, LimV4), lo, hi;
        memcpy(&lo, x + 2 * f, sizeof lo);
        memcpy(&hi, x + 2 * f + 4, sizeof hi);
        /* Each frame's gain on its left and right. */
        lo *= (LimV4){g[0], g[0], g[1], g[1]};
        hi *= (LimV4){g[2], g[2], g[3], g[3]};
        memcpy(x + 2 * f, &lo, sizeof lo);
        memcpy(x + 2 * f + 4, &hi, sizeof hi);
        below4 -= g < one;
        least4 = lim_min4(g, least4);
    }
    uint32_t below = (uint32_t)(below4[0] + below4[1] + below4[2] + below4[3]);
    float least = least4[0];
    for (int k = 1; k < 4; k++)
        least = least4[k] < least ? least4[k] : least;
    for (; f < n; f++) {
        float g = (float)(sums[f] / attack);
        x[2 * f] *= g;
        x[2 * f + 1] *= g;
        below += g < 1.0f;
        least = g < least ? g : least;
    }
    *reduced += below;
    *min_gain = least;
}

#ifdef LIMITER_AVX2
__attribute__((target("avx2"))) static void apply_gains_avx2(const Limiter *l, float *x,
                                                             const double *sums, uint32_t n,
                                                             float *min_gain, uint32_t *reduced)
{
    apply_gains_in(l, x, sums, n, min_gain, reduced);
}
#endif

static void apply_gains(const Limiter *l, float *x, const double *sums, uint32_t n,
                        float *min_gain, uint32_t *reduced)
{
#ifdef LIMITER_AVX2
    if (!limiter_portable && __builtin_cpu_supports("avx2")) {
        apply_gains_avx2(l, x, sums, n, min_gain, reduced);
        return;
    }
#endif
    apply_gains_in(l, x, sums, n, min_gain, reduced);
}

/* out[i] = the lesser of b[i] and a[i] (b's where they are equal or a NaN
 * is among them: minps's rule), i < count; four at a time. Eight at a
 * time (AVX2) took a third longer here, fewer instructions or not (a
 * pass's loads straddle the stores of the pass before, which may be why). */
static void least_of_pairs(float *out, const float *a, const float *b, uint32_t count)
{
    uint32_t i = 0;
    for (; i + 4 <= count; i += 4) {
        LimV4 x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        x = lim_min4(y, x);
        memcpy(out + i, &x, sizeof x);
    }
    for (; i < count; i++)
        out[i] = b[i] < a[i] ? b[i] : a[i];
}

/* Whether x[0 .. n) are all 1, four at a time. */
static bool all_one(const float *x, uint32_t n)
{
    const LimV4 one = {1.0f, 1.0f, 1.0f, 1.0f};
    LimI4 differ = {0, 0, 0, 0};
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        LimV4 v;
        memcpy(&v, x + i, sizeof v);
        differ |= v != one;
    }
    bool same = !(differ[0] | differ[1] | differ[2] | differ[3]);
    for (; i < n; i++)
        same &= x[i] == 1.0f;
    return same;
}

/* least[f] = the least of a[f .. f + w - 1], for f < len - w + 1, a and
 * tmp len values each (a's are spent): by doubling, the least over 2, 4,
 * 8... values, then two overlapping runs of the largest power of two
 * within w. Each pass reads one buffer and writes the other: a load
 * never waits on a store it overlaps. Exact: a least is one of the
 * values. */
static const float *window_least(float *a, float *tmp, uint32_t len, uint32_t w)
{
    uint32_t p = 1;
    for (; 2 * p <= w; p *= 2) {
        /* a[i] is the least of the input's [i, i + p) for i <= len - p. */
        least_of_pairs(tmp, a, a + p, len - 2 * p + 1);
        float *t = a;
        a = tmp;
        tmp = t;
    }
    least_of_pairs(tmp, a, a + w - p, len - w + 1);
    return tmp;
}

/* The gain after env, released by a frame, held to the least need. Near
 * 1 the release's step is under half a float step, and env rounds back
 * to itself (at 48 kHz 0.99991, -0.0008 dB): the release is over, the
 * gain back at 1 unless the need is less. Left there, every frame after
 * the first limited one stayed turned down, counted, and never passed
 * untouched. Every frame's steps wait on the last's: the rare case is a
 * branch, which the CPU runs past, where a select would wait on the
 * comparison. `next` is 1 - (1 - env) * release. */
static inline float envelope_step(float env, float next, float least)
{
    if (__builtin_expect(next == env, 0))
        return least; /* least < 1 ? least : 1 */
    return least < next ? least : next;
}

/* The envelope through a span's n frames, each frame's least need in
 * least[f]: the sum of the average's gains per frame into sums. The
 * average is over a ring of the last `attack` gains; smooth_held counts
 * the frames until none of them is under 1 (then the sum is attack
 * exactly: no drift left behind). `release_of` works out 1 - (1 - env) *
 * release, rounded as written. */
static inline __attribute__((always_inline)) void
envelope_in(Limiter *l, const float *least, double *sums, uint32_t n,
            float (*release_of)(float env, float release))
{
    /* The state in locals, so that the stores into the ring below do not
     * make every frame load it again. */
    const float release = l->release;
    const uint32_t attack = l->attack;
    uint32_t held = l->smooth_held;
    float env = l->env;
    double smooth_sum = l->smooth_sum;
    /* The slot of the ring for frame f, counted along a stretch up to
     * where the ring wraps, rather than divided out at every frame. */
    uint32_t slot = (uint32_t)(l->frames % attack);
    for (uint32_t f = 0; f < n;) {
        uint32_t stretch = attack - slot < n - f ? attack - slot : n - f;
        float *ring = l->smooth + slot;
        for (uint32_t k = 0; k < stretch; k++, f++) {
            if (!held && env == 1.0f && least[f] == 1.0f) {
                /* At rest between peaks: the steps below would keep it
                 * so (every gain of the average is 1 already). */
                sums[f] = attack;
                continue;
            }
            env = envelope_step(env, release_of(env, release), least[f]);
            float old = ring[k];
            ring[k] = env;
            smooth_sum += (double)env - (double)old;
            held = env < 1.0f ? attack : held ? held - 1 : 0;
            if (!held)
                smooth_sum = attack;
            /* With none under 1 the sum is attack: the gain 1 exactly. */
            sums[f] = smooth_sum;
        }
        slot = slot + stretch == attack ? 0 : slot + stretch;
    }
    l->smooth_held = held;
    l->env = env;
    l->smooth_sum = smooth_sum;
}

/* Apart from the subtraction that uses it, the product is rounded on
 * its own whatever the compiler's contraction rule (C allows fusing only
 * within one expression). */
static inline __attribute__((always_inline)) float release_plain(float env, float release)
{
    float cut = (1.0f - env) * release;
    return 1.0f - cut;
}

static void envelope_plain(Limiter *l, const float *least, double *sums, uint32_t n)
{
    envelope_in(l, least, sums, n, release_plain);
}

#ifdef LIMITER_AVX2
/* release_plain with a fused multiply-add where that rounds the same:
 * from 0.5 up 1 - env is exact (Sterbenz), so (1 - env) * release and
 * release - env * release are one number, rounded once either way, and
 * the step waits on two operations, not three. Below 0.5 the plain
 * steps. */
__attribute__((target("avx2,fma"))) static inline float release_fused(float env, float release)
{
    float cut = env >= 0.5f ? fmaf(-env, release, release) : (1.0f - env) * release;
    return 1.0f - cut;
}

__attribute__((target("avx2,fma"))) static void envelope_fused(Limiter *l, const float *least,
                                                              double *sums, uint32_t n)
{
    envelope_in(l, least, sums, n, release_fused);
}
#endif

static void process_span(Limiter *l, float *x, uint32_t n, float ceiling, float *min_gain,
                         uint32_t *reduced)
{
    if (idle(l, x, n, ceiling)) {
        /* Every need stays 1. */
        delay(l, x, n);
        l->frames += n;
        return;
    }
    /* The rows the true peaks read: the frames before the span, then its
     * input, set aside before x turns into the output. */
    PeakRun run;
    run_begin(l, &run, x, n, ceiling);
    delay(l, x, n);
    /* The gain each frame needs, from its true peak; the bound settles
     * most without working the peak out. Found again from the rows each
     * span, as the ceiling may have moved: the same in any block size. */
    uint32_t quiet = groups_quiet(l, &run, (n + GROUP - 1) / GROUP);
    for (uint32_t from = 0; from < n; from += GROUP)
        group_need(l, &run, from, quiet >> (from / GROUP) & 1);
    /* Each frame's least need, over it and the attack - 1 frames before
     * (the frames still ahead of the output). */
    const uint32_t attack = l->attack, behind = attack - 1;
    float *all = l->scratch;
    /* Where every need is 1, every least is: most spans of a song the
     * limiter turns down all along are between its peaks. */
    bool ones = l->needs_at_one && all_one(run.tp, n);
    memcpy(all, l->needs, sizeof(float) * behind);
    memcpy(all + behind, run.tp, sizeof(float) * n);
    memcpy(l->needs, all + n, sizeof(float) * behind);
    l->needs_at_one = all_one(l->needs, behind);
    static const float at_one[SPAN] = {[0 ... SPAN - 1] = 1.0f};
    const float *least = ones ? at_one
                              : window_least(all, all + behind + SPAN, behind + n, attack);
    /* Each frame's gain is its sum of the average over attack; the
     * divisions are done together after the frames, several at a time. */
    double sums[SPAN];
#ifdef LIMITER_AVX2
    if (!limiter_portable && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        envelope_fused(l, least, sums, n);
    else
#endif
        envelope_plain(l, least, sums, n);
    l->frames += n;
    apply_gains(l, x, sums, n, min_gain, reduced);
}

void limiter_process(Limiter *l, float *x, uint32_t n, float ceiling, float *min_gain,
                     uint32_t *reduced)
{
    *min_gain = 1.0f;
    *reduced = 0;
    ceiling *= (float)MARGIN_GAIN;
    /* A block whose frames all stay clear of the ceiling, at rest: every
     * span of it would only delay (the bound over a span is at most the
     * bound over the block), so the block is delayed in one go. */
    if (n >= 2 * SPAN && l->lookahead <= BLOCK_LOOKAHEAD_MOST && idle(l, x, n, ceiling)) {
        delay_block(l, x, n);
        return;
    }
    /* In spans, so a loud moment costs its own span and not the whole
     * block; the output is the same in any block size. */
    for (uint32_t done = 0; done < n;) {
        uint32_t k = n - done < SPAN ? n - done : SPAN;
        process_span(l, x + 2 * (size_t)done, k, ceiling, min_gain, reduced);
        done += k;
    }
}
