/* viz_inspect: the inspector panel (a stage, gateway, Kafka partition or
 * Redis shard) and its sampled history.
 *
 * Invariant: every figure is read from the model when drawn or sampled;
 * the history holds one sample per frame in which simulated time moved,
 * in a bounded ring, and restarts whenever the target or the model changes.
 * "Recent utilization" is the difference of the station's own busy time
 * (utilization since t = 0 times t) over the ring, as in the pipeline. */
#include "viz/viz_inspect.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HIST 240             /* samples kept (~8 s of frames at 30 fps) */

typedef struct isample {
    double t;                /* simulated seconds */
    double value;            /* the sparkline's figure: queue, connections or lag */
    double busy_s;           /* utilization since t = 0 times t; NAN where none */
} isample;

struct viz_inspector {
    viz_inspect_target target;
    isample ring[HIST];
    guint head, count;       /* oldest at head */
    sim_time last_t;         /* time of the newest sample; -1 none */
};

static const char *const station_title[SLACK_STATION_COUNT] = {
    [SLACK_STATION_GATEWAY_IN]  = "Gateway in (busiest gateway CPU)",
    [SLACK_STATION_POSTGRES]    = "PostgreSQL writers",
    [SLACK_STATION_KAFKA]       = "Kafka (busiest partition leader)",
    [SLACK_STATION_FANOUT]      = "Fan-out consumer (busiest)",
    [SLACK_STATION_GATEWAY_OUT] = "Gateway out (WebSocket pushes)",
    [SLACK_STATION_PUSH]        = "Push provider (APNs / FCM)",
    [SLACK_STATION_REDIS]       = "Redis (shard 0)",
};

/* ==== API ============================================================ */

viz_inspector *viz_inspector_new(void)
{
    viz_inspector *in = g_new0(viz_inspector, 1);
    in->last_t = -1;
    return in;
}

void viz_inspector_free(viz_inspector *in) { g_free(in); }

static void clear_history(viz_inspector *in)
{
    in->head = in->count = 0;
    in->last_t = -1;
}

void viz_inspector_open(viz_inspector *in, viz_inspect_target t)
{
    if (t.kind != VIZ_INSPECT_NONE && in->target.kind == t.kind && in->target.index == t.index) t.kind = VIZ_INSPECT_NONE;
    in->target = t;
    clear_history(in);
}

void viz_inspector_close(viz_inspector *in) { viz_inspector_open(in, (viz_inspect_target){ VIZ_INSPECT_NONE, 0 }); }

viz_inspect_target viz_inspector_target(const viz_inspector *in) { return in->target; }

/* How many targets of `kind` the model has. */
static uint32_t kind_count(const slack_model *m, viz_inspect_kind kind)
{
    switch (kind) {
    case VIZ_INSPECT_STATION: return SLACK_STATION_COUNT;
    case VIZ_INSPECT_GATEWAY: return slack_model_gateways(m);
    case VIZ_INSPECT_PARTITION: return slack_model_partitions(m);
    case VIZ_INSPECT_REDIS: return slack_model_redis_shards(m);
    default: return 0;
    }
}

void viz_inspector_cycle(viz_inspector *in, const viz_world *w, int dir)
{
    uint32_t n = kind_count(viz_world_model_const(w), in->target.kind);
    if (n == 0) return;
    in->target.index = (in->target.index + n + (dir < 0 ? n - 1 : 1)) % n;
    clear_history(in);
}

void viz_inspector_reset(viz_inspector *in, const viz_world *w)
{
    clear_history(in);
    if (in->target.index >= kind_count(viz_world_model_const(w), in->target.kind))
        in->target.kind = VIZ_INSPECT_NONE;
}

/* The station behind a target, if it is one (stations and Redis shards). */
static const sim_station *target_station(const slack_model *m, viz_inspect_target t)
{
    if (t.kind == VIZ_INSPECT_STATION) return slack_model_station(m, (slack_station_id)t.index);
    if (t.kind == VIZ_INSPECT_REDIS) return slack_model_redis_shard(m, t.index);
    return NULL;
}

gboolean viz_inspector_facts(const viz_inspector *in, const viz_world *w, viz_inspect_facts *out)
{
    memset(out, 0, sizeof *out);
    viz_inspect_target t = in->target;
    const slack_model *m = viz_world_model_const(w);
    if (t.kind == VIZ_INSPECT_NONE || t.index >= kind_count(m, t.kind)) return FALSE;
    out->samples = in->count;
    out->utilization = NAN;
    switch (t.kind) {
    case VIZ_INSPECT_STATION: {
        slack_stage_info info;
        slack_model_stage_info(m, (slack_station_id)t.index, &info);
        snprintf(out->title, sizeof out->title, "%s", station_title[t.index] ? station_title[t.index] : "stage");
        out->queue = info.queue;
        out->utilization = info.utilization;
        out->count = info.completed;
        break;
    }
    case VIZ_INSPECT_REDIS: {
        const sim_station *st = slack_model_redis_shard(m, t.index);
        snprintf(out->title, sizeof out->title, "Redis shard %u", t.index);
        out->queue = (double)sim_station_in_queue(st);
        out->utilization = sim_station_utilization(st);
        out->count = sim_station_completed(st);
        break;
    }
    case VIZ_INSPECT_GATEWAY:
        snprintf(out->title, sizeof out->title, "gw-%u%s", t.index,
                 slack_model_gateway_alive(m, t.index) ? "" : " (DOWN)");
        out->queue = NAN;
        out->count = slack_model_gateway_connections(m, t.index);
        break;
    case VIZ_INSPECT_PARTITION:
        snprintf(out->title, sizeof out->title, "Kafka partition %u", t.index);
        out->queue = (double)slack_model_partition_lag_now(m, t.index);
        out->count = slack_model_partition_lag_max(m, t.index);
        break;
    default: return FALSE;
    }
    return TRUE;
}

void viz_inspector_sample(viz_inspector *in, const viz_world *w)
{
    if (in->target.kind == VIZ_INSPECT_NONE) return;
    sim_time now = viz_world_now(w);
    if (now == in->last_t) return;
    in->last_t = now;
    viz_inspect_facts f;
    if (!viz_inspector_facts(in, w, &f)) return;
    isample s = { sim_time_to_sec(now), in->target.kind == VIZ_INSPECT_GATEWAY ? (double)f.count : f.queue, NAN };
    if (isfinite(f.utilization)) s.busy_s = f.utilization * s.t;
    if (in->count < HIST) in->ring[(in->head + in->count++) % HIST] = s;
    else { in->ring[in->head] = s; in->head = (in->head + 1) % HIST; }
}

/* ==== Drawing ======================================================== */

static const isample *nth(const viz_inspector *in, guint i) { return &in->ring[(in->head + i) % HIST]; }

/* Busy fraction over the ring (NAN without two samples or a station). */
static double recent_util(const viz_inspector *in)
{
    if (in->count < 2) return NAN;
    const isample *a = nth(in, 0), *b = nth(in, in->count - 1);
    if (!(b->t > a->t) || !isfinite(a->busy_s) || !isfinite(b->busy_s)) return NAN;
    return fmin(1, fmax(0, (b->busy_s - a->busy_s) / (b->t - a->t)));
}

#define PAD 14.0
#define ROW 16.0             /* text size of the rows */

static double row(cairo_t *cr, const viz_style *st, double x, double y, double w, const char *k, const char *v)
{
    viz_color_set(cr, VIZ_C_MUTED, 1);
    double h = viz_text_fit(cr, st, x, y, ROW, FALSE, VIZ_ALIGN_LEFT, w * 0.55, k);
    viz_color_set(cr, VIZ_C_TEXT, 1);
    viz_text_fit(cr, st, x + w, y, ROW, TRUE, VIZ_ALIGN_RIGHT, w * 0.45, v);
    return h + 2;
}

gboolean viz_inspector_button(const viz_inspector *in, double x, double y, double w, double h, double b[4])
{
    if (in->target.kind != VIZ_INSPECT_GATEWAY) return FALSE;
    b[0] = x + PAD;
    b[1] = y + h - PAD - 40;
    b[2] = w - 2 * PAD;
    b[3] = 40;
    return TRUE;
}

void viz_inspector_draw(const viz_inspector *in, const viz_world *w, const viz_style *st,
                        double x, double y, double wd, double ht, cairo_t *cr)
{
    viz_inspect_facts f;
    if (!viz_inspector_facts(in, w, &f)) return;
    const slack_model *m = viz_world_model_const(w);
    cairo_save(cr);
    viz_color_set(cr, VIZ_C_BLACK, 0.18);
    viz_rounded_rect(cr, x + 4, y + 5, wd, ht, 10);
    cairo_fill(cr);
    viz_panel(cr, x, y, wd, ht, VIZ_C_PANEL, VIZ_C_BLUE);
    cairo_rectangle(cr, x, y, wd, ht);
    cairo_clip(cr);
    double cx = x + PAD, cw = wd - 2 * PAD, cy = y + PAD * 0.7;
    viz_color_set(cr, VIZ_C_TEXT, 1);
    cy += viz_text_fit(cr, st, cx, cy, 19, TRUE, VIZ_ALIGN_LEFT, cw, f.title) + 6;
    char v[64], b1[32], b2[32];
    const sim_station *sta = target_station(m, in->target);
    switch (in->target.kind) {
    case VIZ_INSPECT_STATION:
    case VIZ_INSPECT_REDIS:
        snprintf(v, sizeof v, "%.0f", f.queue);
        cy += row(cr, st, cx, cy, cw, "waiting now", v);
        if (sta) {
            snprintf(v, sizeof v, "%" G_GUINT64_FORMAT " / %u", sim_station_in_service(sta), sim_station_servers(sta));
            cy += row(cr, st, cx, cy, cw, "busy servers", v);
        }
        snprintf(v, sizeof v, "%.1f%%", 100 * f.utilization);
        cy += row(cr, st, cx, cy, cw, "utilization since start", v);
        {
            double u = recent_util(in);
            if (isfinite(u)) snprintf(v, sizeof v, "%.1f%%", 100 * u);
            else snprintf(v, sizeof v, "\u2014");
            cy += row(cr, st, cx, cy, cw, "utilization, sparkline span", v);
        }
        cy += row(cr, st, cx, cy, cw, "completed", viz_fmt_count(v, sizeof v, (double)f.count));
        if (sta) {
            const sim_hist *soj = sim_station_sojourn_hist(sta);
            snprintf(v, sizeof v, "%s / %s", viz_fmt_duration(b1, sizeof b1, sim_hist_percentile(soj, 50)),
                     viz_fmt_duration(b2, sizeof b2, sim_hist_percentile(soj, 99)));
            cy += row(cr, st, cx, cy, cw, "time in station p50 / p99", v);
        }
        break;
    case VIZ_INSPECT_GATEWAY:
        cy += row(cr, st, cx, cy, cw, "state", slack_model_gateway_alive(m, in->target.index) ? "alive" : "DOWN");
        cy += row(cr, st, cx, cy, cw, "WebSocket connections", viz_fmt_count(v, sizeof v, (double)f.count));
        {
            slack_stage_info info;
            slack_model_stage_info(m, SLACK_STATION_GATEWAY_IN, &info);
            snprintf(v, sizeof v, "%.1f%%", 100 * info.utilization);
            cy += row(cr, st, cx, cy, cw, "busiest gateway CPU", v);
        }
        break;
    case VIZ_INSPECT_PARTITION:
        snprintf(v, sizeof v, "%.0f", f.queue);
        cy += row(cr, st, cx, cy, cw, "consumer lag now", v);
        snprintf(v, sizeof v, "%" G_GUINT64_FORMAT, slack_model_partition_lag(m, in->target.index));
        cy += row(cr, st, cx, cy, cw, "largest lag, last interval", v);
        snprintf(v, sizeof v, "%" G_GUINT64_FORMAT, f.count);
        cy += row(cr, st, cx, cy, cw, "largest lag, whole run", v);
        break;
    default: break;
    }
    /* Sparkline of the sampled figure over the ring. */
    double bb[4];
    double bottom = viz_inspector_button(in, x, y, wd, ht, bb) ? bb[1] - 10 : y + ht - PAD;
    const char *what = in->target.kind == VIZ_INSPECT_GATEWAY ? "connections"
                       : in->target.kind == VIZ_INSPECT_PARTITION ? "lag" : "waiting";
    double lo = INFINITY, hi = -INFINITY;
    for (guint i = 0; i < in->count; i++) {
        double val = nth(in, i)->value;
        if (isfinite(val)) { lo = fmin(lo, val); hi = fmax(hi, val); }
    }
    char cap[128];
    if (in->count >= 2)
        snprintf(cap, sizeof cap, "%s \u00b7 last %.3g s \u00b7 max %s", what,
                 nth(in, in->count - 1)->t - nth(in, 0)->t, viz_fmt_count(b1, sizeof b1, hi));
    else
        snprintf(cap, sizeof cap, "%s: history starts when time runs", what);
    double capy = cy + 6;
    viz_color_set(cr, VIZ_C_MUTED, 1);
    double caph = viz_text_fit(cr, st, cx, capy, 14, FALSE, VIZ_ALIGN_LEFT, cw, cap);
    double sy = capy + caph + 4, sh = bottom - sy;
    if (sh >= 16 && in->count >= 2) {
        viz_color_set(cr, VIZ_C_BG, 1);
        cairo_rectangle(cr, cx, sy, cw, sh);
        cairo_fill(cr);
        double t0 = nth(in, 0)->t, t1 = nth(in, in->count - 1)->t;
        double span = hi > lo ? hi - lo : 1, base = hi > lo ? lo : lo - 0.5;
        if (hi == 0) base = 0;
        viz_color_set(cr, VIZ_C_BLUE, 1);
        cairo_set_line_width(cr, 2);
        for (guint i = 0; i < in->count; i++) {
            const isample *s = nth(in, i);
            if (!isfinite(s->value)) continue;
            double px = cx + (t1 > t0 ? (s->t - t0) / (t1 - t0) : 1) * cw;
            double py = sy + sh - 2 - (s->value - base) / span * (sh - 4);
            if (i == 0) cairo_move_to(cr, px, py);
            else cairo_line_to(cr, px, py);
        }
        cairo_stroke(cr);
    }
    if (viz_inspector_button(in, x, y, wd, ht, bb)) {
        gboolean alive = slack_model_gateway_alive(m, in->target.index);
        viz_button(cr, st, bb[0], bb[1], bb[2], bb[3], alive ? "Kill this gateway" : "Restore this gateway",
                   alive ? VIZ_C_VERMILLION : VIZ_C_GREEN, FALSE);
    }
    cairo_restore(cr);
}
