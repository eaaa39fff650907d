/* libaubio (onsets and tempo for slicing), opened on first use rather
 * than linked: it pulls in well over a hundred shared libraries, whose
 * loading cost every hiss process a tenth of a second of CPU, a render
 * of a short module more than the rendering. */
#ifndef HISS_AUBIOLIB_H
#define HISS_AUBIOLIB_H

#include <aubio/aubio.h>

#include "base.h"

typedef struct {
    aubio_onset_t *(*new_onset)(const char_t *method, uint_t buf, uint_t hop, uint_t rate);
    void (*del_onset)(aubio_onset_t *o);
    uint_t (*onset_set_threshold)(aubio_onset_t *o, smpl_t threshold);
    uint_t (*onset_set_minioi_ms)(aubio_onset_t *o, smpl_t ms);
    uint_t (*onset_set_silence)(aubio_onset_t *o, smpl_t silence_db);
    void (*onset_do)(aubio_onset_t *o, const fvec_t *in, fvec_t *onset);
    uint_t (*onset_get_last)(const aubio_onset_t *o);
    aubio_tempo_t *(*new_tempo)(const char_t *method, uint_t buf, uint_t hop, uint_t rate);
    void (*del_tempo)(aubio_tempo_t *t);
    void (*tempo_do)(aubio_tempo_t *t, const fvec_t *in, fvec_t *tempo);
    smpl_t (*tempo_get_bpm)(aubio_tempo_t *t);
    fvec_t *(*new_fvec)(uint_t length);
    void (*del_fvec)(fvec_t *s);
} AubioLib;

/* The library's functions, loaded once (thread-safe); an error with a
 * message when libaubio is not installed. */
HissError aubiolib_get(const AubioLib **lib, HissDiag *diag);

#endif
