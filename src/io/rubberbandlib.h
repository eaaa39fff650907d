/* librubberband, opened when a sample is first stretched rather than
 * linked (see dynlib.h): with the C++ runtime it brings, loading it cost
 * every hiss process about 2 ms. */
#ifndef HISS_RUBBERBANDLIB_H
#define HISS_RUBBERBANDLIB_H

#include <rubberband/rubberband-c.h>

#include "dynlib.h"

/* The functions hiss calls, each a member of RubberBandLib under its own
 * name. */
#define RUBBERBANDLIB_FUNCTIONS(X) \
    X(rubberband_available) \
    X(rubberband_delete) \
    X(rubberband_new) \
    X(rubberband_process) \
    X(rubberband_retrieve) \
    X(rubberband_set_expected_input_duration) \
    X(rubberband_set_key_frame_map) \
    X(rubberband_study)

typedef struct {
    RUBBERBANDLIB_FUNCTIONS(DYNLIB_MEMBER)
} RubberBandLib;

/* The library's functions: filled by rubberbandlib_load, read-only after. */
extern RubberBandLib rubberbandlib;

/* Opens the library once (thread-safe; cheap to call again), filling
 * rubberbandlib; HISS_ERR_MISSING with a message when it is not
 * installed. */
HissError rubberbandlib_load(HissDiag *diag);

#endif
