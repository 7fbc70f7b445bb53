/*
 * The Log Analytics Query API against a real node over HTTPS: typed cells,
 * GET and POST, timespans in the four ISO shapes, cross-workspace queries,
 * resource-centric paths, $batch in request order, statistics, partial
 * results, every error class, and the @azure/monitor-query-logs SDK.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static th_node_t N;
static char WS[37], WS_KEY[100], WS2[37];

static const char *DCR_FMT =
    "{\"properties\":{\"immutableId\":\"%s\","
    "\"streamDeclarations\":{\"Custom-Sdkq_CL\":{\"columns\":["
    "{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},{\"name\":\"Seq\",\"type\":\"long\"},"
    "{\"name\":\"Name\",\"type\":\"string\"},{\"name\":\"Ok\",\"type\":\"boolean\"},"
    "{\"name\":\"Props\",\"type\":\"dynamic\"},{\"name\":\"Ratio\",\"type\":\"real\"}]}},"
    "\"destinations\":{\"logAnalytics\":[{\"name\":\"la\",\"workspaceId\":\"%s\"}]},"
    "\"dataFlows\":[{\"streams\":[\"Custom-Sdkq_CL\"],\"destinations\":[\"la\"],"
    "\"transformKql\":\"source\",\"outputStream\":\"Custom-Sdkq_CL\"}]}}";

/* Posts rows seq [from, to) at now - minutes_ago(seq) through the Logs
 * Ingestion API with the admin token. */
static void ingest(const char *dcr, int from, int to, int64_t minutes_back)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_putc(&b, '[');
    sl_ticks_t now = sl_time_now();
    for (int i = from; i < to; i++) {
        char t[32];
        sl_time_format_iso8601(now - (minutes_back + (to - i)) * SL_TICKS_PER_MIN, t);
        sl_buf_printf(&b,
                      "%s{\"TimeGenerated\":\"%s\",\"Seq\":%d,\"Name\":\"name-%d\",\"Ok\":%s,"
                      "\"Props\":{\"k\":%d,\"list\":[\"a\",\"b\"]},\"Ratio\":%g}",
                      i > from ? "," : "", t, i, i, i % 2 ? "false" : "true", i, i / 2.0);
    }
    sl_buf_putc(&b, ']');
    char path[200], auth[300];
    snprintf(path, sizeof path, "/dataCollectionRules/%s/streams/Custom-Sdkq_CL?api-version=2023-01-01",
             dcr);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", N.token);
    const char *h[] = { "Content-Type: application/json", auth, NULL };
    th_resp_t r;
    th_request(&N, NULL, "POST", path, NULL, h, b.data, b.len, &r);
    cr_assert_eq(r.status, 204, "%s", r.body.data);
    th_resp_dispose(&r);
    sl_buf_dispose(&b);
}

static void setup(void)
{
    th_node_init(&N);
    const char *extra[] = { "--query-max-rows", "50", "--query-memory", "16MiB", NULL };
    cr_assert_eq(th_node_start(&N, extra), 0);
    th_workspace(&N, "qa-ws", 30, WS, WS_KEY);
    char key2[100];
    th_workspace(&N, "qb-ws", 30, WS2, key2);
    char dcr[2000];
    snprintf(dcr, sizeof dcr, DCR_FMT, "dcr-qa00000000000000000000000000001", "qa-ws");
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/dataCollectionRules", dcr, NULL), 201);
    snprintf(dcr, sizeof dcr, DCR_FMT, "dcr-qb00000000000000000000000000001", "qb-ws");
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/dataCollectionRules", dcr, NULL), 201);
    /* Old rows first (three days back), written to blocks, then recent ones. */
    ingest("dcr-qa00000000000000000000000000001", 1000, 1020, 3 * 24 * 60);
    sl_buf_t dump = SL_BUF_INIT;
    th_dump_count(&N, WS, "Sdkq_CL", &dump); /* flushes into blocks */
    sl_buf_dispose(&dump);
    ingest("dcr-qa00000000000000000000000000001", 0, 100, 0);
    ingest("dcr-qb00000000000000000000000000001", 0, 10, 0);
}

static void teardown(void)
{
    th_node_stop(&N);
    th_node_cleanup(&N);
}

TestSuite(query_api, .init = setup, .fini = teardown, .timeout = 300);

/* POSTs {"query": q, extra...} to path; returns the status and the JSON. */
static long post(const char *path, const char *token, const char *body, const char *prefer,
                 json_t **out)
{
    char pf[200];
    snprintf(pf, sizeof pf, "Prefer: %s", prefer ? prefer : "");
    const char *h[] = { "Content-Type: application/json", prefer ? pf : NULL, NULL };
    th_resp_t r;
    th_request(&N, NULL, body ? "POST" : "GET", path, token ? token : N.token, h, body,
               body ? strlen(body) : 0, &r);
    long st = r.status;
    if (out)
        *out = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
    th_resp_dispose(&r);
    return st;
}

static long query(const char *q, const char *timespan, json_t **out)
{
    json_t *b = json_pack("{s:s}", "query", q);
    if (timespan)
        json_object_set_new(b, "timespan", json_string(timespan));
    char *body = json_dumps(b, 0);
    char path[100];
    snprintf(path, sizeof path, "/v1/workspaces/%s/query", WS);
    long st = post(path, NULL, body, NULL, out);
    free(body);
    json_decref(b);
    return st;
}

static json_t *rows(json_t *res)
{
    return json_object_get(json_array_get(json_object_get(res, "tables"), 0), "rows");
}

static long long first_long(json_t *res)
{
    return json_integer_value(json_array_get(json_array_get(rows(res), 0), 0));
}

static const char *inner_code(json_t *res)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(res, "error"), "innererror"), "code"));
}

Test(query_api, typed_cells_in_the_api_shape)
{
    json_t *res;
    cr_assert_eq(query("Sdkq_CL | where Seq == 3 | project TimeGenerated, Seq, Name, Ok, Props, "
                       "Ratio, Gap = 90m, Missing = long(null)",
                       NULL, &res),
                 200);
    json_t *t = json_array_get(json_object_get(res, "tables"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(t, "name")), "PrimaryResult");
    char *cols = json_dumps(json_object_get(t, "columns"), JSON_COMPACT);
    cr_expect_str_eq(cols, "[{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},{\"name\":\"Seq\","
                           "\"type\":\"long\"},{\"name\":\"Name\",\"type\":\"string\"},{\"name\":"
                           "\"Ok\",\"type\":\"bool\"},{\"name\":\"Props\",\"type\":\"dynamic\"},"
                           "{\"name\":\"Ratio\",\"type\":\"real\"},{\"name\":\"Gap\",\"type\":"
                           "\"timespan\"},{\"name\":\"Missing\",\"type\":\"long\"}]");
    free(cols);
    json_t *row = json_array_get(rows(res), 0);
    const char *ts = json_string_value(json_array_get(row, 0));
    cr_expect(ts && strlen(ts) >= 20 && ts[4] == '-' && ts[10] == 'T' && ts[strlen(ts) - 1] == 'Z',
              "%s", ts);
    cr_expect_eq(json_integer_value(json_array_get(row, 1)), 3);
    cr_expect_str_eq(json_string_value(json_array_get(row, 2)), "name-3");
    cr_expect(json_is_false(json_array_get(row, 3)));
    cr_expect_str_eq(json_string_value(json_array_get(row, 4)), "{\"k\":3,\"list\":[\"a\",\"b\"]}");
    cr_expect(json_real_value(json_array_get(row, 5)) == 1.5);
    cr_expect_str_eq(json_string_value(json_array_get(row, 6)), "01:30:00");
    cr_expect(json_is_null(json_array_get(row, 7)));
    json_decref(res);
}

Test(query_api, empty_results_are_200_with_columns)
{
    json_t *res;
    cr_assert_eq(query("Sdkq_CL | where Seq < 0 | project Seq", NULL, &res), 200);
    cr_expect_eq(json_array_size(rows(res)), 0);
    cr_expect_eq(json_array_size(json_object_get(json_array_get(json_object_get(res, "tables"), 0),
                                                 "columns")),
                 1);
    json_decref(res);
}

Test(query_api, get_with_parameters)
{
    char path[400];
    snprintf(path, sizeof path,
             "/v1/workspaces/%s/query?query=Sdkq_CL%%20%%7C%%20where%%20Seq%%20%%3E%%3D%%2090%%20%%7C%%20count"
             "&timespan=PT6H",
             WS);
    json_t *res;
    cr_assert_eq(post(path, NULL, NULL, NULL, &res), 200);
    cr_expect_eq(first_long(res), 10);
    json_decref(res);
}

Test(query_api, timespans_in_all_four_shapes)
{
    json_t *res;
    cr_assert_eq(query("Sdkq_CL | count", NULL, &res), 200);
    cr_expect_eq(first_long(res), 120);
    json_decref(res);
    cr_assert_eq(query("Sdkq_CL | count", "P1D", &res), 200);
    cr_expect_eq(first_long(res), 100);
    json_decref(res);
    char ts[100], a[32], b[32];
    sl_ticks_t now = sl_time_now();
    sl_time_format_iso8601(now - 4 * SL_TICKS_PER_DAY, a);
    sl_time_format_iso8601(now - 2 * SL_TICKS_PER_DAY, b);
    snprintf(ts, sizeof ts, "%s/%s", a, b);
    cr_assert_eq(query("Sdkq_CL | count", ts, &res), 200);
    cr_expect_eq(first_long(res), 20, "%s", ts);
    json_decref(res);
    snprintf(ts, sizeof ts, "%s/P2D", a);
    cr_assert_eq(query("Sdkq_CL | count", ts, &res), 200);
    cr_expect_eq(first_long(res), 20, "%s", ts);
    json_decref(res);
    snprintf(ts, sizeof ts, "P2D/%s", b);
    cr_assert_eq(query("Sdkq_CL | count", ts, &res), 200);
    cr_expect_eq(first_long(res), 20, "%s", ts);
    json_decref(res);
    /* Intersected with the query's own filter. */
    char q[200], since[32];
    sl_time_format_iso8601(now - 30 * SL_TICKS_PER_MIN, since);
    snprintf(q, sizeof q, "Sdkq_CL | where TimeGenerated > datetime(%s) | count", since);
    cr_assert_eq(query(q, "P1D", &res), 200);
    cr_expect(first_long(res) >= 28 && first_long(res) <= 31, "%lld", first_long(res));
    json_decref(res);
    cr_assert_eq(query("Sdkq_CL | count", "yesterday", &res), 400);
    cr_expect_str_eq(inner_code(res), "InvalidTimespan");
    json_decref(res);
}

Test(query_api, statistics_report_blocks_and_bytes)
{
    char path[100];
    snprintf(path, sizeof path, "/v1/workspaces/%s/query", WS);
    json_t *res;
    cr_assert_eq(post(path, NULL, "{\"query\":\"Sdkq_CL | where Seq >= 1000 | count\"}",
                      "include-statistics=true", &res),
                 200);
    json_t *s = json_object_get(json_object_get(json_object_get(res, "statistics"), "query"),
                                "sealog");
    cr_expect(json_integer_value(json_object_get(s, "blocksRead")) >= 1);
    cr_expect(json_integer_value(json_object_get(s, "bytesDecrypted")) > 0);
    cr_expect(json_integer_value(json_object_get(s, "rowsScanned")) >= 120);
    json_decref(res);
    /* The last half day only: the old block is not read, let alone decrypted. */
    cr_assert_eq(post(path, NULL, "{\"query\":\"Sdkq_CL | count\",\"timespan\":\"PT12H\"}",
                      "include-statistics=true", &res),
                 200);
    s = json_object_get(json_object_get(json_object_get(res, "statistics"), "query"), "sealog");
    cr_expect_eq(json_integer_value(json_object_get(s, "blocksRead")), 0);
    cr_expect_eq(json_integer_value(json_object_get(s, "bytesDecrypted")), 0);
    cr_expect_eq(json_integer_value(json_object_get(s, "rowsScanned")), 100);
    json_decref(res);
}

Test(query_api, cross_workspace_and_resource_paths)
{
    json_t *res;
    cr_assert_eq(query("union Sdkq_CL, workspace('qb-ws').Sdkq_CL | where Seq < 10 | count", "P1D",
                       &res),
                 200);
    cr_expect_eq(first_long(res), 20);
    json_decref(res);
    char path[300], body[300];
    snprintf(path, sizeof path, "/v1/workspaces/%s/query", WS);
    snprintf(body, sizeof body,
             "{\"query\":\"Sdkq_CL | where Seq < 10 | count\",\"workspaces\":[\"%s\"]}", WS2);
    cr_assert_eq(post(path, NULL, body, NULL, &res), 200);
    cr_expect_eq(first_long(res), 20);
    json_decref(res);
    const char *res_path = "//subscriptions/0000/resourceGroups/rg/providers/"
                           "Microsoft.OperationalInsights/workspaces/qb-ws/query";
    char full[400];
    snprintf(full, sizeof full, "/v1%s", res_path);
    cr_assert_eq(post(full, NULL, "{\"query\":\"Sdkq_CL | count\"}", NULL, &res), 200);
    cr_expect_eq(first_long(res), 10);
    json_decref(res);
    cr_assert_eq(post("/v1/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/"
                      "virtualMachines/vm1/query",
                      NULL, "{\"query\":\"Sdkq_CL | count\"}", NULL, &res),
                 400);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(res, "error"), "code")),
                     "FailedToResolveResource");
    json_decref(res);
}

Test(query_api, batch_answers_in_request_order)
{
    char body[1500];
    snprintf(body, sizeof body,
             "{\"requests\":["
             "{\"id\":\"9\",\"workspace\":\"%s\",\"method\":\"POST\",\"path\":\"/query\","
             "\"headers\":{\"prefer\":\"include-statistics=true\"},"
             "\"body\":{\"query\":\"Sdkq_CL | where Seq == 5 | project Seq\",\"timespan\":\"P1D\"}},"
             "{\"id\":\"1\",\"workspace\":\"%s\",\"method\":\"POST\",\"path\":\"/query\","
             "\"body\":{\"query\":\"Sdkq_CL | where\"}},"
             "{\"id\":\"5\",\"workspace\":\"%s\",\"method\":\"POST\",\"path\":\"/nope\","
             "\"body\":{\"query\":\"Sdkq_CL\"}},"
             "{\"id\":\"3\",\"workspace\":\"%s\",\"method\":\"POST\",\"path\":\"/query\","
             "\"body\":{\"query\":\"Sdkq_CL | count\"}}]}",
             WS, WS, WS, WS2);
    json_t *res;
    cr_assert_eq(post("/v1/$batch", NULL, body, NULL, &res), 200);
    json_t *rs = json_object_get(res, "responses");
    cr_assert_eq(json_array_size(rs), 4);
    const char *ids[] = { "9", "1", "5", "3" };
    const int status[] = { 200, 400, 404, 200 };
    for (size_t i = 0; i < 4; i++) {
        json_t *it = json_array_get(rs, i);
        cr_expect_str_eq(json_string_value(json_object_get(it, "id")), ids[i]);
        cr_expect_eq(json_integer_value(json_object_get(it, "status")), status[i], "item %zu", i);
    }
    json_t *b0 = json_object_get(json_array_get(rs, 0), "body");
    cr_expect_eq(first_long(b0), 5);
    cr_expect(json_object_get(b0, "statistics") != NULL);
    cr_expect_str_eq(inner_code(json_object_get(json_array_get(rs, 1), "body")), "SyntaxError");
    cr_expect_eq(first_long(json_object_get(json_array_get(rs, 3), "body")), 10);
    json_decref(res);
    /* Duplicate ids fail the whole batch. */
    snprintf(body, sizeof body,
             "{\"requests\":[{\"id\":\"a\",\"workspace\":\"%s\",\"body\":{\"query\":\"T\"}},"
             "{\"id\":\"a\",\"workspace\":\"%s\",\"body\":{\"query\":\"T\"}}]}",
             WS, WS);
    cr_assert_eq(post("/v1/$batch", NULL, body, NULL, &res), 400);
    json_decref(res);
}

Test(query_api, oversize_results_are_partial)
{
    json_t *res;
    cr_assert_eq(query("Sdkq_CL | project Seq", NULL, &res), 200);
    cr_expect_eq(json_array_size(rows(res)), 50);
    json_t *e = json_object_get(res, "error");
    cr_expect_str_eq(json_string_value(json_object_get(e, "code")), "PartialError");
    const char *msg = json_string_value(
        json_object_get(json_array_get(json_object_get(e, "details"), 0), "message"));
    cr_expect(msg && strstr(msg, "exceed the set limit of 50 records"), "%s", msg);
    json_decref(res);
}

Test(query_api, bad_queries_get_the_right_errors_and_the_node_keeps_serving)
{
    struct {
        const char *q;
        long status;
        const char *inner;
        const char *fragment;
    } cases[] = {
        { "Sdkq_CL | where Seq >", 400, "SyntaxError", "line 1, column" },
        { "Sdkq_CL\n| summarize count( by Name", 400, "SyntaxError", "line 2" },
        { "NoSuchTable | count", 400, "SemanticError", "NoSuchTable" },
        { "Sdkq_CL | where NoSuchColumn == 1", 400, "SemanticError", "NoSuchColumn" },
        { "Sdkq_CL | where Name > 1", 400, "SemanticError", "Cannot compare" },
        { "Sdkq_CL | join (Sdkq_CL) on Seq", 400, "SemanticError", "'join' is not supported" },
        { "Sdkq_CL | make-series count() on TimeGenerated step 1h", 400, "SemanticError",
          "make-series" },
        { "workspace('nowhere').Sdkq_CL | count", 400, "SemanticError", "nowhere" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *res;
        long st = query(cases[i].q, NULL, &res);
        cr_expect_eq(st, cases[i].status, "%s", cases[i].q);
        json_t *e = json_object_get(res, "error");
        cr_expect_str_eq(json_string_value(json_object_get(e, "code")), "BadArgumentError", "%s",
                         cases[i].q);
        cr_expect_str_eq(inner_code(res) ? inner_code(res) : "", cases[i].inner, "%s",
                         cases[i].q);
        const char *msg = json_string_value(json_object_get(e, "message"));
        cr_expect(msg && strstr(msg, cases[i].fragment), "%s: %s", cases[i].q, msg);
        json_decref(res);
    }
    json_t *res;
    cr_assert_eq(query("Sdkq_CL | count", "P1D", &res), 200);
    cr_expect_eq(first_long(res), 100);
    json_decref(res);
}

Test(query_api, requests_are_checked_before_they_run)
{
    char path[100];
    snprintf(path, sizeof path, "/v1/workspaces/%s/query", WS);
    th_resp_t r;
    /* No token. */
    const char *h[] = { "Content-Type: application/json", NULL };
    th_request(&N, NULL, "POST", path, NULL, h, "{\"query\":\"T\"}", 13, &r);
    cr_expect_eq(r.status, 401);
    th_resp_dispose(&r);
    /* Not JSON / no content type. */
    json_t *res;
    cr_expect_eq(post(path, NULL, "{\"query\":", NULL, &res), 400);
    json_decref(res);
    const char *h2[] = { "Content-Type: text/plain", NULL };
    th_request(&N, NULL, "POST", path, N.token, h2, "{\"query\":\"T\"}", 13, &r);
    cr_expect_eq(r.status, 400);
    th_resp_dispose(&r);
    /* An unknown workspace. */
    cr_expect_eq(post("/v1/workspaces/00000000-0000-0000-0000-000000000000/query", NULL,
                      "{\"query\":\"Sdkq_CL\"}", NULL, &res),
                 400);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(res, "error"), "code")),
                     "FailedToResolveResource");
    json_decref(res);
    /* A query token for qb-ws only: 403 on qa-ws, 200 on qb-ws. */
    json_t *t;
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/tokens",
                          "{\"kind\":\"query\",\"scopes\":[\"qb-ws\"]}", &t),
                 201);
    char tok[200];
    snprintf(tok, sizeof tok, "%s", json_string_value(json_object_get(t, "token")));
    json_decref(t);
    cr_expect_eq(post(path, tok, "{\"query\":\"Sdkq_CL | count\"}", NULL, &res), 403);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(res, "error"), "code")),
                     "InsufficientAccessError");
    json_decref(res);
    snprintf(path, sizeof path, "/v1/workspaces/qb-ws/query");
    cr_expect_eq(post(path, tok, "{\"query\":\"Sdkq_CL | count\"}", NULL, &res), 200);
    json_decref(res);
    /* ... and it cannot reach qa-ws through workspace() either. */
    cr_expect_eq(post(path, tok, "{\"query\":\"workspace('qa-ws').Sdkq_CL | count\"}", NULL, &res),
                 403);
    json_decref(res);
    /* An ingest token is not a query token. */
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/tokens",
                          "{\"kind\":\"ingest\",\"scopes\":[\"*\"]}", &t),
                 201);
    snprintf(tok, sizeof tok, "%s", json_string_value(json_object_get(t, "token")));
    json_decref(t);
    cr_expect_eq(post(path, tok, "{\"query\":\"Sdkq_CL | count\"}", NULL, &res), 403);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(res, "error"), "code")),
                     "InvalidAuthenticationTokenAudience");
    json_decref(res);
}

Test(query_api, azure_sdk_gets_typed_results)
{
    json_t *t;
    char scope[80];
    snprintf(scope, sizeof scope, "{\"kind\":\"query\",\"scopes\":[\"%s\"]}", WS);
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/tokens", scope, &t), 201);
    char env_token[300], env_url[200], env_ca[400], env_ws[80];
    snprintf(env_token, sizeof env_token, "SEALOG_TOKEN=%s",
             json_string_value(json_object_get(t, "token")));
    json_decref(t);
    snprintf(env_url, sizeof env_url, "SEALOG_URL=%s", N.https);
    snprintf(env_ca, sizeof env_ca, "NODE_EXTRA_CA_CERTS=%s", N.cacert);
    snprintf(env_ws, sizeof env_ws, "SEALOG_WS=%s", WS);
    char script[600];
    snprintf(script, sizeof script, "%s/query_sdk.mjs", SEALOG_JS_DIR);
    const char *args[] = { env_token, env_url, env_ca, env_ws, NODE_PATH, script, NULL };
    sl_buf_t out = SL_BUF_INIT;
    int rc = th_run("/usr/bin/env", args, SEALOG_JS_DIR, &out);
    cr_expect_eq(rc, 0, "node script failed: %s", out.data);
    cr_expect(th_contains(&out, "query sdk checks passed"), "%s", out.data);
    sl_buf_dispose(&out);
}

Test(query_api, regex_errors_and_runaway_queries)
{
    json_t *res;
    cr_assert_eq(query("Sdkq_CL | where Name matches regex '(unclosed' | count", NULL, &res), 400);
    cr_expect_str_eq(inner_code(res), "SemanticError");
    json_decref(res);
    /* 200,000 rows of 'a's where (a|aa)+$ backtracks exponentially; with
     * Prefer: wait=1 the query is stopped and answered 504. */
    char dcr[2000];
    snprintf(dcr, sizeof dcr, DCR_FMT, "dcr-qc00000000000000000000000000001", "qa-ws");
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/dataCollectionRules", dcr, NULL), 201);
    char auth[300];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", N.token);
    const char *h[] = { "Content-Type: application/json", auth, NULL };
    for (int part = 0; part < 40; part++) {
        sl_buf_t b = SL_BUF_INIT;
        sl_buf_putc(&b, '[');
        for (int i = 0; i < 5000; i++)
            sl_buf_printf(&b, "%s{\"Seq\":%d,\"Name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"}",
                          i ? "," : "", 100000 + part * 5000 + i);
        sl_buf_putc(&b, ']');
        /* As agents do, a 503 (busy: the machine may be slow, as under the
         * sanitizers) is retried after its Retry-After. */
        th_resp_t r;
        for (int attempt = 0;; attempt++) {
            th_request(&N, NULL, "POST",
                       "/dataCollectionRules/dcr-qc00000000000000000000000000001/streams/"
                       "Custom-Sdkq_CL?api-version=2023-01-01",
                       NULL, h, b.data, b.len, &r);
            if (r.status != 503 || attempt == 30)
                break;
            th_resp_dispose(&r);
            sleep(1);
        }
        cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body.data ? r.body.data : "");
        th_resp_dispose(&r);
        sl_buf_dispose(&b);
    }
    char path[100];
    snprintf(path, sizeof path, "/v1/workspaces/%s/query", WS);
    uint64_t t0 = sl_time_mono_ns();
    long st = post(path, NULL,
                   "{\"query\":\"Sdkq_CL | where Name matches regex '^(a|aa)+$' | count\"}",
                   "wait=1", &res);
    double secs = (double)(sl_time_mono_ns() - t0) / 1e9;
    cr_expect_eq(st, 504, "status %ld after %.1f s", st, secs);
    cr_expect(secs < 10, "took %.1f s", secs);
    json_decref(res);
    /* Over the memory budget: a clear error, not the OOM killer. */
    cr_assert_eq(query("Sdkq_CL | where Seq >= 100000 | summarize make_list(strcat(Name, Name, "
                       "Name, Name, Name, Name)) by Seq",
                       NULL, &res),
                 400);
    cr_expect_str_eq(inner_code(res), "LimitsExceeded");
    const char *msg = json_string_value(json_object_get(json_object_get(res, "error"), "message"));
    cr_expect(msg && strstr(msg, "memory budget"), "%s", msg);
    json_decref(res);
    /* The node is fine afterwards. */
    cr_assert_eq(query("Sdkq_CL | where Seq < 100 | count", NULL, &res), 200);
    cr_expect_eq(first_long(res), 100);
    json_decref(res);
}
