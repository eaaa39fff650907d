#include "songfile.h"

#include "eq.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- parsing */

/* Statements that may appear once; their first line is kept for the
 * "duplicate" message. */
enum {
    ONCE_TITLE,
    ONCE_REFERENCE,
    ONCE_BPM,
    ONCE_SPEED,
    ONCE_ROWS_PER_BEAT,
    ONCE_SWING,
    ONCE_MASTER_GAIN,
    ONCE_LIMITER,
    ONCE_MASTER_EQ,
    ONCE_SLIDES,
    ONCE_VIBRATO,
    ONCE_TREMOR,
    ONCE_DELAY,
    ONCE_REVERB,
    ONCE_GLUE,
    ONCE_TAPE,
    ONCE_GROOVE,
    ONCE_CHANNELS,
    ONCE_GLOBAL_VOLUME,
    ONCE_ORDER,
    ONCE_COUNT,
};

/* The whole-number settings, in the order the file writes them. */
static const struct {
    const char *name;
    int once;
    int min, max;
} INT_SETTINGS[] = {
    {"speed", ONCE_SPEED, 1, 31},
    {"rows_per_beat", ONCE_ROWS_PER_BEAT, 1, 32},
    {"swing", ONCE_SWING, 0, 100},
    {"channels", ONCE_CHANNELS, 1, SONG_MAX_CHANNELS},
    {"global_volume", ONCE_GLOBAL_VOLUME, 0, SONG_GLOBAL_VOLUME_MAX},
};

static _Atomic int *int_setting(Song *song, int once)
{
    switch (once) {
    case ONCE_SPEED: return &song->speed;
    case ONCE_ROWS_PER_BEAT: return &song->rows_per_beat;
    case ONCE_SWING: return &song->swing;
    case ONCE_GLOBAL_VOLUME: return &song->global_volume;
    default: return &song->channels;
    }
}

enum {
    CELL_CHARS = 17, /* "C-4 01 40 A0F ..." */
    GAIN_MIN = SONG_GAIN_MIN,
    GAIN_MAX = SONG_GAIN_MAX,
};

typedef struct {
    const char *s;
    size_t n;
    size_t pos; /* offset in the line, for the column */
} Token;

typedef struct {
    const char *name;
    HissDiag *diag;
    Song *song;

    const char *line; /* the current line, without its end and trailing blanks */
    size_t len;
    size_t pos;
    int lineno;

    bool version_seen;
    int once_line[ONCE_COUNT];
    int pattern_line[SONG_MAX_PATTERNS];
    int instrument_line[SONG_MAX_INSTRUMENTS + 1];
    int channel_line[SONG_MAX_CHANNELS];
    int channel_eq_line[SONG_MAX_CHANNELS];
    int channel_comp_line[SONG_MAX_CHANNELS];
    int channel_fx_line[SONG_MAX_CHANNELS];
    int channel_groove_line[SONG_MAX_CHANNELS];
    uint16_t channel_col[SONG_MAX_CHANNELS];
    int order_count;
    uint16_t order_col[SONG_MAX_ORDERS];
    int patterns_seen;

    /* The pattern whose rows are being read, if any. */
    Pattern *grid;
    int grid_index;
    int grid_rows_read;
} Parser;

static HissError fail_at(Parser *p, size_t pos, HissError err, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));

static HissError fail_at(Parser *p, size_t pos, HissError err, const char *fmt,
                         ...)
{
    char msg[sizeof p->diag->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hiss_diag_set(p->diag, p->name, p->lineno, (int)pos + 1, "%s", msg);
    return err;
}

/* A token as it may be shown in a message: printable ASCII only, short. */
static const char *shown(char buf[48], const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < 32; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (n > 32) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = 0;
    return buf;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Two hex digits, or -1. */
static int hex2(const char *s)
{
    int hi = hiss_hex_digit(s[0]), lo = hiss_hex_digit(s[1]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

static void skip_blanks(Parser *p)
{
    while (p->pos < p->len && is_blank(p->line[p->pos]))
        p->pos++;
}

static Token next_token(Parser *p)
{
    skip_blanks(p);
    Token t = {p->line + p->pos, 0, p->pos};
    while (p->pos < p->len && !is_blank(p->line[p->pos]))
        p->pos++;
    t.n = p->pos - t.pos;
    return t;
}

static bool token_is(Token t, const char *word)
{
    size_t n = strlen(word);
    return t.n == n && !memcmp(t.s, word, n);
}

/* The token as a C string for the song_*_parse helpers; a token too long
 * to be any of their names becomes "" so that it is refused. */
static const char *token_cstr(Token t, char *buf, size_t size)
{
    size_t n = t.n < size ? t.n : 0;
    memcpy(buf, t.s, n);
    buf[n] = 0;
    return buf;
}

static HissError expect_end(Parser *p, const char *after)
{
    Token t = next_token(p);
    if (!t.n)
        return HISS_OK;
    char b[48];
    return fail_at(p, t.pos, HISS_ERR_PARSE, "unexpected '%s' after %s",
                   shown(b, t.s, t.n), after);
}

/* A decimal whole number in min..max. */
static HissError parse_int(Parser *p, const char *what, long long min,
                           long long max, long long *out, Token *where)
{
    Token t = next_token(p);
    if (where)
        *where = t;
    if (!t.n)
        return fail_at(p, t.pos, HISS_ERR_PARSE, "missing %s (%lld..%lld)",
                       what, min, max);
    size_t i = t.s[0] == '-' ? 1 : 0;
    bool ok = i < t.n;
    long long v = 0;
    for (; i < t.n && ok; i++) {
        if (!is_digit(t.s[i]))
            ok = false;
        else if (v < 100000000000LL)
            v = v * 10 + (t.s[i] - '0');
    }
    char b[48];
    if (!ok)
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "bad number '%s' for %s", shown(b, t.s, t.n), what);
    if (t.s[0] == '-')
        v = -v;
    if (v < min || v > max)
        return fail_at(p, t.pos, HISS_ERR_RANGE,
                       "%s %s is out of range (%lld..%lld)", what,
                       shown(b, t.s, t.n), min, max);
    *out = v;
    return HISS_OK;
}

/* Two hex digits naming a pattern or an instrument slot. */
static HissError parse_hex_number(Parser *p, const char *what, int min,
                                  int *out, Token *where)
{
    Token t = next_token(p);
    *where = t;
    if (!t.n)
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "missing %s (two hex digits, %02X..FF)", what, min);
    char b[48];
    int v = t.n == 2 ? hex2(t.s) : -1;
    if (v < 0)
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "bad %s '%s' (two hex digits, %02X..FF)", what,
                       shown(b, t.s, t.n), min);
    if (v < min)
        return fail_at(p, t.pos, HISS_ERR_RANGE,
                       "%s %s is out of range (%02X..FF)", what,
                       shown(b, t.s, t.n), min);
    *out = v;
    return HISS_OK;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t need;
    unsigned cp;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return need;
}

/* A quoted string with \" and \\ escapes, at most size-1 bytes. */
static HissError parse_string(Parser *p, const char *what, size_t size,
                              char *dst)
{
    skip_blanks(p);
    size_t open = p->pos;
    if (open >= p->len || p->line[open] != '"') {
        Token t = next_token(p);
        char b[48];
        if (!t.n)
            return fail_at(p, t.pos, HISS_ERR_PARSE,
                           "missing %s (a quoted string)", what);
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "expected %s as a quoted string, got '%s'", what,
                       shown(b, t.s, t.n));
    }
    size_t i = open + 1, n = 0;
    for (;;) {
        if (i >= p->len)
            return fail_at(p, open, HISS_ERR_PARSE,
                           "unterminated string (no closing '\"')");
        unsigned char c = (unsigned char)p->line[i];
        if (c == '"')
            break;
        if (c == '\\') {
            if (i + 1 >= p->len)
                return fail_at(p, open, HISS_ERR_PARSE,
                               "unterminated string (no closing '\"')");
            char e = p->line[i + 1];
            if (e != '"' && e != '\\') {
                char b[48];
                return fail_at(p, i, HISS_ERR_PARSE,
                               "unknown escape '\\%s' (only \\\" and \\\\)",
                               shown(b, &e, 1));
            }
            c = (unsigned char)e;
            i += 2;
        } else if (c < 0x20 || c == 0x7f) {
            return fail_at(p, i, HISS_ERR_PARSE, "control character in %s",
                           what);
        } else if (c >= 0x80) {
            size_t k = utf8_sequence((const unsigned char *)p->line + i,
                                     p->len - i);
            if (!k)
                return fail_at(p, i, HISS_ERR_PARSE,
                               "%s is not valid UTF-8", what);
            if (n + k > size - 1)
                return fail_at(p, open, HISS_ERR_RANGE,
                               "%s too long (at most %zu bytes)", what,
                               size - 1);
            memcpy(dst + n, p->line + i, k);
            n += k;
            i += k;
            continue;
        } else {
            i++;
        }
        if (n + 1 > size - 1)
            return fail_at(p, open, HISS_ERR_RANGE,
                           "%s too long (at most %zu bytes)", what, size - 1);
        dst[n++] = (char)c;
    }
    dst[n] = 0;
    p->pos = i + 1;
    if (p->pos < p->len && !is_blank(p->line[p->pos]))
        return fail_at(p, p->pos, HISS_ERR_PARSE,
                       "expected a space after the closing '\"'");
    return HISS_OK;
}

static HissError check_once(Parser *p, int which, Token keyword)
{
    if (p->once_line[which]) {
        char b[48];
        return fail_at(p, keyword.pos, HISS_ERR_PARSE,
                       "duplicate '%s' (first on line %d)",
                       shown(b, keyword.s, keyword.n), p->once_line[which]);
    }
    p->once_line[which] = p->lineno;
    return HISS_OK;
}

static HissError parse_version(Parser *p)
{
    Token t = next_token(p);
    if (!token_is(t, "hiss"))
        return fail_at(p, t.pos, HISS_ERR_FORMAT,
                       "missing version line (a song file starts with "
                       "'hiss %d')",
                       SONGFILE_VERSION);
    Token where;
    long long v;
    HissError err = parse_int(p, "version", 0, 999999, &v, &where);
    if (err)
        return err;
    if (v != SONGFILE_VERSION)
        return fail_at(p, where.pos, HISS_ERR_UNSUPPORTED,
                       "unsupported version %lld (this hiss reads version %d)",
                       v, SONGFILE_VERSION);
    p->version_seen = true;
    return expect_end(p, "the version");
}

static HissError parse_title(Parser *p, Token kw)
{
    HissError err = check_once(p, ONCE_TITLE, kw);
    if (!err)
        err = parse_string(p, "title", SONG_TITLE_MAX, p->song->title);
    return err ? err : expect_end(p, "the title");
}

static HissError parse_reference(Parser *p, Token kw)
{
    HissError err = check_once(p, ONCE_REFERENCE, kw);
    if (!err)
        err = parse_string(p, "reference path", SONG_PATH_MAX, p->song->reference);
    return err ? err : expect_end(p, "the reference path");
}

static HissError parse_int_setting(Parser *p, Token kw, size_t which)
{
    int once = INT_SETTINGS[which].once;
    HissError err = check_once(p, once, kw);
    if (err)
        return err;
    if (once == ONCE_CHANNELS && p->patterns_seen)
        return fail_at(p, kw.pos, HISS_ERR_PARSE,
                       "'channels' must come before the first pattern");
    long long v;
    err = parse_int(p, INT_SETTINGS[which].name, INT_SETTINGS[which].min,
                    INT_SETTINGS[which].max, &v, NULL);
    if (err)
        return err;
    atomic_store(int_setting(p->song, once), (int)v);
    return expect_end(p, INT_SETTINGS[which].name);
}

/* dB with at most one decimal, kept in tenths: what names it in messages. */
/* The next "name value..." field of a line of named fields: *which is its
 * index in fields, or -1 at the end of the line. Unknown and repeated
 * names are errors naming `owner` ("channel 3", "master_eq"). */
static HissError next_field(Parser *p, const char *const *fields, size_t count, bool *seen,
                            const char *owner, int *which)
{
    Token key = next_token(p);
    *which = -1;
    if (!key.n)
        return HISS_OK;
    size_t f = 0;
    while (f < count && !token_is(key, fields[f]))
        f++;
    char b[48], list[160] = "";
    if (f == count) {
        for (size_t i = 0; i < count; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     fields[i]);
        return fail_at(p, key.pos, HISS_ERR_PARSE, "unknown field '%s' in %s (%s)",
                       shown(b, key.s, key.n), owner, list);
    }
    if (seen[f])
        return fail_at(p, key.pos, HISS_ERR_PARSE, "duplicate field '%s' in %s", fields[f],
                       owner);
    seen[f] = true;
    *which = (int)f;
    return HISS_OK;
}

/* A number with at most one decimal, kept in tenths, within min..max
 * (tenths); unit names it in messages ("dB"). */
static HissError parse_tenths_like(Parser *p, const char *what, const char *unit,
                                   const char *example, int min, int max, int *out)
{
    char range[48];
    snprintf(range, sizeof range, "%s%d.%d..%s%d.%d", min < 0 ? "-" : "", abs(min) / 10,
             abs(min) % 10, max < 0 ? "-" : "", abs(max) / 10, abs(max) % 10);
    Token t = next_token(p);
    if (!t.n)
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "missing %s (%s, %s)", what, unit, range);
    size_t i = t.s[0] == '-' ? 1 : 0;
    long long whole = 0;
    int tenths = 0;
    size_t digits = 0;
    while (i < t.n && is_digit(t.s[i])) {
        if (whole < 1000000)
            whole = whole * 10 + (t.s[i] - '0');
        i++;
        digits++;
    }
    bool ok = digits > 0;
    if (ok && i < t.n) {
        ok = t.s[i] == '.' && i + 2 == t.n && is_digit(t.s[i + 1]);
        if (ok)
            tenths = t.s[i + 1] - '0';
    }
    char b[48];
    if (!ok)
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "bad number '%s' for %s (%s with at most one "
                       "decimal, e.g. %s)",
                       shown(b, t.s, t.n), what, unit, example);
    long long v = whole * 10 + tenths;
    if (t.s[0] == '-')
        v = -v;
    if (v < min || v > max)
        return fail_at(p, t.pos, HISS_ERR_RANGE,
                       "%s %s is out of range (%s)", what, shown(b, t.s, t.n), range);
    *out = (int)v;
    return HISS_OK;
}

/* A number with at most one decimal, kept in tenths (e.g. -3.0 dB). */
static HissError parse_tenths(Parser *p, const char *what, const char *unit, int min,
                              int max, int *out)
{
    return parse_tenths_like(p, what, unit, "-3.0", min, max, out);
}

/* dB with at most one decimal, kept in tenths: what names it in messages. */
static HissError parse_gain(Parser *p, const char *what, int *out)
{
    return parse_tenths(p, what, "dB", GAIN_MIN, GAIN_MAX, out);
}

/* The tempo: a whole BPM or one with a decimal (92.5), kept in tenths. */
static HissError parse_bpm(Parser *p, Token kw)
{
    HissError err = check_once(p, ONCE_BPM, kw);
    int v = 0;
    if (!err)
        err = parse_tenths_like(p, "bpm", "BPM", "92.5", SONG_BPM_MIN, SONG_BPM_MAX, &v);
    if (err)
        return err;
    atomic_store(&p->song->bpm_tenths, v);
    return expect_end(p, "bpm");
}

enum { EQ_HZ_MAX = SONG_EQ_HZ_MAX, EQ_DB_MAX = SONG_EQ_DB_MAX, EQ_Q_MAX = SONG_EQ_Q_MAX };

/* The channel number a line of `what` starts with (1-based in the file,
 * *c 0-based), once per channel: lines[] keeps where each came. */
static HissError parse_channel_number(Parser *p, const char *what, int *lines, int *c,
                                      Token *where)
{
    Token num;
    long long n;
    HissError err = parse_int(p, "channel number", 1, SONG_MAX_CHANNELS, &n, &num);
    if (err)
        return err;
    *c = (int)n - 1;
    if (where)
        *where = num;
    if (lines[*c])
        return fail_at(p, num.pos, HISS_ERR_PARSE, "duplicate %s %d (first on line %d)", what,
                       *c + 1, lines[*c]);
    lines[*c] = p->lineno;
    return HISS_OK;
}

/* The fields of an EQ line (master_eq, channel_eq NN): low_cut HZ
 * low_shelf HZ DB mid HZ DB q Q high_shelf HZ DB high_cut HZ, in any
 * order, any left out (default: flat); owner names it in messages. */
static HissError parse_eq_fields(Parser *p, const char *owner, SongEqShared *dest)
{
    HissError err;
    SongEq eq = song_eq_default();
    enum { F_LOW_CUT, F_LOW_SHELF, F_MID, F_Q, F_HIGH_SHELF, F_HIGH_CUT };
    static const char *const FIELDS[] = {"low_cut", "low_shelf", "mid",
                                         "q",       "high_shelf", "high_cut"};
    bool seen[HISS_ARRAY_LEN(FIELDS)] = {false};
    for (;;) {
        int f;
        err = next_field(p, FIELDS, HISS_ARRAY_LEN(FIELDS), seen, owner, &f);
        if (err)
            return err;
        if (f < 0)
            break;
        long long hz = 0;
        int *gain = f == F_LOW_SHELF ? &eq.low_shelf_tenth_db
                    : f == F_MID     ? &eq.mid_tenth_db
                                     : &eq.high_shelf_tenth_db;
        switch (f) {
        case F_LOW_CUT:
        case F_HIGH_CUT:
            err = parse_int(p, FIELDS[f], 0, EQ_HZ_MAX, &hz, NULL);
            *(f == F_LOW_CUT ? &eq.low_cut_hz : &eq.high_cut_hz) = (int)hz;
            break;
        case F_Q:
            err = parse_tenths(p, "q", "a width", 1, EQ_Q_MAX, &eq.mid_q_tenths);
            break;
        default:
            err = parse_int(p, FIELDS[f], 20, EQ_HZ_MAX, &hz, NULL);
            *(f == F_LOW_SHELF ? &eq.low_shelf_hz
              : f == F_MID     ? &eq.mid_hz
                               : &eq.high_shelf_hz) = (int)hz;
            if (!err)
                err = parse_tenths(p, FIELDS[f], "dB", -EQ_DB_MAX, EQ_DB_MAX, gain);
            break;
        }
        if (err)
            return err;
    }
    song_eq_store(dest, &eq);
    return HISS_OK;
}

static HissError parse_master_eq(Parser *p, Token kw)
{
    HissError err = check_once(p, ONCE_MASTER_EQ, kw);
    return err ? err : parse_eq_fields(p, "master_eq", &p->song->master_eq);
}

static HissError parse_param_fields(Parser *p, const char *owner, const SongParamInfo *params,
                                    int count, _Atomic int *dest);

/* channel_comp NN fields: channel NN's compressor, once per channel. */
static HissError parse_channel_comp(Parser *p)
{
    int c;
    HissError err = parse_channel_number(p, "channel_comp", p->channel_comp_line, &c, NULL);
    if (err)
        return err;
    char owner[32];
    snprintf(owner, sizeof owner, "channel_comp %d", c + 1);
    return parse_param_fields(p, owner, song_comp_params, SONG_COMP_PARAMS,
                              p->song->strips[c].comp);
}

static HissError parse_shape_value(Parser *p, const ShapeInfo *info, int *out);

/* channel_fx NN fields: channel NN's filter, crush and drive insert, the
 * fields and values of an instrument's, once per channel. */
static HissError parse_channel_fx(Parser *p)
{
    int c;
    HissError err = parse_channel_number(p, "channel_fx", p->channel_fx_line, &c, NULL);
    if (err)
        return err;
    char owner[32];
    snprintf(owner, sizeof owner, "channel_fx %d", c + 1);
    const char *fields[SONG_INSERT_PARAMS];
    for (int i = 0; i < SONG_INSERT_PARAMS; i++)
        fields[i] = shape_info(song_insert_params[i])->key;
    bool seen[SONG_INSERT_PARAMS] = {false};
    for (;;) {
        int f, v;
        err = next_field(p, fields, SONG_INSERT_PARAMS, seen, owner, &f);
        if (err || f < 0)
            return err;
        err = parse_shape_value(p, shape_info(song_insert_params[f]), &v);
        if (err)
            return err;
        atomic_store(&p->song->strips[c].fx[song_insert_params[f]], v);
    }
}

/* channel_groove NN fields: channel NN's own groove, once per channel. */
static HissError parse_channel_groove(Parser *p)
{
    int c;
    HissError err = parse_channel_number(p, "channel_groove", p->channel_groove_line, &c, NULL);
    if (err)
        return err;
    char owner[32];
    snprintf(owner, sizeof owner, "channel_groove %d", c + 1);
    err = parse_param_fields(p, owner, song_groove_params, SONG_GROOVE_PARAMS,
                             p->song->strips[c].groove);
    if (!err)
        atomic_store(&p->song->strips[c].groove_own, true);
    return err;
}

/* channel_eq NN fields: channel NN's EQ insert, once per channel. */
static HissError parse_channel_eq(Parser *p)
{
    int c;
    HissError err = parse_channel_number(p, "channel_eq", p->channel_eq_line, &c, NULL);
    if (err)
        return err;
    char owner[24];
    snprintf(owner, sizeof owner, "channel_eq %d", c + 1);
    return parse_eq_fields(p, owner, &p->song->strips[c].eq);
}

static HissError parse_master_gain(Parser *p, Token kw)
{
    HissError err = check_once(p, ONCE_MASTER_GAIN, kw);
    int v = 0;
    if (!err)
        err = parse_gain(p, "master_gain", &v);
    if (err)
        return err;
    atomic_store(&p->song->master_gain_tenth_db, v);
    return expect_end(p, "master_gain");
}

/* One of two words for what (a message's name for it): *is_second is
 * set when the second is given. */
static HissError parse_either(Parser *p, const char *what, const char *first,
                              const char *second, bool *is_second)
{
    Token t = next_token(p);
    char b[48];
    if (token_is(t, first))
        *is_second = false;
    else if (token_is(t, second))
        *is_second = true;
    else if (!t.n)
        return fail_at(p, t.pos, HISS_ERR_PARSE, "missing %s (%s|%s)", what, first,
                       second);
    else
        return fail_at(p, t.pos, HISS_ERR_PARSE, "bad %s '%s' (%s|%s)", what,
                       shown(b, t.s, t.n), first, second);
    return HISS_OK;
}

/* on|off, for what (a message's name for it). */
static HissError parse_switch(Parser *p, const char *what, bool *out)
{
    bool off = false;
    HissError err = parse_either(p, what, "on", "off", &off);
    *out = !off;
    return err;
}

/* channel NN name "..." gain DB pan P mute on|off solo on|off: a channel's
 * strip.
 * Fields may come in any order and be left out (default: as new). */
static HissError parse_channel(Parser *p)
{
    Token num;
    int c;
    HissError err = parse_channel_number(p, "channel", p->channel_line, &c, &num);
    if (err)
        return err;
    p->channel_col[c] = (uint16_t)num.pos;
    SongStrip *st = &p->song->strips[c];
    enum { F_NAME, F_GAIN, F_PAN, F_MUTE, F_SOLO, F_SEND_A, F_SEND_B, F_SEND_A_PRE,
           F_SEND_B_PRE, F_DUCK_FROM, F_DUCK_DEPTH, F_DUCK_ATTACK, F_DUCK_HOLD,
           F_DUCK_RELEASE, F_DUCK_INST };
    static const char *const FIELDS[] = {
        "name",       "gain",      "pan",        "mute",        "solo",
        "send_a",     "send_b",    "send_a_pre", "send_b_pre",  "duck_from",
        "duck_depth", "duck_attack", "duck_hold", "duck_release", "duck_inst"};
    bool seen[HISS_ARRAY_LEN(FIELDS)] = {false};
    char owner[24];
    snprintf(owner, sizeof owner, "channel %d", c + 1);
    for (;;) {
        int f;
        err = next_field(p, FIELDS, HISS_ARRAY_LEN(FIELDS), seen, owner, &f);
        if (err || f < 0)
            return err;
        int gain;
        long long pan;
        bool on;
        switch (f) {
        case F_NAME:
            err = parse_string(p, "channel name", SONG_NAME_MAX, st->name);
            break;
        case F_GAIN:
            if (!(err = parse_gain(p, "channel gain", &gain)))
                atomic_store(&st->gain_tenth_db, gain);
            break;
        case F_PAN:
            if (!(err = parse_int(p, "channel pan", -100, 100, &pan, NULL)))
                atomic_store(&st->pan, (int)pan);
            break;
        case F_MUTE:
        case F_SOLO:
            if (!(err = parse_switch(p, FIELDS[f], &on)))
                atomic_store(f == F_MUTE ? &st->mute : &st->solo, on);
            break;
        case F_SEND_A:
        case F_SEND_B:
            if (!(err = parse_gain(p, FIELDS[f], &gain)))
                atomic_store(&st->send_tenth_db[f - F_SEND_A], gain);
            break;
        case F_SEND_A_PRE:
        case F_SEND_B_PRE:
            if (!(err = parse_switch(p, FIELDS[f], &on)))
                atomic_store(&st->send_pre[f - F_SEND_A_PRE], on);
            break;
        case F_DUCK_FROM:
            if (!(err = parse_int(p, FIELDS[f], 0, SONG_MAX_CHANNELS, &pan, NULL)))
                atomic_store(&st->duck_from, (int)pan);
            break;
        case F_DUCK_INST: {
            int slot;
            Token at;
            if (!(err = parse_hex_number(p, "duck_inst instrument", 1, &slot, &at)))
                atomic_store(&st->duck_inst, slot);
            break;
        }
        case F_DUCK_DEPTH:
            if (!(err = parse_tenths(p, FIELDS[f], "dB", SONG_GAIN_MIN, 0, &gain)))
                atomic_store(&st->duck_depth_tenth_db, gain);
            break;
        default: /* attack, hold, release in ms */
            if (!(err = parse_int(p, FIELDS[f], 0, SONG_DUCK_MS_MAX, &pan, NULL)))
                atomic_store(f == F_DUCK_ATTACK ? &st->duck_attack_ms
                             : f == F_DUCK_HOLD ? &st->duck_hold_ms
                                                : &st->duck_release_ms,
                             (int)pan);
            break;
        }
        if (err)
            return err;
    }
}

/* A note value: 1/N with N a power of two up to 64, then d (dotted) or
 * t (triplet). */
static HissError parse_note_value(Parser *p, const char *what, int *out)
{
    Token t = next_token(p);
    char b[48];
    if (!t.n)
        return fail_at(p, t.pos, HISS_ERR_PARSE, "missing %s (a note value, e.g. 1/8d)",
                       what);
    int division = 0, feel = SONG_NOTE_STRAIGHT;
    size_t i = 2;
    bool ok = t.n >= 3 && t.s[0] == '1' && t.s[1] == '/';
    while (ok && i < t.n && is_digit(t.s[i]) && division < 1000)
        division = division * 10 + (t.s[i++] - '0');
    if (ok && i + 1 == t.n && (t.s[i] == 'd' || t.s[i] == 't'))
        feel = t.s[i++] == 'd' ? SONG_NOTE_DOTTED : SONG_NOTE_TRIPLET;
    ok = ok && i == t.n && song_note_value_valid(song_note_value_code(division, feel));
    if (!ok)
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "bad %s '%s' (1/1 .. 1/64, a power of two, then d for dotted "
                       "or t for triplet, e.g. 1/8d)",
                       what, shown(b, t.s, t.n));
    *out = song_note_value_code(division, feel);
    return HISS_OK;
}

/* delay FIELD VALUE... and reverb FIELD VALUE...: the send buses, fields
 * from the song's parameter table in any order, any left out (default). */
static HissError parse_bus(Parser *p, Token kw, int once, const char *owner,
                           const SongParamInfo *params, int count, _Atomic int *dest)
{
    HissError err = check_once(p, once, kw);
    return err ? err : parse_param_fields(p, owner, params, count, dest);
}

/* The fields of a line of named parameters, into dest (any left out:
 * their default); owner names the line in messages. */
static HissError parse_param_fields(Parser *p, const char *owner, const SongParamInfo *params,
                                    int count, _Atomic int *dest)
{
    HissError err;
    enum {
        MOST = SONG_DELAY_PARAMS + SONG_REVERB_PARAMS + SONG_COMP_PARAMS + SONG_TAPE_PARAMS +
               SONG_GROOVE_SONG_PARAMS
    };
    const char *fields[MOST];
    bool seen[MOST] = {false};
    for (int i = 0; i < count; i++)
        fields[i] = params[i].name;
    int values[MOST];
    for (int i = 0; i < count; i++)
        values[i] = params[i].def;
    for (;;) {
        int f;
        err = next_field(p, fields, (size_t)count, seen, owner, &f);
        if (err)
            return err;
        if (f < 0)
            break;
        const SongParamInfo *info = &params[f];
        long long v = 0;
        bool on = false;
        switch (info->kind) {
        case SONG_PARAM_INT: {
            Token t;
            err = parse_int(p, info->name, info->min, info->max, &v, &t);
            values[f] = (int)v;
            /* A groove's pairs are of 8th or 16th notes, nothing between. */
            if (!err && params == song_groove_params && f == SONG_GROOVE_GRID && v != 8 &&
                v != 16)
                err = fail_at(p, t.pos, HISS_ERR_RANGE, "grid %lld in %s: 8 or 16", v, owner);
            break;
        }
        case SONG_PARAM_TENTHS:
            err = parse_tenths(p, info->name, info->unit, info->min, info->max, &values[f]);
            break;
        case SONG_PARAM_SWITCH:
            err = parse_switch(p, info->name, &on);
            values[f] = on;
            break;
        case SONG_PARAM_NOTE:
            err = parse_note_value(p, info->name, &values[f]);
            break;
        }
        if (err)
            return err;
    }
    for (int i = 0; i < count; i++)
        atomic_store(&dest[i], values[i]);
    return HISS_OK;
}

/* limiter on|off [ceiling DB]: the ceiling in dBTP, -20.0..0.0. */
static HissError parse_limiter(Parser *p, Token kw)
{
    HissError err = check_once(p, ONCE_LIMITER, kw);
    bool on = false;
    if (!err)
        err = parse_switch(p, "limiter", &on);
    if (err)
        return err;
    atomic_store(&p->song->limiter, on);
    Token t = next_token(p);
    if (!t.n)
        return HISS_OK;
    char b[48];
    if (!token_is(t, "ceiling"))
        return fail_at(p, t.pos, HISS_ERR_PARSE, "unknown field '%s' in limiter (ceiling)",
                       shown(b, t.s, t.n));
    int ceiling = 0;
    err = parse_tenths(p, "ceiling", "dBTP", SONG_CEILING_MIN, 0, &ceiling);
    if (err)
        return err;
    atomic_store(&p->song->limiter_ceiling_tenth_db, ceiling);
    return expect_end(p, "limiter");
}

/* A setting given once, as one of two words: *is_second as parse_either. */
static HissError parse_once_either(Parser *p, Token kw, int once, const char *what,
                                   const char *first, const char *second, bool *is_second)
{
    HissError err = check_once(p, once, kw);
    if (!err)
        err = parse_either(p, what, first, second, is_second);
    return err ? err : expect_end(p, what);
}

static HissError parse_slides(Parser *p, Token kw)
{
    bool amiga = false;
    HissError err = parse_once_either(p, kw, ONCE_SLIDES, "slides", "linear", "amiga", &amiga);
    if (!err)
        atomic_store(&p->song->slides, amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
    return err;
}

/* `vibrato pt|ft2`, `tremor it|ft2`: how an effect plays, as the
 * tracker named second does when *ft2 is set. */
static HissError parse_ft2_switch(Parser *p, Token kw, int once, const char *what,
                                  const char *other, _Atomic bool *ft2)
{
    bool second = false;
    HissError err = parse_once_either(p, kw, once, what, other, "ft2", &second);
    if (!err)
        atomic_store(ft2, second);
    return err;
}

static HissError parse_order(Parser *p, Token kw)
{
    HissError err = check_once(p, ONCE_ORDER, kw);
    if (err)
        return err;
    for (;;) {
        skip_blanks(p);
        if (p->pos >= p->len)
            break;
        if (p->order_count == SONG_MAX_ORDERS)
            return fail_at(p, p->pos, HISS_ERR_RANGE,
                           "too many order entries (at most %d)",
                           SONG_MAX_ORDERS);
        Token t;
        int v;
        err = parse_hex_number(p, "pattern number", 0, &v, &t);
        if (err)
            return err;
        atomic_store(&p->song->orders[p->order_count], (uint8_t)v);
        p->order_col[p->order_count] = (uint16_t)t.pos;
        p->order_count++;
    }
    atomic_store(&p->song->order_count, p->order_count);
    return HISS_OK;
}

static HissError parse_note_token(Parser *p, Token t, uint8_t *note)
{
    char b[48];
    if (t.n != 3 || !song_note_parse(t.s, note) || *note < NOTE_FIRST ||
        *note > NOTE_LAST)
        return fail_at(p, t.pos, HISS_ERR_PARSE,
                       "bad base note '%s' (C-0..B-9)", shown(b, t.s, t.n));
    return HISS_OK;
}

/* One of the shaping parameters (shape.h): its word, then a whole
 * number in its range or one of its choices. */
/* Appends the shaping fields' names to the list in out, those in a row
 * with a common "x_" prefix joined as x_{a,b} so that the whole list
 * fits one message. */
static void shape_field_names(char *out, size_t size)
{
    size_t used = strlen(out);
    for (int i = 0; i < SHAPE_COUNT;) {
        const char *key = shape_info((ShapeParam)i)->key;
        const char *bar = strchr(key, '_');
        size_t prefix = bar ? (size_t)(bar - key) + 1 : 0;
        int j = i + 1;
        while (prefix && j < SHAPE_COUNT && !strncmp(shape_info((ShapeParam)j)->key, key, prefix))
            j++;
        char item[160];
        if (j - i == 1) {
            snprintf(item, sizeof item, ", %s", key);
        } else {
            size_t n = (size_t)snprintf(item, sizeof item, ", %.*s{", (int)prefix, key);
            for (int k = i; k < j && n < sizeof item; k++)
                n += (size_t)snprintf(item + n, sizeof item - n, "%s%s", k > i ? "," : "",
                                      shape_info((ShapeParam)k)->key + prefix);
            if (n < sizeof item)
                snprintf(item + n, sizeof item - n, "}");
        }
        int n = snprintf(out + used, size - used, "%s", item);
        if (n > 0 && used + (size_t)n < size)
            used += (size_t)n;
        i = j;
    }
}

static HissError parse_shape_field(Parser *p, Token key, int slot,
                                   bool seen[SHAPE_COUNT], Instrument *inst)
{
    char b[48];
    ShapeParam param = shape_find(key.s, key.n);
    if (param == SHAPE_COUNT) {
        char fields[600] = "sample, volume, pan, base, finetune, loop, interp, slices, "
                           "stretch, {vol,pan,bend,cutoff}_env/sustain/loop, fadeout, "
                           "bare_env, nna, dupcheck, dupaction, autovib, filter_model";
        shape_field_names(fields, sizeof fields);
        return fail_at(p, key.pos, HISS_ERR_PARSE,
                       "unknown field '%s' (%s)",
                       shown(b, key.s, key.n), fields);
    }
    const ShapeInfo *info = shape_info(param);
    if (seen[param])
        return fail_at(p, key.pos, HISS_ERR_PARSE,
                       "duplicate field '%s' in instrument %02X", info->key,
                       slot);
    seen[param] = true;
    return parse_shape_value(p, info, &inst->shape[param]);
}

/* A shaping parameter's value: a whole number in its range or one of
 * its choices. */
static HissError parse_shape_value(Parser *p, const ShapeInfo *info, int *out)
{
    char b[48];
    if (info->choices) {
        Token t = next_token(p);
        char names[96];
        shape_choice_list(info, names, sizeof names);
        int v = shape_choice_find(info, t.s, t.n);
        if (!t.n)
            return fail_at(p, t.pos, HISS_ERR_PARSE, "missing %s (%s)",
                           info->key, names);
        if (v < 0)
            return fail_at(p, t.pos, HISS_ERR_PARSE, "bad %s '%s' (%s)",
                           info->key, shown(b, t.s, t.n), names);
        *out = v;
        return HISS_OK;
    }
    long long v;
    HissError err = parse_int(p, info->key, info->min, info->max, &v, NULL);
    if (!err)
        *out = (int)v;
    return err;
}

/* "slices N f1 f2 ... fN": N slice points, strictly ascending frames. */
static HissError parse_slices(Parser *p, Instrument *inst)
{
    long long count, v;
    HissError err = parse_int(p, "slice count", 0, SONG_MAX_SLICES, &count, NULL);
    if (err)
        return err;
    for (int i = 0; i < count; i++) {
        Token t;
        err = parse_int(p, "slice point", 0, UINT32_MAX, &v, &t);
        if (err)
            return err;
        if (i > 0 && (uint32_t)v <= inst->slices[i - 1])
            return fail_at(p, t.pos, HISS_ERR_RANGE,
                           "slice point %lld is not after %u (slice points "
                           "go up)", v, inst->slices[i - 1]);
        inst->slices[i] = (uint32_t)v;
    }
    inst->slice_count = (int)count;
    inst->given |= INST_GIVEN_SLICES;
    return HISS_OK;
}

/* "vol_env N t1 v1 ... tN vN": N (2..32) points, ticks going up, levels
 * 0..64. */
static HissError parse_envelope(Parser *p, const char *what, SongEnvelope *env)
{
    long long count, tick, value;
    char name[32];
    snprintf(name, sizeof name, "%s point count", what);
    HissError err = parse_int(p, name, 2, SONG_ENV_POINTS, &count, NULL);
    if (err)
        return err;
    for (int k = 0; k < count; k++) {
        Token t;
        snprintf(name, sizeof name, "%s tick", what);
        err = parse_int(p, name, 0, SONG_ENV_MAX_TICK, &tick, &t);
        if (err)
            return err;
        if (k && tick <= env->tick[k - 1])
            return fail_at(p, t.pos, HISS_ERR_RANGE,
                           "%s tick %lld is not after %u (envelope ticks go up)", what,
                           tick, env->tick[k - 1]);
        snprintf(name, sizeof name, "%s level", what);
        err = parse_int(p, name, 0, SONG_ENV_TOP, &value, NULL);
        if (err)
            return err;
        env->tick[k] = (uint16_t)tick;
        env->value[k] = (uint8_t)value;
    }
    env->count = (int)count;
    return HISS_OK;
}

/* "vol_sustain A B", "vol_loop A B": first and last point (0-based),
 * checked against the points once the instrument's line is read. */
static HissError parse_point_range(Parser *p, const char *what, int *start, int *end,
                                   Token *where)
{
    long long a, b;
    HissError err = parse_int(p, what, 0, SONG_ENV_POINTS - 1, &a, where);
    if (!err)
        err = parse_int(p, what, a, SONG_ENV_POINTS - 1, &b, NULL);
    if (err)
        return err;
    *start = (int)a;
    *end = (int)b;
    return HISS_OK;
}

/* The first and last point of the sustain (loop false) or loop of env. */
static void envelope_range(SongEnvelope *env, bool loop, int *range[2])
{
    range[0] = loop ? &env->loop_start : &env->sustain_start;
    range[1] = loop ? &env->loop_end : &env->sustain_end;
}

/* A sustain or loop given by the token at `where` must name points the
 * envelope has. */
static HissError check_point_range(Parser *p, const char *what, int end,
                                   const SongEnvelope *env, const Token *where)
{
    if (end < 0 || end < env->count)
        return HISS_OK;
    return fail_at(p, where->pos, HISS_ERR_RANGE,
                   "%s past the envelope's %d points (points count from 0)", what,
                   env->count);
}

static HissError parse_instrument(Parser *p)
{
    Token slot_tok;
    int slot;
    HissError err =
        parse_hex_number(p, "instrument slot", 1, &slot, &slot_tok);
    if (err)
        return err;
    if (p->instrument_line[slot])
        return fail_at(p, slot_tok.pos, HISS_ERR_PARSE,
                       "duplicate instrument %02X (first on line %d)", slot,
                       p->instrument_line[slot]);
    p->instrument_line[slot] = p->lineno;
    Instrument *inst = song_instrument_new();
    if (!inst)
        return fail_at(p, slot_tok.pos, HISS_ERR_NOMEM, "out of memory");
    atomic_store(&p->song->instruments[slot], inst);
    err = parse_string(p, "instrument name", SONG_NAME_MAX, inst->name);
    if (err)
        return err;

    /* Each envelope kind (song.h) has three fields from F_ENVELOPES on:
     * its points, its sustain and its loop. */
    enum { F_SAMPLE, F_VOLUME, F_PAN, F_BASE, F_FINETUNE, F_LOOP, F_INTERP, F_SLICES,
           F_STRETCH, F_FADEOUT, F_BARE_ENV, F_NNA, F_DUPCHECK, F_DUPACTION, F_AUTOVIB,
           F_FILTER_MODEL, F_FADE_FROM, F_ENVELOPES,
           F_COUNT = F_ENVELOPES + 3 * SONG_ENV_KINDS };
    static const char *const FIELDS[F_COUNT] = {
        "sample",         "volume",        "pan",         "base",       "finetune",
        "loop",           "interp",        "slices",      "stretch",    "fadeout",
        "bare_env",       "nna",           "dupcheck",    "dupaction",  "autovib",
        "filter_model",   "fade_from",     "vol_env",        "vol_sustain",   "vol_loop",    "pan_env",
        "pan_sustain",    "pan_loop",      "bend_env",    "bend_sustain", "bend_loop",
        "cutoff_env",     "cutoff_sustain", "cutoff_loop"};
    /* Where each sustain and loop was given (by envelope field), to check
     * them against the points at the end of the line. */
    Token range_at[3 * SONG_ENV_KINDS] = {{0}};
    bool seen[HISS_ARRAY_LEN(FIELDS)] = {false};
    bool shape_seen[SHAPE_COUNT] = {false};
    char b[48], word[16];
    for (;;) {
        Token key = next_token(p);
        if (!key.n)
            break;
        size_t f = 0;
        while (f < HISS_ARRAY_LEN(FIELDS) && !token_is(key, FIELDS[f]))
            f++;
        if (f == HISS_ARRAY_LEN(FIELDS)) {
            err = parse_shape_field(p, key, slot, shape_seen, inst);
            if (err)
                return err;
            continue;
        }
        if (seen[f])
            return fail_at(p, key.pos, HISS_ERR_PARSE,
                           "duplicate field '%s' in instrument %02X",
                           FIELDS[f], slot);
        seen[f] = true;
        long long v;
        Token t;
        switch (f) {
        case F_SAMPLE:
            err = parse_string(p, "sample path", SONG_PATH_MAX, inst->path);
            break;
        case F_VOLUME:
            err = parse_int(p, "volume", 0, VOLUME_MAX, &v, NULL);
            inst->volume = (int)v;
            break;
        case F_PAN:
            err = parse_int(p, "pan", -100, 100, &v, NULL);
            inst->pan = (int)v;
            break;
        case F_BASE:
            t = next_token(p);
            err = parse_note_token(p, t, &inst->base_note);
            inst->given |= INST_GIVEN_BASE;
            break;
        case F_FINETUNE:
            err = parse_int(p, "finetune", -100, 100, &v, NULL);
            inst->finetune = (int)v;
            break;
        case F_LOOP: {
            t = next_token(p);
            if (!song_loop_parse(token_cstr(t, word, sizeof word),
                                 &inst->loop))
                return fail_at(p, t.pos, HISS_ERR_PARSE,
                               "bad loop mode '%s' (off|forward|pingpong)",
                               shown(b, t.s, t.n));
            Token start_tok;
            err = parse_int(p, "loop start", 0, UINT32_MAX, &v, &start_tok);
            if (err)
                return err;
            inst->loop_start = (uint32_t)v;
            err = parse_int(p, "loop end", 0, UINT32_MAX, &v, NULL);
            if (err)
                return err;
            inst->loop_end = (uint32_t)v;
            if (inst->loop_start > inst->loop_end)
                return fail_at(p, start_tok.pos, HISS_ERR_RANGE,
                               "loop start %u is after loop end %u",
                               inst->loop_start, inst->loop_end);
            inst->given |= INST_GIVEN_LOOP;
            break;
        }
        case F_SLICES:
            err = parse_slices(p, inst);
            break;
        case F_STRETCH:
            err = parse_int(p, "stretch beats", 1, SONG_STRETCH_MAX_BEATS, &v, NULL);
            inst->stretch_beats = (int)v;
            if (!err)
                err = parse_string(p, "stretch source path", SONG_PATH_MAX,
                                   inst->stretch_from);
            break;
        case F_INTERP:
            t = next_token(p);
            if (!song_interp_parse(token_cstr(t, word, sizeof word),
                                   &inst->interp))
                return fail_at(p, t.pos, HISS_ERR_PARSE,
                               "bad interp '%s' (raw|linear|cubic|sinc)",
                               shown(b, t.s, t.n));
            break;
        case F_FADEOUT:
            err = parse_int(p, "fadeout", 0, SONG_FADEOUT_MAX, &v, NULL);
            inst->fadeout = (int)v;
            break;
        case F_BARE_ENV:
            err = parse_either(p, "bare_env", "restart", "keep", &inst->env_keep_bare);
            break;
        case F_FILTER_MODEL:
            err = parse_either(p, "filter_model", "hiss", "it", &inst->filter_it);
            break;
        case F_FADE_FROM:
            err = parse_either(p, "fade_from", "off", "end", &inst->fade_after_env);
            break;
        case F_NNA:
        case F_DUPACTION: {
            t = next_token(p);
            int action = song_name_find(song_note_action_names, SONG_NOTE_ACTIONS, t.s, t.n);
            if (action < 0 || (f == F_DUPACTION && action == SONG_NOTE_CONTINUE))
                return fail_at(p, t.pos, HISS_ERR_PARSE, "bad %s '%s' (%s)", FIELDS[f],
                               shown(b, t.s, t.n),
                               f == F_NNA ? "cut|continue|off|fade" : "cut|off|fade");
            if (f == F_NNA)
                inst->nna = (uint8_t)action;
            else
                inst->dupaction = (uint8_t)action;
            break;
        }
        case F_AUTOVIB: {
            /* wave rate depth sweep (song.h) */
            static const char *const PARTS[4] = {"autovib wave", "autovib rate",
                                                 "autovib depth", "autovib sweep"};
            for (int k = 0; k < 4 && !err; k++) {
                err = parse_int(p, PARTS[k], 0, k == SONG_AUTOVIB_WAVE ? 3 : 255, &v, NULL);
                inst->autovib[k] = (uint8_t)v;
            }
            break;
        }
        case F_DUPCHECK: {
            t = next_token(p);
            int check = song_name_find(song_dup_check_names, SONG_DUP_CHECKS, t.s, t.n);
            if (check < 0)
                return fail_at(p, t.pos, HISS_ERR_PARSE,
                               "bad dupcheck '%s' (off|note|sample|instrument)",
                               shown(b, t.s, t.n));
            inst->dupcheck = (uint8_t)check;
            break;
        }
        default: {
            size_t e = f - F_ENVELOPES;
            SongEnvelope *env = &inst->env[e / 3];
            if (e % 3 == 0) {
                err = parse_envelope(p, FIELDS[f], env);
                break;
            }
            int *range[2];
            envelope_range(env, e % 3 == 2, range);
            char what[32];
            snprintf(what, sizeof what, "%s point", FIELDS[f]);
            err = parse_point_range(p, what, range[0], range[1], &range_at[e]);
            break;
        }
        }
        if (err)
            return err;
    }
    for (int e = 0; e < 3 * SONG_ENV_KINDS && !err; e++) {
        if (e % 3 == 0)
            continue;
        int *range[2];
        SongEnvelope *env = &inst->env[e / 3];
        envelope_range(env, e % 3 == 2, range);
        err = check_point_range(p, FIELDS[F_ENVELOPES + e], *range[1], env, &range_at[e]);
    }
    return err;
}

static HissError parse_pattern(Parser *p)
{
    Token num_tok;
    int index;
    HissError err = parse_hex_number(p, "pattern number", 0, &index, &num_tok);
    if (err)
        return err;
    if (p->pattern_line[index])
        return fail_at(p, num_tok.pos, HISS_ERR_PARSE,
                       "duplicate pattern %02X (first on line %d)", index,
                       p->pattern_line[index]);
    long long rows;
    err = parse_int(p, "rows", 1, SONG_MAX_ROWS, &rows, NULL);
    if (err)
        return err;
    err = expect_end(p, "the row count");
    if (err)
        return err;
    Pattern *pat =
        song_pattern_new((int)rows, atomic_load(&p->song->channels));
    if (!pat)
        return fail_at(p, num_tok.pos, HISS_ERR_NOMEM, "out of memory");
    atomic_store(&p->song->patterns[index], pat);
    p->pattern_line[index] = p->lineno;
    p->patterns_seen++;
    p->grid = pat;
    p->grid_index = index;
    p->grid_rows_read = 0;
    return HISS_OK;
}

/* "..." or a letter 0-9/A-Z and two hex digits. */
static bool parse_effect(const char *s, uint8_t *fx, uint8_t *param)
{
    if (!memcmp(s, "...", 3)) {
        *fx = 0;
        *param = 0;
        return true;
    }
    bool letter = (s[0] >= '0' && s[0] <= '9') || (s[0] >= 'A' && s[0] <= 'Z');
    int v = hex2(s + 1);
    if (!letter || v < 0)
        return false;
    *fx = (uint8_t)s[0];
    *param = (uint8_t)v;
    return true;
}

/* One cell of CELL_CHARS characters at line offset `at`, followed by '|'. */
static HissError parse_cell(Parser *p, size_t at, Cell *cell)
{
    const char *s = p->line + at;
    const char *bar = memchr(s, '|', p->len - at);
    size_t n = bar ? (size_t)(bar - s) : p->len - at;
    if (n != CELL_CHARS)
        return fail_at(p, at, HISS_ERR_PARSE,
                       "cell has %zu characters, expected %d "
                       "(note inst vol fx fx2, e.g. 'C-4 01 40 A0F ...')",
                       n, CELL_CHARS);
    if (!bar)
        return fail_at(p, at + n, HISS_ERR_PARSE,
                       "missing '|' after the last cell");
    for (int k = 3; k < CELL_CHARS; k += k < 9 ? 3 : 4)
        if (s[k] != ' ')
            return fail_at(p, at + (size_t)k, HISS_ERR_PARSE,
                           "expected a space between cell fields");
    char b[48];
    if (!song_note_parse(s, &cell->note))
        return fail_at(p, at, HISS_ERR_PARSE,
                       "bad note '%s' (C-0..B-9, === off, ^^^ cut, ... "
                       "empty)",
                       shown(b, s, 3));
    if (!memcmp(s + 4, "..", 2)) {
        cell->instrument = 0;
    } else {
        int v = hex2(s + 4);
        if (v < 0)
            return fail_at(p, at + 4, HISS_ERR_PARSE,
                           "bad instrument '%s' (two hex digits 01..FF, or "
                           ".. for none)",
                           shown(b, s + 4, 2));
        if (v == 0)
            return fail_at(p, at + 4, HISS_ERR_RANGE,
                           "instrument 00 is out of range (01..FF, or .. for "
                           "none)");
        cell->instrument = (uint8_t)v;
    }
    if (!memcmp(s + 7, "..", 2)) {
        cell->volume = VOLUME_EMPTY;
    } else {
        int v = hex2(s + 7);
        if (v < 0)
            return fail_at(p, at + 7, HISS_ERR_PARSE,
                           "bad volume '%s' (two hex digits 00..40, or .. "
                           "for none)",
                           shown(b, s + 7, 2));
        if (v > VOLUME_MAX)
            return fail_at(p, at + 7, HISS_ERR_RANGE,
                           "volume %s is out of range (00..40)",
                           shown(b, s + 7, 2));
        cell->volume = (uint8_t)v;
    }
    if (!parse_effect(s + 10, &cell->fx, &cell->fx_param))
        return fail_at(p, at + 10, HISS_ERR_PARSE,
                       "bad effect '%s' (a letter 0-9 or A-Z and two hex "
                       "digits, or ... for none)",
                       shown(b, s + 10, 3));
    if (!parse_effect(s + 14, &cell->fx2, &cell->fx2_param))
        return fail_at(p, at + 14, HISS_ERR_PARSE,
                       "bad effect '%s' (a letter 0-9 or A-Z and two hex "
                       "digits, or ... for none)",
                       shown(b, s + 14, 3));
    return HISS_OK;
}

static HissError parse_row(Parser *p)
{
    size_t at = p->pos;
    const char *s = p->line + at;
    if (at + 3 > p->len || !is_digit(s[0]) || !is_digit(s[1]) ||
        !is_digit(s[2]) || (at + 3 < p->len && is_digit(s[3])))
        return fail_at(p, at, HISS_ERR_PARSE,
                       "bad row number (three decimal digits, e.g. 007)");
    int row = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    if (!p->grid)
        return fail_at(p, at, HISS_ERR_PARSE,
                       "row outside a pattern (rows follow a 'pattern' "
                       "line)");
    Pattern *pat = p->grid;
    if (p->grid_rows_read == pat->rows)
        return fail_at(p, at, HISS_ERR_RANGE,
                       "one row too many: pattern %02X has %d rows (header "
                       "on line %d)",
                       p->grid_index, pat->rows,
                       p->pattern_line[p->grid_index]);
    if (row != p->grid_rows_read)
        return fail_at(p, at, HISS_ERR_PARSE,
                       "row %03d out of sequence, expected %03d", row,
                       p->grid_rows_read);
    at += 3;
    if (at + 2 > p->len || p->line[at] != ' ' || p->line[at + 1] != '|')
        return fail_at(p, at, HISS_ERR_PARSE,
                       "expected ' |' after the row number");
    at += 2;

    /* Count first so a row with the wrong number of channels gets one clear
     * message instead of a complaint about some cell. A trailing piece
     * without its closing bar counts as a cell. */
    int cells = 0;
    size_t extra_at = 0;
    for (size_t i = at; i < p->len; i++) {
        if (p->line[i] == '|') {
            cells++;
            if (cells == pat->channels)
                extra_at = i + 1;
        }
    }
    if (p->line[p->len - 1] != '|')
        cells++;
    if (cells != pat->channels) {
        size_t col = cells < pat->channels ? p->len : extra_at;
        if (p->grid_rows_read == 0)
            return fail_at(p, col, HISS_ERR_PARSE,
                           "pattern %02X has %d channels, but the song has "
                           "%d%s",
                           p->grid_index, cells, pat->channels,
                           p->once_line[ONCE_CHANNELS]
                               ? ""
                               : " (no 'channels' line: the default)");
        return fail_at(p, col, HISS_ERR_PARSE,
                       "row %03d has %d cells, expected %d", row, cells,
                       pat->channels);
    }
    for (int ch = 0; ch < pat->channels; ch++) {
        Cell cell;
        HissError err = parse_cell(p, at, &cell);
        if (err)
            return err;
        song_pattern_set(pat, row, ch, cell);
        at += CELL_CHARS + 1;
    }
    p->grid_rows_read++;
    return HISS_OK;
}

/* A pattern's rows end at the first line that is not a row. */
static HissError end_grid(Parser *p, int lineno_shown)
{
    if (!p->grid)
        return HISS_OK;
    Pattern *pat = p->grid;
    p->grid = NULL;
    if (p->grid_rows_read == pat->rows)
        return HISS_OK;
    p->lineno = lineno_shown;
    return fail_at(p, 0, HISS_ERR_PARSE,
                   "pattern %02X has only %d of its %d rows (header on line "
                   "%d)",
                   p->grid_index, p->grid_rows_read, pat->rows,
                   p->pattern_line[p->grid_index]);
}

static HissError parse_line(Parser *p)
{
    /* Line 1 is always read first, so this is line 1. */
    if (!p->version_seen)
        return parse_version(p);
    skip_blanks(p);
    if (p->pos == p->len)
        return end_grid(p, p->lineno);
    if (is_digit(p->line[p->pos]))
        return parse_row(p);
    HissError err = end_grid(p, p->lineno);
    if (err)
        return err;

    Token kw = next_token(p);
    if (token_is(kw, "title"))
        return parse_title(p, kw);
    if (token_is(kw, "bpm"))
        return parse_bpm(p, kw);
    for (size_t i = 0; i < HISS_ARRAY_LEN(INT_SETTINGS); i++)
        if (token_is(kw, INT_SETTINGS[i].name))
            return parse_int_setting(p, kw, i);
    if (token_is(kw, "master_gain"))
        return parse_master_gain(p, kw);
    if (token_is(kw, "limiter"))
        return parse_limiter(p, kw);
    if (token_is(kw, "slides"))
        return parse_slides(p, kw);
    if (token_is(kw, "vibrato"))
        return parse_ft2_switch(p, kw, ONCE_VIBRATO, "vibrato", "pt", &p->song->ft2_vibrato);
    if (token_is(kw, "tremor"))
        return parse_ft2_switch(p, kw, ONCE_TREMOR, "tremor", "it", &p->song->ft2_tremor);
    if (token_is(kw, "reference"))
        return parse_reference(p, kw);
    if (token_is(kw, "instrument"))
        return parse_instrument(p);
    if (token_is(kw, "channel"))
        return parse_channel(p);
    if (token_is(kw, "master_eq"))
        return parse_master_eq(p, kw);
    if (token_is(kw, "channel_eq"))
        return parse_channel_eq(p);
    if (token_is(kw, "channel_comp"))
        return parse_channel_comp(p);
    if (token_is(kw, "channel_fx"))
        return parse_channel_fx(p);
    if (token_is(kw, "channel_groove"))
        return parse_channel_groove(p);
    if (token_is(kw, "groove"))
        return parse_bus(p, kw, ONCE_GROOVE, "groove", song_groove_params,
                         SONG_GROOVE_SONG_PARAMS, p->song->groove);
    if (token_is(kw, "delay"))
        return parse_bus(p, kw, ONCE_DELAY, "delay", song_delay_params, SONG_DELAY_PARAMS,
                         p->song->delay);
    if (token_is(kw, "reverb"))
        return parse_bus(p, kw, ONCE_REVERB, "reverb", song_reverb_params,
                         SONG_REVERB_PARAMS, p->song->reverb);
    if (token_is(kw, "glue"))
        return parse_bus(p, kw, ONCE_GLUE, "glue", song_glue_params, SONG_GLUE_PARAMS,
                         p->song->glue);
    if (token_is(kw, "tape"))
        return parse_bus(p, kw, ONCE_TAPE, "tape", song_tape_params, SONG_TAPE_PARAMS,
                         p->song->tape);
    if (token_is(kw, "order"))
        return parse_order(p, kw);
    if (token_is(kw, "pattern"))
        return parse_pattern(p);
    char b[48];
    if (token_is(kw, "hiss"))
        return fail_at(p, kw.pos, HISS_ERR_PARSE,
                       "the version line must be the first line");
    return fail_at(p, kw.pos, HISS_ERR_PARSE, "unknown statement '%s'",
                   shown(b, kw.s, kw.n));
}

static HissError finish(Parser *p)
{
    if (!p->version_seen) {
        p->lineno = 1;
        return fail_at(p, 0, HISS_ERR_FORMAT,
                       "missing version line (a song file starts with "
                       "'hiss %d')",
                       SONGFILE_VERSION);
    }
    HissError err = end_grid(p, p->lineno + 1);
    if (err)
        return err;
    int channels = atomic_load(&p->song->channels);
    for (int c = channels; c < SONG_MAX_CHANNELS; c++)
        if (p->channel_line[c]) {
            p->lineno = p->channel_line[c];
            return fail_at(p, p->channel_col[c], HISS_ERR_RANGE,
                           "channel %d is past the song's %d channels", c + 1,
                           channels);
        }
    for (int i = 0; i < p->order_count; i++) {
        int pat = atomic_load(&p->song->orders[i]);
        if (!p->pattern_line[pat]) {
            p->lineno = p->once_line[ONCE_ORDER];
            return fail_at(p, p->order_col[i], HISS_ERR_MISSING,
                           "order position %02X uses pattern %02X, which is "
                           "not defined",
                           i, pat);
        }
    }
    return HISS_OK;
}

HissError songfile_parse(const char *text, size_t len, const char *name,
                         Song **out, HissDiag *diag)
{
    *out = NULL;
    if (len > SONGFILE_MAX_BYTES) {
        hiss_diag_set(diag, name, 0, 0,
                      "file too large (%zu bytes; the limit is %d)", len,
                      SONGFILE_MAX_BYTES);
        return HISS_ERR_RANGE;
    }
    Parser *p = calloc(1, sizeof *p);
    Song *song = song_new_empty();
    if (!p || !song) {
        free(p);
        song_free(song);
        hiss_diag_set(diag, name, 0, 0, "out of memory");
        return HISS_ERR_NOMEM;
    }
    p->name = name;
    p->diag = diag;
    p->song = song;

    /* Editors on some systems start UTF-8 files with a byte order mark. */
    size_t start = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        start = 3;
    HissError err = HISS_OK;
    while (start < len && !err) {
        const char *line = text + start;
        const char *nl = memchr(line, '\n', len - start);
        size_t n = nl ? (size_t)(nl - line) : len - start;
        start += n + 1;
        p->lineno++;
        const char *nul = memchr(line, 0, n);
        p->line = line;
        p->len = n;
        if (nul) {
            err = fail_at(p, (size_t)(nul - line), HISS_ERR_FORMAT,
                          "NUL byte (a song file is text)");
            break;
        }
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
                         line[n - 1] == '\r'))
            n--;
        if (n > SONGFILE_MAX_LINE) {
            err = fail_at(p, SONGFILE_MAX_LINE, HISS_ERR_RANGE,
                          "line too long (at most %d bytes)",
                          SONGFILE_MAX_LINE);
            break;
        }
        p->len = n;
        p->pos = 0;
        err = parse_line(p);
    }
    if (!err)
        err = finish(p);
    free(p);
    if (err) {
        song_free(song);
        return err;
    }
    *out = song;
    return HISS_OK;
}

/* ------------------------------------------------------------- formatting */

typedef struct {
    char *data;
    size_t len, cap;
    bool nomem;
} Buf;

/* Room for n more bytes at data + len, or NULL (and nomem set). */
static char *buf_reserve(Buf *b, size_t n)
{
    if (b->nomem)
        return NULL;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) {
            b->nomem = true;
            return NULL;
        }
        b->data = data;
        b->cap = cap;
    }
    return b->data + b->len;
}

static void buf_put(Buf *b, const char *s, size_t n)
{
    char *w = buf_reserve(b, n);
    if (!w)
        return;
    memcpy(w, s, n);
    b->len += n;
}

static void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void buf_printf(Buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Quoted and escaped. Bytes the parser would refuse (control characters,
 * broken UTF-8) become '?' so that whatever the model holds, the file
 * loads again. */
/* Tenths as "-3.5", "0.0" into out (16 bytes). */
static const char *tenths_text(int tenths, char *out)
{
    int a = tenths < 0 ? -tenths : tenths;
    snprintf(out, 16, "%s%d.%d", tenths < 0 ? "-" : "", a / 10, a % 10);
    return out;
}

/* An EQ line, written only when it is not flat (so songs without one
 * keep their bytes), every field then. */
static void format_eq(Buf *b, const char *name, const SongEqShared *shared)
{
    SongEq eq, flat = song_eq_default();
    eq_read(shared, &eq);
    if (!memcmp(&eq, &flat, sizeof eq))
        return;
    char t1[16], t2[16], t3[16], t4[16];
    buf_printf(b,
               "%s low_cut %d low_shelf %d %s mid %d %s q %s high_shelf %d %s high_cut %d\n",
               name, eq.low_cut_hz, eq.low_shelf_hz, tenths_text(eq.low_shelf_tenth_db, t1),
               eq.mid_hz, tenths_text(eq.mid_tenth_db, t2), tenths_text(eq.mid_q_tenths, t3),
               eq.high_shelf_hz, tenths_text(eq.high_shelf_tenth_db, t4), eq.high_cut_hz);
}

/* A send bus's line, written only when it differs from the defaults (so
 * songs without one keep their bytes), every field then. */
static void format_fields(Buf *b, const char *name, const SongParamInfo *params, int count,
                          const _Atomic int *values);

/* A line of named parameters, written only when one differs from its default. */
static void format_bus(Buf *b, const char *name, const SongParamInfo *params, int count,
                       const _Atomic int *values)
{
    bool custom = false;
    for (int i = 0; i < count; i++)
        custom |= atomic_load(&values[i]) != params[i].def;
    if (custom)
        format_fields(b, name, params, count, values);
}

static void format_fields(Buf *b, const char *name, const SongParamInfo *params, int count,
                          const _Atomic int *values)
{
    buf_printf(b, "%s", name);
    for (int i = 0; i < count; i++) {
        int v = hiss_clampi(atomic_load(&values[i]), params[i].min, params[i].max);
        char text[16];
        switch (params[i].kind) {
        case SONG_PARAM_INT:
            snprintf(text, sizeof text, "%d", v);
            break;
        case SONG_PARAM_TENTHS:
            tenths_text(v, text);
            break;
        case SONG_PARAM_SWITCH:
            snprintf(text, sizeof text, "%s", v ? "on" : "off");
            break;
        case SONG_PARAM_NOTE:
            song_note_value_text(song_note_value_valid(v) ? v : params[i].def, text);
            break;
        }
        buf_printf(b, " %s %s", params[i].name, text);
    }
    buf_put(b, "\n", 1);
}

static void buf_string(Buf *b, const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    buf_put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            buf_put(b, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            buf_put(b, "?", 1);
            i++;
        } else if (c >= 0x80) {
            size_t k = utf8_sequence((const unsigned char *)s + i, n - i);
            if (k)
                buf_put(b, s + i, k);
            else
                buf_put(b, "?", 1);
            i += k ? k : 1;
        } else {
            buf_put(b, s + i, 1);
            i++;
        }
    }
    buf_put(b, "\"", 1);
}

static const char HEX[] = "0123456789ABCDEF";

static char *put_hex2(char *w, unsigned v)
{
    w[0] = HEX[(v >> 4) & 15];
    w[1] = HEX[v & 15];
    return w + 2;
}

static char *put_effect(char *w, uint8_t fx, uint8_t param)
{
    bool letter = (fx >= '0' && fx <= '9') || (fx >= 'A' && fx <= 'Z');
    if (!letter) {
        memcpy(w, "...", 3);
        return w + 3;
    }
    w[0] = (char)fx;
    return put_hex2(w + 1, param);
}

static char *put_cell(char *w, Cell c)
{
    char note[4];
    song_note_name(c.note, note);
    memcpy(w, note, 3);
    w[3] = ' ';
    w += 4;
    if (c.instrument) {
        w = put_hex2(w, c.instrument);
    } else {
        memcpy(w, "..", 2);
        w += 2;
    }
    *w++ = ' ';
    if (c.volume == VOLUME_EMPTY) {
        memcpy(w, "..", 2);
        w += 2;
    } else {
        w = put_hex2(w, c.volume > VOLUME_MAX ? VOLUME_MAX : c.volume);
    }
    *w++ = ' ';
    w = put_effect(w, c.fx, c.fx_param);
    *w++ = ' ';
    w = put_effect(w, c.fx2, c.fx2_param);
    *w++ = '|';
    return w;
}

/* A narrower pattern is padded with empty channels (the song's channel
 * count is widened to the widest pattern), so nothing is dropped. */
static void format_pattern(Buf *b, int index, const Pattern *pat,
                           int channels)
{
    buf_printf(b, "\npattern %02X %d\n", index, pat->rows);
    Cell empty = song_cell_empty();
    size_t row_bytes = 5 + (size_t)channels * (CELL_CHARS + 1) + 1;
    for (int r = 0; r < pat->rows; r++) {
        char *w = buf_reserve(b, row_bytes);
        if (!w)
            return;
        w[0] = (char)('0' + r / 100);
        w[1] = (char)('0' + r / 10 % 10);
        w[2] = (char)('0' + r % 10);
        w[3] = ' ';
        w[4] = '|';
        w += 5;
        for (int ch = 0; ch < channels; ch++)
            w = put_cell(w, ch < pat->channels ? song_pattern_get(pat, r, ch)
                                               : empty);
        *w = '\n';
        b->len += row_bytes;
    }
}

/* " vol_env N t v ... vol_sustain A B vol_loop A B"; nothing for no
 * envelope or one the file could not read back. */
static void format_envelope(Buf *b, const char *prefix, const SongEnvelope *env)
{
    if (!env->count || song_envelope_problem(env))
        return;
    buf_printf(b, " %s_env %d", prefix, env->count);
    for (int k = 0; k < env->count; k++)
        buf_printf(b, " %u %u", env->tick[k], env->value[k]);
    if (env->sustain_start >= 0)
        buf_printf(b, " %s_sustain %d %d", prefix, env->sustain_start, env->sustain_end);
    if (env->loop_start >= 0)
        buf_printf(b, " %s_loop %d %d", prefix, env->loop_start, env->loop_end);
}

static void format_instrument(Buf *b, int slot, const Instrument *inst)
{
    char base[4];
    uint8_t note = inst->base_note >= NOTE_FIRST && inst->base_note <= NOTE_LAST
                       ? inst->base_note
                       : NOTE_C4;
    song_note_name(note, base);
    LoopMode loop = (unsigned)inst->loop <= LOOP_PINGPONG ? inst->loop
                                                          : LOOP_OFF;
    InterpMode interp =
        (unsigned)inst->interp < INTERP_COUNT ? inst->interp : INTERP_LINEAR;
    uint32_t loop_end = inst->loop_end < inst->loop_start ? inst->loop_start
                                                          : inst->loop_end;
    buf_printf(b, "instrument %02X ", slot);
    buf_string(b, inst->name, sizeof inst->name - 1);
    buf_put(b, " sample ", 8);
    buf_string(b, inst->path, sizeof inst->path - 1);
    buf_printf(b,
               " volume %d pan %d base %s finetune %d loop %s %lu %lu "
               "interp %s",
               hiss_clampi(inst->volume, 0, VOLUME_MAX),
               hiss_clampi(inst->pan, -100, 100), base,
               hiss_clampi(inst->finetune, -100, 100), song_loop_name(loop),
               (unsigned long)inst->loop_start, (unsigned long)loop_end,
               song_interp_name(interp));
    /* Only what differs from the defaults, so songs that shape nothing
     * keep their lines as they were. */
    for (int i = 0; i < SHAPE_COUNT; i++) {
        const ShapeInfo *info = shape_info((ShapeParam)i);
        int v = hiss_clampi(inst->shape[i], info->min, info->max);
        if (v == info->def)
            continue;
        if (info->choices)
            buf_printf(b, " %s %s", info->key, info->choices[v]);
        else
            buf_printf(b, " %s %d", info->key, v);
    }
    /* Slices the song gave are written even when there are none, so
     * clearing a file's cue points survives a reload. */
    int slices = hiss_clampi(inst->slice_count, 0, SONG_MAX_SLICES);
    if (slices || (inst->given & INST_GIVEN_SLICES)) {
        buf_printf(b, " slices %d", slices);
        for (int i = 0; i < slices; i++)
            buf_printf(b, " %lu", (unsigned long)inst->slices[i]);
    }
    if (inst->stretch_beats > 0 && inst->stretch_from[0]) {
        buf_printf(b, " stretch %d ", hiss_clampi(inst->stretch_beats, 1,
                                                 SONG_STRETCH_MAX_BEATS));
        buf_string(b, inst->stretch_from, sizeof inst->stretch_from - 1);
    }
    for (int k = 0; k < SONG_ENV_KINDS; k++)
        format_envelope(b, song_env_names[k], &inst->env[k]);
    /* Also without a volume envelope: a note its new-note action sends
     * fading or off fades by it. */
    if (inst->fadeout > 0)
        buf_printf(b, " fadeout %d", hiss_clampi(inst->fadeout, 0, SONG_FADEOUT_MAX));
    if (inst->env_keep_bare)
        buf_put(b, " bare_env keep", 14);
    if (inst->filter_it)
        buf_put(b, " filter_model it", 16);
    if (inst->fade_after_env)
        buf_put(b, " fade_from end", 14);
    if (inst->nna != SONG_NOTE_CUT)
        buf_printf(b, " nna %s", song_note_action_names[inst->nna % SONG_NOTE_ACTIONS]);
    if (inst->autovib[SONG_AUTOVIB_DEPTH])
        buf_printf(b, " autovib %d %d %d %d", inst->autovib[0] & 3, inst->autovib[1],
                   inst->autovib[2], inst->autovib[3]);
    if (inst->dupcheck != SONG_DUP_OFF)
        buf_printf(b, " dupcheck %s dupaction %s",
                   song_dup_check_names[inst->dupcheck % SONG_DUP_CHECKS],
                   song_note_action_names[inst->dupaction % SONG_NOTE_ACTIONS]);
    buf_put(b, "\n", 1);
}

HissError songfile_format(const Song *song, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    Song *s = (Song *)song; /* atomics are read only */
    int channels = hiss_clampi(atomic_load(&s->channels), 1, SONG_MAX_CHANNELS);
    size_t estimate = 1024;
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *pat = song_pattern(s, i);
        if (pat && pat->channels > channels)
            channels = hiss_clampi(pat->channels, 1, SONG_MAX_CHANNELS);
    }
    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *pat = song_pattern(s, i);
        if (pat)
            estimate += 20 + (size_t)pat->rows *
                                 (6 + (size_t)channels * (CELL_CHARS + 1));
    }
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++)
        if (song_instrument(s, i))
            estimate += 256 + SONG_PATH_MAX;

    Buf b = {0};
    if (!buf_reserve(&b, estimate))
        return HISS_ERR_NOMEM;
    buf_printf(&b, "hiss %d\ntitle ", SONGFILE_VERSION);
    buf_string(&b, song->title, sizeof song->title - 1);
    int gain = hiss_clampi(atomic_load(&s->master_gain_tenth_db), GAIN_MIN,
                           GAIN_MAX);
    int gain_abs = gain < 0 ? -gain : gain;
    /* The ceiling only when it is not the default, likewise. */
    char ceiling_text[32] = "", ceiling_db[16];
    int ceiling = hiss_clampi(atomic_load(&s->limiter_ceiling_tenth_db), SONG_CEILING_MIN, 0);
    if (ceiling != SONG_CEILING_DEFAULT)
        snprintf(ceiling_text, sizeof ceiling_text, " ceiling %s",
                 tenths_text(ceiling, ceiling_db));
    /* The global volume only when it is not full, likewise. */
    char global_text[32] = "";
    int global = hiss_clampi(atomic_load(&s->global_volume), 0, SONG_GLOBAL_VOLUME_MAX);
    if (global != SONG_GLOBAL_VOLUME_MAX)
        snprintf(global_text, sizeof global_text, "global_volume %d\n", global);
    /* A whole tempo is written without its decimal, as songs always had it. */
    char bpm_text[SONG_BPM_TEXT];
    song_bpm_text(atomic_load(&s->bpm_tenths), bpm_text);
    buf_printf(&b,
               "\nbpm %s\nspeed %d\nrows_per_beat %d\nswing %d\n"
               "master_gain %s%d.%d\nlimiter %s%s\n%s%s%s%schannels %d\n",
               bpm_text,
               hiss_clampi(atomic_load(&s->speed), 1, 31),
               hiss_clampi(atomic_load(&s->rows_per_beat), 1, 32),
               hiss_clampi(atomic_load(&s->swing), 0, 100),
               gain < 0 ? "-" : "", gain_abs / 10, gain_abs % 10,
               atomic_load(&s->limiter) ? "on" : "off", ceiling_text,
               /* Written only when set, so songs without it keep their bytes. */
               atomic_load(&s->slides) == SLIDES_AMIGA ? "slides amiga\n" : "",
               atomic_load(&s->ft2_vibrato) ? "vibrato ft2\n" : "",
               atomic_load(&s->ft2_tremor) ? "tremor ft2\n" : "",
               global_text, channels);
    if (song->reference[0]) {
        /* Written only when set, so songs without one keep their bytes. */
        buf_printf(&b, "reference ");
        buf_string(&b, song->reference, sizeof song->reference - 1);
        buf_printf(&b, "\n");
    }
    char t1[16];
    for (int c = 0; c < channels; c++) {
        if (song_strip_is_default(s, c))
            continue;
        const SongStrip *st = &s->strips[c];
        buf_printf(&b, "channel %02d ", c + 1);
        if (st->name[0]) {
            buf_printf(&b, "name ");
            buf_string(&b, st->name, sizeof st->name - 1);
            buf_printf(&b, " ");
        }
        buf_printf(&b, "gain %s pan %d mute %s solo %s",
                   tenths_text(hiss_clampi(atomic_load(&st->gain_tenth_db), GAIN_MIN,
                                           GAIN_MAX),
                               t1),
                   hiss_clampi(atomic_load(&st->pan), -100, 100),
                   atomic_load(&st->mute) ? "on" : "off",
                   atomic_load(&st->solo) ? "on" : "off");
        /* Sends only when used, so songs without them keep their bytes. */
        static const char *const SEND[SONG_SENDS] = {"send_a", "send_b"};
        for (int k = 0; k < SONG_SENDS; k++) {
            int send = hiss_clampi(atomic_load(&st->send_tenth_db[k]), GAIN_MIN, GAIN_MAX);
            if (send != SONG_GAIN_MIN || atomic_load(&st->send_pre[k]))
                buf_printf(&b, " %s %s %s_pre %s", SEND[k], tenths_text(send, t1), SEND[k],
                           atomic_load(&st->send_pre[k]) ? "on" : "off");
        }
        int key = hiss_clampi(atomic_load(&st->duck_from), 0, SONG_MAX_CHANNELS);
        int key_inst = hiss_clampi(atomic_load(&st->duck_inst), 0, SONG_MAX_INSTRUMENTS);
        if (key)
            buf_printf(&b, " duck_from %02d", key);
        if (key_inst)
            buf_printf(&b, " duck_inst %02X", key_inst);
        if (key || key_inst)
            buf_printf(&b, " duck_depth %s duck_attack %d duck_hold %d duck_release %d",
                       tenths_text(hiss_clampi(atomic_load(&st->duck_depth_tenth_db),
                                               SONG_GAIN_MIN, 0),
                                   t1),
                       hiss_clampi(atomic_load(&st->duck_attack_ms), 0, SONG_DUCK_MS_MAX),
                       hiss_clampi(atomic_load(&st->duck_hold_ms), 0, SONG_DUCK_MS_MAX),
                       hiss_clampi(atomic_load(&st->duck_release_ms), 0, SONG_DUCK_MS_MAX));
        buf_put(&b, "\n", 1);
    }
    for (int c = 0; c < channels; c++) {
        char name[32];
        snprintf(name, sizeof name, "channel_eq %02d", c + 1);
        format_eq(&b, name, &s->strips[c].eq);
        snprintf(name, sizeof name, "channel_comp %02d", c + 1);
        format_bus(&b, name, song_comp_params, SONG_COMP_PARAMS, s->strips[c].comp);
        /* The insert's fields that differ from the defaults, if any. */
        bool fx_line = false;
        for (int i = 0; i < SONG_INSERT_PARAMS; i++) {
            const ShapeInfo *info = shape_info(song_insert_params[i]);
            int v = hiss_clampi(atomic_load(&s->strips[c].fx[song_insert_params[i]]), info->min,
                                info->max);
            if (v == info->def)
                continue;
            if (!fx_line)
                buf_printf(&b, "channel_fx %02d", c + 1);
            fx_line = true;
            if (info->choices)
                buf_printf(&b, " %s %s", info->key, info->choices[v]);
            else
                buf_printf(&b, " %s %d", info->key, v);
        }
        if (fx_line)
            buf_put(&b, "\n", 1);
        /* A channel's own groove is written even when straight: it then
         * differs from a song that swings. */
        if (atomic_load(&s->strips[c].groove_own)) {
            snprintf(name, sizeof name, "channel_groove %02d", c + 1);
            format_fields(&b, name, song_groove_params, SONG_GROOVE_PARAMS,
                          s->strips[c].groove);
        }
    }
    format_eq(&b, "master_eq", &s->master_eq);

    format_bus(&b, "delay", song_delay_params, SONG_DELAY_PARAMS, s->delay);
    format_bus(&b, "reverb", song_reverb_params, SONG_REVERB_PARAMS, s->reverb);
    format_bus(&b, "glue", song_glue_params, SONG_GLUE_PARAMS, s->glue);
    format_bus(&b, "tape", song_tape_params, SONG_TAPE_PARAMS, s->tape);
    format_bus(&b, "groove", song_groove_params, SONG_GROOVE_SONG_PARAMS, s->groove);

    bool any_instrument = false;
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        const Instrument *inst = song_instrument(s, i);
        if (!inst)
            continue;
        if (!any_instrument)
            buf_put(&b, "\n", 1);
        any_instrument = true;
        format_instrument(&b, i, inst);
    }

    /* An order entry whose pattern is gone plays nothing; writing it would
     * make a file that does not load. */
    buf_put(&b, "\norder", 6);
    int orders = hiss_clampi(atomic_load(&s->order_count), 0, SONG_MAX_ORDERS);
    for (int i = 0; i < orders; i++) {
        int pat = atomic_load(&s->orders[i]);
        if (song_pattern(s, pat))
            buf_printf(&b, " %02X", pat);
    }
    buf_put(&b, "\n", 1);

    for (int i = 0; i < SONG_MAX_PATTERNS; i++) {
        const Pattern *pat = song_pattern(s, i);
        if (pat)
            format_pattern(&b, i, pat, channels);
    }
    if (b.nomem) {
        free(b.data);
        return HISS_ERR_NOMEM;
    }
    b.data[b.len] = 0;
    *out = b.data;
    *len = b.len;
    return HISS_OK;
}
