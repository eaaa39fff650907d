#include "tempofollow.h"

#include <math.h>
#include <stdatomic.h>

bool tempo_follow_off_tempo(const Instrument *inst, int bpm_tenths)
{
    if (!inst || inst->stretch_beats < 1 || !inst->sample || !inst->stretch_from[0] ||
        bpm_tenths < 1)
        return false;
    double want = inst->stretch_beats * 600.0 / bpm_tenths * inst->sample->rate;
    return fabs(want - inst->sample->frames) > 1.0;
}

int tempo_follow_due(TempoFollow *f, const Editor *ed, double now)
{
    if (ed->tempo_edit != f->seen) {
        f->seen = ed->tempo_edit;
        f->seen_at = now;
        f->next_slot = 1;
        return 0;
    }
    if (!f->seen || now - f->seen_at < TEMPO_FOLLOW_SETTLE_SECONDS || !ed->song)
        return 0;
    int bpm = atomic_load(&ed->song->bpm_tenths);
    for (; f->next_slot <= SONG_MAX_INSTRUMENTS; f->next_slot++)
        if (tempo_follow_off_tempo(song_instrument(ed->song, f->next_slot), bpm))
            return f->next_slot++;
    return 0;
}

bool tempo_follow_current(const Editor *ed, uint64_t edit, int bpm_tenths)
{
    return edit && ed->tempo_edit == edit && ed->song &&
           atomic_load(&ed->song->bpm_tenths) == bpm_tenths && !edit_can_redo(ed);
}

void tempo_follow_retry(TempoFollow *f, int slot)
{
    if (slot >= 1 && slot < f->next_slot)
        f->next_slot = slot;
}
