/* midi: notes from MIDI input, decoded the same way for JACK MIDI (raw
 * bytes, on the process thread: allocation-free) and the ALSA sequencer
 * (its events). Velocity goes to the volume column. */
#ifndef HISS_MIDI_H
#define HISS_MIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { MIDI_NOTE_ON, MIDI_NOTE_OFF } MidiKind;

typedef struct {
    MidiKind kind;
    uint8_t channel;  /* 0..15 */
    uint8_t note;     /* hiss note (NOTE_FIRST..NOTE_LAST) */
    uint8_t velocity; /* 1..127 for a note-on */
} MidiNote;

/* A note-on or note-off from one raw MIDI message (a note-on with
 * velocity 0 is a note-off); false for anything else or a note outside
 * hiss's range. */
bool midi_decode(const uint8_t *bytes, size_t size, MidiNote *out);
/* The volume column (1..64) for a velocity (1..127). */
int midi_velocity_volume(int velocity);

/* The same from an ALSA sequencer event (snd_seq_event_t, passed as
 * void so that this header needs no ALSA). */
bool midi_decode_seq_event(const void *seq_event, MidiNote *out);
/* Whether this machine has an ALSA sequencer (/dev/snd/seq). */
bool midi_seq_exists(void);

#endif
