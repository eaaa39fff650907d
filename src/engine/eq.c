/* eq: see eq.h. */
#include "eq.h"

#include <math.h>
#include <string.h>

enum { LOW_CUT, LOW_SHELF, MID, HIGH_SHELF, HIGH_CUT };

void eq_read(const SongEqShared *s, SongEq *o)
{
    o->low_cut_hz = atomic_load_explicit(&s->low_cut_hz, memory_order_relaxed);
    o->low_shelf_hz = atomic_load_explicit(&s->low_shelf_hz, memory_order_relaxed);
    o->low_shelf_tenth_db = atomic_load_explicit(&s->low_shelf_tenth_db, memory_order_relaxed);
    o->mid_hz = atomic_load_explicit(&s->mid_hz, memory_order_relaxed);
    o->mid_tenth_db = atomic_load_explicit(&s->mid_tenth_db, memory_order_relaxed);
    o->mid_q_tenths = atomic_load_explicit(&s->mid_q_tenths, memory_order_relaxed);
    o->high_shelf_hz = atomic_load_explicit(&s->high_shelf_hz, memory_order_relaxed);
    o->high_shelf_tenth_db = atomic_load_explicit(&s->high_shelf_tenth_db, memory_order_relaxed);
    o->high_cut_hz = atomic_load_explicit(&s->high_cut_hz, memory_order_relaxed);
}

/* Sets a section from the cookbook's a0..b2; keeps its state so a change
 * while playing does not click more than the new curve must. */
static void section_set(EqSection *s, double b0, double b1, double b2, double a0,
                        double a1, double a2)
{
    s->b0 = (float)(b0 / a0);
    s->b1 = (float)(b1 / a0);
    s->b2 = (float)(b2 / a0);
    s->a1 = (float)(a1 / a0);
    s->a2 = (float)(a2 / a0);
    if (!s->on)
        memset(s->z1, 0, sizeof s->z1), memset(s->z2, 0, sizeof s->z2);
    s->on = true;
}

/* A frequency the sections can take at this rate: 10 Hz .. 0.45 x rate. */
static double usable_hz(int hz, uint32_t rate)
{
    double top = 0.45 * rate;
    return hz < 10 ? 10.0 : hz > top ? top : (double)hz;
}

static void make_band(EqSection *s, int band, const SongEq *q, uint32_t rate)
{
    int hz = band == LOW_CUT      ? q->low_cut_hz
             : band == LOW_SHELF  ? q->low_shelf_hz
             : band == MID        ? q->mid_hz
             : band == HIGH_SHELF ? q->high_shelf_hz
                                  : q->high_cut_hz;
    int tenth_db = band == LOW_SHELF    ? q->low_shelf_tenth_db
                   : band == MID        ? q->mid_tenth_db
                   : band == HIGH_SHELF ? q->high_shelf_tenth_db
                                        : 0;
    bool cut = band == LOW_CUT || band == HIGH_CUT;
    if (cut ? hz <= 0 : tenth_db == 0) {
        s->on = false;
        return;
    }
    double w = 2.0 * M_PI * usable_hz(hz, rate) / rate, cw = cos(w), sw = sin(w);
    if (cut) {
        double alpha = sw / (2.0 * M_SQRT1_2); /* Q = 1/sqrt(2): Butterworth */
        double k = band == LOW_CUT ? 1.0 + cw : 1.0 - cw;
        double b1 = band == LOW_CUT ? -k : k;
        section_set(s, k / 2.0, b1, k / 2.0, 1.0 + alpha, -2.0 * cw, 1.0 - alpha);
        return;
    }
    double a = pow(10.0, tenth_db / 400.0); /* sqrt of the linear gain */
    if (band == MID) {
        double qv = (q->mid_q_tenths < 1 ? 1 : q->mid_q_tenths) / 10.0;
        double alpha = sw / (2.0 * qv);
        section_set(s, 1.0 + alpha * a, -2.0 * cw, 1.0 - alpha * a, 1.0 + alpha / a,
                    -2.0 * cw, 1.0 - alpha / a);
        return;
    }
    /* Shelves with slope 1: alpha = sin(w)/2 * sqrt(2). */
    double alpha = sw / 2.0 * M_SQRT2, sa = 2.0 * sqrt(a) * alpha;
    if (band == LOW_SHELF)
        section_set(s, a * ((a + 1) - (a - 1) * cw + sa), 2 * a * ((a - 1) - (a + 1) * cw),
                    a * ((a + 1) - (a - 1) * cw - sa), (a + 1) + (a - 1) * cw + sa,
                    -2 * ((a - 1) + (a + 1) * cw), (a + 1) + (a - 1) * cw - sa);
    else
        section_set(s, a * ((a + 1) + (a - 1) * cw + sa), -2 * a * ((a - 1) + (a + 1) * cw),
                    a * ((a + 1) + (a - 1) * cw - sa), (a + 1) - (a - 1) * cw + sa,
                    2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - sa);
}

void eq_follow(Eq *eq, const SongEq *set, uint32_t rate)
{
    if (eq->rate == rate && !memcmp(&eq->set, set, sizeof *set))
        return;
    eq->set = *set;
    eq->rate = rate;
    for (int b = 0; b < EQ_BANDS; b++)
        make_band(&eq->band[b], b, set, rate);
}

bool eq_active(const Eq *eq)
{
    for (int b = 0; b < EQ_BANDS; b++)
        if (eq->band[b].on)
            return true;
    return false;
}

void eq_process(Eq *eq, float *x, uint32_t n)
{
    for (int b = 0; b < EQ_BANDS; b++) {
        EqSection *s = &eq->band[b];
        if (!s->on)
            continue;
        for (int c = 0; c < 2; c++) {
            float z1 = s->z1[c], z2 = s->z2[c];
            for (uint32_t f = 0; f < n; f++) {
                float in = x[2 * f + c];
                float out = s->b0 * in + z1;
                z1 = s->b1 * in - s->a1 * out + z2;
                z2 = s->b2 * in - s->a2 * out;
                x[2 * f + c] = out;
            }
            /* Denormals would slow the tail of a fade to a crawl. */
            s->z1[c] = fabsf(z1) < 1e-20f ? 0.0f : z1;
            s->z2[c] = fabsf(z2) < 1e-20f ? 0.0f : z2;
        }
    }
}
