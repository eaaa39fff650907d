/* recovery: where recovery files go, when they are offered, keep-both,
 * discard and listing. Runs in a private temporary directory with its own
 * XDG_STATE_HOME; failures of the song's directory are made in ways that
 * also hold as root (a missing directory, a path under a regular file). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "autosave.h"
#include "fileio.h"
#include "signals.h"
#include "recovery.h"
#include "songfile.h"
#include "songio.h"
#include "songlock.h"
#include "common/files.h"
#include "test.h"

static char tmpdir[256];
static char state[512];

static char *get(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (fileio_read_all(path, 1 << 20, &data, &len, NULL))
        return NULL;
    return data;
}

/* Sets a file's modification time `ago` seconds into the past, so that
 * "newer than" does not depend on the filesystem's time granularity. */
static void age(const char *path, int ago)
{
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= ago;
    ts[1] = ts[0];
    utimensat(AT_FDCWD, path, ts, 0);
}

static void paths_next_to_the_song(void)
{
    char out[RECOVERY_PATH_MAX];
    CHECK(recovery_path_for("dir/song.hiss", out, sizeof out) == HISS_OK);
    CHECK_STR(out, "dir/.song.hiss.recover");
    CHECK(recovery_path_for("song.hiss", out, sizeof out) == HISS_OK);
    CHECK_STR(out, "./.song.hiss.recover");
    CHECK(recovery_path_for("/song.hiss", out, sizeof out) == HISS_OK);
    CHECK_STR(out, "/.song.hiss.recover");
    CHECK(recovery_path_for("dir/", out, sizeof out) != HISS_OK);
    CHECK(recovery_path_for("", out, sizeof out) != HISS_OK);
    CHECK(recovery_path_for("a/b.hiss", out, 5) != HISS_OK);
}

static void state_dir_follows_xdg_then_home(void)
{
    char out[RECOVERY_PATH_MAX];
    CHECK(recovery_state_dir(out, sizeof out, false, NULL) == HISS_OK);
    CHECK_STR(out, state);
    char *saved = strdup(getenv("XDG_STATE_HOME"));
    setenv("XDG_STATE_HOME", "relative/ignored", 1);
    setenv("HOME", "/home/someone", 1);
    CHECK(recovery_state_dir(out, sizeof out, false, NULL) == HISS_OK);
    CHECK_STR(out, "/home/someone/.local/state/hiss");
    unsetenv("XDG_STATE_HOME");
    unsetenv("HOME");
    HissDiag diag = {{0}};
    CHECK(recovery_state_dir(out, sizeof out, false, &diag) != HISS_OK);
    CHECK(strstr(diag.text, "HOME") != NULL);
    setenv("XDG_STATE_HOME", saved, 1);
    setenv("HOME", tmpdir, 1);
    free(saved);
}

static void offered_only_when_newer_and_different(void)
{
    test_write_text("a.hiss", "hiss 1\ntitle \"a\"\n");
    age("a.hiss", 100);
    CHECK(!recovery_offer_needed("a.hiss"));

    char written[RECOVERY_PATH_MAX];
    HissDiag diag = {{0}};
    const char *text = "hiss 1\ntitle \"a, edited\"\n";
    CHECK(recovery_write_text(text, strlen(text), "a.hiss", written,
                              sizeof written, &diag) == HISS_OK);
    CHECK_STR(written, "./.a.hiss.recover");
    char *back = get(written);
    CHECK(back && !strcmp(back, text));
    free(back);

    RecoveryEntry e;
    CHECK(recovery_find("a.hiss", &e));
    CHECK_STR(e.path, "./.a.hiss.recover");
    CHECK(e.size == (int64_t)strlen(text));
    CHECK(e.newer_than_song);

    /* The song saved after the recovery file: nothing to offer. */
    age(written, 200);
    CHECK(!recovery_offer_needed("a.hiss"));
    /* Newer but identical to the song: nothing would be gained. */
    test_write_text("a.hiss", text);
    age("a.hiss", 300);
    CHECK(!recovery_offer_needed("a.hiss"));
    /* The song file is gone: the recovery file is all there is. */
    unlink("a.hiss");
    CHECK(recovery_offer_needed("a.hiss"));

    CHECK(recovery_discard("a.hiss", &diag) == HISS_OK);
    CHECK(!test_exists(written));
    CHECK(!recovery_offer_needed("a.hiss"));
    CHECK(recovery_discard("a.hiss", &diag) == HISS_OK); /* already gone */
}

/* The song's directory is gone or is not a directory: the edits go to the
 * state directory and are still offered for that song. */
static void unwritable_song_directory_falls_back_to_state_dir(void)
{
    const char *cases[] = {"gone/song.hiss", "plainfile/song.hiss"};
    test_write_text("plainfile", "not a directory\n");
    for (size_t i = 0; i < 2; i++) {
        char written[RECOVERY_PATH_MAX];
        HissDiag diag = {{0}};
        const char *text = "hiss 1\ntitle \"fallback\"\n";
        CHECK(recovery_write_text(text, strlen(text), cases[i], written,
                                  sizeof written, &diag) == HISS_OK);
        CHECK_MSG(!strncmp(written, state, strlen(state)), "%s", written);
        CHECK(strstr(written, "/song-") != NULL);
        RecoveryEntry e;
        CHECK(recovery_find(cases[i], &e));
        CHECK_STR(e.path, written);

        RecoveryEntry *list = NULL;
        int n = recovery_list(NULL, 0, &list);
        bool listed = false;
        for (int k = 0; k < n; k++)
            if (!strcmp(list[k].path, written))
                listed = strstr(list[k].song_path, cases[i]) != NULL;
        CHECK_MSG(listed, "%s not listed with its song", written);
        free(list);

        CHECK(recovery_discard(cases[i], &diag) == HISS_OK);
        CHECK(!test_exists(written));
    }
    /* Two songs with the same name in different directories do not share
     * a fallback file. */
    char w1[RECOVERY_PATH_MAX], w2[RECOVERY_PATH_MAX];
    CHECK(recovery_write_text("x", 1, "gone/song.hiss", w1, sizeof w1,
                              NULL) == HISS_OK);
    CHECK(recovery_write_text("y", 1, "gone2/song.hiss", w2, sizeof w2,
                              NULL) == HISS_OK);
    CHECK(strcmp(w1, w2) != 0);
    recovery_discard("gone/song.hiss", NULL);
    recovery_discard("gone2/song.hiss", NULL);
}

static void new_song_goes_to_state_dir_under_one_name(void)
{
    char w1[RECOVERY_PATH_MAX], w2[RECOVERY_PATH_MAX];
    CHECK(recovery_write_text("one", 3, NULL, w1, sizeof w1, NULL) == HISS_OK);
    CHECK(recovery_write_text("two", 3, "", w2, sizeof w2, NULL) == HISS_OK);
    CHECK_STR(w1, w2); /* every autosave replaces the same file */
    CHECK(strstr(w1, "/untitled-") != NULL);
    CHECK(!strncmp(w1, state, strlen(state)));
    char *back = get(w1);
    CHECK(back && !strcmp(back, "two"));
    free(back);

    RecoveryEntry *list = NULL;
    int n = recovery_list(NULL, 0, &list);
    bool listed = false;
    for (int k = 0; k < n; k++)
        if (!strcmp(list[k].path, w1))
            listed = list[k].song_path[0] == 0 && list[k].size == 3;
    CHECK(listed);
    free(list);

    CHECK(recovery_discard(NULL, NULL) == HISS_OK);
    CHECK(!test_exists(w1));
}

static void keep_both_saves_a_dated_copy(void)
{
    test_write_text("b.hiss", "hiss 1\ntitle \"b\"\n");
    age("b.hiss", 100);
    const char *text = "hiss 1\ntitle \"b, edited\"\n";
    char rec[RECOVERY_PATH_MAX], saved[RECOVERY_PATH_MAX];
    CHECK(recovery_write_text(text, strlen(text), "b.hiss", rec, sizeof rec,
                              NULL) == HISS_OK);
    HissDiag diag = {{0}};
    /* The copy is named after the recovery file's time, not its own. */
    struct stat first;
    CHECK(stat(rec, &first) == 0);
    CHECK(recovery_keep_both("b.hiss", saved, sizeof saved, &diag) == HISS_OK);
    CHECK_MSG(strstr(saved, "./b.recovered-") == saved, "%s", saved);
    char *copy = get(saved), *orig = get("b.hiss");
    CHECK(copy && !strcmp(copy, text));
    CHECK(orig && !strcmp(orig, "hiss 1\ntitle \"b\"\n"));
    free(copy);
    free(orig);
    CHECK(!test_exists(rec));
    CHECK(!recovery_offer_needed("b.hiss"));

    /* Same second again: a numbered name, never an overwrite. */
    CHECK(recovery_write_text(text, strlen(text), "b.hiss", rec, sizeof rec,
                              NULL) == HISS_OK);
    char saved2[RECOVERY_PATH_MAX];
    struct timespec ts[2] = {first.st_mtim, first.st_mtim};
    utimensat(AT_FDCWD, rec, ts, 0); /* the same DATE in the name */
    age("b.hiss", 1000);
    CHECK(recovery_keep_both("b.hiss", saved2, sizeof saved2, &diag) ==
          HISS_OK);
    CHECK(strcmp(saved, saved2) != 0);
    CHECK(strstr(saved2, "-2.hiss") != NULL);

    CHECK(recovery_keep_both("b.hiss", saved2, sizeof saved2, &diag) ==
          HISS_ERR_MISSING);
    CHECK(diag.text[0] != 0);
}

static void listing_scans_dirs_dedups_and_prunes_the_index(void)
{
    CHECK(mkdir("beats", 0755) == 0);
    test_write_text("beats/c.hiss", "hiss 1\n");
    age("beats/c.hiss", 50);
    char rec[RECOVERY_PATH_MAX];
    CHECK(recovery_write_text("hiss 1\n#c\n", 10, "beats/c.hiss", rec,
                              sizeof rec, NULL) == HISS_OK);
    /* A file the index does not know, found by scanning the directory. */
    test_write_text("beats/.d.hiss.recover", "hiss 1\n#d\n");

    const char *dirs[] = {"beats"};
    RecoveryEntry *list = NULL;
    int n = recovery_list(dirs, 1, &list);
    int seen_c = 0, seen_d = 0;
    for (int k = 0; k < n; k++) {
        if (strstr(list[k].path, "/.c.hiss.recover")) {
            seen_c++;
            CHECK(strstr(list[k].song_path, "beats/c.hiss") != NULL);
            CHECK(list[k].newer_than_song);
        }
        if (strstr(list[k].path, "/.d.hiss.recover")) {
            seen_d++;
            CHECK(strstr(list[k].song_path, "beats/d.hiss") != NULL);
        }
    }
    CHECK(seen_c == 1 && seen_d == 1); /* index + scan: listed once */
    for (int k = 1; k < n; k++)
        CHECK(list[k - 1].mtime_ns >= list[k].mtime_ns);
    free(list);

    /* Not scanning "beats": the index alone still finds c. */
    n = recovery_list(NULL, 0, &list);
    seen_c = 0;
    for (int k = 0; k < n; k++)
        seen_c += strstr(list[k].path, "/.c.hiss.recover") != NULL;
    CHECK(seen_c == 1);
    free(list);

    /* Gone files drop out of the index. */
    char index[600];
    snprintf(index, sizeof index, "%s/recover-index", state);
    char *before = get(index);
    CHECK(before && strstr(before, ".c.hiss.recover"));
    free(before);
    unlink(rec);
    n = recovery_list(NULL, 0, &list);
    free(list);
    char *after = get(index);
    CHECK(after && !strstr(after, ".c.hiss.recover"));
    free(after);
}

static void both_locations_failing_says_why(void)
{
    /* State dir under a regular file and the song dir missing. */
    char saved[600];
    snprintf(saved, sizeof saved, "%s", getenv("XDG_STATE_HOME"));
    test_write_text("statefile", "x");
    char bad[700];
    snprintf(bad, sizeof bad, "%s/statefile", tmpdir);
    setenv("XDG_STATE_HOME", bad, 1);
    HissDiag diag = {{0}};
    CHECK(recovery_write_text("x", 1, "nowhere/e.hiss", NULL, 0, &diag) !=
          HISS_OK);
    CHECK_MSG(strstr(diag.text, "nowhere/") != NULL, "%s", diag.text);
    setenv("XDG_STATE_HOME", saved, 1);
}

/* A 16-bit mono 8 kHz WAV of `frames` frames. */
static void put_wav(const char *path, uint32_t frames)
{
    unsigned char h[44];
    test_wav_header(h, TEST_WAV_PCM, 8000, 16, frames);
    FILE *f = fopen(path, "wb");
    fwrite(h, 1, 44, f);
    for (uint32_t i = 0; i < frames; i++) {
        int16_t v = (int16_t)((i % 40) * 500 - 10000);
        fwrite(&v, 2, 1, f);
    }
    fclose(f);
}

static char *format(const Song *song)
{
    char *text = NULL;
    size_t len = 0;
    if (songfile_format(song, &text, &len))
        return NULL;
    return text;
}

/* The recovery file written from a Song loads back as the same song. */
static void song_round_trips_through_the_recovery_file(void)
{
    CHECK(mkdir("rt", 0755) == 0);
    put_wav("rt/hit.wav", 400);
    Song *song = song_new();
    snprintf(song->title, sizeof song->title, "night drive");
    atomic_store(&song->bpm_tenths, 870);
    Instrument *inst = song_instrument_new();
    snprintf(inst->name, sizeof inst->name, "hit");
    snprintf(inst->path, sizeof inst->path, "hit.wav");
    atomic_store(&song->instruments[1], inst);
    Cell c = song_cell_empty();
    c.note = NOTE_C4 + 3;
    c.instrument = 1;
    c.volume = 40;
    song_pattern_set(song_pattern(song, 0), 5, 2, c);

    char written[RECOVERY_PATH_MAX];
    HissDiag diag = {{0}};
    CHECK(recovery_write(song, "rt/night.hiss", written, sizeof written,
                         &diag) == HISS_OK);
    CHECK_STR(written, "rt/.night.hiss.recover");
    RecoveryEntry e;
    CHECK(recovery_find("rt/night.hiss", &e)); /* the song was never saved */

    Song *back = NULL;
    SongioWarnings warnings;
    songio_warnings_init(&warnings);
    CHECK_MSG(recovery_load(&e, 48000, &back, &diag, &warnings) == HISS_OK,
              "%s", diag.text);
    if (back) {
        char *a = format(song), *b = format(back);
        CHECK(a && b && !strcmp(a, b));
        free(a);
        free(b);
        Instrument *bi = song_instrument(back, 1);
        CHECK(bi && !bi->missing && bi->sample);
        song_free(back);
    }
    CHECK(warnings.count == 0);
    songio_warnings_deinit(&warnings);
    song_free(song);
}

/* A recovery file in the state directory (the song's directory could not
 * be written) still finds the kit relative to the song. */
static void restore_from_state_dir_resolves_samples_from_the_song(void)
{
    CHECK(mkdir("kitsong", 0755) == 0 && mkdir("kitsong/kit", 0755) == 0);
    put_wav("kitsong/kit/snap.wav", 300);
    const char *text = "hiss 1\ntitle \"x\"\nbpm 120\nspeed 6\n"
                       "rows_per_beat 4\nswing 0\nmaster_gain 0.0\n"
                       "limiter on\nchannels 1\n\n"
                       "instrument 01 \"snap\" sample \"kit/snap.wav\" "
                       "volume 64 pan 0 base C-4 finetune 0 loop off 0 0 "
                       "interp linear\n\norder 00\n\npattern 00 1\n"
                       "000 |C-4 01 .. ... ...|\n";
    RecoveryEntry e;
    memset(&e, 0, sizeof e);
    snprintf(e.path, sizeof e.path, "%s/kitsong-0000.hiss", state);
    snprintf(e.song_path, sizeof e.song_path, "kitsong/song.hiss");
    CHECK(mkdir(state, 0700) == 0 || errno == EEXIST);
    test_write_text(e.path, text);
    Song *song = NULL;
    HissDiag diag = {{0}};
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK_MSG(recovery_load(&e, 48000, &song, &diag, &w) == HISS_OK, "%s",
              diag.text);
    if (song) {
        Instrument *inst = song_instrument(song, 1);
        CHECK(inst && !inst->missing && inst->sample);
        song_free(song);
    }
    CHECK_MSG(w.count == 0, "%s", w.count ? w.items[0].text : "");
    songio_warnings_deinit(&w);
    unlink(e.path);

    /* A broken recovery file is refused with file:line:col. */
    test_write_text(e.path, "hiss 1\nbpm fast\n");
    CHECK(recovery_load(&e, 48000, &song, &diag, NULL) != HISS_OK);
    CHECK_MSG(strstr(diag.text, "kitsong-0000.hiss:2:") != NULL, "%s",
              diag.text);
    unlink(e.path);
}

/* autosave_step writes when due, and what it writes is the song now. */
static void autosave_step_writes_the_current_song(void)
{
    CHECK(mkdir("as", 0755) == 0);
    Song *song = song_new();
    Autosave a;
    autosave_init(&a, 30, 0.0, 0, autosave_song_shape(song));
    bool wrote = true;
    HissDiag diag = {{0}};
    CHECK(autosave_step(&a, song, "as/t.hiss", 100.0, 0, &wrote, &diag) ==
          HISS_OK);
    CHECK(!wrote && !test_exists("as/.t.hiss.recover"));

    Cell c = song_cell_empty();
    c.note = NOTE_C4;
    song_pattern_set(song_pattern(song, 0), 0, 0, c);
    CHECK(autosave_step(&a, song, "as/t.hiss", 100.0, 1, &wrote, &diag) ==
          HISS_OK);
    CHECK(wrote);
    char *want = format(song), *got = get("as/.t.hiss.recover");
    CHECK(want && got && !strcmp(want, got));
    free(want);
    free(got);

    /* A cell edit right after: waits for the interval. */
    c.note = NOTE_C4 + 1;
    song_pattern_set(song_pattern(song, 0), 1, 0, c);
    CHECK(autosave_step(&a, song, "as/t.hiss", 101.0, 2, &wrote, &diag) ==
          HISS_OK);
    CHECK(!wrote);
    /* A structural edit: written after the small gap. */
    Pattern *old = song_pattern(song, 0);
    atomic_store(&song->patterns[0], song_pattern_resized(old, 32, 4));
    song_pattern_free(old);
    CHECK(autosave_step(&a, song, "as/t.hiss", 101.0 + AUTOSAVE_MIN_GAP, 3,
                        &wrote, &diag) == HISS_OK);
    CHECK(wrote);
    got = get("as/.t.hiss.recover");
    CHECK(got && strstr(got, "pattern 00 32"));
    free(got);
    song_free(song);
}

static RecoveryChoice ask(const char *answers, char *shown, size_t cap)
{
    RecoveryEntry e;
    memset(&e, 0, sizeof e);
    snprintf(e.path, sizeof e.path, "/x/.s.hiss.recover");
    snprintf(e.song_path, sizeof e.song_path, "/x/s.hiss");
    e.size = 123;
    FILE *in = fmemopen((void *)answers, strlen(answers), "r");
    FILE *out = fmemopen(shown, cap, "w");
    RecoveryChoice c = recovery_ask(&e, in, out);
    fclose(in);
    fclose(out);
    return c;
}

static void ask_reads_an_answer_and_asks_again(void)
{
    char shown[2048];
    CHECK(ask("r\n", shown, sizeof shown) == RECOVERY_RESTORE);
    CHECK(strstr(shown, "/x/s.hiss has unsaved edits") != NULL);
    CHECK(strstr(shown, "123 bytes") != NULL);
    CHECK(ask("  Discard\n", shown, sizeof shown) == RECOVERY_DISCARD);
    CHECK(ask("?\nk\n", shown, sizeof shown) == RECOVERY_KEEP_BOTH);
    CHECK(ask("", shown, sizeof shown) == RECOVERY_LATER);
    CHECK(ask("x\ny\nz\nr\n", shown, sizeof shown) == RECOVERY_LATER);
}

static void offer_at_open_carries_out_each_answer(void)
{
    CHECK(mkdir("offer", 0755) == 0);
    const char *saved = "hiss 1\ntitle \"old\"\nbpm 120\nspeed 6\n"
                        "rows_per_beat 4\nswing 0\nmaster_gain 0.0\n"
                        "limiter on\nchannels 1\n\norder 00\n\n"
                        "pattern 00 1\n000 |... .. .. ... ...|\n";
    Song *edited = song_new();
    snprintf(edited->title, sizeof edited->title, "edited");
    char msg[600], shown[4096];
    Song *restored = NULL;
    const char *answers[] = {"r\n", "d\n", "k\n", ""};
    for (int i = 0; i < 4; i++) {
        test_write_text("offer/s.hiss", saved);
        age("offer/s.hiss", 100);
        CHECK(recovery_write(edited, "offer/s.hiss", NULL, 0, NULL) == HISS_OK);
        FILE *in = fmemopen((void *)answers[i], strlen(answers[i]) + 1, "r");
        FILE *out = fmemopen(shown, sizeof shown, "w");
        bool r = recovery_offer_at_open("offer/s.hiss", 48000, in, out,
                                        &restored, msg, sizeof msg);
        fclose(in);
        fclose(out);
        CHECK(r == (i == 0));
        CHECK(msg[0] != 0);
        if (i == 0) {
            CHECK(restored && !strcmp(restored->title, "edited"));
            CHECK(recovery_offer_needed("offer/s.hiss")); /* kept till saved */
            song_free(restored);
            restored = NULL;
        } else {
            CHECK(restored == NULL);
        }
        if (i == 1)
            CHECK(!recovery_offer_needed("offer/s.hiss"));
        if (i == 2) {
            CHECK_MSG(strstr(msg, "offer/s.recovered-") != NULL, "%s", msg);
            CHECK(!recovery_offer_needed("offer/s.hiss"));
        }
        if (i == 3)
            CHECK(recovery_offer_needed("offer/s.hiss")); /* left for later */
        char *text = get("offer/s.hiss");
        CHECK(text && !strcmp(text, saved)); /* the song itself untouched */
        free(text);
    }
    /* Nothing to offer: no question asked. */
    recovery_discard("offer/s.hiss", NULL);
    FILE *out = fmemopen(shown, sizeof shown, "w");
    CHECK(!recovery_offer_at_open("offer/s.hiss", 48000, stdin, out, &restored,
                                  msg, sizeof msg));
    fclose(out);
    CHECK(msg[0] == 0);
    song_free(edited);
}

/* A termination request: the loop tick writes every edit at once, however
 * recently it autosaved, and tells the loop to stop. */
static void loop_tick_writes_everything_on_a_signal(void)
{
    CHECK(mkdir("sig", 0755) == 0);
    CHECK(signals_install(NULL) == HISS_OK);
    Song *song = song_new();
    Autosave a;
    autosave_init(&a, 30, hiss_now_seconds(), 0, autosave_song_shape(song));
    char msg[600];
    Cell c = song_cell_empty();
    c.note = NOTE_C4;
    song_pattern_set(song_pattern(song, 0), 0, 0, c);
    CHECK(autosave_loop_tick(&a, song, "sig/s.hiss", 1, msg, sizeof msg) == 0);
    /* Opened just now: the periodic write is not due yet. */
    CHECK(!test_exists("sig/.s.hiss.recover"));
    c.note = NOTE_C4 + 7;
    song_pattern_set(song_pattern(song, 0), 9, 1, c);
    raise(SIGHUP);
    CHECK(autosave_loop_tick(&a, song, "sig/s.hiss", 2, msg, sizeof msg) ==
          SIGHUP);
    char *want = format(song), *got = get("sig/.s.hiss.recover");
    CHECK(want && got && !strcmp(want, got));
    free(want);
    free(got);
    signals_uninstall();
    song_free(song);
}

/* A song folder from an archive holds .song.hiss.recover -> ../../victim.
 * Autosave must not write through it, quitting must not remove it, and
 * the listing must not offer the victim as unsaved edits. */
static void planted_recovery_link_is_refused(void)
{
    CHECK(mkdir("atk", 0755) == 0 && mkdir("atk/a", 0755) == 0 &&
          mkdir("atk/a/b", 0755) == 0);
    test_write_text("atk/victim", "export PATH=/usr/bin\n");
    test_write_text("atk/a/b/song.hiss", "");
    age("atk/a/b/song.hiss", 100);
    CHECK(symlink("../../victim", "atk/a/b/.song.hiss.recover") == 0);

    Song *song = song_new();
    snprintf(song->title, sizeof song->title, "$(touch pwned)");
    Autosave a;
    autosave_init(&a, 30, hiss_now_seconds() - 100, 0, autosave_song_shape(song));
    char msg[600];
    CHECK(autosave_loop_tick(&a, song, "atk/a/b/song.hiss", 1, msg,
                             sizeof msg) == 0);
    char *victim = get("atk/victim");
    CHECK(victim && !strcmp(victim, "export PATH=/usr/bin\n"));
    free(victim);
    struct stat st;
    CHECK(lstat("atk/a/b/.song.hiss.recover", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK_MSG(strstr(msg, "symbolic link") != NULL, "msg: %s", msg);
    /* The edits are kept all the same, in the state directory. */
    RecoveryEntry e;
    CHECK(recovery_find("atk/a/b/song.hiss", &e));
    CHECK(strncmp(e.path, state, strlen(state)) == 0);

    HissDiag diag = {{0}};
    CHECK(recovery_discard("atk/a/b/song.hiss", &diag) != HISS_OK);
    CHECK(strstr(diag.text, "symbolic link") != NULL);
    CHECK(lstat("atk/a/b/.song.hiss.recover", &st) == 0 && S_ISLNK(st.st_mode));

    const char *dirs[] = {"atk/a/b"};
    RecoveryEntry *list = NULL;
    int n = recovery_list(dirs, 1, &list);
    for (int i = 0; i < n; i++)
        CHECK_MSG(!strstr(list[i].path, "victim") &&
                      !strstr(list[i].path, ".song.hiss.recover"),
                  "listed %s", list[i].path);
    free(list);
    victim = get("atk/victim");
    CHECK(victim && !strcmp(victim, "export PATH=/usr/bin\n"));
    free(victim);
    song_free(song);
}

static void count_cleaned(void *ctx, const char *path, int64_t size)
{
    (void)path;
    (void)size;
    (*(int *)ctx)++;
}

/* hiss --recover removes killed saves' temporary files, but not those of
 * a song an editor holds (its saves may be running) nor fresh ones. */
static void clean_temps_spares_held_songs(void)
{
    CHECK(mkdir("tmps", 0755) == 0);
    test_write_text("tmps/.free.hiss.aaaaaa.tmp", "x");
    test_write_text("tmps/..free.hiss.recover.bbbbbb.tmp", "x");
    test_write_text("tmps/.held.hiss.cccccc.tmp", "x");
    test_write_text("tmps/.free.hiss.dddddd.tmp", "x"); /* fresh */
    age("tmps/.free.hiss.aaaaaa.tmp", 120);
    age("tmps/..free.hiss.recover.bbbbbb.tmp", 120);
    age("tmps/.held.hiss.cccccc.tmp", 120);
    SongLock lock;
    songlock_init(&lock);
    char msg[300];
    CHECK(songlock_acquire(&lock, "tmps/held.hiss", msg, sizeof msg) == HISS_OK);
    int seen = 0;
    CHECK(recovery_clean_temps("tmps", count_cleaned, &seen) == 2);
    CHECK(seen == 2);
    CHECK(!test_exists("tmps/.free.hiss.aaaaaa.tmp"));
    CHECK(!test_exists("tmps/..free.hiss.recover.bbbbbb.tmp"));
    CHECK(test_exists("tmps/.held.hiss.cccccc.tmp"));
    CHECK(test_exists("tmps/.free.hiss.dddddd.tmp"));
    songlock_release(&lock);
    CHECK(recovery_clean_temps("tmps", NULL, NULL) == 1);
    CHECK(!test_exists("tmps/.held.hiss.cccccc.tmp"));
}

/* The recovery question names files with their control bytes escaped. */
static void ask_escapes_control_bytes(void)
{
    RecoveryEntry e;
    memset(&e, 0, sizeof e);
    snprintf(e.path, sizeof e.path, "/x/.\033[2Js.hiss.recover");
    snprintf(e.song_path, sizeof e.song_path, "/x/\033[2Js.hiss");
    char shown[2048] = "";
    FILE *in = fmemopen((void *)"d\n", 2, "r");
    FILE *out = fmemopen(shown, sizeof shown, "w");
    CHECK(recovery_ask(&e, in, out) == RECOVERY_DISCARD);
    fclose(in);
    fclose(out);
    CHECK(strchr(shown, '\033') == NULL);
    CHECK(strstr(shown, "/x/\\x1b[2Js.hiss has unsaved edits") != NULL);
}

int main(void)
{
    test_make_tmpdir(tmpdir, sizeof tmpdir, "recovery");
    if (chdir(tmpdir) < 0) {
        perror(tmpdir);
        return 1;
    }
    snprintf(state, sizeof state, "%s/state/hiss", tmpdir);
    char xdg[300];
    snprintf(xdg, sizeof xdg, "%s/state", tmpdir);
    setenv("XDG_STATE_HOME", xdg, 1);
    setenv("HOME", tmpdir, 1);

    RUN(paths_next_to_the_song);
    RUN(state_dir_follows_xdg_then_home);
    RUN(offered_only_when_newer_and_different);
    RUN(unwritable_song_directory_falls_back_to_state_dir);
    RUN(new_song_goes_to_state_dir_under_one_name);
    RUN(keep_both_saves_a_dated_copy);
    RUN(listing_scans_dirs_dedups_and_prunes_the_index);
    RUN(both_locations_failing_says_why);
    RUN(song_round_trips_through_the_recovery_file);
    RUN(restore_from_state_dir_resolves_samples_from_the_song);
    RUN(autosave_step_writes_the_current_song);
    RUN(ask_reads_an_answer_and_asks_again);
    RUN(offer_at_open_carries_out_each_answer);
    RUN(planted_recovery_link_is_refused);
    RUN(clean_temps_spares_held_songs);
    RUN(ask_escapes_control_bytes);
    RUN(loop_tick_writes_everything_on_a_signal);
    test_remove_tree(tmpdir);
    return test_finish();
}
