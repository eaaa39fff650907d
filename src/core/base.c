#include "base.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *hiss_strerror(HissError err)
{
    switch (err) {
    case HISS_OK: return "ok";
    case HISS_ERR_NOMEM: return "out of memory";
    case HISS_ERR_IO: return "input/output error";
    case HISS_ERR_PARSE: return "syntax error";
    case HISS_ERR_RANGE: return "value out of range";
    case HISS_ERR_FORMAT: return "unsupported or broken file format";
    case HISS_ERR_MISSING: return "not found";
    case HISS_ERR_BUSY: return "busy, try again";
    case HISS_ERR_UNSUPPORTED: return "not supported";
    }
    return "unknown error";
}

/* Messages quote words and names from hostile files and end up on the
 * terminal: control bytes become \xNN so a file cannot send escape
 * sequences (retitle, clear, remap keys) through an error message. The
 * text is formatted whole first, so arguments may alias the output. */
void hiss_text_vformat(char *text, size_t size, const char *fmt, va_list ap)
{
    if (!size)
        return;
    char raw[1024];
    vsnprintf(raw, sizeof raw, fmt, ap);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)raw;
    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (o + 4 >= size)
                break;
            snprintf(text + o, 5, "\\x%02x", *p);
            o += 4;
        } else {
            if (o + 1 >= size)
                break;
            text[o++] = (char)*p;
        }
    }
    /* Cut inside a UTF-8 character: the part of it written goes too, so
     * a long name never ends in half a character. */
    if ((*p & 0xC0) == 0x80) {
        while (o > 0 && ((unsigned char)text[o - 1] & 0xC0) == 0x80)
            o--;
        if (o > 0 && (unsigned char)text[o - 1] >= 0xC0)
            o--;
    }
    text[o] = 0;
}

const char *hiss_escape_name(const char *name, char *out, size_t size)
{
    if (!size)
        return out;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool control = *p < 0x20 || *p == 0x7f;
        if (o + (control ? 4 : 1) >= size)
            break;
        if (control) {
            snprintf(out + o, 5, "\\x%02x", *p);
            o += 4;
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = 0;
    return out;
}

void hiss_text_format(char *text, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hiss_text_vformat(text, size, fmt, ap);
    va_end(ap);
}

void hiss_diag_printf(HissDiag *diag, const char *fmt, ...)
{
    if (!diag)
        return;
    va_list ap;
    va_start(ap, fmt);
    hiss_text_vformat(diag->text, sizeof diag->text, fmt, ap);
    va_end(ap);
}

void hiss_diag_set(HissDiag *diag, const char *file, int line, int col,
                   const char *fmt, ...)
{
    if (!diag)
        return;
    char msg[sizeof diag->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        hiss_diag_printf(diag, "%s:%d:%d: %s", file ? file : "<input>", line,
                         col > 0 ? col : 1, msg);
    else
        hiss_diag_printf(diag, "%s: %s", file ? file : "<input>", msg);
}

double hiss_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hiss_sleep_ms(int ms)
{
    /* clock_nanosleep, not nanosleep: the real-time tests interpose
     * nanosleep to catch it on the audio thread, and a waiting test or
     * hiss play must not look like that. */
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    clock_nanosleep(CLOCK_MONOTONIC, 0, &t, NULL);
}

bool hiss_has_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && !strcmp(s + ls - lx, suffix);
}

int hiss_hex_digit(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}
