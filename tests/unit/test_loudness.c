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

/* A signal a meter could misread: noise whose level and colour change
 * every 0.7 s over 40 dB, with silent gaps, for seconds. */
static float *varied_signal(uint32_t rate, uint32_t seconds, uint32_t *frames)
{
    uint32_t n = rate * seconds;
    float *x = malloc(sizeof(float) * 2 * n);
    uint32_t seed = 12345, part = (uint32_t)(0.7 * rate);
    float lowl = 0, lowr = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = i / part;
        double db = -50.0 + (double)((k * 7919u) % 41u);
        float a = (k % 9 == 4) ? 0.0f : (float)pow(10, db / 20);
        float smooth = (k % 3) ? 0.95f : 0.2f;
        seed = seed * 1664525u + 1013904223u;
        float l = (float)(seed >> 8) / 8388608.0f - 1.0f;
        seed = seed * 1664525u + 1013904223u;
        float r = (float)(seed >> 8) / 8388608.0f - 1.0f;
        lowl = smooth * lowl + (1 - smooth) * l;
        lowr = smooth * lowr + (1 - smooth) * r;
        x[2 * i] = a * lowl * 3;
        x[2 * i + 1] = a * (k % 2 ? lowr * 3 : lowl * 2);
    }
    *frames = n;
    return x;
}

/* The exact history's own meter reads what libebur128 reads of the same
 * signal (integrated loudness and loudness range), at 48 and 44.1 kHz,
 * added in uneven pieces. */
static void the_exact_meter_reads_as_libebur128(void)
{
    const uint32_t rates[] = {48000, 44100};
    for (size_t r = 0; r < 2; r++) {
        uint32_t n;
        float *x = varied_signal(rates[r], 60, &n);
        Loudness *l = loudness_new(rates[r], LOUDNESS_EXACT);
        ebur128_state *st = ebur128_init(2, rates[r], EBUR128_MODE_I | EBUR128_MODE_LRA);
        for (uint32_t at = 0, piece = 1; at < n; at += piece, piece = piece * 3 % 7919 + 1) {
            uint32_t take = at + piece > n ? n - at : piece;
            CHECK(loudness_add(l, x + 2 * (size_t)at, take) == HISS_OK);
        }
        ebur128_add_frames_float(st, x, n);
        double lufs, lra;
        ebur128_loudness_global(st, &lufs);
        ebur128_loudness_range(st, &lra);
        LoudnessFigures f = loudness_figures(l);
        CHECK_MSG(fabs(f.integrated_lufs - lufs) < 0.005, "%u Hz: %.4f LUFS, libebur128 %.4f",
                  rates[r], f.integrated_lufs, lufs);
        CHECK_MSG(fabs(f.range_lu - lra) < 0.005, "%u Hz: LRA %.4f LU, libebur128 %.4f", rates[r],
                  f.range_lu, lra);
        CHECK_MSG(lra > 5.0, "the signal has a range to measure: %.2f LU", lra);
        ebur128_destroy(&st);
        loudness_free(l);
        free(x);
    }
}

int main(void)
{
    RUN(sine_at_minus_23_dbfs_reads_minus_23_lufs);
    RUN(range_of_two_levels);
    RUN(silence_has_no_loudness);
    RUN(a_faded_tail_reads_as_silence);
    RUN(the_exact_meter_reads_as_libebur128);
    return test_finish();
}
