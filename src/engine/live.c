/* live: quantize arithmetic for notes recorded while playing. */
#include "live.h"

#include <math.h>

int live_quantize_offset(LiveQuantize mode, int row, double fraction,
                         int rows_per_beat)
{
    switch (mode) {
    case LIVE_QUANTIZE_ROW:
        return fraction >= 0.5 ? 1 : 0;
    case LIVE_QUANTIZE_BEAT: {
        int rpb = rows_per_beat > 0 ? rows_per_beat : 1;
        double beats = ((double)row + fraction) / rpb;
        int beat_row = (int)floor(beats + 0.5) * rpb;
        return beat_row - row;
    }
    case LIVE_QUANTIZE_OFF:
    case LIVE_QUANTIZE_COUNT:
        break;
    }
    return 0;
}

bool live_note_plays(uint64_t row_count, int channel, int percent)
{
    if (percent >= 100)
        return true;
    /* splitmix64 of the place: well spread for neighbouring rows. */
    uint64_t x = row_count * 64u + (uint64_t)(channel & 63) + 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    x ^= x >> 31;
    return (int)(x % 100u) < percent;
}

const char *live_quantize_name(LiveQuantize mode)
{
    switch (mode) {
    case LIVE_QUANTIZE_ROW:
        return "row";
    case LIVE_QUANTIZE_BEAT:
        return "beat";
    default:
        return "off";
    }
}
