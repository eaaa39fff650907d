/* timing: the one timing scan of a song.
 *
 * timing_scan walks the song as the engine plays it, row by row, under
 * Fxx (speed and tempo), Bxx, Dxx, E6x (pattern loops) and EEx (pattern
 * delay: one row as long as its passes), without
 * rendering a sample: the time of every row it plays (in frames at a given
 * rate, exactly as the engine counts them, and in seconds), where the song
 * ends, or where it starts to repeat (a Bxx back, a B00 on a one-row
 * pattern onto itself, or the wrap of a looping song). Render's end and
 * loop detection, JACK transport (bar/beat/tick and relocation), the
 * clocks of the editor and `hiss play` all read it, so they agree.
 *
 * The engine's sequencer uses the tick and swing arithmetic below, so a
 * scan at the engine's rate gives the frame on which every row starts.
 * EDx (note delay) does not move rows.
 * Commands sent while playing (jump, cue, tempo) are not in the scan.
 *
 * Pure C11; the scan allocates (call it from the UI thread, never from the
 * audio thread). Reading a finished scan (timing_locate) does not. */
#ifndef HISS_TIMING_H
#define HISS_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "song.h"

enum {
    TIMING_MAX_ROWS = 1 << 20, /* rows played before the scan gives up */
    TIMING_TICKS_PER_BEAT = 1920, /* JACK's bar/beat/tick resolution */
};

/* How the scanned song finishes. */
typedef enum {
    TIMING_END_STOPS,   /* it plays past its last order and stops */
    TIMING_END_LOOPS,   /* it comes back to a place it has played: loop_index */
    TIMING_END_UNKNOWN, /* longer than TIMING_MAX_ROWS rows */
} TimingEnd;

/* One row as played. speed and bpm_tenths (the tempo in tenths of a BPM)
 * are those in effect for the row (after its own Fxx). frame is where the row starts (before a swing delay). */
typedef struct {
    int order, row;
    int speed, bpm_tenths;
    int ticks;       /* the row's length in ticks: speed, times EEx's passes */
    uint64_t frame;
    double seconds;
} TimingRow;

typedef struct {
    uint32_t rate;
    int rows_per_beat;
    bool loop_song;  /* scanned as the engine plays with looping on */
    TimingRow *rows; /* in play order */
    int count;
    TimingEnd end;
    int loop_index;  /* TIMING_END_LOOPS: the row the repeat starts from */
    uint64_t end_frame; /* where the last row in rows[] ends: the song's end,
                           or where the repeat of rows[loop_index] begins */
    double end_seconds;
} TimingScan;

/* Scans the song as the engine plays it from order 0, row 0 at `rate`,
 * wrapping at the end of the order list when loop_song is set (the
 * engine's ENGINE_CMD_SET_LOOP_SONG). HISS_ERR_NOMEM, HISS_ERR_RANGE (a
 * rate outside 1000..768000) or HISS_OK; *scan is then to be released with
 * timing_deinit. A song without a playable order gives count 0. */
HissError timing_scan(const Song *song, uint32_t rate, bool loop_song,
                      TimingScan *scan);
void timing_deinit(TimingScan *scan);

/* Frames rows first..first+rows-1 of a pattern last at rate, played
 * straight through from the song's tempo and speed, under their own Fxx
 * and EEx (jumps and loops are not followed): the length of a pattern or a
 * selection rendered on its own. 0 when the pattern or rows do not exist. */
uint64_t timing_rows_frames(const Song *song, int pattern, int first, int rows,
                            uint32_t rate);

/* Where the song is `frame` frames after it started. */
typedef struct {
    int index;       /* into rows[]; -1 when the song has ended (or is empty) */
    int order, row;
    uint64_t into;   /* frames since the row started */
    int pass;        /* times the loop was gone round (TIMING_END_LOOPS) */
    double beats;    /* beats since the start, every pass counted */
    double beats_per_minute; /* of the row: 24 x bpm / (speed x rows per beat) */
} TimingPlace;

/* Seek by time: the row playing at `frame` (a looping song goes round its
 * loop for ever, a song that stops has ended past end_frame): a binary
 * search, allocation-free, so the audio thread may call it. After a
 * loop the frames are those of the first pass, which may differ from the
 * engine's by a frame per pass (its tick remainder carries on). */
void timing_locate(const TimingScan *scan, uint64_t frame, TimingPlace *place);

/* The first time (order, row) is played, as an index into rows[]; -1 when
 * the song never plays it. */
int timing_find(const TimingScan *scan, int order, int row);

/* ---- what the engine's sequencer shares -------------------------------- */

/* The first playable order at or after *order (entries whose pattern is
 * missing are skipped), wrapping to order 0, row 0 past the end of the
 * list when loop_song; *row falls back to 0 outside the pattern. False
 * when the song ends there. Allocation-free. */
bool timing_seek_order(const Song *song, bool loop_song, int *order, int *pattern,
                       int *row);

/* Frames of the next tick at bpm_tenths / 10 BPM: rate * 2.5 / BPM, with
 * the remainder carried in *rem (kept below 2 * bpm_tenths) so ticks never
 * drift. */
uint32_t timing_tick_frames(uint32_t rate, int bpm_tenths, uint64_t *rem);
/* Swing: how late an off-beat row (odd within its beat) starts, swing% of
 * half a row at the speed and tempo in effect before the row. */
uint32_t timing_swing_delay(uint32_t rate, int swing, int rows_per_beat, int row,
                            int speed, int bpm_tenths);
/* How much of the swing delay `debt` a tick of `len` frames gives back,
 * with `ticks_left` ticks in the row (this one included), so the next row
 * starts on time. */
uint32_t timing_swing_share(uint32_t debt, int ticks_left, uint32_t len);

#endif
