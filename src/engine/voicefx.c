#include "voicefx.h"

#include <math.h>
#include <string.h>

static uint32_t ms_frames(int ms, uint32_t rate)
{
    return (uint32_t)(((uint64_t)(ms > 0 ? ms : 0) * rate + 500) / 1000);
}

/* Enters `stage`, passing at once through stages that last no frames. */
static void env_enter(VoiceFx *fx, VoiceFxStage stage)
{
    for (;;) {
        fx->stage = stage;
        switch (stage) {
        case VOICEFX_ATTACK:
            fx->left = fx->attack_frames;
            fx->level = 0.0f;
            fx->slope = fx->left ? 1.0f / (float)fx->left : 0.0f;
            break;
        case VOICEFX_HOLD:
            fx->level = 1.0f;
            fx->left = fx->hold_frames;
            fx->slope = 0.0f;
            break;
        case VOICEFX_DECAY:
            fx->level = 1.0f;
            fx->left = fx->decay_frames;
            fx->slope = fx->left ? (fx->sustain - 1.0f) / (float)fx->left : 0.0f;
            break;
        case VOICEFX_SUSTAIN:
            fx->level = fx->sustain;
            fx->slope = 0.0f;
            fx->left = UINT32_MAX;
            if (fx->sustain <= 0.0f) { /* nothing more to hear */
                stage = VOICEFX_DONE;
                continue;
            }
            return;
        case VOICEFX_RELEASE:
            fx->left = fx->release_frames;
            fx->slope = fx->left ? -fx->level / (float)fx->left : 0.0f;
            break;
        case VOICEFX_DONE:
            fx->level = 0.0f;
            fx->slope = 0.0f;
            fx->left = UINT32_MAX;
            return;
        }
        if (fx->left)
            return;
        stage = (VoiceFxStage)(stage + 1);
        if (stage == VOICEFX_SUSTAIN + 1) /* release ends the note */
            stage = VOICEFX_DONE;
    }
}

void voicefx_start(VoiceFx *fx, const Instrument *inst, uint32_t rate,
                   MixerVoice *v)
{
    memset(fx, 0, sizeof *fx);
    fx->on = !shape_is_default(inst->shape);
    const int *s = inst->shape;
    fx->attack_frames = ms_frames(s[SHAPE_ATTACK], rate);
    fx->hold_frames = ms_frames(s[SHAPE_HOLD], rate);
    fx->decay_frames = ms_frames(s[SHAPE_DECAY], rate);
    fx->release_frames = ms_frames(s[SHAPE_RELEASE], rate);
    fx->sustain = (float)hiss_clampi(s[SHAPE_SUSTAIN], 0, 100) / 100.0f;
    fx->pitch_frames = ms_frames(s[SHAPE_PITCH_DECAY], rate);
    fx->pitch_start = fx->pitch_frames ? (float)s[SHAPE_PITCH] : 0.0f;
    fx->pitch_mult = 1.0f;
    fx->base_step = fx->set_step = v->step;
    env_enter(fx, VOICEFX_ATTACK);
}

void voicefx_release(VoiceFx *fx)
{
    if (fx->stage < VOICEFX_RELEASE)
        env_enter(fx, VOICEFX_RELEASE);
}

static uint32_t scaled(uint32_t frames, double scale)
{
    if (frames == UINT32_MAX)
        return frames;
    double f = llround((double)frames * scale);
    return f < 1.0 && frames ? 1u : (uint32_t)f;
}

void voicefx_carry(VoiceFx *to, const VoiceFx *from, double scale)
{
    *to = *from;
    if (scale == 1.0 || !to->on)
        return;
    to->attack_frames = scaled(from->attack_frames, scale);
    to->hold_frames = scaled(from->hold_frames, scale);
    to->decay_frames = scaled(from->decay_frames, scale);
    to->release_frames = scaled(from->release_frames, scale);
    to->pitch_frames = scaled(from->pitch_frames, scale);
    to->left = scaled(from->left, scale);
    if (to->left && to->left != UINT32_MAX)
        to->slope = (float)(from->slope * (double)from->left / to->left);
    to->age = (uint64_t)llround((double)from->age * scale);
    to->age -= to->age % VOICEFX_PITCH_FRAMES;
    /* The mixer rescaled the voice's step; the base follows. */
    to->set_step = 0;
    to->base_step = (uint64_t)llround((double)from->base_step / scale);
}

/* The pitch envelope's multiplier at the voice's current age. */
static float pitch_mult(const VoiceFx *fx)
{
    if (fx->pitch_start == 0.0f || fx->age >= fx->pitch_frames)
        return 1.0f;
    float st = fx->pitch_start * (1.0f - (float)fx->age / (float)fx->pitch_frames);
    return exp2f(st / 12.0f);
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

/* The envelope's next n levels into env. */
static void env_levels(VoiceFx *fx, float *env, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint32_t k = n - i < fx->left ? n - i : fx->left;
        float level = fx->level, slope = fx->slope;
        for (uint32_t j = 0; j < k; j++) {
            level += slope;
            env[i + j] = level;
        }
        fx->level = level;
        i += k;
        if (fx->left != UINT32_MAX)
            fx->left -= k;
        if (!fx->left) {
            VoiceFxStage next = fx->stage == VOICEFX_RELEASE ? VOICEFX_DONE
                                                             : (VoiceFxStage)(fx->stage + 1);
            env_enter(fx, next);
        }
    }
}

/* The voice's gains (volume, pan, declick ramps, a fading release) times
 * the envelope, added into the outputs; as mix_run does for plain voices.
 * Returns false when the voice has ended. */
static bool apply_gains(MixerVoice *v, const float *s, const float *env,
                        float *out, float *port, uint32_t n)
{
    float gl = v->gl, gr = v->gr, gm = v->gm;
    for (uint32_t i = 0; i < n; i++) {
        if (v->ramp_left) {
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
        }
        float l = s[2 * i] * env[i], r = s[2 * i + 1] * env[i];
        out[2 * i] += l * gl;
        out[2 * i + 1] += r * gr;
        if (port)
            port[i] += (l + r) * 0.5f * gm;
        if (!v->active)
            break;
    }
    v->gl = gl;
    v->gr = gr;
    v->gm = gm;
    return v->active;
}

void voicefx_render(VoiceFx *fx, MixerVoice *v, float *out, float *port,
                    uint32_t n)
{
    float s[2 * VOICEFX_RUN], env[VOICEFX_RUN];
    apply_step(fx, v);
    while (n && v->active) {
        uint32_t run = n < VOICEFX_RUN ? n : VOICEFX_RUN;
        if (fx->pitch_start != 0.0f && fx->age < fx->pitch_frames + VOICEFX_PITCH_FRAMES) {
            uint32_t phase = (uint32_t)(fx->age % VOICEFX_PITCH_FRAMES);
            if (!phase) {
                fx->pitch_mult = pitch_mult(fx);
                apply_step(fx, v);
            }
            if (run > VOICEFX_PITCH_FRAMES - phase)
                run = VOICEFX_PITCH_FRAMES - phase;
        }
        /* The sample at unit gain: the voice's gains are applied after. */
        float gl = v->gl, gr = v->gr, gm = v->gm;
        uint32_t ramp = v->ramp_left;
        bool releasing = v->releasing;
        v->gl = v->gr = v->gm = 1.0f;
        v->ramp_left = 0;
        v->releasing = false;
        memset(s, 0, sizeof(float) * 2 * run);
        mixer_voice_render(v, s, NULL, run);
        bool ended = !v->active;
        v->gl = gl;
        v->gr = gr;
        v->gm = gm;
        v->ramp_left = ramp;
        v->releasing = releasing;
        v->active = true;
        env_levels(fx, env, run);
        apply_gains(v, s, env, out, port, run);
        if (ended || fx->stage == VOICEFX_DONE)
            mixer_voice_kill(v);
        fx->age += run;
        out += 2 * (size_t)run;
        if (port)
            port += run;
        n -= run;
    }
}
