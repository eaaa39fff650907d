/* song: the shared song model that the editor writes and the engine reads.
 *
 * Concurrency contract (DESIGN.md "The UI thread and the audio thread"):
 * - Pattern cells are _Atomic uint64_t. The UI stores with relaxed order,
 *   the engine loads a row when it plays it. No tearing, no locks.
 * - Pattern, instrument and order slots are _Atomic pointers/bytes. The UI
 *   builds a new object completely, stores it into the slot (release) and
 *   then sends ENGINE_CMD_RETIRE_* with the old pointer; the engine hands the
 *   old object back on its return ring once no voice uses it. Only then may
 *   the UI free it. See engine.h.
 * - Song settings the engine reads live (bpm, speed...) are atomics too; the
 *   engine only reads them when playback starts or on explicit commands.
 * Everything here is plain C11: no curses, audio or file libraries. */
#ifndef HISS_SONG_H
#define HISS_SONG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "sample.h"
#include "shape.h"

enum {
    SONG_MAX_CHANNELS = 64,
    SONG_MAX_ROWS = 256,
    SONG_MAX_ORDERS = 256,
    SONG_MAX_PATTERNS = 256,
    SONG_MAX_INSTRUMENTS = 255, /* slots 1..255; 0 means "no instrument" */
    SONG_TITLE_MAX = 64,
    SONG_NAME_MAX = 32,
    SONG_PATH_MAX = 1024,
};

/* Notes: 0 = empty, 1..120 = C-0..B-9, then the two specials. */
enum {
    NOTE_EMPTY = 0,
    NOTE_FIRST = 1,   /* C-0 */
    NOTE_LAST = 120,  /* B-9 */
    NOTE_OFF = 121,   /* "===": release (fade out with declick) */
    NOTE_CUT = 122,   /* "^^^": stop at once (with declick) */
};
#define NOTE_C4 (NOTE_FIRST + 4 * 12)

enum { VOLUME_EMPTY = 0xFF, VOLUME_MAX = 64 };

/* Effect command: the ASCII FT2/ProTracker letter ('0'..'9', 'A'..'Z'),
 * 0 = no effect. Stored as the character so files round-trip exactly. */
typedef struct {
    uint8_t note;       /* NOTE_* */
    uint8_t instrument; /* 0 = none, 1..255 */
    uint8_t volume;     /* 0..64, VOLUME_EMPTY */
    uint8_t fx;         /* effect letter or 0 */
    uint8_t fx_param;
    uint8_t fx2;        /* second effect column */
    uint8_t fx2_param;
} Cell;

uint64_t song_cell_pack(Cell cell);
Cell song_cell_unpack(uint64_t packed);
static inline Cell song_cell_empty(void)
{
    Cell c = {NOTE_EMPTY, 0, VOLUME_EMPTY, 0, 0, 0, 0};
    return c;
}
bool song_cell_is_empty(Cell cell);

/* Copies `src` (NULL: "") into a name field of SONG_NAME_MAX bytes (an
 * instrument's, a channel strip's): at most SONG_NAME_MAX - 1 bytes, a
 * longer name cut between UTF-8 characters, never inside one. Returns
 * false when it had to cut. */
bool song_name_copy(char dst[SONG_NAME_MAX], const char *src);

/* "C-4", "C#4", "===", "^^^", "..." (buf >= 4). */
void song_note_name(uint8_t note, char buf[4]);
/* Parse the three characters above; returns false when not a note. */
bool song_note_parse(const char *text, uint8_t *note);

typedef struct Pattern {
    uint16_t rows;     /* 1..SONG_MAX_ROWS */
    uint16_t channels; /* 1..SONG_MAX_CHANNELS */
    _Atomic uint64_t cells[]; /* rows * channels, row-major */
} Pattern;

Pattern *song_pattern_new(int rows, int channels); /* all cells empty */
/* A copy with a new size: cells that fit are kept, the rest empty. */
Pattern *song_pattern_resized(const Pattern *src, int rows, int channels);
void song_pattern_free(Pattern *pattern);

static inline Cell song_pattern_get(const Pattern *p, int row, int channel)
{
    return song_cell_unpack(atomic_load_explicit(
        (_Atomic uint64_t *)&p->cells[row * p->channels + channel],
        memory_order_relaxed));
}
static inline void song_pattern_set(Pattern *p, int row, int channel, Cell c)
{
    atomic_store_explicit(&p->cells[row * p->channels + channel],
                          song_cell_pack(c), memory_order_relaxed);
}

typedef enum { LOOP_OFF = 0, LOOP_FORWARD, LOOP_PINGPONG } LoopMode;
typedef enum { INTERP_RAW = 0, INTERP_LINEAR, INTERP_CUBIC, INTERP_SINC, INTERP_COUNT } InterpMode;

const char *song_loop_name(LoopMode mode);
const char *song_interp_name(InterpMode mode);
bool song_loop_parse(const char *name, LoopMode *mode);
bool song_interp_parse(const char *name, InterpMode *mode);

/* Slice points: frames of the sample where slices start, ascending and
 * unique; slice k runs from slices[k] to the next point (or the end). */
enum { SONG_MAX_SLICES = 128 };

/* Settings the song (or the user) gave an instrument explicitly. Those
 * not given are taken from the sample file when it loads, where it has
 * them (the WAV smpl chunk / AIFF INST: root note and loop; cue points:
 * slices). The song file's `loop`, `base` and `slices` fields each set
 * one; a new instrument has none. */
enum {
    INST_GIVEN_LOOP = 1 << 0,
    INST_GIVEN_BASE = 1 << 1,
    INST_GIVEN_SLICES = 1 << 2,
};

/* A point envelope as tracker modules have them (XM, IT): a level of
 * 0..64 at ticks (of the song's speed) from the note's start, straight
 * lines between the points, the first point's level before it and the
 * last one's after it. While the note is held it stays in its sustain
 * (at tick[sustain_end] it goes back to tick[sustain_start]: one point
 * when they are the same); held or not it goes round its loop the same
 * way. count 0: no envelope; -1: no sustain, no loop. */
enum { SONG_ENV_POINTS = 32, SONG_ENV_MAX_TICK = 65535, SONG_ENV_TOP = 64 };

typedef struct {
    int count;                          /* 0, or 2..SONG_ENV_POINTS */
    uint16_t tick[SONG_ENV_POINTS];     /* strictly ascending */
    uint8_t value[SONG_ENV_POINTS];     /* 0..SONG_ENV_TOP */
    int sustain_start, sustain_end;     /* point indices, start <= end, or -1 */
    int loop_start, loop_end;           /* point indices, start <= end, or -1 */
} SongEnvelope;

/* The kinds of point envelope an instrument has, in the order of
 * Instrument.env[], and their names in the song file ("vol_env"...). */
typedef enum {
    SONG_ENV_VOLUME,
    SONG_ENV_PANNING,
    SONG_ENV_PITCH,
    SONG_ENV_FILTER,
    SONG_ENV_KINDS
} SongEnvKind;
/* "vol", "pan", "bend", "cutoff": the song file's vol_env, bend_loop... */
extern const char *const song_env_names[SONG_ENV_KINDS];
/* The level that leaves the sound as it is: the pan's and the pitch's
 * centre, the top for volume and filter. */
int song_env_neutral(SongEnvKind kind);
/* Impulse Tracker's lowest cutoff, 110 x 2^0.25 Hz: where the filter
 * envelope at 0 takes the cutoff. */
#define SONG_FILTER_ENV_FLOOR_HZ 130.8128f

/* An envelope with nothing in it (count 0, no sustain, no loop). */
void song_envelope_clear(SongEnvelope *env);
/* NULL when env is one the fields above allow, else what is wrong with
 * it ("ticks do not go up"...). */
const char *song_envelope_problem(const SongEnvelope *env);
/* The level (0..SONG_ENV_TOP) at tick pos. */
float song_envelope_value(const SongEnvelope *env, int pos);
/* The tick after pos: the sustain (while held) and the loop send it
 * back; it stops at the last point. */
int song_envelope_next(const SongEnvelope *env, int pos, bool held);
/* Whether a note at pos is silent for good: past the last point at 0,
 * with no loop to bring it back. */
bool song_envelope_ended_silent(const SongEnvelope *env, int pos);

/* An instrument is immutable once installed in a song slot: to change it,
 * copy it, change the copy and swap it in (song_instrument_clone). */
typedef struct Instrument {
    char name[SONG_NAME_MAX];
    char path[SONG_PATH_MAX]; /* as written in the song file, relative to it */
    bool missing;             /* the file could not be loaded: plays silence */
    int volume;               /* 0..64 */
    int pan;                  /* -100 (left) .. 0 .. 100 (right) */
    uint8_t base_note;        /* the note that plays the sample at its own pitch */
    int finetune;             /* cents, -100..100 */
    LoopMode loop;
    uint32_t loop_start;      /* in source-file frames */
    uint32_t loop_end;        /* exclusive, in source-file frames */
    InterpMode interp;
    int shape[SHAPE_COUNT];   /* envelopes...: see shape.h */
    unsigned given;           /* INST_GIVEN_*: not to be taken from the file */
    int slice_count;          /* 0..SONG_MAX_SLICES */
    uint32_t slices[SONG_MAX_SLICES]; /* in source-file frames */
    /* A time-stretch that follows the song's tempo: `path` is the
     * stretch of stretch_from (relative to the song, like path) to
     * stretch_beats beats; rebuilt from stretch_from, into a new file,
     * when the tempo changes. 0 beats: no stretch to follow. */
    int stretch_beats;        /* 0, or 1..SONG_STRETCH_MAX_BEATS */
    char stretch_from[SONG_PATH_MAX];
    /* Point envelopes (imported modules): the volume's multiplies the
     * note's volume, the panning's (32 = centre) moves its pan; both
     * count the song's ticks. With a volume envelope a note off lets the
     * envelope go on past its sustain and fades the note: fadeout is
     * taken off 65536 each tick (0: no fade). */
    /* The pitch envelope's level 32 plays the note's pitch, each level
     * above or below half a semitone more or less (+-16 semitones, as
     * Impulse Tracker's). The filter envelope scales how far the filter's
     * cutoff lies above SONG_FILTER_ENV_FLOOR_HZ, in octaves: 64 leaves
     * it, 32 halves it, 0 brings it down to that floor (Impulse
     * Tracker's filter envelope). env[] names the same four by kind. */
    union {
        SongEnvelope env[SONG_ENV_KINDS];
        struct {
            SongEnvelope vol_env, pan_env, pitch_env, filter_env;
        };
    };
    int fadeout;              /* 0..SONG_FADEOUT_MAX */
    /* Only a note with an instrument number restarts the point
     * envelopes (FastTracker 2); a bare note of the same instrument goes
     * on with them, a note off's fade included. */
    bool env_keep_bare;
    /* With a volume envelope that does not loop, the fadeout after a note
     * off waits until the envelope has passed its last point (Impulse
     * Tracker); otherwise it starts at the note off (FastTracker 2). */
    bool fade_after_env;
    /* A 12 dB low-pass is Impulse Tracker's two-pole filter: the cutoff
     * (Hz, to IT's nearest) and resonance (percent of IT's 0..127) are
     * IT's, its coefficients set once a tick from the cutoff in force
     * (IT damps more at a higher cutoff). */
    bool filter_it;
    /* New-note actions (Impulse Tracker's): what a note still sounding
     * on the channel does when the next note starts (nna), and which of
     * the channel's notes a new note of this instrument finds a duplicate
     * of (dupcheck) and does dupaction to. A note that goes on plays out
     * in the background with its own envelopes and fade. */
    uint8_t nna;              /* SongNoteAction: the default, cut, as ever */
    uint8_t dupcheck;         /* SongDupCheck */
    uint8_t dupaction;        /* SongNoteAction, not continue */
    /* Auto-vibrato (FastTracker 2's instrument vibrato, Impulse Tracker's
     * sample vibrato), on every tick of a note while the song plays:
     * SONG_AUTOVIB_WAVE 0 sine, 1 square, 2 ramp down, 3 ramp up; RATE
     * 256ths of a cycle a tick; DEPTH the most it moves the pitch, in
     * 256ths of a semitone; SWEEP ticks to reach that depth while the
     * note is held (0: at once). DEPTH 0: none. */
    uint8_t autovib[4];
    Sample *sample;           /* owned; NULL when missing */
} Instrument;

enum { SONG_AUTOVIB_WAVE, SONG_AUTOVIB_RATE, SONG_AUTOVIB_DEPTH, SONG_AUTOVIB_SWEEP };

typedef enum {
    SONG_NOTE_CUT = 0,      /* stops at once (over the declick ramp) */
    SONG_NOTE_CONTINUE,     /* plays on as it was */
    SONG_NOTE_RELEASE,      /* as a note off (===) */
    SONG_NOTE_FADE,         /* fades by the instrument's fadeout, held */
    SONG_NOTE_ACTIONS
} SongNoteAction;

typedef enum {
    SONG_DUP_OFF = 0,
    SONG_DUP_NOTE,          /* the same note of the same instrument */
    SONG_DUP_SAMPLE,        /* the same sample of the same instrument */
    SONG_DUP_INSTRUMENT,    /* the same instrument */
    SONG_DUP_CHECKS
} SongDupCheck;

/* Their names in song files, by value. */
extern const char *const song_note_action_names[SONG_NOTE_ACTIONS]; /* cut continue off fade */
extern const char *const song_dup_check_names[SONG_DUP_CHECKS]; /* off note sample instrument */
/* The index of name[0..len) among names[0..count), or -1. */
int song_name_find(const char *const *names, int count, const char *name, size_t len);

enum { SONG_STRETCH_MAX_BEATS = 256, SONG_FADEOUT_MAX = 65536, SONG_GLOBAL_VOLUME_MAX = 64 };

/* Which slice (0-based) a note plays: Sxx's pick (1-based, 0 for none)
 * first, else in slice mode the note (C-4 is slice 1, C#4 slice 2...);
 * SONG_SLICE_WHOLE plays the sample as usual, SONG_SLICE_NONE nothing (a
 * note past the last slice). */
enum { SONG_SLICE_WHOLE = -1, SONG_SLICE_NONE = -2 };
int song_instrument_note_slice(const Instrument *inst, int note, int pick);

/* Sets inst's slice points to frames[0..count) (count <= SONG_MAX_SLICES),
 * sorted, without duplicates. Returns the number kept. */
int song_instrument_set_slices(Instrument *inst, const uint32_t *frames, int count);

/* Takes from inst's sample file what the song did not give (see
 * INST_GIVEN_*): its loop, root note and cue points as slices. Returns
 * true when anything changed. */
bool song_instrument_take_marks(Instrument *inst);

Instrument *song_instrument_new(void); /* defaults: vol 64, pan 0, C-4 */
/* Deep copy: the sample is shared by reference count, see sample.h. */
Instrument *song_instrument_clone(const Instrument *src);
void song_instrument_free(Instrument *inst);

/* A five-band EQ (the master's): frequencies in Hz, gains in tenths of a
 * dB, the mid's width as Q x 10. A cut at 0 Hz and a band at 0 dB are off. */
typedef struct {
    int low_cut_hz;
    int low_shelf_hz, low_shelf_tenth_db;
    int mid_hz, mid_tenth_db, mid_q_tenths;
    int high_shelf_hz, high_shelf_tenth_db;
    int high_cut_hz;
} SongEq;

/* The same, as atomics the editor writes and the engine reads live. */
typedef struct {
    _Atomic int low_cut_hz;
    _Atomic int low_shelf_hz, low_shelf_tenth_db;
    _Atomic int mid_hz, mid_tenth_db, mid_q_tenths;
    _Atomic int high_shelf_hz, high_shelf_tenth_db;
    _Atomic int high_cut_hz;
} SongEqShared;

/* The master's glue compressor. */
typedef enum {
    SONG_GLUE_ON,        /* off by default */
    SONG_GLUE_THRESHOLD, /* tenths of a dBFS */
    SONG_GLUE_RATIO,     /* tenths: 2.0 is 2:1 */
    SONG_GLUE_ATTACK,    /* ms */
    SONG_GLUE_RELEASE,   /* ms */
    SONG_GLUE_MAKEUP,    /* tenths of a dB */
    SONG_GLUE_PARAMS
} SongGlueParam;

/* A channel's compressor insert: the glue's parameters, and the channel
 * whose bus its detector listens to (0: its own; else 1..64, sidechain). */
enum { SONG_COMP_KEY = SONG_GLUE_PARAMS, SONG_COMP_PARAMS };

/* Groove: where a channel's notes fall against the rows, MPC style. The
 * song has one (with the seed its random draws start from), and a channel
 * may have its own instead (SongStrip.groove_own). Rows never move for it:
 * notes, releases and cuts come late within their row (see groove.h). */
typedef enum {
    SONG_GROOVE_SWING,     /* 50..75 %: where the second note of each pair
                              falls within the pair; 50 is straight */
    SONG_GROOVE_GRID,      /* 8 or 16: the pairs are of 8th or 16th notes */
    SONG_GROOVE_HUMAN_MS,  /* 0..50: each note late by a random 0..n ms */
    SONG_GROOVE_HUMAN_VEL, /* 0..100: each note's level by a random +-n % */
    SONG_GROOVE_PARAMS
} SongGrooveParam;
enum { SONG_GROOVE_SEED = SONG_GROOVE_PARAMS, SONG_GROOVE_SONG_PARAMS };

/* The channel strip of one song channel, saved in the song. The fader
 * defaults to SONG_CHANNEL_GAIN_DEFAULT, not 0 dB: the kit's samples peak
 * near full scale, so channels at unity sum far over it (eight of them on a
 * downbeat peak near +9.5 dBFS); at -15 dB each such beat peaks near
 * -6 dBFS and the master limiter stays a safety net. The headroom sits on
 * the channels, not the master, so the master fader reads 0 dB at unity
 * output and a channel soloed sounds at the level it has in the mix. */
typedef struct {
    _Atomic int gain_tenth_db; /* fader, -600..+120 tenths of a dB */
    _Atomic int pan;           /* balance, -100 (left) .. 0 .. 100 (right) */
    _Atomic bool mute;
    _Atomic bool solo;
    /* Sends to the delay (A) and the reverb (B) bus, in tenths of a dB
     * (SONG_GAIN_MIN: off), taken after the fader or, when pre, before it. */
    _Atomic int send_tenth_db[2];
    _Atomic bool send_pre[2];
    /* The ducker: notes on channel duck_from (1..64; 0: off) turn this
     * channel down by duck_depth (tenths of a dB, down to SONG_GAIN_MIN:
     * silence) over duck_attack ms, hold it duck_hold ms, and let it back
     * over duck_release ms. */
    _Atomic int duck_from;
    /* ... and notes of instrument duck_inst (1..SONG_MAX_INSTRUMENTS; 0:
     * off) on any channel, whether or not their channel is duck_from:
     * the kick's own instrument, however it is played. */
    _Atomic int duck_inst;
    _Atomic int duck_depth_tenth_db;
    _Atomic int duck_attack_ms, duck_hold_ms, duck_release_ms;
    SongEqShared eq; /* the channel's EQ insert (channel_eq) */
    _Atomic int comp[SONG_COMP_PARAMS]; /* its compressor (channel_comp) */
    /* Its filter, crush and drive insert (channel_fx): shape values (as
     * an instrument's), only song_insert_params[] of them used. */
    _Atomic int fx[SHAPE_COUNT];
    _Atomic int groove[SONG_GROOVE_PARAMS]; /* channel_groove, when groove_own */
    _Atomic bool groove_own; /* false: the channel follows the song's groove */
    char name[SONG_NAME_MAX]; /* "" for none; never read by the engine */
} SongStrip;

enum { SONG_SEND_DELAY = 0, SONG_SEND_REVERB = 1, SONG_SENDS = 2 };

enum {
    SONG_CHANNEL_GAIN_DEFAULT = -150, /* tenths of a dB: -15.0 dB */
    SONG_GAIN_MIN = -600,
    SONG_GAIN_MAX = 120,
    SONG_CEILING_DEFAULT = -10, /* -1.0 dBTP */
    SONG_DUCK_MS_MAX = 5000,
    SONG_DUCK_DEPTH_DEFAULT = -120, /* -12.0 dB */
    SONG_DUCK_ATTACK_DEFAULT = 5,
    SONG_DUCK_HOLD_DEFAULT = 30,
    SONG_DUCK_RELEASE_DEFAULT = 200,
    SONG_CEILING_MIN = -200,
};

/* Slides linear in pitch (the default), or on the Amiga period as
 * ProTracker plays them (for modules). */
typedef enum { SLIDES_LINEAR = 0, SLIDES_AMIGA } SlideMode;


/* The EQ's limits: frequencies up to this many Hz (the shelves and the
 * mid from 20 Hz, the cuts from 0: off), gains within +-SONG_EQ_DB_MAX
 * tenths of a dB, the mid's Q x 10 from 1 to SONG_EQ_Q_MAX. */
enum { SONG_EQ_HZ_MAX = 20000, SONG_EQ_DB_MAX = 240, SONG_EQ_Q_MAX = 100 };

/* The EQ song_new starts with: every band flat, the cuts off. */
SongEq song_eq_default(void);
/* Stores eq into the shared atomics; song_eq_init stores the default. */
void song_eq_store(SongEqShared *shared, const SongEq *eq);
void song_eq_init(SongEqShared *shared);

/* The send buses' settings: plain ints in a table of named parameters,
 * so the song file, the editor and the engine share one description. */
typedef enum {
    SONG_PARAM_INT,    /* a whole number in unit */
    SONG_PARAM_TENTHS, /* tenths, written with one decimal (dB, seconds) */
    SONG_PARAM_SWITCH, /* 0/1, written off/on */
    SONG_PARAM_NOTE,   /* a note value: song_note_value_code */
} SongParamKind;

typedef struct {
    const char *name; /* as in the song file */
    SongParamKind kind;
    int min, max, def;
    const char *unit; /* for messages and the editor */
    bool off_at_min;  /* the minimum turns it off (a cut at 0 Hz, a send at
                         SONG_GAIN_MIN, no key channel): shown as "off" */
} SongParamInfo;

/* Send A, the tempo-synced delay. */
typedef enum {
    SONG_DELAY_TIME,      /* note value (song_note_value_code) */
    SONG_DELAY_FEEDBACK,  /* percent of each echo fed back, 0..95 */
    SONG_DELAY_LOW_CUT,   /* Hz, 0 off: high-pass in the loop */
    SONG_DELAY_HIGH_CUT,  /* Hz, 0 off: low-pass in the loop */
    SONG_DELAY_PING_PONG, /* echoes alternate left and right */
    SONG_DELAY_WOBBLE,    /* 0..100: a slow wow of the delay time */
    SONG_DELAY_TO_REVERB, /* tenths of a dB of the delay sent into send B */
    SONG_DELAY_PARAMS
} SongDelayParam;

/* Send B, the algorithmic reverb. */
typedef enum {
    SONG_REVERB_SIZE,     /* 0..100: the room's delay lengths */
    SONG_REVERB_DECAY,    /* RT60 in tenths of a second */
    SONG_REVERB_PREDELAY, /* ms */
    SONG_REVERB_DAMPING,  /* 0..100: highs decay faster */
    SONG_REVERB_WIDTH,    /* 0 mono .. 100 full stereo */
    SONG_REVERB_PARAMS
} SongReverbParam;


extern const SongParamInfo song_glue_params[SONG_GLUE_PARAMS];

/* The master's tape saturation, after the glue compressor. */
typedef enum {
    SONG_TAPE_DRIVE, /* 0 (off) .. 100 */
    SONG_TAPE_PARAMS
} SongTapeParam;
extern const SongParamInfo song_tape_params[SONG_TAPE_PARAMS];

extern const SongParamInfo song_comp_params[SONG_COMP_PARAMS];
/* The shape parameters a channel's filter, crush and drive insert takes,
 * in the order the song file writes them. */
enum { SONG_INSERT_PARAMS = 8 };
#define SONG_INSERT_PARAM_LIST                                                             \
    SHAPE_FILTER, SHAPE_CUTOFF, SHAPE_RESONANCE, SHAPE_CRUSH_BITS, SHAPE_CRUSH_RATE,       \
        SHAPE_CRUSH_MIX, SHAPE_DRIVE, SHAPE_DRIVE_TYPE
extern const ShapeParam song_insert_params[SONG_INSERT_PARAMS];
/* The song's groove line: a channel's fields, then the seed. */
extern const SongParamInfo song_groove_params[SONG_GROOVE_SONG_PARAMS];
extern const SongParamInfo song_delay_params[SONG_DELAY_PARAMS];
extern const SongParamInfo song_reverb_params[SONG_REVERB_PARAMS];
/* [either thread] Reads count atomics, each clamped to its range. */
void song_params_read(const _Atomic int *values, const SongParamInfo *params, int count,
                      int *out);

/* A note value as one int: division (1, 2, 4 .. 64: 1/division of a whole
 * note) x 4 + feel (0 straight, 1 dotted, 2 triplet). */
enum { SONG_NOTE_STRAIGHT = 0, SONG_NOTE_DOTTED = 1, SONG_NOTE_TRIPLET = 2 };
static inline int song_note_value_code(int division, int feel)
{
    return division * 4 + feel;
}
/* Whether code is a note value song_note_value_code can make. */
bool song_note_value_valid(int code);
/* Its length in beats (a quarter note is one beat). */
double song_note_value_beats(int code);
/* "1/8", "1/8d", "1/16t": out needs 8 bytes. */
const char *song_note_value_text(int code, char *out);
/* Tempo is kept in tenths of a BPM (1205 is 120.5 BPM): live nudges go in
 * 0.1 steps, and whole tempos (all of Fxx, older songs) stay exact. */
enum { SONG_BPM_MIN = 320, SONG_BPM_MAX = 2550, SONG_BPM_TEXT = 8 };
/* "120" for a whole tempo, "92.5" otherwise: how files and screens show it. */
void song_bpm_text(int bpm_tenths, char out[SONG_BPM_TEXT]);

typedef struct Song {
    char title[SONG_TITLE_MAX];
    /* The reference track for A/B listening, as written in the song file
     * (relative to it, or absolute); empty: none. Read by the UI only. */
    char reference[SONG_PATH_MAX];
    _Atomic int bpm_tenths;    /* tempo in tenths of a BPM, SONG_BPM_MIN..MAX */
    _Atomic int speed;         /* ticks per row, 1..31 */
    _Atomic int rows_per_beat; /* 1..32 */
    _Atomic int swing;         /* 0..100 percent: delays off-beat rows */
    _Atomic int master_gain_tenth_db; /* -600..+120, tenths of a dB */
    _Atomic bool limiter;      /* the master's true-peak limiter */
    _Atomic int limiter_ceiling_tenth_db; /* its ceiling, dBTP x10:
                                             SONG_CEILING_MIN..0 */
    _Atomic int slides;        /* SlideMode: how 1xx, 2xx, 3xx, 4xy move pitch */
    _Atomic bool ft2_vibrato;  /* `vibrato ft2`: 0xy 4xy 7xy E3x as FT2 */
    _Atomic bool ft2_tremor;   /* `tremor ft2`: Kxy as FastTracker 2 counts */
    /* `global_volume`, 0..SONG_GLOBAL_VOLUME_MAX: the level every channel
     * plays at (x/64) when playback starts, which Gxx and Hxy change as
     * the song plays (a module's initial global volume). */
    _Atomic int global_volume;
    _Atomic int channels;      /* 1..SONG_MAX_CHANNELS */
    _Atomic int order_count;   /* 0..SONG_MAX_ORDERS */
    _Atomic uint8_t orders[SONG_MAX_ORDERS]; /* pattern numbers */
    _Atomic(Pattern *) patterns[SONG_MAX_PATTERNS];
    _Atomic(Instrument *) instruments[SONG_MAX_INSTRUMENTS + 1]; /* [0] unused */
    SongStrip strips[SONG_MAX_CHANNELS]; /* read live by the engine */
    SongEqShared master_eq; /* read live by the engine */
    _Atomic int delay[SONG_DELAY_PARAMS];   /* read live by the engine */
    _Atomic int reverb[SONG_REVERB_PARAMS]; /* read live by the engine */
    _Atomic int glue[SONG_GLUE_PARAMS];     /* read live by the engine */
    _Atomic int tape[SONG_TAPE_PARAMS];     /* read live by the engine */
    _Atomic int groove[SONG_GROOVE_SONG_PARAMS]; /* read live by the engine */
} Song;

/* [either thread] The groove channel c plays with: its own or the song's. */
void song_channel_groove(const Song *song, int channel, int out[SONG_GROOVE_PARAMS]);

/* Whether channel c's strip is as song_new leaves it (not saved). */
bool song_strip_is_default(const Song *song, int channel);

/* A new song: 4 channels, one empty 64-row pattern, one order entry,
 * 120 BPM, speed 6, 4 rows per beat, master 0 dB, limiter on, every
 * channel's fader at SONG_CHANNEL_GAIN_DEFAULT, centred, not muted. */
Song *song_new(void);
/* An empty song with nothing in it (no patterns, no orders), for loaders. */
Song *song_new_empty(void);
void song_free(Song *song); /* frees patterns and instruments too */
/* A copy of src for another thread to read while src is edited: its own
 * patterns and instruments (samples shared by reference count, see
 * sample.h); NULL when out of memory. Call it from the thread that edits
 * src. */
Song *song_clone(const Song *src);

static inline Pattern *song_pattern(const Song *s, int index)
{
    return atomic_load_explicit((_Atomic(Pattern *) *)&s->patterns[index],
                                memory_order_acquire);
}
static inline Instrument *song_instrument(const Song *s, int slot)
{
    return atomic_load_explicit(
        (_Atomic(Instrument *) *)&s->instruments[slot], memory_order_acquire);
}

/* [either thread] The song's global_volume, within 0..SONG_GLOBAL_VOLUME_MAX. */
static inline int song_global_volume(const Song *s)
{
    int g = atomic_load_explicit((_Atomic int *)&s->global_volume, memory_order_relaxed);
    return g < 0 ? 0 : g > SONG_GLOBAL_VOLUME_MAX ? SONG_GLOBAL_VOLUME_MAX : g;
}

/* 2^((note - base)/12 + cents/1200): the playback step for a note. */
double song_note_ratio(int note, int base_note, int finetune_cents);

#endif
