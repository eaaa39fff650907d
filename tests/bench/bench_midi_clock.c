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
 * the clock's exact pulses: through JACK (256 frames a period, for at
 * most 15 minutes of a busy machine's time) and fed to the route as
 * JACK would with the engine rendering offline (tests/common/clockfeed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio.h"
#include "common/clockfeed.h"
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

/* The figures of hiss's pulses own[k] against the clock's exact ones
 * ideal[k], `pulses` of each: how long until every pulse is within a
 * millisecond, then the tempo, the mean and largest phase error and the
 * drift (the mean error over the last `window_s` seconds less that over
 * the first after locking). */
static int report(const char *what, const uint64_t *own, const double *ideal, int pulses,
                  double fpp, uint32_t rate, double window_s)
{
    int ms = (int)rate / 1000, locked = 0;
    for (int k = 0; k < pulses; k++)
        if (fabs((double)own[k] - ideal[k]) > ms)
            locked = k + 1;
    int window = (int)(window_s * rate / fpp);
    if (pulses - locked < 2 * window) {
        fprintf(stderr, "bench_midi_clock: %s: hiss did not lock (%d of %d pulses)\n", what,
                locked, pulses);
        return 1;
    }
    double sum = 0, first = 0, last = 0, worst = 0;
    for (int k = locked; k < pulses; k++) {
        double off = (double)own[k] - ideal[k];
        sum += fabs(off);
        worst = fmax(worst, fabs(off));
        if (k < locked + window)
            first += off;
        if (k >= pulses - window)
            last += off;
    }
    double bpm = 60.0 * rate * (pulses - locked - 1) /
                 (24.0 * (double)(own[pulses - 1] - own[locked]));
    printf("bench_midi_clock: %s (%.0f s): locked within 1 ms after %.2f s; then %d pulses "
           "at %.4f BPM, phase error mean %.3f ms, largest %.3f ms (target <= 1 ms); drift "
           "over %.0f s %.3f ms (target none)\n",
           what, pulses * fpp / rate, locked * fpp / rate, pulses - locked, bpm,
           sum / (pulses - locked) * 1000.0 / rate, worst * 1000.0 / rate,
           (pulses - locked - window) * fpp / rate, (last - first) / window * 1000.0 / rate);
    return 0;
}

/* hiss follows a master at 97.34 BPM (between two tenths of a BPM, so
 * only the phase lock keeps it from drifting) for `seconds` of the
 * server's time (or as much as `wall` seconds of a busy machine give),
 * each pulse sent up to `jitter` frames early or late; hiss's own
 * pulses against the master's exact ones. */
static int clock_in(const char *what, MidiRoute *route, uint32_t rate, double seconds,
                    int jitter, int wall)
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
    /* The server's frames say how far it has come, not the wall clock. */
    int want = (int)(seconds * rate / fpp);
    for (int w = 0; w < wall * 100 && atomic_load(&clockpeer_pulses) < want; w++)
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
    static uint64_t own[CLOCKPEER_HEARD];
    int pulses = 0;
    for (int i = 1; i < n && pulses < m; i++)
        if (clockpeer_heard[i].msg[0] == 0xF8)
            own[pulses++] = clockpeer_heard[i].frame;
        else if (clockpeer_heard[i].msg[0] != 0xF2)
            break;
    return report(what, own, clockpeer_ideal_at, pulses, fpp, rate, seconds > 60 ? 10 : 5);
}

/* The same clock, a millisecond off each pulse, fed to the route as JACK
 * would for ten minutes with the engine rendering offline: every pulse
 * of the whole time, whatever the machine's load. */
static int clock_in_offline(void)
{
    Song *song = synth_song(1, 64, 125, 6);
    enum { MOST = 24 * 98 * 10 + 100 };
    static uint64_t own[MOST];
    static double ideal[MOST];
    ClockFeed f = {.bpm = 97.34, .seconds = 600, .clock = true, .transport = true,
                   .jitter = CLOCKFEED_RATE / 1000, .own = own, .own_cap = MOST};
    Engine *e = clockfeed_follow(song, &f);
    engine_free(e);
    song_free(song);
    double fpp = 60.0 * CLOCKFEED_RATE / (97.34 * 24);
    for (int k = 0; k < f.own_count; k++)
        ideal[k] = CLOCKFEED_FIRST + k * fpp;
    return report("following a 97.34 BPM clock sent up to 1 ms early or late, rendered "
                  "offline",
                  own, ideal, f.own_count - 1, fpp, CLOCKFEED_RATE, 10);
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
    int rc = clock_out(&route) ||
             clock_in("following a 97.34 BPM clock through JACK", &route, RATE, 30, 0, 120);
    jackrec_server_stop(&srv, false);
    /* Ten minutes at 256 frames a period: a busy machine keeps up with
     * a quarter of the periods; if it still falls behind, the figures
     * say how much of the server's time they cover. */
    JackrecServer slow = {.synchronous = true};
    if (!rc && jackrec_server_start(&slow, RATE, 256)) {
        rc = clock_in("following a 97.34 BPM clock sent up to 1 ms early or late through "
                      "JACK",
                      &route, RATE, 600, RATE / 1000, 900);
        jackrec_server_stop(&slow, false);
    }
    rc = rc || clock_in_offline();
    midi_route_deinit(&route);
    if (rc)
        fprintf(stderr, "bench_midi_clock: a measure failed\n");
    return rc;
}
