/* bench_midi_clock: MIDI clock through JACK (48 kHz, 64-frame period),
 * measured by test clients (tests/common/clockpeer).
 *
 * Out: hiss plays at 92.5 BPM for 10 s; each pulse heard on midi_out
 * against its exact frame (k x 60 / (24 x BPM) s after start): the
 * largest difference, in frames.
 * In: a master sends clock at 97.34 BPM (between two tenths of a BPM,
 * so only the phase lock keeps hiss from drifting) for 30 s and hiss
 * follows; hiss's own pulses against the master's: how long until every
 * pulse is within a millisecond, then the mean and largest phase error
 * (onset jitter; target at most 1 ms) and the drift, the mean error over
 * the last 5 s less that over the 5 s after locking (target none). */
#include <stdio.h>
#include <stdlib.h>

#include "audio.h"
#include "common/clockpeer.h"
#include "common/jackrec.h"
#include "common/synth_song.h"
#include "midi.h"

enum { RATE = 48000, PERIOD = 64 };

static Audio *open_hiss(const char *name, Song *song, Engine **e, MidiRoute *route)
{
    AudioOptions o = {.backend = "jack", .client_name = name, .no_connect = true};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    if (audio_open(&a, &o, &rate, &why) != HISS_OK) {
        fprintf(stderr, "bench_midi_clock: %s\n", why.text);
        return NULL;
    }
    *e = engine_new(song, rate);
    audio_set_song(a, song);
    audio_set_midi(a, route);
    if (!*e || audio_start(a, *e) != HISS_OK) {
        audio_close(a);
        engine_free(*e);
        return NULL;
    }
    return a;
}

static int clock_out(MidiRoute *route)
{
    Song *song = synth_song(1, 64, 125, 6);
    atomic_store(&song->bpm_tenths, 925);
    Engine *e = NULL;
    Audio *a = open_hiss("hiss_out", song, &e, route);
    if (!a || !clockpeer_listener_open("listener", "hiss_out:midi_out"))
        return 1;
    EngineCommand play = {ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL};
    engine_send(e, &play);
    hiss_sleep_ms(10000);
    clockpeer_close();
    audio_close(a);
    engine_free(e);
    song_free(song);
    int n = atomic_load(&clockpeer_heard_count);
    const ClockpeerHeard *h = clockpeer_heard;
    if (n < 3 || h[0].msg[0] != 0xFA)
        return 1;
    uint64_t per = 25u * 6 * 4 * RATE, inc = 24 * 925;
    int64_t worst = 0;
    for (int k = 0; k + 1 < n && h[k + 1].msg[0] == 0xF8; k++) {
        int64_t off = (int64_t)(h[k + 1].frame - h[0].frame) - (int64_t)(k * per / inc);
        if (llabs(off) > llabs(worst))
            worst = off;
    }
    printf("bench_midi_clock: clock out at 92.5 BPM for 10 s through JACK: %d pulses, "
           "largest difference from its exact frame %lld frames (target 0)\n",
           n - 1, (long long)worst);
    return 0;
}

static int clock_in(MidiRoute *route)
{
    Song *song = synth_song(1, 64, 125, 6);
    atomic_store(&route->follow_clock, true);
    atomic_store(&route->follow_transport, true);
    Engine *e = NULL;
    Audio *a = open_hiss("hiss_in", song, &e, route);
    if (!a || !clockpeer_master_open("master", "hiss_in:midi_in", 60.0 * RATE / (97.34 * 24)) ||
        !clockpeer_listener_open("listener", "hiss_in:midi_out"))
        return 1;
    clockpeer_master_start();
    hiss_sleep_ms(30000);
    clockpeer_master_stop();
    hiss_sleep_ms(100);
    clockpeer_close();
    audio_close(a);
    engine_free(e);
    song_free(song);
    int n = atomic_load(&clockpeer_heard_count), m = atomic_load(&clockpeer_pulses);
    const ClockpeerHeard *h = clockpeer_heard;
    int pulses = 0;
    while (pulses + 1 < n && pulses < m && h[pulses + 1].msg[0] == 0xF8)
        pulses++;
    int ms = RATE / 1000, locked = 0;
    for (int k = 0; k < pulses; k++)
        if (llabs((int64_t)h[k + 1].frame - (int64_t)clockpeer_pulse_at[k]) > ms)
            locked = k + 1;
    int window = 5 * 24 * 97 / 60; /* pulses in 5 s */
    if (pulses - locked < 2 * window) {
        fprintf(stderr, "bench_midi_clock: hiss did not lock (%d of %d pulses)\n", locked,
                pulses);
        return 1;
    }
    double sum = 0, first = 0, last = 0;
    int64_t worst = 0;
    for (int k = locked; k < pulses; k++) {
        int64_t off = (int64_t)h[k + 1].frame - (int64_t)clockpeer_pulse_at[k];
        sum += (double)llabs(off);
        if (llabs(off) > llabs(worst))
            worst = off;
        if (k < locked + window)
            first += (double)off;
        if (k >= pulses - window)
            last += (double)off;
    }
    printf("bench_midi_clock: following a 97.34 BPM clock for 30 s: locked within 1 ms "
           "after %.2f s; then %d pulses, phase error mean %.3f ms, largest %.3f ms "
           "(target <= 1 ms); drift over %.0f s %.3f ms (target none)\n",
           locked * 60.0 / (24 * 97.34), pulses - locked,
           sum / (pulses - locked) * 1000.0 / RATE, (double)llabs(worst) * 1000.0 / RATE,
           (pulses - locked - window) * 60.0 / (24 * 97.34),
           (last - first) / window * 1000.0 / RATE);
    return 0;
}

int main(void)
{
    JackrecServer srv = {0};
    srv.synchronous = true;
    if (!jackrec_server_start(&srv, RATE, PERIOD)) {
        fprintf(stderr, "bench_midi_clock: cannot start jackd\n");
        return 1;
    }
    MidiRoute route;
    if (midi_route_init(&route) != HISS_OK)
        return 1;
    int rc = clock_out(&route) || clock_in(&route);
    midi_route_deinit(&route);
    jackrec_server_stop(&srv, false);
    if (rc)
        fprintf(stderr, "bench_midi_clock: a measure failed\n");
    return rc;
}
