#include "sample.h"

#include <stdlib.h>
#include <string.h>

static size_t padded_floats(uint32_t frames, int channels)
{
    return ((size_t)frames + 2 * SAMPLE_PAD) * (size_t)channels;
}

Sample *sample_new(const float *interleaved, uint32_t frames, int channels,
                   uint32_t rate)
{
    if (channels < 1 || channels > SAMPLE_MAX_CHANNELS || rate == 0)
        return NULL;
    Sample *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t padded = padded_floats(frames, channels);
    s->block_ = calloc(2 * padded, sizeof(float));
    if (!s->block_) {
        free(s);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->frames = frames;
    s->rate = rate;
    s->channels = (uint8_t)channels;
    s->data = s->block_ + SAMPLE_PAD * channels;
    s->reversed = s->block_ + padded + SAMPLE_PAD * channels;
    if (frames && interleaved) {
        memcpy(s->data, interleaved, (size_t)frames * channels * sizeof(float));
        for (uint32_t f = 0; f < frames; f++)
            for (int c = 0; c < channels; c++)
                s->reversed[(size_t)f * channels + c] =
                    interleaved[(size_t)(frames - 1 - f) * channels + c];
    }
    return s;
}

Sample *sample_retain(Sample *sample)
{
    if (sample)
        atomic_fetch_add(&sample->refs, 1);
    return sample;
}

void sample_release(Sample *sample)
{
    if (!sample || atomic_fetch_sub(&sample->refs, 1) != 1)
        return;
    free(sample->block_);
    free(sample->level_block_);
    for (int i = 0; i < sample->loop_level_count; i++)
        free(sample->loop_levels[i].block_);
    free(sample);
}

static uint32_t level_frames(uint32_t frames, int k)
{
    return (uint32_t)(((uint64_t)frames + ((uint64_t)1 << k) - 1) >> k);
}

size_t sample_bytes(const Sample *sample)
{
    size_t floats = 2 * padded_floats(sample->frames, sample->channels);
    for (int k = 0; k < sample->level_count; k++)
        floats += padded_floats(sample->levels[k].frames, sample->channels);
    for (int i = 0; i < sample->loop_level_count; i++)
        for (int k = 0; k < sample->loop_levels[i].level_count; k++)
            floats += padded_floats(sample->loop_levels[i].levels[k].frames, sample->channels);
    return sizeof *sample + floats * sizeof(float);
}

void sample_fine_fraction(int j, uint32_t *num, uint32_t *den)
{
    /* 2 x 2^(-k/5) for k = 0 .. 4, each within 0.05% */
    static const uint32_t NUM[5] = {2, 47, 50, 33, 31}, DEN[5] = {1, 27, 33, 25, 27};
    *num = NUM[j % 5];
    *den = DEN[j % 5] << (j / 5);
}

uint64_t sample_fine_ratio(int j)
{
    uint32_t num, den;
    sample_fine_fraction(j, &num, &den);
    return (((uint64_t)num << 32) + den / 2) / den;
}

uint32_t sample_fine_level_frames(uint32_t frames, int j)
{
    uint32_t num, den;
    sample_fine_fraction(j, &num, &den);
    uint64_t half = ((uint64_t)frames * num + 2 * (uint64_t)den - 1) / (2 * (uint64_t)den);
    return (uint32_t)(2 * half + 1);
}

/* The i-th level's frames and ratio (octave levels are 1.., fine 0..). */
static void level_shape(uint32_t frames, int i, bool fine, uint32_t *n, uint64_t *ratio)
{
    if (fine) {
        *n = sample_fine_level_frames(frames, i);
        *ratio = sample_fine_ratio(i);
    } else {
        *n = level_frames(frames, i + 1);
        *ratio = (uint64_t)1 << (31 - i);
    }
}

/* One zeroed block holding `count` padded levels of a `frames`-frame
 * sound, laid out in `levels`; NULL when out of memory. */
static float *alloc_level_block(uint32_t frames, int channels, int count, bool fine,
                                SampleLevel levels[SAMPLE_MAX_LEVELS])
{
    size_t total = 0;
    for (int i = 0; i < count; i++) {
        uint32_t n;
        uint64_t ratio;
        level_shape(frames, i, fine, &n, &ratio);
        total += padded_floats(n, channels);
    }
    float *block = calloc(total, sizeof(float));
    if (!block)
        return NULL;
    float *at = block;
    for (int i = 0; i < count; i++) {
        level_shape(frames, i, fine, &levels[i].frames, &levels[i].ratio);
        levels[i].data = at + SAMPLE_PAD * channels;
        at += padded_floats(levels[i].frames, channels);
    }
    return block;
}

static HissError alloc_levels(Sample *sample, int count, bool fine)
{
    if (count < 0 || count > (fine ? SAMPLE_MAX_LEVELS : SAMPLE_OCTAVE_LEVELS))
        return HISS_ERR_RANGE;
    free(sample->level_block_);
    sample->level_block_ = NULL;
    sample->level_count = 0;
    sample->fine = false;
    memset(sample->levels, 0, sizeof sample->levels);
    if (!count)
        return HISS_OK;
    sample->level_block_ =
        alloc_level_block(sample->frames, sample->channels, count, fine, sample->levels);
    if (!sample->level_block_)
        return HISS_ERR_NOMEM;
    sample->level_count = (uint8_t)count;
    sample->fine = fine;
    return HISS_OK;
}

HissError sample_alloc_levels(Sample *sample, int count)
{
    return alloc_levels(sample, count, false);
}

HissError sample_alloc_fine_levels(Sample *sample, int count)
{
    return alloc_levels(sample, count, true);
}

const SampleLoopLevels *sample_loop_levels(const Sample *sample, bool reverse, SampleLoop loop,
                                           uint32_t loop_start, uint32_t loop_end)
{
    for (int i = 0; sample && i < sample->loop_level_count; i++) {
        const SampleLoopLevels *l = &sample->loop_levels[i];
        if (l->reverse == reverse && l->loop == loop &&
            (loop == SAMPLE_LOOP_NONE ||
             (l->loop_start == loop_start && l->loop_end == loop_end)))
            return l;
    }
    return NULL;
}

SampleLoopLevels *sample_add_loop_levels(Sample *sample, bool reverse, SampleLoop loop,
                                         uint32_t loop_start, uint32_t loop_end,
                                         uint32_t frames, int count, bool fine)
{
    if (sample->loop_level_count >= SAMPLE_MAX_LOOP_LEVELS || count < 1 ||
        count > (fine ? SAMPLE_MAX_LEVELS : SAMPLE_OCTAVE_LEVELS))
        return NULL;
    SampleLoopLevels *l = &sample->loop_levels[sample->loop_level_count];
    memset(l, 0, sizeof *l);
    l->block_ = alloc_level_block(frames, sample->channels, count, fine, l->levels);
    if (!l->block_)
        return NULL;
    l->reverse = reverse;
    l->loop = (uint8_t)loop;
    l->loop_start = loop_start;
    l->loop_end = loop_end;
    l->level_count = (uint8_t)count;
    l->fine = fine;
    sample->loop_level_count++;
    return l;
}

void sample_drop_last_loop_levels(Sample *sample)
{
    if (!sample->loop_level_count)
        return;
    SampleLoopLevels *l = &sample->loop_levels[--sample->loop_level_count];
    free(l->block_);
    memset(l, 0, sizeof *l);
}
