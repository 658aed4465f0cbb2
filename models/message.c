/* message: the message service. The sender's gateway takes the frame on
 * its connection's core; the service assigns the id "seconds.sequence",
 * decides thread replies, writes to PostgreSQL (postgres.c) and publishes
 * to the queue (Kafka, kafka.c, or Redis pub/sub, pubsub.c) once the write
 * commits.
 *
 * Invariants:
 *  - ids strictly increase per channel (max(now in us, last + 1));
 *  - each channel publishes to Kafka in id order: a write that commits
 *    before an earlier id of its channel waits in `parked` (writers run in
 *    parallel, so commits can overtake each other); a dropped write only
 *    frees its turn.
 * With messages.store = wide_column (Cassandra-like) neither holds, on
 * purpose: there is no per-channel sequence, so an id is the clock of the
 * sender's device (off by a fixed amount, uniform in +-clock_skew_ms, per
 * sender), and without a sequence nobody can tell that an earlier id is
 * still in flight, so each message is published when its write commits.
 * Counted: messages published after a larger id of their channel (what a
 * reader's client must re-sort: out_of_order) and ids below that of a
 * message of the channel sent earlier (id order is not send order, which
 * no sorting repairs: id_inversions; 0 without skew). */
#include "models/slack_internal.h"

#include <stddef.h>
#include <string.h>

static const char *const STORE_NAMES[] = { "postgres", "wide_column", NULL };
G_STATIC_ASSERT(sizeof(slack_store) == sizeof(int));

/* ================================================================ API implementation */

static uint32_t msg_alloc(slack_model *m)
{
    uint32_t slot = m->msg.free;
    if (slot != SLACK_NIL) { m->msg.free = msg_at(m, slot)->next_free; return slot; }
    msg_rec blank = { 0 };
    g_array_append_val(m->msg.recs, blank);
    return m->msg.recs->len - 1;
}

/* The sender's gateway; for a post injected for a user without a
 * connection (slack_model_post), a live gateway chosen by user id. */
static uint32_t sender_gateway(const slack_model *m, uint32_t sender)
{
    if (m->conn[sender] != GW_NONE) return m->conn[sender];
    uint32_t n = gw_count(m->gw), g = sender % n;
    for (uint32_t i = 0; i < n && !gw_alive(m->gw, g); i++) g = (g + 1) % n;
    return g;
}

/* wide_column: the sender's clock offset, us, uniform in +-skew: a hash of
 * the sender and the run's salt, so it is fixed per sender and needs no
 * table. */
static int64_t clock_offset_us(const slack_model *m, uint32_t sender)
{
    uint64_t z = ((uint64_t)sender << 1 | 1) ^ m->msg.clock_salt;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    double u = (double)(z >> 11) * 0x1.0p-53;
    return (int64_t)llround((2.0 * u - 1.0) * m->cfg->msg_clock_skew_ms * 1e3);
}

/* wide_column: the id is the sender's clock now; c->last_ts keeps the
 * largest id assigned so far, in send order. */
static void assign_clock_id(slack_model *m, msg_rec *r, chan_state *c, int64_t now_us)
{
    r->ts_us = now_us + clock_offset_us(m, r->sender);
    if (c->assigned && r->ts_us < c->last_ts) m->msg.id_inversions++;
    else c->last_ts = r->ts_us;
}

/* The id: the clock in microseconds, bumped past the channel's last id so
 * ids are unique and strictly increasing per channel (Slack's ts). */
static void assign_id(slack_model *m, msg_rec *r)
{
    chan_state *c = &m->msg.chan[r->channel];
    int64_t ts = m->cfg->epoch_s * 1000000 + sim_now(m->ctx) / 1000;
    if (G_UNLIKELY(m->msg.wide)) {
        assign_clock_id(m, r, c, ts);
    } else {
        r->ts_us = ts > c->last_ts ? ts : c->last_ts + 1;
        c->last_ts = r->ts_us;
    }
    r->chan_seq = c->assigned++;
    r->thread_us = 0;
    if (c->last_parent && sim_rng_uniform(&m->msg.rng) < m->cfg->thread_reply_fraction) {
        r->thread_us = c->last_parent;
        m->msg.thread_replies++;
    } else {
        c->last_parent = r->ts_us;
    }
}

static void service_ev(sim_ctx *ctx, void *data, uint64_t slot)
{
    (void)ctx;
    slack_model *m = data;
    msg_rec *r = msg_at(m, (uint32_t)slot);
    arrivals_prefetch_sender(m);
    if (m->obs.on) obs_stage(m, r, SLACK_STAGE_GATEWAY);
    assign_id(m, r);
    pg_submit(m, (uint32_t)slot);
}

void msg_send(slack_model *m, uint32_t channel, uint32_t sender)
{
    uint32_t slot = msg_alloc(m);
    msg_rec *r = msg_at(m, slot);
    *r = (msg_rec){ .serial = m->msg.serial_next++, .t_sent = sim_now(m->ctx), .channel = channel,
                    .sender = sender, .size = wl_channel_size(m->wl, channel),
                    .partition = kafka_partition_of(m, channel), .next_free = SLACK_NIL };
    m->msg.sent++; m->msg.iv_sent++; m->msg.in_flight++;
    if (m->obs.on) obs_stage(m, r, SLACK_STAGE_SENT);
    uint32_t gw = sender_gateway(m, sender);
    sim_time work = gw_inbound_work(m->gw) + m->deliv.send_work;
    sim_time start = gw_book(m->gw, gw, sender, work);
    sim_at(m->ctx, sim_time_add_sat(start, work), service_ev, m, slot);
}

static uint64_t park_key(uint32_t channel, uint32_t seq) { return ((uint64_t)channel << 32) | seq; }

/* Publishes every message of `channel` whose turn has come. */
static void flush_channel(slack_model *m, uint32_t channel)
{
    chan_state *c = &m->msg.chan[channel];
    for (;;) {
        gpointer v;
        gpointer key = (gpointer)(uintptr_t)park_key(channel, c->published);
        if (!g_hash_table_lookup_extended(m->msg.parked, key, NULL, &v)) return;
        g_hash_table_remove(m->msg.parked, key);
        c->published++;
        uint32_t slot = (uint32_t)GPOINTER_TO_UINT(v);
        if (slot != SLACK_NIL) m->publish(m, slot - 1);
    }
}

/* A message's turn in its channel: publish now or wait for earlier ids.
 * `slot` SLACK_NIL marks a dropped write, which only frees its turn. */
static void take_turn(slack_model *m, uint32_t channel, uint32_t seq, uint32_t slot)
{
    chan_state *c = &m->msg.chan[channel];
    if (seq != c->published) {
        g_hash_table_insert(m->msg.parked, (gpointer)(uintptr_t)park_key(channel, seq),
                            GUINT_TO_POINTER(slot == SLACK_NIL ? SLACK_NIL : slot + 1));
        return;
    }
    c->published++;
    if (slot != SLACK_NIL) m->publish(m, slot);
    if (g_hash_table_size(m->msg.parked)) flush_channel(m, channel);
}

/* wide_column: published at commit; a reader's client has already shown
 * a larger id of the channel if one was published before. */
static void publish_at_commit(slack_model *m, const msg_rec *r, uint32_t slot)
{
    int64_t *mx = &m->msg.max_published[r->channel];
    if (r->ts_us < *mx) m->msg.out_of_order++;
    else *mx = r->ts_us;
    m->publish(m, slot);
}

/* PostgreSQL committed the write (the pool's done callback). */
void msg_persisted(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    slack_model *m = user;
    if (G_UNLIKELY(job & PRESENCE_DB_JOB)) { presence_db_done(m->pres, job, started); return; }   /* presence.store db_rows */
    msg_rec *r = msg_at(m, (uint32_t)job);
    m->pg.persisted++; m->pg.iv_done++;
    sim_hist_record(m->pg.h_persist, sim_now(ctx) - arrived);
    if (m->obs.on) {
        obs_stage(m, r, SLACK_STAGE_PERSISTED);
        if (m->obs.fn.persisted) m->obs.fn.persisted(m->obs.user, r->serial, r->channel, r->ts_us, r->thread_us, sim_now(ctx));
    }
    if (G_UNLIKELY(m->msg.wide)) { publish_at_commit(m, r, (uint32_t)job); return; }
    take_turn(m, r->channel, r->chan_seq, (uint32_t)job);
}

/* PostgreSQL refused the write (queue_limit; the pool's drop callback). */
void msg_dropped(sim_ctx *ctx, void *user, uint64_t job)
{
    (void)ctx;
    slack_model *m = user;
    if (G_UNLIKELY(job & PRESENCE_DB_JOB)) { presence_db_dropped(m->pres, job); return; }
    msg_rec *r = msg_at(m, (uint32_t)job);
    m->pg.dropped++;
    uint32_t channel = r->channel, seq = r->chan_seq;
    /* a refused top-level message cannot be a thread's parent (tail drops
     * happen on arrival, before any later message of the channel) */
    if (m->msg.chan[channel].last_parent == r->ts_us) m->msg.chan[channel].last_parent = 0;
    msg_release(m, (uint32_t)job);
    if (!m->msg.wide) take_turn(m, channel, seq, SLACK_NIL);
}

/* ================================================================ the component */

static const sim_field msg_fields[] = {
    { "store", 0, 0, SIM_FIELD_ENUM, offsetof(slack_cfg, msg_store), NULL, STORE_NAMES, "\"postgres\"" },
    { "clock_skew_ms", 0, 1e7, SIM_FIELD_DOUBLE, offsetof(slack_cfg, msg_clock_skew_ms), "ms", NULL, "100" },
};

static gboolean msg_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    m->msg.chan = g_new0(chan_state, MAX(wl_channels(m->wl), 1u));
    m->msg.wide = m->cfg->msg_store == SLACK_STORE_WIDE_COLUMN;
    if (m->msg.wide) {
        sim_rng clock;
        sim_ctx_stream(m->ctx, "messages.clock", &clock);
        m->msg.clock_salt = sim_rng_u64(&clock);
        uint32_t n = MAX(wl_channels(m->wl), 1u);
        m->msg.max_published = g_new(int64_t, n);
        for (uint32_t i = 0; i < n; i++) m->msg.max_published[i] = INT64_MIN;   /* nothing published yet */
    }
    m->msg.recs = g_array_new(FALSE, FALSE, sizeof(msg_rec));
    m->msg.free = SLACK_NIL;
    m->msg.parked = g_hash_table_new(g_direct_hash, g_direct_equal);
    sim_ctx_stream(m->ctx, "message_service", &m->msg.rng);
    return TRUE;
}

static void msg_free(slack_model *m)
{
    g_free(m->msg.chan);
    g_free(m->msg.max_published);
    if (m->msg.recs) g_array_free(m->msg.recs, TRUE);
    if (m->msg.parked) g_hash_table_destroy(m->msg.parked);
}

static cJSON *msg_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "sent", (double)m->msg.sent);
    cJSON_AddNumberToObject(o, "persisted", (double)m->pg.persisted);
    cJSON_AddNumberToObject(o, "delivered_online", (double)m->fan.online);
    cJSON_AddNumberToObject(o, "push_offline", (double)m->push.queued);
    cJSON_AddNumberToObject(o, "dropped", (double)m->pg.dropped);
    cJSON_AddNumberToObject(o, "in_flight", (double)m->msg.in_flight);
    cJSON_AddNumberToObject(o, "thread_replies", (double)m->msg.thread_replies);
    cJSON_AddNumberToObject(o, "lost_to_crashed_clients", (double)m->fan.lost);
    cJSON_AddNumberToObject(o, "no_online_sender", (double)m->arr.no_sender);
    cJSON_AddNumberToObject(o, "per_sec_peak", m->msg.per_s_peak);
    /* With postgres both counts stay 0 by construction: assign_id keeps a
     * channel's ids increasing and take_turn publishes them in that order.
     * They are written anyway, so a comparison reads the same field. */
    cJSON_AddStringToObject(o, "store", STORE_NAMES[m->cfg->msg_store]);
    if (m->msg.wide) cJSON_AddNumberToObject(o, "clock_skew_ms", m->cfg->msg_clock_skew_ms);
    cJSON_AddNumberToObject(o, "out_of_order", (double)m->msg.out_of_order);
    cJSON_AddNumberToObject(o, "id_inversions", (double)m->msg.id_inversions);
    return o;
}

static void msg_report(const slack_model *m, GString *s)
{
    if (!m->msg.wide) return;
    uint64_t n = m->pg.persisted;
    g_string_append_printf(s, "Wide-column store: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " messages (%.2f%%) reached readers "
                           "after a larger id of their channel; %" G_GUINT64_FORMAT " ids below an earlier-sent message's "
                           "(clock skew +-%g ms)\n", m->msg.out_of_order, n, n ? 100.0 * (double)m->msg.out_of_order / (double)n : 0.0,
                           m->msg.id_inversions, m->cfg->msg_clock_skew_ms);
}

const slack_component msg_component = {
    .name = "messages", .fields = msg_fields, .n_fields = G_N_ELEMENTS(msg_fields),
    .config_offset = offsetof(slack_config, core), .build = msg_build, .free = msg_free,
    .summary = msg_summary, .report = msg_report,
};
