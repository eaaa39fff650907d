#include "shape.h"

#include <string.h>

/* The release default is the 10 ms fade that === always had, so a song
 * that never mentions the envelope sounds as it did. */
static const ShapeInfo SHAPE_TABLE[SHAPE_COUNT] = {
    [SHAPE_ATTACK] = {"attack", "Attack", "ms", 0, 10000, 0},
    [SHAPE_HOLD] = {"hold", "Hold", "ms", 0, 10000, 0},
    [SHAPE_DECAY] = {"decay", "Decay", "ms", 0, 20000, 0},
    [SHAPE_SUSTAIN] = {"sustain", "Sustain", "%", 0, 100, 100},
    [SHAPE_RELEASE] = {"release", "Release", "ms", 0, 20000, 10},
    [SHAPE_PITCH] = {"pitch_env", "Pitch env", "st", -48, 48, 0},
    [SHAPE_PITCH_DECAY] = {"pitch_decay", "Pitch decay", "ms", 0, 10000, 0},
};

const ShapeInfo *shape_info(ShapeParam param)
{
    return (unsigned)param < SHAPE_COUNT ? &SHAPE_TABLE[param] : NULL;
}

ShapeParam shape_find(const char *key, unsigned long n)
{
    for (int i = 0; i < SHAPE_COUNT; i++)
        if (strlen(SHAPE_TABLE[i].key) == n && !memcmp(SHAPE_TABLE[i].key, key, n))
            return (ShapeParam)i;
    return SHAPE_COUNT;
}

bool shape_is_default(const int values[SHAPE_COUNT])
{
    for (int i = 0; i < SHAPE_COUNT; i++)
        if (values[i] != SHAPE_TABLE[i].def)
            return false;
    return true;
}

void shape_defaults(int values[SHAPE_COUNT])
{
    for (int i = 0; i < SHAPE_COUNT; i++)
        values[i] = SHAPE_TABLE[i].def;
}
