/* Recording a take: a JACK client plays a known signal into hiss's in_L
 * and in_R on a private (dummy-driver) server, and the WAV file the take
 * writes must hold exactly those frames, in order, none lost; the file is
 * readable while the take runs, a second take never writes over the
 * first, and the process callback stays real-time safe while recording.
 * No server, no pass. */
#include <jack/jack.h>
#include <math.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "common/files.h"
#include "common/jackrec.h"
#include "common/rtguard.h"
#include "common/synth_song.h"
#include "take.h"
#include "test.h"

#if defined(__SANITIZE_THREAD__)
#define TAKE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TAKE_TSAN 1
#endif
#endif
#ifndef TAKE_TSAN
#define TAKE_TSAN 0
RTGUARD_DEFINE_INTERPOSERS()
#endif

static JackrecServer srv;
static const TakeOptions AT_ONCE = {0};

/* The signal: frame i of the sender has a value no other frame within the
 * period of 65521 frames (1.3 s at 48 kHz) has, so where a take starts in
 * it is known from its first frame, and every later frame is checked. */
enum { SIGNAL_PERIOD = 65521 };
static float signal_at(uint32_t i)
{
    return (float)((i * 7919u) % SIGNAL_PERIOD) / SIGNAL_PERIOD - 0.5f;
}

typedef struct {
    jack_client_t *client;
    jack_port_t *out[2];
    _Atomic uint32_t sent;
    _Atomic bool muted; /* silence, and the signal held at its start */
    /* Set by the first cycle whose graph has both outputs connected:
     * jack_connect returns before the server's cycles use the new
     * connection, and a take begun in between would record silence on
     * an input that is not yet fed. */
    _Atomic bool linked;
} Sender;

static int sender_process(jack_nframes_t n, void *arg)
{
    Sender *s = arg;
    float *l = jack_port_get_buffer(s->out[0], n), *r = jack_port_get_buffer(s->out[1], n);
    uint32_t at = atomic_load(&s->sent);
    bool muted = atomic_load(&s->muted);
    for (jack_nframes_t k = 0; k < n; k++) {
        l[k] = muted ? 0.0f : signal_at((at + k) % SIGNAL_PERIOD);
        r[k] = -l[k];
    }
    if (!muted)
        atomic_store(&s->sent, at + n);
    /* In the process callback this reads the graph the cycle runs. */
    if (!atomic_load(&s->linked) && jack_port_connected(s->out[0]) > 0 &&
        jack_port_connected(s->out[1]) > 0)
        atomic_store(&s->linked, true);
    return 0;
}

static bool sender_open(Sender *s)
{
    jack_status_t st;
    s->client = jack_client_open("sender", JackNoStartServer, &st);
    if (!s->client)
        return false;
    s->out[0] = jack_port_register(s->client, "out_L", JACK_DEFAULT_AUDIO_TYPE,
                                   JackPortIsOutput, 0);
    s->out[1] = jack_port_register(s->client, "out_R", JACK_DEFAULT_AUDIO_TYPE,
                                   JackPortIsOutput, 0);
    jack_set_process_callback(s->client, sender_process, s);
    if (!(s->out[0] && s->out[1] && jack_activate(s->client) == 0 &&
          jack_connect(s->client, "sender:out_L", "hiss_rec:in_L") == 0 &&
          jack_connect(s->client, "sender:out_R", "hiss_rec:in_R") == 0))
        return false;
    /* Every take starts once hiss's inputs carry the signal: a loaded
     * machine may run many cycles before the connections are in them. */
    for (int ms = 0; !atomic_load(&s->linked) && ms < 20000; ms += 5)
        hiss_sleep_ms(5);
    return atomic_load(&s->linked);
}

/* hiss's client "hiss_rec" running `engine` (NULL: silence) under the
 * real-time guard; NULL when it cannot start. */
static Audio *hiss_rec_start(Engine *engine)
{
    AudioOptions o = {.backend = "jack", .client_name = "hiss_rec", .no_connect = true};
    Audio *a = NULL;
    HissDiag why = {{0}};
    CHECK_MSG(audio_open(&a, &o, NULL, &why) == HISS_OK, "%s", why.text);
    if (!a)
        return NULL;
    audio_set_period_hook(a, rtguard_period_hook, NULL);
    CHECK(audio_start(a, engine) == HISS_OK);
    return a;
}

static void hiss_rec_stop(Audio *a, Sender *s, char *dir)
{
    if (s->client)
        jack_client_close(s->client);
    audio_close(a);
    test_remove_tree(dir);
}

/* Pumps the take for about ms milliseconds, as the editor's poll does. */
static void record_for(Take *t, int ms)
{
    HissDiag diag = {{0}};
    for (int i = 0; i < ms / 20; i++) {
        CHECK_MSG(take_pump(t, &diag) == HISS_OK, "%s", diag.text);
        hiss_sleep_ms(20);
    }
}

/* Pumps the take until it holds at least `frames`: what the server's
 * cycles bring in, however slowly a loaded machine runs them (30 s at
 * most, for a server that stalled). */
static void record_until(Take *t, uint64_t frames)
{
    HissDiag diag = {{0}};
    for (int ms = 0; ms < 30000; ms += 20) {
        CHECK_MSG(take_pump(t, &diag) == HISS_OK, "%s", diag.text);
        if (take_frames(t) >= frames)
            return;
        hiss_sleep_ms(20);
    }
}

/* Frames of the WAV at path, read with libsndfile (not through hiss). */
static float *read_wav(const char *path, SF_INFO *info)
{
    memset(info, 0, sizeof *info);
    SNDFILE *f = sf_open(path, SFM_READ, info);
    if (!f)
        return NULL;
    float *frames = malloc(sizeof(float) * 2 * (size_t)(info->frames + 1));
    if (frames && sf_readf_float(f, frames, info->frames) != info->frames) {
        free(frames);
        frames = NULL;
    }
    sf_close(f);
    return frames;
}

/* Every frame of the file is the sender's next one: none lost, none
 * repeated, none changed. Returns where in the signal the file starts. */
static uint32_t check_is_the_signal(const char *path, uint64_t frames)
{
    SF_INFO info;
    float *got = read_wav(path, &info);
    CHECK_MSG(got != NULL, "%s cannot be read", path);
    if (!got)
        return SIGNAL_PERIOD;
    CHECK(info.channels == 2);
    CHECK(info.samplerate == 48000);
    CHECK_MSG((uint64_t)info.frames == frames, "%lld vs %llu", (long long)info.frames,
              (unsigned long long)frames);
    uint32_t start = 0;
    while (start < SIGNAL_PERIOD && signal_at(start) != got[0])
        start++;
    CHECK_MSG(start < SIGNAL_PERIOD, "the first frame %g was never sent", got[0]);
    long wrong = 0, first_wrong = -1;
    for (sf_count_t k = 0; k < info.frames && start < SIGNAL_PERIOD; k++) {
        float want = signal_at((uint32_t)((start + k) % SIGNAL_PERIOD));
        if (got[2 * k] != want || got[2 * k + 1] != -want) {
            if (first_wrong < 0)
                first_wrong = (long)k;
            wrong++;
        }
    }
    CHECK_MSG(wrong == 0, "%ld frames differ from what was sent, the first at %ld", wrong,
              first_wrong);
    free(got);
    return start;
}

static void a_take_holds_exactly_what_was_played_in(void)
{
    AudioOptions o = {.backend = "jack", .client_name = "hiss_rec", .no_connect = true};
    Audio *a = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    CHECK_MSG(audio_open(&a, &o, &rate, &why) == HISS_OK, "%s", why.text);
    if (!a)
        return;
    CHECK(audio_can_capture(a));
    audio_set_period_hook(a, rtguard_period_hook, NULL);
    CHECK(audio_start(a, NULL) == HISS_OK);
    Sender s = {0};
    CHECK(sender_open(&s));
    char dir[512];
    test_make_tmpdir(dir, sizeof dir, "take");

    rtguard_reset();
    Take *t = NULL;
    CHECK_MSG(take_begin(&t, a, dir, "song", &AT_ONCE, &why) == HISS_OK, "%s", why.text);
    if (t) {
        CHECK(audio_capturing(a));
        record_until(t, 48000 * 3 / 10);
        /* Mid-take the file already says what it holds: a crash now
         * would keep it. */
        SF_INFO mid;
        float *so_far = read_wav(take_path(t), &mid);
        CHECK(so_far != NULL && mid.frames > 4800);
        free(so_far);
        record_until(t, 48000 * 6 / 10);
        CHECK_MSG(take_end(t, &why) == HISS_OK, "%s", why.text);
        CHECK(!audio_capturing(a));
        uint64_t frames = take_frames(t);
        CHECK_MSG(frames > 48000 / 2, "%llu frames for 0.6 s of sound", (unsigned long long)frames);
        CHECK(take_dropped(t) == 0);
        char want[600];
        snprintf(want, sizeof want, "%s/song-take.wav", dir);
        CHECK_STR(take_path(t), want);
        check_is_the_signal(take_path(t), frames);
        size_t first_len = 0;
        char *first = test_read_file(want, &first_len);

        /* A second take gets a name of its own; the first stays as it was. */
        Take *t2 = NULL;
        CHECK(take_begin(&t2, a, dir, "song", &AT_ONCE, &why) == HISS_OK);
        if (t2) {
            record_until(t2, 48000 * 2 / 10);
            CHECK(take_end(t2, &why) == HISS_OK);
            snprintf(want, sizeof want, "%s/song-take-2.wav", dir);
            CHECK_STR(take_path(t2), want);
            check_is_the_signal(take_path(t2), take_frames(t2));
            take_free(t2);
        }
        size_t again_len = 0;
        char *again = test_read_file(take_path(t), &again_len);
        CHECK(first && again && first_len == again_len && !memcmp(first, again, first_len));
        free(first);
        free(again);
        take_free(t);
    }
    CHECK(TAKE_TSAN || rtguard_interposed());
    CHECK_MSG(rtguard_violations() == 0, "the audio thread called %s", rtguard_last());
    if (s.client)
        jack_client_close(s.client);
    audio_close(a);
    test_remove_tree(dir);
}

/* A threshold start: nothing is written while the inputs are silent;
 * the take begins exactly on the first frame that reaches the level. */
static void a_threshold_start_begins_on_the_first_loud_frame(void)
{
    HissDiag why = {{0}};
    Audio *a = hiss_rec_start(NULL);
    if (!a)
        return;
    Sender s = {0};
    atomic_store(&s.muted, true);
    /* From frame 1: frames 1..7 are under the level, 8 reaches it. */
    atomic_store(&s.sent, 1);
    CHECK(sender_open(&s));
    char dir[512];
    test_make_tmpdir(dir, sizeof dir, "take-threshold");
    rtguard_reset();
    const float level = 0.45f;
    Take *t = NULL;
    CHECK_MSG(take_begin(&t, a, dir, "song", &(TakeOptions){.start.threshold = level}, &why) == HISS_OK, "%s", why.text);
    if (t) {
        record_for(t, 200);
        CHECK(audio_capture_waiting(a));
        CHECK(take_frames(t) == 0);
        atomic_store(&s.muted, false);
        record_until(t, 48000 * 4 / 10);
        CHECK(!audio_capture_waiting(a));
        CHECK(take_end(t, &why) == HISS_OK);
        CHECK(take_frames(t) > 0);
        uint32_t start = check_is_the_signal(take_path(t), take_frames(t));
        /* The frame the take began on is the first sent at the level,
         * every one sent before it quieter. */
        CHECK_MSG(start < SIGNAL_PERIOD && fabsf(signal_at(start)) >= level,
                  "starts at signal frame %u (%g)", start,
                  start < SIGNAL_PERIOD ? signal_at(start) : 0.0f);
        bool quiet_before = true;
        for (uint32_t i = 1; i < start && i < SIGNAL_PERIOD; i++)
            quiet_before = quiet_before && fabsf(signal_at(i)) < level;
        CHECK_MSG(quiet_before && start > 1, "the take began at signal frame %u", start);
        take_free(t);
    }
    CHECK_MSG(rtguard_violations() == 0, "the audio thread called %s", rtguard_last());
    hiss_rec_stop(a, &s, dir);
}

/* What the ear hears: a JACK client logs, frame by frame, the sender's
 * signal and hiss's out_L in the same cycles, so a take's first frame
 * (a signal value) shows which output frame it was recorded against. */
enum { LISTEN_FRAMES = 48000 * 12 };
typedef struct {
    jack_client_t *client;
    jack_port_t *sig, *mix;
    float *sig_log, *mix_log;
    _Atomic uint32_t count;
} Listener;

static int listener_process(jack_nframes_t n, void *arg)
{
    Listener *l = arg;
    const float *sig = jack_port_get_buffer(l->sig, n), *mix = jack_port_get_buffer(l->mix, n);
    uint32_t at = atomic_load(&l->count);
    for (jack_nframes_t k = 0; k < n && at + k < LISTEN_FRAMES; k++) {
        l->sig_log[at + k] = sig[k];
        l->mix_log[at + k] = mix[k];
    }
    atomic_store(&l->count, at + n < LISTEN_FRAMES ? at + n : LISTEN_FRAMES);
    return 0;
}

static bool listener_open(Listener *l)
{
    jack_status_t st;
    l->sig_log = calloc(LISTEN_FRAMES, sizeof(float));
    l->mix_log = calloc(LISTEN_FRAMES, sizeof(float));
    l->client = jack_client_open("listener", JackNoStartServer, &st);
    if (!l->client || !l->sig_log || !l->mix_log)
        return false;
    l->sig = jack_port_register(l->client, "sig", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    l->mix = jack_port_register(l->client, "mix", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    jack_set_process_callback(l->client, listener_process, l);
    return l->sig && l->mix && jack_activate(l->client) == 0 &&
           jack_connect(l->client, "sender:out_L", "listener:sig") == 0 &&
           jack_connect(l->client, "hiss_rec:out_L", "listener:mix") == 0;
}

static void listener_close(Listener *l)
{
    if (l->client)
        jack_client_close(l->client);
    free(l->sig_log);
    free(l->mix_log);
}

/* The listener's frame at or after `from` where the sender sent the
 * take's first frame; -1 when none. */
static long listener_find(const Listener *l, uint32_t from, float first)
{
    uint32_t count = atomic_load(&((Listener *)l)->count);
    for (uint32_t k = from; k < count; k++)
        if (l->sig_log[k] == first)
            return (long)k;
    return -1;
}

/* A bar is 4 rows (one row per beat): a loud hit on each bar's first row,
 * a quieter one on the row between, so a take that began on any note
 * rather than a bar shows. */
static Song *bar_song(void)
{
    Song *song = synth_song(1, 16, 120, 6);
    atomic_store(&song->rows_per_beat, 1);
    synth_set_instrument(song, 1, synth_instrument(synth_dc(48000, 4000, 0.8f), LOOP_OFF, 0, 0,
                                                   INTERP_LINEAR));
    synth_set_instrument(song, 2, synth_instrument(synth_dc(48000, 4000, 0.2f), LOOP_OFF, 0, 0,
                                                   INTERP_LINEAR));
    for (int row = 0; row < 16; row += 4) {
        synth_put(song, 0, row, 0, NOTE_C4, 1, VOLUME_EMPTY, 0, 0);
        synth_put(song, 0, row + 2, 0, NOTE_C4, 2, VOLUME_EMPTY, 0, 0);
    }
    return song;
}

/* A take on a bar begins on the very frame the bar's first row is heard;
 * with a count-in of one bar, on the frame of the bar after. */
static void a_take_on_a_bar_begins_on_its_first_frame(void)
{
    HissDiag why = {{0}};
    Song *song = bar_song();
    Engine *e = engine_new(song, 48000);
    engine_play_song_now(e, 0, 0, true);
    Audio *a = hiss_rec_start(e);
    if (!a) {
        engine_free(e);
        song_free(song);
        return;
    }
    Sender s = {0};
    Listener l = {0};
    CHECK(sender_open(&s));
    CHECK(listener_open(&l));
    char dir[512];
    test_make_tmpdir(dir, sizeof dir, "take-bar");
    const uint32_t bar = 24000; /* 4 rows x 6 ticks at 120 BPM */
    for (int count_in = 0; count_in <= 1; count_in++) {
        hiss_sleep_ms(170); /* somewhere inside a bar */
        rtguard_reset();
        uint32_t asked = atomic_load(&l.count);
        Take *t = NULL;
        TakeOptions opts = {.start.bars = 1 + count_in};
        CHECK_MSG(take_begin(&t, a, dir, "song", &opts, &why) == HISS_OK, "%s", why.text);
        if (!t)
            break;
        record_until(t, 48000 * 4 / 10);
        CHECK(take_end(t, &why) == HISS_OK);
        CHECK_MSG(rtguard_violations() == 0, "the audio thread called %s", rtguard_last());
        SF_INFO info;
        float *got = read_wav(take_path(t), &info);
        CHECK(got && info.frames > 0);
        long k = got ? listener_find(&l, asked > 4096 ? asked - 4096 : 0, got[0]) : -1;
        CHECK_MSG(k > 0, "the take's first frame was never heard");
        if (k > 0) {
            float loud = 0;
            for (uint32_t i = 0; i < atomic_load(&l.count); i++)
                loud = fmaxf(loud, l.mix_log[i]);
            /* The loud hit starts on that frame: silence before it. */
            CHECK_MSG(l.mix_log[k - 1] == 0.0f && l.mix_log[k] > 0.0f,
                      "count-in %d: heard %g then %g where the take began", count_in,
                      l.mix_log[k - 1], l.mix_log[k]);
            float peak = 0;
            for (long i = k; i < k + 100; i++)
                peak = fmaxf(peak, l.mix_log[i]);
            CHECK_MSG(peak > 0.75f * loud, "count-in %d: a hit of %g, not a bar's %g", count_in,
                      peak, loud);
            /* The next bar (the count-in's bar more), not one later. */
            long wait = k - (long)asked;
            CHECK_MSG(wait > (long)bar * count_in - 4096 && wait <= (long)bar * (count_in + 1),
                      "count-in %d: began %ld frames after it was asked", count_in, wait);
        }
        free(got);
        take_free(t);
    }
    listener_close(&l);
    hiss_rec_stop(a, &s, dir);
    engine_free(e);
    song_free(song);
}

/* One input as a mono file: the left input's frames, or the right's. */
static void a_mono_take_keeps_one_input(void)
{
    HissDiag why = {{0}};
    Audio *a = hiss_rec_start(NULL);
    if (!a)
        return;
    Sender s = {0};
    CHECK(sender_open(&s));
    char dir[512];
    test_make_tmpdir(dir, sizeof dir, "take-mono");
    for (int side = TAKE_INPUT_LEFT; side <= TAKE_INPUT_RIGHT; side++) {
        Take *t = NULL;
        TakeOptions opts = {.input = (TakeInput)side};
        CHECK_MSG(take_begin(&t, a, dir, "song", &opts, &why) == HISS_OK, "%s", why.text);
        if (!t)
            break;
        record_until(t, 48000 * 3 / 10);
        CHECK(take_end(t, &why) == HISS_OK);
        SF_INFO info = {0};
        SNDFILE *f = sf_open(take_path(t), SFM_READ, &info);
        CHECK(f != NULL);
        CHECK_MSG(info.channels == 1, "%s: %d channels", take_input_name((TakeInput)side),
                  info.channels);
        CHECK((uint64_t)info.frames == take_frames(t) && info.frames > 4800);
        float *got = f ? calloc((size_t)info.frames * info.channels, sizeof(float)) : NULL;
        if (got && sf_readf_float(f, got, info.frames) == info.frames && info.channels == 1) {
            /* The sender's right side is the left negated. */
            float sign = side == TAKE_INPUT_RIGHT ? -1.0f : 1.0f;
            uint32_t start = 0;
            while (start < SIGNAL_PERIOD && sign * signal_at(start) != got[0])
                start++;
            long wrong = 0;
            for (sf_count_t i = 0; i < info.frames; i++)
                wrong += got[i] != sign * signal_at((uint32_t)((start + i) % SIGNAL_PERIOD));
            CHECK_MSG(start < SIGNAL_PERIOD && wrong == 0, "%s: %ld frames are not the input's",
                      take_input_name((TakeInput)side), wrong);
        }
        free(got);
        if (f)
            sf_close(f);
        take_free(t);
    }
    hiss_rec_stop(a, &s, dir);
}

static void the_null_backend_says_it_cannot_record(void)
{
    AudioOptions o = {.backend = "null"};
    Audio *a = NULL;
    HissDiag why = {{0}};
    CHECK(audio_open(&a, &o, NULL, &why) == HISS_OK);
    if (!a)
        return;
    char dir[512];
    test_make_tmpdir(dir, sizeof dir, "take-null");
    Take *t = NULL;
    CHECK(take_begin(&t, a, dir, "song", &AT_ONCE, &why) == HISS_ERR_UNSUPPORTED);
    CHECK(t == NULL);
    CHECK_MSG(strstr(why.text, "no input ports") != NULL, "%s", why.text);
    /* Nothing is left behind for a take that never started. */
    CHECK(test_count_entries(dir, NULL) == 0);
    audio_close(a);
    test_remove_tree(dir);
}

int main(void)
{
    RUN(the_null_backend_says_it_cannot_record);
    /* Synchronous: hiss's period waits for the sender's, so a loaded
     * machine loses whole periods at worst, never hands hiss a stale one. */
    srv.synchronous = true;
    if (!jackrec_server_start(&srv, 48000, 256)) {
        fprintf(stderr, "FAIL cannot start a JACK server\n");
        test_failed++;
        return test_finish();
    }
    RUN(a_take_holds_exactly_what_was_played_in);
    RUN(a_threshold_start_begins_on_the_first_loud_frame);
    RUN(a_take_on_a_bar_begins_on_its_first_frame);
    RUN(a_mono_take_keeps_one_input);
    jackrec_server_stop(&srv, false);
    return test_finish();
}
