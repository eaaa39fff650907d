/* Fuzz target: arbitrary bytes as an audio file for sampleio.
 *
 * sampleio opens files by path, so each input is written to one in-memory
 * file (memfd) and read back through /proc/self/fd/N: no disk traffic, and
 * the same code path as a real sample. A failure must come with a message
 * that names the file; a success must give usable audio (1 or 2 channels,
 * a sane rate, finite values, a loop and cue points that fit it), and
 * small results are also converted to the session rate as loading a song
 * would. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sample.h"
#include "sampleio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libsndfile's Ogg/Vorbis reader leaks libvorbis's info block when a
 * corrupt stream fails to open (vorbis_info_init, inside the library; not
 * fixable from hiss). Only that library's allocations are exempt. */
const char *__lsan_default_suppressions(void)
{
    return "leak:libvorbis.so\n";
}

static int memfd = -1;
static char path[64];

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_sample: %s: %s\n", what, detail);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("hiss-fuzz-sample", MFD_CLOEXEC);
        if (memfd < 0)
            fail("memfd_create", "failed");
        snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    }
    if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        fail("pwrite", "failed");

    SampleioAudio audio;
    SampleioInfo info;
    HissDiag diag = {{0}};
    HissError err = sampleio_read(path, &audio, &info, &diag);
    if (err) {
        if (strncmp(diag.text, path, strlen(path)) || !diag.text[strlen(path)])
            fail("a failure without a message naming the file", diag.text);
        for (const char *c = diag.text; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                fail("control byte in a message", diag.text);
        return 0;
    }
    if (audio.channels < 1 || audio.channels > SAMPLE_MAX_CHANNELS)
        fail("channels", "out of range");
    if (audio.count == 0 || !audio.frames)
        fail("frames", "success with no audio");
    if (audio.rate < SAMPLEIO_RATE_MIN || audio.rate > SAMPLEIO_RATE_MAX)
        fail("rate", "out of range");
    for (size_t i = 0; i < (size_t)audio.count * audio.channels; i++)
        if (!isfinite(audio.frames[i]) || fabsf(audio.frames[i]) > 64.0f)
            fail("samples", "non-finite or absurd value passed through");
    /* What the file says about playing it comes out checked: a loop that
     * fits, cue points inside the audio, ascending, at most the limit. */
    const SampleMarks *m = &info.marks;
    if (m->root_note < 0 || m->root_note > 120)
        fail("marks", "root note out of range");
    if (m->loop != SAMPLE_LOOP_NONE &&
        (m->loop_start >= m->loop_end || m->loop_end > audio.count))
        fail("marks", "a loop that does not fit the audio");
    if (m->cue_count < 0 || m->cue_count > SAMPLE_MAX_CUES)
        fail("marks", "cue count out of range");
    for (int i = 0; i < m->cue_count; i++)
        if (m->cues[i] >= audio.count || (i && m->cues[i] <= m->cues[i - 1]))
            fail("marks", "cue points outside the audio or not ascending");
    for (const char *c = info.note; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            fail("control byte in a note", info.note);

    /* Building the levels costs time per frame: only for short inputs,
     * so the fuzzer keeps its pace on the parsers. */
    if (audio.count <= 4096) {
        Sample *s = NULL;
        err = sampleio_from_audio(&audio, &s, &diag);
        if (err == HISS_OK) {
            if (s->frames != audio.count || s->rate != audio.rate)
                fail("sample", "frames or rate changed");
            for (int k = 0; k < s->level_count; k++)
                if (s->levels[k].frames != (audio.count + (1u << (k + 1)) - 1) >> (k + 1))
                    fail("levels", "wrong frame count");
            sample_release(s);
        } else if (!diag.text[0]) {
            fail("sample failed", "without a message");
        }
    }
    sampleio_audio_free(&audio);
    return 0;
}
