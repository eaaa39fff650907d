/* MIDI input decoding: raw messages (as JACK MIDI gives them) and ALSA
 * sequencer events, injected, since the machines here have no
 * /dev/snd/seq. */
#include <alsa/asoundlib.h>
#include <stdlib.h>

#include "common/clockfeed.h"
#include "common/synth_song.h"
#include "live.h"
#include "midi.h"
#include "song.h"
#include "test.h"

static void raw_messages(void)
{
    MidiNote n;
    CHECK(midi_decode((const uint8_t[]){0x93, 60, 100}, 3, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.channel == 3 && n.note == NOTE_C4 &&
          n.velocity == 100);
    CHECK(midi_decode((const uint8_t[]){0x90, 72, 0}, 3, &n)); /* off */
    CHECK(n.kind == MIDI_NOTE_OFF && n.note == NOTE_C4 + 12);
    CHECK(midi_decode((const uint8_t[]){0x8F, 61, 40}, 3, &n));
    CHECK(n.kind == MIDI_NOTE_OFF && n.channel == 15 && n.note == NOTE_C4 + 1);
    CHECK(!midi_decode((const uint8_t[]){0xB0, 7, 100}, 3, &n)); /* a controller */
    CHECK(!midi_decode((const uint8_t[]){0x90, 60}, 2, &n));    /* cut short */
    CHECK(!midi_decode((const uint8_t[]){0x90, 0x90, 1}, 3, &n));
    CHECK(!midi_decode((const uint8_t[]){0x90, 11, 1}, 3, &n)); /* below C-0 */
    CHECK(midi_decode((const uint8_t[]){0x90, 12, 1}, 3, &n) && n.note == NOTE_FIRST);
}

static void control_changes(void)
{
    MidiControl c;
    CHECK(midi_decode_control((const uint8_t[]){0xB2, 74, 100}, 3, &c));
    CHECK(c.channel == 2 && c.cc == 74 && c.value == 100);
    CHECK(!midi_decode_control((const uint8_t[]){0x92, 74, 100}, 3, &c)); /* a note */
    CHECK(!midi_decode_control((const uint8_t[]){0xB2, 74}, 2, &c));
    CHECK(!midi_decode_control((const uint8_t[]){0xB2, 0x80, 1}, 3, &c));
}

/* Clock in without a server: hiss starts on the first pulse after start,
 * takes the tempo and holds the phase within a millisecond over a minute
 * of a tempo between two tenths; with a switch off it does not. */
static void external_clock_is_followed(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    ClockFeed f = {.bpm = 97.34, .seconds = 60, .clock = true, .transport = true};
    Engine *e = clockfeed_follow(s, &f);
    CHECK(atomic_load(&engine_status(e)->playing));
    int bpm = atomic_load(&engine_status(e)->bpm_tenths);
    CHECK_MSG(abs(bpm - 973) <= 1, "%d", bpm);
    CHECK_MSG(llabs(f.worst) <= 48, "worst phase %lld frames", (long long)f.worst);
    engine_free(e);
    /* The tempo alone: no start. */
    f = (ClockFeed){.bpm = 97.34, .seconds = 3, .clock = true};
    e = clockfeed_follow(s, &f);
    CHECK(!atomic_load(&engine_status(e)->playing));
    engine_free(e);
    /* Start alone: the song's own tempo. */
    f = (ClockFeed){.bpm = 97.34, .seconds = 3, .transport = true};
    e = clockfeed_follow(s, &f);
    CHECK(atomic_load(&engine_status(e)->playing));
    CHECK(atomic_load(&engine_status(e)->bpm_tenths) == 1250);
    engine_free(e);
    song_free(s);
}

/* A clock that pauses for two seconds (100 pulses at 125 BPM) is
 * measured afresh when it comes back: ten pulses later the tempo is its
 * own, not one slowed by the gap. */
static void a_paused_clock_is_measured_afresh(void)
{
    Song *s = synth_song(1, 64, 90, 6);
    double pulse = 60.0 / (125 * 24);
    ClockFeed f = {.bpm = 125, .seconds = (1000 + 48000 * pulse * 210.5) / 48000, .clock = true,
                .silent_from = 100, .silent_pulses = 100};
    Engine *e = clockfeed_follow(s, &f);
    int bpm = atomic_load(&engine_status(e)->bpm_tenths);
    CHECK_MSG(abs(bpm - 1250) <= 2, "tempo %d.%d", bpm / 10, bpm % 10);
    engine_free(e);
    song_free(s);
}

/* Continue after a song position: 18 sixteenths at 4 rows a beat is row
 * 18 (of order 0, whose pattern has 64 rows). */
static void continue_plays_from_the_song_position(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    static const uint8_t position_then_continue[] = {0xF2, 18, 0};
    ClockFeed f = {.bpm = 125, .seconds = 0.05, .clock = true, .transport = true,
                .before = position_then_continue, .before_size = 3};
    Engine *e = clockfeed_follow(s, &f);
    CHECK(atomic_load(&engine_status(e)->playing));
    CHECK_MSG(atomic_load(&engine_status(e)->row) == 18, "row %d",
              atomic_load(&engine_status(e)->row));
    engine_free(e);
    song_free(s);
}

/* A song position while the clock runs hiss is a jump on the master:
 * sixteenth 32 (row 32) sent before pulse 240 (row 40) moves hiss to
 * row 32 on that pulse. One for the row hiss is at anyway (the master's
 * 64-row song starting over, before pulse 384, as hiss's own does) leaves
 * it playing, and either way its pulses stay in phase with the master's
 * and its rows in step with them. */
static void a_song_position_while_running_moves_hiss(void)
{
    Song *s = synth_song(1, 64, 125, 6);
    double pulse = 60.0 / (125 * 24);
    static const uint8_t row_32[] = {0xF2, 32, 0}, start_over[] = {0xF2, 0, 0};
    ClockFeed f = {.bpm = 125, .seconds = (1000 + 48000 * pulse * 243) / 48000, .clock = true,
                .transport = true, .during = row_32, .during_size = 3, .during_pulse = 240};
    Engine *e = clockfeed_follow(s, &f);
    CHECK_MSG(atomic_load(&engine_status(e)->row) == 32, "row %d",
              atomic_load(&engine_status(e)->row));
    engine_free(e);
    /* 20 s: 1000 pulses; pulse 999 is row 166, 38 of the second pass...
     * of the third: 999 / 6 = 166 rows, 166 - 128 = 38. */
    f = (ClockFeed){.bpm = 125, .seconds = (1000 + 48000 * pulse * 999.5) / 48000,
                 .clock = true, .transport = true, .during = start_over, .during_size = 3,
                 .during_pulse = 384};
    e = clockfeed_follow(s, &f);
    CHECK_MSG(atomic_load(&engine_status(e)->row) == 38, "row %d",
              atomic_load(&engine_status(e)->row));
    CHECK_MSG(llabs(f.worst) <= 48, "worst phase %lld frames", (long long)f.worst);
    engine_free(e);
    song_free(s);
}

/* The pitch of a steady tone through the delay moves only as the delay's
 * time does (a time shrinking by r frames a frame raises it by 1/(1-r)):
 * the largest departure, in cents, of one cycle's length (from rising
 * zero crossings, interpolated) from the mean over `frames` frames of the
 * left side from `from`. *step: the largest change between two frames. */
static double largest_warble(const float *x, uint32_t from, uint32_t frames, double *step)
{
    double crossings[4096];
    int n = 0;
    *step = 0;
    for (uint32_t i = from; i + 1 < from + frames; i++) {
        float a = x[2 * i], b = x[2 * (i + 1)];
        *step = fmax(*step, fabs((double)b - a));
        if (a < 0.0f && b >= 0.0f && n < 4096)
            crossings[n++] = i + (double)a / ((double)a - b);
    }
    if (n < 3)
        return 1e9;
    double mean = (crossings[n - 1] - crossings[0]) / (n - 1), worst = 0;
    for (int k = 0; k + 1 < n; k++)
        worst = fmax(worst, fabs(1200.0 * log2(mean / (crossings[k + 1] - crossings[k]))));
    return worst;
}

/* Following a clock whose pulses come up to a millisecond early or late,
 * a tempo-synced delay (an eighth) fed a steady 1 kHz tone must not
 * warble: the echo's time moves smoothly, so every cycle of the echo
 * keeps the tone's length to a cent and no frame jumps by more than the
 * tone itself does. The song's own rows follow the clock's phase. */
static void a_synced_delay_does_not_warble_with_a_jittery_clock(void)
{
    enum { SECONDS = 12 };
    Song *s = synth_song(1, 256, 120, 6);
    uint32_t cycle = CLOCKFEED_RATE / 1000;
    synth_set_instrument(s, 1, synth_instrument(synth_sine(CLOCKFEED_RATE, 1000.0, 64 * cycle, 1,
                                                           0.5f),
                                                LOOP_FORWARD, 0, 64 * cycle, INTERP_LINEAR));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, 64, 0, 0);
    atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_DELAY], 0);
    atomic_store(&s->delay[SONG_DELAY_TIME], song_note_value_code(8, SONG_NOTE_STRAIGHT));
    atomic_store(&s->delay[SONG_DELAY_FEEDBACK], 0);
    atomic_store(&s->delay[SONG_DELAY_LOW_CUT], 0);
    atomic_store(&s->delay[SONG_DELAY_HIGH_CUT], 0);
    float *delay = calloc(2 * (size_t)SECONDS * CLOCKFEED_RATE, sizeof(float));
    ClockFeed f = {.bpm = 121.37, .seconds = SECONDS, .clock = true, .transport = true,
                .jitter = CLOCKFEED_RATE / 1000, .delay = delay};
    Engine *e = clockfeed_follow(s, &f);
    engine_free(e);
    /* After the first seconds (the tempo found, the echo's time moved
     * from the song's tempo to the clock's). */
    uint32_t from = 6 * CLOCKFEED_RATE, frames = (SECONDS - 6) * CLOCKFEED_RATE;
    double step, cents = largest_warble(delay, from, frames, &step);
    /* A 1 kHz sine of 0.5 moves at most 0.5 x 2 pi x 1000 / 48000 a frame. */
    double most = 0.5 * 2.0 * M_PI * 1000.0 / CLOCKFEED_RATE;
    CHECK_MSG(cents <= 1.0, "a cycle of the echo %.2f cents off", cents);
    CHECK_MSG(step <= most * 1.01, "a step of %.4f (a sine's largest %.4f)", step, most);
    CHECK_MSG(llabs(f.worst) <= 48, "worst phase %lld frames", (long long)f.worst);
    printf("     synced delay following a 121.37 BPM clock with 1 ms jitter: largest "
           "warble %.3f cents, phase within %lld frames\n", cents, (long long)f.worst);
    free(delay);
    song_free(s);
}

/* The largest minus the smallest of v[from..count). */
static int spread(const int *v, int from, int count)
{
    int lo = v[from], hi = v[from];
    for (int i = from; i < count; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    return hi - lo;
}

/* Following a clock a millisecond off each pulse, the tempo the editor
 * shows (bpm_shown_tenths) is the smoothed one synced effects hear: it
 * holds the clock's tempo to a tenth once found, where the per-pulse
 * tempo the rows play at wavers with the jitter and the phase lock. */
static void the_tempo_shown_while_following_is_smoothed(void)
{
    enum { SECONDS = 12, PERIODS = SECONDS * CLOCKFEED_RATE / CLOCKFEED_PERIOD };
    Song *s = synth_song(1, 64, 125, 6);
    int *shown = calloc(PERIODS, sizeof *shown), *tempo = calloc(PERIODS, sizeof *tempo);
    ClockFeed f = {.bpm = 120.0, .seconds = SECONDS, .clock = true, .transport = true,
                   .jitter = CLOCKFEED_RATE / 1000, .shown = shown, .tempo = tempo,
                   .tempo_cap = PERIODS};
    engine_free(clockfeed_follow(s, &f));
    int from = 4 * CLOCKFEED_RATE / CLOCKFEED_PERIOD; /* found by then */
    CHECK(f.tempo_count == PERIODS);
    int shown_spread = spread(shown, from, f.tempo_count);
    int tempo_spread = spread(tempo, from, f.tempo_count);
    int off = 0;
    for (int i = from; i < f.tempo_count; i++)
        off = abs(shown[i] - 1200) > off ? abs(shown[i] - 1200) : off;
    CHECK_MSG(off <= 1, "the tempo shown strays %d tenths from 120.0", off);
    CHECK_MSG(shown_spread <= 1, "the tempo shown moves over %d tenths", shown_spread);
    /* The clock is jittery enough to matter: the per-pulse tempo moves. */
    CHECK_MSG(tempo_spread >= 3, "the per-pulse tempo moves over %d tenths", tempo_spread);
    printf("     a 120 BPM clock with 1 ms jitter: tempo shown within %d tenths "
           "(per pulse: %d)\n", shown_spread, tempo_spread);
    /* Not following, it is the song's tempo. */
    f = (ClockFeed){.bpm = 97.0, .seconds = 1, .transport = true, .shown = shown,
                    .tempo = tempo, .tempo_cap = PERIODS};
    engine_free(clockfeed_follow(s, &f));
    CHECK(f.tempo_count > 0 && shown[f.tempo_count - 1] == 1250);
    free(shown);
    free(tempo);
    song_free(s);
}

static void velocity_to_volume(void)
{
    CHECK(midi_velocity_volume(127) == 64);
    CHECK(midi_velocity_volume(1) == 1);
    CHECK(midi_velocity_volume(64) == 32);
    CHECK(midi_velocity_volume(100) == 50);
    CHECK(midi_velocity_volume(0) == 0);
}

/* A sequencer event as a client sends it: a note's or a controller's. */
static snd_seq_event_t seq_event(int type, int channel, int number, int value)
{
    snd_seq_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (snd_seq_event_type_t)type;
    if (type == SND_SEQ_EVENT_CONTROLLER) {
        ev.data.control.channel = (unsigned char)channel;
        ev.data.control.param = (unsigned)number;
        ev.data.control.value = value;
    } else {
        ev.data.note.channel = (unsigned char)channel;
        ev.data.note.note = (unsigned char)number;
        ev.data.note.velocity = (unsigned char)value;
    }
    return ev;
}

static void sequencer_events(void)
{
    snd_seq_event_t ev = seq_event(SND_SEQ_EVENT_NOTEON, 9, 36, 127);
    MidiNote n;
    CHECK(midi_decode_seq_event(&ev, &n));
    CHECK(n.kind == MIDI_NOTE_ON && n.channel == 9 && n.note == NOTE_C4 - 24 &&
          n.velocity == 127);
    ev.data.note.velocity = 0;
    CHECK(midi_decode_seq_event(&ev, &n) && n.kind == MIDI_NOTE_OFF);
    ev.type = SND_SEQ_EVENT_NOTEOFF;
    ev.data.note.velocity = 64;
    CHECK(midi_decode_seq_event(&ev, &n) && n.kind == MIDI_NOTE_OFF);
    MidiControl c;
    CHECK(!midi_decode_seq_control(&ev, &c));
    /* A controller is MIDI learn's, not a note. */
    ev = seq_event(SND_SEQ_EVENT_CONTROLLER, 2, 71, 100);
    CHECK(!midi_decode_seq_event(&ev, &n));
    CHECK(midi_decode_seq_control(&ev, &c) && c.channel == 2 && c.cc == 71 && c.value == 100 &&
          !c.note);
    ev = seq_event(SND_SEQ_EVENT_CONTROLLER, 2, 71, 128);
    CHECK(!midi_decode_seq_control(&ev, &c));
    ev = seq_event(SND_SEQ_EVENT_CONTROLLER, 2, 128, 0);
    CHECK(!midi_decode_seq_control(&ev, &c));
    /* Clock and transport, as the raw messages JACK MIDI brings. */
    uint8_t bytes[3];
    size_t size;
    CHECK(!midi_decode_seq_system(&ev, bytes, &size)); /* a controller */
    const int types[] = {SND_SEQ_EVENT_CLOCK, SND_SEQ_EVENT_START, SND_SEQ_EVENT_CONTINUE,
                         SND_SEQ_EVENT_STOP};
    const uint8_t status[] = {0xF8, 0xFA, 0xFB, 0xFC};
    for (int i = 0; i < 4; i++) {
        memset(&ev, 0, sizeof ev);
        ev.type = (snd_seq_event_type_t)types[i];
        CHECK(midi_decode_seq_system(&ev, bytes, &size) && size == 1 && bytes[0] == status[i]);
        CHECK(!midi_decode_seq_event(&ev, &n));
    }
    ev.type = SND_SEQ_EVENT_SONGPOS;
    ev.data.control.value = 300; /* 2 x 128 + 44 */
    CHECK(midi_decode_seq_system(&ev, bytes, &size) && size == 3 && bytes[0] == 0xF2 &&
          bytes[1] == 44 && bytes[2] == 2);
    ev.data.control.value = 0x4000;
    CHECK(!midi_decode_seq_system(&ev, bytes, &size));
}

/* A clock on the ALSA sequencer, as its client's thread takes it: events
 * injected at the times a 100 BPM master sends them (no /dev/snd/seq
 * here), drained by the audio thread in the period after they came. Start plays the
 * song on the next pulse, the tempo is found to a tenth, stop stops, and
 * a song position with continue plays from there. */
static void sequencer_clock_is_followed(void)
{
    enum { PERIOD = 256, RATE = 48000 };
    Song *s = synth_song(1, 64, 125, 6);
    Engine *e = engine_new(s, RATE);
    MidiRoute r;
    CHECK(e && midi_route_init(&r) == HISS_OK);
    atomic_store(&r.follow_clock, true);
    atomic_store(&r.follow_transport, true);
    /* The master, in seconds: start at 0.5 s, a pulse every 25 ms from
     * 0.51 s (100 BPM), stop at 6.0 s, song position 16 (a bar) and
     * continue at 6.5 s, pulses again from 6.51 s. */
    double pulse = 60.0 / (100.0 * 24), next_pulse = 0.51, epoch = 1000.0;
    bool started = false, stopped = false, continued = false;
    bool playing_before_stop = false;
    int tempo_before_stop = 0;
    float out[2 * PERIOD];
    for (uint64_t at = 0; at < 8 * RATE; at += PERIOD) {
        double end = (double)at / RATE; /* came during the last period */
        snd_seq_event_t ev;
        memset(&ev, 0, sizeof ev);
        if (!started && end > 0.5) {
            ev.type = SND_SEQ_EVENT_START;
            midi_seq_take(&r, &ev, epoch + 0.5);
            started = true;
        }
        if (!stopped && end > 6.0) {
            playing_before_stop = atomic_load(&engine_status(e)->playing);
            tempo_before_stop = atomic_load(&engine_status(e)->bpm_tenths);
            ev.type = SND_SEQ_EVENT_STOP;
            midi_seq_take(&r, &ev, epoch + 6.0);
            stopped = true;
            next_pulse = 6.51;
        }
        if (!continued && end > 6.5) {
            ev.type = SND_SEQ_EVENT_SONGPOS;
            ev.data.control.value = 16;
            midi_seq_take(&r, &ev, epoch + 6.5);
            ev.type = SND_SEQ_EVENT_CONTINUE;
            midi_seq_take(&r, &ev, epoch + 6.5);
            continued = true;
        }
        while (next_pulse < end && (next_pulse < 6.0 || stopped)) {
            ev.type = SND_SEQ_EVENT_CLOCK;
            midi_seq_take(&r, &ev, epoch + next_pulse);
            next_pulse += pulse;
        }
        midi_route_drain(&r, e, RATE, PERIOD, epoch + end);
        engine_render(e, out, PERIOD);
        if (stopped && !continued)
            CHECK(!atomic_load(&engine_status(e)->playing));
    }
    CHECK(playing_before_stop);
    CHECK_MSG(abs(tempo_before_stop - 1000) <= 1, "followed at %d tenths", tempo_before_stop);
    /* Continued from sixteenth 16: row 16 (a row a sixteenth) plus the
     * 1.5 s since, 10 rows at 100 BPM (less the wait for the first pulse). */
    CHECK(atomic_load(&engine_status(e)->playing));
    int row = atomic_load(&engine_status(e)->row);
    CHECK_MSG(row >= 24 && row <= 26, "playing row %d", row);
    midi_route_deinit(&r);
    engine_free(e);
    song_free(s);
}

static void channel_maps(void)
{
    MidiMap m;
    HissDiag why = {{0}};
    CHECK(midi_map_parse("10:02:4,1:1f", &m, &why) == HISS_OK);
    CHECK(m.set[9] && m.instrument[9] == 2 && m.channel[9] == 3);
    CHECK(m.set[0] && m.instrument[0] == 0x1F && m.channel[0] == -1);
    CHECK(!m.set[1] && !m.set[15]);
    CHECK(midi_map_parse("", &m, &why) == HISS_OK && !m.set[0]);
    static const char *const bad[] = {"17:01", "0:01", "1:00", "1", "1:01:65", "1:01:0",
                                      "1:01,,2:02", "x:01", "1:01:2:3", "1:zz"};
    for (size_t i = 0; i < HISS_ARRAY_LEN(bad); i++) {
        why.text[0] = 0;
        CHECK_MSG(midi_map_parse(bad[i], &m, &why) == HISS_ERR_PARSE, "'%s' taken", bad[i]);
        CHECK_MSG(strstr(why.text, "MIDI:INSTRUMENT[:CHANNEL]") != NULL, "'%s': %s", bad[i],
                  why.text);
    }
    CHECK_STR(why.text, "MIDI map entry '1:zz' is not MIDI:INSTRUMENT[:CHANNEL] (MIDI "
                        "1..16, instrument 01..FF, channel 1..64)");
}

/* Notes a sequencer thread queues (decoded from its events) play on the
 * engine when the audio thread drains the route: heard in that period,
 * recorded with their velocity, on the channel the map gives. */
static void queued_notes_play_and_record(void)
{
    uint32_t rate = 48000;
    Song *s = synth_song(4, 16, 125, 6);
    for (int i = 1; i <= 3; i++)
        synth_set_instrument(s, i, synth_instrument(synth_dc(rate, rate, 0.5f), LOOP_OFF,
                                                    0, 0, INTERP_LINEAR));
    Engine *e = engine_new(s, rate);
    engine_play_song_now(e, 0, 0, true);
    MidiRoute r;
    CHECK(midi_route_init(&r) == HISS_OK);
    atomic_store(&r.channel, 1);
    atomic_store(&r.instrument, 3);
    atomic_store(&r.record_flags, engine_live_flags(0, 0, LIVE_QUANTIZE_ROW, true, false));
    MidiMap map;
    HissDiag why;
    CHECK(midi_map_parse("10:02:4", &map, &why) == HISS_OK);
    midi_route_apply(&r, &map);
    float out[2 * 256];
    engine_render(e, out, 256);
    CHECK(synth_peak(out, 0, 256, 0) < 1e-6f);
    snd_seq_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_SEQ_EVENT_NOTEON;
    ev.data.note.note = 60;
    ev.data.note.velocity = 64;
    MidiNote n;
    CHECK(midi_decode_seq_event(&ev, &n) && ring_push(&r.in, &n));
    ev.data.note.channel = 9;
    ev.data.note.velocity = 127;
    CHECK(midi_decode_seq_event(&ev, &n) && ring_push(&r.in, &n));
    midi_route_drain(&r, e, 48000, 256, 0.0);
    engine_render(e, out, 256);
    CHECK(synth_peak(out, 0, 256, 0) > 0.3f); /* heard in this period */
    EngineTake t[2];
    CHECK(engine_take_recorded(e, &t[0]) && engine_take_recorded(e, &t[1]));
    CHECK(t[0].channel == 1 && t[0].cell.instrument == 3 && t[0].cell.volume == 32);
    CHECK(t[1].channel == 3 && t[1].cell.instrument == 2 && t[1].cell.volume == 64);
    CHECK(ring_pop(&r.seen, &n) && ring_pop(&r.seen, &n) && n.channel == 9);
    engine_free(e);
    song_free(s);
    midi_route_deinit(&r);
}

/* The peak of the period after `msg` (a raw MIDI message) went to the
 * route, on a fresh engine: whether the note was heard. */
static float heard(MidiRoute *r, Song *s, const uint8_t msg[3])
{
    Engine *e = engine_new(s, 48000);
    float out[2 * 256];
    MidiNote n;
    CHECK(e && midi_decode(msg, 3, &n));
    if (!e)
        return -1;
    midi_route_play(r, e, &n);
    engine_render(e, out, 256);
    engine_free(e);
    return synth_peak(out, 0, 256, 0);
}

/* MIDI learn's notes: a note-on bound to an action (or any while learn
 * waits for one) goes to the owner and is not heard; the same note on
 * another MIDI channel, or once unbound, plays. */
static void bound_notes_are_taken_not_played(void)
{
    Song *s = synth_song(2, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(48000, 48000, 0.5f), LOOP_OFF, 0,
                                                0, INTERP_LINEAR));
    MidiRoute r;
    CHECK(midi_route_init(&r) == HISS_OK);
    atomic_store(&r.instrument, 1);
    const uint8_t pad_on[] = {0x99, 36, 100}, pad_off[] = {0x89, 36, 0};
    const uint8_t key_on[] = {0x90, 36, 100};
    MidiNote n;
    MidiControl c;
    midi_route_bind_note(&r, 9, 36, true);
    float peak = heard(&r, s, pad_on);
    CHECK_MSG(peak == 0.0f, "a bound pad sounded: peak %f", peak);
    CHECK(heard(&r, s, pad_off) == 0.0f);
    CHECK(ring_pop(&r.controls, &c) && c.note && c.channel == 9 && c.cc == 36 &&
          c.value == 100);
    CHECK(!ring_pop(&r.controls, &c)); /* its release is not an action */
    CHECK(!ring_pop(&r.seen, &n));
    /* The same note from MIDI channel 1 is not bound: it plays. */
    CHECK(heard(&r, s, key_on) > 0.3f);
    CHECK(!ring_pop(&r.controls, &c));
    /* While learning every note-on is taken; unbound again, the pad plays. */
    atomic_store(&r.capture_notes, true);
    CHECK(heard(&r, s, key_on) == 0.0f);
    CHECK(ring_pop(&r.controls, &c) && c.note && c.channel == 0 && c.cc == 36);
    atomic_store(&r.capture_notes, false);
    midi_route_bind_note(&r, 9, 36, false);
    CHECK(heard(&r, s, pad_on) > 0.3f);
    CHECK(!ring_pop(&r.controls, &c));
    song_free(s);
    midi_route_deinit(&r);
}

/* This machine has no /dev/snd/seq: opening the client says so plainly;
 * on one that has it, the client opens with an address. */
static void the_sequencer_client_says_when_there_is_none(void)
{
    MidiRoute r;
    CHECK(midi_route_init(&r) == HISS_OK);
    MidiSeq *seq = NULL;
    HissDiag why = {{0}};
    HissError err = midi_seq_open(&seq, &r, "hiss-test", &why);
    if (!midi_seq_exists()) {
        CHECK(err == HISS_ERR_UNSUPPORTED && !seq);
        CHECK_STR(why.text, "no ALSA sequencer on this machine (/dev/snd/seq is missing)");
    } else {
        CHECK(err == HISS_OK && seq && strchr(midi_seq_address(seq), ':'));
    }
    midi_seq_close(seq);
    midi_route_deinit(&r);
}

int main(void)
{
    RUN(raw_messages);
    RUN(control_changes);
    RUN(external_clock_is_followed);
    RUN(continue_plays_from_the_song_position);
    RUN(a_song_position_while_running_moves_hiss);
    RUN(a_paused_clock_is_measured_afresh);
    RUN(a_synced_delay_does_not_warble_with_a_jittery_clock);
    RUN(the_tempo_shown_while_following_is_smoothed);
    RUN(velocity_to_volume);
    RUN(channel_maps);
    RUN(queued_notes_play_and_record);
    RUN(bound_notes_are_taken_not_played);
    RUN(the_sequencer_client_says_when_there_is_none);
    RUN(sequencer_events);
    RUN(sequencer_clock_is_followed);
    return test_finish();
}
