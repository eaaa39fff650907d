/* Tap tempo with injected tap times. */
#include "tap.h"
#include "test.h"

static void four_taps_set_the_tempo(void)
{
    TapTempo t;
    tap_reset(&t);
    int taps;
    /* 90 BPM: a tap every 2/3 s, with a few ms of human jitter. */
    CHECK(tap_tempo_tap(&t, 10.000, &taps) == 0 && taps == 1);
    CHECK(tap_tempo_tap(&t, 10.671, &taps) == 0 && taps == 2);
    CHECK(tap_tempo_tap(&t, 11.330, &taps) == 0 && taps == 3);
    CHECK(tap_tempo_tap(&t, 12.001, &taps) == 90 && taps == 4);
    /* Each tap after goes on from the last four, reaching 120 BPM. */
    CHECK(tap_tempo_tap(&t, 12.501, NULL) == 98); /* 1.830 s / 3 */
    CHECK(tap_tempo_tap(&t, 13.001, NULL) == 108); /* 1.671 s / 3 */
    CHECK(tap_tempo_tap(&t, 13.501, NULL) == 120);
}

static void a_long_pause_starts_over(void)
{
    TapTempo t;
    tap_reset(&t);
    int taps;
    tap_tempo_tap(&t, 1.0, NULL);
    tap_tempo_tap(&t, 1.5, NULL);
    tap_tempo_tap(&t, 2.0, NULL);
    CHECK(tap_tempo_tap(&t, 5.0, &taps) == 0 && taps == 1);
    CHECK(tap_tempo_tap(&t, 4.0, &taps) == 0 && taps == 1); /* time went back */
}

static void tempos_stay_in_range(void)
{
    TapTempo t;
    tap_reset(&t);
    for (int i = 0; i < 3; i++)
        tap_tempo_tap(&t, i * 0.1, NULL);
    CHECK(tap_tempo_tap(&t, 0.3, NULL) == 255); /* 600 BPM */
    tap_reset(&t);
    for (int i = 0; i < 3; i++)
        tap_tempo_tap(&t, i * 1.99, NULL);
    CHECK(tap_tempo_tap(&t, 3 * 1.99, NULL) == 32); /* 30 BPM */
}

int main(void)
{
    RUN(four_taps_set_the_tempo);
    RUN(a_long_pause_starts_over);
    RUN(tempos_stay_in_range);
    return test_finish();
}
