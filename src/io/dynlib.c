#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The one try: found, or why not. */
static void open_library(DynlibLibrary *lib)
{
    void *handle = NULL;
    for (size_t i = 0; lib->names[i] && !handle; i++)
        handle = dlopen(lib->names[i], RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
        const char *e = dlerror();
        snprintf(lib->why, sizeof lib->why, "%s could not be loaded (%s)", lib->label,
                 e ? e : "not found");
        return;
    }
    /* The program's handle searches the executable, then what it linked,
     * then the RTLD_GLOBAL libraries: a linked library's order. */
    void *scope = dlopen(NULL, RTLD_NOW);
    bool complete = true;
    for (size_t i = 0; i < lib->symbol_count && complete; i++) {
        void *f = scope ? dlsym(scope, lib->symbols[i].symbol) : NULL;
        if (!f)
            f = dlsym(handle, lib->symbols[i].symbol);
        if (!f) {
            snprintf(lib->why, sizeof lib->why, "%s has no %s", lib->label,
                     lib->symbols[i].symbol);
            complete = false;
        } else {
            /* POSIX: a function's address from dlsym converts this way. */
            memcpy(lib->symbols[i].slot, &f, sizeof f);
        }
    }
    if (scope)
        dlclose(scope);
    if (!complete)
        dlclose(handle);
    lib->found = complete;
}

HissError dynlib_load(DynlibLibrary *lib, HissDiag *diag)
{
    pthread_mutex_lock(&lib->lock);
    if (!lib->tried)
        open_library(lib);
    lib->tried = true;
    bool found = lib->found;
    if (!found)
        hiss_diag_printf(diag, "%s", lib->why);
    pthread_mutex_unlock(&lib->lock);
    return found ? HISS_OK : HISS_ERR_MISSING;
}
