/* live: where a note played while the song runs is written (quantize).
 *
 * Pure arithmetic, shared by the engine (which knows the exact frame a
 * live note arrives on) and its tests. */
#ifndef HISS_LIVE_H
#define HISS_LIVE_H

#include <stdbool.h>
#include <stdint.h>

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

/* Uxx, note probability: whether the note of `channel` on the row counted
 * `row_count` (rows started since the engine began) plays, at `percent`
 * (1..100; above: always). The same arguments give the same answer, so a
 * render is the same every time; each pass of a loop draws again. */
bool live_note_plays(uint64_t row_count, int channel, int percent);

/* The name shown for a mode ("off", "row", "beat"). */
const char *live_quantize_name(LiveQuantize mode);

#endif
