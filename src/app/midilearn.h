/* midilearn: MIDI controllers (CC) and notes bound to what they do. A
 * binding names a MIDI channel and a controller or note, and a target:
 * the song's tempo, any mix setting (mixparam.h: a channel's fader, pan,
 * mute, sends, EQ..., the master's, the sends'), an instrument's shaping
 * parameter (shape.h: its filter cutoff...), or an action (mute or solo a
 * channel, cue the next order entry, tap the tempo, start/stop, record).
 * The editor learns them (midi_learn) and writes them to a file of its
 * own beside the hissrc; a hissrc may hold the same lines:
 *
 *     midi_cc 1:74 strip 3 gain         # MIDI channel 1, CC 74: channel 3's fader
 *     midi_cc 1:7 tempo                 # CC 7: the tempo, 60..187 BPM
 *     midi_cc 1:71 instrument 01 cutoff # instrument 01's filter cutoff
 *     midi_note 10:36 mute 2            # pad 36 on MIDI channel 10 mutes channel 2
 *     midi_note 10:37 tap               # taps the tempo
 *
 * A controller's 0..127 spans the setting's whole range (a switch is on
 * from 64; a frequency in even steps of pitch); a note sets it from its
 * velocity, or flips a switch. A bound note plays no sound. An action
 * runs on a note-on, or when a controller rises to 64 or above. */
#ifndef HISS_MIDILEARN_H
#define HISS_MIDILEARN_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "mixparam.h"
#include "shape.h"

enum {
    MIDILEARN_MAX = 64,
    MIDILEARN_TEMPO_LOW = 600, /* tenths of a BPM at controller value 0 */
    MIDILEARN_LINE_MAX = 80,   /* a binding's line, with room to spare */
};

typedef enum {
    MIDILEARN_MIX,    /* `param` */
    MIDILEARN_TEMPO,
    MIDILEARN_SHAPE,  /* `shape` of `instrument` */
    MIDILEARN_ACTION, /* `action` (on `channel` for the channel ones) */
} MidiLearnKind;

typedef enum {
    MIDILEARN_MUTE,        /* mute/unmute a channel now */
    MIDILEARN_SOLO,
    MIDILEARN_MUTE_AT_BAR, /* at the next bar */
    MIDILEARN_SOLO_AT_BAR,
    MIDILEARN_CUE_NEXT,    /* cue the order entry after the playing one */
    MIDILEARN_TAP,         /* one tap of the tempo */
    MIDILEARN_PLAY,        /* play/stop */
    MIDILEARN_RECORD,      /* record on/off */
    MIDILEARN_ACTIONS
} MidiLearnAction;

typedef struct {
    bool note;        /* a note; else a controller */
    int midi_channel; /* 0..15 */
    int number;       /* 0..127: the controller, or the MIDI note */
    MidiLearnKind kind;
    MixParam param;
    int instrument;   /* 1..255 */
    ShapeParam shape;
    MidiLearnAction action;
    int channel;      /* a channel action's song channel, 0-based */
} MidiLearnBinding;

typedef struct {
    MidiLearnBinding bindings[MIDILEARN_MAX];
    int count;
} MidiLearn;

/* The words after "midi_cc" (note false) or "midi_note" (true):
 * "M:N TARGET", TARGET one of: "tempo"; "GROUP CHANNEL FIELD" (GROUP
 * strip, eq, comp, duck, glue, tape, master, delay or reverb; CHANNEL
 * 1..64, or 0 for the master's and the sends' groups; FIELD the song
 * file's name of the setting); "instrument II FIELD" (II 01..FF, FIELD
 * a shaping parameter's song-file name); "mute|solo|mute_at_bar|
 * solo_at_bar CHANNEL"; "cue_next", "tap", "play", "record".
 * HISS_ERR_PARSE with *why. */
HissError midilearn_parse(bool note, const char *const *words, int count,
                          MidiLearnBinding *out, HissDiag *why);
/* The binding's target alone, as the file words it ("mute 2"). */
void midilearn_target_text(const MidiLearnBinding *b, char *buf, size_t size);
/* The binding's whole line ("midi_note 10:36 mute 2"). */
void midilearn_line(const MidiLearnBinding *b, char *buf, size_t size);
/* Its source for a person: "CC 74 (MIDI channel 1)", "note C-3 (MIDI
 * channel 10)". */
void midilearn_source_text(const MidiLearnBinding *b, char *buf, size_t size);
/* Adds a binding, replacing one of the same source; HISS_ERR_RANGE when
 * the table is full. */
HissError midilearn_bind(MidiLearn *ml, const MidiLearnBinding *b);
/* Removes the binding of a source; false when it had none. */
bool midilearn_unbind(MidiLearn *ml, bool note, int midi_channel, int number);
/* The binding of a source; NULL when none. */
const MidiLearnBinding *midilearn_find(const MidiLearn *ml, bool note, int midi_channel,
                                       int number);
/* Whether the target is an on/off switch (a note flips it). */
bool midilearn_is_switch(const MidiLearnBinding *b);
/* The value a controller position or velocity (0..127) gives a tempo,
 * mix or shape target. */
int midilearn_value(const MidiLearnBinding *b, int position);
/* Writes every binding to path, as a file hiss owns (fileio_write_owned). */
HissError midilearn_save(const MidiLearn *ml, const char *path, HissDiag *why);
/* The file learned bindings go to: "midi_learn" beside the hissrc
 * (keymap_default_path); false when there is no such place. */
bool midilearn_default_path(char *buf, size_t size);

#endif
