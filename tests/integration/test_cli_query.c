/*
 * `sealog query` against a real node: rows ingested with the Data Collector
 * API, read back as a table, CSV and JSON; the query from a file and from
 * stdin; timespans; errors with the server's words and the documented exit
 * codes; a partial result. A few tests talk to a small fake server instead,
 * to see the exact request the CLI sends and to hold an answer back long
 * enough for the spinner to show on a pseudo-terminal.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"


/* The long message is over the 60 characters a table cell shows. */
#define LONG_MSG "a long message that goes on and on well past sixty characters of cell"

typedef struct fx {
    th_node_t n;
    char id[37];
    char key[100];
} fx_t;

/* Three rows: two in the last hour, one a day and a half old (the Data
 * Collector API takes a time-generated-field up to two days back). */
static void ingest(fx_t *f, const char *ws_id, const char *key)
{
    char t1[32], t2[32], t3[32], body[1024];
    sl_ticks_t now = sl_time_now();
    sl_time_format_iso8601(now - 10 * SL_TICKS_PER_MIN, t1);
    sl_time_format_iso8601(now - 5 * SL_TICKS_PER_MIN, t2);
    sl_time_format_iso8601(now - 36 * SL_TICKS_PER_HOUR, t3);
    snprintf(body, sizeof body,
             "[{\"host\":\"web-1\",\"msg\":\"hello\",\"n\":3,\"ok\":true,\"ts\":\"%s\"},"
             "{\"host\":\"web-2\",\"msg\":\"" LONG_MSG "\",\"n\":42,\"ok\":false,\"ts\":\"%s\"},"
             "{\"host\":\"db-1\",\"msg\":\"comma, and \\\"quotes\\\"\",\"n\":7,\"ok\":true,"
             "\"ts\":\"%s\"}]",
             t1, t2, t3);
    long st = th_dc_post(&f->n, ws_id, key, "MyApp", "ts", body, strlen(body), NULL);
    cr_assert_eq(st, 200, "ingest failed: %ld", st);
}

/* One node per test, in static storage so that the suite's .fini can stop
 * it even when a failed cr_assert leaves the test early (each test is its
 * own process, so this is per test). */
static fx_t fixture;

static void start(fx_t *f, const char *const *extra)
{
    th_node_init(&f->n);
    cr_assert_eq(th_node_start(&f->n, extra), 0);
    th_workspace(&f->n, "prod", 30, f->id, f->key);
    ingest(f, f->id, f->key);
}

static void stop(fx_t *f)
{
    cr_expect_eq(th_node_stop(&f->n), 0);
    th_node_cleanup(&f->n);
}

static void leftovers(void)
{
    if (fixture.n.pid) {
        th_node_cleanup(&fixture.n);
    }
}

TestSuite(cli_query, .timeout = 120, .fini = leftovers);

/* Runs the CLI; out and err always hold a (possibly empty) C string. */
static int run(const th_node_t *n, const char *input, sl_buf_t *out, sl_buf_t *err,
               const char *const *args)
{
    sl_buf_reset(out);
    sl_buf_reset(err);
    int rc = th_cli_io(n, input, out, err, args);
    sl_buf_append(out, "", 0);
    sl_buf_append(err, "", 0);
    return rc;
}

Test(cli_query, table_is_aligned_with_numbers_right)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod",
                        "MyApp_CL | sort by n_d asc | project host_s, n_d, ok_b", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, a), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "host_s  n_d  ok_b\n"
                               "------  ---  -----\n"
                               "web-1     3  true\n"
                               "db-1      7  true\n"
                               "web-2    42  false\n");
    cr_expect_str_eq(err.data, "");
    /* The workspace by id works as well as by name, and options may follow
     * the query. */
    const char *b[] = { "query", "MyApp_CL | count", "-w", f->id, NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, b), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\n-----\n    3\n");
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, long_cells_are_cut_unless_no_truncate)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod", "MyApp_CL | where host_s == 'web-2' | project msg_s",
                        NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, a), 0, "%s", err.data);
    char cut[200];
    snprintf(cut, sizeof cut, "%.59s\xe2\x80\xa6", LONG_MSG);
    cr_expect(th_contains(&out, cut), "%s", out.data);
    cr_expect_not(th_contains(&out, LONG_MSG), "%s", out.data);
    const char *b[] = { "query", "-w", "prod", "--no-truncate",
                        "MyApp_CL | where host_s == 'web-2' | project msg_s", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, b), 0, "%s", err.data);
    cr_expect(th_contains(&out, LONG_MSG "\n"), "%s", out.data);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, csv_json_and_raw_formats)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *q = "MyApp_CL | sort by n_d asc | project host_s, msg_s, n_d, ok_b";
    const char *csv[] = { "query", "-w", "prod", "--format", "csv", q, NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, csv), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "host_s,msg_s,n_d,ok_b\r\n"
                               "web-1,hello,3,true\r\n"
                               "db-1,\"comma, and \"\"quotes\"\"\",7,true\r\n"
                               "web-2," LONG_MSG ",42,false\r\n");

    /* JSON: typed values, dynamic cells as JSON, nulls as null. */
    const char *json[] = { "--json", "query", "-w", "prod",
                           "MyApp_CL | sort by n_d asc | project host_s, n_d, ok_b, "
                           "TimeGenerated, d = dynamic({\"k\":[1,2]}), z = long(null)",
                           NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, json), 0, "%s", err.data);
    json_t *j = json_loads(out.data, 0, NULL);
    cr_assert(json_is_array(j), "%s", out.data);
    cr_expect_eq(json_array_size(j), 3);
    json_t *r0 = json_array_get(j, 0);
    cr_expect_str_eq(json_string_value(json_object_get(r0, "host_s")), "web-1");
    cr_expect(json_is_number(json_object_get(r0, "n_d")));
    cr_expect_eq(json_number_value(json_object_get(r0, "n_d")), 3);
    cr_expect(json_is_true(json_object_get(r0, "ok_b")));
    cr_expect(json_is_string(json_object_get(r0, "TimeGenerated")));
    cr_expect_eq(json_integer_value(json_array_get(
                     json_object_get(json_object_get(r0, "d"), "k"), 1)),
                 2);
    cr_expect(json_is_null(json_object_get(r0, "z")));
    cr_expect(json_is_false(json_object_get(json_array_get(j, 2), "ok_b")));
    json_decref(j);
    /* --format json says the same. */
    const char *json2[] = { "query", "-w", "prod", "--format", "json", "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, json2), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "[\n{\"Count\":3}\n]\n");

    /* Raw: the node's own answer. */
    const char *raw[] = { "query", "-w", "prod", "--format", "raw", "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, raw), 0, "%s", err.data);
    j = json_loads(out.data, 0, NULL);
    cr_assert(j, "%s", out.data);
    json_t *t0 = json_array_get(json_object_get(j, "tables"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(t0, "name")), "PrimaryResult");
    cr_expect_eq(json_integer_value(json_array_get(json_array_get(json_object_get(t0, "rows"), 0),
                                                   0)),
                 3);
    json_decref(j);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, several_result_tables_one_after_another)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod",
                        "MyApp_CL | count; MyApp_CL | where ok_b | project host_s | sort by host_s "
                        "asc",
                        NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, a), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "PrimaryResult (1 row)\n"
                               "Count\n"
                               "-----\n"
                               "    3\n"
                               "\n"
                               "Table_1 (2 rows)\n"
                               "host_s\n"
                               "------\n"
                               "db-1\n"
                               "web-1\n");
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, query_from_file_and_from_stdin)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    char path[320];
    snprintf(path, sizeof path, "%s/q.kql", f->n.dir);
    const char *text = "// hosts that are fine\nMyApp_CL\n| where ok_b\n| count\n";
    cr_assert_eq(sl_write_file_atomic(path, text, strlen(text), 0600), 0);
    const char *file[] = { "query", "-w", "prod", "-f", path, "--format", "csv", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, file), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\r\n2\r\n");

    /* No query argument and stdin is not a terminal: stdin. */
    const char *in[] = { "query", "-w", "prod", "--format", "csv", NULL };
    cr_expect_eq(run(&f->n, "MyApp_CL | where ok_b == false | count", &out, &err, in), 0, "%s",
                 err.data);
    cr_expect_str_eq(out.data, "Count\r\n1\r\n");
    /* `-` says so explicitly. */
    const char *dash[] = { "query", "-w", "prod", "--format", "csv", "-", NULL };
    cr_expect_eq(run(&f->n, "MyApp_CL | count", &out, &err, dash), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\r\n3\r\n");

    /* An empty stdin and a missing file are usage errors. */
    cr_expect_eq(run(&f->n, NULL, &out, &err, in), 2);
    cr_expect(th_contains(&err, "stdin is empty"), "%s", err.data);
    const char *missing[] = { "query", "-w", "prod", "-f", "/nonexistent/q.kql", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, missing), 2);
    cr_expect(th_contains(&err, "cannot read /nonexistent/q.kql"), "%s", err.data);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

static void expect_count(const fx_t *f, const char *timespan, const char *count)
{
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod", "--timespan", timespan, "--format", "csv",
                        "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, a), 0, "%s: %s", timespan, err.data);
    char expect[64];
    snprintf(expect, sizeof expect, "Count\r\n%s\r\n", count);
    cr_expect_str_eq(out.data, expect, "timespan %s: %s", timespan, out.data);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
}

Test(cli_query, timespan_filters_rows)
{
    fx_t *f = &fixture;
    start(f, NULL);
    expect_count(f, "1h", "2");
    expect_count(f, "PT1H", "2");
    expect_count(f, "6m", "1");
    expect_count(f, "3d", "3");
    expect_count(f, "P3D", "3");
    /* An interval around the old row only. */
    char t0[32], t1[32], iv[80];
    sl_ticks_t now = sl_time_now();
    sl_time_format_iso8601(now - 3 * SL_TICKS_PER_DAY, t0);
    sl_time_format_iso8601(now - SL_TICKS_PER_DAY, t1);
    snprintf(iv, sizeof iv, "%s/%s", t0, t1);
    expect_count(f, iv, "1");
    sl_time_format_iso8601(now - 2 * SL_TICKS_PER_DAY, t0);
    snprintf(iv, sizeof iv, "%s/P1D", t0);
    expect_count(f, iv, "1");
    stop(f);
}

Test(cli_query, query_errors_exit_1_with_the_servers_message)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *syn[] = { "query", "-w", "prod", "MyApp_CL | whre n_d > 1", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, syn), 1);
    cr_expect_str_eq(out.data, "");
    cr_expect(!strncmp(err.data, "error: SyntaxError: Syntax error at line 1", 42), "%s",
              err.data);
    cr_expect(th_contains(&err, "whre"), "%s", err.data);

    const char *sem[] = { "query", "-w", "prod", "NoSuchTable_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, sem), 1);
    cr_expect(!strncmp(err.data, "error: SemanticError: ", 22), "%s", err.data);
    cr_expect(th_contains(&err, "NoSuchTable_CL"), "%s", err.data);

    const char *ws[] = { "query", "-w", "nope", "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, ws), 1);
    cr_expect_str_eq(err.data,
                     "error: FailedToResolveResource: Failed to resolve workspace 'nope'\n");
    cr_expect_str_eq(out.data, "");
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, connection_and_credential_failures_exit_3)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    /* Global options repeated before the command override the harness's. */
    const char *tok[] = { "--token", "sl1.0000000000000000.bad", "query", "-w", "prod",
                          "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, tok), 3);
    cr_expect(!strncmp(err.data, "error: InvalidAuthenticationToken: ", 35), "%s", err.data);
    /* A query token scoped to another workspace. */
    char wid[37], wkey[100];
    th_workspace(&f->n, "other", 30, wid, wkey);
    ingest(f, wid, wkey);
    json_t *t = NULL;
    cr_assert_eq(th_admin(&f->n, "POST", "/admin/v1/tokens",
                          "{\"kind\":\"query\",\"scopes\":[\"other\"]}", &t),
                 201);
    char qtok[200];
    snprintf(qtok, sizeof qtok, "%s", json_string_value(json_object_get(t, "token")));
    json_decref(t);
    const char *scope[] = { "--token", qtok, "query", "-w", "prod", "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, scope), 3);
    cr_expect(!strncmp(err.data, "error: InsufficientAccessError: ", 32), "%s", err.data);
    const char *ok[] = { "--token", qtok, "query", "-w", "other", "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, ok), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\n-----\n    3\n");
    /* Nothing listening. */
    const char *down[] = { "--endpoint", "https://127.0.0.1:1", "query", "-w", "prod",
                           "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, down), 3);
    cr_expect(th_contains(&err, "cannot reach"), "%s", err.data);
    /* A certificate the CLI does not trust. */
    const char *tls[] = { "--cacert", "/etc/ssl/certs/ca-certificates.crt", "query", "-w", "prod",
                          "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, tls), 3);
    cr_expect(th_contains(&err, "--cacert"), "%s", err.data);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, partial_result_prints_rows_then_warns_and_exits_0)
{
    fx_t *f = &fixture;
    const char *extra[] = { "--query-max-rows", "2", NULL };
    start(f, extra);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod", "MyApp_CL | sort by n_d asc | project host_s",
                        NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, a), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "host_s\n------\nweb-1\ndb-1\n");
    cr_expect(!strncmp(err.data, "warning: partial result: ", 25), "%s", err.data);
    cr_expect(th_contains(&err, "limit of 2 records"), "%s", err.data);
    /* The same in JSON: the rows that came, and the warning apart. */
    const char *j[] = { "query", "-w", "prod", "--format", "json",
                        "MyApp_CL | sort by n_d asc | project host_s", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, j), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "[\n{\"host_s\":\"web-1\"},\n{\"host_s\":\"db-1\"}\n]\n");
    cr_expect(th_contains(&err, "warning: partial result"), "%s", err.data);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, statistics_and_cross_workspace)
{
    fx_t *f = &fixture;
    start(f, NULL);
    char wid[37], wkey[100];
    th_workspace(&f->n, "other", 30, wid, wkey);
    ingest(f, wid, wkey);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod", "--stats", "--format", "csv", "MyApp_CL | count",
                        NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, a), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\r\n3\r\n", "statistics stay off stdout");
    cr_expect(!strncmp(err.data, "statistics: ", 12), "%s", err.data);
    cr_expect(th_contains(&err, "3 rows scanned"), "%s", err.data);
    const char *x[] = { "query", "-w", "prod", "--workspaces", "other", "--format", "csv",
                        "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, x), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\r\n6\r\n");
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

Test(cli_query, usage_errors_exit_2)
{
    fx_t *f = &fixture;
    start(f, NULL);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *const cases[][8] = {
        { "query", "MyApp_CL", NULL },                                   /* no workspace */
        { "query", "-w", "prod", "--format", "xml", "MyApp_CL", NULL },  /* bad format */
        { "query", "-w", "prod", "--timespan", "1x", "MyApp_CL", NULL }, /* bad timespan */
        { "query", "-w", "prod", "--wait", "0", "MyApp_CL", NULL },      /* bad wait */
        { "query", "-w", "prod", "-f", "x.kql", "MyApp_CL", NULL },      /* two queries */
        { "query", "-w", "prod", "A", "B", NULL },                       /* two queries */
        { "query", "-w", "prod", "--bogus", "MyApp_CL", NULL },          /* unknown option */
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        cr_expect_eq(run(&f->n, NULL, &out, &err, cases[i]), 2, "case %zu: %s", i, err.data);
        cr_expect_str_eq(out.data, "", "case %zu", i);
        cr_expect(th_contains(&err, "sealog: "), "case %zu: %s", i, err.data);
    }
    /* SEALOG_WORKSPACE stands in for -w. */
    setenv("SEALOG_WORKSPACE", "prod", 1);
    const char *env[] = { "query", "--format", "csv", "MyApp_CL | count", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, env), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\r\n3\r\n");
    unsetenv("SEALOG_WORKSPACE");
    const char *help[] = { "query", "--help", NULL };
    cr_expect_eq(run(&f->n, NULL, &out, &err, help), 0);
    cr_expect(th_contains(&out, "--timespan"), "%s", out.data);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
    stop(f);
}

/* ---- A fake node: one canned answer, after a delay ---------------------- */

typedef struct fake {
    int fd;
    int delay_ms;
    int status;
    const char *body;
    sl_buf_t req;
    pthread_t th;
    th_node_t n; /* what th_cli_io needs: the endpoint, no CA, a token */
} fake_t;

static void *fake_main(void *arg)
{
    fake_t *f = arg;
    int c = accept(f->fd, NULL, NULL);
    if (c < 0) {
        return NULL;
    }
    /* Headers, then Content-Length bytes of body. */
    char buf[4096];
    ssize_t r;
    while ((r = read(c, buf, sizeof buf)) > 0) {
        sl_buf_append(&f->req, buf, (size_t)r);
        const char *end = strstr(f->req.data, "\r\n\r\n");
        if (end) {
            const char *cl = strcasestr(f->req.data, "\r\ncontent-length:");
            size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
            if (f->req.len >= (size_t)(end + 4 - f->req.data) + want) {
                break;
            }
        }
    }
    struct timespec ts = { f->delay_ms / 1000, (long)(f->delay_ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
    char head[256];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                      f->status, strlen(f->body));
    if (write(c, head, (size_t)hn) != hn || write(c, f->body, strlen(f->body)) < 0) {
        perror("fake write");
    }
    close(c);
    return NULL;
}

static void fake_start(fake_t *f, int status, const char *body, int delay_ms)
{
    memset(f, 0, sizeof *f);
    f->status = status;
    f->body = body;
    f->delay_ms = delay_ms;
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    cr_assert_eq(bind(f->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(f->fd, 4), 0);
    cr_assert_eq(getsockname(f->fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(f->n.https, sizeof f->n.https, "http://127.0.0.1:%d", ntohs(sa.sin_port));
    snprintf(f->n.token, sizeof f->n.token, "tok-123");
    cr_assert_eq(pthread_create(&f->th, NULL, fake_main, f), 0);
}

/* Stops the fake; the request it received moves to *req when the caller
 * wants it, and is freed otherwise. */
static void fake_stop(fake_t *f, sl_buf_t *req)
{
    shutdown(f->fd, SHUT_RDWR);
    close(f->fd);
    pthread_join(f->th, NULL);
    if (req) {
        *req = f->req;
    } else {
        sl_buf_dispose(&f->req);
    }
}

static const char count_answer[] = "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":"
                                   "[{\"name\":\"Count\",\"type\":\"long\"}],\"rows\":[[5]]}]}";

Test(cli_query, request_carries_body_prefer_and_token)
{
    fake_t f;
    fake_start(&f, 200, count_answer, 0);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "my ws", "--timespan", "1h", "--workspaces", "a, b",
                        "--wait", "5", "--stats", "T | take 1", NULL };
    cr_expect_eq(run(&f.n, NULL, &out, &err, a), 0, "%s", err.data);
    cr_expect_str_eq(out.data, "Count\n-----\n    5\n");
    sl_buf_t got = SL_BUF_INIT;
    fake_stop(&f, &got);
    sl_buf_append(&got, "", 0);
    const char *req = got.data;
    const char *line = "POST /v1/workspaces/my%20ws/query HTTP/1.1\r\n";
    cr_expect(!strncmp(req, line, strlen(line)), "%s", req);
    cr_expect(strstr(req, "\r\nAuthorization: Bearer tok-123\r\n"), "%s", req);
    cr_expect(strstr(req, "\r\nContent-Type: application/json\r\n"), "%s", req);
    cr_expect(strstr(req, "\r\nPrefer: wait=5,include-statistics=true\r\n"), "%s", req);
    const char *body = strstr(req, "\r\n\r\n");
    cr_assert(body);
    cr_expect_str_eq(body + 4, "{\"query\":\"T | take 1\",\"timespan\":\"PT1H\","
                               "\"workspaces\":[\"a\",\"b\"]}");
    /* The answer had no statistics: the CLI says what it got. */
    cr_expect_str_eq(err.data, "statistics: the node sent none\n");
    sl_buf_dispose(&got);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
}

Test(cli_query, timeout_answer_exits_1)
{
    fake_t f;
    fake_start(&f, 504,
               "{\"error\":{\"message\":\"The query exceeded its time limit (Prefer: wait) "
               "and was stopped.\",\"code\":\"GatewayTimeout\"}}",
               0);
    sl_buf_t out = SL_BUF_INIT, err = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod", "--wait", "1", "T", NULL };
    cr_expect_eq(run(&f.n, NULL, &out, &err, a), 1);
    cr_expect_str_eq(err.data, "error: GatewayTimeout: The query exceeded its time limit "
                               "(Prefer: wait) and was stopped.\n");
    fake_stop(&f, NULL);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
}

/* Runs the CLI with stderr on a pseudo-terminal; returns what the terminal
 * received and the exit code. */
static int run_on_pty(const th_node_t *n, const char *const *args, sl_buf_t *tty, sl_buf_t *out)
{
    int master, slave;
    cr_assert_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
    char out_path[64];
    snprintf(out_path, sizeof out_path, "/tmp/sealog-pty-%d.out", (int)getpid());
    const char *argv[32];
    size_t k = 0;
    argv[k++] = SEALOG_CLI_PATH;
    argv[k++] = "--endpoint";
    argv[k++] = n->https;
    argv[k++] = "--token";
    argv[k++] = n->token;
    for (const char *const *a = args; *a && k < 31; a++) {
        argv[k++] = *a;
    }
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int i = open("/dev/null", O_RDONLY);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(i, 0);
        dup2(o, 1);
        dup2(slave, 2);
        close(master);
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    close(slave);
    char buf[1024];
    ssize_t r;
    /* Reads until the child's side closes (EIO on Linux). */
    while ((r = read(master, buf, sizeof buf)) > 0) {
        sl_buf_append(tty, buf, (size_t)r);
    }
    sl_buf_append(tty, "", 0);
    close(master);
    int st = 0;
    waitpid(pid, &st, 0);
    th_slurp(out_path, out);
    sl_buf_append(out, "", 0);
    unlink(out_path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(cli_query, spinner_on_a_terminal_for_slow_queries_then_erased)
{
    fake_t f;
    fake_start(&f, 200, count_answer, 1600);
    sl_buf_t tty = SL_BUF_INIT, out = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod", "T | count", NULL };
    cr_expect_eq(run_on_pty(&f.n, a, &tty, &out), 0, "%s", tty.data);
    fake_stop(&f, NULL);
    cr_expect(th_contains(&tty, " running query... 1s"), "%s", tty.data);
    /* The last thing on the terminal erases the spinner's line. */
    cr_expect(tty.len >= 4 && !strcmp(tty.data + tty.len - 4, "\r\033[K"), "%s", tty.data);
    cr_expect_str_eq(out.data, "Count\n-----\n    5\n");
    sl_buf_dispose(&tty);
    sl_buf_dispose(&out);
}

Test(cli_query, no_spinner_for_quick_queries_or_when_stderr_is_not_a_terminal)
{
    fake_t f;
    fake_start(&f, 200, count_answer, 0);
    sl_buf_t tty = SL_BUF_INIT, out = SL_BUF_INIT;
    const char *a[] = { "query", "-w", "prod", "T | count", NULL };
    cr_expect_eq(run_on_pty(&f.n, a, &tty, &out), 0, "%s", tty.data);
    fake_stop(&f, NULL);
    cr_expect_str_eq(tty.data, "");
    /* Slow, but stderr is a file: nothing but the answer. */
    fake_start(&f, 200, count_answer, 1300);
    sl_buf_t err = SL_BUF_INIT;
    cr_expect_eq(run(&f.n, NULL, &out, &err, a), 0, "%s", err.data);
    fake_stop(&f, NULL);
    cr_expect_str_eq(err.data, "");
    cr_expect_str_eq(out.data, "Count\n-----\n    5\n");
    sl_buf_dispose(&tty);
    sl_buf_dispose(&out);
    sl_buf_dispose(&err);
}
