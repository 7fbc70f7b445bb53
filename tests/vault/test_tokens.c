#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "vault/vault_int.h"

#define NOW 1800000000LL

typedef struct fixture {
    sl_key_t *hash_key, *access_key;
    sl_vault_toklist_t list;
    sl_vault_authctx_t auth;
} fixture_t;

static void setup(fixture_t *f)
{
    memset(f, 0, sizeof *f);
    cr_assert_eq(sl_key_create_random(&f->hash_key), 0);
    cr_assert_eq(sl_key_create_random(&f->access_key), 0);
    f->auth.hash_key = f->hash_key;
    f->auth.access_key = f->access_key;
    f->auth.tokens = &f->list;
    f->auth.resource = "https://vault.azure.net";
}

static void teardown(fixture_t *f)
{
    sl_vault_toklist_dispose(&f->list);
    sl_key_destroy(f->hash_key);
    sl_key_destroy(f->access_key);
}

static sl_vault_tok_t *add(fixture_t *f, sl_vault_tok_kind_t kind, unsigned perms,
                           int64_t expires, char secret[96])
{
    sl_vault_tok_t *t = sl_xcalloc(1, sizeof *t);
    sl_vault_tok_mint(f->hash_key, kind, t, secret);
    t->perms = perms;
    t->expires = expires;
    sl_vault_toklist_add(&f->list, t);
    return t;
}

static int verify(fixture_t *f, const char *token, sl_vault_principal_t *p)
{
    char h[1200];
    snprintf(h, sizeof h, "Bearer %s", token);
    return sl_vault_auth_verify(&f->auth, h, strlen(h), NOW, p);
}

Test(vault_tokens, permissions_parse_and_format)
{
    unsigned p;
    sl_diag_t d;
    cr_assert_eq(sl_vault_perms_parse("get, wrapKey,UNWRAPKEY", &p, &d), 0);
    cr_expect_eq(p, SL_VAULT_PERM_GET | SL_VAULT_PERM_WRAP | SL_VAULT_PERM_UNWRAP);
    sl_buf_t b = SL_BUF_INIT;
    sl_vault_perms_format(p, &b);
    cr_expect_str_eq(b.data, "get,wrapKey,unwrapKey");
    sl_buf_reset(&b);
    cr_assert_eq(sl_vault_perms_parse("all", &p, &d), 0);
    cr_expect_eq(p, (unsigned)SL_VAULT_PERM_ALL);
    sl_vault_perms_format(p, &b);
    cr_expect_str_eq(b.data, "all");
    cr_expect_eq(sl_vault_perms_parse("get,purge", &p, &d), SL_EPARSE);
    cr_expect(strstr(d.msg, "purge"), "names the bad one: %s", d.msg);
    cr_expect_eq(sl_vault_perms_parse("", &p, &d), SL_EPARSE);
    sl_buf_dispose(&b);
}

Test(vault_tokens, static_tokens_verify_and_fail_alike)
{
    fixture_t f;
    setup(&f);
    char s1[96], s2[96], s3[96];
    sl_vault_tok_t *t = add(&f, SL_VAULT_TOK_STATIC, SL_VAULT_PERM_GET, NOW + 60, s1);
    add(&f, SL_VAULT_TOK_STATIC, SL_VAULT_PERM_ALL, NOW - 1, s2);
    add(&f, SL_VAULT_TOK_ADMIN, 0, 0, s3);
    sl_vault_principal_t p;
    cr_assert_eq(verify(&f, s1, &p), 0);
    cr_expect_eq(p.perms, (unsigned)SL_VAULT_PERM_GET);
    cr_expect_eq(p.tok, t);
    cr_expect(!p.admin);
    cr_expect(strncmp(p.id, "token:", 6) == 0, "%s", p.id);
    cr_expect(!strstr(p.id, s1 + 22), "the id never contains the secret");
    cr_expect_eq(verify(&f, s2, &p), SL_EAUTH, "expired");
    cr_assert_eq(verify(&f, s3, &p), 0);
    cr_expect(p.admin);
    cr_expect_eq(p.perms, (unsigned)SL_VAULT_PERM_ALL, "admin has every permission");
    char bad[96];
    snprintf(bad, sizeof bad, "%s", s1);
    bad[strlen(bad) - 1] ^= 1;
    cr_expect_eq(verify(&f, bad, &p), SL_EAUTH, "wrong secret");
    cr_expect_eq(verify(&f, "svt1.0000000000000000.abc", &p), SL_EAUTH, "unknown id");
    cr_expect_eq(sl_vault_auth_verify(&f.auth, s1, strlen(s1), NOW, &p), SL_EAUTH,
                 "no Bearer scheme");
    char lower[120];
    snprintf(lower, sizeof lower, "bearer   %s  ", s1);
    cr_expect_eq(sl_vault_auth_verify(&f.auth, lower, strlen(lower), NOW, &p), 0,
                 "scheme case and spaces are tolerated");
    teardown(&f);
}

Test(vault_tokens, client_credentials_and_access_tokens)
{
    fixture_t f;
    setup(&f);
    char secret[96];
    sl_vault_tok_t *c = add(&f, SL_VAULT_TOK_CLIENT, SL_VAULT_PERM_UNWRAP, NOW + 7200, secret);
    char cid[37];
    sl_guid_format(&c->client_id, cid);
    cr_expect_eq(sl_vault_client_check(&f.auth, cid, secret, NOW), c);
    cr_expect_null(sl_vault_client_check(&f.auth, cid, "wrong", NOW));
    cr_expect_null(sl_vault_client_check(&f.auth, cid, secret, NOW + 7200), "expired client");
    sl_vault_principal_t p;
    cr_expect_eq(verify(&f, secret, &p), SL_EAUTH, "a client secret is not a bearer token");

    sl_buf_t at = SL_BUF_INIT;
    sl_vault_access_mint(f.access_key, c, "https://vault.azure.net", NOW, 3600, &at);
    cr_assert_eq(verify(&f, at.data, &p), 0);
    cr_expect_eq(p.perms, (unsigned)SL_VAULT_PERM_UNWRAP, "the client's permissions");
    cr_expect(strncmp(p.id, "client:", 7) == 0);
    /* Expiry, audience and integrity. */
    char h[1200];
    snprintf(h, sizeof h, "Bearer %s", at.data);
    cr_expect_eq(sl_vault_auth_verify(&f.auth, h, strlen(h), NOW + 3600, &p), SL_EAUTH);
    f.auth.resource = "https://other.example";
    cr_expect_eq(verify(&f, at.data, &p), SL_EAUTH, "wrong audience");
    f.auth.resource = "https://vault.azure.net/";
    cr_expect_eq(verify(&f, at.data, &p), 0, "a trailing slash is the same audience");
    at.data[10] ^= 1;
    cr_expect_eq(verify(&f, at.data, &p), SL_EAUTH, "altered payload");
    sl_buf_dispose(&at);
    /* The client's record governs: an expired client's tokens stop working. */
    sl_vault_access_mint(f.access_key, c, "https://vault.azure.net", NOW, 3600, &at);
    c->expires = NOW;
    cr_expect_eq(verify(&f, at.data, &p), SL_EAUTH);
    sl_buf_dispose(&at);
    teardown(&f);
}

Test(vault_tokens, managed_identity_tokens_follow_the_start_up_setting)
{
    fixture_t f;
    setup(&f);
    sl_buf_t at = SL_BUF_INIT;
    sl_vault_access_mint(f.access_key, NULL, "https://vault.azure.net", NOW, 60, &at);
    sl_vault_principal_t p;
    cr_expect_eq(verify(&f, at.data, &p), SL_EAUTH, "identity not enabled");
    f.auth.mi_enabled = true;
    f.auth.mi_perms = SL_VAULT_PERM_GET | SL_VAULT_PERM_WRAP;
    cr_assert_eq(verify(&f, at.data, &p), 0);
    cr_expect_eq(p.perms, (unsigned)(SL_VAULT_PERM_GET | SL_VAULT_PERM_WRAP));
    cr_expect_str_eq(p.id, "mi");
    cr_expect_null(p.tok);
    sl_key_t *other;
    cr_assert_eq(sl_key_create_random(&other), 0);
    f.auth.access_key = other;
    cr_expect_eq(verify(&f, at.data, &p), SL_EAUTH, "minted by another vault");
    sl_key_destroy(other);
    sl_buf_dispose(&at);
    teardown(&f);
}

Test(vault_tokens, key_scope)
{
    sl_vault_tok_t t;
    memset(&t, 0, sizeof t);
    sl_vault_principal_t p = { .tok = &t };
    cr_expect(sl_vault_principal_key_allowed(&p, "anything"), "no list: every key");
    snprintf(t.keys[t.nkeys++], sizeof t.keys[0], "CMK");
    cr_expect(sl_vault_principal_key_allowed(&p, "cmk"), "names are case-insensitive");
    cr_expect(!sl_vault_principal_key_allowed(&p, "other"));
    sl_vault_principal_t mi = { .tok = NULL };
    cr_expect(sl_vault_principal_key_allowed(&mi, "other"));
}
