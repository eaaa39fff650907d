/* ui_wave: a sample drawn in the terminal, with its slice, start/end and
 * loop markers and the audition's playhead. Block characters under a UTF-8
 * locale, '#' otherwise. Each column reads at most UI_WAVE_READS frames,
 * so drawing an hour of audio costs no more than a second of it. */
#ifndef HISS_UI_WAVE_H
#define HISS_UI_WAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "sample.h"

enum { UI_WAVE_READS = 512 };

typedef struct {
    const Sample *sample;
    uint32_t view_from, view_to;  /* the frames shown, view_to exclusive */
    const uint32_t *slices;
    int slice_count;
    int selected;                 /* -1: none */
    uint32_t start, end;          /* the instrument's start and end points */
    bool loop;
    uint32_t loop_start, loop_end;
    bool playing;
    uint32_t playhead;
} UiWave;

/* Draws the wave in rows y..y+h-2 and its markers in row y+h-1, columns
 * x..x+w-1: '|' a slice ('^' the selected one), 'S'/'E' the start and end
 * points, '[' and ']' the loop, '>' the playhead. */
void ui_wave_draw(int y, int x, int h, int w, const UiWave *wave);

#endif
