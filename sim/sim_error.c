/* sim_error: the GError domain shared by every layer, and the one place
 * that turns user text into message text. */
#include "sim/sim_error.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK(slacksim-error-quark, sim_error)

static void quote_char(GString *s, gunichar c)
{
    switch (c) {
    case '\n': g_string_append(s, "\\n"); return;
    case '\r': g_string_append(s, "\\r"); return;
    case '\t': g_string_append(s, "\\t"); return;
    default: break;
    }
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) g_string_append_printf(s, "\\x%02x", (unsigned)c);
    else g_string_append_unichar(s, c);
}

static char *quote(const char *text, size_t max)
{
    if (!text) return g_strdup("(null)");
    size_t len = strlen(text), n = MIN(len, max);
    GString *s = g_string_sized_new(n + 16);
    const char *p = text, *end = text + n;
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {   /* invalid, or cut by the limit */
            if (c == (gunichar)-2 && n < len) break;
            g_string_append_unichar(s, 0xFFFD);
            p++;
            continue;
        }
        quote_char(s, c);
        p = g_utf8_next_char(p);
    }
    if (n < len) g_string_append_printf(s, "... (%zu bytes)", len);
    return g_string_free(s, FALSE);
}

char *sim_error_quote(const char *text) { return quote(text, SIM_ERROR_QUOTE_MAX); }
char *sim_error_one_line(const char *message) { return quote(message, G_MAXSIZE); }

gboolean sim_error_at(GError **error, sim_error_code code, const char *origin, const char *where,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *o = sim_error_quote(origin), *w = where ? sim_error_quote(where) : NULL;
    if (w) g_set_error(error, SIM_ERROR, code, "%s: %s: %s", o, w, what);
    else g_set_error(error, SIM_ERROR, code, "%s: %s", o, what);
    g_free(o); g_free(w); g_free(what);
    return FALSE;
}
