/*
 * Customer-managed key set-ups for integration tests: a real sealog-vault
 * with a key, a real sealogd using it, two workspaces, and the calls the
 * tests make (post rows, count them, configure the key, flip it in the
 * vault, read the key state).
 */
#ifndef SL_TEST_CMK_ENV_H
#define SL_TEST_CMK_ENV_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vault_harness.h"

typedef struct env {
    th_node_t vault, node;
    char vault_port[16];
    char key_version[33];
    char ws_cmk[37], key_cmk[100], ws_mmk[37], key_mmk[100];
    int seq;
    char token_file[400], grace[16];
    const char *const *more; /* extra node flags (static storage) */
} env_t;

static inline void vault_start_on(env_t *e, const char *port)
{
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%s", port ? port : "0");
    const char *extra[] = { "--listen", listen, NULL };
    cr_assert_eq(th_vault_start(&e->vault, extra), 0, "vault did not start");
    const char *p = strrchr(e->vault.https, ':');
    snprintf(e->vault_port, sizeof e->vault_port, "%s", p + 1);
}

/* (Re)starts the node with the set-up's flags. */
static inline void node_start(env_t *e)
{
    const char *extra[32] = { "--cmk-check-interval", "1s", "--vault-token-file", e->token_file,
                              "--vault-ca-file", e->vault.cacert, "--cmk-grace-period",
                              e->grace, NULL };
    size_t at = 8;
    for (size_t i = 0; e->more && e->more[i] && at < 31; i++)
        extra[at++] = e->more[i];
    extra[at] = NULL;
    cr_assert_eq(th_node_start(&e->node, extra), 0, "node did not start");
}

/* Starts a vault with an RSA key "cmk" and a node that may use it (checks
 * every second), with two workspaces; `more` adds node flags (NULL-ended,
 * may be NULL). */
static inline void up_with(env_t *e, const char *grace, const char *const *more)
{
    memset(e, 0, sizeof *e);
    th_node_init(&e->vault);
    vault_start_on(e, NULL);
    th_kv_create(&e->vault, "cmk", "{\"kty\":\"RSA\",\"key_size\":2048}", e->key_version);
    char token[160];
    th_vault_token(
      &e->vault, "{\"permissions\":\"get,wrapKey,unwrapKey\",\"name\":\"sealogd\"}", token);
    snprintf(e->token_file, sizeof e->token_file, "%s/vault.token", e->vault.dir);
    FILE *f = fopen(e->token_file, "w");
    cr_assert_not_null(f);
    fprintf(f, "%s\n", token);
    fclose(f);
    snprintf(e->grace, sizeof e->grace, "%s", grace ? grace : "1h");
    e->more = more;
    th_node_init(&e->node);
    node_start(e);
    th_workspace(&e->node, "cmk-ws", 30, e->ws_cmk, e->key_cmk);
    th_workspace(&e->node, "mmk-ws", 30, e->ws_mmk, e->key_mmk);
}

static inline void up(env_t *e, const char *grace)
{
    up_with(e, grace, NULL);
}

static inline void down(env_t *e)
{
    if (e->node.pid)
        th_node_stop(&e->node);
    if (e->vault.pid)
        th_node_stop(&e->vault);
    th_node_cleanup(&e->node);
    th_node_cleanup(&e->vault);
}

/* n rows to a workspace through the Data Collector API; the status. */
static inline long post_rows(env_t *e, const char *ws, const char *key, int n, sl_buf_t *resp)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_putc(&b, '[');
    for (int i = 0; i < n; i++)
        sl_buf_printf(
          &b, "%s{\"Seq\":%d,\"Msg\":\"cmk canary row %d\"}", i ? "," : "", e->seq++, i);
    sl_buf_putc(&b, ']');
    sl_buf_t local = SL_BUF_INIT;
    long st = th_dc_post(&e->node, ws, key, "Cm", NULL, b.data, b.len, resp ? resp : &local);
    sl_buf_dispose(&b);
    sl_buf_dispose(&local);
    return st;
}

static inline long count_rows(env_t *e, const char *ws, long long *count, json_t **err)
{
    char path[120];
    snprintf(path, sizeof path, "/v1/workspaces/%s/query", ws);
    const char *h[] = { "Content-Type: application/json", NULL };
    const char *body = "{\"query\":\"Cm_CL | count\"}";
    th_resp_t r;
    th_request(&e->node, NULL, "POST", path, e->node.token, h, body, strlen(body), &r);
    json_t *j = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
    *count = json_integer_value(json_array_get(
      json_array_get(json_object_get(json_array_get(json_object_get(j, "tables"), 0), "rows"), 0),
      0));
    long st = r.status;
    if (err)
        *err = j;
    else
        json_decref(j);
    th_resp_dispose(&r);
    return st;
}

static inline json_t *cluster(env_t *e)
{
    json_t *j = NULL;
    cr_assert_eq(th_admin(&e->node, "GET", "/admin/v1/cluster", NULL, &j), 200);
    return j;
}

static inline const char *key_state(json_t *c)
{
    return json_string_value(
      json_object_get(json_object_get(json_object_get(c, "properties"), "keyState"), "state"));
}

/* Waits until the key state is `want`; returns the seconds it took. */
static inline double wait_state(env_t *e, const char *want, double limit)
{
    uint64_t t0 = sl_time_mono_ns();
    for (;;) {
        json_t *c = cluster(e);
        bool ok = key_state(c) && !strcmp(key_state(c), want);
        json_decref(c);
        double s = (double)(sl_time_mono_ns() - t0) / 1e9;
        if (ok || s > limit)
            return ok ? s : -1;
        usleep(100000);
    }
}

static inline void set_key(env_t *e, const char *version)
{
    json_t *c;
    cr_assert_eq(
      th_admin(
        &e->node, "PATCH", "/admin/v1/cluster", "{\"identity\":{\"type\":\"SystemAssigned\"}}", &c),
      200);
    json_decref(c);
    char body[600];
    snprintf(body,
             sizeof body,
             "{\"properties\":{\"keyVaultProperties\":{\"keyVaultUri\":\"%s\",\"keyName\":"
             "\"cmk\",\"keyVersion\":\"%s\"}}}",
             e->vault.https,
             version);
    long st = th_admin(&e->node, "PATCH", "/admin/v1/cluster", body, &c);
    char *dump = json_dumps(c, 0);
    cr_assert_eq(st, 200, "%s", dump);
    free(dump);
    json_decref(c);
    cr_assert(wait_state(e, "active", 5) >= 0);
}

static inline void vault_key_enabled(env_t *e, const char *version, bool enabled)
{
    char path[200], body[80];
    snprintf(path, sizeof path, "/keys/cmk/%s?" TH_KV_API, version);
    snprintf(body, sizeof body, "{\"attributes\":{\"enabled\":%s}}", enabled ? "true" : "false");
    th_resp_t r;
    cr_assert_eq(th_kv(&e->vault, e->vault.token, "PATCH", path, body, &r), 0);
    cr_assert_eq(r.status, 200, "%s", r.body.data);
    th_resp_dispose(&r);
}

static inline json_t *cmk_state(env_t *e)
{
    json_t *c = cluster(e);
    json_t *ks = json_incref(json_object_get(json_object_get(c, "properties"), "keyState"));
    json_decref(c);
    return ks;
}

#endif
