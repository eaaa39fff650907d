#include "songio.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "sampleio.h"
#include "songfile.h"

/* A message that is about no file in particular. */
static void diag_plain(HissDiag *diag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void diag_plain(HissDiag *diag, const char *fmt, ...)
{
    if (!diag)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->text, sizeof diag->text, fmt, ap);
    va_end(ap);
}

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
    vsnprintf(item->text, sizeof item->text, fmt, ap);
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

/* sampleio names the file it was given at the start of its message; the
 * warning names the path as the song writes it instead, so strip it. */
static const char *reason_of(const HissDiag *d, const char *resolved)
{
    size_t n = strlen(resolved);
    if (!strncmp(d->text, resolved, n) && !strncmp(d->text + n, ": ", 2))
        return d->text + n + 2;
    return d->text;
}

HissError songio_load_instrument(Instrument *inst, int slot, const char *song_path,
                                 uint32_t session_rate, SongioWarnings *warnings)
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
    HissError err = sampleio_load(resolved, session_rate, &sample, &info, &d);
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
    if (info.note[0])
        songio_warnings_add(warnings, slot, HISS_OK, "%s: instrument %02X '%s': %s: %s",
                            song_name, slot, inst->name, inst->path, info.note);
    if (inst->loop != LOOP_OFF &&
        (inst->loop_end > sample->source_frames || inst->loop_start >= inst->loop_end))
        songio_warnings_add(warnings, slot, HISS_OK,
                            "%s: instrument %02X '%s': loop %u..%u does not fit the "
                            "sample's %u frames",
                            song_name, slot, inst->name, inst->loop_start,
                            inst->loop_end, sample->source_frames);
    return HISS_OK;
}

HissError songio_load(const char *path, uint32_t session_rate, Song **out,
                      HissDiag *diag, SongioWarnings *warnings)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    HissError err = fileio_read_all(path, SONGFILE_MAX_BYTES, &text, &len, diag);
    if (err)
        return err;
    Song *song = NULL;
    err = songfile_parse(text, len, path, &song, diag);
    free(text);
    if (err)
        return err;
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        Instrument *inst = song_instrument(song, slot);
        if (inst)
            songio_load_instrument(inst, slot, path, session_rate, warnings);
    }
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

void songio_instruments_free(Instrument *set[SONG_MAX_INSTRUMENTS + 1])
{
    for (int i = 0; i <= SONG_MAX_INSTRUMENTS; i++) {
        song_instrument_free(set[i]);
        set[i] = NULL;
    }
}

HissError songio_reload_samples(const Song *song, uint32_t new_rate,
                                Instrument *out[SONG_MAX_INSTRUMENTS + 1],
                                HissDiag *diag)
{
    for (int i = 0; i <= SONG_MAX_INSTRUMENTS; i++)
        out[i] = NULL;
    for (int slot = 1; slot <= SONG_MAX_INSTRUMENTS; slot++) {
        const Instrument *inst = song_instrument(song, slot);
        if (!inst)
            continue;
        Instrument *copy = song_instrument_clone(inst);
        if (!copy) {
            diag_plain(diag, "out of memory copying instrument %02X",
                          slot);
            songio_instruments_free(out);
            return HISS_ERR_NOMEM;
        }
        out[slot] = copy;
        if (!inst->sample || inst->sample->rate == new_rate)
            continue;
        Sample *converted = NULL;
        HissDiag d = {{0}};
        HissError err = sampleio_convert(inst->sample, new_rate, &converted, &d);
        if (err) {
            diag_plain(diag, "instrument %02X '%s': %s", slot,
                          inst->name, d.text);
            songio_instruments_free(out);
            return err;
        }
        sample_release(copy->sample);
        copy->sample = converted;
    }
    return HISS_OK;
}
