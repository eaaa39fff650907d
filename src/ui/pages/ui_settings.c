/* ui_settings: song-wide settings (title, tempo, swing, channels, master,
 * the song's groove, how effects play). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_app.h"
#include "ui_learn.h"
#include "ui_draw.h"
#include "ui_param.h"

typedef enum {
    SET_TITLE,
    SET_BPM,
    SET_SPEED,
    SET_RPB,
    SET_SWING,
    SET_GROOVE_SWING, /* the song's groove (song.h), in field order */
    SET_GROOVE_GRID,
    SET_GROOVE_HUMAN_MS,
    SET_GROOVE_HUMAN_VEL,
    SET_GROOVE_SEED,
    SET_CHANNELS,
    SET_GAIN,
    SET_LIMITER,
    SET_GLOBAL_VOLUME, /* how effects play: an imported module's */
    SET_SLIDES,
    SET_FT2_VIBRATO,
    SET_FT2_TREMOR,
    SET_COUNT
} SettingId;

static const char *const LABELS[SET_COUNT] = {
    "Title", "BPM", "Speed (ticks/row)", "Rows per beat", "Row swing (%)", "Groove swing (%)",
    "Groove grid (8/16)", "Humanize (ms late)", "Humanize level (%)", "Groove seed",
    "Channels", "Master gain (dB)", "Limiter", "Global volume (/64)", "Amiga slides",
    "FT2 vib/trem/gliss", "FT2 tremor",
};

/* What each number takes (the edit layer's limits) and how it reads; the
 * groove's come from its own table (is_groove). */
static const SongParamInfo PARAMS[SET_COUNT] = {
    [SET_BPM] = {"bpm", SONG_PARAM_TENTHS, SONG_BPM_MIN, SONG_BPM_MAX, 1200, "BPM"},
    [SET_SPEED] = {"speed", SONG_PARAM_INT, 1, 31, 6, ""},
    [SET_RPB] = {"rows_per_beat", SONG_PARAM_INT, 1, 32, 4, ""},
    [SET_SWING] = {"swing", SONG_PARAM_INT, 0, 100, 0, ""},
    [SET_CHANNELS] = {"channels", SONG_PARAM_INT, 1, SONG_MAX_CHANNELS, 4, ""},
    [SET_GAIN] = {"master_gain", SONG_PARAM_TENTHS, -600, 120, 0, "dB"},
    [SET_LIMITER] = {"limiter", SONG_PARAM_SWITCH, 0, 1, 1, ""},
    [SET_GLOBAL_VOLUME] = {"global_volume", SONG_PARAM_INT, 0, SONG_GLOBAL_VOLUME_MAX,
                           SONG_GLOBAL_VOLUME_MAX, ""},
    [SET_SLIDES] = {"slides", SONG_PARAM_SWITCH, SLIDES_LINEAR, SLIDES_AMIGA, SLIDES_LINEAR, ""},
    [SET_FT2_VIBRATO] = {"vibrato", SONG_PARAM_SWITCH, 0, 1, 0, ""},
    [SET_FT2_TREMOR] = {"tremor", SONG_PARAM_SWITCH, 0, 1, 0, ""},
};

static bool is_groove(SettingId id)
{
    return id >= SET_GROOVE_SWING && id <= SET_GROOVE_SEED;
}

static const SongParamInfo *param(SettingId id)
{
    return is_groove(id) ? &song_groove_params[id - SET_GROOVE_SWING] : &PARAMS[id];
}

static int selected;

static int current(const Song *s, SettingId id)
{
    switch (id) {
    case SET_BPM: return atomic_load(&s->bpm_tenths);
    case SET_SPEED: return atomic_load(&s->speed);
    case SET_RPB: return atomic_load(&s->rows_per_beat);
    case SET_SWING: return atomic_load(&s->swing);
    case SET_CHANNELS: return atomic_load(&s->channels);
    case SET_GAIN: return atomic_load(&s->master_gain_tenth_db);
    case SET_LIMITER: return atomic_load(&s->limiter);
    case SET_GLOBAL_VOLUME: return atomic_load(&s->global_volume);
    case SET_SLIDES: return atomic_load(&s->slides);
    case SET_FT2_VIBRATO: return atomic_load(&s->ft2_vibrato);
    case SET_FT2_TREMOR: return atomic_load(&s->ft2_tremor);
    default: return is_groove(id) ? atomic_load(&s->groove[id - SET_GROOVE_SWING]) : 0;
    }
}

static void value_text(const Song *s, SettingId id, char *buf, size_t size)
{
    if (id == SET_TITLE) {
        snprintf(buf, size, "%s", s->title);
        return;
    }
    char plain[UI_PARAM_TEXT];
    if (id == SET_BPM)
        song_bpm_text(current(s, id), plain); /* "120", not "120.0" */
    else
        ui_param_plain(param(id), current(s, id), plain);
    snprintf(buf, size, "%s", plain);
}

/* Cells with something in them in channel `first` (0-based) and after:
 * what fewer channels would throw away. */
static int filled_cells_from(const Song *song, int first)
{
    int count = 0;
    for (int i = 0; i < SONG_MAX_PATTERNS && first >= 0; i++) {
        const Pattern *p = song_pattern(song, i);
        if (!p)
            continue;
        for (int r = 0; r < p->rows; r++)
            for (int ch = first; ch < p->channels; ch++)
                count += !song_cell_is_empty(song_pattern_get(p, r, ch));
    }
    return count;
}

/* Applies a new value; tempo changes also reach a playing song. */
static HissError apply(UiApp *app, SettingId id, int v)
{
    Editor *ed = app->ed;
    HissError err;
    switch (id) {
    case SET_BPM:
        err = edit_song_set_bpm_tenths(ed, v);
        if (!err)
            ui_send(app, ENGINE_CMD_SET_BPM, v, 0, 0, NULL);
        return err;
    case SET_SPEED:
        err = edit_song_set_speed(ed, v);
        if (!err)
            ui_send(app, ENGINE_CMD_SET_SPEED, v, 0, 0, NULL);
        return err;
    case SET_RPB: return edit_song_set_rows_per_beat(ed, v);
    case SET_SWING: return edit_song_set_swing(ed, v);
    case SET_CHANNELS: {
        int dropped = filled_cells_from(app->song, v);
        err = edit_song_set_channels(ed, v);
        if (!err && dropped)
            ui_set_message(app, true, "Channels %d: %d filled cell%s of channel "
                           "%d and up %s gone (undo brings %s back)", v, dropped,
                           dropped == 1 ? "" : "s", v + 1,
                           dropped == 1 ? "is" : "are", dropped == 1 ? "it" : "them");
        return err;
    }
    case SET_GAIN: return edit_song_set_master_gain(ed, v);
    case SET_LIMITER: return edit_song_set_limiter(ed, v != 0);
    case SET_GLOBAL_VOLUME: return edit_song_set_global_volume(ed, v);
    case SET_SLIDES: return edit_song_set_slides(ed, v);
    case SET_FT2_VIBRATO: return edit_song_set_ft2_vibrato(ed, v);
    case SET_FT2_TREMOR: return edit_song_set_ft2_tremor(ed, v);
    default:
        return is_groove(id) ? edit_groove_set(ed, -1, id - SET_GROOVE_SWING, v)
                             : HISS_ERR_RANGE;
    }
}

static void adjust(UiApp *app, int dir, bool big)
{
    SettingId id = (SettingId)selected;
    if (id == SET_TITLE)
        return;
    int v = ui_param_step(param(id), current(app->song, id), dir, big);
    if (id == SET_GROOVE_GRID) /* 8ths or 16ths, nothing between */
        v = dir > 0 ? 16 : 8;
    if (v == current(app->song, id) || apply(app, id, v) == HISS_ERR_RANGE)
        ui_set_message(app, false, "%s is at its limit", LABELS[id]);
}

static void typed_value(UiApp *app, const char *text)
{
    SettingId id = (SettingId)selected;
    if (id == SET_TITLE) {
        ui_report(app, edit_song_set_title(app->ed, text), "title");
        return;
    }
    int v;
    bool read = ui_param_parse(param(id), text, &v);
    if (!read || apply(app, id, v) == HISS_ERR_RANGE)
        ui_param_refuse(app, LABELS[id], param(id), text, read);
    app->dirty |= UI_DIRTY_ALL;
}

static void type(UiApp *app)
{
    /* A switch has two values: Enter flips it rather than ask for one. */
    SettingId id = (SettingId)selected;
    if (id != SET_TITLE && param(id)->kind == SONG_PARAM_SWITCH) {
        adjust(app, 1, false);
        return;
    }
    char val[128];
    value_text(app->song, (SettingId)selected, val, sizeof val);
    ui_prompt(app, LABELS[selected], val, typed_value);
}

static void settings_draw(UiApp *app, unsigned dirty)
{
    (void)dirty;
    ui_put(UI_HEADER_LINES, 0, COLS, ui_attr(UI_C_HEADER),
           "Song settings: Up/Down choose, Left/Right or -/+ change, Enter types a value");
    int y = UI_HEADER_LINES + 2;
    for (int i = 0; i < SET_COUNT; i++, y++) {
        char val[128], line[200];
        value_text(app->song, (SettingId)i, val, sizeof val);
        snprintf(line, sizeof line, "  %-20s %s", LABELS[i], val);
        ui_put(y, 0, COLS, i == selected ? ui_attr(UI_C_FOCUS) : A_NORMAL, line);
    }
    for (; y < LINES - 1; y++)
        ui_put(y, 0, COLS, A_NORMAL, "");
}

static bool settings_handle(UiApp *app, int key, KeymapAction act)
{
    (void)key;
    if (act == ACT_MIDI_LEARN) { /* the tempo */
        ui_learn_start(app);
        return true;
    }
    UiParamList list = {SET_COUNT, &selected, adjust, type};
    if (act == ACT_LEFT || act == ACT_RIGHT) {
        adjust(app, act == ACT_RIGHT ? 1 : -1, false);
        app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
        return true;
    }
    return ui_param_list_key(app, act, &list);
}

const UiPage ui_settings_page = {
    .title = "SETTINGS",
    .ctx = KEYMAP_CTX_SETTINGS,
    .enter = NULL,
    .draw = settings_draw,
    .update = NULL,
    .handle = settings_handle,
};
