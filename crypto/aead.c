/*
 * The two AEAD layers: AES-256-GCM (service layer, keyed per block) and
 * ChaCha20-Poly1305 (infrastructure layer, the node's separate key). Both
 * take 12-byte nonces and produce 16-byte tags, so callers treat them alike.
 */
#include "crypto/crypto.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

static const EVP_CIPHER *cipher_of(sl_aead_alg_t alg)
{
    switch (alg) {
    case SL_AEAD_AES256GCM:
        return EVP_aes_256_gcm();
    case SL_AEAD_CHACHA20POLY1305:
        return EVP_chacha20_poly1305();
    }
    return NULL;
}

int sl_aead_seal(sl_aead_alg_t alg, const uint8_t key[SL_KEY_LEN],
                 const uint8_t nonce[SL_AEAD_NONCE_LEN], const void *aad, size_t aad_n,
                 const void *pt, size_t pt_n, uint8_t *out)
{
    const EVP_CIPHER *c = cipher_of(alg);
    if (!c || pt_n > INT_MAX || aad_n > INT_MAX)
        return SL_EINVAL;
    int rc = SL_ECRYPTO, len = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_EncryptInit_ex(ctx, c, NULL, key, nonce) != 1)
        goto done;
    if (aad_n && EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aad_n) != 1)
        goto done;
    if (pt_n && EVP_EncryptUpdate(ctx, out, &len, pt, (int)pt_n) != 1)
        goto done;
    if (EVP_EncryptFinal_ex(ctx, out + len, &len) != 1)
        goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SL_AEAD_TAG_LEN, out + pt_n) != 1)
        goto done;
    rc = 0;
done:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the expanded key */
    return rc;
}

int sl_aead_open(sl_aead_alg_t alg, const uint8_t key[SL_KEY_LEN],
                 const uint8_t nonce[SL_AEAD_NONCE_LEN], const void *aad, size_t aad_n,
                 const void *ct, size_t ct_n, uint8_t *out)
{
    const EVP_CIPHER *c = cipher_of(alg);
    if (!c || ct_n > INT_MAX || aad_n > INT_MAX)
        return SL_EINVAL;
    if (ct_n < SL_AEAD_TAG_LEN)
        return SL_EINTEGRITY;
    size_t n = ct_n - SL_AEAD_TAG_LEN;
    int rc = SL_ECRYPTO, len = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_DecryptInit_ex(ctx, c, NULL, key, nonce) != 1)
        goto done;
    if (aad_n && EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aad_n) != 1)
        goto done;
    if (n && EVP_DecryptUpdate(ctx, out, &len, ct, (int)n) != 1)
        goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SL_AEAD_TAG_LEN,
                            (uint8_t *)ct + n) != 1)
        goto done;
    if (EVP_DecryptFinal_ex(ctx, out + len, &len) != 1) {
        /* Never hand back plaintext that failed authentication. */
        OPENSSL_cleanse(out, n);
        rc = SL_EINTEGRITY;
        goto done;
    }
    rc = 0;
done:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

void sl_seal(const sl_key_t *k, const void *aad, size_t aad_n, const void *pt, size_t pt_n,
             sl_buf_t *out)
{
    sl_buf_reserve(out, pt_n + SL_SEALED_OVERHEAD);
    uint8_t *p = (uint8_t *)out->data + out->len;
    sl_random_bytes(p, SL_AEAD_NONCE_LEN);
    if (sl_aead_seal(SL_AEAD_AES256GCM, sl_key_bytes(k), p, aad, aad_n, pt, pt_n,
                     p + SL_AEAD_NONCE_LEN)) {
        /* Only a broken OpenSSL fails here; storing an unsealed secret is never an option. */
        abort();
    }
    out->len += pt_n + SL_SEALED_OVERHEAD;
    out->data[out->len] = '\0';
}

int sl_unseal(const sl_key_t *k, const void *aad, size_t aad_n, const void *sealed,
              size_t sealed_n, sl_buf_t *out)
{
    if (sealed_n < SL_SEALED_OVERHEAD)
        return SL_EINTEGRITY;
    size_t n = sealed_n - SL_SEALED_OVERHEAD;
    sl_buf_reserve(out, n);
    const uint8_t *s = sealed;
    int rc = sl_aead_open(SL_AEAD_AES256GCM, sl_key_bytes(k), s, aad, aad_n,
                          s + SL_AEAD_NONCE_LEN, sealed_n - SL_AEAD_NONCE_LEN,
                          (uint8_t *)out->data + out->len);
    if (rc)
        return rc;
    out->len += n;
    out->data[out->len] = '\0';
    return 0;
}
