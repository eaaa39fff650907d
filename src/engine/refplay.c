/* refplay: see refplay.h. */
#include "refplay.h"

void refplay_init(RefPlay *r, uint32_t fade_frames)
{
    *r = (RefPlay){.gain = 1.0f, .share_step = 1.0f / (float)(fade_frames ? fade_frames : 1)};
}

void refplay_set(RefPlay *r, const Sample *sample, uint32_t rate)
{
    r->sample = sample;
    r->step = sample ? (double)sample->rate / rate : 1.0;
}

void refplay_seek(RefPlay *r, uint64_t song_frame, uint32_t late)
{
    r->at = (int64_t)song_frame - (int64_t)late;
}

/* The reference's stereo frame at pos (silence outside it); the sample's
 * guard frames make reading one frame past its end safe. */
static void frame_at(const Sample *s, double pos, float *l, float *r)
{
    if (pos < 0.0 || pos >= s->frames) {
        *l = *r = 0.0f;
        return;
    }
    uint32_t i = (uint32_t)pos;
    float t = (float)(pos - i);
    if (s->channels == 2) {
        const float *a = s->data + 2 * (size_t)i;
        *l = a[0] + (a[2] - a[0]) * t;
        *r = a[1] + (a[3] - a[1]) * t;
    } else {
        const float *a = s->data + i;
        *l = *r = a[0] + (a[1] - a[0]) * t;
    }
}

bool refplay_past_end(const RefPlay *r)
{
    return r->sample && (double)r->at * r->step >= r->sample->frames;
}

void refplay_process(RefPlay *r, float *out, uint32_t n, bool running)
{
    float target = r->listen && r->sample ? 1.0f : 0.0f;
    if (r->share == 0.0f && target == 0.0f) {
        r->at += running ? n : 0;
        return;
    }
    for (uint32_t f = 0; f < n; f++) {
        if (r->share < target)
            r->share = r->share + r->share_step < target ? r->share + r->share_step : target;
        else if (r->share > target)
            r->share = r->share - r->share_step > target ? r->share - r->share_step : target;
        float left = 0.0f, right = 0.0f;
        if (running && r->sample)
            frame_at(r->sample, (double)r->at * r->step, &left, &right);
        r->at += running;
        float keep = 1.0f - r->share, take = r->share * r->gain;
        out[2 * f] = out[2 * f] * keep + left * take;
        out[2 * f + 1] = out[2 * f + 1] * keep + right * take;
    }
}
