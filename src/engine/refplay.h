/* refplay: the song's reference track, heard in place of the mix for an
 * A/B comparison. The reference is a Sample at its own rate, read with
 * linear interpolation; its place follows the song's time, so it runs
 * while the song plays and waits while it is stopped. Switching between
 * the mix and the reference crossfades over a short ramp, so neither way
 * clicks. The reference comes after the master section: the limiter
 * never touches it, and only its loudness-matching gain does.
 * Pure C11; nothing allocated, the work bounded by the frames asked. */
#ifndef HISS_REFPLAY_H
#define HISS_REFPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sample.h"

typedef struct {
    const Sample *sample; /* NULL: no reference */
    int64_t at;           /* the song's frame coming out next, at the
                             output's rate (below 0: not yet); counted
                             with or without a reference, so one set
                             while the song plays starts in step */
    double step;          /* the reference's rate over the output's */
    bool listen;          /* the reference is what is heard (after the fade) */
    float gain;           /* linear: its loudness matched to the mix */
    float share;          /* 0: the mix is heard, 1: the reference */
    float share_step;     /* per frame of the crossfade */
} RefPlay;

/* No reference, the mix heard; `fade_frames` is the crossfade's length. */
void refplay_init(RefPlay *r, uint32_t fade_frames);
/* A new reference (or NULL) for output at `rate`; the place is kept. */
void refplay_set(RefPlay *r, const Sample *sample, uint32_t rate);
/* The song's frame `song_frame` starts now and comes out `late` frames
 * later (the limiter's lookahead): the reference goes there. */
void refplay_seek(RefPlay *r, uint64_t song_frame, uint32_t late);
/* [audio] n interleaved stereo frames of out: blended with the reference
 * as the switch says; the place moves on when `running`. */
void refplay_process(RefPlay *r, float *out, uint32_t n, bool running);
/* True when the song's place is past the reference's last frame: a
 * shorter reference heard there is silence. */
bool refplay_past_end(const RefPlay *r);

#endif
