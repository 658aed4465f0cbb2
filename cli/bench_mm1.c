/* bench_mm1: `slacksim bench mm1`: the M/M/1 queue at rho = 0.9 (arrival
 * rate 0.9/s, service rate 1/s) through sim_station, the classic yardstick
 * of simulation libraries (Cimba, SimPy: see bench/run_mm1.sh).
 *
 * Per customer the run costs two engine events (its arrival, scheduled here,
 * and its service completion, scheduled by the station) and two
 * exponential draws, and records its wait and sojourn in histograms, as any
 * model built on the station would. The headline is customers_per_sec,
 * printed last; mean_system_time checks the run against theory (10 s). */
#include <stdio.h>
#include <inttypes.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/cli_bench.h"
#include "sim/sim_engine.h"
#include "sim/sim_error.h"
#include "sim/sim_station.h"

#define MM1_LAMBDA 0.9
#define MM1_MU     1.0

typedef struct {
    sim_station *st;
    sim_dist interarrival;   /* seconds */
    sim_rng rng;             /* the arrival stream */
    uint64_t customers, arrived;
} mm1_source;

static void mm1_arrival(sim_ctx *ctx, void *data, uint64_t arg)
{
    mm1_source *src = data;
    sim_station_submit(src->st, arg);
    if (++src->arrived < src->customers)
        sim_after(ctx, sim_time_from_sec(sim_dist_sample(&src->interarrival, &src->rng)), mm1_arrival, src, arg + 1);
}

/* CPU time of this process, to tell a slow run from a busy machine. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static gboolean parse_seed(const char *text, uint64_t *seed, GError **error)
{
    guint64 v;
    if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, &v, NULL)) {
        g_autofree char *q = sim_error_quote(text);
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--seed: expected a whole number >= 0, got '%s'", q);
        return FALSE;
    }
    *seed = v;
    return TRUE;
}

int cli_bench_mm1_main(int argc, char **argv)
{
    gint64 customers = 10000000;
    char *seed_text = NULL;
    GOptionEntry entries[] = {
        { "customers", 'n', 0, G_OPTION_ARG_INT64, &customers, "customers to serve (default 10000000)", "N" },
        { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text, "run seed (default 1)", "S" },
        { NULL }
    };
    if (!cli_parse("bench mm1", NULL,
                   "M/M/1 at rho = 0.9 (arrival rate 0.9/s, service rate 1/s) through the\n"
                   "queueing station. Prints key=value lines, customers_per_sec last.",
                   entries, &argc, &argv))
        return CLI_USAGE;
    GError *error = NULL;
    uint64_t seed = 1;
    g_autofree char *arg = argc > 1 ? sim_error_quote(argv[1]) : NULL;
    if (argc > 1)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "unexpected argument '%s'", arg);
    else if (customers < 1)
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--customers must be >= 1, got %" G_GINT64_FORMAT, customers);
    else if (seed_text)
        parse_seed(seed_text, &seed, &error);
    g_free(seed_text);
    if (error) return cli_report_error("bench mm1", error);

    sim_ctx *ctx = sim_ctx_new(seed);
    sim_station_config cfg = { .name = "mm1.server", .servers = 1 };
    sim_dist_init_exponential(&cfg.service, 1.0 / MM1_MU);
    mm1_source src = { .customers = (uint64_t)customers };
    src.st = sim_station_new(ctx, &cfg, NULL, NULL, NULL);
    sim_dist_clear(&cfg.service);
    sim_dist_init_exponential(&src.interarrival, 1.0 / MM1_LAMBDA);
    sim_ctx_stream(ctx, "mm1.arrivals", &src.rng);

    gint64 t0 = g_get_monotonic_time();
    double cpu0 = cpu_seconds();
    sim_at(ctx, 0, mm1_arrival, &src, 0);
    /* Not sim_run_until(SIM_TIME_MAX): that would move the clock to the end
     * of time and dilute the time averages. */
    while (sim_step(ctx)) {}
    double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    double cpu = cpu_seconds() - cpu0;

    const sim_hist *soj = sim_station_sojourn_hist(src.st), *wait = sim_station_wait_hist(src.st);
    double rho = MM1_LAMBDA / MM1_MU;
    printf("bench=mm1\nseed=%" PRIu64 "\ncustomers=%" PRIu64 "\n", seed, sim_station_completed(src.st));
    printf("lambda=%g\nmu=%g\nrho=%g\n", MM1_LAMBDA, MM1_MU, rho);
    printf("mean_system_time=%.4f\ntheory_mean_system_time=%.4f\n", sim_hist_mean(soj) / 1e9, 1.0 / (MM1_MU - MM1_LAMBDA));
    printf("mean_wait=%.4f\ntheory_mean_wait=%.4f\n", sim_hist_mean(wait) / 1e9, sim_mmc_mean_wait(1, MM1_LAMBDA, MM1_MU));
    printf("p99_system_time=%.3f\ntheory_p99_system_time=%.3f\n", (double)sim_hist_percentile(soj, 99) / 1e9,
           log(100.0) / (MM1_MU - MM1_LAMBDA));
    printf("utilization=%.4f\nmean_queue=%.4f\ntheory_mean_queue=%.4f\n", sim_station_utilization(src.st),
           sim_station_mean_queue(src.st), rho * rho / (1 - rho));
    /* cpu_s well below wall_s means the machine was busy: the figure is low. */
    printf("events=%" PRIu64 "\nsim_time_s=%.0f\ncpu_s=%.3f\nwall_s=%.3f\n", sim_events_executed(ctx),
           sim_time_to_sec(sim_now(ctx)), cpu, wall);
    printf("customers_per_sec=%.0f\n", wall > 0 ? (double)sim_station_completed(src.st) / wall : 0.0);

    sim_station_free(src.st);
    sim_dist_clear(&src.interarrival);
    sim_ctx_free(ctx);
    return CLI_OK;
}
