/* slack_internal: what the stage files of the Slack model share. Not a
 * public header: viz/, quiz/ and cli/ use models/slack_model.h only.
 *
 * The model is assembled from components (slack_component, below), one per
 * stage of the seed's pipeline, each in a file of its own:
 *
 *   workload.c   who talks to whom: users, workspaces, channels (wl_)
 *   arrivals.c   when messages are sent, in which channel, by whom (arrivals_)
 *   gateway.c    WebSocket gateways: connections, per-core CPU (gw_)
 *   message.c    message service: ids "seconds.sequence", threads,
 *                publish in id order                          (msg_)
 *   postgres.c   the PostgreSQL writer pool                   (pg_)
 *   kafka.c      partitions: append, replication ack, lag     (kafka_)
 *   pubsub.c     or Redis pub/sub in Kafka's place (fanout.queue) (pubsub_)
 *   fanout.c     consumers, Redis membership read, push batches (fanout_)
 *   push.c       the mobile push provider: quota, 429, retries (push_)
 *   delivery.c   websocket, or polling / SSE in its place (delivery.transport) (delivery_)
 *   faults.c     the scenario's fault timeline                (faults_)
 *   redis.c      Redis shards as single-threaded servers      (redis_)
 *   presence.c   the presence TTL pattern and key expiry      (presence_)
 *   search.c     Elasticsearch indexing and search            (search_)
 *   files.c      S3 uploads through pre-signed URLs           (files_)
 *   cost.c       unit prices and the fleet's monthly cost     (cost_)
 *   observer.c   the visualizer's observer callbacks          (obs_)
 *   slack_model.c  assembly from the component table, the run loop, the
 *                public API; slack_output.c  the time series, summary.json
 *                and the report, from the components' outputs.
 *
 * Dependencies inside models/ point down the pipeline (a stage calls the
 * next one directly, never back), so the objects link without cycles:
 * hooks that run against the flow (search at publish, files at delivery)
 * go through the component table, dispatched by the inline functions at
 * the end of this header. */
#ifndef SLACK_INTERNAL_H
#define SLACK_INTERNAL_H

#include "models/slack_model.h"
#include "models/slack_config.h"
#include "models/workload.h"
#include "models/gateway.h"
#include "models/redis.h"
#include "models/presence.h"
#include "models/search.h"
#include "models/files.h"

#define SLACK_NIL UINT32_MAX

/* ================================================================ records */

/* A message in flight (sender -> last recipient); slots are recycled. */
typedef struct msg_rec {
    uint64_t serial;       /* the observer's message number */
    int64_t ts_us;         /* id "seconds.sequence" as microseconds since the epoch */
    int64_t thread_us;     /* parent's id for a thread reply, else 0 */
    sim_time t_sent;       /* reached the sender's gateway */
    sim_time t_published;  /* handed to Kafka */
    sim_time t_visible;    /* readable by the fan-out consumer */
    uint32_t channel;      /* where it was posted */
    uint32_t sender;       /* who posted it */
    uint32_t size;         /* the channel's members (cached: read at every stage) */
    uint32_t partition;    /* its Kafka partition */
    uint32_t chan_seq;     /* per-channel assignment order (for publish order) */
    uint32_t next_free;    /* free-list link */
} msg_rec;

/* Per-channel message-service state. */
typedef struct chan_state {
    int64_t last_ts;       /* last id assigned (us) */
    int64_t last_parent;   /* last top-level id, for thread replies */
    uint32_t assigned;     /* ids assigned so far */
    uint32_t published;    /* next assignment number to publish */
} chan_state;

/* Notifications of one message waiting for the push provider. */
typedef struct push_job {
    sim_time t_queued;     /* when the fan-out queued them */
    uint32_t left;         /* notifications not yet sent */
    uint32_t attempts;     /* 429s so far (the backoff's exponent) */
    uint32_t next_free;    /* free-list link */
} push_job;

/* One observer callback waiting for its time (only while observed). */
typedef struct obs_rec {
    uint64_t serial;       /* the message */
    uint32_t a, b;         /* delivered: member, gateway; done: channel */
    uint32_t next_free;    /* free-list link */
} obs_rec;

/* ================================================================ components */

/* Unit prices of the fleet (cost.c, the "cost" subtree); 0 = not priced. */
typedef struct cost_config {
    double gateway_hour;             /* one gateway server, per hour */
    double postgres_writer_hour;     /* one PostgreSQL writer, per hour */
    double kafka_partition_hour;     /* one Kafka partition, per hour */
    double redis_shard_hour;         /* one Redis shard, per hour */
    double es_node_hour;             /* one Elasticsearch data node, per hour */
    double s3_per_million_requests;  /* S3 PUT + GET, per million */
    double push_per_million;         /* push notifications sent, per million */
} cost_config;

/* The full configuration: the model's own keys (slack_cfg) and the
 * sub-configurations of the components that keep their own struct. */
typedef struct slack_config {
    slack_cfg core;              /* run, workload, network, gateways, postgres, kafka, fanout, push, slo */
    redis_config redis;          /* "redis" */
    presence_config presence;    /* "presence" */
    search_config search;        /* "search" */
    files_config files;          /* "files" */
    cost_config cost;            /* "cost" */
} slack_config;

/* Reads every component's keys and runs every component's checks. `cfg` is
 * initialised whatever happens: clear it with slack_config_clear. */
gboolean slack_config_read(const sim_scenario *sc, slack_config *cfg, GError **error);
void slack_config_clear(slack_config *cfg);

/* A stage's load, the one definition every view reads (summary.json's
 * "load", the report's table, the bottleneck, the plots):
 *  - utilization: busy time / capacity of the busiest instance in the worst
 *    time-series interval, <= 1 (1: busy that whole interval);
 *  - offered: what arrived during duration_s x its service time / capacity,
 *    of the busiest instance, over duration_s; may exceed 1 (the stage
 *    falls further behind the longer it runs). */
typedef struct slack_load {
    double utilization;
    double offered;
} slack_load;

/* One stage of the model, in the manner of ROSS's tw_lptype: a const table
 * of what the assembly needs. Every member but `name` may be NULL / 0.
 * The model builds components in table order (a component may use those
 * before it), then starts them in the same order; the report's load and
 * latency lines follow that order too. */
typedef struct slack_component {
    const char *name;            /* its scenario subtree and summary section */
    /* configuration */
    const sim_field *fields;     /* its keys, below `name` ("" for top-level keys) */
    size_t n_fields;
    size_t config_offset;        /* offsetof(slack_config, x) the fields point into */
    /* keys no field table can hold (an array of objects), into the defaults document */
    void (*defaults)(cJSON *root);
    /* cross-key checks after every field was read */
    gboolean (*validate)(const sim_scenario *sc, const slack_config *cfg, GError **error);
    /* lifecycle */
    gboolean (*build)(slack_model *m, const sim_scenario *sc, GError **error);
    void (*start)(slack_model *m);                       /* after every build: first events */
    void (*stop)(slack_model *m);                        /* the run's duration is over: no new work */
    void (*free)(slack_model *m);                        /* NULL-safe: also after a failed build */
    /* pipeline hooks (once per message, never per recipient) */
    void (*on_published)(slack_model *m, const msg_rec *r);
    void (*on_delivered)(slack_model *m, const msg_rec *r, uint64_t online);
    /* outputs */
    size_t (*columns)(const slack_model *m, const char **out);   /* extra time-series columns */
    size_t (*sample)(slack_model *m, double *out);               /* their values for one row */
    cJSON *(*summary)(const slack_model *m);                     /* its summary.json section; caller owns */
    void (*report)(const slack_model *m, GString *s);            /* its lines of the report */
    /* its row of the load table (NULL: not a queueing stage); FALSE when it
     * has none in this run (a disabled module) */
    gboolean (*load)(const slack_model *m, slack_load *out);
    /* its latency histogram (ns; NULL: none in this run), "persist", "kafka", ...; label in the report */
    const sim_hist *(*latency)(const slack_model *m);
    const char *latency_name;
    const char *latency_label;
    double latency_unit;         /* ns per report unit (1e6: ms, 1e9: s) */
    const char *latency_unit_name;
} slack_component;

/* The components, in construction order (slack_model.c). */
extern const slack_component *const slack_components[];
extern const size_t slack_n_components;

/* Each component's table row (defined in its file). */
extern const slack_component run_component;        /* slack_model.c: run, network keys */
extern const slack_component wl_component;         /* workload.c */
extern const slack_component arrivals_component;   /* arrivals.c */
extern const slack_component gw_component;         /* gateway.c */
extern const slack_component pg_component;         /* postgres.c */
extern const slack_component kafka_component;      /* kafka.c */
extern const slack_component pubsub_component;     /* pubsub.c */
extern const slack_component fanout_component;     /* fanout.c */
extern const slack_component redis_component;      /* redis.c */
extern const slack_component presence_component;   /* presence.c */
extern const slack_component push_component;       /* push.c */
extern const slack_component delivery_component;   /* delivery.c */
extern const slack_component msg_component;        /* message.c */
extern const slack_component search_component;     /* search.c */
extern const slack_component files_component;      /* files.c */
extern const slack_component faults_component;     /* faults.c */
extern const slack_component slo_component;        /* slack_output.c: slo keys, verdicts */
extern const slack_component cost_component;       /* cost.c: unit prices, monthly cost */

/* ================================================================ the model */

#define SLACK_MAX_COMPONENTS 32

struct slack_model {
    /* ---- run */
    slack_config config;           /* every key, read once */
    const slack_cfg *cfg;          /* &config.core */
    char *name;                    /* the scenario's name */
    uint64_t seed;                 /* the run's seed */
    sim_ctx *ctx;                  /* clock, events, RNG streams */
    sim_time duration;             /* the run's length (arrivals stop then) */
    sim_time drained;              /* extra time run after duration */
    double build_wall_s;           /* wall clock of slack_model_new's build */
    const slack_component *const *components; /* slack_components: outputs walk it without naming it */
    size_t n_components;           /* entries of components */
    void (*publish)(slack_model *m, uint32_t slot); /* the queue chosen by fanout.queue (kafka.c or pubsub.c) */
    const slack_component *hook_published[SLACK_MAX_COMPONENTS]; /* components with on_published, NULL-ended */
    const slack_component *hook_delivered[SLACK_MAX_COMPONENTS]; /* with on_delivered, NULL-ended */

    /* ---- workload and arrivals (workload.c) */
    wl_workload *wl;               /* users, workspaces, channels */
    struct {
        sim_rng rng;               /* "workload.arrivals": gaps, thinning, channel and sender draws */
        double base_rate;          /* messages/s at curve level 1 */
        double rate_factor;        /* the visualizer's scale (1 = as configured) */
        double rate_max;           /* thinning envelope */
        float *curve_knots;        /* daily curve at every whole second of the run */
        uint32_t n_knots;          /* entries of curve_knots */
        gboolean on;               /* new messages are being sent */
        uint64_t alias_bits;       /* random bits of the channel draw after next */
        uint32_t next_channel;     /* channel of the next arrival */
        const uint32_t *sender_hint; /* next arrival's first sender candidate, not yet prefetched (hint) */
        sim_event_id ev;           /* the pending arrival */
        uint64_t no_sender;        /* arrivals dropped: no connected member found */
    } arr;

    /* ---- gateways (gateway.c) */
    gw_set *gw;                    /* connections and per-core CPU */
    const uint16_t *conn;          /* gw_conn_table(gw): each user's gateway or GW_NONE */

    /* ---- message service (message.c) */
    struct {
        sim_rng rng;               /* "message_service": thread replies */
        chan_state *chan;          /* per channel */
        GArray *recs;              /* msg_rec slots */
        uint32_t free;             /* free-list head */
        uint64_t serial_next;      /* the next message number */
        uint64_t in_flight;        /* sent, not yet fanned out or dropped */
        GHashTable *parked;        /* (channel << 32 | seq) -> slot + 1, or SLACK_NIL for a drop */
        uint64_t sent;             /* messages sent */
        uint64_t thread_replies;   /* of them, replies in a thread */
        uint64_t iv_sent;          /* sent this interval */
        double per_s_peak;         /* largest interval rate */
        /* messages.store = wide_column (NULL / 0 otherwise) */
        gboolean wide;             /* ids from the senders' clocks, published at commit */
        uint64_t clock_salt;       /* "messages.clock": which sender's clock is off by how much */
        int64_t *max_published;    /* per channel: largest id published so far, us */
        uint64_t out_of_order;     /* published after a larger id of their channel */
        uint64_t id_inversions;    /* ids below an earlier-sent message's of their channel */
    } msg;

    /* ---- PostgreSQL (postgres.c) */
    struct {
        sim_station *pool;         /* the writer pool: c writers, one FIFO */
        sim_hist *h_persist;       /* queued -> committed, ns */
        uint64_t persisted;        /* writes committed */
        uint64_t dropped;          /* writes refused (queue_limit) */
        uint64_t iv_done;          /* committed this interval */
        double area_prev;          /* busy integral at the last row */
        double util_max;           /* worst interval's utilization */
        double wps_peak;           /* largest interval write rate */
        /* the I/O device (postgres.iops > 0 only): message commits and file blobs share it */
        sim_time disk_free;        /* when the device has done every I/O issued so far */
        double disk_busy_s;        /* I/O time issued so far, s (its utilization) */
        double ios[3];             /* I/Os issued: [PG_IO_MESSAGES], [PG_IO_FILES], [PG_IO_PRESENCE] */
        GQueue *committing;        /* pg_commit: message writes waiting for their I/Os, FIFO */
        sim_hist *h_io_wait;       /* per message write: service done -> I/Os done, ns */
    } pg;

    /* ---- Kafka (kafka.c) */
    struct {
        sim_rng rng;               /* "kafka": append and ack draws */
        uint32_t partitions;       /* of the topic */
        sim_time *free_at;         /* per partition leader: end of its booked appends (virtual time) */
        sim_time *booked;          /* per partition: append work booked, ns */
        sim_time *done_prev;       /* per partition: work done at the last row */
        sim_time *visible_last;    /* per partition: keeps acks FIFO */
        uint64_t *lag_max_by_p;    /* per partition: largest consumer lag of the run */
        uint64_t *lag_iv_by_p;     /* 2 x partitions: [0,P) largest lag this interval, [P,2P) in the last row's */
        uint64_t lag_iv_max;       /* largest lag this interval, any partition */
        uint64_t lag_max;          /* largest lag of any written row */
        sim_hist *h_kafka;         /* publish -> readable, ns */
        sim_hist *h_append_wait;   /* per append: waited for its leader, ns */
        uint64_t append_waited;    /* appends that found their leader busy */
        uint64_t *appends;         /* per partition: appends so far */
        double util_max;           /* worst interval's append utilization, busiest leader */
    } kafka;

    /* ---- Redis pub/sub in Kafka's place (pubsub.c; only with fanout.queue = redis_pubsub) */
    struct {
        sim_rng rng;               /* "pubsub": publish delays */
        sim_time *last;            /* per subscriber: keeps deliveries in publish order */
        sim_hist *h;               /* publish -> received by the subscriber, ns (NULL unless chosen) */
    } pubsub;

    /* ---- fan-out (fanout.c) */
    struct {
        sim_rng rng;               /* "fanout": consumer service draws */
        sim_station **consumer;    /* one consumer per partition */
        double *area_prev;         /* per consumer: busy integral at the last row */
        double util_max;           /* worst interval's utilization, busiest consumer */
        double *work_offered;      /* per consumer: service time of every message submitted, s */
        uint32_t *slot_count;      /* scratch per (gateway, core): pushes of this message */
        uint32_t *touched;         /* scratch: the slots this message touched */
        uint32_t n_touched;        /* entries of touched */
        sim_time *slot_base;       /* scratch per slot: the batch's start */
        uint32_t *slot_core;       /* scratch per slot: the core its batch was booked on */
        sim_hist *h_fanout;        /* readable -> last online recipient pushed, ns */
        sim_hist *h_e2e;           /* send -> push, one per online recipient, rows written */
        sim_hist *h_e2e_iv;        /* the same, this interval */
        uint64_t messages;         /* messages fanned out */
        uint64_t online;           /* recipients pushed over WebSocket */
        uint64_t offline;          /* recipients queued for mobile push */
        uint64_t lost;             /* recipients lost to a crashed client's live key */
        uint64_t false_offline;    /* of offline: connected recipients whose presence key a Redis failover lost */
        uint64_t redis_ops;        /* Redis commands the fan-out sent */
        uint64_t iv_delivered;     /* pushes this interval */
        double deliveries_per_s_peak; /* largest interval push rate */
        /* consumer crashes (faults.c) and what the queue makes of them */
        slack_queue queue;         /* fanout.queue now (the visualizer may switch it) */
        sim_time *down_until;      /* per consumer: dead until then (0: alive) */
        GQueue **held;             /* per consumer, kafka: readable messages kept by the log while it is down */
        sim_time *committed_at;    /* per consumer, kafka: last offset commit */
        uint64_t *uncommitted;     /* per consumer, kafka: messages processed since that commit */
        uint64_t *uncommitted_recipients; /* per consumer: their online recipients */
        uint64_t *uncommitted_members; /* per consumer: their members (the fan-out work is per member) */
        sim_time *replay_work;     /* per consumer, kafka: fan-out work of the duplicates, done again on recovery */
        double replay_work_s;      /* all of it, in seconds of consumer time */
        sim_time commit_interval;  /* kafka.commit_interval_s */
        uint64_t queue_published;  /* messages handed to the queue */
        uint64_t queue_lost;       /* pub/sub: published while their subscriber was down */
        uint64_t queue_duplicates; /* kafka: processed after the last commit before a crash, re-delivered */
        uint64_t dedup_drops;      /* recipients' copies of those duplicates, dropped by message id */
        uint64_t held_max;         /* largest backlog a dead consumer left in the log */
    } fan;

    /* ---- Redis and presence (redis.c, presence.c) */
    redis_server *redis;           /* membership, routing and presence keys */
    presence *pres;                /* heartbeats, TTLs, expiry */
    struct {
        sim_station *pool;         /* presence.store db_rows with presence.db_pool > 0: its own writers (else NULL) */
    } presdb;
    double redis_area_prev;        /* Redis busy integral at the last row */
    double redis_util_iv_max;      /* worst interval's Redis utilization */

    /* ---- mobile push (push.c) */
    struct {
        sim_rng rng;               /* "push": rounding, send times, backoff jitter */
        GArray *jobs;              /* push_job slots */
        uint32_t free;             /* free-list head */
        double tokens;             /* quota left now */
        double token_rate_ns;      /* tokens per ns */
        double token_cap;          /* bucket size */
        sim_time tokens_t;         /* when tokens was last refilled */
        uint64_t waiting;          /* notifications not yet sent */
        uint64_t queued;           /* offline recipients handed to push (before notify_fraction) */
        uint64_t notifications;    /* of them, notified (notify_fraction, rounded at random per message) */
        uint64_t sent;             /* notifications sent */
        uint64_t retries_429;      /* attempts refused by the quota */
        uint64_t iv_queued;        /* queued this interval */
        uint64_t iv_sent_prev;     /* sent at the last row */
        double util_max;           /* worst interval's notifications sent / quota */
        double per_s_peak;         /* largest interval queue rate */
        sim_hist *h_push;          /* queued -> sent, ns */
    } push;

    /* ---- delivery to the client (delivery.c) */
    struct {
        slack_transport transport; /* delivery.transport */
        sim_time interval;         /* short polling period */
        sim_time hold;             /* long-poll hold timeout */
        sim_time gap;              /* long polling: answer -> next request held (a round trip) */
        double request_s;          /* CPU per HTTP request */
        sim_time send_work;        /* extra CPU per send: its POST (0 for websocket) */
        sim_time *next_req;        /* long polling, per user: when its request is held */
        gboolean ticking;          /* the poll-load tick is scheduled */
        double polls;              /* aggregated poll (or timeout) requests so far */
        uint64_t responses;        /* long-poll answers so far */
        double requests_prev;      /* requests at the last row */
        double requests_per_s_peak; /* largest interval rate */
        sim_hist *h_added;         /* per recipient: delivery - ready at the gateway, ns */
    } deliv;

    /* ---- search and files (search.c, files.c) */
    search_model *search;          /* indexing consumer group + queries */
    files_model *files;            /* uploads and downloads */

    /* ---- the fault timeline (faults.c) */
    struct {
        GArray *list;              /* faults_entry, in the scenario's order */
        sim_rng rng;               /* "gateways.reconnect": reconnect jitter */
        uint64_t reconnects;       /* successful reconnects so far */
        uint64_t reconnects_prev;  /* at the last row */
        gboolean column;           /* a reconnects_per_s column is written */
        gboolean upload_column;    /* an s3_upload_wait_p99_ms column is written (s3_throttle) */
    } faults;

    /* ---- time series (slack_output.c) */
    struct {
        sim_series *series;        /* one row per interval */
        sim_time iv_ns;            /* interval length */
        sim_time iv_prev;          /* end of the last row */
        sim_event_id ev;           /* the pending sample */
    } out;

    /* ---- observer (observer.c) */
    struct {
        slack_observer fn;         /* the callbacks */
        void *user;                /* their argument */
        gboolean on;               /* any observer set */
        GArray *recs;              /* obs_rec slots */
        uint32_t free;             /* free-list head */
    } obs;
};

/* ================================================================ stage functions */

/* arrivals.c: the arrival process */
void arrivals_schedule_next(slack_model *m);
void arrivals_set_rate_factor(slack_model *m, double factor);
void arrivals_stop(slack_model *m);
/* presence.c: a client opens its WebSocket (a connection on the
 * least-loaded live gateway, its handshake's CPU booked there, and its
 * presence key); FALSE if no gateway has room. And closes it cleanly. */
gboolean presence_client_connect(slack_model *m, uint32_t user);
void presence_client_disconnect(slack_model *m, uint32_t user);

/* faults.c: gateway `g` dies now (its clients reconnect elsewhere, as
 * gateways.reconnect.* says), or comes back (empty). */
void faults_gateway_down(slack_model *m, uint32_t g);
void faults_gateway_up(slack_model *m, uint32_t g);

/* workload.c: a connected user drawn uniformly (a few tries); FALSE if
 * none found. */
gboolean wl_pick_connected(const slack_model *m, sim_rng *rng, uint32_t *user);

/* message.c */
void msg_send(slack_model *m, uint32_t channel, uint32_t sender);     /* the sender's gateway takes it now */
void msg_persisted(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started);
void msg_dropped(sim_ctx *ctx, void *user, uint64_t job);

/* postgres.c (pg_submit is inline below: the pool calls back into message.c) */
double pg_take_interval_util(slack_model *m, sim_time now, double dt);
/* `ios` I/Os issued now to the database's device (postgres.iops, served in
 * order): when they are done; now when the device is unlimited. */
typedef enum { PG_IO_MESSAGES, PG_IO_FILES, PG_IO_PRESENCE } pg_io_source;
sim_time pg_io(slack_model *m, double ios, pg_io_source source);

/* kafka.c */
uint32_t kafka_partition_of(const slack_model *m, uint32_t channel);
void kafka_publish(slack_model *m, uint32_t slot);
double kafka_take_interval_util(slack_model *m, sim_time now, double dt);
void kafka_end_interval(slack_model *m);
void kafka_use(slack_model *m);          /* the queue from now on */

/* pubsub.c */
void pubsub_use(slack_model *m);         /* the queue from now on */

/* fanout.c */
/* Message `slot` is readable by its partition's consumer now (or, for a
 * dead consumer: kept by Kafka's log, lost by pub/sub). */
void fanout_submit(slack_model *m, uint32_t slot, msg_rec *r);
/* Consumer `p` dies now for `down` ns: Kafka replays from its last commit
 * when it is back; pub/sub drops what is published meanwhile. */
void fanout_consumer_crash(slack_model *m, uint32_t p, sim_time down);
/* Messages readable by consumer p and not yet consumed (kept while dead included). */
uint64_t fanout_lag(const slack_model *m, uint32_t p);
double fanout_take_interval_util(slack_model *m, sim_time now, double dt);
/* End-to-end over the whole run: rows written plus the current interval.
 * Caller frees with sim_hist_free. */
sim_hist *fanout_e2e_all(const slack_model *m);

/* delivery.c: when `user`'s client has a message its gateway has ready at
 * `t` (websocket: at once; polling: at its next request). */
sim_time delivery_time(slack_model *m, uint32_t user, sim_time t);
/* The transport from now on, by name; FALSE if unknown. */
gboolean delivery_set_transport(slack_model *m, const char *name);
const char *delivery_transport_name(const slack_model *m);   /* static */

/* push.c */
void push_enqueue(slack_model *m, uint32_t n);
double push_offered(const slack_model *m);

/* observer.c */
uint32_t obs_alloc(slack_model *m, uint64_t serial, uint32_t a, uint32_t b);
void obs_delivered_ev(sim_ctx *ctx, void *data, uint64_t arg);
void obs_done_ev(sim_ctx *ctx, void *data, uint64_t arg);
void obs_build(slack_model *m);
void obs_free(slack_model *m);

/* slack_output.c */
void slack_output_series_init(slack_model *m);
void slack_output_sample(slack_model *m);


/* ================================================================ inline helpers */

static inline sim_time slack_sample_ns(const sim_dist *d, sim_rng *rng)
{
    double s = sim_dist_sample(d, rng);
    return s > 0 ? sim_time_from_sec(s) : 0;
}

static inline msg_rec *msg_at(slack_model *m, uint32_t slot) { return &g_array_index(m->msg.recs, msg_rec, slot); }

static inline void msg_release(slack_model *m, uint32_t slot)
{
    msg_at(m, slot)->next_free = m->msg.free;
    m->msg.free = slot;
    m->msg.in_flight--;
}

/* Crash mode: some clients die without a word, so who is online is asked
 * of presence, not of the connection table alone. */
/* A station's utilization since the previous row, from its busy integral
 * (server-fraction x s since creation); `prev` holds the integral at the
 * previous row and is updated. */
static inline double slack_interval_util(const sim_station *st, double *prev, sim_time now, double dt)
{
    double a = sim_station_utilization(st) * sim_time_to_sec(now), u = dt > 0 ? (a - *prev) / dt : 0;
    *prev = a;
    return u;
}

/* The write of message `slot` joins the PostgreSQL pool's queue now. */
static inline void pg_submit(slack_model *m, uint32_t slot) { sim_station_submit(m->pg.pool, slot); }

static inline gboolean slack_crash_mode(const slack_model *m) { return presence_crashes(m->pres) > 0; }

/* Is `user` connected as far as its own client is concerned? */
static inline gboolean slack_user_connected(const slack_model *m, uint32_t user, gboolean cm)
{
    if (m->conn[user] == GW_NONE) return FALSE;
    return !cm || presence_connected(m->pres, user);
}

/* The next arrival's first sender candidate was prefetched when it was
 * drawn (arrivals.c); the message events in between read it and prefetch
 * its connection entry. A hint: no effect on results. */
static inline void arrivals_prefetch_sender(slack_model *m)
{
    if (m->arr.sender_hint) {
        __builtin_prefetch(&m->conn[*m->arr.sender_hint]);
        m->arr.sender_hint = NULL;
    }
}

static inline void obs_stage(slack_model *m, const msg_rec *r, slack_stage stage)
{
    if (m->obs.fn.stage) m->obs.fn.stage(m->obs.user, r->serial, r->channel, stage, sim_now(m->ctx));
}

static inline void slack_hooks_published(slack_model *m, const msg_rec *r)
{
    for (const slack_component *const *c = m->hook_published; *c; c++) (*c)->on_published(m, r);
}

static inline void slack_hooks_delivered(slack_model *m, const msg_rec *r, uint64_t online)
{
    for (const slack_component *const *c = m->hook_delivered; *c; c++) (*c)->on_delivered(m, r, online);
}

#endif
