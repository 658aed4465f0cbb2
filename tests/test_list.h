/* The one list of test suites (libuv test-list.h): tests/ mirrors the
 * modules, one CUnit suite per module, each defined in tests/test_<name>.c
 * as `void test_<name>_register(void)`. Add a line here with the file. */
#define SLACKSIM_TEST_SUITES(X) \
    X(sim_error)
