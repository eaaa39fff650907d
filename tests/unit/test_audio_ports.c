/* Per-channel JACK ports follow the song's channel count while hiss runs,
 * proven on a private JACK server (dummy driver) that the test starts, with
 * a recorder client in this process connected through --connect:
 *
 * - Growing and shrinking song->channels (what the editor's channel setting
 *   and undo do; audio_poll notices) registers and unregisters chNN so that
 *   the port list is exactly out_L, out_R, ch01..chNN after each change,
 *   new ports connected per --connect. Meanwhile the stereo mix and the
 *   channel ports that stay equal the offline render sample for sample (no
 *   gap, no repeated period) and no period breaks the real-time rule
 *   (tests/common/rtguard: the period hook arms it).
 * - A song with more channels installed while running (what opening a song
 *   in the editor does) gets its ports, each equal to its stem render.
 * - A channel added in place carries that channel, equal to its stem from
 *   the row it starts on.
 * - A server that comes back gets ports for the song's channel count then.
 * - ALSA and null keep the same count without ports (null checked here).
 *
 * The server runs synchronously (as in jack_play.sh, which says why): an
 * xrun may then only lose whole periods between hiss and the recorder, and
 * each one counted allows one re-alignment where the recording lost 1 to
 * 16 periods, never gained, repeated or reordered any; every recorded frame
 * must be equal (the_comparison_can_fail shows forgeries rejected). No
 * server, no pass: a jackd that cannot start fails the test. */
#include <jack/jack.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "common/jackrec.h"
#include "common/rtguard.h"
#include "common/synth_song.h"
#include "test.h"

/* ThreadSanitizer brings its own malloc and locks, which the guard's
 * interposers would hide from it: under TSan (make TSAN=1) this test looks
 * for races instead, and the guard stays out. */
#if defined(__SANITIZE_THREAD__)
#define PORTS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PORTS_TSAN 1
#endif
#endif
#ifndef PORTS_TSAN
#define PORTS_TSAN 0
RTGUARD_DEFINE_INTERPOSERS()
#endif

/* Under ASan: see test_audio_rt.c (the loader's allocations, made through
 * the interposed malloc, are kept for the life of the process). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:_dl_map_object_deps\nleak:_dl_new_object\nleak:_dl_check_map_versions\n";
}

/* Under TSan: hiss's port buffers reach the recorder through JACK's own
 * hand-over between clients (shared memory and futexes inside libjack,
 * which TSan does not see), so the recorder's reads would show as races
 * with hiss's writes. Only that copy is excused; everything hiss does
 * between its own threads is still checked. */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
    return "race:rec_process\n";
}

#define E VOLUME_EMPTY
enum { RATE = 48000, PERIOD = 1024, REC_INPUTS = 6, REC_SECONDS = 12 };

/* Where hiss's ports go: out_L, out_R, then ch01..ch04. */
#define CONNECT "rec:in_L,rec:in_R,rec:c1,rec:c2,rec:c3,rec:c4"
static const char *const REC_PORTS[REC_INPUTS] = {"in_L", "in_R", "c1", "c2", "c3", "c4"};

static JackrecServer srv = {.synchronous = true};

/* ---- the recorder: a JACK client in this process -------------------------- */

typedef struct {
    jack_client_t *client;
    jack_port_t *in[REC_INPUTS];
    float *buf[REC_INPUTS];
    size_t capacity;
    _Atomic size_t frames;
    _Atomic size_t cycles; /* periods seen, recording or not */
    _Atomic bool on;
    _Atomic int xruns;
} Rec;

static int rec_process(jack_nframes_t nframes, void *arg)
{
    Rec *r = arg;
    atomic_fetch_add(&r->cycles, 1);
    if (!atomic_load(&r->on))
        return 0;
    size_t at = atomic_load_explicit(&r->frames, memory_order_relaxed);
    size_t n = nframes;
    if (n > r->capacity - at)
        n = r->capacity - at;
    for (int i = 0; i < REC_INPUTS; i++)
        memcpy(r->buf[i] + at, jack_port_get_buffer(r->in[i], nframes), n * sizeof(float));
    atomic_store_explicit(&r->frames, at + n, memory_order_release);
    return 0;
}

static int rec_xrun(void *arg)
{
    atomic_fetch_add(&((Rec *)arg)->xruns, 1);
    return 0;
}

static bool rec_open(Rec *r)
{
    memset(r, 0, sizeof *r);
    r->capacity = (size_t)REC_SECONDS * RATE;
    for (int i = 0; i < REC_INPUTS; i++)
        r->buf[i] = calloc(r->capacity, sizeof(float));
    jack_status_t st;
    r->client = jack_client_open("rec", JackNoStartServer, &st);
    if (!r->client) {
        fprintf(stderr, "  recorder: cannot open a client (status 0x%x)\n", (unsigned)st);
        return false;
    }
    for (int i = 0; i < REC_INPUTS; i++)
        r->in[i] = jack_port_register(r->client, REC_PORTS[i], JACK_DEFAULT_AUDIO_TYPE,
                                      JackPortIsInput, 0);
    jack_set_process_callback(r->client, rec_process, r);
    jack_set_xrun_callback(r->client, rec_xrun, r);
    return jack_activate(r->client) == 0;
}

static void rec_close(Rec *r)
{
    if (r->client)
        jack_client_close(r->client);
    r->client = NULL;
    for (int i = 0; i < REC_INPUTS; i++)
        free(r->buf[i]);
}

/* Waits (up to ~10 s) for `periods` more of the server's periods. */
static void rec_wait_periods(Rec *r, size_t periods)
{
    size_t target = atomic_load(&r->cycles) + periods;
    for (int i = 0; i < 1000 && atomic_load(&r->cycles) < target; i++)
        hiss_sleep_ms(10);
}

/* ---- port lists ------------------------------------------------------------- */

/* Whether hiss's client has exactly the audio ports out_L, out_R and ch01..ch<chans>, the
 * channel ports connected to rec:c1.. as far as those exist. */
static bool ports_are(jack_client_t *obs, const char *client, int chans, bool connected,
                      char *why, size_t size)
{
    char pattern[80];
    snprintf(pattern, sizeof pattern, "^%s:", client);
    const char **ports = jack_get_ports(obs, pattern, JACK_DEFAULT_AUDIO_TYPE,
                                        JackPortIsOutput); /* in_L, in_R aside */
    int n = 0;
    while (ports && ports[n])
        n++;
    bool ok = n == 2 + chans;
    if (!ok)
        snprintf(why, size, "%d ports, want %d", n, 2 + chans);
    for (int i = 0; ok && i < 2 + chans; i++) {
        char name[96];
        if (i < 2)
            snprintf(name, sizeof name, "%s:out_%c", client, i ? 'R' : 'L');
        else
            snprintf(name, sizeof name, "%s:ch%02d", client, i - 1);
        jack_port_t *p = jack_port_by_name(obs, name);
        if (!p) {
            snprintf(why, size, "no %s", name);
            ok = false;
        } else if (connected && i < REC_INPUTS) {
            char target[32];
            snprintf(target, sizeof target, "rec:%s", REC_PORTS[i]);
            if (!jack_port_connected_to(p, target)) {
                snprintf(why, size, "%s is not connected to %s", name, target);
                ok = false;
            }
        }
    }
    if (ports)
        jack_free((void *)ports);
    return ok;
}

/* A new connection shows to other clients from the server's next cycle
 * on: wait (up to ~5 s) for the list to be right before saying it is not. */
static bool ports_become(jack_client_t *obs, const char *client, int chans, bool connected,
                         char *why, size_t size)
{
    for (int i = 0; i < 500; i++) {
        if (ports_are(obs, client, chans, connected, why, size))
            return true;
        hiss_sleep_ms(10);
    }
    return false;
}

#define CHECK_PORTS(obs, client, chans, connected)                                \
    do {                                                                          \
        char why_[160] = "";                                                      \
        CHECK_MSG(ports_become(obs, client, chans, connected, why_, sizeof why_), \
                  "%d channels: %s", chans, why_);                                \
    } while (0)

/* ---- reference render and comparison ---------------------------------------- */

typedef struct {
    float *mix;                       /* interleaved stereo */
    float *stem[SONG_MAX_CHANNELS];   /* one mono buffer per channel */
    int stems;
    size_t frames;
} Ref;

/* The song from its start, rendered offline with one buffer per channel
 * (the same path JACK's per-channel ports take). */
static void ref_render(Ref *ref, Song *song, size_t frames, int stems)
{
    memset(ref, 0, sizeof *ref);
    ref->frames = frames;
    ref->stems = stems;
    ref->mix = calloc(frames * 2, sizeof(float));
    for (int c = 0; c < stems; c++)
        ref->stem[c] = calloc(frames, sizeof(float));
    Engine *e = engine_new(song, RATE);
    engine_play_song_now(e, 0, 0, false);
    float *ptr[SONG_MAX_CHANNELS];
    for (size_t done = 0; done < frames; done += 256) {
        uint32_t n = frames - done < 256 ? (uint32_t)(frames - done) : 256;
        for (int c = 0; c < stems; c++)
            ptr[c] = ref->stem[c] + done;
        engine_render_channels(e, ref->mix + 2 * done, ptr, stems, n);
    }
    engine_free(e);
}

static void ref_free(Ref *ref)
{
    free(ref->mix);
    for (int c = 0; c < ref->stems; c++)
        free(ref->stem[c]);
}

/* One recorded stream against its reference (stride 2 for a side of the
 * mix, 1 for a stem). */
typedef struct {
    const float *rec;
    size_t rec_frames;
    const float *ref;
    size_t stride, ref_frames;
} Stream;

static float ref_at(const Stream *s, long i)
{
    return i >= 0 && (size_t)i < s->ref_frames ? s->ref[(size_t)i * s->stride] : 0.0f;
}

/* Whether rec[from, from+len) equals ref shifted by off (rec i = ref i-off)
 * exactly, for every stream, with some sound in it unless `silence_ok`. */
static bool match(const Stream *s, int ns, long off, size_t from, size_t len, bool silence_ok)
{
    bool sound = false;
    for (int k = 0; k < ns; k++)
        for (size_t i = from; i < from + len && i < s[k].rec_frames; i++) {
            float want = ref_at(&s[k], (long)i - off);
            if (s[k].rec[i] != want)
                return false;
            sound |= want != 0.0f;
        }
    return sound || silence_ok;
}

static long first_sound(const float *x, size_t n, size_t stride)
{
    for (size_t i = 0; i < n; i++)
        if (x[i * stride] != 0.0f)
            return (long)i;
    return -1;
}

/* Walks the recording from `from` to its end: every frame must equal the
 * reference at offset *off. Up to `gaps` times (the xruns counted) the walk
 * may re-align where the recording lost 1 to 16 whole periods, and only
 * there: a gap is missing frames, so a recording that gained, repeated or
 * reordered frames still fails, and no recorded frame goes unchecked (the
 * server runs synchronously, see jackrec_server_start, so nothing else is
 * lost). The loss must show in the 4096 frames after it, or in all that
 * is left when less remains. *lost counts the frames lost. */
static bool compare(const Stream *s, int ns, long *off, size_t from, int gaps,
                    size_t *lost, char *why, size_t size)
{
    size_t end = s[0].rec_frames;
    int used = 0;
    *lost = 0;
    for (size_t i = from; i < end; i++) {
        bool same = true;
        for (int k = 0; k < ns && same; k++)
            same = s[k].rec[i] == ref_at(&s[k], (long)i - *off);
        if (same)
            continue;
        bool found = false;
        size_t len = end - i < 4096 ? end - i : 4096;
        for (long k = 1; k <= 16 && !found && used < gaps; k++)
            if (match(s, ns, *off - k * PERIOD, i, len, len < 4096)) {
                *off -= k * PERIOD;
                *lost += (size_t)k * PERIOD;
                found = true;
            }
        if (!found) {
            int k = 0;
            while (k < ns - 1 && s[k].rec[i] == ref_at(&s[k], (long)i - *off))
                k++;
            snprintf(why, size, "stream %d, recorded frame %zu differs (%.9g, want %.9g)", k,
                     i, (double)s[k].rec[i], (double)ref_at(&s[k], (long)i - *off));
            return false;
        }
        used++;
    }
    return true;
}

/* ---- songs -------------------------------------------------------------------- */

static const double FREQ[4] = {200, 300, 450, 700};

/* `pattern_channels` channels of 64 rows at 125 BPM, speed 6 (5760 frames a
 * row); instrument k+1 a looped sine at FREQ[k] (whole cycles in the loop)
 * and k+5 a short burst of it, 2000 frames, over well before a row ends. */
static Song *make_song(int pattern_channels)
{
    Song *s = synth_song(pattern_channels, 64, 125, 6);
    for (int k = 0; k < 4; k++) {
        synth_set_instrument(s, k + 1,
                             synth_instrument(synth_sine(RATE, FREQ[k], 4800, 1, 0.25f),
                                              LOOP_FORWARD, 0, 0, INTERP_LINEAR));
        synth_set_instrument(s, k + 5,
                             synth_instrument(synth_sine(RATE, FREQ[k], 2000, 1, 0.25f),
                                              LOOP_OFF, 0, 0, INTERP_LINEAR));
    }
    return s;
}

static Audio *open_jack(const char *client, bool per_channel, const char *connect,
                        uint32_t *rate)
{
    AudioOptions o = {.backend = "jack", .client_name = client,
                      .per_channel_ports = per_channel, .connect = connect,
                      .no_connect = connect == NULL};
    Audio *a = NULL;
    HissDiag why = {{0}};
    if (audio_open(&a, &o, rate, &why) != HISS_OK) {
        fprintf(stderr, "  cannot open jack: %s\n", why.text);
        return NULL;
    }
    return a;
}

static void play(Engine *e)
{
    EngineCommand play = {.type = ENGINE_CMD_PLAY_SONG};
    CHECK(engine_send(e, &play));
}

/* ---- the tests ---------------------------------------------------------------- */

static void channel_count_changes_move_the_ports_not_the_mix(void)
{
    /* Channels 1 and 2 hold two notes for the whole run; 3 and 4 are
     * empty, so the mix is the same whatever the count between 2 and 4. */
    Song *song = make_song(4);
    synth_put(song, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    synth_put(song, 0, 0, 1, NOTE_C4, 2, E, 0, 0);
    atomic_store(&song->channels, 2);
    Rec rec;
    CHECK(rec_open(&rec));
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_pc", true, CONNECT, &rate);
    CHECK(a != NULL);
    if (!a) {
        rec_close(&rec);
        song_free(song);
        return;
    }
    CHECK(rate == RATE);
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    audio_set_period_hook(a, rtguard_period_hook, NULL);
    rtguard_reset();
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(audio_channel_outputs(a) == 2);
    CHECK_PORTS(rec.client, "hiss_pc", 2, true);

    atomic_store(&rec.on, true);
    rec_wait_periods(&rec, 3);
    play(e);
    static const int counts[] = {4, 3, 2, 4, 2, 3, 4, 3, 2, 4, 4, 2, 3, 2};
    for (size_t i = 0; i < HISS_ARRAY_LEN(counts); i++) {
        rec_wait_periods(&rec, 4);
        atomic_store(&song->channels, counts[i]);
        audio_poll(a);
        CHECK(audio_channel_outputs(a) == counts[i]);
        CHECK_PORTS(rec.client, "hiss_pc", counts[i], true);
    }
    rec_wait_periods(&rec, 8);
    atomic_store(&rec.on, false);
    audio_stop(a);
    CHECK(rtguard_interposed() || PORTS_TSAN);
    unsigned long violations = rtguard_violations();
    CHECK_MSG(violations == 0, "%lu real-time violations, the last in %s", violations,
              rtguard_last());
    int xruns = (int)audio_xruns(a);
    if (atomic_load(&rec.xruns) > xruns)
        xruns = atomic_load(&rec.xruns);
    audio_close(a);
    engine_free(e);

    size_t frames = atomic_load(&rec.frames);
    CHECK(frames > (size_t)(HISS_ARRAY_LEN(counts) * 4 * PERIOD));
    Ref ref;
    ref_render(&ref, song, frames + RATE, 4);
    Stream s[4] = {
        {rec.buf[0], frames, ref.mix, 2, ref.frames},
        {rec.buf[1], frames, ref.mix + 1, 2, ref.frames},
        {rec.buf[2], frames, ref.stem[0], 1, ref.frames},
        {rec.buf[3], frames, ref.stem[1], 1, ref.frames},
    };
    long on_rec = first_sound(rec.buf[0], frames, 1);
    long on_ref = first_sound(ref.mix, ref.frames, 2);
    CHECK(on_rec >= 0 && on_ref >= 0);
    long off = on_rec - on_ref;
    char why[160] = "";
    size_t lost = 0;
    CHECK_MSG(compare(s, 4, &off, 0, xruns, &lost, why, sizeof why),
              "mix and ch01/ch02 (%d xruns): %s", xruns, why);
    printf("  %zu frames, %zu port changes: mix and ch01/ch02 equal the render "
           "(%d xruns, %zu frames lost)\n", frames, HISS_ARRAY_LEN(counts), xruns, lost);
    /* Channels 3 and 4 are empty: their ports carried silence, never a
     * stale buffer. */
    CHECK(first_sound(rec.buf[4], frames, 1) < 0);
    CHECK(first_sound(rec.buf[5], frames, 1) < 0);
    ref_free(&ref);
    rec_close(&rec);
    song_free(song);
}

static void a_new_song_with_more_channels_gets_its_ports(void)
{
    Song *small = make_song(2);
    Song *big = make_song(4);
    for (int c = 0; c < 4; c++)
        synth_put(big, 0, 0, c, NOTE_C4, (uint8_t)(c + 1), E, 0, 0);
    Rec rec;
    CHECK(rec_open(&rec));
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_ns", true, CONNECT, &rate);
    CHECK(a != NULL);
    if (!a) {
        rec_close(&rec);
        song_free(small);
        song_free(big);
        return;
    }
    Engine *e = engine_new(small, rate);
    audio_set_song(a, small);
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK_PORTS(rec.client, "hiss_ns", 2, true);

    /* As the editor opens a song: the engine gets it, then the audio. */
    EngineCommand install = {.type = ENGINE_CMD_INSTALL_SONG, .ptr = big};
    CHECK(engine_send(e, &install));
    audio_set_song(a, big);
    CHECK(audio_channel_outputs(a) == 4);
    CHECK_PORTS(rec.client, "hiss_ns", 4, true);
    atomic_store(&rec.on, true);
    rec_wait_periods(&rec, 3);
    play(e);
    rec_wait_periods(&rec, RATE / PERIOD * 2);
    atomic_store(&rec.on, false);
    int xruns = (int)audio_xruns(a);
    if (atomic_load(&rec.xruns) > xruns)
        xruns = atomic_load(&rec.xruns);

    size_t frames = atomic_load(&rec.frames);
    Ref ref;
    ref_render(&ref, big, frames + RATE, 4);
    Stream s[6] = {
        {rec.buf[0], frames, ref.mix, 2, ref.frames},
        {rec.buf[1], frames, ref.mix + 1, 2, ref.frames},
    };
    for (int c = 0; c < 4; c++)
        s[2 + c] = (Stream){rec.buf[2 + c], frames, ref.stem[c], 1, ref.frames};
    long off = first_sound(rec.buf[0], frames, 1) - first_sound(ref.mix, ref.frames, 2);
    char why[160] = "";
    size_t lost = 0;
    CHECK_MSG(compare(s, 6, &off, 0, xruns, &lost, why, sizeof why),
              "mix and ch01..ch04 against the render and stems (%d xruns): %s", xruns, why);
    for (int c = 0; c < 4; c++)
        CHECK_MSG(first_sound(rec.buf[2 + c], frames, 1) >= 0, "ch%02d silent", c + 1);
    printf("  new song: %zu frames on out_L/R and ch01..ch04 equal the render and "
           "stems (%d xruns, %zu frames lost)\n", frames, xruns, lost);

    /* The same song narrowed to one channel: three ports go. */
    atomic_store(&big->channels, 1);
    audio_poll(a);
    CHECK(audio_channel_outputs(a) == 1);
    CHECK_PORTS(rec.client, "hiss_ns", 1, true);
    audio_close(a);
    engine_collect_garbage(e); /* the small song came back: freed */
    engine_free(e);
    ref_free(&ref);
    rec_close(&rec);
    song_free(big);
}

static void a_channel_added_in_place_carries_its_sound(void)
{
    /* Channel 1 holds a note; channels 3 and 4 strike a short burst every
     * row, so from the first row they play on they equal their stems. */
    Song *song = make_song(4);
    synth_put(song, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    for (int row = 0; row < 64; row++) {
        synth_put(song, 0, row, 2, NOTE_C4, 7, E, 0, 0);
        synth_put(song, 0, row, 3, NOTE_C4, 8, E, 0, 0);
    }
    atomic_store(&song->channels, 2);
    Rec rec;
    CHECK(rec_open(&rec));
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_ip", true, CONNECT, &rate);
    CHECK(a != NULL);
    if (!a) {
        rec_close(&rec);
        song_free(song);
        return;
    }
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    atomic_store(&rec.on, true);
    rec_wait_periods(&rec, 3);
    play(e);
    rec_wait_periods(&rec, 20);
    atomic_store(&song->channels, 4);
    audio_poll(a);
    CHECK_PORTS(rec.client, "hiss_ip", 4, true);
    /* Four rows at least (a row is 5760 frames). */
    rec_wait_periods(&rec, 30);
    atomic_store(&rec.on, false);
    int xruns = (int)audio_xruns(a);
    if (atomic_load(&rec.xruns) > xruns)
        xruns = atomic_load(&rec.xruns);
    audio_close(a);
    engine_free(e);

    size_t frames = atomic_load(&rec.frames);
    Ref ref;
    ref_render(&ref, song, frames + RATE, 4);
    /* Aligned on channel 1, present all along. */
    Stream one = {rec.buf[2], frames, ref.stem[0], 1, ref.frames};
    long off0 = first_sound(rec.buf[2], frames, 1) - first_sound(ref.stem[0], ref.frames, 1);
    long off = off0;
    char why[160] = "";
    size_t lost = 0;
    CHECK_MSG(compare(&one, 1, &off, 0, xruns, &lost, why, sizeof why), "ch01: %s", why);
    for (int c = 2; c < 4; c++) {
        long on = first_sound(rec.buf[2 + c], frames, 1);
        CHECK_MSG(on > 0, "ch%02d silent after it was added", c + 1);
        if (on <= 0)
            continue;
        /* The alignment at `on` (an xrun before it may have moved it),
         * then the new channel with channel 1 from there on. */
        Stream upto = one;
        upto.rec_frames = (size_t)on;
        long o = off0;
        compare(&upto, 1, &o, 0, xruns, &lost, why, sizeof why);
        Stream both[2] = {one, {rec.buf[2 + c], frames, ref.stem[c], 1, ref.frames}};
        CHECK_MSG(compare(both, 2, &o, (size_t)on, xruns, &lost, why, sizeof why),
                  "ch%02d against its stem from frame %ld: %s", c + 1, on, why);
        CHECK_MSG(frames - (size_t)on > 2 * 5760, "ch%02d heard for %zu frames only", c + 1,
                  frames - (size_t)on);
    }
    printf("  channels 3 and 4 added while playing: their ports equal their stems\n");
    ref_free(&ref);
    rec_close(&rec);
    song_free(song);
}

/* A recorder in a process of its own (tools/jackrec record NAME ... 6):
 * after a server restart a client this process opened before could not
 * be seen by hiss's new one (libjack keeps per-process state while any
 * client of the old server lives), so the targets hiss connects to on
 * reconnecting live elsewhere. Returns its pid once its ports exist. */
static pid_t spawn_recorder(const char *name)
{
    const char *build = getenv("BUILD");
    char tool[256];
    snprintf(tool, sizeof tool, "%s/tools/jackrec", build && *build ? build : "build");
    int fds[2];
    if (access(tool, X_OK) != 0 || pipe(fds) != 0) {
        fprintf(stderr, "  cannot run %s\n", tool);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        dup2(fds[1], 1);
        close(fds[0]);
        execl(tool, "jackrec", "record", name, "/dev/null", "60", "6", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[64] = "";
    struct pollfd pfd = {fds[0], POLLIN, 0};
    size_t got = 0;
    while (pid > 0 && got < sizeof line - 1 && !strchr(line, '\n') &&
           poll(&pfd, 1, 10000) > 0) {
        ssize_t n = read(fds[0], line + got, sizeof line - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        line[got] = 0;
    }
    close(fds[0]);
    if (pid > 0 && strncmp(line, "ready", 5)) {
        fprintf(stderr, "  %s did not get ready\n", tool);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

static void stop_recorder(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

/* Whether hiss's channel ports are connected to recx:in_3.. (what
 * RECX_CONNECT asks), looked at through a fresh client. */
#define RECX_CONNECT "recx:in_1,recx:in_2,recx:in_3,recx:in_4,recx:in_5,recx:in_6"

static void check_recx(const char *client, int chans)
{
    jack_status_t st;
    jack_client_t *obs = jack_client_open("observer", JackNoStartServer, &st);
    CHECK(obs != NULL);
    if (!obs)
        return;
    CHECK_PORTS(obs, client, chans, false);
    for (int i = 0; i < 2 + chans; i++) {
        char name[64], target[32];
        if (i < 2)
            snprintf(name, sizeof name, "%s:out_%c", client, i ? 'R' : 'L');
        else
            snprintf(name, sizeof name, "%s:ch%02d", client, i - 1);
        snprintf(target, sizeof target, "recx:in_%d", i + 1);
        jack_port_t *p = jack_port_by_name(obs, name);
        for (int k = 0; k < 500 && p && !jack_port_connected_to(p, target); k++)
            hiss_sleep_ms(10);
        CHECK_MSG(p && jack_port_connected_to(p, target), "%s not connected to %s", name,
                  target);
    }
    jack_client_close(obs);
}

static void a_server_that_returns_gets_the_current_count(void)
{
    Song *song = make_song(4);
    atomic_store(&song->channels, 2);
    pid_t recx = spawn_recorder("recx");
    CHECK(recx > 0);
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_rc", true, RECX_CONNECT, &rate);
    CHECK(a != NULL);
    if (!a) {
        stop_recorder(recx);
        song_free(song);
        return;
    }
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    check_recx("hiss_rc", 2);
    stop_recorder(recx);
    jackrec_server_stop(&srv, false);
    for (int i = 0; i < 250 && audio_state(a) != AUDIO_STATE_SERVER_GONE; i++)
        hiss_sleep_ms(20);
    CHECK(audio_state(a) == AUDIO_STATE_SERVER_GONE);
    /* The song grows while there is no server: nothing to register. */
    atomic_store(&song->channels, 4);
    CHECK(audio_poll(a) & AUDIO_EVENT_SERVER_GONE);
    /* A try while nobody is there lets the dead client go (libjack wants
     * it closed before this process opens any other, the probe of
     * jackrec_server_start included). */
    CHECK(audio_reconnect(a) != HISS_OK);
    CHECK(jackrec_server_start(&srv, RATE, PERIOD));
    recx = spawn_recorder("recx");
    CHECK(recx > 0);
    CHECK(audio_reconnect(a) == HISS_OK);
    CHECK(audio_channel_outputs(a) == 4);
    check_recx("hiss_rc", 4);
    /* And follows again once it is back. */
    atomic_store(&song->channels, 3);
    audio_poll(a);
    CHECK(audio_channel_outputs(a) == 3);
    check_recx("hiss_rc", 3);
    audio_close(a);
    stop_recorder(recx);
    engine_free(e);
    song_free(song);
}

static void stereo_only_never_makes_channel_ports(void)
{
    Song *song = make_song(4);
    uint32_t rate = 0;
    Audio *a = open_jack("hiss_st", false, NULL, &rate);
    CHECK(a != NULL);
    if (!a) {
        song_free(song);
        return;
    }
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_start(a, e) == HISS_OK);
    jack_status_t st;
    jack_client_t *obs = jack_client_open("observer", JackNoStartServer, &st);
    CHECK(obs != NULL);
    atomic_store(&song->channels, 8);
    audio_poll(a);
    CHECK(audio_channel_outputs(a) == 0);
    if (obs) {
        CHECK_PORTS(obs, "hiss_st", 0, false);
        jack_client_close(obs);
    }
    audio_close(a);
    engine_free(e);
    song_free(song);
}

static void the_comparison_can_fail(void)
{
    /* A reference, a recording of it 300 frames late, then the same with
     * one sample off by the smallest step, and with a period dropped. */
    enum { N = 40000 };
    float *ref = malloc(N * sizeof(float)), *rec = calloc(N, sizeof(float));
    for (int i = 0; i < N; i++)
        ref[i] = (float)((i * 7919 % 1000) + 1) / 1000.0f;
    for (int i = 300; i < N; i++)
        rec[i] = ref[i - 300];
    Stream st = {rec, N, ref, 1, N};
    char why[160];
    size_t lost;
    long off = first_sound(rec, N, 1) - first_sound(ref, N, 1);
    CHECK(off == 300);
    CHECK(compare(&st, 1, &off, 0, 0, &lost, why, sizeof why) && lost == 0);
    rec[20000] = nextafterf(rec[20000], 2.0f);
    off = 300;
    CHECK(!compare(&st, 1, &off, 0, 0, &lost, why, sizeof why));
    rec[20000] = ref[20000 - 300];
    /* Xruns excuse a damaged stretch, never a difference that stays. */
    for (int i = 15000; i < N; i++)
        rec[i] *= 1.001f;
    off = 300;
    CHECK(!compare(&st, 1, &off, 0, 4, &lost, why, sizeof why));
    for (int i = 300; i < N; i++)
        rec[i] = ref[i - 300];
    memmove(rec + 10000, rec + 10000 + PERIOD, (N - 10000 - PERIOD) * sizeof(float));
    st.rec_frames = N - PERIOD;
    off = 300;
    CHECK(!compare(&st, 1, &off, 0, 0, &lost, why, sizeof why));
    off = 300;
    CHECK(compare(&st, 1, &off, 0, 1, &lost, why, sizeof why));
    CHECK(off == 300 - PERIOD && lost == PERIOD);
    /* A gap is missing frames only. Forgeries an allowance must not
     * excuse: five periods played again, two periods swapped, a period of
     * silence inserted (each with every frame still from the reference). */
    size_t big = N + 5 * PERIOD;
    float *forged = calloc(big, sizeof(float));
    for (int i = 300; i < N; i++)
        rec[i] = ref[i - 300];
    memcpy(forged, rec, 10000 * sizeof(float));
    memcpy(forged + 10000, rec + 10000 - 5 * PERIOD, 5 * PERIOD * sizeof(float));
    memcpy(forged + 10000 + 5 * PERIOD, rec + 10000, (N - 10000) * sizeof(float));
    Stream fst = {forged, big, ref, 1, N};
    off = 300;
    CHECK(!compare(&fst, 1, &off, 0, 1, &lost, why, sizeof why));
    off = 300;
    CHECK(!compare(&fst, 1, &off, 0, 16, &lost, why, sizeof why));
    memcpy(forged, rec, N * sizeof(float));
    memcpy(forged + 10000, rec + 10000 + PERIOD, PERIOD * sizeof(float));
    memcpy(forged + 10000 + PERIOD, rec + 10000, PERIOD * sizeof(float));
    fst.rec_frames = N;
    off = 300;
    CHECK(!compare(&fst, 1, &off, 0, 4, &lost, why, sizeof why));
    memcpy(forged, rec, 10000 * sizeof(float));
    memset(forged + 10000, 0, PERIOD * sizeof(float));
    memcpy(forged + 10000 + PERIOD, rec + 10000, (N - 10000) * sizeof(float));
    fst.rec_frames = N + PERIOD;
    off = 300;
    CHECK(!compare(&fst, 1, &off, 0, 4, &lost, why, sizeof why));
    free(forged);
    free(ref);
    free(rec);
}

static void null_backend_follows_the_count_while_running(void)
{
    /* The null (and ALSA) backends render channels into buffers of their
     * own; the count they render follows the song the same way. Run under
     * TSan (make TSAN=1) this is also a race check of the count's path. */
    Song *song = make_song(4);
    synth_put(song, 0, 0, 0, NOTE_C4, 1, E, 0, 0);
    atomic_store(&song->channels, 3);
    AudioOptions o = {.backend = "null", .per_channel_ports = true, .period = 64};
    Audio *a = NULL;
    uint32_t rate = 0;
    CHECK(audio_open(&a, &o, &rate, NULL) == HISS_OK);
    if (!a) {
        song_free(song);
        return;
    }
    Engine *e = engine_new(song, rate);
    audio_set_song(a, song);
    CHECK(audio_channel_outputs(a) == 0); /* not started yet */
    CHECK(audio_start(a, e) == HISS_OK);
    CHECK(audio_channel_outputs(a) == 3);
    play(e);
    unsigned seed = 7;
    for (int i = 0; i < 200; i++) {
        seed = seed * 1103515245u + 12345u;
        int n = 1 + (int)(seed >> 16) % SONG_MAX_CHANNELS;
        atomic_store(&song->channels, n);
        audio_poll(a);
        CHECK(audio_channel_outputs(a) == n);
        if (i % 20 == 0)
            hiss_sleep_ms(2);
    }
    CHECK(atomic_load(&engine_status(e)->frames_rendered) > 0);
    audio_close(a);
    engine_free(e);
    song_free(song);
}

int main(void)
{
    RUN(the_comparison_can_fail);
    RUN(null_backend_follows_the_count_while_running);
    if (!jackrec_server_start(&srv, RATE, PERIOD)) {
        fprintf(stderr, "FAIL cannot start a JACK server\n");
        test_failed++;
        return test_finish();
    }
    RUN(stereo_only_never_makes_channel_ports);
    RUN(channel_count_changes_move_the_ports_not_the_mix);
    RUN(a_new_song_with_more_channels_gets_its_ports);
    RUN(a_channel_added_in_place_carries_its_sound);
    RUN(a_server_that_returns_gets_the_current_count);
    jackrec_server_stop(&srv, false);
    return test_finish();
}
