/* Sample edits into new audio and new files (trim, normalize, reverse,
 * fades, Rubber Band's stretch), zero-crossing snaps and aubio's tempo:
 * each measured on the audio that comes out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/files.h"
#include "sampleedit.h"
#include "sampleio.h"
#include "slicer.h"
#include "test.h"

enum { RATE = 44100 };

static Sample *sine(double hz, uint32_t frames, int channels)
{
    float *x = malloc(sizeof(float) * frames * (size_t)channels);
    for (uint32_t i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++)
            x[(size_t)i * channels + c] = (float)(0.5 * sin(2 * M_PI * hz * i / RATE));
    Sample *s = sample_new(x, frames, channels, RATE);
    free(x);
    return s;
}

/* The frequency of channel 0 over frames [from, to), from its upward zero
 * crossings (interpolated between frames). */
static double measure_hz(const float *x, int channels, uint32_t from, uint32_t to)
{
    double first = -1, last = -1;
    int crossings = 0;
    for (uint32_t i = from + 1; i < to; i++) {
        float a = x[(size_t)(i - 1) * channels], b = x[(size_t)i * channels];
        if (a < 0 && b >= 0) {
            double at = i - 1 + a / (a - b);
            if (first < 0)
                first = at;
            last = at;
            crossings++;
        }
    }
    return crossings > 1 ? (crossings - 1) * (double)RATE / (last - first) : 0;
}

static void stretch_keeps_pitch(void)
{
    Sample *s = sine(440, RATE, 1);
    SampleMarks marks = {0};
    marks.cue_count = 2;
    marks.cues[1] = RATE / 2;
    marks.root_note = 49;
    SampleEdit e = {.kind = SAMPLEEDIT_STRETCH, .ratio = 1.5};
    SampleioAudio out;
    SampleMarks got;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleedit_apply(s, &marks, &e, &out, &got, &diag) == HISS_OK, "%s", diag.text);
    CHECK(out.count == (uint32_t)(RATE * 1.5));
    CHECK(out.rate == RATE && out.channels == 1);
    /* Pitch kept: 440 Hz within 0.5% in the middle of the result. */
    double hz = measure_hz(out.frames, 1, out.count / 4, out.count * 3 / 4);
    CHECK_NEAR(hz, 440.0, 2.2);
    /* The level kept too (no silence, no blow-up). */
    float peak = 0;
    for (uint32_t i = out.count / 4; i < out.count * 3 / 4; i++)
        peak = fabsf(out.frames[i]) > peak ? fabsf(out.frames[i]) : peak;
    CHECK_NEAR(peak, 0.5, 0.1);
    CHECK(got.cue_count == 2 && got.cues[0] == 0 && got.cues[1] == (uint32_t)(RATE * 0.75));
    CHECK(got.root_note == 49);
    sampleio_audio_free(&out);

    /* Shorter too: 0.5x of a stereo sine, half the frames, same pitch. */
    sample_release(s);
    s = sine(220, RATE, 2);
    e.ratio = 0.5;
    memset(&marks, 0, sizeof marks);
    CHECK(sampleedit_apply(s, &marks, &e, &out, &got, &diag) == HISS_OK);
    CHECK(out.count == RATE / 2 && out.channels == 2);
    CHECK_NEAR(measure_hz(out.frames, 2, out.count / 4, out.count * 3 / 4), 220.0, 1.1);
    sampleio_audio_free(&out);

    e.ratio = 20;
    CHECK(sampleedit_apply(s, &marks, &e, &out, &got, &diag) == HISS_ERR_RANGE);
    CHECK(strstr(diag.text, "outside") != NULL);
    CHECK(out.frames == NULL);
    sample_release(s);
}

static double rms_of(const float *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)x[i] * x[i];
    return n ? sqrt(sum / (double)n) : 0;
}

/* The tester's case: the kit's break (peak -1 dBFS) stretched to two
 * beats at 89 BPM comes out with a transient past full scale. A later
 * tester heard the cure, the whole break scaled down to the source's
 * peak, as a 4 dB drop. The stretch keeps the break as loud as it was
 * (its RMS within 1 dB), the status text says how high it peaks, and the
 * written file, read back, holds those peaks whole: nothing clipped. */
static void stretch_keeps_the_level_and_never_clips(void)
{
    Sample *brk = NULL;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleio_load("samples/break.wav", &brk, NULL, &diag) == HISS_OK, "%s",
              diag.text);
    if (!brk)
        return;
    size_t src_n = (size_t)brk->frames * brk->channels;
    float src_peak = 0;
    for (size_t i = 0; i < src_n; i++)
        src_peak = fabsf(brk->data[i]) > src_peak ? fabsf(brk->data[i]) : src_peak;
    CHECK_MSG(src_peak > 0.85f && src_peak < 0.95f, "source peak %.4f", src_peak);
    SampleMarks marks = {0};
    SampleEdit e = {.kind = SAMPLEEDIT_STRETCH,
                    .ratio = 2 * 600.0 / 890 * brk->rate / brk->frames};
    SampleioAudio out;
    SampleMarks got;
    CHECK_MSG(sampleedit_apply(brk, &marks, &e, &out, &got, &diag) == HISS_OK, "%s",
              diag.text);
    size_t n = (size_t)out.count * out.channels;
    float peak = 0;
    long over = 0;
    for (size_t i = 0; i < n; i++) {
        peak = fabsf(out.frames[i]) > peak ? fabsf(out.frames[i]) : peak;
        over += fabsf(out.frames[i]) > 1.0f;
    }
    double level_db = 20 * log10(rms_of(out.frames, n) / rms_of(brk->data, src_n));
    CHECK_MSG(fabs(level_db) < 1.0, "the stretch is %+.2f dB from the source", level_db);
    CHECK_MSG(over > 0, "peak %.3f: this break's stretch should pass full scale", peak);
    CHECK_MSG(strstr(diag.text, "the stretch peaks at +") != NULL, "'%s'", diag.text);
    CHECK_MSG(strstr(diag.text, "the source at -1.0") != NULL, "'%s'", diag.text);
    CHECK_MSG(strstr(diag.text, "float") != NULL, "'%s'", diag.text);
    char dir[256], path[512];
    test_make_tmpdir(dir, sizeof dir, "stretchpeak");
    snprintf(path, sizeof path, "%s/break-89bpm.wav", dir);
    CHECK_MSG(sampleedit_write(path, &out, &got, &diag) == HISS_OK, "%s", diag.text);
    SampleioAudio back = {0};
    CHECK_MSG(sampleio_read(path, &back, NULL, &diag) == HISS_OK, "%s", diag.text);
    CHECK(back.count == out.count && back.channels == out.channels);
    float worst = 0;
    for (size_t i = 0; i < n && back.count == out.count; i++)
        worst = fmaxf(worst, fabsf(back.frames[i] - out.frames[i]));
    CHECK_MSG(worst == 0.0f, "the file differs from the stretch by %g", worst);
    sampleio_audio_free(&back);
    sampleio_audio_free(&out);
    sample_release(brk);
    test_remove_tree(dir);
}

/* A ramp: every frame says where it came from. */
static Sample *ramp(uint32_t frames)
{
    float *x = malloc(sizeof(float) * frames);
    for (uint32_t i = 0; i < frames; i++)
        x[i] = (float)i / frames - 0.5f;
    Sample *s = sample_new(x, frames, 1, RATE);
    free(x);
    return s;
}

/* Slices at 0, 1000 and 2500 (of a 4000-frame ramp). */
static SampleMarks three_slices(void)
{
    SampleMarks marks = {0};
    marks.cue_count = 3;
    marks.cues[1] = 1000;
    marks.cues[2] = 2500;
    return marks;
}

static void trim_reverse_normalize_fade(void)
{
    Sample *s = ramp(4000);
    SampleMarks marks = three_slices();
    marks.loop = SAMPLE_LOOP_FORWARD;
    marks.loop_start = 1000;
    marks.loop_end = 2500;
    SampleioAudio out;
    SampleMarks got;
    HissDiag diag = {{0}};

    SampleEdit trim = {.kind = SAMPLEEDIT_TRIM, .from = 500, .to = 3000};
    CHECK(sampleedit_apply(s, &marks, &trim, &out, &got, &diag) == HISS_OK);
    CHECK(out.count == 2500 && out.frames[0] == s->data[500] &&
          out.frames[2499] == s->data[2999]);
    CHECK(got.cue_count == 3 && got.cues[0] == 0 && got.cues[1] == 500 &&
          got.cues[2] == 2000);
    CHECK(got.loop == SAMPLE_LOOP_FORWARD && got.loop_start == 500 && got.loop_end == 2000);
    sampleio_audio_free(&out);
    trim.from = 3000;
    trim.to = 3000;
    CHECK(sampleedit_apply(s, &marks, &trim, &out, &got, &diag) == HISS_ERR_RANGE);

    SampleEdit rev = {.kind = SAMPLEEDIT_REVERSE};
    CHECK(sampleedit_apply(s, &marks, &rev, &out, &got, &diag) == HISS_OK);
    CHECK(out.count == 4000 && out.frames[0] == s->data[3999] &&
          out.frames[3999] == s->data[0]);
    /* Slice [1000, 2500) now runs [1500, 3000), [2500, 4000) is [0, 1500). */
    CHECK(got.cue_count == 3 && got.cues[0] == 0 && got.cues[1] == 1500 &&
          got.cues[2] == 3000);
    CHECK(got.loop_start == 1500 && got.loop_end == 3000);
    sampleio_audio_free(&out);

    SampleEdit norm = {.kind = SAMPLEEDIT_NORMALIZE};
    CHECK(sampleedit_apply(s, &marks, &norm, &out, &got, &diag) == HISS_OK);
    float peak = 0;
    for (uint32_t i = 0; i < out.count; i++)
        peak = fabsf(out.frames[i]) > peak ? fabsf(out.frames[i]) : peak;
    CHECK_NEAR(peak, 1.0, 1e-6);
    CHECK_NEAR(out.frames[3000] / s->data[3000], 2.0, 1e-4);
    sampleio_audio_free(&out);

    SampleEdit gain = {.kind = SAMPLEEDIT_GAIN, .ratio = -6.0206};
    CHECK(sampleedit_apply(s, &marks, &gain, &out, &got, &diag) == HISS_OK);
    CHECK_NEAR(out.frames[100] / s->data[100], 0.5, 1e-4);
    sampleio_audio_free(&out);
    gain.ratio = 20; /* x10: the ramp's ends clip at full scale */
    CHECK(sampleedit_apply(s, &marks, &gain, &out, &got, &diag) == HISS_OK);
    CHECK(out.frames[0] == -1.0f && out.frames[3999] == 1.0f);
    CHECK_NEAR(out.frames[2010], 10 * s->data[2010], 1e-4);
    sampleio_audio_free(&out);
    gain.ratio = 30;
    CHECK(sampleedit_apply(s, &marks, &gain, &out, &got, &diag) == HISS_ERR_RANGE);

    SampleEdit fade = {.kind = SAMPLEEDIT_FADE_IN, .from = 1000};
    CHECK(sampleedit_apply(s, &marks, &fade, &out, &got, &diag) == HISS_OK);
    CHECK(out.frames[0] == 0.0f);
    CHECK_NEAR(out.frames[500] / s->data[500], sin(M_PI / 4), 1e-5);
    CHECK(out.frames[1000] == s->data[1000]);
    sampleio_audio_free(&out);
    fade.kind = SAMPLEEDIT_FADE_OUT;
    CHECK(sampleedit_apply(s, &marks, &fade, &out, &got, &diag) == HISS_OK);
    CHECK(out.frames[3999] == 0.0f && out.frames[2999] == s->data[2999]);
    sampleio_audio_free(&out);
    fade.from = 5000;
    CHECK(sampleedit_apply(s, &marks, &fade, &out, &got, &diag) == HISS_ERR_RANGE);
    sample_release(s);
}

/* The new file carries the audio, the slices as cue points and the loop
 * and root note in its smpl chunk; a name already taken is never reused. */
/* Keep only the slices used: the kept slices joined in order, frame for
 * frame, their cues at the joins, a loop inside a kept slice moved with
 * it, one in a dropped slice gone. */
static void keep_slices_joins_the_kept_ones(void)
{
    Sample *s = ramp(4000);
    SampleMarks marks = three_slices(); /* 0, 1000, 2500 */
    marks.loop = SAMPLE_LOOP_FORWARD;
    marks.loop_start = 3000;
    marks.loop_end = 3900;
    const bool keep[3] = {false, true, true};
    SampleEdit edit = {.kind = SAMPLEEDIT_KEEP_SLICES, .keep = keep};
    SampleioAudio out;
    SampleMarks got;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleedit_apply(s, &marks, &edit, &out, &got, &diag) == HISS_OK, "%s",
              diag.text);
    CHECK(out.count == 3000);
    bool same = out.count == 3000;
    for (uint32_t i = 0; same && i < out.count; i++)
        same = out.frames[i] == s->data[1000 + i];
    CHECK(same);
    CHECK(got.cue_count == 2 && got.cues[0] == 0 && got.cues[1] == 1500);
    CHECK(got.loop == SAMPLE_LOOP_FORWARD && got.loop_start == 2000 && got.loop_end == 2900);
    sampleio_audio_free(&out);

    const bool ends[3] = {true, false, true};
    edit.keep = ends;
    marks.loop_start = 1200; /* in the dropped slice */
    marks.loop_end = 1300;
    CHECK(sampleedit_apply(s, &marks, &edit, &out, &got, &diag) == HISS_OK);
    CHECK(out.count == 2500 && out.frames[999] == s->data[999] &&
          out.frames[1000] == s->data[2500]);
    CHECK(got.cue_count == 2 && got.cues[1] == 1000 && got.loop == SAMPLE_LOOP_NONE);
    sampleio_audio_free(&out);

    const bool none[3] = {false, false, false};
    edit.keep = none;
    CHECK(sampleedit_apply(s, &marks, &edit, &out, &got, &diag) == HISS_ERR_RANGE);
    CHECK(out.count == 0 && strstr(diag.text, "no slice") != NULL);
    sample_release(s);
}

static void written_as_a_new_file(void)
{
    char dir[256], path[512], taken[512];
    test_make_tmpdir(dir, sizeof dir, "sampleedit");
    snprintf(taken, sizeof taken, "%s/brk-rev.wav", dir);
    test_write_text(taken, "not to be touched");
    HissDiag diag = {{0}};
    CHECK(sampleedit_new_path(dir, "brk", "rev", path, sizeof path, &diag) == HISS_OK);
    CHECK(strstr(path, "/brk-rev-2.wav") != NULL);
    char again[512];
    CHECK(sampleedit_new_path(dir, "brk", "rev", again, sizeof again, &diag) == HISS_OK);
    CHECK(strstr(again, "/brk-rev-3.wav") != NULL);

    Sample *s = ramp(4000);
    SampleMarks marks = three_slices();
    marks.loop = SAMPLE_LOOP_PINGPONG;
    marks.loop_start = 100;
    marks.loop_end = 3900;
    marks.root_note = 37; /* C-3 */
    SampleEdit rev = {.kind = SAMPLEEDIT_REVERSE};
    SampleioAudio out;
    SampleMarks got;
    CHECK(sampleedit_apply(s, &marks, &rev, &out, &got, &diag) == HISS_OK);
    CHECK_MSG(sampleedit_write(path, &out, &got, &diag) == HISS_OK, "%s", diag.text);
    SampleioAudio back;
    SampleioInfo info;
    CHECK_MSG(sampleio_read(path, &back, &info, &diag) == HISS_OK, "%s", diag.text);
    CHECK(back.count == 4000 && back.channels == 1 && back.rate == RATE);
    CHECK_NEAR(back.frames[0], out.frames[0], 1e-6);
    CHECK(info.marks.cue_count == 3 && info.marks.cues[1] == 1500 &&
          info.marks.cues[2] == 3000);
    CHECK(info.marks.loop == SAMPLE_LOOP_PINGPONG && info.marks.loop_start == 100 &&
          info.marks.loop_end == 3900);
    CHECK(info.marks.root_note == 37);
    sampleio_audio_free(&back);
    sampleio_audio_free(&out);
    char *kept = test_read_text(taken);
    CHECK(kept && !strcmp(kept, "not to be touched"));
    free(kept);
    /* Marks only go into WAV files. */
    SampleioWriter *w = NULL;
    snprintf(again, sizeof again, "%s/x.flac", dir);
    CHECK(sampleio_writer_open(again, RATE, 1, SAMPLEIO_ENC_DEFAULT, &w, &diag) == HISS_OK);
    CHECK(sampleio_writer_set_marks(w, &marks, &diag) == HISS_ERR_UNSUPPORTED);
    sampleio_writer_abort(w);
    sample_release(s);
    test_remove_tree(dir);
}

static void zero_crossings(void)
{
    /* A wave whose sign changes exactly at every 50th frame. */
    float x[4400];
    for (int i = 0; i < 4400; i++)
        x[i] = (float)((i / 50) % 2 ? -1 : 1) * (0.2f + 0.001f * (float)(i % 50));
    Sample *s = sample_new(x, 4400, 1, RATE);
    CHECK(slicer_zero_crossing(s, 120, 100) == 100);
    CHECK(slicer_zero_crossing(s, 140, 100) == 150);
    CHECK(slicer_zero_crossing(s, 125, 10) == 125); /* none in reach */
    uint32_t hits[] = {0, 1000, 2000};
    CHECK(slicer_snap(s, hits, 3, 1100, 441) == 1000);
    CHECK(slicer_snap(s, hits, 3, 1540, 441) == 1550); /* no hit near: a crossing */
    sample_release(s);
}

/* The kit's break is two beats at 89.1 BPM (a 16th is 29 x 256 frames);
 * and a made loop of 8 beats at 126 BPM. */
static void tempo(void)
{
    Sample *brk = NULL;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleio_load("samples/break.wav", &brk, NULL, &diag) == HISS_OK, "%s",
              diag.text);
    double bpm = 0;
    int beats = 0;
    if (brk) {
        CHECK_MSG(slicer_tempo(brk, &bpm, &beats, &diag) == HISS_OK, "%s", diag.text);
        CHECK_MSG(fabs(bpm - 44100.0 * 60 / (4 * 29 * 256)) < 0.05 && beats == 2,
                  "%.2f BPM, %d beats", bpm, beats);
        sample_release(brk);
    }
    uint32_t beat = (uint32_t)lround(RATE * 60.0 / 126), frames = beat * 8;
    float *x = calloc(frames, sizeof(float));
    for (int b = 0; b < 8; b++)
        for (uint32_t i = 0; i < 3000; i++)
            x[b * beat + i] = (float)(sin(2 * M_PI * (b % 4 ? 1000 : 60) * i / RATE) *
                                      exp(-(double)i / 600));
    Sample *loop = sample_new(x, frames, 1, RATE);
    free(x);
    CHECK_MSG(slicer_tempo(loop, &bpm, &beats, &diag) == HISS_OK, "%s", diag.text);
    CHECK_MSG(fabs(bpm - 126) < 0.05 && beats == 8, "%.2f BPM, %d beats", bpm, beats);
    sample_release(loop);
    Sample *tiny = sine(440, 100, 1);
    CHECK(slicer_tempo(tiny, &bpm, &beats, &diag) == HISS_ERR_RANGE);
    CHECK(strstr(diag.text, "shorter than a beat") != NULL);
    sample_release(tiny);
}

int main(void)
{
    RUN(stretch_keeps_pitch);
    RUN(stretch_keeps_the_level_and_never_clips);
    RUN(trim_reverse_normalize_fade);
    RUN(keep_slices_joins_the_kept_ones);
    RUN(written_as_a_new_file);
    RUN(zero_crossings);
    RUN(tempo);
    return test_finish();
}
