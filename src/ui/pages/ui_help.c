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

enum { HELP_MAX_LINES = ACT_COUNT + UI_MAX_RC_ERRORS + 16 };

static int build(UiApp *app, HelpLine *lines)
{
    int n = 0;
    const UiPage *from = app->pages[app->help_from];
    KeymapContext ctxs[2] = {from->ctx, KEYMAP_CTX_GLOBAL};
    int nctx = from->ctx == KEYMAP_CTX_GLOBAL ? 1 : 2;
    for (int c = 0; c < nctx; c++) {
        snprintf(lines[n].text, sizeof lines[n].text, "%s",
                 c == 0 && nctx == 2 ? "Keys of this screen" : "Keys everywhere");
        if (c == 0 && nctx == 2) {
            snprintf(lines[n].text, sizeof lines[n].text, "Keys of the %s screen",
                     from->title);
        }
        lines[n++].role = UI_C_BAR;
        for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
            if (keymap_action_context((KeymapAction)a) != ctxs[c])
                continue;
            char keys[96];
            if (!keymap_keys_for(&app->keymap, (KeymapAction)a, keys, sizeof keys))
                snprintf(keys, sizeof keys, "(unbound)");
            snprintf(lines[n].text, sizeof lines[n].text, "  %-14s %-19s %s", keys,
                     keymap_action_name((KeymapAction)a),
                     keymap_action_description((KeymapAction)a));
            lines[n++].role = UI_C_NORMAL;
        }
        lines[n].text[0] = 0;
        lines[n++].role = UI_C_NORMAL;
    }
    snprintf(lines[n].text, sizeof lines[n].text,
             "Change keys in $XDG_CONFIG_HOME/hiss/hissrc: bind KEY ACTION");
    lines[n++].role = UI_C_DIM;
    for (int i = 0; i < app->rc_error_count && i < UI_MAX_RC_ERRORS; i++) {
        snprintf(lines[n].text, sizeof lines[n].text, "  %s", app->rc_errors[i].text);
        lines[n++].role = UI_C_ERROR;
    }
    return n;
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
    int n = build(app, lines);
    int vis = body_rows();
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
        ui_put(LINES - 2, COLS - (int)strlen(more), (int)strlen(more),
               ui_attr(UI_C_BADGE), more);
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
