#include <criterion/criterion.h>
#include <string.h>

#include "vault/vault_int.h"

static sl_key_t *rec_key(void)
{
    sl_key_t *k;
    cr_assert_eq(sl_key_create_random(&k), 0);
    return k;
}

static sl_vault_ver_t *rsa_version(void)
{
    sl_vault_ver_t *v = sl_vault_ver_create();
    sl_diag_t d;
    cr_assert_eq(sl_vault_mat_generate(SL_VAULT_KTY_RSA, 2048, 65537, &v->mat, &d), 0);
    sl_vault_version_new(v->id);
    v->seq = 4;
    v->kty = SL_VAULT_KTY_RSA;
    v->bits = 2048;
    v->ops = SL_VAULT_OP_WRAP | SL_VAULT_OP_UNWRAP;
    v->enabled = false;
    v->has_exp = true;
    v->exp = 1900000000;
    v->created = 1700000000;
    v->updated = 1700000500;
    v->tags = sl_xstrdup("{\"owner\":\"ops\"}");
    return v;
}

Test(vault_record, key_version_round_trips_through_a_sealed_file)
{
    sl_key_t *k = rec_key();
    sl_vault_ver_t *v = rsa_version();
    char ident[200];
    sl_vault_ver_ident("mykey", v->id, ident, sizeof ident);
    sl_buf_t pt = SL_BUF_INIT, file = SL_BUF_INIT, back = SL_BUF_INIT;
    sl_vault_ver_encode("MyKey", v, &pt);
    sl_vault_file_seal(k, SL_VAULT_REC_KEY, ident, pt.data, pt.len, &file);
    sl_buf_wipe(&pt);
    sl_diag_t d;
    cr_assert_eq(sl_vault_file_unseal(k, SL_VAULT_REC_KEY, ident, file.data, file.len, &back, &d),
                 0, "%s", d.msg);
    char name[SL_VAULT_NAME_MAX + 1];
    sl_vault_ver_t *r;
    cr_assert_eq(sl_vault_ver_decode(back.data, back.len, name, &r, &d), 0, "%s", d.msg);
    cr_expect_str_eq(name, "MyKey");
    cr_expect_str_eq(r->id, v->id);
    cr_expect_eq(r->seq, 4);
    cr_expect_eq(r->kty, SL_VAULT_KTY_RSA);
    cr_expect_eq(r->ops, v->ops);
    cr_expect(!r->enabled);
    cr_expect(r->has_exp && r->exp == 1900000000);
    cr_expect(!r->has_nbf);
    cr_expect_eq(r->created, 1700000000);
    cr_expect_eq(r->updated, 1700000500);
    cr_expect_str_eq(r->tags, "{\"owner\":\"ops\"}");
    /* The private key survived: what the original wraps, the copy unwraps. */
    uint8_t aek[32] = { 7, 7, 7 };
    sl_buf_t w = SL_BUF_INIT, u = SL_BUF_INIT;
    cr_assert_eq(sl_vault_wrap(v->mat, SL_VAULT_ALG_RSA_OAEP_256, aek, 32, &w, &d), 0);
    cr_assert_eq(sl_vault_unwrap(r->mat, SL_VAULT_ALG_RSA_OAEP_256, (uint8_t *)w.data, w.len, &u,
                                 &d),
                 0);
    cr_expect_eq(memcmp(u.data, aek, 32), 0);
    sl_buf_dispose(&w);
    sl_buf_dispose(&u);
    sl_buf_wipe(&back);
    sl_buf_dispose(&file);
    sl_vault_ver_destroy(r);
    sl_vault_ver_destroy(v);
    sl_key_destroy(k);
}

Test(vault_record, sealed_file_holds_no_key_material_or_metadata_in_the_clear)
{
    sl_key_t *k = rec_key();
    sl_vault_ver_t *v = rsa_version();
    sl_buf_t pt = SL_BUF_INIT, file = SL_BUF_INIT, der = SL_BUF_INIT, n = SL_BUF_INIT,
             e = SL_BUF_INIT;
    sl_vault_ver_encode("MyKey", v, &pt);
    sl_vault_file_seal(k, SL_VAULT_REC_KEY, "key:mykey/x", pt.data, pt.len, &file);
    cr_assert_eq(sl_vault_mat_export(v->mat, &der), 0);
    cr_assert_eq(sl_vault_mat_rsa_public(v->mat, &n, &e), 0);
    /* The plain record does hold them (so the search below means something)... */
    cr_expect_not_null(memmem(pt.data, pt.len, der.data + 64, 32));
    cr_expect_not_null(memmem(pt.data, pt.len, "owner", 5));
    /* ...the sealed file does not: no piece of the private key, the modulus
     * (which the PKCS#1 DER contains), or the tags. */
    cr_expect_null(memmem(file.data, file.len, der.data + 64, 32));
    cr_expect_null(memmem(file.data, file.len, n.data, 16));
    cr_expect_null(memmem(file.data, file.len, "owner", 5));
    cr_expect_null(memmem(file.data, file.len, "MyKey", 5));
    cr_expect_eq(memcmp(file.data, "SLVAULT1K", 9), 0);
    sl_buf_wipe(&pt);
    sl_buf_wipe(&der);
    sl_buf_dispose(&file);
    sl_buf_dispose(&n);
    sl_buf_dispose(&e);
    sl_vault_ver_destroy(v);
    sl_key_destroy(k);
}

Test(vault_record, moved_altered_or_foreign_records_are_refused)
{
    sl_key_t *k = rec_key(), *other = rec_key();
    const char msg[] = "record body";
    sl_buf_t file = SL_BUF_INIT, out = SL_BUF_INIT;
    sl_diag_t d;
    sl_vault_file_seal(k, SL_VAULT_REC_KEY, "key:a/1", msg, sizeof msg, &file);
    cr_expect_eq(sl_vault_file_unseal(k, SL_VAULT_REC_KEY, "key:b/1", file.data, file.len, &out,
                                      &d),
                 SL_EINTEGRITY, "a record copied over another key's file");
    cr_expect_eq(sl_vault_file_unseal(k, SL_VAULT_REC_TOKEN, "key:a/1", file.data, file.len, &out,
                                      &d),
                 SL_EINTEGRITY, "wrong record type");
    cr_expect_eq(sl_vault_file_unseal(other, SL_VAULT_REC_KEY, "key:a/1", file.data, file.len,
                                      &out, &d),
                 SL_EINTEGRITY, "another master key");
    file.data[file.len - 3] ^= 1;
    cr_expect_eq(sl_vault_file_unseal(k, SL_VAULT_REC_KEY, "key:a/1", file.data, file.len, &out,
                                      &d),
                 SL_EINTEGRITY, "one flipped bit");
    cr_expect_eq(sl_vault_file_unseal(k, SL_VAULT_REC_KEY, "key:a/1", "SLVAULT1", 8, &out, &d),
                 SL_EINTEGRITY, "truncated");
    cr_expect_eq(out.len, 0);
    sl_buf_dispose(&out);
    sl_buf_dispose(&file);
    sl_key_destroy(k);
    sl_key_destroy(other);
}

Test(vault_record, malformed_key_records_are_refused)
{
    sl_vault_ver_t *r = NULL;
    char name[SL_VAULT_NAME_MAX + 1];
    sl_diag_t d;
    cr_expect_eq(sl_vault_ver_decode("\xff\xff", 2, name, &r, &d), SL_EINTEGRITY);
    sl_buf_t b = SL_BUF_INIT;
    sl_rec_put_str(&b, 1, "k");
    sl_rec_put_str(&b, 2, "0123456789abcdef0123456789abcdef");
    sl_rec_put_u(&b, 3, 1);
    sl_rec_put_u(&b, 4, SL_VAULT_KTY_OCT);
    cr_expect_eq(sl_vault_ver_decode(b.data, b.len, name, &r, &d), SL_EINTEGRITY,
                 "no key material");
    sl_rec_put_bytes(&b, 13, "short", 5);
    cr_expect_eq(sl_vault_ver_decode(b.data, b.len, name, &r, &d), SL_EINTEGRITY,
                 "oct material of the wrong size");
    sl_buf_dispose(&b);
    cr_expect_null(r);
}

Test(vault_record, token_records_round_trip)
{
    sl_key_t *hk = rec_key();
    sl_vault_tok_t t, back;
    memset(&t, 0, sizeof t);
    char secret[96];
    t.perms = SL_VAULT_PERM_GET | SL_VAULT_PERM_UNWRAP;
    snprintf(t.keys[t.nkeys++], sizeof t.keys[0], "cmk");
    snprintf(t.name, sizeof t.name, "node-1");
    sl_vault_tok_mint(hk, SL_VAULT_TOK_CLIENT, &t, secret);
    t.created = 100;
    t.expires = 200;
    sl_buf_t b = SL_BUF_INIT;
    sl_vault_tok_encode(&t, &b);
    cr_expect_null(memmem(b.data, b.len, secret, strlen(secret)), "the secret is not stored");
    sl_diag_t d;
    cr_assert_eq(sl_vault_tok_decode(b.data, b.len, &back, &d), 0, "%s", d.msg);
    cr_expect_eq(memcmp(back.id, t.id, SL_VAULT_TOK_ID_LEN), 0);
    cr_expect_eq(back.kind, SL_VAULT_TOK_CLIENT);
    cr_expect_eq(back.perms, t.perms);
    cr_expect_eq(back.nkeys, 1);
    cr_expect_str_eq(back.keys[0], "cmk");
    cr_expect_str_eq(back.name, "node-1");
    cr_expect_eq(back.expires, 200);
    cr_expect_eq(memcmp(back.client_id.b, t.client_id.b, 16), 0);
    cr_expect_eq(memcmp(back.hash, t.hash, 32), 0);
    sl_buf_dispose(&b);
    sl_key_destroy(hk);
}
