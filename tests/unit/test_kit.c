/* The default kit: tools/kitgen reproduces samples/ to the byte, every file
 * has the agreed format and level, loops are seamless, pitched samples play
 * their documented base note, the break's chop offsets land on hits, and
 * the demo song's instrument lines agree with the kit.
 *
 * Runs from the repository root (as `make test` does); $BUILD says where
 * kitgen was built. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "sampleio.h"
#include "song.h"
#include "songfile.h"
#include "songio.h"
#include "common/files.h"
#include "test.h"

enum { KIT_MAX = 64, KIT_RATE = 44100 };

typedef struct {
    char file[64];
    char base[4];
    bool loop;
    uint32_t start, end, frames;
} KitRow;

static KitRow kit[KIT_MAX];
static int kit_count;
static char kitgen[1024];

/* Runs kitgen with one argument; stdout goes to `out` (or /dev/null).
 * Returns the exit status, or -1 when it did not exit normally. */
static int run_kitgen(const char *arg, const char *out)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_WRONLY);
        if (fd < 0 || null < 0)
            _exit(127);
        dup2(fd, 1);
        dup2(null, 2);
        execl(kitgen, kitgen, arg, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The kit table, from `kitgen --list`: the one source of truth for file
 * names, base notes and loop points. */
static void load_table(void)
{
    char path[] = "/tmp/hiss-kit-list-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    close(fd);
    if (run_kitgen("--list", path) == 0) {
        FILE *f = fopen(path, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f) && kit_count < KIT_MAX) {
            if (line[0] == '#')
                continue;
            KitRow r;
            char loop[16];
            memset(&r, 0, sizeof r);
            if (sscanf(line, "%63s %3s %15s %u %u %u", r.file, r.base, loop,
                       &r.start, &r.end, &r.frames) == 6) {
                r.loop = strcmp(loop, "off") != 0;
                kit[kit_count++] = r;
            }
        }
        if (f)
            fclose(f);
    }
    unlink(path);
}

static const KitRow *kit_find(const char *file)
{
    for (int i = 0; i < kit_count; i++)
        if (!strcmp(kit[i].file, file))
            return &kit[i];
    return NULL;
}

static float *read_wav(const char *file, SF_INFO *info)
{
    char path[512];
    snprintf(path, sizeof path, "samples/%s", file);
    memset(info, 0, sizeof *info);
    SNDFILE *sf = sf_open(path, SFM_READ, info);
    if (!sf)
        return NULL;
    float *x = calloc((size_t)info->frames * info->channels + 1, sizeof *x);
    if (x && sf_readf_float(sf, x, info->frames) != info->frames) {
        free(x);
        x = NULL;
    }
    sf_close(sf);
    return x;
}

static double note_hz(const char *name)
{
    uint8_t note;
    if (!song_note_parse(name, &note) || note < NOTE_FIRST || note > NOTE_LAST)
        return 0.0;
    return 440.0 * pow(2.0, (note - (NOTE_C4 + 9)) / 12.0);
}

/* Pitch by normalized autocorrelation over [from, from+len), searching a
 * fifth either side of `expect`; parabolic interpolation between lags. */
static double measure_hz(const float *x, uint32_t from, uint32_t len, double expect)
{
    int lo = (int)(KIT_RATE / (expect * 1.5)), hi = (int)(KIT_RATE / (expect / 1.5));
    double best = -2.0, r[3] = {0};
    int best_lag = 0;
    double *corr = calloc((size_t)hi + 2, sizeof *corr);
    if (!corr)
        return 0.0;
    for (int lag = lo - 1; lag <= hi + 1; lag++) {
        double s = 0, e0 = 0, e1 = 0;
        for (uint32_t i = from; i < from + len; i++) {
            s += (double)x[i] * x[i + lag];
            e0 += (double)x[i] * x[i];
            e1 += (double)x[i + lag] * x[i + lag];
        }
        corr[lag] = s / sqrt(e0 * e1 + 1e-30);
    }
    for (int lag = lo; lag <= hi; lag++)
        if (corr[lag] > best) {
            best = corr[lag];
            best_lag = lag;
        }
    r[0] = corr[best_lag - 1];
    r[1] = corr[best_lag];
    r[2] = corr[best_lag + 1];
    free(corr);
    double den = r[0] - 2 * r[1] + r[2];
    double shift = den != 0.0 ? 0.5 * (r[0] - r[2]) / den : 0.0;
    return KIT_RATE / (best_lag + shift);
}

static void test_kitgen_lists_the_kit(void)
{
    CHECK_MSG(kit_count >= 14, "kitgen --list gave %d samples", kit_count);
    static const char *const needed[] = {
        "kick.wav", "kick808.wav", "snare.wav", "clap.wav", "rim.wav",
        "shaker.wav", "hat_closed.wav", "hat_open.wav", "bass808.wav",
        "epiano.wav", "pad.wav", "break.wav", "vinyl.wav",
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(needed); i++)
        CHECK_MSG(kit_find(needed[i]) != NULL, "%s missing", needed[i]);
}

static void test_regenerates_identical_bytes(void)
{
    char dir[] = "/tmp/hiss-kit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(run_kitgen(dir, NULL) == 0);
    int same = 0;
    for (int i = 0; i < kit_count; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "samples/%.63s", kit[i].file);
        snprintf(b, sizeof b, "%s/%.63s", dir, kit[i].file);
        size_t la = 0, lb = 0;
        char *da = test_read_file(a, &la), *db = test_read_file(b, &lb);
        CHECK_MSG(da != NULL, "%s unreadable", a);
        CHECK_MSG(db != NULL, "%s not written", b);
        if (da && db) {
            bool eq = la == lb && memcmp(da, db, la) == 0;
            CHECK_MSG(eq, "%s differs from a fresh kitgen run (%zu vs %zu bytes)",
                      a, la, lb);
            same += eq;
        }
        free(da);
        free(db);
    }
    CHECK(same == kit_count);
    /* Nothing but the kit is left behind: no temporary files. */
    DIR *d = opendir(dir);
    int entries = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        entries++;
        CHECK_MSG(kit_find(e->d_name) != NULL, "stray file %s", e->d_name);
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    CHECK(entries == kit_count);
    rmdir(dir);
}

static void test_every_wav_in_samples_is_generated(void)
{
    DIR *d = opendir("samples");
    CHECK(d != NULL);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && !strcmp(e->d_name + n - 4, ".wav"))
            CHECK_MSG(kit_find(e->d_name) != NULL,
                      "samples/%s is not made by kitgen", e->d_name);
    }
    if (d)
        closedir(d);
}

static void test_format_level_and_size(void)
{
    long total = 0;
    for (int i = 0; i < kit_count; i++) {
        SF_INFO info;
        float *x = read_wav(kit[i].file, &info);
        CHECK_MSG(x != NULL, "%s unreadable", kit[i].file);
        if (!x)
            continue;
        CHECK_MSG(info.samplerate == KIT_RATE, "%s: %d Hz", kit[i].file, info.samplerate);
        CHECK_MSG(info.channels == 1, "%s: %d channels", kit[i].file, info.channels);
        CHECK_MSG(info.format == (SF_FORMAT_WAV | SF_FORMAT_PCM_16),
                  "%s: format %x", kit[i].file, info.format);
        CHECK_MSG(info.frames == kit[i].frames, "%s: %ld frames, table says %u",
                  kit[i].file, (long)info.frames, kit[i].frames);
        double peak = 0, sum = 0;
        for (sf_count_t k = 0; k < info.frames; k++) {
            peak = fmax(peak, fabs(x[k]));
            sum += x[k];
        }
        double peak_db = 20 * log10(peak);
        CHECK_MSG(peak_db <= -0.9 && peak_db >= -1.5, "%s: peak %.2f dBFS",
                  kit[i].file, peak_db);
        CHECK_MSG(fabs(sum / info.frames) < 0.01, "%s: DC %.4f", kit[i].file,
                  sum / info.frames);
        /* A one-shot must not end in a click. */
        if (!kit[i].loop)
            CHECK_MSG(fabs(x[info.frames - 1]) < 0.01, "%s ends at %.3f",
                      kit[i].file, x[info.frames - 1]);
        total += 44 + 2 * (long)info.frames;
        free(x);
    }
    CHECK_MSG(total < 2L * 1000 * 1000, "kit is %ld bytes", total);
}

/* At the loop seam the waveform must continue as it does everywhere else
 * inside the loop: the jump from the last frame to the first, compared with
 * the straight-line prediction, is no bigger than the loop's own largest
 * curvature. */
static void test_loops_are_seamless(void)
{
    int loops = 0;
    for (int i = 0; i < kit_count; i++) {
        if (!kit[i].loop)
            continue;
        loops++;
        const KitRow *k = &kit[i];
        CHECK_MSG(k->end <= k->frames && k->start + 1000 < k->end,
                  "%s: loop %u..%u of %u", k->file, k->start, k->end, k->frames);
        SF_INFO info;
        float *x = read_wav(k->file, &info);
        CHECK_MSG(x != NULL, "%s unreadable", k->file);
        CHECK_MSG(!x || k->end <= info.frames, "%s: loop end %u past its %lld frames",
                  k->file, k->end, (long long)info.frames);
        if (!x || k->end > info.frames || k->start + 2 >= k->end) {
            free(x);
            continue;
        }
        double worst = 0;
        for (uint32_t f = k->start + 1; f + 1 < k->end; f++)
            worst = fmax(worst, fabs(x[f + 1] - 2 * x[f] + x[f - 1]));
        double predicted = 2.0 * x[k->end - 1] - x[k->end - 2];
        double seam = fabs(x[k->start] - predicted);
        CHECK_MSG(seam <= worst * 1.05 + 2.0 / 32768, "%s: seam %.5f, loop max %.5f",
                  k->file, seam, worst);
        free(x);
    }
    CHECK(loops >= 4); /* bass, pad, break, vinyl */
}

static void test_pitched_samples_play_their_base_note(void)
{
    static const struct {
        const char *file;
        double from_s; /* measure from here (the loop start if it loops) */
    } pitched[] = {{"bass808.wav", -1}, {"pad.wav", -1}, {"epiano.wav", 0.15}};
    for (size_t i = 0; i < HISS_ARRAY_LEN(pitched); i++) {
        const KitRow *k = kit_find(pitched[i].file);
        CHECK(k != NULL);
        if (!k)
            continue;
        double expect = note_hz(k->base);
        CHECK_MSG(expect > 0, "%s: bad base note %s", k->file, k->base);
        SF_INFO info;
        float *x = read_wav(k->file, &info);
        CHECK_MSG(x != NULL, "%s unreadable", k->file);
        if (!x || expect <= 0) {
            free(x);
            continue;
        }
        /* A looping sample is measured as it plays: its loop, unrolled. */
        uint32_t span = (uint32_t)(KIT_RATE / expect * 1.5) + 2;
        uint32_t len = 4 * span;
        float *y = calloc(len + span + 1, sizeof *y);
        CHECK(y != NULL);
        if (!y) {
            free(x);
            continue;
        }
        uint32_t from = (uint32_t)(pitched[i].from_s * KIT_RATE);
        for (uint32_t f = 0; f < len + span + 1; f++) {
            if (pitched[i].from_s < 0 && k->loop && k->end > k->start)
                y[f] = x[k->start + f % (k->end - k->start)];
            else
                y[f] = from + f < info.frames ? x[from + f] : 0.0f;
        }
        CHECK(pitched[i].from_s >= 0 || k->loop);
        double hz = measure_hz(y, 0, len, expect);
        double cents = 1200 * log2(hz / expect);
        CHECK_MSG(fabs(cents) < 5, "%s: %.2f Hz, base %s is %.2f Hz (%.1f cents)",
                  k->file, hz, k->base, expect, cents);
        free(y);
        free(x);
    }
}

/* Each documented 9xx chop (offset = xx * 256 source frames) starts a hit:
 * the energy just after the offset (plain, or high-passed for hats) clearly
 * exceeds the energy just before it. */
static void test_break_chops_land_on_hits(void)
{
    static const int chops[] = {0x00, 0x27, 0x3A, 0x61, 0x74, 0x9B, 0xAE, 0xD5};
    const KitRow *k = kit_find("break.wav");
    CHECK(k != NULL);
    SF_INFO info;
    float *x = k ? read_wav(k->file, &info) : NULL;
    CHECK(x != NULL);
    if (!x)
        return;
    const int win = 441;
    for (size_t i = 0; i < HISS_ARRAY_LEN(chops); i++) {
        long at = chops[i] * 256L;
        CHECK(at + win + 1 < info.frames);
        double before = 1e-12, after = 0, hp_before = 1e-12, hp_after = 0;
        for (int f = 1; f <= win; f++) {
            /* The loop wraps: before the first chop is the end of the file. */
            long b = (at - f + info.frames) % info.frames;
            long bp = (b - 1 + info.frames) % info.frames;
            before += x[b] * x[b];
            after += x[at + f] * x[at + f];
            hp_before += (x[b] - x[bp]) * (x[b] - x[bp]);
            hp_after += (x[at + f] - x[at + f - 1]) * (x[at + f] - x[at + f - 1]);
        }
        double ratio = fmax(after / before, hp_after / hp_before);
        CHECK_MSG(ratio > 2.0, "chop %02X: after/before %.2f", chops[i], ratio);
    }
    free(x);
}

/* The kit's files carry their loop and root note (smpl chunk), and the
 * break its hits as cue points, so loading one applies them untyped. */
static void test_files_carry_loop_base_and_hits(void)
{
    for (int i = 0; i < kit_count; i++) {
        const KitRow *k = &kit[i];
        char path[sizeof k->file + 16];
        snprintf(path, sizeof path, "samples/%.63s", k->file);
        Sample *s = NULL;
        SampleioInfo info;
        HissDiag diag = {{0}};
        CHECK_MSG(sampleio_load(path, &s, &info, &diag) == HISS_OK, "%s", diag.text);
        if (!s)
            continue;
        CHECK_MSG(!info.note[0], "%s: %s", k->file, info.note);
        const SampleMarks *m = &s->marks;
        if (k->loop)
            CHECK_MSG(m->loop == SAMPLE_LOOP_FORWARD && m->loop_start == k->start &&
                          m->loop_end == k->end,
                      "%s: file loop %d %u..%u, table %u..%u", k->file, (int)m->loop,
                      m->loop_start, m->loop_end, k->start, k->end);
        else
            CHECK_MSG(m->loop == SAMPLE_LOOP_NONE, "%s: loops in the file", k->file);
        uint8_t base = 0;
        CHECK(song_note_parse(k->base, &base));
        CHECK_MSG(m->root_note == base || (!m->root_note && base == NOTE_C4),
                  "%s: root note %d, table %s", k->file, m->root_note, k->base);
        if (!strcmp(k->file, "break.wav")) {
            static const int chops[] = {0x00, 0x27, 0x3A, 0x61, 0x74, 0x9B, 0xAE, 0xD5};
            CHECK_MSG(m->cue_count == (int)HISS_ARRAY_LEN(chops), "break: %d cues",
                      m->cue_count);
            for (int c = 0; c < m->cue_count && c < (int)HISS_ARRAY_LEN(chops); c++)
                CHECK_MSG(m->cues[c] == (uint32_t)chops[c] * 256, "break cue %d at %u",
                          c, m->cues[c]);
        } else {
            CHECK_MSG(m->cue_count == 0, "%s: %d cues", k->file, m->cue_count);
        }
        sample_release(s);
    }
}

/* A song that names a kit file and nothing else gets the file's loop,
 * base and slices; one that gives them keeps its own. */
static void test_song_takes_the_kit_marks(void)
{
    char dir[] = "/tmp/hiss-kit-marks-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char cwd[1024], song[1200], text[8192];
    _Static_assert(sizeof text > 4 * sizeof cwd + 512, "room for the song");
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(song, sizeof song, "%s/marks.hiss", dir);
    snprintf(text, sizeof text,
             "hiss 1\n"
             "instrument 01 \"brk\" sample \"%s/samples/break.wav\"\n"
             "instrument 02 \"bass\" sample \"%s/samples/bass808.wav\"\n"
             "instrument 03 \"own\" sample \"%s/samples/pad.wav\" base C-5 "
             "loop off 0 0 slices 0\n"
             "instrument 04 \"brk2\" sample \"%s/samples/break.wav\" loop pingpong 0 100\n",
             cwd, cwd, cwd, cwd);
    test_write_text(song, text);
    Song *sg = NULL;
    HissDiag diag = {{0}};
    SongioWarnings w;
    songio_warnings_init(&w);
    CHECK_MSG(songio_load(song, 48000, &sg, &diag, &w) == HISS_OK, "%s", diag.text);
    CHECK_MSG(w.count == 0, "%s", w.count ? w.items[0].text : "");
    if (sg) {
        const Instrument *brk = song_instrument(sg, 1), *bass = song_instrument(sg, 2);
        const Instrument *own = song_instrument(sg, 3), *brk2 = song_instrument(sg, 4);
        CHECK(brk->loop == LOOP_FORWARD && brk->loop_start == 0 && brk->loop_end == 59392);
        CHECK(brk->slice_count == 8 && brk->slices[1] == 0x27 * 256 &&
              brk->slices[7] == 0xD5 * 256);
        CHECK(bass->loop == LOOP_FORWARD && bass->loop_start == 22050 &&
              bass->loop_end == 26096);
        CHECK(bass->base_note == NOTE_C4 - 24);
        CHECK(own->loop == LOOP_OFF && own->base_note == NOTE_C4 + 12 &&
              own->slice_count == 0);
        /* The second instrument on the break shares the first one's
         * sample and still takes the cue points but keeps its loop. */
        CHECK(brk2->sample == brk->sample);
        CHECK(brk2->loop == LOOP_PINGPONG && brk2->loop_end == 100 &&
              brk2->slice_count == 8);
        /* Saved, the taken values are written out and read back the same. */
        char *out = NULL;
        size_t len = 0;
        CHECK(songfile_format(sg, &out, &len) == HISS_OK);
        CHECK(out && strstr(out, "loop forward 0 59392 interp linear slices 8 0 9984 "
                                 "14848 24832 29696 39680 44544 54528\n"));
        CHECK(out && strstr(out, "base C-5 finetune 0 loop off 0 0 interp linear "
                                 "slices 0\n"));
        free(out);
        song_free(sg);
    }
    songio_warnings_deinit(&w);
    unlink(song);
    rmdir(dir);
}

/* Every instrument of the demo (and the other example songs) that plays a
 * kit file uses the kit's base note and, when it loops, the kit's loop. */
static void check_song_against_kit(const char *song)
{
    FILE *f = fopen(song, "r");
    CHECK_MSG(f != NULL, "%s missing", song);
    if (!f)
        return;
    char line[4096];
    int used = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (strncmp(line, "instrument ", 11))
            continue;
        char path[1024], base[8], loop[16];
        unsigned start, end;
        const char *s = strstr(line, " sample \"");
        const char *b = strstr(line, " base ");
        const char *l = strstr(line, " loop ");
        CHECK_MSG(s && b && l, "%s:%d: instrument line without sample/base/loop", song,
                  lineno);
        if (!s || !b || !l || sscanf(s, " sample \"%1023[^\"]\"", path) != 1
            || sscanf(b, " base %7s", base) != 1
            || sscanf(l, " loop %15s %u %u", loop, &start, &end) != 3) {
            CHECK_MSG(false, "%s:%d: unreadable instrument line", song, lineno);
            continue;
        }
        const char *prefix = "../samples/";
        if (strncmp(path, prefix, strlen(prefix)))
            continue;
        const KitRow *k = kit_find(path + strlen(prefix));
        CHECK_MSG(k != NULL, "%s:%d: %s is not in the kit", song, lineno, path);
        if (!k)
            continue;
        used++;
        CHECK_MSG(!strcmp(base, k->base), "%s:%d: %s base %s, kit says %s", song,
                  lineno, path, base, k->base);
        if (strcmp(loop, "off"))
            CHECK_MSG(k->loop && start == k->start && end == k->end,
                      "%s:%d: %s loop %u..%u, kit says %u..%u", song, lineno, path,
                      start, end, k->start, k->end);
    }
    fclose(f);
    CHECK_MSG(used > 0, "%s uses no kit sample", song);
}

static void test_example_songs_agree_with_kit(void)
{
    check_song_against_kit("patterns/demo.hiss");
    DIR *d = opendir("patterns");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 5 && !strcmp(e->d_name + n - 5, ".hiss")
            && strcmp(e->d_name, "demo.hiss")) {
            char p[512];
            snprintf(p, sizeof p, "patterns/%s", e->d_name);
            check_song_against_kit(p);
        }
    }
    if (d)
        closedir(d);
}

static Song *load_song(const char *path, char **text, size_t *len)
{
    HissDiag diag = {{0}};
    *text = NULL;
    if (fileio_read_all(path, SONGFILE_MAX_BYTES, text, len, &diag) != HISS_OK) {
        CHECK_MSG(false, "%s", diag.text);
        return NULL;
    }
    Song *song = NULL;
    HissError err = songfile_parse(*text, *len, path, &song, &diag);
    CHECK_MSG(err == HISS_OK, "%s", diag.text);
    return err == HISS_OK ? song : NULL;
}

/* Every example song parses, is in the canonical form hiss itself writes
 * (so opening and saving one changes nothing), and every sample it names
 * loads. */
static void test_example_songs_load_and_are_canonical(void)
{
    DIR *d = opendir("patterns");
    CHECK(d != NULL);
    struct dirent *e;
    int songs = 0;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= 5 || strcmp(e->d_name + n - 5, ".hiss"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "patterns/%s", e->d_name);
        char *text;
        size_t len;
        Song *song = load_song(path, &text, &len);
        if (song) {
            songs++;
            char *out = NULL;
            size_t out_len = 0;
            CHECK(songfile_format(song, &out, &out_len) == HISS_OK);
            CHECK_MSG(out && out_len == len && !memcmp(out, text, len),
                      "%s is not in canonical form", path);
            free(out);
            for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
                const Instrument *inst = song_instrument(song, slot);
                if (!inst)
                    continue;
                char sample_path[2048];
                snprintf(sample_path, sizeof sample_path, "patterns/%s", inst->path);
                Sample *sample = NULL;
                HissDiag diag = {{0}};
                CHECK_MSG(sampleio_load(sample_path, &sample, NULL, &diag) == HISS_OK,
                          "%s: %s", path, diag.text);
                if (sample && inst->loop != LOOP_OFF)
                    CHECK_MSG(inst->loop_end <= sample->frames,
                              "%s: %s loop ends past the sample", path, inst->path);
                if (sample)
                    sample_release(sample);
            }
            song_free(song);
        }
        free(text);
    }
    if (d)
        closedir(d);
    CHECK(songs >= 2);
}

static bool song_uses(const Song *song, char fx, int channel_from, int channel_to)
{
    for (int o = 0; o < song->order_count; o++) {
        const Pattern *p = song_pattern(song, song->orders[o]);
        for (int r = 0; p && r < p->rows; r++)
            for (int c = channel_from; c <= channel_to && c < p->channels; c++) {
                Cell cell = song_pattern_get(p, r, c);
                if (cell.fx == fx || cell.fx2 == fx)
                    return true;
            }
    }
    return false;
}

static bool channel_plays(const Song *song, int channel, const char *file)
{
    for (int o = 0; o < song->order_count; o++) {
        const Pattern *p = song_pattern(song, song->orders[o]);
        for (int r = 0; p && channel < p->channels && r < p->rows; r++) {
            Cell cell = song_pattern_get(p, r, channel);
            const Instrument *inst = cell.instrument ? song_instrument(song, cell.instrument)
                                                     : NULL;
            if (inst && strstr(inst->path, file))
                return true;
        }
    }
    return false;
}

static int channel_of(const Song *song, const char *file)
{
    for (int c = 0; c < song->channels; c++)
        if (channel_plays(song, c, file))
            return c;
    return -1;
}

/* The demo is the first thing a new user hears: a whole lo-fi beat that
 * ends by itself and shows off the tracker's moves. */
static void test_demo_is_a_whole_beat(void)
{
    char *text;
    size_t len;
    Song *song = load_song("patterns/demo.hiss", &text, &len);
    free(text);
    if (!song)
        return;
    CHECK(song->bpm_tenths >= 800 && song->bpm_tenths <= 920);
    CHECK(song->speed == 6);
    CHECK(song->rows_per_beat == 4);
    /* Headroom: every channel's fader and the master together below 0 dB
     * (render_levels.sh measures the rendered demo). */
    for (int c = 0; c < song->channels; c++)
        CHECK_MSG(song->master_gain_tenth_db + song->strips[c].gain_tenth_db < 0,
                  "channel %d", c + 1);
    int rows = 0, distinct = 0;
    bool seen[SONG_MAX_PATTERNS] = {false};
    for (int o = 0; o < song->order_count; o++) {
        const Pattern *p = song_pattern(song, song->orders[o]);
        CHECK(p != NULL);
        rows += p ? p->rows : 0;
        if (!seen[song->orders[o]])
            distinct++;
        seen[song->orders[o]] = true;
    }
    CHECK_MSG(rows >= 256, "%d rows", rows);
    CHECK_MSG(distinct >= 4, "%d distinct patterns", distinct);
    /* It ends: no position jump that could loop it. */
    CHECK(!song_uses(song, 'B', 0, SONG_MAX_CHANNELS - 1));
    int bass = channel_of(song, "bass808.wav"), brk = channel_of(song, "break.wav");
    int vinyl = channel_of(song, "vinyl.wav"), hat = channel_of(song, "hat_closed.wav");
    CHECK(bass >= 0 && brk >= 0 && vinyl >= 0 && hat >= 0);
    CHECK(channel_of(song, "kick.wav") >= 0 && channel_of(song, "snare.wav") >= 0);
    CHECK(channel_of(song, "epiano.wav") >= 0 && channel_of(song, "pad.wav") >= 0);
    if (bass >= 0)
        CHECK_MSG(song_uses(song, '3', bass, bass), "no 808 glide");
    if (brk >= 0)
        CHECK_MSG(song_uses(song, '9', brk, brk), "no break chop");
    if (hat >= 0)
        CHECK_MSG(song_uses(song, 'R', hat, hat), "no hat roll");
    CHECK_MSG(song_uses(song, 'E', 0, SONG_MAX_CHANNELS - 1), "no note delay swing");
    CHECK_MSG(song_uses(song, 'A', 0, SONG_MAX_CHANNELS - 1), "no volume slide");
    /* The crackle loops under everything, started once. */
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *inst = song_instrument(song, slot);
        if (inst && strstr(inst->path, "vinyl.wav"))
            CHECK(inst->loop == LOOP_FORWARD);
        /* Shaped as a lo-fi producer would: a filtered pad, a crushed
         * break, hats that choke each other, a gliding 808. */
        if (inst && strstr(inst->path, "pad.wav"))
            CHECK_MSG(inst->shape[SHAPE_FILTER] != SHAPE_FILTER_OFF &&
                          inst->shape[SHAPE_FILTER_ENV] != 0, "pad not filtered");
        if (inst && strstr(inst->path, "break.wav"))
            CHECK_MSG(inst->shape[SHAPE_CRUSH_BITS] || inst->shape[SHAPE_CRUSH_RATE],
                      "break not crushed");
        if (inst && strstr(inst->path, "hat_"))
            CHECK_MSG(inst->shape[SHAPE_CHOKE] == 1, "%s not in the hats' choke group",
                      inst->path);
        if (inst && strstr(inst->path, "bass808.wav"))
            CHECK_MSG(inst->shape[SHAPE_VOICE_MODE] == SHAPE_MODE_LEGATO &&
                          inst->shape[SHAPE_GLIDE] > 0, "808 does not glide");
    }
    song_free(song);
}

static void test_kitgen_fails_cleanly(void)
{
    CHECK(run_kitgen("/proc/hiss-no-such-dir/kit", NULL) == 1);
    CHECK(run_kitgen("--help", NULL) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(kitgen, kitgen, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2);
}

int main(void)
{
    const char *build = getenv("BUILD");
    snprintf(kitgen, sizeof kitgen, "%s/tools/kitgen", build && *build ? build : "build");
    load_table();
    RUN(test_kitgen_lists_the_kit);
    RUN(test_regenerates_identical_bytes);
    RUN(test_every_wav_in_samples_is_generated);
    RUN(test_format_level_and_size);
    RUN(test_loops_are_seamless);
    RUN(test_pitched_samples_play_their_base_note);
    RUN(test_break_chops_land_on_hits);
    RUN(test_files_carry_loop_base_and_hits);
    RUN(test_song_takes_the_kit_marks);
    RUN(test_example_songs_agree_with_kit);
    RUN(test_example_songs_load_and_are_canonical);
    RUN(test_demo_is_a_whole_beat);
    RUN(test_kitgen_fails_cleanly);
    return test_finish();
}
