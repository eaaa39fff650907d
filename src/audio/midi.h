/* midi: notes from MIDI input, decoded the same way for JACK MIDI (raw
 * bytes, on the process thread: allocation-free) and the ALSA sequencer
 * (its events). Velocity goes to the volume column.
 *
 * Notes are played on the audio thread, in the period they arrive in,
 * without waiting for the editor: the route (MidiRoute) says where they
 * go. The thread that owns the session sets it (atomics); the audio thread
 * reads it, keeps which note each channel holds, and sends every note it
 * played back (MidiRoute.seen) for the screen. Notes read on a thread of
 * their own (the ALSA sequencer client) reach the audio thread through
 * MidiRoute.in. */
#ifndef HISS_MIDI_H
#define HISS_MIDI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "engine.h"
#include "ring.h"

typedef enum { MIDI_NOTE_ON, MIDI_NOTE_OFF } MidiKind;

typedef struct {
    MidiKind kind;
    uint8_t channel;  /* 0..15 */
    uint8_t note;     /* hiss note (NOTE_FIRST..NOTE_LAST) */
    uint8_t velocity; /* 1..127 for a note-on */
    uint32_t frame;   /* where in the period it came (JACK's event time;
                         0 for notes from another thread) */
    double at;        /* when it came, in seconds on the backend's clock
                         (JACK's cycle time plus the frame, the sequencer
                         thread's arrival time), which keeps time through
                         xruns where frames do not; 0: unknown */
} MidiNote;

/* A control change (CC): a knob or fader moved; or (note) a note-on
 * that MIDI learn takes instead of playing it: `cc` is then its MIDI
 * note number and `value` its velocity. */
typedef struct {
    uint8_t channel; /* 0..15 */
    uint8_t cc;      /* 0..127 */
    uint8_t value;   /* 0..127 */
    bool note;
    /* A note's MidiNote.at: when it came, however late the owner reads
     * it, so a tap is timed to its frame. 0: unknown (a controller). */
    double at;
} MidiControl;
/* A control change from one raw MIDI message; false for anything else. */
bool midi_decode_control(const uint8_t *bytes, size_t size, MidiControl *out);

/* A note-on or note-off from one raw MIDI message (a note-on with
 * velocity 0 is a note-off); false for anything else or a note outside
 * hiss's range. */
bool midi_decode(const uint8_t *bytes, size_t size, MidiNote *out);
/* The time (seconds) of frame `frame` of a period that began at
 * `cycle_usecs` microseconds and lasts `period_usecs` for `nframes`
 * frames (JACK's jack_get_cycle_times): a note's MidiNote.at. */
double midi_frame_time(uint64_t cycle_usecs, double period_usecs, uint32_t nframes,
                       uint32_t frame);
/* The MIDI note number (0..127) of a hiss note from midi_decode. */
int midi_note_number(int hiss_note);
/* The volume column (1..64) for a velocity (1..127). */
int midi_velocity_volume(int velocity);

/* The same from an ALSA sequencer event (snd_seq_event_t, passed as
 * void so that this header needs no ALSA). */
bool midi_decode_seq_event(const void *seq_event, MidiNote *out);
/* A control change from an ALSA sequencer event (MIDI learn); false for
 * anything else or a value out of MIDI's range. */
bool midi_decode_seq_control(const void *seq_event, MidiControl *out);
/* A MIDI clock pulse, start, continue, stop or song position from an ALSA
 * sequencer event, as the raw system message midi_route_system takes
 * (up to 3 bytes in `bytes`, their count in *size); false for others. */
bool midi_decode_seq_system(const void *seq_event, uint8_t bytes[3], size_t *size);
/* Whether this machine has an ALSA sequencer (/dev/snd/seq). */
bool midi_seq_exists(void);

enum {
    MIDI_CHANNEL_COUNT = 16,
    MIDI_ROUTE_RING = 256,
    MIDI_CLOCK_WINDOW = 48, /* pulses the tempo is measured over: a second
                               at 120 BPM, two beats at any tempo */
};

typedef struct {
    /* [owner] Where notes go. */
    _Atomic int channel;      /* song channel (0-based): the cursor's */
    _Atomic int instrument;   /* 0: the channel's */
    _Atomic int record_flags; /* engine_live_flags() with instrument and
                                 volume 0: record, quantize, feel */
    /* Per MIDI channel (0..15): an instrument (0: `instrument`) and a
     * song channel (-1: `channel`), so a keyboard split or a drum machine
     * plays several instruments at once, each on its own channel. */
    _Atomic int map_instrument[MIDI_CHANNEL_COUNT];
    _Atomic int map_channel[MIDI_CHANNEL_COUNT];
    /* [audio] The note each song channel holds (0: none): a note-off
     * releases the channel only while its note is the last one played
     * there (in legato playing the next note-on comes first). */
    uint8_t held[SONG_MAX_CHANNELS];
    Ring in;   /* notes read on another thread, for the audio thread */
    Ring seen; /* notes the audio thread played, for the owner */
    Ring controls; /* control changes, and the notes below, for the owner
                      (MIDI learn) */
    Ring seq_controls; /* control changes read on the sequencer's thread,
                          for the owner: a ring has one producer */
    Ring seq_system;   /* clock and transport messages read on the
                          sequencer's thread (MidiSeqSystem), for the
                          audio thread */
    /* [owner] Notes bound to actions, one bit per MIDI channel and note
     * number: a note-on of one goes to `controls` and does not play. */
    _Atomic uint32_t note_bound[MIDI_CHANNEL_COUNT][4];
    /* [owner] MIDI learn is waiting for a note: every note-on goes to
     * `controls` and none plays. */
    _Atomic bool capture_notes;
    /* [owner] MIDI clock in, two switches (some devices send no song
     * position, or a clock one would rather not start hiss): */
    _Atomic bool follow_clock;     /* the tempo of its pulses */
    _Atomic bool follow_transport; /* its start, stop, continue, position */
    /* [audio] The clock's last pulses, on the server's frame clock. */
    uint32_t pulse_at[MIDI_CLOCK_WINDOW]; /* wraps: only differences count */
    int pulse_count, pulse_next;
    int start_pending;     /* 0, or the start (0xFA) or continue (0xFB)
                              that takes effect on the next pulse */
    int position;          /* the last song position, sixteenths */
    int64_t pulses;        /* since the clock started hiss, -1: it did not */
    int64_t origin;        /* the pulse (6 a sixteenth) it started hiss at */
} MidiRoute;

/* A MIDI channel map as written: "M:I[:C],..." gives MIDI channel M
 * (1..16) instrument I (hex, 01..FF, as the editor shows it) on song
 * channel C (1..64; left out: the channel notes go to otherwise). */
/* A clock or transport message from the sequencer, and when it came. */
typedef struct {
    double seconds;
    uint8_t bytes[3];
    uint8_t size;
} MidiSeqSystem;

typedef struct {
    bool set[MIDI_CHANNEL_COUNT];
    int instrument[MIDI_CHANNEL_COUNT]; /* 1..255 */
    int channel[MIDI_CHANNEL_COUNT];    /* 0-based song channel, or -1 */
} MidiMap;
/* HISS_ERR_PARSE with *why naming the bad entry. "" is an empty map. */
HissError midi_map_parse(const char *text, MidiMap *out, HissDiag *why);

/* [owner] Every MIDI channel to the cursor's channel and instrument 0. */
HissError midi_route_init(MidiRoute *r);
void midi_route_deinit(MidiRoute *r);
/* [owner] MIDI channel `midi_channel` (0..15) plays `instrument` (0: the
 * current one) on song channel `song_channel` (-1: the cursor's). */
void midi_route_map(MidiRoute *r, int midi_channel, int instrument, int song_channel);
/* [owner] Every entry of `map`; the other MIDI channels as they were. */
void midi_route_apply(MidiRoute *r, const MidiMap *map);
/* [audio] Plays one note on `engine` at its frame of the period about to
 * render (and, when the route records,
 * hands the engine what to write); NULL engine: dropped. */
void midi_route_play(MidiRoute *r, Engine *engine, const MidiNote *note);
/* [audio] A system message (status 0xF0 and up) from MIDI input, at
 * `frame` of the period about to render and `clock_frame` on the
 * server's running frame count: with follow_transport, start (from the
 * song's start) or continue (from the last song position) on the next
 * pulse, a song position while the clock runs hiss (a jump) the same,
 * and stop at once; with follow_clock, each pulse sets the tempo
 * measured over the last MIDI_CLOCK_WINDOW pulses, phase-locked to the
 * pulses counted since the clock started hiss (ENGINE_CMD_FOLLOW_CLOCK). */
void midi_route_system(MidiRoute *r, Engine *engine, const uint8_t *bytes, size_t size,
                       uint32_t frame, uint32_t clock_frame);
/* [audio] Passes a control change on to the owner (r->controls); a full
 * ring drops it (the owner is not reading). */
void midi_route_control(MidiRoute *r, const MidiControl *control);
/* [owner] Whether a note-on of MIDI note `note` (0..127) on MIDI
 * channel `midi_channel` goes to the owner instead of playing. */
void midi_route_bind_note(MidiRoute *r, int midi_channel, int note, bool bound);
/* [audio] Plays what other threads put in r->in, and follows the clock
 * and transport messages in r->seq_system: measured on a frame clock of
 * `rate` frames a second (the engine's) from when they came, and each
 * placed a period after it came in the `nframes` about to render, which
 * begin at `now` (hiss_now_seconds), so the pulses keep their spacing. */
void midi_route_drain(MidiRoute *r, Engine *engine, uint32_t rate, uint32_t nframes,
                      double now);
/* [sequencer thread] One event from the ALSA sequencer, received at
 * `seconds` (hiss_now_seconds): a note queued for the audio thread, a
 * controller for the owner, a clock or transport message for the audio
 * thread with its time, so the clock's tempo is measured from when its
 * pulses came, not from the periods they were played in. */
void midi_seq_take(MidiRoute *r, const void *seq_event, double seconds);

/* An ALSA sequencer client ("hiss", with one input port "midi_in") whose
 * thread decodes the notes other clients send and queues them in a
 * route's `in`, for the audio thread to play. */
typedef struct MidiSeq MidiSeq;
/* HISS_ERR_UNSUPPORTED when the machine has no sequencer (/dev/snd/seq is
 * missing), HISS_ERR_IO when it would not open; *why says so in a line. */
HissError midi_seq_open(MidiSeq **out, MidiRoute *route, const char *client_name,
                        HissDiag *why);
/* Stops the thread and closes the client. NULL is fine. */
void midi_seq_close(MidiSeq *seq);
/* The client:port others connect to ("128:0"). */
const char *midi_seq_address(const MidiSeq *seq);

#endif
