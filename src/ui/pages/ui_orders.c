/* ui_orders: the order list, the song's sequence of patterns. */
#include <stdio.h>

#include "ui_app.h"
#include "ui_draw.h"

static int top;
static int hint_lines = 1; /* the key hint wraps on a narrow screen */

static int list_top(void) { return UI_HEADER_LINES + hint_lines + 1; }
static int list_rows(void) { return LINES - 1 - list_top(); }

static void orders_draw(UiApp *app, unsigned dirty)
{
    Editor *ed = app->ed;
    Song *song = app->song;
    int count = atomic_load(&song->order_count);
    const EngineStatus *st = ui_status(app);
    /* A pattern looped outside the list plays no entry. */
    int playing_order = atomic_load(&st->playing) && !atomic_load(&st->looped)
                            ? atomic_load(&st->order) : -1;
    int cued = atomic_load(&st->cue);
    int vis = list_rows();
    /* The position after the last entry is where an insert appends. */
    int pos = hiss_clampi(ed->order_pos, 0, count);
    if (pos < top)
        top = pos;
    if (pos >= top + vis)
        top = pos - vis + 1;
    if (top < 0)
        top = 0;

    char keys[6][48], buf[400];
    ui_first_key(app, ACT_ORDER_INSERT, keys[0], sizeof keys[0]);
    ui_first_key(app, ACT_ORDER_DELETE, keys[1], sizeof keys[1]);
    ui_first_key(app, ACT_ORDER_DUPLICATE, keys[2], sizeof keys[2]);
    ui_first_key(app, ACT_ORDER_NEXT_PATTERN, keys[3], sizeof keys[3]);
    ui_first_key(app, ACT_ORDER_PREV_PATTERN, keys[4], sizeof keys[4]);
    ui_first_key(app, ACT_SELECT, keys[5], sizeof keys[5]);
    snprintf(buf, sizeof buf, "Orders: %d entr%s.  %s insert  %s delete  "
             "%s duplicate the pattern  %s/%s pattern  %s edit",
             count, count == 1 ? "y" : "ies", keys[0], keys[1], keys[2], keys[3],
             keys[4], keys[5]);
    int lines = ui_wrap_count(buf, COLS) > 1 ? 2 : 1;
    if (lines != hint_lines) {
        hint_lines = lines;
        vis = list_rows();
    }
    ui_put_wrapped(UI_HEADER_LINES, 0, COLS, hint_lines, ui_attr(UI_C_HEADER), buf);
    ui_put(UI_HEADER_LINES + hint_lines, 0, COLS, ui_attr(UI_C_DIM),
           " Pos  Pattern  Rows");
    for (int i = 0; i < vis; i++) {
        int idx = top + i;
        int y = list_top() + i;
        if (idx > count) {
            ui_put(y, 0, COLS, A_NORMAL, "");
            continue;
        }
        if (idx == count) {
            ui_put(y, 0, COLS, idx == pos ? ui_attr(UI_C_FOCUS) : ui_attr(UI_C_DIM),
                   "  --  (end of song)");
            continue;
        }
        int pat = atomic_load(&song->orders[idx]);
        const Pattern *p = song_pattern(song, pat);
        char rows[16];
        if (p)
            snprintf(rows, sizeof rows, "%4d", p->rows);
        else
            snprintf(rows, sizeof rows, "empty");
        snprintf(buf, sizeof buf, "%s %02X    %02X     %s%s",
                 idx == playing_order ? ui_glyph(UI_G_PLAY) : " ", idx, pat, rows,
                 idx == cued ? "  CUED" : "");
        attr_t a = idx == pos ? ui_attr(UI_C_FOCUS)
                   : idx == cued ? ui_attr(UI_C_MUTED)
                   : idx == playing_order ? ui_attr(UI_C_ON)
                                          : A_NORMAL;
        ui_put(y, 0, COLS, a, buf);
    }
    (void)dirty;
}

static void orders_update(UiApp *app)
{
    static int seen = -2, cue_seen = -2;
    const EngineStatus *st = ui_status(app);
    int now = atomic_load(&st->playing) && !atomic_load(&st->looped)
                  ? atomic_load(&st->order) : -1;
    int cue = atomic_load(&st->cue);
    if (now != seen || cue != cue_seen) {
        seen = now;
        cue_seen = cue;
        app->dirty |= UI_DIRTY_BODY;
    }
}


/* The next (dir > 0) or previous existing pattern slot after `from`;
 * `from` itself past the last or before the first: it stops there, as
 * every list does, rather than wrap round. */
static int neighbour_pattern(const Song *song, int from, int dir)
{
    for (int s = from + dir; s >= 0 && s < SONG_MAX_PATTERNS; s += dir)
        if (song_pattern(song, s))
            return s;
    return from;
}

static bool orders_handle(UiApp *app, int key, KeymapAction act)
{
    Editor *ed = app->ed;
    Song *song = app->song;
    int count = atomic_load(&song->order_count);
    int pos = ed->order_pos;
    bool on_entry = pos >= 0 && pos < count;
    int pat = on_entry ? atomic_load(&song->orders[pos]) : ed->cursor.pattern;
    int page = list_rows() > 1 ? list_rows() - 1 : 1;
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
    (void)key;
    switch (act) {
    case ACT_UP:
        edit_order_goto(ed, pos - 1);
        return true;
    case ACT_DOWN:
        edit_order_goto(ed, pos + 1);
        return true;
    case ACT_PAGE_UP:
        edit_order_goto(ed, pos - page);
        return true;
    case ACT_PAGE_DOWN:
        edit_order_goto(ed, pos + page);
        return true;
    case ACT_HOME:
        edit_order_goto(ed, 0);
        return true;
    case ACT_END:
        edit_order_goto(ed, count);
        return true;
    case ACT_SELECT:
        if (!on_entry)
            return true;
        if (ui_report(app, edit_pattern_goto(ed, pat), "go to pattern") != HISS_OK)
            return true;
        ui_show_page(app, UI_PAGE_PATTERN);
        /* A pattern chosen while another plays is the one wanted on
         * screen (to edit, or to cue with Q): follow would take the
         * screen straight back to the playing one. */
        int playing = atomic_load(&ui_status(app)->pattern);
        if (app->follow && ui_is_playing(app) && playing != pat) {
            app->follow = false;
            ui_set_message(app, false, "follow off: pattern %02X stays on screen while %02X "
                           "plays (' follows again)", pat, playing);
        }
        return true;
    case ACT_ORDER_INSERT:
        ui_report(app, edit_order_insert(ed, pat), "insert entry");
        return true;
    case ACT_ORDER_DELETE:
        ui_report(app, edit_order_delete(ed), "delete entry");
        return true;
    case ACT_ORDER_DUPLICATE: {
        HissError err;
        if (!on_entry) {
            ui_report(app, HISS_ERR_MISSING, "duplicate the pattern");
        } else if (err = edit_order_duplicate_pattern(ed), err == HISS_ERR_RANGE) {
            ui_set_message(app, true, "duplicate the pattern: no free pattern "
                           "slot, or the order list is full");
        } else if (ui_report(app, err, "duplicate the pattern") == HISS_OK) {
            ui_set_message(app, false, "pattern %02X copied to new pattern %02X "
                           "(entry %02X)", pat, ed->cursor.pattern, ed->order_pos);
        }
        return true;
    }
    case ACT_ORDER_NEXT_PATTERN:
        if (on_entry)
            ui_report(app, edit_order_set(ed, neighbour_pattern(song, pat, 1)),
                      "set pattern");
        return true;
    case ACT_ORDER_PREV_PATTERN:
        if (on_entry)
            ui_report(app, edit_order_set(ed, neighbour_pattern(song, pat, -1)),
                      "set pattern");
        return true;
    case ACT_CUE_AT:
        app->cue_at = (app->cue_at + 1) % ENGINE_CUE_AT_COUNT;
        ui_set_message(app, false, "cues take over at %s", ui_cue_at_name(app->cue_at));
        return true;
    case ACT_ORDER_CUE:
        if (on_entry && ui_is_playing(app) && atomic_load(&ui_status(app)->cue) == pos) {
            session_cue_at(app->session, -1, ENGINE_CUE_PATTERN_END);
            ui_set_message(app, false, "cue of entry %02X cancelled", pos);
        } else if (on_entry && ui_is_playing(app)) {
            session_cue_at(app->session, pos, app->cue_at);
            ui_set_message(app, false, "cued entry %02X: plays at %s", pos,
                           ui_cue_at_name(app->cue_at));
        } else if (!on_entry) {
            ui_set_message(app, false, "cue: the end of the song has no pattern to cue; "
                                       "pick an entry");
        } else {
            ui_set_message(app, false, "cue works while playing");
        }
        return true;
    case ACT_BACK:
        ui_show_page(app, UI_PAGE_PATTERN);
        return true;
    default:
        return false;
    }
}

const UiPage ui_orders_page = {
    .title = "ORDERS",
    .ctx = KEYMAP_CTX_ORDERS,
    .enter = NULL,
    .draw = orders_draw,
    .update = orders_update,
    .handle = orders_handle,
};
