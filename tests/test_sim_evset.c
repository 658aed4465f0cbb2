/* sim_evset: the pending-event set pops in (time, seq) order, ties FIFO,
 * under random push/pop/cancel/reschedule, checked against a reference
 * (a GTree ordered by (time, seq)); cancelled entries are reclaimed so the
 * memory it holds stays bounded. */
#include "tests/test_util.h"
#include "sim/sim_evset.h"
#include "sim/sim_rng.h"

/* ---- the reference: a balanced tree of pending events ---- */

typedef struct ref_ev {
    sim_time time;
    uint64_t seq;
    uint64_t arg;
    uint64_t handle;
    size_t   idx;      /* position in ref.pending (for O(1) random picks) */
} ref_ev;

typedef struct ref_set {
    GTree     *tree;     /* ref_ev* -> ref_ev*, ordered by (time, seq) */
    GPtrArray *pending;  /* the same events, in no order */
} ref_set;

static gint ref_cmp(gconstpointer a, gconstpointer b)
{
    const ref_ev *x = a, *y = b;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void ref_init(ref_set *r)
{
    r->tree = g_tree_new(ref_cmp);
    r->pending = g_ptr_array_new_with_free_func(g_free);
}

static void ref_clear(ref_set *r)
{
    g_tree_destroy(r->tree);
    g_ptr_array_free(r->pending, TRUE);
}

static void ref_add(ref_set *r, sim_time t, uint64_t seq, uint64_t arg, uint64_t handle)
{
    ref_ev *e = g_new(ref_ev, 1);
    *e = (ref_ev){ t, seq, arg, handle, r->pending->len };
    g_ptr_array_add(r->pending, e);
    g_tree_insert(r->tree, e, e);
}

/* Removes `e` from both views and frees it. */
static void ref_remove(ref_set *r, ref_ev *e)
{
    g_tree_remove(r->tree, e);
    ref_ev *last = g_ptr_array_index(r->pending, r->pending->len - 1);
    last->idx = e->idx;
    g_ptr_array_remove_index_fast(r->pending, e->idx);
}

static ref_ev *ref_min(ref_set *r)
{
    GTreeNode *n = g_tree_node_first(r->tree);
    return n ? g_tree_node_value(n) : NULL;
}

/* ---- random workload ---- */

/* A delay with many exact ties and a spread from ns to hours, so every part
 * of the set (near buckets, far overflow) sees traffic. */
static sim_time random_delay(sim_rng *rng)
{
    uint64_t u = sim_rng_below(rng, 100);
    if (u < 25) return 0;
    if (u < 45) return (sim_time)sim_rng_below(rng, 4);
    if (u < 65) return (sim_time)sim_rng_below(rng, 1000);
    if (u < 85) return (sim_time)sim_rng_below(rng, 1000000);
    if (u < 97) return (sim_time)sim_rng_below(rng, 1000000000);
    return (sim_time)sim_rng_below(rng, (uint64_t)3600 * SIM_SEC);
}

typedef struct fuzz_stats { uint64_t pushes, pops, cancels, reschedules; size_t max_pending; } fuzz_stats;

static void fuzz_against_reference(uint64_t seed, size_t ops, size_t peak, fuzz_stats *st)
{
    sim_rng rng;
    sim_rng_init(&rng, seed, 1);
    sim_evset *s = sim_evset_new();
    ref_set ref;
    ref_init(&ref);
    sim_time now = 0;
    uint64_t next_arg = 1;
    gboolean growing = TRUE;
    for (size_t i = 0; i < ops; i++) {
        size_t n = ref.pending->len;
        if (n >= peak) growing = FALSE;
        if (n == 0) growing = TRUE;
        uint64_t u = sim_rng_below(&rng, 100);
        if (growing ? u < 60 : u < 25) {                       /* push */
            sim_time t = now + random_delay(&rng);
            if (n && sim_rng_below(&rng, 4) == 0) {            /* an exact tie */
                ref_ev *other = g_ptr_array_index(ref.pending, sim_rng_below(&rng, n));
                t = other->time;
            }
            uint64_t seq = sim_evset_next_seq(s);
            uint64_t h = sim_evset_push(s, t, NULL, &ref, next_arg);
            CU_ASSERT_NOT_EQUAL_FATAL(h, 0);
            ref_add(&ref, t, seq, next_arg++, h);
            st->pushes++;
        } else if (u < 75) {                                    /* pop */
            sim_evset_item it;
            ref_ev *want = ref_min(&ref);
            CU_ASSERT_EQUAL_FATAL(sim_evset_peek_time(s), want ? want->time : SIM_TIME_MAX);
            gboolean got = sim_evset_pop(s, &it);
            CU_ASSERT_EQUAL_FATAL(got, want != NULL);
            if (!want) continue;
            CU_ASSERT_EQUAL_FATAL(it.time, want->time);
            CU_ASSERT_EQUAL_FATAL(it.seq, want->seq);
            CU_ASSERT_EQUAL_FATAL(it.arg, want->arg);
            CU_ASSERT_PTR_EQUAL_FATAL(it.data, &ref);
            CU_ASSERT_FALSE_FATAL(sim_evset_contains(s, want->handle));
            CU_ASSERT_FALSE_FATAL(sim_evset_cancel(s, want->handle));
            now = it.time;
            ref_remove(&ref, want);
            st->pops++;
        } else if (u < 90) {                                    /* cancel */
            if (!n) continue;
            ref_ev *e = g_ptr_array_index(ref.pending, sim_rng_below(&rng, n));
            uint64_t h = e->handle;
            CU_ASSERT_TRUE_FATAL(sim_evset_cancel(s, h));
            CU_ASSERT_FALSE_FATAL(sim_evset_cancel(s, h));
            CU_ASSERT_FALSE_FATAL(sim_evset_contains(s, h));
            ref_remove(&ref, e);
            st->cancels++;
        } else {                                                /* reschedule */
            if (!n) continue;
            ref_ev *e = g_ptr_array_index(ref.pending, sim_rng_below(&rng, n));
            sim_time t = now + random_delay(&rng);
            uint64_t seq = sim_evset_next_seq(s), arg = e->arg, old = e->handle;
            uint64_t h = sim_evset_reschedule(s, old, t);
            CU_ASSERT_NOT_EQUAL_FATAL(h, 0);
            CU_ASSERT_TRUE_FATAL(sim_evset_contains(s, h));
            CU_ASSERT_TRUE_FATAL(h == old || !sim_evset_contains(s, old));
            ref_remove(&ref, e);
            ref_add(&ref, t, seq, arg, h);
            st->reschedules++;
        }
        CU_ASSERT_EQUAL_FATAL(sim_evset_size(s), ref.pending->len);
        CU_ASSERT_FATAL(sim_evset_held(s) <= 2 * sim_evset_size(s) + SIM_EVSET_DEAD_SLACK);
        if (ref.pending->len > st->max_pending) st->max_pending = ref.pending->len;
    }
    /* Drain: whatever is left comes out in order. */
    sim_evset_item it;
    for (ref_ev *want; (want = ref_min(&ref)) != NULL;) {
        CU_ASSERT_TRUE_FATAL(sim_evset_pop(s, &it));
        CU_ASSERT_EQUAL_FATAL(it.time, want->time);
        CU_ASSERT_EQUAL_FATAL(it.seq, want->seq);
        ref_remove(&ref, want);
    }
    CU_ASSERT_FALSE(sim_evset_pop(s, &it));
    CU_ASSERT_EQUAL(sim_evset_size(s), 0);
    ref_clear(&ref);
    sim_evset_free(s);
}

/* Small sets (the sorted bottom run alone, below its spill threshold of 64)
 * and large ones (with the bucketed levels), both with heavy
 * cancel/reschedule traffic. */
static void test_random_ops_match_reference(void)
{
    size_t ops = test_quick() ? 40000 : 200000, peak = test_quick() ? 5000 : 30000;
    fuzz_stats small = { 0 }, large = { 0 };
    fuzz_against_reference(11, ops, 40, &small);      /* the bottom run alone */
    fuzz_against_reference(12, ops, peak, &large);    /* rungs, splits, spills, the top */
    /* The workload did what it claims (each kind of operation, both sizes). */
    CU_ASSERT(small.cancels > ops / 20 && small.reschedules > ops / 40 && small.pops > ops / 10);
    CU_ASSERT(large.max_pending >= peak);
    CU_ASSERT(large.cancels > ops / 20 && large.reschedules > ops / 40);
}

/* Many events at one time pop in insertion order, interleaved with others. */
static void test_equal_times_are_fifo(void)
{
    sim_evset *s = sim_evset_new();
    const uint64_t n = 20000;
    for (uint64_t i = 0; i < n; i++) {
        sim_evset_push(s, 1000, NULL, NULL, i);
        sim_evset_push(s, 1000 + (sim_time)(i % 7), NULL, NULL, n + i);
    }
    sim_evset_item it;
    sim_time last_t = 0;
    uint64_t last_seq = 0, first_block = 0;
    while (sim_evset_pop(s, &it)) {
        CU_ASSERT_FATAL(it.time > last_t || (it.time == last_t && it.seq > last_seq));
        if (it.time == 1000 && it.arg < n) CU_ASSERT_EQUAL_FATAL(it.arg, first_block++);
        last_t = it.time;
        last_seq = it.seq;
    }
    CU_ASSERT_EQUAL(first_block, n);
    sim_evset_free(s);
}

static void test_cancel_of_non_pending_is_false(void)
{
    sim_evset *s = sim_evset_new();
    uint64_t a = sim_evset_push(s, 5, NULL, NULL, 1);
    uint64_t b = sim_evset_push(s, 6, NULL, NULL, 2);
    CU_ASSERT_NOT_EQUAL(a, 0);
    CU_ASSERT_NOT_EQUAL(a, b);
    CU_ASSERT_FALSE(sim_evset_cancel(s, 0));
    CU_ASSERT_FALSE(sim_evset_cancel(s, a ^ ((uint64_t)2 << 32)));  /* wrong generation */
    CU_ASSERT_FALSE(sim_evset_cancel(s, UINT64_MAX));
    sim_evset_item it;
    CU_ASSERT_TRUE(sim_evset_pop(s, &it));
    CU_ASSERT_EQUAL(it.arg, 1);
    CU_ASSERT_FALSE(sim_evset_cancel(s, a));                          /* fired */
    CU_ASSERT_EQUAL(sim_evset_reschedule(s, a, 9), 0);
    uint64_t c = sim_evset_push(s, 7, NULL, NULL, 3);                /* may reuse a's slot */
    CU_ASSERT_FALSE(sim_evset_contains(s, a));
    CU_ASSERT_FALSE(sim_evset_cancel(s, a));
    CU_ASSERT_TRUE(sim_evset_cancel(s, b));
    CU_ASSERT_FALSE(sim_evset_cancel(s, b));                          /* cancelled */
    CU_ASSERT_TRUE(sim_evset_contains(s, c));
    CU_ASSERT_EQUAL(sim_evset_size(s), 1);
    CU_ASSERT_TRUE(sim_evset_pop(s, &it));
    CU_ASSERT_EQUAL(it.arg, 3);
    CU_ASSERT_FALSE(sim_evset_pop(s, &it));
    CU_ASSERT_EQUAL(sim_evset_peek_time(s), SIM_TIME_MAX);
    sim_evset_free(s);
    sim_evset_free(NULL);
}

/* Presence-style TTLs: every key's expiry is pushed back again and again.
 * The set must not keep the superseded entries: what it holds stays within
 * 2 * pending + the documented slack at every step. */
static void test_memory_bounded_under_reschedule(void)
{
    const size_t keys = test_quick() ? 5000 : 50000, rounds = 40;
    sim_evset *s = sim_evset_new();
    uint64_t *h = g_new(uint64_t, keys);
    sim_time now = 0;
    for (size_t k = 0; k < keys; k++) h[k] = sim_evset_push(s, now + 60 * SIM_SEC + (sim_time)k, NULL, NULL, k);
    size_t worst = 0;
    for (size_t r = 0; r < rounds; r++) {
        now += 30 * SIM_SEC / (sim_time)rounds;
        for (size_t k = 0; k < keys; k++) {
            h[k] = sim_evset_reschedule(s, h[k], now + 60 * SIM_SEC + (sim_time)k);
            CU_ASSERT_NOT_EQUAL_FATAL(h[k], 0);
            if (sim_evset_held(s) > worst) worst = sim_evset_held(s);
        }
        /* Nothing has expired: every key was pushed back in time. */
        CU_ASSERT_TRUE(sim_evset_peek_time(s) > now);
    }
    CU_ASSERT_EQUAL(sim_evset_size(s), keys);
    CU_ASSERT(worst <= 2 * keys + SIM_EVSET_DEAD_SLACK);
    /* Cancel everything: the set shrinks back to (almost) nothing. */
    for (size_t k = 0; k < keys; k++) CU_ASSERT_TRUE_FATAL(sim_evset_cancel(s, h[k]));
    CU_ASSERT_EQUAL(sim_evset_size(s), 0);
    CU_ASSERT(sim_evset_held(s) <= SIM_EVSET_DEAD_SLACK + 1);
    sim_evset_item it;
    CU_ASSERT_FALSE(sim_evset_pop(s, &it));
    CU_ASSERT_EQUAL(sim_evset_held(s), 0);
    g_free(h);
    sim_evset_free(s);
}

/* Pops interleaved with cancellation of most events: pops must reclaim too. */
static void test_memory_bounded_under_cancel_and_pop(void)
{
    sim_evset *s = sim_evset_new();
    sim_rng rng;
    sim_rng_init(&rng, 5, 5);
    sim_time now = 0;
    GArray *live = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    size_t worst_excess = 0;
    const size_t steps = test_quick() ? 50000 : 300000;
    for (size_t i = 0; i < steps; i++) {
        uint64_t h = sim_evset_push(s, now + (sim_time)sim_rng_below(&rng, 1000000), NULL, NULL, i);
        g_array_append_val(live, h);
        if (live->len > 10) {                                  /* cancel a random one */
            size_t j = sim_rng_below(&rng, live->len);
            sim_evset_cancel(s, g_array_index(live, uint64_t, j));
            g_array_remove_index_fast(live, j);
        }
        if (i % 3 == 0) {
            sim_evset_item it;
            if (sim_evset_pop(s, &it)) now = it.time;
        }
        size_t held = sim_evset_held(s), size = sim_evset_size(s);
        if (held > 2 * size && held - 2 * size > worst_excess) worst_excess = held - 2 * size;
    }
    CU_ASSERT(worst_excess <= SIM_EVSET_DEAD_SLACK);
    g_array_free(live, TRUE);
    sim_evset_free(s);
}

void test_sim_evset_register(void)
{
    TEST_SUITE("sim_evset",
               TEST(test_random_ops_match_reference),
               TEST(test_equal_times_are_fifo),
               TEST(test_cancel_of_non_pending_is_false),
               TEST(test_memory_bounded_under_reschedule),
               TEST(test_memory_bounded_under_cancel_and_pop));
}
