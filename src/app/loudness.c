/* loudness: see loudness.h. */
#include "loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

#include "truepeak.h"

struct Loudness {
    ebur128_state *st;
    /* The true peak: libebur128's own oversamples every frame, which cost
     * most of a render; this one interpolates only where the reading can
     * still rise. */
    TruePeak peak;
};

Loudness *loudness_new(uint32_t rate, LoudnessHistory history)
{
    Loudness *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    int mode = EBUR128_MODE_I | EBUR128_MODE_LRA;
    if (history == LOUDNESS_OPEN_ENDED)
        mode |= EBUR128_MODE_HISTOGRAM;
    l->st = ebur128_init(2, rate, mode);
    if (!l->st) {
        free(l);
        return NULL;
    }
    truepeak_init(&l->peak);
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
    truepeak_add(&l->peak, stereo, n);
    return ebur128_add_frames_float(l->st, stereo, n) == EBUR128_SUCCESS ? HISS_OK
                                                                          : HISS_ERR_NOMEM;
}

LoudnessFigures loudness_figures(const Loudness *l)
{
    LoudnessFigures f = {-HUGE_VAL, 0.0, -HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    double v, peak = truepeak_max(&l->peak);
    if (ebur128_loudness_global(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.integrated_lufs = v;
    if (ebur128_loudness_range(l->st, &v) == EBUR128_SUCCESS && isfinite(v))
        f.range_lu = v;
    /* A fading tail reads thousands of dB down; under BS.1770's absolute
     * gate it is silence, as the integrated figure already treats it. */
    if (ebur128_loudness_momentary(l->st, &v) == EBUR128_SUCCESS && v >= LOUDNESS_GATE_LUFS)
        f.momentary_lufs = v;
    if (ebur128_loudness_shortterm(l->st, &v) == EBUR128_SUCCESS && v >= LOUDNESS_GATE_LUFS)
        f.short_term_lufs = v;
    if (peak > 0.0)
        f.true_peak_dbtp = 20.0 * log10(peak);
    return f;
}
