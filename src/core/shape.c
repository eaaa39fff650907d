#include "shape.h"

#include <stdio.h>
#include <string.h>

/* The release default is the 10 ms fade that === always had, so a song
 * that never mentions the envelope sounds as it did. */
static const char *const FILTER_NAMES[] = {"off",  "lp12", "hp12", "bp12",   "notch",
                                           "lp24", "hp24", "bp24", "notch24"};
static const char *const DRIVE_NAMES[] = {"tape", "hard"};
static const char *const MODE_NAMES[] = {"poly", "mono", "legato"};
static const char *const OFF_ON[] = {"off", "on"};
static const char *const FENV_NAMES[] = {"amp", "own"};

static const ShapeInfo SHAPE_TABLE[SHAPE_COUNT] = {
    [SHAPE_ATTACK] = {"attack", "Attack", "ms", 0, 10000, 0, NULL},
    [SHAPE_HOLD] = {"hold", "Hold", "ms", 0, 10000, 0, NULL},
    [SHAPE_DECAY] = {"decay", "Decay", "ms", 0, 20000, 0, NULL},
    [SHAPE_SUSTAIN] = {"sustain", "Sustain", "%", 0, 100, 100, NULL},
    [SHAPE_RELEASE] = {"release", "Release", "ms", 0, 20000, 10, NULL},
    [SHAPE_PITCH] = {"pitch_env", "Pitch env", "st", -48, 48, 0, NULL},
    [SHAPE_PITCH_DECAY] = {"pitch_decay", "Pitch decay", "ms", 0, 10000, 0, NULL},
    [SHAPE_FILTER] = {"filter", "Filter", "", 0, SHAPE_FILTER_LAST, 0, FILTER_NAMES},
    [SHAPE_CUTOFF] = {"cutoff", "Cutoff", "Hz", 20, 20000, 20000, NULL},
    [SHAPE_RESONANCE] = {"resonance", "Resonance", "%", 0, 100, 0, NULL},
    [SHAPE_FILTER_ENV] = {"filter_env", "Filter env", "st", -96, 96, 0, NULL},
    /* The filter's own envelope starts as a copy of the amplitude
     * envelope's defaults, so choosing it changes nothing until it is set. */
    [SHAPE_FENV_FROM] = {"filter_env_from", "Filt env from", "", 0, 1, 0, FENV_NAMES},
    [SHAPE_FENV_ATTACK] = {"fenv_attack", "Filt attack", "ms", 0, 10000, 0, NULL},
    [SHAPE_FENV_HOLD] = {"fenv_hold", "Filt hold", "ms", 0, 10000, 0, NULL},
    [SHAPE_FENV_DECAY] = {"fenv_decay", "Filt decay", "ms", 0, 20000, 0, NULL},
    [SHAPE_FENV_SUSTAIN] = {"fenv_sustain", "Filt sustain", "%", 0, 100, 100, NULL},
    [SHAPE_FENV_RELEASE] = {"fenv_release", "Filt release", "ms", 0, 20000, 10, NULL},
    [SHAPE_KEY_TRACK] = {"key_track", "Key track", "%", 0, 100, 0, NULL},
    [SHAPE_FILTER_VEL] = {"filter_vel", "Filter vel", "st", 0, 96, 0, NULL},
    [SHAPE_CRUSH_BITS] = {"crush_bits", "Crush bits", "bits", 0, 16, 0, NULL},
    [SHAPE_CRUSH_RATE] = {"crush_rate", "Crush rate", "Hz", 0, 96000, 0, NULL},
    [SHAPE_CRUSH_MIX] = {"crush_mix", "Crush mix", "%", 0, 100, 100, NULL},
    [SHAPE_DRIVE] = {"drive", "Drive", "%", 0, 100, 0, NULL},
    [SHAPE_DRIVE_TYPE] = {"drive_type", "Drive type", "", 0, 1, 0, DRIVE_NAMES},
    [SHAPE_DRIVE_VEL] = {"drive_vel", "Drive vel", "%", 0, 100, 0, NULL},
    [SHAPE_VOICE_MODE] = {"mode", "Voice mode", "", 0, 2, 0, MODE_NAMES},
    [SHAPE_GLIDE] = {"glide", "Glide", "ms", 0, 5000, 0, NULL},
    [SHAPE_END] = {"end", "End", "frames", 0, 2147483647, 0, NULL},
    [SHAPE_START] = {"start", "Start", "frames", 0, 2147483647, 0, NULL},
    [SHAPE_REVERSE] = {"reverse", "Reverse", "", 0, 1, 0, OFF_ON},
    [SHAPE_CHOKE] = {"choke", "Choke group", "", 0, 16, 0, NULL},
    [SHAPE_CHOKE_FADE] = {"choke_fade", "Choke fade", "ms", 0, 1000, 5, NULL},
    /* A slice's edges fade in and out so a cut mid-waveform never clicks;
     * 2 ms is short enough to keep a drum's attack. */
    [SHAPE_SLICE_MODE] = {"slice_mode", "Slice mode", "", 0, 1, 0, OFF_ON},
    [SHAPE_SLICE_FADE] = {"slice_fade", "Slice fade", "ms", 1, 50, 2, NULL},
};

const ShapeInfo *shape_info(ShapeParam param)
{
    return (unsigned)param < SHAPE_COUNT ? &SHAPE_TABLE[param] : NULL;
}

ShapeParam shape_find(const char *key, unsigned long n)
{
    for (int i = 0; i < SHAPE_COUNT; i++)
        if (strlen(SHAPE_TABLE[i].key) == n && !memcmp(SHAPE_TABLE[i].key, key, n))
            return (ShapeParam)i;
    return SHAPE_COUNT;
}

static bool defaults_below(const int values[SHAPE_COUNT], int end)
{
    for (int i = 0; i < end; i++)
        if (values[i] != SHAPE_TABLE[i].def)
            return false;
    return true;
}

bool shape_is_default(const int values[SHAPE_COUNT])
{
    return defaults_below(values, SHAPE_COUNT);
}

bool shape_voice_is_plain(const int values[SHAPE_COUNT])
{
    return defaults_below(values, SHAPE_START);
}

void shape_defaults(int values[SHAPE_COUNT])
{
    for (int i = 0; i < SHAPE_COUNT; i++)
        values[i] = SHAPE_TABLE[i].def;
}

const char *shape_unused_reason(const int values[SHAPE_COUNT], ShapeParam param)
{
    switch (param) {
    case SHAPE_CUTOFF:
    case SHAPE_RESONANCE:
    case SHAPE_FILTER_ENV:
    case SHAPE_FENV_FROM:
    case SHAPE_KEY_TRACK:
    case SHAPE_FILTER_VEL:
        return values[SHAPE_FILTER] == SHAPE_FILTER_OFF ? "filter off" : NULL;
    case SHAPE_FENV_ATTACK:
    case SHAPE_FENV_HOLD:
    case SHAPE_FENV_DECAY:
    case SHAPE_FENV_SUSTAIN:
    case SHAPE_FENV_RELEASE:
        if (values[SHAPE_FILTER] == SHAPE_FILTER_OFF)
            return "filter off";
        return values[SHAPE_FENV_FROM] != SHAPE_FENV_OWN ? "env from amp" : NULL;
    case SHAPE_CRUSH_MIX:
        return !values[SHAPE_CRUSH_BITS] && !values[SHAPE_CRUSH_RATE] ? "crush off" : NULL;
    case SHAPE_DRIVE_TYPE:
    case SHAPE_DRIVE_VEL:
        return !values[SHAPE_DRIVE] ? "drive off" : NULL;
    case SHAPE_GLIDE:
        return values[SHAPE_VOICE_MODE] == SHAPE_MODE_POLY ? "poly" : NULL;
    case SHAPE_CHOKE_FADE:
        return !values[SHAPE_CHOKE] ? "no choke group" : NULL;
    default:
        return NULL;
    }
}

int shape_choice_find(const ShapeInfo *info, const char *name, unsigned long n)
{
    if (!info->choices)
        return -1;
    for (int i = info->min; i <= info->max; i++)
        if (strlen(info->choices[i]) == n && !memcmp(info->choices[i], name, n))
            return i;
    return -1;
}

void shape_choice_list(const ShapeInfo *info, char *buf, unsigned long size)
{
    size_t used = 0;
    buf[0] = 0;
    for (int i = info->min; info->choices && i <= info->max; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i > info->min ? "|" : "",
                         info->choices[i]);
        if (n < 0 || used + (size_t)n >= size)
            break;
        used += (size_t)n;
    }
}
