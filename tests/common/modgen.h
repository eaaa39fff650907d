/* modgen: small tracker modules written byte by byte (ProTracker MOD,
 * Scream Tracker 3 S3M, FastTracker 2 XM, Impulse Tracker IT) with known
 * notes, effects and samples, so the module import is tested on files the
 * project makes itself. Only what the tests need of each format.
 *
 * Notes use hiss's numbering (1 = C-0, 49 = C-4): every format's note that
 * plays a sample at its C-5 rate (ProTracker's C-2, S3M's C-4, XM's C-4,
 * IT's C-5) is note 49, C-4. Effects are FastTracker 2 letters; S3M and IT get
 * theirs (A speed, T tempo, D slide...) from those. */
#ifndef HISS_TEST_MODGEN_H
#define HISS_TEST_MODGEN_H

#include <stddef.h>
#include <stdint.h>

#include "songio.h"

enum { MODGEN_MAX_EVENTS = 16384, MODGEN_MAX_PATTERNS = 8, MODGEN_MAX_SAMPLES = 8 };
enum { MODGEN_NOTE_OFF = 121 };

typedef struct {
    int pattern, row, channel;
    uint8_t note; /* hiss note, 0 = none, MODGEN_NOTE_OFF */
    uint8_t inst; /* 1-based, 0 = none */
    int vol;      /* 0..64 in the volume column (MOD: as Cxx), -1 = none;
                     XM only: MODGEN_VOLCOL | byte, a volume-column byte as is */
    char fx;      /* FT2 letter '0'..'9', 'A'..'F', 'R', or 0; IT only: 'Z' */
    uint8_t param;
} ModgenEvent;

typedef struct {
    const float *data; /* mono, -1..1 */
    uint32_t frames;
    uint32_t loop_start, loop_end; /* loop_end 0: no loop */
    int volume;                    /* 0..64 */
    int finetune;                  /* MOD and XM: eighths of a semitone, -8..7 */
    /* IT only: 16-bit sample data, and 214 or 215 to store the sample
     * compressed as Impulse Tracker 2.14 or 2.15 does (0: plain). */
    int it_bits16;
    int it_compress;
    /* IT in instrument mode: the instrument's initial cutoff and
     * resonance as the file holds them (bit 7: set; 0: not set), its
     * panning envelope (pan_points below, 32 = centre), and a pitch
     * envelope of pitch_points (tick, -32..32) points, sustained on
     * pitch_sustain (-1: none), which is the filter envelope instead
     * when pitch_is_filter. */
    int it_ifc, it_ifr;
    int pitch_points;
    int pitch_tick[12], pitch_value[12];
    int pitch_sustain;
    int pitch_is_filter;
    /* XM only: a volume envelope of env_points (tick, 0..64) points,
     * sustained at env_sustain (-1: none); fadeout 0..0xFFF. */
    int env_points;
    int env_tick[12], env_value[12];
    int env_sustain;
    int fadeout;
    /* XM only: the volume envelope's loop, points env_loop_start..
     * env_loop_end (on when env_loop_end > env_loop_start); a panning
     * envelope of pan_points (tick, 0..64, 32 = centre) points. */
    int env_loop_start, env_loop_end;
    int pan_points;
    int pan_tick[12], pan_value[12];
    /* XM only: the sample's relative note (semitones, -96..95). */
    int relative_note;
    /* IT in instrument mode (ModgenSong.it_instruments): its instrument's
     * new-note action (0 cut, 1 continue, 2 off, 3 fade), duplicate
     * check (0 off, 1 note, 2 sample, 3 instrument) and duplicate action
     * (0 cut, 1 off, 2 fade); the volume envelope above (without loop)
     * and fadeout (IT's 0..256) are its too. */
    int it_nna, it_dct, it_dca;
    /* The instrument's auto-vibrato (XM: type 0..3, sweep, depth 0..15,
     * rate 0..63; IT: the sample's wave, rate, depth, speed). */
    int vib_type, vib_sweep, vib_depth, vib_rate;
} ModgenSample;

/* XM only: an instrument of several samples, samples[first..first+count)
 * of the song's list, with a keymap: keymap[k] (k = 0 for C-0 .. 95 for
 * B-7, hiss notes 1..96) is the one of those (0..count-1) key k plays.
 * Its envelope and fadeout are those of its first sample. */
typedef struct {
    int first, count;
    uint8_t keymap[96];
} ModgenInstrument;

typedef struct {
    int channels, rows, speed, bpm; /* rows: S3M is always 64 */
    int it_global_volume;           /* IT only: 1..128, 0 = 128 */
    int it_instruments;             /* IT only: 1 = instrument mode, one a sample */
    int patterns;                   /* 1..MODGEN_MAX_PATTERNS */
    int orders;
    uint8_t order[32];
    int sample_count;
    ModgenSample samples[MODGEN_MAX_SAMPLES];
    /* XM only: 0 makes one instrument per sample. */
    int instrument_count;
    ModgenInstrument instruments[MODGEN_MAX_SAMPLES];
    int event_count;
    ModgenEvent events[MODGEN_MAX_EVENTS];
} ModgenSong;

typedef enum { MODGEN_MOD, MODGEN_S3M, MODGEN_XM, MODGEN_IT } ModgenFormat;

/* An XM volume-column byte written as it is (0xD8: pan slide left by 8). */
enum { MODGEN_VOLCOL = 0x100 };

/* A song with one pattern of `rows` rows played once, nothing in it. */
void modgen_init(ModgenSong *song, int channels, int rows, int speed, int bpm);
void modgen_add(ModgenSong *song, int pattern, int row, int channel, uint8_t note,
                uint8_t inst, int vol, char fx, uint8_t param);

/* The module in malloc'ed memory (*len bytes); exits the test binary on
 * a song the format cannot hold. */
uint8_t *modgen_write(const ModgenSong *song, ModgenFormat format, size_t *len);
/* The same, written to path. */
void modgen_save(const ModgenSong *song, ModgenFormat format, const char *path);
const char *modgen_extension(ModgenFormat format); /* ".mod" ... */

/* Saves the song to path and loads it as hiss opens a module, at `rate`,
 * with the limiter off and the master at 0 dB so a test hears the
 * voices' own sum; NULL when it does not load (d says why). */
Song *modgen_load(const ModgenSong *song, ModgenFormat format, const char *path,
                  uint32_t rate, SongioWarnings *w, HissDiag *d);

#endif
