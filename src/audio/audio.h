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
#include "midi.h"

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
    const char *connect;     /* "PORT,PORT" or NULL = system playback;
                                further entries go to the per-channel
                                ports in order */
    bool no_connect;
    bool per_channel_ports;
    int transport;           /* 0 none, 1 follow, 2 master */
    uint32_t rate;           /* wanted rate for ALSA/null (0 = 48000) */
    uint32_t period;         /* wanted period for ALSA/null (0 = 256) */
    bool start_server;       /* (added) let JACK start a server; off = never */
    bool fall_back;          /* on losing the JACK server, the caller moves
                                to ALSA, else null (audio_fall_back)
                                instead of waiting for it */
} AudioOptions;

typedef struct Audio Audio;

/* Opens the backend (auto: JACK if a server runs, else ALSA, else null)
 * and fills *rate with the device's rate; *why gets a one-line reason when
 * a fallback was taken. The engine is attached with audio_start. */
HissError audio_open(Audio **out, const AudioOptions *opts, uint32_t *rate,
                     HissDiag *why);
/* engine must be built at the device's rate (or NULL: silence until
 * audio_swap_engine). */
HissError audio_start(Audio *audio, Engine *engine);
void audio_stop(Audio *audio);
void audio_close(Audio *audio);
const char *audio_name(const Audio *audio);
AudioState audio_state(const Audio *audio);
/* Periods the sound missed: JACK's xruns, ALSA's underruns. The null
 * clock has no device to run dry, so it counts only periods whose render
 * took longer (in the thread's own CPU time) than the period lasts: the
 * engine could not have kept up with any device. A thread that merely
 * woke late on a loaded machine is not counted. */
uint32_t audio_xruns(const Audio *audio);
/* What audio_xruns counts, for a status line: "xr" / "late" (brief) or
 * "xruns" / "late periods". */
const char *audio_xrun_name(const Audio *audio, bool brief);
/* One line saying why the state is AUDIO_STATE_FAILED ("" otherwise),
 * e.g. "ALSA device 'hw:1': write failed: No such device". */
const char *audio_failure(const Audio *audio);
uint32_t audio_rate(const Audio *audio);
/* Tries to bring a lost JACK server back; HISS_OK when running again
 * (HISS_ERR_UNSUPPORTED for ALSA and null). A server back at another rate
 * shows as AUDIO_EVENT_RATE_CHANGED on the next audio_poll. */
HissError audio_reconnect(Audio *audio);

/* ---- Additions (all [ui] unless marked) ---------------------------------
 * The thread that owns the engine also owns the Audio: it calls these. */

/* The song the engine plays: its tempo and rows per beat feed JACK
 * transport, and with per_channel_ports its channel count sets the
 * per-channel outputs (JACK ports ch01, ch02...). Call it before
 * audio_start, and again whenever another song is installed in the engine
 * (before the old one is freed: it is read on this thread until then).
 * While running, a new channel count registers the missing ports (connected
 * per opts.connect) or unregisters the surplus ones, without touching
 * out_L/out_R; audio_poll notices a change of song->channels by itself
 * (the editor's channel setting, undo). A server that comes back gets
 * ports for the count at that time. Read on this thread only; the audio
 * thread sees copies. */
void audio_set_song(Audio *audio, const Song *song);
/* Per-channel outputs the audio thread renders now (the JACK ports that
 * exist): the song's channel count with per_channel_ports, else 0, or
 * fewer if the server refused a port. */
int audio_channel_outputs(const Audio *audio);
/* The per-channel outputs asked for: the song's channel count with
 * per_channel_ports, else 0. */
int audio_channel_outputs_wanted(const Audio *audio);

/* Events audio_poll reports, as a bit mask. */
enum {
    AUDIO_EVENT_SERVER_GONE = 1u << 0, /* JACK just went away */
    AUDIO_EVENT_RATE_CHANGED = 1u << 1, /* the device now runs at a rate the
                                          engine was not built for: build one
                                          at audio_rate() and audio_swap_engine
                                          it; until then the output is silent */
    AUDIO_EVENT_RECONNECTED = 1u << 2,  /* running again after SERVER_GONE */
    AUDIO_EVENT_TRANSPORT = 1u << 3,    /* JACK transport moved the song */
    AUDIO_EVENT_PORTS_SHORT = 1u << 4,  /* the server refused some of the
                                          per-channel ports asked for (said
                                          once per count): those channels
                                          are in the stereo mix only */
    AUDIO_EVENT_FAILED = 1u << 5,       /* the device failed for good (said
                                          once): audio_failure says why */
};

/* Call every few tens of milliseconds: it carries JACK transport changes
 * (follow mode) to the engine as commands from this thread, and refreshes
 * the tempo the timebase master reports. Returns AUDIO_EVENT_* bits. */
unsigned audio_poll(Audio *audio);

/* Installs another engine (e.g. built at a new rate) and returns the old
 * one once the audio thread can no longer touch it (at most a period). */
Engine *audio_swap_engine(Audio *audio, Engine *engine, uint32_t engine_rate);

/* After the JACK server went away or the ALSA device failed (for
 * --fallback): replaces *audio by the next backend that opens and starts,
 * ALSA (after JACK only) else the null clock, started with the same engine, which keeps its rate (a device at another rate shows as
 * AUDIO_EVENT_RATE_CHANGED on the next audio_poll). *why says what was
 * done, or why nothing could be opened (then *audio is left as it was). */
HissError audio_fall_back(Audio **audio, const Song *song, HissDiag *why);

/* Frames the current period holds (JACK may change it while running). */
uint32_t audio_period(const Audio *audio);

/* [audio] Called on the audio thread at the start (entering = true) and end
 * of every period, around everything the backend does in it (and around
 * JACK's timebase callback in master mode). For tests and benchmarks
 * (real-time guard, callback timing); set before audio_start. */
typedef void (*AudioPeriodHook)(void *ctx, bool entering);
void audio_set_period_hook(Audio *audio, AudioPeriodHook hook, void *ctx);

/* Transport modes for AudioOptions.transport. */
enum { AUDIO_TRANSPORT_NONE = 0, AUDIO_TRANSPORT_FOLLOW = 1,
       AUDIO_TRANSPORT_MASTER = 2 };

/* [ui, before audio_start] Where MIDI notes go: JACK's midi_in port and
 * the notes queued in route->in are played on the audio thread, in the
 * period they come in (NULL: MIDI input is ignored). */
void audio_set_midi(Audio *audio, MidiRoute *route);

/* ---- Recording a take (audio_capture.c) ---------------------------------
 * [ui] The backend's inputs (JACK's in_L and in_R, ALSA's capture side of
 * the device, opened for the take) are copied into a
 * ring the caller drains with audio_capture_read, from the period after
 * audio_capture_start until audio_capture_stop. */
bool audio_can_capture(const Audio *audio);
/* Where a take begins. threshold > 0 (linear, 1 = full scale): with the
 * first frame whose left or right value reaches it (a threshold start).
 * bars > 0: on the frame where the bars-th bar from now is heard (the
 * engine's bar start plus its latency), so a take is in time with the
 * song; bars beyond the first are a count-in. Playback started right
 * after audio_capture_start counts its first row as a bar. Neither: at
 * once. */
typedef struct {
    float threshold;
    int bars;
} AudioCaptureStart;
/* HISS_ERR_UNSUPPORTED (and *why) when the backend has no inputs. */
HissError audio_capture_start(Audio *audio, const AudioCaptureStart *how, HissDiag *why);
/* Returns once no period adds frames: the ring then holds the rest. */
void audio_capture_stop(Audio *audio);
bool audio_capturing(const Audio *audio);
/* Started with a threshold no input has reached yet, or waiting for a bar. */
bool audio_capture_waiting(const Audio *audio);
/* Up to max stereo frames (interleaved) into out; returns how many. */
uint32_t audio_capture_read(Audio *audio, float *out, uint32_t max);
/* Frames lost since audio_capture_start because the ring was full (the
 * reader fell more than ~10 s behind). */
uint32_t audio_capture_dropped(const Audio *audio);

#endif
