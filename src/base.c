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
}
