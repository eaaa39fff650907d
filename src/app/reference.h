/* reference: the song's reference track for A/B listening. A file of any
 * format libsndfile reads is loaded whole at its own rate, its integrated
 * loudness measured (EBU R 128, libebur128); the mix's is measured by
 * rendering the song once offline, from its start to its end (or to where
 * it starts to repeat, at most REFERENCE_MIX_SECONDS). The reference is
 * then played turned by the difference, so switching compares the two at
 * the same loudness. UI thread only, but for the job's thread below. */
#ifndef HISS_REFERENCE_H
#define HISS_REFERENCE_H

#include <stdint.h>

#include "base.h"
#include "sample.h"
#include "song.h"

enum {
    REFERENCE_MIX_SECONDS = 600,
    REFERENCE_MATCH_MAX_CENTI_DB = 4000, /* the match goes no further */
};

typedef struct {
    Sample *sample;      /* NULL: none */
    double lufs;         /* its integrated loudness; -HUGE_VAL: silence */
    double mix_lufs;     /* the mix's, as last measured */
    int match_centi_db;  /* the reference's gain: mix - reference, in
                            hundredths of a dB (0 when either is silent) */
} Reference;

/* Loads the file at `path` (as given, already resolved) and measures
 * it; *r (zeroed or deinited) is only changed on success. */
HissError reference_load(Reference *r, const char *path, HissDiag *diag);
/* Renders `song` offline at `rate` and measures its loudness: the match
 * follows. The song is only read. */
HissError reference_measure_mix(Reference *r, Song *song, uint32_t rate);
/* The mix's loudness as measured elsewhere: the match follows. */
void reference_set_mix_lufs(Reference *r, double mix_lufs);

/* The same measure on a thread of its own, for an editor that must keep
 * drawing: a long song takes seconds. The job owns `song` (a copy, see
 * song_clone) from the start, whatever it returns. */
typedef struct ReferenceJob ReferenceJob;
HissError reference_job_start(ReferenceJob **out, Song *song, uint32_t rate);
/* Whether it has ended; *percent (may be NULL): how far it got. */
bool reference_job_done(const ReferenceJob *j, int *percent);
/* Waits for it to end (at once when done), frees it and gives *r the
 * figure it measured, unless it failed. */
HissError reference_job_finish(ReferenceJob *j, Reference *r);
/* Stops it within a block of rendering and frees it; NULL is fine. */
void reference_job_cancel(ReferenceJob *j);
void reference_deinit(Reference *r);
/* "-3.2 dB" style text of the match, for screens. */
void reference_match_text(const Reference *r, char *out, size_t size);

#endif
