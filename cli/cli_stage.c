/* cli_stage: all-or-nothing output sets, and what SIGINT/SIGTERM leave.
 *
 * Invariant: a command's output set (a directory of files) is written into a
 * stage directory beside its target (same file system, so rename is cheap
 * and cannot run out of space) and appears at the target only in
 * cli_stage_commit: a target that did not exist is the stage renamed once;
 * an existing directory gets each staged file renamed in, after every name
 * was checked to be free of directories. Until then the target is
 * untouched; a failure, an exit or a signal removes the stage and any parent
 * directory the stage made.
 *
 * Signals: SIGINT and SIGTERM are blocked in every thread from the start of
 * main (threads inherit the mask) and taken by one thread with sigwait, so
 * the cleanup is ordinary code, not an async-signal handler. It removes the
 * live stages under the same lock that commit holds, so a signal either
 * lands before a commit (nothing appears) or after it (the whole set). The
 * process then exits 128 + the signal number (130, 143). The list of live
 * stages is process state by nature (a signal is delivered to the process),
 * the one mutable global of the command line. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <glib/gstdio.h>
#include "cli/cli.h"
#include "sim/sim_error.h"

struct cli_stage {
    char *target;        /* where the set goes (user's path) */
    char *path;          /* the stage directory */
    GPtrArray *made;     /* parent directories created for the stage, outermost first */
    gboolean committed;
};

static GMutex stage_lock;            /* guards live_stages; held by commit */
static GPtrArray *live_stages;       /* cli_stage *, borrowed */

/* ------------------------------------------------------------------------
 * API implementation
 * ------------------------------------------------------------------------ */

static void rm_tree(const char *dir);

static gpointer signal_thread(gpointer data)
{
    sigset_t *set = data;
    int sig = 0;
    while (sigwait(set, &sig) != 0) { }
    g_mutex_lock(&stage_lock);   /* never released: we exit holding it */
    for (guint i = 0; live_stages && i < live_stages->len; i++) {
        cli_stage *st = live_stages->pdata[i];
        /* Another thread may still be writing into the stage: repeat until
         * the directory itself is gone. */
        for (int tries = 0; tries < 1000 && g_file_test(st->path, G_FILE_TEST_EXISTS); tries++) rm_tree(st->path);
        for (guint j = st->made->len; j-- > 0; ) g_rmdir(st->made->pdata[j]);
    }
    fprintf(stderr, "slacksim: interrupted by %s; no output written\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    _exit(128 + sig);
    return NULL;
}

void cli_signals_init(void)
{
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    g_thread_unref(g_thread_new("slacksim-signals", signal_thread, &set));
}

/* Checks that `dir` can take a stage: it is a writable directory with at
 * least CLI_STAGE_MIN_FREE bytes available. */
static gboolean check_space(const char *target, const char *dir, GError **error)
{
    struct statvfs vfs;
    if (statvfs(dir, &vfs) == 0) {
        unsigned long long avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
        if (avail < CLI_STAGE_MIN_FREE)
            return sim_error_at(error, SIM_ERROR_IO, target, NULL,
                                "only %llu KiB free on its file system (at least %llu KiB needed)", avail / 1024,
                                (unsigned long long)CLI_STAGE_MIN_FREE / 1024);
    }
    return TRUE;
}

cli_stage *cli_stage_new(const char *target, const char *what, GError **error)
{
    g_return_val_if_fail(target != NULL && what != NULL, NULL);
    struct stat st;
    if (stat(target, &st) == 0 && !S_ISDIR(st.st_mode)) {
        sim_error_at(error, SIM_ERROR_IO, target, NULL, "cannot create %s: %s", what, g_strerror(EEXIST));
        return NULL;
    }
    if (stat(target, &st) == 0 && access(target, W_OK | X_OK) != 0) {
        int e = errno;
        sim_error_at(error, SIM_ERROR_IO, target, NULL, "cannot write in %s: %s", what, g_strerror(e));
        return NULL;
    }
    cli_stage *sg = g_new0(cli_stage, 1);
    sg->target = g_strdup(target);
    sg->made = g_ptr_array_new_with_free_func(g_free);
    /* Parents that do not exist yet are made now and removed on failure. */
    char *canon = g_canonicalize_filename(target, NULL);
    char *parent = g_path_get_dirname(canon);
    GPtrArray *missing = g_ptr_array_new();
    for (char *p = g_strdup(parent); ; ) {
        if (g_file_test(p, G_FILE_TEST_EXISTS) || !strcmp(p, "/")) { g_free(p); break; }
        g_ptr_array_insert(missing, 0, p);
        char *up = g_path_get_dirname(p);
        p = up;
    }
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < missing->len; i++) {
        if (g_mkdir(missing->pdata[i], 0755) != 0) {
            int e = errno;
            ok = sim_error_at(error, SIM_ERROR_IO, target, NULL, "cannot create %s: %s", what, g_strerror(e));
            g_free(missing->pdata[i]);
        } else {
            g_ptr_array_add(sg->made, missing->pdata[i]);
        }
        missing->pdata[i] = NULL;
    }
    for (guint i = 0; i < missing->len; i++) g_free(missing->pdata[i]);
    g_ptr_array_free(missing, TRUE);
    if (ok) {
        char *base = g_path_get_basename(canon);
        char *tmpl = g_strdup_printf("%s/.%s.stage-XXXXXX", parent, base);
        g_free(base);
        if (g_mkdtemp_full(tmpl, 0755)) {
            sg->path = tmpl;
        } else {
            int e = errno;
            ok = sim_error_at(error, SIM_ERROR_IO, target, NULL, "cannot create %s: %s", what, g_strerror(e));
            g_free(tmpl);
        }
    }
    /* After the stage exists, so an unwritable place says so first. */
    if (ok) ok = check_space(target, sg->path, error);
    g_free(parent);
    g_free(canon);
    if (!ok) { cli_stage_free(sg); return NULL; }
    g_mutex_lock(&stage_lock);
    if (!live_stages) live_stages = g_ptr_array_new();
    g_ptr_array_add(live_stages, sg);
    g_mutex_unlock(&stage_lock);
    return sg;
}

const char *cli_stage_path(const cli_stage *sg) { return sg->path; }

gboolean cli_stage_write(cli_stage *sg, const char *name, const char *data, size_t len, GError **error)
{
    char *path = g_build_filename(sg->path, name, NULL);
    char *shown = g_build_filename(sg->target, name, NULL);
    FILE *f = fopen(path, "wb");
    int e = f ? 0 : errno;
    if (f && len && fwrite(data, 1, len, f) != len) e = errno ? errno : EIO;
    if (f && fflush(f) != 0 && !e) e = errno;
    if (f && fsync(fileno(f)) != 0 && !e && errno != EINVAL) e = errno;
    if (f && fclose(f) != 0 && !e) e = errno;
    if (e) sim_error_at(error, SIM_ERROR_IO, shown, NULL, "cannot write: %s", g_strerror(e));
    g_free(path);
    g_free(shown);
    return e == 0;
}

void cli_stage_fix_error(const cli_stage *sg, GError *error)
{
    if (!sg || !error || !strstr(error->message, sg->path)) return;
    char **parts = g_strsplit(error->message, sg->path, -1);
    char *m = g_strjoinv(sg->target, parts);
    g_strfreev(parts);
    g_free(error->message);
    error->message = m;
}

/* One name's destination in an existing target must be a regular file or
 * absent. */
static gboolean check_one(const cli_stage *sg, const char *name, GError **error)
{
    char *dst = g_build_filename(sg->target, name, NULL);
    struct stat st;
    gboolean ok = TRUE;
    if (lstat(dst, &st) == 0 && !S_ISREG(st.st_mode))
        ok = sim_error_at(error, SIM_ERROR_IO, dst, NULL, "is in the way (%s, not a file); nothing was written",
                          S_ISDIR(st.st_mode) ? "a directory" : "something else");
    g_free(dst);
    return ok;
}

gboolean cli_stage_check_names(const cli_stage *sg, const char *const *names, GError **error)
{
    if (!g_file_test(sg->target, G_FILE_TEST_IS_DIR)) return TRUE;
    for (; *names; names++)
        if (!check_one(sg, *names, error)) return FALSE;
    return TRUE;
}

/* A staged name whose destination in an existing target is a directory (or
 * anything but a regular file) would fail half-way through the renames. */
static gboolean check_names(const cli_stage *sg, GError **error)
{
    if (!g_file_test(sg->target, G_FILE_TEST_IS_DIR)) return TRUE;
    GDir *d = g_dir_open(sg->path, 0, NULL);
    gboolean ok = d != NULL;
    for (const char *n; ok && (n = g_dir_read_name(d)); ) ok = check_one(sg, n, error);
    if (d) g_dir_close(d);
    return ok;
}

gboolean cli_stage_check(const cli_stage *sg, GError **error) { return check_names(sg, error); }

gboolean cli_stage_commit(cli_stage *sg, GError **error)
{
    g_mutex_lock(&stage_lock);
    gboolean ok = check_names(sg, error);
    if (ok && !g_file_test(sg->target, G_FILE_TEST_EXISTS)) {
        if (g_rename(sg->path, sg->target) != 0) {
            int e = errno;
            ok = sim_error_at(error, SIM_ERROR_IO, sg->target, NULL, "cannot create: %s", g_strerror(e));
        }
    } else if (ok) {
        GDir *d = g_dir_open(sg->path, 0, NULL);
        for (const char *n; ok && d && (n = g_dir_read_name(d)); ) {
            char *src = g_build_filename(sg->path, n, NULL), *dst = g_build_filename(sg->target, n, NULL);
            if (g_rename(src, dst) != 0) {
                int e = errno;
                ok = sim_error_at(error, SIM_ERROR_IO, dst, NULL, "cannot write: %s", g_strerror(e));
            }
            g_free(src);
            g_free(dst);
        }
        if (d) g_dir_close(d);
        if (ok) g_rmdir(sg->path);
    }
    if (ok) {
        sg->committed = TRUE;
        g_ptr_array_remove(live_stages, sg);
    }
    g_mutex_unlock(&stage_lock);
    return ok;
}

void cli_stage_free(cli_stage *sg)
{
    if (!sg) return;
    g_mutex_lock(&stage_lock);
    if (live_stages) g_ptr_array_remove(live_stages, sg);
    if (!sg->committed) {
        if (sg->path) rm_tree(sg->path);
        for (guint j = sg->made->len; j-- > 0; ) g_rmdir(sg->made->pdata[j]);
    }
    g_mutex_unlock(&stage_lock);
    g_ptr_array_free(sg->made, TRUE);
    g_free(sg->target);
    g_free(sg->path);
    g_free(sg);
}

/* ------------------------------------------------------------------------
 * private functions
 * ------------------------------------------------------------------------ */

/* Removes `dir` and everything below it; symbolic links are removed, not
 * followed. */
static void rm_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d)); ) {
        char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK)) rm_tree(p);
        else g_unlink(p);
        g_free(p);
    }
    if (d) g_dir_close(d);
    g_rmdir(dir);
}
