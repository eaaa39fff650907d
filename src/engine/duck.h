/* duck: the note-triggered ducker of a channel strip. A note on the key
 * channel, or of the key instrument on any channel (any note, a silent
 * "ghost" one too) turns this channel down
 * by its depth over the attack, holds it there, and lets it back up over
 * the release, each a straight line in gain, starting on the note's own
 * frame. Only notes trigger it, so other sounds on the key channel do not
 * pump it. Pure C11 + libm, nothing allocated. */
#ifndef HISS_DUCK_H
#define HISS_DUCK_H

#include <stdint.h>

#include "song.h"

enum { DUCK_TRIGGERS = 8 }; /* notes kept per chunk; later ones restart the last */

typedef struct {
    int depth_tenth_db, attack_ms, hold_ms, release_ms;
} DuckSettings;

typedef struct {
    float gain;      /* applied now */
    int stage;       /* idle, attack, hold, release */
    uint32_t left;   /* frames left in the stage */
    float step;      /* gain change per frame */
    uint32_t trigger[DUCK_TRIGGERS];
    int triggers;    /* notes in this chunk, at trigger[] frames */
    float least;     /* the least gain since the last duck_take_least */
} Ducker;

void duck_init(Ducker *d); /* idle, at unity */
/* [audio] The strip's settings. */
void duck_read(const SongStrip *strip, DuckSettings *out);
/* [audio] A key note at `frame` of the coming chunk. */
void duck_trigger(Ducker *d, uint32_t frame);
/* [audio] n frames: the envelope moves on and scales stereo (when not
 * NULL); the chunk's triggers are used up. */
void duck_process(Ducker *d, const DuckSettings *set, uint32_t rate, float *stereo, uint32_t n);
/* [audio] Whether it is turning anything down or has notes to act on. */
static inline int duck_busy(const Ducker *d)
{
    return d->stage != 0 || d->triggers;
}

#endif
