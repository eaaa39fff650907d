/* MIDI input decoding: raw messages (as JACK MIDI gives them) and ALSA
 * sequencer events, injected, since the machines here have no
 * /dev/snd/seq. */
#include <alsa/asoundlib.h>

#include "midi.h"
#include "song.h"
#include "test.h"

static void raw_messages(void)
{
    MidiNote n;
    CHECK(midi_decode((const uint8_t[]){0x93, 60, 100}, 3, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.channel == 3 && n.note == NOTE_C4 &&
          n.velocity == 100);
    CHECK(midi_decode((const uint8_t[]){0x90, 72, 0}, 3, &n)); /* off */
    CHECK(n.kind == MIDI_NOTE_OFF && n.note == NOTE_C4 + 12);
    CHECK(midi_decode((const uint8_t[]){0x8F, 61, 40}, 3, &n));
    CHECK(n.kind == MIDI_NOTE_OFF && n.channel == 15 && n.note == NOTE_C4 + 1);
    CHECK(!midi_decode((const uint8_t[]){0xB0, 7, 100}, 3, &n)); /* a controller */
    CHECK(!midi_decode((const uint8_t[]){0x90, 60}, 2, &n));    /* cut short */
    CHECK(!midi_decode((const uint8_t[]){0x90, 0x90, 1}, 3, &n));
    CHECK(!midi_decode((const uint8_t[]){0x90, 11, 1}, 3, &n)); /* below C-0 */
    CHECK(midi_decode((const uint8_t[]){0x90, 12, 1}, 3, &n) && n.note == NOTE_FIRST);
}

static void velocity_to_volume(void)
{
    CHECK(midi_velocity_volume(127) == 64);
    CHECK(midi_velocity_volume(1) == 1);
    CHECK(midi_velocity_volume(64) == 32);
    CHECK(midi_velocity_volume(100) == 50);
    CHECK(midi_velocity_volume(0) == 0);
}

static void sequencer_events(void)
{
    snd_seq_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_SEQ_EVENT_NOTEON;
    ev.data.note.channel = 9;
    ev.data.note.note = 36;
    ev.data.note.velocity = 127;
    MidiNote n;
    CHECK(midi_decode_seq_event(&ev, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.channel == 9 && n.note == NOTE_C4 - 24 &&
          n.velocity == 127);
    ev.data.note.velocity = 0;
    CHECK(midi_decode_seq_event(&ev, &n) && n.kind == MIDI_NOTE_OFF);
    ev.type = SND_SEQ_EVENT_NOTEOFF;
    ev.data.note.velocity = 64;
    CHECK(midi_decode_seq_event(&ev, &n) && n.kind == MIDI_NOTE_OFF);
    ev.type = SND_SEQ_EVENT_CONTROLLER;
    CHECK(!midi_decode_seq_event(&ev, &n));
}

int main(void)
{
    RUN(raw_messages);
    RUN(velocity_to_volume);
    RUN(sequencer_events);
    return test_finish();
}
