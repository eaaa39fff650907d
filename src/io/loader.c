#include "loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "loaders/module.h"
#include "songfile.h"

/* ---- the conversion report ---- */

void loader_report_init(LoaderReport *r)
{
    memset(r, 0, sizeof *r);
}

void loader_report_free(LoaderReport *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}

void loader_report_add(LoaderReport *r, int order, int row, int channel,
                       const char *fmt, ...)
{
    if (!r)
        return;
    r->total++;
    if (r->count == r->capacity) {
        if (r->capacity >= LOADER_REPORT_MAX_ITEMS)
            return;
        int cap = r->capacity ? r->capacity * 2 : 64;
        LoaderNote *grown = realloc(r->items, (size_t)cap * sizeof *grown);
        if (!grown)
            return;
        r->items = grown;
        r->capacity = cap;
    }
    LoaderNote *note = &r->items[r->count++];
    va_list ap;
    va_start(ap, fmt);
    hiss_text_vformat(note->what, sizeof note->what, fmt, ap);
    va_end(ap);
    note->order = order;
    note->row = row;
    note->channel = channel;
}

static void place_format(const LoaderNote *note, char *buf, size_t size)
{
    buf[0] = 0;
    size_t used = 0;
    if (note->order >= 0)
        used += (size_t)snprintf(buf + used, size - used, "order %d ", note->order);
    if (note->row >= 0 && used < size)
        used += (size_t)snprintf(buf + used, size - used, "row %d ", note->row);
    if (note->channel >= 0 && used < size)
        used += (size_t)snprintf(buf + used, size - used, "channel %d ", note->channel + 1);
    if (used && used <= size)
        buf[used - 1] = 0;
}

void loader_note_format(const LoaderNote *note, char *buf, size_t size)
{
    char place[64];
    place_format(note, place, sizeof place);
    snprintf(buf, size, "%s%s%s", place, place[0] ? ": " : "", note->what);
}

void loader_report_summary(const LoaderReport *r,
                           void (*emit)(void *ctx, const char *line), void *ctx)
{
    for (int i = 0; i < r->count; i++) {
        const LoaderNote *first = &r->items[i];
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(r->items[j].what, first->what);
        if (seen)
            continue;
        int times = 0;
        for (int j = i; j < r->count; j++)
            times += !strcmp(r->items[j].what, first->what);
        char place[64], line[LOADER_REPORT_TEXT + 128];
        place_format(first, place, sizeof place);
        if (times > 1)
            snprintf(line, sizeof line, "%s: %d times, first at %s", first->what, times,
                     place[0] ? place : "song level");
        else if (place[0])
            snprintf(line, sizeof line, "%s: at %s", first->what, place);
        else
            snprintf(line, sizeof line, "%s", first->what);
        emit(ctx, line);
    }
    if (r->total > r->count) {
        char line[96];
        snprintf(line, sizeof line, "%ld more notes not kept (the report keeps %d)",
                 r->total - r->count, LOADER_REPORT_MAX_ITEMS);
        emit(ctx, line);
    }
}

/* ---- .hiss ---- */

/* Whether data starts with a whole version line: "hiss", blanks, a
 * number, optional blanks, then the line's end. A module's title sits at
 * its first byte too, and "hiss dig test" or "hiss 1" and padding is not
 * a song. */
static bool version_line(const char *data, size_t len)
{
    size_t i = 4;
    if (len < 6 || memcmp(data, "hiss", 4) || (data[4] != ' ' && data[4] != '\t'))
        return false;
    while (i < len && (data[i] == ' ' || data[i] == '\t'))
        i++;
    size_t digits = i;
    while (i < len && data[i] >= '0' && data[i] <= '9')
        i++;
    if (i == digits)
        return false;
    while (i < len && (data[i] == ' ' || data[i] == '\t'))
        i++;
    return i == len || data[i] == '\n' || data[i] == '\r';
}

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
    return version_line(data, len) || (path && hiss_has_suffix(path, ".hiss"));
}

static HissError hiss_load(const char *data, size_t len, const char *path, Song **out,
                           HissDiag *diag, LoaderReport *report)
{
    (void)report; /* nothing is converted */
    return songfile_parse(data, len, path, out, diag);
}

static const SongLoader LOADERS[] = {
    {"hiss", ".hiss", hiss_probe, hiss_load},
    {"ProTracker MOD", ".mod", module_probe_mod, module_load},
    {"Scream Tracker 3", ".s3m", module_probe_s3m, module_load},
    {"FastTracker 2", ".xm", module_probe_xm, module_load},
    {"Impulse Tracker", ".it", module_probe_it, module_load},
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
                            size_t len, const char *path, Song **out, HissDiag *diag,
                            LoaderReport *report)
{
    *out = NULL;
    const SongLoader *loader = loader_pick(table, count, path, data, len);
    if (loader)
        return loader->load(data, len, path, out, diag, report);
    char known[512] = "";
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
    return loader_parse_with(LOADERS, HISS_ARRAY_LEN(LOADERS), data, len, path, out, diag,
                             NULL);
}

HissError loader_load_file(const char *path, Song **out, HissDiag *diag)
{
    return loader_load_file_report(path, out, diag, NULL);
}

bool loader_is_foreign(const char *path)
{
    return path && module_has_extension(path);
}

HissError loader_load_file_report(const char *path, Song **out, HissDiag *diag,
                                  LoaderReport *report)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    HissError err = fileio_read_all(path, LOADER_MAX_BYTES, &data, &len, diag);
    if (err)
        return err;
    err = loader_parse_with(LOADERS, HISS_ARRAY_LEN(LOADERS), data, len, path, out, diag,
                            report);
    free(data);
    return err;
}
