#include "modsize.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const unsigned char *data;
    size_t len;
    size_t need;          /* the end of the last piece the headers name */
    LoaderReport *report; /* NULL on the pass that only finds `need` */
    int notes;
    ModsizeShape *shape;
    uint32_t *kept; /* modsize_kept_frames' list, or NULL */
    size_t kept_count;
} Walk;

/* A header the file needs is cut at its end: the sizes it held are gone. */
static void header_cut(Walk *w)
{
    if (w->shape)
        w->shape->header_cut = true;
}

/* Sample `index`, `frames` long, is cut: the file holds its first `have`
 * frames (the first cut found is where it ends). */
static void kept(Walk *w, size_t index, size_t frames, size_t have)
{
    if (!w->kept || index >= w->kept_count || w->kept[index] != UINT32_MAX)
        return;
    have = have < frames ? have : frames;
    w->kept[index] = have > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)have;
}

/* The same for `bytes` from byte `start`, `unit` bytes a frame. */
static void kept_bytes(Walk *w, size_t index, size_t start, size_t bytes, size_t unit)
{
    if (start + bytes > w->len)
        kept(w, index, bytes / unit, start < w->len ? (w->len - start) / unit : 0);
}

/* Whole rows of packed pattern data in `avail` bytes. */
typedef int (*RowCounter)(const unsigned char *p, size_t avail, int channels);

static unsigned rd16le(const Walk *w, size_t at)
{
    return at + 2 <= w->len ? (unsigned)w->data[at] | (unsigned)w->data[at + 1] << 8 : 0;
}

static uint32_t rd32le(const Walk *w, size_t at)
{
    return at + 4 <= w->len ? (uint32_t)rd16le(w, at) | (uint32_t)rd16le(w, at + 2) << 16 : 0;
}

static void note(Walk *w, const char *what)
{
    if (!w->report)
        return;
    loader_report_add(w->report, -1, -1, -1, "module ends early (at byte %zu): %s", w->len,
                      what);
    w->notes++;
}

static void sample(Walk *w, const char *label, size_t start, size_t size)
{
    if (!size)
        return;
    if (start + size > w->need)
        w->need = start + size;
    char what[160];
    if (start >= w->len)
        snprintf(what, sizeof what, "%s: no sample data (silent)", label);
    else if (start + size > w->len)
        snprintf(what, sizeof what, "%s: sample data cut after %zu bytes (the sample ends there)",
                 label, w->len - start);
    else
        return;
    note(w, what);
}

static void pattern(Walk *w, int index, size_t start, size_t size, int rows, int channels,
                    RowCounter count)
{
    if (start + size > w->need)
        w->need = start + size;
    if (start + size <= w->len)
        return;
    char what[160];
    int whole = start < w->len ? count(w->data + start, w->len - start, channels) : 0;
    if (whole > rows)
        whole = rows;
    if (!whole)
        snprintf(what, sizeof what, "pattern %02X has none of its %d rows (empty)", index, rows);
    else
        snprintf(what, sizeof what, "pattern %02X is cut in row %d (what follows is empty)",
                 index, whole);
    note(w, what);
}

/* --- MOD --- */

static int mod_channels(const unsigned char *s)
{
    if (!memcmp(s, "M.K.", 4) || !memcmp(s, "M!K!", 4) || !memcmp(s, "M&K!", 4) ||
        !memcmp(s, "N.T.", 4) || !memcmp(s, "FLT4", 4))
        return 4;
    if (!memcmp(s, "FLT8", 4) || !memcmp(s, "OCTA", 4) || !memcmp(s, "OKTA", 4) ||
        !memcmp(s, "CD81", 4))
        return 8;
    if (isdigit(s[0]) && !memcmp(s + 1, "CHN", 3))
        return s[0] - '0';
    if (isdigit(s[0]) && isdigit(s[1]) && (!memcmp(s + 2, "CH", 2) || !memcmp(s + 2, "CN", 2)))
        return (s[0] - '0') * 10 + s[1] - '0';
    if (!memcmp(s, "TDZ", 3) && isdigit(s[3]))
        return s[3] - '0';
    return 0;
}

static int mod_rows(const unsigned char *p, size_t avail, int channels)
{
    return (int)(avail / ((size_t)channels * 4));
}

static void walk_mod(Walk *w)
{
    enum { HEADER = 1084, ROWS = 64 };
    if (w->len < HEADER)
        return;
    int channels = mod_channels(w->data + 1080);
    if (channels < 1)
        return; /* a 15-sample MOD or one hiss cannot size */
    int patterns = 0;
    for (int o = 0; o < 128; o++)
        if (w->data[952 + o] + 1 > patterns)
            patterns = w->data[952 + o] + 1;
    size_t at = HEADER, size = (size_t)ROWS * (size_t)channels * 4;
    for (int p = 0; p < patterns; p++, at += size)
        pattern(w, p, at, size, ROWS, channels, mod_rows);
    for (int s = 0; s < 31; s++) {
        size_t bytes = 2 * (((size_t)w->data[42 + 30 * s] << 8) | w->data[43 + 30 * s]);
        char label[32];
        snprintf(label, sizeof label, "instrument %02X", s + 1);
        sample(w, label, at, bytes);
        kept_bytes(w, (size_t)s, at, bytes, 1);
        at += bytes;
    }
}

/* --- S3M --- */

static int s3m_rows(const unsigned char *p, size_t avail, int channels)
{
    size_t at = 2; /* after the packed length */
    for (int row = 0;; row++) {
        for (;;) {
            if (at >= avail)
                return row;
            unsigned char what = p[at++];
            if (!what)
                break;
            at += (what & 32 ? 2u : 0u) + (what & 64 ? 1u : 0u) + (what & 128 ? 2u : 0u);
        }
        if (at > avail)
            return row;
    }
}

static void walk_s3m(Walk *w)
{
    if (w->len < 0x60) {
        header_cut(w);
        return;
    }
    unsigned orders = rd16le(w, 0x20), instruments = rd16le(w, 0x22), patterns = rd16le(w, 0x24);
    size_t table = 0x60 + orders;
    if (table + 2 * ((size_t)instruments + patterns) > w->len) {
        header_cut(w);
        return;
    }
    for (unsigned i = 0; i < instruments; i++) {
        size_t at = (size_t)rd16le(w, table + 2 * i) * 16;
        char label[32];
        snprintf(label, sizeof label, "instrument %02X", i + 1);
        if (at + 0x50 > w->len) {
            header_cut(w);
            sample(w, label, at, 0x50);
            continue;
        }
        if (w->data[at] != 1)
            continue; /* not a sample */
        size_t start = (((size_t)w->data[at + 0x0D] << 16) | rd16le(w, at + 0x0E)) * 16;
        size_t bytes = rd32le(w, at + 0x10);
        unsigned flags = w->data[at + 0x1F];
        bytes <<= (flags & 2 ? 1 : 0) + (flags & 4 ? 1 : 0);
        sample(w, label, start, bytes);
        /* A stereo sample holds its left frames first: what is kept of
         * them. */
        kept_bytes(w, i, start, bytes >> (flags & 2 ? 1 : 0), flags & 4 ? 2 : 1);
    }
    for (unsigned p = 0; p < patterns; p++) {
        size_t at = (size_t)rd16le(w, table + 2 * instruments + 2 * p) * 16;
        if (!at)
            continue;
        size_t size = at + 2 <= w->len ? rd16le(w, at) : 2 + 64;
        pattern(w, (int)p, at, size < 2 ? 2 : size, 64, 32, s3m_rows);
    }
}

/* --- XM --- */

/* An XM's pieces follow one another, each sized by its own header: a
 * header cut short loses what it names and everything after it. */
static void lost_from(Walk *w, size_t at, const char *what, unsigned number,
                      unsigned instruments)
{
    if (at + 1 > w->need)
        w->need = at + 1;
    if (w->need <= w->len) /* cut inside the header at `at` */
        w->need = w->len + 1;
    char text[160];
    snprintf(text, sizeof text, "%s %02X and everything after it are missing%s", what, number,
             instruments ? " (every instrument: silent)" : " (silent)");
    note(w, text);
}

static int xm_rows(const unsigned char *p, size_t avail, int channels)
{
    if (channels < 1)
        return 0;
    size_t at = 0;
    for (int row = 0;; row++)
        for (int c = 0; c < channels; c++) {
            if (at >= avail)
                return row;
            unsigned char b = p[at];
            if (b & 0x80) {
                at++;
                for (int bit = 0; bit < 5; bit++)
                    at += (b >> bit) & 1;
            } else {
                at += 5;
            }
            if (at > avail)
                return row;
        }
}

/* An XM whose pattern or instrument header is cut is read as one that
 * ends before it: so many patterns and instruments, `at` bytes. */
static void xm_keep(Walk *w, size_t at, unsigned patterns, unsigned instruments)
{
    header_cut(w);
    if (w->shape) {
        w->shape->keep_bytes = at;
        w->shape->keep_patterns = patterns;
        w->shape->keep_instruments = instruments;
    }
}

static void walk_xm(Walk *w)
{
    /* The header's own size counts from byte 60 and holds the counts up
     * to byte 80: less is no XM header. */
    if (w->len < 80 || rd32le(w, 60) < 20 || 60 + (size_t)rd32le(w, 60) > w->len) {
        header_cut(w);
        return;
    }
    int channels = (int)rd16le(w, 68);
    unsigned patterns = rd16le(w, 70), instruments = rd16le(w, 72);
    size_t at = 60 + (size_t)rd32le(w, 60);
    size_t sample_index = 0; /* libxmp numbers an XM's samples in file order */
    for (unsigned p = 0; p < patterns; p++) {
        if (at + 9 > w->len) {
            xm_keep(w, at, p, 0);
            lost_from(w, at, "pattern", p, instruments);
            return; /* the sizes of what follows are gone too */
        }
        size_t header = rd32le(w, at);
        int rows = (int)rd16le(w, at + 5);
        size_t packed = rd16le(w, at + 7);
        if (packed)
            pattern(w, (int)p, at + header, packed, rows, channels, xm_rows);
        at += header + packed;
    }
    for (unsigned i = 0; i < instruments; i++) {
        char label[48];
        snprintf(label, sizeof label, "instrument %02X", i + 1);
        if (at + 29 > w->len) {
            xm_keep(w, at, patterns, i);
            lost_from(w, at, "instrument", i + 1, 0);
            return;
        }
        size_t header = rd32le(w, at);
        unsigned samples = rd16le(w, at + 27);
        size_t sample_header = samples ? rd32le(w, at + 29) : 0;
        size_t headers = at + header;
        size_t data = headers + (size_t)samples * sample_header;
        if (data > w->len) {
            xm_keep(w, at, patterns, i);
            lost_from(w, data, "instrument", i + 1, 0);
            return;
        }
        for (unsigned s = 0; s < samples; s++) {
            size_t bytes = rd32le(w, headers + s * sample_header);
            bool wide = sample_header > 14 && (w->data[headers + s * sample_header + 14] & 0x10);
            if (samples > 1)
                snprintf(label, sizeof label, "instrument %02X sample %u", i + 1, s + 1);
            sample(w, label, data, bytes);
            kept_bytes(w, sample_index++, data, bytes, wide ? 2 : 1);
            data += bytes;
        }
        at = data;
    }
}

/* --- IT --- */

static int it_rows(const unsigned char *p, size_t avail, int channels)
{
    unsigned char masks[64] = {0};
    size_t at = 8; /* after the pattern's own header */
    for (int row = 0;; row++)
        for (;;) {
            if (at >= avail)
                return row;
            unsigned char var = p[at++];
            if (!var)
                break;
            int c = (var - 1) & 63;
            if (var & 0x80) {
                if (at >= avail)
                    return row;
                masks[c] = p[at++];
            }
            unsigned m = masks[c];
            at += (m & 1 ? 1u : 0u) + (m & 2 ? 1u : 0u) + (m & 4 ? 1u : 0u) + (m & 8 ? 2u : 0u);
            if (at > avail)
                return row;
        }
}

/* A compressed IT sample: blocks of 0x8000 frames (0x4000 at 16 bits), each
 * after its 16-bit byte count. */
static size_t it_packed_size(Walk *w, size_t index, size_t start, size_t frames, bool wide)
{
    size_t per_block = wide ? 0x4000 : 0x8000, at = start, whole = 0;
    for (size_t left = frames; left; left -= left < per_block ? left : per_block) {
        if (at + 2 > w->len) {
            kept(w, index, frames, whole);
            return at + 2 - start + 1; /* cut: at least past the end */
        }
        at += 2 + rd16le(w, at);
        if (at > w->len)
            kept(w, index, frames, whole);
        whole += left < per_block ? left : per_block;
    }
    return at - start;
}

static void walk_it(Walk *w)
{
    if (w->len < 0xC0) {
        header_cut(w);
        return;
    }
    unsigned orders = rd16le(w, 0x20), instruments = rd16le(w, 0x22);
    unsigned samples = rd16le(w, 0x24), patterns = rd16le(w, 0x26);
    size_t table = 0xC0 + orders + 4 * (size_t)instruments;
    if (table + 4 * ((size_t)samples + patterns) > w->len) {
        header_cut(w);
        return;
    }
    for (unsigned s = 0; s < samples; s++) {
        size_t at = rd32le(w, table + 4 * s);
        char label[32];
        snprintf(label, sizeof label, "sample %02X", s + 1);
        if (at + 0x50 > w->len) {
            header_cut(w);
            sample(w, label, at, 0x50);
            continue;
        }
        unsigned flags = w->data[at + 0x12];
        if (!(flags & 1))
            continue; /* no sample data */
        size_t frames = rd32le(w, at + 0x30), start = rd32le(w, at + 0x48);
        bool wide = flags & 2;
        size_t bytes = flags & 8 ? it_packed_size(w, s, start, frames, wide)
                                 : frames << ((wide ? 1 : 0) + (flags & 4 ? 1 : 0));
        sample(w, label, start, bytes);
        if (!(flags & 8))
            kept_bytes(w, s, start, bytes >> (flags & 4 ? 1 : 0), wide ? 2 : 1);
    }
    for (unsigned p = 0; p < patterns; p++) {
        size_t at = rd32le(w, table + 4 * samples + 4 * p);
        if (!at)
            continue;
        size_t size = at + 8 <= w->len ? 8 + (size_t)rd16le(w, at) : 8;
        int rows = at + 4 <= w->len ? (int)rd16le(w, at + 2) : 64;
        pattern(w, (int)p, at, size, rows, 64, it_rows);
    }
}

static void walk(Walk *w)
{
    if (w->len >= 4 && !memcmp(w->data, "IMPM", 4))
        walk_it(w);
    else if (w->len >= 17 && !memcmp(w->data, "Extended Module: ", 17))
        walk_xm(w);
    else if (w->len >= 48 && !memcmp(w->data + 44, "SCRM", 4))
        walk_s3m(w);
    else
        walk_mod(w);
}

void modsize_measure(const unsigned char *data, size_t len, ModsizeShape *shape)
{
    memset(shape, 0, sizeof *shape);
    Walk w = {data, len, len, NULL, 0, shape, NULL, 0};
    walk(&w);
    shape->need = w.need;
}

void modsize_mend(unsigned char *image, size_t len, const ModsizeShape *shape)
{
    if (shape->keep_bytes && len >= 80) { /* XM: the pattern and instrument counts */
        image[70] = (unsigned char)shape->keep_patterns;
        image[71] = (unsigned char)(shape->keep_patterns >> 8);
        image[72] = (unsigned char)shape->keep_instruments;
        image[73] = (unsigned char)(shape->keep_instruments >> 8);
        return;
    }
    Walk w = {image, len, len, NULL, 0, NULL, NULL, 0};
    if (len < 0xC0 || memcmp(image, "IMPM", 4))
        return;
    /* An IT pattern whose header is cut would be read as one of 0 rows,
     * which libxmp refuses: without its offset it is an empty pattern of
     * 64 rows, as the report says. */
    unsigned orders = rd16le(&w, 0x20), instruments = rd16le(&w, 0x22);
    unsigned samples = rd16le(&w, 0x24), patterns = rd16le(&w, 0x26);
    size_t table = 0xC0 + orders + 4 * ((size_t)instruments + samples);
    for (unsigned p = 0; p < patterns && table + 4 * (p + 1) <= len; p++) {
        size_t entry = table + 4 * p, at = rd32le(&w, entry);
        if (at && at + 8 > len)
            memset(image + entry, 0, 4);
    }
}

int modsize_report_missing(const unsigned char *data, size_t len, LoaderReport *report)
{
    Walk w = {data, len, len, NULL, 0, NULL, NULL, 0};
    walk(&w); /* first the size the headers add up to, for every note */
    if (w.need <= len)
        return 0;
    w.report = report;
    walk(&w);
    return w.notes;
}

void modsize_kept_frames(const unsigned char *data, size_t len, uint32_t *kept, size_t count)
{
    for (size_t i = 0; i < count; i++)
        kept[i] = UINT32_MAX;
    Walk w = {data, len, len, NULL, 0, NULL, kept, count};
    walk(&w);
}
