/*
 * sealog-vault over HTTPS: the 401 challenge, api-version, create / get /
 * list / paging, wrap and unwrap with every algorithm, and errors in Key
 * Vault's shape (PROTOCOLS.md §4.3-4.5, §4.7).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vault_harness.h"

TestSuite(vault_api, .timeout = 120);

static void start(th_node_t *n, const char *const *extra)
{
    th_node_init(n);
    cr_assert_eq(th_vault_start(n, extra), 0, "vault did not start");
}

static void stop(th_node_t *n)
{
    cr_expect_eq(th_node_stop(n), 0, "SIGTERM exits 0");
    th_node_cleanup(n);
}

/* Value of header `name` (lower case) in a response, into out. */
static bool header(const th_resp_t *r, const char *name, char *out, size_t n)
{
    const char *h = r->headers.data ? r->headers.data : "";
    for (const char *l = h; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t nl = strlen(name);
        if (!strncasecmp(l, name, nl) && l[nl] == ':') {
            const char *v = l + nl + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r\n");
            snprintf(out, n, "%.*s", (int)len, v);
            return true;
        }
    }
    return false;
}

Test(vault_api, challenge_comes_before_the_body_is_read)
{
    th_node_t n;
    start(&n, NULL);
    char tenant_url[300], expect[600], got[600], code[64], msg[200];
    cr_assert(th_vault_banner(&n, "token url:", tenant_url, sizeof tenant_url));
    /* ".../<tenant>/oauth2/v2.0/token" → "<public>/<tenant>" */
    *strstr(tenant_url, "/oauth2/") = '\0';
    snprintf(expect, sizeof expect,
             "Bearer authorization=\"%s\", resource=\"https://vault.azure.net\"", tenant_url);
    /* The SDK's probe: a body-less POST without a token. */
    const char *probes[][2] = {
        { "POST", NULL },
        { "POST", "{this is not json" },
        { "GET", NULL },
        { "PATCH", NULL },
    };
    const char *paths[] = { "/keys/k1/create?" TH_KV_API, "/keys/k1/create?" TH_KV_API,
                            "/keys/k1/?" TH_KV_API, "/keys/k1/0123?" TH_KV_API };
    for (size_t i = 0; i < 4; i++) {
        th_resp_t r;
        cr_assert_eq(th_kv(&n, NULL, probes[i][0], paths[i], probes[i][1], &r), 0);
        cr_expect_eq(r.status, 401, "%s %s", probes[i][0], paths[i]);
        cr_expect(header(&r, "www-authenticate", got, sizeof got));
        cr_expect_str_eq(got, expect);
        cr_expect(th_json_str(&r.body, "error.code", code, sizeof code));
        cr_expect_str_eq(code, "Unauthorized");
        cr_expect(th_json_str(&r.body, "error.message", msg, sizeof msg));
        cr_expect_str_eq(msg, "Request is missing a Bearer or PoP token.");
        cr_expect(header(&r, "content-type", got, sizeof got));
        cr_expect(strstr(got, "application/json"));
        th_resp_dispose(&r);
    }
    /* Even without api-version, the token comes first. */
    th_resp_t r;
    th_kv(&n, NULL, "GET", "/keys/k1", NULL, &r);
    cr_expect_eq(r.status, 401);
    th_resp_dispose(&r);
    /* A bad token: 401 too, with the challenge so the client can retry. */
    th_kv(&n, "svt1.0123456789abcdef.nope", "GET", "/keys/k1?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 401);
    cr_expect(header(&r, "www-authenticate", got, sizeof got));
    cr_expect_str_eq(got, expect);
    th_resp_dispose(&r);
    stop(&n);
}

Test(vault_api, challenge_follows_tenant_authority_and_resource_flags)
{
    th_node_t n;
    const char *extra[] = { "--tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47", "--authority",
                            "https://login.example.test", "--resource",
                            "https://example.test", NULL };
    start(&n, extra);
    th_resp_t r;
    char got[400];
    th_kv(&n, NULL, "GET", "/keys/k?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 401);
    cr_expect(header(&r, "www-authenticate", got, sizeof got));
    cr_expect_str_eq(got, "Bearer authorization=\"https://login.example.test/"
                          "72f988bf-86f1-41af-91ab-2d7cd011db47\", "
                          "resource=\"https://example.test\"");
    th_resp_dispose(&r);
    stop(&n);
}

Test(vault_api, api_version_is_required_and_its_name_is_decoded)
{
    th_node_t n;
    start(&n, NULL);
    char v[33];
    th_kv_create(&n, "k", "{\"kty\":\"RSA\"}", v);
    struct {
        const char *query;
        long status;
    } cases[] = {
        { "", 400 },
        { "?api%2Dversion=7.5", 200 },
        { "?api-version=7.0", 200 },
        { "?api-version=7.6-preview.2", 200 },
        { "?api-version=2025-07-01", 200 },
        { "?api-version=9.9", 400 },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        char path[128], code[64];
        snprintf(path, sizeof path, "/keys/k%s", cases[i].query);
        th_resp_t r;
        th_kv(&n, n.token, "GET", path, NULL, &r);
        cr_expect_eq(r.status, cases[i].status, "%s: %s", path, r.body.data);
        if (cases[i].status == 400) {
            cr_expect(th_json_str(&r.body, "error.code", code, sizeof code));
            cr_expect_str_eq(code, "BadParameter");
        }
        th_resp_dispose(&r);
    }
    stop(&n);
}

Test(vault_api, create_get_list_and_page_through_versions)
{
    th_node_t n;
    start(&n, NULL);
    char v[5][33];
    th_kv_create(&n, "Paged", "{\"kty\":\"RSA\",\"key_size\":2048,\"tags\":{\"env\":\"test\"}}",
                 v[0]);
    for (int i = 1; i < 5; i++)
        th_kv_create(&n, "paged", "{\"kty\":\"RSA\"}", v[i]); /* names are case-insensitive */
    th_resp_t r;
    char kid[300], expect[300];
    /* Latest three ways; a version explicitly. */
    const char *latest[] = { "/keys/paged?" TH_KV_API, "/keys/paged/?" TH_KV_API,
                             "/keys/PAGED/?" TH_KV_API };
    for (size_t i = 0; i < 3; i++) {
        th_kv(&n, n.token, "GET", latest[i], NULL, &r);
        cr_expect_eq(r.status, 200, "%s", latest[i]);
        cr_expect(th_json_str(&r.body, "key.kid", kid, sizeof kid));
        snprintf(expect, sizeof expect, "%s/keys/Paged/%s", n.https, v[4]);
        cr_expect_str_eq(kid, expect, "kid from the public URL, first spelling of the name");
        th_resp_dispose(&r);
    }
    char path[200];
    snprintf(path, sizeof path, "/keys/paged/%s?" TH_KV_API, v[0]);
    th_kv(&n, n.token, "GET", path, NULL, &r);
    cr_expect_eq(r.status, 200);
    char tag[32], kty[16], e[16];
    cr_expect(th_json_str(&r.body, "tags.env", tag, sizeof tag) && !strcmp(tag, "test"));
    cr_expect(th_json_str(&r.body, "key.kty", kty, sizeof kty) && !strcmp(kty, "RSA"));
    cr_expect(th_json_str(&r.body, "key.e", e, sizeof e) && !strcmp(e, "AQAB"));
    cr_expect(!th_contains(&r.body, "\"d\":"), "no private exponent");
    cr_expect(th_contains(&r.body, "\"recoveryLevel\":\"Recoverable\""));
    cr_expect(th_contains(&r.body, "\"recoverableDays\":90"));
    cr_expect(th_contains(&r.body, "\"managed\":false"));
    th_resp_dispose(&r);

    /* Page through the versions, two at a time, following nextLink. */
    char next[600];
    snprintf(next, sizeof next, "%s/keys/paged/versions?" TH_KV_API "&maxresults=2", n.https);
    int pages = 0, seen = 0;
    bool found[5] = { false };
    while (*next) {
        cr_assert(pages < 5, "paging terminates");
        cr_assert_eq(th_request(&n, "", "GET", next, n.token, NULL, NULL, 0, &r), 0);
        cr_assert_eq(r.status, 200, "%s: %s", next, r.body.data);
        pages++;
        for (int i = 0; i < 5; i++) {
            char needle[64];
            snprintf(needle, sizeof needle, "/keys/Paged/%s\"", v[i]);
            if (th_contains(&r.body, needle)) {
                cr_expect(!found[i], "version %d listed once", i);
                found[i] = true;
                seen++;
            }
        }
        if (!th_json_str(&r.body, "nextLink", next, sizeof next)) {
            cr_expect(th_contains(&r.body, "\"nextLink\":null"), "%s", r.body.data);
            next[0] = '\0';
        } else {
            cr_expect(!strncmp(next, n.https, strlen(n.https)), "absolute nextLink: %s", next);
        }
        th_resp_dispose(&r);
    }
    cr_expect_eq(pages, 3);
    cr_expect_eq(seen, 5);

    /* maxresults is 1-25. */
    th_kv(&n, n.token, "GET", "/keys/paged/versions?" TH_KV_API "&maxresults=26", NULL, &r);
    cr_expect_eq(r.status, 400);
    th_resp_dispose(&r);

    /* The key list pages too, with versionless kids. */
    char w[33];
    th_kv_create(&n, "another", "{\"kty\":\"oct\"}", w);
    th_kv_create(&n, "third", "{\"kty\":\"oct-HSM\"}", w);
    th_kv(&n, n.token, "GET", "/keys?" TH_KV_API "&maxresults=2", NULL, &r);
    cr_expect_eq(r.status, 200);
    snprintf(expect, sizeof expect, "\"kid\":\"%s/keys/another\"", n.https);
    cr_expect(th_contains(&r.body, expect), "%s", r.body.data);
    cr_expect(th_json_str(&r.body, "nextLink", next, sizeof next));
    th_resp_dispose(&r);
    cr_assert_eq(th_request(&n, "", "GET", next, n.token, NULL, NULL, 0, &r), 0);
    snprintf(expect, sizeof expect, "\"kid\":\"%s/keys/third\"", n.https);
    cr_expect(th_contains(&r.body, expect), "%s", r.body.data);
    cr_expect(th_contains(&r.body, "\"nextLink\":null"));
    th_resp_dispose(&r);
    stop(&n);
}

/* Wraps and unwraps a 32-byte AEK through `base` ("/keys/k/<v>" or "/keys/k/"). */
static void round_trip(th_node_t *n, const char *base, const char *alg, const char *want_kid)
{
    uint8_t aek[32];
    sl_random_bytes(aek, sizeof aek);
    char path[300];
    snprintf(path, sizeof path, "%s/wrapkey?" TH_KV_API, base);
    th_resp_t r;
    char enc[64], body[200], wrapped[1024], kid[300];
    enc[sl_base64url_encode(aek, 32, enc)] = '\0';
    snprintf(body, sizeof body, "{\"alg\":\"%s\",\"value\":\"%s\"}", alg, enc);
    th_kv(n, n->token, "POST", path, body, &r);
    cr_assert_eq(r.status, 200, "%s %s: %s", alg, path, r.body.data);
    cr_assert(th_json_str(&r.body, "value", wrapped, sizeof wrapped));
    cr_assert(th_json_str(&r.body, "kid", kid, sizeof kid));
    cr_expect_str_eq(kid, want_kid, "the full kid, version included");
    cr_expect_null(strchr(wrapped, '='), "base64url without padding");
    th_resp_dispose(&r);
    snprintf(path, sizeof path, "%s/unwrapkey?" TH_KV_API, base);
    sl_buf_t out = SL_BUF_INIT;
    cr_assert_eq(th_kv_unwrap(n, n->token, path, alg, wrapped, &out), 200, "%s", out.data);
    cr_expect(out.len == 32 && !memcmp(out.data, aek, 32), "%s round trip", alg);
    sl_buf_dispose(&out);
}

Test(vault_api, wrap_and_unwrap_with_every_algorithm)
{
    th_node_t n;
    start(&n, NULL);
    char rv[33], ov[33], hv[33], kid[300], base[200];
    th_kv_create(&n, "rsa", "{\"kty\":\"RSA\",\"key_size\":3072}", rv);
    th_kv_create(&n, "aes", "{\"kty\":\"oct\",\"key_size\":256}", ov);
    th_kv_create(&n, "hsm", "{\"kty\":\"oct-HSM\"}", hv);
    const char *rsa_algs[] = { "RSA-OAEP-256", "RSA-OAEP", "RSA1_5" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(kid, sizeof kid, "%s/keys/rsa/%s", n.https, rv);
        snprintf(base, sizeof base, "/keys/rsa/%s", rv);
        round_trip(&n, base, rsa_algs[i], kid);
        round_trip(&n, "/keys/rsa/", rsa_algs[i], kid); /* "/keys/rsa//wrapkey": latest */
    }
    snprintf(kid, sizeof kid, "%s/keys/aes/%s", n.https, ov);
    round_trip(&n, "/keys/aes/", "A256KW", kid);
    snprintf(kid, sizeof kid, "%s/keys/hsm/%s", n.https, hv);
    snprintf(base, sizeof base, "/keys/hsm/%s", hv);
    round_trip(&n, base, "A256KW", kid);

    /* Padded base64url is accepted as well. */
    uint8_t aek[32] = { 1, 2, 3, 4 };
    char enc[64], body[200];
    size_t en = sl_base64url_encode(aek, 32, enc); /* 32 bytes: padding is one '=' */
    snprintf(body, sizeof body, "{\"alg\":\"RSA-OAEP-256\",\"value\":\"%.*s=\"}", (int)en, enc);
    th_resp_t r;
    th_kv(&n, n.token, "POST", "/keys/rsa//wrapkey?" TH_KV_API, body, &r);
    cr_expect_eq(r.status, 200, "%s", r.body.data);
    th_resp_dispose(&r);
    stop(&n);
}

static void expect_error(th_node_t *n, const char *method, const char *path, const char *body,
                         long status, const char *code, const char *inner)
{
    th_resp_t r;
    char got[64];
    th_kv(n, n->token, method, path, body, &r);
    cr_expect_eq(r.status, status, "%s %s → %ld: %s", method, path, r.status, r.body.data);
    if (code) {
        cr_expect(th_json_str(&r.body, "error.code", got, sizeof got), "%s", r.body.data);
        cr_expect_str_eq(got, code, "%s %s", method, path);
        char msg[800];
        cr_expect(th_json_str(&r.body, "error.message", msg, sizeof msg) && *msg, "a message");
    }
    if (inner) {
        cr_expect(th_json_str(&r.body, "error.innererror.code", got, sizeof got), "%s",
                  r.body.data);
        cr_expect_str_eq(got, inner, "%s %s", method, path);
    }
    th_resp_dispose(&r);
}

Test(vault_api, errors_come_in_key_vault_shape)
{
    th_node_t n;
    start(&n, NULL);
    char rv[33], ov[33], other[33];
    th_kv_create(&n, "rsa", "{\"kty\":\"RSA\"}", rv);
    th_kv_create(&n, "aes", "{\"kty\":\"oct\"}", ov);
    th_kv_create(&n, "rsa2", "{\"kty\":\"RSA\"}", other);
    char path[200];
    expect_error(&n, "GET", "/keys/nope?" TH_KV_API, NULL, 404, "KeyNotFound", NULL);
    snprintf(path, sizeof path, "/keys/rsa/%s?" TH_KV_API, ov);
    expect_error(&n, "GET", path, NULL, 404, "KeyNotFound", NULL);
    expect_error(&n, "GET", "/keys/bad_name?" TH_KV_API, NULL, 400, "BadParameter", NULL);
    expect_error(&n, "POST", "/keys/x/create?" TH_KV_API, "{\"kty\":\"EC\"}", 400,
                 "BadParameter", NULL);
    expect_error(&n, "POST", "/keys/x/create?" TH_KV_API, "{\"kty\":\"RSA\",\"key_size\":1024}",
                 400, "BadParameter", NULL);
    expect_error(&n, "POST", "/keys/x/create?" TH_KV_API, "{\"kty\":\"oct\",\"key_size\":128}",
                 400, "BadParameter", NULL);
    expect_error(&n, "POST", "/keys/x/create?" TH_KV_API, "{\"kty\":", 400, "BadParameter", NULL);
    expect_error(&n, "POST", "/keys/x/create?" TH_KV_API,
                 "{\"kty\":\"RSA\",\"key_ops\":[\"fly\"]}", 400, "BadParameter", NULL);
    /* Algorithms, base64 and key types. */
    const char *wrap = "/keys/rsa//wrapkey?" TH_KV_API;
    expect_error(&n, "POST", wrap, "{\"alg\":\"A256KW\",\"value\":\"AAAAAAAAAAAAAAAAAAAAAA\"}",
                 400, "BadParameter", NULL);
    expect_error(&n, "POST", "/keys/aes//wrapkey?" TH_KV_API,
                 "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}", 400, "BadParameter", NULL);
    expect_error(&n, "POST", wrap, "{\"alg\":\"RSA-OAEP-512\",\"value\":\"AAAA\"}", 400,
                 "BadParameter", NULL);
    expect_error(&n, "POST", wrap, "{\"alg\":\"RSA-OAEP-256\",\"value\":\"***\"}", 400,
                 "BadParameter", NULL);
    expect_error(&n, "POST", wrap, "{\"alg\":\"RSA-OAEP-256\"}", 400, "BadParameter", NULL);
    /* Unwrap integrity: another key's output, and corrupted input. */
    uint8_t aek[32] = { 5 };
    sl_buf_t w = SL_BUF_INIT, out = SL_BUF_INIT;
    cr_assert_eq(th_kv_wrap(&n, n.token, "/keys/rsa2//wrapkey?" TH_KV_API, "RSA-OAEP-256", aek, 32,
                            &w),
                 200);
    char body[1200];
    snprintf(body, sizeof body, "{\"alg\":\"RSA-OAEP-256\",\"value\":\"%s\"}", w.data);
    expect_error(&n, "POST", "/keys/rsa//unwrapkey?" TH_KV_API, body, 400, "BadParameter",
                 "IntegrityCheckFailed");
    w.data[20] = w.data[20] == 'A' ? 'B' : 'A';
    snprintf(body, sizeof body, "{\"alg\":\"RSA-OAEP-256\",\"value\":\"%s\"}", w.data);
    expect_error(&n, "POST", "/keys/rsa2//unwrapkey?" TH_KV_API, body, 400, "BadParameter",
                 "IntegrityCheckFailed");
    sl_buf_reset(&w);
    cr_assert_eq(th_kv_wrap(&n, n.token, "/keys/aes//wrapkey?" TH_KV_API, "A256KW", aek, 32, &w),
                 200);
    w.data[5] = w.data[5] == 'A' ? 'B' : 'A';
    cr_expect_eq(th_kv_unwrap(&n, n.token, "/keys/aes//unwrapkey?" TH_KV_API, "A256KW", w.data,
                              &out),
                 400);
    cr_expect(th_contains(&out, "IntegrityCheckFailed"), "%s", out.data);
    sl_buf_dispose(&w);
    sl_buf_dispose(&out);
    /* Routes. */
    snprintf(path, sizeof path, "/keys/rsa/%s/encrypt?" TH_KV_API, rv);
    expect_error(&n, "POST", path, "{}", 404, "NotFound", NULL);
    th_resp_t r;
    th_kv(&n, n.token, "DELETE", "/keys/rsa?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 405);
    cr_expect(th_contains(&r.headers, "allow:") || th_contains(&r.headers, "Allow:"));
    th_resp_dispose(&r);
    stop(&n);
}

Test(vault_api, key_ops_are_enforced)
{
    th_node_t n;
    start(&n, NULL);
    char v[33];
    th_kv_create(&n, "unwraponly", "{\"kty\":\"RSA\",\"key_ops\":[\"unwrapKey\"]}", v);
    expect_error(&n, "POST", "/keys/unwraponly//wrapkey?" TH_KV_API,
                 "{\"alg\":\"RSA-OAEP-256\","
                 "\"value\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"}",
                 403, "Forbidden", "KeyOperationNotAllowed");
    stop(&n);
}

Test(vault_api, public_url_is_the_base_of_every_kid)
{
    th_node_t n;
    const char *extra[] = { "--public-url", "https://kv.example.test:9443/", NULL };
    start(&n, extra);
    char v[33], kid[300], w[33];
    th_kv_create(&n, "k", "{\"kty\":\"oct\"}", v);
    th_kv_create(&n, "k", "{\"kty\":\"oct\"}", w);
    th_resp_t r;
    th_kv(&n, n.token, "GET", "/keys/k?" TH_KV_API, NULL, &r);
    cr_expect(th_json_str(&r.body, "key.kid", kid, sizeof kid));
    cr_expect(!strncmp(kid, "https://kv.example.test:9443/keys/k/", 36), "%s", kid);
    th_resp_dispose(&r);
    th_kv(&n, n.token, "GET", "/keys/k/versions?" TH_KV_API "&maxresults=1", NULL, &r);
    cr_expect(th_json_str(&r.body, "nextLink", kid, sizeof kid));
    cr_expect(!strncmp(kid, "https://kv.example.test:9443/keys/k/versions?", 45), "%s", kid);
    th_resp_dispose(&r);
    stop(&n);
}
