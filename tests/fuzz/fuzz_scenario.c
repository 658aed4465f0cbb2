/* Fuzz harness: scenario text through the loader (strict scanner, merge
 * against the model's schema, distributions) and the model's validation.
 * Property: any bytes give a scenario or a one-line error of valid UTF-8;
 * never a crash, a sanitizer report or a GLib critical. */
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

static void check_message(const GError *e)
{
    if (strchr(e->message, '\n') || !g_utf8_validate(e->message, -1, NULL)) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    GError *e = NULL;
    sim_scenario *sc = sim_scenario_load_string(text, "fuzz.json", defaults, &e);
    if (!sc) {
        check_message(e);
    } else if (!slack_model_validate(sc, &e)) {
        check_message(e);
    } else if (!g_utf8_validate(sim_scenario_name(sc), -1, NULL)) {
        __builtin_trap();   /* would reach summary.json */
    }
    g_clear_error(&e);
    sim_scenario_free(sc);
    g_free(text);
    return 0;
}
