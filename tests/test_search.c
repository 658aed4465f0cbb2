/* search: the access-control invariant, index lag bounds (refresh floor,
 * growth only under saturation), 429s and retries losing nothing, shard
 * accounting, latency growing with shard size, scenario keys, determinism.
 *
 * The harness is a small world standing in for the messaging model: W
 * workspaces of U users and C channels each; channel 0 of a workspace holds
 * everyone, the others a deterministic ~40% of its users; messages arrive
 * as a Poisson process on random channels and are "published" to partition
 * channel % P. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "models/search.h"
#include "sim/sim_error.h"
#include "sim/sim_hist.h"

/* ------------------------------------------------------------ the world */

typedef struct {
    uint32_t W, U, C, P;
    double active;          /* active users */
    double msg_rate;        /* messages/s while publishing */
    sim_time publish_until;
    uint64_t next_msg;
    sim_rng rng;
    search_model *s;
    /* observations */
    uint64_t acl_violations, results, searchable;
    uint64_t bad_refresh, bad_order;
    sim_time lag_max, refresh_gap_max;
    sim_hist *lag_first, *lag_last;   /* lag of docs published early / late */
} tworld;

static inline uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t w_ws_users(void *u, uint32_t ws) { (void)ws; return ((tworld *)u)->U; }
static uint32_t w_channel_ws(void *u, uint32_t ch) { return ch / ((tworld *)u)->C; }

static gboolean w_is_member(void *u, uint32_t ch, uint32_t user)
{
    tworld *w = u;
    if (user / w->U != ch / w->C) return FALSE;          /* another workspace */
    if (ch % w->C == 0) return TRUE;                     /* #general */
    return mix(((uint64_t)ch << 32) | user) % 100 < 40;
}

static gboolean w_pick_searcher(void *u, sim_rng *rng, uint32_t *searcher, uint32_t *ws)
{
    tworld *w = u;
    *searcher = (uint32_t)sim_rng_below(rng, (uint64_t)w->W * w->U);
    *ws = *searcher / w->U;
    return TRUE;
}

static double w_active(void *u, sim_time now) { (void)now; return ((tworld *)u)->active; }

static void ev_publish(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    tworld *w = data;
    uint32_t ch = (uint32_t)sim_rng_below(&w->rng, (uint64_t)w->W * w->C);
    search_on_published(w->s, ch % w->P, ++w->next_msg, ch);
    sim_time gap = sim_time_from_sec(-log(sim_rng_uniform_pos(&w->rng)) / w->msg_rate) + 1;
    if (sim_now(ctx) + gap < w->publish_until) sim_after(ctx, gap, ev_publish, w, 0);
}

static void obs_result(void *u, uint32_t searcher, uint32_t ws, uint32_t ch)
{
    tworld *w = u;
    w->results++;
    if (!w_is_member(w, ch, searcher) || w_channel_ws(w, ch) != ws) w->acl_violations++;
}

static void obs_searchable(void *u, uint64_t msg, uint32_t ch, sim_time pub, sim_time idx, sim_time vis)
{
    (void)msg; (void)ch;
    tworld *w = u;
    w->searchable++;
    if (!(pub <= idx)) w->bad_order++;
    if (!(vis > idx && vis - idx <= SIM_SEC)) w->bad_refresh++;   /* harness uses R = 1 s */
    w->refresh_gap_max = MAX(w->refresh_gap_max, vis - idx);
    w->lag_max = MAX(w->lag_max, vis - pub);
    if (pub < w->publish_until / 4) sim_hist_record(w->lag_first, vis - pub);
    if (pub >= w->publish_until * 3 / 4) sim_hist_record(w->lag_last, vis - pub);
}

static search_world world_of(tworld *w)
{
    search_world sw = {w->P, w->W, w_ws_users, w_channel_ws, w_is_member, w_pick_searcher, w_active, w};
    return sw;
}

/* A small, quick configuration: two nodes, constant costs so bounds are
 * exact, refresh 1 s. */
static void small_config(search_config *c)
{
    search_config_init(c);
    c->enabled = TRUE;
    c->nodes = 2;
    c->replicas = 1;
    c->initial_docs_per_user = 100;
    c->bulk_max_docs = 200;
    c->bulk_linger = 50 * SIM_MS;
    sim_dist_clear(&c->bulk_overhead_s);
    sim_dist_init_constant(&c->bulk_overhead_s, 0.001);
    c->bulk_per_doc_s = 0.0001;
    c->bulk_per_shard_s = 0.0001;
    c->query_rate_per_user = 0;
    c->history_rate_per_user = 0;
}

static void world_init(tworld *w, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->W = 20; w->U = 50; w->C = 10; w->P = 2;
    w->active = 1000;
    w->msg_rate = 500;
    w->publish_until = (test_quick() ? 10 : 30) * SIM_SEC;
    sim_rng_init_named(&w->rng, seed, "test.publisher");
    w->lag_first = sim_hist_new();
    w->lag_last = sim_hist_new();
}

static void world_clear(tworld *w)
{
    sim_hist_free(w->lag_first);
    sim_hist_free(w->lag_last);
}

/* Builds the model on a fresh context, runs publishing, then a drain of
 * `drain` so in-flight work can finish. Caller frees ctx and w->s. */
static sim_ctx *run(tworld *w, const search_config *c, uint64_t seed, sim_time drain)
{
    sim_ctx *ctx = sim_ctx_new(seed);
    search_world sw = world_of(w);
    GError *err = NULL;
    w->s = search_new(ctx, c, &sw, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->s);
    search_observer obs = {obs_searchable, obs_result, NULL};
    search_set_observer(w->s, &obs, w);
    sim_after(ctx, 0, ev_publish, w, 0);
    sim_run_until(ctx, w->publish_until + drain);
    return ctx;
}

/* ------------------------------------------------------------ tests */

/* No result from a channel the searcher is not in is ever returned, the
 * filter does remove hits (the test would be empty otherwise), and every
 * hit is either returned or counted as filtered. */
static void test_acl_invariant(void)
{
    tworld w;
    world_init(&w, 11);
    search_config c;
    small_config(&c);
    c.query_rate_per_user = 0.05;        /* 50 searches/s */
    sim_ctx *ctx = run(&w, &c, 11, 5 * SIM_SEC);
    search_counts n;
    search_get_counts(w.s, &n);
    CU_ASSERT_EQUAL(w.acl_violations, 0);
    CU_ASSERT(w.results > 100);
    CU_ASSERT(n.hits_filtered_by_acl > 100);
    CU_ASSERT_EQUAL(n.hits, n.results + n.hits_filtered_by_acl);
    CU_ASSERT_EQUAL(n.results, w.results);
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
}

/* Below capacity: every document becomes searchable at a refresh strictly
 * after its acknowledgement and at most one interval later (so the lag is
 * never below what the refresh allows), and the lag stays within refresh
 * + linger + two bulks' service (no queueing: 2 consumers x 2 requests per
 * node <= 8 write threads). Nothing is rejected; everything is indexed. */
static void test_lag_bounded_when_unsaturated(void)
{
    tworld w;
    world_init(&w, 12);
    search_config c;
    small_config(&c);
    sim_ctx *ctx = run(&w, &c, 12, 5 * SIM_SEC);
    search_counts n;
    search_get_counts(w.s, &n);
    double bulk_s = 0.001 + (c.bulk_per_doc_s + c.bulk_per_shard_s) * c.bulk_max_docs;
    sim_time bound = SIM_SEC + c.bulk_linger + sim_time_from_sec(2 * 2 * bulk_s);
    CU_ASSERT(w.searchable > 1000);
    CU_ASSERT_EQUAL(w.bad_refresh, 0);
    CU_ASSERT_EQUAL(w.bad_order, 0);
    CU_ASSERT(w.lag_max <= bound);
    /* The refresh wait does use the whole interval: the largest seen is
     * close to R (with >1000 docs, a gap below 0.9 R has odds < 1e-40). */
    CU_ASSERT(w.refresh_gap_max > 900 * SIM_MS);
    CU_ASSERT_EQUAL(n.bulk_rejections, 0);
    CU_ASSERT_EQUAL(n.pending, 0);
    CU_ASSERT_EQUAL(n.indexed, n.published);
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
}

/* Past capacity (8 ms of a write thread per document copy; each of the
 * 2 consumers keeps one 200-doc bulk in flight, written to the primary then
 * the replica: ~0.8 s + 0.8 s per bulk, ~250 docs/s for 1000 offered), the
 * lag passes the unsaturated bound and keeps growing: documents published
 * in the last quarter wait more than twice as long as those of the first. */
static void test_lag_grows_when_saturated(void)
{
    tworld w;
    world_init(&w, 13);
    w.msg_rate = 1000;
    w.publish_until = 10 * SIM_SEC;
    search_config c;
    small_config(&c);
    c.bulk_per_doc_s = 0.008;
    sim_ctx *ctx = run(&w, &c, 13, 0);
    search_counts n;
    search_get_counts(w.s, &n);
    CU_ASSERT(n.pending > 1000);            /* the backlog at the end of publishing */
    sim_run_until(ctx, w.publish_until + 300 * SIM_SEC);
    search_get_counts(w.s, &n);
    CU_ASSERT_EQUAL(n.pending, 0);          /* drained: every late document counted */
    sim_time bound = SIM_SEC + c.bulk_linger + sim_time_from_sec(4 * (0.001 + 0.0081 * c.bulk_max_docs));
    CU_ASSERT(w.lag_max > bound);
    CU_ASSERT(sim_hist_count(w.lag_first) > 0 && sim_hist_count(w.lag_last) > 0);
    CU_ASSERT(sim_hist_mean(w.lag_last) > 2 * sim_hist_mean(w.lag_first));
    CU_ASSERT_EQUAL(w.bad_refresh, 0);
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
}

/* An under-sized indexing memory makes nodes answer 429; the consumers
 * back off and retry, and once publishing stops every document is indexed:
 * retries lose nothing and duplicate nothing. */
static void test_rejections_retry_without_loss(void)
{
    tworld w;
    world_init(&w, 14);
    w.msg_rate = 1500;
    w.P = 8;
    search_config c;
    small_config(&c);
    c.bulk_per_doc_s = 0.001;
    c.indexing_memory_mb = 0.02;          /* ~20 documents in flight per node */
    sim_ctx *ctx = run(&w, &c, 14, 600 * SIM_SEC);
    search_counts n;
    search_get_counts(w.s, &n);
    CU_ASSERT(n.bulk_rejections > 0);
    CU_ASSERT(n.docs_rejected > 0);
    CU_ASSERT_EQUAL(n.pending, 0);
    CU_ASSERT_EQUAL(n.indexed, n.published);
    CU_ASSERT_EQUAL(w.searchable, n.published);
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
}

/* Shard accounting: 2000 one-shard indices with a replica need 4000
 * copies; with max_shards_per_node 1000 that is 4 nodes. On 1 node only
 * 500 indices fit; messages for the others are unindexable. The shared
 * index fits in 1 primary + 1 replica. */
static void test_shard_accounting(void)
{
    tworld w;
    world_init(&w, 15);
    w.W = 2000; w.U = 5; w.C = 2;
    w.publish_until = 2 * SIM_SEC;
    search_config c;
    small_config(&c);
    c.nodes = 1;
    sim_ctx *ctx = run(&w, &c, 15, 5 * SIM_SEC);
    search_shard_plan p;
    search_get_plan(w.s, &p);
    search_counts n;
    search_get_counts(w.s, &n);
    CU_ASSERT_EQUAL(p.indices, 2000);
    CU_ASSERT_EQUAL(p.primaries, 2000);
    CU_ASSERT_EQUAL(p.shards, 4000);
    CU_ASSERT_EQUAL(p.nodes_for_shard_limit, 4);
    CU_ASSERT(p.nodes_needed >= 4);
    CU_ASSERT_EQUAL(p.nodes, 1);
    /* One node: no room for replicas, so 1000 single-copy indices fit. */
    CU_ASSERT_EQUAL(p.indices_created, 1000);
    CU_ASSERT(n.unindexable > 0);
    CU_ASSERT_EQUAL(n.indexed + n.unindexable, n.published);
    search_free(w.s);
    sim_ctx_free(ctx);

    world_clear(&w);
    world_init(&w, 15);
    w.W = 2000; w.U = 5; w.C = 2;
    w.publish_until = 2 * SIM_SEC;
    c.layout = SEARCH_LAYOUT_SHARED_INDEX;
    c.nodes = 0;
    ctx = run(&w, &c, 15, 5 * SIM_SEC);
    search_get_plan(w.s, &p);
    search_get_counts(w.s, &n);
    CU_ASSERT_EQUAL(p.indices, 1);
    CU_ASSERT_EQUAL(p.primaries, 1);
    CU_ASSERT_EQUAL(p.shards, 2);
    CU_ASSERT_EQUAL(p.nodes, 2);
    CU_ASSERT_EQUAL(n.unindexable, 0);
    CU_ASSERT_EQUAL(n.indexed, n.published);
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
}

/* A cluster too big to simulate is refused with a message naming the way
 * out, not built (20 indices x 2 copies x 1e9 MB of heap each: ~1.3M
 * nodes). */
static void test_too_many_nodes_refused(void)
{
    tworld w;
    world_init(&w, 17);
    search_config c;
    small_config(&c);
    c.nodes = 0;
    c.heap_per_shard_mb = 1e9;
    sim_ctx *ctx = sim_ctx_new(17);
    search_world sw = world_of(&w);
    GError *err = NULL;
    search_model *s = search_new(ctx, &c, &sw, &err);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "search.es.nodes"));
    g_clear_error(&err);
    search_free(s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
}

static double full_text_mean_ms(double initial_docs_per_user, uint64_t seed)
{
    tworld w;
    world_init(&w, seed);
    w.publish_until = 5 * SIM_SEC;
    search_config c;
    small_config(&c);
    c.initial_docs_per_user = initial_docs_per_user;
    c.query_rate_per_user = 0.05;
    c.file_fraction = 0;
    sim_ctx *ctx = run(&w, &c, seed, SIM_SEC);
    double m = sim_hist_mean(search_query_hist(w.s, SEARCH_QUERY_FULL_TEXT)) / 1e6;
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
    return m;
}

/* Query latency grows with shard size: 20 GB shards (1 primary each,
 * 0.5 ms/GB) add ~10 ms to the mean; the noise of ~250 queries' means
 * (service sd ~3 ms) is well under 1 ms. */
static void test_query_latency_grows_with_shard_size(void)
{
    double small = full_text_mean_ms(0, 16);
    double big = full_text_mean_ms(400000, 16);   /* 50 users x 400k docs x 1 KB = 20 GB */
    CU_ASSERT(big - small > 8.0);
    CU_ASSERT(big - small < 12.0);
}

/* The per-interval figures add up to the run's totals, and each
 * interval's lag p99 stays within the run's maximum. */
static void test_intervals_add_up(void)
{
    tworld w;
    world_init(&w, 19);
    w.publish_until = 10 * SIM_SEC;
    search_config c;
    small_config(&c);
    c.query_rate_per_user = 0.02;
    sim_ctx *ctx = sim_ctx_new(19);
    search_world sw = world_of(&w);
    w.s = search_new(ctx, &c, &sw, NULL);
    search_observer obs = {obs_searchable, obs_result, NULL};
    search_set_observer(w.s, &obs, &w);
    sim_after(ctx, 0, ev_publish, &w, 0);
    double indexed = 0, queries = 0, lag_max = 0;
    for (int i = 1; i <= 12; i++) {
        sim_run_until(ctx, i * SIM_SEC);
        search_interval iv;
        search_take_interval(w.s, &iv);
        indexed += iv.indexed_per_s;      /* 1 s intervals */
        queries += iv.queries_per_s;
        lag_max = MAX(lag_max, iv.lag_p99_ms);
    }
    search_counts n;
    search_get_counts(w.s, &n);
    CU_ASSERT_DOUBLE_EQUAL(indexed, (double)n.indexed, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(queries, (double)(n.queries[0] + n.queries[1] + n.queries[2]), 1e-6);
    CU_ASSERT(lag_max > 0 && lag_max <= sim_time_to_ms(w.lag_max) * 1.01);   /* histogram error < 1% */
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
}

static double es_mean_ms(double queries_per_sec, uint64_t seed)
{
    tworld w;
    world_init(&w, seed);
    w.publish_until = 10 * SIM_SEC;
    search_config c;
    small_config(&c);
    c.search_threads = 2;
    sim_dist_clear(&c.query_service_s);
    sim_dist_init_constant(&c.query_service_s, 0.010);
    c.query_s_per_gb = 0;
    c.query_rate_per_user = queries_per_sec / w.active;
    c.file_fraction = 0;
    sim_ctx *ctx = run(&w, &c, seed, SIM_SEC);
    double m = sim_hist_mean(search_query_hist(w.s, SEARCH_QUERY_FULL_TEXT)) / 1e6;
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
    return m;
}

/* Query latency grows with concurrency: each node's search pool is 2
 * threads of 10 ms (200 shard queries/s); at 300 queries/s over 2 nodes
 * each pool runs at 75%, and the M/D/2 wait (between ~1/2 and 1 x the
 * M/M/2 wait of 12.9 ms by Erlang C) adds to the mean, against nothing at
 * 5 queries/s. The bounds leave 2 ms for sampling noise (~3000 queries). */
static void test_query_latency_grows_with_concurrency(void)
{
    double quiet = es_mean_ms(5, 18), busy = es_mean_ms(300, 18);
    double mm2 = 1e3 * sim_mmc_mean_wait(2, 150, 100);
    CU_ASSERT(busy - quiet > mm2 / 2 - 2);
    CU_ASSERT(busy - quiet < mm2 + 2);
}

/* One run of the small world with queries at `qps`; the full-text mean in
 * ms, and the summary. */
static double engine_run(search_engine engine, double initial_docs, double per_doc_s, double qps, cJSON **summary)
{
    tworld w;
    world_init(&w, 31);
    w.publish_until = 10 * SIM_SEC;
    search_config c;
    small_config(&c);
    c.engine = engine;
    c.initial_docs_per_user = initial_docs;
    c.fts_cores = 2;
    c.fts_index_per_doc_s = c.bulk_per_doc_s = per_doc_s;
    sim_dist_clear(&c.query_service_s);
    sim_dist_init_constant(&c.query_service_s, 0.010);
    c.query_rate_per_user = qps / w.active;
    c.file_fraction = 0;
    sim_ctx *ctx = run(&w, &c, 31, SIM_SEC);
    double m = sim_hist_mean(search_query_hist(w.s, SEARCH_QUERY_FULL_TEXT)) / 1e6;
    if (summary) *summary = search_summary(w.s);
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
    return m;
}

/* postgres_fts has no sharding: every query reads the one index of every
 * workspace. 20 workspaces of 20 GB: Elasticsearch's index per workspace
 * searches 20 GB (10 ms at 0.5 ms/GB), PostgreSQL 400 GB (200 ms), so
 * the means differ by 190 ms (light load: 0.5 queries/s keep the 2 cores
 * 5% busy, so queueing adds well under 1 ms). */
static void test_fts_query_reads_the_whole_index(void)
{
    double es = engine_run(SEARCH_ENGINE_ELASTICSEARCH, 400000, 0.0001, 0.5, NULL);
    cJSON *j = NULL;
    double fts = engine_run(SEARCH_ENGINE_POSTGRES_FTS, 400000, 0.0001, 0.5, &j);
    CU_ASSERT(fts - es > 185 && fts - es < 195);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(j, "engine")->valuestring, "postgres_fts");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "postgres_fts");
    CU_ASSERT(fabs(cJSON_GetObjectItemCaseSensitive(f, "index_gb")->valuedouble - 400) < 1);
    cJSON_Delete(j);
}

/* ... and one primary's cores run both index writes and queries: 500
 * docs/s at 2 ms each take one of its 2 cores, so 50 queries/s of 10 ms
 * wait behind them (75% busy) where they hardly wait without indexing
 * work; Elasticsearch's separate write pool leaves its queries alone. The
 * primary's utilization is the work offered: (500 x 2 ms + 50 x 10 ms +
 * 40 bulks/s x 1 ms) / 2 cores = 0.77. */
static void test_fts_writes_and_queries_share_one_primary(void)
{
    cJSON *j = NULL;
    double idle = engine_run(SEARCH_ENGINE_POSTGRES_FTS, 0, 0, 50, NULL);
    double busy = engine_run(SEARCH_ENGINE_POSTGRES_FTS, 0, 0.002, 50, &j);
    double es_idle = engine_run(SEARCH_ENGINE_ELASTICSEARCH, 0, 0, 50, NULL);
    double es_busy = engine_run(SEARCH_ENGINE_ELASTICSEARCH, 0, 0.002, 50, NULL);
    CU_ASSERT(busy - idle > 3);
    CU_ASSERT(fabs(es_busy - es_idle) < 1);
    double util = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "postgres_fts"), "cpu_util")->valuedouble;
    CU_ASSERT(fabs(util - 0.77) < 0.05);
    cJSON_Delete(j);
}

static char *summary_text(uint64_t seed)
{
    tworld w;
    world_init(&w, seed);
    w.publish_until = 3 * SIM_SEC;
    search_config c;
    small_config(&c);
    c.query_rate_per_user = 0.02;
    c.history_rate_per_user = 0.02;
    sim_ctx *ctx = run(&w, &c, seed, SIM_SEC);
    cJSON *j = search_summary(w.s);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    search_free(w.s);
    sim_ctx_free(ctx);
    search_config_clear(&c);
    world_clear(&w);
    return t;
}

/* The same seed gives the same bytes; another seed, other figures. */
static void test_determinism(void)
{
    char *a = summary_text(21), *b = summary_text(21), *d = summary_text(22);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, d);
    cJSON *j = cJSON_Parse(a);
    const char *fields[] = {"indexed", "index_lag_ms", "query_ms", "file_query_ms", "history_ms",
                            "hits_filtered_by_acl", "shards", "es_nodes", "bulk_rejections"};
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(j, fields[i]));
    cJSON_Delete(j);
    free(a); free(b); free(d);
}

static sim_scenario *scenario_with(const char *json, GError **err)
{
    cJSON *defs = cJSON_CreateObject();
    cJSON_AddItemToObject(defs, "search", search_defaults());
    sim_scenario *sc = sim_scenario_load_string(json, "t.json", defs, err);
    cJSON_Delete(defs);
    return sc;
}

/* The defaults document and search_config_init agree; keys are read with
 * their units; impossible values name their key. */
static void test_scenario_keys(void)
{
    GError *err = NULL;
    sim_scenario *sc = scenario_with("{\"search\": {\"layout\": \"shared_index\","
                                     " \"documents\": {\"refresh_interval_s\": 30}}}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    search_config c, d;
    search_config_init(&d);
    CU_ASSERT_TRUE(search_config_from_scenario(sc, &c, &err));
    CU_ASSERT_EQUAL(c.layout, SEARCH_LAYOUT_SHARED_INDEX);
    CU_ASSERT_EQUAL(c.refresh_interval, 30 * SIM_SEC);
    CU_ASSERT_EQUAL(c.bulk_max_docs, d.bulk_max_docs);
    CU_ASSERT_EQUAL(c.max_shards_per_node, 1000);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&c.query_service_s), sim_dist_mean(&d.query_service_s), 1e-12);
    search_config_clear(&c);
    search_config_clear(&d);
    sim_scenario_free(sc);

    sc = scenario_with("{\"search\": {\"layout\": \"per_channel\"}}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_FALSE(search_config_from_scenario(sc, &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "search.layout"));
    g_clear_error(&err);
    search_config_clear(&c);
    sim_scenario_free(sc);

    sc = scenario_with("{\"search\": {\"es\": {\"write_threads\": 0}}}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_FALSE(search_config_from_scenario(sc, &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "search.es.write_threads"));
    g_clear_error(&err);
    search_config_clear(&c);
    sim_scenario_free(sc);
}

/* The search pool of one node made M/M/2 through documented keys: a
 * shared index (each query is one shard query), one node, an exponential
 * query_service_s with no per-GB term, full-text searches only, an
 * unbounded search queue, no API time; every user connected, so the
 * searches are Poisson at rate_per_user x users. Erlang-C's wait and
 * P(wait) within the 95% CI at rho 0.5, 0.8 and 0.95 (mu 100/s per
 * thread), Little's law on search.es_search_pool. */
static char *es_text(double rho, const void *arg)
{
    (void)arg;
    double lambda = 200 * rho;
    return g_strdup_printf(
        "{\"duration_s\": %g, \"interval_s\": 10, \"workload\": {\"users\": 4000, \"online_fraction\": 1, \"workspaces\": 0,"
        " \"channels_per_user\": 0.5, \"channel_max\": 50, \"rate_per_sec\": 5, \"daily_curve\": false},"
        " \"search\": {\"enabled\": true, \"layout\": \"shared_index\", \"es\": {\"nodes\": 1, \"search_threads\": 2,"
        " \"search_queue\": 1000000000, \"query_s_per_gb\": 0, \"query_service_s\": {\"dist\": \"exponential\", \"mean\": 0.01}},"
        " \"queries\": {\"rate_per_user\": %g, \"file_fraction\": 0, \"history_rate_per_user\": 0, \"api_s\": 0}}}",
        test_mmc_arrivals(rho) / lambda, lambda / 4000);
}

/* The PostgreSQL read pool made M/M/4: history loads only (Poisson, no
 * API time), an exponential history_s of 10 ms, 4 servers. */
static char *pg_read_text(double rho, const void *arg)
{
    (void)arg;
    double lambda = 400 * rho;
    return g_strdup_printf(
        "{\"duration_s\": %g, \"interval_s\": 10, \"workload\": {\"users\": 4000, \"online_fraction\": 1, \"workspaces\": 0,"
        " \"channels_per_user\": 0.5, \"channel_max\": 50, \"rate_per_sec\": 5, \"daily_curve\": false},"
        " \"search\": {\"enabled\": true, \"postgres_read\": {\"servers\": 4, \"history_s\": {\"dist\": \"exponential\", \"mean\": 0.01}},"
        " \"queries\": {\"rate_per_user\": 0, \"history_rate_per_user\": %g, \"api_s\": 0}}}",
        test_mmc_arrivals(rho) / lambda, lambda / 4000);
}

static const cJSON *es_search_pool(const cJSON *sum)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "search"), "es_search_pool");
}

static const cJSON *pg_read_pool(const cJSON *sum)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "search"), "postgres_read_pool");
}

static void test_search_pool_is_mmc(void)
{
    for (int i = 0; i < 3; i++)
        test_check_mmc(es_text, NULL, es_search_pool, TRUE, 2, test_mmc_rhos[i], 200 * test_mmc_rhos[i], 100, 6, 130);
}

static void test_postgres_read_pool_is_mmc(void)
{
    for (int i = 0; i < 3; i++)
        test_check_mmc(pg_read_text, NULL, pg_read_pool, TRUE, 4, test_mmc_rhos[i], 400 * test_mmc_rhos[i], 100, 6, 140);
}

void test_search_register(void)
{
    TEST_SUITE("search",
               TEST(test_acl_invariant),
               TEST(test_lag_bounded_when_unsaturated),
               TEST(test_lag_grows_when_saturated),
               TEST(test_rejections_retry_without_loss),
               TEST(test_shard_accounting),
               TEST(test_too_many_nodes_refused),
               TEST(test_query_latency_grows_with_shard_size),
               TEST(test_query_latency_grows_with_concurrency),
               TEST(test_search_pool_is_mmc),
               TEST(test_postgres_read_pool_is_mmc),
               TEST(test_intervals_add_up),
               TEST(test_fts_query_reads_the_whole_index),
               TEST(test_fts_writes_and_queries_share_one_primary),
               TEST(test_determinism),
               TEST(test_scenario_keys));
}
