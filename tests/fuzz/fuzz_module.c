/* Fuzz target: arbitrary bytes as a tracker module for the conversion
 * path (libxmp's module into hiss's Song, io/loaders/module.c).
 *
 * A refused file must come with a message naming it and no song. An
 * accepted one must be a song hiss can hold: its orders name patterns
 * that exist, patterns and cells are in range, every loop fits its
 * sample, the song formats as .hiss text that parses again (what a save
 * writes), and the engine plays a few blocks of it to finite audio. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "loaders/module.h"
#include "songfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_module: %s: %s\n", what, detail);
    abort();
}

static void check_song(const Song *song)
{
    int channels = atomic_load(&song->channels);
    if (channels < 1 || channels > SONG_MAX_CHANNELS)
        fail("channels", "out of range");
    int orders = atomic_load(&song->order_count);
    if (orders < 1 || orders > SONG_MAX_ORDERS)
        fail("order count", "out of range");
    for (int o = 0; o < orders; o++)
        if (!song_pattern(song, atomic_load(&song->orders[o])))
            fail("an order", "names a missing pattern");
    for (int p = 0; p < SONG_MAX_PATTERNS; p++) {
        const Pattern *pat = song_pattern(song, p);
        if (!pat)
            continue;
        if (pat->rows < 1 || pat->rows > SONG_MAX_ROWS || pat->channels != channels)
            fail("a pattern", "has a bad size");
        for (int r = 0; r < pat->rows; r++)
            for (int c = 0; c < pat->channels; c++) {
                Cell cell = song_pattern_get(pat, r, c);
                if (cell.note > NOTE_CUT ||
                    (cell.volume > VOLUME_MAX && cell.volume != VOLUME_EMPTY))
                    fail("a cell", "out of range");
            }
    }
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *inst = song_instrument(song, slot);
        if (!inst || !inst->sample)
            continue;
        if (inst->loop != LOOP_OFF &&
            (inst->loop_end > inst->sample->frames || inst->loop_start >= inst->loop_end))
            fail("a loop", "does not fit its sample");
        if (inst->base_note < NOTE_FIRST || inst->base_note > NOTE_LAST)
            fail("a base note", "out of range");
    }
}

static void check_saved_form(const Song *song)
{
    char *text = NULL;
    size_t len = 0;
    if (songfile_format(song, &text, &len) != HISS_OK)
        fail("songfile_format", "failed on a converted song");
    Song *again = NULL;
    HissDiag d = {{0}};
    if (songfile_parse(text, len, "fuzz.hiss", &again, &d) != HISS_OK)
        fail("the saved text does not parse", d.text);
    song_free(again);
    free(text);
}

static void check_plays(Song *song)
{
    Engine *e = engine_new(song, 48000);
    if (!e)
        fail("engine_new", "failed");
    engine_play_song_now(e, 0, 0, false);
    static float buf[2 * 1024];
    for (int block = 0; block < 4; block++) {
        engine_render(e, buf, 1024);
        for (int i = 0; i < 2 * 1024; i++)
            if (!isfinite(buf[i]))
                fail("the engine", "rendered a non-finite sample");
    }
    engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    LoaderReport report;
    loader_report_init(&report);
    HissError err = module_load((const char *)data, size, "fuzz", &song, &diag, &report);
    if (err) {
        if (song)
            fail("a failure", "with a song");
        if (strncmp(diag.text, "fuzz: ", 6) || !diag.text[6])
            fail("a failure without a message naming the file", diag.text);
    } else {
        if (!song)
            fail("a success", "without a song");
        check_song(song);
        check_saved_form(song);
        check_plays(song);
        song_free(song);
    }
    if (report.count > LOADER_REPORT_MAX_ITEMS || report.total < report.count)
        fail("the report", "beyond its bounds");
    loader_report_free(&report);
    return 0;
}
