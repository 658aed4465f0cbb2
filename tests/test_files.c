/* files: S3 throttling appears when, and only when, a prefix's request
 * rate exceeds its limit; prefix spreading removes it and a dated key
 * layout concentrates it; uploads are conserved at every instant; expired
 * URLs are re-requested and counted; blobs in PostgreSQL cost database I/O
 * and storage; downloads follow deliveries; scenario keys; determinism.
 *
 * The harness stands in for the messaging model: uploads arrive at
 * upload_rate_per_user x `active`; each posted file message is "delivered"
 * 100 ms later to `recipients` online members. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "models/files.h"
#include "sim/sim_error.h"
#include "sim/sim_hist.h"

typedef struct {
    sim_ctx *ctx;
    files_model *f;
    double active;
    uint64_t recipients;       /* online members per file message */
    uint64_t next_msg;
    uint64_t posted;
    uint64_t admitted_put[2];  /* per one-second half of the test window */
} fworld;

static gboolean w_pick(void *u, sim_rng *rng, uint32_t *sender, uint32_t *channel)
{
    (void)u;
    *sender = (uint32_t)sim_rng_below(rng, 1000);
    *channel = (uint32_t)sim_rng_below(rng, 50);
    return TRUE;
}

static double w_active(void *u, sim_time now) { (void)now; return ((fworld *)u)->active; }

static void ev_deliver(sim_ctx *ctx, void *data, uint64_t msg)
{
    (void)ctx;
    fworld *w = data;
    files_on_delivered(w->f, msg, w->recipients);
}

static uint64_t w_post(void *u, uint32_t channel, uint32_t sender)
{
    (void)channel; (void)sender;
    fworld *w = u;
    w->posted++;
    uint64_t msg = ++w->next_msg;
    sim_after(w->ctx, 100 * SIM_MS, ev_deliver, w, msg);
    return msg;
}

/* Small limits keep the runs quick; the properties do not depend on them. */
static void base_config(files_config *c, double limit)
{
    files_config_init(c);
    c->enabled = TRUE;
    c->put_limit = limit;
    c->get_limit = limit;
    c->upload_rate_per_user = 0.001;      /* x active users = uploads/s */
    c->download_fraction = 0;
}

static sim_ctx *start(fworld *w, const files_config *c, double uploads_per_sec, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->ctx = sim_ctx_new(seed);
    w->active = uploads_per_sec / c->upload_rate_per_user;
    files_world fw = {w_pick, w_active, w_post, NULL, w};
    w->f = files_new(w->ctx, c, &fw);
    return w->ctx;
}

static void finish(fworld *w)
{
    files_free(w->f);
    sim_ctx_free(w->ctx);
}

static sim_time run_len(void) { return (test_quick() ? 20 : 40) * SIM_SEC; }

static uint64_t total_slowdowns(const files_model *f, uint32_t prefixes, uint64_t *requests)
{
    uint64_t sum = 0, req = 0;
    for (uint32_t p = 0; p < prefixes; p++) {
        uint64_t r, s;
        files_prefix_counts(f, p, TRUE, &r, &s);
        sum += s;
        req += r;
    }
    if (requests) *requests = req;
    return sum;
}

/* One prefix, limit 200/s. At 90% of the limit no request is ever
 * throttled (the GCRA bucket holds 1 s = 200 requests; an M/D/1 virtual
 * queue at load 0.9 passes 200 with probability ~e^-40). At 120% S3 answers
 * 503s, and the prefix never admits more than limit x (t + burst) + 1. */
static void test_throttling_iff_rate_exceeds_limit(void)
{
    const double limit = 200;
    files_config c;
    base_config(&c, limit);
    c.prefixes = 1;
    fworld w;

    start(&w, &c, 0.9 * limit, 31);
    sim_run_until(w.ctx, run_len());
    uint64_t req = 0;
    CU_ASSERT_EQUAL(total_slowdowns(w.f, 1, &req), 0);
    CU_ASSERT(req > 0.8 * limit * sim_time_to_sec(run_len()));
    finish(&w);

    start(&w, &c, 1.2 * limit, 31);
    sim_run_until(w.ctx, run_len());
    uint64_t slow = total_slowdowns(w.f, 1, &req);
    CU_ASSERT(slow > 0);
    CU_ASSERT(req - slow <= limit * (sim_time_to_sec(run_len()) + c.burst_s) + 1);
    finish(&w);
    files_config_clear(&c);
}

/* The same 1.5 x limit of uploads: on one prefix it is throttled; hashed
 * over 2 prefixes (0.75 x limit each) it is not; over 4 prefixes with a
 * dated layout (one prefix per minute) it is throttled again, on the
 * minute's prefix alone. */
static void test_key_layout_spreads_or_concentrates(void)
{
    const double limit = 200;
    files_config c;
    base_config(&c, limit);
    fworld w;

    c.prefixes = 1;
    start(&w, &c, 1.5 * limit, 32);
    sim_run_until(w.ctx, run_len());
    CU_ASSERT(total_slowdowns(w.f, 1, NULL) > 0);
    finish(&w);

    c.prefixes = 2;
    start(&w, &c, 1.5 * limit, 32);
    sim_run_until(w.ctx, run_len());
    CU_ASSERT_EQUAL(total_slowdowns(w.f, 2, NULL), 0);
    finish(&w);

    c.prefixes = 4;
    c.key_layout = FILES_KEYS_DATED;
    start(&w, &c, 1.5 * limit, 32);
    sim_run_until(w.ctx, run_len());                 /* < 60 s: minute 0, prefix 0 */
    uint64_t r, s;
    files_prefix_counts(w.f, 0, TRUE, &r, &s);
    CU_ASSERT(s > 0);
    for (uint32_t p = 1; p < 4; p++) {
        files_prefix_counts(w.f, p, TRUE, &r, &s);
        CU_ASSERT_EQUAL(r, 0);
        CU_ASSERT_EQUAL(s, 0);
    }
    finish(&w);
    files_config_clear(&c);
}

/* completed + failed + in flight = started at every checkpoint (in flight
 * is counted from the live upload slots), under throttling, retries that
 * give up, and expiring URLs; after a drain nothing is in flight. */
static void test_uploads_conserved(void)
{
    files_config c;
    base_config(&c, 100);
    c.prefixes = 1;
    c.max_attempts = 4;
    c.url_expiry = 2 * SIM_SEC;
    c.max_url_requests = 2;
    sim_dist_clear(&c.start_delay_s);
    sim_dist_init_exponential(&c.start_delay_s, 0.5);
    fworld w;
    start(&w, &c, 300, 33);
    gboolean ok = TRUE;
    for (int i = 1; i <= 20; i++) {
        sim_run_until(w.ctx, i * SIM_SEC / 2);
        files_counts n;
        files_get_counts(w.f, &n);
        ok = ok && n.completed + n.failed + n.in_flight == n.started;
    }
    CU_ASSERT_TRUE(ok);
    files_set_arrivals(w.f, FALSE);                 /* stop arrivals, drain */
    files_counts n;
    files_get_counts(w.f, &n);
    uint64_t started = n.started;
    sim_run_until(w.ctx, 400 * SIM_SEC);
    files_get_counts(w.f, &n);
    CU_ASSERT_EQUAL(n.started, started);
    CU_ASSERT_EQUAL(n.in_flight, 0);
    CU_ASSERT_EQUAL(n.completed + n.failed, n.started);
    CU_ASSERT(n.failed > 0 && n.completed > 0 && n.url_expired > 0);
    CU_ASSERT_EQUAL(n.messages_posted, n.completed);
    CU_ASSERT_EQUAL(w.posted, n.completed);
    finish(&w);
    files_config_clear(&c);
}

/* The per-interval figures add up to the run's totals. */
static void test_intervals_add_up(void)
{
    files_config c;
    base_config(&c, 100);
    c.prefixes = 1;
    fworld w;
    start(&w, &c, 150, 37);
    double up = 0, put = 0, slow = 0;
    for (int i = 1; i <= 10; i++) {
        sim_run_until(w.ctx, i * SIM_SEC / 2);
        files_interval iv;
        files_take_interval(w.f, &iv);
        up += iv.uploads_per_s / 2;            /* 0.5 s intervals */
        put += iv.put_per_s / 2;
        slow += iv.slowdowns_per_s / 2;
    }
    files_counts n;
    files_get_counts(w.f, &n);
    CU_ASSERT_DOUBLE_EQUAL(up, (double)n.completed, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(put, (double)n.put_requests, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(slow, (double)(n.put_slowdowns + n.get_slowdowns), 1e-6);
    CU_ASSERT(slow > 0);
    finish(&w);
    files_config_clear(&c);
}

/* S3 checks expiry when a request starts: a client that starts its PUT 2 s
 * after getting a 1 s URL always finds it expired, asks again, and fails
 * after max_url_requests; with the 3600 s default nothing expires. */
static void test_url_expiry(void)
{
    files_config c;
    base_config(&c, 1000);
    c.url_expiry = SIM_SEC;
    c.max_url_requests = 3;
    sim_dist_clear(&c.start_delay_s);
    sim_dist_init_constant(&c.start_delay_s, 2);
    fworld w;
    start(&w, &c, 20, 34);
    sim_run_until(w.ctx, 10 * SIM_SEC);
    w.active = 0;
    sim_run_until(w.ctx, 30 * SIM_SEC);
    files_counts n;
    files_get_counts(w.f, &n);
    CU_ASSERT(n.started > 100);
    CU_ASSERT_EQUAL(n.completed, 0);
    CU_ASSERT_EQUAL(n.failed, n.started);
    CU_ASSERT_EQUAL(n.url_expired, 3 * n.started);
    CU_ASSERT_EQUAL(n.url_requests, 3 * n.started);
    CU_ASSERT_EQUAL(n.put_requests, 0);
    finish(&w);

    files_config_clear(&c);
    base_config(&c, 1000);
    start(&w, &c, 20, 34);
    sim_run_until(w.ctx, 10 * SIM_SEC);
    files_get_counts(w.f, &n);
    CU_ASSERT_EQUAL(n.url_expired, 0);
    CU_ASSERT(n.completed > 100);
    finish(&w);
    files_config_clear(&c);
}

/* Blobs in PostgreSQL: the database stores every byte uploaded and pays
 * at least wal_factor I/Os per 8 KiB page; with S3 it stores one metadata
 * row per file and pays wal_factor I/Os for it. */
static void test_postgres_blobs_cost(void)
{
    files_config c;
    base_config(&c, 3500);
    fworld w;
    start(&w, &c, 50, 35);
    sim_run_until(w.ctx, 20 * SIM_SEC);
    files_counts s3;
    files_get_counts(w.f, &s3);
    finish(&w);

    c.storage = FILES_STORE_POSTGRES;
    start(&w, &c, 50, 35);
    sim_run_until(w.ctx, 20 * SIM_SEC);
    files_counts pg;
    files_get_counts(w.f, &pg);
    finish(&w);

    CU_ASSERT(s3.completed > 500 && pg.completed > 500);
    CU_ASSERT_DOUBLE_EQUAL(s3.db_bytes, s3.completed * c.metadata_bytes, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(s3.db_ios, s3.completed * c.pg_wal_factor, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(pg.db_bytes, pg.bytes_uploaded, 1e-3);
    CU_ASSERT(pg.db_ios >= c.pg_wal_factor * pg.bytes_uploaded / c.pg_page_bytes);
    CU_ASSERT(pg.db_ios > 10 * s3.db_ios);
    CU_ASSERT_EQUAL(pg.put_requests, 0);
    files_config_clear(&c);
}

/* Each delivered file message makes Binomial(recipients, fraction)
 * downloads; the total lies within 5 standard deviations of its mean. */
static void test_downloads_follow_deliveries(void)
{
    files_config c;
    base_config(&c, 5500);
    c.download_fraction = 0.25;
    sim_dist_clear(&c.download_delay_s);
    sim_dist_init_constant(&c.download_delay_s, 1);
    fworld w;
    start(&w, &c, 20, 36);
    w.recipients = 40;
    sim_run_until(w.ctx, 10 * SIM_SEC);
    w.active = 0;
    sim_run_until(w.ctx, 60 * SIM_SEC);
    files_counts n;
    files_get_counts(w.f, &n);
    double trials = (double)n.messages_posted * w.recipients;
    double mean = trials * 0.25, sd = sqrt(trials * 0.25 * 0.75);
    CU_ASSERT(n.messages_posted > 100);
    CU_ASSERT_EQUAL(n.downloads_started, n.downloads + n.downloads_failed);
    CU_ASSERT(fabs((double)n.downloads - mean) < 5 * sd);
    CU_ASSERT_EQUAL(n.get_requests, n.downloads);
    finish(&w);
    files_config_clear(&c);
}

static char *summary_text(uint64_t seed)
{
    files_config c;
    base_config(&c, 100);
    c.prefixes = 1;
    c.download_fraction = 0.5;
    fworld w;
    start(&w, &c, 150, seed);
    w.recipients = 5;
    sim_run_until(w.ctx, 5 * SIM_SEC);
    cJSON *j = files_summary(w.f);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    finish(&w);
    files_config_clear(&c);
    return t;
}

static void test_determinism(void)
{
    char *a = summary_text(41), *b = summary_text(41), *d = summary_text(42);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, d);
    cJSON *j = cJSON_Parse(a);
    const char *fields[] = {"uploads", "upload_ms", "s3_put_per_sec_peak", "s3_slowdowns", "url_expired", "downloads"};
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(j, fields[i]));
    cJSON_Delete(j);
    free(a); free(b); free(d);
}

static sim_scenario *scenario_with(const char *json, GError **err)
{
    cJSON *defs = cJSON_CreateObject();
    cJSON_AddItemToObject(defs, "files", files_defaults());
    sim_scenario *sc = sim_scenario_load_string(json, "t.json", defs, err);
    cJSON_Delete(defs);
    return sc;
}

/* Keys are read with their units; a URL longer than SigV4's 7 days and an
 * unknown storage are refused with the key named. */
static void test_scenario_keys(void)
{
    GError *err = NULL;
    files_config c;
    sim_scenario *sc = scenario_with("{\"files\": {\"enabled\": true, \"storage\": \"postgres\","
                                     " \"url_expiry_s\": 604800, \"s3\": {\"prefixes\": 64}}}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_TRUE(files_config_from_scenario(sc, &c, &err));
    CU_ASSERT_TRUE(c.enabled);
    CU_ASSERT_EQUAL(c.storage, FILES_STORE_POSTGRES);
    CU_ASSERT_EQUAL(c.url_expiry, 604800 * SIM_SEC);
    CU_ASSERT_EQUAL(c.prefixes, 64);
    CU_ASSERT_DOUBLE_EQUAL(c.put_limit, 3500, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.get_limit, 5500, 0);
    files_config_clear(&c);
    sim_scenario_free(sc);

    const char *bad[][2] = {
        {"{\"files\": {\"url_expiry_s\": 604801}}", "files.url_expiry_s"},
        {"{\"files\": {\"storage\": \"nfs\"}}", "files.storage"},
        {"{\"files\": {\"upload_bps\": 0}}", "files.upload_bps"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        sc = scenario_with(bad[i][0], &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        CU_ASSERT_FALSE(files_config_from_scenario(sc, &c, &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, bad[i][1]));
        g_clear_error(&err);
        files_config_clear(&c);
        sim_scenario_free(sc);
    }
}

/* The blob pool (files.storage = postgres) made M/M/4 through documented
 * keys: uploads Poisson at upload_rate_per_user x users (every user
 * connected; the API and transfer delays before the pool are i.i.d., which
 * keeps them Poisson), 1-byte files at 1 TB/s (no transfer term), an
 * exponential postgres.op_s of 10 ms, no downloads. Erlang-C's wait and
 * P(wait) within the 95% CI at rho 0.5, 0.8 and 0.95, Little's law on
 * files.database.pool. */
static char *blob_text(double rho, const void *arg)
{
    (void)arg;
    double lambda = 400 * rho;
    return g_strdup_printf(
        "{\"duration_s\": %g, \"interval_s\": 10, \"workload\": {\"users\": 4000, \"online_fraction\": 1, \"workspaces\": 0,"
        " \"channels_per_user\": 0.5, \"channel_max\": 50, \"rate_per_sec\": 5, \"daily_curve\": false},"
        " \"files\": {\"enabled\": true, \"storage\": \"postgres\", \"upload_rate_per_user\": %g, \"size_bytes\": 1,"
        " \"download_fraction\": 0, \"postgres\": {\"servers\": 4, \"write_bps\": 1e12,"
        " \"op_s\": {\"dist\": \"exponential\", \"mean\": 0.01}}}}",
        test_mmc_arrivals(rho) / lambda, lambda / 4000);
}

static const cJSON *blob_pool(const cJSON *sum)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "files"), "database"), "pool");
}

static void test_blob_pool_is_mmc(void)
{
    for (int i = 0; i < 3; i++)
        test_check_mmc(blob_text, NULL, blob_pool, TRUE, 4, test_mmc_rhos[i], 400 * test_mmc_rhos[i], 100, 6, 150);
}

void test_files_register(void)
{
    TEST_SUITE("files",
               TEST(test_throttling_iff_rate_exceeds_limit),
               TEST(test_key_layout_spreads_or_concentrates),
               TEST(test_uploads_conserved),
               TEST(test_url_expiry),
               TEST(test_postgres_blobs_cost),
               TEST(test_blob_pool_is_mmc),
               TEST(test_downloads_follow_deliveries),
               TEST(test_intervals_add_up),
               TEST(test_determinism),
               TEST(test_scenario_keys));
}
