/* fpmode: the floating-point mode the engine renders in. A decaying
 * state (a resonant filter's ring after its input stops, a reverb's or a
 * delay's tail) falls through the denormal range on its way to zero, and
 * on most CPUs an operation on a denormal costs ten to a hundred times a
 * normal one: a voice gone quiet would cost more than a loud one, and a
 * period could overrun for no sound at all. So a render sets the CPU to
 * flush denormal results to zero and to read denormal inputs as zero,
 * and gives the thread its own mode back when it returns. It is set on
 * every render, not once per thread, because the threads that render are
 * not all hiss's own (JACK calls back on a thread of its own making) and
 * the mode is each thread's. The change only reaches values below 1.2e-38
 * (-758 dBFS): nothing anyone hears.
 *
 * x86 (SSE: MXCSR's FTZ and DAZ) and 64-bit ARM (FPCR's FZ); elsewhere
 * nothing changes. Real time: two register moves each way. */
#ifndef HISS_FPMODE_H
#define HISS_FPMODE_H

#include <stdint.h>

#if defined(__SSE2__) || defined(__x86_64__)
#include <xmmintrin.h>
#define FPMODE_FLUSH_BITS 0x8040u /* FTZ (bit 15) and DAZ (bit 6) */
#endif

typedef struct {
    uint64_t saved; /* the mode the thread had */
} FpMode;

/* Sets flush-to-zero on this thread; returns the mode it had. */
static inline FpMode fpmode_flush_begin(void)
{
    FpMode was = {0};
#if defined(__SSE2__) || defined(__x86_64__)
    unsigned csr = _mm_getcsr();
    was.saved = csr;
    if ((csr & FPMODE_FLUSH_BITS) != FPMODE_FLUSH_BITS)
        _mm_setcsr(csr | FPMODE_FLUSH_BITS);
#elif defined(__aarch64__)
    uint64_t fpcr;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    was.saved = fpcr;
    if (!(fpcr & (1u << 24)))
        __asm__ __volatile__("msr fpcr, %0" ::"r"(fpcr | (1u << 24)));
#endif
    return was;
}

/* Gives this thread back the mode fpmode_flush_begin found. */
static inline void fpmode_restore(FpMode was)
{
#if defined(__SSE2__) || defined(__x86_64__)
    if (_mm_getcsr() != (unsigned)was.saved)
        _mm_setcsr((unsigned)was.saved);
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" ::"r"(was.saved));
#else
    (void)was;
#endif
}

#endif
