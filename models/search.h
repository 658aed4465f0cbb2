/* search: the seed's "Search Architecture": a Kafka consumer group that
 * indexes every published message into Elasticsearch, the cluster's shards
 * and nodes, and the search API (Elasticsearch query, hydration from
 * PostgreSQL, channel-membership filtering), plus recent-history reads
 * (a PostgreSQL indexed scan).
 *
 * The module is self-contained: it owns its configuration (the "search"
 * subtree of a scenario), its stations and its statistics. It learns about
 * the world (workspaces, channels, memberships, active users) through a
 * small table of callbacks, search_world, and is fed messages by one hook,
 * search_on_published(), called where a message is appended to its Kafka
 * partition. The messaging model wires it in with:
 *
 *     search_config_from_scenario(sc, &cfg, error);      (in _new / _validate)
 *     s = search_new(ctx, &cfg, &world, error); search_config_clear(&cfg);
 *     search_on_published(s, partition, msg, channel);  (at each Kafka append)
 *     search_set_arrivals(s, FALSE);                     (at the end of the load)
 *     summary "search" <- search_summary(s); report += search_report(s, out);
 *
 * (models/slack_world.c does this for the messaging model.)
 *
 * Units: time in ns (sim_time) inside, seconds in the scenario, ms in
 * outputs; sizes in bytes inside, GB in outputs. docs/search-and-files.md
 * documents every key and output field. */
#ifndef SEARCH_H
#define SEARCH_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_engine.h"
#include "sim/sim_dist.h"
#include "sim/sim_scenario.h"
#include "sim/sim_station.h"

typedef struct search_model search_model;

typedef enum {
    SEARCH_LAYOUT_INDEX_PER_WORKSPACE, /* the seed's design: one index each */
    SEARCH_LAYOUT_SHARED_INDEX         /* one index, routed by workspace_id */
} search_layout;

typedef enum {
    SEARCH_ENGINE_ELASTICSEARCH,       /* the seed's design: a sharded cluster */
    SEARCH_ENGINE_POSTGRES_FTS         /* the alternative: one primary's tsvector/GIN index */
} search_engine;

typedef enum {
    SEARCH_QUERY_FULL_TEXT,  /* ES + PostgreSQL hydration + ACL filter */
    SEARCH_QUERY_FILE,       /* ES + file metadata + ACL filter */
    SEARCH_QUERY_HISTORY,    /* PostgreSQL indexed scan of one channel */
    SEARCH_QUERY_KINDS
} search_query_kind;

/* Configuration read from the scenario's "search" subtree. Caller-allocated;
 * search_config_init fills the defaults, search_config_clear releases the
 * distributions. Fields are read-only for everyone but the loader. */
typedef struct search_config {
    gboolean enabled;
    search_engine engine;
    search_layout layout;          /* Elasticsearch only */
    /* PostgreSQL full-text search (engine postgres_fts): no sharding; one
     * primary holds the whole index, and its cores run every index write
     * and every query */
    unsigned fts_cores;            /* the primary's cores */
    double fts_index_per_doc_s;    /* CPU per document indexed (tsvector + GIN insert) */
    double fts_query_s_per_gb;     /* query CPU per GB of the index */
    /* indexing consumer group (one consumer per Kafka partition) */
    uint32_t bulk_max_docs;        /* a bulk request holds at most this many docs */
    sim_time bulk_linger;          /* wait this long for a bulk to fill */
    sim_time backoff_base;         /* retry after a 429: base * 2^attempt, jittered */
    sim_time backoff_max;
    /* documents and shards */
    double doc_bytes;              /* indexed size of one message (bytes) */
    double initial_docs_per_user;  /* history already indexed, per workspace member */
    double target_shard_gb;        /* primaries per index = ceil(size / this) */
    uint32_t replicas;             /* replica copies of every primary */
    sim_time refresh_interval;     /* a doc is searchable at the next refresh */
    /* the Elasticsearch cluster */
    uint32_t nodes;                /* data nodes; 0 = as many as shard accounting needs */
    uint32_t max_shards_per_node;  /* cluster.max_shards_per_node */
    double heap_gb;                /* JVM heap per node */
    double heap_per_shard_mb;      /* heap a shard copy costs */
    double disk_gb;                /* usable disk per node */
    unsigned write_threads;        /* write thread pool per node */
    uint32_t write_queue;          /* write queue per node; beyond it: 429 */
    double indexing_memory_mb;     /* in-flight indexing bytes per node; beyond: 429 */
    sim_dist bulk_overhead_s;      /* per shard-level bulk request */
    double bulk_per_doc_s;         /* per document in a bulk */
    double bulk_per_shard_s;       /* per distinct shard a bulk touches */
    unsigned search_threads;       /* search thread pool per node */
    uint32_t search_queue;         /* search queue per node; beyond it: rejected */
    sim_dist query_service_s;      /* one shard query, excluding size */
    double query_s_per_gb;         /* extra per GB of the shard searched */
    /* queries */
    double query_rate_per_user;    /* searches per active user per second */
    double file_fraction;          /* of searches, the share that are file searches */
    double history_rate_per_user;  /* history loads per active user per second */
    sim_dist hits;                 /* ES hits per query (before ACL filtering) */
    sim_dist api_s;                /* search API's own time per request */
    sim_dist file_metadata_s;      /* file search: S3 metadata lookup */
    unsigned pg_read_servers;      /* PostgreSQL read connections (replicas) */
    sim_dist hydrate_s;            /* multi-get of the hit ids */
    sim_dist history_s;            /* indexed scan of a channel's recent page */
    uint32_t hit_pool;             /* recent searchable docs sampled per workspace */
    /* targets (the seed's table), checked at `target_percentile` */
    double target_percentile;
    double target_full_text_ms, target_file_ms, target_history_ms, target_lag_ms;
} search_config;

/* The "search" subtree of the defaults: every key with its default value.
 * Caller owns; free with cJSON_Delete. */
cJSON *search_defaults(void);
void search_config_init(search_config *cfg);           /* the defaults */
void search_config_clear(search_config *cfg);
/* Reads and range-checks "search.*" of a scenario whose defaults included
 * search_defaults() under "search", into `cfg` (which it initialises; clear
 * with search_config_clear even on failure). FALSE with a one-line error
 * naming the key. */
gboolean search_config_from_scenario(const sim_scenario *sc, search_config *cfg, GError **error);

/* What search needs to know about the world; the messaging model supplies
 * it. Callbacks get `user` first; all are required unless noted. */
typedef struct search_world {
    uint32_t partitions;   /* Kafka partitions = indexing consumers */
    uint32_t workspaces;
    /* Members of a workspace (sizes its index and its history). */
    uint64_t (*workspace_users)(void *user, uint32_t workspace);
    uint32_t (*channel_workspace)(void *user, uint32_t channel);
    /* The access-control list: TRUE if `member` belongs to `channel`. */
    gboolean (*is_member)(void *user, uint32_t channel, uint32_t member);
    /* Draws a user who searches now (an active user) and their workspace;
     * FALSE if nobody is active. */
    gboolean (*pick_searcher)(void *user, sim_rng *rng, uint32_t *searcher, uint32_t *workspace);
    /* Users active now: drives the query rate. */
    double (*active_users)(void *user, sim_time now);
    void *user;            /* borrowed for the model's lifetime */
} search_world;

/* For tests and the visualizer. Any callback may be NULL. */
typedef struct search_observer {
    /* A message became searchable: published at `published`, acknowledged by
     * every copy at `indexed`, visible after the refresh at `searchable`. */
    void (*searchable)(void *user, uint64_t msg, uint32_t channel, sim_time published,
                       sim_time indexed, sim_time searchable);
    /* One result handed back to `searcher` (after access control). */
    void (*result)(void *user, uint32_t searcher, uint32_t workspace, uint32_t channel);
    /* A query finished: kind, latency in ns, hits before and after the filter. */
    void (*query_done)(void *user, search_query_kind kind, sim_time latency,
                       uint32_t hits, uint32_t returned);
} search_observer;

/* Builds the indexer, the cluster and the query load on `ctx` (borrowed for
 * the model's lifetime), copying `cfg` and `world`. Query arrivals start at
 * once. With cfg->enabled FALSE returns a model that ignores every hook and
 * reports zeros. NULL with `error` if the world is unusable (no partitions).
 * Caller owns; free with search_free. */
search_model *search_new(sim_ctx *ctx, const search_config *cfg, const search_world *world, GError **error);
void search_free(search_model *s);                     /* NULL is a no-op */

/* The hook: message `msg` of `channel` was appended to Kafka `partition`
 * now. The partition's indexing consumer takes it; delivery is untouched. */
void search_on_published(search_model *s, uint32_t partition, uint64_t msg, uint32_t channel);
/* Same, for a message appended at `published` (<= now) that consumers can
 * read from now on (Kafka's acknowledged offset): the lag counts from the
 * append. */
void search_on_published_at(search_model *s, uint32_t partition, uint64_t msg, uint32_t channel, sim_time published);

/* Starts or stops the query arrivals (on at creation): the model stops
 * them with its own workload, e.g. during a drain. Indexing goes on. */
void search_set_arrivals(search_model *s, gboolean on);

/* `obs` is copied; `user` borrowed until replaced. NULL removes. */
void search_set_observer(search_model *s, const search_observer *obs, void *user);

/* TRUE if the scenario switched search on (FALSE for NULL). */
gboolean search_enabled(const search_model *s);

/* Read-only facts for tests and reports. */
typedef struct search_counts {
    uint64_t published;         /* messages handed to the indexer */
    uint64_t indexed;           /* acknowledged by every copy */
    uint64_t pending;           /* waiting in consumers or in flight */
    uint64_t unindexable;       /* their index could not be created (shard limit) */
    uint64_t bulks;             /* bulk requests sent */
    uint64_t bulk_rejections;   /* bulk requests with at least one 429 */
    uint64_t docs_rejected;     /* documents sent back by a 429 (retried) */
    uint64_t queries[SEARCH_QUERY_KINDS];
    uint64_t query_rejections;  /* search queue full, or index missing */
    uint64_t hits;              /* before the ACL filter */
    uint64_t hits_filtered_by_acl;
    uint64_t results;           /* returned to searchers */
} search_counts;
void search_get_counts(const search_model *s, search_counts *out);

/* Shard accounting (static once built). */
typedef struct search_shard_plan {
    uint64_t indices;           /* indices the layout needs */
    uint64_t primaries;         /* primary shards */
    uint64_t shards;            /* all copies: primaries * (1 + replicas) */
    uint64_t indices_created;   /* those that fit under max_shards_per_node */
    uint32_t nodes;             /* data nodes simulated */
    uint32_t nodes_needed;      /* max of the three limits below */
    uint32_t nodes_for_shard_limit, nodes_for_heap, nodes_for_disk;
    double data_gb;             /* all copies, at start */
    double shard_gb_max;        /* largest primary at start */
    double heap_per_shard_mb;
    double heap_used_pct;       /* shard heap per node / node heap */
} search_shard_plan;
void search_get_plan(const search_model *s, search_shard_plan *out);

/* Latency histograms in ns: index lag (publish -> searchable) and one per
 * query kind. Borrowed until search_free. */
const sim_hist *search_lag_hist(const search_model *s);
const sim_hist *search_query_hist(const search_model *s, search_query_kind kind);
/* The cluster's stations: node `i`'s write and search pools. Borrowed. */
const sim_station *search_write_station(const search_model *s, uint32_t node);
const sim_station *search_search_station(const search_model *s, uint32_t node);
/* Largest write-pool utilization over the nodes. */
double search_write_util_max(const search_model *s);

/* Time-series figures since the previous call (or creation), for one row
 * of timeseries.csv: documents indexed per second, the index lag p99 of the
 * documents that became searchable in the interval (0 if none), searches
 * per second (all kinds), documents pending now, 429'd bulks in the
 * interval. */
typedef struct search_interval {
    double indexed_per_s, lag_p99_ms, queries_per_s, pending, bulk_rejections;
} search_interval;
void search_take_interval(search_model *s, search_interval *out);

/* A search_outage fault (faults.c): with `down` TRUE the cluster takes no
 * bulk and answers no query (a query that arrives fails, as a rejection);
 * documents keep arriving and wait in their Kafka partitions, so the index
 * lag builds; with `down` FALSE the consumers resume and the backlog
 * drains. Bulks and queries already in flight finish. */
void search_set_outage(search_model *s, gboolean down);

/* What an outage cost, since the last search_outage_mark (or creation). */
typedef struct search_outage_counts {
    uint64_t pending_peak;      /* most documents waiting to be indexed */
    sim_time lag_peak;          /* largest publish -> searchable of a document, ns */
    uint64_t published_down;    /* documents published while out of service */
    uint64_t queries_failed;    /* queries that arrived while out of service */
} search_outage_counts;
/* Starts a new count: the peaks from what is pending now. */
void search_outage_mark(search_model *s);
void search_get_outage(const search_model *s, search_outage_counts *out);

/* summary.json's "search" object (docs/search-and-files.md). Caller owns. */
cJSON *search_summary(const search_model *s);
/* Appends the report's search lines, with a verdict per target (nothing
 * when disabled). */
void search_report(const search_model *s, GString *out);

#endif
