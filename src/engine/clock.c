/* clock: MIDI clock out; see clock.h. */
#include "clock.h"

#include <string.h>

void clock_out_init(ClockOut *c)
{
    memset(c, 0, sizeof *c);
}

static void emit(ClockOut *c, uint32_t frame, uint8_t status, uint16_t position)
{
    if (c->count < CLOCK_EVENTS)
        c->ev[c->count++] = (ClockEvent){frame, status, position};
}

/* MIDI song position for `rows` rows: a sixteenth is six pulses, a
 * quarter of a beat. */
static uint16_t sixteenths_of(uint64_t rows, int rows_per_beat)
{
    uint64_t sixteenths = rows * 4 / (uint64_t)(rows_per_beat > 0 ? rows_per_beat : 1);
    return (uint16_t)(sixteenths > 16383 ? 16383 : sixteenths);
}

void clock_out_start(ClockOut *c, uint32_t frame, uint64_t rows, int rows_per_beat)
{
    uint16_t sixteenths = sixteenths_of(rows, rows_per_beat);
    if (sixteenths == 0) {
        emit(c, frame, CLOCK_MSG_START, 0);
    } else {
        emit(c, frame, CLOCK_MSG_POSITION, sixteenths);
        emit(c, frame, CLOCK_MSG_CONTINUE, 0);
    }
    emit(c, frame, CLOCK_MSG_PULSE, 0);
    c->running = true;
    c->pulses = 1;
    c->phase = 0;
    c->per = 0;
}

void clock_out_position(ClockOut *c, uint32_t frame, uint64_t rows, int rows_per_beat)
{
    /* The pulses go on as they were: with rows on the pulse grid (24 a
     * beat divides into rows_per_beat) the next falls on this frame,
     * after the position, as a follower wants it. */
    if (c->running)
        emit(c, frame, CLOCK_MSG_POSITION, sixteenths_of(rows, rows_per_beat));
}

void clock_out_stop(ClockOut *c, uint32_t frame)
{
    if (!c->running)
        return;
    c->running = false;
    emit(c, frame, CLOCK_MSG_STOP, 0);
}

void clock_out_run(ClockOut *c, uint32_t frame, uint32_t n, int bpm_tenths, int speed,
                   int rows_per_beat, uint32_t rate)
{
    if (!c->running || n == 0 || bpm_tenths <= 0 || speed <= 0 || rows_per_beat <= 0)
        return;
    /* A tick is 25 x rate / bpm_tenths frames and a beat speed x
     * rows_per_beat ticks, so a pulse is per / inc frames exactly. */
    int64_t inc = CLOCK_PULSES_PER_BEAT * (int64_t)bpm_tenths;
    uint64_t per = 25u * (uint64_t)speed * (uint64_t)rows_per_beat * rate;
    if (c->per && per != c->per) /* a new speed: the same share of a pulse */
        c->phase = (int64_t)((double)c->phase * (double)per / (double)c->per);
    c->per = per;
    int64_t phase = c->phase;
    uint32_t k = 0;
    for (int guard = 0; guard < CLOCK_EVENTS; guard++) {
        /* The frame holding the next pulse's exact time. */
        int64_t j = k + ((int64_t)per - phase) / inc;
        if (j >= n)
            break;
        emit(c, frame + (uint32_t)j, CLOCK_MSG_PULSE, 0);
        c->pulses++;
        phase += (j - k) * inc - (int64_t)per;
        k = (uint32_t)j;
    }
    c->phase = phase + (int64_t)(n - k) * inc;
}

void clock_out_end(ClockOut *c, uint32_t nframes)
{
    c->ready = 0;
    while (c->ready < c->count && c->ev[c->ready].frame < nframes)
        c->ready++;
}

void clock_out_begin(ClockOut *c, uint32_t last_nframes)
{
    int kept = 0;
    for (int i = c->ready; i < c->count; i++) {
        c->ev[kept] = c->ev[i];
        c->ev[kept].frame -= last_nframes;
        kept++;
    }
    c->count = kept;
    c->ready = 0;
}
