/* clock: MIDI clock out, worked out by the engine as it renders, so every
 * message has its exact frame (24 pulses to a beat of rows_per_beat rows;
 * start, continue, stop and song position pointer when playback starts
 * and stops, song position when it moves while running). A backend with a MIDI output (JACK's midi_out) writes them
 * at those frames.
 *
 * The pulses follow the tempo the engine plays (Fxx changes included)
 * but not swing or groove: a receiving drum machine swings by itself.
 * A pulse falls on the frame holding its exact time, as a row's first
 * tick does, so the pulses never drift from the rows. Pure arithmetic
 * on the engine's counts; no allocation. */
#ifndef HISS_CLOCK_H
#define HISS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

enum {
    CLOCK_PULSES_PER_BEAT = 24,
    CLOCK_EVENTS = 256, /* messages one render can hold; more are dropped */
};

/* MIDI status bytes of the messages. */
enum {
    CLOCK_MSG_PULSE = 0xF8,
    CLOCK_MSG_START = 0xFA,
    CLOCK_MSG_CONTINUE = 0xFB,
    CLOCK_MSG_STOP = 0xFC,
    CLOCK_MSG_POSITION = 0xF2, /* song position pointer: sixteenths */
};

typedef struct {
    uint32_t frame;    /* within the render it came out of */
    uint8_t status;    /* CLOCK_MSG_* */
    uint16_t position; /* CLOCK_MSG_POSITION: 0..16383 sixteenths */
} ClockEvent;

typedef struct {
    bool running;
    uint64_t pulses;   /* sent since playback started */
    int64_t phase;     /* time since the last pulse, in units where a
                          frame is `inc` and a pulse `per` */
    uint64_t per;      /* the `per` the phase is counted in */
    ClockEvent ev[CLOCK_EVENTS];
    int count;         /* messages held */
    int ready;         /* of them, those inside the last render */
} ClockOut;

void clock_out_init(ClockOut *c);
/* Playback starts at `frame` of this render, `rows` rows into the song
 * (or pattern), `rows_per_beat` to a beat: song position and continue
 * (or start, from the very beginning), and the first pulse. */
void clock_out_start(ClockOut *c, uint32_t frame, uint64_t rows, int rows_per_beat);
/* Playback moved while running (a jump, a cue, a loop), to `rows` rows
 * into the song: song position at `frame` (the moved-to row's first), so
 * a follower that takes song position while running moves too (one that
 * does not keeps counting). The pulses go on unchanged. */
void clock_out_position(ClockOut *c, uint32_t frame, uint64_t rows, int rows_per_beat);
/* Playback stopped at `frame`. */
void clock_out_stop(ClockOut *c, uint32_t frame);
/* The pulses in `n` frames from `frame` of this render, at a tempo of
 * bpm_tenths, speed ticks a row and rows_per_beat, at `rate`. */
void clock_out_run(ClockOut *c, uint32_t frame, uint32_t n, int bpm_tenths, int speed,
                   int rows_per_beat, uint32_t rate);
/* A render of nframes ended: what fell inside it is ready; what lies
 * beyond (delayed with the output) waits for the next. */
void clock_out_end(ClockOut *c, uint32_t nframes);
/* A new render begins: the messages already read go. */
void clock_out_begin(ClockOut *c, uint32_t last_nframes);

#endif
