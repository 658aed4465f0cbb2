/* cli_run: `slacksim run SCENARIO [--set k=v]... [--seed N] [--duration S]
 * [--out DIR] [--quiet]`: simulates a scenario, prints the report (with
 * the seed) and, with --out, writes DIR/summary.json and DIR/timeseries.csv.
 *
 * Invariant: bad input gives one line on stderr, exit status 2 and no
 * output file; the output set (and the plots) are staged beside their
 * directories and appear whole or not at all (cli_stage). */
#include <float.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include "cli/cli.h"
#include "models/slack_model.h"
#include "sim/sim_error.h"
#include "viz/viz_chart.h"

typedef struct {
    char **sets;
    gint64 seed;
    double duration;
    char *out;
    char *plots;
    char *plot_size;
    gboolean quiet;
} run_opts;

static double peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)ru.ru_maxrss / 1024.0;   /* Linux: KiB */
}

/* Loads the scenario with --set and --duration applied. */
static sim_scenario *run_load(const char *path, const run_opts *o, GError **error)
{
    sim_scenario *sc = slack_model_load_scenario(path, (const char *const *)o->sets, error);
    if (!sc || o->duration == -DBL_MAX) return sc;   /* --duration not given */
    /* Through the scenario's own checks, so --duration 0 is refused the way
     * "duration_s": 0 is. */
    char *set = g_strdup_printf("duration_s=%.17g", o->duration);
    GError *err = NULL;
    gboolean ok = sim_scenario_set(sc, set, &err) && slack_model_validate(sc, &err);
    g_free(set);
    if (!ok) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--duration %g: %s", o->duration, err->message);
        g_error_free(err);
        sim_scenario_free(sc);
        return NULL;
    }
    return sc;
}

static gboolean write_outputs(slack_model *m, const slack_run_info *run, cli_stage *dir, GError **error)
{
    cJSON *sum = slack_model_summary(m, run);
    char *json = cJSON_Print(sum);
    cJSON_Delete(sum);
    char *text = g_strconcat(json, "\n", NULL);
    cJSON_free(json);
    gboolean ok = cli_stage_write(dir, "summary.json", text, strlen(text), error);
    g_free(text);
    if (!ok) return FALSE;
    char *csv = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&csv, &len);
    ok = mem && sim_series_write_csv(slack_model_timeseries(m), mem, error);
    if (mem) fclose(mem);
    if (ok) ok = cli_stage_write(dir, "timeseries.csv", csv, len, error);
    free(csv);
    return ok;
}

/* Runs in slices, drawing a bar once the run has taken a second of wall
 * time (and only on a terminal). */
static void run_with_progress(slack_model *m, gboolean show)
{
    sim_time end = slack_model_duration(m);
    gint64 t0 = g_get_monotonic_time();
    gboolean drawn = FALSE;
    for (int i = 1; i <= 200; i++) {
        slack_model_run_until(m, end / 200 * i + (i == 200 ? end % 200 : 0));
        double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
        if (show && wall > 1.0) {
            int w = i * 40 / 200;
            fprintf(stderr, "\r[%.*s%*s] %3d%%  %.0f s", w, "========================================", 40 - w, "", i / 2, wall);
            drawn = TRUE;
        }
    }
    slack_model_finish(m);
    if (drawn) fprintf(stderr, "\r%*s\r", 60, "");
}

static int run_scenario(const char *path, run_opts *o)
{
    GError *error = NULL;
    sim_scenario *sc = run_load(path, o, &error);
    if (!sc) return cli_report_error("run", error);
    uint64_t seed = o->seed != G_MININT64 ? (uint64_t)o->seed : slack_model_scenario_seed(sc);
    gint64 t0 = g_get_monotonic_time();
    slack_model *m = slack_model_new(sc, seed, &error);
    sim_scenario_free(sc);
    if (!m) return cli_report_error("run", error);
    /* Both stages before the run: a bad --plots must not cost a long run,
     * nor leave summary.json behind. */
    cli_stage *out = NULL, *plots = NULL;
    static const char *const out_names[] = { "summary.json", "timeseries.csv", NULL };
    int pw = VIZ_PLOT_W, ph = VIZ_PLOT_H;
    if ((o->plot_size && !viz_plot_size_parse(o->plot_size, &pw, &ph, &error)) ||
        (o->out && !((out = cli_stage_new(o->out, "the output directory", &error)) &&
                     cli_stage_check_names(out, out_names, &error))) ||
        (o->plots && !(plots = cli_stage_new(o->plots, "the plots directory", &error)))) {
        cli_stage_free(out);
        cli_stage_free(plots);
        slack_model_free(m);
        return cli_report_error("run", error);
    }
    run_with_progress(m, !o->quiet && isatty(STDERR_FILENO));
    slack_run_info run = { (double)(g_get_monotonic_time() - t0) / 1e6, peak_rss_mib() };
    char *report = slack_model_report(m, &run);
    fputs(report, stdout);
    g_free(report);
    gboolean ok = !out || write_outputs(m, &run, out, &error);
    if (ok && plots && !(ok = viz_plots_write_sized(m, cli_stage_path(plots), pw, ph, &error))) cli_stage_fix_error(plots, error);
    /* Every check before the first rename: both sets appear, or neither. */
    ok = ok && (!out || cli_stage_check(out, &error)) && (!plots || cli_stage_check(plots, &error));
    ok = ok && (!out || cli_stage_commit(out, &error)) && (!plots || cli_stage_commit(plots, &error));
    cli_stage_free(out);
    cli_stage_free(plots);
    slack_model_free(m);
    if (!ok) return cli_report_error("run", error);
    if (o->out && !o->quiet) printf("Wrote %s/summary.json and %s/timeseries.csv\n", o->out, o->out);
    return CLI_OK;
}

int cli_run_main(int argc, char **argv)
{
    /* Sentinels: a seed or duration the user did not give. */
    run_opts o = { .seed = G_MININT64, .duration = -DBL_MAX };
    const GOptionEntry entries[] = {
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.sets, "Override a scenario key (repeatable)", "KEY=VALUE" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "Random seed (default: the scenario's \"seed\")", "N" },
        { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &o.duration, "Simulated seconds (overrides duration_s)", "S" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &o.out, "Write summary.json and timeseries.csv here", "DIR" },
        { "plots", 0, 0, G_OPTION_ARG_FILENAME, &o.plots, "Write PNG and SVG charts of the run here", "DIR" },
        { "plot-size", 0, 0, G_OPTION_ARG_STRING, &o.plot_size, "Size of the --plots charts (default 1000x560)", "WxH" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No progress bar", NULL },
        { NULL }
    };
    int rc;
    if (!cli_parse("run", "SCENARIO", "Simulates a Slack scenario and reports latencies, loads and SLO verdicts.",
                   entries, &argc, &argv)) rc = CLI_USAGE;
    else if (argc != 2) rc = cli_report_error("run", g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                              "expected one SCENARIO file (try 'slacksim run --help')"));
    else if (o.duration != -DBL_MAX && !(o.duration >= 0.001))
        rc = cli_report_error("run", g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "--duration must be >= 0.001 s, got %g", o.duration));
    else if (o.seed < 0 && o.seed != G_MININT64)
        rc = cli_report_error("run", g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "--seed must be >= 0, got %" G_GINT64_FORMAT, o.seed));
    else rc = run_scenario(argv[1], &o);
    g_strfreev(o.sets);
    g_free(o.out);
    g_free(o.plots);
    g_free(o.plot_size);
    return rc;
}
