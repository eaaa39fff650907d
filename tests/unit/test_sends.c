/* The send buses: the delay (send A) and the reverb (send B), measured on
 * rendered audio: an echo's frame and level, feedback, ping-pong, pre- and
 * post-fader sends, the reverb's RT60 and pre-delay, stems that still sum
 * to the mix, block-size invariance, and the song file's lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "songfile.h"
#include "test.h"

#define RATE 48000u

/* Renders frames from order 0 with every stem (channels and sends). */
typedef struct {
    float *mix;
    float *stems[ENGINE_STEMS];
    uint32_t frames;
} Take;

/* The same with channel 1's fader moved before each block: to
 * faders[b % count] (tenths of a dB) before block b (none: count 0). */
static Take take_faded(Song *s, uint32_t frames, uint32_t block, const int *faders, int count)
{
    Take t = {.frames = frames};
    t.mix = calloc(2 * (size_t)frames, sizeof(float));
    for (int c = 0; c < ENGINE_STEMS; c++)
        t.stems[c] = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0, b = 0; done < frames; b++) {
        uint32_t n = frames - done < block ? frames - done : block;
        if (count)
            atomic_store(&s->strips[0].gain_tenth_db, faders[b % (uint32_t)count]);
        float *at[ENGINE_STEMS];
        for (int c = 0; c < ENGINE_STEMS; c++)
            at[c] = t.stems[c] + 2 * (size_t)done;
        engine_render_stems(e, t.mix + 2 * (size_t)done, NULL, 0, at, ENGINE_STEMS, n);
        done += n;
    }
    engine_free(e);
    return t;
}

static Take take(Song *s, uint32_t frames, uint32_t block)
{
    return take_faded(s, frames, block, NULL, 0);
}

static void take_free(Take *t)
{
    free(t->mix);
    for (int c = 0; c < ENGINE_STEMS; c++)
        free(t->stems[c]);
}

/* One channel with a click (a 32-frame step of 0.5) on row 0, sent to
 * the delay at 0 dB, the delay with no filters and the given feedback. */
static Song *click_song(int bpm, int delay_time, int feedback)
{
    Song *s = synth_song(2, 64, bpm, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 32, 0.5f), LOOP_OFF, 0, 0,
                                                INTERP_RAW));
    synth_put(s, 0, 0, 0, 49, 1, 64, 0, 0);
    atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_DELAY], 0);
    atomic_store(&s->delay[SONG_DELAY_TIME], delay_time);
    atomic_store(&s->delay[SONG_DELAY_FEEDBACK], feedback);
    atomic_store(&s->delay[SONG_DELAY_LOW_CUT], 0);
    atomic_store(&s->delay[SONG_DELAY_HIGH_CUT], 0);
    return s;
}

/* The peak |sample| of one side over [from, from + count). */
static double side_peak(const float *x, uint32_t from, uint32_t count, int side)
{
    double p = 0;
    for (uint32_t f = from; f < from + count; f++)
        p = fmax(p, fabs(x[2 * f + side]));
    return p;
}

/* The peak |sample| of x[0..n). */
static double peak_of(const float *x, size_t n)
{
    double p = 0;
    for (size_t i = 0; i < n; i++)
        p = fmax(p, fabs(x[i]));
    return p;
}

/* The echo of a dotted eighth comes back exactly three rows (at four
 * rows per beat) after the click, a sixteenth triplet four ticks after
 * it, each as loud as the click at a 0 dB send. */
static void echo_lands_on_the_tempo_frame(void)
{
    static const struct {
        int bpm, division, feel;
        uint64_t frames; /* the tempo's frames for the note value */
    } CASES[] = {
        {120, 8, SONG_NOTE_DOTTED, 18000}, /* 3 rows of 6 ticks of 1000 frames */
        {120, 16, SONG_NOTE_TRIPLET, 4000}, /* 2/3 of a row: 4 ticks */
        {97, 4, SONG_NOTE_STRAIGHT, 29691}, /* 24 ticks of 1237.11 frames, rounded */
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(CASES); i++) {
        Song *s = click_song(CASES[i].bpm, song_note_value_code(CASES[i].division, CASES[i].feel),
                             0);
        Take t = take(s, RATE, 256);
        const float *dry = t.stems[0], *echo = t.stems[ENGINE_STEM_DELAY];
        uint32_t onset = synth_first_above(dry, 0, t.frames, 0.01f);
        uint32_t back = synth_first_above(echo, 0, t.frames, 0.01f);
        CHECK_MSG(back != UINT32_MAX && back - onset == CASES[i].frames,
                  "%d BPM 1/%d%s: echo %u frames after the click, not %llu", CASES[i].bpm,
                  CASES[i].division, CASES[i].feel == 1 ? "d" : CASES[i].feel == 2 ? "t" : "",
                  back - onset, (unsigned long long)CASES[i].frames);
        /* The echo is the click itself, frame for frame, with nothing
         * before it; in the mix too. */
        uint32_t d = (uint32_t)CASES[i].frames;
        double worst = side_peak(echo, 0, d, 0) + side_peak(echo, 0, d, 1);
        for (uint32_t f = 0; f + d < t.frames; f++)
            for (int c = 0; c < 2; c++)
                worst = fmax(worst, fabs(echo[2 * (f + d) + c] - dry[2 * f + c]));
        CHECK_MSG(worst < 1e-6, "the echo differs from the click by %g", worst);
        double dry_level = side_peak(dry, onset, 32, 0);
        double echo_level = side_peak(t.mix, back, 32, 0);
        CHECK_NEAR(20 * log10(echo_level / dry_level), 0.0, 0.01);
        take_free(&t);
        song_free(s);
    }
}

/* Feedback: each echo is the last one times the feedback, one delay time
 * later; ping-pong puts them on alternate sides. */
static void feedback_and_ping_pong(void)
{
    Song *s = click_song(120, song_note_value_code(16, SONG_NOTE_STRAIGHT), 50);
    const uint32_t d = 6000; /* a sixteenth: a row of 6 ticks */
    Take t = take(s, RATE, 512);
    const float *echo = t.stems[ENGINE_STEM_DELAY];
    uint32_t onset = synth_first_above(t.stems[0], 0, t.frames, 0.01f);
    double e1 = side_peak(echo, onset + d, 32, 0), e2 = side_peak(echo, onset + 2 * d, 32, 0),
           e3 = side_peak(echo, onset + 3 * d, 32, 0);
    CHECK_NEAR(e1, side_peak(t.stems[0], onset, 32, 0), 1e-6);
    CHECK_NEAR(e2 / e1, 0.5, 1e-4);
    CHECK_NEAR(e3 / e2, 0.5, 1e-4);
    take_free(&t);

    atomic_store(&s->delay[SONG_DELAY_PING_PONG], 1);
    t = take(s, RATE, 512);
    echo = t.stems[ENGINE_STEM_DELAY];
    /* The first echo on the left only, the second on the right only. */
    CHECK(side_peak(echo, onset + d, 32, 0) > 0.2);
    CHECK(side_peak(echo, onset + d, 32, 1) == 0.0);
    CHECK(side_peak(echo, onset + 2 * d, 32, 1) > 0.1);
    CHECK(side_peak(echo, onset + 2 * d, 32, 0) == 0.0);
    take_free(&t);
    song_free(s);
}

/* A post-fader send follows the fader; a pre-fader one does not. */
static void pre_and_post_fader(void)
{
    Song *s = click_song(120, song_note_value_code(16, SONG_NOTE_STRAIGHT), 0);
    atomic_store(&s->strips[0].gain_tenth_db, -200);
    for (int pre = 0; pre < 2; pre++) {
        atomic_store(&s->strips[0].send_pre[SONG_SEND_DELAY], pre);
        Take t = take(s, RATE / 4, 256);
        uint32_t onset = synth_first_above(t.stems[0], 0, t.frames, 0.001f);
        double dry = side_peak(t.stems[0], onset, 32, 0);
        double echo = side_peak(t.stems[ENGINE_STEM_DELAY], onset + 6000, 32, 0);
        /* Post-fader, the echo is as loud as the dry click 20 dB down;
         * pre-fader, it is the click before the fader. */
        CHECK_NEAR(20 * log10(echo / dry), pre ? 20.0 : 0.0, 0.05);
        take_free(&t);
    }
    song_free(s);
}

/* A fader at its bottom (off) silences the channel, not its pre-fader
 * sends: the echo comes at its frame as loud as the click at 0 dB, and
 * the reverb still sounds; post-fader, both are silent. */
static void pre_fader_send_with_the_fader_off(void)
{
    Song *s = click_song(120, song_note_value_code(16, SONG_NOTE_STRAIGHT), 0);
    const uint32_t d = 6000; /* a sixteenth: a row of 6 ticks */
    atomic_store(&s->strips[0].gain_tenth_db, 0);
    Take open = take(s, RATE / 2, 256);
    uint32_t onset = synth_first_above(open.stems[0], 0, open.frames, 0.001f);
    double click = side_peak(open.stems[0], onset, 32, 0);
    take_free(&open);
    atomic_store(&s->strips[0].gain_tenth_db, SONG_GAIN_MIN);
    atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_REVERB], 0);
    for (int pre = 1; pre >= 0; pre--) {
        atomic_store(&s->strips[0].send_pre[SONG_SEND_DELAY], pre);
        atomic_store(&s->strips[0].send_pre[SONG_SEND_REVERB], pre);
        Take t = take(s, RATE / 2, 256);
        const float *echo = t.stems[ENGINE_STEM_DELAY];
        CHECK_MSG(peak_of(t.stems[0], 2 * (size_t)t.frames) == 0.0,
                  "the channel sounds with its fader off");
        double reverb = peak_of(t.stems[ENGINE_STEM_REVERB], 2 * (size_t)t.frames);
        if (pre) {
            uint32_t back = synth_first_above(echo, 0, t.frames, 0.001f);
            CHECK_MSG(back == onset + d, "the echo comes %u frames after the click, not %u",
                      back - onset, d);
            CHECK_NEAR(20 * log10(side_peak(echo, onset + d, 32, 0) / click), 0.0, 0.01);
            CHECK_MSG(reverb > 0.01, "the reverb peaks at %g", reverb);
        } else {
            CHECK_MSG(peak_of(echo, 2 * (size_t)t.frames) == 0.0 && reverb == 0.0,
                      "a post-fader send sounds with the fader off");
        }
        take_free(&t);
    }
    song_free(s);
}

/* A held tone (DC) with channel 1's fader gliding between -60 dB (off)
 * and +6 dB every block: `pre` sends it to the delay, whose echo (one
 * sixteenth later, no feedback, no filters) is the send's input. */
static Take faded_tone(bool pre, const int *faders, int count)
{
    Song *s = synth_song(2, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, 4096, 0.5f), LOOP_FORWARD, 0,
                                                4096, INTERP_RAW));
    synth_put(s, 0, 0, 0, 49, 1, 64, 0, 0);
    atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_DELAY], 0);
    atomic_store(&s->strips[0].send_pre[SONG_SEND_DELAY], pre);
    atomic_store(&s->delay[SONG_DELAY_TIME], song_note_value_code(16, SONG_NOTE_STRAIGHT));
    atomic_store(&s->delay[SONG_DELAY_FEEDBACK], 0);
    atomic_store(&s->delay[SONG_DELAY_LOW_CUT], 0);
    atomic_store(&s->delay[SONG_DELAY_HIGH_CUT], 0);
    Take t = take_faded(s, RATE / 2, 256, faders, count);
    song_free(s);
    return t;
}

/* While the fader glides, a pre-fader send holds its level: the echo of
 * the held tone stays flat to within float rounding. A post-fader send
 * follows the fader frame for frame, glides too: its echo is the
 * channel's stem one delay later. */
static void fader_glides_leave_pre_fader_sends_alone(void)
{
    static const int faders[] = {0, -200, SONG_GAIN_MIN, 60, -35, SONG_GAIN_MIN, -120};
    const int count = (int)HISS_ARRAY_LEN(faders);
    const uint32_t d = 6000, settled = d + 4096; /* past the note's declick ramp */
    Take still = faded_tone(true, faders, 1);
    Take t = faded_tone(true, faders, count);
    double level = side_peak(still.stems[ENGINE_STEM_DELAY], settled, 256, 0), ripple = 0;
    CHECK_MSG(level > 0.1, "the echo of the tone peaks at %g", level);
    for (uint32_t f = settled; f < t.frames; f++)
        for (int c = 0; c < 2; c++)
            ripple = fmax(ripple, fabs(t.stems[ENGINE_STEM_DELAY][2 * f + c] - level));
    double ripple_db = ripple > 0 ? 20 * log10(ripple / level) : -INFINITY;
    printf("  pre-fader send's ripple while the fader glides: %.1f dB\n", ripple_db);
    CHECK_MSG(ripple_db < -120, "the pre-fader send ripples at %.1f dB", ripple_db);
    /* ...while the channel itself did move. */
    CHECK(side_peak(t.stems[0], settled, t.frames - settled, 0) > 1.5 * level);
    take_free(&still);
    take_free(&t);

    t = faded_tone(false, faders, count);
    double worst = 0, loudest = 0;
    for (uint32_t f = 0; f + d < t.frames; f++)
        for (int c = 0; c < 2; c++) {
            worst = fmax(worst, fabs(t.stems[ENGINE_STEM_DELAY][2 * (f + d) + c] -
                                     t.stems[0][2 * f + c]));
            loudest = fmax(loudest, fabs(t.stems[0][2 * f + c]));
        }
    CHECK_MSG(worst < 1e-6 * loudest, "the post-fader echo differs from the channel by %g",
              worst);
    take_free(&t);
}

/* Schroeder's backward integration of the reverb's energy; the time from
 * -5 to -25 dB, times three, is its RT60. */
static double measured_rt60(const float *x, uint32_t frames)
{
    double *edc = malloc(sizeof(double) * frames), sum = 0;
    for (uint32_t f = frames; f-- > 0;) {
        sum += (double)x[2 * f] * x[2 * f] + (double)x[2 * f + 1] * x[2 * f + 1];
        edc[f] = sum;
    }
    uint32_t t5 = 0, t25 = 0;
    for (uint32_t f = 0; f < frames; f++) {
        double db = 10 * log10(edc[f] / edc[0]);
        if (!t5 && db <= -5)
            t5 = f;
        if (!t25 && db <= -25) {
            t25 = f;
            break;
        }
    }
    free(edc);
    return t25 > t5 ? 3.0 * (t25 - t5) / RATE : 0.0;
}

/* RT60 within 15% of the setting, for a small and a large room, short
 * and long; the pre-delay holds the first reflection back. */
static void reverb_decays_as_set(void)
{
    static const struct {
        int size, decay_tenths;
    } CASES[] = {{30, 8}, {60, 18}, {100, 40}};
    for (size_t i = 0; i < HISS_ARRAY_LEN(CASES); i++) {
        Song *s = click_song(120, song_note_value_code(16, SONG_NOTE_STRAIGHT), 0);
        atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_DELAY], SONG_GAIN_MIN);
        atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_REVERB], 0);
        atomic_store(&s->reverb[SONG_REVERB_SIZE], CASES[i].size);
        atomic_store(&s->reverb[SONG_REVERB_DECAY], CASES[i].decay_tenths);
        atomic_store(&s->reverb[SONG_REVERB_DAMPING], 0);
        atomic_store(&s->reverb[SONG_REVERB_PREDELAY], 40);
        double set = CASES[i].decay_tenths / 10.0;
        uint32_t frames = (uint32_t)(set * 1.2 * RATE);
        Take t = take(s, frames, 1024);
        const float *wet = t.stems[ENGINE_STEM_REVERB];
        uint32_t onset = synth_first_above(t.stems[0], 0, frames, 0.01f);
        uint32_t first = synth_first_above(wet, 0, frames, 1e-6f);
        CHECK_MSG(first != UINT32_MAX && first >= onset + 40 * RATE / 1000,
                  "the first reflection %u frames after the click, before the "
                  "40 ms pre-delay",
                  first - onset);
        double rt60 = measured_rt60(wet + 2 * (size_t)onset, frames - onset);
        CHECK_MSG(fabs(rt60 / set - 1.0) <= 0.15, "size %d: RT60 %.3f s, set %.1f s",
                  CASES[i].size, rt60, set);
        printf("  size %d decay %.1f s: RT60 %.3f s (%+.1f%%)\n", CASES[i].size, set, rt60,
               100.0 * (rt60 / set - 1.0));
        take_free(&t);
        song_free(s);
    }
}

/* The beat with every channel sent to both buses and the delay into the
 * reverb: channel and send stems still sum to the mix (limiter off). */
static Song *sent_beat(void)
{
    Song *s = synth_beat(RATE);
    atomic_store(&s->limiter, false);
    int n = atomic_load(&s->channels);
    for (int c = 0; c < n; c++) {
        atomic_store(&s->strips[c].gain_tenth_db, -120);
        atomic_store(&s->strips[c].send_tenth_db[0], -60 - 10 * c);
        atomic_store(&s->strips[c].send_tenth_db[1], -90 - 5 * c);
        atomic_store(&s->strips[c].send_pre[c % 2], true);
    }
    atomic_store(&s->delay[SONG_DELAY_TO_REVERB], -60);
    atomic_store(&s->delay[SONG_DELAY_WOBBLE], 40);
    return s;
}

static void sends_and_channels_sum_to_the_mix(void)
{
    Song *s = sent_beat();
    const uint32_t frames = 3 * RATE;
    Take t = take(s, frames, 256);
    double worst = 0, peak = peak_of(t.mix, 2 * (size_t)frames);
    double returns = peak_of(t.stems[ENGINE_STEM_DELAY], 2 * (size_t)frames) *
                     peak_of(t.stems[ENGINE_STEM_REVERB], 2 * (size_t)frames);
    CHECK_MSG(returns > 0, "both returns sound");
    for (size_t i = 0; i < 2 * (size_t)frames; i++) {
        double sum = 0;
        for (int c = 0; c < ENGINE_STEMS; c++)
            sum += t.stems[c][i];
        worst = fmax(worst, fabs(sum - t.mix[i]));
    }
    double db = 20 * log10(worst / peak);
    CHECK_MSG(db <= -60, "stems differ from the mix by %.1f dB", db);
    take_free(&t);
    song_free(s);
}

/* Wobble, ping-pong, both sends and delay into reverb: blocks of 1, 64
 * and 1000 frames render the same samples. */
static void sends_are_block_size_invariant(void)
{
    Song *s = sent_beat();
    atomic_store(&s->delay[SONG_DELAY_PING_PONG], 1);
    const uint32_t frames = RATE;
    Take ref = take(s, frames, 1);
    for (uint32_t block = 64; block <= 1000; block += 936) {
        Take t = take(s, frames, block);
        CHECK_MSG(!memcmp(ref.mix, t.mix, sizeof(float) * 2 * frames),
                  "blocks of %u differ from blocks of 1", block);
        take_free(&t);
    }
    take_free(&ref);
    song_free(s);
}

/* The song file keeps sends and both buses, byte for byte; bad values
 * are named. */
/* A second of the click song, the send turned up (if `later`) only after
 * engine_new and a silent first period, the lines offered (if `offer`)
 * as the session does; then played. The delay's stem goes to *echo. */
static float *late_send_take(bool later, bool offer, float **echo)
{
    Song *s = click_song(120, song_note_value_code(16, SONG_NOTE_STRAIGHT), 50);
    if (later)
        atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_DELAY], SONG_GAIN_MIN);
    Engine *e = engine_new(s, RATE);
    float *mix = calloc(2 * (size_t)RATE, sizeof(float));
    *echo = calloc(2 * (size_t)RATE, sizeof(float));
    float *stems[ENGINE_STEMS] = {NULL};
    engine_render(e, mix, 200);
    atomic_store(&s->strips[0].send_tenth_db[SONG_SEND_DELAY], 0);
    if (offer)
        engine_ready_sends(e, s);
    engine_render(e, mix, 200);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < RATE; done += 200) {
        stems[ENGINE_STEM_DELAY] = *echo + 2 * (size_t)done;
        engine_render_stems(e, mix + 2 * (size_t)done, NULL, 0, stems, ENGINE_STEMS, 200);
    }
    engine_free(e);
    song_free(s);
    return mix;
}

/* A song without sends gets no delay or reverb memory (most of an
 * engine's); a send turned up later sounds once the lines are offered,
 * exactly as if the send had been up from the start. */
static void a_send_turned_up_later_gets_its_lines(void)
{
    float *echo_from_start, *echo_later, *echo_unoffered;
    float *from_start = late_send_take(false, false, &echo_from_start);
    float *later = late_send_take(true, true, &echo_later);
    float *unoffered = late_send_take(true, false, &echo_unoffered);
    CHECK_MSG(side_peak(echo_from_start, 0, RATE, 0) > 0.1, "the echo: %g",
              side_peak(echo_from_start, 0, RATE, 0));
    CHECK(!memcmp(from_start, later, sizeof(float) * 2 * RATE));
    CHECK(!memcmp(echo_from_start, echo_later, sizeof(float) * 2 * RATE));
    /* Never offered: the send stays silent, and the dry sound is all. */
    CHECK(side_peak(echo_unoffered, 0, RATE, 0) == 0.0);
    CHECK(memcmp(from_start, unoffered, sizeof(float) * 2 * RATE));
    free(from_start);
    free(later);
    free(unoffered);
    free(echo_from_start);
    free(echo_later);
    free(echo_unoffered);
}

static void song_file_keeps_the_sends(void)
{
    const char *text = "hiss 1\ntitle \"sends\"\nbpm 120\nspeed 6\nrows_per_beat 4\n"
                       "swing 0\nmaster_gain 0.0\nlimiter on\nchannels 2\n"
                       "channel 01 gain -15.0 pan 0 mute off solo off send_a -6.5 "
                       "send_a_pre on send_b -12.0 send_b_pre off\n"
                       "delay time 1/16t feedback 60 low_cut 0 high_cut 4000 ping_pong on "
                       "wobble 20 to_reverb -3.0\n"
                       "reverb size 80 decay 2.5 predelay 30 damping 10 width 50\n";
    Song *s = NULL;
    HissDiag diag = {{0}};
    HissError err = songfile_parse(text, strlen(text), "sends.hiss", &s, &diag);
    CHECK_MSG(err == HISS_OK, "%s", diag.text);
    if (err)
        return;
    CHECK(atomic_load(&s->strips[0].send_tenth_db[0]) == -65);
    CHECK(atomic_load(&s->strips[0].send_pre[0]));
    CHECK(atomic_load(&s->delay[SONG_DELAY_TIME]) ==
          song_note_value_code(16, SONG_NOTE_TRIPLET));
    CHECK(atomic_load(&s->reverb[SONG_REVERB_DECAY]) == 25);
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(s, &out, &len) == HISS_OK);
    Song *again = NULL;
    CHECK(songfile_parse(out, len, "again.hiss", &again, &diag) == HISS_OK);
    char *out2 = NULL;
    size_t len2 = 0;
    CHECK(again && songfile_format(again, &out2, &len2) == HISS_OK);
    CHECK(out2 && len == len2 && !memcmp(out, out2, len));
    CHECK(out && strstr(out, "send_a -6.5 send_a_pre on send_b -12.0 send_b_pre off\n"));
    CHECK(out && strstr(out, "delay time 1/16t feedback 60"));
    CHECK(out && strstr(out, "reverb size 80 decay 2.5 predelay 30 damping 10 width 50\n"));
    free(out);
    free(out2);
    song_free(again);
    song_free(s);

    /* A song without sends writes no delay or reverb line. */
    s = song_new();
    CHECK(songfile_format(s, &out, &len) == HISS_OK);
    CHECK(out && !strstr(out, "delay") && !strstr(out, "reverb") && !strstr(out, "send_"));
    free(out);
    song_free(s);

    static const struct {
        const char *line, *message;
    } BAD[] = {
        {"delay time 1/12\n", "bad time '1/12'"},
        {"delay feedback 99\n", "feedback 99 is out of range"},
        {"reverb decay 0.0\n", "decay 0.0 is out of range"},
        {"reverb size 50 size 60\n", "duplicate field 'size'"},
        {"reverb room 3\n", "unknown field 'room' in reverb"},
        {"channel 01 send_a loud\n", "bad number 'loud' for send_a"},
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(BAD); i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "hiss 1\n%s", BAD[i].line);
        s = NULL;
        memset(&diag, 0, sizeof diag);
        err = songfile_parse(buf, strlen(buf), "bad.hiss", &s, &diag);
        CHECK_MSG(err != HISS_OK && strstr(diag.text, BAD[i].message), "%s -> %s",
                  BAD[i].line, diag.text);
        song_free(s);
    }
}

int main(void)
{
    RUN(echo_lands_on_the_tempo_frame);
    RUN(feedback_and_ping_pong);
    RUN(pre_and_post_fader);
    RUN(pre_fader_send_with_the_fader_off);
    RUN(fader_glides_leave_pre_fader_sends_alone);
    RUN(reverb_decays_as_set);
    RUN(sends_and_channels_sum_to_the_mix);
    RUN(sends_are_block_size_invariant);
    RUN(a_send_turned_up_later_gets_its_lines);
    RUN(song_file_keeps_the_sends);
    return test_finish();
}
