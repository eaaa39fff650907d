/* ui_reference: see ui_reference.h. */
#include "ui_reference.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "session.h"
#include "songio.h"

/* The file the song's reference path names. */
static bool resolve(const UiApp *app, const char *written, char *out, size_t size)
{
    if (written[0] == '/' || !app->path[0]) {
        int n = snprintf(out, size, "%s", written);
        return n >= 0 && (size_t)n < size;
    }
    return songio_resolve(app->path, written, out, size);
}

/* The key that does act, for messages. */
static const char *key_of(const UiApp *app, KeymapAction act, char *buf, size_t size)
{
    ui_first_key(app, act, buf, size);
    return buf;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Loads the file and hands it to the engine; false (with a message) when
 * it cannot be read. */
static bool load(UiApp *app, const char *written)
{
    char file[UI_PATH_MAX + SONG_PATH_MAX];
    if (!resolve(app, written, file, sizeof file)) {
        ui_set_message(app, true, "reference: path too long");
        return false;
    }
    HissDiag diag = {{0}};
    Reference fresh = {0};
    if (reference_load(&fresh, file, &diag) != HISS_OK) {
        ui_set_message(app, true, "reference not loaded: %s", diag.text);
        return false;
    }
    if (app->ab_reference)
        session_listen_reference(app->session, false, 0);
    reference_deinit(&app->reference);
    app->reference = fresh;
    app->ab_reference = false;
    app->reference_measured = false;
    session_set_reference(app->session, app->reference.sample);
    return true;
}

void ui_reference_open(UiApp *app)
{
    ui_reference_close(app);
    char key[32];
    if (app->song->reference[0] && load(app, app->song->reference))
        ui_set_message(app, false, "reference %s loaded: %s for A/B",
                       base_name(app->song->reference),
                       key_of(app, ACT_REFERENCE_TOGGLE, key, sizeof key));
}

/* The song's path to the file typed: absolute as typed, else relative
 * to the song file's directory (from the working one) when it has one. */
static bool song_path_for(const UiApp *app, const char *typed, char *out, size_t size)
{
    if (typed[0] == '/' || !app->path[0]) {
        char real[PATH_MAX];
        int n = snprintf(out, size, "%s", realpath(typed, real) ? real : typed);
        return n >= 0 && (size_t)n < size;
    }
    return songio_rebase_path("./here", app->path, typed, out, size);
}

static void ask_done(UiApp *app, const char *typed)
{
    if (!typed[0])
        return;
    char written[SONG_PATH_MAX];
    if (!song_path_for(app, typed, written, sizeof written)) {
        ui_set_message(app, true, "reference not set: cannot name %s from the song", typed);
        return;
    }
    char was[SONG_PATH_MAX];
    snprintf(was, sizeof was, "%s", app->song->reference);
    snprintf(app->song->reference, sizeof app->song->reference, "%s", written);
    if (!load(app, written)) {
        snprintf(app->song->reference, sizeof app->song->reference, "%s", was);
        return;
    }
    edit_mark_unsaved(app->ed);
    app->dirty |= UI_DIRTY_HEADER;
    char key[32];
    ui_set_message(app, false, "reference %s (%.1f LUFS): %s for A/B", base_name(written),
                   app->reference.lufs,
                   key_of(app, ACT_REFERENCE_TOGGLE, key, sizeof key));
}

void ui_reference_ask(UiApp *app)
{
    ui_prompt(app, "Reference file", app->song->reference, ask_done);
}

/* Heard: the reference at the matched gain. */
static void listen_reference(UiApp *app)
{
    app->ab_reference = true;
    session_listen_reference(app->session, true, app->reference.match_centi_db);
    char match[32];
    reference_match_text(&app->reference, match, sizeof match);
    ui_set_message(app, false, "A/B: REFERENCE %s at %s (%.1f LUFS, the mix %.1f LUFS)",
                   base_name(app->song->reference), match, app->reference.lufs,
                   app->reference.mix_lufs);
    app->dirty |= UI_DIRTY_BODY;
}

static void stop_measuring(UiApp *app)
{
    reference_job_cancel(app->reference_job);
    app->reference_job = NULL;
    app->dirty |= UI_DIRTY_BODY;
}

void ui_reference_toggle(UiApp *app)
{
    char key[32];
    if (!app->reference.sample) {
        ui_set_message(app, true, "no reference track: %s loads one",
                       key_of(app, ACT_REFERENCE_LOAD, key, sizeof key));
        return;
    }
    /* Pressed again while the mix is measured: the user wants the mix
     * after all, which is what plays; the measure is dropped. */
    if (app->reference_job) {
        stop_measuring(app);
        ui_set_message(app, false, "A/B: the mix (measuring stopped)");
        return;
    }
    if (app->ab_reference) {
        app->ab_reference = false;
        session_listen_reference(app->session, false, 0);
        ui_set_message(app, false, "A/B: the mix");
        app->dirty |= UI_DIRTY_BODY;
        return;
    }
    if (app->reference_measured && app->reference_changes == app->ed->change_count) {
        listen_reference(app);
        return;
    }
    /* A copy made now would lack the samples still to come, and their
     * arrival is no edit: the silence measured would stand. */
    if (app->loader) {
        ui_set_message(app, true, "A/B: the samples are still loading; again when they are");
        return;
    }
    /* The mix is measured by rendering a copy of the song on a thread of
     * its own (seconds for a long song; the song is edited meanwhile).
     * The mix goes on playing until the figure comes: the reference
     * heard at once at a stale match would be a comparison at the wrong
     * loudness, the very thing A/B is meant to avoid, and a jump in its
     * level a moment later would be worse than the short wait. */
    Song *copy = song_clone(app->song);
    if (!copy || reference_job_start(&app->reference_job, copy, app->rate) != HISS_OK) {
        ui_set_message(app, true, "A/B: the mix could not be measured (out of memory)");
        return;
    }
    app->reference_job_changes = app->ed->change_count;
    app->reference_job_said = 0;
    ui_set_message(app, false, "A/B: measuring the mix... (%s again: stay on the mix)",
                   key_of(app, ACT_REFERENCE_TOGGLE, key, sizeof key));
    app->dirty |= UI_DIRTY_BODY;
}

void ui_reference_poll(UiApp *app)
{
    if (!app->reference_job)
        return;
    int percent = 0;
    if (!reference_job_done(app->reference_job, &percent)) {
        /* Said in steps, so the status line is not redrawn every tick. */
        if (percent / 10 > app->reference_job_said / 10) {
            app->reference_job_said = percent;
            char key[32];
            ui_set_message(app, false, "A/B: measuring the mix... %d%% (%s again: stay on "
                                       "the mix)",
                           percent, key_of(app, ACT_REFERENCE_TOGGLE, key, sizeof key));
            app->dirty |= UI_DIRTY_BODY;
        }
        return;
    }
    HissError err = reference_job_finish(app->reference_job, &app->reference);
    app->reference_job = NULL;
    if (err) {
        ui_set_message(app, true, "A/B: the mix could not be measured (%s)",
                       hiss_strerror(err));
        app->dirty |= UI_DIRTY_BODY;
        return;
    }
    app->reference_measured = true;
    app->reference_changes = app->reference_job_changes;
    listen_reference(app);
}

bool ui_reference_state(const UiApp *app, char *out, size_t size)
{
    char match[32];
    reference_match_text(&app->reference, match, sizeof match);
    int percent = 0;
    if (!app->reference.sample)
        snprintf(out, size, "%s", "");
    else if (app->reference_job && !reference_job_done(app->reference_job, &percent))
        snprintf(out, size, "A/B: measuring %d%%", percent);
    else if (app->ab_reference && atomic_load(&ui_status(app)->reference_ended))
        snprintf(out, size, "A/B: REFERENCE ended (silent here)");
    else if (app->ab_reference)
        snprintf(out, size, "A/B: REFERENCE %s", match);
    else if (app->reference_measured)
        snprintf(out, size, "A/B: mix (match %s)", match);
    else
        snprintf(out, size, "A/B: mix");
    return app->reference.sample && app->ab_reference;
}

void ui_reference_close(UiApp *app)
{
    stop_measuring(app);
    if (app->reference.sample)
        session_set_reference(app->session, NULL);
    reference_deinit(&app->reference);
    app->ab_reference = false;
    app->reference_measured = false;
}

void ui_reference_finish(UiApp *app)
{
    stop_measuring(app);
    reference_deinit(&app->reference);
}
