/* midilearn: see midilearn.h. */
#include "midilearn.h"

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

/* Groups with a channel: the per-channel ones (the EQ's master is 0). */
static bool has_channel(MixparamGroup g)
{
    return g == MIXPARAM_STRIP || g == MIXPARAM_EQ || g == MIXPARAM_COMP ||
           g == MIXPARAM_DUCK;
}

static bool parse_int(const char *text, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

HissError midilearn_parse(const char *const *words, int count, MidiLearnBinding *out,
                          HissDiag *why)
{
    memset(out, 0, sizeof *out);
    char where[16];
    const char *colon = count > 0 ? strchr(words[0], ':') : NULL;
    int m = 0;
    if (!colon || (size_t)(colon - words[0]) >= sizeof where) {
        hiss_diag_printf(why, "midi_cc needs MIDI_CHANNEL:CC first (1..16:0..127)");
        return HISS_ERR_PARSE;
    }
    memcpy(where, words[0], (size_t)(colon - words[0]));
    where[colon - words[0]] = '\0';
    if (!parse_int(where, 1, 16, &m) || !parse_int(colon + 1, 0, 127, &out->cc)) {
        hiss_diag_printf(why, "'%s' is not MIDI_CHANNEL:CC (1..16:0..127)", words[0]);
        return HISS_ERR_PARSE;
    }
    out->midi_channel = m - 1;
    if (count == 2 && !strcmp(words[1], "tempo")) {
        out->tempo = true;
        return HISS_OK;
    }
    int g = 0;
    while (g < MIXPARAM_GROUPS && (count < 2 || strcmp(words[1], GROUP_NAMES[g])))
        g++;
    if (count != 4 || g == MIXPARAM_GROUPS) {
        hiss_diag_printf(why, "midi_cc %s: expected 'tempo' or GROUP CHANNEL FIELD (GROUP: "
                              "strip, eq, comp, duck, glue, tape, master, delay, reverb)",
                         words[0]);
        return HISS_ERR_PARSE;
    }
    int ch = 0;
    if (!parse_int(words[2], 0, SONG_MAX_CHANNELS, &ch) ||
        (has_channel((MixparamGroup)g) && ch == 0 && g != MIXPARAM_EQ)) {
        hiss_diag_printf(why, "midi_cc %s: channel '%s' is not 1..%d%s", words[0], words[2],
                         SONG_MAX_CHANNELS, g == MIXPARAM_EQ ? " (0: the master's)" : "");
        return HISS_ERR_PARSE;
    }
    out->param.group = (MixparamGroup)g;
    out->param.channel = ch ? ch - 1 : MIXPARAM_MASTER_CHANNEL;
    for (int i = 0; i < mixparam_count((MixparamGroup)g); i++) {
        out->param.index = i;
        const SongParamInfo *info = mixparam_info(out->param);
        if (info && !strcmp(info->name, words[3]) && mixparam_valid(out->param))
            return HISS_OK;
    }
    hiss_diag_printf(why, "midi_cc %s: %s has no setting '%s'", words[0], words[1], words[3]);
    return HISS_ERR_PARSE;
}

void midilearn_text(const MidiLearnBinding *b, char *buf, size_t size)
{
    if (b->tempo) {
        snprintf(buf, size, "%d:%d tempo", b->midi_channel + 1, b->cc);
        return;
    }
    const SongParamInfo *info = mixparam_info(b->param);
    snprintf(buf, size, "%d:%d %s %d %s", b->midi_channel + 1, b->cc,
             GROUP_NAMES[b->param.group], b->param.channel + 1, info ? info->name : "?");
}

const MidiLearnBinding *midilearn_find(const MidiLearn *ml, int midi_channel, int cc)
{
    for (int i = 0; i < ml->count; i++)
        if (ml->bindings[i].midi_channel == midi_channel && ml->bindings[i].cc == cc)
            return &ml->bindings[i];
    return NULL;
}

HissError midilearn_bind(MidiLearn *ml, const MidiLearnBinding *b)
{
    MidiLearnBinding *old = (MidiLearnBinding *)midilearn_find(ml, b->midi_channel, b->cc);
    if (old) {
        *old = *b;
        return HISS_OK;
    }
    if (ml->count >= MIDILEARN_MAX)
        return HISS_ERR_RANGE;
    ml->bindings[ml->count++] = *b;
    return HISS_OK;
}

int midilearn_value(const MidiLearnBinding *b, int cc_value)
{
    int v = hiss_clampi(cc_value, 0, 127);
    if (b->tempo)
        return MIDILEARN_TEMPO_LOW + 10 * v;
    const SongParamInfo *info = mixparam_info(b->param);
    if (!info)
        return 0;
    if (info->kind == SONG_PARAM_SWITCH)
        return v >= 64;
    return info->min + (int)(((long)(info->max - info->min) * v + 63) / 127);
}

HissError midilearn_save(const MidiLearn *ml, const char *path, HissDiag *why)
{
    char text[MIDILEARN_MAX * 64 + 128];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "# MIDI controllers learned in hiss (midi_learn); hiss "
                                "rewrites this file.\n");
    for (int i = 0; i < ml->count && n < sizeof text; i++) {
        char line[64];
        midilearn_text(&ml->bindings[i], line, sizeof line);
        n += (size_t)snprintf(text + n, sizeof text - n, "midi_cc %s\n", line);
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
