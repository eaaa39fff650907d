/* loudness: EBU R 128 figures on signals made here, after EBU Tech 3341's
 * first cases: a stereo 1 kHz sine at -23 dBFS reads -23.0 LUFS. */
#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

#include "loudness.h"
#include "test.h"

#define RATE 48000u

/* Both ways of keeping the history must read the same to 0.1 LU. */
static const LoudnessHistory HISTORIES[] = {LOUDNESS_EXACT, LOUDNESS_OPEN_ENDED};
#define N_HISTORIES (sizeof HISTORIES / sizeof HISTORIES[0])

/* A stereo sine at hz, peak level db dBFS, for seconds. */
static LoudnessFigures measure_sine(LoudnessHistory h, double hz, double db, double seconds)
{
    Loudness *l = loudness_new(RATE, h);
    LoudnessFigures f = {0};
    CHECK(l != NULL);
    if (!l)
        return f;
    uint32_t n = (uint32_t)(seconds * RATE);
    float *x = malloc(sizeof(float) * 2 * n);
    double a = pow(10, db / 20);
    for (uint32_t i = 0; i < n; i++)
        x[2 * i] = x[2 * i + 1] = (float)(a * sin(2 * M_PI * hz * i / RATE));
    CHECK(loudness_add(l, x, n) == HISS_OK);
    f = loudness_figures(l);
    free(x);
    loudness_free(l);
    return f;
}

static void sine_at_minus_23_dbfs_reads_minus_23_lufs(void)
{
    for (size_t h = 0; h < N_HISTORIES; h++) {
        LoudnessFigures f = measure_sine(HISTORIES[h], 1000, -23.0, 20);
        CHECK_MSG(fabs(f.integrated_lufs + 23.0) <= 0.1, "%.2f LUFS", f.integrated_lufs);
        CHECK_MSG(fabs(f.true_peak_dbtp + 23.0) <= 0.2, "%.2f dBTP", f.true_peak_dbtp);
        CHECK_MSG(f.range_lu < 0.1, "a steady tone has no range: %.2f LU", f.range_lu);
        /* A steady tone reads the same over 400 ms and 3 s as over it all. */
        CHECK_MSG(fabs(f.momentary_lufs + 23.0) <= 0.1, "momentary %.2f", f.momentary_lufs);
        CHECK_MSG(fabs(f.short_term_lufs + 23.0) <= 0.1, "short-term %.2f", f.short_term_lufs);
        f = measure_sine(HISTORIES[h], 1000, -33.0, 20);
        CHECK_MSG(fabs(f.integrated_lufs + 33.0) <= 0.1, "%.2f LUFS", f.integrated_lufs);
    }
}

/* Adds a 1 kHz stereo tone for seconds at db1 dBFS, then as long at db2. */
static void add_two_levels(Loudness *l, double db1, double db2, uint32_t seconds)
{
    uint32_t n = seconds * RATE;
    float *x = malloc(sizeof(float) * 2 * n);
    for (int part = 0; part < 2; part++) {
        double a = pow(10, (part ? db2 : db1) / 20);
        for (uint32_t i = 0; i < n; i++)
            x[2 * i] = x[2 * i + 1] = (float)(a * sin(2 * M_PI * 1000.0 * i / RATE));
        CHECK(loudness_add(l, x, n) == HISS_OK);
    }
    free(x);
}

/* Two halves 10 dB apart: a range near 10 LU (EBU Tech 3342's idea). */
static void range_of_two_levels(void)
{
    for (size_t h = 0; h < N_HISTORIES; h++) {
        Loudness *l = loudness_new(RATE, HISTORIES[h]);
        add_two_levels(l, -20.0, -30.0, 20);
        LoudnessFigures f = loudness_figures(l);
        CHECK_MSG(fabs(f.range_lu - 10.0) <= 1.0, "%.2f LU", f.range_lu);
        loudness_free(l);
    }
}

static void silence_has_no_loudness(void)
{
    Loudness *l = loudness_new(RATE, LOUDNESS_OPEN_ENDED);
    float *x = calloc(2 * (size_t)RATE, sizeof(float));
    CHECK(loudness_add(l, x, RATE) == HISS_OK);
    LoudnessFigures f = loudness_figures(l);
    CHECK(isinf(f.integrated_lufs) && f.integrated_lufs < 0);
    CHECK(isinf(f.true_peak_dbtp) && f.true_peak_dbtp < 0);
    free(x);
    loudness_free(l);
}

/* A tail fading far below the gate reads as silence over 400 ms and 3 s,
 * not as thousands of dB down. */
static void a_faded_tail_reads_as_silence(void)
{
    Loudness *l = loudness_new(RATE, LOUDNESS_OPEN_ENDED);
    add_two_levels(l, -20.0, -200.0, 4);
    LoudnessFigures f = loudness_figures(l);
    CHECK_MSG(isinf(f.momentary_lufs) && f.momentary_lufs < 0, "momentary %.1f", f.momentary_lufs);
    CHECK_MSG(isinf(f.short_term_lufs) && f.short_term_lufs < 0, "short-term %.1f",
              f.short_term_lufs);
    CHECK_MSG(fabs(f.integrated_lufs + 20.0) <= 0.2, "the tone stays in the integrated %.2f",
              f.integrated_lufs);
    loudness_free(l);
}

/* A minute of music-like material: noise through a one-pole low-pass,
 * its level jumping every 0.7 s between -40 and -10 dBFS (with the
 * sides apart), and fed in uneven pieces. */
static float *varied(uint32_t rate, uint32_t frames)
{
    float *x = malloc(sizeof(float) * 2 * frames);
    uint32_t seed = 12345;
    double lp[2] = {0, 0}, gain = 0.1;
    for (uint32_t i = 0; i < frames; i++) {
        if (i % (rate * 7 / 10) == 0) {
            seed = seed * 1664525u + 1013904223u;
            gain = pow(10, (-40.0 + 30.0 * (seed >> 8) / 16777216.0) / 20);
        }
        for (int c = 0; c < 2; c++) {
            seed = seed * 1664525u + 1013904223u;
            double white = (double)(seed >> 8) / 8388608.0 - 1.0;
            lp[c] += (white - lp[c]) * (c ? 0.3 : 0.6);
            x[2 * i + c] = (float)(gain * (c ? 0.7 : 1.0) * 2.0 * lp[c]);
        }
    }
    return x;
}

/* The figures are libebur128's (the reference the meter was checked
 * against) at 48 and 44.1 kHz, whichever way the history is kept. */
static void figures_agree_with_libebur128(void)
{
    const uint32_t rates[] = {48000, 44100};
    for (size_t r = 0; r < HISS_ARRAY_LEN(rates); r++) {
        uint32_t rate = rates[r], frames = 60 * rate;
        float *x = varied(rate, frames);
        ebur128_state *ref = ebur128_init(2, rate, EBUR128_MODE_I | EBUR128_MODE_LRA |
                                                       EBUR128_MODE_S | EBUR128_MODE_M);
        CHECK(ref && ebur128_add_frames_float(ref, x, frames) == EBUR128_SUCCESS);
        double want_i = 0, want_lra = 0, want_m = 0, want_s = 0;
        ebur128_loudness_global(ref, &want_i);
        ebur128_loudness_range(ref, &want_lra);
        ebur128_loudness_momentary(ref, &want_m);
        ebur128_loudness_shortterm(ref, &want_s);
        ebur128_destroy(&ref);
        for (size_t h = 0; h < N_HISTORIES; h++) {
            Loudness *l = loudness_new(rate, HISTORIES[h]);
            for (uint32_t done = 0, piece = 1; done < frames; piece = piece * 7 % 9973 + 1) {
                uint32_t n = piece < frames - done ? piece : frames - done;
                CHECK(loudness_add(l, x + 2 * (size_t)done, n) == HISS_OK);
                done += n;
            }
            LoudnessFigures f = loudness_figures(l);
            /* Kept exactly, the blocks are libebur128's; in 0.1 LU bins
             * each reads as its bin's centre. */
            double tolerance = HISTORIES[h] == LOUDNESS_EXACT ? 0.001 : 0.05;
            CHECK_MSG(fabs(f.integrated_lufs - want_i) <= tolerance,
                      "%u Hz, history %zu: %.4f LUFS, libebur128 %.4f", rate, h,
                      f.integrated_lufs, want_i);
            CHECK_MSG(fabs(f.range_lu - want_lra) <= tolerance + 0.05,
                      "%u Hz, history %zu: LRA %.4f LU, libebur128 %.4f", rate, h, f.range_lu,
                      want_lra);
            CHECK_MSG(fabs(f.momentary_lufs - want_m) <= 0.001 &&
                          fabs(f.short_term_lufs - want_s) <= 0.001,
                      "%u Hz: momentary %.4f (%.4f), short-term %.4f (%.4f)", rate,
                      f.momentary_lufs, want_m, f.short_term_lufs, want_s);
            loudness_free(l);
        }
        printf("     %u Hz: %.2f LUFS, LRA %.2f LU (libebur128's)\n", rate, want_i, want_lra);
        free(x);
    }
}

int main(void)
{
    RUN(sine_at_minus_23_dbfs_reads_minus_23_lufs);
    RUN(range_of_two_levels);
    RUN(silence_has_no_loudness);
    RUN(a_faded_tail_reads_as_silence);
    RUN(figures_agree_with_libebur128);
    return test_finish();
}
