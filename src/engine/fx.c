#include "fx.h"

#include <math.h>
#include <string.h>

/* ProTracker's vibrato sine: half a cycle in 32 steps, amplitude 255. */
static const uint8_t VIBRATO_SINE[32] = {
    0,   24,  49,  74,  97,  120, 141, 161, 180, 197, 212,
    224, 235, 244, 250, 253, 255, 253, 250, 244, 235, 224,
    212, 197, 180, 161, 141, 120, 97,  74,  49,  24,
};

/* ProTracker's periods at finetune 0, C-1 .. B-3 (hiss C-3 .. B-5). */
static const uint16_t PT_PERIODS[36] = {
    856, 808, 762, 720, 678, 640, 604, 570, 538, 508, 480, 453,
    428, 404, 381, 360, 339, 320, 302, 285, 269, 254, 240, 226,
    214, 202, 190, 180, 170, 160, 151, 143, 135, 127, 120, 113,
};
static int clamp_pitch(int pitch);

/* The period of C-4, which plays a sample at its base note's rate. */
#define PERIOD_C4 428.0

int fx_period_of_pitch(int pitch)
{
    int n = pitch - (NOTE_C4 - 12) * FX_PITCH_PER_NOTE;
    if (n % FX_PITCH_PER_NOTE == 0 && n >= 0 && n < 36 * FX_PITCH_PER_NOTE)
        return PT_PERIODS[n / FX_PITCH_PER_NOTE];
    double p = PERIOD_C4 * exp2(-(double)(pitch - NOTE_C4 * FX_PITCH_PER_NOTE) /
                                (12.0 * FX_PITCH_PER_NOTE));
    return p < 1.0 ? 1 : p > 65535.0 ? 65535 : (int)lround(p);
}

int fx_pitch_of_period(int period)
{
    if (period < 1)
        period = 1;
    return NOTE_C4 * FX_PITCH_PER_NOTE +
           (int)lround(12.0 * FX_PITCH_PER_NOTE * log2(PERIOD_C4 / period));
}

/* E5x's offset, 1/64 semitones: an eighth of a semitone a step. */
static int finetune_units(const FxChannel *ch)
{
    return ch->finetune * (FX_PITCH_PER_NOTE / 8);
}

/* The channel's period (finetune included), taken again from the table
 * when a note (or anything but a period slide) set the pitch. */
static int period_now(FxChannel *ch)
{
    if (ch->period_pitch != ch->pitch || !ch->period) {
        ch->period = fx_period_of_pitch(ch->pitch + finetune_units(ch));
        ch->period_pitch = ch->pitch;
    }
    return ch->period;
}

static void set_period(FxChannel *ch, int period)
{
    ch->period = period;
    ch->pitch = ch->period_pitch =
        clamp_pitch(fx_pitch_of_period(period) - finetune_units(ch));
}

/* A period slide by `delta` (negative: up in pitch), held within
 * ProTracker's limits (a period already beyond them is not pulled in). */
static void slide_period(FxChannel *ch, int delta)
{
    int p = period_now(ch), q = p + delta;
    if (delta < 0 && q < FX_PERIOD_MIN)
        q = p < FX_PERIOD_MIN ? p : FX_PERIOD_MIN;
    if (delta > 0 && q > FX_PERIOD_MAX)
        q = p > FX_PERIOD_MAX ? p : FX_PERIOD_MAX;
    set_period(ch, q);
}

void fx_channel_reset(FxChannel *ch)
{
    memset(ch, 0, sizeof *ch);
    ch->volume = 64;
    ch->pan = 128;
    ch->delay_tick = FX_NO_TICK;
}

void fx_row_control_clear(FxRowControl *ctl)
{
    ctl->pos_jump = ctl->break_row = ctl->loop_jump = -1;
    ctl->speed = ctl->bpm = ctl->row_delay = ctl->global_volume = -1;
    ctl->later_count = 0;
}

bool fx_move_pair(const uint8_t fx[2], const uint8_t param[2])
{
    return fx[0] == 'O' && fx[1] == 'O' && param[0] >> 4 >= 8;
}

int fx_channel_out(const uint8_t fx[2], const uint8_t param[2], int tick)
{
    int out = -1;
    for (int k = 0; k < 2 && !fx_move_pair(fx, param); k++)
        if (fx[k] == 'O' && (param[k] >> 4) < 8 && (param[k] & 15) == tick)
            out = (param[k] >> 4) != 0;
    return out;
}

bool fx_cell_has(const Cell *cell, uint8_t fx)
{
    return cell->fx == fx || cell->fx2 == fx;
}

bool fx_is_tone_porta(const Cell *cell)
{
    return fx_cell_has(cell, '3') || fx_cell_has(cell, '5');
}

uint32_t fx_sample_offset(FxChannel *ch, const Cell *cell)
{
    const uint8_t fxs[2] = {cell->fx, cell->fx2};
    const uint8_t params[2] = {cell->fx_param, cell->fx2_param};
    uint32_t offset = 0;
    for (int k = 0; k < 2; k++)
        if (fxs[k] == '9') {
            if (params[k])
                ch->mem_offset = params[k];
            offset = (uint32_t)ch->mem_offset * 256u;
        }
    return offset;
}

static int clamp_pitch(int pitch)
{
    return hiss_clampi(pitch, 0, FX_PITCH_MAX);
}

static int clamp_volume(int volume)
{
    return hiss_clampi(volume, 0, 64);
}

static void row_control(FxChannel *ch, int row, uint8_t fx, uint8_t param,
                        FxRowControl *ctl, bool fine_tempo)
{
    switch (fx) {
    case 'B': ctl->pos_jump = param; break;
    case 'G': ctl->global_volume = param > 64 ? 64 : param; break;
    case 'D': ctl->break_row = (param >> 4) * 10 + (param & 15); break;
    case 'F':
        if (param >= 0x20) {
            if (!fine_tempo)
                ctl->bpm = param * 10;
        } else if (param) {
            ctl->speed = param;
        }
        break;
    case 'E':
        if ((param >> 4) == 0x6) {
            int y = param & 15;
            if (!y) {
                ch->loop_row = row;
            } else if (!ch->loop_count) {
                ch->loop_count = y;
                ctl->loop_jump = ch->loop_row;
            } else if (--ch->loop_count) {
                ctl->loop_jump = ch->loop_row;
            }
        } else if ((param >> 4) == 0xE) {
            ctl->row_delay = param & 15;
        }
        break;
    default: break;
    }
}

static int note_delay(const Cell *cell)
{
    if (cell->fx == 'E' && (cell->fx_param >> 4) == 0xD)
        return cell->fx_param & 15;
    if (cell->fx2 == 'E' && (cell->fx2_param >> 4) == 0xD)
        return cell->fx2_param & 15;
    return 0;
}

bool fx_row(FxChannel *ch, int row, const Cell *cell, FxRowControl *ctl)
{
    ch->fx[0] = cell->fx;
    ch->param[0] = cell->fx_param;
    ch->fx[1] = cell->fx2;
    ch->param[1] = cell->fx2_param;
    ch->arp_off = ch->arp_fine = ch->vib_off = ch->trem_off = ch->gliss_off = 0;
    ch->tremor_silent = false;
    ch->delay_tick = FX_NO_TICK;
    ch->row_note = cell->note >= NOTE_FIRST && cell->note <= NOTE_LAST;
    /* Txy beside a tempo's Fxx: x tenths of a BPM more, on tick y. */
    bool fine = (cell->fx == 'F' && cell->fx_param >= 0x20 && cell->fx2 == 'T') ||
                (cell->fx2 == 'F' && cell->fx2_param >= 0x20 && cell->fx == 'T');
    row_control(ch, row, cell->fx, cell->fx_param, ctl, fine);
    row_control(ch, row, cell->fx2, cell->fx2_param, ctl, fine);
    if (fine) {
        int whole = cell->fx == 'F' ? cell->fx_param : cell->fx2_param;
        int t = cell->fx == 'T' ? cell->fx_param : cell->fx2_param;
        int tenths = whole * 10 + ((t >> 4) < 10 ? t >> 4 : 9), tick = t & 15;
        if (!tick)
            ctl->bpm = tenths;
        else if (ctl->later_count < FX_LATER_TEMPOS) {
            ctl->later[ctl->later_count].tick = tick;
            ctl->later[ctl->later_count++].bpm = tenths;
        }
    }
    int delay = note_delay(cell);
    if (!delay)
        return false;
    ch->delay_tick = delay;
    ch->delayed = *cell;
    return true;
}

static bool is_vibrato(uint8_t fx)
{
    return fx == '4' || fx == '6';
}

static void vibrato_offset(FxChannel *ch);
static void tremolo_offset(FxChannel *ch);
static void glissando(FxChannel *ch);

static void first_tick(FxChannel *ch, uint8_t fx, uint8_t param)
{
    int x = param >> 4, y = param & 15;
    switch (fx) {
    case '1': if (param) ch->mem_porta_up = param; break;
    case '2': if (param) ch->mem_porta_down = param; break;
    case '3': if (param) ch->mem_tone = param; break;
    case '4':
        if (x) ch->mem_vib_speed = (uint8_t)x;
        if (y) ch->mem_vib_depth = (uint8_t)y;
        break;
    case '5': case '6': case 'A':
        if (param) ch->mem_vol_slide = param;
        break;
    case '7':
        if (x) ch->mem_trem_speed = (uint8_t)x;
        if (y) ch->mem_trem_depth = (uint8_t)y;
        break;
    case '8': ch->pan = param; break;
    case 'C': ch->volume = param > 64 ? 64 : param; break;
    case 'P': if (param) ch->mem_pan_slide = param; break;
    case 'H': if (param) ch->mem_global_slide = param; break;
    case 'K': if (param) ch->mem_tremor = param; break;
    case 'R':
        if (x) ch->mem_retrig_vol = (uint8_t)x;
        if (y) ch->mem_retrig_ticks = (uint8_t)y;
        break;
    case 'E':
        switch (x) {
        case 0x1:
            if (y) ch->mem_fine_up = (uint8_t)y;
            if (ch->amiga)
                slide_period(ch, -ch->mem_fine_up);
            else
                ch->pitch = clamp_pitch(ch->pitch + 4 * ch->mem_fine_up);
            break;
        case 0x2:
            if (y) ch->mem_fine_down = (uint8_t)y;
            if (ch->amiga)
                slide_period(ch, ch->mem_fine_down);
            else
                ch->pitch = clamp_pitch(ch->pitch - 4 * ch->mem_fine_down);
            break;
        case 0x3: ch->glissando = y != 0; break;
        case 0x4: ch->vib_wave = (uint8_t)y; break;
        case 0x7: ch->trem_wave = (uint8_t)y; break;
        case 0xA:
            if (y) ch->mem_fine_vol_up = (uint8_t)y;
            ch->volume = clamp_volume(ch->volume + ch->mem_fine_vol_up);
            break;
        case 0xB:
            if (y) ch->mem_fine_vol_down = (uint8_t)y;
            ch->volume = clamp_volume(ch->volume - ch->mem_fine_vol_down);
            break;
        case 0xC:
            if (!y)
                ch->volume = 0;
            break;
        default: break;
        }
        break;
    default: break;
    }
}

/* Kxy: the volume sounds x ticks, then is silent y ticks (0 counts as
 * 1), counting the ticks of the rows that have it (the ticks after the
 * first with `tremor ft2`, the first keeping the tick before's state),
 * the count going on across them; a part left short by a new Kxy ends
 * as the old one said, as Impulse Tracker and FastTracker 2 do. */
static void tremor(FxChannel *ch, bool counts)
{
    if (counts) {
        int on = ch->mem_tremor >> 4, off = ch->mem_tremor & 15;
        if (ch->tremor_left > 0) {
            ch->tremor_left--;
        } else {
            ch->tremor_on = !ch->tremor_on;
            ch->tremor_left = (ch->tremor_on ? (on ? on : 1) : (off ? off : 1)) - 1;
        }
        ch->tremor_begun = true;
    }
    ch->tremor_silent = ch->tremor_begun && !ch->tremor_on;
}

void fx_first_tick(FxChannel *ch, const Cell *cell)
{
    first_tick(ch, cell->fx, cell->fx_param);
    first_tick(ch, cell->fx2, cell->fx2_param);
    if (fx_cell_has(cell, 'K'))
        tremor(ch, !ch->ft2_tremor);
    /* FastTracker 2 keeps the vibrato's offset on a row's first tick (its
     * position does not move there), where ProTracker plays the note's
     * own pitch. */
    if (ch->ft2_vibrato && (is_vibrato(cell->fx) || is_vibrato(cell->fx2)))
        vibrato_offset(ch);
    /* Its tremolo likewise keeps the volume the wave gives where it is,
     * and a glissando's tone portamento the note it rounded to. */
    if (ch->ft2_vibrato && fx_cell_has(cell, '7'))
        tremolo_offset(ch);
    if (ch->ft2_vibrato && ch->glissando && fx_is_tone_porta(cell))
        glissando(ch);
    /* Nxy (a cutoff slide, voicefx acts on it) remembers as volume slides
     * do; the row's copy is what the later ticks read. */
    for (int k = 0; k < 2; k++) {
        if (ch->fx[k] != 'N')
            continue;
        if (ch->param[k])
            ch->mem_cutoff_slide = ch->param[k];
        else
            ch->param[k] = ch->mem_cutoff_slide;
    }
}

static void volume_slide(FxChannel *ch)
{
    int x = ch->mem_vol_slide >> 4, y = ch->mem_vol_slide & 15;
    ch->volume = clamp_volume(x ? ch->volume + x : ch->volume - y);
}

/* 3xx on the period: towards the target note's period by xx a tick. */
static void tone_porta_amiga(FxChannel *ch)
{
    int p = period_now(ch);
    int target = fx_period_of_pitch(ch->target_pitch + finetune_units(ch));
    if (p < target)
        p = p + ch->mem_tone >= target ? target : p + ch->mem_tone;
    else if (p > target)
        p = p - ch->mem_tone <= target ? target : p - ch->mem_tone;
    set_period(ch, p);
}

/* E3x: the glide sounds at the first note at or above where it is (the
 * first table period not above the slide's), and goes on sliding. With
 * `vibrato ft2` it sounds at the nearest note instead, half way between
 * two going to the lower, as FastTracker 2 rounds it. */
static void glissando(FxChannel *ch)
{
    int below = ch->ft2_vibrato ? FX_PITCH_PER_NOTE / 2 - 1 : FX_PITCH_PER_NOTE - 1;
    int note = (ch->pitch + below) / FX_PITCH_PER_NOTE * FX_PITCH_PER_NOTE;
    int tuned = note + finetune_units(ch);
    int sounds = ch->amiga ? fx_pitch_of_period(fx_period_of_pitch(tuned)) : tuned;
    ch->gliss_off = sounds - fx_note_pitch(ch);
}

static void tone_porta_pitch(FxChannel *ch);

static void tone_porta(FxChannel *ch)
{
    if (ch->amiga)
        tone_porta_amiga(ch);
    else
        tone_porta_pitch(ch);
    if (ch->glissando)
        glissando(ch);
}

static void tone_porta_pitch(FxChannel *ch)
{
    int speed = 4 * ch->mem_tone;
    if (ch->pitch < ch->target_pitch) {
        ch->pitch += speed;
        if (ch->pitch > ch->target_pitch)
            ch->pitch = ch->target_pitch;
    } else if (ch->pitch > ch->target_pitch) {
        ch->pitch -= speed;
        if (ch->pitch < ch->target_pitch)
            ch->pitch = ch->target_pitch;
    }
}

/* ProTracker's waves, 0..255 over each half of the 64-step cycle (the
 * first half adds, the second takes away). */
static int wave(uint8_t shape, int pos)
{
    int p = pos & 31;
    switch (shape & 3) {
    case 1: return pos & 32 ? p * 8 : 255 - p * 8; /* ramp down */
    case 2: return 255;                             /* square */
    default: return VIBRATO_SINE[p];
    }
}

void fx_note_started(FxChannel *ch)
{
    if (!(ch->vib_wave & 4))
        ch->vib_pos = 0;
    if (!(ch->trem_wave & 4))
        ch->trem_pos = 0;
}

/* 7xy: the volume moves by wave x depth / 64, as in ProTracker. */
static void tremolo_offset(FxChannel *ch)
{
    int pos = ch->trem_pos & 63;
    int delta = wave(ch->trem_wave, pos) * ch->mem_trem_depth / 64;
    ch->trem_off = pos & 32 ? -delta : delta;
}

static void tremolo(FxChannel *ch)
{
    tremolo_offset(ch);
    ch->trem_pos = (ch->trem_pos + ch->mem_trem_speed) & 63;
}

int fx_volume(const FxChannel *ch)
{
    if (ch->tremor_silent)
        return 0;
    return clamp_volume(ch->volume + ch->trem_off);
}

/* The vibrato's offset at its current position. */
static void vibrato_offset(FxChannel *ch)
{
    int pos = ch->vib_pos & 63;
    if (ch->amiga) {
        /* ProTracker: wave x depth / 128 periods, added to the period in
         * the first half cycle, so the pitch goes down first. */
        int delta = wave(ch->vib_wave, pos) * ch->mem_vib_depth / 128;
        int p = period_now(ch) + (pos & 32 ? -delta : delta);
        ch->vib_off = fx_pitch_of_period(p) - fx_note_pitch(ch);
    } else {
        int w = wave(ch->vib_wave, pos);
        /* FastTracker 2 adds the wave to its linear period, so the pitch
         * goes down first there; its ramp rises through each half where
         * ProTracker's falls (so the pitch ramps down, not up). */
        if (ch->ft2_vibrato && (ch->vib_wave & 3) == 1)
            w = 255 - w;
        int off = w * ch->mem_vib_depth / 32;
        if (ch->ft2_vibrato)
            off = -off;
        ch->vib_off = pos & 32 ? -off : off;
    }
}

static void vibrato(FxChannel *ch)
{
    vibrato_offset(ch);
    ch->vib_pos = (ch->vib_pos + ch->mem_vib_speed) & 63;
}

static bool other_tick(FxChannel *ch, int tick, int row_ticks, uint8_t fx, uint8_t param)
{
    int x = param >> 4, y = param & 15;
    switch (fx) {
    case '0':
        if (param) {
            /* FastTracker 2 counts the arpeggio from the row's end: at
             * speed 6 the ticks after the first play +y, +x, the note. */
            int t = ch->ft2_vibrato ? (row_ticks - tick) % 3 : tick % 3;
            int semis = t == 1 ? x : t == 2 ? y : 0;
            if (ch->amiga && semis) /* the table's period for that note */
                ch->arp_fine = fx_pitch_of_period(fx_period_of_pitch(
                                   ch->pitch + semis * FX_PITCH_PER_NOTE + finetune_units(ch))) -
                               fx_note_pitch(ch);
            else
                ch->arp_off = semis;
        }
        break;
    case '1':
        if (ch->amiga)
            slide_period(ch, -ch->mem_porta_up);
        else
            ch->pitch = clamp_pitch(ch->pitch + 4 * ch->mem_porta_up);
        break;
    case '2':
        if (ch->amiga)
            slide_period(ch, ch->mem_porta_down);
        else
            ch->pitch = clamp_pitch(ch->pitch - 4 * ch->mem_porta_down);
        break;
    case '3': tone_porta(ch); break;
    case '4': vibrato(ch); break;
    case '5': tone_porta(ch); volume_slide(ch); break;
    case '6': vibrato(ch); volume_slide(ch); break;
    case '7': tremolo(ch); break;
    case 'A': volume_slide(ch); break;
    case 'K': tremor(ch, true); break;
    case 'H': {
        int gx = ch->mem_global_slide >> 4, gy = ch->mem_global_slide & 15;
        ch->global_slide += gx ? gx : -gy;
        break;
    }
    case 'P': {
        int px = ch->mem_pan_slide >> 4, py = ch->mem_pan_slide & 15;
        ch->pan = hiss_clampi(px ? ch->pan + px : ch->pan - py, 0, 255);
        break;
    }
    case 'E':
        /* tick 0 here is an EEx repeat's: ProTracker restarts the note
         * there only when the row has none, and does the fine slides of
         * tick 0 again. */
        if (x == 0x9 && y && tick % y == 0 && (tick || !ch->row_note))
            return true;
        if (!tick && ch->amiga && (x == 0x1 || x == 0x2 || x == 0xA || x == 0xB))
            first_tick(ch, fx, param);
        /* EDx's tick comes here only on a repeat (the first pass started
         * the note there); ProTracker starts the note again. */
        if (x == 0xD && y == tick && ch->amiga && ch->row_note)
            return true;
        if (x == 0xC && y == tick)
            ch->volume = 0;
        break;
    default: break;
    }
    return false;
}

bool fx_other_tick(FxChannel *ch, int tick, int row_ticks)
{
    ch->arp_off = ch->arp_fine = ch->vib_off = ch->trem_off = ch->gliss_off = 0;
    ch->global_slide = 0;
    ch->tremor_silent = false;
    bool a = other_tick(ch, tick, row_ticks, ch->fx[0], ch->param[0]);
    bool b = other_tick(ch, tick, row_ticks, ch->fx[1], ch->param[1]);
    return a || b;
}

static void retrig_volume(FxChannel *ch)
{
    int v = ch->volume;
    switch (ch->mem_retrig_vol) {
    case 0x1: v -= 1; break;
    case 0x2: v -= 2; break;
    case 0x3: v -= 4; break;
    case 0x4: v -= 8; break;
    case 0x5: v -= 16; break;
    case 0x6: v = v * 2 / 3; break;
    case 0x7: v /= 2; break;
    case 0x9: v += 1; break;
    case 0xA: v += 2; break;
    case 0xB: v += 4; break;
    case 0xC: v += 8; break;
    case 0xD: v += 16; break;
    case 0xE: v = v * 3 / 2; break;
    case 0xF: v *= 2; break;
    default: break;
    }
    ch->volume = clamp_volume(v);
}

bool fx_multi_retrig(FxChannel *ch)
{
    if ((ch->fx[0] != 'R' && ch->fx[1] != 'R') || !ch->mem_retrig_ticks)
        return false;
    if (++ch->retrig_count < ch->mem_retrig_ticks)
        return false;
    ch->retrig_count = 0;
    retrig_volume(ch);
    return true;
}

int fx_note_pitch(const FxChannel *ch)
{
    int tuned = ch->pitch + finetune_units(ch);
    if (!ch->amiga || (ch->period && ch->period_pitch == ch->pitch))
        return tuned; /* a period slide already made it the period's */
    return fx_pitch_of_period(fx_period_of_pitch(tuned));
}

void fx_cell_finetune(FxChannel *ch, const Cell *cell)
{
    bool set = false;
    for (int k = 0; k < 2; k++) {
        uint8_t fx = k ? cell->fx2 : cell->fx, param = k ? cell->fx2_param : cell->fx_param;
        if (fx == 'E' && param >> 4 == 0x5) {
            int y = param & 15;
            ch->finetune = y < 8 ? y : y - 16;
            set = true;
        }
    }
    /* As in ProTracker, E5x tunes the note of its row: the next note
     * without it plays untuned again. */
    if (!set && cell->note >= NOTE_FIRST && cell->note <= NOTE_LAST && !fx_is_tone_porta(cell))
        ch->finetune = 0;
    ch->period = 0; /* the period follows the finetune */
}

int fx_pitch(const FxChannel *ch)
{
    return fx_note_pitch(ch) + ch->arp_off * FX_PITCH_PER_NOTE + ch->arp_fine + ch->vib_off +
           ch->gliss_off;
}
