/* gateway: connection tables and per-core virtual-time CPUs. Bookings on a
 * core are FIFO and never overlap (Lindley: start = max(now, free)), work
 * done and offered are accounted per interval, and connections respect
 * capacity, liveness and least-connections placement. */
#include "tests/test_util.h"
#include "models/slack_model.h"
#include "models/slack_internal.h"
#include "models/gateway.h"

static gboolean cfg_from(const char *text, slack_config *cfg)
{
    cJSON *d = slack_model_defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string(text, "gw.json", d, &err);
    cJSON_Delete(d);
    gboolean ok = sc && slack_config_read(sc, cfg, &err);
    g_clear_error(&err);
    sim_scenario_free(sc);
    return ok;
}

static void noop(sim_ctx *ctx, void *data, uint64_t arg) { (void)ctx; (void)data; (void)arg; }

static void test_core_booking_is_fifo(void)
{
    slack_config cfg;
    CU_ASSERT_FATAL(cfg_from("{\"workload\": {\"users\": 10}, \"gateways\": {\"count\": 2, \"cores\": 2}}", &cfg));
    sim_ctx *ctx = sim_ctx_new(1);
    gw_set *g = gw_new(ctx, &cfg.core, 10);
    /* two jobs at t = 0 on core 0 queue; core 1 is independent */
    CU_ASSERT_EQUAL(gw_book_core(g, 0, 0, 100), 0);
    CU_ASSERT_EQUAL(gw_book_core(g, 0, 0, 50), 100);
    CU_ASSERT_EQUAL(gw_book_core(g, 0, 1, 10), 0);
    gw_extend_core(g, 0, 0, 25);                       /* the batch grows: core 0 free at 175 */
    sim_at(ctx, 300, noop, NULL, 0);
    sim_run_until(ctx, 300);
    CU_ASSERT_EQUAL(gw_book_core(g, 0, 0, 5), 300);    /* idle core: starts now */
    /* 185 ns of work done on gateway 0 by t = 300 (two cores x 300 ns) */
    double u = gw_take_interval_util_max(g);
    CU_ASSERT_DOUBLE_EQUAL(u, (175.0 + 10.0) / (2 * 300.0), 1e-9);
    CU_ASSERT(gw_offered_max(g) >= u);
    gw_free(g);
    sim_ctx_free(ctx);
    slack_config_clear(&cfg);
}

static void test_connections(void)
{
    slack_config cfg;
    CU_ASSERT_FATAL(cfg_from("{\"workload\": {\"users\": 10, \"online_fraction\": 0.5}, \"gateways\": {\"count\": 3, \"max_connections\": 4}}", &cfg));
    sim_ctx *ctx = sim_ctx_new(1);
    gw_set *g = gw_new(ctx, &cfg.core, 10);
    gw_set_alive(g, 1, FALSE);
    for (uint32_t u = 0; u < 10; u++) gw_connect(g, u, GW_NONE);
    /* gateway 1 is dead; the others fill to their limit of 4 each */
    CU_ASSERT_EQUAL(gw_connections(g, 1), 0);
    CU_ASSERT_EQUAL(gw_connections(g, 0), 4);
    CU_ASSERT_EQUAL(gw_connections(g, 2), 4);
    CU_ASSERT_EQUAL(gw_total_connections(g), 8);
    CU_ASSERT_EQUAL(gw_conn_table(g)[9], GW_NONE);
    /* least-connections: a freed slot is reused */
    uint16_t was = gw_conn_table(g)[0];
    gw_disconnect(g, 0);
    CU_ASSERT_EQUAL(gw_connect(g, 9, GW_NONE), was);
    CU_ASSERT_EQUAL(gw_connections_peak(g), 8);
    gw_free(g);
    sim_ctx_free(ctx);
    slack_config_clear(&cfg);
}

void test_gateway_register(void)
{
    TEST_SUITE("gateway", TEST(test_core_booking_is_fifo), TEST(test_connections));
}
