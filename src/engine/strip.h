/* strip: a song channel's strip (fader, balance, mute, solo) as the engine
 * applies it. The song holds the settings as atomics the editor writes;
 * the engine takes a copy once per period (strip_follow) and works from
 * that, so one period never sees half a change. Pure C11 + libm. */
#ifndef HISS_STRIP_H
#define HISS_STRIP_H

#include <stdbool.h>

#include "song.h"

typedef struct {
    int gain_tenth_db; /* as last read from the song */
    int pan;           /* -100..100 */
    bool mute, solo;
    float gain;        /* linear fader gain */
    int send_tenth_db[SONG_SENDS];
    bool send_pre[SONG_SENDS];
    float send[SONG_SENDS]; /* what the channel's bus is scaled by into each
                               send: the send's gain, over the fader's when
                               pre-fader (0 when the fader is off) */
    bool valid;        /* false until the first strip_follow */
} StripState;

/* [audio] Copies the song's strip into st; true when the fader, pan,
 * mute or solo changed (what the voices must hear of). */
bool strip_follow(StripState *st, const SongStrip *song_strip);
/* [audio] The fader the channel is heard at when a pattern (or a capture
 * waiting for its tick) says other than the strip: pre-fader sends are
 * taken before it. */
void strip_hear_gain(StripState *st, float gain);
/* [audio] Balance: the side panned away from is turned down, linearly,
 * to silence at the end of the range; the other side stays. */
void strip_balance(const StripState *st, float *left, float *right);
/* The linear gain of SONG_CHANNEL_GAIN_DEFAULT. */
float strip_default_gain(void);
/* Tenths of a dB to a linear gain (-600 and below: silence). */
float strip_gain_of_tenth_db(int tenth_db);

#endif
