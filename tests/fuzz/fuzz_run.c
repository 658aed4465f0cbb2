/* Fuzz harness: a short build and run of what validation accepts. A
 * scenario that loads and validates is shrunk to a size a fuzzer can run
 * thousands of times (at most 2000 users and 200 messages/s, half a second
 * of simulated time and of drain), validated again, built, run, finished,
 * and its summary and report made. Property: whatever validation accepts
 * runs without a crash, a sanitizer report (int64 time overflow is UBSan's)
 * or a GLib critical, and its summary's strings are valid UTF-8. */
#include "tests/fuzz/fuzz_util.h"
#include "models/slack_model.h"
#include "sim/sim_error.h"
#include "sim/sim_scenario.h"

static cJSON *defaults;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_fatal_criticals();
    defaults = slack_model_defaults();
    return 0;
}

static gboolean small_enough(const sim_scenario *sc)
{
    double users = 0, rate = 0;
    GError *e = NULL;
    gboolean ok = sim_scenario_double(sc, "workload.users", 0, 2000, &users, &e) &&
                  sim_scenario_double(sc, "workload.rate_per_sec", 0, 200, &rate, &e);
    g_clear_error(&e);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    GError *e = NULL;
    sim_scenario *sc = sim_scenario_load_string(text, "fuzz.json", defaults, &e);
    if (sc && slack_model_validate(sc, &e) && small_enough(sc) && sim_scenario_set(sc, "duration_s=0.5", &e) &&
        sim_scenario_set(sc, "drain_s=0.5", &e) && slack_model_validate(sc, &e)) {
        slack_model *m = slack_model_new(sc, 1, &e);
        if (m) {
            slack_model_run_until(m, slack_model_duration(m));
            slack_model_finish(m);
            slack_run_info run = { 0 };
            cJSON *sum = slack_model_summary(m, &run);
            char *json = cJSON_PrintUnformatted(sum);
            if (!json || !g_utf8_validate(json, -1, NULL)) __builtin_trap();
            cJSON_free(json);
            cJSON_Delete(sum);
            g_free(slack_model_report(m, &run));
            slack_model_free(m);
        }
    }
    g_clear_error(&e);
    sim_scenario_free(sc);
    g_free(text);
    return 0;
}
