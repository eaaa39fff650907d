/* slicer: equal divisions, and transients found by aubio on generated
 * breaks whose hits are known: at least 95% found within 5 ms, at most 5%
 * extra. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "slicer.h"
#include "common/synth_song.h"
#include "test.h"

enum { RATE = 44100, MAX_HITS = 256 };

static void equal_divisions(void)
{
    uint32_t out[SLICER_MAX_DIVISIONS];
    CHECK(slicer_equal(59392, 8, out) == 8);
    CHECK(out[0] == 0 && out[1] == 7424 && out[7] == 51968);
    CHECK(slicer_equal(1000, 3, out) == 3 && out[1] == 333 && out[2] == 666);
    CHECK(slicer_equal(1000, 1, out) == SLICER_MIN_DIVISIONS && out[1] == 500);
    CHECK(slicer_equal(100000, 500, out) == SLICER_MAX_DIVISIONS);
    CHECK(out[127] == 127u * 100000 / 128);
    CHECK(slicer_equal(5, 64, out) == 5 && out[4] == 4);
}

/* A break: kicks, snares and hats (made here) at uneven, known places at
 * least 70 ms apart, with a little noise floor under them. */
static Sample *make_break(uint32_t seconds, uint32_t seed, uint32_t *onsets, int *count)
{
    uint32_t frames = seconds * RATE;
    float *x = calloc(frames, sizeof(float));
    uint32_t r = seed;
    int n = 0;
    uint32_t at = RATE / 20;
    while (at < frames - RATE / 5 && n < MAX_HITS) {
        onsets[n++] = at;
        r = r * 1664525u + 1013904223u;
        int kind = (int)(r >> 29) % 3;
        float gain = 0.3f + (float)((r >> 8) & 255) / 255.0f * 0.6f;
        uint32_t len = kind == 2 ? RATE / 20 : RATE / 5;
        uint32_t noise = r;
        for (uint32_t i = 0; i < len && at + i < frames; i++) {
            double t = (double)i / RATE;
            noise = noise * 1103515245u + 12345u;
            double white = ((double)(noise >> 9) / (1 << 23)) * 2 - 1;
            double v;
            if (kind == 0) /* kick: a falling sine */
                v = sin(2 * M_PI * (50 * t + 60 * (1 - exp(-t * 30)) / 30)) * exp(-t * 12);
            else if (kind == 1) /* snare: a tone and noise */
                v = (0.5 * sin(2 * M_PI * 190 * t) + 0.7 * white) * exp(-t * 20);
            else /* hat: bright noise */
                v = white * exp(-t * 60) * 0.6;
            x[at + i] += (float)(gain * v);
        }
        r = r * 1664525u + 1013904223u;
        at += RATE * 70 / 1000 + (r >> 16) % (RATE / 4);
    }
    uint32_t hiss = seed ^ 0x9E3779B9u;
    for (uint32_t i = 0; i < frames; i++) {
        hiss = hiss * 1103515245u + 12345u;
        x[i] += (float)(((double)(hiss >> 9) / (1 << 23)) * 2 - 1) * 0.001f;
    }
    Sample *s = sample_new(x, frames, 1, RATE);
    free(x);
    *count = n;
    return s;
}

static void transients_of_generated_breaks(void)
{
    int found = 0, total = 0, extra = 0;
    double worst_ms = 0;
    for (uint32_t seed = 1; seed <= 4; seed++) {
        uint32_t want[MAX_HITS], got[SONG_MAX_SLICES * 2];
        int nwant = 0, ngot = 0;
        Sample *s = make_break(10, seed, want, &nwant);
        HissDiag diag = {{0}};
        CHECK_MSG(slicer_transients(s, SLICER_DEFAULT_SENSITIVITY, got, SONG_MAX_SLICES * 2,
                                    &ngot, &diag) == HISS_OK, "%s", diag.text);
        /* The first point is always 0: the break's start, not a hit. */
        bool *used = calloc((size_t)ngot, sizeof(bool));
        for (int w = 0; w < nwant; w++) {
            int best = -1;
            for (int g = 1; g < ngot; g++)
                if (!used[g] && (best < 0 || labs((long)got[g] - (long)want[w]) <
                                                 labs((long)got[best] - (long)want[w])))
                    best = g;
            double ms = best < 0 ? 1e9 : fabs((double)got[best] - want[w]) * 1000.0 / RATE;
            if (ms <= 5.0) {
                used[best] = true;
                found++;
                worst_ms = fmax(worst_ms, ms);
            }
        }
        for (int g = 1; g < ngot; g++)
            extra += !used[g];
        total += nwant;
        free(used);
        sample_release(s);
    }
    double found_pct = 100.0 * found / total, extra_pct = 100.0 * extra / total;
    printf("     %d hits: %.1f%% found within 5 ms (worst %.2f ms), %.1f%% extra\n", total,
           found_pct, worst_ms, extra_pct);
    CHECK_MSG(found_pct >= 95.0, "found %.1f%%", found_pct);
    CHECK_MSG(extra_pct <= 5.0, "extra %.1f%%", extra_pct);
}

/* Sensitivity decides how quiet a hit may be: of two noise bursts, one
 * 30 dB under the other, 100 finds both and 0 only the loud one. */
static void sensitivity_reaches_quiet_hits(void)
{
    uint32_t frames = RATE;
    float *x = calloc(frames, sizeof(float));
    uint32_t noise = 7;
    for (uint32_t i = 0; i < RATE / 10; i++) {
        double env = exp(-(double)i / RATE * 60);
        noise = noise * 1103515245u + 12345u;
        double white = ((double)(noise >> 9) / (1 << 23)) * 2 - 1;
        x[RATE / 10 + i] += (float)(0.9 * env * white);
        x[RATE / 2 + i] += (float)(0.028 * env * white);
    }
    Sample *s = sample_new(x, frames, 1, RATE);
    free(x);
    uint32_t got[16];
    int n0 = 0, n100 = 0;
    HissDiag diag = {{0}};
    CHECK(slicer_transients(s, 0, got, 16, &n0, &diag) == HISS_OK);
    CHECK(slicer_transients(s, 100, got, 16, &n100, &diag) == HISS_OK);
    CHECK_MSG(n100 == 3 && labs((long)got[2] - RATE / 2) < RATE / 200,
              "at 100: %d points, last %u", n100, n100 ? got[n100 - 1] : 0);
    CHECK_MSG(n0 == 2, "at 0: %d points", n0);
    sample_release(s);
}

int main(void)
{
    RUN(equal_divisions);
    RUN(transients_of_generated_breaks);
    RUN(sensitivity_reaches_quiet_hits);
    return test_finish();
}
