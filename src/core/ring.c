#include "ring.h"

#include <stdlib.h>
#include <string.h>

HissError ring_init(Ring *ring, uint32_t capacity, size_t slot_size)
{
    uint32_t cap = 1;
    while (cap < capacity && cap < (1u << 30))
        cap <<= 1;
    ring->slots = calloc(cap, slot_size);
    if (!ring->slots)
        return HISS_ERR_NOMEM;
    ring->slot_size = slot_size;
    ring->mask = cap - 1;
    atomic_init(&ring->head, 0);
    atomic_init(&ring->tail, 0);
    return HISS_OK;
}

void ring_deinit(Ring *ring)
{
    free(ring->slots);
    ring->slots = NULL;
}

bool ring_push(Ring *ring, const void *msg)
{
    uint32_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head - tail > ring->mask)
        return false;
    memcpy(ring->slots + (size_t)(head & ring->mask) * ring->slot_size, msg,
           ring->slot_size);
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
    return true;
}

bool ring_pop(Ring *ring, void *msg)
{
    uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    if (head == tail)
        return false;
    memcpy(msg, ring->slots + (size_t)(tail & ring->mask) * ring->slot_size,
           ring->slot_size);
    atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
    return true;
}

uint32_t ring_count(Ring *ring)
{
    return atomic_load_explicit(&ring->head, memory_order_acquire) -
           atomic_load_explicit(&ring->tail, memory_order_acquire);
}
