/* sim_evset: the pending-event set under sim_engine: a priority queue of
 * events keyed by (time, seq), seq being a strictly increasing insertion
 * number, so ties pop first-in first-out. Supports cancellation by handle.
 * Built for 1 to 10^7 pending events: a ladder queue (O(1) amortised push
 * and pop) with lazy cancellation; docs/engine.md says which structure and
 * why. Not thread-safe: one set belongs to one sim_ctx. */
#ifndef SIM_EVSET_H
#define SIM_EVSET_H

#include <stdint.h>
#include <stddef.h>
#include <glib.h>
#include "sim/sim_time.h"

typedef struct sim_evset sim_evset;

/* An event as popped. fn, data and arg are opaque to the set. */
typedef struct sim_evset_item {
    sim_time time;   /* key, part 1 */
    uint64_t seq;    /* key, part 2: insertion order, unique */
    void    *fn;     /* payload */
    void    *data;   /* payload */
    uint64_t arg;    /* payload */
} sim_evset_item;

/* Caller owns; free with sim_evset_free. */
sim_evset *sim_evset_new(void);
void       sim_evset_free(sim_evset *s);           /* NULL is a no-op */

/* Inserts an event with a fresh seq; returns its handle (never 0).
 * `time` must be >= 0 and >= the time of the last popped event. Handles of
 * events that ran or were cancelled are recognised as such until their
 * slot has been reused 2^31 times. */
uint64_t   sim_evset_push(sim_evset *s, sim_time time, void *fn, void *data, uint64_t arg);
/* Removes the earliest event into *out. FALSE if empty. */
gboolean   sim_evset_pop(sim_evset *s, sim_evset_item *out);
/* Same, only if the earliest event's time is <= `end`. */
gboolean   sim_evset_pop_until(sim_evset *s, sim_time end, sim_evset_item *out);
/* Time of the earliest event, or SIM_TIME_MAX if empty. */
sim_time   sim_evset_peek_time(sim_evset *s);
/* TRUE if the handle was pending and is now removed. */
gboolean   sim_evset_cancel(sim_evset *s, uint64_t handle);
/* Moves a pending event to `time` (same payload, a fresh seq, so it goes
 * after events already at `time`). Returns its new handle, or 0 if `handle`
 * was not pending (the old handle is no longer pending either way). */
uint64_t   sim_evset_reschedule(sim_evset *s, uint64_t handle, sim_time time);
gboolean   sim_evset_contains(const sim_evset *s, uint64_t handle);
size_t     sim_evset_size(const sim_evset *s);
/* Entries held, pending or cancelled but not yet reclaimed (cancellation is
 * lazy): never more than 2 * size + SIM_EVSET_DEAD_SLACK. */
size_t     sim_evset_held(const sim_evset *s);
#define SIM_EVSET_DEAD_SLACK 1024
/* The next seq push will assign (for reference checkers). */
uint64_t   sim_evset_next_seq(const sim_evset *s);

#endif
