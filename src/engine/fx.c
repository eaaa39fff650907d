#include "fx.h"

#include <string.h>

/* ProTracker's vibrato sine: half a cycle in 32 steps, amplitude 255. */
static const uint8_t VIBRATO_SINE[32] = {
    0,   24,  49,  74,  97,  120, 141, 161, 180, 197, 212,
    224, 235, 244, 250, 253, 255, 253, 250, 244, 235, 224,
    212, 197, 180, 161, 141, 120, 97,  74,  49,  24,
};

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
    ctl->speed = ctl->bpm = -1;
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
                        FxRowControl *ctl)
{
    switch (fx) {
    case 'B': ctl->pos_jump = param; break;
    case 'D': ctl->break_row = (param >> 4) * 10 + (param & 15); break;
    case 'F':
        if (param >= 0x20)
            ctl->bpm = param;
        else if (param)
            ctl->speed = param;
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
    ch->arp_off = ch->vib_off = 0;
    ch->delay_tick = FX_NO_TICK;
    row_control(ch, row, cell->fx, cell->fx_param, ctl);
    row_control(ch, row, cell->fx2, cell->fx2_param, ctl);
    int delay = note_delay(cell);
    if (!delay)
        return false;
    ch->delay_tick = delay;
    ch->delayed = *cell;
    return true;
}

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
    case '8': ch->pan = param; break;
    case 'C': ch->volume = param > 64 ? 64 : param; break;
    case 'P': if (param) ch->mem_pan_slide = param; break;
    case 'R':
        if (x) ch->mem_retrig_vol = (uint8_t)x;
        if (y) ch->mem_retrig_ticks = (uint8_t)y;
        break;
    case 'E':
        switch (x) {
        case 0x1:
            if (y) ch->mem_fine_up = (uint8_t)y;
            ch->pitch = clamp_pitch(ch->pitch + 4 * ch->mem_fine_up);
            break;
        case 0x2:
            if (y) ch->mem_fine_down = (uint8_t)y;
            ch->pitch = clamp_pitch(ch->pitch - 4 * ch->mem_fine_down);
            break;
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

void fx_first_tick(FxChannel *ch, const Cell *cell)
{
    first_tick(ch, cell->fx, cell->fx_param);
    first_tick(ch, cell->fx2, cell->fx2_param);
}

static void volume_slide(FxChannel *ch)
{
    int x = ch->mem_vol_slide >> 4, y = ch->mem_vol_slide & 15;
    ch->volume = clamp_volume(x ? ch->volume + x : ch->volume - y);
}

static void tone_porta(FxChannel *ch)
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

static void vibrato(FxChannel *ch)
{
    int pos = ch->vib_pos & 63;
    int off = VIBRATO_SINE[pos & 31] * ch->mem_vib_depth / 32;
    ch->vib_off = pos & 32 ? -off : off;
    ch->vib_pos = (ch->vib_pos + ch->mem_vib_speed) & 63;
}

static bool other_tick(FxChannel *ch, int tick, uint8_t fx, uint8_t param)
{
    int x = param >> 4, y = param & 15;
    switch (fx) {
    case '0':
        if (param) {
            int t = tick % 3;
            ch->arp_off = t == 1 ? x : t == 2 ? y : 0;
        }
        break;
    case '1': ch->pitch = clamp_pitch(ch->pitch + 4 * ch->mem_porta_up); break;
    case '2': ch->pitch = clamp_pitch(ch->pitch - 4 * ch->mem_porta_down); break;
    case '3': tone_porta(ch); break;
    case '4': vibrato(ch); break;
    case '5': tone_porta(ch); volume_slide(ch); break;
    case '6': vibrato(ch); volume_slide(ch); break;
    case 'A': volume_slide(ch); break;
    case 'P': {
        int px = ch->mem_pan_slide >> 4, py = ch->mem_pan_slide & 15;
        ch->pan = hiss_clampi(px ? ch->pan + px : ch->pan - py, 0, 255);
        break;
    }
    case 'E':
        if (x == 0x9 && y && tick % y == 0)
            return true;
        if (x == 0xC && y == tick)
            ch->volume = 0;
        break;
    default: break;
    }
    return false;
}

bool fx_other_tick(FxChannel *ch, int tick)
{
    ch->arp_off = ch->vib_off = 0;
    bool a = other_tick(ch, tick, ch->fx[0], ch->param[0]);
    bool b = other_tick(ch, tick, ch->fx[1], ch->param[1]);
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

int fx_pitch(const FxChannel *ch)
{
    return ch->pitch + ch->arp_off * FX_PITCH_PER_NOTE + ch->vib_off;
}
