/* ui_mixer: the mixer page. One line per channel: its strip (fader, pan,
 * the saved mute and solo, send A and B with their pre-fader switches,
 * the ducker's key channel and depth), each change an undoable edit, and
 * a meter of its bus: the level, a peak hold, a 0 dBFS mark, the hold in
 * dB and the ducker's reduction. The last line sums up the master. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_app.h"
#include "ui_draw.h"

enum { METER_CELLS = 16, METER_X = 55, FIRST_ROW = UI_HEADER_LINES + 2 };

static const char *const FIELD_NAMES[EDIT_STRIP_FIELDS] = {
    [EDIT_STRIP_GAIN] = "Fader (dB)",         [EDIT_STRIP_PAN] = "Pan",
    [EDIT_STRIP_MUTE] = "Mute",               [EDIT_STRIP_SOLO] = "Solo",
    [EDIT_STRIP_SEND_A] = "Send A (dB)",      [EDIT_STRIP_SEND_A_PRE] = "Send A pre",
    [EDIT_STRIP_SEND_B] = "Send B (dB)",      [EDIT_STRIP_SEND_B_PRE] = "Send B pre",
    [EDIT_STRIP_DUCK_FROM] = "Duck from ch",  [EDIT_STRIP_DUCK_DEPTH] = "Duck depth (dB)",
};

/* The columns from left to right: the field, where it starts on a
 * channel's line, and its width. */
static const struct {
    EditStripField field;
    int x, w;
} COLUMN[EDIT_STRIP_FIELDS] = {
    {EDIT_STRIP_GAIN, 14, 6},      {EDIT_STRIP_PAN, 21, 4},
    {EDIT_STRIP_MUTE, 26, 1},      {EDIT_STRIP_SOLO, 28, 1},
    {EDIT_STRIP_SEND_A, 30, 5},    {EDIT_STRIP_SEND_A_PRE, 36, 1},
    {EDIT_STRIP_SEND_B, 38, 5},    {EDIT_STRIP_SEND_B_PRE, 44, 1},
    {EDIT_STRIP_DUCK_FROM, 46, 2}, {EDIT_STRIP_DUCK_DEPTH, 49, 5},
};

/* The channel and the column (COLUMN maps it to a field) chosen. */
static int channel, column, top;

/* The field of the column chosen. */
static EditStripField chosen(void)
{
    return COLUMN[column].field;
}

static int field_value(const Song *s, int c, int f)
{
    return edit_strip_get(s, c, (EditStripField)f);
}

static bool is_switch(int f)
{
    return f == EDIT_STRIP_MUTE || f == EDIT_STRIP_SOLO || f == EDIT_STRIP_SEND_A_PRE ||
           f == EDIT_STRIP_SEND_B_PRE;
}

static bool in_tenths(int f)
{
    return f == EDIT_STRIP_GAIN || f == EDIT_STRIP_SEND_A || f == EDIT_STRIP_SEND_B ||
           f == EDIT_STRIP_DUCK_DEPTH;
}

/* A field as its column shows it. */
static void field_text(const Song *s, int c, int f, char *out, size_t size)
{
    int v = field_value(s, c, f);
    static const char SWITCH_ON[EDIT_STRIP_FIELDS] = {
        [EDIT_STRIP_MUTE] = 'M', [EDIT_STRIP_SOLO] = 'S', [EDIT_STRIP_SEND_A_PRE] = 'p',
        [EDIT_STRIP_SEND_B_PRE] = 'p'};
    if (is_switch(f))
        snprintf(out, size, "%c", v ? SWITCH_ON[f] : '.');
    else if ((f == EDIT_STRIP_SEND_A || f == EDIT_STRIP_SEND_B) && v <= SONG_GAIN_MIN)
        snprintf(out, size, "off");
    else if (f == EDIT_STRIP_DUCK_FROM)
        snprintf(out, size, v ? "%02d" : "--", v);
    else if (in_tenths(f))
        snprintf(out, size, "%s%d.%d", v < 0 ? "-" : "", abs(v) / 10, abs(v) % 10);
    else
        snprintf(out, size, "%d", v);
}

/* The meter: '#' up to the RMS, '+' on up to the peak level, the hold as
 * '*', then the 0 dBFS mark; cells span -40..0 dBFS (ui_meter_cells). */
static void meter_text(const UiApp *app, int c, char *out)
{
    int lit = ui_meter_cells(app->mix_level[c], METER_CELLS);
    int rms = ui_meter_cells(app->mix_rms[c], METER_CELLS);
    int hold = ui_meter_cells(app->mix_hold[c], METER_CELLS);
    for (int i = 0; i < METER_CELLS; i++)
        out[i] = i < rms ? '#' : i < lit ? '+' : '.';
    if (hold > 0)
        out[hold - 1] = '*';
    out[METER_CELLS] = '|';
    out[METER_CELLS + 1] = '\0';
}

static int body_rows(void)
{
    return LINES - FIRST_ROW - 3; /* the master, loudness and status lines */
}

static void draw_channel(UiApp *app, int y, int c)
{
    char line[160], meter[METER_CELLS + 2], hold[16] = "", name[16];
    const char *strip_name = app->song->strips[c].name;
    snprintf(name, sizeof name, "%.9s", strip_name);
    meter_text(app, c, meter);
    /* The hold in dBFS, or while the ducker works, its reduction ("v"). */
    if (app->mix_duck[c])
        snprintf(hold, sizeof hold, "v%4.1f", app->mix_duck[c] / 100.0);
    else if (app->mix_hold[c])
        snprintf(hold, sizeof hold, "%5.1f", 20.0 * log10(app->mix_hold[c] / 1000.0));
    int n = snprintf(line, sizeof line, " %02d %-9s", c + 1, name);
    for (int k = 0; k < EDIT_STRIP_FIELDS && n < (int)sizeof line; k++) {
        char v[16];
        field_text(app->song, c, COLUMN[k].field, v, sizeof v);
        n += snprintf(line + n, sizeof line - (size_t)n, "%*s%*s", COLUMN[k].x - n, "",
                      COLUMN[k].w, v);
    }
    snprintf(line + n, sizeof line - (size_t)n, " %s%s", meter, hold);
    ui_put(y, 0, COLS, A_NORMAL, line);
    if (c == channel)
        ui_put(y, COLUMN[column].x, COLUMN[column].w, ui_attr(UI_C_CURSOR),
               line + COLUMN[column].x);
    int hold_cells = ui_meter_cells(app->mix_hold[c], METER_CELLS);
    if (app->mix_hold[c] >= 1000 && hold_cells) /* at or over 0 dBFS */
        ui_put(y, METER_X + hold_cells - 1, 1, ui_attr(UI_C_CLIP), "*");
}

/* Tenths of a LUFS as "-14.2", or "-inf" for silence. */
static void lufs_text(int tenths, char *out, size_t size)
{
    if (tenths == INT32_MIN)
        snprintf(out, size, "-inf");
    else
        snprintf(out, size, "%s%d.%d", tenths < 0 ? "-" : "", abs(tenths) / 10,
                 abs(tenths) % 10);
}

static void mixer_draw(UiApp *app, unsigned dirty)
{
    (void)dirty;
    const Song *s = app->song;
    int channels = atomic_load(&s->channels);
    if (channel >= channels)
        channel = channels - 1;
    int rows = body_rows();
    if (channel < top)
        top = channel;
    if (channel >= top + rows)
        top = channel - rows + 1;
    ui_put(UI_HEADER_LINES, 0, COLS, ui_attr(UI_C_HEADER),
           "Mixer: Up/Down channel, Left/Right field, -/+ PgUp/PgDn change, Enter types");
    char head[96];
    snprintf(head, sizeof head, " Ch Name       Fader  Pan M S SendA p SendB p Dk Depth "
                                "-40 dBFS     0| hold");
    ui_put(UI_HEADER_LINES + 1, 0, COLS, ui_attr(UI_C_DIM), head);
    int y = FIRST_ROW;
    for (int c = top; c < channels && y < FIRST_ROW + rows; c++, y++)
        draw_channel(app, y, c);
    for (; y < LINES - 2; y++)
        ui_put(y, 0, COLS, A_NORMAL, "");
    int ceiling = atomic_load(&s->limiter_ceiling_tenth_db);
    int gain = atomic_load(&s->master_gain_tenth_db);
    ui_putf(LINES - 3, 0, COLS, ui_attr(UI_C_HEADER),
            " %s | master %s%d.%d dB, limit %s %s%d.%d dBTP", FIELD_NAMES[chosen()],
            gain < 0 ? "-" : "", abs(gain) / 10, abs(gain) % 10,
            atomic_load(&s->limiter) ? "on" : "off", ceiling < 0 ? "-" : "", abs(ceiling) / 10,
            abs(ceiling) % 10);
    char m[16], st[16], in[16], lra[16], tp[16], reset[16];
    lufs_text(app->momentary_tenths, m, sizeof m);
    lufs_text(app->short_term_tenths, st, sizeof st);
    lufs_text(app->integrated_tenths, in, sizeof in);
    lufs_text(app->range_tenths, lra, sizeof lra);
    lufs_text(app->true_peak_tenths, tp, sizeof tp);
    ui_first_key(app, ACT_LOUDNESS_RESET, reset, sizeof reset);
    ui_putf(LINES - 2, 0, COLS, ui_attr(UI_C_HEADER),
            " M %s S %s I %s LUFS, LRA %s LU, TP %s dBTP (%s: reset)", m, st, in, lra, tp,
            reset);
}

static void mixer_update(UiApp *app)
{
    if (app->mix_moved) {
        app->mix_moved = false;
        app->dirty |= UI_DIRTY_BODY;
    }
}

/* Steps of -/+ and of PgDn/PgUp per field. */
static int step_of(int f, bool big)
{
    if (is_switch(f))
        return 1;
    if (f == EDIT_STRIP_PAN)
        return big ? 25 : 5;
    if (f == EDIT_STRIP_DUCK_FROM)
        return 1;
    return big ? 60 : 5; /* dB fields: 6 dB or half a dB */
}

static void set_field(UiApp *app, int v)
{
    HissError err = edit_strip_set(app->ed, channel, chosen(), v);
    if (err == HISS_ERR_RANGE)
        ui_set_message(app, false, "Channel %d %s is at its limit", channel + 1,
                       FIELD_NAMES[chosen()]);
    else
        ui_report(app, err, FIELD_NAMES[chosen()]);
}

static void adjust(UiApp *app, int dir, bool big)
{
    int v = field_value(app->song, channel, chosen());
    set_field(app, is_switch(chosen()) ? !v : v + dir * step_of(chosen(), big));
}

static void typed_value(UiApp *app, const char *text)
{
    char *end;
    int v;
    if (is_switch(chosen())) {
        bool on = !strcmp(text, "on") || !strcmp(text, "1");
        if (!on && strcmp(text, "off") && strcmp(text, "0")) {
            ui_set_message(app, true, "%s: '%s' is not one of on|off", FIELD_NAMES[chosen()], text);
            return;
        }
        v = on;
        end = (char *)text + strlen(text);
    } else if (in_tenths(chosen())) {
        double db = !strcmp(text, "off") ? SONG_GAIN_MIN / 10.0 : strtod(text, &end);
        if (!strcmp(text, "off"))
            end = (char *)text + 3;
        v = (int)lround(db * 10.0);
    } else {
        v = (int)strtol(text, &end, 10);
    }
    while (*end == ' ')
        end++;
    if (end == text || *end) {
        ui_set_message(app, true, "%s: not a number: %s", FIELD_NAMES[chosen()], text);
        return;
    }
    if (edit_strip_set(app->ed, channel, chosen(), v) == HISS_ERR_RANGE)
        ui_set_message(app, true, "%s: %s is out of range", FIELD_NAMES[chosen()], text);
    app->dirty |= UI_DIRTY_ALL;
}

static bool mixer_handle(UiApp *app, int key, KeymapAction act)
{
    (void)key;
    int channels = atomic_load(&app->song->channels);
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    switch (act) {
    case ACT_UP:
        channel = (channel + channels - 1) % channels;
        return true;
    case ACT_DOWN:
        channel = (channel + 1) % channels;
        return true;
    case ACT_LEFT:
        column = (column + EDIT_STRIP_FIELDS - 1) % EDIT_STRIP_FIELDS;
        return true;
    case ACT_RIGHT:
        column = (column + 1) % EDIT_STRIP_FIELDS;
        return true;
    case ACT_HOME:
        channel = 0;
        return true;
    case ACT_END:
        channel = channels - 1;
        return true;
    case ACT_SET_DEC:
        adjust(app, -1, false);
        return true;
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
        char val[16], label[64];
        field_text(app->song, channel, chosen(), val, sizeof val);
        snprintf(label, sizeof label, "Channel %d %s", channel + 1, FIELD_NAMES[chosen()]);
        ui_prompt(app, label, val, typed_value);
        return true;
    }
    case ACT_LOUDNESS_RESET:
        ui_loudness_reset(app);
        ui_set_message(app, false, "integrated loudness, range and true peak start afresh");
        return true;
    case ACT_BACK:
        ui_show_page(app, UI_PAGE_PATTERN);
        return true;
    default:
        return false;
    }
}

const UiPage ui_mixer_page = {
    .title = "MIXER",
    .ctx = KEYMAP_CTX_SETTINGS, /* the settings page's keys: the same moves */
    .enter = NULL,
    .draw = mixer_draw,
    .update = mixer_update,
    .handle = mixer_handle,
};
