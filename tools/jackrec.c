/* jackrec: the test suite's ears.
 *
 *   jackrec record NAME OUT.wav SECONDS CHANNELS
 *       A JACK client NAME with input ports in_1..in_CHANNELS records
 *       SECONDS of audio into a float WAV, from the moment it activates
 *       (leading silence included), then exits. SIGTERM or SIGINT end the
 *       recording early and still write the file. It never starts a server.
 *       It prints "ready" once its ports exist, so a script can wait for it.
 *
 *   jackrec compare REF REC [--ref-ch LIST] [--rec-ch LIST] [--tol T]
 *                   [--min-frames N]
 *       Aligns REC to REF and compares the listed channels (comma-separated,
 *       0-based, default 0,1) sample by sample. The offset is found from the
 *       first sample above -80 dBFS in each file and then refined within
 *       +-512 frames by the smallest difference over the first 8192 frames,
 *       so a recording that starts mid-period or a first sample that happens
 *       to be quiet still lines up. Passes when the largest difference over
 *       the overlap is <= T (default 0: exact) and at least N frames
 *       (default 48000) were compared. A file ending in .raw is read as
 *       headerless float32 little-endian, 2 channels, unless
 *       --raw-channels C (or --raw-s16, 16-bit) says otherwise.
 *       --frames N compares the reference's first N frames only (what the
 *       player was asked to play).
 *       --offset N skips the search (the recording's frame N is the
 *       reference's frame 0), for channels aligned by their mix.
 *       --max-gaps N (with --period P, default 256) lets the comparison
 *       re-align up to N times, for the periods an xrun loses between
 *       player and recorder (pass the xrun count the player reported). A
 *       gap is missing frames only: the recording may lose whole periods
 *       (up to 16), never gain, repeat, reorder or damage any, so every
 *       recorded frame must match (servers in synchronous mode, -S, lose
 *       nothing else; see jack_play.sh).
 *       Exit 0 on a match, 1 on a difference, 2 on bad use or unreadable
 *       files. The "max difference" printed is over the frames compared
 *       and the mismatch that ended the walk, if one did (a stretch a gap
 *       excused is not in it).
 *
 *   jackrec channels SONG DIR SECONDS RATE
 *       The offline reference for per-channel ports: renders SONG from its
 *       start, without JACK, through the same engine call the ports take
 *       (engine_render_channels), and writes each song channel's mono
 *       output as DIR/chNN.wav (float). Stems (hiss render --stems) are
 *       stereo after pan and fader, which ports are not.
 *
 *   jackrec wait-server SECONDS | ports [REGEX] | connect SRC DST
 *       Small JACK chores for test scripts, none of which starts a server.
 *
 *   jackrec midi DST [MS:STATUS:KEY:VELOCITY ...]
 *       A JACK client "midisend" with a MIDI output connected to DST sends
 *       each message (hex status, decimal key and velocity) MS milliseconds
 *       after the one before, then exits. It prints "sent" at the end.
 *
 *   jackrec play IN.wav DST [DST...]
 *       A JACK client "player" with one output per channel of IN.wav,
 *       output k connected to the k-th DST, plays the file once, from
 *       a period boundary a moment after the connections took effect,
 *       then silence; it prints "playing" as it starts and "played" once
 *       the last frame went out, then exits.
 *
 *   jackrec silent FILE [--ch LIST]
 *       Exit 0 when every listed channel is silent (all zero), 1 otherwise
 *       (also for a file without frames), 2 for a channel the file lacks;
 *       prints the peak.
 */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "engine.h"
#include "songio.h"

enum { MAX_CH = 72 };

/* ---- record ---------------------------------------------------------- */

static jack_port_t *rec_ports[MAX_CH];
static int rec_channels;
static float *rec_buf;
static size_t rec_capacity; /* frames */
static _Atomic size_t rec_frames;
static volatile sig_atomic_t rec_stop;
static _Atomic int rec_xruns;

static int rec_on_xrun(void *arg)
{
    (void)arg;
    atomic_fetch_add(&rec_xruns, 1);
    return 0;
}

static int rec_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    size_t at = atomic_load_explicit(&rec_frames, memory_order_relaxed);
    size_t n = nframes;
    if (at + n > rec_capacity)
        n = rec_capacity - at;
    for (int c = 0; c < rec_channels; c++) {
        const float *in = jack_port_get_buffer(rec_ports[c], nframes);
        for (size_t i = 0; i < n; i++)
            rec_buf[(at + i) * (size_t)rec_channels + (size_t)c] = in[i];
    }
    atomic_store_explicit(&rec_frames, at + n, memory_order_release);
    return 0;
}

static void rec_on_signal(int sig)
{
    (void)sig;
    rec_stop = 1;
}

static int write_wav(const char *path, const float *data, size_t frames, int channels,
                     int rate)
{
    SF_INFO info = {0};
    info.samplerate = rate;
    info.channels = channels;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "jackrec: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    sf_count_t w = sf_writef_float(f, data, (sf_count_t)frames);
    sf_close(f);
    return w == (sf_count_t)frames ? 0 : 1;
}

static int cmd_record(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: jackrec record NAME OUT.wav SECONDS CHANNELS\n");
        return 2;
    }
    const char *name = argv[0], *out = argv[1];
    double seconds = atof(argv[2]);
    rec_channels = atoi(argv[3]);
    if (seconds <= 0 || rec_channels < 1 || rec_channels > MAX_CH) {
        fprintf(stderr, "jackrec: bad SECONDS or CHANNELS\n");
        return 2;
    }
    jack_status_t status;
    jack_client_t *client = jack_client_open(name, JackNoStartServer | JackUseExactName,
                                             &status);
    if (!client) {
        fprintf(stderr, "jackrec: cannot open client %s (status 0x%x)\n", name,
                (unsigned)status);
        return 1;
    }
    int rate = (int)jack_get_sample_rate(client);
    rec_capacity = (size_t)(seconds * rate);
    rec_buf = calloc(rec_capacity * (size_t)rec_channels, sizeof(float));
    if (!rec_buf)
        return 1;
    for (int c = 0; c < rec_channels; c++) {
        char pname[16];
        snprintf(pname, sizeof pname, "in_%d", c + 1);
        rec_ports[c] = jack_port_register(client, pname, JACK_DEFAULT_AUDIO_TYPE,
                                          JackPortIsInput, 0);
        if (!rec_ports[c])
            return 1;
    }
    signal(SIGTERM, rec_on_signal);
    signal(SIGINT, rec_on_signal);
    jack_set_process_callback(client, rec_process, NULL);
    jack_set_xrun_callback(client, rec_on_xrun, NULL);
    if (jack_activate(client)) {
        fprintf(stderr, "jackrec: cannot activate\n");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    struct timespec nap = {0, 10000000};
    while (!rec_stop && atomic_load(&rec_frames) < rec_capacity)
        nanosleep(&nap, NULL);
    jack_deactivate(client);
    jack_client_close(client);
    size_t frames = atomic_load(&rec_frames);
    fprintf(stderr, "jackrec: %zu frames at %d Hz, %d xruns\n", frames, rate,
            atomic_load(&rec_xruns));
    return write_wav(out, rec_buf, frames, rec_channels, rate);
}

/* ---- compare --------------------------------------------------------- */

typedef struct {
    float *data;
    size_t frames;
    int channels;
} Clip;

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static int raw_channels = 2;
static bool raw_s16;

static int load_clip(const char *path, Clip *clip)
{
    SF_INFO info = {0};
    if (ends_with(path, ".raw")) {
        info.samplerate = 48000;
        info.channels = raw_channels;
        info.format = SF_FORMAT_RAW | (raw_s16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT) |
                      SF_ENDIAN_LITTLE;
    }
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "jackrec: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    clip->channels = info.channels;
    clip->frames = (size_t)info.frames;
    clip->data = malloc((clip->frames ? clip->frames : 1) * (size_t)info.channels *
                        sizeof(float));
    if (!clip->data)
        return 1;
    sf_count_t got = sf_readf_float(f, clip->data, (sf_count_t)clip->frames);
    clip->frames = got > 0 ? (size_t)got : 0;
    sf_close(f);
    return 0;
}

static int parse_list(const char *s, int *out, int max)
{
    int n = 0;
    while (*s && n < max) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s)
            return -1;
        out[n++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return n;
}

static float sample_at(const Clip *c, size_t frame, int ch)
{
    return c->data[frame * (size_t)c->channels + (size_t)ch];
}

static long first_sound(const Clip *c, const int *chs, int n)
{
    for (size_t i = 0; i < c->frames; i++)
        for (int k = 0; k < n; k++)
            if (fabsf(sample_at(c, i, chs[k])) > 1e-4f)
                return (long)i;
    return -1;
}

/* Largest difference over `frames` frames with rec shifted by offset
 * (rec frame = ref frame + offset); frames past either end are skipped. */
static double max_diff(const Clip *ref, const int *rch, const Clip *rec, const int *cch,
                       int n, long offset, size_t start, size_t frames, size_t *compared)
{
    double worst = 0;
    size_t count = 0;
    for (size_t i = start; i < start + frames && i < ref->frames; i++) {
        long j = (long)i + offset;
        if (j < 0)
            continue;
        if ((size_t)j >= rec->frames)
            break;
        for (int k = 0; k < n; k++) {
            double d = fabs((double)sample_at(ref, i, rch[k]) -
                            (double)sample_at(rec, (size_t)j, cch[k]));
            if (d > worst)
                worst = d;
        }
        count++;
    }
    if (compared)
        *compared = count;
    return worst;
}

static int cmd_compare(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: jackrec compare REF REC [options]\n");
        return 2;
    }
    int rch[MAX_CH] = {0, 1}, cch[MAX_CH] = {0, 1};
    int nr = 2, nc = 2;
    double tol = 0;
    long min_frames = 48000;
    long max_frames = LONG_MAX;
    int max_gaps = 0;
    long period = 256;
    long forced_offset = LONG_MIN;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(argv[i], "--ref-ch")) {
            nr = parse_list(v, rch, MAX_CH);
            i++;
        } else if (!strcmp(argv[i], "--rec-ch")) {
            nc = parse_list(v, cch, MAX_CH);
            i++;
        } else if (!strcmp(argv[i], "--tol")) {
            tol = atof(v);
            i++;
        } else if (!strcmp(argv[i], "--min-frames")) {
            min_frames = atol(v);
            i++;
        } else if (!strcmp(argv[i], "--raw-channels")) {
            raw_channels = atoi(v);
            i++;
        } else if (!strcmp(argv[i], "--frames")) {
            max_frames = atol(v);
            i++;
        } else if (!strcmp(argv[i], "--period")) {
            period = atol(v);
            i++;
        } else if (!strcmp(argv[i], "--offset")) {
            forced_offset = atol(v);
            i++;
        } else if (!strcmp(argv[i], "--max-gaps")) {
            max_gaps = atoi(v);
            i++;
        } else if (!strcmp(argv[i], "--raw-s16")) {
            raw_s16 = true;
        } else {
            fprintf(stderr, "jackrec: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (nr < 1 || nr != nc) {
        fprintf(stderr, "jackrec: channel lists must have the same length\n");
        return 2;
    }
    Clip ref, rec;
    if (load_clip(argv[0], &ref) || load_clip(argv[1], &rec))
        return 2;
    for (int k = 0; k < nr; k++) {
        if (rch[k] < 0 || rch[k] >= ref.channels || cch[k] < 0 || cch[k] >= rec.channels) {
            fprintf(stderr, "jackrec: channel out of range (ref has %d, rec has %d)\n",
                    ref.channels, rec.channels);
            return 2;
        }
    }
    long ref_on = first_sound(&ref, rch, nr);
    long rec_on = first_sound(&rec, cch, nc);
    if (forced_offset != LONG_MIN) {
        /* Channels that are silent at first (or all along) align with
         * their mix. */
        ref_on = 0;
        rec_on = forced_offset;
    } else if (ref_on < 0 || rec_on < 0) {
        printf("compare: %s is silent\n", ref_on < 0 ? "reference" : "recording");
        return 1;
    }
    long guess = rec_on - ref_on, best = guess;
    double best_diff = INFINITY;
    size_t window_start = (size_t)ref_on;
    for (long off = guess - 512; off <= guess + 512 && forced_offset == LONG_MIN; off++) {
        size_t n;
        double d = max_diff(&ref, rch, &rec, cch, nr, off, window_start, 8192, &n);
        if (n > 0 && d < best_diff) {
            best_diff = d;
            best = off;
        }
    }
    /* Walk from the recording's first frame on (not only from the onset,
     * so a missing lead-in would show). An xrun can lose whole periods
     * between the player and the recorder; with --max-gaps N the walk may
     * re-align up to N times, each at the smallest loss that makes the next
     * 4096 frames match again. Every frame it counts as compared matched
     * within the tolerance. */
    size_t pos = best < 0 ? (size_t)(-best) : 0;
    long off = best;
    size_t compared = 0, skipped = 0;
    int gaps = 0;
    bool ok = true;
    double worst = 0;
    size_t end = ref.frames;
    if (max_frames != LONG_MAX && (size_t)max_frames < end)
        end = (size_t)max_frames;
    while (pos < end && (long)pos + off < (long)rec.frames) {
        double d = max_diff(&ref, rch, &rec, cch, nr, off, pos, 1, NULL);
        if (d <= tol) {
            if (d > worst)
                worst = d;
            compared++;
            pos++;
            continue;
        }
        if (gaps >= max_gaps) {
            worst = d;
            printf("compare: difference %.3g at reference frame %zu (recording frame "
                   "%ld)\n", d, pos, (long)pos + off);
            ok = false;
            break;
        }
        /* A gap is missing frames only: the recording lost k whole periods
         * (1..16) here, so the reference resumes k periods later in it. The
         * mismatch may show up to k periods after the loss (audio that
         * happens to be equal, silence most often), hence the resume point
         * is searched up to k periods on; never further, so no recording
         * frame goes unmatched: repeated, reordered or inserted audio
         * cannot be re-aligned away. */
        bool found = false;
        long shift = 0;
        size_t resume = pos;
        long step = period / 8 ? period / 8 : 1;
        for (long k = 1; k <= 16 && !found; k++) {
            for (long skip = 0; skip <= k * period && !found; skip += step) {
                size_t n;
                if (max_diff(&ref, rch, &rec, cch, nr, off - k * period, pos + (size_t)skip,
                             4096, &n) <= tol && n > 0) {
                    found = true;
                    shift = -k * period;
                    resume = pos + (size_t)skip;
                }
            }
        }
        if (!found) {
            worst = d;
            printf("compare: difference %.3g at reference frame %zu and no re-alignment\n",
                   d, pos);
            ok = false;
            break;
        }
        skipped += resume - pos;
        pos = resume;
        gaps++;
        printf("compare: gap at reference frame %zu: recording shifted by %ld frames\n",
               pos, shift);
        off += shift;
    }
    printf("compare: offset %ld frames, %zu frames compared, %d gap%s (%zu frames skipped), "
           "max difference %.3g (tolerance %.3g)\n", best, compared, gaps,
           gaps == 1 ? "" : "s", skipped, worst, tol);
    free(ref.data);
    free(rec.data);
    if ((long)compared < min_frames) {
        printf("compare: only %zu frames matched (need %ld)\n", compared, min_frames);
        return 1;
    }
    return ok ? 0 : 1;
}

static int cmd_silent(int argc, char **argv)
{
    if (argc < 1)
        return 2;
    int chs[MAX_CH] = {0, 1};
    int n = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ch") && i + 1 < argc)
            n = parse_list(argv[++i], chs, MAX_CH);
        else if (!strcmp(argv[i], "--raw-channels") && i + 1 < argc)
            raw_channels = atoi(argv[++i]);
    }
    if (n < 1) {
        fprintf(stderr, "jackrec: bad channel list\n");
        return 2;
    }
    Clip c;
    if (load_clip(argv[0], &c))
        return 2;
    /* A channel the file lacks, or a file with no frames, is no evidence
     * of silence. */
    for (int k = 0; k < n; k++) {
        if (chs[k] < 0 || chs[k] >= c.channels) {
            fprintf(stderr, "jackrec: channel %d out of range (the file has %d)\n", chs[k],
                    c.channels);
            free(c.data);
            return 2;
        }
    }
    if (c.frames == 0) {
        printf("silent: no frames to listen to\n");
        free(c.data);
        return 1;
    }
    double peak = 0;
    for (size_t i = 0; i < c.frames; i++)
        for (int k = 0; k < n; k++)
            if (fabsf(sample_at(&c, i, chs[k])) > peak)
                peak = fabsf(sample_at(&c, i, chs[k]));
    printf("silent: %zu frames, peak %.6f\n", c.frames, peak);
    free(c.data);
    return peak == 0 ? 0 : 1;
}

static void jackrec_quiet(const char *msg)
{
    (void)msg;
}

/* jackrec wait-server SECONDS: 0 once a client can connect (never starts
 * a server, unlike some JACK tools). */
static int cmd_wait_server(int argc, char **argv)
{
    double seconds = argc > 0 ? atof(argv[0]) : 10;
    jack_set_error_function(jackrec_quiet);
    jack_set_info_function(jackrec_quiet);
    for (int i = 0; i < (int)(seconds * 20) + 1; i++) {
        jack_status_t st;
        jack_client_t *c = jack_client_open("jackrec_wait", JackNoStartServer, &st);
        if (c) {
            jack_client_close(c);
            return 0;
        }
        struct timespec nap = {0, 50000000};
        nanosleep(&nap, NULL);
    }
    fprintf(stderr, "jackrec: no JACK server after %.1f s\n", seconds);
    return 1;
}

/* jackrec ports [REGEX]: one port a line; jackrec connect SRC DST. */
static int cmd_ports_or_connect(bool connect, int argc, char **argv)
{
    jack_set_error_function(jackrec_quiet);
    jack_set_info_function(jackrec_quiet);
    jack_status_t st;
    jack_client_t *c = jack_client_open("jackrec_ports", JackNoStartServer, &st);
    if (!c) {
        fprintf(stderr, "jackrec: no JACK server\n");
        return 1;
    }
    int rc = 0;
    if (connect) {
        if (argc != 2 || jack_connect(c, argv[0], argv[1]) != 0) {
            fprintf(stderr, "jackrec: cannot connect %s to %s\n", argc > 0 ? argv[0] : "?",
                    argc > 1 ? argv[1] : "?");
            rc = 1;
        }
    } else {
        const char **ports = jack_get_ports(c, argc > 0 ? argv[0] : NULL, NULL, 0);
        for (int i = 0; ports && ports[i]; i++)
            printf("%s\n", ports[i]);
        if (ports)
            jack_free((void *)ports);
    }
    jack_client_close(c);
    return rc;
}

static int cmd_channels(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: jackrec channels SONG DIR SECONDS RATE\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    int rate = atoi(argv[3]);
    if (seconds <= 0 || seconds > 600 || rate < 8000 || rate > 192000) {
        fprintf(stderr, "jackrec: bad SECONDS or RATE\n");
        return 2;
    }
    Song *song = NULL;
    HissDiag diag;
    memset(&diag, 0, sizeof diag);
    if (songio_load(argv[0], (uint32_t)rate, &song, &diag, NULL)) {
        fprintf(stderr, "jackrec: %s\n", diag.text);
        return 1;
    }
    int channels = atomic_load(&song->channels);
    size_t frames = (size_t)(seconds * rate);
    float *mix = calloc(frames * 2, sizeof(float));
    float *chan[SONG_MAX_CHANNELS] = {0};
    int failed = !mix;
    for (int c = 0; c < channels; c++)
        failed |= !(chan[c] = calloc(frames, sizeof(float)));
    Engine *e = failed ? NULL : engine_new(song, (uint32_t)rate);
    if (!e) {
        fprintf(stderr, "jackrec: out of memory\n");
        failed = 1;
    } else {
        engine_play_song_now(e, 0, 0, false);
        float *ptr[SONG_MAX_CHANNELS];
        for (size_t done = 0; done < frames; done += 1024) {
            uint32_t n = frames - done < 1024 ? (uint32_t)(frames - done) : 1024;
            for (int c = 0; c < channels; c++)
                ptr[c] = chan[c] + done;
            engine_render_channels(e, mix + 2 * done, ptr, channels, n);
        }
        engine_free(e);
    }
    for (int c = 0; !failed && c < channels; c++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/ch%02d.wav", argv[1], c + 1);
        failed = write_wav(path, chan[c], frames, 1, rate);
    }
    for (int c = 0; c < channels; c++)
        free(chan[c]);
    free(mix);
    song_free(song);
    return failed ? 1 : 0;
}

/* ---- midi ------------------------------------------------------------- */

static jack_port_t *midi_out;
static _Atomic int midi_pending; /* bytes queued for the next period */
static _Atomic unsigned midi_cycles; /* periods run so far */
static uint8_t midi_msg[3];

static int midi_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *buf = jack_port_get_buffer(midi_out, nframes);
    jack_midi_clear_buffer(buf);
    if (atomic_load(&midi_pending)) {
        jack_midi_event_write(buf, 0, midi_msg, 3);
        atomic_store(&midi_pending, 0);
    }
    atomic_fetch_add(&midi_cycles, 1);
    return 0;
}

static void midi_sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, ms % 1000 * 1000000L};
    nanosleep(&t, NULL);
}

/* A client that never starts a server; NULL (said) when none runs. */
static jack_client_t *open_client(const char *name)
{
    jack_status_t st;
    jack_client_t *c = jack_client_open(name, JackNoStartServer, &st);
    if (!c)
        fprintf(stderr, "jackrec: no JACK server\n");
    return c;
}

static int cmd_midi(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "usage: jackrec midi DST [MS:STATUS:KEY:VELOCITY ...]\n");
        return 2;
    }
    jack_client_t *c = open_client("midisend");
    if (!c)
        return 1;
    midi_out = jack_port_register(c, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(c, midi_process, NULL);
    if (!midi_out || jack_activate(c) ||
        jack_connect(c, jack_port_name(midi_out), argv[0])) {
        fprintf(stderr, "jackrec: cannot connect to %s\n", argv[0]);
        jack_client_close(c);
        return 1;
    }
    /* A new connection takes effect at a cycle boundary: some cycles after
     * it (a loaded server may run late), the receiver has it. */
    unsigned from = atomic_load(&midi_cycles);
    for (int w = 0; w < 400 && (atomic_load(&midi_cycles) - from < 16 ||
                                !jack_port_connected(midi_out));
         w++)
        midi_sleep_ms(5);
    midi_sleep_ms(200);
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        long ms;
        unsigned status, key, velocity;
        if (sscanf(argv[i], "%ld:%x:%u:%u", &ms, &status, &key, &velocity) != 4 ||
            status > 0xFF || key > 127 || velocity > 127) {
            fprintf(stderr, "jackrec: bad message '%s'\n", argv[i]);
            rc = 2;
            break;
        }
        midi_sleep_ms(ms);
        for (int w = 0; w < 200 && atomic_load(&midi_pending); w++)
            midi_sleep_ms(5);
        midi_msg[0] = (uint8_t)status;
        midi_msg[1] = (uint8_t)key;
        midi_msg[2] = (uint8_t)velocity;
        atomic_store(&midi_pending, 3);
    }
    for (int w = 0; w < 200 && atomic_load(&midi_pending); w++)
        midi_sleep_ms(5);
    midi_sleep_ms(50);
    jack_client_close(c);
    if (!rc)
        printf("sent\n");
    return rc;
}

/* ---- play ------------------------------------------------------------ */

static Clip play_clip;
static jack_port_t *play_ports[MAX_CH];
static _Atomic bool play_go;
static _Atomic size_t play_at;

static int play_process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    bool go = atomic_load(&play_go);
    size_t at = atomic_load_explicit(&play_at, memory_order_relaxed);
    for (int c = 0; c < play_clip.channels; c++) {
        float *out = jack_port_get_buffer(play_ports[c], nframes);
        for (jack_nframes_t i = 0; i < nframes; i++)
            out[i] = go && at + i < play_clip.frames
                         ? play_clip.data[(at + i) * (size_t)play_clip.channels + (size_t)c]
                         : 0.0f;
    }
    if (go)
        atomic_store_explicit(&play_at, at + nframes, memory_order_release);
    return 0;
}

static int cmd_play(int argc, char **argv)
{
    if (argc < 2 || load_clip(argv[0], &play_clip) || play_clip.channels > MAX_CH ||
        argc - 1 != play_clip.channels) {
        fprintf(stderr, "usage: jackrec play IN.wav DST [DST...] (one DST a channel)\n");
        return 2;
    }
    jack_client_t *c = open_client("player");
    if (!c)
        return 1;
    for (int k = 0; k < play_clip.channels; k++) {
        char name[16];
        snprintf(name, sizeof name, "out_%d", k + 1);
        play_ports[k] = jack_port_register(c, name, JACK_DEFAULT_AUDIO_TYPE,
                                           JackPortIsOutput, 0);
        if (!play_ports[k])
            return 1;
    }
    jack_set_process_callback(c, play_process, NULL);
    if (jack_activate(c) != 0)
        return 1;
    for (int k = 0; k < play_clip.channels; k++)
        if (jack_connect(c, jack_port_name(play_ports[k]), argv[1 + k]) != 0) {
            fprintf(stderr, "jackrec: cannot connect to %s\n", argv[1 + k]);
            jack_client_close(c);
            return 1;
        }
    /* A connection takes effect a cycle or two after jack_connect. */
    struct timespec settle = {0, 200000000};
    nanosleep(&settle, NULL);
    atomic_store(&play_go, true);
    printf("playing\n");
    fflush(stdout);
    struct timespec nap = {0, 10000000};
    while (atomic_load(&play_at) < play_clip.frames)
        nanosleep(&nap, NULL);
    nanosleep(&settle, NULL);
    jack_client_close(c);
    printf("played\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "play"))
        return cmd_play(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "midi"))
        return cmd_midi(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "wait-server"))
        return cmd_wait_server(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "ports"))
        return cmd_ports_or_connect(false, argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "connect"))
        return cmd_ports_or_connect(true, argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "record"))
        return cmd_record(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "compare"))
        return cmd_compare(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "channels"))
        return cmd_channels(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "silent"))
        return cmd_silent(argc - 2, argv + 2);
    fprintf(stderr, "usage: jackrec record|play|compare|channels|silent|wait-server|ports|connect|midi ...\n");
    return 2;
}
