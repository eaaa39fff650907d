/* strip: see strip.h. */
#include "strip.h"

#include <math.h>

float strip_gain_of_tenth_db(int tenth_db)
{
    if (tenth_db <= SONG_GAIN_MIN)
        return 0.0f; /* the fader's bottom is off, as on a desk */
    return powf(10.0f, (float)tenth_db / 200.0f);
}

float strip_default_gain(void)
{
    return strip_gain_of_tenth_db(SONG_CHANNEL_GAIN_DEFAULT);
}

bool strip_follow(StripState *st, const SongStrip *s)
{
    int gain = hiss_clampi(atomic_load_explicit(&s->gain_tenth_db, memory_order_relaxed),
                           SONG_GAIN_MIN, SONG_GAIN_MAX);
    int pan = hiss_clampi(atomic_load_explicit(&s->pan, memory_order_relaxed), -100, 100);
    bool mute = atomic_load_explicit(&s->mute, memory_order_relaxed);
    bool solo = atomic_load_explicit(&s->solo, memory_order_relaxed);
    if (st->valid && gain == st->gain_tenth_db && pan == st->pan && mute == st->mute &&
        solo == st->solo)
        return false;
    if (!st->valid || gain != st->gain_tenth_db)
        st->gain = strip_gain_of_tenth_db(gain);
    st->gain_tenth_db = gain;
    st->pan = pan;
    st->mute = mute;
    st->solo = solo;
    st->valid = true;
    return true;
}

void strip_balance(const StripState *st, float *left, float *right)
{
    if (st->pan > 0)
        *left *= 1.0f - (float)st->pan / 100.0f;
    else if (st->pan < 0)
        *right *= 1.0f + (float)st->pan / 100.0f;
}
