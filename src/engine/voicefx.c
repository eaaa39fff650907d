#include "voicefx.h"

#include <math.h>
#include <string.h>

#ifdef __SSE__
#include <xmmintrin.h>
#endif

/* Four samples an instruction in the per-sample stages; each lane does
 * exactly what the one-sample code does, so the output is the same. */
typedef float FxV4 __attribute__((vector_size(16)));
typedef int32_t FxI4 __attribute__((vector_size(16)));

/* Eight lanes: one instruction in the AVX encoding, two in SSE. FxV8u
 * reads and writes eight floats anywhere. */
typedef float FxV8 __attribute__((vector_size(32)));
typedef int32_t FxI8 __attribute__((vector_size(32)));
typedef float FxV8u __attribute__((vector_size(32), aligned(4), may_alias));
/* Macros, not functions: a function of eight-lane vectors would have an
 * ABI of its own where there is no AVX. */
#define FX_PAIR(lo, hi) __builtin_shufflevector((lo), (hi), 0, 1, 2, 3, 4, 5, 6, 7)
#define FX_LOW(v) __builtin_shufflevector((v), (v), 0, 1, 2, 3)
#define FX_HIGH(v) __builtin_shufflevector((v), (v), 4, 5, 6, 7)

static inline FxV4 fx_load(const float *p)
{
    FxV4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void fx_store(float *p, FxV4 v)
{
    memcpy(p, &v, sizeof v);
}

/* The lower and higher of a and b in each lane: one instruction each
 * where there is SSE. Neither is ever NaN here. */
static inline FxV4 fx_min(FxV4 a, FxV4 b)
{
#ifdef __SSE__
    return (FxV4)_mm_min_ps((__m128)a, (__m128)b);
#else
    return (FxV4)(((FxI4)a & (a < b)) | ((FxI4)b & ~(a < b)));
#endif
}

static inline FxV4 fx_max(FxV4 a, FxV4 b)
{
#ifdef __SSE__
    return (FxV4)_mm_max_ps((__m128)a, (__m128)b);
#else
    return (FxV4)(((FxI4)a & (a > b)) | ((FxI4)b & ~(a > b)));
#endif
}

/* when ? a : b in each lane */
static inline FxV4 fx_pick(FxI4 when, FxV4 a, FxV4 b)
{
    return (FxV4)((when & (FxI4)a) | (~when & (FxI4)b));
}

static uint32_t ms_frames(int ms, uint32_t rate)
{
    return (uint32_t)(((uint64_t)(ms > 0 ? ms : 0) * rate + 500) / 1000);
}

/* Enters `stage`, passing at once through stages that last no frames. */
static void env_enter(VoiceFxEnv *env, VoiceFxStage stage)
{
    for (;;) {
        env->stage = stage;
        switch (stage) {
        case VOICEFX_ATTACK:
            env->left = env->attack_frames;
            env->level = 0.0f;
            env->slope = env->left ? 1.0f / (float)env->left : 0.0f;
            break;
        case VOICEFX_HOLD:
            env->level = 1.0f;
            env->left = env->hold_frames;
            env->slope = 0.0f;
            break;
        case VOICEFX_DECAY:
            env->level = 1.0f;
            env->left = env->decay_frames;
            env->slope = env->left ? (env->sustain - 1.0f) / (float)env->left : 0.0f;
            break;
        case VOICEFX_SUSTAIN:
            env->level = env->sustain;
            env->slope = 0.0f;
            env->left = UINT32_MAX;
            if (env->sustain <= 0.0f) { /* nothing more to hear */
                stage = VOICEFX_DONE;
                continue;
            }
            return;
        case VOICEFX_RELEASE:
            env->left = env->release_frames;
            env->slope = env->left ? -env->level / (float)env->left : 0.0f;
            break;
        case VOICEFX_DONE:
            env->level = 0.0f;
            env->slope = 0.0f;
            env->left = UINT32_MAX;
            return;
        }
        if (env->left)
            return;
        stage = (VoiceFxStage)(stage + 1);
        if (stage == VOICEFX_SUSTAIN + 1) /* release ends the note */
            stage = VOICEFX_DONE;
    }
}

/* Damping: resonance 0 is Butterworth (a flat pass band, -3 dB at the
 * cutoff); 95% leaves K_MIN, a 26 dB peak that rings. Above it the
 * damping goes on falling to -K_OSC at 100%: from 97.5% (98, or F9 in
 * Qxx) the filter oscillates by itself, a sine at the cutoff. From 95% on,
 * the resonant stage's damping also grows with the square of its
 * band-pass level (SELF_OSC_C, as in a van der Pol oscillator), which
 * holds that sine near SELF_OSC_LEVEL and keeps anything driving it
 * bounded. */
#define K_MIN 0.05f
#define K_OSC 0.05f
#define RES_KNEE 0.95f
#define SELF_OSC_LEVEL 0.5f
/* 3/4 C A^2 = K_OSC: the level where the added damping cancels K_OSC */
#define SELF_OSC_C (4.0f * K_OSC / (3.0f * SELF_OSC_LEVEL * SELF_OSC_LEVEL))
#define K_BUTTERWORTH_12 1.41421356f  /* 1/Q, Q = 0.7071 */
#define K_BUTTERWORTH_24A 1.84775907f /* the two sections of a 4th-order */
#define K_BUTTERWORTH_24B 0.76536686f /* Butterworth: 1/0.5412, 1/1.3066 */

static float resonant_damping(float butterworth, float res)
{
    if (res <= RES_KNEE)
        return butterworth - (butterworth - K_MIN) * res / RES_KNEE;
    return K_MIN - (K_MIN + K_OSC) * (res - RES_KNEE) / (1.0f - RES_KNEE);
}

#define CUTOFF_MIN_LOG2 4.32192809f  /* log2(20) */
#define FILTER_FLOOR_LOG2 7.03135971f /* log2(SONG_FILTER_ENV_FLOOR_HZ) */
#define CUTOFF_MAX_LOG2 14.28771238f /* log2(20000) */

static float cutoff_octaves(const VoiceFx *fx, float env);

/* Whether the filter is Impulse Tracker's: asked for, and a 12 dB low-pass. */
static bool it_filter(const VoiceFx *fx)
{
    return fx->it_poles && fx->filter == SHAPE_FILTER_LP12;
}

/* Impulse Tracker's filter (as openmpt plays it), set up for the cutoff
 * in force, taken between runs when the cutoff or resonance changes: IT
 * sets its coefficients once a tick, and so does this. At cutoff hz (120
 * Hz to half the rate) and damping it_k, with R = rate / (2 pi hz),
 * e = R^2 and d = it_k (R + 1) - 1 (so IT damps more the higher its
 * cutoff): y = (x + (d + 2e) y1 - e y2) / (1 + d + e). IT's cutoffs are
 * whole 24ths of an octave above FILTER_FLOOR (its 0..127): the cutoff
 * goes to the nearest, which is the one an Mxx (steps of 0.94 of those)
 * or a cutoff in whole Hz was written for. */
static void it_retune(VoiceFx *fx)
{
    if (!it_filter(fx))
        return;
    fx->cutoff_log2 =
        FILTER_FLOOR_LOG2 + roundf((fx->cutoff_log2 - FILTER_FLOOR_LOG2) * 24.0f) / 24.0f;
    float hz = exp2f(cutoff_octaves(fx, 0.0f)), top = 0.5f * (float)fx->rate;
    hz = hz < 120.0f ? 120.0f : hz > top ? top : hz;
    float r = (float)fx->rate / (6.28318531f * hz);
    float d = fx->it_k * (r + 1.0f) - 1.0f, e = r * r;
    fx->it_fg = 1.0f / (1.0f + d + e);
    fx->it_fb0 = (d + 2.0f * e) * fx->it_fg;
    fx->it_fb1 = -e * fx->it_fg;
}

static void set_resonance(VoiceFx *fx, float res)
{
    fx->lin.ready = false; /* new coefficients: the filter goes on afresh */
    if (it_filter(fx)) {
        /* IT's resonance 0..127: its damping 10^(-r x 24 / 128 / 20). */
        fx->it_k = powf(10.0f, -res * 127.0f * (24.0f / 128.0f) / 20.0f);
        fx->self_osc = false;
        it_retune(fx);
        return;
    }
    int stage = fx->filter >= SHAPE_FILTER_LP24;
    if (stage) {
        fx->k1 = K_BUTTERWORTH_24A;
        fx->k2 = resonant_damping(K_BUTTERWORTH_24B, res);
    } else {
        fx->k1 = resonant_damping(K_BUTTERWORTH_12, res);
    }
    fx->self_osc = res > RES_KNEE;
    /* A band-pass (of 24 dB: its resonant section) is scaled by its
     * damping, unity at its peak, up to the knee; from there to 100% the
     * scale rises to 1, so a band-pass that oscillates is heard as loud as
     * the others. */
    fx->band_gain = !fx->self_osc ? (stage ? fx->k2 : fx->k1)
                    : K_MIN + (1.0f - K_MIN) * (res - RES_KNEE) / (1.0f - RES_KNEE);
    /* A filter that oscillates does so on silence too: a faint start
     * (-60 dB, the same on both sides) for it to grow from. */
    if ((stage ? fx->k2 : fx->k1) < 0.0f && fx->ic[stage][0][0] == 0.0f &&
        fx->ic[stage][0][1] == 0.0f)
        fx->ic[stage][0][0] = fx->ic[stage][1][0] = 1e-3f;
}

static void filter_setup(VoiceFx *fx, const int *s, float key, float velocity)
{
    fx->cutoff_scale = 1.0f;
    fx->filter = hiss_clampi(s[SHAPE_FILTER], SHAPE_FILTER_OFF, SHAPE_FILTER_LAST);
    float semis = key * (float)hiss_clampi(s[SHAPE_KEY_TRACK], 0, 100) / 100.0f -
                  (float)hiss_clampi(s[SHAPE_FILTER_VEL], 0, 96) * (1.0f - velocity);
    fx->cutoff_offset = semis / 12.0f;
    fx->cutoff_log2 = log2f((float)hiss_clampi(s[SHAPE_CUTOFF], 20, 20000)) + fx->cutoff_offset;
    fx->env_octaves = (float)hiss_clampi(s[SHAPE_FILTER_ENV], -96, 96) / 12.0f;
    fx->resonance = (float)hiss_clampi(s[SHAPE_RESONANCE], 0, 100) / 100.0f;
    set_resonance(fx, fx->resonance);
}

/* The soft curve: tanh's Pade shape, exactly +-1 from +-3 on. */
static inline float soft_curve(float x)
{
    if (x >= 3.0f)
        return 1.0f;
    if (x <= -3.0f)
        return -1.0f;
    float x2 = x * x;
    return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}

static void set_crush_bits(VoiceFx *fx, int bits)
{
    bits = hiss_clampi(bits, 0, 16);
    fx->crush_step = bits ? 1.0f / (float)(1u << (bits - 1)) : 0.0f;
}

static void set_crush_rate(VoiceFx *fx, int hz)
{
    /* A hold taken up again holds its first frame, not one from before. */
    if (!fx->crush_inc)
        fx->crush_phase = VOICEFX_CRUSH_PERIOD;
    /* hz / rate of a period, to the nearest */
    fx->crush_inc = hz > 0 && (uint32_t)hz < fx->rate
                        ? (uint32_t)(((uint64_t)hz * VOICEFX_CRUSH_PERIOD + fx->rate / 2) /
                                     fx->rate)
                        : 0;
}

static void set_drive(VoiceFx *fx, int percent)
{
    int drive = hiss_clampi(percent, 0, 100);
    fx->drive_gain = drive ? powf(10.0f, 24.0f * (float)drive * fx->drive_scale / 100.0f / 20.0f)
                           : 0.0f;
    fx->drive_norm = !drive                            ? 1.0f
                     : fx->drive_type == SHAPE_DRIVE_HARD ? 1.0f
                                                          : 1.0f / soft_curve(fx->drive_gain);
}

/* The drive's type and what the note's velocity leaves of it. */
static void drive_character(VoiceFx *fx, const int *s)
{
    fx->drive_type = hiss_clampi(s[SHAPE_DRIVE_TYPE], SHAPE_DRIVE_TAPE, SHAPE_DRIVE_HARD);
    fx->drive_scale = 1.0f - (float)hiss_clampi(s[SHAPE_DRIVE_VEL], 0, 100) / 100.0f *
                                 (1.0f - fx->velocity);
}

static void crush_drive_setup(VoiceFx *fx, const int *s)
{
    set_crush_bits(fx, s[SHAPE_CRUSH_BITS]);
    set_crush_rate(fx, hiss_clampi(s[SHAPE_CRUSH_RATE], 0, 96000));
    fx->crush_mix = (float)hiss_clampi(s[SHAPE_CRUSH_MIX], 0, 100) / 100.0f;
    drive_character(fx, s);
    set_drive(fx, s[SHAPE_DRIVE]);
}

/* `ms` holds attack, hold, decay, sustain and release in that order, as
 * both envelopes' parameters do in shape.h. */
_Static_assert(SHAPE_RELEASE == SHAPE_ATTACK + 4 && SHAPE_FENV_RELEASE == SHAPE_FENV_ATTACK + 4,
               "both envelopes' parameters are five in a row");
static void env_setup(VoiceFxEnv *env, const int *ms, uint32_t rate)
{
    env->attack_frames = ms_frames(ms[0], rate);
    env->hold_frames = ms_frames(ms[1], rate);
    env->decay_frames = ms_frames(ms[2], rate);
    env->sustain = (float)hiss_clampi(ms[3], 0, 100) / 100.0f;
    env->release_frames = ms_frames(ms[4], rate);
}

void voicefx_start(VoiceFx *fx, const Instrument *inst, uint32_t rate,
                   MixerVoice *v, float key, float velocity)
{
    memset(fx, 0, sizeof *fx);
    fx->on = !shape_voice_is_plain(inst->shape);
    const int *s = inst->shape;
    env_setup(&fx->amp, s + SHAPE_ATTACK, rate);
    env_setup(&fx->fenv, s + SHAPE_FENV_ATTACK, rate);
    fx->fenv_own = s[SHAPE_FENV_FROM] == SHAPE_FENV_OWN;
    fx->pitch_frames = ms_frames(s[SHAPE_PITCH_DECAY], rate);
    fx->pitch_start = fx->pitch_frames ? (float)s[SHAPE_PITCH] : 0.0f;
    fx->glide_frames = ms_frames(s[SHAPE_GLIDE], rate);
    fx->env_st = fx->pitch_start;
    fx->pitch_mult = exp2f(fx->env_st / 12.0f);
    fx->base_step = fx->set_step = v->step;
    fx->rate = rate;
    fx->end = (uint32_t)hiss_clampi(s[SHAPE_END], 0, INT32_MAX);
    fx->fade = rate / 750 > 16 ? rate / 750 : 16; /* the engine's declick */
    fx->key = key;
    fx->velocity = velocity;
    fx->it_poles = inst->filter_it;
    filter_setup(fx, s, key, velocity);
    crush_drive_setup(fx, s);
    env_enter(&fx->amp, VOICEFX_ATTACK);
    env_enter(&fx->fenv, VOICEFX_ATTACK);
}

/* The envelope as it stands `frames` after the note's start, the note
 * held (the release undone). */
static void env_seek(VoiceFxEnv *env, uint32_t frames)
{
    env_enter(env, VOICEFX_ATTACK);
    while (env->stage < VOICEFX_SUSTAIN && frames >= env->left) {
        frames -= env->left;
        env_enter(env, (VoiceFxStage)(env->stage + 1));
    }
    if (env->stage < VOICEFX_SUSTAIN) {
        env->level += env->slope * (float)frames;
        env->left -= frames;
    }
}

/* The crush, filter and drive stages' settings and state, from one of
 * VoiceFx and VoiceFxStages to the other (both have these fields). */
#define STAGES_COPY(to, from)                                                  \
    do {                                                                       \
        (to)->filter = (from)->filter;                                         \
        (to)->k1 = (from)->k1;                                                 \
        (to)->k2 = (from)->k2;                                                 \
        (to)->band_gain = (from)->band_gain;                                   \
        (to)->self_osc = (from)->self_osc;                                     \
        memcpy((to)->ic, (from)->ic, sizeof (to)->ic);                         \
        (to)->lin = (from)->lin;                                               \
        (to)->crush_step = (from)->crush_step;                                 \
        (to)->crush_inc = (from)->crush_inc;                                   \
        (to)->crush_phase = (from)->crush_phase;                               \
        memcpy((to)->crush_held, (from)->crush_held, sizeof (to)->crush_held); \
        (to)->crush_mix = (from)->crush_mix;                                   \
        (to)->drive_gain = (from)->drive_gain;                                 \
        (to)->drive_norm = (from)->drive_norm;                                 \
        (to)->drive_type = (from)->drive_type;                                 \
    } while (0)

/* Before a change of the crush, filter or drive settings of a sounding
 * voice: the output fades from the stages as they are now (see
 * voicefx_render). Several changes on one frame fade from the stages as
 * they were before the first. */
static void change_begin(VoiceFx *fx)
{
    if (fx->change_left == VOICEFX_CHANGE_FRAMES)
        return;
    STAGES_COPY(&fx->was, fx);
    fx->change_left = VOICEFX_CHANGE_FRAMES;
}

/* Whether any of params [from, to] differs between a and b. */
static bool changed(const int *a, const int *b, ShapeParam from, ShapeParam to)
{
    for (int p = (int)from; p <= (int)to; p++)
        if (a[p] != b[p])
            return true;
    return false;
}

static float env_semis(const VoiceFx *fx);
static void bend_update(VoiceFx *fx);

/* What is left of the stage under way, `was_frames` long as it started,
 * takes the share of its new length `frames` that it had left of the old
 * one, moving from the level it has reached to `target`. A stage that now
 * takes no time ends at once when the level need not move, else over
 * VOICEFX_CHANGE_FRAMES (a jump would click). */
static void env_retime(VoiceFxEnv *env, uint32_t was_frames, uint32_t frames, float target)
{
    uint32_t left = was_frames ? (uint32_t)(((uint64_t)env->left * frames + was_frames / 2) /
                                            was_frames)
                               : frames;
    if (!left && target == env->level) {
        env_enter(env, (VoiceFxStage)(env->stage + 1));
        return;
    }
    env->left = left ? left : VOICEFX_CHANGE_FRAMES;
    env->slope = (target - env->level) / (float)env->left;
}

/* An edit of an envelope's times or sustain (`ms` as for env_setup)
 * reaches the note as it sounds: the stage under way goes on from its
 * level at the new time, the stages after it take their new times, and a
 * held note moves to a new sustain level over VOICEFX_CHANGE_FRAMES. */
static void env_edit(VoiceFxEnv *env, const int *ms, uint32_t rate)
{
    VoiceFxEnv was = *env;
    env_setup(env, ms, rate);
    switch (env->stage) {
    case VOICEFX_ATTACK:
        env_retime(env, was.attack_frames, env->attack_frames, 1.0f);
        break;
    case VOICEFX_HOLD:
        env_retime(env, was.hold_frames, env->hold_frames, 1.0f);
        break;
    case VOICEFX_DECAY:
        env_retime(env, was.decay_frames, env->decay_frames, env->sustain);
        break;
    case VOICEFX_SUSTAIN:
        if (env->sustain != was.sustain) {
            env->stage = VOICEFX_DECAY;
            env->left = VOICEFX_CHANGE_FRAMES;
            env->slope = (env->sustain - env->level) / (float)env->left;
        }
        break;
    case VOICEFX_RELEASE:
        env_retime(env, was.release_frames, env->release_frames, 0.0f);
        break;
    case VOICEFX_DONE:
        break;
    }
}

/* An edit of the pitch envelope: one under way keeps the share of its
 * fall it has left, from the new offset over the new time; one that has
 * ended (or never started) stays ended. */
static void pitch_edit(VoiceFx *fx, const int *s)
{
    uint32_t frames = ms_frames(s[SHAPE_PITCH_DECAY], fx->rate);
    float start = frames ? (float)s[SHAPE_PITCH] : 0.0f;
    int64_t t = (int64_t)fx->age - fx->pitch_origin;
    if (fx->pitch_start != 0.0f && t < (int64_t)fx->pitch_frames && start != 0.0f)
        fx->pitch_origin = (int64_t)fx->age - t * frames / fx->pitch_frames;
    else
        fx->pitch_origin = (int64_t)fx->age - frames;
    fx->pitch_start = start;
    fx->pitch_frames = frames;
    fx->env_st = env_semis(fx);
    bend_update(fx);
}

/* An edit of the glide time: the glide under way takes the share of the
 * new time that it had left of the old one. */
static void glide_edit(VoiceFx *fx, int ms)
{
    uint32_t frames = ms_frames(ms, fx->rate);
    if (fx->glide_points && frames != fx->glide_frames) {
        uint32_t points = (uint32_t)(((uint64_t)fx->glide_points * frames +
                                      fx->glide_frames - 1) / fx->glide_frames);
        fx->glide_points = points;
        if (points)
            fx->glide_per_point = fx->glide_st / (float)points;
        else
            fx->glide_st = 0.0f;
        bend_update(fx);
    }
    fx->glide_frames = frames;
}

static void update_shape(VoiceFx *fx, const int *w, const int *s);

void voicefx_update(VoiceFx *fx, const Instrument *was, const Instrument *now)
{
    update_shape(fx, was->shape, now->shape);
    if (fx->on && fx->it_poles != now->filter_it) {
        fx->it_poles = now->filter_it;
        memset(fx->ic, 0, sizeof fx->ic); /* another circuit: it starts at rest */
        filter_setup(fx, now->shape, fx->key, fx->velocity);
    }
}

static void update_shape(VoiceFx *fx, const int *w, const int *s)
{
    if (!fx->on && shape_voice_is_plain(s))
        return;
    fx->on = true;
    if (changed(s, w, SHAPE_FILTER, SHAPE_FILTER_VEL) ||
        changed(s, w, SHAPE_CRUSH_BITS, SHAPE_DRIVE_VEL))
        change_begin(fx);
    if (changed(s, w, SHAPE_FILTER, SHAPE_FILTER_ENV) ||
        changed(s, w, SHAPE_KEY_TRACK, SHAPE_FILTER_VEL)) {
        int filter = fx->filter;
        filter_setup(fx, s, fx->key, fx->velocity);
        if (fx->filter != filter) /* another circuit: it starts at rest */
            memset(fx->ic, 0, sizeof fx->ic);
    }
    fx->fenv_own = s[SHAPE_FENV_FROM] == SHAPE_FENV_OWN;
    if (changed(s, w, SHAPE_ATTACK, SHAPE_RELEASE))
        env_edit(&fx->amp, s + SHAPE_ATTACK, fx->rate);
    if (changed(s, w, SHAPE_FENV_ATTACK, SHAPE_FENV_RELEASE))
        env_edit(&fx->fenv, s + SHAPE_FENV_ATTACK, fx->rate);
    if (changed(s, w, SHAPE_PITCH, SHAPE_PITCH_DECAY))
        pitch_edit(fx, s);
    if (changed(s, w, SHAPE_GLIDE, SHAPE_GLIDE))
        glide_edit(fx, s[SHAPE_GLIDE]);
    if (changed(s, w, SHAPE_CRUSH_RATE, SHAPE_CRUSH_RATE))
        set_crush_rate(fx, hiss_clampi(s[SHAPE_CRUSH_RATE], 0, 96000));
    fx->crush_mix = (float)hiss_clampi(s[SHAPE_CRUSH_MIX], 0, 100) / 100.0f;
    if (changed(s, w, SHAPE_CRUSH_BITS, SHAPE_CRUSH_BITS))
        set_crush_bits(fx, s[SHAPE_CRUSH_BITS]);
    if (changed(s, w, SHAPE_DRIVE, SHAPE_DRIVE_VEL)) {
        drive_character(fx, s);
        set_drive(fx, s[SHAPE_DRIVE]);
    }
}

void voicefx_insert_start(VoiceFx *fx, const int *shape, uint32_t rate)
{
    memset(fx, 0, sizeof *fx);
    fx->on = true;
    fx->rate = rate;
    fx->velocity = 1.0f;
    filter_setup(fx, shape, 0.0f, 1.0f);
    crush_drive_setup(fx, shape);
}

void voicefx_insert_update(VoiceFx *fx, const int *was, const int *now)
{
    update_shape(fx, was, now);
}

bool voicefx_insert_active(const VoiceFx *fx)
{
    return fx->filter != SHAPE_FILTER_OFF || fx->crush_step > 0.0f || fx->crush_inc ||
           fx->drive_gain > 0.0f || fx->change_left;
}

bool voicefx_effect(VoiceFx *fx, uint8_t letter, uint8_t param, bool first)
{
    if (!strchr("MNQIJWY", letter) || !letter)
        return false;
    if (!first) {
        /* Nxy slides on the ticks after the first: x up, y down, in
         * semitones per tick, within 20 Hz .. 20 kHz. */
        if (letter == 'N' && fx->on && fx->filter != SHAPE_FILTER_OFF) {
            float base = fx->cutoff_log2 - fx->cutoff_offset +
                         ((float)(param >> 4) - (float)(param & 15)) / 12.0f;
            base = base < CUTOFF_MIN_LOG2 ? CUTOFF_MIN_LOG2
                   : base > CUTOFF_MAX_LOG2 ? CUTOFF_MAX_LOG2 : base;
            fx->cutoff_log2 = base + fx->cutoff_offset;
            it_retune(fx);
        }
        return true;
    }
    fx->on = true;
    /* A new cutoff glides (filter_coefficients); the rest fade. */
    if (letter != 'Y' && (letter != 'M' || fx->filter == SHAPE_FILTER_OFF))
        change_begin(fx);
    switch (letter) {
    case 'M': /* cutoff: 20 Hz x 1000^(xx/255), FF = 20 kHz */
        if (fx->filter == SHAPE_FILTER_OFF) {
            fx->filter = SHAPE_FILTER_LP12;
            set_resonance(fx, fx->resonance);
        }
        fx->cutoff_log2 = CUTOFF_MIN_LOG2 +
                          (CUTOFF_MAX_LOG2 - CUTOFF_MIN_LOG2) * (float)param / 255.0f +
                          fx->cutoff_offset;
        it_retune(fx);
        break;
    case 'Q': /* resonance xx/255 */
        set_resonance(fx, (float)param / 255.0f);
        break;
    case 'I': /* bits: 00 none, 01..10 */
        set_crush_bits(fx, param > 16 ? 16 : param);
        break;
    case 'J': /* sample-and-hold at xx x 200 Hz, 00 none */
        set_crush_rate(fx, param * 200);
        break;
    case 'W': /* drive xx/255 of the full 24 dB */
        set_drive(fx, (param * 100 + 127) / 255);
        break;
    case 'Y': { /* Y00: the envelopes from their start; Yxx: from xx x 10 ms */
        uint32_t at = (uint32_t)(((uint64_t)param * 10 * fx->rate + 500) / 1000);
        /* The level heard now, within a fade of a Yxx before. */
        float done = (float)(VOICEFX_CHANGE_FRAMES - fx->amp_fade_left) / VOICEFX_CHANGE_FRAMES;
        fx->amp_was = fx->amp_fade_left ? fx->amp_was + (fx->amp.level - fx->amp_was) * done
                                        : fx->amp.level;
        fx->amp_fade_left = VOICEFX_CHANGE_FRAMES;
        env_seek(&fx->amp, at);
        env_seek(&fx->fenv, at);
        fx->pitch_origin = (int64_t)fx->age - at;
        break;
    }
    default:
        break;
    }
    return true;
}

void voicefx_cutoff_scale(VoiceFx *fx, float share)
{
    fx->cutoff_scale = share < 0.0f ? 0.0f : share > 1.0f ? 1.0f : share;
    it_retune(fx);
}

static void env_release(VoiceFxEnv *env)
{
    if (env->stage < VOICEFX_RELEASE)
        env_enter(env, VOICEFX_RELEASE);
}

void voicefx_release(VoiceFx *fx)
{
    env_release(&fx->amp);
    env_release(&fx->fenv);
}

static uint32_t scaled(uint32_t frames, double scale)
{
    if (frames == UINT32_MAX)
        return frames;
    double f = llround((double)frames * scale);
    return f < 1.0 && frames ? 1u : (uint32_t)f;
}

static void env_carry(VoiceFxEnv *to, const VoiceFxEnv *from, double scale)
{
    to->attack_frames = scaled(from->attack_frames, scale);
    to->hold_frames = scaled(from->hold_frames, scale);
    to->decay_frames = scaled(from->decay_frames, scale);
    to->release_frames = scaled(from->release_frames, scale);
    to->left = scaled(from->left, scale);
    if (to->left && to->left != UINT32_MAX)
        to->slope = (float)(from->slope * (double)from->left / to->left);
}

void voicefx_carry(VoiceFx *to, const VoiceFx *from, double scale)
{
    *to = *from;
    if (scale == 1.0 || !to->on)
        return;
    env_carry(&to->amp, &from->amp, scale);
    env_carry(&to->fenv, &from->fenv, scale);
    to->pitch_frames = scaled(from->pitch_frames, scale);
    to->glide_frames = scaled(from->glide_frames, scale);
    if (from->glide_points) {
        to->glide_points = scaled(from->glide_points, scale);
        to->glide_per_point = to->glide_st / (float)to->glide_points;
    }
    to->rate = (uint32_t)llround(from->rate * scale);
    it_retune(to);
    to->g_set = false; /* the cutoff is worked out again at the new rate */
    to->change_left = 0; /* the stages as they were are not carried */
    to->dg = 0.0f;
    to->lin.ready = false;
    if (to->crush_inc) { /* the same hold rate in Hz; none from the rate up */
        double inc = (double)from->crush_inc / scale;
        to->crush_inc = inc < (double)VOICEFX_CRUSH_PERIOD ? (uint32_t)llround(inc) : 0;
    }
    to->age = (uint64_t)llround((double)from->age * scale);
    to->age -= to->age % VOICEFX_CONTROL_FRAMES;
    to->pitch_origin = (int64_t)llround((double)from->pitch_origin * scale);
    /* The mixer rescaled the voice's step; the base follows. */
    to->set_step = 0;
    to->base_step = (uint64_t)llround((double)from->base_step / scale);
}

/* The pitch envelope's semitones at the voice's current age. */
static float env_semis(const VoiceFx *fx)
{
    int64_t t = (int64_t)fx->age - fx->pitch_origin;
    if (fx->pitch_start == 0.0f || t >= (int64_t)fx->pitch_frames)
        return 0.0f;
    return fx->pitch_start * (1.0f - (float)t / (float)fx->pitch_frames);
}

/* The multiplier of both bends; exactly 1 when neither bends. */
static void bend_update(VoiceFx *fx)
{
    float st = fx->env_st + fx->glide_st;
    fx->pitch_mult = st == 0.0f ? 1.0f : exp2f(st / 12.0f);
}

static bool bending(const VoiceFx *fx)
{
    return fx->glide_points ||
           (fx->pitch_start != 0.0f &&
            (int64_t)fx->age - fx->pitch_origin < (int64_t)fx->pitch_frames + VOICEFX_CONTROL_FRAMES);
}

/* A control point: the pitch envelope's next value, the glide's next
 * step. */
static void bend_advance(VoiceFx *fx)
{
    fx->env_st = env_semis(fx);
    if (fx->glide_points && !--fx->glide_points)
        fx->glide_st = 0.0f;
    else if (fx->glide_points)
        fx->glide_st -= fx->glide_per_point;
    bend_update(fx);
}

void voicefx_glide(VoiceFx *fx, float semis)
{
    if (!fx->glide_frames)
        return;
    fx->glide_st += semis;
    fx->glide_points = (fx->glide_frames + VOICEFX_CONTROL_FRAMES - 1) /
                       VOICEFX_CONTROL_FRAMES;
    fx->glide_per_point = fx->glide_st / (float)fx->glide_points;
    bend_update(fx);
}

/* Gives the voice its step: a step the engine set since the last call is
 * the new base. */
static void apply_step(VoiceFx *fx, MixerVoice *v)
{
    if (v->step != fx->set_step)
        fx->base_step = v->step;
    uint64_t step = fx->pitch_mult == 1.0f
                        ? fx->base_step
                        : mixer_step_from_ratio((double)fx->base_step /
                                                4294967296.0 * fx->pitch_mult);
    mixer_voice_set_step(v, step);
    fx->set_step = v->step;
}

/* How many of the next `most` sums level + slope, each on the one
 * before, come out as level + i r for one r (0 if not a few): while
 * every sum stays inside the binade of `level`, a unit u apart from its
 * edges, each rounds to the grid of that binade, u, by the same r, the
 * nearest multiple of u to slope (unless slope lies halfway between two,
 * where the rounding would go by the sum's last bit). */
static uint32_t env_exact_span(float level, float slope, uint32_t most, float *step)
{
    if (!(level >= 0x1p-100f && level < 0x1p100f) || !(fabsf(slope) < 0x1p100f))
        return 0;
    int ex;
    frexpf(level, &ex); /* level in [2^(ex-1), 2^ex) */
    const double lo = ldexp(1.0, ex - 1), hi = ldexp(1.0, ex), u = ldexp(1.0, ex - 24);
    const double units = (double)slope / u, whole = floor(units);
    if (units - whole == 0.5)
        return 0;
    const double r = nearbyint(units) * u;
    if (level < lo + u || level > hi - u)
        return 0;
    double m = most;
    if (r > 0)
        m = floor((hi - u - level) / r);
    else if (r < 0)
        m = floor((level - lo - u) / -r);
    if (m > most)
        m = most;
    while (m > 0 && (level + m * r > hi - u || level + m * r < lo + u))
        m--;
    *step = (float)r;
    return m < 8 ? 0 : (uint32_t)m;
}

/* levels[j] = level + slope, then each the one before + slope, k of
 * them; returns the last. The same sums one by one would give, but a
 * stretch whose sums all round by one step (env_exact_span) goes four
 * a store, with no chain of sums from frame to frame. */
static float env_ramp(float *levels, uint32_t k, float level, float slope)
{
    uint32_t j = 0;
    while (j < k) {
        float r;
        uint32_t m = env_exact_span(level, slope, k - j, &r);
        if (!m) {
            level += slope;
            levels[j++] = level;
            continue;
        }
        /* level + i r is exact for every i up to m: a multiple of u in
         * the binade of level. */
        const FxV4 base = {level, level, level, level}, step = {r, r, r, r};
        FxV4 at = {1, 2, 3, 4};
        uint32_t i = 0;
        for (; i + 4 <= m; i += 4, at += 4.0f)
            fx_store(levels + j + i, base + at * step);
        for (; i < m; i++)
            levels[j + i] = level + (float)(i + 1) * r;
        level = levels[j + m - 1];
        j += m;
    }
    return level;
}

/* The envelope's next n levels; true when they are all the first. When
 * not `fill`, levels held over all n frames (most runs) are not written
 * out: only levels[0], which is what the stages read of a still
 * envelope (filter_coefficients, drive_gains). */
static bool env_levels(VoiceFxEnv *env, float *levels, uint32_t n, bool fill)
{
    uint32_t i = 0;
    bool still = true;
    const float first = env->level;
    while (i < n) {
        uint32_t k = n - i < env->left ? n - i : env->left;
        float level = env->level, slope = env->slope;
        still = still && slope == 0.0f && level == first;
        if (slope == 0.0f && !fill && k == n) {
            levels[0] = level;
        } else if (slope == 0.0f) {
            /* Held or sustaining, most of a note: no chain of sums, and
             * four levels a store (the compiler leaves this loop as it
             * is at -O2). */
            const FxV4 four = {level, level, level, level};
            uint32_t j = 0;
            for (; j + 4 <= k; j += 4)
                fx_store(levels + i + j, four);
            for (; j < k; j++)
                levels[i + j] = level;
        } else {
            level = env_ramp(levels + i, k, level, slope);
        }
        env->level = level;
        i += k;
        if (env->left != UINT32_MAX)
            env->left -= k;
        if (!env->left) {
            VoiceFxStage next = env->stage == VOICEFX_RELEASE ? VOICEFX_DONE
                                                             : (VoiceFxStage)(env->stage + 1);
            env_enter(env, next);
        }
    }
    return still;
}

/* The first frames of a run's amplitude levels fade from amp_was, the
 * level before a Yxx moved the envelope, so the move does not click. */
static void amp_fade(VoiceFx *fx, float *levels, uint32_t n)
{
    uint32_t done = VOICEFX_CHANGE_FRAMES - fx->amp_fade_left;
    uint32_t m = n < fx->amp_fade_left ? n : fx->amp_fade_left;
    for (uint32_t i = 0; i < m; i++) {
        float t = (float)(done + i + 1) / (float)VOICEFX_CHANGE_FRAMES;
        levels[i] = fx->amp_was + (levels[i] - fx->amp_was) * t;
    }
    fx->amp_fade_left -= m;
}

/* Bit reduction to 2^bits two's-complement levels, -1 .. 1 - 2^(1-bits),
 * rounding, so silence stays silent; none when step is 0. */
typedef struct {
    FxV4 low, top, half, step;
    bool on;
} CrushLevels;

static inline __attribute__((always_inline)) CrushLevels crush_levels(float step)
{
    const float half = step > 0.0f ? 1.0f / step : 0.0f; /* 2^(bits-1) */
    const FxV4 low = {-half, -half, -half, -half};
    return (CrushLevels){low, -low - 1.0f, -low, {step, step, step, step}, step > 0.0f};
}

/* v's level in each lane. The level is floor(v half + 1/2) kept to -half
 * .. half - 1. Both ends are whole, so the value may be kept to them
 * before the floor (the same result): two min/max instructions. The
 * floor is a truncation of the value made positive. */
static inline FxV4 crush_level(FxV4 v, const CrushLevels *q)
{
    if (!q->on)
        return v;
    FxV4 t = fx_max(fx_min(v * q->half + 0.5f, q->top), q->low);
    return (__builtin_convertvector(__builtin_convertvector(t + 65536.0f, FxI4), FxV4) -
            65536.0f) *
           q->step;
}

/* Bit reduction of x mixed with x itself, in place. count is a multiple
 * of four. */
static inline __attribute__((always_inline)) void crush_quantize(float *x, const CrushLevels *q, float mix,
                                                      uint32_t count)
{
    const FxV4 mix4 = {mix, mix, mix, mix};
    for (uint32_t i = 0; i < count; i += 4) {
        FxV4 c = fx_load(x + i);
        fx_store(x + i, c + mix4 * (crush_level(c, q) - c));
    }
}

/* The first n frames of s, output of a stage whose setting just changed,
 * fade in over what the setting before gave (was), from where the fade
 * had got to: no step when a pattern changes the setting. */
static void change_fade(float *s, const float *was, uint32_t n, uint32_t *left)
{
    uint32_t done = VOICEFX_CHANGE_FRAMES - *left;
    for (uint32_t i = 0; i < n; i++) {
        float t = (float)(done + i + 1) / (float)VOICEFX_CHANGE_FRAMES;
        s[2 * i] = was[2 * i] + (s[2 * i] - was[2 * i]) * t;
        s[2 * i + 1] = was[2 * i + 1] + (s[2 * i + 1] - was[2 * i + 1]) * t;
    }
    *left -= n;
}

/* Sample-and-hold at the crush rate, then bit reduction, mixed with the
 * dry signal. No anti-aliasing: the grit is the point. */
static inline __attribute__((always_inline)) void crush_run(VoiceFx *fx, float *s, uint32_t n, int chans)
{
    /* The phase in whole numbers (VOICEFX_CRUSH_PERIOD a period): from
     * frame to frame it waits on one integer sum, a third of a float's. */
    const uint64_t inc = fx->crush_inc, whole = VOICEFX_CRUSH_PERIOD;
    const CrushLevels q = crush_levels(fx->crush_step);
    (void)chans; /* a mono voice has both sides equal, and keeps them so */
    if (!inc) {
        /* The buffers hold a multiple of four. */
        crush_quantize(s, &q, fx->crush_mix, 2 * (n + (n & 1)));
        return;
    }
    /* A held frame keeps its level until the next is taken: it is
     * reduced once, when taken, and each frame is only mixed with it.
     * Two frames a vector; the held frame and its level are kept in both
     * halves. */
    const float m = fx->crush_mix;
    const FxV4 mix = {m, m, m, m};
    uint64_t phase = fx->crush_phase;
    FxV4 held = {fx->crush_held[0], fx->crush_held[1], fx->crush_held[0], fx->crush_held[1]};
    FxV4 level = crush_level(held, &q);
    uint32_t i = 0;
    /* Four frames a step in eight lanes while there are four. */
    const FxV8 mix8 = {m, m, m, m, m, m, m, m};
    for (; i + 4 <= n; i += 4) {
        FxV8 c = *(const FxV8u *)(s + 2 * i);
        FxV4 c01 = FX_LOW(c), c23 = FX_HIGH(c), at[4];
#define CRUSH_FRAME(k, from, a, b)                                                 \
        phase += inc;                                                          \
        if (phase >= whole) {                                                   \
            phase -= whole;                                                     \
            held = __builtin_shufflevector(from, from, a, b, a, b);            \
            level = crush_level(held, &q);                                     \
        }                                                                      \
        at[k] = level;
        CRUSH_FRAME(0, c01, 0, 1)
        CRUSH_FRAME(1, c01, 2, 3)
        CRUSH_FRAME(2, c23, 0, 1)
        CRUSH_FRAME(3, c23, 2, 3)
#undef CRUSH_FRAME
        FxV8 levels = FX_PAIR(__builtin_shufflevector(at[0], at[1], 0, 1, 6, 7),
                              __builtin_shufflevector(at[2], at[3], 0, 1, 6, 7));
        *(FxV8u *)(s + 2 * i) = c + mix8 * (levels - c);
    }
    for (; i < n; i += 2) {
        FxV4 c = fx_load(s + 2 * i);
        phase += inc;
        if (phase >= whole) {
            phase -= whole;
            held = __builtin_shufflevector(c, c, 0, 1, 0, 1);
            level = crush_level(held, &q);
        }
        FxV4 first = level;
        if (i + 1 < n) {
            phase += inc;
            if (phase >= whole) {
                phase -= whole;
                held = __builtin_shufflevector(c, c, 2, 3, 2, 3);
                level = crush_level(held, &q);
            }
        }
        fx_store(s + 2 * i, c + mix * (__builtin_shufflevector(first, level, 0, 1, 6, 7) - c));
    }
    fx->crush_held[0] = held[0];
    fx->crush_held[1] = held[1];
    fx->crush_phase = phase < whole ? phase : 0;
}

/* tan x for 0 <= x <= 0.45 pi, the cutoffs' range, in each of four
 * lanes: sine and cosine by their series to x^11 and x^12 (within 2e-8
 * there, so the tangent is good to float precision) and one division. A
 * control point takes this instead of tanf, which cost several times as
 * much; four control points go at once, their divisions by the series'
 * constants four an instruction (each lane the same value alone). */
static inline FxV4 tan_to_045(FxV4 x)
{
    FxV4 x2 = x * x;
    FxV4 sin = x * (1.0f - x2 / 6.0f * (1.0f - x2 / 20.0f * (1.0f - x2 / 42.0f *
                    (1.0f - x2 / 72.0f * (1.0f - x2 / 110.0f)))));
    FxV4 cos = 1.0f - x2 / 2.0f * (1.0f - x2 / 12.0f * (1.0f - x2 / 30.0f *
                    (1.0f - x2 / 56.0f * (1.0f - x2 / 90.0f * (1.0f - x2 / 132.0f)))));
    return sin / cos;
}

/* The cutoff in log2 Hz at envelope level `env`. */
static float cutoff_octaves(const VoiceFx *fx, float env)
{
    if (fx->cutoff_scale != 1.0f)
        return FILTER_FLOOR_LOG2 + (fx->cutoff_log2 - FILTER_FLOOR_LOG2) * fx->cutoff_scale +
               fx->env_octaves * env;
    return fx->cutoff_log2 + fx->env_octaves * env;
}

/* How far a moving cutoff (an envelope's sweep, a slide) goes, in
 * octaves, before the filter takes a new target: a twelfth of a
 * semitone. A slow sweep (a
 * pad's decay moves a few semitones a second, a hundredth of a semitone
 * a control period) then holds one g for many periods, and a run that
 * holds one is still (filter_coefficients): no coefficients to work out,
 * where each period's took as long as filtering it. The cutoff is never
 * further off than that twelfth (0.5%, far below what an ear tells apart
 * in a sweep), and a new target is a step of at most two of them (or
 * of one period's move, in a sweep faster than that): a stair
 * (FILTER_STAIR_MOVE) below the cutoffs where g grows faster than the
 * cutoff does. */
#define FILTER_HOLD_OCTAVES (1.0f / 144.0f)

/* The g of the cutoffs at the run's control points (frames first,
 * first + VOICEFX_CONTROL_FRAMES, ..., `count` of them) into targets: the
 * setting moved by the envelope, kept below 0.45 of the rate. Each is
 * what that cutoff alone gives; a point whose cutoff is the one of the g
 * held (a held envelope, no sweep), or, while the cutoff moves from point
 * to point, within FILTER_HOLD_OCTAVES of it, takes the g held, with no
 * exp2f and tangent, and the tangents of the others go four at a time.
 * A point whose cutoff is the last point's (the envelope at rest again)
 * takes its own exactly. */
static void cutoff_targets(VoiceFx *fx, const float *env, uint32_t first, uint32_t count,
                           float *targets)
{
    enum { MOST = VOICEFX_RUN / VOICEFX_CONTROL_FRAMES + 1 };
    float octaves[MOST], hz[MOST + 3];
    uint32_t new_at[MOST], fresh = 0;
    const float top = 0.45f * (float)fx->rate;
    float was = fx->g_target_log2, point = fx->point_log2;
    bool known = fx->g_set;
    for (uint32_t c = 0; c < count; c++) {
        octaves[c] = cutoff_octaves(fx, env[fx->env_still ? 0 : first + c * VOICEFX_CONTROL_FRAMES]);
        /* (point by point, not by run: the same in any block size) */
        const float hold = octaves[c] == point ? 0.0f : FILTER_HOLD_OCTAVES;
        point = octaves[c];
        if (known && fabsf(octaves[c] - was) <= hold)
            continue;
        known = true;
        was = octaves[c];
        hz[fresh] = exp2f(octaves[c]);
        new_at[fresh++] = c;
    }
    for (uint32_t c = fresh; c < fresh + 3; c++) /* whole vectors */
        hz[c] = 10.0f;
    /* Four points an instruction from here: each lane as one alone. */
    const FxV4 floor4 = {10.0f, 10.0f, 10.0f, 10.0f}, top4 = {top, top, top, top},
               rate4 = {(float)fx->rate, (float)fx->rate, (float)fx->rate, (float)fx->rate};
    float g[MOST + 3];
    for (uint32_t c = 0; c < fresh; c += 4) {
        const FxV4 clamped = fx_max(fx_min(fx_load(hz + c), top4), floor4);
        fx_store(g + c, tan_to_045(3.14159265f * clamped / rate4));
    }
    float last = fx->g_target;
    for (uint32_t c = 0, k = 0; c < count; c++) {
        if (k < fresh && new_at[k] == c)
            last = g[k++];
        targets[c] = last;
    }
    /* the cutoff of the g held, not of the last point (within the hold
     * of it): the next run's points measure from there */
    fx->g_target_log2 = was;
    fx->point_log2 = point;
}

/* The filter's sections (zero-delay-feedback state-variable, trapezoidal
 * integrators) run one per lane: lanes 0 and 1 are the first stage's left
 * and right, lanes 2 and 3 the second stage's (24 dB). Each lane does
 * exactly what one section alone would, so lanes may be at different
 * frames: the second stage runs a frame behind the first, on the output
 * the first gave the step before, and a stereo 24 dB voice takes one step
 * a frame instead of four sections one after another. */

/* One step: the low, band and high outputs for input x, with per-lane g,
 * damping k and a1 = 1 / (1 + g (g + k)). In the lanes of `osc` (when
 * self_osc) the damping is k plus SELF_OSC_C times the square of this
 * frame's band-pass output, found in two steps: the band-pass with the
 * damping of the state, then the damping of that band-pass (a state half
 * a frame late would detune the oscillation by 1% at 5 kHz). */
static inline __attribute__((always_inline)) void
svf4(FxV4 ic[2], FxV4 x, FxV4 g, FxV4 k, FxV4 a1, FxI4 osc, bool self_osc, FxV4 *lo,
     FxV4 *band, FxV4 *hi)
{
    if (self_osc) {
        FxV4 keff = k + SELF_OSC_C * ic[0] * ic[0];
        FxV4 v1 = (ic[0] + g * (x - ic[1])) / (1.0f + g * (g + keff));
        keff = k + SELF_OSC_C * v1 * v1;
        a1 = fx_pick(osc, 1.0f / (1.0f + g * (g + keff)), a1);
        k = fx_pick(osc, keff, k);
    }
    FxV4 a2 = g * a1, a3 = g * a2;
    FxV4 v3 = x - ic[1];
    FxV4 v1 = a1 * ic[0] + a2 * v3;
    FxV4 v2 = ic[1] + a2 * ic[0] + a3 * v3;
    /* The new state, 2 v - ic, written so that its chain from the old
     * state is one product and one sum (the next step waits on it). */
    FxV4 two_a2 = 2.0f * a2, two_a3 = 2.0f * a3;
    FxV4 ic0 = (2.0f * a1 - 1.0f) * ic[0] + two_a2 * v3;
    ic[1] = (1.0f - two_a3) * ic[1] + (two_a2 * ic[0] + two_a3 * x);
    ic[0] = ic0;
    *lo = v2;
    *band = v1;
    *hi = x - k * v1 - v2;
}

/* The damping divisions 1 / (1 + g (g + k)) of a glide's frames, four an
 * instruction: the same values one frame at a time would give. */
static inline void glide_coefficients(const float *g, float k, float *a, uint32_t n)
{
    for (uint32_t j = 0; j < n; j += 4) {
        FxV4 gv = fx_load(g + j);
        fx_store(a + j, 1.0f / (1.0f + gv * (gv + k)));
    }
}

/* Frames [from, from + len) of a run at one g, and its a1 and b1. */
typedef struct {
    uint32_t from, len;
    float g, a1, b1;
} FxStretch;

/* A control period's move of g smaller than this share of g (about a
 * sixth of a semitone: an envelope's sweep, not an Nxx jump) is taken as
 * one step to the middle of the move, held over the period, instead of
 * a glide frame by frame: a cutoff at most a twelfth of a semitone off
 * for a third of a millisecond, and a period's coefficients worked out
 * once, not sixteen times. */
#define FILTER_STAIR_MOVE 0.01f

/* A control period's frames of a list at one value: four stores, not a
 * loop (which the compiler kept, a compare and a branch a store). */
static inline void fill_period(float *list, FxV4 v)
{
    _Static_assert(VOICEFX_CONTROL_FRAMES == 16, "a period is four stores");
    fx_store(list, v);
    fx_store(list + 4, v);
    fx_store(list + 8, v);
    fx_store(list + 12, v);
}

/* filter_coefficients for a run whose every control point moves g by at
 * most FILTER_STAIR_MOVE of it (a still cutoff's too), g held from a
 * stair before (dg 0, g_set): each point's g is the mean of its target
 * and the one before, a1 and b1 those of that g, as the frame-by-frame
 * loop finds them, four points an instruction. False, with nothing
 * changed, when some point moves further (that loop takes the run);
 * else *still as filter_coefficients returns it. The targets have a
 * place before them (the target before the run's goes there) and three
 * past them (whole vectors). */
static bool stairs_coefficients(VoiceFx *fx, float *targets, uint32_t first, uint32_t points,
                                uint32_t n, bool two, float *gs, float *as, float *bs,
                                bool *still)
{
    enum { MOST = VOICEFX_RUN / VOICEFX_CONTROL_FRAMES + 1 };
    float g[MOST + 3], a[MOST + 3], b[MOST + 3];
    const float k1 = fx->k1, k2 = fx->k2, g0 = fx->g;
    targets[-1] = fx->g_target;
    for (uint32_t c = points; c < points + 3; c++)
        targets[c] = g0;
    const FxI4 magnitude = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
    const FxI4 lanes = {0, 1, 2, 3};
    const FxV4 g04 = {g0, g0, g0, g0};
    FxI4 far = {0, 0, 0, 0}, moves = {0, 0, 0, 0};
    for (uint32_t c = 0; c < points; c += 4) {
        /* each point's target and the one before; lanes past the points
         * count for nothing */
        const FxV4 w = fx_load(targets + c - 1), t = fx_load(targets + c);
        const FxI4 point = lanes + (int32_t)c < (int32_t)points;
        const FxV4 move = (FxV4)((FxI4)(t - w) & magnitude);
        far |= point & ~(move <= FILTER_STAIR_MOVE * w);
        const FxV4 gv = 0.5f * (w + t);
        moves |= point & (gv != g04);
        fx_store(g + c, gv);
        fx_store(a + c, 1.0f / (1.0f + gv * (gv + k1)));
        fx_store(b + c, two ? 1.0f / (1.0f + gv * (gv + k2)) : (FxV4){0, 0, 0, 0});
    }
    if (far[0] | far[1] | far[2] | far[3])
        return false;
    const bool moved = moves[0] | moves[1] | moves[2] | moves[3];
    fx->g_set = true;
    if (points) {
        fx->g_target = targets[points - 1];
        fx->g = g[points - 1];
    }
    fx->dg = 0.0f;
    const float a0 = 1.0f / (1.0f + g0 * (g0 + k1)), b0 = two ? 1.0f / (1.0f + g0 * (g0 + k2)) : 0.0f;
    *still = !moved;
    if (!moved) {
        gs[0] = g0;
        as[0] = a0;
        bs[0] = b0;
        return true;
    }
    /* A whole period from each stretch's first frame (the lists have a
     * period to spare past the run), the stretches in order: the next
     * overwrites what one wrote past its end. */
    for (uint32_t c = first ? 0 : 1, from = 0; from < n; c++) {
        const float gc = c ? g[c - 1] : g0, ac = c ? a[c - 1] : a0, bc = c ? b[c - 1] : b0;
        fill_period(gs + from, (FxV4){gc, gc, gc, gc});
        fill_period(as + from, (FxV4){ac, ac, ac, ac});
        fill_period(bs + from, (FxV4){bc, bc, bc, bc});
        from += c == 0 ? first : VOICEFX_CONTROL_FRAMES;
    }
    gs[n] = gs[n - 1];
    as[n] = as[n - 1];
    bs[n] = bs[n - 1];
    return true;
}

/* The length of a run's lists of g and a1 (filter_coefficients): a place
 * for the frame before the run (lin_open), its frames, and a control
 * period past them (stairs_coefficients' stores of whole periods). */
enum { FILTER_LIST = 1 + VOICEFX_RUN + VOICEFX_CONTROL_FRAMES };

/* Each of the next n frames' g and 1 / (1 + g (g + k)) of both stages
 * (gs, as, bs: n + VOICEFX_CONTROL_FRAMES long, FILTER_LIST). Frames go
 * by control period: a still cutoff costs no division, a gliding one has
 * its divisions done for the whole period at once. True when every
 * frame has the g it started with (a still cutoff, most of a note): then
 * only the first frame's are written, the same for all. *stairs is
 * whether g held still over each control period of the run (no glide
 * frame by frame). */
static bool filter_coefficients(VoiceFx *fx, const float *env, uint32_t n, bool two,
                                float *gs, float *as, float *bs, bool *stairs)
{
    bool still = true;
    /* The stretches at one g, written out at the end only if some other
     * stretch glides; while all is still, none is kept (the frames so far
     * are one stretch at the first g, kept when that ends). */
    FxStretch level[VOICEFX_RUN / VOICEFX_CONTROL_FRAMES + 2];
    int levels = 0;
    const float k1 = fx->k1, k2 = fx->k2;
    float g = fx->g, dg = fx->dg;
    float a1 = 1.0f / (1.0f + g * (g + k1));
    float b1 = two ? 1.0f / (1.0f + g * (g + k2)) : 0.0f;
    const float g0 = g, a10 = a1, b10 = b1;
    *stairs = dg == 0.0f;
    /* A cutoff at rest under an envelope at rest (most runs) stays so:
     * what the control points would find, found once. */
    if (fx->env_still && fx->g_set && dg == 0.0f && g == fx->g_target &&
        cutoff_octaves(fx, env[0]) == fx->g_target_log2) {
        fx->point_log2 = fx->g_target_log2; /* as its points would leave it */
        gs[0] = g;
        as[0] = a1;
        bs[0] = b1;
        return true;
    }
    uint64_t age = fx->age;
    /* a place before the points and three past (stairs_coefficients) */
    float targets_at[VOICEFX_RUN / VOICEFX_CONTROL_FRAMES + 5], *targets = targets_at + 1;
    const uint32_t first = (uint32_t)((VOICEFX_CONTROL_FRAMES - age % VOICEFX_CONTROL_FRAMES) %
                                      VOICEFX_CONTROL_FRAMES);
    const uint32_t points = first < n ? (n - 1 - first) / VOICEFX_CONTROL_FRAMES + 1 : 0;
    cutoff_targets(fx, env, first, points, targets);
    bool held_still;
    if (dg == 0.0f && fx->g_set &&
        stairs_coefficients(fx, targets, first, points, n, two, gs, as, bs, &held_still))
        return held_still;
    uint32_t point = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t phase = (uint32_t)(age % VOICEFX_CONTROL_FRAMES);
        if (phase == 0) {
            float target = targets[point++];
            /* The glide before this one has arrived: start from exactly
             * its target, so a still cutoff stays still. */
            float was = g;
            g = fx->g_set ? fx->g_target : target;
            fx->g_set = true;
            fx->g_target = target;
            dg = (target - g) / (float)VOICEFX_CONTROL_FRAMES;
            if (fabsf(target - g) <= FILTER_STAIR_MOVE * g) {
                g = 0.5f * (g + target);
                dg = 0.0f;
            }
            /* a1 and b1 are always those of g: the same g, the same. */
            if (g != was) {
                a1 = 1.0f / (1.0f + g * (g + k1));
                if (two)
                    b1 = 1.0f / (1.0f + g * (g + k2));
            }
            if (still && g != was) {
                still = false;
                level[levels++] = (FxStretch){0, i, g0, a10, b10};
            }
        }
        uint32_t len = VOICEFX_CONTROL_FRAMES - phase;
        if (len > n - i)
            len = n - i;
        if (dg != 0.0f) {
            *stairs = false;
            if (still && i)
                level[levels++] = (FxStretch){0, i, g0, a10, b10};
            still = false;
            for (uint32_t j = 0; j < len; j++) {
                g += dg;
                gs[i + j] = g;
            }
            for (uint32_t j = len; j < len + 3; j++) /* whole vectors */
                gs[i + j] = g;
            glide_coefficients(gs + i, k1, as + i, len);
            a1 = as[i + len - 1];
            if (two) {
                glide_coefficients(gs + i, k2, bs + i, len);
                b1 = bs[i + len - 1];
            }
        } else if (!still) {
            level[levels++] = (FxStretch){i, len, g, a1, b1};
        }
        i += len;
        age += len;
    }
    fx->g = g;
    fx->dg = dg;
    if (still) {
        gs[0] = g;
        as[0] = a1;
        bs[0] = b1;
        return true;
    }
    /* Without glides, four frames a store: the stretches go in order, so
     * the next overwrites what a last vector wrote past one (the arrays
     * have three to spare at the end). */
    if (*stairs) {
        for (int k = 0; k < levels; k++) {
            const FxStretch *st = &level[k];
            const FxV4 g4 = {st->g, st->g, st->g, st->g}, a4 = {st->a1, st->a1, st->a1, st->a1},
                       b4 = {st->b1, st->b1, st->b1, st->b1};
            for (uint32_t j = st->from; j < st->from + st->len; j += 4) {
                fx_store(gs + j, g4);
                fx_store(as + j, a4);
                fx_store(bs + j, b4);
            }
        }
    } else {
        /* After the glides, whose last vectors may run into them. */
        for (int k = 0; k < levels; k++)
            for (uint32_t j = level[k].from; j < level[k].from + level[k].len; j++) {
                gs[j] = level[k].g;
                as[j] = level[k].a1;
                bs[j] = level[k].b1;
            }
    }
    /* One past the run, for lin_lanes_glide's loads of four. */
    gs[n] = gs[n - 1];
    as[n] = as[n - 1];
    bs[n] = bs[n - 1];
    return false;
}

/* One step of the single stage on frame t of s (lanes 0 and 1). */
static inline __attribute__((always_inline)) void
single_step(FxV4 ic[2], float *s, uint32_t t, const int r, FxV4 g, FxV4 a, FxV4 k, FxI4 osc,
            bool self_osc, float band_gain, const int mode)
{
    FxV4 lo, band, hi;
    FxV4 x = {s[2 * t], s[2 * t + r], 0.0f, 0.0f};
    svf4(ic, x, g, k, a, osc, self_osc, &lo, &band, &hi);
    FxV4 y = mode == SHAPE_FILTER_LP12   ? lo
             : mode == SHAPE_FILTER_HP12 ? hi
             : mode == SHAPE_FILTER_BP12 ? band_gain * band /* unity at the peak */
                                         : lo + hi;
    s[2 * t] = y[0];
    s[2 * t + 1] = y[r];
}

/* One step of both stages: the first on frame `now` of s, the second on
 * what the first gave two steps ago (fed[1]), for frame `late`, written
 * back when `out`. When may_keep, the lanes of `keep` (those without a
 * frame at this step) go back to their state before it. */
static inline __attribute__((always_inline)) void
pair_step(FxV4 ic[2], FxV4 fed[2], float *s, uint32_t now, uint32_t late, bool out,
          const int r, FxV4 g, FxV4 a, FxV4 k, FxI4 osc, bool self_osc, FxV4 band_gains,
          FxI4 keep, const int mode, const bool may_keep)
{
    FxV4 lo, band, hi;
    FxV4 x = {s[2 * now], s[2 * now + r], fed[1][0], fed[1][1]};
    FxV4 before[2] = {ic[0], ic[1]};
    svf4(ic, x, g, k, a, osc, self_osc, &lo, &band, &hi);
    /* Both sections give the same output; a band-pass's each at unity
     * at its peak. */
    FxV4 y = mode == SHAPE_FILTER_LP24   ? lo
             : mode == SHAPE_FILTER_HP24 ? hi
             : mode == SHAPE_FILTER_BP24 ? band_gains * band
                                         : lo + hi;
    if (may_keep) {
        ic[0] = fx_pick(keep, before[0], ic[0]);
        ic[1] = fx_pick(keep, before[1], ic[1]);
    }
    if (out)
        s[2 * late] = y[2], s[2 * late + 1] = y[2 + r];
    fed[1] = fed[0];
    fed[0] = y;
}

/* A section without self-oscillation is linear: with S its two
 * integrators after frame t, S_t = A_t S_(t-1) + B_t x_t, where A_t and
 * B_t follow from that frame's g and a1. One frame after another, each
 * waits on the one before through a product and two sums (the state's
 * two halves feed each other), and that chain, not the arithmetic, was
 * what a frame cost. Written two frames at once,
 *     S_t = A_t A_(t-1) S_(t-2) + A_t B_(t-1) x_(t-1) + B_t x_t,
 * the even frames and the odd frames are two chains of their own that
 * run side by side: the same filter, half the wait per frame. The outputs
 * are the integrators' mean over the frame (v = (S_(t-1) + S_t) / 2, as
 * the trapezoidal rule has it). Every frame takes this form, whatever the
 * run it falls in, so the result is the same for any block size: a run
 * carries the state before its last frame, that frame's input and its
 * coefficients to the next. A state that has none of these (a new
 * filter, a new resonance, after self-oscillation) starts as if the frame
 * before had been the identity (g = 0, a1 = 1 give A = 1, B = 0 exactly),
 * which makes its first frame the one-frame step. */
typedef struct {
    FxV4 p, q, r, s;   /* A_t A_(t-1) */
    FxV4 m0, m1;       /* A_t B_(t-1) */
    FxV4 b0, b1;       /* B_t */
} FxLin;

/* The same in eight lanes: two steps' coefficients. */
typedef struct {
    FxV8 p, q, r, s, m0, m1, b0, b1;
} FxLin8;

/* A = [al -be; be de], B = [be; ga] with a2 = g a1, a3 = g a2, into *to
 * (an FxLin or FxLin8 of vectors of type T): a macro, the same
 * operations in four lanes or eight (see FX_PAIR). */
#define LIN_COEFFICIENTS(T, to, g, a1, g_was, a1_was)                                   \
    do {                                                                               \
        T a2_ = (g) * (a1), a3_ = (g) * a2_, wa2_ = (g_was) * (a1_was),                \
          wa3_ = (g_was) * wa2_;                                                       \
        T al_ = 2.0f * (a1) - 1.0f, be_ = 2.0f * a2_, de_ = 1.0f - 2.0f * a3_,         \
          ga_ = 2.0f * a3_;                                                            \
        T wal_ = 2.0f * (a1_was) - 1.0f, wbe_ = 2.0f * wa2_, wde_ = 1.0f - 2.0f * wa3_, \
          wga_ = 2.0f * wa3_;                                                          \
        (to)->p = al_ * wal_ - be_ * wbe_;                                             \
        (to)->q = -(al_ * wbe_ + be_ * wde_);                                          \
        (to)->r = be_ * wal_ + de_ * wbe_;                                             \
        (to)->s = de_ * wde_ - be_ * wbe_;                                             \
        (to)->m0 = al_ * wbe_ - be_ * wga_;                                            \
        (to)->m1 = be_ * wbe_ + de_ * wga_;                                            \
        (to)->b0 = be_;                                                                \
        (to)->b1 = ga_;                                                                \
    } while (0)

static inline FxLin lin_coefficients(FxV4 g, FxV4 a1, FxV4 g_was, FxV4 a1_was)
{
    FxLin c;
    LIN_COEFFICIENTS(FxV4, &c, g, a1, g_was, a1_was);
    return c;
}

/* The state of the lanes: st[0], st[1] the integrators after the last
 * frame, st[2], st[3] before it, st[4] its input. */
enum { LIN_STATE = 5, LIN_LAG = 4 };

/* One frame in each lane: the output the mode takes. */
static inline __attribute__((always_inline)) FxV4
lin_step(FxV4 st[LIN_STATE], FxV4 x, const FxLin *c, FxV4 k, FxV4 band_gains, const int mode)
{
    FxV4 u0 = c->m0 * st[4] + c->b0 * x, u1 = c->m1 * st[4] + c->b1 * x;
    FxV4 s0 = c->p * st[2] + (c->q * st[3] + u0);
    FxV4 s1 = c->s * st[3] + (c->r * st[2] + u1);
    FxV4 band = 0.5f * (st[0] + s0), lo = 0.5f * (st[1] + s1);
    st[2] = st[0];
    st[3] = st[1];
    st[0] = s0;
    st[1] = s1;
    st[4] = x;
    if (mode == SHAPE_FILTER_LP12 || mode == SHAPE_FILTER_LP24)
        return lo;
    if (mode == SHAPE_FILTER_BP12 || mode == SHAPE_FILTER_BP24)
        return band_gains * band; /* unity at the peak */
    FxV4 hi = x - k * band - lo;
    return mode == SHAPE_FILTER_HP12 || mode == SHAPE_FILTER_HP24 ? hi : lo + hi;
}

/* A frame's input in lanes 0 and 1 (a mono voice's right is its left),
 * with `rest` in lanes 2 and 3. */
static inline FxV4 lin_input(const float *s, uint32_t t, const int r, FxV4 rest)
{
    typedef double FxD2 __attribute__((vector_size(16)));
    if (!r)
        return (FxV4){s[2 * t], s[2 * t], rest[0], rest[1]};
    double pair;
    memcpy(&pair, s + 2 * t, sizeof pair);
    FxD2 both = {pair, 0.0};
    return __builtin_shufflevector((FxV4)both, rest, 0, 1, 4, 5);
}

/* Lanes `lo` (0 or 2) and the next of y into frame t of s. */
static inline void lin_output(float *s, uint32_t t, const int r, FxV4 y, const int lo)
{
    s[2 * t] = y[lo];
    s[2 * t + 1] = y[lo + r];
}

/* g and a1 of frame f of a run: f < 0 the frame before the run
 * (carried), else the run's arrays (the first entry when still). */
typedef struct {
    const float *g, *a1[2]; /* [stage] */
    float was_g, was_a1[2];
    bool still;
    bool stairs; /* g held over each control period (filter_coefficients) */
    uint32_t phase; /* the run's first frame's place in its control period */
} LinFrames;

static inline float lin_g(const LinFrames *fr, int64_t f)
{
    return f < 0 ? fr->was_g : fr->g[fr->still ? 0 : f];
}

static inline float lin_a1(const LinFrames *fr, int stage, int64_t f)
{
    return f < 0 ? fr->was_a1[stage] : fr->a1[stage][fr->still ? 0 : f];
}

/* The coefficients of a step with the first stage on frame f1 and the
 * second on frame f2. */
static inline __attribute__((always_inline)) FxLin lin_at(const LinFrames *fr, int64_t f1, int64_t f2)
{
    float g1 = lin_g(fr, f1), g2 = lin_g(fr, f2), w1 = lin_g(fr, f1 - 1), w2 = lin_g(fr, f2 - 1);
    float a1 = lin_a1(fr, 0, f1), a2 = lin_a1(fr, 1, f2);
    float wa1 = lin_a1(fr, 0, f1 - 1), wa2 = lin_a1(fr, 1, f2 - 1);
    return lin_coefficients((FxV4){g1, g1, g2, g2}, (FxV4){a1, a1, a2, a2},
                            (FxV4){w1, w1, w2, w2}, (FxV4){wa1, wa1, wa2, wa2});
}

/* to = when ? a : b, lane by lane */
static inline void lin_pick(FxLin *to, FxI4 when, const FxLin *a, const FxLin *b)
{
    to->p = fx_pick(when, a->p, b->p);
    to->q = fx_pick(when, a->q, b->q);
    to->r = fx_pick(when, a->r, b->r);
    to->s = fx_pick(when, a->s, b->s);
    to->m0 = fx_pick(when, a->m0, b->m0);
    to->m1 = fx_pick(when, a->m1, b->m1);
    to->b0 = fx_pick(when, a->b0, b->b0);
    to->b1 = fx_pick(when, a->b1, b->b1);
}

/* Step t of a 24 dB run of n frames: the first stage on frame t, the
 * second on frame t - LIN_LAG, on what the first gave for it (fed, the
 * latest first). The second stage's lanes wait on the first's output of
 * LIN_LAG steps before; were it one or two, that wait (output, input,
 * state: longer than a step) would hold up every step. At the first
 * LIN_LAG steps and the last (edge), the lanes without a frame keep their
 * state. */
static inline __attribute__((always_inline)) void
lin_pipe_step(FxV4 st[LIN_STATE], FxV4 fed[LIN_LAG], float *s, uint32_t t, uint32_t n,
              const int r, const FxLin *c, FxV4 k, FxV4 band_gains, const int mode,
              const bool edge)
{
    FxV4 x = lin_input(s, !edge || t < n ? t : n - 1, r, fed[LIN_LAG - 1]);
    /* (read only at the edges: a dead copy elsewhere, which the compiler
     * drops) */
    FxV4 before[LIN_STATE];
    memcpy(before, st, sizeof before);
    FxV4 y = lin_step(st, x, c, k, band_gains, mode);
    if (edge) {
        const FxI4 first = {-1, -1, 0, 0}, none = {0, 0, 0, 0};
        FxI4 keep = (t < n ? none : first) | (t >= LIN_LAG ? none : ~first);
        for (int i = 0; i < LIN_STATE; i++)
            st[i] = fx_pick(keep, before[i], st[i]);
    }
    if (!edge || t >= LIN_LAG)
        lin_output(s, t - LIN_LAG, r, y, 2);
    for (int i = LIN_LAG - 1; i > 0; i--)
        fed[i] = fed[i - 1];
    fed[0] = y;
}

/* A linear filter's run under way: the lanes' state, what its steps take
 * and the step it has reached (lin_open, then lin_head, the steady pairs,
 * lin_tail, lin_close). Split so that the steady pairs of two voices' runs
 * can go side by side (filter_two): each voice's steps wait on its own
 * state only, so one voice's wait is the other's work. */
typedef struct {
    FxV4 st[LIN_STATE];
    FxV4 fed[LIN_LAG]; /* the first stage's outputs, the latest first */
    FxV4 k, band_gains;
    LinFrames fr;
    FxLin steady;      /* a still run's coefficients after its first frames */
    FxLin starts[2];   /* a still 24 dB run's at steps 0 and LIN_LAG; a 12 dB
                          one's first frame (starts[0]) */
    float *s;
    uint32_t t, n;
} LinRun;

/* Pairs of steps at a run's edges (lin_head_pairs, lin_flush): a 24 dB
 * run's first steps, whose second-stage lanes have no frame yet (no
 * output), and its last, whose first-stage lanes have none (no input).
 * The lanes without a frame are given back their state after. */
enum { LANES_ALL, LANES_NO_OUTPUT, LANES_NO_INPUT };

/* The eight lanes of the steady pairs (lin_pipe_pairs): a still run's
 * coefficients twice, the integrators after frames t - 2 and t - 1, the
 * input of t - 1 (high half), the first stage's outputs of frames t - 4,
 * t - 3 and t - 2, t - 1. */
typedef struct {
    FxLin8 c;
    FxV8 k, band_gains;
    FxV8 w0, w1, x_was, fed_old, fed_new;
} LinLanes;

static inline __attribute__((always_inline)) void lin_lanes_in(LinLanes *l, const LinRun *lr)
{
    const FxLin *c4 = &lr->steady;
    l->c.p = FX_PAIR(c4->p, c4->p);
    l->c.q = FX_PAIR(c4->q, c4->q);
    l->c.r = FX_PAIR(c4->r, c4->r);
    l->c.s = FX_PAIR(c4->s, c4->s);
    l->c.m0 = FX_PAIR(c4->m0, c4->m0);
    l->c.m1 = FX_PAIR(c4->m1, c4->m1);
    l->c.b0 = FX_PAIR(c4->b0, c4->b0);
    l->c.b1 = FX_PAIR(c4->b1, c4->b1);
    l->k = FX_PAIR(lr->k, lr->k);
    l->band_gains = FX_PAIR(lr->band_gains, lr->band_gains);
    l->w0 = FX_PAIR(lr->st[2], lr->st[0]);
    l->w1 = FX_PAIR(lr->st[3], lr->st[1]);
    l->x_was = FX_PAIR(lr->st[4], lr->st[4]);
    l->fed_old = FX_PAIR(lr->fed[3], lr->fed[2]);
    l->fed_new = FX_PAIR(lr->fed[1], lr->fed[0]);
}

static inline __attribute__((always_inline)) void lin_lanes_out(LinRun *lr, const LinLanes *l)
{
    lr->st[0] = FX_HIGH(l->w0);
    lr->st[1] = FX_HIGH(l->w1);
    lr->st[2] = FX_LOW(l->w0);
    lr->st[3] = FX_LOW(l->w1);
    lr->st[4] = FX_HIGH(l->x_was);
    lr->fed[0] = FX_HIGH(l->fed_new);
    lr->fed[1] = FX_LOW(l->fed_new);
    lr->fed[2] = FX_HIGH(l->fed_old);
    lr->fed[3] = FX_LOW(l->fed_old);
}

/* Two steps of the lanes (lin_lanes_step) on their inputs *in: the four
 * of the first step, then the four of the second. The mode's output
 * into *out. */
static inline __attribute__((always_inline)) void
lin_lanes_core(LinLanes *l, const FxLin8 *c, const FxV8 *in, FxV8 *out, const int mode,
               const bool two)
{
    const FxV8 x = *in;
    FxV8 x_prev = __builtin_shufflevector(l->x_was, x, 4, 5, 6, 7, 8, 9, 10, 11);
    FxV8 u0 = c->m0 * x_prev + c->b0 * x, u1 = c->m1 * x_prev + c->b1 * x;
    FxV8 s0 = c->p * l->w0 + (c->q * l->w1 + u0);
    FxV8 s1 = c->s * l->w1 + (c->r * l->w0 + u1);
    /* The integrators of the frame before each: i - 1, then i. */
    FxV8 before0 = __builtin_shufflevector(l->w0, s0, 4, 5, 6, 7, 8, 9, 10, 11);
    FxV8 before1 = __builtin_shufflevector(l->w1, s1, 4, 5, 6, 7, 8, 9, 10, 11);
    FxV8 band = 0.5f * (before0 + s0), lo = 0.5f * (before1 + s1), y;
    if (mode == SHAPE_FILTER_LP12 || mode == SHAPE_FILTER_LP24)
        y = lo;
    else if (mode == SHAPE_FILTER_BP12 || mode == SHAPE_FILTER_BP24)
        y = l->band_gains * band;
    else {
        FxV8 hi = x - l->k * band - lo;
        y = mode == SHAPE_FILTER_HP12 || mode == SHAPE_FILTER_HP24 ? hi : lo + hi;
    }
    l->w0 = s0;
    l->w1 = s1;
    l->x_was = x;
    if (two) {
        l->fed_old = l->fed_new;
        l->fed_new = y;
    }
    *out = y;
}

/* Two steps at once: eight lanes, the four of step i then the four of
 * step i + 1. Each frame's state follows from the state two frames
 * before (lin_step), so steps i and i + 1 do not wait on each other: one
 * instruction does both, lane by lane the same operations as lin_step
 * (the same samples), in half the instructions. Of a 24 dB run (`two`),
 * lin_pipe_step without edges; of a 12 dB one, lin_step on frame after
 * frame, lanes 2 and 3 given nothing. */
static inline __attribute__((always_inline)) void
lin_lanes_step(LinLanes *l, const FxLin8 *c, float *s, uint32_t i, const int r, const int mode,
               const bool two, const int edge)
{
    _Static_assert(LIN_LAG == 4, "the second stage is two pairs behind");
    /* frames i and i + 1 */
    FxV4 in = edge == LANES_NO_INPUT ? (FxV4){0, 0, 0, 0} : fx_load(s + 2 * i);
    FxV8 both = FX_PAIR(in, in);
    FxV8 x = r ? __builtin_shufflevector(both, l->fed_old, 0, 1, 8, 9, 6, 7, 12, 13)
               : __builtin_shufflevector(both, l->fed_old, 0, 0, 8, 9, 6, 6, 12, 13);
    FxV8 y;
    lin_lanes_core(l, c, &x, &y, mode, two);
    FxV4 y0 = FX_LOW(y), y1 = FX_HIGH(y);
    if (two) {
        /* The second stage's frames i - 4 and i - 3: from each half
         * (two instructions where one shuffle of eight lanes took three). */
        FxV4 out = r ? __builtin_shufflevector(y0, y1, 2, 3, 6, 7)
                     : __builtin_shufflevector(y0, y1, 2, 2, 6, 6);
        if (edge != LANES_NO_OUTPUT)
            fx_store(s + 2 * (i - LIN_LAG), out);
    } else {
        FxV4 out = r ? __builtin_shufflevector(y0, y1, 0, 1, 4, 5)
                     : __builtin_shufflevector(y0, y1, 0, 0, 4, 4);
        fx_store(s + 2 * i, out);
    }
}

/* What the coefficients of steps i and i + 1 are worked out from: g and
 * a1 of each lane's frame (the first stage's i and i + 1, the second's
 * LIN_LAG earlier), and of the frame before it (w, wa). */
typedef struct {
    FxV8 g, w, a, wa;
} LinInputs;

/* Those of a run's steady pair i, from four loads of four (frames i - 1
 * to i + 2 and j - 1 to j + 2; filter_coefficients fills one past the
 * run) where single loads into lanes took 32. */
static inline __attribute__((always_inline)) void
lin_inputs(LinInputs *in, const LinFrames *fr, uint32_t i, const bool two)
{
    const float *g = fr->g, *a = fr->a1[0], *b = fr->a1[1];
    uint32_t j = two ? i - LIN_LAG : i;
    const FxV4 g1 = fx_load(g + i - 1), g2 = fx_load(g + j - 1);
    const FxV4 a1 = fx_load(a + i - 1), b2 = fx_load(b + j - 1);
    in->g = __builtin_shufflevector(g1, g2, 1, 1, 5, 5, 2, 2, 6, 6);
    in->w = __builtin_shufflevector(g1, g2, 0, 0, 4, 4, 1, 1, 5, 5);
    in->a = __builtin_shufflevector(a1, b2, 1, 1, 5, 5, 2, 2, 6, 6);
    in->wa = __builtin_shufflevector(a1, b2, 0, 0, 4, 4, 1, 1, 5, 5);
}

/* Steps i and i + 1 of a run whose cutoff glides: each step's
 * coefficients of its frames (lin_at's, eight lanes at once), then
 * lin_lanes_step. The lanes of a stage without a frame at these steps
 * (`edge`: the second's at a run's first steps, the first's past its
 * end) are given back their state after, so they take any frame's g
 * and a1 that the lists hold: those of the other stage's frames. */
static inline __attribute__((always_inline)) void
lin_lanes_glide(LinLanes *l, const LinFrames *fr, float *s, uint32_t i, const int r,
                const int mode, const bool two, const int edge)
{
    FxV8 g8, w8, a8, wa8;
    if (edge == LANES_NO_INPUT) {
        /* the second stage's frames j and j + 1, in every lane */
        const uint32_t j = i - LIN_LAG;
        const FxV4 g4 = fx_load(fr->g + j - 1), b4 = fx_load(fr->a1[1] + j - 1);
        g8 = __builtin_shufflevector(g4, g4, 1, 1, 1, 1, 2, 2, 2, 2);
        w8 = __builtin_shufflevector(g4, g4, 0, 0, 0, 0, 1, 1, 1, 1);
        a8 = __builtin_shufflevector(b4, b4, 1, 1, 1, 1, 2, 2, 2, 2);
        wa8 = __builtin_shufflevector(b4, b4, 0, 0, 0, 0, 1, 1, 1, 1);
    } else {
        LinInputs in;
        lin_inputs(&in, fr, i, two && edge != LANES_NO_OUTPUT);
        g8 = in.g, w8 = in.w, a8 = in.a, wa8 = in.wa;
    }
    FxLin8 c;
    LIN_COEFFICIENTS(FxV8, &c, g8, a8, w8, wa8);
    lin_lanes_step(l, &c, s, i, r, mode, two, edge);
}

/* The coefficients of a pair (lin_lanes_glide) whose frames all have
 * one g, last worked out for `g` (NaN: none yet). */
typedef struct {
    FxLin8 c;
    float g;
} LinHeld;

/* Steps i and i + 1 of a run whose g is held over each control period
 * (stairs): a pair whose frames and the frames before them (i - 1 to
 * i + 1, and the second stage's, LIN_LAG earlier) lie in one period has
 * the coefficients of that g alone, which the pairs before it with the
 * same g worked out already. Those frames span at most two periods, so
 * the same g at both ends is the same g throughout. The same values as
 * lin_lanes_glide's. */
static inline __attribute__((always_inline)) void
lin_lanes_stairs(LinLanes *l, LinHeld *held, const LinFrames *fr, float *s, uint32_t i,
                 const int r, const int mode, const bool two)
{
    const uint32_t reach = two ? LIN_LAG + 1 : 1; /* the earliest frame read, back */
    const float *g = fr->g;
    if (i < reach || g[i - reach] != g[i + 1]) {
        lin_lanes_glide(l, fr, s, i, r, mode, two, LANES_ALL);
        return;
    }
    if (g[i + 1] != held->g) {
        const float a = fr->a1[0][i + 1], b = fr->a1[1][i + 1], gg = g[i + 1];
        const FxV8 g8 = {gg, gg, gg, gg, gg, gg, gg, gg}, a8 = {a, a, b, b, a, a, b, b};
        LIN_COEFFICIENTS(FxV8, &held->c, g8, a8, g8, a8);
        held->g = gg;
    }
    lin_lanes_step(l, &held->c, s, i, r, mode, two, LANES_ALL);
}

/* Whether step t of the run is a pair's first: both of the pair's
 * first-stage frames in the run, and past the steps where the stages'
 * lanes start (a still run's first frame, which takes other
 * coefficients than the rest, and a 24 dB run's second stage). A
 * gliding 24 dB run's pairs take the second stage's first frame too:
 * its lists hold the frame before the run (lin_open). */
static inline bool lin_steady(const LinRun *lr, const bool two)
{
    const uint32_t first = !two ? 1 : lr->fr.still ? LIN_LAG + 1 : LIN_LAG;
    return lr->t + 2 <= lr->n && lr->t >= first;
}

/* Steps i and i + 1 of the run, a still one's or a gliding one's. */
static inline __attribute__((always_inline)) void
lin_lanes_any(LinLanes *l, LinHeld *held, const LinRun *lr, uint32_t i, const int r,
              const int mode, const bool two)
{
    if (lr->fr.still)
        lin_lanes_step(l, &l->c, lr->s, i, r, mode, two, LANES_ALL);
    else if (lr->fr.stairs)
        lin_lanes_stairs(l, held, &lr->fr, lr->s, i, r, mode, two);
    else
        lin_lanes_glide(l, &lr->fr, lr->s, i, r, mode, two, LANES_ALL);
}

/* The pairs from step t while there are any. */
static inline __attribute__((always_inline)) void lin_pipe_pairs(LinRun *lr, const int r,
                                                                 const int mode, const bool two)
{
    if (!lin_steady(lr, two))
        return;
    LinLanes l;
    lin_lanes_in(&l, lr);
    uint32_t i = lr->t;
    LinHeld held = {.g = NAN};
    if (lr->fr.still)
        for (; i + 2 <= lr->n; i += 2)
            lin_lanes_step(&l, &l.c, lr->s, i, r, mode, two, LANES_ALL);
    else if (lr->fr.stairs)
        for (; i + 2 <= lr->n; i += 2)
            lin_lanes_stairs(&l, &held, &lr->fr, lr->s, i, r, mode, two);
    else
        for (; i + 2 <= lr->n; i += 2)
            lin_lanes_glide(&l, &lr->fr, lr->s, i, r, mode, two, LANES_ALL);
    lin_lanes_out(lr, &l);
    lr->t = i;
}

/* The lanes of a run from what the voice carries: lanes 0 and 1 the
 * first stage, lanes 2 and 3 the second (24 dB), a step behind by
 * LIN_LAG frames (lin_pipe_step). */
static inline __attribute__((always_inline)) void
lin_open(LinRun *lr, const VoiceFx *fx, float *s, uint32_t n, const int mode, bool still,
         bool stairs, float *gs, float *as, float *bs)
{
    const bool two = mode >= SHAPE_FILTER_LP24;
    const float k1 = fx->k1, k2 = two ? fx->k2 : fx->k1;
    lr->k = (FxV4){k1, k1, k2, k2};
    lr->band_gains = two ? (FxV4){k1, k1, fx->band_gain, fx->band_gain}
                         : (FxV4){fx->band_gain, fx->band_gain, 0.0f, 0.0f};
    float *second = two ? bs : as;
    for (int i = 0; i < 2; i++) {
        lr->st[i] = (FxV4){fx->ic[0][0][i], fx->ic[0][1][i], fx->ic[1][0][i], fx->ic[1][1][i]};
        lr->st[2 + i] = (FxV4){fx->lin.ic[0][0][i], fx->lin.ic[0][1][i], fx->lin.ic[1][0][i],
                               fx->lin.ic[1][1][i]};
    }
    lr->st[4] = (FxV4){fx->lin.x[0][0], fx->lin.x[0][1], fx->lin.x[1][0], fx->lin.x[1][1]};
    float was_g = fx->lin.g, was_a[2] = {fx->lin.a1[0], fx->lin.a1[1]};
    if (!fx->lin.ready) {
        lr->st[2] = lr->st[0];
        lr->st[3] = lr->st[1];
        lr->st[4] = (FxV4){0, 0, 0, 0};
        was_g = 0.0f;
        was_a[0] = was_a[1] = 1.0f;
    }
    lr->fr = (LinFrames){gs,    {as, second}, was_g, {was_a[0], was_a[1]},
                         still, stairs,       (uint32_t)(fx->age % VOICEFX_CONTROL_FRAMES)};
    /* A gliding 24 dB run's lists have a place for the frame before it
     * (filter_loop's), so that its pairs load the frames before theirs,
     * from its first frames on (lin_head_pairs, lin_steady). */
    if (!still && two) {
        gs[-1] = was_g;
        as[-1] = was_a[0];
        bs[-1] = was_a[1];
    }
    for (int i = 0; i < LIN_LAG; i++)
        lr->fed[i] = (FxV4){0, 0, 0, 0};
    /* A still run has two sets of coefficients: a stage's first frame
     * follows the frame before the run, the others the run's own. */
    if (still && two) {
        const FxI4 first = {-1, -1, 0, 0};
        lr->steady = lin_at(&lr->fr, LIN_LAG + 1, 1);
        const FxLin start = lin_at(&lr->fr, 0, 0);
        lin_pick(&lr->starts[0], first, &start, &lr->steady);
        lin_pick(&lr->starts[1], ~first, &start, &lr->steady);
    } else if (still) {
        lr->steady = lin_at(&lr->fr, 1, 1);
        lr->starts[0] = lin_at(&lr->fr, 0, 0);
        lr->starts[1] = lr->steady;
    } else { /* each step works out its own */
        lr->steady = lr->starts[0] = lr->starts[1] = (FxLin){0};
    }
    lr->s = s;
    lr->n = n;
    lr->t = 0;
}

/* One step at t, then t + 1: of a 24 dB run, the first stage on frame t,
 * the second on frame t - LIN_LAG (lin_pipe_step); of a 12 dB run,
 * frame t. */
static inline __attribute__((always_inline)) void lin_one(LinRun *lr, const int r,
                                                          const int mode, const bool two)
{
    const FxV4 none = {0, 0, 0, 0};
    uint32_t t = lr->t, n = lr->n;
    if (!two) {
        FxLin c = lr->fr.still ? (t ? lr->steady : lr->starts[0])
                               : lin_at(&lr->fr, (int64_t)t, (int64_t)t);
        FxV4 y = lin_step(lr->st, lin_input(lr->s, t, r, none), &c, lr->k, lr->band_gains,
                          mode);
        lin_output(lr->s, t, r, y, 0);
    } else if (lr->fr.still) {
        const FxLin *c = t == 0 ? &lr->starts[0] : t == LIN_LAG ? &lr->starts[1] : &lr->steady;
        lin_pipe_step(lr->st, lr->fed, lr->s, t, n, r, c, lr->k, lr->band_gains, mode,
                      t < LIN_LAG || t >= n);
    } else {
        int64_t f1 = t < n ? (int64_t)t : (int64_t)n - 1;
        int64_t f2 = t >= LIN_LAG ? (int64_t)t - LIN_LAG : 0;
        FxLin c = lin_at(&lr->fr, f1, f2);
        lin_pipe_step(lr->st, lr->fed, lr->s, t, n, r, &c, lr->k, lr->band_gains, mode,
                      t < LIN_LAG || t >= n);
    }
    lr->t = t + 1;
}

/* Lanes `keep` of the state (4 lanes) as they were. */
static inline void lin_keep(LinRun *lr, const FxV4 was[LIN_STATE], FxI4 keep)
{
    for (int i = 0; i < LIN_STATE; i++)
        lr->st[i] = fx_pick(keep, was[i], lr->st[i]);
}

/* A pair's coefficients: *lo's for its first step, *hi's for the next. */
static inline __attribute__((always_inline)) FxLin8 lin_pair(const FxLin *lo, const FxLin *hi)
{
    return (FxLin8){FX_PAIR(lo->p, hi->p),   FX_PAIR(lo->q, hi->q),   FX_PAIR(lo->r, hi->r),
                    FX_PAIR(lo->s, hi->s),   FX_PAIR(lo->m0, hi->m0), FX_PAIR(lo->m1, hi->m1),
                    FX_PAIR(lo->b0, hi->b0), FX_PAIR(lo->b1, hi->b1)};
}

/* A run's first steps two at a time, as lin_one would take them one by
 * one: of a 24 dB run steps 0 to 3, whose second-stage lanes have no
 * frame yet (given back their state after); of a still 12 dB run steps 0
 * and 1. A still run's first step's first-stage lanes follow the frame
 * before the run (starts[0]), and so do its second-stage lanes at step
 * LIN_LAG (starts[1]): a still 24 dB run takes steps 4 and 5 as a pair
 * too, so that its steady pairs start on an even step (and a run of an
 * even count ends on one, without a step alone). A gliding run's pairs
 * find theirs in its lists (lin_lanes_glide). */
static inline __attribute__((always_inline)) void lin_head_pairs(LinRun *lr, const int r,
                                                                 const int mode, const bool two)
{
    if ((!lr->fr.still && !two) || lr->t || lr->n < (two ? LIN_LAG : 2))
        return;
    FxV4 was[LIN_STATE];
    memcpy(was, lr->st, sizeof was);
    LinLanes l;
    lin_lanes_in(&l, lr);
    if (!lr->fr.still) {
        lin_lanes_glide(&l, &lr->fr, lr->s, 0, r, mode, two, LANES_NO_OUTPUT);
        lin_lanes_glide(&l, &lr->fr, lr->s, 2, r, mode, two, LANES_NO_OUTPUT);
        lin_lanes_out(lr, &l);
        lin_keep(lr, was, (FxI4){0, 0, -1, -1});
        lr->t = LIN_LAG;
        return;
    }
    const FxLin8 first = lin_pair(&lr->starts[0], &lr->steady);
    lin_lanes_step(&l, &first, lr->s, 0, r, mode, two, two ? LANES_NO_OUTPUT : LANES_ALL);
    if (two)
        lin_lanes_step(&l, &l.c, lr->s, 2, r, mode, two, LANES_NO_OUTPUT);
    lin_lanes_out(lr, &l);
    if (two)
        lin_keep(lr, was, (FxI4){0, 0, -1, -1});
    lr->t = two ? LIN_LAG : 2;
    if (two && lr->n >= LIN_LAG + 2) {
        const FxLin8 second = lin_pair(&lr->starts[1], &lr->steady);
        lin_lanes_in(&l, lr);
        lin_lanes_step(&l, &second, lr->s, LIN_LAG, r, mode, two, LANES_ALL);
        lin_lanes_out(lr, &l);
        lr->t = LIN_LAG + 2;
    }
}

/* A 24 dB run's last LIN_LAG steps two at a time, from step n, as lin_one
 * would take them: the second stage on the run's last frames, the
 * first-stage lanes, which have none, given back their state after. */
static inline __attribute__((always_inline)) void lin_flush(LinRun *lr, const int r,
                                                            const int mode, const bool two)
{
    if (!two || lr->t != lr->n || lr->n <= LIN_LAG)
        return;
    FxV4 was[LIN_STATE];
    memcpy(was, lr->st, sizeof was);
    LinLanes l;
    lin_lanes_in(&l, lr);
    for (uint32_t i = lr->n; i < lr->n + LIN_LAG; i += 2) {
        if (lr->fr.still)
            lin_lanes_step(&l, &l.c, lr->s, i, r, mode, two, LANES_NO_INPUT);
        else
            lin_lanes_glide(&l, &lr->fr, lr->s, i, r, mode, two, LANES_NO_INPUT);
    }
    lin_lanes_out(lr, &l);
    lin_keep(lr, was, (FxI4){-1, -1, 0, 0});
    lr->t = lr->n + LIN_LAG;
}

/* The steps before the steady pairs (all of them when there are none). */
static inline __attribute__((always_inline)) void lin_head(LinRun *lr, const int r,
                                                           const int mode, const bool two)
{
    lin_head_pairs(lr, r, mode, two);
    while (lr->t < lr->n + (two ? LIN_LAG : 0) && !lin_steady(lr, two))
        lin_one(lr, r, mode, two);
}

/* The steps after them. */
static inline __attribute__((always_inline)) void lin_tail(LinRun *lr, const int r,
                                                           const int mode, const bool two)
{
    while (lr->t < lr->n)
        lin_one(lr, r, mode, two);
    lin_flush(lr, r, mode, two);
    while (lr->t < lr->n + (two ? LIN_LAG : 0))
        lin_one(lr, r, mode, two);
}

/* What the voice carries to its next run. */
static inline __attribute__((always_inline)) void lin_close(const LinRun *lr, VoiceFx *fx)
{
    for (int c = 0; c < 2; c++)
        for (int st_i = 0; st_i < 2; st_i++) {
            int lane = 2 * st_i + c;
            fx->ic[st_i][c][0] = lr->st[0][lane];
            fx->ic[st_i][c][1] = lr->st[1][lane];
            fx->lin.ic[st_i][c][0] = lr->st[2][lane];
            fx->lin.ic[st_i][c][1] = lr->st[3][lane];
            fx->lin.x[st_i][c] = lr->st[4][lane];
        }
    int64_t last = (int64_t)lr->n - 1;
    fx->lin.g = lin_g(&lr->fr, last);
    fx->lin.a1[0] = lin_a1(&lr->fr, 0, last);
    fx->lin.a1[1] = lin_a1(&lr->fr, 1, last);
    fx->lin.ready = true;
    fx->lin.ready12 = false;
}

/* The linear sections over a run. */
static inline __attribute__((always_inline)) void
lin_loop(VoiceFx *fx, float *s, uint32_t n, const int chans, const int mode, bool still,
         bool stairs, float *gs, float *as, float *bs)
{
    const bool two = mode >= SHAPE_FILTER_LP24;
    const int r = chans - 1;
    LinRun lr;
    lin_open(&lr, fx, s, n, mode, still, stairs, gs, as, bs);
    lin_head(&lr, r, mode, two);
    lin_pipe_pairs(&lr, r, mode, two);
    lin_tail(&lr, r, mode, two);
    lin_close(&lr, fx);
}

/* A 12 dB section four frames a step. With C_t = A_t A_(t-1) and
 * U_t = A_t B_(t-1) x_(t-1) + B_t x_t, the pairs' form (lin_step) is
 * S_t = C_t S_(t-2) + U_t; taken twice,
 *     S_t = (C_t C_(t-2)) S_(t-4) + (C_t U_(t-2) + U_t),
 * so that each frame waits on the state four frames before it: four
 * frames (two channels each) in eight lanes a step, and one chain of a
 * product and two sums every four frames instead of every two. Every
 * frame of a 12 dB section takes this form, whatever the run it falls
 * in: a run carries the states of its last four frames and the inputs,
 * g and a1 of its last three to the next (fresh, those frames are the
 * identity: g = 0, a1 = 1, A = 1, B = 0, each state the one it has). */
#define LIN12_BACK1(was, now) __builtin_shufflevector((was), (now), 6, 7, 8, 9, 10, 11, 12, 13)
#define LIN12_BACK2(was, now) __builtin_shufflevector((was), (now), 4, 5, 6, 7, 8, 9, 10, 11)

/* Four frames' values from f, each in both channels' lanes (a macro:
 * see FX_PAIR). */
#define LIN12_FRAMES(f) __builtin_shufflevector(fx_load(f), fx_load(f), 0, 0, 1, 1, 2, 2, 3, 3)

/* The state, inputs and coefficients of the four frames before a step. */
typedef struct {
    FxV8 w0, w1, x, g, a, u0, u1;
    FxLin8 c;
} Lin12Was;

/* C_t C_(t-2) of four frames */
typedef struct {
    FxV8 p, q, r, s;
} Lin12Mat;

/* One step, frames t to t + 3 (those of them before n), with each
 * frame's C_t (and the rest of its coefficients) and C_t C_(t-2). */
static inline __attribute__((always_inline)) void
lin12_step(Lin12Was *was, const FxLin8 *c, const Lin12Mat *m, float *s, uint32_t t,
           uint32_t n, const int chans, const int mode, float k1, float bg)
{
    FxV8 x;
    const bool whole = t + 4 <= n;
    if (whole) {
        x = *(const FxV8u *)(s + 2 * t);
    } else {
        float part[8] = {0};
        memcpy(part, s + 2 * t, sizeof(float) * 2 * (n - t));
        x = *(const FxV8u *)part;
    }
    if (chans == 1)
        x = __builtin_shufflevector(x, x, 0, 0, 2, 2, 4, 4, 6, 6);
    const FxV8 xw = LIN12_BACK1(was->x, x);
    const FxV8 u0 = c->m0 * xw + c->b0 * x, u1 = c->m1 * xw + c->b1 * x;
    const FxV8 u02 = LIN12_BACK2(was->u0, u0), u12 = LIN12_BACK2(was->u1, u1);
    const FxV8 v0 = (c->p * u02 + c->q * u12) + u0, v1 = (c->r * u02 + c->s * u12) + u1;
    const FxV8 s0 = m->p * was->w0 + (m->q * was->w1 + v0);
    const FxV8 s1 = m->s * was->w1 + (m->r * was->w0 + v1);
    const FxV8 band = 0.5f * (LIN12_BACK1(was->w0, s0) + s0),
               lo = 0.5f * (LIN12_BACK1(was->w1, s1) + s1);
    FxV8 y;
    if (mode == SHAPE_FILTER_LP12)
        y = lo;
    else if (mode == SHAPE_FILTER_BP12)
        y = bg * band; /* unity at the peak */
    else {
        const FxV8 hi = x - k1 * band - lo;
        y = mode == SHAPE_FILTER_HP12 ? hi : lo + hi;
    }
    if (whole) {
        *(FxV8u *)(s + 2 * t) = y;
    } else {
        float part[8];
        *(FxV8u *)part = y;
        memcpy(s + 2 * t, part, sizeof(float) * 2 * (n - t));
    }
    was->w0 = s0, was->w1 = s1, was->x = x, was->u0 = u0, was->u1 = u1;
}

static inline __attribute__((always_inline)) void
lin12_loop(VoiceFx *fx, float *s, uint32_t n, const int chans, const int mode, bool still,
           const float *gs, const float *as)
{
    const bool fresh = !fx->lin.ready || !fx->lin.ready12;
    /* g and a1 of frame f at f + 4, from frame -4, as far as the steps
     * read them (a still run's: its first eight), and eight past. */
    float gl[VOICEFX_RUN + 12], al[VOICEFX_RUN + 12];
    for (int f = 0; f < 4; f++) {
        gl[f] = f && !fresh ? fx->lin.g12[f - 1] : 0.0f;
        al[f] = f && !fresh ? fx->lin.a12[f - 1] : 1.0f;
    }
    const uint32_t listed = still ? (n < 8 ? n : 8) : n;
    if (still) {
        for (uint32_t f = 0; f < listed; f++) {
            gl[4 + f] = gs[0];
            al[4 + f] = as[0];
        }
    } else {
        memcpy(gl + 4, gs, sizeof(float) * n);
        memcpy(al + 4, as, sizeof(float) * n);
    }
    for (uint32_t f = listed; f < listed + 8; f++) {
        gl[4 + f] = gl[3 + listed];
        al[4 + f] = al[3 + listed];
    }
    /* The four frames before the run. */
    Lin12Was was;
    float w[2][8], xs[8] = {0};
    for (int f = 0; f < 4; f++)
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 2; i++)
                w[i][2 * f + c] = fresh ? fx->ic[0][c][i] : fx->lin.s12[f][c][i];
            if (f && !fresh)
                xs[2 * f + c] = fx->lin.x12[f - 1][c];
        }
    was.w0 = *(const FxV8u *)w[0];
    was.w1 = *(const FxV8u *)w[1];
    was.x = *(const FxV8u *)xs;
    was.g = LIN12_FRAMES(gl);
    was.a = LIN12_FRAMES(al);
    {
        /* (frame -4's own lanes are never read) */
        const FxV8 gw = __builtin_shufflevector(was.g, was.g, 0, 1, 0, 1, 2, 3, 4, 5),
                   aw = __builtin_shufflevector(was.a, was.a, 0, 1, 0, 1, 2, 3, 4, 5),
                   xw = __builtin_shufflevector(was.x, was.x, 0, 1, 0, 1, 2, 3, 4, 5);
        LIN_COEFFICIENTS(FxV8, &was.c, was.g, was.a, gw, aw);
        was.u0 = was.c.m0 * xw + was.c.b0 * was.x;
        was.u1 = was.c.m1 * xw + was.c.b1 * was.x;
    }
    const float k1 = fx->k1, bg = fx->band_gain;
    FxV8 prev0 = was.w0, prev1 = was.w1, prev_x = was.x;
    uint32_t t = 0;
    /* Each step's coefficients of its frames: a gliding run's, and a
     * still run's first (frames before it may have others). */
    for (; t < n && (!still || t < 4); t += 4) {
        const FxV8 g8 = LIN12_FRAMES(gl + 4 + t), a8 = LIN12_FRAMES(al + 4 + t);
        FxLin8 c;
        LIN_COEFFICIENTS(FxV8, &c, g8, a8, LIN12_BACK1(was.g, g8), LIN12_BACK1(was.a, a8));
        const FxV8 p2 = LIN12_BACK2(was.c.p, c.p), q2 = LIN12_BACK2(was.c.q, c.q),
                   r2 = LIN12_BACK2(was.c.r, c.r), s2 = LIN12_BACK2(was.c.s, c.s);
        const Lin12Mat m = {c.p * p2 + c.q * r2, c.p * q2 + c.q * s2, c.r * p2 + c.s * r2,
                            c.r * q2 + c.s * s2};
        prev0 = was.w0, prev1 = was.w1, prev_x = was.x;
        lin12_step(&was, &c, &m, s, t, n, chans, mode, k1, bg);
        was.g = g8, was.a = a8, was.c = c;
    }
    if (t < n) {
        /* The rest of a still run: every frame's C_t and C_(t-2) its
         * own g's, as the steps above would work them out. */
        const FxV8 g8 = LIN12_FRAMES(gl + 4), a8 = LIN12_FRAMES(al + 4);
        FxLin8 c;
        LIN_COEFFICIENTS(FxV8, &c, g8, a8, g8, a8);
        const Lin12Mat m = {c.p * c.p + c.q * c.r, c.p * c.q + c.q * c.s,
                            c.r * c.p + c.s * c.r, c.r * c.q + c.s * c.s};
        for (; t < n; t += 4) {
            prev0 = was.w0, prev1 = was.w1, prev_x = was.x;
            lin12_step(&was, &c, &m, s, t, n, chans, mode, k1, bg);
        }
    }
    /* The last four frames' states and the last three's inputs: frame f
     * of the last two steps' at 2 (f - t + 8). */
    float st[2][16], xl[16];
    *(FxV8u *)st[0] = prev0, *(FxV8u *)(st[0] + 8) = was.w0;
    *(FxV8u *)st[1] = prev1, *(FxV8u *)(st[1] + 8) = was.w1;
    *(FxV8u *)xl = prev_x, *(FxV8u *)(xl + 8) = was.x;
    const uint32_t from = 2 * (n - t + 4); /* frame n - 4 */
    for (int f = 0; f < 4; f++)
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 2; i++)
                fx->lin.s12[f][c][i] = st[i][from + 2 * f + c];
            if (f)
                fx->lin.x12[f - 1][c] = xl[from + 2 * f + c];
        }
    for (int f = 0; f < 3; f++) {
        int64_t at = (int64_t)n - 3 + f; /* the frame */
        fx->lin.g12[f] = at < 0 ? gl[4 + at] : gs[still ? 0 : at];
        fx->lin.a12[f] = at < 0 ? al[4 + at] : as[still ? 0 : at];
    }
    /* What the other forms carry (lin_close), for a change of type. */
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 2; i++) {
            fx->ic[0][c][i] = fx->lin.s12[3][c][i];
            fx->lin.ic[0][c][i] = fx->lin.s12[2][c][i];
            fx->ic[1][c][i] = fx->lin.ic[1][c][i] = 0.0f;
        }
        fx->lin.x[0][c] = fx->lin.x12[2][c];
        fx->lin.x[1][c] = 0.0f;
    }
    fx->lin.g = fx->lin.g12[2];
    fx->lin.a1[0] = fx->lin.a1[1] = fx->lin.a12[2];
    fx->lin.ready = fx->lin.ready12 = true;
}

/* One filter mode and channel count per instance (the compiler makes
 * each its own loop): lin_loop for a filter that does not oscillate by
 * itself, else one frame a step here. */
static inline __attribute__((always_inline)) void
filter_loop(VoiceFx *fx, float *s, const float *env, uint32_t n, const int chans,
            const int mode)
{
    const bool two = mode >= SHAPE_FILTER_LP24;
    const float k1 = fx->k1, k2 = fx->k2, band_gain = fx->band_gain;
    /* A place before the run's frames (lin_open) and a period past. */
    float g_at[FILTER_LIST], a_at[FILTER_LIST], b_at[FILTER_LIST];
    float *gs = g_at + 1, *as = a_at + 1, *bs = b_at + 1;
    bool stairs;
    bool still = filter_coefficients(fx, env, n, two, gs, as, bs, &stairs);
    if (!fx->self_osc) {
        if (two)
            lin_loop(fx, s, n, chans, mode, still, stairs, gs, as, bs);
        else
            lin12_loop(fx, s, n, chans, mode, still, gs, as);
        return;
    }
    /* Self-oscillation is not linear: one frame a step (svf4), and the
     * next linear frame starts afresh from where this leaves the state. */
    fx->lin.ready = false;
    const FxV4 k = {k1, k1, k2, k2};
    const FxI4 osc = two ? (FxI4){0, 0, -1, -1} : (FxI4){-1, -1, 0, 0};
    const int r = chans - 1; /* a mono voice's right is its left */
    FxV4 ic[2] = {{fx->ic[0][0][0], fx->ic[0][1][0], fx->ic[1][0][0], fx->ic[1][1][0]},
                  {fx->ic[0][0][1], fx->ic[0][1][1], fx->ic[1][0][1], fx->ic[1][1][1]}};
    if (!two) {
        for (uint32_t t = 0; t < n; t++) {
            uint32_t f = still ? 0 : t;
            FxV4 g = {gs[f], gs[f], gs[f], gs[f]}, a = {as[f], as[f], as[f], as[f]};
            single_step(ic, s, t, r, g, a, k, osc, true, band_gain, mode);
        }
        for (int c = 0; c < 2; c++) {
            fx->ic[0][c][0] = ic[0][c];
            fx->ic[0][c][1] = ic[1][c];
        }
        return;
    }
    /* Step t: the first stage on frame t, the second on frame t - 2, so
     * what the second takes from the first was ready a step ago and the
     * steps wait only on the state. The first two steps have no
     * second-stage frame yet, the last two no first-stage one: there the
     * lanes without a frame keep their state. */
    const FxI4 first = {-1, -1, 0, 0}, none = {0, 0, 0, 0};
    const FxV4 band_gains = {k1, k1, band_gain, band_gain};
    FxV4 fed[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}}; /* the first stage's last two */
    for (uint32_t t = 0; t < n + 2;) {
        uint32_t now = t < n ? t : n - 1, late = t >= 2 ? t - 2 : 0;
        uint32_t gn = still ? 0 : now, gl = still ? 0 : late; /* still: one set */
        FxV4 g = {gs[gn], gs[gn], gs[gl], gs[gl]};
        FxV4 a = {as[gn], as[gn], bs[gl], bs[gl]};
        if (t < 2 || t >= n) {
            FxI4 keep = (t < n ? none : first) | (t >= 2 ? none : ~first);
            pair_step(ic, fed, s, now, late, t >= 2, r, g, a, k, osc, true, band_gains, keep,
                      mode, true);
        } else {
            pair_step(ic, fed, s, now, late, true, r, g, a, k, osc, true, band_gains, none,
                      mode, false);
        }
        t++;
    }
    for (int st = 0; st < 2; st++)
        for (int c = 0; c < 2; c++) {
            fx->ic[st][c][0] = ic[0][2 * st + c];
            fx->ic[st][c][1] = ic[1][2 * st + c];
        }
}

/* Every filter mode's instances in one encoding (`target`, none for the
 * compiler's default), named name_MODE_CHANS. */
#define FILTER_FN_TARGET(target, name, mode, chans)                                       \
    target static void name##_##mode##_##chans(VoiceFx *fx, float *s, const float *env,   \
                                               uint32_t n)                                \
    {                                                                                     \
        filter_loop(fx, s, env, n, chans, mode);                                          \
    }
#define FILTER_MODE_TARGET(target, name, mode)                                            \
    FILTER_FN_TARGET(target, name, mode, 1) FILTER_FN_TARGET(target, name, mode, 2)
#define FILTER_MODES_TARGET(target, name)                                                 \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_LP12)                                   \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_HP12)                                   \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_BP12)                                   \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_NOTCH)                                  \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_LP24)                                   \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_HP24)                                   \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_BP24)                                   \
    FILTER_MODE_TARGET(target, name, SHAPE_FILTER_NOTCH24)
FILTER_MODES_TARGET(, filter)

typedef void (*FilterFn)(VoiceFx *, float *, const float *, uint32_t);
/* A table of the instances, by filter type and channel count. */
#define FILTER_TABLE(row)                                                        \
    {                                                                            \
        row(SHAPE_FILTER_LP12), row(SHAPE_FILTER_HP12), row(SHAPE_FILTER_BP12),  \
            row(SHAPE_FILTER_NOTCH), row(SHAPE_FILTER_LP24), row(SHAPE_FILTER_HP24), \
            row(SHAPE_FILTER_BP24), row(SHAPE_FILTER_NOTCH24),                   \
    }
#define FILTER_ROW(mode) {filter_##mode##_1, filter_##mode##_2}
static const FilterFn FILTERS[SHAPE_FILTER_LAST][2] = FILTER_TABLE(FILTER_ROW);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The same loops in the AVX encoding, for CPUs that have it: three
 * operands an instruction, so none of the register copies that the
 * two-operand SSE forms need (a quarter of the linear filter's
 * instructions); and again for CPUs with AVX-512, whose 32 vector
 * registers hold what the sixteen of AVX kept on the stack (a 24 dB
 * filter's coefficients and state: a tenth of its time). The same
 * operations on the same values (no product is fused with a sum, as
 * everywhere: -ffp-contract=off): the same samples. */
#define FX_TARGET_AVX __attribute__((target("avx")))
#define FX_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2")))
FILTER_MODES_TARGET(FX_TARGET_AVX, filter_avx)
FILTER_MODES_TARGET(FX_TARGET_AVX512, filter_avx512)

#define FILTER_ROW_AVX(mode) {filter_avx_##mode##_1, filter_avx_##mode##_2}
#define FILTER_ROW_AVX512(mode) {filter_avx512_##mode##_1, filter_avx512_##mode##_2}
static const FilterFn FILTERS_AVX[SHAPE_FILTER_LAST][2] = FILTER_TABLE(FILTER_ROW_AVX);
static const FilterFn FILTERS_AVX512[SHAPE_FILTER_LAST][2] = FILTER_TABLE(FILTER_ROW_AVX512);

static bool has_avx(void)
{
    return __builtin_cpu_supports("avx");
}

static bool has_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq");
}
#else
#define FX_TARGET_AVX
#define FX_TARGET_AVX512
#define FILTERS_AVX FILTERS
#define FILTERS_AVX512 FILTERS
static bool has_avx(void)
{
    return false;
}

static bool has_avx512(void)
{
    return false;
}
#endif

/* Impulse Tracker's filter over n frames of s (it_retune): its two
 * previous outputs are ic[0][channel]. A mono voice's left goes to both
 * sides, as the other filters do. */
static void it_filter_run(VoiceFx *fx, float *s, uint32_t n, int chans)
{
    const float fg = fx->it_fg, b0 = fx->it_fb0, b1 = fx->it_fb1;
    float l1 = fx->ic[0][0][0], l2 = fx->ic[0][0][1];
    float r1 = fx->ic[0][1][0], r2 = fx->ic[0][1][1];
    for (uint32_t i = 0; i < n; i++) {
        float l = fg * s[2 * i] + b0 * l1 + b1 * l2;
        l2 = l1;
        l1 = l;
        float r = l;
        if (chans == 2) {
            r = fg * s[2 * i + 1] + b0 * r1 + b1 * r2;
            r2 = r1;
            r1 = r;
        }
        s[2 * i] = l;
        s[2 * i + 1] = r;
    }
    fx->ic[0][0][0] = l1;
    fx->ic[0][0][1] = l2;
    fx->ic[0][1][0] = r1;
    fx->ic[0][1][1] = r2;
}

static void filter_run(VoiceFx *fx, float *s, const float *env, uint32_t n,
                       int chans)
{
    if (it_filter(fx)) {
        it_filter_run(fx, s, n, chans);
        return;
    }
    if (n && has_avx512())
        FILTERS_AVX512[fx->filter - 1][chans == 2](fx, s, env, n);
    else if (n && has_avx())
        FILTERS_AVX[fx->filter - 1][chans == 2](fx, s, env, n);
    else if (n)
        FILTERS[fx->filter - 1][chans == 2](fx, s, env, n);
}

/* Two mono voices' lanes in one set. A mono voice's right lanes do what
 * its left lanes do (the same input, state and coefficients), so the left
 * lanes of both fill the four of a step: a's first stage, b's first, a's
 * second, b's second. Each lane does what the voice's own left lane
 * would (the same samples), in half the instructions. Macros (see
 * FX_PAIR): a's lanes 0, 2, 4, 6 and b's into one, and back, the right
 * lanes again their left. */
#define FX_MONO_PACK(a, b) __builtin_shufflevector((a), (b), 0, 8, 2, 10, 4, 12, 6, 14)
#define FX_MONO_A(p) __builtin_shufflevector((p), (p), 0, 0, 2, 2, 4, 4, 6, 6)
#define FX_MONO_B(p) __builtin_shufflevector((p), (p), 1, 1, 3, 3, 5, 5, 7, 7)
#define LIN8_FIELDS(do) do(c.p) do(c.q) do(c.r) do(c.s) do(c.m0) do(c.m1) do(c.b0) do(c.b1)
#define LANE8_FIELDS(do) do(k) do(band_gains) do(w0) do(w1) do(x_was) do(fed_old) do(fed_new)

static inline __attribute__((always_inline)) void lin_mono_pack(LinLanes *p, const LinLanes *a,
                                                                const LinLanes *b)
{
#define MONO_PACK_FIELD(f) p->f = FX_MONO_PACK(a->f, b->f);
    LIN8_FIELDS(MONO_PACK_FIELD)
    LANE8_FIELDS(MONO_PACK_FIELD)
#undef MONO_PACK_FIELD
}

/* The state back into each voice's lanes (the coefficients stay). */
static inline __attribute__((always_inline)) void lin_mono_unpack(const LinLanes *p, LinLanes *a,
                                                                  LinLanes *b)
{
#define MONO_UNPACK_FIELD(f) a->f = FX_MONO_A(p->f), b->f = FX_MONO_B(p->f);
    LANE8_FIELDS(MONO_UNPACK_FIELD)
#undef MONO_UNPACK_FIELD
}

/* Steps i of a and ib of b (and the steps after them): lin_lanes_step of
 * each, both mono, in one. */
static inline __attribute__((always_inline)) void
lin_mono_step(LinLanes *l, const FxLin8 *c, float *sa, float *sb, uint32_t i, uint32_t ib,
              const int mode, const bool two)
{
    /* a's frames i and i + 1, then b's (each side the same) */
    FxV4 in = __builtin_shufflevector(fx_load(sa + 2 * i), fx_load(sb + 2 * ib), 0, 4, 2, 6);
    FxV8 both = FX_PAIR(in, in);
    FxV8 x = __builtin_shufflevector(both, l->fed_old, 0, 1, 8, 9, 6, 7, 12, 13), y;
    lin_lanes_core(l, c, &x, &y, mode, two);
    FxV4 y0 = FX_LOW(y), y1 = FX_HIGH(y);
    if (two) {
        fx_store(sa + 2 * (i - LIN_LAG), __builtin_shufflevector(y0, y1, 2, 2, 6, 6));
        fx_store(sb + 2 * (ib - LIN_LAG), __builtin_shufflevector(y0, y1, 3, 3, 7, 7));
    } else {
        fx_store(sa + 2 * i, __builtin_shufflevector(y0, y1, 0, 0, 4, 4));
        fx_store(sb + 2 * ib, __builtin_shufflevector(y0, y1, 1, 1, 5, 5));
    }
}

/* Four values of frames f and f + 1 of two mono voices, in the lanes of
 * a pair's step: of a at f and of b at f + d (the first stage's), of a
 * at f - lag and of b at f + d - lag (the second's), from lists of both
 * stages (first, second) starting a frame before those; *now gets frames
 * f and f + 1, *before the frames before them. Loads of four and
 * shuffles, for a pair whose coefficients are worked out. */
static inline __attribute__((always_inline)) void
lin_mono_lanes(FxV8 *now, FxV8 *before, const float *a1, const float *b1, const float *a2,
               const float *b2)
{
    const FxV4 p = fx_load(a1), q = fx_load(b1), r = fx_load(a2), t = fx_load(b2);
    const FxV4 pq0 = __builtin_shufflevector(p, q, 0, 4, 1, 5),
               pq1 = __builtin_shufflevector(p, q, 2, 6, 3, 7),
               rt0 = __builtin_shufflevector(r, t, 0, 4, 1, 5),
               rt1 = __builtin_shufflevector(r, t, 2, 6, 3, 7);
    const FxV4 was = __builtin_shufflevector(pq0, rt0, 0, 1, 4, 5),
               mid = __builtin_shufflevector(pq0, rt0, 2, 3, 6, 7),
               next = __builtin_shufflevector(pq1, rt1, 0, 1, 4, 5);
    *before = FX_PAIR(was, mid);
    *now = FX_PAIR(mid, next);
}

/* The coefficients of pair i of a and i + d of b from their lists. */
static inline __attribute__((always_inline)) void
lin_mono_coefficients(FxLin8 *c, const LinFrames *fa, const LinFrames *fb, uint32_t i,
                      uint32_t d, uint32_t lag)
{
    /* b's frame, i + d, in frame arithmetic first: d may be a step back,
     * which added to a pointer would be four billion ahead. */
    const uint32_t ib = i + d;
    FxV8 g8, w8, a8, wa8;
    lin_mono_lanes(&g8, &w8, fa->g + i - 1, fb->g + ib - 1, fa->g + i - 1 - lag,
                   fb->g + ib - 1 - lag);
    lin_mono_lanes(&a8, &wa8, fa->a1[0] + i - 1, fb->a1[0] + ib - 1, fa->a1[1] + i - 1 - lag,
                   fb->a1[1] + ib - 1 - lag);
    LIN_COEFFICIENTS(FxV8, c, g8, a8, w8, wa8);
}

/* A still run's g and a1 in every frame's place (n + 1 of each), as a
 * gliding run has them, for the pairs of two mono voices of which one
 * is still and the other not. */
static void lin_fill_still(float *gs, float *as, float *bs, uint32_t n)
{
    for (uint32_t i = 1; i <= n; i++) {
        gs[i] = gs[0];
        as[i] = as[0];
        bs[i] = bs[0];
    }
}

/* A period's coefficients for two mono voices (lin_mono_periods): lanes
 * 0 to 3 of a frame `now` after frame `was` (each stage's, of a and b,
 * as a pair's lanes have them), lanes 4 to 7 of `now` after a frame of
 * its own g. Frames as a's count (b's d further on); a still voice's are
 * any of its run (all alike), `was` of a moving one may be the frame
 * before the run (lin_open). */
static inline __attribute__((always_inline)) void
lin_mono_period(FxLin8 *k, const LinFrames *fa, const LinFrames *fb, int64_t now, int64_t was,
                uint32_t d)
{
    const int64_t an = fa->still ? 0 : now, aw = fa->still ? 0 : was;
    const int64_t bn = fb->still ? 0 : (int32_t)((uint32_t)now + d),
                  bw = fb->still ? 0 : (int32_t)((uint32_t)was + d);
    const float *ga = fa->g, *gb = fb->g, *a1 = fa->a1[0], *a2 = fa->a1[1], *b1 = fb->a1[0],
                *b2 = fb->a1[1];
    const FxV8 g8 = {ga[an], gb[bn], ga[an], gb[bn], ga[an], gb[bn], ga[an], gb[bn]},
               w8 = {ga[aw], gb[bw], ga[aw], gb[bw], ga[an], gb[bn], ga[an], gb[bn]},
               a8 = {a1[an], b1[bn], a2[an], b2[bn], a1[an], b1[bn], a2[an], b2[bn]},
               wa8 = {a1[aw], b1[bw], a2[aw], b2[bw], a1[an], b1[bn], a2[an], b2[bn]};
    LIN_COEFFICIENTS(FxV8, k, g8, a8, w8, wa8);
}

/* Each field of *to from the lanes of *x and *y (eight lanes each, as
 * __builtin_shufflevector numbers them). */
#define LIN8_SHUFFLE(to, x, y, ...)                                                     \
    do {                                                                               \
        (to)->p = __builtin_shufflevector((x)->p, (y)->p, __VA_ARGS__);                \
        (to)->q = __builtin_shufflevector((x)->q, (y)->q, __VA_ARGS__);                \
        (to)->r = __builtin_shufflevector((x)->r, (y)->r, __VA_ARGS__);                \
        (to)->s = __builtin_shufflevector((x)->s, (y)->s, __VA_ARGS__);                \
        (to)->m0 = __builtin_shufflevector((x)->m0, (y)->m0, __VA_ARGS__);             \
        (to)->m1 = __builtin_shufflevector((x)->m1, (y)->m1, __VA_ARGS__);             \
        (to)->b0 = __builtin_shufflevector((x)->b0, (y)->b0, __VA_ARGS__);             \
        (to)->b1 = __builtin_shufflevector((x)->b1, (y)->b1, __VA_ARGS__);             \
    } while (0)

/* Pairs i (of a) and i + d (of b) of two mono 24 dB voices whose cutoffs
 * hold over each control period, the periods of both starting on the
 * same frames (those of the voice that moves, when one is still). A
 * pair's lanes then take one of four sets a period: with K the
 * coefficients of the period's first frame (after the last period's) in
 * lanes 0 to 3 (each stage's of a and b) and of a frame after one of its
 * own in lanes 4 to 7, and H those lanes 4 to 7 of the last period, a
 * period that starts on a pair's first frame has
 *     its first pair      [K 0 1, H 6 7, K 4 5, H 6 7]
 *     its second          [K 4 5, H 6 7, K 4 5, H 6 7]
 *     its third           [K 4 5, K 2 3, K 4 5, K 6 7]
 *     the rest            [K 4 5 6 7, K 4 5 6 7]
 * and one that starts on a pair's second frame, from that pair on,
 *     [H 4 5 6 7, K 0 1, H 6 7], [K 4 5, H 6 7, K 4 5, H 6 7],
 *     [K 4 5, H 6 7, K 4 5, K 2 3], then [K 4 5 6 7, K 4 5 6 7]
 * (the second stage LIN_LAG frames behind, at the third pair). One set
 * of coefficients worked out a period, where its pairs took four; each
 * lane the same values from the same g and a1. Returns the pair
 * reached: i when the voices are not so (lin_mono_pairs takes them). */
static inline __attribute__((always_inline)) uint32_t
lin_mono_periods(LinLanes *l, const LinFrames *fa, const LinFrames *fb, float *sa, float *sb,
                 uint32_t i, uint32_t end, uint32_t d, const int mode, const bool two)
{
    enum { PERIOD = VOICEFX_CONTROL_FRAMES };
    _Static_assert(LIN_LAG == 4 && PERIOD >= 8 && (PERIOD & (PERIOD - 1)) == 0,
                   "the second stage's first frame of a period at its third pair");
    if (!two || !(fa->still || fa->stairs) || !(fb->still || fb->stairs))
        return i;
    /* A frame f (as a's count) starts a period when o + f is a multiple
     * of PERIOD. */
    const uint32_t ob = fb->phase + d;
    if (!fa->still && !fb->still && ((fa->phase - ob) & (PERIOD - 1)))
        return i;
    const uint32_t o = fa->still ? ob : fa->phase;
    /* A moving voice's frame before the run may have another g than its
     * period's (a filter started afresh takes g = 0 there, lin_open):
     * the pairs that reach it (or, as the periods' sets are worked out,
     * whose period's last frame before it is it) work out their own. */
    for (; i < end && (i < LIN_LAG + 2 || i + d < LIN_LAG + 2); i += 2) {
        FxLin8 c;
        lin_mono_coefficients(&c, fa, fb, i, d, LIN_LAG);
        lin_mono_step(l, &c, sa, sb, i, i + d, mode, two);
    }
    /* whether periods start on the pairs' second frames */
    const uint32_t late = (o + i) & 1;
    /* H of this period and the last take turns in held_at (no copy) */
    FxLin8 k, held_at[2] = {{{0}}}, sets[3];
    FxLin8 *held = &held_at[1], *held_was = &held_at[0];
    bool was_known = false;
    while (i < end) {
        /* the pair's frame i + late is the q-th of its period; the frame
         * before that period, i + late - q - 1 when q <= 4, is in the run
         * (i >= LIN_LAG + 2) */
        const uint32_t now = i + late, q = (o + now) & (PERIOD - 1);
        const int64_t was = (int64_t)now - q - 1;
        lin_mono_period(&k, fa, fb, now, q <= 4 ? was : now, d);
        LIN8_SHUFFLE(held, &k, &k, 4, 5, 6, 7, 4, 5, 6, 7);
        if (!was_known && q <= (late ? 4 : 2)) { /* the sets that take H */
            FxLin8 k_was;
            lin_mono_period(&k_was, fa, fb, was, was, d);
            LIN8_SHUFFLE(held_was, &k_was, &k_was, 4, 5, 6, 7, 4, 5, 6, 7);
        }
        /* H's halves are alike: its lanes 6 and 7 are taken from its 2
         * and 3 where the set has them there (a blend, where a shuffle
         * across the halves took more). */
        if (q == 0 && !late)
            LIN8_SHUFFLE(&sets[0], &k, held_was, 0, 1, 10, 11, 4, 5, 14, 15);
        else if (q == 0)
            LIN8_SHUFFLE(&sets[0], held_was, &k, 0, 1, 2, 3, 8, 9, 6, 7);
        if (q <= 2)
            LIN8_SHUFFLE(&sets[1], held, held_was, 0, 1, 10, 11, 4, 5, 14, 15);
        if (q <= 4 && !late) {
            LIN8_SHUFFLE(&sets[2], held, &k, 0, 1, 10, 11, 4, 5, 6, 7);
        } else if (q <= 4) {
            FxLin8 both;
            LIN8_SHUFFLE(&both, held, &k, 0, 1, 2, 3, 4, 5, 10, 11);
            LIN8_SHUFFLE(&sets[2], &both, held_was, 0, 1, 10, 11, 4, 5, 6, 7);
        }
        const uint32_t stop = end - i < PERIOD - q ? end : i + (PERIOD - q);
        for (; i < stop; i += 2) {
            const uint32_t at = (o + i + late) & (PERIOD - 1);
            lin_mono_step(l, at < 6 ? &sets[at / 2] : held, sa, sb, i, i + d, mode, two);
        }
        FxLin8 *const next = held_was;
        held_was = held;
        held = next;
        was_known = true;
    }
    return i;
}

/* Pairs i (of a) and i + d (of b) up to end, both voices mono. */
enum { LIN_BATCH = 16 };
static inline __attribute__((always_inline)) void
lin_mono_pairs(LinLanes *la, LinLanes *lb, LinRun *a, LinRun *b, uint32_t i, uint32_t end,
               uint32_t d, const int mode, const bool two)
{
    LinLanes l;
    lin_mono_pack(&l, la, lb);
    float *sa = a->s, *sb = b->s;
    if (a->fr.still && b->fr.still) {
        for (; i < end; i += 2)
            lin_mono_step(&l, &l.c, sa, sb, i, i + d, mode, two);
    } else {
        LinFrames *fa = &a->fr, *fb = &b->fr;
        if (fa->still)
            lin_fill_still((float *)fa->g, (float *)fa->a1[0], (float *)fa->a1[1], a->n);
        if (fb->still)
            lin_fill_still((float *)fb->g, (float *)fb->a1[0], (float *)fb->a1[1], b->n);
        i = lin_mono_periods(&l, fa, fb, sa, sb, i, end, d, mode, two);
        const uint32_t lag = two ? LIN_LAG : 0;
        /* How far back from a pair's first frame its frames and the
         * frames before them, and the pair's before's, reach. */
        const uint32_t reach = lag + 3;
        /* Held over each control period (a still voice's too, its g in
         * every frame's place), a voice's g is one over frames of at most
         * two periods whose ends have it (lin_lanes_stairs), and a1 is
         * that of g: a pair whose frames, the frames before them and the
         * pair's before's have one g in each voice has that pair's
         * coefficients. Two scalar compares, where comparing the lanes
         * took more than the step. A gliding voice's pairs each work out
         * their own. */
        const bool held = (fa->still || fa->stairs) && (fb->still || fb->stairs);
        const float *ga = fa->g, *gb = fb->g;
        /* The coefficients of a batch of pairs first, then their steps:
         * the steps' loop keeps the state in registers, with the
         * coefficients read from memory (worked out between the steps,
         * they took the registers, and the state waited on the stack).
         * coefs[0] keeps the last of the batch before. */
        FxLin8 coefs[LIN_BATCH + 1];
        const FxLin8 *pair_c[LIN_BATCH];
        const FxLin8 *last = NULL;
        while (i < end) {
            if (last) {
                coefs[0] = *last;
                last = &coefs[0];
            }
            uint32_t m = 0, from = i;
            for (; i < end && m < LIN_BATCH; i += 2, m++) {
                const uint32_t ib = i + d; /* b's frame (see lin_mono_coefficients) */
                if (!last || !held || i < reach || ib < reach || ga[i - reach] != ga[i + 1] ||
                    gb[ib - reach] != gb[ib + 1]) {
                    lin_mono_coefficients(&coefs[1 + m], fa, fb, i, d, lag);
                    last = &coefs[1 + m];
                }
                pair_c[m] = last;
            }
            for (uint32_t k = 0; k < m; k++, from += 2)
                lin_mono_step(&l, pair_c[k], sa, sb, from, from + d, mode, two);
        }
    }
    lin_mono_unpack(&l, la, lb);
}

/* Two voices' filters of one type, linear (no self-oscillation), over
 * runs of their own lengths: each voice's steps as filter_loop takes them
 * (the same operations, the same samples), the steady pairs of both in
 * one loop. A voice's steps wait on its own state, product after sum
 * (that wait, not the arithmetic, was a frame's cost), so the other
 * voice's steps fill the wait. Both are taken as stereo: a mono voice's
 * right is its left in s (both sides of a mono voice are equal from the
 * read on), so its right lanes give what its left lanes do; of two mono
 * voices (`mono`) the steady pairs go in one set of lanes
 * (lin_mono_pairs). */
static inline __attribute__((always_inline)) void
filter_two_loop(VoiceFx *fa, float *sa, const float *ea, uint32_t na, VoiceFx *fb, float *sb,
                const float *eb, uint32_t nb, bool mono, const int mode)
{
    const bool two = mode >= SHAPE_FILTER_LP24;
    /* as filter_loop's */
    float g_at[2][FILTER_LIST], a_at[2][FILTER_LIST], b_at[2][FILTER_LIST];
    float *gs[2] = {g_at[0] + 1, g_at[1] + 1}, *as[2] = {a_at[0] + 1, a_at[1] + 1},
          *bs[2] = {b_at[0] + 1, b_at[1] + 1};
    bool stairs_a, stairs_b;
    bool still_a = filter_coefficients(fa, ea, na, two, gs[0], as[0], bs[0], &stairs_a);
    bool still_b = filter_coefficients(fb, eb, nb, two, gs[1], as[1], bs[1], &stairs_b);
    LinRun a, b;
    lin_open(&a, fa, sa, na, mode, still_a, stairs_a, gs[0], as[0], bs[0]);
    lin_open(&b, fb, sb, nb, mode, still_b, stairs_b, gs[1], as[1], bs[1]);
    lin_head(&a, 1, mode, two);
    lin_head(&b, 1, mode, two);
    if (lin_steady(&a, two) && lin_steady(&b, two)) {
        LinLanes la, lb;
        lin_lanes_in(&la, &a);
        lin_lanes_in(&lb, &b);
        /* As many pairs as both have: one count, the frames of b at a
         * fixed distance from a's. */
        uint32_t i = a.t, end = i + 2 * ((na - i) / 2 < (nb - b.t) / 2 ? (na - i) / 2
                                                                       : (nb - b.t) / 2);
        const uint32_t d = b.t - i; /* mod 2^32 */
        if (mono)
            lin_mono_pairs(&la, &lb, &a, &b, i, end, d, mode, two);
        else if (still_a && still_b)
            for (; i < end; i += 2) {
                lin_lanes_step(&la, &la.c, sa, i, 1, mode, two, LANES_ALL);
                lin_lanes_step(&lb, &lb.c, sb, i + d, 1, mode, two, LANES_ALL);
            }
        else {
            LinHeld held_a = {.g = NAN}, held_b = {.g = NAN};
            for (; i < end; i += 2) {
                lin_lanes_any(&la, &held_a, &a, i, 1, mode, two);
                lin_lanes_any(&lb, &held_b, &b, i + d, 1, mode, two);
            }
        }
        lin_lanes_out(&a, &la);
        lin_lanes_out(&b, &lb);
        b.t = end + d;
        a.t = end;
    }
    lin_pipe_pairs(&a, 1, mode, two);
    lin_pipe_pairs(&b, 1, mode, two);
    lin_tail(&a, 1, mode, two);
    lin_tail(&b, 1, mode, two);
    lin_close(&a, fa);
    lin_close(&b, fb);
}

typedef void (*FilterTwoFn)(VoiceFx *, float *, const float *, uint32_t, VoiceFx *, float *,
                            const float *, uint32_t, bool);
#define FILTER_TWO_FN(mode, target, name)                                                    \
    target static void name##_##mode(VoiceFx *fa, float *sa, const float *ea, uint32_t na,   \
                                     VoiceFx *fb, float *sb, const float *eb, uint32_t nb,   \
                                     bool mono)                                              \
    {                                                                                        \
        filter_two_loop(fa, sa, ea, na, fb, sb, eb, nb, mono, mode);                         \
    }
/* Only 24 dB filters pair (voicefx_filters_pair): a 12 dB one runs four
 * frames a step alone. */
#define FILTER_TWO_MODES(target, name)                                                       \
    FILTER_TWO_FN(SHAPE_FILTER_LP24, target, name)                                           \
    FILTER_TWO_FN(SHAPE_FILTER_HP24, target, name)                                           \
    FILTER_TWO_FN(SHAPE_FILTER_BP24, target, name)                                           \
    FILTER_TWO_FN(SHAPE_FILTER_NOTCH24, target, name)
#define FILTER_TWO_TABLE(name)                                                               \
    {                                                                                        \
        name##_SHAPE_FILTER_LP24, name##_SHAPE_FILTER_HP24, name##_SHAPE_FILTER_BP24,        \
            name##_SHAPE_FILTER_NOTCH24,                                                     \
    }
enum { FILTERS_PAIRED = SHAPE_FILTER_NOTCH24 - SHAPE_FILTER_LP24 + 1 };
FILTER_TWO_MODES(, filter_two)
static const FilterTwoFn FILTERS_TWO[FILTERS_PAIRED] = FILTER_TWO_TABLE(filter_two);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
FILTER_TWO_MODES(FX_TARGET_AVX, filter_two_avx)
FILTER_TWO_MODES(FX_TARGET_AVX512, filter_two_avx512)
static const FilterTwoFn FILTERS_TWO_AVX[FILTERS_PAIRED] = FILTER_TWO_TABLE(filter_two_avx);
static const FilterTwoFn FILTERS_TWO_AVX512[FILTERS_PAIRED] =
    FILTER_TWO_TABLE(filter_two_avx512);
#else
#define FILTERS_TWO_AVX FILTERS_TWO
#define FILTERS_TWO_AVX512 FILTERS_TWO
#endif

bool voicefx_filters_pair(const VoiceFx *a, const VoiceFx *b)
{
    return a->filter >= SHAPE_FILTER_LP24 && a->filter == b->filter && !a->self_osc &&
           !b->self_osc && !it_filter(a) && !it_filter(b);
}

static void filter_two(VoiceFx *fa, float *sa, const float *ea, uint32_t na, VoiceFx *fb,
                       float *sb, const float *eb, uint32_t nb, bool mono)
{
    if (has_avx512())
        FILTERS_TWO_AVX512[fa->filter - SHAPE_FILTER_LP24](fa, sa, ea, na, fb, sb, eb, nb,
                                                           mono);
    else if (has_avx())
        FILTERS_TWO_AVX[fa->filter - SHAPE_FILTER_LP24](fa, sa, ea, na, fb, sb, eb, nb, mono);
    else
        FILTERS_TWO[fa->filter - SHAPE_FILTER_LP24](fa, sa, ea, na, fb, sb, eb, nb, mono);
}

/* Saturation with its gain compensated so a full-scale peak stays full
 * scale: tape is the soft curve (without branches: clamped to +-3 first,
 * where it is exactly +-1), hard clips; of four samples. */
static inline __attribute__((always_inline)) FxV4 drive_vec(FxV4 x, float d, float norm,
                                                             bool hard)
{
    const FxV4 one = {1, 1, 1, 1}, three = {3, 3, 3, 3};
    if (hard)
        return fx_min(fx_max(x * d, -one), one);
    x = fx_min(fx_max(x * d, -three), three);
    FxV4 x2 = x * x;
    return x * (27.0f + x2) / (27.0f + 9.0f * x2) * norm;
}

/* The drive over s in place; gain 0 leaves s as it is. n is a multiple
 * of four. */
static inline __attribute__((always_inline)) void drive_curve(float *s, uint32_t n, float d, float norm, bool hard)
{
    if (d <= 0.0f)
        return;
    for (uint32_t i = 0; i < n; i += 4)
        fx_store(s + i, drive_vec(fx_load(s + i), d, norm, hard));
}

/* The drive over n frames of s. */
static inline __attribute__((always_inline)) void drive_run(VoiceFx *fx, float *s, uint32_t n)
{
    drive_curve(s, 2 * (n + (n & 1)), fx->drive_gain, fx->drive_norm,
                fx->drive_type == SHAPE_DRIVE_HARD);
}

/* crush -> filter -> drive over n frames of s; `env` and `fenv` are the
 * amplitude and filter envelopes' levels. */
static void crush_sse(VoiceFx *fx, float *s, uint32_t n, int chans)
{
    crush_run(fx, s, n, chans);
}

static void drive_sse(VoiceFx *fx, float *s, uint32_t n)
{
    drive_run(fx, s, n);
}

/* The crush and the drive in the AVX and AVX-512 encodings too, as the
 * filter. */
FX_TARGET_AVX static void crush_avx(VoiceFx *fx, float *s, uint32_t n, int chans)
{
    crush_run(fx, s, n, chans);
}

FX_TARGET_AVX static void drive_avx(VoiceFx *fx, float *s, uint32_t n)
{
    drive_run(fx, s, n);
}

FX_TARGET_AVX512 static void crush_avx512(VoiceFx *fx, float *s, uint32_t n, int chans)
{
    crush_run(fx, s, n, chans);
}

FX_TARGET_AVX512 static void drive_avx512(VoiceFx *fx, float *s, uint32_t n)
{
    drive_run(fx, s, n);
}

/* A stage's widest encoding that the CPU has. */
#define FX_WIDEST(stage) (has_avx512() ? stage##_avx512 : has_avx() ? stage##_avx : stage##_sse)

/* The stages; the drive only when `drive` (else drive_gains does it). */
static void stages_run(VoiceFx *fx, float *s, const float *env, const float *fenv,
                       uint32_t n, int chans, bool drive)
{
    if (fx->crush_step > 0.0f || fx->crush_inc)
        FX_WIDEST(crush)(fx, s, n, chans);
    if (fx->filter != SHAPE_FILTER_OFF)
        filter_run(fx, s, fx->fenv_own ? fenv : env, n, chans);
    if (drive && fx->drive_gain > 0.0f)
        FX_WIDEST(drive)(fx, s, n);
}

/* The stages over a run of n frames of s; while a change fades, its first
 * frames fade from what the stages as they were make of the same input. */
static void stages_fading(VoiceFx *fx, float *s, const float *env, const float *fenv,
                          uint32_t n, int chans)
{
    if (!fx->change_left) {
        stages_run(fx, s, env, fenv, n, chans, true);
        return;
    }
    float was[2 * VOICEFX_CHANGE_FRAMES + 2];
    uint32_t m = n < fx->change_left ? n : fx->change_left;
    memcpy(was, s, sizeof(float) * 2 * (m + (m & 1)));
    VoiceFx old = *fx;
    STAGES_COPY(&old, &fx->was);
    stages_run(&old, was, env, fenv, m, chans, true);
    STAGES_COPY(&fx->was, &old);
    stages_run(fx, s, env, fenv, n, chans, true);
    change_fade(s, was, m, &fx->change_left);
}

void voicefx_insert_run(VoiceFx *fx, float *stereo, uint32_t n)
{
    /* As a voice's runs: whole vectors read, so a copy padded to an even
     * frame count; no envelope moves the cutoff. */
    static const float still[VOICEFX_RUN + 4];
    float s[2 * VOICEFX_RUN + 2];
    while (n) {
        uint32_t run = n < VOICEFX_RUN ? n : VOICEFX_RUN;
        memcpy(s, stereo, sizeof(float) * 2 * run);
        if (run & 1)
            s[2 * run] = s[2 * run + 1] = 0.0f;
        fx->env_still = true;
        stages_fading(fx, s, still, still, run, 2);
        memcpy(stereo, s, sizeof(float) * 2 * run);
        stereo += 2 * (size_t)run;
        n -= run;
    }
}

/* The voice's gains (volume, pan, declick ramps, a fading release) times
 * the envelope, added into the outputs; as mix_run does for plain voices.
 * Frames under a ramp go one at a time, steady ones two an instruction.
 * Returns false when the voice has ended. */
static inline __attribute__((always_inline)) bool
apply_gains(MixerVoice *v, const float *s, const float *env, float *out, float *port,
            uint32_t n)
{
    float gl = v->gl, gr = v->gr, gm = v->gm;
    uint32_t i = 0;
    for (; i < n && v->ramp_left; i++) {
        gl += v->dl;
        gr += v->dr;
        gm += v->dm;
        if (!--v->ramp_left) {
            gl = v->tl;
            gr = v->tr;
            gm = v->tm;
            if (v->releasing) {
                v->active = false;
                v->releasing = false;
            }
        }
        float l = s[2 * i] * env[i], r = s[2 * i + 1] * env[i];
        out[2 * i] += l * gl;
        out[2 * i + 1] += r * gr;
        if (port)
            port[i] += (l + r) * 0.5f * gm;
        if (!v->active) {
            n = ++i;
            break;
        }
    }
    if (!port) {
        const FxV4 gains = {gl, gr, gl, gr};
        for (; i + 2 <= n; i += 2) {
            FxV4 e = {env[i], env[i], env[i + 1], env[i + 1]};
            fx_store(out + 2 * i, fx_load(out + 2 * i) + fx_load(s + 2 * i) * e * gains);
        }
    }
    for (; i < n; i++) {
        float l = s[2 * i] * env[i], r = s[2 * i + 1] * env[i];
        out[2 * i] += l * gl;
        out[2 * i + 1] += r * gr;
        if (port)
            port[i] += (l + r) * 0.5f * gm;
    }
    v->gl = gl;
    v->gr = gr;
    v->gm = gm;
    return v->active;
}

/* The drive and then apply_gains in one pass, for a voice with no ramp
 * under way and no port (most frames of most voices): the same
 * operations in the same order, so the same samples, without storing
 * the driven samples and reading them again; four frames a step in
 * eight lanes (one instruction in the AVX encoding, two in SSE), then
 * two, then one. `env_still`: every level of env is env[0]. */
#define FX8_PICK(when, a, b) ((FxV8)(((when) & (FxI8)(a)) | (~(when) & (FxI8)(b))))
/* drive_vec in eight lanes (a macro: see FX_PAIR) */
#define DRIVE8(x, d, norm, hard)                                                   \
    ({                                                                             \
        FxV8 y_ = (x) * (d);                                                       \
        const FxV8 top_ = (hard) ? (FxV8){1, 1, 1, 1, 1, 1, 1, 1}                  \
                                 : (FxV8){3, 3, 3, 3, 3, 3, 3, 3};                 \
        y_ = FX8_PICK(y_ > -top_, y_, -top_);                                      \
        y_ = FX8_PICK(y_ < top_, y_, top_);                                        \
        if (!(hard)) {                                                             \
            FxV8 y2_ = y_ * y_;                                                    \
            y_ = y_ * (27.0f + y2_) / (27.0f + 9.0f * y2_) * (norm);               \
        }                                                                          \
        y_;                                                                        \
    })
/* One case of drive_gains, its choices constant: a loop of its own. */
static inline __attribute__((always_inline)) void
drive_gains_case(const VoiceFx *fx, MixerVoice *v, const float *s, const float *env,
                 float *out, uint32_t n, const bool drive, const bool hard,
                 const bool env_still, const bool mono)
{
    const float d = fx->drive_gain, norm = fx->drive_norm;
    const float gl = v->gl, gr = v->gr, e0 = env[0];
    const FxV8 gains8 = {gl, gr, gl, gr, gl, gr, gl, gr};
    const FxV8 still8 = {e0, e0, e0, e0, e0, e0, e0, e0};
    /* One count for the steps, the samples' place, from which the rest
     * follow: kept apart (frame, sample and level counts), the counting
     * took more instructions than the sound (7 of a still step's 11). The
     * levels: one load of four, each to both sides' lanes. */
    const uint32_t whole = n & ~3u;
    const float *sp = s, *level = env;
    float *to = out;
    if (drive && mono) {
        /* Both sides of a mono voice are equal in s (voice_read, and
         * every stage keeps them so): each frame is driven once, eight a
         * step, and goes to both sides' lanes after. */
        for (const float *end = s + 2 * (n & ~7u); sp < end; sp += 16, to += 16, level += 8) {
            const FxV8 a = *(const FxV8u *)sp, b = *(const FxV8u *)(sp + 8);
            const FxV8 y =
                DRIVE8(__builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14), d, norm, hard);
            const FxV8 e0_ = env_still ? still8
                                       : __builtin_shufflevector(fx_load(level), fx_load(level),
                                                                 0, 0, 1, 1, 2, 2, 3, 3),
                       e1_ = env_still ? still8
                                       : __builtin_shufflevector(fx_load(level + 4),
                                                                 fx_load(level + 4), 0, 0, 1, 1,
                                                                 2, 2, 3, 3);
            *(FxV8u *)to = *(const FxV8u *)to +
                           __builtin_shufflevector(y, y, 0, 0, 1, 1, 2, 2, 3, 3) * e0_ * gains8;
            *(FxV8u *)(to + 8) = *(const FxV8u *)(to + 8) +
                                 __builtin_shufflevector(y, y, 4, 4, 5, 5, 6, 6, 7, 7) * e1_ *
                                     gains8;
        }
    }
    for (const float *end = s + 2 * whole; sp < end; sp += 8, to += 8, level += 4) {
        FxV8 x = *(const FxV8u *)sp;
        if (drive)
            x = DRIVE8(x, d, norm, hard);
        FxV8 e = env_still ? still8
                           : __builtin_shufflevector(fx_load(level), fx_load(level), 0, 0, 1, 1,
                                                     2, 2, 3, 3);
        *(FxV8u *)to = *(const FxV8u *)to + x * e * gains8;
    }
    uint32_t i = whole;
    const FxV4 gains = {gl, gr, gl, gr};
    for (; i + 2 <= n; i += 2) {
        FxV4 x = fx_load(s + 2 * i);
        if (drive)
            x = drive_vec(x, d, norm, hard);
        FxV4 e = env_still ? (FxV4){e0, e0, e0, e0}
                           : (FxV4){env[i], env[i], env[i + 1], env[i + 1]};
        fx_store(out + 2 * i, fx_load(out + 2 * i) + x * e * gains);
    }
    if (i < n) { /* the last frame: its pair is whole in s */
        FxV4 y = fx_load(s + 2 * i);
        if (drive)
            y = drive_vec(y, d, norm, hard);
        float e = env_still ? e0 : env[i];
        out[2 * i] += y[0] * e * gl;
        out[2 * i + 1] += y[1] * e * gr;
    }
}

static inline __attribute__((always_inline)) void
drive_gains(const VoiceFx *fx, MixerVoice *v, const float *s, const float *env,
            bool env_still, float *out, uint32_t n)
{
    bool hard = fx->drive_type == SHAPE_DRIVE_HARD, mono = v->chans == 1;
    if (fx->drive_gain <= 0.0f) {
        if (env_still)
            drive_gains_case(fx, v, s, env, out, n, false, false, true, false);
        else
            drive_gains_case(fx, v, s, env, out, n, false, false, false, false);
    } else if (hard) {
        if (env_still)
            drive_gains_case(fx, v, s, env, out, n, true, true, true, mono);
        else
            drive_gains_case(fx, v, s, env, out, n, true, true, false, mono);
    } else if (env_still) {
        drive_gains_case(fx, v, s, env, out, n, true, false, true, mono);
    } else {
        drive_gains_case(fx, v, s, env, out, n, true, false, false, mono);
    }
}

static void drive_gains_sse(const VoiceFx *fx, MixerVoice *v, const float *s, const float *env,
                            bool env_still, float *out, uint32_t n)
{
    drive_gains(fx, v, s, env, env_still, out, n);
}

FX_TARGET_AVX static void drive_gains_avx(const VoiceFx *fx, MixerVoice *v, const float *s,
                                          const float *env, bool env_still, float *out,
                                          uint32_t n)
{
    drive_gains(fx, v, s, env, env_still, out, n);
}

FX_TARGET_AVX512 static void drive_gains_avx512(const VoiceFx *fx, MixerVoice *v,
                                                const float *s, const float *env,
                                                bool env_still, float *out, uint32_t n)
{
    drive_gains(fx, v, s, env, env_still, out, n);
}

/* The voice's sample at unit gain into s: up to n frames, in pieces
 * that end where the pitch bends (a control point), as the voice's own
 * reads must. The stages after it run once over all of them: a bend
 * alone, most of a pitch envelope or a glide, does not cut the run in
 * sixteen-frame pieces (each stage's set-up, and the filter's, paid every
 * sixteen frames). Anything else that happens to the voice (a slice's or
 * the end point's fade, the sample's end) ends the pieces there, so it
 * comes at the start of a run, where the gains see it. Returns the frames
 * read; *ended when the sample ended on the last of them. */
static uint32_t voice_read(VoiceFx *fx, MixerVoice *v, float *s, uint32_t n, bool *ended)
{
    uint64_t age = fx->age;
    uint32_t done = 0;
    *ended = false;
    /* The sample at unit gain: the voice's gains are applied after. */
    float gl = v->gl, gr = v->gr, gm = v->gm;
    uint32_t ramp = v->ramp_left;
    bool releasing = v->releasing, unity = false;
    bool plain = !v->end_pos && !(fx->end && v->loop == LOOP_OFF && !v->backward && !v->reverse);
    /* Whole vectors: the stages read up to an even frame count. */
    memset(s, 0, sizeof(float) * 2 * (n + (n & 1)));
    while (done < n) {
        uint32_t run = n - done;
        bool bent = false;
        if (bending(fx)) {
            uint32_t phase = (uint32_t)(fx->age % VOICEFX_CONTROL_FRAMES);
            if (!phase) {
                bend_advance(fx);
                apply_step(fx, v);
            }
            if (run > VOICEFX_CONTROL_FRAMES - phase) {
                run = VOICEFX_CONTROL_FRAMES - phase;
                bent = true;
            }
        }
        /* A slice's end fade is a release of the voice as it is. */
        run = mixer_voice_slice_edge(v, run);
        if (!v->active)
            break;
        if (fx->end && v->loop == LOOP_OFF && !v->backward && !v->reverse) {
            /* The end point: the voice fades out over the declick ramp
             * before it and ends there. */
            uint64_t end = (uint64_t)fx->end << 32;
            uint64_t left = v->pos >= end ? 0 : (end - v->pos + v->step - 1) / v->step;
            if (!left) {
                mixer_voice_kill(v);
                break;
            }
            /* The fade starts on the same frame whatever the blocks, and
             * would reach silence on the end frame itself. */
            if (left <= fx->fade && !v->releasing)
                mixer_voice_release(v, (uint32_t)left + 1);
            else if (left > fx->fade && run > left - fx->fade)
                run = (uint32_t)(left - fx->fade);
            if (run > left)
                run = (uint32_t)left;
        }
        if (!unity) {
            unity = true;
            gl = v->gl, gr = v->gr, gm = v->gm;
            ramp = v->ramp_left;
            releasing = v->releasing;
            v->gl = v->gr = v->gm = 1.0f;
            v->ramp_left = 0;
            v->releasing = false;
        }
        uint64_t pos = v->pos;
        mixer_voice_render_plain(v, s + 2 * (size_t)done, NULL, run);
        /* A sample that ends (only one that does not loop can, and it
         * moves by whole steps) ends the voice on that frame: the stages
         * must not go on making sound from the silence after it. */
        *ended = !v->active;
        if (*ended)
            run = (uint32_t)((v->pos - pos) / v->step);
        v->active = true;
        done += run;
        fx->age += run;
        if (*ended || !bent || !plain)
            break;
    }
    if (unity) {
        v->gl = gl;
        v->gr = gr;
        v->gm = gm;
        v->ramp_left = ramp;
        v->releasing = releasing;
    }
    fx->age = age;
    return done;
}

static bool apply_gains_sse(MixerVoice *v, const float *s, const float *env, float *out,
                            float *port, uint32_t n)
{
    return apply_gains(v, s, env, out, port, n);
}

/* In the AVX and AVX-512 encodings too, as the stages. */
FX_TARGET_AVX static bool apply_gains_avx(MixerVoice *v, const float *s, const float *env,
                                          float *out, float *port, uint32_t n)
{
    return apply_gains(v, s, env, out, port, n);
}

FX_TARGET_AVX512 static bool apply_gains_avx512(MixerVoice *v, const float *s,
                                                const float *env, float *out, float *port,
                                                uint32_t n)
{
    return apply_gains(v, s, env, out, port, n);
}

/* A voice's render under way (voicefx_render, voicefx_render_two): the
 * run just read, its envelopes, and where the rest goes. */
typedef struct {
    VoiceFx *fx;
    MixerVoice *v;
    float *out, *port;
    uint32_t n;         /* frames still to render */
    uint32_t run;       /* frames of the run in s */
    bool ended;         /* the sample ended on the run's last frame */
    bool env_still;     /* every level of env is env[0] */
    bool fast;          /* no change fading, no ramp, no port: the drive
                           goes with the gains (drive_gains) */
    float s[2 * VOICEFX_RUN + 2], env[VOICEFX_RUN], fenv[VOICEFX_RUN];
} VoiceRun;

/* Its buffers are left as they are: each run writes what it reads. */
static void run_start(VoiceRun *r, VoiceFx *fx, MixerVoice *v, float *out, float *port,
                      uint32_t n)
{
    r->fx = fx;
    r->v = v;
    r->out = out;
    r->port = port;
    r->n = n;
    r->run = 0;
    apply_step(fx, v);
}

/* The next run of the voice read, with its envelopes' levels; false when
 * the voice has nothing more to render. */
static bool run_read(VoiceRun *r)
{
    VoiceFx *fx = r->fx;
    MixerVoice *v = r->v;
    if (!r->n || !v->active)
        return false;
    r->run = voice_read(fx, v, r->s, r->n < VOICEFX_RUN ? r->n : VOICEFX_RUN, &r->ended);
    if (!v->active)
        return false;
    /* The runs with no fade, ramp or port read no more than the first
     * level of an envelope held over the run (env_levels). */
    r->fast = !fx->change_left && !v->ramp_left && !r->port;
    r->env_still = env_levels(&fx->amp, r->env, r->run, !r->fast || fx->amp_fade_left);
    if (fx->amp_fade_left) {
        amp_fade(fx, r->env, r->run);
        r->env_still = false;
    }
    bool fenv_still = false;
    if (fx->fenv_own && (fx->filter != SHAPE_FILTER_OFF ||
                         (fx->change_left && fx->was.filter != SHAPE_FILTER_OFF)))
        fenv_still = env_levels(&fx->fenv, r->fenv, r->run, !r->fast);
    fx->env_still = fx->fenv_own ? fenv_still : r->env_still;
    return true;
}

/* The stages over the run: of most runs, all but the drive, which goes
 * with the gains. */
static void run_stages(VoiceRun *r)
{
    if (r->fast)
        stages_run(r->fx, r->s, r->env, r->fenv, r->run, r->v->chans, false);
    else
        stages_fading(r->fx, r->s, r->env, r->fenv, r->run, r->v->chans);
}

/* The run's gains into the outputs; the voice ends when its envelope or
 * sample did. */
static void run_mix(VoiceRun *r)
{
    VoiceFx *fx = r->fx;
    MixerVoice *v = r->v;
    if (r->fast)
        FX_WIDEST(drive_gains)(fx, v, r->s, r->env, r->env_still, r->out, r->run);
    else
        FX_WIDEST(apply_gains)(v, r->s, r->env, r->out, r->port, r->run);
    if (r->ended || fx->amp.stage == VOICEFX_DONE)
        mixer_voice_kill(v);
    fx->age += r->run;
    r->out += 2 * (size_t)r->run;
    if (r->port)
        r->port += r->run;
    r->n -= r->run;
}

void voicefx_render(VoiceFx *fx, MixerVoice *v, float *out, float *port,
                    uint32_t n)
{
    VoiceRun r;
    run_start(&r, fx, v, out, port, n);
    while (run_read(&r)) {
        run_stages(&r);
        run_mix(&r);
    }
}

void voicefx_render_two(VoiceFx *fa, MixerVoice *va, float *outa, float *porta,
                        VoiceFx *fb, MixerVoice *vb, float *outb, float *portb, uint32_t n)
{
    VoiceRun a, b;
    run_start(&a, fa, va, outa, porta, n);
    run_start(&b, fb, vb, outb, portb, n);
    for (;;) {
        bool has_a = run_read(&a), has_b = run_read(&b);
        if (has_a && has_b && a.fast && b.fast && a.run && b.run && voicefx_filters_pair(fa, fb)) {
            /* stages_run of each, the filters side by side */
            if (fa->crush_step > 0.0f || fa->crush_inc)
                FX_WIDEST(crush)(fa, a.s, a.run, va->chans);
            if (fb->crush_step > 0.0f || fb->crush_inc)
                FX_WIDEST(crush)(fb, b.s, b.run, vb->chans);
            filter_two(fa, a.s, fa->fenv_own ? a.fenv : a.env, a.run, fb, b.s,
                       fb->fenv_own ? b.fenv : b.env, b.run, va->chans == 1 && vb->chans == 1);
        } else {
            if (has_a)
                run_stages(&a);
            if (has_b)
                run_stages(&b);
        }
        if (has_a)
            run_mix(&a);
        if (has_b)
            run_mix(&b);
        if (!has_a && !has_b)
            break;
    }
}
