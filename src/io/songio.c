#include "songio.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "loader.h"
#include "sampleio.h"
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
    if (sample && inst->loop != LOOP_OFF &&
        (inst->loop_end > sample->frames || inst->loop_start >= inst->loop_end))
        songio_warnings_add(warnings, slot, HISS_OK,
                            "%s: instrument %02X '%s': loop %u..%u does not fit the "
                            "sample's %u frames",
                            song_name, slot, inst->name, inst->loop_start,
                            inst->loop_end, sample->frames);
}

/* The sinc mode's octave levels for inst's sample, which nothing else
 * holds yet. Without them the sample still plays right (a wider kernel,
 * at a higher cost), so a failure is only a warning. */
static void add_levels(Instrument *inst, int slot, const char *song_name,
                       SongioWarnings *warnings)
{
    HissDiag d = {{0}};
    if (inst->sample->level_count == 0 && sampleio_add_levels(inst->sample, &d) != HISS_OK)
        songio_warnings_add(warnings, slot, HISS_OK, "%s: instrument %02X '%s': %s",
                            song_name, slot, inst->name, d.text);
}

static void add_sinc_levels(Song *song, const char *song_name, SongioWarnings *warnings)
{
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument(song, slot);
        if (inst && inst->sample && inst->interp == INTERP_SINC)
            add_levels(inst, slot, song_name, warnings);
    }
}

void songio_add_sinc_levels(Song *song, SongioWarnings *warnings)
{
    add_sinc_levels(song, "<song>", warnings);
}

HissError songio_load_instrument(Instrument *inst, int slot, const char *song_path,
                                 uint32_t session_rate, SongioWarnings *warnings)
{
    (void)session_rate; /* samples keep their own rate */
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
    if (inst->interp == INTERP_SINC)
        add_levels(inst, slot, song_name, warnings);
    if (info.note[0])
        songio_warnings_add(warnings, slot, HISS_OK, "%s: instrument %02X '%s': %s: %s",
                            song_name, slot, inst->name, inst->path, info.note);
    check_loop(inst, slot, song_name, warnings);
    return HISS_OK;
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

HissError songio_load(const char *path, uint32_t session_rate, Song **out,
                      HissDiag *diag, SongioWarnings *warnings)
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
            songio_load_instrument(inst, slot, path, session_rate, warnings);
        }
    }
    /* A sinc instrument sharing the file of an earlier one. */
    add_sinc_levels(song, path, warnings);
    *out = song;
    return HISS_OK;
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

