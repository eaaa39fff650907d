/* audio_jack: placeholder until the JACK backend lands; it says so plainly. */
#include "audio_backend.h"

static HissError jack_out_open(Audio *a, HissDiag *why)
{
    (void)a;
    hiss_diag_set(why, "jack", 0, 0, "the JACK backend is not in this build yet");
    return HISS_ERR_UNSUPPORTED;
}

static HissError jack_out_start(Audio *a) { (void)a; return HISS_ERR_UNSUPPORTED; }
static void jack_out_stop(Audio *a) { (void)a; }
static void jack_out_close(Audio *a) { (void)a; }

const AudioBackend audio_jack_backend = {
    .name = "jack",
    .open = jack_out_open,
    .start = jack_out_start,
    .stop = jack_out_stop,
    .close = jack_out_close,
};
