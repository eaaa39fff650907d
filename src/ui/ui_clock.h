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
    /* While playing, where the time counts on from outside the song's
     * rows: `from` seconds at `played_at` seconds played, as of the
     * song's row that was the `seen`th row played. */
    bool counting;
    double from, played_at;
    uint64_t seen;
} UiClock;

/* What plays: the engine's status, and the seconds played
 * (session_seconds_played), which go on while it plays. */
typedef struct {
    bool playing;
    bool looped; /* a pattern looped outside the order list */
    int order, pattern, row;
    uint64_t rows; /* rows started (EngineStatus.rows_played) */
    double played;
} UiClockPlace;

/* Scans the song again when it is another song or was edited since (at
 * most four times a second while edits keep coming). */
void ui_clock_update(UiClock *clock, const Song *song, uint64_t change_count,
                     double now);
/* Called as the place playing is read (each redraw): in the song's rows
 * the clock keeps the time of the row; a pattern looped outside the
 * order list has none, so there the time goes on from the last the song
 * had (0:00 when playback started outside it) by the seconds played. */
void ui_clock_follow(UiClock *clock, const Song *song, const UiClockPlace *at);
/* "1:23/3:05" (the row playing, the song's length, one pass) while
 * `song` plays in its order list, "3:05" when it does not, or when it
 * plays a row the song itself never reaches; "1:40" (the time counted on,
 * with no length: a loop has no end) while a pattern loops outside the
 * order list; "" before a scan of `song`. */
void ui_clock_text(const UiClock *clock, const Song *song, const UiClockPlace *at,
                   char *out, size_t size);
void ui_clock_deinit(UiClock *clock);

#endif
