/* sampleedit: edits that change a sample's audio (trim, normalize, gain,
 * reverse, fades, time-stretch), always into NEW audio that is written as a
 * new file: the user's file is never touched. The slice points, loop and
 * root note follow the audio (a reversed slice is still a slice, a
 * stretched one starts where its hit went) and travel in the new file as
 * WAV cue points and a `smpl` chunk, so other tools see the chops too.
 *
 * Off the audio thread: everything here allocates and may take a while
 * (Rubber Band's offline stretch runs a few times faster than real time;
 * `make bench` prints it for a 10 s break). */
#ifndef HISS_SAMPLEEDIT_H
#define HISS_SAMPLEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "sample.h"
#include "sampleio.h"

typedef enum {
    SAMPLEEDIT_TRIM,      /* keep frames from..to (exclusive) */
    SAMPLEEDIT_NORMALIZE, /* peak to full scale (-0.0 dBFS) */
    SAMPLEEDIT_REVERSE,
    SAMPLEEDIT_FADE_IN,   /* over the first `from` frames */
    SAMPLEEDIT_FADE_OUT,  /* over the last `from` frames */
    SAMPLEEDIT_STRETCH,   /* to `ratio` times the length, pitch kept; scaled
                             down if need be to peak no higher than the
                             source and under -0.1 dBFS (never clipped) */
    SAMPLEEDIT_GAIN,      /* by `ratio` dB (-60..+24), clipped at full scale */
    SAMPLEEDIT_KEEP_SLICES, /* the slices (the marks' cues) whose `keep`
                               entry is true, joined in order; the rest
                               and anything before the first cue go */
} SampleEditKind;

typedef struct {
    SampleEditKind kind;
    uint32_t from, to;
    double ratio;
    const bool *keep; /* SAMPLEEDIT_KEEP_SLICES: one entry per cue */
} SampleEdit;

enum { SAMPLEEDIT_MAX_STRETCH = 8 }; /* ratio 1/8 .. 8 */

/* The edited audio (at the sample's rate and channels) into *out, which
 * the caller frees with sampleio_audio_free, and marks (the instrument's
 * slices as cues, its loop and root note) carried over into *out_marks.
 * A range or ratio that makes no sense is HISS_ERR_RANGE with a message;
 * *out is then empty. On success diag->text is empty, or says what the
 * edit changed beyond what was asked (a stretch peaking higher than the
 * source). */
HissError sampleedit_apply(const Sample *src, const SampleMarks *marks,
                           const SampleEdit *edit, SampleioAudio *out,
                           SampleMarks *out_marks, HissDiag *diag);

/* A name for the result in dir that no file has yet: "STEM-SUFFIX.wav",
 * else "STEM-SUFFIX-2.wav" and so on; the name is taken at once (an empty
 * file) so that nothing else can take it before sampleedit_write fills it.
 * HISS_ERR_RANGE when it does not fit in size, HISS_ERR_IO when dir cannot
 * take a file. */
HissError sampleedit_new_path(const char *dir, const char *stem, const char *suffix,
                              char *out, size_t size, HissDiag *diag);

/* Writes audio and marks as a 24-bit WAV at path (atomically, through a
 * temporary file); as a 32-bit float one when it peaks past full scale,
 * which 24 bits would clip. */
HissError sampleedit_write(const char *path, const SampleioAudio *audio,
                           const SampleMarks *marks, HissDiag *diag);

#endif
