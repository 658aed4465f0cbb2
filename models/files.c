/* files: uploads through pre-signed S3 URLs (or blobs in PostgreSQL),
 * S3's per-prefix request limits, downloads by the message's recipients.
 *
 * Invariants: every upload started is, at any instant, exactly one of
 * completed, failed or in flight (a live slot of the upload pool), and the
 * same holds for downloads. A prefix admits a request at t only if its
 * GCRA bucket allows it: over any interval [s, t] a prefix admits at most
 * limit * (t - s + burst_s) + 1 requests of a kind, and it answers 503 only
 * when the requests since its bucket was last empty would exceed that. An
 * attempt never starts on an expired URL. */
#include "models/files.h"
#include "models/slack_internal.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "sim/sim_error.h"
#include "sim/sim_hist.h"

typedef struct {
    uint64_t file;          /* file id, 1-based */
    sim_time start;         /* URL request (upload) or open (download) */
    sim_time url_expires;
    double size;            /* bytes */
    uint32_t sender, channel, prefix;
    uint32_t attempts;      /* on the current URL */
    uint32_t urls;          /* URLs obtained */
    uint8_t live;
    uint8_t throttled;      /* an s3_throttle fault answered it 503 */
    sim_time moving;        /* upload: time its bytes took on the client's link */
    uint8_t cold;           /* download: the file's first read (the others hit the cache) */
} fl_transfer;

typedef struct {
    double size;
    uint32_t prefix;
} fl_file;

typedef struct {
    sim_time tat[2];        /* GCRA theoretical arrival time: [0] PUT, [1] GET */
    uint64_t requests[2], slowdowns[2];
    int64_t put_second;     /* second of the current PUT count */
    uint32_t put_count;
    gboolean throttled;     /* an s3_throttle fault: every request gets 503 */
} fl_prefix;

/* Requests per simulated second, with the peak. */
typedef struct {
    int64_t second;
    double count, peak;
} fl_rate;

struct files_model {
    sim_ctx *ctx;
    files_config cfg;
    files_world world;
    files_observer obs;
    void *obs_user;
    sim_rng rng_arrival, rng_upload, rng_download, rng_retry;
    fl_prefix *prefix;
    sim_time gcra_T[2], gcra_tau[2];
    fl_rate put_rate, db_iops;
    gboolean arrivals_on;                 /* uploads generated */
    sim_event_id arrival_ev;
    double put_prefix_peak;
    GArray *uploads, *free_uploads;       /* fl_transfer pool, uint32 free slots */
    GArray *downloads, *free_downloads;
    GHashTable *shared;                   /* message id (or file id) -> fl_file */
    sim_station *pg;                      /* PostgreSQL mode only */
    files_counts counts;
    sim_hist *upload_hist, *download_hist;
    files_counts iv_prev;                 /* counts at the previous interval */
    sim_time iv_t0;
    /* s3_throttle faults (faults.c) */
    uint64_t live_uploads;                /* uploads in flight now */
    sim_hist *upload_iv;                  /* upload wait since files_take_upload_wait_p99 */
    files_throttle_counts throttle;       /* since files_throttle_mark */
};

#define PG_DOWNLOAD_BIT (1ULL << 63)

static const char *const STORE_NAMES[] = {"s3", "postgres", NULL};
G_STATIC_ASSERT(sizeof(files_store) == sizeof(int) && sizeof(files_key_layout) == sizeof(int));
static const char *const LAYOUT_NAMES[] = {"hashed", "dated", NULL};

/* ------------------------------------------------------- configuration */

void files_config_init(files_config *c)
{
    memset(c, 0, sizeof *c);
    c->enabled = FALSE;
    c->storage = FILES_STORE_S3;
    c->upload_rate_per_user = 0.00007;                     /* ~2 files per user per 8-hour day */
    sim_dist_init_lognormal(&c->size_bytes, log(200e3), 1.5);
    sim_dist_init_lognormal(&c->upload_bps, log(1.25e6), 0.8);    /* median 10 Mbit/s */
    sim_dist_init_lognormal(&c->download_bps, log(6.25e6), 0.8);  /* median 50 Mbit/s */
    sim_dist_init_lognormal(&c->api_s, log(0.02), 0.5);
    sim_dist_init_constant(&c->start_delay_s, 0);
    c->url_expiry = 3600 * SIM_SEC;
    c->max_url_requests = 3;
    c->download_fraction = 0.2;
    sim_dist_init_exponential(&c->download_delay_s, 30);
    c->prefixes = 16;
    c->key_layout = FILES_KEYS_HASHED;
    c->put_limit = 3500;
    c->get_limit = 5500;
    c->burst_s = 1;
    sim_dist_init_lognormal(&c->s3_latency_s, log(0.1), 0.4);   /* AWS: ~100-200 ms first byte */
    sim_dist_init_constant(&c->slowdown_s, 0.01);
    c->retry_base = 100 * SIM_MS;
    c->retry_max = 20 * SIM_SEC;
    c->max_attempts = 10;
    c->pg_servers = 16;
    c->pg_page_bytes = 8192;
    c->pg_wal_factor = 2;
    c->pg_write_bps = 100e6;
    c->pg_read_bps = 200e6;
    sim_dist_init_lognormal(&c->pg_op_s, log(0.002), 0.5);
    c->metadata_bytes = 1024;
}

void files_config_clear(files_config *c)
{
    sim_dist *d[] = {&c->size_bytes, &c->upload_bps, &c->download_bps, &c->api_s, &c->start_delay_s,
                     &c->download_delay_s, &c->s3_latency_s, &c->slowdown_s, &c->pg_op_s};
    for (size_t i = 0; i < G_N_ELEMENTS(d); i++) sim_dist_clear(d[i]);
}

/* Every "files" key, once: read, defaults and the key list come from here.
 * Sizes and bandwidths must be positive on average (a zero bandwidth would
 * never finish); times non-negative. */
#define KD(p, lo, hi, f, u) { p, lo, hi, SIM_FIELD_DOUBLE, offsetof(files_config, f), u }
#define KU(p, lo, hi, f, u) { p, lo, hi, SIM_FIELD_U32, offsetof(files_config, f), u }
#define KT(p, lo, hi, f) { p, lo, hi, SIM_FIELD_TIME, offsetof(files_config, f), "s" }
#define KS(p, f, pos, u) { p, (pos) ? DBL_MIN : 0, DBL_MAX, SIM_FIELD_DIST, offsetof(files_config, f), u }
static const sim_field fl_keys[] = {
    { "enabled", 0, 0, SIM_FIELD_BOOL, offsetof(files_config, enabled), "bool" },
    { "storage", 0, 0, SIM_FIELD_ENUM, offsetof(files_config, storage), NULL, STORE_NAMES },
    { "s3.key_layout", 0, 0, SIM_FIELD_ENUM, offsetof(files_config, key_layout), NULL, LAYOUT_NAMES },
    KD("upload_rate_per_user", 0, 1e3, upload_rate_per_user, "1/s"),
    /* SigV4 pre-signed URLs live at most 7 days (604800 s). */
    KT("url_expiry_s", 1, 604800, url_expiry),
    KU("max_url_requests", 1, 1000, max_url_requests, "count"),
    KD("download_fraction", 0, 1, download_fraction, "0..1"),
    KU("s3.prefixes", 1, 1e6, prefixes, "count"),
    KD("s3.put_limit_per_prefix", 1e-3, 1e9, put_limit, "1/s"),
    KD("s3.get_limit_per_prefix", 1e-3, 1e9, get_limit, "1/s"),
    KD("s3.burst_s", 1e-3, 3600, burst_s, "s"),
    KT("s3.retry_base_s", 1e-6, 3600, retry_base),
    KT("s3.retry_max_s", 1e-6, 86400, retry_max),
    KU("s3.max_attempts", 1, 1000, max_attempts, "count"),
    KU("postgres.servers", 1, 1e6, pg_servers, "count"),
    KD("postgres.page_bytes", 1, 1e9, pg_page_bytes, "bytes"),
    KD("postgres.wal_factor", 1, 100, pg_wal_factor, "ratio"),
    KD("postgres.write_bps", 1, 1e12, pg_write_bps, "bytes/s"),
    KD("postgres.read_bps", 1, 1e12, pg_read_bps, "bytes/s"),
    KD("postgres.metadata_bytes", 0, 1e9, metadata_bytes, "bytes"),
    KS("size_bytes", size_bytes, TRUE, "bytes"),
    KS("upload_bps", upload_bps, TRUE, "bytes/s"),
    KS("download_bps", download_bps, TRUE, "bytes/s"),
    KS("api_s", api_s, FALSE, "s"),
    KS("start_delay_s", start_delay_s, FALSE, "s"),
    KS("download_delay_s", download_delay_s, FALSE, "s"),
    KS("s3.latency_s", s3_latency_s, FALSE, "s"),
    KS("s3.slowdown_s", slowdown_s, FALSE, "s"),
    KS("postgres.op_s", pg_op_s, FALSE, "s"),
};
#undef KD
#undef KU
#undef KT
#undef KS


/* Written from files_config_init through the table that reads the keys. */
cJSON *files_defaults(void)
{
    files_config c;
    files_config_init(&c);
    cJSON *r = cJSON_CreateObject();
    sim_scenario_fields_to_json(r, fl_keys, G_N_ELEMENTS(fl_keys), &c);
    files_config_clear(&c);
    return r;
}

/* Checks across keys, once every key was read. */
static gboolean check_config(const sim_scenario *sc, const files_config *c, GError **error)
{
    if (c->retry_max >= c->retry_base) return TRUE;
    return sim_error_at(error, SIM_ERROR_VALUE, sim_scenario_origin(sc), "files.s3.retry_max_s", "must be >= s3.retry_base_s");
}

gboolean files_config_from_scenario(const sim_scenario *sc, files_config *c, GError **error)
{
    files_config_init(c);
    return sim_scenario_read_fields(sc, "files", fl_keys, G_N_ELEMENTS(fl_keys), c, error) && check_config(sc, c, error);
}

/* --------------------------------------------------------------- helpers */

static inline uint64_t fl_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static sim_time sample_ns(const sim_dist *d, sim_rng *rng)
{
    return sim_time_from_sec(sim_dist_sample(d, rng));
}

/* A positive draw: sizes and bandwidths below 1 are taken as 1. */
static double sample_pos(const sim_dist *d, sim_rng *rng)
{
    double v = sim_dist_sample(d, rng);
    return v < 1 ? 1 : v;
}

static sim_time transfer_ns(double bytes, double bps)
{
    return sim_time_from_sec(bytes / bps);
}

static void rate_count(fl_rate *r, sim_time now, double n)
{
    int64_t sec = now / SIM_SEC;
    if (sec != r->second) { r->second = sec; r->count = 0; }
    r->count += n;
    if (r->count > r->peak) r->peak = r->count;
}

static void db_io(files_model *f, double ios, double bytes)
{
    f->counts.db_ios += ios;
    f->counts.db_bytes += bytes;
    rate_count(&f->db_iops, sim_now(f->ctx), ios);
}

/* `ios` I/Os go to the database's device now: when they are done. */
static sim_time db_device(files_model *f, double ios)
{
    return f->world.db_io ? f->world.db_io(f->world.user, ios) : sim_now(f->ctx);
}

static double pages(const files_model *f, double bytes)
{
    return ceil(bytes / f->cfg.pg_page_bytes);
}

static uint32_t alloc_slot(GArray *pool, GArray *free_slots)
{
    uint32_t slot;
    if (free_slots->len) {
        slot = g_array_index(free_slots, uint32_t, free_slots->len - 1);
        g_array_set_size(free_slots, free_slots->len - 1);
    } else {
        slot = pool->len;
        g_array_set_size(pool, slot + 1);
    }
    return slot;
}

static fl_transfer *up_at(files_model *f, uint32_t slot) { return &g_array_index(f->uploads, fl_transfer, slot); }
static fl_transfer *down_at(files_model *f, uint32_t slot) { return &g_array_index(f->downloads, fl_transfer, slot); }

/* Backoff before retry number `attempt` (1-based) after a 503: "full
 * jitter", uniform on [0, min(max, base * 2^(attempt-1))]. */
static sim_time backoff(files_model *f, uint32_t attempt)
{
    double cap = MIN(sim_time_to_sec(f->cfg.retry_max),
                     sim_time_to_sec(f->cfg.retry_base) * ldexp(1.0, (int)MIN(attempt - 1, 40u)));
    return sim_time_from_sec(cap * sim_rng_uniform(&f->rng_retry));
}

/* ------------------------------------------------------------------- S3 */

/* GCRA: admit if the bucket's theoretical arrival time is at most tau
 * ahead of now; each admitted request pushes it T further. Integer ns, so
 * the decision is exact and reproducible. */
static gboolean s3_admit(files_model *f, uint32_t prefix, int kind)
{
    fl_prefix *p = &f->prefix[prefix];
    sim_time now = sim_now(f->ctx);
    p->requests[kind]++;
    if (kind == 0) {
        f->counts.put_requests++;
        rate_count(&f->put_rate, now, 1);
        int64_t sec = now / SIM_SEC;
        if (sec != p->put_second) { p->put_second = sec; p->put_count = 0; }
        if (++p->put_count > f->put_prefix_peak) f->put_prefix_peak = p->put_count;
    } else {
        f->counts.get_requests++;
    }
    sim_time tat = MAX(p->tat[kind], now);
    gboolean ok = !p->throttled && tat - now <= f->gcra_tau[kind];
    f->throttle.slowdowns += p->throttled;
    if (ok) p->tat[kind] = tat + f->gcra_T[kind];
    else {
        p->slowdowns[kind]++;
        if (kind == 0) f->counts.put_slowdowns++; else f->counts.get_slowdowns++;
    }
    if (f->obs.s3_request) f->obs.s3_request(f->obs_user, prefix, kind == 0, !ok, now);
    return ok;
}

static uint32_t key_prefix(files_model *f, uint64_t file)
{
    if (f->cfg.key_layout == FILES_KEYS_DATED)
        return (uint32_t)((sim_now(f->ctx) / (60 * SIM_SEC)) % f->cfg.prefixes);
    return (uint32_t)(fl_mix(file) % f->cfg.prefixes);
}

/* --------------------------------------------------------------- uploads */

static void ev_url_granted(sim_ctx *ctx, void *data, uint64_t arg);
static void ev_put_attempt(sim_ctx *ctx, void *data, uint64_t arg);
static void ev_put_done(sim_ctx *ctx, void *data, uint64_t arg);
static void ev_upload_completed(sim_ctx *ctx, void *data, uint64_t arg);

static void upload_end(files_model *f, uint32_t slot, gboolean ok)
{
    fl_transfer *u = up_at(f, slot);
    sim_time lat = sim_now(f->ctx) - u->start;
    if (ok) { f->counts.completed++; sim_hist_record(f->upload_hist, lat); sim_hist_record(f->upload_iv, lat - u->moving); }
    else f->counts.failed++;
    f->throttle.failed += !ok && u->throttled;
    f->live_uploads--;
    if (f->obs.upload_done) f->obs.upload_done(f->obs_user, u->file, ok, lat);
    u->live = 0;
    g_array_append_val(f->free_uploads, slot);
}

/* Asks the API for a (new) pre-signed PUT URL. */
static void request_url(files_model *f, uint32_t slot)
{
    f->counts.url_requests++;
    sim_after(f->ctx, sample_ns(&f->cfg.api_s, &f->rng_upload), ev_url_granted, f, slot);
}

static void ev_url_granted(sim_ctx *ctx, void *data, uint64_t arg)
{
    files_model *f = data;
    fl_transfer *u = up_at(f, (uint32_t)arg);
    u->urls++;
    u->attempts = 0;
    u->url_expires = sim_now(ctx) + f->cfg.url_expiry;
    sim_after(ctx, sample_ns(&f->cfg.start_delay_s, &f->rng_upload), ev_put_attempt, f, arg);
}

static void ev_put_attempt(sim_ctx *ctx, void *data, uint64_t arg)
{
    files_model *f = data;
    uint32_t slot = (uint32_t)arg;
    fl_transfer *u = up_at(f, slot);
    if (sim_now(ctx) > u->url_expires) {       /* S3 checks expiry as a request starts */
        f->counts.url_expired++;
        if (u->urls >= f->cfg.max_url_requests) upload_end(f, slot, FALSE);
        else request_url(f, slot);
        return;
    }
    u->attempts++;
    if (!s3_admit(f, u->prefix, 0)) {
        if (f->prefix[u->prefix].throttled && !u->throttled) { u->throttled = 1; f->throttle.delayed++; }
        if (u->attempts >= f->cfg.max_attempts) { upload_end(f, slot, FALSE); return; }
        sim_time wait = sample_ns(&f->cfg.slowdown_s, &f->rng_upload) + backoff(f, u->attempts);
        sim_after(ctx, wait, ev_put_attempt, f, arg);
        return;
    }
    double bps = sample_pos(&f->cfg.upload_bps, &f->rng_upload);
    u->moving = transfer_ns(u->size, bps);
    sim_time t = sample_ns(&f->cfg.s3_latency_s, &f->rng_upload) + u->moving;
    sim_after(ctx, t, ev_put_done, f, arg);
}

/* The bytes are in S3: the client completes the upload with the API. */
static void ev_put_done(sim_ctx *ctx, void *data, uint64_t arg)
{
    files_model *f = data;
    f->counts.bytes_uploaded += up_at(f, (uint32_t)arg)->size;
    sim_after(ctx, sample_ns(&f->cfg.api_s, &f->rng_upload), ev_upload_completed, f, arg);
}

/* The upload is complete: its metadata row is written and the message
 * carrying the reference goes through the normal pipeline. */
static void ev_upload_completed(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    files_model *f = data;
    uint32_t slot = (uint32_t)arg;
    fl_transfer u = *up_at(f, slot);
    if (f->cfg.storage == FILES_STORE_S3) {
        db_io(f, f->cfg.pg_wal_factor, f->cfg.metadata_bytes);
        db_device(f, f->cfg.pg_wal_factor);   /* the metadata row takes its share of the device */
    }
    upload_end(f, slot, TRUE);
    uint64_t key = u.file;
    if (f->world.post) {
        key = f->world.post(f->world.user, u.channel, u.sender);
        f->counts.messages_posted++;
    }
    fl_file *rec = g_new(fl_file, 1);
    *rec = (fl_file){u.size, u.prefix};
    g_hash_table_replace(f->shared, GSIZE_TO_POINTER((gsize)key), rec);
}

/* PostgreSQL mode: the bytes went to the API, which writes the blob. */
static void ev_pg_upload_arrived(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    files_model *f = data;
    fl_transfer *u = up_at(f, (uint32_t)arg);
    f->counts.bytes_uploaded += u->size;
    sim_time svc = sample_ns(&f->cfg.pg_op_s, &f->rng_upload) + transfer_ns(u->size, f->cfg.pg_write_bps);
    sim_station_submit_timed(f->pg, arg, svc);
}

void files_start_upload(files_model *f, uint32_t sender, uint32_t channel)
{
    if (!f || !f->cfg.enabled) return;
    uint32_t slot = alloc_slot(f->uploads, f->free_uploads);
    fl_transfer *u = up_at(f, slot);
    uint64_t id = ++f->counts.started;
    *u = (fl_transfer){id, sim_now(f->ctx), 0, sample_pos(&f->cfg.size_bytes, &f->rng_upload),
                       sender, channel, key_prefix(f, id), 0, 0, 1, 0, 0};
    f->live_uploads++;
    f->throttle.in_flight_peak = MAX(f->throttle.in_flight_peak, f->live_uploads);
    if (f->cfg.storage == FILES_STORE_S3) { request_url(f, slot); return; }
    double bps = sample_pos(&f->cfg.upload_bps, &f->rng_upload);
    sim_time t = sample_ns(&f->cfg.api_s, &f->rng_upload) + transfer_ns(u->size, bps);
    sim_after(f->ctx, t, ev_pg_upload_arrived, f, slot);
}

/* ------------------------------------------------------------- downloads */

static void ev_get_attempt(sim_ctx *ctx, void *data, uint64_t arg);

static void download_end(files_model *f, uint32_t slot, gboolean ok)
{
    fl_transfer *d = down_at(f, slot);
    if (ok) { f->counts.downloads++; sim_hist_record(f->download_hist, sim_now(f->ctx) - d->start); }
    else f->counts.downloads_failed++;
    d->live = 0;
    g_array_append_val(f->free_downloads, slot);
}

static void ev_download_done(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    download_end(data, (uint32_t)arg, TRUE);
}

/* Bytes leave the store and cross the recipient's link. */
static void download_transfer(files_model *f, uint32_t slot, sim_time extra)
{
    double bps = sample_pos(&f->cfg.download_bps, &f->rng_download);
    sim_after(f->ctx, extra + transfer_ns(down_at(f, slot)->size, bps), ev_download_done, f, slot);
}

static void ev_get_attempt(sim_ctx *ctx, void *data, uint64_t arg)
{
    files_model *f = data;
    uint32_t slot = (uint32_t)arg;
    fl_transfer *d = down_at(f, slot);
    if (d->attempts == 0) { d->start = sim_now(ctx); f->counts.downloads_started++; }
    d->attempts++;
    if (f->cfg.storage == FILES_STORE_POSTGRES) {
        sim_time svc = sample_ns(&f->cfg.pg_op_s, &f->rng_download) + transfer_ns(d->size, f->cfg.pg_read_bps);
        db_io(f, pages(f, d->size), 0);
        sim_station_submit_timed(f->pg, arg | PG_DOWNLOAD_BIT, svc);
        return;
    }
    if (!s3_admit(f, d->prefix, 1)) {
        if (d->attempts >= f->cfg.max_attempts) { download_end(f, slot, FALSE); return; }
        sim_time wait = sample_ns(&f->cfg.slowdown_s, &f->rng_download) + backoff(f, d->attempts);
        sim_after(ctx, wait, ev_get_attempt, f, arg);
        return;
    }
    download_transfer(f, slot, sample_ns(&f->cfg.s3_latency_s, &f->rng_download));
}

static void schedule_download(files_model *f, const fl_file *rec, sim_time delay, gboolean cold)
{
    uint32_t slot = alloc_slot(f->downloads, f->free_downloads);
    *down_at(f, slot) = (fl_transfer){0, 0, 0, rec->size, 0, 0, rec->prefix, 0, 0, 1, 0, 0, (uint8_t)cold};
    sim_after(f->ctx, delay, ev_get_attempt, f, slot);
}

void files_on_delivered(files_model *f, uint64_t msg, uint64_t online_recipients)
{
    if (!f || !f->cfg.enabled) return;
    gpointer key = GSIZE_TO_POINTER((gsize)msg);
    fl_file *rec = g_hash_table_lookup(f->shared, key);
    if (!rec) return;
    fl_file r = *rec;
    g_hash_table_remove(f->shared, key);
    gboolean cold = TRUE;
    for (uint64_t i = 0; i < online_recipients; i++)
        if (sim_rng_uniform(&f->rng_download) < f->cfg.download_fraction) {
            schedule_download(f, &r, sample_ns(&f->cfg.download_delay_s, &f->rng_download), cold);
            cold = FALSE;
        }
}

void files_start_download(files_model *f, uint64_t file)
{
    if (!f || !f->cfg.enabled) return;
    fl_file *rec = g_hash_table_lookup(f->shared, GSIZE_TO_POINTER((gsize)file));
    g_return_if_fail(rec != NULL);
    schedule_download(f, rec, 0, TRUE);
}

/* PostgreSQL blob writes and reads finish here. */
static void on_pg_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)ctx; (void)arrived; (void)started;
    files_model *f = user;
    uint32_t slot = (uint32_t)job;
    sim_time now = sim_now(f->ctx);
    if (job & PG_DOWNLOAD_BIT) {
        /* The database's device reads a blob once: its later downloads find
         * its pages in shared buffers or the OS cache. (The I/O count above
         * charges every read, as the cost of the rejected design.) */
        fl_transfer *d = down_at(f, slot);
        download_transfer(f, slot, d->cold ? db_device(f, pages(f, d->size)) - now : 0);
        return;
    }
    double size = up_at(f, slot)->size;
    db_io(f, pages(f, size) * f->cfg.pg_wal_factor, size);
    sim_time done = db_device(f, pages(f, size) * f->cfg.pg_wal_factor);
    if (done > now) sim_at(f->ctx, done, ev_upload_completed, f, slot);
    else ev_upload_completed(f->ctx, f, slot);
}

/* -------------------------------------------------------------- arrivals */

static void ev_arrival(sim_ctx *ctx, void *data, uint64_t arg);

/* Poisson uploads at upload_rate_per_user x active users, the rate re-read
 * at each arrival; with nobody active, look again a second later. */
static void schedule_arrival(files_model *f)
{
    double rate = f->cfg.upload_rate_per_user * f->world.active_users(f->world.user, sim_now(f->ctx));
    sim_time gap = rate > 0 ? sim_time_from_sec(-log(sim_rng_uniform_pos(&f->rng_arrival)) / rate) + 1 : SIM_SEC;
    f->arrival_ev = sim_after(f->ctx, gap, ev_arrival, f, rate > 0);
}

static void ev_arrival(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    files_model *f = data;
    uint32_t sender, channel;
    f->arrival_ev = SIM_EVENT_NONE;
    if (arg && f->world.pick_uploader(f->world.user, &f->rng_arrival, &sender, &channel))
        files_start_upload(f, sender, channel);
    schedule_arrival(f);
}

/* ------------------------------------------------------------ lifecycle */

static void copy_config(files_config *dst, const files_config *src)
{
    *dst = *src;
    sim_dist *d[] = {&dst->size_bytes, &dst->upload_bps, &dst->download_bps, &dst->api_s, &dst->start_delay_s,
                     &dst->download_delay_s, &dst->s3_latency_s, &dst->slowdown_s, &dst->pg_op_s};
    const sim_dist *s[] = {&src->size_bytes, &src->upload_bps, &src->download_bps, &src->api_s, &src->start_delay_s,
                           &src->download_delay_s, &src->s3_latency_s, &src->slowdown_s, &src->pg_op_s};
    for (size_t i = 0; i < G_N_ELEMENTS(d); i++) sim_dist_copy(d[i], s[i]);
}

static void init_gcra(files_model *f, int kind, double limit)
{
    f->gcra_T[kind] = MAX((sim_time)1, (sim_time)llround(1e9 / limit));
    f->gcra_tau[kind] = MAX((sim_time)0, sim_time_from_sec(f->cfg.burst_s) - f->gcra_T[kind]);
}

files_model *files_new(sim_ctx *ctx, const files_config *cfg, const files_world *world)
{
    g_return_val_if_fail(ctx && cfg && world, NULL);
    files_model *f = g_new0(files_model, 1);
    f->ctx = ctx;
    copy_config(&f->cfg, cfg);
    f->world = *world;
    f->uploads = g_array_new(FALSE, TRUE, sizeof(fl_transfer));
    f->free_uploads = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    f->downloads = g_array_new(FALSE, TRUE, sizeof(fl_transfer));
    f->free_downloads = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    f->shared = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    f->upload_hist = sim_hist_new();
    f->download_hist = sim_hist_new();
    f->upload_iv = sim_hist_new();
    f->put_rate.second = f->db_iops.second = -1;
    if (!cfg->enabled) return f;
    sim_ctx_stream(ctx, "files.arrival", &f->rng_arrival);
    sim_ctx_stream(ctx, "files.upload", &f->rng_upload);
    sim_ctx_stream(ctx, "files.download", &f->rng_download);
    sim_ctx_stream(ctx, "files.retry", &f->rng_retry);
    f->prefix = g_new0(fl_prefix, f->cfg.prefixes);
    for (uint32_t i = 0; i < f->cfg.prefixes; i++) f->prefix[i].put_second = -1;
    init_gcra(f, 0, f->cfg.put_limit);
    init_gcra(f, 1, f->cfg.get_limit);
    if (f->cfg.storage == FILES_STORE_POSTGRES) {
        sim_station_config sc = {"files.postgres", f->cfg.pg_servers, 0, SIM_DROP_TAIL, f->cfg.pg_op_s};
        f->pg = sim_station_new(ctx, &sc, on_pg_done, NULL, f);
    }
    files_set_arrivals(f, TRUE);
    return f;
}

void files_free(files_model *f)
{
    if (!f) return;
    sim_station_free(f->pg);
    g_free(f->prefix);
    g_array_free(f->uploads, TRUE);
    g_array_free(f->free_uploads, TRUE);
    g_array_free(f->downloads, TRUE);
    g_array_free(f->free_downloads, TRUE);
    g_hash_table_destroy(f->shared);
    sim_hist_free(f->upload_hist);
    sim_hist_free(f->download_hist);
    sim_hist_free(f->upload_iv);
    files_config_clear(&f->cfg);
    g_free(f);
}

void files_set_arrivals(files_model *f, gboolean on)
{
    if (!f || !f->cfg.enabled || on == f->arrivals_on) return;
    f->arrivals_on = on;
    if (!on && f->arrival_ev != SIM_EVENT_NONE) {
        sim_cancel(f->ctx, f->arrival_ev);
        f->arrival_ev = SIM_EVENT_NONE;
    }
    if (on && f->cfg.upload_rate_per_user > 0 && f->world.active_users && f->world.pick_uploader)
        schedule_arrival(f);
}

void files_set_observer(files_model *f, const files_observer *obs, void *user)
{
    memset(&f->obs, 0, sizeof f->obs);
    if (obs) f->obs = *obs;
    f->obs_user = obs ? user : NULL;
}

/* ------------------------------------------------------------ read-outs */

gboolean files_enabled(const files_model *f) { return f && f->cfg.enabled; }

/* In flight is counted from the pool itself, not derived from the other
 * counters, so the conservation test checks something. */
void files_get_counts(const files_model *f, files_counts *out)
{
    *out = f->counts;
    out->in_flight = 0;
    for (guint i = 0; i < f->uploads->len; i++)
        out->in_flight += g_array_index(f->uploads, fl_transfer, i).live;
}

void files_prefix_counts(const files_model *f, uint32_t prefix, gboolean put, uint64_t *requests, uint64_t *slowdowns)
{
    g_return_if_fail(f->prefix && prefix < f->cfg.prefixes);
    *requests = f->prefix[prefix].requests[put ? 0 : 1];
    *slowdowns = f->prefix[prefix].slowdowns[put ? 0 : 1];
}

double files_put_per_sec_peak(const files_model *f) { return f->put_rate.peak; }

void files_take_interval(files_model *f, files_interval *out)
{
    files_counts c;
    files_get_counts(f, &c);
    sim_time now = sim_now(f->ctx);
    double dt = sim_time_to_sec(now - f->iv_t0), per = dt > 0 ? 1.0 / dt : 0;
    const files_counts *p = &f->iv_prev;
    out->uploads_per_s = (double)(c.completed - p->completed) * per;
    out->put_per_s = (double)(c.put_requests - p->put_requests) * per;
    out->slowdowns_per_s = (double)(c.put_slowdowns + c.get_slowdowns - p->put_slowdowns - p->get_slowdowns) * per;
    out->downloads_per_s = (double)(c.downloads - p->downloads) * per;
    out->in_flight = (double)c.in_flight;
    f->iv_prev = c;
    f->iv_t0 = now;
}
double files_put_per_prefix_peak(const files_model *f) { return f->put_prefix_peak; }

void files_set_throttle(files_model *f, int64_t prefix, gboolean on)
{
    if (!f || !f->prefix) return;
    g_return_if_fail(prefix < (int64_t)f->cfg.prefixes);
    for (uint32_t i = 0; i < f->cfg.prefixes; i++)
        if (prefix < 0 || i == (uint64_t)prefix) f->prefix[i].throttled = on;
}

void files_throttle_mark(files_model *f)
{
    memset(&f->throttle, 0, sizeof f->throttle);
    f->throttle.in_flight_peak = f->live_uploads;
}

void files_get_throttle(const files_model *f, files_throttle_counts *out) { *out = f->throttle; }

double files_take_upload_wait_p99(files_model *f)
{
    double v = (double)sim_hist_percentile(f->upload_iv, 99) / 1e6;
    sim_hist_reset(f->upload_iv);
    return v;
}

static uint32_t throttled_prefixes(const files_model *f)
{
    uint32_t n = 0;
    for (uint32_t i = 0; f->prefix && i < f->cfg.prefixes; i++)
        n += f->prefix[i].slowdowns[0] + f->prefix[i].slowdowns[1] > 0;
    return n;
}

cJSON *files_summary(const files_model *f)
{
    files_counts c;
    files_get_counts(f, &c);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "enabled", f->cfg.enabled);
    cJSON_AddStringToObject(o, "storage", STORE_NAMES[f->cfg.storage]);
    cJSON_AddNumberToObject(o, "uploads", (double)c.completed);
    cJSON_AddItemToObject(o, "upload_ms", sim_hist_to_json(f->upload_hist, 1e6));
    cJSON_AddNumberToObject(o, "s3_put_per_sec_peak", f->put_rate.peak);
    cJSON_AddNumberToObject(o, "s3_slowdowns", (double)(c.put_slowdowns + c.get_slowdowns));
    cJSON_AddNumberToObject(o, "url_expired", (double)c.url_expired);
    cJSON_AddNumberToObject(o, "downloads", (double)c.downloads);
    cJSON_AddNumberToObject(o, "uploads_started", (double)c.started);
    cJSON_AddNumberToObject(o, "uploads_failed", (double)c.failed);
    cJSON_AddNumberToObject(o, "uploads_in_flight", (double)c.in_flight);
    cJSON_AddNumberToObject(o, "url_requests", (double)c.url_requests);
    cJSON_AddNumberToObject(o, "messages_posted", (double)c.messages_posted);
    cJSON_AddNumberToObject(o, "download_failed", (double)c.downloads_failed);
    cJSON_AddItemToObject(o, "download_ms", sim_hist_to_json(f->download_hist, 1e6));
    cJSON *s3 = cJSON_AddObjectToObject(o, "s3");
    cJSON_AddNumberToObject(s3, "prefixes", f->cfg.prefixes);
    cJSON_AddStringToObject(s3, "key_layout", LAYOUT_NAMES[f->cfg.key_layout]);
    cJSON_AddNumberToObject(s3, "put_requests", (double)c.put_requests);
    cJSON_AddNumberToObject(s3, "put_slowdowns", (double)c.put_slowdowns);
    cJSON_AddNumberToObject(s3, "get_requests", (double)c.get_requests);
    cJSON_AddNumberToObject(s3, "get_slowdowns", (double)c.get_slowdowns);
    cJSON_AddNumberToObject(s3, "put_per_prefix_peak", f->put_prefix_peak);
    cJSON_AddNumberToObject(s3, "throttled_prefixes", throttled_prefixes(f));
    cJSON *db = cJSON_AddObjectToObject(o, "database");
    cJSON_AddNumberToObject(db, "ios", c.db_ios);
    cJSON_AddNumberToObject(db, "iops_peak", f->db_iops.peak);
    cJSON_AddNumberToObject(db, "storage_gb", c.db_bytes / 1e9);
    cJSON_AddNumberToObject(db, "util", f->pg ? sim_station_utilization(f->pg) : 0);
    /* the PostgreSQL pool as a queue (no instance with S3) */
    const sim_station *pool[1] = { f->pg };
    cJSON_AddItemToObject(db, "pool", sim_station_pool_to_json(pool, f->pg ? 1 : 0, FALSE));
    cJSON_AddNumberToObject(o, "stored_gb", c.bytes_uploaded / 1e9);
    return o;
}

void files_report(const files_model *f, GString *out)
{
    if (!f->cfg.enabled) return;   /* the summary says "enabled": false */
    files_counts c;
    files_get_counts(f, &c);
    g_string_append_printf(out, "files (%s): %" G_GUINT64_FORMAT " uploads completed of %" G_GUINT64_FORMAT
                           " started (%" G_GUINT64_FORMAT " failed, %" G_GUINT64_FORMAT " in flight), upload p99 %.0f ms; %"
                           G_GUINT64_FORMAT " downloads\n", STORE_NAMES[f->cfg.storage], c.completed, c.started,
                           c.failed, c.in_flight, (double)sim_hist_percentile(f->upload_hist, 99) / 1e6, c.downloads);
    if (f->cfg.storage == FILES_STORE_S3)
        g_string_append_printf(out, "  S3: PUT peak %.0f/s (one prefix %.0f/s, limit %g), %" G_GUINT64_FORMAT
                               " PUT + %" G_GUINT64_FORMAT " GET 503 SlowDown on %u of %u prefixes, %" G_GUINT64_FORMAT
                               " URLs expired\n", f->put_rate.peak, f->put_prefix_peak, f->cfg.put_limit,
                               c.put_slowdowns, c.get_slowdowns, throttled_prefixes(f), f->cfg.prefixes, c.url_expired);
    g_string_append_printf(out, "  database cost of files: %.0f I/Os (peak %.0f IOPS), %.3f GB stored%s\n",
                           c.db_ios, f->db_iops.peak, c.db_bytes / 1e9,
                           f->cfg.storage == FILES_STORE_POSTGRES ? " (blobs in PostgreSQL)" : " (metadata rows only)");
}

/* ================================================================ the component */

static double fw_active_users(void *u, sim_time now) { (void)now; return (double)gw_total_connections(((slack_model *)u)->gw); }

/* An uploader posts into a channel of the workspace: its #general if there
 * is one, else any channel drawn by activity. */
static gboolean fw_pick_uploader(void *u, sim_rng *rng, uint32_t *sender, uint32_t *channel)
{
    slack_model *m = u;
    if (wl_channels(m->wl) == 0) return FALSE;
    uint32_t ch = wl_pick_channel(m->wl, rng);
    uint32_t size = wl_channel_size(m->wl, ch);
    for (int i = 0; i < 8 && size; i++) {
        uint32_t s = wl_channel_member(m->wl, ch, (uint32_t)sim_rng_below(rng, size));
        if (m->conn[s] != GW_NONE) { *sender = s; *channel = ch; return TRUE; }
    }
    return FALSE;
}

/* The file's message goes through the pipeline like any other. */
static uint64_t fw_post(void *u, uint32_t channel, uint32_t sender)
{
    slack_model *m = u;
    uint64_t serial = m->msg.serial_next;
    msg_send(m, channel, sender);
    return serial;
}

/* File I/Os share the message database's device (postgres.iops). */
static sim_time fw_db_io(void *u, double ios) { return pg_io((slack_model *)u, ios, PG_IO_FILES); }

static gboolean fl_validate(const sim_scenario *sc, const slack_config *cfg, GError **error)
{
    return check_config(sc, &cfg->files, error);
}

static gboolean fl_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    files_world w = { fw_pick_uploader, fw_active_users, fw_post, fw_db_io, m };
    m->files = files_new(m->ctx, &m->config.files, &w);
    return TRUE;
}

static void fl_free(slack_model *m) { files_free(m->files); }
static void fl_stop(slack_model *m) { files_set_arrivals(m->files, FALSE); }
static void fl_delivered(slack_model *m, const msg_rec *r, uint64_t online) { files_on_delivered(m->files, r->serial, online); }
static cJSON *fl_summary(const slack_model *m) { return files_summary(m->files); }
static void fl_report(const slack_model *m, GString *s) { files_report(m->files, s); }

static const char *const fl_columns[] = {
    "files_uploads_per_s", "s3_put_per_s", "s3_slowdowns_per_s", "files_downloads_per_s",
};

static size_t fl_columns_fn(const slack_model *m, const char **out)
{
    if (!files_enabled(m->files)) return 0;
    memcpy(out, fl_columns, sizeof fl_columns);
    return G_N_ELEMENTS(fl_columns);
}

static size_t fl_sample(slack_model *m, double *out)
{
    if (!files_enabled(m->files)) return 0;
    files_interval f;
    files_take_interval(m->files, &f);
    out[0] = f.uploads_per_s; out[1] = f.put_per_s; out[2] = f.slowdowns_per_s; out[3] = f.downloads_per_s;
    return 4;
}

/* S3: the busiest prefix's peak PUT rate against its limit (PUTs beyond
 * it get 503 SlowDown); utilization is capped at 1, the offered rate not. */
static gboolean fl_load(const slack_model *m, slack_load *out)
{
    if (!files_enabled(m->files)) return FALSE;
    double offered = files_put_per_prefix_peak(m->files) / MAX(1e-9, m->config.files.put_limit);
    *out = (slack_load){ MIN(1.0, offered), offered };
    return TRUE;
}

const slack_component files_component = {
    .name = "files", .fields = fl_keys, .n_fields = G_N_ELEMENTS(fl_keys),
    .config_offset = offsetof(slack_config, files), .validate = fl_validate,
    .build = fl_build, .stop = fl_stop, .free = fl_free, .on_delivered = fl_delivered,
    .columns = fl_columns_fn, .sample = fl_sample, .summary = fl_summary, .report = fl_report,
    .load = fl_load,
};
