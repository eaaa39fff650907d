/* ui_instruments: the instrument slots and the parameters of one. The slot
 * on screen is the editor's current instrument, so notes entered on the
 * pattern screen use it. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_app.h"
#include "ui_learn.h"
#include "ui_draw.h"
#include "ui_param.h"
#include "slicer.h"
#include "ui_chop.h"
#include "ui_file.h"
#include "ui_take.h"

typedef enum {
    F_NAME,
    F_SAMPLE,
    F_VOLUME,
    F_PAN,
    F_BASE,
    F_FINETUNE,
    F_LOOP,
    F_LOOP_START,
    F_LOOP_END,
    F_INTERP,
    F_SHAPE, /* the shaping parameters follow, in shape.h's order */
    F_SHAPE_END = F_SHAPE + SHAPE_COUNT,
    /* The point envelopes (song.h), one at a time: which one, the point
     * the fields below it edit, adding and deleting points, the sustain,
     * the loop, and the fade after a note off. */
    F_ENV = F_SHAPE_END,
    F_ENV_POINT,
    F_ENV_TICK,
    F_ENV_LEVEL,
    F_ENV_ADD,
    F_ENV_DELETE,
    F_ENV_SUSTAIN,
    F_ENV_LOOP,
    F_FADEOUT,
    F_COUNT
} Field;

static const char *const ENV_LABELS[F_COUNT - F_ENV] = {
    "Envelope", "Env point", "Point tick", "Point level", "Add point",
    "Delete point", "Env sustain", "Env loop", "Fadeout",
};

static const char *const LABELS[F_SHAPE] = {
    "Name", "Sample", "Volume", "Pan", "Base note", "Finetune",
    "Loop", "Loop start", "Loop end", "Interpolation",
};

enum { LIST_W = 26 };

static struct {
    bool on_fields; /* focus: the parameter list, else the slot list */
    int field;
    int top;
    int field_top;  /* first parameter shown when they do not all fit */
    SongEnvKind env_kind; /* the point envelope the envelope fields edit */
    int env_point;        /* its point they edit */
} page;

static const char *label(int f)
{
    if ((unsigned)f < F_SHAPE)
        return LABELS[f];
    if (f >= F_ENV && f < F_COUNT)
        return ENV_LABELS[f - F_ENV];
    const ShapeInfo *info = shape_info((ShapeParam)(f - F_SHAPE));
    return info ? info->label : "";
}

int ui_instruments_slot(const UiApp *app)
{
    return app->ed->instrument > 0 ? app->ed->instrument : 1;
}

/* Slice mode with what it does to this instrument: which notes play
 * which slices, or how many slices Sxx can pick. */
static void slice_mode_text(const Instrument *inst, int on, char *buf, size_t size)
{
    int count = hiss_clampi(inst->slice_count, 0, SONG_MAX_SLICES);
    if (!count) {
        snprintf(buf, size, "%s (no slices)", on ? "on" : "off");
        return;
    }
    if (!on) {
        snprintf(buf, size, "off (%d slices: S01..S%02X)", count, count);
        return;
    }
    int last = NOTE_C4 + count - 1 > NOTE_LAST ? NOTE_LAST : NOTE_C4 + count - 1;
    char from[4], to[4];
    song_note_name(NOTE_C4, from);
    song_note_name((uint8_t)last, to);
    snprintf(buf, size, "on (%s..%s = slices 1..%d)", from, to, last - NOTE_C4 + 1);
}

/* A shaping value with its unit, or its choice's name; what 0 means
 * where it switches the stage off. */
static void shape_text(const Instrument *inst, ShapeParam param, char *buf,
                       size_t size)
{
    const ShapeInfo *info = shape_info(param);
    int v = hiss_clampi(inst->shape[param], info->min, info->max);
    bool off = !v && (param == SHAPE_CRUSH_BITS || param == SHAPE_CRUSH_RATE ||
                      param == SHAPE_DRIVE || param == SHAPE_GLIDE);
    /* A setting the others leave unheard says why (a cutoff with the
     * filter off, a glide on poly notes...). */
    const char *why = shape_unused_reason(inst->shape, param);
    char unused[40] = "";
    if (why)
        snprintf(unused, sizeof unused, " (unused: %s)", why);
    if (param == SHAPE_SLICE_MODE)
        slice_mode_text(inst, v, buf, size);
    else if (info->choices)
        snprintf(buf, size, "%s%s", info->choices[v], unused);
    else if (param == SHAPE_CHOKE)
        snprintf(buf, size, v ? "%d" : "%d (none)", v);
    else if (param == SHAPE_END && !v)
        snprintf(buf, size, "0 frames (the sample's end)");
    else
        snprintf(buf, size, "%d %s%s", v, info->unit,
                 off ? " (off)" : unused);
}

/* ---- point envelopes ---- */

/* The point the envelope fields edit, within the envelope's points. */
static int env_point(const SongEnvelope *env)
{
    page.env_point = hiss_clampi(page.env_point, 0, env->count > 0 ? env->count - 1 : 0);
    return page.env_point;
}

static void range_text(int first, int last, char *buf, size_t size)
{
    if (first < 0)
        snprintf(buf, size, "off");
    else if (first == last)
        snprintf(buf, size, "point %d", first);
    else
        snprintf(buf, size, "points %d..%d", first, last);
}

/* A field about the chosen point: blank when the envelope has none. */
static void point_text(bool none, char *buf, size_t size, const char *fmt, int v)
    __attribute__((format(printf, 4, 0)));
static void point_text(bool none, char *buf, size_t size, const char *fmt, int v)
{
    if (none)
        buf[0] = 0;
    else
        snprintf(buf, size, fmt, v);
}

static void envelope_text(const Instrument *inst, Field f, char *buf, size_t size)
{
    const SongEnvelope *env = &inst->env[page.env_kind];
    int k = env_point(env);
    bool none = !env->count;
    switch (f) {
    case F_ENV:
        snprintf(buf, size, "%s_env: %d points", song_env_names[page.env_kind], env->count);
        break;
    case F_ENV_POINT:
        if (none)
            snprintf(buf, size, "none: Add point makes two");
        else
            snprintf(buf, size, "%d of %d", k, env->count);
        break;
    case F_ENV_TICK: point_text(none, buf, size, "%d", (int)env->tick[k]); break;
    case F_ENV_LEVEL: point_text(none, buf, size, "%d of 64", (int)env->value[k]); break;
    case F_ENV_ADD: snprintf(buf, size, "Enter: a point after point %d", k); break;
    case F_ENV_DELETE: point_text(none, buf, size, "Enter: delete point %d", k); break;
    case F_ENV_SUSTAIN: range_text(env->sustain_start, env->sustain_end, buf, size); break;
    case F_ENV_LOOP: range_text(env->loop_start, env->loop_end, buf, size); break;
    case F_FADEOUT:
        snprintf(buf, size, "%d of 65536 a tick", inst->fadeout);
        break;
    default: buf[0] = 0;
    }
}

/* A point range index after point `at` was inserted (gone false) or
 * deleted (gone true); -1 stays. */
static int index_moved(int index, int at, bool gone)
{
    if (index < 0)
        return index;
    if (!gone)
        return index >= at ? index + 1 : index;
    return index > at ? index - 1 : index;
}

/* A new point after the one edited, halfway to the next (or 8 ticks on),
 * at the level the envelope has there; two points at the neutral level
 * when there are none. */
static HissError envelope_add(Editor *ed, int slot, const Instrument *inst)
{
    SongEnvelope env = inst->env[page.env_kind];
    if (!env.count) {
        env.count = 2;
        env.tick[0] = 0;
        env.tick[1] = 16;
        env.value[0] = env.value[1] = (uint8_t)song_env_neutral(page.env_kind);
        page.env_point = 0;
        return edit_instrument_set_envelope(ed, slot, page.env_kind, &env);
    }
    int k = env_point(&env);
    if (env.count >= SONG_ENV_POINTS)
        return HISS_ERR_RANGE;
    int tick = k + 1 < env.count ? (env.tick[k] + env.tick[k + 1]) / 2 : env.tick[k] + 8;
    if (tick <= env.tick[k] || tick > SONG_ENV_MAX_TICK)
        return HISS_ERR_RANGE; /* no room between the two */
    int level = (int)lroundf(song_envelope_value(&env, tick));
    memmove(&env.tick[k + 2], &env.tick[k + 1], sizeof env.tick[0] * (size_t)(env.count - k - 1));
    memmove(&env.value[k + 2], &env.value[k + 1], sizeof env.value[0] * (size_t)(env.count - k - 1));
    env.tick[k + 1] = (uint16_t)tick;
    env.value[k + 1] = (uint8_t)level;
    env.count++;
    env.sustain_start = index_moved(env.sustain_start, k + 1, false);
    env.sustain_end = index_moved(env.sustain_end, k + 1, false);
    env.loop_start = index_moved(env.loop_start, k + 1, false);
    env.loop_end = index_moved(env.loop_end, k + 1, false);
    page.env_point = k + 1;
    return edit_instrument_set_envelope(ed, slot, page.env_kind, &env);
}

/* Deletes the point edited; an envelope of two points goes. A sustain or
 * loop of that point alone goes with it. */
static HissError envelope_delete(Editor *ed, int slot, const Instrument *inst)
{
    SongEnvelope env = inst->env[page.env_kind];
    int k = env_point(&env);
    if (env.count <= 2) {
        song_envelope_clear(&env);
        return edit_instrument_set_envelope(ed, slot, page.env_kind, &env);
    }
    memmove(&env.tick[k], &env.tick[k + 1], sizeof env.tick[0] * (size_t)(env.count - k - 1));
    memmove(&env.value[k], &env.value[k + 1], sizeof env.value[0] * (size_t)(env.count - k - 1));
    env.count--;
    if (env.sustain_start == k && env.sustain_end == k)
        env.sustain_start = env.sustain_end = -1;
    if (env.loop_start == k && env.loop_end == k)
        env.loop_start = env.loop_end = -1;
    env.sustain_start = index_moved(env.sustain_start, k, true);
    env.sustain_end = index_moved(env.sustain_end, k, true);
    env.loop_start = index_moved(env.loop_start, k, true);
    env.loop_end = index_moved(env.loop_end, k, true);
    page.env_point = k > 0 ? k - 1 : 0;
    return edit_instrument_set_envelope(ed, slot, page.env_kind, &env);
}

/* The edited point's tick to `tick`, kept between its neighbours. */
static HissError envelope_set_tick(Editor *ed, int slot, SongEnvelope env, long tick)
{
    int k = env_point(&env);
    long low = k ? env.tick[k - 1] + 1 : 0;
    long high = k + 1 < env.count ? env.tick[k + 1] - 1 : SONG_ENV_MAX_TICK;
    if (!env.count || tick < low || tick > high)
        return HISS_ERR_RANGE;
    env.tick[k] = (uint16_t)tick;
    return edit_instrument_set_envelope(ed, slot, page.env_kind, &env);
}

static HissError envelope_set_level(Editor *ed, int slot, SongEnvelope env, long level)
{
    if (!env.count || level < 0 || level > SONG_ENV_TOP)
        return HISS_ERR_RANGE;
    env.value[env_point(&env)] = (uint8_t)level;
    return edit_instrument_set_envelope(ed, slot, page.env_kind, &env);
}

/* The sustain (loop false) or loop: first..last, or off (first -1). */
static HissError envelope_set_range(Editor *ed, int slot, SongEnvelope env, bool loop,
                                    int first, int last)
{
    if (first >= 0 && (first > last || last >= env.count))
        return HISS_ERR_RANGE;
    if (first < 0)
        first = last = -1;
    *(loop ? &env.loop_start : &env.sustain_start) = first;
    *(loop ? &env.loop_end : &env.sustain_end) = last;
    return edit_instrument_set_envelope(ed, slot, page.env_kind, &env);
}

/* Left and Right on the envelope fields: another envelope or point, the
 * point's tick (by 1, 10 big) or level, the sustain on the point edited
 * (Right) or off (Left), the loop from it to the last point or off, the
 * fadeout by 64 (640 big). */
static HissError nudge_envelope(Editor *ed, int slot, const Instrument *inst, Field f,
                                int steps)
{
    const SongEnvelope *env = &inst->env[page.env_kind];
    int k = env_point(env), dir = steps < 0 ? -1 : 1;
    switch (f) {
    case F_ENV:
        page.env_kind = (SongEnvKind)((page.env_kind + SONG_ENV_KINDS + dir) % SONG_ENV_KINDS);
        page.env_point = 0;
        return HISS_OK;
    case F_ENV_POINT:
        page.env_point = hiss_clampi(k + dir, 0, env->count > 0 ? env->count - 1 : 0);
        return HISS_OK;
    case F_ENV_TICK:
        return env->count ? envelope_set_tick(ed, slot, *env, (long)env->tick[k] + steps)
                          : HISS_ERR_MISSING;
    case F_ENV_LEVEL:
        return env->count ? envelope_set_level(ed, slot, *env, (long)env->value[k] + steps)
                          : HISS_ERR_MISSING;
    case F_ENV_SUSTAIN:
        return envelope_set_range(ed, slot, *env, false, dir > 0 ? k : -1, k);
    case F_ENV_LOOP:
        return envelope_set_range(ed, slot, *env, true, dir > 0 ? k : -1, env->count - 1);
    case F_FADEOUT:
        return edit_instrument_set_fadeout(
            ed, slot, hiss_clampi(inst->fadeout + 64 * steps, 0, SONG_FADEOUT_MAX));
    default:
        return HISS_OK; /* adding and deleting take Enter */
    }
}

static void field_text(const Instrument *inst, Field f, char *buf, size_t size)
{
    if (!inst) {
        snprintf(buf, size, "%s", f == F_NAME ? "(empty slot)" : "");
        return;
    }
    char note[4];
    switch (f) {
    case F_NAME: snprintf(buf, size, "%s", inst->name); break;
    case F_SAMPLE:
        /* A module's sample has no file until the song is saved. */
        hiss_text_format(buf, size, "%s%s",
                 inst->path[0] ? inst->path
                 : inst->sample ? "(written when the song is saved)"
                                : "(none)",
                 inst->missing                ? "  [missing]"
                 : ui_file_is_damaged(inst) ? "  [damaged: loaded in part or repaired]"
                                            : "");
        break;
    case F_VOLUME: snprintf(buf, size, "%d", inst->volume); break;
    case F_PAN: snprintf(buf, size, "%d", inst->pan); break;
    case F_BASE:
        song_note_name(inst->base_note, note);
        snprintf(buf, size, "%s", note);
        break;
    case F_FINETUNE: snprintf(buf, size, "%+d cents", inst->finetune); break;
    case F_LOOP: snprintf(buf, size, "%s", song_loop_name(inst->loop)); break;
    case F_LOOP_START: snprintf(buf, size, "%u", inst->loop_start); break;
    case F_LOOP_END: snprintf(buf, size, "%u", inst->loop_end); break;
    case F_INTERP: snprintf(buf, size, "%s", song_interp_name(inst->interp)); break;
    default:
        if (f >= F_SHAPE && f < F_SHAPE_END)
            shape_text(inst, (ShapeParam)(f - F_SHAPE), buf, size);
        else if (f >= F_ENV && f < F_COUNT)
            envelope_text(inst, f, buf, size);
        else
            buf[0] = 0;
    }
}

static uint32_t source_frames(const Instrument *inst)
{
    return inst->sample ? inst->sample->frames : 0;
}

static HissError set_loop(UiApp *app, int slot, const Instrument *inst,
                          LoopMode mode, int64_t start, int64_t end)
{
    int64_t frames = source_frames(inst);
    if (mode != LOOP_OFF && frames < 2)
        return HISS_ERR_RANGE;
    if (mode != LOOP_OFF) {
        if (end <= 0 || end > frames)
            end = frames;
        start = start < 0 ? 0 : start;
        if (start >= end)
            start = end - 1;
    } else {
        /* An end of 0 is the sample's end: a start moved first must
         * not pull it to a one-frame loop for when the loop goes on
         * (and a song keeps start <= end, so it is written out). */
        start = start < 0 ? 0 : start > frames ? frames : start;
        if (end == 0 && start > 0)
            end = frames;
        end = end < start ? start : end;
    }
    return edit_instrument_set_loop(app->ed, slot, mode, (uint32_t)start,
                                    (uint32_t)end);
}

/* After a typed loop start or end (`typed`) was set: when the loop
 * could not take it as typed, says what it took and why. */
static bool say_loop_moved(UiApp *app, int slot, Field f, long typed, uint32_t frames,
                           uint32_t start_before)
{
    const Instrument *now = song_instrument(app->song, slot);
    if (!now)
        return false;
    uint32_t got = f == F_LOOP_START ? now->loop_start : now->loop_end;
    bool start_moved = f == F_LOOP_END && now->loop_start != start_before;
    if (got == typed && !start_moved)
        return false;
    const char *name = f == F_LOOP_START ? "loop start" : "loop end";
    const char *why = typed < 0                    ? "is before the sample's start"
                      : typed > (long)frames        ? "is past the sample's end"
                      : f == F_LOOP_END && typed == 0 ? "means the sample's end"
                      : f == F_LOOP_START           ? "is not before the loop end"
                                                    : "is before the loop start";
    if (got == typed)
        ui_set_message(app, false, "%s %ld: the loop start moved to %u to stay before it",
                       name, typed, now->loop_start);
    else if (start_moved)
        ui_set_message(app, false, "%s %ld %s: %u (the start moved to %u)", name, typed, why,
                       got, now->loop_start);
    else
        ui_set_message(app, false, "%s %ld %s: %u", name, typed, why, got);
    return true;
}

/* Times in ms move by about an eighth of their value (so 5 ms and 5 s are
 * both a few presses away), frequencies in Hz by about a sixteenth (near
 * a semitone: 20 Hz to 20 kHz is some 110 presses, not 20000); percent
 * and semitones by one. A big step is ten of them. Values stop at the
 * ends of the range. */
/* A shaping value's step up by `size` (1 or 10) shares of it: an eighth
 * of a time, a sixteenth of a frequency (near a semitone), never less
 * than 1 a share. */
static int step_in_shares(int v, int size, int share)
{
    int unit = v / share > 1 ? v / share : 1;
    return v + unit * size;
}
static int time_up(int v, int size) { return step_in_shares(v, size, 8); }
static int frequency_up(int v, int size) { return step_in_shares(v, size, 16); }

static HissError nudge_shape(Editor *ed, int slot, const Instrument *inst,
                             ShapeParam param, int steps)
{
    const ShapeInfo *info = shape_info(param);
    int value = inst->shape[param];
    if (info->choices) {
        int count = info->max - info->min + 1;
        int next = info->min + ((value - info->min + (steps < 0 ? -1 : 1)) % count + count) % count;
        return edit_instrument_set_shape(ed, slot, param, next);
    }
    int size = abs(steps) > 1 ? 10 : 1;
    int next;
    if (!strcmp(info->unit, "ms") || !strcmp(info->unit, "Hz")) {
        /* Stepped in proportion: down is the step up undone, so a long
         * decay is not wiped by the amount the step up would add. */
        int (*up)(int, int) = !strcmp(info->unit, "ms") ? time_up : frequency_up;
        next = steps > 0 ? up(value, size) : ui_param_step_back(up, size, value, info->min);
    } else {
        int unit = 1;
        if (!strcmp(info->unit, "frames")) /* a hundredth of the sample */
            unit = (int)(source_frames(inst) / 100 + 1);
        next = value + (steps < 0 ? -unit : unit) * size;
    }
    return edit_instrument_set_shape(ed, slot, param, hiss_clampi(next, info->min, info->max));
}

/* Changes a numeric or choice field by `steps` (sign is the direction). */
static HissError nudge(UiApp *app, int slot, const Instrument *inst, Field f,
                       int steps)
{
    if (!inst)
        return HISS_ERR_MISSING;
    Editor *ed = app->ed;
    int dir = steps < 0 ? -1 : 1;
    int64_t frame_step = source_frames(inst) / 100 + 1;
    switch (f) {
    case F_VOLUME:
        return edit_instrument_set_volume(ed, slot, hiss_clampi(inst->volume + steps, 0, 64));
    case F_PAN:
        return edit_instrument_set_pan(ed, slot, hiss_clampi(inst->pan + steps, -100, 100));
    case F_BASE:
        return edit_instrument_set_base_note(
            ed, slot, hiss_clampi(inst->base_note + steps, NOTE_FIRST, NOTE_LAST));
    case F_FINETUNE:
        return edit_instrument_set_finetune(ed, slot,
                                            hiss_clampi(inst->finetune + steps, -100, 100));
    case F_LOOP:
        return set_loop(app, slot, inst, (LoopMode)((inst->loop + 3 + dir) % 3),
                        inst->loop_start, inst->loop_end);
    case F_LOOP_START:
        return set_loop(app, slot, inst, inst->loop,
                        (int64_t)inst->loop_start + dir * frame_step * (abs(steps) > 1 ? 10 : 1),
                        inst->loop_end);
    case F_LOOP_END:
        return set_loop(app, slot, inst, inst->loop, inst->loop_start,
                        (int64_t)inst->loop_end + dir * frame_step * (abs(steps) > 1 ? 10 : 1));
    case F_INTERP:
        return edit_instrument_set_interp(
            ed, slot, (InterpMode)((inst->interp + INTERP_COUNT + dir) % INTERP_COUNT));
    default:
        if (f >= F_SHAPE && f < F_SHAPE_END)
            return nudge_shape(ed, slot, inst, (ShapeParam)(f - F_SHAPE), steps);
        if (f >= F_ENV && f < F_COUNT)
            return nudge_envelope(ed, slot, inst, f, steps);
        return HISS_ERR_RANGE;
    }
}

static void draw_list(UiApp *app, int slot)
{
    int y0 = UI_HEADER_LINES + 1;
    int vis = LINES - 1 - y0;
    if (slot - 1 < page.top)
        page.top = slot - 1;
    if (slot - 1 >= page.top + vis)
        page.top = slot - vis;
    page.top = hiss_clampi(page.top, 0, SONG_MAX_INSTRUMENTS - vis);
    for (int i = 0; i < vis; i++) {
        int s = page.top + 1 + i;
        char buf[64];
        const Instrument *inst = s <= SONG_MAX_INSTRUMENTS ? song_instrument(app->song, s) : NULL;
        if (s > SONG_MAX_INSTRUMENTS)
            buf[0] = 0;
        else
            snprintf(buf, sizeof buf, " %02X %-20.20s%s", s, inst ? inst->name : "",
                     inst && (inst->missing || ui_file_is_damaged(inst)) ? "!" : " ");
        attr_t a = s == slot ? (page.on_fields ? ui_attr(UI_C_ON) : ui_attr(UI_C_FOCUS))
                   : inst    ? A_NORMAL
                             : ui_attr(UI_C_DIM);
        ui_put(y0 + i, 0, LIST_W, a, buf);
        ui_put(y0 + i, LIST_W, 1, ui_attr(UI_C_DIM), ui_glyph(UI_G_VLINE));
    }
}

static void instruments_draw(UiApp *app, unsigned dirty)
{
    (void)dirty;
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    char keys[2][48], buf[SONG_PATH_MAX + 128];
    ui_first_key(app, ACT_INST_LOAD, keys[0], sizeof keys[0]);
    ui_first_key(app, ACT_INST_RENAME, keys[1], sizeof keys[1]);
    snprintf(buf, sizeof buf, "Tab list/parameters  %s load sample  %s rename  "
             "Enter edit  note keys play", keys[0], keys[1]);
    ui_put(UI_HEADER_LINES, 0, COLS, ui_attr(UI_C_HEADER), buf);
    draw_list(app, slot);
    int x = LIST_W + 2, w = COLS - x;
    int y = UI_HEADER_LINES + 1;
    /* The parameters scroll when the terminal is too short for all of
     * them (below the title, a blank line and the sample line stay). */
    int shown = LINES - 1 - (y + 1) - 2 - ui_chop_rows();
    shown = shown < 1 ? 1 : shown > F_COUNT ? F_COUNT : shown;
    if (page.field < page.field_top)
        page.field_top = page.field;
    if (page.field >= page.field_top + shown)
        page.field_top = page.field - shown + 1;
    page.field_top = hiss_clampi(page.field_top, 0, F_COUNT - shown);
    snprintf(buf, sizeof buf, "Slot %02X%s", slot,
             shown < F_COUNT ? "  (more: Up/Down)" : "");
    ui_put(y++, x, w, ui_attr(UI_C_BAR), buf);
    for (int f = page.field_top; f < page.field_top + shown; f++, y++) {
        char val[SONG_PATH_MAX + 32];
        field_text(inst, (Field)f, val, sizeof val);
        snprintf(buf, sizeof buf, "%-14s %s", label(f), val);
        bool focus = page.on_fields && page.field == f;
        /* A long sample path keeps its end (the file's name) in view. */
        ui_put_tail(y, x, w, focus ? ui_attr(UI_C_FOCUS) : A_NORMAL, buf);
    }
    y++;
    if (inst && inst->sample) {
        const Sample *s = inst->sample;
        char tempo[64];
        ui_chop_tempo_text(app, tempo, sizeof tempo);
        snprintf(buf, sizeof buf, "%u frames at %u Hz, %s%s",
                 s->frames, s->rate, s->channels == 2 ? "stereo" : "mono", tempo);
        ui_put(y++, x, w, ui_attr(UI_C_DIM), buf);
    } else {
        ui_put(y++, x, w, ui_attr(UI_C_DIM), inst ? "no sample data" : "");
    }
    for (; y < LINES - 1 - ui_chop_rows(); y++)
        ui_put(y, x, w, A_NORMAL, "");
    ui_chop_draw(app, y, x, w);
}

static void rename_done(UiApp *app, const char *text)
{
    int slot = ui_instruments_slot(app);
    if (!song_instrument(app->song, slot)) {
        /* Naming an empty slot makes an instrument without a sample yet. */
        Instrument *inst = song_instrument_new();
        if (!inst || ui_report(app, edit_instrument_replace(app->ed, slot, inst),
                               "new instrument") != HISS_OK)
            return;
    }
    HissError err = edit_instrument_set_name(app->ed, slot, text);
    ui_report_rename(app, err, "rename", text, song_instrument(app->song, slot)->name);
}

/* "raw|linear|sinc": what a choice field takes, from the names the song
 * file uses, so the message lists every mode there is. */
static void choices_of(Field f, char *buf, size_t size)
{
    size_t used = 0;
    int count = f == F_LOOP ? LOOP_PINGPONG + 1 : INTERP_COUNT;
    buf[0] = 0;
    for (int i = 0; i < count; i++) {
        const char *name = f == F_LOOP ? song_loop_name((LoopMode)i)
                                       : song_interp_name((InterpMode)i);
        int n = snprintf(buf + used, size - used, "%s%s", i ? "|" : "", name);
        if (n < 0 || used + (size_t)n >= size)
            break;
        used += (size_t)n;
    }
}

/* A number out of its field's range: says what the range is. */
static void say_out_of_range(UiApp *app, const Instrument *inst, Field f,
                             const char *text)
{
    char range[64];
    switch (f) {
    case F_VOLUME: snprintf(range, sizeof range, "0..64"); break;
    case F_PAN: snprintf(range, sizeof range, "-100..100"); break;
    case F_FINETUNE: snprintf(range, sizeof range, "-100..100 cents"); break;
    default:
        if (f >= F_SHAPE) {
            const ShapeInfo *info = shape_info((ShapeParam)(f - F_SHAPE));
            snprintf(range, sizeof range, "%d..%d %s", info->min, info->max,
                     info->unit);
            break;
        }
        snprintf(range, sizeof range, "0..%u frames", source_frames(inst));
        break;
    }
    ui_set_message(app, true, "%s: %s is out of range (%s)", label(f), text,
                   range);
}

static void number_done(UiApp *app, const char *text)
{
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    if (!inst) {
        ui_report(app, HISS_ERR_MISSING, label(page.field));
        return;
    }
    Field f = (Field)page.field;
    HissError err;
    if (f == F_BASE) {
        uint8_t note;
        char up[4] = {0};
        for (int i = 0; i < 3 && text[i]; i++)
            up[i] = (char)(text[i] >= 'a' && text[i] <= 'z' ? text[i] - 32 : text[i]);
        if (strlen(text) != 3 || !song_note_parse(up, &note) || note < NOTE_FIRST ||
            note > NOTE_LAST) {
            ui_set_message(app, true, "base note: write it like C-4 or F#3");
            return;
        }
        err = edit_instrument_set_base_note(app->ed, slot, note);
    } else if (f >= F_SHAPE && shape_info((ShapeParam)(f - F_SHAPE))->choices) {
        const ShapeInfo *info = shape_info((ShapeParam)(f - F_SHAPE));
        int v = shape_choice_find(info, text, strlen(text));
        if (v < 0) {
            char allowed[96];
            shape_choice_list(info, allowed, sizeof allowed);
            ui_set_message(app, true, "%s: '%s' is not one of %s", label(f), text,
                           allowed);
            return;
        }
        err = edit_instrument_set_shape(app->ed, slot, (ShapeParam)(f - F_SHAPE), v);
    } else if (f == F_LOOP || f == F_INTERP) {
        LoopMode lm;
        InterpMode im;
        if (f == F_LOOP && song_loop_parse(text, &lm))
            err = set_loop(app, slot, inst, lm, inst->loop_start, inst->loop_end);
        else if (f == F_INTERP && song_interp_parse(text, &im))
            err = edit_instrument_set_interp(app->ed, slot, im);
        else {
            char allowed[96];
            choices_of(f, allowed, sizeof allowed);
            ui_set_message(app, true, "%s: '%s' is not one of %s", label(f),
                           text, allowed);
            return;
        }
        if (err == HISS_ERR_RANGE && f == F_LOOP) {
            ui_set_message(app, true, "Loop: the sample is too short to loop");
            return;
        }
    } else {
        char *end;
        long v = strtol(text, &end, 10);
        if (end == text || *end) {
            ui_set_message(app, true, "%s: not a number: %s", label(f), text);
            return;
        }
        switch (f) {
        case F_VOLUME: err = edit_instrument_set_volume(app->ed, slot, (int)v); break;
        case F_PAN: err = edit_instrument_set_pan(app->ed, slot, (int)v); break;
        case F_FINETUNE: err = edit_instrument_set_finetune(app->ed, slot, (int)v); break;
        case F_LOOP_START:
        case F_LOOP_END: {
            /* The edit replaces the instrument: what the message needs is
             * read before. */
            uint32_t frames = source_frames(inst), start_before = inst->loop_start;
            err = f == F_LOOP_START
                      ? set_loop(app, slot, inst, inst->loop, v, inst->loop_end)
                      : set_loop(app, slot, inst, inst->loop, inst->loop_start, v);
            if (err == HISS_OK && say_loop_moved(app, slot, f, v, frames, start_before))
                return;
            break;
        }
        default:
            err = f >= F_SHAPE && v >= INT_MIN && v <= INT_MAX
                      ? edit_instrument_set_shape(app->ed, slot,
                                                  (ShapeParam)(f - F_SHAPE), (int)v)
                      : HISS_ERR_RANGE;
        }
        if (err == HISS_ERR_RANGE) {
            say_out_of_range(app, inst, f, text);
            return;
        }
    }
    ui_report(app, err, label(f));
}

/* What the envelope fields take typed, and the message when it is not. */
static void envelope_done(UiApp *app, const char *text)
{
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    if (!inst) {
        ui_report(app, HISS_ERR_MISSING, label(page.field));
        return;
    }
    const SongEnvelope *env = &inst->env[page.env_kind];
    Field f = (Field)page.field;
    long a = -1, b = -1;
    char *end = NULL;
    bool off = (f == F_ENV_SUSTAIN || f == F_ENV_LOOP) && !strcmp(text, "off");
    if (!off) {
        a = strtol(text, &end, 10);
        if (end != text && *end == ' ' && (f == F_ENV_SUSTAIN || f == F_ENV_LOOP))
            b = strtol(end + 1, &end, 10);
        else
            b = a;
        if (end == text || *end) {
            ui_set_message(app, true, "%s: not a number: %s%s", label(f), text,
                           f == F_ENV_SUSTAIN || f == F_ENV_LOOP
                               ? " (first and last point, or off)" : "");
            return;
        }
    }
    HissError err = HISS_ERR_RANGE;
    switch (f) {
    case F_ENV_POINT:
        if (a >= 0 && a < env->count) {
            page.env_point = (int)a;
            err = HISS_OK;
        }
        break;
    case F_ENV_TICK: err = envelope_set_tick(app->ed, slot, *env, a); break;
    case F_ENV_LEVEL: err = envelope_set_level(app->ed, slot, *env, a); break;
    case F_ENV_SUSTAIN:
    case F_ENV_LOOP:
        if (off || (a >= 0 && a <= INT_MAX && b <= INT_MAX))
            err = envelope_set_range(app->ed, slot, *env, f == F_ENV_LOOP, (int)a, (int)b);
        break;
    case F_FADEOUT:
        if (a >= 0 && a <= SONG_FADEOUT_MAX)
            err = edit_instrument_set_fadeout(app->ed, slot, (int)a);
        break;
    default: break;
    }
    if (err == HISS_ERR_RANGE) {
        ui_set_message(app, true, "%s: %s is out of range for %s_env's %d points", label(f),
                       text, song_env_names[page.env_kind], env->count);
        return;
    }
    ui_report(app, err, label(f));
}

/* Enter on an envelope field: adds or deletes a point, else asks for the
 * value. */
static void envelope_enter(UiApp *app, int slot, const Instrument *inst)
{
    if (!inst) {
        ui_report(app, HISS_ERR_MISSING, label(page.field));
        return;
    }
    const SongEnvelope *env = &inst->env[page.env_kind];
    char val[64];
    switch (page.field) {
    case F_ENV:
        return;
    case F_ENV_ADD: {
        /* An empty envelope gets two points at once: one point makes no
         * envelope. */
        bool was_empty = env->count == 0;
        const char *kind = song_env_names[page.env_kind];
        if (ui_report(app, envelope_add(app->ed, slot, inst), "add point") != HISS_OK)
            return;
        if (was_empty)
            ui_set_message(app, false, "%s_env: points 0 and 1 added (an envelope needs two)",
                           kind);
        else
            ui_set_message(app, false, "%s_env: point %d added", kind, page.env_point);
        return;
    }
    case F_ENV_DELETE:
        if (env->count)
            ui_report(app, envelope_delete(app->ed, slot, inst), "delete point");
        return;
    case F_ENV_SUSTAIN:
    case F_ENV_LOOP: {
        int first = page.field == F_ENV_LOOP ? env->loop_start : env->sustain_start;
        int last = page.field == F_ENV_LOOP ? env->loop_end : env->sustain_end;
        if (first < 0)
            snprintf(val, sizeof val, "off");
        else
            snprintf(val, sizeof val, "%d %d", first, last);
        break;
    }
    case F_FADEOUT: snprintf(val, sizeof val, "%d", inst->fadeout); break;
    default:
        if (!env->count) {
            ui_set_message(app, true, "%s_env has no points: Enter on Add point makes two",
                           song_env_names[page.env_kind]);
            return;
        }
        snprintf(val, sizeof val, "%d",
                 page.field == F_ENV_POINT  ? env_point(env)
                 : page.field == F_ENV_TICK ? env->tick[env_point(env)]
                                            : env->value[env_point(env)]);
    }
    ui_prompt(app, label(page.field), val, envelope_done);
}

static void edit_field(UiApp *app)
{
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    char val[SONG_PATH_MAX + 32];
    switch (page.field) {
    case F_NAME:
        ui_prompt(app, "Instrument name", inst ? inst->name : "", rename_done);
        break;
    case F_SAMPLE:
        ui_browser_open_for_slot(app, slot);
        break;
    default:
        if (page.field >= F_ENV) {
            envelope_enter(app, slot, inst);
            break;
        }
        if (!inst) {
            ui_report(app, HISS_ERR_MISSING, label(page.field));
            break;
        }
        field_text(inst, (Field)page.field, val, sizeof val);
        if (page.field == F_FINETUNE)
            snprintf(val, sizeof val, "%d", inst->finetune);
        if (page.field >= F_SHAPE &&
            !shape_info((ShapeParam)(page.field - F_SHAPE))->choices)
            snprintf(val, sizeof val, "%d", inst->shape[page.field - F_SHAPE]);
        ui_prompt(app, label(page.field), val, number_done);
        break;
    }
}

static void equal_done(UiApp *app, const char *text)
{
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || *end || n < SLICER_MIN_DIVISIONS || n > SLICER_MAX_DIVISIONS) {
        ui_set_message(app, true, "equal slices: %s is not %d..%d", text,
                       SLICER_MIN_DIVISIONS, SLICER_MAX_DIVISIONS);
        return;
    }
    if (!inst || !inst->sample) {
        ui_report(app, HISS_ERR_MISSING, "slice");
        return;
    }
    uint32_t points[SLICER_MAX_DIVISIONS];
    int count = slicer_equal(inst->sample->frames, (int)n, points);
    if (ui_report(app, edit_instrument_set_slices(app->ed, slot, points, count),
                  "slice") == HISS_OK)
        ui_set_message(app, false, "%d equal slices", count);
}

/* Slices at the sample's hits, at the sensitivity typed (0..100); on the
 * UI thread, which a 10 s break holds for a fraction of a second (the
 * audio thread goes on). */
static void hits_done(UiApp *app, const char *text)
{
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    char *end;
    long sensitivity = strtol(text, &end, 10);
    if (end == text || *end || sensitivity < 0 || sensitivity > 100) {
        ui_set_message(app, true, "hit sensitivity: %s is not 0..100", text);
        return;
    }
    if (!inst || !inst->sample) {
        ui_report(app, HISS_ERR_MISSING, "slice");
        return;
    }
    uint32_t points[SONG_MAX_SLICES];
    int count = 0;
    HissDiag diag = {{0}};
    if (slicer_transients(inst->sample, (int)sensitivity, points, SONG_MAX_SLICES,
                          &count, &diag) != HISS_OK) {
        ui_set_message(app, true, "slice: %s", diag.text);
        return;
    }
    if (ui_report(app, edit_instrument_set_slices(app->ed, slot, points, count),
                  "slice") == HISS_OK)
        ui_set_message(app, false, "%d slices at the hits (sensitivity %ld)", count,
                       sensitivity);
}

static bool instruments_handle(UiApp *app, int key, KeymapAction act)
{
    (void)key;
    Editor *ed = app->ed;
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    int vis = LINES - 2 - UI_HEADER_LINES;
    switch (act) {
    case ACT_NEXT_FIELD:
    case ACT_PREV_FIELD:
        page.on_fields = !page.on_fields;
        return true;
    case ACT_UP:
    case ACT_DOWN:
    case ACT_PAGE_UP:
    case ACT_PAGE_DOWN:
    case ACT_HOME:
    case ACT_END: {
        int d = act == ACT_UP ? -1 : act == ACT_DOWN ? 1 : act == ACT_PAGE_UP ? -vis
              : act == ACT_PAGE_DOWN ? vis : act == ACT_HOME ? -1000 : 1000;
        if (page.on_fields)
            page.field = hiss_clampi(page.field + d, 0, F_COUNT - 1);
        else
            edit_set_instrument_current(ed, hiss_clampi(slot + d, 1, SONG_MAX_INSTRUMENTS));
        return true;
    }
    case ACT_LEFT:
    case ACT_INST_DEC:
    case ACT_RIGHT:
    case ACT_INST_INC:
    case ACT_INST_DEC_BIG:
    case ACT_INST_INC_BIG: {
        if (!page.on_fields) {
            if (act == ACT_RIGHT) {
                page.on_fields = true;
                return true;
            }
            if (act == ACT_LEFT)
                return true;
        }
        int steps = (act == ACT_LEFT || act == ACT_INST_DEC) ? -1
                    : (act == ACT_RIGHT || act == ACT_INST_INC) ? 1
                    : act == ACT_INST_DEC_BIG ? -10 : 10;
        if (page.on_fields && (page.field == F_NAME || page.field == F_SAMPLE))
            return true;
        ui_report(app, nudge(app, slot, inst, page.on_fields ? (Field)page.field : F_VOLUME,
                             steps),
                  label(page.on_fields ? page.field : F_VOLUME));
        return true;
    }
    case ACT_SELECT:
        if (!page.on_fields) {
            page.on_fields = true;
            return true;
        }
        edit_field(app);
        return true;
    case ACT_INST_RENAME:
        page.field = F_NAME;
        edit_field(app);
        return true;
    case ACT_INST_LOAD:
        ui_browser_open_for_slot(app, slot);
        return true;
    case ACT_INST_SLICE_HITS: {
        char def[8];
        snprintf(def, sizeof def, "%d", SLICER_DEFAULT_SENSITIVITY);
        ui_prompt(app, "Hit sensitivity (0..100)", def, hits_done);
        return true;
    }
    case ACT_INST_SLICE_EQUAL: {
        /* A sample sliced already offers its own count: cut again evenly
         * it keeps as many slices. */
        char def[8];
        int count = inst && inst->slice_count >= SLICER_MIN_DIVISIONS
                        ? hiss_clampi(inst->slice_count, SLICER_MIN_DIVISIONS,
                                      SLICER_MAX_DIVISIONS)
                        : 16;
        snprintf(def, sizeof def, "%d", count);
        ui_prompt(app, "Equal slices (2..128)", def, equal_done);
        return true;
    }
    case ACT_INST_SLICES_TO_PATTERN: {
        EditSlicesPlaced placed;
        if (ui_report(app, edit_slices_to_pattern(ed, slot, &placed), "slices to pattern") !=
            HISS_OK)
            return true;
        char left[160] = "";
        int n = 0;
        if (placed.shared)
            n += snprintf(left + n, sizeof left - (size_t)n,
                          "; %d share a row with the slice before (one note a row: a "
                          "lower speed makes rows shorter)",
                          placed.shared);
        if (placed.past_end)
            snprintf(left + n, sizeof left - (size_t)n, "; %d past the pattern's end",
                     placed.past_end);
        ui_set_message(app, placed.shared || placed.past_end,
                       "%d of %d slices written to pattern %02X from row %d%s", placed.written,
                       placed.written + placed.shared + placed.past_end, ed->cursor.pattern,
                       ed->cursor.row, left);
        return true;
    }
    case ACT_INST_CLEAR:
        if (inst)
            ui_report(app, edit_instrument_replace(ed, slot, NULL), "clear slot");
        return true;
    case ACT_BACK:
        if (page.on_fields)
            page.on_fields = false;
        else
            ui_show_page(app, UI_PAGE_PATTERN);
        return true;
    case ACT_SAMPLE_RECORD:
        ui_take_toggle(app);
        return true;
    case ACT_SAMPLE_RECORD_ARMED:
        ui_take_armed(app);
        return true;
    case ACT_SAMPLE_RECORD_SETUP:
        ui_take_setup(app);
        return true;
    default:
        return ui_chop_handle(app, act);
    }
}

bool ui_instruments_chosen_shape(ShapeParam *out)
{
    if (!page.on_fields || page.field < F_SHAPE || page.field >= F_SHAPE_END)
        return false;
    *out = (ShapeParam)(page.field - F_SHAPE);
    return true;
}

const UiPage ui_instruments_page = {
    .title = "INSTRUMENTS",
    .ctx = KEYMAP_CTX_INSTRUMENTS,
    .enter = NULL,
    .draw = instruments_draw,
    .update = ui_chop_update,
    .handle = instruments_handle,
};
