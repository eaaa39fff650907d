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
 * the last 5 s less that over the 5 s after locking (target none).
 * Then the same for ten minutes of a clock whose every pulse comes up to
 * a millisecond early or late (windows of 10 s for the drift), against
 * the clock's exact pulses. */
#include <math.h>
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

/* hiss follows a master at 97.34 BPM (between two tenths of a BPM, so
 * only the phase lock keeps it from drifting) for `seconds` of the
 * server's time, each pulse sent up to `jitter` frames early or late;
 * hiss's own pulses against the master's exact ones. */
static int clock_in(MidiRoute *route, uint32_t rate, double seconds, int jitter)
{
    Song *song = synth_song(1, 64, 125, 6);
    atomic_store(&route->follow_clock, true);
    atomic_store(&route->follow_transport, true);
    Engine *e = NULL;
    Audio *a = open_hiss("hiss_in", song, &e, route);
    double fpp = 60.0 * rate / (97.34 * 24);
    if (!a || !clockpeer_master_open("master", "hiss_in:midi_in", fpp) ||
        !clockpeer_listener_open("listener", "hiss_in:midi_out"))
        return 1;
    clockpeer_master_jitter(jitter);
    clockpeer_master_start();
    /* The server's frames say how far it has come, not the wall clock
     * (a busy machine may run the dummy server slow). */
    int want = (int)(seconds * rate / fpp);
    for (int w = 0; w < 20 * 60 * 100 && atomic_load(&clockpeer_pulses) < want; w++)
        hiss_sleep_ms(10);
    clockpeer_master_stop();
    hiss_sleep_ms(100);
    clockpeer_close();
    audio_close(a);
    engine_free(e);
    song_free(song);
    int n = atomic_load(&clockpeer_heard_count), m = atomic_load(&clockpeer_pulses);
    /* hiss's pulses, from after its start; the song positions it sends
     * each time its 64-row song starts over are left out. */
    static ClockpeerHeard h[CLOCKPEER_HEARD + 1];
    int pulses = 0;
    for (int i = 1; i < n && pulses < m; i++)
        if (clockpeer_heard[i].msg[0] == 0xF8)
            h[1 + pulses++] = clockpeer_heard[i];
        else if (clockpeer_heard[i].msg[0] != 0xF2)
            break;
    int ms = (int)rate / 1000, locked = 0;
    for (int k = 0; k < pulses; k++)
        if (fabs((double)h[k + 1].frame - clockpeer_ideal_at[k]) > ms)
            locked = k + 1;
    /* Drift: the mean error over a window after locking against the last. */
    int window = (int)((seconds > 60 ? 10 : 5) * rate / fpp);
    if (pulses < want * 9 / 10 || pulses - locked < 2 * window) {
        fprintf(stderr, "bench_midi_clock: hiss did not lock (%d of %d pulses)\n", locked,
                pulses);
        return 1;
    }
    double sum = 0, first = 0, last = 0, worst = 0;
    for (int k = locked; k < pulses; k++) {
        double off = (double)h[k + 1].frame - clockpeer_ideal_at[k];
        sum += fabs(off);
        worst = fmax(worst, fabs(off));
        if (k < locked + window)
            first += off;
        if (k >= pulses - window)
            last += off;
    }
    double bpm = 60.0 * rate * (pulses - locked - 1) /
                 (24.0 * (double)(h[pulses].frame - h[locked + 1].frame));
    printf("bench_midi_clock: following a 97.34 BPM clock%s for %.0f s: locked within "
           "1 ms after %.2f s; then %d pulses at %.4f BPM, phase error mean %.3f ms, "
           "largest %.3f ms (target <= 1 ms); drift over %.0f s %.3f ms (target none)\n",
           jitter ? " sent up to 1 ms early or late" : "", seconds,
           locked * fpp / rate, pulses - locked, bpm, sum / (pulses - locked) * 1000.0 / rate,
           worst * 1000.0 / rate, (pulses - locked - window) * fpp / rate,
           (last - first) / window * 1000.0 / rate);
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
    int rc = clock_out(&route) || clock_in(&route, RATE, 30, 0) ||
             clock_in(&route, RATE, 600, RATE / 1000);
    jackrec_server_stop(&srv, false);
    midi_route_deinit(&route);
    if (rc)
        fprintf(stderr, "bench_midi_clock: a measure failed\n");
    return rc;
}
