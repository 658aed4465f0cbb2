/* workload: the population the Slack model builds. Every channel's members
 * are distinct users of its workspace, workspaces partition the users,
 * channel draws follow the activity weights (chi-square), and the daily
 * curve averages 1 over 24 h with its maxima at the configured peaks. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "models/slack_model.h"
#include "models/slack_internal.h"
#include "models/workload.h"

static gboolean cfg_from(const char *text, slack_config *cfg)
{
    cJSON *d = slack_model_defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string(text, "wl.json", d, &err);
    cJSON_Delete(d);
    gboolean ok = sc && slack_config_read(sc, cfg, &err);
    if (!ok) fprintf(stderr, "%s\n", err ? err->message : "?");
    g_clear_error(&err);
    sim_scenario_free(sc);
    return ok;
}

static const char pop_text[] =
    "{\"workload\": {\"users\": 20000, \"online_fraction\": 0.5, \"workspaces\": 0, \"workspace_max\": 3000,"
    " \"channels_per_user\": 0.5, \"channel_max\": 2000}}";

static void test_members_distinct_and_in_workspace(void)
{
    slack_config cfg;
    CU_ASSERT_FATAL(cfg_from(pop_text, &cfg));
    sim_rng rng;
    sim_rng_init_named(&rng, 1, "test.workload");
    wl_workload *w = wl_new(&cfg.core, &rng);
    uint64_t covered = 0, bad = 0, dup = 0;
    for (uint32_t ws = 0; ws < wl_workspaces(w); ws++) covered += wl_workspace_size(w, ws);
    CU_ASSERT_EQUAL(covered, 20000);                    /* workspaces partition the users */
    CU_ASSERT(wl_workspaces(w) > 100);
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (uint32_t c = 0; c < wl_channels(w); c++) {
        uint32_t ws = wl_workspace_of_channel(w, c), lo = wl_workspace_first_user(w, ws);
        uint32_t hi = lo + wl_workspace_size(w, ws), n = wl_channel_size(w, c);
        g_hash_table_remove_all(seen);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t u = wl_channel_member(w, c, i);
            if (u < lo || u >= hi) bad++;
            if (!g_hash_table_add(seen, GUINT_TO_POINTER(u + 1))) dup++;
        }
        if (n > wl_workspace_size(w, ws)) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(dup, 0);
    /* heavy tail: most channels are small, the largest is far bigger */
    CU_ASSERT(wl_channel_max_size(w) >= 500);
    g_hash_table_destroy(seen);
    wl_free(w);
    slack_config_clear(&cfg);
}

/* Channel draws against their weights size^0.3: a chi-square test over
 * size classes (few classes, so each expected count is large). Critical
 * value of chi-square with 4 degrees of freedom at 0.999: 18.47. */
static void test_channel_draws_follow_activity(void)
{
    slack_config cfg;
    CU_ASSERT_FATAL(cfg_from(pop_text, &cfg));
    sim_rng rng;
    sim_rng_init_named(&rng, 2, "test.workload");
    wl_workload *w = wl_new(&cfg.core, &rng);
    const uint32_t edges[5] = { 2, 3, 5, 20, 200 };    /* classes [2,3) [3,5) [5,20) [20,200) [200,inf) */
    double expect[5] = { 0 }, got[5] = { 0 }, sum = 0;
    uint32_t *cls = g_new(uint32_t, wl_channels(w));
    for (uint32_t c = 0; c < wl_channels(w); c++) {
        uint32_t s = wl_channel_size(w, c), k = 0;
        while (k < 4 && s >= edges[k + 1]) k++;
        cls[c] = k;
        double wgt = s < 2 ? 0 : pow(s, cfg.core.activity_exponent);
        expect[k] += wgt;
        sum += wgt;
    }
    int n = test_quick() ? 100000 : 400000;
    for (int i = 0; i < n; i++) got[cls[wl_pick_channel(w, &rng)]]++;
    double chi = 0;
    for (int k = 0; k < 5; k++) {
        double e = expect[k] / sum * n;
        CU_ASSERT(e > 100);
        chi += (got[k] - e) * (got[k] - e) / e;
    }
    CU_ASSERT(chi < 18.47);
    g_free(cls);
    wl_free(w);
    slack_config_clear(&cfg);
}

static void test_daily_curve(void)
{
    slack_config cfg;
    CU_ASSERT_FATAL(cfg_from("{\"workload\": {\"users\": 10}}", &cfg));
    sim_rng rng;
    sim_rng_init_named(&rng, 3, "test.workload");
    wl_workload *w = wl_new(&cfg.core, &rng);
    double sum = 0, best = 0, best_h = 0;
    for (int i = 0; i < 86400; i += 10) {
        double c = wl_curve(w, i / 3600.0);
        sum += c;
        if (c > best) { best = c; best_h = i / 3600.0; }
    }
    CU_ASSERT(fabs(sum / 8640 - 1.0) < 1e-3);            /* averages 1 over the day */
    CU_ASSERT(fabs(best_h - 11) < 0.3 || fabs(best_h - 14) < 0.3);
    CU_ASSERT(wl_curve(w, 11) > 2 * wl_curve(w, 3));    /* day well above night */
    CU_ASSERT(wl_curve(w, 12.5) < wl_curve(w, 11));     /* a dip between the peaks */
    CU_ASSERT(wl_curve_max(w, 10, 1) >= wl_curve(w, 11));
    wl_free(w);
    slack_config_clear(&cfg);
}

void test_workload_register(void)
{
    TEST_SUITE("workload",
               TEST(test_members_distinct_and_in_workspace),
               TEST(test_channel_draws_follow_activity),
               TEST(test_daily_curve));
}
