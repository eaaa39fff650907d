/* audio_fallback: moving on from a JACK server that went away to ALSA, or
 * the null clock, for users who asked for it (--fallback), without
 * stopping the song. */
#include "audio_backend.h"

#include <string.h>

HissError audio_fall_back(Audio **audio, const Song *song, HissDiag *why)
{
    Audio *old = *audio;
    AudioOptions o = old->opts; /* its strings live until audio_close(old) */
    uint32_t rate = 0;
    HissDiag alsa_why = {{0}};
    Audio *fresh = NULL;
    o.backend = "alsa";
    HissError err = audio_open(&fresh, &o, &rate, &alsa_why);
    if (err) {
        o.backend = "null";
        err = audio_open(&fresh, &o, &rate, why);
        if (err)
            return err; /* the old one stays, waiting for its server */
    }
    /* The engine moves over untouched, with the rate it was built for: a
     * device at another rate shows as AUDIO_EVENT_RATE_CHANGED next. */
    uint32_t engine_rate = atomic_load(&old->engine_rate);
    Engine *engine = audio_swap_engine(old, NULL, 0);
    audio_close(old);
    *audio = fresh;
    audio_set_song(fresh, song);
    err = audio_start(fresh, NULL);
    audio_swap_engine(fresh, engine, engine_rate);
    if (err) {
        audio_why(why, "the %s device would not start", audio_name(fresh));
        return err;
    }
    if (alsa_why.text[0])
        audio_why(why, "falling back to %s at %u Hz (silent: %s)",
                  audio_name(fresh), rate, alsa_why.text);
    else
        audio_why(why, "falling back to %s at %u Hz", audio_name(fresh), rate);
    return HISS_OK;
}
