/* sim_file: the one way the toolkit reads a file a user named.
 *
 * Invariant: what it returns is at most max_bytes of valid UTF-8 without NUL
 * bytes, read from a regular file; anything else is one quoted-path message. */
#include "sim/sim_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim/sim_error.h"

static gboolean io_fail(GError **error, const char *path, int e)
{
    return sim_error_at(error, SIM_ERROR_IO, path, NULL, "%s", g_strerror(e));
}

gboolean sim_file_check_text(const char *label, const char *text, size_t len, GError **error)
{
    if (memchr(text, '\0', len))
        return sim_error_at(error, SIM_ERROR_PARSE, label, NULL, "not a text file (contains NUL bytes)");
    const char *bad = NULL;
    if (g_utf8_validate(text, (gssize)len, &bad)) return TRUE;
    unsigned line = 1, col = 1;
    for (const char *q = text; q < bad; q++) {
        if (*q == '\n') { line++; col = 1; }
        else if (((unsigned char)*q & 0xC0) != 0x80) col++;
    }
    char *where = g_strdup_printf("%u:%u", line, col);
    char *q = sim_error_quote(label);
    g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s:%s: invalid UTF-8 (text must be UTF-8)", q, where);
    g_free(q);
    g_free(where);
    return FALSE;
}

char *sim_file_read_text(const char *path, size_t max_bytes, size_t *len, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) { io_fail(error, path, errno); return NULL; }
    struct stat st;
    if (fstat(fd, &st) != 0) { io_fail(error, path, errno); close(fd); return NULL; }
    if (S_ISDIR(st.st_mode)) { io_fail(error, path, EISDIR); close(fd); return NULL; }
    if (!S_ISREG(st.st_mode)) {
        sim_error_at(error, SIM_ERROR_IO, path, NULL, "not a regular file");
        close(fd);
        return NULL;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        sim_error_at(error, SIM_ERROR_IO, path, NULL, "file too large (%lld bytes; the limit is %zu)",
                     (long long)st.st_size, max_bytes);
        close(fd);
        return NULL;
    }
    /* Regular files ignore O_NONBLOCK, but clear it anyway: reads must not
     * return EAGAIN on any file system. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    /* Read to EOF rather than st_size bytes (the file may grow), but never
     * past the cap. */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = g_malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                sim_error_at(error, SIM_ERROR_IO, path, NULL, "file too large (the limit is %zu bytes)", max_bytes);
                g_free(buf); close(fd);
                return NULL;
            }
            cap = MIN(cap * 2, max_bytes + 1);
            buf = g_realloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { io_fail(error, path, errno); g_free(buf); close(fd); return NULL; }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (!sim_file_check_text(path, buf, n, error)) { g_free(buf); return NULL; }
    if (len) *len = n;
    return buf;
}
