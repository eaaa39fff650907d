/* Effect semantics measured from the output: offsets, delays, cuts,
 * retriggers, pattern delay, volume and pan, slides, arpeggio, vibrato, tempo, order
 * control, swing and declick. At 125 BPM and 48 kHz a tick is exactly
 * 960 frames, which keeps the expected frames readable. */
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "test.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define TICK 960u

static float *render(Song *s, uint32_t frames)
{
    return synth_render(s, RATE, frames, 256);
}

static double pitch_between(const float *out, uint32_t from, uint32_t to)
{
    return synth_frequency(out, from, to - from, 0, RATE);
}

static bool near_ratio(double got, double want, double tol)
{
    return fabs(got - want) / want < tol;
}

/* A looping 480 Hz sine with base note C-4. */
static Song *sine_song(int channels, int speed)
{
    Song *s = synth_song(channels, 64, 125, speed);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 480.0, RATE, 1, 0.5f),
                                                LOOP_FORWARD, 0, 0, INTERP_LINEAR));
    return s;
}

static Song *dc_song(int channels, int speed, uint32_t frames)
{
    Song *s = synth_song(channels, 64, 125, speed);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, frames, 0.5f), LOOP_OFF, 0, 0, INTERP_LINEAR));
    return s;
}

static void sample_offset_starts_at_256_frame_steps(void)
{
    /* At the sample's own pitch every mode reads whole frames exactly. */
    for (InterpMode mode = 0; mode < INTERP_COUNT; mode++) {
        Song *s = synth_song(1, 64, 125, 6);
        synth_set_instrument(s, 1, synth_instrument(synth_index(RATE, 1024), LOOP_OFF, 0, 0, mode));
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '9', 0x01);
        synth_put(s, 0, 1, 0, NOTE_C4, 1, E, '9', 0x00); /* memory: 256 again */
        synth_put(s, 0, 2, 0, NOTE_C4, 1, E, '9', 0x0F); /* past the end: silent */
        float *out = render(s, 3 * 6 * TICK);
        CHECK_MSG(fabsf(out[2 * 100] - (256 + 100 + 1) / 1024.0f) < 1e-6f, "%s: %f",
                  song_interp_name(mode), out[2 * 100]);
        CHECK_MSG(fabsf(out[2 * (5760 + 100)] - (256 + 100 + 1) / 1024.0f) < 1e-6f, "%s",
                  song_interp_name(mode));
        CHECK(synth_peak(out, 2 * 5760 + 64, 5760 - 64, 0) == 0.0f);
        free(out);
        song_free(s);
    }
}

static void note_delay_starts_on_its_tick(void)
{
    for (int d = 1; d <= 5; d++) {
        Song *s = dc_song(1, 6, RATE);
        synth_put(s, 0, 2, 0, NOTE_C4, 1, E, 'E', (uint8_t)(0xD0 | d));
        float *out = render(s, 4 * 6 * TICK);
        uint32_t on = synth_first_above(out, 0, 4 * 6 * TICK, 0.0f);
        CHECK_MSG(on == 2 * 6 * TICK + d * TICK, "ED%d at %u", d, on);
        free(out);
        song_free(s);
    }
    /* a delay of the whole row or more: the note never plays */
    Song *s = dc_song(1, 3, RATE);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0xD3);
    float *out = render(s, 6 * TICK);
    CHECK(synth_peak(out, 0, 6 * TICK, 0) == 0.0f);
    free(out);
    song_free(s);
}

/* EEx: the row lasts 1 + x times its ticks; its notes start once, and the
 * next row's note starts after the repeats, in both slide modes. E93 on
 * the delayed row restarts on tick 3 of each pass, never on a repeat's
 * tick 0 (the row has a note), as in ProTracker. */
static void pattern_delay_repeats_the_row_not_its_notes(void)
{
    for (int amiga = 0; amiga < 2; amiga++) {
        for (int x = 0; x <= 3; x++) {
            Song *s = dc_song(2, 6, 200);
            atomic_store(&s->slides, amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
            synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
            synth_put(s, 0, 0, 1, NOTE_EMPTY, 0, E, 'E', (uint8_t)(0xE0 | x));
            synth_put(s, 0, 1, 0, NOTE_C4, 1, E, 0, 0);
            uint32_t frames = (uint32_t)(x + 3) * 6 * TICK;
            float *out = render(s, frames);
            uint32_t next = (uint32_t)(x + 1) * 6 * TICK;
            CHECK_MSG(synth_bursts(out, frames, 0.0f, 300) == 2, "%s EE%d: %d onsets",
                      amiga ? "amiga" : "linear", x, synth_bursts(out, frames, 0.0f, 300));
            CHECK_MSG(synth_first_above(out, 300, frames, 0.0f) == next, "%s EE%d: %u, want %u",
                      amiga ? "amiga" : "linear", x, synth_first_above(out, 300, frames, 0.0f),
                      next);
            free(out);
            song_free(s);
        }
        Song *s = dc_song(1, 6, 200);
        atomic_store(&s->slides, amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0x93);
        synth_put2(s, 0, 0, 0, 'E', 0xE2);
        float *out = render(s, 20 * TICK);
        static const uint32_t at[5] = {0, 3, 9, 15, 18 * 6};
        uint32_t from = 0;
        for (int k = 0; k < 4; k++) {
            uint32_t on = synth_first_above(out, from, 20 * TICK, 0.0f);
            CHECK_MSG(on == at[k] * TICK, "%s E93 EE2: onset %d at %u, want %u",
                      amiga ? "amiga" : "linear", k, on, at[k] * TICK);
            from = on + 300;
        }
        CHECK(synth_bursts(out, 20 * TICK, 0.0f, 300) == 4);
        free(out);
        song_free(s);
        /* ED2 with EE1: the note starts on tick 2, and in amiga mode
         * again on the repeat's tick 2, as in ProTracker. */
        s = dc_song(1, 6, 200);
        atomic_store(&s->slides, amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0xD2);
        synth_put2(s, 0, 0, 0, 'E', 0xE1);
        out = render(s, 14 * TICK);
        CHECK(synth_first_above(out, 0, 14 * TICK, 0.0f) == 2 * TICK);
        CHECK_MSG(synth_bursts(out, 14 * TICK, 0.0f, 300) == (amiga ? 2 : 1), "%s ED2 EE1: %d",
                  amiga ? "amiga" : "linear", synth_bursts(out, 14 * TICK, 0.0f, 300));
        if (amiga)
            CHECK(synth_first_above(out, 2 * TICK + 300, 14 * TICK, 0.0f) == 8 * TICK);
        free(out);
        song_free(s);
        /* ED7 at speed 6 never plays, EE1 or not. */
        s = dc_song(1, 6, 200);
        atomic_store(&s->slides, amiga ? SLIDES_AMIGA : SLIDES_LINEAR);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0xD7);
        synth_put2(s, 0, 0, 0, 'E', 0xE1);
        out = render(s, 14 * TICK);
        CHECK(synth_peak(out, 0, 14 * TICK, 0) == 0.0f);
        free(out);
        song_free(s);
    }
}

static void note_cut_silences_from_its_tick(void)
{
    Song *s = dc_song(1, 6, RATE);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0xC2);
    float *out = render(s, 6 * TICK);
    CHECK_NEAR(out[2 * (2 * TICK - 1)], 0.5, 1e-6);
    CHECK(out[2 * (2 * TICK + 1)] < 0.5f && out[2 * (2 * TICK + 1)] > 0.4f);
    CHECK(synth_peak(out, 2 * TICK + 128, 3 * TICK, 0) == 0.0f);
    free(out);
    song_free(s);
}

static void retrigger_counts_onsets(void)
{
    /* E93 at speed 6: tick 0 and 3 of the note's row, tick 3 of the next */
    Song *s = dc_song(1, 6, 200);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'E', 0x93);
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'E', 0x93);
    float *out = render(s, 12 * TICK);
    CHECK_MSG(synth_bursts(out, 12 * TICK, 0.0f, 300) == 3, "%d", synth_bursts(out, 12 * TICK, 0.0f, 300));
    CHECK(synth_first_above(out, 300, 12 * TICK, 0.0f) == 3 * TICK);
    CHECK(synth_first_above(out, 3 * TICK + 300, 12 * TICK, 0.0f) == 9 * TICK);
    free(out);
    song_free(s);

    /* R23: every 3 ticks across rows, 2 volume steps quieter each time */
    s = dc_song(1, 6, 200);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'R', 0x23);
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'R', 0x00);
    out = render(s, 12 * TICK);
    CHECK(synth_bursts(out, 12 * TICK, 0.0f, 300) == 4);
    for (int k = 0; k < 4; k++) {
        uint32_t at = (uint32_t)k * 3 * TICK;
        CHECK(synth_first_above(out, at > 0 ? at - 300 : 0, 12 * TICK, 0.0f) == at);
        CHECK_NEAR(synth_peak(out, at, 200, 0), 0.5 * (64 - 2 * k) / 64.0, 1e-6);
    }
    free(out);
    song_free(s);
}

static void volume_and_pan_commands(void)
{
    Song *s = dc_song(1, 6, RATE * 2);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, 16, 0, 0);    /* volume column */
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'C', 0x20);
    synth_put(s, 0, 2, 0, NOTE_EMPTY, 0, E, '8', 0x00);
    synth_put(s, 0, 3, 0, NOTE_EMPTY, 0, E, '8', 0xFF);
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, E, '8', 0x80);
    synth_put(s, 0, 5, 0, NOTE_EMPTY, 0, E, 'C', 0x50); /* clamps to 64 */
    float *out = render(s, 6 * 5760);
    uint32_t mid = 2880;
    CHECK_NEAR(out[2 * mid], 0.5 * 16 / 64, 1e-6);
    CHECK_NEAR(out[2 * (5760 + mid)], 0.5 * 0.5, 1e-6);
    CHECK_NEAR(out[2 * (2 * 5760 + mid)], 0.25, 1e-6);
    CHECK_NEAR(out[2 * (2 * 5760 + mid) + 1], 0.0, 1e-6);
    CHECK_NEAR(out[2 * (3 * 5760 + mid)], 0.0, 1e-6);
    CHECK_NEAR(out[2 * (3 * 5760 + mid) + 1], 0.25, 1e-6);
    CHECK_NEAR(out[2 * (4 * 5760 + mid)], 0.25, 1e-6);
    CHECK_NEAR(out[2 * (4 * 5760 + mid) + 1], 0.25, 1e-6);
    CHECK_NEAR(out[2 * (5 * 5760 + mid)], 0.5, 1e-6);
    free(out);
    song_free(s);

    /* instrument volume and pan are the note's defaults */
    s = dc_song(1, 6, RATE);
    Instrument *inst = atomic_load(&s->instruments[1]);
    inst->volume = 32;
    inst->pan = -100;
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    out = render(s, 5760);
    CHECK_NEAR(out[2 * 1000], 0.25, 1e-6);
    CHECK_NEAR(out[2 * 1000 + 1], 0.0, 1e-6);
    free(out);
    song_free(s);
}

static void volume_slides(void)
{
    Song *s = dc_song(1, 6, RATE * 2);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 'A', 0x02);  /* -2 x 5 ticks */
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'A', 0x00); /* memory */
    synth_put(s, 0, 2, 0, NOTE_EMPTY, 0, E, 'A', 0x30); /* +3 x 5 */
    synth_put(s, 0, 3, 0, NOTE_EMPTY, 0, E, 'E', 0xB4); /* -4 once */
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, E, 'E', 0xA1); /* +1 once */
    synth_put2(s, 0, 4, 0, 'A', 0x01);                  /* both columns */
    float *out = render(s, 5 * 5760);
    CHECK_NEAR(out[2 * 5700], 0.5 * 54 / 64, 1e-6);
    CHECK_NEAR(out[2 * (5760 + 5700)], 0.5 * 44 / 64, 1e-6);
    CHECK_NEAR(out[2 * (2 * 5760 + 5700)], 0.5 * 59 / 64, 1e-6);
    CHECK_NEAR(out[2 * (3 * 5760 + 5700)], 0.5 * 55 / 64, 1e-6);
    CHECK_NEAR(out[2 * (4 * 5760 + 5700)], 0.5 * 51 / 64, 1e-6);
    free(out);
    song_free(s);
}

static void pan_slide(void)
{
    Song *s = dc_song(1, 6, RATE);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '8', 0x80);
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'P', 0x08); /* left by 8 x 5 */
    float *out = render(s, 2 * 5760);
    /* pan 88: right gain 1 - 40/128 */
    CHECK_NEAR(out[2 * (5760 + 5700)], 0.5, 1e-6);
    CHECK_NEAR(out[2 * (5760 + 5700) + 1], 0.5 * (1 - 40.0 / 128), 1e-6);
    free(out);
    song_free(s);
}

static void portamento_reaches_pitch(void)
{
    static const struct { uint8_t fx, param; double semis; } cases[] = {
        {'1', 0x10, 5.0},  /* 64 units (1 semitone) per tick, 5 ticks */
        {'2', 0x10, -5.0},
        {'1', 0x04, 1.25},
        {'E', 0x18, 0.5},  /* fine: 32 units once */
        {'E', 0x2C, -0.75},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Song *s = sine_song(1, 6);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, cases[k].fx, cases[k].param);
        float *out = render(s, 5 * 5760);
        double want = 480.0 * pow(2.0, cases[k].semis / 12.0);
        double got = pitch_between(out, 2 * 5760, 5 * 5760);
        CHECK_MSG(near_ratio(got, want, 2e-4), "%c%02X: %.3f Hz want %.3f", cases[k].fx, cases[k].param, got, want);
        free(out);
        song_free(s);
    }
}

static void tone_portamento_glides_to_the_note(void)
{
    /* fast: reaches G-4 on the first tick of the row and stays */
    Song *s = sine_song(1, 6);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 1, 0, NOTE_C4 + 7, 0, E, '3', 0xFF);
    float *out = render(s, 5 * 5760);
    CHECK(near_ratio(pitch_between(out, 100, 5700), 480.0, 2e-4));
    CHECK(near_ratio(pitch_between(out, 5760 + TICK + 50, 4 * 5760), 480.0 * pow(2, 7 / 12.0), 2e-4));
    free(out);
    song_free(s);

    /* slow with memory (3xx then 300 / 5xy): 16 units a tick, 80 a row;
     * E-4 is 256 units away: reached during the 4th row, never passed */
    s = sine_song(1, 6);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 1, 0, NOTE_C4 + 4, 0, E, '3', 0x04);
    synth_put(s, 0, 2, 0, NOTE_EMPTY, 0, E, '3', 0x00);
    synth_put(s, 0, 3, 0, NOTE_EMPTY, 0, E, '5', 0x00);
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, E, '3', 0x00);
    synth_put(s, 0, 5, 0, NOTE_EMPTY, 0, E, '3', 0x00);
    out = render(s, 8 * 5760);
    double mid = pitch_between(out, 2 * 5760 + TICK, 2 * 5760 + 2 * TICK);
    CHECK(mid > 480.0 * 1.05 && mid < 480.0 * pow(2, 4 / 12.0));
    CHECK(near_ratio(pitch_between(out, 2 * 5760 + 50, 2 * 5760 + TICK - 10),
                     480.0 * pow(2, 80 / 768.0), 1e-3));
    CHECK(near_ratio(pitch_between(out, 5 * 5760, 8 * 5760), 480.0 * pow(2, 4 / 12.0), 2e-4));
    free(out);
    song_free(s);
}

/* What hiss(5) says under 3xx: the slide moves only on rows that carry
 * it. A row without an effect leaves the pitch where the slide got to,
 * short of the note; 300 on the next row goes on at the same speed. */
static void tone_portamento_stops_on_a_row_without_effect(void)
{
    Song *s = sine_song(1, 6);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 1, 0, NOTE_C4 + 4, 0, E, '3', 0x04); /* 16 units a tick */
    synth_put(s, 0, 3, 0, NOTE_EMPTY, 0, E, '3', 0x00);
    float *out = render(s, 5 * 5760);
    double after_one = 480.0 * pow(2, 80 / 768.0), after_two = 480.0 * pow(2, 160 / 768.0);
    double row2 = pitch_between(out, 2 * 5760 + 50, 3 * 5760 - 10);
    CHECK_MSG(near_ratio(row2, after_one, 1e-3), "row 2: %.3f Hz want %.3f", row2, after_one);
    double row3_end = pitch_between(out, 3 * 5760 + 5 * TICK + 50, 4 * 5760 - 10);
    CHECK_MSG(near_ratio(row3_end, after_two, 1e-3), "row 3: %.3f Hz want %.3f",
              row3_end, after_two);
    double row4 = pitch_between(out, 4 * 5760 + 50, 5 * 5760 - 10);
    CHECK_MSG(near_ratio(row4, after_two, 1e-3), "row 4: %.3f Hz want %.3f", row4, after_two);
    free(out);
    song_free(s);
}

static void arpeggio_steps_each_tick(void)
{
    Song *s = sine_song(1, 3);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '0', 0x47);
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, '0', 0x47);
    float *out = render(s, 8 * TICK);
    static const int semis[6] = {0, 4, 7, 0, 4, 7};
    for (int t = 0; t < 6; t++) {
        double got = pitch_between(out, t * TICK + 80, (t + 1) * TICK - 10);
        double want = 480.0 * pow(2, semis[t] / 12.0);
        CHECK_MSG(near_ratio(got, want, 3e-3), "tick %d: %.2f want %.2f", t, got, want);
    }
    free(out);
    song_free(s);
}

static void vibrato_swings_around_the_note(void)
{
    /* speed 8: row 0 ticks 1..5 read positions 0, 8, 16, 24, 32, row 1
     * goes on with 40, 48, ...; the peak offset at 16 and 48 is
     * 255 * 8 / 32 = 63 units of 1/64 semitone */
    Song *s = sine_song(1, 6);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '4', 0x88);
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, '4', 0x00);
    float *out = render(s, 4 * 5760);
    double up = pitch_between(out, 3 * TICK + 80, 4 * TICK - 10);
    double down = pitch_between(out, 5760 + 2 * TICK + 80, 5760 + 3 * TICK - 10);
    CHECK_MSG(near_ratio(up, 480.0 * pow(2, 63 / 768.0), 3e-3), "%.2f", up);
    CHECK_MSG(near_ratio(down, 480.0 * pow(2, -63 / 768.0), 3e-3), "%.2f", down);
    CHECK(near_ratio(pitch_between(out, 2 * 5760 + 80, 4 * 5760), 480.0, 2e-4));
    free(out);
    song_free(s);
}

static void set_speed_and_bpm(void)
{
    Song *s = dc_song(2, 6, RATE * 4);
    synth_put(s, 0, 0, 0, NOTE_EMPTY, 0, E, 'F', 0x03);
    synth_put(s, 0, 1, 0, NOTE_EMPTY, 0, E, 'F', 0x96); /* 150 BPM: 800 frames */
    synth_put(s, 0, 3, 1, NOTE_C4, 1, E, 0, 0);
    float *out = render(s, 4 * 5760);
    uint32_t want = 3 * TICK + 2 * 3 * 800;
    CHECK_MSG(synth_first_above(out, 0, 4 * 5760, 0.0f) == want, "%u",
              synth_first_above(out, 0, 4 * 5760, 0.0f));
    free(out);
    song_free(s);
}

/* Records the (order, row) sequence the engine plays, from its status. */
static int play_sequence(Song *s, bool loop, int rows_max, int *orders, int *rows)
{
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, loop);
    float buf[64];
    int n = 0, last_o = -1, last_r = -1;
    const EngineStatus *st = engine_status(e);
    for (int i = 0; i < 200000 && n < rows_max; i++) {
        engine_render(e, buf, 32);
        int o = atomic_load(&st->order), r = atomic_load(&st->row);
        if (!atomic_load(&st->playing))
            break;
        if (o != last_o || r != last_r) {
            orders[n] = o;
            rows[n] = r;
            n++;
            last_o = o;
            last_r = r;
        }
    }
    engine_free(e);
    return n;
}

static Song *order_song(void)
{
    /* speed 1, 255 BPM: a row every 470 frames */
    Song *s = synth_song(2, 8, 255, 1);
    synth_add_pattern(s, 1, 16);
    synth_add_pattern(s, 2, 4);
    return s;
}

static void pattern_break_jump_and_loop(void)
{
    int o[64], r[64];
    Song *s = order_song();
    synth_put(s, 0, 2, 1, NOTE_EMPTY, 0, E, 'D', 0x12); /* decimal: row 12 */
    synth_put(s, 1, 13, 0, NOTE_EMPTY, 0, E, 'B', 0x00);
    synth_put2(s, 1, 13, 0, 'D', 0x05);
    synth_put(s, 0, 6, 0, NOTE_EMPTY, 0, E, 'B', 0x02);
    int n = play_sequence(s, true, 12, o, r);
    static const int want_o[12] = {0, 0, 0, 1, 1, 0, 0, 2, 2, 2, 2, 0};
    static const int want_r[12] = {0, 1, 2, 12, 13, 5, 6, 0, 1, 2, 3, 0};
    CHECK(n == 12);
    for (int i = 0; i < n; i++)
        CHECK_MSG(o[i] == want_o[i] && r[i] == want_r[i], "step %d: %d/%d want %d/%d",
                  i, o[i], r[i], want_o[i], want_r[i]);
    song_free(s);

    /* E6x: rows 2..4 three times */
    s = order_song();
    synth_put(s, 0, 2, 0, NOTE_EMPTY, 0, E, 'E', 0x60);
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, E, 'E', 0x62); /* per channel */
    int rows_seen[32];
    int orders_seen[32];
    n = play_sequence(s, false, 32, orders_seen, rows_seen);
    static const int want[] = {0, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4, 5, 6, 7};
    /* consecutive duplicates vanish in the record, none here */
    for (int i = 0; i < 14; i++)
        CHECK_MSG(rows_seen[i] == want[i] && orders_seen[i] == 0, "step %d: row %d", i, rows_seen[i]);
    CHECK(orders_seen[14] == 1 && rows_seen[14] == 0);
    song_free(s);
}

static void song_end_stops_or_wraps(void)
{
    int o[64], r[64];
    Song *s = order_song();
    int n = play_sequence(s, false, 64, o, r);
    CHECK(n == 8 + 16 + 4);
    CHECK(o[n - 1] == 2 && r[n - 1] == 3);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 2, 2, false);
    float buf[2 * 1024];
    for (int i = 0; i < 10; i++)
        engine_render(e, buf, 1024);
    CHECK(!atomic_load(&engine_status(e)->playing));
    CHECK(atomic_load(&engine_status(e)->song_ended));
    engine_free(e);

    n = play_sequence(s, true, 40, o, r);
    CHECK(n == 40);
    CHECK(o[28] == 0 && r[28] == 0);
    song_free(s);
}

/* At the song's end a one-shot note rings on to its own end; a looping one
 * fades out over the declick ramp (it would never end). */
static void song_end_lets_one_shots_ring(void)
{
    /* Speed 1 at 255 BPM: a row is 470.6 frames; the last row (7) starts
     * at frame 3294 and the song ends at frame 3765. */
    uint32_t start = 3294, end = 3765;
    for (int looping = 0; looping < 2; looping++) {
        Song *s = synth_song(1, 8, 255, 1);
        synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 20000, 0.5f),
                                                    looping ? LOOP_FORWARD : LOOP_OFF,
                                                    0, 0, INTERP_LINEAR));
        synth_put(s, 0, 7, 0, NOTE_C4, 1, E, 0, 0);
        float *out = render(s, 30000);
        if (looping) {
            CHECK(synth_peak(out, end + 64, 30000 - end - 64, 0) == 0.0f);
            CHECK(out[2 * (end + 32)] > 0.1f && out[2 * (end + 32)] < 0.4f);
        } else {
            CHECK_NEAR(out[2 * (end + 5000)], 0.5f, 1e-6);
            /* the sample's own end: 20000 frames after its start */
            CHECK(synth_peak(out, start + 20000, 30000 - start - 20000, 0) == 0.0f);
            CHECK_NEAR(out[2 * (start + 19990)], 0.5f, 1e-6);
        }
        free(out);
        song_free(s);
    }
}

static void missing_patterns_and_narrow_patterns_play_safely(void)
{
    int o[64], r[64];
    Song *s = order_song();
    /* order list 0, 1, 2, 9 (missing), 2 */
    atomic_store(&s->orders[3], 9);
    atomic_store(&s->orders[4], 2);
    atomic_store(&s->order_count, 5);
    /* pattern 2 has only one channel while the song has two */
    Pattern *narrow = song_pattern_new(4, 1);
    song_pattern_free(atomic_exchange(&s->patterns[2], narrow));
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 100000, 0.5f), LOOP_OFF, 0, 0, INTERP_LINEAR));
    synth_put(s, 2, 1, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 0, 1, NOTE_C4, 7, E, 0, 0); /* instrument 7 is empty */
    int n = play_sequence(s, false, 64, o, r);
    CHECK(n == 8 + 16 + 4 + 4);
    CHECK(o[28] == 4 && r[28] == 0);
    float *out = render(s, 30 * 470);
    CHECK(synth_peak(out, 25 * 470, 5 * 470, 0) > 0.4f);
    free(out);
    /* an empty order list, or only missing patterns, just ends */
    atomic_store(&s->orders[0], 77);
    atomic_store(&s->order_count, 1);
    n = play_sequence(s, true, 64, o, r);
    CHECK(n == 0);
    song_free(s);
}

static void swing_delays_off_beat_rows(void)
{
    Song *s = dc_song(4, 6, RATE * 4);
    atomic_store(&s->swing, 50);
    atomic_store(&s->rows_per_beat, 4);
    for (int c = 0; c < 4; c++)
        synth_put(s, 0, 1 + c, c, NOTE_C4, 1, 16, 0, 0);
    float *out = render(s, 6 * 5760);
    /* D = 50% of half a row = 1440 frames */
    uint32_t on1 = synth_first_above(out, 0, 6 * 5760, 0.0f);
    CHECK_MSG(on1 == 5760 + 1440, "row 1 at %u", on1);
    uint32_t on[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        float level = 0.125f * (k + 1) + 1e-4f;
        for (uint32_t i = on1; i < 6 * 5760; i++)
            if (out[2 * i] > level) {
                on[k] = i;
                break;
            }
    }
    CHECK_MSG(on[0] == 2 * 5760, "row 2 at %u", on[0]);
    CHECK_MSG(on[1] == 3 * 5760 + 1440, "row 3 at %u", on[1]);
    CHECK_MSG(on[2] == 4 * 5760, "row 4 at %u", on[2]);
    free(out);
    song_free(s);
}

static void replaced_note_crossfades_without_a_dip(void)
{
    Song *s = synth_song(1, 64, 125, 1);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, RATE, 0.5f), LOOP_FORWARD, 0, 0, INTERP_RAW));
    for (int r = 0; r < 8; r++)
        synth_put(s, 0, r, 0, NOTE_C4, 1, E, 0, 0);
    float *out = render(s, 8 * TICK);
    float lo = 1, hi = 0;
    for (uint32_t i = 64; i < 8 * TICK; i++) {
        lo = fminf(lo, out[2 * i]);
        hi = fmaxf(hi, out[2 * i]);
    }
    CHECK_MSG(lo > 0.5f - 1e-5f && hi < 0.5f + 1e-5f, "%g..%g", lo, hi);
    /* the attack itself is a ramp, not a step */
    CHECK(out[0] > 0.0f && out[0] < 0.02f);
    CHECK(out[2 * 32] > 0.2f && out[2 * 32] < 0.3f);
    free(out);
    song_free(s);
}

static void note_off_and_cut_fade_out(void)
{
    Song *s = dc_song(2, 6, RATE * 2);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '8', 0x00);
    synth_put(s, 0, 0, 1, NOTE_C4, 1, E, '8', 0xFF);
    synth_put(s, 0, 1, 0, NOTE_OFF, 0, E, 0, 0);
    synth_put(s, 0, 1, 1, NOTE_CUT, 0, E, 0, 0);
    float *out = render(s, 3 * 5760);
    CHECK_NEAR(out[2 * 5759], 0.5, 1e-6);
    CHECK(out[2 * 5760] > 0.49f);                 /* no click: still on */
    CHECK(out[2 * (5760 + 100)] > 0.0f);          /* off fades 10 ms */
    CHECK(out[2 * (5760 + 63) + 1] == 0.0f);      /* cut fades 64 frames */
    CHECK(out[2 * (5760 + 62) + 1] > 0.0f);
    CHECK(synth_peak(out, 5760 + 480, 5760, 0) == 0.0f);
    free(out);
    song_free(s);
}

int main(void)
{
    RUN(sample_offset_starts_at_256_frame_steps);
    RUN(note_delay_starts_on_its_tick);
    RUN(note_cut_silences_from_its_tick);
    RUN(pattern_delay_repeats_the_row_not_its_notes);
    RUN(retrigger_counts_onsets);
    RUN(volume_and_pan_commands);
    RUN(volume_slides);
    RUN(pan_slide);
    RUN(portamento_reaches_pitch);
    RUN(tone_portamento_glides_to_the_note);
    RUN(tone_portamento_stops_on_a_row_without_effect);
    RUN(arpeggio_steps_each_tick);
    RUN(vibrato_swings_around_the_note);
    RUN(set_speed_and_bpm);
    RUN(pattern_break_jump_and_loop);
    RUN(song_end_stops_or_wraps);
    RUN(song_end_lets_one_shots_ring);
    RUN(missing_patterns_and_narrow_patterns_play_safely);
    RUN(swing_delays_off_beat_rows);
    RUN(replaced_note_crossfades_without_a_dip);
    RUN(note_off_and_cut_fade_out);
    return test_finish();
}
