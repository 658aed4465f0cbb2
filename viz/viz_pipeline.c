/* viz_pipeline: scene 2, the seed's Message Storage & Delivery Pipeline as
 * four live queueing stations (gateway in, PostgreSQL, Kafka, fan-out):
 * each station's waiting jobs, busy servers, recent utilization and
 * latency, with keys that scale the send rate past saturation.
 *
 * Invariant: every figure is read from the model's stations; "recent"
 * figures are differences of the stations' own counters between samples
 * this scene takes once per frame, kept in a bounded ring. */
#include "viz/viz_scene.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "viz/viz_chart.h"

#define STEPS   4
#define HIST    600      /* samples kept for the charts */
#define RECENT  45       /* samples averaged for "recent" figures (~1.5 s wall) */

typedef struct sample {
    double t;                    /* simulated seconds */
    double queue[STEPS];         /* waiting jobs */
    double busy_s[STEPS];        /* utilization since t = 0 times t: busy seconds per server */
    double completed[STEPS];
    double backlog[STEPS];       /* seconds of work ahead of a new arrival */
} sample;

typedef struct viz_pipeline {
    double rate;                 /* factor given to slack_model_set_rate_factor */
    sample ring[HIST];
    size_t head, count;          /* ring of samples, oldest at head */
    double qscale[STEPS];        /* queue tube full-scale, grows with the peak */
    sim_time last_t;
    /* Layout, computed in update (text measured on a private 1x1 surface)
     * so that drawing and hit-testing only read it. */
    cairo_surface_t *msurf;
    cairo_t *measure;
    char rate_line[200];         /* the send-rate headline */
    double title_y, rate_x, rate_y;
    double cards_y, card_w, card_h, card_header, gap;
    gboolean charts;             /* room for the history charts */
    double charts_y, charts_h;
} viz_pipeline;

static const slack_station_id step_station[STEPS] = {
    SLACK_STATION_GATEWAY_IN, SLACK_STATION_POSTGRES, SLACK_STATION_KAFKA, SLACK_STATION_FANOUT,
};

/* The seed's four steps, in its words (shortened for a slide). */
static const char *const step_title[STEPS] = {
    "Sender \u2192 WebSocket \u2192 Message Server",
    "Persist to PostgreSQL (source of truth)",
    "Publish to Kafka (channel_id = partition key)",
    "Fan-out: online \u2192 WebSocket, offline \u2192 push",
};
static const char *const step_note[STEPS] = {
    "The gateway holding the sender's WebSocket forwards to the message service.",
    "The message service assigns the ts id and writes the row, partitioned by channel_id.",
    "One partition per channel key keeps a channel's messages in order.",
    "Reads membership from Redis, pushes to online members' gateways, queues APNs/FCM for the rest.",
};

static void clear_history(viz_pipeline *s)
{
    s->head = s->count = 0;
    s->last_t = -1;
    for (int i = 0; i < STEPS; i++) s->qscale[i] = 10;
}

static void *pipeline_init(viz_world *w)
{
    (void)w;
    viz_pipeline *s = g_new0(viz_pipeline, 1);
    s->rate = 1.0;
    s->msurf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    s->measure = cairo_create(s->msurf);
    clear_history(s);
    return s;
}

static void pipeline_unload(void *p)
{
    viz_pipeline *s = p;
    if (!s) return;
    cairo_destroy(s->measure);
    cairo_surface_destroy(s->msurf);
    g_free(s);
}

static void pipeline_reset(void *p, viz_world *w)
{
    viz_pipeline *s = p;
    (void)w;
    s->rate = 1.0;   /* the new model starts at its configured rate */
    clear_history(s);
}

static const sample *nth(const viz_pipeline *s, size_t i)   /* 0 = oldest */
{
    return &s->ring[(s->head + i) % HIST];
}

static void layout(viz_pipeline *s, const viz_frame *f);

static void pipeline_update(void *p, viz_world *w, viz_frame *f)
{
    viz_pipeline *s = p;
    layout(s, f);
    sim_time now = viz_world_now(w);
    if (now == s->last_t) return;   /* paused: nothing new to sample */
    s->last_t = now;
    const slack_model *m = viz_world_model_const(w);
    sample smp = { .t = sim_time_to_sec(now) };
    for (int i = 0; i < STEPS; i++) {
        slack_stage_info info;
        slack_model_stage_info(m, step_station[i], &info);
        smp.queue[i] = info.queue;
        smp.busy_s[i] = info.utilization * smp.t;
        smp.completed[i] = (double)info.completed;
        smp.backlog[i] = info.backlog_s;
        /* The tube's scale only grows (to 1.25x a new peak) so a filling
         * queue is seen filling, not rescaled away. */
        if (smp.queue[i] > s->qscale[i]) s->qscale[i] = smp.queue[i] * 1.25;
    }
    if (s->count < HIST) s->ring[(s->head + s->count++) % HIST] = smp;
    else { s->ring[s->head] = smp; s->head = (s->head + 1) % HIST; }
}

/* Busy fraction of step i between samples a and b (0-based, a < b): the
 * model reports utilization averaged since t = 0, so U(t) t is the busy
 * time and its difference over an interval is that interval's busy time. */
static double util_between(const viz_pipeline *s, int i, size_t a, size_t b)
{
    const sample *x = nth(s, a), *y = nth(s, b);
    if (!(y->t > x->t)) return NAN;
    return fmin(1, fmax(0, (y->busy_s[i] - x->busy_s[i]) / (y->t - x->t)));
}

/* Recent busy fraction and completions per simulated second of step i. */
static void recent(const viz_pipeline *s, int i, double *util, double *rate)
{
    *util = NAN;
    *rate = NAN;
    if (s->count < 2) return;
    size_t n = MIN(s->count, RECENT), first = s->count - n;
    *util = util_between(s, i, first, s->count - 1);
    const sample *a = nth(s, first), *b = nth(s, s->count - 1);
    if (b->t > a->t) *rate = (b->completed[i] - a->completed[i]) / (b->t - a->t);
}

/* Height of card i's title and note, so every card's figures can start
 * at the same height. */
static double card_header(cairo_t *cr, const viz_style *sty, int i, double w, double h)
{
    double th = viz_text_height(cr, sty, w < 260 ? 12.5 : 14.5, TRUE, w - 52, step_title[i]) + 2;
    if (h > 330) th += viz_text_height(cr, sty, 11.5, FALSE, w - 52, step_note[i]);
    return th;
}

static void draw_station(const viz_pipeline *s, const sim_station *st, int i, const viz_frame *f,
                         cairo_t *cr, double x, double y, double w, double h, double header)
{
    const viz_style *sty = &f->style;
    viz_panel(cr, x, y, w, h, VIZ_C_PANEL, VIZ_C_EDGE);
    /* Step number and title. */
    viz_color_set(cr, VIZ_C_BLUE, 1);
    cairo_arc(cr, x + 22, y + 22, 14, 0, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    viz_textf(cr, sty, x + 22, y + 22 - 9 * sty->text_scale, 15, TRUE, VIZ_ALIGN_CENTER, "%d", i + 1);
    viz_color_set(cr, VIZ_C_TEXT, 1);
    double ty = y + 8;
    ty += viz_text(cr, sty, x + 44, ty, w < 260 ? 12.5 : 14.5, TRUE, VIZ_ALIGN_LEFT, w - 52, step_title[i]) + 2;
    /* The seed's explanation only where the card has room for it and the
     * figures below; the figures matter more. */
    if (h > 330) {
        viz_color_set(cr, VIZ_C_MUTED, 1);
        ty += viz_text(cr, sty, x + 44, ty, 11.5, FALSE, VIZ_ALIGN_LEFT, w - 52, step_note[i]);
    }
    ty = fmax(y + 8 + header + 8, y + 44);   /* aligned across the cards */
    double util, rate;
    recent(s, i, &util, &rate);
    const sample *last = s->count ? nth(s, s->count - 1) : NULL;
    /* Queue tube on the left: waiting jobs against a scale that only grows. */
    double tube_w = fmin(54, w * 0.22), tube_h = h - (ty - y) - 12, tx = x + 14, tyy = ty;
    uint64_t q = last ? (uint64_t)last->queue[i] : 0;
    double fill = fmin(1, q / s->qscale[i]);
    viz_color_set(cr, VIZ_C_BG, 1);
    cairo_rectangle(cr, tx, tyy, tube_w, tube_h);
    cairo_fill(cr);
    viz_color_set(cr, util > 0.9 ? VIZ_C_VERMILLION : VIZ_C_ORANGE, 1);
    cairo_rectangle(cr, tx, tyy + tube_h * (1 - fill), tube_w, tube_h * fill);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_TEXT, 0.8);
    cairo_set_line_width(cr, 1.5);
    cairo_rectangle(cr, tx, tyy, tube_w, tube_h);
    cairo_stroke(cr);
    /* Figures on the right. */
    double fx = tx + tube_w + 14, fw = x + w - fx - 12, fy = tyy;
    char b1[32], b2[32];
    viz_color_set(cr, VIZ_C_TEXT, 1);
    fy += viz_textf(cr, sty, fx, fy, 13, FALSE, VIZ_ALIGN_LEFT, "waiting  %s", viz_fmt_count(b1, sizeof b1, (double)q));
    if (!st) {
        /* Gateways are per-core CPUs rather than a queueing station: their
         * queue is the work booked ahead of a new message. */
        fy += viz_textf(cr, sty, fx, fy, 13, FALSE, VIZ_ALIGN_LEFT, "backlog  %s",
                        viz_fmt_duration(b1, sizeof b1, last ? last->backlog[i] * 1e9 : 0)) + 8;
    }
    unsigned c = st ? sim_station_servers(st) : 0;
    uint64_t busy = st ? sim_station_in_service(st) : 0;
    if (st)
        fy += viz_textf(cr, sty, fx, fy, 13, FALSE, VIZ_ALIGN_LEFT, "busy  %" G_GUINT64_FORMAT " / %u servers", busy, c) + 4;
    /* Servers: one square each when they fit, else a bar. */
    if (!st) {
        /* no servers to draw */
    } else if (c <= 48) {
        double sq = fmin(16, (fw - 11 * 3) / 12.0);
        for (unsigned k = 0; k < c; k++) {
            double sx = fx + (k % 12) * (sq + 3), sy = fy + (k / 12) * (sq + 3);
            viz_color_set(cr, k < busy ? VIZ_C_BLUE : VIZ_C_EDGE, k < busy ? 1 : 0.5);
            cairo_rectangle(cr, sx, sy, sq, sq);
            cairo_fill(cr);
        }
        fy += ((c + 11) / 12) * (sq + 3) + 6;
    } else {
        viz_color_set(cr, VIZ_C_EDGE, 0.5);
        cairo_rectangle(cr, fx, fy, fw, 12);
        cairo_fill(cr);
        viz_color_set(cr, VIZ_C_BLUE, 1);
        cairo_rectangle(cr, fx, fy, fw * (double)busy / c, 12);
        cairo_fill(cr);
        fy += 18;
    }
    /* Utilization gauge. */
    double u = isnan(util) ? 0 : util;
    viz_color_set(cr, VIZ_C_EDGE, 0.4);
    cairo_rectangle(cr, fx, fy + 20 * sty->text_scale, fw, 14);
    cairo_fill(cr);
    viz_color_set(cr, u >= 0.9 ? VIZ_C_VERMILLION : VIZ_C_GREEN, 1);
    cairo_rectangle(cr, fx, fy + 20 * sty->text_scale, fw * fmin(1, u), 14);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_TEXT, 1);
    /* A quiet stage is not "0%": small loads keep two significant digits. */
    viz_textf(cr, sty, fx, fy, 13, TRUE, VIZ_ALIGN_LEFT, u > 0 && u < 0.01 ? "utilization %.2g%%" : "utilization %.0f%%", 100 * u);
    fy += 20 * sty->text_scale + 22;
    if (st) {
        const sim_hist *soj = sim_station_sojourn_hist(st);
        fy += viz_textf(cr, sty, fx, fy, 13, FALSE, VIZ_ALIGN_LEFT, "latency p50 %s",
                        viz_fmt_duration(b1, sizeof b1, (double)sim_hist_percentile(soj, 50)));
        fy += viz_textf(cr, sty, fx, fy, 13, FALSE, VIZ_ALIGN_LEFT, "latency p99 %s",
                        viz_fmt_duration(b2, sizeof b2, (double)sim_hist_percentile(soj, 99)));
    }
    fy += viz_textf(cr, sty, fx, fy, 13, FALSE, VIZ_ALIGN_LEFT, "done %s/s",
                    isnan(rate) ? "\u2014" : viz_fmt_count(b1, sizeof b1, round(rate)));
    if (st && sim_station_dropped(st) > 0) {
        viz_color_set(cr, VIZ_C_VERMILLION, 1);
        viz_textf(cr, sty, fx, fy, 13, TRUE, VIZ_ALIGN_LEFT, "dropped %s",
                  viz_fmt_count(b1, sizeof b1, (double)sim_station_dropped(st)));
    }
}

static void draw_history(const viz_pipeline *s, const viz_frame *f, cairo_t *cr, double x, double y,
                         double w, double h)
{
    size_t n = s->count;
    double *t = g_new0(double, n + 1), *u = g_new0(double, (n + 1) * STEPS), *q = g_new0(double, (n + 1) * STEPS);
    for (size_t k = 0; k < n; k++) {
        const sample *sm = nth(s, k);
        t[k] = sm->t;
        for (int i = 0; i < STEPS; i++) {
            /* Busy fraction over the last ~10 samples: smooth enough to
             * read, recent enough to show a surge. */
            size_t lo = k >= 10 ? k - 10 : 0;
            u[i * (n + 1) + k] = 100 * util_between(s, i, lo, k);
            q[i * (n + 1) + k] = sm->queue[i];
        }
    }
    static const char *const names[STEPS] = { "1 gateway", "2 PostgreSQL", "3 Kafka", "4 fan-out" };
    viz_line lu[STEPS], lq[STEPS];
    for (int i = 0; i < STEPS; i++) {
        lu[i] = (viz_line){ names[i], t, u + i * (n + 1), n };
        lq[i] = (viz_line){ names[i], t, q + i * (n + 1), n };
    }
    viz_axes ax;
    viz_axes_init(&ax, "Utilization per stage", "simulated time (s)", "busy servers (%)");
    ax.ymin = 0;
    ax.ymax = 100;
    viz_chart_lines(cr, &f->style, x, y, w / 2 - 6, h, &ax, lu, STEPS);
    viz_axes_init(&ax, "Waiting messages per stage", "simulated time (s)", "queue length (messages)");
    viz_chart_lines(cr, &f->style, x + w / 2 + 6, y, w / 2 - 6, h, &ax, lq, STEPS);
    g_free(t); g_free(u); g_free(q);
}

static const char TITLE[] = "Message Storage & Delivery Pipeline";

static void layout(viz_pipeline *s, const viz_frame *f)
{
    cairo_t *cr = s->measure;
    const viz_style *st = &f->style;
    double x = f->x + 12, y = f->y + 10, wd = f->w - 24;
    char b1[32];
    double util, sent;
    recent(s, 0, &util, &sent);
    snprintf(s->rate_line, sizeof s->rate_line, "send rate \u00d7%g of the scenario: %s msg/s   (\u2191/\u2193 \u00d72, 0 resets)",
             s->rate, isnan(sent) ? "\u2014" : viz_fmt_count(b1, sizeof b1, round(sent)));
    double tw, rw, th, rh;
    viz_text_size(cr, st, 20, TRUE, TITLE, &tw, &th);
    viz_text_size(cr, st, 15, TRUE, s->rate_line, &rw, &rh);
    /* The rate beside the title when both fit, else below it. */
    s->title_y = y;
    s->rate_x = x + wd;
    s->rate_y = tw + rw + 30 < wd ? y + 3 : y + th + 2;
    s->cards_y = fmax(y + th, s->rate_y + rh) + 8;
    double avail = f->y + f->h - s->cards_y - 10;
    /* On a small canvas (or in projector zoom) the cards get all the room:
     * their figures matter more than the history charts. */
    s->charts = avail >= 420;
    s->gap = 16;
    s->card_h = s->charts ? avail * 0.56 : avail;
    s->card_w = (wd - 3 * s->gap) / STEPS;
    s->card_header = 0;
    for (int i = 0; i < STEPS; i++) s->card_header = fmax(s->card_header, card_header(cr, st, i, s->card_w, s->card_h));
    s->charts_y = s->cards_y + s->card_h + 12;
    s->charts_h = avail - s->card_h - 12;
}

static void pipeline_draw(const void *p, const viz_world *w, const viz_frame *f, cairo_t *cr)
{
    const viz_pipeline *s = p;
    const slack_model *m = viz_world_model_const(w);
    const viz_style *st = &f->style;
    double x = f->x + 12, wd = f->w - 24;
    viz_color_set(cr, VIZ_C_TEXT, 1);
    viz_text(cr, st, x, s->title_y, 20, TRUE, VIZ_ALIGN_LEFT, 0, TITLE);
    viz_color_set(cr, s->rate > 1 ? VIZ_C_VERMILLION : VIZ_C_TEXT, 1);
    viz_text(cr, st, s->rate_x, s->rate_y, 15, TRUE, VIZ_ALIGN_RIGHT, 0, s->rate_line);
    for (int i = 0; i < STEPS; i++) {
        double cx = x + i * (s->card_w + s->gap), y = s->cards_y;
        draw_station(s, slack_model_station(m, step_station[i]), i, f, cr, cx, y, s->card_w, s->card_h, s->card_header);
        if (i + 1 < STEPS) {
            viz_color_set(cr, VIZ_C_TEXT, 0.7);
            viz_arrow(cr, cx + s->card_w + 2, y + 30, cx + s->card_w + s->gap - 2, y + 30, 2.5, 8);
        }
    }
    if (s->charts) draw_history(s, f, cr, x, s->charts_y, wd, s->charts_h);
}

static gboolean pipeline_key(void *p, viz_world *w, viz_frame *f, int key)
{
    viz_pipeline *s = p;
    (void)f;
    double r = s->rate;
    /* Doubling: from a quiet channel to a saturated stage in a dozen
     * presses, each one visible. */
    if (key == VIZ_KEY_UP || key == ']') r *= 2;
    else if (key == VIZ_KEY_DOWN || key == '[') r /= 2;
    else if (key == '0') r = 1.0;
    else return FALSE;
    s->rate = fmin(1 << 20, fmax(1.0 / 64, r));
    slack_model_set_rate_factor(viz_world_model(w), s->rate);
    return TRUE;
}

/* Before the first frame, after the warm-up at the scenario's rate: a
 * scenario whose busiest step runs under PIPE_QUIET (general_channel: 1
 * msg/s, 0.01% of PostgreSQL) would show 0% everywhere, so the send rate is
 * doubled while the busiest step's utilization, predicted linear in the
 * rate from the warm-up's, stays under PIPE_TARGET; then a few simulated
 * seconds run at that rate. The headline shows the factor; 0 returns to
 * the scenario's rate, Up reaches saturation in one or two presses. */
#define PIPE_QUIET  0.05
#define PIPE_TARGET 0.5
#define PIPE_MAX_FACTOR 4096.0
#define PIPE_SETTLE_S 3.0
static void pipeline_prepare(void *p, viz_world *w, viz_frame *f)
{
    viz_pipeline *s = p;
    if (s->rate != 1.0 || viz_world_warmup(w) <= 0) return;
    const slack_model *m = viz_world_model_const(w);
    double umax = 0;
    for (int i = 0; i < STEPS; i++) {
        slack_stage_info info;
        slack_model_stage_info(m, step_station[i], &info);
        umax = fmax(umax, info.utilization);
    }
    if (!(umax > 0) || umax >= PIPE_QUIET) return;
    double r = 1;
    while (r * 2 <= PIPE_MAX_FACTOR && umax * r * 2 <= PIPE_TARGET) r *= 2;
    if (r <= 1) return;
    s->rate = r;
    slack_model_set_rate_factor(viz_world_model(w), r);
    for (int k = 0; k < 30; k++) {
        viz_world_warm_up(w, PIPE_SETTLE_S / 30, VIZ_WARMUP_DELIVERIES / 30);
        f->shown = FALSE;
        pipeline_update(s, w, f);
    }
    snprintf(f->toast, sizeof f->toast,
             "send rate \u00d7%g so the stations show load (\u00d71 kept them under %.0f%%); 0 returns to the scenario's rate",
             r, 100 * PIPE_QUIET);
}

/* The card under (x, y), or -1. */
static int card_at(const viz_pipeline *s, const viz_frame *f, double x, double y)
{
    if (y < s->cards_y || y > s->cards_y + s->card_h) return -1;
    double rel = x - f->x - 12;
    int i = (int)floor(rel / (s->card_w + s->gap));
    if (i < 0 || i >= STEPS || rel - i * (s->card_w + s->gap) > s->card_w) return -1;
    return i;
}

/* A click on a card inspects its station. */
static gboolean pipeline_click(void *p, viz_world *w, viz_frame *f, double x, double y)
{
    (void)w;
    int i = card_at(p, f, x, y);
    if (i < 0) return FALSE;
    f->inspect = (viz_inspect_target){ VIZ_INSPECT_STATION, step_station[i] };
    return TRUE;
}

static char *pipeline_hover(const void *p, const viz_world *w, const viz_frame *f, double x, double y)
{
    const viz_pipeline *s = p;
    int i = card_at(s, f, x, y);
    if (i < 0) return NULL;
    const sim_station *st = slack_model_station(viz_world_model_const(w), step_station[i]);
    if (!st) {
        slack_stage_info info;
        slack_model_stage_info(viz_world_model_const(w), step_station[i], &info);
        return g_strdup_printf("gateways: per-core CPUs, not one queue\nutilization since start %.1f%%\n"
                               "backlog now %.3f ms\nmessages sent %" G_GUINT64_FORMAT,
                               100 * info.utilization, info.backlog_s * 1e3, info.completed);
    }
    const sim_hist *wait = sim_station_wait_hist(st);
    return g_strdup_printf("station \"%s\"\narrivals %" G_GUINT64_FORMAT ", completed %" G_GUINT64_FORMAT
                           ", dropped %" G_GUINT64_FORMAT "\nutilization since start %.1f%%\n"
                           "mean queue %.2f\nwait p50 %.3f ms, p99 %.3f ms",
                           sim_station_name(st), sim_station_arrivals(st), sim_station_completed(st),
                           sim_station_dropped(st), 100 * sim_station_utilization(st),
                           sim_station_mean_queue(st), sim_hist_percentile(wait, 50) / 1e6,
                           sim_hist_percentile(wait, 99) / 1e6);
}

static const viz_key_help pipeline_keys[] = {
    { "\u2191 / ]", "double the send rate (push a stage past saturation)" },
    { "\u2193 / [", "halve the send rate" },
    { "0", "send rate back to the scenario's" },
    { NULL, NULL },
};

const viz_scene_ops viz_scene_pipeline = {
    .name = "pipeline", .title = "Pipeline",
    .init = pipeline_init, .unload = pipeline_unload, .reset = pipeline_reset,
    .update = pipeline_update, .draw = pipeline_draw, .key = pipeline_key,
    .click = pipeline_click, .hover = pipeline_hover, .keys = pipeline_keys,
    .speed = 1.0,
    /* Ten simulated seconds: the charts have a history and the cards a
     * rate before the first frame. */
    .warmup_s = 10.0,
    .prepare = pipeline_prepare,
};
