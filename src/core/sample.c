#include "sample.h"

#include <stdlib.h>
#include <string.h>

Sample *sample_new(const float *interleaved, uint32_t frames, int channels,
                   uint32_t rate, uint32_t source_frames, uint32_t source_rate)
{
    if (channels < 1 || channels > SAMPLE_MAX_CHANNELS || rate == 0)
        return NULL;
    Sample *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t padded = ((size_t)frames + 2 * SAMPLE_PAD) * (size_t)channels;
    s->block_ = calloc(2 * padded, sizeof(float));
    if (!s->block_) {
        free(s);
        return NULL;
    }
    /* Relaxed is enough: only uniqueness matters. */
    static _Atomic uint64_t next_origin = 1;
    atomic_init(&s->refs, 1);
    s->origin = atomic_fetch_add_explicit(&next_origin, 1, memory_order_relaxed);
    s->frames = frames;
    s->rate = rate;
    s->source_frames = source_frames;
    s->source_rate = source_rate ? source_rate : rate;
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
    free(sample->source);
    free(sample);
}

uint32_t sample_frame_from_source(const Sample *sample, uint32_t source_frame)
{
    if (sample->source_rate == sample->rate)
        return source_frame;
    uint64_t f = ((uint64_t)source_frame * sample->rate + sample->source_rate / 2) /
                 sample->source_rate;
    return f > UINT32_MAX ? UINT32_MAX : (uint32_t)f;
}
