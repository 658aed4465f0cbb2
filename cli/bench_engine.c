/* bench_engine: the classic hold model on the pending-event set.
 *
 * N events are scheduled at Exp(1 s) (in ns) from time 0; then each hold
 * pops the earliest event and schedules it again at now + Exp(1 s). By
 * default the holds go through the engine (sim_at + handler dispatch via
 * sim_run_until), exactly what a model pays; --direct drives the event set
 * alone, and --structure=heap a plain binary heap with the same entry
 * layout (the candidate the ladder was measured against, docs/engine.md).
 * Prints key=value lines; the last is holds_per_sec=<number>. */
#include <stdio.h>
#include <math.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_bench.h"
#include "sim/sim_engine.h"
#include "sim/sim_evset.h"
#include "sim/sim_error.h"

typedef struct hold_state {
    sim_rng  rng;
    uint64_t left;      /* holds still to do */
    uint64_t checksum;  /* sum of popped times (ns, wrapping), so no work is optimised away */
} hold_state;

/* Exp(mean 1 s) in ns, by inversion like bench/hold_baseline.cc. */
static inline sim_time exp_ns(sim_rng *rng)
{
    return (sim_time)(-log(sim_rng_uniform_pos(rng)) * 1e9);
}

static void hold_handler(sim_ctx *ctx, void *data, uint64_t arg)
{
    hold_state *st = data;
    st->checksum += (uint64_t)sim_now(ctx);
    sim_after(ctx, exp_ns(&st->rng), hold_handler, st, arg);
    if (--st->left == 0) sim_stop(ctx);
}

static double now_s(void) { return (double)g_get_monotonic_time() / 1e6; }

static double run_engine(uint64_t pending, uint64_t holds, uint64_t seed, hold_state *st, size_t *held)
{
    sim_ctx *ctx = sim_ctx_new(seed);
    sim_ctx_stream(ctx, "hold", &st->rng);
    for (uint64_t i = 0; i < pending; i++) sim_at(ctx, exp_ns(&st->rng), hold_handler, st, i);
    st->left = holds;
    double t0 = now_s();
    if (holds) sim_run_until(ctx, SIM_TIME_MAX);
    double wall = now_s() - t0;
    *held = sim_events_held(ctx);
    sim_ctx_free(ctx);
    return wall;
}

/* ---- the candidate the ladder is measured against: a binary heap ----
 * Entries as in sim_evset (time, seq, slot: 24 bytes), payload in a slot
 * array; cancellation (not exercised by the hold model) left out, which
 * only flatters the heap. */
typedef struct bh_entry { sim_time time; uint64_t seq; uint32_t slot; } bh_entry;
typedef struct bh_slot { void *fn, *data; uint64_t arg; } bh_slot;
typedef struct bheap { bh_entry *h; bh_slot *slots; uint32_t *free; size_t n, nfree, nslots; uint64_t seq; } bheap;

static inline gboolean bh_less(const bh_entry *a, const bh_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void bh_push(bheap *q, sim_time t, void *fn, void *data, uint64_t arg)
{
    uint32_t slot = q->nfree ? q->free[--q->nfree] : (uint32_t)q->nslots++;
    q->slots[slot] = (bh_slot){ fn, data, arg };
    bh_entry e = { t, q->seq++, slot };
    size_t i = q->n++;
    while (i > 0 && bh_less(&e, &q->h[(i - 1) / 2])) {
        q->h[i] = q->h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->h[i] = e;
}

static gboolean bh_pop(bheap *q, sim_evset_item *out)
{
    if (!q->n) return FALSE;
    bh_entry top = q->h[0], e = q->h[--q->n];
    size_t i = 0, n = q->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && bh_less(&q->h[c + 1], &q->h[c])) c++;
        if (!bh_less(&q->h[c], &e)) break;
        q->h[i] = q->h[c];
        i = c;
    }
    if (n) q->h[i] = e;
    bh_slot *sl = &q->slots[top.slot];
    *out = (sim_evset_item){ top.time, top.seq, sl->fn, sl->data, sl->arg };
    q->free[q->nfree++] = top.slot;
    return TRUE;
}

static double run_heap(uint64_t pending, uint64_t holds, uint64_t seed, hold_state *st, size_t *held)
{
    bheap q = { .h = g_new(bh_entry, pending + 1), .slots = g_new(bh_slot, pending + 1),
                .free = g_new(uint32_t, pending + 1), .seq = 1 };
    sim_rng_init_named(&st->rng, seed, "hold");
    for (uint64_t i = 0; i < pending; i++) bh_push(&q, exp_ns(&st->rng), NULL, NULL, i);
    double t0 = now_s();
    sim_evset_item it;
    for (uint64_t i = 0; i < holds && bh_pop(&q, &it); i++) {
        st->checksum += (uint64_t)it.time;
        bh_push(&q, it.time + exp_ns(&st->rng), it.fn, it.data, it.arg);
    }
    double wall = now_s() - t0;
    *held = q.n;
    g_free(q.h);
    g_free(q.slots);
    g_free(q.free);
    return wall;
}

static double run_direct(uint64_t pending, uint64_t holds, uint64_t seed, gboolean flat, hold_state *st, size_t *held)
{
    if (flat) return run_heap(pending, holds, seed, st, held);
    sim_evset *s = sim_evset_new();
    sim_rng_init_named(&st->rng, seed, "hold");
    for (uint64_t i = 0; i < pending; i++) sim_evset_push(s, exp_ns(&st->rng), NULL, NULL, i);
    double t0 = now_s();
    sim_evset_item it;
    for (uint64_t i = 0; i < holds && sim_evset_pop(s, &it); i++) {
        st->checksum += (uint64_t)it.time;
        sim_evset_push(s, it.time + exp_ns(&st->rng), it.fn, it.data, it.arg);
    }
    double wall = now_s() - t0;
    *held = sim_evset_held(s);
    sim_evset_free(s);
    return wall;
}

int cli_bench_engine_main(int argc, char **argv)
{
    gint64 pending = 1000000, holds = 20000000, seed = 1;
    char *structure = NULL;
    gboolean direct = FALSE;
    GOptionEntry entries[] = {
        { "pending", 'n', 0, G_OPTION_ARG_INT64, &pending, "events pending (default 1000000)", "N" },
        { "holds", 'm', 0, G_OPTION_ARG_INT64, &holds, "holds to time (default 20000000)", "M" },
        { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "run seed (default 1)", "S" },
        { "direct", 0, 0, G_OPTION_ARG_NONE, &direct, "drive the event set directly, not through the engine", NULL },
        { "structure", 0, 0, G_OPTION_ARG_STRING, &structure, "with --direct: ladder (the event set, default) or heap (a binary heap)", "NAME" },
        { NULL }
    };
    if (!cli_parse("bench engine", NULL,
                   "The hold model: N pending events; each hold pops the earliest and pushes it\n"
                   "back at now + Exp(mean 1 s), in ns. Last line: holds_per_sec=<number>.",
                   entries, &argc, &argv)) {
        g_free(structure);
        return CLI_USAGE;
    }
    gboolean flat = FALSE;
    GError *error = NULL;
    g_autofree char *arg = argc > 1 ? sim_error_quote(argv[1]) : NULL;
    g_autofree char *qs = sim_error_quote(structure);
    if (argc > 1)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "unexpected argument '%s' (try --help)", arg);
    else if (pending < 1 || pending > (gint64)1 << 31)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--pending: %" G_GINT64_FORMAT " is not in [1, 2^31]", pending);
    else if (holds < 1)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--holds: %" G_GINT64_FORMAT " must be >= 1", holds);
    else if (seed < 0)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--seed: %" G_GINT64_FORMAT " must be >= 0", seed);
    else if (structure && strcmp(structure, "ladder") && strcmp(structure, "heap"))
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--structure: '%s' is not ladder or heap", qs);
    else if (structure && !direct)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--structure: needs --direct (the engine always uses the ladder)");
    if (error) {
        g_free(structure);
        return cli_report_error("bench engine", error);
    }
    flat = structure && !strcmp(structure, "heap");

    hold_state st = { .left = 0 };
    size_t held = 0;
    double wall = direct ? run_direct((uint64_t)pending, (uint64_t)holds, (uint64_t)seed, flat, &st, &held)
                         : run_engine((uint64_t)pending, (uint64_t)holds, (uint64_t)seed, &st, &held);
    printf("bench=engine\n");
    printf("model=hold exp_mean_ns=1000000000\n");
    printf("path=%s\n", direct ? (flat ? "evset-heap" : "evset-ladder") : "engine");
    printf("seed=%" G_GINT64_FORMAT "\n", seed);
    printf("pending=%" G_GINT64_FORMAT "\n", pending);
    printf("holds=%" G_GINT64_FORMAT "\n", holds);
    printf("held_at_end=%zu\n", held);
    printf("checksum=%016" G_GINT64_MODIFIER "x\n", st.checksum);
    printf("wall_s=%.3f\n", wall);
    printf("ns_per_hold=%.1f\n", wall * 1e9 / (double)holds);
    printf("holds_per_sec=%.0f\n", (double)holds / wall);
    g_free(structure);
    return CLI_OK;
}
