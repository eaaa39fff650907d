/* Hostile files: corrupted and truncated samples, songs and configs are
 * refused with a clear message ("file:line:col: message" for text, "file:
 * reason" for binary files), never a crash, and no message can carry
 * terminal control bytes from the file into the terminal. */
#include <regex.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "fileio.h"
#include "keymap.h"
#include "sampleio.h"
#include "songfile.h"
#include "songio.h"
#include "common/files.h"
#include "test.h"

static char tmpdir[256];

static void put_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fwrite(data, 1, len, f);
    fclose(f);
}

static bool printable(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool matches(const char *text, const char *pattern)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
        return false;
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* A 16-bit mono WAV header claiming `frames` frames, with `present`
 * frames of data after it. */
static size_t make_wav(unsigned char *buf, uint32_t frames, uint32_t present)
{
    test_wav_header(buf, TEST_WAV_PCM, 8000, 16, frames);
    for (uint32_t i = 0; i < present * 2; i++)
        buf[44 + i] = (unsigned char)(i * 37);
    return 44 + (size_t)present * 2;
}

static void expect_sample_refused(const char *name, const void *data,
                                  size_t len, const char *why)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    if (data)
        put_bytes(path, data, len);
    SampleioAudio audio;
    HissDiag diag = {{0}};
    HissError err = sampleio_read(path, &audio, NULL, &diag);
    CHECK_MSG(err != HISS_OK, "%s was accepted", name);
    if (err == HISS_OK) {
        sampleio_audio_free(&audio);
        return;
    }
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s: ", path);
    if (!printable(name)) /* the name comes back with its control bytes escaped */
        snprintf(prefix, sizeof prefix, "%s/\\x1b[2Jevil.wav: ", tmpdir);
    CHECK_MSG(!strncmp(diag.text, prefix, strlen(prefix)) &&
                  strlen(diag.text) > strlen(prefix) + 4,
              "%s: message '%s'", why, diag.text);
    CHECK_MSG(printable(diag.text), "%s", diag.text);
}

static void broken_samples_are_refused_with_the_file_and_reason(void)
{
    unsigned char wav[44 + 2000];
    size_t n = make_wav(wav, 1000, 1000);
    /* The good one loads, so the refusals below are about the damage. */
    char good[512];
    snprintf(good, sizeof good, "%s/good.wav", tmpdir);
    put_bytes(good, wav, n);
    SampleioAudio audio;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleio_read(good, &audio, NULL, &diag) == HISS_OK, "%s",
              diag.text);
    CHECK(audio.frames != NULL && audio.count == 1000);
    sampleio_audio_free(&audio);

    expect_sample_refused("empty.wav", "", 0, "empty");
    expect_sample_refused("header-only.wav", wav, 20, "cut inside the header");
    const char text[] = "this is not audio at all, just words\n";
    expect_sample_refused("words.wav", text, sizeof text - 1, "text");
    unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7919 + 13);
    expect_sample_refused("junk.flac", junk, sizeof junk, "random bytes");
    unsigned char bad_rate[44 + 200];
    size_t m = make_wav(bad_rate, 100, 100);
    memset(bad_rate + 24, 0, 4); /* 0 Hz */
    expect_sample_refused("zero-rate.wav", bad_rate, m, "0 Hz");
    expect_sample_refused("missing.wav", NULL, 0, "missing file");
    /* An escape sequence in the file name comes out escaped. */
    expect_sample_refused("\x1b[2Jevil.wav", text, sizeof text - 1,
                          "control bytes in the name");
}

/* A data chunk that claims more than the file holds: either refused with
 * the reason, or loaded with a note saying it looks truncated. */
static void truncated_sample_is_refused_or_flagged(void)
{
    unsigned char wav[44 + 2000];
    size_t n = make_wav(wav, 1000, 300);
    char path[512];
    snprintf(path, sizeof path, "%s/truncated.wav", tmpdir);
    put_bytes(path, wav, n);
    SampleioAudio audio;
    SampleioInfo info;
    HissDiag diag = {{0}};
    HissError err = sampleio_read(path, &audio, &info, &diag);
    if (err == HISS_OK) {
        CHECK_MSG(strstr(info.note, "truncated") != NULL, "note '%s'",
                  info.note);
        CHECK(audio.count <= 300);
        sampleio_audio_free(&audio);
    } else {
        CHECK_MSG(strstr(diag.text, path) == diag.text, "%s", diag.text);
    }
}

/* A float WAV of absurd but finite values (found by fuzz_sample): it
 * loads clipped, and four voices of it never turn the output into NaN. */
static void absurd_float_sample_cannot_poison_the_mix(void)
{
    enum { FRAMES = 2000 };
    unsigned char wav[44 + FRAMES * 4];
    test_wav_header(wav, TEST_WAV_FLOAT, 48000, 32, FRAMES);
    for (int i = 0; i < FRAMES; i++) {
        float v = i % 2 ? 3.0e38f : -3.0e38f;
        memcpy(wav + 44 + 4 * i, &v, 4);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/absurd.wav", tmpdir);
    put_bytes(path, wav, sizeof wav);
    Sample *sample = NULL;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleio_load(path, &sample, &info, &diag) == HISS_OK,
              "%s", diag.text);
    if (!sample)
        return;
    CHECK_MSG(strstr(info.note, "clipped") != NULL, "note '%s'", info.note);
    Song *song = song_new();
    atomic_store(&song->limiter, false);
    Instrument *inst = song_instrument_new();
    inst->sample = sample;
    atomic_store(&song->instruments[1], inst);
    for (int ch = 0; ch < 4; ch++) {
        Cell c = song_cell_empty();
        c.note = (uint8_t)(NOTE_C4 + ch);
        c.instrument = 1;
        song_pattern_set(song_pattern(song, 0), 0, ch, c);
    }
    Engine *e = engine_new(song, 48000);
    engine_play_song_now(e, 0, 0, false);
    static float out[2 * 4096];
    engine_render(e, out, 4096);
    int bad = 0;
    for (int i = 0; i < 2 * 4096; i++)
        bad += !isfinite(out[i]);
    CHECK_MSG(bad == 0, "%d non-finite output samples", bad);
    engine_free(e);
    song_free(song);
}

static void expect_hissrc_error_n(const char *text, size_t len, int line,
                                  int col, const char *word)
{
    static Keymap km;
    keymap_init_defaults(&km);
    HissDiag diags[4];
    memset(diags, 0, sizeof diags);
    int bad = keymap_parse(&km, text, len, "hissrc", diags, 4);
    CHECK_MSG(bad >= 1, "no error for '%s'", text);
    if (bad < 1)
        return;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "hissrc:%d:%d: ", line, col);
    CHECK_MSG(!strncmp(diags[0].text, prefix, strlen(prefix)), "'%s' wanted %s",
              diags[0].text, prefix);
    CHECK_MSG(matches(diags[0].text, "^hissrc:[0-9]+:[0-9]+: [a-z].{5,}"),
              "%s", diags[0].text);
    if (word)
        CHECK_MSG(strstr(diags[0].text, word) != NULL, "%s", diags[0].text);
    CHECK_MSG(printable(diags[0].text), "%s", diags[0].text);
}

static void expect_hissrc_error(const char *text, int line, int col,
                                const char *word)
{
    expect_hissrc_error_n(text, strlen(text), line, col, word);
}

static void broken_configs_say_file_line_col(void)
{
    expect_hissrc_error("bind C-p nosuchaction\n", 1, 10, "nosuchaction");
    expect_hissrc_error("# ok\nbind\n", 2, 5, NULL);
    expect_hissrc_error("bind Hyper-q quit\n", 1, 6, "Hyper-q");
    expect_hissrc_error("bind C-p quit\nbind C-q quit extra\n", 2, 15, "extra");
    expect_hissrc_error("frobnicate\n", 1, 1, "frobnicate");
    /* Truncated mid-word, no final newline. */
    expect_hissrc_error("bind C-p qu", 1, 10, "qu");
    /* Binary junk: a NUL byte and escape sequences. */
    static const char nul_line[] = "bind a quit\x00junk\n";
    expect_hissrc_error_n(nul_line, sizeof nul_line - 1, 1, 1, NULL);
    expect_hissrc_error("bind \x1b]0;pwned\x07 quit\n", 1, 6, "\\x1b]0;pwned");
    /* The autosave setting: bad values are refused, good ones apply. */
    expect_hissrc_error("set autosave forever\n", 1, 14, "forever");
    expect_hissrc_error("set autosave -5\n", 1, 14, "-5");
    expect_hissrc_error("set autosave 99999999999999999999\n", 1, 14, NULL);
    expect_hissrc_error("set autosave\n", 1, 13, NULL);
    expect_hissrc_error("set colour blue\n", 1, 5, "colour");
    static Keymap km;
    keymap_init_defaults(&km);
    const char *good = "# quick autosaves\nset autosave 5\n";
    CHECK(keymap_parse(&km, good, strlen(good), "hissrc", NULL, 0) == 0);
    CHECK(km.autosave_seconds == 5);
}

static char *demo_text(size_t *len)
{
    char *text = NULL;
    HissDiag diag = {{0}};
    if (fileio_read_all("patterns/demo.hiss", SONGFILE_MAX_BYTES, &text, len,
                        &diag))
        fprintf(stderr, "%s\n", diag.text);
    return text;
}

/* Checks one refusal: "demo.hiss:L:C: message" with L inside the text. */
static void check_song_error(const char *text, size_t len, const char *what)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    HissError err = songfile_parse(text, len, "demo.hiss", &song, &diag);
    CHECK_MSG(err != HISS_OK, "%s was accepted", what);
    if (err == HISS_OK) {
        song_free(song);
        return;
    }
    int line = 0, col = 0;
    CHECK_MSG(sscanf(diag.text, "demo.hiss:%d:%d: ", &line, &col) == 2 &&
                  matches(diag.text, "^demo\\.hiss:[0-9]+:[0-9]+: .{8,}"),
              "%s: '%s'", what, diag.text);
    int lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    CHECK_MSG(line >= 1 && line <= lines && col >= 1, "%s: '%s'", what,
              diag.text);
    CHECK_MSG(printable(diag.text), "%s", diag.text);
}

/* The demo cut anywhere inside a line (a partial write by some other
 * tool, a truncated download) is refused, never half-loaded. */
static void truncated_songs_are_refused_with_the_line(void)
{
    size_t len = 0;
    char *text = demo_text(&len);
    CHECK(text != NULL);
    if (!text)
        return;
    int tried = 0;
    for (size_t cut = 1; cut < len; cut += len / 97 + 1) {
        if (text[cut - 1] == '\n')
            continue; /* cut at a line end: may be a shorter valid song */
        char what[64];
        snprintf(what, sizeof what, "demo cut at byte %zu", cut);
        /* A cut row or statement: either the line itself is refused, or
         * the pattern it belongs to is short of rows. */
        check_song_error(text, cut, what);
        tried++;
    }
    CHECK(tried > 50);
    free(text);
}

static void corrupted_songs_are_refused_with_the_line(void)
{
    size_t len = 0;
    char *text = demo_text(&len);
    if (!text)
        return;
    /* Flip bytes inside pattern rows, one at a time, into characters no
     * cell field allows. */
    char *copy = malloc(len + 1);
    int tried = 0;
    for (size_t at = len / 3; at < len && tried < 40; at += len / 41) {
        if (text[at] == '\n' || text[at] == '|')
            continue;
        memcpy(copy, text, len + 1);
        copy[at] = '\x01';
        check_song_error(copy, len, "a control byte in the text");
        tried++;
    }
    const char *bad[] = {
        "",
        "hiss 99\n",
        "HISS 1\n",
        "hiss 1\nbpm 9000\n",
        "hiss 1\ntitle \"unterminated\n",
        "\xff\xfe\x00\x01binary",
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(bad); i++) {
        size_t n = i == HISS_ARRAY_LEN(bad) - 1 ? 10 : strlen(bad[i]);
        check_song_error(bad[i], n, bad[i]);
    }
    free(copy);
    free(text);
}

/* A song whose kit is gone still opens: the slot is marked missing and a
 * warning names the song, the slot and the file. */
static void missing_sample_opens_with_the_slot_marked(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/lost.hiss", tmpdir);
    const char *text = "hiss 1\ntitle \"lost kit\"\nbpm 90\nspeed 6\n"
                       "rows_per_beat 4\nswing 0\nmaster_gain 0.0\n"
                       "limiter on\nchannels 1\n\n"
                       "instrument 02 \"gone\" sample \"kit/nowhere.wav\" "
                       "volume 64 pan 0 base C-4 finetune 0 loop off 0 0 "
                       "interp linear\n\norder 00\n\npattern 00 2\n"
                       "000 |C-4 02 .. ... ...|\n001 |... .. .. ... ...|\n";
    put_bytes(path, text, strlen(text));
    Song *song = NULL;
    HissDiag diag = {{0}};
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK_MSG(songio_load(path, 48000, &song, &diag, &w) == HISS_OK, "%s",
              diag.text);
    if (song) {
        Instrument *inst = song_instrument(song, 2);
        CHECK(inst && inst->missing && !inst->sample);
        CHECK(inst && !strcmp(inst->path, "kit/nowhere.wav"));
        Cell c = song_pattern_get(song_pattern(song, 0), 0, 0);
        CHECK(c.note == NOTE_C4 && c.instrument == 2);
        song_free(song);
    }
    CHECK(songio_warnings_missing(&w) == 1);
    if (w.count)
        CHECK_MSG(strstr(w.items[0].text, "lost.hiss") &&
                      strstr(w.items[0].text, "nowhere.wav") &&
                      w.items[0].slot == 2,
                  "%s", w.items[0].text);
    songio_warnings_deinit(&w);
}

int main(void)
{
    test_make_tmpdir(tmpdir, sizeof tmpdir, "hostile");
    RUN(broken_samples_are_refused_with_the_file_and_reason);
    RUN(truncated_sample_is_refused_or_flagged);
    RUN(absurd_float_sample_cannot_poison_the_mix);
    RUN(broken_configs_say_file_line_col);
    RUN(truncated_songs_are_refused_with_the_line);
    RUN(corrupted_songs_are_refused_with_the_line);
    RUN(missing_sample_opens_with_the_slot_marked);
    test_remove_tree(tmpdir);
    return test_finish();
}
