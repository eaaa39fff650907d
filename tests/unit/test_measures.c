/* The test suite's own measures (tests/common/synth_song.c), fed signals
 * made here whose answer is known, and forgeries they must tell apart: a
 * pitch one cent off, an onset one frame late, two bursts run together, a
 * peak on the other channel. The audio tests are only as sharp as these. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/synth_song.h"
#include "test.h"

enum { RATE = 48000, FRAMES = RATE };

static float *stereo_sine(double hz, float left, float right)
{
    float *x = malloc(2 * FRAMES * sizeof *x);
    for (int i = 0; i < FRAMES; i++) {
        double v = sin(2 * M_PI * hz * i / RATE);
        x[2 * i] = (float)(left * v);
        x[2 * i + 1] = (float)(right * v);
    }
    return x;
}

static void frequency_tells_one_cent_apart(void)
{
    /* test_engine accepts a relative pitch error of 2e-4; a cent is
     * 5.8e-4, so a pitch one cent off must land outside it. */
    float *a = stereo_sine(440, 0.5f, 0.5f);
    float *sharp = stereo_sine(440 * pow(2, 1 / 1200.0), 0.5f, 0.5f);
    float *fifth = stereo_sine(660, 0.5f, 0.5f);
    double fa = synth_frequency(a, 0, FRAMES, 0, RATE);
    double fs = synth_frequency(sharp, 0, FRAMES, 0, RATE);
    double ff = synth_frequency(fifth, 0, FRAMES, 1, RATE);
    CHECK_NEAR(fa, 440, 440 * 1e-5);
    CHECK_MSG(fabs(fs - 440) / 440 > 2e-4, "one cent sharp measured %.4f Hz", fs);
    CHECK_NEAR(fs, 440 * pow(2, 1 / 1200.0), 440 * 1e-5);
    CHECK_NEAR(ff, 660, 660 * 1e-5);
    float *silent = calloc(2 * FRAMES, sizeof *silent);
    CHECK(synth_frequency(silent, 0, FRAMES, 0, RATE) == 0);
    free(a);
    free(sharp);
    free(fifth);
    free(silent);
}

static void onset_is_exact_to_the_frame(void)
{
    float *x = calloc(2 * FRAMES, sizeof *x);
    x[2 * 1234 + 1] = 0.01f; /* right channel only, just above */
    CHECK(synth_first_above(x, 0, FRAMES, 0.005f) == 1234);
    CHECK(synth_first_above(x, 1235, FRAMES, 0.005f) == UINT32_MAX);
    CHECK(synth_first_above(x, 0, FRAMES, 0.01f) == UINT32_MAX); /* not above */
    free(x);
}

static void bursts_need_their_gap(void)
{
    float *x = calloc(2 * FRAMES, sizeof *x);
    /* Three bursts of 100 frames: at 1000, at 2000, and at 2150 (only 50
     * quiet frames after the second). */
    for (int i = 0; i < 100; i++) {
        x[2 * (1000 + i)] = 0.5f;
        x[2 * (2000 + i)] = 0.5f;
        x[2 * (2150 + i) + 1] = 0.5f;
    }
    CHECK(synth_bursts(x, FRAMES, 0.1f, 40) == 3);
    CHECK(synth_bursts(x, FRAMES, 0.1f, 60) == 2);
    CHECK(synth_bursts(x, FRAMES, 0.5f, 40) == 0);
    free(x);
}

static void peak_keeps_the_channels_apart(void)
{
    float *x = stereo_sine(100, 0.0f, 0.75f);
    CHECK(synth_peak(x, 0, FRAMES, 0) == 0.0f);
    CHECK_NEAR(synth_peak(x, 0, FRAMES, 1), 0.75, 1e-4);
    x[2 * 500] = -0.9f;
    CHECK_NEAR(synth_peak(x, 0, FRAMES, 0), 0.9, 1e-7);
    CHECK(synth_peak(x, 501, FRAMES - 501, 0) == 0.0f);
    free(x);
}

int main(void)
{
    RUN(frequency_tells_one_cent_apart);
    RUN(onset_is_exact_to_the_frame);
    RUN(bursts_need_their_gap);
    RUN(peak_keeps_the_channels_apart);
    return test_finish();
}
