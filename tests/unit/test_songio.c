/* songio: songs load with their samples found relative to the song file,
 * a sample that cannot be loaded marks its instrument missing with a
 * warning instead of failing the song, saves round-trip, and a rate change
 * rebuilds every instrument. Files are made in a temp dir at test time. */
#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sampleio.h"
#include "songio.h"
#include "common/files.h"
#include "common/synth_song.h"
#include "test.h"

static char tmpdir[256];
static char song_path[512];

static const char *instrument_line(int slot, const char *name, const char *path,
                                   const char *loop, const char *interp)
{
    static char buf[8][1200];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 1200,
             "instrument %02X \"%s\" sample \"%s\" volume 64 pan 0 base C-4 "
             "finetune 0 loop %s interp %s\n",
             slot, name, path, loop, interp);
    return p;
}

/* songs/a.hiss uses ../samples/: a kick that exists, a snare that does not,
 * a text file posing as a WAV, a six-channel pad (mixed down: a note), an
 * absolute path, and a sinc instrument whose loop runs past the end of its
 * sample (the kick's). */
static void make_fixture(void)
{
    char p[700], abs_wav[700];
    snprintf(p, sizeof p, "%s/samples", tmpdir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/songs", tmpdir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/samples/kick.wav", tmpdir);
    test_write_wav(p, 44100, 1, 4410);
    snprintf(p, sizeof p, "%s/samples/pad.wav", tmpdir);
    test_write_wav(p, 48000, 6, 480);
    snprintf(p, sizeof p, "%s/samples/text.wav", tmpdir);
    test_write_text(p, "not audio, only words\n");
    snprintf(abs_wav, sizeof abs_wav, "%s/abs.wav", tmpdir);
    test_write_wav(abs_wav, 48000, 2, 1000);

    char song[8192];
    snprintf(song, sizeof song,
             "hiss 1\ntitle \"Fixture\"\nbpm 120\nspeed 6\nrows_per_beat 4\n"
             "swing 0\nmaster_gain 0.0\nlimiter on\nchannels 2\n\n"
             "%s%s%s%s%s%s\n"
             "order 00\n\npattern 00 2\n"
             "000 |C-4 01 .. ... ...|C-4 02 .. ... ...|\n"
             "001 |... .. .. ... ...|... .. .. ... ...|\n",
             instrument_line(1, "kick", "../samples/kick.wav", "off 0 0", "linear"),
             instrument_line(2, "snare", "../samples/nope.wav", "off 0 0", "linear"),
             instrument_line(3, "fake", "../samples/text.wav", "off 0 0", "linear"),
             instrument_line(4, "pad", "../samples/pad.wav", "off 0 0", "linear"),
             instrument_line(5, "abs", abs_wav, "off 0 0", "linear"),
             instrument_line(6, "looped", "../samples/kick.wav", "forward 100 9999", "sinc"));
    snprintf(song_path, sizeof song_path, "%s/songs/a.hiss", tmpdir);
    test_write_text(song_path, song);
}

static const SongioWarning *warning_for(const SongioWarnings *w, int slot, int nth)
{
    for (int i = 0; i < w->count; i++)
        if (w->items[i].slot == slot && nth-- == 0)
            return &w->items[i];
    return NULL;
}

static void resolve_joins_relative_paths_only(void)
{
    char out[256];
    CHECK(songio_resolve("songs/a.hiss", "../s/k.wav", out, sizeof out));
    CHECK_STR(out, "songs/../s/k.wav");
    CHECK(songio_resolve("a.hiss", "k.wav", out, sizeof out));
    CHECK_STR(out, "k.wav");
    CHECK(songio_resolve("/x/y/a.hiss", "/abs/k.wav", out, sizeof out));
    CHECK_STR(out, "/abs/k.wav");
    CHECK(songio_resolve("/a.hiss", "k.wav", out, sizeof out));
    CHECK_STR(out, "/k.wav");
    CHECK(!songio_resolve("/x/y/a.hiss", "a-long-name.wav", out, 8));
}

static void rebase_keeps_pointing_at_the_same_file(void)
{
    char deeper[700], other_song[800], out[1024];
    snprintf(deeper, sizeof deeper, "%s/other", tmpdir);
    mkdir(deeper, 0755);
    snprintf(deeper, sizeof deeper, "%s/other/deeper", tmpdir);
    mkdir(deeper, 0755);
    snprintf(other_song, sizeof other_song, "%s/b.hiss", deeper);

    CHECK(songio_rebase_path(song_path, other_song, "../samples/kick.wav", out,
                             sizeof out));
    CHECK_STR(out, "../../samples/kick.wav");
    /* A sample that does not exist (yet) moves the same way. */
    CHECK(songio_rebase_path(song_path, other_song, "../samples/gone/x.wav", out,
                             sizeof out));
    CHECK_STR(out, "../../samples/gone/x.wav");
    /* Into the samples directory itself, and back. */
    char in_samples[800];
    snprintf(in_samples, sizeof in_samples, "%s/samples/c.hiss", tmpdir);
    CHECK(songio_rebase_path(song_path, in_samples, "../samples/kick.wav", out,
                             sizeof out));
    CHECK_STR(out, "kick.wav");
    CHECK(songio_rebase_path(in_samples, song_path, "./sub/../kick.wav", out,
                             sizeof out));
    CHECK_STR(out, "../samples/kick.wav");
    /* The same directory: the same file by the same way. */
    char sibling[800];
    snprintf(sibling, sizeof sibling, "%s/songs/d.hiss", tmpdir);
    CHECK(songio_rebase_path(song_path, sibling, "../samples/kick.wav", out,
                             sizeof out));
    CHECK_STR(out, "../samples/kick.wav");
    CHECK(songio_rebase_path(song_path, other_song, "/abs/x.wav", out, sizeof out));
    CHECK_STR(out, "/abs/x.wav");
    char nowhere[800];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/e.hiss", tmpdir);
    CHECK(!songio_rebase_path(song_path, nowhere, "../samples/kick.wav", out,
                              sizeof out));
    CHECK(!songio_rebase_path(song_path, other_song, "../samples/kick.wav", out, 4));
}

static void loads_samples_relative_to_the_song(void)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK_MSG(songio_load(song_path, 48000, &song, &diag, &w) == HISS_OK, "%s",
              diag.text);
    if (!song)
        return;
    const Instrument *kick = song_instrument(song, 1);
    CHECK(kick && !kick->missing && kick->sample);
    if (kick && kick->sample) {
        /* At the file's own rate, whatever the session runs at. */
        CHECK(kick->sample->rate == 44100 && kick->sample->frames == 4410);
        /* Slot 6 plays the kick's file with sinc, but no note of the
         * song plays it an octave up: the shared sample gets no levels
         * (sinc_levels_only_as_deep_as_the_notes_read). */
        CHECK(kick->sample->level_count == 0);
    }
    const Instrument *pad = song_instrument(song, 4);
    CHECK(pad && pad->sample && pad->sample->channels == 2 && !pad->missing);
    CHECK(pad && pad->sample && pad->sample->level_count == 0);
    /* Instrument 06 plays the kick's file too: one Sample for both. */
    const Instrument *looped = song_instrument(song, 6);
    CHECK(looped && kick && looped->sample && looped->sample == kick->sample);
    const Instrument *abs = song_instrument(song, 5);
    CHECK(abs && abs->sample && abs->sample->frames == 1000);
    CHECK(song_instrument(song, 7) == NULL);
    song_free(song);
    songio_warnings_deinit(&w);
}

static void missing_samples_mark_the_instrument_and_warn(void)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK(songio_load(song_path, 48000, &song, &diag, &w) == HISS_OK);
    if (!song)
        return;
    const Instrument *snare = song_instrument(song, 2);
    CHECK(snare && snare->missing && snare->sample == NULL);
    /* The path stays as written, so saving keeps it for when the file is back. */
    CHECK(snare && !strcmp(snare->path, "../samples/nope.wav"));
    const Instrument *fake = song_instrument(song, 3);
    CHECK(fake && fake->missing && fake->sample == NULL);

    CHECK(songio_warnings_missing(&w) == 2);
    const SongioWarning *ws = warning_for(&w, 2, 0);
    char want[800];
    snprintf(want, sizeof want,
             "%s: instrument 02 'snare': cannot open ../samples/nope.wav: No such "
             "file or directory",
             song_path);
    CHECK(ws && ws->kind == HISS_ERR_MISSING);
    if (ws)
        CHECK_STR(ws->text, want);
    const SongioWarning *wf = warning_for(&w, 3, 0);
    CHECK(wf && wf->kind == HISS_ERR_FORMAT);
    if (wf)
        CHECK_MSG(strstr(wf->text, "instrument 03 'fake': cannot load "
                                   "../samples/text.wav: not an audio file"),
                  "%s", wf->text);
    /* Notes do not make an instrument missing. */
    const SongioWarning *wp = warning_for(&w, 4, 0);
    CHECK(wp && wp->kind == HISS_OK);
    if (wp)
        CHECK_MSG(strstr(wp->text, "6 channels mixed down to stereo"), "%s", wp->text);
    const SongioWarning *wl = warning_for(&w, 6, 0);
    CHECK(wl && wl->kind == HISS_OK);
    if (wl)
        CHECK_MSG(strstr(wl->text, "loop 100..9999"), "%s", wl->text);
    CHECK(warning_for(&w, 1, 0) == NULL && warning_for(&w, 5, 0) == NULL);
    song_free(song);

    /* Loading without a warnings list works the same. */
    CHECK(songio_load(song_path, 48000, &song, &diag, NULL) == HISS_OK);
    CHECK(song && song_instrument(song, 2)->missing);
    song_free(song);
    songio_warnings_deinit(&w);
}

static void loads_from_the_song_directory_too(void)
{
    char cwd[1024], dir[600];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(dir, sizeof dir, "%s/songs", tmpdir);
    CHECK(chdir(dir) == 0);
    Song *song = NULL;
    HissDiag diag;
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK(songio_load("a.hiss", 44100, &song, &diag, &w) == HISS_OK);
    CHECK(song && song_instrument(song, 1)->sample &&
          song_instrument(song, 1)->sample->frames == 4410);
    const SongioWarning *ws = warning_for(&w, 2, 0);
    CHECK(ws && !strncmp(ws->text, "a.hiss: instrument 02", 21));
    song_free(song);
    songio_warnings_deinit(&w);
    CHECK(chdir(cwd) == 0);
}

static void bad_songs_fail_with_a_position(void)
{
    char p[600];
    snprintf(p, sizeof p, "%s/bad.hiss", tmpdir);
    test_write_text(p, "hiss 1\nbpm banana\n");
    Song *song = (Song *)1;
    HissDiag diag = {{0}};
    CHECK(songio_load(p, 48000, &song, &diag, NULL) == HISS_ERR_PARSE);
    CHECK(song == NULL);
    char want[700];
    snprintf(want, sizeof want, "%s:2:", p);
    CHECK_MSG(!strncmp(diag.text, want, strlen(want)), "%s", diag.text);

    snprintf(p, sizeof p, "%s/absent.hiss", tmpdir);
    CHECK(songio_load(p, 48000, &song, &diag, NULL) == HISS_ERR_MISSING);
    CHECK_MSG(strstr(diag.text, p) && strstr(diag.text, "No such file"), "%s",
              diag.text);
}

static void save_round_trips_and_keeps_paths(void)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    CHECK(songio_load(song_path, 48000, &song, &diag, NULL) == HISS_OK);
    if (!song)
        return;
    char b[600], c[600];
    snprintf(b, sizeof b, "%s/songs/b.hiss", tmpdir);
    snprintf(c, sizeof c, "%s/songs/c.hiss", tmpdir);
    CHECK_MSG(songio_save(song, b, 0, &diag) == HISS_OK, "%s", diag.text);
    song_free(song);
    song = NULL;
    CHECK(songio_load(b, 48000, &song, &diag, NULL) == HISS_OK);
    if (!song)
        return;
    CHECK(song_instrument(song, 1)->sample != NULL);
    CHECK(song_instrument(song, 2)->missing);
    CHECK(songio_save(song, c, 0, &diag) == HISS_OK);
    char *tb = test_read_text(b), *tc = test_read_text(c);
    CHECK(tb && tc && !strcmp(tb, tc));
    CHECK(tb && strstr(tb, "\"../samples/nope.wav\""));
    free(tb);
    free(tc);

    /* Saving over a file keeps a backup when asked. */
    CHECK(songio_save(song, c, 1, &diag) == HISS_OK);
    char backup[700];
    snprintf(backup, sizeof backup, "%s~", c);
    CHECK(access(backup, F_OK) == 0);

    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.hiss", tmpdir);
    CHECK(songio_save(song, bad, 0, &diag) != HISS_OK);
    CHECK_MSG(strstr(diag.text, bad), "%s", diag.text);
    song_free(song);
}

static void warnings_list_is_bounded(void)
{
    SongioWarnings w;
    songio_warnings_init(&w);
    for (int i = 0; i < SONGIO_MAX_WARNINGS + 10; i++)
        songio_warnings_add(&w, i % 256, i % 2 ? HISS_OK : HISS_ERR_MISSING, "w %d", i);
    CHECK(w.count == SONGIO_MAX_WARNINGS && w.dropped == 10);
    CHECK_STR(w.items[3].text, "w 3");
    CHECK(songio_warnings_missing(&w) == SONGIO_MAX_WARNINGS / 2);
    songio_warnings_clear(&w);
    CHECK(w.count == 0 && songio_warnings_missing(&w) == 0);
    songio_warnings_add(NULL, 1, HISS_OK, "ignored");
    songio_warnings_deinit(&w);
}

/* A song of four instruments, each on its own 48 kHz file: sinc notes up
 * to B-4 (just under twice the sample's rate at 48 kHz), sinc up to C-5,
 * sinc up to C-6 (the C-6 has no instrument number: it plays the
 * channel's last one) and linear up to C-7. */
static void write_level_song(char *path, size_t size)
{
    char p[700];
    const char *names[] = {"low", "up", "two", "lin"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/samples/%s.wav", tmpdir, names[i]);
        test_write_wav(p, 48000, 1, 9600);
    }
    char song[4096];
    snprintf(song, sizeof song,
             "hiss 1\ntitle \"Levels\"\nbpm 125\nspeed 6\nrows_per_beat 4\n"
             "swing 0\nmaster_gain 0.0\nlimiter off\nchannels 4\n\n"
             "%s%s%s%s\norder 00\n\npattern 00 2\n"
             "000 |B-4 01 .. ... ...|C-5 02 .. ... ...|C-5 03 .. ... ...|C-7 04 .. ... ...|\n"
             "001 |... .. .. ... ...|... .. .. ... ...|C-6 .. .. ... ...|... .. .. ... ...|\n",
             instrument_line(1, "low", "../samples/low.wav", "off 0 0", "sinc"),
             instrument_line(2, "up", "../samples/up.wav", "off 0 0", "sinc"),
             instrument_line(3, "two", "../samples/two.wav", "off 0 0", "sinc"),
             instrument_line(4, "lin", "../samples/lin.wav", "off 0 0", "linear"));
    snprintf(path, size, "%s/songs/levels.hiss", tmpdir);
    test_write_text(path, song);
}

static int level_count(const Song *song, int slot)
{
    const Instrument *inst = song_instrument(song, slot);
    return inst && inst->sample ? inst->sample->level_count : -1;
}

/* Building the levels is most of a sinc song's load: a sample gets the
 * levels its song's notes read at the session rate and no more, and the
 * song sounds the same as with every level. Fine levels (within
 * sampleio's budget): level j serves steps up to 1.1 x 2^(j/5), level 0
 * every sinc instrument. Octave levels (over the budget): only a voice
 * more than an octave above its sample's rate reads one. */
static void check_levels_read(bool fine)
{
    size_t budget = sampleio_set_fine_budget(fine ? SAMPLEIO_FINE_BUDGET : 0);
    /* Steps 1.89 (B-4), 2 (C-5), 4 (C-6) at 48 kHz; twice those at 24. */
    static const int want_fine[2][4] = {{5, 6, 11, 0}, {10, 11, 16, 0}};
    static const int want_octave[2][4] = {{0, 1, 2, 0}, {1, 2, 3, 0}};
    char path[700];
    write_level_song(path, sizeof path);
    for (int half = 0; half < 2; half++) {
        Song *song = NULL;
        HissDiag diag = {{0}};
        CHECK(songio_load(path, half ? 24000 : 48000, &song, &diag, NULL) == HISS_OK);
        if (!song)
            continue;
        for (int slot = 1; slot <= 4; slot++) {
            int want = (fine ? want_fine : want_octave)[half][slot - 1];
            const Sample *smp = song_instrument(song, slot)->sample;
            CHECK_MSG(level_count(song, slot) == want && (!want || smp->fine == fine),
                      "%s levels at %d Hz, slot %d: %d (%s), want %d", fine ? "fine" : "octave",
                      half ? 24000 : 48000, slot, level_count(song, slot),
                      smp->fine ? "fine" : "octave", want);
        }
        if (half) {
            song_free(song);
            continue;
        }
        Song *full = NULL;
        CHECK(songio_load(path, 48000, &full, &diag, NULL) == HISS_OK);
        for (int slot = 1; full && slot <= 3; slot++) {
            Sample *smp = song_instrument(full, slot)->sample;
            sample_alloc_levels(smp, 0);
            CHECK((fine ? sampleio_add_fine_levels(smp, SAMPLE_MAX_LEVELS, &diag)
                        : sampleio_add_levels(smp, &diag)) == HISS_OK &&
                  smp->level_count > 2);
        }
        enum { FRAMES = 24000 };
        float *a = synth_render(song, 48000, FRAMES, 512);
        float *b = full ? synth_render(full, 48000, FRAMES, 512) : NULL;
        double peak = 0;
        for (uint32_t i = 0; a && b && i < 2 * FRAMES; i++)
            peak = fmax(peak, fabs(a[i]));
        CHECK_MSG(peak > 0.01, "the song plays (peak %.3g)", peak);
        CHECK(a && b && memcmp(a, b, sizeof(float) * 2 * FRAMES) == 0);
        free(a);
        free(b);
        song_free(full);
        song_free(song);
    }
    sampleio_set_fine_budget(budget);
}

static void sinc_levels_only_as_deep_as_the_notes_read(void)
{
    check_levels_read(true);
    check_levels_read(false);
}

/* hiss render --interp: a song forced off sinc builds no levels (they
 * were most of its load), and forced onto sinc every instrument gets the
 * levels its notes read, the linear one (C-7: step 4) too. */
static void a_forced_mode_decides_the_levels(void)
{
    char path[700];
    write_level_song(path, sizeof path);
    static const InterpMode modes[] = {INTERP_RAW, INTERP_LINEAR, INTERP_CUBIC, INTERP_SINC};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        Song *song = NULL;
        HissDiag diag = {{0}};
        CHECK(songio_load_interp(path, 48000, modes[m], &song, &diag, NULL) == HISS_OK);
        for (int slot = 1; song && slot <= 4; slot++) {
            bool sinc = modes[m] == INTERP_SINC;
            CHECK_MSG(song_instrument(song, slot)->interp == modes[m] &&
                          (sinc ? level_count(song, slot) > 0 : level_count(song, slot) == 0),
                      "forced %s, slot %d: %d levels", song_interp_name(modes[m]), slot,
                      level_count(song, slot));
        }
        song_free(song);
    }
}

/* A loop's end of 0 is the sample's end (the mixer plays it so and
 * hiss.5 writes "loop forward 0 0"): no warning for it; a loop that ends
 * past the sample still gets one. */
static void a_loop_ending_at_0_runs_to_the_sample_end(void)
{
    char wav[700], path[700], song[2048];
    snprintf(wav, sizeof wav, "%s/samples/whole.wav", tmpdir);
    test_write_wav(wav, 48000, 1, 4800);
    const char *loops[] = {"forward 0 0", "pingpong 0 0", "forward 300 9000"};
    for (int i = 0; i < 3; i++) {
        snprintf(song, sizeof song,
                 "hiss 1\ntitle \"Loop\"\nbpm 125\nspeed 6\nrows_per_beat 4\n"
                 "swing 0\nmaster_gain 0.0\nlimiter off\nchannels 1\n\n%s\norder 00\n\n"
                 "pattern 00 1\n000 |C-4 01 .. ... ...|\n",
                 instrument_line(1, "whole", "../samples/whole.wav", loops[i], "linear"));
        snprintf(path, sizeof path, "%s/songs/loop0.hiss", tmpdir);
        test_write_text(path, song);
        Song *s = NULL;
        HissDiag diag = {{0}};
        SongioWarnings w;
        songio_warnings_init(&w);
        CHECK_MSG(songio_load(path, 48000, &s, &diag, &w) == HISS_OK, "%s", diag.text);
        bool warned = warning_for(&w, 1, 0) != NULL;
        CHECK_MSG(warned == (i == 2), "loop %s: %s", loops[i],
                  warned ? warning_for(&w, 1, 0)->text : "no warning");
        songio_warnings_deinit(&w);
        song_free(s);
    }
}

int main(void)
{
    test_make_tmpdir(tmpdir, sizeof tmpdir, "songio");
    make_fixture();
    RUN(resolve_joins_relative_paths_only);
    RUN(rebase_keeps_pointing_at_the_same_file);
    RUN(loads_samples_relative_to_the_song);
    RUN(missing_samples_mark_the_instrument_and_warn);
    RUN(loads_from_the_song_directory_too);
    RUN(bad_songs_fail_with_a_position);
    RUN(save_round_trips_and_keeps_paths);
    RUN(warnings_list_is_bounded);
    RUN(sinc_levels_only_as_deep_as_the_notes_read);
    RUN(a_forced_mode_decides_the_levels);
    RUN(a_loop_ending_at_0_runs_to_the_sample_end);
    test_remove_tree(tmpdir);
    return test_finish();
}
