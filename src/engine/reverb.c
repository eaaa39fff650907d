/* reverb: see reverb.h. */
#include "reverb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Line lengths at size 100, in ms: no two share a factor that would let
 * their echoes pile up on the same frames. */
static const double LINE_MS[REVERB_LINES] = {31.3, 37.9, 41.9, 47.3, 53.1, 59.7, 67.3, 73.1};
/* Which output each line feeds, and with which sign, so the two sides
 * are as different as the lines are. */
static const float LEFT[REVERB_LINES] = {1, -1, 1, -1, 1, -1, 1, -1};
static const float RIGHT[REVERB_LINES] = {1, 1, -1, -1, 1, 1, -1, -1};
static const float INPUT[REVERB_LINES] = {1, 1, 1, 1, -1, -1, -1, -1};
#define OUTPUT_SCALE 0.25f
#define SILENCE 1e-10f
enum { PREDELAY_MAX_MS = 250 };

static double size_factor(int size)
{
    return 0.25 + 0.75 * size / 100.0;
}

HissError reverb_init(Reverb *r, uint32_t rate)
{
    memset(r, 0, sizeof *r);
    size_t total = 0;
    for (int i = 0; i < REVERB_LINES; i++) {
        r->cap[i] = (uint32_t)ceil(LINE_MS[i] / 1000.0 * rate) + 2;
        total += r->cap[i];
    }
    r->pre_cap = (uint32_t)((uint64_t)PREDELAY_MAX_MS * rate / 1000) + 2;
    total += r->pre_cap;
    r->mem = calloc(total, sizeof(float));
    if (!r->mem)
        return HISS_ERR_NOMEM;
    float *at = r->mem;
    for (int i = 0; i < REVERB_LINES; i++) {
        r->line[i] = at;
        at += r->cap[i];
    }
    r->pre = at;
    r->rate = rate;
    r->set[0] = -1; /* no settings taken yet */
    return HISS_OK;
}

void reverb_deinit(Reverb *r)
{
    free(r->mem);
    r->mem = NULL;
}

void reverb_carry(Reverb *to, const Reverb *from)
{
    float *mem = to->mem;
    size_t total = from->pre_cap;
    for (int i = 0; i < REVERB_LINES; i++)
        total += from->cap[i];
    memcpy(mem, from->mem, sizeof(float) * total);
    *to = *from;
    to->mem = mem;
    /* The same layout, in to's own memory. */
    for (int i = 0; i < REVERB_LINES; i++)
        to->line[i] = mem + (from->line[i] - from->mem);
    to->pre = mem + (from->pre - from->mem);
}

void reverb_read(const Song *song, int *settings)
{
    song_params_read(song->reverb, song_reverb_params, SONG_REVERB_PARAMS, settings);
}

static void take_settings(Reverb *r, const int *set)
{
    if (!memcmp(r->set, set, sizeof r->set))
        return;
    memcpy(r->set, set, sizeof r->set);
    double rt60 = set[SONG_REVERB_DECAY] / 10.0, k = size_factor(set[SONG_REVERB_SIZE]);
    r->longest = 0;
    for (int i = 0; i < REVERB_LINES; i++) {
        uint32_t len = (uint32_t)lround(LINE_MS[i] * k / 1000.0 * r->rate);
        len = len < 1 ? 1 : len > r->cap[i] ? r->cap[i] : len;
        r->len[i] = len;
        if (r->pos[i] >= len)
            r->pos[i] = 0;
        r->gain[i] = (float)pow(10.0, -3.0 * len / (rt60 * r->rate));
        r->longest = len > r->longest ? len : r->longest;
    }
    uint32_t pre = (uint32_t)((uint64_t)set[SONG_REVERB_PREDELAY] * r->rate / 1000);
    r->pre_len = pre + 1 > r->pre_cap ? r->pre_cap : pre + 1;
    if (r->pre_pos >= r->pre_len)
        r->pre_pos = 0;
    r->longest += r->pre_len;
    r->damp = (float)set[SONG_REVERB_DAMPING] / 100.0f * 0.85f;
    r->width = (float)set[SONG_REVERB_WIDTH] / 100.0f;
    r->zero_run = 0; /* lines cut short may hold sound where they now end */
}

static float flush(float x)
{
    return fabsf(x) < SILENCE ? 0.0f : x;
}

bool reverb_process(Reverb *r, const int *set, const float *in, float *out, uint32_t n)
{
    take_settings(r, set);
    bool silent_in = true;
    for (uint32_t i = 0; in && i < 2 * n && silent_in; i++)
        silent_in = in[i] == 0.0f;
    if (silent_in && r->zero_run >= r->longest) {
        /* Every line holds silence: what the loop would give, for nothing.
         * The positions move on as they would. */
        for (int i = 0; i < REVERB_LINES; i++)
            r->pos[i] = (uint32_t)(((uint64_t)r->pos[i] + n) % r->len[i]);
        r->pre_pos = (uint32_t)(((uint64_t)r->pre_pos + n) % r->pre_len);
        return false;
    }
    const float damp = r->damp, width = r->width;
    for (uint32_t f = 0; f < n; f++) {
        /* The pre-delay: a line of pre_len frames read before it is written,
         * so pre_len 1 is one frame. */
        float x = r->pre[r->pre_pos];
        r->pre[r->pre_pos] = in ? 0.5f * (in[2 * f] + in[2 * f + 1]) : 0.0f;
        if (++r->pre_pos >= r->pre_len)
            r->pre_pos = 0;
        float s[REVERB_LINES], sum = 0.0f, left = 0.0f, right = 0.0f;
        bool silent = x == 0.0f;
        for (int i = 0; i < REVERB_LINES; i++) {
            float v = r->line[i][r->pos[i]];
            r->lp[i] = flush(v + damp * (r->lp[i] - v));
            v = r->lp[i] * r->gain[i];
            s[i] = v;
            sum += v;
            left += LEFT[i] * v;
            right += RIGHT[i] * v;
        }
        sum *= 2.0f / REVERB_LINES;
        for (int i = 0; i < REVERB_LINES; i++) {
            float w = flush(s[i] - sum + INPUT[i] * x);
            r->line[i][r->pos[i]] = w;
            silent &= w == 0.0f;
            if (++r->pos[i] >= r->len[i])
                r->pos[i] = 0;
        }
        r->zero_run = silent ? r->zero_run + (r->zero_run < r->longest) : 0;
        float mid = 0.5f * (left + right), side = 0.5f * (left - right) * width;
        out[2 * f] = OUTPUT_SCALE * (mid + side);
        out[2 * f + 1] = OUTPUT_SCALE * (mid - side);
    }
    return true;
}
