/* The real-time rule, proven on the real thing: hiss's JACK process
 * callback, driven by a real JACK server, allocates, frees, locks, reads,
 * writes and sleeps never.
 *
 * How: this binary expands RTGUARD_DEFINE_INTERPOSERS(), so every call to
 * malloc, calloc, realloc, free, pthread_mutex_lock, read, write and
 * nanosleep, from hiss, libjack, libsamplerate or libc, goes through
 * tests/common/rtguard first. The audio layer's period hook arms the guard
 * on the JACK thread at the start of every period and disarms it at the end,
 * so the armed region is everything jack_out_process does (port buffers,
 * transport query, engine_render_channels, deinterleaving) and the timebase
 * callback. A call made there counts as a violation. Each run plays a real
 * song for a few seconds while the main thread sends commands, swaps a
 * whole new song in and hands engines over, and then asserts zero
 * violations. First, a deliberately bad period proves the guard does see
 * calls on the JACK thread. No JACK server is a failure, not a skip. */
#include <jack/jack.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "live.h"
#include "common/jackrec.h"
#include "common/rtguard.h"
#include "common/synth_song.h"
#include "songio.h"
#include "test.h"

RTGUARD_DEFINE_INTERPOSERS()

/* Under ASan: the dynamic loader keeps what it allocates when libjack's
 * thread teardown loads libgcc_s (dlopen), for the life of the process.
 * LeakSanitizer ignores the loader's allocations by their caller, but here
 * the caller is the interposed malloc, so it would report them. Only that
 * loader path is excused. (A hook the sanitizer runtime looks for; unused
 * in other builds.) */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:_dl_map_object_deps\nleak:_dl_new_object\nleak:_dl_check_map_versions\n";
}

static JackrecServer srv;
static _Atomic int periods;
static _Atomic bool misbehave;

static void guard_hook(void *ctx, bool entering)
{
    (void)ctx;
    if (!entering) {
        rtguard_end();
        return;
    }
    rtguard_begin();
    atomic_fetch_add(&periods, 1);
    if (atomic_load(&misbehave)) {
        void *volatile p = malloc(32);
        free(p);
    }
}

static Audio *open_guarded(const char *backend, AudioOptions o, uint32_t *rate)
{
    o.backend = backend;
    Audio *a = NULL;
    HissDiag why = {{0}};
    if (audio_open(&a, &o, rate, &why) != HISS_OK) {
        fprintf(stderr, "  cannot open %s: %s\n", backend, why.text);
        return NULL;
    }
    audio_set_period_hook(a, guard_hook, NULL);
    return a;
}

static void the_guard_sees_the_jack_thread(void)
{
    CHECK(rtguard_interposed());
    uint32_t rate;
    Audio *a = open_guarded("jack", (AudioOptions){.client_name = "hiss_rt0"}, &rate);
    CHECK(a != NULL);
    if (!a)
        return;
    Song *song = synth_song(2, 16, 125, 6);
    Engine *e = engine_new(song, rate);
    rtguard_reset();
    atomic_store(&misbehave, true);
    CHECK(audio_start(a, e) == HISS_OK);
    for (int i = 0; i < 250 && atomic_load(&periods) < 5; i++)
        hiss_sleep_ms(20);
    audio_stop(a);
    atomic_store(&misbehave, false);
    CHECK(atomic_load(&periods) >= 5);
    CHECK_MSG(rtguard_violations() >= 5, "%lu violations", rtguard_violations());
    CHECK(strstr(rtguard_last(), "malloc") || strstr(rtguard_last(), "free"));
    audio_close(a);
    engine_free(e);
    song_free(song);
    rtguard_reset();
}

/* Plays `song` through `backend` for ~seconds while the main thread does
 * what the editor does: commands, a whole new song, an engine hand-over,
 * and MIDI notes (queued as the sequencer client queues them) that the
 * audio thread plays and records. */
static void play_guarded(const char *backend, Song *song, Song *next_song,
                         AudioOptions o, double seconds)
{
    uint32_t rate = 0;
    Audio *a = open_guarded(backend, o, &rate);
    CHECK(a != NULL);
    if (!a) {
        song_free(song);
        song_free(next_song);
        return;
    }
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    MidiRoute route;
    CHECK(midi_route_init(&route) == HISS_OK);
    atomic_store(&route.instrument, 1);
    atomic_store(&route.record_flags, engine_live_flags(0, 0, LIVE_QUANTIZE_ROW, true, false));
    audio_set_midi(a, &route);
    int takes = 0;
    rtguard_reset();
    atomic_store(&periods, 0);
    CHECK(audio_start(a, e) == HISS_OK);
    EngineCommand loop = {.type = ENGINE_CMD_SET_LOOP_SONG, .a = 1};
    EngineCommand play = {.type = ENGINE_CMD_PLAY_SONG};
    CHECK(engine_send(e, &loop) && engine_send(e, &play));
    int steps = (int)(seconds * 50);
    bool swapped_song = false;
    int max_voices = 0;
    for (int i = 0; i < steps; i++) {
        hiss_sleep_ms(20);
        audio_poll(a);
        int voices = atomic_load(&engine_status(e)->voices);
        if (voices > max_voices)
            max_voices = voices;
        engine_collect_garbage(e);
        MidiNote note = {i % 2 ? MIDI_NOTE_OFF : MIDI_NOTE_ON, 0, NOTE_C4, 100, 0};
        ring_push(&route.in, &note);
        EngineTake take;
        while (engine_take_recorded(e, &take))
            takes++;
        while (ring_pop(&route.seen, &note)) {
        }
        if (i % 10 == 5) {
            EngineCommand mute = {.type = ENGINE_CMD_HOLD_MUTE, .a = i % 4, .b = (i / 10) % 2};
            EngineCommand bpm = {.type = ENGINE_CMD_SET_BPM, .a = 900 + i % 600};
            engine_send(e, &mute);
            engine_send(e, &bpm);
        }
        if (i == steps / 2 && next_song) {
            /* The structural path: a whole new song while playing. */
            EngineCommand install = {.type = ENGINE_CMD_INSTALL_SONG, .ptr = next_song};
            CHECK(engine_send(e, &install));
            audio_set_song(a, next_song);
            EngineCommand replay = {.type = ENGINE_CMD_PLAY_SONG};
            engine_send(e, &replay);
            swapped_song = true;
        }
    }
    /* An engine hand-over while running (what a rate change does). */
    Engine *e2 = engine_new(swapped_song ? next_song : song, rate);
    engine_play_song_now(e2, 0, 0, true);
    Engine *old = audio_swap_engine(a, e2, rate);
    CHECK(old == e);
    int before = atomic_load(&periods);
    for (int i = 0; i < 100 && atomic_load(&periods) < before + 8; i++)
        hiss_sleep_ms(20);
    audio_stop(a);

    int ran = atomic_load(&periods);
    CHECK_MSG(ran > 20, "only %d periods", ran);
    CHECK(atomic_load(&engine_status(e)->frames_rendered) > 0);
    CHECK(atomic_load(&engine_status(e2)->frames_rendered) > 0);
    CHECK_MSG(max_voices > 0, "no voice sounded while the song played");
    CHECK_MSG(takes > 0, "no MIDI note came back recorded");
    CHECK_MSG(rtguard_violations() == 0, "%lu violations, the last in %s",
              rtguard_violations(), rtguard_last());
    printf("  %s: %d periods, %lu violations, %u xruns\n", backend, ran,
           rtguard_violations(), audio_xruns(a));
    audio_close(a);
    midi_route_deinit(&route);
    engine_collect_garbage(e);
    engine_free(e);
    engine_collect_garbage(e2);
    engine_free(e2);
    /* The first song came back through the return ring when the second was
     * installed (and was freed with it); free whichever the engines did
     * not hand back. */
    if (swapped_song)
        song_free(next_song);
    else
        song_free(song);
}

static Song *load_demo(uint32_t rate)
{
    Song *song = NULL;
    HissDiag diag = {{0}};
    if (songio_load("patterns/demo.hiss", rate, &song, &diag, NULL) != HISS_OK) {
        fprintf(stderr, "  %s\n", diag.text);
        return NULL;
    }
    return song;
}

static void demo_with_channel_ports_and_transport_master(void)
{
    Song *demo = load_demo(48000);
    CHECK(demo != NULL);
    if (!demo)
        return;
    AudioOptions o = {.client_name = "hiss_rt1", .per_channel_ports = true,
                      .transport = AUDIO_TRANSPORT_MASTER};
    play_guarded("jack", demo, synth_beat(48000), o, 3.0);
}

static void stress_song_with_transport_follow(void)
{
    jack_status_t st;
    jack_client_t *c = jack_client_open("rt_transport", JackNoStartServer, &st);
    CHECK(c != NULL);
    if (c) {
        jack_transport_locate(c, 0);
        jack_transport_start(c);
    }
    Song *stress = synth_stress(48000);
    AudioOptions o = {.client_name = "hiss_rt2", .transport = AUDIO_TRANSPORT_FOLLOW};
    play_guarded("jack", stress, NULL, o, 3.0);
    if (c) {
        jack_transport_stop(c);
        jack_client_close(c);
    }
}

static void small_and_large_periods(void)
{
    jack_status_t st;
    jack_client_t *c = jack_client_open("rt_size", JackNoStartServer, &st);
    CHECK(c != NULL);
    if (!c)
        return;
    static const uint32_t sizes[] = {16, 4096};
    for (size_t i = 0; i < HISS_ARRAY_LEN(sizes); i++) {
        CHECK(jack_set_buffer_size(c, sizes[i]) == 0);
        hiss_sleep_ms(100);
        AudioOptions o = {.client_name = "hiss_rt3", .no_connect = true};
        play_guarded("jack", synth_stress(48000), NULL, o, 1.5);
    }
    jack_set_buffer_size(c, 256);
    jack_client_close(c);
}

static void alsa_backend_too(void)
{
    /* alsa-lib's file plugin into its null device, set up in a private
     * HOME (alsa-lib reads ~/.asoundrc on the first open). */
    char home[] = "/tmp/hiss_rt_alsa.XXXXXX";
    CHECK(mkdtemp(home) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/.asoundrc", home);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "pcm.hissrt { type file slave.pcm \"null\" file \"%s/out.raw\" "
               "format \"raw\" }\n", home);
    fclose(f);
    setenv("HOME", home, 1);
    AudioOptions o = {.device = "hissrt", .rate = 48000, .period = 64};
    play_guarded("alsa", synth_stress(48000), synth_beat(48000), o, 1.0);
    snprintf(path, sizeof path, "%s/out.raw", home);
    unlink(path);
    snprintf(path, sizeof path, "%s/.asoundrc", home);
    unlink(path);
    rmdir(home);
}

static void null_backend_too(void)
{
    AudioOptions o = {.rate = 48000, .period = 64, .per_channel_ports = true};
    play_guarded("null", synth_stress(48000), synth_beat(48000), o, 1.0);
}

int main(void)
{
    if (!jackrec_server_start(&srv, 48000, 256)) {
        fprintf(stderr, "FAIL cannot start a JACK server (jackd2 is required)\n");
        test_failed++;
        return test_finish();
    }
    RUN(the_guard_sees_the_jack_thread);
    RUN(demo_with_channel_ports_and_transport_master);
    RUN(stress_song_with_transport_follow);
    RUN(small_and_large_periods);
    RUN(alsa_backend_too);
    RUN(null_backend_too);
    jackrec_server_stop(&srv, false);
    return test_finish();
}
