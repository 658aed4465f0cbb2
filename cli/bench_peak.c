/* bench_peak: `slacksim bench peak [--scenario PATH] [--seed N] [--set k=v]...`
 * runs the 12M-DAU peak hour (scenarios/peak_hour_12m.json: 12M connected
 * users, one simulated hour, every message and recipient simulated) and
 * prints key=value lines: what was simulated, then the costs, the headline
 * (wall_seconds) last. The budget: <= 120 s wall on one core,
 * <= 8 GiB peak RSS. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <sys/resource.h>
#include "cli/cli.h"
#include "cli/cli_bench.h"
#include "models/slack_model.h"
#include "sim/sim_error.h"

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static double jget(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void print_results(slack_model *m, uint64_t seed, double build_s, double wall, double cpu)
{
    slack_run_info run = { wall, rss_mib() };
    cJSON *s = slack_model_summary(m, &run);
    const cJSON *e2e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "latency_ms"), "end_to_end");
    uint64_t events = sim_events_executed(slack_model_ctx(m));
    printf("bench=peak\nscenario=%s\nseed=%" PRIu64 "\n", cJSON_GetObjectItemCaseSensitive(s, "scenario")->valuestring, seed);
    printf("users=%u\nconnected=%.0f\nchannels=%u\nsim_seconds=%.0f\n", slack_model_users(m),
           jget(s, "gateways", "connections_peak"), slack_model_channels(m), sim_time_to_sec(slack_model_duration(m)));
    printf("messages=%.0f\ndeliveries=%.0f\npush_notifications=%.0f\nlatency_samples=%.0f\n", jget(s, "messages", "sent"),
           jget(s, "messages", "delivered_online"), jget(s, "messages", "push_offline"),
           cJSON_GetObjectItemCaseSensitive(e2e, "count")->valuedouble);
    printf("e2e_p99_ms=%.1f\nbuild_seconds=%.2f\ncpu_seconds=%.2f\nevents=%" PRIu64 "\n", 
           cJSON_GetObjectItemCaseSensitive(e2e, "p99")->valuedouble, build_s, cpu, events);
    printf("events_per_second=%.0f\npeak_rss_mib=%.0f\nwall_seconds=%.2f\n", wall > 0 ? events / wall : 0, rss_mib(), wall);
    cJSON_Delete(s);
}

int cli_bench_peak_main(int argc, char **argv)
{
    char *path = NULL, **sets = NULL;
    gint64 seed = G_MININT64;   /* not given */
    const GOptionEntry entries[] = {
        { "scenario", 0, 0, G_OPTION_ARG_FILENAME, &path, "scenario (default scenarios/peak_hour_12m.json)", "PATH" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "run seed (default: the scenario's)", "N" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a scenario key (repeatable)", "KEY=VALUE" },
        { NULL }
    };
    int rc = CLI_OK;
    if (!cli_parse("bench peak", NULL, "The 12M-DAU peak hour: wall time, CPU time, peak RSS.", entries, &argc, &argv)) {
        rc = CLI_USAGE;
        goto out;
    }
    if (argc > 1 || (seed < 0 && seed != G_MININT64)) {
        g_autofree char *arg = argc > 1 ? sim_error_quote(argv[1]) : NULL;
        rc = cli_report_error("bench peak", argc > 1
            ? g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "unexpected argument '%s' (the scenario goes after --scenario)", arg)
            : g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "--seed must be >= 0"));
        goto out;
    }
    GError *error = NULL;
    gint64 t0 = g_get_monotonic_time();
    sim_scenario *sc = slack_model_load_scenario(path ? path : "scenarios/peak_hour_12m.json", (const char *const *)sets, &error);
    uint64_t s = sc && seed != G_MININT64 ? (uint64_t)seed : sc ? slack_model_scenario_seed(sc) : 0;
    slack_model *m = sc ? slack_model_new(sc, s, &error) : NULL;
    sim_scenario_free(sc);
    if (!m) { rc = cli_report_error("bench peak", error); goto out; }
    double build = (double)(g_get_monotonic_time() - t0) / 1e6;
    slack_model_finish(m);
    double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    print_results(m, s, build, wall, cpu_seconds());
    slack_model_free(m);
out:
    g_free(path);
    g_strfreev(sets);
    return rc;
}
