/* ALSA underrun recovery, proven through real alsa-lib.
 *
 * There is no sound card here, and alsa-lib's `file` plugin has no clock,
 * so a real underrun never happens. This binary makes them happen: it
 * defines snd_pcm_open, snd_pcm_nonblock, snd_pcm_writei, snd_pcm_prepare,
 * snd_pcm_resume and snd_pcm_wait
 * itself. The executable's definitions win over libasound's for every
 * caller, hiss's ALSA backend in libhiss.a and libasound's own internal
 * calls alike (snd_pcm_recover reaches snd_pcm_prepare through the PLT),
 * and each forwards to the real function (dlsym(RTLD_NEXT)) unless the
 * scenario's plan says to fail that call: -EPIPE (underrun), -ESTRPIPE
 * (suspend), -EAGAIN, a write of 0 frames or of fewer than asked, -ENODEV
 * (unplugged), a prepare or resume that fails.
 *
 * Meanwhile hiss's ALSA backend plays a song into a `file` PCM over the
 * `null` device, configured by a private ALSA_CONFIG_PATH. Every frame the
 * real writei accepted ends in the file.
 *
 * The rule for output: on a real card an underrun is a gap in time (the
 * device runs dry until the stream is prepared and restarted), not in the
 * frames. A write that failed wrote nothing, and a retry must go on with
 * exactly the frames not yet taken. So the file is exactly the engine's
 * output from frame 0, float for float, with no frame lost, repeated or
 * reordered, however many underruns, suspends and short writes happened,
 * and it stops short of everything rendered by at most the one period
 * that stop interrupted. The reference is the same song rendered by a
 * second engine, in blocks of the same period.
 *
 * A hang (stop that never returns) is caught by alarm(): the process dies
 * without its result line, which tests/run.sh counts as a failure. */
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "common/synth_song.h"
#include "test.h"

enum { RATE = 48000, PERIOD = 256, MAX_CALLS = 4096 };

typedef enum {
    INJ_EPIPE = 1,  /* writei: underrun */
    INJ_ESTRPIPE,   /* writei: suspended; resume then says -EAGAIN `arg`
                       times and finally `arg2` (0: the real resume) */
    INJ_EAGAIN,     /* writei: no room */
    INJ_ZERO,       /* writei: 0 frames */
    INJ_SHORT,      /* writei: at most `arg` frames are passed on */
    INJ_ENODEV,     /* writei: the device is gone */
    INJ_PREPARE_FAILS, /* prepare returns `arg` from this write on */
    INJ_FROZEN,     /* writei: the sound server froze: never any room (a
                       blocking write never returns: 60 s stands in) */
    INJ_PAUSED,     /* writei: no room for `arg` ms (a sound server moving
                       the stream), then as before */
} InjectKind;

typedef struct {
    int call;     /* 0-based writei call number */
    InjectKind kind;
    int arg, arg2;
    bool onwards; /* also every later call */
} Injection;

static const Injection *plan;
static int plan_len;

typedef int (*OpenFn)(snd_pcm_t **, const char *, snd_pcm_stream_t, int);
static OpenFn real_open;
typedef snd_pcm_sframes_t (*WriteiFn)(snd_pcm_t *, const void *, snd_pcm_uframes_t);
typedef int (*PcmFn)(snd_pcm_t *);
typedef int (*WaitFn)(snd_pcm_t *, int);
static WriteiFn real_writei;
static PcmFn real_prepare, real_resume;
static WaitFn real_wait;

static _Atomic int writei_calls, prepare_calls, resume_calls, wait_calls;
static _Atomic int epipes_injected;
static _Atomic long frames_accepted;
static _Atomic int resume_eagain_left, resume_final, prepare_error;
/* Frames asked of writei, by call number. */
static _Atomic long asked[MAX_CALLS];

/* Whether hiss's PCM is non-blocking, as opened or set since. */
static _Atomic bool hissrec_nonblock;
static _Atomic bool frozen;
static struct timespec paused_until; /* writer thread only */

static bool is_hissrec(snd_pcm_t *pcm)
{
    const char *name = snd_pcm_name(pcm);
    return name && !strcmp(name, "hissrec");
}

/* A sound card with a clock of its own, for the pacing tests: the file
 * plugin takes everything at once, so the card is modelled here. It holds
 * CARD_BUFFER frames (what hiss asks for: three periods), starts playing
 * when full, then plays at RATE times `card_speed` (a real card's clock is
 * never quite the machine's). A write that does not fit takes what fits
 * if that is a period (hiss's avail_min) or more, else says -EAGAIN
 * (non-blocking) or waits until it fits (blocking); snd_pcm_wait waits for
 * a period's room. Running dry is
 * counted, not failed, so the count says how often a real card would have
 * underrun. Only the writer thread touches the model. */
enum { CARD_BUFFER = 3 * PERIOD };
static double card_speed; /* 0: no card, writes go straight to the file */
static double card_fill;
static bool card_playing;
static struct timespec card_then;
static _Atomic int card_dry;

/* Seconds from `t` to now (negative for a time still to come). */
static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void card_play_until_now(void)
{
    if (!card_playing)
        return;
    card_fill -= seconds_since(&card_then) * RATE * card_speed;
    clock_gettime(CLOCK_MONOTONIC, &card_then);
    if (card_fill < 0) {
        atomic_fetch_add(&card_dry, 1);
        card_fill = 0;
    }
}

static void card_sleep(double seconds)
{
    struct timespec nap = {(time_t)seconds,
                           (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&nap, NULL);
}

/* Seconds until the card has room for `frames` (0 if it has). */
static double card_time_to_room(double frames)
{
    double over = card_fill + frames - CARD_BUFFER;
    return over > 0 && card_playing ? over / (RATE * card_speed) : 0;
}

/* The frames the card takes of `size`, or -EAGAIN. */
static snd_pcm_sframes_t card_take(snd_pcm_uframes_t size)
{
    card_play_until_now();
    double room = CARD_BUFFER - card_fill;
    if (card_playing && room < (double)size) {
        if (atomic_load(&hissrec_nonblock)) {
            if (room < PERIOD)
                return -EAGAIN;
            size = (snd_pcm_uframes_t)room;
        } else {
            card_sleep(card_time_to_room((double)size));
            card_play_until_now();
        }
    }
    card_fill += (double)size;
    if (!card_playing && card_fill >= CARD_BUFFER) {
        card_playing = true;
        clock_gettime(CLOCK_MONOTONIC, &card_then);
    }
    return (snd_pcm_sframes_t)size;
}

/* "hissbusy" is a hardware device another program holds. Opened without
 * SND_PCM_NONBLOCK the kernel would wait for it to be let go, here for a
 * minute (standing in for ever); opened with it, the answer is -EBUSY. */
int snd_pcm_open(snd_pcm_t **pcm, const char *name, snd_pcm_stream_t stream, int mode)
{
    if (name && !strcmp(name, "hissbusy")) {
        if (mode & SND_PCM_NONBLOCK)
            return -EBUSY;
        sleep(60);
        return -EBUSY;
    }
    int err = real_open(pcm, name, stream, mode);
    if (err == 0 && name && !strcmp(name, "hissrec"))
        atomic_store(&hissrec_nonblock, (mode & SND_PCM_NONBLOCK) != 0);
    return err;
}

int snd_pcm_nonblock(snd_pcm_t *pcm, int nonblock)
{
    static int (*real_nonblock)(snd_pcm_t *, int);
    if (!real_nonblock)
        real_nonblock = (int (*)(snd_pcm_t *, int))dlsym(RTLD_NEXT, "snd_pcm_nonblock");
    int err = real_nonblock(pcm, nonblock);
    if (err == 0 && is_hissrec(pcm))
        atomic_store(&hissrec_nonblock, nonblock != 0);
    return err;
}

/* Seconds left of an INJ_PAUSED pause (0 when none). */
static double pause_left(void)
{
    double left = -seconds_since(&paused_until);
    return left > 0 ? left : 0;
}

snd_pcm_sframes_t snd_pcm_writei(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t size)
{
    if (pause_left() > 0)
        return -EAGAIN;
    if (card_speed > 0) {
        snd_pcm_sframes_t took = card_take(size);
        if (took < 0)
            return took;
        size = (snd_pcm_uframes_t)took;
    }
    int call = atomic_fetch_add(&writei_calls, 1);
    if (call < MAX_CALLS)
        atomic_store(&asked[call], (long)size);
    for (int i = 0; i < plan_len; i++) {
        const Injection *in = &plan[i];
        if (call != in->call && !(in->onwards && call > in->call))
            continue;
        switch (in->kind) {
        case INJ_EPIPE:
            atomic_fetch_add(&epipes_injected, 1);
            return -EPIPE;
        case INJ_ESTRPIPE:
            atomic_store(&resume_eagain_left, in->arg);
            atomic_store(&resume_final, in->arg2);
            return -ESTRPIPE;
        case INJ_EAGAIN:
            return -EAGAIN;
        case INJ_ZERO:
            return 0;
        case INJ_ENODEV:
            return -ENODEV;
        case INJ_SHORT:
            if (size > (snd_pcm_uframes_t)in->arg)
                size = (snd_pcm_uframes_t)in->arg;
            break;
        case INJ_PAUSED:
            clock_gettime(CLOCK_MONOTONIC, &paused_until);
            paused_until.tv_sec += in->arg / 1000;
            paused_until.tv_nsec += (long)(in->arg % 1000) * 1000000L;
            if (paused_until.tv_nsec >= 1000000000L) {
                paused_until.tv_sec++;
                paused_until.tv_nsec -= 1000000000L;
            }
            return -EAGAIN;
        case INJ_FROZEN:
            atomic_store(&frozen, true);
            if (!atomic_load(&hissrec_nonblock))
                sleep(60);
            return -EAGAIN;
        case INJ_PREPARE_FAILS:
            atomic_store(&prepare_error, in->arg);
            break;
        }
    }
    snd_pcm_sframes_t n = real_writei(pcm, buf, size);
    if (n > 0)
        atomic_fetch_add(&frames_accepted, (long)n);
    return n;
}

/* The PCM hiss opened, once it plays, as against the plugin's slave
 * (libasound's file plugin forwards prepare and resume to the `null` PCM
 * through these same definitions) and the prepares of opening and
 * starting. */
static bool hiss_pcm_playing(snd_pcm_t *pcm)
{
    const char *name = snd_pcm_name(pcm);
    return atomic_load(&writei_calls) > 0 && name && !strcmp(name, "hissrec");
}

/* While set, the device opens and takes its configuration (whose last
 * step is a prepare) but will not start: the prepare of a device already
 * prepared, hiss's start, fails. */
static _Atomic bool start_refused;

int snd_pcm_prepare(snd_pcm_t *pcm)
{
    const char *name = snd_pcm_name(pcm);
    if (atomic_load(&start_refused) && name && !strcmp(name, "hissrec") &&
        snd_pcm_state(pcm) == SND_PCM_STATE_PREPARED)
        return -EIO;
    if (!hiss_pcm_playing(pcm))
        return real_prepare(pcm);
    atomic_fetch_add(&prepare_calls, 1);
    int err = atomic_load(&prepare_error);
    return err ? err : real_prepare(pcm);
}

int snd_pcm_resume(snd_pcm_t *pcm)
{
    if (!hiss_pcm_playing(pcm))
        return real_resume(pcm);
    atomic_fetch_add(&resume_calls, 1);
    if (atomic_load(&resume_eagain_left) > 0) {
        atomic_fetch_sub(&resume_eagain_left, 1);
        return -EAGAIN;
    }
    int final = atomic_load(&resume_final);
    return final ? final : real_resume(pcm);
}

int snd_pcm_wait(snd_pcm_t *pcm, int timeout)
{
    if (!hiss_pcm_playing(pcm))
        return real_wait(pcm, timeout);
    atomic_fetch_add(&wait_calls, 1);
    double limit = timeout < 0 ? 1e9 : timeout / 1000.0;
    if (atomic_load(&frozen)) {
        card_sleep(limit);
        return 0;
    }
    double paused = pause_left();
    if (paused > 0) {
        card_sleep(paused < limit ? paused : limit);
        return paused <= limit ? 1 : 0;
    }
    if (card_speed > 0) {
        card_play_until_now();
        double t = card_time_to_room(PERIOD);
        card_sleep(t < limit ? t : limit);
        card_play_until_now();
        return card_time_to_room(PERIOD) > 0 ? 0 : 1;
    }
    return real_wait(pcm, timeout);
}

static char dir[64];
static char raw_path[128];

static void reset_counters(const Injection *p, int n)
{
    plan = p;
    plan_len = n;
    atomic_store(&writei_calls, 0);
    atomic_store(&prepare_calls, 0);
    atomic_store(&resume_calls, 0);
    atomic_store(&wait_calls, 0);
    atomic_store(&epipes_injected, 0);
    atomic_store(&frames_accepted, 0);
    atomic_store(&resume_eagain_left, 0);
    atomic_store(&resume_final, 0);
    atomic_store(&prepare_error, 0);
    for (int i = 0; i < MAX_CALLS; i++)
        atomic_store(&asked[i], -1);
    card_speed = 0;
    atomic_store(&frozen, false);
    paused_until = (struct timespec){0, 0};
    card_fill = 0;
    card_playing = false;
    atomic_store(&card_dry, 0);
}

/* The file's frames (interleaved float stereo); *frames gets the count. */
static float *read_raw(long *frames)
{
    *frames = -1;
    FILE *f = fopen(raw_path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    float *data = malloc(bytes > 0 ? (size_t)bytes : 1);
    if (data && bytes > 0 && fread(data, 1, (size_t)bytes, f) != (size_t)bytes)
        bytes = -1;
    fclose(f);
    *frames = bytes < 0 ? -1 : bytes / (long)(2 * sizeof(float));
    return data;
}

/* What the device must have received: the song from its start, rendered by
 * a fresh engine in blocks of one period. */
static float *reference(Song *song, long frames)
{
    Engine *e = engine_new(song, RATE);
    float *out = calloc((size_t)frames * 2 + 2 * PERIOD, sizeof(float));
    if (!e || !out) {
        engine_free(e);
        free(out);
        return NULL;
    }
    engine_play_song_now(e, 0, 0, true);
    for (long done = 0; done < frames; done += PERIOD)
        engine_render(e, out + 2 * done, PERIOD);
    engine_free(e);
    return out;
}

typedef struct {
    Audio *audio;
    Engine *engine;
    Song *song;
    bool left_running; /* the state was something else while playing */
    int calls_at_failure;
} Run;

static bool start_run(Run *r)
{
    memset(r, 0, sizeof *r);
    unlink(raw_path);
    AudioOptions o = {.backend = "alsa", .device = "hissrec", .rate = RATE,
                      .period = PERIOD};
    uint32_t rate = 0;
    HissDiag why = {{0}};
    if (audio_open(&r->audio, &o, &rate, &why) != HISS_OK) {
        fprintf(stderr, "  cannot open the file PCM: %s\n", why.text);
        return false;
    }
    CHECK(rate == RATE);
    CHECK(audio_period(r->audio) == PERIOD);
    r->song = synth_beat(RATE);
    r->engine = engine_new(r->song, RATE);
    if (!r->engine)
        return false;
    /* Playing from the first period, so the file lines up with frame 0. */
    engine_play_song_now(r->engine, 0, 0, true);
    audio_set_song(r->audio, r->song);
    return audio_start(r->audio, r->engine) == HISS_OK;
}

/* Plays until `calls` writes were made, or the backend failed, or ten
 * seconds passed (a failure the caller's checks then show). */
static void play_until(Run *r, int calls)
{
    for (int i = 0; i < 1000; i++) {
        AudioState st = audio_state(r->audio);
        if (st == AUDIO_STATE_FAILED) {
            r->calls_at_failure = atomic_load(&writei_calls);
            return;
        }
        if (st != AUDIO_STATE_RUNNING)
            r->left_running = true;
        if (atomic_load(&writei_calls) >= calls)
            return;
        hiss_sleep_ms(10);
    }
}

static _Atomic bool stop_returned;

static void *stop_on_a_thread(void *audio)
{
    audio_stop(audio);
    atomic_store(&stop_returned, true);
    return NULL;
}

/* audio_stop, waited for ten seconds at most: a writer thread stuck in a
 * loop it cannot leave is a failure with its own message, and the tests
 * end there (the stuck thread cannot be joined). */
static void stop_bounded(Run *r)
{
    atomic_store(&stop_returned, false);
    pthread_t t;
    if (pthread_create(&t, NULL, stop_on_a_thread, r->audio) != 0) {
        stop_bounded(r);
        return;
    }
    for (int i = 0; i < 1000 && !atomic_load(&stop_returned); i++)
        hiss_sleep_ms(10);
    if (!atomic_load(&stop_returned)) {
        fprintf(stderr, "FAIL audio_stop did not return within 10 s: the ALSA "
                        "writer thread is stuck\n");
        test_failed++;
        int rc = test_finish();
        fflush(stdout);
        _exit(rc ? rc : 1);
    }
    pthread_join(t, NULL);
}

static void end_run(Run *r)
{
    audio_close(r->audio);
    engine_free(r->engine);
    song_free(r->song);
}

/* The rule above: the file is the engine's output from frame 0, exactly,
 * and short of what was rendered by one period at most. */
static void check_output(Run *r, long min_frames)
{
    long rendered = (long)atomic_load(&engine_status(r->engine)->frames_rendered);
    long frames;
    float *got = read_raw(&frames);
    CHECK_MSG(got != NULL && frames >= 0, "cannot read %s", raw_path);
    if (!got || frames < 0) {
        free(got);
        return;
    }
    CHECK_MSG(frames == atomic_load(&frames_accepted),
              "%ld frames in the file, %ld accepted by writei", frames,
              atomic_load(&frames_accepted));
    CHECK_MSG(frames <= rendered && rendered - frames <= PERIOD,
              "%ld frames in the file, %ld rendered", frames, rendered);
    CHECK_MSG(frames >= min_frames, "only %ld frames in the file", frames);
    float *want = reference(r->song, frames);
    CHECK(want != NULL);
    if (want) {
        long first_bad = -1;
        float peak = 0;
        for (long i = 0; i < frames * 2; i++) {
            if (got[i] != want[i] && first_bad < 0)
                first_bad = i / 2;
            peak = fabsf(want[i]) > peak ? fabsf(want[i]) : peak;
        }
        CHECK_MSG(first_bad < 0, "the file differs from the engine from frame %ld "
                  "(period %ld, offset %ld)", first_bad, first_bad / PERIOD,
                  first_bad % PERIOD);
        /* Something to compare: the song is sounding in these frames. */
        CHECK_MSG(peak > 0.05f, "peak %g", peak);
    }
    free(want);
    free(got);
}

static void the_interposed_calls_are_the_ones_hiss_makes(void)
{
    reset_counters(NULL, 0);
    Run r;
    CHECK(start_run(&r));
    play_until(&r, 40);
    stop_bounded(&r);
    CHECK(!r.left_running);
    CHECK(atomic_load(&writei_calls) >= 40);
    CHECK(atomic_load(&prepare_calls) == 0);
    CHECK(audio_xruns(r.audio) == 0);
    CHECK(audio_state(r.audio) == AUDIO_STATE_STOPPED);
    check_output(&r, 39 * PERIOD);
    end_run(&r);
}

static void underruns_are_counted_and_lose_no_frame(void)
{
    /* Underruns while the buffer fills (3), back to back (20, 21: the
     * retry underruns too), alone (50, 80), and in the rest of a period
     * that was written short (60 takes 128 frames, 61 underruns, 62 must
     * ask for the same 128). Short writes of 100 frames and of 1. */
    static const Injection p[] = {
        {3, INJ_EPIPE, 0, 0, false},   {10, INJ_SHORT, 100, 0, false},
        {20, INJ_EPIPE, 0, 0, false},  {21, INJ_EPIPE, 0, 0, false},
        {30, INJ_SHORT, 1, 0, false},  {50, INJ_EPIPE, 0, 0, false},
        {60, INJ_SHORT, 128, 0, false}, {61, INJ_EPIPE, 0, 0, false},
        {80, INJ_EPIPE, 0, 0, false},
    };
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    play_until(&r, 120);
    CHECK(!r.left_running);
    CHECK(audio_state(r.audio) == AUDIO_STATE_RUNNING);
    stop_bounded(&r);
    CHECK(audio_state(r.audio) == AUDIO_STATE_STOPPED);
    int injected = atomic_load(&epipes_injected);
    CHECK(injected == 6);
    CHECK_MSG(audio_xruns(r.audio) == (uint32_t)injected, "%u xruns, %d underruns",
              audio_xruns(r.audio), injected);
    /* Each underrun was recovered by snd_pcm_recover's prepare. */
    CHECK_MSG(atomic_load(&prepare_calls) == injected, "%d prepares",
              atomic_load(&prepare_calls));
    /* A retry asks for the rest of the period, and only that. */
    CHECK(atomic_load(&asked[4]) == PERIOD);  /* after 3 wrote nothing */
    CHECK(atomic_load(&asked[11]) == PERIOD - 100);
    CHECK(atomic_load(&asked[22]) == PERIOD);
    CHECK(atomic_load(&asked[31]) == PERIOD - 1);
    CHECK(atomic_load(&asked[61]) == PERIOD - 128);
    CHECK(atomic_load(&asked[62]) == PERIOD - 128);
    CHECK(atomic_load(&asked[63]) == PERIOD);
    check_output(&r, 100 * PERIOD);
    end_run(&r);
}

static void suspends_are_resumed_without_counting_as_underruns(void)
{
    /* At 15 the device asks three times to wait before it resumes in
     * place; at 40 it cannot resume (-ENOSYS) and is prepared afresh. */
    static const Injection p[] = {
        {15, INJ_ESTRPIPE, 3, 0, false},
        {40, INJ_ESTRPIPE, 0, -ENOSYS, false},
    };
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    play_until(&r, 80);
    CHECK(!r.left_running);
    stop_bounded(&r);
    CHECK(audio_xruns(r.audio) == 0);
    CHECK_MSG(atomic_load(&resume_calls) == 4 + 1, "%d resumes", atomic_load(&resume_calls));
    /* Only the suspend that could not resume was prepared afresh. */
    CHECK_MSG(atomic_load(&prepare_calls) == 1, "%d prepares", atomic_load(&prepare_calls));
    CHECK(atomic_load(&asked[16]) == PERIOD);
    check_output(&r, 70 * PERIOD);
    end_run(&r);
}

static void a_device_that_never_wakes_is_started_afresh(void)
{
    /* Resume says "not yet" for good: after a bounded wait the stream is
     * prepared afresh and playback goes on. */
    static const Injection p[] = {{15, INJ_ESTRPIPE, 1 << 30, 0, false}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    play_until(&r, 60);
    CHECK(!r.left_running);
    CHECK(audio_state(r.audio) == AUDIO_STATE_RUNNING);
    stop_bounded(&r);
    int resumes = atomic_load(&resume_calls);
    CHECK_MSG(resumes > 1 && resumes <= 1000, "%d resumes", resumes);
    CHECK(atomic_load(&prepare_calls) == 1);
    CHECK(audio_xruns(r.audio) == 0);
    check_output(&r, 50 * PERIOD);
    end_run(&r);
}

static void stop_ends_a_wait_for_a_suspended_device(void)
{
    static const Injection p[] = {{15, INJ_ESTRPIPE, 1 << 30, 0, false}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    for (int i = 0; i < 1000 && atomic_load(&resume_calls) < 3; i++)
        hiss_sleep_ms(10);
    CHECK(atomic_load(&resume_calls) >= 3);
    stop_bounded(&r);
    int resumes = atomic_load(&resume_calls);
    hiss_sleep_ms(50);
    CHECK(atomic_load(&resume_calls) == resumes);
    CHECK(atomic_load(&writei_calls) == 16);
    check_output(&r, 15 * PERIOD);
    end_run(&r);
}

static void no_room_waits_for_the_device_and_goes_on(void)
{
    static const Injection p[] = {
        {12, INJ_EAGAIN, 0, 0, false}, {13, INJ_EAGAIN, 0, 0, false},
        {25, INJ_ZERO, 0, 0, false},   {26, INJ_SHORT, 10, 0, false},
        {27, INJ_ZERO, 0, 0, false},
    };
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    play_until(&r, 60);
    CHECK(!r.left_running);
    stop_bounded(&r);
    CHECK(audio_xruns(r.audio) == 0);
    /* Every write that moved nothing waited for the device once. */
    CHECK_MSG(atomic_load(&wait_calls) == 4, "%d waits", atomic_load(&wait_calls));
    CHECK(atomic_load(&asked[27]) == PERIOD - 10);
    CHECK(atomic_load(&asked[28]) == PERIOD - 10);
    check_output(&r, 50 * PERIOD);
    end_run(&r);
}

/* Waits (bounded) for FAILED, then checks the thread stopped writing. */
static void check_failed_and_quiet(Run *r, const char *words)
{
    play_until(r, 1 << 30);
    CHECK_MSG(audio_state(r->audio) == AUDIO_STATE_FAILED, "state %d",
              (int)audio_state(r->audio));
    const char *why = audio_failure(r->audio);
    printf("  failure: %s\n", why);
    CHECK_MSG(strstr(why, "hissrec") && strstr(why, words), "\"%s\"", why);
    int calls = atomic_load(&writei_calls);
    hiss_sleep_ms(100);
    CHECK_MSG(atomic_load(&writei_calls) == calls, "%d writes, then %d", calls,
              atomic_load(&writei_calls));
    stop_bounded(r);
    CHECK(audio_state(r->audio) == AUDIO_STATE_FAILED);
    CHECK(strstr(audio_failure(r->audio), words) != NULL);
}

static void an_unplugged_device_fails_once_with_a_reason(void)
{
    static const Injection p[] = {{30, INJ_ENODEV, 0, 0, true}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    check_failed_and_quiet(&r, snd_strerror(-ENODEV));
    /* No retry of a write that can never work: the 31st was the last. */
    CHECK_MSG(atomic_load(&writei_calls) == 31, "%d writes", atomic_load(&writei_calls));
    CHECK(audio_xruns(r.audio) == 0);
    /* What was written before is intact. */
    check_output(&r, 30 * PERIOD);
    end_run(&r);
}

/* A busy device is an error with a reason at once, not a frozen editor. */
/* A sound server that froze (PulseAudio or PipeWire behind "default")
 * never makes room: the writer must not sit in a write that never returns,
 * so quitting still works, and on its own it gives up with a reason. */
static void a_frozen_sound_server_cannot_hang_stop(void)
{
    static const Injection p[] = {{30, INJ_FROZEN, 0, 0, true}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    play_until(&r, 31);
    stop_bounded(&r); /* a hang fails the whole binary here */
    check_output(&r, 30 * PERIOD);
    end_run(&r);
}

/* A sound server moving the stream (another output, Bluetooth) makes no
 * room for a while: that is waited out, and playback goes on with nothing
 * lost. */
static void a_paused_stream_is_waited_out(void)
{
    static const Injection p[] = {{30, INJ_PAUSED, 1500, 0, false}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    play_until(&r, 80);
    CHECK(!r.left_running);
    CHECK(audio_state(r.audio) == AUDIO_STATE_RUNNING);
    stop_bounded(&r);
    /* 1.5 s with no sound is a gap a listener heard, and counted, though
     * the device reported no underrun (a sound server's plugin that stalls
     * often does not). */
    CHECK_MSG(audio_xruns(r.audio) == 1, "%u xruns", audio_xruns(r.audio));
    check_output(&r, 70 * PERIOD);
    end_run(&r);
}

static void a_frozen_sound_server_fails_with_a_reason(void)
{
    static const Injection p[] = {{30, INJ_FROZEN, 0, 0, true}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    check_failed_and_quiet(&r, "no room for audio");
    check_output(&r, 30 * PERIOD);
    end_run(&r);
}

static void a_busy_device_is_an_error_at_once(void)
{
    AudioOptions o = {.backend = "alsa", .device = "hissbusy", .rate = RATE,
                      .period = PERIOD};
    Audio *audio = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    struct timespec began;
    clock_gettime(CLOCK_MONOTONIC, &began);
    HissError err = audio_open(&audio, &o, &rate, &why);
    double took = seconds_since(&began);
    CHECK(err != HISS_OK);
    CHECK(audio == NULL);
    CHECK_MSG(took < 30, "audio_open waited %.1f s for a busy device", took);
    CHECK_MSG(strstr(why.text, "hissbusy") && strstr(why.text, snd_strerror(-EBUSY)),
              "reason: '%s'", why.text);
    printf("  %s\n", why.text);
}

/* --fallback to an ALSA device that opens but will not start: hiss goes
 * on to the null clock with the same engine, playing, and says why. */
static void a_fallback_device_that_will_not_start_falls_through_to_null(void)
{
    reset_counters(NULL, 0);
    AudioOptions o = {.backend = "null", .device = "hissrec", .rate = RATE,
                      .period = PERIOD, .fall_back = true};
    Audio *audio = NULL;
    uint32_t rate = 0;
    HissDiag why = {{0}};
    CHECK(audio_open(&audio, &o, &rate, &why) == HISS_OK);
    Song *song = synth_beat(RATE);
    Engine *engine = engine_new(song, RATE);
    engine_play_song_now(engine, 0, 0, true);
    audio_set_song(audio, song);
    CHECK(audio_start(audio, engine) == HISS_OK);
    Audio *before = audio;
    atomic_store(&start_refused, true);
    HissError err = audio_fall_back(&audio, song, &why);
    atomic_store(&start_refused, false);
    CHECK_MSG(err == HISS_OK, "%s", why.text);
    CHECK(audio != before);
    CHECK(!strcmp(audio_name(audio), "null"));
    CHECK(audio_state(audio) == AUDIO_STATE_RUNNING);
    CHECK_MSG(strstr(why.text, "null") && strstr(why.text, "would not start"), "'%s'",
              why.text);
    printf("  %s\n", why.text);
    /* The engine moved and plays on. */
    uint64_t was = atomic_load(&engine_status(engine)->frames_rendered);
    hiss_sleep_ms(100);
    CHECK(atomic_load(&engine_status(engine)->frames_rendered) > was);
    audio_stop(audio);
    audio_close(audio);
    engine_free(engine);
    song_free(song);
}

static void a_device_dead_at_the_first_write_stays_failed(void)
{
    static const Injection p[] = {{0, INJ_ENODEV, 0, 0, true}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    check_failed_and_quiet(&r, snd_strerror(-ENODEV));
    CHECK(atomic_load(&writei_calls) == 1);
    end_run(&r);
}

static void an_underrun_that_cannot_be_recovered_fails(void)
{
    /* The device vanishes during an underrun: prepare fails from then. */
    static const Injection p[] = {
        {20, INJ_PREPARE_FAILS, -ENODEV, 0, false},
        {20, INJ_EPIPE, 0, 0, false},
    };
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    check_failed_and_quiet(&r, "cannot recover from an underrun");
    CHECK(strstr(audio_failure(r.audio), snd_strerror(-ENODEV)) != NULL);
    CHECK(audio_xruns(r.audio) == 1);
    CHECK(atomic_load(&writei_calls) == 21);
    end_run(&r);
}

static void endless_underruns_end_in_failure_not_a_spin(void)
{
    /* Every write from 20 on underruns although each recovery succeeds:
     * the backend must give up after a bounded number of tries. */
    static const Injection p[] = {{20, INJ_EPIPE, 0, 0, true}};
    reset_counters(p, (int)HISS_ARRAY_LEN(p));
    Run r;
    CHECK(start_run(&r));
    check_failed_and_quiet(&r, snd_strerror(-EPIPE));
    int calls = atomic_load(&writei_calls);
    CHECK_MSG(calls > 21 && calls <= 20 + 64, "%d writes", calls);
    CHECK_MSG(audio_xruns(r.audio) == (uint32_t)atomic_load(&epipes_injected),
              "%u xruns, %d underruns", audio_xruns(r.audio),
              atomic_load(&epipes_injected));
    end_run(&r);
}

/* Plays about three seconds into a card whose clock runs at `speed` times
 * the machine's; says how often it ran dry. */
static int play_into_a_card(double speed)
{
    reset_counters(NULL, 0);
    card_speed = speed;
    Run r;
    CHECK(start_run(&r));
    for (int i = 0; i < 1000 && atomic_load(&frames_accepted) < 3 * RATE &&
                    audio_state(r.audio) == AUDIO_STATE_RUNNING;
         i++)
        hiss_sleep_ms(10);
    CHECK(audio_state(r.audio) == AUDIO_STATE_RUNNING);
    stop_bounded(&r);
    check_output(&r, 3 * RATE - PERIOD);
    end_run(&r);
    int dry = atomic_load(&card_dry);
    printf("  card at %.2fx the machine's clock: %d writes, ran dry %d times\n", speed,
           atomic_load(&writei_calls), dry);
    return dry;
}

/* A card a little fast would, if hiss held it to the machine's clock,
 * empty its buffer bit by bit and then run dry period after period (at 2%
 * fast: after about 0.8 s, then hundreds of times). It says it is full,
 * and hiss lets the card set the pace. The bound allows the stalls of a
 * busy test machine (6 seen under sanitizers and a load of 11): the fault
 * it guards against runs dry about 400 times. */
enum { CARD_DRY_MAX = 20 };

static void a_card_with_a_fast_clock_never_runs_dry(void)
{
    int dry = play_into_a_card(1.02);
    CHECK_MSG(dry <= CARD_DRY_MAX, "ran dry %d times", dry);
}

static void a_card_with_a_slow_clock_never_runs_dry(void)
{
    int dry = play_into_a_card(0.98);
    CHECK_MSG(dry <= CARD_DRY_MAX, "ran dry %d times", dry);
}

static bool setup(void)
{
    real_open = (OpenFn)dlsym(RTLD_NEXT, "snd_pcm_open");
    real_writei = (WriteiFn)dlsym(RTLD_NEXT, "snd_pcm_writei");
    real_prepare = (PcmFn)dlsym(RTLD_NEXT, "snd_pcm_prepare");
    real_resume = (PcmFn)dlsym(RTLD_NEXT, "snd_pcm_resume");
    real_wait = (WaitFn)dlsym(RTLD_NEXT, "snd_pcm_wait");
    if (!real_open || !real_writei || !real_prepare || !real_resume || !real_wait) {
        fprintf(stderr, "FAIL cannot find alsa-lib's functions: %s\n", dlerror());
        return false;
    }
    snprintf(dir, sizeof dir, "/tmp/hiss_alsa_recover.XXXXXX");
    if (!mkdtemp(dir))
        return false;
    char conf[128];
    snprintf(conf, sizeof conf, "%s/asound.conf", dir);
    snprintf(raw_path, sizeof raw_path, "%s/out.raw", dir);
    FILE *f = fopen(conf, "w");
    if (!f)
        return false;
    /* The whole configuration alsa-lib reads: nothing from the system. */
    fprintf(f, "pcm.hissrec {\n    type file\n    slave { pcm { type null } }\n"
               "    file \"%s\"\n    format \"raw\"\n}\n", raw_path);
    fclose(f);
    setenv("ALSA_CONFIG_PATH", conf, 1);
    return true;
}

int main(void)
{
    alarm(120);
    if (!setup()) {
        test_failed++;
        return test_finish();
    }
    RUN(the_interposed_calls_are_the_ones_hiss_makes);
    RUN(underruns_are_counted_and_lose_no_frame);
    RUN(suspends_are_resumed_without_counting_as_underruns);
    RUN(a_device_that_never_wakes_is_started_afresh);
    RUN(stop_ends_a_wait_for_a_suspended_device);
    RUN(no_room_waits_for_the_device_and_goes_on);
    RUN(an_unplugged_device_fails_once_with_a_reason);
    RUN(a_busy_device_is_an_error_at_once);
    RUN(a_frozen_sound_server_cannot_hang_stop);
    RUN(a_paused_stream_is_waited_out);
    RUN(a_frozen_sound_server_fails_with_a_reason);
    RUN(a_device_dead_at_the_first_write_stays_failed);
    RUN(a_fallback_device_that_will_not_start_falls_through_to_null);
    RUN(an_underrun_that_cannot_be_recovered_fails);
    RUN(endless_underruns_end_in_failure_not_a_spin);
    RUN(a_card_with_a_fast_clock_never_runs_dry);
    RUN(a_card_with_a_slow_clock_never_runs_dry);
    char conf[128];
    snprintf(conf, sizeof conf, "%s/asound.conf", dir);
    unlink(conf);
    unlink(raw_path);
    rmdir(dir);
    return test_finish();
}
