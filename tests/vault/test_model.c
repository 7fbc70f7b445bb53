#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "vault/vault_int.h"

static sl_vault_ver_t *bare(uint64_t seq)
{
    sl_vault_ver_t *v = sl_vault_ver_create();
    v->seq = seq;
    sl_vault_version_new(v->id);
    return v;
}

Test(vault_model, recovery_level_follows_soft_delete_and_purge_protection)
{
    int days = -1;
    cr_expect_str_eq(sl_vault_recovery_level(true, true, &days), "Recoverable");
    cr_expect_eq(days, 90);
    cr_expect_str_eq(sl_vault_recovery_level(true, false, &days), "Recoverable+Purgeable");
    cr_expect_eq(days, 90);
    cr_expect_str_eq(sl_vault_recovery_level(false, false, &days), "Purgeable");
    cr_expect_eq(days, 0, "nothing is recoverable without soft delete");
}

Test(vault_model, names_are_case_insensitive_and_validated)
{
    sl_vault_model_t m;
    sl_vault_model_init(&m);
    sl_vault_key_t *k = sl_vault_model_add(&m, "CmkKey-1");
    cr_expect_eq(sl_vault_model_add(&m, "cmkkey-1"), k, "same key in another case");
    cr_expect_eq(sl_vault_model_find(&m, "CMKKEY-1"), k);
    cr_expect_str_eq(k->name, "CmkKey-1", "first spelling is kept");
    cr_expect_null(sl_vault_model_find(&m, "other"));
    cr_expect(sl_vault_name_valid("a-B-9"));
    cr_expect(!sl_vault_name_valid(""));
    cr_expect(!sl_vault_name_valid("a_b"));
    cr_expect(!sl_vault_name_valid("../x"));
    char longname[130];
    memset(longname, 'a', 128);
    longname[128] = '\0';
    cr_expect(!sl_vault_name_valid(longname), "at most 127 characters");
    longname[127] = '\0';
    cr_expect(sl_vault_name_valid(longname));
    cr_expect(sl_vault_version_valid("0123456789abcdef0123456789ABCDEF"));
    cr_expect(!sl_vault_version_valid("0123456789abcdef"));
    cr_expect(!sl_vault_version_valid("versions"));
    sl_vault_model_dispose(&m);
}

Test(vault_model, versions_keep_creation_order_and_latest_is_last)
{
    sl_vault_model_t m;
    sl_vault_model_init(&m);
    sl_vault_key_t *k = sl_vault_model_add(&m, "k");
    cr_expect_null(sl_vault_key_latest(k));
    /* Loaded from disk in directory order, not creation order. */
    uint64_t order[] = { 3, 1, 2 };
    sl_vault_ver_t *v[3];
    for (int i = 0; i < 3; i++) {
        v[i] = bare(order[i]);
        cr_assert_eq(sl_vault_key_insert(k, v[i]), 0);
    }
    cr_expect_eq(sl_vault_key_latest(k), v[0], "seq 3 is the latest");
    cr_expect_eq(k->v[0]->seq, 1);
    cr_expect_eq(k->next_seq, 4);
    cr_expect_eq(sl_vault_key_version(k, v[1]->id), v[1]);
    sl_vault_ver_t *dup = bare(2);
    cr_expect_eq(sl_vault_key_insert(k, dup), SL_EEXIST, "duplicate seq refused");
    sl_vault_ver_destroy(dup);
    sl_vault_model_dispose(&m);
}

Test(vault_model, version_paging_walks_every_version_once)
{
    sl_vault_model_t m;
    sl_vault_model_init(&m);
    sl_vault_key_t *k = sl_vault_model_add(&m, "k");
    for (uint64_t s = 1; s <= 7; s++)
        sl_vault_key_insert(k, bare(s));
    uint64_t after = 0;
    size_t sizes[3], pages = 0, seen = 0;
    for (;;) {
        size_t first;
        bool more;
        size_t n = sl_vault_page_versions(k, after, 3, &first, &more);
        cr_assert(pages < 3);
        sizes[pages++] = n;
        for (size_t i = 0; i < n; i++)
            cr_expect_eq(k->v[first + i]->seq, ++seen, "in order, no repeats");
        if (!more)
            break;
        /* Positions travel through the opaque $skiptoken. */
        sl_buf_t tok = SL_BUF_INIT;
        sl_vault_skiptoken_versions(k->v[first + n - 1]->seq, &tok);
        cr_assert_eq(sl_vault_skiptoken_parse_versions(tok.data, &after), 0);
        sl_buf_dispose(&tok);
    }
    cr_expect_eq(pages, 3);
    cr_expect(sizes[0] == 3 && sizes[1] == 3 && sizes[2] == 1);
    cr_expect_eq(seen, 7);
    uint64_t x;
    cr_expect_eq(sl_vault_skiptoken_parse_versions("not-a-token", &x), SL_EPARSE);
    sl_buf_t kt = SL_BUF_INIT;
    sl_vault_skiptoken_keys("abc", &kt);
    cr_expect_eq(sl_vault_skiptoken_parse_versions(kt.data, &x), SL_EPARSE,
                 "a key-list token is not a version token");
    sl_buf_dispose(&kt);
    sl_vault_model_dispose(&m);
}

static bool not_b(const sl_vault_key_t *k, void *arg)
{
    (void)arg;
    return strcmp(k->lname, "b") != 0;
}

Test(vault_model, key_paging_skips_keys_without_versions_and_filtered_keys)
{
    sl_vault_model_t m;
    sl_vault_model_init(&m);
    const char *names[] = { "d", "a", "c", "b", "e" };
    for (size_t i = 0; i < 5; i++)
        sl_vault_key_insert(sl_vault_model_add(&m, names[i]), bare(1));
    sl_vault_model_add(&m, "aa"); /* a first create still in flight */
    sl_vault_key_t *page[4];
    bool more;
    size_t n = sl_vault_page_keys(&m, "", 2, not_b, NULL, page, &more);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(page[0]->name, "a");
    cr_expect_str_eq(page[1]->name, "c", "aa has no version, b is filtered");
    cr_expect(more);
    sl_buf_t tok = SL_BUF_INIT;
    char after[SL_VAULT_NAME_MAX + 1];
    sl_vault_skiptoken_keys(page[1]->lname, &tok);
    cr_assert_eq(sl_vault_skiptoken_parse_keys(tok.data, after), 0);
    n = sl_vault_page_keys(&m, after, 2, not_b, NULL, page, &more);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(page[0]->name, "d");
    cr_expect_str_eq(page[1]->name, "e");
    cr_expect(!more, "nothing after e");
    sl_buf_dispose(&tok);
    sl_vault_model_dispose(&m);
}

Test(vault_model, api_versions)
{
    const char *ok[] = { "7.0", "7.4", "7.5", "7.6", "7.6-preview.2", "7.5-preview", "2025-07-01" };
    const char *bad[] = { "", "7", "7.7", "8.0", "7.5-beta", "7.6-preview.", "2016-10-01", "7.5x" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(ok); i++)
        cr_expect(sl_vault_api_version_ok(ok[i]), "%s accepted", ok[i]);
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++)
        cr_expect(!sl_vault_api_version_ok(bad[i]), "%s refused", bad[i]);
}

Test(vault_model, key_ops_names)
{
    cr_expect_eq(sl_vault_op_parse("wrapKey"), SL_VAULT_OP_WRAP);
    cr_expect_eq(sl_vault_op_parse("wrapkey"), 0u);
    cr_expect_str_eq(sl_vault_op_name(SL_VAULT_OP_UNWRAP), "unwrapKey");
    unsigned rsa = sl_vault_ops_default(SL_VAULT_KTY_RSA);
    cr_expect(rsa & SL_VAULT_OP_SIGN);
    cr_expect(!(sl_vault_ops_default(SL_VAULT_KTY_OCT) & SL_VAULT_OP_SIGN));
}
