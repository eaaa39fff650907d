/* base: error codes, version and small helpers shared by every layer.
 * Pure C11: no library headers beyond the standard ones. */
#ifndef HISS_BASE_H
#define HISS_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HISS_VERSION "0.1.0"

/* Functions that can fail return one of these (0 = ok). */
typedef enum {
    HISS_OK = 0,
    HISS_ERR_NOMEM,
    HISS_ERR_IO,
    HISS_ERR_PARSE,
    HISS_ERR_RANGE,
    HISS_ERR_FORMAT,
    HISS_ERR_MISSING,
    HISS_ERR_BUSY,
    HISS_ERR_UNSUPPORTED,
} HissError;

const char *hiss_strerror(HissError err);

/* A message with position, filled by parsers and loaders for the user:
 * "file:line:col: message" for text, "file: message" for binary files. */
typedef struct {
    char text[512];
} HissDiag;

void hiss_diag_set(HissDiag *diag, const char *file, int line, int col,
                   const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A message about no file in particular (a device, a conversion). */
void hiss_diag_printf(HissDiag *diag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The one formatter behind every message for the user: vsnprintf into
 * text, with control bytes written as \xNN (see base.c). The arguments may
 * point into text itself. */
void hiss_text_vformat(char *text, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void hiss_text_format(char *text, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A file name (or any text) as it may be printed: control bytes as \xNN,
 * like the formatter above, but for names longer than a message. Returns
 * out. */
const char *hiss_escape_name(const char *name, char *out, size_t size);

/* Seconds on the monotonic clock: for intervals, never for dates. */
double hiss_now_seconds(void);
/* Sleeps ms milliseconds on that clock (off the audio thread only). */
void hiss_sleep_ms(int ms);

/* Whether s ends with suffix ("song.hiss", ".hiss"). */
bool hiss_has_suffix(const char *s, const char *suffix);

/* The value of one hex digit (either case), or -1. */
int hiss_hex_digit(int ch);

#define HISS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline int hiss_clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

#endif
