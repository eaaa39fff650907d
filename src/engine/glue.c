/* glue: see glue.h. */
#include "glue.h"

#include <math.h>
#include <string.h>

void glue_init(Glue *g, uint32_t rate)
{
    memset(g, 0, sizeof *g);
    g->rate = rate;
    g->set[0] = -1; /* no settings taken yet */
}

void glue_read(const Song *song, int *settings)
{
    song_params_read(song->glue, song_glue_params, SONG_GLUE_PARAMS, settings);
}

/* exp(-1 / frames): a one-pole's coefficient for a time constant. */
static float coefficient(int ms, uint32_t rate)
{
    double frames = ms / 1000.0 * rate;
    return frames < 1.0 ? 0.0f : (float)exp(-1.0 / frames);
}

static void take_settings(Glue *g, const int *set)
{
    if (!memcmp(g->set, set, sizeof g->set))
        return;
    memcpy(g->set, set, sizeof g->set);
    g->threshold_db = set[SONG_GLUE_THRESHOLD] / 10.0f;
    g->threshold = powf(10.0f, g->threshold_db / 20.0f);
    g->slope = 1.0f - 10.0f / (float)set[SONG_GLUE_RATIO];
    g->makeup_db = set[SONG_GLUE_MAKEUP] / 10.0f;
    g->makeup = powf(10.0f, g->makeup_db / 20.0f);
    g->attack = coefficient(set[SONG_GLUE_ATTACK], g->rate);
    g->release = coefficient(set[SONG_GLUE_RELEASE], g->rate);
}

void glue_gains(Glue *g, const int *set, const float *key, float *gains, uint32_t n)
{
    take_settings(g, set);
    float r = g->reduction_db, most = g->most_db;
    for (uint32_t f = 0; f < n; f++) {
        float peak = 0.0f;
        if (key) {
            float l = fabsf(key[2 * f]), rt = fabsf(key[2 * f + 1]);
            peak = l > rt ? l : rt;
        }
        float want = peak > g->threshold ? (20.0f * log10f(peak) - g->threshold_db) * g->slope
                                         : 0.0f;
        float k = want > r ? g->attack : g->release;
        r = want + k * (r - want);
        if (r < 1e-6f)
            r = 0.0f; /* back to unity exactly, and no denormals */
        gains[f] = r > 0.0f ? powf(10.0f, (g->makeup_db - r) / 20.0f) : g->makeup;
        most = r > most ? r : most;
    }
    g->reduction_db = r;
    g->most_db = most;
}

enum { TAPE_DRIVE_MAX = 100 };
#define TAPE_K_MIN 0.25f /* drive 1: a gentle bend near full scale only */
#define TAPE_K_MAX 8.0f  /* drive 100: +18 dB into the curve */
#define TAPE_AVERAGE_S 0.1f      /* the make-up's memory: short, so a quiet
                                    passage after a loud one is lifted only
                                    for a few tenths of a second */
#define TAPE_ROLLOFF_HZ 12000.0f /* the one-pole's corner at full drive */
/* A power above this (+40 dBFS) is taken as this: an absurd input cannot
 * make the average infinite and then NaN. */
#define TAPE_POWER_MAX 1e4f
/* Under this the states are taken as silence, before they turn denormal. */
#define TAPE_POWER_MIN 1e-20f

/* tanh's Pade shape, exactly +-1 from +-3 on (where its slope reaches 0):
 * the same bend at a fraction of tanhf's cost. */
static inline float tape_curve(float x)
{
    x = fminf(fmaxf(x, -3.0f), 3.0f);
    float x2 = x * x;
    return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}

void glue_tape_init(Tape *t, uint32_t rate)
{
    memset(t, 0, sizeof *t);
    t->average = 1.0f - expf(-1.0f / (TAPE_AVERAGE_S * (float)rate));
    float corner = fminf(TAPE_ROLLOFF_HZ, 0.45f * (float)rate);
    t->lowpass_coef = 1.0f - expf(-2.0f * (float)M_PI * corner / (float)rate);
}

void glue_tape(Tape *t, int drive, float *x, uint32_t n)
{
    if (drive <= 0) {
        /* Off: the state follows the signal, so turning the drive up
         * starts without a step. */
        t->power = 0.0f;
        if (n) {
            t->lowpass[0] = x[2 * (size_t)n - 2];
            t->lowpass[1] = x[2 * (size_t)n - 1];
        }
        t->drive = 0;
        return;
    }
    if (drive != t->drive) {
        t->drive = drive;
        float share = (float)drive / TAPE_DRIVE_MAX;
        t->k = TAPE_K_MIN * powf(TAPE_K_MAX / TAPE_K_MIN, share);
        t->inv_k = 1.0f / t->k;
        t->most = t->k / tape_curve(t->k);
        t->dull = share;
    }
    const float k = t->k, inv_k = t->inv_k, k2 = k * k, most = t->most, dull = t->dull,
                a = t->average, c = t->lowpass_coef;
    float power = t->power, low_l = t->lowpass[0], low_r = t->lowpass[1];
    for (uint32_t f = 0; f < n; f++) {
        float l = x[2 * f], r = x[2 * f + 1];
        power += a * (fminf(0.5f * (l * l + r * r), TAPE_POWER_MAX) - power);
        float makeup = fminf(sqrtf(1.0f + k2 * power), most);
        float sl = tape_curve(k * l) * inv_k * makeup, sr = tape_curve(k * r) * inv_k * makeup;
        low_l += c * (sl - low_l);
        low_r += c * (sr - low_r);
        x[2 * f] = sl + dull * (low_l - sl);
        x[2 * f + 1] = sr + dull * (low_r - sr);
    }
    t->power = power < TAPE_POWER_MIN ? 0.0f : power;
    t->lowpass[0] = fabsf(low_l) < TAPE_POWER_MIN ? 0.0f : low_l;
    t->lowpass[1] = fabsf(low_r) < TAPE_POWER_MIN ? 0.0f : low_r;
}

void glue_process(Glue *g, const int *set, float *x, uint32_t n)
{
    if (!set[SONG_GLUE_ON]) {
        g->reduction_db = 0.0f;
        return;
    }
    float gains[256];
    for (uint32_t done = 0; done < n;) {
        uint32_t m = n - done < 256 ? n - done : 256;
        float *at = x + 2 * (size_t)done;
        glue_gains(g, set, at, gains, m);
        for (uint32_t f = 0; f < m; f++) {
            at[2 * f] *= gains[f];
            at[2 * f + 1] *= gains[f];
        }
        done += m;
    }
}
