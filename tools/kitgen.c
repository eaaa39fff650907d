/* kitgen: synthesizes hiss's default kit, so the project ships no
 * third-party audio.
 *
 *   kitgen DIR      writes every sample of the kit into DIR (made if absent)
 *   kitgen --list   prints the kit table: file, base note, loop, frames
 *
 * The output must be the same bytes on every run and every machine, because
 * the WAVs are committed and `make samples` has to reproduce them. So:
 * - noise comes from a seeded PRNG of our own, one seed per sample, so
 *   changing one sound never changes another;
 * - sine, exp and tanh are our own polynomials built from + - * / only
 *   (IEEE-exact everywhere), not libm's, whose last bits vary between
 *   versions; from libm only the exact floor, ldexp and sqrt are used;
 * - the WAV header and the 16-bit rounding are written here, not left to
 *   whichever libsndfile is installed.
 *
 * Every file is mono 16-bit PCM at 44100 Hz (deliberately not the usual
 * session rate, so loading exercises rate conversion), peak-normalized to
 * -1 dBFS, and written atomically (temporary file, fsync, rename).
 *
 * Looping samples are built so that the loop is seamless: every frequency
 * and modulation inside the loop is a whole number of cycles per loop, and
 * nothing else changes there. Their loop points and base notes are printed
 * by --list and documented in samples/README, and written into the files
 * (smpl chunk) so that loading one applies them; the break also carries
 * its hits as cue points, which hiss loads as slices. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RATE 44100
#define PI 3.14159265358979323846
#define TWO_PI 6.28318530717958647692
#define HALF_PI 1.57079632679489661923
#define LN2 0.69314718055994530942
#define LOG2E 1.44269504088896340736
#define PEAK_DBFS (-1.0)
#define C4_HZ 261.62556530059862 /* 440 * 2^(-9/12) */

/* ---- deterministic math ---------------------------------------------- */

static double k_sin(double x)
{
    x -= TWO_PI * floor(x / TWO_PI + 0.5); /* now in [-pi, pi] */
    if (x > HALF_PI)
        x = PI - x;
    else if (x < -HALF_PI)
        x = -PI - x;
    double x2 = x * x;
    /* Taylor series to x^15: error below 1e-11 on [-pi/2, pi/2]. */
    return x * (1.0 + x2 * (-1.0 / 6 + x2 * (1.0 / 120 + x2 * (-1.0 / 5040
        + x2 * (1.0 / 362880 + x2 * (-1.0 / 39916800
        + x2 * (1.0 / 6227020800.0 + x2 * (-1.0 / 1307674368000.0))))))));
}

static double k_cos(double x) { return k_sin(x + HALF_PI); }

/* sin(2 pi * cycles): the oscillators keep their phase in cycles. */
static double k_sinc1(double cycles) { return k_sin(TWO_PI * cycles); }

static double k_exp(double x)
{
    if (x < -700.0)
        return 0.0;
    if (x > 700.0)
        x = 700.0;
    double y = x * LOG2E;
    double n = floor(y);
    double z = (y - n) * LN2; /* [0, ln 2) */
    double p = 1.0 + z * (1.0 + z * (1.0 / 2 + z * (1.0 / 6 + z * (1.0 / 24
        + z * (1.0 / 120 + z * (1.0 / 720 + z * (1.0 / 5040 + z * (1.0 / 40320
        + z * (1.0 / 362880 + z * (1.0 / 3628800 + z * (1.0 / 39916800
        + z * (1.0 / 479001600))))))))))));
    return ldexp(p, (int)n);
}

static double k_tanh(double x)
{
    if (x > 20.0)
        return 1.0;
    if (x < -20.0)
        return -1.0;
    double e = k_exp(2.0 * x);
    return (e - 1.0) / (e + 1.0);
}

static double k_db(double db) { return k_exp(db * 0.11512925464970228420); }

static double k_min(double a, double b) { return a < b ? a : b; }

/* ---- noise ----------------------------------------------------------- */

typedef struct {
    uint64_t state;
} Rng;

static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_uniform(Rng *r) /* [0, 1) */
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_bipolar(Rng *r) { return 2.0 * rng_uniform(r) - 1.0; }

/* ---- small DSP blocks ------------------------------------------------ */

typedef struct {
    double *x;
    uint32_t n;
} Buf;

static Buf buf_new(double seconds)
{
    Buf b;
    b.n = (uint32_t)(seconds * RATE + 0.5);
    b.x = calloc(b.n, sizeof *b.x);
    if (!b.x) {
        fprintf(stderr, "kitgen: out of memory\n");
        exit(1);
    }
    return b;
}

static Buf buf_frames(uint32_t frames)
{
    return buf_new((double)frames / RATE);
}

/* One-pole low-pass: y += a (x - y). */
typedef struct {
    double a, y;
} OnePole;

static OnePole onepole(double cutoff_hz)
{
    OnePole f = {1.0 - k_exp(-TWO_PI * cutoff_hz / RATE), 0.0};
    return f;
}

static double onepole_tick(OnePole *f, double x)
{
    f->y += f->a * (x - f->y);
    return f->y;
}

/* Trapezoidal state-variable filter: low, band and high from one state. */
typedef struct {
    double k, a1, a2, a3, ic1, ic2;
    double low, band, high;
} Svf;

static void svf_tune(Svf *f, double cutoff_hz, double q)
{
    double w = PI * cutoff_hz / RATE;
    double g = k_sin(w) / k_cos(w);
    f->k = 1.0 / q;
    f->a1 = 1.0 / (1.0 + g * (g + f->k));
    f->a2 = g * f->a1;
    f->a3 = g * f->a2;
}

static Svf svf(double cutoff_hz, double q)
{
    Svf f;
    memset(&f, 0, sizeof f);
    svf_tune(&f, cutoff_hz, q);
    return f;
}

static void svf_tick(Svf *f, double x)
{
    double v3 = x - f->ic2;
    double v1 = f->a1 * f->ic1 + f->a2 * v3;
    double v2 = f->ic2 + f->a2 * f->ic1 + f->a3 * v3;
    f->ic1 = 2.0 * v1 - f->ic1;
    f->ic2 = 2.0 * v2 - f->ic2;
    f->low = v2;
    f->band = v1;
    f->high = x - f->k * v1 - v2;
}

/* Band-limited sawtooth step correction (polyBLEP). */
static double blep(double t, double dt)
{
    if (t < dt) {
        t /= dt;
        return t + t - t * t - 1.0;
    }
    if (t > 1.0 - dt) {
        t = (t - 1.0) / dt;
        return t * t + t + t + 1.0;
    }
    return 0.0;
}

static double saw_tick(double *phase, double inc)
{
    double out = 2.0 * *phase - 1.0 - blep(*phase, inc);
    *phase += inc;
    *phase -= floor(*phase);
    return out;
}

static double advance(double *phase, double hz)
{
    double p = *phase;
    *phase += hz / RATE;
    *phase -= floor(*phase);
    return p;
}

static double saturate(double x, double drive)
{
    return k_tanh(drive * x) / k_tanh(drive);
}

/* Bit reduction, the sampler-era grit. */
static double crush(double x, int bits)
{
    double q = (double)(1 << (bits - 1));
    return floor(x * q + 0.5) / q;
}

/* Sample-rate reduction by hold, aliasing and all. */
typedef struct {
    double ratio, phase, held;
} Hold;

static Hold hold(double target_rate)
{
    Hold h = {target_rate / RATE, 1.0, 0.0};
    return h;
}

static double hold_tick(Hold *h, double x)
{
    h->phase += h->ratio;
    if (h->phase >= 1.0) {
        h->phase -= 1.0;
        h->held = x;
    }
    return h->held;
}

static void fade_out(Buf *b, double seconds)
{
    uint32_t len = (uint32_t)(seconds * RATE);
    if (len > b->n)
        len = b->n;
    for (uint32_t i = 0; i < len; i++) {
        double u = (double)(i + 1) / len; /* reaches 1 at the last frame */
        double g = 1.0 - u;
        b->x[b->n - len + i] *= g * g;
    }
}

static double peak_of(const Buf *b)
{
    double p = 0.0;
    for (uint32_t i = 0; i < b->n; i++)
        if (fabs(b->x[i]) > p)
            p = fabs(b->x[i]);
    return p;
}

static void normalize(Buf *b, double peak)
{
    double p = peak_of(b);
    if (p <= 0.0)
        return;
    double g = peak / p;
    for (uint32_t i = 0; i < b->n; i++)
        b->x[i] *= g;
}

/* The 808's six detuned square oscillators behind its hats. */
static double metal(double phase[6])
{
    static const double hz[6] = {205.3, 304.4, 369.6, 522.7, 540.0, 800.0};
    double sum = 0.0;
    for (int k = 0; k < 6; k++)
        sum += advance(&phase[k], hz[k] * 1.62) < 0.5 ? 1.0 : -1.0;
    return sum / 6.0;
}

/* ---- the kit --------------------------------------------------------- */

/* What a sample's file says about playing it besides the audio: its loop
 * (the WAV smpl chunk) and its cue points (the cue chunk), so a loader
 * applies them with nothing typed. */
enum { KIT_MAX_CUES = 16 };

typedef struct {
    bool on;
    uint32_t start, end; /* [start, end) in frames of the file */
    int cue_count;
    uint32_t cues[KIT_MAX_CUES]; /* ascending frames: the hits to chop at */
} Loop;

static Buf make_kick808(Loop *loop)
{
    (void)loop;
    Rng r = {0x808};
    Buf b = buf_new(0.9);
    OnePole click_lp = onepole(3500.0);
    double ph = 0.0;
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double hz = 50.0 + 110.0 * k_exp(-t / 0.022) + 18.0 * k_exp(-t / 0.15);
        double amp = k_exp(-t / 0.42) * k_min(1.0, t / 0.001);
        double body = k_sinc1(advance(&ph, hz)) * amp;
        double click = onepole_tick(&click_lp, rng_bipolar(&r))
                       * k_exp(-t / 0.0025) * 0.6;
        b.x[i] = saturate(body + click, 1.8);
    }
    fade_out(&b, 0.08);
    return b;
}

static Buf make_kick(Loop *loop)
{
    (void)loop;
    Rng r = {0x4B1C};
    Buf b = buf_new(0.4);
    Svf click_hp = svf(2500.0, 0.7);
    double ph = 0.0;
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double hz = 52.0 + 190.0 * k_exp(-t / 0.011) + 30.0 * k_exp(-t / 0.06);
        double amp = k_exp(-t / 0.15) * k_min(1.0, t / 0.0007);
        double body = k_sinc1(advance(&ph, hz)) * amp;
        svf_tick(&click_hp, rng_bipolar(&r));
        double click = click_hp.high * k_exp(-t / 0.0016) * 0.5
                       + k_sin(TWO_PI * 1300.0 * t) * k_exp(-t / 0.004) * 0.25;
        b.x[i] = saturate(body + click, 3.0);
    }
    fade_out(&b, 0.06);
    return b;
}

static Buf make_snare(Loop *loop)
{
    (void)loop;
    Rng r = {0x5A4E};
    Buf b = buf_new(0.35);
    Svf band = svf(4200.0, 0.8);
    Svf snap = svf(1800.0, 1.2);
    Hold lofi = hold(30000.0);
    double ph1 = 0.0, ph2 = 0.0;
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double bend = 1.0 + 0.25 * k_exp(-t / 0.012);
        double body = (0.7 * k_sinc1(advance(&ph1, 188.0 * bend))
                       + 0.4 * k_sinc1(advance(&ph2, 332.0 * bend)))
                      * k_exp(-t / 0.065);
        double n = rng_bipolar(&r);
        svf_tick(&band, n);
        svf_tick(&snap, n);
        double noise = (band.band * 1.4 + band.high * 0.35) * k_exp(-t / 0.15)
                       + snap.band * k_exp(-t / 0.012) * 1.2;
        double attack = k_min(1.0, t / 0.0005);
        double x = saturate(attack * (0.9 * body + 0.8 * noise), 1.6);
        b.x[i] = crush(hold_tick(&lofi, x), 12);
    }
    fade_out(&b, 0.06);
    return b;
}

static Buf make_hat(double seconds, double decay, uint64_t seed)
{
    Rng r = {seed};
    Buf b = buf_new(seconds);
    double ph[6] = {0.0, 0.13, 0.29, 0.41, 0.57, 0.77};
    Svf band = svf(9500.0, 1.1);
    Svf high = svf(6500.0, 0.7);
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double src = 0.65 * metal(ph) + 0.45 * rng_bipolar(&r);
        svf_tick(&band, src);
        svf_tick(&high, band.band + 0.3 * src);
        double env = k_exp(-t / decay) * k_min(1.0, t / 0.0004);
        b.x[i] = crush(high.high * env, 10);
    }
    return b;
}

static Buf make_hat_closed(Loop *loop)
{
    (void)loop;
    Buf b = make_hat(0.1, 0.022, 0x4A7C);
    fade_out(&b, 0.03);
    return b;
}

static Buf make_hat_open(Loop *loop)
{
    (void)loop;
    Buf b = make_hat(0.55, 0.2, 0x4A70);
    fade_out(&b, 0.15);
    return b;
}

static Buf make_clap(Loop *loop)
{
    (void)loop;
    Rng r = {0xC1A9};
    Buf b = buf_new(0.4);
    Svf band = svf(1150.0, 1.4);
    Svf air = svf(2600.0, 0.9);
    static const double bursts[3] = {0.0, 0.011, 0.022};
    const double tail_at = 0.030;
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double env = 0.0;
        for (int k = 0; k < 3; k++)
            if (t >= bursts[k])
                env += k_exp(-(t - bursts[k]) / 0.0045);
        if (t >= tail_at)
            env += 0.85 * k_exp(-(t - tail_at) / 0.11) * k_min(1.0, (t - tail_at) / 0.002);
        double n = rng_bipolar(&r);
        svf_tick(&band, n);
        svf_tick(&air, n);
        b.x[i] = saturate(env * (band.band * 1.6 + air.band * 0.6), 1.5);
    }
    fade_out(&b, 0.08);
    return b;
}

static Buf make_rim(Loop *loop)
{
    (void)loop;
    Rng r = {0x814};
    Buf b = buf_new(0.12);
    Svf band = svf(3200.0, 1.5);
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        svf_tick(&band, rng_bipolar(&r));
        double tone = 0.6 * k_sin(TWO_PI * 1650.0 * t) * k_exp(-t / 0.011)
                      + 0.5 * k_sin(TWO_PI * 520.0 * t) * k_exp(-t / 0.02);
        double tick = band.band * k_exp(-t / 0.0035) * 1.4;
        b.x[i] = saturate(tone + tick, 1.4);
    }
    fade_out(&b, 0.04);
    return b;
}

static Buf make_shaker(Loop *loop)
{
    (void)loop;
    Rng r = {0x5A4E4E};
    Buf b = buf_new(0.18);
    Svf high = svf(5000.0, 0.7);
    Svf band = svf(8000.0, 0.9);
    const double rise = 0.022;
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        svf_tick(&high, rng_bipolar(&r));
        svf_tick(&band, high.high);
        double env = t < rise ? (t / rise) * (t / rise)
                              : k_exp(-(t - rise) / 0.045);
        b.x[i] = crush(band.band * env, 11);
    }
    fade_out(&b, 0.04);
    return b;
}

/* An 808 sub at C-2. Three cycles take exactly 2023 frames (65.398 Hz,
 * 0.2 cent under C-2), so a loop of 2 x 2023 frames is seamless. Before
 * the loop: a short pitch drop and a decay onto the sustain level. */
enum { BASS_CYCLE3 = 2023, BASS_LOOP_START = 22050 };

static Buf make_bass808(Loop *loop)
{
    const uint32_t loop_len = 2 * BASS_CYCLE3;
    Buf b = buf_frames(BASS_LOOP_START + loop_len);
    const double f0 = 3.0 * RATE / BASS_CYCLE3;
    const double attack_end = (double)BASS_LOOP_START / RATE;
    const double sustain = 0.72;
    double ph = 0.0;
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double hz = f0, amp = sustain;
        if (i < BASS_LOOP_START) {
            double rest = 1.0 - t / attack_end;
            hz = f0 * (1.0 + 0.3 * k_exp(-t / 0.025));
            amp = (sustain + (1.0 - sustain) * rest * rest) * k_min(1.0, t / 0.002);
        }
        double p = advance(&ph, hz);
        double q = 2.0 * p - floor(2.0 * p);
        double x = k_sinc1(p) + 0.1 * k_sinc1(q);
        b.x[i] = saturate(x * amp, 1.5);
    }
    loop->on = true;
    loop->start = BASS_LOOP_START;
    loop->end = BASS_LOOP_START + loop_len;
    return b;
}

/* A two-operator FM electric piano at C-4, with a bright tine at the
 * attack, tremolo and a little tape wow. */
static Buf make_epiano(Loop *loop)
{
    (void)loop;
    Buf b = buf_new(2.5);
    OnePole tone = onepole(7000.0);
    double ph = 0.0;
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double wow = 1.0 + 0.0018 * k_sin(TWO_PI * 0.6 * t);
        double p = advance(&ph, C4_HZ * wow);
        double tine_ph = 14.0 * p - floor(14.0 * p);
        double index = 0.25 + 1.3 * k_exp(-t / 0.4);
        double body = k_sin(TWO_PI * p + index * k_sinc1(p));
        double tine = k_sin(TWO_PI * p + 1.2 * k_exp(-t / 0.06) * k_sinc1(tine_ph))
                      * k_exp(-t / 0.2);
        double env = k_exp(-t / 0.9) * k_min(1.0, t / 0.0015);
        double trem = 1.0 + 0.1 * k_sin(TWO_PI * 4.2 * t);
        double x = saturate(env * trem * (0.8 * body + 0.35 * tine), 1.2);
        b.x[i] = crush(onepole_tick(&tone, x), 12);
    }
    fade_out(&b, 0.3);
    return b;
}

/* A C minor 9 chord stab (C3 C4 Eb4 G4 Bb4 D5) of detuned saws through a
 * closing low-pass, crushed like a sampled record. */
static Buf make_stab(Loop *loop)
{
    (void)loop;
    static const double semis[6] = {-12, 0, 3, 7, 10, 14};
    Buf b = buf_new(1.0);
    double ph[12];
    for (int k = 0; k < 12; k++)
        ph[k] = 0.083 * k;
    Svf lp = svf(4000.0, 1.2);
    Hold lofi = hold(22050.0);
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double sum = 0.0;
        for (int k = 0; k < 6; k++) {
            double hz = C4_HZ * k_exp(semis[k] / 12.0 * LN2);
            sum += saw_tick(&ph[2 * k], hz * 1.0035 / RATE);
            sum += saw_tick(&ph[2 * k + 1], hz * 0.9965 / RATE);
        }
        svf_tune(&lp, 450.0 + 4200.0 * k_exp(-t / 0.09), 1.1);
        svf_tick(&lp, sum / 12.0);
        double env = k_exp(-t / 0.35) * k_min(1.0, t / 0.003);
        double x = saturate(lp.low * env * 2.0, 1.6);
        b.x[i] = crush(hold_tick(&lofi, x), 11);
    }
    fade_out(&b, 0.15);
    return b;
}

/* A warm saw pad at C-4 that loops every 2 s. Every frequency inside the
 * loop is a multiple of 0.5 Hz (261.0, 261.5, 262.0 and 131.0 Hz; the
 * centre is 0.8 cent under C-4) and the breathing and wow run at 0.5 Hz,
 * so the loop is exactly one period of everything. */
enum { PAD_ATTACK = 22050, PAD_LOOP = 88200 };

static Buf make_pad(Loop *loop)
{
    static const double hz[4] = {261.0, 261.5, 262.0, 131.0};
    static const double level[4] = {0.8, 1.0, 0.8, 0.7};
    Buf b = buf_frames(PAD_ATTACK + PAD_LOOP);
    const double period = (double)PAD_LOOP / RATE;
    double ph[4] = {0.0, 0.31, 0.62, 0.17};
    Svf lp = svf(1400.0, 0.6);
    for (uint32_t i = 0; i < b.n; i++) {
        double t = (double)i / RATE;
        double cyc = t / period;
        double wow = 1.0 + 0.0012 * k_sinc1(cyc);
        double sum = 0.0;
        for (int k = 0; k < 4; k++)
            sum += level[k] * saw_tick(&ph[k], hz[k] * wow / RATE);
        svf_tick(&lp, sum / 3.3);
        double amp = 1.0 + 0.08 * k_sinc1(cyc);
        if (i < PAD_ATTACK) {
            double s = k_sin(HALF_PI * (double)i / PAD_ATTACK);
            amp *= s * s;
        }
        b.x[i] = crush(saturate(lp.low * amp, 1.3), 12);
    }
    loop->on = true;
    loop->start = PAD_ATTACK;
    loop->end = PAD_ATTACK + PAD_LOOP;
    return b;
}

/* One turn of a record at 33 1/3 rpm (1.8 s): tape hiss, crackle, soft
 * pops, rumble, and one scratch that comes round every turn. The loop is
 * the whole file; its head is crossfaded with the tail that follows it. */
enum { VINYL_TURN = 79380, VINYL_XFADE = 4410 };

static Buf make_vinyl(Loop *loop)
{
    Rng r = {0x33};
    Buf raw = buf_frames(VINYL_TURN + VINYL_XFADE);
    OnePole hiss_lp = onepole(6000.0), hiss_hp = onepole(250.0);
    OnePole rumble1 = onepole(30.0), rumble2 = onepole(30.0);
    OnePole pop_lp = onepole(900.0);
    Svf click = svf(2800.0, 0.8);
    const uint32_t scratch_at = (uint32_t)(0.37 * RATE);
    for (uint32_t i = 0; i < raw.n; i++) {
        double h = onepole_tick(&hiss_lp, rng_bipolar(&r));
        double hiss = h - onepole_tick(&hiss_hp, h);
        double rum = onepole_tick(&rumble2, onepole_tick(&rumble1, rng_bipolar(&r)));
        double impulse = 0.0, thump = 0.0;
        if (rng_uniform(&r) < 16.0 / RATE) {
            double u = rng_uniform(&r);
            impulse = (0.08 + 0.92 * u * u * u) * (rng_uniform(&r) < 0.5 ? -1.0 : 1.0);
        }
        if (rng_uniform(&r) < 0.9 / RATE)
            thump = 0.5 + 0.5 * rng_uniform(&r);
        if (i % VINYL_TURN == scratch_at) {
            impulse = 1.0;
            thump = 1.0;
        }
        svf_tick(&click, impulse * 6.0);
        double pop = onepole_tick(&pop_lp, thump * 40.0);
        raw.x[i] = 0.12 * hiss + 2.5 * rum + 0.5 * (click.band + 0.5 * click.high)
                   + 0.15 * pop;
    }
    Buf b = buf_frames(VINYL_TURN);
    for (uint32_t i = 0; i < b.n; i++) {
        double x = raw.x[i];
        if (i < VINYL_XFADE) {
            /* Equal power: the two stretches of noise are uncorrelated. */
            double w = HALF_PI * (double)i / VINYL_XFADE;
            x = k_sin(w) * raw.x[i] + k_cos(w) * raw.x[VINYL_TURN + i];
        }
        b.x[i] = x;
    }
    free(raw.x);
    loop->on = true;
    loop->start = 0;
    loop->end = VINYL_TURN;
    return b;
}

/* A two-beat boom-bap break built from the kit's own hits, for chopping
 * with 9xx. A 16th step is 29 x 256 frames (89.1 BPM) and the swung
 * off-steps sit 10 x 256 frames late (about the ED2 of speed 6), so every
 * hit starts exactly at a 9xx offset: step s at s*29 (+10 when s is odd):
 * 00 27 3A 61 74 9B AE D5. The loop is the whole file; tails that run past
 * the end wrap round to the start, so it loops like a record. */
enum { BREAK_STEP = 29 * 256, BREAK_SWING = 10 * 256, BREAK_STEPS = 8 };

typedef enum { HIT_KICK, HIT_SNARE, HIT_HAT, HIT_OPEN, HIT_COUNT } HitKind;

static Buf make_break(Loop *loop)
{
    static const struct {
        int step;
        HitKind kind;
        double gain;
    } hits[] = {
        {0, HIT_KICK, 1.0},  {0, HIT_HAT, 0.5},   {1, HIT_HAT, 0.2},
        {2, HIT_HAT, 0.42},  {3, HIT_KICK, 0.62}, {3, HIT_HAT, 0.16},
        {4, HIT_SNARE, 0.9}, {4, HIT_HAT, 0.45},  {5, HIT_HAT, 0.3},
        {6, HIT_OPEN, 0.3},  {6, HIT_KICK, 0.4},  {7, HIT_SNARE, 0.28},
        {7, HIT_HAT, 0.18},
    };
    Loop none = {.on = false};
    Buf src[HIT_COUNT] = {make_kick(&none), make_snare(&none),
                          make_hat_closed(&none), make_hat_open(&none)};
    for (int k = 0; k < HIT_COUNT; k++)
        normalize(&src[k], 1.0);

    const uint32_t len = BREAK_STEPS * BREAK_STEP;
    Buf dry = buf_frames(len);
    for (size_t h = 0; h < sizeof hits / sizeof hits[0]; h++) {
        uint32_t at = (uint32_t)hits[h].step * BREAK_STEP
                      + (hits[h].step % 2 ? BREAK_SWING : 0);
        const Buf *s = &src[hits[h].kind];
        for (uint32_t i = 0; i < s->n; i++)
            dry.x[(at + i) % len] += hits[h].gain * s->x[i];
    }
    for (int k = 0; k < HIT_COUNT; k++)
        free(src[k].x);

    /* Room, then the sampler: 26 kHz hold, 12 bits, drive, soft top.
     * Run the loop twice and keep the second pass, so every filter and
     * the room are in their steady state where the loop joins. */
    enum { COMB_A = 1116, COMB_B = 1491 };
    double comb_a[COMB_A] = {0}, comb_b[COMB_B] = {0};
    Hold lofi = hold(26040.0);
    OnePole top = onepole(10000.0);
    Buf b = buf_frames(len);
    for (uint32_t pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < len; i++) {
            double x = dry.x[i];
            uint32_t ia = (pass * len + i) % COMB_A, ib = (pass * len + i) % COMB_B;
            double ra = comb_a[ia], rb = comb_b[ib];
            comb_a[ia] = x + 0.45 * ra;
            comb_b[ib] = x + 0.4 * rb;
            double wet = x + 0.12 * (ra + rb);
            double y = crush(hold_tick(&lofi, saturate(wet, 1.4)), 12);
            b.x[i] = onepole_tick(&top, y);
        }
    }
    free(dry.x);
    loop->on = true;
    loop->start = 0;
    loop->end = len;
    for (int step = 0; step < BREAK_STEPS; step++)
        loop->cues[loop->cue_count++] =
            (uint32_t)step * BREAK_STEP + (step % 2 ? BREAK_SWING : 0);
    return b;
}

typedef struct {
    const char *file;
    const char *base; /* the note that plays the file at its own pitch */
    const char *what;
    Buf (*make)(Loop *loop);
} KitEntry;

static const KitEntry kit[] = {
    {"kick.wav", "C-4", "punchy kick: fast pitch drop, driven", make_kick},
    {"kick808.wav", "C-4", "808 boom settling at 50 Hz, long decay", make_kick808},
    {"snare.wav", "C-4", "snare: tuned body and noise, 30 kHz / 12-bit", make_snare},
    {"clap.wav", "C-4", "clap: three bursts and a tail", make_clap},
    {"rim.wav", "C-4", "rimshot click", make_rim},
    {"shaker.wav", "C-4", "shaker, 11-bit", make_shaker},
    {"hat_closed.wav", "C-4", "closed hat: 808 metal and noise, 10-bit", make_hat_closed},
    {"hat_open.wav", "C-4", "open hat, 10-bit", make_hat_open},
    {"bass808.wav", "C-2", "808 sub bass, sustains on its loop (glide it with 3xx)", make_bass808},
    {"epiano.wav", "C-4", "FM electric piano with tremolo and wow, 12-bit", make_epiano},
    {"stab.wav", "C-4", "C minor 9 chord stab, 22 kHz / 11-bit", make_stab},
    {"pad.wav", "C-4", "detuned saw pad, sustains on its 2 s loop", make_pad},
    {"break.wav", "C-4", "two-beat break from the kit, 9xx chops at 00 27 3A 61 74 9B AE D5", make_break},
    {"vinyl.wav", "C-4", "one turn of a record: hiss, crackle, pops (loop it)", make_vinyl},
};

enum { KIT_COUNT = sizeof kit / sizeof kit[0] };

/* ---- output ---------------------------------------------------------- */

static void put_le(uint8_t *p, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The MIDI note of a "C-4"-style name (C-4 is middle C, 60). */
static uint32_t midi_of(const char *name)
{
    static const char letters[] = "C-C#D-D#E-F-F#G-G#A-A#B-";
    int semitone = 0;
    while (semitone < 12 && memcmp(letters + 2 * semitone, name, 2))
        semitone++;
    return (uint32_t)(12 * (name[2] - '0' + 1) + semitone);
}

/* A canonical RIFF/WAVE file: the 16-byte fmt chunk, 16-bit little-endian
 * frames, then for looping or pitched samples a smpl chunk (root note and
 * loop, end inclusive as the format says) and for the break a cue chunk
 * with its hits. */
static uint8_t *wav_encode(const Buf *b, const KitEntry *e, const Loop *loop,
                           size_t *size)
{
    size_t data = (size_t)b->n * 2;
    bool smpl = loop->on || strcmp(e->base, "C-4");
    size_t smpl_size = smpl ? 8 + 36 + (loop->on ? 24 : 0) : 0;
    size_t cue_size = loop->cue_count ? 8 + 4 + 24 * (size_t)loop->cue_count : 0;
    size_t total = 44 + data + smpl_size + cue_size;
    uint8_t *w = calloc(1, total);
    if (!w)
        return NULL;
    memcpy(w, "RIFF", 4);
    put_le(w + 4, (uint32_t)(total - 8), 4);
    memcpy(w + 8, "WAVEfmt ", 8);
    put_le(w + 16, 16, 4);
    put_le(w + 20, 1, 2); /* PCM */
    put_le(w + 22, 1, 2); /* mono */
    put_le(w + 24, RATE, 4);
    put_le(w + 28, RATE * 2, 4);
    put_le(w + 32, 2, 2);
    put_le(w + 34, 16, 2);
    memcpy(w + 36, "data", 4);
    put_le(w + 40, (uint32_t)data, 4);
    for (uint32_t i = 0; i < b->n; i++) {
        double v = floor(b->x[i] * 32767.0 + 0.5);
        if (v > 32767.0)
            v = 32767.0;
        if (v < -32768.0)
            v = -32768.0;
        put_le(w + 44 + 2 * (size_t)i, (uint32_t)(int32_t)v & 0xFFFFu, 2);
    }
    uint8_t *p = w + 44 + data;
    if (smpl) {
        memcpy(p, "smpl", 4);
        put_le(p + 4, (uint32_t)(smpl_size - 8), 4);
        put_le(p + 16, 22676, 4); /* sample period: 1e9 / 44100 ns */
        put_le(p + 20, midi_of(e->base), 4);
        put_le(p + 36, loop->on ? 1 : 0, 4);
        if (loop->on) {
            /* cue id 0, type 0 (forward), start, end (inclusive), fraction 0,
             * play count 0 (for ever) */
            put_le(p + 52, loop->start, 4);
            put_le(p + 56, loop->end - 1, 4);
        }
        p += smpl_size;
    }
    if (cue_size) {
        memcpy(p, "cue ", 4);
        put_le(p + 4, (uint32_t)(cue_size - 8), 4);
        put_le(p + 8, (uint32_t)loop->cue_count, 4);
        for (int i = 0; i < loop->cue_count; i++) {
            uint8_t *c = p + 12 + 24 * (size_t)i;
            put_le(c, (uint32_t)i + 1, 4);        /* id */
            put_le(c + 4, loop->cues[i], 4);      /* play-order position */
            memcpy(c + 8, "data", 4);
            put_le(c + 20, loop->cues[i], 4);     /* frame in the data chunk */
        }
    }
    *size = total;
    return w;
}

/* Temporary file in the same directory, fsync, rename: a reader never sees
 * half a sample, and a failed run leaves the old file whole. */
static int write_atomic(const char *dir, const char *name, const uint8_t *data,
                        size_t size)
{
    char path[4096], tmp[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path
        || snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid())
               >= (int)sizeof tmp) {
        fprintf(stderr, "kitgen: %s: path too long\n", dir);
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "kitgen: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    bool ok = fwrite(data, 1, size, f) == size && fflush(f) == 0
              && fsync(fileno(f)) == 0;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        fprintf(stderr, "kitgen: %s: %s\n", path, strerror(err));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static Buf render(const KitEntry *e, Loop *loop)
{
    memset(loop, 0, sizeof *loop);
    Buf b = e->make(loop);
    normalize(&b, k_db(PEAK_DBFS));
    return b;
}

static void print_row(const KitEntry *e, const Loop *loop, uint32_t frames)
{
    printf("%-15s %s %-7s %6u %6u %6u  %s\n", e->file, e->base,
           loop->on ? "forward" : "off", loop->start, loop->end, frames, e->what);
}

static void usage(FILE *to)
{
    fprintf(to, "usage: kitgen DIR      write the default kit into DIR\n"
                "       kitgen --list   print file, base note, loop, frames\n");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    bool list = !strcmp(argv[1], "--list");
    const char *dir = argv[1];
    if (!list && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "kitgen: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (list)
        printf("# file          base loop    start    end frames  sound\n");
    size_t total = 0;
    for (int k = 0; k < KIT_COUNT; k++) {
        Loop loop;
        Buf b = render(&kit[k], &loop);
        if (list) {
            print_row(&kit[k], &loop, b.n);
            free(b.x);
            continue;
        }
        size_t size;
        uint8_t *wav = wav_encode(&b, &kit[k], &loop, &size);
        free(b.x);
        if (!wav) {
            fprintf(stderr, "kitgen: out of memory\n");
            return 1;
        }
        int rc = write_atomic(dir, kit[k].file, wav, size);
        free(wav);
        if (rc != 0)
            return 1;
        total += size;
    }
    if (!list)
        printf("kitgen: wrote %d samples (%zu bytes) to %s\n", KIT_COUNT, total, dir);
    return 0;
}
