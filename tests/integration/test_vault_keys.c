/*
 * Key state and access over HTTPS: disable and enable, new versions, expiry
 * and activation times, updates, and token permissions — what the sealog
 * node's key monitor will see when a customer acts on their key.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vault_harness.h"

TestSuite(vault_keys, .timeout = 120);

static void start(th_node_t *n)
{
    th_node_init(n);
    cr_assert_eq(th_vault_start(n, NULL), 0, "vault did not start");
}

static void stop(th_node_t *n)
{
    cr_expect_eq(th_node_stop(n), 0);
    th_node_cleanup(n);
}

static long patch(th_node_t *n, const char *path, const char *body, sl_buf_t *resp)
{
    th_resp_t r;
    cr_assert_eq(th_kv(n, n->token, "PATCH", path, body, &r), 0);
    if (resp)
        sl_buf_append(resp, r.body.data, r.body.len);
    long st = r.status;
    th_resp_dispose(&r);
    return st;
}

/* Asserts a 403 with innererror `inner` and, when given, the exact message. */
static void expect_403(long status, const sl_buf_t *body, const char *inner, const char *message)
{
    char got[300];
    cr_expect_eq(status, 403, "%s", body->data);
    cr_expect(th_json_str(body, "error.code", got, sizeof got) && !strcmp(got, "Forbidden"),
              "%s", body->data);
    cr_expect(th_json_str(body, "error.innererror.code", got, sizeof got), "%s", body->data);
    cr_expect_str_eq(got, inner);
    if (message) {
        cr_expect(th_json_str(body, "error.message", got, sizeof got));
        cr_expect_str_eq(got, message);
    }
}

static const uint8_t AEK[32] = "sealog account encryption key!!";

Test(vault_keys, disable_refuses_get_and_unwrap_until_enabled)
{
    th_node_t n;
    start(&n);
    char v[33], path[200];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\"}", v);
    sl_buf_t wrapped = SL_BUF_INIT, out = SL_BUF_INIT, body = SL_BUF_INIT;
    cr_assert_eq(th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32,
                            &wrapped),
                 200);
    snprintf(path, sizeof path, "/keys/cmk/%s?" TH_KV_API, v);
    cr_expect_eq(patch(&n, path, "{\"attributes\":{\"enabled\":false}}", &body), 200);
    cr_expect(th_contains(&body, "\"enabled\":false"), "%s", body.data);

    th_resp_t r;
    th_kv(&n, n.token, "GET", "/keys/cmk?" TH_KV_API, NULL, &r);
    expect_403(r.status, &r.body, "KeyDisabled", "Operation get is not allowed on a disabled key.");
    th_resp_dispose(&r);
    long st = th_kv_unwrap(&n, n.token, "/keys/cmk//unwrapkey?" TH_KV_API, "RSA-OAEP-256",
                           wrapped.data, &out);
    expect_403(st, &out, "KeyDisabled", "Operation unwrapKey is not allowed on a disabled key.");
    sl_buf_reset(&out);
    snprintf(path, sizeof path, "/keys/cmk/%s/unwrapkey?" TH_KV_API, v);
    st = th_kv_unwrap(&n, n.token, path, "RSA-OAEP-256", wrapped.data, &out);
    expect_403(st, &out, "KeyDisabled", NULL);
    sl_buf_reset(&out);
    st = th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32, &out);
    expect_403(st, &out, "KeyDisabled", "Operation wrapKey is not allowed on a disabled key.");
    sl_buf_reset(&out);
    /* Still listed, as disabled. */
    th_kv(&n, n.token, "GET", "/keys/cmk/versions?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect(th_contains(&r.body, "\"enabled\":false"));
    th_resp_dispose(&r);

    /* Enable through the empty-version form, which means the latest. */
    cr_expect_eq(patch(&n, "/keys/cmk/?" TH_KV_API, "{\"attributes\":{\"enabled\":true}}", NULL),
                 200);
    cr_assert_eq(th_kv_unwrap(&n, n.token, "/keys/cmk//unwrapkey?" TH_KV_API, "RSA-OAEP-256",
                              wrapped.data, &out),
                 200, "%s", out.data);
    cr_expect(out.len == 32 && !memcmp(out.data, AEK, 32));
    sl_buf_dispose(&wrapped);
    sl_buf_dispose(&out);
    sl_buf_dispose(&body);
    stop(&n);
}

Test(vault_keys, a_new_version_becomes_latest_and_old_versions_still_unwrap)
{
    th_node_t n;
    start(&n);
    char v1[33], v2[33], path[200], kid[300];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\"}", v1);
    sl_buf_t w1 = SL_BUF_INIT, w2 = SL_BUF_INIT, out = SL_BUF_INIT;
    cr_assert_eq(th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32,
                            &w1),
                 200);
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\"}", v2);
    cr_assert_str_neq(v1, v2);
    /* An empty version now means v2. */
    th_resp_t r;
    char body[200], enc[64];
    enc[sl_base64url_encode(AEK, 32, enc)] = '\0';
    snprintf(body, sizeof body, "{\"alg\":\"RSA-OAEP-256\",\"value\":\"%s\"}", enc);
    th_kv(&n, n.token, "POST", "/keys/cmk//wrapkey?" TH_KV_API, body, &r);
    cr_expect(th_json_str(&r.body, "kid", kid, sizeof kid));
    cr_expect(strstr(kid, v2), "wrapped with the new version: %s", kid);
    th_resp_dispose(&r);
    /* The old value unwraps with the old version only. */
    snprintf(path, sizeof path, "/keys/cmk/%s/unwrapkey?" TH_KV_API, v1);
    cr_expect_eq(th_kv_unwrap(&n, n.token, path, "RSA-OAEP-256", w1.data, &out), 200);
    cr_expect(out.len == 32 && !memcmp(out.data, AEK, 32));
    sl_buf_reset(&out);
    cr_expect_eq(th_kv_unwrap(&n, n.token, "/keys/cmk//unwrapkey?" TH_KV_API, "RSA-OAEP-256",
                              w1.data, &out),
                 400, "the latest version did not wrap it");
    cr_expect(th_contains(&out, "IntegrityCheckFailed"));
    /* Disabling the old version does not touch the new one. */
    snprintf(path, sizeof path, "/keys/cmk/%s?" TH_KV_API, v1);
    cr_expect_eq(patch(&n, path, "{\"attributes\":{\"enabled\":false}}", NULL), 200);
    cr_expect_eq(th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32,
                            &w2),
                 200);
    sl_buf_dispose(&w1);
    sl_buf_dispose(&w2);
    sl_buf_dispose(&out);
    stop(&n);
}

Test(vault_keys, expired_keys_unwrap_but_refuse_wrap)
{
    th_node_t n;
    start(&n);
    char v[33], body[200];
    long future = (long)time(NULL) + 3600;
    snprintf(body, sizeof body, "{\"kty\":\"RSA\",\"attributes\":{\"exp\":%ld}}", future);
    th_kv_create(&n, "cmk", body, v);
    sl_buf_t w = SL_BUF_INIT, out = SL_BUF_INIT, resp = SL_BUF_INIT;
    cr_assert_eq(th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32,
                            &w),
                 200, "before exp");
    snprintf(body, sizeof body, "{\"attributes\":{\"exp\":%ld}}", (long)time(NULL) - 10);
    cr_expect_eq(patch(&n, "/keys/cmk/?" TH_KV_API, body, &resp), 200);
    cr_expect(th_contains(&resp, "\"exp\":"), "%s", resp.data);
    long st = th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32,
                         &out);
    expect_403(st, &out, "KeyExpired", NULL);
    sl_buf_reset(&out);
    cr_expect_eq(th_kv_unwrap(&n, n.token, "/keys/cmk//unwrapkey?" TH_KV_API, "RSA-OAEP-256",
                              w.data, &out),
                 200, "an expired key still unwraps: %s", out.data);
    cr_expect(out.len == 32 && !memcmp(out.data, AEK, 32));
    /* Get is unaffected by exp. */
    th_resp_t r;
    th_kv(&n, n.token, "GET", "/keys/cmk?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 200);
    th_resp_dispose(&r);
    sl_buf_dispose(&w);
    sl_buf_dispose(&out);
    sl_buf_dispose(&resp);
    stop(&n);
}

Test(vault_keys, before_nbf_both_wrap_and_unwrap_are_refused)
{
    th_node_t n;
    start(&n);
    char v[33], body[200];
    th_kv_create(&n, "cmk", "{\"kty\":\"oct\"}", v);
    sl_buf_t w = SL_BUF_INIT, out = SL_BUF_INIT;
    cr_assert_eq(th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "A256KW", AEK, 32, &w),
                 200);
    snprintf(body, sizeof body, "{\"attributes\":{\"nbf\":%ld}}", (long)time(NULL) + 3600);
    cr_expect_eq(patch(&n, "/keys/cmk/?" TH_KV_API, body, NULL), 200);
    long st = th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "A256KW", AEK, 32, &out);
    expect_403(st, &out, "KeyNotYetValid", NULL);
    sl_buf_reset(&out);
    st = th_kv_unwrap(&n, n.token, "/keys/cmk//unwrapkey?" TH_KV_API, "A256KW", w.data, &out);
    expect_403(st, &out, "KeyNotYetValid", NULL);
    sl_buf_reset(&out);
    /* Clearing nbf (null) makes the key usable again. */
    cr_expect_eq(patch(&n, "/keys/cmk/?" TH_KV_API, "{\"attributes\":{\"nbf\":null}}", NULL),
                 200);
    cr_expect_eq(th_kv_unwrap(&n, n.token, "/keys/cmk//unwrapkey?" TH_KV_API, "A256KW", w.data,
                              &out),
                 200);
    sl_buf_dispose(&w);
    sl_buf_dispose(&out);
    stop(&n);
}

Test(vault_keys, update_changes_tags_and_key_ops)
{
    th_node_t n;
    start(&n);
    char v[33];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\",\"tags\":{\"a\":\"1\"}}", v);
    sl_buf_t resp = SL_BUF_INIT, out = SL_BUF_INIT;
    cr_expect_eq(patch(&n, "/keys/cmk/?" TH_KV_API,
                       "{\"key_ops\":[\"unwrapKey\"],\"tags\":{\"b\":\"2\"}}", &resp),
                 200);
    cr_expect(th_contains(&resp, "\"key_ops\":[\"unwrapKey\"]"), "%s", resp.data);
    cr_expect(th_contains(&resp, "\"tags\":{\"b\":\"2\"}"), "%s", resp.data);
    long st = th_kv_wrap(&n, n.token, "/keys/cmk//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK, 32,
                         &out);
    expect_403(st, &out, "KeyOperationNotAllowed", NULL);
    sl_buf_reset(&resp);
    cr_expect_eq(patch(&n, "/keys/cmk/?" TH_KV_API, "{\"attributes\":{\"enabled\":\"no\"}}",
                       &resp),
                 400, "enabled must be a boolean");
    sl_buf_dispose(&resp);
    sl_buf_dispose(&out);
    stop(&n);
}

Test(vault_keys, tokens_carry_permissions_and_key_scopes)
{
    th_node_t n;
    start(&n);
    char va[33], vb[33], wrap_only[160], scoped[160];
    th_kv_create(&n, "keya", "{\"kty\":\"RSA\"}", va);
    th_kv_create(&n, "keyb", "{\"kty\":\"RSA\"}", vb);
    th_vault_token(&n, "{\"permissions\":\"get,wrapKey\",\"name\":\"wrapper\"}", wrap_only);
    th_vault_token(&n, "{\"permissions\":[\"get\",\"list\",\"wrapKey\",\"unwrapKey\"],"
                       "\"keys\":[\"keya\"]}",
                   scoped);
    sl_buf_t w = SL_BUF_INIT, out = SL_BUF_INIT;
    cr_assert_eq(th_kv_wrap(&n, wrap_only, "/keys/keya//wrapkey?" TH_KV_API, "RSA-OAEP-256", AEK,
                            32, &w),
                 200);
    long st = th_kv_unwrap(&n, wrap_only, "/keys/keya//unwrapkey?" TH_KV_API, "RSA-OAEP-256",
                           w.data, &out);
    expect_403(st, &out, "ForbiddenByPolicy", NULL);
    cr_expect(th_contains(&out, "does not have keys unwrapKey permission"), "%s", out.data);
    sl_buf_reset(&out);
    th_resp_t r;
    th_kv(&n, wrap_only, "POST", "/keys/new/create?" TH_KV_API, "{\"kty\":\"RSA\"}", &r);
    expect_403(r.status, &r.body, "ForbiddenByPolicy", NULL);
    cr_expect(th_contains(&r.body, "does not have keys create permission"));
    th_resp_dispose(&r);
    th_kv(&n, wrap_only, "GET", "/keys?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 403, "no list permission");
    th_resp_dispose(&r);
    th_kv(&n, wrap_only, "POST", "/admin/tokens", "{}", &r);
    cr_expect_eq(r.status, 403, "only the admin mints tokens");
    th_resp_dispose(&r);

    /* A token scoped to keya. */
    cr_expect_eq(th_kv_unwrap(&n, scoped, "/keys/keya//unwrapkey?" TH_KV_API, "RSA-OAEP-256",
                              w.data, &out),
                 200);
    sl_buf_reset(&out);
    th_kv(&n, scoped, "GET", "/keys/keyb?" TH_KV_API, NULL, &r);
    expect_403(r.status, &r.body, "ForbiddenByPolicy", NULL);
    th_resp_dispose(&r);
    th_kv(&n, scoped, "GET", "/keys?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect(th_contains(&r.body, "/keys/keya\""), "%s", r.body.data);
    cr_expect(!th_contains(&r.body, "/keys/keyb\""), "keyb is not listed for this token");
    th_resp_dispose(&r);
    sl_buf_dispose(&w);
    sl_buf_dispose(&out);
    stop(&n);
}
