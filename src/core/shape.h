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
    SHAPE_COUNT
} ShapeParam;

typedef struct {
    const char *key;   /* the song file's word, e.g. "attack" */
    const char *label; /* the instruments page's label */
    const char *unit;  /* "ms", "%", "st" (semitones) */
    int min, max, def;
} ShapeInfo;

const ShapeInfo *shape_info(ShapeParam param);
/* The parameter whose song-file word is `key` (n bytes), or SHAPE_COUNT. */
ShapeParam shape_find(const char *key, unsigned long n);
/* Whether every parameter of `values` has its default. */
bool shape_is_default(const int values[SHAPE_COUNT]);
void shape_defaults(int values[SHAPE_COUNT]);

#endif
