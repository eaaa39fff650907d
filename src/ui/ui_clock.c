#include "ui_clock.h"

#include <stdio.h>

void ui_clock_update(UiClock *clock, const Song *song, uint64_t change_count,
                     double now)
{
    bool fresh = clock->valid && clock->song == song;
    if (fresh && (clock->changes == change_count || now - clock->made < 0.25))
        return;
    TimingScan scan;
    /* The seconds do not depend on the rate: any rate will do. */
    if (timing_scan(song, 48000, false, &scan) != HISS_OK)
        return; /* out of memory: the clock shows the last scan */
    ui_clock_deinit(clock);
    clock->scan = scan;
    clock->valid = true;
    clock->song = song;
    clock->changes = change_count;
    clock->made = now;
}

static int time_text(double seconds, char *out, size_t size)
{
    long s = (long)seconds;
    return snprintf(out, size, "%ld:%02ld", s / 60, s % 60);
}

/* The scan's row for the place playing, -1 when the song has none. */
static int song_row(const UiClock *clock, const Song *song, const UiClockPlace *at)
{
    if (!at->playing || at->looped || at->order < 0 || at->order >= SONG_MAX_ORDERS ||
        atomic_load(&song->orders[at->order]) != at->pattern)
        return -1;
    return timing_find(&clock->scan, at->order, at->row);
}

void ui_clock_follow(UiClock *clock, const Song *song, const UiClockPlace *at)
{
    if (!at->playing || !clock->valid || clock->song != song) {
        clock->counting = false;
        return;
    }
    if (!clock->counting) {
        clock->counting = true;
        clock->from = 0;
        clock->played_at = at->played;
        clock->seen = at->rows - 1;
    }
    int row = song_row(clock, song, at);
    /* At the first sight of each row started: the time it came at, as
     * near to its start as the redraws see it. */
    if (row >= 0 && at->rows != clock->seen) {
        clock->from = clock->scan.rows[row].seconds;
        clock->played_at = at->played;
        clock->seen = at->rows;
    }
}

void ui_clock_text(const UiClock *clock, const Song *song, const UiClockPlace *at,
                   char *out, size_t size)
{
    if (!size)
        return;
    out[0] = '\0';
    if (!clock->valid || clock->song != song)
        return;
    const TimingScan *scan = &clock->scan;
    if (at->playing && at->looped) {
        double counted = clock->counting ? clock->from + at->played - clock->played_at : 0;
        time_text(counted > 0 ? counted : 0, out, size);
        return;
    }
    int row = song_row(clock, song, at);
    int n = 0;
    if (row >= 0) {
        n = time_text(scan->rows[row].seconds, out, size);
        if (n < 0 || (size_t)n + 1 >= size)
            return;
        out[n++] = '/';
    }
    if (scan->end == TIMING_END_UNKNOWN)
        snprintf(out + n, size - (size_t)n, "?:??");
    else
        time_text(scan->end_seconds, out + n, size - (size_t)n);
}

void ui_clock_deinit(UiClock *clock)
{
    if (clock->valid)
        timing_deinit(&clock->scan);
    clock->valid = false;
}
