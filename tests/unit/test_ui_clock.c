/* The editor's clock: in the order list the time of the row playing and
 * the song's length; a pattern looped outside the list (a cue, play
 * pattern) has no time in the song, so the clock goes on from where the
 * song was by the seconds played, and says no length. */
#include "common/synth_song.h"
#include "test.h"
#include "ui_clock.h"

/* Order 0 plays pattern 0, 64 rows at 125 BPM, speed 6: 0.12 s a row,
 * 7.68 s in all. Pattern 1 is in no order entry. */
static Song *one_order(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_add_pattern(s, 1, 16);
    atomic_store(&s->order_count, 1);
    return s;
}

static void shown(UiClock *clock, const Song *s, UiClockPlace at, const char *want)
{
    char text[24];
    ui_clock_follow(clock, s, &at);
    ui_clock_text(clock, s, &at, text, sizeof text);
    CHECK_STR(text, want);
}

static void a_loop_goes_on_from_where_the_song_was(void)
{
    Song *s = one_order();
    UiClock clock = {0};
    ui_clock_update(&clock, s, 0, 0);
    shown(&clock, s, (UiClockPlace){.playing = false}, "0:07");
    /* Row 16 (1.92 s) seen as 100 s had been played... */
    shown(&clock, s, (UiClockPlace){true, false, 0, 0, 16, 17, 100.0}, "0:01/0:07");
    /* ...seen again, later, at the same row: still the row's time. */
    shown(&clock, s, (UiClockPlace){true, false, 0, 0, 16, 17, 100.1}, "0:01/0:07");
    /* The cue takes pattern 1 (order 0 still the engine's last entry):
     * 1.92 s + 4.5 s played since. */
    shown(&clock, s, (UiClockPlace){true, true, 0, 1, 3, 40, 104.5}, "0:06");
    shown(&clock, s, (UiClockPlace){true, true, 0, 1, 3, 90, 165.0}, "1:06");
    /* Back in the list: the song's own time again. */
    shown(&clock, s, (UiClockPlace){true, false, 0, 0, 32, 91, 165.1}, "0:03/0:07");
    ui_clock_deinit(&clock);
    song_free(s);
}

/* Playback started on the loop (play pattern): counted from 0:00, and
 * from 0:00 again after a stop. */
static void a_loop_from_the_start_counts_from_nothing(void)
{
    Song *s = one_order();
    UiClock clock = {0};
    ui_clock_update(&clock, s, 0, 0);
    shown(&clock, s, (UiClockPlace){true, true, 0, 1, 0, 1, 50.0}, "0:00");
    shown(&clock, s, (UiClockPlace){true, true, 0, 1, 9, 80, 61.5}, "0:11");
    shown(&clock, s, (UiClockPlace){.playing = false, .played = 70.0}, "0:07");
    shown(&clock, s, (UiClockPlace){true, true, 0, 1, 0, 81, 200.0}, "0:00");
    /* A pattern that is in order 0 but loops on its own is not order 0's
     * row either: the engine says it is looped. */
    shown(&clock, s, (UiClockPlace){true, true, 0, 0, 8, 90, 203.2}, "0:03");
    ui_clock_deinit(&clock);
    song_free(s);
}

int main(void)
{
    RUN(a_loop_goes_on_from_where_the_song_was);
    RUN(a_loop_from_the_start_counts_from_nothing);
    return test_finish();
}
