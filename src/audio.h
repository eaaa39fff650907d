/* audio: one small interface over JACK, ALSA and the null backend.
 *
 * A backend drives engine_render() from its own real-time thread. Backends
 * never include ui files; the UI reads their state through audio_state()
 * and audio_xruns(). */
#ifndef HISS_AUDIO_H
#define HISS_AUDIO_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "engine.h"

typedef enum {
    AUDIO_STATE_STOPPED,
    AUDIO_STATE_RUNNING,
    AUDIO_STATE_SERVER_GONE, /* JACK went away; reconnect may bring it back */
    AUDIO_STATE_FAILED,
} AudioState;

typedef struct {
    const char *backend;     /* "jack", "alsa", "null", or NULL = auto */
    const char *device;      /* ALSA device, NULL = "default" */
    const char *client_name; /* JACK client name, NULL = "hiss" */
    const char *connect;     /* "PORT,PORT" or NULL = system playback */
    bool no_connect;
    bool per_channel_ports;
    int transport;           /* 0 none, 1 follow, 2 master */
    uint32_t rate;           /* wanted rate for ALSA/null (0 = 48000) */
    uint32_t period;         /* wanted period for ALSA/null (0 = 256) */
} AudioOptions;

typedef struct Audio Audio;

/* Opens the backend (auto: JACK if a server runs, else ALSA, else null)
 * and fills *rate with the device's rate; *why gets a one-line reason when
 * a fallback was taken. The engine is attached with audio_start. */
HissError audio_open(Audio **out, const AudioOptions *opts, uint32_t *rate,
                     HissDiag *why);
HissError audio_start(Audio *audio, Engine *engine);
void audio_stop(Audio *audio);
void audio_close(Audio *audio);
const char *audio_name(const Audio *audio);
AudioState audio_state(const Audio *audio);
uint32_t audio_xruns(const Audio *audio);
uint32_t audio_rate(const Audio *audio);
/* Tries to bring a lost JACK server back; HISS_OK when running again. */
HissError audio_reconnect(Audio *audio);

#endif
