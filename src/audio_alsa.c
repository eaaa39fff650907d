/* audio_alsa: placeholder until the ALSA backend lands; it says so plainly. */
#include "audio_backend.h"

static HissError alsa_out_open(Audio *a, HissDiag *why)
{
    (void)a;
    hiss_diag_set(why, "alsa", 0, 0, "the ALSA backend is not in this build yet");
    return HISS_ERR_UNSUPPORTED;
}

static HissError alsa_out_start(Audio *a) { (void)a; return HISS_ERR_UNSUPPORTED; }
static void alsa_out_stop(Audio *a) { (void)a; }
static void alsa_out_close(Audio *a) { (void)a; }

const AudioBackend audio_alsa_backend = {
    .name = "alsa",
    .open = alsa_out_open,
    .start = alsa_out_start,
    .stop = alsa_out_stop,
    .close = alsa_out_close,
};
