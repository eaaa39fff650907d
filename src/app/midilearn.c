/* midilearn: see midilearn.h. */
#include "midilearn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "keymap.h"

static const char *const GROUP_NAMES[MIXPARAM_GROUPS] = {
    [MIXPARAM_STRIP] = "strip", [MIXPARAM_EQ] = "eq",         [MIXPARAM_COMP] = "comp",
    [MIXPARAM_DUCK] = "duck",   [MIXPARAM_GLUE] = "glue",     [MIXPARAM_TAPE] = "tape",
    [MIXPARAM_MASTER] = "master", [MIXPARAM_DELAY] = "delay", [MIXPARAM_REVERB] = "reverb",
};

static const struct {
    const char *name;
    bool channel; /* takes a song channel */
} ACTIONS[MIDILEARN_ACTIONS] = {
    [MIDILEARN_MUTE] = {"mute", true},
    [MIDILEARN_SOLO] = {"solo", true},
    [MIDILEARN_MUTE_AT_BAR] = {"mute_at_bar", true},
    [MIDILEARN_SOLO_AT_BAR] = {"solo_at_bar", true},
    [MIDILEARN_CUE_NEXT] = {"cue_next", false},
    [MIDILEARN_TAP] = {"tap", false},
    [MIDILEARN_PLAY] = {"play", false},
    [MIDILEARN_RECORD] = {"record", false},
};

/* Groups with a channel: the per-channel ones (the EQ's master is 0). */
static bool has_channel(MixparamGroup g)
{
    return g == MIXPARAM_STRIP || g == MIXPARAM_EQ || g == MIXPARAM_COMP ||
           g == MIXPARAM_DUCK;
}

static bool parse_int(const char *text, int base, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(text, &end, base);
    if (end == text || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static HissError parse_mix(const char *const *words, int count, MidiLearnBinding *out,
                           HissDiag *why)
{
    int g = 0;
    while (g < MIXPARAM_GROUPS && strcmp(words[1], GROUP_NAMES[g]))
        g++;
    if (count != 4 || g == MIXPARAM_GROUPS) {
        hiss_diag_printf(why, "%s: expected 'tempo', GROUP CHANNEL FIELD (GROUP: strip, eq, "
                              "comp, duck, glue, tape, master, delay, reverb), instrument II "
                              "FIELD, mute|solo|mute_at_bar|solo_at_bar CHANNEL, cue_next, "
                              "tap, play or record",
                         words[0]);
        return HISS_ERR_PARSE;
    }
    int ch = 0;
    if (!parse_int(words[2], 10, 0, SONG_MAX_CHANNELS, &ch) ||
        (has_channel((MixparamGroup)g) && ch == 0 && g != MIXPARAM_EQ)) {
        hiss_diag_printf(why, "%s: channel '%s' is not 1..%d%s", words[0], words[2],
                         SONG_MAX_CHANNELS, g == MIXPARAM_EQ ? " (0: the master's)" : "");
        return HISS_ERR_PARSE;
    }
    out->kind = MIDILEARN_MIX;
    out->param.group = (MixparamGroup)g;
    out->param.channel = ch ? ch - 1 : MIXPARAM_MASTER_CHANNEL;
    for (int i = 0; i < mixparam_count((MixparamGroup)g); i++) {
        out->param.index = i;
        const SongParamInfo *info = mixparam_info(out->param);
        if (info && !strcmp(info->name, words[3]) && mixparam_valid(out->param))
            return HISS_OK;
    }
    hiss_diag_printf(why, "%s: %s has no setting '%s'", words[0], words[1], words[3]);
    return HISS_ERR_PARSE;
}

static HissError parse_shape(const char *const *words, int count, MidiLearnBinding *out,
                             HissDiag *why)
{
    if (count != 4 || !parse_int(words[2], 16, 1, SONG_MAX_INSTRUMENTS, &out->instrument)) {
        hiss_diag_printf(why, "%s: expected instrument II FIELD (II 01..FF)", words[0]);
        return HISS_ERR_PARSE;
    }
    out->kind = MIDILEARN_SHAPE;
    out->shape = shape_find(words[3], strlen(words[3]));
    if (out->shape == SHAPE_COUNT) {
        hiss_diag_printf(why, "%s: an instrument has no setting '%s'", words[0], words[3]);
        return HISS_ERR_PARSE;
    }
    return HISS_OK;
}

HissError midilearn_parse(bool note, const char *const *words, int count,
                          MidiLearnBinding *out, HissDiag *why)
{
    memset(out, 0, sizeof *out);
    out->note = note;
    char where[16];
    const char *colon = count > 0 ? strchr(words[0], ':') : NULL;
    const char *what = note ? "NOTE" : "CC";
    int m = 0;
    if (!colon || (size_t)(colon - words[0]) >= sizeof where) {
        hiss_diag_printf(why, "midi_%s needs MIDI_CHANNEL:%s first (1..16:0..127)",
                         note ? "note" : "cc", what);
        return HISS_ERR_PARSE;
    }
    memcpy(where, words[0], (size_t)(colon - words[0]));
    where[colon - words[0]] = '\0';
    if (!parse_int(where, 10, 1, 16, &m) || !parse_int(colon + 1, 10, 0, 127, &out->number)) {
        hiss_diag_printf(why, "'%s' is not MIDI_CHANNEL:%s (1..16:0..127)", words[0], what);
        return HISS_ERR_PARSE;
    }
    out->midi_channel = m - 1;
    if (count == 2 && !strcmp(words[1], "tempo")) {
        out->kind = MIDILEARN_TEMPO;
        return HISS_OK;
    }
    for (int a = 0; count >= 2 && a < MIDILEARN_ACTIONS; a++) {
        if (strcmp(words[1], ACTIONS[a].name))
            continue;
        out->kind = MIDILEARN_ACTION;
        out->action = (MidiLearnAction)a;
        if (!ACTIONS[a].channel && count == 2)
            return HISS_OK;
        int ch = 0;
        if (ACTIONS[a].channel && count == 3 &&
            parse_int(words[2], 10, 1, SONG_MAX_CHANNELS, &ch)) {
            out->channel = ch - 1;
            return HISS_OK;
        }
        hiss_diag_printf(why, ACTIONS[a].channel ? "%s: %s takes a channel, 1..%d"
                                                 : "%s: %s takes nothing after it",
                         words[0], words[1], SONG_MAX_CHANNELS);
        return HISS_ERR_PARSE;
    }
    if (count >= 2 && !strcmp(words[1], "instrument"))
        return parse_shape(words, count, out, why);
    if (count < 2)
        return parse_mix((const char *const[]){words[0], ""}, 2, out, why);
    return parse_mix(words, count, out, why);
}

void midilearn_target_text(const MidiLearnBinding *b, char *buf, size_t size)
{
    switch (b->kind) {
    case MIDILEARN_TEMPO:
        snprintf(buf, size, "tempo");
        return;
    case MIDILEARN_SHAPE: {
        const ShapeInfo *info = shape_info(b->shape);
        snprintf(buf, size, "instrument %02X %s", (unsigned)b->instrument,
                 info ? info->key : "?");
        return;
    }
    case MIDILEARN_ACTION:
        if (ACTIONS[b->action].channel)
            snprintf(buf, size, "%s %d", ACTIONS[b->action].name, b->channel + 1);
        else
            snprintf(buf, size, "%s", ACTIONS[b->action].name);
        return;
    case MIDILEARN_MIX:
        break;
    }
    const SongParamInfo *info = mixparam_info(b->param);
    snprintf(buf, size, "%s %d %s", GROUP_NAMES[b->param.group], b->param.channel + 1,
             info ? info->name : "?");
}

void midilearn_line(const MidiLearnBinding *b, char *buf, size_t size)
{
    char target[48]; /* the longest is "instrument FF fenv_release" */
    midilearn_target_text(b, target, sizeof target);
    snprintf(buf, size, "%s %d:%d %s", b->note ? "midi_note" : "midi_cc",
             b->midi_channel + 1, b->number, target);
}

void midilearn_source_text(const MidiLearnBinding *b, char *buf, size_t size)
{
    if (b->note) {
        char name[4];
        int hiss_note = NOTE_C4 + b->number - 60;
        if (hiss_note >= NOTE_FIRST && hiss_note <= NOTE_LAST)
            song_note_name((uint8_t)hiss_note, name);
        else
            snprintf(name, sizeof name, "%d", b->number);
        snprintf(buf, size, "note %s (MIDI channel %d)", name, b->midi_channel + 1);
    } else {
        snprintf(buf, size, "CC %d (MIDI channel %d)", b->number, b->midi_channel + 1);
    }
}

const MidiLearnBinding *midilearn_find(const MidiLearn *ml, bool note, int midi_channel,
                                       int number)
{
    for (int i = 0; i < ml->count; i++) {
        const MidiLearnBinding *b = &ml->bindings[i];
        if (b->note == note && b->midi_channel == midi_channel && b->number == number)
            return b;
    }
    return NULL;
}

HissError midilearn_bind(MidiLearn *ml, const MidiLearnBinding *b)
{
    MidiLearnBinding *old =
        (MidiLearnBinding *)midilearn_find(ml, b->note, b->midi_channel, b->number);
    if (old) {
        *old = *b;
        return HISS_OK;
    }
    if (ml->count >= MIDILEARN_MAX)
        return HISS_ERR_RANGE;
    ml->bindings[ml->count++] = *b;
    return HISS_OK;
}

bool midilearn_unbind(MidiLearn *ml, bool note, int midi_channel, int number)
{
    const MidiLearnBinding *b = midilearn_find(ml, note, midi_channel, number);
    if (!b)
        return false;
    int i = (int)(b - ml->bindings);
    memmove(&ml->bindings[i], &ml->bindings[i + 1],
            (size_t)(ml->count - i - 1) * sizeof ml->bindings[0]);
    ml->count--;
    return true;
}

bool midilearn_is_switch(const MidiLearnBinding *b)
{
    if (b->kind == MIDILEARN_MIX) {
        const SongParamInfo *info = mixparam_info(b->param);
        return info && info->kind == SONG_PARAM_SWITCH;
    }
    if (b->kind == MIDILEARN_SHAPE) {
        const ShapeInfo *info = shape_info(b->shape);
        return info && info->choices && info->max - info->min == 1;
    }
    return false;
}

/* A frequency moves in even steps of pitch, as a filter knob does: a
 * linear sweep over 20..20000 Hz would spend half its turn above 10 kHz. */
static int shape_value(const ShapeInfo *info, int v)
{
    if (!strcmp(info->unit, "Hz") && info->min > 0) {
        double hz = info->min * pow((double)info->max / info->min, v / 127.0);
        return hiss_clampi((int)lround(hz), info->min, info->max);
    }
    return info->min + (int)(((long)(info->max - info->min) * v + 63) / 127);
}

int midilearn_value(const MidiLearnBinding *b, int position)
{
    int v = hiss_clampi(position, 0, 127);
    switch (b->kind) {
    case MIDILEARN_TEMPO:
        return MIDILEARN_TEMPO_LOW + 10 * v;
    case MIDILEARN_SHAPE: {
        const ShapeInfo *info = shape_info(b->shape);
        return info ? shape_value(info, v) : 0;
    }
    case MIDILEARN_ACTION:
        return v >= 64;
    case MIDILEARN_MIX:
        break;
    }
    const SongParamInfo *info = mixparam_info(b->param);
    if (!info)
        return 0;
    if (info->kind == SONG_PARAM_SWITCH)
        return v >= 64;
    return info->min + (int)(((long)(info->max - info->min) * v + 63) / 127);
}

HissError midilearn_save(const MidiLearn *ml, const char *path, HissDiag *why)
{
    char text[MIDILEARN_MAX * (MIDILEARN_LINE_MAX + 1) + 128];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "# MIDI controllers and notes learned in hiss (midi_learn); "
                                "hiss rewrites this file.\n");
    for (int i = 0; i < ml->count && n < sizeof text; i++) {
        char line[MIDILEARN_LINE_MAX];
        midilearn_line(&ml->bindings[i], line, sizeof line);
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\n", line);
    }
    if (n >= sizeof text)
        n = sizeof text - 1;
    /* The folders of the hissrc may not exist yet: learning asked for
     * them. EEXIST is fine; any other failure, the write says. */
    char dir[1024];
    const char *slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        for (char *p = dir + 1; *p; p++)
            if (*p == '/') {
                *p = '\0';
                mkdir(dir, 0700);
                *p = '/';
            }
        mkdir(dir, 0700);
    }
    return fileio_write_owned(path, text, n, why);
}

bool midilearn_default_path(char *buf, size_t size)
{
    if (!keymap_default_path(buf, size))
        return false;
    char *slash = strrchr(buf, '/');
    size_t dir = slash ? (size_t)(slash - buf) + 1 : 0;
    int n = snprintf(buf + dir, size - dir, "midi_learn");
    return n > 0 && (size_t)n < size - dir;
}
