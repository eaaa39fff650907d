/* resample: a pattern (or some of its rows and channels) rendered into
 * audio for a new instrument (render to instrument), at a chosen rate and
 * bit depth: lo-fi on purpose, as an old sampler resampling its own
 * output. Off the audio thread: it runs an engine of its own over the
 * song, started as hiss render starts one (the limiter's lookahead
 * rendered ahead), and never touches the playing one. */
#ifndef HISS_RESAMPLE_H
#define HISS_RESAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "sampleio.h"
#include "song.h"

enum { RESAMPLE_MIN_BITS = 1, RESAMPLE_MAX_BITS = 24 };

/* What to render: rows first..first+rows-1 of a pattern, and either the
 * whole mix (every channel through the master section, as heard) or the
 * sum of channels channel_first..channel_last alone (their buses after
 * their faders, no master section, no sends): a selection on the pattern
 * screen. rows 0 means to the pattern's end. */
typedef struct {
    int pattern;
    int first, rows;
    bool mix;
    int channel_first, channel_last;
    bool tail; /* after the last row, no more notes start but those
                  sounding ring out (and the sends, in the mix) until
                  silent, for at most RESAMPLE_TAIL_SECONDS */
} ResampleRange;

enum { RESAMPLE_TAIL_SECONDS = 10 };

/* Frames the range lasts at rate, as the engine plays it from the song's
 * tempo and speed under the rows' own Fxx and EEx (timing_rows_frames).
 * 0 when there is no such pattern or no row in the range. */
uint64_t resample_frames(const Song *song, const ResampleRange *range, uint32_t rate);

/* Renders the range once, cut to its length (or with its tail), as
 * stereo at rate, every
 * sample rounded to `bits` bits (1..24). *out is freed with
 * sampleio_audio_free. */
HissError resample_render(Song *song, const ResampleRange *range, uint32_t rate, int bits,
                          SampleioAudio *out, HissDiag *diag);

#endif
