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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader.h"

/* The file as its headers lay it out. */
typedef struct {
    size_t need;     /* the length its headers add up to (the file's own
                        when whole, or when the format is not one hiss sizes) */
    bool header_cut; /* a header it needs is cut: what it sized is unknown */
    /* XM cut inside a pattern's or an instrument's header: the module that
     * ends before it (keep_bytes > 0), its first keep_patterns patterns and
     * keep_instruments instruments, is what can be read. */
    size_t keep_bytes;
    unsigned keep_patterns, keep_instruments;
} ModsizeShape;

void modsize_measure(const unsigned char *data, size_t len, ModsizeShape *shape);

/* Makes a copy of the file (its first `len` bytes, zeros after them up to
 * the length measured) one libxmp reads: an XM's counts cut to what
 * keep_bytes holds, an IT's patterns whose header is cut made empty. */
void modsize_mend(unsigned char *image, size_t len, const ModsizeShape *shape);

/* Adds one "module ends early: ..." note per pattern or sample the file
 * holds only part of (or none of) to report; nothing when the file is
 * whole or its format is not one of MOD, S3M, XM, IT. Returns how many
 * notes it added. */
int modsize_report_missing(const unsigned char *data, size_t len, LoaderReport *report);

/* A sample cut short keeps what the file holds of it: the padding that
 * lets libxmp read a cut file is not the sample's, and a file of a few
 * kilobytes whose header claims megabytes would otherwise turn into that
 * much silence. kept[i] gets the whole frames the file holds of the
 * module's sample i (libxmp's numbering: MOD, S3M and XM in file order,
 * IT by sample header), or UINT32_MAX where the sample is whole or hiss
 * cannot size it; count is kept's length. */
void modsize_kept_frames(const unsigned char *data, size_t len, uint32_t *kept, size_t count);

#endif
