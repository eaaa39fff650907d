/* The real-time rule, checked: engine_render never allocates, frees,
 * locks, reads, writes or sleeps, whatever the song and the commands. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rtguard.h"
#include "common/synth_song.h"
#include "engine.h"
#include "sampleio.h"
#include "songio.h"
#include "test.h"

RTGUARD_DEFINE_INTERPOSERS()

static void guard_sees_forbidden_calls(void)
{
    void *volatile p = malloc(16);
    free(p);
    CHECK(rtguard_interposed());
    rtguard_reset();
    p = malloc(16); /* not armed: allowed */
    free(p);
    CHECK(rtguard_violations() == 0);
    rtguard_begin();
    p = malloc(32);
    rtguard_end();
    CHECK(rtguard_violations() == 1);
    CHECK_STR(rtguard_last(), "malloc");
    free(p);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    rtguard_begin();
    pthread_mutex_lock(&m);
    rtguard_end();
    pthread_mutex_unlock(&m);
    CHECK_STR(rtguard_last(), "pthread_mutex_lock");
    rtguard_begin();
    struct timespec ts = {0, 1000};
    nanosleep(&ts, NULL);
    CHECK_STR(rtguard_last(), "nanosleep");
    ssize_t w = write(-1, "x", 1);
    rtguard_end();
    CHECK(w < 0);
    CHECK_STR(rtguard_last(), "write");
    rtguard_begin();
    p = calloc(4, 4);
    p = realloc(p, 64);
    rtguard_end();
    free(p);
    CHECK(rtguard_violations() == 6);
    void *q = NULL;
    rtguard_begin();
    int rc = posix_memalign(&q, 64, 128);
    rtguard_end();
    CHECK(rc == 0 && q);
    CHECK_STR(rtguard_last(), "posix_memalign");
    free(q);
    CHECK(rtguard_violations() == 7);
    rtguard_reset();
}

static float render_guarded(Engine *e, float *buf, uint32_t n)
{
    rtguard_begin();
    engine_render(e, buf, n);
    rtguard_end();
    float peak = 0;
    for (uint32_t i = 0; i < 2 * n; i++)
        peak = fabsf(buf[i]) > peak ? fabsf(buf[i]) : peak;
    return peak;
}

static void stress_song_renders_without_violations(void)
{
    uint32_t rate = 48000;
    static const InterpMode modes[4] = {INTERP_RAW, INTERP_LINEAR, INTERP_CUBIC, INTERP_SINC};
    float buf[2 * 256];
    for (int m = 0; m < 5; m++) {
        Song *s = synth_stress(rate);
        /* the fifth pass: linear with every shaping feature on */
        synth_force_interp(s, modes[m % 4]);
        if (m == 4) /* no chokes: every channel sounds, as counted below */
            synth_shape_all(s, false);
        Engine *e = engine_new(s, rate);
        engine_play_song_now(e, 0, 0, true);
        rtguard_reset();
        float peak = 0;
        for (int i = 0; i < 3 * 48000 / 256; i++) {
            if (m == 4 && i % 50 == 10) {
                /* The mix's settings change while playing: strips and the
                 * master EQ are remade on the audio thread. */
                atomic_store(&s->strips[i % 32].gain_tenth_db, -i % 200);
                atomic_store(&s->strips[i % 32].pan, i % 100);
                atomic_store(&s->master_eq.low_cut_hz, 20 + i);
                atomic_store(&s->master_eq.mid_tenth_db, 10 + i % 50);
                atomic_store(&s->master_eq.high_shelf_tenth_db, -20 - i % 40);
                atomic_store(&s->master_eq.high_cut_hz, 15000 - i);
                /* Sends, the delay's time and the reverb's room too. */
                atomic_store(&s->strips[i % 32].send_tenth_db[i % 2], -i % 300);
                atomic_store(&s->strips[i % 32].send_pre[i % 2], i % 3 == 0);
                atomic_store(&s->delay[SONG_DELAY_TIME],
                             song_note_value_code(1 << (i % 7), i % 3));
                atomic_store(&s->delay[SONG_DELAY_WOBBLE], i % 100);
                atomic_store(&s->delay[SONG_DELAY_PING_PONG], i % 2);
                atomic_store(&s->delay[SONG_DELAY_TO_REVERB], -i % 400);
                atomic_store(&s->reverb[SONG_REVERB_SIZE], i % 101);
                atomic_store(&s->reverb[SONG_REVERB_PREDELAY], i % 251);
                /* Duckers keyed to other channels, and the limiter's ceiling. */
                atomic_store(&s->strips[(i + 1) % 32].duck_from, 1 + i % 32);
                atomic_store(&s->strips[(i + 1) % 32].duck_attack_ms, i % 20);
                atomic_store(&s->limiter_ceiling_tenth_db, -(i % 100));
                atomic_store(&s->glue[SONG_GLUE_ON], 1);
                atomic_store(&s->glue[SONG_GLUE_THRESHOLD], -(i % 300));
                atomic_store(&s->glue[SONG_GLUE_ATTACK], i % 50);
                atomic_store(&s->tape[SONG_TAPE_DRIVE], i % 101);
                atomic_store(&s->strips[i % 32].comp[SONG_GLUE_ON], 1);
                atomic_store(&s->strips[i % 32].comp[SONG_GLUE_THRESHOLD], -(i % 400));
                atomic_store(&s->strips[i % 32].comp[SONG_COMP_KEY], i % 33);
            }
            float p = render_guarded(e, buf, 256);
            peak = p > peak ? p : peak;
        }
        CHECK_MSG(rtguard_violations() == 0, "%s%s: %lu calls, last %s",
                  song_interp_name(modes[m % 4]), m == 4 ? " shaped" : "",
                  rtguard_violations(), rtguard_last());
        CHECK(peak > 0.01f);
        CHECK(atomic_load(&engine_status(e)->voices) >= 32);
        engine_free(e);
        song_free(s);
    }
}

static void send(Engine *e, EngineCommandType type, int a, int b, int c, void *ptr)
{
    EngineCommand cmd = {type, a, b, c, ptr};
    CHECK(engine_send(e, &cmd));
}

/* The UI side of the scenario: builds and frees objects outside the armed
 * region, as the real UI thread would. */
static void every_command_at(Engine *e, Song **song, int period, uint32_t rate)
{
    Song *s = *song;
    switch (period) {
    case 10: send(e, ENGINE_CMD_SET_BPM, 1400, 0, 0, NULL); break;
    case 20: send(e, ENGINE_CMD_SET_SPEED, 4, 0, 0, NULL); break;
    case 30: send(e, ENGINE_CMD_HOLD_MUTE, 1, 0, 0, NULL); break;
    case 40: send(e, ENGINE_CMD_HOLD_SOLO, 2, 1, 0, NULL); break;
    case 50:
        send(e, ENGINE_CMD_HOLD_SOLO, 2, -1, 0, NULL);
        send(e, ENGINE_CMD_HOLD_MUTE, 1, -1, 0, NULL);
        break;
    case 60: send(e, ENGINE_CMD_JUMP, 1, 4, 0, NULL); break;
    case 65: send(e, ENGINE_CMD_CUE, 1, ENGINE_CUE_BAR, 0, NULL); break;
    case 66: send(e, ENGINE_CMD_HOLD_MUTE, 2, 1, 0, NULL); break;
    case 67: send(e, ENGINE_CMD_LOOP_ROWS, 2, 5, 0, NULL); break;
    case 70: send(e, ENGINE_CMD_CUE, 0, 0, 0, NULL); break;
    case 80: send(e, ENGINE_CMD_PREVIEW_NOTE, 1, NOTE_C4 + 3, 50, NULL); break;
    case 90: send(e, ENGINE_CMD_PREVIEW_NOTE, 1, NOTE_OFF, 0, NULL); break;
    case 100: {
        Instrument *inst = synth_instrument(synth_kick(rate), LOOP_OFF, 0, 0, INTERP_SINC);
        send(e, ENGINE_CMD_PREVIEW_SAMPLE, 0, 0, 0, inst);
        break;
    }
    case 110: {
        Pattern *old = atomic_load(&s->patterns[0]);
        Pattern *copy = song_pattern_resized(old, 48, old->channels);
        atomic_store(&s->patterns[0], copy);
        send(e, ENGINE_CMD_RETIRE_PATTERN, 0, 0, 0, old);
        break;
    }
    case 120: {
        Instrument *old = atomic_load(&s->instruments[1]);
        Instrument *copy = song_instrument_clone(old);
        copy->volume = 40;
        atomic_store(&s->instruments[1], copy);
        send(e, ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, old);
        Instrument *old2 = atomic_load(&s->instruments[2]);
        Instrument *other = synth_instrument(synth_hat(rate), LOOP_OFF, 0, 0, INTERP_RAW);
        atomic_store(&s->instruments[2], other);
        send(e, ENGINE_CMD_RETIRE_INSTRUMENT, 0, 0, 0, old2);
        break;
    }
    case 101:
        send(e, ENGINE_CMD_LIVE_NOTE, 0, NOTE_C4,
             engine_live_flags(1, 40, 1, true, true), NULL);
        break;
    case 106: send(e, ENGINE_CMD_LIVE_NOTE, 0, NOTE_OFF, ENGINE_LIVE_RECORD, NULL); break;
    case 130: send(e, ENGINE_CMD_SET_LOOP_SONG, 0, 0, 0, NULL); break;
    case 140: send(e, ENGINE_CMD_PLAY_PATTERN, 1, 0, 0, NULL); break;
    case 150:
        send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, synth_sine(22050, 440.0, 50, 2, 0.5f));
        send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, -300, 0, NULL);
        break;
    case 155: /* the first reference comes back */
        send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, synth_sine(48000, 440.0, 109, 1, 0.5f));
        break;
    case 145: /* a channel's filter, crush and drive insert, edited live */
        atomic_store(&(*song)->strips[0].fx[SHAPE_FILTER], SHAPE_FILTER_LP24);
        atomic_store(&(*song)->strips[0].fx[SHAPE_CRUSH_BITS], 6);
        atomic_store(&(*song)->strips[1].fx[SHAPE_DRIVE], 70);
        atomic_store(&(*song)->strips[1].fx[SHAPE_CRUSH_RATE], 8000);
        break;
    case 160: send(e, ENGINE_CMD_STOP, 0, 0, 0, NULL); break;
    case 170: send(e, ENGINE_CMD_PLAY_SONG, 0, 8, 0, NULL); break;
    case 200: {
        Song *next = synth_beat(rate);
        send(e, ENGINE_CMD_INSTALL_SONG, 0, 0, 0, next);
        *song = next;
        break;
    }
    case 210: send(e, ENGINE_CMD_PLAY_SONG, 0, 0, 44100, NULL); break;
    case 230: send(e, ENGINE_CMD_LISTEN_REFERENCE, 0, 0, 0, NULL); break;
    default: break;
    }
}

static void every_effect_and_command_without_violations(void)
{
    uint32_t rate = 44100;
    Song *first = synth_every_effect(rate);
    Song *song = first;
    Engine *e = engine_new(song, rate);
    engine_play_song_now(e, 0, 0, true);
    rtguard_reset();
    float buf[2 * 512];
    int returns = 0;
    for (int period = 0; period < 600; period++) {
        every_command_at(e, &song, period, rate);
        render_guarded(e, buf, period % 3 ? 512 : 97);
        EngineReturn r;
        while (engine_take_return(e, &r)) {
            returns++;
            if (r.type == ENGINE_RETURN_PATTERN)
                song_pattern_free(r.ptr);
            else if (r.type == ENGINE_RETURN_INSTRUMENT)
                song_instrument_free(r.ptr);
            else if (r.type == ENGINE_RETURN_SAMPLE)
                sample_release(r.ptr);
            else if (r.ptr != first)
                song_free(r.ptr);
        }
    }
    CHECK_MSG(rtguard_violations() == 0, "%lu calls, last %s",
              rtguard_violations(), rtguard_last());
    /* pattern, 2 instruments, the preview sample, the first song and the
     * first reference track */
    CHECK_MSG(returns == 6, "returns %d", returns);
    engine_free(e);
    song_free(song);
    song_free(first);
}

/* The demo as the user hears it: real samples, sinc and loops. */
static void demo_song_renders_without_violations(void)
{
    uint32_t rate = 48000;
    Song *s = NULL;
    HissDiag diag = {{0}};
    HissError err = songio_load("patterns/demo.hiss", rate, &s, &diag, NULL);
    CHECK_MSG(err == HISS_OK, "%s", diag.text);
    if (err)
        return;
    Engine *e = engine_new(s, rate);
    engine_play_song_now(e, 0, 0, true);
    rtguard_reset();
    float buf[2 * 128];
    float peak = 0;
    for (int i = 0; i < 20 * 48000 / 128; i++) {
        float p = render_guarded(e, buf, 128);
        peak = p > peak ? p : peak;
    }
    CHECK_MSG(rtguard_violations() == 0, "%lu calls, last %s",
              rtguard_violations(), rtguard_last());
    CHECK(peak > 0.05f);
    engine_free(e);
    song_free(s);
}

int main(void)
{
    RUN(guard_sees_forbidden_calls);
    RUN(stress_song_renders_without_violations);
    RUN(every_effect_and_command_without_violations);
    RUN(demo_song_renders_without_violations);
    return test_finish();
}
