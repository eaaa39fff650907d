/* Reverse play (the instrument's `reverse`), measured from the output: a
 * reversed ramp comes out as the mirrored ramp in every interpolation mode
 * and at any step; 9xx, start and end count as hiss(5) says; a reversed
 * one-shot fades out at the file's first frame instead of clicking.
 * Reversed loops and their seams are measured with the forward ones in
 * test_engine_interp. At 48 kHz the declick ramp is 64 frames. */
#include <stdlib.h>

#include "common/synth_song.h"
#include "engine.h"
#include "sampleio.h"
#include "test.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define RAMP 64u

static float *play(Instrument *inst, int note, uint8_t fx, uint8_t param, uint32_t frames)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, (uint8_t)note, 1, E, fx, param);
    float *out = synth_render(s, RATE, frames, 100);
    song_free(s);
    return out;
}

static Instrument *reversed(Sample *smp, LoopMode loop, uint32_t ls, uint32_t le,
                            InterpMode mode)
{
    Instrument *inst = synth_instrument(smp, loop, ls, le, mode);
    inst->shape[SHAPE_REVERSE] = 1;
    return inst;
}

/* The sample's frames back to front (mono). */
static Sample *mirrored(const Sample *smp)
{
    float *buf = malloc(sizeof(float) * smp->frames);
    for (uint32_t i = 0; i < smp->frames; i++)
        buf[i] = smp->data[smp->frames - 1 - i];
    Sample *m = sample_new(buf, smp->frames, 1, smp->rate);
    free(buf);
    return m;
}

/* Frame i of synth_index holds (i + 1) / 1024. */
static float index_value(int64_t frame)
{
    return (float)(frame + 1) / 1024.0f;
}

static void reversed_ramp_is_the_mirrored_ramp(void)
{
    enum { N = 1000 }; /* frames: the ramp stays below full scale */
    for (InterpMode mode = 0; mode < INTERP_COUNT; mode++) {
        /* At the sample's own pitch every mode reads whole frames. */
        float *out = play(reversed(synth_index(RATE, N), LOOP_OFF, 0, 0, mode), NOTE_C4, 0, 0,
                          N + 200);
        float worst = 0;
        for (uint32_t k = RAMP; k < N - RAMP; k++)
            for (int c = 0; c < 2; c++)
                worst = fmaxf(worst, fabsf(out[2 * k + c] - index_value(N - 1 - k)));
        CHECK_MSG(worst < 1e-6f, "%s: %.3g from the mirrored ramp", song_interp_name(mode),
                  worst);
        CHECK(synth_peak(out, N, 200, 0) == 0.0f);
        free(out);
        /* At other steps: the same as the mirrored sample played forwards.
         * Sinc more than an octave up: the forward voice reads the octave
         * levels, the reversed one (levels run forwards) a widened kernel,
         * so the two ramps agree closely, not to the bit. */
        static const int notes[] = {NOTE_C4 - 5, NOTE_C4 + 7, NOTE_C4 + 19};
        for (size_t n = 0; n < HISS_ARRAY_LEN(notes); n++) {
            bool levels = mode == INTERP_SINC && notes[n] > NOTE_C4 + 12;
            Sample *fwd = synth_index(RATE, N);
            Sample *back = mirrored(fwd);
            HissDiag d = {{0}};
            CHECK(!levels || (sampleio_add_levels(fwd, &d) == HISS_OK &&
                              sampleio_add_levels(back, &d) == HISS_OK && fwd->level_count));
            double step = exp2((notes[n] - NOTE_C4) / 12.0);
            uint32_t len = (uint32_t)(N / step);
            float *a = play(reversed(fwd, LOOP_OFF, 0, 0, mode), notes[n], 0, 0, len);
            float *b = play(synth_instrument(back, LOOP_OFF, 0, 0, mode), notes[n], 0, 0, len);
            float diff = 0;
            for (uint32_t k = levels ? RAMP : 0; k + 2 * RAMP < len; k++)
                diff = fmaxf(diff, fabsf(a[2 * k] - b[2 * k]));
            CHECK_MSG(diff < (levels ? 1e-3f : 1e-6f),
                      "%s, note %+d: reversed differs from mirrored by %.3g",
                      song_interp_name(mode), notes[n] - NOTE_C4, diff);
            if (levels)
                printf("     sinc +19, reversed against levels: %.2g apart\n", diff);
            free(a);
            free(b);
        }
    }
}

/* 9xx counts from where the reversed note starts (the file's end, or the
 * end point) towards the file's start; the start point is where it stops. */
static void offset_start_and_end_count_backwards(void)
{
    enum { N = 1000 }; /* frames: the ramp stays below full scale */
    float *out = play(reversed(synth_index(RATE, N), LOOP_OFF, 0, 0, INTERP_LINEAR), NOTE_C4,
                      '9', 0x02, N);
    CHECK_NEAR(out[2 * 100], index_value(N - 1 - 512 - 100), 1e-6);
    CHECK(synth_peak(out, N - 512, 512, 0) == 0.0f);
    free(out);

    Instrument *inst = reversed(synth_index(RATE, N), LOOP_OFF, 0, 0, INTERP_LINEAR);
    inst->shape[SHAPE_START] = 200;
    inst->shape[SHAPE_END] = 600;
    out = play(inst, NOTE_C4, 0, 0, N);
    CHECK_NEAR(out[2 * 100], index_value(599 - 100), 1e-6);
    CHECK_NEAR(out[2 * 300], index_value(599 - 300), 1e-6);
    /* File frames 599 down to 200: 400 frames, the last 64 fading out to
     * silence on the last. */
    CHECK(out[2 * 336] > 0.95f * index_value(263));
    CHECK(out[2 * 398] > 0.0f && out[2 * 398] < index_value(201) / 32);
    CHECK(synth_peak(out, 399, N - 399, 0) == 0.0f);
    free(out);

    /* A reversed slice plays its own frames back to front. */
    inst = reversed(synth_index(RATE, N), LOOP_OFF, 0, 0, INTERP_LINEAR);
    uint32_t points[2] = {0, 400};
    song_instrument_set_slices(inst, points, 2);
    inst->shape[SHAPE_SLICE_MODE] = 1;
    out = play(inst, NOTE_C4 + 1, 0, 0, N);
    CHECK_NEAR(out[2 * 300], index_value(N - 1 - 300), 1e-6);
    CHECK(synth_peak(out, N - 400, 400, 0) == 0.0f);
    free(out);
}

/* A sample that starts loud (a drum) ends loud when reversed: the voice
 * fades over the declick ramp instead of stopping dead. */
static void reversed_one_shot_ends_without_a_click(void)
{
    for (InterpMode mode = 0; mode < INTERP_COUNT; mode++) {
        float *out = play(reversed(synth_dc(RATE, 1000, 0.5f), LOOP_OFF, 0, 0, mode), NOTE_C4, 0,
                          0, 1200);
        float jump = 0;
        for (uint32_t k = RAMP + 8; k + 1 < 1200; k++)
            jump = fmaxf(jump, fabsf(out[2 * (k + 1)] - out[2 * k]));
        CHECK_MSG(jump < 0.5f / RAMP * 1.5f, "%s: a step of %.3g at the end",
                  song_interp_name(mode), jump);
        CHECK(synth_peak(out, 1000, 200, 0) == 0.0f);
        free(out);
    }
}

/* The beat with every instrument reversed (one-shots, loops, slices of
 * the modes it has) gives the same samples in any block size. */
static void reversed_beat_is_block_size_invariant(void)
{
    uint32_t frames = RATE * 3;
    Song *s = synth_beat(RATE);
    for (int i = 1; i <= SONG_MAX_INSTRUMENTS; i++) {
        Instrument *inst = atomic_load(&s->instruments[i]);
        if (inst) {
            inst->shape[SHAPE_REVERSE] = 1;
            inst->interp = (InterpMode)(i % INTERP_COUNT);
        }
    }
    float peak;
    CHECK(synth_same_in_any_block(s, RATE, frames, &peak));
    CHECK(peak > 0.01f);
    song_free(s);
}

int main(void)
{
    RUN(reversed_ramp_is_the_mirrored_ramp);
    RUN(offset_start_and_end_count_backwards);
    RUN(reversed_one_shot_ends_without_a_click);
    RUN(reversed_beat_is_block_size_invariant);
    return test_finish();
}
