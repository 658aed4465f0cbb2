/* files: file sharing the seed's way, with S3 and pre-signed URLs, or the
 * way it rejects, with blobs in PostgreSQL (a scenario switch, so the two
 * show up in the same figures).
 *
 * S3 flow. The client asks the API for a pre-signed PUT URL (valid
 * url_expiry), PUTs the file straight to S3 (size / client bandwidth), and
 * completes the upload with a second API call; then the message carrying
 * the file reference is posted through the normal messaging pipeline
 * (files_world.post). Recipients who open it GET it from S3 with a
 * pre-signed GET URL. S3 serves at most put_limit PUT and get_limit GET
 * requests per second per key prefix (a GCRA token bucket holding
 * burst_s seconds of requests); beyond that it answers 503 SlowDown and the
 * client retries with exponential backoff and full jitter. S3 checks a
 * URL's expiry when a request starts, so an attempt that would start after
 * its URL expired fails: the client asks for a new URL (url_expired).
 *
 * PostgreSQL flow ("storage": "postgres"). The client sends the bytes to
 * the API, which writes them into a bytea/large-object row: the database
 * pays one write per page (times the WAL factor) and keeps the bytes;
 * downloads read the pages back.
 *
 * Hooks for the messaging model: files_world.post (the model posts the
 * file message) and files_on_delivered (the model reports how many online
 * members received it, which drives downloads).
 *
 * Units: ns inside, seconds in the scenario, ms in outputs; bytes inside.
 * docs/search-and-files.md documents every key and output field. */
#ifndef FILES_H
#define FILES_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_engine.h"
#include "sim/sim_dist.h"
#include "sim/sim_scenario.h"
#include "sim/sim_station.h"

typedef struct files_model files_model;

typedef enum {
    FILES_STORE_S3,        /* the seed's design */
    FILES_STORE_POSTGRES   /* the rejected alternative */
} files_store;

typedef enum {
    FILES_KEYS_HASHED,     /* prefix = hash(file id) % prefixes */
    FILES_KEYS_DATED       /* prefix = (upload minute) % prefixes: every
                              upload of a minute lands on one prefix */
} files_key_layout;

/* Caller-allocated; files_config_init fills the defaults,
 * files_config_clear releases the distributions. */
typedef struct files_config {
    gboolean enabled;
    files_store storage;
    double upload_rate_per_user;  /* uploads per active user per second */
    sim_dist size_bytes;          /* file size */
    sim_dist upload_bps;          /* client upload bandwidth, bytes/s */
    sim_dist download_bps;        /* client download bandwidth, bytes/s */
    sim_dist api_s;               /* one API call (URL request, complete) */
    sim_dist start_delay_s;       /* URL received -> first PUT starts */
    sim_time url_expiry;          /* pre-signed URL lifetime */
    uint32_t max_url_requests;    /* URLs a client asks for before giving up */
    double download_fraction;     /* of online recipients, share who download */
    sim_dist download_delay_s;    /* delivery -> the recipient opens the file */
    /* S3 */
    uint32_t prefixes;
    files_key_layout key_layout;
    double put_limit, get_limit;  /* requests/s per prefix */
    double burst_s;               /* bucket depth in seconds of the limit */
    sim_dist s3_latency_s;        /* request latency besides the transfer */
    sim_dist slowdown_s;          /* time to receive a 503 */
    sim_time retry_base, retry_max;
    uint32_t max_attempts;        /* attempts per URL (throttled ones count) */
    /* PostgreSQL */
    unsigned pg_servers;          /* connections writing/reading blobs */
    double pg_page_bytes;         /* bytes per I/O */
    double pg_wal_factor;         /* I/Os per page written (heap + WAL) */
    double pg_write_bps, pg_read_bps;  /* per connection */
    sim_dist pg_op_s;             /* per statement */
    double metadata_bytes;        /* S3 mode: the metadata row per file */
} files_config;

/* The "files" subtree of the defaults. Caller owns; free with cJSON_Delete. */
cJSON *files_defaults(void);
void files_config_init(files_config *cfg);
void files_config_clear(files_config *cfg);
/* Reads and range-checks "files.*" of a scenario whose defaults included
 * files_defaults() under "files", into `cfg` (which it initialises; clear
 * with files_config_clear even on failure). FALSE with a one-line error. */
gboolean files_config_from_scenario(const sim_scenario *sc, files_config *cfg, GError **error);

typedef struct files_world {
    /* Draws who uploads now and into which channel; FALSE if nobody. */
    gboolean (*pick_uploader)(void *user, sim_rng *rng, uint32_t *sender, uint32_t *channel);
    /* Users active now: drives the upload rate. */
    double (*active_users)(void *user, sim_time now);
    /* Posts the message carrying the file reference through the messaging
     * pipeline; returns its message id. May be NULL (standalone use). */
    uint64_t (*post)(void *user, uint32_t channel, uint32_t sender);
    /* The database's I/Os: `ios` I/Os of file data (blob pages, metadata
     * rows) issued now complete at the returned time (>= now); the
     * messaging model's PostgreSQL serves them on the device its message
     * writes use (postgres.iops). May be NULL, or return now: no limit. */
    sim_time (*db_io)(void *user, double ios);
    void *user;           /* borrowed for the model's lifetime */
} files_world;

/* Tests and the visualizer. Any callback may be NULL. */
typedef struct files_observer {
    /* An S3 request reached `prefix`: admitted, or answered 503. */
    void (*s3_request)(void *user, uint32_t prefix, gboolean put, gboolean throttled, sim_time t);
    /* An upload ended: completed or failed, after `latency` ns. */
    void (*upload_done)(void *user, uint64_t file, gboolean ok, sim_time latency);
} files_observer;

/* Starts the upload process on `ctx` (borrowed for the model's lifetime).
 * Caller owns; free with files_free. With cfg->enabled FALSE nothing is
 * scheduled and the hooks are no-ops. */
files_model *files_new(sim_ctx *ctx, const files_config *cfg, const files_world *world);
void files_free(files_model *f);                      /* NULL is a no-op */
void files_set_observer(files_model *f, const files_observer *obs, void *user);
/* Starts or stops the upload arrivals (on at creation); transfers under
 * way go on. */
void files_set_arrivals(files_model *f, gboolean on);

/* The hook: message `msg` reached `online_recipients` online members. If it
 * carries one of our files, each downloads it with download_fraction. */
void files_on_delivered(files_model *f, uint64_t msg, uint64_t online_recipients);
/* Standalone driving: start one upload now by `sender` into `channel`. */
void files_start_upload(files_model *f, uint32_t sender, uint32_t channel);
/* Standalone driving: one recipient downloads file `file` now. */
void files_start_download(files_model *f, uint64_t file);

/* TRUE if the scenario switched file sharing on (FALSE for NULL). */
gboolean files_enabled(const files_model *f);

typedef struct files_counts {
    uint64_t started, completed, failed, in_flight;   /* uploads */
    uint64_t url_requests, url_expired;
    uint64_t messages_posted;
    uint64_t put_requests, put_slowdowns;
    uint64_t get_requests, get_slowdowns;
    uint64_t downloads_started, downloads, downloads_failed;
    double bytes_uploaded;
    double db_ios, db_bytes;                          /* database cost */
} files_counts;
void files_get_counts(const files_model *f, files_counts *out);
/* Per-prefix figures for tests: requests and 503s of one prefix. */
void files_prefix_counts(const files_model *f, uint32_t prefix, gboolean put,
                         uint64_t *requests, uint64_t *slowdowns);
/* Peak PUT requests in one second: over all prefixes, and on one prefix. */
double files_put_per_sec_peak(const files_model *f);
double files_put_per_prefix_peak(const files_model *f);

/* Time-series figures since the previous call (or creation): uploads
 * completed, S3 PUT requests (503s included), 503s (PUT + GET) and
 * downloads completed, each per second; uploads in flight now. */
typedef struct files_interval {
    double uploads_per_s, put_per_s, slowdowns_per_s, downloads_per_s, in_flight;
} files_interval;
void files_take_interval(files_model *f, files_interval *out);

/* An s3_throttle fault (faults.c): while `on`, S3 answers every request
 * to `prefix` (-1: every prefix) 503 SlowDown; clients back off and retry
 * as for any 503 (s3.retry_*_s, s3.max_attempts). */
void files_set_throttle(files_model *f, int64_t prefix, gboolean on);

/* What throttling cost, since the last files_throttle_mark (or creation). */
typedef struct files_throttle_counts {
    uint64_t slowdowns;       /* 503s answered by a throttled prefix */
    uint64_t delayed;         /* uploads that got one of them (retried) */
    uint64_t failed;          /* of those, uploads that gave up */
    uint64_t in_flight_peak;  /* most uploads in flight at once */
} files_throttle_counts;
void files_throttle_mark(files_model *f);
void files_get_throttle(const files_model *f, files_throttle_counts *out);
/* p99 of the upload wait (latency less the time the bytes took on the
 * client's link: API calls, S3 latency, 503s and their backoff) of the
 * uploads completed since the previous call (0 if none), ms. The full
 * latency's tail is the file sizes'; this one is what S3 adds. */
double files_take_upload_wait_p99(files_model *f);

/* summary.json's "files" object. Caller owns. */
cJSON *files_summary(const files_model *f);
/* Appends the report's file-sharing lines (nothing when disabled). */
void files_report(const files_model *f, GString *out);

#endif
