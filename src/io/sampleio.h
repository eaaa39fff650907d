/* sampleio: audio files in and out (libsndfile), and the band-limited
 * levels of a sample for the sinc mode (fine ones by finelevel.h, octave
 * ones by libsamplerate). Never called from the audio
 * thread: everything here
 * allocates, blocks on disk and may take a while on long files.
 *
 * Reading accepts whatever libsndfile reads (WAV, FLAC, AIFF, OGG, ...).
 * Mono and stereo files are kept as they are; files with more channels are
 * mixed down to stereo (and SampleioInfo.note says so). Every failure is a
 * HissDiag "path: reason", never a crash: missing files, text files with an
 * audio extension, truncated or corrupt data, absurd rates or lengths.
 * (A WAV or AIFF cut short inside its data loads the frames present, with
 * a note; formats that know their length, like FLAC, fail.)
 *
 * Writing picks the container from the extension:
 *   .wav          WAV, 24-bit PCM by default (16-bit or 32-bit float on
 *                 request: float keeps peaks above 0 dBFS)
 *   .flac         FLAC, 24-bit by default (16-bit on request)
 *   .aif, .aiff   AIFF, 24-bit by default (16-bit on request)
 * Integer formats clip at full scale instead of wrapping. The writer puts
 * the audio in a temporary file next to the target and renames it into
 * place on a successful close, so a failed or interrupted write never
 * leaves a half file under the target's name. */
#ifndef HISS_SAMPLEIO_H
#define HISS_SAMPLEIO_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "sample.h"

enum {
    SAMPLEIO_RATE_MIN = 1000,
    SAMPLEIO_RATE_MAX = 768000,
    SAMPLEIO_MAX_SECONDS = 600,       /* 10 minutes of audio per file */
    SAMPLEIO_MAX_FRAMES = 1 << 27,    /* and never more frames than this */
    /* Files with up to this many samples (frames x channels, about 95 s of
     * mono at 44.1 kHz) get their octave levels from libsamplerate's best sinc
     * converter, longer ones from its medium one (same 97 dB SNR, 90% of
     * the band instead of 97%), four times faster. */
    SAMPLEIO_BEST_QUALITY_SAMPLES = 1 << 22,
    SAMPLEIO_LEVEL_MIN_FRAMES = 16,   /* no level shorter than this */
};

/* What a file held and what loading did to it. */
typedef struct {
    uint32_t file_rate;
    uint32_t file_frames;
    int file_channels;
    char format[48]; /* e.g. "WAV 24-bit PCM", "FLAC 16-bit" */
    char note[240];  /* empty, or what was changed: "6 channels mixed down
                        to stereo", "12 non-finite values set to 0" */
    SampleMarks marks; /* what the file says about playing it, checked
                          (see SampleMarks): sampleio_load puts it on the
                          Sample */
    bool damaged;    /* the file is damaged but loaded: cut short (the
                        frames present), non-finite or absurd values
                        repaired; note says how. sampleio_load puts it on
                        the Sample */
} SampleioInfo;

/* The hiss note of a MIDI note number (60 = C-4), 0 when out of range. */
int sampleio_note_of_midi(int midi);

/* Decoded file frames at the file's own rate, interleaved, 1 or 2 channels. */
typedef struct {
    float *frames;
    uint32_t count;
    int channels;
    uint32_t rate;
} SampleioAudio;

/* Reads a whole file at its own rate. info may be NULL. */
HissError sampleio_read(const char *path, SampleioAudio *out, SampleioInfo *info,
                        HissDiag *diag);
void sampleio_audio_free(SampleioAudio *audio);

/* Reads a file into a Sample at the file's own rate (no levels). info may
 * be NULL. */
HissError sampleio_load(const char *path, Sample **out, SampleioInfo *info,
                        HissDiag *diag);

/* A Sample from frames at audio->rate (copied), without levels. */
HissError sampleio_from_audio(const SampleioAudio *audio, Sample **out,
                              HissDiag *diag);

/* Builds (or rebuilds) a sample's octave levels: level k is the sample
 * band-limited and at rate / 2^k, down to SAMPLEIO_LEVEL_MIN_FRAMES frames.
 * Only the sinc mode reads them, so they are built for the samples of
 * sinc instruments played more than an octave above their rate (songio)
 * and cost nothing otherwise. Only before the
 * sample is shared. On failure the sample has none. */
HissError sampleio_add_levels(Sample *sample, HissDiag *diag);
/* The same with at most `most` levels (a voice at a step below 2^(most+1)
 * reads no deeper one). */
HissError sampleio_add_levels_upto(Sample *sample, int most, HissDiag *diag);
/* The levels a looping or reversed voice reads (sample.h, SampleLoopLevels):
 * those of the sample (`reverse`: its reversed copy) with the loop
 * [loop_start, loop_end) unrolled, at most `most` octave levels, or with
 * `fine`, `most` fine levels. They hold the
 * sample up to the loop end plus the loop's period and twice about 400
 * frames of the deepest octave level (fine levels: three times the
 * deepest one's reach, finelevel_reach: 69 to 852 frames of the sound)
 * (ping-pong: twice the loop's length). Does
 * nothing when the key has its levels. Only before the sample is shared. */
HissError sampleio_add_loop_levels(Sample *sample, bool reverse, SampleLoop loop,
                                   uint32_t loop_start, uint32_t loop_end, int most, bool fine,
                                   HissDiag *diag);

/* Fine levels (sample.h): the sinc mode's cheaper reading, at about 14
 * times the sound's memory (levels 0 .. 15) and their building's time at
 * load (finelevel.h: about 400 multiply-adds a frame of the sound for
 * each level). A sound (the sample's own, or one unrolled loop of it) gets them
 * when their bytes fit SAMPLEIO_FINE_BUDGET, else octave levels. */
enum { SAMPLEIO_FINE_BUDGET = 64 << 20 };
/* Whether `count` fine levels of the sample (`unrolled`: of a loop of it
 * unrolled, at most twice as long and a few hundred frames) fit the
 * budget. */
bool sampleio_fine_fits(const Sample *sample, int count, bool unrolled);
/* Sets the budget (bytes) and returns the one before: for tests of what
 * a sample over it gets. */
size_t sampleio_set_fine_budget(size_t bytes);
/* Builds (or rebuilds) a sample's fine levels 0 .. count-1 (1 .. 16),
 * replacing any levels it had; whatever the budget. On failure the
 * sample has none. Only before the sample is shared. */
HissError sampleio_add_fine_levels(Sample *sample, int count, HissDiag *diag);

typedef enum {
    SAMPLEIO_ENC_DEFAULT = 0, /* 24-bit PCM for every container */
    SAMPLEIO_ENC_PCM16,
    SAMPLEIO_ENC_PCM24,
    SAMPLEIO_ENC_FLOAT,       /* WAV only */
} SampleioEncoding;

typedef struct SampleioWriter SampleioWriter;

/* True when the path's extension names a container the writer knows. */
bool sampleio_writer_knows(const char *path);

/* Creates the temporary file next to path; channels 1..8. The path must
 * not be a directory and its directory must exist and be writable. */
HissError sampleio_writer_open(const char *path, uint32_t rate, int channels,
                               SampleioEncoding encoding, SampleioWriter **out,
                               HissDiag *diag);
/* Puts marks (root note, loop, cue points) into the file: WAV only, as a
 * `smpl` chunk and a `cue ` chunk, which sampleio_read gives back as they
 * were. Before the first frame is written; HISS_ERR_UNSUPPORTED for the
 * other containers (nothing is written then). */
HissError sampleio_writer_set_marks(SampleioWriter *w, const SampleMarks *marks,
                                    HissDiag *diag);
/* Writes interleaved frames. Counts samples beyond full scale. */
HissError sampleio_writer_write(SampleioWriter *w, const float *interleaved,
                                uint32_t frames, HissDiag *diag);
/* Finishes the file, syncs it and renames it over path; frees w whatever
 * happens. On failure the temporary file is removed and path untouched. */
HissError sampleio_writer_close(SampleioWriter *w, HissDiag *diag);
/* Drops the temporary file and frees w (NULL is fine). */
void sampleio_writer_abort(SampleioWriter *w);

/* "WAV 24-bit PCM" and the like, for messages. */
const char *sampleio_writer_format_name(const SampleioWriter *w);
uint64_t sampleio_writer_frames(const SampleioWriter *w);
/* Samples written at or beyond full scale: at the format's top code (or
 * 1.0 in float), where a reader of the file sees a clip. */
uint64_t sampleio_writer_overs(const SampleioWriter *w);
/* The largest absolute sample value written so far. */
float sampleio_writer_peak(const SampleioWriter *w);

#endif
