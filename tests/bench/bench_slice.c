/* Slicing time: the kit's break looped to 10 s (at its own 44.1 kHz), cut
 * by transients (aubio, the default sensitivity) and into 16 equal
 * slices; its tempo found (aubio's beat tracker); and stretched to 1.1x
 * its length with Rubber Band (offline, pitch kept), the cost of the
 * editor's "stretch to the song's tempo". Prints figures; never asserts
 * timing. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sampleedit.h"
#include "sampleio.h"
#include "slicer.h"

enum { RUNS = 20, SECONDS = 10 };

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(void)
{
    SampleioAudio a;
    HissDiag diag = {{0}};
    if (sampleio_read("samples/break.wav", &a, NULL, &diag) != HISS_OK) {
        fprintf(stderr, "bench_slice: %s\n", diag.text);
        return 1;
    }
    uint32_t frames = SECONDS * a.rate;
    float *x = malloc(sizeof(float) * frames * (size_t)a.channels);
    for (uint32_t i = 0; i < frames * (uint32_t)a.channels; i++)
        x[i] = a.frames[i % (a.count * (uint32_t)a.channels)];
    Sample *s = sample_new(x, frames, a.channels, a.rate);
    free(x);
    sampleio_audio_free(&a);
    uint32_t points[512];
    int count = 0;
    double best = 1e9, total = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ms();
        slicer_transients(s, SLICER_DEFAULT_SENSITIVITY, points, 512, &count, &diag);
        double ms = now_ms() - t0;
        best = ms < best ? ms : best;
        total += ms;
    }
    double t0 = now_ms();
    for (int r = 0; r < RUNS; r++)
        slicer_equal(frames, 16, points);
    double equal_us = (now_ms() - t0) * 1000.0 / RUNS;
    double bpm = 0;
    int beats = 0;
    t0 = now_ms();
    slicer_tempo(s, &bpm, &beats, &diag);
    double tempo_ms = now_ms() - t0;
    SampleMarks marks = {0};
    marks.cue_count = count < SAMPLE_MAX_CUES ? count : SAMPLE_MAX_CUES;
    for (int i = 0; i < marks.cue_count; i++)
        marks.cues[i] = points[i];
    SampleEdit stretch = {.kind = SAMPLEEDIT_STRETCH, .ratio = 1.1};
    SampleioAudio out;
    SampleMarks out_marks;
    t0 = now_ms();
    HissError err = sampleedit_apply(s, &marks, &stretch, &out, &out_marks, &diag);
    double stretch_ms = now_ms() - t0;
    if (!err)
        sampleio_audio_free(&out);
    printf("bench_slice: a %d s break (%u frames at %u Hz)\n", SECONDS, frames, s->rate);
    printf("  slicing by transients: %.2f ms mean, %.2f ms best, %d points\n",
           total / RUNS, best, count);
    printf("  16 equal slices: %.3f us\n", equal_us);
    printf("  tempo (aubio's beat tracker): %.1f ms, %.2f BPM over %d beats\n", tempo_ms,
           bpm, beats);
    printf("  Rubber Band stretch to 1.1x with %d key frames: %.0f ms (%.1fx real time)%s\n",
           marks.cue_count, stretch_ms, SECONDS * 1000.0 / stretch_ms,
           err ? "  FAILED" : "");
    sample_release(s);
    return 0;
}
