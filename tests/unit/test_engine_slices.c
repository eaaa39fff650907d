/* Slices in the engine, measured on rendered audio: which slice a note or
 * Sxx plays, that a slice stops at its end, and that slice edges never
 * click on full-scale material. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "common/synth_song.h"
#include "test.h"

#define E VOLUME_EMPTY

enum { RATE = 48000, SLICES = 8, SLICE_FRAMES = 6000 };

/* A sample whose slice k (SLICE_FRAMES frames each) holds the constant
 * level (k + 1) / 10, so the output level names the slice that played. */
static Sample *level_steps(void)
{
    float *x = malloc(sizeof(float) * SLICES * SLICE_FRAMES);
    for (int i = 0; i < SLICES * SLICE_FRAMES; i++)
        x[i] = (float)(i / SLICE_FRAMES + 1) / 10.0f;
    Sample *s = sample_new(x, SLICES * SLICE_FRAMES, 1, RATE);
    free(x);
    return s;
}

static Instrument *sliced(Sample *sample, const uint32_t *points, int count, bool mode)
{
    Instrument *inst = synth_instrument(sample, LOOP_FORWARD, 0, sample->frames,
                                        INTERP_LINEAR);
    song_instrument_set_slices(inst, points, count);
    inst->shape[SHAPE_SLICE_MODE] = mode;
    return inst;
}

/* The level in the middle of row `row`, divided by the level a full-scale
 * DC note makes there (so 0.1 x (k + 1) names slice k). */
static double level_at(const float *out, int row, double unit)
{
    uint64_t at = synth_row_frame(RATE, 125, 6, row) + 2000;
    return out[2 * at] / unit;
}

static void notes_and_sxx_pick_slices(void)
{
    uint32_t points[SLICES];
    for (int k = 0; k < SLICES; k++)
        points[k] = (uint32_t)k * SLICE_FRAMES;
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, sliced(level_steps(), points, SLICES, true));
    /* A reference: the whole sample at its base, first slice level 0.1. */
    synth_set_instrument(s, 2, synth_instrument(synth_dc(RATE, RATE, 1.0f), LOOP_FORWARD,
                                                0, RATE, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 2, E, 0, 0);           /* unit level */
    synth_put(s, 0, 1, 0, NOTE_C4, 1, E, 0, 0);           /* slice 1 */
    synth_put(s, 0, 2, 0, NOTE_C4 + 3, 1, E, 0, 0);       /* D#4: slice 4 */
    synth_put(s, 0, 3, 0, NOTE_C4 + 7, 1, E, 0, 0);       /* G-4: slice 8 */
    synth_put(s, 0, 4, 0, NOTE_C4 + 8, 1, E, 0, 0);       /* past the last: silence */
    synth_put(s, 0, 5, 0, NOTE_C4 + 1, 1, E, 'S', 0x06);  /* S06 beats the note */
    synth_put(s, 0, 6, 0, NOTE_C4 + 12, 1, E, 'S', 0x03); /* any note */
    uint32_t frames = (uint32_t)synth_row_frame(RATE, 125, 6, 8);
    float *out = synth_render(s, RATE, frames, 256);
    double unit = out[2 * (synth_row_frame(RATE, 125, 6, 0) + 2000)];
    CHECK(unit > 0.1);
    static const struct { int row; double level; } want[] = {
        {1, 0.1}, {2, 0.4}, {3, 0.8}, {4, 0.0}, {5, 0.6}, {6, 0.3},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        double got = level_at(out, want[i].row, unit);
        CHECK_MSG(fabs(got - want[i].level) < 1e-3, "row %d: level %.4f, want %.1f",
                  want[i].row, got, want[i].level);
    }
    free(out);
    song_free(s);
}

/* A slice stops at its end (the next slice is not heard), and without
 * slice mode notes play the whole sample, pitched. */
static void a_slice_ends_at_the_next_point(void)
{
    uint32_t points[SLICES];
    for (int k = 0; k < SLICES; k++)
        points[k] = (uint32_t)k * SLICE_FRAMES;
    Song *s = synth_song(1, 32, 125, 6);
    synth_set_instrument(s, 1, sliced(level_steps(), points, SLICES, true));
    synth_put(s, 0, 0, 0, NOTE_C4 + 2, 1, E, 0, 0); /* slice 3: 6000 frames */
    uint32_t frames = 20000;
    float *out = synth_render(s, RATE, frames, 100);
    uint32_t onset = synth_first_above(out, 0, frames, 1e-4f);
    CHECK(onset != UINT32_MAX);
    /* 6000 frames at the sample's own rate and pitch: silent from there. */
    float after = synth_peak(out, onset + SLICE_FRAMES, frames - onset - SLICE_FRAMES, 0);
    float during = synth_peak(out, onset, SLICE_FRAMES, 0);
    CHECK_MSG(after == 0.0f, "after the slice: %g", after);
    CHECK(during > 0.2f);
    /* And up to its last frames it is the third slice's level alone. */
    float near_end = out[2 * (onset + SLICE_FRAMES - 200)];
    CHECK_NEAR(near_end / during, 1.0, 1e-4);
    free(out);
    song_free(s);
}

/* Full-scale material cut at points off its zero crossings, slices cutting
 * each other off every few hundred frames and running to their ends: the
 * largest step between two output frames stays near the sine's own. */
static void slice_edges_never_click(void)
{
    const double freq = 220.0;
    Sample *sine = synth_sine(RATE, freq, SLICES * SLICE_FRAMES, 1, 1.0f);
    uint32_t points[SLICES];
    for (int k = 0; k < SLICES; k++)
        points[k] = (uint32_t)k * SLICE_FRAMES + 37 * (uint32_t)k + 55;
    Song *s = synth_song(1, 64, 125, 1); /* a row is 960 frames */
    synth_set_instrument(s, 1, sliced(sine, points, SLICES, true));
    static const int order[] = {0, 5, 2, 7, 1, 1, 6, 3, 4, 0, 7, 2};
    int row = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        synth_put(s, 0, row, 0, (uint8_t)(NOTE_C4 + order[i]), 1, E, 0, 0);
        /* Every third note rings to its slice's end (over 6 rows). */
        row += i % 3 == 2 ? 8 : 1;
    }
    uint32_t frames = (uint32_t)synth_row_frame(RATE, 125, 1, row + 2);
    float *out = synth_render(s, RATE, frames, 128);
    float peak = synth_peak(out, 0, frames, 0);
    double worst = 0;
    for (uint32_t i = 1; i < frames; i++)
        worst = fmax(worst, fabs(out[2 * i] - out[2 * (i - 1)]));
    /* The sine itself moves at most 2 pi f / rate x peak per frame; a 2 ms
     * fade of a full-scale value adds peak / 96. A cut without one would
     * step by up to 2 x peak. */
    double sine_step = 2 * M_PI * freq / RATE * peak;
    double bound = sine_step + peak / 96.0 * 1.5;
    CHECK(peak > 0.5f);
    CHECK_MSG(worst <= bound, "largest step %.4f, bound %.4f (peak %.3f)", worst, bound,
              peak);
    printf("     largest step %.4f (sine alone %.4f, bound %.4f)\n", worst, sine_step,
           bound);
    free(out);
    song_free(s);
}

/* The audition's playhead comes from its voice: after n frames of a
 * slice from `from`, the engine says it reads frame from + n (at the
 * sample's own rate), from + n / 2 for a sample at half the engine's
 * rate; once the slice has played, that it has ended. */
static void the_audition_playhead_is_the_voice(void)
{
    for (int half = 0; half <= 1; half++) {
        Sample *sample = level_steps();
        if (half)
            sample->rate = RATE / 2;
        Song *song = synth_song(1, 4, 125, 6);
        Engine *e = engine_new(song, RATE);
        const EngineStatus *st = engine_status(e);
        CHECK(atomic_load(&st->audition_frame) == UINT32_MAX);
        const uint32_t points[] = {SLICE_FRAMES, 2 * SLICE_FRAMES};
        Instrument *inst = sliced(sample, points, 2, true);
        EngineCommand cmd = {.type = ENGINE_CMD_PREVIEW_SAMPLE, .b = NOTE_C4, .c = 64,
                             .ptr = inst};
        CHECK(engine_send(e, &cmd));
        float out[2 * 1000];
        engine_render(e, out, 1000);
        CHECK(atomic_load(&st->auditions_started) == 1);
        uint32_t want = SLICE_FRAMES + (half ? 500 : 1000);
        uint32_t got = atomic_load(&st->audition_frame);
        CHECK_MSG(got + 1 >= want && got <= want, "rate /%d: frame %u, %u expected", half + 1,
                  got, want);
        for (int i = 0; i < 14; i++)
            engine_render(e, out, 1000);
        CHECK_MSG(atomic_load(&st->audition_frame) == UINT32_MAX,
                  "rate /%d: still at frame %u after the slice", half + 1,
                  atomic_load(&st->audition_frame));
        engine_free(e);
        song_free(song);
    }
}

int main(void)
{
    RUN(notes_and_sxx_pick_slices);
    RUN(a_slice_ends_at_the_next_point);
    RUN(slice_edges_never_click);
    RUN(the_audition_playhead_is_the_voice);
    return test_finish();
}
