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

void ui_clock_text(const UiClock *clock, const Song *song, bool playing, int order,
                   int pattern, int row, char *out, size_t size)
{
    if (!size)
        return;
    out[0] = '\0';
    if (!clock->valid || clock->song != song)
        return;
    const TimingScan *scan = &clock->scan;
    int at = -1;
    if (playing && order >= 0 && order < SONG_MAX_ORDERS &&
        atomic_load(&song->orders[order]) == pattern)
        at = timing_find(scan, order, row);
    int n = 0;
    if (at >= 0) {
        n = time_text(scan->rows[at].seconds, out, size);
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
