/* sample: float sample data at the session rate, ready for the mixer.
 *
 * Pure C11. Loading files and rate conversion live in sampleio (libsndfile,
 * libsamplerate), always off the audio thread. A Sample is immutable once
 * built; instruments share it by reference count, which only the UI side
 * touches (the engine never frees or retains anything). */
#ifndef HISS_SAMPLE_H
#define HISS_SAMPLE_H

#include <stdatomic.h>
#include <stdint.h>

#include "base.h"

/* Zeroed guard frames before and after the data, so interpolators may read
 * a few frames past either end without a branch. */
enum { SAMPLE_PAD = 8, SAMPLE_MAX_CHANNELS = 2 };

typedef struct Sample {
    _Atomic int refs;
    uint32_t frames;        /* at `rate` */
    uint32_t rate;          /* the session rate the data is at */
    uint32_t source_frames; /* as in the file */
    uint32_t source_rate;   /* as in the file: 9xx offsets and loop points use it */
    uint8_t channels;       /* 1 or 2 */
    float *data;            /* interleaved; data[-SAMPLE_PAD*channels] is valid */
    float *reversed;        /* the same frames back to front (ping-pong loops) */
    float *source;          /* the file's own frames, kept to convert again
                               when the session rate changes; may be NULL */
    uint64_t origin;        /* the sound this is: unique per sample_new,
                               kept by conversions to another rate, so a
                               voice can move to the converted copy */
    float *block_;          /* the allocation behind data/reversed */
} Sample;

/* Copies `frames` interleaved frames that are already at `rate`.
 * source_* describe the file they came from (pass the same values when the
 * data is not converted). keep_source stores a copy for reconversion. */
Sample *sample_new(const float *interleaved, uint32_t frames, int channels,
                   uint32_t rate, uint32_t source_frames, uint32_t source_rate);
Sample *sample_retain(Sample *sample);
void sample_release(Sample *sample);

/* Source frame position (loop points, offsets) -> frame at sample->rate. */
uint32_t sample_frame_from_source(const Sample *sample, uint32_t source_frame);

#endif
