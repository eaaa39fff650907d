/* ui_settings: song-wide settings (title, tempo, swing, channels, master,
 * the song's groove). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_app.h"
#include "ui_draw.h"

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
    SET_COUNT
} SettingId;

static const char *const LABELS[SET_COUNT] = {
    "Title", "BPM", "Speed (ticks/row)", "Rows per beat", "Swing (%)", "Groove swing (%)",
    "Groove grid (8/16)", "Humanize (ms late)", "Humanize level (%)", "Groove seed",
    "Channels", "Master gain (dB)", "Limiter",
};

/* What each number takes (the edit layer's limits), for messages. */
static const char *const RANGES[SET_COUNT] = {
    [SET_BPM] = "32.0..255.0", [SET_SPEED] = "1..31", [SET_RPB] = "1..32",
    [SET_SWING] = "0..100", [SET_CHANNELS] = "1..64",
    [SET_GAIN] = "-60.0..12.0", [SET_LIMITER] = "on|off",
    [SET_GROOVE_SWING] = "50..75", [SET_GROOVE_GRID] = "8|16",
    [SET_GROOVE_HUMAN_MS] = "0..50", [SET_GROOVE_HUMAN_VEL] = "0..100",
    [SET_GROOVE_SEED] = "0..99999999",
};

static bool is_groove(SettingId id)
{
    return id >= SET_GROOVE_SWING && id <= SET_GROOVE_SEED;
}

static int selected;

static void value_text(const Song *s, SettingId id, char *buf, size_t size)
{
    switch (id) {
    case SET_TITLE: snprintf(buf, size, "%s", s->title); break;
    case SET_BPM: {
        char bpm[SONG_BPM_TEXT];
        song_bpm_text(atomic_load(&s->bpm_tenths), bpm);
        snprintf(buf, size, "%s", bpm);
        break;
    }
    case SET_SPEED: snprintf(buf, size, "%d", atomic_load(&s->speed)); break;
    case SET_RPB: snprintf(buf, size, "%d", atomic_load(&s->rows_per_beat)); break;
    case SET_SWING: snprintf(buf, size, "%d", atomic_load(&s->swing)); break;
    case SET_CHANNELS: snprintf(buf, size, "%d", atomic_load(&s->channels)); break;
    case SET_GAIN: {
        int g = atomic_load(&s->master_gain_tenth_db);
        snprintf(buf, size, "%s%d.%d", g < 0 ? "-" : "", abs(g) / 10, abs(g) % 10);
        break;
    }
    case SET_LIMITER: snprintf(buf, size, "%s", atomic_load(&s->limiter) ? "on" : "off"); break;
    default:
        if (is_groove(id))
            snprintf(buf, size, "%d", atomic_load(&s->groove[id - SET_GROOVE_SWING]));
        else
            buf[0] = 0;
    }
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
    default:
        return is_groove(id) ? edit_groove_set(ed, -1, id - SET_GROOVE_SWING, v)
                             : HISS_ERR_RANGE;
    }
}

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
    default: return is_groove(id) ? atomic_load(&s->groove[id - SET_GROOVE_SWING]) : 0;
    }
}

static void adjust(UiApp *app, int dir, bool big)
{
    SettingId id = (SettingId)selected;
    if (id == SET_TITLE)
        return;
    int step = big ? 10 : 1;
    if (id == SET_GAIN)
        step = big ? 60 : 5; /* 6 dB or half a dB */
    if (id == SET_BPM)
        step *= 10; /* whole BPM; tenths are typed or nudged on the pattern */
    int v = id == SET_LIMITER ? !current(app->song, id) : current(app->song, id) + dir * step;
    if (id == SET_GROOVE_GRID) /* 8ths or 16ths, nothing between */
        v = dir > 0 ? 16 : 8;
    if (apply(app, id, v) == HISS_ERR_RANGE)
        ui_set_message(app, false, "%s is at its limit", LABELS[id]);
}

static void typed_value(UiApp *app, const char *text)
{
    SettingId id = (SettingId)selected;
    if (id == SET_TITLE) {
        ui_report(app, edit_song_set_title(app->ed, text), "title");
        return;
    }
    char *end;
    int v;
    if (id == SET_GAIN || id == SET_BPM) {
        double tenths = strtod(text, &end) * 10.0;
        v = (int)(tenths + (tenths < 0 ? -0.5 : 0.5));
    } else if (id == SET_LIMITER) {
        if (!strcmp(text, "on") || !strcmp(text, "1"))
            v = 1;
        else if (!strcmp(text, "off") || !strcmp(text, "0"))
            v = 0;
        else {
            ui_set_message(app, true, "Limiter: '%s' is not one of on|off", text);
            return;
        }
        end = (char *)text + strlen(text);
    } else {
        v = (int)strtol(text, &end, 10);
    }
    while (*end == ' ')
        end++;
    if (end == text || *end) {
        ui_set_message(app, true, "%s: not a number: %s", LABELS[id], text);
        return;
    }
    if (apply(app, id, v) == HISS_ERR_RANGE)
        ui_set_message(app, true, "%s: %s is out of range (%s)", LABELS[id],
                       text, RANGES[id] ? RANGES[id] : "?");
    app->dirty |= UI_DIRTY_ALL;
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
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    switch (act) {
    case ACT_UP:
        selected = (selected + SET_COUNT - 1) % SET_COUNT;
        return true;
    case ACT_DOWN:
        selected = (selected + 1) % SET_COUNT;
        return true;
    case ACT_HOME:
        selected = 0;
        return true;
    case ACT_END:
        selected = SET_COUNT - 1;
        return true;
    case ACT_LEFT:
    case ACT_SET_DEC:
        adjust(app, -1, false);
        return true;
    case ACT_RIGHT:
    case ACT_SET_INC:
        adjust(app, 1, false);
        return true;
    case ACT_PAGE_DOWN:
        adjust(app, -1, true);
        return true;
    case ACT_PAGE_UP:
        adjust(app, 1, true);
        return true;
    case ACT_SELECT: {
        char val[128];
        value_text(app->song, (SettingId)selected, val, sizeof val);
        ui_prompt(app, LABELS[selected], val, typed_value);
        return true;
    }
    case ACT_BACK:
        ui_show_page(app, UI_PAGE_PATTERN);
        return true;
    default:
        return false;
    }
}

const UiPage ui_settings_page = {
    .title = "SETTINGS",
    .ctx = KEYMAP_CTX_SETTINGS,
    .enter = NULL,
    .draw = settings_draw,
    .update = NULL,
    .handle = settings_handle,
};
