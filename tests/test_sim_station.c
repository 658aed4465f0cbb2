/* sim_station: the Erlang-C formula matches known values (also for c = 1000);
 * simulated M/M/c waits, utilization and queue length (Little's law) match
 * theory within 99% Student-t confidence intervals across independent
 * replications; M/M/1/K loses the fraction of arrivals the formula says,
 * under both drop policies; jobs start first-in first-out, also when the
 * queue's ring buffer wraps and grows; the time averages are exact on a
 * hand-computed schedule; the same seed gives the same report. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "sim/sim_station.h"
#include "sim/sim_stats.h"

/* ------------------------------------------------------------ formulas */

static void test_erlang_c_known_values(void)
{
    /* Exact values from the textbook sum formula evaluated in rationals. */
    static const struct { unsigned c; double lambda, mu, want; } t[] = {
        { 1, 0.9, 1.0, 0.9 },                  /* M/M/1: C = rho */
        { 2, 1.0, 1.0, 1.0 / 3.0 },
        { 8, 4.0, 1.0, 0.059043994695266104 },
        { 11, 10.0, 1.0, 0.6821182046893324 },
        { 50, 45.0, 1.0, 0.3638644672069884 },
        { 100, 9.5, 0.1, 0.5064568539130206 }, /* a = 95 Erlangs */
        { 1000, 950.0, 1.0, 0.06825341537714143 },
        { 1000, 990.0, 1.0, 0.6590804218808545 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        double got = sim_erlang_c(t[i].c, t[i].lambda, t[i].mu);
        CU_ASSERT_DOUBLE_EQUAL(got, t[i].want, 1e-12 * t[i].want + 1e-15);
        double wq = sim_mmc_mean_wait(t[i].c, t[i].lambda, t[i].mu);
        CU_ASSERT_DOUBLE_EQUAL(wq, t[i].want / (t[i].c * t[i].mu - t[i].lambda), 1e-12 * wq);
    }
    CU_ASSERT_DOUBLE_EQUAL(sim_mmc_mean_wait(1, 0.9, 1.0), 9.0, 1e-12);
    CU_ASSERT_EQUAL(sim_erlang_c(3, 0.0, 1.0), 0.0);
    CU_ASSERT_TRUE(isinf(sim_mmc_mean_wait(2, 2.0, 1.0)));   /* rho = 1: unstable */
    CU_ASSERT_TRUE(isinf(sim_mmc_mean_wait(1, 5.0, 1.0)));
}

/* ----------------------------------------------------- M/M/c harness */

typedef struct {
    sim_station *st;
    sim_dist gap;      /* interarrival, seconds */
    sim_rng rng;
    uint64_t next_job;
} source;

static void arrive(sim_ctx *ctx, void *data, uint64_t arg)
{
    source *src = data;
    (void)arg;
    sim_station_submit(src->st, src->next_job++);
    sim_after(ctx, sim_time_from_sec(sim_dist_sample(&src->gap, &src->rng)), arrive, src, 0);
}

typedef struct {
    double wait_s, util, mean_queue, loss, arrival_rate;
} mmc_result;

/* One replication of M/M/c/K: warm up for `warm` s, then observe for `len` s. */
static mmc_result run_mmc(unsigned c, double lambda, double mu, uint64_t capacity, sim_drop_policy drop,
                          uint64_t seed, double warm, double len)
{
    sim_ctx *ctx = sim_ctx_new(seed);
    sim_station_config cfg = { .name = "mmc", .servers = c, .capacity = capacity, .drop = drop };
    sim_dist_init_exponential(&cfg.service, 1.0 / mu);
    source src = { 0 };
    src.st = sim_station_new(ctx, &cfg, NULL, NULL, NULL);
    sim_dist_clear(&cfg.service);
    sim_dist_init_exponential(&src.gap, 1.0 / lambda);
    sim_ctx_stream(ctx, "arrivals", &src.rng);
    sim_at(ctx, 0, arrive, &src, 0);
    sim_run_until(ctx, sim_time_from_sec(warm));
    sim_station_reset_stats(src.st);
    sim_run_until(ctx, sim_time_from_sec(warm + len));
    mmc_result r;
    r.wait_s = sim_hist_mean(sim_station_wait_hist(src.st)) / 1e9;
    r.util = sim_station_utilization(src.st);
    r.mean_queue = sim_station_mean_queue(src.st);
    uint64_t a = sim_station_arrivals(src.st);
    r.loss = a ? (double)sim_station_dropped(src.st) / (double)a : 0;
    r.arrival_rate = (double)a / len;
    sim_station_free(src.st);
    sim_dist_clear(&src.gap);
    sim_ctx_free(ctx);
    return r;
}

/* TRUE if `theory` lies in the 99% CI of x[0..n); prints the case if not. */
static int in_ci99(const char *what, const double *x, size_t n, double theory)
{
    double mean, hw;
    sim_ci_mean(x, n, 0.99, &mean, &hw);
    int ok = fabs(mean - theory) <= hw;
    if (!ok) fprintf(stderr, "\n%s: theory %g outside %g +- %g (n=%zu)\n", what, theory, mean, hw, n);
    return ok;
}

static void check_mmc(unsigned c, double rho)
{
    const double mu = 1.0, lambda = rho * c * mu;
    /* Length in units of the M/M/c relaxation time ~ 1/(mu (1-sqrt rho)^2),
     * so every case is equally far from its start-up transient. */
    double relax = 1.0 / (mu * (1 - sqrt(rho)) * (1 - sqrt(rho)));
    double warm = 5 * relax, len = (test_quick() ? 15 : 150) * relax;
    size_t reps = test_quick() ? 10 : 20;
    double w[20], u[20], q[20];
    for (size_t r = 0; r < reps; r++) {
        mmc_result res = run_mmc(c, lambda, mu, 0, SIM_DROP_TAIL, 1000 * c + r, warm, len);
        w[r] = res.wait_s;
        u[r] = res.util;
        q[r] = res.mean_queue;
    }
    char what[64];
    double wq = sim_mmc_mean_wait(c, lambda, mu);
    g_snprintf(what, sizeof what, "M/M/%u rho=%.2f mean wait", c, rho);
    CU_ASSERT_TRUE(in_ci99(what, w, reps, wq));
    g_snprintf(what, sizeof what, "M/M/%u rho=%.2f utilization", c, rho);
    CU_ASSERT_TRUE(in_ci99(what, u, reps, rho));
    /* The time-average queue against Little's law Lq = lambda Wq. */
    g_snprintf(what, sizeof what, "M/M/%u rho=%.2f mean queue", c, rho);
    CU_ASSERT_TRUE(in_ci99(what, q, reps, lambda * wq));
}

static void test_mm1_rho_0_9(void) { check_mmc(1, 0.9); }
static void test_mm2_rho_0_8(void) { check_mmc(2, 0.8); }
static void test_mm4_rho_0_7(void) { check_mmc(4, 0.7); }
static void test_mm8_rho_0_5(void) { check_mmc(8, 0.5); }

/* M/M/1/K: loss probability (1-rho) rho^K / (1 - rho^(K+1)) (PASTA). A head
 * drop loses one job per arrival at a full station too, so the same. */
static void check_loss(sim_drop_policy drop)
{
    const unsigned K = 5;
    const double rho = 0.8;
    double want = (1 - rho) * pow(rho, K) / (1 - pow(rho, K + 1));
    size_t reps = test_quick() ? 8 : 12;
    double loss[12];
    for (size_t r = 0; r < reps; r++)
        loss[r] = run_mmc(1, rho, 1.0, K, drop, (drop == SIM_DROP_TAIL ? 500 : 600) + r, 50, test_quick() ? 5000 : 20000).loss;
    CU_ASSERT_TRUE(in_ci99(drop == SIM_DROP_TAIL ? "M/M/1/5 tail-drop loss" : "M/M/1/5 head-drop loss", loss, reps, want));
}

static void test_mm1k_tail_drop_loss(void) { check_loss(SIM_DROP_TAIL); }
static void test_mm1k_head_drop_loss(void) { check_loss(SIM_DROP_HEAD); }

/* ------------------------------------------------- deterministic cases */

typedef struct {
    GArray *done;      /* job tags in completion order */
    GArray *started;   /* start time of each completion */
    GArray *dropped;
    sim_station *st;
    int resubmit;      /* tag offset for a job the callback submits */
} log_t;

static void log_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    log_t *l = user;
    (void)ctx;
    (void)arrived;
    g_array_append_val(l->done, job);
    g_array_append_val(l->started, started);
    if (l->resubmit && job < 100) sim_station_submit_timed(l->st, job + 100, SIM_SEC);
}

static void log_drop(sim_ctx *ctx, void *user, uint64_t job)
{
    log_t *l = user;
    (void)ctx;
    g_array_append_val(l->dropped, job);
}

static sim_station *log_station(sim_ctx *ctx, log_t *l, unsigned c, uint64_t cap, sim_drop_policy drop)
{
    l->done = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    l->started = g_array_new(FALSE, FALSE, sizeof(sim_time));
    l->dropped = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    sim_station_config cfg = { .name = "fifo", .servers = c, .capacity = cap, .drop = drop };
    sim_dist_init_constant(&cfg.service, 1.0);
    l->st = sim_station_new(ctx, &cfg, log_done, log_drop, l);
    sim_dist_clear(&cfg.service);
    return l->st;
}

static void log_clear(log_t *l)
{
    g_array_free(l->done, TRUE);
    g_array_free(l->started, TRUE);
    g_array_free(l->dropped, TRUE);
    sim_station_free(l->st);
}

static uint64_t job_at(GArray *a, guint i) { return g_array_index(a, uint64_t, i); }

typedef struct { sim_station *st; uint64_t job; sim_time service; } timed_arrival;

static void submit_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    timed_arrival *a = (timed_arrival *)data + arg;
    (void)ctx;
    sim_station_submit_timed(a->st, a->job, a->service);
}

static void test_fifo_start_order(void)
{
    /* 3 servers, 2000 jobs with random service times arriving in bursts:
     * the queue wraps and grows, and jobs must start in arrival order. */
    sim_ctx *ctx = sim_ctx_new(3);
    log_t l = { 0 };
    sim_station *st = log_station(ctx, &l, 3, 0, SIM_DROP_TAIL);
    sim_rng rng;
    sim_ctx_stream(ctx, "test", &rng);
    enum { N = 2000 };
    timed_arrival *arr = g_new(timed_arrival, N);
    sim_time t = 0;
    for (uint64_t j = 0; j < N; j++) {
        arr[j] = (timed_arrival){ st, j, (sim_time)(1 + sim_rng_below(&rng, 5000)) };
        if (sim_rng_below(&rng, 10) == 0) t += (sim_time)sim_rng_below(&rng, 100000);
        sim_at(ctx, t, submit_ev, arr, j);
    }
    while (sim_step(ctx)) {}
    CU_ASSERT_EQUAL(l.done->len, N);
    /* started[] is in completion order; map it back to job order. */
    sim_time *start_of = g_new(sim_time, N);
    for (guint i = 0; i < l.done->len; i++) start_of[job_at(l.done, i)] = g_array_index(l.started, sim_time, i);
    int fifo = 1;
    for (uint64_t j = 1; j < N; j++) fifo &= start_of[j] >= start_of[j - 1];
    CU_ASSERT_TRUE(fifo);
    CU_ASSERT_EQUAL(sim_station_in_queue(st), 0);
    CU_ASSERT_EQUAL(sim_station_in_service(st), 0);
    g_free(start_of);
    g_free(arr);
    log_clear(&l);
    sim_ctx_free(ctx);
}

static void test_single_server_completes_in_order(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    log_t l = { 0 };
    sim_station *st = log_station(ctx, &l, 1, 0, SIM_DROP_TAIL);
    for (uint64_t j = 0; j < 300; j++) sim_station_submit(st, j);   /* grows the ring past 64 */
    CU_ASSERT_EQUAL(sim_station_in_queue(st), 299);
    while (sim_step(ctx)) {}
    CU_ASSERT_EQUAL(l.done->len, 300);
    int ordered = 1;
    for (guint i = 0; i < l.done->len; i++) ordered &= job_at(l.done, i) == i;
    CU_ASSERT_TRUE(ordered);
    CU_ASSERT_EQUAL(sim_now(ctx), 300 * SIM_SEC);
    log_clear(&l);
    sim_ctx_free(ctx);
}

/* A job the done callback submits queues behind jobs already waiting. */
static void test_callback_submit_does_not_overtake(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    log_t l = { 0 };
    l.resubmit = 1;
    sim_station *st = log_station(ctx, &l, 1, 0, SIM_DROP_TAIL);
    sim_station_submit(st, 1);
    sim_station_submit(st, 2);
    while (sim_step(ctx)) {}
    static const uint64_t want[] = { 1, 2, 101, 102 };
    CU_ASSERT_EQUAL_FATAL(l.done->len, 4);
    for (guint i = 0; i < 4; i++) CU_ASSERT_EQUAL(job_at(l.done, i), want[i]);
    log_clear(&l);
    sim_ctx_free(ctx);
}

static void test_drop_policies(void)
{
    /* c = 1, capacity 3, five jobs at t = 0: 1 serves, 2 and 3 wait. */
    for (int head = 0; head <= 1; head++) {
        sim_ctx *ctx = sim_ctx_new(1);
        log_t l = { 0 };
        sim_station *st = log_station(ctx, &l, 1, 3, head ? SIM_DROP_HEAD : SIM_DROP_TAIL);
        gboolean accepted[6];
        for (uint64_t j = 1; j <= 5; j++) accepted[j] = sim_station_submit(st, j);
        CU_ASSERT_TRUE(accepted[1] && accepted[2] && accepted[3]);
        CU_ASSERT_EQUAL(accepted[4], head);   /* head drop admits the newcomer */
        CU_ASSERT_EQUAL(accepted[5], head);
        CU_ASSERT_EQUAL(sim_station_dropped(st), 2);
        CU_ASSERT_EQUAL(sim_station_arrivals(st), 5);
        while (sim_step(ctx)) {}
        static const uint64_t tail_done[] = { 1, 2, 3 }, tail_drop[] = { 4, 5 };
        static const uint64_t head_done[] = { 1, 4, 5 }, head_drop[] = { 2, 3 };
        CU_ASSERT_EQUAL_FATAL(l.done->len, 3);
        CU_ASSERT_EQUAL_FATAL(l.dropped->len, 2);
        for (guint i = 0; i < 3; i++) CU_ASSERT_EQUAL(job_at(l.done, i), head ? head_done[i] : tail_done[i]);
        for (guint i = 0; i < 2; i++) CU_ASSERT_EQUAL(job_at(l.dropped, i), head ? head_drop[i] : tail_drop[i]);
        log_clear(&l);
        sim_ctx_free(ctx);
    }
}

/* Hand-computed: c = 1, service 1 s, jobs at t = 0 and 0; observe [0, 4]. */
static void test_time_averages_exact(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    log_t l = { 0 };
    sim_station *st = log_station(ctx, &l, 1, 0, SIM_DROP_TAIL);
    sim_station_submit(st, 1);
    sim_station_submit(st, 2);
    sim_run_until(ctx, 4 * SIM_SEC);
    CU_ASSERT_DOUBLE_EQUAL(sim_station_utilization(st), 0.5, 1e-12);      /* busy [0,2] */
    CU_ASSERT_DOUBLE_EQUAL(sim_station_mean_queue(st), 0.25, 1e-12);      /* 1 waits [0,1] */
    CU_ASSERT_DOUBLE_EQUAL(sim_station_mean_in_system(st), 0.75, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_mean(sim_station_wait_hist(st)), 0.5 * SIM_SEC, 1);
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_mean(sim_station_sojourn_hist(st)), 1.5 * SIM_SEC, 1);
    CU_ASSERT_EQUAL(sim_station_completed(st), 2);
    /* Warm-up removal: statistics restart, state stays. */
    sim_station_submit(st, 3);
    sim_station_submit(st, 4);
    sim_station_reset_stats(st);
    CU_ASSERT_EQUAL(sim_station_arrivals(st), 0);
    CU_ASSERT_EQUAL(sim_hist_count(sim_station_wait_hist(st)), 0);
    CU_ASSERT_EQUAL(sim_station_in_queue(st), 1);
    CU_ASSERT_EQUAL(sim_station_in_service(st), 1);
    sim_run_until(ctx, 8 * SIM_SEC);
    CU_ASSERT_DOUBLE_EQUAL(sim_station_utilization(st), 0.5, 1e-12);
    CU_ASSERT_EQUAL(sim_station_completed(st), 2);
    CU_ASSERT_EQUAL(sim_hist_count(sim_station_wait_hist(st)), 1);        /* only job 4 started after */
    log_clear(&l);
    sim_ctx_free(ctx);
}

static void test_set_servers(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    log_t l = { 0 };
    sim_station *st = log_station(ctx, &l, 1, 0, SIM_DROP_TAIL);
    for (uint64_t j = 0; j < 4; j++) sim_station_submit(st, j);
    sim_station_set_servers(st, 3);             /* two queued jobs start now */
    CU_ASSERT_EQUAL(sim_station_in_service(st), 3);
    CU_ASSERT_EQUAL(sim_station_in_queue(st), 1);
    sim_station_set_servers(st, 1);             /* busy ones finish; none start */
    CU_ASSERT_EQUAL(sim_station_in_service(st), 3);
    sim_run_until(ctx, SIM_SEC);
    CU_ASSERT_EQUAL(sim_station_completed(st), 3);
    CU_ASSERT_EQUAL(sim_station_in_service(st), 1);
    CU_ASSERT_EQUAL(sim_station_in_queue(st), 0);
    sim_run_until(ctx, 2 * SIM_SEC);
    CU_ASSERT_EQUAL(sim_station_completed(st), 4);
    /* Utilization is against the time-averaged server count: 4 busy-seconds
     * over (3 servers x 1 s + 1 server x 1 s). */
    CU_ASSERT_DOUBLE_EQUAL(sim_station_utilization(st), 1.0, 1e-12);
    log_clear(&l);
    sim_ctx_free(ctx);
}

static char *mm2_report(uint64_t seed)
{
    sim_ctx *ctx = sim_ctx_new(seed);
    sim_station_config cfg = { .name = "det", .servers = 2 };
    sim_dist_init_exponential(&cfg.service, 1.0);
    source src = { 0 };
    src.st = sim_station_new(ctx, &cfg, NULL, NULL, NULL);
    sim_dist_clear(&cfg.service);
    sim_dist_init_exponential(&src.gap, 1.0 / 1.5);
    sim_ctx_stream(ctx, "arrivals", &src.rng);
    sim_at(ctx, 0, arrive, &src, 0);
    sim_run_until(ctx, 2000 * SIM_SEC);
    /* No CUnit assertions here: this also runs on other threads. */
    cJSON *j = sim_station_to_json(src.st);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    sim_station_free(src.st);
    sim_dist_clear(&src.gap);
    sim_ctx_free(ctx);
    return s;
}

static void test_same_seed_same_report(void)
{
    char *a = mm2_report(42), *b = mm2_report(42), *c = mm2_report(43);
    cJSON *j = cJSON_Parse(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(j, "wait_ms"));
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(j, "sojourn_ms"));
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(j, "utilization"));
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(j, "name")), "det");
    cJSON_Delete(j);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, c);
    cJSON_free(a);
    cJSON_free(b);
    cJSON_free(c);
}

static gpointer mm2_thread(gpointer seed)
{
    return mm2_report(GPOINTER_TO_UINT(seed));
}

/* No hidden shared state: two runs on two threads at once give the bytes
 * each gives alone. */
static void test_two_threads_same_results(void)
{
    char *alone7 = mm2_report(7), *alone8 = mm2_report(8);
    GThread *a = g_thread_new("a", mm2_thread, GUINT_TO_POINTER(7));
    GThread *b = g_thread_new("b", mm2_thread, GUINT_TO_POINTER(8));
    char *ra = g_thread_join(a), *rb = g_thread_join(b);
    CU_ASSERT_STRING_EQUAL(ra, alone7);
    CU_ASSERT_STRING_EQUAL(rb, alone8);
    cJSON_free(alone7);
    cJSON_free(alone8);
    cJSON_free(ra);
    cJSON_free(rb);
}

/* A pool of two stations fed Poisson arrivals (one M/M/1, one M/M/2):
 * its sums, means and maxima are those of the stations' own objects, its
 * merged wait histogram counts every started job, and Little's law holds
 * on the pool; an empty pool reports zeros. */
static void test_pool_json(void)
{
    sim_ctx *ctx = sim_ctx_new(5);
    source src[2] = { { 0 }, { 0 } };
    for (int i = 0; i < 2; i++) {
        sim_station_config cfg = { .name = i ? "pool.1" : "pool.0", .servers = (unsigned)i + 1 };
        sim_dist_init_exponential(&cfg.service, 0.01);
        src[i].st = sim_station_new(ctx, &cfg, NULL, NULL, NULL);
        sim_dist_clear(&cfg.service);
        sim_dist_init_exponential(&src[i].gap, i ? 1.0 / 150 : 1.0 / 60);
        sim_ctx_stream(ctx, i ? "arr.1" : "arr.0", &src[i].rng);
        sim_at(ctx, 0, arrive, &src[i], 0);
    }
    sim_run_until(ctx, sim_time_from_sec(200));
    const sim_station *st[2] = { src[0].st, src[1].st };
    cJSON *p = sim_station_pool_to_json(st, 2, TRUE), *a = sim_station_to_json(st[0]), *b = sim_station_to_json(st[1]);
#define NUM(o, k) cJSON_GetObjectItemCaseSensitive(o, k)->valuedouble
    CU_ASSERT_EQUAL(NUM(p, "instances"), 2);
    CU_ASSERT_EQUAL(NUM(p, "servers"), 3);
    CU_ASSERT_EQUAL(NUM(p, "arrivals"), NUM(a, "arrivals") + NUM(b, "arrivals"));
    CU_ASSERT_EQUAL(NUM(p, "completed"), NUM(a, "completed") + NUM(b, "completed"));
    CU_ASSERT_DOUBLE_EQUAL(NUM(p, "mean_in_system"), NUM(a, "mean_in_system") + NUM(b, "mean_in_system"), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(NUM(p, "mean_queue"), NUM(a, "mean_queue") + NUM(b, "mean_queue"), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(NUM(p, "utilization"), (NUM(a, "utilization") + NUM(b, "utilization")) / 2, 1e-12);
    CU_ASSERT_EQUAL(NUM(p, "utilization_max"), fmax(NUM(a, "utilization"), NUM(b, "utilization")));
    CU_ASSERT_EQUAL(NUM(p, "hot_instance"), NUM(a, "utilization") >= NUM(b, "utilization") ? 0 : 1);
    CU_ASSERT_EQUAL(NUM(p, "p_wait_max"), fmax(NUM(a, "p_wait"), NUM(b, "p_wait")));
    CU_ASSERT_EQUAL(NUM(p, "mean_in_system_max"), fmax(NUM(a, "mean_in_system"), NUM(b, "mean_in_system")));
    double na = NUM(cJSON_GetObjectItemCaseSensitive(a, "wait_ms"), "count"), nb = NUM(cJSON_GetObjectItemCaseSensitive(b, "wait_ms"), "count");
    CU_ASSERT_EQUAL(NUM(cJSON_GetObjectItemCaseSensitive(p, "wait_ms"), "count"), na + nb);
    CU_ASSERT_DOUBLE_EQUAL(NUM(p, "p_wait"), (NUM(a, "p_wait") * na + NUM(b, "p_wait") * nb) / (na + nb), 1e-12);
    CU_ASSERT(NUM(p, "p_wait") > 0.1);   /* rho 0.6 and 0.75: waits happen */
    double L = NUM(p, "mean_in_system"), W = NUM(cJSON_GetObjectItemCaseSensitive(p, "sojourn_ms"), "mean") / 1e3;
    CU_ASSERT(fabs(L - NUM(p, "arrival_rate_per_s") * W) <= 0.01 * L);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "by_instance")), 2);
    cJSON *e = sim_station_pool_to_json(NULL, 0, FALSE);
    CU_ASSERT_EQUAL(NUM(e, "instances"), 0);
    CU_ASSERT_EQUAL(NUM(e, "arrivals"), 0);
    CU_ASSERT_EQUAL(NUM(e, "utilization"), 0);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(e, "by_instance"));
#undef NUM
    cJSON_Delete(e); cJSON_Delete(p); cJSON_Delete(a); cJSON_Delete(b);
    for (int i = 0; i < 2; i++) { sim_station_free(src[i].st); sim_dist_clear(&src[i].gap); }
    sim_ctx_free(ctx);
}

void test_sim_station_register(void)
{
    TEST_SUITE("sim_station",
               TEST(test_erlang_c_known_values),
               TEST(test_pool_json),
               TEST(test_mm1_rho_0_9),
               TEST(test_mm2_rho_0_8),
               TEST(test_mm4_rho_0_7),
               TEST(test_mm8_rho_0_5),
               TEST(test_mm1k_tail_drop_loss),
               TEST(test_mm1k_head_drop_loss),
               TEST(test_fifo_start_order),
               TEST(test_single_server_completes_in_order),
               TEST(test_callback_submit_does_not_overtake),
               TEST(test_drop_policies),
               TEST(test_time_averages_exact),
               TEST(test_set_servers),
               TEST(test_same_seed_same_report),
               TEST(test_two_threads_same_results));
}
