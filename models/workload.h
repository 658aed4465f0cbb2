/* workload (wl_): who talks to whom. Users, workspaces with heavy-tailed
 * sizes, channels and their memberships in flat arrays, each channel's
 * activity weight, and the daily curve of the send rate.
 *
 * Users are numbered workspace by workspace, so a workspace's users are one
 * contiguous id range and a channel's members lie inside it (which keeps
 * fan-out lookups in cache). Channel 0 is the first workspace's #general
 * when workload.general_channel is true. */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stdint.h>
#include <glib.h>
#include "sim/sim_rng.h"
#include "sim/sim_time.h"
#include "models/slack_config.h"

typedef struct wl_workload wl_workload;

/* Builds the population from `cfg` (borrowed during the call) with draws
 * from `rng`. Caller owns; free with wl_free. */
wl_workload *wl_new(const slack_cfg *cfg, sim_rng *rng);
void wl_free(wl_workload *w);                          /* NULL is a no-op */

uint32_t wl_users(const wl_workload *w);
uint32_t wl_workspaces(const wl_workload *w);
uint32_t wl_channels(const wl_workload *w);
uint64_t wl_memberships(const wl_workload *w);
uint32_t wl_workspace_of_channel(const wl_workload *w, uint32_t channel);
uint32_t wl_workspace_first_user(const wl_workload *w, uint32_t workspace);
uint32_t wl_workspace_size(const wl_workload *w, uint32_t workspace);
uint32_t wl_channel_size(const wl_workload *w, uint32_t channel);
uint32_t wl_channel_max_size(const wl_workload *w);
/* A #general channel's members are its workspace's id range and are not
 * stored; other channels' members are a stored list. Exactly one of
 * *first (range start) and *list is meaningful: *list is NULL for a range.
 * Borrowed until wl_free. */
void wl_channel_members(const wl_workload *w, uint32_t channel, uint32_t *first, const uint32_t **list);
uint32_t wl_channel_member(const wl_workload *w, uint32_t channel, uint32_t i);
gboolean wl_is_member(const wl_workload *w, uint32_t channel, uint32_t user);

/* A channel drawn by activity weight (size^activity_exponent, #general
 * scaled by general_activity; channels of fewer than 2 members never). */
uint32_t wl_pick_channel(const wl_workload *w, sim_rng *rng);
/* The same draw from 64 random bits `r` given in advance, so a caller can
 * wl_prefetch_draw(r) now and draw later without waiting on memory. */
uint32_t wl_pick_channel_bits(const wl_workload *w, uint64_t r);
void wl_prefetch_draw(const wl_workload *w, uint64_t r);
/* Prefetches a channel's record, or its i-th member (hints only). */
void wl_prefetch_channel(const wl_workload *w, uint32_t channel);
void wl_prefetch_member(const wl_workload *w, uint32_t channel, uint32_t i);
/* Prefetches the cache lines holding a stored channel's first n members
 * (none for a #general range); a hint, for a fan-out a few events ahead. */
void wl_prefetch_members(const wl_workload *w, uint32_t channel, uint32_t n);
/* Mean members per message, weighted by activity (what a message's fan-out
 * reads on average). */
double wl_mean_channel_size_by_activity(const wl_workload *w);

/* The daily curve: 1.0 on average over 24 h (any `hour`, taken mod 24);
 * constant 1 when workload.daily_curve is false. */
double wl_curve(const wl_workload *w, double hour);
/* Largest curve value over [hour0, hour0 + hours] (sampled every minute,
 * plus a margin that bounds the curve's change within a minute). */
double wl_curve_max(const wl_workload *w, double hour0, double hours);

#endif
