/* clockfeed: see clockfeed.h. */
#include "clockfeed.h"

#include <stdlib.h>

#include "midi.h"

Engine *clockfeed_follow(Song *song, ClockFeed *f)
{
    Engine *e = engine_new(song, CLOCKFEED_RATE);
    MidiRoute r;
    if (!e || midi_route_init(&r) != HISS_OK)
        return e;
    atomic_store(&r.follow_clock, f->clock);
    atomic_store(&r.follow_transport, f->transport);
    float out[2 * CLOCKFEED_PERIOD], scratch[2 * CLOCKFEED_PERIOD];
    double fpp = 60.0 * CLOCKFEED_RATE / (f->bpm * 24), next = CLOCKFEED_FIRST;
    uint64_t own_last = 0, master_last = 0;
    f->worst = 0;
    f->own_count = 0;
    f->tempo_count = 0;
    uint64_t frames = (uint64_t)(f->seconds * CLOCKFEED_RATE), end_check = frames - CLOCKFEED_RATE;
    int64_t own_k = -1, master_k = -1;
    uint32_t seed = 1;
    double late = 0.0; /* the next pulse's jitter */
    for (uint64_t at = 0; at < frames; at += CLOCKFEED_PERIOD) {
        if (at <= 1000 && at + CLOCKFEED_PERIOD > 1000) {
            if (f->before_size)
                midi_route_system(&r, e, f->before, f->before_size, 1000 - (uint32_t)at, 1000);
            midi_route_system(&r, e, (const uint8_t[]){f->before_size ? 0xFB : 0xFA}, 1,
                              1000 - (uint32_t)at, 1000);
        }
        while (next + late < (double)(at + CLOCKFEED_PERIOD)) {
            double sent = next + late < (double)at ? (double)at : next + late;
            uint32_t frame = (uint32_t)sent;
            if (f->during_size && master_k + 1 == f->during_pulse)
                midi_route_system(&r, e, f->during, f->during_size, frame - (uint32_t)at, frame);
            if (master_k + 1 < f->silent_from || master_k + 1 >= f->silent_from + f->silent_pulses)
                midi_route_system(&r, e, (const uint8_t[]){0xF8}, 1, frame - (uint32_t)at,
                                  frame);
            master_k++;
            master_last = (uint64_t)next;
            next += fpp;
            seed = seed * 1664525u + 1013904223u;
            late = f->jitter ? ((double)(seed >> 8 & 0xFFFF) / 65535.0 * 2.0 - 1.0) * f->jitter
                             : 0.0;
        }
        float *stems[ENGINE_STEMS] = {0};
        if (f->delay)
            stems[ENGINE_STEM_DELAY] =
                at + CLOCKFEED_PERIOD <= frames ? f->delay + 2 * at : scratch;
        engine_render_stems(e, out, NULL, 0, stems, ENGINE_STEMS, CLOCKFEED_PERIOD);
        if (f->shown && f->tempo_count < f->tempo_cap) {
            f->shown[f->tempo_count] = atomic_load(&engine_status(e)->bpm_shown_tenths);
            f->tempo[f->tempo_count++] = atomic_load(&engine_status(e)->bpm_tenths);
        }
        const ClockEvent *ev;
        int count = engine_clock_out(e, &ev);
        for (int i = 0; i < count; i++)
            if (ev[i].status == CLOCK_MSG_PULSE) {
                own_k++;
                own_last = at + ev[i].frame;
                if (f->own && f->own_count < f->own_cap)
                    f->own[f->own_count++] = own_last;
                if (at > end_check && own_k == master_k) {
                    int64_t d = (int64_t)own_last - (int64_t)master_last;
                    if (llabs(d) > llabs(f->worst))
                        f->worst = d;
                }
            }
    }
    midi_route_deinit(&r);
    return e;
}

