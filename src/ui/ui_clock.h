/* ui_clock: the editor's clock. The time of the row playing and the
 * song's length, read from the song's timing scan (so Fxx speed and tempo
 * changes, jumps and pattern loops count as they play), made again after
 * edits. */
#ifndef HISS_UI_CLOCK_H
#define HISS_UI_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "song.h"
#include "timing.h"

typedef struct {
    TimingScan scan;
    bool valid;
    const Song *song;
    uint64_t changes; /* the editor's change count the scan was made at */
    double made;      /* hiss_now_seconds() then */
} UiClock;

/* Scans the song again when it is another song or was edited since (at
 * most four times a second while edits keep coming). */
void ui_clock_update(UiClock *clock, const Song *song, uint64_t change_count,
                     double now);
/* "1:23/3:05" (the row playing, the song's length, one pass) while
 * `song` plays (order, pattern, row), "3:05" when it does not, or when it
 * plays a row the song itself never reaches; "" before a scan of `song`. */
void ui_clock_text(const UiClock *clock, const Song *song, bool playing, int order,
                   int pattern, int row, char *out, size_t size);
void ui_clock_deinit(UiClock *clock);

#endif
