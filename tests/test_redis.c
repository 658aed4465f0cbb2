/* redis: request costs fitted to the two benchmark figures, FIFO service,
 * the background fluid (drain, saturation, pipelining), M/D/1 waits,
 * counters and peaks, shard hashing, scenario keys, determinism. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "models/redis.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"

/* ------------------------------------------------------------ helpers */

typedef struct {
    sim_time done_at[8];
    int ndone;
} rec;

static void on_done(sim_ctx *ctx, void *data, uint64_t arg)
{
    rec *r = data;
    (void)arg;
    if (r->ndone < 8) r->done_at[r->ndone] = sim_now(ctx);
    r->ndone++;
}

static redis_server *new_default(sim_ctx *ctx)
{
    redis_config c;
    redis_config_init(&c);
    redis_server *r = redis_new(ctx, &c);
    redis_config_clear(&c);
    return r;
}

static const double UNPIPELINED = 1.0 / 110000.0, PIPELINED16 = 16.0 / 682000.0;

/* ------------------------------------------------------------ tests */

/* The default costs reproduce both figures they were fitted to. */
static void test_default_costs_fit_benchmarks(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_server *r = new_default(ctx);
    CU_ASSERT_DOUBLE_EQUAL(redis_request_cost_s(r, 1), UNPIPELINED, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(redis_request_cost_s(r, 16), PIPELINED16, 1e-15);
    redis_free(r);
    sim_ctx_free(ctx);
}

static void submit3(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx; (void)arg;
    void **a = data;
    for (int i = 0; i < 3; i++) redis_request(a[0], 7, 1, on_done, a[1], 0);
}

/* One thread, FIFO: three requests sent together complete one command
 * time apart, in order, the first after exactly one command time. */
static void test_fifo_single_thread(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_server *r = new_default(ctx);
    rec rc = { 0 };
    void *a[2] = { r, &rc };
    sim_at(ctx, SIM_SEC, submit3, a, 0);
    sim_run_until(ctx, 2 * SIM_SEC);
    sim_time c = sim_time_from_sec(UNPIPELINED);
    CU_ASSERT_EQUAL(rc.ndone, 3);
    for (int i = 0; i < 3; i++) CU_ASSERT(llabs(rc.done_at[i] - (SIM_SEC + (i + 1) * c)) <= 2);
    CU_ASSERT_EQUAL(sim_station_completed(redis_station(r, 0)), 3);
    CU_ASSERT_DOUBLE_EQUAL(redis_ops_total(r), 3.0, 1e-9);
    redis_free(r);
    sim_ctx_free(ctx);
}

static void req1(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx; (void)arg;
    void **a = data;
    redis_request(a[0], 7, 1, on_done, a[1], 0);
}

static void charge10ms(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx; (void)arg;
    redis_charge_work(data, 0, 10 * SIM_MS);
}

/* Background fluid at rho 0.5: an idle backlog stays empty (a request
 * completes after its own cost); 10 ms of work charged at t drains at
 * 1 - rho = 0.5, so a request at t + 4 ms waits 8 ms more. */
static void test_background_fluid_drain(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_server *r = new_default(ctx);
    redis_add_background_ops(r, 55000.0);      /* 55000 / 110000 = 0.5 */
    rec rc = { 0 };
    void *a[2] = { r, &rc };
    sim_time c = sim_time_from_sec(UNPIPELINED);
    sim_at(ctx, SIM_SEC, req1, a, 0);
    sim_at(ctx, 2 * SIM_SEC, charge10ms, r, 0);
    sim_at(ctx, 2 * SIM_SEC + 4 * SIM_MS, req1, a, 0);
    sim_run_until(ctx, 3 * SIM_SEC);
    CU_ASSERT_EQUAL(rc.ndone, 2);
    CU_ASSERT(llabs(rc.done_at[0] - (SIM_SEC + c)) <= 2);
    CU_ASSERT(llabs(rc.done_at[1] - (2 * SIM_SEC + 12 * SIM_MS + c)) <= 2);
    /* Busy: 0.5 of 3 s, plus the 10 ms charge and two commands (no double
     * counting: the fluid keeps arriving while the charge is served). */
    double expect = (0.5 * 3.0 + 0.010 + 2 * UNPIPELINED) / 3.0;
    CU_ASSERT_DOUBLE_EQUAL(redis_utilization(r), expect, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(redis_ops_total(r), 55000.0 * 3 + 2, 1e-3);
    redis_free(r);
    sim_ctx_free(ctx);
}

static void charge16_then_req(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx; (void)arg;
    void **a = data;
    redis_charge(a[0], 7, 16);
    redis_request(a[0], 7, 1, on_done, a[1], 0);
}

/* A fire-and-forget pipelined charge occupies the thread (the request
 * behind it waits for its 16-command cost) and counts its ops. */
static void test_charge_delays_and_counts(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_server *r = new_default(ctx);
    rec rc = { 0 };
    void *a[2] = { r, &rc };
    sim_at(ctx, SIM_SEC, charge16_then_req, a, 0);
    sim_run_until(ctx, 2 * SIM_SEC);
    CU_ASSERT_EQUAL(rc.ndone, 1);
    CU_ASSERT(llabs(rc.done_at[0] - (SIM_SEC + sim_time_from_sec(PIPELINED16 + UNPIPELINED))) <= 2);
    CU_ASSERT_DOUBLE_EQUAL(redis_ops_total(r), 17.0, 1e-9);
    redis_free(r);
    sim_ctx_free(ctx);
}

/* Offered background above capacity: the backlog grows at rho - 1, so a
 * request after 2 s at rho 1.5 waits 1 s; utilization is capped at 1 while
 * the offered load says 1.5. */
static void test_background_saturation(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_server *r = new_default(ctx);
    redis_add_background_ops(r, 165000.0);
    rec rc = { 0 };
    void *a[2] = { r, &rc };
    sim_at(ctx, 2 * SIM_SEC, req1, a, 0);
    sim_run_until(ctx, 2 * SIM_SEC);           /* the request has arrived */
    CU_ASSERT_DOUBLE_EQUAL(redis_backlog_s(r, 0), 1.0 + UNPIPELINED, 1e-9);
    sim_run_until(ctx, 4 * SIM_SEC);
    CU_ASSERT_EQUAL(rc.ndone, 1);
    CU_ASSERT(llabs(rc.done_at[0] - (3 * SIM_SEC + sim_time_from_sec(UNPIPELINED))) <= 2);
    CU_ASSERT_DOUBLE_EQUAL(redis_utilization(r), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(redis_offered_load(r), 1.5 + UNPIPELINED / 4.0, 1e-9);
    redis_free(r);
    sim_ctx_free(ctx);
}

/* 682k ops/s sent 16 per request is exactly one thread's capacity. */
static void test_pipelined_background_capacity(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_server *r = new_default(ctx);
    redis_add_background_shard(r, 0, 682000.0, 16.0);
    sim_run_until(ctx, 10 * SIM_SEC);
    CU_ASSERT_DOUBLE_EQUAL(redis_offered_load(r), 1.0, 1e-9);
    CU_ASSERT(redis_backlog_s(r, 0) < 1e-6);
    redis_free(r);
    sim_ctx_free(ctx);
}

/* Interval rates and their peak; the background integral counts ops. */
static void test_interval_rates_and_peak(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_server *r = new_default(ctx);
    redis_add_background_ops(r, 1000.0);
    sim_run_until(ctx, SIM_SEC);
    CU_ASSERT_DOUBLE_EQUAL(redis_take_interval_rate(r), 1000.0, 1e-6);
    redis_add_background_ops(r, 2000.0);
    sim_run_until(ctx, 2 * SIM_SEC);
    CU_ASSERT_DOUBLE_EQUAL(redis_take_interval_rate(r), 3000.0, 1e-6);
    redis_add_background_ops(r, -3000.0);
    sim_run_until(ctx, 3 * SIM_SEC);
    CU_ASSERT_DOUBLE_EQUAL(redis_take_interval_rate(r), 0.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(redis_ops_per_sec_peak(r), 3000.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(redis_ops_total(r), 4000.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(redis_background_ops_per_sec(r), 0.0, 1e-9);
    redis_free(r);
    sim_ctx_free(ctx);
}

/* ---- M/D/1 through the station: Pollaczek-Khinchine ---- */

typedef struct {
    redis_server *r;
    sim_rng rng;
    double rate;
    sim_time end;
} poisson_src;

static void on_arrival(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    poisson_src *s = data;
    redis_request(s->r, sim_rng_u64(&s->rng), 1, NULL, NULL, 0);
    sim_time gap = sim_time_from_sec(-log(sim_rng_uniform_pos(&s->rng)) / s->rate);
    if (sim_now(ctx) + gap < s->end) sim_after(ctx, gap, on_arrival, s, 0);
}

/* Poisson requests at rho = 0.5 on constant costs: the mean sojourn is
 * c + rho c / (2 (1 - rho)) (M/D/1), checked against a 99.9% Student-t
 * interval over independent replications; utilization and ops match the
 * offered load within 5 Poisson standard deviations. */
static void test_mdl_matches_pollaczek_khinchine(void)
{
    enum { R = 10 };
    double T = test_quick() ? 0.2 : 1.0, lambda = 55000.0, c = UNPIPELINED, rho = lambda * c;
    double means[R];
    for (int k = 0; k < R; k++) {
        sim_ctx *ctx = sim_ctx_new(100 + k);
        redis_server *r = new_default(ctx);
        poisson_src src = { r, { { 0 } }, lambda, sim_time_from_sec(T) };
        sim_ctx_stream(ctx, "test.arrivals", &src.rng);
        sim_at(ctx, 0, on_arrival, &src, 0);
        sim_run_until(ctx, sim_time_from_sec(T) + SIM_SEC);
        const sim_hist *h = redis_latency_hist(r);
        means[k] = sim_hist_mean(h) / 1e9;
        double n = (double)sim_hist_count(h), sd = sqrt(lambda * T);
        CU_ASSERT(fabs(n - lambda * T) <= 5 * sd);
        CU_ASSERT_DOUBLE_EQUAL(redis_ops_total(r), n, 1e-6);
        /* Busy time is exactly n commands (the queue empties before the end). */
        double elapsed = T + 1.0;
        CU_ASSERT_DOUBLE_EQUAL(redis_utilization(r), n * c / elapsed, 1e-9);
        CU_ASSERT(fabs(redis_utilization(r) * elapsed / T - rho) <= 5 * c * sd / T);
        redis_free(r);
        sim_ctx_free(ctx);
    }
    double mean, hw;
    sim_ci_mean(means, R, 0.999, &mean, &hw);
    double theory = c + rho * c / (2 * (1 - rho));
    CU_ASSERT(fabs(mean - theory) <= hw);
}

/* Shards: keys spread evenly (chi-square, 0.1% level) and a request lands
 * on its key's shard. */
static void test_shards_spread_keys(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_config c;
    redis_config_init(&c);
    c.shards = 8;
    redis_server *r = redis_new(ctx, &c);
    redis_config_clear(&c);
    enum { N = 80000 };
    double count[8] = { 0 };
    for (uint64_t k = 0; k < N; k++) count[redis_shard_of(r, k)]++;
    double chi2 = 0, e = N / 8.0;
    for (int i = 0; i < 8; i++) chi2 += (count[i] - e) * (count[i] - e) / e;
    CU_ASSERT(chi2 < 24.32);    /* chi-square(7) 99.9% quantile */
    rec rc = { 0 };
    redis_request(r, 12345, 1, on_done, &rc, 0);
    sim_run_until(ctx, SIM_SEC);
    CU_ASSERT_EQUAL(sim_station_completed(redis_station(r, redis_shard_of(r, 12345))), 1);
    CU_ASSERT_EQUAL(rc.ndone, 1);
    redis_free(r);
    sim_ctx_free(ctx);
}

/* Redis Cluster routing. Slots as a real redis-server 7.0.15 started with
 * --cluster-enabled yes answers CLUSTER KEYSLOT (hash tags included); the
 * ranges redis-cli --cluster create prints for 3 masters; the model's keys
 * are tagged with their id, so presence:{42}, channel:{42}:members and the
 * bare id share slot 8000; every slot has exactly one owner. */
static void test_cluster_slots(void)
{
    CU_ASSERT_EQUAL(redis_crc16("123456789", 9), 0x31C3);
    struct { const char *key; unsigned slot; } v[] = {
        { "foo", 12182 }, { "hello", 866 }, { "bar", 5061 }, { "somekey", 11058 }, { "123456789", 12739 },
        { "{user1000}.following", 3443 }, { "{user1000}.followers", 3443 }, { "foo{}{bar}", 8363 },
        { "foo{{bar}}zap", 4015 }, { "foo{bar}{zap}", 5061 }, { "presence:{42}", 8000 },
        { "channel:{42}:members", 8000 }, { "0", 13907 }, { "4000", 4219 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) CU_ASSERT_EQUAL(redis_key_slot(v[i].key, strlen(v[i].key)), v[i].slot);
    CU_ASSERT_EQUAL(redis_id_slot(42), 8000);
    CU_ASSERT_EQUAL(redis_id_slot(0), 13907);
    CU_ASSERT_EQUAL(redis_id_slot(4000), 4219);
    uint32_t f, l;
    redis_shard_slots(3, 0, &f, &l); CU_ASSERT(f == 0 && l == 5460);
    redis_shard_slots(3, 1, &f, &l); CU_ASSERT(f == 5461 && l == 10922);
    redis_shard_slots(3, 2, &f, &l); CU_ASSERT(f == 10923 && l == 16383);
    uint32_t ns[] = { 1, 2, 3, 7, 16, 1000, 16384 };
    for (size_t k = 0; k < G_N_ELEMENTS(ns); k++) {
        uint32_t next = 0;
        for (uint32_t i = 0; i < ns[k]; i++) {
            redis_shard_slots(ns[k], i, &f, &l);
            CU_ASSERT(f == next && l >= f);
            next = l + 1;
        }
        CU_ASSERT_EQUAL(next, 16384);
    }
    sim_ctx *ctx = sim_ctx_new(1);
    redis_config c;
    redis_config_init(&c);
    c.shards = 3;
    redis_server *r = redis_new(ctx, &c);
    redis_config_clear(&c);
    CU_ASSERT_EQUAL(redis_shard_of(r, 42), 1);      /* slot 8000 */
    CU_ASSERT_EQUAL(redis_shard_of(r, 0), 2);       /* slot 13907 */
    CU_ASSERT_EQUAL(redis_shard_of(r, 4000), 0);    /* slot 4219 */
    CU_ASSERT_EQUAL(redis_shard_of_slot(r, 5460), 0);
    CU_ASSERT_EQUAL(redis_shard_of_slot(r, 5461), 1);
    redis_free(r);
    sim_ctx_free(ctx);
}

/* The hot shard: load on one key's shard makes it the busiest; the max is
 * its utilization, the mean is the sum over shards / shards. */
static void test_hot_shard(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    redis_config c;
    redis_config_init(&c);
    c.shards = 4;
    redis_server *r = redis_new(ctx, &c);
    redis_config_clear(&c);
    uint32_t hot = redis_shard_of(r, 42);
    redis_add_background_shard(r, hot, 50000, 1.0);
    redis_add_background_shard(r, (hot + 1) % 4, 10000, 1.0);
    sim_run_until(ctx, SIM_SEC);
    CU_ASSERT_EQUAL(redis_hot_shard(r), hot);
    double u = 50000 / 110000.0, u1 = 10000 / 110000.0;
    CU_ASSERT_DOUBLE_EQUAL(redis_utilization_max(r), u, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(redis_utilization(r), (u + u1) / 4, 1e-9);
    cJSON *j = redis_summary_json(r);
    CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(j, "hot_shard")->valueint, (int)hot);
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItemCaseSensitive(j, "utilization_mean")->valuedouble, (u + u1) / 4, 1e-9);
    cJSON_Delete(j);
    redis_free(r);
    sim_ctx_free(ctx);
}

static cJSON *schema(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "redis", redis_defaults());
    return root;
}

/* The "redis" subtree: defaults round-trip, overrides apply, impossible
 * values give one line naming the key. */
static void test_scenario_keys(void)
{
    cJSON *defs = schema();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_from_defaults("t", defs);
    redis_config c;
    CU_ASSERT_TRUE(redis_config_from_scenario(sc, &c, &err));
    CU_ASSERT_EQUAL(c.shards, 1);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&c.request_s) + sim_dist_mean(&c.command_s), UNPIPELINED, 1e-15);
    redis_config_clear(&c);
    sim_scenario_free(sc);

    sc = sim_scenario_load_string("{\"redis\":{\"shards\":4,\"command_s\":{\"dist\":\"exponential\",\"mean\":2e-6}}}",
                                  "x.json", defs, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_TRUE(redis_config_from_scenario(sc, &c, &err));
    CU_ASSERT_EQUAL(c.shards, 4);
    CU_ASSERT_EQUAL(c.command_s.kind, SIM_DIST_EXPONENTIAL);
    redis_config_clear(&c);
    sim_scenario_free(sc);

    sc = sim_scenario_load_string("{\"redis\":{\"shards\":0}}", "x.json", defs, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_FALSE(redis_config_from_scenario(sc, &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "redis.shards"));
    CU_ASSERT_PTR_NULL(strchr(err->message, '\n'));
    g_clear_error(&err);
    redis_config_clear(&c);
    sim_scenario_free(sc);

    /* active-expire-effort is a Redis key, 1..10; a zero command cost is
     * allowed (a request then costs its overhead alone) */
    sc = sim_scenario_load_string("{\"redis\":{\"active_expire_effort\":11}}", "x.json", defs, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_FALSE(redis_config_from_scenario(sc, &c, &err));
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err->message, "redis.active_expire_effort"));
    g_clear_error(&err);
    redis_config_clear(&c);
    sim_scenario_free(sc);
    sc = sim_scenario_load_string("{\"redis\":{\"command_s\":0, \"active_expire_effort\":10}}", "x.json", defs, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_TRUE(redis_config_from_scenario(sc, &c, &err));
    CU_ASSERT_EQUAL(c.active_expire_effort, 10);
    CU_ASSERT_EQUAL(sim_dist_mean(&c.command_s), 0);
    redis_config_clear(&c);
    sim_scenario_free(sc);
    cJSON_Delete(defs);
}

static char *run_summary(uint64_t seed)
{
    sim_ctx *ctx = sim_ctx_new(seed);
    redis_config c;
    redis_config_init(&c);
    sim_dist_clear(&c.command_s);
    sim_dist_init_exponential(&c.command_s, 2e-6);
    redis_server *r = redis_new(ctx, &c);
    redis_config_clear(&c);
    poisson_src src = { r, { { 0 } }, 100000.0, SIM_SEC / 10 };
    sim_ctx_stream(ctx, "test.arrivals", &src.rng);
    redis_add_background_ops(r, 20000.0);
    sim_at(ctx, 0, on_arrival, &src, 0);
    sim_run_until(ctx, SIM_SEC / 5);
    cJSON *j = redis_summary_json(r);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    redis_free(r);
    sim_ctx_free(ctx);
    return s;
}

/* Same seed, same bytes; another seed, other numbers. */
static void test_deterministic(void)
{
    char *a = run_summary(7), *b = run_summary(7), *d = run_summary(8);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, d);
    free(a); free(b); free(d);
}

/* A shard made M/M/1 through documented keys: one shard, exponential
 * request_s, command_s 0 (a request costs its overhead alone, whatever its
 * commands), no presence work (no individual clients, a day between
 * aggregated heartbeats, free expire sampling), every stage before the
 * fan-out's membership read instant, so the reads arrive as the Poisson
 * sends do. Its station (redis.stations, and the shard's own object) has
 * M/M/1's wait and P(wait) within the 95% CI at rho 0.5, 0.8 and 0.95,
 * and Little's law holds on both. */
static char *shard_text(double rho, const void *arg)
{
    (void)arg;
    const double lambda = 100;
    return g_strdup_printf(
        TEST_MMC_INSTANT_UPSTREAM
        " \"kafka\": {\"partitions\": 1, \"append_s\": 0, \"ack_s\": 0}, \"fanout\": {\"service_s\": 0, \"per_recipient_s\": 0},"
        " \"redis\": {\"shards\": 1, \"command_s\": 0, \"request_s\": {\"dist\": \"exponential\", \"mean\": %g}},"
        " \"presence\": {\"individual_clients\": 0, \"heartbeat_s\": 86400, \"ttl_s\": 864000,"
        " \"expire\": {\"sample_cost_s\": 0}}}",
        test_mmc_arrivals(rho) / lambda, lambda, rho / lambda);
}

static const cJSON *shard_pool(const cJSON *sum)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "redis"), "stations");
}

static const cJSON *shard0(const cJSON *sum)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(shard_pool(sum), "by_instance"), 0);
}

static void test_shard_is_mm1(void)
{
    for (int i = 0; i < 3; i++)
        test_check_mmc(shard_text, NULL, shard_pool, TRUE, 1, test_mmc_rhos[i], 100, 100 / test_mmc_rhos[i], 6, 110);
    test_check_mmc(shard_text, NULL, shard0, TRUE, 1, 0.8, 100, 125, 6, 110);
}

void test_redis_register(void)
{
    TEST_SUITE("redis",
               TEST(test_default_costs_fit_benchmarks),
               TEST(test_fifo_single_thread),
               TEST(test_background_fluid_drain),
               TEST(test_charge_delays_and_counts),
               TEST(test_background_saturation),
               TEST(test_pipelined_background_capacity),
               TEST(test_interval_rates_and_peak),
               TEST(test_mdl_matches_pollaczek_khinchine),
               TEST(test_shard_is_mm1),
               TEST(test_shards_spread_keys),
               TEST(test_cluster_slots),
               TEST(test_hot_shard),
               TEST(test_scenario_keys),
               TEST(test_deterministic));
}
