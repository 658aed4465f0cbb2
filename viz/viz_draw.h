/* viz_draw: the visualizer's drawing vocabulary on a cairo_t: the
 * colour-blind-safe palette (Okabe-Ito), Pango text that stays crisp at any
 * size, and the few shapes every scene uses (panels, buttons, counters,
 * tooltips). Nothing here knows about SDL: the same calls draw into a window
 * texture, a PNG, an SVG or a PDF. */
#ifndef VIZ_DRAW_H
#define VIZ_DRAW_H

#include <cairo.h>
#include <glib.h>

/* Okabe-Ito (2008) plus neutrals. Hues are told apart by people with any
 * of the common colour-vision deficiencies; no meaning rests on red vs
 * green alone, and states also differ in shape or fill. */
typedef enum {
    VIZ_C_BG,          /* page background */
    VIZ_C_PANEL,       /* cards and node boxes */
    VIZ_C_EDGE,        /* idle connectors, panel borders */
    VIZ_C_TEXT,        /* body text */
    VIZ_C_MUTED,       /* secondary text, offline members */
    VIZ_C_BLACK,
    VIZ_C_ORANGE,      /* #E69F00: push notifications, offline path */
    VIZ_C_SKY,         /* #56B4E9: gateways, WebSocket */
    VIZ_C_GREEN,       /* #009E73: online members */
    VIZ_C_YELLOW,      /* #F0E442: highlights */
    VIZ_C_BLUE,        /* #0072B2: the message, delivered pushes */
    VIZ_C_VERMILLION,  /* #D55E00: failures, saturation */
    VIZ_C_PURPLE,      /* #CC79A7: Kafka */
    VIZ_C_COUNT
} viz_color;

/* Sets the source colour with `alpha` in [0, 1]. */
void viz_color_set(cairo_t *cr, viz_color c, double alpha);
/* The colour as 0xRRGGBB (for tests that read pixels back). */
guint32 viz_color_rgb(viz_color c);
/* The i-th series colour of charts (cycles through the palette's hues). */
viz_color viz_series_color(size_t i);

typedef enum { VIZ_ALIGN_LEFT, VIZ_ALIGN_CENTER, VIZ_ALIGN_RIGHT } viz_align;

/* Style shared by every drawing call of a frame: text sizes in logical
 * pixels are multiplied by `text_scale`. The visualizer keeps it at 1 and
 * zooms the whole picture instead (viz_app), so layouts never overflow;
 * charts written to files use more for legibility on slides. */
typedef struct viz_style {
    double text_scale;   /* multiplies every text size */
    double min_size;     /* no text smaller than this (logical px, before text_scale); 0: none */
    const char *family;  /* font family; borrowed */
} viz_style;

/* The visualizer's floor on text size: a back row reads 16 px on a 720 px
 * canvas (docs/visualizer.md). Files written for slides use 0. */
#define VIZ_MIN_TEXT 16.0
/* Smallest size any text is drawn at: Pango refuses sizes <= 0 with a
 * critical, and a layout shrunk to nothing is never meant. */
#define VIZ_TINY_TEXT 1.0

/* text_scale <= 0 means 1; min_size starts at 0. */
void viz_style_init(viz_style *st, double text_scale);
/* The size text of `size` is drawn at, in logical px after text_scale:
 * at least min_size x text_scale and VIZ_TINY_TEXT. */
double viz_text_px(const viz_style *st, double size);

/* Draws UTF-8 text (Pango markup if `markup`) with its top edge at y and
 * its left/centre/right at x; `size` in logical points before scaling;
 * `width` > 0 wraps at that width. Returns the text's height. The current
 * source colour is used. */
double viz_text(cairo_t *cr, const viz_style *st, double x, double y, double size,
                gboolean bold, viz_align align, double width, const char *text);
/* printf-style convenience for plain (non-markup) text. */
double viz_textf(cairo_t *cr, const viz_style *st, double x, double y, double size,
                 gboolean bold, viz_align align, const char *fmt, ...) G_GNUC_PRINTF(8, 9);
/* Text with Pango markup (<b>, <span foreground=...>). */
double viz_markup(cairo_t *cr, const viz_style *st, double x, double y, double size,
                  viz_align align, double width, const char *markup);
/* One line of text no wider than `maxw`: the font shrinks down to 70% of
 * `size`, then the line is ellipsized. Returns the height drawn. */
double viz_text_fit(cairo_t *cr, const viz_style *st, double x, double y, double size,
                    gboolean bold, viz_align align, double maxw, const char *text);

/* Height of `text` wrapped at `width` (> 0) as viz_text would draw it. */
double viz_text_height(cairo_t *cr, const viz_style *st, double size, gboolean bold, double width,
                       const char *text);
/* Size of `text` as viz_text would draw it. */
void viz_text_size(cairo_t *cr, const viz_style *st, double size, gboolean bold,
                   const char *text, double *w, double *h);

void viz_rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r);
/* A filled card with a thin border. */
void viz_panel(cairo_t *cr, double x, double y, double w, double h, viz_color fill, viz_color border);
/* A rounded button with a centred label; `hot` draws it highlighted. */
void viz_button(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                const char *label, viz_color fill, gboolean hot);
/* A counter card: big number over a caption, and an optional note below. */
void viz_counter(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                 const char *value, const char *caption, const char *note, viz_color accent);
/* A tooltip box with `lines` (newline separated) near (x, y), kept inside
 * the w x h canvas. */
void viz_tooltip(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                 const char *lines);
/* An arrow from (x0,y0) to (x1,y1) with its head at the end. */
void viz_arrow(cairo_t *cr, double x0, double y0, double x1, double y1, double width, double head);

/* Formats a count compactly: 950, 12.3k, 4.56M. Writes into buf. */
/* `v` with about three significant digits and never e-notation, then
 * `unit`; returns buf. The one number formatter of the drawing layer. */
const char *viz_fmt_sig3(char *buf, size_t n, double v, const char *unit);
const char *viz_fmt_count(char *buf, size_t n, double v);
/* Formats a duration in ns with a fitting unit: 850 us, 12.4 ms, 3.20 s. */
const char *viz_fmt_duration(char *buf, size_t n, double ns);

#endif
