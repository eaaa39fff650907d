#include "ui_take.h"

#include <stdio.h>
#include <string.h>

#include "edit.h"
#include "sampleio.h"
#include "session.h"
#include "slicer.h"
#include "take.h"

/* One take at a time, for the one editor. */
static struct {
    Take *take;
    long shown_seconds;
} rec;

/* The song's file name without directory and extension. */
static void song_stem(const UiApp *app, char *out, size_t size)
{
    const char *base = strrchr(app->path, '/');
    snprintf(out, size, "%s", base ? base + 1 : app->path);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = 0;
}

static int first_empty_slot(const UiApp *app)
{
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++)
        if (!song_instrument(app->song, slot))
            return slot;
    return 0;
}

static void take_start(UiApp *app)
{
    Audio *audio = session_audio(app->session);
    if (!app->path[0]) {
        ui_set_message(app, true, "record: save the song first (takes go beside it)");
        return;
    }
    if (!first_empty_slot(app)) {
        ui_set_message(app, true, "record: no empty instrument slot");
        return;
    }
    if (!audio) {
        ui_set_message(app, true, "record: no audio backend is running");
        return;
    }
    char dir[UI_PATH_MAX], stem[UI_PATH_MAX];
    ui_song_dir(app, dir, sizeof dir);
    song_stem(app, stem, sizeof stem);
    HissDiag diag = {{0}};
    if (take_begin(&rec.take, audio, dir, stem, &diag) != HISS_OK) {
        ui_set_message(app, true, "record: %s", diag.text);
        return;
    }
    rec.shown_seconds = -1;
    ui_take_poll(app);
}

/* The finished take's file as a new instrument in the first empty slot,
 * sliced at its hits. */
static void take_land(UiApp *app, const char *path, uint64_t frames)
{
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int slot = first_empty_slot(app);
    if (!frames || !slot) {
        ui_set_message(app, true, "record: %s kept as %s (%s)", frames ? "the take" : "an empty take",
                       file, frames ? "no empty instrument slot" : "nothing came in");
        return;
    }
    Sample *sample = NULL;
    HissDiag diag = {{0}};
    if (sampleio_load(path, &sample, NULL, &diag) != HISS_OK) {
        ui_set_message(app, true, "record: %s", diag.text);
        return;
    }
    uint32_t hits[SONG_MAX_SLICES];
    int count = 0;
    if (slicer_transients(sample, SLICER_DEFAULT_SENSITIVITY, hits, SONG_MAX_SLICES, &count,
                          &diag) != HISS_OK)
        count = 0; /* a take without slices is still a take */
    Instrument *inst = song_instrument_new();
    if (!inst) {
        sample_release(sample);
        ui_report(app, HISS_ERR_NOMEM, "record");
        return;
    }
    inst->sample = sample;
    inst->missing = false;
    /* A name too long for the song is cut; the file keeps its own. */
    snprintf(inst->path, sizeof inst->path, "%.*s", (int)sizeof inst->path - 1, file);
    snprintf(inst->name, sizeof inst->name, "%.*s", (int)sizeof inst->name - 1, file);
    song_instrument_set_slices(inst, hits, count);
    if (ui_report(app, edit_instrument_replace(app->ed, slot, inst), "record") != HISS_OK)
        return;
    edit_set_instrument_current(app->ed, slot);
    ui_set_message(app, false, "record: %s into slot %02X (%.1f s, %d slices)", file, slot,
                   (double)frames / sample->rate, count);
}

static void take_stop(UiApp *app)
{
    HissDiag diag = {{0}};
    HissError err = take_end(rec.take, &diag);
    char path[UI_PATH_MAX * 2];
    snprintf(path, sizeof path, "%s", take_path(rec.take));
    uint64_t frames = take_frames(rec.take);
    uint32_t dropped = take_dropped(rec.take);
    take_free(rec.take);
    rec.take = NULL;
    if (err) {
        ui_set_message(app, true, "record: %s", diag.text);
        return;
    }
    take_land(app, path, frames);
    if (dropped)
        ui_set_message(app, true, "record: %u frames were lost (the disk fell behind)",
                       dropped);
}

void ui_take_toggle(UiApp *app)
{
    if (rec.take)
        take_stop(app);
    else
        take_start(app);
    app->dirty |= UI_DIRTY_BODY;
}

void ui_take_poll(UiApp *app)
{
    if (!rec.take)
        return;
    Audio *audio = session_audio(app->session);
    if (take_audio(rec.take) && take_audio(rec.take) != audio) {
        /* The session fell back to another backend: the inputs are gone. */
        take_audio_gone(rec.take);
        ui_set_message(app, true, "record: the audio device changed; the take ends here");
        take_stop(app);
        return;
    }
    HissDiag diag = {{0}};
    if (take_pump(rec.take, &diag) != HISS_OK) {
        take_free(rec.take);
        rec.take = NULL;
        ui_set_message(app, true, "record: stopped: %s", diag.text);
        return;
    }
    long seconds = audio ? (long)(take_frames(rec.take) / audio_rate(audio)) : 0;
    if (seconds != rec.shown_seconds) {
        rec.shown_seconds = seconds;
        const char *file = strrchr(take_path(rec.take), '/');
        ui_set_message(app, false, "recording %s: %ld s (again to stop)",
                       file ? file + 1 : take_path(rec.take), seconds);
    }
}

void ui_take_finish(UiApp *app)
{
    (void)app;
    take_free(rec.take);
    rec.take = NULL;
}
