#include "sinc.h"

#include <samplerate.h>

/* The opaque handle is libsamplerate's own state: no wrapper allocation. */
SincState *sinc_new(int channels, SincFeed feed, void *ctx)
{
    int err = 0;
    return (SincState *)src_callback_new(feed, SRC_SINC_FASTEST, channels, &err,
                                         ctx);
}

void sinc_free(SincState *state)
{
    if (state)
        src_delete((SRC_STATE *)state);
}

void sinc_reset(SincState *state)
{
    src_reset((SRC_STATE *)state);
}

void sinc_set_ratio(SincState *state, double ratio)
{
    src_set_ratio((SRC_STATE *)state, ratio);
}

long sinc_read(SincState *state, double ratio, long frames, float *out)
{
    return src_callback_read((SRC_STATE *)state, ratio, frames, out);
}
