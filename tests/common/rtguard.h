/* rtguard: catches real-time rule breaks (allocation, locks, blocking I/O,
 * sleeps) on a thread while it runs audio code, in tests.
 *
 * How it works. A test binary that wants the guard expands
 * RTGUARD_DEFINE_INTERPOSERS() once, at file scope, in its own .c file. That
 * defines malloc, calloc, realloc, free, posix_memalign, aligned_alloc,
 * pthread_mutex_lock, read, write and nanosleep in the executable itself; the dynamic linker resolves every
 * call to those names, from any library (libc, libsamplerate, ...), to the
 * executable's definitions first. Each definition asks rtguard.c whether
 * the calling thread is inside an armed region (a thread-local flag set by
 * rtguard_begin and cleared by rtguard_end); if so it counts a violation
 * and remembers the function name. Then it forwards the call to the real
 * function, found with dlsym(RTLD_NEXT, name), so the program behaves as
 * before. Under ASan the "next" malloc is ASan's, so the sanitizer still
 * sees every allocation.
 *
 * dlsym may itself allocate the first time it runs. While the real
 * allocator is being looked up, allocations are served from a small static
 * arena; free() ignores pointers into it and realloc() moves them out.
 *
 * The interposers live in a macro, not in rtguard.c, because every object
 * in tests/common is linked into every test binary and only the binaries
 * that ask for the guard should replace malloc.
 *
 * Usage (e.g. around a JACK process callback in a backend test):
 *
 *     #include "common/rtguard.h"
 *     RTGUARD_DEFINE_INTERPOSERS()
 *     ...
 *     rtguard_begin();            on the audio thread
 *     engine_render(engine, buf, n);
 *     rtguard_end();
 *     ...
 *     CHECK(rtguard_violations() == 0);   rtguard_last() names the call
 *
 * rtguard_interposed() says whether the interposers are in effect (false
 * when the macro was not expanded), so a test can prove it can fail. */
#ifndef HISS_RTGUARD_H
#define HISS_RTGUARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

void rtguard_begin(void);
void rtguard_end(void);
/* The two above as an audio period hook (audio_set_period_hook): every
 * period of a backend is guarded. */
void rtguard_period_hook(void *ctx, bool entering);
unsigned long rtguard_violations(void);
const char *rtguard_last(void); /* "" when none */
void rtguard_reset(void);
bool rtguard_interposed(void);

/* Called by the interposers; not for direct use. */
void *rtguard_malloc_(size_t n);
void *rtguard_calloc_(size_t n, size_t size);
void *rtguard_realloc_(void *p, size_t n);
void rtguard_free_(void *p);
int rtguard_posix_memalign_(void **p, size_t align, size_t n);
void *rtguard_aligned_alloc_(size_t align, size_t n);
int rtguard_mutex_lock_(pthread_mutex_t *m);
ssize_t rtguard_read_(int fd, void *buf, size_t n);
ssize_t rtguard_write_(int fd, const void *buf, size_t n);
int rtguard_nanosleep_(const struct timespec *req, struct timespec *rem);

#define RTGUARD_DEFINE_INTERPOSERS()                                          \
    void *malloc(size_t n) { return rtguard_malloc_(n); }                    \
    void *calloc(size_t n, size_t size) { return rtguard_calloc_(n, size); } \
    void *realloc(void *p, size_t n) { return rtguard_realloc_(p, n); }      \
    void free(void *p) { rtguard_free_(p); }                                 \
    int posix_memalign(void **p, size_t align, size_t n)                     \
    {                                                                        \
        return rtguard_posix_memalign_(p, align, n);                         \
    }                                                                        \
    void *aligned_alloc(size_t align, size_t n)                              \
    {                                                                        \
        return rtguard_aligned_alloc_(align, n);                             \
    }                                                                        \
    int pthread_mutex_lock(pthread_mutex_t *m) { return rtguard_mutex_lock_(m); } \
    ssize_t read(int fd, void *buf, size_t n) { return rtguard_read_(fd, buf, n); } \
    ssize_t write(int fd, const void *buf, size_t n)                         \
    {                                                                        \
        return rtguard_write_(fd, buf, n);                                   \
    }                                                                        \
    int nanosleep(const struct timespec *req, struct timespec *rem)          \
    {                                                                        \
        return rtguard_nanosleep_(req, rem);                                 \
    }

#endif
