/* pointenv: one voice's run through its instrument's point envelopes
 * (volume, panning, pitch, filter: song.h), a tick at a time.
 *
 * The engine moves every voice that has them on the song's ticks while
 * the song plays, and on ticks of the song's tempo while it is stopped,
 * so a note played from the keyboard or previewed sounds as it does in
 * the song. Plain arithmetic on the voice's own state: nothing here
 * allocates or blocks. */
#ifndef HISS_POINTENV_H
#define HISS_POINTENV_H

#include <stdbool.h>

#include "song.h"

typedef struct {
    bool on;            /* the instrument has a point envelope */
    bool fresh;         /* started this tick: the next tick does not move it */
    bool key_off;       /* the note off has come */
    bool off_this_tick; /* ...on this tick: the sustain still holds here */
    int pos[SONG_ENV_KINDS]; /* ticks into each envelope */
    int fade;           /* after the note off, 65536 down to 0 */
    /* Kinds switched off (1 << SongEnvKind; Xxy, Impulse Tracker's
     * S77..S7C): such an envelope gives its neutral level and stays
     * where it is, as if the instrument had none, until switched on. */
    unsigned off;
    /* What they give: a gain 0..1 (fade included), the pan 0..64 (32:
     * centre), semitones added to the pitch, and the share (0..1) of the
     * cutoff's octaves above SONG_FILTER_ENV_FLOOR_HZ kept. */
    float gain, pan, semis, cutoff_scale;
} PointEnv;

/* Whether inst has any point envelope. */
bool pointenv_any(const Instrument *inst);
/* A note of inst starts: each envelope at its first point. */
void pointenv_start(PointEnv *pe, const Instrument *inst);
/* A tick passes: the envelopes move on (not on the note's first tick);
 * false when the note is silent for good (its volume envelope ended at 0
 * or its fade ran out). */
bool pointenv_tick(PointEnv *pe, const Instrument *inst);
/* Switches the envelope of `kind` off or on for the note (its levels
 * follow at once). */
void pointenv_switch(PointEnv *pe, const Instrument *inst, SongEnvKind kind, bool on);
/* Whether the note's volume envelope is there and on. */
bool pointenv_has_volume(const PointEnv *pe, const Instrument *inst);
/* The note off: sustains let go and, with a volume envelope, the fade
 * starts. True when the note goes on (it has a volume envelope), false
 * when the note off should end it as any other. */
bool pointenv_release(PointEnv *pe, const Instrument *inst);

#endif
