/* shape: the per-instrument sound-shaping parameters (amplitude envelope,
 * pitch envelope, ...) as one table, so the song file, the editor, the
 * instruments page and the engine agree on every name, unit, range and
 * default. An instrument stores them as whole numbers in its `shape`
 * array, indexed by ShapeParam; a parameter with `choices` stores the index
 * of its choice. Pure C11. */
#ifndef HISS_SHAPE_H
#define HISS_SHAPE_H

#include <stdbool.h>

typedef enum {
    SHAPE_ATTACK,      /* ms, linear rise from 0 to full level */
    SHAPE_HOLD,        /* ms at full level */
    SHAPE_DECAY,       /* ms, linear fall from full to the sustain level */
    SHAPE_SUSTAIN,     /* percent of full level while the note is held */
    SHAPE_RELEASE,     /* ms, linear fall to silence after === */
    SHAPE_PITCH,       /* semitones added at the note's start */
    SHAPE_PITCH_DECAY, /* ms for that offset to fall linearly to 0 */
    SHAPE_FILTER,      /* choice: off, lp12, hp12, bp12, notch, lp24, hp24,
                          bp24, notch24 */
    SHAPE_CUTOFF,      /* Hz */
    SHAPE_RESONANCE,   /* percent: 0 is flat (Butterworth), 100 rings */
    SHAPE_FILTER_ENV,  /* semitones the cutoff moves at full envelope level */
    SHAPE_FENV_FROM,   /* choice: amp (the amplitude envelope), own (below) */
    SHAPE_FENV_ATTACK, /* the filter's own envelope: ms, as SHAPE_ATTACK */
    SHAPE_FENV_HOLD,   /* ms */
    SHAPE_FENV_DECAY,  /* ms */
    SHAPE_FENV_SUSTAIN,/* percent */
    SHAPE_FENV_RELEASE,/* ms */
    SHAPE_KEY_TRACK,   /* percent of the note's distance from C-4 */
    SHAPE_FILTER_VEL,  /* semitones the cutoff falls at volume 0 */
    SHAPE_CRUSH_BITS,  /* 1..16 bits, 0 = off */
    SHAPE_CRUSH_RATE,  /* Hz of the sample-and-hold, 0 = off */
    SHAPE_CRUSH_MIX,   /* percent of the crushed signal */
    SHAPE_DRIVE,       /* percent: 0 = off, 100 = 24 dB into the saturator */
    SHAPE_DRIVE_TYPE,  /* choice: tape (soft), hard (clip) */
    SHAPE_DRIVE_VEL,   /* percent of the drive a note at volume 0 loses */
    SHAPE_VOICE_MODE,  /* choice: poly, mono, legato (see voicefx.h) */
    SHAPE_GLIDE,       /* ms for a mono or legato note to reach its pitch */
    SHAPE_END,         /* sample frame a one-shot note ends at, 0 = its end */
    SHAPE_START,       /* sample frame notes start from (9xx adds to it) */
    SHAPE_REVERSE,     /* choice: off, on (the sample plays back to front) */
    /* Below: what the engine does between voices, not in one voice. */
    SHAPE_CHOKE,       /* choke group 1..16, 0 = none */
    SHAPE_CHOKE_FADE,  /* ms for a choked note to fade out */
    SHAPE_SLICE_MODE,  /* choice: off, on (notes pick slices: C-4 = slice 1) */
    SHAPE_SLICE_FADE,  /* ms of fade at both ends of a slice */
    SHAPE_COUNT
} ShapeParam;

enum {
    SHAPE_FILTER_OFF = 0,
    SHAPE_FILTER_LP12,
    SHAPE_FILTER_HP12,
    SHAPE_FILTER_BP12,
    SHAPE_FILTER_NOTCH,
    SHAPE_FILTER_LP24,
    SHAPE_FILTER_HP24,
    SHAPE_FILTER_BP24,
    SHAPE_FILTER_NOTCH24,
    SHAPE_FILTER_LAST = SHAPE_FILTER_NOTCH24,
};
enum { SHAPE_DRIVE_TAPE = 0, SHAPE_DRIVE_HARD };
enum { SHAPE_FENV_AMP = 0, SHAPE_FENV_OWN };
enum { SHAPE_MODE_POLY = 0, SHAPE_MODE_MONO, SHAPE_MODE_LEGATO };

typedef struct {
    const char *key;   /* the song file's word, e.g. "attack" */
    const char *label; /* the instruments page's label */
    const char *unit;  /* "ms", "%", "st" (semitones), "Hz", "" */
    int min, max, def;
    /* For a choice: its names, index min..max; NULL for a number. */
    const char *const *choices;
} ShapeInfo;

const ShapeInfo *shape_info(ShapeParam param);
/* The parameter whose song-file word is `key` (n bytes), or SHAPE_COUNT. */
ShapeParam shape_find(const char *key, unsigned long n);
/* Whether every parameter of `values` has its default. */
bool shape_is_default(const int values[SHAPE_COUNT]);
/* Whether the voice itself sounds as an unshaped one: every parameter
 * before SHAPE_START has its default (a start point needs no shaping). */
bool shape_voice_is_plain(const int values[SHAPE_COUNT]);
void shape_defaults(int values[SHAPE_COUNT]);
/* Why `param` does nothing with the other `values` ("filter off",
 * "poly"...), or NULL when it is heard: a value that is set but unused
 * should say so wherever it is shown or moved. */
const char *shape_unused_reason(const int values[SHAPE_COUNT], ShapeParam param);
/* A choice's index from its name; -1 when it is none of them. */
int shape_choice_find(const ShapeInfo *info, const char *name, unsigned long n);
/* "off|lp12|..." into buf. */
void shape_choice_list(const ShapeInfo *info, char *buf, unsigned long size);

#endif
