/* Placeholder engine: keeps the API whole (rings, status, silence) so the
 * other layers link and run while the real engine is written. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "ring.h"

struct Engine {
    Song *song;
    uint32_t rate;
    Ring commands;
    Ring returns;
    EngineStatus status;
};

Engine *engine_new(Song *song, uint32_t rate)
{
    Engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->song = song;
    e->rate = rate;
    if (ring_init(&e->commands, 256, sizeof(EngineCommand)) ||
        ring_init(&e->returns, 256, sizeof(EngineReturn))) {
        engine_free(e);
        return NULL;
    }
    return e;
}

void engine_free(Engine *e)
{
    if (!e)
        return;
    ring_deinit(&e->commands);
    ring_deinit(&e->returns);
    free(e);
}

bool engine_send(Engine *e, const EngineCommand *cmd)
{
    return ring_push(&e->commands, cmd);
}

bool engine_take_return(Engine *e, EngineReturn *ret)
{
    return ring_pop(&e->returns, ret);
}

void engine_collect_garbage(Engine *e)
{
    EngineReturn r;
    while (engine_take_return(e, &r)) {
        if (r.type == ENGINE_RETURN_PATTERN)
            song_pattern_free(r.ptr);
        else if (r.type == ENGINE_RETURN_INSTRUMENT)
            song_instrument_free(r.ptr);
        else
            song_free(r.ptr);
    }
}

const EngineStatus *engine_status(const Engine *e)
{
    return &e->status;
}

void engine_render_channels(Engine *e, float *out, float *const *channel_out,
                            int channel_out_count, uint32_t nframes)
{
    EngineCommand cmd;
    for (int i = 0; i < ENGINE_COMMANDS_PER_PERIOD && ring_pop(&e->commands, &cmd); i++)
        ;
    memset(out, 0, sizeof(float) * 2 * nframes);
    for (int c = 0; c < channel_out_count; c++)
        if (channel_out && channel_out[c])
            memset(channel_out[c], 0, sizeof(float) * nframes);
    atomic_fetch_add(&e->status.frames_rendered, nframes);
}

void engine_render(Engine *e, float *out, uint32_t nframes)
{
    engine_render_channels(e, out, NULL, 0, nframes);
}

void engine_play_song_now(Engine *e, int order, int row, bool loop)
{
    atomic_store(&e->status.playing, true);
    atomic_store(&e->status.order, order);
    atomic_store(&e->status.row, row);
}
