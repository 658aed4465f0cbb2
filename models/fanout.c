/* fanout: one consumer per Kafka partition takes each message, reads its
 * channel's membership and its members' presence from Redis in one
 * pipelined request, and books a push batch on every (gateway, core) that
 * holds an online member; offline members go to mobile push (push.c).
 *
 * Invariants:
 *  - one consumer per partition serves FIFO and Redis answers a shard's
 *    requests FIFO, so a channel's messages are dispatched in id order;
 *    a recipient's pushes are booked FIFO on the one core its connection is
 *    pinned to, so every recipient sees a channel's messages in id order;
 *  - every member, the sender included, is counted once: delivered online,
 *    queued for push, or lost to a crashed client whose presence key has
 *    not expired yet.
 * The member loop is the model's hot path: it calls nothing through a
 * table and fetches memory ahead (hints only, the order of work is
 * unchanged). */
#include "models/slack_internal.h"

#include <float.h>
#include <stddef.h>

/* A fan-out's memory is fetched in stages, each a few events before it is
 * needed: the channel record when the message is published, its first
 * members when it becomes visible, their connection entries when the
 * consumer takes it, the rest FANOUT_AHEAD members ahead inside the
 * member loop. */
enum { FANOUT_AHEAD = 16 };

/* The station job of a recovered Kafka consumer re-processing what it had
 * not committed (no message slot is ever this large). */
#define FANOUT_REPLAY_JOB ((uint64_t)UINT32_MAX + 1)

static const char *const QUEUE_NAMES[] = { "kafka", "redis_pubsub", NULL };
G_STATIC_ASSERT(sizeof(slack_queue) == sizeof(int));

/* ================================================================ API implementation */

static void consumed(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started);

static void recover_ev(sim_ctx *ctx, void *data, uint64_t p);

/* A dead consumer: Kafka's log keeps the message for later; pub/sub has no
 * log, so a message published while its subscriber is down is gone. */
static void hold_or_lose(slack_model *m, uint32_t slot, uint32_t p)
{
    if (m->fan.queue == SLACK_QUEUE_KAFKA) {
        g_queue_push_tail(m->fan.held[p], GUINT_TO_POINTER(slot));
        m->fan.held_max = MAX(m->fan.held_max, (uint64_t)g_queue_get_length(m->fan.held[p]));
        return;
    }
    m->fan.queue_lost++;
    msg_release(m, slot);
}

void fanout_submit(slack_model *m, uint32_t slot, msg_rec *r)
{
    if (G_UNLIKELY(m->fan.down_until[r->partition] != 0)) { hold_or_lose(m, slot, r->partition); return; }
    sim_time work = slack_sample_ns(&m->cfg->fanout_service_s, &m->fan.rng)
                  + sim_time_from_sec(m->cfg->fanout_per_recipient_s * r->size);
    wl_prefetch_members(m->wl, r->channel, FANOUT_AHEAD);
    m->fan.work_offered[r->partition] += sim_time_to_sec(work);
    sim_station_submit_timed(m->fan.consumer[r->partition], slot, work);
}

uint64_t fanout_lag(const slack_model *m, uint32_t p)
{
    const sim_station *st = m->fan.consumer[p];
    return sim_station_in_queue(st) + sim_station_in_service(st) + g_queue_get_length(m->fan.held[p]);
}

/* The consumer time of processing `messages` of `members` members again:
 * the mean per message and per member (the draws were spent the first
 * time; the mean, as for a gateway's push batch). */
static sim_time replay_work(const slack_model *m, uint64_t messages, uint64_t members)
{
    double mean = sim_dist_mean(&m->cfg->fanout_service_s);
    double s = (isfinite(mean) ? mean : 0) * (double)messages + m->cfg->fanout_per_recipient_s * (double)members;
    return sim_time_from_sec(s);
}

/* What a consumer had processed since its last commit is processed again
 * by its successor (Kafka): duplicates, which clients drop by message id.
 * Messages it had already taken finish (a simplification: see
 * docs/model.md); later ones wait in the log, or are lost (pub/sub). */
void fanout_consumer_crash(slack_model *m, uint32_t p, sim_time down)
{
    g_return_if_fail(p < m->kafka.partitions);
    sim_time now = sim_now(m->ctx);
    if (m->fan.down_until[p] == 0 && m->fan.queue == SLACK_QUEUE_KAFKA) {
        m->fan.queue_duplicates += m->fan.uncommitted[p];
        m->fan.dedup_drops += m->fan.uncommitted_recipients[p];
        m->fan.replay_work[p] += replay_work(m, m->fan.uncommitted[p], m->fan.uncommitted_members[p]);
        m->fan.uncommitted[p] = m->fan.uncommitted_recipients[p] = m->fan.uncommitted_members[p] = 0;
    }
    sim_time until = MAX(m->fan.down_until[p], now + MAX(down, 1));
    if (until != m->fan.down_until[p]) sim_at(m->ctx, until, recover_ev, m, p);
    m->fan.down_until[p] = until;
}

/* Back: it resumes from the committed offset, so what the log kept while
 * it was down is consumed in order. */
static void recover_ev(sim_ctx *ctx, void *data, uint64_t p)
{
    slack_model *m = data;
    if (m->fan.down_until[p] != sim_now(ctx)) return;   /* extended by a later crash */
    m->fan.down_until[p] = 0;
    m->fan.committed_at[p] = sim_now(ctx);
    if (m->fan.replay_work[p] > 0) {   /* the duplicates first: the log resumes at the committed offset */
        m->fan.replay_work_s += sim_time_to_sec(m->fan.replay_work[p]);
        m->fan.work_offered[p] += sim_time_to_sec(m->fan.replay_work[p]);
        sim_station_submit_timed(m->fan.consumer[p], FANOUT_REPLAY_JOB, m->fan.replay_work[p]);
        m->fan.replay_work[p] = 0;
    }
    GQueue *q = m->fan.held[p];
    while (!g_queue_is_empty(q)) {
        uint32_t slot = GPOINTER_TO_UINT(g_queue_pop_head(q));
        fanout_submit(m, slot, msg_at(m, slot));
    }
}

/* Kafka's auto-commit: at the first completion commit_interval_s after
 * the last commit, the offset moves past everything processed. */
static void note_processed(slack_model *m, const msg_rec *r, uint32_t online)
{
    uint32_t p = r->partition;
    m->fan.uncommitted[p]++;
    m->fan.uncommitted_recipients[p] += online;
    m->fan.uncommitted_members[p] += r->size;
    if (sim_now(m->ctx) - m->fan.committed_at[p] >= m->fan.commit_interval) {
        m->fan.committed_at[p] = sim_now(m->ctx);
        m->fan.uncommitted[p] = m->fan.uncommitted_recipients[p] = m->fan.uncommitted_members[p] = 0;
    }
}

/* The busiest consumer's utilization since the previous row. */
double fanout_take_interval_util(slack_model *m, sim_time now, double dt)
{
    double u = 0;
    for (uint32_t p = 0; p < m->kafka.partitions; p++) {
        double fu = slack_interval_util(m->fan.consumer[p], &m->fan.area_prev[p], now, dt);  /* once: it updates prev */
        u = MAX(u, fu);
    }
    m->fan.util_max = MAX(m->fan.util_max, u);
    return u;
}

sim_hist *fanout_e2e_all(const slack_model *m)
{
    sim_hist *h = sim_hist_new();
    sim_hist_merge(h, m->fan.h_e2e);
    sim_hist_merge(h, m->fan.h_e2e_iv);
    return h;
}

/* ================================================================ private functions */

static void reply(sim_ctx *ctx, void *data, uint64_t slot);

/* Prefetches the connection entries of a message's first FANOUT_AHEAD
 * members (the member loop prefetches the others). */
static void prefetch_conn(const slack_model *m, const msg_rec *r)
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

/* Redis Cluster: SMEMBERS channel:{id}:members lives on the channel's
 * slot, but the members' presence:{member} keys hash over every shard, so
 * with several shards the GETs spread: each shard gets its share (member
 * ids hash uniformly over the slots; this is the expected split). The reply
 * waits for the channel's shard; the other shards' GETs occupy them, and
 * delay their other requests, without an event of their own. Returns the
 * commands of the channel's shard's request. */
static uint32_t spread_reads(slack_model *m, const msg_rec *r, uint32_t shards, uint32_t home)
{
    uint64_t per = r->size / shards, extra = r->size % shards;
    for (uint32_t k = 1; k < shards; k++) {
        uint64_t n = per + (k < extra);
        if (n) redis_charge_shard(m->redis, (home + k) % shards, (uint32_t)MIN(n, (uint64_t)UINT32_MAX));
    }
    return (uint32_t)MIN(1 + per + (extra > 0), (uint64_t)UINT32_MAX);
}

/* The consumer processed the message: read membership and presence from
 * Redis, pipelined: SMEMBERS channel:{id}:members plus one GET per member
 * of presence:{member} (the TTL keys are the online set and carry each
 * member's gateway). */
static void consumed(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)ctx; (void)arrived; (void)started;
    slack_model *m = user;
    if (job == FANOUT_REPLAY_JOB) return;   /* the duplicates' second pass: clients drop them by id */
    msg_rec *r = msg_at(m, (uint32_t)job);
    if (m->obs.on) obs_stage(m, r, SLACK_STAGE_CONSUMED);
    arrivals_prefetch_sender(m);
    prefetch_conn(m, r);
    uint64_t ops = 1 + (uint64_t)r->size;
    m->fan.redis_ops += ops;
    uint32_t shards = redis_shards(m->redis), home = redis_shard_of(m->redis, r->channel);
    uint32_t n_home = shards > 1 ? spread_reads(m, r, shards, home) : (uint32_t)MIN(ops, (uint64_t)UINT32_MAX);
    redis_request_shard(m->redis, home, n_home, reply, m, job);
}

typedef struct {
    uint32_t online, offline, lost;
    uint32_t false_offline;      /* of offline: connected, but their presence key was lost (redis_failover) */
} fanout_counts;

/* One message's fan-out: the batch overhead and per-push cost (drawn once
 * per message, its batches share them) and the running results. */
typedef struct {
    const msg_rec *r;
    gboolean cm;                 /* crashes exist: ask presence who is alive */
    gboolean fo;                 /* a Redis failover lost keys: ask presence even for the connected */
    gboolean polled;             /* delivery by polling: per-recipient times (delivery.c) */
    gboolean pooled_cores;       /* gateways.scheduling = pooled */
    uint32_t cores, core_mask;   /* core_mask: cores - 1 when a power of two, else 0 */
    sim_time over, cost, extra;  /* extra: client latencies - send time */
    sim_time last;               /* last push */
    fanout_counts n;
} fanout_run;

/* An online member: its (gateway, core) batch is booked when the message
 * first touches that core (start = when the core is free, plus the
 * overhead); the i-th member of the batch is pushed at base + i * cost.
 * Its latency is recorded with the batch's in commit (the batch's
 * latencies are an arithmetic sequence: one bulk record, same histogram). */
static inline __attribute__((always_inline)) void member_online(slack_model *m, fanout_run *f, uint32_t u, uint16_t g)
{
    /* pooled: one batch per gateway, on the core that frees first */
    uint32_t core = f->pooled_cores ? 0 : f->core_mask ? u & f->core_mask : u % f->cores, s = (uint32_t)g * f->cores + core;
    if (m->fan.slot_count[s]++ == 0) {
        m->fan.touched[m->fan.n_touched++] = s;
        if (f->pooled_cores) core = gw_core_of(m->gw, g, u);
        m->fan.slot_core[s] = core;
        m->fan.slot_base[s] = sim_time_add_sat(gw_book_core(m->gw, g, core, f->over), f->over);
    }
    if (f->polled) {   /* an HTTP transport: each recipient gets it at its own time */
        sim_time t = delivery_time(m, u, sim_time_add_sat(m->fan.slot_base[s], sim_time_mul_sat(f->cost, m->fan.slot_count[s])));
        sim_hist_record(m->fan.h_e2e_iv, t + f->extra);
        if (t > f->last) f->last = t;
        if (m->obs.on && m->obs.fn.delivered) sim_at(m->ctx, t, obs_delivered_ev, m, obs_alloc(m, f->r->serial, u, g));
    } else if (m->obs.on && m->obs.fn.delivered) {
        sim_time t = sim_time_add_sat(m->fan.slot_base[s], sim_time_mul_sat(f->cost, m->fan.slot_count[s]));
        sim_at(m->ctx, t, obs_delivered_ev, m, obs_alloc(m, f->r->serial, u, g));
    }
}

/* Every member once: online, lost or offline; counted in *n, which the
 * caller keeps in a local (the scratch arrays written here could alias a
 * counter in *f, which would keep each increment a load and a store). The
 * sender is a member like any other: as in the seed's
 * send_channel_message, its own connection gets the event too (it carries
 * the server-assigned id that replaces the optimistic copy, and reaches the
 * sender's other devices). */
static inline __attribute__((always_inline)) void member(slack_model *m, fanout_run *f, uint32_t u, fanout_counts *n)
{
    uint16_t g = m->conn[u];
    if (g != GW_NONE && (!f->cm || presence_connected(m->pres, u))) {
        if (G_LIKELY(!f->fo) || presence_online(m->pres, u)) { n->online++; member_online(m, f, u, g); return; }
        n->false_offline++;   /* no key: the fan-out takes it for offline */
        n->offline++;
        if (m->obs.on && m->obs.fn.push_queued) m->obs.fn.push_queued(m->obs.user, f->r->serial, u, sim_now(m->ctx));
    } else if (g != GW_NONE && presence_online(m->pres, u)) {
        n->lost++;          /* its key lives on: routed to a dead connection */
    } else {
        n->offline++;
        if (m->obs.on && m->obs.fn.push_queued) m->obs.fn.push_queued(m->obs.user, f->r->serial, u, sim_now(m->ctx));
    }
}

/* Commits each touched batch's pushes to its core, records the batch's n
 * latencies (base + i * cost + extra, i = 1..n: one per recipient) and
 * clears the scratch. */
static void commit(slack_model *m, fanout_run *f)
{
    for (uint32_t k = 0; k < m->fan.n_touched; k++) {
        uint32_t s = m->fan.touched[k], n = m->fan.slot_count[s];
        /* saturating: n pushes of a huge cost land "never", not in the past */
        sim_time base = m->fan.slot_base[s], work = sim_time_mul_sat(f->cost, n), last = sim_time_add_sat(base, work);
        if (!f->polled && G_UNLIKELY(last == SIM_TIME_MAX)) {   /* saturated: "never", all of them */
            sim_hist_record_n(m->fan.h_e2e_iv, SIM_TIME_MAX, n);
            f->last = SIM_TIME_MAX;
        } else if (!f->polled) {
            sim_hist_record_seq(m->fan.h_e2e_iv, sim_time_add_sat(base, f->cost + f->extra), f->cost, n);
            if (last > f->last) f->last = last;
        }
        gw_extend_core(m->gw, s / f->cores, m->fan.slot_core[s], work);
        gw_count_pushes(m->gw, n);
        m->fan.slot_count[s] = 0;
    }
    m->fan.n_touched = 0;
}

static void members(slack_model *m, fanout_run *f)
{
    const msg_rec *r = f->r;
    uint32_t first, size = r->size;
    const uint32_t *list;
    fanout_counts n = f->n;
    wl_channel_members(m->wl, r->channel, &first, &list);
    if (list) {
        /* Members are scattered over the workspace's id range: fetch their
         * connection entries a few members ahead (memory-level parallelism). */
        for (uint32_t i = 0; i < size; i++) {
            if (i + FANOUT_AHEAD < size) __builtin_prefetch(&m->conn[list[i + FANOUT_AHEAD]]);
            member(m, f, list[i], &n);
        }
    } else {
        for (uint32_t u = first; u < first + size; u++) member(m, f, u, &n);
    }
    f->n = n;
    commit(m, f);
}

static void reply(sim_ctx *ctx, void *data, uint64_t slot)
{
    slack_model *m = data;
    msg_rec *r = msg_at(m, (uint32_t)slot);
    uint32_t cores = gw_cores(m->gw);
    fanout_run f = { .r = r, .cm = slack_crash_mode(m), .fo = presence_failover_active(m->pres), .cores = cores,
                     .polled = m->deliv.transport == SLACK_TRANSPORT_SHORT_POLLING
                            || m->deliv.transport == SLACK_TRANSPORT_LONG_POLLING,
                     .core_mask = (cores & (cores - 1)) == 0 ? cores - 1 : 0, .pooled_cores = gw_pooled(m->gw),
                     .over = gw_batch_overhead(m->gw), .cost = gw_push_cost(m->gw),
                     .extra = 2 * sim_time_from_sec(m->cfg->client_one_way_s) - r->t_sent };
    members(m, &f);
    m->fan.messages++;
    note_processed(m, r, f.n.online);
    m->fan.online += f.n.online; m->fan.iv_delivered += f.n.online;
    m->fan.offline += f.n.offline; m->fan.lost += f.n.lost; m->fan.false_offline += f.n.false_offline;
    sim_hist_record(m->fan.h_fanout, (f.last ? f.last : sim_now(ctx)) - r->t_visible);
    if (f.n.offline) push_enqueue(m, f.n.offline);
    slack_hooks_delivered(m, r, f.n.online);
    if (m->obs.on && m->obs.fn.stage) sim_at(ctx, MAX(f.last, sim_now(ctx)), obs_done_ev, m, obs_alloc(m, r->serial, r->channel, 0));
    msg_release(m, (uint32_t)slot);
}

/* ================================================================ the component */

static const sim_field fanout_fields[] = {
    { "service_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, fanout_service_s), "s", NULL,
      "{\"dist\": \"exponential\", \"mean\": 0.0001}" },
    { "per_recipient_s", 0, 1, SIM_FIELD_DOUBLE, offsetof(slack_cfg, fanout_per_recipient_s), "s", NULL, "0.0000002" },
    { "queue", 0, 0, SIM_FIELD_ENUM, offsetof(slack_cfg, fanout_queue), NULL, QUEUE_NAMES, "\"kafka\"" },
};

static gboolean fanout_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    uint32_t n = m->kafka.partitions;
    m->fan.consumer = g_new0(sim_station *, n);
    for (uint32_t p = 0; p < n; p++) {
        char name[48];
        g_snprintf(name, sizeof name, "fanout.%u", p);
        sim_station_config st = { .name = name, .servers = 1, .capacity = 0, .drop = SIM_DROP_TAIL };
        sim_dist_copy(&st.service, &m->cfg->fanout_service_s);
        m->fan.consumer[p] = sim_station_new(m->ctx, &st, consumed, NULL, m);
        sim_dist_clear(&st.service);
    }
    m->fan.queue = m->cfg->fanout_queue;
    m->fan.area_prev = g_new0(double, n);
    m->fan.work_offered = g_new0(double, n);
    m->fan.down_until = g_new0(sim_time, n);
    m->fan.committed_at = g_new0(sim_time, n);
    m->fan.uncommitted = g_new0(uint64_t, n);
    m->fan.uncommitted_recipients = g_new0(uint64_t, n);
    m->fan.uncommitted_members = g_new0(uint64_t, n);
    m->fan.replay_work = g_new0(sim_time, n);
    m->fan.held = g_new0(GQueue *, n);
    for (uint32_t p = 0; p < n; p++) m->fan.held[p] = g_queue_new();
    m->fan.commit_interval = sim_time_from_sec(m->cfg->kafka_commit_interval_s);
    size_t slots = (size_t)gw_count(m->gw) * gw_cores(m->gw);
    m->fan.slot_count = g_new0(uint32_t, slots);
    m->fan.touched = g_new0(uint32_t, slots);
    m->fan.slot_base = g_new0(sim_time, slots);
    m->fan.slot_core = g_new0(uint32_t, slots);
    m->fan.h_fanout = sim_hist_new();
    m->fan.h_e2e = sim_hist_new();
    m->fan.h_e2e_iv = sim_hist_new();
    sim_ctx_stream(m->ctx, "fanout", &m->fan.rng);
    return TRUE;
}

static void fanout_free(slack_model *m)
{
    for (uint32_t p = 0; m->fan.consumer && p < m->kafka.partitions; p++) sim_station_free(m->fan.consumer[p]);
    g_free(m->fan.consumer);
    g_free(m->fan.area_prev);
    g_free(m->fan.work_offered);
    for (uint32_t p = 0; m->fan.held && p < m->kafka.partitions; p++) g_queue_free(m->fan.held[p]);
    g_free(m->fan.held); g_free(m->fan.down_until); g_free(m->fan.committed_at);
    g_free(m->fan.uncommitted); g_free(m->fan.uncommitted_recipients);
    g_free(m->fan.uncommitted_members); g_free(m->fan.replay_work);
    g_free(m->fan.slot_count); g_free(m->fan.touched); g_free(m->fan.slot_base); g_free(m->fan.slot_core);
    sim_hist_free(m->fan.h_fanout); sim_hist_free(m->fan.h_e2e); sim_hist_free(m->fan.h_e2e_iv);
}

static cJSON *fanout_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "messages", (double)m->fan.messages);
    cJSON_AddNumberToObject(o, "recipients_online", (double)m->fan.online);
    cJSON_AddNumberToObject(o, "recipients_offline", (double)m->fan.offline);
    cJSON_AddNumberToObject(o, "recipients_lost", (double)m->fan.lost);
    cJSON_AddNumberToObject(o, "deliveries_per_sec_peak", m->fan.deliveries_per_s_peak);
    cJSON_AddNumberToObject(o, "consumer_util_max", m->fan.util_max);
    cJSON_AddNumberToObject(o, "redis_ops", (double)m->fan.redis_ops);
    cJSON_AddStringToObject(o, "queue", QUEUE_NAMES[m->fan.queue]);
    cJSON_AddNumberToObject(o, "queue_published", (double)m->fan.queue_published);
    cJSON_AddNumberToObject(o, "queue_lost", (double)m->fan.queue_lost);
    cJSON_AddNumberToObject(o, "queue_duplicates", (double)m->fan.queue_duplicates);
    cJSON_AddNumberToObject(o, "dedup_drops", (double)m->fan.dedup_drops);
    cJSON_AddNumberToObject(o, "replay_work_s", m->fan.replay_work_s);
    cJSON_AddNumberToObject(o, "queue_held_max", (double)m->fan.held_max);
    /* each consumer as the queue it is (1 server, FIFO) */
    cJSON *st = cJSON_AddArrayToObject(o, "consumers");
    for (uint32_t p = 0; p < m->kafka.partitions; p++) cJSON_AddItemToArray(st, sim_station_to_json(m->fan.consumer[p]));
    /* and as one pool: sums, merged waits, the mean and worst consumer */
    cJSON_AddItemToObject(o, "consumer_pool",
                          sim_station_pool_to_json((const sim_station *const *)m->fan.consumer, m->kafka.partitions, FALSE));
    return o;
}

/* Offered: the busiest consumer's submitted work over duration_s. */
static gboolean fanout_load(const slack_model *m, slack_load *out)
{
    double secs = sim_time_to_sec(m->duration), mx = 0;
    for (uint32_t p = 0; p < m->kafka.partitions && secs > 0; p++) mx = MAX(mx, m->fan.work_offered[p] / secs);
    *out = (slack_load){ m->fan.util_max, mx };
    return TRUE;
}
static const sim_hist *fanout_latency(const slack_model *m) { return m->fan.h_fanout; }

const slack_component fanout_component = {
    .name = "fanout", .fields = fanout_fields, .n_fields = G_N_ELEMENTS(fanout_fields),
    .config_offset = offsetof(slack_config, core), .build = fanout_build, .free = fanout_free,
    .summary = fanout_summary, .load = fanout_load,
    .latency = fanout_latency, .latency_name = "fanout", .latency_label = "fan-out", .latency_unit = 1e6,
    .latency_unit_name = "ms",
};
