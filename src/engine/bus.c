/* bus: see bus.h. */
#include "bus.h"

#include <math.h>
#include <string.h>


void bus_begin(BusBank *b)
{
    memset(b->used, 0, sizeof b->used);
    b->used_mask = 0;
}

float *bus_channel(BusBank *b, int c, uint32_t n)
{
    if (!b->used[c]) {
        memset(b->buf[c], 0, sizeof(float) * 2 * n);
        b->used[c] = true;
        b->used_mask |= (uint64_t)1 << c;
    }
    return b->buf[c];
}

/* mix[0..count) += bus[0..count) x gain, and the peak and energy of
 * that added to *peak and *energy. Four samples an instruction, two vectors a pass with
 * a peak and an energy each, so neither sum waits on the one before (the
 * chains, not the arithmetic, set the pace). The highest of a set is the
 * same whatever order it is taken in, so the peak is exact; the energy
 * feeds a meter only. */
static void sum_channel(const float *bus, float gain, float *mix, size_t count, float *peak,
                        double *energy)
{
    const BusV4 gain4 = {gain, gain, gain, gain};
    BusV4 peak4[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    BusV4 energy4[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    size_t i = 0;
    for (; i + 8 <= count; i += 8)
        for (int h = 0; h < 2; h++) {
            BusV4 x, m;
            memcpy(&x, bus + i + 4 * h, sizeof x);
            memcpy(&m, mix + i + 4 * h, sizeof m);
            x *= gain4;
            m += x;
            memcpy(mix + i + 4 * h, &m, sizeof m);
            BusV4 a = (BusV4)((BusI4)x & 0x7FFFFFFF);
            peak4[h] = bus_max4(a, peak4[h]);
            energy4[h] += x * x;
        }
    float p = *peak;
    double e = *energy;
    for (int k = 0; k < 4; k++) {
        for (int h = 0; h < 2; h++) {
            p = peak4[h][k] > p ? peak4[h][k] : p;
            e += energy4[h][k];
        }
    }
    for (; i < count; i++) {
        float x = bus[i] * gain;
        mix[i] += x;
        float a = fabsf(x);
        p = a > p ? a : p;
        e += (double)a * a;
    }
    *peak = p;
    *energy = e;
}

/* mix[0..count) += bus[k][0..count) x gain[k] for k < buses, in that
 * order, nothing measured: the same sums as one bus after another. */
static void add_channels(const float *const *bus, const float *gain, int buses, float *mix,
                         size_t count)
{
    for (int k = 0; k < buses; k++) {
        const BusV4 gain4 = {gain[k], gain[k], gain[k], gain[k]};
        size_t i = 0;
        for (; i + 4 <= count; i += 4) {
            BusV4 x, m;
            memcpy(&x, bus[k] + i, sizeof x);
            memcpy(&m, mix + i, sizeof m);
            m += x * gain4;
            memcpy(mix + i, &m, sizeof m);
        }
        for (; i < count; i++)
            mix[i] += bus[k][i] * gain[k];
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* add_channels eight samples an instruction, for CPUs with AVX2, and the
 * buses in one pass: four vectors of the mix stay in registers while the
 * buses are added into them, so the mix is loaded and stored once a
 * pass, and each sample still takes them one after another. */
__attribute__((target("avx2"))) static void add_channels_avx2(const float *const *bus,
                                                               const float *gain, int buses,
                                                               float *mix, size_t count)
{
    __m256 gain8[SONG_MAX_CHANNELS];
    for (int k = 0; k < buses; k++)
        gain8[k] = _mm256_set1_ps(gain[k]);
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m256 m0 = _mm256_loadu_ps(mix + i), m1 = _mm256_loadu_ps(mix + i + 8);
        __m256 m2 = _mm256_loadu_ps(mix + i + 16), m3 = _mm256_loadu_ps(mix + i + 24);
        for (int k = 0; k < buses; k++) {
            const float *b = bus[k] + i;
            const __m256 g = gain8[k];
            m0 = _mm256_add_ps(m0, _mm256_mul_ps(_mm256_loadu_ps(b), g));
            m1 = _mm256_add_ps(m1, _mm256_mul_ps(_mm256_loadu_ps(b + 8), g));
            m2 = _mm256_add_ps(m2, _mm256_mul_ps(_mm256_loadu_ps(b + 16), g));
            m3 = _mm256_add_ps(m3, _mm256_mul_ps(_mm256_loadu_ps(b + 24), g));
        }
        _mm256_storeu_ps(mix + i, m0);
        _mm256_storeu_ps(mix + i + 8, m1);
        _mm256_storeu_ps(mix + i + 16, m2);
        _mm256_storeu_ps(mix + i + 24, m3);
    }
    for (; i + 8 <= count; i += 8) {
        __m256 m = _mm256_loadu_ps(mix + i);
        for (int k = 0; k < buses; k++)
            m = _mm256_add_ps(m, _mm256_mul_ps(_mm256_loadu_ps(bus[k] + i), gain8[k]));
        _mm256_storeu_ps(mix + i, m);
    }
    for (; i < count; i++)
        for (int k = 0; k < buses; k++)
            mix[i] += bus[k][i] * gain[k];
}

/* sum_channel eight samples an instruction, for CPUs with AVX2: the mix
 * and the peak come out the same; the energy (a meter's) rounds in
 * another order. */
__attribute__((target("avx2"))) static void sum_channel_avx2(const float *bus, float gain,
                                                              float *mix, size_t count,
                                                              float *peak, double *energy)
{
    const __m256 gain8 = _mm256_set1_ps(gain);
    __m256 peak8[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    __m256 energy8[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        for (int h = 0; h < 2; h++) {
            __m256 x = _mm256_mul_ps(_mm256_loadu_ps(bus + i + 8 * h), gain8);
            _mm256_storeu_ps(mix + i + 8 * h,
                             _mm256_add_ps(_mm256_loadu_ps(mix + i + 8 * h), x));
            peak8[h] = _mm256_max_ps(_mm256_and_ps(x, magnitude), peak8[h]);
            energy8[h] = _mm256_add_ps(energy8[h], _mm256_mul_ps(x, x));
        }
    /* The lanes folded in vectors too: a call per channel and chunk
     * spent more on a lane-by-lane fold than on 64 frames of its sum. */
    __m256 p8 = _mm256_max_ps(peak8[0], peak8[1]);
    __m128 p4 = _mm_max_ps(_mm256_castps256_ps128(p8), _mm256_extractf128_ps(p8, 1));
    p4 = _mm_max_ps(p4, _mm_movehl_ps(p4, p4));
    p4 = _mm_max_ss(p4, _mm_shuffle_ps(p4, p4, 1));
    __m256d e4 = _mm256_add_pd(
        _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(energy8[0])),
                      _mm256_cvtps_pd(_mm256_extractf128_ps(energy8[0], 1))),
        _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(energy8[1])),
                      _mm256_cvtps_pd(_mm256_extractf128_ps(energy8[1], 1))));
    __m128d e2 = _mm_add_pd(_mm256_castpd256_pd128(e4), _mm256_extractf128_pd(e4, 1));
    e2 = _mm_add_sd(e2, _mm_unpackhi_pd(e2, e2));
    float p = _mm_cvtss_f32(p4);
    *peak = p > *peak ? p : *peak;
    *energy += _mm_cvtsd_f64(e2);
    if (i < count)
        sum_channel(bus + i, gain, mix + i, count - i, peak, energy);
}

static bool has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#else
#define sum_channel_avx2 sum_channel
#define add_channels_avx2 add_channels
static bool has_avx2(void)
{
    return false;
}
#endif

void bus_add(float *mix, const float *bus, size_t count, float gain)
{
    if (has_avx2())
        add_channels_avx2(&bus, &gain, 1, mix, count);
    else
        add_channels(&bus, &gain, 1, mix, count);
}

void bus_sum(BusBank *b, float *mix, uint32_t n, float *const *stems, int stem_count,
             uint32_t offset)
{
    for (int c = 0; c < stem_count; c++)
        if (stems[c] && !b->used[c])
            memset(stems[c] + 2 * (size_t)offset, 0, sizeof(float) * 2 * n);
    const size_t count = 2 * (size_t)n;
    /* One loop for each way of summing, so a bus costs no test of which. */
    if (b->unmetered) {
        /* The buses go into the mix all together, after the loop. */
        const float *gathered[SONG_MAX_CHANNELS];
        float gathered_gain[SONG_MAX_CHANNELS];
        int waiting = 0;
        for (uint64_t m = b->used_mask; m; m &= m - 1) {
            int c = bus_lowest(m);
            gathered_gain[waiting] = b->gain[c];
            gathered[waiting++] = b->buf[c];
        }
        if (waiting && has_avx2())
            add_channels_avx2(gathered, gathered_gain, waiting, mix, count);
        else if (waiting)
            add_channels(gathered, gathered_gain, waiting, mix, count);
    } else if (has_avx2()) {
        b->measured |= b->used_mask;
        for (uint64_t m = b->used_mask; m; m &= m - 1) {
            int c = bus_lowest(m);
            sum_channel_avx2(b->buf[c], b->gain[c], mix, count, &b->peak[c], &b->energy[c]);
        }
    } else {
        b->measured |= b->used_mask;
        for (uint64_t m = b->used_mask; m; m &= m - 1) {
            int c = bus_lowest(m);
            sum_channel(b->buf[c], b->gain[c], mix, count, &b->peak[c], &b->energy[c]);
        }
    }
    if (!stem_count)
        return;
    for (uint64_t m = b->used_mask; m; m &= m - 1) {
        int c = bus_lowest(m);
        if (c >= stem_count || !stems[c])
            continue;
        float *stem = stems[c] + 2 * (size_t)offset;
        for (size_t i = 0; i < count; i++)
            stem[i] = b->buf[c][i] * b->gain[c];
    }
}
