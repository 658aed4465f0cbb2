/* presence: the TTL pattern's detection delays and Redis's expiry rules.
 * Each test names the property it checks; statistical tolerances come from
 * the stated distributions (about 4.5 standard deviations, or a union bound
 * of at most 1e-6 for hard-looking bounds on random quantities). */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "models/presence.h"
#include "sim/sim_error.h"

typedef struct {
    sim_ctx *ctx;
    redis_server *redis;
    presence *p;
} world;

static void world_init(world *w, uint64_t seed, const presence_config *pc, uint32_t n_users)
{
    w->ctx = sim_ctx_new(seed);
    redis_config rc;
    redis_config_init(&rc);
    w->redis = redis_new(w->ctx, &rc);
    redis_config_clear(&rc);
    w->p = presence_new(w->ctx, w->redis, pc, n_users);
}

static void world_clear(world *w)
{
    presence_free(w->p);
    redis_free(w->redis);
    sim_ctx_free(w->ctx);
}

static void connect_range(world *w, uint32_t lo, uint32_t hi)
{
    for (uint32_t u = lo; u < hi; u++) presence_connect(w->p, u, u % 7);
}

static void crash_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    presence_crash(data, (uint32_t)arg);
}

static double summary_num(presence *p, const char *key)
{
    cJSON *j = presence_summary_json(p);
    double v = cJSON_GetObjectItemCaseSensitive(j, key)->valuedouble;
    cJSON_Delete(j);
    return v;
}

/* Slack bound with random sampling: after a key expires the next cycle
 * comes within 1/hz, and every cycle draws min(keys_per_loop, N) >= 1 keys
 * with replacement from N <= n_max keys, each hitting a given stale key
 * with probability >= 1/n_max; with N < keys_per_loop the miss probability
 * (1-1/N)^N <= (1-1/kpl)^kpl is smaller still. So P(slack > (k+1)/hz) <=
 * (1-1/n_max)^(kpl*k); k is chosen so that n_keys times that is <= 1e-6. */
static double slack_bound_s(uint32_t n_max, uint32_t kpl, uint32_t hz, uint32_t n_keys)
{
    double miss = pow(1.0 - 1.0 / n_max, kpl);
    double k = ceil(log(1e-6 / n_keys) / log(miss));
    return (k + 1.0) / hz;
}

/* A crashed client (individual or aggregated) is detected between
 * ttl - heartbeat and ttl after its crash, plus its last SETEX's latency
 * (individual clients only) plus the expiry slack bound above. */
static void test_detection_delay_bounds(void)
{
    uint32_t n = test_quick() ? 200 : 400;
    presence_config c;
    presence_config_init(&c);
    c.expire_scan = FALSE;              /* Redis <= 5: the random-sampling bound */
    c.individual_clients = n / 2;
    world w;
    world_init(&w, 11, &c, n);
    connect_range(&w, 0, n);
    sim_rng rng;
    sim_rng_init_named(&rng, 11, "test.crash");
    for (uint32_t u = 0; u < n; u++)
        sim_at(w.ctx, sim_time_from_sec(100 + 300 * sim_rng_uniform(&rng)), crash_ev, w.p, u);
    presence_expire ex;
    presence_expire_params(&c, &ex);
    double slack = slack_bound_s(n, ex.keys_per_loop, c.expire_hz, n);
    sim_run_until(w.ctx, sim_time_from_sec(400 + 65 + slack + 1));
    const sim_hist *d = presence_detect_hist(w.p);
    double latency = sim_hist_max(redis_latency_hist(w.redis)) / 1e9;
    CU_ASSERT_EQUAL(presence_crashes(w.p), n);
    CU_ASSERT_EQUAL(presence_detected(w.p), n);
    CU_ASSERT_EQUAL(sim_hist_count(d), n);
    CU_ASSERT(sim_hist_min(d) > sim_time_from_sec(c.ttl_s - c.heartbeat_s));
    CU_ASSERT(sim_hist_max(d) <= sim_time_from_sec(c.ttl_s + latency + slack));
    CU_ASSERT(sim_hist_max(presence_slack_hist(w.p)) <= sim_time_from_sec(slack));
    CU_ASSERT_EQUAL(presence_keys(w.p), 0);
    world_clear(&w);
}

/* Large keyspace, few stale keys: each cycle is one loop and removes a
 * given stale key with probability p = 1-(1-1/N)^20, so the slack is
 * U/hz + (G-1)/hz with U uniform, G geometric(p): mean (1/p - 1/2)/hz,
 * variance (1/12 + (1-p)/p^2)/hz^2. N drifts from N0 to N0-K as crashed
 * keys leave, so the mean must lie within [m(N0-K), m(N0)] +- 4.5 se. */
static void test_active_cycle_slack_on_aggregated_keyspace(void)
{
    uint32_t n = test_quick() ? 5000 : 20000, k = test_quick() ? 100 : 300;
    presence_config c;
    presence_config_init(&c);
    c.expire_scan = FALSE;
    c.individual_clients = 0;
    world w;
    world_init(&w, 12, &c, n);
    connect_range(&w, 0, n);
    for (uint32_t i = 0; i < k; i++) sim_at(w.ctx, sim_time_from_sec(10 + 5.0 * i), crash_ev, w.p, i);
    sim_run_until(w.ctx, sim_time_from_sec(10 + 5.0 * k + 65 + 3000));
    const sim_hist *s = presence_slack_hist(w.p);
    CU_ASSERT_EQUAL(presence_detected(w.p), k);
    double hz = c.expire_hz;
    double p_hi = 1 - pow(1 - 1.0 / (n - k), 20), p_lo = 1 - pow(1 - 1.0 / n, 20);
    double m_lo = (1 / p_lo - 0.5) / hz, m_hi = (1 / p_hi - 0.5) / hz;
    double sd = sqrt(1.0 / 12 + (1 - p_lo) / (p_lo * p_lo)) / hz;
    double se = sd / sqrt((double)k);
    double mean = sim_hist_mean(s) / 1e9;
    CU_ASSERT(mean >= m_hi - 4.5 * se && mean <= m_lo + 4.5 * se);
    CU_ASSERT_EQUAL(summary_num(w.p, "detected_active"), k);
    world_clear(&w);
}

/* Redis 6.0-7.0 scan (the default): the cursor visits every bucket once
 * per sweep of the table, each loop sampling >= 20 keys (a loop stops at
 * 20 sampled or 400 buckets; at a load >= 1/2, fewer than 20 keys in 400
 * buckets has probability < 1e-40). A sweep samples every key once, at
 * most N_max + 5 sqrt(N_max) of them counting the Poisson draws of live
 * buckets (P(more) < 1e-6), so a stale key goes within
 * ((N_max + 5 sqrt N_max)/20 + 2)/hz of its TTL; its slack is about uniform
 * over a sweep: mean within 4.5 se of half a sweep, for N between N0 - K
 * and N0, plus the overshoot of the last bucket of a loop (loops sample
 * 20 + delta keys, delta < load, so a sweep is N/(20 + delta) loops). */
static void test_scan_slack_bounded_by_one_sweep(void)
{
    uint32_t n = 3000, k = test_quick() ? 100 : 200;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    CU_ASSERT_TRUE_FATAL(c.expire_scan);      /* the default */
    world w;
    world_init(&w, 23, &c, n);
    connect_range(&w, 0, n);
    for (uint32_t i = 0; i < k; i++) sim_at(w.ctx, sim_time_from_sec(10 + 0.5 * i), crash_ev, w.p, i);
    double hz = c.expire_hz;
    double bound = ((n + 5 * sqrt((double)n)) / 20.0 + 2) / hz;
    sim_run_until(w.ctx, sim_time_from_sec(10 + 0.5 * k + 65 + bound + 1));
    const sim_hist *s = presence_slack_hist(w.p);
    CU_ASSERT_EQUAL(presence_detected(w.p), k);
    CU_ASSERT(sim_hist_max(s) <= sim_time_from_sec(bound));
    double lo = (n - k) / 21.0 / hz / 2, hi = n / 20.0 / hz / 2 + 0.5 / hz;
    double se = n / 20.0 / hz / sqrt(12.0 * k);
    double mean = sim_hist_mean(s) / 1e9;
    CU_ASSERT(mean >= lo - 4.5 * se && mean <= hi + 4.5 * se);
    /* Nothing came near the time limit: no fast cycle ran. */
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_time_limit_hits"), 0);
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_fast_cycles"), 0);
    world_clear(&w);
}

/* The sample algorithm (Redis <= 5) on the same keyspace has a tail the
 * scan cannot have: its max slack exceeds the scan's one-sweep bound
 * (P(a given key survives 2 sweeps of draws) = e^-2 per key, so among 200
 * keys some do with probability 1 - (1 - e^-2)^200 > 1 - 1e-12). */
static void test_sample_tail_exceeds_one_sweep(void)
{
    uint32_t n = 3000, k = 200;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    c.expire_scan = FALSE;
    world w;
    world_init(&w, 23, &c, n);
    connect_range(&w, 0, n);
    for (uint32_t i = 0; i < k; i++) sim_at(w.ctx, sim_time_from_sec(10 + 0.5 * i), crash_ev, w.p, i);
    double bound = ((n + 5 * sqrt((double)n)) / 20.0 + 2) / c.expire_hz;
    sim_run_until(w.ctx, sim_time_from_sec(10 + 0.5 * k + 65 + 40 * bound));
    CU_ASSERT_EQUAL(presence_detected(w.p), k);
    CU_ASSERT(sim_hist_max(presence_slack_hist(w.p)) > sim_time_from_sec(bound));
    world_clear(&w);
}

/* active-expire-effort derives Redis 7.0's parameters (expire.c): keys
 * per loop 20 + 20/4 (e-1), slow CPU 25 + 2(e-1) %, acceptable stale
 * 10 - (e-1) %, fast cycle 1000 + 1000/4 (e-1) us; "sample" keeps Redis
 * 5's 20 keys, 25% and 25%; an explicit key overrides. */
static void test_expire_effort_parameters(void)
{
    presence_config c;
    presence_config_init(&c);
    presence_expire ex;
    presence_expire_params(&c, &ex);
    CU_ASSERT_EQUAL(c.expire_effort, 1);
    CU_ASSERT_EQUAL(ex.keys_per_loop, 20);
    CU_ASSERT_DOUBLE_EQUAL(ex.stale_pct, 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(ex.time_limit_pct, 25, 0);
    CU_ASSERT_EQUAL(ex.fast_duration_us, 1000);
    c.expire_effort = 10;
    presence_expire_params(&c, &ex);
    CU_ASSERT_EQUAL(ex.keys_per_loop, 65);
    CU_ASSERT_DOUBLE_EQUAL(ex.stale_pct, 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(ex.time_limit_pct, 43, 0);
    CU_ASSERT_EQUAL(ex.fast_duration_us, 3250);
    c.expire_stale_pct = 4;
    presence_expire_params(&c, &ex);
    CU_ASSERT_DOUBLE_EQUAL(ex.stale_pct, 4, 0);
    c.expire_scan = FALSE;
    c.expire_stale_pct = 0;
    presence_expire_params(&c, &ex);
    CU_ASSERT_EQUAL(ex.keys_per_loop, 20);
    CU_ASSERT_DOUBLE_EQUAL(ex.stale_pct, 25, 0);
    CU_ASSERT_DOUBLE_EQUAL(ex.time_limit_pct, 25, 0);
    CU_ASSERT_EQUAL(ex.fast_duration_us, 0);
}

/* The fast cycle: once a slow cycle stops on its time limit, beforeSleep
 * runs a fast cycle (limit 1000 us at effort 1) no sooner than 2 x 1000 us
 * after the previous one's start, for as long as each one hits its limit.
 * Every key stale at 4 us a key: a loop samples 20-25 keys (+ 1/20 of a
 * key per bucket), so the first check, after 16 loops, finds 1.3-1.7 ms
 * spent: every fast cycle stops there, and they start exactly 2 ms apart.
 * The slow cycle (1 Hz, limit 250 ms) hands over at about +250 ms; in
 * [+300 ms, +700 ms) there are 200 fast cycles (+-1 for the edges). */
static void test_fast_cycle_after_time_limit(void)
{
    uint32_t n = 200000;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    c.expire_hz = 1;
    c.heartbeat_s = 0.001;
    c.ttl_s = 0.002;
    c.expire_sample_cost_s = 4e-6;
    world w;
    world_init(&w, 17, &c, n);
    connect_range(&w, 0, n);
    for (uint32_t u = 0; u < n; u++) presence_crash(w.p, u);
    /* The slow cycle's phase is random in [0, 1 s): find it, then count. */
    sim_time t = 0;
    while (summary_num(w.p, "expire_cycles") == 0) { t += SIM_MS; sim_run_until(w.ctx, t); }
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_fast_cycles"), 0);
    sim_time t0 = t + 300 * SIM_MS;
    sim_run_until(w.ctx, t0);
    double f0 = summary_num(w.p, "expire_fast_cycles");
    sim_run_until(w.ctx, t0 + 400 * SIM_MS);
    double f1 = summary_num(w.p, "expire_fast_cycles");
    CU_ASSERT(fabs(f1 - f0 - 200) <= 1);
    CU_ASSERT(presence_stale_keys(w.p) > 0);   /* work left: every cycle hit its limit */
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_time_limit_hits"), summary_num(w.p, "expire_cycles"));
    world_clear(&w);
}

/* A clean disconnect DELs at once: the key is gone immediately and nothing
 * is ever counted as a crash or a detection. */
static void test_clean_disconnect(void)
{
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 1;           /* user 0 individual, user 1 aggregated */
    world w;
    world_init(&w, 13, &c, 2);
    connect_range(&w, 0, 2);
    sim_run_until(w.ctx, 100 * SIM_SEC);
    CU_ASSERT_EQUAL(presence_keys(w.p), 2);
    presence_disconnect(w.p, 0);
    presence_disconnect(w.p, 1);
    CU_ASSERT_EQUAL(presence_keys(w.p), 0);
    CU_ASSERT_FALSE(presence_online(w.p, 0));
    CU_ASSERT_FALSE(presence_online(w.p, 1));
    sim_run_until(w.ctx, 400 * SIM_SEC);
    CU_ASSERT_EQUAL(presence_crashes(w.p), 0);
    CU_ASSERT_EQUAL(presence_detected(w.p), 0);
    CU_ASSERT_EQUAL(sim_hist_count(presence_detect_hist(w.p)), 0);
    CU_ASSERT_EQUAL(presence_keys(w.p), 0);
    CU_ASSERT_EQUAL(presence_connected_count(w.p), 0);
    world_clear(&w);
}

typedef struct { presence *p; uint32_t user; int answer; } get_probe;

static void get_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx; (void)arg;
    get_probe *g = data;
    g->answer = presence_online(g->p, g->user);
}

/* Lazy expiry: before ttl - heartbeat the crashed client still looks
 * online; a GET just after ttl finds the key expired, deletes it and says
 * absent, before the active cycle could (1 draw/s from N keys: it hits
 * this key first with probability <= 30 / N). */
static void test_lazy_expiry_on_get(void)
{
    uint32_t n = test_quick() ? 200000 : 1000000;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    c.expire_hz = 1;
    c.expire_keys_per_loop = 1;
    world w;
    world_init(&w, 14, &c, n);
    connect_range(&w, 0, n);
    sim_at(w.ctx, 10 * SIM_SEC, crash_ev, w.p, 5);
    get_probe early = { w.p, 5, -1 }, late = { w.p, 5, -1 };
    sim_at(w.ctx, 10 * SIM_SEC + sim_time_from_sec(c.ttl_s - c.heartbeat_s) - SIM_MS, get_ev, &early, 0);
    sim_at(w.ctx, 10 * SIM_SEC + sim_time_from_sec(c.ttl_s) + SIM_MS, get_ev, &late, 0);
    sim_run_until(w.ctx, 10 * SIM_SEC + sim_time_from_sec(c.ttl_s));
    CU_ASSERT_EQUAL(early.answer, 1);
    CU_ASSERT_EQUAL(presence_keys(w.p), n);          /* expired, still held */
    CU_ASSERT_EQUAL(presence_detected(w.p), 0);
    sim_run_until(w.ctx, 10 * SIM_SEC + sim_time_from_sec(c.ttl_s) + 2 * SIM_MS);
    CU_ASSERT_EQUAL(late.answer, 0);
    CU_ASSERT_EQUAL(presence_keys(w.p), n - 1);
    CU_ASSERT_EQUAL(summary_num(w.p, "detected_lazy"), 1);
    CU_ASSERT(sim_hist_max(presence_detect_hist(w.p)) <= sim_time_from_sec(c.ttl_s) + SIM_MS);
    world_clear(&w);
}

/* Stop rule, part 1: with no expired key a cycle is exactly one loop. */
static void test_cycle_one_loop_when_nothing_expired(void)
{
    for (int scan = 0; scan <= 1; scan++) {
        presence_config c;
        presence_config_init(&c);
        c.expire_scan = scan;
        world w;
        world_init(&w, 15, &c, 1000);
        connect_range(&w, 0, 1000);
        sim_run_until(w.ctx, 100 * SIM_SEC);
        double cycles = summary_num(w.p, "expire_cycles"), loops = summary_num(w.p, "expire_loops");
        CU_ASSERT(cycles >= 999 && cycles <= 1001);
        CU_ASSERT_EQUAL(loops, cycles);
        world_clear(&w);
    }
}

static double binom_tail_above(uint32_t n, double f, uint32_t k)
{
    double below = 0, term = pow(1 - f, n);     /* P(X = 0) */
    for (uint32_t i = 0; i <= k; i++) {
        below += term;
        term *= (double)(n - i) / (i + 1) * f / (1 - f);
    }
    return 1 - below;
}

/* Stop rule, part 2: with a stale fraction f the cycle repeats its loop
 * while a sample of 20 holds more than 5 expired keys (> 25%), so the
 * loops per cycle are geometric with repeat probability
 * q = P(Binomial(20, f) > 5): the total over many cycles matches the sum
 * of 1/(1-q) within 4.5 standard deviations (sum of q/(1-q)^2). A 10%
 * rule (Redis 6) would give several times more loops. */
static void test_cycle_repeats_while_over_25_percent(void)
{
    uint32_t live = test_quick() ? 20000 : 100000, stale = test_quick() ? 6000 : 30000;
    presence_config c;
    presence_config_init(&c);
    c.expire_scan = FALSE;
    c.individual_clients = 0;
    world w;
    world_init(&w, 16, &c, live + stale);
    connect_range(&w, 0, live + stale);
    for (uint32_t u = live; u < live + stale; u++) presence_crash(w.p, u);
    sim_time t = 66 * SIM_SEC;                  /* every crashed key is past its TTL */
    sim_run_until(w.ctx, t);
    double expect = 0, var = 0, loops0 = summary_num(w.p, "expire_loops");
    double cycles0 = summary_num(w.p, "expire_cycles");
    int steps = test_quick() ? 200 : 500;
    for (int i = 0; i < steps; i++) {
        double f = (double)presence_stale_keys(w.p) / (double)presence_keys(w.p);
        double q = binom_tail_above(20, f, 5);
        expect += 1 / (1 - q);
        var += q / ((1 - q) * (1 - q));
        t += SIM_SEC / c.expire_hz;
        sim_run_until(w.ctx, t);
    }
    double loops = summary_num(w.p, "expire_loops") - loops0;
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_cycles") - cycles0, steps);
    CU_ASSERT(fabs(loops - expect) <= 4.5 * sqrt(var));
    world_clear(&w);
}

/* P(Binomial(n, f) >= 3). */
static double binom_at_least_3(uint32_t n, double f)
{
    double p0 = pow(1 - f, n), p1 = n * f * pow(1 - f, n - 1), p2 = n * (n - 1) / 2.0 * f * f * pow(1 - f, n - 2);
    return 1 - p0 - p1 - p2;
}

/* Redis 7's stop rule: repeat while expired * 100 / sampled > 10, in
 * integers. A loop samples 20 to 25 keys (it stops at the bucket that
 * reaches 20; at a load of 0.76 a bucket of 8 or more keys has probability
 * < 1e-5), and for n in [20, 27] the rule repeats exactly when 3 or more
 * expired. With a stale share f the loops per cycle are geometric with
 * q = P(Bin(n, f) >= 3), q rising with n, so the total lies between the
 * sums of 1/(1 - q) at n = 20 and n = 27, within 4.5 sd (sum of
 * q/(1-q)^2 at n = 27). Redis 5's 25% rule would give about
 * 1.04 loops a cycle at f = 12%, far below. */
static void test_scan_repeats_while_over_10_percent(void)
{
    uint32_t live = test_quick() ? 22000 : 88000, stale = test_quick() ? 3000 : 12000;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    world w;
    world_init(&w, 16, &c, live + stale);
    connect_range(&w, 0, live + stale);
    for (uint32_t u = live; u < live + stale; u++) presence_crash(w.p, u);
    sim_time t = 66 * SIM_SEC;
    sim_run_until(w.ctx, t);
    double lo = 0, hi = 0, var = 0, loops0 = summary_num(w.p, "expire_loops");
    int steps = test_quick() ? 100 : 300;
    for (int i = 0; i < steps; i++) {
        double f = (double)presence_stale_keys(w.p) / (double)presence_keys(w.p);
        double q20 = binom_at_least_3(20, f), q27 = binom_at_least_3(27, f);
        lo += 1 / (1 - q20);
        hi += 1 / (1 - q27);
        var += q27 / ((1 - q27) * (1 - q27));
        t += SIM_SEC / c.expire_hz;
        sim_run_until(w.ctx, t);
    }
    double loops = summary_num(w.p, "expire_loops") - loops0;
    CU_ASSERT(loops >= lo - 4.5 * sqrt(var) && loops <= hi + 4.5 * sqrt(var));
    CU_ASSERT(loops > 1.5 * steps);
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_time_limit_hits"), 0);
    world_clear(&w);
}

/* Time limit: with every key expired the loop would run until the
 * keyspace is empty, but Redis checks the elapsed time every 16 loops and
 * stops once over time_limit_pct of the period: 20 keys x 100 us = 2 ms a
 * loop, limit 250 ms (hz 1) -> first check over the limit at loop 128. */
static void test_cycle_time_limit(void)
{
    presence_config c;
    presence_config_init(&c);
    c.expire_scan = FALSE;
    c.individual_clients = 0;
    c.expire_hz = 1;
    c.heartbeat_s = 0.001;
    c.ttl_s = 0.002;
    c.expire_sample_cost_s = 1e-4;
    world w;
    world_init(&w, 17, &c, 5000);
    connect_range(&w, 0, 5000);
    for (uint32_t u = 0; u < 5000; u++) presence_crash(w.p, u);
    sim_run_until(w.ctx, 2 * SIM_MS);
    /* Precondition for this seed: the first cycle comes after all expiries. */
    CU_ASSERT_EQUAL_FATAL(summary_num(w.p, "expire_cycles"), 0);
    sim_run_until(w.ctx, SIM_SEC);
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_cycles"), 1);
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_loops"), 128);
    CU_ASSERT_EQUAL(summary_num(w.p, "expire_time_limit_hits"), 1);
    CU_ASSERT_EQUAL(presence_detected(w.p), 128 * 20);
    CU_ASSERT_EQUAL(presence_stale_keys(w.p), 5000 - 128 * 20);
    world_clear(&w);
}

/* Individually simulated heartbeats: with random phases each client sends
 * 10 or 11 SETEX in 315 s (Bernoulli 1/2 each), so the total is within
 * 4.5 sd of n T / heartbeat_s; every one is one Redis command. */
static void test_heartbeat_rate_individual(void)
{
    uint32_t n = test_quick() ? 500 : 2000;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = n;
    world w;
    world_init(&w, 18, &c, n);
    connect_range(&w, 0, n);
    sim_run_until(w.ctx, 315 * SIM_SEC);
    double hb = (double)presence_heartbeats(w.p);
    CU_ASSERT(fabs(hb - n * 315.0 / 30.0) <= 4.5 * sqrt(n * 0.25));
    CU_ASSERT_DOUBLE_EQUAL(redis_ops_total(w.redis), hb, 1e-9);
    CU_ASSERT_EQUAL(presence_keys(w.p), n);
    CU_ASSERT_EQUAL(summary_num(w.p, "false_expiries"), 0);
    world_clear(&w);
}

/* Aggregated heartbeats: background SETEX/s = connected / heartbeat_s,
 * heartbeats counted = n T / heartbeat_s, and Redis's utilization equals
 * the offered work exactly (SETEX cost x rate + the expire cycles' CPU). */
static void test_heartbeat_rate_aggregated_and_redis_load(void)
{
    uint32_t n = 100000;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    world w;
    world_init(&w, 19, &c, n);
    connect_range(&w, 0, n);
    CU_ASSERT_DOUBLE_EQUAL(redis_background_ops_per_sec(w.redis), n / 30.0, 1e-6);
    double T = 300;
    sim_run_until(w.ctx, sim_time_from_sec(T));
    CU_ASSERT(llabs((long long)presence_heartbeats(w.p) - (long long)(n * T / 30.0)) <= 1);
    CU_ASSERT_DOUBLE_EQUAL(redis_ops_total(w.redis), n * T / 30.0, 1e-3);
    /* The scan's cycles cost each sampled key and 1/20 of that per bucket. */
    double cycle_work = (summary_num(w.p, "expire_keys_sampled") + summary_num(w.p, "expire_buckets") / 20)
                        * c.expire_sample_cost_s;
    double expect = (n / 30.0 * T * redis_request_cost_s(w.redis, 1) + cycle_work) / T;
    CU_ASSERT_DOUBLE_EQUAL(redis_utilization(w.redis), expect, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(redis_offered_load(w.redis), expect, 1e-9);
    world_clear(&w);
}

/* The crash process: each connected client crashes at crash_per_hour, so
 * of n clients n (1 - exp(-rT)) crash in T (sd <= sqrt of that). */
static void test_crash_process_rate(void)
{
    uint32_t n = 10000;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    c.crash_per_hour = 0.36;
    world w;
    world_init(&w, 20, &c, n);
    connect_range(&w, 0, n);
    double T = 600;
    sim_run_until(w.ctx, sim_time_from_sec(T));
    double expect = n * (1 - exp(-c.crash_per_hour / 3600 * T));
    CU_ASSERT(fabs((double)presence_crashes(w.p) - expect) <= 4.5 * sqrt(expect));
    CU_ASSERT_EQUAL(presence_connected_count(w.p), n - presence_crashes(w.p));
    world_clear(&w);
}

/* crash_count: exactly that many connected clients crash, all within the
 * window (none after it). */
static void test_crash_count(void)
{
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 10;
    c.crash_count = 100;
    c.crash_window_s = 50;
    world w;
    world_init(&w, 24, &c, 5000);
    connect_range(&w, 0, 5000);
    sim_run_until(w.ctx, 50 * SIM_SEC);
    CU_ASSERT_EQUAL(presence_crashes(w.p), 100);
    sim_run_until(w.ctx, 500 * SIM_SEC);
    CU_ASSERT_EQUAL(presence_crashes(w.p), 100);
    CU_ASSERT_EQUAL(presence_connected_count(w.p), 4900);
    world_clear(&w);
}

static void connect_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    presence_connect(data, (uint32_t)arg, 1);
}

/* A client back before its old key expired overwrites it with SETEX: the
 * crash is never detected, and is not left pending either. */
static void test_reconnect_before_detection(void)
{
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 1;
    world w;
    world_init(&w, 21, &c, 3);
    connect_range(&w, 0, 3);
    sim_at(w.ctx, 10 * SIM_SEC, crash_ev, w.p, 0);
    sim_at(w.ctx, 10 * SIM_SEC, crash_ev, w.p, 2);
    sim_at(w.ctx, 20 * SIM_SEC, connect_ev, w.p, 0);
    sim_at(w.ctx, 20 * SIM_SEC, connect_ev, w.p, 2);
    sim_run_until(w.ctx, 500 * SIM_SEC);
    CU_ASSERT_EQUAL(presence_crashes(w.p), 2);
    CU_ASSERT_EQUAL(presence_detected(w.p), 0);
    CU_ASSERT_EQUAL(summary_num(w.p, "reconnected_before_detection"), 2);
    CU_ASSERT_EQUAL(summary_num(w.p, "undetected"), 0);
    CU_ASSERT_TRUE(presence_online(w.p, 0));
    CU_ASSERT_TRUE(presence_online(w.p, 2));
    CU_ASSERT_EQUAL(presence_keys(w.p), 3);
    world_clear(&w);
}

/* Watchers reading each key r times a second find an expired key
 * Exp(r) after its TTL (memoryless Poisson reads); the active cycle on a
 * big keyspace rarely wins, so the mean slack is within 4.5 se of 1/r
 * (minus the tiny active hazard). */
static void test_watcher_reads_detect_lazily(void)
{
    uint32_t n = 100000, k = test_quick() ? 100 : 300;
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 0;
    c.reads_per_key_s = 1.0;
    world w;
    world_init(&w, 22, &c, n);
    connect_range(&w, 0, n);
    for (uint32_t i = 0; i < k; i++) sim_at(w.ctx, sim_time_from_sec(10 + i), crash_ev, w.p, i);
    sim_run_until(w.ctx, sim_time_from_sec(10 + k + 65 + 60));
    CU_ASSERT_EQUAL(presence_detected(w.p), k);
    double active_rate = c.expire_hz * (1 - pow(1 - 1.0 / n, 20));
    double mean_theory = 1.0 / (c.reads_per_key_s + active_rate);
    double mean = sim_hist_mean(presence_slack_hist(w.p)) / 1e9;
    CU_ASSERT(fabs(mean - mean_theory) <= 4.5 * mean_theory / sqrt((double)k));
    CU_ASSERT(summary_num(w.p, "detected_lazy") > summary_num(w.p, "detected_active"));
    /* Their GETs load Redis: n / heartbeat + n reads per second. */
    CU_ASSERT_DOUBLE_EQUAL(redis_background_ops_per_sec(w.redis), (n - k) * (1 / 30.0 + 1.0), 1e-6);
    world_clear(&w);
}

static char *run_summary(uint64_t seed, gboolean scan)
{
    presence_config c;
    presence_config_init(&c);
    c.expire_scan = scan;
    c.individual_clients = 50;
    c.crash_per_hour = 20;
    c.reconnect_s = 60;
    c.reads_per_key_s = 0.01;
    world w;
    world_init(&w, seed, &c, 500);
    connect_range(&w, 0, 500);
    sim_run_until(w.ctx, 600 * SIM_SEC);
    cJSON *j = presence_summary_json(w.p);
    cJSON_AddItemToObject(j, "redis", redis_summary_json(w.redis));
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    world_clear(&w);
    return s;
}

/* Same seed, same bytes (crashes, reconnects, reads, both kinds of
 * clients, both expiry algorithms); another seed, other numbers. */
static void test_deterministic(void)
{
    for (int scan = 0; scan <= 1; scan++) {
        char *a = run_summary(5, scan), *b = run_summary(5, scan), *d = run_summary(6, scan);
        CU_ASSERT_STRING_EQUAL(a, b);
        CU_ASSERT_STRING_NOT_EQUAL(a, d);
        free(a); free(b); free(d);
    }
}

static uint64_t crashes_with_reads(double reads)
{
    presence_config c;
    presence_config_init(&c);
    c.individual_clients = 10;
    c.crash_per_hour = 5;
    c.reads_per_key_s = reads;
    world w;
    world_init(&w, 9, &c, 2000);
    connect_range(&w, 0, 2000);
    sim_run_until(w.ctx, 300 * SIM_SEC);
    uint64_t n = presence_crashes(w.p);
    world_clear(&w);
    return n;
}

/* Each random process has its own stream: turning watchers' reads on
 * changes detection, not which clients crash (common random numbers). */
static void test_streams_independent(void)
{
    uint64_t a = crashes_with_reads(0.0), b = crashes_with_reads(0.5);
    CU_ASSERT(a > 0);
    CU_ASSERT_EQUAL(a, b);
}

/* The "presence" subtree: defaults load; ttl must exceed the heartbeat;
 * range errors name the key on one line. */
static void test_scenario_keys(void)
{
    cJSON *defs = cJSON_CreateObject();
    cJSON_AddItemToObject(defs, "presence", presence_defaults());
    GError *err = NULL;
    presence_config c;
    sim_scenario *sc = sim_scenario_from_defaults("t", defs);
    CU_ASSERT_TRUE(presence_config_from_scenario(sc, &c, &err));
    CU_ASSERT_DOUBLE_EQUAL(c.heartbeat_s, 30, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.ttl_s, 65, 0);
    CU_ASSERT_EQUAL(c.expire_keys_per_loop, 0);     /* derived: */
    presence_expire ex;
    presence_expire_params(&c, &ex);
    CU_ASSERT_EQUAL(ex.keys_per_loop, 20);
    CU_ASSERT_TRUE(c.expire_scan);
    sim_scenario_free(sc);
    const char *bad[][2] = {
        { "{\"presence\":{\"ttl_s\":30}}", "presence.ttl_s" },
        { "{\"presence\":{\"heartbeat_s\":-1}}", "presence.heartbeat_s" },
        { "{\"presence\":{\"expire\":{\"hz\":0}}}", "presence.expire.hz" },
        { "{\"presence\":{\"expire\":{\"algorithm\":\"lru\"}}}", "presence.expire.algorithm" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        sc = sim_scenario_load_string(bad[i][0], "x.json", defs, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        CU_ASSERT_FALSE(presence_config_from_scenario(sc, &c, &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, bad[i][1]));
        g_clear_error(&err);
        sim_scenario_free(sc);
    }
    cJSON_Delete(defs);
}

/* ------------------------------------------------ store "db_rows" */

/* 20,000 users, 15,000 connected, 100 crashes in the first 60 s, presence
 * in `store` with the extra keys `extra` (JSON members, may be ""). */
static cJSON *db_run(const char *store, const char *extra)
{
    char *text = g_strdup_printf("{\"duration_s\": 240, \"workload\": {\"users\": 20000, \"online_fraction\": 0.75, \"workspaces\": 0,"
                                 " \"channels_per_user\": 0.5, \"channel_max\": 2000, \"rate_per_sec\": 50, \"daily_curve\": false},"
                                 " \"presence\": {\"store\": \"%s\", \"crash_count\": 100, \"crash_window_s\": 60%s}}", store, extra);
    cJSON *s = test_summary_of(text, 3);
    g_free(text);
    return s;
}

static const cJSON *jobj(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    return b ? cJSON_GetObjectItemCaseSensitive(x, b) : x;
}

/* Heartbeats UPDATE rows: connected / heartbeat_s writes per second (the
 * issue's figure), none of presence's load on Redis; every crash is
 * detected by a cleanup job, within [ttl - heartbeat, ttl + interval +
 * the job's time]; the shared writers carry the writes. */
static void test_db_rows_write_load_and_detection(void)
{
    cJSON *r = db_run("redis_ttl", ""), *d = db_run("db_rows", ", \"cleanup_interval_s\": 20");
    CU_ASSERT_FATAL(r != NULL && d != NULL);
    const cJSON *db = jobj(d, "presence", "db");
    CU_ASSERT_FATAL(db != NULL);
    CU_ASSERT(jobj(r, "presence", "db") == NULL);
    double connected0 = 15000, crashes = test_jnum(d, "presence", "crashes");
    /* connected falls from 15,000 by the crashes, uniform over the first 60 s of 240: on average 7/8 of them gone */
    double hb = test_jnum(db, "heartbeat_writes_per_sec", NULL), expect = (connected0 - crashes * 0.875) / 30.0;
    CU_ASSERT(fabs(hb - expect) <= 0.02 * expect);
    CU_ASSERT_EQUAL(test_jnum(d, "presence", "detected"), crashes);
    const cJSON *delay = jobj(d, "presence", "detect_delay_s");
    double job_max = test_jnum(db, "cleanup_s", "max");
    CU_ASSERT(test_jnum(delay, "max", NULL) <= 65 + 20 + job_max + 1e-6);
    CU_ASSERT(test_jnum(delay, "p50", NULL) >= 65 - 30);
    CU_ASSERT(test_jnum(db, "cleanup_runs", NULL) >= 11 && test_jnum(db, "cleanup_runs", NULL) <= 12);
    /* the cleanup reads every row: about the connected count per run */
    CU_ASSERT(test_jnum(db, "cleanup_rows_scanned", NULL) / test_jnum(db, "cleanup_runs", NULL) > 0.9 * (connected0 - crashes));
    /* Redis serves no presence: its background rate is gone */
    CU_ASSERT(test_jnum(r, "redis", "background_ops_per_sec") > 400);
    CU_ASSERT_EQUAL(test_jnum(d, "redis", "background_ops_per_sec"), 0);
    /* the message writers' queue took every presence write */
    double arrivals = test_jnum(jobj(d, "postgres", "station"), "arrivals", NULL);
    CU_ASSERT(arrivals >= test_jnum(d, "messages", "persisted") + test_jnum(db, "writes", NULL));
    cJSON_Delete(r);
    cJSON_Delete(d);
}

/* Its own pool leaves the message writers exactly as with Redis (their
 * service draws and arrivals are the same), and carries the writes. */
static void test_db_rows_own_pool(void)
{
    cJSON *r = db_run("redis_ttl", ""), *d = db_run("db_rows", ", \"db_pool\": 8");
    CU_ASSERT_FATAL(r != NULL && d != NULL);
    const cJSON *db = jobj(d, "presence", "db");
    CU_ASSERT_EQUAL(test_jnum(db, "pool_writers", NULL), 8);
    CU_ASSERT(test_jnum(db, "pool_utilization", NULL) > 0);
    CU_ASSERT_EQUAL(test_jnum(jobj(d, "latency_ms", "persist"), "p99", NULL), test_jnum(jobj(r, "latency_ms", "persist"), "p99", NULL));
    CU_ASSERT_EQUAL(test_jnum(jobj(d, "postgres", "station"), "arrivals", NULL),
                    test_jnum(jobj(r, "postgres", "station"), "arrivals", NULL));
    cJSON_Delete(r);
    cJSON_Delete(d);
}

void test_presence_register(void)
{
    TEST_SUITE("presence",
               TEST(test_db_rows_write_load_and_detection), TEST(test_db_rows_own_pool),
               TEST(test_detection_delay_bounds),
               TEST(test_active_cycle_slack_on_aggregated_keyspace),
               TEST(test_scan_slack_bounded_by_one_sweep),
               TEST(test_sample_tail_exceeds_one_sweep),
               TEST(test_expire_effort_parameters),
               TEST(test_fast_cycle_after_time_limit),
               TEST(test_clean_disconnect),
               TEST(test_lazy_expiry_on_get),
               TEST(test_cycle_one_loop_when_nothing_expired),
               TEST(test_cycle_repeats_while_over_25_percent),
               TEST(test_scan_repeats_while_over_10_percent),
               TEST(test_cycle_time_limit),
               TEST(test_heartbeat_rate_individual),
               TEST(test_heartbeat_rate_aggregated_and_redis_load),
               TEST(test_crash_process_rate),
               TEST(test_crash_count),
               TEST(test_reconnect_before_detection),
               TEST(test_watcher_reads_detect_lazily),
               TEST(test_deterministic),
               TEST(test_streams_independent),
               TEST(test_scenario_keys));
}
