#include "songio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "loader.h"
#include "mixer.h"
#include "sampleio.h"
#include "sinc.h"
#include "songfile.h"

void songio_warnings_init(SongioWarnings *w)
{
    memset(w, 0, sizeof *w);
}

void songio_warnings_deinit(SongioWarnings *w)
{
    free(w->items);
    memset(w, 0, sizeof *w);
}

void songio_warnings_clear(SongioWarnings *w)
{
    w->count = 0;
    w->dropped = 0;
}

void songio_warnings_add(SongioWarnings *w, int slot, HissError kind,
                         const char *fmt, ...)
{
    if (!w)
        return;
    if (w->count == w->capacity) {
        int cap = w->capacity ? w->capacity * 2 : 8;
        if (cap > SONGIO_MAX_WARNINGS)
            cap = SONGIO_MAX_WARNINGS;
        SongioWarning *items =
            cap > w->capacity ? realloc(w->items, (size_t)cap * sizeof *items) : NULL;
        if (!items) {
            w->dropped++;
            return;
        }
        w->items = items;
        w->capacity = cap;
    }
    SongioWarning *item = &w->items[w->count++];
    item->slot = slot;
    item->kind = kind;
    item->damaged = false;
    va_list ap;
    va_start(ap, fmt);
    hiss_text_vformat(item->text, sizeof item->text, fmt, ap);
    va_end(ap);
}

int songio_warnings_missing(const SongioWarnings *w)
{
    int n = 0;
    for (int i = 0; i < w->count; i++)
        if (w->items[i].kind != HISS_OK)
            n++;
    return n;
}

bool songio_resolve(const char *song_path, const char *sample_path, char *out,
                    size_t size)
{
    const char *slash = song_path ? strrchr(song_path, '/') : NULL;
    int n;
    if (sample_path[0] == '/' || !slash)
        n = snprintf(out, size, "%s", sample_path);
    else
        n = snprintf(out, size, "%.*s/%s", (int)(slash - song_path), song_path,
                     sample_path);
    return n >= 0 && (size_t)n < size;
}

/* The directory part of a path, made absolute and free of symlinks. */
static bool real_dir_of(const char *path, char out[PATH_MAX])
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        return false;
    return realpath(dir, out) != NULL;
}

/* Splits an absolute path into its components, resolving "." and ".."
 * without touching the file system (for files that may not exist). */
static int split_components(char *path, char *parts[], int max)
{
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(path, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            if (n > 0)
                n--;
            continue;
        }
        if (n == max)
            return -1;
        parts[n++] = tok;
    }
    return n;
}

bool songio_rebase_path(const char *old_song, const char *new_song,
                        const char *sample_path, char *out, size_t size)
{
    if (sample_path[0] == '/' || !sample_path[0]) {
        int n = snprintf(out, size, "%s", sample_path);
        return n >= 0 && (size_t)n < size;
    }
    char old_dir[PATH_MAX], new_dir[PATH_MAX], target[PATH_MAX * 2];
    if (!real_dir_of(old_song, old_dir) || !real_dir_of(new_song, new_dir))
        return false;
    snprintf(target, sizeof target, "%s/%s", old_dir, sample_path);
    char resolved[PATH_MAX];
    if (realpath(target, resolved))
        snprintf(target, sizeof target, "%s", resolved);

    enum { MAX_PARTS = 512 };
    char *from[MAX_PARTS], *to[MAX_PARTS];
    int nf = split_components(new_dir, from, MAX_PARTS);
    int nt = split_components(target, to, MAX_PARTS);
    if (nf < 0 || nt < 1)
        return false;
    int common = 0;
    while (common < nf && common < nt - 1 && !strcmp(from[common], to[common]))
        common++;
    size_t used = 0;
    out[0] = '\0';
    for (int i = common; i < nf; i++) {
        int n = snprintf(out + used, size - used, "../");
        if (n < 0 || (size_t)n >= size - used)
            return false;
        used += (size_t)n;
    }
    for (int i = common; i < nt; i++) {
        int n = snprintf(out + used, size - used, "%s%s", to[i], i + 1 < nt ? "/" : "");
        if (n < 0 || (size_t)n >= size - used)
            return false;
        used += (size_t)n;
    }
    return true;
}

/* sampleio names the file it was given at the start of its message; the
 * warning names the path as the song writes it instead, so strip it. */
static const char *reason_of(const HissDiag *d, const char *resolved)
{
    size_t n = strlen(resolved);
    if (!strncmp(d->text, resolved, n) && !strncmp(d->text + n, ": ", 2))
        return d->text + n + 2;
    return d->text;
}

static void check_loop(const Instrument *inst, int slot, const char *song_name,
                       SongioWarnings *warnings)
{
    const Sample *sample = inst->sample;
    if (!sample || inst->loop == LOOP_OFF)
        return;
    /* An end of 0 is the sample's end, as the mixer plays it. */
    uint32_t end = inst->loop_end ? inst->loop_end : sample->frames;
    if (end > sample->frames || inst->loop_start >= end)
        songio_warnings_add(warnings, slot, HISS_OK,
                            "%s: instrument %02X '%s': loop %u..%u does not fit the "
                            "sample's %u frames",
                            song_name, slot, inst->name, inst->loop_start,
                            inst->loop_end, sample->frames);
}

enum { UNROLLED_LEVELS_MOST = 4 };

/* The octave levels a voice at steps up to `step` reads: level k from a
 * step of 2^k. */
static int octave_levels_read(double step)
{
    int levels = 0;
    while (levels < SAMPLE_OCTAVE_LEVELS && step >= 2.0) {
        step /= 2.0;
        levels++;
    }
    return levels;
}

/* The fine levels a voice at steps up to `step` reads: as the mixer
 * chooses, level j serves steps that bring it to SINC_FINE_MAX_STEP of
 * its frames or below (about 1.1 x 2^(j/5)); level 0 every step up to
 * 1.1. A step a hair over a boundary (in double rather than the mixer's
 * 32.32) gets the level past it too. */
static int fine_levels_read(double step)
{
    const double widest = (double)SINC_FINE_MAX_STEP / 0x1p32;
    int levels = 1;
    while (levels < SAMPLE_MAX_LEVELS &&
           step * (1 + 1e-9) * (double)sample_fine_ratio(levels - 1) / 0x1p32 > widest)
        levels++;
    return levels;
}

/* The sinc mode's levels for inst's sample, for steps up to `step`, which
 * nothing else holds yet: the sample's own for a one-shot played forwards,
 * else the sample unrolled as the instrument loops it. Fine levels when
 * they fit sampleio's budget, else octave levels (none below a step of
 * 2). Without them the sample still plays right (a wider kernel, at a
 * higher cost), so a failure is only a warning. */
static void add_levels(Instrument *inst, int slot, double step, const char *song_name,
                       SongioWarnings *warnings)
{
    HissDiag d = {{0}};
    bool reverse;
    LoopMode loop;
    uint32_t start, end;
    mixer_played_loop(inst, &reverse, &loop, &start, &end);
    bool unrolled = loop != LOOP_OFF || reverse;
    int fine = fine_levels_read(step);
    bool fits = sampleio_fine_fits(inst->sample, fine, unrolled);
    int most = octave_levels_read(step);
    HissError err = HISS_OK;
    /* An unrolled sound grows by about 800 frames of its deepest octave
     * level (sampleio.h): four levels serve steps up to 32, and a wider
     * kernel beyond (up to 64 without aliasing). */
    if (unrolled && (fits || most))
        err = sampleio_add_loop_levels(inst->sample, reverse, (SampleLoop)loop, start, end,
                                       fits ? fine
                                            : most < UNROLLED_LEVELS_MOST ? most
                                                                          : UNROLLED_LEVELS_MOST,
                                       fits, &d);
    else if (!unrolled && inst->sample->level_count == 0 && fits)
        err = sampleio_add_fine_levels(inst->sample, fine, &d);
    else if (!unrolled && inst->sample->level_count == 0 && most)
        err = sampleio_add_levels_upto(inst->sample, most, &d);
    if (err)
        songio_warnings_add(warnings, slot, HISS_OK, "%s: instrument %02X '%s': %s",
                            song_name, slot, inst->name, d.text);
}

/* The highest note the song's patterns give each instrument slot: a note
 * without an instrument number plays the channel's last one, and one
 * before any number in its pattern counts for every slot (highest[0]). */
static void highest_notes(const Song *song, uint8_t highest[SONG_MAX_INSTRUMENTS + 1])
{
    memset(highest, 0, SONG_MAX_INSTRUMENTS + 1);
    for (int p = 0; p < SONG_MAX_PATTERNS; p++) {
        const Pattern *pat = song_pattern(song, p);
        for (int c = 0; pat && c < pat->channels; c++) {
            int slot = 0;
            for (int r = 0; r < pat->rows; r++) {
                Cell cell = song_pattern_get(pat, r, c);
                if (cell.instrument)
                    slot = cell.instrument;
                if (cell.note >= NOTE_FIRST && cell.note <= NOTE_LAST &&
                    cell.note > highest[slot])
                    highest[slot] = cell.note;
            }
        }
    }
}

/* The highest step (sample frames per output frame) the song's notes
 * play inst's sample at, at `rate`: the levels they read (hiss(5), sinc).
 * Building a level costs about 400 multiply-adds a frame of the sound
 * (octave levels, libsamplerate's best converter, more), so an
 * instrument gets only the levels its notes read;
 * slides, arpeggios and notes played live above them still sound right
 * without deeper levels up to a step of 4, only at a higher cost. */
static double highest_step(const Instrument *inst, int highest, uint32_t rate)
{
    if (!rate)
        return INFINITY;
    double x = (highest - (int)inst->base_note) / 12.0 +
               hiss_clampi(inst->finetune, -100, 100) / 1200.0;
    return exp2(x) * inst->sample->rate / rate;
}

static void add_sinc_levels(Song *song, uint32_t rate, const char *song_name,
                            SongioWarnings *warnings)
{
    uint8_t highest[SONG_MAX_INSTRUMENTS + 1];
    highest_notes(song, highest);
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument(song, slot);
        if (!inst || !inst->sample || inst->interp != INTERP_SINC)
            continue;
        add_levels(inst, slot,
                   highest_step(inst, highest[slot] > highest[0] ? highest[slot] : highest[0],
                                rate),
                   song_name, warnings);
    }
}

void songio_add_sinc_levels(Song *song, uint32_t rate, SongioWarnings *warnings)
{
    add_sinc_levels(song, rate, "<song>", warnings);
}

/* Loads inst's sample; with `levels`, a sinc instrument's levels too. */
static HissError load_instrument(Instrument *inst, int slot, const char *song_path,
                                 bool levels, SongioWarnings *warnings)
{
    const char *song_name = song_path ? song_path : "<song>";
    sample_release(inst->sample);
    inst->sample = NULL;
    inst->missing = false;
    if (!inst->path[0])
        return HISS_OK; /* an instrument with no sample: silent by design */

    char resolved[SONG_PATH_MAX + 4096];
    if (!songio_resolve(song_path, inst->path, resolved, sizeof resolved)) {
        inst->missing = true;
        songio_warnings_add(warnings, slot, HISS_ERR_RANGE,
                            "%s: instrument %02X '%s': sample path too long: %s",
                            song_name, slot, inst->name, inst->path);
        return HISS_ERR_RANGE;
    }
    Sample *sample = NULL;
    SampleioInfo info;
    HissDiag d = {{0}};
    HissError err = sampleio_load(resolved, &sample, &info, &d);
    if (err) {
        inst->missing = true;
        const char *verb = err == HISS_ERR_MISSING || err == HISS_ERR_IO
                               ? "cannot open"
                               : "cannot load";
        songio_warnings_add(warnings, slot, err, "%s: instrument %02X '%s': %s %s: %s",
                            song_name, slot, inst->name, verb, inst->path,
                            reason_of(&d, resolved));
        return err;
    }
    inst->sample = sample;
    song_instrument_take_marks(inst);
    if (levels && inst->interp == INTERP_SINC)
        add_levels(inst, slot, INFINITY, song_name, warnings);
    if (info.note[0]) {
        int before = warnings ? warnings->count : 0;
        songio_warnings_add(warnings, slot, HISS_OK, "%s: instrument %02X '%s': %s: %s",
                            song_name, slot, inst->name, inst->path, info.note);
        if (warnings && warnings->count > before)
            warnings->items[warnings->count - 1].damaged = info.damaged;
    }
    check_loop(inst, slot, song_name, warnings);
    return HISS_OK;
}

HissError songio_load_instrument(Instrument *inst, int slot, const char *song_path,
                                 uint32_t session_rate, SongioWarnings *warnings)
{
    (void)session_rate; /* samples keep their own rate */
    return load_instrument(inst, slot, song_path, true, warnings);
}

/* An earlier instrument of the song that loaded the same file. */
static const Instrument *loaded_twin(const Song *song, int slot, const char *path)
{
    for (int i = 1; i < slot; i++) {
        const Instrument *other = song_instrument(song, i);
        if (other && other->sample && !strcmp(other->path, path))
            return other;
    }
    return NULL;
}

typedef struct {
    SongioWarnings *warnings;
    const char *path;
} ReportContext;

/* A conversion's loss, one line per kind, as a note among the warnings. */
static void report_to_warning(void *ctx, const char *line)
{
    const ReportContext *rc = ctx;
    songio_warnings_add(rc->warnings, 0, HISS_OK, "%s: import: %s", rc->path, line);
}

static HissError load_song(const char *path, uint32_t session_rate, const InterpMode *interp,
                           Song **out, HissDiag *diag, SongioWarnings *warnings)
{
    *out = NULL;
    Song *song = NULL;
    LoaderReport report;
    loader_report_init(&report);
    HissError err = loader_load_file_report(path, &song, diag, &report);
    ReportContext rc = {warnings, path};
    loader_report_summary(&report, report_to_warning, &rc);
    loader_report_free(&report);
    if (err)
        return err;
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument(song, slot);
        /* A converted module's instruments bring their samples. */
        if (!inst || inst->sample)
            continue;
        /* Instruments playing one file (different notes, loops, volumes)
         * share its Sample instead of loading and converting it again. */
        const Instrument *twin = inst->path[0] ? loaded_twin(song, slot, inst->path) : NULL;
        if (twin) {
            inst->sample = sample_retain(twin->sample);
            inst->missing = false;
            song_instrument_take_marks(inst);
            check_loop(inst, slot, path, warnings);
        } else {
            load_instrument(inst, slot, path, false, warnings);
        }
    }
    /* The song is ours alone until an engine plays it: plain stores do. */
    for (int slot = 1; interp && slot <= SONG_MAX_INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument(song, slot);
        if (inst)
            inst->interp = *interp;
    }
    /* Levels once every sample is in, the notes are known and the modes
     * are final (a song forced off sinc builds none). */
    add_sinc_levels(song, session_rate, path, warnings);
    *out = song;
    return HISS_OK;
}

HissError songio_load(const char *path, uint32_t session_rate, Song **out,
                      HissDiag *diag, SongioWarnings *warnings)
{
    return load_song(path, session_rate, NULL, out, diag, warnings);
}

HissError songio_load_interp(const char *path, uint32_t session_rate, InterpMode interp,
                             Song **out, HissDiag *diag, SongioWarnings *warnings)
{
    return load_song(path, session_rate, &interp, out, diag, warnings);
}

HissError songio_save(const Song *song, const char *path, int backups,
                      HissDiag *diag)
{
    char *text = NULL;
    size_t len = 0;
    HissError err = songfile_format(song, &text, &len);
    if (err) {
        hiss_diag_set(diag, path, 0, 0, "cannot format the song: %s",
                      hiss_strerror(err));
        return err;
    }
    err = fileio_write_atomic(path, text, len, backups, diag);
    free(text);
    return err;
}


bool songio_has_unsaved_samples(const Song *song)
{
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *inst = song_instrument(song, slot);
        if (inst && inst->sample && !inst->path[0])
            return true;
    }
    return false;
}

/* "03-kick drum!" -> "03-kick_drum_": names that every file system and
 * shell takes; copy 2 and up: "03-kick_drum-2". */
static void sample_file_name(int slot, const char *name, int copy, char *out, size_t size)
{
    char clean[SONG_NAME_MAX];
    size_t n = 0;
    for (const char *c = name; *c && n + 1 < sizeof clean; c++) {
        unsigned char ch = (unsigned char)*c;
        bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_' || ch == '.';
        clean[n++] = ok ? (char)ch : '_';
    }
    while (n && (clean[n - 1] == '_' || clean[n - 1] == '.' || clean[n - 1] == ' '))
        n--;
    clean[n] = 0;
    char number[16] = "";
    if (copy > 1)
        snprintf(number, sizeof number, "-%d", copy);
    int wrote = snprintf(out, size, "%02X%s%s%s.wav", slot, n ? "-" : "", clean, number);
    /* Too long for out: the slot number and copy alone still name it
     * apart from every other slot's file. */
    if (wrote < 0 || (size_t)wrote >= size)
        wrote = snprintf(out, size, "%02X%s.wav", slot, number);
    (void)wrote;
}

/* Whether the regular file at path already holds exactly this sound (its
 * rate, channels and every float frame): converting the same module again
 * then names that file instead of writing another copy beside it. */
static bool file_holds_sample(const char *path, const struct stat *st, const Sample *sample)
{
    if (!S_ISREG(st->st_mode))
        return false;
    SampleioAudio audio;
    HissDiag ignored = {{0}};
    if (sampleio_read(path, &audio, NULL, &ignored) != HISS_OK)
        return false;
    bool same = audio.rate == sample->rate && audio.channels == sample->channels &&
                audio.count == sample->frames &&
                !memcmp(audio.frames, sample->data,
                        sizeof(float) * sample->frames * sample->channels);
    sampleio_audio_free(&audio);
    return same;
}

/* A sample file that is already in the folder may be one an older version
 * of the song (its backup) plays: the new one takes the first free name
 * instead of replacing it, unless a file of its name holds the same sound
 * (*written is then true: nothing to write). Fails when 99 copies are
 * there. */
static HissError free_sample_name(const char *folder, int slot, const Sample *sample,
                                  const char *name, char *file, size_t file_size, char *full,
                                  size_t full_size, bool *written, HissDiag *diag)
{
    for (int copy = 1; copy < 100; copy++) {
        sample_file_name(slot, name, copy, file, file_size);
        snprintf(full, full_size, "%s/%s", folder, file);
        struct stat st;
        if (lstat(full, &st) != 0) {
            if (errno == ENOENT)
                return HISS_OK;
            continue;
        }
        if (file_holds_sample(full, &st, sample)) {
            *written = true;
            return HISS_OK;
        }
    }
    hiss_diag_set(diag, full, 0, 0, "99 samples of that name are there already: "
                  "samples not written");
    return HISS_ERR_IO;
}

static HissError write_sample_wav(const Sample *sample, const char *path, HissDiag *diag)
{
    SampleioWriter *w = NULL;
    HissError err = sampleio_writer_open(path, sample->rate, sample->channels,
                                         SAMPLEIO_ENC_FLOAT, &w, diag);
    if (err)
        return err;
    err = sampleio_writer_write(w, sample->data, sample->frames, diag);
    if (err) {
        sampleio_writer_abort(w);
        return err;
    }
    return sampleio_writer_close(w, diag);
}

/* The folder for a converted song's samples: made when missing; anything
 * but a directory there (a link included) is refused. */
static HissError make_sample_folder(const char *folder, HissDiag *diag)
{
    struct stat st;
    if (lstat(folder, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return HISS_OK;
        hiss_diag_set(diag, folder, 0, 0, "exists and is not a folder: samples not written");
        return HISS_ERR_IO;
    }
    if (mkdir(folder, 0777) != 0) {
        hiss_diag_set(diag, folder, 0, 0, "cannot make the samples folder: %s",
                      strerror(errno));
        return HISS_ERR_IO;
    }
    return HISS_OK;
}

static void append_line(void *ctx, const char *line);

typedef struct {
    char *text;
    size_t len, cap;
    bool failed;
} TextOut;

static void text_add(TextOut *t, const char *line)
{
    size_t n = strlen(line);
    if (t->failed)
        return;
    if (t->len + n + 2 > t->cap) {
        size_t cap = (t->cap ? t->cap * 2 : 4096) + n;
        char *grown = realloc(t->text, cap);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->text = grown;
        t->cap = cap;
    }
    memcpy(t->text + t->len, line, n);
    t->len += n;
    t->text[t->len++] = '\n';
    t->text[t->len] = 0;
}

static void append_line(void *ctx, const char *line)
{
    text_add(ctx, line);
}

/* "NAME.import.txt": every note of source's conversion, one a line, after
 * the summary. */
static HissError write_import_report(const char *source, const char *report_path,
                                     HissDiag *diag)
{
    LoaderReport report;
    loader_report_init(&report);
    Song *again = NULL;
    HissError err = loader_load_file_report(source, &again, diag, &report);
    song_free(again);
    if (err) {
        loader_report_free(&report);
        return err;
    }
    TextOut t = {0};
    char line[LOADER_REPORT_TEXT + 300];
    snprintf(line, sizeof line, "hiss import report for %s", source);
    text_add(&t, line);
    if (!report.total)
        text_add(&t, "nothing was dropped or approximated");
    text_add(&t, "");
    text_add(&t, "summary:");
    loader_report_summary(&report, append_line, &t);
    text_add(&t, "");
    text_add(&t, "every place:");
    for (int i = 0; i < report.count; i++) {
        loader_note_format(&report.items[i], line, sizeof line);
        text_add(&t, line);
    }
    loader_report_free(&report);
    if (t.failed) {
        free(t.text);
        hiss_diag_set(diag, report_path, 0, 0, "out of memory");
        return HISS_ERR_NOMEM;
    }
    err = fileio_write_owned(report_path, t.text, t.len, diag);
    free(t.text);
    return err;
}

HissError songio_save_converted(Song *song, const char *path, const char *source,
                                int backups, SongioRetire retire, void *ctx,
                                HissDiag *diag)
{
    if (loader_is_foreign(path) || (source && !strcmp(path, source))) {
        hiss_diag_set(diag, path, 0, 0,
                      "would write over a module: save the song as a .hiss");
        return HISS_ERR_RANGE;
    }
    char base[SONG_PATH_MAX + 64];
    size_t n = strlen(path);
    if (hiss_has_suffix(path, ".hiss"))
        n -= 5;
    if (n + 32 >= sizeof base) {
        hiss_diag_set(diag, path, 0, 0, "name too long");
        return HISS_ERR_RANGE;
    }
    memcpy(base, path, n);
    base[n] = 0;
    char folder[sizeof base + 16];
    snprintf(folder, sizeof folder, "%s-samples", base);
    const char *slash = strrchr(folder, '/');
    const char *folder_name = slash ? slash + 1 : folder;

    if (songio_has_unsaved_samples(song)) {
        HissError err = make_sample_folder(folder, diag);
        if (err)
            return err;
    }
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument(song, slot);
        if (!inst || !inst->sample || inst->path[0])
            continue;
        char file[SONG_NAME_MAX + 16], full[sizeof folder + sizeof file + 2];
        bool written = false;
        HissError err = free_sample_name(folder, slot, inst->sample, inst->name, file,
                                         sizeof file, full, sizeof full, &written, diag);
        if (!err && !written)
            err = write_sample_wav(inst->sample, full, diag);
        if (err)
            return err;
        Instrument *named = song_instrument_clone(inst);
        if (!named) {
            hiss_diag_set(diag, path, 0, 0, "out of memory");
            return HISS_ERR_NOMEM;
        }
        int len = snprintf(named->path, sizeof named->path, "%s/%s", folder_name, file);
        if (len < 0 || (size_t)len >= sizeof named->path) {
            song_instrument_free(named);
            hiss_diag_set(diag, path, 0, 0, "name too long for a sample path");
            return HISS_ERR_RANGE;
        }
        atomic_store_explicit(&song->instruments[slot], named, memory_order_release);
        if (retire)
            retire(ctx, inst);
        else
            song_instrument_free(inst);
    }
    HissError err = songio_save(song, path, backups, diag);
    if (err || !source)
        return err;
    char report_path[sizeof base + 16];
    snprintf(report_path, sizeof report_path, "%s.import.txt", base);
    return write_import_report(source, report_path, diag);
}
