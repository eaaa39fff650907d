/* reverb: send B, an algorithmic reverb. A pre-delay, then a feedback
 * delay network: eight delay lines mixed through a Householder matrix
 * (which loses no energy), each line turned down by exactly what its
 * length must lose for the set decay: g = 10^(-3 x length / (RT60 x
 * rate)), so every path through the network falls 60 dB in RT60 seconds
 * whatever route it takes. Damping is a one-pole low-pass in each line,
 * unity at low frequencies, so the highs die sooner while the set RT60
 * holds for the body of the sound. Size scales the line lengths; width
 * blends the two outputs toward mono. Lines are allocated by reverb_init
 * for the largest size; reverb_process allocates nothing.
 * Pure C11 + libm. */
#ifndef HISS_REVERB_H
#define HISS_REVERB_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "song.h"

enum { REVERB_LINES = 8 };

typedef struct {
    float *mem;                  /* every line and the pre-delay */
    float *line[REVERB_LINES];
    uint32_t cap[REVERB_LINES];  /* allocated frames */
    uint32_t len[REVERB_LINES];  /* in use at the current size */
    uint32_t pos[REVERB_LINES];
    float gain[REVERB_LINES];
    float lp[REVERB_LINES];
    float *pre;
    uint32_t pre_cap, pre_len, pre_pos;
    float damp, width;
    uint32_t rate;
    uint32_t zero_run, longest; /* silent frames in a row; what clears it */
    int set[SONG_REVERB_PARAMS];
} Reverb;

/* [ui] Allocates the lines for the largest room and pre-delay at rate. */
HissError reverb_init(Reverb *r, uint32_t rate);
void reverb_deinit(Reverb *r);
/* [ui, neither rendering] to goes on exactly as from would, its tail
 * included (both made at the same rate). */
void reverb_carry(Reverb *to, const Reverb *from);
/* [audio] n stereo frames of in (the send's sum; NULL: silence) give out
 * (wet only); false when every line is silent and nothing came in: out
 * is then silence and left unwritten. */
bool reverb_process(Reverb *r, const int *settings, const float *in, float *out, uint32_t n);
/* [audio] Reads the song's reverb atomics. */
void reverb_read(const Song *song, int *settings);

#endif
