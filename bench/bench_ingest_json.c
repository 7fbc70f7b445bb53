/*
 * bench_ingest_json: throughput of the ingest JSON scanner against jansson.
 *
 * Builds three inputs in memory from a seeded PRNG (no files, no Python):
 *
 *   syslog   a JSON array of records shaped like the shared generator's rows
 *            (/work/shared/bench/ch_sidebyside.sh, genlogs.py): keys ts, ts_ms,
 *            host, app, severity, message; sshd/nginx/kernel/postgres/... lines,
 *            about 236 bytes per record; "-quoted parts of messages escaped
 *            as the generator's json.dumps does.
 *   utf8     the same records with messages in several scripts (raw UTF-8 in
 *            half the records, \uXXXX escapes with surrogate pairs in the
 *            other half, as Fluent Bit's json.escape_unicode writes them),
 *            plus tabs, newlines and control escapes.
 *   fluent   Fluent Bit azure-output records: {"@timestamp":1724230000.123456,
 *            "log":..., "stream":..., "kubernetes":{... "labels":{...}}}.
 *
 * For each input it reports the best of 5 timed runs after one warm-up, for
 *
 *   jansson      json_loadb(JSON_REJECT_DUPLICATES); freeing the tree is not
 *                timed,
 *   scan         sl_json_parse into a reused doc (the tape memory is kept, as
 *                an ingest worker would keep it),
 *   scan cold    a fresh doc per parse (tape growth included),
 *   scan+decode  sl_json_parse, then sl_json_string() of every string token
 *                into a reused buffer (what record building will add),
 *
 * as MB/s (10^6 bytes) and tokens/s.
 *
 * Usage: bench_ingest_json [MB [DIR]]   MB per input (default 64); with DIR,
 * the inputs are also written to DIR/{syslog,utf8,fluent}.json, for
 * profiling the scanner alone or feeding other parsers the same bytes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "ingest/ingest_int.h"

/* ------------------------------------------------------------------------ */
/* Data                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t rnext(rng_t *r) /* splitmix64 */
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static int64_t rint_in(rng_t *r, int64_t lo, int64_t hi) /* inclusive */
{
    return lo + (int64_t)(rnext(r) % (uint64_t)(hi - lo + 1));
}

static double runif(rng_t *r)
{
    return (double)(rnext(r) >> 11) / 9007199254740992.0;
}

#define PICK(r, arr) (arr)[rnext(r) % SL_ARRAY_SIZE(arr)]

static const char *const apps[] = { "sshd",    "nginx",       "kernel", "CRON",    "systemd",
                                    "postgres", "api-gateway", "worker", "dockerd", "kubelet" };
static const char *const users[] = { "root", "admin", "deploy",   "alice", "bob",    "carol",
                                     "git",  "ubuntu", "postgres", "test",  "oracle", "guest" };
static const char *const paths[] = { "users",   "orders",       "items",   "cart",   "search",
                                     "auth/login", "auth/refresh", "metrics", "health", "upload" };
static const char *const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };

/* Severity with the generator's weights (debug 9, info 70, notice 5,
 * warning 10, error 5, crit 1). */
static const char *severity(rng_t *r)
{
    int x = (int)(rnext(r) % 100);
    return x < 9 ? "debug" : x < 79 ? "info" : x < 84 ? "notice" : x < 94 ? "warning"
                 : x < 99 ? "error" : "crit";
}

static void ip(rng_t *r, sl_buf_t *b)
{
    sl_buf_printf(b, "%d.%d.%d.%d", (int)rint_in(r, 1, 223), (int)rint_in(r, 0, 255),
                  (int)rint_in(r, 0, 255), (int)rint_in(r, 1, 254));
}

static void hx(rng_t *r, sl_buf_t *b, int n)
{
    for (int i = 0; i < n; i++) {
        sl_buf_putc(b, "0123456789abcdef"[rnext(r) & 15]);
    }
}

static void uuid(rng_t *r, sl_buf_t *b)
{
    hx(r, b, 8);
    sl_buf_putc(b, '-');
    hx(r, b, 4);
    sl_buf_putc(b, '-');
    hx(r, b, 4);
    sl_buf_putc(b, '-');
    hx(r, b, 4);
    sl_buf_putc(b, '-');
    hx(r, b, 12);
}

/* A message like genlogs.py's msg(app, sev). */
static void message(rng_t *r, const char *app, const char *sev, sl_buf_t *m)
{
    bool bad = !strcmp(sev, "error") || !strcmp(sev, "crit");
    if (!strcmp(app, "sshd")) {
        if (bad || !strcmp(sev, "warning")) {
            sl_buf_printf(m, "Failed password for invalid user %s from ", PICK(r, users));
            ip(r, m);
            sl_buf_printf(m, " port %d ssh2", (int)rint_in(r, 1024, 65535));
        } else {
            sl_buf_printf(m, "Accepted publickey for %s from ", PICK(r, users));
            ip(r, m);
            sl_buf_printf(m, " port %d ssh2: RSA SHA256:", (int)rint_in(r, 1024, 65535));
            hx(r, m, 43);
        }
    } else if (!strcmp(app, "nginx") || !strcmp(app, "api-gateway")) {
        static const int ok[] = { 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                                  200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 302,
                                  304, 400, 401, 403, 404 };
        static const int fail[] = { 500, 502, 503, 504 };
        int st = bad ? PICK(r, fail) : PICK(r, ok);
        if (!strcmp(sev, "error")) {
            sl_buf_puts(m, "upstream error: connect() failed (111: Connection refused) while "
                           "connecting to upstream, client: ");
        }
        ip(r, m);
        sl_buf_printf(m, " - - \"%s /api/v1/%s/%d?trace_id=", PICK(r, methods), PICK(r, paths),
                      (int)rint_in(r, 1, 10000000));
        hx(r, m, 32);
        sl_buf_printf(m, " HTTP/1.1\" %d %d \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" rt=%.3f", st,
                      (int)rint_in(r, 0, 200000), runif(r) * 2);
    } else if (!strcmp(app, "kernel")) {
        if (bad) {
            sl_buf_printf(m,
                          "[%.6f] EXT4-fs error (device sda%d): ext4_find_entry:%d: inode #%d: "
                          "comm %s: reading directory lblock 0",
                          1 + runif(r) * 9e5, (int)rint_in(r, 1, 4), (int)rint_in(r, 1000, 2000),
                          (int)rint_in(r, 1, 10000000), PICK(r, apps));
        } else {
            sl_buf_printf(m, "[%.6f] IPv4: martian source ", 1 + runif(r) * 9e5);
            ip(r, m);
            sl_buf_puts(m, " from ");
            ip(r, m);
            sl_buf_printf(m, ", on dev eth%d", (int)rint_in(r, 0, 3));
        }
    } else if (!strcmp(app, "CRON")) {
        sl_buf_printf(m, "(%s) CMD (/usr/local/bin/backup.sh --target s3://bucket-%d/daily "
                         ">/dev/null 2>&1)",
                      PICK(r, users), (int)rint_in(r, 1, 40));
    } else if (!strcmp(app, "systemd")) {
        if (strcmp(sev, "error")) {
            sl_buf_printf(m, "Started Session %d of User %s.", (int)rint_in(r, 1, 99999),
                          PICK(r, users));
        } else {
            sl_buf_printf(m, "%s.service: Main process exited, code=exited, status=%d/FAILURE",
                          PICK(r, apps), (int)rint_in(r, 1, 255));
        }
    } else if (!strcmp(app, "postgres")) {
        if (!strcmp(sev, "error")) {
            sl_buf_printf(m,
                          "ERROR:  duplicate key value violates unique constraint \"orders_pkey\" "
                          "DETAIL: Key (id)=(%d) already exists. STATEMENT: INSERT INTO orders "
                          "VALUES ($1,$2,$3)",
                          (int)rint_in(r, 1, 100000000));
        } else {
            sl_buf_printf(m,
                          "LOG:  duration: %.3f ms  statement: SELECT * FROM orders WHERE "
                          "customer_id = %d AND status = 'open'",
                          runif(r) * 500, (int)rint_in(r, 1, 1000000));
        }
    } else if (!strcmp(app, "worker")) {
        sl_buf_puts(m, "job ");
        uuid(r, m);
        if (!strcmp(sev, "error")) {
            sl_buf_printf(m, " failed: error: database query timeout after %dms (attempt %d)",
                          (int)rint_in(r, 1000, 30000), (int)rint_in(r, 1, 5));
        } else {
            sl_buf_printf(m, " processed in %d ms queue=default items=%d",
                          (int)rint_in(r, 1, 5000), (int)rint_in(r, 1, 500));
        }
    } else {
        sl_buf_printf(m, "level=%s msg=\"Container ", sev);
        hx(r, m, 12);
        sl_buf_printf(m, " health status changed\" pod=app-%d-", (int)rint_in(r, 1, 300));
        hx(r, m, 5);
        sl_buf_printf(m, " namespace=prod-%d duration=%dms", (int)rint_in(r, 1, 9),
                      (int)rint_in(r, 1, 900));
    }
}

static const char *const intl[] = {
    "Benutzer M\xc3\xbcller hat sich erfolgreich angemeldet (Stra\xc3\x9f" "e 12, K\xc3\xb6ln)",
    "\xe7\x94\xa8\xe6\x88\xb7\xe7\x99\xbb\xe5\xbd\x95\xe5\xa4\xb1\xe8\xb4\xa5\xef\xbc\x9a"
    "\xe5\xaf\x86\xe7\xa0\x81\xe9\x94\x99\xe8\xaf\xaf",
    "\xd0\x9e\xd1\x88\xd0\xb8\xd0\xb1\xd0\xba\xd0\xb0 \xd0\xbf\xd0\xbe\xd0\xb4\xd0\xba\xd0\xbb"
    "\xd1\x8e\xd1\x87\xd0\xb5\xd0\xbd\xd0\xb8\xd1\x8f \xd0\xba \xd0\xb1\xd0\xb0\xd0\xb7\xd0\xb5",
    "\xf0\x9f\x9a\x80 deploy finished in 42s \xe2\x9c\x85 caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9",
    "\xe3\x83\xad\xe3\x82\xb0\xe3\x82\xa4\xe3\x83\xb3\xe3\x81\xab\xe5\xa4\xb1\xe6\x95\x97\xe3"
    "\x81\x97\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f",
};

/* Appends s escaped with every non-ASCII character as \uXXXX (surrogate
 * pairs above U+FFFF), like json.dumps(ensure_ascii=True). */
static void escape_ascii(sl_buf_t *b, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    while (*p) {
        if (*p < 0x80) {
            sl_json_escape(b, (const char *)p, 1);
            p++;
            continue;
        }
        uint32_t cp;
        int n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
        cp = *p & (0x7f >> n);
        for (int i = 1; i < n; i++) {
            cp = cp << 6 | (p[i] & 0x3f);
        }
        p += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            sl_buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
            sl_buf_printf(b, "\\u%04x", cp);
        }
    }
}

enum { IN_SYSLOG, IN_UTF8, IN_FLUENT };

static void record(rng_t *r, int kind, int64_t i, int64_t n, sl_buf_t *out, sl_buf_t *m)
{
    static const char *const hosts_pfx[] = { "web", "db", "k8s-node" };
    int64_t ts = INT64_C(1718000000000) + i * 86400000 / n + rint_in(r, 0, 999);
    int hk = (int)(rnext(r) % 50);
    char host[48];
    if (hk < 30) {
        snprintf(host, sizeof host, "%s-%02d.prod.example.net", hosts_pfx[0], hk);
    } else if (hk < 40) {
        snprintf(host, sizeof host, "%s-%02d.prod.example.net", hosts_pfx[1], hk - 30);
    } else {
        snprintf(host, sizeof host, "%s-%02d", hosts_pfx[2], hk - 40);
    }
    const char *app = PICK(r, apps), *sev = severity(r);
    sl_buf_reset(m);
    message(r, app, sev, m);
    sl_jw_t w;
    sl_jw_init(&w, out);
    if (kind == IN_FLUENT) {
        /* {"@timestamp":1724230000.123456,"log":...,"stream":...,"kubernetes":{...}} */
        sl_buf_printf(out, "{\"@timestamp\":%.6f,", (double)ts / 1000 + runif(r) * 1e-3);
        sl_jw_key(&w, "log");
        sl_jw_str(&w, m->data);
        sl_jw_key(&w, "stream");
        sl_jw_str(&w, rnext(r) & 1 ? "stdout" : "stderr");
        sl_jw_key(&w, "kubernetes");
        sl_jw_obj_begin(&w);
        char pod[64];
        snprintf(pod, sizeof pod, "%s-%x-%05x", app, (unsigned)rint_in(r, 0, 0xffffff),
                 (unsigned)rint_in(r, 0, 0xfffff));
        sl_jw_key(&w, "pod_name");
        sl_jw_str(&w, pod);
        sl_jw_key(&w, "namespace_name");
        sl_jw_str(&w, rnext(r) & 1 ? "prod" : "staging");
        sl_jw_key(&w, "container_name");
        sl_jw_str(&w, app);
        sl_jw_key(&w, "host");
        sl_jw_str(&w, host);
        sl_jw_key(&w, "restart_count");
        sl_jw_int(&w, rint_in(r, 0, 3));
        sl_jw_key(&w, "labels");
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "app");
        sl_jw_str(&w, app);
        sl_jw_key(&w, "tier");
        sl_jw_str(&w, "backend");
        sl_jw_obj_end(&w);
        sl_jw_obj_end(&w);
        sl_buf_putc(out, '}');
        return;
    }
    char tsbuf[32];
    sl_time_format_iso8601(ts * SL_TICKS_PER_MS, tsbuf);
    tsbuf[10] = ' ';
    tsbuf[19] = '\0'; /* "2024-06-10 12:00:00", as the generator writes it */
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "ts");
    sl_jw_str(&w, tsbuf);
    sl_jw_key(&w, "ts_ms");
    sl_jw_int(&w, ts);
    sl_jw_key(&w, "host");
    sl_jw_str(&w, host);
    sl_jw_key(&w, "app");
    sl_jw_str(&w, app);
    sl_jw_key(&w, "severity");
    sl_jw_str(&w, sev);
    sl_jw_key(&w, "message");
    if (kind == IN_SYSLOG) {
        sl_jw_str(&w, m->data);
    } else {
        /* Non-ASCII text, a tab and a newline, and a control character. */
        sl_buf_t u = SL_BUF_INIT;
        sl_buf_printf(&u, "%s\t%s\n\x01%s", PICK(r, intl), m->data, PICK(r, intl));
        if (i & 1) {
            sl_jw_str(&w, u.data);
        } else {
            sl_buf_putc(out, '"');
            escape_ascii(out, u.data);
            sl_buf_putc(out, '"');
        }
        sl_buf_dispose(&u);
    }
    sl_jw_obj_end(&w);
}

static void build(int kind, size_t target, sl_buf_t *out, size_t *nrec)
{
    rng_t r = { 42 + (uint64_t)kind };
    sl_buf_t m = SL_BUF_INIT;
    int64_t est = (int64_t)(target / 236) + 1;
    size_t n = 0;
    sl_buf_putc(out, '[');
    while (out->len < target) {
        if (n) {
            sl_buf_putc(out, ',');
        }
        record(&r, kind, (int64_t)n, est, out, &m);
        n++;
    }
    sl_buf_putc(out, ']');
    sl_buf_dispose(&m);
    *nrec = n;
}

/* ------------------------------------------------------------------------ */
/* Timing                                                                   */
/* ------------------------------------------------------------------------ */

#define RUNS 5

/*
 * Waits (up to two minutes) until the rest of the machine uses under 10% of
 * the CPU over one second, as the shared benchmark script does, so results
 * from a shared host are not another process's noise. Returns the busy
 * percentage last seen.
 */
static int wait_idle(void)
{
    int busy = 100;
    for (int k = 0; k < 120 && busy >= 10; k++) {
        unsigned long long a[2][8] = { { 0 } };
        for (int s = 0; s < 2; s++) {
            FILE *f = fopen("/proc/stat", "r");
            if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &a[s][0], &a[s][1],
                             &a[s][2], &a[s][3], &a[s][4], &a[s][5], &a[s][6], &a[s][7]) != 8) {
                if (f) {
                    fclose(f);
                }
                return -1; /* not Linux: measure anyway */
            }
            fclose(f);
            if (s == 0) {
                struct timespec ts = { 1, 0 };
                nanosleep(&ts, NULL);
            }
        }
        unsigned long long tot = 0, idle = a[1][3] + a[1][4] - a[0][3] - a[0][4];
        for (int i = 0; i < 8; i++) {
            tot += a[1][i] - a[0][i];
        }
        busy = tot ? (int)(100 - 100 * idle / tot) : 0;
    }
    if (busy >= 10) {
        fprintf(stderr, "warning: host still %d%% busy; numbers may be low\n", busy);
    }
    return busy;
}

typedef struct result {
    double best_s;
    size_t tokens;
} result_t;

static result_t run_jansson(const sl_buf_t *in)
{
    result_t res = { 1e30, 0 };
    for (int k = 0; k <= RUNS; k++) {
        json_error_t err;
        uint64_t t0 = sl_time_mono_ns();
        json_t *j = json_loadb(in->data, in->len, JSON_REJECT_DUPLICATES, &err);
        uint64_t t1 = sl_time_mono_ns();
        if (!j) {
            fprintf(stderr, "jansson rejected the input: %s at %d\n", err.text, err.position);
            exit(1);
        }
        json_decref(j);
        if (k > 0) { /* run 0 is the warm-up */
            res.best_s = SL_MIN(res.best_s, (double)(t1 - t0) / 1e9);
        }
    }
    return res;
}

enum { MODE_WARM, MODE_COLD, MODE_DECODE };

static result_t run_scan(const sl_buf_t *in, int mode)
{
    result_t res = { 1e30, 0 };
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_buf_t s = SL_BUF_INIT;
    size_t sink = 0;
    for (int k = 0; k <= RUNS; k++) {
        sl_diag_t diag;
        if (mode == MODE_COLD) {
            sl_json_doc_dispose(&d);
            sl_json_doc_init(&d);
        }
        uint64_t t0 = sl_time_mono_ns();
        int rc = sl_json_parse(&d, in->data, in->len, NULL, &diag);
        if (rc == 0 && mode == MODE_DECODE) {
            for (size_t i = 0; i < d.ntok; i++) {
                if (d.tok[i].type == SL_JSON_STRING) {
                    sl_buf_reset(&s);
                    sl_json_string(&d, &d.tok[i], &s);
                    sink += s.len;
                }
            }
        }
        uint64_t t1 = sl_time_mono_ns();
        if (rc != 0) {
            fprintf(stderr, "scanner rejected the input: %s\n", diag.msg);
            exit(1);
        }
        if (k > 0) {
            res.best_s = SL_MIN(res.best_s, (double)(t1 - t0) / 1e9);
        }
        res.tokens = d.ntok;
    }
    if (sink == 1) {
        printf("(unlikely)\n"); /* keeps the decode loop from being optimised out */
    }
    sl_buf_dispose(&s);
    sl_json_doc_dispose(&d);
    return res;
}

static void report(const char *what, size_t bytes, result_t r, size_t tokens, double base)
{
    printf("  %-12s %9.1f MB/s  %7.1f M tokens/s  %6.1f ms", what, (double)bytes / r.best_s / 1e6,
           (double)tokens / r.best_s / 1e6, r.best_s * 1e3);
    if (base > 0) {
        printf("  %5.1fx jansson", base / r.best_s);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows when redirected */
    size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
    const char *dir = argc > 2 ? argv[2] : NULL;
    static const char *const names[] = { "syslog", "utf8", "fluent" };
    for (int kind = IN_SYSLOG; kind <= IN_FLUENT; kind++) {
        sl_buf_t in = SL_BUF_INIT;
        size_t nrec;
        build(kind, mb * 1000000, &in, &nrec);
        if (dir) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.json", dir, names[kind]);
            int rc = sl_write_file_atomic(path, in.data, in.len, 0644);
            if (rc != 0) {
                fprintf(stderr, "%s: %s\n", path, sl_strerror(rc));
                return 1;
            }
        }
        int busy = wait_idle();
        result_t warm = run_scan(&in, MODE_WARM);
        printf("%s: %zu bytes, %zu records (%.0f bytes/record), %zu tokens; host %d%% busy before\n",
               names[kind], in.len, nrec, (double)in.len / (double)nrec, warm.tokens, busy);
        wait_idle();
        result_t j = run_jansson(&in);
        report("jansson", in.len, j, warm.tokens, 0);
        report("scan", in.len, warm, warm.tokens, j.best_s);
        wait_idle();
        report("scan cold", in.len, run_scan(&in, MODE_COLD), warm.tokens, j.best_s);
        wait_idle();
        report("scan+decode", in.len, run_scan(&in, MODE_DECODE), warm.tokens, j.best_s);
        sl_buf_dispose(&in);
    }
    return 0;
}
