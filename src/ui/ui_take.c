#include "ui_take.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edit.h"
#include "sampleio.h"
#include "session.h"
#include "slicer.h"
#include "take.h"

/* One take at a time, for the one editor. */
static struct {
    Take *take;
    long shown_seconds;
    bool shown_waiting;
    double threshold_db; /* what the take waits for; 0 for none */
    int bars;            /* the bars it waits for; 0 for none */
    int count_in;        /* bars heard before a take on a bar begins */
    TakeInput input;
} rec;

/* The threshold start's range and the level offered first. */
enum { TAKE_THRESHOLD_MIN_DB = -90, TAKE_THRESHOLD_DEFAULT_DB = -40 };
/* The longest count-in, in bars. */
enum { TAKE_COUNT_IN_MAX = 8 };

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

static void take_start(UiApp *app, double threshold_db)
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
    TakeOptions opts = {.input = rec.input};
    /* In time with the song: a playing song's next bar, or with a
     * count-in the bars after it; a stopped song with a count-in starts
     * playing and its first row counts as the first bar. */
    bool playing = ui_is_playing(app);
    bool start_song = false;
    if (threshold_db < 0) {
        opts.start.threshold = (float)pow(10.0, threshold_db / 20.0);
    } else if (playing || rec.count_in > 0) {
        opts.start.bars = 1 + rec.count_in;
        start_song = !playing;
    }
    if (take_begin(&rec.take, audio, dir, stem, &opts, &diag) != HISS_OK) {
        ui_set_message(app, true, "record: %s", diag.text);
        return;
    }
    /* After the take is armed, so the song's first bar is not missed. */
    if (start_song)
        ui_play_from_order(app);
    rec.threshold_db = threshold_db;
    rec.bars = opts.start.bars;
    rec.shown_seconds = -1;
    rec.shown_waiting = false;
    ui_take_poll(app);
}

/* The finished take's file as a new instrument in the first empty slot,
 * sliced at its hits. */
static void take_land(UiApp *app, const char *path, uint64_t frames)
{
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int slot = first_empty_slot(app);
    if (!frames) {
        /* Only the name taken for it: nothing of the user's is lost. */
        unlink(path);
        ui_set_message(app, true, "record: nothing came in; no take");
        return;
    }
    if (!slot) {
        ui_set_message(app, true, "record: the take is kept as %s (no empty instrument slot)",
                       file);
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
        take_start(app, 0);
    app->dirty |= UI_DIRTY_BODY;
}

static void threshold_done(UiApp *app, const char *text)
{
    char *end;
    double db = strtod(text, &end);
    while (*end == ' ')
        end++;
    if (end == text || *end || !(db >= TAKE_THRESHOLD_MIN_DB && db < 0)) {
        ui_set_message(app, true, "record: '%s' is not a level of %d..-1 dBFS", text,
                       TAKE_THRESHOLD_MIN_DB);
        return;
    }
    take_start(app, db);
}

void ui_take_armed(UiApp *app)
{
    if (rec.take) {
        ui_take_toggle(app);
        return;
    }
    char initial[16];
    snprintf(initial, sizeof initial, "%d", TAKE_THRESHOLD_DEFAULT_DB);
    ui_prompt(app, "Record from a level (dBFS)", initial, threshold_done);
}

static void setup_done(UiApp *app, const char *text)
{
    char word[16] = "";
    int count = -1, used = 0;
    int fields = sscanf(text, " %d %15s %n", &count, word, &used);
    TakeInput input = rec.input;
    bool ok = fields >= 1 && count >= 0 && count <= TAKE_COUNT_IN_MAX;
    if (ok && fields == 2) {
        ok = false;
        for (int i = 0; i < TAKE_INPUT_COUNT; i++)
            if (!strcmp(word, take_input_name((TakeInput)i))) {
                input = (TakeInput)i;
                ok = text[used] == 0;
            }
    }
    if (!ok) {
        ui_set_message(app, true,
                       "record: '%s' is not a count-in of 0..%d bars and stereo, left or right",
                       text, TAKE_COUNT_IN_MAX);
        return;
    }
    rec.count_in = count;
    rec.input = input;
    ui_set_message(app, false, "record: count-in %d bar%s, %s input%s", count,
                   count == 1 ? "" : "s", take_input_name(input),
                   input == TAKE_INPUT_STEREO ? "s" : " (mono file)");
}

void ui_take_setup(UiApp *app)
{
    char initial[32];
    snprintf(initial, sizeof initial, "%d %s", rec.count_in, take_input_name(rec.input));
    ui_prompt(app, "Record: count-in bars, input (stereo/left/right)", initial, setup_done);
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
    const char *file = strrchr(take_path(rec.take), '/');
    file = file ? file + 1 : take_path(rec.take);
    if (audio && audio_capture_waiting(audio)) {
        if (!rec.shown_waiting && rec.bars > 1)
            ui_set_message(app, false,
                           "record: %s starts after a count-in of %d bar%s (again to stop)", file,
                           rec.bars - 1, rec.bars > 2 ? "s" : "");
        else if (!rec.shown_waiting && rec.bars)
            ui_set_message(app, false, "record: %s starts on the next bar (again to stop)", file);
        else if (!rec.shown_waiting)
            ui_set_message(app, false, "record: %s waits for a level of %.0f dBFS (again to stop)",
                           file, rec.threshold_db);
        rec.shown_waiting = true;
        return;
    }
    long seconds = audio ? (long)(take_frames(rec.take) / audio_rate(audio)) : 0;
    if (seconds != rec.shown_seconds) {
        rec.shown_seconds = seconds;
        ui_set_message(app, false, "recording %s: %ld s (again to stop)", file, seconds);
    }
}

void ui_take_finish(UiApp *app)
{
    (void)app;
    take_free(rec.take);
    rec.take = NULL;
}
