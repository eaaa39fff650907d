/* hiss render: a song to an audio file, offline, as fast as the engine
 * goes. The same engine_render that feeds JACK makes every sample, so a
 * render sounds exactly like playback. Output files appear whole or not at
 * all (sampleio's writer renames a finished temporary file into place). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_options.h"
#include "engine.h"
#include "loudness.h"
#include "sampleio.h"
#include "signals.h"
#include "song.h"
#include "songio.h"
#include "timing.h"
#include "truepeak.h"

enum {
    RENDER_BLOCK = CLI_RENDER_BLOCK, /* frames per engine call and write */
    RENDER_TAIL_BLOCK = 1024,    /* the ring-out: ends on a silent block */
    RENDER_RATE_DEFAULT = CLI_RATE_DEFAULT,
    RENDER_MAX_SECONDS = CLI_SECONDS_MAX, /* the cap for songs that never end,
                                             and the longest --seconds: keeps
                                             WAV files under their 4 GiB limit
                                             at any rate */
    RENDER_TAIL_SECONDS = 2,      /* ring-out after the song's last row */
    RENDER_TAIL_FADE = 2 * RENDER_TAIL_BLOCK, /* frames faded out before its cap */
    EXIT_FAILURE_RENDER = 1,
    EXIT_INTERRUPTED = 130,
};

/* Below this the tail counts as silence: under the last bit of 24-bit. */
#define RENDER_SILENCE 1e-7f

typedef struct {
    const char *song;
    const char *output;
    const char *stems_dir;
    uint32_t rate;
    double seconds; /* 0: until the song ends */
    SampleioEncoding encoding;
    bool interp_set;
    InterpMode interp;
    bool no_limiter;
    bool loudness; /* LUFS and LRA too, unless --no-loudness */
    bool allow_missing;
    bool quiet;
    bool json;
} RenderOptions;

/* Indexed as engine_render_stems's stems: the channels, then the send
 * buses at ENGINE_STEM_DELAY and ENGINE_STEM_REVERB; entries between
 * the last channel and the sends are NULL. */
typedef struct {
    int count;
    SampleioWriter *writers[ENGINE_STEMS];
    char *names[ENGINE_STEMS];
    float *buffers[ENGINE_STEMS];
    float *held[ENGINE_STEMS]; /* render_tail's held frames */
    SampleioWriter *master;         /* the mix, beside the channels */
    TruePeak *true_peak;            /* the mix's true peak, as written; NULL with -q */
    Loudness *loudness;             /* its LUFS and LRA; NULL with --no-loudness */
    char *master_name;
} Stems;

static const CliOpt RENDER_OPTIONS[] = {
    CLI_OPT_OUTPUT, CLI_OPT_RATE,       CLI_OPT_SECONDS,       CLI_OPT_STEMS, CLI_OPT_BITS,
    CLI_OPT_INTERP, CLI_OPT_NO_LIMITER, CLI_OPT_NO_LOUDNESS, CLI_OPT_ALLOW_MISSING,
    CLI_OPT_QUIET,  CLI_OPT_JSON,       CLI_OPT_HELP,
};

static void usage(FILE *f)
{
    fprintf(f, "usage: hiss render SONG -o OUT [options]\n");
    cli_options_usage(f, RENDER_OPTIONS, HISS_ARRAY_LEN(RENDER_OPTIONS));
    fprintf(f,
            "Without --seconds the render stops when the song ends, after its\n"
            "notes ring out (at most %d s), or after %d minutes at the latest.\n",
            RENDER_TAIL_SECONDS, RENDER_MAX_SECONDS / 60);
}

static const char *file_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot ? dot : ".wav";
}

/* What the parsed command line says, checked as a whole. Returns -1 to go
 * on, else the exit status. */
static int options_from_args(const CliArgs *a, RenderOptions *o)
{
    static const char *const PROG = "hiss render";
    if (a->given[CLI_OPT_HELP]) {
        usage(stdout);
        return 0;
    }
    if (a->operand_count > 1)
        return cli_usage_error(PROG, "more than one song given: '%s'", a->operands[1]);
    o->song = a->operand_count ? a->operands[0] : NULL;
    o->output = a->text[CLI_OPT_OUTPUT];
    o->stems_dir = a->text[CLI_OPT_STEMS];
    if (a->given[CLI_OPT_RATE])
        o->rate = (uint32_t)a->number[CLI_OPT_RATE];
    if (a->given[CLI_OPT_SECONDS])
        o->seconds = a->number[CLI_OPT_SECONDS];
    if (a->given[CLI_OPT_BITS]) {
        /* In the order of the option's words: 16, 24, 32. */
        static const SampleioEncoding ENCODINGS[] = {SAMPLEIO_ENC_PCM16, SAMPLEIO_ENC_PCM24,
                                                     SAMPLEIO_ENC_FLOAT};
        o->encoding = ENCODINGS[a->choice[CLI_OPT_BITS]];
    }
    if (a->given[CLI_OPT_INTERP]) {
        if (!song_interp_parse(a->text[CLI_OPT_INTERP], &o->interp))
            return cli_usage_error(PROG, "interpolation '%s' is not known to the engine",
                                   a->text[CLI_OPT_INTERP]);
        o->interp_set = true;
    }
    o->no_limiter = a->given[CLI_OPT_NO_LIMITER];
    o->loudness = !a->given[CLI_OPT_NO_LOUDNESS];
    o->allow_missing = a->given[CLI_OPT_ALLOW_MISSING];
    o->quiet = a->given[CLI_OPT_QUIET];
    o->json = a->given[CLI_OPT_JSON];
    if (!o->song)
        return cli_usage_error(PROG, "no song given: hiss render SONG -o OUT.wav");
    if (!o->output && !o->stems_dir)
        return cli_usage_error(PROG, "no output given: add -o OUT.wav (or --stems DIR)");
    if (o->output && !sampleio_writer_knows(o->output))
        return cli_usage_error(PROG, "'%s': unknown output format (name it .wav, .flac or "
                                     ".aiff)",
                               o->output);
    if (o->encoding == SAMPLEIO_ENC_FLOAT && o->output &&
        strcasecmp(file_extension(o->output), ".wav"))
        return cli_usage_error(PROG, "'%s': 32-bit float needs a .wav output", o->output);
    return -1;
}

static int parse_options(int argc, char **argv, RenderOptions *o)
{
    memset(o, 0, sizeof *o);
    o->rate = RENDER_RATE_DEFAULT;
    CliArgs a;
    int rc = cli_options_parse("hiss render", argc, argv, 1, RENDER_OPTIONS,
                               HISS_ARRAY_LEN(RENDER_OPTIONS), &a);
    if (!rc)
        rc = options_from_args(&a, o);
    cli_args_free(&a);
    return rc;
}

/* ---- stems ---- */

/* The song file's name without directory and .hiss, for stem names. */
static void song_stem_name(const char *song_path, char *out, size_t size)
{
    const char *slash = strrchr(song_path, '/');
    const char *base = slash ? slash + 1 : song_path;
    snprintf(out, size, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
    if (!out[0])
        snprintf(out, size, "song");
}

/* Letters, digits, '-' and '_' survive; runs of anything else become one
 * '_', so a stem name is safe in any file system and shell. */
static void sanitize(const char *in, char *out, size_t size)
{
    size_t n = 0;
    bool gap = false;
    for (const char *p = in; *p && n + 2 < size && n < 24; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (ok) {
            if (gap && n)
                out[n++] = '_';
            out[n++] = (char)c;
            gap = false;
        } else {
            gap = true;
        }
    }
    out[n] = '\0';
}

/* The name of the first instrument the channel plays, in order-list order:
 * what a beatmaker would call the track ("kick", "hats"). */
static const char *channel_instrument_name(const Song *song, int channel)
{
    int orders = atomic_load(&song->order_count);
    for (int o = 0; o < orders; o++) {
        const Pattern *p = song_pattern(song, atomic_load(&song->orders[o]));
        if (!p || channel >= p->channels)
            continue;
        for (int r = 0; r < p->rows; r++) {
            Cell c = song_pattern_get(p, r, channel);
            if (c.instrument) {
                const Instrument *inst = song_instrument(song, c.instrument);
                return inst ? inst->name : NULL;
            }
        }
    }
    return NULL;
}

static void stems_free(Stems *s, bool abort_files)
{
    if (abort_files)
        sampleio_writer_abort(s->master);
    loudness_free(s->loudness);
    free(s->true_peak);
    free(s->master_name);
    for (int c = 0; c < s->count; c++) {
        if (abort_files)
            sampleio_writer_abort(s->writers[c]);
        free(s->names[c]);
        free(s->buffers[c]);
        free(s->held[c]);
    }
    memset(s, 0, sizeof *s);
}

/* Stem `index`, written to DIR/BASE-FILE.EXT (size: room for the path). */
static int stem_open(Stems *s, int index, const RenderOptions *o, const char *base,
                     const char *file, const char *ext, size_t size)
{
    char *name = malloc(size);
    s->buffers[index] = calloc(2 * (size_t)RENDER_BLOCK, sizeof(float));
    s->held[index] = calloc(2 * (size_t)RENDER_TAIL_BLOCK, sizeof(float));
    if (!name || !s->buffers[index] || !s->held[index]) {
        free(name);
        free(s->buffers[index]);
        free(s->held[index]);
        s->buffers[index] = s->held[index] = NULL;
        fprintf(stderr, "hiss render: out of memory\n");
        return EXIT_FAILURE_RENDER;
    }
    snprintf(name, size, "%s/%s-%s%s", o->stems_dir, base, file, ext);
    s->names[index] = name;
    s->count = index + 1;
    HissDiag diag = {{0}};
    if (sampleio_writer_open(name, o->rate, 2, o->encoding, &s->writers[index], &diag)) {
        fprintf(stderr, "%s\n", diag.text);
        return EXIT_FAILURE_RENDER;
    }
    return 0;
}

static int stems_open(Stems *s, const Song *song, const RenderOptions *o)
{
    struct stat st;
    if (stat(o->stems_dir, &st) != 0) {
        if (mkdir(o->stems_dir, 0777) != 0) {
            char shown[PATH_MAX];
            fprintf(stderr, "%s: cannot create the stems directory: %s\n",
                    hiss_escape_name(o->stems_dir, shown, sizeof shown),
                    strerror(errno));
            return EXIT_FAILURE_RENDER;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        char shown[PATH_MAX];
        fprintf(stderr, "%s: not a directory (--stems needs one)\n",
                hiss_escape_name(o->stems_dir, shown, sizeof shown));
        return EXIT_FAILURE_RENDER;
    }
    char base[256];
    song_stem_name(o->song, base, sizeof base);
    const char *ext = o->output ? file_extension(o->output) : ".wav";
    int channels = atomic_load(&song->channels);
    size_t size = strlen(o->stems_dir) + strlen(base) + strlen(ext) + 48;
    s->master_name = malloc(size);
    if (!s->master_name) {
        fprintf(stderr, "hiss render: out of memory\n");
        return EXIT_FAILURE_RENDER;
    }
    snprintf(s->master_name, size, "%s/%s-master%s", o->stems_dir, base, ext);
    HissDiag master_diag = {{0}};
    if (sampleio_writer_open(s->master_name, o->rate, 2, o->encoding, &s->master,
                             &master_diag)) {
        fprintf(stderr, "%s\n", master_diag.text);
        return EXIT_FAILURE_RENDER;
    }
    for (int c = 0; c < channels; c++) {
        /* The channel's own name, else what it plays first. */
        char label[32] = "";
        const char *inst = song->strips[c].name[0] ? song->strips[c].name
                                                   : channel_instrument_name(song, c);
        if (inst)
            sanitize(inst, label, sizeof label);
        char file[48];
        snprintf(file, sizeof file, "%02d%s%s", c + 1, label[0] ? "-" : "", label);
        int err = stem_open(s, c, o, base, file, ext, size);
        if (err)
            return err;
    }
    /* Each send bus, when a channel feeds it: a return nobody sends to
     * would only be a silent file. */
    static const struct {
        int stem;
        const char *file;
    } SEND_STEMS[SONG_SENDS] = {{ENGINE_STEM_DELAY, "send_a-delay"},
                                {ENGINE_STEM_REVERB, "send_b-reverb"}};
    for (int k = 0; k < SONG_SENDS; k++) {
        bool fed = false;
        for (int c = 0; c < channels; c++)
            fed |= atomic_load(&song->strips[c].send_tenth_db[k]) > SONG_GAIN_MIN;
        int err = fed ? stem_open(s, SEND_STEMS[k].stem, o, base, SEND_STEMS[k].file, ext, size)
                      : 0;
        if (err)
            return err;
    }
    return 0;
}

/* Files of the song's stems in the stems folder that this render does
 * not write (from an earlier render, a channel since renamed or removed)
 * are left as they were, which is said, so that a mix of old and new
 * stems is no surprise. */
static void note_older_stems(const Stems *s, const RenderOptions *o)
{
    char base[256];
    song_stem_name(o->song, base, sizeof base);
    const char *ext = o->output ? file_extension(o->output) : ".wav";
    size_t base_len = strlen(base), ext_len = strlen(ext);
    DIR *dir = opendir(o->stems_dir);
    if (!dir)
        return;
    char listed[240] = "";
    int older = 0;
    for (struct dirent *d; (d = readdir(dir));) {
        size_t len = strlen(d->d_name);
        if (len <= base_len + 1 + ext_len || strncmp(d->d_name, base, base_len) ||
            d->d_name[base_len] != '-' || strcasecmp(d->d_name + len - ext_len, ext))
            continue;
        const char *slash = strrchr(s->master_name, '/');
        bool ours = slash && !strcmp(slash + 1, d->d_name);
        for (int c = 0; c < s->count && !ours; c++) {
            slash = s->names[c] ? strrchr(s->names[c], '/') : NULL;
            ours = slash && !strcmp(slash + 1, d->d_name);
        }
        if (ours)
            continue;
        if (older++ < 3) {
            char shown[PATH_MAX];
            size_t used = strlen(listed);
            snprintf(listed + used, sizeof listed - used, "%s%s", older > 1 ? ", " : "",
                     hiss_escape_name(d->d_name, shown, sizeof shown));
        }
    }
    closedir(dir);
    if (older) {
        char shown[PATH_MAX];
        fprintf(stderr,
                "hiss render: %s: %d older stem%s of this song left as %s (not written by "
                "this render): %s%s\n",
                hiss_escape_name(o->stems_dir, shown, sizeof shown), older,
                older > 1 ? "s" : "", older > 1 ? "they were" : "it was", listed,
                older > 3 ? ", ..." : "");
    }
}

/* ---- the render ---- */

static void format_duration(uint64_t frames, uint32_t rate, char *out, size_t size)
{
    uint64_t ms = (frames * 1000 + rate / 2) / rate;
    snprintf(out, size, "%u:%02u.%03u", (unsigned)(ms / 60000),
             (unsigned)(ms / 1000 % 60), (unsigned)(ms % 1000));
}

static void format_peak(float peak, char *out, size_t size)
{
    if (peak <= 0)
        snprintf(out, size, "-inf dBFS");
    else
        snprintf(out, size, "%.1f dBFS", 20 * log10(peak));
}

/* Reports missing samples. Returns false when the render must not go on. */
static bool check_samples(const SongioWarnings *w, const RenderOptions *o)
{
    int missing = songio_warnings_missing(w);
    int shown = 0;
    for (int i = 0; i < w->count; i++) {
        const SongioWarning *item = &w->items[i];
        if (item->kind == HISS_OK) {
            if (!o->quiet)
                fprintf(stderr, "%s\n", item->text);
            continue;
        }
        shown++;
        if (o->allow_missing) {
            if (!o->quiet)
                fprintf(stderr, "%s (rendered silent)\n", item->text);
        } else if (shown == missing) {
            /* The way forward goes on the last line, where the eye lands. */
            fprintf(stderr,
                    "%s (fix the path in the song, or add --allow-missing to "
                    "render without it)\n",
                    item->text);
        } else {
            fprintf(stderr, "%s\n", item->text);
        }
    }
    char song_shown[PATH_MAX];
    if (w->dropped && (!o->quiet || (missing && !o->allow_missing)))
        fprintf(stderr, "%s: %d more problems not shown\n",
                hiss_escape_name(o->song, song_shown, sizeof song_shown),
                w->dropped);
    return missing == 0 || o->allow_missing;
}

typedef struct {
    uint64_t frames;
    bool ended;  /* the song reached its end */
    bool capped; /* stopped by the 20-minute cap */
    bool looped; /* stopped where the song starts to repeat: one pass */
    int loop_from_order, loop_from_row, loop_to_order;
    uint64_t intro_frames; /* looped: what plays once before the loop */
} RenderResult;

/* The mix (to -o and the master stem) and each channel's stem (stereo,
 * from stem_bufs: the block's or the held frames). */
static HissError write_frames(SampleioWriter *mix_writer, const float *mix,
                              const Stems *stems, float *const *stem_bufs, uint32_t from,
                              uint32_t n, HissDiag *diag)
{
    HissError err = HISS_OK;
    if (mix_writer && n)
        err = sampleio_writer_write(mix_writer, mix + 2 * from, n, diag);
    if (!err && stems->master && n)
        err = sampleio_writer_write(stems->master, mix + 2 * from, n, diag);
    /* The loudness meter reads the true peak too: once is enough. */
    if (!err && n && stems->true_peak && !stems->loudness)
        truepeak_add(stems->true_peak, mix + 2 * from, n);
    if (!err && stems->loudness && n && loudness_add(stems->loudness, mix + 2 * from, n)) {
        hiss_diag_set(diag, "hiss render", 0, 0, "out of memory measuring loudness");
        err = HISS_ERR_NOMEM;
    }
    for (int c = 0; !err && n && c < stems->count; c++)
        if (stems->writers[c])
            err = sampleio_writer_write(stems->writers[c], stem_bufs[c] + 2 * from, n, diag);
    return err;
}

/* The index of the last frame at or above the silence threshold, or -1. */
static long last_audible(const float *mix, float *const *stem_bufs, int stem_count,
                         uint32_t n)
{
    for (long f = (long)n - 1; f >= 0; f--) {
        if (fabsf(mix[2 * f]) >= RENDER_SILENCE || fabsf(mix[2 * f + 1]) >= RENDER_SILENCE)
            return f;
        for (int c = 0; c < stem_count; c++)
            if (stem_bufs[c] && (fabsf(stem_bufs[c][2 * f]) >= RENDER_SILENCE ||
                                 fabsf(stem_bufs[c][2 * f + 1]) >= RENDER_SILENCE))
                return f;
    }
    return -1;
}

static void show_progress(const RenderOptions *o, const EngineStatus *status,
                          uint64_t rendered, uint64_t limit)
{
    static double next_progress; /* the first block shows it at once */
    if (o->quiet || !isatty(STDERR_FILENO) || hiss_now_seconds() < next_progress)
        return;
    char when[32], total[40] = "";
    format_duration(rendered, o->rate, when, sizeof when);
    if (o->seconds) {
        total[0] = '/';
        format_duration(limit, o->rate, total + 1, sizeof total - 1);
    }
    fprintf(stderr, "\rrendering %s%s  order %02X row %03d ", when, total,
            atomic_load(&status->order), atomic_load(&status->row));
    next_progress = hiss_now_seconds() + 0.2;
}

/* The frames of a tail block (n frames from tail frame `start`) that fall
 * in the last RENDER_TAIL_FADE before the cap, mix and stems alike, faded
 * towards silence at the cap: the voices' stop fades them, but a delay or
 * reverb return would ring on and be cut. */
static void fade_to_cap(float *mix, float *const *stems, int nst, uint32_t n, uint64_t start,
                        uint64_t cap)
{
    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = start + i;
        if (at + RENDER_TAIL_FADE < cap)
            continue;
        float gain = (float)(cap - at) / (float)RENDER_TAIL_FADE;
        mix[2 * i] *= gain;
        mix[2 * i + 1] *= gain;
        for (int c = 0; c < nst; c++)
            if (stems[c]) {
                stems[c][2 * i] *= gain;
                stems[c][2 * i + 1] *= gain;
            }
    }
}

/* After the song's last row: notes ring out, in small blocks, for at most
 * RENDER_TAIL_SECONDS, and the file ends on the last audible frame. Silent
 * frames are held back until sound follows them; a whole silent block
 * means the notes have rung out. */
static HissError render_tail(Engine *engine, const RenderOptions *o,
                             SampleioWriter *mix_writer, Stems *stems, float *mix,
                             RenderResult *result, HissDiag *diag)
{
    static float held_mix[RENDER_TAIL_BLOCK * 2];
    float *const *bufs = stems->buffers;
    int nst = stems->count;
    uint64_t tail = 0, tail_max = (uint64_t)RENDER_TAIL_SECONDS * o->rate;
    uint32_t held = 0;
    bool fading = false;
    HissError err = HISS_OK;
    while (!signals_pending() && !err && tail < tail_max) {
        uint32_t n = tail_max - tail < RENDER_TAIL_BLOCK ? (uint32_t)(tail_max - tail)
                                                         : RENDER_TAIL_BLOCK;
        engine_render_stems(engine, mix, NULL, 0, nst ? bufs : NULL, nst, n);
        fade_to_cap(mix, bufs, nst, n, tail, tail_max);
        tail += n;
        long last = last_audible(mix, bufs, nst, n);
        if (last < 0 && atomic_load(&engine_status(engine)->notes_held)) {
            /* The last row's notes a groove holds back are still to come. */
            last = (long)n - 1;
        } else if (last < 0) {
            break;
        }
        uint32_t sounding = (uint32_t)last + 1;
        err = write_frames(mix_writer, held_mix, stems, stems->held, 0, held, diag);
        if (!err)
            err = write_frames(mix_writer, mix, stems, bufs, 0, sounding, diag);
        result->frames += held + sounding;
        held = n - sounding;
        memcpy(held_mix, mix + 2 * (size_t)sounding, sizeof(float) * 2 * held);
        for (int c = 0; c < nst; c++)
            if (stems->held[c])
                memcpy(stems->held[c], bufs[c] + 2 * (size_t)sounding, sizeof(float) * 2 * held);
        if (!fading && tail + 2 * (uint64_t)RENDER_TAIL_BLOCK >= tail_max) {
            /* Still sounding near the cap: fade out, never cut. */
            EngineCommand stop = {.type = ENGINE_CMD_STOP};
            fading = engine_send(engine, &stop);
        }
    }
    return err;
}

/* ---- the writer thread ----
 *
 * Converting, scanning and writing a block costs about a quarter of a
 * render's time: a second thread does it for block N while the engine
 * renders block N+1. Blocks go to it in order through a small ring, and
 * it writes them exactly as the render loop would, so the files, the
 * peaks and the loudness figures are the same. Without the memory or the
 * thread, blocks are written where they are rendered. */

/* Up to RENDER_CHUNKS chunks in the ring, as many as RENDER_RING_BYTES
 * hold beside chunk 0 (with many stems, two). A sleeping thread is woken
 * only when half the ring waits for it (or has room again): fewer
 * wake-ups. (Measured on a 2-core machine: 4 chunks as fast as 8, with
 * less memory for the chunks to pass between the cores' caches.) */
enum { RENDER_CHUNKS = 4, RENDER_RING_BYTES = 4 << 20 };

typedef struct {
    float *mix;
    float *stems[ENGINE_STEMS]; /* NULL where Stems has no stem */
    uint32_t frames;
} RenderChunk;

typedef struct {
    SampleioWriter *mix_writer;
    const Stems *stems;
    RenderChunk chunks[RENDER_CHUNKS];
    int count;    /* chunks in the ring: 1 when written in place */
    int batch;    /* chunks queued (or free) that wake the other thread */
    bool threaded;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int queued;   /* handed over, not yet written */
    int next_fill, next_write;
    bool closing; /* no more chunks will come */
    bool writer_asleep, renderer_asleep;
    atomic_bool failed;
    void *ring; /* the buffers of chunks 1 and on */
    size_t ring_bytes;
    HissError err; /* the first failure; the chunks after it are dropped */
    HissDiag diag;
} RenderWriter;

/* One chunk to the files, unless an earlier one failed. */
static void render_writer_write(RenderWriter *rw, const RenderChunk *chunk)
{
    if (!rw->err)
        rw->err = write_frames(rw->mix_writer, chunk->mix, rw->stems, chunk->stems, 0,
                               chunk->frames, &rw->diag);
}

static void *render_writer_main(void *arg)
{
    RenderWriter *rw = arg;
    signals_block_here(); /* Ctrl-C is the render loop's to see */
    pthread_mutex_lock(&rw->lock);
    for (;;) {
        while (!rw->queued && !rw->closing) {
            rw->writer_asleep = true;
            pthread_cond_wait(&rw->changed, &rw->lock);
            rw->writer_asleep = false;
        }
        if (!rw->queued)
            break;
        const RenderChunk *chunk = &rw->chunks[rw->next_write];
        pthread_mutex_unlock(&rw->lock);
        render_writer_write(rw, chunk);
        if (rw->err)
            atomic_store(&rw->failed, true);
        pthread_mutex_lock(&rw->lock);
        rw->next_write = (rw->next_write + 1) % rw->count;
        rw->queued--;
        if (rw->renderer_asleep && rw->queued <= rw->count - rw->batch)
            pthread_cond_signal(&rw->changed);
    }
    pthread_mutex_unlock(&rw->lock);
    return NULL;
}

static void render_writer_free_chunks(RenderWriter *rw)
{
    if (rw->ring)
        munmap(rw->ring, rw->ring_bytes);
    rw->ring = NULL;
}

/* Chunk 0 is the caller's mix and the stems' own buffers; the others are
 * allocated like them. */
static void render_writer_start(RenderWriter *rw, SampleioWriter *mix_writer,
                                const Stems *stems, float *mix)
{
    memset(rw, 0, sizeof *rw);
    rw->mix_writer = mix_writer;
    rw->stems = stems;
    rw->count = 1;
    rw->chunks[0].mix = mix;
    for (int c = 0; c < stems->count; c++)
        rw->chunks[0].stems[c] = stems->buffers[c];
    size_t buffers = 1;
    for (int c = 0; c < stems->count; c++)
        buffers += stems->buffers[c] != NULL;
    const size_t block_bytes = sizeof(float) * 2 * RENDER_BLOCK;
    size_t more = RENDER_RING_BYTES / (buffers * block_bytes);
    int count = more < 1 ? 2 : more >= RENDER_CHUNKS ? RENDER_CHUNKS : 1 + (int)more;
    rw->ring_bytes = (size_t)(count - 1) * buffers * block_bytes;
    /* Populated at once: one call instead of a page fault a page, which
     * cost more than the overlap gains. */
    rw->ring = mmap(NULL, rw->ring_bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (rw->ring == MAP_FAILED)
        rw->ring = NULL;
    char *next = rw->ring;
    for (int k = 1; next && k < count; k++) {
        rw->chunks[k].mix = (float *)next;
        next += block_bytes;
        for (int c = 0; c < stems->count; c++)
            if (stems->buffers[c]) {
                rw->chunks[k].stems[c] = (float *)next;
                next += block_bytes;
            }
    }
    if (rw->ring && !pthread_mutex_init(&rw->lock, NULL)) {
        if (!pthread_cond_init(&rw->changed, NULL)) {
            rw->count = count;
            rw->batch = count / 2;
            rw->threaded = !pthread_create(&rw->thread, NULL, render_writer_main, rw);
            if (rw->threaded)
                return;
            rw->count = 1;
            pthread_cond_destroy(&rw->changed);
        }
        pthread_mutex_destroy(&rw->lock);
    }
    render_writer_free_chunks(rw);
}

/* The chunk to render into next: waits while the ring is full. */
static RenderChunk *render_writer_chunk(RenderWriter *rw)
{
    if (!rw->threaded)
        return &rw->chunks[0];
    pthread_mutex_lock(&rw->lock);
    while (rw->queued == rw->count) {
        rw->renderer_asleep = true;
        pthread_cond_wait(&rw->changed, &rw->lock);
        rw->renderer_asleep = false;
    }
    RenderChunk *chunk = &rw->chunks[rw->next_fill];
    pthread_mutex_unlock(&rw->lock);
    return chunk;
}

/* Hands over the chunk render_writer_chunk gave, rendered. Returns the
 * first write failure so far (a threaded one may be a chunk or two late:
 * the render stops then all the same). */
static HissError render_writer_submit(RenderWriter *rw, RenderChunk *chunk, uint32_t frames)
{
    chunk->frames = frames;
    if (!rw->threaded) {
        render_writer_write(rw, chunk);
        return rw->err;
    }
    pthread_mutex_lock(&rw->lock);
    rw->next_fill = (rw->next_fill + 1) % rw->count;
    rw->queued++;
    if (rw->writer_asleep && rw->queued >= rw->batch)
        pthread_cond_signal(&rw->changed);
    pthread_mutex_unlock(&rw->lock);
    return atomic_load(&rw->failed) ? HISS_ERR_IO : HISS_OK;
}

/* Waits for every chunk handed over to be written and ends the thread.
 * Returns the first failure, its message in diag. */
static HissError render_writer_finish(RenderWriter *rw, HissDiag *diag)
{
    if (rw->threaded) {
        pthread_mutex_lock(&rw->lock);
        rw->closing = true;
        pthread_cond_broadcast(&rw->changed);
        pthread_mutex_unlock(&rw->lock);
        pthread_join(rw->thread, NULL);
        pthread_cond_destroy(&rw->changed);
        pthread_mutex_destroy(&rw->lock);
        render_writer_free_chunks(rw);
        rw->threaded = false;
    }
    if (rw->err)
        *diag = rw->diag;
    return rw->err;
}

/* The song in large blocks up to the end the timing scan found (or the
 * cap, or --seconds), then its ring-out. A song that comes back to a place
 * it has played (a Bxx back, a B00 onto itself) stops there: one pass. */
static HissError render_loop(Engine *engine, const TimingScan *scan,
                             const RenderOptions *o, SampleioWriter *mix_writer,
                             Stems *stems, RenderResult *result, HissDiag *diag)
{
    static float mix[RENDER_BLOCK * 2];
    const EngineStatus *status = engine_status(engine);
    uint64_t limit = o->seconds ? (uint64_t)llround(o->seconds * o->rate)
                                : (uint64_t)RENDER_MAX_SECONDS * o->rate;
    if (limit == 0)
        limit = 1;
    /* A song too long to scan is watched block by block instead. */
    bool known = !o->seconds && scan->end != TIMING_END_UNKNOWN;
    uint64_t song_frames = known && scan->end_frame < limit ? scan->end_frame : limit;
    int nst = stems->count;
    HissError err = HISS_OK;
    memset(result, 0, sizeof *result);
    RenderWriter writer;
    render_writer_start(&writer, mix_writer, stems, mix);
    for (uint64_t rendered = 0; rendered < song_frames && !signals_pending() && !err;) {
        uint64_t left = song_frames - rendered;
        uint32_t n = left < RENDER_BLOCK ? (uint32_t)left : RENDER_BLOCK;
        RenderChunk *chunk = render_writer_chunk(&writer);
        engine_render_stems(engine, chunk->mix, NULL, 0, nst ? chunk->stems : NULL, nst, n);
        err = render_writer_submit(&writer, chunk, n);
        rendered += n;
        result->frames = rendered;
        show_progress(o, status, rendered, limit);
        if (!o->seconds && !known && (atomic_load(&status->song_ended) ||
                                      !atomic_load(&status->playing))) {
            result->ended = true;
            break;
        }
    }
    /* The ring-out writes in place, after everything before it. */
    err = render_writer_finish(&writer, diag);
    if (!o->seconds && !signals_pending() && !err) {
        bool whole = known && song_frames == scan->end_frame;
        if (whole && scan->end == TIMING_END_LOOPS) {
            const TimingRow *last = &scan->rows[scan->count - 1];
            result->looped = true;
            result->loop_from_order = last->order;
            result->loop_from_row = last->row;
            result->loop_to_order = scan->rows[scan->loop_index].order;
            result->intro_frames = scan->rows[scan->loop_index].frame;
        } else if (whole || result->ended) {
            result->ended = true;
            err = render_tail(engine, o, mix_writer, stems, mix, result, diag);
        } else {
            result->capped = true;
        }
    }
    if (!o->quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "\r\033[K");
    return err;
}

/* What the summary reports, taken before the writers are closed (closing
 * frees them). */
typedef struct {
    float peak;
    uint64_t overs;        /* at or over full scale in what was written */
    bool limiter_on;       /* the master limiter ran (not --no-limiter, not off in the song) */
    uint64_t limit_frames; /* frames the master limiter turned down */
    double limit_max_db;   /* its deepest reduction */
    char format[48];
} Figures;

static Figures figures_of(SampleioWriter *const *writers, int count)
{
    Figures f = {0, 0, false, 0, 0, ""};
    for (int i = 0; i < count; i++) {
        if (!writers[i])
            continue; /* the gap between the channels and the sends */
        f.peak = fmaxf(f.peak, sampleio_writer_peak(writers[i]));
        f.overs += sampleio_writer_overs(writers[i]);
        snprintf(f.format, sizeof f.format, "%s", sampleio_writer_format_name(writers[i]));
    }
    return f;
}

static void print_summary(const char *what, const char *count, const RenderOptions *o,
                          const RenderResult *r, const Figures *f)
{
    char when[32], peak[32];
    format_duration(r->frames, o->rate, when, sizeof when);
    format_peak(f->peak, peak, sizeof peak);
    /* Clipping (what the file holds) and limiting (what the master did to
     * keep it from clipping) are separate facts: a mix can have either. */
    char limited[96];
    snprintf(limited, sizeof limited, ", limiter %s", f->limiter_on ? "idle" : "off");
    if (f->limit_frames)
        snprintf(limited, sizeof limited, ", limiter reduced up to %.1f dB for %.3f s",
                 f->limit_max_db, (double)f->limit_frames / o->rate);
    char shown[PATH_MAX];
    printf("%s: %s%s at %u Hz, %s, peak %s, %llu clipped%s\n",
           hiss_escape_name(what, shown, sizeof shown), count, when, o->rate,
           f->format, peak, (unsigned long long)f->overs, limited);
}

static void format_level(double v, const char *unit, char *out, size_t size)
{
    if (isfinite(v))
        snprintf(out, size, "%.1f %s", v, unit);
    else
        snprintf(out, size, "-inf %s", unit);
}

/* Stems follow the mixer, so a mute or solo saved in the song leaves
 * channels silent: said on stderr, since stems are usually meant to hold
 * every channel. */
static void warn_silenced_stems(const Song *song)
{
    int channels = atomic_load(&song->channels), silent = 0;
    bool any_solo = false;
    for (int c = 0; c < channels; c++)
        any_solo |= atomic_load(&song->strips[c].solo);
    for (int c = 0; c < channels; c++) {
        const SongStrip *st = &song->strips[c];
        silent += atomic_load(&st->mute) || (any_solo && !atomic_load(&st->solo));
    }
    if (silent)
        fprintf(stderr,
                "note: %d of %d channel stems are silent: the song has channels %s "
                "(clear them on the mixer page for a stem of every channel)\n",
                silent, channels, any_solo ? "soloed" : "muted");
}

/* The true peak always; LUFS and LRA unless --no-loudness skipped them. */
static void print_loudness(const LoudnessFigures *l, bool measured)
{
    char lufs[32], tp[32];
    format_level(l->true_peak_dbtp, "dBTP", tp, sizeof tp);
    if (!measured) {
        printf("loudness: not measured (--no-loudness), true peak %s\n", tp);
        return;
    }
    format_level(l->integrated_lufs, "LUFS", lufs, sizeof lufs);
    printf("loudness: %s integrated, LRA %.1f LU, true peak %s\n", lufs, l->range_lu, tp);
}

/* A JSON string: quotes, backslashes and control bytes escaped; other
 * bytes (UTF-8) as they are. */
static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* A number, or null for silence's minus infinity and for what was not
 * measured (NaN). */
static void json_number(double v)
{
    if (isfinite(v))
        printf("%.2f", v);
    else
        printf("null");
}

static void print_json(const RenderOptions *o, const RenderResult *r, const Figures *f,
                       const LoudnessFigures *l)
{
    printf("{\"output\": ");
    if (o->output)
        json_string(o->output);
    else
        printf("null");
    printf(", \"frames\": %llu, \"rate\": %u, \"peak_dbfs\": ",
           (unsigned long long)r->frames, o->rate);
    json_number(f->peak > 0 ? 20 * log10(f->peak) : -HUGE_VAL);
    printf(", \"clipped\": %llu, \"limiter\": %s, \"limiter_frames\": %llu, "
           "\"limiter_max_db\": %.2f",
           (unsigned long long)f->overs, f->limiter_on ? "true" : "false",
           (unsigned long long)f->limit_frames,
           f->limit_max_db);
    printf(", \"integrated_lufs\": ");
    json_number(l->integrated_lufs);
    printf(", \"lra_lu\": ");
    json_number(l->range_lu);
    printf(", \"true_peak_dbtp\": ");
    json_number(l->true_peak_dbtp);
    printf("}\n");
}

int cli_render(int argc, char **argv)
{
    RenderOptions o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;

    Song *song = NULL;
    HissDiag diag = {{0}};
    SongioWarnings warnings;
    songio_warnings_init(&warnings);
    if ((o.interp_set ? songio_load_interp(o.song, o.rate, o.interp, &song, &diag, &warnings)
                      : songio_load(o.song, o.rate, &song, &diag, &warnings))) {
        fprintf(stderr, "%s\n", diag.text);
        songio_warnings_deinit(&warnings);
        return EXIT_FAILURE_RENDER;
    }
    bool samples_ok = check_samples(&warnings, &o);
    songio_warnings_deinit(&warnings);
    if (!samples_ok) {
        song_free(song);
        return EXIT_FAILURE_RENDER;
    }
    if (!o.seconds && atomic_load(&song->order_count) == 0) {
        char shown[PATH_MAX];
        fprintf(stderr, "%s: the order list is empty: nothing to render (add "
                        "patterns to the order, or give --seconds)\n",
                hiss_escape_name(o.song, shown, sizeof shown));
        song_free(song);
        return EXIT_FAILURE_RENDER;
    }
    if (o.no_limiter)
        atomic_store(&song->limiter, false);

    SampleioWriter *mix_writer = NULL;
    Stems stems;
    memset(&stems, 0, sizeof stems);
    /* The true peak costs a few instructions a frame (truepeak.h); LUFS and
     * LRA cost more than the rest of a render. Both are measured only to
     * be printed: with -q (and no --json) nothing is, so neither is
     * measured. */
    bool reported = !o.quiet || o.json;
    if (reported) {
        stems.true_peak = malloc(sizeof *stems.true_peak);
        if (stems.true_peak)
            truepeak_init(stems.true_peak);
    }
    if (reported && o.loudness)
        stems.loudness = loudness_new(o.rate, LOUDNESS_EXACT);
    Engine *engine = NULL;
    rc = EXIT_FAILURE_RENDER;
    if ((reported && !stems.true_peak) || (reported && o.loudness && !stems.loudness)) {
        fprintf(stderr, "hiss render: out of memory starting the loudness meter\n");
        goto out;
    }
    if (o.output &&
        sampleio_writer_open(o.output, o.rate, 2, o.encoding, &mix_writer, &diag)) {
        fprintf(stderr, "%s\n", diag.text);
        goto out;
    }
    if (o.stems_dir && stems_open(&stems, song, &o))
        goto out;
    if (o.stems_dir)
        note_older_stems(&stems, &o);
    engine = engine_new(song, o.rate);
    if (!engine) {
        fprintf(stderr, "hiss render: out of memory starting the engine\n");
        goto out;
    }

    TimingScan scan;
    if (timing_scan(song, o.rate, false, &scan)) {
        fprintf(stderr, "hiss render: out of memory scanning the song\n");
        goto out;
    }
    if (signals_install(&diag) != HISS_OK) {
        fprintf(stderr, "hiss render: %s\n", diag.text);
        timing_deinit(&scan);
        goto out;
    }
    engine_set_channel_meters(engine, false); /* nothing here shows them */
    engine_play_song_now(engine, 0, 0, false);
    RenderResult result;
    HissError err = render_loop(engine, &scan, &o, mix_writer, &stems, &result, &diag);
    timing_deinit(&scan);
    bool interrupted = signals_pending() != 0;
    signals_uninstall();
    if (err) {
        fprintf(stderr, "%s\n", diag.text);
        goto out;
    }
    if (interrupted) {
        fprintf(stderr, "hiss render: interrupted; nothing written\n");
        rc = EXIT_INTERRUPTED;
        goto out;
    }
    if (result.looped && !o.quiet) {
        /* What plays before the loop starts is rendered once too: say so,
         * with both lengths, rather than call the whole file one pass. */
        char when[32], intro[32], loop[32], what[160];
        format_duration(result.frames, o.rate, when, sizeof when);
        format_duration(result.intro_frames, o.rate, intro, sizeof intro);
        format_duration(result.frames - result.intro_frames, o.rate, loop,
                        sizeof loop);
        if (result.intro_frames)
            snprintf(what, sizeof what,
                     "the intro (%s) and one pass of the loop (%s), %s in all",
                     intro, loop, when);
        else
            snprintf(what, sizeof what, "one pass (%s)", when);
        fprintf(stderr,
                "%s: order %02X row %02X jumps back to order %02X, so the song "
                "loops: rendered %s; use --seconds N for more\n",
                o.song, result.loop_from_order, result.loop_from_row,
                result.loop_to_order, what);
    }
    if (result.capped && !o.quiet)
        fprintf(stderr,
                "%s: still playing after %d minutes (does it loop?): stopped "
                "there; use --seconds N to choose the length\n",
                o.song, RENDER_MAX_SECONDS / 60);
    Figures mix_figures = figures_of(&mix_writer, mix_writer ? 1 : 0);
    const EngineStatus *status = engine_status(engine);
    mix_figures.limiter_on = atomic_load(&song->limiter);
    /* The engine counts what it limited of every frame it rendered, the
     * ring-out's silent frames past the file's end among them. */
    mix_figures.limit_frames = atomic_load(&status->limit_frames);
    if (mix_figures.limit_frames > result.frames)
        mix_figures.limit_frames = result.frames;
    mix_figures.limit_max_db = atomic_load(&status->limit_max_centi_db) / 100.0;
    Figures stem_figures = figures_of(stems.writers, stems.count);
    if (stems.master) {
        /* The master stem is among them: its clips and the limiter count. */
        Figures master = figures_of(&stems.master, 1);
        stem_figures.peak = fmaxf(stem_figures.peak, master.peak);
        stem_figures.overs += master.overs;
        stem_figures.limiter_on = mix_figures.limiter_on;
        stem_figures.limit_frames = mix_figures.limit_frames;
        stem_figures.limit_max_db = mix_figures.limit_max_db;
        SampleioWriter *w = stems.master;
        stems.master = NULL;
        if (sampleio_writer_close(w, &diag)) {
            fprintf(stderr, "%s\n", diag.text);
            goto out;
        }
    }
    /* Stems first: if one fails, the mix is dropped too rather than left
     * looking like a complete render. */
    for (int c = 0; c < stems.count; c++) {
        SampleioWriter *w = stems.writers[c];
        stems.writers[c] = NULL;
        if (w && sampleio_writer_close(w, &diag)) {
            fprintf(stderr, "%s\n", diag.text);
            goto out;
        }
    }
    if (mix_writer) {
        SampleioWriter *w = mix_writer;
        mix_writer = NULL;
        if (sampleio_writer_close(w, &diag)) {
            fprintf(stderr, "%s\n", diag.text);
            goto out;
        }
    }
    LoudnessFigures loud = {.integrated_lufs = NAN, .range_lu = NAN};
    if (stems.loudness) {
        loud = loudness_figures(stems.loudness);
    } else if (stems.true_peak) {
        float tp = truepeak_max(stems.true_peak);
        loud.true_peak_dbtp = tp > 0 ? 20.0 * log10(tp) : -HUGE_VAL;
    }
    if (o.json) {
        print_json(&o, &result, &mix_figures, &loud);
    } else if (!o.quiet) {
        if (o.output)
            print_summary(o.output, "", &o, &result, &mix_figures);
        print_loudness(&loud, stems.loudness != NULL);
    }
    if (!o.json && stems.count)
        warn_silenced_stems(song);
    if (!o.quiet && !o.json && stems.count) {
        char count[64];
        int channels = 0, returns = 0;
        for (int c = 0; c < stems.count; c++)
            *(c < ENGINE_STEM_DELAY ? &channels : &returns) += stems.names[c] != NULL;
        if (returns)
            snprintf(count, sizeof count, "%d stems, %d send return%s and the master, ",
                     channels, returns, returns == 1 ? "" : "s");
        else
            snprintf(count, sizeof count, "%d stems and the master, ", channels);
        print_summary(o.stems_dir, count, &o, &result, &stem_figures);
    }
    rc = 0;
out:
    stems_free(&stems, true);
    sampleio_writer_abort(mix_writer);
    engine_free(engine);
    song_free(song);
    return rc;
}
