/* The guard's bookkeeping and the way to the real functions; see rtguard.h.
 * Nothing here may allocate, lock or print: it runs inside malloc. */
#define _GNU_SOURCE
#include "rtguard.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

typedef void *(*MallocFn)(size_t);
typedef void *(*CallocFn)(size_t, size_t);
typedef void *(*ReallocFn)(void *, size_t);
typedef void (*FreeFn)(void *);
typedef int (*MemalignFn)(void **, size_t, size_t);
typedef void *(*AlignedAllocFn)(size_t, size_t);
typedef int (*MutexLockFn)(pthread_mutex_t *);
typedef ssize_t (*ReadFn)(int, void *, size_t);
typedef ssize_t (*WriteFn)(int, const void *, size_t);
typedef int (*NanosleepFn)(const struct timespec *, struct timespec *);

static _Thread_local int armed;
static atomic_ulong violations;
static const char *_Atomic last_name = "";
static atomic_bool interposed;

static MallocFn real_malloc;
static CallocFn real_calloc;
static ReallocFn real_realloc;
static FreeFn real_free;
static MemalignFn real_posix_memalign;
static AlignedAllocFn real_aligned_alloc;
static MutexLockFn real_mutex_lock;
static ReadFn real_read;
static WriteFn real_write;
static NanosleepFn real_nanosleep;
static _Thread_local int resolving;

/* Serves allocations made while dlsym finds the real allocator. */
static _Alignas(16) unsigned char boot_arena[64 * 1024];
static atomic_size_t boot_used;

static void *boot_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    size_t at = atomic_fetch_add(&boot_used, n);
    return at + n <= sizeof boot_arena ? boot_arena + at : NULL;
}

static bool in_boot(const void *p)
{
    return (const unsigned char *)p >= boot_arena &&
           (const unsigned char *)p < boot_arena + sizeof boot_arena;
}

static void resolve_allocator(void)
{
    resolving = 1;
    FreeFn f = (FreeFn)dlsym(RTLD_NEXT, "free");
    ReallocFn r = (ReallocFn)dlsym(RTLD_NEXT, "realloc");
    CallocFn c = (CallocFn)dlsym(RTLD_NEXT, "calloc");
    MallocFn m = (MallocFn)dlsym(RTLD_NEXT, "malloc");
    real_free = f;
    real_realloc = r;
    real_calloc = c;
    real_malloc = m;
    resolving = 0;
}

/* Looks everything up before main(), so dlsym's own allocations never
 * happen inside an armed region. */
__attribute__((constructor)) static void rtguard_resolve_all(void)
{
    if (!real_malloc)
        resolve_allocator();
    real_posix_memalign = (MemalignFn)dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (AlignedAllocFn)dlsym(RTLD_NEXT, "aligned_alloc");
    real_mutex_lock = (MutexLockFn)dlsym(RTLD_NEXT, "pthread_mutex_lock");
    real_read = (ReadFn)dlsym(RTLD_NEXT, "read");
    real_write = (WriteFn)dlsym(RTLD_NEXT, "write");
    real_nanosleep = (NanosleepFn)dlsym(RTLD_NEXT, "nanosleep");
}

static void note(const char *name)
{
    atomic_store_explicit(&interposed, true, memory_order_relaxed);
    if (armed) {
        atomic_fetch_add(&violations, 1);
        atomic_store(&last_name, name);
    }
}

void rtguard_begin(void) { armed = 1; }
void rtguard_end(void) { armed = 0; }

void rtguard_period_hook(void *ctx, bool entering)
{
    (void)ctx;
    if (entering)
        rtguard_begin();
    else
        rtguard_end();
}
unsigned long rtguard_violations(void) { return atomic_load(&violations); }
const char *rtguard_last(void) { return atomic_load(&last_name); }

void rtguard_reset(void)
{
    atomic_store(&violations, 0);
    atomic_store(&last_name, "");
}

bool rtguard_interposed(void)
{
    return atomic_load(&interposed);
}

void *rtguard_malloc_(size_t n)
{
    note("malloc");
    if (!real_malloc) {
        if (resolving)
            return boot_alloc(n);
        resolve_allocator();
    }
    return real_malloc(n);
}

void *rtguard_calloc_(size_t n, size_t size)
{
    note("calloc");
    if (!real_calloc) {
        if (resolving)
            return size && n > SIZE_MAX / size ? NULL : boot_alloc(n * size);
        resolve_allocator();
    }
    return real_calloc(n, size);
}

void *rtguard_realloc_(void *p, size_t n)
{
    note("realloc");
    if (!real_realloc) {
        if (resolving)
            return NULL;
        resolve_allocator();
    }
    if (p && in_boot(p)) {
        void *q = real_malloc(n);
        size_t room = (size_t)(boot_arena + sizeof boot_arena - (unsigned char *)p);
        if (q)
            memcpy(q, p, n < room ? n : room);
        return q;
    }
    return real_realloc(p, n);
}

void rtguard_free_(void *p)
{
    note("free");
    if (!p || in_boot(p))
        return;
    if (!real_free)
        resolve_allocator();
    real_free(p);
}

int rtguard_posix_memalign_(void **p, size_t align, size_t n)
{
    note("posix_memalign");
    if (!real_posix_memalign)
        real_posix_memalign = (MemalignFn)dlsym(RTLD_NEXT, "posix_memalign");
    return real_posix_memalign(p, align, n);
}

void *rtguard_aligned_alloc_(size_t align, size_t n)
{
    note("aligned_alloc");
    if (!real_aligned_alloc)
        real_aligned_alloc = (AlignedAllocFn)dlsym(RTLD_NEXT, "aligned_alloc");
    return real_aligned_alloc(align, n);
}

int rtguard_mutex_lock_(pthread_mutex_t *m)
{
    note("pthread_mutex_lock");
    if (!real_mutex_lock)
        real_mutex_lock = (MutexLockFn)dlsym(RTLD_NEXT, "pthread_mutex_lock");
    return real_mutex_lock(m);
}

ssize_t rtguard_read_(int fd, void *buf, size_t n)
{
    note("read");
    if (!real_read)
        real_read = (ReadFn)dlsym(RTLD_NEXT, "read");
    return real_read(fd, buf, n);
}

ssize_t rtguard_write_(int fd, const void *buf, size_t n)
{
    note("write");
    if (!real_write)
        real_write = (WriteFn)dlsym(RTLD_NEXT, "write");
    return real_write(fd, buf, n);
}

int rtguard_nanosleep_(const struct timespec *req, struct timespec *rem)
{
    note("nanosleep");
    if (!real_nanosleep)
        real_nanosleep = (NanosleepFn)dlsym(RTLD_NEXT, "nanosleep");
    return real_nanosleep(req, rem);
}
