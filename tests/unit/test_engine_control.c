/* The engine's command and return channels: transport, mute/solo,
 * previews, retiring and installing objects while playing, per-channel
 * outputs and the master section. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "strip.h"
#include "sampleio.h"
#include "test.h"

#define E VOLUME_EMPTY
#define RATE 48000u
#define TICK 960u
#define ROW (6 * TICK)

static void send(Engine *e, EngineCommandType type, int a, int b, int c, void *ptr)
{
    EngineCommand cmd = {type, a, b, c, ptr};
    CHECK(engine_send(e, &cmd));
}

static Song *dc_song(int channels, float value)
{
    Song *s = synth_song(channels, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_dc(RATE, RATE * 10, value), LOOP_OFF, 0, 0, INTERP_LINEAR));
    return s;
}

static void mute_and_solo(void)
{
    Song *s = dc_song(2, 0.5f);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '8', 0x00);
    synth_put(s, 0, 0, 1, NOTE_C4, 1, E, '8', 0xFF);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * 1024];
    engine_render(e, buf, 1024);
    CHECK_NEAR(buf[2 * 1000], 0.5, 1e-6);
    CHECK_NEAR(buf[2 * 1000 + 1], 0.5, 1e-6);
    /* The song's flags (what the pattern's keys and the mixer set). */
    atomic_store(&s->strips[0].mute, true);
    engine_render(e, buf, 1024);
    CHECK(buf[0] > 0.0f); /* fades, no click */
    CHECK(buf[2 * 1000] == 0.0f);
    CHECK_NEAR(buf[2 * 1000 + 1], 0.5, 1e-6);
    atomic_store(&s->strips[0].mute, false);
    atomic_store(&s->strips[0].solo, true);
    engine_render(e, buf, 1024);
    CHECK_NEAR(buf[2 * 1000], 0.5, 1e-6);
    CHECK(buf[2 * 1000 + 1] == 0.0f);
    atomic_store(&s->strips[0].solo, false);
    send(e, ENGINE_CMD_HOLD_MUTE, 99, 1, 0, NULL); /* ignored */
    engine_render(e, buf, 1024);
    CHECK_NEAR(buf[2 * 1000], 0.5, 1e-6);
    CHECK_NEAR(buf[2 * 1000 + 1], 0.5, 1e-6);
    engine_free(e);
    song_free(s);
}

/* A mute asked for at the bar is told as pending while the channel is
 * still heard, and no longer once the bar silences it. */
static void a_mute_at_the_bar_is_pending_until_heard(void)
{
    enum { BLOCK = 960 };
    Song *s = dc_song(2, 0.5f);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '8', 0x00);
    Engine *e = engine_new(s, RATE);
    const EngineStatus *st = engine_status(e);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * BLOCK];
    engine_render(e, buf, BLOCK);
    atomic_store(&s->strips[0].mute, true);
    send(e, ENGINE_CMD_HOLD_MUTE, 0, 0, 0, NULL);
    engine_render(e, buf, BLOCK);
    CHECK(atomic_load(&st->mute_pending) == 1);
    CHECK(atomic_load(&st->solo_pending) == 0);
    CHECK_NEAR(buf[2 * (BLOCK - 1)], 0.5, 1e-6); /* still heard */
    /* To the pattern's end (a bar): pending all the way. */
    uint32_t played = 2 * BLOCK, pending_blocks = 0, blocks = 0;
    for (; played + BLOCK <= 16 * ROW; played += BLOCK, blocks++) {
        engine_render(e, buf, BLOCK);
        pending_blocks += atomic_load(&st->mute_pending) == 1;
    }
    CHECK(pending_blocks == blocks);
    for (int i = 0; i < 2; i++)
        engine_render(e, buf, BLOCK);
    CHECK(atomic_load(&st->mute_pending) == 0);
    CHECK(buf[2 * (BLOCK - 1)] == 0.0f); /* the bar silenced it */
    engine_free(e);
    song_free(s);
}

/* The song's strips: fader, balance, saved mute and solo, taken live. */
static void channel_strips_follow_the_song(void)
{
    Song *s = dc_song(2, 0.5f);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, '8', 0x00); /* hard left */
    synth_put(s, 0, 0, 1, NOTE_C4, 1, E, '8', 0xFF); /* hard right */
    atomic_store(&s->strips[0].gain_tenth_db, -60);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * 1024];
    engine_render(e, buf, 1024);
    CHECK_NEAR(buf[2 * 1000], 0.5 * pow(10, -6.0 / 20), 1e-6);
    CHECK_NEAR(buf[2 * 1000 + 1], 0.5, 1e-6);
    atomic_store(&s->strips[1].gain_tenth_db, 60);
    engine_render(e, buf, 1024);
    CHECK(buf[2 * 10 + 1] > 0.5f && buf[2 * 10 + 1] < 0.99f); /* glides */
    CHECK_NEAR(buf[2 * 1000 + 1], 0.5 * pow(10, 6.0 / 20), 1e-5);
    atomic_store(&s->strips[1].pan, -50); /* towards the left: right halves */
    engine_render(e, buf, 1024);
    CHECK_NEAR(buf[2 * 1000 + 1], 0.25 * pow(10, 6.0 / 20), 1e-5);
    CHECK_NEAR(buf[2 * 1000], 0.5 * pow(10, -6.0 / 20), 1e-6);
    atomic_store(&s->strips[0].mute, true);
    engine_render(e, buf, 1024);
    CHECK(buf[2 * 1000] == 0.0f && buf[2 * 1000 + 1] > 0.45f);
    atomic_store(&s->strips[0].mute, false);
    atomic_store(&s->strips[0].solo, true);
    engine_render(e, buf, 1024);
    CHECK(buf[2 * 1000] > 0.2f && buf[2 * 1000 + 1] == 0.0f);
    atomic_store(&s->strips[0].solo, false);
    atomic_store(&s->strips[0].gain_tenth_db, SONG_GAIN_MIN); /* the bottom is off */
    engine_render(e, buf, 1024);
    CHECK(buf[2 * 1000] == 0.0f && buf[2 * 1000 + 1] > 0.45f);
    engine_free(e);
    song_free(s);
}

static void clip_counter_and_limiter(void)
{
    Song *s = dc_song(3, 0.5f); /* 1.5 on both sides */
    for (int c = 0; c < 3; c++)
        synth_put(s, 0, 0, c, NOTE_C4, 1, E, 0, 0);
    float buf[2 * 1000];
    for (int lim = 0; lim < 2; lim++) {
        atomic_store(&s->limiter, lim == 1);
        Engine *e = engine_new(s, RATE);
        engine_play_song_now(e, 0, 0, true);
        engine_render(e, buf, 1000);
        const EngineStatus *st = engine_status(e);
        uint32_t clips = atomic_load(&st->clip_count);
        /* The ramp passes 1.0 at frame 42 of 64: the rest clip. With the
         * limiter on, the count runs its lookahead ahead of the output. */
        uint32_t late = engine_latency(e);
        CHECK(lim ? late > 0 : late == 0);
        CHECK_MSG(clips == 2 * (1000 + late - 42), "limiter %d: %u clips", lim, clips);
        /* The limiter's own report: the frames it turned down and how
         * deep: 1.5 down to its ceiling (-1.0 dBTP) less its 0.2 dB
         * margin. */
        uint64_t limited = atomic_load(&st->limit_frames);
        uint32_t depth = atomic_load(&st->limit_max_centi_db);
        double held = pow(10, -1.2 / 20);
        if (lim) {
            CHECK_MSG(limited > 1000 - 42 && limited <= 1000 + late, "%llu frames limited",
                      (unsigned long long)limited);
            CHECK_MSG(abs((int)depth - (int)lrint(2000 * log10(1.5 / held))) <= 1,
                      "%u centi-dB", depth);
        } else {
            CHECK(limited == 0 && depth == 0);
        }
        if (lim) {
            CHECK_NEAR(buf[2 * 500], held, 1e-4);
            /* It turns down before the peak, never up. */
            CHECK(buf[2 * 10] > 0.0f && buf[2 * 10] < 3 * 0.5 * 11 / 64.0);
        } else {
            CHECK(buf[2 * 500] == 1.0f);
        }
        CHECK(atomic_exchange(&((EngineStatus *)st)->peak_left_milli, 0) == 1500);
        engine_render(e, buf, 100);
        CHECK(atomic_load(&st->peak_left_milli) == 1500);
        engine_free(e);
    }
    /* master gain -6.0 dB brings 1.5 to 0.75: no clipping */
    atomic_store(&s->master_gain_tenth_db, -60);
    atomic_store(&s->limiter, false);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    engine_render(e, buf, 1000);
    CHECK(atomic_load(&engine_status(e)->clip_count) == 0);
    CHECK_NEAR(buf[2 * 500], 1.5 * pow(10, -6.0 / 20), 1e-5);
    engine_free(e);
    song_free(s);
}

static void master_gain_changes_glide(void)
{
    Song *s = dc_song(1, 0.5f);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * 1000];
    engine_render(e, buf, 1000);
    CHECK_NEAR(buf[2 * 999], 0.5, 1e-6);
    atomic_store(&s->master_gain_tenth_db, -60);
    engine_render(e, buf, 1000);
    float want = 0.5f * powf(10.0f, -6.0f / 20.0f);
    CHECK(buf[0] < 0.5f && buf[0] > 0.49f);
    bool falling = true;
    for (int i = 1; i < 64; i++)
        falling = falling && buf[2 * i] < buf[2 * (i - 1)];
    CHECK(falling);
    CHECK_NEAR(buf[2 * 63], want, 1e-6);
    CHECK_NEAR(buf[2 * 999], want, 1e-6);
    engine_free(e);
    song_free(s);
}

static void preview_notes_play_while_stopped(void)
{
    Song *s = synth_song(1, 16, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 480.0, RATE, 1, 0.5f), LOOP_FORWARD, 0, 0, INTERP_LINEAR));
    Engine *e = engine_new(s, RATE);
    float *buf = calloc(2 * RATE, sizeof(float));
    engine_render(e, buf, 1000);
    CHECK(synth_peak(buf, 0, 1000, 0) == 0.0f);
    send(e, ENGINE_CMD_PREVIEW_NOTE, 1, NOTE_C4 + 12, 64, NULL);
    engine_render(e, buf, RATE / 2);
    CHECK(!atomic_load(&engine_status(e)->playing));
    CHECK(fabs(synth_frequency(buf, 1000, RATE / 2 - 1000, 0, RATE) - 960.0) < 0.2);
    CHECK(atomic_load(&engine_status(e)->voices) == 1);
    /* eight previews at once, each its own voice */
    for (int k = 0; k < ENGINE_PREVIEW_VOICES; k++)
        send(e, ENGINE_CMD_PREVIEW_NOTE, 1, NOTE_C4 + k, 30, NULL);
    engine_render(e, buf, 1000);
    CHECK(atomic_load(&engine_status(e)->voices) == ENGINE_PREVIEW_VOICES);
    /* a song playing does not take preview voices away */
    Song *tmp = s;
    synth_put(tmp, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    send(e, ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL);
    engine_render(e, buf, 1000);
    CHECK(atomic_load(&engine_status(e)->voices) == ENGINE_PREVIEW_VOICES + 1);
    send(e, ENGINE_CMD_PREVIEW_NOTE, 0, NOTE_OFF, 0, NULL);
    engine_render(e, buf, 1000);
    CHECK(atomic_load(&engine_status(e)->voices) == 1);
    send(e, ENGINE_CMD_STOP, 0, 0, 0, NULL);
    engine_render(e, buf, 1000);
    CHECK(atomic_load(&engine_status(e)->voices) == 0);
    CHECK(synth_peak(buf, 100, 900, 0) == 0.0f);
    free(buf);
    engine_free(e);
    song_free(s);
}

/* A preview at full volume is a note at full velocity: an instrument
 * whose cutoff falls 4 octaves at volume 0 (filter_vel 48) sounds as
 * bright as with no velocity amount, though the audition plays at a new
 * channel's fader level. */
static void preview_at_full_volume_is_full_velocity(void)
{
    double level[2];
    for (int k = 0; k < 2; k++) {
        Song *s = synth_song(1, 16, 125, 6);
        Instrument *inst = synth_instrument(synth_sine(RATE, 1000.0, RATE, 1, 0.5f),
                                            LOOP_FORWARD, 0, 0, INTERP_LINEAR);
        inst->shape[SHAPE_FILTER] = SHAPE_FILTER_LP12;
        inst->shape[SHAPE_CUTOFF] = 4000;
        inst->shape[SHAPE_FILTER_VEL] = k ? 48 : 0;
        synth_set_instrument(s, 1, inst);
        Engine *e = engine_new(s, RATE);
        float *buf = calloc(2 * RATE / 4, sizeof(float));
        send(e, ENGINE_CMD_PREVIEW_NOTE, 1, NOTE_C4, 64, NULL);
        engine_render(e, buf, RATE / 4);
        level[k] = synth_peak(buf, RATE / 8, RATE / 8, 0);
        free(buf);
        engine_free(e);
        song_free(s);
    }
    CHECK_MSG(level[0] > 0.01 && fabs(level[1] / level[0] - 1.0) < 1e-3,
              "filter_vel 48: peak %g, without %g", level[1], level[0]);
}

static void preview_sample_is_returned_when_done(void)
{
    Song *s = synth_song(1, 16, 125, 6);
    Engine *e = engine_new(s, RATE);
    float buf[2 * 512];
    Instrument *a = synth_instrument(synth_dc(RATE, 2000, 0.25f), LOOP_OFF, 0, 0, INTERP_SINC);
    send(e, ENGINE_CMD_PREVIEW_SAMPLE, 0, 0, 0, a);
    engine_render(e, buf, 512);
    /* An audition plays at a new channel's fader level, not full scale. */
    CHECK_NEAR(buf[2 * 300], 0.25 * strip_default_gain(), 1e-4);
    EngineReturn r;
    CHECK(!engine_take_return(e, &r)); /* still sounding */
    for (int i = 0; i < 8; i++)
        engine_render(e, buf, 512);
    CHECK(engine_take_return(e, &r) && r.ptr == a && r.type == ENGINE_RETURN_INSTRUMENT);
    song_instrument_free(a);
    /* a looping one is returned when the next preview replaces it */
    Instrument *b = synth_instrument(synth_dc(RATE, 2000, 0.25f), LOOP_FORWARD, 0, 0, INTERP_RAW);
    Instrument *c = synth_instrument(synth_dc(RATE, 2000, 0.25f), LOOP_FORWARD, 0, 0, INTERP_RAW);
    send(e, ENGINE_CMD_PREVIEW_SAMPLE, 0, 0, 0, b);
    for (int i = 0; i < 20; i++)
        engine_render(e, buf, 512);
    CHECK(!engine_take_return(e, &r));
    send(e, ENGINE_CMD_PREVIEW_SAMPLE, 0, 0, 0, c);
    engine_render(e, buf, 512);
    CHECK(engine_take_return(e, &r) && r.ptr == b);
    song_instrument_free(b);
    engine_free(e); /* frees c, still previewing */
    song_free(s);
}

static void retired_pattern_comes_back_while_playing(void)
{
    Song *s = dc_song(1, 0.5f);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * 512];
    engine_render(e, buf, 512);
    Pattern *old = atomic_load(&s->patterns[0]);
    Pattern *bigger = song_pattern_resized(old, 32, 1);
    Cell c = song_cell_empty();
    c.note = NOTE_C4;
    c.instrument = 1;
    song_pattern_set(bigger, 1, 0, c);
    atomic_store(&s->patterns[0], bigger);
    send(e, ENGINE_CMD_RETIRE_PATTERN, 0, 0, 0, old);
    engine_render(e, buf, 512);
    EngineReturn r;
    CHECK(engine_take_return(e, &r) && r.ptr == old && r.type == ENGINE_RETURN_PATTERN);
    song_pattern_free(old);
    /* the new pattern is the one heard: its note on row 1 */
    for (int i = 0; i < 12; i++)
        engine_render(e, buf, 512);
    CHECK(buf[2 * 200] > 0.4f);
    engine_free(e);
    song_free(s);
}

static void retired_instrument_waits_for_its_voices(void)
{
    Song *s = dc_song(1, 0.5f);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * 512];
    engine_render(e, buf, 512);
    EngineReturn r;

    /* same sample, new volume: the note keeps playing, old one returned */
    Instrument *old = atomic_load(&s->instruments[1]);
    Instrument *louder = song_instrument_clone(old);
    louder->volume = 10;
    atomic_store(&s->instruments[1], louder);
    send(e, ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, old);
    engine_render(e, buf, 512);
    CHECK(engine_take_return(e, &r) && r.ptr == old);
    song_instrument_free(old);
    CHECK_NEAR(buf[2 * 500], 0.5, 1e-6);

    /* a different sample: the old voice fades out first */
    Instrument *other = synth_instrument(synth_dc(RATE, 100, 0.1f), LOOP_OFF, 0, 0, INTERP_RAW);
    atomic_store(&s->instruments[1], other);
    send(e, ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, louder);
    engine_render(e, buf, 32); /* half the fade */
    CHECK(buf[2 * 31] > 0.1f);
    CHECK(!engine_take_return(e, &r));
    engine_render(e, buf, 64);
    CHECK(buf[2 * 40] == 0.0f);
    CHECK(engine_take_return(e, &r) && r.ptr == louder);
    song_instrument_free(louder);
    engine_free(e);
    song_free(s);
}

static void graveyard_full_leaves_commands_waiting(void)
{
    Song *s = dc_song(1, 0.5f);
    for (int i = 0; i < 60; i++)
        synth_set_instrument(s, 2 + i, synth_instrument(synth_dc(RATE, RATE * 10, 0.01f), LOOP_OFF, 0, 0, INTERP_RAW));
    /* 60 voices of different instruments, all sounding */
    Engine *e = engine_new(s, RATE);
    for (int i = 0; i < 60; i++)
        send(e, ENGINE_CMD_PREVIEW_NOTE, 2 + i, NOTE_C4, 64, NULL);
    float buf[2 * 256];
    engine_render(e, buf, 256);
    /* 8 previews play at once; retire 40 instruments, all unused */
    Instrument *olds[40];
    for (int i = 0; i < 40; i++) {
        olds[i] = atomic_exchange(&s->instruments[2 + i], NULL);
        send(e, ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, olds[i]);
    }
    engine_render(e, buf, 256);
    int back = 0;
    EngineReturn r;
    while (engine_take_return(e, &r)) {
        song_instrument_free(r.ptr);
        back++;
    }
    CHECK_MSG(back >= 32 && back < 40, "first period returned %d", back);
    for (int i = 0; i < 4; i++)
        engine_render(e, buf, 256);
    while (engine_take_return(e, &r)) {
        song_instrument_free(r.ptr);
        back++;
    }
    CHECK_MSG(back == 40, "returned %d", back);
    engine_free(e);
    song_free(s);
}

static void install_song_swaps_and_returns_the_old(void)
{
    Song *a = dc_song(1, 0.5f);
    synth_put(a, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    Song *b = dc_song(2, 0.25f);
    synth_put(b, 0, 0, 1, NOTE_C4, 1, E, 0, 0);
    Engine *e = engine_new(a, RATE);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * 512];
    engine_render(e, buf, 512);
    send(e, ENGINE_CMD_INSTALL_SONG, 0, 0, 0, b);
    engine_render(e, buf, 32);
    EngineReturn r;
    CHECK(!engine_take_return(e, &r)); /* its voice is still fading */
    CHECK(!atomic_load(&engine_status(e)->playing));
    engine_render(e, buf, 64);
    CHECK(engine_take_return(e, &r) && r.type == ENGINE_RETURN_SONG && r.ptr == a);
    send(e, ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL);
    engine_render(e, buf, 512);
    CHECK_NEAR(buf[2 * 500], 0.25, 1e-6);
    engine_free(e);
    song_free(a);
    song_free(b);
}

static void channel_ports_equal_solo_renders(void)
{
    uint32_t rate = 44100, n = rate;
    Song *s = synth_beat(rate);
    atomic_store(&s->limiter, false);
    atomic_store(&s->master_gain_tenth_db, 0);
    /* all centre-panned so a solo render's (L+R)/2 is the port signal */
    for (int i = 1; i <= 5; i++)
        atomic_load(&s->instruments[i])->pan = 0;
    float *out = malloc(sizeof(float) * 2 * n);
    float *ports[8];
    for (int c = 0; c < 8; c++)
        ports[c] = malloc(sizeof(float) * n);
    Engine *e = engine_new(s, rate);
    engine_play_song_now(e, 0, 0, false);
    for (uint32_t done = 0; done < n; done += 500) {
        float *p[8];
        for (int c = 0; c < 8; c++)
            p[c] = ports[c] + done;
        engine_render_channels(e, out + 2 * done, p, 8, 500 < n - done ? 500 : n - done);
    }
    engine_free(e);
    float *solo = malloc(sizeof(float) * 2 * n);
    for (int c = 0; c < 8; c += 3) {
        e = engine_new(s, rate);
        engine_play_song_now(e, 0, 0, false);
        atomic_store(&s->strips[c].solo, true);
        engine_render(e, solo, n);
        atomic_store(&s->strips[c].solo, false);
        engine_free(e);
        double worst = 0, energy = 0;
        for (uint32_t i = 0; i < n; i++) {
            double mono = (solo[2 * i] + solo[2 * i + 1]) * 0.5;
            worst = fmax(worst, fabs(mono - ports[c][i]));
            energy += fabs(ports[c][i]);
        }
        CHECK_MSG(worst < 1e-5, "channel %d differs by %g", c, worst);
        CHECK_MSG(energy > 1.0, "channel %d silent", c);
    }
    free(solo);
    free(out);
    for (int c = 0; c < 8; c++)
        free(ports[c]);
    song_free(s);
}

static void transport_commands(void)
{
    Song *s = dc_song(1, 0.5f);
    synth_add_pattern(s, 1, 4);
    synth_add_pattern(s, 2, 4);
    Engine *e = engine_new(s, RATE);
    const EngineStatus *st = engine_status(e);
    float *buf = malloc(sizeof(float) * 2 * (4 * ROW + 1));

    /* play from order 1 row 2 */
    send(e, ENGINE_CMD_PLAY_SONG, 1, 2, 0, NULL);
    engine_render(e, buf, 100);
    CHECK(atomic_load(&st->order) == 1 && atomic_load(&st->row) == 2);
    CHECK(atomic_load(&st->pattern) == 1);

    /* jump happens on the next row, not at once */
    send(e, ENGINE_CMD_JUMP, 2, 3, 0, NULL);
    engine_render(e, buf, 100);
    CHECK(atomic_load(&st->order) == 1 && atomic_load(&st->row) == 2);
    engine_render(e, buf, ROW - 200 + 1);
    CHECK(atomic_load(&st->order) == 2 && atomic_load(&st->row) == 3);

    /* cue: finish this pattern, then go to order 1 */
    send(e, ENGINE_CMD_PLAY_SONG, 0, 14, 0, NULL);
    send(e, ENGINE_CMD_CUE, 1, 0, 0, NULL);
    engine_render(e, buf, ROW + 1);
    CHECK(atomic_load(&st->order) == 0 && atomic_load(&st->row) == 15);
    engine_render(e, buf, ROW);
    CHECK(atomic_load(&st->order) == 1 && atomic_load(&st->row) == 0);

    /* play pattern loops the one pattern */
    send(e, ENGINE_CMD_PLAY_PATTERN, 2, 0, 0, NULL);
    for (int i = 0; i < 5; i++)
        engine_render(e, buf, ROW);
    CHECK(atomic_load(&st->pattern) == 2 && atomic_load(&st->row) == 0);
    /* a cue ends the loop at the pattern's end and the song goes on */
    send(e, ENGINE_CMD_CUE, 1, 0, 0, NULL);
    engine_render(e, buf, 3 * ROW);
    CHECK(atomic_load(&st->pattern) == 2 && atomic_load(&st->row) == 3);
    engine_render(e, buf, ROW);
    CHECK(atomic_load(&st->order) == 1 && atomic_load(&st->row) == 0);
    engine_render(e, buf, 4 * ROW);
    CHECK(atomic_load(&st->order) == 2 && atomic_load(&st->row) == 0);

    /* live tempo: 250 BPM halves the tick, speed 3 halves the row */
    send(e, ENGINE_CMD_PLAY_PATTERN, 2, 0, 0, NULL);
    send(e, ENGINE_CMD_SET_BPM, 2500, 0, 0, NULL);
    send(e, ENGINE_CMD_SET_SPEED, 3, 0, 0, NULL);
    engine_render(e, buf, ROW / 4 + 1);
    CHECK(atomic_load(&st->row) == 1);
    CHECK(atomic_load(&st->bpm_tenths) == 2500 && atomic_load(&st->speed) == 3);

    /* stop is declicked and ends playback */
    send(e, ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL);
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    engine_render(e, buf, 1000);
    send(e, ENGINE_CMD_STOP, 0, 0, 0, NULL);
    engine_render(e, buf, 1000);
    CHECK(buf[0] > 0.45f);
    CHECK(buf[2 * 30] > 0.1f && buf[2 * 30] < 0.4f);
    CHECK(synth_peak(buf, 64, 936, 0) == 0.0f);
    CHECK(!atomic_load(&st->playing));
    CHECK(atomic_load(&st->frames_rendered) > 0);
    free(buf);
    engine_free(e);
    song_free(s);
}

static void many_commands_are_drained_in_bounded_batches(void)
{
    Song *s = dc_song(1, 0.5f);
    Engine *e = engine_new(s, RATE);
    int sent = 0;
    EngineCommand cmd = {ENGINE_CMD_SET_BPM, 1000, 0, 0, NULL};
    while (engine_send(e, &cmd))
        sent++;
    CHECK(sent >= 2 * ENGINE_COMMANDS_PER_PERIOD);
    float buf[2 * 64];
    engine_render(e, buf, 64);
    int room = 0;
    while (engine_send(e, &cmd))
        room++;
    CHECK(room == ENGINE_COMMANDS_PER_PERIOD);
    engine_free(e);
    song_free(s);
}

/* Two engines brought to the same point the same way. */
static void twin_engines(Song *s, Engine **a, Engine **b, uint32_t frames)
{
    float buf[2 * 1000];
    *a = engine_new(s, RATE);
    *b = engine_new(s, RATE);
    engine_play_song_now(*a, 1, 0, true);
    engine_play_song_now(*b, 1, 0, true);
    for (uint32_t done = 0; done < frames;) {
        uint32_t n = frames - done < 1000 ? frames - done : 1000;
        engine_render(*a, buf, n);
        engine_render(*b, buf, n);
        done += n;
    }
}

/* At the same rate a hand-over changes nothing: the new engine goes on
 * with the very samples the old one would have made (sounding notes,
 * slides, tempo, mute, a cue), the queued commands included. */
static void hand_over_at_the_same_rate_changes_nothing(void)
{
    Song *s = synth_beat(RATE);
    synth_force_interp(s, INTERP_LINEAR);
    Engine *ref, *old;
    twin_engines(s, &ref, &old, 3 * 4096 + 123);
    Instrument *gone[2] = {song_instrument_clone(song_instrument(s, 1)),
                           song_instrument_clone(song_instrument(s, 1))};
    Engine *both[2] = {ref, old};
    atomic_store(&s->strips[2].mute, true); /* muted at the next bar: */
    for (int i = 0; i < 2; i++) {
        send(both[i], ENGINE_CMD_HOLD_MUTE, 2, 0, 0, NULL); /* unmuted to the bar */
        send(both[i], ENGINE_CMD_SET_BPM, 1400, 0, 0, NULL);
        send(both[i], ENGINE_CMD_CUE, 3, 0, 0, NULL);
        send(both[i], ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, gone[i]);
    }
    Engine *fresh = engine_new(s, RATE);
    engine_hand_over(old, fresh);
    engine_free(old); /* frees gone[1] */
    const uint32_t n = RATE * 8;
    float *a = malloc(sizeof(float) * 2 * n), *b = malloc(sizeof(float) * 2 * n);
    engine_render(ref, a, n);
    engine_render(fresh, b, n);
    CHECK(synth_peak(a, 0, 4096, 0) > 0.01f); /* notes sound right after */
    CHECK(memcmp(a, b, sizeof(float) * 2 * n) == 0);
    CHECK(atomic_load(&engine_status(fresh)->order) == 3); /* the cue held */
    /* The row count goes on, as the rows themselves do. */
    CHECK(atomic_load(&engine_status(fresh)->rows_played) ==
          atomic_load(&engine_status(ref)->rows_played));
    /* Not equal by accident: a plain restart at that row differs. */
    Engine *restarted = engine_new(s, RATE);
    engine_play_song_now(restarted, 1, 0, true);
    engine_render(restarted, b, n);
    CHECK(memcmp(a, b, sizeof(float) * 2 * n) != 0);
    free(a);
    free(b);
    engine_free(restarted);
    engine_free(ref);
    engine_free(fresh);
    song_free(s);
}

/* A strip edited after the old engine last read it, but before the new
 * one was made, is heard from the hand-over on, as the old engine would
 * have heard it: the new engine goes on with the old one's channel EQs
 * and inserts, so it must read every strip again, not only those it
 * finds changed since it was made. */
static void hand_over_hears_a_strip_edited_before_it(void)
{
    Song *s = synth_beat(RATE);
    synth_force_interp(s, INTERP_LINEAR);
    Engine *ref, *old;
    twin_engines(s, &ref, &old, RATE + 77);
    const uint32_t n = RATE * 2;
    float *a = malloc(sizeof(float) * 2 * n), *b = malloc(sizeof(float) * 2 * n);
    engine_render(ref, a, n);
    engine_render(old, b, n);
    double before = synth_rms(a, 0, n, 0);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++) {
        SongEq eq = song_eq_default();
        eq.high_cut_hz = 200;
        song_eq_store(&s->strips[c].eq, &eq);
        atomic_store(&s->strips[c].fx[SHAPE_FILTER], SHAPE_FILTER_LP24);
        atomic_store(&s->strips[c].fx[SHAPE_CUTOFF], 40);
    }
    Engine *fresh = engine_new(s, RATE);
    engine_hand_over(old, fresh);
    engine_free(old);
    engine_render(ref, a, n);
    engine_render(fresh, b, n);
    CHECK(memcmp(a, b, sizeof(float) * 2 * n) == 0);
    /* The edit is heard: the beat all but gone after the inserts' fade. */
    double after = synth_rms(a, RATE / 10, n - RATE / 10, 0);
    CHECK_MSG(after < 0.1 * before, "rms %.4f before the edit, %.4f after", before, after);
    free(a);
    free(b);
    engine_free(ref);
    engine_free(fresh);
    song_free(s);
}

static Song *held_tone_song(InterpMode interp)
{
    Song *s = synth_song(1, 64, 125, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 1000.0, RATE, 1, 0.5f),
                                                LOOP_FORWARD, 0, RATE, interp));
    synth_put(s, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(s, 0, 14, 0, NOTE_CUT, 0, E, 0, 0); /* 1.68 s in */
    return s;
}

/* Puts a copy of slot 1 with `sample` in its place and retires the old
 * one through the engine, as the editor's loader does. */
static void swap_sample(Engine *e, Song *s, Sample *sample)
{
    Instrument *cur = song_instrument(s, 1);
    Instrument *next = song_instrument_clone(cur);
    sample_release(next->sample);
    next->sample = sample;
    atomic_store(&s->instruments[1], next);
    send(e, ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, cur);
}

static float quietest_10ms(const float *stereo, uint32_t frames, uint32_t rate)
{
    float low = 1.0f;
    for (uint32_t w = 0; w + rate / 100 <= frames; w += rate / 100)
        low = fminf(low, synth_peak(stereo, w, rate / 100, 0));
    return low;
}

/* A looped 1 kHz sine held from row 0: rendered at 48 kHz, handed over to
 * an engine at 44.1 kHz mid-tick (the sample stays as it is: only the
 * voice's step changes). The tone never stops or changes pitch, and the
 * cut on row 14 comes at the same time as at 48 kHz. */
static void hand_over_to_another_rate_in(InterpMode interp)
{
    const uint32_t rate2 = 44100;
    Song *s = held_tone_song(interp);
    Engine *ref, *old;
    twin_engines(s, &ref, &old, RATE / 2 + 333);
    Engine *fresh = engine_new(s, rate2);
    engine_hand_over(old, fresh);
    engine_free(old);

    /* 1.5 s from the hand-over at either rate. */
    float *a = malloc(sizeof(float) * 3 * RATE), *b = malloc(sizeof(float) * 3 * rate2);
    engine_render(ref, a, RATE * 3 / 2);
    const uint32_t half = rate2 / 2;
    engine_render(fresh, b, half);
    CHECK(synth_peak(b, 0, 64, 0) > 0.45f); /* no new attack: it went on */
    double f = synth_frequency(b, 0, half, 0, rate2);
    CHECK_MSG(f > 999.0 && f < 1001.0, "%.2f Hz after the hand-over", f);
    f = synth_frequency(b, 0, 300, 0, rate2); /* before the next tick, too */
    CHECK_MSG(f > 995.0 && f < 1005.0, "%.2f Hz right after the hand-over", f);

    engine_render(fresh, b + 2 * half, rate2 - half);
    float low = quietest_10ms(b, rate2, rate2);
    CHECK_MSG(low > 0.45f, "quietest 10 ms after the hand-over: %.3f", low);
    f = synth_frequency(b + 2 * half, 0, rate2 / 2, 0, rate2);
    CHECK_MSG(f > 999.0 && f < 1001.0, "%.2f Hz half a second on", f);

    engine_render(fresh, b + 2 * rate2, rate2 / 2);
    uint32_t cut48 = 0, cut44 = 0;
    for (uint32_t i = 0; i < RATE * 3 / 2; i++)
        if (fabsf(a[2 * i]) > 0.01f)
            cut48 = i;
    for (uint32_t i = 0; i < rate2 * 3 / 2; i++)
        if (fabsf(b[2 * i]) > 0.01f)
            cut44 = i;
    double expect = cut48 * (double)rate2 / RATE;
    CHECK_MSG(cut48 > RATE && cut48 < RATE * 3 / 2 - 100 && fabs(cut44 - expect) < 3.0,
              "cut at %u of 48 kHz, %u of 44.1 kHz (expected %.1f)", cut48, cut44,
              expect);
    free(a);
    free(b);
    engine_free(ref);
    engine_free(fresh);
    song_free(s);
}

static void hand_over_to_another_rate_keeps_notes_and_time(void)
{
    for (InterpMode m = 0; m < INTERP_COUNT; m++)
        hand_over_to_another_rate_in(m);
}

/* A slot given another sample (even with equal data) is another sound:
 * the voice fades instead of moving to it. */
static void swap_to_another_sound_fades(void)
{
    Song *s = held_tone_song(INTERP_LINEAR);
    Engine *e = engine_new(s, 44100);
    engine_play_song_now(e, 0, 0, true);
    float buf[2 * 4410];
    engine_render(e, buf, 4410);
    swap_sample(e, s, synth_sine(44100, 1000.0, 44100, 1, 0.5f));
    engine_render(e, buf, 4410);
    engine_collect_garbage(e);
    CHECK(synth_peak(buf, 0, 10, 0) > 0.3f);
    CHECK_MSG(synth_peak(buf, 441, 4410 - 441, 0) == 0.0f, "still sounding: %.3f",
              synth_peak(buf, 441, 4410 - 441, 0));
    engine_free(e);
    song_free(s);
}

/* A song change still in flight: the old engine's song is freed with it
 * whether the install reached the old engine's queue or not. */
static void hand_over_with_a_song_on_its_way(void)
{
    for (int queued = 0; queued < 2; queued++) {
        Song *first = synth_beat(RATE), *second = synth_beat(RATE);
        Engine *old = engine_new(first, RATE);
        engine_play_song_now(old, 0, 0, true);
        float buf[2 * 256];
        engine_render(old, buf, 256);
        if (queued)
            send(old, ENGINE_CMD_INSTALL_SONG, 0, 0, 0, second);
        Engine *fresh = engine_new(second, 44100);
        engine_hand_over(old, fresh);
        engine_free(old); /* frees `first` */
        /* Arriving late, the install is a no-op for the new engine. */
        send(fresh, ENGINE_CMD_INSTALL_SONG, 0, 0, 0, second);
        engine_render(fresh, buf, 256);
        engine_collect_garbage(fresh);
        CHECK(!atomic_load(&engine_status(fresh)->playing) == (queued == 1));
        engine_free(fresh);
        song_free(second);
    }
}

int main(void)
{
    RUN(mute_and_solo);
    RUN(a_mute_at_the_bar_is_pending_until_heard);
    RUN(channel_strips_follow_the_song);
    RUN(clip_counter_and_limiter);
    RUN(master_gain_changes_glide);
    RUN(preview_notes_play_while_stopped);
    RUN(preview_at_full_volume_is_full_velocity);
    RUN(preview_sample_is_returned_when_done);
    RUN(retired_pattern_comes_back_while_playing);
    RUN(retired_instrument_waits_for_its_voices);
    RUN(graveyard_full_leaves_commands_waiting);
    RUN(install_song_swaps_and_returns_the_old);
    RUN(channel_ports_equal_solo_renders);
    RUN(transport_commands);
    RUN(many_commands_are_drained_in_bounded_batches);
    RUN(hand_over_at_the_same_rate_changes_nothing);
    RUN(hand_over_hears_a_strip_edited_before_it);
    RUN(hand_over_to_another_rate_keeps_notes_and_time);
    RUN(swap_to_another_sound_fades);
    RUN(hand_over_with_a_song_on_its_way);
    return test_finish();
}
