/* slack_model: the seed's message pipeline, message by message.
 *
 *   sender --ws--> gateway core (inbound CPU)            [gw_]
 *     -> message service: id "seconds.sequence"          [msg_]
 *     -> PostgreSQL writer pool (shared FIFO, c writers) [msg_]
 *     -> Kafka partition of the channel (append + ack)   [kafka_]
 *     -> fan-out consumer of that partition              [fanout_]
 *     -> Redis: SMEMBERS + MGET presence keys            [redis]
 *     -> per-(gateway, core) push batches  (online)      [gw_]
 *     -> mobile push provider, 429 + retry  (offline)    [push_]
 *
 * Invariants:
 *  - ids strictly increase per channel (max(now in us, last + 1)), and each
 *    channel publishes to Kafka in id order: a write that commits before an
 *    earlier id of its channel waits in `parked` (writers run in parallel,
 *    so commits can overtake each other);
 *  - one consumer per partition serves FIFO and Redis answers a shard's
 *    requests FIFO, so a channel's messages are dispatched in id order;
 *    a recipient's pushes are booked FIFO on the one core its connection is
 *    pinned to, so every recipient sees a channel's messages in id order;
 *  - every member, the sender included, is counted once at fan-out: delivered
 *    online, queued for push, or lost to a crashed client whose presence
 *    key has not expired yet. */
#include "models/slack_internal.h"

#include <math.h>
#include <string.h>

static void wl_schedule_next(slack_model *m);
static void msg_send(slack_model *m, uint32_t channel, uint32_t sender);

/* ------------------------------------------------------------------ small helpers */

static sim_time sample_ns(const sim_dist *d, sim_rng *rng)
{
    double s = sim_dist_sample(d, rng);
    return s > 0 ? sim_time_from_sec(s) : 0;
}

static msg_rec *msg_at(slack_model *m, uint32_t slot) { return &g_array_index(m->msgs, msg_rec, slot); }

static uint32_t msg_alloc(slack_model *m)
{
    uint32_t slot = m->msg_free;
    if (slot != SLACK_NIL) { m->msg_free = msg_at(m, slot)->next_free; return slot; }
    msg_rec blank = { 0 };
    g_array_append_val(m->msgs, blank);
    return m->msgs->len - 1;
}

static void msg_release(slack_model *m, uint32_t slot)
{
    msg_at(m, slot)->next_free = m->msg_free;
    m->msg_free = slot;
    m->in_flight--;
}

static uint32_t kafka_partition_of(const slack_model *m, uint32_t channel)
{
    uint64_t h = (uint64_t)channel * 0x9E3779B97F4A7C15ull;
    return (uint32_t)((h >> 32) % m->partitions);
}

/* Is `user` connected as far as its own client is concerned? */
static gboolean user_connected(const slack_model *m, uint32_t user, gboolean cm)
{
    if (m->conn[user] == GW_NONE) return FALSE;
    return !cm || presence_connected(m->pres, user);
}

static gboolean crash_mode(const slack_model *m) { return presence_crashes(m->pres) > 0; }

/* See sender_hint_set: a hint only, no effect on results. */
static inline void sender_hint_use(slack_model *m)
{
    if (m->sender_hint) {
        __builtin_prefetch(&m->conn[*m->sender_hint]);
        m->sender_hint = NULL;
    }
}

/* ------------------------------------------------------------------ observer */

static obs_rec *obs_at(slack_model *m, uint32_t i) { return &g_array_index(m->obs_recs, obs_rec, i); }

static uint32_t obs_alloc(slack_model *m, uint64_t serial, uint32_t a, uint32_t b)
{
    uint32_t i = m->obs_free;
    if (i != SLACK_NIL) m->obs_free = obs_at(m, i)->next_free;
    else { obs_rec blank = { 0 }; g_array_append_val(m->obs_recs, blank); i = m->obs_recs->len - 1; }
    *obs_at(m, i) = (obs_rec){ serial, a, b, SLACK_NIL };
    return i;
}

static void obs_release(slack_model *m, uint32_t i) { obs_at(m, i)->next_free = m->obs_free; m->obs_free = i; }

static void obs_stage(slack_model *m, const msg_rec *r, slack_stage stage)
{
    if (m->obs.stage) m->obs.stage(m->obs_user, r->serial, r->channel, stage, sim_now(m->ctx));
}

static void obs_delivered_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    slack_model *m = data;
    obs_rec r = *obs_at(m, (uint32_t)arg);
    obs_release(m, (uint32_t)arg);
    if (m->obs_on && m->obs.delivered) m->obs.delivered(m->obs_user, r.serial, r.a, r.b, sim_now(ctx));
}

static void obs_done_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    slack_model *m = data;
    obs_rec r = *obs_at(m, (uint32_t)arg);
    obs_release(m, (uint32_t)arg);
    if (m->obs_on && m->obs.stage) m->obs.stage(m->obs_user, r.serial, r.a, SLACK_STAGE_DONE, sim_now(ctx));
}

/* ------------------------------------------------------------------ workload: arrivals */

/* The send rate at t: the daily curve, linearly interpolated between its
 * values at whole seconds (tabulated once: the curve moves by < 1e-5 of
 * its peak within a second, and the thinning loop is hot). */
static double wl_rate_at(const slack_model *m, sim_time t)
{
    double x = sim_time_to_sec(t);
    uint32_t i = (uint32_t)x;
    if (i + 1 >= m->n_knots) i = m->n_knots - 2;
    double f = x - i, c = m->curve_knots[i] + (m->curve_knots[i + 1] - m->curve_knots[i]) * f;
    return m->base_rate * m->rate_factor * c;
}

static void wl_tabulate_curve(slack_model *m)
{
    m->n_knots = (uint32_t)ceil(sim_time_to_sec(m->duration)) + 2;
    m->curve_knots = g_new(float, m->n_knots);
    for (uint32_t i = 0; i < m->n_knots; i++)
        m->curve_knots[i] = (float)wl_curve(m->wl, m->cfg.start_hour + i / 3600.0);
}

static void wl_update_rate_max(slack_model *m)
{
    double hours = sim_time_to_sec(m->duration) / 3600.0;
    m->rate_max = m->base_rate * m->rate_factor * wl_curve_max(m->wl, m->cfg.start_hour, hours);
}

/* A uniformly drawn member who is connected: first the member at `first`
 * (drawn in advance, see wl_schedule_next), then a few fresh draws. */
static gboolean wl_pick_sender(slack_model *m, uint32_t channel, uint32_t first, uint32_t *sender)
{
    uint32_t size = wl_channel_size(m->wl, channel);
    gboolean cm = crash_mode(m);
    for (int i = 0; i < 8; i++) {
        uint32_t k = i == 0 ? first : (uint32_t)sim_rng_below(&m->rng_wl, size);
        uint32_t u = wl_channel_member(m->wl, channel, k);
        if (user_connected(m, u, cm)) { *sender = u; return TRUE; }
    }
    return FALSE;
}

/* `arg` is the channel (low 32 bits) and the index of the first sender
 * candidate (high 32 bits) drawn when this arrival was scheduled; a channel
 * without a connected member is replaced by fresh draws. */
static void wl_arrival(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    slack_model *m = data;
    m->arrival_ev = SIM_EVENT_NONE;
    m->sender_hint = NULL;
    uint32_t channel = (uint32_t)arg, first = (uint32_t)(arg >> 32), sender;
    for (int tries = 0; tries < 8; tries++) {
        if (wl_pick_sender(m, channel, first, &sender)) { msg_send(m, channel, sender); break; }
        if (tries == 7) m->no_sender++;
        channel = wl_pick_channel(m->wl, &m->rng_wl);
        first = (uint32_t)sim_rng_below(&m->rng_wl, wl_channel_size(m->wl, channel));
    }
    wl_schedule_next(m);
}

/* The next arrival's first sender candidate: its member entry is being
 * prefetched; the next message event (sender_hint_use) reads it and
 * prefetches its connection entry, so wl_arrival finds both in cache. */
static void sender_hint_set(slack_model *m, uint32_t channel, uint32_t i)
{
    uint32_t first;
    const uint32_t *list;
    wl_channel_members(m->wl, channel, &first, &list);
    if (i >= wl_channel_size(m->wl, channel)) {
        m->sender_hint = NULL;
    } else if (list) {
        m->sender_hint = list + i;
    } else {
        __builtin_prefetch(&m->conn[first + i]);
        m->sender_hint = NULL;
    }
}

/* Moves the arrival pipeline one step: the next channel from the bits
 * drawn last time, fresh bits for the one after. */
static void wl_pipeline_advance(slack_model *m)
{
    m->next_channel = wl_pick_channel_bits(m->wl, m->alias_bits);
    wl_prefetch_channel(m->wl, m->next_channel);
    __builtin_prefetch(&m->chan[m->next_channel]);
    m->alias_bits = sim_rng_u64(&m->rng_wl);
    wl_prefetch_draw(m->wl, m->alias_bits);
}

/* Non-homogeneous Poisson arrivals by thinning (Lewis and Shedler):
 * candidates at rate_max, each kept with probability rate(t)/rate_max.
 * Rejected candidates cost no event. */
static void wl_schedule_next(slack_model *m)
{
    if (!m->arrivals_on || m->rate_max <= 0 || wl_channels(m->wl) == 0) return;
    sim_time t = sim_now(m->ctx);
    for (;;) {
        double gap = -log(sim_rng_uniform_pos(&m->rng_wl)) / m->rate_max;
        t += sim_time_from_sec(gap);
        if (t >= m->duration) return;
        if (sim_rng_uniform(&m->rng_wl) * m->rate_max <= wl_rate_at(m, t)) break;
    }
    /* A pipeline over arrivals: this arrival's channel was drawn one arrival
     * ago (its record prefetched then), from bits drawn two arrivals ago
     * (their alias entry prefetched then); now draw its first sender
     * candidate and prefetch that member. The draws keep one deterministic
     * order, and memory latency hides behind the events in between. */
    uint32_t channel = m->next_channel;
    uint32_t first = (uint32_t)sim_rng_below(&m->rng_wl, MAX(1u, wl_channel_size(m->wl, channel)));
    wl_prefetch_member(m->wl, channel, first);
    sender_hint_set(m, channel, first);
    wl_pipeline_advance(m);
    m->arrival_ev = sim_at(m->ctx, t, wl_arrival, m, ((uint64_t)first << 32) | channel);
}

/* ------------------------------------------------------------------ message service + PostgreSQL */

static void msg_service(sim_ctx *ctx, void *data, uint64_t slot);

/* The sender's gateway; for a post injected for a user without a
 * connection (slack_model_post), a live gateway chosen by user id. */
static uint32_t sender_gateway(const slack_model *m, uint32_t sender)
{
    if (m->conn[sender] != GW_NONE) return m->conn[sender];
    uint32_t n = gw_count(m->gw), g = sender % n;
    for (uint32_t i = 0; i < n && !gw_alive(m->gw, g); i++) g = (g + 1) % n;
    return g;
}

/* The sender's gateway takes the frame on its connection's core. */
static void msg_send(slack_model *m, uint32_t channel, uint32_t sender)
{
    uint32_t slot = msg_alloc(m);
    msg_rec *r = msg_at(m, slot);
    *r = (msg_rec){ .serial = m->serial_next++, .t_sent = sim_now(m->ctx), .channel = channel,
                    .sender = sender, .size = wl_channel_size(m->wl, channel),
                    .partition = kafka_partition_of(m, channel), .next_free = SLACK_NIL };
    m->sent++; m->iv_sent++; m->in_flight++;
    if (m->obs_on) obs_stage(m, r, SLACK_STAGE_SENT);
    uint32_t gw = sender_gateway(m, sender);
    sim_time work = gw_inbound_work(m->gw);
    sim_time start = gw_book(m->gw, gw, sender, work);
    sim_at(m->ctx, start + work, msg_service, m, slot);
}

/* The id: the clock in microseconds, bumped past the channel's last id so
 * ids are unique and strictly increasing per channel (Slack's ts). */
static void msg_assign_id(slack_model *m, msg_rec *r)
{
    chan_state *c = &m->chan[r->channel];
    int64_t ts = m->cfg.epoch_s * 1000000 + sim_now(m->ctx) / 1000;
    r->ts_us = ts > c->last_ts ? ts : c->last_ts + 1;
    c->last_ts = r->ts_us;
    r->chan_seq = c->assigned++;
    r->thread_us = 0;
    if (c->last_parent && sim_rng_uniform(&m->rng_msg) < m->cfg.thread_reply_fraction) {
        r->thread_us = c->last_parent;
        m->thread_replies++;
    } else {
        c->last_parent = r->ts_us;
    }
}

static void msg_service(sim_ctx *ctx, void *data, uint64_t slot)
{
    (void)ctx;
    slack_model *m = data;
    msg_rec *r = msg_at(m, (uint32_t)slot);
    sender_hint_use(m);
    if (m->obs_on) obs_stage(m, r, SLACK_STAGE_GATEWAY);
    msg_assign_id(m, r);
    sim_station_submit(m->pg, slot);
}

static void kafka_publish(slack_model *m, uint32_t slot);

static uint64_t park_key(uint32_t channel, uint32_t seq) { return ((uint64_t)channel << 32) | seq; }

/* Publishes every message of `channel` whose turn has come. */
static void msg_flush_channel(slack_model *m, uint32_t channel)
{
    chan_state *c = &m->chan[channel];
    for (;;) {
        gpointer v;
        gpointer key = (gpointer)(uintptr_t)park_key(channel, c->published);
        if (!g_hash_table_lookup_extended(m->parked, key, NULL, &v)) return;
        g_hash_table_remove(m->parked, key);
        c->published++;
        uint32_t slot = (uint32_t)GPOINTER_TO_UINT(v);
        if (slot != SLACK_NIL) kafka_publish(m, slot - 1);
    }
}

/* A message's turn in its channel: publish now or wait for earlier ids.
 * `slot` SLACK_NIL marks a dropped write, which only frees its turn. */
static void msg_turn(slack_model *m, uint32_t channel, uint32_t seq, uint32_t slot)
{
    chan_state *c = &m->chan[channel];
    if (seq != c->published) {
        g_hash_table_insert(m->parked, (gpointer)(uintptr_t)park_key(channel, seq),
                            GUINT_TO_POINTER(slot == SLACK_NIL ? SLACK_NIL : slot + 1));
        return;
    }
    c->published++;
    if (slot != SLACK_NIL) kafka_publish(m, slot);
    if (g_hash_table_size(m->parked)) msg_flush_channel(m, channel);
}

static void msg_persisted(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)started;
    slack_model *m = user;
    msg_rec *r = msg_at(m, (uint32_t)job);
    m->persisted++; m->iv_pg_done++;
    sim_hist_record(m->h_persist, sim_now(ctx) - arrived);
    if (m->obs_on) {
        obs_stage(m, r, SLACK_STAGE_PERSISTED);
        if (m->obs.persisted) m->obs.persisted(m->obs_user, r->serial, r->channel, r->ts_us, r->thread_us, sim_now(ctx));
    }
    msg_turn(m, r->channel, r->chan_seq, (uint32_t)job);
}

static void msg_dropped(sim_ctx *ctx, void *user, uint64_t job)
{
    (void)ctx;
    slack_model *m = user;
    msg_rec *r = msg_at(m, (uint32_t)job);
    m->dropped++;
    uint32_t channel = r->channel, seq = r->chan_seq;
    /* a refused top-level message cannot be a thread's parent (tail drops
     * happen on arrival, before any later message of the channel) */
    if (m->chan[channel].last_parent == r->ts_us) m->chan[channel].last_parent = 0;
    msg_release(m, (uint32_t)job);
    msg_turn(m, channel, seq, SLACK_NIL);
}

/* ------------------------------------------------------------------ Kafka */

static void kafka_visible(sim_ctx *ctx, void *data, uint64_t slot);

/* A fan-out's memory is fetched in stages, each a few events before it is
 * needed (hints only, the order of work is unchanged): the channel record
 * when the message is published, its first members when it becomes
 * visible, their connection entries when the consumer takes it, the rest
 * FANOUT_AHEAD members ahead inside the member loop. */
enum { FANOUT_AHEAD = 16 };

/* The partition leader appends (append_s of its time, FIFO in virtual
 * time like a gateway core: no event needed), and the write is
 * acknowledged, readable by consumers, after the replication delay, never
 * before an earlier write of the partition. */
static void kafka_publish(slack_model *m, uint32_t slot)
{
    msg_rec *r = msg_at(m, slot);
    sim_time now = sim_now(m->ctx);
    r->t_published = now;
    uint32_t p = r->partition;
    sim_time work = sample_ns(&m->cfg.kafka_append_s, &m->rng_kafka);
    sim_time start = MAX(now, m->kafka_free_at[p]);
    m->kafka_free_at[p] = start + work;
    m->kafka_booked[p] += work;
    sim_time t = start + work + sample_ns(&m->cfg.kafka_ack_s, &m->rng_kafka);
    if (t < m->kafka_visible_last[p]) t = m->kafka_visible_last[p];
    m->kafka_visible_last[p] = t;
    sim_at(m->ctx, t, kafka_visible, m, slot);
    wl_prefetch_channel(m->wl, r->channel);
    slack_world_published(m, p, r->serial, r->channel);
}

static void kafka_visible(sim_ctx *ctx, void *data, uint64_t slot)
{
    slack_model *m = data;
    msg_rec *r = msg_at(m, (uint32_t)slot);
    sender_hint_use(m);
    r->t_visible = sim_now(ctx);
    sim_hist_record(m->h_kafka, r->t_visible - r->t_published);
    if (m->obs_on) obs_stage(m, r, SLACK_STAGE_PUBLISHED);
    sim_time work = sample_ns(&m->cfg.fanout_service_s, &m->rng_fanout)
                  + sim_time_from_sec(m->cfg.fanout_per_recipient_s * r->size);
    sim_station *st = m->fanout[r->partition];
    wl_prefetch_members(m->wl, r->channel, FANOUT_AHEAD);
    sim_station_submit_timed(st, slot, work);
    uint64_t lag = sim_station_in_queue(st) + sim_station_in_service(st);
    if (lag > m->lag_iv_max) m->lag_iv_max = lag;
    if (lag > m->lag_by_partition[r->partition]) m->lag_by_partition[r->partition] = lag;
    if (lag > m->lag_iv_by_partition[r->partition]) m->lag_iv_by_partition[r->partition] = lag;
}

/* ------------------------------------------------------------------ fan-out */

static void fanout_reply(sim_ctx *ctx, void *data, uint64_t slot);

/* Prefetches the connection entries of a message's first FANOUT_AHEAD
 * members (the member loop prefetches the others). */
static void fanout_prefetch_conn(const slack_model *m, const msg_rec *r)
{
    uint32_t first;
    const uint32_t *list;
    wl_channel_members(m->wl, r->channel, &first, &list);
    uint32_t n = MIN(r->size, (uint32_t)FANOUT_AHEAD);
    if (list) {
        for (uint32_t i = 0; i < n; i++) __builtin_prefetch(&m->conn[list[i]]);
    } else {
        for (uint32_t i = 0; i < n; i += 32) __builtin_prefetch(&m->conn[first + i]);
    }
}

/* The consumer processed the message: read membership and presence from
 * Redis, one pipelined request: SMEMBERS channel:{id}:members plus one GET
 * per member of presence:{member} (the TTL keys are the online set and
 * carry each member's gateway). */
static void fanout_consumed(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)ctx; (void)arrived; (void)started;
    slack_model *m = user;
    msg_rec *r = msg_at(m, (uint32_t)job);
    if (m->obs_on) obs_stage(m, r, SLACK_STAGE_CONSUMED);
    sender_hint_use(m);
    fanout_prefetch_conn(m, r);
    uint64_t ops = 1 + (uint64_t)r->size;
    m->redis_fanout_ops += ops;
    redis_request(m->redis, r->channel, (uint32_t)MIN(ops, (uint64_t)UINT32_MAX), fanout_reply, m, job);
}

typedef struct {
    uint32_t online, offline, lost;
} fanout_counts;

/* One message's fan-out: the batch overhead and per-push cost (drawn once
 * per message, its batches share them) and the running results. */
typedef struct {
    const msg_rec *r;
    gboolean cm;                 /* crashes exist: ask presence who is alive */
    uint32_t cores, core_mask;   /* core_mask: cores - 1 when a power of two, else 0 */
    sim_time over, cost, extra;  /* extra: client latencies - send time */
    sim_time last;               /* last push */
    fanout_counts n;
} fanout_run;

/* An online member: its (gateway, core) batch is booked when the message
 * first touches that core (start = when the core is free, plus the
 * overhead); the i-th member of the batch is pushed at base + i * cost.
 * Its latency is recorded with the batch's in fanout_commit (the batch's
 * latencies are an arithmetic sequence: one bulk record, same histogram). */
static void fanout_online(slack_model *m, fanout_run *f, uint32_t u, uint16_t g)
{
    uint32_t core = f->core_mask ? u & f->core_mask : u % f->cores, s = (uint32_t)g * f->cores + core;
    if (m->slot_count[s]++ == 0) {
        m->touched[m->n_touched++] = s;
        m->slot_base[s] = gw_book_core(m->gw, g, core, f->over) + f->over;
    }
    f->n.online++;
    if (m->obs_on && m->obs.delivered) {
        sim_time t = m->slot_base[s] + f->cost * m->slot_count[s];
        sim_at(m->ctx, t, obs_delivered_ev, m, obs_alloc(m, f->r->serial, u, g));
    }
}

/* Every member once: online, lost or offline. The sender is a member like
 * any other: as in the seed's send_channel_message, its own connection gets
 * the event too (it carries the server-assigned id that replaces the
 * optimistic copy, and reaches the sender's other devices). */
static void fanout_member(slack_model *m, fanout_run *f, uint32_t u)
{
    uint16_t g = m->conn[u];
    if (g != GW_NONE && (!f->cm || presence_connected(m->pres, u))) {
        fanout_online(m, f, u, g);
    } else if (g != GW_NONE && presence_online(m->pres, u)) {
        f->n.lost++;        /* its key lives on: routed to a dead connection */
    } else {
        f->n.offline++;
        if (m->obs_on && m->obs.push_queued) m->obs.push_queued(m->obs_user, f->r->serial, u, sim_now(m->ctx));
    }
}

/* Commits each touched batch's pushes to its core, records the batch's n
 * latencies (base + i * cost + extra, i = 1..n: one per recipient) and
 * clears the scratch. */
static void fanout_commit(slack_model *m, fanout_run *f)
{
    for (uint32_t k = 0; k < m->n_touched; k++) {
        uint32_t s = m->touched[k], n = m->slot_count[s];
        sim_time base = m->slot_base[s], last = base + f->cost * n;
        sim_hist_record_seq(m->h_e2e_iv, base + f->cost + f->extra, f->cost, n);
        if (last > f->last) f->last = last;
        gw_extend_core(m->gw, s / f->cores, s % f->cores, f->cost * n);
        gw_count_pushes(m->gw, n);
        m->slot_count[s] = 0;
    }
    m->n_touched = 0;
}

static void fanout_members(slack_model *m, fanout_run *f)
{
    const msg_rec *r = f->r;
    uint32_t first, size = r->size;
    const uint32_t *list;
    wl_channel_members(m->wl, r->channel, &first, &list);
    if (list) {
        /* Members are scattered over the workspace's id range: fetch their
         * connection entries a few members ahead (memory-level parallelism). */
        for (uint32_t i = 0; i < size; i++) {
            if (i + FANOUT_AHEAD < size) __builtin_prefetch(&m->conn[list[i + FANOUT_AHEAD]]);
            fanout_member(m, f, list[i]);
        }
    } else {
        for (uint32_t u = first; u < first + size; u++) fanout_member(m, f, u);
    }
    fanout_commit(m, f);
}

static void push_enqueue(slack_model *m, uint32_t n);

static void fanout_reply(sim_ctx *ctx, void *data, uint64_t slot)
{
    slack_model *m = data;
    msg_rec *r = msg_at(m, (uint32_t)slot);
    uint32_t cores = gw_cores(m->gw);
    fanout_run f = { .r = r, .cm = crash_mode(m), .cores = cores,
                     .core_mask = (cores & (cores - 1)) == 0 ? cores - 1 : 0,
                     .over = gw_batch_overhead(m->gw), .cost = gw_push_cost(m->gw),
                     .extra = 2 * sim_time_from_sec(m->cfg.client_one_way_s) - r->t_sent };
    fanout_members(m, &f);
    m->fanned_out++;
    m->recipients_online += f.n.online; m->delivered_online += f.n.online; m->iv_delivered += f.n.online;
    m->recipients_offline += f.n.offline; m->lost_crashed += f.n.lost;
    sim_hist_record(m->h_fanout, (f.last ? f.last : sim_now(ctx)) - r->t_visible);
    if (f.n.offline) push_enqueue(m, f.n.offline);
    slack_world_delivered(m, r->serial, f.n.online);
    if (m->obs_on && m->obs.stage) sim_at(ctx, MAX(f.last, sim_now(ctx)), obs_done_ev, m, obs_alloc(m, r->serial, r->channel, 0));
    msg_release(m, (uint32_t)slot);
}

/* ------------------------------------------------------------------ mobile push */

static push_job *push_at(slack_model *m, uint32_t i) { return &g_array_index(m->push_jobs, push_job, i); }

static void push_try(sim_ctx *ctx, void *data, uint64_t job);

/* A message's offline recipients (notify_fraction of them, rounded at
 * random) become one job for the provider. */
static void push_enqueue(slack_model *m, uint32_t n)
{
    double want = n * m->cfg.push_notify_fraction;
    uint32_t k = (uint32_t)floor(want) + (sim_rng_uniform(&m->rng_push) < want - floor(want) ? 1 : 0);
    m->push_offline += n;
    m->iv_push += n;
    if (k == 0) return;
    uint32_t i = m->push_free;
    if (i != SLACK_NIL) m->push_free = push_at(m, i)->next_free;
    else { push_job blank = { 0 }; g_array_append_val(m->push_jobs, blank); i = m->push_jobs->len - 1; }
    *push_at(m, i) = (push_job){ sim_now(m->ctx), k, 0, SLACK_NIL };
    m->push_waiting += k;
    push_try(m->ctx, m, i);
}

/* The provider's quota as a token bucket: rate_per_min / 60 tokens a
 * second, holding at most burst_s seconds of them. */
static void push_refill(slack_model *m)
{
    sim_time now = sim_now(m->ctx);
    m->tokens = MIN(m->token_cap, m->tokens + (double)(now - m->tokens_t) * m->token_rate_ns);
    m->tokens_t = now;
}

/* Sends what the quota allows; the provider answers 429 for the rest, which
 * retries after an exponential backoff with jitter. */
static void push_try(sim_ctx *ctx, void *data, uint64_t job)
{
    slack_model *m = data;
    push_job *j = push_at(m, (uint32_t)job);
    push_refill(m);
    uint32_t take = (uint32_t)MIN((double)j->left, floor(m->tokens));
    if (take) {
        m->tokens -= take;
        j->left -= take;
        m->push_waiting -= take;
        m->push_sent += take;
        sim_time lat = sim_now(ctx) - j->t_queued + sample_ns(&m->cfg.push_send_s, &m->rng_push);
        sim_hist_record_n(m->h_push, lat, take);
    }
    if (j->left == 0) { j->next_free = m->push_free; m->push_free = (uint32_t)job; return; }
    m->push_429++;
    double backoff = MIN(m->cfg.push_retry_max_s, m->cfg.push_retry_base_s * pow(2.0, MIN(j->attempts, 40u)));
    j->attempts++;
    sim_after(ctx, sim_time_from_sec(backoff * (0.5 + sim_rng_uniform(&m->rng_push))), push_try, m, job);
}

/* ------------------------------------------------------------------ time series */

static void slack_sample_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    slack_model *m = data;
    slack_output_sample(m);
    sim_time next = sim_now(ctx) + m->iv_ns;
    if (next <= m->duration + m->iv_ns / 2) m->sample_ev = sim_at(ctx, MIN(next, m->duration), slack_sample_ev, m, 0);
    else m->sample_ev = SIM_EVENT_NONE;
}

/* ------------------------------------------------------------------ building */

/* Everything the scenario says, checked: model keys, redis, presence.
 * `cfg` and `rc` are initialised whatever happens (clear them after). */
static gboolean slack_read_config(const sim_scenario *sc, slack_cfg *cfg, redis_config *rc, presence_config *pc, GError **error)
{
    memset(cfg, 0, sizeof *cfg);
    redis_config_init(rc);
    presence_config_init(pc);
    gboolean ok = slack_cfg_read(sc, cfg, error)
               && redis_config_from_scenario(sc, rc, error)
               && presence_config_from_scenario(sc, pc, error);
    return ok;
}

cJSON *slack_model_defaults(void)
{
    cJSON *d = slack_cfg_defaults();
    cJSON_AddItemToObject(d, "redis", redis_defaults());
    cJSON_AddItemToObject(d, "presence", presence_defaults());
    slack_world_defaults(d);
    return d;
}

gboolean slack_model_validate(const sim_scenario *sc, GError **error)
{
    slack_cfg cfg;
    redis_config rc;
    presence_config pc;
    gboolean ok = slack_read_config(sc, &cfg, &rc, &pc, error) && slack_world_validate(sc, error);
    slack_cfg_clear(&cfg);
    redis_config_clear(&rc);
    return ok;
}

static sim_station *station_new(slack_model *m, const char *name, unsigned servers, uint64_t cap,
                                const sim_dist *service, sim_station_done_fn done, sim_station_drop_fn drop)
{
    sim_station_config sc = { .name = name, .servers = servers, .capacity = cap, .drop = SIM_DROP_TAIL };
    sim_dist_copy(&sc.service, service);
    sim_station *st = sim_station_new(m->ctx, &sc, done, drop, m);
    sim_dist_clear(&sc.service);
    return st;
}

static void build_stations(slack_model *m)
{
    const slack_cfg *c = &m->cfg;
    m->pg = station_new(m, "postgres", (unsigned)c->pg_writers, (uint64_t)c->pg_queue_limit,
                        &c->pg_service_s, msg_persisted, msg_dropped);
    m->partitions = (uint32_t)c->kafka_partitions;
    m->fanout = g_new(sim_station *, m->partitions);
    for (uint32_t p = 0; p < m->partitions; p++) {
        char name[48];
        g_snprintf(name, sizeof name, "fanout.%u", p);
        m->fanout[p] = station_new(m, name, 1, 0, &c->fanout_service_s, fanout_consumed, NULL);
    }
    m->kafka_visible_last = g_new0(sim_time, m->partitions);
    m->kafka_free_at = g_new0(sim_time, m->partitions);
    m->kafka_booked = g_new0(sim_time, m->partitions);
    m->kafka_done_prev = g_new0(sim_time, m->partitions);
    m->lag_by_partition = g_new0(uint64_t, m->partitions);
    m->lag_iv_by_partition = g_new0(uint64_t, 2 * (size_t)m->partitions);
    m->fanout_area_prev = g_new0(double, m->partitions);
}

/* Exactly round(users x online_fraction) users connected at time 0, chosen
 * uniformly (selection sampling, Knuth's Algorithm S), placed round-robin
 * over the gateways (what least-connections gives when all start empty). */
static void connect_initial(slack_model *m, sim_rng *rng)
{
    uint32_t n = wl_users(m->wl), want = (uint32_t)slack_cfg_online_users(&m->cfg), k = 0;
    uint32_t gws = gw_count(m->gw);
    for (uint32_t u = 0; u < n && k < want; u++) {
        if ((double)(n - u) * sim_rng_uniform(rng) >= (double)(want - k)) continue;
        uint16_t g = gw_connect(m->gw, u, (uint16_t)(k % gws));
        if (g != GW_NONE) presence_connect(m->pres, u, g);
        k++;
    }
}

static void build_scratch(slack_model *m)
{
    size_t slots = (size_t)gw_count(m->gw) * gw_cores(m->gw);
    m->slot_count = g_new0(uint32_t, slots);
    m->touched = g_new0(uint32_t, slots);
    m->slot_base = g_new0(sim_time, slots);
    m->chan = g_new0(chan_state, MAX(wl_channels(m->wl), 1u));
    m->msgs = g_array_new(FALSE, FALSE, sizeof(msg_rec));
    m->msg_free = SLACK_NIL;
    m->parked = g_hash_table_new(g_direct_hash, g_direct_equal);
    m->push_jobs = g_array_new(FALSE, FALSE, sizeof(push_job));
    m->push_free = SLACK_NIL;
    m->obs_recs = g_array_new(FALSE, FALSE, sizeof(obs_rec));
    m->obs_free = SLACK_NIL;
}

static void build_hists(slack_model *m)
{
    m->h_e2e = sim_hist_new(); m->h_e2e_iv = sim_hist_new();
    m->h_persist = sim_hist_new(); m->h_kafka = sim_hist_new();
    m->h_fanout = sim_hist_new(); m->h_push = sim_hist_new();
}

static void build_rates(slack_model *m)
{
    const slack_cfg *c = &m->cfg;
    m->base_rate = c->rate_per_sec > 0 ? c->rate_per_sec
                 : (double)slack_cfg_online_users(c) * c->messages_per_user_per_day / 86400.0;
    m->rate_factor = 1.0;
    m->duration = sim_time_from_sec(c->duration_s);
    wl_update_rate_max(m);
    wl_tabulate_curve(m);
    m->token_rate_ns = c->push_rate_per_min / 60.0 / 1e9;
    m->token_cap = MAX(1.0, c->push_rate_per_min / 60.0 * c->push_burst_s);
    m->tokens = m->token_cap;
}

static void build_all(slack_model *m)
{
    sim_rng build;
    sim_ctx_stream(m->ctx, "workload.build", &build);
    m->wl = wl_new(&m->cfg, &build);
    m->gw = gw_new(m->ctx, &m->cfg, wl_users(m->wl));
    m->conn = gw_conn_table(m->gw);
    m->redis = redis_new(m->ctx, &m->rcfg);
    m->pres = presence_new(m->ctx, m->redis, &m->pcfg, wl_users(m->wl));
    build_stations(m);
    build_scratch(m);
    build_hists(m);
    build_rates(m);
    sim_ctx_stream(m->ctx, "workload.online", &build);
    connect_initial(m, &build);
    sim_ctx_stream(m->ctx, "workload.arrivals", &m->rng_wl);
    m->alias_bits = sim_rng_u64(&m->rng_wl);
    if (wl_channels(m->wl)) wl_pipeline_advance(m);
    sim_ctx_stream(m->ctx, "message_service", &m->rng_msg);
    sim_ctx_stream(m->ctx, "kafka", &m->rng_kafka);
    sim_ctx_stream(m->ctx, "fanout", &m->rng_fanout);
    sim_ctx_stream(m->ctx, "push", &m->rng_push);
}

slack_model *slack_model_new(const sim_scenario *sc, uint64_t seed, GError **error)
{
    slack_model *m = g_new0(slack_model, 1);
    if (!slack_read_config(sc, &m->cfg, &m->rcfg, &m->pcfg, error)) {
        slack_cfg_clear(&m->cfg);
        redis_config_clear(&m->rcfg);
        g_free(m);
        return NULL;
    }
    gint64 t0 = g_get_monotonic_time();
    m->name = g_strdup(sim_scenario_name(sc));
    m->seed = seed;
    m->ctx = sim_ctx_new(seed);
    build_all(m);
    if (!slack_world_new(m, sc, error)) { slack_model_free(m); return NULL; }
    slack_output_series_init(m);
    m->arrivals_on = TRUE;
    wl_schedule_next(m);
    m->iv_ns = sim_time_from_sec(m->cfg.interval_s);
    m->sample_ev = sim_at(m->ctx, MIN(m->iv_ns, m->duration), slack_sample_ev, m, 0);
    m->build_wall_s = (double)(g_get_monotonic_time() - t0) / 1e6;
    return m;
}

void slack_model_free(slack_model *m)
{
    if (!m) return;
    slack_world_free(m);
    presence_free(m->pres);
    redis_free(m->redis);
    sim_station_free(m->pg);
    for (uint32_t p = 0; p < m->partitions; p++) sim_station_free(m->fanout[p]);
    g_free(m->fanout);
    g_free(m->kafka_visible_last); g_free(m->kafka_free_at); g_free(m->kafka_booked); g_free(m->kafka_done_prev); g_free(m->lag_by_partition); g_free(m->lag_iv_by_partition); g_free(m->fanout_area_prev);
    g_free(m->slot_count); g_free(m->touched); g_free(m->slot_base);
    g_free(m->chan);
    g_free(m->curve_knots);
    if (m->msgs) g_array_free(m->msgs, TRUE);
    if (m->parked) g_hash_table_destroy(m->parked);
    if (m->push_jobs) g_array_free(m->push_jobs, TRUE);
    if (m->obs_recs) g_array_free(m->obs_recs, TRUE);
    sim_hist_free(m->h_e2e); sim_hist_free(m->h_e2e_iv); sim_hist_free(m->h_persist);
    sim_hist_free(m->h_kafka); sim_hist_free(m->h_fanout); sim_hist_free(m->h_push);
    sim_series_free(m->series);
    gw_free(m->gw);
    wl_free(m->wl);
    sim_ctx_free(m->ctx);
    slack_cfg_clear(&m->cfg);
    redis_config_clear(&m->rcfg);
    g_free(m->name);
    g_free(m);
}

/* ------------------------------------------------------------------ running */

sim_ctx *slack_model_ctx(slack_model *m) { return m->ctx; }
sim_time slack_model_duration(const slack_model *m) { return m->duration; }

void slack_model_run_until(slack_model *m, sim_time t)
{
    if (t > m->duration) t = m->duration;
    if (t > sim_now(m->ctx)) sim_run_until(m->ctx, t);
}

void slack_model_finish(slack_model *m)
{
    slack_model_run_until(m, m->duration);
    m->arrivals_on = FALSE;
    slack_world_stop_arrivals(m);
    if (m->arrival_ev) { sim_cancel(m->ctx, m->arrival_ev); m->arrival_ev = SIM_EVENT_NONE; }
    sim_time end = m->duration + sim_time_from_sec(m->cfg.drain_s);
    while ((m->in_flight || m->push_waiting) && sim_now(m->ctx) < end) {
        sim_time next = sim_next_time(m->ctx);
        if (next == SIM_TIME_MAX) break;
        sim_run_until(m->ctx, MIN(end, MAX(next, sim_now(m->ctx) + 100 * SIM_MS)));
    }
    m->drained = sim_now(m->ctx) - m->duration;
}

sim_scenario *slack_model_load_scenario(const char *path, const char *const *sets, GError **error)
{
    cJSON *defaults = slack_model_defaults();
    sim_scenario *sc = sim_scenario_load(path, defaults, error);
    cJSON_Delete(defaults);
    if (!sc) return NULL;
    for (size_t i = 0; sets && sets[i]; i++)
        if (!sim_scenario_set(sc, sets[i], error)) { sim_scenario_free(sc); return NULL; }
    return sc;
}

uint64_t slack_model_scenario_seed(const sim_scenario *sc)
{
    const cJSON *n = sim_scenario_get(sc, "seed");
    return cJSON_IsNumber(n) && n->valuedouble >= 0 ? (uint64_t)n->valuedouble : 1;
}

cJSON *slack_model_run_file(const char *scenario_path, const char *const *sets, uint64_t seed, GError **error)
{
    sim_scenario *sc = slack_model_load_scenario(scenario_path, sets, error);
    if (!sc) return NULL;
    slack_model *m = slack_model_new(sc, seed, error);
    sim_scenario_free(sc);
    if (!m) return NULL;
    slack_model_finish(m);
    slack_run_info run = { 0 };
    cJSON *out = slack_model_summary(m, &run);
    slack_model_free(m);
    return out;
}

/* ------------------------------------------------------------------ observing and steering */

void slack_model_set_observer(slack_model *m, const slack_observer *obs, void *user)
{
    if (obs) { m->obs = *obs; m->obs_user = user; m->obs_on = TRUE; }
    else { memset(&m->obs, 0, sizeof m->obs); m->obs_user = NULL; m->obs_on = FALSE; }
}

uint64_t slack_model_post(slack_model *m, uint32_t channel, uint32_t sender)
{
    g_return_val_if_fail(channel < wl_channels(m->wl) && sender < wl_users(m->wl), 0);
    uint64_t serial = m->serial_next;
    msg_send(m, channel, sender);
    return serial;
}

void slack_model_set_online(slack_model *m, uint32_t user, gboolean online)
{
    g_return_if_fail(user < wl_users(m->wl));
    if (online) {
        uint16_t g = gw_connect(m->gw, user, GW_NONE);
        if (g == GW_NONE) return;
        gw_book(m->gw, g, user, gw_connect_work(m->gw));
        presence_connect(m->pres, user, g);
    } else {
        gw_disconnect(m->gw, user);
        presence_disconnect(m->pres, user);
    }
}

gboolean slack_model_is_online(const slack_model *m, uint32_t user)
{
    return user < wl_users(m->wl) && user_connected(m, user, crash_mode(m));
}

static void gw_reconnect_ev(sim_ctx *ctx, void *data, uint64_t user)
{
    (void)ctx;
    slack_model *m = data;
    if (m->conn[user] == GW_NONE) slack_model_set_online(m, (uint32_t)user, TRUE);
}

/* A dead gateway's clients notice at once and reconnect to the others,
 * spread uniformly over gateways.reconnect_window_s (clients' jitter). */
void slack_model_set_gateway_alive(slack_model *m, uint32_t gateway, gboolean alive)
{
    g_return_if_fail(gateway < gw_count(m->gw));
    if (alive == gw_alive(m->gw, gateway)) return;
    gw_set_alive(m->gw, gateway, alive);
    if (alive) return;
    sim_time window = sim_time_from_sec(m->cfg.gw_reconnect_window_s);
    for (uint32_t u = 0; u < wl_users(m->wl); u++) {
        if (m->conn[u] != gateway) continue;
        gw_disconnect(m->gw, u);
        presence_disconnect(m->pres, u);
        sim_time d = window > 0 ? (sim_time)sim_rng_below(&m->rng_wl, (uint64_t)window) : 0;
        sim_after(m->ctx, d, gw_reconnect_ev, m, u);
    }
}

gboolean slack_model_gateway_alive(const slack_model *m, uint32_t gateway) { return gw_alive(m->gw, gateway); }
uint32_t slack_model_gateways(const slack_model *m) { return gw_count(m->gw); }
uint64_t slack_model_gateway_connections(const slack_model *m, uint32_t gateway) { return gw_connections(m->gw, gateway); }
uint32_t slack_model_channel_size(const slack_model *m, uint32_t channel)
{
    return channel < wl_channels(m->wl) ? wl_channel_size(m->wl, channel) : 0;
}
uint32_t slack_model_channel_member(const slack_model *m, uint32_t channel, uint32_t i)
{
    g_return_val_if_fail(channel < wl_channels(m->wl), 0);
    return wl_channel_member(m->wl, channel, i);
}
uint32_t slack_model_user_gateway(const slack_model *m, uint32_t user)
{
    return user < wl_users(m->wl) && m->conn[user] != GW_NONE ? m->conn[user] : UINT32_MAX;
}
uint32_t slack_model_users(const slack_model *m) { return wl_users(m->wl); }
uint32_t slack_model_channels(const slack_model *m) { return wl_channels(m->wl); }
uint32_t slack_model_workspaces(const slack_model *m) { return wl_workspaces(m->wl); }
uint64_t slack_model_connected(const slack_model *m) { return gw_total_connections(m->gw); }
uint64_t slack_model_messages_sent(const slack_model *m) { return m->sent; }
uint64_t slack_model_deliveries(const slack_model *m) { return m->delivered_online; }

void slack_model_set_rate_factor(slack_model *m, double factor)
{
    if (!(factor >= 0)) return;
    m->rate_factor = factor;
    wl_update_rate_max(m);
    if (m->arrival_ev) { sim_cancel(m->ctx, m->arrival_ev); m->arrival_ev = SIM_EVENT_NONE; }
    wl_schedule_next(m);
}

char *slack_model_format_id(int64_t id_us, char *buf, size_t size)
{
    g_snprintf(buf, size, "%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT, id_us / 1000000, id_us % 1000000);
    return buf;
}

static const sim_station *busiest(sim_station *const *st, uint32_t n)
{
    const sim_station *best = NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!best || sim_station_utilization(st[i]) > sim_station_utilization(best)) best = st[i];
    return best;
}

const sim_station *slack_model_station(const slack_model *m, slack_station_id which)
{
    switch (which) {
    case SLACK_STATION_POSTGRES: return m->pg;
    case SLACK_STATION_FANOUT: return busiest(m->fanout, m->partitions);
    case SLACK_STATION_REDIS: return redis_station(m->redis, 0);
    default: return NULL;
    }
}

static void station_info(const sim_station *st, slack_stage_info *out)
{
    out->utilization = sim_station_utilization(st);
    out->queue = (double)sim_station_in_queue(st);
    out->completed = sim_station_completed(st);
    out->backlog_s = 0;
}

void slack_model_stage_info(const slack_model *m, slack_station_id which, slack_stage_info *out)
{
    memset(out, 0, sizeof *out);
    switch (which) {
    case SLACK_STATION_KAFKA:
        out->utilization = m->kafka_util_max;
        out->completed = m->persisted;
        break;
    case SLACK_STATION_GATEWAY_IN:
    case SLACK_STATION_GATEWAY_OUT:
        out->utilization = gw_util_mean(m->gw);
        out->backlog_s = gw_backlog_max_s(m->gw);
        out->completed = which == SLACK_STATION_GATEWAY_IN ? m->sent : gw_pushes(m->gw);
        break;
    case SLACK_STATION_PUSH:
        out->queue = (double)m->push_waiting;
        out->completed = m->push_sent;
        out->utilization = m->push_sent ? MIN(1.0, (double)m->push_offline / MAX(1.0, m->cfg.push_rate_per_min / 60.0 * sim_time_to_sec(sim_now(m->ctx)))) : 0;
        break;
    case SLACK_STATION_REDIS:
        station_info(redis_station(m->redis, 0), out);
        out->utilization = redis_utilization_max(m->redis);
        out->backlog_s = redis_backlog_s(m->redis, 0);
        break;
    default: {
        const sim_station *st = slack_model_station(m, which);
        if (st) station_info(st, out);
    }
    }
}
