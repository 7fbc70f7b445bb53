/*
 * The built-in row generator: the same kinds of rows as the shared
 * generator (genlogs.py in /work/shared/bench/ch_sidebyside.sh) — the same
 * hosts, apps, users, API paths, severity weights and message templates —
 * so that a run without --input exercises the server with realistic text:
 * IPs, ports, trace ids, UUIDs and SHA256 fingerprints that compress and
 * tokenize like real syslog: ~106 bytes of message per row on average, as
 * genlogs.py makes (176 B as a syslog text line, 236 B as its JSON line).
 *
 * It is not byte-identical to genlogs.py (Python's Mersenne Twister is not
 * worth reproducing); it is deterministic in its own right. Each row seeds
 * its own splitmix64 stream from (seed, i), so row i is the same whatever
 * else is generated, in whatever order — the ring refill thread and a test
 * can both ask for row 1,234,567 and get the same bytes.
 *
 * Strings are written already JSON-escaped (only '"' occurs in the
 * templates), matching what the line reader hands out.
 */
#include "bench/load.h"

#include <string.h>

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t next(rng_t *r)
{
    return splitmix64(&r->s);
}

/* Uniform in [0, n) by multiply-high (bias < 2^-32 for the n used here). */
static uint64_t below(rng_t *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)next(r) * n) >> 64);
}

/* Uniform in [a, b], both inclusive, like Python's randint. */
static int64_t range(rng_t *r, int64_t a, int64_t b)
{
    return a + (int64_t)below(r, (uint64_t)(b - a + 1));
}

static double unit(rng_t *r)
{
    return (double)(next(r) >> 11) * 0x1.0p-53;
}

static const char *const apps[] = { "sshd",     "nginx",       "kernel", "CRON",    "systemd",
                                    "postgres", "api-gateway", "worker", "dockerd", "kubelet" };
static const char *const users[] = { "root", "admin",  "deploy",   "alice", "bob",    "carol",
                                     "git",  "ubuntu", "postgres", "test",  "oracle", "guest" };
static const char *const paths[] = { "users",      "orders",       "items",   "cart",   "search",
                                     "auth/login", "auth/refresh", "metrics", "health", "upload" };
static const char *const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };

/* genlogs.py's weights: debug 9, info 70, notice 5, warning 10, error 5, crit 1. */
static const char *severity(rng_t *r)
{
    uint64_t x = below(r, 100);
    if (x < 9)
        return "debug";
    if (x < 79)
        return "info";
    if (x < 84)
        return "notice";
    if (x < 94)
        return "warning";
    if (x < 99)
        return "error";
    return "crit";
}

/* A bounded appender over the generator's text buffer. The helpers below
 * replace snprintf, which cost two thirds of the generator's time: rows are
 * made at up to a few hundred thousand a second by the refill thread. */
typedef struct out {
    char *p;
    size_t n, cap;
} out_t;

static void put_n(out_t *o, const char *s, size_t n)
{
    n = SL_MIN(n, o->cap - 1 - o->n);
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void put(out_t *o, const char *s)
{
    put_n(o, s, strlen(s));
}

/* Decimal, at least `width` digits (zero-padded). */
static void put_u(out_t *o, uint64_t v, int width)
{
    char t[24];
    int k = 0;
    do {
        t[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k < width)
        t[k++] = '0';
    char r[24];
    for (int i = 0; i < k; i++)
        r[i] = t[k - 1 - i];
    put_n(o, r, (size_t)k);
}

/* A non-negative real with `dec` decimals, rounded half up ("%.*f"). */
static void put_fixed(out_t *o, double v, int dec)
{
    uint64_t scale = 1;
    for (int i = 0; i < dec; i++)
        scale *= 10;
    uint64_t x = (uint64_t)(v * (double)scale + 0.5);
    put_u(o, x / scale, 1);
    put(o, ".");
    put_u(o, x % scale, dec);
}

static void put_ip(out_t *o, rng_t *r)
{
    put_u(o, (uint64_t)range(r, 1, 223), 1);
    put(o, ".");
    put_u(o, (uint64_t)range(r, 0, 255), 1);
    put(o, ".");
    put_u(o, (uint64_t)range(r, 0, 255), 1);
    put(o, ".");
    put_u(o, (uint64_t)range(r, 1, 254), 1);
}

static void put_int(out_t *o, rng_t *r, int64_t lo, int64_t hi)
{
    put_u(o, (uint64_t)range(r, lo, hi), 1);
}

static void put_hex(out_t *o, rng_t *r, int digits)
{
    static const char hx[] = "0123456789abcdef";
    char t[64];
    for (int i = 0; i < digits; i++)
        t[i] = hx[below(r, 16)];
    put_n(o, t, (size_t)digits);
}

static void put_uuid(out_t *o, rng_t *r)
{
    put_hex(o, r, 8);
    put(o, "-");
    put_hex(o, r, 4);
    put(o, "-");
    put_hex(o, r, 4);
    put(o, "-");
    put_hex(o, r, 4);
    put(o, "-");
    put_hex(o, r, 12);
}

static bool is_bad(const char *sev)
{
    return !strcmp(sev, "error") || !strcmp(sev, "warning") || !strcmp(sev, "crit");
}

static void put_http(out_t *o, rng_t *r, const char *sev)
{
    static const int ok[] = { 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                              200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                              201, 204, 301, 302, 304, 400, 401, 403, 404 };
    static const int bad[] = { 500, 502, 503, 504 };
    bool err = !strcmp(sev, "error") || !strcmp(sev, "crit");
    int st = err ? bad[below(r, 4)] : ok[below(r, SL_ARRAY_SIZE(ok))];
    if (!strcmp(sev, "error"))
        put(o,
            "upstream error: connect() failed (111: Connection refused) while connecting to "
            "upstream, client: ");
    put_ip(o, r);
    put(o, " - - \\\"");
    put(o, methods[below(r, 6)]);
    put(o, " /api/v1/");
    put(o, paths[below(r, 10)]);
    put(o, "/");
    put_int(o, r, 1, 10000000);
    put(o, "?trace_id=");
    put_hex(o, r, 32);
    put(o, " HTTP/1.1\\\" ");
    put_u(o, (uint64_t)st, 1);
    put(o, " ");
    put_int(o, r, 0, 200000);
    put(o, " \\\"-\\\" \\\"Mozilla/5.0 (X11; Linux x86_64)\\\" rt=");
    put_fixed(o, unit(r) * 2, 3);
}

static void put_message(out_t *o, rng_t *r, const char *app, const char *sev)
{
    bool err = !strcmp(sev, "error");
    if (!strcmp(app, "sshd")) {
        put(o, is_bad(sev) ? "Failed password for invalid user " : "Accepted publickey for ");
        put(o, users[below(r, 12)]);
        put(o, " from ");
        put_ip(o, r);
        put(o, " port ");
        put_int(o, r, 1024, 65535);
        if (is_bad(sev)) {
            put(o, " ssh2");
        } else {
            put(o, " ssh2: RSA SHA256:");
            put_hex(o, r, 43);
        }
    } else if (!strcmp(app, "nginx") || !strcmp(app, "api-gateway")) {
        put_http(o, r, sev);
    } else if (!strcmp(app, "kernel")) {
        put(o, "[");
        put_fixed(o, 1 + unit(r) * (9e5 - 1), 6);
        if (err || !strcmp(sev, "crit")) {
            put(o, "] EXT4-fs error (device sda");
            put_int(o, r, 1, 4);
            put(o, "): ext4_find_entry:");
            put_int(o, r, 1000, 2000);
            put(o, ": inode #");
            put_int(o, r, 1, 10000000);
            put(o, ": comm ");
            put(o, apps[below(r, 10)]);
            put(o, ": reading directory lblock 0");
        } else {
            put(o, "] IPv4: martian source ");
            put_ip(o, r);
            put(o, " from ");
            put_ip(o, r);
            put(o, ", on dev eth");
            put_int(o, r, 0, 3);
        }
    } else if (!strcmp(app, "CRON")) {
        put(o, "(");
        put(o, users[below(r, 12)]);
        put(o, ") CMD (/usr/local/bin/backup.sh --target s3://bucket-");
        put_int(o, r, 1, 40);
        put(o, "/daily >/dev/null 2>&1)");
    } else if (!strcmp(app, "systemd")) {
        if (err) {
            put(o, apps[below(r, 10)]);
            put(o, ".service: Main process exited, code=exited, status=");
            put_int(o, r, 1, 255);
            put(o, "/FAILURE");
        } else {
            put(o, "Started Session ");
            put_int(o, r, 1, 99999);
            put(o, " of User ");
            put(o, users[below(r, 12)]);
            put(o, ".");
        }
    } else if (!strcmp(app, "postgres")) {
        if (err) {
            put(o,
                "ERROR:  duplicate key value violates unique constraint \\\"orders_pkey\\\" "
                "DETAIL: Key (id)=(");
            put_int(o, r, 1, 100000000);
            put(o, ") already exists. STATEMENT: INSERT INTO orders VALUES ($1,$2,$3)");
        } else {
            put(o, "LOG:  duration: ");
            put_fixed(o, unit(r) * 500, 3);
            put(o, " ms  statement: SELECT * FROM orders WHERE customer_id = ");
            put_int(o, r, 1, 1000000);
            put(o, " AND status = 'open'");
        }
    } else if (!strcmp(app, "worker")) {
        put(o, "job ");
        put_uuid(o, r);
        if (err) {
            put(o, " failed: error: database query timeout after ");
            put_int(o, r, 1000, 30000);
            put(o, "ms (attempt ");
            put_int(o, r, 1, 5);
            put(o, ")");
        } else {
            put(o, " processed in ");
            put_int(o, r, 1, 5000);
            put(o, " ms queue=default items=");
            put_int(o, r, 1, 500);
        }
    } else {
        put(o, "level=");
        put(o, sev);
        put(o, " msg=\\\"Container ");
        put_hex(o, r, 12);
        put(o, " health status changed\\\" pod=app-");
        put_int(o, r, 1, 300);
        put(o, "-");
        put_hex(o, r, 5);
        put(o, " namespace=prod-");
        put_int(o, r, 1, 9);
        put(o, " duration=");
        put_int(o, r, 1, 900);
        put(o, "ms");
    }
}

void sl_load_gen_init(sl_load_gen_t *g, uint64_t seed, uint64_t cycle)
{
    memset(g, 0, sizeof *g);
    g->seed = seed;
    g->cycle = cycle ? cycle : 2000000;
}

int64_t sl_load_gen_last_ms(const sl_load_gen_t *g)
{
    return SL_LOAD_GEN_EPOCH_MS +
           (int64_t)(((unsigned __int128)(g->cycle - 1) * SL_LOAD_GEN_SPAN_MS) / g->cycle) + 999;
}

void sl_load_gen_row(sl_load_gen_t *g, uint64_t i, sl_load_row_t *row)
{
    uint64_t s = g->seed ^ UINT64_C(0x5EA1065EA1065EA1);
    rng_t r = { splitmix64(&s) ^ (i * UINT64_C(0xD1B54A32D192ED03)) };
    (void)next(&r); /* decorrelate neighbouring i */
    uint64_t j = i % g->cycle;
    row->ts_ms = SL_LOAD_GEN_EPOCH_MS +
                 (int64_t)(((unsigned __int128)j * SL_LOAD_GEN_SPAN_MS) / g->cycle) +
                 range(&r, 0, 999);

    out_t o = { g->text, 0, sizeof g->text };
    /* Host: web-00..29.prod.example.net, db-00..09.prod.example.net, k8s-node-00..09. */
    uint64_t h = below(&r, 50);
    size_t at = o.n;
    put(&o, h < 30 ? "web-" : h < 40 ? "db-" : "k8s-node-");
    put_u(&o, h < 30 ? h : h < 40 ? h - 30 : h - 40, 2);
    if (h < 40)
        put(&o, ".prod.example.net");
    row->host = (sl_load_str_t){ g->text + at, o.n - at };

    const char *app = apps[below(&r, 10)];
    const char *sev = severity(&r);
    row->app = (sl_load_str_t){ app, strlen(app) };
    row->severity = (sl_load_str_t){ sev, strlen(sev) };

    at = o.n;
    put_message(&o, &r, app, sev);
    row->message = (sl_load_str_t){ g->text + at, o.n - at };
}
