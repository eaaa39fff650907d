/* dynlib: a shared library opened when first needed rather than linked.
 * Every library linked into hiss is mapped and relocated at every start,
 * also by the commands that never use it (a render does not play through
 * JACK nor stretch): the audio and stretch libraries are opened here
 * instead, by the module that wraps each (jacklib, alsalib, rubberbandlib,
 * aubiolib).
 *
 * Each wrapper lists the functions hiss calls as an X-macro,
 * X(function_name), and keeps them in a struct of pointers of the
 * functions' own types (from the library's header), so a call through the
 * struct is checked as a direct call would be. */
#ifndef HISS_DYNLIB_H
#define HISS_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "base.h"

/* One member of a wrapper's struct: a pointer of the function's type. */
#define DYNLIB_MEMBER(name) __typeof__(name) *name;

typedef struct {
    void *slot; /* where the function's address goes */
    const char *symbol;
} DynlibSymbol;

/* A library to open: its name for messages, the file names to try and
 * the functions to find; then the outcome of the one try (DYNLIB_LIBRARY
 * fills it in). */
typedef struct {
    const char *label;
    const char *const *names; /* NULL-terminated */
    const DynlibSymbol *symbols;
    size_t symbol_count;
    pthread_mutex_t lock;
    bool tried, found;
    char why[200];
} DynlibLibrary;
/* DYNLIB_LIBRARY("libjack", symbols, "libjack.so.0", "libjack.so"),
 * where symbols is the wrapper's static DynlibSymbol array. */
#define DYNLIB_LIBRARY(label_, symbols_, ...) \
    { \
        .label = (label_), .names = (const char *const[]){__VA_ARGS__, NULL}, \
        .symbols = (symbols_), .symbol_count = sizeof(symbols_) / sizeof((symbols_)[0]), \
        .lock = PTHREAD_MUTEX_INITIALIZER \
    }

/* Opens the library the first time (thread-safe; cheap to call again)
 * and fills every symbol's slot; HISS_ERR_MISSING with the reason in diag
 * when it is missing or lacks a function. The library joins the
 * process's global scope and each function is looked up there, as for a
 * linked library: a definition in the executable (a test standing in for
 * a library function) still wins. It stays open for the process. */
HissError dynlib_load(DynlibLibrary *lib, HissDiag *diag);

#endif
