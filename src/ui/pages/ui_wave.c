#include "ui_wave.h"

#include <math.h>
#include <string.h>

#include "ui_draw.h"

/* The loudest absolute value of the mono sum over frames [a, b), read at
 * no more than UI_WAVE_READS places. */
static float column_peak(const Sample *s, uint32_t a, uint32_t b)
{
    uint32_t stride = (b - a) / UI_WAVE_READS + 1;
    float peak = 0;
    for (uint32_t i = a; i < b; i += stride) {
        const float *f = s->data + (size_t)i * s->channels;
        float v = fabsf(s->channels == 2 ? 0.5f * (f[0] + f[1]) : f[0]);
        peak = v > peak ? v : peak;
    }
    return peak;
}

/* The column of frame f, or -1 outside the view. */
static int column_of(const UiWave *wv, int w, uint32_t f)
{
    if (f < wv->view_from || f >= wv->view_to)
        return -1;
    return (int)((uint64_t)(f - wv->view_from) * (uint64_t)w / (wv->view_to - wv->view_from));
}

static void mark(char *line, int w, int col, char c)
{
    if (col >= 0 && col < w)
        line[col] = c;
}

void ui_wave_draw(int y, int x, int h, int w, const UiWave *wv)
{
    if (h < 2 || w < 1)
        return;
    int rows = h - 1;
    const Sample *s = wv->sample;
    if (!s || !s->frames || wv->view_to <= wv->view_from) {
        for (int r = 0; r < h; r++)
            ui_put(y + r, x, w, A_NORMAL, "");
        return;
    }
    const char *full = ui_glyph(UI_G_METER_FULL);
    int play_col = wv->playing ? column_of(wv, w, wv->playhead) : -1;
    uint32_t span = wv->view_to - wv->view_from;
    enum { MAX_COLS = 512 };
    float peaks[MAX_COLS], loudest = 0;
    w = w > MAX_COLS ? MAX_COLS : w;
    for (int c = 0; c < w; c++) {
        uint32_t a = wv->view_from + (uint32_t)((uint64_t)span * (uint64_t)c / (uint64_t)w);
        uint32_t b = wv->view_from + (uint32_t)((uint64_t)span * (uint64_t)(c + 1) / (uint64_t)w);
        if (b <= a)
            b = a + 1;
        peaks[c] = column_peak(s, a, b > s->frames ? s->frames : b);
        loudest = peaks[c] > loudest ? peaks[c] : loudest;
    }
    /* Scaled to the loudest column shown, so a quiet sample (a bounce at
     * mix level) still has a shape. */
    float scale = loudest > 0.001f ? 1.0f / loudest : 1.0f;
    for (int c = 0; c < w; c++) {
        float peak = peaks[c] * scale;
        /* Lit cells grow from the middle row out, as a wave does. */
        int lit = (int)lrintf(peak * (float)rows);
        if (peak > 0.001f && lit < 1)
            lit = 1;
        int top = (rows - lit) / 2;
        /* The playhead is the '>' under the wave only: lighting its
         * column would resend three cells' colours at every step. */
        attr_t at = ui_attr(UI_C_METER);
        for (int r = 0; r < rows; r++)
            ui_put(y + r, x + c, 1, at, r >= top && r < top + lit ? full : " ");
    }
    char line[MAX_COLS + 1];
    memset(line, ' ', (size_t)w);
    line[w] = 0;
    if (wv->loop) {
        mark(line, w, column_of(wv, w, wv->loop_start), '[');
        mark(line, w, column_of(wv, w, wv->loop_end ? wv->loop_end - 1 : 0), ']');
    }
    if (wv->start)
        mark(line, w, column_of(wv, w, wv->start), 'S');
    if (wv->end)
        mark(line, w, column_of(wv, w, wv->end - 1), 'E');
    for (int k = 0; k < wv->slice_count; k++)
        mark(line, w, column_of(wv, w, wv->slices[k]), k == wv->selected ? '^' : '|');
    mark(line, w, play_col, '>');
    ui_put(y + rows, x, w, ui_attr(UI_C_DIM), line);
}
