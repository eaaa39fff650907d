/* tempofollow: when a sample stretched to N beats (the editor's F) is
 * stretched again for the song's tempo.
 *
 * Only an edit of the tempo starts it (and a song the editor is given,
 * whose stretches may have been saved before they followed): once that
 * tempo has held for TEMPO_FOLLOW_SETTLE_SECONDS, each slot whose stretch
 * no longer lasts its beats is due, once for that edit (a stretch that
 * fails is not retried in a loop). Undo and redo never start one: they
 * put back the song as it was, its stretches with it, and a stretch
 * started for an undone tempo would write a file for a state the history
 * no longer leads to and wipe the redo history.
 *
 * The stretch is part of the tempo change that caused it, as a sample
 * synced to the beat in Renoise, or warped on an MPC, follows the tempo
 * with no step of its own: it joins the tempo edit's undo step
 * (edit_instrument_restretch), so one undo takes back the tempo and its
 * stretch together. A step of its own would leave, after one undo, the
 * new tempo with the old stretch: a state no one made, and one more undo
 * to reach the tempo the user meant to take back.
 *
 * The stretching itself (seconds, on a thread) is the caller's; times
 * come from the caller, so tests inject them. */
#ifndef HISS_TEMPOFOLLOW_H
#define HISS_TEMPOFOLLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "edit.h"

/* How long the tempo must stay put before stretches follow it, so a run
 * of nudges stretches once. */
#define TEMPO_FOLLOW_SETTLE_SECONDS 0.7

typedef struct {
    uint64_t seen;   /* the editor's tempo_edit last seen */
    double seen_at;  /* when it was seen first */
    int next_slot;   /* where the slots due for it are looked for next */
} TempoFollow;

/* Whether inst is a stretch that follows the tempo and no longer lasts its
 * beats at bpm_tenths (a frame off is on tempo: lengths are rounded). */
bool tempo_follow_off_tempo(const Instrument *inst, int bpm_tenths);

/* The slot (1..SONG_MAX_INSTRUMENTS) to stretch again now, or 0. Each
 * slot is due at most once for one tempo edit. */
int tempo_follow_due(TempoFollow *f, const Editor *ed, double now);

/* Whether a stretch begun for tempo edit `edit` at bpm_tenths may go in
 * now: that edit set the tempo the song has (no undo, redo or other tempo
 * edit since), and there is no redo history it would wipe. Otherwise the
 * result is stale: dropped (another tempo edit makes the slot due again). */
bool tempo_follow_current(const Editor *ed, uint64_t edit, int bpm_tenths);

/* The stretch for `slot` could not go in because the slot changed while
 * it ran: the slot is due again for the same edit. */
void tempo_follow_retry(TempoFollow *f, int slot);

#endif
