/* strip: a song channel's strip (fader, balance, mute, solo) as the engine
 * applies it. The song holds the settings as atomics the editor writes;
 * the engine takes a copy once per period (strip_follow) and works from
 * that, so one period never sees half a change. Pure C11 + libm. */
#ifndef HISS_STRIP_H
#define HISS_STRIP_H

#include <stdbool.h>
#include <stdint.h>

#include "song.h"

typedef struct {
    int gain_tenth_db; /* as last read from the song */
    int pan;           /* -100..100 */
    bool mute, solo;
    int send_tenth_db[SONG_SENDS];
    bool send_pre[SONG_SENDS];
    float send[SONG_SENDS]; /* each send's linear gain, applied to the
                               channel's bus before its fader (pre) or
                               after it */
    bool valid;        /* false until the first strip_follow */
} StripState;

/* [audio] Copies the song's strip into st; true when the fader, pan,
 * mute or solo changed (what the voices and the fader must hear of). */
bool strip_follow(StripState *st, const SongStrip *song_strip);
/* A channel's fader as the engine applies it to the channel's bus (after
 * the inserts and the pre-fader sends): a change glides there in a
 * straight line over a number of frames, so a move never clicks. */
typedef struct {
    float gain;   /* at the frame reached */
    float target;
    float step;   /* per frame while gliding */
    uint32_t left; /* frames of the glide to go (0: at rest on target) */
} StripFader;

/* At rest at gain. */
void strip_fader_init(StripFader *f, float gain);
/* [audio] Glides from where it is to target over ramp frames (at once
 * when ramp is 0). */
void strip_fader_to(StripFader *f, float target, uint32_t ramp);
/* [audio] The gains of the next n frames into gains[0..n), moving on. */
void strip_fader_run(StripFader *f, float *gains, uint32_t n);
/* [audio] Balance: the side panned away from is turned down, linearly,
 * to silence at the end of the range; the other side stays. */
void strip_balance(const StripState *st, float *left, float *right);
/* The linear gain of SONG_CHANNEL_GAIN_DEFAULT. */
float strip_default_gain(void);
/* Tenths of a dB to a linear gain (-600 and below: silence). */
float strip_gain_of_tenth_db(int tenth_db);

#endif
