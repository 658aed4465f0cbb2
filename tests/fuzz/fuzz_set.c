/* Fuzz harness: --set assignments. The input is split at newlines into
 * assignments applied in order to the defaults (so "a={...}" then "a.mean=x"
 * paths are reached), then the result is validated. Property: each either
 * applies or fails with one line and leaves the scenario as it was (the
 * tree printed before and after a failed set is the same). */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    sim_scenario *sc = sim_scenario_from_defaults("fuzz", defaults);
    char **lines = g_strsplit(text, "\n", 16);
    for (char **l = lines; *l; l++) {
        char *before = cJSON_PrintUnformatted(sim_scenario_root(sc));
        GError *e = NULL;
        if (!sim_scenario_set(sc, *l, &e)) {
            if (strchr(e->message, '\n') || !g_utf8_validate(e->message, -1, NULL)) __builtin_trap();
            char *after = cJSON_PrintUnformatted(sim_scenario_root(sc));
            if (strcmp(before, after)) __builtin_trap();   /* a failed set changed the scenario */
            cJSON_free(after);
            g_error_free(e);
        }
        cJSON_free(before);
    }
    GError *e = NULL;
    if (!slack_model_validate(sc, &e) && strchr(e->message, '\n')) __builtin_trap();
    g_clear_error(&e);
    g_strfreev(lines);
    sim_scenario_free(sc);
    g_free(text);
    return 0;
}
