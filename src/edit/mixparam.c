/* mixparam: see mixparam.h. */
#include "mixparam.h"

#include <stddef.h>

#include "edit.h"

static const SongParamInfo STRIP_PARAMS[EDIT_STRIP_FIELDS] = {
    [EDIT_STRIP_GAIN] = {"gain", SONG_PARAM_TENTHS, SONG_GAIN_MIN, SONG_GAIN_MAX,
                         SONG_CHANNEL_GAIN_DEFAULT, "dB", true},
    [EDIT_STRIP_PAN] = {"pan", SONG_PARAM_INT, -100, 100, 0, ""},
    [EDIT_STRIP_MUTE] = {"mute", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [EDIT_STRIP_SOLO] = {"solo", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [EDIT_STRIP_SEND_A] = {"send_a", SONG_PARAM_TENTHS, SONG_GAIN_MIN, SONG_GAIN_MAX,
                           SONG_GAIN_MIN, "dB", true},
    [EDIT_STRIP_SEND_B] = {"send_b", SONG_PARAM_TENTHS, SONG_GAIN_MIN, SONG_GAIN_MAX,
                           SONG_GAIN_MIN, "dB", true},
    [EDIT_STRIP_SEND_A_PRE] = {"send_a_pre", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [EDIT_STRIP_SEND_B_PRE] = {"send_b_pre", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [EDIT_STRIP_DUCK_FROM] = {"duck_from", SONG_PARAM_INT, 0, SONG_MAX_CHANNELS, 0, "channel",
                              true},
    [EDIT_STRIP_DUCK_DEPTH] = {"duck_depth", SONG_PARAM_TENTHS, SONG_GAIN_MIN, 0,
                               SONG_DUCK_DEPTH_DEFAULT, "dB"}, /* the floor: silence */
};

/* The song file's limits (songfile.c) and song_eq_default's values. */
static const SongParamInfo EQ_PARAMS[MIXPARAM_EQ_FIELDS] = {
    [MIXPARAM_EQ_LOW_CUT] = {"low_cut", SONG_PARAM_INT, 0, SONG_EQ_HZ_MAX, 0, "Hz", true},
    [MIXPARAM_EQ_LOW_SHELF_HZ] = {"low_shelf", SONG_PARAM_INT, 20, SONG_EQ_HZ_MAX, 100, "Hz"},
    [MIXPARAM_EQ_LOW_SHELF_DB] = {"low_shelf", SONG_PARAM_TENTHS, -SONG_EQ_DB_MAX,
                                  SONG_EQ_DB_MAX, 0, "dB"},
    [MIXPARAM_EQ_MID_HZ] = {"mid", SONG_PARAM_INT, 20, SONG_EQ_HZ_MAX, 1000, "Hz"},
    [MIXPARAM_EQ_MID_DB] = {"mid", SONG_PARAM_TENTHS, -SONG_EQ_DB_MAX, SONG_EQ_DB_MAX, 0,
                            "dB"},
    [MIXPARAM_EQ_MID_Q] = {"q", SONG_PARAM_TENTHS, 1, SONG_EQ_Q_MAX, 7, ""},
    [MIXPARAM_EQ_HIGH_SHELF_HZ] = {"high_shelf", SONG_PARAM_INT, 20, SONG_EQ_HZ_MAX, 8000,
                                   "Hz"},
    [MIXPARAM_EQ_HIGH_SHELF_DB] = {"high_shelf", SONG_PARAM_TENTHS, -SONG_EQ_DB_MAX,
                                   SONG_EQ_DB_MAX, 0, "dB"},
    [MIXPARAM_EQ_HIGH_CUT] = {"high_cut", SONG_PARAM_INT, 0, SONG_EQ_HZ_MAX, 0, "Hz", true},
};

static const SongParamInfo DUCK_PARAMS[MIXPARAM_DUCK_FIELDS] = {
    [MIXPARAM_DUCK_ATTACK] = {"duck_attack", SONG_PARAM_INT, 0, SONG_DUCK_MS_MAX,
                              SONG_DUCK_ATTACK_DEFAULT, "ms"},
    [MIXPARAM_DUCK_HOLD] = {"duck_hold", SONG_PARAM_INT, 0, SONG_DUCK_MS_MAX,
                            SONG_DUCK_HOLD_DEFAULT, "ms"},
    [MIXPARAM_DUCK_RELEASE] = {"duck_release", SONG_PARAM_INT, 0, SONG_DUCK_MS_MAX,
                               SONG_DUCK_RELEASE_DEFAULT, "ms"},
    [MIXPARAM_DUCK_INST] = {"duck_inst", SONG_PARAM_INT, 0, SONG_MAX_INSTRUMENTS, 0,
                            "instrument", true},
};

static const SongParamInfo MASTER_PARAMS[MIXPARAM_MASTER_FIELDS] = {
    [MIXPARAM_MASTER_GAIN] = {"master_gain", SONG_PARAM_TENTHS, SONG_GAIN_MIN, SONG_GAIN_MAX,
                              0, "dB"},
    [MIXPARAM_MASTER_LIMITER] = {"limiter", SONG_PARAM_SWITCH, 0, 1, 1, ""},
    [MIXPARAM_MASTER_CEILING] = {"ceiling", SONG_PARAM_TENTHS, SONG_CEILING_MIN, 0,
                                 SONG_CEILING_DEFAULT, "dBTP"},
};

static const struct {
    const SongParamInfo *params;
    int count;
    bool per_channel;
} GROUPS[MIXPARAM_GROUPS] = {
    [MIXPARAM_STRIP] = {STRIP_PARAMS, EDIT_STRIP_FIELDS, true},
    [MIXPARAM_EQ] = {EQ_PARAMS, MIXPARAM_EQ_FIELDS, true},
    [MIXPARAM_COMP] = {song_comp_params, SONG_COMP_PARAMS, true},
    [MIXPARAM_DUCK] = {DUCK_PARAMS, MIXPARAM_DUCK_FIELDS, true},
    [MIXPARAM_GLUE] = {song_glue_params, SONG_GLUE_PARAMS, false},
    [MIXPARAM_TAPE] = {song_tape_params, SONG_TAPE_PARAMS, false},
    [MIXPARAM_MASTER] = {MASTER_PARAMS, MIXPARAM_MASTER_FIELDS, false},
    [MIXPARAM_DELAY] = {song_delay_params, SONG_DELAY_PARAMS, false},
    [MIXPARAM_REVERB] = {song_reverb_params, SONG_REVERB_PARAMS, false},
};

int mixparam_count(MixparamGroup group)
{
    return group >= 0 && group < MIXPARAM_GROUPS ? GROUPS[group].count : 0;
}

bool mixparam_valid(MixParam p)
{
    if (p.group < 0 || p.group >= MIXPARAM_GROUPS || p.index < 0 ||
        p.index >= GROUPS[p.group].count)
        return false;
    if (!GROUPS[p.group].per_channel)
        return true;
    /* The EQ alone has a master twin. */
    int lowest = p.group == MIXPARAM_EQ ? MIXPARAM_MASTER_CHANNEL : 0;
    return p.channel >= lowest && p.channel < SONG_MAX_CHANNELS;
}

const SongParamInfo *mixparam_info(MixParam p)
{
    return mixparam_valid(p) ? &GROUPS[p.group].params[p.index] : NULL;
}

static _Atomic int *eq_field(SongEqShared *eq, int index)
{
    _Atomic int *const fields[MIXPARAM_EQ_FIELDS] = {
        &eq->low_cut_hz,       &eq->low_shelf_hz,        &eq->low_shelf_tenth_db,
        &eq->mid_hz,           &eq->mid_tenth_db,        &eq->mid_q_tenths,
        &eq->high_shelf_hz,    &eq->high_shelf_tenth_db, &eq->high_cut_hz,
    };
    return fields[index];
}

/* The atomic of a group kept as plain ints; NULL for the strip and master. */
static _Atomic int *atomic_of(Song *s, MixParam p)
{
    SongStrip *st = p.channel >= 0 ? &s->strips[p.channel] : NULL;
    switch (p.group) {
    case MIXPARAM_EQ: return eq_field(st ? &st->eq : &s->master_eq, p.index);
    case MIXPARAM_COMP: return &st->comp[p.index];
    case MIXPARAM_DUCK:
        return p.index == MIXPARAM_DUCK_ATTACK    ? &st->duck_attack_ms
               : p.index == MIXPARAM_DUCK_HOLD    ? &st->duck_hold_ms
               : p.index == MIXPARAM_DUCK_RELEASE ? &st->duck_release_ms
                                                  : &st->duck_inst;
    case MIXPARAM_GLUE: return &s->glue[p.index];
    case MIXPARAM_TAPE: return &s->tape[p.index];
    case MIXPARAM_DELAY: return &s->delay[p.index];
    case MIXPARAM_REVERB: return &s->reverb[p.index];
    default: return NULL;
    }
}

int mixparam_get(const Song *song, MixParam p)
{
    if (!mixparam_valid(p))
        return 0;
    if (p.group == MIXPARAM_STRIP)
        return edit_strip_get(song, p.channel, (EditStripField)p.index);
    if (p.group == MIXPARAM_MASTER)
        return p.index == MIXPARAM_MASTER_GAIN      ? atomic_load(&song->master_gain_tenth_db)
               : p.index == MIXPARAM_MASTER_LIMITER ? atomic_load(&song->limiter)
                                                    : atomic_load(&song->limiter_ceiling_tenth_db);
    /* Read only: the accessor is shared with mixparam_store. */
    return atomic_load(atomic_of((Song *)song, p));
}

void mixparam_store(Song *song, MixParam p, int value)
{
    _Atomic int *v = mixparam_valid(p) ? atomic_of(song, p) : NULL;
    if (v)
        atomic_store(v, value);
}
