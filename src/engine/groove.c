/* groove: swing and humanize arithmetic; see groove.h. */
#include "groove.h"

uint32_t groove_swing_frames(uint32_t rate, int swing, int grid, int rows_per_beat, int row,
                             int speed, int bpm_tenths)
{
    if (swing <= 50 || rows_per_beat < 1 || row < 0 || bpm_tenths < 1)
        return 0;
    if (swing > 75)
        swing = 75;
    int n = grid == 8 ? 8 : 16;
    /* Positions counted in 1/n of a row: a pair of grid notes (8/n of a
     * beat) is then 8 x rows_per_beat long, whatever the grid. */
    int64_t pair = 8 * (int64_t)rows_per_beat;
    int64_t pos = ((int64_t)(row % rows_per_beat) * n) % pair;
    int64_t m = pos < pair - pos ? pos : pair - pos;
    /* m/n rows moved by (swing - 50)/50, a row lasting
     * speed x rate x 25 / bpm_tenths frames. */
    uint64_t num = (uint64_t)m * (uint64_t)(swing - 50) * (uint64_t)speed * rate;
    return (uint32_t)(num / (2u * (uint64_t)n * (uint64_t)bpm_tenths));
}

double groove_draw(uint32_t seed, uint64_t row_count, int channel, int what)
{
    /* splitmix64 of the place and the seed: neighbours are unrelated. */
    uint64_t x = ((uint64_t)seed << 32 ^ row_count * 128u) + (uint64_t)(channel & 63) * 2u +
                 (uint64_t)(what & 1) + 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    x ^= x >> 31;
    return (double)(x >> 11) / 9007199254740992.0; /* 2^53 */
}

uint32_t groove_human_frames(uint32_t rate, int ms, double draw)
{
    if (ms <= 0 || draw <= 0)
        return 0;
    return (uint32_t)(draw * ms * rate / 1000.0);
}

float groove_level(int percent, double draw)
{
    if (percent <= 0)
        return 1.0f;
    float g = 1.0f + (float)((2.0 * draw - 1.0) * percent / 100.0);
    return g > 0 ? g : 0;
}
