/* sample: float sample data at the sample's own rate, ready for the mixer.
 *
 * Pure C11. Loading files lives in sampleio (libsndfile), always off the
 * audio thread. Nothing is converted to the output rate: a voice steps
 * through the frames at pitch ratio x rate / output rate and interpolates
 * (mixer.c), so a new output rate only changes steps.
 *
 * For the sinc interpolator a sample may carry band-limited levels, built
 * once off the audio thread (sampleio) before the sample is shared: fine
 * levels (below), which a voice reads at any step with a short kernel, or
 * octave levels (level k: the same sound low-passed and at rate / 2^k),
 * which a voice played more than an octave above the sample's rate reads,
 * so pitching up does not alias; without levels it filters the full-rate
 * frames with a wider kernel, at a higher cost. A looping or reversed
 * voice reads levels of its sound unrolled instead (SampleLoopLevels).
 *
 * A Sample is immutable once built; instruments share it by reference
 * count, which only the UI side touches (the engine never frees or retains
 * anything). */
#ifndef HISS_SAMPLE_H
#define HISS_SAMPLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base.h"

/* Zeroed guard frames before and after the data (and every level), so
 * interpolators read past either end without a branch: the widest sinc
 * window (2 x 128 frames) still reads guard frames after the last one
 * while it rings out. */
enum {
    SAMPLE_PAD = 256,
    SAMPLE_MAX_CHANNELS = 2,
    SAMPLE_OCTAVE_LEVELS = 8, /* octave levels 1 .. 8 */
    SAMPLE_MAX_LEVELS = 16,   /* fine levels 0 .. 15 (sinc.h, SINC_FINE_LEVELS) */
};

/* Levels come in two kinds (`fine` on their owner says which):
 * - octave levels: level k (1, 2, ...) the sound band-limited to its rate
 *   / 2^k and at that rate;
 * - fine levels: level j (0, 1, ...) the sound band-limited to its rate
 *   r_j = rate x 2^(-j/5) and at twice that (so 2x oversampled; the exact
 *   ratios are sample_fine_fraction's), read by the short fine kernel
 *   (sinc.h). They cost about 14 times the sound (sampleio's budget
 *   decides which kind a sample gets). */
typedef struct {
    uint32_t frames;   /* at the sound's rate x ratio */
    float *data;       /* interleaved, padded like Sample.data */
    uint64_t ratio;    /* level frames per frame of the sound, 32.32 */
} SampleLevel;

/* Octave levels of the sound a looping or reversed voice plays, for the
 * sinc reader. Loop points fall between a level's frames, so a level of
 * the sample itself cannot be read across a seam; these are levels of the
 * loop unrolled instead: the sample (or its reversed copy, `reverse`) up
 * to the loop start, then the loop's period again and again (for
 * ping-pong the body and its mirror, start .. end-1, end-2 .. start+1),
 * so a level's frames around a seam are the band-limited continuation of
 * the loop, and a voice always moves forwards through them.
 *
 * A voice that has not looped reads them where it is; one that has looped
 * is at `u` frames along the period from the loop start and reads frame
 * start + u, or start + u + lead while u < settle (the frames just after
 * the start then have the loop's end before them, not what preceded the
 * loop in the file). A voice that does not loop reads unrolled frame =
 * its position. The key (reverse, loop, start, end: frames of the copy
 * played) says which instrument's sound the levels are; a voice whose
 * loop differs does not read them. */
typedef struct {
    bool reverse;
    uint8_t loop;          /* SampleLoop */
    uint32_t loop_start, loop_end;
    uint32_t settle;       /* frames of the period read `lead` frames on */
    uint32_t lead;         /* whole periods, at least settle frames */
    bool fine;             /* fine levels 0.. rather than octave levels 1.. */
    uint8_t level_count;
    SampleLevel levels[SAMPLE_MAX_LEVELS];
    float *block_;         /* the allocation behind the levels */
} SampleLoopLevels;

/* Instruments sharing one sample with different loops: each of the first
 * few gets its own unrolled levels. */
enum { SAMPLE_MAX_LOOP_LEVELS = 4 };

/* What a sample's file says about playing it besides the audio: the WAV
 * `smpl` chunk or AIFF INST (root note, first loop) and its cue points.
 * The loader checks it against the audio: a loop that does not fit is
 * dropped, cue points outside the audio are dropped, the rest sorted and
 * unique. Frames are the file's; loop_end is exclusive. An instrument takes
 * what its song did not give (song_instrument_take_marks). */
enum { SAMPLE_MAX_CUES = 128 };

typedef enum {
    SAMPLE_LOOP_NONE = 0, /* the same values as LoopMode (song.h) */
    SAMPLE_LOOP_FORWARD,
    SAMPLE_LOOP_PINGPONG,
} SampleLoop;

typedef struct {
    int root_note;      /* hiss note 1..120 (C-4 = 49, MIDI 60), 0 = none */
    SampleLoop loop;
    uint32_t loop_start;
    uint32_t loop_end;
    int cue_count;      /* 0..SAMPLE_MAX_CUES */
    uint32_t cues[SAMPLE_MAX_CUES]; /* ascending, unique, < frames */
} SampleMarks;

typedef struct Sample {
    _Atomic int refs;
    uint32_t frames;        /* as in the file */
    uint32_t rate;          /* as in the file */
    uint8_t channels;       /* 1 or 2 */
    bool fine;              /* levels are fine levels 0, 1, ... */
    uint8_t level_count;    /* levels[0..level_count): octave levels 1, 2, ...
                             * or fine levels 0, 1, ... */
    float *data;            /* interleaved; data[-SAMPLE_PAD*channels] is valid */
    float *reversed;        /* the same frames back to front (ping-pong loops) */
    SampleLevel levels[SAMPLE_MAX_LEVELS];
    uint8_t loop_level_count;
    SampleLoopLevels loop_levels[SAMPLE_MAX_LOOP_LEVELS];
    SampleMarks marks;      /* from the file; zero when it had none */
    bool damaged;           /* its file was damaged (sampleio: cut short,
                             * bad values repaired): this is what it held */
    float *block_;          /* the allocation behind data/reversed */
    float *level_block_;    /* the allocation behind the levels */
} Sample;

/* Copies `frames` interleaved frames at `rate` (their own rate). */
Sample *sample_new(const float *interleaved, uint32_t frames, int channels,
                   uint32_t rate);
Sample *sample_retain(Sample *sample);
void sample_release(Sample *sample);

/* Bytes a sample holds (frames, reversed copy, levels, guards). */
size_t sample_bytes(const Sample *sample);

/* Allocates `count` levels' zeroed, padded buffers for the caller to fill
 * (level k has ceil(frames / 2^k) frames), replacing any there were.
 * Only before the sample is shared. */
HissError sample_alloc_levels(Sample *sample, int count);
/* The same for `count` fine levels (0 .. count-1; level j has the frames
 * sample_fine_level_frames gives). */
HissError sample_alloc_fine_levels(Sample *sample, int count);
/* Fine level j's frames per frame of its sound, num / den: 2 x 2^(-j/5)
 * within 0.05% (level 0 exactly 2, level 5 exactly 1, ...), a fraction
 * with a numerator of at most 50, so the level's builder (finelevel.h)
 * needs at most that many phases of its kernel. */
void sample_fine_fraction(int j, uint32_t *num, uint32_t *den);
/* The same ratio in 32.32 (rounded), as SampleLevel.ratio holds it. */
uint64_t sample_fine_ratio(int j);
/* The frames of fine level j of a `frames`-frame sound: twice those of
 * the sound at half the level's rate (rounded up), one over for the last
 * partial frame. */
uint32_t sample_fine_level_frames(uint32_t frames, int j);

/* The unrolled levels for one key, or NULL (any thread). */
const SampleLoopLevels *sample_loop_levels(const Sample *sample, bool reverse, SampleLoop loop,
                                           uint32_t loop_start, uint32_t loop_end);

/* Allocates a new key's `count` zeroed, padded levels (octave or `fine`)
 * of an unrolled sound of `frames` frames (octave level k has
 * ceil(frames / 2^k), fine levels as sample_fine_level_frames) for the caller
 * to fill; NULL when out of memory or when SAMPLE_MAX_LOOP_LEVELS keys
 * are taken. Only before the sample is shared. */
SampleLoopLevels *sample_add_loop_levels(Sample *sample, bool reverse, SampleLoop loop,
                                         uint32_t loop_start, uint32_t loop_end,
                                         uint32_t frames, int count, bool fine);
/* Drops the last key added (its building failed). */
void sample_drop_last_loop_levels(Sample *sample);

#endif
