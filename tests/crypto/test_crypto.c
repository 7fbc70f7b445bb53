#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"

Test(crypto_hash, sha256_and_hmac_vectors)
{
    uint8_t h[32];
    char hex[65];
    sl_sha256("abc", 3, h);
    sl_hex_encode(h, 32, hex);
    cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* RFC 4231 test case 2 */
    sl_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, h);
    sl_hex_encode(h, 32, hex);
    cr_expect_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Test(crypto_hash, hkdf_rfc5869_case1)
{
    uint8_t ikm[22], salt[13], info[10], okm[42];
    memset(ikm, 0x0b, sizeof ikm);
    for (int i = 0; i < 13; i++)
        salt[i] = (uint8_t)i;
    for (int i = 0; i < 10; i++)
        info[i] = (uint8_t)(0xf0 + i);
    cr_assert_eq(sl_hkdf_sha256(ikm, 22, salt, 13, info, 10, okm, 42), 0);
    char hex[85];
    sl_hex_encode(okm, 42, hex);
    cr_expect_str_eq(hex, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                          "34007208d5b887185865");
}

Test(crypto_aead, both_layers_round_trip_and_detect_tampering)
{
    sl_aead_alg_t algs[] = { SL_AEAD_AES256GCM, SL_AEAD_CHACHA20POLY1305 };
    uint8_t key[32], nonce[12] = { 1 };
    sl_random_bytes(key, 32);
    const char *pt = "canary-4f1c plaintext";
    size_t n = strlen(pt);
    for (int a = 0; a < 2; a++) {
        uint8_t ct[64], back[64];
        cr_assert_eq(sl_aead_seal(algs[a], key, nonce, "hdr", 3, pt, n, ct), 0);
        cr_expect(memmem(ct, n, "canary", 6) == NULL);
        cr_assert_eq(sl_aead_open(algs[a], key, nonce, "hdr", 3, ct, n + 16, back), 0);
        cr_expect(memcmp(back, pt, n) == 0);
        for (size_t i = 0; i < n + 16; i++) {
            ct[i] ^= 0x01;
            cr_expect_eq(sl_aead_open(algs[a], key, nonce, "hdr", 3, ct, n + 16, back),
                         SL_EINTEGRITY, "flip at %zu", i);
            ct[i] ^= 0x01;
        }
        cr_expect_eq(sl_aead_open(algs[a], key, nonce, "hdX", 3, ct, n + 16, back),
                     SL_EINTEGRITY, "associated data is authenticated");
    }
}

Test(crypto_seal, sealed_secrets_are_bound_to_their_owner)
{
    sl_key_t *k;
    cr_assert_eq(sl_key_create_random(&k), 0);
    sl_buf_t sealed = SL_BUF_INIT, out = SL_BUF_INIT;
    sl_seal(k, "ws-1", 4, "secret", 6, &sealed);
    cr_expect_eq(sealed.len, 6 + SL_SEALED_OVERHEAD);
    cr_assert_eq(sl_unseal(k, "ws-1", 4, sealed.data, sealed.len, &out), 0);
    cr_expect(out.len == 6 && !memcmp(out.data, "secret", 6));
    sl_buf_reset(&out);
    cr_expect_eq(sl_unseal(k, "ws-2", 4, sealed.data, sealed.len, &out), SL_EINTEGRITY);
    sl_buf_dispose(&sealed);
    sl_buf_dispose(&out);
    sl_key_destroy(k);
}

Test(crypto_keyfile, created_0600_reloaded_and_checked)
{
    char dir[] = "/tmp/sealog-key-XXXXXX";
    cr_assert(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/k", dir);
    sl_key_t *a, *b;
    bool created;
    sl_diag_t d;
    cr_expect_eq(sl_keyfile_load(path, false, &a, &created, &d), -ENOENT);
    cr_assert_eq(sl_keyfile_load(path, true, &a, &created, &d), 0, "%s", d.msg);
    cr_expect(created);
    struct stat st;
    stat(path, &st);
    cr_expect_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(sl_keyfile_load(path, false, &b, &created, &d), 0);
    cr_expect(!created);
    cr_expect(memcmp(sl_key_bytes(a), sl_key_bytes(b), 32) == 0);
    cr_expect_eq(sl_key_id(a), sl_key_id(b));
    sl_key_destroy(b);
    /* One flipped byte: refused, never used. */
    FILE *f = fopen(path, "r+b");
    fseek(f, 20, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 20, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    cr_expect_eq(sl_keyfile_load(path, false, &b, &created, &d), SL_EINTEGRITY);
    cr_expect(strstr(d.msg, "damaged"), "%s", d.msg);
    chmod(path, 0644);
    cr_expect_eq(sl_keyfile_load(path, false, &b, &created, &d), SL_EFORBIDDEN);
    sl_key_destroy(a);
    sl_rmtree(dir);
}

Test(crypto_tls, self_signed_certificate_and_encrypted_key)
{
    char dir[] = "/tmp/sealog-tls-XXXXXX";
    cr_assert(mkdtemp(dir));
    char cert[64], key[64];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    sl_key_t *wrap, *other;
    sl_key_create_random(&wrap);
    sl_key_create_random(&other);
    bool created;
    sl_diag_t d;
    cr_assert_eq(sl_tls_ensure_selfsigned(cert, key, wrap, &created, &d), 0, "%s", d.msg);
    cr_expect(created);
    sl_buf_t pem = SL_BUF_INIT;
    sl_read_file(key, 1 << 16, &pem);
    cr_expect(strstr(pem.data, "ENCRYPTED PRIVATE KEY"), "the key file is not in the clear");
    sl_buf_dispose(&pem);
    sl_tls_ctx_t *ctx;
    cr_expect_eq(sl_tls_ctx_create(cert, key, wrap, &ctx, &d), 0, "%s", d.msg);
    sl_tls_ctx_destroy(ctx);
    cr_expect_neq(sl_tls_ctx_create(cert, key, other, &ctx, &d), 0, "wrong service key");
    char fp[96];
    cr_expect_eq(sl_tls_fingerprint(cert, fp, &d), 0);
    cr_expect_eq(strlen(fp), 95);
    cr_assert_eq(sl_tls_ensure_selfsigned(cert, key, wrap, &created, &d), 0);
    cr_expect(!created, "kept across restarts");
    sl_key_destroy(wrap);
    sl_key_destroy(other);
    sl_rmtree(dir);
}
