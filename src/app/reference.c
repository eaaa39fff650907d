/* reference: see reference.h. */
#include "reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "loudness.h"
#include "sampleio.h"
#include "timing.h"

enum { MEASURE_BLOCK = 4096 };

/* The integrated loudness of a sample, a mono one heard on both sides. */
static HissError measure_sample(const Sample *s, double *lufs)
{
    Loudness *l = loudness_new(s->rate, LOUDNESS_EXACT);
    float *block = malloc(sizeof(float) * 2 * MEASURE_BLOCK);
    HissError err = l && block ? HISS_OK : HISS_ERR_NOMEM;
    for (uint32_t at = 0; !err && at < s->frames; at += MEASURE_BLOCK) {
        uint32_t n = s->frames - at < MEASURE_BLOCK ? s->frames - at : MEASURE_BLOCK;
        for (uint32_t f = 0; f < n; f++) {
            const float *x = s->data + (size_t)(at + f) * s->channels;
            block[2 * f] = x[0];
            block[2 * f + 1] = x[s->channels - 1];
        }
        err = loudness_add(l, block, n);
    }
    if (!err)
        *lufs = loudness_figures(l).integrated_lufs;
    free(block);
    loudness_free(l);
    return err;
}

static void update_match(Reference *r)
{
    r->match_centi_db = 0;
    if (isfinite(r->lufs) && isfinite(r->mix_lufs)) {
        long centi = lround((r->mix_lufs - r->lufs) * 100.0);
        r->match_centi_db = (int)(centi > REFERENCE_MATCH_MAX_CENTI_DB ? REFERENCE_MATCH_MAX_CENTI_DB
                                  : centi < -REFERENCE_MATCH_MAX_CENTI_DB
                                      ? -REFERENCE_MATCH_MAX_CENTI_DB
                                      : centi);
    }
}

HissError reference_load(Reference *r, const char *path, HissDiag *diag)
{
    Sample *s = NULL;
    HissError err = sampleio_load(path, &s, NULL, diag);
    if (err)
        return err;
    double lufs = -HUGE_VAL;
    err = measure_sample(s, &lufs);
    if (err) {
        sample_release(s);
        hiss_diag_printf(diag, "%s: %s", path, hiss_strerror(err));
        return err;
    }
    sample_release(r->sample);
    r->sample = s;
    r->lufs = lufs;
    update_match(r);
    return HISS_OK;
}

HissError reference_measure_mix(Reference *r, Song *song, uint32_t rate)
{
    TimingScan scan;
    HissError err = timing_scan(song, rate, false, &scan);
    if (err)
        return err;
    uint64_t frames = scan.end_frame;
    timing_deinit(&scan);
    if (frames > (uint64_t)rate * REFERENCE_MIX_SECONDS)
        frames = (uint64_t)rate * REFERENCE_MIX_SECONDS;
    Engine *e = engine_new(song, rate);
    Loudness *l = loudness_new(rate, LOUDNESS_EXACT);
    float *block = malloc(sizeof(float) * 2 * MEASURE_BLOCK);
    err = e && l && block ? HISS_OK : HISS_ERR_NOMEM;
    if (!err)
        engine_play_song_now(e, 0, 0, false);
    for (uint64_t at = 0; !err && at < frames; at += MEASURE_BLOCK) {
        uint32_t n = frames - at < MEASURE_BLOCK ? (uint32_t)(frames - at) : MEASURE_BLOCK;
        engine_render(e, block, n);
        err = loudness_add(l, block, n);
    }
    if (!err) {
        r->mix_lufs = loudness_figures(l).integrated_lufs;
        update_match(r);
    }
    free(block);
    loudness_free(l);
    engine_free(e);
    return err;
}

void reference_deinit(Reference *r)
{
    sample_release(r->sample);
    *r = (Reference){0};
}

void reference_match_text(const Reference *r, char *out, size_t size)
{
    int c = r->match_centi_db, tenths = ((c < 0 ? -c : c) + 5) / 10;
    snprintf(out, size, "%s%d.%d dB", c < 0 ? "-" : "+", tenths / 10, tenths % 10);
}
