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

static void strip_sends(StripState *st)
{
    for (int k = 0; k < SONG_SENDS; k++)
        st->send[k] = strip_gain_of_tenth_db(st->send_tenth_db[k]);
}

void strip_fader_init(StripFader *f, float gain)
{
    *f = (StripFader){.gain = gain, .target = gain};
}

void strip_fader_to(StripFader *f, float target, uint32_t ramp)
{
    if (target == f->target)
        return;
    f->target = target;
    if (!ramp) {
        f->gain = target;
        f->left = 0;
        return;
    }
    f->step = (target - f->gain) / (float)ramp;
    f->left = ramp;
}

void strip_fader_run(StripFader *f, float *gains, uint32_t n)
{
    uint32_t i = 0;
    for (; i < n && f->left; i++) {
        f->gain = --f->left ? f->gain + f->step : f->target;
        gains[i] = f->gain;
    }
    for (; i < n; i++)
        gains[i] = f->gain;
}

bool strip_follow(StripState *st, const SongStrip *s)
{
    int gain = hiss_clampi(atomic_load_explicit(&s->gain_tenth_db, memory_order_relaxed),
                           SONG_GAIN_MIN, SONG_GAIN_MAX);
    int pan = hiss_clampi(atomic_load_explicit(&s->pan, memory_order_relaxed), -100, 100);
    bool mute = atomic_load_explicit(&s->mute, memory_order_relaxed);
    bool solo = atomic_load_explicit(&s->solo, memory_order_relaxed);
    bool sends_changed = !st->valid;
    for (int k = 0; k < SONG_SENDS; k++) {
        int send = hiss_clampi(
            atomic_load_explicit(&s->send_tenth_db[k], memory_order_relaxed), SONG_GAIN_MIN,
            SONG_GAIN_MAX);
        bool pre = atomic_load_explicit(&s->send_pre[k], memory_order_relaxed);
        sends_changed |= send != st->send_tenth_db[k] || pre != st->send_pre[k];
        st->send_tenth_db[k] = send;
        st->send_pre[k] = pre;
    }
    if (st->valid && gain == st->gain_tenth_db && pan == st->pan && mute == st->mute &&
        solo == st->solo) {
        if (sends_changed)
            strip_sends(st);
        return false;
    }
    st->gain_tenth_db = gain;
    st->pan = pan;
    st->mute = mute;
    st->solo = solo;
    st->valid = true;
    strip_sends(st);
    return true;
}

void strip_balance(const StripState *st, float *left, float *right)
{
    if (st->pan > 0)
        *left *= 1.0f - (float)st->pan / 100.0f;
    else if (st->pan < 0)
        *right *= 1.0f + (float)st->pan / 100.0f;
}
