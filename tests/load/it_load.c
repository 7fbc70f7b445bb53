/*
 * sealog-load end to end: the real program, run as a process against the
 * capture server (bench/capture.c) over plain HTTP and HTTPS, in both API
 * modes. Every test asserts what the server actually received — headers,
 * signatures re-verified with the workspace key, bodies parsed as JSON,
 * gzip inflated, row counts — and that the report and the exit status
 * agree with it.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>
#include <zlib.h>

#include "bench/capture.h"
#include "bench/load.h"

#define WS "5f2c7d1e-3a4b-4c5d-8e6f-0123456789ab"

typedef struct run {
    int status;
    sl_buf_t out, err;
    json_t *report;
} run_t;

/* Runs sealog-load with `args` (NULL-terminated) and --report-json. */
static void load(run_t *r, const char *const *args)
{
    memset(r, 0, sizeof *r);
    char outp[] = "/tmp/sealog-it-out-XXXXXX", errp[] = "/tmp/sealog-it-err-XXXXXX";
    char rep[] = "/tmp/sealog-it-rep-XXXXXX";
    int ofd = mkstemp(outp), efd = mkstemp(errp), rfd = mkstemp(rep);
    cr_assert(ofd >= 0 && efd >= 0 && rfd >= 0);
    close(rfd);
    const char *argv[64];
    size_t k = 0;
    argv[k++] = SEALOG_LOAD_PATH;
    for (const char *const *a = args; *a; a++)
        argv[k++] = *a;
    argv[k++] = "--report-json";
    argv[k++] = rep;
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    close(ofd);
    close(efd);
    sl_read_file(outp, 1 << 20, &r->out);
    sl_read_file(errp, 1 << 20, &r->err);
    sl_buf_putc(&r->out, '\0');
    sl_buf_putc(&r->err, '\0');
    /* Under -DSL_SANITIZE=ON a sanitizer report would otherwise hide behind
     * an expected exit status of 1. */
    cr_expect(strstr(r->err.data, "Sanitizer") == NULL, "%s", r->err.data);
    json_error_t e;
    r->report = json_load_file(rep, 0, &e);
    unlink(outp);
    unlink(errp);
    unlink(rep);
}

static void run_dispose(run_t *r)
{
    sl_buf_dispose(&r->out);
    sl_buf_dispose(&r->err);
    json_decref(r->report);
}

static int64_t rep_int(const run_t *r, const char *path)
{
    /* "a.b.c" into nested objects */
    json_t *j = r->report;
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *save, *t = strtok_r(tmp, ".", &save); t && j; t = strtok_r(NULL, ".", &save))
        j = json_object_get(j, t);
    return j ? (int64_t)json_number_value(j) : 0; /* absent counters are zero */
}

static sl_capture_t *capture(sl_capture_opts_t o)
{
    sl_capture_t *c;
    sl_diag_t d;
    o.record = true;
    cr_assert_eq(sl_capture_start(&o, &c, &d), 0, "%s", d.msg);
    return c;
}

/* A 64-byte workspace key (raw and base64). */
static void workspace_key(uint8_t raw[64], char b64[100])
{
    for (int i = 0; i < 64; i++)
        raw[i] = (uint8_t)(i * 131 + 7);
    b64[sl_base64_encode(raw, 64, b64)] = '\0';
}

/* Re-verifies a Data Collector request the way a server does (PROTOCOLS.md
 * §1.3), with OpenSSL directly. */
static void verify_sharedkey(const sl_capture_req_t *q, const uint8_t key[64])
{
    const char *auth = sl_capture_req_header(q, "Authorization");
    const char *date = sl_capture_req_header(q, "x-ms-date");
    const char *ct = sl_capture_req_header(q, "Content-Type");
    const char *cl = sl_capture_req_header(q, "Content-Length");
    cr_assert(
      auth && date && ct && cl, "request %llu lacks signed headers", (unsigned long long)q->seq);
    cr_assert(!strncmp(auth, "SharedKey " WS ":", 47), "%s", auth);
    cr_expect_eq(strtoull(cl, NULL, 10), q->body.len);
    sl_ticks_t t;
    cr_assert_eq(sl_time_parse_rfc1123(date, strlen(date), &t), 0, "x-ms-date %s", date);
    cr_expect_lt(
      llabs((long long)((t - sl_time_now()) / SL_TICKS_PER_SEC)), 300, "x-ms-date is current");
    char sts[256];
    int n = snprintf(sts, sizeof sts, "POST\n%s\n%s\nx-ms-date:%s\n/api/logs", cl, ct, date);
    unsigned char mac[32];
    unsigned int mn;
    HMAC(EVP_sha256(), key, 64, (unsigned char *)sts, (size_t)n, mac, &mn);
    char want[64];
    want[EVP_EncodeBlock((unsigned char *)want, mac, 32)] = '\0';
    cr_expect_str_eq(
      strrchr(auth, ':') + 1, want, "signature of request %llu", (unsigned long long)q->seq);
}

/* Parses a body (inflating gzip) as a JSON array of records with the
 * BENCHMARKS.md columns; returns it. */
static json_t *records(const sl_capture_req_t *q, const char *time_key)
{
    const char *enc = sl_capture_req_header(q, "Content-Encoding");
    sl_buf_t plain = SL_BUF_INIT;
    if (enc) {
        cr_assert_str_eq(enc, "gzip");
        cr_assert((uint8_t)q->body.data[0] == 0x1f && (uint8_t)q->body.data[1] == 0x8b);
        z_stream z = { 0 };
        cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
        z.next_in = (Bytef *)q->body.data;
        z.avail_in = (uInt)q->body.len;
        int rc;
        do {
            sl_buf_reserve(&plain, 65536);
            z.next_out = (Bytef *)plain.data + plain.len;
            z.avail_out = 65536;
            rc = inflate(&z, Z_NO_FLUSH);
            plain.len = z.total_out;
        } while (rc == Z_OK);
        cr_assert_eq(rc, Z_STREAM_END, "the gzip body inflates");
        inflateEnd(&z);
    } else {
        sl_buf_append(&plain, q->body.data, q->body.len);
    }
    json_error_t e;
    json_t *a = json_loadb(plain.data, plain.len, 0, &e);
    cr_assert(json_is_array(a), "body of request %llu: %s", (unsigned long long)q->seq, e.text);
    size_t i;
    json_t *rec;
    json_array_foreach(a, i, rec)
    {
        cr_assert_eq(json_object_size(rec), 5);
        const char *cols[] = {
            time_key, "Computer", "ProcessName", "SeverityLevel", "SyslogMessage"
        };
        for (size_t c = 0; c < 5; c++)
            cr_assert(json_is_string(json_object_get(rec, cols[c])), "%s missing", cols[c]);
        const char *ts = json_string_value(json_object_get(rec, time_key));
        sl_ticks_t t;
        cr_assert_eq(sl_time_parse_iso8601(ts, strlen(ts), &t), 0, "%s", ts);
        cr_assert(strlen(ts) == 24 && ts[23] == 'Z', "ISO 8601 with ms: %s", ts);
    }
    sl_buf_dispose(&plain);
    return a;
}

static size_t data_requests(sl_capture_t *c)
{
    size_t n = 0;
    for (size_t i = 0; i < sl_capture_count(c); i++)
        n += strstr(sl_capture_get(c, i)->target, "/oauth2/") == NULL;
    return n;
}

/* ------------------------------------------------------------------------ */

Test(it_load, dc_posts_signed_batches_of_the_asked_size)
{
    sl_capture_t *c = capture((sl_capture_opts_t){ 0 });
    uint8_t raw[64];
    char key[100];
    workspace_key(raw, key);
    run_t r;
    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--total-rows",
                           "2500",
                           "--rows-per-post",
                           "1000",
                           "--connections",
                           "2",
                           "--quiet",
                           NULL });
    sl_capture_stop(c);
    cr_assert_eq(r.status, 0, "%s%s", r.out.data, r.err.data);
    cr_assert_eq(sl_capture_count(c), 3);
    size_t rows = 0, sizes = 0;
    int64_t now_ms = sl_time_now() / SL_TICKS_PER_MS, newest = 0;
    for (size_t i = 0; i < 3; i++) {
        const sl_capture_req_t *q = sl_capture_get(c, i);
        cr_expect_str_eq(q->method, "POST");
        cr_expect_str_eq(q->target, "/api/logs?api-version=2016-04-01");
        cr_expect_str_eq(sl_capture_req_header(q, "Log-Type"), "Syslog");
        cr_expect_str_eq(sl_capture_req_header(q, "Content-Type"), "application/json");
        cr_expect(sl_capture_req_header(q, "time-generated-field") == NULL);
        verify_sharedkey(q, raw);
        json_t *a = records(q, "ts");
        rows += json_array_size(a);
        sizes = sizes * 10 + json_array_size(a) / 500;
        size_t k;
        json_t *rec;
        json_array_foreach(a, k, rec)
        {
            const char *ts = json_string_value(json_object_get(rec, "ts"));
            sl_ticks_t t;
            sl_time_parse_iso8601(ts, strlen(ts), &t);
            newest = SL_MAX(newest, t / SL_TICKS_PER_MS);
        }
        json_decref(a);
    }
    cr_expect_eq(rows, 2500);
    cr_expect(sizes == 221 || sizes == 212 || sizes == 122, "two posts of 1000 and one of 500");
    cr_expect(newest <= now_ms + 1000 && newest > now_ms - 120000,
              "times are rebased to end now (newest %lld, now %lld)",
              (long long)newest,
              (long long)now_ms);
    cr_expect_eq(rep_int(&r, "rows"), 2500, "the report agrees with the server");
    cr_expect_eq(rep_int(&r, "requests"), 3);
    cr_expect_eq(rep_int(&r, "status.200"), 3);
    cr_expect_eq(rep_int(&r, "errors.total"), 0);
    cr_expect(strstr(r.out.data, "rows          2500") != NULL, "%s", r.out.data);
    run_dispose(&r);
    sl_capture_destroy(c);
}

Test(it_load, dc_over_https_with_time_field_and_a_repeatable_seed)
{
    sl_capture_t *c = capture((sl_capture_opts_t){ .tls = true });
    uint8_t raw[64];
    char key[100];
    workspace_key(raw, key);
    const char *args[] = { "--url",
                           sl_capture_url(c),
                           "--cacert",
                           sl_capture_cacert(c),
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--time-field",
                           "--log-type",
                           "App_Logs2",
                           "--seed",
                           "7",
                           "--no-rebase-time",
                           "--total-rows",
                           "300",
                           "--rows-per-post",
                           "100",
                           "--connections",
                           "1",
                           "--quiet",
                           NULL };
    run_t r1, r2;
    load(&r1, args);
    load(&r2, args);
    sl_capture_stop(c);
    cr_assert_eq(r1.status, 0, "%s%s", r1.out.data, r1.err.data);
    cr_assert_eq(r2.status, 0, "%s%s", r2.out.data, r2.err.data);
    cr_assert_eq(sl_capture_count(c), 6);
    for (size_t i = 0; i < 6; i++) {
        const sl_capture_req_t *q = sl_capture_get(c, i);
        cr_expect_str_eq(sl_capture_req_header(q, "time-generated-field"), "ts");
        cr_expect_str_eq(sl_capture_req_header(q, "Log-Type"), "App_Logs2");
        verify_sharedkey(q, raw);
        json_decref(records(q, "ts"));
    }
    /* One connection sends in order, so run 2 repeats run 1 body for body,
     * with the generator's own dates (2024-06-10/11) kept. */
    for (size_t i = 0; i < 3; i++) {
        const sl_capture_req_t *a = sl_capture_get(c, i), *b = sl_capture_get(c, i + 3);
        cr_expect(a->body.len == b->body.len && !memcmp(a->body.data, b->body.data, a->body.len),
                  "body %zu differs between runs",
                  i);
    }
    cr_expect(strstr(sl_capture_get(c, 0)->body.data, "\"ts\":\"2024-06-1") != NULL);
    run_dispose(&r1);
    run_dispose(&r2);
    sl_capture_destroy(c);
}

Test(it_load, https_refuses_an_untrusted_server_unless_insecure)
{
    sl_capture_t *c = capture((sl_capture_opts_t){ .tls = true });
    char key[100];
    uint8_t raw[64];
    workspace_key(raw, key);
    run_t r;
    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--total-rows",
                           "10",
                           "--connections",
                           "1",
                           NULL });
    cr_expect_eq(r.status, 1, "%s%s", r.out.data, r.err.data);
    cr_expect(strstr(r.err.data, "certificate verification failed") != NULL, "%s", r.err.data);
    cr_expect_eq(rep_int(&r, "requests"), 0);
    cr_expect_gt(rep_int(&r, "errors.transport.TLS"), 0, "counted as TLS errors");
    run_dispose(&r);
    sl_capture_counts_t n;
    sl_capture_counts(c, &n);
    cr_expect_eq(n.requests, 0, "nothing was sent to an unverified server");

    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--insecure",
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--total-rows",
                           "10",
                           "--quiet",
                           NULL });
    cr_expect_eq(r.status, 0, "%s%s", r.out.data, r.err.data);
    cr_expect_eq(rep_int(&r, "rows"), 10);
    run_dispose(&r);
    sl_capture_destroy(c);
}

Test(it_load, li_sends_bearer_gzip_and_request_ids)
{
    sl_capture_t *c = capture((sl_capture_opts_t){ .tls = true });
    run_t r;
    load(
      &r,
      (const char *[]){
        "--url",  sl_capture_url(c), "--cacert", sl_capture_cacert(c), "--mode",  "li",
        "--dcr",  "dcr-0a1b2c3d",    "--stream", "Custom-Syslog_CL",   "--token", "tok-123",
        "--gzip", "--total-rows",    "1200",     "--rows-per-post",    "500",     "--connections",
        "2",      "--quiet",         NULL });
    sl_capture_stop(c);
    cr_assert_eq(r.status, 0, "%s%s", r.out.data, r.err.data);
    cr_assert_eq(sl_capture_count(c), 3);
    size_t rows = 0;
    char ids[3][40];
    for (size_t i = 0; i < 3; i++) {
        const sl_capture_req_t *q = sl_capture_get(c, i);
        cr_expect_str_eq(q->target,
                         "/dataCollectionRules/dcr-0a1b2c3d/streams/Custom-Syslog_CL?api-version="
                         "2023-01-01");
        cr_expect_str_eq(sl_capture_req_header(q, "Authorization"), "Bearer tok-123");
        cr_expect_str_eq(sl_capture_req_header(q, "Content-Type"), "application/json");
        cr_expect_eq(q->status, 204);
        const char *id = sl_capture_req_header(q, "x-ms-client-request-id");
        sl_guid_t g;
        cr_assert(id && sl_guid_parse(id, strlen(id), &g) == 0, "request id %s", id);
        snprintf(ids[i], sizeof ids[i], "%s", id);
        json_t *a = records(q, "TimeGenerated");
        rows += json_array_size(a);
        json_decref(a);
    }
    cr_expect_eq(rows, 1200);
    cr_expect(strcmp(ids[0], ids[1]) && strcmp(ids[1], ids[2]) && strcmp(ids[0], ids[2]));
    cr_expect_eq(rep_int(&r, "rows"), 1200);
    cr_expect_eq(rep_int(&r, "status.204"), 3);
    cr_expect_lt(rep_int(&r, "wire_bytes"), rep_int(&r, "bytes") / 3, "gzip is on the wire");
    run_dispose(&r);
    sl_capture_destroy(c);
}

Test(it_load, li_fetches_and_refreshes_client_credential_tokens)
{
    sl_capture_t *c = capture((sl_capture_opts_t){
      .client_id = "app-1", .client_secret = "s3cr&t=", .token_ttl = 1, .chunked = true });
    run_t r;
    load(&r, (const char *[]){ "--url",           sl_capture_url(c),
                               "--mode",          "li",
                               "--dcr",           "dcr-1",
                               "--stream",        "Custom-Syslog_CL",
                               "--client-id",     "app-1",
                               "--client-secret", "s3cr&t=",
                               "--rate",          "2000",
                               "--rows-per-post", "100",
                               "--duration",      "3",
                               "--connections",   "2",
                               "--ring-mb",       "8",
                               "--quiet",         NULL });
    sl_capture_stop(c);
    cr_assert_eq(r.status, 0, "%s%s", r.out.data, r.err.data);
    size_t tokens = 0, data = 0;
    const char *first_auth = NULL, *last_auth = NULL;
    for (size_t i = 0; i < sl_capture_count(c); i++) {
        const sl_capture_req_t *q = sl_capture_get(c, i);
        if (!strcmp(q->target, "/oauth2/v2.0/token")) {
            tokens++;
            cr_expect_str_eq(sl_capture_req_header(q, "Content-Type"),
                             "application/x-www-form-urlencoded");
            cr_expect(strstr(q->body.data, "grant_type=client_credentials") != NULL);
            cr_expect(strstr(q->body.data, "client_secret=s3cr%26t%3D") != NULL,
                      "the secret is form-encoded: %s",
                      q->body.data);
            cr_expect(strstr(q->body.data, "scope=https://monitor.azure.com/.default") != NULL);
            cr_expect_eq(q->status, 200);
            continue;
        }
        data++;
        const char *auth = sl_capture_req_header(q, "Authorization");
        cr_assert(auth && !strncmp(auth, "Bearer capture-token-", 21), "%s", auth);
        if (!first_auth)
            first_auth = auth;
        last_auth = auth;
    }
    cr_expect_geq(tokens, 3, "a 1 s token is refreshed during 3 s (got %zu)", tokens);
    cr_expect_str_eq(first_auth, "Bearer capture-token-1");
    cr_expect_str_neq(last_auth, first_auth, "later requests carry a refreshed token");
    cr_expect_eq(rep_int(&r, "token_fetches"), (int64_t)tokens);
    cr_expect_eq(rep_int(&r, "requests"), (int64_t)data);
    run_dispose(&r);
    sl_capture_destroy(c);
}

Test(it_load, li_refused_credentials_stop_before_the_run)
{
    sl_capture_t *c = capture((sl_capture_opts_t){ .client_id = "app-1", .client_secret = "x" });
    run_t r;
    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--mode",
                           "li",
                           "--dcr",
                           "dcr-1",
                           "--stream",
                           "Custom-Syslog_CL",
                           "--client-id",
                           "app-1",
                           "--client-secret",
                           "wrong",
                           "--total-rows",
                           "10",
                           NULL });
    sl_capture_stop(c);
    cr_expect_eq(r.status, 2, "%s%s", r.out.data, r.err.data);
    cr_expect(strstr(r.err.data, "HTTP 401") != NULL, "%s", r.err.data);
    cr_expect_eq(data_requests(c), 0);
    run_dispose(&r);
    sl_capture_destroy(c);
}

Test(it_load, failures_are_counted_by_status_and_reconnects_are_not_errors)
{
    sl_capture_t *c = capture((sl_capture_opts_t){
      .fail_every = 4, .fail_status = 503, .chunked = true, .close_every = 5 });
    char key[100];
    uint8_t raw[64];
    workspace_key(raw, key);
    run_t r;
    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--total-rows",
                           "4000",
                           "--rows-per-post",
                           "100",
                           "--connections",
                           "3",
                           "--quiet",
                           NULL });
    sl_capture_stop(c);
    cr_expect_eq(r.status, 1, "a 503 makes the run fail: %s%s", r.out.data, r.err.data);
    cr_expect_eq(sl_capture_count(c), 40);
    size_t failed = 0;
    for (size_t i = 0; i < sl_capture_count(c); i++)
        failed += sl_capture_get(c, i)->status == 503;
    cr_expect_eq(failed, 10);
    cr_expect_eq(rep_int(&r, "requests"), 40);
    cr_expect_eq(rep_int(&r, "errors.by_status.503"), 10);
    cr_expect_eq(rep_int(&r, "errors.total"), 10, "Connection: close is not an error");
    cr_expect_eq(rep_int(&r, "rows"), 3000, "only acknowledged rows count");
    cr_expect(strstr(r.out.data, "HTTP 503: 10") != NULL, "%s", r.out.data);
    sl_capture_counts_t n;
    sl_capture_counts(c, &n);
    cr_expect_gt(n.connections, 3, "closed connections were reopened");
    run_dispose(&r);
    sl_capture_destroy(c);
}

Test(it_load, server_errors_over_https_are_counted_too)
{
    sl_capture_t *c =
      capture((sl_capture_opts_t){ .tls = true, .fail_every = 2, .fail_status = 500 });
    run_t r;
    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--cacert",
                           sl_capture_cacert(c),
                           "--mode",
                           "li",
                           "--dcr",
                           "dcr-1",
                           "--stream",
                           "Custom-Syslog_CL",
                           "--token",
                           "t",
                           "--total-rows",
                           "1000",
                           "--rows-per-post",
                           "100",
                           "--quiet",
                           NULL });
    sl_capture_stop(c);
    cr_expect_eq(r.status, 1, "%s%s", r.out.data, r.err.data);
    cr_expect_eq(rep_int(&r, "errors.by_status.500"), 5);
    cr_expect_eq(rep_int(&r, "status.204"), 5);
    cr_expect_eq(rep_int(&r, "rows"), 500);
    run_dispose(&r);
    sl_capture_destroy(c);
}

/* A server that refuses a body before reading it (413, then close) must
 * cost one failed request each, over either transport, and never a hang:
 * the client stops sending the rest and does not reuse the connection. */
Test(it_load, early_answers_end_the_request_cleanly)
{
    for (int tls = 0; tls < 2; tls++) {
        sl_capture_t *c = capture((sl_capture_opts_t){ .tls = tls, .max_body = 100000 });
        const char *args[] = { "--url", sl_capture_url(c), "--cacert", sl_capture_cacert(c),
                               "--mode", "dc", "--workspace-id", WS, "--shared-key", "AAAA",
                               "--total-rows", "50000", "--rows-per-post", "10000",
                               "--connections", "2", "--quiet", NULL };
        run_t r;
        load(&r, tls ? args : (const char *[]){ "--url", sl_capture_url(c), "--mode", "dc",
                                                "--workspace-id", WS, "--shared-key", "AAAA",
                                                "--total-rows", "50000", "--rows-per-post",
                                                "10000", "--connections", "2", "--quiet", NULL });
        sl_capture_stop(c);
        cr_expect_eq(r.status, 1, "%s%s", r.out.data, r.err.data);
        cr_expect_eq(rep_int(&r, "requests"), 5, "tls %d", tls);
        cr_expect_eq(rep_int(&r, "status.413") + rep_int(&r, "requests_lost"), 5,
                     "each request is a 413 or lost with the connection: %s", r.out.data);
        cr_expect_eq(rep_int(&r, "rows"), 0);
        run_dispose(&r);
        sl_capture_destroy(c);
    }
}

Test(it_load, rate_limits_requests_to_the_timetable)
{
    sl_capture_t *c = capture((sl_capture_opts_t){ 0 });
    char key[100];
    uint8_t raw[64];
    workspace_key(raw, key);
    run_t r;
    /* 1000 rows/s in posts of 100: one request every 100 ms, 20 in 2 s. */
    load(&r, (const char *[]){ "--url",           sl_capture_url(c),
                               "--mode",          "dc",
                               "--workspace-id",  WS,
                               "--shared-key",    key,
                               "--rate",          "1000",
                               "--rows-per-post", "100",
                               "--duration",      "2",
                               "--connections",   "4",
                               "--ring-mb",       "8",
                               "--quiet",         NULL });
    sl_capture_stop(c);
    cr_assert_eq(r.status, 0, "%s%s", r.out.data, r.err.data);
    size_t n = sl_capture_count(c);
    cr_expect(n <= 20, "never ahead of the timetable: %zu", n);
    cr_expect(n >= 10, "and not far behind it on an idle server: %zu", n);
    cr_expect_eq(rep_int(&r, "rate"), 1000);
    cr_expect(strstr(r.out.data, "from scheduled send time") != NULL);
    run_dispose(&r);
    sl_capture_destroy(c);
}

Test(it_load, input_rows_are_sent_verbatim_and_cycled)
{
    char path[] = "/tmp/sealog-it-input-XXXXXX";
    int fd = mkstemp(path);
    const char *lines =
      "{\"ts\":\"2024-06-10 06:13:20\",\"ts_ms\":1718000000654,\"host\":\"web-07\",\"app\":"
      "\"sshd\",\"severity\":\"error\",\"message\":\"Failed password for invalid user alice\"}\n"
      "\n"
      "{\"ts\":\"2024-06-10 06:13:21\",\"ts_ms\":1718000001777,\"host\":\"db-04\",\"app\":"
      "\"nginx\",\"severity\":\"info\",\"message\":\"\\\"PUT /x\\\" 200 \\u00e9\"}\n"
      "{\"ts\":\"2024-06-10 06:13:22\",\"ts_ms\":1718000002000,\"host\":\"k8s-node-01\",\"app\":"
      "\"kubelet\",\"severity\":\"warning\",\"message\":\"three\"}\n";
    cr_assert_eq(write(fd, lines, strlen(lines)), (ssize_t)strlen(lines));
    close(fd);
    sl_capture_t *c = capture((sl_capture_opts_t){ 0 });
    char key[100];
    uint8_t raw[64];
    workspace_key(raw, key);
    run_t r;
    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--input",
                           path,
                           "--no-rebase-time",
                           "--total-rows",
                           "7",
                           "--rows-per-post",
                           "7",
                           "--quiet",
                           NULL });
    sl_capture_stop(c);
    cr_assert_eq(r.status, 0, "%s%s", r.out.data, r.err.data);
    cr_assert_eq(sl_capture_count(c), 1);
    json_t *a = records(sl_capture_get(c, 0), "ts");
    cr_assert_eq(json_array_size(a), 7);
    const char *msgs[] = { "Failed password for invalid user alice",
                           "\"PUT /x\" 200 \xc3\xa9",
                           "three" };
    const char *times[] = { "2024-06-10T06:13:20.654Z",
                            "2024-06-10T06:13:21.777Z",
                            "2024-06-10T06:13:22.000Z" };
    for (size_t i = 0; i < 7; i++) {
        json_t *rec = json_array_get(a, i);
        cr_expect_str_eq(json_string_value(json_object_get(rec, "SyslogMessage")), msgs[i % 3]);
        cr_expect_str_eq(json_string_value(json_object_get(rec, "ts")), times[i % 3]);
    }
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(a, 1), "Computer")), "db-04");
    json_decref(a);
    run_dispose(&r);

    /* A broken line stops the run before it starts, and says where. */
    FILE *f = fopen(path, "a");
    fputs("{\"host\":\"h\"\n", f);
    fclose(f);
    load(&r,
         (const char *[]){ "--url",
                           sl_capture_url(c),
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--input",
                           path,
                           "--no-rebase-time",
                           "--total-rows",
                           "7",
                           NULL });
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err.data, ":5") != NULL, "names the line: %s", r.err.data);
    run_dispose(&r);
    unlink(path);
    sl_capture_destroy(c);
}

Test(it_load, an_unreachable_server_is_a_transport_error)
{
    /* A port that was free a moment ago. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    getsockname(s, (struct sockaddr *)&sa, &len);
    close(s);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", ntohs(sa.sin_port));
    char key[100];
    uint8_t raw[64];
    workspace_key(raw, key);
    run_t r;
    load(&r,
         (const char *[]){ "--url",
                           url,
                           "--mode",
                           "dc",
                           "--workspace-id",
                           WS,
                           "--shared-key",
                           key,
                           "--total-rows",
                           "10",
                           "--connections",
                           "2",
                           "--quiet",
                           NULL });
    cr_expect_eq(r.status, 1, "%s%s", r.out.data, r.err.data);
    cr_expect(strstr(r.out.data, "connect ECONNREFUSED") != NULL, "%s", r.out.data);
    cr_expect_eq(rep_int(&r, "rows"), 0);
    run_dispose(&r);
}

Test(it_load, bad_command_lines_exit_2_with_a_reason)
{
    static const struct {
        const char *args[16];
        const char *why;
    } bad[] = {
        { { "--mode", "dc", NULL }, "--url" },
        { { "--url", "http://127.0.0.1:1", NULL }, "--mode" },
        { { "--url", "http://127.0.0.1:1", "--mode", "dc", "--shared-key", "AAAA", NULL },
          "--workspace-id" },
        { { "--url",
            "http://127.0.0.1:1",
            "--mode",
            "dc",
            "--workspace-id",
            WS,
            "--shared-key",
            "@@",
            NULL },
          "base64" },
        { { "--url", "http://127.0.0.1:1", "--mode", "li", "--dcr", "d", "--stream", "s", NULL },
          "--token" },
        { { "--url",
            "http://127.0.0.1:1",
            "--mode",
            "li",
            "--dcr",
            "d",
            "--stream",
            "s",
            "--token",
            "t",
            "--connections",
            "0",
            NULL },
          "--connections" },
        { { "--url", "gopher://x", "--mode", "dc", NULL }, "scheme" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        run_t r;
        load(&r, bad[i].args);
        cr_expect_eq(r.status, 2, "case %zu", i);
        cr_expect(strstr(r.err.data, bad[i].why) != NULL, "case %zu: %s", i, r.err.data);
        run_dispose(&r);
    }
}
