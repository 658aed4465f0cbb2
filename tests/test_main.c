/* The CUnit runner: registers every suite from test_list.h and runs them.
 * `slacksim-tests [SUITE...]` runs only the named suites. Exit status is
 * non-zero if any assertion failed. */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "tests/test_list.h"

#define DECLARE(name) void test_##name##_register(void);
SLACKSIM_TEST_SUITES(DECLARE)
#undef DECLARE

typedef struct { const char *name; void (*reg)(void); } suite_entry;

static const suite_entry suites[] = {
#define ENTRY(name) { #name, test_##name##_register },
    SLACKSIM_TEST_SUITES(ENTRY)
#undef ENTRY
};

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2) return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (wanted(suites[i].name, argc, argv)) suites[i].reg();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    printf("\n%u passed, %u failed\n", run - tests_failed, tests_failed);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
