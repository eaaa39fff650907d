/* clockpeer: see clockpeer.h. */
#include "clockpeer.h"

#include <jack/jack.h>
#include <jack/midiport.h>
#include <string.h>
#include <unistd.h>

uint64_t clockpeer_pulse_at[CLOCKPEER_PULSES];
_Atomic int clockpeer_pulses;
ClockpeerHeard clockpeer_heard[CLOCKPEER_HEARD];
_Atomic int clockpeer_heard_count;
double clockpeer_ideal_at[CLOCKPEER_PULSES];

static jack_client_t *master, *listener;
static jack_port_t *master_out, *listener_in;
static double frames_per_pulse, next_pulse, next_jitter;
static _Atomic int master_state; /* 0 idle, 1 start asked, 2 running, 3 stop asked */
static _Atomic int start_msg = 0xFA; /* start, or continue */
static uint8_t extra[3];
static _Atomic int extra_size; /* a message waiting for the next period */
static _Atomic int jitter;     /* frames each pulse may be off */
static uint32_t jitter_seed = 12345;

/* Up to +-jitter frames, a fresh draw for each pulse. */
static double jitter_draw(void)
{
    int j = atomic_load(&jitter);
    if (j <= 0)
        return 0.0;
    jitter_seed = jitter_seed * 1664525u + 1013904223u;
    return (double)(int)(jitter_seed >> 8 & 0xFFFF) / 65535.0 * 2.0 * j - j;
}

static void write_byte(void *buf, uint32_t at, uint8_t msg)
{
    jack_midi_event_write(buf, at, &msg, 1);
}

static int master_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *buf = jack_port_get_buffer(master_out, nframes);
    jack_midi_clear_buffer(buf);
    uint32_t start = jack_last_frame_time(master);
    int state = atomic_load(&master_state);
    int size = atomic_load(&extra_size);
    if (size) {
        jack_midi_event_write(buf, 0, extra, (size_t)size);
        atomic_store(&extra_size, 0);
    }
    if (state == 1) {
        write_byte(buf, 0, (uint8_t)atomic_load(&start_msg));
        next_pulse = start;
        atomic_store(&master_state, state = 2);
    } else if (state == 3) {
        write_byte(buf, 0, 0xFC);
        atomic_store(&master_state, 0);
        return 0;
    }
    if (state != 2)
        return 0;
    int n = atomic_load(&clockpeer_pulses);
    /* A pulse goes out in the period its (jittered) time falls in; the
     * jitter is kept under half a pulse, so pulses stay in order. */
    while (next_pulse + next_jitter < (double)start + nframes && n < CLOCKPEER_PULSES) {
        double at = next_pulse + next_jitter;
        if (at < start)
            at = start;
        write_byte(buf, (uint32_t)at - start, 0xF8);
        clockpeer_ideal_at[n] = next_pulse;
        clockpeer_pulse_at[n++] = (uint64_t)at;
        next_pulse += frames_per_pulse;
        next_jitter = jitter_draw();
    }
    atomic_store(&clockpeer_pulses, n);
    return 0;
}

static int listener_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *buf = jack_port_get_buffer(listener_in, nframes);
    uint32_t start = jack_last_frame_time(listener);
    uint32_t count = jack_midi_get_event_count(buf);
    int n = atomic_load(&clockpeer_heard_count);
    for (uint32_t i = 0; i < count && n < CLOCKPEER_HEARD; i++) {
        jack_midi_event_t ev;
        if (jack_midi_event_get(&ev, buf, i) != 0 || ev.size < 1 || ev.size > 3)
            continue;
        clockpeer_heard[n].frame = (uint64_t)start + ev.time;
        memset(clockpeer_heard[n].msg, 0, 3);
        memcpy(clockpeer_heard[n].msg, ev.buffer, ev.size);
        n++;
    }
    atomic_store(&clockpeer_heard_count, n);
    return 0;
}

/* A client with one MIDI port, running `process`, activated and
 * connected; NULL when any step fails. */
static jack_client_t *open_peer(const char *name, bool output, JackProcessCallback process,
                                jack_port_t **port, const char *other)
{
    jack_status_t st;
    jack_client_t *c = jack_client_open(name, JackNoStartServer, &st);
    if (!c)
        return NULL;
    *port = jack_port_register(c, output ? "out" : "in", JACK_DEFAULT_MIDI_TYPE,
                               output ? JackPortIsOutput : JackPortIsInput, 0);
    jack_set_process_callback(c, process, NULL);
    if (!*port || jack_activate(c) != 0 ||
        jack_connect(c, output ? jack_port_name(*port) : other,
                     output ? other : jack_port_name(*port)) != 0) {
        jack_client_close(c);
        return NULL;
    }
    return c;
}

bool clockpeer_master_open(const char *name, const char *to, double fpp)
{
    frames_per_pulse = fpp;
    atomic_store(&clockpeer_pulses, 0);
    atomic_store(&master_state, 0);
    atomic_store(&jitter, 0);
    atomic_store(&extra_size, 0);
    next_jitter = 0.0;
    master = open_peer(name, true, master_process, &master_out, to);
    return master != NULL;
}

void clockpeer_master_start(void)
{
    atomic_store(&start_msg, 0xFA);
    atomic_store(&master_state, 1);
}

void clockpeer_master_continue(void)
{
    atomic_store(&start_msg, 0xFB);
    atomic_store(&master_state, 1);
}

void clockpeer_master_stop(void)
{
    atomic_store(&master_state, 3);
}

bool clockpeer_master_send(const uint8_t *msg, int size)
{
    memcpy(extra, msg, (size_t)(size > 3 ? 3 : size));
    atomic_store(&extra_size, size > 3 ? 3 : size);
    for (int w = 0; w < 1000 && atomic_load(&extra_size); w++)
        usleep(1000);
    return atomic_load(&extra_size) == 0;
}

void clockpeer_master_jitter(int frames)
{
    int most = (int)(frames_per_pulse / 2) - 1;
    atomic_store(&jitter, frames < most ? frames : most);
}

bool clockpeer_listener_open(const char *name, const char *from)
{
    atomic_store(&clockpeer_heard_count, 0);
    listener = open_peer(name, false, listener_process, &listener_in, from);
    return listener != NULL;
}

void clockpeer_close(void)
{
    if (master)
        jack_client_close(master);
    if (listener)
        jack_client_close(listener);
    master = listener = NULL;
}
