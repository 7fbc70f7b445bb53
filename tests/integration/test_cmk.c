/*
 * Customer-managed keys end to end, with real sealogd and sealog-vault
 * processes over HTTPS: configuring the key, MMK and CMK eras in one
 * workspace, revocation and recovery within one check interval, short and
 * long vault outages, automatic and explicit rotation (segment files
 * untouched), the audit chain, and the account key leaving memory.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "cmk_env.h"

TestSuite(cmk, .timeout = 300);

Test(cmk, revocation_and_recovery_within_one_interval)
{
    env_t e;
    up(&e, NULL);
    /* MMK era: rows before the key and the link. */
    cr_assert_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 50, NULL), 200);
    set_key(&e, "");
    json_t *r;
    cr_assert_eq(th_admin(&e.node, "POST", "/admin/v1/workspaces/cmk-ws/link", NULL, &r), 200);
    json_decref(r);
    /* CMK era. */
    cr_assert_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 70, NULL), 200);
    cr_assert_eq(post_rows(&e, e.ws_mmk, e.key_mmk, 10, NULL), 200);
    long long n;
    cr_assert_eq(count_rows(&e, e.ws_cmk, &n, NULL), 200);
    cr_expect_eq(n, 120, "one query spans both eras");
    sl_buf_t dump = SL_BUF_INIT;
    char path[200];
    snprintf(path, sizeof path, "/admin/v1/dump?workspace=%s&table=Cm_CL&blocks=true", e.ws_cmk);
    th_resp_t d;
    th_request(&e.node, NULL, "GET", path, e.node.token, NULL, NULL, 0, &d);
    cr_expect(th_contains(&d.body, "\"scope\":\"MMK\"") && th_contains(&d.body, "\"scope\":\"CMK\""),
              "%s", d.body.data);
    th_resp_dispose(&d);
    sl_buf_dispose(&dump);

    /* Revoke: disable the key in the customer's vault. */
    vault_key_enabled(&e, e.key_version, false);
    uint64_t t0 = sl_time_mono_ns();
    double took = wait_state(&e, "revoked", 3.0);
    cr_assert(took >= 0, "not revoked within one interval + 1 s");
    fprintf(stderr, "cmk: revoked %.2f s after disabling the key\n", took);
    sl_buf_t resp = SL_BUF_INIT;
    cr_expect_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 5, &resp), 503);
    cr_expect(th_contains(&resp, "revoked"), "%s", resp.data);
    sl_buf_dispose(&resp);
    json_t *err;
    cr_expect_eq(count_rows(&e, e.ws_cmk, &n, &err), 403);
    char *es = json_dumps(err, 0);
    cr_expect(strstr(es, "CustomerManagedKeyUnavailable") && strstr(es, "/keys/cmk"), "%s", es);
    free(es);
    json_decref(err);
    /* The MMK-only workspace keeps working both ways. */
    cr_expect_eq(post_rows(&e, e.ws_mmk, e.key_mmk, 10, NULL), 200);
    cr_expect_eq(count_rows(&e, e.ws_mmk, &n, NULL), 200);
    cr_expect_eq(n, 20);
    /* The account key is out of memory, the refusals are counted. */
    json_t *ks = cmk_state(&e);
    cr_expect(json_is_false(json_object_get(ks, "accountKeyInMemory")));
    cr_expect(json_integer_value(json_object_get(ks, "droppedRecords")) >= 5);
    json_decref(ks);
    th_resp_t rz;
    th_request(&e.node, NULL, "GET", "/readyz", NULL, NULL, NULL, 0, &rz);
    cr_expect(th_contains(&rz.body, "\"customerManagedKey\":{\"state\":\"revoked\""), "%s",
              rz.body.data);
    th_resp_dispose(&rz);
    (void)t0;

    /* Recover: enable it again. */
    vault_key_enabled(&e, e.key_version, true);
    took = wait_state(&e, "active", 3.0);
    cr_assert(took >= 0, "not recovered within one interval + 1 s");
    fprintf(stderr, "cmk: recovered %.2f s after enabling the key\n", took);
    cr_expect_eq(count_rows(&e, e.ws_cmk, &n, NULL), 200);
    cr_expect_eq(n, 120, "every acknowledged record is back");
    cr_expect_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 3, NULL), 200);
    cr_expect_eq(count_rows(&e, e.ws_cmk, &n, NULL), 200);
    cr_expect_eq(n, 123);
    ks = cmk_state(&e);
    cr_expect(json_is_true(json_object_get(ks, "accountKeyInMemory")));
    json_decref(ks);

    /* The audit log tells the story and its chain verifies. */
    json_t *a;
    cr_assert_eq(th_admin(&e.node, "GET", "/admin/v1/audit", NULL, &a), 200);
    char *as = json_dumps(a, JSON_COMPACT);
    cr_expect(strstr(as, "cluster.update") && strstr(as, "key.wrap") &&
                  strstr(as, "workspace.link") && strstr(as, "\"to\":\"revoked\"") &&
                  strstr(as, "\"to\":\"active\"") && strstr(as, "ingest.dropped"),
              "%s", as);
    free(as);
    json_decref(a);
    cr_assert_eq(th_admin(&e.node, "GET", "/admin/v1/audit/verify", NULL, &a), 200);
    cr_expect(json_is_true(json_object_get(a, "valid")));
    json_decref(a);
    /* The same through the CLI. */
    sl_buf_t out = SL_BUF_INIT;
    const char *verify[] = { "admin", "audit", "verify", NULL };
    cr_expect_eq(th_cli(&e.node, &out, verify), 0, "%s", out.data);
    cr_expect(th_contains(&out, "hash chain verified"), "%s", out.data);
    sl_buf_reset(&out);
    const char *show[] = { "admin", "cluster", "show", NULL };
    cr_expect_eq(th_cli(&e.node, &out, show), 0, "%s", out.data);
    cr_expect(th_contains(&out, "key state:") && th_contains(&out, "active"), "%s", out.data);
    sl_buf_dispose(&out);
    down(&e);
}

Test(cmk, short_outages_change_nothing_and_long_ones_fail_closed)
{
    env_t e;
    up(&e, "4s");
    set_key(&e, "");
    json_t *r;
    cr_assert_eq(th_admin(&e.node, "POST", "/admin/v1/workspaces/cmk-ws/link", NULL, &r), 200);
    json_decref(r);
    cr_assert_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 10, NULL), 200);
    char port[16];
    snprintf(port, sizeof port, "%s", e.vault_port);
    /* Stop the vault for two intervals (less than the grace): nothing fails. */
    cr_assert_eq(th_node_stop(&e.vault), 0);
    for (int i = 0; i < 10; i++) {
        cr_expect_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 2, NULL), 200, "round %d", i);
        long long n;
        cr_expect_eq(count_rows(&e, e.ws_cmk, &n, NULL), 200);
        usleep(200000);
    }
    json_t *c = cluster(&e);
    cr_expect_str_eq(key_state(c), "degraded");
    json_decref(c);
    vault_start_on(&e, port);
    cr_assert(wait_state(&e, "active", 3) >= 0);
    /* Longer than the grace: fail closed, then recover by itself. */
    cr_assert_eq(th_node_stop(&e.vault), 0);
    cr_assert(wait_state(&e, "revoked", 8) >= 0, "did not fail closed after the grace");
    cr_expect_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 2, NULL), 503);
    vault_start_on(&e, port);
    cr_assert(wait_state(&e, "active", 3) >= 0, "did not recover when the vault came back");
    long long n;
    cr_expect_eq(count_rows(&e, e.ws_cmk, &n, NULL), 200);
    cr_expect_eq(n, 30);
    down(&e);
}

/* SHA-256 of every file under dir, concatenated in name order. */
static void hash_tree(const char *dir, sl_buf_t *out)
{
    struct dirent **names;
    int k = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < k; i++) {
        const char *nm = names[i]->d_name;
        if (strcmp(nm, ".") && strcmp(nm, "..") && strcmp(nm, "lock.mdb")) {
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", dir, nm);
            struct stat st;
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                hash_tree(p, out);
            } else {
                sl_buf_t f = SL_BUF_INIT;
                cr_assert_eq(sl_read_file(p, 1u << 30, &f), 0);
                uint8_t h[32];
                char hex[65];
                sl_sha256(f.data, f.len, h);
                sl_hex_encode(h, 32, hex);
                sl_buf_printf(out, "%s %s\n", nm, hex);
                sl_buf_dispose(&f);
            }
        }
        free(names[i]);
    }
    free(names);
}

Test(cmk, rotation_rewraps_and_never_touches_data)
{
    env_t e;
    up(&e, NULL);
    /* Configured with the CLI, as an operator would (az-style flags). */
    sl_buf_t out = SL_BUF_INIT;
    const char *idt[] = { "admin", "cluster", "update", "--identity-type", "SystemAssigned", NULL };
    cr_assert_eq(th_cli(&e.node, &out, idt), 0, "%s", out.data);
    const char *key[] = { "admin", "cluster", "update", "--key-vault-uri", e.vault.https,
                          "--key-name", "cmk", "--key-version", "", NULL };
    cr_assert_eq(th_cli(&e.node, &out, key), 0, "%s", out.data);
    const char *link[] = { "admin", "workspace", "link", "cmk-ws", NULL };
    cr_assert_eq(th_cli(&e.node, &out, link), 0, "%s", out.data);
    cr_expect(th_contains(&out, "linked"), "%s", out.data);
    sl_buf_dispose(&out);
    cr_assert(wait_state(&e, "active", 5) >= 0);
    cr_assert_eq(post_rows(&e, e.ws_cmk, e.key_cmk, 40, NULL), 200);
    sl_buf_t dump = SL_BUF_INIT;
    cr_assert_eq(th_dump_count(&e.node, e.ws_cmk, "Cm_CL", &dump), 40); /* into blocks */
    sl_buf_dispose(&dump);
    char seg[400];
    snprintf(seg, sizeof seg, "%s/segments", e.node.data_dir);
    sl_buf_t before = SL_BUF_INIT, after = SL_BUF_INIT;
    hash_tree(seg, &before);
    json_t *ks = cmk_state(&e);
    char kid1[256];
    snprintf(kid1, sizeof kid1, "%s", json_string_value(json_object_get(ks, "keyId")));
    json_decref(ks);

    /* A new version in the vault: keyVersion "" follows it. */
    char v2[33];
    th_kv_create(&e.vault, "cmk", "{\"kty\":\"RSA\",\"key_size\":2048}", v2);
    char kid2[256] = "";
    for (int i = 0; i < 40 && !strstr(kid2, v2); i++) {
        usleep(100000);
        ks = cmk_state(&e);
        snprintf(kid2, sizeof kid2, "%s", json_string_value(json_object_get(ks, "keyId")));
        json_decref(ks);
    }
    cr_expect(strstr(kid2, v2), "re-wrapped under %s? now %s (was %s)", v2, kid2, kid1);
    hash_tree(seg, &after);
    cr_expect_str_eq(after.data, before.data, "segment files changed");
    long long n;
    cr_expect_eq(count_rows(&e, e.ws_cmk, &n, NULL), 200);
    cr_expect_eq(n, 40);
    /* The old version may go: the account key now lives under v2. */
    vault_key_enabled(&e, e.key_version, false);
    usleep(2500000);
    json_t *c = cluster(&e);
    cr_expect_str_eq(key_state(c), "active");
    json_decref(c);

    /* An explicit version stays until changed; disabling it revokes. */
    set_key(&e, v2);
    char v3[33];
    th_kv_create(&e.vault, "cmk", "{\"kty\":\"RSA\",\"key_size\":2048}", v3);
    usleep(2500000);
    ks = cmk_state(&e);
    cr_expect(strstr(json_string_value(json_object_get(ks, "keyId")), v2), "pinned to v2");
    json_decref(ks);
    vault_key_enabled(&e, v2, false);
    cr_expect(wait_state(&e, "revoked", 3) >= 0);
    vault_key_enabled(&e, v2, true);
    cr_expect(wait_state(&e, "active", 3) >= 0);
    cr_expect_eq(count_rows(&e, e.ws_cmk, &n, NULL), 200);
    cr_expect_eq(n, 40);
    sl_buf_t last = SL_BUF_INIT;
    hash_tree(seg, &last);
    cr_expect_str_eq(last.data, before.data, "segment files changed");
    sl_buf_dispose(&before);
    sl_buf_dispose(&after);
    sl_buf_dispose(&last);
    down(&e);
}

Test(cmk, bad_keys_and_updates_are_refused)
{
    env_t e;
    up(&e, NULL);
    json_t *c;
    char body[600];
    /* A key without an identity first. */
    snprintf(body, sizeof body,
             "{\"properties\":{\"keyVaultProperties\":{\"keyVaultUri\":\"%s\",\"keyName\":"
             "\"cmk\",\"keyVersion\":\"\"}}}",
             e.vault.https);
    cr_expect_eq(th_admin(&e.node, "PATCH", "/admin/v1/cluster", body, &c), 400);
    json_decref(c);
    /* Identity and key in one update. */
    snprintf(body, sizeof body,
             "{\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{\"keyVaultProperties\":"
             "{\"keyVaultUri\":\"%s\",\"keyName\":\"cmk\",\"keyVersion\":\"\"}}}",
             e.vault.https);
    cr_expect_eq(th_admin(&e.node, "PATCH", "/admin/v1/cluster", body, &c), 400);
    char *s = json_dumps(c, 0);
    cr_expect(strstr(s, "same operation"), "%s", s);
    free(s);
    json_decref(c);
    cr_assert_eq(th_admin(&e.node, "PATCH", "/admin/v1/cluster",
                          "{\"identity\":{\"type\":\"SystemAssigned\"}}", &c),
                 200);
    json_decref(c);
    /* A key that does not exist, and a disabled one. */
    snprintf(body, sizeof body,
             "{\"properties\":{\"keyVaultProperties\":{\"keyVaultUri\":\"%s\",\"keyName\":"
             "\"nope\",\"keyVersion\":\"\"}}}",
             e.vault.https);
    cr_expect_eq(th_admin(&e.node, "PATCH", "/admin/v1/cluster", body, &c), 400);
    json_decref(c);
    vault_key_enabled(&e, e.key_version, false);
    snprintf(body, sizeof body,
             "{\"properties\":{\"keyVaultProperties\":{\"keyVaultUri\":\"%s\",\"keyName\":"
             "\"cmk\",\"keyVersion\":\"\"}}}",
             e.vault.https);
    cr_expect_eq(th_admin(&e.node, "PATCH", "/admin/v1/cluster", body, &c), 400);
    s = json_dumps(c, 0);
    cr_expect(strstr(s, "Failed to validate key"), "%s", s);
    free(s);
    json_decref(c);
    /* Double encryption is fixed. */
    cr_expect_eq(th_admin(&e.node, "PATCH", "/admin/v1/cluster",
                          "{\"properties\":{\"isDoubleEncryptionEnabled\":false}}", &c),
                 400);
    json_decref(c);
    c = cluster(&e);
    cr_expect_str_eq(key_state(c), "notConfigured");
    json_decref(c);
    down(&e);
}

Test(cmk, a_key_near_its_expiry_is_warned_about)
{
    env_t e;
    up(&e, NULL);
    char path[200], body[120];
    snprintf(path, sizeof path, "/keys/cmk/%s?" TH_KV_API, e.key_version);
    snprintf(body, sizeof body, "{\"attributes\":{\"exp\":%lld}}",
             (long long)(sl_time_now() / SL_TICKS_PER_SEC + 10 * 86400));
    th_resp_t r;
    cr_assert_eq(th_kv(&e.vault, e.vault.token, "PATCH", path, body, &r), 0);
    cr_assert_eq(r.status, 200, "%s", r.body.data);
    th_resp_dispose(&r);
    set_key(&e, "");
    bool warned = false;
    for (int i = 0; i < 50 && !warned; i++) {
        usleep(100000);
        json_t *a;
        cr_assert_eq(th_admin(&e.node, "GET", "/admin/v1/audit", NULL, &a), 200);
        char *s = json_dumps(a, JSON_COMPACT);
        warned = strstr(s, "\"kind\":\"key.expiring\"") && strstr(s, "\"daysLeft\":9");
        free(s);
        json_decref(a);
    }
    cr_expect(warned, "no key.expiring audit record");
    th_request(&e.node, NULL, "GET", "/metrics", NULL, NULL, NULL, 0, &r);
    cr_expect(th_contains(&r.body, "sealog_cmk_key_expiry_seconds"), "%s", r.body.data);
    th_resp_dispose(&r);
    /* Still active: an expiring key works until it is rotated. */
    json_t *c = cluster(&e);
    cr_expect_str_eq(key_state(c), "active");
    json_decref(c);
    down(&e);
}
