/* reference: see reference.h. */
#include "reference.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* Renders song from its start and measures it: *lufs. Stops early once
 * *stop is set, leaving *lufs as it was (the figure is thrown away);
 * *done_permille follows. */
static HissError measure_mix(const Song *song, uint32_t rate, const atomic_bool *stop,
                             atomic_int *done_permille, double *lufs)
{
    TimingScan scan;
    HissError err = timing_scan(song, rate, false, &scan);
    if (err)
        return err;
    uint64_t frames = scan.end_frame;
    timing_deinit(&scan);
    if (frames > (uint64_t)rate * REFERENCE_MIX_SECONDS)
        frames = (uint64_t)rate * REFERENCE_MIX_SECONDS;
    Engine *e = engine_new((Song *)song, rate);
    Loudness *l = loudness_new(rate, LOUDNESS_EXACT);
    float *block = malloc(sizeof(float) * 2 * MEASURE_BLOCK);
    err = e && l && block ? HISS_OK : HISS_ERR_NOMEM;
    bool stopped = false;
    if (!err)
        engine_play_song_now(e, 0, 0, false);
    for (uint64_t at = 0; !err && at < frames; at += MEASURE_BLOCK) {
        if (stop && atomic_load_explicit(stop, memory_order_relaxed)) {
            stopped = true;
            break;
        }
        uint32_t n = frames - at < MEASURE_BLOCK ? (uint32_t)(frames - at) : MEASURE_BLOCK;
        engine_render(e, block, n);
        err = loudness_add(l, block, n);
        if (done_permille)
            atomic_store_explicit(done_permille, (int)((at + n) * 1000 / frames),
                                  memory_order_relaxed);
    }
    if (!err && !stopped)
        *lufs = loudness_figures(l).integrated_lufs;
    free(block);
    loudness_free(l);
    engine_free(e);
    return err;
}

HissError reference_measure_mix(Reference *r, Song *song, uint32_t rate)
{
    double lufs;
    HissError err = measure_mix(song, rate, NULL, NULL, &lufs);
    if (!err)
        reference_set_mix_lufs(r, lufs);
    return err;
}

void reference_set_mix_lufs(Reference *r, double mix_lufs)
{
    r->mix_lufs = mix_lufs;
    update_match(r);
}

struct ReferenceJob {
    pthread_t thread;
    Song *song; /* the job's own copy */
    uint32_t rate;
    atomic_bool stop, done;
    atomic_int done_permille;
    HissError err;  /* written by the thread before done */
    double lufs;
};

static void *job_main(void *arg)
{
    ReferenceJob *j = arg;
    j->err = measure_mix(j->song, j->rate, &j->stop, &j->done_permille, &j->lufs);
    atomic_store_explicit(&j->done, true, memory_order_release);
    return NULL;
}

HissError reference_job_start(ReferenceJob **out, Song *song, uint32_t rate)
{
    *out = NULL;
    ReferenceJob *j = calloc(1, sizeof *j);
    if (!j) {
        song_free(song);
        return HISS_ERR_NOMEM;
    }
    j->song = song;
    j->rate = rate;
    atomic_init(&j->stop, false);
    atomic_init(&j->done, false);
    atomic_init(&j->done_permille, 0);
    if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
        song_free(song);
        free(j);
        return HISS_ERR_NOMEM;
    }
    *out = j;
    return HISS_OK;
}

bool reference_job_done(const ReferenceJob *j, int *percent)
{
    if (percent)
        *percent = atomic_load_explicit(&j->done_permille, memory_order_relaxed) / 10;
    return atomic_load_explicit(&j->done, memory_order_acquire);
}

HissError reference_job_finish(ReferenceJob *j, Reference *r)
{
    pthread_join(j->thread, NULL);
    HissError err = j->err;
    if (!err)
        reference_set_mix_lufs(r, j->lufs);
    song_free(j->song);
    free(j);
    return err;
}

void reference_job_cancel(ReferenceJob *j)
{
    if (!j)
        return;
    atomic_store_explicit(&j->stop, true, memory_order_relaxed);
    pthread_join(j->thread, NULL);
    song_free(j->song);
    free(j);
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
