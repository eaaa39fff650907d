#include "modgen.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    size_t len, cap;
} Buf;

static void die(const char *what)
{
    fprintf(stderr, "modgen: %s\n", what);
    exit(2);
}

static void buf_reserve(Buf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    b->data = realloc(b->data, cap);
    if (!b->data)
        die("out of memory");
    memset(b->data + b->cap, 0, cap - b->cap);
    b->cap = cap;
}

static size_t buf_zero(Buf *b, size_t n)
{
    buf_reserve(b, n);
    size_t at = b->len;
    memset(b->data + at, 0, n);
    b->len += n;
    return at;
}

static void put8(Buf *b, size_t at, int v) { b->data[at] = (uint8_t)v; }
static void put16le(Buf *b, size_t at, unsigned v)
{
    b->data[at] = (uint8_t)v;
    b->data[at + 1] = (uint8_t)(v >> 8);
}
static void put32le(Buf *b, size_t at, uint32_t v)
{
    put16le(b, at, v & 0xFFFF);
    put16le(b, at + 2, v >> 16);
}
static void put16be(Buf *b, size_t at, unsigned v)
{
    b->data[at] = (uint8_t)(v >> 8);
    b->data[at + 1] = (uint8_t)v;
}
static void putstr(Buf *b, size_t at, const char *s) { memcpy(b->data + at, s, strlen(s)); }
static void add8(Buf *b, int v) { put8(b, buf_zero(b, 1), v); }

static int8_t s8(float v)
{
    long x = lrintf(v * 127.0f);
    return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x);
}

static int16_t s16(float v)
{
    long x = lrintf(v * 32767.0f);
    return (int16_t)(x < -32768 ? -32768 : x > 32767 ? 32767 : x);
}

void modgen_init(ModgenSong *song, int channels, int rows, int speed, int bpm)
{
    memset(song, 0, sizeof *song);
    song->channels = channels;
    song->rows = rows;
    song->speed = speed;
    song->bpm = bpm;
    song->patterns = 1;
    song->orders = 1;
}

void modgen_add(ModgenSong *song, int pattern, int row, int channel, uint8_t note,
                uint8_t inst, int vol, char fx, uint8_t param)
{
    if (song->event_count >= MODGEN_MAX_EVENTS)
        die("too many events");
    ModgenEvent e = {pattern, row, channel, note, inst, vol, fx, param};
    song->events[song->event_count++] = e;
}

static const ModgenEvent *event_at(const ModgenSong *song, int p, int row, int ch)
{
    for (int i = 0; i < song->event_count; i++) {
        const ModgenEvent *e = &song->events[i];
        if (e->pattern == p && e->row == row && e->channel == ch)
            return e;
    }
    return NULL;
}

static int fx_number(char fx)
{
    if (fx >= '0' && fx <= '9')
        return fx - '0';
    if (fx >= 'A' && fx <= 'Z')
        return fx - 'A' + 10;
    return 0;
}

/* ---- MOD ---- */

static const unsigned PERIODS[36] = {
    856, 808, 762, 720, 678, 640, 604, 570, 538, 508, 480, 453,
    428, 404, 381, 360, 339, 320, 302, 285, 269, 254, 240, 226,
    214, 202, 190, 180, 170, 160, 151, 143, 135, 127, 120, 113};

static void write_mod(const ModgenSong *s, Buf *b)
{
    if (s->rows != 64)
        die("MOD patterns have 64 rows");
    size_t h = buf_zero(b, 1084);
    putstr(b, h, "modgen");
    for (int i = 0; i < s->sample_count; i++) {
        const ModgenSample *sm = &s->samples[i];
        size_t at = h + 20 + 30 * (size_t)i;
        char name[23];
        snprintf(name, sizeof name, "sample %d", i + 1);
        putstr(b, at, name);
        put16be(b, at + 22, (sm->frames + 1) / 2);
        put8(b, at + 24, sm->finetune & 15);
        put8(b, at + 25, sm->volume);
        if (sm->loop_end) {
            put16be(b, at + 26, sm->loop_start / 2);
            put16be(b, at + 28, (sm->loop_end - sm->loop_start) / 2);
        } else {
            put16be(b, at + 28, 1);
        }
    }
    put8(b, h + 950, s->orders);
    put8(b, h + 951, 127);
    for (int o = 0; o < s->orders; o++)
        put8(b, h + 952 + (size_t)o, s->order[o]);
    if (s->channels == 4)
        putstr(b, h + 1080, "M.K.");
    else {
        char tag[8];
        snprintf(tag, sizeof tag, s->channels < 10 ? "%dCHN" : "%dCH", s->channels);
        putstr(b, h + 1080, tag);
    }
    for (int p = 0; p < s->patterns; p++)
        for (int r = 0; r < 64; r++)
            for (int c = 0; c < s->channels; c++) {
                size_t at = buf_zero(b, 4);
                const ModgenEvent *e = event_at(s, p, r, c);
                if (!e)
                    continue;
                unsigned period = 0;
                if (e->note) {
                    int k = e->note - 37; /* PT's C-1 */
                    if (k < 0 || k >= 36)
                        die("MOD note out of ProTracker's 3 octaves");
                    period = PERIODS[k];
                }
                int fx = fx_number(e->fx), param = e->param;
                if (e->vol >= 0) {
                    fx = 0xC;
                    param = e->vol;
                }
                put8(b, at, (e->inst & 0xF0) | (int)(period >> 8));
                put8(b, at + 1, (int)(period & 0xFF));
                put8(b, at + 2, (e->inst & 0x0F) << 4 | fx);
                put8(b, at + 3, param);
            }
    for (int i = 0; i < s->sample_count; i++) {
        const ModgenSample *sm = &s->samples[i];
        size_t at = buf_zero(b, (sm->frames + 1) / 2 * 2);
        for (uint32_t f = 0; f < sm->frames; f++)
            b->data[at + f] = (uint8_t)s8(sm->data[f]);
    }
    if (s->speed != 6 || s->bpm != 125)
        die("MOD: set speed/tempo with Fxx in the pattern");
}

/* ---- S3M ---- */

/* The S3M command (A=1...) and parameter for an FT2 effect. */
static void st3_effect(const ModgenEvent *e, int *cmd, int *param)
{
    *param = e->param;
    switch (e->fx) {
    case 'F': *cmd = e->param < 0x20 ? 'A' : 'T'; break;
    case 'B': *cmd = 'B'; break;
    case 'Z': *cmd = 'Z'; break; /* IT: MIDI macro (cutoff, resonance) */
    case 'D': *cmd = 'C'; break;
    case 'A': *cmd = 'D'; break;
    case '2': *cmd = 'E'; break;
    case '1': *cmd = 'F'; break;
    case '3': *cmd = 'G'; break;
    case '4': *cmd = 'H'; break;
    case '0': *cmd = 'J'; break;
    case '9': *cmd = 'O'; break;
    case 'R': *cmd = 'Q'; break;
    case 'X': *cmd = 'S'; *param = 0x70 | (e->param & 15); break; /* S7x */
    case 'Y': *cmd = 'Y'; break; /* IT: panbrello */
    case 'T': *cmd = 'I'; break; /* tremor (XM's Txy: IT's Ixy) */
    case 'G': *cmd = 'V'; break; /* global volume */
    case 'H': *cmd = 'W'; break; /* global volume slide */
    case '7': *cmd = 'R'; break;
    case 'E':
        *cmd = 'S';
        switch (e->param >> 4) {
        case 0xD: case 0xC: break; /* SDx, SCx: the same */
        case 0x6: *param = 0xB0 | (e->param & 15); break; /* loop: SBx */
        case 0x0: break; /* filter: S0x */
        case 0x3: *param = 0x10 | (e->param & 15); break; /* glissando: S1x */
        case 0x4: *param = 0x30 | (e->param & 15); break; /* vibrato wave: S3x */
        case 0x7: *param = 0x40 | (e->param & 15); break; /* tremolo wave: S4x */
        case 0x5: *param = 0x20 | ((e->param + 8) & 15); break; /* finetune: S2x, 8 = 0 */
        default: die("S3M/IT: unsupported Exx");
        }
        break;
    default: die("S3M/IT: unsupported effect");
    }
    *cmd = *cmd - 'A' + 1;
}

/* The command and parameter bytes of an S3M or IT cell. */
static void add_st3_effect(Buf *b, const ModgenEvent *e, bool it)
{
    int cmd, param;
    st3_effect(e, &cmd, &param);
    if (it && e->fx == 'D') /* IT's break row is hex */
        param = (e->param >> 4) * 10 + (e->param & 15);
    add8(b, cmd);
    add8(b, param);
}

static void write_s3m(const ModgenSong *s, Buf *b)
{
    if (s->rows != 64)
        die("S3M patterns have 64 rows");
    int ords = s->orders + (s->orders & 1); /* even */
    size_t h = buf_zero(b, 96);
    putstr(b, h, "modgen");
    put8(b, h + 28, 0x1A);
    put8(b, h + 29, 16);
    put16le(b, h + 32, (unsigned)ords);
    put16le(b, h + 34, (unsigned)s->sample_count);
    put16le(b, h + 36, (unsigned)s->patterns);
    put16le(b, h + 40, 0x1320);
    put16le(b, h + 42, 2); /* unsigned samples */
    putstr(b, h + 44, "SCRM");
    put8(b, h + 48, 64);
    put8(b, h + 49, s->speed);
    put8(b, h + 50, s->bpm);
    put8(b, h + 51, 0x30); /* mono: every channel in the middle */
    for (int c = 0; c < 32; c++)
        put8(b, h + 64 + (size_t)c, c < s->channels ? (c & 7) : 255);
    size_t at = buf_zero(b, (size_t)ords);
    for (int o = 0; o < ords; o++)
        put8(b, at + (size_t)o, o < s->orders ? s->order[o] : 255);
    size_t ins_ptr = buf_zero(b, 2 * (size_t)s->sample_count);
    size_t pat_ptr = buf_zero(b, 2 * (size_t)s->patterns);
    size_t ins_at[MODGEN_MAX_SAMPLES];
    for (int i = 0; i < s->sample_count; i++) {
        buf_zero(b, (16 - b->len % 16) % 16);
        ins_at[i] = buf_zero(b, 80);
        put16le(b, ins_ptr + 2 * (size_t)i, (unsigned)(ins_at[i] / 16));
        const ModgenSample *sm = &s->samples[i];
        put8(b, ins_at[i], 1);
        put32le(b, ins_at[i] + 16, sm->frames);
        put32le(b, ins_at[i] + 20, sm->loop_start);
        put32le(b, ins_at[i] + 24, sm->loop_end);
        put8(b, ins_at[i] + 28, sm->volume);
        put8(b, ins_at[i] + 31, sm->loop_end ? 1 : 0);
        put32le(b, ins_at[i] + 32, 8363);
        putstr(b, ins_at[i] + 48, "sample");
        putstr(b, ins_at[i] + 76, "SCRS");
    }
    for (int p = 0; p < s->patterns; p++) {
        buf_zero(b, (16 - b->len % 16) % 16);
        size_t start = buf_zero(b, 2);
        put16le(b, pat_ptr + 2 * (size_t)p, (unsigned)(start / 16));
        for (int r = 0; r < 64; r++) {
            for (int c = 0; c < s->channels; c++) {
                const ModgenEvent *e = event_at(s, p, r, c);
                if (!e)
                    continue;
                int what = c | (e->note || e->inst ? 0x20 : 0) | (e->vol >= 0 ? 0x40 : 0) |
                           (e->fx ? 0x80 : 0);
                add8(b, what);
                if (what & 0x20) {
                    int k = e->note - 1; /* S3M's C-0 */
                    add8(b, e->note == MODGEN_NOTE_OFF ? 254
                            : e->note ? (k / 12) << 4 | k % 12 : 255);
                    add8(b, e->inst);
                }
                if (what & 0x40)
                    add8(b, e->vol);
                if (what & 0x80)
                    add_st3_effect(b, e, false);
            }
            add8(b, 0);
        }
        put16le(b, start, (unsigned)(b->len - start));
    }
    for (int i = 0; i < s->sample_count; i++) {
        const ModgenSample *sm = &s->samples[i];
        buf_zero(b, (16 - b->len % 16) % 16);
        size_t d = buf_zero(b, sm->frames);
        uint32_t para = (uint32_t)(d / 16);
        put8(b, ins_at[i] + 13, (int)(para >> 16));
        put16le(b, ins_at[i] + 14, para & 0xFFFF);
        for (uint32_t f = 0; f < sm->frames; f++)
            b->data[d + f] = (uint8_t)(s8(sm->data[f]) + 128);
    }
}

/* ---- XM ---- */

/* The song's XM instruments: its own, else one per sample. */
static int xm_instrument_count(const ModgenSong *s)
{
    return s->instrument_count ? s->instrument_count : s->sample_count;
}

static ModgenInstrument xm_instrument(const ModgenSong *s, int i)
{
    if (s->instrument_count) {
        ModgenInstrument in = s->instruments[i];
        if (in.first < 0 || in.count < 1 || in.first + in.count > s->sample_count)
            die("XM: an instrument's samples are not in the song");
        for (int k = 0; k < 96; k++)
            if (in.keymap[k] >= in.count)
                die("XM: a keymap names a sample the instrument does not hold");
        return in;
    }
    ModgenInstrument one = {.first = i, .count = 1};
    return one;
}

static void write_xm(const ModgenSong *s, Buf *b)
{
    size_t h = buf_zero(b, 336);
    putstr(b, h, "Extended Module: modgen");
    put8(b, h + 37, 0x1A);
    putstr(b, h + 38, "modgen");
    put16le(b, h + 58, 0x0104);
    put32le(b, h + 60, 276);
    put16le(b, h + 64, (unsigned)s->orders);
    put16le(b, h + 68, (unsigned)s->channels);
    put16le(b, h + 70, (unsigned)s->patterns);
    put16le(b, h + 72, (unsigned)xm_instrument_count(s));
    put16le(b, h + 74, 1); /* linear slides */
    put16le(b, h + 76, (unsigned)s->speed);
    put16le(b, h + 78, (unsigned)s->bpm);
    for (int o = 0; o < s->orders; o++)
        put8(b, h + 80 + (size_t)o, s->order[o]);
    for (int p = 0; p < s->patterns; p++) {
        size_t ph = buf_zero(b, 9);
        put32le(b, ph, 9);
        put16le(b, ph + 5, (unsigned)s->rows);
        size_t start = b->len;
        for (int r = 0; r < s->rows; r++)
            for (int c = 0; c < s->channels; c++) {
                size_t at = buf_zero(b, 5);
                const ModgenEvent *e = event_at(s, p, r, c);
                if (!e)
                    continue;
                put8(b, at, e->note == MODGEN_NOTE_OFF ? 97 : e->note ? e->note : 0);
                put8(b, at + 1, e->inst);
                put8(b, at + 2,
                     e->vol >= MODGEN_VOLCOL ? e->vol & 0xff : e->vol >= 0 ? 0x10 + e->vol : 0);
                put8(b, at + 3, fx_number(e->fx));
                put8(b, at + 4, e->param);
            }
        put16le(b, ph + 7, (unsigned)(b->len - start));
    }
    for (int i = 0; i < xm_instrument_count(s); i++) {
        ModgenInstrument in = xm_instrument(s, i);
        const ModgenSample *sm = &s->samples[in.first];
        size_t ih = buf_zero(b, 263);
        put32le(b, ih, 263);
        putstr(b, ih + 4, "instrument");
        put16le(b, ih + 27, (unsigned)in.count);
        put32le(b, ih + 29, 40);
        memcpy(b->data + ih + 33, in.keymap, 96);
        if (sm->env_points > 0) {
            for (int k = 0; k < sm->env_points && k < 12; k++) {
                put16le(b, ih + 129 + 4 * (size_t)k, (unsigned)sm->env_tick[k]);
                put16le(b, ih + 131 + 4 * (size_t)k, (unsigned)sm->env_value[k]);
            }
            bool loop = sm->env_loop_end > sm->env_loop_start;
            put8(b, ih + 225, sm->env_points);
            put8(b, ih + 227, sm->env_sustain > 0 ? sm->env_sustain : 0);
            put8(b, ih + 228, loop ? sm->env_loop_start : 0);
            put8(b, ih + 229, loop ? sm->env_loop_end : 0);
            put8(b, ih + 233, 1 | (sm->env_sustain >= 0 ? 2 : 0) | (loop ? 4 : 0));
        }
        if (sm->pan_points > 0) {
            for (int k = 0; k < sm->pan_points && k < 12; k++) {
                put16le(b, ih + 177 + 4 * (size_t)k, (unsigned)sm->pan_tick[k]);
                put16le(b, ih + 179 + 4 * (size_t)k, (unsigned)sm->pan_value[k]);
            }
            put8(b, ih + 226, sm->pan_points);
            put8(b, ih + 234, 1);
        }
        put8(b, ih + 235, sm->vib_type);
        put8(b, ih + 236, sm->vib_sweep);
        put8(b, ih + 237, sm->vib_depth);
        put8(b, ih + 238, sm->vib_rate);
        put16le(b, ih + 239, (unsigned)sm->fadeout);
        for (int k = 0; k < in.count; k++) {
            const ModgenSample *x = &s->samples[in.first + k];
            size_t sh = buf_zero(b, 40);
            put32le(b, sh, x->frames);
            put32le(b, sh + 4, x->loop_start);
            put32le(b, sh + 8, x->loop_end ? x->loop_end - x->loop_start : 0);
            put8(b, sh + 12, x->volume);
            put8(b, sh + 13, x->finetune * 16);
            put8(b, sh + 14, x->loop_end ? 1 : 0);
            put8(b, sh + 15, 128);
            put8(b, sh + 16, x->relative_note);
            putstr(b, sh + 18, "sample");
        }
        for (int k = 0; k < in.count; k++) {
            const ModgenSample *x = &s->samples[in.first + k];
            size_t d = buf_zero(b, x->frames);
            int8_t prev = 0;
            for (uint32_t f = 0; f < x->frames; f++) {
                int8_t v = s8(x->data[f]);
                b->data[d + f] = (uint8_t)(v - prev);
                prev = v;
            }
        }
    }
}

/* ---- IT ---- */

/* Impulse Tracker's sample compression: blocks of 0x8000 (8-bit) or
 * 0x4000 (16-bit) samples, each a 16-bit byte count and a stream of
 * deltas (2.15: deltas of deltas) packed LSB first in a width that
 * changes as the deltas need: below 7 bits by an escape value and the new
 * width in 3 (4) bits, up to 8 (16) by values at the top and bottom of
 * the range, at 9 (17) by a value with the top bit set. */
typedef struct {
    Buf *b;
    uint64_t acc;
    int used;
} Bits;

static void bits_put(Bits *w, uint32_t value, int n)
{
    w->acc |= (uint64_t)(value & ((1u << n) - 1)) << w->used;
    w->used += n;
    while (w->used >= 8) {
        add8(w->b, (int)(w->acc & 0xFF));
        w->acc >>= 8;
        w->used -= 8;
    }
}

/* The values half way up a width of 7..8 (7..16) bits that change the
 * width instead of being data: 4 (8) either side of the middle. */
static int it_border(int sample_bits)
{
    return sample_bits == 8 ? 4 : 8;
}

static bool it_fits(int d, int width, int sample_bits)
{
    if (width > sample_bits)
        return true;
    int half = 1 << (width - 1);
    if (width < 7) /* -half is the escape */
        return d > -half && d < half;
    int h = it_border(sample_bits);
    return d >= -half + h && d < half - h;
}

static void it_set_width(Bits *w, int from, int to, int sample_bits)
{
    int k = to < from ? to : to - 1; /* the width itself is never named */
    if (from < 7) {
        bits_put(w, 1u << (from - 1), from);
        bits_put(w, (uint32_t)(k - 1), sample_bits == 8 ? 3 : 4);
    } else if (from <= sample_bits) {
        int top = (int)((sample_bits == 8 ? 0xFFu : 0xFFFFu) >> (sample_bits + 1 - from)) +
                  it_border(sample_bits);
        bits_put(w, (uint32_t)(top - 2 * it_border(sample_bits) + k), from);
    } else {
        bits_put(w, (1u << sample_bits) + (uint32_t)to - 1, from);
    }
}

static void it_compress(Buf *b, const int *v, uint32_t frames, int sample_bits, bool it215)
{
    uint32_t block = sample_bits == 8 ? 0x8000 : 0x4000;
    uint32_t mask = sample_bits == 8 ? 0xFF : 0xFFFF;
    for (uint32_t start = 0; start < frames; start += block) {
        size_t len_at = buf_zero(b, 2);
        size_t data_at = b->len;
        Bits w = {b, 0, 0};
        int width = sample_bits + 1, prev = 0, prev_delta = 0;
        for (uint32_t i = start; i < frames && i < start + block; i++) {
            int delta = (int)((uint32_t)(v[i] - prev) & mask);
            int coded = it215 ? (int)((uint32_t)(delta - prev_delta) & mask) : delta;
            prev = v[i];
            prev_delta = delta;
            int d = coded >= (int)(mask / 2 + 1) ? coded - (int)mask - 1 : coded; /* signed */
            int need = 1;
            while (!it_fits(d, need, sample_bits))
                need++;
            if (need != width) {
                it_set_width(&w, width, need, sample_bits);
                width = need;
            }
            bits_put(&w, (uint32_t)d & ((1u << width) - 1) & mask, width);
        }
        if (w.used)
            bits_put(&w, 0, 8 - w.used);
        put16le(b, len_at, (unsigned)(b->len - data_at));
    }
}

/* An IT instrument (the 2.x header) playing sample `sample` on every key,
 * with sm's new-note actions, volume envelope and fadeout; its offset is
 * written at `ptr`. */
static void write_it_instrument(Buf *b, size_t ptr, const ModgenSample *sm, int sample)
{
    size_t at = buf_zero(b, 554);
    put32le(b, ptr, (uint32_t)at);
    putstr(b, at, "IMPI");
    put8(b, at + 0x11, sm->it_nna);
    put8(b, at + 0x12, sm->it_dct);
    put8(b, at + 0x13, sm->it_dca);
    put16le(b, at + 0x14, (unsigned)sm->fadeout);
    put8(b, at + 0x18, 128);
    put8(b, at + 0x19, 32 | 0x80); /* no default pan */
    put16le(b, at + 0x1C, 0x0214);
    put8(b, at + 0x1E, 1);
    putstr(b, at + 0x20, "instrument");
    for (int n = 0; n < 120; n++) {
        put8(b, at + 0x40 + 2 * (size_t)n, n);
        put8(b, at + 0x41 + 2 * (size_t)n, sample);
    }
    if (sm->env_points > 0) {
        put8(b, at + 0x130, 1 | (sm->env_sustain >= 0 ? 4 : 0));
        put8(b, at + 0x131, sm->env_points);
        put8(b, at + 0x134, sm->env_sustain > 0 ? sm->env_sustain : 0);
        put8(b, at + 0x135, sm->env_sustain > 0 ? sm->env_sustain : 0);
        for (int k = 0; k < sm->env_points && k < 12; k++) {
            put8(b, at + 0x136 + 3 * (size_t)k, sm->env_value[k]);
            put16le(b, at + 0x137 + 3 * (size_t)k, (unsigned)sm->env_tick[k]);
        }
    }
}

/* One IT envelope (82 bytes at `at`): flags, points (value, tick) and
 * a sustain on point `sustain` (-1: none). */
static void write_it_envelope(Buf *b, size_t at, int flags, int points, const int *tick,
                              const int *value, int sustain)
{
    put8(b, at, flags | 1 | (sustain >= 0 ? 4 : 0));
    put8(b, at + 1, points);
    put8(b, at + 4, sustain > 0 ? sustain : 0);
    put8(b, at + 5, sustain > 0 ? sustain : 0);
    for (int k = 0; k < points && k < 12; k++) {
        put8(b, at + 6 + 3 * (size_t)k, value[k]);
        put16le(b, at + 7 + 3 * (size_t)k, (unsigned)tick[k]);
    }
}

/* What an IT instrument at `at` has beyond its volume envelope: the
 * filter's cutoff and resonance, the panning and the pitch (or filter)
 * envelopes. */
static void write_it_instrument_extras(Buf *b, size_t at, const ModgenSample *sm)
{
    put8(b, at + 0x3A, sm->it_ifc);
    put8(b, at + 0x3B, sm->it_ifr);
    if (sm->pan_points > 0) {
        int value[12];
        for (int k = 0; k < sm->pan_points && k < 12; k++)
            value[k] = sm->pan_value[k] - 32;
        write_it_envelope(b, at + 0x182, 0, sm->pan_points, sm->pan_tick, value, -1);
    }
    if (sm->pitch_points > 0)
        write_it_envelope(b, at + 0x1D4, sm->pitch_is_filter ? 0x80 : 0, sm->pitch_points,
                          sm->pitch_tick, sm->pitch_value, sm->pitch_sustain);
}

static void write_it(const ModgenSong *s, Buf *b)
{
    int ords = s->orders + 1;
    size_t h = buf_zero(b, 192);
    putstr(b, h, "IMPMmodgen");
    put16le(b, h + 30, 0x0410);
    put16le(b, h + 32, (unsigned)ords);
    int instruments = s->it_instruments ? s->sample_count : 0;
    put16le(b, h + 34, (unsigned)instruments);
    put16le(b, h + 36, (unsigned)s->sample_count);
    put16le(b, h + 38, (unsigned)s->patterns);
    put16le(b, h + 40, 0x0214);
    put16le(b, h + 42, 0x0214);
    /* stereo, linear slides, sample or instrument mode */
    put16le(b, h + 44, 1 | 8 | (instruments ? 4 : 0));
    put8(b, h + 48, s->it_global_volume ? s->it_global_volume : 128);
    put8(b, h + 49, 48);
    put8(b, h + 50, s->speed);
    put8(b, h + 51, s->bpm);
    put8(b, h + 52, 128);
    for (int c = 0; c < 64; c++) {
        put8(b, h + 64 + (size_t)c, c < s->channels ? 32 : 128 + 32);
        put8(b, h + 128 + (size_t)c, 64);
    }
    size_t at = buf_zero(b, (size_t)ords);
    for (int o = 0; o < ords; o++)
        put8(b, at + (size_t)o, o < s->orders ? s->order[o] : 255);
    size_t ins_ptr = buf_zero(b, 4 * (size_t)instruments);
    size_t smp_ptr = buf_zero(b, 4 * (size_t)s->sample_count);
    size_t pat_ptr = buf_zero(b, 4 * (size_t)s->patterns);
    for (int i = 0; i < instruments; i++) {
        write_it_instrument(b, ins_ptr + 4 * (size_t)i, &s->samples[i], i + 1);
        size_t ins_at = b->data[ins_ptr + 4 * (size_t)i] |
                        (size_t)b->data[ins_ptr + 4 * (size_t)i + 1] << 8 |
                        (size_t)b->data[ins_ptr + 4 * (size_t)i + 2] << 16;
        write_it_instrument_extras(b, ins_at, &s->samples[i]);
    }
    size_t smp_at[MODGEN_MAX_SAMPLES];
    for (int i = 0; i < s->sample_count; i++) {
        const ModgenSample *sm = &s->samples[i];
        smp_at[i] = buf_zero(b, 80);
        put32le(b, smp_ptr + 4 * (size_t)i, (uint32_t)smp_at[i]);
        putstr(b, smp_at[i], "IMPS");
        put8(b, smp_at[i] + 17, 64);
        put8(b, smp_at[i] + 18, 1 | (sm->it_bits16 ? 2 : 0) | (sm->it_compress ? 8 : 0) |
                                    (sm->loop_end ? 0x10 : 0));
        put8(b, smp_at[i] + 19, sm->volume);
        putstr(b, smp_at[i] + 20, "sample");
        put8(b, smp_at[i] + 46, 1 | (sm->it_compress == 215 ? 4 : 0)); /* signed, 2.15 */
        put8(b, smp_at[i] + 47, 32);
        put32le(b, smp_at[i] + 48, sm->frames);
        put32le(b, smp_at[i] + 52, sm->loop_start);
        put32le(b, smp_at[i] + 56, sm->loop_end);
        put32le(b, smp_at[i] + 60, 8363);
        /* Sample vibrato: speed, depth, rate (its sweep), wave. */
        put8(b, smp_at[i] + 76, sm->vib_rate);
        put8(b, smp_at[i] + 77, sm->vib_depth);
        put8(b, smp_at[i] + 78, sm->vib_sweep);
        put8(b, smp_at[i] + 79, sm->vib_type);
    }
    for (int p = 0; p < s->patterns; p++) {
        size_t ph = buf_zero(b, 8);
        put32le(b, pat_ptr + 4 * (size_t)p, (uint32_t)ph);
        put16le(b, ph + 2, (unsigned)s->rows);
        size_t start = b->len;
        for (int r = 0; r < s->rows; r++) {
            for (int c = 0; c < s->channels; c++) {
                const ModgenEvent *e = event_at(s, p, r, c);
                if (!e)
                    continue;
                int mask = (e->note ? 1 : 0) | (e->inst ? 2 : 0) | (e->vol >= 0 ? 4 : 0) |
                           (e->fx ? 8 : 0);
                add8(b, (c + 1) | 0x80);
                add8(b, mask);
                if (mask & 1)
                    add8(b, e->note == MODGEN_NOTE_OFF ? 255 : e->note + 11);
                if (mask & 2)
                    add8(b, e->inst);
                if (mask & 4)
                    add8(b, e->vol);
                if (mask & 8)
                    add_st3_effect(b, e, true);
            }
            add8(b, 0);
        }
        put16le(b, ph, (unsigned)(b->len - start));
    }
    for (int i = 0; i < s->sample_count; i++) {
        const ModgenSample *sm = &s->samples[i];
        int *v = malloc((sm->frames + 1) * sizeof *v);
        if (!v)
            die("out of memory");
        for (uint32_t f = 0; f < sm->frames; f++)
            v[f] = sm->it_bits16 ? s16(sm->data[f]) : s8(sm->data[f]);
        put32le(b, smp_at[i] + 72, (uint32_t)b->len);
        if (sm->it_compress) {
            it_compress(b, v, sm->frames, sm->it_bits16 ? 16 : 8, sm->it_compress == 215);
        } else {
            size_t d = buf_zero(b, sm->frames * (sm->it_bits16 ? 2u : 1u));
            for (uint32_t f = 0; f < sm->frames; f++) {
                if (sm->it_bits16)
                    put16le(b, d + 2 * f, (unsigned)v[f] & 0xFFFF);
                else
                    b->data[d + f] = (uint8_t)v[f];
            }
        }
        free(v);
    }
}

uint8_t *modgen_write(const ModgenSong *song, ModgenFormat format, size_t *len)
{
    Buf b = {0};
    switch (format) {
    case MODGEN_MOD: write_mod(song, &b); break;
    case MODGEN_S3M: write_s3m(song, &b); break;
    case MODGEN_XM: write_xm(song, &b); break;
    case MODGEN_IT: write_it(song, &b); break;
    }
    *len = b.len;
    return b.data;
}

void modgen_save(const ModgenSong *song, ModgenFormat format, const char *path)
{
    size_t len = 0;
    uint8_t *data = modgen_write(song, format, &len);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die("cannot write the module");
    free(data);
}

const char *modgen_extension(ModgenFormat format)
{
    static const char *const EXT[] = {".mod", ".s3m", ".xm", ".it"};
    return EXT[format];
}

Song *modgen_load(const ModgenSong *song, ModgenFormat format, const char *path,
                  uint32_t rate, SongioWarnings *w, HissDiag *d)
{
    modgen_save(song, format, path);
    Song *loaded = NULL;
    if (songio_load(path, rate, &loaded, d, w) != HISS_OK) {
        song_free(loaded);
        return NULL;
    }
    atomic_store(&loaded->limiter, false);
    atomic_store(&loaded->master_gain_tenth_db, 0);
    return loaded;
}
