#include "mixer.h"

#include <math.h>
#include <string.h>

#include "sinc.h"

#define FP_ONE ((uint64_t)1 << 32)
#define FP(frames) ((uint64_t)(frames) << 32)

/* How the frames around a position are read: the table-driven inner loops
 * (one per mode), the stretched sinc, which may read an octave level, and
 * the fine kernel over a fine level (sinc.h). */
typedef enum { READ_RAW, READ_LINEAR, READ_CUBIC, READ_SINC, READ_WIDE, READ_FINE } ReadMode;

/* What one stretch of rendering reads: frames p - before .. p + after of
 * `level` (0 = the sample itself, k its levels[k - 1]), and for READ_WIDE
 * its stretch. */
typedef struct {
    ReadMode mode;
    int level;
    uint32_t before, after;
    SincStretch stretch; /* READ_WIDE only */
} Reader;

/* The widest window a gathered frame needs, both sides and the centre,
 * with room for what the wide sinc reads beyond it. */
enum { GATHER_MAX = 2 * SINC_MAX_STRETCH * SINC_HALF + 1 + 2 * SINC_OVERREACH };

static bool mix_portable;

void mixer_use_portable(bool portable)
{
    mix_portable = portable;
}

void mixer_voice_init(MixerVoice *v)
{
    memset(v, 0, sizeof *v);
    v->channel = -1;
}

uint64_t mixer_step_from_ratio(double ratio)
{
    if (!(ratio >= 1.0 / 256.0))
        ratio = 1.0 / 256.0;
    if (ratio > 256.0)
        ratio = 256.0;
    return (uint64_t)llround(ratio * 4294967296.0);
}

void mixer_loop_points(const Instrument *inst, LoopMode *mode, uint32_t *start,
                       uint32_t *end)
{
    const Sample *s = inst->sample;
    uint32_t frames = s ? s->frames : 0;
    LoopMode m = inst->loop;
    *start = 0;
    *end = frames;
    if (!s || (m != LOOP_FORWARD && m != LOOP_PINGPONG)) {
        *mode = LOOP_OFF;
        return;
    }
    /* An end of 0 means "to the end of the sample"; anything past the end
     * is clamped; an empty loop is no loop. */
    uint32_t ls = inst->loop_start;
    uint32_t le = inst->loop_end ? inst->loop_end : frames;
    if (le > frames)
        le = frames;
    if (ls >= le) {
        *mode = LOOP_OFF;
        return;
    }
    if (m == LOOP_PINGPONG && (le - ls < 2 || !s->reversed))
        m = LOOP_FORWARD;
    *mode = m;
    *start = ls;
    *end = le;
}

void mixer_played_loop(const Instrument *inst, bool *reverse, LoopMode *mode,
                       uint32_t *start, uint32_t *end)
{
    mixer_loop_points(inst, mode, start, end);
    *reverse = inst->shape[SHAPE_REVERSE] == 1;
    if (*reverse && *mode != LOOP_OFF) {
        uint32_t frames = inst->sample->frames, was_start = *start;
        *start = frames - *end;
        *end = frames - was_start;
    }
}

/* Brings a looping voice's position back inside the loop after it passed
 * a boundary (a no-op for other voices). */
static void voice_fold(MixerVoice *v)
{
    switch (v->loop) {
    case LOOP_FORWARD: {
        uint64_t end = FP(v->loop_end);
        if (v->pos >= end) {
            uint64_t start = FP(v->loop_start);
            v->pos = start + (v->pos - start) % (end - start);
            v->wrapped = true;
        }
        return;
    }
    case LOOP_PINGPONG: {
        /* u: distance travelled since the loop start along the unfolded
         * path; one leg is `half` long, a round trip 2*half. */
        uint64_t half = FP(v->loop_end - 1 - v->loop_start);
        uint64_t u;
        if (!v->backward) {
            if (v->pos < FP(v->loop_end - 1))
                return;
            u = v->pos - FP(v->loop_start);
        } else {
            if (v->pos < FP(v->frames - 1 - v->loop_start))
                return;
            u = half + (v->pos - FP(v->frames - v->loop_end));
        }
        u %= 2 * half;
        v->wrapped = true;
        if (u < half) {
            v->backward = false;
            v->pos = FP(v->loop_start) + u;
        } else {
            v->backward = true;
            v->pos = FP(v->frames - v->loop_end) + (u - half);
        }
        return;
    }
    default:
        return;
    }
}

/* The levels a voice reads (octave or `fine` ones): the sample's own when
 * it plays it forwards once, else the levels unrolled for its loop (if
 * built). */
static const SampleLevel *voice_levels(const MixerVoice *v, int *count, bool *fine)
{
    if (v->loop == LOOP_OFF && !v->reverse && v->sample) {
        *count = v->sample->level_count;
        *fine = v->sample->fine;
        return v->sample->levels;
    }
    *count = v->unrolled ? v->unrolled->level_count : 0;
    *fine = v->unrolled && v->unrolled->fine;
    return v->unrolled ? v->unrolled->levels : NULL;
}

/* The fine level (1 + its index) a voice at `step` reads: the first that
 * brings the step to SINC_FINE_MAX_STEP of its frames or below, or the
 * last of all (level 15, steps above 8.8 alias); 0 when the built levels
 * stop short of it (the stretched kernel over the sample then). */
static int fine_level(const SampleLevel *levels, int count, uint64_t step)
{
    for (int j = 0; j < count; j++)
        if (sinc_level_pos(step, levels[j].ratio) <= SINC_FINE_MAX_STEP ||
            j + 1 == SINC_FINE_LEVELS)
            return j + 1;
    return 0;
}

/* The frames each mode reads and, for sinc above the sample's rate, the
 * octave level and the stretch left over. Written in place: built in a
 * local and returned, the struct was stored in small pieces and copied
 * with wide loads, which wait for the pieces to reach the cache (a stall
 * at every voice and chunk). */
static void voice_reader(const MixerVoice *v, Reader *r)
{
    *r = (Reader){.mode = READ_LINEAR, .after = 1};
    switch (v->interp) {
    case INTERP_RAW:
        *r = (Reader){.mode = READ_RAW};
        break;
    case INTERP_CUBIC:
        *r = (Reader){.mode = READ_CUBIC, .before = 1, .after = 2};
        break;
    case INTERP_SINC: {
        int levels;
        bool fine;
        const SampleLevel *level = voice_levels(v, &levels, &fine);
        if (fine) {
            r->level = fine_level(level, levels, v->step);
            if (r->level) {
                r->mode = READ_FINE;
                r->before = SINC_FINE_HALF - 1;
                r->after = SINC_FINE_HALF;
                break;
            }
            levels = 0; /* the sample's own frames, octave levels' way */
        }
        if (v->step <= FP_ONE) {
            *r = (Reader){.mode = READ_SINC, .before = SINC_HALF - 1, .after = SINC_HALF};
            break;
        }
        r->mode = READ_WIDE;
        while (r->level < levels && (v->step >> r->level) >= 2 * FP_ONE)
            r->level++;
        uint64_t stretch = v->step >> (16 + r->level);
        r->stretch = sinc_stretch(stretch > (uint64_t)SINC_MAX_STRETCH << 16
                                     ? (uint32_t)SINC_MAX_STRETCH << 16
                                     : (uint32_t)stretch);
        r->after = r->stretch.reach;
        r->before = r->after - 1;
        break;
    }
    default:
        break;
    }
}

static bool voice_begin(MixerVoice *v, const Instrument *inst, uint32_t offset,
                        uint64_t step, float gl, float gr, float gm, uint32_t ramp,
                        bool once)
{
    v->active = false;
    const Sample *s = inst ? inst->sample : NULL;
    if (!s || inst->missing || !s->frames || !s->data || s->channels < 1 ||
        s->channels > 2)
        return false;
    v->inst = inst;
    v->sample = s;
    mixer_played_loop(inst, &v->reverse, &v->loop, &v->loop_start, &v->loop_end);
    v->data = v->reverse ? s->reversed : s->data;
    v->rev = v->reverse ? s->data : s->reversed;
    v->frames = s->frames;
    v->chans = s->channels;
    if (once)
        v->loop = LOOP_OFF;
    v->unrolled = sample_loop_levels(s, v->reverse, (SampleLoop)v->loop, v->loop_start,
                                     v->loop_end);
    v->end_pos = 0;
    v->end_fade = 0;
    v->backward = false;
    v->wrapped = false;
    v->pos = FP(offset);
    if (v->loop == LOOP_OFF && offset >= s->frames)
        return false;
    voice_fold(v);
    v->interp = (unsigned)inst->interp < INTERP_COUNT ? inst->interp
                                                      : INTERP_LINEAR;
    /* Tables not built (see engine_prepare_instrument): never read them. */
    if (v->interp == INTERP_SINC && !sinc_ready())
        v->interp = INTERP_CUBIC;
    v->step = step ? step : FP_ONE;
    v->gl = v->gr = v->gm = 0.0f;
    v->ramp_left = 0;
    v->tl = v->tr = v->tm = 0.0f;
    v->releasing = false;
    v->active = true;
    mixer_voice_set_gains(v, gl, gr, gm, ramp);
    return true;
}

bool mixer_voice_start(MixerVoice *v, const Instrument *inst, uint32_t offset,
                       uint64_t step, float gl, float gr, float gm,
                       uint32_t ramp)
{
    return voice_begin(v, inst, offset, step, gl, gr, gm, ramp, false);
}

bool mixer_voice_start_slice(MixerVoice *v, const Instrument *inst, uint32_t start,
                             uint32_t end, uint64_t step, float gl, float gr,
                             float gm, uint32_t fade)
{
    if (end <= start || !voice_begin(v, inst, start, step, gl, gr, gm, fade, true))
        return false;
    v->end_pos = FP(end < v->frames ? end : v->frames);
    v->end_fade = fade ? fade : 1;
    return true;
}

/* The ramp's remaining length changes with the output rate; its end
 * values stay. */
static void rescale_ramp(MixerVoice *v, double rate_scale)
{
    if (!v->ramp_left || rate_scale == 1.0)
        return;
    double left = llround((double)v->ramp_left * rate_scale);
    v->ramp_left = left >= 1.0 ? (uint32_t)left : 1u;
    v->dl = (v->tl - v->gl) / (float)v->ramp_left;
    v->dr = (v->tr - v->gr) / (float)v->ramp_left;
    v->dm = (v->tm - v->gm) / (float)v->ramp_left;
}

void mixer_voice_carry(MixerVoice *to, const MixerVoice *from, double rate_scale)
{
    *to = *from;
    if (!to->active)
        return;
    if (rate_scale != 1.0)
        to->step = mixer_step_from_ratio((double)from->step / 4294967296.0 / rate_scale);
    rescale_ramp(to, rate_scale);
}

void mixer_voice_set_step(MixerVoice *v, uint64_t step)
{
    if (step)
        v->step = step;
}

void mixer_voice_set_gains(MixerVoice *v, float gl, float gr, float gm,
                           uint32_t ramp)
{
    if (v->releasing)
        return;
    if (gl == v->tl && gr == v->tr && gm == v->tm)
        return;
    v->tl = gl;
    v->tr = gr;
    v->tm = gm;
    if (!ramp) {
        v->gl = gl;
        v->gr = gr;
        v->gm = gm;
        v->ramp_left = 0;
        return;
    }
    v->ramp_left = ramp;
    v->dl = (gl - v->gl) / (float)ramp;
    v->dr = (gr - v->gr) / (float)ramp;
    v->dm = (gm - v->gm) / (float)ramp;
}

void mixer_voice_release(MixerVoice *v, uint32_t ramp)
{
    if (!v->active || v->releasing)
        return;
    mixer_voice_set_gains(v, 0.0f, 0.0f, 0.0f, ramp ? ramp : 1);
    if (v->ramp_left == 0) { /* already silent */
        v->active = false;
        return;
    }
    v->releasing = true;
}

void mixer_voice_kill(MixerVoice *v)
{
    v->active = false;
    v->releasing = false;
    v->ramp_left = 0;
}

static inline float fraction(uint64_t acc)
{
    return (float)(int32_t)((uint32_t)acc >> 1) * (1.0f / 2147483648.0f);
}

/* Catmull-Rom: the cubic through p[0] and p[1] with the slopes their
 * neighbours give. */
static inline float hermite(float xm1, float x0, float x1, float x2, float f)
{
    float c1 = 0.5f * (x1 - xm1);
    float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
    float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
    return ((c3 * f + c2) * f + c1) * f + x0;
}

typedef float MixV4 __attribute__((vector_size(16)));
typedef float MixV2 __attribute__((vector_size(8)));
typedef int32_t MixI4 __attribute__((vector_size(16)));
typedef uint32_t MixU4 __attribute__((vector_size(16)));

/* Catmull-Rom in four lanes: hermite's operations, lane by lane. */
static inline MixV4 hermite4(MixV4 xm1, MixV4 x0, MixV4 x1, MixV4 x2, MixV4 f)
{
    MixV4 c1 = 0.5f * (x1 - xm1);
    MixV4 c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
    MixV4 c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
    return ((c3 * f + c2) * f + c1) * f + x0;
}

/* Four values read as `mode` reads them: lane k's own frame is at q[k],
 * and its neighbours `stride` floats apart (1 mono, 2 stereo). */
static inline __attribute__((always_inline)) MixV4
read4(const float *q0, const float *q1, const float *q2, const float *q3, const int stride,
      MixV4 f, const ReadMode mode)
{
    MixV4 x0 = {q0[0], q1[0], q2[0], q3[0]};
    if (mode == READ_RAW)
        return x0;
    MixV4 x1 = {q0[stride], q1[stride], q2[stride], q3[stride]};
    if (mode == READ_LINEAR)
        return x0 + (x1 - x0) * f;
    MixV4 xm1 = {q0[-stride], q1[-stride], q2[-stride], q3[-stride]};
    MixV4 x2 = {q0[2 * stride], q1[2 * stride], q2[2 * stride], q3[2 * stride]};
    return hermite4(xm1, x0, x1, x2, f);
}

static inline MixV4 load4(const float *p)
{
    MixV4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* read4 for two stereo frames (lanes l r l r), with whole-frame loads:
 * each load holds two neighbouring frames, both of which mode reads. */
static inline __attribute__((always_inline)) MixV4
read_stereo2(const float *p0, const float *p1, MixV4 f, const ReadMode mode)
{
    if (mode == READ_RAW) { /* one 64-bit load a frame */
        MixV2 a0, a1;
        memcpy(&a0, p0, sizeof a0);
        memcpy(&a1, p1, sizeof a1);
        return __builtin_shufflevector(a0, a1, 0, 1, 2, 3);
    }
    MixV4 a0 = load4(p0), a1 = load4(p1); /* frames 0 and 1 of each */
    MixV4 x0 = __builtin_shufflevector(a0, a1, 0, 1, 4, 5);
    MixV4 x1 = __builtin_shufflevector(a0, a1, 2, 3, 6, 7);
    if (mode == READ_LINEAR)
        return x0 + (x1 - x0) * f;
    MixV4 b0 = load4(p0 - 2), b1 = load4(p1 - 2), c0 = load4(p0 + 2), c1 = load4(p1 + 2);
    return hermite4(__builtin_shufflevector(b0, b1, 0, 1, 4, 5), x0, x1,
                    __builtin_shufflevector(c0, c1, 2, 3, 6, 7), f);
}

static inline MixV4 lane_fractions(MixU4 acc32)
{
    return __builtin_convertvector((MixI4)(acc32 >> 1), MixV4) * (1.0f / 2147483648.0f);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MIX_AVX2 1

typedef float MixV8 __attribute__((vector_size(32)));

/* hermite4's operations in eight lanes. */
__attribute__((target("avx2"), always_inline)) static inline MixV8
hermite8(MixV8 xm1, MixV8 x0, MixV8 x1, MixV8 x2, MixV8 f)
{
    MixV8 c1 = 0.5f * (x1 - xm1);
    MixV8 c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
    MixV8 c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
    return ((c3 * f + c2) * f + c1) * f + x0;
}

/* The eight lanes' values at `from` + idx: one load and a permute, or
 * for a window of sixteen (`wide`), two and a blend on `upper` (idx > 7). */
__attribute__((target("avx2"), always_inline)) static inline __m256
window8(const float *from, __m256i idx, __m256 upper, const int wide)
{
    __m256 x = _mm256_permutevar8x32_ps(_mm256_loadu_ps(from), idx);
    if (!wide)
        return x;
    return _mm256_blendv_ps(x, _mm256_permutevar8x32_ps(_mm256_loadu_ps(from + 8), idx), upper);
}

/* mix_steady4's mono reading, eight frames a pass, for CPUs with AVX2, at
 * a step of at most one frame (or two, `wide`): the eight lanes' frames
 * then lie within the eight (sixteen) from the first lane's, so one load
 * (two) and a permute read them (gathers cost more than the scalar loads
 * here), and their neighbours come from the loads a frame either side
 * (never past the sample's padding). The same operations on each value
 * (no fused multiply-add), so the output is the same. */
__attribute__((target("avx2"), always_inline)) static inline size_t
mono_steady8_avx2(const float *buf, uint64_t *acc, uint64_t step, float gl, float gr,
                  float gm, float *restrict o, float *restrict port, uint32_t n,
                  const ReadMode mode, const int wide, const int has_port, const int has_post,
                  float post)
{
    const __m256 postv = _mm256_set1_ps(post);
    const uint32_t s32 = (uint32_t)step;
    const __m256 gains = _mm256_setr_ps(gl, gr, gl, gr, gl, gr, gl, gr);
    const __m256 gmv = _mm256_set1_ps(gm);
    const __m256i lane_steps =
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)s32));
    /* Each lane's whole frames past the first lane's, as 64-bit sums of
     * the first lane's fraction and k steps: lanes 0 1 4 5 in one vector
     * and 2 3 6 7 in the other, so that one in-lane shuffle of their
     * high halves puts the eight in order. */
    const __m256i steps_a = _mm256_setr_epi64x(0, (long long)step, (long long)(4 * step),
                                               (long long)(5 * step));
    const __m256i steps_b = _mm256_add_epi64(steps_a, _mm256_set1_epi64x((long long)(2 * step)));
    /* Each frame's value twice, for its left and right. */
    const __m256i first_frames = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256i second_frames = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
    uint64_t a = *acc;
    /* The lanes' fractions' sources, carried along: 32-bit adds wrap as
     * the low halves of the 64-bit positions do. */
    __m256i a32 = _mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)a), lane_steps);
    const __m256i pass_step = _mm256_set1_epi32((int)(8 * s32));
    size_t i = 0;
    for (; i + 8 <= n; i += 8, o += 16) {
        const float *base = buf + (size_t)(a >> 32);
        __m256i f64 = _mm256_set1_epi64x((long long)(uint32_t)a);
        /* The high halves of the eight 64-bit sums: the lanes' frames. */
        __m256i idx = _mm256_castps_si256(
            _mm256_shuffle_ps(_mm256_castsi256_ps(_mm256_add_epi64(f64, steps_a)),
                              _mm256_castsi256_ps(_mm256_add_epi64(f64, steps_b)),
                              _MM_SHUFFLE(3, 1, 3, 1)));
        __m256 upper = wide ? _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(7)))
                            : _mm256_setzero_ps();
        __m256 x0 = window8(base, idx, upper, wide);
        __m256 l;
        if (mode == READ_RAW) {
            l = x0;
        } else {
            __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(a32, 1)),
                                     _mm256_set1_ps(1.0f / 2147483648.0f));
            __m256 x1 = window8(base + 1, idx, upper, wide);
            if (mode == READ_LINEAR)
                l = _mm256_add_ps(x0, _mm256_mul_ps(_mm256_sub_ps(x1, x0), f));
            else
                l = (__m256)hermite8((MixV8)window8(base - 1, idx, upper, wide), (MixV8)x0,
                                     (MixV8)x1, (MixV8)window8(base + 2, idx, upper, wide),
                                     (MixV8)f);
        }
        __m256 first = _mm256_permutevar8x32_ps(l, first_frames);
        __m256 second = _mm256_permutevar8x32_ps(l, second_frames);
        first = _mm256_mul_ps(first, gains);
        second = _mm256_mul_ps(second, gains);
        if (has_post) {
            first = _mm256_mul_ps(first, postv);
            second = _mm256_mul_ps(second, postv);
        }
        _mm256_storeu_ps(o, _mm256_add_ps(_mm256_loadu_ps(o), first));
        _mm256_storeu_ps(o + 8, _mm256_add_ps(_mm256_loadu_ps(o + 8), second));
        if (has_port)
            _mm256_storeu_ps(port + i,
                             _mm256_add_ps(_mm256_loadu_ps(port + i), _mm256_mul_ps(l, gmv)));
        a += 8 * step;
        a32 = _mm256_add_epi32(a32, pass_step);
    }
    *acc = a;
    return i;
}

#define MONO_STEADY8(mode, wide)                                                              \
    __attribute__((target("avx2"))) static size_t mono_steady8_##mode##wide(                  \
        const float *buf, uint64_t *acc, uint64_t step, float gl, float gr, float gm,          \
        float *restrict o, float *restrict port, uint32_t n, float post)                       \
    {                                                                                         \
        /* Three loops: with a port, with a gain after the voice's, neither. */                \
        if (port)                                                                             \
            return mono_steady8_avx2(buf, acc, step, gl, gr, gm, o, port, n, mode, wide, 1, 0,  \
                                     1.0f);                                                   \
        if (post != 0.0f)                                                                     \
            return mono_steady8_avx2(buf, acc, step, gl, gr, gm, o, NULL, n, mode, wide, 0, 1,  \
                                     post);                                                   \
        return mono_steady8_avx2(buf, acc, step, gl, gr, gm, o, NULL, n, mode, wide, 0, 0,      \
                                 1.0f);                                                       \
    }
MONO_STEADY8(READ_RAW, 0)
MONO_STEADY8(READ_RAW, 1)
MONO_STEADY8(READ_LINEAR, 0)
MONO_STEADY8(READ_LINEAR, 1)
MONO_STEADY8(READ_CUBIC, 0)
MONO_STEADY8(READ_CUBIC, 1)

/* mix_steady4's stereo reading without a port, four frames a pass, for
 * CPUs with AVX2: each frame's window is one load (one, two or four
 * frames wide), and the loads of frames 0 and 2, 1 and 3 transpose into
 * eight lanes (left and right of the four frames) of each neighbour.
 * The same operations on each value as read_stereo2's, so the output is
 * the same. */
__attribute__((target("avx2"), always_inline)) static inline size_t
stereo_steady4_avx2(const float *buf, uint64_t *acc, uint64_t step, float gl, float gr,
                    float *restrict o, uint32_t n, const ReadMode mode)
{
    const MixV8 gains = {gl, gr, gl, gr, gl, gr, gl, gr};
    const __m256i lane_steps = _mm256_mullo_epi32(_mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3),
                                                  _mm256_set1_epi32((int)(uint32_t)step));
    uint64_t a = *acc;
    size_t i = 0;
    for (; i + 4 <= n; i += 4, o += 8) {
        const float *p0 = buf + 2 * (size_t)(a >> 32);
        const float *p1 = buf + 2 * (size_t)((a + step) >> 32);
        const float *p2 = buf + 2 * (size_t)((a + 2 * step) >> 32);
        const float *p3 = buf + 2 * (size_t)((a + 3 * step) >> 32);
        MixV8 x;
        if (mode == READ_RAW) {
            __m128 lo = _mm_loadh_pi(_mm_castpd_ps(_mm_load_sd((const double *)p0)),
                                     (const __m64 *)p1);
            __m128 hi = _mm_loadh_pi(_mm_castpd_ps(_mm_load_sd((const double *)p2)),
                                     (const __m64 *)p3);
            x = (MixV8)_mm256_set_m128(hi, lo);
        } else {
            __m256i a32 = _mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)a), lane_steps);
            MixV8 f = (MixV8)_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(a32, 1)),
                                           _mm256_set1_ps(1.0f / 2147483648.0f));
            if (mode == READ_LINEAR) {
                __m256 even = _mm256_set_m128(_mm_loadu_ps(p2), _mm_loadu_ps(p0));
                __m256 odd = _mm256_set_m128(_mm_loadu_ps(p3), _mm_loadu_ps(p1));
                MixV8 x0 = (MixV8)_mm256_shuffle_ps(even, odd, 0x44);
                MixV8 x1 = (MixV8)_mm256_shuffle_ps(even, odd, 0xEE);
                x = x0 + (x1 - x0) * f;
            } else {
                __m256 w0 = _mm256_loadu_ps(p0 - 2), w1 = _mm256_loadu_ps(p1 - 2);
                __m256 w2 = _mm256_loadu_ps(p2 - 2), w3 = _mm256_loadu_ps(p3 - 2);
                __m256 even_lo = _mm256_permute2f128_ps(w0, w2, 0x20);
                __m256 odd_lo = _mm256_permute2f128_ps(w1, w3, 0x20);
                __m256 even_hi = _mm256_permute2f128_ps(w0, w2, 0x31);
                __m256 odd_hi = _mm256_permute2f128_ps(w1, w3, 0x31);
                x = hermite8((MixV8)_mm256_shuffle_ps(even_lo, odd_lo, 0x44),
                             (MixV8)_mm256_shuffle_ps(even_lo, odd_lo, 0xEE),
                             (MixV8)_mm256_shuffle_ps(even_hi, odd_hi, 0x44),
                             (MixV8)_mm256_shuffle_ps(even_hi, odd_hi, 0xEE), f);
            }
        }
        MixV8 sum;
        memcpy(&sum, o, sizeof sum);
        sum += x * gains;
        memcpy(o, &sum, sizeof sum);
        a += 4 * step;
    }
    *acc = a;
    return i;
}

#define STEREO_STEADY4(mode)                                                                  \
    __attribute__((target("avx2"))) static size_t stereo_steady4_##mode(                      \
        const float *buf, uint64_t *acc, uint64_t step, float gl, float gr, float *restrict o, \
        uint32_t n)                                                                           \
    {                                                                                         \
        return stereo_steady4_avx2(buf, acc, step, gl, gr, o, n, mode);                       \
    }
STEREO_STEADY4(READ_RAW)
STEREO_STEADY4(READ_LINEAR)
STEREO_STEADY4(READ_CUBIC)
#endif

/* Raw, linear or cubic reading at a steady gain, four values a pass (four
 * mono frames, or two stereo ones): the same operations as mix_loop's,
 * lane by lane (a lane's fraction is the low 32 bits of its position,
 * which a 32-bit add of the step gives exactly), so the output is the
 * same. Returns the frames done; *acc moves past them. */
static inline __attribute__((always_inline)) size_t
mix_steady4(const float *buf, uint64_t *acc, uint64_t step, float gl, float gr, float gm,
            float *restrict o, float *restrict port, uint32_t n, const int chans,
            const ReadMode mode, float post)
{
    const MixV4 post4 = {post, post, post, post};
    const uint32_t s32 = (uint32_t)step;
    const MixV4 gains = {gl, gr, gl, gr};
    const uint32_t per = chans == 1 ? 4 : 2; /* frames a pass */
    uint64_t a = *acc;
    size_t i = 0;
#ifdef MIX_AVX2
    if (chans == 1 && step <= 2 * FP_ONE && !mix_portable && __builtin_cpu_supports("avx2")) {
        bool wide = step > FP_ONE;
        i = (mode == READ_RAW      ? wide ? mono_steady8_READ_RAW1 : mono_steady8_READ_RAW0
             : mode == READ_LINEAR ? wide ? mono_steady8_READ_LINEAR1 : mono_steady8_READ_LINEAR0
             : wide                ? mono_steady8_READ_CUBIC1
                                   : mono_steady8_READ_CUBIC0)(buf, &a, step, gl, gr, gm, o,
                                                               port, n, post);
        o += 2 * i;
    } else if (chans == 2 && !port && post == 0.0f && !mix_portable &&
               __builtin_cpu_supports("avx2")) {
        i = (mode == READ_RAW      ? stereo_steady4_READ_RAW
             : mode == READ_LINEAR ? stereo_steady4_READ_LINEAR
                                   : stereo_steady4_READ_CUBIC)(buf, &a, step, gl, gr, o, n);
        o += 2 * i;
    }
#endif
    for (; i + per <= n; i += per, o += 2 * per) {
        uint32_t a32 = (uint32_t)a;
        if (chans == 1) {
            MixV4 f = lane_fractions((MixU4){a32, a32 + s32, a32 + 2 * s32, a32 + 3 * s32});
            MixV4 l = read4(buf + (size_t)(a >> 32), buf + (size_t)((a + step) >> 32),
                            buf + (size_t)((a + 2 * step) >> 32),
                            buf + (size_t)((a + 3 * step) >> 32), 1, f, mode);
            MixV4 lo, hi;
            memcpy(&lo, o, sizeof lo);
            memcpy(&hi, o + 4, sizeof hi);
            /* Each frame's value twice, for its left and right (spelled
             * out: GCC and clang name their shuffle builtins apart). */
            MixV4 to_lo = (MixV4){l[0], l[0], l[1], l[1]} * gains;
            MixV4 to_hi = (MixV4){l[2], l[2], l[3], l[3]} * gains;
            if (post != 0.0f) {
                to_lo *= post4;
                to_hi *= post4;
            }
            lo += to_lo;
            hi += to_hi;
            memcpy(o, &lo, sizeof lo);
            memcpy(o + 4, &hi, sizeof hi);
            if (port) {
                MixV4 m;
                memcpy(&m, port + i, sizeof m);
                m += l * gm;
                memcpy(port + i, &m, sizeof m);
            }
        } else {
            MixV4 f = lane_fractions((MixU4){a32, a32, a32 + s32, a32 + s32});
            const float *p0 = buf + 2 * (size_t)(a >> 32);
            const float *p1 = buf + 2 * (size_t)((a + step) >> 32);
            MixV4 lr = read_stereo2(p0, p1, f, mode); /* l r l r */
            MixV4 sum, to = lr * gains;
            if (post != 0.0f)
                to *= post4;
            memcpy(&sum, o, sizeof sum);
            sum += to;
            memcpy(o, &sum, sizeof sum);
            if (port) {
                port[i] += (lr[0] + lr[1]) * 0.5f * gm;
                port[i + 1] += (lr[2] + lr[3]) * 0.5f * gm;
            }
        }
        a += per * step;
    }
    *acc = a;
    return i;
}

/* The inner loop: one buffer, no boundaries inside. The mode and flags are
 * compile-time constants in every caller, so each combination becomes its
 * own tight loop. `buf` points at the frame of the integer position and
 * `frac` is the 0.32 fraction; the position stays small and 64-bit exact. */
static inline __attribute__((always_inline)) void
mix_loop(MixerVoice *v, const float *buf, uint64_t frac, uint64_t step,
         float *restrict out, float *restrict port, uint32_t n,
         const int chans, const ReadMode mode, const int ramp, const int has_port)
{
    float gl = v->gl, gr = v->gr, gm = v->gm;
    const float dl = v->dl, dr = v->dr, dm = v->dm, post = v->post;
    uint64_t acc = frac;
    float *restrict o = out;
    size_t i = 0;
    if (mode != READ_SINC && !ramp)
        i = mix_steady4(buf, &acc, step, gl, gr, gm, o, has_port ? port : NULL, n, chans, mode,
                        post);
    o += 2 * i;
    /* Sinc values come a span at a time (sinc_unit_span). */
    float span[2 * SINC_SPAN];
    const float *next = span;
    uint32_t span_left = 0;
    for (; i < n; i++, o += 2) {
        const float *p = buf + (size_t)(acc >> 32) * (size_t)chans;
        float l, r;
        if (mode == READ_LINEAR) {
            float f = fraction(acc);
            l = p[0] + (p[chans] - p[0]) * f;
            r = chans == 2 ? p[1] + (p[3] - p[1]) * f : l;
        } else if (mode == READ_CUBIC) {
            float f = fraction(acc);
            l = hermite(p[-chans], p[0], p[chans], p[2 * chans], f);
            r = chans == 2 ? hermite(p[-1], p[1], p[3], p[5], f) : l;
        } else if (mode == READ_SINC) {
            if (!span_left) {
                span_left = n - i < SINC_SPAN ? (uint32_t)(n - i) : SINC_SPAN;
                sinc_unit_span(p, (uint32_t)acc, step, span_left, chans, span);
                next = span;
            }
            l = next[0];
            r = chans == 2 ? next[1] : l;
            next += chans;
            span_left--;
        } else {
            l = p[0];
            r = chans == 2 ? p[1] : l;
        }
        if (ramp) {
            gl += dl;
            gr += dr;
            gm += dm;
        }
        float to_l = l * gl, to_r = r * gr;
        if (post != 0.0f) {
            to_l *= post;
            to_r *= post;
        }
        o[0] += to_l;
        o[1] += to_r;
        if (has_port)
            port[i] += (chans == 2 ? (l + r) * 0.5f : l) * gm;
        acc += step;
    }
    if (ramp) {
        v->gl = gl;
        v->gr = gr;
        v->gm = gm;
    }
}

typedef void (*MixFn)(MixerVoice *, const float *, uint64_t, uint64_t, float *,
                      float *, uint32_t);

#define MIX_FN(chans, mode, ramp, port)                                       \
    static void mix_##chans##_##mode##_##ramp##port(                          \
        MixerVoice *v, const float *b, uint64_t f, uint64_t s, float *o,      \
        float *p, uint32_t n)                                                 \
    {                                                                         \
        mix_loop(v, b, f, s, o, p, n, chans, mode, ramp, port);               \
    }
#define MIX_MODE(chans, mode)                                                 \
    MIX_FN(chans, mode, 0, 0) MIX_FN(chans, mode, 0, 1)                       \
    MIX_FN(chans, mode, 1, 0) MIX_FN(chans, mode, 1, 1)
#define MIX_ALL(mode) MIX_MODE(1, mode) MIX_MODE(2, mode)
MIX_ALL(READ_RAW)
MIX_ALL(READ_LINEAR)
MIX_ALL(READ_CUBIC)
MIX_ALL(READ_SINC)

#define MIX_ROW(chans, mode)                                                  \
    {{mix_##chans##_##mode##_00, mix_##chans##_##mode##_01},                  \
     {mix_##chans##_##mode##_10, mix_##chans##_##mode##_11}}

/* [chans-1][mode][ramp][port] */
static const MixFn MIX_TABLE[2][4][2][2] = {
    {MIX_ROW(1, READ_RAW), MIX_ROW(1, READ_LINEAR), MIX_ROW(1, READ_CUBIC),
     MIX_ROW(1, READ_SINC)},
    {MIX_ROW(2, READ_RAW), MIX_ROW(2, READ_LINEAR), MIX_ROW(2, READ_CUBIC),
     MIX_ROW(2, READ_SINC)},
};

/* Adds a frame read as l, r to out[0..1] (and its mono mix to *port) at
 * the voice's gains, stepping them first while they ramp. */
static inline void add_frame(const MixerVoice *v, bool ramp, float l, float r, float *gl,
                             float *gr, float *gm, float *out, float *port)
{
    if (ramp) {
        *gl += v->dl;
        *gr += v->dr;
        *gm += v->dm;
    }
    out[0] += l * *gl;
    out[1] += r * *gr;
    if (port)
        *port += (v->chans == 2 ? (l + r) * 0.5f : l) * *gm;
}

/* The stretched sinc over a buffer at octave `level`: `pos` and `step` are
 * in the sample's own frames, so a level's position is pos >> level, exact
 * whatever the run boundaries. */
static void mix_wide(MixerVoice *v, const float *buf, uint64_t pos, uint64_t step,
                     const Reader *rd, float *out, float *port, uint32_t n)
{
    float gl = v->gl, gr = v->gr, gm = v->gm;
    const int ramp = v->ramp_left ? 1 : 0;
    const int chans = v->chans;
    const int k = rd->level;
    for (uint32_t i = 0; i < n; i++, pos += step) {
        const float *p = buf + (size_t)(pos >> (32 + k)) * (size_t)chans;
        uint32_t frac = (uint32_t)(pos >> k);
        float l, r;
        if (chans == 2)
            sinc_wide_stereo(p, frac, &rd->stretch, &l, &r);
        else
            l = r = sinc_wide_mono(p, frac, &rd->stretch);
        add_frame(v, ramp, l, r, &gl, &gr, &gm, out + 2 * i, port ? port + i : NULL);
    }
    if (ramp) {
        v->gl = gl;
        v->gr = gr;
        v->gm = gm;
    }
}

/* The fine kernel over fine level `level` at sample positions pos,
 * pos + step, ... (sinc_fine_span maps them to the level): added at
 * steady gains in one go, or a span at a time while the gains ramp or a
 * port takes the mono mix. */
static void mix_fine(MixerVoice *v, const SampleLevel *level, uint64_t pos, uint64_t step,
                     float *out, float *port, uint32_t n)
{
    const bool ramp = v->ramp_left != 0;
    const int chans = v->chans;
    if (!ramp && !port) {
        sinc_fine_add(level->data, pos, step, level->ratio, n, chans, v->gl, v->gr, out);
        return;
    }
    float gl = v->gl, gr = v->gr, gm = v->gm;
    float span[2 * SINC_SPAN];
    for (uint32_t i = 0; i < n;) {
        uint32_t m = n - i < SINC_SPAN ? n - i : SINC_SPAN;
        sinc_fine_span(level->data, pos + (uint64_t)i * step, step, level->ratio, m, chans,
                       span);
        for (uint32_t k = 0; k < m; k++, i++)
            add_frame(v, ramp, span[k * chans], chans == 2 ? span[2 * k + 1] : span[k], &gl,
                      &gr, &gm, out + 2 * i, port ? port + i : NULL);
    }
    if (ramp) {
        v->gl = gl;
        v->gr = gr;
        v->gm = gm;
    }
}

/* Mixes a run of n frames that needs no boundary handling; ends the ramp
 * (and a released voice) when the run reaches its end. */
static void mix_run(MixerVoice *v, const float *buf, uint64_t pos, uint64_t step,
                    const Reader *rd, float *out, float *port, uint32_t n)
{
    int ramp = v->ramp_left ? 1 : 0;
    if (rd->mode == READ_FINE) {
        int count;
        bool fine;
        mix_fine(v, &voice_levels(v, &count, &fine)[rd->level - 1], pos, step, out, port, n);
    } else if (rd->mode == READ_WIDE) {
        mix_wide(v, buf, pos, step, rd, out, port, n);
    } else {
        const float *b = buf + (size_t)(pos >> 32) * (size_t)v->chans;
        MIX_TABLE[v->chans - 1][rd->mode][ramp][port ? 1 : 0](
            v, b, pos & 0xFFFFFFFFu, step, out, port, n);
    }
    if (ramp) {
        v->ramp_left -= n;
        if (!v->ramp_left) {
            v->gl = v->tl;
            v->gr = v->tr;
            v->gm = v->tm;
            if (v->releasing) {
                v->active = false;
                v->releasing = false;
            }
        }
    }
}

static uint32_t frames_until(uint64_t pos, uint64_t limit, uint64_t step,
                             uint32_t n)
{
    if (pos >= limit)
        return 0;
    /* Most runs end before the limit: those need no division (tens of
     * cycles, once a voice and chunk). */
    uint64_t span;
    if (!__builtin_mul_overflow((uint64_t)n, step, &span) && limit - pos >= span)
        return n;
    uint64_t d = (limit - pos + step - 1) / step;
    return d < n ? (uint32_t)d : n;
}

/* Renders one frame whose window crosses a seam of the loop, from the
 * frames the loop plays there gathered into a small buffer: index d of
 * the current leg plays, once the loop is unfolded, the frame it names,
 * except past the loop end, where the loop repeats (forward) or reflects
 * (ping-pong), and before the loop start once the voice has looped (the
 * same); before the sample's first frame there is silence. Folded
 * indices follow each other one step at a time through the loop's
 * period, so only the first needs a division. */
static void render_gathered(MixerVoice *v, const Reader *rd, float *out,
                            float *port)
{
    float win[GATHER_MAX * 2];
    const int64_t ls = v->loop_start, le = v->loop_end, len = le - ls;
    const int64_t period = v->loop == LOOP_FORWARD ? len : 2 * (len - 1);
    const int64_t dir = v->backward ? -1 : 1;
    int64_t d = (int64_t)(v->pos >> 32) - rd->before - SINC_OVERREACH;
    if (v->backward)
        d = (int64_t)v->frames - 1 - d; /* the frame the rev index names */
    uint32_t count = rd->before + rd->after + 1 + 2 * SINC_OVERREACH;
    int64_t m = -1; /* place in the period, once folding */
    for (uint32_t k = 0; k < count; k++, d += dir) {
        int64_t f = d;
        if (v->backward || d >= le || (v->wrapped && d < ls)) {
            if (m < 0) {
                m = (d - ls) % period;
                m += m < 0 ? period : 0;
            } else {
                m += dir;
                m = m == period ? 0 : m < 0 ? period - 1 : m;
            }
            f = ls + (v->loop == LOOP_FORWARD || m < len ? m : period - m);
        } else {
            m = -1;
        }
        for (int c = 0; c < v->chans; c++)
            win[k * v->chans + c] = f < 0 || f >= (int64_t)v->frames
                                        ? 0.0f
                                        : v->data[f * v->chans + c];
    }
    const float *centre = win + (size_t)(rd->before + SINC_OVERREACH) * v->chans;
    mix_run(v, centre, v->pos & 0xFFFFFFFFu, v->step, rd, out, port, 1);
}

uint32_t mixer_voice_slice_edge(MixerVoice *v, uint32_t n)
{
    if (!v->end_pos || v->releasing || !v->active)
        return n;
    uint64_t fade = (uint64_t)v->end_fade * v->step;
    uint64_t release_at = v->end_pos > fade ? v->end_pos - fade : 0;
    if (v->pos < release_at)
        return frames_until(v->pos, release_at, v->step, n);
    uint32_t left = frames_until(v->pos, v->end_pos, v->step, UINT32_MAX);
    mixer_voice_release(v, left ? left : 1);
    return n;
}

void mixer_voice_render(MixerVoice *v, float *out, float *port, uint32_t n)
{
    while (n && v->active) {
        uint32_t run = mixer_voice_slice_edge(v, n);
        mixer_voice_render_plain(v, out, port, run);
        out += 2 * (size_t)run;
        if (port)
            port += run;
        n -= run;
    }
}

void mixer_voice_render_scaled(MixerVoice *v, float *out, uint32_t n, float post)
{
    v->post = post;
    mixer_voice_render(v, out, NULL, n);
    v->post = 0.0f;
}

/* Where a looping voice reads its unrolled levels (32.32 frames of the
 * unrolled sound, sample.h) and, in *stop, the position of its own up to
 * which it may read on from there. */
static uint64_t unrolled_at(const MixerVoice *v, uint64_t *stop)
{
    if (!v->wrapped)
        return v->pos;
    uint64_t along = v->backward ? FP(v->loop_end - 1 - v->loop_start) + v->pos -
                                       FP(v->frames - v->loop_end)
                                 : v->pos - FP(v->loop_start);
    uint64_t settle = FP(v->unrolled->settle);
    if (along >= settle)
        return FP(v->loop_start) + along;
    if (v->pos + (settle - along) < *stop)
        *stop = v->pos + (settle - along);
    return FP(v->loop_start) + along + FP(v->unrolled->lead);
}

/* How many of n frames a voice reading a fine level plays from where it
 * is, and from where in its levels' sound (*at); 0 when it has ended. */
static uint32_t fine_run(MixerVoice *v, const Reader *rd, uint64_t *at, uint32_t n)
{
    int count;
    bool fine;
    const SampleLevel *level = &voice_levels(v, &count, &fine)[rd->level - 1];
    *at = v->pos;
    uint64_t stop;
    if (v->loop != LOOP_OFF) {
        /* The unrolled levels hold every window the loop plays up to
         * where the voice folds. */
        stop = FP(v->backward ? v->frames - 1 - v->loop_start
                              : v->loop == LOOP_FORWARD ? v->loop_end : v->loop_end - 1);
        *at = unrolled_at(v, &stop);
    } else {
        /* The voice has ended once its window is past the last frame;
         * the run may end a frame late (in the level's zeroed guard). */
        uint64_t end = FP((uint64_t)level->frames + SINC_FINE_HALF);
        if (sinc_level_pos(v->pos, level->ratio) >= end)
            return 0;
        stop = (uint64_t)((double)end / (double)level->ratio * 4294967296.0) + 1;
    }
    uint32_t run = frames_until(v->pos, stop, v->step, n);
    return run ? run : 1;
}

void mixer_voice_render_plain(MixerVoice *v, float *out, float *port, uint32_t n)
{
    while (n && v->active) {
        voice_fold(v);
        Reader rd;
        voice_reader(v, &rd);
        if (rd.mode == READ_FINE) {
            uint64_t at;
            uint32_t run = fine_run(v, &rd, &at, n);
            if (!run) {
                v->active = false;
                return;
            }
            if (v->ramp_left && run > v->ramp_left)
                run = v->ramp_left;
            mix_run(v, NULL, at, v->step, &rd, out, port, run);
            v->pos += (uint64_t)run * v->step;
            out += 2 * (size_t)run;
            if (port)
                port += run;
            n -= run;
            continue;
        }
        int level_count;
        bool fine;
        const SampleLevel *level =
            rd.level ? &voice_levels(v, &level_count, &fine)[rd.level - 1] : NULL;
        const float *buf;
        int64_t lo, hi;       /* frames of buf that are what the loop plays */
        uint64_t leg_end;     /* where the position folds or the voice ends */
        if (v->loop == LOOP_OFF) {
            uint32_t frames = level ? level->frames : v->frames;
            buf = level ? level->data : v->data;
            lo = -(int64_t)SAMPLE_PAD + SINC_OVERREACH;
            hi = (int64_t)frames - 1 + SAMPLE_PAD - SINC_OVERREACH;
            /* The voice has ended once its window is past the last frame. */
            leg_end = FP(frames + rd.before);
            if (v->pos >= leg_end << rd.level) {
                v->active = false;
                return;
            }
        } else if (!v->backward) {
            buf = v->data;
            lo = v->wrapped ? v->loop_start : -(int64_t)SAMPLE_PAD + SINC_OVERREACH;
            hi = (int64_t)v->loop_end - 1;
            leg_end = FP(v->loop == LOOP_FORWARD ? v->loop_end : v->loop_end - 1);
        } else {
            buf = v->rev;
            lo = (int64_t)v->frames - v->loop_end;
            hi = (int64_t)v->frames - 1 - v->loop_start;
            leg_end = FP(hi);
        }
        uint64_t at = v->pos;
        uint32_t run = 0;
        if (level && v->loop != LOOP_OFF) {
            /* The unrolled levels hold every window the loop plays. */
            at = unrolled_at(v, &leg_end);
            buf = level->data;
            run = frames_until(v->pos, leg_end, v->step, n);
        } else {
            /* Direct reading needs the whole window in [lo, hi]. */
            int64_t first = lo + (int64_t)rd.before;
            int64_t last = hi - (int64_t)rd.after + 1;
            uint64_t p = v->pos >> rd.level;
            if (last > 0 && last > first && (first <= 0 || p >= FP(first)) && p < FP(last)) {
                uint64_t stop = FP(last) < leg_end ? FP(last) : leg_end;
                run = frames_until(v->pos, stop << rd.level, v->step, n);
            }
        }
        if (v->ramp_left && run > v->ramp_left)
            run = v->ramp_left;
        if (run) {
            mix_run(v, buf, at, v->step, &rd, out, port, run);
        } else {
            run = 1;
            render_gathered(v, &rd, out, port);
        }
        v->pos += (uint64_t)run * v->step;
        out += 2 * (size_t)run;
        if (port)
            port += run;
        n -= run;
    }
}
