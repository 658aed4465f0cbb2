/* workload: the population a run simulates (users, workspaces, channels,
 * memberships) and the shape of its send rate over the day.
 *
 * Invariant: channel c's members are distinct users of c's workspace;
 * a #general channel is its whole workspace (an id range, not stored); every
 * other channel's members are stored once, contiguously, in `members`.
 * The alias table draws a channel with probability weight/sum(weights). */
#include "models/workload.h"
#include "models/slack_internal.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "sim/sim_error.h"

#define WL_RANGE_FLAG 0x80000000u

typedef struct wl_channel {
    uint64_t off;       /* first member's index in members[], or first user of a range */
    uint32_t size;      /* members */
    uint32_t ws;        /* workspace | WL_RANGE_FLAG when members are a range */
} wl_channel;

/* One alias-table entry: draw i, keep it if the low 32 random bits are
 * below `threshold`, else take `alias` (one cache line per draw). */
typedef struct wl_alias {
    uint32_t threshold, alias;
} wl_alias;

struct wl_workload {
    uint32_t n_users, n_ws;
    uint32_t *ws_first;        /* n_ws + 1 entries: workspace w is [ws_first[w], ws_first[w+1]) */
    GArray *channels;          /* wl_channel */
    GArray *members;           /* uint32_t user ids */
    wl_alias *alias;           /* Vose alias table over channels */
    double mean_size_by_activity;
    uint32_t max_size;
    /* daily curve */
    gboolean curve_on;
    double p1, p2, width, night, norm;
};

/* ---- workspace sizes ---- */

static uint32_t draw_size(const sim_dist *d, sim_rng *rng, uint32_t lo, uint32_t hi)
{
    double x = floor(sim_dist_sample(d, rng));
    if (!(x >= lo)) return lo;            /* also catches NaN */
    return x > hi ? hi : (uint32_t)x;
}

/* Fixed count: sizes proportional to draws, summing exactly to the users. */
static void ws_sizes_fixed(wl_workload *w, const slack_cfg *cfg, sim_rng *rng, GArray *sizes)
{
    uint32_t n = (uint32_t)cfg->workspaces;
    double *x = g_new(double, n), sum = 0;
    for (uint32_t i = 0; i < n; i++) { x[i] = n == 1 ? 1 : MAX(1e-9, sim_dist_sample(&cfg->workspace_size, rng)); sum += x[i]; }
    uint64_t used = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = MAX(1u, (uint32_t)floor(x[i] / sum * (double)(w->n_users - n) ) + 1u);
        s = (uint32_t)MIN((uint64_t)s, (uint64_t)w->n_users - used - (n - 1 - i));
        g_array_append_val(sizes, s);
        used += s;
    }
    for (uint32_t i = 0; used < w->n_users; i = (i + 1) % n, used++) g_array_index(sizes, uint32_t, i)++;
    g_free(x);
}

/* Automatic count: draw sizes until the users are used up. */
static void ws_sizes_auto(wl_workload *w, const slack_cfg *cfg, sim_rng *rng, GArray *sizes)
{
    uint32_t hi = (uint32_t)MIN(cfg->workspace_max, (int64_t)w->n_users);
    for (uint32_t left = w->n_users; left > 0;) {
        uint32_t s = draw_size(&cfg->workspace_size, rng, 1, hi);  /* not inside MIN: one draw */
        if (s > left) s = left;
        g_array_append_val(sizes, s);
        left -= s;
    }
}

static void build_workspaces(wl_workload *w, const slack_cfg *cfg, sim_rng *rng)
{
    GArray *sizes = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    if (cfg->workspaces >= 1) ws_sizes_fixed(w, cfg, rng, sizes);
    else ws_sizes_auto(w, cfg, rng, sizes);
    w->n_ws = sizes->len;
    w->ws_first = g_new(uint32_t, w->n_ws + 1);
    w->ws_first[0] = 0;
    for (uint32_t i = 0; i < w->n_ws; i++) w->ws_first[i + 1] = w->ws_first[i] + g_array_index(sizes, uint32_t, i);
    g_array_free(sizes, TRUE);
}

/* ---- channels ---- */

/* Scratch for sampling members without replacement: a partial
 * Fisher-Yates shuffle over the workspace, undone after each channel, so
 * each channel costs O(size) whatever the workspace's size. */
typedef struct {
    uint32_t *perm, *swaps;
    uint32_t cap;
} wl_scratch;

static void sample_members(wl_workload *w, wl_scratch *s, uint32_t first, uint32_t ws_size, uint32_t k, sim_rng *rng)
{
    for (uint32_t i = 0; i < k; i++) {
        uint32_t j = i + (uint32_t)sim_rng_below(rng, ws_size - i);
        uint32_t t = s->perm[i]; s->perm[i] = s->perm[j]; s->perm[j] = t;
        s->swaps[i] = j;
        uint32_t u = first + s->perm[i];
        g_array_append_val(w->members, u);
    }
    for (uint32_t i = k; i-- > 0;) {
        uint32_t j = s->swaps[i];
        uint32_t t = s->perm[i]; s->perm[i] = s->perm[j]; s->perm[j] = t;
    }
}

static void add_channel(wl_workload *w, uint64_t off, uint32_t size, uint32_t ws, gboolean range)
{
    wl_channel c = { off, size, ws | (range ? WL_RANGE_FLAG : 0) };
    g_array_append_val(w->channels, c);
    if (size > w->max_size) w->max_size = size;
}

static void build_ws_channels(wl_workload *w, const slack_cfg *cfg, wl_scratch *s, uint32_t ws, sim_rng *rng)
{
    uint32_t first = w->ws_first[ws], size = w->ws_first[ws + 1] - first;
    if (cfg->general_channel) add_channel(w, first, size, ws, TRUE);
    if (size < 2 || cfg->channels_per_user <= 0) return;
    double want = (double)size * cfg->channels_per_user;
    uint64_t k = (uint64_t)floor(want) + (sim_rng_uniform(rng) < want - floor(want) ? 1 : 0);
    uint32_t hi = (uint32_t)MIN((int64_t)size, cfg->channel_max);
    for (uint32_t i = 0; i < size; i++) s->perm[i] = i;
    for (uint64_t j = 0; j < k; j++) {
        uint32_t cs = draw_size(&cfg->channel_size, rng, 2, hi);
        add_channel(w, w->members->len, cs, ws, FALSE);
        sample_members(w, s, first, size, cs, rng);
    }
}

static void build_channels(wl_workload *w, const slack_cfg *cfg, sim_rng *rng)
{
    uint32_t biggest = 0;
    for (uint32_t i = 0; i < w->n_ws; i++) biggest = MAX(biggest, w->ws_first[i + 1] - w->ws_first[i]);
    wl_scratch s = { g_new(uint32_t, biggest + 1), g_new(uint32_t, biggest + 1), biggest };
    w->channels = g_array_sized_new(FALSE, FALSE, sizeof(wl_channel), w->n_ws + (guint)(cfg->channels_per_user * w->n_users) + 16);
    w->members = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t i = 0; i < w->n_ws; i++) build_ws_channels(w, cfg, &s, i, rng);
    g_free(s.perm);
    g_free(s.swaps);
}

/* ---- activity and the alias table ---- */

static double channel_weight(const wl_channel *c, const slack_cfg *cfg)
{
    if (c->size < 2) return 0;
    double wgt = pow((double)c->size, cfg->activity_exponent);
    return (c->ws & WL_RANGE_FLAG) ? wgt * cfg->general_activity : wgt;
}

/* Vose's alias method: O(n) build, O(1) draw. */
static void build_alias(wl_workload *w, const double *p, uint32_t n)
{
    uint32_t *small = g_new(uint32_t, n), *large = g_new(uint32_t, n), ns = 0, nl = 0;
    double *q = g_new(double, n);
    for (uint32_t i = 0; i < n; i++) { q[i] = p[i] * n; if (q[i] < 1.0) small[ns++] = i; else large[nl++] = i; }
    w->alias = g_new(wl_alias, MAX(n, 1u));
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[nl - 1];
        w->alias[s] = (wl_alias){ (uint32_t)MIN(4294967295.0, q[s] * 4294967296.0), l };
        q[l] -= 1.0 - q[s];
        if (q[l] < 1.0) { nl--; small[ns++] = l; }
    }
    while (nl) { uint32_t l = large[--nl]; w->alias[l] = (wl_alias){ UINT32_MAX, l }; }
    while (ns) { uint32_t s = small[--ns]; w->alias[s] = (wl_alias){ UINT32_MAX, s }; }
    g_free(small); g_free(large); g_free(q);
}

static void build_activity(wl_workload *w, const slack_cfg *cfg)
{
    uint32_t n = w->channels->len;
    double *p = g_new(double, MAX(n, 1u)), sum = 0, sized = 0;
    for (uint32_t i = 0; i < n; i++) {
        const wl_channel *c = &g_array_index(w->channels, wl_channel, i);
        p[i] = channel_weight(c, cfg);
        sum += p[i];
        sized += p[i] * c->size;
    }
    w->mean_size_by_activity = sum > 0 ? sized / sum : 0;
    for (uint32_t i = 0; i < n; i++) p[i] = sum > 0 ? p[i] / sum : 1.0 / n;
    build_alias(w, p, n);
    g_free(p);
}

/* ---- the daily curve ---- */

static double bump(double hour, double peak, double width)
{
    double d = fabs(fmod(hour - peak + 36.0, 24.0) - 12.0);  /* circular distance, hours */
    return exp(-d * d / (2 * width * width));
}

/* The larger of the two bumps (not their sum, which merges into one flat
 * top when they are close), so the curve keeps two peaks and the dip
 * between them. */
static double curve_raw(const wl_workload *w, double hour)
{
    double peaks = MAX(bump(hour, w->p1, w->width), bump(hour, w->p2, w->width));
    return w->night + (1.0 - w->night) * peaks;
}

static void build_curve(wl_workload *w, const slack_cfg *cfg)
{
    w->curve_on = cfg->daily_curve;
    w->p1 = cfg->peak1_hour; w->p2 = cfg->peak2_hour;
    w->width = cfg->peak_width_h; w->night = cfg->night_level;
    double sum = 0;
    for (int i = 0; i < 1440; i++) sum += curve_raw(w, (i + 0.5) / 60.0);
    w->norm = sum / 1440.0;
}

double wl_curve(const wl_workload *w, double hour)
{
    if (!w->curve_on || w->norm <= 0) return 1.0;
    return curve_raw(w, hour) / w->norm;
}

double wl_curve_max(const wl_workload *w, double hour0, double hours)
{
    double mx = 0;
    for (double h = hour0; h <= hour0 + hours + 1.0 / 60; h += 1.0 / 60) mx = MAX(mx, wl_curve(w, h));
    /* The curve's slope is below 1/width per hour (in units of its peak),
     * so within a minute it moves by less than 2% of the peak. */
    return mx * 1.02;
}

/* ---- API ---- */

wl_workload *wl_new(const slack_cfg *cfg, sim_rng *rng)
{
    wl_workload *w = g_new0(wl_workload, 1);
    w->n_users = (uint32_t)cfg->users;
    build_workspaces(w, cfg, rng);
    build_channels(w, cfg, rng);
    build_activity(w, cfg);
    build_curve(w, cfg);
    return w;
}

void wl_free(wl_workload *w)
{
    if (!w) return;
    g_free(w->ws_first);
    if (w->channels) g_array_free(w->channels, TRUE);
    if (w->members) g_array_free(w->members, TRUE);
    g_free(w->alias);
    g_free(w);
}

uint32_t wl_users(const wl_workload *w) { return w->n_users; }
uint32_t wl_workspaces(const wl_workload *w) { return w->n_ws; }
uint32_t wl_channels(const wl_workload *w) { return w->channels->len; }
uint32_t wl_channel_max_size(const wl_workload *w) { return w->max_size; }
double wl_mean_channel_size_by_activity(const wl_workload *w) { return w->mean_size_by_activity; }

uint64_t wl_memberships(const wl_workload *w)
{
    uint64_t n = w->members->len;
    for (guint i = 0; i < w->channels->len; i++) {
        const wl_channel *c = &g_array_index(w->channels, wl_channel, i);
        if (c->ws & WL_RANGE_FLAG) n += c->size;
    }
    return n;
}

uint32_t wl_workspace_of_channel(const wl_workload *w, uint32_t channel)
{
    return g_array_index(w->channels, wl_channel, channel).ws & ~WL_RANGE_FLAG;
}

uint32_t wl_workspace_first_user(const wl_workload *w, uint32_t ws) { return w->ws_first[ws]; }
uint32_t wl_workspace_size(const wl_workload *w, uint32_t ws) { return w->ws_first[ws + 1] - w->ws_first[ws]; }

uint32_t wl_channel_size(const wl_workload *w, uint32_t channel)
{
    return g_array_index(w->channels, wl_channel, channel).size;
}

void wl_channel_members(const wl_workload *w, uint32_t channel, uint32_t *first, const uint32_t **list)
{
    const wl_channel *c = &g_array_index(w->channels, wl_channel, channel);
    if (c->ws & WL_RANGE_FLAG) { *first = (uint32_t)c->off; *list = NULL; }
    else { *first = 0; *list = &g_array_index(w->members, uint32_t, c->off); }
}

uint32_t wl_channel_member(const wl_workload *w, uint32_t channel, uint32_t i)
{
    const wl_channel *c = &g_array_index(w->channels, wl_channel, channel);
    g_return_val_if_fail(i < c->size, 0);
    if (c->ws & WL_RANGE_FLAG) return (uint32_t)c->off + i;
    return g_array_index(w->members, uint32_t, c->off + i);
}

gboolean wl_is_member(const wl_workload *w, uint32_t channel, uint32_t user)
{
    const wl_channel *c = &g_array_index(w->channels, wl_channel, channel);
    if (c->ws & WL_RANGE_FLAG) return user >= c->off && user < c->off + c->size;
    const uint32_t *m = &g_array_index(w->members, uint32_t, c->off);
    for (uint32_t i = 0; i < c->size; i++) if (m[i] == user) return TRUE;
    return FALSE;
}

static uint32_t alias_index(const wl_workload *w, uint64_t r)
{
    return (uint32_t)(((r >> 32) * (uint64_t)w->channels->len) >> 32);
}

uint32_t wl_pick_channel_bits(const wl_workload *w, uint64_t r)
{
    uint32_t i = alias_index(w, r);
    const wl_alias *a = &w->alias[i];
    return (uint32_t)r < a->threshold ? i : a->alias;
}

uint32_t wl_pick_channel(const wl_workload *w, sim_rng *rng)
{
    return wl_pick_channel_bits(w, sim_rng_u64(rng));
}

void wl_prefetch_draw(const wl_workload *w, uint64_t r)
{
    if (w->channels->len) __builtin_prefetch(&w->alias[alias_index(w, r)]);
}

void wl_prefetch_member(const wl_workload *w, uint32_t channel, uint32_t i)
{
    const wl_channel *c = &g_array_index(w->channels, wl_channel, channel);
    if (!(c->ws & WL_RANGE_FLAG) && i < c->size) __builtin_prefetch(&g_array_index(w->members, uint32_t, c->off + i));
}

void wl_prefetch_channel(const wl_workload *w, uint32_t channel)
{
    __builtin_prefetch(&g_array_index(w->channels, wl_channel, channel));
}

void wl_prefetch_members(const wl_workload *w, uint32_t channel, uint32_t n)
{
    const wl_channel *c = &g_array_index(w->channels, wl_channel, channel);
    if (c->ws & WL_RANGE_FLAG) return;
    const uint32_t *m = &g_array_index(w->members, uint32_t, c->off);
    n = MIN(n, c->size);
    /* 16 ids per 64-byte line; the last member's line too */
    for (uint32_t i = 0; i < n; i += 16) __builtin_prefetch(m + i);
    if (n) __builtin_prefetch(m + n - 1);
}

/* ================================================================ the component */

#define WD(p, lo, hi, f, u, d) { p, lo, hi, SIM_FIELD_DOUBLE, offsetof(slack_cfg, f), u, NULL, d }
#define WI(p, lo, hi, f, u, d) { p, lo, hi, SIM_FIELD_INT64, offsetof(slack_cfg, f), u, NULL, d }
#define WB(p, f, d) { p, 0, 0, SIM_FIELD_BOOL, offsetof(slack_cfg, f), "bool", NULL, d }
/* Sizes may be heavy-tailed (an infinite mean is allowed: draws are capped). */
#define WS(p, f, u, d) { p, 0, INFINITY, SIM_FIELD_DIST, offsetof(slack_cfg, f), u, NULL, d }
static const sim_field wl_fields[] = {
    WI("users", 1, 1000000000.0, users, "users", "500"),
    WD("online_fraction", 0, 1, online_fraction, "0..1", "0.7"),
    WI("workspaces", 0, 1000000000.0, workspaces, "count", "1"),
    WI("workspace_max", 1, 1000000000.0, workspace_max, "users", "250000"),
    WS("workspace_size", workspace_size, "users", "{\"dist\": \"pareto\", \"xm\": 3, \"alpha\": 1.12}"),
    WB("general_channel", general_channel, "true"),
    WD("channels_per_user", 0, 1000, channels_per_user, "ratio", "0"),
    WS("channel_size", channel_size, "members", "{\"dist\": \"pareto\", \"xm\": 2, \"alpha\": 1.2}"),
    WI("channel_max", 2, 1000000000.0, channel_max, "members", "100000"),
    WD("activity_exponent", -4, 4, activity_exponent, "-", "0.3"),
    WD("general_activity", 0, 1e6, general_activity, "-", "1"),
    WD("messages_per_user_per_day", 0, 1e6, messages_per_user_per_day, "msgs", "20"),
    WD("rate_per_sec", 0, 1e9, rate_per_sec, "msgs/s", "0"),
    WB("daily_curve", daily_curve, "true"),
    WD("peak1_hour", 0, 24, peak1_hour, "h", "11"),
    WD("peak2_hour", 0, 24, peak2_hour, "h", "14"),
    WD("peak_width_h", 0.05, 24, peak_width_h, "h", "2"),
    WD("night_level", 0, 1, night_level, "0..1", "0.05"),
    WD("thread_reply_fraction", 0, 1, thread_reply_fraction, "0..1", "0.3"),
};
#undef WD
#undef WI
#undef WB
#undef WS

/* A lower bound on the world's footprint: ~49 bytes per user were measured
 * for peak_hour_12m (753 MiB at 16M users), so 48 bytes a user is a floor.
 * A scenario that cannot fit in this machine's memory is refused here, with
 * a message, instead of aborting in an allocation half-way through the
 * build of the world. */
static gboolean check_memory(const sim_scenario *sc, const slack_cfg *cfg, GError **error)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return TRUE;   /* unknown: let the allocator decide */
    double need_gib = 48.0 * (double)cfg->users / (1024.0 * 1024.0 * 1024.0);
    double have_gib = (double)pages * (double)page / (1024.0 * 1024.0 * 1024.0);
    if (need_gib > have_gib)
        return sim_error_at(error, SIM_ERROR_VALUE, sim_scenario_origin(sc), NULL,
                            "workload.users: %" G_GINT64_FORMAT " users need at least %.1f GiB, "
                            "more than this machine's %.1f GiB", cfg->users, need_gib, have_gib);
    return TRUE;
}

static gboolean wl_validate(const sim_scenario *sc, const slack_config *config, GError **error)
{
    const slack_cfg *cfg = &config->core;
    const char *o = sim_scenario_origin(sc);
    if (cfg->workspaces > cfg->users)
        return sim_error_at(error, SIM_ERROR_VALUE, o, NULL, "workload.workspaces (%" G_GINT64_FORMAT
                            ") exceeds workload.users (%" G_GINT64_FORMAT ")", cfg->workspaces, cfg->users);
    if (cfg->users > 4000000000LL / 2)
        return sim_error_at(error, SIM_ERROR_VALUE, o, NULL, "workload.users must be < 2e9 (32-bit user ids)");
    return check_memory(sc, cfg, error);
}

static gboolean wl_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    sim_rng build;
    sim_ctx_stream(m->ctx, "workload.build", &build);
    m->wl = wl_new(m->cfg, &build);
    return TRUE;
}

static void wl_component_free(slack_model *m) { wl_free(m->wl); }

static cJSON *wl_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "users", wl_users(m->wl));
    cJSON_AddNumberToObject(o, "connected_at_start", (double)slack_cfg_online_users(m->cfg));
    cJSON_AddNumberToObject(o, "workspaces", wl_workspaces(m->wl));
    cJSON_AddNumberToObject(o, "channels", wl_channels(m->wl));
    cJSON_AddNumberToObject(o, "memberships", (double)wl_memberships(m->wl));
    cJSON_AddNumberToObject(o, "largest_channel", wl_channel_max_size(m->wl));
    cJSON_AddNumberToObject(o, "members_per_message_mean", wl_mean_channel_size_by_activity(m->wl));
    cJSON_AddNumberToObject(o, "rate_per_sec_base", m->arr.base_rate);
    return o;
}

const slack_component wl_component = {
    .name = "workload", .fields = wl_fields, .n_fields = G_N_ELEMENTS(wl_fields),
    .config_offset = offsetof(slack_config, core), .validate = wl_validate,
    .build = wl_build, .free = wl_component_free, .summary = wl_summary,
};

gboolean wl_pick_connected(const slack_model *m, sim_rng *rng, uint32_t *user)
{
    uint32_t n = wl_users(m->wl);
    for (int i = 0; i < 16 && n; i++) {
        uint32_t u = (uint32_t)sim_rng_below(rng, n);
        if (m->conn[u] != GW_NONE) { *user = u; return TRUE; }
    }
    return FALSE;
}
