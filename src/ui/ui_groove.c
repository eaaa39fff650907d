/* ui_groove: a channel's groove from the pattern screen; see ui_groove.h. */
#include "ui_groove.h"

#include <stdio.h>
#include <string.h>

/* The MPC's swing settings. */
static const int TEMPLATES[] = {50, 54, 58, 62, 66, 71, 75};

static void describe(UiApp *app, int c)
{
    int g[SONG_GROOVE_PARAMS];
    song_channel_groove(app->song, c, g);
    ui_set_message(app, false,
                   "channel %d groove: swing %d%% on %dths, humanize %d ms, level +-%d%% (%s)",
                   c + 1, g[SONG_GROOVE_SWING], g[SONG_GROOVE_GRID], g[SONG_GROOVE_HUMAN_MS],
                   g[SONG_GROOVE_HUMAN_VEL],
                   atomic_load(&app->song->strips[c].groove_own) ? "its own" : "the song's");
    app->dirty |= UI_DIRTY_BODY | UI_DIRTY_HEADER;
}

void ui_groove_next_template(UiApp *app)
{
    int c = app->ed->cursor.channel;
    if (c < 0 || c >= SONG_MAX_CHANNELS)
        return;
    HissError err;
    if (!atomic_load(&app->song->strips[c].groove_own)) {
        err = edit_groove_set(app->ed, c, SONG_GROOVE_SWING, TEMPLATES[0]);
    } else {
        int swing = atomic_load(&app->song->strips[c].groove[SONG_GROOVE_SWING]);
        size_t i = 0;
        while (i < HISS_ARRAY_LEN(TEMPLATES) && TEMPLATES[i] <= swing)
            i++;
        err = i < HISS_ARRAY_LEN(TEMPLATES)
                  ? edit_groove_set(app->ed, c, SONG_GROOVE_SWING, TEMPLATES[i])
                  : edit_groove_follow_song(app->ed, c);
    }
    if (ui_report(app, err, "groove") == HISS_OK)
        describe(app, c);
}

static void groove_typed(UiApp *app, const char *text)
{
    int c = app->ed->cursor.channel;
    if (c < 0 || c >= SONG_MAX_CHANNELS)
        return;
    while (*text == ' ')
        text++;
    if (!strncmp(text, "song", 4) && strspn(text + 4, " ") == strlen(text + 4)) {
        if (ui_report(app, edit_groove_follow_song(app->ed, c), "groove") == HISS_OK)
            describe(app, c);
        return;
    }
    int v[SONG_GROOVE_PARAMS], used = 0;
    char extra;
    int n = sscanf(text, "%d %d %d %d %c%n", &v[0], &v[1], &v[2], &v[3], &extra, &used);
    if (n != SONG_GROOVE_PARAMS) {
        ui_set_message(app, true, "groove: want swing grid ms level (e.g. 58 16 10 20) "
                                  "or 'song', not '%s'", text);
        return;
    }
    for (int f = 0; f < SONG_GROOVE_PARAMS; f++) {
        const SongParamInfo *info = &song_groove_params[f];
        if (v[f] < info->min || v[f] > info->max ||
            (f == SONG_GROOVE_GRID && v[f] != 8 && v[f] != 16)) {
            char range[32] = "8 or 16";
            if (f != SONG_GROOVE_GRID)
                snprintf(range, sizeof range, "%d..%d", info->min, info->max);
            ui_set_message(app, true, "groove: %s %d is out of range (%s)", info->name, v[f],
                           range);
            return;
        }
    }
    if (ui_report(app, edit_groove_set_all(app->ed, c, v), "groove") != HISS_OK)
        return;
    describe(app, c);
}

void ui_groove_prompt(UiApp *app)
{
    int c = app->ed->cursor.channel;
    if (c < 0 || c >= SONG_MAX_CHANNELS)
        return;
    int g[SONG_GROOVE_PARAMS];
    song_channel_groove(app->song, c, g);
    char now[48], label[96];
    snprintf(now, sizeof now, "%d %d %d %d", g[0], g[1], g[2], g[3]);
    snprintf(label, sizeof label, "Channel %d groove: swing grid ms level, or song", c + 1);
    ui_prompt(app, label, now, groove_typed);
}
