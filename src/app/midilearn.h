/* midilearn: MIDI controllers (CC) bound to what they move. A binding
 * names a MIDI channel and controller, and a target: the song's tempo, or
 * any mix setting (mixparam.h: a channel's fader, pan, mute, sends, EQ...,
 * the master's, the sends'). The editor learns them (midi_learn: the next
 * controller moved binds the setting chosen) and writes them to a file of
 * its own beside the hissrc; a hissrc may hold the same lines:
 *
 *     midi_cc 1:74 strip 3 gain      # MIDI channel 1, CC 74: channel 3's fader
 *     midi_cc 1:7 tempo              # CC 7: the tempo, 60..187 BPM
 *
 * A controller's 0..127 spans the setting's whole range (a switch is on
 * from 64). */
#ifndef HISS_MIDILEARN_H
#define HISS_MIDILEARN_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "mixparam.h"

enum {
    MIDILEARN_MAX = 64,
    MIDILEARN_TEMPO_LOW = 600, /* tenths of a BPM at controller value 0 */
};

typedef struct {
    int midi_channel; /* 0..15 */
    int cc;           /* 0..127 */
    bool tempo;       /* the tempo; else `param` */
    MixParam param;
} MidiLearnBinding;

typedef struct {
    MidiLearnBinding bindings[MIDILEARN_MAX];
    int count;
} MidiLearn;

/* The words after "midi_cc": "M:CC tempo" or "M:CC GROUP CHANNEL FIELD"
 * (GROUP strip, eq, comp, duck, glue, tape, master, delay or reverb;
 * CHANNEL 1..64, or 0 for the master's and the sends' groups; FIELD the
 * song file's name of the setting). HISS_ERR_PARSE with *why. */
HissError midilearn_parse(const char *const *words, int count, MidiLearnBinding *out,
                          HissDiag *why);
/* The same words, as the file holds them. */
void midilearn_text(const MidiLearnBinding *b, char *buf, size_t size);
/* Adds a binding, replacing one of the same MIDI channel and controller;
 * HISS_ERR_RANGE when the table is full. */
HissError midilearn_bind(MidiLearn *ml, const MidiLearnBinding *b);
/* The binding of a controller; NULL when none. */
const MidiLearnBinding *midilearn_find(const MidiLearn *ml, int midi_channel, int cc);
/* The value a controller position (0..127) gives the target. */
int midilearn_value(const MidiLearnBinding *b, int cc_value);
/* Writes every binding to path, as a file hiss owns (fileio_write_owned). */
HissError midilearn_save(const MidiLearn *ml, const char *path, HissDiag *why);
/* The file learned bindings go to: "midi_learn" beside the hissrc
 * (keymap_default_path); false when there is no such place. */
bool midilearn_default_path(char *buf, size_t size);

#endif
