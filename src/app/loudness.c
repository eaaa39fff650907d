/* loudness: see loudness.h. */
#include "loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

struct Loudness {
    ebur128_state *st;
};

Loudness *loudness_new(uint32_t rate)
{
    Loudness *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->st = ebur128_init(2, rate, EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
    if (!l->st) {
        free(l);
        return NULL;
    }
    return l;
}

void loudness_free(Loudness *l)
{
    if (!l)
        return;
    ebur128_destroy(&l->st);
    free(l);
}

HissError loudness_add(Loudness *l, const float *stereo, uint32_t n)
{
    return ebur128_add_frames_float(l->st, stereo, n) == EBUR128_SUCCESS ? HISS_OK
                                                                          : HISS_ERR_NOMEM;
}

LoudnessFigures loudness_figures(const Loudness *l)
{
    LoudnessFigures f = {-HUGE_VAL, 0.0, -HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    double v, peak = 0.0;
    if (ebur128_loudness_global(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.integrated_lufs = v;
    if (ebur128_loudness_range(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.range_lu = v;
    if (ebur128_loudness_momentary(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.momentary_lufs = v;
    if (ebur128_loudness_shortterm(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.short_term_lufs = v;
    for (unsigned c = 0; c < 2; c++)
        if (ebur128_true_peak(l->st, c, &v) == EBUR128_SUCCESS && v > peak)
            peak = v;
    if (peak > 0.0)
        f.true_peak_dbtp = 20.0 * log10(peak);
    return f;
}
