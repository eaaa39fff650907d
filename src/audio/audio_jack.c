/* audio_jack: hiss as a JACK client. The server's process callback is the
 * clock: it renders exactly the frames asked for, whatever their number,
 * and calls nothing that can block.
 *
 * Threads: the process callback (real time) renders; JACK's notification
 * thread runs the shutdown, xrun, rate and buffer-size callbacks, which only
 * store atomics; the UI thread opens, closes, reconnects and polls.
 *
 * Transport follow: the engine renders only while the transport rolls. A
 * jump of the transport frame (relocate) is noted by the callback and turned
 * into a "play from order/row" command by audio_poll on the UI thread: the
 * row playing at that frame in the song's timing scan (Fxx changes, jumps
 * and pattern loops included, going round the song's loop).
 *
 * Transport master: hiss provides bar/beat/tick from the same scan (a beat
 * is rows_per_beat rows as played, 4 beats to the bar, 1920 ticks to the
 * beat; beats per minute are those of the row playing) and starts the
 * transport when it starts. Frame 0 of the transport is the song's start.
 *
 * Per-channel ports follow the song's channel count while running: the UI
 * thread registers ports and then publishes the count the callback uses
 * (audio->chan_live), or lowers the count, waits out the period that may
 * still use the surplus ports, and then unregisters them. */
#include "audio_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jacklib.h"

/* Filled by the first open (jacklib_load), read-only after. */
static const JackLib *const lib = &jacklib;

typedef struct {
    jack_client_t *client;
    bool active; /* [ui] */
    jack_port_t *out[2];
    jack_port_t *midi_in; /* notes to play and record */
    jack_port_t *midi_out; /* MIDI clock, start/stop and song position */
    jack_port_t *in[2];   /* in_L, in_R: what a take records */
    /* Per-channel ports: the UI thread writes an entry only while it is at
     * or above audio->chan_live (see jack_out_set_channels); the process
     * callback reads entries below the count it loaded. */
    jack_port_t *chan_port[SONG_MAX_CHANNELS];
    int chan_registered; /* [ui] entries of chan_port that exist */
    float *scratch;      /* AUDIO_MAX_BLOCK interleaved stereo frames */
    float *chan_ptr[SONG_MAX_CHANNELS]; /* [audio] */

    _Atomic bool gone;           /* set by the shutdown callback */
    bool gone_reported;          /* [ui] */
    bool reconnected_unreported; /* [ui] */

    /* [audio] follow-mode bookkeeping */
    bool have_expected;
    jack_nframes_t expected_frame;
    _Atomic bool relocate_pending;
    _Atomic uint32_t relocate_frame;

    /* Frames the output lags the engine (the limiter's lookahead), as
     * last told to the server: the latency callback reports it, the
     * poll has it recomputed when the engine's changes. */
    _Atomic uint32_t latency;
} JackOut;

static void jack_out_quiet(const char *msg)
{
    /* libjack prints every failed connection attempt; hiss says in one line
     * what matters instead. */
    (void)msg;
}

/* [audio] Notes from the MIDI port play in this period, each on the frame
 * JACK gives it (the engine starts it there, not at the period's start);
 * the period's events are few and bounded by the port's buffer. */
static void jack_out_read_midi(Audio *a, JackOut *j, jack_nframes_t nframes)
{
    if (!j->midi_in)
        return;
    void *buf = lib->jack_port_get_buffer(j->midi_in, nframes);
    uint32_t count = lib->jack_midi_get_event_count(buf);
    /* The cycle's time, for when each note came: JACK's frame count
     * stops during an xrun, its clock does not. */
    jack_nframes_t cycle_frames;
    jack_time_t cycle_usecs = 0, next_usecs;
    float period_usecs = 0.0f;
    if (count && lib->jack_get_cycle_times(j->client, &cycle_frames, &cycle_usecs, &next_usecs,
                                           &period_usecs) != 0)
        cycle_usecs = 0;
    for (uint32_t i = 0; i < count; i++) {
        jack_midi_event_t ev;
        MidiNote note;
        if (lib->jack_midi_event_get(&ev, buf, i) != 0 || ev.size < 1)
            continue;
        if (ev.buffer[0] >= 0xF0) {
            audio_midi_system(a, ev.buffer, ev.size, ev.time < nframes ? ev.time : nframes - 1,
                              lib->jack_last_frame_time(j->client) + ev.time);
            continue;
        }
        MidiControl control;
        if (midi_decode_control(ev.buffer, ev.size, &control))
            audio_midi_control(a, &control);
        else if (midi_decode(ev.buffer, ev.size, &note)) {
            note.frame = ev.time < nframes ? ev.time : nframes - 1;
            note.at = cycle_usecs ? midi_frame_time(cycle_usecs, period_usecs, nframes,
                                                    note.frame)
                                  : 0.0;
            audio_midi_note(a, &note);
        }
    }
}

/* [audio] The inputs into a take, after the period is rendered: a take
 * waiting for a bar then knows where in the period the bar is heard. */
static void jack_out_capture(Audio *a, JackOut *j, jack_nframes_t nframes)
{
    if (j->in[0] && j->in[1])
        audio_capture_push(a, lib->jack_port_get_buffer(j->in[0], nframes),
                           lib->jack_port_get_buffer(j->in[1], nframes), nframes);
}

/* [audio] The MIDI clock messages of the piece just rendered, at their
 * frames (the piece began `done` frames into the period). A full buffer
 * drops the rest of the period's messages. */
static void jack_out_write_clock(Audio *a, void *buf, jack_nframes_t done)
{
    const ClockEvent *ev;
    int count = audio_clock_out(a, &ev);
    for (int i = 0; i < count; i++) {
        uint8_t msg[3] = {ev[i].status, (uint8_t)(ev[i].position & 0x7F),
                          (uint8_t)(ev[i].position >> 7 & 0x7F)};
        size_t size = ev[i].status == CLOCK_MSG_POSITION ? 3 : 1;
        lib->jack_midi_event_write(buf, done + ev[i].frame, msg, size);
    }
}

static int jack_out_process(jack_nframes_t nframes, void *arg)
{
    Audio *a = arg;
    JackOut *j = a->impl;
    audio_period_begin(a);
    atomic_store_explicit(&a->period, nframes, memory_order_relaxed);

    jack_out_read_midi(a, j, nframes);
    float *left = lib->jack_port_get_buffer(j->out[0], nframes);
    float *right = lib->jack_port_get_buffer(j->out[1], nframes);
    void *midi_out = j->midi_out ? lib->jack_port_get_buffer(j->midi_out, nframes) : NULL;
    if (midi_out)
        lib->jack_midi_clear_buffer(midi_out);
    /* Loaded once, after the period began (seq_cst, the other half of
     * audio_wait_period): these ports exist until this period ends. */
    int chans = atomic_load(&a->chan_live);
    float *chan_base[SONG_MAX_CHANNELS];
    for (int c = 0; c < chans; c++)
        chan_base[c] = lib->jack_port_get_buffer(j->chan_port[c], nframes);

    bool rolling = true;
    if (a->opts.transport == AUDIO_TRANSPORT_FOLLOW) {
        jack_position_t pos;
        jack_transport_state_t ts = lib->jack_transport_query(j->client, &pos);
        rolling = ts == JackTransportRolling;
        if (!j->have_expected ? pos.frame != 0 : pos.frame != j->expected_frame) {
            atomic_store_explicit(&j->relocate_frame, pos.frame, memory_order_relaxed);
            atomic_store_explicit(&j->relocate_pending, true, memory_order_release);
        }
        j->have_expected = true;
        j->expected_frame = pos.frame + (rolling ? nframes : 0);
    }

    if (!rolling) {
        memset(left, 0, sizeof(float) * nframes);
        memset(right, 0, sizeof(float) * nframes);
        for (int c = 0; c < chans; c++)
            memset(chan_base[c], 0, sizeof(float) * nframes);
        jack_out_capture(a, j, nframes);
        audio_period_end(a);
        return 0;
    }

    /* Periods longer than the scratch buffer render in pieces; the engine
     * places rows on exact frames whatever the block size. */
    for (jack_nframes_t done = 0; done < nframes;) {
        jack_nframes_t n = nframes - done;
        if (n > AUDIO_MAX_BLOCK)
            n = AUDIO_MAX_BLOCK;
        for (int c = 0; c < chans; c++)
            j->chan_ptr[c] = chan_base[c] + done;
        /* Ports being removed may drop out of the render mid-period:
         * they carry silence until they go. */
        int filled = audio_render(a, j->scratch, chans ? j->chan_ptr : NULL, chans, n);
        if (midi_out)
            jack_out_write_clock(a, midi_out, done);
        for (int c = filled; c < chans; c++)
            memset(j->chan_ptr[c], 0, sizeof(float) * n);
        const float *s = j->scratch;
        for (jack_nframes_t i = 0; i < n; i++) {
            left[done + i] = s[2 * i];
            right[done + i] = s[2 * i + 1];
        }
        done += n;
    }
    jack_out_capture(a, j, nframes);
    audio_period_end(a);
    return 0;
}

static void jack_out_shutdown(jack_status_t code, const char *reason, void *arg)
{
    /* Runs on a JACK thread while the client is being torn down: atomics
     * only. The UI thread notices through audio_poll. */
    (void)code;
    (void)reason;
    Audio *a = arg;
    JackOut *j = a->impl;
    atomic_store(&j->gone, true);
    atomic_store(&a->state, AUDIO_STATE_SERVER_GONE);
}

/* PipeWire's JACK calls only this one; jackd calls only the one above
 * when both are set. */
static void jack_out_shutdown_plain(void *arg)
{
    jack_out_shutdown(0, "", arg);
}

static int jack_out_xrun(void *arg)
{
    Audio *a = arg;
    atomic_fetch_add(&a->xruns, 1);
    return 0;
}

static int jack_out_rate_changed(jack_nframes_t rate, void *arg)
{
    Audio *a = arg;
    atomic_store(&a->rate, rate);
    return 0;
}

static int jack_out_buffer_size(jack_nframes_t nframes, void *arg)
{
    Audio *a = arg;
    atomic_store(&a->period, nframes);
    return 0;
}

/* Bar/beat/tick at the song's tempo, for when no timing scan is at hand
 * (the song has no playable order, or its scan is for another rate). */
static double constant_tempo_beats(Audio *a, const jack_position_t *pos, double *bpm_out)
{
    int bpm = atomic_load_explicit(&a->song_bpm_tenths, memory_order_relaxed);
    int speed = atomic_load_explicit(&a->song_speed, memory_order_relaxed);
    int rpb = atomic_load_explicit(&a->rows_per_beat, memory_order_relaxed);
    if (bpm <= 0)
        bpm = 1250;
    if (speed <= 0)
        speed = 6;
    if (rpb <= 0)
        rpb = 4;
    *bpm_out = 2.4 * bpm / ((double)speed * rpb);
    return pos->frame / (pos->frame_rate * 60.0 / *bpm_out);
}

static void jack_out_timebase(jack_transport_state_t state, jack_nframes_t nframes,
                              jack_position_t *pos, int new_pos, void *arg)
{
    (void)state;
    (void)nframes;
    (void)new_pos;
    Audio *a = arg;
    audio_period_begin(a);
    /* The transport's frame 0 is the song's start; the timing scan knows
     * the beat every frame falls on, through Fxx changes, jumps and
     * loops (the song plays on round its loop). */
    /* seq_cst, after the period began: audio_wait_period's promise that
     * the scan it replaced is no longer read rests on it. */
    const TimingScan *scan = atomic_load(&a->timing);
    double beats, beats_per_minute;
    TimingPlace at;
    if (scan && scan->count && scan->rate == pos->frame_rate) {
        timing_locate(scan, pos->frame, &at);
        beats = at.beats;
        beats_per_minute = at.beats_per_minute;
    } else {
        beats = constant_tempo_beats(a, pos, &beats_per_minute);
    }
    long whole = (long)beats;
    pos->valid = JackPositionBBT;
    pos->beats_per_bar = 4.0f;
    pos->beat_type = 4.0f;
    pos->ticks_per_beat = TIMING_TICKS_PER_BEAT;
    pos->beats_per_minute = beats_per_minute;
    pos->bar = (int32_t)(whole / 4) + 1;
    pos->beat = (int32_t)(whole % 4) + 1;
    pos->tick = (int32_t)((beats - (double)whole) * pos->ticks_per_beat);
    pos->bar_start_tick = (double)(pos->bar - 1) * 4.0 * pos->ticks_per_beat;
    audio_period_end(a);
}

static int jack_out_sync(jack_transport_state_t state, jack_position_t *pos, void *arg)
{
    /* Always ready: a relocation is carried out by the UI thread's poll,
     * not by holding the transport back. */
    (void)state;
    (void)pos;
    (void)arg;
    return 1;
}

/* The server asks for the ports' latencies. What comes out of every
 * output (the mix and the channel ports) was made `latency` frames before
 * it leaves: that is added to the capture latency of what drives it (MIDI
 * in). A MIDI note in is heard that much later than the outputs' own
 * playback latency. Runs on JACK's notification thread. */
static void jack_out_latency(jack_latency_callback_mode_t mode, void *arg)
{
    Audio *a = arg;
    JackOut *j = a->impl;
    if (!j || !j->client)
        return;
    jack_nframes_t late = atomic_load(&j->latency);
    jack_latency_range_t r = {0, 0};
    if (mode == JackCaptureLatency) {
        if (j->midi_in)
            lib->jack_port_get_latency_range(j->midi_in, JackCaptureLatency, &r);
        r.min += late;
        r.max += late;
        for (int i = 0; i < 2; i++)
            if (j->out[i])
                lib->jack_port_set_latency_range(j->out[i], JackCaptureLatency, &r);
        int live = atomic_load(&a->chan_live);
        for (int c = 0; c < live; c++)
            if (j->chan_port[c])
                lib->jack_port_set_latency_range(j->chan_port[c], JackCaptureLatency, &r);
    } else if (j->midi_in) {
        lib->jack_port_get_latency_range(j->out[0], JackPlaybackLatency, &r);
        r.min += late;
        r.max += late;
        lib->jack_port_set_latency_range(j->midi_in, JackPlaybackLatency, &r);
    }
}

/* [ui] The engine's latency changed (the limiter switched, another
 * engine took over): the server works the graph's latencies out again. */
static void jack_out_follow_latency(Audio *a, JackOut *j)
{
    Engine *e = atomic_load(&a->engine);
    uint32_t late = e ? engine_latency(e) : 0;
    if (!j->client || atomic_load(&j->gone) || late == atomic_load(&j->latency))
        return;
    atomic_store(&j->latency, late);
    if (j->active)
        lib->jack_recompute_total_latencies(j->client);
}

/* Opens a client and its ports; fills rate and period. */
static HissError jack_out_connect_client(Audio *a, JackOut *j, HissDiag *why)
{
    jack_status_t status = 0;
    jack_options_t options = a->opts.start_server ? JackNullOption : JackNoStartServer;
    const char *name = a->opts.client_name ? a->opts.client_name : "hiss";
    j->client = lib->jack_client_open(name, options, &status);
    if (!j->client) {
        if (status & JackServerFailed)
            hiss_diag_printf(why, "no JACK server running");
        else
            hiss_diag_printf(why, "cannot open a JACK client (status 0x%x)",
                                (unsigned)status);
        return HISS_ERR_MISSING;
    }
    atomic_store(&j->gone, false);
    j->have_expected = false;
    atomic_store(&a->rate, lib->jack_get_sample_rate(j->client));
    atomic_store(&a->period, lib->jack_get_buffer_size(j->client));

    static const char *const names[2] = {"out_L", "out_R"};
    for (int i = 0; i < 2; i++) {
        j->out[i] = lib->jack_port_register(j->client, names[i], JACK_DEFAULT_AUDIO_TYPE,
                                            JackPortIsOutput, 0);
        if (!j->out[i]) {
            hiss_diag_printf(why, "cannot register port %s", names[i]);
            lib->jack_client_close(j->client);
            j->client = NULL;
            return HISS_ERR_IO;
        }
    }
    /* Without a MIDI port hiss still plays: MIDI input is extra. */
    j->midi_in = lib->jack_port_register(j->client, "midi_in", JACK_DEFAULT_MIDI_TYPE,
                                         JackPortIsInput, 0);
    j->midi_out = lib->jack_port_register(j->client, "midi_out", JACK_DEFAULT_MIDI_TYPE,
                                          JackPortIsOutput, 0);
    /* Nor without the inputs: only recording needs them. */
    static const char *const in_names[2] = {"in_L", "in_R"};
    for (int i = 0; i < 2; i++)
        j->in[i] = lib->jack_port_register(j->client, in_names[i], JACK_DEFAULT_AUDIO_TYPE,
                                           JackPortIsInput, 0);
    j->chan_registered = 0;
    j->active = false;
    atomic_store(&a->chan_live, 0);
    lib->jack_set_process_callback(j->client, jack_out_process, a);
    lib->jack_on_shutdown(j->client, jack_out_shutdown_plain, a);
    lib->jack_on_info_shutdown(j->client, jack_out_shutdown, a);
    lib->jack_set_xrun_callback(j->client, jack_out_xrun, a);
    lib->jack_set_sample_rate_callback(j->client, jack_out_rate_changed, a);
    lib->jack_set_buffer_size_callback(j->client, jack_out_buffer_size, a);
    lib->jack_set_latency_callback(j->client, jack_out_latency, a);
    return HISS_OK;
}

static HissError jack_out_open(Audio *a, HissDiag *why)
{
    HissError missing = jacklib_load(why);
    if (missing)
        return missing;
    lib->jack_set_error_function(jack_out_quiet);
    lib->jack_set_info_function(jack_out_quiet);
    JackOut *j = calloc(1, sizeof *j);
    if (j)
        j->scratch = calloc((size_t)AUDIO_MAX_BLOCK * 2, sizeof(float));
    if (!j || !j->scratch) {
        free(j);
        hiss_diag_printf(why, "out of memory");
        return HISS_ERR_NOMEM;
    }
    a->impl = j;
    HissError err = jack_out_connect_client(a, j, why);
    if (err) {
        free(j->scratch);
        free(j);
        a->impl = NULL;
    }
    return err;
}

/* --connect PORT,PORT[,CH1,...]: the first two go to out_L and out_R (a
 * single port takes both), any more to the per-channel ports in order.
 * Without it, out_L and out_R go to the first two physical playback ports.
 * Only targets first..end-1 are connected (0, 1: out_L, out_R; 2 + c:
 * channel port c), so ports added later are connected alone. */
static void jack_out_connect_ports(Audio *a, JackOut *j, int first, int end)
{
    if (a->opts.no_connect || (!a->opts.connect && first >= 2))
        return;
    enum { MAX_TARGETS = 2 + SONG_MAX_CHANNELS };
    const char *targets[MAX_TARGETS] = {NULL};
    int count = 0;
    char *copy = NULL;
    const char **found = NULL;
    if (a->opts.connect) {
        copy = strdup(a->opts.connect);
        if (!copy)
            return;
        for (char *s = copy; s && count < MAX_TARGETS;) {
            char *comma = strchr(s, ',');
            if (comma)
                *comma = '\0';
            targets[count++] = s;
            s = comma ? comma + 1 : NULL;
        }
    } else {
        found = lib->jack_get_ports(j->client, NULL, JACK_DEFAULT_AUDIO_TYPE,
                                    JackPortIsPhysical | JackPortIsInput);
        for (int i = 0; found && found[i] && i < 2; i++)
            targets[count++] = found[i];
    }
    if (count == 1)
        targets[count++] = targets[0];
    for (int i = first; i < count && i < end; i++) {
        jack_port_t *port = i < 2                          ? j->out[i]
                            : i - 2 < j->chan_registered ? j->chan_port[i - 2]
                                                           : NULL;
        if (!port || !targets[i] || !*targets[i])
            continue;
        if (lib->jack_connect(j->client, lib->jack_port_name(port), targets[i]) != 0)
            fprintf(stderr, "hiss: cannot connect %s to %s\n", lib->jack_port_name(port),
                    targets[i]);
    }
    free(copy);
    if (found)
        lib->jack_free(found);
}

/* [ui] Registers or unregisters per-channel ports until there are `want`.
 * New ports are made and then published (chan_live raised), so the
 * callback only ever sees whole ports; then they are connected. Surplus
 * ports are first unpublished, and unregistered only once the period that
 * may still write them has ended. out_L and out_R are not touched, so the
 * mix plays on without a gap. */
static int jack_out_set_channels(Audio *a, int want)
{
    JackOut *j = a->impl;
    /* A lost server: the reconnect makes the ports for the count then. */
    if (!j || !j->client || atomic_load(&j->gone))
        return 0;
    want = want < 0 ? 0 : want > SONG_MAX_CHANNELS ? SONG_MAX_CHANNELS : want;
    int have = j->chan_registered;
    if (want > have) {
        int c = have;
        for (; c < want; c++) {
            char name[32];
            snprintf(name, sizeof name, "ch%02d", c + 1);
            jack_port_t *port = lib->jack_port_register(j->client, name, JACK_DEFAULT_AUDIO_TYPE,
                                                        JackPortIsOutput, 0);
            if (!port)
                break;
            j->chan_port[c] = port;
        }
        j->chan_registered = c;
        atomic_store(&a->chan_live, c);
        if (j->active)
            jack_out_connect_ports(a, j, 2 + have, 2 + c);
    } else if (want < have) {
        atomic_store(&a->chan_live, want);
        audio_wait_period(a);
        for (int c = have - 1; c >= want; c--) {
            lib->jack_port_unregister(j->client, j->chan_port[c]);
            j->chan_port[c] = NULL;
        }
        j->chan_registered = want;
    }
    return j->chan_registered;
}

static HissError jack_out_activate(Audio *a, JackOut *j)
{
    /* Per-channel ports go in before activation so the first period
     * already has them all. A server that refuses some (its port limit)
     * still gets the whole mix on out_L/out_R; audio_poll says which
     * channels went without. */
    jack_out_set_channels(a, audio_channel_outputs_wanted(a));
    if (a->opts.transport != AUDIO_TRANSPORT_NONE)
        lib->jack_set_sync_callback(j->client, jack_out_sync, a);
    if (a->opts.transport == AUDIO_TRANSPORT_MASTER &&
        lib->jack_set_timebase_callback(j->client, 0, jack_out_timebase, a) != 0)
        fprintf(stderr, "hiss: another client is the JACK timebase master\n");
    if (lib->jack_activate(j->client) != 0)
        return HISS_ERR_IO;
    j->active = true;
    atomic_store(&a->state, AUDIO_STATE_RUNNING);
    /* A server that died since jack_activate has had its shutdown callback
     * store SERVER_GONE already, and the store above just hid it: put it
     * back, or hiss would think it plays and never reconnect. The callback
     * sets gone before the state, so one of the two stores wins right. */
    if (atomic_load(&j->gone))
        atomic_store(&a->state, AUDIO_STATE_SERVER_GONE);
    jack_out_connect_ports(a, j, 0, 2 + j->chan_registered);
    if (a->opts.transport == AUDIO_TRANSPORT_MASTER)
        lib->jack_transport_start(j->client);
    return HISS_OK;
}

static HissError jack_out_start(Audio *a)
{
    JackOut *j = a->impl;
    if (jack_out_activate(a, j) != HISS_OK) {
        /* The server died between opening the client and activating it:
         * that is the same loss as one while playing. hiss starts all the
         * same and waits for a server (audio_poll says SERVER_GONE, and
         * reconnect makes a new client), or falls back. */
        atomic_store(&j->gone, true);
        atomic_store(&a->state, AUDIO_STATE_SERVER_GONE);
    }
    return HISS_OK;
}

static void jack_out_stop(Audio *a)
{
    JackOut *j = a->impl;
    if (!j->client || atomic_load(&j->gone))
        return;
    if (a->opts.transport == AUDIO_TRANSPORT_MASTER) {
        lib->jack_transport_stop(j->client);
        lib->jack_release_timebase(j->client);
    }
    lib->jack_deactivate(j->client);
    j->active = false;
}

static void jack_out_drop_client(Audio *a, JackOut *j)
{
    if (j->client) {
        /* PipeWire's libjack keeps a port's memory past jack_client_close
         * unless the port is given back first; a live server takes it. */
        if (!atomic_load(&j->gone)) {
            if (j->active)
                lib->jack_deactivate(j->client);
            for (int c = j->chan_registered - 1; c >= 0; c--)
                lib->jack_port_unregister(j->client, j->chan_port[c]);
            if (j->midi_in)
                lib->jack_port_unregister(j->client, j->midi_in);
            if (j->midi_out)
                lib->jack_port_unregister(j->client, j->midi_out);
            for (int i = 0; i < 2; i++) {
                if (j->out[i])
                    lib->jack_port_unregister(j->client, j->out[i]);
                if (j->in[i])
                    lib->jack_port_unregister(j->client, j->in[i]);
            }
        }
        lib->jack_client_close(j->client);
    }
    j->midi_in = j->midi_out = NULL;
    j->out[0] = j->out[1] = NULL;
    j->in[0] = j->in[1] = NULL;
    j->client = NULL;
    j->active = false;
    /* The callback is gone with the client: nothing reads the ports. */
    j->chan_registered = 0;
    atomic_store(&a->chan_live, 0);
}

static void jack_out_close(Audio *a)
{
    JackOut *j = a->impl;
    if (!j)
        return;
    jack_out_drop_client(a, j);
    free(j->scratch);
    free(j);
    a->impl = NULL;
}

static HissError jack_out_reconnect(Audio *a, HissDiag *why)
{
    JackOut *j = a->impl;
    if (j->client && !atomic_load(&j->gone))
        return HISS_OK;
    jack_out_drop_client(a, j);
    HissError err = jack_out_connect_client(a, j, why);
    if (err)
        return err;
    err = jack_out_activate(a, j);
    if (err) {
        hiss_diag_printf(why, "cannot activate the JACK client");
        jack_out_drop_client(a, j);
        return err;
    }
    if (atomic_load(&j->gone)) {
        /* Gone again already (a server that keeps failing): no "back" to
         * report; the next try starts from scratch. */
        hiss_diag_printf(why, "the JACK server went away again");
        jack_out_drop_client(a, j);
        return HISS_ERR_IO;
    }
    j->gone_reported = false;
    j->reconnected_unreported = true;
    return HISS_OK;
}

/* Song position (order index, row) for a transport frame, from the song's
 * timing scan (Fxx, jumps and loops included); false when the song has no
 * rows to play there. */
static bool jack_out_position_for_frame(const Audio *a, uint64_t frame, int *order,
                                        int *row)
{
    const TimingScan *scan = atomic_load(&((Audio *)a)->timing);
    if (!scan)
        return false;
    TimingPlace at;
    timing_locate(scan, frame, &at);
    *order = at.order;
    *row = at.row;
    return at.index >= 0;
}

static unsigned jack_out_poll(Audio *a)
{
    JackOut *j = a->impl;
    unsigned events = 0;
    if (atomic_load(&j->gone) && !j->gone_reported) {
        j->gone_reported = true;
        events |= AUDIO_EVENT_SERVER_GONE;
    }
    if (j->reconnected_unreported) {
        j->reconnected_unreported = false;
        events |= AUDIO_EVENT_RECONNECTED;
    }
    jack_out_follow_latency(a, j);
    Engine *e = atomic_load(&a->engine);
    if (atomic_exchange_explicit(&j->relocate_pending, false, memory_order_acquire) &&
        e && a->song) {
        int order, row;
        uint32_t frame = atomic_load(&j->relocate_frame);
        if (jack_out_position_for_frame(a, frame, &order, &row)) {
            EngineCommand cmd = {.type = ENGINE_CMD_PLAY_SONG, .a = order, .b = row,
                                 .c = frame > INT32_MAX ? INT32_MAX : (int)frame};
            if (engine_send(e, &cmd))
                events |= AUDIO_EVENT_TRANSPORT;
            else
                atomic_store(&j->relocate_pending, true); /* ring full: next poll */
        }
    }
    return events;
}

static bool jack_out_captures(Audio *a)
{
    JackOut *j = a->impl;
    return j && j->in[0] && j->in[1];
}

const AudioBackend audio_jack_backend = {
    .name = "jack",
    .open = jack_out_open,
    .start = jack_out_start,
    .stop = jack_out_stop,
    .close = jack_out_close,
    .reconnect = jack_out_reconnect,
    .poll = jack_out_poll,
    .set_channels = jack_out_set_channels,
    .captures = jack_out_captures,
};
