/* tap: tap tempo; see tap.h. */
#include "tap.h"

#include <math.h>
#include <string.h>

void tap_reset(TapTempo *t)
{
    memset(t, 0, sizeof *t);
}

int tap_tempo_tap(TapTempo *t, double now, int *taps_out)
{
    if (t->count > 0 &&
        (now - t->times[t->count - 1] > TAP_RESET_SECONDS ||
         now <= t->times[t->count - 1]))
        t->count = 0;
    if (t->count == TAP_COUNT) {
        memmove(t->times, t->times + 1, sizeof t->times[0] * (TAP_COUNT - 1));
        t->count--;
    }
    t->times[t->count++] = now;
    if (taps_out)
        *taps_out = t->count;
    if (t->count < TAP_COUNT)
        return 0;
    double beat = (t->times[TAP_COUNT - 1] - t->times[0]) / (TAP_COUNT - 1);
    long bpm = lround(60.0 / beat);
    return bpm < 32 ? 32 : bpm > 255 ? 255 : (int)bpm;
}
