/* The master's true-peak limiter, measured on rendered audio: the
 * ceiling holds between samples (by 16x oversampling here and by
 * libebur128's true-peak meter), audio under the ceiling passes
 * untouched and on time, the stems stay aligned with the master, and
 * block sizes do not change a sample. */
#include <ebur128.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/synth_song.h"
#include "engine.h"
#include "limiter.h"
#include "songfile.h"
#include "test.h"
#include "truepeak.h"

#define RATE 48000u

static float *render(Song *s, uint32_t frames, uint32_t block, float *const *stems,
                     int stem_count, EngineStatus *status_out)
{
    float *out = calloc(2 * (size_t)frames, sizeof(float));
    Engine *e = engine_new(s, RATE);
    engine_play_song_now(e, 0, 0, true);
    for (uint32_t done = 0; done < frames;) {
        uint32_t n = frames - done < block ? frames - done : block;
        float *at[ENGINE_STEMS] = {NULL};
        for (int c = 0; c < stem_count; c++)
            at[c] = stems[c] ? stems[c] + 2 * (size_t)done : NULL;
        engine_render_stems(e, out + 2 * (size_t)done, NULL, 0, stem_count ? at : NULL,
                            stem_count, n);
        done += n;
    }
    if (status_out) {
        const EngineStatus *st = engine_status(e);
        atomic_store(&status_out->limit_frames, atomic_load(&st->limit_frames));
        atomic_store(&status_out->clip_count, atomic_load(&st->clip_count));
    }
    engine_free(e);
    return out;
}

/* The true peak by 16x oversampling with a long windowed sinc (128 taps
 * each way, each phase scaled to pass DC at unity), independent of the
 * limiter's own filter. */
static double true_peak_16x(const float *x, uint32_t frames)
{
    enum { OVER = 16, HALF = 128 };
    static double taps[OVER][2 * HALF];
    for (int p = 1; p < OVER; p++) {
        double sum = 0;
        for (int k = -HALF + 1; k <= HALF; k++) {
            double d = k - p / (double)OVER;
            double w = 0.5 + 0.5 * cos(M_PI * d / HALF);
            taps[p][k + HALF - 1] = sin(M_PI * d) / (M_PI * d) * w;
            sum += taps[p][k + HALF - 1];
        }
        for (int k = 0; k < 2 * HALF; k++)
            taps[p][k] /= sum;
    }
    double peak = 0;
    for (int c = 0; c < 2; c++)
        for (uint32_t f = HALF; f + HALF < frames; f++) {
            peak = fmax(peak, fabs(x[2 * f + c]));
            for (int p = 1; p < OVER; p++) {
                double v = 0;
                for (int k = -HALF + 1; k <= HALF; k++)
                    v += x[2 * (f + k) + c] * taps[p][k + HALF - 1];
                peak = fmax(peak, fabs(v));
            }
        }
    return peak;
}

/* libebur128's own true peak: a meter other than the limiter's filter. */
static double ebur128_true_peak_db(const float *x, uint32_t frames)
{
    ebur128_state *st = ebur128_init(2, RATE, EBUR128_MODE_TRUE_PEAK);
    double peak = 0, v;
    if (st && ebur128_add_frames_float(st, x, frames) == EBUR128_SUCCESS)
        for (unsigned c = 0; c < 2; c++)
            if (ebur128_true_peak(st, c, &v) == EBUR128_SUCCESS && v > peak)
                peak = v;
    ebur128_destroy(&st);
    return peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
}

static double sample_peak(const float *x, uint32_t frames)
{
    double p = 0;
    for (size_t i = 0; i < 2 * (size_t)frames; i++)
        p = fmax(p, fabs(x[i]));
    return p;
}

/* A tone at a quarter of the rate, 45 degrees off the samples: every
 * sample sits at 0.707 of the wave's crest, so the peak between them is
 * 3 dB over the samples'. Sample peak 0.8 (-1.9 dBFS), true peak +1.1
 * dBTP: only a limiter that looks between samples sees it. */
static Song *intersample_song(void)
{
    enum { FRAMES = RATE };
    float *tone = malloc(sizeof(float) * FRAMES);
    for (uint32_t i = 0; i < FRAMES; i++)
        tone[i] = (float)(0.8 * M_SQRT2 * sin(M_PI / 2 * i + M_PI / 4));
    Sample *smp = sample_new(tone, FRAMES, 1, RATE);
    free(tone);
    Song *s = synth_song(1, 64, 120, 6);
    synth_set_instrument(s, 1, synth_instrument(smp, LOOP_OFF, 0, 0, INTERP_RAW));
    synth_put(s, 0, 0, 0, 49, 1, 64, 0, 0);
    atomic_store(&s->limiter, true);
    return s;
}

static void holds_the_ceiling_between_samples(void)
{
    Song *s = intersample_song();
    const uint32_t frames = RATE / 2;
    atomic_store(&s->limiter, false);
    float *open = render(s, frames, 256, NULL, 0, NULL);
    double open_tp = 20 * log10(true_peak_16x(open, 4096));
    CHECK_MSG(open_tp > 0.9 && sample_peak(open, frames) < 0.81,
              "the test tone: true peak %.2f dBTP, sample peak %.3f", open_tp,
              sample_peak(open, frames));
    atomic_store(&s->limiter, true);
    for (int ceiling = -10; ceiling >= -60; ceiling -= 50) {
        atomic_store(&s->limiter_ceiling_tenth_db, ceiling);
        EngineStatus st = {0};
        float *out = render(s, frames, 256, NULL, 0, &st);
        double tp16 = 20 * log10(true_peak_16x(out, 8192));
        double tp_meter = ebur128_true_peak_db(out, frames);
        double set = ceiling / 10.0;
        /* The tone's crest is exactly sqrt(2) x its samples. */
        double exact = 20 * log10(sample_peak(out, frames) * M_SQRT2);
        printf("  ceiling %.1f dBTP: exact true peak %.3f dBTP, 16x %.3f dBTP, "
               "libebur128 %.3f dBTP\n",
               set, exact, tp16, tp_meter);
        CHECK_MSG(tp16 <= set, "16x true peak %.3f over the ceiling %.1f", tp16, set);
        CHECK_MSG(tp_meter <= set, "libebur128 reads %.3f over the ceiling %.1f",
                  tp_meter, set);
        /* It limits, not mutes: within 0.5 dB of the ceiling. */
        CHECK_MSG(tp16 > set - 0.5, "16x true peak %.3f far under the ceiling %.1f", tp16,
                  set);
        CHECK(atomic_load(&st.limit_frames) > 0);
        free(out);
    }
    free(open);
    song_free(s);
}

/* The beat driven 12 dB into the limiter: the ceiling still holds. */
static void holds_a_hot_beat(void)
{
    Song *s = synth_beat(RATE);
    atomic_store(&s->limiter, true);
    atomic_store(&s->master_gain_tenth_db, 120);
    const uint32_t frames = 4 * RATE;
    EngineStatus st = {0};
    float *out = render(s, frames, 512, NULL, 0, &st);
    double tp_meter = ebur128_true_peak_db(out, frames);
    double tp16 = 20 * log10(true_peak_16x(out, frames / 4));
    printf("  hot beat: %llu samples over full scale before the limiter, "
           "out: 16x true peak %.3f dBTP, libebur128 %.3f dBTP\n",
           (unsigned long long)atomic_load(&st.clip_count), tp16, tp_meter);
    CHECK(atomic_load(&st.clip_count) > 1000); /* it really was hot */
    CHECK_MSG(tp_meter <= -1.0, "libebur128 reads %.3f dBTP", tp_meter);
    CHECK_MSG(tp16 <= -1.0, "16x true peak %.3f dBTP", tp16);
    free(out);
    song_free(s);
}

/* Under the ceiling the limiter is a wire: the output equals the render
 * with it off, sample for sample and on the same frames (its lookahead
 * is rendered ahead), and it reports nothing. */
/* The beat at the faders' default: peaks well under the ceiling. */
static Song *quiet_beat(void)
{
    Song *s = synth_beat(RATE);
    for (int c = 0; c < SONG_MAX_CHANNELS; c++)
        atomic_store(&s->strips[c].gain_tenth_db, SONG_CHANNEL_GAIN_DEFAULT);
    return s;
}

static void passes_quiet_audio_untouched(void)
{
    Song *s = quiet_beat();
    const uint32_t frames = 2 * RATE;
    atomic_store(&s->limiter, false);
    float *off = render(s, frames, 300, NULL, 0, NULL);
    atomic_store(&s->limiter, true);
    EngineStatus st = {0};
    float *on = render(s, frames, 300, NULL, 0, &st);
    CHECK_MSG(sample_peak(off, frames) < 0.5, "the beat peaks at %.3f",
              sample_peak(off, frames));
    CHECK(!memcmp(off, on, sizeof(float) * 2 * frames));
    CHECK(atomic_load(&st.limit_frames) == 0);
    free(off);
    free(on);
    song_free(s);
}

/* With the limiter on, the stems come out as late as the master, so they
 * still sum to it. */
static void stems_stay_aligned(void)
{
    Song *s = quiet_beat();
    atomic_store(&s->limiter, true);
    int n = atomic_load(&s->channels);
    const uint32_t frames = RATE;
    float *stems[ENGINE_STEMS] = {NULL};
    for (int c = 0; c < n; c++)
        stems[c] = calloc(2 * (size_t)frames, sizeof(float));
    float *mix = render(s, frames, 100, stems, n, NULL);
    double worst = 0;
    for (size_t i = 0; i < 2 * (size_t)frames; i++) {
        double sum = 0;
        for (int c = 0; c < n; c++)
            sum += stems[c][i];
        worst = fmax(worst, fabs(sum - mix[i]));
    }
    CHECK_MSG(worst < 1e-5, "stems differ from the mix by %g", worst);
    for (int c = 0; c < n; c++)
        free(stems[c]);
    free(mix);
    song_free(s);
}

static void limits_the_same_in_any_block_size(void)
{
    Song *s = synth_beat(RATE);
    atomic_store(&s->limiter, true);
    atomic_store(&s->master_gain_tenth_db, 120);
    const uint32_t frames = RATE / 2;
    float *ref = render(s, frames, 1, NULL, 0, NULL);
    for (uint32_t block = 63; block <= 2000; block += 1937) {
        float *out = render(s, frames, block, NULL, 0, NULL);
        CHECK_MSG(!memcmp(ref, out, sizeof(float) * 2 * frames),
                  "blocks of %u differ from blocks of 1", block);
        free(out);
    }
    free(ref);
    song_free(s);
}

/* The song file keeps the ceiling (written only when not -1.0). */
static void song_file_keeps_the_ceiling(void)
{
    const char *text = "hiss 1\nlimiter on ceiling -0.3\n";
    Song *s = NULL;
    HissDiag diag = {{0}};
    CHECK(songfile_parse(text, strlen(text), "c.hiss", &s, &diag) == HISS_OK);
    CHECK(s && atomic_load(&s->limiter_ceiling_tenth_db) == -3);
    char *out = NULL;
    size_t len = 0;
    CHECK(s && songfile_format(s, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, "\nlimiter on ceiling -0.3\n"));
    free(out);
    song_free(s);
    s = song_new();
    CHECK(songfile_format(s, &out, &len) == HISS_OK);
    CHECK(out && strstr(out, "\nlimiter on\n"));
    free(out);
    song_free(s);
    static const struct {
        const char *text, *message;
    } BAD[] = {
        {"hiss 1\nlimiter on ceiling 0.5\n", "ceiling 0.5 is out of range"},
        {"hiss 1\nlimiter on loud\n", "unknown field 'loud' in limiter"},
    };
    for (size_t i = 0; i < HISS_ARRAY_LEN(BAD); i++) {
        s = NULL;
        memset(&diag, 0, sizeof diag);
        CHECK(songfile_parse(BAD[i].text, strlen(BAD[i].text), "c.hiss", &s, &diag) != HISS_OK);
        CHECK_MSG(strstr(diag.text, BAD[i].message), "%s", diag.text);
        song_free(s);
    }
}

/* The clip count and the limiter's report are of the playback running:
 * playing again starts them from nothing. */
static void clip_report_resets_on_play(void)
{
    Song *s = synth_beat(RATE);
    atomic_store(&s->limiter, false);
    atomic_store(&s->master_gain_tenth_db, 120);
    Engine *e = engine_new(s, RATE);
    const EngineStatus *st = engine_status(e);
    float *buf = calloc(2 * (size_t)RATE, sizeof(float));
    engine_play_song_now(e, 0, 0, false);
    engine_render(e, buf, RATE);
    uint32_t first = atomic_load(&st->clip_count);
    CHECK(first > 1000);
    EngineCommand play = {.type = ENGINE_CMD_PLAY_SONG, .a = 0, .b = 0};
    CHECK(engine_send(e, &play));
    engine_render(e, buf, RATE / 100); /* 10 ms from the start again */
    uint32_t again = atomic_load(&st->clip_count);
    CHECK_MSG(again < first / 10, "%u clips after playing again (%u before)", again, first);
    /* The same song the same length from the start: the same count, but
     * for the old notes fading out under the first new ones. */
    engine_render(e, buf, RATE - RATE / 100);
    uint32_t now = atomic_load(&st->clip_count);
    CHECK_MSG(now >= first && now < first + first / 1000, "%u, then %u", first, now);
    engine_free(e);
    free(buf);
    song_free(s);
}

/* A quiet tone, a burst far over the ceiling, the tone again: the tone
 * before passes bit for bit (on time), the gain after the burst comes
 * back gradually (the quiet frames are not let through while it is
 * releasing), then (a second on: a 60 ms release, to the last bit of a
 * float) the tone passes bit for bit again; the same samples in any
 * block size, so quiet stretches taken whole change nothing. */
static void releases_after_a_burst_in_any_block_size(void)
{
    const uint32_t frames = 3 * RATE / 2, burst = RATE / 10, burst_len = RATE / 100;
    const float ceiling = 0.5f;
    float *in = malloc(sizeof(float) * 2 * frames);
    float *ref = malloc(sizeof(float) * 2 * frames);
    float *out = malloc(sizeof(float) * 2 * frames);
    for (uint32_t i = 0; i < frames; i++) {
        float a = i >= burst && i < burst + burst_len ? 2.0f : 0.2f;
        in[2 * i] = a * (float)sin(2 * M_PI * 1000.0 * i / RATE);
        in[2 * i + 1] = a * (float)cos(2 * M_PI * 1100.0 * i / RATE);
    }
    static const uint32_t BLOCKS[] = {1, 5, 64, 1000, 3 * RATE / 2};
    uint32_t latency = 0, releasing = 0;
    for (size_t b = 0; b < sizeof BLOCKS / sizeof BLOCKS[0]; b++) {
        Limiter l;
        CHECK(limiter_init(&l, RATE) == HISS_OK);
        latency = limiter_latency(&l);
        float *dst = b ? out : ref;
        memcpy(dst, in, sizeof(float) * 2 * frames);
        for (uint32_t at = 0; at < frames; at += BLOCKS[b]) {
            uint32_t n = frames - at < BLOCKS[b] ? frames - at : BLOCKS[b];
            float least;
            uint32_t reduced;
            limiter_process(&l, dst + 2 * (size_t)at, n, ceiling, &least, &reduced);
        }
        limiter_deinit(&l);
        if (b)
            CHECK_MSG(!memcmp(ref, out, sizeof(float) * 2 * frames),
                      "blocks of %u frames limit differently", BLOCKS[b]);
    }
    /* ref[i] is in[i - latency] times the gain. */
    CHECK(!memcmp(ref + 2 * (size_t)latency, in,
                  sizeof(float) * 2 * (burst - 2 * latency)));
    uint32_t after = burst + burst_len + latency, settled = frames - RATE / 20;
    for (uint32_t i = after; i < after + RATE / 100; i++)
        releasing += fabsf(ref[2 * i]) < fabsf(in[2 * (i - latency)]) * 0.999f;
    CHECK_MSG(releasing > RATE / 200, "%u of %u frames after the burst turned down",
              releasing, RATE / 100);
    CHECK(!memcmp(ref + 2 * (size_t)settled, in + 2 * (size_t)(settled - latency),
                  sizeof(float) * 2 * (frames - settled)));
    free(in);
    free(ref);
    free(out);
}

/* Loud noise held under a ceiling it keeps passing: the fastest loops
 * this CPU has turn it down exactly as the portable ones do. */
static void fast_loops_match_the_portable_ones(void)
{
    const uint32_t frames = RATE / 2;
    float *in = malloc(sizeof(float) * 2 * frames);
    float *out[2] = {malloc(sizeof(float) * 2 * frames), malloc(sizeof(float) * 2 * frames)};
    uint32_t seed = 11;
    for (uint32_t i = 0; i < 2 * frames; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        in[i] = ((float)(seed >> 8) / (float)(1u << 24) - 0.5f) * (i % 5000 < 2500 ? 2.5f : 0.3f);
    }
    uint32_t reduced_total[2] = {0, 0};
    for (int portable = 0; portable < 2; portable++) {
        limiter_use_portable(portable);
        Limiter l;
        CHECK(limiter_init(&l, RATE) == HISS_OK);
        memcpy(out[portable], in, sizeof(float) * 2 * frames);
        for (uint32_t at = 0; at < frames; at += 700) {
            uint32_t n = frames - at < 700 ? frames - at : 700;
            float least;
            uint32_t reduced;
            limiter_process(&l, out[portable] + 2 * (size_t)at, n, 0.5f, &least, &reduced);
            reduced_total[portable] += reduced;
        }
        limiter_deinit(&l);
    }
    limiter_use_portable(false);
    CHECK(reduced_total[0] > frames / 4); /* it had work to do */
    CHECK(!memcmp(out[0], out[1], sizeof(float) * 2 * frames));
    free(in);
    free(out[0]);
    free(out[1]);
}

/* The limiter as limiter.h defines it, frame by frame, with nothing
 * skipped: every frame's true peak worked out from the meter's filter,
 * the least need over the lookahead found by looking at each, the
 * release, and the average over the attack summed as the limiter sums
 * it. The limiter skips what it can prove changes nothing; this says
 * what it must come to. */
enum { PLAIN_H = TRUEPEAK_HALF_TAPS };

static float plain_crest(float a, float b, float c)
{
    float curve = a - 2.0f * b + c;
    if (curve == 0.0f)
        return fabsf(b);
    float v = b - (a - c) * (a - c) / (8.0f * curve);
    float top = fabsf(b) * 1.5f;
    return fabsf(v) > fabsf(b) ? fminf(fabsf(v), top) : fabsf(b);
}

static float plain_max(float a, float x)
{
    return x > a ? x : a;
}

/* The true peak of input frame t - PLAIN_H: its frame, the three points
 * after it and the crests between, both sides; silence before frame 0. */
static float plain_true_peak(const float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS],
                             const float *in, long t)
{
    float peak = 0.0f;
    for (int c = 0; c < 2; c++) {
        float row[TRUEPEAK_TAPS];
        for (int k = 0; k < TRUEPEAK_TAPS; k++) {
            long u = t - (TRUEPEAK_TAPS - 1) + k;
            row[k] = u >= 0 ? in[2 * u + c] : 0.0f;
        }
        float v[5] = {row[PLAIN_H - 1], 0, 0, 0, row[PLAIN_H]};
        for (int p = 0; p < 3; p++) {
            float sum = 0.0f;
            for (int k = 0; k < TRUEPEAK_TAPS; k++)
                sum += taps[p][k] * row[k];
            v[p + 1] = sum;
        }
        float side = fabsf(v[0]);
        for (int p = 1; p < 4; p++)
            if (fabsf(v[p]) >= fabsf(v[p - 1]) && fabsf(v[p]) >= fabsf(v[p + 1]))
                side = plain_max(side, plain_crest(v[p - 1], v[p], v[p + 1]));
            else
                side = plain_max(side, fabsf(v[p]));
        peak = plain_max(peak, side);
    }
    return peak;
}

static void plain_limit(const float *in, float *out, uint32_t frames, float ceiling)
{
    float taps[TRUEPEAK_PHASES - 1][TRUEPEAK_TAPS];
    truepeak_make_taps(taps);
    Limiter probe;
    CHECK(limiter_init(&probe, RATE) == HISS_OK);
    const uint32_t look = limiter_latency(&probe), attack = look - PLAIN_H + 1;
    limiter_deinit(&probe);
    ceiling *= (float)0.97723722095581; /* the 0.2 dB margin */
    const float release = (float)exp(-1.0 / (0.06 * RATE));
    float *need = malloc(sizeof(float) * frames), *smooth = malloc(sizeof(float) * attack);
    for (uint32_t k = 0; k < attack; k++)
        smooth[k] = 1.0f;
    float env = 1.0f;
    double sum = attack;
    uint32_t below = 0;
    for (uint32_t t = 0; t < frames; t++) {
        float tp = plain_true_peak(taps, in, t);
        need[t] = tp > ceiling ? ceiling / tp : 1.0f;
        float least = need[t];
        for (uint32_t u = t + 1 > attack ? t + 1 - attack : 0; u < t; u++)
            least = need[u] < least ? need[u] : least;
        float next = 1.0f - (1.0f - env) * release;
        if (next == env)
            next = 1.0f;
        env = least < next ? least : next;
        uint32_t slot = (look + t) % attack;
        float old = smooth[slot];
        below += (env < 1.0f) - (old < 1.0f);
        smooth[slot] = env;
        sum += (double)env - (double)old;
        if (!below)
            sum = attack;
        float g = (float)(sum / attack);
        for (int c = 0; c < 2; c++)
            out[2 * t + c] = (t >= look ? in[2 * (t - look) + c] : 0.0f) * g;
    }
    free(need);
    free(smooth);
}

/* The hot beat rendered without the limiter, then the same a tenth as
 * loud, then hot again: where the limiter works all along, where it lets
 * go and where it passes audio untouched, it comes out as the plain
 * limiter's, sample for sample, in any block size. */
static void limits_rendered_audio_as_the_plain_limiter(void)
{
    Song *s = synth_beat(RATE);
    atomic_store(&s->limiter, false);
    atomic_store(&s->master_gain_tenth_db, 120);
    const uint32_t part = RATE, frames = 3 * part;
    float *open = render(s, part, 512, NULL, 0, NULL);
    float *in = malloc(sizeof(float) * 2 * frames), *ref = malloc(sizeof(float) * 2 * frames);
    float *out = malloc(sizeof(float) * 2 * frames);
    for (uint32_t i = 0; i < 2 * part; i++) {
        in[i] = open[i];
        in[2 * part + i] = open[i] * 0.1f;
        in[4 * part + i] = open[i];
    }
    const float ceiling = 0.891251f; /* -1 dBTP */
    plain_limit(in, ref, frames, ceiling);
    static const uint32_t BLOCKS[] = {1, 128, 700, 3 * RATE};
    for (size_t b = 0; b < sizeof BLOCKS / sizeof BLOCKS[0]; b++) {
        Limiter l;
        CHECK(limiter_init(&l, RATE) == HISS_OK);
        memcpy(out, in, sizeof(float) * 2 * frames);
        uint32_t reduced_total = 0;
        for (uint32_t at = 0; at < frames; at += BLOCKS[b]) {
            uint32_t n = frames - at < BLOCKS[b] ? frames - at : BLOCKS[b];
            float least;
            uint32_t reduced;
            limiter_process(&l, out + 2 * (size_t)at, n, ceiling, &least, &reduced);
            reduced_total += reduced;
        }
        limiter_deinit(&l);
        uint32_t differ = 0, first = 0;
        for (uint32_t i = 0; i < 2 * frames; i++)
            if (memcmp(&out[i], &ref[i], sizeof(float)) && !differ++)
                first = i / 2;
        CHECK_MSG(!differ, "blocks of %u: %u samples differ from the plain limiter's, "
                  "the first at frame %u", BLOCKS[b], differ, first);
        /* It had both kinds of work: most of the hot parts turned down. */
        CHECK_MSG(reduced_total > part, "%u frames turned down", reduced_total);
    }
    /* The quiet part's second half passes untouched, only late. */
    uint32_t look;
    {
        Limiter l;
        CHECK(limiter_init(&l, RATE) == HISS_OK);
        look = limiter_latency(&l);
        limiter_deinit(&l);
    }
    uint32_t from = part + part / 2;
    CHECK(!memcmp(ref + 2 * (size_t)(from + look), in + 2 * (size_t)from,
                  sizeof(float) * 2 * (part / 2 - look)));
    free(open);
    free(in);
    free(ref);
    free(out);
    song_free(s);
}

int main(void)
{
    RUN(clip_report_resets_on_play);
    RUN(song_file_keeps_the_ceiling);
    RUN(holds_the_ceiling_between_samples);
    RUN(holds_a_hot_beat);
    RUN(passes_quiet_audio_untouched);
    RUN(stems_stay_aligned);
    RUN(limits_the_same_in_any_block_size);
    RUN(releases_after_a_burst_in_any_block_size);
    RUN(fast_loops_match_the_portable_ones);
    RUN(limits_rendered_audio_as_the_plain_limiter);
    return test_finish();
}
