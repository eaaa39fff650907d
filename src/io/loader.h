/* loader: the table of song formats hiss can open. Each entry has a name,
 * a probe (is this file mine?) and a load (the file's bytes to a Song, with
 * instruments named but no sample data: songio loads those). `.hiss` is
 * the first entry; a module format is added as one more entry in
 * loader.c, its code in src/io/loaders/.
 *
 * Runs on the UI side, never on the audio thread. */
#ifndef HISS_LOADER_H
#define HISS_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "song.h"

/* What a conversion dropped or approximated, each at its place in the
 * song, so a user can tell a conversion loss from a bug. Bounded: past
 * LOADER_REPORT_MAX_ITEMS entries only `total` grows. */
enum { LOADER_REPORT_MAX_ITEMS = 4096, LOADER_REPORT_TEXT = 320 };

typedef struct {
    char what[LOADER_REPORT_TEXT]; /* "dropped: tremolo (7xy)" */
    int order, row, channel;       /* -1 when not about a place */
} LoaderNote;

typedef struct {
    LoaderNote *items;
    int count, capacity;
    long total; /* notes added, kept or not */
} LoaderReport;

void loader_report_init(LoaderReport *r);
void loader_report_free(LoaderReport *r);
/* Adds a note (r may be NULL: then nothing happens). order/row/channel
 * are 0-based, -1 when not about a place. */
void loader_report_add(LoaderReport *r, int order, int row, int channel,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* "order 3 row 12 channel 2: dropped: tremolo (7xy)" (buf >= LOADER_REPORT_TEXT + 64). */
void loader_note_format(const LoaderNote *note, char *buf, size_t size);
/* One line per distinct `what`, with its count and first place, for
 * printing: "dropped: tremolo (7xy): 37 times, first at order 0 row 12
 * channel 3". Calls emit once per line. */
void loader_report_summary(const LoaderReport *r,
                           void (*emit)(void *ctx, const char *line), void *ctx);

typedef struct {
    const char *name;      /* "hiss", in messages */
    const char *extension; /* ".hiss", in messages */
    /* Whether data (the whole file, len bytes; path for its name) is in
     * this format. Cheap and never fails: the first entry that says yes
     * loads the file. */
    bool (*probe)(const char *path, const char *data, size_t len);
    /* diag: "file:line:col: message" or "file: message". A converted
     * format gives its instruments their samples (path empty) and notes
     * what it could not keep in report (which may be NULL). */
    HissError (*load)(const char *data, size_t len, const char *path, Song **out,
                      HissDiag *diag, LoaderReport *report);
} SongLoader;

/* The formats hiss knows, in the order they are probed. */
const SongLoader *loader_table(size_t *count);

/* The first entry of table whose probe takes the data, or NULL. */
const SongLoader *loader_pick(const SongLoader *table, size_t count, const char *path,
                              const char *data, size_t len);

/* Loads data with the entry that takes it; a format none takes is
 * HISS_ERR_FORMAT with "path: not a song hiss can read (it reads: hiss
 * (.hiss), ...)". */
HissError loader_parse_with(const SongLoader *table, size_t count, const char *data,
                            size_t len, const char *path, Song **out, HissDiag *diag,
                            LoaderReport *report);
/* The same with hiss's own table. */
HissError loader_parse(const char *data, size_t len, const char *path, Song **out,
                       HissDiag *diag);
/* Reads the file at path (within the size every format allows) and loads
 * it. */
HissError loader_load_file(const char *path, Song **out, HissDiag *diag);
/* The same, keeping the conversion report (report may be NULL). */
HissError loader_load_file_report(const char *path, Song **out, HissDiag *diag,
                                  LoaderReport *report);
/* Whether the song at path is converted from another format (a module):
 * saving it must then not write over that file. */
bool loader_is_foreign(const char *path);

#endif
