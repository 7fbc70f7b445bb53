/*
 * The cluster resource's update body (sl_cluster_apply_update) and its
 * stored form (sl_cluster_to_json / sl_cluster_from_json).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static int update(const sl_cluster_t *cur, const char *body, sl_cluster_t *out,
                  sl_cluster_change_t *what, sl_diag_t *d)
{
    return sl_cluster_apply_update(cur, body, strlen(body), out, what, d);
}

static char *user_identity_body(size_t idlen)
{
    static const char head[] = "{\"identity\":{\"type\":\"UserAssigned\","
                               "\"userAssignedIdentity\":\"";
    static const char tail[] = "\"}}";
    char *b = malloc(sizeof head + idlen + sizeof tail);
    cr_assert_not_null(b);
    memcpy(b, head, sizeof head - 1);
    memset(b + sizeof head - 1, 'a', idlen);
    memcpy(b + sizeof head - 1 + idlen, tail, sizeof tail);
    return b;
}

Test(config_cluster, user_identity_is_kept_whole)
{
    sl_cluster_t cur = { 0 }, out;
    sl_cluster_change_t what;
    sl_diag_t d = { 0 };
    size_t max = sizeof cur.user_identity - 1;
    char *body = user_identity_body(max);
    cr_assert_eq(update(&cur, body, &out, &what, &d), 0, "%s", d.msg);
    cr_expect_eq(out.identity, SL_IDENTITY_USER);
    cr_expect_eq(strlen(out.user_identity), max);
    cr_expect(what.identity);
    free(body);
}

Test(config_cluster, too_long_user_identity_is_refused_not_cut)
{
    /* Found by fuzz_cluster: a 257-byte id was stored cut to 255 bytes. */
    sl_cluster_t cur = { 0 }, out;
    sl_cluster_change_t what;
    sl_diag_t d = { 0 };
    char *body = user_identity_body(sizeof cur.user_identity);
    cr_assert_eq(update(&cur, body, &out, &what, &d), SL_EINVAL);
    cr_expect_eq(d.code, SL_EINVAL);
    cr_expect(strstr(d.msg, "too long") != NULL, "%s", d.msg);
    free(body);
}

Test(config_cluster, identity_and_key_cannot_change_together)
{
    sl_cluster_t cur = { 0 }, out;
    sl_cluster_change_t what;
    sl_diag_t d = { 0 };
    const char *body = "{\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":"
                       "{\"keyVaultProperties\":{\"keyVaultUri\":\"https://kv/\","
                       "\"keyName\":\"k\"}}}";
    cr_assert_eq(update(&cur, body, &out, &what, &d), SL_EINVAL);
    cr_expect(strstr(d.msg, "same operation") != NULL, "%s", d.msg);
}

Test(config_cluster, stored_form_reads_back)
{
    sl_cluster_t c = { .identity = SL_IDENTITY_USER, .double_encryption = true,
                       .created = 1000, .updated = 2000 };
    strcpy(c.user_identity, "/subscriptions/s/resourceGroups/g/providers/"
                            "Microsoft.ManagedIdentity/userAssignedIdentities/u");
    strcpy(c.kv_uri, "https://kv.vault.azure.net/");
    strcpy(c.key_name, "k");
    sl_buf_t b = SL_BUF_INIT;
    sl_cluster_to_json(&c, true, &b);
    sl_cluster_t back;
    sl_diag_t d = { 0 };
    cr_assert_eq(sl_cluster_from_json(b.data, b.len, &back, &d), 0, "%s", d.msg);
    cr_expect_eq(back.identity, SL_IDENTITY_USER);
    cr_expect_str_eq(back.user_identity, c.user_identity);
    cr_expect_str_eq(back.kv_uri, c.kv_uri);
    cr_expect_str_eq(back.key_name, "k");
    cr_expect_str_eq(back.key_version, "");
    cr_expect(back.double_encryption);
    cr_expect_eq(back.created, 1000);
    cr_expect_eq(back.updated, 2000);
    sl_buf_dispose(&b);
}

Test(config_cluster, stored_identity_only_for_user_assigned)
{
    /* Found by fuzz_cluster: a stored document with another identity type
     * and a userAssignedIdentity kept the name, which to_json then dropped,
     * so the cluster changed on its next save. */
    const char *doc = "{\"identity\":{\"type\":\"SystemAssigned\",\"userAssignedIdentity\":"
                      "\"/u\"},\"properties\":{\"isDoubleEncryptionEnabled\":false}}";
    sl_cluster_t c;
    sl_diag_t d = { 0 };
    cr_assert_eq(sl_cluster_from_json(doc, strlen(doc), &c, &d), 0, "%s", d.msg);
    cr_expect_eq(c.identity, SL_IDENTITY_SYSTEM);
    cr_expect_str_eq(c.user_identity, "");
    doc = "{\"identity\":{\"type\":\"UserAssigned\",\"userAssignedIdentity\":\"/u\"}}";
    cr_assert_eq(sl_cluster_from_json(doc, strlen(doc), &c, &d), 0, "%s", d.msg);
    cr_expect_eq(c.identity, SL_IDENTITY_USER);
    cr_expect_str_eq(c.user_identity, "/u");
}
