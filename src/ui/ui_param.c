/* ui_param: see ui_param.h. */
#include "ui_param.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool unit_is(const SongParamInfo *info, const char *unit)
{
    return !strcmp(info->unit, unit);
}

static bool is_off(const SongParamInfo *info, int v)
{
    return info->off_at_min && v <= info->min;
}

/* A compressor's detector with no key channel listens to its own bus. */
static const char *off_word(const SongParamInfo *info)
{
    return !strcmp(info->name, "key") ? "own" : "off";
}

void ui_param_plain(const SongParamInfo *info, int v, char out[UI_PARAM_TEXT])
{
    if (info->kind == SONG_PARAM_SWITCH)
        snprintf(out, UI_PARAM_TEXT, "%s", v ? "on" : "off");
    else if (info->kind == SONG_PARAM_NOTE)
        song_note_value_text(v, out);
    else if (is_off(info, v))
        snprintf(out, UI_PARAM_TEXT, "%s", off_word(info));
    else if (info->kind == SONG_PARAM_TENTHS)
        snprintf(out, UI_PARAM_TEXT, "%s%d.%d", v < 0 ? "-" : "", abs(v) / 10, abs(v) % 10);
    else if (unit_is(info, "instrument")) /* slots are hex, as in the pattern */
        snprintf(out, UI_PARAM_TEXT, "%02X", (unsigned)v & 0xFFu);
    else
        snprintf(out, UI_PARAM_TEXT, "%d", v);
}

void ui_param_text(const SongParamInfo *info, int v, char out[UI_PARAM_TEXT])
{
    char plain[UI_PARAM_TEXT];
    ui_param_plain(info, v, plain);
    if (info->kind == SONG_PARAM_SWITCH || info->kind == SONG_PARAM_NOTE || is_off(info, v) ||
        !info->unit[0])
        snprintf(out, UI_PARAM_TEXT, "%s", plain);
    else if (unit_is(info, "channel"))
        snprintf(out, UI_PARAM_TEXT, "ch %.12s", plain);
    else if (unit_is(info, "instrument"))
        snprintf(out, UI_PARAM_TEXT, "inst %.12s", plain);
    else
        snprintf(out, UI_PARAM_TEXT, "%.12s%s%.8s", plain, info->unit[0] == ':' ? "" : " ",
                 info->unit);
}

/* "1/8", "1/8d", "1/16t": the note value's code, or -1. */
static int note_value_parse(const char *text, const char **end)
{
    if (strncmp(text, "1/", 2) || !isdigit((unsigned char)text[2]))
        return -1;
    char *after;
    long division = strtol(text + 2, &after, 10);
    int feel = *after == 'd' ? SONG_NOTE_DOTTED : *after == 't' ? SONG_NOTE_TRIPLET
                                                                 : SONG_NOTE_STRAIGHT;
    if (feel != SONG_NOTE_STRAIGHT)
        after++;
    *end = after;
    int code = division > 0 && division <= 64 ? song_note_value_code((int)division, feel) : -1;
    return song_note_value_valid(code) ? code : -1;
}

bool ui_param_parse(const SongParamInfo *info, const char *text, int *out)
{
    while (*text == ' ')
        text++;
    const char *end = text;
    int v;
    if (info->kind == SONG_PARAM_SWITCH) {
        bool on = !strcmp(text, "on") || !strcmp(text, "1");
        if (!on && strcmp(text, "off") && strcmp(text, "0"))
            return false;
        *out = on;
        return true;
    }
    if (info->off_at_min && !strncasecmp(text, off_word(info), 3)) {
        v = info->min;
        end = text + 3;
    } else if (info->kind == SONG_PARAM_NOTE) {
        if ((v = note_value_parse(text, &end)) < 0)
            return false;
    } else if (info->kind == SONG_PARAM_TENTHS) {
        char *after;
        double d = strtod(text, &after);
        if (after == text || !isfinite(d) || fabs(d) > 1e6)
            return false;
        v = (int)lround(d * 10.0);
        end = after;
    } else {
        char *after;
        long l = strtol(text, &after, unit_is(info, "instrument") ? 16 : 10);
        if (after == text || l < -1000000 || l > 1000000)
            return false;
        v = (int)l;
        end = after;
    }
    /* The unit may follow, as the screen shows it. */
    while (*end == ' ')
        end++;
    if (info->unit[0] && !strncasecmp(end, info->unit, strlen(info->unit)))
        end += strlen(info->unit);
    while (*end == ' ')
        end++;
    if (*end)
        return false;
    *out = v;
    return true;
}

/* Every note value, shortest first. */
static int note_values(int codes[32])
{
    int n = 0;
    for (int division = 64; division >= 1; division /= 2)
        for (int feel = SONG_NOTE_TRIPLET; feel >= SONG_NOTE_STRAIGHT; feel--)
            codes[n++] = song_note_value_code(division, feel);
    /* Straight, triplet and dotted interleave across divisions. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && song_note_value_beats(codes[j]) <
                                     song_note_value_beats(codes[j - 1]);
             j--) {
            int t = codes[j];
            codes[j] = codes[j - 1];
            codes[j - 1] = t;
        }
    return n;
}

/* Frequencies move by a semitone (an octave when big). A cut's off lies
 * past its gentle end (a low cut's lowest frequency, a high cut's
 * highest): a key from off, either way, starts it there, and a step past
 * that end turns it off again; at the other end it stops, so no key
 * takes a sound from no cut to the harshest or back at once. */
enum { LOWEST_HZ = 20 }; /* a frequency's lowest setting (a cut's above off) */

static int step_hz(const SongParamInfo *info, int v, int dir, bool big)
{
    bool high_cut = info->off_at_min && !strcmp(info->name, "high_cut");
    if (info->off_at_min && v == info->min)
        return high_cut ? info->max : LOWEST_HZ;
    double moved = v * pow(2.0, dir * (big ? 12 : 1) / 12.0);
    int next = (int)lround(moved);
    if (next == v)
        next += dir;
    if (info->off_at_min && (high_cut ? next > info->max : next < LOWEST_HZ))
        return info->min;
    return hiss_clampi(next, LOWEST_HZ, info->max);
}

int ui_param_step_back(int (*up)(int v, int size), int size, int v, int lowest)
{
    if (v <= lowest || up(lowest, size) > v)
        return lowest;
    int lo = lowest, hi = v - 1; /* up(lo) <= v holds throughout */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (up(mid, size) <= v)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* A time's step up: a tenth of it (1 ms below 20 ms), or double it and
 * one more for a big step (`size` 1 or 10). */
static int ms_up(int v, int size)
{
    return size > 1 ? v * 2 + 1 : v + (v >= 20 ? v / 10 : 1);
}

int ui_param_step(const SongParamInfo *info, int v, int dir, bool big)
{
    int next;
    switch (info->kind) {
    case SONG_PARAM_SWITCH: return !v;
    case SONG_PARAM_NOTE: {
        int codes[32], n = note_values(codes), at = 0;
        for (int i = 0; i < n; i++)
            if (codes[i] == v)
                at = i;
        return codes[hiss_clampi(at + dir * (big ? 3 : 1), 0, n - 1)];
    }
    case SONG_PARAM_TENTHS:
        if (!strncmp(info->unit, "dB", 2))
            next = v + dir * (big ? 60 : 5); /* 6 dB or half a dB */
        else if (unit_is(info, "BPM"))
            next = v + dir * (big ? 100 : 10); /* whole BPM; tenths are typed */
        else
            next = v + dir * (big ? 10 : 1);
        break;
    default:
        if (unit_is(info, "Hz"))
            return step_hz(info, v, dir, big);
        if (unit_is(info, "ms"))
            next = dir > 0 ? ms_up(v, big ? 10 : 1)
                           : ui_param_step_back(ms_up, big ? 10 : 1, v, info->min);
        else if (!strcmp(info->name, "pan"))
            next = v + dir * (big ? 25 : 5);
        else
            next = v + dir * (big ? (unit_is(info, "channel") ? 8 : 10) : 1);
        break;
    }
    return hiss_clampi(next, info->min, info->max);
}

void ui_param_range(const SongParamInfo *info, char *out, size_t size)
{
    char lo[UI_PARAM_TEXT], hi[UI_PARAM_TEXT];
    if (info->kind == SONG_PARAM_SWITCH) {
        snprintf(out, size, "on|off");
        return;
    }
    if (info->kind == SONG_PARAM_NOTE) {
        snprintf(out, size, "1/1..1/64, d dotted, t triplet");
        return;
    }
    SongParamInfo bare = *info;
    bare.off_at_min = false; /* so that neither end reads "off" */
    int lowest = info->off_at_min && unit_is(info, "Hz")        ? LOWEST_HZ
                 : info->off_at_min && info->kind == SONG_PARAM_INT ? info->min + 1
                                                                     : info->min;
    ui_param_plain(&bare, lowest, lo);
    ui_param_plain(&bare, info->max, hi);
    snprintf(out, size, "%s..%s%s%s%s", lo, hi, info->unit[0] ? " " : "", info->unit,
             is_off(info, info->min) ? ", or off" : "");
}

void ui_param_refuse(UiApp *app, const char *label, const SongParamInfo *info,
                     const char *text, bool read)
{
    char range[64];
    ui_param_range(info, range, sizeof range);
    if (read)
        ui_set_message(app, true, "%s: %s is out of range (%s)", label, text, range);
    else if (info->kind == SONG_PARAM_SWITCH)
        ui_set_message(app, true, "%s: '%s' is not one of %s", label, text, range);
    else
        ui_set_message(app, true, "%s: not a number: %s (%s)", label, text, range);
}

bool ui_param_list_key(UiApp *app, KeymapAction act, const UiParamList *list)
{
    int last = list->count > 0 ? list->count - 1 : 0;
    switch (act) {
    case ACT_UP: *list->row = hiss_clampi(*list->row - 1, 0, last); break;
    case ACT_DOWN: *list->row = hiss_clampi(*list->row + 1, 0, last); break;
    case ACT_HOME: *list->row = 0; break;
    case ACT_END: *list->row = last; break;
    case ACT_SET_DEC: list->step(app, -1, false); break;
    case ACT_SET_INC: list->step(app, 1, false); break;
    case ACT_PAGE_DOWN: list->step(app, -1, true); break;
    case ACT_PAGE_UP: list->step(app, 1, true); break;
    case ACT_SELECT: list->type(app); break;
    case ACT_BACK: ui_show_page(app, UI_PAGE_PATTERN); break;
    default: return false;
    }
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    return true;
}
