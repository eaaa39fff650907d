/* session: one play session. It owns the engine and the audio backend and
 * keeps them playing together while the device changes under them: engine
 * swaps and hand-overs, a new device rate, a JACK server that goes away
 * and comes back, a device that fails, --fallback to ALSA or the null
 * clock. The editor, `hiss play` (and MIDI input and live tools) play
 * through it and send their commands (play, stop, jump, cue, tempo, mute,
 * preview...) through it.
 *
 * Threads: everything here runs on the thread that owns the session (the
 * UI thread, or hiss play's main thread). The backend's thread only
 * renders the engine the session installed, and plays MIDI input (the
 * session's MidiRoute, midi.h) on it: the engine's command ring has one
 * producer (this thread), so MIDI notes skip it and reach the engine on
 * the audio thread itself, with no wait for this thread. */
#ifndef HISS_SESSION_H
#define HISS_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "audio.h"
#include "base.h"
#include "edit.h"
#include "engine.h"

typedef struct Session Session;

/* News for the user, one line each, said as it happens from session_poll
 * (e.g. "JACK server gone; waiting for it to return"). `trouble` marks
 * news that something does not play as it should. */
typedef void (*SessionSay)(void *ctx, bool trouble, const char *text);

typedef struct {
    AudioOptions audio; /* backend choice and its options; fall_back */
    SessionSay say;
    void *say_ctx;
} SessionOptions;

/* What session_poll did, as a bit mask (the news itself goes to say). */
enum {
    SESSION_EVENT_SERVER_GONE = 1u << 0, /* JACK went away; waiting for it */
    SESSION_EVENT_RECONNECTED = 1u << 1, /* playing on a server again */
    SESSION_EVENT_FELL_BACK = 1u << 2,   /* moved to another backend */
    SESSION_EVENT_RATE_FOLLOWED = 1u << 3, /* an engine at session_rate()
                                              took over */
    SESSION_EVENT_STUCK = 1u << 4, /* the device failed for good or a new
                                      rate could not be followed: nothing
                                      plays from here on */
};

/* Opens the audio backend (auto: JACK if a server runs, else ALSA, else
 * null; *why gets a line when a fallback was taken). The session is made
 * even when no backend opens (then the error is returned, *why says why,
 * and the session plays nothing: an editor can still edit); NULL only
 * when out of memory. */
HissError session_open(Session **out, const SessionOptions *opts, HissDiag *why);
/* Stops the audio, then frees the engine and what was still on its way
 * to it. The songs stay the caller's. */
void session_close(Session *s);

/* The rate the engine renders at: the device's, or 48000 without audio. */
uint32_t session_rate(const Session *s);
/* The backend, for reading its state (audio_state, audio_name,
 * audio_xruns...): NULL when none opened or it would not start. */
Audio *session_audio(const Session *s);

/* Builds the engine for `song` at session_rate() and starts the audio.
 * HISS_ERR_NOMEM: no engine (nothing works). Any other error: the backend
 * would not start and is closed (*why says why); the engine is there and
 * commands are taken, but nothing plays. */
HissError session_start(Session *s, Song *song, HissDiag *why);

/* Another song for the engine (ENGINE_CMD_INSTALL_SONG): the old one comes
 * back through the engine and is freed by session_poll. Transport and the
 * per-channel ports follow it. */
void session_install_song(Session *s, Song *song);

/* Commands for the engine. When its ring is full (the audio thread stalled
 * or gone) they wait in the session and go at the next session_poll;
 * objects on their way (retire, install, preview sample) always arrive,
 * other commands are dropped past a backlog of 64. */
void session_send(Session *s, EngineCommandType type, int a, int b, int c, void *ptr);
void session_play_song(Session *s, int order, int row);
void session_play_pattern(Session *s, int pattern, int row);
/* The song's reference track for A/B (NULL: none): retained for the
 * engine, which gives it back when replaced. Plays from the song's time
 * once playback starts from a place (session_play_song or _pattern). */
void session_set_reference(Session *s, Sample *reference);
/* Hear the reference (true) or the mix, the reference scaled by
 * gain_centi_db (hundredths of a dB: the loudness match). */
void session_listen_reference(Session *s, bool reference, int gain_centi_db);
void session_stop(Session *s);
/* An EditRetireFn (ctx: the Session): a pattern or instrument an edit
 * replaced goes to the engine, which hands it back to be freed once no
 * voice reads it. */
void session_retire(void *session, EditRetireKind kind, void *ptr);
void session_jump(Session *s, int order, int row);
void session_cue(Session *s, int order);
/* A cue that takes over at the next bar, beat or pattern end; order -1
 * cancels the cue. The status shows the cued entry until it plays. */
void session_cue_at(Session *s, int order, EngineCueAt at);
/* A mute (or, with solo, a solo) at the next bar: the song's strip takes
 * the new flag, and until the bar the playing engine keeps `was`, the
 * flag the channel had (was < 0: nothing waits, the strip is heard now). */
void session_hold_flag(Session *s, bool solo, int channel, int was);
/* The playing engine keeps every channel's mute and solo as the song's
 * strips have them now until playback reaches order entry `order` (a
 * performance capture's arrangement, which then says what is heard),
 * while the strips are cleared; a new start, or a change to the channel's
 * flag, lets go. */
void session_hold_mixer_until(Session *s, int order);
/* Loops rows first..last of the playing pattern; first < 0: loop off. */
void session_loop_rows(Session *s, int first, int last);
/* Tempo in tenths of a BPM and ticks per row; 0 leaves either as it is. */
void session_set_tempo(Session *s, int bpm_tenths, int speed);
void session_set_loop(Session *s, bool loop_song);
void session_preview_note(Session *s, int slot, int note, int volume);
/* A note (or NOTE_OFF/NOTE_CUT) played on a song channel now; flags from
 * engine_live_flags. With ENGINE_LIVE_RECORD while playing, where it
 * belongs comes back through session_take_recorded, for the editor to
 * write (takes still in an engine replaced by a rate change are lost). */
void session_live_note(Session *s, int channel, int note, int flags);
bool session_take_recorded(Session *s, EngineTake *take);
/* Performance capture: engine_capture_rows and engine_take_row. */
void session_capture_rows(Session *s, bool on);
bool session_take_row(Session *s, EngineRowLog *log);
/* MIDI input plays on the audio thread as it comes (JACK's midi_in port,
 * the ALSA sequencer client): notes on `channel` (0-based) with
 * `instrument` (0: the channel's) and the record, quantize and feel bits
 * of engine_live_flags (record: what is played while the song plays comes
 * back through session_take_recorded, note-offs included). Cheap: call it
 * whenever the cursor, instrument or record switches change. */
void session_midi_target(Session *s, int channel, int instrument, int record_flags);
/* The MIDI channels `map` names play its instruments on its channels. */
void session_midi_map(Session *s, const MidiMap *map);
/* Pops a note that MIDI input played (for the screen). */
bool session_take_midi(Session *s, MidiNote *note);
/* Pops one control change from MIDI input, or a note MIDI learn took
 * (MidiControl.note); false when none. */
bool session_take_control(Session *s, MidiControl *control);
/* MIDI learn: a note-on of `note` (0..127) on `midi_channel` (0..15)
 * comes back through session_take_control instead of playing. */
void session_midi_bind_note(Session *s, int midi_channel, int note, bool bound);
/* MIDI learn waits for a note: every note-on comes back, none plays. */
void session_midi_capture_notes(Session *s, bool capture);
/* Whether an external MIDI clock on the MIDI input sets the tempo
 * (`clock`) and starts, stops and places playback (`transport`). */
void session_midi_clock_in(Session *s, bool clock, bool transport);
/* Opens the ALSA sequencer client (once, after session_start). *why gets
 * a line for the user either way: where MIDI comes in, or (e.g.
 * HISS_ERR_UNSUPPORTED: the machine has no /dev/snd/seq) that there is no
 * sequencer and what is left. */
HissError session_midi_seq(Session *s, const char *client_name, HissDiag *why);

/* The engine's status (position, peaks...), or a stopped one before
 * session_start. It may move to another engine at the next session_poll:
 * read it again after each. */
const EngineStatus *session_status(const Session *s);
/* Pops a block of the master output's tap (engine.h); false when none. */
bool session_take_tap(Session *s, EngineTapBlock *block);
bool session_playing(const Session *s);
/* Seconds played, each engine's frames counted at the rate it was built
 * for (a rate change does not stretch or shrink what was played). */
double session_seconds_played(const Session *s);

/* Call every few tens of milliseconds: sends what waited, carries the
 * backend's news (transport, a lost or returning server, a new rate, a
 * failed device) into swaps, reconnects (every second while the server is
 * gone) and fall backs, frees what the engine returned. SESSION_EVENT_*. */
unsigned session_poll(Session *s);
/* Tries to bring a lost JACK server back now, without waiting for the
 * next try. HISS_OK when the audio runs. */
HissError session_reconnect(Session *s);

#endif
