#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static char dir[64];
static sl_catalog_t *cat;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sealog-cat-XXXXXX");
    cr_assert(mkdtemp(dir));
    sl_diag_t d;
    cr_assert_eq(sl_catalog_open(dir, &cat, &d), 0, "%s", d.msg);
}

static void teardown(void)
{
    sl_catalog_close(cat);
    sl_rmtree(dir);
}

TestSuite(store_catalog, .init = setup, .fini = teardown);

static sl_ws_rec_t ws(const char *name)
{
    sl_ws_rec_t w;
    memset(&w, 0, sizeof w);
    sl_guid_random(&w.id);
    snprintf(w.name, sizeof w.name, "%s", name);
    w.retention_days = 30;
    w.created = sl_time_now();
    sl_buf_append(&w.sealed_key[0], "sealed-1", 8);
    sl_buf_append(&w.sealed_key[1], "sealed-2", 8);
    return w;
}

Test(store_catalog, workspaces_create_get_list_update)
{
    sl_diag_t d;
    sl_ws_rec_t a = ws("beta-ws"), b = ws("alpha-ws");
    cr_assert_eq(sl_catalog_ws_create(cat, &a, &d), 0, "%s", d.msg);
    cr_assert_eq(sl_catalog_ws_create(cat, &b, &d), 0);
    sl_ws_rec_t dup = ws("beta-ws");
    cr_expect_eq(sl_catalog_ws_create(cat, &dup, &d), SL_EEXIST, "names are unique");
    sl_ws_rec_t got;
    cr_assert_eq(sl_catalog_ws_get(cat, &a.id, &got, &d), 0);
    cr_expect_str_eq(got.name, "beta-ws");
    cr_expect(got.sealed_key[1].len == 8 && !memcmp(got.sealed_key[1].data, "sealed-2", 8));
    sl_ws_rec_dispose(&got);
    cr_assert_eq(sl_catalog_ws_by_name(cat, "alpha-ws", &got, &d), 0);
    cr_expect(memcmp(got.id.b, b.id.b, 16) == 0);
    sl_ws_rec_dispose(&got);
    sl_ws_rec_t *list;
    size_t n;
    cr_assert_eq(sl_catalog_ws_list(cat, &list, &n, &d), 0);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(list[0].name, "alpha-ws", "ordered by name");
    sl_ws_list_free(list, n);
    a.deleted = sl_time_now();
    cr_assert_eq(sl_catalog_ws_update(cat, &a, &d), 0);
    cr_assert_eq(sl_catalog_ws_get(cat, &a.id, &got, &d), 0);
    cr_expect_eq(got.deleted, a.deleted);
    sl_ws_rec_dispose(&got);
    sl_guid_t none;
    sl_guid_random(&none);
    cr_expect_eq(sl_catalog_ws_get(cat, &none, &got, &d), SL_ENOTFOUND);
    sl_ws_rec_t ghost = ws("ghost-ws");
    cr_expect_eq(sl_catalog_ws_update(cat, &ghost, &d), SL_ENOTFOUND);
    sl_ws_rec_dispose(&a);
    sl_ws_rec_dispose(&b);
    sl_ws_rec_dispose(&dup);
    sl_ws_rec_dispose(&ghost);
}

Test(store_catalog, tokens_round_trip_newest_first)
{
    sl_diag_t d;
    sl_token_rec_t t = { 0 };
    for (int i = 0; i < 3; i++) {
        memset(&t, 0, sizeof t);
        t.id[0] = (uint8_t)i;
        t.kind = SL_TOKEN_QUERY;
        t.created = 1000 + i;
        t.expires = 5000;
        t.nscopes = 2;
        strcpy(t.scopes[0], "ws-a");
        strcpy(t.scopes[1], "ws-b");
        memset(t.hash, i, 32);
        cr_assert_eq(sl_catalog_token_put(cat, &t, &d), 0);
    }
    sl_token_rec_t got;
    uint8_t id[8] = { 1 };
    cr_assert_eq(sl_catalog_token_get(cat, id, &got, &d), 0);
    cr_expect_eq(got.nscopes, 2);
    cr_expect_str_eq(got.scopes[1], "ws-b");
    cr_expect_eq(got.hash[0], 1);
    sl_token_rec_t *list;
    size_t n;
    cr_assert_eq(sl_catalog_token_list(cat, &list, &n, &d), 0);
    cr_assert_eq(n, 3);
    cr_expect_eq(list[0].created, 1002);
    sl_free(list);
}

Test(store_catalog, meta_values_persist_across_reopen)
{
    sl_diag_t d;
    cr_assert_eq(sl_catalog_meta_put(cat, "format_version", "1", 1, &d), 0);
    sl_catalog_close(cat);
    cr_assert_eq(sl_catalog_open(dir, &cat, &d), 0);
    sl_buf_t b = SL_BUF_INIT;
    cr_assert_eq(sl_catalog_meta_get(cat, "format_version", &b, &d), 0);
    cr_expect(b.len == 1 && b.data[0] == '1');
    sl_buf_dispose(&b);
    sl_buf_t none = SL_BUF_INIT;
    cr_expect_eq(sl_catalog_meta_get(cat, "nope", &none, &d), SL_ENOTFOUND);
}

Test(store_catalog, audit_log_is_a_verifiable_chain)
{
    sl_diag_t d;
    uint64_t seq;
    cr_assert_eq(sl_catalog_audit_append(cat, 100, "key.wrap", "{\"aek\":\"01\"}", &seq, &d), 0);
    cr_expect_eq(seq, 1);
    cr_assert_eq(sl_catalog_audit_append(cat, 200, "key.state", "{\"state\":\"revoked\"}", &seq,
                                         &d),
                 0);
    cr_assert_eq(sl_catalog_audit_append(cat, 300, "key.state", "{\"state\":\"active\"}", &seq,
                                         &d),
                 0);
    cr_expect_eq(seq, 3);
    uint64_t n, bad;
    cr_assert_eq(sl_catalog_audit_verify(cat, &n, &bad, &d), 0, "%s", d.msg);
    cr_expect_eq(n, 3);
    sl_audit_rec_t *list;
    size_t count;
    cr_assert_eq(sl_catalog_audit_list(cat, 2, 10, &list, &count, &d), 0);
    cr_assert_eq(count, 2);
    cr_expect_str_eq(list[0].kind, "key.state");
    cr_expect_eq(list[0].time, 200);
    cr_expect(!memcmp(list[1].prev, list[0].hash, 32));
    sl_audit_list_free(list, count);

    /* Rewrite record 2's details in place: 2 and everything after fail. */
    MDB_txn *txn;
    cr_assert_eq(mdb_txn_begin(cat->env, NULL, 0, &txn), 0);
    uint8_t key[8];
    sl_store_u64be(key, 2);
    MDB_val k = { 8, key }, v;
    cr_assert_eq(mdb_get(txn, cat->audit, &k, &v), 0);
    sl_buf_t copy = SL_BUF_INIT;
    sl_buf_append(&copy, v.mv_data, v.mv_size);
    char *p = memmem(copy.data, copy.len, "revoked", 7);
    cr_assert(p);
    memcpy(p, "RevokeD", 7);
    v = (MDB_val){ copy.len, copy.data };
    cr_assert_eq(mdb_put(txn, cat->audit, &k, &v, 0), 0);
    cr_assert_eq(mdb_txn_commit(txn), 0);
    sl_buf_dispose(&copy);
    cr_expect_eq(sl_catalog_audit_verify(cat, &n, &bad, &d), SL_EINTEGRITY);
    cr_expect_eq(bad, 2);
    cr_expect_eq(n, 1);
}
