#include "slicer.h"

#include <aubio/aubio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    enum { WIN = 1024, HOP = 128 };
    uint32_t frames = sample->frames;
    float *mono = malloc(sizeof(float) * frames);
    if (!mono) {
        hiss_diag_printf(diag, "out of memory for a %u-frame sample", frames);
        return HISS_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < frames; i++) {
        const float *f = sample->data + (size_t)i * sample->channels;
        mono[i] = sample->channels == 2 ? 0.5f * (f[0] + f[1]) : f[0];
    }
    aubio_onset_t *onset = new_aubio_onset("specflux", WIN, HOP, sample->rate);
    fvec_t *in = new_fvec(HOP), *hit = new_fvec(1);
    if (!onset || !in || !hit) {
        if (onset)
            del_aubio_onset(onset);
        if (in)
            del_fvec(in);
        if (hit)
            del_fvec(hit);
        free(mono);
        hiss_diag_printf(diag, "the onset detector could not start");
        return HISS_ERR_NOMEM;
    }
    int s = sensitivity < 0 ? 0 : sensitivity > 100 ? 100 : sensitivity;
    /* The detector's peak threshold: 0 -> 0.9 (only clear hits), 50 -> 0.3
     * (aubio's own default), 100 -> 0.05. */
    smpl_t threshold = s <= 50 ? 0.9f - 0.012f * (float)s : 0.3f - 0.005f * (float)(s - 50);
    aubio_onset_set_threshold(onset, threshold);
    aubio_onset_set_minioi_ms(onset, 30);
    /* And the level under which nothing is a hit: -25 dB at 0 (only
     * the loud hits), -70 dB at 100. */
    aubio_onset_set_silence(onset, -25.0f - 0.45f * (float)s);

    int n = 0;
    out[n++] = 0;
    for (uint32_t at = 0; at < frames && n < max; at += HOP) {
        for (uint32_t i = 0; i < HOP; i++)
            in->data[i] = at + i < frames ? mono[at + i] : 0.0f;
        aubio_onset_do(onset, in, hit);
        if (hit->data[0] == 0)
            continue;
        uint32_t last = aubio_onset_get_last(onset);
        if (last >= frames)
            continue;
        /* aubio places the onset back by its own detection delay; hits
         * closer than 10 ms to the last one are the same hit. */
        if (last < out[n - 1] + sample->rate / 100)
            continue;
        out[n++] = last;
    }
    del_aubio_onset(onset);
    del_fvec(in);
    del_fvec(hit);
    free(mono);
    *count = n;
    return HISS_OK;
}
