/* MIDI input through JACK, for real: a private dummy-driver jackd, hiss's
 * JACK backend with its midi_in port, and a test client whose MIDI output
 * sends notes with velocity. The notes reach the UI side with their
 * velocity, and played into a recording engine they come back as takes
 * with that velocity in the volume column. No server, no pass. */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "common/jackrec.h"
#include "common/synth_song.h"
#include "live.h"
#include "midi.h"
#include "test.h"

static JackrecServer srv;

/* The sender: writes the message queued by the test at the start of its
 * next period. */
static jack_port_t *sender_out;
static _Atomic int queued_size;
static uint8_t queued[3];

static int sender_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *buf = jack_port_get_buffer(sender_out, nframes);
    jack_midi_clear_buffer(buf);
    int size = atomic_load(&queued_size);
    if (size) {
        jack_midi_event_write(buf, 0, queued, (size_t)size);
        atomic_store(&queued_size, 0);
    }
    return 0;
}

static void send_midi(uint8_t status, uint8_t key, uint8_t velocity)
{
    for (int i = 0; i < 100 && atomic_load(&queued_size); i++)
        hiss_sleep_ms(10);
    queued[0] = status;
    queued[1] = key;
    queued[2] = velocity;
    atomic_store(&queued_size, 3);
}

static bool take_midi(Audio *a, MidiNote *n)
{
    for (int i = 0; i < 200; i++) {
        if (audio_take_midi(a, n))
            return true;
        hiss_sleep_ms(10);
    }
    return false;
}

static void notes_with_velocity_are_played_and_recorded(void)
{
    AudioOptions o = {.client_name = "hiss_midi"};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    CHECK(audio_open(&a, &o, &rate, &why) == HISS_OK);
    if (!a)
        return;
    CHECK_STR(audio_name(a), "jack");
    Song *song = synth_song(1, 16, 125, 6);
    synth_set_instrument(song, 1, synth_instrument(synth_dc(rate, rate, 0.5f),
                                                   LOOP_OFF, 0, 0, INTERP_LINEAR));
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);

    jack_status_t st;
    jack_client_t *c = jack_client_open("sender", JackNoStartServer, &st);
    CHECK(c != NULL);
    if (!c) {
        audio_close(a);
        engine_free(e);
        song_free(song);
        return;
    }
    sender_out = jack_port_register(c, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(c, sender_process, NULL);
    CHECK(jack_activate(c) == 0);
    CHECK(jack_connect(c, "sender:out", "hiss_midi:midi_in") == 0);

    EngineCommand play = {ENGINE_CMD_PLAY_PATTERN, 0, 0, 0, NULL};
    CHECK(engine_send(e, &play));
    send_midi(0x90, 60, 100); /* C-4, velocity 100, MIDI channel 1 */
    MidiNote n;
    CHECK(take_midi(a, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.note == NOTE_C4 && n.velocity == 100 &&
          n.channel == 0);
    /* As the editor does with record on: the note plays on the channel,
     * its velocity as volume, and comes back as a take. */
    EngineCommand live = {ENGINE_CMD_LIVE_NOTE, 0, n.note,
                          engine_live_flags(1, midi_velocity_volume(n.velocity),
                                            LIVE_QUANTIZE_ROW, true, false),
                          NULL};
    CHECK(engine_send(e, &live));
    EngineTake take;
    bool got = false;
    for (int i = 0; i < 200 && !(got = engine_take_recorded(e, &take)); i++)
        hiss_sleep_ms(10);
    CHECK(got);
    CHECK(take.cell.note == NOTE_C4 && take.cell.volume == 50 &&
          take.cell.instrument == 1);
    CHECK(atomic_load(&engine_status(e)->voices) >= 1); /* it sounds */
    send_midi(0x83, 64, 0x40); /* a note-off on MIDI channel 4 */
    CHECK(take_midi(a, &n));
    CHECK(n.kind == MIDI_NOTE_OFF && n.note == NOTE_C4 + 4 && n.channel == 3);
    send_midi(0xB0, 7, 100); /* a controller: not a note */
    send_midi(0x90, 62, 1);
    CHECK(take_midi(a, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.note == NOTE_C4 + 2 && n.velocity == 1);

    jack_client_close(c);
    audio_close(a);
    engine_free(e);
    song_free(song);
}

int main(void)
{
    bool up = jackrec_server_start(&srv, 48000, 64);
    if (!up) {
        fprintf(stderr, "FAIL cannot start a JACK server\n");
        test_failed++;
        return test_finish();
    }
    RUN(notes_with_velocity_are_played_and_recorded);
    jackrec_server_stop(&srv, false);
    return test_finish();
}
