/* delay: see delay.h. */
#include "delay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { WOBBLE_CYCLE_MS = 1700 }; /* one wow every 1.7 s */
#define WOBBLE_DEPTH_SECONDS 0.004 /* at wobble 100: +-4 ms */
#define GLIDE_PER_FRAME 0.125      /* a tempo change bends the time this fast */
#define SILENCE 1e-10f             /* written as 0, so a tail ends */

HissError delay_init(Delay *d, uint32_t rate)
{
    memset(d, 0, sizeof *d);
    uint32_t need = DELAY_MAX_SECONDS * rate + 4, size = 1024;
    while (size < need)
        size *= 2;
    d->line = calloc(2 * (size_t)size, sizeof(float));
    if (!d->line)
        return HISS_ERR_NOMEM;
    d->size = size;
    d->rate = rate;
    d->time = -1.0;
    d->zero_run = size;
    d->set[0] = -1; /* no settings taken yet */
    return HISS_OK;
}

void delay_deinit(Delay *d)
{
    free(d->line);
    d->line = NULL;
}

void delay_carry(Delay *to, const Delay *from)
{
    float *line = to->line;
    memcpy(line, from->line, sizeof(float) * 2 * from->size);
    *to = *from;
    to->line = line;
}

void delay_read(const Song *song, int *settings)
{
    song_params_read(song->delay, song_delay_params, SONG_DELAY_PARAMS, settings);
}

/* A one-pole coefficient for a corner at hz (0: off). */
static float one_pole(int hz, uint32_t rate)
{
    if (hz <= 0)
        return 0.0f;
    double top = 0.45 * rate;
    return (float)exp(-2.0 * M_PI * (hz > top ? top : hz) / rate);
}

static void take_settings(Delay *d, const int *set)
{
    if (!memcmp(d->set, set, sizeof d->set))
        return;
    memcpy(d->set, set, sizeof d->set);
    d->hp_a = one_pole(set[SONG_DELAY_LOW_CUT], d->rate);
    d->lp_a = one_pole(set[SONG_DELAY_HIGH_CUT], d->rate);
    d->feedback = (float)set[SONG_DELAY_FEEDBACK] / 100.0f;
}

/* The line at `back` frames before the write position, linearly
 * interpolated between frames (exact when back is whole). */
static void read_back(const Delay *d, double back, float *l, float *r)
{
    double whole = floor(back);
    float frac = (float)(back - whole);
    uint32_t mask = d->size - 1;
    uint32_t i0 = (d->write - (uint32_t)whole) & mask, i1 = (i0 - 1) & mask;
    const float *a = d->line + 2 * (size_t)i0, *b = d->line + 2 * (size_t)i1;
    *l = a[0] + (b[0] - a[0]) * frac;
    *r = a[1] + (b[1] - a[1]) * frac;
}

static float flush(float x)
{
    return fabsf(x) < SILENCE ? 0.0f : x;
}

/* One frame's move of the time towards target (see delay_process). */
static void glide(Delay *d, double target, double smooth)
{
    double step = target - d->time, most = GLIDE_PER_FRAME;
    if (smooth > 0.0 && fabs(step) / smooth < most)
        most = fabs(step) / smooth;
    d->time = fabs(step) <= most || fabs(step) < 1e-9 ? target : d->time + copysign(most, step);
}

bool delay_process(Delay *d, const int *set, double target, double smooth, const float *in,
                   float *out, uint32_t n)
{
    take_settings(d, set);
    double top = (double)(d->size - 4);
    target = target < 1.0 ? 1.0 : target > top ? top : target;
    if (d->time < 0.0)
        d->time = target;
    uint32_t cycle = (uint32_t)((uint64_t)d->rate * WOBBLE_CYCLE_MS / 1000);
    bool silent_in = true;
    for (uint32_t i = 0; in && i < 2 * n && silent_in; i++)
        silent_in = in[i] == 0.0f;
    /* Nothing in the line and nothing coming: silence, exactly what the
     * loop below would give, for nothing. */
    if (silent_in && d->zero_run >= d->size) {
        d->write = (d->write + n) & (d->size - 1);
        d->wobble_phase = (uint32_t)(((uint64_t)d->wobble_phase + n) % cycle);
        /* The glide goes on as the loop would move it (steps of a power
         * of two add up exactly), so block sizes do not change a render. */
        if (smooth > 0.0) {
            for (uint32_t f = 0; f < n && d->time != target; f++)
                glide(d, target, smooth);
        } else {
            double step = target - d->time, most = GLIDE_PER_FRAME * n;
            d->time = fabs(step) <= most ? target : d->time + copysign(most, step);
        }
        return false;
    }
    double depth = set[SONG_DELAY_WOBBLE] / 100.0 * WOBBLE_DEPTH_SECONDS * d->rate;
    bool ping_pong = set[SONG_DELAY_PING_PONG];
    float fb = d->feedback, hp_a = d->hp_a, lp_a = d->lp_a;
    uint32_t mask = d->size - 1;
    for (uint32_t f = 0; f < n; f++) {
        if (d->time != target)
            glide(d, target, smooth);
        double back = d->time;
        if (depth > 0.0) {
            back += depth * sin(2.0 * M_PI * d->wobble_phase / cycle);
            back = back < 1.0 ? 1.0 : back;
        }
        if (++d->wobble_phase >= cycle)
            d->wobble_phase = 0;
        float wet[2];
        read_back(d, back, &wet[0], &wet[1]);
        for (int c = 0; c < 2; c++) {
            if (hp_a > 0.0f) { /* y = a (y1 + x - x1) */
                float y = hp_a * (d->hp_y[c] + wet[c] - d->hp_x[c]);
                d->hp_x[c] = wet[c];
                d->hp_y[c] = flush(y);
                wet[c] = y;
            }
            if (lp_a > 0.0f) {
                d->lp_y[c] = flush(wet[c] + lp_a * (d->lp_y[c] - wet[c]));
                wet[c] = d->lp_y[c];
            }
        }
        float *w = d->line + 2 * (size_t)d->write;
        float x0 = in ? in[2 * f] : 0.0f, x1 = in ? in[2 * f + 1] : 0.0f;
        if (ping_pong) {
            /* The input enters on the left only, so the echoes cross. */
            w[0] = flush(0.5f * (x0 + x1) + fb * wet[1]);
            w[1] = flush(fb * wet[0]);
        } else {
            w[0] = flush(x0 + fb * wet[0]);
            w[1] = flush(x1 + fb * wet[1]);
        }
        bool quiet = w[0] == 0.0f && w[1] == 0.0f && wet[0] == 0.0f && wet[1] == 0.0f;
        d->zero_run = quiet ? d->zero_run + (d->zero_run < d->size) : 0;
        d->write = (d->write + 1) & mask;
        out[2 * f] = wet[0];
        out[2 * f + 1] = wet[1];
    }
    return true;
}
