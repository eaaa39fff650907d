/* tap: tap tempo. Four taps set the tempo: the mean of the three
 * intervals between the last four taps. A pause longer than
 * TAP_RESET_SECONDS starts over, so a stray tap does not count. Each tap
 * is one key press (no key release needed). Times come from the caller,
 * so tests inject them. */
#ifndef HISS_TAP_H
#define HISS_TAP_H

enum { TAP_COUNT = 4 };
#define TAP_RESET_SECONDS 2.0

typedef struct {
    double times[TAP_COUNT]; /* the last taps, oldest first */
    int count;
} TapTempo;

void tap_reset(TapTempo *t);
/* Records a tap at `now` (seconds). Returns the tempo in BPM (rounded,
 * 32..255) once four taps came without a long pause, else 0; *taps_out,
 * when not NULL, gets the taps counted so far (1..4). */
int tap_tempo_tap(TapTempo *t, double now, int *taps_out);

#endif
