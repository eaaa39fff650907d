/* ui_mixer: the mixer page, in four views Tab and S-Tab go through.
 * - channels: one line per channel: its strip (fader, pan, the saved
 *   mute and solo, send A and B with their pre-fader switches, the
 *   ducker's key channel and depth) and a meter of its bus: the level, a
 *   peak hold, a 0 dBFS mark, the hold in dB or the ducker's or the
 *   compressor's reduction; then a meter of each send's return;
 * - inserts: the chosen channel's EQ, compressor (and its sidechain key)
 *   and ducker (keyed by a channel's notes, an instrument's, or both),
 *   each stage's reduction beside it while it is on;
 * - master: the master's EQ, glue compressor (and its reduction), tape,
 *   limiter and gain;
 * - sends: the delay (send A) and the reverb (send B).
 * Each change is an undoable edit (edit_mix_set) the engine hears at
 * once, saved with the song. The last lines sum up the master and its
 * loudness. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mixparam.h"
#include "ui_app.h"
#include "ui_draw.h"
#include "ui_learn.h"
#include "ui_param.h"
#include "ui_reference.h"

enum { METER_CELLS = 16, METER_X = 55, FIRST_ROW = UI_HEADER_LINES + 2 };

/* A channel's name on its line: the columns after its number, up to a
 * blank before the fader's (a longer name shows its start). */
enum { NAME_X = 4, NAME_W = 9 };

typedef enum { VIEW_CHANNELS, VIEW_INSERTS, VIEW_MASTER, VIEW_SENDS, VIEWS } View;

static const char *const VIEW_NAMES[VIEWS] = {"channels", "inserts", "master", "sends"};

static const char *const FIELD_NAMES[EDIT_STRIP_FIELDS] = {
    [EDIT_STRIP_GAIN] = "Fader (dB)",         [EDIT_STRIP_PAN] = "Pan",
    [EDIT_STRIP_MUTE] = "Mute",               [EDIT_STRIP_SOLO] = "Solo",
    [EDIT_STRIP_SEND_A] = "Send A (dB)",      [EDIT_STRIP_SEND_A_PRE] = "Send A pre",
    [EDIT_STRIP_SEND_B] = "Send B (dB)",      [EDIT_STRIP_SEND_B_PRE] = "Send B pre",
    [EDIT_STRIP_DUCK_FROM] = "Duck from ch",  [EDIT_STRIP_DUCK_DEPTH] = "Duck depth (dB)",
};

/* The columns of the channels view from left to right: the field, where
 * it starts on a channel's line, and its width. */
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

static int column_x(EditStripField f)
{
    int k = 0;
    while (k < EDIT_STRIP_FIELDS - 1 && COLUMN[k].field != f)
        k++;
    return COLUMN[k].x;
}

/* A line of the other views: its label and the setting. */
typedef struct {
    const char *label;
    MixparamGroup group;
    int index;
} Row;

#define EQ_ROWS(name)                                                                    \
    {name " low cut", MIXPARAM_EQ, MIXPARAM_EQ_LOW_CUT},                                 \
        {name " low shelf", MIXPARAM_EQ, MIXPARAM_EQ_LOW_SHELF_HZ},                      \
        {name " low shelf gain", MIXPARAM_EQ, MIXPARAM_EQ_LOW_SHELF_DB},                 \
        {name " mid", MIXPARAM_EQ, MIXPARAM_EQ_MID_HZ},                                  \
        {name " mid gain", MIXPARAM_EQ, MIXPARAM_EQ_MID_DB},                             \
        {name " mid Q", MIXPARAM_EQ, MIXPARAM_EQ_MID_Q},                                 \
        {name " high shelf", MIXPARAM_EQ, MIXPARAM_EQ_HIGH_SHELF_HZ},                    \
        {name " high shelf gain", MIXPARAM_EQ, MIXPARAM_EQ_HIGH_SHELF_DB},               \
        {name " high cut", MIXPARAM_EQ, MIXPARAM_EQ_HIGH_CUT}

#define COMP_ROWS(name, group)                                                           \
    {name, group, SONG_GLUE_ON}, {name " threshold", group, SONG_GLUE_THRESHOLD},        \
        {name " ratio", group, SONG_GLUE_RATIO}, {name " attack", group, SONG_GLUE_ATTACK}, \
        {name " release", group, SONG_GLUE_RELEASE}, {name " makeup", group, SONG_GLUE_MAKEUP}

static const Row INSERT_ROWS[] = {
    EQ_ROWS("EQ"),
    COMP_ROWS("Comp", MIXPARAM_COMP),
    {"Comp key", MIXPARAM_COMP, SONG_COMP_KEY},
    {"Duck from", MIXPARAM_STRIP, EDIT_STRIP_DUCK_FROM},
    {"Duck from inst", MIXPARAM_DUCK, MIXPARAM_DUCK_INST},
    {"Duck depth", MIXPARAM_STRIP, EDIT_STRIP_DUCK_DEPTH},
    {"Duck attack", MIXPARAM_DUCK, MIXPARAM_DUCK_ATTACK},
    {"Duck hold", MIXPARAM_DUCK, MIXPARAM_DUCK_HOLD},
    {"Duck release", MIXPARAM_DUCK, MIXPARAM_DUCK_RELEASE},
};

static const Row MASTER_ROWS[] = {
    EQ_ROWS("EQ"),
    COMP_ROWS("Glue", MIXPARAM_GLUE),
    {"Tape drive", MIXPARAM_TAPE, SONG_TAPE_DRIVE},
    {"Limiter", MIXPARAM_MASTER, MIXPARAM_MASTER_LIMITER},
    {"Limiter ceiling", MIXPARAM_MASTER, MIXPARAM_MASTER_CEILING},
    {"Master gain", MIXPARAM_MASTER, MIXPARAM_MASTER_GAIN},
};

static const Row SEND_ROWS[] = {
    {"Delay time", MIXPARAM_DELAY, SONG_DELAY_TIME},
    {"Delay feedback", MIXPARAM_DELAY, SONG_DELAY_FEEDBACK},
    {"Delay low cut", MIXPARAM_DELAY, SONG_DELAY_LOW_CUT},
    {"Delay high cut", MIXPARAM_DELAY, SONG_DELAY_HIGH_CUT},
    {"Delay ping-pong", MIXPARAM_DELAY, SONG_DELAY_PING_PONG},
    {"Delay wobble", MIXPARAM_DELAY, SONG_DELAY_WOBBLE},
    {"Delay to reverb", MIXPARAM_DELAY, SONG_DELAY_TO_REVERB},
    {"Reverb size", MIXPARAM_REVERB, SONG_REVERB_SIZE},
    {"Reverb decay", MIXPARAM_REVERB, SONG_REVERB_DECAY},
    {"Reverb pre-delay", MIXPARAM_REVERB, SONG_REVERB_PREDELAY},
    {"Reverb damping", MIXPARAM_REVERB, SONG_REVERB_DAMPING},
    {"Reverb width", MIXPARAM_REVERB, SONG_REVERB_WIDTH},
};

/* Each view's rows, and where its second column starts (a group per
 * column: the EQ on the left). */
static const struct {
    const Row *rows;
    int count, split;
} VIEW_ROWS[VIEWS] = {
    [VIEW_INSERTS] = {INSERT_ROWS, (int)HISS_ARRAY_LEN(INSERT_ROWS), MIXPARAM_EQ_FIELDS},
    [VIEW_MASTER] = {MASTER_ROWS, (int)HISS_ARRAY_LEN(MASTER_ROWS), MIXPARAM_EQ_FIELDS},
    [VIEW_SENDS] = {SEND_ROWS, (int)HISS_ARRAY_LEN(SEND_ROWS), SONG_DELAY_PARAMS},
};

/* The view shown; the channel and the column (COLUMN maps it to a field)
 * chosen on the channels view, the row chosen on each other view, and
 * the first line shown. */
static View view;
static int channel, column, row[VIEWS], top;

static int body_rows(void)
{
    return LINES - FIRST_ROW - 3; /* the master, loudness and status lines */
}

/* The setting of a row of the view shown (the inserts' on the chosen
 * channel, the master's EQ on the master). */
static MixParam row_param(int r)
{
    const Row *it = &VIEW_ROWS[view].rows[r];
    int ch = view == VIEW_INSERTS ? channel
             : it->group == MIXPARAM_EQ ? MIXPARAM_MASTER_CHANNEL
                                       : 0;
    return (MixParam){it->group, ch, it->index};
}

/* The setting under the cursor, on any view. */
static MixParam chosen(void)
{
    if (view == VIEW_CHANNELS)
        return (MixParam){MIXPARAM_STRIP, channel, COLUMN[column].field};
    return row_param(row[view]);
}

static const char *chosen_name(void)
{
    return view == VIEW_CHANNELS ? FIELD_NAMES[COLUMN[column].field]
                                 : VIEW_ROWS[view].rows[row[view]].label;
}

/* A strip field as its narrow column shows it. */
static void field_text(const Song *s, int c, EditStripField f, char *out, size_t size)
{
    int v = edit_strip_get(s, c, f);
    static const char SWITCH_ON[EDIT_STRIP_FIELDS] = {
        [EDIT_STRIP_MUTE] = 'M', [EDIT_STRIP_SOLO] = 'S', [EDIT_STRIP_SEND_A_PRE] = 'p',
        [EDIT_STRIP_SEND_B_PRE] = 'p'};
    const SongParamInfo *info = mixparam_info((MixParam){MIXPARAM_STRIP, c, f});
    char plain[UI_PARAM_TEXT];
    ui_param_plain(info, v, plain);
    if (SWITCH_ON[f])
        snprintf(out, size, "%c", v ? SWITCH_ON[f] : '.');
    else if (f == EDIT_STRIP_DUCK_FROM)
        snprintf(out, size, v ? "%02d" : "--", v);
    else
        snprintf(out, size, "%s", plain);
}

/* Meter m's (a channel's, or UI_MIX_RETURN + s, a return's): '#' up to
 * the RMS, '+' on up to the peak level, the hold as '*', then the 0 dBFS
 * mark; cells span -40..0 dBFS (ui_meter_cells). */
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

/* Meter m's hold in dBFS, "" before any sound. */
static void hold_text(const UiApp *app, int m, char *out, size_t size)
{
    if (app->mix_hold[m])
        snprintf(out, size, "%5.1f", 20.0 * log10(app->mix_hold[m] / 1000.0));
    else
        out[0] = '\0';
}

/* The red '*' of a hold at or over 0 dBFS on meter m, on line y. */
static void mark_clip(const UiApp *app, int y, int m)
{
    int hold_cells = ui_meter_cells(app->mix_hold[m], METER_CELLS);
    if (app->mix_hold[m] >= 1000 && hold_cells)
        ui_put(y, METER_X + hold_cells - 1, 1, ui_attr(UI_C_CLIP), "*");
}

static void draw_channel(UiApp *app, int y, int c)
{
    char line[160], meter[METER_CELLS + 2], hold[16] = "";
    meter_text(app, c, meter);
    /* The hold in dBFS, or while the compressor ("c") or the ducker
     * ("v") turns the channel down by a tenth of a dB or more, by how
     * much: both in whole dB when both do. */
    uint32_t comp = app->mix_comp[c].shown, duck = app->mix_duck[c].shown;
    comp = comp >= 10 ? comp : 0;
    duck = duck >= 10 ? duck : 0;
    if (comp && duck)
        snprintf(hold, sizeof hold, "c%.0f v%.0f", comp / 100.0, duck / 100.0);
    else if (comp || duck)
        snprintf(hold, sizeof hold, "%c%4.1f", comp ? 'c' : 'v', (comp + duck) / 100.0);
    else
        hold_text(app, c, hold, sizeof hold);
    /* The name goes in after the line: it is measured in columns. */
    int n = snprintf(line, sizeof line, " %02d %9s", c + 1, "");
    for (int k = 0; k < EDIT_STRIP_FIELDS && n < (int)sizeof line; k++) {
        char v[UI_PARAM_TEXT];
        field_text(app->song, c, COLUMN[k].field, v, sizeof v);
        n += snprintf(line + n, sizeof line - (size_t)n, "%*s%*s", COLUMN[k].x - n, "",
                      COLUMN[k].w, v);
    }
    snprintf(line + n, sizeof line - (size_t)n, " %s%s", meter, hold);
    ui_put(y, 0, COLS, A_NORMAL, line);
    if (COLS > NAME_X)
        ui_put(y, NAME_X, hiss_clampi(COLS - NAME_X, 0, NAME_W), A_NORMAL,
               app->song->strips[c].name);
    if (c == channel)
        ui_put(y, COLUMN[column].x, COLUMN[column].w, ui_attr(UI_C_CURSOR),
               line + COLUMN[column].x);
    /* A mute or solo changed at the bar: '@' after it until the bar. */
    uint64_t bit = UINT64_C(1) << c;
    if (app->mute_pending & bit)
        ui_put(y, column_x(EDIT_STRIP_MUTE) + 1, 1, ui_attr(UI_C_MUTED), "@");
    if (app->solo_pending & bit)
        ui_put(y, column_x(EDIT_STRIP_SOLO) + 1, 1, ui_attr(UI_C_MUTED), "@");
    mark_clip(app, y, c);
}

/* Send s's return (what the delay or the reverb gives back to the
 * master): its name and meter, lined up with the channels'. */
static void draw_return(UiApp *app, int y, int s)
{
    static const char *const NAMES[SONG_SENDS] = {"delay return (send A)",
                                                  "reverb return (send B)"};
    char line[160], meter[METER_CELLS + 2], hold[16];
    int m = UI_MIX_RETURN + s;
    meter_text(app, m, meter);
    hold_text(app, m, hold, sizeof hold);
    snprintf(line, sizeof line, "    %-*.*s %s%s", METER_X - 5, METER_X - 5, NAMES[s], meter,
             hold);
    ui_put(y, 0, COLS, A_NORMAL, line);
    mark_clip(app, y, m);
}

/* Keeps `line` (of `count`) within the `rows` shown from top. */
static void scroll_to(int line, int count, int rows)
{
    if (line < top)
        top = line;
    if (line >= top + rows)
        top = line - rows + 1;
    top = hiss_clampi(top, 0, count > rows ? count - rows : 0);
}

static void draw_channels(UiApp *app, int channels)
{
    /* The returns keep the last lines (where there are lines to spare
     * for a channel too); the channels scroll above them. */
    int rows = body_rows(), returns = rows > SONG_SENDS ? SONG_SENDS : 0;
    scroll_to(channel, channels, rows - returns);
    ui_put(UI_HEADER_LINES + 1, 0, COLS, ui_attr(UI_C_DIM),
           " Ch Name       Fader  Pan M S SendA p SendB p Dk Depth -40 dBFS     0| hold/GR");
    int y = FIRST_ROW;
    for (int c = top; c < channels && y < FIRST_ROW + rows - returns; c++, y++)
        draw_channel(app, y, c);
    for (; y < FIRST_ROW + rows - returns; y++)
        ui_put(y, 0, COLS, A_NORMAL, "");
    for (int s = 0; s < returns; s++)
        draw_return(app, y + s, s);
}

/* Settings views: two columns of "label  value" (the page is at least
 * 80 wide); lines scroll to keep the chosen row shown. */
enum { LABEL_W = 18 };

/* The column a row is in, and its line there. */
static int column_of(int r)
{
    return r >= VIEW_ROWS[view].split;
}

static int line_of(int r)
{
    return column_of(r) ? r - VIEW_ROWS[view].split : r;
}

/* What row r's stage takes off while it works, beside its switch (the
 * compressor's, the glue's, the limiter's) or its depth (the ducker's):
 * "  GR 3.5 dB" while the stage is on (the limiter's deepest since
 * playback started, "max"), "" for other rows. */
static void reduction_text(const UiApp *app, int r, char *out, size_t size)
{
    const Row *it = &VIEW_ROWS[view].rows[r];
    const bool compressor = it->group == MIXPARAM_COMP || it->group == MIXPARAM_GLUE;
    const bool switch_row = compressor ? it->index == SONG_GLUE_ON
                                       : it->group == MIXPARAM_MASTER &&
                                             it->index == MIXPARAM_MASTER_LIMITER;
    /* A switch's row is on with its switch; the ducker's depth with a key. */
    bool on = switch_row && mixparam_get(app->song, row_param(r)) != 0;
    uint32_t centi_db = 0;
    const char *since = "";
    if (it->group == MIXPARAM_COMP)
        centi_db = app->mix_comp[channel].shown;
    else if (it->group == MIXPARAM_GLUE)
        centi_db = app->mix_glue.shown;
    else if (it->group == MIXPARAM_MASTER) {
        centi_db = app->limit_most;
        since = " max";
    } else if (it->group == MIXPARAM_STRIP && it->index == EDIT_STRIP_DUCK_DEPTH) {
        on = edit_strip_get(app->song, channel, EDIT_STRIP_DUCK_FROM) != 0 ||
             mixparam_get(app->song,
                          (MixParam){MIXPARAM_DUCK, channel, MIXPARAM_DUCK_INST}) != 0;
        centi_db = app->mix_duck[channel].shown;
    }
    if (on)
        snprintf(out, size, "  GR %.1f dB%s", centi_db / 100.0, since);
    else
        out[0] = '\0';
}

static void draw_settings(UiApp *app)
{
    ui_put(UI_HEADER_LINES + 1, 0, COLS, ui_attr(UI_C_DIM),
           " Up/Down/Left/Right choose, -/+ PgDn/PgUp change, Enter types, Tab next view");
    int split = VIEW_ROWS[view].split, count = VIEW_ROWS[view].count;
    int lines = split > count - split ? split : count - split;
    int rows = body_rows(), width = COLS / 2;
    scroll_to(line_of(row[view]), lines, rows);
    for (int y = 0; y < rows; y++) {
        ui_put(FIRST_ROW + y, 0, COLS, A_NORMAL, "");
        for (int k = 0; k < 2; k++) {
            int r = (k ? split : 0) + top + y;
            if (r >= (k ? count : split))
                continue;
            MixParam p = row_param(r);
            char value[UI_PARAM_TEXT], reduction[32];
            ui_param_text(mixparam_info(p), mixparam_get(app->song, p), value);
            reduction_text(app, r, reduction, sizeof reduction);
            ui_putf(FIRST_ROW + y, k * width, width,
                    r == row[view] ? ui_attr(UI_C_FOCUS) : A_NORMAL, " %-*s %s%s", LABEL_W,
                    VIEW_ROWS[view].rows[r].label, value, reduction);
        }
    }
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
    channel = hiss_clampi(channel, 0, channels - 1);
    char title[128], name[SONG_NAME_MAX + 4] = "";
    if (s->strips[channel].name[0])
        snprintf(name, sizeof name, " (%s)", s->strips[channel].name);
    int n = snprintf(title, sizeof title, " Mixer:");
    for (int v = 0; v < VIEWS; v++)
        n += snprintf(title + n, sizeof title - (size_t)n, v == (int)view ? " [%s]" : " %s",
                      VIEW_NAMES[v]);
    /* The A/B state on the right, where the eye goes from the meters:
     * whether the reference or the mix is heard, and the match. */
    char ab[48];
    bool reference = ui_reference_state(app, ab, sizeof ab);
    int ab_w = (int)strlen(ab);
    if (view == VIEW_INSERTS) {
        int room = COLS - n - (ab_w ? ab_w + 1 : 0);
        if (ui_text_width(name) + 12 > room)
            name[0] = 0; /* the number is enough where space is short */
        snprintf(title + n, sizeof title - (size_t)n, "  channel %02d%s", channel + 1, name);
    }
    ui_put(UI_HEADER_LINES, 0, COLS, ui_attr(UI_C_HEADER), title);
    if (ab_w && ab_w < COLS)
        ui_put(UI_HEADER_LINES, COLS - ab_w - 1, ab_w,
               ui_attr(reference ? UI_C_MUTED : UI_C_HEADER), ab);
    if (view == VIEW_CHANNELS)
        draw_channels(app, channels);
    else
        draw_settings(app);

    int ceiling = atomic_load(&s->limiter_ceiling_tenth_db);
    int gain = atomic_load(&s->master_gain_tenth_db);
    char range[64] = "";
    if (view != VIEW_CHANNELS) {
        char r[48];
        ui_param_range(mixparam_info(chosen()), r, sizeof r);
        snprintf(range, sizeof range, " (%s)", r);
    }
    ui_putf(LINES - 3, 0, COLS, ui_attr(UI_C_HEADER),
            " %s%s | master %s%d.%d dB, limit %s %s%d.%d dBTP", chosen_name(), range,
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

/* Sets the chosen setting; a mute or solo changed here is heard at once,
 * even when the pattern screen had asked for it at the next bar. */
static HissError set_chosen(UiApp *app, int v)
{
    MixParam p = chosen();
    HissError err = edit_mix_set(app->ed, p, v);
    if (!err && p.group == MIXPARAM_STRIP &&
        (p.index == EDIT_STRIP_MUTE || p.index == EDIT_STRIP_SOLO))
        session_hold_flag(app->session, p.index == EDIT_STRIP_SOLO, p.channel, -1);
    return err;
}

static void step(UiApp *app, int dir, bool big)
{
    MixParam p = chosen();
    int v = mixparam_get(app->song, p);
    int next = ui_param_step(mixparam_info(p), v, dir, big);
    HissError err = next == v ? HISS_ERR_RANGE : set_chosen(app, next);
    if (err == HISS_ERR_RANGE) {
        char range[64];
        ui_param_range(mixparam_info(p), range, sizeof range);
        ui_set_message(app, false, "%s is at its limit (%s)", chosen_name(), range);
    } else {
        ui_report(app, err, chosen_name());
    }
}

static void typed_value(UiApp *app, const char *text)
{
    int v;
    const SongParamInfo *info = mixparam_info(chosen());
    bool read = ui_param_parse(info, text, &v);
    HissError err = read ? set_chosen(app, v) : HISS_ERR_RANGE;
    if (err == HISS_ERR_RANGE)
        ui_param_refuse(app, chosen_name(), info, text, read);
    else
        ui_report(app, err, chosen_name());
    app->dirty |= UI_DIRTY_ALL;
}

static void type(UiApp *app)
{
    char val[UI_PARAM_TEXT], label[64];
    MixParam p = chosen();
    /* A switch has two values: Enter flips it rather than ask for one. */
    if (mixparam_info(p)->kind == SONG_PARAM_SWITCH) {
        step(app, 1, false);
        return;
    }
    ui_param_plain(mixparam_info(p), mixparam_get(app->song, p), val);
    if (view == VIEW_INSERTS || view == VIEW_CHANNELS)
        snprintf(label, sizeof label, "Channel %d %s", channel + 1, chosen_name());
    else
        snprintf(label, sizeof label, "%s", chosen_name());
    ui_prompt(app, label, val, typed_value);
}

/* The channel a name typed goes to: the prompt's answer comes later. */
static int renaming;

static void channel_named(UiApp *app, const char *text)
{
    char what[32];
    snprintf(what, sizeof what, "channel %02d", renaming + 1);
    HissError err = edit_strip_set_name(app->ed, renaming, text);
    ui_report_rename(app, err, what, text, app->song->strips[renaming].name);
    app->dirty |= UI_DIRTY_ALL;
}

void ui_mixer_rename_channel(UiApp *app, int c)
{
    if (c < 0 || c >= atomic_load(&app->song->channels))
        return;
    char label[64];
    renaming = c;
    snprintf(label, sizeof label, "Channel %d name (empty: none)", c + 1);
    ui_prompt(app, label, app->song->strips[c].name, channel_named);
}

static bool mixer_handle(UiApp *app, int key, KeymapAction act)
{
    (void)key;
    int channels = atomic_load(&app->song->channels);
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    UiParamList list = {view == VIEW_CHANNELS ? channels : VIEW_ROWS[view].count,
                        view == VIEW_CHANNELS ? &channel : &row[view], step, type};
    switch (act) {
    case ACT_NEXT_FIELD:
    case ACT_PREV_FIELD:
        view = (View)((view + (act == ACT_NEXT_FIELD ? 1 : VIEWS - 1)) % VIEWS);
        top = 0;
        app->dirty |= UI_DIRTY_CLEAR;
        return true;
    case ACT_LEFT:
    case ACT_RIGHT: {
        int dir = act == ACT_RIGHT ? 1 : -1;
        if (view == VIEW_CHANNELS) {
            column = hiss_clampi(column + dir, 0, EDIT_STRIP_FIELDS - 1);
        } else if (column_of(row[view]) != (dir > 0)) {
            /* The same line of the other column, or its last. */
            int split = VIEW_ROWS[view].split;
            row[view] = dir > 0 ? hiss_clampi(row[view] + split, split, VIEW_ROWS[view].count - 1)
                                : hiss_clampi(row[view] - split, 0, split - 1);
        }
        return true;
    }
    case ACT_UP:
    case ACT_DOWN:
        if (view == VIEW_CHANNELS)
            return ui_param_list_key(app, act, &list);
        {
            /* Within the column: its first and last lines stop. */
            int split = VIEW_ROWS[view].split, right = column_of(row[view]);
            row[view] = hiss_clampi(row[view] + (act == ACT_DOWN ? 1 : -1), right ? split : 0,
                                    right ? VIEW_ROWS[view].count - 1 : split - 1);
        }
        return true;
    case ACT_MIDI_LEARN:
        ui_learn_start(app);
        return true;
    case ACT_MIXER_CHANNEL_NAME:
        /* The channel whose line or inserts are shown; the master and
         * the sends have no channel to name. */
        if (view == VIEW_CHANNELS || view == VIEW_INSERTS)
            ui_mixer_rename_channel(app, channel);
        else
            ui_set_message(app, false, "names are for channels: the channels or inserts view");
        return true;
    case ACT_LOUDNESS_RESET:
        ui_loudness_reset(app);
        ui_set_message(app, false, "integrated loudness, range and true peak start afresh");
        return true;
    default:
        return ui_param_list_key(app, act, &list);
    }
}

MixParam ui_mixer_chosen(void)
{
    return chosen();
}

/* The moves the mixer gives keys of everywhere (the help lists those
 * under their usual meaning). */
static void mixer_keys_note(const UiApp *app, char *out, size_t size)
{
    static const KeymapAction ACTS[] = {ACT_NEXT_FIELD, ACT_PREV_FIELD, ACT_LEFT,
                                        ACT_RIGHT,      ACT_UP,         ACT_DOWN,
                                        ACT_PAGE_DOWN,  ACT_PAGE_UP,    ACT_SELECT,
                                        ACT_MIXER_CHANNEL_NAME};
    char k[sizeof ACTS / sizeof ACTS[0]][32];
    for (size_t i = 0; i < sizeof ACTS / sizeof ACTS[0]; i++) {
        /* As the mixer finds them (the help screen is on top). */
        int key = keymap_first_key(&app->keymap, ui_mixer_page.ctx, ACTS[i]);
        if (key < 0 || !keymap_key_name(key, k[i], sizeof k[i]))
            snprintf(k[i], sizeof k[i], "(unbound)");
    }
    snprintf(out, size,
             "On the mixer, %s and %s go to the next and the previous view (channels, "
             "inserts, master, sends); %s and %s choose a field, %s and %s a channel or a "
             "line; the keys above (and %s and %s, in bigger steps) change the chosen "
             "value, or flip a switch (M mute, S solo, p pre-fader send); %s types a "
             "value, or flips a switch; %s names the channel (empty: no name). A "
             "channel's last column holds its peak in dBFS, "
             "or how far its compressor (c) or ducker (v) turns it down (GR, in dB); "
             "the last two lines meter the delay's and the reverb's returns.",
             k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]);
}

const UiPage ui_mixer_page = {
    .title = "MIXER",
    .ctx = KEYMAP_CTX_SETTINGS, /* the settings page's keys: the same moves */
    .enter = NULL,
    .draw = mixer_draw,
    .update = mixer_update,
    .handle = mixer_handle,
    .keys_note = mixer_keys_note,
};
