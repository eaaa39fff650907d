/* ui_pattern: the pattern editor, the main screen.
 *
 * Row numbers on the left (beats and bars highlighted from rows_per_beat),
 * then as many channels as fit, scrolling sideways with the cursor. Each
 * cell reads "C-4 01 40 A0F R21": note, instrument, volume, effect, second
 * effect. While playing with follow on, the cursor rides the playing row and
 * the view turns a page at a time, which costs far fewer terminal bytes than
 * scrolling every row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_app.h"
#include "ui_groove.h"
#include "ui_record.h"
#include "ui_draw.h"

enum {
    ROWNUM_W = 3,
    CELL_W = 17, /* "C-4 01 40 A0F R21" */
    CHANNEL_W = CELL_W + 1,
    HEADER_NAME_W = 5, /* a channel's name in its header: as wide as "Ch 01" */
};

/* Where each cursor column sits inside a cell, and how wide it is. */
static const struct {
    int x, w;
} COLUMN_SPAN[EDIT_COL_COUNT] = {
    [EDIT_COL_NOTE] = {0, 3},          [EDIT_COL_INSTRUMENT_HI] = {4, 1},
    [EDIT_COL_INSTRUMENT_LO] = {5, 1}, [EDIT_COL_VOLUME_HI] = {7, 1},
    [EDIT_COL_VOLUME_LO] = {8, 1},     [EDIT_COL_FX] = {10, 1},
    [EDIT_COL_FX_PARAM_HI] = {11, 1},  [EDIT_COL_FX_PARAM_LO] = {12, 1},
    [EDIT_COL_FX2] = {14, 1},          [EDIT_COL_FX2_PARAM_HI] = {15, 1},
    [EDIT_COL_FX2_PARAM_LO] = {16, 1},
};

static struct {
    int top, left;       /* first row and channel shown */
    int play_row;        /* row whose number is marked as playing, or -1 */
    int play_pattern;
    int seen_order, seen_pattern, seen_row; /* last position followed */
    bool seen_playing;
    bool dragging;       /* a shift-arrow selection is being extended */
} view = {0, 0, -1, -1, -1, -1, -1, false, false};

void ui_pattern_reset_view(UiApp *app)
{
    (void)app;
    view.top = view.left = 0;
    view.play_row = view.play_pattern = -1;
    view.seen_order = view.seen_pattern = view.seen_row = -1;
}

static int body_top(void) { return UI_HEADER_LINES + 1; }
static int visible_rows(void) { return LINES - 1 - body_top(); }
static int visible_channels(int channels)
{
    int n = (COLS - ROWNUM_W - 1) / CHANNEL_W;
    if (n < 1)
        n = 1;
    return n < channels ? n : channels;
}

static int shown_channels(const UiApp *app, const Pattern *p)
{
    int song_ch = atomic_load(&app->song->channels);
    return p->channels < song_ch ? p->channels : song_ch;
}

static bool following(const UiApp *app)
{
    return app->follow && ui_is_playing(app);
}

/* Keeps the cursor in view: a page turn while following playback, else
 * the smallest scroll that leaves a little context around the cursor. */
static void scroll_to_cursor(UiApp *app, const Pattern *p)
{
    const EditCursor *c = &app->ed->cursor;
    int rows = p->rows, vis = visible_rows();
    int max_top = rows > vis ? rows - vis : 0;
    if (following(app)) {
        if (c->row < view.top || c->row >= view.top + vis)
            view.top = c->row;
    } else {
        int margin = vis >= 12 ? 2 : 0;
        if (c->row < view.top + margin)
            view.top = c->row - margin;
        if (c->row > view.top + vis - 1 - margin)
            view.top = c->row - (vis - 1 - margin);
    }
    view.top = hiss_clampi(view.top, 0, max_top);
    int nch = shown_channels(app, p), nvis = visible_channels(nch);
    if (c->channel < view.left)
        view.left = c->channel;
    if (c->channel >= view.left + nvis)
        view.left = c->channel - nvis + 1;
    view.left = hiss_clampi(view.left, 0, nch > nvis ? nch - nvis : 0);
}

static UiColor row_role(const UiApp *app, int row)
{
    int rpb = atomic_load(&app->song->rows_per_beat);
    if (rpb < 1)
        rpb = 4;
    if (row == view.play_row)
        return UI_C_PLAYROW;
    if (row % (rpb * 4) == 0)
        return UI_C_BAR;
    if (row % rpb == 0)
        return UI_C_BEAT;
    return UI_C_ROWNUM;
}

static void draw_rownum(UiApp *app, int row)
{
    int y = body_top() + row - view.top;
    if (row < view.top || y >= LINES - 1)
        return;
    char num[16];
    snprintf(num, sizeof num, "%03d", row);
    ui_put(y, 0, ROWNUM_W, ui_attr(row_role(app, row)), num);
}

static bool in_selection(const EditSelection *s, int row, int ch)
{
    return s->active && row >= s->row_begin && row <= s->row_end &&
           ch >= s->channel_begin && ch <= s->channel_end;
}

static void cell_text(Cell cell, char out[CELL_W + 1])
{
    char note[4];
    song_note_name(cell.note, note);
    if (cell.note == NOTE_EMPTY)
        memcpy(note, "...", 4);
    char inst[3] = "..", vol[3] = "..", fx[4] = "...", fx2[4] = "...";
    if (cell.instrument)
        snprintf(inst, sizeof inst, "%02X", cell.instrument);
    if (cell.volume != VOLUME_EMPTY)
        snprintf(vol, sizeof vol, "%02X", cell.volume);
    if (cell.fx || cell.fx_param)
        snprintf(fx, sizeof fx, "%c%02X", cell.fx ? cell.fx : '.', cell.fx_param);
    if (cell.fx2 || cell.fx2_param)
        snprintf(fx2, sizeof fx2, "%c%02X", cell.fx2 ? cell.fx2 : '.',
                 cell.fx2_param);
    snprintf(out, CELL_W + 1, "%s %s %s %s %s", note, inst, vol, fx, fx2);
}

/* Colour role of each character of a cell's text. */
static UiColor char_role(const char *text, int i)
{
    if (text[i] == ' ')
        return UI_C_NORMAL;
    if (text[i] == '.')
        return UI_C_EMPTY;
    if (i < 3)
        return UI_C_NOTE;
    if (i < 6)
        return UI_C_INST;
    if (i < 9)
        return UI_C_VOL;
    return UI_C_FX;
}

static void draw_cell(UiApp *app, const Pattern *p, int y, int x, int row,
                      int ch)
{
    const Editor *ed = app->ed;
    char text[CELL_W + 1];
    cell_text(song_pattern_get(p, row, ch), text);
    bool selected = in_selection(&ed->selection, row, ch);
    bool muted = edit_strip_get(app->song, ch, EDIT_STRIP_MUTE);
    int cur_x = -1, cur_w = 0;
    if (row == ed->cursor.row && ch == ed->cursor.channel) {
        cur_x = COLUMN_SPAN[ed->cursor.column].x;
        cur_w = COLUMN_SPAN[ed->cursor.column].w;
    }
    /* Runs of one attribute are written together: fewer attribute
     * changes, fewer bytes. */
    int i = 0;
    while (i < CELL_W) {
        attr_t a;
        int j = i;
        bool cursor_here = i >= cur_x && i < cur_x + cur_w;
        if (cursor_here) {
            a = ui_attr(UI_C_CURSOR);
            j = cur_x + cur_w;
        } else {
            UiColor role = selected ? UI_C_SELECT
                           : muted  ? UI_C_MUTED
                                    : char_role(text, i);
            a = ui_attr(role);
            while (j < CELL_W && !(j >= cur_x && j < cur_x + cur_w) &&
                   (selected || muted ? true : char_role(text, j) == role))
                j++;
        }
        char run[CELL_W + 1];
        memcpy(run, text + i, (size_t)(j - i));
        run[j - i] = 0;
        ui_put(y, x + i, j - i, a, run);
        i = j;
    }
}

static void draw_row(UiApp *app, const Pattern *p, int row, int nch, int nvis)
{
    int y = body_top() + row - view.top;
    draw_rownum(app, row);
    int x = ROWNUM_W;
    attr_t line = ui_attr(UI_C_DIM);
    for (int v = 0; v < nvis; v++) {
        int ch = view.left + v;
        ui_put(y, x, 1, line, ui_glyph(UI_G_VLINE));
        if (ch < nch)
            draw_cell(app, p, y, x + 1, row, ch);
        x += CHANNEL_W;
    }
    ui_put(y, x, 1, line, ui_glyph(UI_G_VLINE));
    if (x + 1 < COLS)
        ui_put(y, x + 1, COLS - x - 1, A_NORMAL, "");
}

/* A few cells of the channel's bus level, -40..0 dBFS; the last one lit
 * means the channel alone is within 8 dB of full scale. */
static void draw_channel_meter(const UiApp *app, int y, int x, int ch)
{
    for (int i = 0; i < UI_CHANNEL_METER_CELLS; i++) {
        bool on = i < app->channel_meter[ch];
        ui_put(y, x + i, 1,
               on ? ui_attr(i == UI_CHANNEL_METER_CELLS - 1 ? UI_C_METER_HOT : UI_C_METER)
                  : ui_attr(UI_C_DIM),
               on ? ui_glyph(UI_G_METER_FULL) : ui_glyph(UI_G_METER_EMPTY));
    }
}

/* A mute or solo changed at the bar and not heard yet, as the header
 * shows it ("MUTE@bar"), or NULL. */
static const char *pending_text(const UiApp *app, int ch, bool muted, bool soloed)
{
    uint64_t bit = UINT64_C(1) << ch;
    bool mute = app->mute_pending & bit, solo = app->solo_pending & bit;
    if (mute && solo)
        return "M+S@bar";
    if (mute)
        return muted ? "MUTE@bar" : "UNMUTE@bar";
    if (solo)
        return soloed ? "SOLO@bar" : "UNSOLO@bar";
    return NULL;
}

static void draw_channel_header(UiApp *app, int nch, int nvis)
{
    int y = UI_HEADER_LINES;
    ui_put(y, 0, ROWNUM_W, ui_attr(UI_C_DIM), view.left > 0 ? "<<<" : "");
    int x = ROWNUM_W;
    for (int v = 0; v < nvis; v++) {
        int ch = view.left + v;
        ui_put(y, x, 1, ui_attr(UI_C_DIM), ui_glyph(UI_G_VLINE));
        char buf[32];
        bool muted = edit_strip_get(app->song, ch, EDIT_STRIP_MUTE);
        bool soloed = edit_strip_get(app->song, ch, EDIT_STRIP_SOLO);
        const char *pending = pending_text(app, ch, muted, soloed);
        UiColor role = muted || soloed || pending        ? UI_C_MUTED
                       : ch == app->ed->cursor.channel ? UI_C_ON
                                                        : UI_C_HEADER;
        if (pending) {
            /* Asked for at the bar: what comes, until it is heard. */
            snprintf(buf, sizeof buf, " Ch %02d %10s", ch + 1, pending);
            ui_put(y, x + 1, CELL_W, ui_attr(role), buf);
        } else if (muted) {
            /* A muted channel is silent: its flags take the meter's room. */
            snprintf(buf, sizeof buf, " Ch %02d %10s", ch + 1,
                     soloed ? "SOLO MUTE" : "MUTE");
            ui_put(y, x + 1, CELL_W, ui_attr(role), buf);
        } else {
            snprintf(buf, sizeof buf, " Ch %02d ", ch + 1);
            ui_put(y, x + 1, 7, ui_attr(role), buf);
            draw_channel_meter(app, y, x + 8, ch);
            ui_put(y, x + 8 + UI_CHANNEL_METER_CELLS, CELL_W - 7 - UI_CHANNEL_METER_CELLS,
                   ui_attr(role), soloed ? " SOLO" : "");
        }
        /* A named channel shows the start of its name where "Ch 01"
         * stands: the mixer has the number and more of the name. */
        const char *name = app->song->strips[ch].name;
        if (name[0])
            ui_put(y, x + 2, HEADER_NAME_W, ui_attr(role), name);
        x += CHANNEL_W;
    }
    ui_put(y, x, 1, ui_attr(UI_C_DIM),
           view.left + nvis < nch ? ">" : ui_glyph(UI_G_VLINE));
    if (x + 1 < COLS)
        ui_put(y, x + 1, COLS - x - 1, A_NORMAL, "");
}

static void draw_empty_slot(UiApp *app)
{
    char keys[64], buf[160];
    keymap_keys_for(&app->keymap, ACT_PATTERN_NEW, keys, sizeof keys);
    snprintf(buf, sizeof buf, "Pattern %02X is empty: %s makes a new pattern.",
             app->ed->cursor.pattern, keys);
    for (int y = UI_HEADER_LINES; y < LINES - 1; y++)
        ui_put(y, 0, COLS, A_NORMAL, y == UI_HEADER_LINES + 2 ? buf : "");
}

static void pattern_draw(UiApp *app, unsigned dirty)
{
    const Pattern *p = edit_current_pattern(app->ed);
    if (!p) {
        draw_empty_slot(app);
        return;
    }
    int old_top = view.top, old_left = view.left;
    scroll_to_cursor(app, p);
    int nch = shown_channels(app, p), nvis = visible_channels(nch);
    int vis = visible_rows();
    int last = view.top + vis < p->rows ? view.top + vis : p->rows;
    bool full = (dirty & (UI_DIRTY_BODY | UI_DIRTY_CLEAR)) ||
                old_top != view.top || old_left != view.left;
    int old_play = view.play_row;
    const EngineStatus *st = ui_status(app);
    bool here = atomic_load(&st->playing) &&
                atomic_load(&st->pattern) == app->ed->cursor.pattern;
    view.play_row = here ? atomic_load(&st->row) : -1;
    view.play_pattern = here ? app->ed->cursor.pattern : -1;
    if (!full && app->channel_meters_moved) {
        app->channel_meters_moved = false;
        draw_channel_header(app, nch, nvis);
    }
    if (!full) {
        /* Only the play marker moved: two row numbers, nothing else. */
        if (old_play >= view.top && old_play < last)
            draw_rownum(app, old_play);
        if (view.play_row >= view.top && view.play_row < last)
            draw_rownum(app, view.play_row);
        return;
    }
    app->channel_meters_moved = false;
    draw_channel_header(app, nch, nvis);
    for (int r = view.top; r < last; r++)
        draw_row(app, p, r, nch, nvis);
    for (int y = body_top() + (last - view.top); y < LINES - 1; y++)
        ui_put(y, 0, COLS, A_NORMAL, "");
}

static void pattern_update(UiApp *app)
{
    const EngineStatus *st = ui_status(app);
    bool playing = atomic_load(&st->playing);
    int order = atomic_load(&st->order), pattern = atomic_load(&st->pattern),
        row = atomic_load(&st->row);
    bool moved = playing != view.seen_playing || order != view.seen_order ||
                 pattern != view.seen_pattern || row != view.seen_row;
    if (!moved)
        return;
    view.seen_playing = playing;
    view.seen_order = order;
    view.seen_pattern = pattern;
    view.seen_row = row;
    Editor *ed = app->ed;
    if (playing && app->follow) {
        if (pattern != ed->cursor.pattern) {
            edit_pattern_goto(ed, pattern);
            app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
        }
        /* A pattern looped outside the list is at no entry of it. */
        if (order != ed->order_pos && !atomic_load(&st->looped)) {
            edit_order_goto(ed, order);
            app->dirty |= UI_DIRTY_HEADER;
        }
        if (ed->cursor.row != row) {
            edit_cursor_goto_row(ed, row);
            app->dirty |= UI_DIRTY_BODY;
        }
    }
    bool here = playing && pattern == ed->cursor.pattern;
    int want = here ? row : -1;
    if (want != view.play_row)
        app->dirty |= UI_DIRTY_PLAYROW;
}

static void pattern_enter(UiApp *app)
{
    view.play_row = -1;
}

/* ---- keys ---- */

static void length_done(UiApp *app, const char *text)
{
    char *end;
    long rows = strtol(text, &end, 10);
    while (*end == ' ')
        end++;
    if (end == text || *end || rows < 1 || rows > SONG_MAX_ROWS) {
        ui_set_message(app, true, "pattern length must be 1..%d", SONG_MAX_ROWS);
        return;
    }
    if (ui_report(app, edit_pattern_set_length(app->ed, (int)rows),
                  "pattern length") == HISS_OK)
        ui_set_message(app, false, "pattern %02X has %ld rows",
                       app->ed->cursor.pattern, rows);
}

static bool whole_channel_selected(const Editor *ed, const Pattern *p)
{
    const EditSelection *s = &ed->selection;
    return s->active && s->row_begin == 0 && s->row_end >= p->rows - 1 &&
           s->channel_begin == ed->cursor.channel &&
           s->channel_end == ed->cursor.channel;
}

static void extend_selection(Editor *ed, void (*step)(Editor *))
{
    if (!ed->selection.active || !ed->mark_set)
        edit_mark_begin(ed);
    step(ed);
    edit_mark_end(ed);
}

static EditField field_at_cursor(const Editor *ed)
{
    switch (ed->cursor.column) {
    case EDIT_COL_FX:
    case EDIT_COL_FX_PARAM_HI:
    case EDIT_COL_FX_PARAM_LO:
        return EDIT_FIELD_FX;
    case EDIT_COL_FX2:
    case EDIT_COL_FX2_PARAM_HI:
    case EDIT_COL_FX2_PARAM_LO:
        return EDIT_FIELD_FX2;
    default:
        return EDIT_FIELD_VOLUME;
    }
}

/* Mutes or solos the cursor's channel, or undoes that: the song's flag,
 * the one the mixer's M and S show, saved and undoable. At the bar, the
 * playing engine keeps the old flag until the next bar starts. */
void ui_pattern_toggle_flag(UiApp *app, int ch, EditStripField flag, bool at_bar)
{
    bool solo = flag == EDIT_STRIP_SOLO;
    /* Pressed again before the bar, the change is called off. */
    bool was_pending = ((solo ? app->solo_pending : app->mute_pending) >> ch) & 1;
    HissError err = perform_toggle_flag(&app->perform, ch, flag, at_bar);
    if (err == HISS_OK && at_bar && ui_is_playing(app))
        ui_expect_pending(app, ch, solo, !was_pending);
    if (err != HISS_ERR_RANGE)
        ui_report(app, err, flag == EDIT_STRIP_SOLO ? "solo" : "mute");
    app->dirty |= UI_DIRTY_HEADER | UI_DIRTY_BODY;
}

void ui_pattern_tap(UiApp *app)
{
    perform_tap(&app->perform, &app->perform.key_tap, hiss_now_seconds());
    app->dirty |= UI_DIRTY_HEADER;
}

static bool entering(const Editor *ed)
{
    return ed->edit_mode && !ed->jam_mode;
}

/* The volume column holds 00-40: a digit that makes more is written as
 * 40, and the status line says so rather than change it silently. */
static void say_volume_capped(UiApp *app, Cell was, int column, int key)
{
    int digit = hiss_hex_digit(key);
    bool high = column == EDIT_COL_VOLUME_HI;
    if (digit < 0 || (!high && column != EDIT_COL_VOLUME_LO))
        return;
    int v = was.volume == VOLUME_EMPTY ? 0 : was.volume;
    v = high ? (v & 0x0F) | digit << 4 : (v & 0xF0) | digit;
    if (v > VOLUME_MAX)
        ui_set_message(app, true, "volume %02X is over the top (%02X): wrote %02X",
                       v, VOLUME_MAX, VOLUME_MAX);
}

/* The name of a block action that changes the pattern, NULL for others. */
static const char *block_change_name(KeymapAction act)
{
    switch (act) {
    case ACT_CUT: return "cut";
    case ACT_PASTE: return "paste";
    case ACT_MIX_PASTE: return "mix-paste";
    case ACT_TRANSPOSE_UP:
    case ACT_TRANSPOSE_DOWN:
    case ACT_TRANSPOSE_OCT_UP:
    case ACT_TRANSPOSE_OCT_DOWN: return "transpose";
    case ACT_INTERPOLATE: return "interpolate";
    case ACT_SET_INSTRUMENT: return "set instrument";
    default: return NULL;
    }
}

/* The note just written at `at`: why it plays nothing, if it does. */
static void say_note_silent(UiApp *app, EditCursor at)
{
    const Pattern *p = song_pattern(app->song, at.pattern);
    if (p && at.row < p->rows && at.channel < p->channels)
        ui_say_if_silent(app, song_pattern_get(p, at.row, at.channel));
}

static bool pattern_handle(UiApp *app, int key, KeymapAction act)
{
    Editor *ed = app->ed;
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    /* Typing in the number and effect columns comes before the key table:
     * there a digit is a digit, not a note. */
    if (entering(ed) && ed->cursor.column != EDIT_COL_NOTE && key > 32 &&
        key < 127) {
        int column = ed->cursor.column;
        const Pattern *before = edit_current_pattern(ed);
        Cell was = before ? song_pattern_get(before, ed->cursor.row,
                                             ed->cursor.channel)
                          : song_cell_empty();
        HissError err = edit_type_char(ed, key);
        if (err == HISS_OK) {
            say_volume_capped(app, was, column, key);
            return true;
        }
        if (err != HISS_ERR_RANGE) {
            ui_report(app, err, "type");
            return true;
        }
    }
    if (act >= ACT_NOTE_C0 && act <= ACT_NOTE_E2) {
        int offset = (int)(act - ACT_NOTE_C0);
        int note = edit_note_for_offset(ed, offset);
        if (note && ui_record_key(app, note))
            return true;
        ui_preview_note(app, 0, note);
        if (entering(ed) && ed->cursor.column == EDIT_COL_NOTE) {
            EditCursor at = ed->cursor;
            if (ui_report(app, edit_note_from_key_offset(ed, offset), "note") == HISS_OK)
                say_note_silent(app, at);
        }
        return true;
    }
    /* Block edits obey edit mode like typing does: Esc then a key sent
     * together reads as Alt+key, and must not cut with edit mode off. */
    const char *change = block_change_name(act);
    if (change && !ed->edit_mode) {
        ui_report(app, HISS_ERR_BUSY, change);
        return true;
    }
    const Pattern *p = edit_current_pattern(ed);
    switch (act) {
    case ACT_NOTE_OFF:
        if (ui_record_key(app, NOTE_OFF))
            return true;
        if (entering(ed))
            ui_report(app, edit_note_off(ed), "note-off");
        return true;
    case ACT_NOTE_CUT:
        if (ui_record_key(app, NOTE_CUT))
            return true;
        if (entering(ed))
            ui_report(app, edit_note_cut(ed), "note-cut");
        return true;
    case ACT_CLEAR_FIELD:
        ui_report(app, edit_delete_field(ed), "clear");
        return true;
    case ACT_CLEAR_CELL:
        if (ed->selection.active)
            ui_report(app, edit_block_clear(ed), "clear block");
        else
            ui_report(app, edit_delete_cell(ed), "clear");
        return true;
    case ACT_INSERT_ROW:
        ui_report(app, edit_insert_row(ed, false), "insert row");
        return true;
    case ACT_DELETE_ROW:
        ui_report(app, edit_delete_row(ed, false), "delete row");
        return true;
    case ACT_UP:
        edit_cursor_up(ed);
        return true;
    case ACT_DOWN:
        edit_cursor_down(ed);
        return true;
    case ACT_LEFT:
        edit_cursor_left(ed);
        return true;
    case ACT_RIGHT:
        edit_cursor_right(ed);
        return true;
    case ACT_PAGE_UP:
        edit_cursor_page_up(ed);
        return true;
    case ACT_PAGE_DOWN:
        edit_cursor_page_down(ed);
        return true;
    case ACT_HOME:
        edit_cursor_home(ed);
        return true;
    case ACT_END:
        edit_cursor_end(ed);
        return true;
    case ACT_NEXT_FIELD:
        edit_cursor_next_channel(ed);
        return true;
    case ACT_PREV_FIELD:
        edit_cursor_prev_channel(ed);
        return true;
    case ACT_STEP_DOWN:
        edit_set_step(ed, ed->step - 1);
        return true;
    case ACT_STEP_UP:
        edit_set_step(ed, ed->step + 1);
        return true;
    case ACT_EDIT_TOGGLE:
        edit_toggle_edit_mode(ed);
        return true;
    case ACT_JAM_TOGGLE:
        edit_toggle_jam_mode(ed);
        return true;
    case ACT_FOLLOW_TOGGLE:
        app->follow = !app->follow;
        return true;
    case ACT_RECORD_TOGGLE:
        ui_record_toggle(app);
        return true;
    case ACT_QUANTIZE:
        ui_record_cycle_quantize(app);
        return true;
    case ACT_RECORD_FEEL:
        ui_record_toggle_feel(app);
        return true;
    case ACT_RECORD_REPLACE:
        ui_record_toggle_replace(app);
        return true;
    case ACT_TAP_TEMPO:
        ui_pattern_tap(app);
        return true;
    case ACT_TEMPO_UP:
    case ACT_TEMPO_DOWN:
        ui_set_tempo(app, atomic_load(&app->song->bpm_tenths) +
                              (act == ACT_TEMPO_UP ? 10 : -10));
        return true;
    case ACT_TEMPO_UP_FINE:
    case ACT_TEMPO_DOWN_FINE:
        ui_set_tempo(app, atomic_load(&app->song->bpm_tenths) +
                              (act == ACT_TEMPO_UP_FINE ? 1 : -1));
        return true;
    case ACT_MUTE_AT_BAR:
    case ACT_SOLO_AT_BAR: {
        ui_pattern_toggle_flag(app, ed->cursor.channel,
                               act == ACT_SOLO_AT_BAR ? EDIT_STRIP_SOLO : EDIT_STRIP_MUTE, true);
        return true;
    }
    case ACT_LOOP_ROWS: {
        const EngineStatus *st = ui_status(app);
        int r0, c0, r1, c1;
        if (atomic_load(&st->loop_first) >= 0 || !ed->selection.active ||
            !edit_block_range(ed, &r0, &c0, &r1, &c1)) {
            session_loop_rows(app->session, -1, -1);
            ui_set_message(app, false, "row loop off%s",
                           ed->selection.active ? "" : " (select rows to loop them)");
        } else {
            session_loop_rows(app->session, r0, r1);
            ui_set_message(app, false, "looping rows %03d-%03d", r0, r1);
        }
        return true;
    }
    case ACT_PATTERN_CUE: {
        int pat = ed->cursor.pattern;
        if (!ui_is_playing(app)) {
            ui_set_message(app, false, "a cue waits for the playing song: play first");
        } else if (atomic_load(&ui_status(app)->cue_pattern) == pat) {
            ui_send(app, ENGINE_CMD_CUE, -1, 0, 0, NULL);
            ui_set_message(app, false, "cue of pattern %02X cancelled", pat);
        } else {
            ui_send(app, ENGINE_CMD_CUE, pat, app->cue_at, 1, NULL);
            ui_set_message(app, false, "cued pattern %02X: loops from %s", pat,
                           ui_cue_at_name(app->cue_at));
        }
        app->dirty |= UI_DIRTY_HEADER;
        return true;
    }
    case ACT_GROOVE_TEMPLATE:
        ui_groove_next_template(app);
        return true;
    case ACT_GROOVE_EDIT:
        ui_groove_prompt(app);
        return true;
    case ACT_JAM_CAPTURE:
        ui_record_capture_jam(app);
        return true;
    case ACT_PERFORMANCE_CAPTURE:
        ui_record_toggle_capture(app);
        return true;
    case ACT_CHANNEL_NAME:
        ui_mixer_rename_channel(app, ed->cursor.channel);
        return true;
    case ACT_MUTE_TOGGLE:
        ui_pattern_toggle_flag(app, ed->cursor.channel, EDIT_STRIP_MUTE, false);
        return true;
    case ACT_SOLO_TOGGLE:
        ui_pattern_toggle_flag(app, ed->cursor.channel, EDIT_STRIP_SOLO, false);
        return true;
    case ACT_INSTRUMENT_PREV:
        edit_set_instrument_current(ed, ed->instrument - 1);
        return true;
    case ACT_INSTRUMENT_NEXT:
        edit_set_instrument_current(ed, ed->instrument + 1);
        return true;
    case ACT_PATTERN_PREV:
    case ACT_PATTERN_NEXT:
        /* Following, the view goes back to the playing pattern at the next
         * row: moving would look like a dead key. Follow stays as the
         * player left it; the message says how to get another pattern. */
        if (following(app)) {
            char key[32];
            ui_first_key(app, ACT_FOLLOW_TOGGLE, key, sizeof key);
            ui_set_message(app, false,
                           "follow is on: %s turns it off to pick another pattern to cue",
                           key);
        } else if (act == ACT_PATTERN_PREV) {
            edit_pattern_prev(ed);
        } else {
            edit_pattern_next(ed);
        }
        return true;
    case ACT_PATTERN_NEW:
        if (ui_report(app, edit_pattern_new(ed), "new pattern") == HISS_OK)
            ui_set_message(app, false, "new pattern %02X (add it in the order list)",
                           ed->cursor.pattern);
        return true;
    case ACT_PATTERN_CLONE:
        if (ui_report(app, edit_pattern_clone(ed), "clone pattern") == HISS_OK)
            ui_set_message(app, false, "pattern copied to %02X", ed->cursor.pattern);
        return true;
    case ACT_PATTERN_LENGTH: {
        char now[16];
        snprintf(now, sizeof now, "%d", p ? p->rows : 64);
        ui_prompt(app, "Rows in this pattern (1-256)", now, length_done);
        return true;
    }
    case ACT_MARK_BEGIN:
        edit_mark_begin(ed);
        edit_mark_end(ed);
        return true;
    case ACT_MARK_END:
        edit_mark_end(ed);
        return true;
    case ACT_MARK_CHANNEL:
        if (p && whole_channel_selected(ed, p))
            edit_mark_pattern(ed);
        else
            edit_mark_channel(ed);
        return true;
    case ACT_UNMARK:
        edit_mark_clear(ed);
        return true;
    case ACT_SELECT_UP:
        extend_selection(ed, edit_cursor_up);
        return true;
    case ACT_SELECT_DOWN:
        extend_selection(ed, edit_cursor_down);
        return true;
    case ACT_SELECT_LEFT:
        extend_selection(ed, edit_cursor_prev_channel);
        return true;
    case ACT_SELECT_RIGHT:
        extend_selection(ed, edit_cursor_next_channel);
        return true;
    case ACT_COPY:
        if (ui_report(app, edit_block_copy(ed), "copy") == HISS_OK)
            ui_set_message(app, false, "copied %dx%d", ed->clipboard.rows,
                           ed->clipboard.channels);
        return true;
    case ACT_CUT:
        ui_report(app, edit_block_cut(ed), "cut");
        return true;
    case ACT_PASTE:
        ui_report(app, edit_block_paste(ed), "paste");
        return true;
    case ACT_MIX_PASTE:
        ui_report(app, edit_block_mix_paste(ed), "mix-paste");
        return true;
    case ACT_TRANSPOSE_UP:
        ui_report(app, edit_block_transpose(ed, 1), "transpose");
        return true;
    case ACT_TRANSPOSE_DOWN:
        ui_report(app, edit_block_transpose(ed, -1), "transpose");
        return true;
    case ACT_TRANSPOSE_OCT_UP:
        ui_report(app, edit_block_transpose(ed, 12), "transpose");
        return true;
    case ACT_TRANSPOSE_OCT_DOWN:
        ui_report(app, edit_block_transpose(ed, -12), "transpose");
        return true;
    case ACT_INTERPOLATE:
        ui_report(app, edit_block_interpolate(ed, field_at_cursor(ed)),
                  "interpolate (needs values at both ends)");
        return true;
    case ACT_SET_INSTRUMENT:
        ui_report(app, edit_block_set_instrument(ed), "set instrument");
        return true;
    default:
        return false;
    }
}

const UiPage ui_pattern_page = {
    .title = "PATTERN",
    .ctx = KEYMAP_CTX_PATTERN,
    .enter = pattern_enter,
    .draw = pattern_draw,
    .update = pattern_update,
    .handle = pattern_handle,
};
