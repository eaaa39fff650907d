/* Sound shaping (voicefx): the amplitude and pitch envelopes, choke groups
 * and glides measured from rendered audio, and block-size invariance and
 * determinism with every shaping feature on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "songio.h"
#include "timing.h"
#include "common/files.h"
#include "common/synth_song.h"
#include "test.h"

#define E VOLUME_EMPTY

enum { RATE = 48000 };

/* A song whose instrument 1 is a looping DC level of 0.5 with the given
 * envelope; note C-4 on row 0 of channel 0. At 125 BPM, speed 6, a row is
 * 120 ms (5760 frames). */
static Song *dc_song(int attack, int hold, int decay, int sustain, int release)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(synth_dc(RATE, RATE, 0.5f), LOOP_FORWARD,
                                        0, 0, INTERP_LINEAR);
    inst->shape[SHAPE_ATTACK] = attack;
    inst->shape[SHAPE_HOLD] = hold;
    inst->shape[SHAPE_DECAY] = decay;
    inst->shape[SHAPE_SUSTAIN] = sustain;
    inst->shape[SHAPE_RELEASE] = release;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    return s;
}

/* First frame at or after `from` where channel 0 reaches `level`. */
static uint32_t first_reaching(const float *out, uint32_t from, uint32_t frames,
                               float level)
{
    for (uint32_t i = from; i < frames; i++)
        if (out[2 * i] >= level)
            return i;
    return UINT32_MAX;
}

/* First frame at or after `from` where channel 0 falls to `level` or less. */
static uint32_t first_falling(const float *out, uint32_t from, uint32_t frames,
                              float level)
{
    for (uint32_t i = from; i < frames; i++)
        if (fabsf(out[2 * i]) <= level)
            return i;
    return UINT32_MAX;
}

static void attack_reaches_peak_on_time(void)
{
    static const int attacks[] = {2, 10, 50, 300, 1000};
    for (size_t k = 0; k < sizeof attacks / sizeof attacks[0]; k++) {
        uint32_t frames = RATE * 2;
        Song *s = dc_song(attacks[k], 0, 0, 100, 10);
        float *out = synth_render(s, RATE, frames, 256);
        float peak = synth_peak(out, 0, frames, 0);
        uint32_t onset = synth_first_above(out, 0, frames, 1e-5f);
        uint32_t top = first_reaching(out, 0, frames, peak * 0.9999f);
        double ms = (double)(top - onset) * 1000.0 / RATE;
        CHECK_NEAR(peak, 0.5, 1e-3);
        CHECK_MSG(onset != UINT32_MAX && top != UINT32_MAX &&
                      fabs(ms - attacks[k]) <= 1.0,
                  "attack %d ms: onset to peak %.3f ms", attacks[k], ms);
        free(out);
        song_free(s);
    }
}

/* Attack 0, decay 100 ms to 40%: halfway down at 50 ms, on the sustain
 * level from 100 ms on, held there while the note is held. */
static void decay_falls_to_sustain(void)
{
    uint32_t frames = RATE;
    Song *s = dc_song(0, 0, 100, 40, 10);
    float *out = synth_render(s, RATE, frames, 333);
    uint32_t onset = synth_first_above(out, 0, frames, 1e-5f);
    CHECK(onset != UINT32_MAX);
    if (onset != UINT32_MAX) {
        CHECK_NEAR(out[2 * (onset + RATE / 20)], 0.5 * 0.7, 0.003);
        CHECK_NEAR(out[2 * (onset + RATE / 10 + 10)], 0.5 * 0.4, 1e-4);
        CHECK_NEAR(out[2 * (onset + RATE / 2)], 0.5 * 0.4, 1e-4);
    }
    free(out);
    song_free(s);
}

/* === on row 4: the level falls linearly from the sustain level to
 * silence over the release time, measured from the row's frame (so -60 dB
 * comes at 0.999 of it), and the voice has ended there. */
static void release_after_note_off_takes_release_time(void)
{
    static const int releases[] = {1, 20, 250, 1500};
    for (size_t k = 0; k < sizeof releases / sizeof releases[0]; k++) {
        uint32_t frames = RATE * 3;
        Song *s = dc_song(0, 0, 0, 100, releases[k]);
        synth_put(s, 0, 4, 0, NOTE_OFF, 0, E, 0, 0);
        float *out = synth_render(s, RATE, frames, 100);
        uint32_t off = (uint32_t)synth_row_frame(RATE, 125, 6, 4);
        CHECK_NEAR(out[2 * (off - 1)], 0.5, 1e-4); /* still sustaining */
        uint32_t quiet = first_falling(out, off, frames, 0.5f * 0.001f);
        uint32_t silent = first_falling(out, off, frames, 0.0f);
        double ms = (double)(quiet - off) * 1000.0 / RATE;
        double end = (double)(silent - off) * 1000.0 / RATE;
        CHECK_MSG(quiet != UINT32_MAX && fabs(ms - releases[k] * 0.999) <= 1.0,
                  "release %d ms: -60 dB after %.3f ms", releases[k], ms);
        CHECK_MSG(silent != UINT32_MAX && fabs(end - releases[k]) <= 0.05,
                  "release %d ms: silent after %.3f ms", releases[k], end);
        CHECK(silent == UINT32_MAX || synth_peak(out, silent, frames - silent, 0) == 0.0f);
        free(out);
        song_free(s);
    }
}

/* Without shaping, === keeps its 10 ms fade; with a long release the note
 * is still sounding 100 ms after ===. */
static void release_setting_changes_note_off(void)
{
    uint32_t frames = RATE;
    uint32_t off = (uint32_t)synth_row_frame(RATE, 125, 6, 4);
    float peaks[2];
    for (int k = 0; k < 2; k++) {
        Song *s = dc_song(0, 0, 0, 100, k ? 400 : 10);
        synth_put(s, 0, 4, 0, NOTE_OFF, 0, E, 0, 0);
        float *out = synth_render(s, RATE, frames, 512);
        peaks[k] = synth_peak(out, off + RATE / 10, RATE / 100, 0);
        free(out);
        song_free(s);
    }
    CHECK(peaks[0] < 1e-6f);
    CHECK_NEAR(peaks[1], 0.5 * 0.75, 0.01);
}

/* C-4 on row 0 of a looping 480 Hz sine whose pitch envelope starts 12
 * semitones up and falls over `decay` ms. */
static Song *pitch_env_song(int decay)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *inst = synth_instrument(synth_sine(RATE, 480.0, RATE, 1, 0.5f),
                                        LOOP_FORWARD, 0, 0, INTERP_CUBIC);
    inst->shape[SHAPE_PITCH] = 12;
    inst->shape[SHAPE_PITCH_DECAY] = decay;
    synth_set_instrument(s, 1, inst);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    return s;
}

/* A 480 Hz looping sine with pitch_env +12 falling over 200 ms: an octave
 * up at the start, a fifth-ish half way (6 semitones), back at 480 Hz once
 * the decay is over. */
static void pitch_envelope_falls_to_the_note(void)
{
    Song *s = pitch_env_song(200);
    uint32_t frames = RATE;
    float *out = synth_render(s, RATE, frames, 64);
    uint32_t ms = RATE / 1000;
    double start = synth_frequency(out, 0, 10 * ms, 0, RATE);
    double mid = synth_frequency(out, 95 * ms, 10 * ms, 0, RATE);
    double end = synth_frequency(out, 250 * ms, 200 * ms, 0, RATE);
    CHECK_MSG(fabs(start / 960.0 - pow(2, -0.3 / 12)) < 0.02, "start %.2f Hz", start);
    CHECK_MSG(fabs(mid / (480.0 * pow(2, 0.5)) - 1.0) < 0.01, "middle %.2f Hz", mid);
    CHECK_MSG(fabs(end - 480.0) < 0.05, "end %.3f Hz", end);
    free(out);
    song_free(s);
}

/* Yxx moves the pitch envelope too: a 480 Hz sine with +12 semitones
 * falling over 100 ms, back on 480 Hz by row 4, where Y00 starts the drop
 * again from the octave, and Y05 on row 8 from half way (+6). Each window
 * is the first 4 ms after the row, where the drop has moved 0.48
 * semitones (0.24 on average). */
static void effect_y_restarts_the_pitch_envelope(void)
{
    Song *s = pitch_env_song(100);
    synth_put(s, 0, 4, 0, NOTE_EMPTY, 0, E, 'Y', 0x00);
    synth_put(s, 0, 8, 0, NOTE_EMPTY, 0, E, 'Y', 0x05);
    uint32_t frames = 10 * 5760, ms = RATE / 1000;
    float *out = synth_render(s, RATE, frames, 200);
    uint32_t row4 = (uint32_t)synth_row_frame(RATE, 125, 6, 4);
    uint32_t row8 = (uint32_t)synth_row_frame(RATE, 125, 6, 8);
    double before = synth_frequency(out, row4 - 100 * ms, 100 * ms, 0, RATE);
    double again = synth_frequency(out, row4, 4 * ms, 0, RATE);
    double half = synth_frequency(out, row8, 4 * ms, 0, RATE);
    CHECK_MSG(fabs(before - 480.0) < 0.05, "before Y00 %.3f Hz", before);
    CHECK_MSG(fabs(again / (960.0 * pow(2, -0.24 / 12)) - 1.0) < 0.01, "after Y00 %.2f Hz",
              again);
    CHECK_MSG(fabs(half / (480.0 * pow(2, 5.76 / 12)) - 1.0) < 0.01, "after Y05 %.2f Hz",
              half);
    free(out);
    song_free(s);
}

/* The beat with every instrument shaped: envelopes, pitch envelopes, ===
 * and retriggers must give the same samples in any block size, and twice. */
static void shaped_beat_is_block_size_invariant(void)
{
    uint32_t frames = RATE * 3;
    Song *s = synth_beat(RATE);
    synth_shape_all(s, true);
    float peak;
    CHECK(synth_same_in_any_block(s, RATE, frames, &peak));
    CHECK(peak > 0.01f);
    song_free(s);
}

/* Renders `frames` of `song` and returns channel `c`'s own output (before
 * the master section). */
static float *render_channel(Song *song, int c, uint32_t frames)
{
    Engine *e = engine_new(song, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *chan = calloc(frames, sizeof(float));
    float *ports[SONG_MAX_CHANNELS] = {NULL};
    float buf[2 * 256];
    for (uint32_t done = 0; done < frames; done += 256) {
        uint32_t n = frames - done < 256 ? frames - done : 256;
        ports[c] = chan + done;
        engine_render_channels(e, buf, ports, c + 1, n);
    }
    engine_free(e);
    return chan;
}

/* An instrument of `channels` channels (noise, looping) through a
 * resonant 24 dB low-pass from `cutoff` Hz, which its envelope sweeps,
 * crushed and driven. */
static Instrument *shaped_noise(int channels, uint32_t seed, int cutoff)
{
    Instrument *inst = synth_instrument(synth_noise(RATE, RATE, channels, 0.5f, seed),
                                        LOOP_FORWARD, 0, 0, INTERP_LINEAR);
    inst->shape[SHAPE_ATTACK] = 30;
    inst->shape[SHAPE_DECAY] = 200;
    inst->shape[SHAPE_SUSTAIN] = 60;
    inst->shape[SHAPE_FILTER] = SHAPE_FILTER_LP24;
    inst->shape[SHAPE_CUTOFF] = cutoff;
    inst->shape[SHAPE_RESONANCE] = 80;
    inst->shape[SHAPE_FILTER_ENV] = 36;
    inst->shape[SHAPE_CRUSH_BITS] = 8;
    inst->shape[SHAPE_CRUSH_RATE] = 11000;
    inst->shape[SHAPE_CRUSH_MIX] = 50;
    inst->shape[SHAPE_DRIVE] = 40;
    return inst;
}

/* Channel 0's bus over `frames` (2 * frames floats): a mono shaped note,
 * alone (partner 0) or with a shaped note of `partner` channels on
 * channel 1 from row `row`, whose filter then runs beside it
 * (voicefx_render_two). */
static float *shaped_stem(int partner, int row, uint32_t frames)
{
    Song *s = synth_song(2, 64, 125, 6);
    synth_set_instrument(s, 1, shaped_noise(1, 7, 900));
    if (partner)
        synth_set_instrument(s, 2, shaped_noise(partner, 11, 2500));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 4, 0, NOTE_OFF, 0, E, 0, 0);
    if (partner)
        synth_put(s, 0, row, 1, NOTE_C4 + 5, 2, E, 0, 0);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *stem = calloc(2 * (size_t)frames, sizeof(float));
    float buf[2 * 256];
    for (uint32_t done = 0; done < frames; done += 256) {
        uint32_t n = frames - done < 256 ? frames - done : 256;
        float *stems[1] = {stem + 2 * (size_t)done};
        engine_render_stems(e, buf, NULL, 0, stems, 1, n);
    }
    engine_free(e);
    song_free(s);
    return stem;
}

/* Two shaped voices of other channels are rendered together, their
 * filters side by side: a voice's samples must not depend on the voice
 * beside it (a mono one beside a stereo one, the envelope sweeping the
 * cutoff, then still at the sustain, then the release). Beside another
 * mono one, the two share the lanes of their filters' steps: started
 * together, and a row apart (the partner's cutoff gliding while the
 * note's is held, and the other way round). */
static void shaped_voice_is_the_same_beside_another(void)
{
    static const struct {
        int chans, row;
    } partners[] = {{2, 0}, {1, 0}, {1, 1}};
    uint32_t frames = RATE;
    float *alone = shaped_stem(0, 0, frames);
    float peak = 0.0f;
    for (uint32_t i = 0; i < 2 * frames; i++)
        peak = fabsf(alone[i]) > peak ? fabsf(alone[i]) : peak;
    CHECK(peak > 0.01f);
    for (size_t p = 0; p < sizeof partners / sizeof partners[0]; p++) {
        float *beside = shaped_stem(partners[p].chans, partners[p].row, frames);
        uint32_t first = 2 * frames;
        for (uint32_t i = 0; i < 2 * frames && first == 2 * frames; i++)
            if (alone[i] != beside[i])
                first = i;
        CHECK_MSG(first == 2 * frames, "beside %d channel(s) from row %d: sample %u: %g alone, %g",
                  partners[p].chans, partners[p].row, first / 2,
                  first < 2 * frames ? alone[first] : 0.0,
                  first < 2 * frames ? beside[first] : 0.0);
        free(beside);
    }
    free(alone);
}

/* Closed hat on channel 1 at row 2 chokes the open hat ringing on channel
 * 0: below -60 dB within the open hat's choke fade (its own setting), and
 * no sooner than a linear fade gets there; without a group it rings on. */
static void choke_silences_the_group_within_its_fade(void)
{
    static const int fades[] = {0, 5, 40};
    for (int k = 0; k < 4; k++) {
        int fade = k < 3 ? fades[k] : 5;
        Song *s = synth_song(2, 64, 125, 6);
        Instrument *open = synth_instrument(synth_dc(RATE, RATE, 0.5f), LOOP_FORWARD,
                                            0, 0, INTERP_LINEAR);
        Instrument *closed = synth_instrument(synth_dc(RATE, RATE / 10, 0.25f), LOOP_OFF,
                                              0, 0, INTERP_LINEAR);
        open->shape[SHAPE_CHOKE] = k < 3 ? 3 : 0; /* the last: no group */
        open->shape[SHAPE_CHOKE_FADE] = fade;
        closed->shape[SHAPE_CHOKE] = 3;
        synth_set_instrument(s, 1, open);
        synth_set_instrument(s, 2, closed);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
        synth_put(s, 0, 2, 1, NOTE_C4, 2, E, 0, 0);
        uint32_t frames = RATE;
        float *chan = render_channel(s, 0, frames);
        uint32_t hit = (uint32_t)synth_row_frame(RATE, 125, 6, 2);
        uint32_t fade_frames = (uint32_t)(fade * RATE / 1000);
        if (k < 3) {
            uint32_t quiet = hit;
            while (quiet < frames && fabsf(chan[quiet]) > 0.5f * 0.001f)
                quiet++;
            CHECK_MSG(quiet <= hit + (fade_frames ? fade_frames : 1),
                      "fade %d ms: -60 dB after %u frames", fade, quiet - hit);
            /* a linear fade: -60 dB at 0.999 of it, not a cut */
            CHECK_MSG(quiet + 2 >= hit + fade_frames * 0.999, "fade %d ms: silent after only %u frames",
                      fade, quiet - hit);
            float rest = 0.0f;
            for (uint32_t i = hit + fade_frames + 1; i < frames; i++)
                rest = fabsf(chan[i]) > rest ? fabsf(chan[i]) : rest;
            CHECK_MSG(rest == 0.0f, "fade %d ms: %g after the fade", fade, rest);
        } else {
            CHECK_NEAR(chan[hit + RATE / 10], 0.5, 1e-6);
        }
        free(chan);
        song_free(s);
    }
}

/* Two notes on one channel of a looping 480 Hz sine with a 30 ms attack:
 * C-4 on row 0, C-4 + `semis` on row 4, in voice `mode` with `glide` ms.
 * Returns the render of `frames` frames. */
static float *two_notes(int mode, int glide, int semis, uint32_t frames)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *bass = synth_instrument(synth_sine(RATE, 480.0, RATE, 1, 0.5f),
                                        LOOP_FORWARD, 0, 0, INTERP_CUBIC);
    bass->shape[SHAPE_VOICE_MODE] = mode;
    bass->shape[SHAPE_GLIDE] = glide;
    bass->shape[SHAPE_ATTACK] = 30;
    synth_set_instrument(s, 1, bass);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 4, 0, (uint8_t)(NOTE_C4 + semis), 1, E, 0, 0);
    float *out = synth_render(s, RATE, frames, 128);
    song_free(s);
    return out;
}

/* A legato 808: C-4 then G-4 four rows later, glide 100 ms. The pitch
 * stays on C-4 up to the new row, moves over the glide time (half way up
 * at half the time), then is exactly G-4; the note neither restarts its
 * sample nor its envelope (no dip at the change). */
static void legato_glides_and_lands_on_the_note(void)
{
    uint32_t frames = RATE * 2;
    float *out = two_notes(SHAPE_MODE_LEGATO, 100, 7, frames);
    uint32_t change = (uint32_t)synth_row_frame(RATE, 125, 6, 4);
    uint32_t ms = RATE / 1000;
    double before = synth_frequency(out, change - 200 * ms, 190 * ms, 0, RATE);
    double mid = synth_frequency(out, change + 45 * ms, 10 * ms, 0, RATE);
    double after = synth_frequency(out, change + 101 * ms, 400 * ms, 0, RATE);
    double g4 = 480.0 * pow(2, 7.0 / 12);
    CHECK_MSG(fabs(before - 480.0) < 0.01, "before %.4f Hz", before);
    CHECK_MSG(fabs(mid / (480.0 * pow(2, 3.5 / 12)) - 1) < 0.01, "middle %.3f Hz", mid);
    CHECK_MSG(fabs(after - g4) < g4 * 2e-5, "after %.4f Hz, G-4 is %.4f", after, g4);
    /* no restart: the level never dips around the change */
    float low = synth_peak(out, change, 5 * ms, 0);
    CHECK_MSG(low > 0.49f, "peak right after the change %g", low);
    free(out);
}

/* Mono: the new note starts anew (its attack again) but glides from the
 * old pitch; poly jumps at once. */
static void mono_restarts_and_glides_poly_jumps(void)
{
    for (int mode = SHAPE_MODE_POLY; mode <= SHAPE_MODE_MONO; mode++) {
        float *out = two_notes(mode, 200, 12, RATE);
        uint32_t change = (uint32_t)synth_row_frame(RATE, 125, 6, 4);
        uint32_t ms = RATE / 1000;
        double early = synth_frequency(out, change + 40 * ms, 20 * ms, 0, RATE);
        float attack = synth_peak(out, change + 2 * ms, 3 * ms, 0);
        if (mode == SHAPE_MODE_MONO)
            CHECK_MSG(early > 480.0 * pow(2, 2.0 / 12) && early < 480.0 * pow(2, 5.0 / 12),
                      "mono 50 ms into a 200 ms octave glide: %.2f Hz", early);
        else
            CHECK_MSG(fabs(early - 960.0) < 0.5, "poly: %.2f Hz", early);
        CHECK_MSG(attack < 0.3f, "%s: the new note's attack, peak %g",
                  mode == SHAPE_MODE_MONO ? "mono" : "poly", attack);
        free(out);
    }
}

/* A DC note of `song` edited once at `at` (param to value): the render. */
static float *edited_once(Song *song, uint32_t at, int param, int value, uint32_t frames)
{
    const uint32_t when[] = {at};
    const int params[] = {param}, values[] = {value};
    return synth_render_edits(song, RATE, when, params, values, 1, frames);
}

/* Envelope edits reach the note already sounding: the stage under way
 * goes on from its level over what the new time leaves of it. Attack
 * 1000 ms edited to 100 ms a quarter of the way up: full 75 ms later.
 * Decay 400 ms to 50% edited to 40 ms a quarter of the way down: on the
 * sustain 30 ms later. A held note's sustain edited from 100% to 40%:
 * there within 64 frames, without a step. Release 1000 ms edited to
 * 100 ms a tenth of the way down: silent 90 ms later. */
static void envelope_edits_reach_the_sounding_note(void)
{
    uint32_t ms = RATE / 1000, frames = RATE;
    Song *s = dc_song(1000, 0, 0, 100, 10);
    float *out = edited_once(s, 250 * ms, SHAPE_ATTACK, 100, frames);
    uint32_t onset = synth_first_above(out, 0, frames, 1e-5f);
    uint32_t full = first_reaching(out, onset, frames, 0.5f * 0.9999f);
    CHECK_NEAR(out[2 * (250 * ms - 1)], 0.125, 1e-3);
    CHECK_MSG(full != UINT32_MAX && fabs((double)(full - onset) / ms - 325.0) <= 1.0,
              "attack edited: full at %.2f ms, want 325", (double)(full - onset) / ms);
    free(out);
    song_free(s);

    s = dc_song(0, 0, 400, 50, 10);
    out = edited_once(s, 100 * ms, SHAPE_DECAY, 40, frames);
    onset = synth_first_above(out, 0, frames, 1e-5f);
    uint32_t down = first_falling(out, onset + 10 * ms, frames, 0.25f * 1.0001f);
    CHECK_MSG(down != UINT32_MAX && fabs((double)(down - onset) / ms - 130.0) <= 1.0,
              "decay edited: on the sustain at %.2f ms, want 130", (double)(down - onset) / ms);
    CHECK_NEAR(out[2 * (300 * ms)], 0.25, 1e-4);
    free(out);
    song_free(s);

    s = dc_song(0, 0, 0, 100, 10);
    out = edited_once(s, 500 * ms, SHAPE_SUSTAIN, 40, frames);
    float step = 0.0f;
    for (uint32_t i = 500 * ms; i < 500 * ms + 100; i++)
        step = fmaxf(step, fabsf(out[2 * i] - out[2 * i - 2]));
    CHECK_NEAR(out[2 * (500 * ms - 1)], 0.5, 1e-4);
    CHECK_NEAR(out[2 * (500 * ms + 64)], 0.2, 1e-4);
    CHECK_MSG(step <= 0.3f / 64 * 1.01f, "sustain edited: largest step %g", step);
    free(out);
    song_free(s);

    s = dc_song(0, 0, 0, 100, 1000);
    synth_put(s, 0, 4, 0, NOTE_OFF, 0, E, 0, 0);
    uint32_t off = (uint32_t)synth_row_frame(RATE, 125, 6, 4);
    out = edited_once(s, off + 100 * ms, SHAPE_RELEASE, 100, off + frames);
    uint32_t quiet = first_falling(out, off, off + frames, 1e-6f);
    CHECK_NEAR(out[2 * (off + 100 * ms - 1)], 0.45, 1e-3);
    CHECK_MSG(quiet != UINT32_MAX && fabs((double)(quiet - off) / ms - 190.0) <= 1.0,
              "release edited: silent at %.2f ms after ===, want 190", (double)(quiet - off) / ms);
    free(out);
    song_free(s);
}

/* A pitch envelope edited under way: +12 over 1000 ms, edited to 100 ms
 * a quarter of the way down (+9): the note goes on from +9 and is on its
 * pitch 75 ms later. */
static void pitch_envelope_edit_reaches_the_sounding_note(void)
{
    uint32_t ms = RATE / 1000, frames = RATE;
    Song *s = pitch_env_song(1000);
    float *out = edited_once(s, 250 * ms, SHAPE_PITCH_DECAY, 100, frames);
    double just = synth_frequency(out, 250 * ms, 4 * ms, 0, RATE);
    double after = synth_frequency(out, 330 * ms, 200 * ms, 0, RATE);
    CHECK_MSG(fabs(just / (480.0 * pow(2, 8.8 / 12)) - 1.0) < 0.01, "just after %.2f Hz", just);
    CHECK_MSG(fabs(after - 480.0) < 0.05, "after %.3f Hz", after);
    free(out);
    song_free(s);
}

/* A poly note whose instrument is switched to legato with a 100 ms glide
 * while it sounds: the next note bends it as a legato note would (half
 * way at 50 ms, no new attack) instead of starting anew. */
static void voice_mode_edit_reaches_the_sounding_note(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    Instrument *bass = synth_instrument(synth_sine(RATE, 480.0, RATE, 1, 0.5f),
                                        LOOP_FORWARD, 0, 0, INTERP_CUBIC);
    bass->shape[SHAPE_ATTACK] = 30;
    synth_set_instrument(s, 1, bass);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 4, 0, NOTE_C4 + 7, 1, E, 0, 0);
    uint32_t change = (uint32_t)synth_row_frame(RATE, 125, 6, 4), ms = RATE / 1000;
    const uint32_t at[] = {change / 2, change / 2};
    const int params[] = {SHAPE_VOICE_MODE, SHAPE_GLIDE}, values[] = {SHAPE_MODE_LEGATO, 100};
    float *out = synth_render_edits(s, RATE, at, params, values, 2, change + RATE / 2);
    double mid = synth_frequency(out, change + 45 * ms, 10 * ms, 0, RATE);
    CHECK_MSG(fabs(mid / (480.0 * pow(2, 3.5 / 12)) - 1) < 0.01, "middle %.3f Hz", mid);
    float low = synth_peak(out, change, 5 * ms, 0);
    CHECK_MSG(low > 0.49f, "peak right after the change %g", low);
    free(out);
    song_free(s);
}

/* Frame i of the index sample holds (i + 1) / 1024, read raw at step 1:
 * start 512 plays what 902 (2 x 256 frames) plays; end 20000 fades over
 * the declick ramp to silence on the frame that would read frame 20000. */
static void start_and_end_points(void)
{
    uint32_t frames = RATE;
    float *out[3]; /* the channel's own output: no clipping on the master */
    for (int k = 0; k < 3; k++) {
        Song *s = synth_song(1, 64, 125, 6);
        Instrument *inst = synth_instrument(synth_index(RATE, 40000), LOOP_OFF, 0, 0,
                                            INTERP_RAW);
        if (k == 0)
            inst->shape[SHAPE_START] = 512;
        if (k == 2)
            inst->shape[SHAPE_END] = 20000;
        synth_set_instrument(s, 1, inst);
        synth_put(s, 0, 0, 0, NOTE_C4, 1, E, k == 1 ? '9' : 0, 0x02);
        out[k] = render_channel(s, 0, frames);
        song_free(s);
    }
    CHECK(!memcmp(out[0], out[1], sizeof(float) * frames));
    CHECK_NEAR(out[0][100], 613.0 / 1024, 1e-6);
    uint32_t last = 0;
    for (uint32_t i = 0; i < frames; i++)
        if (out[2][i] != 0.0f)
            last = i;
    CHECK_MSG(last == 19999, "last sounding frame %u", last);
    CHECK_NEAR(out[2][19000], 19001.0 / 1024, 1e-4);
    CHECK(out[2][19999] < 20000.0f / 1024 / 32); /* faded */
    for (int k = 0; k < 3; k++)
        free(out[k]);
}

/* Renders the song at `path` to its end: every sample finite and within
 * full scale. */
static void song_renders_finite(const char *path, void *ctx)
{
    Song *s = NULL;
    HissDiag diag = {{0}};
    CHECK_MSG(songio_load(path, RATE, &s, &diag, NULL) == HISS_OK, "%s: %s", path, diag.text);
    TimingScan scan;
    if (!s || timing_scan(s, RATE, false, &scan) != HISS_OK) {
        song_free(s);
        return;
    }
    uint32_t frames = (uint32_t)scan.end_frame + RATE;
    timing_deinit(&scan);
    float *out = synth_render(s, RATE, frames, 512);
    size_t bad = 0, over = 0;
    for (size_t i = 0; out && i < 2 * (size_t)frames; i++) {
        bad += !isfinite(out[i]);
        over += fabsf(out[i]) > 1.0f;
    }
    CHECK_MSG(out && !bad && !over, "%s: %zu samples not finite, %zu over full scale", path, bad,
              over);
    ++*(int *)ctx;
    free(out);
    song_free(s);
}

/* Every example song (the shaped, glide and demo songs use the shaping
 * as a producer would) renders to its end with every sample finite and
 * within full scale. */
static void example_songs_render_finite(void)
{
    int rendered = 0;
    int songs = test_each_entry("patterns", ".hiss", song_renders_finite, &rendered);
    CHECK_MSG(songs >= 3 && rendered == songs, "%d of %d example songs rendered", rendered,
              songs);
}

int main(void)
{
    RUN(attack_reaches_peak_on_time);
    RUN(decay_falls_to_sustain);
    RUN(release_after_note_off_takes_release_time);
    RUN(release_setting_changes_note_off);
    RUN(pitch_envelope_falls_to_the_note);
    RUN(effect_y_restarts_the_pitch_envelope);
    RUN(shaped_beat_is_block_size_invariant);
    RUN(shaped_voice_is_the_same_beside_another);
    RUN(choke_silences_the_group_within_its_fade);
    RUN(legato_glides_and_lands_on_the_note);
    RUN(mono_restarts_and_glides_poly_jumps);
    RUN(envelope_edits_reach_the_sounding_note);
    RUN(pitch_envelope_edit_reaches_the_sounding_note);
    RUN(voice_mode_edit_reaches_the_sounding_note);
    RUN(example_songs_render_finite);
    RUN(start_and_end_points);
    return test_finish();
}
