#include "resample.h"

#include <math.h>
#include <stdlib.h>

#include "engine.h"
#include "timing.h"

uint64_t resample_pattern_frames(const Song *song, int pattern, uint32_t rate)
{
    if (pattern < 0 || pattern >= SONG_MAX_PATTERNS)
        return 0;
    const Pattern *p = song_pattern(song, pattern);
    if (!p)
        return 0;
    int bpm = atomic_load(&song->bpm), speed = atomic_load(&song->speed);
    uint64_t rem = 0, frames = 0;
    for (int t = 0; t < p->rows * speed; t++)
        frames += timing_tick_frames(rate, bpm, &rem);
    return frames;
}

HissError resample_pattern(Song *song, int pattern, uint32_t rate, int bits,
                           SampleioAudio *out, HissDiag *diag)
{
    out->frames = NULL;
    out->count = 0;
    uint64_t frames = resample_pattern_frames(song, pattern, rate);
    if (!frames) {
        hiss_diag_printf(diag, "pattern %02X is empty or missing", pattern);
        return HISS_ERR_MISSING;
    }
    if (bits < RESAMPLE_MIN_BITS || bits > RESAMPLE_MAX_BITS || frames > SAMPLEIO_MAX_FRAMES) {
        hiss_diag_printf(diag, "%d bits or %llu frames is out of range", bits,
                         (unsigned long long)frames);
        return HISS_ERR_RANGE;
    }
    Engine *e = engine_new(song, rate);
    out->frames = malloc(sizeof(float) * 2 * (size_t)frames);
    if (!e || !out->frames) {
        if (e)
            engine_free(e);
        free(out->frames);
        out->frames = NULL;
        hiss_diag_printf(diag, "out of memory for %llu frames", (unsigned long long)frames);
        return HISS_ERR_NOMEM;
    }
    EngineCommand cmd = {.type = ENGINE_CMD_PLAY_PATTERN, .a = pattern, .b = 0};
    engine_send(e, &cmd);
    enum { BLOCK = 1024 };
    for (uint64_t at = 0; at < frames; at += BLOCK) {
        uint32_t n = frames - at < BLOCK ? (uint32_t)(frames - at) : BLOCK;
        engine_render(e, out->frames + 2 * at, n);
    }
    engine_free(e);
    /* Rounded to the grid of a `bits`-bit converter, its top code one
     * step under full scale. */
    double steps = ldexp(1.0, bits - 1);
    float top = (float)((steps - 1) / steps);
    for (size_t i = 0; i < 2 * (size_t)frames; i++) {
        float v = (float)(nearbyint(out->frames[i] * steps) / steps);
        out->frames[i] = v > top ? top : v < -1.0f ? -1.0f : v;
    }
    out->count = (uint32_t)frames;
    out->channels = 2;
    out->rate = rate;
    return HISS_OK;
}
