/* truepeak: the meter reads the peak between samples, and its skipping
 * never changes the reading: on signals made here it equals every point
 * interpolated, in any block size. */
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "truepeak.h"

#define RATE 48000u

/* The true peak with every point computed, in double, with the meter's
 * own taps (silence before the first frame, as the meter has). */
static double every_point(const float *x, uint32_t frames)
{
    float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS];
    truepeak_make_taps(taps);
    double peak = 0;
    for (int c = 0; c < 2; c++)
        for (uint32_t f = 0; f < frames; f++) {
            peak = fmax(peak, fabs(x[2 * f + c]));
            if (f + TRUEPEAK_HALF_TAPS >= frames)
                continue; /* the meter reads these once more frames come */
            for (int p = 0; p < TRUEPEAK_PHASES - 1; p++) {
                double v = 0;
                for (int k = 0; k < TRUEPEAK_TAPS; k++) {
                    long i = (long)f + k - (TRUEPEAK_HALF_TAPS - 1);
                    v += i < 0 ? 0.0 : taps[p][k] * (double)x[2 * i + c];
                }
                peak = fmax(peak, fabs(v));
            }
        }
    return peak;
}

static float meter(const float *x, uint32_t frames, uint32_t block)
{
    TruePeak t;
    truepeak_init(&t);
    for (uint32_t done = 0; done < frames; done += block)
        truepeak_add(&t, x + 2 * (size_t)done, frames - done < block ? frames - done : block);
    return truepeak_max(&t);
}

/* A tone at a quarter of the rate, 45 degrees off the samples: each
 * sample is 0.707 of the crest, which lies between them, 3 dB higher.
 * The 32-tap filter's gain there is 0.1 dB over unity: it reads a little
 * over, the safe side for a ceiling. */
static void reads_between_samples(void)
{
    uint32_t n = RATE;
    float *x = malloc(sizeof(float) * 2 * n);
    for (uint32_t i = 0; i < n; i++)
        x[2 * i] = x[2 * i + 1] = (float)(0.5 * sin(M_PI / 2 * i + M_PI / 4));
    double db = 20 * log10(meter(x, n, 4096));
    CHECK_MSG(fabs(db - 20 * log10(0.5)) < 0.15, "%.3f dBTP for a crest at %.3f dB", db,
              20 * log10(0.5));
    free(x);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Bursts of loud noise, loud high tones and loud bass among quiet ones,
 * the highest somewhere in the middle: a meter that skipped too much
 * would miss one of the peaks between samples. */
static void skipping_changes_nothing(void)
{
    uint32_t n = 10 * RATE, seed = 7;
    float *x = malloc(sizeof(float) * 2 * n);
    for (int trial = 0; trial < 6; trial++) {
        double level = 0.05;
        for (uint32_t i = 0; i < n; i++) {
            if (i % 3000 == 0)
                level = (lcg(&seed) % 100) / 100.0 * (trial + 1) / 6.0;
            double tone = sin(M_PI * 0.93 * i + trial) * level;
            double noise = ((lcg(&seed) % 20001) / 10000.0 - 1.0) * level;
            /* A loud bass with a little hiss on it: smooth, where the
             * bound comes closest to the points. */
            double bass = sin(2 * M_PI * 55.0 * i / RATE) * level + noise * 0.02;
            x[2 * i] = (float)(trial % 3 == 2 ? bass : trial % 2 ? tone : noise);
            x[2 * i + 1] = (float)(trial % 3 == 2 ? -bass : trial % 2 ? -noise : tone * 0.5);
        }
        double want = every_point(x, n);
        static const uint32_t BLOCKS[] = {1, 37, 1024, 1500, 32768};
        for (size_t b = 0; b < sizeof BLOCKS / sizeof BLOCKS[0]; b++) {
            double got = meter(x, n, BLOCKS[b]);
            CHECK_MSG(fabs(got - want) <= 1e-6 * want, "trial %d, blocks of %u: %.9f, every "
                      "point %.9f", trial, BLOCKS[b], got, want);
        }
    }
    free(x);
}

static void silence_reads_zero(void)
{
    float *x = calloc(2 * (size_t)RATE, sizeof(float));
    CHECK(meter(x, RATE, 4096) == 0.0f);
    free(x);
}

int main(void)
{
    RUN(reads_between_samples);
    RUN(skipping_changes_nothing);
    RUN(silence_reads_zero);
    return test_finish();
}
