#include "aubiolib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static AubioLib loaded;
static bool found;
static char why[200];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    static const char *const NAMES[] = {"libaubio.so.5", "libaubio.so"};
    void *h = NULL;
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0] && !h; i++)
        h = dlopen(NAMES[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, sizeof why, "libaubio could not be loaded (%s)", e ? e : "not found");
        return;
    }
    struct {
        void *slot;
        const char *symbol;
    } table[] = {
        {&loaded.new_onset, "new_aubio_onset"},
        {&loaded.del_onset, "del_aubio_onset"},
        {&loaded.onset_set_threshold, "aubio_onset_set_threshold"},
        {&loaded.onset_set_minioi_ms, "aubio_onset_set_minioi_ms"},
        {&loaded.onset_set_silence, "aubio_onset_set_silence"},
        {&loaded.onset_do, "aubio_onset_do"},
        {&loaded.onset_get_last, "aubio_onset_get_last"},
        {&loaded.new_tempo, "new_aubio_tempo"},
        {&loaded.del_tempo, "del_aubio_tempo"},
        {&loaded.tempo_do, "aubio_tempo_do"},
        {&loaded.tempo_get_bpm, "aubio_tempo_get_bpm"},
        {&loaded.new_fvec, "new_fvec"},
        {&loaded.del_fvec, "del_fvec"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        void *f = dlsym(h, table[i].symbol);
        if (!f) {
            snprintf(why, sizeof why, "libaubio has no %s", table[i].symbol);
            dlclose(h);
            return;
        }
        /* POSIX: a function's address from dlsym converts this way. */
        memcpy(table[i].slot, &f, sizeof f);
    }
    found = true; /* the library stays open for the process */
}

HissError aubiolib_get(const AubioLib **lib, HissDiag *diag)
{
    pthread_once(&once, load);
    if (!found) {
        hiss_diag_printf(diag, "%s", why);
        *lib = NULL;
        return HISS_ERR_MISSING;
    }
    *lib = &loaded;
    return HISS_OK;
}
