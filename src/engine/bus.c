/* bus: see bus.h. */
#include "bus.h"

#include <math.h>
#include <string.h>


void bus_begin(BusBank *b)
{
    memset(b->used, 0, sizeof b->used);
}

float *bus_channel(BusBank *b, int c, uint32_t n)
{
    if (!b->used[c]) {
        memset(b->buf[c], 0, sizeof(float) * 2 * n);
        b->used[c] = true;
    }
    return b->buf[c];
}

void bus_sum(BusBank *b, float *mix, uint32_t n, float *const *stems, int stem_count,
             uint32_t offset)
{
    for (int c = 0; c < stem_count; c++)
        if (stems[c] && !b->used[c])
            memset(stems[c] + 2 * (size_t)offset, 0, sizeof(float) * 2 * n);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        if (!b->used[c])
            continue;
        const float *bus = b->buf[c];
        /* Four samples an instruction, two vectors a pass with a peak
         * and an energy each, so neither sum waits on the one before (the
         * chains, not the arithmetic, set the pace). The highest of a set
         * is the same whatever order it is taken in, so the peak is
         * exact; the energy feeds a meter only. */
        BusV4 peak4[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
        BusV4 energy4[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
        size_t i = 0;
        for (; i + 8 <= 2 * (size_t)n; i += 8)
            for (int h = 0; h < 2; h++) {
                BusV4 x, m;
                memcpy(&x, bus + i + 4 * h, sizeof x);
                memcpy(&m, mix + i + 4 * h, sizeof m);
                m += x;
                memcpy(mix + i + 4 * h, &m, sizeof m);
                BusV4 a = (BusV4)((BusI4)x & 0x7FFFFFFF);
                peak4[h] = bus_max4(a, peak4[h]);
                energy4[h] += x * x;
            }
        float peak = b->peak[c];
        double energy = b->energy[c];
        for (int k = 0; k < 4; k++) {
            for (int h = 0; h < 2; h++) {
                peak = peak4[h][k] > peak ? peak4[h][k] : peak;
                energy += energy4[h][k];
            }
        }
        for (; i < 2 * (size_t)n; i++) {
            mix[i] += bus[i];
            float a = fabsf(bus[i]);
            peak = a > peak ? a : peak;
            energy += (double)a * a;
        }
        b->peak[c] = peak;
        b->energy[c] = energy;
        if (c < stem_count && stems[c])
            memcpy(stems[c] + 2 * (size_t)offset, bus, sizeof(float) * 2 * n);
    }
}
