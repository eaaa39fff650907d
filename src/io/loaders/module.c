#include "module.h"
#include "modsize.h"
#include "songfile.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xmp.h>


/* libxmp's effect numbers (its effects.h, not installed with xmp.h). They
 * are part of the module structure xmp.h exposes. */
enum {
    XFX_ARPEGGIO = 0x00, XFX_PORTA_UP = 0x01, XFX_PORTA_DN = 0x02,
    XFX_TONEPORTA = 0x03, XFX_VIBRATO = 0x04, XFX_TONE_VSLIDE = 0x05,
    XFX_VIBRA_VSLIDE = 0x06, XFX_TREMOLO = 0x07, XFX_SETPAN = 0x08,
    XFX_OFFSET = 0x09, XFX_VOLSLIDE = 0x0a, XFX_JUMP = 0x0b, XFX_VOLSET = 0x0c,
    XFX_BREAK = 0x0d, XFX_EXTENDED = 0x0e, XFX_SPEED = 0x0f,
    XFX_GLOBALVOL = 0x10, XFX_GVOL_SLIDE = 0x11, XFX_KEYOFF = 0x14,
    XFX_ENVPOS = 0x15, XFX_PANSLIDE = 0x19, XFX_MULTI_RETRIG = 0x1b,
    XFX_TREMOR = 0x1d, XFX_XF_PORTA = 0x21,
    XFX_TRK_VOL = 0x80, XFX_TRK_VSLIDE = 0x81, XFX_TRK_FVSLIDE = 0x82,
    XFX_IT_INSTFUNC = 0x83, XFX_FLT_CUTOFF = 0x84, XFX_FLT_RESN = 0x85,
    XFX_IT_BPM = 0x87, XFX_IT_ROWDELAY = 0x88, XFX_IT_PANSLIDE = 0x89,
    XFX_PANBRELLO = 0x8a, XFX_PANBRELLO_WF = 0x8b, XFX_HIOFFSET = 0x8c,
    XFX_SURROUND = 0x8d, XFX_IT_BREAK = 0x8e,
    XFX_VOLSLIDE_UP = 0xa0, XFX_VOLSLIDE_DN = 0xa1, XFX_S3M_SPEED = 0xa3,
    XFX_VOLSLIDE_2 = 0xa4, XFX_F_VSLIDE = 0xa5, XFX_FINETUNE = 0xa6,
    XFX_S3M_BPM = 0xab, XFX_FINE_VIBRATO = 0xac, XFX_F_VSLIDE_UP = 0xad,
    XFX_F_VSLIDE_DN = 0xae, XFX_F_PORTA_UP = 0xaf, XFX_F_PORTA_DN = 0xb0,
    XFX_PATT_DELAY = 0xb3, XFX_S3M_ARPEGGIO = 0xb4, XFX_PANSL_NOMEM = 0xb5,
    XFX_VSLIDE_UP_2 = 0xc0, XFX_VSLIDE_DN_2 = 0xc1, XFX_F_VSLIDE_UP_2 = 0xc2,
    XFX_F_VSLIDE_DN_2 = 0xc3,
};

/* The key libxmp plays a sample at its C-5 rate (0-based), and hiss's
 * note for it: C-4, so that ProTracker's C-2 (period 428) is hiss's
 * period 428 in `slides amiga` (fx.c), and XM's C-4 stays C-4. */
enum { XMP_BASE_KEY = 60, HISS_BASE_NOTE = NOTE_C4 };
/* libxmp's event notes (1-based keys) are this many semitones above
 * hiss's. */
enum { NOTE_SHIFT = XMP_BASE_KEY + 1 - HISS_BASE_NOTE };
/* ProTracker's C-2 on a PAL Amiga (period 428) and everyone else's C-5. */
enum { MOD_C_RATE = 8287, C5_RATE = 8363 };

typedef enum { FORMAT_MOD, FORMAT_S3M, FORMAT_XM, FORMAT_IT } ModuleFormat;

/* ---- Impulse Tracker's resonant filter on hiss's ---- */

/* IT's cutoff 0..127 in Hz: 110 x 2^(0.25 + c / 24), 130.8 Hz .. 5.1 kHz. */
static double it_cutoff_hz(int cutoff)
{
    return 110.0 * pow(2.0, 0.25 + hiss_clampi(cutoff, 0, 127) / 24.0);
}

/* IT's resonance 0..127 as a Qxx parameter, on an instrument whose
 * filter is IT's (filter_it: the engine damps it as IT does at each
 * cutoff). */
static uint8_t it_resonance_letter(int resonance)
{
    return (uint8_t)lround(255.0 * hiss_clampi(resonance, 0, 127) / 127.0);
}

/* Mxx's parameter for a cutoff in Hz: 20 Hz x 1000^(xx / 255). */
static uint8_t cutoff_letter(double hz)
{
    return (uint8_t)hiss_clampi((int)lround(255.0 * log2(hz / 20.0) / log2(1000.0)), 0, 255);
}

/* ---- probes ---- */

static bool ends_with_nocase(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && !strcasecmp(path + n - e, ext);
}

bool module_has_extension(const char *path)
{
    return ends_with_nocase(path, ".mod") || ends_with_nocase(path, ".s3m") ||
           ends_with_nocase(path, ".xm") || ends_with_nocase(path, ".it");
}

/* The 4-byte signature at offset 1080 of a 31-sample MOD: "M.K.", "FLT8",
 * "6CHN", "16CH"... A 15-sample MOD has none; it is recognised by its
 * name only. */
static bool mod_signature(const unsigned char *s)
{
    static const char *const KNOWN[] = {"M.K.", "M!K!", "M&K!", "N.T.", "FLT4", "FLT8",
                                        "CD81", "OKTA", "OCTA", "FEST", "NSMS", "LARD"};
    for (size_t i = 0; i < HISS_ARRAY_LEN(KNOWN); i++)
        if (!memcmp(s, KNOWN[i], 4))
            return true;
    if (isdigit(s[0]) && !memcmp(s + 1, "CHN", 3))
        return true;
    if (isdigit(s[0]) && isdigit(s[1]) && (!memcmp(s + 2, "CH", 2) || !memcmp(s + 2, "CN", 2)))
        return true;
    return !memcmp(s, "TDZ", 3) && isdigit(s[3]);
}

bool module_probe_mod(const char *path, const char *data, size_t len)
{
    if (len >= 1084 && mod_signature((const unsigned char *)data + 1080))
        return true;
    return path && ends_with_nocase(path, ".mod");
}

bool module_probe_s3m(const char *path, const char *data, size_t len)
{
    if (len >= 48 && !memcmp(data + 44, "SCRM", 4))
        return true;
    return path && ends_with_nocase(path, ".s3m");
}

bool module_probe_xm(const char *path, const char *data, size_t len)
{
    if (len >= 17 && !memcmp(data, "Extended Module: ", 17))
        return true;
    return path && ends_with_nocase(path, ".xm");
}

bool module_probe_it(const char *path, const char *data, size_t len)
{
    if (len >= 4 && !memcmp(data, "IMPM", 4))
        return true;
    return path && ends_with_nocase(path, ".it");
}

static ModuleFormat format_of(const char *data, size_t len)
{
    if (len >= 4 && !memcmp(data, "IMPM", 4))
        return FORMAT_IT;
    if (len >= 17 && !memcmp(data, "Extended Module: ", 17))
        return FORMAT_XM;
    if (len >= 48 && !memcmp(data + 44, "SCRM", 4))
        return FORMAT_S3M;
    return FORMAT_MOD;
}

/* Whether the module's pitch slides are linear (XM and IT say so in a
 * header flag) rather than Amiga periods. */
static bool linear_slides(ModuleFormat format, const unsigned char *data, size_t len)
{
    if (format == FORMAT_XM)
        return len > 74 && (data[74] & 1);
    if (format == FORMAT_IT)
        return len > 0x2c && (data[0x2c] & 8);
    return false;
}

/* ---- the conversion ---- */

typedef struct {
    const struct xmp_module *mod;
    ModuleFormat format;
    LoaderReport *report;
    /* Where the pattern being converted is first played. */
    int order;
    /* IT without "old effects": its vibrato is half as deep as
     * FastTracker 2's (and hiss's linear one). */
    bool it_fine_vibrato;
    /* The hiss instrument each channel last named in the pattern being
     * converted (0: none yet), for E5x. */
    int channel_inst[SONG_MAX_CHANNELS];
    /* Keymaps: an instrument whose keys play several samples becomes one
     * hiss instrument per sample, and each note names the one its key
     * plays. key_slot[i * XMP_MAX_KEYS + k] is the hiss slot module
     * instrument i's key k plays; slot_inst and slot_sub say which module
     * instrument (0-based, -1: none) and which of its samples a hiss slot
     * is. Slots 1..ins are the module's own (each with the sample it maps
     * C-5 to); the other samples get the slots after them. */
    uint8_t *key_slot;
    int slots; /* the highest hiss slot in use */
    int slot_inst[SONG_MAX_INSTRUMENTS + 1];
    int slot_sub[SONG_MAX_INSTRUMENTS + 1];
    /* Through the orders, the module instrument (1-based) each channel
     * last named and the hiss slot its last note played: a note without
     * an instrument plays the sample its key maps to, so it may need
     * another slot than the channel's. */
    int channel_module[SONG_MAX_CHANNELS];
    int channel_slot[SONG_MAX_CHANNELS];
    /* Through the orders, whether the channel's last note had a note off
     * after it (FastTracker 2 keeps that state for a bare note). */
    bool channel_off[SONG_MAX_CHANNELS];
    /* IT: the cutoff (0..127) of the channel's filter, from its note's
     * instrument or a Zxx after it, which its resonance depends on. */
    int channel_cutoff[SONG_MAX_CHANNELS];
    int channel_resonance[SONG_MAX_CHANNELS];
    /* Through the orders, the channel's volume (0..64) where the patterns
     * alone tell it, else -1 (a slide or tremolo moved it). */
    int channel_volume[SONG_MAX_CHANNELS];
    /* A file cut short: the frames it holds of each libxmp sample
     * (modsize_kept_frames), or NULL when whole. */
    const uint32_t *kept;
    int kept_count;
} Convert;

static void note_at(Convert *cv, int row, int channel, const char *what)
{
    loader_report_add(cv->report, cv->order, row, channel, "%s", what);
}

/* A volume slide parameter xy: fine slides (xF / Fy in S3M and IT) become
 * EAx / EBy; a slide both ways keeps the upward one, as FastTracker 2
 * does. */
static void volume_slide(Convert *cv, int row, int channel, uint8_t param, uint8_t *fx,
                         uint8_t *out)
{
    int x = param >> 4, y = param & 15;
    bool st3 = cv->format == FORMAT_S3M || cv->format == FORMAT_IT;
    if (st3 && x == 0xF && y) {
        *fx = 'E';
        *out = (uint8_t)(0xB0 | y);
    } else if (st3 && y == 0xF && x) {
        *fx = 'E';
        *out = (uint8_t)(0xA0 | x);
    } else {
        if (x && y)
            note_at(cv, row, channel, "approximated: volume slide up and down at once (up kept)");
        *fx = 'A';
        *out = param;
    }
}

/* An extra fine porta of y (a quarter of a fine step) as the nearest
 * fine one, E1x/E2x; none when that is 0. */
static void extra_fine_porta(Convert *cv, int row, int channel, bool up, int y,
                             const char *what, uint8_t *fx, uint8_t *out)
{
    note_at(cv, row, channel, what);
    y = (y + 2) / 4;
    *fx = y ? 'E' : 0;
    *out = (uint8_t)((up ? 0x10 : 0x20) | y);
}

/* A porta parameter in S3M/IT: Fx fine, Ex extra fine. */
static void porta(Convert *cv, int row, int channel, bool up, uint8_t param, uint8_t *fx,
                  uint8_t *out)
{
    bool st3 = cv->format == FORMAT_S3M || cv->format == FORMAT_IT;
    if (st3 && param >= 0xE0 && param < 0xF0) {
        extra_fine_porta(cv, row, channel, up, param & 15,
                         "approximated: extra fine porta (EEx/FEx) as fine porta", fx, out);
        return;
    }
    if (st3 && param >= 0xF0) {
        *fx = 'E';
        *out = (uint8_t)((up ? 0x10 : 0x20) | (param & 15));
        return;
    }
    *fx = up ? '1' : '2';
    *out = param;
}

static int instrument_finetune_eighths(const Convert *cv, int slot);

/* E5x (S2x): ProTracker, FastTracker 2 and Scream Tracker replace the
 * sample's finetune with x; hiss's E5x adds x to the instrument's
 * finetune, so the instrument the channel plays takes its own away. */
static void set_finetune(Convert *cv, int row, int channel, int y, uint8_t *fx, uint8_t *out)
{
    int want = y < 8 ? y : y - 16, have = 0;
    int slot = channel < SONG_MAX_CHANNELS ? cv->channel_inst[channel] : 0;
    if (slot)
        have = instrument_finetune_eighths(cv, slot);
    else
        for (int i = 1; i <= cv->mod->ins && i <= SONG_MAX_INSTRUMENTS && !have; i++)
            have = instrument_finetune_eighths(cv, i);
    if (!slot && have)
        note_at(cv, row, channel,
                "approximated: set finetune (E5x) on top of an unknown instrument's finetune");
    int x = want - (slot ? have : 0);
    if (x < -8 || x > 7)
        note_at(cv, row, channel, "approximated: set finetune (E5x) beyond -8..7 eighths");
    x = hiss_clampi(x, -8, 7);
    *fx = 'E';
    *out = (uint8_t)(0x50 | (x & 15));
}

/* Whether the module counts global volume in 128ths (IT) rather than
 * 64ths, as hiss does. */
static bool global_in_128ths(const Convert *cv)
{
    return cv->format == FORMAT_IT;
}

/* Gxx (IT: Vxx): hiss's Gxx, 00..40. */
static void global_volume(Convert *cv, int row, int channel, uint8_t param, uint8_t *fx,
                          uint8_t *out)
{
    int v = param;
    if (global_in_128ths(cv)) {
        if (v & 1 && v < 0x80)
            note_at(cv, row, channel, "approximated: global volume (Vxx) to a 64th");
        v = (v + 1) / 2;
    }
    *fx = 'G';
    *out = (uint8_t)hiss_clampi(v, 0, SONG_GLOBAL_VOLUME_MAX);
}

/* One step of an IT global volume slide in 128ths as hiss's 64ths (never
 * 0, which would mean "the last slide"). */
static int global_step(Convert *cv, int row, int channel, int step)
{
    if (step & 1)
        note_at(cv, row, channel, "approximated: global volume slide (Wxy) to 64ths");
    return step < 2 ? step : (step + 1) / 2;
}

/* Hxy (IT: Wxy): hiss's Hxy, up x or down y on each tick after the
 * first. IT's fine slides (WxF, WFy: once, on the first tick) have no
 * hiss form. */
static void global_volume_slide(Convert *cv, int row, int channel, uint8_t param,
                                uint8_t *fx, uint8_t *out)
{
    int x = param >> 4, y = param & 15;
    if (global_in_128ths(cv)) {
        if ((x == 0xF && y) || (y == 0xF && x)) {
            note_at(cv, row, channel, "dropped: fine global volume slide (WxF/WFy)");
            return;
        }
        x = global_step(cv, row, channel, x);
        y = global_step(cv, row, channel, y);
    }
    if (x && y) {
        note_at(cv, row, channel,
                "approximated: global volume slide up and down at once (up kept)");
        y = 0;
    }
    *fx = 'H';
    *out = (uint8_t)(x << 4 | y);
}

/* Tremor, XM's Txy (on x + 1 ticks, off y + 1) or IT's Ixy (on x, off y,
 * 0 as 1): hiss's Kxy, on x and off y. */
static void tremor(Convert *cv, int row, int channel, uint8_t param, uint8_t *fx, uint8_t *out)
{
    int x = param >> 4, y = param & 15;
    if (cv->format == FORMAT_XM && param) {
        if (x == 15 || y == 15)
            note_at(cv, row, channel, "approximated: tremor of 16 ticks (Txy: to 15)");
        x = x < 15 ? x + 1 : 15;
        y = y < 15 ? y + 1 : 15;
    }
    *fx = 'K';
    *out = (uint8_t)(x << 4 | y);
}

static uint8_t to_bcd(int value)
{
    value = hiss_clampi(value, 0, 99);
    return (uint8_t)((value / 10) << 4 | value % 10);
}

/* libxmp's effect (type, param) as a hiss effect column; *fx = 0 when
 * dropped (and reported). */
static void convert_effect(Convert *cv, int row, int channel, uint8_t type, uint8_t param,
                           uint8_t *fx, uint8_t *out)
{
    *fx = 0;
    *out = param;
    int x = param >> 4, y = param & 15;
    switch (type) {
    case XFX_ARPEGGIO:
    case XFX_S3M_ARPEGGIO:
        if (param)
            *fx = '0';
        return;
    case XFX_PORTA_UP: porta(cv, row, channel, true, param, fx, out); return;
    case XFX_PORTA_DN: porta(cv, row, channel, false, param, fx, out); return;
    case XFX_TONEPORTA: *fx = '3'; return;
    case XFX_VIBRATO:
    case XFX_FINE_VIBRATO: {
        /* Fine vibrato is a quarter as deep; IT's a half again. */
        int shift = (type == XFX_FINE_VIBRATO ? 2 : 0) + (cv->it_fine_vibrato ? 1 : 0);
        int depth = (y + (1 << shift) / 2) >> shift;
        if (y && !depth)
            depth = 1; /* 0 would mean "the last depth" */
        if (depth << shift != y)
            note_at(cv, row, channel, type == XFX_FINE_VIBRATO
                                          ? "approximated: fine vibrato (Uxy) as vibrato"
                                          : "approximated: IT vibrato depth (to a whole step)");
        *fx = '4';
        *out = (uint8_t)(x << 4 | depth);
        return;
    }
    case XFX_TONE_VSLIDE: *fx = '5'; return;
    case XFX_VIBRA_VSLIDE: *fx = '6'; return;
    case XFX_SETPAN: *fx = '8'; return;
    case XFX_OFFSET: *fx = '9'; return;
    case XFX_VOLSLIDE:
    case XFX_VOLSLIDE_2: volume_slide(cv, row, channel, param, fx, out); return;
    case XFX_VOLSLIDE_UP:
    case XFX_VSLIDE_UP_2:
        *fx = 'A';
        *out = (uint8_t)(hiss_clampi(param, 0, 15) << 4);
        return;
    case XFX_VOLSLIDE_DN:
    case XFX_VSLIDE_DN_2:
        *fx = 'A';
        *out = (uint8_t)hiss_clampi(param, 0, 15);
        return;
    case XFX_F_VSLIDE_UP:
    case XFX_F_VSLIDE_UP_2:
        *fx = 'E';
        *out = (uint8_t)(0xA0 | (param & 15));
        return;
    case XFX_F_VSLIDE_DN:
    case XFX_F_VSLIDE_DN_2:
        *fx = 'E';
        *out = (uint8_t)(0xB0 | (param & 15));
        return;
    case XFX_F_VSLIDE:
        *fx = 'E';
        *out = (uint8_t)(x ? 0xA0 | x : 0xB0 | y);
        return;
    case XFX_F_PORTA_UP: *fx = 'E'; *out = (uint8_t)(0x10 | (param & 15)); return;
    case XFX_F_PORTA_DN: *fx = 'E'; *out = (uint8_t)(0x20 | (param & 15)); return;
    case XFX_JUMP: *fx = 'B'; return;
    case XFX_VOLSET: *fx = 'C'; *out = (uint8_t)hiss_clampi(param, 0, 64); return;
    case XFX_BREAK: *fx = 'D'; return;
    case XFX_IT_BREAK:
        if (param > 99)
            note_at(cv, row, channel, "approximated: pattern break past row 99 (to row 99)");
        *fx = 'D';
        *out = to_bcd(param);
        return;
    case XFX_SPEED:
    case XFX_S3M_SPEED:
    case XFX_S3M_BPM:
    case XFX_IT_BPM:
        if (!param)
            return;
        if ((type == XFX_S3M_BPM || type == XFX_IT_BPM) && param < 0x20) {
            note_at(cv, row, channel, "dropped: tempo slide (Txx below 20)");
            return;
        }
        if (type == XFX_S3M_SPEED && param >= 0x20) {
            note_at(cv, row, channel, "approximated: speed above 31 (as 31)");
            *out = 31;
        }
        *fx = 'F';
        return;
    case XFX_PANSLIDE:
        *fx = 'P';
        return;
    case XFX_PANSL_NOMEM:
        /* An XM volume column's pan slide (Dx left, Ex right), which
         * libxmp gives with the left speed high; a speed of 0 does
         * nothing there, while hiss's P00 would repeat the last slide. */
        if (param)
            *fx = 'P';
        *out = (uint8_t)(y << 4 | x);
        return;
    case XFX_IT_PANSLIDE:
        /* IT's Pxy slides left with x; hiss's P (like XM) slides right. */
        *fx = 'P';
        *out = (uint8_t)(y << 4 | x);
        return;
    case XFX_MULTI_RETRIG: *fx = 'R'; return;
    case XFX_EXTENDED:
        switch (x) {
        case 0x1: case 0x2: case 0x6: case 0x9: case 0xA: case 0xB: case 0xC: case 0xD:
        case 0xE:
            *fx = 'E';
            return;
        case 0x8:
            *fx = '8';
            *out = (uint8_t)(y * 17);
            return;
        case 0x3: /* glissando */
            *fx = 'E';
            return;
        case 0x4:
        case 0x7:
            /* Waveforms: hiss has ProTracker's sine, ramp and square; the
             * random one (3) plays as the sine. */
            if ((y & 3) == 3)
                note_at(cv, row, channel,
                        "approximated: random vibrato/tremolo waveform (E43/E73) as sine");
            *fx = 'E';
            return;
        case 0x5: set_finetune(cv, row, channel, y, fx, out); return;
        case 0x0: note_at(cv, row, channel, "dropped: Amiga filter (E0x)"); return;
        default: note_at(cv, row, channel, "dropped: invert loop (EFx)"); return;
        }
    case XFX_TREMOLO: *fx = '7'; return;
    case XFX_GLOBALVOL: global_volume(cv, row, channel, param, fx, out); return;
    case XFX_GVOL_SLIDE: global_volume_slide(cv, row, channel, param, fx, out); return;
    case XFX_KEYOFF: note_at(cv, row, channel, "dropped: key off at a tick (Kxx)"); return;
    case XFX_ENVPOS: *fx = 'L'; return;
    case XFX_TREMOR: tremor(cv, row, channel, param, fx, out); return;
    case XFX_XF_PORTA:
        if (x == 1 || x == 2)
            extra_fine_porta(cv, row, channel, x == 1, y,
                             "approximated: extra fine porta (X1x/X2x) as fine porta", fx, out);
        else
            note_at(cv, row, channel, "dropped: XM's X command other than X1x/X2x");
        return;
    case XFX_TRK_VOL:
    case XFX_TRK_VSLIDE:
    case XFX_TRK_FVSLIDE: note_at(cv, row, channel, "dropped: channel volume (Mxx/Nxy)"); return;
    case XFX_IT_INSTFUNC:
        /* S70..S76: past-note actions and the note's new-note action,
         * hiss's X0..X6; S77..S7C switch envelopes, X7..XC. */
        if ((param & 15) <= 12) {
            *fx = 'X';
            *out = (uint8_t)((param & 15) << 4);
        } else {
            note_at(cv, row, channel, "dropped: S7D..S7F");
        }
        return;
    case XFX_FLT_CUTOFF: /* IT's Z00..Z7F (the default macros), libxmp's x 2 */
        *fx = 'M';
        *out = cutoff_letter(it_cutoff_hz(param / 2));
        cv->channel_cutoff[channel] = param / 2;
        return;
    case XFX_FLT_RESN: /* Z80..Z8F: resonance (xx - 80) x 8, libxmp's x 2 */
        *fx = 'Q';
        cv->channel_resonance[channel] = param / 2;
        *out = it_resonance_letter(param / 2);
        return;
    case XFX_PATT_DELAY: /* SEx: the row x times more, as EEx */
        *fx = 'E';
        *out = (uint8_t)(0xE0 | (param & 15));
        return;
    case XFX_IT_ROWDELAY: note_at(cv, row, channel, "dropped: fine pattern delay (S6x): rows come sooner"); return;
    case XFX_PANBRELLO:
    case XFX_PANBRELLO_WF: note_at(cv, row, channel, "dropped: panbrello (Yxy)"); return;
    case XFX_HIOFFSET: note_at(cv, row, channel, "dropped: high sample offset (SAx)"); return;
    case XFX_SURROUND: note_at(cv, row, channel, "dropped: surround (S9x)"); return;
    case XFX_FINETUNE: note_at(cv, row, channel, "dropped: set finetune"); return;
    default: {
        char what[64];
        snprintf(what, sizeof what, "dropped: effect %02X (libxmp's number)", type);
        note_at(cv, row, channel, what);
        return;
    }
    }
}

static bool is_tone_porta(const struct xmp_event *ev)
{
    return ev->fxt == XFX_TONEPORTA || ev->fxt == XFX_TONE_VSLIDE ||
           ev->f2t == XFX_TONEPORTA || ev->f2t == XFX_TONE_VSLIDE;
}

/* The hiss slot a note on `key` (0-based) of module instrument `module`
 * (1-based) plays, and the semitones the instrument's keymap moves it. */
static int key_slot(const Convert *cv, int module, int key, int *transpose)
{
    const struct xmp_instrument *xi = &cv->mod->xxi[module - 1];
    *transpose = xi->map[key].ins != 0xFF ? xi->map[key].xpo : 0;
    return cv->key_slot[(size_t)(module - 1) * XMP_MAX_KEYS + (size_t)key];
}

/* The instrument column of a cell: the slot of the sample the note's key
 * plays (a tone portamento keeps the sample sounding); a note without an
 * instrument that needs another sample than the channel's gets the
 * instrument written. */
static int chosen_sub(const struct xmp_instrument *xi);

static bool convert_instrument_column(Convert *cv, int row, int channel,
                                      const struct xmp_event *ev, int instruments,
                                      Cell *cell)
{
    bool switched = false;
    int module = ev->ins ? ev->ins : cv->channel_module[channel];
    if (ev->ins)
        cv->channel_module[channel] = ev->ins;
    if (ev->ins && ev->ins <= instruments && cv->mod->xxi[ev->ins - 1].nsm > 0) {
        const struct xmp_instrument *xi = &cv->mod->xxi[ev->ins - 1];
        int ifc = xi->sub[chosen_sub(xi)].ifc, ifr = xi->sub[chosen_sub(xi)].ifr;
        if (ifc & 0x80) /* IT sets the channel's filter only then */
            cv->channel_cutoff[channel] = ifc & 0x7F;
        if (ifr & 0x80)
            cv->channel_resonance[channel] = ifr & 0x7F;
    }
    if (ev->note == XMP_KEY_OFF) {
        cv->channel_off[channel] = true;
        /* FastTracker 2's note off silences an instrument without a
         * volume envelope at once: a note cut's short ramp, not a note
         * off's 10 ms fade. */
        if (cv->format == FORMAT_XM && module >= 1 && module <= instruments &&
            !(cv->mod->xxi[module - 1].aei.flg & XMP_ENVELOPE_ON))
            cell->note = NOTE_CUT;
    }
    if (cell->note >= NOTE_FIRST && cell->note <= NOTE_LAST) {
        if (!ev->ins && cv->channel_off[channel] && cv->format == FORMAT_XM)
            note_at(cv, row, channel,
                    "approximated: a note without instrument after a note off (played "
                    "anew, not in the note off's state)");
        cv->channel_off[channel] = false;
    }
    int slot = ev->ins <= instruments ? ev->ins : 0;
    bool keyed = ev->note >= 1 && ev->note <= XMP_MAX_KEYS && cell->note != NOTE_EMPTY;
    if (keyed && module >= 1 && module <= instruments) {
        int transpose = 0;
        slot = key_slot(cv, module, ev->note - 1, &transpose);
        int note = cell->note + transpose;
        if (transpose && note >= NOTE_FIRST && note <= NOTE_LAST)
            cell->note = (uint8_t)note;
        int had = cv->channel_slot[channel];
        if (is_tone_porta(ev) && had && cv->slot_inst[had] == module - 1)
            slot = had; /* the sample sounding slides on */
        if (!ev->ins && slot != had) {
            /* The instrument written resets the volume: the volume column
             * keeps the channel's, where it is known. */
            int kept = cv->channel_volume[channel];
            if (cell->volume > VOLUME_MAX && kept >= 0)
                cell->volume = (uint8_t)kept;
            else if (cell->volume > VOLUME_MAX)
                note_at(cv, row, channel,
                        "approximated: a note without instrument on another sample of "
                        "a keymap (its volume resets to the sample's)");
            /* FastTracker 2 restarts the envelopes only for an instrument
             * number (see convert_envelope's bare_env keep). */
            const struct xmp_instrument *xi = &cv->mod->xxi[module - 1];
            switched = cv->format == FORMAT_XM &&
                       ((xi->aei.flg | xi->pei.flg) & XMP_ENVELOPE_ON);
        } else if (!ev->ins) {
            slot = 0;
        }
        if (slot)
            cv->channel_slot[channel] = slot;
    } else if (ev->ins && ev->ins <= instruments) {
        /* An instrument alone keeps the sample the channel plays. */
        int had = cv->channel_slot[channel];
        if (had && cv->slot_inst[had] == ev->ins - 1)
            slot = had;
        else
            cv->channel_slot[channel] = slot;
    }
    if (slot) {
        cell->instrument = (uint8_t)slot;
        cv->channel_inst[channel] = slot;
    }
    return switched && slot;
}

/* A note the keymap gave an instrument number keeps the channel's point
 * envelopes running, as the bare note does in FastTracker 2: E80 says so,
 * in a column the module's effects left free. */
static void keep_envelopes(Convert *cv, int row, int channel, Cell *cell)
{
    uint8_t *fx = !cell->fx ? &cell->fx : !cell->fx2 ? &cell->fx2 : NULL;
    if (!fx) {
        note_at(cv, row, channel,
                "approximated: a note without instrument on another sample of a keymap "
                "(its envelopes restart: no free column for E80)");
        return;
    }
    *fx = 'E';
    *(fx == &cell->fx ? &cell->fx_param : &cell->fx2_param) = 0x80;
}

/* Whether libxmp's effect moves the channel's volume by an amount the
 * row alone does not tell (slides, tremolo, tremor). */
static bool effect_moves_volume(uint8_t type, uint8_t param)
{
    switch (type) {
    case XFX_TONE_VSLIDE: case XFX_VIBRA_VSLIDE: case XFX_TREMOLO: case XFX_VOLSLIDE:
    case XFX_VOLSLIDE_2: case XFX_VOLSLIDE_UP: case XFX_VOLSLIDE_DN: case XFX_VSLIDE_UP_2:
    case XFX_VSLIDE_DN_2: case XFX_F_VSLIDE: case XFX_F_VSLIDE_UP: case XFX_F_VSLIDE_DN:
    case XFX_F_VSLIDE_UP_2: case XFX_F_VSLIDE_DN_2: case XFX_TREMOR: case XFX_MULTI_RETRIG:
        return true;
    case XFX_EXTENDED:
        return (param >> 4) == 0xA || (param >> 4) == 0xB;
    default:
        return false;
    }
}

/* The channel's volume after the converted cell: an instrument sets its
 * sample's, the volume column and Cxx set theirs, a slide makes it
 * unknown. */
static void follow_volume(Convert *cv, int channel, const struct xmp_event *ev,
                          const Cell *cell)
{
    int *volume = &cv->channel_volume[channel];
    int slot = cell->instrument;
    if (slot && slot <= cv->slots && cv->slot_inst[slot] >= 0) {
        const struct xmp_instrument *xi = &cv->mod->xxi[cv->slot_inst[slot]];
        *volume = xi->nsm > 0 ? hiss_clampi(xi->sub[cv->slot_sub[slot]].vol, 0, VOLUME_MAX)
                              : -1;
    }
    if (cell->volume <= VOLUME_MAX)
        *volume = cell->volume;
    const uint8_t types[2] = {ev->fxt, ev->f2t}, params[2] = {ev->fxp, ev->f2p};
    for (int k = 0; k < 2; k++) {
        if (types[k] == XFX_VOLSET)
            *volume = hiss_clampi(params[k], 0, VOLUME_MAX);
        else if (effect_moves_volume(types[k], params[k]))
            *volume = -1;
    }
}

/* IT keeps a channel's filter from note to note; hiss's note starts
 * from its instrument's. A note whose instrument does not set the filter
 * to what a Zxx left on the channel gets the channel's cutoff and
 * resonance written in the free columns. */
static void carry_filter(Convert *cv, int row, int channel, const struct xmp_event *ev,
                         int instruments, Cell *cell)
{
    int module = cv->channel_module[channel];
    if (cv->format != FORMAT_IT || cell->note < NOTE_FIRST || cell->note > NOTE_LAST ||
        is_tone_porta(ev) || cell->fx == 'M' || module < 1 || module > instruments ||
        cv->mod->xxi[module - 1].nsm <= 0)
        return;
    const struct xmp_instrument *xi = &cv->mod->xxi[module - 1];
    const struct xmp_subinstrument *sub = &xi->sub[chosen_sub(xi)];
    int cutoff = cv->channel_cutoff[channel], resonance = cv->channel_resonance[channel];
    if (cutoff == (sub->ifc & 0x80 ? sub->ifc & 0x7F : 127) &&
        resonance == (sub->ifr & 0x80 ? sub->ifr & 0x7F : 0))
        return;
    uint8_t *fx = !cell->fx ? &cell->fx : !cell->fx2 ? &cell->fx2 : NULL;
    uint8_t *param = fx == &cell->fx ? &cell->fx_param : &cell->fx2_param;
    if (!fx) {
        note_at(cv, row, channel, "dropped: the channel's filter for a note (no free column)");
        return;
    }
    *fx = 'M';
    *param = cutoff_letter(it_cutoff_hz(cutoff));
    if (!cell->fx2) {
        cell->fx2 = 'Q';
        cell->fx2_param = it_resonance_letter(resonance);
    } else {
        note_at(cv, row, channel,
                "approximated: the channel's filter for a note (its resonance: no free column)");
    }
}

static Cell convert_event(Convert *cv, int row, int channel, const struct xmp_event *ev,
                          int instruments)
{
    Cell cell = song_cell_empty();
    /* The specials first: their numbers are above libxmp's keys. */
    if (ev->note == XMP_KEY_OFF) {
        cell.note = NOTE_OFF;
    } else if (ev->note == XMP_KEY_CUT) {
        cell.note = NOTE_CUT;
    } else if (ev->note == XMP_KEY_FADE) {
        note_at(cv, row, channel, "approximated: note fade as note off");
        cell.note = NOTE_OFF;
    } else if (ev->note > XMP_MAX_KEYS) {
        note_at(cv, row, channel, "dropped: a note libxmp has no key for");
    } else if (ev->note > NOTE_SHIFT) {
        cell.note = (uint8_t)(ev->note - NOTE_SHIFT);
    } else if (ev->note >= 1) {
        note_at(cv, row, channel, "dropped: note below C-0");
    }
    if (ev->vol)
        cell.volume = (uint8_t)hiss_clampi(ev->vol - 1, 0, VOLUME_MAX);
    if (ev->ins > instruments)
        note_at(cv, row, channel, "dropped: instrument past 255 or not in the module");
    bool switched = convert_instrument_column(cv, row, channel, ev, instruments, &cell);
    convert_effect(cv, row, channel, ev->fxt, ev->fxp, &cell.fx, &cell.fx_param);
    convert_effect(cv, row, channel, ev->f2t, ev->f2p, &cell.fx2, &cell.fx2_param);
    /* A dropped effect leaves no parameter behind: the pattern would show
     * ".01", which the file cannot hold and nothing plays. */
    if (!cell.fx)
        cell.fx_param = 0;
    if (!cell.fx2)
        cell.fx2_param = 0;
    if (switched)
        keep_envelopes(cv, row, channel, &cell);
    follow_volume(cv, channel, ev, &cell);
    /* An Mxx that turns a note's filter on gives it the instrument's
     * resonance: a Zxx cutoff takes the channel's along, in the other
     * column if it is free. */
    if (ev->fxt == XFX_FLT_CUTOFF && cell.fx == 'M' && !cell.fx2) {
        cell.fx2 = 'Q';
        cell.fx2_param = it_resonance_letter(cv->channel_resonance[channel]);
    }
    carry_filter(cv, row, channel, ev, instruments, &cell);
    /* A note delay in the second column only: fx_row finds it in either. */
    return cell;
}

static HissError convert_pattern(Convert *cv, int index, Pattern **out)
{
    const struct xmp_module *mod = cv->mod;
    const struct xmp_pattern *xp = mod->xxp[index];
    int rows = xp->rows;
    if (rows > SONG_MAX_ROWS) {
        loader_report_add(cv->report, cv->order, -1, -1,
                          "dropped: rows past 256 of pattern %d", index);
        rows = SONG_MAX_ROWS;
    }
    if (rows < 1)
        rows = 1;
    int channels = hiss_clampi(mod->chn, 1, SONG_MAX_CHANNELS);
    Pattern *p = song_pattern_new(rows, channels);
    if (!p)
        return HISS_ERR_NOMEM;
    int instruments = mod->ins < SONG_MAX_INSTRUMENTS ? mod->ins : SONG_MAX_INSTRUMENTS;
    /* A pattern's track index has one entry per module channel: a module
     * that claims no channels has none to read, whatever hiss allots. */
    int tracked = channels < mod->chn ? channels : mod->chn;
    memset(cv->channel_inst, 0, sizeof cv->channel_inst);
    for (int c = 0; c < tracked; c++) {
        int t = xp->index[c];
        if (t < 0 || t >= mod->trk || !mod->xxt[t])
            continue;
        const struct xmp_track *track = mod->xxt[t];
        int n = track->rows < rows ? track->rows : rows;
        for (int r = 0; r < n; r++)
            song_pattern_set(p, r, c, convert_event(cv, r, c, &track->event[r], instruments));
    }
    *out = p;
    return HISS_OK;
}

/* The sub-instrument a hiss instrument plays: the one the instrument maps
 * C-5 to (hiss has one sample per instrument; a keymap of several is
 * reported). */
static int chosen_sub(const struct xmp_instrument *xi)
{
    int sub = xi->map[XMP_BASE_KEY].ins;
    return sub < xi->nsm ? sub : 0;
}

/* The finetune of hiss instrument `slot` in eighths of a semitone, as
 * E5x counts: libxmp keeps it in 128ths. */
static int instrument_finetune_eighths(const Convert *cv, int slot)
{
    if (slot < 1 || slot > cv->slots || cv->slot_inst[slot] < 0)
        return 0;
    const struct xmp_instrument *xi = &cv->mod->xxi[cv->slot_inst[slot]];
    if (xi->nsm <= 0)
        return 0;
    return (int)lround(xi->sub[cv->slot_sub[slot]].fin / 16.0);
}

/* Whether sub-instrument `sub` of xi has a sample to play. */
static bool sub_has_sample(const struct xmp_module *mod, const struct xmp_instrument *xi,
                           int sub)
{
    int sid = xi->sub[sub].sid;
    return sid >= 0 && sid < mod->smp && mod->xxs[sid].len > 0;
}

/* Gives every sample an instrument's keymap plays a hiss slot (see
 * Convert) and reports each instrument so split. */
static HissError plan_keymaps(Convert *cv)
{
    const struct xmp_module *mod = cv->mod;
    int instruments = mod->ins < SONG_MAX_INSTRUMENTS ? mod->ins : SONG_MAX_INSTRUMENTS;
    cv->key_slot = calloc((size_t)(instruments ? instruments : 1), XMP_MAX_KEYS);
    if (!cv->key_slot)
        return HISS_ERR_NOMEM;
    for (int slot = 0; slot <= SONG_MAX_INSTRUMENTS; slot++)
        cv->slot_inst[slot] = -1;
    cv->slots = instruments;
    for (int i = 0; i < instruments; i++) {
        const struct xmp_instrument *xi = &mod->xxi[i];
        int home = chosen_sub(xi);
        cv->slot_inst[i + 1] = i;
        cv->slot_sub[i + 1] = home;
        uint8_t *keys = cv->key_slot + (size_t)i * XMP_MAX_KEYS;
        memset(keys, i + 1, XMP_MAX_KEYS);
        if (xi->nsm <= 1)
            continue;
        /* The slot of each sub-instrument (0: none yet). */
        uint8_t sub_slot[XMP_MAX_KEYS] = {0};
        int split = 0, lost = 0;
        char list[160] = "";
        for (int k = 0; k < XMP_MAX_KEYS; k++) {
            int sub = xi->map[k].ins;
            if (sub == 0xFF || sub >= xi->nsm || sub >= XMP_MAX_KEYS || sub == home ||
                !sub_has_sample(mod, xi, sub))
                continue;
            if (!sub_slot[sub]) {
                if (cv->slots >= SONG_MAX_INSTRUMENTS) {
                    sub_slot[sub] = (uint8_t)(i + 1);
                    lost++;
                } else {
                    int slot = ++cv->slots;
                    sub_slot[sub] = (uint8_t)slot;
                    cv->slot_inst[slot] = i;
                    cv->slot_sub[slot] = sub;
                    size_t used = strlen(list);
                    snprintf(list + used, sizeof list - used, ", %02X", slot);
                    split++;
                }
            }
            keys[k] = sub_slot[sub];
        }
        if (split)
            loader_report_add(cv->report, -1, -1, -1,
                              "approximated: instrument %02X's keymap of %d samples as "
                              "instruments %02X%s (one per sample; notes name the one "
                              "their key plays)", i + 1, split + 1, i + 1, list);
        if (lost)
            loader_report_add(cv->report, -1, -1, -1,
                              "dropped: %d samples of instrument %02X's keymap (past 255 "
                              "instruments: their keys play its C-5 sample)", lost, i + 1);
    }
    return HISS_OK;
}

/* libxmp's envelope as hiss's point envelope: points whose tick does not
 * go up are dropped (a sustain or loop on one moves to the point before),
 * one point becomes a level held from the start, a sustain or loop past
 * the points is dropped; each loss is reported (what: "volume"...). */
static void convert_points(Convert *cv, int slot, const char *what,
                           const struct xmp_envelope *env, bool report, SongEnvelope *out)
{
    song_envelope_clear(out);
    int n = hiss_clampi(env->npt, 0, XMP_MAX_ENV_POINTS);
    if (!(env->flg & XMP_ENVELOPE_ON) || n < 1)
        return;
    int index[XMP_MAX_ENV_POINTS]; /* the module's point k is out's index[k] */
    int kept = 0;
    for (int k = 0; k < n; k++) {
        int tick = hiss_clampi(env->data[2 * k], 0, SONG_ENV_MAX_TICK);
        if (kept && tick <= out->tick[kept - 1]) {
            index[k] = kept - 1;
            continue;
        }
        out->tick[kept] = (uint16_t)tick;
        out->value[kept] = (uint8_t)hiss_clampi(env->data[2 * k + 1], 0, SONG_ENV_TOP);
        index[k] = kept++;
    }
    if (kept < n && report)
        loader_report_add(cv->report, -1, -1, -1,
                          "approximated: instrument %02X's %s envelope (%d points whose "
                          "tick does not go up dropped)", slot, what, n - kept);
    if (kept == 1 && out->tick[0] < SONG_ENV_MAX_TICK) {
        out->tick[1] = (uint16_t)(out->tick[0] + 1);
        out->value[1] = out->value[0];
        kept = 2;
    }
    out->count = kept >= 2 ? kept : 0;
    if (!out->count)
        return;
    bool loop_ok = true, sus_ok = true;
    if (env->flg & XMP_ENVELOPE_SUS) {
        int a = env->sus, b = env->flg & XMP_ENVELOPE_SLOOP ? env->sue : env->sus;
        sus_ok = a >= 0 && a <= b && b < n;
        if (sus_ok) {
            out->sustain_start = index[a];
            out->sustain_end = index[b];
        }
    }
    if (env->flg & XMP_ENVELOPE_LOOP) {
        loop_ok = env->lps >= 0 && env->lps <= env->lpe && env->lpe < n;
        if (loop_ok) {
            out->loop_start = index[env->lps];
            out->loop_end = index[env->lpe];
        }
    }
    if ((!sus_ok || !loop_ok) && report)
        loader_report_add(cv->report, -1, -1, -1,
                          "dropped: instrument %02X's %s envelope %s (past its points)", slot,
                          what, !sus_ok ? "sustain" : "loop");
}

/* XM/IT volume and panning envelopes become the instrument's point
 * envelopes, played a tick at a time as the module's players do, with
 * the fadeout after a note off. */
static void convert_envelope(Convert *cv, int slot, const struct xmp_instrument *xi,
                             Instrument *inst, bool report)
{
    convert_points(cv, slot, "volume", &xi->aei, report, &inst->vol_env);
    convert_points(cv, slot, "panning", &xi->pei, report, &inst->pan_env);
    /* FastTracker 2 restarts them only for a note with an instrument. */
    inst->env_keep_bare = cv->format == FORMAT_XM &&
                          (inst->vol_env.count || inst->pan_env.count);
    /* IT's fadeout also fades a note without a volume envelope after its
     * note off, and one its new-note action sends fading. */
    if (inst->vol_env.count || cv->format == FORMAT_IT)
        inst->fadeout = hiss_clampi(xi->rls, 0, SONG_FADEOUT_MAX);
    /* IT starts that fade only where the volume envelope ends. */
    inst->fade_after_env = cv->format == FORMAT_IT;
    /* IT's pitch or filter envelope: libxmp gives the pitch's half
     * semitones (-32..32) x 50, the filter's levels + 32, x 4. */
    struct xmp_envelope env = xi->fei;
    bool filter = (env.flg & XMP_ENVELOPE_FLT) != 0;
    for (int k = 0; k < env.npt && k < XMP_MAX_ENV_POINTS; k++) {
        int v = env.data[2 * k + 1];
        env.data[2 * k + 1] = (short)(filter ? (v + 2) / 4 : (int)lround(v / 50.0) + 32);
    }
    convert_points(cv, slot, filter ? "filter" : "pitch", &env, report,
                   filter ? &inst->filter_env : &inst->pitch_env);
}

/* IT's resonant filter (the instrument's initial cutoff and resonance,
 * Zxx) is hiss's 12 dB low-pass played as IT's (filter_it), for every IT
 * instrument, so that a Zxx that turns it on gets it too. IT filters only while the
 * cutoff is below 127 or a resonance is set, or a filter envelope moves
 * it; the resonance is set anyway, for a Zxx that turns the filter on. */
static void convert_filter(Convert *cv, const struct xmp_subinstrument *sub, Instrument *inst)
{
    if (cv->format != FORMAT_IT)
        return;
    int cutoff = sub->ifc & 0x80 ? sub->ifc & 0x7F : 127;
    int resonance = sub->ifr & 0x80 ? sub->ifr & 0x7F : 0;
    inst->filter_it = true;
    inst->shape[SHAPE_RESONANCE] = (int)lround(100.0 * resonance / 127.0);
    if (cutoff == 127 && resonance == 0 && !inst->filter_env.count)
        return;
    inst->shape[SHAPE_FILTER] = SHAPE_FILTER_LP12;
    inst->shape[SHAPE_CUTOFF] = (int)lround(it_cutoff_hz(cutoff));
}

/* IT's new-note action and duplicate check; libxmp's numbers are hiss's
 * order (cut, continue, off, fade; off, note, sample, instrument). */
static void convert_note_actions(const struct xmp_subinstrument *sub, Instrument *inst)
{
    inst->nna = (uint8_t)(sub->nna >= 0 && sub->nna < SONG_NOTE_ACTIONS ? sub->nna : 0);
    inst->dupcheck = (uint8_t)(sub->dct >= 0 && sub->dct < SONG_DUP_CHECKS ? sub->dct : 0);
    inst->dupaction = (uint8_t)(sub->dca >= 0 && sub->dca < SONG_NOTE_ACTIONS &&
                                        sub->dca != SONG_NOTE_CONTINUE
                                    ? sub->dca
                                    : 0);
}

/* The instrument's (XM) or sample's (IT) auto-vibrato: libxmp gives
 * FastTracker 2's depth x 4, hiss's 256ths of a semitone. */
static void convert_autovibrato(Convert *cv, int slot, const struct xmp_subinstrument *sub,
                                Instrument *inst, bool report)
{
    if (sub->vde <= 0)
        return;
    inst->autovib[SONG_AUTOVIB_WAVE] = (uint8_t)(sub->vwf & 3);
    inst->autovib[SONG_AUTOVIB_RATE] = (uint8_t)hiss_clampi(sub->vra, 0, 255);
    inst->autovib[SONG_AUTOVIB_DEPTH] = (uint8_t)hiss_clampi(sub->vde, 0, 255);
    inst->autovib[SONG_AUTOVIB_SWEEP] = (uint8_t)hiss_clampi(sub->vsw, 0, 255);
    if (cv->format == FORMAT_IT && report)
        loader_report_add(cv->report, -1, -1, -1,
                          "approximated: instrument %02X's auto-vibrato (played as "
                          "FastTracker 2 plays it)", slot);
}

static void report_instrument(Convert *cv, int slot, const struct xmp_instrument *xi)
{
    LoaderReport *r = cv->report;
    int used = chosen_sub(xi);
    if (xi->nsm > 0) {
        const struct xmp_subinstrument *sub = &xi->sub[used];

        if ((sub->ifc & 0x80) || (sub->ifr & 0x80) || (xi->fei.flg & XMP_ENVELOPE_FLT))
            loader_report_add(r, -1, -1, -1,
                              "approximated: instrument %02X's resonant filter (IT's, its "
                              "resonance to 1%%)", slot);
    }
}

/* libxmp's sample as float frames scaled by the sample's global volume
 * (IT), which hiss has no field for. */
static Sample *convert_sample(const struct xmp_sample *xs, uint32_t frames, double gain,
                              uint32_t rate)
{
    float *buf = malloc((size_t)frames * sizeof *buf);
    if (!buf)
        return NULL;
    if (xs->flg & XMP_SAMPLE_16BIT) {
        const int16_t *d = (const int16_t *)xs->data;
        for (uint32_t i = 0; i < frames; i++)
            buf[i] = (float)(d[i] * gain / 32768.0);
    } else {
        const int8_t *d = (const int8_t *)xs->data;
        for (uint32_t i = 0; i < frames; i++)
            buf[i] = (float)(d[i] * gain / 128.0);
    }
    Sample *s = sample_new(buf, frames, 1, rate);
    free(buf);
    return s;
}

/* Hiss slot `slot`: module instrument slot_inst[slot] with its sample
 * slot_sub[slot]. The instrument's own slot reports what is lost. */
static HissError convert_instrument(Convert *cv, int slot, long *frames_left,
                                    Instrument **out)
{
    const struct xmp_module *mod = cv->mod;
    int index = cv->slot_inst[slot];
    const struct xmp_instrument *xi = &mod->xxi[index];
    bool home = slot == index + 1;
    Instrument *inst = song_instrument_new();
    if (!inst)
        return HISS_ERR_NOMEM;
    hiss_text_format(inst->name, sizeof inst->name, "%s", xi->name);
    if (home)
        report_instrument(cv, slot, xi);
    if (xi->nsm <= 0) {
        *out = inst;
        return HISS_OK;
    }
    const struct xmp_subinstrument *sub = &xi->sub[cv->slot_sub[slot]];
    inst->volume = hiss_clampi(sub->vol, 0, VOLUME_MAX);
    inst->pan = sub->pan >= 0 ? hiss_clampi((sub->pan - 128) * 100 / 128, -100, 100) : 0;
    int base = HISS_BASE_NOTE - sub->xpo;
    if (base < NOTE_FIRST || base > NOTE_LAST)
        loader_report_add(cv->report, -1, -1, -1,
                          "approximated: instrument %02X's transpose %+d (out of range)",
                          slot, sub->xpo);
    inst->base_note = (uint8_t)hiss_clampi(base, NOTE_FIRST, NOTE_LAST);
    inst->finetune = hiss_clampi(sub->fin * 100 / 128, -100, 100);
    convert_envelope(cv, slot, xi, inst, home);
    if (cv->format == FORMAT_IT)
        convert_note_actions(sub, inst);
    convert_autovibrato(cv, slot, sub, inst, home);
    convert_filter(cv, sub, inst);
    int sid = sub->sid;
    if (sid < 0 || sid >= mod->smp) {
        *out = inst;
        return HISS_OK;
    }
    const struct xmp_sample *xs = &mod->xxs[sid];
    /* A keymap's other samples go by their own names. */
    if (!inst->name[0] || (!home && xs->name[0]))
        hiss_text_format(inst->name, sizeof inst->name, "%s", xs->name);
    long frames = xs->len;
    if (cv->kept && sid < cv->kept_count && cv->kept[sid] < frames)
        frames = cv->kept[sid];
    if (frames <= 0 || !xs->data || (xs->flg & XMP_SAMPLE_SYNTH)) {
        *out = inst;
        return HISS_OK;
    }
    if (frames > *frames_left) {
        loader_report_add(cv->report, -1, -1, -1,
                          "dropped: instrument %02X's sample (past the %d frames hiss "
                          "takes from one module)", slot, MODULE_MAX_SAMPLE_FRAMES);
        *out = inst;
        return HISS_OK;
    }
    *frames_left -= frames;
    double gain = hiss_clampi(sub->gvl, 0, 64) / 64.0;
    inst->sample = convert_sample(xs, (uint32_t)frames, gain,
                                  cv->format == FORMAT_MOD ? MOD_C_RATE : C5_RATE);
    if (!inst->sample) {
        song_instrument_free(inst);
        return HISS_ERR_NOMEM;
    }
    /* A loop wholly in what a cut file lost is gone with it. */
    if ((xs->flg & XMP_SAMPLE_LOOP) && xs->lpe > xs->lps && xs->lps >= 0 && xs->lps < frames) {
        inst->loop = xs->flg & XMP_SAMPLE_LOOP_BIDIR ? LOOP_PINGPONG : LOOP_FORWARD;
        inst->loop_start = (uint32_t)xs->lps;
        inst->loop_end = (uint32_t)(xs->lpe < frames ? xs->lpe : frames);
        if (xs->flg & XMP_SAMPLE_LOOP_REVERSE)
            loader_report_add(cv->report, -1, -1, -1,
                              "approximated: instrument %02X's backwards loop (forwards)",
                              slot);
    }
    if (xs->flg & XMP_SAMPLE_SLOOP)
        loader_report_add(cv->report, -1, -1, -1,
                          "dropped: instrument %02X's sustain loop", slot);
    *out = inst;
    return HISS_OK;
}

/* A module channel's default panning, volume and mute become its
 * channel strip's balance, fader (the strip's default headroom minus the
 * volume's dB) and mute. The balance comes after the instrument's pan
 * where a module's channel pan is where notes start; the two agree for
 * centred instruments (MOD, S3M). */
static void convert_channels(Convert *cv, Song *song)
{
    const struct xmp_module *mod = cv->mod;
    bool panned = false;
    for (int c = 0; c < mod->chn && c < SONG_MAX_CHANNELS; c++) {
        const struct xmp_channel *xc = &mod->xxc[c];
        SongStrip *strip = &song->strips[c];
        int pan = hiss_clampi((xc->pan - 128) * 100 / 127, -100, 100);
        atomic_store(&strip->pan, pan);
        panned |= pan != 0;
        int vol = hiss_clampi(xc->vol, 0, 64);
        int gain = vol ? SONG_CHANNEL_GAIN_DEFAULT + (int)lround(200.0 * log10(vol / 64.0))
                       : SONG_GAIN_MIN;
        atomic_store(&strip->gain_tenth_db, hiss_clampi(gain, SONG_GAIN_MIN, SONG_GAIN_MAX));
        atomic_store(&strip->mute, (xc->flg & XMP_CHANNEL_MUTE) != 0);
    }
    if (panned && (cv->format == FORMAT_XM || cv->format == FORMAT_IT))
        loader_report_add(cv->report, -1, -1, -1,
                          "approximated: channel panning as the channel strip's balance "
                          "(applied after each instrument's pan)");
}

static void report_song(Convert *cv)
{
    const struct xmp_module *mod = cv->mod;
    LoaderReport *r = cv->report;
    for (int c = 0; c < mod->chn && c < SONG_MAX_CHANNELS; c++) {
        const struct xmp_channel *xc = &mod->xxc[c];
        if (xc->flg & XMP_CHANNEL_SURROUND)
            loader_report_add(r, -1, -1, c, "dropped: surround channel");
    }
    if (mod->rst)
        loader_report_add(r, -1, -1, -1, "dropped: restart position %d (loops to 0)",
                          mod->rst);
    if (mod->ins > SONG_MAX_INSTRUMENTS)
        loader_report_add(r, -1, -1, -1, "dropped: instruments past 255 (%d in the module)",
                          mod->ins);
}

static HissError convert_module(Convert *cv, const unsigned char *data, size_t len,
                                Song *song)
{
    const struct xmp_module *mod = cv->mod;
    hiss_text_format(song->title, sizeof song->title, "%s", mod->name);
    int speed = mod->spd, bpm = mod->bpm;
    if (speed < 1 || speed > 31 || bpm < 32 || bpm > 255)
        loader_report_add(cv->report, -1, -1, -1,
                          "approximated: initial speed %d / tempo %d (hiss: 1..31 / 32..255)",
                          speed, bpm);
    atomic_store(&song->speed, hiss_clampi(speed, 1, 31));
    atomic_store(&song->bpm_tenths, hiss_clampi(bpm, 32, 255) * 10);
    atomic_store(&song->rows_per_beat, 4);
    atomic_store(&song->channels, hiss_clampi(mod->chn, 1, SONG_MAX_CHANNELS));
    atomic_store(&song->slides,
                 linear_slides(cv->format, data, len) ? SLIDES_LINEAR : SLIDES_AMIGA);
    atomic_store(&song->ft2_vibrato, cv->format == FORMAT_XM);
    atomic_store(&song->ft2_tremor, cv->format == FORMAT_XM);
    convert_channels(cv, song);
    report_song(cv);
    /* The module's initial global volume: where Gxx and Hxy start from. */
    int full = global_in_128ths(cv) ? 128 : 64;
    int global = hiss_clampi(mod->gvl, 0, full);
    if (full == 128 && global & 1 && global < 128)
        loader_report_add(cv->report, -1, -1, -1,
                          "approximated: initial global volume %d of 128 to a 64th", global);
    atomic_store(&song->global_volume, full == 128 ? (global + 1) / 2 : global);

    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        cv->channel_volume[c] = -1;
        cv->channel_cutoff[c] = 127;
        cv->channel_resonance[c] = 0;
    }
    HissError planned = plan_keymaps(cv);
    if (planned)
        return planned;
    int patterns = mod->pat < SONG_MAX_PATTERNS ? mod->pat : SONG_MAX_PATTERNS;
    if (mod->pat > SONG_MAX_PATTERNS)
        loader_report_add(cv->report, -1, -1, -1, "dropped: patterns past 256");
    int orders = 0;
    /* Patterns are converted where they are first played, so the report
     * places a loss at an order; unplayed ones after. */
    for (int o = 0; o < mod->len && o < XMP_MAX_MOD_LENGTH; o++) {
        int p = mod->xxo[o];
        if (p == 0xFF)
            break;
        if (p == 0xFE)
            continue; /* S3M/IT "+++": a marker, not a pattern */
        if (p >= patterns || !mod->xxp[p]) {
            loader_report_add(cv->report, o, -1, -1,
                              "dropped: order entry naming missing pattern %d", p);
            continue;
        }
        atomic_store(&song->orders[orders++], (uint8_t)p);
        if (song_pattern(song, p))
            continue;
        cv->order = orders - 1;
        Pattern *pat = NULL;
        HissError err = convert_pattern(cv, p, &pat);
        if (err)
            return err;
        atomic_store(&song->patterns[p], pat);
    }
    atomic_store(&song->order_count, orders);
    cv->order = -1;
    for (int p = 0; p < patterns; p++) {
        if (song_pattern(song, p) || !mod->xxp[p])
            continue;
        Pattern *pat = NULL;
        HissError err = convert_pattern(cv, p, &pat);
        if (err)
            return err;
        atomic_store(&song->patterns[p], pat);
    }
    if (!orders) {
        /* A song plays its order list: give an empty one a pattern. */
        if (!song_pattern(song, 0)) {
            Pattern *pat = song_pattern_new(64, atomic_load(&song->channels));
            if (!pat)
                return HISS_ERR_NOMEM;
            atomic_store(&song->patterns[0], pat);
        }
        atomic_store(&song->orders[0], 0);
        atomic_store(&song->order_count, 1);
    }

    long frames_left = MODULE_MAX_SAMPLE_FRAMES;
    for (int slot = 1; slot <= cv->slots; slot++) {
        Instrument *inst = NULL;
        HissError err = convert_instrument(cv, slot, &frames_left, &inst);
        if (err)
            return err;
        if (!inst->sample && !inst->name[0]) {
            /* An unused slot (a MOD always has 31): left empty. */
            song_instrument_free(inst);
            continue;
        }
        atomic_store(&song->instruments[slot], inst);
    }
    return HISS_OK;
}

static const char *xmp_message(int code)
{
    switch (-code) {
    case XMP_ERROR_FORMAT: return "not a module format libxmp knows";
    case XMP_ERROR_LOAD: return "truncated or damaged module";
    case XMP_ERROR_DEPACK: return "cannot unpack the module";
    case XMP_ERROR_SYSTEM: return "out of memory or a system error while reading the module";
    default: return "libxmp cannot read this module";
    }
}

HissError module_load(const char *data, size_t len, const char *path, Song **out,
                      HissDiag *diag, LoaderReport *report)
{
    *out = NULL;
    const char *name = path ? path : "<module>";
    xmp_context ctx = xmp_create_context();
    if (!ctx) {
        hiss_diag_set(diag, name, 0, 0, "out of memory");
        return HISS_ERR_NOMEM;
    }
    /* libxmp refuses a module whose pattern data is cut short (or takes
     * it for another format), though its headers say what was there: it
     * reads a copy as long as the headers make it, zeros for what is
     * missing (empty rows, silent samples), which the report names. An XM
     * cut inside a pattern's or an instrument's header is read as the
     * module that ends before it. libxmp 4.5 also reads the last frame of
     * a compressed IT sample that ends the file as 0 (its bit reader
     * wants a byte past the data): an IT gets zeros after it. */
    enum { IT_PAD = 4 };
    ModsizeShape shape;
    modsize_measure((const unsigned char *)data, len, &shape);
    /* Lengths come from the file's own headers: a hostile one may claim
     * gigabytes, so neither is taken beyond what a song file may be. */
    bool keep = shape.keep_bytes && shape.keep_bytes <= SONGFILE_MAX_BYTES;
    size_t image = len;
    if (keep)
        image = shape.keep_bytes;
    else if (!shape.keep_bytes && shape.need > len && shape.need <= SONGFILE_MAX_BYTES)
        image = shape.need;
    size_t pad = format_of(data, len) == FORMAT_IT ? IT_PAD : 0;
    unsigned char *copy = NULL;
    if (image != len || pad) {
        copy = calloc(1, image + pad);
        if (!copy) {
            xmp_free_context(ctx);
            hiss_diag_set(diag, name, 0, 0, "out of memory");
            return HISS_ERR_NOMEM;
        }
        memcpy(copy, data, image < len ? image : len);
        modsize_mend(copy, image < len ? image : len, &shape);
    }
    /* An S3M's or IT's instrument and sample headers come before its
     * patterns, and an XM's own header before everything: with one of
     * them cut there is nothing whole to read. */
    int rc = -XMP_ERROR_LOAD;
    if (!shape.header_cut || keep)
        rc = copy ? xmp_load_module_from_memory(ctx, copy, (long)(image + pad))
                  : xmp_load_module_from_memory(ctx, (void *)data, (long)len);
    free(copy);
    if (rc != 0) {
        xmp_free_context(ctx);
        /* A 31-sample MOD's header alone is 1084 bytes (a 15-sample one's
         * patterns end later still). */
        if (shape.header_cut || (format_of(data, len) == FORMAT_MOD && len < 1084))
            hiss_diag_set(diag, name, 0, 0,
                          "module cut inside its header at byte %zu: nothing to read", len);
        else
            hiss_diag_set(diag, name, 0, 0, "%s", xmp_message(rc));
        return rc == -XMP_ERROR_SYSTEM ? HISS_ERR_NOMEM : HISS_ERR_FORMAT;
    }
    /* What a file cut short lost, which libxmp reads without a word. */
    modsize_report_missing((const unsigned char *)data, len, report);
    struct xmp_module_info info;
    xmp_get_module_info(ctx, &info);
    Convert cv = {.mod = info.mod, .format = format_of(data, len), .report = report, .order = -1};
    cv.it_fine_vibrato = cv.format == FORMAT_IT && len > 0x2c && !(data[0x2c] & 0x10);
    bool cut = shape.need > len && info.mod->smp > 0;
    uint32_t *kept = cut ? malloc(sizeof *kept * (size_t)info.mod->smp) : NULL;
    if (kept) {
        modsize_kept_frames((const unsigned char *)data, len, kept, (size_t)info.mod->smp);
        cv.kept = kept;
        cv.kept_count = info.mod->smp;
    }
    Song *song = !cut || kept ? song_new_empty() : NULL;
    HissError err = song ? convert_module(&cv, (const unsigned char *)data, len, song)
                         : HISS_ERR_NOMEM;
    free(kept);
    free(cv.key_slot);
    xmp_release_module(ctx);
    xmp_free_context(ctx);
    if (err) {
        song_free(song);
        hiss_diag_set(diag, name, 0, 0, "cannot convert the module: %s",
                      hiss_strerror(err));
        return err;
    }
    *out = song;
    return HISS_OK;
}
