/* sync_file_range (Linux) is a GNU extension. */
#define _GNU_SOURCE
#include "sampleio.h"

#include "finelevel.h"
#include "sinc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <samplerate.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Files are decoded in chunks so a mixdown needs no second full-size copy
 * and a short read is noticed where it happens. A chunk written goes to
 * the file in one call (a 3-minute song in about 540 of them). */
enum { READ_CHUNK_FRAMES = 16384, WRITE_CHUNK_FRAMES = 16384, WRITER_MAX_CHANNELS = 8 };

/* More channels than this is not audio we can make sense of. */
enum { READ_MAX_FILE_CHANNELS = 256 };

static void trim_period(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '.' || s[n - 1] == ' ' || s[n - 1] == '\n'))
        s[--n] = '\0';
}

/* libsndfile lists format names by index, so look the code up. */
static const char *format_name(int count_cmd, int get_cmd, int code, int mask)
{
    int count = 0;
    sf_command(NULL, count_cmd, &count, sizeof count);
    for (int i = 0; i < count; i++) {
        SF_FORMAT_INFO info = {.format = i};
        if (sf_command(NULL, get_cmd, &info, sizeof info) == 0 &&
            (info.format & mask) == code)
            return info.name;
    }
    return NULL;
}

static void describe_format(int format, char *out, size_t size)
{
    const char *major = format_name(SFC_GET_FORMAT_MAJOR_COUNT, SFC_GET_FORMAT_MAJOR,
                                    format & SF_FORMAT_TYPEMASK, SF_FORMAT_TYPEMASK);
    const char *sub = format_name(SFC_GET_FORMAT_SUBTYPE_COUNT, SFC_GET_FORMAT_SUBTYPE,
                                  format & SF_FORMAT_SUBMASK, SF_FORMAT_SUBMASK);
    if (sub)
        snprintf(out, size, "%s, %s", major ? major : "unknown container", sub);
    else
        snprintf(out, size, "%s", major ? major : "unknown container");
}

/* Spreads n > 2 channels evenly from left to right with equal-power pans,
 * then scales each side so a signal present in every channel keeps its
 * level. Channel maps are not consulted: files with more than two channels
 * are rare as instrument samples, and a fixed rule is predictable. */
static void mixdown_gains(int n, float *left, float *right)
{
    double sum_l = 0, sum_r = 0;
    for (int i = 0; i < n; i++) {
        double pos = (double)i / (n - 1) * (M_PI / 2);
        left[i] = (float)cos(pos);
        right[i] = (float)sin(pos);
        sum_l += left[i];
        sum_r += right[i];
    }
    for (int i = 0; i < n; i++) {
        left[i] = (float)(left[i] / sum_l);
        right[i] = (float)(right[i] / sum_r);
    }
}

static void add_note(SampleioInfo *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_note(SampleioInfo *info, const char *fmt, ...)
{
    size_t used = strlen(info->note);
    if (used && used + 2 < sizeof info->note) {
        strcpy(info->note + used, "; ");
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info->note + used, sizeof info->note - used, fmt, ap);
    va_end(ap);
}

void sampleio_audio_free(SampleioAudio *audio)
{
    if (!audio)
        return;
    free(audio->frames);
    audio->frames = NULL;
    audio->count = 0;
}

static HissError open_for_reading(const char *path, int *fd_out, HissDiag *diag)
{
    /* O_NONBLOCK: a FIFO named as a sample must not hang the load; it is
     * refused below like any other file that is not a regular one. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        hiss_diag_set(diag, path, 0, 0, "%s", strerror(err));
        return err == ENOENT || err == ENOTDIR ? HISS_ERR_MISSING : HISS_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        hiss_diag_set(diag, path, 0, 0, "%s", strerror(errno));
        close(fd);
        return HISS_ERR_IO;
    }
    if (S_ISDIR(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0, "is a directory, not an audio file");
        close(fd);
        return HISS_ERR_FORMAT;
    }
    if (!S_ISREG(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0, "not a regular file");
        close(fd);
        return HISS_ERR_FORMAT;
    }
    if (st.st_size == 0) {
        hiss_diag_set(diag, path, 0, 0, "empty file");
        close(fd);
        return HISS_ERR_FORMAT;
    }
    *fd_out = fd;
    return HISS_OK;
}

static HissError check_header(const char *path, const SF_INFO *sfi, HissDiag *diag)
{
    if (sfi->channels < 1 || sfi->channels > READ_MAX_FILE_CHANNELS) {
        hiss_diag_set(diag, path, 0, 0, "unusable channel count %d", sfi->channels);
        return HISS_ERR_FORMAT;
    }
    if (sfi->samplerate < SAMPLEIO_RATE_MIN || sfi->samplerate > SAMPLEIO_RATE_MAX) {
        hiss_diag_set(diag, path, 0, 0,
                      "sample rate %d Hz is outside %d..%d Hz", sfi->samplerate,
                      SAMPLEIO_RATE_MIN, SAMPLEIO_RATE_MAX);
        return HISS_ERR_RANGE;
    }
    if (sfi->frames <= 0) {
        hiss_diag_set(diag, path, 0, 0, "contains no audio");
        return HISS_ERR_FORMAT;
    }
    double seconds = (double)sfi->frames / sfi->samplerate;
    if (seconds > SAMPLEIO_MAX_SECONDS || sfi->frames > SAMPLEIO_MAX_FRAMES) {
        hiss_diag_set(diag, path, 0, 0,
                      "too long: %.0f:%02.0f at %d Hz (at most %d minutes and "
                      "%d frames)",
                      floor(seconds / 60), floor(fmod(seconds, 60)),
                      sfi->samplerate, SAMPLEIO_MAX_SECONDS / 60,
                      SAMPLEIO_MAX_FRAMES);
        return HISS_ERR_RANGE;
    }
    return HISS_OK;
}

int sampleio_note_of_midi(int midi)
{
    /* MIDI 12 is C-0 (hiss note 1), 60 is C-4. */
    int note = midi - 11;
    return note >= 1 && note <= 120 ? note : 0;
}

static int compare_frames(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The root note and first loop of the file's instrument data, checked
 * against the frames actually loaded. */
static void read_instrument(SNDFILE *sf, uint32_t frames, SampleioInfo *info)
{
    SampleMarks *m = &info->marks;
    SF_INSTRUMENT inst;
    memset(&inst, 0, sizeof inst);
    if (sf_command(sf, SFC_GET_INSTRUMENT, &inst, sizeof inst) != SF_TRUE)
        return;
    int midi = (unsigned char)inst.basenote;
    m->root_note = sampleio_note_of_midi(midi);
    if (!m->root_note && midi)
        add_note(info, "root note %d (MIDI) is outside C-0..B-9, ignored", midi);
    if (inst.loop_count < 1)
        return;
    if (inst.loop_count > 16)
        add_note(info, "the sampler chunk claims %d loops", inst.loop_count);
    /* libsndfile already makes the smpl chunk's inclusive end exclusive. */
    uint32_t start = inst.loops[0].start, end = inst.loops[0].end;
    if (inst.loops[0].mode == SF_LOOP_NONE)
        return;
    if (start >= end || end > frames) {
        add_note(info, "loop %u..%u does not fit the %u frames, ignored", start,
                 end, frames);
        return;
    }
    if (inst.loops[0].mode == SF_LOOP_ALTERNATING)
        m->loop = SAMPLE_LOOP_PINGPONG;
    else {
        if (inst.loops[0].mode != SF_LOOP_FORWARD)
            add_note(info, "a backward loop plays forward");
        m->loop = SAMPLE_LOOP_FORWARD;
    }
    m->loop_start = start;
    m->loop_end = end;
}

/* Region lengths from the WAV's LIST/adtl chunk: each `ltxt` names a cue
 * point (by its id) and a length in frames. Calls found(ctx, id, length)
 * for each; a chunk cut short or lying about its sizes ends the walk. */
static void read_region_lengths(SNDFILE *sf, void (*found)(void *, uint32_t, uint32_t),
                                void *ctx)
{
    /* More than any real label list; a corrupt size is not read whole. */
    enum { LIST_READ_MAX = 1 << 20 };
    SF_CHUNK_INFO want;
    memset(&want, 0, sizeof want);
    memcpy(want.id, "LIST", 4);
    want.id_size = 4;
    for (SF_CHUNK_ITERATOR *it = sf_get_chunk_iterator(sf, &want); it;
         it = sf_next_chunk_iterator(it)) {
        SF_CHUNK_INFO chunk;
        memset(&chunk, 0, sizeof chunk);
        if (sf_get_chunk_size(it, &chunk) != SF_ERR_NO_ERROR || chunk.datalen < 4 ||
            chunk.datalen > LIST_READ_MAX)
            continue;
        unsigned char *data = malloc(chunk.datalen);
        chunk.data = data;
        if (!data || sf_get_chunk_data(it, &chunk) != SF_ERR_NO_ERROR ||
            memcmp(data, "adtl", 4)) {
            free(data);
            continue;
        }
        for (size_t at = 4; at + 8 <= chunk.datalen;) {
            uint32_t size = (uint32_t)data[at + 4] | (uint32_t)data[at + 5] << 8 |
                            (uint32_t)data[at + 6] << 16 | (uint32_t)data[at + 7] << 24;
            if (size > chunk.datalen - at - 8)
                break;
            if (!memcmp(data + at, "ltxt", 4) && size >= 8) {
                const unsigned char *b = data + at + 8;
                uint32_t id = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
                uint32_t length = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
                found(ctx, id, length);
            }
            at += 8 + (size_t)size + (size & 1);
        }
        free(data);
    }
}

/* The file's marks that become slice points, as they are gathered. */
typedef struct {
    const SF_CUE_POINT *cues;
    uint32_t cue_count;
    uint32_t frames;
    uint32_t *at, kept, room, outside;
} SlicePoints;

static void add_point(SlicePoints *sp, uint32_t frame)
{
    if (frame >= sp->frames)
        sp->outside++;
    else if (sp->kept < sp->room)
        sp->at[sp->kept++] = frame;
}

/* A region's end is where the next slice starts (unless the audio ends). */
static void add_region_end(void *ctx, uint32_t id, uint32_t length)
{
    SlicePoints *sp = ctx;
    for (uint32_t i = 0; i < sp->cue_count && length; i++) {
        const SF_CUE_POINT *c = &sp->cues[i];
        uint32_t frame = c->sample_offset ? c->sample_offset : c->position;
        if ((uint32_t)c->indx == id && frame < sp->frames && length < sp->frames - frame) {
            add_point(sp, frame + length);
            return;
        }
    }
}

/* Cue points (markers), the ends of regions and the loops of the smpl
 * chunk after its first (which is the sample's loop) become slice points:
 * inside the audio, ascending, unique, at most SAMPLE_MAX_CUES. */
static void read_cues(SNDFILE *sf, uint32_t frames, SampleioInfo *info)
{
    /* A corrupt cue chunk may claim millions of points; libsndfile keeps
     * what it read, and nothing past this many is worth looking at. */
    enum { CUE_READ_MAX = 4096 };
    SampleMarks *m = &info->marks;
    uint32_t count = 0;
    if (sf_command(sf, SFC_GET_CUE_COUNT, &count, sizeof count) != SF_TRUE)
        count = 0;
    if (count > CUE_READ_MAX)
        count = CUE_READ_MAX;
    size_t size = sizeof(uint32_t) + (size_t)count * sizeof(SF_CUE_POINT);
    SF_CUES_VAR(1) *cues = count ? calloc(1, size + sizeof(SF_CUE_POINT)) : NULL;
    if (count && !cues) {
        add_note(info, "out of memory for %u cue points, ignored", count);
        return;
    }
    if (count && sf_command(sf, SFC_GET_CUE, cues, (int)size) != SF_TRUE) {
        add_note(info, "unreadable cue points, ignored");
        count = 0;
    }
    if (cues && cues->cue_count < count)
        count = cues->cue_count;
    SF_INSTRUMENT inst;
    memset(&inst, 0, sizeof inst);
    int loops = sf_command(sf, SFC_GET_INSTRUMENT, &inst, sizeof inst) == SF_TRUE
                    ? hiss_clampi(inst.loop_count, 0, (int)HISS_ARRAY_LEN(inst.loops))
                    : 0;
    /* Each cue, its region's end, and two points a further loop. */
    SlicePoints sp = {.cues = count ? cues->cue_points : NULL, .cue_count = count,
                      .frames = frames, .room = 2 * count + 2 * (uint32_t)loops};
    sp.at = sp.room ? malloc((size_t)sp.room * sizeof *sp.at) : NULL;
    if (!sp.at) {
        if (sp.room)
            add_note(info, "out of memory for %u cue points, ignored", sp.room);
        free(cues);
        return;
    }
    bool unordered = false;
    for (uint32_t i = 0; i < count; i++) {
        const SF_CUE_POINT *c = &cues->cue_points[i];
        /* sample_offset is the frame in the data chunk; some writers only
         * fill in the play-order position. */
        uint32_t frame = c->sample_offset ? c->sample_offset : c->position;
        if (sp.kept && frame < frames && frame < sp.at[sp.kept - 1])
            unordered = true;
        add_point(&sp, frame);
    }
    if (count)
        read_region_lengths(sf, add_region_end, &sp);
    for (int i = 1; i < loops; i++) {
        add_point(&sp, inst.loops[i].start);
        if (inst.loops[i].end < frames)
            add_point(&sp, inst.loops[i].end);
    }
    free(cues);
    uint32_t *at = sp.at, kept = sp.kept, outside = sp.outside;
    qsort(at, kept, sizeof *at, compare_frames);
    uint32_t unique = 0;
    for (uint32_t i = 0; i < kept; i++)
        if (!unique || at[i] != at[unique - 1])
            at[unique++] = at[i];
    if (outside)
        add_note(info, "%u cue point%s past the %u frames ignored", outside,
                 outside == 1 ? "" : "s", frames);
    if (unordered)
        add_note(info, "cue points out of order, sorted");
    if (unique > SAMPLE_MAX_CUES) {
        add_note(info, "%u cue points, kept the first %d", unique, SAMPLE_MAX_CUES);
        unique = SAMPLE_MAX_CUES;
    }
    memcpy(m->cues, at, unique * sizeof *at);
    m->cue_count = (int)unique;
    free(at);
}

HissError sampleio_read(const char *path, SampleioAudio *out, SampleioInfo *info,
                        HissDiag *diag)
{
    memset(out, 0, sizeof *out);
    SampleioInfo scratch_info;
    if (!info)
        info = &scratch_info;
    memset(info, 0, sizeof *info);

    int fd;
    HissError err = open_for_reading(path, &fd, diag);
    if (err)
        return err;
    SF_INFO sfi = {0};
    /* We keep the descriptor: libsndfile does not close it on every
     * failure path when asked to. */
    SNDFILE *sf = sf_open_fd(fd, SFM_READ, &sfi, SF_FALSE);
    if (!sf) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", sf_strerror(NULL));
        trim_period(reason);
        hiss_diag_set(diag, path, 0, 0, "not an audio file hiss can read (%s)",
                      reason);
        close(fd);
        return HISS_ERR_FORMAT;
    }
    err = check_header(path, &sfi, diag);
    if (err) {
        sf_close(sf);
        close(fd);
        return err;
    }
    info->file_rate = (uint32_t)sfi.samplerate;
    info->file_frames = (uint32_t)sfi.frames;
    info->file_channels = sfi.channels;
    describe_format(sfi.format, info->format, sizeof info->format);

    int in_ch = sfi.channels;
    int out_ch = in_ch > 2 ? 2 : in_ch;
    uint32_t expected = (uint32_t)sfi.frames;
    float *frames = malloc((size_t)expected * out_ch * sizeof(float));
    float *chunk = in_ch > 2 ? malloc((size_t)READ_CHUNK_FRAMES * in_ch * sizeof(float))
                             : NULL;
    float gains_l[READ_MAX_FILE_CHANNELS], gains_r[READ_MAX_FILE_CHANNELS];
    if (!frames || (in_ch > 2 && !chunk)) {
        free(frames);
        free(chunk);
        sf_close(sf);
        close(fd);
        hiss_diag_set(diag, path, 0, 0, "out of memory for %u frames", expected);
        return HISS_ERR_NOMEM;
    }
    if (in_ch > 2)
        mixdown_gains(in_ch, gains_l, gains_r);

    uint32_t got = 0;
    while (got < expected) {
        uint32_t want = expected - got;
        if (want > READ_CHUNK_FRAMES)
            want = READ_CHUNK_FRAMES;
        float *dst = in_ch > 2 ? chunk : frames + (size_t)got * out_ch;
        sf_count_t n = sf_readf_float(sf, dst, want);
        if (n <= 0)
            break;
        if (in_ch > 2) {
            for (sf_count_t f = 0; f < n; f++) {
                double l = 0, r = 0;
                for (int c = 0; c < in_ch; c++) {
                    l += chunk[f * in_ch + c] * gains_l[c];
                    r += chunk[f * in_ch + c] * gains_r[c];
                }
                frames[(size_t)(got + f) * 2] = (float)l;
                frames[(size_t)(got + f) * 2 + 1] = (float)r;
            }
        }
        got += (uint32_t)n;
    }
    free(chunk);
    if (got < expected) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", sf_strerror(sf));
        trim_period(reason);
        if (sf_error(sf) != SF_ERR_NO_ERROR)
            hiss_diag_set(diag, path, 0, 0,
                          "corrupt audio data after frame %u of %u (%s)", got,
                          expected, reason);
        else
            hiss_diag_set(diag, path, 0, 0,
                          "truncated: %u of %u frames present", got, expected);
        free(frames);
        sf_close(sf);
        close(fd);
        return HISS_ERR_FORMAT;
    }
    /* libsndfile quietly shortens a WAV or AIFF whose data chunk claims
     * more than the file holds; its log is the only place that says so. */
    char log[2048] = "";
    sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log);
    bool looks_truncated = strstr(log, "(should be") || strstr(log, "> file length");
    read_instrument(sf, got, info);
    read_cues(sf, got, info);
    sf_close(sf);
    close(fd);

    /* NaN or infinity in a float file would poison every mix it touches.
     * So would absurd finite values (a float file of 3e38s): a few voices
     * of them sum to infinity and then NaN in the engine. Float files may
     * go past full scale, so only levels beyond +36 dBFS are clipped. */
    const float max_amplitude = 64.0f;
    size_t bad = 0, huge = 0;
    for (size_t i = 0; i < (size_t)got * out_ch; i++) {
        if (!isfinite(frames[i])) {
            frames[i] = 0;
            bad++;
        } else if (fabsf(frames[i]) > max_amplitude) {
            frames[i] = frames[i] > 0 ? max_amplitude : -max_amplitude;
            huge++;
        }
    }
    if (in_ch > 2)
        add_note(info, "%d channels mixed down to stereo", in_ch);
    if (bad)
        add_note(info, "%zu non-finite values set to 0", bad);
    if (huge)
        add_note(info, "%zu values beyond +36 dBFS clipped", huge);
    if (looks_truncated)
        add_note(info, "the file looks truncated: loaded the %u frames present", got);
    info->damaged = looks_truncated || bad || huge;

    out->frames = frames;
    out->count = got;
    out->channels = out_ch;
    out->rate = (uint32_t)sfi.samplerate;
    return HISS_OK;
}

static bool rate_ok(uint32_t rate)
{
    return rate >= SAMPLEIO_RATE_MIN && rate <= SAMPLEIO_RATE_MAX;
}

/* Level k is made from level k - 1 at half its rate: each halving is
 * libsamplerate's band-limited conversion, so a level holds only what its
 * rate can carry and a voice reading it cannot alias. Long files get the
 * medium converter (the same 97 dB, 90% of the band instead of 97%), four
 * times faster. */
static HissError halve(const float *in, uint32_t frames, int channels, float *out,
                       uint32_t out_frames, HissDiag *diag)
{
    SRC_DATA d = {
        .data_in = in,
        .data_out = out,
        .input_frames = (long)frames,
        .output_frames = (long)out_frames,
        .src_ratio = 0.5,
        .end_of_input = 1,
    };
    bool long_file = (uint64_t)frames * channels > SAMPLEIO_BEST_QUALITY_SAMPLES;
    int rc = src_simple(&d, long_file ? SRC_SINC_MEDIUM_QUALITY : SRC_SINC_BEST_QUALITY,
                        channels);
    if (rc) {
        hiss_diag_printf(diag, "building the band-limited levels failed: %s",
                   src_strerror(rc));
        return HISS_ERR_FORMAT;
    }
    return HISS_OK;
}

/* Fine levels 0 .. count-1 (sample.h) of `frames` frames at `in`, by
 * hiss's own resampler (finelevel.h): libsamplerate's best converter
 * makes them as well but takes about twenty times as long. */
static HissError fine_levels(const float *in, uint32_t frames, int channels,
                             SampleLevel *levels, int count, HissDiag *diag)
{
    HissError err = finelevel_build(in, frames, channels, levels, count);
    if (err)
        hiss_diag_printf(diag, "out of memory for the levels of a %u-frame sample", frames);
    return err;
}

static _Atomic size_t fine_budget = SAMPLEIO_FINE_BUDGET;

size_t sampleio_set_fine_budget(size_t bytes)
{
    return atomic_exchange(&fine_budget, bytes);
}

/* The bytes of `count` fine levels of a `frames`-frame sound. */
static uint64_t fine_bytes(uint64_t frames, int channels, int count)
{
    uint64_t floats = 0;
    for (int j = 0; j < count; j++)
        floats += ((uint64_t)sample_fine_level_frames((uint32_t)frames, j) + 2 * SAMPLE_PAD) *
                  (uint64_t)channels;
    return floats * sizeof(float);
}

/* The same for `count` fine levels, in frames of the sound: the deepest
 * level's (finelevel.h), its kernel the longest. */
static uint32_t fine_unroll_reach(int count)
{
    uint32_t reach = 0;
    for (int j = 0; j < count; j++)
        if (finelevel_reach(j) > reach)
            reach = finelevel_reach(j);
    return reach;
}

bool sampleio_fine_fits(const Sample *sample, int count, bool unrolled)
{
    /* An unrolled loop is at most the sample, a ping-pong loop's period
     * (twice its length) and its reach on either side. */
    uint64_t frames = unrolled ? 2 * (uint64_t)sample->frames + 3 * fine_unroll_reach(count)
                               : sample->frames;
    return fine_bytes(frames, sample->channels, count) <= atomic_load(&fine_budget);
}

static HissError halve_levels(const float *in, uint32_t frames, int channels,
                              SampleLevel *levels, int count, HissDiag *diag);

/* Replaces the sample's levels with `count` new ones of either kind. */
static HissError build_levels(Sample *sample, int count, bool fine, HissDiag *diag)
{
    if ((fine ? sample_alloc_fine_levels(sample, count) : sample_alloc_levels(sample, count)) !=
        HISS_OK) {
        hiss_diag_printf(diag, "out of memory for the levels of a %u-frame sample",
                         sample->frames);
        return HISS_ERR_NOMEM;
    }
    HissError err =
        (fine ? fine_levels : halve_levels)(sample->data, sample->frames, sample->channels,
                                            sample->levels, count, diag);
    if (err)
        sample_alloc_levels(sample, 0);
    return err;
}

HissError sampleio_add_fine_levels(Sample *sample, int count, HissDiag *diag)
{
    if (count < 1 || count > SAMPLE_MAX_LEVELS) {
        hiss_diag_printf(diag, "%d fine levels: 1 to %d", count, SAMPLE_MAX_LEVELS);
        return HISS_ERR_RANGE;
    }
    return build_levels(sample, count, true, diag);
}

HissError sampleio_add_levels(Sample *sample, HissDiag *diag)
{
    return sampleio_add_levels_upto(sample, SAMPLE_OCTAVE_LEVELS, diag);
}

static int level_count_for(uint32_t frames, int most)
{
    int count = 0;
    while (count < most && count < SAMPLE_OCTAVE_LEVELS &&
           (frames >> (count + 1)) >= SAMPLEIO_LEVEL_MIN_FRAMES)
        count++;
    return count;
}

/* Fills levels[0 .. count) from `frames` frames at `in`, each from the one
 * before. */
static HissError halve_levels(const float *in, uint32_t frames, int channels,
                              SampleLevel *levels, int count, HissDiag *diag)
{
    for (int k = 0; k < count; k++) {
        HissError err = halve(in, frames, channels, levels[k].data, levels[k].frames, diag);
        if (err)
            return err;
        in = levels[k].data;
        frames = levels[k].frames;
    }
    return HISS_OK;
}

HissError sampleio_add_levels_upto(Sample *sample, int most, HissDiag *diag)
{
    return build_levels(sample, level_count_for(sample->frames, most), false, diag);
}

/* How far, in frames of a level, what a voice reads there depends on the
 * sound around it: the widest sinc window (SINC_MAX_STRETCH x SINC_HALF
 * frames and the readers' overreach) plus the halvings' own reach
 * (libsamplerate's best converter weighs about 143 output frames either
 * side; the levels before it add half as much again, and so on). An
 * unrolled sound runs this far past the last frame a voice plays, and a
 * voice that has looped reads a later period while it is this close to
 * the loop start, at the deepest level. */
enum { UNROLL_REACH = SINC_MAX_STRETCH * SINC_HALF + SINC_OVERREACH + 2 * 143 + 11 };

HissError sampleio_add_loop_levels(Sample *sample, bool reverse, SampleLoop loop,
                                   uint32_t loop_start, uint32_t loop_end, int most, bool fine,
                                   HissDiag *diag)
{
    if (loop != SAMPLE_LOOP_NONE &&
        (loop_end > sample->frames || loop_start >= loop_end ||
         (loop == SAMPLE_LOOP_PINGPONG && loop_end - loop_start < 2))) {
        hiss_diag_printf(diag, "loop %u..%u does not fit the sample's %u frames", loop_start,
                         loop_end, sample->frames);
        return HISS_ERR_RANGE;
    }
    if (sample_loop_levels(sample, reverse, loop, loop_start, loop_end))
        return HISS_OK;
    int count = fine ? (most < SAMPLE_MAX_LEVELS ? most : SAMPLE_MAX_LEVELS)
                     : level_count_for(sample->frames, most);
    if (count < 1)
        return HISS_OK;
    const float *src = reverse ? sample->reversed : sample->data;
    const int ch = sample->channels;
    uint64_t len = sample->frames, period = 0, settle = 0, lead = 0;
    if (loop != SAMPLE_LOOP_NONE) {
        uint64_t body = loop_end - loop_start;
        period = loop == SAMPLE_LOOP_FORWARD ? body : 2 * (body - 1);
        settle = fine ? fine_unroll_reach(count) : (uint64_t)UNROLL_REACH << count;
        lead = (settle + period - 1) / period * period;
        uint64_t played = settle + lead > period ? settle + lead : period;
        len = loop_start + played + settle;
    }
    if (len > UINT32_MAX / 2) {
        hiss_diag_printf(diag, "the loop %u..%u is too short to unroll", loop_start, loop_end);
        return HISS_ERR_RANGE;
    }
    float *unrolled = NULL;
    if (loop != SAMPLE_LOOP_NONE) {
        unrolled = malloc((size_t)len * ch * sizeof(float));
        if (!unrolled) {
            hiss_diag_printf(diag, "out of memory for the levels of a %u-frame sample",
                             sample->frames);
            return HISS_ERR_NOMEM;
        }
        uint64_t half = period / 2;
        for (uint64_t i = 0; i < len; i++) {
            uint64_t f = i;
            if (i >= loop_start) {
                uint64_t u = (i - loop_start) % period;
                f = loop == SAMPLE_LOOP_FORWARD || u < half ? loop_start + u
                                                            : loop_end - 1 - (u - half);
            }
            memcpy(unrolled + i * ch, src + f * ch, sizeof(float) * ch);
        }
        src = unrolled;
    }
    SampleLoopLevels *l =
        sample_add_loop_levels(sample, reverse, loop, loop_start, loop_end, (uint32_t)len, count,
                               fine);
    HissError err = HISS_OK;
    if (!l) {
        hiss_diag_printf(diag, "no room for the levels of another loop of a %u-frame sample",
                         sample->frames);
        err = HISS_ERR_NOMEM;
    } else {
        l->settle = (uint32_t)settle;
        l->lead = (uint32_t)lead;
        err = fine ? fine_levels(src, (uint32_t)len, ch, l->levels, count, diag)
                   : halve_levels(src, (uint32_t)len, ch, l->levels, count, diag);
        if (err)
            sample_drop_last_loop_levels(sample);
    }
    free(unrolled);
    return err;
}

HissError sampleio_from_audio(const SampleioAudio *audio, Sample **out,
                              HissDiag *diag)
{
    *out = NULL;
    if (!rate_ok(audio->rate)) {
        hiss_diag_printf(diag, "sample rates must be %d..%d Hz",
                      SAMPLEIO_RATE_MIN, SAMPLEIO_RATE_MAX);
        return HISS_ERR_RANGE;
    }
    if (audio->channels < 1 || audio->channels > SAMPLE_MAX_CHANNELS) {
        hiss_diag_printf(diag, "samples have 1 or 2 channels, not %d",
                            audio->channels);
        return HISS_ERR_RANGE;
    }
    Sample *s = sample_new(audio->frames, audio->count, audio->channels, audio->rate);
    if (!s) {
        hiss_diag_printf(diag, "out of memory for a %u-frame sample", audio->count);
        return HISS_ERR_NOMEM;
    }
    *out = s;
    return HISS_OK;
}

HissError sampleio_load(const char *path, Sample **out, SampleioInfo *info,
                        HissDiag *diag)
{
    *out = NULL;
    SampleioAudio audio;
    SampleioInfo scratch_info;
    if (!info)
        info = &scratch_info;
    HissError err = sampleio_read(path, &audio, info, diag);
    if (err)
        return err;
    HissDiag inner = {{0}};
    err = sampleio_from_audio(&audio, out, &inner);
    if (err)
        hiss_diag_set(diag, path, 0, 0, "%s", inner.text);
    else {
        (*out)->marks = info->marks;
        (*out)->damaged = info->damaged;
    }
    sampleio_audio_free(&audio);
    return err;
}

/* ---- writing ---- */

/* libsndfile writes through these callbacks into one large buffer, flushed
 * in whole-buffer writes: left to itself it makes a write call for every
 * few kilobytes it converts (tens of thousands for a song). A failed write
 * is kept in err and reported by the writer.
 *
 * Every WRITEBACK_BYTES written, the disk is asked to start writing what
 * is there without waiting for it, so it writes while the song renders.
 * Every SYNC_AHEAD_BYTES, a thread of the file's own makes what is there
 * durable (fdatasync) while the writing goes on: a disk with a cache
 * empties it a piece at a time. The fsync that makes the file durable
 * before it replaces the old one then waits for the last stretch only,
 * not for the whole file. */
enum {
    WRITE_BUFFER_BYTES = 1 << 20,
    WRITE_DIRECT_BYTES = 8 << 10,
    WRITEBACK_BYTES = 1 << 20,
    SYNC_AHEAD_BYTES = 4 << 20
};

/* The thread that syncs ahead: started by the first SYNC_AHEAD_BYTES (a
 * small file never starts one), asked again only once it is idle. */
typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool started;
    bool off; /* it could not start, or it has ended: not asked again */
    bool asked, stopping;
    int err; /* errno of a failed sync, 0 if none */
} SyncAhead;

typedef struct {
    int fd;
    size_t used;
    size_t unsent;   /* bytes written since writeback last started */
    size_t unsynced; /* bytes written since the last sync was asked for */
    int err;         /* errno of the first failed write, 0 if none */
    unsigned char *buf;
    SyncAhead sync;
} WriteBuffer;

/* Starts writeback of the file's dirty pages and returns at once; where
 * there is no way to, the final fsync does it all. */
static void start_writeback(WriteBuffer *b)
{
    b->unsent = 0;
#ifdef SYNC_FILE_RANGE_WRITE
    /* From 0 to the end: pages already written or being written are
     * passed over. A failure here is the fsync's to report. */
    sync_file_range(b->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

/* A failure is kept for the writer: the system reports a failed
 * writeback to one sync only, so the final fsync would not see it. */
static void *sync_ahead_main(void *arg)
{
    WriteBuffer *b = arg;
    SyncAhead *s = &b->sync;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->asked && !s->stopping)
            pthread_cond_wait(&s->wake, &s->lock);
        if (!s->asked)
            break;
        pthread_mutex_unlock(&s->lock);
        int err = fdatasync(b->fd) == 0 ? 0 : errno;
        pthread_mutex_lock(&s->lock);
        s->asked = false;
        if (err && !s->err)
            s->err = err;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Starts the thread, with every signal blocked: they are for the
 * program's own threads to see. */
static bool sync_ahead_start(WriteBuffer *b)
{
    SyncAhead *s = &b->sync;
    if (pthread_mutex_init(&s->lock, NULL))
        return false;
    if (pthread_cond_init(&s->wake, NULL)) {
        pthread_mutex_destroy(&s->lock);
        return false;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    s->started = !pthread_create(&s->thread, NULL, sync_ahead_main, b);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!s->started) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
    }
    return s->started;
}

/* Asks for what is written to be made durable, unless the last ask is
 * still being done (then the next SYNC_AHEAD_BYTES ask again). A failed
 * sync ahead fails the next write. Where writeback cannot be started
 * either, the final fsync does it all. */
static void sync_ahead(WriteBuffer *b)
{
#ifdef SYNC_FILE_RANGE_WRITE
    SyncAhead *s = &b->sync;
    if (s->off || (!s->started && !sync_ahead_start(b))) {
        s->off = true;
        return;
    }
    pthread_mutex_lock(&s->lock);
    if (s->err && !b->err)
        b->err = s->err;
    if (!s->asked) {
        s->asked = true;
        b->unsynced = 0;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->lock);
#else
    (void)b;
#endif
}

/* Waits for a sync under way and ends the thread. Returns the errno of a
 * failed sync ahead, 0 if none (or none was made). */
static int sync_ahead_stop(WriteBuffer *b)
{
    SyncAhead *s = &b->sync;
    if (!s->started)
        return 0;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    s->started = false;
    s->off = true;
    return s->err;
}

static bool buffer_put(WriteBuffer *b, const void *data, size_t count)
{
    const unsigned char *p = data;
    while (count && !b->err) {
        ssize_t n = write(b->fd, p, count);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            b->err = n < 0 ? errno : EIO;
        else {
            p += n;
            count -= (size_t)n;
            b->unsent += (size_t)n;
            b->unsynced += (size_t)n;
        }
    }
    if (b->unsent >= WRITEBACK_BYTES)
        start_writeback(b);
    if (b->unsynced >= SYNC_AHEAD_BYTES)
        sync_ahead(b);
    return !b->err;
}

static bool buffer_flush(WriteBuffer *b)
{
    bool ok = buffer_put(b, b->buf, b->used);
    b->used = 0;
    return ok;
}

static sf_count_t vio_length(void *user)
{
    WriteBuffer *b = user;
    struct stat st;
    if (!buffer_flush(b) || fstat(b->fd, &st) != 0)
        return -1;
    return st.st_size;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
    WriteBuffer *b = user;
    if (!buffer_flush(b))
        return -1;
    return lseek(b->fd, offset, whence);
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
    WriteBuffer *b = user;
    if (!buffer_flush(b))
        return 0;
    ssize_t n;
    do
        n = read(b->fd, ptr, (size_t)count);
    while (n < 0 && errno == EINTR);
    return n < 0 ? 0 : n;
}

static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
    WriteBuffer *b = user;
    size_t n = (size_t)count;
    /* A chunk of audio goes straight to the file, after what is
     * buffered: copying it first cost more than the write. The buffer
     * gathers libsndfile's small header writes. */
    if (n >= WRITE_DIRECT_BYTES) {
        if (!buffer_flush(b))
            return 0;
        return buffer_put(b, ptr, n) ? count : 0;
    }
    if (b->used + n > WRITE_BUFFER_BYTES && !buffer_flush(b))
        return 0;
    memcpy(b->buf + b->used, ptr, n);
    b->used += n;
    return count;
}

static sf_count_t vio_tell(void *user)
{
    WriteBuffer *b = user;
    off_t at = lseek(b->fd, 0, SEEK_CUR);
    return at < 0 ? -1 : at + (sf_count_t)b->used;
}

struct SampleioWriter {
    SNDFILE *sf;
    int fd;
    WriteBuffer out;
    int channels;
    bool is_float;
    bool is_pcm16;  /* converted here, written as shorts */
    bool is_pcm24;  /* converted here, written as ints (WAV and AIFF) */
    bool is_wav;
    char *path;
    char *tmp;
    uint64_t frames;
    uint64_t overs;
    float top, bottom; /* from these on (>= top, <= bottom) a value is written
                          as the format's top or bottom code */
    float peak;
    char format_name[48];
    float scratch[]; /* WRITE_CHUNK_FRAMES * channels (or as many ints or shorts) */
};

/* A float as the 32-bit integer libsndfile makes of it with clipping on
 * (rounded to nearest; 1 and above the top code, -1 and below the
 * bottom one), of which a 16-bit file keeps the top 16 bits and a 24-bit
 * one the top 24 (arithmetic shifts: floor). Made here, in the same pass
 * that measures the peak: libsndfile's own conversion cost more than the
 * rest of a render. test_sampleio compares the two. */
static inline int32_t pcm32_of(float v)
{
    float x = v * 2147483648.0f;
    /* Round to nearest even without a call: below 2^23 adding and taking
     * away 1.5 x 2^23 does it; above, a float is a whole number already. */
    float r = fabsf(x) < 8388608.0f ? (x + 12582912.0f) - 12582912.0f : x;
    return v >= 1.0f ? INT32_MAX : v <= -1.0f ? INT32_MIN : (int32_t)r;
}

typedef float V4f __attribute__((vector_size(16)));
typedef int32_t V4i __attribute__((vector_size(16)));
typedef int16_t V4s __attribute__((vector_size(8)));

/* pcm32_of on four values at once, with the peak and the overs, and the
 * values with NaN and infinities made 0 in *clean: the same steps as the
 * scalar version, lane by lane. */
static inline V4i pcm32_of4(V4f v, V4f *peak, V4i *overs, V4f top, V4f bottom, V4f *clean)
{
    const V4f zero = {0, 0, 0, 0}, one = {1, 1, 1, 1};
    V4i finite = (v - v) == zero;
    v = (V4f)((V4i)v & finite);
    *clean = v;
    V4f a = (V4f)((V4i)v & 0x7FFFFFFF);
    V4i above = a > *peak;
    *peak = (V4f)(((V4i)a & above) | ((V4i)*peak & ~above));
    *overs -= (v >= top) | (v <= bottom);
    V4f x = v * 2147483648.0f;
#ifdef __SSE2__
    /* One instruction rounds to nearest even (the default rounding, as
     * libsndfile's lrintf uses); out of range it gives INT32_MIN, right
     * for -1 and below, so only 1 and above need mending. */
    V4i hi = v >= one;
    V4i wide = (V4i)_mm_cvtps_epi32((__m128)x);
    wide = (wide & ~hi) | (hi & INT32_MAX);
#else
    V4i small = ((V4f)((V4i)x & 0x7FFFFFFF)) < 8388608.0f;
    V4f rounded = (x + 12582912.0f) - 12582912.0f;
    V4f r = (V4f)(((V4i)rounded & small) | ((V4i)x & ~small));
    V4i hi = v >= one, lo = v <= -one;
    r = (V4f)((V4i)r & ~(hi | lo)); /* out of range: converted below */
    V4i wide = __builtin_convertvector(r, V4i);
    wide = (wide & ~(hi | lo)) | (hi & INT32_MAX) | (lo & INT32_MIN);
#endif
    return wide;
}

/* Eight 16-bit codes from two vectors of them (each already within
 * -32768 .. 32767, so the saturating pack changes nothing). */
static inline void store_pcm8(int16_t *dst, V4i a, V4i b)
{
#ifdef __SSE2__
    __m128i s = _mm_packs_epi32((__m128i)a, (__m128i)b);
    memcpy(dst, &s, sizeof s);
#else
    V4s sa = __builtin_convertvector(a, V4s), sb = __builtin_convertvector(b, V4s);
    memcpy(dst, &sa, sizeof sa);
    memcpy(dst + 4, &sb, sizeof sb);
#endif
}

/* How a chunk goes to libsndfile: as 16-bit codes, as 32-bit integers
 * whose top 24 bits a 24-bit file keeps (libsndfile only shifts those),
 * or as floats. */
typedef enum { WRITE_SHORT, WRITE_INT, WRITE_FLOAT } WriteAs;

/* Measures a chunk (the peak, the overs) and converts it into out as
 * `as` says: shorts, ints, or floats with NaN and infinities made 0. */
static inline __attribute__((always_inline)) void
scan_chunk(SampleioWriter *w, const float *src, size_t count, void *out, const WriteAs as)
{
    float peak = w->peak;
    uint64_t overs = 0;
    size_t i = 0;
    V4f peak4 = {peak, peak, peak, peak};
    V4i overs4 = {0, 0, 0, 0};
    const V4f top = {w->top, w->top, w->top, w->top};
    const V4f bottom = {w->bottom, w->bottom, w->bottom, w->bottom};
    for (; i + 8 <= count; i += 8) {
        V4f v0, v1, clean0, clean1;
        memcpy(&v0, src + i, sizeof v0);
        memcpy(&v1, src + i + 4, sizeof v1);
        V4i c0 = pcm32_of4(v0, &peak4, &overs4, top, bottom, &clean0);
        V4i c1 = pcm32_of4(v1, &peak4, &overs4, top, bottom, &clean1);
        if (as == WRITE_SHORT) {
            store_pcm8((int16_t *)out + i, c0 >> 16, c1 >> 16);
        } else if (as == WRITE_INT) {
            memcpy((int32_t *)out + i, &c0, sizeof c0);
            memcpy((int32_t *)out + i + 4, &c1, sizeof c1);
        } else {
            memcpy((float *)out + i, &clean0, sizeof clean0);
            memcpy((float *)out + i + 4, &clean1, sizeof clean1);
        }
    }
    for (int k = 0; k < 4; k++) {
        peak = peak4[k] > peak ? peak4[k] : peak;
        overs += (uint64_t)overs4[k];
    }
    for (; i < count; i++) {
        float v = src[i];
        v = v - v == 0.0f ? v : 0.0f;
        float a = fabsf(v);
        peak = a > peak ? a : peak;
        overs += v >= w->top || v <= w->bottom;
        if (as == WRITE_SHORT)
            ((int16_t *)out)[i] = (int16_t)(pcm32_of(v) >> 16);
        else if (as == WRITE_INT)
            ((int32_t *)out)[i] = pcm32_of(v);
        else
            ((float *)out)[i] = v;
    }
    w->peak = peak;
    w->overs += overs;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
/* pcm32_of4 in eight lanes: the same steps, lane by lane. */
__attribute__((target("avx2"))) static inline __m256i pcm32_of8(__m256 v, __m256 *peak,
                                                               __m256i *overs, __m256 top,
                                                               __m256 bottom, __m256 *clean)
{
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
    v = _mm256_and_ps(v, _mm256_cmp_ps(_mm256_sub_ps(v, v), zero, _CMP_EQ_OQ));
    *clean = v;
    __m256 a = _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF)));
    *peak = _mm256_max_ps(a, *peak);
    __m256 over = _mm256_or_ps(_mm256_cmp_ps(v, top, _CMP_GE_OQ),
                               _mm256_cmp_ps(v, bottom, _CMP_LE_OQ));
    *overs = _mm256_sub_epi32(*overs, _mm256_castps_si256(over));
    __m256i wide = _mm256_cvtps_epi32(_mm256_mul_ps(v, _mm256_set1_ps(2147483648.0f)));
    __m256 hi = _mm256_cmp_ps(v, one, _CMP_GE_OQ);
    return _mm256_castps_si256(_mm256_blendv_ps(
        _mm256_castsi256_ps(wide), _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MAX)), hi));
}

/* scan_chunk's work on the first values, sixteen a pass, on CPUs with
 * AVX2 (chosen at run time): the same codes, peak and overs. Returns the
 * values done. */
__attribute__((target("avx2"))) static size_t scan_avx2(SampleioWriter *w, const float *src,
                                                       size_t count, void *out, WriteAs as)
{
    __m256 peak = _mm256_set1_ps(w->peak);
    __m256i overs = _mm256_setzero_si256();
    const __m256 top = _mm256_set1_ps(w->top), bottom = _mm256_set1_ps(w->bottom);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m256 clean0, clean1;
        __m256i c0 = pcm32_of8(_mm256_loadu_ps(src + i), &peak, &overs, top, bottom, &clean0);
        __m256i c1 = pcm32_of8(_mm256_loadu_ps(src + i + 8), &peak, &overs, top, bottom, &clean1);
        if (as == WRITE_SHORT) {
            __m256i packed = _mm256_packs_epi32(_mm256_srai_epi32(c0, 16), _mm256_srai_epi32(c1, 16));
            _mm256_storeu_si256((__m256i *)(void *)((int16_t *)out + i),
                                _mm256_permute4x64_epi64(packed, 0xD8));
        } else if (as == WRITE_INT) {
            _mm256_storeu_si256((__m256i *)(void *)((int32_t *)out + i), c0);
            _mm256_storeu_si256((__m256i *)(void *)((int32_t *)out + i + 8), c1);
        } else {
            _mm256_storeu_ps((float *)out + i, clean0);
            _mm256_storeu_ps((float *)out + i + 8, clean1);
        }
    }
    float lanes[8];
    int32_t counts[8];
    _mm256_storeu_ps(lanes, peak);
    _mm256_storeu_si256((__m256i *)(void *)counts, overs);
    for (int k = 0; k < 8; k++) {
        w->peak = lanes[k] > w->peak ? lanes[k] : w->peak;
        w->overs += (uint64_t)counts[k];
    }
    return i;
}
#endif

/* The top 24 bits of count 32-bit codes as little-endian 3-byte codes,
 * in place (each code is read before any write reaches it). */
static void pack24_scalar(void *codes, size_t count)
{
    unsigned char *bytes = codes;
    for (size_t i = 0; i < count; i++) {
        int32_t v;
        memcpy(&v, bytes + 4 * i, sizeof v);
        bytes[3 * i] = (unsigned char)(v >> 8);
        bytes[3 * i + 1] = (unsigned char)(v >> 16);
        bytes[3 * i + 2] = (unsigned char)(v >> 24);
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <tmmintrin.h>
/* Four codes a shuffle, on CPUs with SSSE3 (chosen at run time): each
 * 16-byte store writes the next four's 12 bytes and 4 that the next
 * store overwrites, so the last codes go the scalar way. */
__attribute__((target("ssse3"))) static void pack24_ssse3(void *codes, size_t count)
{
    unsigned char *bytes = codes;
    const __m128i pick = _mm_setr_epi8(1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, -1, -1, -1, -1);
    size_t i = 0;
    for (; i + 8 <= count; i += 4)
        _mm_storeu_si128((__m128i *)(void *)(bytes + 3 * i),
                         _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(void *)(bytes + 4 * i)),
                                          pick));
    for (; i < count; i++) {
        int32_t v;
        memcpy(&v, bytes + 4 * i, sizeof v);
        bytes[3 * i] = (unsigned char)(v >> 8);
        bytes[3 * i + 1] = (unsigned char)(v >> 16);
        bytes[3 * i + 2] = (unsigned char)(v >> 24);
    }
}

static void pack24(void *codes, size_t count)
{
    if (__builtin_cpu_supports("ssse3"))
        pack24_ssse3(codes, count);
    else
        pack24_scalar(codes, count);
}
#else
#define pack24 pack24_scalar
#endif

typedef enum { CONTAINER_NONE, CONTAINER_WAV, CONTAINER_FLAC, CONTAINER_AIFF } Container;

static Container container_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return CONTAINER_NONE;
    if (!strcasecmp(dot, ".wav"))
        return CONTAINER_WAV;
    if (!strcasecmp(dot, ".flac"))
        return CONTAINER_FLAC;
    if (!strcasecmp(dot, ".aif") || !strcasecmp(dot, ".aiff"))
        return CONTAINER_AIFF;
    return CONTAINER_NONE;
}

bool sampleio_writer_knows(const char *path)
{
    return container_of(path) != CONTAINER_NONE;
}

/* ".NAME.hiss-PID-N.tmp" next to the target: hidden, and unmistakably ours. */
static HissError create_temp(const char *path, char **tmp_out, int *fd_out,
                             HissDiag *diag)
{
    char *copy_dir = strdup(path), *copy_base = strdup(path);
    if (!copy_dir || !copy_base) {
        free(copy_dir);
        free(copy_base);
        hiss_diag_set(diag, path, 0, 0, "out of memory");
        return HISS_ERR_NOMEM;
    }
    const char *dir = dirname(copy_dir);
    const char *base = basename(copy_base);
    size_t size = strlen(dir) + strlen(base) + 64;
    char *tmp = malloc(size);
    HissError err = HISS_ERR_IO;
    if (!tmp) {
        hiss_diag_set(diag, path, 0, 0, "out of memory");
        err = HISS_ERR_NOMEM;
        goto out;
    }
    static _Atomic unsigned counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, size, "%s/.%s.hiss-%ld-%u.tmp", dir, base, (long)getpid(),
                 atomic_fetch_add(&counter, 1));
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *fd_out = fd;
            *tmp_out = tmp;
            tmp = NULL;
            err = HISS_OK;
            goto out;
        }
        if (errno != EEXIST) {
            hiss_diag_set(diag, path, 0, 0, "cannot create file: %s", strerror(errno));
            goto out;
        }
    }
    hiss_diag_set(diag, path, 0, 0, "cannot create a temporary file next to it");
out:
    free(tmp);
    free(copy_dir);
    free(copy_base);
    return err;
}

HissError sampleio_writer_open(const char *path, uint32_t rate, int channels,
                               SampleioEncoding encoding, SampleioWriter **out,
                               HissDiag *diag)
{
    *out = NULL;
    Container container = container_of(path);
    if (container == CONTAINER_NONE) {
        hiss_diag_set(diag, path, 0, 0,
                      "unknown output format (name it .wav, .flac or .aiff)");
        return HISS_ERR_UNSUPPORTED;
    }
    if (!rate_ok(rate)) {
        hiss_diag_set(diag, path, 0, 0, "sample rate %u Hz is outside %d..%d Hz",
                      rate, SAMPLEIO_RATE_MIN, SAMPLEIO_RATE_MAX);
        return HISS_ERR_RANGE;
    }
    if (channels < 1 || channels > WRITER_MAX_CHANNELS) {
        hiss_diag_set(diag, path, 0, 0, "cannot write %d channels (1..%d)", channels,
                      WRITER_MAX_CHANNELS);
        return HISS_ERR_RANGE;
    }
    if (encoding == SAMPLEIO_ENC_FLOAT && container != CONTAINER_WAV) {
        hiss_diag_set(diag, path, 0, 0, "32-bit float output needs a .wav name");
        return HISS_ERR_UNSUPPORTED;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        hiss_diag_set(diag, path, 0, 0, "is a directory");
        return HISS_ERR_IO;
    }

    int major = container == CONTAINER_WAV    ? SF_FORMAT_WAV
                : container == CONTAINER_FLAC ? SF_FORMAT_FLAC
                                              : SF_FORMAT_AIFF;
    int sub = encoding == SAMPLEIO_ENC_PCM16   ? SF_FORMAT_PCM_16
              : encoding == SAMPLEIO_ENC_FLOAT ? SF_FORMAT_FLOAT
                                               : SF_FORMAT_PCM_24;
    SF_INFO sfi = {.samplerate = (int)rate, .channels = channels, .format = major | sub};
    if (!sf_format_check(&sfi)) {
        hiss_diag_set(diag, path, 0, 0, "this build of libsndfile cannot write it");
        return HISS_ERR_UNSUPPORTED;
    }

    SampleioWriter *w =
        calloc(1, sizeof *w + sizeof(float) * WRITE_CHUNK_FRAMES * (size_t)channels);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        hiss_diag_set(diag, path, 0, 0, "out of memory");
        return HISS_ERR_NOMEM;
    }
    w->fd = -1;
    HissError err = create_temp(path, &w->tmp, &w->fd, diag);
    if (err) {
        free(w->path);
        free(w);
        return err;
    }
    static SF_VIRTUAL_IO vio = {vio_length, vio_seek, vio_read, vio_write, vio_tell};
    w->out.fd = w->fd;
    w->out.buf = malloc(WRITE_BUFFER_BYTES);
    w->sf = w->out.buf ? sf_open_virtual(&vio, SFM_WRITE, &sfi, &w->out) : NULL;
    if (!w->sf) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", sf_strerror(NULL));
        trim_period(reason);
        hiss_diag_set(diag, path, 0, 0, "cannot start the file: %s", reason);
        sampleio_writer_abort(w);
        return HISS_ERR_IO;
    }
    w->channels = channels;
    w->is_float = sub == SF_FORMAT_FLOAT;
    w->is_pcm16 = sub == SF_FORMAT_PCM_16;
    /* libsndfile's FLAC writer scales floats to 24 bits its own way, so
     * FLAC is still given floats. */
    w->is_pcm24 = sub == SF_FORMAT_PCM_24 && container != CONTAINER_FLAC;
    w->is_wav = container == CONTAINER_WAV;
    /* Integer codes are floored: the top code comes from one step below
     * 1.0, the bottom one from just under minus that. Counting from there
     * counts the samples a reader of the file finds at full scale. */
    float step = w->is_float ? 0.0f
                 : w->is_pcm16 ? 1.0f / 32768.0f
                 : sub == SF_FORMAT_PCM_24 ? 1.0f / 8388608.0f
                                           : 0.0f;
    w->top = 1.0f - step;
    w->bottom = step ? nextafterf(-w->top, -2.0f) : -1.0f;
    if (!w->is_float)
        sf_command(w->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    /* The PEAK chunk of float WAVs carries a timestamp; leaving it out
     * keeps two renders of the same song byte-identical. */
    if (w->is_float)
        sf_command(w->sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    snprintf(w->format_name, sizeof w->format_name, "%s %s",
             container == CONTAINER_WAV    ? "WAV"
             : container == CONTAINER_FLAC ? "FLAC"
                                           : "AIFF",
             w->is_float                 ? "32-bit float"
             : sub == SF_FORMAT_PCM_16 ? "16-bit"
                                       : "24-bit");
    *out = w;
    return HISS_OK;
}

HissError sampleio_writer_set_marks(SampleioWriter *w, const SampleMarks *marks,
                                    HissDiag *diag)
{
    if (!w->is_wav || w->frames) {
        hiss_diag_set(diag, w->path, 0, 0, "%s",
                      w->is_wav ? "marks go in before the audio"
                                : "only WAV files carry cue points and loops here");
        return HISS_ERR_UNSUPPORTED;
    }
    int count = hiss_clampi(marks->cue_count, 0, SAMPLE_MAX_CUES);
    if (count) {
        SF_CUES_VAR(SAMPLE_MAX_CUES) *cues = calloc(1, sizeof *cues);
        if (!cues) {
            hiss_diag_set(diag, w->path, 0, 0, "out of memory");
            return HISS_ERR_NOMEM;
        }
        cues->cue_count = (uint32_t)count;
        for (int i = 0; i < count; i++) {
            SF_CUE_POINT *c = &cues->cue_points[i];
            c->indx = i + 1;
            c->position = marks->cues[i];
            c->fcc_chunk = 0x61746164; /* "data" */
            c->sample_offset = marks->cues[i];
        }
        int ok = sf_command(w->sf, SFC_SET_CUE, cues, sizeof *cues);
        free(cues);
        if (ok != SF_TRUE) {
            hiss_diag_set(diag, w->path, 0, 0, "libsndfile would not write the cue points");
            return HISS_ERR_IO;
        }
    }
    if (!marks->root_note && marks->loop == SAMPLE_LOOP_NONE)
        return HISS_OK;
    SF_INSTRUMENT inst;
    memset(&inst, 0, sizeof inst);
    /* hiss note 49 is C-4, MIDI 60; no root note is written as C-4. */
    inst.basenote = (char)(marks->root_note ? marks->root_note + 11 : 60);
    inst.velocity_hi = 127;
    inst.key_hi = 127;
    inst.gain = 1;
    if (marks->loop != SAMPLE_LOOP_NONE && marks->loop_start < marks->loop_end) {
        inst.loop_count = 1;
        inst.loops[0].mode =
            marks->loop == SAMPLE_LOOP_PINGPONG ? SF_LOOP_ALTERNATING : SF_LOOP_FORWARD;
        inst.loops[0].start = marks->loop_start;
        inst.loops[0].end = marks->loop_end;
    }
    if (sf_command(w->sf, SFC_SET_INSTRUMENT, &inst, sizeof inst) != SF_TRUE) {
        hiss_diag_set(diag, w->path, 0, 0, "libsndfile would not write the loop");
        return HISS_ERR_IO;
    }
    return HISS_OK;
}

HissError sampleio_writer_write(SampleioWriter *w, const float *interleaved,
                                uint32_t frames, HissDiag *diag)
{
    uint32_t done = 0;
    while (done < frames) {
        uint32_t n = frames - done;
        if (n > WRITE_CHUNK_FRAMES)
            n = WRITE_CHUNK_FRAMES;
        const float *src = interleaved + (size_t)done * w->channels;
        size_t count = (size_t)n * w->channels;
        WriteAs as = w->is_pcm16 ? WRITE_SHORT : w->is_pcm24 ? WRITE_INT : WRITE_FLOAT;
        void *conv = w->scratch;
        size_t first = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        if (__builtin_cpu_supports("avx2"))
            first = scan_avx2(w, src, count, conv, as);
#endif
        size_t width = as == WRITE_SHORT ? sizeof(int16_t) : sizeof(float);
        /* Each way its own loop, for what is left. */
        void *rest = (char *)conv + first * width;
        if (as == WRITE_SHORT)
            scan_chunk(w, src + first, count - first, rest, WRITE_SHORT);
        else if (as == WRITE_INT)
            scan_chunk(w, src + first, count - first, rest, WRITE_INT);
        else
            scan_chunk(w, src + first, count - first, rest, WRITE_FLOAT);
        sf_count_t wrote;
        if (as == WRITE_INT && w->is_wav) {
            /* A WAV holds little-endian 3-byte codes: packed here, where
             * libsndfile's byte loop cost more than making them. */
            pack24(conv, count);
            sf_count_t bytes = (sf_count_t)count * 3;
            wrote = sf_write_raw(w->sf, conv, bytes) == bytes ? (sf_count_t)n : 0;
        } else {
            wrote = as == WRITE_SHORT ? sf_writef_short(w->sf, (int16_t *)conv, n)
                    : as == WRITE_INT ? sf_writef_int(w->sf, (int32_t *)conv, n)
                                      : sf_writef_float(w->sf, w->scratch, n);
        }
        if (wrote != (sf_count_t)n || w->out.err) {
            char reason[256];
            snprintf(reason, sizeof reason, "%s",
                     w->out.err ? strerror(w->out.err) : sf_strerror(w->sf));
            trim_period(reason);
            hiss_diag_set(diag, w->path, 0, 0, "write failed: %s", reason);
            return HISS_ERR_IO;
        }
        w->frames += n;
        done += n;
    }
    return HISS_OK;
}

static void writer_free(SampleioWriter *w)
{
    free(w->out.buf);
    free(w->path);
    free(w->tmp);
    free(w);
}

void sampleio_writer_abort(SampleioWriter *w)
{
    if (!w)
        return;
    if (w->sf)
        sf_close(w->sf);
    sync_ahead_stop(&w->out);
    if (w->fd >= 0)
        close(w->fd);
    if (w->tmp)
        unlink(w->tmp);
    writer_free(w);
}

HissError sampleio_writer_close(SampleioWriter *w, HissDiag *diag)
{
    if (!w)
        return HISS_OK;
    const char *what = NULL;
    int sys_err = 0;
    char reason[256] = "";
    if (sf_error(w->sf) != SF_ERR_NO_ERROR) {
        snprintf(reason, sizeof reason, "%s", sf_strerror(w->sf));
        what = "write failed";
    }
    /* sf_close rewrites the header with the final sizes. */
    int rc = sf_close(w->sf);
    w->sf = NULL;
    if (!what && (rc != 0 || !buffer_flush(&w->out))) {
        snprintf(reason, sizeof reason, "%s",
                 w->out.err ? strerror(w->out.err) : sf_error_number(rc));
        what = "cannot finish the file";
    }
    int ahead_err = sync_ahead_stop(&w->out);
    if (!what && (ahead_err || fsync(w->fd) != 0)) {
        sys_err = ahead_err ? ahead_err : errno;
        what = "cannot sync the file";
    }
    if (close(w->fd) != 0 && !what) {
        sys_err = errno;
        what = "cannot close the file";
    }
    w->fd = -1;
    /* A file replaced has its blocks freed here, in the rename: where
     * freed blocks are discarded at once (ext4 without a journal, mounted
     * with discard), that waits for the disk as long as the old file is
     * large. The old file stays whole until the new one has its name, so
     * the wait stays too. */
    if (!what && rename(w->tmp, w->path) != 0) {
        sys_err = errno;
        what = "cannot rename the finished file into place";
    }
    if (what) {
        if (sys_err)
            snprintf(reason, sizeof reason, "%s", strerror(sys_err));
        trim_period(reason);
        hiss_diag_set(diag, w->path, 0, 0, "%s: %s", what, reason);
        unlink(w->tmp);
        writer_free(w);
        return HISS_ERR_IO;
    }
    /* Make the rename itself durable; failing here loses nothing already
     * written, so it is not reported. */
    char *copy = strdup(w->path);
    if (copy) {
        int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(copy);
    }
    writer_free(w);
    return HISS_OK;
}

const char *sampleio_writer_format_name(const SampleioWriter *w)
{
    return w->format_name;
}

uint64_t sampleio_writer_frames(const SampleioWriter *w)
{
    return w->frames;
}

uint64_t sampleio_writer_overs(const SampleioWriter *w)
{
    return w->overs;
}

float sampleio_writer_peak(const SampleioWriter *w)
{
    return w->peak;
}
