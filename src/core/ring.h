/* ring: a single-producer/single-consumer queue of fixed-size messages.
 *
 * Lock-free and allocation-free after ring_init: the producer owns `head`,
 * the consumer owns `tail`; each publishes with release and reads the
 * other's index with acquire. Writes are all-or-nothing. Capacity is a power
 * of two so indices wrap with a mask. */
#ifndef HISS_RING_H
#define HISS_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

typedef struct {
    unsigned char *slots;
    size_t slot_size;
    uint32_t mask;
    _Atomic uint32_t head; /* next slot the producer writes */
    _Atomic uint32_t tail; /* next slot the consumer reads */
} Ring;

/* capacity is rounded up to a power of two. */
HissError ring_init(Ring *ring, uint32_t capacity, size_t slot_size);
void ring_deinit(Ring *ring);

bool ring_push(Ring *ring, const void *msg);   /* false when full */
bool ring_pop(Ring *ring, void *msg);          /* false when empty */
uint32_t ring_count(Ring *ring);

#endif
