#include "slicer.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aubiolib.h"

int slicer_equal(uint32_t frames, int count, uint32_t *out)
{
    if (count < SLICER_MIN_DIVISIONS)
        count = SLICER_MIN_DIVISIONS;
    if (count > SLICER_MAX_DIVISIONS)
        count = SLICER_MAX_DIVISIONS;
    if ((uint32_t)count > frames)
        count = (int)frames;
    for (int k = 0; k < count; k++)
        out[k] = (uint32_t)((uint64_t)k * frames / (uint32_t)count);
    return count;
}

/* The sample's channels summed to one (a stereo break is cut as one). */
static float *mono_of(const Sample *sample)
{
    float *mono = malloc(sizeof(float) * (sample->frames ? sample->frames : 1));
    if (!mono)
        return NULL;
    for (uint32_t i = 0; i < sample->frames; i++) {
        const float *f = sample->data + (size_t)i * sample->channels;
        mono[i] = sample->channels == 2 ? 0.5f * (f[0] + f[1]) : f[0];
    }
    return mono;
}

HissError slicer_transients(const Sample *sample, int sensitivity, uint32_t *out,
                            int max, int *count, HissDiag *diag)
{
    *count = 0;
    if (max < 1)
        return HISS_OK;
    if (!sample || !sample->frames) {
        hiss_diag_printf(diag, "no sample to slice");
        return HISS_ERR_RANGE;
    }
    const AubioLib *a;
    HissError err = aubiolib_get(&a, diag);
    if (err)
        return err;
    enum { WIN = 1024, HOP = 128 };
    uint32_t frames = sample->frames;
    float *mono = mono_of(sample);
    if (!mono) {
        hiss_diag_printf(diag, "out of memory for a %u-frame sample", frames);
        return HISS_ERR_NOMEM;
    }
    aubio_onset_t *onset = a->new_onset("specflux", WIN, HOP, sample->rate);
    fvec_t *in = a->new_fvec(HOP), *hit = a->new_fvec(1);
    if (!onset || !in || !hit) {
        if (onset)
            a->del_onset(onset);
        if (in)
            a->del_fvec(in);
        if (hit)
            a->del_fvec(hit);
        free(mono);
        hiss_diag_printf(diag, "the onset detector could not start");
        return HISS_ERR_NOMEM;
    }
    int s = sensitivity < 0 ? 0 : sensitivity > 100 ? 100 : sensitivity;
    /* The detector's peak threshold: 0 -> 0.9 (only clear hits), 50 -> 0.3
     * (aubio's own default), 100 -> 0.05. */
    smpl_t threshold = s <= 50 ? 0.9f - 0.012f * (float)s : 0.3f - 0.005f * (float)(s - 50);
    a->onset_set_threshold(onset, threshold);
    a->onset_set_minioi_ms(onset, 30);
    /* And the level under which nothing is a hit: -25 dB at 0 (only
     * the loud hits), -70 dB at 100. */
    a->onset_set_silence(onset, -25.0f - 0.45f * (float)s);

    int n = 0;
    out[n++] = 0;
    for (uint32_t at = 0; at < frames && n < max; at += HOP) {
        for (uint32_t i = 0; i < HOP; i++)
            in->data[i] = at + i < frames ? mono[at + i] : 0.0f;
        a->onset_do(onset, in, hit);
        if (hit->data[0] == 0)
            continue;
        uint32_t last = a->onset_get_last(onset);
        if (last >= frames)
            continue;
        /* aubio places the onset back by its own detection delay; hits
         * closer than 10 ms to the last one are the same hit. */
        if (last < out[n - 1] + sample->rate / 100)
            continue;
        out[n++] = last;
    }
    a->del_onset(onset);
    a->del_fvec(in);
    a->del_fvec(hit);
    free(mono);
    *count = n;
    return HISS_OK;
}

static float mono_at(const Sample *sample, uint32_t i)
{
    const float *f = sample->data + (size_t)i * sample->channels;
    return sample->channels == 2 ? 0.5f * (f[0] + f[1]) : f[0];
}

/* A cut at i is silent when the wave passes zero between i - 1 and i. */
static bool crosses_at(const Sample *sample, uint32_t i)
{
    float here = mono_at(sample, i);
    if (here == 0.0f || i == 0)
        return true;
    float before = mono_at(sample, i - 1);
    return (before < 0.0f) != (here < 0.0f);
}

uint32_t slicer_zero_crossing(const Sample *sample, uint32_t frame, uint32_t reach)
{
    if (!sample || !sample->frames)
        return frame;
    if (frame >= sample->frames)
        frame = sample->frames - 1;
    for (uint32_t d = 0; d <= reach; d++) {
        if (d <= frame && crosses_at(sample, frame - d))
            return frame - d;
        if (d && frame + d < sample->frames && crosses_at(sample, frame + d))
            return frame + d;
    }
    return frame;
}

uint32_t slicer_snap(const Sample *sample, const uint32_t *hits, int count,
                     uint32_t frame, uint32_t reach)
{
    uint32_t best = frame, best_distance = UINT32_MAX;
    for (int k = 0; k < count; k++) {
        uint32_t d = hits[k] > frame ? hits[k] - frame : frame - hits[k];
        if (d <= reach && d < best_distance) {
            best = hits[k];
            best_distance = d;
        }
    }
    if (best_distance != UINT32_MAX || !sample)
        return best;
    return slicer_zero_crossing(sample, frame, sample->rate / 1000);
}

HissError slicer_tempo(const Sample *sample, double *bpm, int *beats, HissDiag *diag)
{
    *bpm = 0;
    *beats = 0;
    if (!sample || !sample->frames || !sample->rate) {
        hiss_diag_printf(diag, "no sample to find a tempo in");
        return HISS_ERR_RANGE;
    }
    double seconds = (double)sample->frames / sample->rate;
    if (seconds < 60.0 / 300.0) {
        hiss_diag_printf(diag, "%.3f s is shorter than a beat", seconds);
        return HISS_ERR_RANGE;
    }
    const AubioLib *a;
    HissError err = aubiolib_get(&a, diag);
    if (err)
        return err;
    enum { WIN = 1024, HOP = 512 };
    float *mono = mono_of(sample);
    aubio_tempo_t *tempo = a->new_tempo("default", WIN, HOP, sample->rate);
    fvec_t *in = a->new_fvec(HOP), *beat = a->new_fvec(2);
    if (!mono || !tempo || !in || !beat) {
        hiss_diag_printf(diag, "the beat tracker could not start");
        err = HISS_ERR_NOMEM;
        goto done;
    }
    /* The tracker needs several seconds to lock on: a short loop is
     * played to it over and over, as it sounds when it loops. */
    uint64_t total = (uint64_t)sample->rate * 20;
    if (total < (uint64_t)sample->frames * 2)
        total = (uint64_t)sample->frames * 2;
    for (uint64_t at = 0; at < total; at += HOP) {
        for (uint32_t i = 0; i < HOP; i++)
            in->data[i] = mono[(at + i) % sample->frames];
        a->tempo_do(tempo, in, beat);
    }
    double guess = a->tempo_get_bpm(tempo);
    if (!(guess > 0)) {
        hiss_diag_printf(diag, "no steady beat found");
        err = HISS_ERR_RANGE;
        goto done;
    }
    long n = lround(seconds * guess / 60.0);
    if (n < 1)
        n = 1;
    if (n > 256) {
        hiss_diag_printf(diag, "%.0f BPM over %.1f s is more than 256 beats", guess,
                         seconds);
        err = HISS_ERR_RANGE;
        goto done;
    }
    *beats = (int)n;
    *bpm = n * 60.0 / seconds;
done:
    if (tempo)
        a->del_tempo(tempo);
    if (in)
        a->del_fvec(in);
    if (beat)
        a->del_fvec(beat);
    free(mono);
    return err;
}
