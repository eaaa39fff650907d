/* The effect state machine (fx.c) on its own: memories, counters, clamps
 * and song control, tick by tick, without rendering audio. */
#include "fx.h"
#include "test.h"

static Cell cell(uint8_t fx, uint8_t param)
{
    Cell c = song_cell_empty();
    c.fx = fx;
    c.fx_param = param;
    return c;
}

/* Plays one row of `speed` ticks with the cell's effects; returns how many
 * ticks asked for a note restart. */
static int play_row(FxChannel *ch, Cell c, int speed, FxRowControl *ctl)
{
    FxRowControl local;
    fx_row_control_clear(&local);
    fx_row(ch, 0, &c, ctl ? ctl : &local);
    fx_first_tick(ch, &c);
    int restarts = 0;
    for (int t = 1; t < speed; t++) {
        bool r = fx_other_tick(ch, t, speed);
        if (fx_multi_retrig(ch))
            r = true;
        restarts += r;
    }
    return restarts;
}

static void memories_are_per_effect(void)
{
    FxChannel ch;
    fx_channel_reset(&ch);
    ch.pitch = 3000;
    play_row(&ch, cell('E', 0x14), 6, NULL);
    CHECK(ch.pitch == 3016);
    play_row(&ch, cell('E', 0x10), 6, NULL); /* E1 memory */
    CHECK(ch.pitch == 3032);
    play_row(&ch, cell('E', 0x20), 6, NULL); /* E2 has its own: none yet */
    CHECK(ch.pitch == 3032);
    play_row(&ch, cell('1', 0x02), 3, NULL);
    CHECK(ch.pitch == 3032 + 2 * 8);
    play_row(&ch, cell('2', 0x00), 3, NULL); /* 2xx memory is separate */
    CHECK(ch.pitch == 3048);
    play_row(&ch, cell('1', 0x00), 3, NULL);
    CHECK(ch.pitch == 3064);

    /* A, 5 and 6 share the volume slide memory */
    ch.volume = 40;
    play_row(&ch, cell('A', 0x03), 3, NULL);
    CHECK(ch.volume == 34);
    play_row(&ch, cell('6', 0x00), 3, NULL);
    CHECK(ch.volume == 28);

    /* 4xy remembers speed and depth separately */
    play_row(&ch, cell('4', 0x84), 2, NULL);
    CHECK(ch.mem_vib_speed == 8 && ch.mem_vib_depth == 4);
    play_row(&ch, cell('4', 0x30), 2, NULL);
    CHECK(ch.mem_vib_speed == 3 && ch.mem_vib_depth == 4);

    /* 9xx */
    Cell o = cell('9', 0x10);
    CHECK(fx_sample_offset(&ch, &o) == 0x1000);
    o.fx_param = 0;
    CHECK(fx_sample_offset(&ch, &o) == 0x1000);
    Cell none = song_cell_empty();
    CHECK(fx_sample_offset(&ch, &none) == 0);
}

static void slides_clamp(void)
{
    FxChannel ch;
    fx_channel_reset(&ch);
    ch.volume = 62;
    play_row(&ch, cell('A', 0xF0), 4, NULL);
    CHECK(ch.volume == 64);
    play_row(&ch, cell('A', 0x0F), 8, NULL);
    CHECK(ch.volume == 0);
    play_row(&ch, cell('P', 0xF0), 31, NULL);
    CHECK(ch.pan == 255);
    play_row(&ch, cell('P', 0x0F), 31, NULL);
    CHECK(ch.pan == 0);
    ch.pitch = 10;
    play_row(&ch, cell('2', 0xFF), 6, NULL);
    CHECK(ch.pitch == 0);
    play_row(&ch, cell('1', 0xFF), 31, NULL);
    CHECK(ch.pitch == FX_PITCH_MAX);
}

static void tone_porta_stops_on_target(void)
{
    FxChannel ch;
    fx_channel_reset(&ch);
    ch.pitch = 1000;
    ch.target_pitch = 1050;
    play_row(&ch, cell('3', 0x05), 6, NULL); /* 20 a tick: 1020, 1040, 1050 */
    CHECK(ch.pitch == 1050);
    ch.target_pitch = 900;
    play_row(&ch, cell('5', 0x00), 3, NULL); /* memory 20: down 40 */
    CHECK(ch.pitch == 1010);
}

static void arpeggio_vibrato_and_cut_by_tick(void)
{
    FxChannel ch;
    fx_channel_reset(&ch);
    ch.pitch = 64 * 49;
    Cell c = cell('0', 0x37);
    FxRowControl ctl;
    fx_row_control_clear(&ctl);
    fx_row(&ch, 0, &c, &ctl);
    fx_first_tick(&ch, &c);
    CHECK(fx_pitch(&ch) == 64 * 49);
    static const int want[6] = {0, 3, 7, 0, 3, 7};
    for (int t = 1; t < 6; t++) {
        fx_other_tick(&ch, t, 6);
        CHECK(fx_pitch(&ch) == 64 * (49 + want[t]));
    }

    Cell v = cell('4', 0x8F);
    fx_row(&ch, 0, &v, &ctl);
    fx_first_tick(&ch, &v);
    int offs[5];
    for (int t = 1; t < 6; t++) {
        fx_other_tick(&ch, t, 6);
        offs[t - 1] = ch.vib_off;
    }
    /* positions 0, 8, 16, 24, 32: sine 0, 180, 255, 180, 0 times 15/32 */
    CHECK(offs[0] == 0 && offs[1] == 180 * 15 / 32 && offs[2] == 255 * 15 / 32);
    CHECK(offs[3] == 180 * 15 / 32 && offs[4] == 0);
    fx_other_tick(&ch, 6, 6); /* position 40: the negative half */
    CHECK(ch.vib_off == -(180 * 15 / 32));

    Cell cut = cell('E', 0xC2);
    ch.volume = 50;
    fx_row(&ch, 0, &cut, &ctl);
    fx_first_tick(&ch, &cut);
    fx_other_tick(&ch, 1, 6);
    CHECK(ch.volume == 50);
    fx_other_tick(&ch, 2, 6);
    CHECK(ch.volume == 0);
}

static void retriggers_count_ticks(void)
{
    FxChannel ch;
    fx_channel_reset(&ch);
    CHECK(play_row(&ch, cell('E', 0x92), 6, NULL) == 2); /* ticks 2, 4 */
    CHECK(play_row(&ch, cell('E', 0x90), 6, NULL) == 0);
    ch.volume = 64;
    CHECK(play_row(&ch, cell('R', 0x72), 7, NULL) == 3); /* counter 1..6 */
    CHECK(ch.volume == 8);                                /* halved 3 times */
    /* memories: x and y each */
    CHECK(play_row(&ch, cell('R', 0x03), 7, NULL) == 2);
    CHECK(ch.volume == 2);
    /* without R in the row the counter does not run */
    CHECK(play_row(&ch, cell('A', 0x00), 7, NULL) == 0);
}

static void song_control(void)
{
    FxChannel ch;
    fx_channel_reset(&ch);
    FxRowControl ctl;
    fx_row_control_clear(&ctl);
    play_row(&ch, cell('F', 0x00), 1, &ctl);
    CHECK(ctl.speed == -1 && ctl.bpm == -1);
    play_row(&ch, cell('F', 0x1F), 1, &ctl);
    CHECK(ctl.speed == 31);
    play_row(&ch, cell('F', 0x20), 1, &ctl);
    CHECK(ctl.bpm == 320); /* tenths */
    /* Txy beside the tempo: 137.4 BPM, on the row's first tick or on
     * tick 3; alone it does nothing. */
    Cell fine = cell('T', 0x40);
    fine.fx2 = 'F';
    fine.fx2_param = 0x89;
    fx_row_control_clear(&ctl);
    play_row(&ch, fine, 1, &ctl);
    CHECK(ctl.bpm == 1374 && ctl.later_count == 0);
    fine.fx_param = 0x43;
    fx_row_control_clear(&ctl);
    play_row(&ch, fine, 1, &ctl);
    CHECK(ctl.bpm == -1 && ctl.later_count == 1 && ctl.later[0].tick == 3 &&
          ctl.later[0].bpm == 1374);
    fx_row_control_clear(&ctl);
    play_row(&ch, cell('T', 0x43), 1, &ctl);
    CHECK(ctl.bpm == -1 && ctl.later_count == 0);
    /* Oxy: out of the mix (1) or back (0) on tick y. */
    const uint8_t out_fx[2] = {'O', 'A'}, out_param[2] = {0x12, 0x00};
    CHECK(fx_channel_out(out_fx, out_param, 2) == 1 && fx_channel_out(out_fx, out_param, 0) == -1);
    const uint8_t back_param[2] = {0x00, 0x00};
    CHECK(fx_channel_out(out_fx, back_param, 0) == 0);
    play_row(&ch, cell('D', 0x32), 1, &ctl);
    CHECK(ctl.break_row == 32);
    play_row(&ch, cell('D', 0x0A), 1, &ctl);
    CHECK(ctl.break_row == 10);
    play_row(&ch, cell('B', 0x7F), 1, &ctl);
    CHECK(ctl.pos_jump == 0x7F);

    /* E6x: start at row 5, loop twice more from row 9 */
    Cell start = cell('E', 0x60), loop = cell('E', 0x62);
    FxRowControl c1;
    fx_row_control_clear(&c1);
    fx_row(&ch, 5, &start, &c1);
    int jumps = 0;
    for (int pass = 0; pass < 4; pass++) {
        FxRowControl c2;
        fx_row_control_clear(&c2);
        fx_row(&ch, 9, &loop, &c2);
        if (c2.loop_jump == 5)
            jumps++;
        else
            break;
    }
    CHECK(jumps == 2);

    /* EDx delays the cell; song control still counts */
    Cell d = cell('E', 0xD3);
    d.fx2 = 'B';
    d.fx2_param = 4;
    FxRowControl c3;
    fx_row_control_clear(&c3);
    CHECK(fx_row(&ch, 0, &d, &c3));
    CHECK(ch.delay_tick == 3 && c3.pos_jump == 4);
    Cell plain = cell('C', 0x10);
    CHECK(!fx_row(&ch, 0, &plain, &c3));
    CHECK(ch.delay_tick == FX_NO_TICK);
}

int main(void)
{
    RUN(memories_are_per_effect);
    RUN(slides_clamp);
    RUN(tone_porta_stops_on_target);
    RUN(arpeggio_vibrato_and_cut_by_tick);
    RUN(retriggers_count_ticks);
    RUN(song_control);
    return test_finish();
}
