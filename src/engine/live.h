/* live: where a note played while the song runs is written (quantize).
 *
 * Pure arithmetic, shared by the engine (which knows the exact frame a
 * live note arrives on) and its tests. */
#ifndef HISS_LIVE_H
#define HISS_LIVE_H

typedef enum {
    LIVE_QUANTIZE_OFF,  /* the row playing when the note came */
    LIVE_QUANTIZE_ROW,  /* the nearest row */
    LIVE_QUANTIZE_BEAT, /* the nearest beat (rows per beat) */
    LIVE_QUANTIZE_COUNT
} LiveQuantize;

/* Rows from `row` to the row a note is written on, for a note `fraction`
 * of a row after `row` started (negative: before it started, e.g. while a
 * swung row waits). Forward (> 0) when the note came in the later half;
 * backward (< 0) only for BEAT, towards the beat already passed. */
int live_quantize_offset(LiveQuantize mode, int row, double fraction,
                         int rows_per_beat);

/* The name shown for a mode ("off", "row", "beat"). */
const char *live_quantize_name(LiveQuantize mode);

#endif
