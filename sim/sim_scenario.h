/* sim_scenario: loading JSON scenarios against a schema of defaults.
 *
 * A model describes its parameters as a defaults document (a cJSON tree):
 * every key a scenario may use, with its default value. Loading a scenario
 * file resolves "extends" (a path relative to the file, recursively), merges
 * the chain over the defaults, and rejects keys the defaults do not have
 * (suggesting the nearest one) and values of the wrong JSON type. Objects
 * marked as distributions in the defaults accept any sim_dist JSON form.
 * --set overrides ("path.to.key=value", value parsed as JSON, else taken as a
 * string) go through the same checks. Range checks are the model's: it reads
 * values with the typed getters below, which give file-and-key messages.
 *
 * Schema rules:
 *  - objects merge key by key; any other value replaces the default;
 *  - "name" and "description" (strings) are allowed at top level, "extends"
 *    only in files; a default of null accepts any JSON value;
 *  - a distribution slot takes a number or an object with "dist" (replaces),
 *    or an object without "dist", which changes parameters of the current
 *    distribution ({"mean": 0.004}; --set a.b.mean=0.004);
 *  - arrays replace the default whole; their elements must have the JSON
 *    type of the default's first element, and object elements are checked
 *    against it and completed with its values ("alerts[1].metric");
 *  - duplicate keys are an error; the text must be strict JSON.
 * Every message says where: "file:line:col" for the key in the file that set
 * it, "--set key=value" for overrides, "file (default)" for defaults. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdint.h>
#include <stddef.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_dist.h"

typedef struct sim_scenario sim_scenario;

/* Loads `path` over `defaults` (borrowed during the call; copied). Caller
 * owns the result; free with sim_scenario_free. NULL with `error` set to a
 * one-line message ("scenarios/x.json:12:5: expected ',' or '}'",
 * "scenarios/x.json: unknown key 'gateway.cont' (did you mean
 * 'gateway.count'?)") on any problem. */
sim_scenario *sim_scenario_load(const char *path, const cJSON *defaults, GError **error);
/* The defaults alone, named `name` (for built-in demos and tests). */
sim_scenario *sim_scenario_from_defaults(const char *name, const cJSON *defaults);
/* Loads from an in-memory JSON text; `origin` names it in messages. */
sim_scenario *sim_scenario_load_string(const char *text, const char *origin, const cJSON *defaults, GError **error);
void sim_scenario_free(sim_scenario *sc);          /* NULL is a no-op */

/* Applies one "a.b.c=value" override. A string slot takes the text as is
 * (name=2024 is the string "2024"). On failure the scenario is unchanged. */
gboolean sim_scenario_set(sim_scenario *sc, const char *assignment, GError **error);

/* "name" key if the scenario has one, else the file's base name. Borrowed. */
const char *sim_scenario_name(const sim_scenario *sc);
const char *sim_scenario_origin(const sim_scenario *sc);   /* file path; borrowed */
/* The merged tree. Borrowed until the scenario is freed or set again. */
const cJSON *sim_scenario_root(const sim_scenario *sc);
/* Node at a dotted path, or NULL. Borrowed. */
const cJSON *sim_scenario_get(const sim_scenario *sc, const char *path);

/* Upper bound, in seconds, of every time-valued key: a SIM_FIELD_TIME
 * field and a number read with sim_scenario_double whose key ends in "_s"
 * (whatever max the model asks for), and the mean of a distribution whose
 * key ends in "_s" (sim_scenario_dist). 1e6 s (11.6 days) is far beyond any
 * latency or period a scenario means, and keeps int64 nanosecond sums of
 * such values from overflowing. */
#define SIM_SCENARIO_TIME_MAX_S 1e6

/* Typed getters with range checks: FALSE and a message naming the origin
 * and key ("scenarios/x.json: gateways.count must be >= 1, got 0"). */
gboolean sim_scenario_double(const sim_scenario *sc, const char *path, double min, double max, double *out, GError **error);
gboolean sim_scenario_int(const sim_scenario *sc, const char *path, int64_t min, int64_t max, int64_t *out, GError **error);
gboolean sim_scenario_bool(const sim_scenario *sc, const char *path, gboolean *out, GError **error);
/* Borrowed string. */
gboolean sim_scenario_string(const sim_scenario *sc, const char *path, const char **out, GError **error);
/* Caller clears `out` with sim_dist_clear. A key ending in "_s" (seconds)
 * must have a mean of at most SIM_SCENARIO_TIME_MAX_S. */
gboolean sim_scenario_dist(const sim_scenario *sc, const char *path, sim_dist *out, GError **error);

/* Table-driven configuration: every key a component reads is one row of a
 * `sim_field` table naming its path below the component's prefix, its kind,
 * its range, its unit and where it goes (offsetof). One table serves three
 * purposes, so they cannot disagree: reading a scenario
 * (sim_scenario_read_fields), writing the defaults document from a config
 * struct whose init function holds the defaults (sim_scenario_fields_to_json),
 * and listing the keys for docs/scenarios.md (sim_scenario_fields_list). */
typedef enum {
    SIM_FIELD_DOUBLE,   /* double in [min, max] */
    SIM_FIELD_U32,      /* uint32_t, a whole number in [min, max] */
    SIM_FIELD_TIME,     /* seconds in the scenario, sim_time (ns) in the struct */
    SIM_FIELD_INT64,    /* int64_t, a whole number in [min, max] */
    SIM_FIELD_BOOL,     /* gboolean; min and max unused */
    SIM_FIELD_ENUM,     /* int: the index of the string in `names` */
    SIM_FIELD_DIST      /* sim_dist; [min, max] bounds its mean (max may be INFINITY) */
} sim_field_kind;

typedef struct sim_field {
    const char *path;            /* below the prefix: "s3.prefixes" */
    double min, max;
    sim_field_kind kind;
    size_t offset;               /* offsetof the destination */
    const char *unit;            /* as docs/scenarios.md gives it; NULL: "-" */
    const char *const *names;    /* SIM_FIELD_ENUM: the allowed strings, NULL-terminated */
    const char *dflt;            /* the default as JSON text, for tables that carry their defaults */
} sim_field;

/* Reads every field of the table into `config`; FALSE at the first bad one
 * with a message naming "prefix.path". `prefix` NULL or "" for top-level
 * keys. A SIM_FIELD_DIST slot is cleared before it is read, so `config`
 * must hold valid (or zeroed) distributions. */
gboolean sim_scenario_read_fields(const sim_scenario *sc, const char *prefix, const sim_field *fields,
                                  size_t n, void *config, GError **error);
/* The inverse: each field's value in `config` goes to its dotted path
 * under `root` (objects created as needed), in table order. */
void sim_scenario_fields_to_json(cJSON *root, const sim_field *fields, size_t n, const void *config);
/* The defaults of a table whose rows carry them (`dflt`), each at its
 * dotted path under `root`, in table order. */
void sim_scenario_fields_defaults(cJSON *root, const sim_field *fields, size_t n);
/* Releases the SIM_FIELD_DIST slots of `config`. */
void sim_scenario_fields_clear(const sim_field *fields, size_t n, void *config);
/* One line per field, "prefix.path<TAB>kind<TAB>unit<TAB>min<TAB>max",
 * appended to `out` (the key list `slacksim validate --keys` prints). */
void sim_scenario_fields_list(GString *out, const char *prefix, const sim_field *fields, size_t n);
/* A string key that must be one of `names`: *out is its index. */
gboolean sim_scenario_enum(const sim_scenario *sc, const char *path, const char *const *names, int n,
                           int *out, GError **error);

/* TRUE if a defaults node is a distribution slot: an object with a "dist"
 * key. Any sim_dist JSON form (a number, another kind) is accepted there. */
gboolean sim_scenario_is_dist_node(const cJSON *node);

/* Edit distance used for "did you mean": optimal string alignment
 * (Levenshtein plus adjacent transpositions). Exposed for tests. */
unsigned sim_scenario_edit_distance(const char *a, const char *b);

#endif
