#include <criterion/criterion.h>
#include <string.h>

#include "vault/vault_int.h"

static sl_vault_mat_t *rsa(unsigned bits)
{
    sl_vault_mat_t *m = NULL;
    sl_diag_t d;
    cr_assert_eq(sl_vault_mat_generate(SL_VAULT_KTY_RSA, bits, 65537, &m, &d), 0, "%s", d.msg);
    return m;
}

static sl_vault_mat_t *oct_from(const uint8_t key[32])
{
    sl_vault_mat_t *m = NULL;
    sl_diag_t d;
    cr_assert_eq(sl_vault_mat_import(SL_VAULT_KTY_OCT, key, 32, &m, &d), 0, "%s", d.msg);
    return m;
}

static void round_trip(sl_vault_mat_t *m, sl_vault_alg_t alg, size_t n)
{
    uint8_t pt[512];
    sl_random_bytes(pt, n);
    sl_buf_t w = SL_BUF_INIT, u = SL_BUF_INIT;
    sl_diag_t d;
    cr_assert_eq(sl_vault_wrap(m, alg, pt, n, &w, &d), 0, "%s: %s", sl_vault_alg_name(alg), d.msg);
    cr_assert_neq(w.len, 0);
    cr_assert(w.len < n || memcmp(w.data, pt, n) != 0, "wrapped value differs from the input");
    cr_assert_eq(sl_vault_unwrap(m, alg, (uint8_t *)w.data, w.len, &u, &d), 0, "%s", d.msg);
    cr_assert_eq(u.len, n);
    cr_assert_eq(memcmp(u.data, pt, n), 0, "%s round trip", sl_vault_alg_name(alg));
    sl_buf_dispose(&w);
    sl_buf_dispose(&u);
}

Test(vault_kcrypto, rsa_algorithms_round_trip_a_32_byte_aek)
{
    sl_vault_mat_t *m = rsa(2048);
    cr_expect_eq(sl_vault_mat_bits(m), 2048);
    round_trip(m, SL_VAULT_ALG_RSA_OAEP_256, 32);
    round_trip(m, SL_VAULT_ALG_RSA_OAEP, 32);
    round_trip(m, SL_VAULT_ALG_RSA1_5, 32);
    /* The largest inputs each padding allows with a 2048-bit key. */
    round_trip(m, SL_VAULT_ALG_RSA_OAEP_256, 190);
    round_trip(m, SL_VAULT_ALG_RSA_OAEP, 214);
    round_trip(m, SL_VAULT_ALG_RSA1_5, 245);
    sl_vault_mat_unref(m);
}

Test(vault_kcrypto, rsa_wrap_rejects_inputs_the_padding_cannot_take)
{
    sl_vault_mat_t *m = rsa(2048);
    uint8_t big[191] = { 0 };
    sl_buf_t w = SL_BUF_INIT;
    sl_diag_t d;
    cr_expect_eq(sl_vault_wrap(m, SL_VAULT_ALG_RSA_OAEP_256, big, 191, &w, &d), SL_EINVAL);
    cr_expect(strstr(d.msg, "190"), "message names the limit: %s", d.msg);
    cr_expect_eq(sl_vault_wrap(m, SL_VAULT_ALG_RSA_OAEP_256, big, 0, &w, &d), SL_EINVAL);
    cr_expect_eq(sl_vault_wrap(m, SL_VAULT_ALG_A256KW, big, 32, &w, &d), SL_EINVAL,
                 "A256KW does not apply to RSA keys");
    cr_expect_eq(sl_vault_unwrap(m, SL_VAULT_ALG_RSA_OAEP_256, big, 191, &w, &d), SL_EINVAL,
                 "RSA input must be one modulus long");
    sl_buf_dispose(&w);
    sl_vault_mat_unref(m);
}

Test(vault_kcrypto, unwrap_with_the_wrong_key_or_algorithm_or_corrupted_input_is_integrity)
{
    sl_vault_mat_t *a = rsa(2048), *b = rsa(2048);
    uint8_t aek[32];
    sl_random_bytes(aek, sizeof aek);
    sl_vault_alg_t algs[] = { SL_VAULT_ALG_RSA_OAEP_256, SL_VAULT_ALG_RSA_OAEP,
                              SL_VAULT_ALG_RSA1_5 };
    for (size_t i = 0; i < 3; i++) {
        sl_buf_t w = SL_BUF_INIT, u = SL_BUF_INIT;
        sl_diag_t d;
        cr_assert_eq(sl_vault_wrap(a, algs[i], aek, 32, &w, &d), 0);
        cr_expect_eq(sl_vault_unwrap(b, algs[i], (uint8_t *)w.data, w.len, &u, &d),
                     SL_EINTEGRITY, "%s with another key", sl_vault_alg_name(algs[i]));
        cr_expect_eq(u.len, 0, "nothing handed back");
        w.data[w.len / 2] ^= 0x01;
        cr_expect_eq(sl_vault_unwrap(a, algs[i], (uint8_t *)w.data, w.len, &u, &d),
                     SL_EINTEGRITY, "%s corrupted", sl_vault_alg_name(algs[i]));
        sl_buf_dispose(&w);
        sl_buf_dispose(&u);
    }
    /* OAEP with SHA-256 is not OAEP with SHA-1: the algorithm is checked. */
    sl_buf_t w = SL_BUF_INIT, u = SL_BUF_INIT;
    sl_diag_t d;
    cr_assert_eq(sl_vault_wrap(a, SL_VAULT_ALG_RSA_OAEP_256, aek, 32, &w, &d), 0);
    cr_expect_eq(sl_vault_unwrap(a, SL_VAULT_ALG_RSA_OAEP, (uint8_t *)w.data, w.len, &u, &d),
                 SL_EINTEGRITY);
    sl_buf_dispose(&w);
    sl_buf_dispose(&u);
    sl_vault_mat_unref(a);
    sl_vault_mat_unref(b);
}

/* RFC 3394 §4.6 (256-bit KEK, 256-bit key data) and §4.3 (128-bit data). */
Test(vault_kcrypto, a256kw_matches_rfc3394_vectors)
{
    uint8_t kek[32];
    for (int i = 0; i < 32; i++)
        kek[i] = (uint8_t)i;
    sl_vault_mat_t *m = oct_from(kek);
    struct {
        const char *data, *wrapped;
    } v[] = {
        { "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
          "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21" },
        { "00112233445566778899aabbccddeeff",
          "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7" },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(v); i++) {
        uint8_t data[32];
        size_t n = strlen(v[i].data) / 2;
        cr_assert_eq(sl_hex_decode(v[i].data, n * 2, data), 0);
        sl_buf_t w = SL_BUF_INIT, u = SL_BUF_INIT;
        sl_diag_t d;
        cr_assert_eq(sl_vault_wrap(m, SL_VAULT_ALG_A256KW, data, n, &w, &d), 0, "%s", d.msg);
        char hex[128];
        sl_hex_encode(w.data, w.len, hex);
        cr_expect_str_eq(hex, v[i].wrapped);
        cr_assert_eq(sl_vault_unwrap(m, SL_VAULT_ALG_A256KW, (uint8_t *)w.data, w.len, &u, &d), 0);
        cr_expect_eq(u.len, n);
        cr_expect_eq(memcmp(u.data, data, n), 0);
        sl_buf_dispose(&w);
        sl_buf_dispose(&u);
    }
    sl_vault_mat_unref(m);
}

Test(vault_kcrypto, a256kw_integrity_and_size_rules)
{
    sl_vault_mat_t *m = NULL, *other = NULL;
    sl_diag_t d;
    cr_assert_eq(sl_vault_mat_generate(SL_VAULT_KTY_OCT_HSM, 256, 0, &m, &d), 0);
    cr_assert_eq(sl_vault_mat_generate(SL_VAULT_KTY_OCT, 256, 0, &other, &d), 0);
    round_trip(m, SL_VAULT_ALG_A256KW, 32);
    round_trip(m, SL_VAULT_ALG_A256KW, 16);
    uint8_t aek[32] = { 1, 2, 3 };
    sl_buf_t w = SL_BUF_INIT, u = SL_BUF_INIT;
    cr_assert_eq(sl_vault_wrap(m, SL_VAULT_ALG_A256KW, aek, 32, &w, &d), 0);
    cr_expect_eq(w.len, 40, "RFC 3394 adds one 64-bit block");
    cr_expect_eq(sl_vault_unwrap(other, SL_VAULT_ALG_A256KW, (uint8_t *)w.data, w.len, &u, &d),
                 SL_EINTEGRITY, "another key");
    w.data[3] ^= 0x40;
    cr_expect_eq(sl_vault_unwrap(m, SL_VAULT_ALG_A256KW, (uint8_t *)w.data, w.len, &u, &d),
                 SL_EINTEGRITY, "corrupted");
    cr_expect_eq(u.len, 0);
    cr_expect_eq(sl_vault_wrap(m, SL_VAULT_ALG_A256KW, aek, 20, &w, &d), SL_EINVAL,
                 "not a multiple of 8");
    cr_expect_eq(sl_vault_wrap(m, SL_VAULT_ALG_A256KW, aek, 8, &w, &d), SL_EINVAL, "one block");
    cr_expect_eq(sl_vault_wrap(m, SL_VAULT_ALG_RSA_OAEP_256, aek, 32, &w, &d), SL_EINVAL,
                 "RSA algorithms do not apply to oct keys");
    cr_expect_eq(sl_vault_mat_generate(SL_VAULT_KTY_OCT, 128, 0, &other, &d), SL_EINVAL,
                 "only 256-bit oct keys");
    sl_buf_dispose(&w);
    sl_buf_dispose(&u);
    sl_vault_mat_unref(m);
    sl_vault_mat_unref(other);
}

Test(vault_kcrypto, export_import_keeps_the_key)
{
    sl_vault_mat_t *m = rsa(2048), *back = NULL;
    sl_buf_t der = SL_BUF_INIT, n1 = SL_BUF_INIT, e1 = SL_BUF_INIT, n2 = SL_BUF_INIT,
             e2 = SL_BUF_INIT;
    sl_diag_t d;
    cr_assert_eq(sl_vault_mat_export(m, &der), 0);
    cr_assert_eq(sl_vault_mat_import(SL_VAULT_KTY_RSA, (uint8_t *)der.data, der.len, &back, &d), 0,
                 "%s", d.msg);
    cr_assert_eq(sl_vault_mat_rsa_public(m, &n1, &e1), 0);
    cr_assert_eq(sl_vault_mat_rsa_public(back, &n2, &e2), 0);
    cr_expect_eq(n1.len, 256);
    cr_expect_eq(e1.len, 3);
    cr_expect_eq(memcmp(e1.data, "\x01\x00\x01", 3), 0);
    cr_expect(n1.len == n2.len && !memcmp(n1.data, n2.data, n1.len), "same modulus");
    /* What one wraps the other unwraps. */
    uint8_t aek[32] = { 9 };
    sl_buf_t w = SL_BUF_INIT, u = SL_BUF_INIT;
    cr_assert_eq(sl_vault_wrap(m, SL_VAULT_ALG_RSA_OAEP_256, aek, 32, &w, &d), 0);
    cr_assert_eq(sl_vault_unwrap(back, SL_VAULT_ALG_RSA_OAEP_256, (uint8_t *)w.data, w.len, &u, &d),
                 0);
    cr_expect_eq(memcmp(u.data, aek, 32), 0);
    cr_expect_neq(sl_vault_mat_import(SL_VAULT_KTY_RSA, (uint8_t *)der.data, der.len / 2, &back,
                                      &d),
                  0, "a truncated key is refused");
    sl_buf_wipe(&der);
    sl_buf_dispose(&w);
    sl_buf_dispose(&u);
    sl_buf_dispose(&n1);
    sl_buf_dispose(&e1);
    sl_buf_dispose(&n2);
    sl_buf_dispose(&e2);
    sl_vault_mat_unref(m);
    sl_vault_mat_unref(back);
}

Test(vault_kcrypto, generation_sizes_and_exponents)
{
    sl_vault_mat_t *m = NULL;
    sl_diag_t d;
    cr_assert_eq(sl_vault_mat_generate(SL_VAULT_KTY_RSA, 3072, 3, &m, &d), 0, "%s", d.msg);
    sl_buf_t n = SL_BUF_INIT, e = SL_BUF_INIT;
    cr_assert_eq(sl_vault_mat_rsa_public(m, &n, &e), 0);
    cr_expect_eq(n.len, 384);
    cr_expect(e.len == 1 && e.data[0] == 3, "exponent 3");
    round_trip(m, SL_VAULT_ALG_RSA_OAEP_256, 32);
    sl_vault_mat_unref(m);
    cr_expect_eq(sl_vault_mat_generate(SL_VAULT_KTY_RSA, 1024, 65537, &m, &d), SL_EINVAL,
                 "1024-bit keys are refused");
    cr_expect_eq(sl_vault_mat_generate(SL_VAULT_KTY_RSA, 2048, 17, &m, &d), SL_EINVAL);
    sl_buf_dispose(&n);
    sl_buf_dispose(&e);
}

Test(vault_kcrypto, names_of_types_and_algorithms)
{
    cr_expect_eq(sl_vault_alg_parse("RSA-OAEP-256"), SL_VAULT_ALG_RSA_OAEP_256);
    cr_expect_eq(sl_vault_alg_parse("RSA1_5"), SL_VAULT_ALG_RSA1_5);
    cr_expect_eq(sl_vault_alg_parse("A256KW"), SL_VAULT_ALG_A256KW);
    cr_expect_eq(sl_vault_alg_parse("rsa-oaep-256"), 0, "names are exact, as Key Vault's");
    cr_expect_eq(sl_vault_alg_parse("A128KW"), 0);
    cr_expect_eq(sl_vault_kty_parse("oct-HSM"), SL_VAULT_KTY_OCT_HSM);
    cr_expect_eq(sl_vault_kty_parse("EC"), 0);
    cr_expect(sl_vault_alg_fits(SL_VAULT_ALG_A256KW, SL_VAULT_KTY_OCT));
    cr_expect(!sl_vault_alg_fits(SL_VAULT_ALG_A256KW, SL_VAULT_KTY_RSA));
    cr_expect(!sl_vault_alg_fits(SL_VAULT_ALG_RSA1_5, SL_VAULT_KTY_OCT_HSM));
}
