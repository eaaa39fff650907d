/* perform: live gestures on a play session, and the MIDI bindings
 * (midilearn.h) that do them, in one place for the editor and `hiss play`:
 * mute or solo a channel now or at the next bar, set or tap the tempo, cue
 * the next order entry, play/stop, record, and a bound controller or note
 * moving a tempo, mix or instrument setting.
 *
 * Settings change through an Editor, so in the editor each is an undo
 * step (a controller's sweep one step while it keeps moving) and the song
 * keeps what was played; the session's engine follows the song.
 *
 * A bound note's tap is timed at the frame it came on in the audio
 * callback (MidiControl.at, on JACK's clock, which keeps time through
 * xruns), not when this thread reads it: four pads hit at 90 BPM set
 * 90 BPM however late or bunched the owner polls.
 *
 * Runs on the thread that owns the session. */
#ifndef HISS_PERFORM_H
#define HISS_PERFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "edit.h"
#include "midi.h"
#include "midilearn.h"
#include "session.h"
#include "tap.h"

/* News for the user (one line); `trouble` when something was refused. */
typedef void (*PerformSay)(void *ctx, bool trouble, const char *text);
typedef void (*PerformHook)(void *ctx);

typedef struct {
    Session *session;
    Editor *ed;
    const MidiLearn *bindings;
    int cue_at;                /* EngineCueAt for a cue */
    PerformSay say;            /* NULL: nothing said */
    PerformHook play_toggle;   /* NULL: the song from its start, or stop */
    PerformHook record_toggle; /* NULL: no recording here (said so) */
    void *ctx;                 /* for say and the hooks */
    TapTempo key_tap;          /* taps timed by this thread's clock */
    TapTempo midi_tap;         /* taps timed by the engine's frames */
    /* Each controller's last position: an action runs as it rises to 64. */
    uint8_t cc_last[MIDI_CHANNEL_COUNT][128];
    /* The sweep going on: which binding, its undo key. */
    const MidiLearnBinding *sweep;
    uint64_t sweep_key, gestures;
    /* Say a bound controller's new value (hiss play, which has no screen
     * to show it), at most every PERFORM_SAY_MOVE_SECONDS while it moves. */
    bool say_moves;
    double move_said_at;
} Perform;

/* Plays through `session`, edits through `ed`, with `bindings` (which
 * stay the caller's; perform_bindings_changed after each change). */
void perform_init(Perform *p, Session *session, Editor *ed, const MidiLearn *bindings);
/* The bound notes go to this thread instead of playing (the audio thread
 * takes them): call after the table changed. */
void perform_bindings_changed(Perform *p);

/* The song's tempo (tenths of a BPM, clamped to the song's range), heard
 * at once. */
HissError perform_set_tempo(Perform *p, int bpm_tenths);
/* Flips channel `channel`'s mute or solo (the song's flag, the mixer's M
 * and S); at_bar: the playing engine keeps the old one until the next bar. */
HissError perform_toggle_flag(Perform *p, int channel, EditStripField flag, bool at_bar);
/* One tap at `seconds` on `tap`'s clock: the fourth in time sets the
 * tempo; before that it says which tap it was. */
void perform_tap(Perform *p, TapTempo *tap, double seconds);
/* Cues the order entry after the playing one, at p->cue_at. */
void perform_cue_next(Perform *p);
/* "the next bar", "the next beat", "the pattern's end". */
const char *perform_cue_at_name(int cue_at);

/* A control change or bound note from MIDI input: runs what its binding
 * does (run false: only notes the controller's position, as while MIDI
 * learn takes it). True when something was bound to it. */
bool perform_control(Perform *p, const MidiControl *c, bool run);
/* The next move of a bound controller begins a new undo step, even of
 * the binding that moved last (the move that bound it stands alone). */
void perform_sweep_ends(Perform *p);
/* Takes every control change and bound note that came, and runs them;
 * returns how many were bound. */
int perform_poll(Perform *p);

#endif
