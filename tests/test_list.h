/* The one list of test suites (libuv test-list.h): tests/ mirrors the
 * modules, one CUnit suite per module, each defined in tests/test_<name>.c
 * as `void test_<name>_register(void)`. Add a line here with the file,
 * in its layer. */
#define SLACKSIM_TEST_SUITES(X) \
    /* sim/: the engine */ \
    X(sim_error) \
    X(sim_evset) \
    X(sim_engine) \
    X(sim_rng) \
    X(sim_dist) \
    X(sim_hist) \
    X(sim_stats) \
    X(sim_station) \
    X(sim_scenario) \
    /* models/: one suite per stage, in pipeline order, then the whole model */ \
    X(workload) \
    X(gateway) \
    X(postgres) \
    X(kafka) \
    X(fanout) \
    X(redis) \
    X(presence) \
    X(push) \
    X(delivery) \
    X(search) \
    X(files) \
    X(faults) \
    X(slack_model) \
    X(slack_output) \
    X(slack_metrics) \
    /* quiz/ and viz/ */ \
    X(quiz) \
    X(viz) \
    X(viz_inspect) \
    X(viz_alt) \
    X(viz_counters)
