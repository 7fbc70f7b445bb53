/*
 * sealogd as a process: start with defaults, serve HTTPS (HTTP/1.1 and
 * HTTP/2), health/readiness/metrics, request-target forms, signals, the
 * Unix socket listener, and the start-up failures that must leave nothing
 * behind.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

TestSuite(node, .timeout = 120);

Test(node, starts_with_no_configuration_and_serves_https)
{
    /* No flags at all: ./sealog-data and 127.0.0.1:8443 with a self-signed certificate. */
    th_node_t n;
    th_node_init(&n);
    char out_path[400];
    snprintf(out_path, sizeof out_path, "%s/out", n.dir);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(out_path, "w", stdout);
        (void)f;
        if (chdir(n.dir))
            _exit(126);
        execl(SEALOGD_PATH, SEALOGD_PATH, (char *)NULL);
        _exit(127);
    }
    sl_buf_t out = SL_BUF_INIT;
    for (int i = 0; i < 100 && !th_contains(&out, "shown once"); i++) {
        usleep(50000);
        sl_buf_reset(&out);
        th_slurp(out_path, &out);
    }
    cr_assert(th_contains(&out, "listening:    https://127.0.0.1:8443"), "banner: %s", out.data);
    cr_assert(th_contains(&out, "sha256:"));
    char cert[400];
    snprintf(cert, sizeof cert, "%s/sealog-data/tls/cert.pem", n.dir);
    struct stat st;
    cr_assert_eq(stat(cert, &st), 0, "certificate kept in the data dir");
    snprintf(n.cacert, sizeof n.cacert, "%s", cert);
    th_resp_t r;
    cr_assert_eq(th_request(&n, "https://127.0.0.1:8443", "GET", "/healthz", NULL, NULL, NULL, 0,
                            &r),
                 0);
    cr_expect_eq(r.status, 200);
    th_resp_dispose(&r);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sl_buf_dispose(&out);
    th_node_cleanup(&n);
}

Test(node, health_ready_metrics)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    th_resp_t r;
    th_request(&n, NULL, "GET", "/healthz", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 200);
    th_resp_dispose(&r);
    th_request(&n, NULL, "GET", "/readyz", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 200);
    cr_expect(th_contains(&r.body, "\"status\":\"ready\""), "%s", r.body.data);
    cr_expect(th_contains(&r.body, "\"catalog\""));
    th_resp_dispose(&r);
    th_request(&n, NULL, "GET", "/nope", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 404);
    th_resp_dispose(&r);
    th_request(&n, NULL, "GET", "/metrics", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 200);
    cr_expect(th_contains(&r.body,
                          "sealog_http_requests_total{route=\"/healthz\",method=\"GET\",code=\"200\"} 1"),
              "%s", r.body.data);
    cr_expect(th_contains(&r.body, "code=\"404\"} 1"));
    cr_expect(th_contains(&r.body, "sealog_http_request_duration_seconds_bucket{route=\"/readyz\""));
    cr_expect(th_contains(&r.body, "sealog_http_open_connections "));
    cr_expect(th_contains(&r.body, "sealog_http_sent_bytes_total "));
    th_resp_dispose(&r);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(node, speaks_http2_over_tls_via_alpn)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s/healthz", n.https);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, n.cacert);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    FILE *devnull = fopen("/dev/null", "w");
    curl_easy_setopt(h, CURLOPT_WRITEDATA, devnull);
    cr_assert_eq(curl_easy_perform(h), CURLE_OK);
    long ver = 0, code = 0;
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &ver);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    cr_expect_eq(ver, CURL_HTTP_VERSION_2_0);
    cr_expect_eq(code, 200);
    curl_easy_cleanup(h);
    fclose(devnull);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(node, request_target_forms)
{
    th_node_t n;
    th_node_init(&n);
    const char *extra[] = { "--http-listen", "127.0.0.1:0", NULL };
    cr_assert_eq(th_node_start(&n, extra), 0);
    const char *hostport = n.http + 7;
    char raw[1024];
    sl_buf_t out = SL_BUF_INIT;
    /* absolute-form, as Fluent Bit sends it */
    snprintf(raw, sizeof raw,
             "GET https://example.test:9999/admin/v1/workspaces HTTP/1.1\r\nHost: x\r\n"
             "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
             n.token);
    th_raw_http(hostport, raw, &out);
    cr_expect(th_contains(&out, "HTTP/1.1 200"), "%s", out.data);
    cr_expect(th_contains(&out, "\"value\":[]"));
    /* duplicate slashes collapse; percent-encoded segments and parameter names decode */
    sl_buf_reset(&out);
    snprintf(raw, sizeof raw,
             "GET //admin//v1/%%77orkspaces?include%%44eleted=true HTTP/1.1\r\nHost: x\r\n"
             "authorization: Bearer %s\r\nConnection: close\r\n\r\n",
             n.token);
    th_raw_http(hostport, raw, &out);
    cr_expect(th_contains(&out, "HTTP/1.1 200"), "%s", out.data);
    /* a malformed target is a clean 400 */
    sl_buf_reset(&out);
    th_raw_http(hostport, "GET /a%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &out);
    cr_expect(th_contains(&out, "HTTP/1.1 400"), "%s", out.data);
    sl_buf_dispose(&out);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(node, unix_socket_listener)
{
    th_node_t n;
    th_node_init(&n);
    char sock[300], spec[320];
    snprintf(sock, sizeof sock, "%s/s.sock", n.dir);
    snprintf(spec, sizeof spec, "unix:%s", sock);
    const char *extra[] = { "--listen", "127.0.0.1:0", "--listen", spec, NULL };
    cr_assert_eq(th_node_start(&n, extra), 0);
    struct stat st;
    cr_assert_eq(stat(sock, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0660);
    sl_buf_t out = SL_BUF_INIT;
    const char *args[] = { "--endpoint", spec, "--token", n.token, "status", NULL };
    cr_expect_eq(th_run(SEALOG_CLI_PATH, args, NULL, &out), 0, "%s", out.data);
    cr_expect(th_contains(&out, "state:       ready"), "%s", out.data);
    sl_buf_dispose(&out);
    cr_expect_eq(th_node_stop(&n), 0);
    cr_expect_neq(stat(sock, &st), 0, "socket removed at exit");
    th_node_cleanup(&n);
}

Test(node, sighup_reloads_log_level_and_certificate)
{
    th_node_t n;
    th_node_init(&n);
    char cfg[300];
    snprintf(cfg, sizeof cfg, "%s/sealog.json", n.dir);
    FILE *f = fopen(cfg, "w");
    fputs("{\"log_level\": \"info\"}\n", f);
    fclose(f);
    const char *extra[] = { "--config", cfg, NULL };
    cr_assert_eq(th_node_start(&n, extra), 0);
    th_resp_t r;
    th_request(&n, NULL, "GET", "/healthz", NULL, NULL, NULL, 0, &r);
    th_resp_dispose(&r);
    f = fopen(cfg, "w");
    fputs("{\"log_level\": \"debug\"}\n", f);
    fclose(f);
    kill(n.pid, SIGHUP);
    usleep(300000);
    th_request(&n, NULL, "GET", "/healthz", NULL, NULL, NULL, 0, &r);
    th_resp_dispose(&r);
    usleep(100000);
    sl_buf_t log = SL_BUF_INIT;
    th_slurp(n.log_path, &log);
    cr_expect(th_contains(&log, "reload: log level debug"), "%s", log.data);
    cr_expect(th_contains(&log, "TLS certificate reloaded"), "%s", log.data);
    cr_expect(th_contains(&log, "level=debug sub=http"), "debug lines after reload: %s", log.data);
    sl_buf_dispose(&log);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(node, sigterm_exits_zero)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    cr_expect_eq(th_node_stop(&n), 0);
    sl_buf_t log = SL_BUF_INIT;
    th_slurp(n.log_path, &log);
    cr_expect(th_contains(&log, "SIGTERM: draining"), "%s", log.data);
    cr_expect(th_contains(&log, "msg=\"stopped\""));
    sl_buf_dispose(&log);
    th_node_cleanup(&n);
}

/* Runs sealogd expecting failure; returns stderr and the exit code. */
static int run_failing(const char *const *args, sl_buf_t *err)
{
    return th_run(SEALOGD_PATH, args, NULL, err);
}

static int count_lines(const sl_buf_t *b)
{
    int n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

Test(node, bad_config_fails_with_one_line_exit_2)
{
    th_node_t n;
    th_node_init(&n);
    sl_buf_t err = SL_BUF_INIT;
    const char *a1[] = { "--data-dir", n.data_dir, "--shutdown-timeout", "forever", NULL };
    cr_expect_eq(run_failing(a1, &err), 2);
    cr_expect_eq(count_lines(&err), 1, "%s", err.data);
    cr_expect(th_contains(&err, "shutdown_timeout"), "%s", err.data);
    cr_expect(th_contains(&err, "\"forever\""));
    cr_expect(th_contains(&err, "expected a duration"));
    sl_buf_reset(&err);
    char cfg[300];
    snprintf(cfg, sizeof cfg, "%s/bad.json", n.dir);
    FILE *f = fopen(cfg, "w");
    fputs("{\n  \"data_dir\": \"x\",\n  \"listen_addr\": \"127.0.0.1:1\"\n}\n", f);
    fclose(f);
    const char *a2[] = { "--config", cfg, NULL };
    cr_expect_eq(run_failing(a2, &err), 2);
    cr_expect_eq(count_lines(&err), 1, "%s", err.data);
    cr_expect(th_contains(&err, "unknown setting \"listen_addr\""), "%s", err.data);
    cr_expect(th_contains(&err, "bad.json:3"), "%s", err.data);
    sl_buf_reset(&err);
    f = fopen(cfg, "w");
    fputs("{\"threadpool_size\": \"many\"}", f);
    fclose(f);
    cr_expect_eq(run_failing(a2, &err), 2);
    cr_expect(th_contains(&err, "threadpool_size"), "%s", err.data);
    sl_buf_reset(&err);
    const char *a3[] = { "--data-dir", n.data_dir, "--http-listen", "0.0.0.0:8080", NULL };
    cr_expect_eq(run_failing(a3, &err), 2);
    cr_expect(th_contains(&err, "loopback"), "%s", err.data);
    struct stat st;
    cr_expect_neq(stat(n.data_dir, &st), 0, "no data dir created on a config error");
    sl_buf_dispose(&err);
    th_node_cleanup(&n);
}

Test(node, port_in_use_fails_cleanly)
{
    th_node_t a, b;
    th_node_init(&a);
    th_node_init(&b);
    cr_assert_eq(th_node_start(&a, NULL), 0);
    const char *port = strrchr(a.https, ':') + 1;
    char spec[64];
    snprintf(spec, sizeof spec, "127.0.0.1:%s", port);
    sl_buf_t err = SL_BUF_INIT;
    const char *args[] = { "--data-dir", b.data_dir, "--listen", spec, NULL };
    cr_expect_eq(run_failing(args, &err), 1);
    cr_expect_eq(count_lines(&err), 1, "%s", err.data);
    cr_expect(th_contains(&err, "address already in use"), "%s", err.data);
    struct stat st;
    cr_expect_neq(stat(b.data_dir, &st), 0, "no data dir created when the port is busy");
    sl_buf_dispose(&err);
    cr_expect_eq(th_node_stop(&a), 0);
    th_node_cleanup(&a);
    th_node_cleanup(&b);
}

Test(node, unwritable_data_dir_fails_cleanly)
{
    th_node_t n;
    th_node_init(&n);
    /* A data dir below a regular file cannot be created, even by root. */
    char file[300], dd[320];
    snprintf(file, sizeof file, "%s/plainfile", n.dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    snprintf(dd, sizeof dd, "%s/data", file);
    sl_buf_t err = SL_BUF_INIT;
    const char *args[] = { "--data-dir", dd, NULL };
    cr_expect_eq(run_failing(args, &err), 1);
    cr_expect_eq(count_lines(&err), 1, "%s", err.data);
    cr_expect(th_contains(&err, "data directory"), "%s", err.data);
    sl_buf_reset(&err);
    /* A directory the process cannot write to (meaningful when not root). */
    char ro[320];
    snprintf(ro, sizeof ro, "%s/ro", n.dir);
    mkdir(ro, 0500);
    char rodd[340];
    snprintf(rodd, sizeof rodd, "%s/data", ro);
    const char *args2[] = { "--data-dir", rodd, NULL };
    if (geteuid() != 0) { /* root writes anywhere: the check means nothing there */
        int rc = run_failing(args2, &err);
        cr_expect_eq(rc, 1);
        cr_expect(th_contains(&err, "Permission denied"), "%s", err.data);
        struct stat st;
        cr_expect_neq(stat(rodd, &st), 0);
    }
    sl_buf_dispose(&err);
    /* A second node on the same data dir is refused. */
    cr_assert_eq(th_node_start(&n, NULL), 0);
    const char *args3[] = { "--data-dir", n.data_dir, "--listen", "127.0.0.1:0", NULL };
    sl_buf_t err3 = SL_BUF_INIT;
    cr_expect_eq(run_failing(args3, &err3), 1);
    cr_expect(th_contains(&err3, "in use by another sealogd"), "%s", err3.data);
    sl_buf_dispose(&err3);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(node, sigterm_with_idle_keepalive_connections_exits_zero)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    /* A curl handle keeps its TLS connection open until cleaned up. */
    CURL *h[2];
    char url[256];
    snprintf(url, sizeof url, "%s/healthz", n.https);
    FILE *devnull = fopen("/dev/null", "w");
    for (int i = 0; i < 2; i++) {
        h[i] = curl_easy_init();
        curl_easy_setopt(h[i], CURLOPT_URL, url);
        curl_easy_setopt(h[i], CURLOPT_CAINFO, n.cacert);
        curl_easy_setopt(h[i], CURLOPT_WRITEDATA, devnull);
        curl_easy_setopt(h[i], CURLOPT_HTTP_VERSION,
                         i ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
        cr_assert_eq(curl_easy_perform(h[i]), CURLE_OK);
    }
    cr_expect_eq(th_node_stop(&n), 0, "idle HTTP/1.1 and HTTP/2 connections do not block exit");
    for (int i = 0; i < 2; i++)
        curl_easy_cleanup(h[i]);
    fclose(devnull);
    th_node_cleanup(&n);
}
