/* search: indexing consumer group -> Elasticsearch cluster -> search API.
 *
 * Indexing. One consumer per Kafka partition keeps its own position, so it
 * never slows fan-out. It batches documents (up to bulk_max_docs, waiting at
 * most bulk_linger for the oldest) and keeps one bulk request in flight. A
 * bulk is split per node into shard-level requests: first to the primaries'
 * nodes (admitted only if the node's write queue and in-flight indexing
 * memory have room, else 429), then, as each primary request completes, to
 * the replicas' nodes (never rejected, as in Elasticsearch). A document is
 * acknowledged when every copy is written, and becomes searchable at its
 * primary shard's next refresh tick. Rejected documents go back to the
 * consumer, which retries them first after an exponential, jittered backoff.
 *
 * Queries. Searches arrive as a Poisson process at rate per active user;
 * each queries every primary of its workspace's index (index per workspace)
 * or the one routed shard (shared index) on the nodes' search pools, with a
 * service time growing with the shard's size, then hydrates from PostgreSQL
 * (file searches fetch file metadata instead), then filters by membership.
 *
 * Invariants: every published document is in exactly one of: a consumer's
 * pending or retry list, its in-flight bulk, indexed, unindexable
 * (published = indexed + unindexable + pending). A result is handed back
 * only if world->is_member(channel, searcher) holds; every hit that fails
 * it is counted in hits_filtered_by_acl and dropped. Searchable time is a
 * refresh tick of the document's primary, strictly after its
 * acknowledgement and at most one refresh interval later. */
#include "models/search.h"
#include "models/slack_internal.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "sim/sim_error.h"
#include "sim/sim_hist.h"

/* ------------------------------------------------------------ the state */

typedef struct {
    uint64_t msg;
    sim_time published;
    uint32_t channel, ws;
    uint32_t shard;        /* global primary shard id */
    uint8_t remaining;     /* copies not yet written */
    uint8_t rejected;      /* its primary request got a 429 */
} srch_doc;

typedef struct {
    uint32_t node, doc, shard;
} srch_copy;

typedef struct {
    uint32_t node;
    uint32_t start, end;   /* range of the bulk's copies array */
    gboolean primary;
    double bytes;
} srch_sub;

typedef struct {
    uint32_t id;
    GArray *pending;       /* srch_doc FIFO from `head` */
    guint head;
    GArray *retry;         /* srch_doc sent back by 429s; go first */
    GArray *bulk;          /* srch_doc in flight */
    GArray *copies;        /* srch_copy of the bulk */
    GArray *subs;          /* srch_sub of the bulk */
    uint32_t outstanding;  /* shard-level requests not yet answered */
    gboolean busy;         /* bulk in flight or backing off */
    sim_event_id flush_ev;
    uint32_t attempt;      /* consecutive rejected bulks */
} srch_consumer;

typedef struct {
    sim_station *write, *search;
    double inflight_bytes; /* indexing memory held by admitted requests */
} srch_node;

typedef struct {
    sim_time start;
    uint32_t searcher, ws;
    uint32_t outstanding;
    uint8_t kind;
    uint8_t failed;
    uint8_t live;
} srch_query;

typedef struct {
    uint32_t channel;      /* UINT32_MAX: empty */
    uint32_t visible_ms;   /* searchable from this ms on */
} srch_hit_slot;

struct search_model {
    sim_ctx *ctx;
    search_config cfg;
    search_world world;
    search_observer obs;
    void *obs_user;
    uint32_t replicas;     /* effective: min(configured, nodes - 1) */

    /* shards */
    uint32_t *ws_primaries;   /* per workspace (index per workspace) */
    uint32_t *ws_shard_base;  /* first global primary of its index */
    gboolean *ws_created;     /* its index fits under the shard limit */
    double *shard_docs;       /* documents per primary shard */
    sim_time *shard_phase;    /* refresh timer offset of each primary */
    search_shard_plan plan;

    srch_node *nodes;
    srch_consumer *consumers;
    sim_station *pg_read;

    /* Per workspace: hit_pool searchable documents (a ring) followed by
     * hit_pool staged ones waiting for their refresh. */
    srch_hit_slot *hit_pool;  /* workspaces x 2 x cfg.hit_pool */
    uint32_t *hit_next, *stage_next;

    GArray *queries;          /* srch_query pool */
    GArray *free_queries;     /* uint32 slots */

    sim_rng rng_query, rng_index, rng_service;
    gboolean arrivals_on;     /* query arrivals generated */
    sim_event_id arrival_ev;
    search_counts counts;
    sim_hist *lag, *qhist[SEARCH_QUERY_KINDS];
    sim_hist *lag_iv;         /* lag of this time-series interval */
    search_counts iv_prev;    /* counts at the previous interval */
    sim_time iv_t0;
    /* a search_outage fault (faults.c): the cluster takes no writes or queries */
    gboolean down;            /* out of service now */
    search_outage_counts outage; /* since the last search_outage_mark */
};

/* Each node costs ~230 KB (two stations with their histograms). */
#define SEARCH_MAX_NODES 100000

static const char *const LAYOUT_NAMES[] = {"index_per_workspace", "shared_index", NULL};
G_STATIC_ASSERT(sizeof(search_layout) == sizeof(int));
static const char *const ENGINE_NAMES[] = {"elasticsearch", "postgres_fts", NULL};
G_STATIC_ASSERT(sizeof(search_engine) == sizeof(int));

/* postgres_fts: a query's job on the primary's one station (index writes
 * carry consumer << 32 | sub, never this bit). */
#define FTS_QUERY_BIT (1ULL << 63)

static inline gboolean is_fts(const search_model *s) { return s->cfg.engine == SEARCH_ENGINE_POSTGRES_FTS; }
static const char *const KIND_NAMES[] = {"full_text", "file", "history"};

/* ------------------------------------------------------- configuration */

void search_config_init(search_config *c)
{
    memset(c, 0, sizeof *c);
    /* Off unless a scenario asks: a 12M-user run with an index per
     * workspace simulates ~2,000 Elasticsearch nodes. */
    c->enabled = FALSE;
    c->engine = SEARCH_ENGINE_ELASTICSEARCH;
    c->layout = SEARCH_LAYOUT_INDEX_PER_WORKSPACE;
    /* The per-unit costs are Elasticsearch's defaults (bulk_per_doc_s,
     * query_s_per_gb), so that what differs is the structure: one index
     * on one machine instead of shards spread over nodes. */
    c->fts_cores = 64;
    c->fts_index_per_doc_s = 0.0002;
    c->fts_query_s_per_gb = 0.0005;
    c->bulk_max_docs = 1000;
    c->bulk_linger = 50 * SIM_MS;
    c->backoff_base = 100 * SIM_MS;
    c->backoff_max = 10 * SIM_SEC;
    c->doc_bytes = 1000;
    c->initial_docs_per_user = 2000;
    c->target_shard_gb = 30;
    c->replicas = 1;
    c->refresh_interval = SIM_SEC;
    c->nodes = 0;
    c->max_shards_per_node = 1000;
    c->heap_gb = 31;
    c->heap_per_shard_mb = 51.2;
    c->disk_gb = 4000;
    c->write_threads = 8;
    c->write_queue = 10000;
    c->indexing_memory_mb = 3174.4;
    sim_dist_init_lognormal(&c->bulk_overhead_s, log(0.001), 0.5);
    c->bulk_per_doc_s = 0.0002;
    c->bulk_per_shard_s = 0.0005;
    c->search_threads = 13;
    c->search_queue = 1000;
    sim_dist_init_lognormal(&c->query_service_s, log(0.004), 0.6);
    c->query_s_per_gb = 0.0005;
    c->query_rate_per_user = 0.0002;
    c->file_fraction = 0.2;
    c->history_rate_per_user = 0.0005;
    sim_dist_init_constant(&c->hits, 8);
    sim_dist_init_constant(&c->api_s, 0.002);
    sim_dist_init_lognormal(&c->file_metadata_s, log(0.02), 0.6);
    c->pg_read_servers = 512;
    sim_dist_init_lognormal(&c->hydrate_s, log(0.004), 0.5);
    sim_dist_init_lognormal(&c->history_s, log(0.005), 0.5);
    c->hit_pool = 8;
    c->target_percentile = 99;
    c->target_full_text_ms = 100;
    c->target_file_ms = 200;
    c->target_history_ms = 50;
    c->target_lag_ms = 2000;
}

void search_config_clear(search_config *c)
{
    sim_dist *d[] = {&c->bulk_overhead_s, &c->query_service_s, &c->hits, &c->api_s,
                     &c->file_metadata_s, &c->hydrate_s, &c->history_s};
    for (size_t i = 0; i < G_N_ELEMENTS(d); i++) sim_dist_clear(d[i]);
}

/* Every "search" key, once: read, defaults and the key list come from
 * here (a double, a count, seconds turned into ns, a distribution). */
#define KD(p, lo, hi, f, u) { p, lo, hi, SIM_FIELD_DOUBLE, offsetof(search_config, f), u }
#define KU(p, lo, hi, f, u) { p, lo, hi, SIM_FIELD_U32, offsetof(search_config, f), u }
#define KT(p, lo, hi, f) { p, lo, hi, SIM_FIELD_TIME, offsetof(search_config, f), "s" }
#define KS(p, f, u) { p, 0, DBL_MAX, SIM_FIELD_DIST, offsetof(search_config, f), u }
static const sim_field srch_keys[] = {
    { "enabled", 0, 0, SIM_FIELD_BOOL, offsetof(search_config, enabled), "bool" },
    { "layout", 0, 0, SIM_FIELD_ENUM, offsetof(search_config, layout), NULL, LAYOUT_NAMES },
    { "engine", 0, 0, SIM_FIELD_ENUM, offsetof(search_config, engine), NULL, ENGINE_NAMES },
    KU("postgres_fts.cores", 1, 4096, fts_cores, "count"),
    KD("postgres_fts.index_per_doc_s", 0, 60, fts_index_per_doc_s, "s"),
    KD("postgres_fts.query_s_per_gb", 0, 60, fts_query_s_per_gb, "s/GB"),
    KU("indexer.bulk_max_docs", 1, 1e6, bulk_max_docs, "docs"),
    KT("indexer.bulk_linger_s", 0, 3600, bulk_linger),
    KT("indexer.backoff_base_s", 1e-6, 3600, backoff_base),
    KT("indexer.backoff_max_s", 1e-6, 86400, backoff_max),
    KD("documents.doc_bytes", 1, 1e9, doc_bytes, "bytes"),
    KD("documents.initial_docs_per_user", 0, 1e9, initial_docs_per_user, "docs"),
    KD("documents.target_shard_gb", 1e-6, 1e6, target_shard_gb, "GB"),
    KU("documents.replicas", 0, 16, replicas, "count"),
    /* 0: searchable at once, which switches the refresh delay off */
    KT("documents.refresh_interval_s", 0, 3600, refresh_interval),
    KU("es.nodes", 0, SEARCH_MAX_NODES, nodes, "count"),
    KU("es.max_shards_per_node", 1, 1e7, max_shards_per_node, "count"),
    KD("es.heap_gb", 1e-3, 1e6, heap_gb, "GB"),
    KD("es.heap_per_shard_mb", 0, 1e6, heap_per_shard_mb, "MB"),
    KD("es.disk_gb", 1e-3, 1e9, disk_gb, "GB"),
    KU("es.write_threads", 1, 4096, write_threads, "count"),
    KU("es.write_queue", 0, 1e9, write_queue, "count"),
    KD("es.indexing_memory_mb", 1e-3, 1e9, indexing_memory_mb, "MB"),
    KD("es.bulk_per_doc_s", 0, 60, bulk_per_doc_s, "s"),
    KD("es.bulk_per_shard_s", 0, 60, bulk_per_shard_s, "s"),
    KU("es.search_threads", 1, 4096, search_threads, "count"),
    KU("es.search_queue", 0, 1e9, search_queue, "count"),
    KD("es.query_s_per_gb", 0, 60, query_s_per_gb, "s/GB"),
    KD("queries.rate_per_user", 0, 1e3, query_rate_per_user, "1/s"),
    KD("queries.file_fraction", 0, 1, file_fraction, "0..1"),
    KD("queries.history_rate_per_user", 0, 1e3, history_rate_per_user, "1/s"),
    KU("queries.hit_pool", 1, 64, hit_pool, "count"),
    KU("postgres_read.servers", 1, 1e6, pg_read_servers, "count"),
    KD("targets.percentile", 0, 100, target_percentile, "%"),
    KD("targets.full_text_ms", 0, 1e9, target_full_text_ms, "ms"),
    KD("targets.file_ms", 0, 1e9, target_file_ms, "ms"),
    KD("targets.history_ms", 0, 1e9, target_history_ms, "ms"),
    KD("targets.index_lag_ms", 0, 1e9, target_lag_ms, "ms"),
    KS("es.bulk_overhead_s", bulk_overhead_s, "s"),
    KS("es.query_service_s", query_service_s, "s"),
    KS("queries.hits", hits, "count"),
    KS("queries.api_s", api_s, "s"),
    KS("queries.file_metadata_s", file_metadata_s, "s"),
    KS("postgres_read.hydrate_s", hydrate_s, "s"),
    KS("postgres_read.history_s", history_s, "s"),
};
#undef KD
#undef KU
#undef KT
#undef KS

/* Written from search_config_init through the table that reads the keys. */
cJSON *search_defaults(void)
{
    search_config c;
    search_config_init(&c);
    cJSON *r = cJSON_CreateObject();
    sim_scenario_fields_to_json(r, srch_keys, G_N_ELEMENTS(srch_keys), &c);
    search_config_clear(&c);
    return r;
}

/* Checks across keys, once every key was read. */
static gboolean check_config(const sim_scenario *sc, const search_config *c, GError **error)
{
    if (c->backoff_max >= c->backoff_base) return TRUE;
    return sim_error_at(error, SIM_ERROR_VALUE, sim_scenario_origin(sc), "search.indexer.backoff_max_s",
                        "must be >= backoff_base_s");
}

gboolean search_config_from_scenario(const sim_scenario *sc, search_config *c, GError **error)
{
    search_config_init(c);
    return sim_scenario_read_fields(sc, "search", srch_keys, G_N_ELEMENTS(srch_keys), c, error) && check_config(sc, c, error);
}

/* --------------------------------------------------------------- helpers */

static inline uint64_t srch_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Node holding copy `r` (0 = primary) of primary shard `g`: copies of one
 * shard land on consecutive nodes, so they are distinct while nodes > r,
 * and every node holds the same number of copies to within one. */
static inline uint32_t copy_node(const search_model *s, uint32_t g, uint32_t r)
{
    uint64_t k = (uint64_t)g * (s->replicas + 1) + r;
    return (uint32_t)(k % s->plan.nodes);
}

static inline double shard_gb(const search_model *s, uint32_t g)
{
    return s->shard_docs[g] * s->cfg.doc_bytes / 1e9;
}

/* The first refresh of shard `g` strictly after `t`. */
static sim_time next_refresh(const search_model *s, uint32_t g, sim_time t)
{
    sim_time R = s->cfg.refresh_interval, ph = s->shard_phase[g];
    /* refresh on every write, or PostgreSQL (a row is visible at commit): searchable at once */
    if (R == 0 || is_fts(s)) return t;
    if (t < ph) return ph;
    return ph + ((t - ph) / R + 1) * R;
}

static sim_time sample_ns(const sim_dist *d, sim_rng *rng)
{
    return sim_time_from_sec(sim_dist_sample(d, rng));
}

/* One index for every workspace: Elasticsearch's shared layout, and
 * PostgreSQL's one table (whose single "shard" is the whole index). */
static inline gboolean one_index(const search_model *s)
{
    return s->cfg.layout == SEARCH_LAYOUT_SHARED_INDEX || is_fts(s);
}

/* Primary shard of a document of workspace `ws`: Elasticsearch routes by
 * _id within a workspace's own index, by workspace_id in the shared one. */
static uint32_t doc_shard(const search_model *s, uint32_t ws, uint64_t msg)
{
    if (one_index(s))
        return (uint32_t)(srch_mix(ws) % s->plan.primaries);
    return s->ws_shard_base[ws] + (uint32_t)(srch_mix(msg) % s->ws_primaries[ws]);
}

/* ----------------------------------------------------- shard accounting */

static double ws_initial_docs(const search_model *s, uint32_t ws)
{
    return (double)s->world.workspace_users(s->world.user, ws) * s->cfg.initial_docs_per_user;
}

static uint32_t primaries_for(const search_model *s, double docs)
{
    double gb = docs * s->cfg.doc_bytes / 1e9;
    double p = ceil(gb / s->cfg.target_shard_gb);
    return p < 1 ? 1 : p > 1e6 ? 1000000 : (uint32_t)p;
}

static uint32_t clamp_u32(double x)
{
    return x >= (double)UINT32_MAX ? UINT32_MAX : x <= 0 ? 0 : (uint32_t)x;
}

/* PostgreSQL: one table, one index, on one primary (replicas would copy
 * it, not split it), whatever its size. */
static void plan_fts(search_model *s, double total_docs)
{
    search_shard_plan *p = &s->plan;
    p->indices = p->primaries = p->shards = 1;
    p->data_gb = p->shard_gb_max = total_docs * s->cfg.doc_bytes / 1e9;
    p->nodes = p->nodes_needed = p->nodes_for_shard_limit = p->nodes_for_heap = p->nodes_for_disk = 1;
    s->replicas = 0;
}

/* Sizes every index, then derives the nodes each limit calls for. */
static void plan_indices(search_model *s)
{
    uint32_t W = s->world.workspaces;
    search_shard_plan *p = &s->plan;
    double total_docs = 0;
    s->ws_primaries = g_new0(uint32_t, W);
    s->ws_shard_base = g_new0(uint32_t, W);
    s->ws_created = g_new0(gboolean, W);
    for (uint32_t w = 0; w < W; w++) total_docs += ws_initial_docs(s, w);
    if (is_fts(s)) { plan_fts(s, total_docs); return; }
    if (s->cfg.layout == SEARCH_LAYOUT_SHARED_INDEX) {
        p->indices = 1;
        p->primaries = primaries_for(s, total_docs);
    } else {
        p->indices = W;
        for (uint32_t w = 0; w < W; w++) {
            s->ws_shard_base[w] = (uint32_t)p->primaries;
            s->ws_primaries[w] = primaries_for(s, ws_initial_docs(s, w));
            p->primaries += s->ws_primaries[w];
        }
    }
    uint32_t R = s->cfg.replicas;
    p->shards = p->primaries * (R + 1);
    p->data_gb = total_docs * s->cfg.doc_bytes / 1e9 * (R + 1);
    p->heap_per_shard_mb = s->cfg.heap_per_shard_mb;
    p->nodes_for_shard_limit = clamp_u32(ceil((double)p->shards / s->cfg.max_shards_per_node));
    p->nodes_for_heap = clamp_u32(ceil((double)p->shards * s->cfg.heap_per_shard_mb / (s->cfg.heap_gb * 1024.0)));
    p->nodes_for_disk = clamp_u32(ceil(p->data_gb / s->cfg.disk_gb));
    p->nodes_needed = MAX(MAX(p->nodes_for_shard_limit, p->nodes_for_heap), MAX(p->nodes_for_disk, R + 1));
    p->nodes = s->cfg.nodes ? s->cfg.nodes : p->nodes_needed;
    s->replicas = MIN(R, p->nodes - 1);
}

/* Creates indices in workspace order while the cluster's shard limit
 * allows (Elasticsearch refuses an index that would pass it), and seeds
 * each primary with its share of the history. */
static void create_indices(search_model *s)
{
    search_shard_plan *p = &s->plan;
    uint32_t W = s->world.workspaces;
    uint64_t room = (uint64_t)p->nodes * s->cfg.max_shards_per_node;
    uint64_t per_copy = s->replicas + 1, used = 0;
    s->shard_docs = g_new0(double, p->primaries);
    s->shard_phase = g_new0(sim_time, p->primaries);
    for (uint64_t g = 0; g < p->primaries; g++)
        s->shard_phase[g] = s->cfg.refresh_interval ? (sim_time)(srch_mix(g ^ 0x5eedULL) % (uint64_t)s->cfg.refresh_interval) : 0;
    if (one_index(s)) {
        gboolean fits = is_fts(s) || p->primaries * per_copy <= room;
        p->indices_created = fits;
        for (uint32_t w = 0; w < W; w++) {
            s->ws_created[w] = fits;
            s->shard_docs[doc_shard(s, w, 0)] += ws_initial_docs(s, w);
        }
    } else {
        for (uint32_t w = 0; w < W; w++) {
            uint64_t need = (uint64_t)s->ws_primaries[w] * per_copy;
            s->ws_created[w] = used + need <= room;
            if (!s->ws_created[w]) continue;
            used += need;
            p->indices_created++;
            double each = ws_initial_docs(s, w) / s->ws_primaries[w];
            for (uint32_t k = 0; k < s->ws_primaries[w]; k++) s->shard_docs[s->ws_shard_base[w] + k] = each;
        }
    }
    for (uint64_t g = 0; g < p->primaries; g++) p->shard_gb_max = MAX(p->shard_gb_max, shard_gb(s, (uint32_t)g));
    double copies_per_node = (double)MIN(p->shards, room) / p->nodes;
    p->heap_used_pct = 100.0 * copies_per_node * s->cfg.heap_per_shard_mb / (s->cfg.heap_gb * 1024.0);
}

/* ------------------------------------------------------------- indexing */

static void consumer_send(search_model *s, srch_consumer *c);
static void on_write_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started);

static inline uint64_t sub_tag(uint32_t consumer, uint32_t sub)
{
    return ((uint64_t)consumer << 32) | sub;
}

static int copy_cmp(const void *a, const void *b)
{
    const srch_copy *x = a, *y = b;
    if (x->node != y->node) return x->node < y->node ? -1 : 1;
    if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Service time of one shard-level request: fixed cost, per document, and
 * per distinct shard (each shard is its own Lucene writer). */
static sim_time sub_service(search_model *s, const srch_consumer *c, const srch_sub *sb)
{
    const srch_copy *cp = &g_array_index(c->copies, srch_copy, 0);
    uint32_t shards = 0;
    for (uint32_t i = sb->start; i < sb->end; i++)
        if (i == sb->start || cp[i].shard != cp[i - 1].shard) shards++;
    double per_doc = is_fts(s) ? s->cfg.fts_index_per_doc_s : s->cfg.bulk_per_doc_s;
    double sec = sim_dist_sample(&s->cfg.bulk_overhead_s, &s->rng_service) +
                 per_doc * (sb->end - sb->start) + s->cfg.bulk_per_shard_s * shards;
    return sim_time_from_sec(sec);
}

/* An Elasticsearch thread pool is full when every thread is busy and its
 * queue holds `queue` tasks (a queue of 0 admits only what starts at once). */
static gboolean pool_full(const sim_station *st, uint32_t queue)
{
    return sim_station_in_service(st) >= sim_station_servers(st) && sim_station_in_queue(st) >= queue;
}

/* Admission of a primary request: Elasticsearch answers 429 when the
 * node's write pool is full or its in-flight indexing bytes would pass
 * indexing_pressure.memory.limit. A request alone on an idle node is
 * admitted whatever its size, so an oversized bulk cannot be retried
 * forever. */
static gboolean node_admits(const search_model *s, const srch_node *n, double bytes)
{
    if (is_fts(s)) return TRUE;   /* PostgreSQL queues a statement; it never answers 429 */
    if (pool_full(n->write, s->cfg.write_queue)) return FALSE;
    if (n->inflight_bytes <= 0) return TRUE;
    return n->inflight_bytes + bytes <= s->cfg.indexing_memory_mb * 1048576.0;
}

/* Groups copies [from, to) of consumer `c`'s bulk (sorted by node) into
 * one request per node and submits them. */
static void submit_range(search_model *s, srch_consumer *c, uint32_t from, uint32_t to, gboolean primary)
{
    qsort(&g_array_index(c->copies, srch_copy, from), to - from, sizeof(srch_copy), copy_cmp);
    uint32_t i = from;
    while (i < to) {
        uint32_t node = g_array_index(c->copies, srch_copy, i).node, j = i;
        while (j < to && g_array_index(c->copies, srch_copy, j).node == node) j++;
        srch_sub sb = {node, i, j, primary, (double)(j - i) * s->cfg.doc_bytes};
        srch_node *n = &s->nodes[node];
        if (primary && !node_admits(s, n, sb.bytes)) {
            for (uint32_t k = i; k < j; k++) {
                srch_doc *d = &g_array_index(c->bulk, srch_doc, g_array_index(c->copies, srch_copy, k).doc);
                d->rejected = 1;
                s->counts.docs_rejected++;
            }
        } else {
            uint32_t idx = c->subs->len;
            g_array_append_val(c->subs, sb);
            n->inflight_bytes += sb.bytes;
            c->outstanding++;
            sim_station_submit_timed(n->write, sub_tag(c->id, idx), sub_service(s, c, &sb));
        }
        i = j;
    }
}

static uint32_t now_ms(const search_model *s)
{
    return (uint32_t)MIN(sim_now(s->ctx) / SIM_MS, (sim_time)UINT32_MAX);
}

/* Moves the workspace's staged documents whose refresh has passed into its
 * searchable ring (lazily, when the workspace is touched: no event per
 * refresh). */
static void hit_pool_promote(search_model *s, uint32_t ws)
{
    uint32_t H = s->cfg.hit_pool, now = now_ms(s);
    srch_hit_slot *pool = &s->hit_pool[(uint64_t)ws * 2 * H], *stage = pool + H;
    for (uint32_t i = 0; i < H; i++) {
        if (stage[i].channel == UINT32_MAX || stage[i].visible_ms > now) continue;
        pool[s->hit_next[ws]] = stage[i];
        s->hit_next[ws] = (s->hit_next[ws] + 1) % H;
        stage[i].channel = UINT32_MAX;
    }
}

/* Stages an acknowledged document until `visible`; a full stage drops its
 * entries round-robin (the pool is a sample of recent documents, not an
 * index). */
static void hit_pool_add(search_model *s, uint32_t ws, uint32_t channel, sim_time visible)
{
    uint32_t H = s->cfg.hit_pool, k = H;
    hit_pool_promote(s, ws);
    srch_hit_slot *stage = &s->hit_pool[(uint64_t)ws * 2 * H + H];
    for (uint32_t i = 0; i < H && k == H; i++)
        if (stage[i].channel == UINT32_MAX) k = i;
    if (k == H) { k = s->stage_next[ws]; s->stage_next[ws] = (k + 1) % H; }
    sim_time ms = (visible + SIM_MS - 1) / SIM_MS;   /* rounded up: never early */
    stage[k] = (srch_hit_slot){channel, ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms};
}

/* Every copy of `d` is written: it is acknowledged now and searchable at
 * its primary's next refresh. */
static void doc_acked(search_model *s, const srch_doc *d)
{
    sim_time now = sim_now(s->ctx);
    sim_time vis = next_refresh(s, d->shard, now);
    s->counts.indexed++;
    s->shard_docs[d->shard] += 1;
    sim_hist_record(s->lag, vis - d->published);
    sim_hist_record(s->lag_iv, vis - d->published);
    s->outage.lag_peak = MAX(s->outage.lag_peak, vis - d->published);
    hit_pool_add(s, d->ws, d->channel, vis);
    if (s->obs.searchable) s->obs.searchable(s->obs_user, d->msg, d->channel, d->published, now, vis);
}

static void ev_backoff_done(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    search_model *s = data;
    srch_consumer *c = &s->consumers[arg];
    c->busy = FALSE;
    consumer_send(s, c);
}

static guint pending_len(const srch_consumer *c)
{
    return c->pending->len - c->head;
}

static void ev_flush(sim_ctx *ctx, void *data, uint64_t arg);

/* Sends now if a full bulk waits, else arms the linger timer for the
 * oldest waiting document. */
static void consumer_poke(search_model *s, srch_consumer *c)
{
    if (c->busy || s->down) return;
    if (c->retry->len || pending_len(c) >= s->cfg.bulk_max_docs) { consumer_send(s, c); return; }
    if (pending_len(c) == 0 || c->flush_ev != SIM_EVENT_NONE) return;
    sim_time due = g_array_index(c->pending, srch_doc, c->head).published + s->cfg.bulk_linger;
    c->flush_ev = sim_at(s->ctx, MAX(due, sim_now(s->ctx)), ev_flush, s, c->id);
}

static void ev_flush(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    search_model *s = data;
    srch_consumer *c = &s->consumers[arg];
    c->flush_ev = SIM_EVENT_NONE;
    if (!c->busy) consumer_send(s, c);
}

/* The bulk's every request has answered: retry the rejected documents
 * after a backoff, or go on with the next bulk. */
static void bulk_finish(search_model *s, srch_consumer *c)
{
    guint rejected = 0;
    for (guint i = 0; i < c->bulk->len; i++) {
        srch_doc *d = &g_array_index(c->bulk, srch_doc, i);
        if (!d->rejected) continue;
        d->rejected = 0;
        g_array_append_val(c->retry, *d);
        rejected++;
    }
    g_array_set_size(c->bulk, 0);
    g_array_set_size(c->copies, 0);
    g_array_set_size(c->subs, 0);
    if (!rejected) {
        c->attempt = 0;
        c->busy = FALSE;
        consumer_poke(s, c);
        return;
    }
    s->counts.bulk_rejections++;
    /* "Full jitter": uniform on [0, min(max, base * 2^attempt)], at least
     * a microsecond so a retry never runs in the same instant. */
    double cap = MIN(sim_time_to_sec(s->cfg.backoff_max),
                     sim_time_to_sec(s->cfg.backoff_base) * ldexp(1.0, (int)MIN(c->attempt, 40u)));
    c->attempt++;
    sim_time wait = sim_time_from_sec(cap * sim_rng_uniform(&s->rng_index)) + SIM_US;
    sim_after(s->ctx, wait, ev_backoff_done, s, c->id);
}

static void take_docs(search_model *s, srch_consumer *c)
{
    guint n = MIN(c->retry->len, s->cfg.bulk_max_docs);
    g_array_append_vals(c->bulk, c->retry->data, n);
    g_array_remove_range(c->retry, 0, n);
    guint m = MIN(pending_len(c), s->cfg.bulk_max_docs - n);
    g_array_append_vals(c->bulk, &g_array_index(c->pending, srch_doc, c->head), m);
    c->head += m;
    if (c->head == c->pending->len) { g_array_set_size(c->pending, 0); c->head = 0; }
    else if (c->head > 4096 && c->head * 2 > c->pending->len) {
        g_array_remove_range(c->pending, 0, c->head);
        c->head = 0;
    }
}

static void consumer_send(search_model *s, srch_consumer *c)
{
    if (c->busy || s->down || (c->retry->len == 0 && pending_len(c) == 0)) return;
    if (c->flush_ev != SIM_EVENT_NONE) { sim_cancel(s->ctx, c->flush_ev); c->flush_ev = SIM_EVENT_NONE; }
    take_docs(s, c);
    c->busy = TRUE;
    s->counts.bulks++;
    for (guint i = 0; i < c->bulk->len; i++) {
        srch_doc *d = &g_array_index(c->bulk, srch_doc, i);
        d->remaining = (uint8_t)(1 + s->replicas);
        d->rejected = 0;
        srch_copy cp = {copy_node(s, d->shard, 0), i, d->shard};
        g_array_append_val(c->copies, cp);
    }
    submit_range(s, c, 0, c->copies->len, TRUE);
    if (c->outstanding == 0) bulk_finish(s, c);
}

/* A primary request is done: its documents' replica writes go out now
 * (Elasticsearch forwards to replicas after the primary succeeds). */
static void forward_to_replicas(search_model *s, srch_consumer *c, const srch_sub *sb)
{
    uint32_t from = c->copies->len;
    for (uint32_t i = sb->start; i < sb->end; i++) {
        srch_copy src = g_array_index(c->copies, srch_copy, i);
        for (uint32_t r = 1; r <= s->replicas; r++) {
            srch_copy cp = {copy_node(s, src.shard, r), src.doc, src.shard};
            g_array_append_val(c->copies, cp);
        }
    }
    if (c->copies->len > from) submit_range(s, c, from, c->copies->len, FALSE);
}

static void on_write_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)ctx; (void)arrived; (void)started;
    search_model *s = user;
    srch_consumer *c = &s->consumers[job >> 32];
    srch_sub sb = g_array_index(c->subs, srch_sub, (uint32_t)job);
    s->nodes[sb.node].inflight_bytes -= sb.bytes;
    for (uint32_t i = sb.start; i < sb.end; i++) {
        srch_doc *d = &g_array_index(c->bulk, srch_doc, g_array_index(c->copies, srch_copy, i).doc);
        if (--d->remaining == 0) doc_acked(s, d);
    }
    if (sb.primary && s->replicas) forward_to_replicas(s, c, &sb);
    if (--c->outstanding == 0) bulk_finish(s, c);
}

void search_on_published(search_model *s, uint32_t partition, uint64_t msg, uint32_t channel)
{
    if (s) search_on_published_at(s, partition, msg, channel, sim_now(s->ctx));
}

void search_on_published_at(search_model *s, uint32_t partition, uint64_t msg, uint32_t channel, sim_time published)
{
    if (!s || !s->cfg.enabled) return;
    g_return_if_fail(published <= sim_now(s->ctx));
    g_return_if_fail(partition < s->world.partitions);
    s->counts.published++;
    uint32_t ws = s->world.channel_workspace(s->world.user, channel);
    g_return_if_fail(ws < s->world.workspaces);
    if (!s->ws_created[ws]) { s->counts.unindexable++; return; }
    srch_doc d = {msg, published, channel, ws, doc_shard(s, ws, msg), 0, 0};
    srch_consumer *c = &s->consumers[partition];
    uint64_t pending = s->counts.published - s->counts.indexed - s->counts.unindexable;
    s->outage.pending_peak = MAX(s->outage.pending_peak, pending);
    s->outage.published_down += s->down;
    g_array_append_val(c->pending, d);
    consumer_poke(s, c);
}

/* --------------------------------------------------------------- queries */

static void ev_arrival(sim_ctx *ctx, void *data, uint64_t arg);

static uint32_t query_alloc(search_model *s)
{
    uint32_t slot;
    if (s->free_queries->len) {
        slot = g_array_index(s->free_queries, uint32_t, s->free_queries->len - 1);
        g_array_set_size(s->free_queries, s->free_queries->len - 1);
    } else {
        slot = s->queries->len;
        g_array_set_size(s->queries, slot + 1);
    }
    return slot;
}

static srch_query *query_at(search_model *s, uint32_t slot)
{
    return &g_array_index(s->queries, srch_query, slot);
}

static void query_release(search_model *s, uint32_t slot)
{
    query_at(s, slot)->live = 0;
    g_array_append_val(s->free_queries, slot);
}

/* Draws the query's hits, distinct documents among its workspace's
 * recently searchable ones (at most hit_pool), and applies the
 * access-control filter: a hit from a channel the searcher is not a member
 * of is dropped and counted. */
static void filter_hits(search_model *s, const srch_query *q, uint32_t *hits, uint32_t *returned)
{
    uint32_t H = s->cfg.hit_pool, order[64];
    double want = sim_dist_sample(&s->cfg.hits, &s->rng_query);
    uint32_t n = want <= 0 ? 0 : want >= H ? H : (uint32_t)llround(want);
    hit_pool_promote(s, q->ws);
    const srch_hit_slot *pool = &s->hit_pool[(uint64_t)q->ws * 2 * H];
    *hits = *returned = 0;
    for (uint32_t i = 0; i < H; i++) order[i] = i;
    for (uint32_t i = 0; i < n; i++) {               /* partial Fisher-Yates */
        uint32_t j = i + (uint32_t)sim_rng_below(&s->rng_query, H - i), k = order[j];
        order[j] = order[i];
        order[i] = k;
        const srch_hit_slot *h = &pool[k];
        if (h->channel == UINT32_MAX) continue;
        g_assert(h->visible_ms <= now_ms(s));
        (*hits)++;
        if (!s->world.is_member(s->world.user, h->channel, q->searcher)) {
            s->counts.hits_filtered_by_acl++;
            continue;
        }
        (*returned)++;
        if (s->obs.result) s->obs.result(s->obs_user, q->searcher, q->ws, h->channel);
    }
    s->counts.hits += *hits;
    s->counts.results += *returned;
}

static void query_finish(search_model *s, uint32_t slot)
{
    srch_query *q = query_at(s, slot);
    uint32_t hits = 0, returned = 0;
    if (q->failed) { s->counts.query_rejections++; query_release(s, slot); return; }
    if (q->kind != SEARCH_QUERY_HISTORY) filter_hits(s, q, &hits, &returned);
    sim_time lat = sim_now(s->ctx) - q->start + sample_ns(&s->cfg.api_s, &s->rng_query);
    sim_hist_record(s->qhist[q->kind], lat);
    if (s->obs.query_done) s->obs.query_done(s->obs_user, (search_query_kind)q->kind, lat, hits, returned);
    query_release(s, slot);
}

static void on_pg_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)ctx; (void)arrived; (void)started;
    query_finish(user, (uint32_t)job);
}

static void ev_metadata_done(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    query_finish(data, (uint32_t)arg);
}

/* Every shard answered: full-text hydrates from PostgreSQL, file search
 * fetches the files' metadata. */
static void es_phase_done(search_model *s, uint32_t slot)
{
    srch_query *q = query_at(s, slot);
    if (q->failed) { query_finish(s, slot); return; }
    if (q->kind == SEARCH_QUERY_FILE)
        sim_after(s->ctx, sample_ns(&s->cfg.file_metadata_s, &s->rng_query), ev_metadata_done, s, slot);
    else
        sim_station_submit_timed(s->pg_read, slot, sample_ns(&s->cfg.hydrate_s, &s->rng_query));
}

static void on_search_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)ctx; (void)arrived; (void)started;
    search_model *s = user;
    srch_query *q = query_at(s, (uint32_t)job);
    if (--q->outstanding == 0) es_phase_done(s, (uint32_t)job);
}

/* One shard query on a copy of primary `g` chosen at random (adaptive
 * replica selection is left out). A full search queue rejects it. */
static void query_shard(search_model *s, uint32_t slot, uint32_t g)
{
    uint32_t r = s->replicas ? (uint32_t)sim_rng_below(&s->rng_query, s->replicas + 1) : 0;
    srch_node *n = &s->nodes[copy_node(s, g, r)];
    if (!is_fts(s) && pool_full(n->search, s->cfg.search_queue)) { query_at(s, slot)->failed = 1; return; }
    double per_gb = is_fts(s) ? s->cfg.fts_query_s_per_gb : s->cfg.query_s_per_gb;
    double sec = sim_dist_sample(&s->cfg.query_service_s, &s->rng_service) + per_gb * shard_gb(s, g);
    query_at(s, slot)->outstanding++;
    sim_station_submit_timed(n->search, is_fts(s) ? slot | FTS_QUERY_BIT : slot, sim_time_from_sec(sec));
}

static void query_start(search_model *s, search_query_kind kind)
{
    uint32_t searcher, ws;
    if (!s->world.pick_searcher(s->world.user, &s->rng_query, &searcher, &ws)) return;
    g_return_if_fail(ws < s->world.workspaces);
    s->counts.queries[kind]++;
    uint32_t slot = query_alloc(s);
    srch_query *q = query_at(s, slot);
    *q = (srch_query){sim_now(s->ctx), searcher, ws, 0, (uint8_t)kind, 0, 1};
    if (kind == SEARCH_QUERY_HISTORY) {
        sim_station_submit_timed(s->pg_read, slot, sample_ns(&s->cfg.history_s, &s->rng_query));
        return;
    }
    if (!s->ws_created[ws] || s->down) {
        s->outage.queries_failed += s->down;
        q->failed = 1;
        query_finish(s, slot);
        return;
    }
    if (one_index(s))
        query_shard(s, slot, doc_shard(s, ws, 0));
    else
        for (uint32_t k = 0; k < s->ws_primaries[ws]; k++) query_shard(s, slot, s->ws_shard_base[ws] + k);
    if (query_at(s, slot)->outstanding == 0) es_phase_done(s, slot);
}

static double total_rate(const search_model *s)
{
    return s->cfg.query_rate_per_user + s->cfg.history_rate_per_user;
}

/* Schedules the next arrival of the Poisson process whose rate follows
 * the number of active users (re-read at each arrival; with nobody active
 * it looks again a second later). */
static void schedule_arrival(search_model *s)
{
    double rate = total_rate(s) * s->world.active_users(s->world.user, sim_now(s->ctx));
    sim_time gap = rate > 0 ? sim_time_from_sec(-log(sim_rng_uniform_pos(&s->rng_query)) / rate) + 1 : SIM_SEC;
    s->arrival_ev = sim_after(s->ctx, gap, ev_arrival, s, rate > 0);
}

static void ev_arrival(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    search_model *s = data;
    s->arrival_ev = SIM_EVENT_NONE;
    if (arg) {
        double u = sim_rng_uniform(&s->rng_query) * total_rate(s);
        search_query_kind kind = u < s->cfg.history_rate_per_user ? SEARCH_QUERY_HISTORY
                               : sim_rng_uniform(&s->rng_query) < s->cfg.file_fraction ? SEARCH_QUERY_FILE
                               : SEARCH_QUERY_FULL_TEXT;
        query_start(s, kind);
    }
    schedule_arrival(s);
}

/* ------------------------------------------------------------ lifecycle */

static sim_station *node_station(search_model *s, const char *what, uint32_t i, unsigned servers,
                                 const sim_dist *service, sim_station_done_fn done)
{
    char *name = g_strdup_printf("search.es.%u.%s", i, what);
    sim_station_config sc = {name, servers, 0, SIM_DROP_TAIL, *service};
    sim_station *st = sim_station_new(s->ctx, &sc, done, NULL, s);
    g_free(name);
    return st;
}

/* postgres_fts: index writes and queries share the primary's cores. */
static void on_fts_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    if (job & FTS_QUERY_BIT) on_search_done(ctx, user, job & ~FTS_QUERY_BIT, arrived, started);
    else on_write_done(ctx, user, job, arrived, started);
}

static void build_cluster(search_model *s)
{
    uint32_t N = s->plan.nodes;
    s->nodes = g_new0(srch_node, N);
    if (is_fts(s)) {
        s->nodes[0].write = s->nodes[0].search = node_station(s, "postgres_fts", 0, s->cfg.fts_cores,
                                                              &s->cfg.query_service_s, on_fts_done);
        N = 0;
    }
    for (uint32_t i = 0; i < N; i++) {
        s->nodes[i].write = node_station(s, "write", i, s->cfg.write_threads, &s->cfg.bulk_overhead_s, on_write_done);
        s->nodes[i].search = node_station(s, "search", i, s->cfg.search_threads, &s->cfg.query_service_s, on_search_done);
    }
    sim_station_config pc = {"search.postgres_read", s->cfg.pg_read_servers, 0, SIM_DROP_TAIL, s->cfg.hydrate_s};
    s->pg_read = sim_station_new(s->ctx, &pc, on_pg_done, NULL, s);
}

static void build_consumers(search_model *s)
{
    s->consumers = g_new0(srch_consumer, s->world.partitions);
    for (uint32_t i = 0; i < s->world.partitions; i++) {
        srch_consumer *c = &s->consumers[i];
        c->id = i;
        c->pending = g_array_new(FALSE, FALSE, sizeof(srch_doc));
        c->retry = g_array_new(FALSE, FALSE, sizeof(srch_doc));
        c->bulk = g_array_new(FALSE, FALSE, sizeof(srch_doc));
        c->copies = g_array_new(FALSE, FALSE, sizeof(srch_copy));
        c->subs = g_array_new(FALSE, FALSE, sizeof(srch_sub));
    }
}

static void copy_config(search_config *dst, const search_config *src)
{
    *dst = *src;
    sim_dist *d[] = {&dst->bulk_overhead_s, &dst->query_service_s, &dst->hits, &dst->api_s,
                     &dst->file_metadata_s, &dst->hydrate_s, &dst->history_s};
    const sim_dist *o[] = {&src->bulk_overhead_s, &src->query_service_s, &src->hits, &src->api_s,
                           &src->file_metadata_s, &src->hydrate_s, &src->history_s};
    for (size_t i = 0; i < G_N_ELEMENTS(d); i++) sim_dist_copy(d[i], o[i]);
}

search_model *search_new(sim_ctx *ctx, const search_config *cfg, const search_world *world, GError **error)
{
    g_return_val_if_fail(ctx && cfg && world, NULL);
    if (cfg->enabled && (world->partitions == 0 || world->workspaces == 0)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "search: the indexer needs at least one Kafka partition and one workspace");
        return NULL;
    }
    search_model *s = g_new0(search_model, 1);
    s->ctx = ctx;
    copy_config(&s->cfg, cfg);
    s->world = *world;
    s->lag = sim_hist_new();
    s->lag_iv = sim_hist_new();
    for (int k = 0; k < SEARCH_QUERY_KINDS; k++) s->qhist[k] = sim_hist_new();
    s->queries = g_array_new(FALSE, TRUE, sizeof(srch_query));
    s->free_queries = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    if (!cfg->enabled) return s;
    sim_ctx_stream(ctx, "search.query", &s->rng_query);
    sim_ctx_stream(ctx, "search.indexer", &s->rng_index);
    sim_ctx_stream(ctx, "search.service", &s->rng_service);
    plan_indices(s);
    if (s->plan.nodes > SEARCH_MAX_NODES) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "search: the %s layout needs %u Elasticsearch nodes, more than the %u the simulator models; "
                    "set search.es.nodes or search.layout", LAYOUT_NAMES[s->cfg.layout], s->plan.nodes,
                    (unsigned)SEARCH_MAX_NODES);
        search_free(s);
        return NULL;
    }
    create_indices(s);
    uint64_t pool = (uint64_t)world->workspaces * 2 * s->cfg.hit_pool;
    s->hit_pool = g_new(srch_hit_slot, pool);
    for (uint64_t i = 0; i < pool; i++) s->hit_pool[i] = (srch_hit_slot){UINT32_MAX, UINT32_MAX};
    s->hit_next = g_new0(uint32_t, world->workspaces);
    s->stage_next = g_new0(uint32_t, world->workspaces);
    build_cluster(s);
    build_consumers(s);
    search_set_arrivals(s, TRUE);
    return s;
}

void search_free(search_model *s)
{
    if (!s) return;
    for (uint32_t i = 0; s->nodes && i < s->plan.nodes; i++) {
        if (s->nodes[i].search != s->nodes[i].write) sim_station_free(s->nodes[i].search);
        sim_station_free(s->nodes[i].write);
    }
    for (uint32_t i = 0; s->consumers && i < s->world.partitions; i++) {
        srch_consumer *c = &s->consumers[i];
        g_array_free(c->pending, TRUE);
        g_array_free(c->retry, TRUE);
        g_array_free(c->bulk, TRUE);
        g_array_free(c->copies, TRUE);
        g_array_free(c->subs, TRUE);
    }
    sim_station_free(s->pg_read);
    g_free(s->nodes);
    g_free(s->consumers);
    g_free(s->ws_primaries);
    g_free(s->ws_shard_base);
    g_free(s->ws_created);
    g_free(s->shard_docs);
    g_free(s->shard_phase);
    g_free(s->hit_pool);
    g_free(s->hit_next);
    g_free(s->stage_next);
    g_array_free(s->queries, TRUE);
    g_array_free(s->free_queries, TRUE);
    sim_hist_free(s->lag);
    sim_hist_free(s->lag_iv);
    for (int k = 0; k < SEARCH_QUERY_KINDS; k++) sim_hist_free(s->qhist[k]);
    search_config_clear(&s->cfg);
    g_free(s);
}

void search_set_arrivals(search_model *s, gboolean on)
{
    if (!s || !s->cfg.enabled || on == s->arrivals_on) return;
    s->arrivals_on = on;
    if (!on && s->arrival_ev != SIM_EVENT_NONE) {
        sim_cancel(s->ctx, s->arrival_ev);
        s->arrival_ev = SIM_EVENT_NONE;
    }
    if (on && total_rate(s) > 0) schedule_arrival(s);
}

void search_set_observer(search_model *s, const search_observer *obs, void *user)
{
    memset(&s->obs, 0, sizeof s->obs);
    if (obs) s->obs = *obs;
    s->obs_user = obs ? user : NULL;
}

void search_set_outage(search_model *s, gboolean down)
{
    if (!s || !s->cfg.enabled || s->down == down) return;
    s->down = down;
    for (uint32_t i = 0; !down && i < s->world.partitions; i++) consumer_poke(s, &s->consumers[i]);
}

void search_outage_mark(search_model *s)
{
    memset(&s->outage, 0, sizeof s->outage);
    s->outage.pending_peak = s->counts.published - s->counts.indexed - s->counts.unindexable;
}

void search_get_outage(const search_model *s, search_outage_counts *out) { *out = s->outage; }

/* ------------------------------------------------------------ read-outs */

gboolean search_enabled(const search_model *s) { return s && s->cfg.enabled; }

void search_get_counts(const search_model *s, search_counts *out)
{
    *out = s->counts;
    out->pending = s->counts.published - s->counts.indexed - s->counts.unindexable;
}

void search_get_plan(const search_model *s, search_shard_plan *out)
{
    *out = s->plan;
}

const sim_hist *search_lag_hist(const search_model *s) { return s->lag; }

const sim_hist *search_query_hist(const search_model *s, search_query_kind kind)
{
    g_return_val_if_fail(kind < SEARCH_QUERY_KINDS, NULL);
    return s->qhist[kind];
}

const sim_station *search_write_station(const search_model *s, uint32_t node)
{
    return node < s->plan.nodes ? s->nodes[node].write : NULL;
}

const sim_station *search_search_station(const search_model *s, uint32_t node)
{
    return node < s->plan.nodes ? s->nodes[node].search : NULL;
}

static double util_max(const search_model *s, gboolean write)
{
    double m = 0;
    for (uint32_t i = 0; i < s->plan.nodes; i++)
        m = MAX(m, sim_station_utilization(write ? s->nodes[i].write : s->nodes[i].search));
    return m;
}

double search_write_util_max(const search_model *s) { return util_max(s, TRUE); }

static uint64_t all_queries(const search_counts *c)
{
    uint64_t n = 0;
    for (int k = 0; k < SEARCH_QUERY_KINDS; k++) n += c->queries[k];
    return n;
}

void search_take_interval(search_model *s, search_interval *out)
{
    search_counts c;
    search_get_counts(s, &c);
    sim_time now = sim_now(s->ctx);
    double dt = sim_time_to_sec(now - s->iv_t0);
    double per = dt > 0 ? 1.0 / dt : 0;
    out->indexed_per_s = (double)(c.indexed - s->iv_prev.indexed) * per;
    out->queries_per_s = (double)(all_queries(&c) - all_queries(&s->iv_prev)) * per;
    out->lag_p99_ms = (double)sim_hist_percentile(s->lag_iv, 99) / 1e6;
    out->pending = (double)c.pending;
    out->bulk_rejections = (double)(c.bulk_rejections - s->iv_prev.bulk_rejections);
    s->iv_prev = c;
    s->iv_t0 = now;
    sim_hist_reset(s->lag_iv);
}

/* {"target","percentile","value","met"} for one latency figure; "met" is
 * null when nothing was measured. */
static cJSON *target_json(const sim_hist *h, double pct, double target_ms)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "target_ms", target_ms);
    cJSON_AddNumberToObject(o, "percentile", pct);
    if (sim_hist_count(h) == 0) {
        cJSON_AddNullToObject(o, "value_ms");
        cJSON_AddNullToObject(o, "met");
    } else {
        double v = (double)sim_hist_percentile(h, pct) / 1e6;
        cJSON_AddNumberToObject(o, "value_ms", v);
        cJSON_AddBoolToObject(o, "met", v < target_ms);
    }
    return o;
}

static cJSON *plan_json(const search_model *s)
{
    const search_shard_plan *p = &s->plan;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "indices", (double)p->indices);
    cJSON_AddNumberToObject(o, "indices_created", (double)p->indices_created);
    cJSON_AddNumberToObject(o, "primaries", (double)p->primaries);
    cJSON_AddNumberToObject(o, "replicas", s->replicas);
    cJSON_AddNumberToObject(o, "nodes_needed", p->nodes_needed);
    cJSON_AddNumberToObject(o, "nodes_for_shard_limit", p->nodes_for_shard_limit);
    cJSON_AddNumberToObject(o, "nodes_for_heap", p->nodes_for_heap);
    cJSON_AddNumberToObject(o, "nodes_for_disk", p->nodes_for_disk);
    cJSON_AddNumberToObject(o, "data_gb", p->data_gb);
    cJSON_AddNumberToObject(o, "shard_gb_max", p->shard_gb_max);
    cJSON_AddNumberToObject(o, "heap_per_shard_mb", p->heap_per_shard_mb);
    cJSON_AddNumberToObject(o, "heap_used_pct", p->heap_used_pct);
    return o;
}

/* Only with postgres_fts (the default engine's summary is as it was):
 * "engine" and the primary's index and CPU. */
static void fts_json(const search_model *s, cJSON *o)
{
    cJSON_AddStringToObject(o, "engine", ENGINE_NAMES[s->cfg.engine]);
    cJSON *f = cJSON_AddObjectToObject(o, "postgres_fts");
    cJSON_AddNumberToObject(f, "cores", s->cfg.fts_cores);
    cJSON_AddNumberToObject(f, "index_gb", shard_gb(s, 0));
    cJSON_AddNumberToObject(f, "cpu_util", sim_station_utilization(s->nodes[0].write));
    cJSON_AddNumberToObject(f, "queue_at_end", (double)sim_station_in_queue(s->nodes[0].write));
}

cJSON *search_summary(const search_model *s)
{
    search_counts c;
    search_get_counts(s, &c);
    const search_config *g = &s->cfg;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "enabled", g->enabled);
    cJSON_AddStringToObject(o, "layout", LAYOUT_NAMES[g->layout]);
    cJSON_AddNumberToObject(o, "indexed", (double)c.indexed);
    cJSON_AddItemToObject(o, "index_lag_ms", sim_hist_to_json(s->lag, 1e6));
    cJSON_AddItemToObject(o, "query_ms", sim_hist_to_json(s->qhist[SEARCH_QUERY_FULL_TEXT], 1e6));
    cJSON_AddItemToObject(o, "file_query_ms", sim_hist_to_json(s->qhist[SEARCH_QUERY_FILE], 1e6));
    cJSON_AddItemToObject(o, "history_ms", sim_hist_to_json(s->qhist[SEARCH_QUERY_HISTORY], 1e6));
    cJSON_AddNumberToObject(o, "hits_filtered_by_acl", (double)c.hits_filtered_by_acl);
    cJSON_AddNumberToObject(o, "shards", (double)s->plan.shards);
    cJSON_AddNumberToObject(o, "es_nodes", s->plan.nodes);
    cJSON_AddNumberToObject(o, "bulk_rejections", (double)c.bulk_rejections);
    cJSON_AddNumberToObject(o, "published", (double)c.published);
    cJSON_AddNumberToObject(o, "pending", (double)c.pending);
    cJSON_AddNumberToObject(o, "unindexable", (double)c.unindexable);
    cJSON_AddNumberToObject(o, "bulks", (double)c.bulks);
    cJSON_AddNumberToObject(o, "docs_rejected", (double)c.docs_rejected);
    cJSON *q = cJSON_AddObjectToObject(o, "queries");
    for (int k = 0; k < SEARCH_QUERY_KINDS; k++) cJSON_AddNumberToObject(q, KIND_NAMES[k], (double)c.queries[k]);
    cJSON_AddNumberToObject(o, "query_rejections", (double)c.query_rejections);
    cJSON_AddNumberToObject(o, "hits", (double)c.hits);
    cJSON_AddNumberToObject(o, "results", (double)c.results);
    cJSON_AddNumberToObject(o, "es_write_util_max", g->enabled ? util_max(s, TRUE) : 0);
    cJSON_AddNumberToObject(o, "es_search_util_max", g->enabled ? util_max(s, FALSE) : 0);
    cJSON_AddNumberToObject(o, "postgres_read_util", s->pg_read ? sim_station_utilization(s->pg_read) : 0);
    /* the pools as queues: the nodes' write and search pools (the mean and
     * the worst node; hundreds of nodes, so no per-node objects), the
     * PostgreSQL read pool */
    const sim_station **pools = g_new(const sim_station *, s->plan.nodes + 1);
    for (uint32_t i = 0; i < s->plan.nodes; i++) pools[i] = s->nodes[i].write;
    cJSON_AddItemToObject(o, "es_write_pool", sim_station_pool_to_json(pools, s->plan.nodes, FALSE));
    for (uint32_t i = 0; i < s->plan.nodes; i++) pools[i] = s->nodes[i].search;
    cJSON_AddItemToObject(o, "es_search_pool", sim_station_pool_to_json(pools, s->plan.nodes, FALSE));
    pools[0] = s->pg_read;
    cJSON_AddItemToObject(o, "postgres_read_pool", sim_station_pool_to_json(pools, s->pg_read ? 1 : 0, FALSE));
    g_free(pools);
    cJSON_AddItemToObject(o, "shard_plan", plan_json(s));
    if (g->enabled && is_fts(s)) fts_json(s, o);
    cJSON *t = cJSON_AddObjectToObject(o, "targets");
    cJSON_AddItemToObject(t, "full_text", target_json(s->qhist[SEARCH_QUERY_FULL_TEXT], g->target_percentile, g->target_full_text_ms));
    cJSON_AddItemToObject(t, "file", target_json(s->qhist[SEARCH_QUERY_FILE], g->target_percentile, g->target_file_ms));
    cJSON_AddItemToObject(t, "history", target_json(s->qhist[SEARCH_QUERY_HISTORY], g->target_percentile, g->target_history_ms));
    cJSON_AddItemToObject(t, "index_lag", target_json(s->lag, g->target_percentile, g->target_lag_ms));
    return o;
}

/* "full-text search p99 41.2 ms (target < 100 ms): met" */
static void report_target(GString *out, const char *what, const sim_hist *h, double pct, double target_ms)
{
    g_string_append_printf(out, "  %-20s ", what);
    if (sim_hist_count(h) == 0) {
        g_string_append_printf(out, "no samples (target < %g ms): n/a\n", target_ms);
        return;
    }
    double v = (double)sim_hist_percentile(h, pct) / 1e6;
    g_string_append_printf(out, "p%g %.1f ms (target < %g ms): %s\n", pct, v, target_ms,
                           v < target_ms ? "met" : "MISSED");
}

void search_report(const search_model *s, GString *out)
{
    if (!s->cfg.enabled) return;   /* nothing to say: the summary says "enabled": false */
    search_counts c;
    search_get_counts(s, &c);
    const search_shard_plan *p = &s->plan;
    const search_config *g = &s->cfg;
    char how[64];
    if (is_fts(s)) g_snprintf(how, sizeof how, "%s, visible at commit", ENGINE_NAMES[g->engine]);
    else g_snprintf(how, sizeof how, "%s, refresh %g s", LAYOUT_NAMES[g->layout], sim_time_to_sec(g->refresh_interval));
    g_string_append_printf(out, "search (%s): %" G_GUINT64_FORMAT " indexed, %" G_GUINT64_FORMAT
                           " pending, %" G_GUINT64_FORMAT " bulk rejections (429)\n", how, c.indexed, c.pending,
                           c.bulk_rejections);
    if (is_fts(s))
        g_string_append_printf(out, "  PostgreSQL full-text search: one %.0f GB index on one primary, %u cores %.0f%% busy"
                               " (index writes and queries share them)\n", shard_gb(s, 0), g->fts_cores,
                               100 * sim_station_utilization(s->nodes[0].write));
    else
        g_string_append_printf(out, "  shards %" G_GUINT64_FORMAT " on %u nodes (needed %u: shard limit %u, heap %u, disk %u);"
                               " shards take %.0f%% of each node's heap\n", p->shards, p->nodes, p->nodes_needed,
                               p->nodes_for_shard_limit, p->nodes_for_heap, p->nodes_for_disk, p->heap_used_pct);
    if (p->indices_created < p->indices || c.unindexable)
        g_string_append_printf(out, "  %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " indices could not be created "
                               "(max_shards_per_node); %" G_GUINT64_FORMAT " messages unindexable\n",
                               p->indices - p->indices_created, p->indices, c.unindexable);
    report_target(out, "index lag", s->lag, g->target_percentile, g->target_lag_ms);
    report_target(out, "full-text search", s->qhist[SEARCH_QUERY_FULL_TEXT], g->target_percentile, g->target_full_text_ms);
    report_target(out, "file search", s->qhist[SEARCH_QUERY_FILE], g->target_percentile, g->target_file_ms);
    report_target(out, "recent history", s->qhist[SEARCH_QUERY_HISTORY], g->target_percentile, g->target_history_ms);
    g_string_append_printf(out, "  access control removed %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                           " hits; %" G_GUINT64_FORMAT " queries rejected; ES write util max %.2f\n",
                           c.hits_filtered_by_acl, c.hits, c.query_rejections, util_max(s, TRUE));
}

/* ================================================================ the component */

/* The world as the messaging model knows it (search_world's callbacks). */
static uint64_t sw_workspace_users(void *u, uint32_t ws) { return wl_workspace_size(((slack_model *)u)->wl, ws); }
static uint32_t sw_channel_workspace(void *u, uint32_t ch) { return wl_workspace_of_channel(((slack_model *)u)->wl, ch); }
static gboolean sw_is_member(void *u, uint32_t ch, uint32_t member) { return wl_is_member(((slack_model *)u)->wl, ch, member); }
static double sw_active_users(void *u, sim_time now) { (void)now; return (double)gw_total_connections(((slack_model *)u)->gw); }

/* The workspace of a user: the last workspace starting at or before it. */
static uint32_t sw_user_workspace(const slack_model *m, uint32_t user)
{
    uint32_t lo = 0, hi = wl_workspaces(m->wl);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (wl_workspace_first_user(m->wl, mid) <= user) lo = mid; else hi = mid;
    }
    return lo;
}

static gboolean sw_pick_searcher(void *u, sim_rng *rng, uint32_t *searcher, uint32_t *ws)
{
    slack_model *m = u;
    if (!wl_pick_connected(m, rng, searcher)) return FALSE;
    *ws = sw_user_workspace(m, *searcher);
    return TRUE;
}

static gboolean srch_validate(const sim_scenario *sc, const slack_config *cfg, GError **error)
{
    return check_config(sc, &cfg->search, error);
}

static gboolean srch_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc;
    search_world w = { m->kafka.partitions, wl_workspaces(m->wl), sw_workspace_users, sw_channel_workspace,
                       sw_is_member, sw_pick_searcher, sw_active_users, m };
    m->search = search_new(m->ctx, &m->config.search, &w, error);
    return m->search != NULL;
}

static void srch_free(slack_model *m) { search_free(m->search); }
static void srch_stop(slack_model *m) { search_set_arrivals(m->search, FALSE); }
static void srch_published(slack_model *m, const msg_rec *r) { search_on_published(m->search, r->partition, r->serial, r->channel); }
static cJSON *srch_summary(const slack_model *m) { return search_summary(m->search); }
static void srch_report(const slack_model *m, GString *s) { search_report(m->search, s); }

static const char *const srch_columns[] = {
    "search_indexed_per_s", "search_lag_p99_ms", "search_queries_per_s", "search_pending",
};

static size_t srch_columns_fn(const slack_model *m, const char **out)
{
    if (!search_enabled(m->search)) return 0;
    memcpy(out, srch_columns, sizeof srch_columns);
    return G_N_ELEMENTS(srch_columns);
}

static size_t srch_sample(slack_model *m, double *out)
{
    if (!search_enabled(m->search)) return 0;
    search_interval s;
    search_take_interval(m->search, &s);
    out[0] = s.indexed_per_s; out[1] = s.lag_p99_ms; out[2] = s.queries_per_s; out[3] = s.pending;
    return 4;
}

/* The Elasticsearch write pools' busiest node, worst interval (the
 * indexing stage's bottleneck); offered as utilized: bulk requests beyond
 * the pool are rejected (429), not queued. */
static gboolean srch_load(const slack_model *m, slack_load *out)
{
    if (!search_enabled(m->search)) return FALSE;
    double u = search_write_util_max(m->search);
    *out = (slack_load){ u, u };
    return TRUE;
}

const slack_component search_component = {
    .name = "search", .fields = srch_keys, .n_fields = G_N_ELEMENTS(srch_keys),
    .config_offset = offsetof(slack_config, search), .validate = srch_validate,
    .build = srch_build, .stop = srch_stop, .free = srch_free, .on_published = srch_published,
    .columns = srch_columns_fn, .sample = srch_sample, .summary = srch_summary, .report = srch_report,
    .load = srch_load,
};
