/* cli_calibrate: `slacksim calibrate redis|postgres [--host H --port P |
 * --start] [--duration S] [--clients N] --out FILE.json`: measures a real server and
 * writes a scenario fragment (a scenario a planner's own one `extends`)
 * with the model's service times fitted to it.
 *
 *  - redis: the model charges a request `request_s + n x command_s` of the
 *    server's one thread. The fit uses the server's own CPU clock (INFO
 *    cpu, main thread, user + sys) over a run of unpipelined SETEX and one
 *    of pipelined requests of 16 SETEX, sent by --clients connections at
 *    once (50, as redis-benchmark: the server then finds several requests
 *    ready per wakeup, as under load), minus the idle cron's CPU measured
 *    over the same time: r + c = CPU / requests at depth 1, r + 16 c at
 *    depth 16. Client-side latencies of SETEX, GET, SMEMBERS (100 members)
 *    and MGET (16 keys) go in the fragment's description.
 *  - postgres: in a scratch database it creates the seed's messages table
 *    (ts, channel_id, user_id, text, thread_ts, files jsonb, reactions
 *    jsonb; partitioned by channel_id), times INSERTs of a message (one
 *    connection, autocommit: one writer's service time, as the model's
 *    writer pool serves them) and writes postgres.service_s as the
 *    empirical distribution of those times (21 quantiles). Recent-history
 *    SELECTs by channel and thread fetches by thread_ts are timed and
 *    reported in the description.
 *
 * `--start` runs a private server: a temporary directory, 127.0.0.1 and a
 * free port, no persistence for Redis; PostgreSQL through initdb and the
 * postgres binary itself (as the `postgres` user when run as root). It is
 * stopped by its pid (SIGTERM / SIGINT, then waited for, bounded) and the
 * directory removed. Every measuring loop is bounded by --duration and by
 * a count. The output file is written whole (temp + rename). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <cjson/cJSON.h>
#include <hiredis.h>
#include <libpq-fe.h>
#include "cli/cli.h"
#include "cli/cli_calibrate.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"

#define CAL_MAX_SAMPLES 200000u     /* per measured command: bounds memory and time */
#define CAL_PIPE 16u                /* the depth of the pipelined fit */

typedef struct {
    char *dir;                      /* temporary directory (owned) */
    GPid pid;                       /* 0 when none */
    int port;
    int stop_signal;                /* SIGTERM for redis, SIGINT (fast shutdown) for postgres */
} cal_server;

/* ------------------------------------------------------------ helpers */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* "SETEX 8.1/9.9/31 us (p50/p99/max, n=1234)" into `s`; sorts v. */
static void describe(GString *s, const char *what, double *v, size_t n)
{
    sim_sort_doubles(v, n);
    g_string_append_printf(s, "%s%s p50 %.1f us, p99 %.1f us, mean %.1f us (n=%zu)", s->len ? "; " : "", what,
                           sim_quantile_sorted(v, n, 0.5) * 1e6, sim_quantile_sorted(v, n, 0.99) * 1e6, sim_mean(v, n) * 1e6, n);
}

/* A port on 127.0.0.1 nobody listens on now (bind to port 0, read it back). */
static int free_port(GError **error)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    if (port < 0) g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "no free port on 127.0.0.1: %s", g_strerror(errno));
    return port;
}

/* Child setup for servers that refuse to run as root (PostgreSQL): become
 * the `postgres` user. */
static void drop_root(gpointer data)
{
    const struct passwd *pw = data;
    if (pw && geteuid() == 0) {
        if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) _exit(127);
    }
}

static gboolean spawn(char **argv, const char *log, struct passwd *as, GPid *pid, gboolean wait, GError **error)
{
    int out = log ? g_open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    if (as && out >= 0 && fchown(out, as->pw_uid, as->pw_gid) != 0) { /* the log stays root's: fine */ }
    gboolean ok = g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, as ? drop_root : NULL, as,
                                         pid, -1, out, out, error);
    if (out >= 0) close(out);
    if (!ok || !wait) return ok;
    int status = 0;
    waitpid(*pid, &status, 0);
    g_spawn_close_pid(*pid);
    *pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s failed (status %d; see %s)", argv[0], status, log ? log : "stderr");
        return FALSE;
    }
    return TRUE;
}

/* Stops the server by its pid: its stop signal, then SIGKILL after 10 s. */
static void server_stop(cal_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, s->stop_signal);
        int status;
        for (int i = 0; i < 1000; i++) {
            if (waitpid(s->pid, &status, WNOHANG) == s->pid) { s->pid = 0; break; }
            g_usleep(10000);
        }
        if (s->pid > 0) { kill(s->pid, SIGKILL); waitpid(s->pid, &status, 0); s->pid = 0; }
    }
    if (s->dir) {
        char *argv[] = { "rm", "-rf", s->dir, NULL };
        GPid p;
        spawn(argv, NULL, NULL, &p, TRUE, NULL);
        g_free(s->dir);
        s->dir = NULL;
    }
}

static char *find_binary(const char *name, const char *pattern)
{
    char *p = g_find_program_in_path(name);
    if (p) return p;
    glob_t g;
    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc) {
        p = g_strdup(g.gl_pathv[g.gl_pathc - 1]);   /* the newest major version sorts last */
        globfree(&g);
        return p;
    }
    return NULL;
}

/* ------------------------------------------------------------- redis */

static gboolean redis_start(cal_server *s, GError **error)
{
    char *bin = find_binary("redis-server", "/usr/bin/redis-server");
    if (!bin) { g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "redis-server not found (Debian package redis-server)"); return FALSE; }
    s->dir = g_dir_make_tmp("slacksim-redis-XXXXXX", error);
    if (!s->dir || (s->port = free_port(error)) < 0) { g_free(bin); return FALSE; }
    char port[16];
    g_snprintf(port, sizeof port, "%d", s->port);
    char *log = g_build_filename(s->dir, "redis.log", NULL);
    char *argv[] = { bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--dir", s->dir, "--daemonize", "no", "--logfile", log, NULL };
    s->stop_signal = SIGTERM;
    gboolean ok = spawn(argv, NULL, NULL, &s->pid, FALSE, error);
    g_free(log);
    g_free(bin);
    return ok;
}

static redisContext *redis_connect_wait(const char *host, int port, GError **error)
{
    struct timeval tv = { 2, 0 };
    for (int i = 0; i < 100; i++) {                  /* 10 s at most */
        redisContext *c = redisConnectWithTimeout(host, port, tv);
        if (c && !c->err) {
            redisReply *r = redisCommand(c, "PING");
            gboolean up = r && r->type == REDIS_REPLY_STATUS;
            if (r) freeReplyObject(r);
            if (up) return c;
        }
        if (c) redisFree(c);
        g_usleep(100000);
    }
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "no Redis answering PING on %s:%d", host, port);
    return NULL;
}

/* A field of INFO's text ("used_cpu_sys_main_thread:0.123"). */
static char *info_field(redisContext *c, const char *section, const char *field)
{
    redisReply *r = redisCommand(c, "INFO %s", section);
    char *v = NULL;
    if (r && r->type == REDIS_REPLY_STRING) {
        char *key = g_strdup_printf("\n%s:", field);
        char *p = strstr(r->str, key);
        if (p) {
            p += strlen(key);
            v = g_strndup(p, strcspn(p, "\r\n"));
        }
        g_free(key);
    }
    if (r) freeReplyObject(r);
    return v;
}

static double redis_cpu_s(redisContext *c)
{
    char *u = info_field(c, "cpu", "used_cpu_user_main_thread"), *s = info_field(c, "cpu", "used_cpu_sys_main_thread");
    if (!u || !s) { g_free(u); g_free(s); u = info_field(c, "cpu", "used_cpu_user"); s = info_field(c, "cpu", "used_cpu_sys"); }
    double v = (u ? g_ascii_strtod(u, NULL) : NAN) + (s ? g_ascii_strtod(s, NULL) : NAN);
    g_free(u);
    g_free(s);
    return v;
}

/* `depth` SETEX per request on each of `nc` connections at once (so the
 * server finds nc requests ready per wakeup, as under load) for `dur`
 * seconds, at most CAL_MAX_SAMPLES requests: returns requests sent, fills
 * lat[] with each request's round trip (s). */
static size_t redis_setex_run(redisContext **c, uint32_t nc, uint32_t depth, double dur, double *lat, GError **error)
{
    double end = now_s() + dur;
    size_t n = 0;
    while (n + nc <= CAL_MAX_SAMPLES && now_s() < end) {
        double t = now_s();
        for (uint32_t j = 0; j < nc; j++) {
            for (uint32_t k = 0; k < depth; k++)
                redisAppendCommand(c[j], "SETEX presence:{%u} 65 gw-%u", (unsigned)(((n + j) * depth + k) % 100000), k % 16);
            if (redisBufferWrite(c[j], &(int){ 0 }) != REDIS_OK) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "redis: %s", c[j]->errstr);
                return 0;
            }
        }
        for (uint32_t j = 0; j < nc; j++) {
            for (uint32_t k = 0; k < depth; k++) {
                redisReply *r;
                if (redisGetReply(c[j], (void **)&r) != REDIS_OK) {
                    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "redis: %s", c[j]->errstr);
                    return 0;
                }
                freeReplyObject(r);
            }
            lat[n++] = now_s() - t;
        }
    }
    return n;
}

/* One command format, timed for `dur` s; appends its summary to `desc`. */
static void redis_time(redisContext *c, GString *desc, const char *what, const char *fmt, double dur, double *lat)
{
    double end = now_s() + dur;
    size_t n = 0;
    while (n < CAL_MAX_SAMPLES && now_s() < end) {
        double t = now_s();
        redisReply *r = redisCommand(c, fmt, (unsigned)(n % 1000));
        if (!r) break;
        freeReplyObject(r);
        lat[n++] = now_s() - t;
    }
    describe(desc, what, lat, n);
}

static cJSON *calibrate_redis(const char *host, int port, double dur, uint32_t nc, GString *desc, GError **error)
{
    redisContext *c = redis_connect_wait(host, port, error);
    if (!c) return NULL;
    redisContext **cs = g_new0(redisContext *, nc);
    cs[0] = c;
    for (uint32_t j = 1; j < nc; j++)
        if (!(cs[j] = redis_connect_wait(host, port, error))) { nc = j; goto free_clients; }
    cJSON *out = NULL;
    double *lat = g_new(double, CAL_MAX_SAMPLES);
    char *version = info_field(c, "server", "redis_version");
    g_string_append_printf(desc, "Redis %s at %s:%d", version ? version : "?", host, port);
    GString *lats = g_string_new(NULL);
    /* Idle baseline: the cron's CPU over the time the runs take. */
    double cpu0 = redis_cpu_s(c);
    g_usleep((gulong)(dur * 1e6));
    double idle_rate = (redis_cpu_s(c) - cpu0) / dur;
    double a0 = redis_cpu_s(c), t0 = now_s();
    size_t n1 = redis_setex_run(cs, nc, 1, dur, lat, error);
    double cpu1 = redis_cpu_s(c) - a0 - idle_rate * (now_s() - t0);
    describe(lats, "SETEX", lat, n1);
    double b0 = redis_cpu_s(c), t1 = now_s();
    size_t n16 = n1 ? redis_setex_run(cs, nc, CAL_PIPE, dur, lat, error) : 0;
    double cpu16 = redis_cpu_s(c) - b0 - idle_rate * (now_s() - t1);
    if (n16) describe(lats, "16 pipelined SETEX", lat, n16);
    if (!n1 || !n16) goto done;
    /* A set of 100 members and GET / SMEMBERS / MGET timed as the model uses them. */
    for (unsigned m = 0; m < 100; m++) {
        redisReply *r = redisCommand(c, "SADD channel:{calibrate}:members %u", m);
        if (r) freeReplyObject(r);
    }
    redis_time(c, lats, "GET", "GET presence:{%u}", dur / 4, lat);
    redis_time(c, lats, "SMEMBERS of 100", "SMEMBERS channel:{calibrate}:members", dur / 4, lat);
    redis_time(c, lats, "MGET of 16", "MGET presence:{%u} presence:{1} presence:{2} presence:{3} presence:{4} presence:{5} "
               "presence:{6} presence:{7} presence:{8} presence:{9} presence:{10} presence:{11} presence:{12} presence:{13} "
               "presence:{14} presence:{15}", dur / 4, lat);
    double per1 = cpu1 / n1, per16 = cpu16 / n16;
    double cmd = (per16 - per1) / (CAL_PIPE - 1), req = per1 - cmd;
    if (!(cmd > 0) || !(req >= 0) || !isfinite(per1)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
                    "redis: server CPU per request %.3g s unpipelined, %.3g s at depth 16: no positive fit "
                    "(too short or too noisy: raise --duration)", per1, per16);
        goto done;
    }
    g_string_append_printf(desc, ": %u clients at once; server CPU %.2f us per unpipelined SETEX (%zu requests), %.2f us per request of 16 "
                           "(%zu requests), so request_s %.3g s + command_s %.3g s per command, %.0f ops/s unpipelined "
                           "per shard (the throughput ceiling); client round trips: %s",
                           nc, per1 * 1e6, n1, per16 * 1e6, n16, req, cmd, 1 / per1, lats->str);
    out = cJSON_CreateObject();
    cJSON *rd = cJSON_AddObjectToObject(out, "redis");
    cJSON_AddNumberToObject(rd, "request_s", req);
    cJSON_AddNumberToObject(rd, "command_s", cmd);
    redisReply *r = redisCommand(c, "DEL channel:{calibrate}:members");
    if (r) freeReplyObject(r);
done:
    g_string_free(lats, TRUE);
    g_free(version);
    g_free(lat);
    for (uint32_t j = 0; j < nc; j++) redisFree(cs[j]);
    g_free(cs);
    return out;
free_clients:
    for (uint32_t j = 0; j < nc; j++) redisFree(cs[j]);
    g_free(cs);
    return NULL;
}

/* ---------------------------------------------------------- postgres */

static gboolean pg_start(cal_server *s, GError **error)
{
    char *initdb = find_binary("initdb", "/usr/lib/postgresql/*/bin/initdb");
    char *bindir = initdb ? g_path_get_dirname(initdb) : NULL;
    char *postgres = bindir ? g_build_filename(bindir, "postgres", NULL) : NULL;
    g_free(bindir);
    if (!initdb || !g_file_test(postgres, G_FILE_TEST_IS_EXECUTABLE)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "initdb/postgres not found (Debian package postgresql)");
        g_free(initdb); g_free(postgres);
        return FALSE;
    }
    struct passwd *as = geteuid() == 0 ? getpwnam("postgres") : NULL;
    if (geteuid() == 0 && !as) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "running as root and there is no 'postgres' user to run PostgreSQL as");
        g_free(initdb); g_free(postgres);
        return FALSE;
    }
    gboolean ok = FALSE;
    s->dir = g_dir_make_tmp("slacksim-pg-XXXXXX", error);
    if (!s->dir || (s->port = free_port(error)) < 0) goto out;
    if (as && chown(s->dir, as->pw_uid, as->pw_gid) != 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "chown %s: %s", s->dir, g_strerror(errno));
        goto out;
    }
    char *data = g_build_filename(s->dir, "data", NULL), *log = g_build_filename(s->dir, "server.log", NULL);
    char *user = as ? as->pw_name : (char *)g_get_user_name();
    char *iargv[] = { initdb, "-D", data, "-U", user, "-A", "trust", "--no-sync", NULL };
    GPid p;
    if (spawn(iargv, log, as, &p, TRUE, error)) {
        char port[16];
        g_snprintf(port, sizeof port, "%d", s->port);
        char *pargv[] = { postgres, "-D", data, "-p", port, "-k", s->dir, "-c", "listen_addresses=127.0.0.1",
                          "-c", "fsync=on", NULL };
        s->stop_signal = SIGINT;
        ok = spawn(pargv, log, as, &s->pid, FALSE, error);
    }
    g_free(data);
    g_free(log);
out:
    g_free(initdb);
    g_free(postgres);
    return ok;
}

static PGconn *pg_connect_wait(const char *host, int port, const char *db, GError **error)
{
    char *conninfo = g_strdup_printf("host=%s port=%d dbname=%s%s connect_timeout=2", host, port, db,
                                     geteuid() == 0 && getpwnam("postgres") ? " user=postgres" : "");
    PGconn *c = NULL;
    for (int i = 0; i < 100; i++) {                  /* 10 s at most */
        c = PQconnectdb(conninfo);
        if (PQstatus(c) == CONNECTION_OK) break;
        if (i == 99) g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "postgres at %s:%d: %s", host, port, PQerrorMessage(c));
        PQfinish(c);
        c = NULL;
        g_usleep(100000);
    }
    g_free(conninfo);
    return c;
}

static gboolean pg_exec(PGconn *c, const char *sql, GError **error)
{
    PGresult *r = PQexec(c, sql);
    gboolean ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "postgres: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok;
}

/* The seed's schema: messages partitioned by channel_id (hash, 8 parts). */
static gboolean pg_schema(PGconn *c, GError **error)
{
    if (!pg_exec(c, "CREATE TABLE messages (ts text NOT NULL, channel_id bigint NOT NULL, user_id bigint NOT NULL, "
                    "text text, thread_ts text, files jsonb, reactions jsonb, PRIMARY KEY (channel_id, ts)) "
                    "PARTITION BY HASH (channel_id)", error)) return FALSE;
    for (int i = 0; i < 8; i++) {
        char *sql = g_strdup_printf("CREATE TABLE messages_%d PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER %d)", i, i);
        gboolean ok = pg_exec(c, sql, error);
        g_free(sql);
        if (!ok) return FALSE;
    }
    return pg_exec(c, "CREATE INDEX messages_thread ON messages (channel_id, thread_ts)", error);
}

/* Times a prepared statement with params from `fill` for `dur` s. */
typedef void (*pg_fill)(size_t i, char buf[][32], const char *vals[]);

static size_t pg_time(PGconn *c, const char *name, int nparams, pg_fill fill, double dur, double *lat, GError **error)
{
    double end = now_s() + dur;
    size_t n = 0;
    char buf[6][32];
    const char *vals[6];
    while (n < CAL_MAX_SAMPLES && now_s() < end) {
        fill(n, buf, vals);
        double t = now_s();
        PGresult *r = PQexecPrepared(c, name, nparams, vals, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "postgres: %s: %s", name, PQerrorMessage(c));
            return 0;
        }
        lat[n++] = now_s() - t;
    }
    return n;
}

/* Message i: channel i % 500, ts "1630000000.<i>" (ids increase per
 * channel), a reply to the channel's first message one time in five. */
static void fill_insert(size_t i, char buf[][32], const char *vals[])
{
    g_snprintf(buf[0], 32, "1630000000.%06zu", i);
    g_snprintf(buf[1], 32, "%zu", i % 500);
    g_snprintf(buf[2], 32, "%zu", i % 7919);
    g_snprintf(buf[3], 32, "1630000000.%06zu", i % 500);
    for (int k = 0; k < 4; k++) vals[k] = buf[k];
    vals[3] = i % 5 == 4 ? buf[3] : NULL;
}

static void fill_channel(size_t i, char buf[][32], const char *vals[])
{
    g_snprintf(buf[0], 32, "%zu", i % 500);
    vals[0] = buf[0];
}

static void fill_thread(size_t i, char buf[][32], const char *vals[])
{
    g_snprintf(buf[0], 32, "%zu", i % 500);
    g_snprintf(buf[1], 32, "1630000000.%06zu", i % 500);
    vals[0] = buf[0];
    vals[1] = buf[1];
}

static gboolean pg_prepare(PGconn *c, const char *name, const char *sql, int n, GError **error)
{
    PGresult *r = PQprepare(c, name, sql, n, NULL);
    gboolean ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "postgres: prepare %s: %s", name, PQerrorMessage(c));
    PQclear(r);
    return ok;
}

/* postgres.service_s: the empirical distribution of the INSERT times
 * (quantiles at 0, 5%, ..., 100%; ties nudged so x increases). */
static cJSON *empirical_json(const double *v, size_t n)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "dist", "empirical");
    cJSON *x = cJSON_AddArrayToObject(d, "x"), *cdf = cJSON_AddArrayToObject(d, "cdf");
    double prev = -1;
    for (int k = 0; k <= 20; k++) {
        double q = k == 0 ? v[0] : sim_quantile_sorted(v, n, k / 20.0);
        if (q <= prev) q = prev * (1 + 1e-9) + 1e-12;
        prev = q;
        cJSON_AddItemToArray(x, cJSON_CreateNumber(q));
        cJSON_AddItemToArray(cdf, cJSON_CreateNumber(k / 20.0));
    }
    return d;
}

static cJSON *calibrate_postgres(const char *host, int port, double dur, GString *desc, GError **error)
{
    PGconn *admin = pg_connect_wait(host, port, "postgres", error);
    if (!admin) return NULL;
    char *db = g_strdup_printf("slacksim_calibrate_%d", (int)getpid());
    char *sql = g_strdup_printf("CREATE DATABASE %s", db);
    cJSON *out = NULL;
    PGconn *c = NULL;
    double *lat = g_new(double, CAL_MAX_SAMPLES);
    gboolean created = pg_exec(admin, sql, error);
    g_free(sql);
    if (!created) goto done;
    c = pg_connect_wait(host, port, db, error);
    if (!c || !pg_schema(c, error)
        || !pg_prepare(c, "ins", "INSERT INTO messages (ts, channel_id, user_id, text, thread_ts, files, reactions) "
                                 "VALUES ($1, $2, $3, 'hello from slacksim calibrate', $4, '[]', '{}')", 4, error)
        || !pg_prepare(c, "recent", "SELECT * FROM messages WHERE channel_id = $1 ORDER BY ts DESC LIMIT 50", 1, error)
        || !pg_prepare(c, "thread", "SELECT * FROM messages WHERE channel_id = $1 AND thread_ts = $2 ORDER BY ts", 2, error))
        goto done;
    PGresult *v = PQexec(c, "SHOW server_version");
    g_string_append_printf(desc, "PostgreSQL %s at %s:%d", PQresultStatus(v) == PGRES_TUPLES_OK ? PQgetvalue(v, 0, 0) : "?",
                           host, port);
    PQclear(v);
    size_t n = pg_time(c, "ins", 4, fill_insert, dur, lat, error);
    if (!n) goto done;
    sim_sort_doubles(lat, n);
    double mean = sim_mean(lat, n);
    cJSON *svc = empirical_json(lat, n);
    GString *lats = g_string_new(NULL);
    describe(lats, "INSERT", lat, n);
    size_t n2 = pg_time(c, "recent", 1, fill_channel, dur / 4, lat, error);
    if (n2) describe(lats, "recent history (50 by channel)", lat, n2);
    size_t n3 = n2 ? pg_time(c, "thread", 2, fill_thread, dur / 4, lat, error) : 0;
    if (n3) describe(lats, "thread by thread_ts", lat, n3);
    if (n2 && n3) {
        g_string_append_printf(desc, ": one connection, autocommit, %zu INSERTs of a message, mean %.1f us = "
                               "postgres.service_s (empirical, 21 quantiles; %.0f writes/s per writer is the ceiling); %s",
                               n, mean * 1e6, 1 / mean, lats->str);
        out = cJSON_CreateObject();
        cJSON_AddItemToObject(cJSON_AddObjectToObject(out, "postgres"), "service_s", svc);
        svc = NULL;
    }
    cJSON_Delete(svc);
    g_string_free(lats, TRUE);
done:
    if (c) PQfinish(c);
    if (created) {
        sql = g_strdup_printf("DROP DATABASE IF EXISTS %s", db);
        pg_exec(admin, sql, NULL);
        g_free(sql);
    }
    PQfinish(admin);
    g_free(db);
    g_free(lat);
    return out;
}

/* ------------------------------------------------------------- main */

static gboolean write_whole(const char *path, const char *text, GError **error)
{
    return g_file_set_contents(path, text, -1, error);   /* temp file + rename */
}

int cli_calibrate_main(int argc, char **argv)
{
    char *host = NULL, *out_path = NULL;
    gint port = 0;
    gboolean start = FALSE;
    double dur = 2.0;
    gint clients = 50;
    const GOptionEntry entries[] = {
        { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Server address (default 127.0.0.1)", "H" },
        { "port", 0, 0, G_OPTION_ARG_INT, &port, "Server port (default 6379 / 5432)", "P" },
        { "start", 0, 0, G_OPTION_ARG_NONE, &start, "Start a private server (temp dir, 127.0.0.1, free port), stop it after", NULL },
        { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &dur, "Seconds per measured phase (default 2; 0.2..600)", "S" },
        { "clients", 0, 0, G_OPTION_ARG_INT, &clients, "redis: connections sending at once (default 50, redis-benchmark's; 1..1000)", "N" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, "Scenario fragment to write (JSON)", "FILE" },
        { NULL }
    };
    int rc = CLI_USAGE;
    GError *error = NULL;
    cal_server srv = { 0 };
    if (!cli_parse("calibrate", "redis|postgres",
                   "Measures a real Redis or PostgreSQL and writes a scenario fragment with the model's service "
                   "times fitted to it (a scenario uses it with \"extends\").", entries, &argc, &argv))
        goto out;
    if (argc != 2 || (strcmp(argv[1], "redis") && strcmp(argv[1], "postgres"))) {
        rc = cli_report_error("calibrate", g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "expected 'redis' or 'postgres' (try 'slacksim calibrate --help')"));
        goto out;
    }
    if (!out_path || !(dur >= 0.2 && dur <= 600) || port < 0 || port > 65535 || (start && (host || port))
        || clients < 1 || clients > 1000) {
        rc = cli_report_error("calibrate", g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                              "--out FILE is required, --duration must be in [0.2, 600], --clients in [1, 1000], "
                              "and --start excludes --host/--port"));
        goto out;
    }
    gboolean is_redis = !strcmp(argv[1], "redis");
    if (start && !(is_redis ? redis_start(&srv, &error) : pg_start(&srv, &error))) { rc = cli_report_error("calibrate", error); goto out; }
    const char *h = start ? "127.0.0.1" : host ? host : "127.0.0.1";
    int p = start ? srv.port : port ? port : is_redis ? 6379 : 5432;
    GString *desc = g_string_new(NULL);
    cJSON *frag = is_redis ? calibrate_redis(h, p, dur, (uint32_t)clients, desc, &error) : calibrate_postgres(h, p, dur, desc, &error);
    server_stop(&srv);
    if (!frag) { g_string_free(desc, TRUE); rc = cli_report_error("calibrate", error); goto out; }
    struct utsname u;
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    uname(&u);
    char *text = g_strdup_printf("Calibrated by 'slacksim calibrate %s' on %s (%s %s, %ld CPUs), %s. %s.", argv[1], u.nodename,
                                 u.sysname, u.machine, sysconf(_SC_NPROCESSORS_ONLN), date, desc->str);
    cJSON *doc = cJSON_CreateObject();
    char *name = g_strdup_printf("calibrated_%s", argv[1]);
    cJSON_AddStringToObject(doc, "name", name);
    cJSON_AddStringToObject(doc, "description", text);
    for (cJSON *k = frag->child; k; k = frag->child) cJSON_AddItemToObject(doc, k->string, cJSON_DetachItemViaPointer(frag, k));
    char *json = cJSON_Print(doc);
    GString *withnl = g_string_new(json);
    g_string_append_c(withnl, '\n');
    if (write_whole(out_path, withnl->str, &error)) {
        printf("%s\nwrote %s\n", text, out_path);
        rc = CLI_OK;
    } else {
        rc = cli_report_error("calibrate", error);
    }
    g_string_free(withnl, TRUE);
    cJSON_free(json);
    cJSON_Delete(doc);
    cJSON_Delete(frag);
    g_free(name);
    g_free(text);
    g_string_free(desc, TRUE);
out:
    server_stop(&srv);
    g_free(host);
    g_free(out_path);
    return rc;
}
