/*
 * Workspaces and tokens through the CLI and the admin API against a running
 * node: lifecycle, restart persistence, shared keys never stored in the
 * clear, and authentication failures that reveal nothing.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

TestSuite(admin, .timeout = 120);

static json_t *parse(const sl_buf_t *b)
{
    json_t *j = json_loadb(b->data, b->len, 0, NULL);
    cr_assert(j, "not JSON: %s", b->data);
    return j;
}

Test(admin, workspace_lifecycle_via_cli_survives_restart)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    cr_assert(n.token[0], "bootstrap token printed on first start");
    sl_buf_t out = SL_BUF_INIT;

    const char *create[] = { "--json", "admin", "workspace", "create", "prod-logs",
                             "--retention", "90", NULL };
    cr_assert_eq(th_cli(&n, &out, create), 0, "%s", out.data);
    json_t *ws = parse(&out);
    const char *id = json_string_value(json_object_get(ws, "customerId"));
    cr_assert(id && strlen(id) == 36);
    char wsid[37];
    snprintf(wsid, sizeof wsid, "%s", id);
    char key1[100], key2[100];
    snprintf(key1, sizeof key1, "%s", json_string_value(json_object_get(ws, "primarySharedKey")));
    snprintf(key2, sizeof key2, "%s",
             json_string_value(json_object_get(ws, "secondarySharedKey")));
    cr_expect_eq(strlen(key1), 88, "64 bytes, base64");
    cr_expect_eq(json_integer_value(json_object_get(ws, "retentionInDays")), 90);
    json_decref(ws);

    /* Same name again: conflict. */
    sl_buf_reset(&out);
    const char *dup[] = { "admin", "workspace", "create", "prod-logs", NULL };
    cr_expect_eq(th_cli(&n, &out, dup), 1);
    cr_expect(th_contains(&out, "already exists"), "%s", out.data);

    /* Table output for people. */
    sl_buf_reset(&out);
    const char *list[] = { "admin", "workspace", "list", NULL };
    cr_assert_eq(th_cli(&n, &out, list), 0);
    cr_expect(th_contains(&out, "NAME"));
    cr_expect(th_contains(&out, "prod-logs"));
    cr_expect(th_contains(&out, wsid));

    /* Regenerate the secondary key; the primary stays. */
    sl_buf_reset(&out);
    const char *regen[] = { "--json", "admin", "workspace", "regenerate-key", "prod-logs",
                            "--key", "secondary", NULL };
    cr_assert_eq(th_cli(&n, &out, regen), 0, "%s", out.data);
    ws = parse(&out);
    cr_expect_str_eq(json_string_value(json_object_get(ws, "primarySharedKey")), key1);
    cr_expect_str_neq(json_string_value(json_object_get(ws, "secondarySharedKey")), key2);
    snprintf(key2, sizeof key2, "%s",
             json_string_value(json_object_get(ws, "secondarySharedKey")));
    json_decref(ws);

    const char *create2[] = { "admin", "workspace", "create", "scratch-ws", NULL };
    cr_assert_eq(th_cli(&n, &out, create2), 0);

    /* Restart: everything is still there, keys included. */
    cr_assert_eq(th_node_stop(&n), 0);
    char token[160];
    snprintf(token, sizeof token, "%s", n.token);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    snprintf(n.token, sizeof n.token, "%s", token);
    sl_buf_t log = SL_BUF_INIT;
    th_slurp(n.out_path, &log);
    cr_expect(!th_contains(&log, "admin token:"), "the bootstrap token is printed only once");
    sl_buf_dispose(&log);

    sl_buf_reset(&out);
    const char *show[] = { "--json", "admin", "workspace", "show", wsid, NULL };
    cr_assert_eq(th_cli(&n, &out, show), 0, "%s", out.data);
    ws = parse(&out);
    cr_expect_str_eq(json_string_value(json_object_get(ws, "name")), "prod-logs");
    cr_expect_str_eq(json_string_value(json_object_get(ws, "primarySharedKey")), key1);
    cr_expect_str_eq(json_string_value(json_object_get(ws, "secondarySharedKey")), key2);
    json_decref(ws);

    /* Soft delete: gone from the default list, visible with --all. */
    const char *del[] = { "admin", "workspace", "delete", "scratch-ws", NULL };
    sl_buf_reset(&out);
    cr_assert_eq(th_cli(&n, &out, del), 0, "%s", out.data);
    sl_buf_reset(&out);
    cr_assert_eq(th_cli(&n, &out, list), 0);
    cr_expect(!th_contains(&out, "scratch-ws"));
    sl_buf_reset(&out);
    const char *listall[] = { "admin", "workspace", "list", "--all", NULL };
    cr_assert_eq(th_cli(&n, &out, listall), 0);
    cr_expect(th_contains(&out, "scratch-ws"));
    cr_expect(th_contains(&out, "deleted"));

    /* Unknown workspace: clear error, exit 1. */
    sl_buf_reset(&out);
    const char *missing[] = { "admin", "workspace", "show", "no-such-ws", NULL };
    cr_expect_eq(th_cli(&n, &out, missing), 1);
    cr_expect(th_contains(&out, "not found"), "%s", out.data);

    cr_assert_eq(th_node_stop(&n), 0);

    /* The catalog never holds a shared key in the clear: neither the base64
     * text nor the raw bytes. */
    char path[400];
    snprintf(path, sizeof path, "%s/catalog/data.mdb", n.data_dir);
    sl_buf_t cat = SL_BUF_INIT;
    cr_assert_eq(th_slurp(path, &cat), 0);
    cr_expect(th_contains(&cat, "prod-logs"), "sanity: the catalog holds the workspace");
    const char *keys[] = { key1, key2 };
    for (int k = 0; k < 2; k++) {
        cr_expect(!th_contains(&cat, keys[k]), "key %d in the clear (base64)", k);
        uint8_t raw[80];
        size_t rn;
        cr_assert_eq(sl_base64_decode(keys[k], strlen(keys[k]), raw, &rn), 0);
        cr_expect(memmem(cat.data, cat.len, raw, 16) == NULL, "key %d in the clear (raw)", k);
    }
    sl_buf_dispose(&cat);
    sl_buf_dispose(&out);
    th_node_cleanup(&n);
}

Test(admin, tokens_scope_and_failures_leak_nothing)
{
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_node_start(&n, NULL), 0);
    sl_buf_t out = SL_BUF_INIT;
    const char *create[] = { "admin", "workspace", "create", "analytics", NULL };
    cr_assert_eq(th_cli(&n, &out, create), 0);
    sl_buf_reset(&out);
    const char *mint[] = { "--json", "admin", "token", "create", "--kind", "query", "--scope",
                           "analytics", "--name", "analyst", NULL };
    cr_assert_eq(th_cli(&n, &out, mint), 0, "%s", out.data);
    json_t *t = parse(&out);
    char qtok[160], qid[20];
    snprintf(qtok, sizeof qtok, "%s", json_string_value(json_object_get(t, "token")));
    snprintf(qid, sizeof qid, "%s", json_string_value(json_object_get(t, "id")));
    json_decref(t);

    th_resp_t r;
    /* Missing token. */
    th_request(&n, NULL, "GET", "/admin/v1/workspaces", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 401);
    cr_expect(th_contains(&r.body, "\"error\":{\"code\":\"AuthenticationFailed\""), "%s",
              r.body.data);
    cr_expect(th_contains(&r.headers, "www-authenticate: Bearer"));
    th_resp_dispose(&r);
    /* Wrong token: right shape, wrong secret. Same answer as garbage. */
    char wrong[160];
    snprintf(wrong, sizeof wrong, "%s", n.token);
    wrong[strlen(wrong) - 2] = wrong[strlen(wrong) - 2] == 'A' ? 'B' : 'A';
    th_request(&n, NULL, "GET", "/admin/v1/workspaces", wrong, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 401);
    sl_buf_t first = SL_BUF_INIT;
    sl_buf_append(&first, r.body.data, r.body.len);
    th_resp_dispose(&r);
    th_request(&n, NULL, "GET", "/admin/v1/workspaces", "garbage", NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 401);
    cr_expect_eq(r.body.len, first.len);
    cr_expect(memcmp(r.body.data, first.data, first.len) == 0,
              "a wrong secret and garbage get the same answer");
    cr_expect(!th_contains(&r.body, "analytics"));
    th_resp_dispose(&r);
    sl_buf_dispose(&first);
    /* Token of another scope: a query token on the admin API. */
    th_request(&n, NULL, "GET", "/admin/v1/workspaces", qtok, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 403);
    cr_expect(th_contains(&r.body, "\"code\":\"AuthorizationFailed\""), "%s", r.body.data);
    cr_expect(!th_contains(&r.body, "analytics"));
    th_resp_dispose(&r);

    /* Listing shows the token without its secret; revoking kills it. */
    sl_buf_reset(&out);
    const char *list[] = { "admin", "token", "list", NULL };
    cr_assert_eq(th_cli(&n, &out, list), 0);
    cr_expect(th_contains(&out, qid));
    cr_expect(!th_contains(&out, strrchr(qtok, '.') + 1), "secrets never listed");
    sl_buf_reset(&out);
    const char *revoke[] = { "admin", "token", "revoke", qid, NULL };
    cr_assert_eq(th_cli(&n, &out, revoke), 0, "%s", out.data);
    sl_buf_reset(&out);
    cr_assert_eq(th_cli(&n, &out, list), 0);
    cr_expect(th_contains(&out, "revoked"));

    /* An admin token minted by the admin works like the bootstrap one. */
    sl_buf_reset(&out);
    const char *mint_admin[] = { "--json", "admin", "token", "create", "--kind", "admin",
                                 "--expires-in", "1h", NULL };
    cr_assert_eq(th_cli(&n, &out, mint_admin), 0, "%s", out.data);
    t = parse(&out);
    th_request(&n, NULL, "GET", "/admin/v1/status", json_string_value(json_object_get(t, "token")),
               NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 200);
    th_resp_dispose(&r);
    json_decref(t);

    /* Bad input to the admin API: clear 400s in the JSON error shape. */
    const char *ct[] = { "Content-Type: application/json", NULL };
    th_request(&n, NULL, "POST", "/admin/v1/workspaces", n.token, ct, "{\"name\":", 8, &r);
    cr_expect_eq(r.status, 400);
    cr_expect(th_contains(&r.body, "InvalidJson"), "%s", r.body.data);
    th_resp_dispose(&r);
    th_request(&n, NULL, "POST", "/admin/v1/workspaces", n.token, ct, "{\"name\":\"a b\"}", 14, &r);
    cr_expect_eq(r.status, 400);
    cr_expect(th_contains(&r.body, "InvalidWorkspaceName"));
    th_resp_dispose(&r);
    const char *bad_ret = "{\"name\":\"okname\",\"retentionInDays\":3}";
    th_request(&n, NULL, "POST", "/admin/v1/workspaces", n.token, ct, bad_ret, strlen(bad_ret), &r);
    cr_expect_eq(r.status, 400);
    cr_expect(th_contains(&r.body, "4 to 730"), "%s", r.body.data);
    th_resp_dispose(&r);
    const char *unknown = "{\"name\":\"okname\",\"colour\":\"red\"}";
    th_request(&n, NULL, "POST", "/admin/v1/workspaces", n.token, ct, unknown, strlen(unknown), &r);
    cr_expect_eq(r.status, 400);
    cr_expect(th_contains(&r.body, "colour"));
    th_resp_dispose(&r);

    sl_buf_dispose(&out);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}
