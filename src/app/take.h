/* take: recording from the audio backend's inputs (JACK's in_L, in_R)
 * into a new WAV file beside the song.
 *
 * The audio thread only copies the inputs into a ring (audio_capture.c);
 * take_pump, called every few tens of milliseconds on the thread that owns
 * the Audio, moves what came into the file. The file's header is rewritten
 * on every write, so a take is readable up to its last pump even if hiss
 * dies mid-take. Frames are 32-bit float, as the inputs give them: the
 * file holds exactly what came in. */
#ifndef HISS_TAKE_H
#define HISS_TAKE_H

#include <stddef.h>
#include <stdint.h>

#include "audio.h"
#include "base.h"

typedef struct Take Take;

/* Which inputs a take keeps: both as a stereo file, or one of them as a
 * mono file (a microphone or a mono synth on one input). */
typedef enum { TAKE_INPUT_STEREO, TAKE_INPUT_LEFT, TAKE_INPUT_RIGHT, TAKE_INPUT_COUNT } TakeInput;

typedef struct {
    AudioCaptureStart start; /* at once, from a level or on a bar */
    TakeInput input;
} TakeOptions;

/* "stereo", "left", "right". */
const char *take_input_name(TakeInput input);

/* Takes a new name "STEM-take.wav" (else "STEM-take-2.wav"...) in dir,
 * never one that exists, opens it and starts recording from audio as
 * opts says (audio_capture_start). */
HissError take_begin(Take **out, Audio *audio, const char *dir, const char *stem,
                     const TakeOptions *opts, HissDiag *diag);
/* Writes what the inputs gave since the last call. */
HissError take_pump(Take *take, HissDiag *diag);
/* Stops recording, writes the rest and closes the file; the take is then
 * the file at take_path. */
HissError take_end(Take *take, HissDiag *diag);
/* Ends the take if it still runs (its file is kept) and frees it. */
void take_free(Take *take);

const char *take_path(const Take *take);
uint64_t take_frames(const Take *take);
/* Frames lost because the file could not keep up. */
uint32_t take_dropped(const Take *take);
/* The Audio the take records from, NULL once take_audio_gone said it
 * went (a fall back to another backend frees it): the take then ends
 * with the frames it wrote. */
const Audio *take_audio(const Take *take);
void take_audio_gone(Take *take);

#endif
