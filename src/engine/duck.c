/* duck: see duck.h. */
#include "duck.h"

#include <math.h>

enum { IDLE, ATTACK, HOLD, RELEASE };

void duck_read(const SongStrip *s, DuckSettings *o)
{
    o->depth_tenth_db = hiss_clampi(atomic_load_explicit(&s->duck_depth_tenth_db,
                                                         memory_order_relaxed),
                                    SONG_GAIN_MIN, 0);
    o->attack_ms = hiss_clampi(atomic_load_explicit(&s->duck_attack_ms, memory_order_relaxed),
                               0, SONG_DUCK_MS_MAX);
    o->hold_ms = hiss_clampi(atomic_load_explicit(&s->duck_hold_ms, memory_order_relaxed), 0,
                             SONG_DUCK_MS_MAX);
    o->release_ms = hiss_clampi(
        atomic_load_explicit(&s->duck_release_ms, memory_order_relaxed), 0, SONG_DUCK_MS_MAX);
}

void duck_init(Ducker *d)
{
    *d = (Ducker){.gain = 1.0f, .least = 1.0f};
}

void duck_trigger(Ducker *d, uint32_t frame)
{
    if (d->triggers < DUCK_TRIGGERS)
        d->trigger[d->triggers++] = frame;
    else
        d->trigger[DUCK_TRIGGERS - 1] = frame;
}

static uint32_t ms_frames(int ms, uint32_t rate)
{
    return (uint32_t)((uint64_t)ms * rate / 1000);
}

/* Enters a stage: the gain glides to `to` over `frames` (at once for 0). */
static void enter(Ducker *d, int stage, float to, uint32_t frames)
{
    d->stage = stage;
    d->left = frames;
    if (!frames) {
        d->gain = to;
        d->step = 0.0f;
    } else {
        d->step = (to - d->gain) / (float)frames;
    }
}

/* The stage after the one that just ended. */
static void next_stage(Ducker *d, const DuckSettings *set, uint32_t rate, float depth)
{
    if (d->stage == ATTACK) {
        d->gain = depth;
        enter(d, HOLD, depth, ms_frames(set->hold_ms, rate));
        d->step = 0.0f;
    } else if (d->stage == HOLD) {
        enter(d, RELEASE, 1.0f, ms_frames(set->release_ms, rate));
    } else {
        d->gain = 1.0f;
        d->stage = IDLE;
    }
}

void duck_process(Ducker *d, const DuckSettings *set, uint32_t rate, float *x, uint32_t n)
{
    float depth = powf(10.0f, (float)set->depth_tenth_db / 200.0f);
    if (set->depth_tenth_db <= SONG_GAIN_MIN)
        depth = 0.0f;
    int next = 0;
    for (uint32_t f = 0; f < n; f++) {
        while (next < d->triggers && d->trigger[next] == f) {
            enter(d, ATTACK, depth, ms_frames(set->attack_ms, rate));
            if (!d->left)
                next_stage(d, set, rate, depth);
            next++;
        }
        if (d->stage != IDLE) {
            if (d->left) {
                d->gain += d->step;
                d->left--;
            }
            while (d->stage != IDLE && !d->left)
                next_stage(d, set, rate, depth);
        }
        if (x) {
            x[2 * f] *= d->gain;
            x[2 * f + 1] *= d->gain;
        }
        d->least = d->gain < d->least ? d->gain : d->least;
    }
    d->triggers = 0;
}
