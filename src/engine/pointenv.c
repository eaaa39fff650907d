#include "pointenv.h"

bool pointenv_any(const Instrument *inst)
{
    if (!inst)
        return false;
    for (int k = 0; k < SONG_ENV_KINDS; k++)
        if (inst->env[k].count)
            return true;
    return false;
}

/* The levels at the envelopes' positions, as gain, pan, semitones and
 * cutoff share. */
static void pointenv_levels(PointEnv *pe, const Instrument *inst)
{
    float level[SONG_ENV_KINDS];
    for (int k = 0; k < SONG_ENV_KINDS; k++)
        level[k] = inst->env[k].count && !(pe->off & 1u << k)
                       ? song_envelope_value(&inst->env[k], pe->pos[k])
                       : (float)song_env_neutral((SongEnvKind)k);
    pe->gain = level[SONG_ENV_VOLUME] / SONG_ENV_TOP * (float)pe->fade / SONG_FADEOUT_MAX;
    pe->pan = level[SONG_ENV_PANNING];
    pe->semis = (level[SONG_ENV_PITCH] - SONG_ENV_TOP / 2) * 0.5f;
    pe->cutoff_scale = level[SONG_ENV_FILTER] / SONG_ENV_TOP;
}

void pointenv_start(PointEnv *pe, const Instrument *inst)
{
    pe->on = pointenv_any(inst);
    pe->fresh = true;
    pe->key_off = pe->off_this_tick = false;
    pe->off = 0;
    for (int k = 0; k < SONG_ENV_KINDS; k++)
        pe->pos[k] = 0;
    pe->fade = SONG_FADEOUT_MAX;
    if (pe->on) {
        pointenv_levels(pe, inst);
    } else {
        pe->gain = 1.0f;
        pe->pan = SONG_ENV_TOP / 2;
        pe->semis = 0.0f;
        pe->cutoff_scale = 1.0f;
    }
}

bool pointenv_has_volume(const PointEnv *pe, const Instrument *inst)
{
    return inst->vol_env.count > 0 && !(pe->off & 1u << SONG_ENV_VOLUME);
}

/* After the note off, whether the fadeout acts on this tick: at once,
 * or (fade_from end) once a volume envelope without a loop has passed
 * its last point. */
static bool fades_now(const PointEnv *pe, const Instrument *inst)
{
    const SongEnvelope *env = &inst->vol_env;
    int n = env->count < SONG_ENV_POINTS ? env->count : SONG_ENV_POINTS;
    return !inst->fade_after_env || env->loop_end >= 0 || n == 0 ||
           pe->pos[SONG_ENV_VOLUME] >= env->tick[n - 1];
}

bool pointenv_tick(PointEnv *pe, const Instrument *inst)
{
    if (!pe->on)
        return true;
    bool vol = pointenv_has_volume(pe, inst);
    if (pe->fresh) {
        pe->fresh = false;
    } else {
        /* The tick of the note off still holds the sustain; the envelope
         * goes on past it from the tick after, as the trackers play it. */
        bool sustain = !pe->key_off || pe->off_this_tick;
        for (int k = 0; k < SONG_ENV_KINDS; k++)
            if (!(pe->off & 1u << k))
                pe->pos[k] = song_envelope_next(&inst->env[k], pe->pos[k], sustain);
        if (pe->key_off && vol && fades_now(pe, inst))
            pe->fade = hiss_clampi(pe->fade - inst->fadeout, 0, SONG_FADEOUT_MAX);
    }
    pe->off_this_tick = false;
    pointenv_levels(pe, inst);
    return !vol || (pe->fade > 0 &&
                    !song_envelope_ended_silent(&inst->vol_env, pe->pos[SONG_ENV_VOLUME]));
}

void pointenv_switch(PointEnv *pe, const Instrument *inst, SongEnvKind kind, bool on)
{
    if (!pe->on)
        return;
    pe->off = on ? pe->off & ~(1u << kind) : pe->off | 1u << kind;
    pointenv_levels(pe, inst);
}

bool pointenv_release(PointEnv *pe, const Instrument *inst)
{
    if (!pe->on)
        return false;
    pe->off_this_tick = !pe->key_off;
    pe->key_off = true;
    return pointenv_has_volume(pe, inst);
}
