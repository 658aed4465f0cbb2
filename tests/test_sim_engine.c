/* sim_engine: events run in (time, scheduling order) order even when
 * handlers schedule, cancel and reschedule (checked against a reference);
 * sim_run_until / sim_stop / sim_step semantics; cancel of non-pending
 * handles; determinism of traces (same seed, same trace; two contexts on two
 * threads give the traces they give alone); bounded memory under TTL-style
 * rescheduling. */
#include <math.h>
#include "tests/test_util.h"
#include "sim/sim_engine.h"
#include "sim/sim_evset.h"

/* ---- a random model checked event by event against a reference ---- */

typedef struct fz_ev {
    sim_time     time;
    uint64_t     order;   /* when it was (re)scheduled: the FIFO key */
    uint64_t     id;      /* the arg its handler receives */
    sim_event_id handle;
    size_t       idx;     /* position in fz.pending */
} fz_ev;

typedef struct fz {
    sim_rng    rng;
    GTree     *tree;      /* fz_ev* ordered by (time, order) */
    GPtrArray *pending;   /* fz_ev*, unordered, owns them */
    GHashTable *by_id;    /* id -> fz_ev* */
    uint64_t   order, next_id, budget, ran, cancels, reschedules, same_time;
    gboolean   ok;
} fz;

static gint fz_cmp(gconstpointer a, gconstpointer b)
{
    const fz_ev *x = a, *y = b;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void fz_handler(sim_ctx *ctx, void *data, uint64_t arg);

static sim_time fz_delay(fz *f)
{
    uint64_t u = sim_rng_below(&f->rng, 10);
    if (u < 3) return 0;
    if (u < 5) return (sim_time)sim_rng_below(&f->rng, 3);
    if (u < 9) return (sim_time)sim_rng_below(&f->rng, 10000);
    return (sim_time)sim_rng_below(&f->rng, 100 * SIM_SEC);
}

static void fz_track(fz *f, sim_time t, uint64_t id, sim_event_id h)
{
    fz_ev *e = g_new(fz_ev, 1);
    *e = (fz_ev){ t, f->order++, id, h, f->pending->len };
    g_ptr_array_add(f->pending, e);
    g_tree_insert(f->tree, e, e);
    g_hash_table_insert(f->by_id, GSIZE_TO_POINTER(id), e);
}

static void fz_untrack(fz *f, fz_ev *e)
{
    g_tree_remove(f->tree, e);
    g_hash_table_remove(f->by_id, GSIZE_TO_POINTER(e->id));
    fz_ev *last = g_ptr_array_index(f->pending, f->pending->len - 1);
    last->idx = e->idx;
    g_ptr_array_remove_index_fast(f->pending, e->idx);
}

static void fz_schedule(sim_ctx *ctx, fz *f)
{
    sim_time d = fz_delay(f);
    if (d == 0) f->same_time++;
    uint64_t id = f->next_id++;
    sim_event_id h = d ? sim_after(ctx, d, fz_handler, f, id) : sim_at(ctx, sim_now(ctx), fz_handler, f, id);
    if (h == SIM_EVENT_NONE) f->ok = FALSE;
    fz_track(f, sim_now(ctx) + d, id, h);
}

/* Cancels or reschedules a random pending event. */
static void fz_disturb(sim_ctx *ctx, fz *f)
{
    if (!f->pending->len) return;
    fz_ev *e = g_ptr_array_index(f->pending, sim_rng_below(&f->rng, f->pending->len));
    if (sim_rng_below(&f->rng, 2)) {
        if (!sim_cancel(ctx, e->handle) || sim_cancel(ctx, e->handle)) f->ok = FALSE;
        fz_untrack(f, e);
        f->cancels++;
    } else {
        sim_time t = sim_now(ctx) + fz_delay(f);
        uint64_t id = e->id;
        sim_event_id h = sim_reschedule(ctx, e->handle, t);
        if (h == SIM_EVENT_NONE || !sim_is_pending(ctx, h)) f->ok = FALSE;
        fz_untrack(f, e);
        fz_track(f, t, id, h);
        f->reschedules++;
    }
}

static void fz_handler(sim_ctx *ctx, void *data, uint64_t arg)
{
    fz *f = data;
    GTreeNode *first = g_tree_node_first(f->tree);
    fz_ev *want = first ? g_tree_node_value(first) : NULL;
    if (!want || want->id != arg || want->time != sim_now(ctx)) { f->ok = FALSE; sim_stop(ctx); return; }
    sim_event_id h = want->handle;
    fz_untrack(f, want);
    if (sim_is_pending(ctx, h) || sim_cancel(ctx, h)) f->ok = FALSE;   /* running = not pending */
    f->ran++;
    if (sim_pending(ctx) != f->pending->len) f->ok = FALSE;
    unsigned children = (unsigned)sim_rng_below(&f->rng, 4);           /* mean 1.5: the set grows */
    for (unsigned i = 0; i < children && f->budget; i++, f->budget--) fz_schedule(ctx, f);
    if (sim_rng_below(&f->rng, 3) == 0) fz_disturb(ctx, f);
}

static void test_handlers_schedule_cancel_reschedule_in_order(void)
{
    sim_ctx *ctx = sim_ctx_new(7);
    fz f = { .ok = TRUE, .next_id = 1, .budget = test_quick() ? 30000 : 150000 };
    sim_ctx_stream(ctx, "fuzz", &f.rng);
    f.tree = g_tree_new(fz_cmp);
    f.pending = g_ptr_array_new_with_free_func(g_free);
    f.by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (int i = 0; i < 50; i++) fz_schedule(ctx, &f);
    uint64_t ran = sim_run_until(ctx, SIM_TIME_MAX);
    CU_ASSERT_TRUE(f.ok);
    CU_ASSERT_EQUAL(ran, f.ran);
    CU_ASSERT_EQUAL(sim_events_executed(ctx), f.ran);
    CU_ASSERT_EQUAL(f.pending->len, 0);
    CU_ASSERT_EQUAL(sim_pending(ctx), 0);
    /* The workload exercised what it claims. */
    CU_ASSERT(f.ran > 10000 && f.cancels > 1000 && f.reschedules > 1000 && f.same_time > 1000);
    g_tree_destroy(f.tree);
    g_ptr_array_free(f.pending, TRUE);
    g_hash_table_destroy(f.by_id);
    sim_ctx_free(ctx);
}

/* ---- run_until, stop, step ---- */

typedef struct log_state { GArray *args; sim_time stop_at; gboolean chain; } log_state;

static void h_log(sim_ctx *ctx, void *data, uint64_t arg)
{
    log_state *ls = data;
    g_array_append_val(ls->args, arg);
    if (sim_now(ctx) == ls->stop_at) sim_stop(ctx);
    if (ls->chain && arg < 100) sim_after(ctx, 0, h_log, ls, arg + 100);   /* same time, runs after */
}

static void test_run_until_semantics(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    log_state ls = { g_array_new(FALSE, FALSE, sizeof(uint64_t)), -1, FALSE };
    sim_at(ctx, 10, h_log, &ls, 1);
    sim_at(ctx, 20, h_log, &ls, 2);
    sim_at(ctx, 20, h_log, &ls, 3);
    sim_at(ctx, 21, h_log, &ls, 4);
    CU_ASSERT_EQUAL(sim_next_time(ctx), 10);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 20), 3);       /* events at exactly `end` run */
    CU_ASSERT_EQUAL(sim_now(ctx), 20);
    CU_ASSERT_EQUAL(sim_pending(ctx), 1);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 20), 0);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 15), 0);       /* the clock never goes back */
    CU_ASSERT_EQUAL(sim_now(ctx), 20);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 100), 1);
    CU_ASSERT_EQUAL(sim_now(ctx), 100);               /* clock ends at `end` */
    CU_ASSERT_EQUAL(sim_next_time(ctx), SIM_TIME_MAX);
    CU_ASSERT_FALSE(sim_step(ctx));
    uint64_t want[] = { 1, 2, 3, 4 };
    CU_ASSERT_EQUAL(ls.args->len, 4);
    for (guint i = 0; i < ls.args->len && i < 4; i++) CU_ASSERT_EQUAL(g_array_index(ls.args, uint64_t, i), want[i]);

    /* Events scheduled at `end` from a handler at `end` still run. */
    g_array_set_size(ls.args, 0);
    ls.chain = TRUE;
    sim_at(ctx, 200, h_log, &ls, 5);
    sim_at(ctx, 200, h_log, &ls, 6);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 200), 4);
    uint64_t want2[] = { 5, 6, 105, 106 };            /* FIFO: children after the pending ones */
    for (guint i = 0; i < ls.args->len && i < 4; i++) CU_ASSERT_EQUAL(g_array_index(ls.args, uint64_t, i), want2[i]);
    g_array_free(ls.args, TRUE);
    sim_ctx_free(ctx);
}

static void test_stop_and_step(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    log_state ls = { g_array_new(FALSE, FALSE, sizeof(uint64_t)), 5, FALSE };
    for (uint64_t i = 1; i <= 10; i++) sim_at(ctx, (sim_time)i, h_log, &ls, i);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 1000), 5);     /* stops after the event at 5 */
    CU_ASSERT_EQUAL(sim_now(ctx), 5);                 /* the clock stays where it stopped */
    CU_ASSERT_EQUAL(sim_pending(ctx), 5);
    CU_ASSERT_TRUE(sim_step(ctx));
    CU_ASSERT_EQUAL(sim_now(ctx), 6);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 1000), 4);     /* a stop does not stick */
    CU_ASSERT_EQUAL(sim_now(ctx), 1000);
    CU_ASSERT_EQUAL(sim_events_executed(ctx), 10);
    for (guint i = 0; i < ls.args->len; i++) CU_ASSERT_EQUAL(g_array_index(ls.args, uint64_t, i), i + 1);
    g_array_free(ls.args, TRUE);
    sim_ctx_free(ctx);
}

static void h_nop(sim_ctx *ctx, void *data, uint64_t arg) { (void)ctx; (void)data; (void)arg; }

static void test_cancel_and_reschedule(void)
{
    sim_ctx *ctx = sim_ctx_new(1);
    log_state ls = { g_array_new(FALSE, FALSE, sizeof(uint64_t)), -1, FALSE };
    sim_event_id a = sim_at(ctx, 10, h_log, &ls, 1);
    sim_event_id b = sim_at(ctx, 10, h_log, &ls, 2);
    sim_event_id c = sim_at(ctx, 30, h_log, &ls, 3);
    CU_ASSERT_FALSE(sim_cancel(ctx, SIM_EVENT_NONE));
    CU_ASSERT_FALSE(sim_is_pending(ctx, SIM_EVENT_NONE));
    CU_ASSERT_EQUAL(sim_reschedule(ctx, SIM_EVENT_NONE, 10), SIM_EVENT_NONE);
    sim_event_id a2 = sim_reschedule(ctx, a, 10);      /* same time, now after b */
    CU_ASSERT_NOT_EQUAL(a2, SIM_EVENT_NONE);
    CU_ASSERT_TRUE(sim_is_pending(ctx, a2));
    CU_ASSERT_TRUE(a2 == a || !sim_is_pending(ctx, a));
    CU_ASSERT_TRUE(sim_cancel(ctx, c));
    CU_ASSERT_FALSE(sim_cancel(ctx, c));               /* cancelled */
    CU_ASSERT_EQUAL(sim_reschedule(ctx, c, 40), SIM_EVENT_NONE);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 100), 2);
    CU_ASSERT_FALSE(sim_cancel(ctx, b));               /* fired */
    CU_ASSERT_FALSE(sim_cancel(ctx, a2));
    CU_ASSERT_FALSE(sim_is_pending(ctx, b));
    CU_ASSERT_EQUAL(ls.args->len, 2);
    if (ls.args->len == 2) {
        CU_ASSERT_EQUAL(g_array_index(ls.args, uint64_t, 0), 2);
        CU_ASSERT_EQUAL(g_array_index(ls.args, uint64_t, 1), 1);
    }
    /* A fresh event reusing internal storage does not revive old handles. */
    sim_event_id d = sim_after(ctx, 1, h_nop, NULL, 0);
    CU_ASSERT_FALSE(sim_is_pending(ctx, a) || sim_is_pending(ctx, b) || sim_is_pending(ctx, c));
    CU_ASSERT_TRUE(sim_is_pending(ctx, d));
    g_array_free(ls.args, TRUE);
    sim_ctx_free(ctx);
    sim_ctx_free(NULL);
}

/* ---- determinism ---- */

typedef struct trace_hash { uint64_t h, n; } trace_hash;

static void trace_fnv(sim_time t, uint64_t seq, sim_event_fn fn, uint64_t arg, void *user)
{
    (void)fn;
    trace_hash *th = user;
    uint64_t words[3] = { (uint64_t)t, seq, arg };
    for (int i = 0; i < 3; i++) {
        th->h ^= words[i];
        th->h *= 0x100000001b3ULL;
    }
    th->n++;
}

typedef struct rnd_model { sim_rng rng; uint64_t budget; } rnd_model;

/* Each event spawns 0-3 events at random delays (with ties) and sometimes
 * cancels the one it just made: the trace depends on every draw. */
static void h_random(sim_ctx *ctx, void *data, uint64_t arg)
{
    rnd_model *m = data;
    unsigned k = (unsigned)sim_rng_below(&m->rng, 4);
    for (unsigned i = 0; i < k && m->budget; i++, m->budget--) {
        sim_time d = (sim_time)sim_rng_below(&m->rng, 5) * (sim_time)sim_rng_below(&m->rng, 1000);
        sim_event_id id = sim_after(ctx, d, h_random, m, arg * 4 + i);
        if (sim_rng_below(&m->rng, 8) == 0) sim_cancel(ctx, id);
    }
}

static trace_hash run_random_model(uint64_t seed)
{
    sim_ctx *ctx = sim_ctx_new(seed);
    rnd_model m = { .budget = test_quick() ? 20000 : 100000 };
    sim_ctx_stream(ctx, "model", &m.rng);
    trace_hash th = { 0xcbf29ce484222325ULL, 0 };
    sim_set_trace(ctx, trace_fnv, &th);
    for (uint64_t i = 0; i < 20; i++) sim_at(ctx, 0, h_random, &m, i);
    sim_run_until(ctx, SIM_TIME_MAX);
    sim_ctx_free(ctx);
    return th;
}

static void test_same_seed_same_trace(void)
{
    trace_hash a = run_random_model(42), b = run_random_model(42), c = run_random_model(43);
    CU_ASSERT(a.n > 1000);
    CU_ASSERT_EQUAL(a.n, b.n);
    CU_ASSERT_EQUAL(a.h, b.h);
    CU_ASSERT_NOT_EQUAL(a.h, c.h);   /* the seed matters (a 2^-64 coincidence otherwise) */
}

typedef struct thread_job { uint64_t seed; trace_hash out; } thread_job;

static gpointer thread_main(gpointer p)
{
    thread_job *j = p;
    j->out = run_random_model(j->seed);
    return NULL;
}

static void test_two_threads_match_alone(void)
{
    trace_hash alone1 = run_random_model(1001), alone2 = run_random_model(2002);
    thread_job j1 = { 1001, { 0, 0 } }, j2 = { 2002, { 0, 0 } };
    GThread *t1 = g_thread_new("sim-1", thread_main, &j1);
    GThread *t2 = g_thread_new("sim-2", thread_main, &j2);
    g_thread_join(t1);
    g_thread_join(t2);
    CU_ASSERT_EQUAL(j1.out.h, alone1.h);
    CU_ASSERT_EQUAL(j1.out.n, alone1.n);
    CU_ASSERT_EQUAL(j2.out.h, alone2.h);
    CU_ASSERT_EQUAL(j2.out.n, alone2.n);
}

/* ---- TTLs: expiries pushed back forever never fire, memory stays flat ---- */

typedef struct ttl_model {
    sim_event_id *expiry;
    size_t keys;
    uint64_t expired, touches;
    size_t worst_held, worst_pending;
} ttl_model;

static void h_expire(sim_ctx *ctx, void *data, uint64_t key)
{
    (void)ctx; (void)key;
    ((ttl_model *)data)->expired++;
}

static void h_touch(sim_ctx *ctx, void *data, uint64_t key)
{
    ttl_model *m = data;
    m->expiry[key] = sim_reschedule(ctx, m->expiry[key], sim_now(ctx) + 90 * SIM_SEC);
    m->touches++;
    sim_after(ctx, 30 * SIM_SEC, h_touch, m, key);
    size_t held = sim_events_held(ctx), pending = sim_pending(ctx);
    if (held > m->worst_held) m->worst_held = held;
    if (pending > m->worst_pending) m->worst_pending = pending;
}

static void test_ttl_memory_bounded(void)
{
    ttl_model m = { .keys = test_quick() ? 2000 : 20000 };
    m.expiry = g_new(sim_event_id, m.keys);
    sim_ctx *ctx = sim_ctx_new(3);
    for (size_t k = 0; k < m.keys; k++) {
        sim_time offset = (sim_time)k * (30 * SIM_SEC / (sim_time)m.keys);
        m.expiry[k] = sim_at(ctx, 90 * SIM_SEC + offset, h_expire, &m, k);
        sim_at(ctx, offset, h_touch, &m, k);
    }
    sim_run_until(ctx, 3600 * SIM_SEC);
    CU_ASSERT_EQUAL(m.expired, 0);
    CU_ASSERT(m.touches >= 100 * m.keys);
    CU_ASSERT_EQUAL(m.worst_pending, 2 * m.keys);
    CU_ASSERT(m.worst_held <= 2 * m.worst_pending + SIM_EVSET_DEAD_SLACK);
    g_free(m.expiry);
    sim_ctx_free(ctx);
}

/* Property: time arithmetic saturates: a delay past the end of time is an
 * event at SIM_TIME_MAX that never runs within a bounded run (not a refused
 * call, not a wrapped time in the past), and the event set keeps working
 * with it pending. */
static void test_after_saturates(void)
{
    CU_ASSERT_EQUAL(sim_time_add_sat(SIM_TIME_MAX - 5, 10), SIM_TIME_MAX);
    CU_ASSERT_EQUAL(sim_time_add_sat(7, 10), 17);
    CU_ASSERT_EQUAL(sim_time_from_sec(1e300), SIM_TIME_MAX / 2);
    CU_ASSERT_EQUAL(sim_time_from_sec(NAN), 0);
    sim_ctx *ctx = sim_ctx_new(1);
    log_state ls = { g_array_new(FALSE, FALSE, sizeof(uint64_t)), -1, FALSE };
    sim_at(ctx, 1000, h_log, &ls, 1);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 1000), 1);
    CU_ASSERT_NOT_EQUAL(sim_after(ctx, SIM_TIME_MAX - 10, h_log, &ls, 2), SIM_EVENT_NONE);
    CU_ASSERT_NOT_EQUAL(sim_after(ctx, SIM_TIME_MAX / 2 + SIM_TIME_MAX / 2, h_log, &ls, 3), SIM_EVENT_NONE);
    sim_after(ctx, 5, h_log, &ls, 4);
    CU_ASSERT_EQUAL(sim_pending(ctx), 3);
    CU_ASSERT_EQUAL(sim_next_time(ctx), 1005);
    CU_ASSERT_EQUAL(sim_run_until(ctx, 1000000), 1);
    CU_ASSERT_EQUAL(sim_next_time(ctx), SIM_TIME_MAX);
    CU_ASSERT_EQUAL(ls.args->len, 2);
    g_array_free(ls.args, TRUE);
    sim_ctx_free(ctx);
}

void test_sim_engine_register(void)
{
    TEST_SUITE("sim_engine",
               TEST(test_handlers_schedule_cancel_reschedule_in_order),
               TEST(test_run_until_semantics),
               TEST(test_stop_and_step),
               TEST(test_cancel_and_reschedule),
               TEST(test_same_seed_same_trace),
               TEST(test_two_threads_match_alone),
               TEST(test_ttl_memory_bounded),
               TEST(test_after_saturates));
}
