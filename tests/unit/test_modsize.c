/* A module cut short: libxmp still reads it when its headers are whole,
 * and loses the sample data and pattern rows past the end without a word.
 * The import report must say what was lost (modsize), and say nothing of
 * a whole file. Modules are written by tests/common/modgen.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "common/modgen.h"
#include "loader.h"
#include "test.h"

enum { SINE_FRAMES = 4096 };

static float sine[SINE_FRAMES];
static char dir[256];
static const char *const FORMAT_NAMES[] = {"MOD", "S3M", "XM", "IT"};

/* The demo modules' song: four notes of a looped sine, the last at row 12
 * on channel 4. */
static void demo_song(ModgenSong *ms)
{
    modgen_init(ms, 4, 64, 6, 125);
    ms->sample_count = 1;
    ModgenSample sm = {.data = sine, .frames = SINE_FRAMES, .loop_end = SINE_FRAMES,
                       .volume = 64};
    ms->samples[0] = sm;
    modgen_add(ms, 0, 0, 0, 49, 1, 64, 0, 0);
    modgen_add(ms, 0, 4, 1, 56, 1, 48, '4', 0x44);
    modgen_add(ms, 0, 8, 2, 61, 1, -1, '7', 0x44);
    modgen_add(ms, 0, 12, 3, 44, 1, -1, 'A', 0x04);
}

/* Writes the first `cut` bytes of data as a module and loads it with its
 * report; NULL when it does not load. */
static Song *load_cut(const uint8_t *data, size_t cut, ModgenFormat f, LoaderReport *r)
{
    char path[400];
    snprintf(path, sizeof path, "%s/cut%s", dir, modgen_extension(f));
    FILE *out = fopen(path, "wb");
    CHECK(out && fwrite(data, 1, cut, out) == cut);
    if (out)
        fclose(out);
    loader_report_init(r);
    Song *song = NULL;
    HissDiag d = {{0}};
    CHECK_MSG(loader_load_file_report(path, &song, &d, r) == HISS_OK, "%s", d.text);
    return song;
}

/* The first note whose text has both words, or NULL. */
static const char *report_find(const LoaderReport *r, const char *a, const char *b)
{
    for (int i = 0; i < r->count; i++)
        if (strstr(r->items[i].what, a) && (!b || strstr(r->items[i].what, b)))
            return r->items[i].what;
    return NULL;
}

/* The demo song in format f without its last `drop` bytes, loaded with its
 * report; *len gets the whole file's length. */
static Song *load_demo_cut(ModgenFormat f, size_t drop, LoaderReport *r, size_t *len)
{
    ModgenSong ms;
    demo_song(&ms);
    uint8_t *data = modgen_write(&ms, f, len);
    Song *song = load_cut(data, *len - drop, f, r);
    free(data);
    return song;
}

static void a_whole_module_says_nothing_of_an_end(void)
{
    for (int f = 0; f < 4; f++) {
        LoaderReport r;
        size_t len;
        Song *song = load_demo_cut((ModgenFormat)f, 0, &r, &len);
        CHECK_MSG(song && !report_find(&r, "ends early", NULL), "%s", FORMAT_NAMES[f]);
        song_free(song);
        loader_report_free(&r);
    }
}

/* The last 1000 bytes are the sample's: the report names it. */
static void a_cut_sample_is_reported(void)
{
    for (int f = 0; f < 4; f++) {
        LoaderReport r;
        size_t len;
        Song *song = load_demo_cut((ModgenFormat)f, 1000, &r, &len);
        const char *label = f == MODGEN_IT ? "sample 01: sample data cut after"
                                           : "instrument 01: sample data cut after";
        const char *what = report_find(&r, "module ends early", label);
        CHECK_MSG(song && what, "%s: no note of the cut sample", FORMAT_NAMES[f]);
        char at[64];
        snprintf(at, sizeof at, "(at byte %zu)", len - 1000);
        CHECK_MSG(what && strstr(what, at), "%s: %s", FORMAT_NAMES[f], what ? what : "");
        song_free(song);
        loader_report_free(&r);
    }
}

/* An XM cut inside its pattern: the rows after the cut are empty in the
 * song, the report says in which row, and the instrument after the
 * pattern is missing, as the report says too. */
static void a_cut_pattern_is_reported_at_its_row(void)
{
    ModgenSong ms;
    demo_song(&ms);
    size_t len = 0;
    uint8_t *data = modgen_write(&ms, MODGEN_XM, &len);
    int checked = 0;
    for (size_t cut = 400; cut < 700; cut += 20) {
        LoaderReport r;
        Song *song = load_cut(data, cut, MODGEN_XM, &r);
        const char *what = report_find(&r, "module ends early", "pattern 00 is cut in row ");
        const Pattern *p = song ? song_pattern(song, 0) : NULL;
        if (what && p) {
            int row = atoi(strstr(what, "row ") + 4);
            CHECK_MSG(row > 0, "cut %zu: %s", cut, what);
            /* The notes before the row named are kept, those after it
             * lost (the row itself may be read in part). */
            for (int n = 0; n < 4; n++) {
                int note_row = 4 * n;
                bool kept = song_pattern_get(p, note_row, n).note != 0;
                if (note_row != row)
                    CHECK_MSG(kept == (note_row < row), "cut %zu: row %d note %s (%s)", cut,
                              note_row, kept ? "kept" : "lost", what);
            }
            CHECK_MSG(report_find(&r, "instrument 01 and everything after it are missing",
                                  NULL),
                      "cut %zu", cut);
            CHECK(song_instrument(song, 1) == NULL || !song_instrument(song, 1)->sample);
            checked++;
        }
        song_free(song);
        loader_report_free(&r);
    }
    CHECK_MSG(checked >= 3, "only %d cuts inside the pattern were reported", checked);
    free(data);
}

int main(void)
{
    for (int i = 0; i < SINE_FRAMES; i++)
        sine[i] = 0.8f * (float)sin(2 * M_PI * i / 32);
    test_make_tmpdir(dir, sizeof dir, "modsize");
    RUN(a_whole_module_says_nothing_of_an_end);
    RUN(a_cut_sample_is_reported);
    RUN(a_cut_pattern_is_reported_at_its_row);
    test_remove_tree(dir);
    return test_finish();
}
