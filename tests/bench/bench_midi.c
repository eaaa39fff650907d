/* bench_midi: frames from a MIDI note-on to its sound. A dummy-driver
 * jackd at 48 kHz with a 64-frame period; a probe client sends note-ons
 * into hiss's midi_in port and listens to hiss's out_L; in between, the
 * note takes the path every front end uses: hiss's process callback plays
 * it on the engine through the MIDI route, in the period it arrives in
 * (no other thread involved). The probe hears hiss one period after it
 * sends (hiss's output comes back into the probe's next cycle), so one
 * period plus the note's declick frame is the floor. Figures: the
 * smallest, median and largest latency over the notes, in frames. */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "common/jackrec.h"
#include "common/synth_song.h"
#include "midi.h"

enum { RATE = 48000, PERIOD = 64, NOTES = 24, GAP_MS = 30 };

static jack_port_t *probe_out, *probe_in;
static _Atomic int want_note;        /* 1: send a note-on next period */
static _Atomic int64_t sent_at = -1; /* frame the note-on was sent on */
static _Atomic int64_t heard_at = -1;

static int probe_process(jack_nframes_t nframes, void *arg)
{
    jack_client_t *c = arg;
    int64_t start = jack_last_frame_time(c);
    void *mbuf = jack_port_get_buffer(probe_out, nframes);
    jack_midi_clear_buffer(mbuf);
    if (atomic_load(&want_note)) {
        static const uint8_t on[3] = {0x90, 60, 127};
        jack_midi_event_write(mbuf, 0, on, 3);
        atomic_store(&want_note, 0);
        atomic_store(&sent_at, start);
    }
    const float *in = jack_port_get_buffer(probe_in, nframes);
    if (atomic_load(&sent_at) >= 0 && atomic_load(&heard_at) < 0)
        for (jack_nframes_t i = 0; i < nframes; i++)
            if (in[i] > 0.01f) {
                atomic_store(&heard_at, start + i);
                break;
            }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

int main(void)
{
    JackrecServer srv = {0};
    if (!jackrec_server_start(&srv, RATE, PERIOD)) {
        fprintf(stderr, "bench_midi: cannot start jackd\n");
        return 1;
    }
    AudioOptions o = {.backend = "jack", .client_name = "hiss_midi", .no_connect = true};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    if (audio_open(&a, &o, &rate, &why) != HISS_OK) {
        fprintf(stderr, "bench_midi: %s\n", why.text);
        jackrec_server_stop(&srv, false);
        return 1;
    }
    Song *song = synth_song(1, 64, 125, 6);
    synth_set_instrument(song, 1, synth_instrument(synth_dc(rate, rate / 50, 0.5f),
                                                   LOOP_OFF, 0, 0, INTERP_LINEAR));
    Engine *e = engine_new(song, rate);
    MidiRoute route;
    if (midi_route_init(&route) != HISS_OK) {
        fprintf(stderr, "bench_midi: out of memory\n");
        return 1;
    }
    atomic_store(&route.channel, 0);
    atomic_store(&route.instrument, 1);
    audio_set_song(a, song);
    audio_set_midi(a, &route);
    jack_status_t st;
    jack_client_t *c = jack_client_open("probe", JackNoStartServer, &st);
    if (!c || audio_start(a, e) != HISS_OK) {
        fprintf(stderr, "bench_midi: cannot start the clients\n");
        return 1;
    }
    probe_out = jack_port_register(c, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    probe_in = jack_port_register(c, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    jack_set_process_callback(c, probe_process, c);
    jack_activate(c);
    jack_connect(c, "probe:midi_out", "hiss_midi:midi_in");
    jack_connect(c, "hiss_midi:out_L", "probe:in");

    int lat[NOTES], n = 0;
    srand(7);
    for (int k = 0; k < NOTES; k++) {
        atomic_store(&heard_at, -1);
        atomic_store(&sent_at, -1);
        /* The previous note has died away (its sample lasts 20 ms). */
        hiss_sleep_ms(100 + rand() % GAP_MS);
        atomic_store(&want_note, 1);
        for (int t = 0; t < 100 && atomic_load(&heard_at) < 0; t++)
            hiss_sleep_ms(10);
        if (atomic_load(&heard_at) >= 0)
            lat[n++] = (int)(atomic_load(&heard_at) - atomic_load(&sent_at));
    }
    jack_client_close(c);
    audio_close(a);
    engine_free(e);
    song_free(song);
    midi_route_deinit(&route);
    jackrec_server_stop(&srv, false);
    if (n == 0) {
        fprintf(stderr, "bench_midi: no note was heard\n");
        return 1;
    }
    qsort(lat, (size_t)n, sizeof lat[0], cmp_int);
    printf("bench_midi: MIDI note-on to sound through JACK (48 kHz, period %d), "
           "played in the period it arrives: %d notes, min %d, median %d, "
           "max %d frames (target: at most two periods and the declick's silent "
           "first frame, %d)\n",
           PERIOD, n, lat[0], lat[n / 2], lat[n - 1], 2 * PERIOD + 1);
    return 0;
}
