#include "mixer.h"

#include <math.h>
#include <string.h>

#include "sinc.h"

#define FP_ONE ((uint64_t)1 << 32)
#define FP(frames) ((uint64_t)(frames) << 32)

/* Input frames handed to libsamplerate per callback: a pointer into the
 * sample, never a copy; the cap only bounds the work of one callback. */
enum { FEED_MAX = 4096 };

static long sinc_feed(void *cb_data, float **data);

HissError mixer_voice_init(MixerVoice *v, const float *zeros)
{
    memset(v, 0, sizeof *v);
    v->zeros = zeros;
    v->channel = -1;
    for (int c = 0; c < 2; c++) {
        v->src[c] = sinc_new(c + 1, sinc_feed, v);
        if (!v->src[c]) {
            mixer_voice_deinit(v);
            return HISS_ERR_NOMEM;
        }
    }
    return HISS_OK;
}

void mixer_voice_deinit(MixerVoice *v)
{
    for (int c = 0; c < 2; c++) {
        sinc_free(v->src[c]);
        v->src[c] = NULL;
    }
    v->active = false;
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
    uint32_t ls = sample_frame_from_source(s, inst->loop_start);
    uint32_t le = inst->loop_end ? sample_frame_from_source(s, inst->loop_end)
                                 : frames;
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

/* Brings the position back inside the loop after it passed a boundary.
 * False when a non-looping voice has run off the end. */
static bool voice_fold(MixerVoice *v)
{
    switch (v->loop) {
    case LOOP_FORWARD: {
        uint64_t end = FP(v->loop_end);
        if (v->pos >= end) {
            uint64_t start = FP(v->loop_start);
            v->pos = start + (v->pos - start) % (end - start);
        }
        return true;
    }
    case LOOP_PINGPONG: {
        /* u: distance travelled since the loop start along the unfolded
         * path; one leg is `half` long, a round trip 2*half. */
        uint64_t half = FP(v->loop_end - 1 - v->loop_start);
        uint64_t u;
        if (!v->backward) {
            if (v->pos < FP(v->loop_end - 1))
                return true;
            u = v->pos - FP(v->loop_start);
        } else {
            if (v->pos < FP(v->frames - 1 - v->loop_start))
                return true;
            u = half + (v->pos - FP(v->frames - v->loop_end));
        }
        u %= 2 * half;
        if (u < half) {
            v->backward = false;
            v->pos = FP(v->loop_start) + u;
        } else {
            v->backward = true;
            v->pos = FP(v->frames - v->loop_end) + (u - half);
        }
        return true;
    }
    default:
        return v->pos < FP(v->frames);
    }
}

static void sinc_feed_from_position(MixerVoice *v)
{
    uint32_t ip = (uint32_t)(v->pos >> 32);
    v->feed_backward = v->backward;
    v->feed_index = v->backward ? v->frames - 1 - ip : ip;
    v->feed_ended = false;
}

static void set_sinc_ratio(MixerVoice *v)
{
    /* libsamplerate's ratio is output rate / input rate. Setting it with
     * sinc_set_ratio makes the change a step at this frame instead of a ramp
     * over the next read, whose length would depend on the block size. */
    v->src_ratio = 4294967296.0 / (double)v->step;
    sinc_set_ratio(v->src[v->chans - 1], v->src_ratio);
}

bool mixer_voice_start(MixerVoice *v, const Instrument *inst, uint32_t offset,
                       uint64_t step, float gl, float gr, float gm,
                       uint32_t ramp)
{
    v->active = false;
    const Sample *s = inst ? inst->sample : NULL;
    if (!s || inst->missing || !s->frames || !s->data || s->channels < 1 ||
        s->channels > 2)
        return false;
    v->inst = inst;
    v->data = s->data;
    v->rev = s->reversed;
    v->frames = s->frames;
    v->chans = s->channels;
    mixer_loop_points(inst, &v->loop, &v->loop_start, &v->loop_end);
    uint32_t off = offset ? sample_frame_from_source(s, offset) : 0;
    v->backward = false;
    v->pos = FP(off);
    if (!voice_fold(v))
        return false;
    v->interp = (unsigned)inst->interp < INTERP_COUNT ? inst->interp
                                                      : INTERP_LINEAR;
    if (v->interp == INTERP_SINC && !v->src[v->chans - 1])
        v->interp = INTERP_LINEAR;
    v->step = step ? step : FP_ONE;
    v->gl = v->gr = v->gm = 0.0f;
    v->ramp_left = 0;
    v->tl = v->tr = v->tm = 0.0f;
    v->releasing = false;
    v->active = true;
    if (v->interp == INTERP_SINC) {
        sinc_reset(v->src[v->chans - 1]);
        set_sinc_ratio(v);
        sinc_feed_from_position(v);
    }
    mixer_voice_set_gains(v, gl, gr, gm, ramp);
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

/* A sinc voice's filter restarts where the voice is: looping voices resume
 * feeding at the next frame they would have fed (their `pos` is not kept
 * up), the others at their position. */
static void sinc_restart(MixerVoice *v)
{
    sinc_reset(v->src[v->chans - 1]);
    set_sinc_ratio(v);
    if (v->loop == LOOP_OFF)
        sinc_feed_from_position(v);
}

void mixer_voice_carry(MixerVoice *to, const MixerVoice *from, double rate_scale)
{
    SincState *own[2] = {to->src[0], to->src[1]};
    const float *zeros = to->zeros;
    *to = *from;
    to->src[0] = own[0];
    to->src[1] = own[1];
    to->zeros = zeros;
    if (!to->active)
        return;
    if (rate_scale != 1.0)
        to->step = mixer_step_from_ratio((double)from->step / 4294967296.0 / rate_scale);
    rescale_ramp(to, rate_scale);
    if (to->interp == INTERP_SINC)
        sinc_restart(to);
}

/* A frame position scaled by k: 32.32 fixed point through double is exact
 * enough (samples are far below 2^21 frames' worth of precision loss). */
static uint64_t scale_position(uint64_t pos, double k)
{
    double p = (double)pos * k;
    return p > 0 ? (uint64_t)p : 0;
}

bool mixer_voice_rebind(MixerVoice *v, const Instrument *inst, uint32_t old_rate)
{
    const Sample *s = inst ? inst->sample : NULL;
    if (!v->active || !s || !s->data || !s->frames || inst->missing ||
        s->channels != v->chans || !old_rate)
        return false;
    double k = (double)s->rate / old_rate;
    /* Positions in forward coordinates, so the reversed buffer maps too. */
    uint64_t fwd = v->backward ? FP(v->frames - 1) - v->pos : v->pos;
    uint64_t fwd_new = scale_position(fwd, k);
    uint32_t feed_fwd = v->feed_backward ? v->frames - 1 - v->feed_index
                                         : v->feed_index;
    uint32_t feed_new = (uint32_t)((double)feed_fwd * k);
    v->inst = inst;
    v->data = s->data;
    v->rev = s->reversed;
    v->frames = s->frames;
    mixer_loop_points(inst, &v->loop, &v->loop_start, &v->loop_end);
    if (v->backward && (!v->rev || v->loop != LOOP_PINGPONG))
        v->backward = false;
    if (fwd_new > FP(s->frames - 1))
        fwd_new = FP(s->frames - 1);
    v->pos = v->backward ? FP(s->frames - 1) - fwd_new : fwd_new;
    v->step = mixer_step_from_ratio((double)v->step / 4294967296.0 * k);
    if (!voice_fold(v))
        return false;
    if (feed_new >= s->frames)
        feed_new = s->frames - 1;
    v->feed_index = v->feed_backward ? s->frames - 1 - feed_new : feed_new;
    v->feed_ended = false;
    if (v->interp == INTERP_SINC)
        sinc_restart(v);
    return true;
}

void mixer_voice_set_step(MixerVoice *v, uint64_t step)
{
    if (!step || step == v->step)
        return;
    v->step = step;
    if (v->active && v->interp == INTERP_SINC)
        set_sinc_ratio(v);
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

/* The inner loop: one buffer, no boundaries inside. The flags are
 * compile-time constants in every caller, so each combination becomes its
 * own tight loop. `buf` points at the frame of the integer position and
 * `frac` is the 0.32 fraction; the position stays small and 64-bit exact. */
static inline __attribute__((always_inline)) void
mix_loop(MixerVoice *v, const float *buf, uint64_t frac, uint64_t step,
         float *restrict out, float *restrict port, uint32_t n,
         const int chans, const int linear, const int ramp, const int has_port)
{
    float gl = v->gl, gr = v->gr, gm = v->gm;
    const float dl = v->dl, dr = v->dr, dm = v->dm;
    uint64_t acc = frac;
    float *restrict o = out;
    for (size_t i = 0; i < n; i++, o += 2) {
        size_t ip = (size_t)(acc >> 32) * (size_t)chans;
        float l, r;
        if (linear) {
            float f = (float)(int32_t)((uint32_t)acc >> 1) * (1.0f / 2147483648.0f);
            l = buf[ip] + (buf[ip + chans] - buf[ip]) * f;
            r = chans == 2 ? buf[ip + 1] + (buf[ip + 3] - buf[ip + 1]) * f : l;
        } else {
            l = buf[ip];
            r = chans == 2 ? buf[ip + 1] : l;
        }
        if (ramp) {
            gl += dl;
            gr += dr;
            gm += dm;
        }
        o[0] += l * gl;
        o[1] += r * gr;
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

#define MIX_VARIANTS(chans, linear)                                          \
    static void mix_##chans##_##linear##_s(MixerVoice *v, const float *b,   \
                                           uint64_t f, uint64_t s, float *o, \
                                           float *p, uint32_t n)             \
    {                                                                        \
        mix_loop(v, b, f, s, o, p, n, chans, linear, 0, 0);                  \
    }                                                                        \
    static void mix_##chans##_##linear##_r(MixerVoice *v, const float *b,   \
                                           uint64_t f, uint64_t s, float *o, \
                                           float *p, uint32_t n)             \
    {                                                                        \
        mix_loop(v, b, f, s, o, p, n, chans, linear, 1, 0);                  \
    }                                                                        \
    static void mix_##chans##_##linear##_sp(MixerVoice *v, const float *b,  \
                                            uint64_t f, uint64_t s,          \
                                            float *o, float *p, uint32_t n)  \
    {                                                                        \
        mix_loop(v, b, f, s, o, p, n, chans, linear, 0, 1);                  \
    }                                                                        \
    static void mix_##chans##_##linear##_rp(MixerVoice *v, const float *b,  \
                                            uint64_t f, uint64_t s,          \
                                            float *o, float *p, uint32_t n)  \
    {                                                                        \
        mix_loop(v, b, f, s, o, p, n, chans, linear, 1, 1);                  \
    }

MIX_VARIANTS(1, 0)
MIX_VARIANTS(2, 0)
MIX_VARIANTS(1, 1)
MIX_VARIANTS(2, 1)

typedef void (*MixFn)(MixerVoice *, const float *, uint64_t, uint64_t, float *,
                      float *, uint32_t);

/* [chans-1][linear][ramp][port] */
static const MixFn MIX_TABLE[2][2][2][2] = {
    {{{mix_1_0_s, mix_1_0_sp}, {mix_1_0_r, mix_1_0_rp}},
     {{mix_1_1_s, mix_1_1_sp}, {mix_1_1_r, mix_1_1_rp}}},
    {{{mix_2_0_s, mix_2_0_sp}, {mix_2_0_r, mix_2_0_rp}},
     {{mix_2_1_s, mix_2_1_sp}, {mix_2_1_r, mix_2_1_rp}}},
};

/* Mixes a run of n frames that needs no boundary handling; ends the ramp
 * (and a released voice) when the run reaches its end. */
static void mix_run(MixerVoice *v, const float *buf, uint64_t pos, uint64_t step,
                    float *out, float *port, uint32_t n, int linear)
{
    int ramp = v->ramp_left ? 1 : 0;
    const float *b = buf + (size_t)(pos >> 32) * (size_t)v->chans;
    MIX_TABLE[v->chans - 1][linear][ramp][port ? 1 : 0](
        v, b, pos & 0xFFFFFFFFu, step, out, port, n);
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
    uint64_t d = (limit - pos + step - 1) / step;
    return d < n ? (uint32_t)d : n;
}

static void render_interp(MixerVoice *v, float *out, float *port, uint32_t n)
{
    int linear = v->interp == INTERP_LINEAR;
    while (n && v->active) {
        if (!voice_fold(v)) {
            v->active = false;
            return;
        }
        const float *buf = v->backward ? v->rev : v->data;
        uint64_t limit;
        bool edge = false;
        if (v->loop == LOOP_OFF) {
            limit = FP(v->frames);
        } else if (v->loop == LOOP_FORWARD) {
            /* Linear interpolation of the last loop frame must lean
             * towards the loop start, not the frame after the loop. */
            limit = FP(v->loop_end - (linear ? 1 : 0));
            edge = linear;
        } else {
            limit = v->backward ? FP(v->frames - 1 - v->loop_start)
                                : FP(v->loop_end - 1);
        }
        uint32_t run;
        if (edge && v->pos >= limit) {
            float pair[4];
            const float *a = v->data + (size_t)(v->loop_end - 1) * v->chans;
            const float *b = v->data + (size_t)v->loop_start * v->chans;
            for (int c = 0; c < v->chans; c++) {
                pair[c] = a[c];
                pair[v->chans + c] = b[c];
            }
            run = frames_until(v->pos, FP(v->loop_end), v->step, n);
            if (v->ramp_left && run > v->ramp_left)
                run = v->ramp_left;
            mix_run(v, pair, v->pos - limit, v->step, out, port, run, 1);
        } else {
            run = frames_until(v->pos, limit, v->step, n);
            if (v->ramp_left && run > v->ramp_left)
                run = v->ramp_left;
            mix_run(v, buf, v->pos, v->step, out, port, run, linear);
        }
        v->pos += (uint64_t)run * v->step;
        out += 2 * (size_t)run;
        if (port)
            port += run;
        n -= run;
    }
}

static long sinc_feed(void *cb_data, float **data)
{
    MixerVoice *v = cb_data;
    if (v->feed_ended || !v->data) {
        *data = (float *)v->zeros;
        return MIXER_ZERO_FRAMES;
    }
    uint32_t i = v->feed_index;
    uint32_t count;
    const float *p;
    if (!v->feed_backward) {
        uint32_t end = v->loop == LOOP_OFF ? v->frames : v->loop_end;
        if (i >= end) {
            if (v->loop == LOOP_OFF) {
                v->feed_ended = true;
                *data = (float *)v->zeros;
                return MIXER_ZERO_FRAMES;
            }
            i = v->loop_start;
        }
        count = end - i;
        p = v->data + (size_t)i * v->chans;
        if (count > FEED_MAX) {
            count = FEED_MAX;
            v->feed_index = i + count;
        } else if (v->loop == LOOP_OFF) {
            v->feed_ended = true;
        } else if (v->loop == LOOP_FORWARD) {
            v->feed_index = v->loop_start;
        } else {
            v->feed_backward = true;
            v->feed_index = v->loop_end - 2;
        }
    } else {
        if (i < v->loop_start || i >= v->loop_end)
            i = v->loop_end - 2;
        count = i - v->loop_start + 1;
        p = v->rev + (size_t)(v->frames - 1 - i) * v->chans;
        if (count > FEED_MAX) {
            count = FEED_MAX;
            v->feed_index = i - count;
        } else {
            v->feed_backward = false;
            v->feed_index = v->loop_start + 1;
        }
    }
    *data = (float *)p;
    return (long)count;
}

static void render_sinc(MixerVoice *v, float *out, float *port, uint32_t n)
{
    float tmp[MIXER_SCRATCH_FRAMES * 2];
    SincState *src = v->src[v->chans - 1];
    /* A non-looping voice ends once the filter has rung out past the end. */
    uint64_t margin = 64 + 32 * ((v->step >> 32) + 1);
    while (n && v->active) {
        uint32_t chunk = n < MIXER_SCRATCH_FRAMES ? n : MIXER_SCRATCH_FRAMES;
        if (v->ramp_left && chunk > v->ramp_left)
            chunk = v->ramp_left;
        long got = sinc_read(src, v->src_ratio, chunk, tmp);
        if (got <= 0) {
            v->active = false;
            return;
        }
        mix_run(v, tmp, 0, FP_ONE, out, port, (uint32_t)got, 0);
        if (v->loop == LOOP_OFF) {
            v->pos += (uint64_t)got * v->step;
            if (v->pos >= FP(v->frames + margin))
                v->active = false;
        }
        out += 2 * (size_t)got;
        if (port)
            port += got;
        n -= (uint32_t)got;
    }
}

void mixer_voice_render(MixerVoice *v, float *out, float *port, uint32_t n)
{
    if (!v->active)
        return;
    if (v->interp == INTERP_SINC)
        render_sinc(v, out, port, n);
    else
        render_interp(v, out, port, n);
}
