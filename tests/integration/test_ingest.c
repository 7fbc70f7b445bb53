/*
 * The ingestion APIs against a running node: SharedKey signatures (and one
 * changed byte), Fluent Bit-shaped posts, Logs Ingestion with DCRs, gzip and
 * OAuth tokens, every documented error in its API's shape, and retention.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "crypto/crypto.h"
#include "harness.h"
#include "ingest/ingest.h"

TestSuite(ingest, .timeout = 180);

static th_node_t N;

static void start_node(const char *const *extra)
{
    th_node_init(&N);
    cr_assert_eq(th_node_start(&N, extra), 0);
}

static void stop_node(void)
{
    cr_expect_eq(th_node_stop(&N), 0);
    th_node_cleanup(&N);
}

static char *now_iso(char out[40], int64_t offset_s)
{
    sl_time_format_iso8601_ms(sl_time_now() + offset_s * SL_TICKS_PER_SEC, out);
    return out;
}

/* Posts with an explicit signature over our own string-to-sign. */
static long post_signed(const char *ws, const uint8_t *key, size_t kn, const char *date,
                        const char *signed_body, const char *sent_body)
{
    char sts[400];
    snprintf(sts, sizeof sts, "POST\n%zu\napplication/json\nx-ms-date:%s\n/api/logs",
             strlen(signed_body), date);
    uint8_t mac[32];
    sl_hmac_sha256(key, kn, sts, strlen(sts), mac);
    char sig[48];
    sig[sl_base64_encode(mac, 32, sig)] = '\0';
    char auth[200], dh[80];
    snprintf(auth, sizeof auth, "Authorization: SharedKey %s:%s", ws, sig);
    snprintf(dh, sizeof dh, "x-ms-date: %s", date);
    const char *h[] = { "Content-Type: application/json", "Log-Type: SigTest", dh, auth, NULL };
    th_resp_t r;
    th_request(&N, NULL, "POST", "/api/logs?api-version=2016-04-01", NULL, h, sent_body,
               strlen(sent_body), &r);
    long st = r.status;
    if (st == 403)
        cr_expect(th_contains(&r.body, "{\"Error\":\"InvalidAuthorization\""), "%s", r.body.data);
    th_resp_dispose(&r);
    return st;
}

Test(ingest, sharedkey_signature_and_one_changed_byte)
{
    start_node(NULL);
    char id[37], key[100];
    th_workspace(&N, "sig-ws", 30, id, key);
    uint8_t k[80];
    size_t kn;
    cr_assert_eq(sl_base64_decode(key, strlen(key), k, &kn), 0);
    char date[40];
    sl_time_format_rfc1123(sl_time_now(), date);
    const char *body = "[{\"message\":\"signed\"}]";
    cr_expect_eq(post_signed(id, k, kn, date, body, body), 200);
    /* One byte more in the body than was signed. (The signature covers the
     * body's length, not its bytes: that is the protocol; TLS protects the
     * content in transit.) */
    cr_expect_eq(post_signed(id, k, kn, date, body, "[{\"message\":\"signed!\"}]"), 403);
    cr_expect_eq(post_signed(id, k, kn, date, body, "[{\"message\":\"signe\"}]"), 403);
    /* One byte of the date: the signature no longer matches the header sent. */
    char date2[40];
    snprintf(date2, sizeof date2, "%s", date);
    char sts[400];
    snprintf(sts, sizeof sts, "POST\n%zu\napplication/json\nx-ms-date:%s\n/api/logs", strlen(body),
             date);
    uint8_t mac[32];
    sl_hmac_sha256(k, kn, sts, strlen(sts), mac);
    char sig[48], auth[200], dh[80];
    sig[sl_base64_encode(mac, 32, sig)] = '\0';
    date2[strlen(date2) - 5] = date2[strlen(date2) - 5] == '1' ? '2' : '1'; /* a seconds digit */
    snprintf(auth, sizeof auth, "Authorization: SharedKey %s:%s", id, sig);
    snprintf(dh, sizeof dh, "x-ms-date: %s", date2);
    const char *h[] = { "Content-Type: application/json", "Log-Type: SigTest", dh, auth, NULL };
    th_resp_t r;
    th_request(&N, NULL, "POST", "/api/logs?api-version=2016-04-01", NULL, h, body, strlen(body),
               &r);
    cr_expect_eq(r.status, 403);
    th_resp_dispose(&r);
    /* One byte of the key. */
    k[10] ^= 1;
    cr_expect_eq(post_signed(id, k, kn, date, body, body), 403);
    k[10] ^= 1;
    /* The secondary key works too. */
    json_t *keys;
    char path[200];
    snprintf(path, sizeof path, "/admin/v1/workspaces/%s/sharedKeys", id);
    cr_assert_eq(th_admin(&N, "POST", path, NULL, &keys), 200);
    const char *k2 = json_string_value(json_object_get(keys, "secondarySharedKey"));
    uint8_t kk[80];
    size_t kkn;
    sl_base64_decode(k2, strlen(k2), kk, &kkn);
    cr_expect_eq(post_signed(id, kk, kkn, date, body, body), 200);
    json_decref(keys);
    /* A stale date is refused even with a good signature. */
    char old[40];
    sl_time_format_rfc1123(sl_time_now() - 20 * 60 * SL_TICKS_PER_SEC, old);
    cr_expect_eq(post_signed(id, k, kn, old, body, body), 403);
    cr_expect_eq(th_dump_count(&N, id, "SigTest_CL", NULL), 2);
    stop_node();
}

Test(ingest, fluent_bit_shaped_posts)
{
    start_node(NULL);
    char id[37], key[100];
    th_workspace(&N, "fluent-ws", 30, id, key);
    /* Time_Generated off: the time key is first and an epoch float. */
    char body[600];
    double epoch = (double)(sl_time_now() / SL_TICKS_PER_MS) / 1000.0;
    snprintf(body, sizeof body,
             "[{\"@timestamp\":%.6f,\"log\":\"GET /index.html 200\",\"stream\":\"stdout\"},"
             "{\"@timestamp\":%.6f,\"log\":\"second line\",\"stream\":\"stderr\"}]",
             epoch, epoch + 0.5);
    /* Exactly Fluent Bit's headers, in its order. */
    char date[40], sig[48], cl[40], auth[200], dh[80];
    sl_time_format_rfc1123(sl_time_now(), date);
    uint8_t k[80];
    size_t kn;
    sl_base64_decode(key, strlen(key), k, &kn);
    sl_ingest_sharedkey_sign(k, kn, strlen(body), "application/json", 16, date, strlen(date), sig);
    snprintf(cl, sizeof cl, "Content-Length: %zu", strlen(body));
    snprintf(dh, sizeof dh, "x-ms-date: %s", date);
    snprintf(auth, sizeof auth, "Authorization: SharedKey %s:%s", id, sig);
    const char *h[] = { cl, "User-Agent: Fluent-Bit", "Log-Type: fluentbit",
                        "Content-Type: application/json", dh, auth, "Connection: keep-alive",
                        NULL };
    th_resp_t r;
    th_request(&N, NULL, "POST", "/api/logs?api-version=2016-04-01", NULL, h, body, strlen(body),
               &r);
    cr_expect_eq(r.status, 200, "%s", r.body.data);
    cr_expect_eq(r.body.len, 0, "empty body on success");
    th_resp_dispose(&r);
    /* Time_Generated on: ISO string with milliseconds, named by the header. */
    char t[40];
    snprintf(body, sizeof body, "[{\"@timestamp\":\"%s\",\"log\":\"with time\"}]",
             now_iso(t, -3600));
    cr_expect_eq(th_dc_post(&N, id, key, "fluentbit", "@timestamp", body, strlen(body), NULL), 200);
    sl_buf_t dump = SL_BUF_INIT;
    cr_expect_eq(th_dump_count(&N, id, "fluentbit_CL", &dump), 3);
    cr_expect(th_contains(&dump, "\"log_s\":\"GET /index.html 200\""), "%s", dump.data);
    cr_expect(th_contains(&dump, "\"timestamp_d\":"), "epoch float → _d column");
    char tg[60];
    snprintf(tg, sizeof tg, "\"TimeGenerated\":\"%.19s", t);
    cr_expect(th_contains(&dump, tg), "TimeGenerated from @timestamp: %s in %s", tg, dump.data);
    sl_buf_dispose(&dump);
    stop_node();
}

static long dc_raw(const char *const *headers, const char *query, const char *body,
                   sl_buf_t *resp)
{
    char path[200];
    snprintf(path, sizeof path, "/api/logs%s", query);
    th_resp_t r;
    th_request(&N, NULL, "POST", path, NULL, headers, body, strlen(body), &r);
    sl_buf_append(resp, r.body.data, r.body.len);
    long st = r.status;
    th_resp_dispose(&r);
    return st;
}

Test(ingest, data_collector_errors_in_their_shape)
{
    const char *extra[] = { "--dc-max-body", "64KiB", NULL };
    start_node(extra);
    char id[37], key[100];
    th_workspace(&N, "err-ws", 30, id, key);
    sl_buf_t b = SL_BUF_INIT;
    /* Headers checked before the signature can even be computed. */
    cr_expect_eq(dc_raw(NULL, "", "[]", &b), 400);
    cr_expect(th_contains(&b, "{\"Error\":\"MissingApiVersion\""), "%s", b.data);
    sl_buf_reset(&b);
    cr_expect_eq(dc_raw(NULL, "?api-version=2020-01-01", "[]", &b), 400);
    cr_expect(th_contains(&b, "InvalidApiVersion"));
    sl_buf_reset(&b);
    cr_expect_eq(dc_raw(NULL, "?api-version=2016-04-01", "[]", &b), 403);
    cr_expect(th_contains(&b, "InvalidAuthorization"));
    sl_buf_reset(&b);
    const char *bearer[] = { "Authorization: Bearer x", NULL };
    cr_expect_eq(dc_raw(bearer, "?api-version=2016-04-01", "[]", &b), 403);
    cr_expect(th_contains(&b, "invalid scheme"), "%s", b.data);
    sl_buf_reset(&b);
    const char *badid[] = { "Authorization: SharedKey not-a-guid:abc", NULL };
    cr_expect_eq(dc_raw(badid, "?api-version=2016-04-01", "[]", &b), 400);
    cr_expect(th_contains(&b, "InvalidCustomerId"));
    sl_buf_reset(&b);
    char auth[120];
    snprintf(auth, sizeof auth, "Authorization: SharedKey %s:abc", id);
    const char *noct[] = { auth, "Content-Type:", NULL };
    cr_expect_eq(dc_raw(noct, "?api-version=2016-04-01", "[]", &b), 400);
    cr_expect(th_contains(&b, "MissingContentType"), "%s", b.data);
    sl_buf_reset(&b);
    /* Signed posts with problems after authentication. */
    cr_expect_eq(th_dc_post(&N, id, key, "Bad-Log-Type", NULL, "[]", 2, &b), 400);
    cr_expect(th_contains(&b, "InvalidLogType"));
    sl_buf_reset(&b);
    cr_expect_eq(th_dc_post(&N, id, key, "Ok", NULL, "[{\"a\":", 6, &b), 400);
    cr_expect(th_contains(&b, "{\"Error\":\"InvalidDataFormat\""), "%s", b.data);
    sl_buf_reset(&b);
    cr_expect_eq(th_dc_post(&N, id, key, "Ok", NULL, "[1]", 3, &b), 400);
    cr_expect(th_contains(&b, "InvalidDataFormat"));
    sl_buf_reset(&b);
    cr_expect_eq(th_dc_post(&N, id, key, "Ok", NULL, "[{\"RawData\":1}]", 15, &b), 400);
    cr_expect(th_contains(&b, "reserved"));
    sl_buf_reset(&b);
    sl_buf_t big = SL_BUF_INIT;
    sl_buf_puts(&big, "[");
    for (int i = 0; i < 3000; i++)
        sl_buf_printf(&big, "%s{\"n\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}", i ? "," : "", i);
    sl_buf_puts(&big, "]");
    cr_expect_eq(th_dc_post(&N, id, key, "Ok", NULL, big.data, big.len, &b), 413);
    sl_buf_dispose(&big);
    sl_buf_reset(&b);
    /* [] is accepted (Vector's health check). */
    cr_expect_eq(th_dc_post(&N, id, key, "Ok", NULL, "[]", 2, &b), 200);
    /* A deleted workspace is inactive. */
    char path[200];
    snprintf(path, sizeof path, "/admin/v1/workspaces/%s", id);
    cr_assert_eq(th_admin(&N, "DELETE", path, NULL, NULL), 200);
    sl_buf_reset(&b);
    cr_expect_eq(th_dc_post(&N, id, key, "Ok", NULL, "[]", 2, &b), 400);
    cr_expect(th_contains(&b, "InactiveCustomer"));
    /* Still serving. */
    th_resp_t r;
    th_request(&N, NULL, "GET", "/healthz", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 200);
    th_resp_dispose(&r);
    sl_buf_dispose(&b);
    stop_node();
}

static const char *DCR_TMPL =
    "{\"name\":\"app-dcr\",\"properties\":{\"immutableId\":\"%s\","
    "\"streamDeclarations\":{\"Custom-App_CL\":{\"columns\":["
    "{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},{\"name\":\"Computer\",\"type\":\"string\"},"
    "{\"name\":\"Seq\",\"type\":\"long\"},{\"name\":\"Msg\",\"type\":\"string\"}]}},"
    "\"destinations\":{\"logAnalytics\":[{\"name\":\"la\",\"workspaceResourceId\":"
    "\"/subscriptions/s/resourceGroups/g/providers/Microsoft.OperationalInsights/workspaces/%s\"}]},"
    "\"dataFlows\":[{\"streams\":[\"Custom-App_CL\"],\"destinations\":[\"la\"],"
    "\"transformKql\":\"source\",\"outputStream\":\"Custom-App_CL\"}]}}";

static void make_dcr(const char *dcr, const char *ws_name)
{
    char body[2000];
    snprintf(body, sizeof body, DCR_TMPL, dcr, ws_name);
    json_t *j;
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/dataCollectionRules", body, &j), 201);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "properties"),
                                                       "immutableId")),
                     dcr);
    json_decref(j);
}

static void mint(const char *kind, const char *scope, char tok[200], char id[20])
{
    char body[300];
    snprintf(body, sizeof body, "{\"kind\":\"%s\",\"scopes\":[\"%s\"]}", kind, scope);
    json_t *j;
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/tokens", body, &j), 201);
    snprintf(tok, 200, "%s", json_string_value(json_object_get(j, "token")));
    if (id)
        snprintf(id, 20, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
}

static long li_post(const char *dcr, const char *stream, const char *query, const char *token,
                    const char *const *extra_headers, const char *body, size_t len,
                    th_resp_t *out)
{
    char path[300], auth[2100];
    snprintf(path, sizeof path, "/dataCollectionRules/%s/streams/%s%s", dcr, stream, query);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *h[8];
    size_t k = 0;
    h[k++] = "Content-Type: application/json";
    if (token)
        h[k++] = auth;
    for (const char *const *e = extra_headers; e && *e && k < 7; e++)
        h[k++] = *e;
    h[k] = NULL;
    th_request(&N, NULL, "POST", path, NULL, h, body, len, out);
    return out->status;
}

static void gzip_buf(const char *in, size_t n, sl_buf_t *out)
{
    z_stream z = { 0 };
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    sl_buf_reserve(out, deflateBound(&z, n) + 16);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)out->cap;
    deflate(&z, Z_FINISH);
    out->len = z.total_out;
    deflateEnd(&z);
}

Test(ingest, logs_ingestion_round_trip_gzip_and_oauth)
{
    const char *extra[] = { "--li-max-body", "64KiB", NULL };
    start_node(extra);
    char id[37], key[100];
    th_workspace(&N, "li-ws", 30, id, key);
    const char *dcr = "dcr-00112233445566778899aabbccddeeff";
    make_dcr(dcr, "li-ws");
    char tok[200], cid[20];
    mint("ingest", dcr, tok, cid);
    char t[40], body[1000];
    snprintf(body, sizeof body,
             "[{\"TimeGenerated\":\"%s\",\"Computer\":\"h1\",\"Seq\":1,\"Msg\":\"plain\"},"
             "{\"Computer\":\"h2\",\"Seq\":\"2\",\"Msg\":\"no time\",\"Other\":true}]",
             now_iso(t, -60));
    th_resp_t r;
    const char *rid[] = { "x-ms-client-request-id: 3f9a3c0e-1111-4e3a-9c55-123456789abc", NULL };
    /* api%2Dversion, as the JS SDK spells it. */
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api%2Dversion=2023-01-01", tok, rid, body,
                         strlen(body), &r),
                 204);
    cr_expect_eq(r.body.len, 0);
    cr_expect(th_contains(&r.headers, "x-ms-client-request-id: 3f9a3c0e-1111"), "echoed");
    th_resp_dispose(&r);
    /* gzip, Fluent Bit's api-version. */
    sl_buf_t gz = SL_BUF_INIT;
    const char *b3 = "[{\"Computer\":\"h3\",\"Seq\":3,\"Msg\":\"gzipped\"}]";
    gzip_buf(b3, strlen(b3), &gz);
    const char *ce[] = { "Content-Encoding: gzip", NULL };
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2021-11-01-preview", tok, ce, gz.data,
                         gz.len, &r),
                 204);
    th_resp_dispose(&r);
    /* [] → 204 (Vector's health check). */
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-04-01-preview", tok, NULL, "[]",
                         2, &r),
                 204);
    th_resp_dispose(&r);
    /* An OAuth2 access token from the node's own endpoint. */
    char form[400];
    snprintf(form, sizeof form,
             "grant_type=client_credentials&client_id=%s&client_secret=%s&scope=https%%3A%%2F%%2F"
             "monitor.azure.com%%2F.default",
             cid, strrchr(tok, '.') + 1);
    const char *fh[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
    th_request(&N, NULL, "POST", "/my-tenant/oauth2/v2.0/token", NULL, fh, form, strlen(form), &r);
    cr_assert_eq(r.status, 200, "%s", r.body.data);
    json_t *j = json_loadb(r.body.data, r.body.len, 0, NULL);
    cr_expect_str_eq(json_string_value(json_object_get(j, "token_type")), "Bearer");
    cr_expect(json_integer_value(json_object_get(j, "expires_in")) >= 120);
    char access[2000];
    snprintf(access, sizeof access, "%s", json_string_value(json_object_get(j, "access_token")));
    json_decref(j);
    th_resp_dispose(&r);
    const char *b4 = "[{\"Computer\":\"h4\",\"Seq\":4,\"Msg\":\"via oauth\"}]";
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", access, NULL, b4,
                         strlen(b4), &r),
                 204);
    th_resp_dispose(&r);
    sl_buf_t dump = SL_BUF_INIT;
    cr_expect_eq(th_dump_count(&N, id, "App_CL", &dump), 4);
    cr_expect(th_contains(&dump, "\"Seq\":2"), "string \"2\" coerced to long");
    cr_expect(!th_contains(&dump, "Other"), "undeclared fields are dropped");
    cr_expect(th_contains(&dump, "\"Msg\":\"gzipped\""));
    cr_expect(th_contains(&dump, "\"Msg\":\"via oauth\""));
    sl_buf_dispose(&dump);

    /* Errors, Azure.Core-shaped with x-ms-error-code. */
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "", tok, NULL, "[]", 2, &r), 400);
    cr_expect(th_contains(&r.headers, "x-ms-error-code: MissingApiVersionParameter"));
    th_resp_dispose(&r);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=1999-01-01", tok, NULL, "[]", 2, &r),
                 400);
    th_resp_dispose(&r);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", NULL, NULL, "[]", 2, &r),
                 401);
    cr_expect(th_contains(&r.body, "\"error\":{\"code\":\"AuthenticationFailed\""));
    th_resp_dispose(&r);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", "sl1.bad.token", NULL,
                         "[]", 2, &r),
                 401);
    th_resp_dispose(&r);
    char other[200];
    mint("ingest", "dcr-someotherrule", other, NULL);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", other, NULL, "[]", 2, &r),
                 403);
    cr_expect(th_contains(&r.headers, "x-ms-error-code: OperationFailed"));
    th_resp_dispose(&r);
    char star[200];
    mint("ingest", "*", star, NULL);
    cr_expect_eq(li_post("dcr-missing", "Custom-App_CL", "?api-version=2023-01-01", star, NULL,
                         "[]", 2, &r),
                 404);
    th_resp_dispose(&r);
    cr_expect_eq(li_post(dcr, "Custom-Nope", "?api-version=2023-01-01", tok, NULL, "[]", 2, &r),
                 400);
    th_resp_dispose(&r);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", tok, NULL, "{\"a\":1}",
                         7, &r),
                 400);
    th_resp_dispose(&r);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", tok, NULL, "[{", 2, &r),
                 400);
    th_resp_dispose(&r);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", tok, ce, "nope", 4, &r),
                 400, "bad gzip");
    th_resp_dispose(&r);
    /* Over the limit once inflated, though small on the wire. */
    sl_buf_t huge = SL_BUF_INIT, hz = SL_BUF_INIT;
    sl_buf_puts(&huge, "[");
    for (int i = 0; i < 5000; i++)
        sl_buf_printf(&huge, "%s{\"Computer\":\"hhhhhhhhhhhhhhhhhhhhhhhh\",\"Seq\":%d}", i ? "," : "",
                      i);
    sl_buf_puts(&huge, "]");
    gzip_buf(huge.data, huge.len, &hz);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", tok, ce, hz.data, hz.len,
                         &r),
                 413);
    th_resp_dispose(&r);
    sl_buf_dispose(&huge);
    sl_buf_dispose(&hz);
    sl_buf_dispose(&gz);
    /* Revoking the client revokes its access tokens. */
    char path[100];
    snprintf(path, sizeof path, "/admin/v1/tokens/%s", cid);
    cr_assert_eq(th_admin(&N, "DELETE", path, NULL, NULL), 200);
    cr_expect_eq(li_post(dcr, "Custom-App_CL", "?api-version=2023-01-01", access, NULL, "[]", 2,
                         &r),
                 401);
    th_resp_dispose(&r);
    th_request(&N, NULL, "POST", "/oauth2/v2.0/token", NULL, fh, form, strlen(form), &r);
    cr_expect_eq(r.status, 401);
    cr_expect(th_contains(&r.body, "invalid_client"));
    th_resp_dispose(&r);
    cr_expect_eq(th_dump_count(&N, id, "App_CL", NULL), 4, "nothing half-written");
    stop_node();
}

Test(ingest, retention_purges_exactly_one_workspace)
{
    start_node(NULL);
    char a[37], b[37], key[100];
    th_workspace(&N, "short-ws", 4, a, key);
    th_workspace(&N, "long-ws", 30, b, key);
    make_dcr("dcr-short", "short-ws");
    make_dcr("dcr-long", "long-ws");
    char tok[200];
    mint("ingest", "*", tok, NULL);
    char old[40], recent[40], body[600];
    now_iso(old, -10 * 86400);
    now_iso(recent, -3600);
    snprintf(body, sizeof body,
             "[{\"TimeGenerated\":\"%s\",\"Seq\":1,\"Msg\":\"old\"},"
             "{\"TimeGenerated\":\"%s\",\"Seq\":2,\"Msg\":\"recent\"}]",
             old, recent);
    th_resp_t r;
    cr_expect_eq(li_post("dcr-short", "Custom-App_CL", "?api-version=2023-01-01", tok, NULL, body,
                         strlen(body), &r),
                 204);
    th_resp_dispose(&r);
    cr_expect_eq(li_post("dcr-long", "Custom-App_CL", "?api-version=2023-01-01", tok, NULL, body,
                         strlen(body), &r),
                 204);
    th_resp_dispose(&r);
    cr_expect_eq(th_dump_count(&N, a, "App_CL", NULL), 2);
    json_t *st;
    cr_assert_eq(th_admin(&N, "POST", "/admin/v1/retention/run", NULL, &st), 200);
    cr_expect_eq(json_integer_value(json_object_get(st, "rowsDeleted")), 1);
    json_decref(st);
    sl_buf_t d = SL_BUF_INIT;
    cr_expect_eq(th_dump_count(&N, a, "App_CL", &d), 1);
    cr_expect(th_contains(&d, "\"Msg\":\"recent\""));
    sl_buf_reset(&d);
    cr_expect_eq(th_dump_count(&N, b, "App_CL", &d), 2, "the other workspace keeps its data");
    sl_buf_dispose(&d);
    /* Survives a restart. */
    cr_assert_eq(th_node_stop(&N), 0);
    char token[200];
    snprintf(token, sizeof token, "%s", N.token);
    cr_assert_eq(th_node_start(&N, NULL), 0);
    snprintf(N.token, sizeof N.token, "%s", token);
    cr_expect_eq(th_dump_count(&N, a, "App_CL", NULL), 1);
    cr_expect_eq(th_dump_count(&N, b, "App_CL", NULL), 2);
    stop_node();
}
