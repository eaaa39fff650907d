#include "base.h"

#include <stdarg.h>
#include <stdio.h>

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
 * sequences (retitle, clear, remap keys) through an error message. */
static void escape_controls(char *text, size_t size)
{
    char out[sizeof ((HissDiag *)0)->text];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (o + 4 >= sizeof out)
                break;
            snprintf(out + o, 5, "\\x%02x", *p);
            o += 4;
        } else {
            if (o + 1 >= sizeof out)
                break;
            out[o++] = (char)*p;
        }
    }
    out[o] = 0;
    snprintf(text, size, "%s", out);
}

void hiss_diag_set(HissDiag *diag, const char *file, int line, int col,
                   const char *fmt, ...)
{
    if (!diag)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(diag->text, sizeof diag->text, "%s:%d:%d: %s",
                 file ? file : "<input>", line, col > 0 ? col : 1, msg);
    else
        snprintf(diag->text, sizeof diag->text, "%s: %s",
                 file ? file : "<input>", msg);
    escape_controls(diag->text, sizeof diag->text);
}
