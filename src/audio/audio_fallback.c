/* audio_fallback: moving on from a JACK server that went away to ALSA, or
 * from there (or from an ALSA device that failed) to the null clock, for
 * users who asked for it (--fallback), without stopping the song. */
#include "audio_backend.h"

#include <string.h>

/* Opens and starts `backend` with the old one's options, silent until the
 * engine moves over; NULL and *why filled when it cannot. */
static Audio *audio_fallback_try(const Audio *old, const char *backend, const Song *song,
                                 uint32_t *rate, HissDiag *why)
{
    AudioOptions o = old->opts; /* its strings live until audio_close(old) */
    o.backend = backend;
    Audio *fresh = NULL;
    if (audio_open(&fresh, &o, rate, why))
        return NULL;
    audio_set_song(fresh, song);
    audio_set_midi(fresh, atomic_load(&old->midi));
    if (audio_start(fresh, NULL)) {
        hiss_diag_printf(why, "the %s device would not start", backend);
        audio_close(fresh);
        return NULL;
    }
    return fresh;
}

HissError audio_fall_back(Audio **audio, const Song *song, HissDiag *why)
{
    Audio *old = *audio;
    uint32_t rate = 0;
    HissDiag alsa_why = {{0}};
    /* Away from JACK: ALSA first. Away from a failed ALSA device: null. */
    bool try_alsa = strcmp(audio_name(old), "alsa") != 0;
    Audio *fresh = try_alsa ? audio_fallback_try(old, "alsa", song, &rate, &alsa_why) : NULL;
    if (!fresh)
        fresh = audio_fallback_try(old, "null", song, &rate, why);
    if (!fresh)
        return HISS_ERR_IO; /* the old one stays, waiting for its server */
    /* The engine moves over untouched, with the rate it was built for: a
     * device at another rate shows as AUDIO_EVENT_RATE_CHANGED next. */
    uint32_t engine_rate = atomic_load(&old->engine_rate);
    Engine *engine = audio_swap_engine(old, NULL, 0);
    audio_swap_engine(fresh, engine, engine_rate);
    audio_close(old);
    *audio = fresh;
    if (strcmp(audio_name(fresh), "null") != 0)
        hiss_diag_printf(why, "falling back to %s at %u Hz", audio_name(fresh), rate);
    else if (alsa_why.text[0])
        hiss_diag_printf(why, "falling back to null at %u Hz (silent: %s)", rate, alsa_why.text);
    else
        hiss_diag_printf(why, "falling back to null at %u Hz (silent)", rate);
    return HISS_OK;
}
