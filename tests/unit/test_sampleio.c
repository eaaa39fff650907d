/* sampleio: reading every shape of file we expect, failing cleanly on the
 * ones we must refuse, rate conversion that keeps duration and pitch, and
 * the writer. Test audio is written with libsndfile into a temp dir. */
#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "finelevel.h"
#include "sampleio.h"
#include "common/files.h"
#include "test.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* Writes frames (interleaved, `channels`) with libsndfile directly, so the
 * reader is tested against files it did not write itself. */
static void write_file(const char *path, int format, int rate, int channels,
                       const float *data, sf_count_t frames)
{
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf) {
        fprintf(stderr, "cannot write test file %s: %s\n", path, sf_strerror(NULL));
        exit(2);
    }
    if (sf_writef_float(sf, data, frames) != frames) {
        fprintf(stderr, "short write %s\n", path);
        exit(2);
    }
    sf_close(sf);
}

static float *sine(int rate, double freq, double amp, uint32_t frames, int channels)
{
    float *d = malloc(sizeof(float) * frames * channels);
    for (uint32_t i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++)
            d[i * channels + c] =
                (float)(amp * sin(2 * M_PI * freq * i / rate + c * 0.5));
    return d;
}

/* Frequency from interpolated upward zero crossings between the first and
 * the last one, over the middle of the signal (away from edge effects). */
static double measure_freq(const float *d, uint32_t frames, int channels, int rate)
{
    uint32_t from = frames / 10, to = frames - frames / 10;
    double first = -1, last = -1;
    int crossings = 0;
    for (uint32_t i = from; i + 1 < to; i++) {
        float a = d[i * channels], b = d[(i + 1) * channels];
        if (a < 0 && b >= 0) {
            double t = i + a / (a - b);
            if (first < 0)
                first = t;
            else
                crossings++;
            last = t;
        }
    }
    if (crossings < 1)
        return 0;
    return crossings * (double)rate / (last - first);
}

static double rms(const float *d, uint32_t frames, int channels)
{
    double s = 0;
    for (uint32_t i = 0; i < frames; i++)
        s += (double)d[i * channels] * d[i * channels];
    return sqrt(s / frames);
}

static int count_dir_entries(void)
{
    DIR *dir = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(dir);
    return n;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void reads_pcm16_mono_exactly(void)
{
    const char *path = tmp_path("m16.wav");
    float data[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = (float)((i % 200) - 100) / 128.0f;
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1, data, 1000);
    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK(sampleio_read(path, &a, &info, &diag) == HISS_OK);
    CHECK(a.channels == 1 && a.count == 1000 && a.rate == 44100);
    CHECK(info.file_channels == 1 && info.file_frames == 1000);
    CHECK_MSG(strstr(info.format, "WAV") && strstr(info.format, "16"), "%s",
              info.format);
    CHECK(info.note[0] == '\0');
    double worst = 0;
    for (int i = 0; i < 1000; i++)
        worst = fmax(worst, fabs(a.frames[i] - data[i]));
    /* libsndfile writes with 32767 and reads with 32768: one step at most. */
    CHECK_MSG(worst <= 1.0 / 32768, "worst %g", worst);
    sampleio_audio_free(&a);
}

static void reads_pcm24_and_float_stereo(void)
{
    const char *p24 = tmp_path("s24.wav"), *pf = tmp_path("sf.wav");
    float *d = sine(48000, 440, 0.7, 4800, 2);
    write_file(p24, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 2, d, 4800);
    write_file(pf, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 2, d, 4800);
    const char *paths[] = {p24, pf};
    double tol[] = {1.0 / 8388608, 0};
    for (int k = 0; k < 2; k++) {
        SampleioAudio a;
        HissDiag diag = {{0}};
        CHECK(sampleio_read(paths[k], &a, NULL, &diag) == HISS_OK);
        CHECK(a.channels == 2 && a.count == 4800);
        double worst = 0;
        for (int i = 0; i < 9600; i++)
            worst = fmax(worst, fabs(a.frames[i] - d[i]));
        CHECK_MSG(worst <= tol[k], "%s worst %g", paths[k], worst);
        sampleio_audio_free(&a);
    }
    free(d);
}

static void loads_flac_and_aiff(void)
{
    const char *pf = tmp_path("x.flac"), *pa = tmp_path("x.aiff");
    float *d = sine(22050, 300, 0.5, 2205, 1);
    write_file(pf, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 22050, 1, d, 2205);
    write_file(pa, SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 22050, 1, d, 2205);
    Sample *s = NULL;
    HissDiag diag = {{0}};
    CHECK(sampleio_load(pf, &s, NULL, &diag) == HISS_OK);
    CHECK(s && s->frames == 2205 && s->channels == 1 && s->rate == 22050);
    if (s)
        CHECK_NEAR(s->data[100], d[100], 1.0 / 32768);
    sample_release(s);
    CHECK(sampleio_load(pa, &s, NULL, &diag) == HISS_OK);
    CHECK(s && s->frames == 2205);
    sample_release(s);
    free(d);
}

static void many_channels_mix_down_to_stereo(void)
{
    const char *path = tmp_path("six.wav");
    enum { N = 6, F = 100 };
    float d[F * N];
    for (int i = 0; i < F; i++)
        for (int c = 0; c < N; c++)
            d[i * N + c] = c == 0 ? 0.8f : 0.0f; /* only the first channel */
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, N, d, F);
    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK(sampleio_read(path, &a, &info, &diag) == HISS_OK);
    CHECK(a.channels == 2 && a.count == F && info.file_channels == N);
    CHECK_MSG(strstr(info.note, "6 channels mixed down to stereo"), "%s", info.note);
    CHECK(!info.damaged); /* a mixdown is no damage */
    /* The first channel is the leftmost: it lands left only. */
    CHECK(a.frames[20] > 0.1f);
    CHECK_NEAR(a.frames[21], 0, 1e-6);
    sampleio_audio_free(&a);

    /* The same signal in every channel keeps its level on both sides. */
    for (int i = 0; i < F * N; i++)
        d[i] = 0.5f;
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, N, d, F);
    CHECK(sampleio_read(path, &a, &info, &diag) == HISS_OK);
    CHECK_NEAR(a.frames[40], 0.5, 1e-5);
    CHECK_NEAR(a.frames[41], 0.5, 1e-5);
    sampleio_audio_free(&a);
}

static void non_finite_values_become_zero(void)
{
    const char *path = tmp_path("nan.wav");
    float d[8] = {0.25f, NAN, INFINITY, -0.5f, 1.5f, 0, 0, 0};
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 1, d, 8);
    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK(sampleio_read(path, &a, &info, &diag) == HISS_OK);
    CHECK(a.frames[1] == 0 && a.frames[2] == 0);
    CHECK(a.frames[0] == 0.25f && a.frames[4] == 1.5f);
    CHECK_MSG(strstr(info.note, "2 non-finite"), "%s", info.note);
    CHECK(info.damaged); /* repaired: the editor says so as the song opens */
    sampleio_audio_free(&a);
}

static void missing_and_non_audio_files_fail_with_the_path(void)
{
    SampleioAudio a;
    HissDiag diag = {{0}};
    const char *missing = tmp_path("nope.wav");
    CHECK(sampleio_read(missing, &a, NULL, &diag) == HISS_ERR_MISSING);
    CHECK_MSG(starts_with(diag.text, missing) && strstr(diag.text, "No such file"),
              "%s", diag.text);

    const char *text = tmp_path("text.wav");
    FILE *f = fopen(text, "w");
    fputs("hiss 1\nthis is not audio at all, just words in a file\n", f);
    fclose(f);
    CHECK(sampleio_read(text, &a, NULL, &diag) == HISS_ERR_FORMAT);
    CHECK_MSG(starts_with(diag.text, text) && strstr(diag.text, "not an audio file"),
              "%s", diag.text);

    const char *empty = tmp_path("empty.wav");
    fclose(fopen(empty, "w"));
    CHECK(sampleio_read(empty, &a, NULL, &diag) == HISS_ERR_FORMAT);
    CHECK_MSG(strstr(diag.text, "empty"), "%s", diag.text);

    CHECK(sampleio_read(tmpdir, &a, NULL, &diag) == HISS_ERR_FORMAT);
    CHECK_MSG(strstr(diag.text, "directory"), "%s", diag.text);

    /* A FIFO with no writer: refused at once instead of waiting for one. */
    const char *fifo = tmp_path("fifo.wav");
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(sampleio_read(fifo, &a, NULL, &diag) == HISS_ERR_FORMAT);
    CHECK_MSG(strstr(diag.text, "not a regular file"), "%s", diag.text);
    unlink(fifo);
    Sample *s = (Sample *)1;
    CHECK(sampleio_load(text, &s, NULL, &diag) != HISS_OK && s == NULL);
}

static void truncated_files_fail_or_load_what_is_there(void)
{
    const char *path = tmp_path("trunc.wav");
    float *d = sine(48000, 440, 0.5, 10000, 2);
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 2, d, 10000);
    struct stat st;
    stat(path, &st);
    SampleioAudio a;
    HissDiag diag = {{0}};

    /* Whole: nothing to say. */
    SampleioInfo whole;
    CHECK(sampleio_read(path, &a, &whole, &diag) == HISS_OK);
    CHECK(!whole.damaged && !whole.note[0]);
    sampleio_audio_free(&a);

    /* Cut inside the header: no audio can be found. */
    CHECK(truncate(path, 30) == 0);
    CHECK(sampleio_read(path, &a, NULL, &diag) != HISS_OK);
    CHECK_MSG(starts_with(diag.text, path), "%s", diag.text);

    /* Cut in the middle of the data: libsndfile trusts the file length for
     * WAV, so the frames present load, with a note saying the file is cut. */
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 2, d, 10000);
    CHECK(truncate(path, st.st_size / 2) == 0);
    SampleioInfo info;
    HissError err = sampleio_read(path, &a, &info, &diag);
    if (err == HISS_OK) {
        CHECK(a.count < 10000 && a.count > 4000);
        CHECK_NEAR(a.frames[2000], d[2000], 1e-6);
        CHECK_MSG(strstr(info.note, "truncated"), "note: '%s'", info.note);
        CHECK(info.damaged);
        sampleio_audio_free(&a);
        /* The Sample keeps that, for the editor's news. */
        Sample *cut = NULL;
        CHECK(sampleio_load(path, &cut, NULL, &diag) == HISS_OK && cut && cut->damaged);
        sample_release(cut);
    } else {
        CHECK_MSG(starts_with(diag.text, path) && strstr(diag.text, "truncated"),
                  "%s", diag.text);
    }

    /* FLAC knows its length from its header: a cut is reported. */
    const char *fpath = tmp_path("trunc.flac");
    write_file(fpath, SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 48000, 2, d, 10000);
    stat(fpath, &st);
    CHECK(truncate(fpath, st.st_size / 2) == 0);
    err = sampleio_read(fpath, &a, NULL, &diag);
    CHECK(err == HISS_ERR_FORMAT);
    CHECK_MSG(starts_with(diag.text, fpath), "%s", diag.text);
    free(d);
}

static void absurd_rates_and_lengths_are_refused(void)
{
    const char *slow = tmp_path("slow.wav");
    float d[64] = {0};
    write_file(slow, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 500, 1, d, 64);
    SampleioAudio a;
    HissDiag diag = {{0}};
    CHECK(sampleio_read(slow, &a, NULL, &diag) == HISS_ERR_RANGE);
    CHECK_MSG(starts_with(diag.text, slow) && strstr(diag.text, "500 Hz"), "%s",
              diag.text);

    /* Ten minutes and one second at the lowest rate: small, but too long. */
    const char *longp = tmp_path("long.wav");
    uint32_t frames = (SAMPLEIO_MAX_SECONDS + 1) * SAMPLEIO_RATE_MIN;
    float *z = calloc(frames, sizeof(float));
    write_file(longp, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SAMPLEIO_RATE_MIN, 1, z,
               frames);
    CHECK(sampleio_read(longp, &a, NULL, &diag) == HISS_ERR_RANGE);
    CHECK_MSG(strstr(diag.text, "too long"), "%s", diag.text);
    /* Exactly ten minutes is fine. */
    write_file(longp, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SAMPLEIO_RATE_MIN, 1, z,
               frames - SAMPLEIO_RATE_MIN);
    CHECK(sampleio_read(longp, &a, NULL, &diag) == HISS_OK);
    sampleio_audio_free(&a);
    free(z);
}

static void loading_keeps_the_file_as_it_is(void)
{
    const char *path = tmp_path("sine44.wav");
    uint32_t frames = 44100;
    float *d = sine(44100, 1000, 0.5, frames, 1);
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 1, d, frames);
    Sample *s = NULL;
    HissDiag diag = {{0}};
    CHECK(sampleio_load(path, &s, NULL, &diag) == HISS_OK);
    if (!s)
        return;
    /* Nothing converted: the file's rate and frames, bit for bit. */
    CHECK(s->rate == 44100 && s->frames == 44100);
    CHECK(memcmp(s->data, d, frames * sizeof(float)) == 0);
    CHECK(s->reversed[0] == s->data[s->frames - 1]);
    sample_release(s);
    free(d);
}

/* Level k is the sound at rate / 2^k: a tone the level can carry keeps its
 * pitch and level, one above the level's Nyquist frequency is gone. */
static void check_levels(uint32_t frames, int channels)
{
    float *low = sine(44100, 1000, 0.5, frames, channels);
    float *high = sine(44100, 15000, 0.5, frames, channels);
    SampleioAudio a = {.frames = low, .count = frames, .channels = channels, .rate = 44100};
    Sample *s = NULL, *t = NULL;
    HissDiag diag = {{0}};
    CHECK(sampleio_from_audio(&a, &s, &diag) == HISS_OK);
    a.frames = high;
    CHECK(sampleio_from_audio(&a, &t, &diag) == HISS_OK);
    /* Only asked for (the sinc mode's): a sample comes without. */
    CHECK(s && s->level_count == 0);
    CHECK(s && sampleio_add_levels(s, &diag) == HISS_OK);
    CHECK(t && sampleio_add_levels(t, &diag) == HISS_OK);
    if (s && t) {
        CHECK(s->level_count >= 3);
        CHECK(s->levels[0].frames == (frames + 1) / 2);
        uint32_t n = s->levels[0].frames;
        double f = measure_freq(s->levels[0].data, n, channels, 22050);
        CHECK_MSG(fabs(f - 1000) < 0.05, "level 1: %.4f Hz", f);
        CHECK_NEAR(rms(s->levels[0].data + n / 10 * channels, n * 8 / 10, channels),
                   0.5 / sqrt(2), 0.002);
        double gone = rms(t->levels[0].data + n / 10 * channels, n * 8 / 10, channels);
        CHECK_MSG(gone < 0.5 / sqrt(2) * 1e-4, "15 kHz in the 22.05 kHz level: %.2g", gone);
        /* Level 2 (11.025 kHz) still carries 1 kHz. */
        f = measure_freq(s->levels[1].data, s->levels[1].frames, channels, 11025);
        CHECK_MSG(fabs(f - 1000) < 0.05, "level 2: %.4f Hz", f);
    }
    sample_release(s);
    sample_release(t);
    free(low);
    free(high);
}

/* The amplitude of a tone at f (cycles a frame) fitted by least squares
 * over the middle 80% of channel 0 (away from edge effects), and the RMS
 * of what is left. */
static double fit_tone(const float *d, uint32_t frames, int channels, double f, double *rest)
{
    uint32_t from = frames / 10, to = frames - frames / 10;
    double cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
    for (uint32_t i = from; i < to; i++) {
        double c = cos(2 * M_PI * f * i), s = sin(2 * M_PI * f * i), x = d[i * channels];
        cc += c * c;
        ss += s * s;
        cs += c * s;
        xc += x * c;
        xs += x * s;
    }
    double det = cc * ss - cs * cs;
    double a = (xc * ss - xs * cs) / det, b = (xs * cc - xc * cs) / det;
    double sum = 0;
    for (uint32_t i = from; i < to; i++) {
        double r = d[i * channels] - a * cos(2 * M_PI * f * i) - b * sin(2 * M_PI * f * i);
        sum += r * r;
    }
    *rest = sqrt(sum / (to - from));
    return hypot(a, b);
}

/* The fine reader (sinc.h) reads fine level j at steps of level frames
 * per output frame from 2.2 x ratio_j / ratio_(j-1) (level 0: from 0) to
 * 2.2: the passband, 0.45 of the output rate, then reaches up to 0.45 x
 * rate x ratio_(j-1) / 2.2 (never past 0.45 x rate), and what the level
 * holds from rate x ratio_j / 4 (r_j / 2, r_j = rate x 2^(-j/5)) on
 * would alias into the passband at the widest step. Level j, at rate x
 * ratio_j: a tone at its passband's edge keeps its level within 0.05 dB
 * with nothing else 90 dB up (images and leftovers), and one at its
 * stopband's edge is 90 dB down. */
static void check_fine_levels(bool portable)
{
    const uint32_t rate = 44100, frames = 22050;
    static const int levels[] = {0, 1, 2, 3, 4, 5, 9, 10, 15};
    double worst_level = 0, worst_rest = -300, worst_stop = -300;
    for (int channels = 1; channels <= 2; channels++)
        for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
            int j = levels[k];
            double pass = 0.45 * rate, stop = rate * (double)sample_fine_ratio(j) / 0x1p34;
            if (j > 0)
                pass = fmin(pass, 0.45 * rate * (double)sample_fine_ratio(j - 1) / 0x1p32 / 2.2);
            for (int which = 0; which < 2; which++) {
                double f = which ? stop : pass;
                if (f >= rate / 2.0)
                    continue; /* not in the sample */
                float *d = sine((int)rate, f, 0.5, frames, channels);
                SampleioAudio a = {.frames = d, .count = frames, .channels = channels,
                                   .rate = (int)rate};
                Sample *s = NULL;
                HissDiag diag = {{0}};
                CHECK(sampleio_from_audio(&a, &s, &diag) == HISS_OK);
                CHECK(s && sampleio_add_fine_levels(s, j + 1, &diag) == HISS_OK);
                if (s && s->fine && s->level_count == j + 1) {
                    const SampleLevel *l = &s->levels[j];
                    CHECK(l->ratio == sample_fine_ratio(j));
                    CHECK(l->frames == sample_fine_level_frames(frames, j));
                    double level_rate = rate * (double)l->ratio / 0x1p32;
                    double rest, amp = fit_tone(l->data, l->frames, channels, f / level_rate,
                                                &rest);
                    double db = 20 * log10(amp / 0.5);
                    double rest_db = 20 * log10(rest / (0.5 / sqrt(2)) + 1e-300);
                    if (!which) {
                        worst_level = fmax(worst_level, fabs(db));
                        worst_rest = fmax(worst_rest, rest_db);
                        CHECK_MSG(fabs(db) < 0.05 && rest_db < -90,
                                  "level %d, %d ch, %.0f Hz: %.3f dB, the rest at %.1f dB", j,
                                  channels, f, db, rest_db);
                    } else {
                        double left = 20 * log10(rms(l->data + l->frames / 10 * channels,
                                                     l->frames * 8 / 10, channels) /
                                                     (0.5 / sqrt(2)) + 1e-300);
                        worst_stop = fmax(worst_stop, left);
                        CHECK_MSG(left < -90, "level %d, %d ch, %.0f Hz: %.1f dB left", j,
                                  channels, f, left);
                    }
                } else {
                    CHECK(false);
                }
                sample_release(s);
                free(d);
            }
        }
    printf("     fine levels (%s sums): within %.4f dB, the rest at worst %.1f dB, above "
           "r_j / 2 at worst %.1f dB\n",
           portable ? "portable" : "this CPU's fastest", worst_level, worst_rest, worst_stop);
}

/* The figures hold for the sums this CPU gets and for the portable ones
 * other CPUs get. */
static void fine_levels_are_band_limited_and_oversampled(void)
{
    for (int portable = 0; portable < 2; portable++) {
        finelevel_use_portable(portable);
        check_fine_levels(portable);
    }
    finelevel_use_portable(false);
}

static void levels_are_band_limited_octaves(void)
{
    check_levels(44100, 1);
    /* Past SAMPLEIO_BEST_QUALITY_SAMPLES: the medium converter. */
    check_levels((SAMPLEIO_BEST_QUALITY_SAMPLES / 2 / 44100 + 1) * 44100, 2);
}

static void short_and_odd_samples(void)
{
    float d[14] = {0.1f, -0.1f, 0.2f, -0.2f, 0.3f, -0.3f, 0.4f,
                   -0.4f, 0.5f, -0.5f, 0.6f, -0.6f, 0.7f, -0.7f};
    SampleioAudio a = {.frames = d, .count = 7, .channels = 2, .rate = 44100};
    Sample *s = NULL;
    HissDiag diag = {{0}};
    CHECK(sampleio_from_audio(&a, &s, &diag) == HISS_OK);
    /* Too short for a level: it has none, and its frames as they were. */
    CHECK(s && sampleio_add_levels(s, &diag) == HISS_OK);
    CHECK(s && s->frames == 7 && s->channels == 2 && s->level_count == 0);
    if (s)
        CHECK(memcmp(s->data, d, sizeof d) == 0);
    sample_release(s);
    a.rate = 999;
    CHECK(sampleio_from_audio(&a, &s, &diag) == HISS_ERR_RANGE && !s);
}

/* Integer output is converted by the writer itself: every value, tiny,
 * halfway, near and past full scale, NaN and infinite, must give the
 * code libsndfile gives for it (with clipping on, as the writer had it),
 * and a float file the value itself. */
static void codes_match_libsndfile(const char *name, SampleioEncoding encoding, int format)
{
    enum { N = 4096 };
    static float v[N];
    uint32_t seed = 7;
    for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        float r = (float)(seed >> 8) / (float)(1u << 24) * 2.2f - 1.1f;
        v[i] = i % 4 == 0 ? r : i % 4 == 1 ? r / 32768.0f : i % 4 == 2 ? r / 4096.0f : r * 0.5f;
    }
    const float edge[] = {1.0f, -1.0f, 0.99999994f, -0.99999994f, 1.5f, -1.5f,
                          0.5f / 32768, 1.5f / 32768, -2.5f / 32768, 65535.75f / 2147483648.0f,
                          0.5f / 8388608, 1.5f / 8388608, -2.5f / 8388608,
                          255.5f / 2147483648.0f, NAN, INFINITY, -INFINITY, 0.0f, -0.0f};
    memcpy(v, edge, sizeof edge);
    char ours_name[64], theirs_name[64];
    snprintf(ours_name, sizeof ours_name, "ours_%s", name);
    snprintf(theirs_name, sizeof theirs_name, "sf_%s", name);
    const char *ours = tmp_path(ours_name), *theirs = tmp_path(theirs_name);
    SampleioWriter *w = NULL;
    HissDiag diag = {{0}};
    CHECK(sampleio_writer_open(ours, 48000, 1, encoding, &w, &diag) == HISS_OK);
    if (!w)
        return;
    CHECK(sampleio_writer_write(w, v, N, &diag) == HISS_OK);
    CHECK(sampleio_writer_close(w, &diag) == HISS_OK);
    /* libsndfile's own conversion (NaN and infinities made 0 first, as the
     * writer always did). */
    static float clean[N];
    for (int i = 0; i < N; i++)
        clean[i] = isfinite(v[i]) ? v[i] : 0.0f;
    SF_INFO info = {.samplerate = 48000, .channels = 1, .format = format};
    SNDFILE *sf = sf_open(theirs, SFM_WRITE, &info);
    CHECK(sf != NULL);
    if (!sf)
        return;
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    sf_writef_float(sf, clean, N);
    sf_close(sf);
    /* Read back as 32-bit integers (a float file's bits), so every code
     * is compared exactly. */
    static int32_t a[N], b[N];
    SF_INFO ia = {0}, ib = {0};
    SNDFILE *fa = sf_open(ours, SFM_READ, &ia), *fb = sf_open(theirs, SFM_READ, &ib);
    CHECK(fa && fb);
    bool is_float = encoding == SAMPLEIO_ENC_FLOAT;
    if (fa && fb) {
        CHECK(ia.format == ib.format);
        if (is_float)
            CHECK(sf_readf_float(fa, (float *)a, N) == N &&
                  sf_readf_float(fb, (float *)b, N) == N);
        else
            CHECK(sf_readf_int(fa, a, N) == N && sf_readf_int(fb, b, N) == N);
        int differ = 0;
        for (int i = 0; i < N; i++)
            if (a[i] != b[i] && differ++ < 5)
                fprintf(stderr, "  %s value %d (%.9g): %d, libsndfile %d\n", name, i, v[i],
                        a[i], b[i]);
        CHECK(differ == 0);
    }
    if (fa)
        sf_close(fa);
    if (fb)
        sf_close(fb);
}

static void pcm16_matches_libsndfile(void)
{
    codes_match_libsndfile("16.wav", SAMPLEIO_ENC_PCM16, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
}

static void pcm24_matches_libsndfile(void)
{
    codes_match_libsndfile("24.wav", SAMPLEIO_ENC_PCM24, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    codes_match_libsndfile("24.aiff", SAMPLEIO_ENC_PCM24, SF_FORMAT_AIFF | SF_FORMAT_PCM_24);
    codes_match_libsndfile("24.flac", SAMPLEIO_ENC_PCM24, SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
}

static void float_matches_libsndfile(void)
{
    codes_match_libsndfile("32.wav", SAMPLEIO_ENC_FLOAT, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
}

static void writer_round_trips(void)
{
    float *d = sine(48000, 220, 0.9, 3000, 2);
    d[10] = 1.5f;  /* an over */
    d[11] = -2.0f; /* another */
    struct {
        const char *name;
        SampleioEncoding enc;
        double tol;
        const char *format;
    } cases[] = {
        {"rt.wav", SAMPLEIO_ENC_DEFAULT, 1.0 / 8388608, "WAV 24-bit"},
        {"rt16.wav", SAMPLEIO_ENC_PCM16, 1.0 / 32768, "WAV 16-bit"},
        {"rtf.wav", SAMPLEIO_ENC_FLOAT, 0, "WAV 32-bit float"},
        {"rt.flac", SAMPLEIO_ENC_DEFAULT, 1.0 / 8388608, "FLAC 24-bit"},
        {"RT.AIFF", SAMPLEIO_ENC_PCM24, 1.0 / 8388608, "AIFF 24-bit"},
    };
    for (size_t k = 0; k < HISS_ARRAY_LEN(cases); k++) {
        const char *path = tmp_path(cases[k].name);
        SampleioWriter *w = NULL;
        HissDiag diag = {{0}};
        CHECK(sampleio_writer_open(path, 48000, 2, cases[k].enc, &w, &diag) == HISS_OK);
        if (!w)
            continue;
        CHECK_STR(sampleio_writer_format_name(w), cases[k].format);
        /* The target appears only when the file is complete. */
        CHECK(access(path, F_OK) != 0);
        CHECK(sampleio_writer_write(w, d, 1000, &diag) == HISS_OK);
        CHECK(sampleio_writer_write(w, d + 2000, 2000, &diag) == HISS_OK);
        CHECK(sampleio_writer_frames(w) == 3000);
        CHECK(sampleio_writer_overs(w) == 2);
        CHECK_NEAR(sampleio_writer_peak(w), 2.0, 0);
        CHECK(sampleio_writer_close(w, &diag) == HISS_OK);
        SampleioAudio a;
        SampleioInfo info;
        CHECK(sampleio_read(path, &a, &info, &diag) == HISS_OK);
        CHECK(a.count == 3000 && a.channels == 2 && a.rate == 48000);
        double worst = 0;
        for (int i = 20; i < 6000; i++)
            worst = fmax(worst, fabs(a.frames[i] - d[i]));
        CHECK_MSG(worst <= cases[k].tol, "%s worst %g", cases[k].name, worst);
        if (cases[k].enc == SAMPLEIO_ENC_FLOAT)
            CHECK(a.frames[10] == 1.5f && a.frames[11] == -2.0f);
        else /* integer formats clip instead of wrapping around */
            CHECK(a.frames[10] > 0.99f && a.frames[11] < -0.99f);
        sampleio_audio_free(&a);
    }
    free(d);
}

static void writer_output_is_deterministic(void)
{
    float *d = sine(44100, 330, 0.5, 5000, 1);
    const char *names[] = {"det1.flac", "det2.flac", "det1.wav", "det2.wav"};
    for (int k = 0; k < 4; k++) {
        SampleioWriter *w;
        HissDiag diag;
        SampleioEncoding enc = k >= 2 ? SAMPLEIO_ENC_FLOAT : SAMPLEIO_ENC_DEFAULT;
        CHECK(sampleio_writer_open(tmp_path(names[k]), 44100, 1, enc, &w, &diag) == 0);
        CHECK(sampleio_writer_write(w, d, 5000, &diag) == 0);
        CHECK(sampleio_writer_close(w, &diag) == 0);
    }
    for (int k = 0; k < 4; k += 2) {
        char *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        FILE *fa = fopen(tmp_path(names[k]), "rb"), *fb = fopen(tmp_path(names[k + 1]), "rb");
        if (!fa || !fb) {
            CHECK(fa && fb);
            continue;
        }
        a = malloc(1 << 20);
        b = malloc(1 << 20);
        na = fread(a, 1, 1 << 20, fa);
        nb = fread(b, 1, 1 << 20, fb);
        CHECK(na > 1000 && na == nb && memcmp(a, b, na) == 0);
        fclose(fa);
        fclose(fb);
        free(a);
        free(b);
    }
    free(d);
}

static void writer_errors_are_clear_and_leave_nothing(void)
{
    int before = count_dir_entries();
    SampleioWriter *w = (SampleioWriter *)1;
    HissDiag diag = {{0}};
    char path[600];
    snprintf(path, sizeof path, "%s/no/such/dir/out.wav", tmpdir);
    CHECK(sampleio_writer_open(path, 48000, 2, 0, &w, &diag) == HISS_ERR_IO);
    CHECK(w == NULL);
    CHECK_MSG(starts_with(diag.text, path) && strstr(diag.text, "No such file"),
              "%s", diag.text);

    CHECK(sampleio_writer_open(tmpdir, 48000, 2, 0, &w, &diag) != HISS_OK);
    CHECK(sampleio_writer_open(tmp_path("out.mp3"), 48000, 2, 0, &w, &diag) ==
          HISS_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(diag.text, ".wav"), "%s", diag.text);
    CHECK(sampleio_writer_open(tmp_path("out.flac"), 48000, 2, SAMPLEIO_ENC_FLOAT,
                               &w, &diag) == HISS_ERR_UNSUPPORTED);
    CHECK(sampleio_writer_open(tmp_path("out.wav"), 100, 2, 0, &w, &diag) ==
          HISS_ERR_RANGE);
    CHECK(sampleio_writer_open(tmp_path("out.wav"), 48000, 0, 0, &w, &diag) ==
          HISS_ERR_RANGE);

    /* A read-only directory (meaningless for root, who may write anyway). */
    if (geteuid() != 0) {
        const char *ro = tmp_path("ro");
        mkdir(ro, 0555);
        char rop[600];
        snprintf(rop, sizeof rop, "%s/x.wav", ro);
        CHECK(sampleio_writer_open(rop, 48000, 2, 0, &w, &diag) == HISS_ERR_IO);
        CHECK_MSG(strstr(diag.text, "Permission denied"), "%s", diag.text);
        rmdir(ro);
    }

    /* An aborted write leaves neither the target nor a temporary file. */
    CHECK(sampleio_writer_open(tmp_path("abort.wav"), 48000, 2, 0, &w, &diag) == 0);
    float z[64] = {0};
    CHECK(sampleio_writer_write(w, z, 32, &diag) == 0);
    CHECK(count_dir_entries() == before + 1);
    sampleio_writer_abort(w);
    CHECK(count_dir_entries() == before);
    CHECK(access(tmp_path("abort.wav"), F_OK) != 0);
}

/* The writer buffers what libsndfile makes; a write that fails (here a
 * file size limit, as a full disk would) still fails the write or the
 * close with the system's reason, and leaves nothing behind. */
static void writer_reports_a_failed_write_by_name(void)
{
    int before = count_dir_entries();
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {256 * 1024, 256 * 1024};
        setrlimit(RLIMIT_FSIZE, &rl);
        SampleioWriter *w;
        HissDiag diag = {{0}};
        static float loud[48000 * 2];
        for (size_t i = 0; i < 48000 * 2; i++)
            loud[i] = (float)(i % 100) / 100.0f;
        if (sampleio_writer_open(tmp_path("big.wav"), 48000, 2, 0, &w, &diag))
            _exit(2);
        HissError err = sampleio_writer_write(w, loud, 48000, &diag);
        if (err)
            sampleio_writer_abort(w);
        else
            err = sampleio_writer_close(w, &diag);
        fprintf(stderr, "  %s\n", diag.text);
        _exit(err == HISS_ERR_IO && strstr(diag.text, "File too large") ? 0 : 1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
    CHECK(count_dir_entries() == before);
}

static void writer_replaces_an_existing_file_whole(void)
{
    const char *path = tmp_path("replace.wav");
    FILE *f = fopen(path, "w");
    fputs("old contents", f);
    fclose(f);
    SampleioWriter *w;
    HissDiag diag;
    float z[200] = {0};
    CHECK(sampleio_writer_open(path, 48000, 1, 0, &w, &diag) == 0);
    CHECK(sampleio_writer_write(w, z, 200, &diag) == 0);
    /* Until close, the old file is untouched. */
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 12);
    CHECK(sampleio_writer_close(w, &diag) == 0);
    SampleioAudio a;
    CHECK(sampleio_read(path, &a, NULL, &diag) == HISS_OK && a.count == 200);
    sampleio_audio_free(&a);
}

/* ---- what the file says: smpl / cue ---- */

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A mono 16-bit WAV: fmt, then `extra` (whole chunks, as they are), then
 * `frames` frames of a quiet ramp. `claimed` frames go into the data
 * chunk's size (a truncated file claims more than it holds). */
static void write_wav_with_chunks(const char *path, uint32_t frames, uint32_t claimed,
                                  const unsigned char *extra, size_t extra_len)
{
    size_t data = (size_t)frames * 2;
    size_t size = 44 + extra_len + data;
    unsigned char *w = calloc(1, size);
    memcpy(w, "RIFF", 4);
    put32(w + 4, (uint32_t)(size - 8));
    memcpy(w + 8, "WAVEfmt ", 8);
    put32(w + 16, 16);
    w[20] = 1;  /* PCM */
    w[22] = 1;  /* mono */
    put32(w + 24, 44100);
    put32(w + 28, 88200);
    w[32] = 2;
    w[34] = 16;
    memcpy(w + 36, extra, extra_len);
    unsigned char *d = w + 36 + extra_len;
    memcpy(d, "data", 4);
    put32(d + 4, claimed * 2);
    for (uint32_t i = 0; i < frames; i++)
        d[8 + 2 * i] = (unsigned char)i;
    FILE *f = fopen(path, "wb");
    fwrite(w, 1, size, f);
    fclose(f);
    free(w);
}

/* A smpl chunk with one loop [start, end] (inclusive, as in the file) and
 * `claimed_loops` in its loop count; returns its length. */
static size_t smpl_chunk(unsigned char *out, int midi_note, uint32_t claimed_loops,
                         uint32_t start, uint32_t end_inclusive)
{
    memset(out, 0, 68);
    memcpy(out, "smpl", 4);
    put32(out + 4, 60);
    put32(out + 20, (uint32_t)midi_note);
    put32(out + 36, claimed_loops);
    put32(out + 52, start);
    put32(out + 56, end_inclusive);
    return 68;
}

/* A cue chunk with the given frames, in the given order. */
static size_t cue_chunk(unsigned char *out, const uint32_t *frames, int count)
{
    memset(out, 0, 12 + 24 * (size_t)count);
    memcpy(out, "cue ", 4);
    put32(out + 4, 4 + 24 * (uint32_t)count);
    put32(out + 8, (uint32_t)count);
    for (int i = 0; i < count; i++) {
        unsigned char *c = out + 12 + 24 * i;
        put32(c, (uint32_t)i + 1);
        put32(c + 4, frames[i]);
        memcpy(c + 8, "data", 4);
        put32(c + 20, frames[i]);
    }
    return 12 + 24 * (size_t)count;
}

/* A 16-bit WAV of a sine written by libsndfile itself, with its
 * instrument data (when inst is not NULL) and cue points. */
static bool write_marked_file(const char *path, int channels, int frames,
                              const SF_INSTRUMENT *inst, const uint32_t *cues,
                              int cue_count)
{
    float *d = sine(44100, 441, 0.2, (uint32_t)frames, channels);
    SF_INFO sfi = {.samplerate = 44100, .channels = channels,
                   .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &sfi);
    bool ok = sf != NULL;
    if (ok && inst)
        ok = sf_command(sf, SFC_SET_INSTRUMENT, (void *)inst, sizeof *inst) == SF_TRUE;
    SF_CUES c = {.cue_count = (uint32_t)cue_count};
    for (int i = 0; i < cue_count; i++) {
        c.cue_points[i].indx = i + 1;
        c.cue_points[i].position = cues[i];
        c.cue_points[i].fcc_chunk = 0x61746164; /* "data" */
        c.cue_points[i].sample_offset = cues[i];
    }
    if (ok && cue_count)
        ok = sf_command(sf, SFC_SET_CUE, &c, sizeof c) == SF_TRUE;
    if (ok)
        ok = sf_writef_float(sf, d, frames) == frames;
    if (sf)
        sf_close(sf);
    free(d);
    return ok;
}

/* Root note, loop and cue points written by libsndfile itself. */
static void marks_are_read_from_the_file(void)
{
    const char *path = tmp_path("marked.wav");
    SF_INSTRUMENT inst = {.basenote = 48, .loop_count = 1};
    inst.loops[0].mode = SF_LOOP_ALTERNATING;
    inst.loops[0].start = 100;
    inst.loops[0].end = 900;
    const uint32_t at[] = {250, 600, 40};
    CHECK(write_marked_file(path, 1, 1000, &inst, at, 3));

    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    sampleio_audio_free(&a);
    const SampleMarks *m = &info.marks;
    CHECK_MSG(m->root_note == 37, "root %d (C-3 is 37)", m->root_note);
    CHECK(m->loop == SAMPLE_LOOP_PINGPONG);
    CHECK_MSG(m->loop_start == 100 && m->loop_end == 900, "loop %u..%u", m->loop_start,
              m->loop_end);
    CHECK(m->cue_count == 3 && m->cues[0] == 40 && m->cues[1] == 250 && m->cues[2] == 600);
    CHECK_MSG(strstr(info.note, "out of order"), "note: %s", info.note);

    /* sampleio_load puts them on the Sample. */
    Sample *s = NULL;
    CHECK(sampleio_load(path, &s, NULL, &diag) == HISS_OK);
    CHECK(s && s->marks.cue_count == 3 && s->marks.loop_end == 900);
    sample_release(s);
}

/* Broken marks are dropped with a note, never the audio. */
static void bad_marks_are_dropped_and_the_audio_loads(void)
{
    unsigned char extra[4096];
    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};

    /* A loop past the end, cue points past the end and out of order. */
    const uint32_t cues[] = {900, 5000, 10, 10, 400, 70000};
    size_t n = smpl_chunk(extra, 60, 1, 200, 4999);
    n += cue_chunk(extra + n, cues, 6);
    const char *path = tmp_path("badmarks.wav");
    write_wav_with_chunks(path, 1000, 1000, extra, n);
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    CHECK(a.count == 1000);
    sampleio_audio_free(&a);
    CHECK(info.marks.loop == SAMPLE_LOOP_NONE && info.marks.root_note == 49);
    CHECK(info.marks.cue_count == 3 && info.marks.cues[0] == 10 &&
          info.marks.cues[1] == 400 && info.marks.cues[2] == 900);
    CHECK_MSG(strstr(info.note, "loop 200..5000 does not fit the 1000 frames, ignored") &&
                  strstr(info.note, "2 cue points past the 1000 frames ignored") &&
                  strstr(info.note, "out of order"),
              "note: %s", info.note);

    /* A corrupt smpl chunk: a loop count far beyond its size, an
     * impossible MIDI note. */
    n = smpl_chunk(extra, 200, 0x7FFFFFFF, 5, 50);
    path = tmp_path("corruptsmpl.wav");
    write_wav_with_chunks(path, 1000, 1000, extra, n);
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    CHECK(a.count == 1000);
    sampleio_audio_free(&a);
    CHECK(info.marks.root_note == 0);
    CHECK(info.marks.loop == SAMPLE_LOOP_NONE ||
          (info.marks.loop_start < info.marks.loop_end && info.marks.loop_end <= 1000));

    /* A cue chunk cut short: it claims 100000 points, holds 2. */
    n = cue_chunk(extra, cues, 2);
    put32(extra + 8, 100000);
    path = tmp_path("shortcue.wav");
    write_wav_with_chunks(path, 1000, 1000, extra, n);
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    CHECK(a.count == 1000);
    sampleio_audio_free(&a);
    CHECK(info.marks.cue_count <= 2);
    for (int i = 0; i < info.marks.cue_count; i++)
        CHECK(info.marks.cues[i] < 1000 && (!i || info.marks.cues[i] > info.marks.cues[i - 1]));

    /* More cue points than an instrument holds slices. */
    uint32_t many[200];
    for (int i = 0; i < 200; i++)
        many[i] = (uint32_t)(199 - i) * 5;
    n = cue_chunk(extra, many, 150);
    path = tmp_path("manycues.wav");
    write_wav_with_chunks(path, 1000, 1000, extra, n);
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    sampleio_audio_free(&a);
    CHECK(info.marks.cue_count == SAMPLE_MAX_CUES);
    /* 250, 255, ... 995 sorted: the first 128 end at 885. */
    CHECK(info.marks.cues[0] == 250 && info.marks.cues[SAMPLE_MAX_CUES - 1] == 885);
    CHECK_MSG(strstr(info.note, "150 cue points, kept the first 128"), "note: %s",
              info.note);

    /* A file cut short: cue points and loop past what is there are
     * dropped, the frames present load. */
    const uint32_t late[] = {100, 900};
    n = smpl_chunk(extra, 60, 1, 100, 899);
    n += cue_chunk(extra + n, late, 2);
    path = tmp_path("cutmarks.wav");
    write_wav_with_chunks(path, 500, 1000, extra, n);
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    CHECK_MSG(a.count == 500, "%u frames", a.count);
    sampleio_audio_free(&a);
    CHECK(info.marks.loop == SAMPLE_LOOP_NONE);
    CHECK(info.marks.cue_count == 1 && info.marks.cues[0] == 100);
    CHECK_MSG(strstr(info.note, "truncated") && strstr(info.note, "does not fit the 500"),
              "note: %s", info.note);
}

/* A LIST/adtl chunk holding one `ltxt` (cue id, length) per pair; the last
 * subchunk claims more bytes than the chunk has when `lying`. */
static size_t regions_chunk(unsigned char *out, const uint32_t *id_len, int count, bool lying)
{
    size_t n = 12;
    memcpy(out, "LIST", 4);
    memcpy(out + 8, "adtl", 4);
    for (int i = 0; i < count; i++, n += 28) {
        memset(out + n, 0, 28);
        memcpy(out + n, "ltxt", 4);
        put32(out + n + 4, 20);
        put32(out + n + 8, id_len[2 * i]);
        put32(out + n + 12, id_len[2 * i + 1]);
        memcpy(out + n + 16, "rgn ", 4);
    }
    if (lying) {
        memcpy(out + n, "ltxt", 4);
        put32(out + n + 4, 4000);
        n += 8;
    }
    put32(out + 4, (uint32_t)(n - 8));
    return n;
}

/* Regions (a cue point and a length) end where a slice starts, and the
 * smpl chunk's loops after the first (the sample's loop) mark slices at
 * both ends. A region or loop running past the audio, and a label list
 * that lies about its sizes, are left out; the audio loads. */
static void regions_and_loops_become_slices(void)
{
    unsigned char extra[4096];
    const uint32_t cues[] = {100, 600};
    size_t n = smpl_chunk(extra, 60, 2, 10, 899);
    /* A second loop, 700..799 inclusive, after the first. */
    put32(extra + 4, 60 + 24);
    memset(extra + n, 0, 24);
    put32(extra + n + 8, 700);
    put32(extra + n + 12, 799);
    n += 24;
    n += cue_chunk(extra + n, cues, 2);
    const uint32_t regions[] = {1, 200, 2, 5000, 7, 50};
    n += regions_chunk(extra + n, regions, 3, true);
    const char *path = tmp_path("regions.wav");
    write_wav_with_chunks(path, 1000, 1000, extra, n);
    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    CHECK(a.count == 1000);
    sampleio_audio_free(&a);
    CHECK(info.marks.loop == SAMPLE_LOOP_FORWARD && info.marks.loop_start == 10 &&
          info.marks.loop_end == 900);
    const uint32_t want[] = {100, 300, 600, 700, 800};
    bool same = info.marks.cue_count == 5;
    for (int i = 0; same && i < 5; i++)
        same = info.marks.cues[i] == want[i];
    CHECK_MSG(same, "%d slice points: %u %u %u %u %u", info.marks.cue_count,
              info.marks.cues[0], info.marks.cues[1], info.marks.cues[2], info.marks.cues[3],
              info.marks.cues[4]);
}

/* 64 channels with marks: mixed down, the marks kept. */
static void many_channel_file_keeps_its_marks(void)
{
    enum { CH = 64, FRAMES = 2000 };
    const char *path = tmp_path("ch64.wav");
    const uint32_t at[] = {500, 1500};
    CHECK(write_marked_file(path, CH, FRAMES, NULL, at, 2));
    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK_MSG(sampleio_read(path, &a, &info, &diag) == HISS_OK, "%s", diag.text);
    CHECK(a.channels == 2 && a.count == FRAMES);
    sampleio_audio_free(&a);
    CHECK(strstr(info.note, "64 channels mixed down"));
    CHECK(info.marks.cue_count == 2 && info.marks.cues[1] == 1500);
}

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

/* An hour of 96 kHz audio (the header and a sparse file of its full
 * size: nothing large is written) is refused by the length its header
 * gives, with that length in the message, so it neither holds the editor
 * nor takes the memory for 345,600,000 frames. */
static void an_hour_at_96k_is_refused_before_reading(void)
{
    const char *path = tmp_path("hour96k.wav");
    const uint32_t rate = 96000, frames = 3600u * 96000u, data = frames * 2;
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    put32(h + 4, 36 + data);
    memcpy(h + 8, "WAVEfmt ", 8);
    put32(h + 16, 16);
    put16(h + 20, 1); /* PCM */
    put16(h + 22, 1); /* mono */
    put32(h + 24, rate);
    put32(h + 28, rate * 2);
    put16(h + 32, 2);
    put16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    put32(h + 40, data);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(h, 1, sizeof h, f) == sizeof h);
    if (!f)
        return;
    CHECK(ftruncate(fileno(f), (off_t)sizeof h + data) == 0);
    fclose(f);
    SampleioAudio a;
    SampleioInfo info;
    HissDiag diag = {{0}};
    CHECK(sampleio_read(path, &a, &info, &diag) == HISS_ERR_RANGE);
    CHECK_MSG(strstr(diag.text, "too long") && strstr(diag.text, "60:00 at 96000 Hz"), "%s",
              diag.text);
    Sample *s = NULL;
    CHECK(sampleio_load(path, &s, NULL, &diag) == HISS_ERR_RANGE && !s);
    unlink(path);
}

int main(void)
{
    test_make_tmpdir(tmpdir, sizeof tmpdir, "sampleio");
    RUN(reads_pcm16_mono_exactly);
    RUN(reads_pcm24_and_float_stereo);
    RUN(loads_flac_and_aiff);
    RUN(many_channels_mix_down_to_stereo);
    RUN(non_finite_values_become_zero);
    RUN(missing_and_non_audio_files_fail_with_the_path);
    RUN(truncated_files_fail_or_load_what_is_there);
    RUN(absurd_rates_and_lengths_are_refused);
    RUN(an_hour_at_96k_is_refused_before_reading);
    RUN(loading_keeps_the_file_as_it_is);
    RUN(levels_are_band_limited_octaves);
    RUN(fine_levels_are_band_limited_and_oversampled);
    RUN(short_and_odd_samples);
    RUN(marks_are_read_from_the_file);
    RUN(bad_marks_are_dropped_and_the_audio_loads);
    RUN(regions_and_loops_become_slices);
    RUN(many_channel_file_keeps_its_marks);
    RUN(writer_round_trips);
    RUN(pcm16_matches_libsndfile);
    RUN(pcm24_matches_libsndfile);
    RUN(float_matches_libsndfile);
    RUN(writer_output_is_deterministic);
    RUN(writer_errors_are_clear_and_leave_nothing);
    RUN(writer_replaces_an_existing_file_whole);
    RUN(writer_reports_a_failed_write_by_name);
    test_remove_tree(tmpdir);
    return test_finish();
}
