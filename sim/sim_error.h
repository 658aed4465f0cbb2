/* sim_error: the GError domain for recoverable errors of every layer
 * (bad scenario, bad quiz bank, bad flag). Messages are written for the user
 * and say where: "file:line:column: what". */
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

#endif
