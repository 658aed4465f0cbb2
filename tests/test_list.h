/* The one list of test suites (libuv test-list.h): tests/ mirrors the
 * modules, one CUnit suite per module, each defined in tests/test_<name>.c
 * as `void test_<name>_register(void)`. Add a line here with the file. */
#define SLACKSIM_TEST_SUITES(X) \
    X(sim_error) \
    X(sim_evset) \
    X(sim_engine) \
    X(sim_rng) \
    X(sim_dist) \
    X(sim_hist) \
    X(sim_stats) \
    X(sim_scenario) \
    X(redis) \
    X(presence) \
    X(sim_station) \
    X(search) \
    X(files) \
    X(quiz) \
    X(viz) \
    X(viz_inspect) \
    X(slack_model) \
    X(workload) \
    X(gateway) \
    X(slack_output)
