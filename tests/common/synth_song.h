/* synth_song: songs and samples built in memory for tests and benchmarks,
 * so nothing depends on files or third-party audio. Everything returned is
 * owned by the caller (songs free their instruments and patterns). */
#ifndef HISS_SYNTH_SONG_H
#define HISS_SYNTH_SONG_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "song.h"

/* One cycle of a sine repeated: `frames` frames of sin(2 pi f t) at `rate`
 * (both channels equal when channels == 2). */
Sample *synth_sine(uint32_t rate, double freq, uint32_t frames, int channels,
                   float amp);
/* Constant `value` for `frames` frames. */
Sample *synth_dc(uint32_t rate, uint32_t frames, float value);
/* Frame i holds (i + 1) / 1024: the output shows which frame was read. */
Sample *synth_index(uint32_t rate, uint32_t frames);
/* Deterministic white noise (xorshift), amplitude amp. */
Sample *synth_noise(uint32_t rate, uint32_t frames, int channels, float amp,
                    uint32_t seed);
/* Drum-like one-shots: a falling sine (kick) and decaying noise (hat). */
Sample *synth_kick(uint32_t rate);
Sample *synth_hat(uint32_t rate);

/* An instrument around `sample` (takes the reference). */
Instrument *synth_instrument(Sample *sample, LoopMode loop, uint32_t loop_start,
                             uint32_t loop_end, InterpMode interp);

/* A song with one pattern (number 0, `rows` rows) in order 0. Limiter
 * off, master and every channel's fader at 0 dB, so tests see the voices'
 * own sum. */
Song *synth_song(int channels, int rows, int bpm, int speed);
/* Adds pattern `index` and appends it to the order list. */
Pattern *synth_add_pattern(Song *song, int index, int rows);
void synth_set_instrument(Song *song, int slot, Instrument *inst);
void synth_put(Song *song, int pattern, int row, int channel, uint8_t note,
               uint8_t inst, uint8_t vol, uint8_t fx, uint8_t param);
void synth_put2(Song *song, int pattern, int row, int channel, uint8_t fx2,
                uint8_t param2);
/* Forces every instrument to one interpolation mode (test thread only). */
void synth_force_interp(Song *song, InterpMode mode);
/* Turns on every shaping feature (shape.h) of every instrument, with
 * settings that differ per slot (test thread only); choke groups only when
 * `choke` (they silence voices, which a voice count may not want). */
void synth_shape_all(Song *song, bool choke);

/* An 8-channel beat: kick, snare, hats, bass, chords, lead; 4 patterns. */
Song *synth_beat(uint32_t rate);
/* 32 channels all busy with looping samples and pitch slides. */
Song *synth_stress(uint32_t rate);
/* Every effect letter and the volume column on a few channels. */
Song *synth_every_effect(uint32_t rate);

/* Renders `frames` frames from order 0 in blocks of `block` (song loop off).
 * Returns malloc'ed interleaved stereo. */
float *synth_render(Song *song, uint32_t rate, uint32_t frames,
                    uint32_t block);

/* Renders `frames` frames from order 0 as synth_render does, editing
 * instrument 1 on the way as the editor does (a copy replaces it, the old
 * one is retired): before frame at[k] (ascending), params[k] is set to
 * values[k]. Returns malloc'ed interleaved stereo, NULL on failure. */
float *synth_render_edits(Song *song, uint32_t rate, const uint32_t *at, const int *params,
                          const int *values, int count, uint32_t frames);

/* Renders `frames` from order 0 in blocks of 1, 64, 1023 and 64 again:
 * true when all four give the same samples. *peak is the largest
 * magnitude of the left channel. */
bool synth_same_in_any_block(Song *song, uint32_t rate, uint32_t frames, float *peak);

/* The frame a row starts on without swing: row_index rows at constant
 * bpm/speed from the start. */
uint64_t synth_row_frame(uint32_t rate, int bpm, int speed, int row_index);

/* ---- measurements on rendered interleaved stereo ---- */

/* Frequency in Hz of channel `ch` over [start, start+count) from the times
 * of its rising zero crossings (interpolated between frames); 0 if fewer
 * than two crossings. */
double synth_frequency(const float *stereo, uint32_t start, uint32_t count,
                         int ch, uint32_t rate);
/* First frame at or after `from` where either channel's magnitude exceeds
 * `threshold`; UINT32_MAX when none before `frames`. */
uint32_t synth_first_above(const float *stereo, uint32_t from,
                             uint32_t frames, float threshold);
/* Counts bursts: runs of frames above `threshold` separated by at least
 * `gap` frames at or below it. */
int synth_bursts(const float *stereo, uint32_t frames, float threshold,
                   uint32_t gap);
/* Renders frames [from, to) of `out` (stereo) in periods of 256 frames,
 * as an audio device would ask for them. */
void synth_render_span(Engine *e, float *out, uint32_t from, uint32_t to);
/* Root mean square of channel ch in [start, start+count). */
double synth_rms(const float *stereo, uint32_t start, uint32_t count, int ch);
/* Largest magnitude of channel ch in [start, start+count). */
float synth_peak(const float *stereo, uint32_t start, uint32_t count, int ch);

#endif
