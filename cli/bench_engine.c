/* bench_engine: the classic hold model on the pending-event set.
 *
 * N events are scheduled at Exp(1 s) (in ns) from time 0; then each hold
 * pops the earliest event and schedules it again at now + Exp(1 s). By
 * default the holds go through the engine (sim_at + handler dispatch via
 * sim_run_until), exactly what a model pays; --direct drives the event set
 * alone, and --structure=heap picks the flat binary heap the set uses below
 * its bucket threshold (the candidate we compare against, docs/engine.md).
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
    double   checksum;  /* sum of popped times (s), so no work is optimised away */
} hold_state;

/* Exp(mean 1 s) in ns, by inversion like bench/hold_baseline.cc. */
static inline sim_time exp_ns(sim_rng *rng)
{
    return (sim_time)(-log(sim_rng_uniform_pos(rng)) * 1e9);
}

static void hold_handler(sim_ctx *ctx, void *data, uint64_t arg)
{
    hold_state *st = data;
    st->checksum += sim_time_to_sec(sim_now(ctx));
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

static double run_direct(uint64_t pending, uint64_t holds, uint64_t seed, gboolean flat, hold_state *st, size_t *held)
{
    sim_evset *s = flat ? sim_evset_new_flat() : sim_evset_new();
    sim_rng_init_named(&st->rng, seed, "hold");
    for (uint64_t i = 0; i < pending; i++) sim_evset_push(s, exp_ns(&st->rng), NULL, NULL, i);
    double t0 = now_s();
    sim_evset_item it;
    for (uint64_t i = 0; i < holds && sim_evset_pop(s, &it); i++) {
        st->checksum += sim_time_to_sec(it.time);
        sim_evset_push(s, it.time + exp_ns(&st->rng), it.fn, it.data, it.arg);
    }
    double wall = now_s() - t0;
    *held = sim_evset_held(s);
    sim_evset_free(s);
    return wall;
}

int cli_bench_engine_main(int argc, char **argv)
{
    gint64 pending = 1000000, holds = 0, seed = 1;  /* holds 0: the default */
    char *structure = NULL;
    gboolean direct = FALSE;
    GOptionEntry entries[] = {
        { "pending", 'n', 0, G_OPTION_ARG_INT64, &pending, "events pending (default 1000000)", "N" },
        { "holds", 'm', 0, G_OPTION_ARG_INT64, &holds, "holds to time (default 20000000)", "M" },
        { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "run seed (default 1)", "S" },
        { "direct", 0, 0, G_OPTION_ARG_NONE, &direct, "drive the event set directly, not through the engine", NULL },
        { "structure", 0, 0, G_OPTION_ARG_STRING, &structure, "with --direct: ladder (default) or heap", "NAME" },
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
    if (pending < 1 || pending > (gint64)1 << 31)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--pending: %" G_GINT64_FORMAT " is not in [1, 2^31]", pending);
    else if (holds < 0)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--holds: %" G_GINT64_FORMAT " is negative", holds);
    else if (structure && strcmp(structure, "ladder") && strcmp(structure, "heap"))
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--structure: '%s' is not ladder or heap", structure);
    else if (structure && !direct)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--structure: needs --direct (the engine always uses the ladder)");
    if (error) {
        g_free(structure);
        return cli_report_error("bench engine", error);
    }
    flat = structure && !strcmp(structure, "heap");
    if (!holds) holds = 20000000;

    hold_state st = { .checksum = 0 };
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
    printf("checksum=%.6e\n", st.checksum);
    printf("wall_s=%.3f\n", wall);
    printf("ns_per_hold=%.1f\n", wall * 1e9 / (double)holds);
    printf("holds_per_sec=%.0f\n", (double)holds / wall);
    g_free(structure);
    return CLI_OK;
}
