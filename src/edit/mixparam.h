/* mixparam: every mix setting the editor can change, named by a group, a
 * channel and an index, with one description each (the song file's name,
 * the kind of value, its range, default and unit). The mixer page lists
 * them through this table and edit_mix_set changes them as undoable
 * edits, so a new setting needs one row here and nothing else in the
 * editor. Values are what the song holds (tenths of a dB, Hz, ms...);
 * instrument slots have the unit "instrument" (shown in hex). */
#ifndef HISS_MIXPARAM_H
#define HISS_MIXPARAM_H

#include <stdbool.h>

#include "song.h"

typedef enum {
    MIXPARAM_STRIP,  /* a channel's strip: EditStripField (undo.h) */
    MIXPARAM_EQ,     /* a channel's EQ insert, or the master's: MixparamEq */
    MIXPARAM_COMP,   /* a channel's compressor: SongGlueParam, SONG_COMP_KEY */
    MIXPARAM_DUCK,   /* a channel's ducker times and key instrument: MixparamDuck */
    MIXPARAM_GLUE,   /* the master's glue compressor: SongGlueParam */
    MIXPARAM_TAPE,   /* the master's tape: SongTapeParam */
    MIXPARAM_MASTER, /* the master's gain and limiter: MixparamMaster */
    MIXPARAM_DELAY,  /* send A: SongDelayParam */
    MIXPARAM_REVERB, /* send B: SongReverbParam */
    MIXPARAM_GROUPS
} MixparamGroup;

typedef enum {
    MIXPARAM_EQ_LOW_CUT,
    MIXPARAM_EQ_LOW_SHELF_HZ,
    MIXPARAM_EQ_LOW_SHELF_DB,
    MIXPARAM_EQ_MID_HZ,
    MIXPARAM_EQ_MID_DB,
    MIXPARAM_EQ_MID_Q,
    MIXPARAM_EQ_HIGH_SHELF_HZ,
    MIXPARAM_EQ_HIGH_SHELF_DB,
    MIXPARAM_EQ_HIGH_CUT,
    MIXPARAM_EQ_FIELDS
} MixparamEq;

/* The ducker's times and its key instrument (its key channel and depth
 * are strip fields). */
typedef enum { MIXPARAM_DUCK_ATTACK, MIXPARAM_DUCK_HOLD, MIXPARAM_DUCK_RELEASE,
               MIXPARAM_DUCK_INST, MIXPARAM_DUCK_FIELDS } MixparamDuck;

typedef enum { MIXPARAM_MASTER_GAIN, MIXPARAM_MASTER_LIMITER, MIXPARAM_MASTER_CEILING,
               MIXPARAM_MASTER_FIELDS } MixparamMaster;

/* The channel of the master's EQ. */
enum { MIXPARAM_MASTER_CHANNEL = -1 };

typedef struct {
    MixparamGroup group;
    int channel; /* 0-based, for the per-channel groups; else unused */
    int index;   /* the field within the group */
} MixParam;

/* How many fields the group has. */
int mixparam_count(MixparamGroup group);
/* The description of p's field; NULL when p names none. Channel numbers
 * (the ducker's and the compressor's key) are SONG_PARAM_INT with unit
 * "channel", 0 meaning none (own bus); levels whose minimum is
 * SONG_GAIN_MIN are off there. */
const SongParamInfo *mixparam_info(MixParam p);
/* Whether p names a field (and, where it has one, a valid channel). */
bool mixparam_valid(MixParam p);
/* Its value in the song now (switches as 0/1). */
int mixparam_get(const Song *song, MixParam p);
/* Stores a value for the groups kept as plain atomics (every group but
 * the strip and the master, which the settings snapshot keeps); the
 * engine reads them live. For edit.c: edits go through edit_mix_set. */
void mixparam_store(Song *song, MixParam p, int value);

#endif
