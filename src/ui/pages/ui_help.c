/* ui_help: every key of the screen the user came from, generated from the
 * key table, so rebound keys show as they are. */
#include <stdio.h>
#include <string.h>

#include "ui_app.h"
#include "ui_draw.h"

static int help_scroll;

typedef struct {
    char text[256];
    UiColor role;
} HelpLine;

/* Every action on up to three lines (descriptions wrap), the headings, the
 * header's legend, the hissrc errors and the latest messages. */
enum {
    HELP_MAX_LINES = 3 * ACT_COUNT + 2 * UI_MAX_RC_ERRORS + MIDILEARN_MAX +
                     4 * UI_MESSAGE_LOG + 32
};

typedef struct {
    HelpLine *lines;
    int n;
    int width; /* the columns a line may take: never the last one, so no
                  word ends flush with the edge, where it reads as cut */
} HelpText;

/* Adds `text` after `lead` (which takes the first line's start), wrapped
 * between words; continuation lines start at column `indent`. */
static void add(HelpText *h, UiColor role, const char *lead, int indent,
                const char *text)
{
    int lead_w = ui_text_width(lead);
    if (lead_w > h->width - 16) {
        /* A long key list: the text goes on the lines below. */
        if (h->n < HELP_MAX_LINES) {
            ui_copy(h->lines[h->n].text, sizeof h->lines[h->n].text, lead);
            h->lines[h->n++].role = role;
        }
        lead = "";
        lead_w = 0;
    }
    const char *rest = text;
    bool first = true;
    do {
        int start = first ? lead_w : indent;
        int room = h->width - start;
        if (room < 8)
            room = 8;
        size_t next, len = ui_wrap_line(rest, room, &next);
        if (h->n < HELP_MAX_LINES) {
            HelpLine *l = &h->lines[h->n++];
            snprintf(l->text, sizeof l->text, "%s%*s%.*s", first ? lead : "",
                     first ? 0 : indent, "", (int)len, rest);
            l->role = role;
        }
        rest += next;
        first = false;
    } while (*rest);
}

static int build(UiApp *app, HelpLine *lines, int width)
{
    HelpText h = {lines, 0, width};
    /* First, since the status line cuts a long message: the latest ones
     * whole. */
    if (app->message_log_count) {
        add(&h, UI_C_BAR, "", 0, "Messages, the latest first");
        int shown = app->message_log_count < UI_MESSAGE_LOG ? app->message_log_count
                                                            : UI_MESSAGE_LOG;
        for (int i = 1; i <= shown; i++) {
            int at = (app->message_log_count - i) % UI_MESSAGE_LOG;
            add(&h, app->message_log[at].error ? UI_C_ERROR : UI_C_NORMAL, "  ", 4,
                app->message_log[at].text);
        }
        add(&h, UI_C_NORMAL, "", 0, "");
    }
    const UiPage *from = app->pages[app->help_from];
    KeymapContext ctxs[2] = {from->ctx, KEYMAP_CTX_GLOBAL};
    int nctx = from->ctx == KEYMAP_CTX_GLOBAL ? 1 : 2;
    for (int c = 0; c < nctx; c++) {
        char title[64];
        if (c == 0 && nctx == 2)
            snprintf(title, sizeof title, "Keys of the %s screen", from->title);
        else
            snprintf(title, sizeof title, "Keys everywhere");
        add(&h, UI_C_BAR, "", 0, title);
        for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
            if (keymap_action_context((KeymapAction)a) != ctxs[c])
                continue;
            char keys[96], lead[160];
            if (!keymap_keys_for(&app->keymap, (KeymapAction)a, keys, sizeof keys))
                snprintf(keys, sizeof keys, "(unbound)");
            snprintf(lead, sizeof lead, "  %-14s %-19s ", keys,
                     keymap_action_name((KeymapAction)a));
            add(&h, UI_C_NORMAL, lead, 37,
                keymap_action_description((KeymapAction)a));
        }
        if (c == 0 && from->keys_note) {
            char note[1024];
            from->keys_note(app, note, sizeof note);
            add(&h, UI_C_NORMAL, "  ", 2, note);
        }
        add(&h, UI_C_NORMAL, "", 0, "");
    }
    add(&h, UI_C_BAR, "", 0, "The header");
    add(&h, UI_C_NORMAL, "  ", 2,
        "The song's file and title ([+]: unsaved changes), the play position "
        "(order:pattern:row) and clock, tempo, and the audio: JACK, ALSA or "
        "null.");
    add(&h, UI_C_NORMAL, "  xr N    ", 10,
        "periods the JACK server or the ALSA device missed (xruns, "
        "underruns): the sound dropped out N times.");
    add(&h, UI_C_NORMAL, "  late N  ", 10,
        "on the null clock: periods that took longer to render than they "
        "last, so the engine could not keep up in real time. A late wake-up "
        "on a busy machine is not counted.");
    add(&h, UI_C_NORMAL, "", 0, "");
    add(&h, UI_C_DIM, "", 0,
        "Change keys in $XDG_CONFIG_HOME/hiss/hissrc: bind KEY ACTION");
    for (int i = 0; i < app->rc_error_count && i < UI_MAX_RC_ERRORS; i++)
        add(&h, UI_C_ERROR, "  ", 4, app->rc_errors[i].text);
    const MidiLearn *ml = &app->keymap.midi_learn;
    add(&h, UI_C_NORMAL, "", 0, "");
    add(&h, UI_C_BAR, "", 0, ml->count ? "MIDI bindings" : "MIDI bindings: none");
    add(&h, UI_C_DIM, "", 0,
        "M-L: learn (do an action, play a note or move a controller); a bound note or "
        "controller in learn mode, then Delete: remove it");
    for (int i = 0; i < ml->count; i++) {
        char line[MIDILEARN_LINE_MAX];
        midilearn_line(&ml->bindings[i], line, sizeof line);
        add(&h, UI_C_NORMAL, "  ", 4, line);
    }
    return h.n;
}

static void help_enter(UiApp *app)
{
    (void)app;
    help_scroll = 0;
}

static int body_rows(void) { return LINES - 1 - UI_HEADER_LINES; }

static void help_draw(UiApp *app, unsigned dirty)
{
    (void)dirty;
    static HelpLine lines[HELP_MAX_LINES];
    int n = build(app, lines, COLS - 1);
    int vis = body_rows();
    /* When it does not fit, the last row says where the view is, on its
     * own so it covers no text. */
    if (n > vis)
        vis--;
    help_scroll = hiss_clampi(help_scroll, 0, n > vis ? n - vis : 0);
    for (int i = 0; i < vis; i++) {
        int idx = help_scroll + i;
        int y = UI_HEADER_LINES + i;
        if (idx < n)
            ui_put(y, 0, COLS, ui_attr(lines[idx].role), lines[idx].text);
        else
            ui_put(y, 0, COLS, A_NORMAL, "");
    }
    if (n > vis) {
        char more[32];
        snprintf(more, sizeof more, " %d/%d ", help_scroll + vis < n ? help_scroll + vis : n, n);
        int w = (int)strlen(more);
        ui_put(LINES - 2, 0, COLS - w - 1, A_NORMAL, "");
        ui_put(LINES - 2, COLS - w - 1, w, ui_attr(UI_C_BADGE), more);
        ui_put(LINES - 2, COLS - 1, 1, A_NORMAL, "");
    }
}

static bool help_handle(UiApp *app, int key, KeymapAction act)
{
    (void)key;
    int page = body_rows() - 1;
    app->dirty |= UI_DIRTY_BODY;
    switch (act) {
    case ACT_UP: help_scroll--; return true;
    case ACT_DOWN: help_scroll++; return true;
    case ACT_PAGE_UP: help_scroll -= page; return true;
    case ACT_PAGE_DOWN: help_scroll += page; return true;
    case ACT_HOME: help_scroll = 0; return true;
    case ACT_END: help_scroll = HELP_MAX_LINES; return true;
    case ACT_BACK:
    case ACT_HELP:
    case ACT_SELECT:
        ui_show_page(app, app->help_from);
        return true;
    default:
        return false;
    }
}

const UiPage ui_help_page = {
    .title = "HELP",
    .ctx = KEYMAP_CTX_HELP,
    .enter = help_enter,
    .draw = help_draw,
    .update = NULL,
    .handle = help_handle,
};
