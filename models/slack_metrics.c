/* slack_metrics: the registry of every figure slacksim shows. One row per
 * figure: where it lives (a summary.json path or a timeseries.csv column),
 * its unit, the interval it is taken over and what it measures. The
 * report's figures, the plots' CSV columns and the visualizer's counters
 * name these paths (slack_report_figures below, viz_counters in viz/), and
 * tests/cli/test_metrics_registry.sh checks both directions: every field
 * a run writes is here, every row here is written by some shipped
 * scenario, and docs/output.md's tables are `slacksim metrics --markdown`.
 *
 * Invariant: a path appears once. To add a field: one row here (in the
 * section order of summary.json), then `make docs` regenerates the tables
 * of docs/output.md. A station object (sim_station_to_json) or a latency
 * object (sim_hist_to_json) is one row of shape STATION or HIST, a pool
 * of stations (sim_station_pool_to_json) one row of shape POOL. */
#include "models/slack_model.h"

#include <string.h>

#define V SLACK_SHAPE_VALUE
#define H SLACK_SHAPE_HIST
#define S SLACK_SHAPE_STATION
#define P SLACK_SHAPE_POOL
#define RUN SLACK_OVER_RUN
#define IVW SLACK_OVER_WORST_INTERVAL
#define BW SLACK_OVER_BUSIEST_WORST
#define BR SLACK_OVER_BUSIEST_RUN
#define IM SLACK_OVER_INSTANCE_MEAN
#define EACH SLACK_OVER_EACH
#define MOM SLACK_OVER_WORST_MOMENT
#define END SLACK_OVER_END
#define ITEM SLACK_OVER_PER_ITEM
#define CFG SLACK_OVER_CONFIG
#define IV SLACK_OVER_INTERVAL
#define WALL SLACK_OVER_WALL
#define FAULT SLACK_OVER_FAULT

/* ================================================================ the registry */

static const slack_metric metrics[] = {
    /* ---- run identity */
    { "scenario", V, "-", CFG, "scenario name" },
    { "seed", V, "-", CFG, "run seed" },
    { "sim.seconds", V, "s", CFG, "`duration_s`" },
    { "sim.drain_seconds", V, "s", RUN, "extra simulated time of the drain" },
    { "sim.events", V, "events", RUN, "events the engine executed" },
    { "run.wall_seconds", V, "s", WALL, "wall time of build + run (differs between runs)" },
    { "run.events_per_second", V, "events/s", WALL, "`sim.events / run.wall_seconds` (differs)" },
    { "run.peak_rss_mib", V, "MiB", WALL, "peak resident memory of the process (differs)" },
    /* ---- workload */
    { "workload.users", V, "users", CFG, "all users" },
    { "workload.connected_at_start", V, "users", CFG, "connected at t = 0" },
    { "workload.workspaces", V, "count", CFG, "workspaces built" },
    { "workload.channels", V, "count", CFG, "channels built" },
    { "workload.memberships", V, "count", CFG, "channel memberships (sum of channel sizes)" },
    { "workload.largest_channel", V, "members", CFG, "members of the largest channel" },
    { "workload.members_per_message_mean", V, "members", CFG, "channel size averaged by posting weight: the mean fan-out" },
    { "workload.rate_per_sec_base", V, "msgs/s", CFG, "send rate at curve = 1" },
    /* ---- messages */
    { "messages.sent", V, "msgs", RUN, "sent by clients" },
    { "messages.persisted", V, "msgs", RUN, "committed by PostgreSQL" },
    { "messages.delivered_online", V, "deliveries", RUN, "WebSocket pushes to online members (one per member per message)" },
    { "messages.push_offline", V, "recipients", RUN, "offline members handed to the push service" },
    { "messages.dropped", V, "msgs", RUN, "rejected by a full PostgreSQL queue (`postgres.queue_limit`)" },
    { "messages.in_flight", V, "msgs", END, "sent but not yet fanned out at the end" },
    { "messages.thread_replies", V, "msgs", RUN, "replies with a `thread_ts`" },
    { "messages.lost_to_crashed_clients", V, "deliveries", RUN, "routed to a crashed client whose presence key had not expired" },
    { "messages.no_online_sender", V, "arrivals", RUN, "arrivals dropped because no connected sender was found (rare)" },
    { "messages.per_sec_peak", V, "msgs/s", IVW, "largest interval rate of `messages_per_s`" },
    { "messages.store", V, "-", CFG, "`\"postgres\"` or `\"wide_column\"` (`messages.store`)" },
    { "messages.clock_skew_ms", V, "ms", CFG, "wide_column only: the senders' clocks are off by up to this (`messages.clock_skew_ms`)" },
    { "messages.out_of_order", V, "msgs", RUN, "published after a message of their channel with a larger id: a reader's client must re-sort them (0 with postgres: its sequence publishes in id order)" },
    { "messages.id_inversions", V, "msgs", RUN, "ids below that of a message of their channel sent before them: no sort repairs them (0 with postgres and without skew)" },
    /* ---- fan-out */
    { "fanout.messages", V, "msgs", RUN, "fanned out" },
    { "fanout.recipients_online", V, "recipients", RUN, "every member of the channel (the sender's own connection gets the echo too), classified at fan-out: online" },
    { "fanout.recipients_offline", V, "recipients", RUN, "... offline (`delivered_online + push_offline + lost = recipients_online + recipients_offline + recipients_lost`)" },
    { "fanout.recipients_lost", V, "recipients", RUN, "... on a crashed client (= `messages.lost_to_crashed_clients`)" },
    { "fanout.deliveries_per_sec_peak", V, "pushes/s", IVW, "largest interval rate of `deliveries_per_s`" },
    { "fanout.consumer_util_max", V, "0..1", BW, "busiest consumer's busy fraction in the worst interval" },
    { "fanout.redis_ops", V, "commands", RUN, "Redis commands the fan-out issued" },
    { "fanout.queue", V, "-", CFG, "`\"kafka\"` or `\"redis_pubsub\"` (`fanout.queue`)" },
    { "fanout.queue_published", V, "msgs", RUN, "handed to the queue" },
    { "fanout.queue_lost", V, "msgs", RUN, "pub/sub only: published while their subscriber (consumer) was down; their recipients never get them" },
    { "fanout.queue_duplicates", V, "msgs", RUN, "Kafka only: processed after the consumer's last commit before it crashed, so fanned out again after it came back" },
    { "fanout.dedup_drops", V, "recipients", RUN, "the online recipients of those duplicates: each client drops the second copy by message id" },
    { "fanout.replay_work_s", V, "s", RUN, "Kafka only: consumer time spent processing those duplicates again on recovery (mean service per message + `fanout.per_recipient_s` per member), queued ahead of the held messages" },
    { "fanout.queue_held_max", V, "msgs", MOM, "Kafka only: most messages the log kept for one dead consumer" },
    { "fanout.consumers[]", S, "-", EACH, "one station object per consumer (partition order)" },
    { "fanout.consumer_pool", P, "-", RUN, "the consumers as one pool: sums of arrivals, completions and L, mean and worst instance, merged waits and sojourns, P(wait)" },
    /* ---- latencies */
    { "latency_ms.end_to_end", H, "ms", ITEM, "per online recipient: sender's send -> push written on the recipient's socket, plus two client one-way latencies" },
    { "latency_ms.persist", H, "ms", ITEM, "per message: arrival at PostgreSQL -> commit (queue + write)" },
    { "latency_ms.kafka", H, "ms", ITEM, "per message: publish -> readable by the consumer" },
    { "latency_ms.pubsub", H, "ms", ITEM, "per message, only with `redis_pubsub`: PUBLISH -> received by the subscriber (replaces `latency_ms.kafka`)" },
    { "latency_ms.fanout", H, "ms", ITEM, "per message: readable in Kafka -> last online recipient pushed" },
    { "latency_ms.push", H, "ms", ITEM, "per notification: queued -> accepted by the provider (429 retries included)" },
    /* ---- gateways */
    { "gateways.count", V, "gateways", CFG, "configuration" },
    { "gateways.cores", V, "cores", CFG, "configuration, per gateway" },
    { "gateways.connections_peak", V, "connections", MOM, "largest total" },
    { "gateways.connections_per_gateway_max", V, "connections", MOM, "most on one gateway" },
    { "gateways.memory_gib_per_gateway_max", V, "GiB", MOM, "that x `memory_per_connection_kib`" },
    { "gateways.cpu_util_max", V, "0..1", BW, "busiest gateway's worst interval (work done / capacity)" },
    { "gateways.offered_load", V, "ratio", BR, "busiest gateway's work booked / (cores x `duration_s`): its demand over the run (> 1: falling behind); = `load.gateways.offered_load`" },
    { "gateways.cpu_util_mean", V, "0..1", IM, "all gateways, whole run" },
    { "gateways.pushes", V, "pushes", RUN, "WebSocket pushes" },
    { "gateways.batches", V, "batches", RUN, "the batches that carried them" },
    { "gateways.core_wait_ms", H, "ms", ITEM, "per job booked on a gateway core (an inbound message, a connect handshake, a push batch): time from booking to start. A host's cores are c independent FIFO single-server queues (a connection is pinned to `user % cores`), not one M/M/c pool" },
    { "gateways.core_p_wait", V, "0..1", RUN, "share of those jobs that found their core busy" },
    /* ---- delivery transport */
    { "delivery.transport", V, "-", CFG, "`delivery.transport`" },
    { "delivery.requests", V, "requests", RUN, "HTTP requests: polls (or long-poll timeouts), long-poll answers, and one POST per message sent; 0 for websocket (frames on an open connection)" },
    { "delivery.requests_per_sec_mean", V, "requests/s", RUN, "`requests` / (`sim.seconds` + `sim.drain_seconds`)" },
    { "delivery.requests_per_sec_peak", V, "requests/s", IVW, "largest interval rate (the `http_requests_per_s` column)" },
    { "delivery.added_latency_ms", H, "ms", ITEM, "per online recipient: time its message waited at the gateway for the client's next request (0 for websocket and SSE)" },
    { "delivery.connections_peak", V, "connections", MOM, "= `gateways.connections_peak`: with polling, the clients' keep-alive HTTP connections" },
    /* ---- postgres */
    { "postgres.writers", V, "servers", CFG, "writer connections" },
    { "postgres.writes_per_sec_peak", V, "writes/s", IVW, "largest interval rate" },
    { "postgres.util_max", V, "0..1", IVW, "writer pool's busy fraction in the worst interval" },
    { "postgres.station", S, "-", RUN, "the writer pool as a station" },
    { "postgres.disk.iops", V, "IOPS", CFG, "only with `postgres.iops` > 0: the message database's I/O device capacity" },
    { "postgres.disk.ios_per_write", V, "I/Os", CFG, "I/Os per message commit (`postgres.ios_per_write`)" },
    { "postgres.disk.message_ios", V, "I/Os", RUN, "I/Os the message commits issued" },
    { "postgres.disk.file_ios", V, "I/Os", RUN, "I/Os of file blobs stored in PostgreSQL (`files.storage` `postgres`): writes and first downloads" },
    { "postgres.disk.presence_ios", V, "I/Os", RUN, "I/Os of presence jobs on the message writers (`presence.store` `db_rows` with `presence.db_pool` 0): `ios_per_write` per UPDATE and per cleanup job" },
    { "postgres.disk.util", V, "0..1", RUN, "the device's busy fraction over the run" },
    { "postgres.disk.io_wait_ms", H, "ms", ITEM, "per commit: waiting for and doing its I/Os on the device" },
    /* ---- kafka */
    { "kafka.partitions", V, "count", CFG, "partitions of the messages topic" },
    { "kafka.consumer_lag_max", V, "msgs", MOM, "most messages readable but not yet consumed on one partition (worst moment)" },
    { "kafka.consumer_lag_max_by_partition[]", V, "msgs", EACH, "the same, per partition (partition order; its maximum is `consumer_lag_max`). A hot channel shows as one large entry: all its messages hash to one partition" },
    { "kafka.append_util_max", V, "0..1", BW, "busiest partition leader's worst interval" },
    { "kafka.consumer_util_max", V, "0..1", BW, "busiest consumer's worst interval" },
    { "kafka.leaders.utilization_by_partition[]", V, "0..1", EACH, "each partition leader (a FIFO single-server queue in virtual time) over the run" },
    { "kafka.leaders.arrival_rate_by_partition[]", V, "appends/s", EACH, "appends per second to each leader over the run" },
    { "kafka.leaders.utilization_max", V, "0..1", BR, "the busiest leader over the run" },
    { "kafka.leaders.utilization_mean", V, "0..1", IM, "mean over leaders, over the run" },
    { "kafka.leaders.wait_ms", H, "ms", ITEM, "per append: waited for its leader" },
    { "kafka.leaders.p_wait", V, "0..1", RUN, "share of appends that waited" },
    /* ---- redis (models/redis.h, docs/presence.md) */
    { "redis.shards", V, "servers", CFG, "Redis masters" },
    { "redis.ops_total", V, "commands", RUN, "every Redis command (fan-out, presence, background)" },
    { "redis.ops_per_sec_peak", V, "ops/s", IVW, "largest interval rate of `redis_ops_per_s`" },
    { "redis.ops_per_sec_mean", V, "ops/s", RUN, "`ops_total` / simulated seconds" },
    { "redis.background_ops_per_sec", V, "ops/s", CFG, "background load offered besides the model's commands" },
    { "redis.utilization", V, "0..1", IM, "= `utilization_mean`" },
    { "redis.utilization_mean", V, "0..1", IM, "busy fraction, mean over shards, over the run" },
    { "redis.utilization_max", V, "0..1", BR, "the busiest shard's busy fraction over the run" },
    { "redis.hot_shard", V, "index", BR, "which shard that is" },
    { "redis.offered_load", V, "ratio", IM, "work offered / time, mean over shards" },
    { "redis.requests", V, "requests", RUN, "requests (pipelines count once)" },
    { "redis.latency_ms", H, "ms", ITEM, "per request: queue + service on its shard" },
    { "redis.stations", P, "-", RUN, "the shards' request stations as one pool, with `by_instance` (one station per shard; its wait is a lower bound: background and charged work sit inside a request's service)" },
    /* ---- presence (models/presence.h, docs/presence.md) */
    { "presence.heartbeats", V, "SETEX", RUN, "heartbeat SETEXs (individual + aggregated)" },
    { "presence.crashes", V, "clients", RUN, "clients that crashed" },
    { "presence.detected", V, "clients", RUN, "crashed clients whose key Redis removed" },
    { "presence.detect_delay_s", H, "s", ITEM, "per detected crash: crash -> key removal" },
    { "presence.detected_active", V, "clients", RUN, "removals by the expire cycle" },
    { "presence.detected_lazy", V, "clients", RUN, "removals by an access" },
    { "presence.undetected", V, "clients", END, "crashes not detected by the end (censored: not in `detect_delay_s`)" },
    { "presence.undetected_past_ttl", V, "clients", END, "... whose key is past its TTL but still held" },
    { "presence.undetected_before_ttl", V, "clients", END, "... whose TTL had not yet run out" },
    { "presence.reconnected_before_detection", V, "clients", RUN, "crashed clients back before their key went" },
    { "presence.false_expiries", V, "clients", RUN, "live individual clients whose key expired between heartbeats (Redis too slow)" },
    { "presence.expire_slack_s", H, "s", ITEM, "per removed key: TTL end -> removal (the expiry machinery's slack)" },
    { "presence.connected", V, "clients", END, "clients connected" },
    { "presence.keys", V, "keys", END, "presence keys held (stale included)" },
    { "presence.stale_keys", V, "keys", END, "keys past TTL not removed" },
    { "presence.stale_keys_peak", V, "keys", MOM, "largest `stale_keys` seen" },
    { "presence.expire_cycles", V, "cycles", RUN, "active expire cycles (slow and fast)" },
    { "presence.expire_fast_cycles", V, "cycles", RUN, "fast cycles run (`\"scan\"` only; 0 unless a cycle hit its time limit)" },
    { "presence.expire_loops", V, "loops", RUN, "loops of the active expire cycles" },
    { "presence.expire_buckets", V, "buckets", RUN, "buckets the scan checked (0 for `\"sample\"`)" },
    { "presence.expire_keys_sampled", V, "keys", RUN, "keys the cycles sampled" },
    { "presence.expire_time_limit_hits", V, "cycles", RUN, "cycles stopped by their time limit" },
    { "presence.setex_per_sec", V, "SETEX/s", RUN, "heartbeats / simulated seconds" },
    { "presence.db.store", V, "-", CFG, "only with `presence.store` `db_rows`: `\"db_rows\"`" },
    { "presence.db.pool_writers", V, "servers", CFG, "writers that serve the presence UPDATEs: `presence.db_pool`, or the message writers when 0" },
    { "presence.db.writes", V, "writes", RUN, "UPDATEs of presence rows (heartbeats, connects, disconnects)" },
    { "presence.db.writes_per_sec", V, "writes/s", RUN, "`writes` / simulated seconds" },
    { "presence.db.heartbeat_writes", V, "writes", RUN, "of them, heartbeats" },
    { "presence.db.heartbeat_writes_per_sec", V, "writes/s", RUN, "`heartbeat_writes` / simulated seconds (connected / `presence.heartbeat_s`)" },
    { "presence.db.dropped", V, "writes", RUN, "presence writes a full PostgreSQL queue rejected" },
    { "presence.db.cleanup_runs", V, "jobs", RUN, "cleanup jobs run (every `presence.cleanup_interval_s`)" },
    { "presence.db.cleanup_rows_scanned", V, "rows", RUN, "rows the cleanup jobs scanned (every row, each run)" },
    { "presence.db.cleanup_s", H, "s", ITEM, "per cleanup job: its time on a writer" },
    /* ---- push */
    { "push.queued", V, "recipients", RUN, "= `messages.push_offline`" },
    { "push.notifications", V, "notifications", RUN, "of the offline recipients, those notified (`push.notify_fraction`, rounded at random per message)" },
    { "push.sent", V, "notifications", RUN, "accepted by the provider" },
    { "push.retries_429", V, "attempts", RUN, "attempts that got a 429 for some of their notifications" },
    { "push.backlog", V, "notifications", END, "waiting at the end" },
    { "push.limit_per_sec", V, "notifications/s", CFG, "quota" },
    { "push.queued_per_sec_peak", V, "recipients/s", IVW, "largest interval rate of `push_queued_per_s`" },
    { "push.offered_load", V, "ratio", RUN, "mean notifications offered / quota over `duration_s`" },
    /* ---- search (models/search.h, docs/search-and-files.md) */
    { "search.enabled", V, "bool", CFG, "as configured" },
    { "search.layout", V, "-", CFG, "as configured" },
    { "search.indexed", V, "docs", RUN, "documents acknowledged by every copy" },
    { "search.index_lag_ms", H, "ms", ITEM, "per document: publish -> searchable" },
    { "search.query_ms", H, "ms", ITEM, "per full-text search: API + ES + hydration" },
    { "search.file_query_ms", H, "ms", ITEM, "per file search: API + ES + metadata" },
    { "search.history_ms", H, "ms", ITEM, "per recent-history load: API + PostgreSQL scan" },
    { "search.hits_filtered_by_acl", V, "hits", RUN, "hits removed because the searcher is not a member of their channel" },
    { "search.shards", V, "shard copies", CFG, "shard copies the layout needs: primaries x (1 + replicas)" },
    { "search.es_nodes", V, "nodes", CFG, "data nodes simulated" },
    { "search.bulk_rejections", V, "requests", RUN, "bulk requests that got at least one 429" },
    { "search.published", V, "msgs", RUN, "messages handed to the indexer" },
    { "search.pending", V, "docs", END, "published - indexed - unindexable: waiting in a consumer or in flight at the end" },
    { "search.unindexable", V, "msgs", RUN, "messages of workspaces whose index could not be created" },
    { "search.bulks", V, "requests", RUN, "bulk requests sent" },
    { "search.docs_rejected", V, "docs", RUN, "documents sent back by 429s (and retried)" },
    { "search.queries.*", V, "queries", RUN, "queries started, by kind (`full_text`, `file`, `history`)" },
    { "search.query_rejections", V, "queries", RUN, "searches that failed: full search queue, or no index" },
    { "search.hits", V, "hits", RUN, "hits before the filter (= results + hits_filtered_by_acl)" },
    { "search.results", V, "hits", RUN, "results returned" },
    { "search.es_write_util_max", V, "0..1", BR, "busiest node's write pool utilization" },
    { "search.es_search_util_max", V, "0..1", BR, "busiest node's search pool utilization" },
    { "search.postgres_read_util", V, "0..1", RUN, "utilization of the PostgreSQL read pool" },
    { "search.es_write_pool", P, "-", RUN, "the Elasticsearch nodes' write (bulk) pools as one pool" },
    { "search.es_search_pool", P, "-", RUN, "the Elasticsearch nodes' search pools as one pool" },
    { "search.postgres_read_pool", P, "-", RUN, "search's PostgreSQL read pool (history reads) as a pool of one" },
    { "search.engine", V, "-", CFG, "`\"elasticsearch\"` or `\"postgres_fts\"` (`search.engine`); with elasticsearch the postgres_fts object is absent" },
    { "search.postgres_fts.cores", V, "cores", CFG, "the one primary's cores (`search.postgres_fts.cores`), shared by index writes and queries" },
    { "search.postgres_fts.index_gb", V, "GB", CFG, "the whole tsvector/GIN index on that primary" },
    { "search.postgres_fts.cpu_util", V, "0..1", RUN, "the primary's busy fraction over the run" },
    { "search.postgres_fts.queue_at_end", V, "jobs", END, "index writes and queries waiting at the end" },
    { "search.shard_plan.*", V, "-", CFG, "the sizing plan: `indices`, `indices_created`, `primaries`, `replicas` (effective), `nodes_needed`, `nodes_for_shard_limit`, `nodes_for_heap`, `nodes_for_disk`, `data_gb` (all copies), `shard_gb_max`, `heap_per_shard_mb`, `heap_used_pct`" },
    { "search.targets.*.target_ms", V, "ms", CFG, "per target (`full_text`, `file`, `history`, `index_lag`; null when nothing was measured): the target" },
    { "search.targets.*.percentile", V, "percentile", CFG, "... the percentile the verdict uses" },
    { "search.targets.*.value_ms", V, "ms", ITEM, "... that percentile of the run" },
    { "search.targets.*.met", V, "bool", ITEM, "... value <= target" },
    /* ---- files (models/files.h, docs/search-and-files.md) */
    { "files.enabled", V, "bool", CFG, "as configured" },
    { "files.storage", V, "-", CFG, "as configured (`\"s3\"` or `\"postgres\"`)" },
    { "files.uploads", V, "uploads", RUN, "uploads completed" },
    { "files.upload_ms", H, "ms", ITEM, "per upload: URL request -> upload completed" },
    { "files.s3_put_per_sec_peak", V, "requests/s", IVW, "most PUT requests (attempts, 503s included) in one simulated second, all prefixes" },
    { "files.s3_slowdowns", V, "answers", RUN, "503 SlowDown answers, PUT + GET" },
    { "files.url_expired", V, "attempts", RUN, "attempts that found their URL expired (each re-requests or fails)" },
    { "files.downloads", V, "downloads", RUN, "downloads completed" },
    { "files.uploads_started", V, "uploads", RUN, "= uploads + uploads_failed + uploads_in_flight" },
    { "files.uploads_failed", V, "uploads", RUN, "uploads that gave up" },
    { "files.uploads_in_flight", V, "uploads", END, "uploads still going at the end" },
    { "files.url_requests", V, "URLs", RUN, "pre-signed URLs asked for" },
    { "files.messages_posted", V, "msgs", RUN, "file messages handed to the messaging pipeline" },
    { "files.download_failed", V, "downloads", RUN, "downloads that gave up after max_attempts" },
    { "files.download_ms", H, "ms", ITEM, "per download: recipient opens -> file received" },
    { "files.s3.prefixes", V, "prefixes", CFG, "S3 key prefixes" },
    { "files.s3.key_layout", V, "-", CFG, "`\"hashed\"` or `\"dated\"`" },
    { "files.s3.put_requests", V, "requests", RUN, "PUT requests (503s included)" },
    { "files.s3.put_slowdowns", V, "answers", RUN, "PUTs answered 503 SlowDown" },
    { "files.s3.get_requests", V, "requests", RUN, "GET requests (503s included)" },
    { "files.s3.get_slowdowns", V, "answers", RUN, "GETs answered 503 SlowDown" },
    { "files.s3.put_per_prefix_peak", V, "requests/s", IVW, "the busiest prefix's most PUTs in one simulated second" },
    { "files.s3.throttled_prefixes", V, "prefixes", RUN, "prefixes that answered 503 at least once" },
    { "files.database.ios", V, "I/Os", RUN, "the database's I/Os for files (metadata rows with S3, blobs with postgres)" },
    { "files.database.iops_peak", V, "IOPS", IVW, "their largest rate in one simulated second" },
    { "files.database.storage_gb", V, "GB", END, "what files keep in the database" },
    { "files.database.util", V, "0..1", RUN, "the files pool's busy fraction" },
    { "files.database.pool", P, "-", RUN, "the files' PostgreSQL pool as a pool of stations (0 instances with S3)" },
    { "files.stored_gb", V, "GB", RUN, "bytes uploaded, GB" },
    /* ---- faults */
    { "faults[].kind", V, "-", CFG, "one object per fault of the scenario's `faults`: its kind" },
    { "faults[].at_s", V, "s", CFG, "when it begins" },
    { "faults[].target", V, "index", CFG, "the instance it hits (-1: all)" },
    { "faults[].duration_s", V, "s", CFG, "how long it lasts" },
    { "faults[].lost", V, "msgs", FAULT, "pub/sub messages lost while it lasted" },
    { "faults[].duplicated", V, "msgs", FAULT, "Kafka re-deliveries it caused" },
    { "faults[].delayed", V, "msgs", FAULT, "most messages the log kept for the dead consumer" },
    { "faults[].disconnected", V, "clients", FAULT, "clients of the crashed gateway" },
    { "faults[].reconnect_peak_per_s", V, "clients/s", FAULT, "largest `reconnects_per_s` row after it began" },
    { "faults[].recover_s", V, "s", FAULT, "from `at_s` to the first row, at or after the fault's end, whose `e2e_p99_ms` is within 10% of the mean of the rows before the fault; -1: not in the run" },
    { "faults[].keys_lost", V, "keys", FAULT, "redis_failover: presence keys on the shard when its master died" },
    { "faults[].crashes_cleared", V, "keys", FAULT, "redis_failover: of them, crashed clients' keys awaiting detection" },
    { "faults[].false_offline", V, "recipients", FAULT, "redis_failover: recipients the fan-out sent to push because their connected client's key was missing, until the last key was back" },
    { "faults[].resync_setex", V, "SETEX", FAULT, "redis_failover: SETEXs of the re-heartbeat storm (0 with `presence.failover_resync` `heartbeat`)" },
    { "faults[].resync_backlog_ms", V, "ms", FAULT, "redis_failover: the shard's backlog right after the storm was sent" },
    { "faults[].keys_restored_s", V, "s", FAULT, "redis_failover: from `at_s` until the last key was back; -1: not in the run" },
    { "faults[].peak_backlog", V, "items", FAULT, "search_outage: most documents waiting to be indexed; s3_throttle: most uploads in flight" },
    { "faults[].peak_lag_ms", V, "ms", FAULT, "search_outage: largest publish-to-searchable lag of a document indexed after it began" },
    { "faults[].queries_failed", V, "queries", FAULT, "search_outage: queries the cluster did not answer" },
    { "faults[].slowdowns", V, "503s", FAULT, "s3_throttle: 503 SlowDown answers it caused" },
    { "faults[].uploads_failed", V, "uploads", FAULT, "s3_throttle: uploads it answered 503 that then gave up" },
    /* ---- cost */
    { "cost.hours_per_month", V, "h", CFG, "730" },
    { "cost.monthly.*", V, "$", RUN, "each stage's monthly cost (`gateways`, `postgres`, `kafka`, `redis`, `search`, `s3`, `push`) from the `cost.*` prices (docs/scenarios.md); usage extrapolated from the simulated rate" },
    { "cost.monthly_total", V, "$", RUN, "their sum (0 when nothing is priced)" },
    /* ---- load and SLOs */
    { "load.*.utilization", V, "0..1", BW, "one entry per row of the report's load table: busy time / capacity of the stage's busiest instance in the worst interval (defined above)" },
    { "load.*.offered_load", V, "ratio", BR, "... demand over `duration_s` / capacity of the busiest instance (> 1: falls behind)" },
    { "slo.*.target", V, "ms or s", CFG, "per SLO (`end_to_end_p99_ms`, `persist_p99_ms`, `push_p99_s`; the unit is the name's): the target" },
    { "slo.*.value", V, "ms or s", ITEM, "... the run's p99" },
    { "slo.*.met", V, "bool", ITEM, "... value <= target (true when there were no samples)" },
    { "slo.bottleneck.stage", V, "-", BW, "the stage of `load` with the largest utilization or offered load" },
    { "slo.bottleneck.utilization", V, "ratio", BW, "that value" },

    /* ================ timeseries.csv: one row per interval_s */
    { "timeseries.t_s", V, "s", IV, "end of the interval" },
    { "timeseries.connections", V, "connections", IV, "open WebSocket connections at the end of the interval" },
    { "timeseries.messages_per_s", V, "msgs/s", IV, "sent" },
    { "timeseries.deliveries_per_s", V, "pushes/s", IV, "WebSocket pushes booked" },
    { "timeseries.push_queued_per_s", V, "recipients/s", IV, "offline recipients queued for push" },
    { "timeseries.push_backlog", V, "notifications", IV, "waiting for the provider's quota at the end of the interval" },
    { "timeseries.kafka_lag_max", V, "msgs", IV, "largest consumer lag seen in the interval, on any partition (per partition: `slack_model_partition_lag`)" },
    { "timeseries.redis_ops_per_s", V, "ops/s", IV, "all Redis commands (fan-out, presence, background)" },
    { "timeseries.redis_util", V, "0..1", IV, "mean shard busy fraction" },
    { "timeseries.gateway_cpu_util_max", V, "0..1", IV, "busiest gateway's busy fraction" },
    { "timeseries.postgres_util", V, "0..1", IV, "writer pool's busy fraction" },
    { "timeseries.postgres_writes_per_s", V, "writes/s", IV, "commits" },
    { "timeseries.kafka_util_max", V, "0..1", IV, "busiest partition leader's busy fraction" },
    { "timeseries.fanout_util_max", V, "0..1", IV, "busiest consumer's busy fraction" },
    { "timeseries.e2e_p50_ms", V, "ms", IV, "end-to-end latency p50 of the deliveries booked in the interval" },
    { "timeseries.e2e_p99_ms", V, "ms", IV, "... p99" },
    { "timeseries.e2e_max_ms", V, "ms", IV, "... max" },
    { "timeseries.presence_stale_keys", V, "keys", IV, "presence keys past their TTL not yet removed" },
    { "timeseries.presence_keys", V, "keys", IV, "every `presence:*` key in Redis at the end of the interval: connected clients' keys plus crashed clients' keys not yet removed (stale ones included). Without crashes it equals `connections`; with crashes the gateways keep a crashed client's half-open socket, so `connections` stays while the key count falls as Redis expires the keys" },
    { "timeseries.search_indexed_per_s", V, "docs/s", IV, "only with `search.enabled`: documents acknowledged by every copy" },
    { "timeseries.search_lag_p99_ms", V, "ms", IV, "index lag p99 of the documents that became searchable in the interval (0 if none)" },
    { "timeseries.search_queries_per_s", V, "queries/s", IV, "searches and history loads started" },
    { "timeseries.search_pending", V, "docs", IV, "waiting in the indexing consumers or in flight at the end of the interval" },
    { "timeseries.files_uploads_per_s", V, "uploads/s", IV, "only with `files.enabled`: uploads completed" },
    { "timeseries.s3_put_per_s", V, "requests/s", IV, "S3 PUT requests, 503s included" },
    { "timeseries.s3_slowdowns_per_s", V, "503s/s", IV, "503 SlowDown answers, PUT + GET" },
    { "timeseries.s3_upload_wait_p99_ms", V, "ms", IV, "only with an `s3_throttle` fault: p99 of the uploads finished in the interval, minus their transfer time (what `recover_s` reads)" },
    { "timeseries.files_downloads_per_s", V, "downloads/s", IV, "downloads completed" },
    { "timeseries.http_requests_per_s", V, "requests/s", IV, "only with an HTTP `delivery.transport`: the requests of `delivery.requests` in the interval" },
    { "timeseries.reconnects_per_s", V, "clients/s", IV, "only with a `gateway_crash` fault: clients that reconnected in the interval" },
};

/* ================================================================ the report's figures */

/* Each number the report prints, with the summary field it shows: a regex
 * whose one group is the number as printed (in `scale` x the field's
 * unit); `*` in the path is the stage or SLO named by `{}` in the regex.
 * A figure is checked wherever its line is in the report. */
static const slack_report_figure report_figures[] = {
    { "^Messages: (\\d+) sent", "messages.sent", 1 },
    { "^Messages: \\d+ sent \\(peak ([0-9.]+)/s\\)", "messages.per_sec_peak", 1 },
    { "^Messages: .*?, (\\d+) persisted", "messages.persisted", 1 },
    { "^Messages: .*?, (\\d+) dropped", "messages.dropped", 1 },
    { "^Messages: .*?, (\\d+) still in flight", "messages.in_flight", 1 },
    { "^Messages: .*?, (\\d+) thread replies", "messages.thread_replies", 1 },
    { "^Fan-out: +(\\d+) WebSocket pushes", "fanout.recipients_online", 1 },
    { "^Fan-out: +\\d+ WebSocket pushes \\(peak ([0-9.]+)/s\\)", "fanout.deliveries_per_sec_peak", 1 },
    { "^Fan-out: .*?, (\\d+) offline recipients", "push.queued", 1 },
    { "^Fan-out: .*? -> (\\d+) push notifications", "push.notifications", 1 },
    { "^Fan-out: .*?, (\\d+) lost to crashed clients", "fanout.recipients_lost", 1 },
    { "^  end-to-end +p50 +([0-9.]+)", "latency_ms.end_to_end.p50", 1 },
    { "^  end-to-end +p50 +[0-9.]+ +p99 +([0-9.]+)", "latency_ms.end_to_end.p99", 1 },
    { "^  end-to-end +.* p99\\.9 +([0-9.]+)", "latency_ms.end_to_end.p999", 1 },
    { "^  end-to-end +.* max +([0-9.]+) ms", "latency_ms.end_to_end.max", 1 },
    { "^  end-to-end +.*\\(n=(\\d+)\\)", "latency_ms.end_to_end.count", 1 },
    { "^  persist +p50 +[0-9.]+ +p99 +([0-9.]+)", "latency_ms.persist.p99", 1 },
    { "^  persist +.*\\(n=(\\d+)\\)", "latency_ms.persist.count", 1 },
    { "^  kafka +p50 +[0-9.]+ +p99 +([0-9.]+)", "latency_ms.kafka.p99", 1 },
    { "^  fan-out +p50 +[0-9.]+ +p99 +([0-9.]+)", "latency_ms.fanout.p99", 1 },
    { "^  push +p50 +[0-9.]+ +p99 +([0-9.]+)", "latency_ms.push.p99", 1 },
    { "^  push +.*\\(n=(\\d+)\\)", "latency_ms.push.count", 1 },
    { "^  {} +(MET|MISS) ", "slo.*.met", 1 },
    { "^  {} +(?:MET|MISS) +([0-9.]+)", "slo.*.value", 1 },
    { "^  {} +.*\\(target <= ([0-9.]+)", "slo.*.target", 1 },
    { "^  {} +([0-9.]+)% utilization", "load.*.utilization", 100 },
    { "^  {} +[0-9.]+% utilization +([0-9.]+)% offered", "load.*.offered_load", 100 },
    { "^(?:Bottleneck|Highest load): (\\w+) ", "slo.bottleneck.stage", 1 },
    { "^(?:Bottleneck|Highest load): \\w+ \\(([0-9.]+)%\\)", "slo.bottleneck.utilization", 100 },
    { "^Gateways: (\\d+) x", "gateways.count", 1 },
    { "^Gateways: \\d+ x (\\d+) cores", "gateways.cores", 1 },
    { "^Gateways: .*?, peak (\\d+) connections", "gateways.connections_peak", 1 },
    { "^Gateways: .*?\\(max (\\d+) on one\\)", "gateways.connections_per_gateway_max", 1 },
    { "^Gateways: .*?Kafka lag max (\\d+) message", "kafka.consumer_lag_max", 1 },
    { "^Gateways: .*?\\(partition \\d+ of (\\d+)\\)", "kafka.partitions", 1 },
    { "^Gateways: .*?Redis peak ([0-9.]+) ops/s", "redis.ops_per_sec_peak", 1 },
    { "^Gateways: .*?PostgreSQL peak ([0-9.]+) writes/s", "postgres.writes_per_sec_peak", 1 },
    { "^Presence: (\\d+) heartbeats", "presence.heartbeats", 1 },
    { "^Presence: .*?, (\\d+) crashes", "presence.crashes", 1 },
    { "^Presence: .*?, (\\d+) detected", "presence.detected", 1 },
    { "^Presence: .*?detection delay p50 ([0-9.]+) s", "presence.detect_delay_s.p50", 1 },
    { "^Presence: .*?detection delay .*?p99 ([0-9.]+) s", "presence.detect_delay_s.p99", 1 },
    { "^Presence: .*?detection delay .*?max ([0-9.]+) s", "presence.detect_delay_s.max", 1 },
    { "^Push: (\\d+) sent", "push.sent", 1 },
    { "^Push: .*?, (\\d+) retried after HTTP 429", "push.retries_429", 1 },
    { "^Push: .*?, (\\d+) waiting at the end", "push.backlog", 1 },
    { "^search \\(.*?\\): (\\d+) indexed", "search.indexed", 1 },
    { "^search \\(.*?\\): .*?, (\\d+) pending", "search.pending", 1 },
    { "^search \\(.*?\\): .*?, (\\d+) bulk rejections", "search.bulk_rejections", 1 },
    { "^  shards (\\d+) on", "search.shards", 1 },
    { "^  shards \\d+ on (\\d+) nodes", "search.es_nodes", 1 },
    { "^  index lag +p99 ([0-9.]+) ms", "search.targets.index_lag.value_ms", 1 },
    { "^  full-text search +p99 ([0-9.]+) ms", "search.targets.full_text.value_ms", 1 },
    { "^  file search +p99 ([0-9.]+) ms", "search.targets.file.value_ms", 1 },
    { "^  recent history +p99 ([0-9.]+) ms", "search.targets.history.value_ms", 1 },
    { "^  access control removed (\\d+) of", "search.hits_filtered_by_acl", 1 },
    { "^  access control removed \\d+ of (\\d+) hits", "search.hits", 1 },
    { "^  access control .*?; (\\d+) queries rejected", "search.query_rejections", 1 },
    { "^files \\(\\w+\\): (\\d+) uploads completed", "files.uploads", 1 },
    { "^files \\(\\w+\\): .*? of (\\d+) started", "files.uploads_started", 1 },
    { "^files \\(\\w+\\): .*?\\((\\d+) failed", "files.uploads_failed", 1 },
    { "^files \\(\\w+\\): .*?, (\\d+) in flight\\)", "files.uploads_in_flight", 1 },
    { "^files \\(\\w+\\): .*?; (\\d+) downloads", "files.downloads", 1 },
    { "^  S3: PUT peak (\\d+)/s", "files.s3_put_per_sec_peak", 1 },
    { "^  S3: .*?\\(one prefix (\\d+)/s", "files.s3.put_per_prefix_peak", 1 },
    { "^  S3: .*?, (\\d+) PUT \\+", "files.s3.put_slowdowns", 1 },
    { "^  S3: .*? \\+ (\\d+) GET 503", "files.s3.get_slowdowns", 1 },
    { "^  S3: .*? on (\\d+) of \\d+ prefixes", "files.s3.throttled_prefixes", 1 },
    { "^  S3: .*? on \\d+ of (\\d+) prefixes", "files.s3.prefixes", 1 },
    { "^  S3: .*?, (\\d+) URLs expired", "files.url_expired", 1 },
    { "^  database cost of files: (\\d+) I/Os", "files.database.ios", 1 },
    { "^  database cost of files: .*?\\(peak (\\d+) IOPS\\)", "files.database.iops_peak", 1 },
    { "^Fault: \\w+ at ([0-9.]+) s", "faults[0].at_s", 1 },
    { "^Fault: .*?: (\\d+) lost", "faults[0].lost", 1 },
    { "^Fault: .*?, (\\d+) duplicated", "faults[0].duplicated", 1 },
    { "^Fault: .*?, (\\d+) held in the log", "faults[0].delayed", 1 },
    { "^Fault: .*?, (\\d+) clients disconnected", "faults[0].disconnected", 1 },
    { "^Fault: .*?\\(reconnect peak (\\d+)/s\\)", "faults[0].reconnect_peak_per_s", 1 },
};

/* ================================================================ API */

const slack_metric *slack_metrics(size_t *n)
{
    *n = G_N_ELEMENTS(metrics);
    return metrics;
}

const slack_report_figure *slack_report_figures(size_t *n)
{
    *n = G_N_ELEMENTS(report_figures);
    return report_figures;
}

/* Does registry path `pat` (with `*` for one key and `[]` or `[N]` for an
 * array index) name field `path`? Both in dotted form. */
static gboolean path_matches(const char *pat, const char *path)
{
    while (*pat && *path) {
        if (*pat == '*') {
            pat++;
            while (*path && *path != '.' && *path != '[') path++;
            continue;
        }
        if (pat[0] == '[' && pat[1] == ']' && *path == '[') {
            pat += 2;
            while (*path && *path != ']') path++;
            if (*path) path++;
            continue;
        }
        if (*pat++ != *path++) return FALSE;
    }
    return *pat == 0 && *path == 0;
}

static const char *const hist_fields[] = { "count", "mean", "p50", "p90", "p99", "p999", "max", NULL };
static const char *const station_fields[] = {
    "name", "servers", "capacity", "arrivals", "completed", "dropped", "utilization", "mean_queue", "mean_in_system",
    "arrival_rate_per_s", "p_wait", "wait_ms.*", "sojourn_ms.*", NULL,
};

static const char *const pool_fields[] = {
    "instances", "servers", "arrivals", "completed", "dropped", "utilization", "utilization_max", "hot_instance",
    "mean_queue", "mean_queue_max", "mean_in_system", "mean_in_system_max", "arrival_rate_per_s", "p_wait",
    "p_wait_max", "wait_ms.*", "wait_mean_ms_max", "sojourn_ms.*", NULL,
};
static const char *const pool_units[] = {
    "count", "servers", "jobs", "jobs", "jobs", "0..1", "0..1", "index", "jobs", "jobs", "jobs", "jobs", "jobs/s",
    "0..1", "0..1", "ms", "ms", "ms", NULL,
};

/* A pool's "by_instance[N].x": field x of station N, or NULL. */
static const char *pool_instance_field(const char *rest)
{
    const char *end = g_str_has_prefix(rest, "by_instance[") ? strstr(rest, "].") : NULL;
    return end ? end + 2 : NULL;
}

/* Is `rest` a field of an object of this shape? ("wait_ms.*": any field
 * of that nested latency object, checked as one; a pool's
 * "by_instance[N].x": field x of station N.) */
static gboolean shape_has(slack_metric_shape shape, const char *rest)
{
    const char *station_field = shape == SLACK_SHAPE_POOL ? pool_instance_field(rest) : NULL;
    if (station_field) return shape_has(SLACK_SHAPE_STATION, station_field);
    const char *const *f = slack_metric_shape_fields(shape);
    for (; f && *f; f++) {
        if (!strcmp(*f, rest)) return TRUE;
        if (g_str_has_suffix(*f, ".*")) {
            size_t n = strlen(*f) - 1;   /* "wait_ms." */
            if (!strncmp(*f, rest, n) && shape_has(SLACK_SHAPE_HIST, rest + n)) return TRUE;
        }
    }
    return FALSE;
}

/* The row of `path` and, for a field inside a shaped object, where the
 * field's name starts in `path` (*rest = NULL for a row's own path). */
static const slack_metric *find_row(const char *path, const char **rest)
{
    char head[256];
    *rest = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(metrics); i++) {
        const slack_metric *mt = &metrics[i];
        if (path_matches(mt->path, path)) return mt;
        if (mt->shape == SLACK_SHAPE_VALUE) continue;
        /* a field inside a latency or station object belongs to its row */
        for (const char *dot = strchr(path, '.'); dot; dot = strchr(dot + 1, '.')) {
            size_t n = (size_t)(dot - path);
            if (n >= sizeof head) break;
            memcpy(head, path, n);
            head[n] = 0;
            if (path_matches(mt->path, head) && shape_has(mt->shape, dot + 1)) {
                *rest = dot + 1;
                return mt;
            }
        }
    }
    return NULL;
}

const slack_metric *slack_metric_find(const char *path)
{
    g_return_val_if_fail(path != NULL, NULL);
    const char *rest;
    return find_row(path, &rest);
}

/* The unit of each station field, in station_fields' order. */
static const char *const station_units[] = {
    "-", "servers", "jobs", "jobs", "jobs", "jobs", "0..1", "jobs", "jobs", "jobs/s", "0..1", "ms", "ms", NULL,
};

const char *slack_metric_unit(const char *path)
{
    g_return_val_if_fail(path != NULL, NULL);
    const char *rest;
    const slack_metric *mt = find_row(path, &rest);
    if (!mt) return NULL;
    if (!rest) return mt->unit;
    if (mt->shape == SLACK_SHAPE_HIST) return strcmp(rest, "count") ? mt->unit : "count";
    const char *const *fields = station_fields, *const *units = station_units;
    const char *station_field = mt->shape == SLACK_SHAPE_POOL ? pool_instance_field(rest) : NULL;
    if (station_field) {
        rest = station_field;
    } else if (mt->shape == SLACK_SHAPE_POOL) {
        fields = pool_fields;
        units = pool_units;
    }
    /* a station (or pool) field, or a field of one of its latency objects */
    for (size_t i = 0; fields[i]; i++) {
        const char *f = fields[i];
        size_t n = strlen(f) - (g_str_has_suffix(f, ".*") ? 1 : 0);   /* "wait_ms." */
        if (!strcmp(rest, f)) return units[i];
        if (f[n - 1] == '.' && !strncmp(rest, f, n)) return strcmp(rest + n, "count") ? units[i] : "count";
    }
    return mt->unit;
}

const char *const *slack_metric_shape_fields(slack_metric_shape shape)
{
    switch (shape) {
    case SLACK_SHAPE_HIST: return hist_fields;
    case SLACK_SHAPE_STATION: return station_fields;
    case SLACK_SHAPE_POOL: return pool_fields;
    default: return NULL;
    }
}

const char *slack_metric_over_name(slack_metric_over over)
{
    static const char *const names[] = {
        [SLACK_OVER_RUN] = "run", [SLACK_OVER_WORST_INTERVAL] = "worst interval",
        [SLACK_OVER_BUSIEST_WORST] = "busiest instance, worst interval", [SLACK_OVER_BUSIEST_RUN] = "busiest instance, run",
        [SLACK_OVER_INSTANCE_MEAN] = "mean over instances, run", [SLACK_OVER_EACH] = "each instance, run",
        [SLACK_OVER_WORST_MOMENT] = "worst moment", [SLACK_OVER_END] = "end of run", [SLACK_OVER_PER_ITEM] = "distribution",
        [SLACK_OVER_CONFIG] = "configuration", [SLACK_OVER_INTERVAL] = "interval", [SLACK_OVER_WALL] = "wall clock",
        [SLACK_OVER_FAULT] = "the fault",
    };
    g_return_val_if_fail((size_t)over < G_N_ELEMENTS(names), "?");
    return names[over];
}
