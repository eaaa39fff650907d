/* perform: MIDI bindings at work, the same for the editor and hiss play.
 * A pad bound to tap is timed at the frame its note came on in the audio
 * callback: notes fed at known frames of the periods an engine renders,
 * read by the owner all at once long after, still set the tempo they
 * were tapped at. Bound pads and knobs mute, move a setting (a sweep one
 * undo step) and play, through a session on the null clock. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/synth_song.h"
#include "perform.h"
#include "test.h"

enum { RATE = 48000, PERIOD = 256 };

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}


static MidiLearnBinding bind(const char *line)
{
    char copy[MIDILEARN_LINE_MAX];
    const char *words[6];
    int count = 0;
    snprintf(copy, sizeof copy, "%s", line);
    bool note = !strncmp(copy, "midi_note ", 10);
    for (char *w = strtok(copy + (note ? 10 : 8), " "); w && count < 6; w = strtok(NULL, " "))
        words[count++] = w;
    MidiLearnBinding b = {0};
    HissDiag why = {{0}};
    CHECK_MSG(midilearn_parse(note, words, count, &b, &why) == HISS_OK, "%s", why.text);
    return b;
}

/* A two-channel song playing on the null clock through a session, an
 * editor of it, and a Perform with the bindings `lines` (as a hissrc words
 * them). */
typedef struct {
    Song *song;
    Session *s;
    Editor *ed;
    MidiLearn table;
    Perform p;
} Rig;

static bool rig_start(Rig *rig, const char *const *lines, int count)
{
    memset(rig, 0, sizeof *rig);
    rig->song = synth_song(2, 16, 125, 6);
    SessionOptions o = {.audio = {.backend = "null", .rate = RATE, .period = 128}};
    HissDiag why = {{0}};
    CHECK(session_open(&rig->s, &o, &why) == HISS_OK);
    if (!rig->s) {
        song_free(rig->song);
        return false;
    }
    CHECK(session_start(rig->s, rig->song, &why) == HISS_OK);
    rig->ed = edit_new(rig->song, session_retire, rig->s);
    for (int i = 0; i < count; i++) {
        MidiLearnBinding b = bind(lines[i]);
        CHECK(midilearn_bind(&rig->table, &b) == HISS_OK);
    }
    perform_init(&rig->p, rig->s, rig->ed, &rig->table);
    return true;
}

static void rig_stop(Rig *rig)
{
    session_close(rig->s);
    edit_free(rig->ed);
    song_free(rig->song);
}

/* Four hits of pad 37 (MIDI channel 10) at `bpm`, the first at `first`
 * seconds, as JACK hands them to the audio thread: in PERIOD-frame cycles,
 * each note on its frame within the cycle it fell in, stamped from the
 * cycle's time on JACK's clock (midi_frame_time), an engine rendering
 * every cycle. After each hit the server loses `lost` cycles (xruns): its
 * frame count stops there, its clock does not. The route passes the taps
 * on, in `taps`. */
static int feed_taps(double bpm, double first, int lost, MidiControl *taps)
{
    Song *song = synth_song(1, 16, 125, 6);
    Engine *e = engine_new(song, RATE);
    MidiRoute r;
    CHECK(e && midi_route_init(&r) == HISS_OK);
    midi_route_bind_note(&r, 9, 37, true);
    double period = (double)PERIOD / RATE, due[4];
    for (int k = 0; k < 4; k++)
        due[k] = first + k * 60.0 / bpm;
    float out[2 * PERIOD];
    double cycle = 0.0;
    for (int k = 0; k < 4;) {
        int skip = 0;
        for (; k < 4 && due[k] < cycle + period; k++, skip = lost) {
            MidiNote n;
            CHECK(midi_decode((const uint8_t[]){0x99, 37, 100}, 3, &n));
            double into = due[k] - cycle; /* < 0: it fell in lost cycles */
            n.frame = into > 0.0 ? (uint32_t)(into * RATE) : 0;
            n.at = midi_frame_time((uint64_t)llround(cycle * 1e6), period * 1e6, PERIOD, n.frame);
            midi_route_play(&r, e, &n);
        }
        engine_render(e, out, PERIOD);
        cycle += period * (1 + skip);
    }
    int count = 0;
    while (count < 8 && ring_pop(&r.controls, &taps[count]))
        count++;
    midi_route_deinit(&r);
    engine_free(e);
    song_free(song);
    return count;
}

static void midi_taps_are_timed_at_their_frames(void)
{
    MidiControl taps[8];
    /* 90 BPM: a beat every 2/3 s, the pads off the cycles' starts. */
    int count = feed_taps(90.0, 0.0217, 0, taps);
    CHECK(count == 4);
    CHECK_MSG(count >= 2 && fabs(taps[1].at - taps[0].at - 2.0 / 3.0) < 1.0 / RATE,
              "%.6f s apart", taps[1].at - taps[0].at);
    Rig rig;
    if (!rig_start(&rig, (const char *const[]){"midi_note 10:37 tap"}, 1))
        return;
    /* Read late, all at once, as an owner busy elsewhere would. */
    for (int i = 0; i < count; i++)
        CHECK(perform_control(&rig.p, &taps[i], true));
    CHECK_MSG(atomic_load(&rig.song->bpm_tenths) == 900, "tapped %d tenths",
              atomic_load(&rig.song->bpm_tenths));
    /* The engine plays it. */
    const EngineStatus *st = session_status(rig.s);
    for (int i = 0; i < 100 && atomic_load(&st->bpm_tenths) != 900; i++) {
        session_poll(rig.s);
        sleep_ms(10);
        st = session_status(rig.s);
    }
    CHECK(atomic_load(&st->bpm_tenths) == 900);
    /* 123 BPM with five cycles (27 ms) lost to xruns after every pad:
     * counted in frames the taps would come 3 % fast (127 BPM). */
    count = feed_taps(123.0, 10.0, 5, taps);
    CHECK(count == 4);
    for (int i = 0; i < count; i++)
        perform_control(&rig.p, &taps[i], true);
    CHECK_MSG(atomic_load(&rig.song->bpm_tenths) == 1230, "tapped %d tenths",
              atomic_load(&rig.song->bpm_tenths));
    rig_stop(&rig);
}

/* What perform said, for say_moves. */
static char said[8][160];
static int said_count;
static void collect_said(void *ctx, bool trouble, const char *text)
{
    (void)ctx;
    (void)trouble;
    if (said_count < 8)
        snprintf(said[said_count++], sizeof said[0], "%s", text);
}

/* A pad bound to mute, a knob bound to a channel's fader, a pad bound to
 * play: each does it through the session; the knob's sweep is one undo
 * step; a knob bound to an action runs it once per press. */
static void bindings_act_through_the_session(void)
{
    const char *const lines[] = {"midi_note 10:36 mute 2", "midi_cc 1:74 strip 1 gain",
                                 "midi_note 10:38 play", "midi_cc 1:20 solo 1",
                                 "midi_cc 1:71 instrument 01 cutoff"};
    Rig rig;
    if (!rig_start(&rig, lines, 5))
        return;
    Song *song = rig.song;
    Session *s = rig.s;
    Perform *p = &rig.p;
    synth_set_instrument(song, 1,
                         synth_instrument(synth_kick(48000), LOOP_OFF, 0, 0, INTERP_LINEAR));
    MidiControl pad = {9, 36, 100, true, 0};
    CHECK(perform_control(p, &pad, true));
    CHECK(edit_strip_get(song, 1, EDIT_STRIP_MUTE) == 1);
    CHECK(perform_control(p, &pad, true));
    CHECK(edit_strip_get(song, 1, EDIT_STRIP_MUTE) == 0);
    int gain_before = edit_strip_get(song, 0, EDIT_STRIP_GAIN);
    for (int v = 0; v <= 127; v += 16)
        CHECK(perform_control(p, &(MidiControl){0, 74, (uint8_t)v, false, 0}, true));
    CHECK(edit_strip_get(song, 0, EDIT_STRIP_GAIN) != gain_before);
    CHECK(edit_undo(rig.ed) == HISS_OK);
    CHECK_MSG(edit_strip_get(song, 0, EDIT_STRIP_GAIN) == gain_before,
              "one undo left the fader at %d (was %d)", edit_strip_get(song, 0, EDIT_STRIP_GAIN),
              gain_before);
    /* A move that ends the gesture (the one that bound the knob) is a
     * step of its own: the sweep after it undoes back to it. */
    CHECK(perform_control(p, &(MidiControl){0, 74, 30, false, 0}, true));
    int bound_at = edit_strip_get(song, 0, EDIT_STRIP_GAIN);
    perform_sweep_ends(p);
    for (int v = 40; v <= 100; v += 20)
        CHECK(perform_control(p, &(MidiControl){0, 74, (uint8_t)v, false, 0}, true));
    CHECK(edit_undo(rig.ed) == HISS_OK);
    CHECK(edit_strip_get(song, 0, EDIT_STRIP_GAIN) == bound_at);
    CHECK(edit_undo(rig.ed) == HISS_OK);
    CHECK(edit_strip_get(song, 0, EDIT_STRIP_GAIN) == gain_before);
    /* With say_moves (hiss play), a knob's new value is said, a line
     * at most every quarter second however fast it turns. */
    p->say = collect_said;
    p->say_moves = true;
    said_count = 0;
    for (int v = 127; v >= 0; v -= 16)
        CHECK(perform_control(p, &(MidiControl){0, 74, (uint8_t)v, false, 0}, true));
    CHECK_MSG(said_count == 1, "%d lines for a quick sweep", said_count);
    CHECK_MSG(said_count && strstr(said[0], "strip 1 gain ") && strstr(said[0], " dB"),
              "said \"%s\"", said_count ? said[0] : "");
    sleep_ms(300);
    CHECK(perform_control(p, &(MidiControl){0, 74, 64, false, 0}, true));
    CHECK_MSG(said_count == 2, "%d lines after a pause", said_count);
    /* A cutoff knob on an instrument whose filter is off says the
     * cutoff is unheard; with a filter it says only the value. */
    sleep_ms(300);
    CHECK(perform_control(p, &(MidiControl){0, 71, 90, false, 0}, true));
    CHECK_MSG(said_count == 3 && strstr(said[2], "cutoff") &&
                  strstr(said[2], "(unused: filter off)"),
              "said \"%s\"", said_count == 3 ? said[2] : "");
    CHECK(edit_instrument_set_shape(rig.ed, 1, SHAPE_FILTER, SHAPE_FILTER_LP12) == HISS_OK);
    sleep_ms(300);
    CHECK(perform_control(p, &(MidiControl){0, 71, 100, false, 0}, true));
    CHECK_MSG(said_count == 4 && strstr(said[3], "cutoff") && !strstr(said[3], "unused"),
              "said \"%s\"", said_count == 4 ? said[3] : "");
    p->say = NULL;
    /* A button: on as it rises past 64, not again while held. */
    CHECK(perform_control(p, &(MidiControl){0, 20, 127, false, 0}, true));
    CHECK(perform_control(p, &(MidiControl){0, 20, 127, false, 0}, true));
    CHECK(edit_strip_get(song, 0, EDIT_STRIP_SOLO) == 1);
    /* An unbound note is not taken. */
    CHECK(!perform_control(p, &(MidiControl){9, 40, 100, true, 0}, true));
    /* The play pad starts the song through the session. */
    CHECK(perform_control(p, &(MidiControl){9, 38, 100, true, 0}, true));
    bool playing = false;
    for (int i = 0; i < 200 && !playing; i++) {
        session_poll(s);
        playing = session_playing(s);
        sleep_ms(10);
    }
    CHECK(playing);
    rig_stop(&rig);
}

int main(void)
{
    RUN(midi_taps_are_timed_at_their_frames);
    RUN(bindings_act_through_the_session);
    return test_finish();
}
