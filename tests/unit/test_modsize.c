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

/* The padding that lets libxmp read a cut file is not the sample's: a
 * cut sample keeps the frames the file holds, and its loop ends there. */
static void a_cut_sample_keeps_what_the_file_holds(void)
{
    for (int f = 0; f < 4; f++) {
        LoaderReport r;
        size_t len;
        Song *song = load_demo_cut((ModgenFormat)f, 1000, &r, &len);
        const Instrument *inst = song ? song_instrument(song, 1) : NULL;
        const Sample *smp = inst ? inst->sample : NULL;
        CHECK_MSG(smp && smp->frames == SINE_FRAMES - 1000, "%s: %u frames", FORMAT_NAMES[f],
                  smp ? smp->frames : 0);
        if (smp && smp->frames) {
            CHECK_MSG(inst->loop == LOOP_OFF || inst->loop_end <= smp->frames, "%s: loop end %u",
                      FORMAT_NAMES[f], inst->loop_end);
            /* What is kept is the sine, 8-bit. */
            float worst = 0;
            for (uint32_t i = 0; i < smp->frames; i++)
                worst = fmaxf(worst, fabsf(smp->data[i] - sine[i]));
            CHECK_MSG(worst < 1.5f / 127, "%s: %g off the sine", FORMAT_NAMES[f], worst);
        }
        song_free(song);
        loader_report_free(&r);
    }
}

/* A cut XM whose sample header claims 16 M frames becomes a song with the
 * frames the file holds, not megabytes of silence. */
static void a_cut_file_claiming_a_huge_sample_stays_small(void)
{
    ModgenSong ms;
    demo_song(&ms);
    size_t len = 0;
    uint8_t *data = modgen_write(&ms, MODGEN_XM, &len);
    /* The sample header: length 4096, loop start 0, loop length 4096. */
    static const uint8_t header[12] = {0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0};
    uint8_t *at = NULL;
    for (size_t i = 0; i + sizeof header <= len && !at; i++)
        if (!memcmp(data + i, header, sizeof header))
            at = data + i;
    CHECK(at != NULL);
    if (at) {
        at[3] = 0x01; /* 0x01001000 frames */
        LoaderReport r;
        Song *song = load_cut(data, len, MODGEN_XM, &r);
        const Instrument *inst = song ? song_instrument(song, 1) : NULL;
        CHECK_MSG(inst && inst->sample && inst->sample->frames == SINE_FRAMES, "%u frames",
                  inst && inst->sample ? inst->sample->frames : 0);
        CHECK(report_find(&r, "module ends early", "sample data cut after 4096 bytes"));
        song_free(song);
        loader_report_free(&r);
    }
    free(data);
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

/* Every cut of a module of two patterns and three samples (every third
 * byte up to its sample data, then every 97th) is either read, the report
 * saying where the file ends, or refused with the one message for a
 * header cut short; never taken for another format or called damaged, and
 * no cut after one that was read is refused. A MOD's header is 1084
 * bytes: from there on it is read, a cut pattern reported at its row. An
 * XM cut inside an instrument's headers is read up to that instrument. */
static void every_cut_is_read_or_a_cut_header(void)
{
    for (int f = 0; f < 4; f++) {
        ModgenSong ms;
        demo_song(&ms);
        ms.patterns = ms.orders = 2;
        ms.order[1] = 1;
        ms.sample_count = 3;
        ms.samples[2] = ms.samples[1] = ms.samples[0];
        for (int row = 0; row < 64; row += 8)
            modgen_add(&ms, 1, row, row / 8 % 4, 49, (uint8_t)(1 + row / 8 % 3), -1, 0, 0);
        size_t len = 0;
        uint8_t *data = modgen_write(&ms, (ModgenFormat)f, &len);
        char path[400];
        snprintf(path, sizeof path, "%s/every%s", dir, modgen_extension((ModgenFormat)f));
        int read = 0, refused = 0, xm_kept = 0;
        size_t first_read = 0;
        for (size_t cut = 1; cut < len; cut += cut < len - 3 * SINE_FRAMES ? 3 : 97) {
            FILE *out = fopen(path, "wb");
            CHECK(out && fwrite(data, 1, cut, out) == cut);
            if (out)
                fclose(out);
            LoaderReport r;
            loader_report_init(&r);
            Song *song = NULL;
            HissDiag d = {{0}};
            HissError err = loader_load_file_report(path, &song, &d, &r);
            char at[96];
            if (err == HISS_OK) {
                snprintf(at, sizeof at, "module ends early (at byte %zu): ", cut);
                CHECK_MSG(report_find(&r, at, NULL), "%s cut at %zu: read, no note of it",
                          FORMAT_NAMES[f], cut);
                if (!read++)
                    first_read = cut;
                /* An XM cut inside instrument 3's headers keeps the two
                 * before it whole. */
                if (report_find(&r, "instrument 03 and everything after it are missing",
                                NULL)) {
                    for (int slot = 1; slot <= 2; slot++)
                        CHECK_MSG(song_instrument(song, slot) &&
                                      song_instrument(song, slot)->sample,
                                  "XM cut at %zu: instrument %d lost", cut, slot);
                    xm_kept++;
                }
                size_t into = cut - 1084;
                if (f == MODGEN_MOD && cut > 1084 && into < 2 * 1024 && into % 1024) {
                    size_t row = into % 1024 / 16;
                    if (row)
                        snprintf(at, sizeof at, "pattern %02zX is cut in row %zu", into / 1024,
                                 row);
                    else
                        snprintf(at, sizeof at, "pattern %02zX has none of its 64 rows",
                                 into / 1024);
                    CHECK_MSG(report_find(&r, at, NULL), "MOD cut at %zu: no \"%s\"", cut,
                              at);
                }
            } else {
                snprintf(at, sizeof at, "cut inside its header at byte %zu: nothing to read",
                         cut);
                CHECK_MSG(strstr(d.text, at), "%s cut at %zu: %s", FORMAT_NAMES[f], cut,
                          d.text);
                CHECK_MSG(!read, "%s cut at %zu refused after %zu was read: %s",
                          FORMAT_NAMES[f], cut, first_read, d.text);
                refused++;
            }
            song_free(song);
            loader_report_free(&r);
        }
        CHECK_MSG(read > 100 && refused > 0, "%s: %d read, %d refused", FORMAT_NAMES[f],
                  read, refused);
        if (f == MODGEN_MOD)
            CHECK_MSG(first_read == 1084, "MOD: first read at %zu", first_read);
        if (f == MODGEN_XM)
            CHECK_MSG(xm_kept >= 10, "XM: %d cuts in instrument 3's headers", xm_kept);
        free(data);
    }
}

int main(void)
{
    for (int i = 0; i < SINE_FRAMES; i++)
        sine[i] = 0.8f * (float)sin(2 * M_PI * i / 32);
    test_make_tmpdir(dir, sizeof dir, "modsize");
    RUN(a_whole_module_says_nothing_of_an_end);
    RUN(a_cut_sample_is_reported);
    RUN(a_cut_sample_keeps_what_the_file_holds);
    RUN(a_cut_file_claiming_a_huge_sample_stays_small);
    RUN(a_cut_pattern_is_reported_at_its_row);
    RUN(every_cut_is_read_or_a_cut_header);
    test_remove_tree(dir);
    return test_finish();
}
