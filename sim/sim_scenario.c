/* sim_scenario: JSON scenarios checked against a schema of defaults.
 *
 * Invariant: sc->root always has the shape of the defaults. Every key in it
 * is a key of the defaults (plus "name"/"description" at top level), every
 * value has the JSON type of its default, and every distribution slot holds
 * a value sim_dist_from_json accepts. Loading and --set either keep that
 * invariant or fail without touching the scenario, so models can read values
 * without re-checking types; only ranges are theirs to check.
 *
 * Text goes through a strict JSON scanner of our own before cJSON builds the
 * tree: cJSON's parse-end offset is only roughly where a mistake is (for
 * {"a":1,} it points past the closing brace) and it says nothing about what
 * went wrong, while the scanner knows "trailing comma" from "expected ','".
 * The same scanner finds a key path in the text, which is how key and value
 * errors get their line:column. */
#include "sim/sim_scenario.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "sim/sim_error.h"
#include "sim/sim_file.h"
#include "sim/sim_time.h"

/* Where values came from: a file (with its text, for line numbers) or one
 * --set assignment (text NULL). */
typedef struct {
    char *label;
    char *text;
} sc_source;

struct sim_scenario {
    char *origin;              /* file path or caller-given origin */
    char *base_name;           /* origin's base name without ".json" */
    cJSON *defaults;           /* owned copy: the schema */
    cJSON *root;               /* merged tree (see invariant) */
    GPtrArray *sources;        /* sc_source *, owned */
    GHashTable *value_source;  /* dotted path -> source index + 1 */
};

/* ------------------------------------------------------------------------
 * Strict JSON scanner: validates text and optionally locates a key path.
 * ------------------------------------------------------------------------ */

typedef struct {
    const char *text, *p;
    const char *err, *err_at;      /* first error and where */
    char **want;                   /* path segments to find, or NULL */
    guint nwant;
    const char *found;             /* start of the wanted key, or NULL */
    int depth;
} jscan;

static gboolean js_value(jscan *js, guint level, gboolean on_path);

#define JS_NO_COMMENTS "comments are not allowed in JSON (use a \"description\" key)"
#define JS_OUT_OF_RANGE "number out of range (a finite number is at most about 1.8e308)"

static gboolean js_fail(jscan *js, const char *at, const char *msg)
{
    if (!js->err) { js->err = msg; js->err_at = at; }
    return FALSE;
}

static void js_ws(jscan *js)
{
    while (*js->p == ' ' || *js->p == '\t' || *js->p == '\n' || *js->p == '\r') js->p++;
}

static gboolean js_string(jscan *js)
{
    const char *start = js->p++;
    for (;;) {
        unsigned char c = (unsigned char)*js->p;
        if (c == '\0') return js_fail(js, start, "unterminated string");
        if (c == '"') { js->p++; return TRUE; }
        if (c < 0x20) return js_fail(js, js->p, c == '\n' ? "line break inside a string (write \\n)" : "control character inside a string");
        if (c == '\\') {
            char e = js->p[1];
            if (e == 'u') {
                for (int i = 2; i < 6; i++)
                    if (!g_ascii_isxdigit(js->p[i])) return js_fail(js, js->p, "bad \\u escape (4 hex digits expected)");
                js->p += 6;
                continue;
            }
            if (!e || !strchr("\"\\/bfnrt", e)) return js_fail(js, js->p, "bad escape in string");
            js->p += 2;
            continue;
        }
        js->p++;
    }
}

static gboolean js_number(jscan *js)
{
    const char *start = js->p;
    if (*js->p == '-') js->p++;
    if (*js->p == '0') {
        js->p++;
        if (g_ascii_isdigit(*js->p)) return js_fail(js, start, "numbers cannot have leading zeros");
    } else if (g_ascii_isdigit(*js->p)) {
        while (g_ascii_isdigit(*js->p)) js->p++;
    } else {
        return js_fail(js, start, "invalid number");
    }
    if (*js->p == '.') {
        js->p++;
        if (!g_ascii_isdigit(*js->p)) return js_fail(js, start, "invalid number (digits expected after '.')");
        while (g_ascii_isdigit(*js->p)) js->p++;
    }
    if (*js->p == 'e' || *js->p == 'E') {
        js->p++;
        if (*js->p == '+' || *js->p == '-') js->p++;
        if (!g_ascii_isdigit(*js->p)) return js_fail(js, start, "invalid number (digits expected in exponent)");
        while (g_ascii_isdigit(*js->p)) js->p++;
    }
    /* 1e400 is valid JSON text but no double: cJSON would make it infinity,
     * which no key means. */
    if (!isfinite(g_ascii_strtod(start, NULL))) return js_fail(js, start, JS_OUT_OF_RANGE);
    return TRUE;
}

static gboolean js_literal(jscan *js)
{
    static const char *const words[] = { "true", "false", "null" };
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        size_t n = strlen(words[i]);
        if (!strncmp(js->p, words[i], n) && !g_ascii_isalnum(js->p[n]) && js->p[n] != '_') {
            js->p += n;
            return TRUE;
        }
    }
    return js_fail(js, js->p, "unexpected word (strings need double quotes; literals are true, false, null)");
}

/* Does the segment `want` name the key spanning [k, k+n)? Keys with escapes
 * never match: they would need unescaping, and schema keys have none. */
static gboolean js_key_is(const char *k, size_t n, const char *want)
{
    return strlen(want) == n && !memcmp(k, want, n);
}

static gboolean js_object(jscan *js, guint level, gboolean on_path)
{
    js->p++;
    js_ws(js);
    if (*js->p == '}') { js->p++; return TRUE; }
    for (;;) {
        js_ws(js);
        if (*js->p == '}') return js_fail(js, js->p, "trailing comma before '}'");
        if (*js->p != '"')
            return js_fail(js, js->p, *js->p == '\'' ? "keys need double quotes"
                                      : *js->p == '/' ? JS_NO_COMMENTS : "expected a key in double quotes");
        const char *key = js->p;
        if (!js_string(js)) return FALSE;
        gboolean match = on_path && level < js->nwant && !js->found &&
                         js_key_is(key + 1, (size_t)(js->p - key - 2), js->want[level]);
        if (match && level + 1 == js->nwant) js->found = key;
        js_ws(js);
        if (*js->p != ':') return js_fail(js, js->p, "expected ':' after the key");
        js->p++;
        if (!js_value(js, level + 1, match)) return FALSE;
        js_ws(js);
        if (*js->p == ',') { js->p++; continue; }
        if (*js->p == '}') { js->p++; return TRUE; }
        return js_fail(js, js->p, *js->p == '/' ? JS_NO_COMMENTS : *js->p ? "expected ',' or '}'"
                                                                  : "unexpected end of input (missing '}')");
    }
}

static gboolean js_array(jscan *js, guint level, gboolean on_path)
{
    js->p++;
    js_ws(js);
    if (*js->p == ']') { js->p++; return TRUE; }
    for (unsigned idx = 0;; idx++) {
        js_ws(js);
        if (*js->p == ']') return js_fail(js, js->p, "trailing comma before ']'");
        gboolean match = FALSE;
        if (on_path && level < js->nwant && !js->found && js->want[level][0] == '[') {
            char buf[32];
            g_snprintf(buf, sizeof buf, "[%u]", idx);
            match = !strcmp(buf, js->want[level]);
            if (match && level + 1 == js->nwant) js->found = js->p;
        }
        if (!js_value(js, level + 1, match)) return FALSE;
        js_ws(js);
        if (*js->p == ',') { js->p++; continue; }
        if (*js->p == ']') { js->p++; return TRUE; }
        return js_fail(js, js->p, *js->p == '/' ? JS_NO_COMMENTS : *js->p ? "expected ',' or ']'"
                                                                  : "unexpected end of input (missing ']')");
    }
}

static gboolean js_value(jscan *js, guint level, gboolean on_path)
{
    js_ws(js);
    if (++js->depth > CJSON_NESTING_LIMIT) return js_fail(js, js->p, "nesting too deep");
    gboolean ok;
    char c = *js->p;
    if (c == '{') ok = js_object(js, level, on_path);
    else if (c == '[') ok = js_array(js, level, on_path);
    else if (c == '"') ok = js_string(js);
    else if (c == '-' || g_ascii_isdigit(c)) ok = js_number(js);
    else if (g_ascii_isalpha(c)) ok = js_literal(js);
    else if (c == '\0') ok = js_fail(js, js->p, "unexpected end of input");
    else if (c == '\'') ok = js_fail(js, js->p, "strings need double quotes");
    else if (c == '/') ok = js_fail(js, js->p, JS_NO_COMMENTS);
    else ok = js_fail(js, js->p, "expected a value");
    js->depth--;
    return ok;
}

static const char *js_skip_bom(const char *text)
{
    return strncmp(text, "\xEF\xBB\xBF", 3) ? text : text + 3;
}

/* Scans the whole document; on success, js->found is the wanted key. */
static gboolean js_scan(jscan *js, const char *text, char **want)
{
    memset(js, 0, sizeof *js);
    js->text = text;
    js->p = js_skip_bom(text);
    js->want = want;
    js->nwant = want ? g_strv_length(want) : 0;
    if (!js_value(js, 0, TRUE)) return FALSE;
    js_ws(js);
    if (*js->p) return js_fail(js, js->p, *js->p == '/' ? JS_NO_COMMENTS : "unexpected text after the JSON value");
    return TRUE;
}

/* 1-based line and column (in characters, not bytes) of `at` in `text`. */
static void text_line_col(const char *text, const char *at, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (const char *q = text; q < at && *q; q++) {
        if (*q == '\n') { (*line)++; *col = 1; }
        else if (((unsigned char)*q & 0xC0) != 0x80) (*col)++;
    }
}

/* "a.b[2].c" -> {"a", "b", "[2]", "c"}. Free with g_strfreev. */
static char **path_split(const char *path)
{
    GPtrArray *segs = g_ptr_array_new();
    char **dots = g_strsplit(path, ".", -1);
    for (char **d = dots; *d; d++) {
        char *br = strchr(*d, '[');
        if (br && br != *d) {
            g_ptr_array_add(segs, g_strndup(*d, (gsize)(br - *d)));
            for (char *b = br; b && *b == '['; ) {
                char *end = strchr(b, ']');
                if (!end) { g_ptr_array_add(segs, g_strdup(b)); break; }
                g_ptr_array_add(segs, g_strndup(b, (gsize)(end - b + 1)));
                b = end + 1;
            }
        } else {
            g_ptr_array_add(segs, g_strdup(*d));
        }
    }
    g_strfreev(dots);
    g_ptr_array_add(segs, NULL);
    return (char **)g_ptr_array_free(segs, FALSE);
}

/* Line and column of `path`'s key in `text`; FALSE if it is not written
 * there. */
static gboolean locate_key(const char *text, const char *path, unsigned *line, unsigned *col)
{
    if (!text || !path || !*path) return FALSE;
    char **want = path_split(path);
    jscan js;
    gboolean found = js_scan(&js, text, want) && js.found;
    if (found) text_line_col(text, js.found, line, col);
    g_strfreev(want);
    return found;
}

/* "label:line:col" of `path`'s key in `text`, or just "label" if the key is
 * not written there; the label (a file name or a --set assignment, both
 * user text) is quoted. Caller frees. */
static char *where_in_text(const char *label, const char *text, const char *path)
{
    unsigned line, col;
    char *q = sim_error_quote(label);
    if (!locate_key(text, path, &line, &col)) return q;
    char *out = g_strdup_printf("%s:%u:%u", q, line, col);
    g_free(q);
    return out;
}

/* ------------------------------------------------------------------------
 * Did you mean: edit distance over full paths and over leaf names.
 * ------------------------------------------------------------------------ */

unsigned sim_scenario_edit_distance(const char *a, const char *b)
{
    /* Optimal string alignment distance (Levenshtein plus adjacent
     * transpositions, the commonest typo), three rolling rows. */
    size_t n = strlen(a), m = strlen(b);
    unsigned *prev2 = g_new(unsigned, m + 1), *prev = g_new(unsigned, m + 1), *cur = g_new(unsigned, m + 1);
    for (size_t j = 0; j <= m; j++) prev[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= m; j++) {
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = MIN(MIN(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = MIN(v, prev2[j - 2] + 1);
            cur[j] = v;
        }
        unsigned *t = prev2; prev2 = prev; prev = cur; cur = t;
    }
    unsigned d = prev[m];
    g_free(prev2); g_free(prev); g_free(cur);
    return d;
}

gboolean sim_scenario_is_dist_node(const cJSON *node)
{
    return cJSON_IsObject(node) && cJSON_GetObjectItemCaseSensitive(node, "dist") != NULL;
}

static char *path_join(const char *prefix, const char *key)
{
    return (prefix && *prefix) ? g_strconcat(prefix, ".", key, NULL) : g_strdup(key);
}

/* Every dotted path the schema knows (objects are walked; distribution slots
 * and arrays are leaves). */
static void collect_paths(const cJSON *schema, const char *prefix, GPtrArray *out)
{
    for (const cJSON *c = schema->child; c; c = c->next) {
        char *p = path_join(prefix, c->string);
        g_ptr_array_add(out, p);
        if (cJSON_IsObject(c) && !sim_scenario_is_dist_node(c)) collect_paths(c, p, out);
    }
}

static const char *path_leaf(const char *p)
{
    const char *dot = strrchr(p, '.');
    return dot ? dot + 1 : p;
}

static gboolean same_parent(const char *a, const char *b)
{
    size_t la = (size_t)(path_leaf(a) - a), lb = (size_t)(path_leaf(b) - b);
    return la == lb && !strncmp(a, b, la);
}

/* Longest key, in bytes, worth a suggestion: every schema leaf is far
 * shorter, and the edit distance costs the product of the lengths, so a
 * megabyte key must not reach it. */
#define NEAREST_MAX_LEN 64

/* The known path nearest to `path`, or NULL. Caller frees. */
static char *nearest_path(const cJSON *schema, const char *prefix, const char *path)
{
    if (strlen(path_leaf(path)) > NEAREST_MAX_LEN || strlen(path) > 4 * NEAREST_MAX_LEN) return NULL;
    GPtrArray *known = g_ptr_array_new_with_free_func(g_free);
    collect_paths(schema, prefix, known);
    const char *leaf = path_leaf(path);
    size_t len = strlen(leaf);
    unsigned limit = len <= 3 ? 1 : MAX(2u, (unsigned)(len / 3));
    unsigned best = G_MAXUINT;
    gboolean best_sibling = FALSE;
    const char *pick = NULL;
    for (guint i = 0; i < known->len; i++) {
        const char *k = known->pdata[i];
        gboolean sib = same_parent(k, path);
        unsigned d = MIN(sim_scenario_edit_distance(path, k),
                         sim_scenario_edit_distance(leaf, path_leaf(k)) + (sib ? 0 : 1));
        /* "timeout" for "timeout_ms": a prefix is a good guess when nothing
         * closer exists. */
        size_t lk = strlen(path_leaf(k));
        if (d > limit && len >= 3 && lk >= 3 && (g_str_has_prefix(path_leaf(k), leaf) || g_str_has_prefix(leaf, path_leaf(k))))
            d = limit;
        if (d < best || (d == best && sib && !best_sibling)) { best = d; pick = k; best_sibling = sib; }
    }
    char *out = (pick && best <= limit) ? g_strdup(pick) : NULL;
    g_ptr_array_free(known, TRUE);
    return out;
}

/* "a, b, c" for the keys of a schema object (at most 12). Caller frees. */
static char *list_keys(const cJSON *obj)
{
    GString *s = g_string_new(NULL);
    int n = 0;
    for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next, n++) {
        if (n == 12) { g_string_append(s, ", ..."); break; }
        g_string_append_printf(s, "%s%s", n ? ", " : "", c->string);
    }
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------------
 * Merging a document over the tree, checking it against the schema.
 * ------------------------------------------------------------------------ */

typedef struct {
    sim_scenario *sc;
    guint source;                /* index in sc->sources */
    const cJSON *schema_root;    /* for did-you-mean (an array template inside arrays) */
    const char *schema_prefix;   /* path of schema_root */
} merge_ctx;

static G_GNUC_PRINTF(5, 6) gboolean merge_fail(const merge_ctx *m, const char *path, GError **error,
                                               sim_error_code code, const char *fmt, ...)
{
    const sc_source *src = m->sc->sources->pdata[m->source];
    char *where = where_in_text(src->label, src->text, path);
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SIM_ERROR, code, "%s: %s", where, what);
    g_free(what);
    g_free(where);
    return FALSE;
}

static const char *json_type_name(const cJSON *n)
{
    if (cJSON_IsBool(n)) return "true or false";
    if (cJSON_IsNumber(n)) return "a number";
    if (cJSON_IsString(n)) return "a string";
    if (cJSON_IsArray(n)) return "an array";
    if (cJSON_IsObject(n)) return "an object";
    return "null";
}

static gboolean same_json_type(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsBool(a)) return cJSON_IsBool(b);
    return (a->type & 0xFF) == (b->type & 0xFF);
}

static void record_source(const merge_ctx *m, const char *path)
{
    g_hash_table_replace(m->sc->value_source, g_strdup(path), GUINT_TO_POINTER(m->source + 1));
}

static void put(cJSON *dst, const char *key, cJSON *value)
{
    if (cJSON_GetObjectItemCaseSensitive(dst, key)) cJSON_ReplaceItemInObjectCaseSensitive(dst, key, value);
    else cJSON_AddItemToObject(dst, key, value);
}

static gboolean merge_object(const merge_ctx *m, cJSON *dst, const cJSON *schema, const cJSON *src,
                             const char *prefix, gboolean top, GError **error);

/* A distribution slot: a number or an object with "dist" replaces the value;
 * an object without "dist" changes parameters of the current one. Either
 * way the result must parse. */
static gboolean merge_dist(const merge_ctx *m, cJSON *dst, const char *key, const cJSON *src,
                           const char *path, GError **error)
{
    cJSON *cur = cJSON_GetObjectItemCaseSensitive(dst, key);
    cJSON *next;
    if (cJSON_IsNumber(src) || sim_scenario_is_dist_node(src)) {
        next = cJSON_Duplicate(src, TRUE);
    } else if (cJSON_IsObject(src)) {
        if (!cJSON_IsObject(cur)) {
            g_autofree char *qp = sim_error_quote(path);
            return merge_fail(m, path, error, SIM_ERROR_TYPE,
                              "%s: the current value is a constant; give \"dist\" to change its kind", qp);
        }
        next = cJSON_Duplicate(cur, TRUE);
        for (const cJSON *c = src->child; c; c = c->next) put(next, c->string, cJSON_Duplicate(c, TRUE));
    } else {
        g_autofree char *qp = sim_error_quote(path);
        return merge_fail(m, path, error, SIM_ERROR_TYPE,
                          "%s: expected a distribution (a number or an object with \"dist\"), got %s",
                          qp, json_type_name(src));
    }
    sim_dist d = { 0 };
    GError *derr = NULL;
    g_autofree char *qpath = sim_error_quote(path);
    if (!sim_dist_from_json(&d, next, qpath, &derr)) {
        merge_fail(m, path, error, (sim_error_code)derr->code, "%s", derr->message);
        g_error_free(derr);
        cJSON_Delete(next);
        return FALSE;
    }
    sim_dist_clear(&d);
    put(dst, key, next);
    record_source(m, path);
    return TRUE;
}

/* Arrays are replaced whole; elements must have the JSON type of the
 * default's first element, and object elements are checked against it and
 * completed with its values. */
static gboolean merge_array(const merge_ctx *m, cJSON *dst, const char *key, const cJSON *schema,
                            const cJSON *src, const char *path, GError **error)
{
    const cJSON *tmpl = schema->child;
    cJSON *out = cJSON_CreateArray();
    unsigned i = 0;
    for (const cJSON *e = src->child; e; e = e->next, i++) {
        char *epath = g_strdup_printf("%s[%u]", path, i);
        gboolean ok = TRUE;
        cJSON *item = NULL;
        if (!tmpl || cJSON_IsNull(tmpl)) {
            item = cJSON_Duplicate(e, TRUE);
        } else if (sim_scenario_is_dist_node(tmpl)) {
            /* An array of distributions: each element is a slot of its own. */
            cJSON *holder = cJSON_CreateObject();
            cJSON_AddItemToObject(holder, "d", cJSON_Duplicate(tmpl, TRUE));
            ok = merge_dist(m, holder, "d", e, epath, error);
            item = cJSON_DetachItemFromObjectCaseSensitive(holder, "d");
            cJSON_Delete(holder);
        } else if (!same_json_type(tmpl, e)) {
            g_autofree char *qp = sim_error_quote(epath);
            ok = merge_fail(m, epath, error, SIM_ERROR_TYPE, "%s: expected %s, got %s", qp,
                            json_type_name(tmpl), json_type_name(e));
        } else if (cJSON_IsObject(tmpl)) {
            item = cJSON_Duplicate(tmpl, TRUE);
            merge_ctx sub = { m->sc, m->source, tmpl, epath };
            ok = merge_object(&sub, item, tmpl, e, epath, FALSE, error);
        } else {
            item = cJSON_Duplicate(e, TRUE);
        }
        g_free(epath);
        if (!ok) { cJSON_Delete(item); cJSON_Delete(out); return FALSE; }
        cJSON_AddItemToArray(out, item);
    }
    put(dst, key, out);
    record_source(m, path);
    return TRUE;
}

static gboolean merge_value(const merge_ctx *m, cJSON *dst, const char *key, const cJSON *schema,
                            const cJSON *src, const char *path, GError **error)
{
    if (sim_scenario_is_dist_node(schema)) return merge_dist(m, dst, key, src, path, error);
    if (cJSON_IsNull(schema)) {
        put(dst, key, cJSON_Duplicate(src, TRUE));
        record_source(m, path);
        return TRUE;
    }
    if (!same_json_type(schema, src)) {
        g_autofree char *qp = sim_error_quote(path);
        return merge_fail(m, path, error, SIM_ERROR_TYPE, "%s: expected %s, got %s", qp,
                          json_type_name(schema), json_type_name(src));
    }
    if (cJSON_IsObject(schema))
        return merge_object(m, cJSON_GetObjectItemCaseSensitive(dst, key), schema, src, path, FALSE, error);
    if (cJSON_IsArray(schema)) return merge_array(m, dst, key, schema, src, path, error);
    put(dst, key, cJSON_Duplicate(src, TRUE));
    record_source(m, path);
    return TRUE;
}

/* ".b.c" for a value {"b": {"c": 1}} (a chain of one-key objects, as --set
 * builds), or "" . Caller frees. */
static char *single_chain(const cJSON *v)
{
    GString *s = g_string_new(NULL);
    while (cJSON_IsObject(v) && v->child && !v->child->next && !sim_scenario_is_dist_node(v)) {
        g_string_append_printf(s, ".%s", v->child->string);
        v = v->child;
    }
    return g_string_free(s, FALSE);
}

static gboolean schema_has_path(const cJSON *schema, const char *prefix, const char *path)
{
    GPtrArray *known = g_ptr_array_new_with_free_func(g_free);
    collect_paths(schema, prefix, known);
    gboolean found = FALSE;
    for (guint i = 0; i < known->len && !found; i++) found = !strcmp(known->pdata[i], path);
    g_ptr_array_free(known, TRUE);
    return found;
}

static gboolean unknown_key(const merge_ctx *m, const cJSON *schema, const char *path, const cJSON *value,
                            GError **error)
{
    char *near = nearest_path(m->schema_root, m->schema_prefix, path);
    gboolean r;
    char *tail = near ? single_chain(value) : NULL;
    char *full = tail && *tail ? g_strconcat(near, tail, NULL) : NULL;
    g_autofree char *qp = sim_error_quote(path);
    if (full && schema_has_path(m->schema_root, m->schema_prefix, full)) {
        /* "gateway.count" -> "gateways.count": name the whole key. */
        g_autofree char *given = g_strconcat(path, tail, NULL);
        g_autofree char *qg = sim_error_quote(given);
        r = merge_fail(m, path, error, SIM_ERROR_UNKNOWN_KEY, "unknown key '%s' (did you mean '%s'?)", qg, full);
    } else if (near) {
        r = merge_fail(m, path, error, SIM_ERROR_UNKNOWN_KEY, "unknown key '%s' (did you mean '%s'?)", qp, near);
    } else {
        char *keys = list_keys(schema);
        r = merge_fail(m, path, error, SIM_ERROR_UNKNOWN_KEY, "unknown key '%s' (known keys here: %s)", qp,
                       *keys ? keys : "none");
        g_free(keys);
    }
    g_free(full);
    g_free(tail);
    g_free(near);
    return r;
}

static gboolean merge_object(const merge_ctx *m, cJSON *dst, const cJSON *schema, const cJSON *src,
                             const char *prefix, gboolean top, GError **error)
{
    g_assert(cJSON_IsObject(dst));
    /* Duplicates through a set, not a pairwise scan: an object of a million
     * keys must cost a million lookups, not 10^12 comparisons. */
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    gboolean ok = TRUE;
    for (const cJSON *c = src->child; c && ok; c = c->next) {
        char *path = path_join(prefix, c->string);
        g_autofree char *qp = sim_error_quote(path);
        if (!g_hash_table_add(seen, c->string))
            ok = merge_fail(m, path, error, SIM_ERROR_PARSE, "duplicate key '%s'", qp);
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(schema, c->string);
        if (!ok) {
        } else if (top && !strcmp(c->string, "extends")) {
            /* resolved by the loader; a --set never reaches here with it */
        } else if (top && !s && (!strcmp(c->string, "name") || !strcmp(c->string, "description"))) {
            if (!cJSON_IsString(c))
                ok = merge_fail(m, path, error, SIM_ERROR_TYPE, "%s: expected a string, got %s", qp, json_type_name(c));
            else
                put(dst, c->string, cJSON_Duplicate(c, TRUE));
        } else if (!s) {
            ok = unknown_key(m, schema, path, c, error);
        } else {
            ok = merge_value(m, dst, c->string, s, c, path, error);
        }
        g_free(path);
    }
    g_hash_table_destroy(seen);
    return ok;
}

/* ------------------------------------------------------------------------
 * Loading: the extends chain, then each document over the defaults.
 * ------------------------------------------------------------------------ */

static guint add_source(sim_scenario *sc, const char *label, char *text /* taken */)
{
    sc_source *s = g_new0(sc_source, 1);
    s->label = g_strdup(label);
    s->text = text;
    g_ptr_array_add(sc->sources, s);
    return sc->sources->len - 1;
}

static void source_free(gpointer p)
{
    sc_source *s = p;
    g_free(s->label);
    g_free(s->text);
    g_free(s);
}

static sim_scenario *scenario_new(const char *origin, const cJSON *defaults)
{
    sim_scenario *sc = g_new0(sim_scenario, 1);
    sc->origin = g_strdup(origin);
    char *base = g_path_get_basename(origin);
    if (g_str_has_suffix(base, ".json")) base[strlen(base) - 5] = '\0';
    sc->base_name = base;
    sc->defaults = defaults ? cJSON_Duplicate(defaults, TRUE) : cJSON_CreateObject();
    g_assert(cJSON_IsObject(sc->defaults));
    sc->root = cJSON_Duplicate(sc->defaults, TRUE);
    sc->sources = g_ptr_array_new_with_free_func(source_free);
    sc->value_source = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return sc;
}

void sim_scenario_free(sim_scenario *sc)
{
    if (!sc) return;
    g_free(sc->origin);
    g_free(sc->base_name);
    cJSON_Delete(sc->defaults);
    cJSON_Delete(sc->root);
    g_ptr_array_free(sc->sources, TRUE);
    g_hash_table_destroy(sc->value_source);
    g_free(sc);
}

sim_scenario *sim_scenario_from_defaults(const char *name, const cJSON *defaults)
{
    return scenario_new(name, defaults);
}

/* Whole file as a string: a regular file of at most SIM_FILE_MAX_TEXT
 * bytes of UTF-8 ("path: No such file or directory" style errors). */
static char *read_text(const char *path, GError **error)
{
    return sim_file_read_text(path, SIM_FILE_MAX_TEXT, NULL, error);
}

/* Checks and parses one document; caller owns the tree. */
static cJSON *parse_text(const char *label, const char *text, GError **error)
{
    jscan js;
    unsigned line, col;
    g_autofree char *ql = sim_error_quote(label);
    if (!js_scan(&js, text, NULL)) {
        text_line_col(text, js.err_at, &line, &col);
        g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s:%u:%u: %s", ql, line, col, js.err);
        return NULL;
    }
    const char *end = NULL;
    cJSON *tree = cJSON_ParseWithOpts(js_skip_bom(text), &end, TRUE);
    if (!tree) {
        /* The scanner accepted what cJSON did not (e.g. out of memory). */
        text_line_col(text, end ? end : text, &line, &col);
        g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s:%u:%u: invalid JSON", ql, line, col);
        return NULL;
    }
    if (!cJSON_IsObject(tree)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_TYPE, "%s:1:1: a scenario is a JSON object, got %s", ql,
                    json_type_name(tree));
        cJSON_Delete(tree);
        return NULL;
    }
    return tree;
}

#define MAX_EXTENDS_DEPTH 32

typedef struct {
    sim_scenario *sc;
    GPtrArray *stack;   /* canonical paths of the files being loaded */
    GPtrArray *trees;   /* cJSON * in merge order (bases first) */
    GArray *tree_src;   /* source index of each tree */
} chain;

static gboolean load_chain(chain *ch, const char *path, char *text /* taken, or NULL to read */, GError **error);

/* The error for a base that is already being loaded: "a -> b -> a". */
static void cycle_error(const chain *ch, guint from, const char *where, const char *base, GError **error)
{
    GString *cyc = g_string_new(NULL);
    for (guint j = from; j < ch->stack->len; j++) {
        const sc_source *s = ch->sc->sources->pdata[ch->sc->sources->len - (ch->stack->len - j)];
        g_autofree char *q = sim_error_quote(s->label);
        g_string_append_printf(cyc, "%s -> ", q);
    }
    g_autofree char *qb = sim_error_quote(base);
    g_string_append(cyc, qb);
    g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: extends cycle: %s", where, cyc->str);
    g_string_free(cyc, TRUE);
}

/* Loads the chain of `base`, the file named by an "extends" at `where`. */
static gboolean extend_from(chain *ch, const char *where, const char *base, GError **error)
{
    char *canon = g_canonicalize_filename(base, NULL);
    for (guint i = 0; i < ch->stack->len; i++) {
        if (!strcmp(ch->stack->pdata[i], canon)) {
            cycle_error(ch, i, where, base, error);
            g_free(canon);
            return FALSE;
        }
    }
    if (ch->stack->len >= MAX_EXTENDS_DEPTH) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: extends chain deeper than %d files", where, MAX_EXTENDS_DEPTH);
        g_free(canon);
        return FALSE;
    }
    GError *rerr = NULL;
    char *text = read_text(base, &rerr);
    if (!text) {
        g_set_error(error, SIM_ERROR, rerr->code, "%s: cannot extend: %s", where, rerr->message);
        g_error_free(rerr);
        g_free(canon);
        return FALSE;
    }
    g_ptr_array_add(ch->stack, canon);   /* the stack frees it */
    gboolean ok = load_chain(ch, base, text, error);
    g_ptr_array_remove_index(ch->stack, ch->stack->len - 1);
    return ok;
}

/* Resolves the "extends" of the file `path` (source `src_index`) relative to
 * that file's directory, and loads it. */
static gboolean load_base(chain *ch, guint src_index, const cJSON *ext, const char *path, GError **error)
{
    const sc_source *src = ch->sc->sources->pdata[src_index];
    char *where = where_in_text(src->label, src->text, "extends");
    gboolean ok = FALSE;
    if (!cJSON_IsString(ext)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_TYPE, "%s: extends: expected a string (a file path), got %s", where,
                    json_type_name(ext));
    } else {
        char *dir = g_path_get_dirname(path);
        char *base = g_path_is_absolute(ext->valuestring) ? g_strdup(ext->valuestring)
                                                          : g_build_filename(dir, ext->valuestring, NULL);
        ok = extend_from(ch, where, base, error);
        g_free(base);
        g_free(dir);
    }
    g_free(where);
    return ok;
}

static gboolean load_chain(chain *ch, const char *path, char *text, GError **error)
{
    if (!text && !(text = read_text(path, error))) return FALSE;
    cJSON *tree = parse_text(path, text, error);
    if (!tree) { g_free(text); return FALSE; }
    guint idx = add_source(ch->sc, path, text);
    /* A chain is linear, so while a file's base loads, the files on the
     * stack are the newest sources in order (the cycle message uses that). */
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(tree, "extends");
    gboolean ok = !ext || load_base(ch, idx, ext, path, error);
    if (!ok) { cJSON_Delete(tree); return FALSE; }
    g_ptr_array_add(ch->trees, tree);
    g_array_append_val(ch->tree_src, idx);
    return TRUE;
}

static sim_scenario *load_common(const char *origin, char *text, const cJSON *defaults, GError **error)
{
    sim_scenario *sc = scenario_new(origin, defaults);
    chain ch = { sc, g_ptr_array_new_with_free_func(g_free),
                 g_ptr_array_new_with_free_func((GDestroyNotify)cJSON_Delete), g_array_new(FALSE, FALSE, sizeof(guint)) };
    g_ptr_array_add(ch.stack, g_canonicalize_filename(origin, NULL));
    gboolean ok = load_chain(&ch, origin, text, error);
    for (guint i = 0; ok && i < ch.trees->len; i++) {
        merge_ctx m = { sc, g_array_index(ch.tree_src, guint, i), sc->defaults, "" };
        ok = merge_object(&m, sc->root, sc->defaults, ch.trees->pdata[i], "", TRUE, error);
    }
    g_ptr_array_free(ch.stack, TRUE);
    g_ptr_array_free(ch.trees, TRUE);
    g_array_free(ch.tree_src, TRUE);
    if (!ok) { sim_scenario_free(sc); return NULL; }
    return sc;
}

sim_scenario *sim_scenario_load(const char *path, const cJSON *defaults, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    return load_common(path, NULL, defaults, error);
}

sim_scenario *sim_scenario_load_string(const char *text, const char *origin, const cJSON *defaults, GError **error)
{
    g_return_val_if_fail(text != NULL, NULL);
    if (!origin) origin = "<string>";
    if (!sim_file_check_text(origin, text, strlen(text), error)) return NULL;
    return load_common(origin, g_strdup(text), defaults, error);
}

/* ------------------------------------------------------------------------
 * --set overrides
 * ------------------------------------------------------------------------ */

/* The schema node at a dotted path; inside a distribution slot, the slot. */
static const cJSON *schema_at(const cJSON *schema, char **segs)
{
    const cJSON *n = schema;
    for (char **s = segs; *s && n; s++) {
        if (sim_scenario_is_dist_node(n)) return n;
        n = cJSON_IsObject(n) ? cJSON_GetObjectItemCaseSensitive(n, *s) : NULL;
    }
    return n;
}

/* FALSE if any number in the tree is infinite or NaN (cJSON reads 1e400
 * as infinity; files are refused by the scanner, --set values here). */
static gboolean tree_is_finite(const cJSON *n)
{
    if (cJSON_IsNumber(n)) return isfinite(n->valuedouble);
    for (const cJSON *c = n->child; c; c = c->next)
        if (!tree_is_finite(c)) return FALSE;
    return TRUE;
}

#define SET_MAX_DEPTH 32

static gboolean source_is(gpointer key, gpointer value, gpointer idx)
{
    (void)key;
    return value == idx;
}

gboolean sim_scenario_set(sim_scenario *sc, const char *assignment, GError **error)
{
    g_return_val_if_fail(sc != NULL && assignment != NULL, FALSE);
    const char *eq = strchr(assignment, '=');
    char *path = eq ? g_strstrip(g_strndup(assignment, (gsize)(eq - assignment))) : NULL;
    g_autofree char *label = g_strdup_printf("--set %s", assignment);
    if (!path || !*path || strstr(path, "..") || path[0] == '.' || path[strlen(path) - 1] == '.') {
        sim_error_at(error, SIM_ERROR_USAGE, label, NULL, "expected KEY=VALUE with a dotted key (gateway.count=4)");
        g_free(path);
        return FALSE;
    }
    if (!strcmp(path, "extends")) {
        sim_error_at(error, SIM_ERROR_USAGE, label, NULL, "extends can only be used in a file");
        g_free(path);
        return FALSE;
    }
    /* Command-line bytes are whatever the terminal sent: the tree holds
     * UTF-8 only, so summary.json stays valid JSON text. */
    if (!sim_file_check_text(label, assignment, strlen(assignment), error)) {
        g_free(path);
        return FALSE;
    }
    const char *text = eq + 1;
    char **segs = g_strsplit(path, ".", -1);
    /* The key becomes nested objects: a 60000-segment key must not become
     * 60000 levels of recursion in cJSON and the merge. Schemas are a few
     * levels deep; the JSON nesting limit is cJSON's. */
    if (g_strv_length(segs) > SET_MAX_DEPTH) {
        sim_error_at(error, SIM_ERROR_USAGE, label, NULL, "key deeper than %d levels", SET_MAX_DEPTH);
        g_strfreev(segs);
        g_free(path);
        return FALSE;
    }
    const cJSON *snode = schema_at(sc->defaults, segs);
    /* A string slot takes the text as is: name=2024 means the string. */
    cJSON *value = (cJSON_IsString(snode) && !sim_scenario_is_dist_node(snode)) ? NULL : cJSON_ParseWithOpts(text, NULL, TRUE);
    if (!value) value = cJSON_CreateString(text);
    if (!tree_is_finite(value)) {
        sim_error_at(error, SIM_ERROR_VALUE, label, NULL, JS_OUT_OF_RANGE);
        cJSON_Delete(value);
        g_strfreev(segs);
        g_free(path);
        return FALSE;
    }
    /* {"a":{"b":value}} merged like a file. */
    cJSON *doc = value;
    for (int i = (int)g_strv_length(segs) - 1; i >= 0; i--) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, segs[i], doc);
        doc = o;
    }
    g_strfreev(segs);
    guint idx = add_source(sc, label, NULL);
    cJSON *next = cJSON_Duplicate(sc->root, TRUE);
    merge_ctx m = { sc, idx, sc->defaults, "" };
    gboolean ok = merge_object(&m, next, sc->defaults, doc, "", TRUE, error);
    cJSON_Delete(doc);
    if (ok) {
        cJSON_Delete(sc->root);
        sc->root = next;
    } else {
        /* Leaves merged before the failure were recorded as set by it. */
        cJSON_Delete(next);
        g_hash_table_foreach_remove(sc->value_source, source_is, GUINT_TO_POINTER(idx + 1));
    }
    g_free(path);
    return ok;
}

/* ------------------------------------------------------------------------
 * Access and typed getters
 * ------------------------------------------------------------------------ */

const char *sim_scenario_name(const sim_scenario *sc)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(sc->root, "name");
    return cJSON_IsString(n) && n->valuestring[0] ? n->valuestring : sc->base_name;
}

const char *sim_scenario_origin(const sim_scenario *sc) { return sc->origin; }
const cJSON *sim_scenario_root(const sim_scenario *sc) { return sc->root; }

const cJSON *sim_scenario_get(const sim_scenario *sc, const char *path)
{
    g_return_val_if_fail(sc != NULL && path != NULL, NULL);
    char **segs = path_split(path);
    const cJSON *n = sc->root;
    for (char **s = segs; *s && n; s++) {
        if ((*s)[0] == '[') {
            char *end = NULL;
            unsigned long i = strtoul(*s + 1, &end, 10);
            n = (cJSON_IsArray(n) && end && *end == ']') ? cJSON_GetArrayItem(n, (int)i) : NULL;
        } else {
            n = cJSON_IsObject(n) ? cJSON_GetObjectItemCaseSensitive(n, *s) : NULL;
        }
    }
    g_strfreev(segs);
    return n;
}

/* "file:line:col" of the document that set `path` last, "--set ..." or
 * the origin with " (default)" when the value is the model's default. */
static char *value_where(const sim_scenario *sc, const char *path)
{
    char *p = g_strdup(path);
    for (;;) {
        gpointer v = g_hash_table_lookup(sc->value_source, p);
        if (v) {
            const sc_source *src = sc->sources->pdata[GPOINTER_TO_UINT(v) - 1];
            unsigned line, col;
            char *w = where_in_text(src->label, src->text,
                                    locate_key(src->text, path, &line, &col) ? path : p);
            g_free(p);
            return w;
        }
        char *dot = strrchr(p, '.'), *br = strrchr(p, '[');
        char *cut = MAX(dot, br);   /* "a.b[2]" -> "a.b" -> "a" */
        if (!cut || cut == p) break;
        *cut = '\0';
    }
    g_free(p);
    g_autofree char *q = sim_error_quote(sc->origin);
    return g_strdup_printf("%s (default)", q);
}

static const cJSON *get_typed(const sim_scenario *sc, const char *path, gboolean (*is)(const cJSON *),
                              const char *want, GError **error)
{
    const cJSON *n = sim_scenario_get(sc, path);
    if (!n) {
        g_autofree char *qp = sim_error_quote(path);
        sim_error_at(error, SIM_ERROR_UNKNOWN_KEY, sc->origin, NULL, "no key '%s'", qp);
        return NULL;
    }
    if (!is(n)) {
        char *w = value_where(sc, path);
        g_autofree char *qp = sim_error_quote(path);
        g_set_error(error, SIM_ERROR, SIM_ERROR_TYPE, "%s: %s: expected %s, got %s", w, qp, want, json_type_name(n));
        g_free(w);
        return NULL;
    }
    return n;
}

static gboolean is_number(const cJSON *n) { return cJSON_IsNumber(n); }
static gboolean is_bool(const cJSON *n) { return cJSON_IsBool(n); }
static gboolean is_string(const cJSON *n) { return cJSON_IsString(n); }
static gboolean is_any(const cJSON *n) { (void)n; return TRUE; }

static gboolean range_fail(const sim_scenario *sc, const char *path, GError **error, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static gboolean range_fail(const sim_scenario *sc, const char *path, GError **error, const char *fmt, ...)
{
    char *w = value_where(sc, path);
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *qp = sim_error_quote(path);
    g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: %s %s", w, qp, what);
    g_free(what);
    g_free(w);
    return FALSE;
}

gboolean sim_scenario_double(const sim_scenario *sc, const char *path, double min, double max, double *out, GError **error)
{
    const cJSON *n = get_typed(sc, path, is_number, "a number", error);
    if (!n) return FALSE;
    double v = n->valuedouble;
    /* Seconds become sim_time: the same bound for every key in seconds,
     * whatever range the model asked for. */
    if (g_str_has_suffix(path, "_s")) max = MIN(max, SIM_SCENARIO_TIME_MAX_S);
    if (!isfinite(v)) return range_fail(sc, path, error, "must be a finite number");
    if (v < min) return range_fail(sc, path, error, "must be >= %g, got %g", min, v);
    if (v > max) return range_fail(sc, path, error, "must be <= %g, got %g", max, v);
    *out = v;
    return TRUE;
}

gboolean sim_scenario_int(const sim_scenario *sc, const char *path, int64_t min, int64_t max, int64_t *out, GError **error)
{
    const cJSON *n = get_typed(sc, path, is_number, "a whole number", error);
    if (!n) return FALSE;
    double v = n->valuedouble;
    if (!isfinite(v) || v != floor(v) || fabs(v) >= 9.2e18) return range_fail(sc, path, error, "must be a whole number, got %g", v);
    int64_t i = (int64_t)v;
    if (i < min) return range_fail(sc, path, error, "must be >= %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT, min, i);
    if (i > max) return range_fail(sc, path, error, "must be <= %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT, max, i);
    *out = i;
    return TRUE;
}

gboolean sim_scenario_bool(const sim_scenario *sc, const char *path, gboolean *out, GError **error)
{
    const cJSON *n = get_typed(sc, path, is_bool, "true or false", error);
    if (!n) return FALSE;
    *out = cJSON_IsTrue(n);
    return TRUE;
}

gboolean sim_scenario_string(const sim_scenario *sc, const char *path, const char **out, GError **error)
{
    const cJSON *n = get_typed(sc, path, is_string, "a string", error);
    if (!n) return FALSE;
    *out = n->valuestring;
    return TRUE;
}

gboolean sim_scenario_dist(const sim_scenario *sc, const char *path, sim_dist *out, GError **error)
{
    const cJSON *n = get_typed(sc, path, is_any, "a distribution", error);
    if (!n) return FALSE;
    char *w = value_where(sc, path);
    g_autofree char *qp = sim_error_quote(path);
    char *where = g_strdup_printf("%s: %s", w, qp);
    gboolean ok = sim_dist_from_json(out, n, where, error);
    /* A key in seconds ("_s") becomes sim_time: bound its mean so that
     * sums of draws stay far from int64 overflow whatever the model does. */
    if (ok && g_str_has_suffix(path, "_s") && !(sim_dist_mean(out) <= SIM_SCENARIO_TIME_MAX_S)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: %s must have a mean of at most %g s", w, qp,
                    SIM_SCENARIO_TIME_MAX_S);
        sim_dist_clear(out);
        memset(out, 0, sizeof *out);
        ok = FALSE;
    }
    g_free(where);
    g_free(w);
    return ok;
}

/* ---------------------------------------------------------------- tables */

static char *field_path(const char *prefix, const sim_field *f)
{
    return prefix && *prefix ? g_strconcat(prefix, ".", f->path, NULL) : g_strdup(f->path);
}

static int names_count(const char *const *names)
{
    int n = 0;
    while (names && names[n]) n++;
    return n;
}

/* The mean of a distribution within [min, max]: a service time or a size
 * cannot be negative on average, and a zero mean would never finish where
 * min > 0 (a bandwidth, a size). */
static gboolean read_dist_slot(const sim_scenario *sc, const char *path, const sim_field *f, sim_dist *d,
                               GError **error)
{
    sim_dist_clear(d);
    memset(d, 0, sizeof *d);
    if (!sim_scenario_dist(sc, path, d, error)) return FALSE;
    double mean = sim_dist_mean(d);
    gboolean finite_needed = isfinite(f->max);
    if (!(mean >= f->min) || (f->min > 0 && !(mean > 0)) || (finite_needed && !isfinite(mean)) || mean > f->max) {
        char *w = value_where(sc, path), *qp = sim_error_quote(path);
        if (mean > f->max && isfinite(mean))
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: %s must have a mean <= %g, got %g", w, qp, f->max, mean);
        else
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: %s must have a %s%s mean", w, qp,
                        finite_needed ? "finite, " : "", f->min > 0 ? "positive" : "non-negative");
        g_free(w);
        g_free(qp);
        return FALSE;
    }
    return TRUE;
}

static gboolean read_number_field(const sim_scenario *sc, const char *path, const sim_field *f, char *dst,
                                  GError **error)
{
    if (f->kind == SIM_FIELD_INT64)
        return sim_scenario_int(sc, path, (int64_t)f->min, (int64_t)f->max, (int64_t *)dst, error);
    if (f->kind == SIM_FIELD_U32) {   /* a count: a whole number, as for INT64 */
        int64_t c = 0;
        if (!sim_scenario_int(sc, path, (int64_t)f->min, (int64_t)MIN(f->max, (double)UINT32_MAX), &c, error)) return FALSE;
        *(uint32_t *)dst = (uint32_t)c;
        return TRUE;
    }
    double v = 0;
    double max = f->kind == SIM_FIELD_TIME ? MIN(f->max, SIM_SCENARIO_TIME_MAX_S) : f->max;
    if (!sim_scenario_double(sc, path, f->min, max, &v, error)) return FALSE;
    switch (f->kind) {
    case SIM_FIELD_DOUBLE: *(double *)dst = v; break;
    case SIM_FIELD_TIME:   *(sim_time *)dst = sim_time_from_sec(v); break;
    default: g_assert_not_reached();
    }
    return TRUE;
}

static gboolean read_field(const sim_scenario *sc, const char *prefix, const sim_field *f, void *config, GError **error)
{
    char *path = field_path(prefix, f);
    char *dst = (char *)config + f->offset;
    gboolean ok;
    switch (f->kind) {
    case SIM_FIELD_BOOL: ok = sim_scenario_bool(sc, path, (gboolean *)dst, error); break;
    case SIM_FIELD_ENUM: ok = sim_scenario_enum(sc, path, f->names, names_count(f->names), (int *)dst, error); break;
    case SIM_FIELD_DIST: ok = read_dist_slot(sc, path, f, (sim_dist *)dst, error); break;
    default:             ok = read_number_field(sc, path, f, dst, error); break;
    }
    g_free(path);
    return ok;
}

gboolean sim_scenario_read_fields(const sim_scenario *sc, const char *prefix, const sim_field *fields,
                                  size_t n, void *config, GError **error)
{
    for (size_t i = 0; i < n; i++)
        if (!read_field(sc, prefix, &fields[i], config, error)) return FALSE;
    return TRUE;
}

void sim_scenario_fields_clear(const sim_field *fields, size_t n, void *config)
{
    for (size_t i = 0; i < n; i++)
        if (fields[i].kind == SIM_FIELD_DIST) sim_dist_clear((sim_dist *)((char *)config + fields[i].offset));
}

gboolean sim_scenario_enum(const sim_scenario *sc, const char *path, const char *const *names, int n,
                           int *out, GError **error)
{
    const char *s = NULL;
    if (!sim_scenario_string(sc, path, &s, error)) return FALSE;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) { *out = i; return TRUE; }
    GString *allowed = g_string_new(NULL);
    for (int i = 0; i < n; i++)
        g_string_append_printf(allowed, "%s\"%s\"", i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
    char *w = value_where(sc, path);
    g_autofree char *qp = sim_error_quote(path), *qs = sim_error_quote(s);
    g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: %s must be %s, got \"%s\"", w, qp, allowed->str, qs);
    g_free(w);
    g_string_free(allowed, TRUE);
    return FALSE;
}

/* The object at dotted `path`'s parent, created as needed; *leaf is the
 * last segment (a pointer into `path`). */
static cJSON *parent_object(cJSON *root, const char *path, const char **leaf)
{
    cJSON *o = root;
    const char *seg = path;
    for (const char *dot; (dot = strchr(seg, '.')); seg = dot + 1) {
        char *name = g_strndup(seg, (gsize)(dot - seg));
        cJSON *child = cJSON_GetObjectItemCaseSensitive(o, name);
        if (!cJSON_IsObject(child)) child = cJSON_AddObjectToObject(o, name);
        g_free(name);
        o = child;
    }
    *leaf = seg;
    return o;
}

static cJSON *field_json(const sim_field *f, const char *src)
{
    switch (f->kind) {
    case SIM_FIELD_DOUBLE: return cJSON_CreateNumber(*(const double *)src);
    case SIM_FIELD_U32:    return cJSON_CreateNumber(*(const uint32_t *)src);
    case SIM_FIELD_TIME:   return cJSON_CreateNumber(sim_time_to_sec(*(const sim_time *)src));
    case SIM_FIELD_INT64:  return cJSON_CreateNumber((double)*(const int64_t *)src);
    case SIM_FIELD_BOOL:   return cJSON_CreateBool(*(const gboolean *)src);
    case SIM_FIELD_ENUM:   return cJSON_CreateString(f->names[*(const int *)src]);
    case SIM_FIELD_DIST:   return sim_dist_to_json((const sim_dist *)src);
    }
    g_assert_not_reached();
}

void sim_scenario_fields_to_json(cJSON *root, const sim_field *fields, size_t n, const void *config)
{
    for (size_t i = 0; i < n; i++) {
        const char *leaf;
        cJSON *o = parent_object(root, fields[i].path, &leaf);
        cJSON_AddItemToObject(o, leaf, field_json(&fields[i], (const char *)config + fields[i].offset));
    }
}

void sim_scenario_fields_defaults(cJSON *root, const sim_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *leaf;
        cJSON *v = cJSON_Parse(fields[i].dflt);
        g_assert(v != NULL);   /* a table's own text: a programming error if it does not parse */
        cJSON *o = parent_object(root, fields[i].path, &leaf);
        cJSON_AddItemToObject(o, leaf, v);
    }
}

static const char *const field_kind_names[] = {
    [SIM_FIELD_DOUBLE] = "number", [SIM_FIELD_U32] = "count", [SIM_FIELD_TIME] = "seconds",
    [SIM_FIELD_INT64] = "integer", [SIM_FIELD_BOOL] = "bool", [SIM_FIELD_ENUM] = "string",
    [SIM_FIELD_DIST] = "dist",
};

void sim_scenario_fields_list(GString *out, const char *prefix, const sim_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const sim_field *f = &fields[i];
        char *path = field_path(prefix, f);
        g_string_append_printf(out, "%s\t%s\t%s\t", path, field_kind_names[f->kind], f->unit ? f->unit : "-");
        if (f->kind == SIM_FIELD_BOOL) g_string_append(out, "-\t-");
        else if (f->kind == SIM_FIELD_ENUM) {
            for (int k = 0; f->names[k]; k++) g_string_append_printf(out, "%s%s", k ? "|" : "", f->names[k]);
            g_string_append(out, "\t-");
        }
        else g_string_append_printf(out, "%.17g\t%.17g", f->min, f->max);
        g_string_append_c(out, '\n');
        g_free(path);
    }
}
