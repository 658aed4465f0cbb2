/* Fuzz harness: quiz bank text through quiz's public API, the loader
 * (quiz_bank_load_string) and the checker (quiz_check_string) with a stub
 * evaluator that returns a fixed summary, so numeric questions are checked
 * against fields without running the model. Property: no crash, no
 * sanitizer report, no GLib critical; problems are strings. */
#include "tests/fuzz/fuzz_util.h"
#include "quiz/quiz.h"
#include "sim/sim_error.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_fatal_criticals();
    return 0;
}

static cJSON *stub_eval(const char *scenario_path, const char *const *sets, uint64_t seed, void *user,
                        GError **error)
{
    (void)scenario_path; (void)sets; (void)seed; (void)user; (void)error;
    return cJSON_Parse("{\"latency_ms\":{\"end_to_end\":{\"p99\":95.5,\"p50\":80}},"
                       "\"gateways\":{\"cpu_util_max\":0.5},\"messages\":{\"sent\":107}}");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    GError *e = NULL;
    quiz_bank *bank = quiz_bank_load_string(text, "fuzz/bank.json", NULL, &e);
    if (bank && !quiz_bank_ready(bank)) quiz_bank_evaluate(bank, stub_eval, NULL, &e);
    g_clear_error(&e);
    quiz_bank_free(bank);
    GPtrArray *problems = quiz_check_string(text, "fuzz/bank.json", NULL, stub_eval, NULL);
    for (guint i = 0; i < problems->len; i++)
        if (!g_ptr_array_index(problems, i)) __builtin_trap();
    g_ptr_array_unref(problems);
    g_free(text);
    return 0;
}
