/* clockpeer (test side): JACK clients on the other end of hiss's MIDI
 * clock. A master sends start, a pulse every frames_per_pulse frames
 * (kept as an exact sum, so a tempo's fraction is carried) and stop; a
 * listener keeps every message hiss's midi_out sends, at its frame on
 * the server's clock. One of each per process. */
#ifndef HISS_TEST_CLOCKPEER_H
#define HISS_TEST_CLOCKPEER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum { CLOCKPEER_PULSES = 1 << 16, CLOCKPEER_HEARD = 1 << 16 };

typedef struct {
    uint64_t frame;
    uint8_t msg[3];
} ClockpeerHeard;

/* The master's pulses (their frames) and the listener's messages; the
 * counts grow as they come. */
extern uint64_t clockpeer_pulse_at[CLOCKPEER_PULSES];
extern _Atomic int clockpeer_pulses;
extern ClockpeerHeard clockpeer_heard[CLOCKPEER_HEARD];
extern _Atomic int clockpeer_heard_count;

/* Opens the master as client `name`, its MIDI output connected to `to`;
 * false when it cannot. */
bool clockpeer_master_open(const char *name, const char *to, double frames_per_pulse);
/* Start (then pulses from the same period) and stop. */
void clockpeer_master_start(void);
void clockpeer_master_stop(void);
/* Continue (after a song position sent with clockpeer_master_send)
 * instead of start, then pulses as for start. */
void clockpeer_master_continue(void);
/* One more message (up to 3 bytes, e.g. a song position pointer) at the
 * start of the next period, before that period's pulses; waits until the
 * message is out (false after a second without a period). */
bool clockpeer_master_send(const uint8_t *msg, int size);
/* Each pulse from here on is sent up to `frames` early or late, drawn
 * afresh for every pulse (a clock with onset jitter); its exact time
 * still counts on for the next (no drift). clockpeer_pulse_at keeps the
 * frames actually sent; clockpeer_ideal_at the exact ones. */
void clockpeer_master_jitter(int frames);
extern double clockpeer_ideal_at[CLOCKPEER_PULSES];
/* Opens the listener as client `name`, its MIDI input connected from
 * `from`; false when it cannot. */
bool clockpeer_listener_open(const char *name, const char *from);
/* Closes both (either may be unopened). */
void clockpeer_close(void);

#endif
