/* MIDI input through JACK, for real: a private dummy-driver jackd, hiss's
 * JACK backend with its midi_in port, and a test client whose MIDI output
 * sends notes with velocity. The notes play on the audio thread as they
 * come, routed by MIDI channel, and a recording engine hands back takes
 * with the velocity in the volume column and the releases as note-offs.
 * No server, no pass. */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "common/clockpeer.h"
#include "common/jackrec.h"
#include "common/synth_song.h"
#include "live.h"
#include "midi.h"
#include "test.h"

static JackrecServer srv;

/* The sender: writes the message queued by the test in its next period,
 * at frame queued_offset of it, and notes that frame's place on the
 * server's clock (sent_at). */
static jack_port_t *sender_out;
static jack_client_t *sender;
static _Atomic int queued_size;
static _Atomic unsigned sender_cycles;
static _Atomic uint32_t queued_offset, sent_at;
static uint8_t queued[3];

static int sender_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *buf = jack_port_get_buffer(sender_out, nframes);
    jack_midi_clear_buffer(buf);
    int size = atomic_load(&queued_size);
    if (size) {
        uint32_t offset = atomic_load(&queued_offset);
        jack_midi_event_write(buf, offset, queued, (size_t)size);
        atomic_store(&sent_at, jack_last_frame_time(sender) + offset);
        atomic_store(&queued_size, 0);
    }
    atomic_fetch_add(&sender_cycles, 1);
    return 0;
}

/* The recorder: hiss's out_L, each period stored at its place on the
 * server's clock, from the period it is armed in. */
enum { RECORD_FRAMES = 4 * 48000 };
static jack_port_t *recorder_in;
static jack_client_t *recorder;
static float recorded[RECORD_FRAMES];
static _Atomic bool recording;
static _Atomic uint32_t recorded_from, recorded_frames;

static int recorder_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    if (!atomic_load(&recording))
        return 0;
    const float *in = jack_port_get_buffer(recorder_in, nframes);
    uint32_t have = atomic_load(&recorded_frames);
    if (have == 0)
        atomic_store(&recorded_from, jack_last_frame_time(recorder));
    if (have + nframes <= RECORD_FRAMES) {
        memcpy(recorded + have, in, sizeof(float) * nframes);
        atomic_store(&recorded_frames, have + nframes);
    }
    return 0;
}

static void send_midi_at(uint32_t offset, uint8_t status, uint8_t key, uint8_t velocity)
{
    for (int i = 0; i < 100 && atomic_load(&queued_size); i++)
        hiss_sleep_ms(10);
    atomic_store(&queued_offset, offset);
    queued[0] = status;
    queued[1] = key;
    queued[2] = velocity;
    atomic_store(&queued_size, 3);
}

static void send_midi(uint8_t status, uint8_t key, uint8_t velocity)
{
    send_midi_at(0, status, key, velocity);
}

/* Waits until the queued message has gone out; its clock frame. */
static uint32_t sent_frame(void)
{
    for (int i = 0; i < 200 && atomic_load(&queued_size); i++)
        hiss_sleep_ms(5);
    return atomic_load(&sent_at);
}

static bool take_seen(MidiRoute *r, MidiNote *n)
{
    for (int i = 0; i < 200; i++) {
        if (ring_pop(&r->seen, n))
            return true;
        hiss_sleep_ms(10);
    }
    return false;
}

static bool take_recorded(Engine *e, EngineTake *take)
{
    for (int i = 0; i < 200; i++) {
        if (engine_take_recorded(e, take))
            return true;
        hiss_sleep_ms(10);
    }
    return false;
}

/* hiss's JACK client under `name`; NULL (a failed check) when it would
 * not open. */
static Audio *open_jack(const char *name, uint32_t *rate)
{
    AudioOptions o = {.client_name = name, .no_connect = true};
    Audio *a = NULL;
    HissDiag why = {{0}};
    CHECK_MSG(audio_open(&a, &o, rate, &why) == HISS_OK, "%s", why.text);
    if (a)
        CHECK_STR(audio_name(a), "jack");
    return a;
}

/* A test client `name` with one port "out" (MIDI) or "in" (`type`),
 * running `process`, activated; NULL (a failed check) when it would not. */
static jack_client_t *test_client(const char *name, bool output, const char *type,
                                  JackProcessCallback process, jack_port_t **port)
{
    jack_status_t st;
    jack_client_t *c = jack_client_open(name, JackNoStartServer, &st);
    CHECK_MSG(c != NULL, "client %s", name);
    if (!c)
        return NULL;
    *port = jack_port_register(c, output ? "out" : "in", type,
                               output ? JackPortIsOutput : JackPortIsInput, 0);
    jack_set_process_callback(c, process, NULL);
    CHECK(*port && jack_activate(c) == 0);
    return c;
}

/* Nothing on this side forwards the notes: the JACK process callback
 * plays them on the engine, which records them with the route's flags. */
static void notes_with_velocity_are_played_and_recorded(void)
{
    uint32_t rate = 0;
    HissDiag why = {{0}};
    Audio *a = open_jack("hiss_midi", &rate);
    if (!a)
        return;
    Song *song = synth_song(2, 16, 125, 6);
    for (int i = 1; i <= 2; i++)
        synth_set_instrument(song, i, synth_instrument(synth_dc(rate, rate, 0.5f),
                                                       LOOP_OFF, 0, 0, INTERP_LINEAR));
    Engine *e = engine_new(song, rate);
    MidiRoute route;
    CHECK(midi_route_init(&route) == HISS_OK);
    atomic_store(&route.channel, 0);
    atomic_store(&route.instrument, 1);
    atomic_store(&route.record_flags, engine_live_flags(0, 0, LIVE_QUANTIZE_ROW, true, false));
    MidiMap map;
    CHECK(midi_map_parse("10:02:2", &map, &why) == HISS_OK);
    midi_route_apply(&route, &map);
    audio_set_song(a, song);
    audio_set_midi(a, &route);
    CHECK(audio_start(a, e) == HISS_OK);

    jack_client_t *c = test_client("sender", true, JACK_DEFAULT_MIDI_TYPE, sender_process,
                                   &sender_out);
    sender = c;
    if (!c) {
        audio_close(a);
        engine_free(e);
        song_free(song);
        midi_route_deinit(&route);
        return;
    }
    CHECK(jack_connect(c, "sender:out", "hiss_midi:midi_in") == 0);
    /* The connection takes effect at a cycle boundary; a loaded server
     * may run a few late. */
    unsigned from = atomic_load(&sender_cycles);
    for (int i = 0; i < 400 && atomic_load(&sender_cycles) - from < 8; i++)
        hiss_sleep_ms(5);

    EngineCommand play = {ENGINE_CMD_PLAY_PATTERN, 0, 0, 0, NULL};
    CHECK(engine_send(e, &play));
    send_midi(0x90, 60, 100); /* C-4, velocity 100, MIDI channel 1 */
    MidiNote n;
    CHECK(take_seen(&route, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.note == NOTE_C4 && n.velocity == 100 &&
          n.channel == 0);
    EngineTake take;
    CHECK(take_recorded(e, &take));
    CHECK(take.channel == 0 && take.cell.note == NOTE_C4 && take.cell.volume == 50 &&
          take.cell.instrument == 1);
    CHECK(atomic_load(&engine_status(e)->voices) >= 1); /* it sounds */
    /* A note-off for another note leaves the held one alone. */
    send_midi(0x80, 64, 0x40);
    hiss_sleep_ms(50);
    CHECK(!engine_take_recorded(e, &take));
    /* Its own note-off is played and written. */
    send_midi(0x80, 60, 0x40);
    CHECK(take_seen(&route, &n));
    CHECK(n.kind == MIDI_NOTE_OFF && n.note == NOTE_C4);
    CHECK(take_recorded(e, &take));
    CHECK(take.channel == 0 && take.cell.note == NOTE_OFF);
    /* MIDI channel 10 is mapped: instrument 02 on song channel 2. */
    send_midi(0x99, 36, 127);
    CHECK(take_seen(&route, &n));
    CHECK(n.channel == 9);
    CHECK(take_recorded(e, &take));
    CHECK(take.channel == 1 && take.cell.instrument == 2 && take.cell.volume == 64 &&
          take.cell.note == NOTE_C4 - 24);
    send_midi(0xB0, 7, 100); /* a controller: not a note */
    send_midi(0x90, 62, 1);
    CHECK(take_seen(&route, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.note == NOTE_C4 + 2 && n.velocity == 1);

    jack_client_close(c);
    audio_close(a);
    engine_free(e);
    song_free(song);
    midi_route_deinit(&route);
}

/* Waits for the sender to run cycles periods (64 frames each), for at
 * most 10 s: on a loaded machine the dummy server's periods come late, and
 * a wall-clock wait would end before the server's time had passed. */
static void wait_cycles(unsigned cycles)
{
    unsigned from = atomic_load(&sender_cycles);
    for (int i = 0; i < 2000 && atomic_load(&sender_cycles) - from < cycles; i++)
        hiss_sleep_ms(5);
}

/* A note plays on the frame of the period its event has, not at the
 * period's start: a recording client finds each onset on the frame the
 * sender wrote it at (one later: a note's first frame is the declick
 * ramp's zero). */
static void notes_sound_on_their_frame_within_the_period(void)
{
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_frames", &rate);
    if (!a)
        return;
    Song *song = synth_song(1, 16, 125, 6);
    synth_set_instrument(song, 1, synth_instrument(synth_dc(rate, rate, 0.5f), LOOP_OFF, 0,
                                                   0, INTERP_LINEAR));
    Engine *e = engine_new(song, rate);
    MidiRoute route;
    CHECK(midi_route_init(&route) == HISS_OK);
    atomic_store(&route.channel, 0);
    atomic_store(&route.instrument, 1);
    audio_set_song(a, song);
    audio_set_midi(a, &route);
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(engine_latency(e) == 0);

    sender = test_client("sender2", true, JACK_DEFAULT_MIDI_TYPE, sender_process, &sender_out);
    recorder = test_client("recorder", false, JACK_DEFAULT_AUDIO_TYPE, recorder_process,
                           &recorder_in);
    if (sender && recorder) {
        CHECK(jack_connect(sender, "sender2:out", "hiss_frames:midi_in") == 0);
        CHECK(jack_connect(recorder, "hiss_frames:out_L", "recorder:in") == 0);
        unsigned from = atomic_load(&sender_cycles);
        for (int i = 0; i < 400 && atomic_load(&sender_cycles) - from < 16; i++)
            hiss_sleep_ms(5);
        atomic_store(&recording, true);
        while (atomic_load(&recorded_frames) == 0)
            hiss_sleep_ms(5);
        static const uint32_t offsets[] = {3, 37, 63, 20};
        for (size_t i = 0; i < HISS_ARRAY_LEN(offsets); i++) {
            send_midi_at(offsets[i], 0x90, 60, 127);
            uint32_t at = sent_frame();
            wait_cycles(45); /* 60 ms of the server's time */
            send_midi(0x80, 60, 0);
            wait_cycles(90); /* 120 ms: the release fades out */
            uint32_t from_frame = atomic_load(&recorded_from);
            uint32_t got = atomic_load(&recorded_frames);
            int64_t k = (int64_t)at - from_frame;
            CHECK_MSG(k >= 64 && k + 2 < got, "note at %u, recording %u..%u", at,
                      from_frame, from_frame + got);
            if (k < 64 || k + 2 >= got)
                continue;
            /* Quiet up to the note's frame, heard from the next one on. */
            uint32_t first = UINT32_MAX;
            for (int64_t f = k - 64; f < k + 2 && first == UINT32_MAX; f++)
                if (fabsf(recorded[f]) > 0.01f)
                    first = (uint32_t)(f - k + 64);
            CHECK_MSG(first == 64 + 1, "offset %u: heard at %+d frames from its frame",
                      offsets[i], (int)first - 64);
        }
        atomic_store(&recording, false);
    }
    if (sender)
        jack_client_close(sender);
    if (recorder)
        jack_client_close(recorder);
    audio_close(a);
    engine_free(e);
    song_free(song);
    midi_route_deinit(&route);
}

/* Waits until the listener has heard count messages, for at most limit_ms:
 * on a loaded machine the dummy server's periods come late, so a test
 * waits for the server's time to pass, not the wall's. */
static void wait_heard(int count, int limit_ms)
{
    for (int waited = 0; waited < limit_ms && atomic_load(&clockpeer_heard_count) < count;
         waited += 10)
        hiss_sleep_ms(10);
}

/* MIDI clock out through JACK, measured by a listening client: start,
 * then 24 pulses a beat, each on the frame its exact time falls in
 * (92.5 BPM: a pulse every 1297.3 frames), and stop; played again from
 * row 8, song position 8 sixteenths and continue. */
static void clock_out_is_heard_at_the_right_rate(void)
{
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_clock", &rate);
    if (!a)
        return;
    Song *song = synth_song(1, 64, 125, 6);
    atomic_store(&song->bpm_tenths, 925);
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(clockpeer_listener_open("listener", "hiss_clock:midi_out"));
    {
        hiss_sleep_ms(100);
        CHECK(atomic_load(&clockpeer_heard_count) == 0); /* stopped: silent */
        EngineCommand play = {ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL};
        CHECK(engine_send(e, &play));
        wait_heard(56, 15000); /* 1.5 s of pulses at 92.5 BPM */
        EngineCommand stop = {ENGINE_CMD_STOP, 0, 0, 0, NULL};
        CHECK(engine_send(e, &stop));
        hiss_sleep_ms(100);
        const ClockpeerHeard *h = clockpeer_heard;
        int n = atomic_load(&clockpeer_heard_count);
        CHECK_MSG(n > 40, "%d messages", n);
        if (n > 40) {
            CHECK(h[0].msg[0] == 0xFA);
            CHECK(h[n - 1].msg[0] == 0xFC);
            uint64_t per = 25u * 6 * 4 * rate, inc = 24 * 925;
            int wrong = 0;
            for (int k = 0; k < n - 2; k++)
                if (h[k + 1].msg[0] != 0xF8 || h[k + 1].frame - h[0].frame != k * per / inc)
                    wrong++;
            CHECK_MSG(wrong == 0, "%d of %d pulses off their frame", wrong, n - 2);
            double bpm = 60.0 * rate * (n - 3) / (24.0 * (double)(h[n - 2].frame - h[1].frame));
            CHECK_NEAR(bpm, 92.5, 0.01);
        }
        atomic_store(&clockpeer_heard_count, 0);
        EngineCommand from_row = {ENGINE_CMD_PLAY_SONG, 0, 8, 0, NULL};
        CHECK(engine_send(e, &from_row));
        hiss_sleep_ms(100);
        n = atomic_load(&clockpeer_heard_count);
        CHECK(n >= 3 && h[0].msg[0] == 0xF2 && h[0].msg[1] == 8 && h[0].msg[2] == 0 &&
              h[1].msg[0] == 0xFB && h[2].msg[0] == 0xF8);
        clockpeer_close();
    }
    audio_close(a);
    engine_free(e);
    song_free(song);
}

/* hiss follows a MIDI clock at 97.34 BPM: it starts on the master's first
 * pulse, takes its tempo to a tenth of a BPM, and its own clock out,
 * heard by a listening client, keeps in phase with the master's pulses
 * within a millisecond after a few seconds; stop stops it. */
static void follows_an_external_clock(void)
{
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_follow", &rate);
    if (!a)
        return;
    Song *song = synth_song(1, 64, 125, 6);
    Engine *e = engine_new(song, rate);
    MidiRoute route;
    CHECK(midi_route_init(&route) == HISS_OK);
    atomic_store(&route.follow_clock, true);
    atomic_store(&route.follow_transport, true);
    audio_set_song(a, song);
    audio_set_midi(a, &route);
    CHECK(audio_start(a, e) == HISS_OK);
    /* Between two tenths: only the phase lock keeps it from drifting. */
    /* Between two tenths: only the phase lock keeps it from drifting. */
    CHECK(clockpeer_master_open("master", "hiss_follow:midi_in", 60.0 * rate / (97.34 * 24)));
    CHECK(clockpeer_listener_open("listener2", "hiss_follow:midi_out"));
    {
        hiss_sleep_ms(100);
        atomic_store(&clockpeer_heard_count, 0);
        clockpeer_master_start();
        wait_heard(234, 30000); /* 6 s of pulses at 97.34 BPM */
        CHECK(atomic_load(&engine_status(e)->playing));
        int bpm = atomic_load(&engine_status(e)->bpm_tenths);
        CHECK_MSG(abs(bpm - 973) <= 1, "tempo %d.%d", bpm / 10, bpm % 10);
        /* hiss's pulse k against the master's pulse k, over the last 48
         * that both have. */
        const ClockpeerHeard *h = clockpeer_heard;
        int n = atomic_load(&clockpeer_heard_count), m = atomic_load(&clockpeer_pulses);
        CHECK_MSG(n > 150 && h[0].msg[0] == 0xFA, "%d messages, first %02X", n, h[0].msg[0]);
        int worst = 0, pulses = n - 1 < m ? n - 1 : m;
        for (int k = pulses - 48; k >= 0 && k < pulses; k++) {
            int off = (int)((int64_t)h[k + 1].frame - (int64_t)clockpeer_pulse_at[k]);
            if (abs(off) > abs(worst))
                worst = off;
        }
        CHECK_MSG(pulses > 150 && abs(worst) <= (int)rate / 1000,
                  "%d pulses, worst phase %d frames", pulses, worst);
        printf("     follow 97.34 BPM: tempo %d.%d, worst phase over the last 48 pulses "
               "%d frames\n", bpm / 10, bpm % 10, worst);
        clockpeer_master_stop();
        hiss_sleep_ms(200);
        CHECK(!atomic_load(&engine_status(e)->playing));
        clockpeer_close();
    }
    audio_close(a);
    engine_free(e);
    song_free(song);
    midi_route_deinit(&route);
}

int main(void)
{
    /* Synchronous: every client runs in each cycle, in the graph's order,
     * so a period's MIDI reaches hiss in the same period. */
    srv.synchronous = true;
    bool up = jackrec_server_start(&srv, 48000, 64);
    if (!up) {
        fprintf(stderr, "FAIL cannot start a JACK server\n");
        test_failed++;
        return test_finish();
    }
    RUN(notes_with_velocity_are_played_and_recorded);
    RUN(notes_sound_on_their_frame_within_the_period);
    RUN(clock_out_is_heard_at_the_right_rate);
    RUN(follows_an_external_clock);
    jackrec_server_stop(&srv, false);
    return test_finish();
}
