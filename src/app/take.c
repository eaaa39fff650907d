#include "take.h"

#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "sampleedit.h"

enum { TAKE_BLOCK = 4096, TAKE_PATH_MAX = 4096 };

struct Take {
    Audio *audio;
    SNDFILE *file;
    char path[TAKE_PATH_MAX];
    uint64_t frames;
    uint32_t dropped; /* as the Audio said at the end */
    TakeInput input;
    float block[2 * TAKE_BLOCK];
};

const char *take_input_name(TakeInput input)
{
    static const char *const NAMES[TAKE_INPUT_COUNT] = {"stereo", "left", "right"};
    return input >= 0 && input < TAKE_INPUT_COUNT ? NAMES[input] : "?";
}

HissError take_begin(Take **out, Audio *audio, const char *dir, const char *stem,
                     const TakeOptions *opts, HissDiag *diag)
{
    *out = NULL;
    if (!audio_can_capture(audio)) {
        hiss_diag_printf(diag, "the %s backend has no input ports to record from",
                         audio_name(audio));
        return HISS_ERR_UNSUPPORTED;
    }
    Take *t = calloc(1, sizeof *t);
    if (!t) {
        hiss_diag_printf(diag, "out of memory");
        return HISS_ERR_NOMEM;
    }
    HissError err = sampleedit_new_path(dir, stem, "take", t->path, sizeof t->path, diag);
    if (err) {
        free(t);
        return err;
    }
    t->input = opts->input >= 0 && opts->input < TAKE_INPUT_COUNT ? opts->input
                                                                   : TAKE_INPUT_STEREO;
    SF_INFO info = {.samplerate = (int)audio_rate(audio),
                    .channels = t->input == TAKE_INPUT_STEREO ? 2 : 1,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    /* The name was taken as an empty file: it is ours to fill. */
    t->file = sf_open(t->path, SFM_WRITE, &info);
    if (!t->file) {
        hiss_diag_printf(diag, "%s: %s", t->path, sf_strerror(NULL));
        remove(t->path);
        free(t);
        return HISS_ERR_IO;
    }
    sf_command(t->file, SFC_SET_UPDATE_HEADER_AUTO, NULL, SF_TRUE);
    t->audio = audio;
    err = audio_capture_start(audio, &opts->start, diag);
    if (err) {
        sf_close(t->file);
        remove(t->path);
        free(t);
        return err;
    }
    *out = t;
    return HISS_OK;
}

HissError take_pump(Take *t, HissDiag *diag)
{
    if (!t->file || !t->audio)
        return HISS_OK;
    uint32_t n;
    while ((n = audio_capture_read(t->audio, t->block, TAKE_BLOCK)) > 0) {
        if (t->input != TAKE_INPUT_STEREO) {
            /* One input: its side of each frame, packed in place. */
            int side = t->input == TAKE_INPUT_RIGHT;
            for (uint32_t i = 0; i < n; i++)
                t->block[i] = t->block[2 * i + side];
        }
        if (sf_writef_float(t->file, t->block, n) != (sf_count_t)n) {
            hiss_diag_printf(diag, "%s: %s", t->path, sf_strerror(t->file));
            return HISS_ERR_IO;
        }
        t->frames += n;
    }
    return HISS_OK;
}

HissError take_end(Take *t, HissDiag *diag)
{
    if (!t->file)
        return HISS_OK;
    HissError err = HISS_OK;
    if (t->audio) {
        audio_capture_stop(t->audio);
        err = take_pump(t, diag);
        t->dropped = audio_capture_dropped(t->audio);
    }
    if (sf_close(t->file) != 0 && !err) {
        hiss_diag_printf(diag, "%s: cannot finish the file", t->path);
        err = HISS_ERR_IO;
    }
    t->file = NULL;
    return err;
}

void take_free(Take *t)
{
    if (!t)
        return;
    HissDiag ignored = {{0}};
    take_end(t, &ignored);
    free(t);
}

const char *take_path(const Take *t)
{
    return t->path;
}

uint64_t take_frames(const Take *t)
{
    return t->frames;
}

uint32_t take_dropped(const Take *t)
{
    return t->file && t->audio ? audio_capture_dropped(t->audio) : t->dropped;
}

void take_audio_gone(Take *t)
{
    t->audio = NULL;
}

const Audio *take_audio(const Take *t)
{
    return t->audio;
}
