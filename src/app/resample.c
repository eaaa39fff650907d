#include "resample.h"

#include <math.h>
#include <stdlib.h>

#include "engine.h"
#include "timing.h"

/* The range's rows, clipped to the pattern; 0 when none is left. */
static int range_rows(const Song *song, const ResampleRange *r)
{
    if (r->pattern < 0 || r->pattern >= SONG_MAX_PATTERNS)
        return 0;
    const Pattern *p = song_pattern(song, r->pattern);
    if (!p || r->first < 0 || r->first >= p->rows)
        return 0;
    int rows = r->rows > 0 ? r->rows : p->rows;
    return rows > p->rows - r->first ? p->rows - r->first : rows;
}

uint64_t resample_frames(const Song *song, const ResampleRange *range, uint32_t rate)
{
    int rows = range_rows(song, range);
    return rows ? timing_rows_frames(song, range->pattern, range->first, rows, rate) : 0;
}

enum { BLOCK = 1024 };

/* n frames of the range from e into dst: the mix, or the selected
 * channels' buses summed (stems[c] non-NULL for those). */
static void render_block(Engine *e, const ResampleRange *range, float *dst, uint32_t n,
                         float *mix, float *const *stems)
{
    if (range->mix) {
        engine_render(e, dst, n);
        return;
    }
    int c0 = range->channel_first, c1 = range->channel_last;
    engine_render_stems(e, mix, NULL, 0, stems, c1 + 1, n);
    for (uint32_t i = 0; i < 2 * n; i++) {
        float sum = 0;
        for (int c = c0; c <= c1; c++)
            sum += stems[c][i];
        dst[i] = sum;
    }
}

/* After the last row: no more rows, the notes ring out block by block
 * until a whole block is silent (or RESAMPLE_TAIL_SECONDS), and *frames
 * ends on the last frame louder than `silence`. */
static HissError render_tail(Engine *e, const ResampleRange *range, uint32_t rate,
                             float silence, SampleioAudio *out, uint64_t *frames, float *mix,
                             float *const *stems, HissDiag *diag)
{
    EngineCommand end = {.type = ENGINE_CMD_END};
    engine_send(e, &end);
    uint64_t cap = *frames + (uint64_t)RESAMPLE_TAIL_SECONDS * rate;
    if (cap > SAMPLEIO_MAX_FRAMES)
        cap = SAMPLEIO_MAX_FRAMES;
    float *grown = realloc(out->frames, sizeof(float) * 2 * (size_t)cap);
    if (!grown) {
        hiss_diag_printf(diag, "out of memory for the tail");
        return HISS_ERR_NOMEM;
    }
    out->frames = grown;
    uint64_t at = *frames, audible = *frames;
    while (at < cap) {
        uint32_t n = cap - at < BLOCK ? (uint32_t)(cap - at) : BLOCK;
        float *dst = out->frames + 2 * at;
        render_block(e, range, dst, n, mix, stems);
        uint64_t last = 0;
        for (uint32_t i = 0; i < 2 * n; i++)
            if (fabsf(dst[i]) > silence)
                last = at + i / 2 + 1;
        at += n;
        if (!last)
            break;
        audible = last;
    }
    *frames = audible;
    return HISS_OK;
}

HissError resample_render(Song *song, const ResampleRange *range, uint32_t rate, int bits,
                          SampleioAudio *out, HissDiag *diag)
{
    out->frames = NULL;
    out->count = 0;
    uint64_t frames = resample_frames(song, range, rate);
    if (!frames) {
        hiss_diag_printf(diag, "pattern %02X has no rows there", range->pattern);
        return HISS_ERR_MISSING;
    }
    int channels = atomic_load(&song->channels);
    int c0 = range->mix ? 0 : range->channel_first, c1 = range->mix ? 0 : range->channel_last;
    if (bits < RESAMPLE_MIN_BITS || bits > RESAMPLE_MAX_BITS || frames > SAMPLEIO_MAX_FRAMES ||
        c0 < 0 || c1 < c0 || c1 >= channels) {
        hiss_diag_printf(diag, "%d bits, %llu frames or channels %d..%d is out of range", bits,
                         (unsigned long long)frames, c0 + 1, c1 + 1);
        return HISS_ERR_RANGE;
    }
    Engine *e = engine_new(song, rate);
    out->frames = malloc(sizeof(float) * 2 * (size_t)frames);
    float *mix = malloc(sizeof(float) * 2 * BLOCK);
    float *stem_block = range->mix ? NULL : malloc(sizeof(float) * 2 * BLOCK * (size_t)(c1 - c0 + 1));
    if (!e || !out->frames || !mix || (!range->mix && !stem_block)) {
        if (e)
            engine_free(e);
        free(out->frames);
        free(mix);
        free(stem_block);
        out->frames = NULL;
        hiss_diag_printf(diag, "out of memory for %llu frames", (unsigned long long)frames);
        return HISS_ERR_NOMEM;
    }
    float *stems[SONG_MAX_CHANNELS] = {0};
    for (int c = c0; !range->mix && c <= c1; c++)
        stems[c] = stem_block + (size_t)(c - c0) * 2 * BLOCK;
    /* Started directly, so the limiter's lookahead is rendered ahead and
     * the first frame is the pattern's first, as in hiss render. */
    engine_play_pattern_now(e, range->pattern, range->first);
    for (uint64_t at = 0; at < frames; at += BLOCK) {
        uint32_t n = frames - at < BLOCK ? (uint32_t)(frames - at) : BLOCK;
        render_block(e, range, out->frames + 2 * at, n, mix, stems);
    }
    double steps = ldexp(1.0, bits - 1);
    HissError err = HISS_OK;
    if (range->tail) {
        /* Below half a step of the converter rounds to 0: silence. */
        float silence = fmaxf((float)(0.5 / steps), 1e-7f);
        err = render_tail(e, range, rate, silence, out, &frames, mix, stems, diag);
    }
    engine_free(e);
    free(mix);
    free(stem_block);
    if (err) {
        free(out->frames);
        out->frames = NULL;
        return err;
    }
    /* Rounded to the grid of a `bits`-bit converter, its top code one
     * step under full scale. */
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
