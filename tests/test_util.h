/* Helpers shared by the CUnit suites. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdlib.h>
#include <CUnit/CUnit.h>

/* TRUE under `make asan` (SLACKSIM_QUICK=1): suites shrink sample sizes so
 * the sanitized run stays fast; the properties checked are the same. */
static inline int test_quick(void) { const char *q = getenv("SLACKSIM_QUICK"); return q && *q && *q != '0'; }

/* Adds a suite with its tests; aborts the run if CUnit cannot. */
#define TEST_SUITE(name, ...)                                                   \
    do {                                                                        \
        CU_pSuite s_ = CU_add_suite(name, NULL, NULL);                          \
        if (!s_) { fprintf(stderr, "cannot add suite %s\n", name); exit(2); }   \
        struct { const char *n; CU_TestFunc f; } t_[] = { __VA_ARGS__ };        \
        for (size_t i_ = 0; i_ < sizeof t_ / sizeof t_[0]; i_++)                \
            if (!CU_add_test(s_, t_[i_].n, t_[i_].f)) exit(2);                  \
    } while (0)
#define TEST(fn) { #fn, fn }

#endif
