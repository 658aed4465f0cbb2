/* viz_draw: palette, Pango text and common shapes on a cairo_t.
 *
 * Invariant: every function leaves the cairo state as it found it except
 * for the current path (cleared) and, where documented, the source colour;
 * callers never need to save/restore around these calls. */
#include "viz/viz_draw.h"

#include <math.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <pango/pangocairo.h>

static const guint32 palette[VIZ_C_COUNT] = {
    [VIZ_C_BG]         = 0xF7F7F4,
    [VIZ_C_PANEL]      = 0xFFFFFF,
    [VIZ_C_EDGE]       = 0xB8B8B0,
    [VIZ_C_TEXT]       = 0x1A1A1A,
    [VIZ_C_MUTED]      = 0x6E6E6E,
    [VIZ_C_BLACK]      = 0x000000,
    [VIZ_C_ORANGE]     = 0xE69F00,
    [VIZ_C_SKY]        = 0x56B4E9,
    [VIZ_C_GREEN]      = 0x009E73,
    [VIZ_C_YELLOW]     = 0xF0E442,
    [VIZ_C_BLUE]       = 0x0072B2,
    [VIZ_C_VERMILLION] = 0xD55E00,
    [VIZ_C_PURPLE]     = 0xCC79A7,
};

/* Chart series order: the hues that stay distinct on white, yellow last
 * because it is faint on a light background. */
static const viz_color series_order[] = {
    VIZ_C_BLUE, VIZ_C_ORANGE, VIZ_C_GREEN, VIZ_C_VERMILLION,
    VIZ_C_PURPLE, VIZ_C_SKY, VIZ_C_BLACK, VIZ_C_YELLOW,
};

void viz_color_set(cairo_t *cr, viz_color c, double alpha)
{
    g_return_if_fail(c < VIZ_C_COUNT);
    guint32 v = palette[c];
    cairo_set_source_rgba(cr, ((v >> 16) & 0xFF) / 255.0, ((v >> 8) & 0xFF) / 255.0,
                          (v & 0xFF) / 255.0, alpha);
}

guint32 viz_color_rgb(viz_color c)
{
    g_return_val_if_fail(c < VIZ_C_COUNT, 0);
    return palette[c];
}

viz_color viz_series_color(size_t i)
{
    return series_order[i % G_N_ELEMENTS(series_order)];
}

void viz_style_init(viz_style *st, double text_scale)
{
    st->text_scale = text_scale > 0 ? text_scale : 1.0;
    st->min_size = 0;
    st->family = "DejaVu Sans, Sans";
}

double viz_text_px(const viz_style *st, double size)
{
    /* NaN (a layout divided by a zero width) falls to the floor too. */
    double s = size > st->min_size ? size : st->min_size;
    s *= st->text_scale;
    return s >= VIZ_TINY_TEXT ? s : VIZ_TINY_TEXT;
}

/* One PangoContext per cairo_t, kept as the context's user data: creating
 * a context per string (pango_cairo_create_layout) was a third of a
 * frame. The key's address is the key; it holds no state. */
static const cairo_user_data_key_t pango_ctx_key;

static PangoContext *context_for(cairo_t *cr)
{
    PangoContext *pc = cairo_get_user_data(cr, &pango_ctx_key);
    if (!pc) {
        pc = pango_cairo_create_context(cr);
        cairo_set_user_data(cr, &pango_ctx_key, pc, g_object_unref);
    } else {
        pango_cairo_update_context(cr, pc);   /* the transform may have changed */
    }
    return pc;
}

/* A layout for `text` at `size` points; caller unrefs. */
static PangoLayout *make_layout(cairo_t *cr, const viz_style *st, double size, gboolean bold,
                                double width, gboolean markup, const char *text)
{
    PangoLayout *lay = pango_layout_new(context_for(cr));
    PangoFontDescription *fd = pango_font_description_from_string(st->family);
    pango_font_description_set_absolute_size(fd, viz_text_px(st, size) * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    if (width > 0) {
        pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    }
    if (markup) pango_layout_set_markup(lay, text, -1);
    else pango_layout_set_text(lay, text, -1);
    return lay;
}

static double show_layout(cairo_t *cr, PangoLayout *lay, double x, double y, viz_align align, double width)
{
    int pw, ph;
    pango_layout_get_pixel_size(lay, &pw, &ph);
    double left = x;
    if (width > 0) {
        pango_layout_set_alignment(lay, align == VIZ_ALIGN_CENTER ? PANGO_ALIGN_CENTER
                                        : align == VIZ_ALIGN_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    } else if (align == VIZ_ALIGN_CENTER) {
        left = x - pw / 2.0;
    } else if (align == VIZ_ALIGN_RIGHT) {
        left = x - pw;
    }
    cairo_move_to(cr, left, y);
    pango_cairo_show_layout(cr, lay);
    cairo_new_path(cr);
    return ph;
}

double viz_text(cairo_t *cr, const viz_style *st, double x, double y, double size,
                gboolean bold, viz_align align, double width, const char *text)
{
    PangoLayout *lay = make_layout(cr, st, size, bold, width, FALSE, text);
    double h = show_layout(cr, lay, x, y, align, width);
    g_object_unref(lay);
    return h;
}

double viz_textf(cairo_t *cr, const viz_style *st, double x, double y, double size,
                 gboolean bold, viz_align align, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    double h = viz_text(cr, st, x, y, size, bold, align, 0, s);
    g_free(s);
    return h;
}

double viz_markup(cairo_t *cr, const viz_style *st, double x, double y, double size,
                  viz_align align, double width, const char *markup)
{
    PangoLayout *lay = make_layout(cr, st, size, FALSE, width, TRUE, markup);
    double h = show_layout(cr, lay, x, y, align, width);
    g_object_unref(lay);
    return h;
}

double viz_text_fit(cairo_t *cr, const viz_style *st, double x, double y, double size,
                    gboolean bold, viz_align align, double maxw, const char *text)
{
    PangoLayout *lay = make_layout(cr, st, size, bold, 0, FALSE, text);
    int pw, ph;
    pango_layout_get_pixel_size(lay, &pw, &ph);
    if (pw > maxw && maxw > 0) {
        g_object_unref(lay);
        double shrink = fmax(0.7, maxw / pw);
        lay = make_layout(cr, st, size * shrink, bold, 0, FALSE, text);
        pango_layout_get_pixel_size(lay, &pw, &ph);
        if (pw > maxw) {
            pango_layout_set_width(lay, (int)(maxw * PANGO_SCALE));
            pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
            pango_layout_get_pixel_size(lay, &pw, &ph);
        }
    }
    double left = align == VIZ_ALIGN_CENTER ? x - pw / 2.0 : align == VIZ_ALIGN_RIGHT ? x - pw : x;
    cairo_move_to(cr, left, y);
    pango_cairo_show_layout(cr, lay);
    cairo_new_path(cr);
    g_object_unref(lay);
    return ph;
}

double viz_text_height(cairo_t *cr, const viz_style *st, double size, gboolean bold, double width,
                       const char *text)
{
    PangoLayout *lay = make_layout(cr, st, size, bold, width, FALSE, text);
    int pw, ph;
    pango_layout_get_pixel_size(lay, &pw, &ph);
    g_object_unref(lay);
    return ph;
}

void viz_text_size(cairo_t *cr, const viz_style *st, double size, gboolean bold,
                   const char *text, double *w, double *h)
{
    PangoLayout *lay = make_layout(cr, st, size, bold, 0, FALSE, text);
    int pw, ph;
    pango_layout_get_pixel_size(lay, &pw, &ph);
    g_object_unref(lay);
    if (w) *w = pw;
    if (h) *h = ph;
}

void viz_rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
    r = fmin(r, fmin(w, h) / 2);
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
    cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

void viz_panel(cairo_t *cr, double x, double y, double w, double h, viz_color fill, viz_color border)
{
    viz_rounded_rect(cr, x, y, w, h, 8);
    viz_color_set(cr, fill, 1.0);
    cairo_fill_preserve(cr);
    viz_color_set(cr, border, 1.0);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
}

void viz_button(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                const char *label, viz_color fill, gboolean hot)
{
    viz_rounded_rect(cr, x, y, w, h, h / 4);
    viz_color_set(cr, fill, hot ? 1.0 : 0.88);
    cairo_fill_preserve(cr);
    viz_color_set(cr, VIZ_C_BLACK, hot ? 0.9 : 0.35);
    cairo_set_line_width(cr, hot ? 3 : 1.5);
    cairo_stroke(cr);
    /* The label shrinks to fit: buttons keep their size in projector mode. */
    double size = fmin(h * 0.40, 22) / st->text_scale, tw, th;
    viz_text_size(cr, st, size, TRUE, label, &tw, &th);
    if (tw > w - 16) {
        size *= (w - 16) / tw;
        viz_text_size(cr, st, size, TRUE, label, &tw, &th);
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    viz_text(cr, st, x + w / 2, y + (h - th) / 2, size, TRUE, VIZ_ALIGN_CENTER, 0, label);
}

void viz_counter(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                 const char *value, const char *caption, const char *note, viz_color accent)
{
    viz_panel(cr, x, y, w, h, VIZ_C_PANEL, VIZ_C_EDGE);
    viz_color_set(cr, accent, 1.0);
    cairo_rectangle(cr, x, y + 8, 5, h - 16);
    cairo_fill(cr);
    double vh = viz_text_fit(cr, st, x + w / 2, y + h * 0.08, h * 0.36, TRUE, VIZ_ALIGN_CENTER, w - 14, value);
    viz_color_set(cr, VIZ_C_TEXT, 1.0);
    double ch = viz_text_fit(cr, st, x + w / 2, y + h * 0.08 + vh, h * 0.15, FALSE, VIZ_ALIGN_CENTER, w - 14, caption);
    if (note && *note) {
        viz_color_set(cr, VIZ_C_MUTED, 1.0);
        viz_text_fit(cr, st, x + w / 2, y + h * 0.08 + vh + ch, h * 0.12, FALSE, VIZ_ALIGN_CENTER, w - 14, note);
    }
}

void viz_tooltip(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                 const char *lines)
{
    const double size = 14, pad = 10;
    double tw, th;
    PangoLayout *lay = make_layout(cr, st, size, FALSE, 0, FALSE, lines);
    int pw, ph;
    pango_layout_get_pixel_size(lay, &pw, &ph);
    tw = pw + 2 * pad;
    th = ph + 2 * pad;
    double bx = x + 16, by = y + 16;
    if (bx + tw > w - 4) bx = x - 16 - tw;
    if (by + th > h - 4) by = h - 4 - th;
    if (bx < 4) bx = 4;
    if (by < 4) by = 4;
    viz_rounded_rect(cr, bx, by, tw, th, 6);
    viz_color_set(cr, VIZ_C_TEXT, 0.93);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    show_layout(cr, lay, bx + pad, by + pad, VIZ_ALIGN_LEFT, 0);
    g_object_unref(lay);
}

void viz_arrow(cairo_t *cr, double x0, double y0, double x1, double y1, double width, double head)
{
    double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
    if (len < 1e-6) return;
    double ux = dx / len, uy = dy / len;
    double bx = x1 - ux * head, by = y1 - uy * head;
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, bx, by);
    cairo_stroke(cr);
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, bx - uy * head * 0.5, by + ux * head * 0.5);
    cairo_line_to(cr, bx + uy * head * 0.5, by - ux * head * 0.5);
    cairo_close_path(cr);
    cairo_fill(cr);
}

/* About three significant digits, never in e-notation (a reader of a
 * chart or a counter should not have to decode "1e+04"); `unit` follows. */
const char *viz_fmt_sig3(char *buf, size_t n, double v, const char *unit)
{
    double a = fabs(v);
    int decimals = a >= 100 || a == 0 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : MIN(9, 2 - (int)floor(log10(a)));
    snprintf(buf, n, "%.*f%s", decimals, v, unit);
    /* trailing zeros of a fraction say nothing: 0.50 -> 0.5, 2.00 -> 2 */
    char *dot = strchr(buf, '.');
    if (dot) {
        size_t ul = strlen(unit);
        char *end = buf + strlen(buf) - ul;
        char *p = end;
        while (p > dot + 1 && p[-1] == '0') p--;
        if (p == dot + 1 && p[-1] == '0') p--;
        if (p == dot + 1) p = dot;
        memmove(p, end, ul + 1);
    }
    return buf;
}

const char *viz_fmt_count(char *buf, size_t n, double v)
{
    double a = fabs(v);
    if (a >= 1e9) return viz_fmt_sig3(buf, n, v / 1e9, "G");
    if (a >= 1e6) return viz_fmt_sig3(buf, n, v / 1e6, "M");
    if (a >= 1e4) return viz_fmt_sig3(buf, n, v / 1e3, "k");
    if (a == floor(a)) { snprintf(buf, n, "%.0f", v); return buf; }
    return viz_fmt_sig3(buf, n, v, "");
}

const char *viz_fmt_duration(char *buf, size_t n, double ns)
{
    double a = fabs(ns);
    if (a >= 1e9) return viz_fmt_sig3(buf, n, ns / 1e9, " s");
    if (a >= 1e6) return viz_fmt_sig3(buf, n, ns / 1e6, " ms");
    if (a >= 1e3) return viz_fmt_sig3(buf, n, ns / 1e3, " us");
    snprintf(buf, n, "%.0f ns", ns);
    return buf;
}
