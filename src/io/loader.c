#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "songfile.h"

/* ---- .hiss ---- */

/* A .hiss file starts with its version line ("hiss 1", after an optional
 * UTF-8 BOM). A file named .hiss is also taken whatever it starts with, so
 * that a broken song gets the parser's file:line:col message rather than
 * "not a song". */
static bool hiss_probe(const char *path, const char *data, size_t len)
{
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
        data += 3;
        len -= 3;
    }
    if (len >= 5 && !memcmp(data, "hiss", 4) && (data[4] == ' ' || data[4] == '\t'))
        return true;
    return path && hiss_has_suffix(path, ".hiss");
}

static HissError hiss_load(const char *data, size_t len, const char *path, Song **out,
                           HissDiag *diag)
{
    return songfile_parse(data, len, path, out, diag);
}

static const SongLoader LOADERS[] = {
    {"hiss", ".hiss", hiss_probe, hiss_load},
};

/* The largest file any loader reads. */
enum { LOADER_MAX_BYTES = SONGFILE_MAX_BYTES };

const SongLoader *loader_table(size_t *count)
{
    *count = HISS_ARRAY_LEN(LOADERS);
    return LOADERS;
}

const SongLoader *loader_pick(const SongLoader *table, size_t count, const char *path,
                              const char *data, size_t len)
{
    for (size_t i = 0; i < count; i++)
        if (table[i].probe(path, data, len))
            return &table[i];
    return NULL;
}

HissError loader_parse_with(const SongLoader *table, size_t count, const char *data,
                            size_t len, const char *path, Song **out, HissDiag *diag)
{
    *out = NULL;
    const SongLoader *loader = loader_pick(table, count, path, data, len);
    if (loader)
        return loader->load(data, len, path, out, diag);
    char known[256] = "";
    for (size_t i = 0; i < count; i++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s (%s)", i ? ", " : "",
                 table[i].name, table[i].extension);
    }
    hiss_diag_set(diag, path, 0, 0, "not a song hiss can read (it reads: %s)", known);
    return HISS_ERR_FORMAT;
}

HissError loader_parse(const char *data, size_t len, const char *path, Song **out,
                       HissDiag *diag)
{
    return loader_parse_with(LOADERS, HISS_ARRAY_LEN(LOADERS), data, len, path, out, diag);
}

HissError loader_load_file(const char *path, Song **out, HissDiag *diag)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    HissError err = fileio_read_all(path, LOADER_MAX_BYTES, &data, &len, diag);
    if (err)
        return err;
    err = loader_parse(data, len, path, out, diag);
    free(data);
    return err;
}
