/* modsize: what a module file cut short has lost.
 *
 * libxmp reads a truncated module when its headers are whole: sample data
 * past the end comes back as silence or not at all, a pattern cut short as
 * empty rows, with nothing said. This walks the format's own headers (the
 * offsets and sizes they give for every pattern and sample) and compares
 * them with the file's length, so the import report can say what the
 * missing bytes held. It only measures: the conversion itself reads
 * nothing but libxmp's module. */
#ifndef HISS_MODSIZE_H
#define HISS_MODSIZE_H

#include <stddef.h>

#include "loader.h"

/* Adds one "module ends early: ..." note per pattern or sample the file
 * holds only part of (or none of) to report; nothing when the file is
 * whole or its format is not one of MOD, S3M, XM, IT. Returns how many
 * notes it added. */
int modsize_report_missing(const unsigned char *data, size_t len, LoaderReport *report);

#endif
