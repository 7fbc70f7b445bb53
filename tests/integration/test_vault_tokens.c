/*
 * The three token sources a sealog node can use against the vault: a static
 * bearer token, OAuth2 client credentials, and the IMDS-shaped managed
 * identity endpoint.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vault_harness.h"

TestSuite(vault_tokens, .timeout = 120);

static const uint8_t AEK[32] = "the aek that the node will wrap";

/* Wraps and unwraps with `token`; returns the unwrap status. */
static long use_token(th_node_t *n, const char *token)
{
    sl_buf_t w = SL_BUF_INIT, out = SL_BUF_INIT;
    long st = th_kv_wrap(n, token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32, &w);
    if (st == 200) {
        st = th_kv_unwrap(n, token, "/keys/cmk//unwrapkey?" TH_KV_API, "RSA-OAEP-256", w.data,
                          &out);
        if (st == 200)
            cr_expect(out.len == 32 && !memcmp(out.data, AEK, 32));
    }
    sl_buf_dispose(&w);
    sl_buf_dispose(&out);
    return st;
}

static long form_post(th_node_t *n, const char *path, const char *form, th_resp_t *r)
{
    const char *h[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
    cr_assert_eq(th_request(n, NULL, "POST", path, NULL, h, form, strlen(form), r), 0);
    return r->status;
}

Test(vault_tokens, static_bearer_token)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_vault_start(&n, NULL), 0);
    char v[33], tok[160];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\"}", v);
    th_vault_token(&n, "{\"permissions\":\"get,wrapKey,unwrapKey\",\"expires_in\":\"2h\"}", tok);
    cr_expect_eq(use_token(&n, tok), 200);
    tok[strlen(tok) - 2] ^= 1;
    cr_expect_eq(use_token(&n, tok), 401, "an altered token");
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(vault_tokens, oauth2_client_credentials)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_vault_start(&n, NULL), 0);
    char v[33], url[300], tenant_path[300];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\"}", v);
    th_resp_t r;
    th_kv(&n, n.token, "POST", "/admin/tokens",
          "{\"client\":true,\"permissions\":\"get,wrapKey,unwrapKey\",\"name\":\"node-1\"}", &r);
    cr_assert_eq(r.status, 200, "%s", r.body.data);
    char cid[64], secret[96], scope[200];
    cr_assert(th_json_str(&r.body, "client_id", cid, sizeof cid));
    cr_assert(th_json_str(&r.body, "client_secret", secret, sizeof secret));
    cr_assert(th_json_str(&r.body, "token_endpoint", url, sizeof url));
    cr_assert(th_json_str(&r.body, "scope", scope, sizeof scope));
    cr_expect_str_eq(scope, "https://vault.azure.net/.default");
    th_resp_dispose(&r);
    cr_assert(!strncmp(url, n.https, strlen(n.https)));
    snprintf(tenant_path, sizeof tenant_path, "%s", url + strlen(n.https));

    sl_buf_t enc = SL_BUF_INIT;
    sl_percent_encode(&enc, scope, strlen(scope));
    char form[600];
    snprintf(form, sizeof form,
             "grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s", cid, secret,
             enc.data);
    /* Both spellings of the endpoint. */
    const char *paths[] = { tenant_path, "/oauth2/v2.0/token" };
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(form_post(&n, paths[i], form, &r), 200, "%s: %s", paths[i], r.body.data);
        char type[32], at[1024];
        cr_expect(th_json_str(&r.body, "token_type", type, sizeof type) &&
                  !strcmp(type, "Bearer"));
        cr_expect(th_contains(&r.body, "\"expires_in\":3600"), "%s", r.body.data);
        cr_assert(th_json_str(&r.body, "access_token", at, sizeof at));
        th_resp_dispose(&r);
        cr_expect_eq(use_token(&n, at), 200, "the access token works on keys");
    }
    /* client_secret_basic: the credentials in an Authorization header. */
    char basic_raw[200], basic[400], hdr[450], form2[300];
    int bn = snprintf(basic_raw, sizeof basic_raw, "%s:%s", cid, secret);
    basic[sl_base64_encode(basic_raw, (size_t)bn, basic)] = '\0';
    snprintf(hdr, sizeof hdr, "Authorization: Basic %s", basic);
    snprintf(form2, sizeof form2, "grant_type=client_credentials&scope=%s", enc.data);
    const char *bh[] = { "Content-Type: application/x-www-form-urlencoded", hdr, NULL };
    cr_assert_eq(th_request(&n, NULL, "POST", tenant_path, NULL, bh, form2, strlen(form2), &r), 0);
    cr_expect_eq(r.status, 200, "Basic client authentication: %s", r.body.data);
    th_resp_dispose(&r);
    /* Failures, in OAuth2's shape. */
    char bad[700], err[64];
    snprintf(bad, sizeof bad,
             "grant_type=client_credentials&client_id=%s&client_secret=wrong&scope=%s", cid,
             enc.data);
    cr_expect_eq(form_post(&n, tenant_path, bad, &r), 401);
    cr_expect(th_json_str(&r.body, "error", err, sizeof err) && !strcmp(err, "invalid_client"));
    th_resp_dispose(&r);
    snprintf(bad, sizeof bad,
             "grant_type=client_credentials&client_id=%s&client_secret=%s"
             "&scope=https%%3A%%2F%%2Fmonitor.azure.com%%2F.default",
             cid, secret);
    cr_expect_eq(form_post(&n, tenant_path, bad, &r), 400);
    cr_expect(th_json_str(&r.body, "error", err, sizeof err) && !strcmp(err, "invalid_scope"));
    th_resp_dispose(&r);
    cr_expect_eq(form_post(&n, "/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token", form,
                           &r),
                 400, "another tenant");
    th_resp_dispose(&r);
    snprintf(bad, sizeof bad, "grant_type=password&client_id=%s&client_secret=%s&scope=%s", cid,
             secret, enc.data);
    cr_expect_eq(form_post(&n, tenant_path, bad, &r), 400);
    cr_expect(th_json_str(&r.body, "error", err, sizeof err) &&
              !strcmp(err, "unsupported_grant_type"));
    th_resp_dispose(&r);
    /* A client secret is not a bearer token. */
    cr_expect_eq(use_token(&n, secret), 401);
    sl_buf_dispose(&enc);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(vault_tokens, managed_identity_endpoint)
{
    th_node_t n;
    th_node_init(&n);
    const char *extra[] = { "--managed-identity-permissions", "get,wrapKey,unwrapKey", NULL };
    cr_assert_eq(th_vault_start(&n, extra), 0);
    char v[33];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\"}", v);
    const char *path = "/metadata/identity/oauth2/token?api-version=2018-02-01"
                       "&resource=https%3A%2F%2Fvault.azure.net";
    const char *md[] = { "Metadata: true", NULL };
    th_resp_t r;
    cr_assert_eq(th_request(&n, NULL, "GET", path, NULL, md, NULL, 0, &r), 0);
    cr_assert_eq(r.status, 200, "%s", r.body.data);
    char at[1024], s[64];
    cr_assert(th_json_str(&r.body, "access_token", at, sizeof at));
    cr_expect(th_json_str(&r.body, "token_type", s, sizeof s) && !strcmp(s, "Bearer"));
    cr_expect(th_json_str(&r.body, "resource", s, sizeof s) &&
              !strcmp(s, "https://vault.azure.net"));
    cr_expect(th_json_str(&r.body, "expires_in", s, sizeof s) && !strcmp(s, "3600"),
              "IMDS sends numbers as strings");
    cr_expect(th_json_str(&r.body, "expires_on", s, sizeof s) && atol(s) > time(NULL));
    th_resp_dispose(&r);
    cr_expect_eq(use_token(&n, at), 200);
    /* The identity has no create permission. */
    th_kv(&n, at, "POST", "/keys/x/create?" TH_KV_API, "{\"kty\":\"oct\"}", &r);
    cr_expect_eq(r.status, 403);
    th_resp_dispose(&r);
    /* IMDS rules: the Metadata header and our resource. */
    th_request(&n, NULL, "GET", path, NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 400, "no Metadata header");
    th_resp_dispose(&r);
    th_request(&n, NULL, "GET",
               "/metadata/identity/oauth2/token?api-version=2018-02-01"
               "&resource=https%3A%2F%2Fmanagement.azure.com",
               NULL, md, NULL, 0, &r);
    cr_expect_eq(r.status, 400, "another resource");
    th_resp_dispose(&r);
    cr_expect_eq(th_node_stop(&n), 0);

    /* Without the flag there is no identity, and its old tokens stop working. */
    cr_assert_eq(th_vault_start(&n, NULL), 0);
    th_request(&n, NULL, "GET", path, NULL, md, NULL, 0, &r);
    cr_expect_eq(r.status, 400);
    cr_expect(th_contains(&r.body, "Identity not found"), "%s", r.body.data);
    th_resp_dispose(&r);
    cr_expect_eq(use_token(&n, at), 401);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}
