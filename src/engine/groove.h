/* groove: how late a channel's note falls within its row (MPC-style swing
 * and humanize), and how loud, from the song's groove settings.
 *
 * Rows keep their frames (the timing scan, JACK's bar/beat/tick and the
 * render's length do not move): a groove only delays the notes, releases
 * and cuts of a row on its channel, by whole frames, and scales the level
 * of the notes it starts. Pure arithmetic, allocation-free: the engine
 * calls it from the audio thread, the tests to predict the frames. */
#ifndef HISS_GROOVE_H
#define HISS_GROOVE_H

#include <stdint.h>

#include "song.h"

/* Frames the swing delays row `row` (counted from a beat, as the engine
 * plays it) by, for swing% (50..75) on a grid of 8th or 16th notes, at the
 * tempo and speed in effect when the row starts. The beat is cut into
 * pairs of grid notes; a row at the start of a pair is not moved, the
 * second note of the pair moves from 50% of the pair to swing%, and a row
 * between them moves in proportion (time within the pair is stretched in
 * its first half and squeezed in its second), so rows keep their order.
 * With `rows_per_beat` 4 and 16ths, an odd row is delayed by
 * floor((swing - 50) x speed x rate / (2 x bpm_tenths)) frames. */
uint32_t groove_swing_frames(uint32_t rate, int swing, int grid, int rows_per_beat, int row,
                             int speed, int bpm_tenths);

/* A number in [0, 1) drawn from the song's seed for the note of `channel`
 * on the row counted `row_count` (rows started since the engine began);
 * `what` tells the draws of one note apart (timing, level). The same
 * arguments give the same number, so a render is the same every time. */
double groove_draw(uint32_t seed, uint64_t row_count, int channel, int what);

enum { GROOVE_DRAW_TIME = 0, GROOVE_DRAW_LEVEL = 1 };

/* Humanized timing: `draw` (groove_draw) of up to `ms` milliseconds late,
 * in frames: floor(draw x ms x rate / 1000). */
uint32_t groove_human_frames(uint32_t rate, int ms, double draw);

/* Humanized level: the note's level is multiplied by 1 + (2 x draw - 1) x
 * percent / 100, so it stays within +-percent of the written one. */
float groove_level(int percent, double draw);

#endif
