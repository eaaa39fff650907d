/* The JACK backend against a real (dummy-driver) JACK server that the test
 * starts itself: ports and connections, any buffer size, transport follow
 * and master, a server that dies and comes back at another rate, and the
 * auto-selection that never starts a server. No server, no pass: a jackd
 * that cannot start fails the test. */
#include <jack/jack.h>
#include <jack/transport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "common/jackrec.h"
#include "common/synth_song.h"
#include "test.h"
#include "timing.h"

static JackrecServer srv;

static uint64_t frames_of(Engine *e)
{
    return atomic_load(&engine_status(e)->frames_rendered);
}

/* Waits (up to ~5 s) for the engine to render more than `than` frames. */
static bool wait_frames(Engine *e, uint64_t than)
{
    for (int i = 0; i < 250 && frames_of(e) <= than; i++)
        hiss_sleep_ms(20);
    return frames_of(e) > than;
}

static jack_client_t *observer(void)
{
    jack_status_t st;
    return jack_client_open("observer", JackNoStartServer, &st);
}

static bool connected(jack_client_t *c, const char *a, const char *b)
{
    jack_port_t *p = jack_port_by_name(c, a);
    return p && jack_port_connected_to(p, b);
}

static void no_server_means_no_jack_and_no_server_started(void)
{
    setenv("JACK_DEFAULT_SERVER", "hiss_nobody_here", 1);
    AudioOptions o = {.backend = "jack"};
    Audio *a = NULL;
    HissDiag why = {{0}};
    CHECK(audio_open(&a, &o, NULL, &why) != HISS_OK);
    CHECK_MSG(strstr(why.text, "no JACK server") != NULL, "%s", why.text);
    /* Auto falls through to ALSA or null and says why in one line. */
    o.backend = NULL;
    o.device = "hiss_no_such_device";
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, &why) == HISS_OK);
    if (a) {
        CHECK_STR(audio_name(a), "null");
        CHECK(rate == 48000);
        CHECK(strstr(why.text, "no JACK server") != NULL);
        CHECK(strstr(why.text, "hiss_no_such_device") != NULL);
        CHECK(strchr(why.text, '\n') == NULL);
        audio_close(a);
    }
    /* Still nobody: opening must not have started a server. */
    jack_client_t *c = observer();
    CHECK(c == NULL);
    if (c)
        jack_client_close(c);
    setenv("JACK_DEFAULT_SERVER", srv.name, 1);
}

static void plays_through_ports_connected_to_the_system(void)
{
    AudioOptions o = {.client_name = "hiss_t"};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    CHECK(audio_open(&a, &o, &rate, &why) == HISS_OK);
    if (!a)
        return;
    CHECK_STR(audio_name(a), "jack");
    CHECK(why.text[0] == '\0');
    CHECK(rate == 48000);
    CHECK(audio_period(a) == 256);
    Song *song = song_new();
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(audio_state(a) == AUDIO_STATE_RUNNING);
    CHECK(wait_frames(e, 0));
    CHECK(frames_of(e) % 256 == 0);
    jack_client_t *c = observer();
    CHECK(c != NULL);
    if (c) {
        CHECK(connected(c, "hiss_t:out_L", "system:playback_1"));
        CHECK(connected(c, "hiss_t:out_R", "system:playback_2"));
        CHECK(jack_port_by_name(c, "hiss_t:ch01") == NULL);
        jack_client_close(c);
    }
    audio_close(a);
    engine_free(e);
    song_free(song);
}

static void per_channel_ports_and_explicit_connections(void)
{
    /* A recorder-like client to connect to. */
    jack_client_t *c = observer();
    CHECK(c != NULL);
    if (!c)
        return;
    jack_port_t *in[3];
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "in_%d", i + 1);
        in[i] = jack_port_register(c, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    }
    CHECK(jack_activate(c) == 0);
    AudioOptions o = {.client_name = "hiss_pc", .per_channel_ports = true,
                      .connect = "observer:in_1,observer:in_2,observer:in_3"};
    Audio *a = NULL;
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    if (!a) {
        jack_client_close(c);
        return;
    }
    Song *song = song_new();
    atomic_store(&song->channels, 6);
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    const char **ports = jack_get_ports(c, "^hiss_pc:", JACK_DEFAULT_AUDIO_TYPE,
                                        JackPortIsOutput);
    int n = 0;
    while (ports && ports[n])
        n++;
    CHECK_MSG(n == 8, "%d ports", n);
    if (ports)
        jack_free((void *)ports);
    CHECK(jack_port_by_name(c, "hiss_pc:ch06") != NULL);
    CHECK(jack_port_connected_to(in[0], "hiss_pc:out_L"));
    CHECK(jack_port_connected_to(in[1], "hiss_pc:out_R"));
    CHECK(jack_port_connected_to(in[2], "hiss_pc:ch01"));
    CHECK(!connected(c, "hiss_pc:out_L", "system:playback_1"));
    audio_close(a);
    engine_free(e);
    song_free(song);

    o.connect = NULL;
    o.no_connect = true;
    o.per_channel_ports = false;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    if (a) {
        song = song_new();
        e = engine_new(song, rate);
        CHECK(audio_start(a, e) == HISS_OK);
        jack_port_t *p = jack_port_by_name(c, "hiss_pc:out_L");
        CHECK(p && jack_port_connected(p) == 0);
        audio_close(a);
        engine_free(e);
        song_free(song);
    }
    jack_client_close(c);
}

static void any_buffer_size_is_rendered_whole(void)
{
    AudioOptions o = {.client_name = "hiss_bs", .no_connect = true};
    Audio *a = NULL;
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    if (!a)
        return;
    Song *song = song_new();
    Engine *e = engine_new(song, rate);
    CHECK(audio_start(a, e) == HISS_OK);
    jack_client_t *c = observer();
    CHECK(c != NULL);
    static const uint32_t sizes[] = {16, 4096, 64};
    for (size_t i = 0; c && i < HISS_ARRAY_LEN(sizes); i++) {
        CHECK(jack_set_buffer_size(c, sizes[i]) == 0);
        for (int k = 0; k < 250 && audio_period(a) != sizes[i]; k++)
            hiss_sleep_ms(20);
        CHECK_MSG(audio_period(a) == sizes[i], "period %u, wanted %u", audio_period(a),
                  sizes[i]);
        uint64_t f0 = frames_of(e);
        CHECK(wait_frames(e, f0 + 4 * sizes[i]));
    }
    CHECK(audio_state(a) == AUDIO_STATE_RUNNING);
    if (c) {
        jack_set_buffer_size(c, 256);
        jack_client_close(c);
    }
    audio_close(a);
    engine_free(e);
    song_free(song);
}

/* An observer client, with the transport stopped at frame 0. */
static jack_client_t *observer_at_start(void)
{
    jack_client_t *c = observer();
    CHECK(c != NULL);
    if (c) {
        jack_transport_stop(c);
        jack_transport_locate(c, 0);
        hiss_sleep_ms(100);
    }
    return c;
}

static Audio *open_with_transport(const char *name, int transport, uint32_t *rate)
{
    AudioOptions o = {.client_name = name, .no_connect = true, .transport = transport};
    Audio *a = NULL;
    CHECK(audio_open(&a, &o, rate, NULL) == HISS_OK);
    return a;
}

/* Polls until a relocation has become a command for the engine (~2 s). */
static bool poll_until_relocated(Audio *a)
{
    unsigned ev = 0;
    for (int i = 0; i < 100 && !(ev & AUDIO_EVENT_TRANSPORT); i++) {
        hiss_sleep_ms(20);
        ev |= audio_poll(a);
    }
    return ev & AUDIO_EVENT_TRANSPORT;
}

static void transport_follow_freezes_and_relocates(void)
{
    jack_client_t *c = observer_at_start();
    if (!c)
        return;
    uint32_t rate = 0;
    Audio *a = open_with_transport("hiss_tf", AUDIO_TRANSPORT_FOLLOW, &rate);
    if (!a) {
        jack_client_close(c);
        return;
    }
    Song *song = song_new();
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    hiss_sleep_ms(200);
    /* Stopped transport: the song does not move. */
    CHECK(frames_of(e) == 0);
    jack_transport_start(c);
    CHECK(wait_frames(e, 0));
    jack_transport_stop(c);
    hiss_sleep_ms(100);
    uint64_t f = frames_of(e);
    hiss_sleep_ms(150);
    CHECK(frames_of(e) == f);
    /* A relocate becomes a command for the engine on the next poll, which
     * starts the song at the row the frame falls in (at the song's tempo:
     * 2.5 * speed / bpm seconds a row). Half way into row 10: */
    int bpm = atomic_load(&song->bpm_tenths), speed = atomic_load(&song->speed);
    double frames_per_row = 48000 * 25.0 * speed / bpm;
    jack_transport_locate(c, (jack_nframes_t)(10.5 * frames_per_row));
    CHECK(poll_until_relocated(a));
    jack_transport_start(c);
    CHECK(wait_frames(e, f));
    /* Row 10 now (11 if this thread was slow to look: a row is ~120 ms). */
    int row = atomic_load(&engine_status(e)->row);
    CHECK_MSG(row == 10 || row == 11, "row %d after relocating to row 10", row);
    CHECK(atomic_load(&engine_status(e)->order) == 0);
    jack_transport_stop(c);
    audio_close(a);
    engine_free(e);
    song_free(song);
    jack_client_close(c);
}

static void transport_master_reports_bar_beat_tick(void)
{
    /* The observer exists before the transport starts: libjack counts a
     * client opened during "Starting" as not ready, for ever. */
    jack_client_t *c = observer();
    CHECK(c != NULL);
    AudioOptions o = {.client_name = "hiss_tm", .no_connect = true,
                      .transport = AUDIO_TRANSPORT_MASTER};
    Audio *a = NULL;
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    if (!a) {
        if (c)
            jack_client_close(c);
        return;
    }
    Song *song = song_new();
    atomic_store(&song->bpm_tenths, 900);
    atomic_store(&song->speed, 3);
    atomic_store(&song->rows_per_beat, 8);
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    if (c) {
        jack_position_t pos;
        jack_transport_state_t st = JackTransportStopped;
        for (int i = 0; i < 250; i++) {
            st = jack_transport_query(c, &pos);
            if (st == JackTransportRolling && (pos.valid & JackPositionBBT) &&
                pos.frame > 48000)
                break;
            hiss_sleep_ms(20);
        }
        CHECK_MSG(st == JackTransportRolling, "state %d frame %u valid %x", (int)st, pos.frame, (unsigned)pos.valid);
        CHECK(pos.valid & JackPositionBBT);
        /* From the song set above, not from the engine's status: bpm 90,
         * speed 3, 8 rows a beat is 24 * 90 / (3 * 8) = 90 beats a
         * minute. */
        double bpm = pos.beats_per_minute;
        CHECK_NEAR(bpm, 24.0 * 90 / (3 * 8), 1e-9);
        double beats = pos.frame / (pos.frame_rate * 60.0 / bpm);
        CHECK(pos.bar == (int)(beats / 4) + 1);
        CHECK(pos.beat == (int)beats % 4 + 1);
        CHECK(pos.tick >= 0 && pos.tick < pos.ticks_per_beat);
        jack_client_close(c);
    }
    audio_close(a);
    engine_free(e);
    song_free(song);
    /* Closing released the transport: the next client is free to roll it. */
}

/* Speed and tempo changes (F03, F50, F06) and a jump back (B01) that loops
 * the song's second order. Rows as played: 0-1 at 0.12 s, 2-4 at 0.06 s,
 * 5-7 and order 1's row 0 at 3 x 2.5/80 s, then 0.1875 s a row; order 1
 * loops from the second time it starts (speed 6 from then on): 1.3575 s,
 * then 0.75 s a pass. */
static Song *fxx_jump_song(void)
{
    Song *song = synth_song(1, 8, 125, 6);
    synth_put(song, 0, 2, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F', 0x03);
    synth_put(song, 0, 5, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F', 0x50);
    synth_add_pattern(song, 1, 4);
    synth_put(song, 1, 1, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'F', 0x06);
    synth_put(song, 1, 3, 0, NOTE_EMPTY, 0, VOLUME_EMPTY, 'B', 0x01);
    atomic_store(&song->rows_per_beat, 2);
    return song;
}

/* In follow mode a relocation starts the row the scan puts at that frame:
 * half way into order 1's row 1 on the loop's second pass, 2.39 s in (at
 * the song's first tempo that frame would be row 19, order 0's row 7). */
static void transport_follow_relocates_through_tempo_and_jumps(void)
{
    jack_client_t *c = observer_at_start();
    if (!c)
        return;
    uint32_t rate = 0;
    Audio *a = open_with_transport("hiss_tfj", AUDIO_TRANSPORT_FOLLOW, &rate);
    if (!a) {
        jack_client_close(c);
        return;
    }
    Song *song = fxx_jump_song();
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    hiss_sleep_ms(100);
    jack_transport_locate(c, (jack_nframes_t)((1.3575 + 0.75 + 1.5 * 0.1875) * rate));
    CHECK(poll_until_relocated(a));
    jack_transport_start(c);
    CHECK(wait_frames(e, 0));
    int order = atomic_load(&engine_status(e)->order);
    int row = atomic_load(&engine_status(e)->row);
    /* Row 2 if this thread was slow to look (a row is 0.1875 s). */
    CHECK_MSG(order == 1 && (row == 1 || row == 2), "order %d row %d", order, row);
    jack_transport_stop(c);
    audio_close(a);
    engine_free(e);
    song_free(song);
    jack_client_close(c);
}

/* Bar/beat/tick in master mode come from the song's timing scan: through
 * speed and tempo changes (F03, F50, F06) and a jump back (B01) that loops
 * the song's second order, every position the transport reports is the
 * scan's, and the beats per minute are those of the row playing. */
static void transport_master_bbt_follows_the_timing_scan(void)
{
    jack_client_t *c = observer_at_start();
    if (!c)
        return;
    Song *song = fxx_jump_song();
    const double row_end[] = {0.12, 0.24, 0.30, 0.36, 0.42, 0.51375, 0.6075, 0.70125,
                              0.795, 0.9825, 1.17, 1.3575};
    uint32_t rate = 0;
    Audio *a = open_with_transport("hiss_bbt", AUDIO_TRANSPORT_MASTER, &rate);
    if (!a) {
        jack_client_close(c);
        song_free(song);
        return;
    }
    TimingScan scan;
    CHECK(timing_scan(song, rate, true, &scan) == HISS_OK);
    CHECK(scan.end == TIMING_END_LOOPS && scan.count == 16 && scan.loop_index == 12);
    CHECK_NEAR(scan.rows[11].seconds, row_end[10], 1e-9);
    CHECK_NEAR(scan.end_seconds, 1.3575 + 0.75, 1e-9);
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    /* A client late for a cycle (a loaded machine) leaves the position of
     * the cycle before with the new frame: the reported bar/beat/tick must
     * be the scan's at this frame, or up to 32 periods (about 170 ms)
     * before it; most reports must be of the current cycle (below). */
    jack_nframes_t period = jack_get_buffer_size(c);
    int seen = 0, current = 0, slow = 0, looped = 0, wrong = 0;
    for (int i = 0; i < 400; i++) {
        jack_position_t pos;
        jack_transport_state_t st = jack_transport_query(c, &pos);
        audio_poll(a);
        if (st == JackTransportRolling && (pos.valid & JackPositionBBT)) {
            TimingPlace at;
            bool same = false;
            uint64_t frame = pos.frame;
            for (int late = 32; late >= 0; late--) {
                uint64_t back = (uint64_t)late * period;
                frame = pos.frame > back ? pos.frame - back : 0;
                timing_locate(&scan, frame, &at);
                long whole = (long)at.beats;
                int32_t tick = (int32_t)((at.beats - whole) * TIMING_TICKS_PER_BEAT);
                same = pos.bar == whole / 4 + 1 && pos.beat == whole % 4 + 1 &&
                       pos.tick == tick && pos.ticks_per_beat == TIMING_TICKS_PER_BEAT &&
                       pos.beats_per_minute == at.beats_per_minute;
                if (same) {
                    current += late == 0;
                    break;
                }
            }
            if (!same && wrong++ < 5)
                CHECK_MSG(same, "frame %u: %d|%d|%d at %.3f bpm; scan at that frame: "
                          "%.4f beats at %.3f",
                          pos.frame, pos.bar, pos.beat, pos.tick, pos.beats_per_minute,
                          at.beats, at.beats_per_minute);
            double t = (double)frame / pos.frame_rate;
            /* Rows 5-7: speed 3 at 80 BPM, 2 rows a beat: 320 beats a minute. */
            if (t > row_end[4] + 0.01 && t < row_end[7] - 0.01) {
                CHECK_NEAR(pos.beats_per_minute, 24.0 * 80 / (3 * 2), 1e-9);
                slow++;
            }
            /* The second pass of the loop: 12 rows, then 4 a pass. */
            if (t > 1.3575 + 0.75 + 0.01 && t < 1.3575 + 1.5 - 0.01) {
                double beats = (12 + 4 + (t - 1.3575 - 0.75) / 0.1875) / 2;
                CHECK_NEAR(at.beats, beats, 1e-3);
                looped++;
            }
            seen++;
            if (t > 3.0)
                break;
        }
        hiss_sleep_ms(10);
    }
    CHECK_MSG(seen > 50 && current > seen / 2 && slow > 2 && looped > 2,
              "seen %d (%d of the current cycle), at 80 BPM %d, in the loop %d", seen,
              current, slow, looped);
    CHECK(wrong == 0);
    audio_close(a);
    engine_free(e);
    timing_deinit(&scan);
    song_free(song);
    jack_client_close(c);
}

static void server_death_is_survived_and_reconnected(void)
{
    AudioOptions o = {.client_name = "hiss_sd", .no_connect = true};
    Audio *a = NULL;
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    if (!a)
        return;
    Song *song = song_new();
    Engine *e = engine_new(song, rate);
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(wait_frames(e, 0));
    jackrec_server_stop(&srv, true);
    unsigned ev = 0;
    for (int i = 0; i < 250 && audio_state(a) != AUDIO_STATE_SERVER_GONE; i++)
        hiss_sleep_ms(20);
    CHECK(audio_state(a) == AUDIO_STATE_SERVER_GONE);
    ev = audio_poll(a);
    CHECK(ev & AUDIO_EVENT_SERVER_GONE);
    CHECK(!(audio_poll(a) & AUDIO_EVENT_SERVER_GONE)); /* said once */
    CHECK(audio_reconnect(a) != HISS_OK);               /* nobody there yet */
    CHECK(audio_state(a) == AUDIO_STATE_SERVER_GONE);
    /* The server returns at another rate: hiss reconnects and asks for an
     * engine at the new rate, rendering silence until it gets one. */
    CHECK(jackrec_server_start(&srv, 44100, 128));
    CHECK(audio_reconnect(a) == HISS_OK);
    CHECK(audio_state(a) == AUDIO_STATE_RUNNING);
    CHECK(audio_rate(a) == 44100);
    ev = audio_poll(a);
    CHECK(ev & AUDIO_EVENT_RECONNECTED);
    CHECK(ev & AUDIO_EVENT_RATE_CHANGED);
    uint64_t f = frames_of(e);
    hiss_sleep_ms(100);
    CHECK(frames_of(e) == f);
    Engine *e2 = engine_new(song, 44100);
    Engine *old = audio_swap_engine(a, e2, 44100);
    CHECK(old == e);
    CHECK(wait_frames(e2, 0));
    CHECK(!(audio_poll(a) & AUDIO_EVENT_RATE_CHANGED));
    audio_close(a);
    engine_free(e);
    engine_free(e2);
    song_free(song);
}

int main(void)
{
    RUN(no_server_means_no_jack_and_no_server_started);
    bool up = jackrec_server_start(&srv, 48000, 256);
    if (!up) {
        /* No server, no JACK: that is a failure, never a skip. */
        fprintf(stderr, "FAIL cannot start a JACK server\n");
        test_failed++;
        return test_finish();
    }
    RUN(plays_through_ports_connected_to_the_system);
    RUN(per_channel_ports_and_explicit_connections);
    RUN(any_buffer_size_is_rendered_whole);
    RUN(transport_follow_freezes_and_relocates);
    RUN(transport_master_reports_bar_beat_tick);
    RUN(transport_master_bbt_follows_the_timing_scan);
    RUN(transport_follow_relocates_through_tempo_and_jumps);
    RUN(server_death_is_survived_and_reconnected);
    jackrec_server_stop(&srv, false);
    return test_finish();
}
