/* sim_error: the error domain is one stable quark. */
#include "tests/test_util.h"
#include "sim/sim_error.h"

static void test_quark_is_stable(void)
{
    CU_ASSERT_EQUAL(SIM_ERROR, sim_error_quark());
    CU_ASSERT_STRING_EQUAL(g_quark_to_string(SIM_ERROR), "slacksim-error-quark");
}

void test_sim_error_register(void)
{
    TEST_SUITE("sim_error", TEST(test_quark_is_stable));
}
