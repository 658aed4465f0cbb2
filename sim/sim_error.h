/* sim_error: the GError domain for recoverable errors of every layer
 * (bad scenario, bad quiz bank, bad flag). Messages are written for the user
 * and say where: "file:line:column: what", or "origin: key: what".
 *
 * One line, always: user text (a key, a value, a path) goes through
 * sim_error_quote before it reaches a message, so a newline or a terminal
 * escape in a scenario cannot split or forge the line. */
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

#include <glib.h>

#define SIM_ERROR (sim_error_quark())
GQuark sim_error_quark(void);

typedef enum {
    SIM_ERROR_IO,          /* missing or unreadable file, failed write */
    SIM_ERROR_PARSE,       /* malformed JSON */
    SIM_ERROR_UNKNOWN_KEY, /* a key the schema does not have */
    SIM_ERROR_TYPE,        /* a value of the wrong JSON type */
    SIM_ERROR_VALUE,       /* a value of the right type but impossible */
    SIM_ERROR_USAGE        /* a bad command-line flag */
} sim_error_code;

/* User text made safe for a one-line message: control characters escaped
 * (\n, \t, \xNN), invalid UTF-8 replaced by U+FFFD, and text longer than
 * SIM_ERROR_QUOTE_MAX bytes cut, with its length said. NULL gives "(null)".
 * Caller frees with g_free. */
#define SIM_ERROR_QUOTE_MAX 200
char *sim_error_quote(const char *text);
/* The same escaping for a whole message, without the length cut: the last
 * line of defence where a message is printed (the CLI), for text a layer
 * pasted unquoted. Idempotent on quoted text. Caller frees with g_free. */
char *sim_error_one_line(const char *message);

/* Sets `error` to "ORIGIN: WHERE: WHAT" (", WHERE" left out when NULL),
 * WHAT formatted from `fmt`; returns FALSE so a reader can
 * `return sim_error_at(...)`. ORIGIN and WHERE are quoted here; text in
 * `fmt`'s arguments that came from the user must be quoted by the caller. */
gboolean sim_error_at(GError **error, sim_error_code code, const char *origin, const char *where,
                      const char *fmt, ...) G_GNUC_PRINTF(5, 6);

#endif
