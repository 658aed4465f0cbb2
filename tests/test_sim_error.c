/* sim_error: the error domain is one stable quark, and user text cannot
 * break a message out of its one line. */
#include "tests/test_util.h"
#include "sim/sim_error.h"

#include <string.h>

static void test_quark_is_stable(void)
{
    CU_ASSERT_EQUAL(SIM_ERROR, sim_error_quark());
    CU_ASSERT_STRING_EQUAL(g_quark_to_string(SIM_ERROR), "slacksim-error-quark");
}

/* Control characters come out escaped, printable UTF-8 unchanged. */
static void test_quote_escapes_controls(void)
{
    char *q = sim_error_quote("gate\nways\x1b[2J\tZ\xc3\xbcrich");
    CU_ASSERT_STRING_EQUAL(q, "gate\\nways\\x1b[2J\\tZ\xc3\xbcrich");
    CU_ASSERT_PTR_NULL(strchr(q, '\n'));
    g_free(q);
}

/* Invalid UTF-8 becomes U+FFFD, so the message is valid UTF-8. */
static void test_quote_replaces_invalid_utf8(void)
{
    char *q = sim_error_quote("a\xff" "b\xc3");
    CU_ASSERT_STRING_EQUAL(q, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    CU_ASSERT_TRUE(g_utf8_validate(q, -1, NULL));
    g_free(q);
}

/* Long text is cut and its length said. */
static void test_quote_truncates(void)
{
    char *big = g_strnfill(1000000, 'k');
    char *q = sim_error_quote(big);
    CU_ASSERT_TRUE(strlen(q) < SIM_ERROR_QUOTE_MAX + 40);
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "(1000000 bytes)"));
    g_free(q); g_free(big);
}

static void test_error_at_formats_one_line(void)
{
    GError *e = NULL;
    CU_ASSERT_FALSE(sim_error_at(&e, SIM_ERROR_VALUE, "x.json", "gateways.count", "must be >= %d", 1));
    CU_ASSERT_STRING_EQUAL(e->message, "x.json: gateways.count: must be >= 1");
    CU_ASSERT_EQUAL(e->code, SIM_ERROR_VALUE);
    g_clear_error(&e);
    sim_error_at(&e, SIM_ERROR_IO, "a\nb", NULL, "cannot read");
    CU_ASSERT_STRING_EQUAL(e->message, "a\\nb: cannot read");
    g_clear_error(&e);
}

void test_sim_error_register(void)
{
    TEST_SUITE("sim_error", TEST(test_quark_is_stable), TEST(test_quote_escapes_controls),
               TEST(test_quote_replaces_invalid_utf8), TEST(test_quote_truncates),
               TEST(test_error_at_formats_one_line));
}
