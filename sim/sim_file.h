/* sim_file: reading text a user names (scenarios, quiz banks, results)
 * without trusting it: only regular files, a size cap, no NUL bytes, valid
 * UTF-8. A FIFO, a device (/dev/zero) or a directory is refused with one
 * line instead of blocking or reading until memory runs out. */
#ifndef SIM_FILE_H
#define SIM_FILE_H

#include <stddef.h>
#include <glib.h>

/* Large enough for any scenario or quiz bank by three orders of magnitude;
 * small enough that a hostile file costs a fraction of a second. */
#define SIM_FILE_MAX_TEXT ((size_t)16 << 20)

/* The whole of `path` as a NUL-terminated string, checked by
 * sim_file_check_text. The file is opened non-blocking (so opening a FIFO
 * cannot hang), must be a regular file (fstat on the open descriptor, so it
 * cannot change between the check and the read) and at most `max_bytes`
 * long. Caller frees with g_free; *len (if given) is the length. NULL with
 * `error` (SIM_ERROR_IO, or SIM_ERROR_PARSE for bad text) naming the path. */
char *sim_file_read_text(const char *path, size_t max_bytes, size_t *len, GError **error);

/* TRUE if `text` (`len` bytes) has no NUL byte and is valid UTF-8; else
 * FALSE with "label:line:col: invalid UTF-8" or "label: not a text file
 * (contains NUL bytes)" in `error` (label quoted). */
gboolean sim_file_check_text(const char *label, const char *text, size_t len, GError **error);

#endif
