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

void glue_tape(int drive, float *x, uint32_t n)
{
    if (drive <= 0)
        return;
    float k = 1.0f + 3.0f * (float)drive / 100.0f, inv = 1.0f / k;
    for (size_t i = 0; i < 2 * (size_t)n; i++)
        x[i] = tanhf(k * x[i]) * inv;
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
