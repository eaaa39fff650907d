/* Audio property tests for the engine core: pitch, timing, loops,
 * interpolation, block-size invariance and determinism, measured from the
 * rendered output. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "common/synth_song.h"
#include "test.h"

#define E VOLUME_EMPTY

static const InterpMode MODES[4] = {INTERP_RAW, INTERP_LINEAR, INTERP_CUBIC, INTERP_SINC};

/* A looping 480 Hz sine (exactly 100 frames a cycle at 48 kHz) played at
 * `note` against base C-4 must come out at 480 * ratio. */
static double rendered_pitch(InterpMode mode, int note, int finetune,
                             uint32_t rate)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(synth_sine(rate, rate / 100.0, rate, 1, 0.5f),
                                        LOOP_FORWARD, 0, 0, mode);
    inst->finetune = finetune;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, (uint8_t)note, 1, E, 0, 0);
    float *out = synth_render(s, rate, rate * 2, 512);
    double f = synth_frequency(out, rate / 10, rate, 0, rate);
    free(out);
    song_free(s);
    return f;
}

static void pitch_matches_note_in_every_mode(void)
{
    static const struct { int semis, cents; } cases[] = {
        {0, 0}, {7, 0}, {-12, 0}, {3, 0}, {5, 37}, {-5, -50}};
    for (int m = 0; m < 4; m++) {
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            uint32_t rate = k % 2 ? 44100 : 48000;
            /* Equal temperament, worked out here, not by the code under
             * test: the sample's rate/100 Hz times 2^(semitones/12). */
            double want = rate / 100.0 *
                          pow(2, (cases[k].semis + cases[k].cents / 100.0) / 12.0);
            double got = rendered_pitch(MODES[m], NOTE_C4 + cases[k].semis,
                                        cases[k].cents, rate);
            CHECK_MSG(fabs(got - want) / want < 2e-4, "%s %+d semis %+d cents: %.4f Hz, want %.4f",
                      song_interp_name(MODES[m]), cases[k].semis, cases[k].cents, got, want);
        }
    }
}

/* A DC sample makes the onset the first non-zero frame. */
static void row_onset_is_sample_accurate(void)
{
    static const struct { int bpm, speed; } tempos[] = {{125, 6}, {90, 3}, {173, 4}, {255, 1}, {32, 31}};
    static const uint32_t rates[] = {44100, 48000};
    for (size_t t = 0; t < sizeof tempos / sizeof tempos[0]; t++) {
        for (int r = 0; r < 2; r++) {
            uint32_t rate = rates[r];
            Song *s = synth_song(2, 16, tempos[t].bpm, tempos[t].speed);
            synth_set_instrument(s, 1, synth_instrument(synth_dc(rate, rate * 40, 0.5f), LOOP_OFF, 0, 0, INTERP_LINEAR));
            synth_put(s, 0, 3, 0, NOTE_C4, 1, E, 0, 0);
            synth_put(s, 0, 13, 1, NOTE_C4, 1, E, 0, 0);
            uint64_t want3 = synth_row_frame(rate, tempos[t].bpm, tempos[t].speed, 3);
            uint64_t want13 = synth_row_frame(rate, tempos[t].bpm, tempos[t].speed, 13);
            uint32_t frames = (uint32_t)want13 + 100;
            static const uint32_t blocks[] = {1023, 64, 1};
            for (int b = 0; b < (tempos[t].speed == 31 ? 1 : 3); b++) {
                float *out = synth_render(s, rate, frames, blocks[b]);
                uint32_t on3 = synth_first_above(out, 0, frames, 0.0f);
                CHECK_MSG(on3 == want3, "%d bpm speed %d at %u: row 3 at %u, want %llu",
                          tempos[t].bpm, tempos[t].speed, rate, on3, (unsigned long long)want3);
                /* Channel 1 starts on row 13: the left sum doubles there. */
                uint32_t on13 = UINT32_MAX;
                for (uint32_t i = on3 + 1000; i < frames; i++)
                    if (out[2 * i] > 0.5f + 1e-6f) {
                        on13 = i;
                        break;
                    }
                CHECK_MSG(on13 == want13, "%d/%d at %u: row 13 at %u, want %llu",
                          tempos[t].bpm, tempos[t].speed, rate, on13, (unsigned long long)want13);
                free(out);
            }
            song_free(s);
        }
    }
}

/* Tempo in tenths of a BPM: 92.5 BPM puts a row at rate x 2.5 x ticks /
 * 92.5 seconds' worth of frames (rounded down), worked out here. */
static void fractional_bpm_row_onset(void)
{
    static const int tenths[] = {925, 1201, 1799};
    uint32_t rate = 48000;
    for (size_t t = 0; t < sizeof tenths / sizeof tenths[0]; t++) {
        Song *s = synth_song(1, 32, 120, 6);
        atomic_store(&s->bpm_tenths, tenths[t]);
        synth_set_instrument(s, 1, synth_instrument(synth_dc(rate, rate * 40, 0.5f),
                                                    LOOP_OFF, 0, 0, INTERP_LINEAR));
        synth_put(s, 0, 21, 0, NOTE_C4, 1, E, 0, 0);
        uint64_t want = (uint64_t)21 * 6 * rate * 25 / (uint64_t)tenths[t];
        uint32_t frames = (uint32_t)want + 100;
        float *out = synth_render(s, rate, frames, 64);
        uint32_t on = synth_first_above(out, 0, frames, 0.0f);
        CHECK_MSG(on == want, "%d.%d BPM: row 21 at %u, want %llu", tenths[t] / 10,
                  tenths[t] % 10, on, (unsigned long long)want);
        free(out);
        song_free(s);
    }
}

/* Plays an index sample at its own pitch and returns the frame index read
 * at each output frame from `from` on (raw and linear read exact frames). */
static void read_indices(InterpMode mode, LoopMode loop, uint32_t ls, uint32_t le,
                         uint32_t frames, uint32_t from, int *idx, int count)
{
    uint32_t rate = 48000;
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_index(rate, frames), loop, ls, le, mode));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    float *out = synth_render(s, rate, from + (uint32_t)count, 100);
    for (int i = 0; i < count; i++)
        idx[i] = (int)lrintf(out[2 * (from + i)] * 1024.0f) - 1;
    free(out);
    song_free(s);
}

static void forward_loop_follows_index_sequence(void)
{
    for (int m = 0; m < 4; m++) {
        int idx[300];
        read_indices(MODES[m], LOOP_FORWARD, 40, 50, 60, 100, idx, 300);
        for (int i = 0; i < 300; i++) {
            int want = 40 + (100 + i - 40) % 10;
            CHECK_MSG(idx[i] == want, "%s frame %d read %d want %d",
                      song_interp_name(MODES[m]), 100 + i, idx[i], want);
            if (idx[i] != want)
                break;
        }
        /* loop end 0 = the whole sample */
        read_indices(MODES[m], LOOP_FORWARD, 10, 0, 30, 70, idx, 100);
        for (int i = 0; i < 100; i++)
            CHECK(idx[i] == 10 + (70 + i - 10) % 20);
    }
}

static void pingpong_loop_follows_index_sequence(void)
{
    for (int m = 0; m < 4; m++) {
        int idx[300];
        read_indices(MODES[m], LOOP_PINGPONG, 40, 50, 60, 100, idx, 300);
        /* 0..49, then 48..41, 40..49, 48..41, ... (period 18) */
        for (int i = 0; i < 300; i++) {
            int k = (100 + i - 40) % 18;
            int want = k < 10 ? 40 + k : 58 - k;
            CHECK_MSG(idx[i] == want, "%s frame %d read %d want %d",
                      song_interp_name(MODES[m]), 100 + i, idx[i], want);
            if (idx[i] != want)
                break;
        }
    }
}

static void out_of_range_loop_points_are_clamped(void)
{
    int idx[100];
    /* end beyond the sample: clamped to the end */
    read_indices(INTERP_RAW, LOOP_FORWARD, 20, 5000, 30, 100, idx, 100);
    for (int i = 0; i < 100; i++)
        CHECK(idx[i] == 20 + (100 + i - 20) % 10);
    /* start after end: no loop, the sample just ends */
    read_indices(INTERP_RAW, LOOP_PINGPONG, 50, 10, 60, 100, idx, 100);
    for (int i = 0; i < 100; i++)
        CHECK(idx[i] == -1);
}

static void sample_at_its_own_rate_loops_in_its_own_frames(void)
{
    /* A 24 kHz sample played raw at 48 kHz holds each of its frames for two
     * output frames, and its loop points count its own frames. */
    uint32_t rate = 48000;
    Sample *src = synth_index(rate, 200);
    Sample *smp = sample_new(src->data, 200, 1, 24000);
    sample_release(src);
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(smp, LOOP_FORWARD, 20, 30, INTERP_RAW));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    float *out = synth_render(s, rate, 400, 64);
    for (int i = 64; i < 400; i++) { /* after the note's declick ramp */
        int got = (int)lrintf(out[2 * i] * 1024.0f) - 1;
        int u = i / 2;
        int want = u < 30 ? u : 20 + (u - 20) % 10;
        CHECK_MSG(got == want, "frame %d read %d want %d", i, got, want);
        if (got != want)
            break;
    }
    free(out);
    song_free(s);
}

static void stereo_samples_keep_their_sides(void)
{
    uint32_t rate = 48000;
    float data[2000];
    for (int i = 0; i < 1000; i++) {
        data[2 * i] = 0.25f;
        data[2 * i + 1] = -0.5f;
    }
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(sample_new(data, 1000, 2, rate),
                                                LOOP_FORWARD, 0, 0, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4 + 5, 1, E, 0, 0);
    float *out = synth_render(s, rate, 2000, 64);
    CHECK_NEAR(out[2 * 1500], 0.25f, 1e-6);
    CHECK_NEAR(out[2 * 1500 + 1], -0.5f, 1e-6);
    free(out);
    song_free(s);
}

static void raw_sounds_stepped_and_linear_smooth(void)
{
    /* At a quarter speed, raw repeats each frame 4 times; linear moves. */
    uint32_t rate = 48000;
    for (int m = 0; m < 2; m++) {
        Song *s = synth_song(1, 16, 125, 6);
        synth_set_instrument(s, 1, synth_instrument(synth_index(rate, 900), LOOP_OFF, 0, 0, MODES[m]));
        synth_put(s, 0, 0, 0, NOTE_C4 - 24, 1, E, 0, 0);
        float *out = synth_render(s, rate, 1000, 64);
        int repeats = 0;
        for (int i = 200; i < 600; i++)
            repeats += out[2 * i] == out[2 * i + 2];
        if (MODES[m] == INTERP_RAW)
            CHECK_MSG(repeats == 300, "raw repeats %d", repeats);
        else
            CHECK_MSG(repeats == 0, "linear repeats %d", repeats);
        CHECK_NEAR(out[2 * 400], (400 / 4.0 + 1) / 1024.0, 1.0 / 1024);
        free(out);
        song_free(s);
    }
}

static void block_size_does_not_change_output(void)
{
    uint32_t rate = 48000, frames = rate * 3;
    Song *songs[2] = {synth_beat(rate), synth_every_effect(rate)};
    for (int k = 0; k < 2; k++) {
        for (int m = 0; m < 4; m++) {
            synth_force_interp(songs[k], MODES[m]);
            float *a = synth_render(songs[k], rate, frames, 1);
            float *b = synth_render(songs[k], rate, frames, 64);
            float *c = synth_render(songs[k], rate, frames, 1023);
            CHECK_MSG(!memcmp(a, b, sizeof(float) * 2 * frames), "song %d %s: 1 vs 64", k, song_interp_name(MODES[m]));
            CHECK_MSG(!memcmp(a, c, sizeof(float) * 2 * frames), "song %d %s: 1 vs 1023", k, song_interp_name(MODES[m]));
            CHECK(synth_peak(a, 0, frames, 0) > 0.01f);
            free(a);
            free(b);
            free(c);
        }
        song_free(songs[k]);
    }
}

static void render_is_deterministic(void)
{
    uint32_t rate = 44100, frames = rate * 2;
    Song *s = synth_beat(rate);
    float *a = synth_render(s, rate, frames, 256);
    float *b = synth_render(s, rate, frames, 256);
    CHECK(!memcmp(a, b, sizeof(float) * 2 * frames));
    free(a);
    free(b);
    song_free(s);
}

int main(void)
{
    RUN(pitch_matches_note_in_every_mode);
    RUN(row_onset_is_sample_accurate);
    RUN(fractional_bpm_row_onset);
    RUN(forward_loop_follows_index_sequence);
    RUN(pingpong_loop_follows_index_sequence);
    RUN(out_of_range_loop_points_are_clamped);
    RUN(sample_at_its_own_rate_loops_in_its_own_frames);
    RUN(stereo_samples_keep_their_sides);
    RUN(raw_sounds_stepped_and_linear_smooth);
    RUN(block_size_does_not_change_output);
    RUN(render_is_deterministic);
    return test_finish();
}
