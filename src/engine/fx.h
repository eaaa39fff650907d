/* fx: the per-channel effect state machine, FastTracker 2 / ProTracker
 * style (see man/effects.roff for the exact semantics).
 *
 * Pure arithmetic on a channel's numbers (pitch, volume, pan, effect
 * memories, counters): fx never touches voices or the song position
 * itself. It reports what the engine must do instead: restart the note
 * (retriggers) and song control (jump, break, loop, speed, tempo) collected
 * in an FxRowControl. The engine owns the note starts, so it alone reads
 * instruments and voices. */
#ifndef HISS_FX_H
#define HISS_FX_H

#include <stdbool.h>
#include <stdint.h>

#include "song.h"

enum {
    FX_PITCH_PER_NOTE = 64, /* pitch unit: 1/64 semitone (FT2 linear) */
    FX_PITCH_MAX = (NOTE_LAST + 12) * FX_PITCH_PER_NOTE,
    FX_NO_TICK = -1,
};

typedef struct {
    int inst_slot;
    uint8_t note;        /* last note started, for retriggers */
    int pitch;           /* current pitch, 1/64 semitones (note * 64) */
    int target_pitch;    /* tone portamento goal */
    int volume;          /* 0..64 */
    int pan;             /* 0 left .. 128 centre .. 255 right */
    int arp_off;         /* semitones added this tick */
    int arp_fine;        /* amiga: 1/64 semitones added this tick (the
                            table period of the arpeggio note) */
    int vib_off;         /* 1/64 semitones added this tick */
    int trem_off;        /* volume added this tick (7xy) */
    int gliss_off;       /* E3x: 1/64 semitones to the glide's next note */
    int finetune;        /* E5x: -8..7 eighths of a semitone */
    bool glissando;      /* E3x: tone portamento sounds in whole notes */
    uint8_t fx[2], param[2];
    uint8_t mem_porta_up, mem_porta_down, mem_tone, mem_vib_speed,
        mem_vib_depth, mem_vol_slide, mem_fine_up, mem_fine_down,
        mem_fine_vol_up, mem_fine_vol_down, mem_offset, mem_pan_slide,
        mem_retrig_vol, mem_retrig_ticks, mem_trem_speed, mem_trem_depth,
        mem_cutoff_slide, mem_global_slide, mem_tremor;
    int global_slide;    /* Hxy: the global volume's move this tick */
    /* Kxy: the part of the on-off cycle it is in, the ticks left of that
     * part (across rows), whether the cycle has begun, whether this tick
     * is silent; and song setting `tremor ft2`: a row's first tick does
     * not count. */
    bool tremor_on, tremor_begun, tremor_silent, ft2_tremor;
    int tremor_left;
    int vib_pos, trem_pos;
    /* E4x, E7x: 0 sine, 1 ramp down, 2 square, 3 sine; +4: a new note
     * does not restart the wave. */
    uint8_t vib_wave, trem_wave;
    /* Amiga slides (song setting `slides amiga`): 1xx, 2xx, 3xx, E1x, E2x
     * and vibrato move `period`, and pitch follows it. `period_pitch` is
     * the pitch the period stands for; when the engine starts a note (sets
     * pitch), the period is taken from the ProTracker table again. */
    bool amiga;
    /* Song setting `vibrato ft2`: the vibrato goes down first in linear
     * slides and keeps its offset on a row's first tick, the tremolo keeps
     * its volume there, and a glissando rounds to the nearest note, as
     * FastTracker 2 plays them. */
    bool ft2_vibrato;
    int period;
    int period_pitch;
    int retrig_count;
    int loop_row, loop_count;
    int delay_tick;      /* EDx: the tick the delayed cell acts on */
    bool row_note;       /* the row has a note (E9x on a repeat's tick 0) */
    Cell delayed;
} FxChannel;

enum { FX_LATER_TEMPOS = 8 }; /* tempo changes on later ticks a row keeps */

/* Song control found on a row; -1 where nothing asked for it. */
typedef struct {
    int pos_jump;  /* Bxx: order */
    int break_row; /* Dxx: row in the next pattern */
    int loop_jump; /* E6x: row to go back to */
    int speed;     /* Fxx < 0x20 */
    int bpm;       /* Fxx >= 0x20, in tenths of a BPM (with Txy's tenths) */
    int row_delay; /* EEx: times the row plays again, its notes not */
    int global_volume; /* Gxx: 0..64 */
    /* Fxx with Txy (y > 0): tempos, in tenths, that act on tick y of the
     * row (counted through EEx's passes), in channel order. */
    int later_count;
    struct {
        int tick, bpm;
    } later[FX_LATER_TEMPOS];
} FxRowControl;

/* Whether both columns are an Oxy pair with x from 8: a fader or balance
 * move (engine_move_decode), not a channel out. */
bool fx_move_pair(const uint8_t fx[2], const uint8_t param[2]);
/* Oxy in either column, acting on `tick`: 1 takes the channel out of the
 * mix, 0 brings it back; -1 when the cell's columns have none for it. */
int fx_channel_out(const uint8_t fx[2], const uint8_t param[2], int tick);

void fx_channel_reset(FxChannel *ch);
void fx_row_control_clear(FxRowControl *ctl);

bool fx_cell_has(const Cell *cell, uint8_t fx);
/* 3xx or 5xy: a note in the cell is a glide target, not a new note. */
bool fx_is_tone_porta(const Cell *cell);
/* 9xx in either column: the start offset in sample-file frames (0 when
 * none); updates the memory. */
uint32_t fx_sample_offset(FxChannel *ch, const Cell *cell);

/* Tick 0 of a row: takes the cell's effects, collects song control
 * (which acts even when the note is delayed) and reports whether the rest
 * of the cell waits for a later tick (EDx; ch->delay_tick). */
bool fx_row(FxChannel *ch, int row, const Cell *cell, FxRowControl *ctl);
/* The cell's first-tick effects (on tick 0, or the delay tick). An N00
 * is given the last Nxy's speeds for the ticks after. */
void fx_first_tick(FxChannel *ch, const Cell *cell);
/* Ticks after the first: slides, vibrato, arpeggio, cuts. True when the
 * note must restart on this tick (E9x). `tick` counts from the row's
 * start; an EEx repeat starts again at 0, where these effects act too
 * (and, in amiga mode, E1x E2x EAx EBx once more and EDx restarts its
 * note, as in ProTracker). `row_ticks`: the row's ticks (the speed). */
bool fx_other_tick(FxChannel *ch, int tick, int row_ticks);
/* Rxy's tick counter; true when the note must restart, the volume already
 * changed. Counts only while the row has an Rxy. */
bool fx_multi_retrig(FxChannel *ch);
/* The cell's E5x, before its note starts (the finetune it plays with). */
void fx_cell_finetune(FxChannel *ch, const Cell *cell);
/* A new note: vibrato and tremolo restart unless E4x/E7x said not to. */
void fx_note_started(FxChannel *ch);
/* Volume with this tick's tremolo, 0..64. */
int fx_volume(const FxChannel *ch);
/* The pitch a note starts at, 1/64 semitones: in amiga mode the pitch of
 * the note's period (the table's periods are not equal-tempered). */
int fx_note_pitch(const FxChannel *ch);
/* Pitch with this tick's arpeggio and vibrato, 1/64 semitones. */
int fx_pitch(const FxChannel *ch);

/* ProTracker's limits for period slides (PT octaves 1-3: hiss C-3..B-5). */
enum { FX_PERIOD_MIN = 113, FX_PERIOD_MAX = 856 };
/* The Amiga period of a pitch (1/64 semitones): ProTracker's table for
 * the notes of its three octaves, C-4 being period 428 (PT's C-2). */
int fx_period_of_pitch(int pitch);
/* The pitch a period plays (1/64 semitones, rounded). */
int fx_pitch_of_period(int period);

#endif
