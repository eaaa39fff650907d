/* midi: see midi.h. */
#include "midi.h"

#include <alsa/asoundlib.h>
#include <unistd.h>

#include "song.h"

/* MIDI note 60 is middle C, hiss's C-4. */
static bool hiss_note(int midi_note, uint8_t *out)
{
    int note = NOTE_C4 + midi_note - 60;
    if (note < NOTE_FIRST || note > NOTE_LAST)
        return false;
    *out = (uint8_t)note;
    return true;
}

static bool make_note(int status, int channel, int key, int velocity, MidiNote *out)
{
    if (status != 0x90 && status != 0x80)
        return false;
    if (!hiss_note(key, &out->note))
        return false;
    out->channel = (uint8_t)(channel & 0x0F);
    out->kind = status == 0x90 && velocity > 0 ? MIDI_NOTE_ON : MIDI_NOTE_OFF;
    out->velocity = (uint8_t)(velocity & 0x7F);
    return true;
}

bool midi_decode(const uint8_t *bytes, size_t size, MidiNote *out)
{
    if (size < 3 || (bytes[1] | bytes[2]) & 0x80)
        return false;
    return make_note(bytes[0] & 0xF0, bytes[0] & 0x0F, bytes[1], bytes[2], out);
}

int midi_velocity_volume(int velocity)
{
    if (velocity <= 0)
        return 0;
    if (velocity >= 127)
        return 64;
    return (velocity * 128 + 127) / 254; /* rounded to the nearest */
}

bool midi_decode_seq_event(const void *seq_event, MidiNote *out)
{
    const snd_seq_event_t *ev = seq_event;
    if (ev->type != SND_SEQ_EVENT_NOTEON && ev->type != SND_SEQ_EVENT_NOTEOFF)
        return false;
    return make_note(ev->type == SND_SEQ_EVENT_NOTEON ? 0x90 : 0x80,
                     ev->data.note.channel, ev->data.note.note,
                     ev->data.note.velocity, out);
}

bool midi_seq_exists(void)
{
    return access("/dev/snd/seq", F_OK) == 0;
}
