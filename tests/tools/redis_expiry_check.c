/* redis_expiry_check: the presence TTL pattern on a real redis-server and
 * through models/presence.c at the same settings, and whether their
 * crash-detection delays agree.
 *
 * The real run: N keys presence:{i}, each refreshed every hb seconds with
 * PSETEX ttl (uniform phases, as the model's clients connected before the
 * run); K of them, drawn with their crash times (uniform in a window) from
 * a seeded stream, stop being refreshed. A crash is detected when Redis
 * publishes the key's `expired` keyspace event (lazily, on one of the
 * optional watchers' GETs, or by the active expire cycle), which is what
 * the model counts as a detection. The model run replays the same users
 * crashing at the same times on a model of one Redis with the same hz,
 * effort, heartbeat, TTL and reads, over several seeds pooled.
 *
 * Agreement is a two-sample Kolmogorov-Smirnov test at alpha = 0.001 (a
 * real-vs-model distance D above 1.949 sqrt((n + m) / (n m)) fails): every
 * quantile of the real delays then lies between the model's quantiles at
 * p - D_crit and p + D_crit. The same real delays are also compared with
 * the Redis <= 5 model ("sample"); `--expect-sample-differs` makes the
 * tool fail unless that comparison is rejected, which shows the test can
 * tell the two algorithms apart on this machine.
 *
 * Only 127.0.0.1; every loop is bounded by the run's end time. Exit 0 on
 * agreement, 1 on disagreement, 2 on a setup error. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include <hiredis.h>
#include "models/presence.h"
#include "models/redis.h"
#include "sim/sim_engine.h"
#include "sim/sim_rng.h"
#include "sim/sim_stats.h"

typedef struct {
    int port;
    uint32_t keys, crashes;
    double hb_s, ttl_s, reads, window_s, start_s;
    uint32_t hz, effort, model_seeds;
    uint64_t seed;
    gboolean expect_sample_differs;
} rc_opts;

typedef struct {
    uint32_t *user;          /* crashed users */
    double *at;              /* their crash times, s from the start */
} rc_crashes;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}


/* Sup over x of |F_a(x) - F_b(x)|, both arrays sorted. */
static double ks_distance(const double *a, size_t n, const double *b, size_t m)
{
    size_t i = 0, j = 0;
    double d = 0;
    while (i < n && j < m) {
        double x = MIN(a[i], b[j]);
        while (i < n && a[i] <= x) i++;
        while (j < m && b[j] <= x) j++;
        d = MAX(d, fabs((double)i / n - (double)j / m));
    }
    return d;
}

/* ------------------------------------------------------------ real */

static redisReply *cmd(redisContext *c, const char *fmt, const char *a, const char *b)
{
    redisReply *r = redisCommand(c, fmt, a, b);
    if (!r) fprintf(stderr, "redis_expiry_check: redis: %s\n", c->errstr);
    return r;
}

/* Runs the pattern on the server; fills delay[] (s, crash -> expired
 * event) for the crashes detected and returns how many were. */
static int run_real(const rc_opts *o, const rc_crashes *cr, double *delay, size_t *n_delay)
{
    struct timeval tv = { 5, 0 };
    redisContext *c = redisConnectWithTimeout("127.0.0.1", o->port, tv);
    redisContext *sub = redisConnectWithTimeout("127.0.0.1", o->port, tv);
    if (!c || c->err || !sub || sub->err) {
        fprintf(stderr, "redis_expiry_check: cannot connect to 127.0.0.1:%d\n", o->port);
        return -1;
    }
    char hz[16], effort[16];
    g_snprintf(hz, sizeof hz, "%u", o->hz);
    g_snprintf(effort, sizeof effort, "%u", o->effort);
    redisReply *r;
    const char *setup[][3] = {
        { "FLUSHALL", NULL, NULL }, { "CONFIG SET %s %s", "hz", hz },
        { "CONFIG SET %s %s", "active-expire-effort", effort },
        { "CONFIG SET %s %s", "dynamic-hz", "no" },
        { "CONFIG SET %s %s", "notify-keyspace-events", "Ex" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(setup); i++) {
        r = cmd(c, setup[i][0], setup[i][1], setup[i][2]);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "redis_expiry_check: %s %s: %s\n", setup[i][0], setup[i][1] ? setup[i][1] : "",
                    r ? r->str : "no reply");
            return -1;
        }
        freeReplyObject(r);
    }
    r = redisCommand(sub, "SUBSCRIBE __keyevent@0__:expired");
    if (!r) return -1;
    freeReplyObject(r);

    uint32_t n = o->keys;
    sim_rng rng;
    sim_rng_init_named(&rng, o->seed, "real.phase");
    double *next_hb = g_new(double, n);
    double *crash_at = g_new(double, n);
    uint32_t *order = g_new(uint32_t, n);
    for (uint32_t i = 0; i < n; i++) { crash_at[i] = INFINITY; order[i] = i; }
    for (uint32_t k = 0; k < o->crashes; k++) crash_at[cr->user[k]] = cr->at[k];
    /* Keys first set as if refreshed a uniform time ago: expiry in
     * ttl - age, next heartbeat in hb - age. Heartbeats are sent in phase
     * order, so `order` sorted by next_hb stays sorted. */
    for (uint32_t i = 0; i < n; i++) {
        double age = sim_rng_uniform(&rng) * o->hb_s;
        next_hb[i] = o->hb_s - age;
        redisAppendCommand(c, "PSETEX presence:%u %lld %u", i, (long long)llround((o->ttl_s - age) * 1e3), i % 16);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (redisGetReply(c, (void **)&r) != REDIS_OK) return -1;
        freeReplyObject(r);
    }
    /* order[]: keys by next heartbeat (pairs sorted on their first member). */
    typedef struct { double t; uint32_t i; } pair;
    pair *pp = g_new(pair, n);
    for (uint32_t i = 0; i < n; i++) { pp[i].t = next_hb[i]; pp[i].i = i; }
    qsort(pp, n, sizeof *pp, cmp_double);   /* t is the first member */
    for (uint32_t i = 0; i < n; i++) order[i] = pp[i].i;
    g_free(pp);

    double t0 = now_s(), last_crash = 0;
    for (uint32_t k = 0; k < o->crashes; k++) last_crash = MAX(last_crash, cr->at[k]);
    /* Every crash is past its TTL by last_crash + ttl; the scan removes it
     * within one sweep (N / keys per loop / hz), 2x for slack. */
    double sweep = (double)n / (20.0 + 5.0 * (o->effort - 1)) / o->hz;
    double end = last_crash + o->ttl_s + 2 * sweep + 1;
    double next_get = o->reads > 0 ? -log(sim_rng_uniform_pos(&rng)) / (o->reads * n) : INFINITY;
    uint32_t ptr = 0, detected = 0;
    double *found = g_new(double, n);
    for (uint32_t i = 0; i < n; i++) found[i] = -1;
    size_t nd = 0;
    for (;;) {
        double t = now_s() - t0;
        if (t >= end || detected == o->crashes) break;
        uint32_t pending = 0;
        for (uint32_t guard = 0; guard < n && next_hb[order[ptr]] <= t; guard++) {
            uint32_t i = order[ptr];
            if (next_hb[i] < crash_at[i]) {
                redisAppendCommand(c, "PSETEX presence:%u %lld %u", i, (long long)llround(o->ttl_s * 1e3), i % 16);
                pending++;
            }
            next_hb[i] += o->hb_s;
            ptr = (ptr + 1) % n;
        }
        for (uint32_t guard = 0; guard < 100000 && next_get <= t; guard++) {
            redisAppendCommand(c, "GET presence:%u", (uint32_t)sim_rng_below(&rng, n));
            pending++;
            next_get += -log(sim_rng_uniform_pos(&rng)) / (o->reads * n);
        }
        for (uint32_t k = 0; k < pending; k++) {
            if (redisGetReply(c, (void **)&r) != REDIS_OK) { fprintf(stderr, "redis_expiry_check: %s\n", c->errstr); return -1; }
            freeReplyObject(r);
        }
        struct pollfd pf = { .fd = sub->fd, .events = POLLIN };
        double wait_ms = MIN((next_hb[order[ptr]] - (now_s() - t0)) * 1e3, 2.0);
        if (poll(&pf, 1, wait_ms > 0 ? (int)ceil(wait_ms) : 0) > 0) {
            if (redisBufferRead(sub) != REDIS_OK) { fprintf(stderr, "redis_expiry_check: %s\n", sub->errstr); return -1; }
            double te = now_s() - t0;
            void *rv;
            while (redisGetReplyFromReader(sub, &rv) == REDIS_OK && rv) {
                redisReply *m = rv;
                unsigned u;
                if (m->type == REDIS_REPLY_ARRAY && m->elements == 3 && m->element[2]->type == REDIS_REPLY_STRING
                    && sscanf(m->element[2]->str, "presence:%u", &u) == 1 && u < n) {
                    if (isfinite(crash_at[u]) && found[u] < 0) {
                        found[u] = te;
                        delay[nd++] = te - crash_at[u];
                        detected++;
                    } else if (!isfinite(crash_at[u])) {
                        fprintf(stderr, "redis_expiry_check: live key presence:%u expired at %.3f s "
                                "(heartbeats fell behind: machine too busy)\n", u, te);
                    }
                }
                freeReplyObject(m);
            }
        }
    }
    *n_delay = nd;
    g_free(found);
    g_free(next_hb);
    g_free(crash_at);
    g_free(order);
    r = redisCommand(c, "FLUSHALL");
    if (r) freeReplyObject(r);
    redisFree(sub);
    redisFree(c);
    return (int)detected;
}

/* ----------------------------------------------------------- model */

static void crash_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    presence_crash(data, (uint32_t)arg);
}

static void collect(int64_t value, uint64_t count, void *user)
{
    for (uint64_t i = 0; i < count; i++) {
        double v = value / 1e9;
        g_array_append_val((GArray *)user, v);
    }
}

/* The model at the same settings over `model_seeds` seeds; appends every
 * detection delay (s, histogram bucket values: within 0.4%) to `out` and
 * returns the crashes left undetected at the end. */
static uint64_t run_model(const rc_opts *o, const rc_crashes *cr, gboolean scan, GArray *out)
{
    uint64_t undetected = 0;
    for (uint32_t s = 0; s < o->model_seeds; s++) {
        sim_ctx *ctx = sim_ctx_new(o->seed * 1000 + s + 1);
        redis_config rcfg;
        redis_config_init(&rcfg);
        redis_server *rs = redis_new(ctx, &rcfg);
        redis_config_clear(&rcfg);
        presence_config pc;
        presence_config_init(&pc);
        pc.heartbeat_s = o->hb_s;
        pc.ttl_s = o->ttl_s;
        pc.expire_hz = o->hz;
        pc.expire_effort = o->effort;
        pc.expire_scan = scan;
        pc.reads_per_key_s = o->reads;
        pc.individual_clients = 0;
        presence *p = presence_new(ctx, rs, &pc, o->keys);
        for (uint32_t u = 0; u < o->keys; u++) presence_connect(p, u, u % 16);
        double last = 0;
        for (uint32_t k = 0; k < o->crashes; k++) {
            sim_at(ctx, sim_time_from_sec(cr->at[k]), crash_ev, p, cr->user[k]);
            last = MAX(last, cr->at[k]);
        }
        double sweep = (double)o->keys / (20.0 + 5.0 * (o->effort - 1)) / o->hz;
        sim_run_until(ctx, sim_time_from_sec(last + o->ttl_s + 2 * sweep + 1));
        sim_hist_foreach(presence_detect_hist(p), collect, out);
        undetected += o->crashes - presence_detected(p);
        presence_free(p);
        redis_free(rs);
        sim_ctx_free(ctx);
    }
    return undetected;
}

static void print_row(const char *name, const double *v, size_t n, uint64_t undetected)
{
    printf("%-22s n=%-5zu undetected=%-4" G_GUINT64_FORMAT " mean %7.3f  p10 %7.3f  p50 %7.3f  p90 %7.3f  p99 %7.3f  max %7.3f s\n",
           name, n, undetected, sim_mean(v, n),
           sim_quantile_sorted(v, n, 0.10), sim_quantile_sorted(v, n, 0.50), sim_quantile_sorted(v, n, 0.90), sim_quantile_sorted(v, n, 0.99),
           n ? v[n - 1] : NAN);
}

int main(int argc, char **argv)
{
    rc_opts o = { .port = 0, .keys = 4000, .crashes = 300, .hb_s = 1.0, .ttl_s = 65.0 / 30.0,
                  .reads = 0.0, .window_s = 5.0, .start_s = 2.0, .hz = 20, .effort = 1,
                  .model_seeds = 4, .seed = 1 };
    gint port = 0, keys = 4000, crashes = 300, hz = 20, effort = 1, seeds = 4;
    gint64 seed = 1;
    gboolean differs = FALSE;
    GOptionEntry entries[] = {
        { "port", 0, 0, G_OPTION_ARG_INT, &port, "redis-server's port on 127.0.0.1", "P" },
        { "keys", 0, 0, G_OPTION_ARG_INT, &keys, "presence keys (4000)", "N" },
        { "crashes", 0, 0, G_OPTION_ARG_INT, &crashes, "clients that crash (300)", "K" },
        { "heartbeat", 0, 0, G_OPTION_ARG_DOUBLE, &o.hb_s, "heartbeat period, s (1)", "S" },
        { "ttl", 0, 0, G_OPTION_ARG_DOUBLE, &o.ttl_s, "TTL, s (65/30: the seed's ratio)", "S" },
        { "reads", 0, 0, G_OPTION_ARG_DOUBLE, &o.reads, "GETs per key per second (0)", "R" },
        { "window", 0, 0, G_OPTION_ARG_DOUBLE, &o.window_s, "crashes uniform over [2, 2 + W) s (5)", "W" },
        { "hz", 0, 0, G_OPTION_ARG_INT, &hz, "Redis hz (20)", "HZ" },
        { "effort", 0, 0, G_OPTION_ARG_INT, &effort, "active-expire-effort (1)", "E" },
        { "model-seeds", 0, 0, G_OPTION_ARG_INT, &seeds, "model replications pooled (4)", "M" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed of crashes and phases (1)", "SEED" },
        { "expect-sample-differs", 0, 0, G_OPTION_ARG_NONE, &differs,
          "fail unless the Redis <= 5 model is rejected too", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *oc = g_option_context_new("- presence detection delays: real redis-server vs model");
    g_option_context_add_main_entries(oc, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &err) || port <= 0 || port > 65535 || keys < 1 || crashes < 1
        || crashes > keys || hz < 1 || hz > 500 || effort < 1 || effort > 10 || seeds < 1 || o.ttl_s <= o.hb_s
        || o.hb_s <= 0 || seed < 0) {
        fprintf(stderr, "redis_expiry_check: %s\n", err ? err->message : "bad option (see --help; --port is required)");
        return 2;
    }
    g_option_context_free(oc);
    o.port = port; o.keys = (uint32_t)keys; o.crashes = (uint32_t)crashes; o.hz = (uint32_t)hz;
    o.effort = (uint32_t)effort; o.model_seeds = (uint32_t)seeds; o.seed = (uint64_t)seed;
    o.expect_sample_differs = differs;

    /* K distinct users (partial Fisher-Yates), crash times uniform over
     * the window: the same for the real run and every model run. */
    rc_crashes cr = { g_new(uint32_t, o.crashes), g_new(double, o.crashes) };
    sim_rng rng;
    sim_rng_init_named(&rng, o.seed, "real.crash");
    uint32_t *perm = g_new(uint32_t, o.keys);
    for (uint32_t i = 0; i < o.keys; i++) perm[i] = i;
    for (uint32_t k = 0; k < o.crashes; k++) {
        uint32_t j = k + (uint32_t)sim_rng_below(&rng, o.keys - k);
        uint32_t t = perm[k]; perm[k] = perm[j]; perm[j] = t;
        cr.user[k] = perm[k];
        cr.at[k] = o.start_s + o.window_s * sim_rng_uniform(&rng);
    }
    g_free(perm);

    double *real = g_new(double, o.crashes);
    size_t n_real = 0;
    double t_start = now_s();
    int det = run_real(&o, &cr, real, &n_real);
    if (det < 0) return 2;
    double t_real = now_s() - t_start;
    sim_sort_doubles(real, n_real);

    GArray *scan = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *sample = g_array_new(FALSE, FALSE, sizeof(double));
    uint64_t und_scan = run_model(&o, &cr, TRUE, scan);
    uint64_t und_sample = run_model(&o, &cr, FALSE, sample);
    sim_sort_doubles((double *)(void *)scan->data, scan->len);
    sim_sort_doubles((double *)(void *)sample->data, sample->len);

    printf("redis_expiry_check: %u keys, %u crashes, heartbeat %g s, ttl %g s, hz %u, effort %u, reads %g/key/s, "
           "seed %" G_GUINT64_FORMAT ", model x%u seeds; real run %.1f s\n",
           o.keys, o.crashes, o.hb_s, o.ttl_s, o.hz, o.effort, o.reads, o.seed, o.model_seeds, t_real);
    print_row("real redis-server", real, n_real, o.crashes - n_real);
    print_row("model scan (Redis 7)", (double *)(void *)scan->data, scan->len, und_scan);
    print_row("model sample (<= 5)", (double *)(void *)sample->data, sample->len, und_sample);
    double d_scan = ks_distance(real, n_real, (double *)(void *)scan->data, scan->len);
    double d_sample = ks_distance(real, n_real, (double *)(void *)sample->data, sample->len);
    /* Two-sample KS critical value at alpha = 0.001: c(alpha) = sqrt(-ln(alpha/2)/2) = 1.949. */
    double c_alpha = sqrt(-log(0.001 / 2) / 2);
    double crit_scan = c_alpha * sqrt((double)(n_real + scan->len) / ((double)n_real * scan->len));
    double crit_sample = c_alpha * sqrt((double)(n_real + sample->len) / ((double)n_real * sample->len));
    printf("KS distance real vs scan   %.3f (critical %.3f at alpha 0.001): %s\n", d_scan, crit_scan,
           d_scan <= crit_scan ? "agree" : "DISAGREE");
    printf("KS distance real vs sample %.3f (critical %.3f at alpha 0.001): %s\n", d_sample, crit_sample,
           d_sample <= crit_sample ? "agree" : "differ");
    int rc = 0;
    if (n_real < o.crashes) { printf("FAIL: %zu of %u real crashes undetected\n", o.crashes - n_real, o.crashes); rc = 1; }
    if (und_scan) { printf("FAIL: the scan model left %" G_GUINT64_FORMAT " crashes undetected\n", und_scan); rc = 1; }
    if (d_scan > crit_scan) { printf("FAIL: real and modelled (scan) delays differ\n"); rc = 1; }
    if (o.expect_sample_differs && d_sample <= crit_sample) {
        printf("FAIL: the Redis <= 5 model was not rejected: this comparison cannot tell the algorithms apart\n");
        rc = 1;
    }
    g_array_free(scan, TRUE);
    g_array_free(sample, TRUE);
    g_free(real);
    g_free(cr.user);
    g_free(cr.at);
    return rc;
}
