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

typedef struct {
    const char *name;      /* "hiss", in messages */
    const char *extension; /* ".hiss", in messages */
    /* Whether data (the whole file, len bytes; path for its name) is in
     * this format. Cheap and never fails: the first entry that says yes
     * loads the file. */
    bool (*probe)(const char *path, const char *data, size_t len);
    /* diag: "file:line:col: message" or "file: message". */
    HissError (*load)(const char *data, size_t len, const char *path, Song **out,
                      HissDiag *diag);
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
                            size_t len, const char *path, Song **out, HissDiag *diag);
/* The same with hiss's own table. */
HissError loader_parse(const char *data, size_t len, const char *path, Song **out,
                       HissDiag *diag);
/* Reads the file at path (within the size every format allows) and loads
 * it. */
HissError loader_load_file(const char *path, Song **out, HissDiag *diag);

#endif
