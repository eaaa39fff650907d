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
