/* The reference track for A/B listening, measured on the rendered output:
 * heard in place of the mix from the song's time at its own rate, never
 * through the limiter, the mix back exactly when switched back, loudness-
 * matched (the matched reference reads the mix's integrated loudness),
 * and kept in the song file as a path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "common/synth_song.h"
#include "engine.h"
#include "loudness.h"
#include "reference.h"
#include "sampleio.h"
#include "songfile.h"
#include "test.h"

#define RATE 48000u
#define ROW 6000u /* 120 BPM, speed 6 */
#define REF_RATE 44100u
#define FADE (RATE / 100)

/* A steady quiet tone on channel 0 for the whole pattern. */
static Song *tone_song(int rows, float amp)
{
    Song *s = synth_song(1, rows, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(synth_sine(RATE, 375.0, 128, 1, amp),
                                                LOOP_FORWARD, 0, 128, INTERP_RAW));
    synth_put(s, 0, 0, 0, 49, 1, 64, 0, 0);
    return s;
}

static void send(Engine *e, EngineCommandType type, int a, int b, int c, void *ptr)
{
    EngineCommand cmd = {type, a, b, c, ptr};
    CHECK(engine_send(e, &cmd));
}

static float *render(Engine *e, uint32_t frames)
{
    float *out = calloc(2 * (size_t)frames, sizeof(float));
    for (uint32_t done = 0; done < frames; done += 256)
        engine_render(e, out + 2 * (size_t)done, frames - done < 256 ? frames - done : 256);
    return out;
}

/* What the reference holds at the song's frame f (synth_index: frame i
 * is (i + 1) / 1024), read linearly at its own rate. */
static double index_at(uint64_t f, double gain)
{
    double pos = (double)f * REF_RATE / RATE;
    return (pos + 1.0) / 1024.0 * gain;
}

static void plays_from_the_song_time_at_its_own_rate(void)
{
    Song *s = tone_song(16, 0.25f);
    Engine *e = engine_new(s, RATE);
    Sample *ref = synth_index(REF_RATE, 200000);
    send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, ref);
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, -600, 0, NULL); /* -6 dB */
    /* From row 4: the place's time comes with the command. */
    send(e, ENGINE_CMD_PLAY_SONG, 0, 4, (int)(4 * ROW), NULL);
    float *out = render(e, 4 * ROW);
    double gain = pow(10.0, -6.0 / 20.0), worst = 0.0;
    for (uint32_t f = FADE; f < 4 * ROW; f++) {
        double want = index_at(4 * ROW + f, gain);
        worst = fmax(worst, fabs(out[2 * f] - want));
        worst = fmax(worst, fabs(out[2 * f + 1] - want));
    }
    CHECK_MSG(worst < 1e-4, "worst error %g", worst);
    /* The crossfade has no step: within it the output moves by no more
     * than the reference's share of a frame plus the tone's own slope. */
    float step = 0.0f;
    for (uint32_t f = 1; f < FADE + 4; f++)
        step = fmaxf(step, fabsf(out[2 * f] - out[2 * f - 2]));
    double bound = index_at(4 * ROW + FADE, gain) / FADE + 0.25 * 2 * M_PI / 128 + 1e-3;
    CHECK_MSG(step < bound, "largest step in the fade %g (bound %g)", step, bound);
    CHECK(fabsf(out[0]) < 0.3f); /* and it starts from the mix */
    free(out);
    engine_free(e); /* frees the reference it holds */
    song_free(s);
}

static void never_goes_through_the_limiter_and_the_mix_comes_back(void)
{
    Song *s = tone_song(32, 0.25f);
    atomic_store(&s->limiter, true);
    float *plain = synth_render(s, RATE, 8 * ROW, 256);
    atomic_store(&s->limiter, true);
    Engine *e = engine_new(s, RATE);
    send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, synth_dc(REF_RATE, 400000, 0.99f));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, 0, 0, NULL);
    engine_play_song_now(e, 0, 0, false);
    float *a = render(e, 4 * ROW);
    /* The -1 dBTP ceiling is 0.891: the reference passes it untouched. */
    uint32_t late = engine_latency(e);
    CHECK(late > 0);
    CHECK_NEAR(a[2 * (2 * ROW)], 0.99f, 1e-6);
    CHECK_NEAR(a[2 * (2 * ROW) + 1], 0.99f, 1e-6);
    CHECK(atomic_load(&engine_status(e)->limit_frames) == 0);
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 0, 0, 0, NULL);
    float *b = render(e, 4 * ROW);
    /* After the fade, the mix exactly as without a reference. */
    float worst = 0.0f;
    for (uint32_t f = FADE; f < 4 * ROW; f++)
        for (int ch = 0; ch < 2; ch++)
            worst = fmaxf(worst, fabsf(b[2 * f + ch] - plain[2 * (4 * ROW + f) + ch]));
    CHECK_MSG(worst == 0.0f, "mix differs by %g", worst);
    free(a);
    free(b);
    free(plain);
    engine_free(e);
    song_free(s);
}

/* The master meter shows what is heard: the reference while it is, the
 * mix again once switched back. A new user saw the meter go on moving
 * with the beat over a reference that had ended. */
static void the_master_meter_reads_what_is_heard(void)
{
    Song *s = tone_song(32, 0.25f);
    Engine *e = engine_new(s, RATE);
    EngineStatus *st = (EngineStatus *)engine_status(e);
    engine_play_song_now(e, 0, 0, false);
    free(render(e, ROW));
    uint32_t mix = atomic_exchange(&st->peak_left_milli, 0);
    CHECK_MSG(mix > 20 && mix < 400, "the mix peaks at %u milli", mix);
    send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, synth_dc(REF_RATE, 400000, 0.0f));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, 0, 0, NULL);
    free(render(e, ROW)); /* the fade */
    atomic_store(&st->peak_left_milli, 0);
    free(render(e, ROW));
    CHECK_MSG(atomic_load(&st->peak_left_milli) == 0, "a silent reference reads %u milli",
              atomic_load(&st->peak_left_milli));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 0, 0, 0, NULL);
    free(render(e, ROW)); /* the fade back */
    atomic_store(&st->peak_left_milli, 0);
    free(render(e, ROW));
    uint32_t back = atomic_load(&st->peak_left_milli);
    CHECK_MSG(back == mix, "the mix again: %u milli, %u before", back, mix);
    engine_free(e);
    song_free(s);
}

static void waits_while_stopped_and_restarts_with_the_song(void)
{
    Song *s = tone_song(8, 0.25f);
    Engine *e = engine_new(s, RATE);
    send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, synth_index(REF_RATE, 200000));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, 0, 0, NULL);
    float *idle = render(e, 2048);
    CHECK(synth_peak(idle, 0, 2048, 0) == 0.0f); /* nothing plays, nothing heard */
    send(e, ENGINE_CMD_PLAY_SONG, 0, 0, 0, NULL);
    /* The song (8 rows) wraps at its end: so does the reference. */
    float *out = render(e, 8 * ROW + 4 * ROW);
    CHECK_NEAR(out[2 * (8 * ROW + 1000)], index_at(1000, 1.0), 1e-4);
    CHECK_NEAR(out[2 * (8 * ROW - 1000)], index_at(8 * ROW - 1000, 1.0), 1e-4);
    free(idle);
    free(out);
    engine_free(e);
    song_free(s);
}

/* A reference shorter than the song: heard up to its end, silence past
 * it, and the status says so then (not before, nor once back on the
 * mix), so the editor can tell a quiet comparison from a finished one. */
static void a_short_reference_ends_and_says_so(void)
{
    Song *s = tone_song(32, 0.25f);
    Engine *e = engine_new(s, RATE);
    const EngineStatus *st = engine_status(e);
    uint32_t ref_frames = 4 * ROW * REF_RATE / RATE; /* four rows long */
    send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, synth_dc(REF_RATE, ref_frames, 0.5f));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, 0, 0, NULL);
    engine_play_song_now(e, 0, 0, false);
    float *during = render(e, 2 * ROW);
    CHECK_NEAR(during[2 * (ROW + 100)], 0.5, 1e-4); /* the reference, past the fade */
    CHECK(!atomic_load(&st->reference_ended));
    free(render(e, 3 * ROW)); /* past its end (the limiter's delay too) */
    float *after = render(e, ROW);
    CHECK_MSG(synth_peak(after, 0, ROW, 0) == 0.0f, "past its end the reference peaks at %g",
              synth_peak(after, 0, ROW, 0));
    CHECK(atomic_load(&st->reference_ended));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 0, 0, 0, NULL);
    free(render(e, ROW)); /* the fade back */
    float *mix = render(e, ROW);
    CHECK(synth_peak(mix, 0, ROW, 0) > 0.05f); /* the mix again */
    CHECK(!atomic_load(&st->reference_ended));
    free(during);
    free(after);
    free(mix);
    engine_free(e);
    song_free(s);
}

/* Writes `frames` of a 1 kHz sine of amplitude amp at REF_RATE, stereo. */
static void write_sine(const char *path, float amp, uint32_t frames)
{
    float *x = malloc(sizeof(float) * 2 * frames);
    for (uint32_t f = 0; f < frames; f++)
        x[2 * f] = x[2 * f + 1] = amp * (float)sin(2 * M_PI * 1000.0 * f / REF_RATE);
    SampleioWriter *w = NULL;
    HissDiag d = {{0}};
    CHECK(sampleio_writer_open(path, REF_RATE, 2, SAMPLEIO_ENC_FLOAT, &w, &d) == HISS_OK);
    CHECK(sampleio_writer_write(w, x, frames, &d) == HISS_OK);
    CHECK(sampleio_writer_close(w, &d) == HISS_OK);
    free(x);
}

static double lufs_of(const float *x, uint32_t frames)
{
    Loudness *l = loudness_new(RATE, LOUDNESS_EXACT);
    loudness_add(l, x, frames);
    double v = loudness_figures(l).integrated_lufs;
    loudness_free(l);
    return v;
}

static void matched_reference_reads_the_mix_loudness(void)
{
    char dir[512], path[600];
    test_make_tmpdir(dir, sizeof dir, "reference");
    snprintf(path, sizeof path, "%s/loud.wav", dir);
    write_sine(path, 0.9f, REF_RATE * 20);
    Song *s = tone_song(64, 0.1f);
    Reference r = {0};
    HissDiag d = {{0}};
    CHECK(reference_load(&r, path, &d) == HISS_OK);
    CHECK(reference_measure_mix(&r, s, RATE) == HISS_OK);
    /* The mix's figure is that of the song rendered on its own. */
    uint32_t len = 64 * ROW;
    float *mix = synth_render(s, RATE, len, 256);
    CHECK_NEAR(r.mix_lufs, lufs_of(mix, len), 0.05);
    CHECK(r.match_centi_db < -1500); /* the loud reference is turned down */
    char text[32];
    reference_match_text(&r, text, sizeof text);
    CHECK(text[0] == '-' && strstr(text, " dB"));
    /* Heard through the engine, the matched reference reads the mix's
     * loudness. */
    Engine *e = engine_new(s, RATE);
    send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, sample_retain(r.sample));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, r.match_centi_db, 0, NULL);
    engine_play_song_now(e, 0, 0, false);
    float *heard = render(e, len);
    double got = lufs_of(heard + 2 * FADE, len - FADE);
    CHECK_MSG(fabs(got - r.mix_lufs) < 0.1, "reference %.2f LUFS, mix %.2f", got, r.mix_lufs);
    /* A file that is not audio is refused with a message, *r kept. */
    snprintf(path, sizeof path, "%s/not.wav", dir);
    test_write_text(path, "not audio\n");
    Sample *before = r.sample;
    d.text[0] = 0;
    CHECK(reference_load(&r, path, &d) != HISS_OK);
    CHECK(d.text[0] != 0);
    CHECK(r.sample == before);
    free(mix);
    free(heard);
    engine_free(e);
    reference_deinit(&r);
    song_free(s);
    test_remove_tree(dir);
}

/* The measure on its own thread gives the figure the one in place does,
 * from a copy: the song it was copied from may be edited or freed. */
static void measured_on_a_thread_from_a_copy(void)
{
    Song *s = tone_song(64, 0.1f);
    Reference here = {0}, there = {0};
    CHECK(reference_measure_mix(&here, s, RATE) == HISS_OK);
    ReferenceJob *job = NULL;
    CHECK(reference_job_start(&job, song_clone(s), RATE) == HISS_OK);
    song_free(s);
    int percent = -1;
    while (!reference_job_done(job, &percent))
        hiss_sleep_ms(5);
    CHECK(percent == 100);
    CHECK(reference_job_finish(job, &there) == HISS_OK);
    CHECK(isfinite(there.mix_lufs));
    CHECK_NEAR(there.mix_lufs, here.mix_lufs, 1e-9);
    /* A long song's measure (ten minutes of it) stops when told: the
     * sanitizer builds see that nothing is left running or allocated. */
    Song *longer = tone_song(64, 0.1f);
    for (int i = 1; i < SONG_MAX_ORDERS; i++)
        atomic_store(&longer->orders[i], 0);
    atomic_store(&longer->order_count, SONG_MAX_ORDERS);
    CHECK(reference_job_start(&job, song_clone(longer), RATE) == HISS_OK);
    song_free(longer);
    reference_job_cancel(job);
    reference_job_cancel(NULL);
    reference_deinit(&here);
    reference_deinit(&there);
}

static void song_file_keeps_the_path(void)
{
    const char *text = "hiss 1\ntitle \"t\"\nbpm 120\nspeed 6\nrows_per_beat 4\nswing 0\n"
                       "master_gain 0.0\nlimiter on\nchannels 4\n"
                       "reference \"refs/their song.flac\"\n";
    Song *s = NULL;
    HissDiag d = {{0}};
    HissError err = songfile_parse(text, strlen(text), "t.hiss", &s, &d);
    CHECK_MSG(err == HISS_OK, "%s", d.text);
    if (err)
        return;
    CHECK_STR(s->reference, "refs/their song.flac");
    char *out = NULL;
    size_t len = 0;
    CHECK(songfile_format(s, &out, &len) == HISS_OK);
    CHECK(strstr(out, "reference \"refs/their song.flac\"\n") != NULL);
    Song *again = NULL;
    CHECK(songfile_parse(out, len, "t.hiss", &again, &d) == HISS_OK);
    CHECK_STR(again->reference, s->reference);
    /* Twice is refused, with its line. */
    char twice[1024];
    snprintf(twice, sizeof twice, "%sreference \"b.wav\"\n", text);
    Song *bad = NULL;
    CHECK(songfile_parse(twice, strlen(twice), "t.hiss", &bad, &d) != HISS_OK);
    CHECK(strstr(d.text, "t.hiss:11") != NULL);
    free(out);
    song_free(again);
    song_free(s);
}

/* Back to the mix, the reference fades out at its matched gain, not at
 * full level. */
static void fades_out_at_the_matched_gain(void)
{
    Song *s = tone_song(32, 0.25f);
    Engine *e = engine_new(s, RATE);
    send(e, ENGINE_CMD_SET_REFERENCE, 0, 0, 0, synth_dc(REF_RATE, 400000, 0.9f));
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 1, -2000, 0, NULL); /* 0.09 */
    engine_play_song_now(e, 0, 0, false);
    float *a = render(e, ROW);
    CHECK_NEAR(a[2 * (ROW - 1)], 0.09f, 1e-5);
    send(e, ENGINE_CMD_LISTEN_REFERENCE, 0, 0, 0, NULL);
    float *b = render(e, ROW);
    float top = synth_peak(b, 0, 2 * FADE, 0);
    CHECK_MSG(top < 0.25f + 0.09f + 1e-3, "peak %g in the fade", top);
    free(a);
    free(b);
    engine_free(e);
    song_free(s);
}

int main(void)
{
    RUN(fades_out_at_the_matched_gain);
    RUN(plays_from_the_song_time_at_its_own_rate);
    RUN(never_goes_through_the_limiter_and_the_mix_comes_back);
    RUN(waits_while_stopped_and_restarts_with_the_song);
    RUN(the_master_meter_reads_what_is_heard);
    RUN(a_short_reference_ends_and_says_so);
    RUN(matched_reference_reads_the_mix_loudness);
    RUN(measured_on_a_thread_from_a_copy);
    RUN(song_file_keeps_the_path);
    return test_finish();
}
