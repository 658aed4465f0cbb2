/* presence: heartbeats, SETEX/DEL of presence:{user}, and Redis's expiry
 * (lazy on access + the active expire cycle) deciding when a crashed
 * client's key is actually removed, i.e. when its crash is detected.
 *
 * Invariants:
 *  - state[u] is OFF, AGG (connected, aggregated: heartbeats are background
 *    load, the key is counted in its shard's agg_keys and is always live),
 *    IND (connected, simulated individually: a pr_client record with its
 *    own heartbeat events) or DEAD (crashed, not reconnected).
 *  - A pr_client record exists for every IND or DEAD user whose key is
 *    present or whose reconnect is pending; a record with key_set counts in
 *    its shard's explicit_keys, so the shard's TTL keyspace has
 *    agg_keys + explicit_keys keys.
 *  - A shard's `stale` array holds exactly the explicit keys found past
 *    their TTL by a promotion (due entries of the `due` heap, done at every
 *    expire cycle and when stale keys are counted) and not yet removed; each
 *    such record knows its index there (with expire.algorithm "scan", the
 *    same keys are also in `stale_pos`, ordered by table position). Heap
 *    entries carry the key's version at the time they were pushed; a SETEX
 *    or removal bumps the version, so outdated entries are dropped when
 *    they come due.
 * Aggregated keys never expire: their clients heartbeat until they
 * disconnect (DEL) or crash (the key becomes explicit, with the expiry its
 * last heartbeat gave it).
 *  - During a shard's failover (fo_on) an aggregated client's key is
 *    missing until a time computed from its phase or hash (agg_key_back),
 *    and an explicit key is simply not set; fo_shards counts such shards.
 *  - With store db_rows a "key" is a row: key_set and expire_at mean
 *    status online and last_seen + ttl; nothing expires lazily, no expire
 *    cycle runs and the due heaps stay empty: only the cleanup job removes
 *    rows. */
#include "models/presence.h"
#include "models/slack_internal.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include "sim/sim_error.h"
#include "sim/sim_rng.h"

enum { PR_OFF = 0, PR_AGG, PR_IND, PR_DEAD };
enum { PR_BY_ACTIVE, PR_BY_LAZY, PR_BY_DEL, PR_BY_FAILOVER };

/* Redis checks the cycle's time limit once every 16 loops (expire.c). */
#define PR_TIMELIMIT_CHECK_EVERY 16u
/* Redis 7.0 expire.c, at active-expire-effort 1; each effort step above 1
 * adds a quarter of the keys per loop and of the fast cycle's duration, 2
 * points of slow-cycle CPU and takes 1 point off the acceptable stale share. */
#define PR_R7_KEYS_PER_LOOP 20u
#define PR_R7_FAST_DURATION_US 1000u
#define PR_R7_SLOW_TIME_PERC 25u
#define PR_R7_ACCEPTABLE_STALE 10u
/* Redis <= 5: ACTIVE_EXPIRE_CYCLE_LOOKUPS_PER_LOOP, repeat while > 1/4 of
 * them expired, ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC. */
#define PR_R5_KEYS_PER_LOOP 20u
#define PR_R5_STALE_PCT 25.0
#define PR_R5_SLOW_TIME_PERC 25.0
/* A loop may visit 20 x its keys in buckets: Redis's comment says scanning
 * empty buckets is that much faster than keys, so a bucket visit costs
 * 1/20 of a sampled key's time here. */
#define PR_BUCKETS_PER_KEY 20u
/* dict.h DICT_HT_INITIAL_SIZE and server.h HASHTABLE_MIN_FILL (%). */
#define PR_DICT_MIN_SLOTS 4u
#define PR_DICT_MIN_FILL_PCT 10u

typedef struct pr_client {
    uint32_t user, gateway;
    uint32_t version;        /* bumped at every SETEX/removal of the key */
    uint32_t epoch;          /* bumped at every clean disconnect and reconnect */
    gboolean key_set;
    sim_time expire_at;      /* valid while key_set */
    sim_time crashed_at;     /* >= 0 while a crash awaits detection */
    int64_t stale_idx;       /* index in the shard's stale array, or -1 */
    uint64_t rpos;           /* bit-reversed hash: a table of 2^b buckets puts
                              * the key in bucket (hash mod 2^b), i.e. the
                              * keys of one bucket are one range of rpos */
    sim_event_id hb_ev, read_ev, reconnect_ev;
} pr_client;

typedef struct {
    sim_time t;
    uint32_t user, version;
} pr_due;

typedef struct {
    uint64_t agg_keys;       /* live keys of aggregated clients */
    uint64_t explicit_keys;  /* keys of pr_client records */
    GArray *stale;           /* uint32 users: past TTL, not yet removed */
    GArray *due;             /* pr_due min-heap by t */
    sim_rng rng;             /* the cycle's sampling */
    uint32_t index;
    /* "scan" only (Redis 6.0-7.0 expire.c): the expires dict's size, its
     * cursor and the stale keys by bucket. */
    GTree *stale_pos;        /* pr_client* -> itself, ordered by (rpos, user) */
    GPtrArray *hits;         /* scratch: the stale keys of one bucket */
    uint64_t slots;          /* buckets of the expires dict, a power of 2 */
    uint64_t cursor;         /* db->expires_cursor: next bucket is cursor mod slots */
    gboolean timelimit_exit; /* the last cycle stopped on its time limit */
    sim_time last_fast;      /* start of the last fast cycle */
    sim_event_id fast_ev;    /* the pending fast cycle, if any */
    /* redis_failover (faults.c): the master died at fo_lost with every
     * presence key; a replica took over at fo_promoted (writes between the
     * two went to the dead master). Each aggregated client's key is back at
     * its first heartbeat after the promotion, or at its place in the
     * resync storm (fo_storm_base + its hash's fraction of fo_storm_work). */
    gboolean fo_on;          /* some connected client's key may be missing */
    gboolean fo_promoted_yet;/* the replica has taken over */
    sim_time fo_lost, fo_promoted, fo_restored;
    sim_time fo_storm_base, fo_storm_work;
} pr_shard;

struct presence {
    sim_ctx *ctx;
    redis_server *redis;
    presence_config cfg;
    uint32_t n_users;
    uint8_t *state;          /* per user */
    float *phase;            /* per user: heartbeat phase in [0, heartbeat_s), s */
    GHashTable *clients;     /* user -> pr_client* (owned) */
    pr_shard *sh;
    uint32_t nsh;
    /* One stream per random process, so turning one on (say, watchers'
     * reads) leaves the others' draws, hence which clients crash when,
     * unchanged: configurations compare on common random numbers. */
    sim_rng rng_phase, rng_crash, rng_count, rng_read, rng_reconnect;
    sim_time hb_ns, ttl_ns;
    /* The expire cycle's parameters, resolved from algorithm and effort. */
    uint32_t kpl;            /* keys per loop */
    double stale_pct;        /* repeat while expired share > this, % */
    double slow_pct;         /* slow cycle's time limit, % of 1/hz */
    sim_time fast_ns;        /* fast cycle's time limit ("scan" only) */

    uint64_t connected, agg_connected;
    double agg_hb_area;      /* aggregated heartbeats up to agg_last */
    sim_time agg_last;
    uint64_t ind_heartbeats, crashes, detected, by_active, by_lazy;
    uint64_t crashed_pending, reconnected_early, false_expiries;
    uint64_t cycles, fast_cycles, loops, buckets, sampled, timelimit_hits;
    uint64_t stale_total, stale_peak;   /* stale keys over all shards */
    sim_hist *detect, *slack;
    /* redis_failover */
    uint32_t fo_shards;      /* shards whose keys are not all back */
    uint64_t fo_keys_lost, fo_crashes_cleared, fo_resync_setex;
    /* store "db_rows" (NULL submit: the Redis store) */
    struct {
        presence_db_submit_fn submit;  /* queues a job on the PostgreSQL pool */
        void *data;
        sim_rng rng;                   /* "presence.db": aggregated heartbeats' Poisson times, the cleanup's phase */
        uint64_t writes;               /* writes submitted (heartbeats, connects, disconnects) */
        uint64_t hb_writes;            /* of them, heartbeats */
        uint64_t dropped;              /* refused by the pool */
        uint64_t cleanups;             /* cleanup jobs committed */
        uint64_t rows_scanned;         /* rows they read */
        sim_hist *cleanup;             /* cleanup job: submitted -> committed, ns */
    } db;
};

/* ------------------------------------------------------------ config */

void presence_config_init(presence_config *c)
{
    c->heartbeat_s = 30.0;        /* seed: heartbeat every 30 s */
    c->ttl_s = 65.0;              /* seed: SETEX presence:{user} 65 */
    c->crash_per_hour = 0.0;
    c->crash_count = 0;
    c->crash_window_s = 300.0;
    c->reconnect_s = 0.0;
    c->reads_per_key_s = 0.0;
    c->individual_clients = 1000;
    c->pipeline = 1;              /* seed: one SETEX per heartbeat */
    c->expire_hz = 10;            /* redis.conf hz 10 */
    c->expire_effort = 1;         /* redis.conf active-expire-effort 1 */
    c->expire_keys_per_loop = 0;  /* 0: from algorithm and effort */
    c->expire_stale_pct = 0.0;    /* 0: from algorithm and effort */
    c->expire_time_limit_pct = 0.0; /* 0: from algorithm and effort */
    c->expire_sample_cost_s = 1e-6;
    c->expire_scan = TRUE;        /* Redis 6.0-7.0's bucket scan (Debian 12: 7.0.15) */
    c->failover_storm = FALSE;    /* keys come back with each client's next heartbeat */
    c->store_db = FALSE;          /* seed: presence as Redis TTL keys */
    c->db_pool = 0;               /* share the message writers */
    c->cleanup_interval_s = 60.0;
    c->cleanup_row_s = 1e-6;      /* a sequential scan reads ~1M rows/s per backend */
}

void presence_expire_params(const presence_config *c, presence_expire *out)
{
    uint32_t e = c->expire_effort >= 1 ? c->expire_effort - 1 : 0;   /* expire.c rescales to 0..9 */
    if (c->expire_scan) {
        out->keys_per_loop = PR_R7_KEYS_PER_LOOP + PR_R7_KEYS_PER_LOOP / 4 * e;
        out->stale_pct = (double)(PR_R7_ACCEPTABLE_STALE - e);
        out->time_limit_pct = (double)(PR_R7_SLOW_TIME_PERC + 2 * e);
        out->fast_duration_us = PR_R7_FAST_DURATION_US + PR_R7_FAST_DURATION_US / 4 * e;
    } else {
        out->keys_per_loop = PR_R5_KEYS_PER_LOOP;
        out->stale_pct = PR_R5_STALE_PCT;
        out->time_limit_pct = PR_R5_SLOW_TIME_PERC;
        out->fast_duration_us = 0;   /* modelled for "scan" only */
    }
    if (c->expire_keys_per_loop) out->keys_per_loop = c->expire_keys_per_loop;
    if (c->expire_stale_pct > 0.0) out->stale_pct = c->expire_stale_pct;
    if (c->expire_time_limit_pct > 0.0) out->time_limit_pct = c->expire_time_limit_pct;
}

/* Every "presence" key, once: read, defaults and the key list come from here. */
static const char *const EXPIRE_ALGORITHMS[] = { "sample", "scan", NULL };
static const char *const FAILOVER_RESYNC[] = { "heartbeat", "storm", NULL };
static const char *const STORES[] = { "redis_ttl", "db_rows", NULL };
G_STATIC_ASSERT(sizeof(gboolean) == sizeof(int));
#define PD(p, lo, hi, f, u) { p, lo, hi, SIM_FIELD_DOUBLE, offsetof(presence_config, f), u }
#define PU(p, lo, hi, f, u) { p, lo, hi, SIM_FIELD_U32, offsetof(presence_config, f), u }
static const sim_field pr_fields[] = {
    PD("heartbeat_s", 1e-3, 86400.0, heartbeat_s, "s"),
    PD("ttl_s", 1e-3, 864000.0, ttl_s, "s"),
    PD("crash_per_hour", 0.0, 3600.0, crash_per_hour, "1/h"),
    PU("crash_count", 0, 100000000, crash_count, "count"),
    PD("crash_window_s", 1e-3, 1e7, crash_window_s, "s"),
    PD("reconnect_s", 0.0, 864000.0, reconnect_s, "s"),
    PD("reads_per_key_s", 0.0, 1e6, reads_per_key_s, "1/s"),
    PU("individual_clients", 0, UINT32_MAX, individual_clients, "clients"),
    PU("pipeline", 1, 1000000, pipeline, "count"),
    PU("expire.hz", 1, 500, expire_hz, "1/s"),
    PU("expire.keys_per_loop", 0, 100000, expire_keys_per_loop, "keys"),
    PD("expire.stale_pct", 0.0, 100.0, expire_stale_pct, "%"),
    PD("expire.time_limit_pct", 0.0, 100.0, expire_time_limit_pct, "%"),
    PD("expire.sample_cost_s", 0.0, 1.0, expire_sample_cost_s, "s"),
    { "expire.algorithm", 0, 0, SIM_FIELD_ENUM, offsetof(presence_config, expire_scan), NULL, EXPIRE_ALGORITHMS },
    { "failover_resync", 0, 0, SIM_FIELD_ENUM, offsetof(presence_config, failover_storm), NULL, FAILOVER_RESYNC },
    { "store", 0, 0, SIM_FIELD_ENUM, offsetof(presence_config, store_db), NULL, STORES },
    PU("db_pool", 0, 100000, db_pool, "count"),
    PD("cleanup_interval_s", 1e-3, 864000.0, cleanup_interval_s, "s"),
    PD("cleanup_row_s", 0.0, 1.0, cleanup_row_s, "s"),
};
#undef PD
#undef PU

/* Written from presence_config_init through the table that reads the keys. */
cJSON *presence_defaults(void)
{
    presence_config c;
    presence_config_init(&c);
    cJSON *o = cJSON_CreateObject();
    sim_scenario_fields_to_json(o, pr_fields, G_N_ELEMENTS(pr_fields), &c);
    return o;
}

/* The aggregation (and the pattern) rests on live keys never expiring
 * between two heartbeats. */
static gboolean check_ttl(const sim_scenario *sc, const presence_config *c, GError **error)
{
    if (c->ttl_s > c->heartbeat_s) return TRUE;
    return sim_error_at(error, SIM_ERROR_VALUE, sim_scenario_origin(sc), "presence.ttl_s",
                        "must be greater than presence.heartbeat_s (%g), got %g", c->heartbeat_s, c->ttl_s);
}

gboolean presence_config_from_scenario(const sim_scenario *sc, presence_config *c, GError **error)
{
    presence_config_init(c);
    return sim_scenario_read_fields(sc, "presence", pr_fields, G_N_ELEMENTS(pr_fields), c, error)
        && check_ttl(sc, c, error);
}

/* ------------------------------------------------------------- heap */

static void due_push(GArray *h, sim_time t, uint32_t user, uint32_t version)
{
    pr_due e = { t, user, version };
    g_array_append_val(h, e);
    pr_due *a = (pr_due *)(void *)h->data;
    for (guint i = h->len - 1; i > 0;) {
        guint up = (i - 1) / 2;
        if (a[up].t <= a[i].t) break;
        pr_due tmp = a[up]; a[up] = a[i]; a[i] = tmp;
        i = up;
    }
}

static pr_due due_pop(GArray *h)
{
    pr_due *a = (pr_due *)(void *)h->data;
    pr_due top = a[0];
    a[0] = a[h->len - 1];
    g_array_set_size(h, h->len - 1);
    guint n = h->len, i = 0;
    for (;;) {
        guint l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && a[l].t < a[m].t) m = l;
        if (r < n && a[r].t < a[m].t) m = r;
        if (m == i) break;
        pr_due tmp = a[m]; a[m] = a[i]; a[i] = tmp;
        i = m;
    }
    return top;
}

/* ---------------------------------------------------------- helpers */

static uint64_t bit_reverse64(uint64_t x)
{
    x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
    x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((x & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(x);
}

/* presence:{user}'s hash in the expires dict (Redis hashes with SipHash; any
 * good 64-bit mix independent of the shard choice gives the same uniform
 * buckets), bit-reversed: the bucket of a table of 2^b slots is the hash's
 * low b bits, i.e. rpos's top b bits reversed, so one bucket's keys are
 * one contiguous range of rpos whatever the table size. */
static uint64_t key_rpos(uint32_t user)
{
    uint64_t z = (uint64_t)user ^ 0x6a09e667f3bcc909ULL;
    z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
    z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    z ^= z >> 33;
    return bit_reverse64(z);
}

static gint pos_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    const pr_client *x = a, *y = b;
    if (x->rpos != y->rpos) return x->rpos < y->rpos ? -1 : 1;
    return (x->user > y->user) - (x->user < y->user);
}

static pr_client *client_get(presence *p, uint32_t user)
{
    return g_hash_table_lookup(p->clients, GUINT_TO_POINTER(user));
}

static pr_client *client_ensure(presence *p, uint32_t user, uint32_t gateway)
{
    pr_client *c = client_get(p, user);
    if (c) { c->gateway = gateway; return c; }
    c = g_new0(pr_client, 1);
    c->user = user;
    c->gateway = gateway;
    c->crashed_at = -1;
    c->stale_idx = -1;
    c->rpos = key_rpos(user);
    g_hash_table_insert(p->clients, GUINT_TO_POINTER(user), c);
    return c;
}

static pr_shard *shard_of(presence *p, uint32_t user)
{
    return &p->sh[redis_shard_of(p->redis, user)];
}

static void client_drop_if_idle(presence *p, pr_client *c)
{
    if (c->key_set || p->state[c->user] == PR_IND || sim_is_pending(p->ctx, c->reconnect_ev)) return;
    sim_cancel(p->ctx, c->read_ev);
    g_hash_table_remove(p->clients, GUINT_TO_POINTER(c->user));
}

/* Aggregated clients: heartbeats integrate, background load follows. */
static void agg_change(presence *p, uint32_t user, int delta)
{
    sim_time now = sim_now(p->ctx);
    p->agg_hb_area += (double)p->agg_connected * (double)(now - p->agg_last) / (double)p->hb_ns;
    p->agg_last = now;
    p->agg_connected = (uint64_t)((int64_t)p->agg_connected + delta);
    pr_shard *s = shard_of(p, user);
    s->agg_keys = (uint64_t)((int64_t)s->agg_keys + delta);
    if (!p->cfg.store_db) redis_add_background_shard(p->redis, s->index, delta / p->cfg.heartbeat_s, p->cfg.pipeline);
}

static void reads_change(presence *p, uint32_t user, int delta)
{
    if (p->cfg.reads_per_key_s <= 0.0 || p->cfg.store_db) return;
    redis_add_background_shard(p->redis, redis_shard_of(p->redis, user), delta * p->cfg.reads_per_key_s, 1.0);
}

static sim_time exp_ns(sim_rng *rng, double mean_s)
{
    return sim_time_from_sec(-mean_s * log(sim_rng_uniform_pos(rng)));
}

/* ------------------------------------------------------- key state */

/* The key leaves Redis now; a crash awaiting detection is detected. */
static void key_remove(presence *p, pr_client *c, int how)
{
    g_assert(c->key_set);
    pr_shard *s = shard_of(p, c->user);
    sim_time now = sim_now(p->ctx);
    if (c->stale_idx >= 0) {
        if (s->stale_pos) g_tree_remove(s->stale_pos, c);
        GArray *a = s->stale;
        uint32_t last = g_array_index(a, uint32_t, a->len - 1);
        g_array_index(a, uint32_t, c->stale_idx) = last;
        client_get(p, last)->stale_idx = c->stale_idx;
        g_array_set_size(a, a->len - 1);
        c->stale_idx = -1;
        p->stale_total--;
    }
    c->key_set = FALSE;
    c->version++;
    s->explicit_keys--;
    sim_cancel(p->ctx, c->read_ev);
    c->read_ev = SIM_EVENT_NONE;
    if (how == PR_BY_FAILOVER) {
        /* the key is gone with the master: a crashed client now reads as
         * offline, but no expiry found it, so it is no detection */
        if (c->crashed_at >= 0) { p->crashed_pending--; p->fo_crashes_cleared++; c->crashed_at = -1; }
    } else if (c->crashed_at >= 0 && how != PR_BY_DEL) {
        p->detected++;
        p->crashed_pending--;
        if (how == PR_BY_ACTIVE) p->by_active++; else p->by_lazy++;
        sim_hist_record(p->detect, now - c->crashed_at);
        sim_hist_record(p->slack, now - c->expire_at);
        c->crashed_at = -1;
    } else if (how != PR_BY_DEL && p->state[c->user] == PR_IND) {
        p->false_expiries++;   /* a live client's heartbeat came too late */
    }
}

static void on_read(sim_ctx *ctx, void *data, uint64_t arg);

/* Watchers read the key at Poisson times; only the first read after the
 * TTL matters, and by memorylessness it comes Exp(rate) after expiry. */
static void arm_read(presence *p, pr_client *c)
{
    if (p->cfg.reads_per_key_s <= 0.0 || p->cfg.store_db || !c->key_set || c->crashed_at < 0) return;
    sim_cancel(p->ctx, c->read_ev);
    sim_time at = MAX(sim_now(p->ctx), c->expire_at) + exp_ns(&p->rng_read, 1.0 / p->cfg.reads_per_key_s);
    c->read_ev = sim_at(p->ctx, at, on_read, p, c->user);
}

static void key_set(presence *p, pr_client *c, sim_time expire_at)
{
    pr_shard *s = shard_of(p, c->user);
    /* SETEX looks the key up first: an expired one is deleted (Redis's
     * lookupKeyWrite), which is a detection if its client crashed. */
    if (c->key_set && !p->cfg.store_db && sim_now(p->ctx) >= c->expire_at) key_remove(p, c, PR_BY_LAZY);
    if (!c->key_set) s->explicit_keys++;
    c->key_set = TRUE;
    c->version++;
    c->expire_at = expire_at;   /* db_rows: last_seen + ttl_s, what the cleanup compares */
    if (!p->cfg.store_db) due_push(s->due, expire_at, c->user, c->version);
    arm_read(p, c);
}

/* Lazy expiry: any access to an expired key deletes it first. */
static gboolean key_live(presence *p, pr_client *c)
{
    if (!c->key_set) return FALSE;
    /* a row's status says online until the cleanup job changes it */
    if (p->cfg.store_db || sim_now(p->ctx) < c->expire_at) return TRUE;
    key_remove(p, c, PR_BY_LAZY);
    client_drop_if_idle(p, c);
    return FALSE;
}

static void on_read(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    presence *p = data;
    pr_client *c = client_get(p, (uint32_t)arg);
    if (c) { c->read_ev = SIM_EVENT_NONE; key_live(p, c); }
}

/* ------------------------------------------------------- heartbeats */

static void on_setex_done(sim_ctx *ctx, void *data, uint64_t arg)
{
    presence *p = data;
    pr_client *c = client_get(p, (uint32_t)arg);
    if (!c || c->epoch != (uint32_t)(arg >> 32)) return;   /* a DEL came after */
    const pr_shard *s = shard_of(p, c->user);
    if (G_UNLIKELY(s->fo_on && !s->fo_promoted_yet)) return;   /* written to the dead master */
    key_set(p, c, sim_now(ctx) + p->ttl_ns);
}

static void db_write(presence *p, uint64_t job);
#define PR_DB_IND (UINT64_C(1) << 62)       /* an individual client's UPDATE: epoch and user below */
#define PR_DB_CLEANUP (UINT64_C(1) << 61)   /* the cleanup job */
#define PR_DB_EPOCH_MASK 0x1fffffffu        /* the epoch bits a job carries */

static void send_setex(presence *p, pr_client *c)
{
    if (p->cfg.store_db) {   /* UPDATE presence SET last_seen = now() WHERE user_id = $1 */
        db_write(p, PRESENCE_DB_JOB | PR_DB_IND | ((uint64_t)(c->epoch & PR_DB_EPOCH_MASK) << 32) | c->user);
        return;
    }
    redis_request(p->redis, c->user, 1, on_setex_done, p, ((uint64_t)c->epoch << 32) | c->user);
}

static void on_heartbeat(sim_ctx *ctx, void *data, uint64_t arg)
{
    presence *p = data;
    pr_client *c = client_get(p, (uint32_t)arg);
    if (!c || p->state[c->user] != PR_IND) return;
    p->ind_heartbeats++;
    if (p->cfg.store_db) p->db.hb_writes++;
    send_setex(p, c);
    c->hb_ev = sim_after(ctx, p->hb_ns, on_heartbeat, p, c->user);
}

/* ----------------------------------------------------- expire cycle */

static void promote_due(presence *p, pr_shard *s)
{
    sim_time now = sim_now(p->ctx);
    while (s->due->len && g_array_index(s->due, pr_due, 0).t <= now) {
        pr_due d = due_pop(s->due);
        pr_client *c = client_get(p, d.user);
        if (!c || !c->key_set || c->version != d.version || c->stale_idx >= 0) continue;
        c->stale_idx = s->stale->len;
        g_array_append_val(s->stale, d.user);
        if (s->stale_pos) g_tree_insert(s->stale_pos, c, c);
        p->stale_total++;
    }
}

/* One loop of Redis <= 5 ("sample"): `num` draws with replacement from
 * the shard's TTL keyspace (dictGetRandomKey); a draw hits an expired key
 * with probability stale / keys. */
static uint32_t expire_loop(presence *p, pr_shard *s, uint32_t num)
{
    uint32_t expired = 0;
    for (uint32_t i = 0; i < num; i++) {
        uint64_t keys = s->agg_keys + s->explicit_keys;
        if (!keys) break;
        if (sim_rng_below(&s->rng, keys) >= s->stale->len) continue;
        uint32_t user = g_array_index(s->stale, uint32_t, sim_rng_below(&s->rng, s->stale->len));
        pr_client *c = client_get(p, user);
        key_remove(p, c, PR_BY_ACTIVE);
        client_drop_if_idle(p, c);
        expired++;
    }
    return expired;
}

/* Poisson(lambda) by inversion (lambda is a table's load, about 1). */
static uint32_t poisson_small(sim_rng *rng, double lambda)
{
    double u = sim_rng_uniform(rng), term = exp(-lambda), cdf = term;
    uint32_t k = 0;
    while (u > cdf && k < 1000) {
        k++;
        term *= lambda / k;
        cdf += term;
    }
    return k;
}

/* The expires dict's size after Redis's resizing rules (dict.c 7.0): it
 * grows to the next power of two above `used` once used reaches the size,
 * and serverCron shrinks it to the next power of two >= used once it is
 * less than 10% full. Incremental rehashing is taken as instant. */
static void dict_resize(pr_shard *s)
{
    uint64_t used = s->agg_keys + s->explicit_keys;
    if (s->slots < PR_DICT_MIN_SLOTS) s->slots = PR_DICT_MIN_SLOTS;
    if (used >= s->slots) {
        while (s->slots <= used) s->slots <<= 1;
    } else if (s->slots > PR_DICT_MIN_SLOTS && used * 100 / s->slots < PR_DICT_MIN_FILL_PCT) {
        uint64_t n = PR_DICT_MIN_SLOTS;
        while (n < used) n <<= 1;
        s->slots = n;
    }
}

/* Appends the stale keys of bucket `b` (of s->slots) to s->hits. */
static void collect_bucket(pr_shard *s, uint64_t b)
{
    int bits = __builtin_ctzll(s->slots);
    uint64_t lo = bit_reverse64(b) & (bits ? ~0ULL << (64 - bits) : 0);
    uint64_t span = bits ? 1ULL << (64 - bits) : 0;
    pr_client probe = { .rpos = lo, .user = 0 };
    for (GTreeNode *n = g_tree_lower_bound(s->stale_pos, &probe); n; n = g_tree_node_next(n)) {
        pr_client *c = g_tree_node_key(n);
        if (bits && c->rpos - lo >= span) break;
        g_ptr_array_add(s->hits, c);
    }
}

/* One loop of Redis 6.0-7.0's scan (expire.c): visit buckets from the
 * cursor (`db->expires_cursor++`, bucket = cursor mod slots) until `num`
 * keys were sampled or 20 x num buckets checked; every key of a visited
 * bucket is sampled and deleted if expired. A bucket's live keys are a
 * Poisson(live / slots) draw (keys hash uniformly), its stale keys are
 * exactly those whose hash falls in it. */
static void expire_loop_scan(presence *p, pr_shard *s, uint32_t num, double live_load,
                             uint64_t *sampled, uint64_t *expired, uint64_t *checked)
{
    uint64_t max_buckets = (uint64_t)num * PR_BUCKETS_PER_KEY;
    *sampled = *expired = *checked = 0;
    while (*sampled < num && *checked < max_buckets) {
        uint64_t b = s->cursor & (s->slots - 1);
        s->cursor++;
        (*checked)++;
        *sampled += poisson_small(&s->rng, live_load);
        if (!s->stale->len) continue;
        g_ptr_array_set_size(s->hits, 0);
        collect_bucket(s, b);
        for (guint i = 0; i < s->hits->len; i++) {
            pr_client *c = g_ptr_array_index(s->hits, i);
            key_remove(p, c, PR_BY_ACTIVE);
            client_drop_if_idle(p, c);
        }
        *sampled += s->hits->len;
        *expired += s->hits->len;
    }
}

static void on_expire_cycle(sim_ctx *ctx, void *data, uint64_t arg);
static void on_fast_cycle(sim_ctx *ctx, void *data, uint64_t arg);

/* activeExpireCycle: a slow cycle (limit slow_pct of 1/hz) from serverCron
 * or a fast one (limit fast_ns) from beforeSleep. Returns the thread time
 * it used, which is charged to the shard. */
static sim_time expire_cycle_run(presence *p, pr_shard *s, gboolean fast)
{
    promote_due(p, s);
    p->cycles++;
    if (fast) p->fast_cycles++;
    p->stale_peak = MAX(p->stale_peak, p->stale_total);
    double limit_s = fast ? sim_time_to_sec(p->fast_ns) : p->slow_pct / 100.0 / p->cfg.expire_hz;
    double elapsed_s = 0.0, cost = p->cfg.expire_sample_cost_s;
    uint32_t iteration = 0;
    s->timelimit_exit = FALSE;
    if (p->cfg.expire_scan) dict_resize(s);
    uint64_t swept = 0;
    for (;;) {
        uint64_t keys = s->agg_keys + s->explicit_keys;
        if (!keys) break;
        uint32_t num = (uint32_t)MIN((uint64_t)p->kpl, keys);
        gboolean repeat;
        iteration++;
        p->loops++;
        if (p->cfg.expire_scan) {
            uint64_t sampled, expired, checked;
            double live_load = (double)(keys - s->stale->len) / (double)s->slots;
            expire_loop_scan(p, s, num, live_load, &sampled, &expired, &checked);
            p->buckets += checked;
            p->sampled += sampled;
            swept += checked;
            elapsed_s += (double)sampled * cost + (double)checked * cost / PR_BUCKETS_PER_KEY;
            /* `while (sampled == 0 || expired*100/sampled > acceptable_stale)`,
             * in integer arithmetic as in Redis. A loop that found nothing
             * repeats until the time limit; the model also stops once the
             * cycle has visited the whole table (the real one would spin on
             * the clock, which a zero sample cost would not advance). */
            repeat = sampled == 0 ? swept < s->slots
                                  : (double)(expired * 100 / sampled) > p->stale_pct;
        } else {
            uint32_t expired = expire_loop(p, s, num);
            elapsed_s += num * cost;
            p->sampled += num;
            /* Redis <= 5: `while (expired > LOOKUPS_PER_LOOP/4)`, a count
             * against the full loop size even when fewer keys exist. */
            repeat = expired * 100.0 > p->stale_pct * p->kpl;
        }
        if (iteration % PR_TIMELIMIT_CHECK_EVERY == 0 && elapsed_s > limit_s) {
            p->timelimit_hits++;
            s->timelimit_exit = TRUE;
            break;
        }
        if (!repeat) break;
    }
    sim_time work = sim_time_from_sec(elapsed_s);
    redis_charge_work(p->redis, s->index, work);
    return work;
}

/* beforeSleep runs a fast cycle only if the last cycle hit its time limit
 * (Redis 7.0 also checks its stale estimate, a fraction compared with a
 * percentage, so only the time limit counts), and never within twice its
 * duration of the last one's start. The model takes the event loop to go
 * round as soon as the cycle's work is done and then continuously (a
 * server with traffic): the next fast cycle comes at the later of the two. */
static void schedule_fast(presence *p, pr_shard *s, sim_time work)
{
    if (!p->cfg.expire_scan || !s->timelimit_exit || sim_is_pending(p->ctx, s->fast_ev)) return;
    sim_time now = sim_now(p->ctx);
    sim_time at = MAX(now + work, s->last_fast + 2 * p->fast_ns);
    s->fast_ev = sim_at(p->ctx, at, on_fast_cycle, p, s->index);
}

static void on_fast_cycle(sim_ctx *ctx, void *data, uint64_t arg)
{
    presence *p = data;
    pr_shard *s = &p->sh[arg];
    s->fast_ev = SIM_EVENT_NONE;
    if (!s->timelimit_exit) return;    /* a slow cycle since finished in time */
    s->last_fast = sim_now(ctx);
    schedule_fast(p, s, expire_cycle_run(p, s, TRUE));
}

static void on_expire_cycle(sim_ctx *ctx, void *data, uint64_t arg)
{
    presence *p = data;
    pr_shard *s = &p->sh[arg];
    schedule_fast(p, s, expire_cycle_run(p, s, FALSE));
    sim_after(ctx, sim_time_from_sec(1.0 / p->cfg.expire_hz), on_expire_cycle, p, arg);
}

/* ----------------------------------------------------- crash process */

static void on_reconnect(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    presence *p = data;
    pr_client *c = client_get(p, (uint32_t)arg);
    if (!c) return;
    c->reconnect_ev = SIM_EVENT_NONE;
    presence_connect(p, c->user, c->gateway);
}

/* Thinning: candidates arrive at crash_per_hour * n_users per hour and a
 * uniformly chosen user crashes if connected, so each connected client
 * crashes at crash_per_hour per hour whatever the connected count does. */
static void on_crash_candidate(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    presence *p = data;
    uint32_t user = (uint32_t)sim_rng_below(&p->rng_crash, p->n_users);
    presence_crash(p, user);
    double rate_s = p->cfg.crash_per_hour / 3600.0 * p->n_users;
    sim_after(ctx, exp_ns(&p->rng_crash, 1.0 / rate_s), on_crash_candidate, p, 0);
}

/* crash_count: one of the crashes scheduled uniformly over the window
 * hits a uniformly chosen connected client (rejection over all users; a
 * crash finding none connected after many tries is skipped). */
static void on_counted_crash(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx; (void)arg;
    presence *p = data;
    for (int tries = 0; tries < 4096 && p->connected; tries++) {
        uint32_t user = (uint32_t)sim_rng_below(&p->rng_count, p->n_users);
        if (presence_connected(p, user)) { presence_crash(p, user); return; }
    }
}

/* ------------------------------------------------------- lifecycle */

presence *presence_new(sim_ctx *ctx, redis_server *redis, const presence_config *cfg, uint32_t n_users)
{
    g_return_val_if_fail(ctx && redis && cfg && cfg->heartbeat_s > 0 && cfg->ttl_s > 0 && cfg->expire_hz >= 1, NULL);
    presence *p = g_new0(presence, 1);
    p->ctx = ctx;
    p->redis = redis;
    p->cfg = *cfg;
    p->n_users = n_users;
    p->state = g_new0(uint8_t, MAX(n_users, 1u));
    p->phase = g_new0(float, MAX(n_users, 1u));
    p->clients = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    p->hb_ns = sim_time_from_sec(cfg->heartbeat_s);
    p->ttl_ns = sim_time_from_sec(cfg->ttl_s);
    presence_expire ex;
    presence_expire_params(cfg, &ex);
    p->kpl = ex.keys_per_loop;
    p->stale_pct = ex.stale_pct;
    p->slow_pct = ex.time_limit_pct;
    p->fast_ns = sim_time_from_sec(ex.fast_duration_us * 1e-6);
    sim_ctx_stream(ctx, "presence.phase", &p->rng_phase);
    sim_ctx_stream(ctx, "presence.crash", &p->rng_crash);
    sim_ctx_stream(ctx, "presence.crash_count", &p->rng_count);
    sim_ctx_stream(ctx, "presence.read", &p->rng_read);
    sim_ctx_stream(ctx, "presence.reconnect", &p->rng_reconnect);
    p->nsh = redis_shards(redis);
    p->sh = g_new0(pr_shard, p->nsh);
    sim_time period = sim_time_from_sec(1.0 / cfg->expire_hz);
    for (uint32_t i = 0; i < p->nsh; i++) {
        pr_shard *s = &p->sh[i];
        s->index = i;
        s->stale = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        s->due = g_array_new(FALSE, FALSE, sizeof(pr_due));
        if (cfg->expire_scan) {
            s->stale_pos = g_tree_new_full(pos_cmp, NULL, NULL, NULL);
            s->hits = g_ptr_array_new();
            s->slots = PR_DICT_MIN_SLOTS;
            s->last_fast = -(sim_time)SIM_SEC;   /* no fast cycle yet */
        }
        char *name = g_strdup_printf("presence.expire.%u", i);
        sim_ctx_stream(ctx, name, &s->rng);
        g_free(name);
        /* Shards' cron ticks are not aligned. */
        sim_time first = (sim_time)sim_rng_below(&s->rng, (uint64_t)period);
        if (!cfg->store_db) sim_after(ctx, first, on_expire_cycle, p, i);
    }
    p->agg_last = sim_now(ctx);
    p->detect = sim_hist_new();
    p->slack = sim_hist_new();
    if (cfg->crash_per_hour > 0.0 && n_users > 0)
        sim_after(ctx, exp_ns(&p->rng_crash, 3600.0 / (cfg->crash_per_hour * n_users)), on_crash_candidate, p, 0);
    sim_time window = sim_time_from_sec(cfg->crash_window_s);
    for (uint32_t i = 0; n_users > 0 && i < cfg->crash_count; i++)
        sim_after(ctx, (sim_time)sim_rng_below(&p->rng_count, (uint64_t)MAX(window, 1)), on_counted_crash, p, 0);
    return p;
}

void presence_free(presence *p)
{
    if (!p) return;
    for (uint32_t i = 0; i < p->nsh; i++) {
        g_array_free(p->sh[i].stale, TRUE);
        g_array_free(p->sh[i].due, TRUE);
        if (p->sh[i].stale_pos) g_tree_destroy(p->sh[i].stale_pos);
        if (p->sh[i].hits) g_ptr_array_free(p->sh[i].hits, TRUE);
    }
    g_free(p->sh);
    g_hash_table_destroy(p->clients);
    g_free(p->state);
    g_free(p->phase);
    sim_hist_free(p->detect);
    sim_hist_free(p->slack);
    sim_hist_free(p->db.cleanup);
    g_free(p);
}

/* ------------------------------------------------- connect and so on */

/* A client connecting at time 0 was connected before the run: its last
 * heartbeat was a uniform time ago and no connect SETEX is sent. Returns
 * the time of its last heartbeat (now for a fresh connect). */
static sim_time connect_phase(presence *p, uint32_t user, gboolean *fresh)
{
    sim_time now = sim_now(p->ctx);
    *fresh = now > 0;
    sim_time last = now;
    if (!*fresh) last = -(sim_time)sim_rng_below(&p->rng_phase, (uint64_t)p->hb_ns);
    sim_time ph = last % p->hb_ns;
    if (ph < 0) ph += p->hb_ns;
    p->phase[user] = (float)sim_time_to_sec(ph);
    return last;
}

static void connect_individual(presence *p, pr_client *c, sim_time last, gboolean fresh)
{
    p->state[c->user] = PR_IND;
    if (fresh) send_setex(p, c);
    else key_set(p, c, last + p->ttl_ns);
    c->hb_ev = sim_at(p->ctx, last + p->hb_ns, on_heartbeat, p, c->user);
}

void presence_connect(presence *p, uint32_t user, uint32_t gateway)
{
    g_return_if_fail(user < p->n_users);
    if (p->state[user] == PR_AGG || p->state[user] == PR_IND) return;
    gboolean fresh;
    sim_time last = connect_phase(p, user, &fresh);
    /* Only crashed (DEAD) users can have a record while not connected. */
    pr_client *c = p->state[user] == PR_DEAD ? client_get(p, user) : NULL;
    if (c) {                                  /* back after a crash */
        sim_cancel(p->ctx, c->reconnect_ev);
        c->reconnect_ev = SIM_EVENT_NONE;
        if (c->key_set && c->crashed_at >= 0 && (p->cfg.store_db || sim_now(p->ctx) < c->expire_at)) {
            p->reconnected_early++;          /* never detected: SETEX overwrites */
            p->crashed_pending--;
            c->crashed_at = -1;
        }
        c->epoch++;
    }
    p->connected++;
    reads_change(p, user, +1);
    if (user < p->cfg.individual_clients) {
        connect_individual(p, client_ensure(p, user, gateway), last, fresh);
        return;
    }
    if (c) {                                  /* the SETEX replaces the old key */
        if (c->key_set) key_remove(p, c, sim_now(p->ctx) >= c->expire_at ? PR_BY_LAZY : PR_BY_DEL);
        g_hash_table_remove(p->clients, GUINT_TO_POINTER(user));
    }
    p->state[user] = PR_AGG;
    agg_change(p, user, +1);
    if (fresh && p->cfg.store_db) db_write(p, PRESENCE_DB_JOB);
    else if (fresh) redis_charge(p->redis, user, 1);
}

void presence_disconnect(presence *p, uint32_t user)
{
    g_return_if_fail(user < p->n_users);
    uint8_t st = p->state[user];
    if (st != PR_AGG && st != PR_IND) return;
    p->connected--;
    reads_change(p, user, -1);
    if (p->cfg.store_db) db_write(p, PRESENCE_DB_JOB);   /* UPDATE ... SET status = 'offline' */
    else redis_charge(p->redis, user, 1);     /* DEL presence:{user} */
    p->state[user] = PR_OFF;
    if (st == PR_AGG) { agg_change(p, user, -1); return; }
    pr_client *c = client_get(p, user);
    sim_cancel(p->ctx, c->hb_ev);
    c->epoch++;                               /* a SETEX in flight lands before the DEL */
    if (c->key_set) key_remove(p, c, PR_BY_DEL);
    client_drop_if_idle(p, c);
}

/* Time of the aggregated client's most recent heartbeat (<= now). */
static sim_time last_heartbeat(presence *p, uint32_t user)
{
    sim_time now = sim_now(p->ctx);
    sim_time ph = sim_time_from_sec(p->phase[user]);
    sim_time since = (now - ph) % p->hb_ns;
    if (since < 0) since += p->hb_ns;
    return now - since;
}

void presence_crash(presence *p, uint32_t user)
{
    g_return_if_fail(user < p->n_users);
    uint8_t st = p->state[user];
    if (st != PR_AGG && st != PR_IND) return;
    p->crashes++;
    p->crashed_pending++;
    p->connected--;
    reads_change(p, user, -1);
    pr_client *c;
    if (st == PR_AGG) {
        agg_change(p, user, -1);
        c = client_ensure(p, user, 0);
        p->state[user] = PR_DEAD;
        c->crashed_at = sim_now(p->ctx);
        key_set(p, c, last_heartbeat(p, user) + p->ttl_ns);
    } else {
        c = client_get(p, user);
        sim_cancel(p->ctx, c->hb_ev);
        p->state[user] = PR_DEAD;
        c->crashed_at = sim_now(p->ctx);
        arm_read(p, c);
    }
    /* A SETEX still in flight (an individual client always has its key or
     * one) lands later and refreshes the key once more, as in Redis. */
    if (p->cfg.reconnect_s > 0.0)
        c->reconnect_ev = sim_after(p->ctx, exp_ns(&p->rng_reconnect, p->cfg.reconnect_s), on_reconnect, p, user);
}

/* ------------------------------------------------- store "db_rows" */

static void db_write(presence *p, uint64_t job)
{
    p->db.writes++;
    p->db.submit(p->db.data, job, 0);
}

/* The aggregated clients' heartbeat UPDATEs: their phases are uniform and
 * independent, so together they arrive as a Poisson stream of rate
 * connected / heartbeat_s (redrawn at each one: memoryless). */
static void on_db_heartbeat(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    presence *p = data;
    if (p->agg_connected) {
        db_write(p, PRESENCE_DB_JOB);
        p->db.hb_writes++;
    }
    double rate = (double)MAX(p->agg_connected, 1u) / p->cfg.heartbeat_s;
    sim_after(ctx, MAX(exp_ns(&p->db.rng, 1.0 / rate), 1), on_db_heartbeat, p, 0);
}

/* The cron: `UPDATE presence SET status = 'offline' WHERE status = 'online'
 * AND last_seen < now() - ttl`, a scan of every row (connected and stale),
 * holding one writer for rows x cleanup_row_s. */
static void on_cleanup(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    presence *p = data;
    uint64_t rows = presence_keys(p);
    p->db.rows_scanned += rows;
    sim_time work = MAX(sim_time_from_sec((double)rows * p->cfg.cleanup_row_s), 1);
    /* the submit time rides in the low bits, for the job's sojourn */
    p->db.submit(p->db.data, PRESENCE_DB_JOB | PR_DB_CLEANUP | (uint64_t)(sim_now(ctx) / 1000), work);
    sim_after(ctx, sim_time_from_sec(p->cfg.cleanup_interval_s), on_cleanup, p, 0);
}

/* The job read the table as of `started`: rows whose last_seen + ttl had
 * passed by then go offline now, at its commit. */
static void cleanup_done(presence *p, sim_time started)
{
    GPtrArray *stale = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, p->clients);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        pr_client *c = v;
        if (c->key_set && c->expire_at <= started) g_ptr_array_add(stale, c);
    }
    for (guint i = 0; i < stale->len; i++) {
        pr_client *c = g_ptr_array_index(stale, i);
        key_remove(p, c, PR_BY_ACTIVE);
        client_drop_if_idle(p, c);
    }
    g_ptr_array_free(stale, TRUE);
}

void presence_db_use(presence *p, presence_db_submit_fn submit, void *data)
{
    g_return_if_fail(p->cfg.store_db && submit && !p->db.submit);
    p->db.submit = submit;
    p->db.data = data;
    p->db.cleanup = sim_hist_new();
    sim_ctx_stream(p->ctx, "presence.db", &p->db.rng);
    sim_after(p->ctx, 0, on_db_heartbeat, p, 0);
    sim_time iv = sim_time_from_sec(p->cfg.cleanup_interval_s);
    sim_after(p->ctx, (sim_time)sim_rng_below(&p->db.rng, (uint64_t)MAX(iv, 1)), on_cleanup, p, 0);
}

void presence_db_done(presence *p, uint64_t job, sim_time started)
{
    if (job & PR_DB_CLEANUP) {
        p->db.cleanups++;
        sim_hist_record(p->db.cleanup, sim_now(p->ctx) - (sim_time)(job & ~(PRESENCE_DB_JOB | PR_DB_CLEANUP)) * 1000);
        cleanup_done(p, started);
        return;
    }
    if (!(job & PR_DB_IND)) return;
    pr_client *c = client_get(p, (uint32_t)job);
    if (!c || (c->epoch & PR_DB_EPOCH_MASK) != ((uint32_t)(job >> 32) & PR_DB_EPOCH_MASK)) return;   /* disconnected since */
    key_set(p, c, sim_now(p->ctx) + p->ttl_ns);
}

void presence_db_dropped(presence *p, uint64_t job)
{
    (void)job;
    p->db.dropped++;
}

cJSON *presence_db_summary_json(const presence *p)
{
    if (!p->cfg.store_db || !p->db.submit) return NULL;
    cJSON *o = cJSON_CreateObject();
    double t = sim_time_to_sec(sim_now(p->ctx));
    cJSON_AddStringToObject(o, "store", "db_rows");
    cJSON_AddNumberToObject(o, "writes", (double)p->db.writes);
    cJSON_AddNumberToObject(o, "writes_per_sec", t > 0 ? (double)p->db.writes / t : 0.0);
    cJSON_AddNumberToObject(o, "heartbeat_writes", (double)p->db.hb_writes);
    cJSON_AddNumberToObject(o, "heartbeat_writes_per_sec", t > 0 ? (double)p->db.hb_writes / t : 0.0);
    cJSON_AddNumberToObject(o, "dropped", (double)p->db.dropped);
    cJSON_AddNumberToObject(o, "cleanup_runs", (double)p->db.cleanups);
    cJSON_AddNumberToObject(o, "cleanup_rows_scanned", (double)p->db.rows_scanned);
    cJSON_AddItemToObject(o, "cleanup_s", sim_hist_to_json(p->db.cleanup, 1e9));
    return o;
}

/* ------------------------------------------------- redis_failover */

/* Where a key falls in [0, 1): its hash, so a client's place in the
 * resync storm is fixed and independent of the shard choice. */
static double key_frac(uint32_t user) { return (double)(key_rpos(user) >> 11) * 0x1.0p-53; }

/* An aggregated client's key during a failover: back at its first
 * heartbeat at or after the promotion (its heartbeats fall on its phase),
 * or at its place in the storm. */
static gboolean agg_key_back(presence *p, uint32_t user)
{
    const pr_shard *s = shard_of(p, user);
    if (!s->fo_on) return TRUE;
    if (!s->fo_promoted_yet) return FALSE;
    sim_time now = sim_now(p->ctx), back;
    if (p->cfg.failover_storm) {
        back = s->fo_storm_base + (sim_time)(key_frac(user) * (double)s->fo_storm_work);
    } else {
        sim_time ph = sim_time_from_sec(p->phase[user]);
        sim_time d = (ph - s->fo_promoted) % p->hb_ns;
        back = s->fo_promoted + (d < 0 ? d + p->hb_ns : d);
    }
    return now >= back;
}

static void on_failover_restored(sim_ctx *ctx, void *data, uint64_t arg)
{
    presence *p = data;
    pr_shard *s = &p->sh[arg];
    if (!s->fo_on || s->fo_restored + 1 != sim_now(ctx)) return;   /* a later failover took over */
    s->fo_on = FALSE;
    p->fo_shards--;
}

void presence_failover_begin(presence *p, uint32_t shard)
{
    g_return_if_fail(shard < p->nsh);
    if (p->cfg.store_db) return;   /* db_rows: presence is not in Redis, nothing to lose */
    pr_shard *s = &p->sh[shard];
    if (!s->fo_on) p->fo_shards++;
    s->fo_on = TRUE;
    s->fo_promoted_yet = FALSE;
    s->fo_restored = -2;     /* an earlier failover's restore event finds it changed */
    s->fo_lost = sim_now(p->ctx);
    p->fo_keys_lost += s->agg_keys + s->explicit_keys;
    GPtrArray *gone = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, p->clients);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        pr_client *c = v;
        if (c->key_set && redis_shard_of(p->redis, c->user) == shard) g_ptr_array_add(gone, c);
    }
    for (guint i = 0; i < gone->len; i++) {
        pr_client *c = g_ptr_array_index(gone, i);
        key_remove(p, c, PR_BY_FAILOVER);
        client_drop_if_idle(p, c);
    }
    g_ptr_array_free(gone, TRUE);
}

/* The storm: one SETEX per connected client of the shard, `pipeline` per
 * request, all sent now; individual clients' SETEXs are real requests
 * (their keys come back when served), aggregated ones charged work. */
static void failover_storm(presence *p, pr_shard *s)
{
    double before = redis_backlog_s(p->redis, s->index);
    uint64_t agg = s->agg_keys, per = p->cfg.pipeline;
    for (uint64_t left = agg; left > 0;) {
        uint32_t n = (uint32_t)MIN(left, per);
        redis_charge_shard(p->redis, s->index, n);
        left -= n;
    }
    p->fo_resync_setex += agg;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, p->clients);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        pr_client *c = v;
        if (p->state[c->user] != PR_IND || redis_shard_of(p->redis, c->user) != s->index) continue;
        send_setex(p, c);
        p->fo_resync_setex++;
    }
    sim_time now = sim_now(p->ctx);
    s->fo_storm_base = now + sim_time_from_sec(before);
    s->fo_storm_work = MAX(sim_time_from_sec(redis_backlog_s(p->redis, s->index)) - (s->fo_storm_base - now), 0);
}

sim_time presence_failover_promote(presence *p, uint32_t shard)
{
    g_return_val_if_fail(shard < p->nsh, 0);
    pr_shard *s = &p->sh[shard];
    sim_time now = sim_now(p->ctx);
    if (!s->fo_on) return now;
    s->fo_promoted_yet = TRUE;
    s->fo_promoted = now;
    if (p->cfg.failover_storm) {
        failover_storm(p, s);
        s->fo_restored = s->fo_storm_base + s->fo_storm_work;
    } else {
        s->fo_restored = now + p->hb_ns;
    }
    s->fo_restored = MAX(s->fo_restored, now);
    /* a nanosecond past the last key's time, so that key's own check still sees the failover */
    sim_at(p->ctx, s->fo_restored + 1, on_failover_restored, p, shard);
    return s->fo_restored;
}

gboolean presence_failover_active(const presence *p) { return p->fo_shards != 0; }

void presence_failover_counts(const presence *p, uint64_t *keys_lost, uint64_t *cleared, uint64_t *resync_setex)
{
    *keys_lost = p->fo_keys_lost;
    *cleared = p->fo_crashes_cleared;
    *resync_setex = p->fo_resync_setex;
}

gboolean presence_online(presence *p, uint32_t user)
{
    g_return_val_if_fail(user < p->n_users, FALSE);
    if (p->state[user] == PR_AGG) return G_LIKELY(!p->fo_shards) || agg_key_back(p, user);
    pr_client *c = client_get(p, user);
    return c ? key_live(p, c) : FALSE;
}

gboolean presence_connected(const presence *p, uint32_t user)
{
    g_return_val_if_fail(user < p->n_users, FALSE);
    return p->state[user] == PR_AGG || p->state[user] == PR_IND;
}

/* ------------------------------------------------------- statistics */

uint64_t presence_connected_count(const presence *p) { return p->connected; }

uint64_t presence_keys(const presence *p)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < p->nsh; i++) n += p->sh[i].agg_keys + p->sh[i].explicit_keys;
    return n;
}

uint64_t presence_stale_keys(presence *p)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < p->nsh; i++) {
        promote_due(p, &p->sh[i]);
        n += p->sh[i].stale->len;
    }
    return n;
}

uint64_t presence_heartbeats(const presence *p)
{
    double area = p->agg_hb_area
                + (double)p->agg_connected * (double)(sim_now(p->ctx) - p->agg_last) / (double)p->hb_ns;
    return p->ind_heartbeats + (uint64_t)llround(area);
}

uint64_t presence_crashes(const presence *p) { return p->crashes; }
uint64_t presence_detected(const presence *p) { return p->detected; }
const sim_hist *presence_detect_hist(const presence *p) { return p->detect; }
const sim_hist *presence_slack_hist(const presence *p) { return p->slack; }

cJSON *presence_summary_json(const presence *p)
{
    cJSON *o = cJSON_CreateObject();
    double t = sim_time_to_sec(sim_now(p->ctx));
    /* Crashes not yet detected: past their TTL (Redis still holds the key)
     * or not yet (the run ended within ttl_s of the crash). */
    uint64_t past_ttl = 0, before_ttl = 0, stale = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, p->clients);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const pr_client *c = v;
        if (c->key_set && c->expire_at <= sim_now(p->ctx)) stale++;
        if (c->crashed_at < 0 || !c->key_set) continue;
        if (c->expire_at <= sim_now(p->ctx)) past_ttl++; else before_ttl++;
    }
    cJSON_AddNumberToObject(o, "heartbeats", (double)presence_heartbeats(p));
    cJSON_AddNumberToObject(o, "crashes", (double)p->crashes);
    cJSON_AddNumberToObject(o, "detected", (double)p->detected);
    cJSON_AddItemToObject(o, "detect_delay_s", sim_hist_to_json(p->detect, 1e9));
    cJSON_AddNumberToObject(o, "detected_active", (double)p->by_active);
    cJSON_AddNumberToObject(o, "detected_lazy", (double)p->by_lazy);
    cJSON_AddNumberToObject(o, "undetected", (double)p->crashed_pending);
    cJSON_AddNumberToObject(o, "undetected_past_ttl", (double)past_ttl);
    cJSON_AddNumberToObject(o, "undetected_before_ttl", (double)before_ttl);
    cJSON_AddNumberToObject(o, "reconnected_before_detection", (double)p->reconnected_early);
    cJSON_AddNumberToObject(o, "false_expiries", (double)p->false_expiries);
    cJSON_AddItemToObject(o, "expire_slack_s", sim_hist_to_json(p->slack, 1e9));
    cJSON_AddNumberToObject(o, "connected", (double)p->connected);
    cJSON_AddNumberToObject(o, "keys", (double)presence_keys(p));
    cJSON_AddNumberToObject(o, "stale_keys", (double)stale);
    cJSON_AddNumberToObject(o, "stale_keys_peak", (double)p->stale_peak);
    cJSON_AddNumberToObject(o, "expire_cycles", (double)p->cycles);
    cJSON_AddNumberToObject(o, "expire_fast_cycles", (double)p->fast_cycles);
    cJSON_AddNumberToObject(o, "expire_loops", (double)p->loops);
    cJSON_AddNumberToObject(o, "expire_buckets", (double)p->buckets);
    cJSON_AddNumberToObject(o, "expire_keys_sampled", (double)p->sampled);
    cJSON_AddNumberToObject(o, "expire_time_limit_hits", (double)p->timelimit_hits);
    cJSON_AddNumberToObject(o, "setex_per_sec", t > 0 ? (double)presence_heartbeats(p) / t : 0.0);
    return o;
}

/* ================================================================ the component */

static gboolean pr_validate(const sim_scenario *sc, const slack_config *cfg, GError **error)
{
    return check_ttl(sc, &cfg->presence, error);
}

/* Exactly round(users x online_fraction) users connected at time 0, chosen
 * uniformly (selection sampling, Knuth's Algorithm S), placed round-robin
 * over the gateways (what least-connections gives when all start empty).
 * Each opens its connection and sets its presence key, so this runs once
 * presence exists. */
static void connect_initial(slack_model *m, sim_rng *rng)
{
    uint32_t n = wl_users(m->wl), want = (uint32_t)slack_cfg_online_users(m->cfg), k = 0;
    uint32_t gws = gw_count(m->gw);
    for (uint32_t u = 0; u < n && k < want; u++) {
        if ((double)(n - u) * sim_rng_uniform(rng) >= (double)(want - k)) continue;
        uint16_t g = gw_connect(m->gw, u, (uint16_t)(k % gws));
        if (g != GW_NONE) presence_connect(m->pres, u, g);
        k++;
    }
}

gboolean presence_client_connect(slack_model *m, uint32_t user)
{
    uint16_t g = gw_connect(m->gw, user, GW_NONE);
    if (g == GW_NONE) return FALSE;
    gw_book(m->gw, g, user, gw_connect_work(m->gw));
    presence_connect(m->pres, user, g);
    return TRUE;
}

void presence_client_disconnect(slack_model *m, uint32_t user)
{
    gw_disconnect(m->gw, user);
    presence_disconnect(m->pres, user);
}

/* store "db_rows": presence's writes go to its own pool, or join the
 * message writers' queue (message.c hands back jobs with PRESENCE_DB_JOB). */
static void pr_db_submit(void *data, uint64_t job, sim_time work)
{
    slack_model *m = data;
    sim_station *st = m->presdb.pool ? m->presdb.pool : m->pg.pool;
    if (work > 0) sim_station_submit_timed(st, job, work);
    else sim_station_submit(st, job);
}

static void pr_db_committed(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)ctx; (void)arrived;
    slack_model *m = user;
    presence_db_done(m->pres, job, started);
}

static void pr_db_refused(sim_ctx *ctx, void *user, uint64_t job)
{
    (void)ctx;
    slack_model *m = user;
    presence_db_dropped(m->pres, job);
}

/* Its own pool: the message writers' service time and queue limit, its
 * own writers. */
static void pr_db_build(slack_model *m)
{
    const presence_config *pc = &m->config.presence;
    if (pc->db_pool > 0) {
        sim_station_config st = { .name = "presence_db", .servers = pc->db_pool,
                                  .capacity = (uint64_t)m->cfg->pg_queue_limit, .drop = SIM_DROP_TAIL };
        sim_dist_copy(&st.service, &m->cfg->pg_service_s);
        m->presdb.pool = sim_station_new(m->ctx, &st, pr_db_committed, pr_db_refused, m);
        sim_dist_clear(&st.service);
    }
    presence_db_use(m->pres, pr_db_submit, m);
}

static gboolean pr_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    /* active-expire-effort is a Redis setting (redis.active_expire_effort) */
    presence_config pc = m->config.presence;
    pc.expire_effort = m->config.redis.active_expire_effort;
    m->pres = presence_new(m->ctx, m->redis, &pc, wl_users(m->wl));
    if (pc.store_db) pr_db_build(m);
    sim_rng online;
    sim_ctx_stream(m->ctx, "workload.online", &online);
    connect_initial(m, &online);
    return TRUE;
}

static void pr_component_free(slack_model *m)
{
    presence_free(m->pres);
    sim_station_free(m->presdb.pool);
}

/* With db_rows, a "db" object: the writes, the cleanup job and the pool
 * they used (the message writers' own figures carry the shared case). */
static cJSON *pr_summary(const slack_model *m)
{
    cJSON *o = presence_summary_json(m->pres), *db = presence_db_summary_json(m->pres);
    if (!db) return o;
    cJSON_AddNumberToObject(db, "pool_writers", m->presdb.pool ? (double)m->config.presence.db_pool : 0);
    if (m->presdb.pool) {
        cJSON_AddNumberToObject(db, "pool_utilization", sim_station_utilization(m->presdb.pool));
        cJSON_AddItemToObject(db, "pool_station", sim_station_to_json(m->presdb.pool));
    }
    cJSON_AddItemToObject(o, "db", db);
    return o;
}

/* Crash detection delay beside the counts, so a student need not open
 * summary.json to see it land in [TTL - heartbeat, TTL] plus the slack. */
static void pr_report(const slack_model *m, GString *s)
{
    const sim_hist *d = presence_detect_hist(m->pres);
    g_string_append_printf(s, "Presence: %" G_GUINT64_FORMAT " heartbeats, %" G_GUINT64_FORMAT " crashes, %" G_GUINT64_FORMAT " detected",
                           presence_heartbeats(m->pres), presence_crashes(m->pres), presence_detected(m->pres));
    if (sim_hist_count(d))
        g_string_append_printf(s, ", detection delay p50 %.1f s, p99 %.1f s, max %.1f s", sim_hist_percentile(d, 50) / 1e9,
                               sim_hist_percentile(d, 99) / 1e9, sim_hist_max(d) / 1e9);
    g_string_append_c(s, '\n');
    cJSON *db = presence_db_summary_json(m->pres);
    if (!db) return;
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(db, "cleanup_s");
    g_string_append_printf(s, "Presence in PostgreSQL rows: %.0f writes/s (%.0f heartbeats/s) on %s; cleanup every %g s: "
                           "%.0f runs, %.0f rows scanned, %.1f ms mean, %.1f ms max\n",
                           cJSON_GetObjectItemCaseSensitive(db, "writes_per_sec")->valuedouble,
                           cJSON_GetObjectItemCaseSensitive(db, "heartbeat_writes_per_sec")->valuedouble,
                           m->presdb.pool ? "its own pool" : "the message writers", m->config.presence.cleanup_interval_s,
                           cJSON_GetObjectItemCaseSensitive(db, "cleanup_runs")->valuedouble,
                           cJSON_GetObjectItemCaseSensitive(db, "cleanup_rows_scanned")->valuedouble,
                           cJSON_GetObjectItemCaseSensitive(cl, "mean")->valuedouble * 1e3,
                           cJSON_GetObjectItemCaseSensitive(cl, "max")->valuedouble * 1e3);
    cJSON_Delete(db);
}

const slack_component presence_component = {
    .name = "presence", .fields = pr_fields, .n_fields = G_N_ELEMENTS(pr_fields),
    .config_offset = offsetof(slack_config, presence), .validate = pr_validate,
    .build = pr_build, .free = pr_component_free, .summary = pr_summary, .report = pr_report,
};
