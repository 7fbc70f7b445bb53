/*
 * bench_query_strops: throughput of KQL's string predicates over syslog text.
 *
 * Generates 2 M realistic syslog messages in-process (deterministic: sshd,
 * nginx, kernel, cron, systemd, postgres and worker lines with IPs, trace
 * ids and UUIDs, ~150-180 bytes each), cuts them into executor batches of
 * 65,536 rows, and evaluates `where`-style predicates through the real
 * binder and evaluator (sl_qbind_expr + sl_qexpr_eval), as a scan thread
 * would. For each predicate it prints the best of 5 timed runs (after a
 * warm-up) as GB/s of message text, M rows/s and the number of matching
 * rows (so a wrong fast path shows up as a wrong count). "stream" is a
 * whole pass over the 2 M rows from memory; "hot" times each batch right
 * after it was touched, as a scan thread sees a block it just decompressed.
 *
 * A "baseline" row times the substring search strops.c used before the
 * SIMD kernel (memchr for the first byte in both cases, then verify), so
 * that the gain of the case-insensitive path is measured, not claimed.
 *
 *   build/bench/bench_query_strops [rows]        (default 2000000)
 *
 * Single-threaded; the numbers are per core.
 */
#include "query/query_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 65536

typedef struct gen {
    uint64_t s;
} gen_t;

static uint64_t next(gen_t *g)
{
    /* splitmix64: fast, deterministic */
    uint64_t z = (g->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned pick(gen_t *g, unsigned n)
{
    return (unsigned)(next(g) % n);
}

static void hex(gen_t *g, char *out, size_t n)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[i] = h[pick(g, 16)];
    }
    out[n] = '\0';
}

static const char *const users[] = { "root",   "admin", "bob",    "alice", "deploy",
                                     "oracle", "test",  "ubuntu", "git",   "postgres" };
static const char *const services[] = { "nginx", "postgresql", "docker",
                                        "sshd",  "cron",       "node-exporter" };

/* One message into out (NUL-terminated); returns its length. */
static int message(gen_t *g, char *out, size_t cap, char trace[33])
{
    char ip[32], uuid[40], h16[17];
    snprintf(ip,
             sizeof ip,
             "%u.%u.%u.%u",
             10 + pick(g, 200),
             pick(g, 256),
             pick(g, 256),
             1 + pick(g, 254));
    hex(g, trace, 32);
    hex(g, h16, 16);
    char u[40];
    hex(g, u, 32);
    snprintf(uuid, sizeof uuid, "%.8s-%.4s-%.4s-%.4s-%.12s", u, u + 8, u + 12, u + 16, u + 20);
    const char *user = users[pick(g, SL_ARRAY_SIZE(users))];
    unsigned pid = 1000 + pick(g, 60000), ms = pick(g, 5000);
    switch (pick(g, 20)) {
    case 0:
        return snprintf(out,
                        cap,
                        "sshd[%u]: Failed password for invalid user %s from %s port %u ssh2",
                        pid,
                        user,
                        ip,
                        1024 + pick(g, 60000));
    case 1:
        return snprintf(out,
                        cap,
                        "sshd[%u]: Failed password for %s from %s port %u ssh2",
                        pid,
                        user,
                        ip,
                        1024 + pick(g, 60000));
    case 2:
        return snprintf(out,
                        cap,
                        "sshd[%u]: Accepted publickey for %s from %s port %u ssh2: RSA "
                        "SHA256:%s",
                        pid,
                        user,
                        ip,
                        1024 + pick(g, 60000),
                        uuid);
    case 3:
        return snprintf(out,
                        cap,
                        "sshd[%u]: pam_unix(sshd:session): session opened for user %s by (uid=0)",
                        pid,
                        user);
    case 4:
    case 5:
    case 6:
    case 7:
        return snprintf(
          out,
          cap,
          "nginx: %s - - [10/Nov/2026:13:55:36 +0000] \"GET /api/v1/items/%u?trace=%s "
          "HTTP/1.1\" %u %u \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
          ip,
          pick(g, 100000),
          trace,
          pick(g, 10) ? 200 : (pick(g, 2) ? 404 : 502),
          pick(g, 50000));
    case 8:
        return snprintf(out,
                        cap,
                        "kernel: [%u.%06u] worker[%u]: segfault at %s ip %s sp %s error 4 in "
                        "libc.so.6",
                        pick(g, 900000),
                        pick(g, 1000000),
                        pid,
                        h16,
                        h16,
                        h16);
    case 9:
        return snprintf(out,
                        cap,
                        "kernel: [%u.%06u] EXT4-fs (sda1): mounted filesystem with ordered data "
                        "mode. Quota mode: none.",
                        pick(g, 900000),
                        pick(g, 1000000));
    case 10:
        return snprintf(
          out, cap, "CRON[%u]: (root) CMD (/usr/local/bin/backup.sh --full > /dev/null 2>&1)", pid);
    case 11:
        return snprintf(
          out, cap, "systemd[1]: Started Session %u of user %s.", pick(g, 9000), user);
    case 12:
        return snprintf(out,
                        cap,
                        "systemd[1]: %s.service: Main process exited, code=exited, "
                        "status=1/FAILURE",
                        services[pick(g, SL_ARRAY_SIZE(services))]);
    case 13:
        return snprintf(out,
                        cap,
                        "postgres[%u]: [%u-1] user=%s,db=app ERROR:  duplicate key value violates "
                        "unique constraint \"items_pkey\"",
                        pid,
                        pick(g, 1000),
                        user);
    case 14:
    case 15:
        return snprintf(out,
                        cap,
                        "postgres[%u]: [%u-1] user=%s,db=app LOG:  duration: %u.%03u ms  "
                        "statement: SELECT * FROM items WHERE id = %u",
                        pid,
                        pick(g, 1000),
                        user,
                        ms,
                        pick(g, 1000),
                        pick(g, 100000));
    case 16:
    case 17:
        return snprintf(
          out, cap, "worker[%u]: job %s completed in %u ms trace_id=%s", pid, uuid, ms, trace);
    case 18:
        return snprintf(out,
                        cap,
                        "worker[%u]: job %s failed: timeout after %u ms, retrying (attempt %u/5) "
                        "trace_id=%s",
                        pid,
                        uuid,
                        ms,
                        1 + pick(g, 5),
                        trace);
    default:
        return snprintf(out,
                        cap,
                        "worker[%u]: java.lang.IllegalStateException: Unexpected error in handler "
                        "%s (trace_id=%s)",
                        pid,
                        uuid,
                        trace);
    }
}

typedef struct data {
    size_t nbatches, rows, bytes;
    sl_qbatch_t *batches;
    char trace2[33]; /* the trace id of the first row from row 2 on that has one */
} data_t;

static void generate(data_t *d, size_t rows)
{
    gen_t g = { 42 };
    d->rows = rows;
    d->nbatches = (rows + BATCH - 1) / BATCH;
    d->batches = sl_xcalloc(d->nbatches, sizeof *d->batches);
    char line[512], trace[33];
    size_t row = 0;
    for (size_t b = 0; b < d->nbatches; b++) {
        size_t n = SL_MIN(BATCH, rows - row);
        sl_qvec_t *v = sl_qvec_new(SL_TYPE_STRING, n);
        sl_qvec_reserve_text(v, n, n * 180);
        for (size_t i = 0; i < n; i++, row++) {
            int len = message(&g, line, sizeof line, trace);
            if (!d->trace2[0] && row >= 2 && strstr(line, trace)) {
                memcpy(d->trace2, trace, sizeof trace); /* a rare term: one row has it */
            }
            sl_qvec_push_text(v, line, (size_t)len);
            d->bytes += (size_t)len;
        }
        sl_qbatch_init(&d->batches[b], 1);
        d->batches[b].n = n;
        d->batches[b].cols[0] = v;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct timing {
    double stream; /* best whole pass over all batches (text from memory) */
    double hot;    /* best sum of per-batch times with each batch in cache */
    size_t hits;
} timing_t;

/*
 * Binds `expr` over (SyslogMessage: string) and evaluates it on every
 * batch, 5 timed runs after a warm-up. Two figures: `stream` times whole
 * passes (the 2 M rows do not fit in cache, so this includes memory
 * bandwidth, shared with whatever else runs); `hot` evaluates each batch
 * once untimed and once timed, as a scan thread sees a block it has just
 * decompressed.
 */
static int run(const data_t *d, const char *expr, timing_t *tm)
{
    sl_pool_t *pool = sl_pool_create();
    sl_diag_t diag = { 0 };
    char *text = sl_pool_printf(pool, "print %s", expr);
    sl_query_node_t *q;
    sl_query_error_t perr;
    int rc = sl_query_parse(pool, text, strlen(text), &q, &perr, &diag);
    const sl_query_node_t *p = rc ? NULL : q->query.stmts.v[0];
    if (p && p->kind == SL_QUERY_N_PIPELINE) {
        p = p->pipe.source;
    }
    if (rc || !p || p->kind != SL_QUERY_N_PRINT) {
        fprintf(stderr, "%s: %s\n", expr, diag.msg);
        sl_pool_destroy(pool);
        return -1;
    }
    const char *names[] = { "SyslogMessage" };
    sl_type_t types[] = { SL_TYPE_STRING };
    sl_qschema_t in = { 1, names, types };
    sl_qbind_t b;
    sl_qbind_init(&b, pool, 0, NULL, &diag);
    sl_qexpr_t *e;
    rc = sl_qbind_expr(&b, p->items.items.v[0], &in, &e);
    if (rc) {
        fprintf(stderr, "%s: %s\n", expr, diag.msg);
    }
    sl_qrt_t rt = { .d = &diag };
    tm->stream = tm->hot = 1e9;
    for (int r = 0; !rc && r < 6; r++) {
        size_t count = 0;
        double hot = 0, t0 = now_s();
        for (size_t k = 0; !rc && k < d->nbatches; k++) {
            sl_qvec_t *out;
            rc = sl_qexpr_eval(e, &d->batches[k], &rt, &out);
            if (rc) {
                fprintf(stderr, "%s: %s\n", expr, diag.msg);
                break;
            }
            for (size_t i = 0; i < d->batches[k].n; i++) {
                count += sl_qvec_true(out, i);
            }
            sl_qvec_unref(out);
        }
        double t = now_s() - t0;
        for (size_t k = 0; !rc && k < d->nbatches; k++) {
            sl_qvec_t *out;
            rc = sl_qexpr_eval(e, &d->batches[k], &rt, &out); /* brings the batch in */
            sl_qvec_unref(out);
            double t1 = now_s();
            rc = rc ? rc : sl_qexpr_eval(e, &d->batches[k], &rt, &out);
            hot += now_s() - t1;
            sl_qvec_unref(out);
        }
        if (r > 0) { /* run 0 is the warm-up */
            tm->stream = SL_MIN(tm->stream, t);
            tm->hot = SL_MIN(tm->hot, hot);
        }
        tm->hits = count;
    }
    sl_qrt_dispose(&rt);
    sl_qbind_dispose(&b);
    sl_pool_destroy(pool);
    return rc;
}

static unsigned char lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* The case-insensitive search strops.c used before the SIMD kernel. */
static ptrdiff_t old_find_ci(const char *hay, size_t hn, size_t from, const char *nd, size_t nn)
{
    if (from > hn || hn - from < nn) {
        return -1;
    }
    unsigned char f = (unsigned char)nd[0], F = (unsigned char)(f >= 'a' && f <= 'z' ? f - 32 : f);
    const char *end = hay + hn - nn;
    for (const char *p = hay + from; p <= end; p++) {
        const char *q1 = memchr(p, f, (size_t)(end - p) + 1);
        const char *q2 = F != f ? memchr(p, F, (size_t)((q1 ? q1 : end + 1) - p)) : NULL;
        const char *q = q2 && (!q1 || q2 < q1) ? q2 : q1;
        if (!q) {
            return -1;
        }
        size_t i = 1;
        while (i < nn && lower((unsigned char)q[i]) == (unsigned char)nd[i]) {
            i++;
        }
        if (i == nn) {
            return q - hay;
        }
        p = q;
    }
    return -1;
}

static size_t baseline_pass(const data_t *d, size_t k, const char *nd, size_t nn)
{
    const sl_qvec_t *v = d->batches[k].cols[0];
    const uint32_t *offs = (const uint32_t *)v->col.offs.data;
    const char *data = v->col.data.data;
    size_t n = d->batches[k].n, row = 0, count = 0;
    ptrdiff_t at = 0;
    /* The same whole-buffer scan as before, rows found by offset. */
    while ((at = old_find_ci(data, offs[n], (size_t)at, nd, nn)) >= 0) {
        while (offs[row + 1] <= (size_t)at) {
            row++;
        }
        if ((size_t)at + nn <= offs[row + 1]) {
            count++;
        }
        at = (ptrdiff_t)offs[row + 1];
    }
    return count;
}

static void baseline(const data_t *d, const char *nd, timing_t *tm)
{
    size_t nn = strlen(nd);
    tm->stream = tm->hot = 1e9;
    for (int r = 0; r < 6; r++) {
        size_t count = 0;
        double hot = 0, t0 = now_s();
        for (size_t k = 0; k < d->nbatches; k++) {
            count += baseline_pass(d, k, nd, nn);
        }
        double t = now_s() - t0;
        for (size_t k = 0; k < d->nbatches; k++) {
            baseline_pass(d, k, nd, nn);
            double t1 = now_s();
            baseline_pass(d, k, nd, nn);
            hot += now_s() - t1;
        }
        if (r > 0) {
            tm->stream = SL_MIN(tm->stream, t);
            tm->hot = SL_MIN(tm->hot, hot);
        }
        tm->hits = count;
    }
}

static void report(const data_t *d, const char *what, const timing_t *tm)
{
    printf("%-70.70s %6.2f %6.2f %7.1f %8zu\n",
           what,
           (double)d->bytes / tm->stream / 1e9,
           (double)d->bytes / tm->hot / 1e9,
           (double)d->rows / tm->hot / 1e6,
           tm->hits);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000000;
    if (rows < 3) {
        rows = 3;
    }
    data_t d = { 0 };
    generate(&d, rows);
    printf("%zu rows, %.1f MB of text (%.0f B/row), batches of %d rows, 1 thread\n",
           d.rows,
           (double)d.bytes / 1e6,
           (double)d.bytes / (double)d.rows,
           BATCH);
    char q5[200], q5c[200];
    snprintf(q5, sizeof q5, "SyslogMessage has \"%s\"", d.trace2);
    snprintf(q5c, sizeof q5c, "SyslogMessage contains_cs \"%s\"", d.trace2);
    const char *exprs[] = {
        "SyslogMessage contains_cs \"error\"",
        "SyslogMessage contains \"error\"",
        "SyslogMessage has \"error\"",
        "SyslogMessage has_cs \"error\"",
        q5,
        q5c,
        "SyslogMessage contains \"timeout\"",
        "SyslogMessage hasprefix \"dupl\"",
        "SyslogMessage startswith \"sshd\"",
        "SyslogMessage has_any (\"panic\", \"segfault\", \"fatal\")",
        "SyslogMessage has_any (\"alpha\", \"beta\", \"gamma\", \"delta\", \"segfault\", "
        "\"panic\", \"oom\", \"killed\")",
        "SyslogMessage matches regex @\"Failed password for invalid user \\w+ from "
        "(\\d{1,3}\\.){3}\\d{1,3}\"",
        "SyslogMessage matches regex @\"(?i)(exception|fatal|panic|segfault)\"",
        "SyslogMessage matches regex @\"status=\\d/FAIL\"",
        "SyslogMessage matches regex @\"\\[\\d+\\.\\d{6}\\]\"",
    };
    printf("%-70s %6s %6s %7s %8s\n", "predicate", "stream", "hot", "hot", "rows");
    printf("%-70s %6s %6s %7s %8s\n", "", "GB/s", "GB/s", "Mrows/s", "matched");
    timing_t tm;
    baseline(&d, "error", &tm);
    report(&d, "baseline: previous case-insensitive search (memchr x2), \"error\"", &tm);
    for (size_t i = 0; i < SL_ARRAY_SIZE(exprs); i++) {
        if (run(&d, exprs[i], &tm) == 0) {
            report(&d, exprs[i], &tm);
        }
    }
    for (size_t b = 0; b < d.nbatches; b++) {
        sl_qbatch_dispose(&d.batches[b]);
    }
    sl_free(d.batches);
    return 0;
}
