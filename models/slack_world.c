/* slack_world: wires the search and file-sharing modules (models/search.h,
 * models/files.h) into the messaging model. They learn about the world
 * (workspaces, channels, members, who is active) through callbacks defined
 * here, and the pipeline calls their hooks: search_on_published at each
 * Kafka append, files_on_delivered after each fan-out.
 *
 * Invariant: both modules always exist once the model is built (disabled
 * ones ignore their hooks and report zeros), so the pipeline calls hooks
 * without checks. */
#include "models/slack_internal.h"

#include "models/search.h"
#include "models/files.h"

/* ---- world callbacks ---- */

static uint64_t sw_workspace_users(void *u, uint32_t ws) { return wl_workspace_size(((slack_model *)u)->wl, ws); }
static uint32_t sw_channel_workspace(void *u, uint32_t ch) { return wl_workspace_of_channel(((slack_model *)u)->wl, ch); }
static gboolean sw_is_member(void *u, uint32_t ch, uint32_t member) { return wl_is_member(((slack_model *)u)->wl, ch, member); }
static double sw_active_users(void *u, sim_time now) { (void)now; return (double)gw_total_connections(((slack_model *)u)->gw); }

/* A connected user, drawn uniformly (a few tries). */
static gboolean sw_pick_user(slack_model *m, sim_rng *rng, uint32_t *user)
{
    uint32_t n = wl_users(m->wl);
    for (int i = 0; i < 16 && n; i++) {
        uint32_t u = (uint32_t)sim_rng_below(rng, n);
        if (m->conn[u] != GW_NONE) { *user = u; return TRUE; }
    }
    return FALSE;
}

/* The workspace of a user: the last workspace starting at or before it. */
static uint32_t sw_user_workspace(const slack_model *m, uint32_t user)
{
    uint32_t lo = 0, hi = wl_workspaces(m->wl);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (wl_workspace_first_user(m->wl, mid) <= user) lo = mid; else hi = mid;
    }
    return lo;
}

static gboolean sw_pick_searcher(void *u, sim_rng *rng, uint32_t *searcher, uint32_t *ws)
{
    slack_model *m = u;
    if (!sw_pick_user(m, rng, searcher)) return FALSE;
    *ws = sw_user_workspace(m, *searcher);
    return TRUE;
}

/* An uploader posts into a channel of the workspace: its #general if there
 * is one, else any channel drawn by activity. */
static gboolean sw_pick_uploader(void *u, sim_rng *rng, uint32_t *sender, uint32_t *channel)
{
    slack_model *m = u;
    if (wl_channels(m->wl) == 0) return FALSE;
    uint32_t ch = wl_pick_channel(m->wl, rng);
    uint32_t size = wl_channel_size(m->wl, ch);
    for (int i = 0; i < 8 && size; i++) {
        uint32_t s = wl_channel_member(m->wl, ch, (uint32_t)sim_rng_below(rng, size));
        if (m->conn[s] != GW_NONE) { *sender = s; *channel = ch; return TRUE; }
    }
    return FALSE;
}

static uint64_t sw_post(void *u, uint32_t channel, uint32_t sender) { return slack_model_post(u, channel, sender); }

/* ---- lifecycle ---- */

void slack_world_defaults(cJSON *d)
{
    cJSON_AddItemToObject(d, "search", search_defaults());
    cJSON_AddItemToObject(d, "files", files_defaults());
}

gboolean slack_world_validate(const sim_scenario *sc, GError **error)
{
    search_config s;
    files_config f;
    gboolean ok = search_config_from_scenario(sc, &s, error);
    search_config_clear(&s);
    if (ok) { ok = files_config_from_scenario(sc, &f, error); files_config_clear(&f); }
    return ok;
}

gboolean slack_world_new(slack_model *m, const sim_scenario *sc, GError **error)
{
    search_config s;
    files_config f;
    gboolean ok = search_config_from_scenario(sc, &s, error);
    search_world sw = { m->partitions, wl_workspaces(m->wl), sw_workspace_users, sw_channel_workspace,
                        sw_is_member, sw_pick_searcher, sw_active_users, m };
    if (ok) m->search = search_new(m->ctx, &s, &sw, error);
    search_config_clear(&s);
    if (!m->search) return FALSE;
    ok = files_config_from_scenario(sc, &f, error);
    files_world fw = { sw_pick_uploader, sw_active_users, sw_post, m };
    if (ok) m->files = files_new(m->ctx, &f, &fw);
    files_config_clear(&f);
    return ok;
}

void slack_world_free(slack_model *m)
{
    files_free(m->files);
    search_free(m->search);
}

void slack_world_stop_arrivals(slack_model *m)
{
    if (m->files) files_set_arrivals(m->files, FALSE);
    if (m->search) search_set_arrivals(m->search, FALSE);
}

void slack_world_summary(const slack_model *m, cJSON *o)
{
    cJSON_AddItemToObject(o, "search", search_summary(m->search));
    cJSON_AddItemToObject(o, "files", files_summary(m->files));
}

void slack_world_report(const slack_model *m, GString *s)
{
    search_report(m->search, s);
    files_report(m->files, s);
}

/* Time-series columns of the modules that are on (docs/output.md). */
static const char *const world_columns[SLACK_WORLD_COLUMNS] = {
    "search_indexed_per_s", "search_lag_p99_ms", "search_queries_per_s", "search_pending",
    "files_uploads_per_s", "s3_put_per_s", "s3_slowdowns_per_s", "files_downloads_per_s",
};

size_t slack_world_columns(const slack_model *m, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < 4 && search_enabled(m->search); i++) out[n++] = world_columns[i];
    for (size_t i = 4; i < 8 && files_enabled(m->files); i++) out[n++] = world_columns[i];
    return n;
}

size_t slack_world_sample(slack_model *m, double *out)
{
    size_t n = 0;
    if (search_enabled(m->search)) {
        search_interval s;
        search_take_interval(m->search, &s);
        out[n++] = s.indexed_per_s; out[n++] = s.lag_p99_ms; out[n++] = s.queries_per_s; out[n++] = s.pending;
    }
    if (files_enabled(m->files)) {
        files_interval f;
        files_take_interval(m->files, &f);
        out[n++] = f.uploads_per_s; out[n++] = f.put_per_s; out[n++] = f.slowdowns_per_s; out[n++] = f.downloads_per_s;
    }
    return n;
}

void slack_world_published(slack_model *m, uint32_t partition, uint64_t msg, uint32_t channel)
{
    search_on_published(m->search, partition, msg, channel);
}

void slack_world_delivered(slack_model *m, uint64_t msg, uint64_t online)
{
    files_on_delivered(m->files, msg, online);
}
