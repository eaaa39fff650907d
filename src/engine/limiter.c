/* limiter: see limiter.h. */
#include "limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The interpolation filter is the true-peak meter's (truepeak.h). A
 * point between frames is a weighted sum of them: at most the sum of its
 * |taps| times the largest |frame| it weighs, and a crest over three such
 * points at most CREST_LIFT times that. The last factor covers float
 * rounding, so no window this bound passes reads over the ceiling:
 * skipping its interpolation changes nothing. */
static void make_taps(Limiter *l)
{
    l->peak_bound = (float)(truepeak_make_taps(l->taps) * CREST_LIFT * 1.001);
    l->bound = truepeak_bound(l->taps);
}

HissError limiter_init(Limiter *l, uint32_t rate)
{
    memset(l, 0, sizeof *l);
    uint32_t look = (uint32_t)lround(LIMITER_LOOKAHEAD_MS / 1000.0 * rate);
    l->lookahead = look < 2 * H + 8 ? 2 * H + 8 : look;
    l->attack = l->lookahead - H + 1;
    uint32_t history = pow2_above(l->lookahead + 2 * H);
    l->history_mask = history - 1;
    l->need_mask = pow2_above(l->attack + 2) - 1;
    l->history = calloc(2 * (size_t)history, sizeof(float));
    l->need = calloc((size_t)l->need_mask + 1, sizeof(float));
    l->need_at = calloc((size_t)l->need_mask + 1, sizeof(uint64_t));
    l->smooth = calloc(l->attack, sizeof(float));
    if (!l->history || !l->need || !l->need_at || !l->smooth) {
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
    free(l->need);
    free(l->need_at);
    free(l->smooth);
    l->history = l->need = l->smooth = NULL;
    l->need_at = NULL;
}

void limiter_reset(Limiter *l)
{
    memset(l->history, 0, sizeof(float) * 2 * ((size_t)l->history_mask + 1));
    memset(l->window, 0, sizeof l->window);
    for (uint32_t i = 0; i < l->attack; i++)
        l->smooth[i] = 1.0f;
    l->smooth_sum = l->attack;
    l->smooth_below = 0;
    l->env = 1.0f;
    /* Counting from the lookahead keeps every frame index it looks back
     * to (j - lookahead and the taps before it) at or above 0. */
    l->frames = l->lookahead;
    l->need_head = l->need_tail = 0;
}

void limiter_carry(Limiter *to, const Limiter *from)
{
    memcpy(to->history, from->history, sizeof(float) * 2 * ((size_t)from->history_mask + 1));
    memcpy(to->window, from->window, sizeof to->window);
    memcpy(to->need, from->need, sizeof(float) * ((size_t)from->need_mask + 1));
    memcpy(to->need_at, from->need_at, sizeof(uint64_t) * ((size_t)from->need_mask + 1));
    memcpy(to->smooth, from->smooth, sizeof(float) * from->attack);
    to->need_head = from->need_head;
    to->need_tail = from->need_tail;
    to->smooth_sum = from->smooth_sum;
    to->smooth_below = from->smooth_below;
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

/* Frame `frame` into the window, at both of its places. */
static inline void window_put(Limiter *l, uint64_t frame, float left, float right)
{
    uint32_t at = (uint32_t)(frame & (WINDOW - 1));
    l->window[0][at] = l->window[0][at + WINDOW] = left;
    l->window[1][at] = l->window[1][at + WINDOW] = right;
}

/* The true peaks of a run of frames, worked out eight frames at a time
 * wherever a frame needs one. The frames the taps read lie in a row per
 * side: side[c][i] is frame first - (H - 1) + i, so frame first + i's
 * taps read side[c][i .. i + WINDOW - 1], its own frame side[c][i + H - 1]
 * and the next side[c][i + H]. Each point is summed tap by tap in order,
 * in every lane and in the portable loop alike (no fused multiply-add),
 * so a frame's true peak is the same whatever run or block it falls in. */
enum { GROUP = 8, RUN_MAX = SPAN + GROUP };

typedef struct {
    float side[2][WINDOW - 1 + RUN_MAX];
    float tp[RUN_MAX];
    uint32_t groups_done; /* groups of GROUP frames worked out so far */
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

/* Frame first + i's true peak, working out its group if not yet done. */
static float run_peak(const Limiter *l, PeakRun *r, uint32_t i)
{
    while (r->groups_done * GROUP <= i) {
        uint32_t from = r->groups_done++ * GROUP;
#ifdef LIMITER_AVX2
        if (!limiter_portable && __builtin_cpu_supports("avx2")) {
            group_avx2(l, r, from);
            continue;
        }
#endif
        group_portable(l, r, from);
    }
    return r->tp[i];
}

/* The rows for a span of n frames of x, whose first true peak is of the
 * frame H before x's first: the window's last WINDOW - 1 frames, x, and
 * zeros to fill the last group. */
static void run_begin(const Limiter *l, PeakRun *r, const float *x, uint32_t n)
{
    uint64_t first = l->frames - (WINDOW - 1);
    for (int c = 0; c < 2; c++) {
        for (uint32_t k = 0; k < WINDOW - 1; k++)
            r->side[c][k] = l->window[c][(first + k) & (WINDOW - 1)];
        for (uint32_t f = 0; f < n; f++)
            r->side[c][WINDOW - 1 + f] = x[2 * f + c];
        for (uint32_t f = n; f < RUN_MAX; f++)
            r->side[c][WINDOW - 1 + f] = 0.0f;
    }
    r->groups_done = 0;
}

/* Into the deque of needs: the gain frame j needs, and the least gain of
 * the frames still ahead of the output (j - lookahead + H .. j). */
static float least_need(Limiter *l, uint64_t j, float need)
{
    while (l->need_tail != l->need_head &&
           l->need[(l->need_tail - 1) & l->need_mask] >= need)
        l->need_tail--;
    l->need[l->need_tail & l->need_mask] = need;
    l->need_at[l->need_tail & l->need_mask] = j;
    l->need_tail++;
    uint64_t oldest = j + 1 >= l->attack ? j + 1 - l->attack : 0;
    while (l->need_at[l->need_head & l->need_mask] < oldest)
        l->need_head++;
    return l->need[l->need_head & l->need_mask];
}

/* Whether nothing in x (n frames) or the frames before it that the
 * interpolation reads can come near the ceiling, with no gain to
 * recover: then the output is the delayed input and nothing else. */
static bool idle(const Limiter *l, const float *x, uint32_t n, float ceiling)
{
    if (l->smooth_below || l->env != 1.0f ||
        l->need[(l->need_tail - 1) & l->need_mask] != 1.0f ||
        l->need[l->need_head & l->need_mask] != 1.0f)
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
    /* A quiet stretch passes on its largest |frame| alone. */
    TruePeakSpan loose = truepeak_span_join(truepeak_span_loose(edge, 2 * (BEFORE + lead)),
                                            truepeak_span_loose(x, 2 * (size_t)n));
    if (truepeak_bound_of(l->bound, loose) * CREST_TOP <= ceiling)
        return true;
    TruePeakSpan s = truepeak_span_join(truepeak_span(edge, 2 * (BEFORE + lead), 2),
                                        truepeak_span(x, 2 * (size_t)n, 2));
    /* A true peak is a frame, a point between, or a crest over a point. */
    return truepeak_bound_of(l->bound, s) * CREST_TOP <= ceiling;
}

/* Whether a frame is loud enough that a true peak reading it may pass
 * the ceiling; the true peak of every frame with none such within its
 * taps is under the ceiling, and its need 1 without interpolating. */
static inline bool hot(const Limiter *l, const float *frame, float ceiling)
{
    return peak_max(fabsf(frame[0]), fabsf(frame[1])) * l->peak_bound > ceiling;
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
 * by frame this is what the steps below do with every gain at 1. */
static void delay_only(Limiter *l, float *x, uint32_t n)
{
    float in[2 * SPAN];
    memcpy(in, x, sizeof(float) * 2 * n);
    uint32_t look = l->lookahead;
    uint32_t old = n < look ? n : look; /* frames out from before this span */
    ring_copy(l, l->frames - look, x, old, false);
    memcpy(x + 2 * (size_t)old, in, sizeof(float) * 2 * (n - old));
    ring_copy(l, l->frames, in, n, true);
    /* The window needs only the last frames; those before are in it. */
    for (uint32_t f = n > WINDOW ? n - WINDOW : 0; f < n; f++)
        window_put(l, l->frames + f, in[2 * f], in[2 * f + 1]);
    l->frames += n;
}

static void process_span(Limiter *l, float *x, uint32_t n, float ceiling, float *min_gain,
                         uint32_t *reduced)
{
    uint32_t m = l->history_mask;
    if (l->need_tail != l->need_head && idle(l, x, n, ceiling)) {
        delay_only(l, x, n);
        /* Every need ahead is 1: one entry says so. */
        uint64_t j = l->frames - 1 - H;
        l->need_head = 0;
        l->need_tail = 1;
        l->need[0] = 1.0f;
        l->need_at[0] = j;
        return;
    }
    /* The last hot frame the true peaks of this block read (0: none;
     * frames start past the taps). Found again from the history each
     * block, as the ceiling may have moved: bounded, and the same in any
     * block size. */
    uint64_t last_hot = 0;
    for (uint32_t k = 2 * H - 1; k >= 1; k--)
        if (hot(l, l->history + 2 * (size_t)((l->frames - k) & m), ceiling))
            last_hot = l->frames - k;
    /* The slot of the average's ring for this frame, counted along
     * rather than divided out at every frame. */
    uint32_t slot = (uint32_t)(l->frames % l->attack);
    /* x turns into the output frame by frame: its input is set aside
     * first, for the true peaks. */
    PeakRun run;
    run_begin(l, &run, x, n);
    for (uint32_t f = 0; f < n; f++, l->frames++, slot = slot + 1 == l->attack ? 0 : slot + 1) {
        float *h = l->history + 2 * (size_t)(l->frames & m);
        float in0 = x[2 * f], in1 = x[2 * f + 1];
        /* The frame leaving is read before the one arriving can overwrite
         * it (the history is longer than the lookahead, but be plain). */
        const float *late = l->history + 2 * (size_t)((l->frames - l->lookahead) & m);
        float out0 = late[0], out1 = late[1];
        h[0] = in0;
        h[1] = in1;
        window_put(l, l->frames, in0, in1);
        if (hot(l, h, ceiling))
            last_hot = l->frames;
        uint64_t j = l->frames - H;
        /* Most frames of most songs: nothing within the taps is hot, so
         * the interpolation, most of the cost, would only say need 1. */
        bool cool = last_hot + (H - 1) < j;
        if (cool && l->env == 1.0f && !l->smooth_below &&
            (l->need_tail == l->need_head || l->need[l->need_head & l->need_mask] == 1.0f)) {
            /* And no gain to recover: what the steps below would do. Every
             * need ahead is 1, and this one takes their place. */
            l->need_tail = l->need_head + 1;
            l->need[l->need_head & l->need_mask] = 1.0f;
            l->need_at[l->need_head & l->need_mask] = j;
            x[2 * f] = out0;
            x[2 * f + 1] = out1;
            continue;
        }
        float tp = cool ? 0.0f : run_peak(l, &run, f);
        float need = tp > ceiling ? ceiling / tp : 1.0f;
        float least = least_need(l, j, need);
        float env = 1.0f - (1.0f - l->env) * l->release;
        /* Near 1 the release's step is under half a float step, and env
         * rounds back to itself (at 48 kHz 0.99991, -0.0008 dB): the
         * release is over. Left there, every frame after the first limited
         * one stayed turned down, counted, and never passed untouched. */
        if (env == l->env)
            env = 1.0f;
        l->env = env = least < env ? least : env;
        float old = l->smooth[slot];
        l->smooth_below += (env < 1.0f) - (old < 1.0f);
        l->smooth[slot] = env;
        l->smooth_sum += (double)env - (double)old;
        if (!l->smooth_below)
            l->smooth_sum = l->attack; /* no drift left behind */
        float g = l->smooth_below ? (float)(l->smooth_sum / l->attack) : 1.0f;
        x[2 * f] = out0 * g;
        x[2 * f + 1] = out1 * g;
        if (g < 1.0f) {
            (*reduced)++;
            *min_gain = g < *min_gain ? g : *min_gain;
        }
    }
}

void limiter_process(Limiter *l, float *x, uint32_t n, float ceiling, float *min_gain,
                     uint32_t *reduced)
{
    *min_gain = 1.0f;
    *reduced = 0;
    ceiling *= (float)MARGIN_GAIN;
    /* In spans, so a loud moment costs its own span and not the whole
     * block; the output is the same in any block size. */
    /* A span is never longer than the history ring (at least 128 frames
     * at any rate), which delay_only copies it through. */
    uint32_t span = SPAN < l->history_mask + 1 ? SPAN : l->history_mask + 1;
    for (uint32_t done = 0; done < n;) {
        uint32_t k = n - done < span ? n - done : span;
        process_span(l, x + 2 * (size_t)done, k, ceiling, min_gain, reduced);
        done += k;
    }
}
