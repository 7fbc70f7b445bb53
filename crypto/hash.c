/*
 * SHA-256, HMAC-SHA256 and HKDF-SHA256 through OpenSSL 3's EVP interfaces.
 * Sub-keys are derived with HKDF using the purpose string as `info`, so keys
 * for different jobs are independent even though they share a root.
 */
#include "crypto/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sl_sha256_ctx {
    EVP_MD_CTX *md;
};

void sl_sha256(const void *data, size_t n, uint8_t out[SL_SHA256_LEN])
{
    unsigned int len = 0;
    if (!EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) || len != SL_SHA256_LEN) {
        fprintf(stderr, "sealog: SHA-256 failed\n");
        abort();
    }
}

sl_sha256_ctx_t *sl_sha256_begin(void)
{
    sl_sha256_ctx_t *c = sl_xmalloc(sizeof *c);
    c->md = EVP_MD_CTX_new();
    if (!c->md || !EVP_DigestInit_ex(c->md, EVP_sha256(), NULL)) {
        fprintf(stderr, "sealog: SHA-256 init failed\n");
        abort();
    }
    return c;
}

void sl_sha256_update(sl_sha256_ctx_t *c, const void *data, size_t n)
{
    EVP_DigestUpdate(c->md, data, n);
}

void sl_sha256_end(sl_sha256_ctx_t *c, uint8_t out[SL_SHA256_LEN])
{
    unsigned int len = 0;
    EVP_DigestFinal_ex(c->md, out, &len);
    EVP_MD_CTX_free(c->md);
    sl_free(c);
}

void sl_hmac_sha256(const void *key, size_t keyn, const void *data, size_t n,
                    uint8_t out[SL_SHA256_LEN])
{
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key, (int)keyn, data, n, out, &len)) {
        fprintf(stderr, "sealog: HMAC-SHA256 failed\n");
        abort();
    }
}

int sl_hkdf_sha256(const uint8_t *ikm, size_t ikmn, const void *salt, size_t saltn,
                   const void *info, size_t infon, uint8_t *out, size_t outn)
{
    int rc = SL_ECRYPTO;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (!kctx)
        goto done;
    OSSL_PARAM params[5], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmn);
    if (saltn)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltn);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infon);
    *p = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(kctx, out, outn, params) == 1)
        rc = 0;
done:
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return rc;
}

int sl_key_derive_raw(const sl_key_t *k, const char *purpose, const void *ctx, size_t ctxn,
                      uint8_t out[SL_KEY_LEN])
{
    /* info = "sealog/" purpose 0x00 ctx: the NUL keeps (purpose, ctx) unambiguous. */
    uint8_t info[256];
    size_t pn = strlen(purpose);
    if (7 + pn + 1 + ctxn > sizeof info)
        return SL_EINVAL;
    memcpy(info, "sealog/", 7);
    memcpy(info + 7, purpose, pn);
    info[7 + pn] = 0;
    if (ctxn)
        memcpy(info + 8 + pn, ctx, ctxn);
    return sl_hkdf_sha256(sl_key_bytes(k), SL_KEY_LEN, NULL, 0, info, 8 + pn + ctxn, out,
                          SL_KEY_LEN);
}

int sl_key_derive(const sl_key_t *k, const char *purpose, const void *ctx, size_t ctxn,
                  sl_key_t **out)
{
    uint8_t raw[SL_KEY_LEN];
    int rc = sl_key_derive_raw(k, purpose, ctx, ctxn, raw);
    if (!rc)
        rc = sl_key_create_from(raw, out);
    OPENSSL_cleanse(raw, sizeof raw);
    return rc;
}

void sl_token_secret(char *out, size_t nbytes)
{
    uint8_t raw[64];
    if (nbytes > sizeof raw)
        nbytes = sizeof raw;
    sl_random_bytes(raw, nbytes);
    size_t n = sl_base64url_encode(raw, nbytes, out);
    out[n] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
}
