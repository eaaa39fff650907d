/* midi: see midi.h. */
#include "midi.h"

#include <ctype.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alsalib.h"
#include "song.h"

/* Filled by the first open (alsalib_load), read-only after. */
static const AlsaLib *const lib = &alsalib;

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
    out->frame = 0;
    out->at = 0.0;
    return true;
}

double midi_frame_time(uint64_t cycle_usecs, double period_usecs, uint32_t nframes,
                       uint32_t frame)
{
    double into = nframes ? period_usecs * frame / nframes : 0.0;
    return ((double)cycle_usecs + into) / 1e6;
}

bool midi_decode(const uint8_t *bytes, size_t size, MidiNote *out)
{
    if (size < 3 || (bytes[1] | bytes[2]) & 0x80)
        return false;
    return make_note(bytes[0] & 0xF0, bytes[0] & 0x0F, bytes[1], bytes[2], out);
}

bool midi_decode_control(const uint8_t *bytes, size_t size, MidiControl *out)
{
    if (size < 3 || (bytes[0] & 0xF0) != 0xB0 || (bytes[1] | bytes[2]) & 0x80)
        return false;
    *out = (MidiControl){(uint8_t)(bytes[0] & 0x0F), bytes[1], bytes[2], false, 0};
    return true;
}

int midi_note_number(int note)
{
    return note - NOTE_C4 + 60;
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

bool midi_decode_seq_control(const void *seq_event, MidiControl *out)
{
    const snd_seq_event_t *ev = seq_event;
    if (ev->type != SND_SEQ_EVENT_CONTROLLER || ev->data.control.param > 127 ||
        ev->data.control.value < 0 || ev->data.control.value > 127)
        return false;
    *out = (MidiControl){(uint8_t)(ev->data.control.channel & 0x0F),
                         (uint8_t)ev->data.control.param, (uint8_t)ev->data.control.value,
                         false, 0};
    return true;
}

bool midi_decode_seq_system(const void *seq_event, uint8_t bytes[3], size_t *size)
{
    const snd_seq_event_t *ev = seq_event;
    *size = 1;
    switch (ev->type) {
    case SND_SEQ_EVENT_CLOCK: bytes[0] = 0xF8; return true;
    case SND_SEQ_EVENT_START: bytes[0] = 0xFA; return true;
    case SND_SEQ_EVENT_CONTINUE: bytes[0] = 0xFB; return true;
    case SND_SEQ_EVENT_STOP: bytes[0] = 0xFC; return true;
    case SND_SEQ_EVENT_SONGPOS:
        if (ev->data.control.value < 0 || ev->data.control.value > 0x3FFF)
            return false;
        bytes[0] = 0xF2;
        bytes[1] = (uint8_t)(ev->data.control.value & 0x7F);
        bytes[2] = (uint8_t)(ev->data.control.value >> 7);
        *size = 3;
        return true;
    default:
        return false;
    }
}

bool midi_seq_exists(void)
{
    return access("/dev/snd/seq", F_OK) == 0;
}

/* ---- the route ---------------------------------------------------------- */

HissError midi_route_init(MidiRoute *r)
{
    memset(r, 0, sizeof *r);
    r->pulses = -1;
    for (int m = 0; m < MIDI_CHANNEL_COUNT; m++)
        atomic_init(&r->map_channel[m], -1);
    if (ring_init(&r->in, MIDI_ROUTE_RING, sizeof(MidiNote)) != HISS_OK ||
        ring_init(&r->seen, MIDI_ROUTE_RING, sizeof(MidiNote)) != HISS_OK ||
        ring_init(&r->controls, MIDI_ROUTE_RING, sizeof(MidiControl)) != HISS_OK ||
        ring_init(&r->seq_controls, MIDI_ROUTE_RING, sizeof(MidiControl)) != HISS_OK ||
        ring_init(&r->seq_system, MIDI_ROUTE_RING, sizeof(MidiSeqSystem)) != HISS_OK) {
        midi_route_deinit(r);
        return HISS_ERR_NOMEM;
    }
    return HISS_OK;
}

void midi_route_deinit(MidiRoute *r)
{
    ring_deinit(&r->in);
    ring_deinit(&r->seen);
    ring_deinit(&r->controls);
    ring_deinit(&r->seq_controls);
    ring_deinit(&r->seq_system);
}

void midi_route_control(MidiRoute *r, const MidiControl *control)
{
    ring_push(&r->controls, control);
}

void midi_route_bind_note(MidiRoute *r, int midi_channel, int note, bool bound)
{
    if (midi_channel < 0 || midi_channel >= MIDI_CHANNEL_COUNT || note < 0 || note > 127)
        return;
    uint32_t bit = 1u << (note & 31);
    if (bound)
        atomic_fetch_or(&r->note_bound[midi_channel][note >> 5], bit);
    else
        atomic_fetch_and(&r->note_bound[midi_channel][note >> 5], ~bit);
}

/* [audio] A note-on MIDI learn takes: passed on, not played, with when
 * it came. */
static bool taken_by_learn(MidiRoute *r, const MidiNote *m)
{
    if (m->kind != MIDI_NOTE_ON)
        return false; /* a release still ends a note played before binding */
    int number = midi_note_number(m->note);
    uint32_t word = atomic_load_explicit(&r->note_bound[m->channel & 15][number >> 5],
                                         memory_order_relaxed);
    if (!(word >> (number & 31) & 1) &&
        !atomic_load_explicit(&r->capture_notes, memory_order_relaxed))
        return false;
    MidiControl c = {m->channel, (uint8_t)number, m->velocity, true, m->at};
    ring_push(&r->controls, &c); /* full: the owner is not reading */
    return true;
}

void midi_route_map(MidiRoute *r, int midi_channel, int instrument, int song_channel)
{
    if (midi_channel < 0 || midi_channel >= MIDI_CHANNEL_COUNT)
        return;
    atomic_store(&r->map_instrument[midi_channel],
                 hiss_clampi(instrument, 0, SONG_MAX_INSTRUMENTS));
    atomic_store(&r->map_channel[midi_channel],
                 hiss_clampi(song_channel, -1, SONG_MAX_CHANNELS - 1));
}

void midi_route_play(MidiRoute *r, Engine *engine, const MidiNote *m)
{
    if (taken_by_learn(r, m) || !engine)
        return;
    int ch = atomic_load_explicit(&r->map_channel[m->channel], memory_order_relaxed);
    if (ch < 0)
        ch = atomic_load_explicit(&r->channel, memory_order_relaxed);
    if (ch < 0 || ch >= SONG_MAX_CHANNELS)
        return;
    int record = atomic_load_explicit(&r->record_flags, memory_order_relaxed) & ~0xFFFF;
    if (m->kind == MIDI_NOTE_OFF) {
        /* The release is written too (quantized like the notes), so the
         * take plays back as long as each note was held. */
        if (r->held[ch] != m->note)
            return;
        r->held[ch] = 0;
        engine_live_note_now(engine, ch, NOTE_OFF, record, m->frame);
    } else {
        int inst = atomic_load_explicit(&r->map_instrument[m->channel], memory_order_relaxed);
        if (!inst)
            inst = atomic_load_explicit(&r->instrument, memory_order_relaxed);
        r->held[ch] = m->note;
        engine_live_note_now(engine, ch, m->note,
                             record | engine_live_flags(inst, midi_velocity_volume(m->velocity),
                                                        0, false, false),
                             m->frame);
    }
    ring_push(&r->seen, m); /* full: the screen misses one, the sound does not */
}

/* Each pulse: the tempo over the window, and where hiss should be. */
static void clock_pulse(MidiRoute *r, Engine *engine, uint32_t frame, uint32_t clock_frame)
{
    if (r->pulse_count >= 2) {
        /* A gap of many pulses (the clock paused, or another server's
         * frames) is no tempo: the measure starts again from here. */
        int last = (r->pulse_next + MIDI_CLOCK_WINDOW - 1) % MIDI_CLOCK_WINDOW;
        int oldest = r->pulse_count < MIDI_CLOCK_WINDOW ? 0 : r->pulse_next;
        uint64_t mean = (uint32_t)(r->pulse_at[last] - r->pulse_at[oldest]) /
                        (uint64_t)(r->pulse_count - 1);
        if ((uint32_t)(clock_frame - r->pulse_at[last]) > 8 * mean + 1)
            r->pulse_count = r->pulse_next = 0;
    }
    r->pulse_at[r->pulse_next] = clock_frame;
    r->pulse_next = (r->pulse_next + 1) % MIDI_CLOCK_WINDOW;
    if (r->pulse_count < MIDI_CLOCK_WINDOW)
        r->pulse_count++;
    bool transport = atomic_load_explicit(&r->follow_transport, memory_order_relaxed);
    if (r->start_pending && transport) {
        EngineCommand play = r->start_pending == 0xFA
                                 ? (EngineCommand){.type = ENGINE_CMD_PLAY_SONG}
                                 : (EngineCommand){.type = ENGINE_CMD_PLAY_AT_POSITION,
                                                   .a = r->position,
                                                   .b = r->pulses >= 0,
                                                   .c = (int)(r->pulses & 0x3FFFFFFF)};
        engine_command_now(engine, &play, frame);
        r->origin = r->start_pending == 0xFA ? 0 : (int64_t)r->position * 6;
        r->pulses = 0;
    }
    r->start_pending = 0;
    if (r->pulses >= 0)
        r->pulses++;
    if (!atomic_load_explicit(&r->follow_clock, memory_order_relaxed) || r->pulse_count < 2)
        return;
    int oldest = r->pulse_count < MIDI_CLOCK_WINDOW ? 0 : r->pulse_next;
    uint64_t span = (uint32_t)(clock_frame - r->pulse_at[oldest]);
    int64_t milli = (int64_t)(span * 1000 / (uint64_t)(r->pulse_count - 1));
    if (milli <= 0 || milli > INT32_MAX)
        return;
    EngineCommand follow = {.type = ENGINE_CMD_FOLLOW_CLOCK, .a = (int)milli,
                            .b = transport && r->pulses >= 0 ? (int)(r->pulses & 0x3FFFFFFF) : -1};
    engine_command_now(engine, &follow, frame);
}

void midi_route_system(MidiRoute *r, Engine *engine, const uint8_t *bytes, size_t size,
                       uint32_t frame, uint32_t clock_frame)
{
    if (!engine || size < 1)
        return;
    bool transport = atomic_load_explicit(&r->follow_transport, memory_order_relaxed);
    switch (bytes[0]) {
    case 0xF8:
        clock_pulse(r, engine, frame, clock_frame);
        break;
    case 0xFA:
    case 0xFB:
        if (bytes[0] == 0xFA)
            r->position = 0;
        r->start_pending = bytes[0];
        break;
    case 0xFC:
        r->start_pending = 0;
        r->pulses = -1;
        if (transport)
            engine_command_now(engine, &(EngineCommand){.type = ENGINE_CMD_STOP}, frame);
        break;
    case 0xF2:
        if (size < 3 || ((bytes[1] | bytes[2]) & 0x80))
            break;
        r->position = bytes[1] | bytes[2] << 7;
        /* While the clock runs hiss, a song position that is not where
         * the next pulse falls anyway (a jump on the master) moves
         * playback there on that pulse, as a continue would. */
        if (r->pulses >= 0 && (int64_t)r->position * 6 != r->origin + r->pulses)
            r->start_pending = 0xFB;
        break;
    default:
        break;
    }
}

void midi_route_drain(MidiRoute *r, Engine *engine, uint32_t rate, uint32_t nframes,
                      double now)
{
    MidiNote m;
    /* Bounded by the ring's size: the other thread cannot outrun a period
     * by more than that. */
    for (int i = 0; i < MIDI_ROUTE_RING && ring_pop(&r->in, &m); i++) {
        m.frame = 0; /* no frame of this period: it came from another clock */
        midi_route_play(r, engine, &m);
    }
    MidiSeqSystem sys;
    for (int i = 0; i < MIDI_ROUTE_RING && ring_pop(&r->seq_system, &sys); i++) {
        /* Played at the period's start, measured on a frame clock of when
         * it came: only differences of clock frames count, so the wrap of
         * 32 bits does no harm. */
        uint32_t clock_frame = (uint32_t)(uint64_t)(sys.seconds * rate);
        double ago = (now - sys.seconds) * rate;
        double frame = (double)nframes - 1.0 - (ago > 0.0 ? ago : 0.0);
        midi_route_system(r, engine, sys.bytes, sys.size, frame > 0.0 ? (uint32_t)frame : 0,
                          clock_frame);
    }
}

/* ---- the ALSA sequencer client ------------------------------------------ */

struct MidiSeq {
    snd_seq_t *handle;
    MidiRoute *route;
    pthread_t thread;
    _Atomic bool quit;
    char address[32];
};

void midi_seq_take(MidiRoute *r, const void *seq_event, double seconds)
{
    MidiNote note;
    MidiControl control;
    MidiSeqSystem sys = {.seconds = seconds};
    size_t size;
    /* A full ring drops: the audio thread stalled, or the owner is not
     * reading. */
    if (midi_decode_seq_event(seq_event, &note)) {
        note.at = seconds;
        ring_push(&r->in, &note);
    } else if (midi_decode_seq_control(seq_event, &control)) {
        ring_push(&r->seq_controls, &control);
    } else if (midi_decode_seq_system(seq_event, sys.bytes, &size)) {
        sys.size = (uint8_t)size;
        ring_push(&r->seq_system, &sys);
    }
}

/* Waits for events a tenth of a second at a time, so midi_seq_close is
 * heard soon; queues each note for the audio thread. */
static void *seq_thread(void *arg)
{
    MidiSeq *s = arg;
    int count = lib->snd_seq_poll_descriptors_count(s->handle, POLLIN);
    struct pollfd fds[4];
    if (count > 4)
        count = 4;
    lib->snd_seq_poll_descriptors(s->handle, fds, (unsigned)count, POLLIN);
    while (!atomic_load(&s->quit)) {
        if (poll(fds, (nfds_t)count, 100) <= 0)
            continue;
        snd_seq_event_t *ev = NULL;
        while (lib->snd_seq_event_input(s->handle, &ev) >= 0 && ev) {
            midi_seq_take(s->route, ev, hiss_now_seconds());
            ev = NULL;
        }
    }
    return NULL;
}

HissError midi_seq_open(MidiSeq **out, MidiRoute *route, const char *client_name,
                        HissDiag *why)
{
    *out = NULL;
    if (!midi_seq_exists()) {
        hiss_diag_printf(why, "no ALSA sequencer on this machine (/dev/snd/seq is "
                              "missing)");
        return HISS_ERR_UNSUPPORTED;
    }
    HissError missing = alsalib_load(why);
    if (missing)
        return missing;
    MidiSeq *s = calloc(1, sizeof *s);
    if (!s)
        return HISS_ERR_NOMEM;
    s->route = route;
    int err = lib->snd_seq_open(&s->handle, "default", SND_SEQ_OPEN_INPUT, SND_SEQ_NONBLOCK);
    int port = -1;
    if (err >= 0) {
        lib->snd_seq_set_client_name(s->handle, client_name ? client_name : "hiss");
        port = lib->snd_seq_create_simple_port(s->handle, "midi_in",
                                               SND_SEQ_PORT_CAP_WRITE |
                                                   SND_SEQ_PORT_CAP_SUBS_WRITE,
                                               SND_SEQ_PORT_TYPE_MIDI_GENERIC |
                                                   SND_SEQ_PORT_TYPE_APPLICATION);
        err = port;
    }
    if (err >= 0)
        err = -pthread_create(&s->thread, NULL, seq_thread, s);
    if (err < 0) {
        hiss_diag_printf(why, "ALSA sequencer: %s", lib->snd_strerror(err));
        if (s->handle)
            lib->snd_seq_close(s->handle);
        free(s);
        return HISS_ERR_IO;
    }
    snprintf(s->address, sizeof s->address, "%d:%d", lib->snd_seq_client_id(s->handle), port);
    *out = s;
    return HISS_OK;
}

void midi_seq_close(MidiSeq *s)
{
    if (!s)
        return;
    atomic_store(&s->quit, true);
    pthread_join(s->thread, NULL);
    lib->snd_seq_close(s->handle);
    free(s);
}

const char *midi_seq_address(const MidiSeq *s)
{
    return s ? s->address : "";
}

/* ---- the channel map ------------------------------------------------------ */

/* A number in `base` from *p up to a ':' ',' or the end; -1 when none. */
static long map_number(const char **p, int base)
{
    char *end;
    if (!isxdigit((unsigned char)**p))
        return -1;
    long v = strtol(*p, &end, base);
    if (*end && *end != ':' && *end != ',')
        return -1;
    *p = end;
    return v;
}

HissError midi_map_parse(const char *text, MidiMap *out, HissDiag *why)
{
    memset(out, 0, sizeof *out);
    for (int m = 0; m < MIDI_CHANNEL_COUNT; m++)
        out->channel[m] = -1;
    const char *p = text;
    while (*p) {
        const char *entry = p;
        long m = map_number(&p, 10), inst = -1, ch = 0; /* 0: no channel given */
        if (*p == ':') {
            p++;
            inst = map_number(&p, 16);
        }
        if (inst >= 0 && *p == ':') {
            p++;
            ch = map_number(&p, 10);
            if (ch == 0)
                ch = -1; /* channels count from 1 */
        }
        size_t n = strcspn(entry, ",");
        if (m < 1 || m > MIDI_CHANNEL_COUNT || inst < 1 || inst > SONG_MAX_INSTRUMENTS ||
            ch < 0 || ch > SONG_MAX_CHANNELS ||
            (*p && *p != ',')) {
            hiss_diag_printf(why, "MIDI map entry '%.*s' is not MIDI:INSTRUMENT[:CHANNEL] "
                                  "(MIDI 1..16, instrument 01..FF, channel 1..64)",
                             (int)(n > 40 ? 40 : n), entry);
            return HISS_ERR_PARSE;
        }
        out->set[m - 1] = true;
        out->instrument[m - 1] = (int)inst;
        out->channel[m - 1] = ch ? (int)ch - 1 : -1;
        if (*p == ',')
            p++;
    }
    return HISS_OK;
}

void midi_route_apply(MidiRoute *r, const MidiMap *map)
{
    for (int m = 0; m < MIDI_CHANNEL_COUNT; m++)
        if (map->set[m])
            midi_route_map(r, m, map->instrument[m], map->channel[m]);
}
