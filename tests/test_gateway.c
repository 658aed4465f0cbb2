/* gateway: connection tables and per-core virtual-time CPUs. Bookings on a
 * core are FIFO and never overlap (Lindley: start = max(now, free)), work
 * done and offered are accounted per interval, and connections respect
 * capacity, liveness and least-connections placement. */
#include "tests/test_util.h"
#include "models/slack_model.h"
#include "models/slack_internal.h"
#include "models/gateway.h"
#include "tests/test_model_util.h"
#include "sim/sim_station.h"
#include "sim/sim_stats.h"
#include <math.h>

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

/* One 4-core host whose inbound work is the only CPU work: pinned, each
 * core is an M/M/1 queue fed a quarter of the sends; pooled, the host is
 * one M/M/4 queue. The mean core wait and P(wait) match each within a 95%
 * confidence interval over replications at rho 0.5, 0.8 and 0.95 (cores
 * of 1 ms, 4000 rho sends/s). The cores are not stations (no time-average
 * count), so Little's law is checked on the stations. */
static char *sched_text(double rho, const void *arg)
{
    double lambda = 4000 * rho;
    return g_strdup_printf(
        "{\"duration_s\": %g, \"interval_s\": 1, \"workload\": {\"users\": 8000, \"online_fraction\": 1,"
        " \"workspaces\": 0, \"channels_per_user\": 0.5, \"channel_max\": 50, \"rate_per_sec\": %g, \"daily_curve\": false},"
        " \"gateways\": {\"count\": 1, \"cores\": 4, \"scheduling\": \"%s\", \"push_s\": 0, \"batch_overhead_s\": 0,"
        " \"connect_s\": 0, \"inbound_s\": {\"dist\": \"exponential\", \"mean\": 0.001}}}",
        test_mmc_arrivals(rho) / lambda, lambda, (const char *)arg);
}

/* core_wait_ms and core_p_wait under the names test_check_mmc reads */
static cJSON *core_view;
static const cJSON *cores(const cJSON *sum)
{
    const cJSON *gw = cJSON_GetObjectItemCaseSensitive(sum, "gateways");
    cJSON_Delete(core_view);
    core_view = cJSON_CreateObject();
    cJSON_AddItemToObject(core_view, "wait_ms", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(gw, "core_wait_ms"), TRUE));
    cJSON_AddNumberToObject(core_view, "p_wait", test_jnum(gw, "core_p_wait", NULL));
    return core_view;
}

static void test_pinned_cores_are_mm1_queues(void)
{
    for (int i = 0; i < 3; i++)   /* M/M/1 at lambda 1000 rho, mu 1000 */
        test_check_mmc(sched_text, "pinned", cores, FALSE, 1, test_mmc_rhos[i], 1000 * test_mmc_rhos[i], 1000, 5, 20);
    cJSON_Delete(core_view);
    core_view = NULL;
}

static void test_pooled_cores_are_one_mmc_queue(void)
{
    for (int i = 0; i < 3; i++)
        test_check_mmc(sched_text, "pooled", cores, FALSE, 4, test_mmc_rhos[i], 4000 * test_mmc_rhos[i], 1000, 5, 20);
    cJSON_Delete(core_view);
    core_view = NULL;
}

void test_gateway_register(void)
{
    TEST_SUITE("gateway", TEST(test_core_booking_is_fifo), TEST(test_connections),
               TEST(test_pinned_cores_are_mm1_queues), TEST(test_pooled_cores_are_one_mmc_queue));
}
