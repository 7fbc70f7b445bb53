/*
 * Key material and the wrap/unwrap algorithms of the Key Vault subset.
 *
 *   RSA-OAEP-256  RSAES-OAEP with SHA-256 and MGF1-SHA-256 (JWA §4.3)
 *   RSA-OAEP      RSAES-OAEP with SHA-1 and MGF1-SHA-1 (legacy)
 *   RSA1_5        RSAES-PKCS1-v1_5 (legacy)
 *   A256KW        AES Key Wrap, RFC 3394, with a 256-bit key
 *
 * RSA keys live in OpenSSL EVP_PKEY objects, which OpenSSL 3 allows to be
 * used from several threads at once as long as each operation has its own
 * EVP_PKEY_CTX — that is what lets unwraps run in parallel on the thread
 * pool. AES keys live in sl_key_t (locked, never dumped).
 *
 * Unwrap failures are integrity failures (SL_EINTEGRITY) whatever OpenSSL's
 * reason, so a caller cannot learn more about the padding than "no".
 * OpenSSL 3.2+ would otherwise answer a bad RSA1_5 input with random bytes
 * (implicit rejection); a vault must say "this is not yours" instead, so we
 * turn that off where it exists.
 */
#include "vault/vault_int.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <string.h>

struct sl_vault_mat {
    _Atomic int refs;
    sl_vault_kty_t kty;
    unsigned bits;
    EVP_PKEY *pkey; /* RSA */
    sl_key_t *oct;  /* oct, oct-HSM */
};

static const struct {
    sl_vault_kty_t kty;
    const char *name;
} ktys[] = {
    { SL_VAULT_KTY_RSA, "RSA" },
    { SL_VAULT_KTY_OCT, "oct" },
    { SL_VAULT_KTY_OCT_HSM, "oct-HSM" },
};

static const struct {
    sl_vault_alg_t alg;
    const char *name;
} algs[] = {
    { SL_VAULT_ALG_RSA_OAEP_256, "RSA-OAEP-256" },
    { SL_VAULT_ALG_RSA_OAEP, "RSA-OAEP" },
    { SL_VAULT_ALG_RSA1_5, "RSA1_5" },
    { SL_VAULT_ALG_A256KW, "A256KW" },
};

const char *sl_vault_kty_name(sl_vault_kty_t kty)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(ktys); i++)
        if (ktys[i].kty == kty)
            return ktys[i].name;
    return "?";
}

sl_vault_kty_t sl_vault_kty_parse(const char *s)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(ktys); i++)
        if (!strcmp(ktys[i].name, s))
            return ktys[i].kty;
    return 0;
}

bool sl_vault_kty_is_oct(sl_vault_kty_t kty)
{
    return kty == SL_VAULT_KTY_OCT || kty == SL_VAULT_KTY_OCT_HSM;
}

const char *sl_vault_alg_name(sl_vault_alg_t alg)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(algs); i++)
        if (algs[i].alg == alg)
            return algs[i].name;
    return "?";
}

sl_vault_alg_t sl_vault_alg_parse(const char *s)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(algs); i++)
        if (!strcmp(algs[i].name, s))
            return algs[i].alg;
    return 0;
}

bool sl_vault_alg_fits(sl_vault_alg_t alg, sl_vault_kty_t kty)
{
    if (alg == SL_VAULT_ALG_A256KW)
        return sl_vault_kty_is_oct(kty);
    return kty == SL_VAULT_KTY_RSA;
}

static int ossl_fail(sl_diag_t *d, const char *what)
{
    char buf[160] = "unknown error";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return sl_diag_set(d, SL_ECRYPTO, "%s: %s", what, buf);
}

static sl_vault_mat_t *mat_new(sl_vault_kty_t kty, unsigned bits)
{
    sl_vault_mat_t *m = sl_xcalloc(1, sizeof *m);
    atomic_init(&m->refs, 1);
    m->kty = kty;
    m->bits = bits;
    return m;
}

sl_vault_mat_t *sl_vault_mat_ref(sl_vault_mat_t *m)
{
    atomic_fetch_add(&m->refs, 1);
    return m;
}

void sl_vault_mat_unref(sl_vault_mat_t *m)
{
    if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    EVP_PKEY_free(m->pkey);
    sl_key_destroy(m->oct);
    sl_free(m);
}

unsigned sl_vault_mat_bits(const sl_vault_mat_t *m)
{
    return m->bits;
}

int sl_vault_mat_generate(sl_vault_kty_t kty, unsigned bits, unsigned long exponent,
                          sl_vault_mat_t **out, sl_diag_t *d)
{
    if (sl_vault_kty_is_oct(kty)) {
        if (bits != 256)
            return sl_diag_set(d, SL_EINVAL, "oct keys are 256 bits (A256KW), not %u", bits);
        sl_vault_mat_t *m = mat_new(kty, bits);
        if (sl_key_create_random(&m->oct)) {
            sl_vault_mat_unref(m);
            return sl_diag_set(d, SL_ENOMEM, "cannot allocate key memory");
        }
        *out = m;
        return 0;
    }
    if (kty != SL_VAULT_KTY_RSA)
        return sl_diag_set(d, SL_EINVAL, "unsupported key type");
    if (bits != 2048 && bits != 3072 && bits != 4096)
        return sl_diag_set(d, SL_EINVAL, "RSA key_size must be 2048, 3072 or 4096, not %u", bits);
    if (exponent != 3 && exponent != 65537)
        return sl_diag_set(d, SL_EINVAL, "public_exponent must be 3 or 65537, not %lu", exponent);
    int rc = 0;
    EVP_PKEY *pkey = NULL;
    BIGNUM *e = BN_new();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (!e || !ctx || !BN_set_word(e, exponent) || EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0 || EVP_PKEY_keygen(ctx, &pkey) <= 0) {
        rc = ossl_fail(d, "RSA key generation failed");
    } else {
        sl_vault_mat_t *m = mat_new(kty, bits);
        m->pkey = pkey;
        *out = m;
    }
    EVP_PKEY_CTX_free(ctx);
    BN_free(e);
    return rc;
}

int sl_vault_mat_export(const sl_vault_mat_t *m, sl_buf_t *out)
{
    /* i2d_PrivateKey writes the traditional PKCS#1 RSAPrivateKey: no
     * algorithm wrapper to parse back, and the type is in the record. */
    if (m->oct) {
        sl_buf_append(out, sl_key_bytes(m->oct), SL_KEY_LEN);
        return 0;
    }
    int len = i2d_PrivateKey(m->pkey, NULL);
    if (len <= 0)
        return SL_ECRYPTO;
    sl_buf_reserve(out, (size_t)len);
    unsigned char *p = (unsigned char *)out->data + out->len;
    if (i2d_PrivateKey(m->pkey, &p) != len)
        return SL_ECRYPTO;
    out->len += (size_t)len;
    out->data[out->len] = '\0';
    return 0;
}

int sl_vault_mat_import(sl_vault_kty_t kty, const uint8_t *p, size_t n, sl_vault_mat_t **out,
                        sl_diag_t *d)
{
    if (sl_vault_kty_is_oct(kty)) {
        if (n != SL_KEY_LEN)
            return sl_diag_set(d, SL_EINTEGRITY, "oct key material has %zu bytes", n);
        sl_vault_mat_t *m = mat_new(kty, 256);
        if (sl_key_create_from(p, &m->oct)) {
            sl_vault_mat_unref(m);
            return sl_diag_set(d, SL_ENOMEM, "cannot allocate key memory");
        }
        *out = m;
        return 0;
    }
    if (kty != SL_VAULT_KTY_RSA)
        return sl_diag_set(d, SL_EINTEGRITY, "unknown key type %d", (int)kty);
    const unsigned char *q = p;
    EVP_PKEY *pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &q, (long)n);
    if (!pkey)
        return ossl_fail(d, "stored RSA key does not parse");
    sl_vault_mat_t *m = mat_new(kty, (unsigned)EVP_PKEY_get_bits(pkey));
    m->pkey = pkey;
    *out = m;
    return 0;
}

static int bn_param(const EVP_PKEY *pkey, const char *name, sl_buf_t *out)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
        return SL_ECRYPTO;
    int len = BN_num_bytes(bn);
    sl_buf_reserve(out, (size_t)len);
    BN_bn2bin(bn, (unsigned char *)out->data + out->len);
    out->len += (size_t)len;
    out->data[out->len] = '\0';
    BN_free(bn);
    return 0;
}

int sl_vault_mat_rsa_public(const sl_vault_mat_t *m, sl_buf_t *n, sl_buf_t *e)
{
    if (!m->pkey)
        return SL_EINVAL;
    int rc = bn_param(m->pkey, OSSL_PKEY_PARAM_RSA_N, n);
    if (!rc)
        rc = bn_param(m->pkey, OSSL_PKEY_PARAM_RSA_E, e);
    ERR_clear_error();
    return rc;
}

/* Sets up an RSA encrypt/decrypt context for `alg`. */
static EVP_PKEY_CTX *rsa_ctx(const sl_vault_mat_t *m, sl_vault_alg_t alg, bool decrypt)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, m->pkey, NULL);
    if (!ctx)
        return NULL;
    bool ok = (decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx)) > 0;
    if (ok && alg == SL_VAULT_ALG_RSA1_5) {
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
#ifdef OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION
        if (ok && decrypt) {
            unsigned int zero = 0;
            OSSL_PARAM p[] = {
                OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, &zero),
                OSSL_PARAM_construct_end(),
            };
            ok = EVP_PKEY_CTX_set_params(ctx, p) > 0;
        }
#endif
    } else if (ok) {
        const EVP_MD *md = alg == SL_VAULT_ALG_RSA_OAEP_256 ? EVP_sha256() : EVP_sha1();
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0;
    }
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Largest plaintext each RSA padding takes for a modulus of `k` bytes:
 * OAEP needs two hash lengths plus two bytes (RFC 8017 §7.1.1), PKCS#1 v1.5
 * eleven bytes (§7.2.1). Checked here so that the caller gets a message with
 * the limit rather than OpenSSL's "data too large for key size". */
static size_t rsa_max_in(sl_vault_alg_t alg, size_t k)
{
    switch (alg) {
    case SL_VAULT_ALG_RSA_OAEP_256:
        return k - 2 * 32 - 2;
    case SL_VAULT_ALG_RSA_OAEP:
        return k - 2 * 20 - 2;
    default:
        return k - 11;
    }
}

/* RFC 3394 with the 256-bit key of `m`, via OpenSSL's wrap mode. */
static int aes_kw(const sl_vault_mat_t *m, bool unwrap, const uint8_t *in, size_t n,
                  sl_buf_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return SL_ECRYPTO;
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    int rc = SL_ECRYPTO;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_wrap(), NULL, sl_key_bytes(m->oct), NULL,
                          unwrap ? 0 : 1) != 1)
        goto done;
    sl_buf_reserve(out, n + 16);
    int len = 0, fin = 0;
    unsigned char *o = (unsigned char *)out->data + out->len;
    if (EVP_CipherUpdate(ctx, o, &len, in, (int)n) != 1 || len <= 0 ||
        EVP_CipherFinal_ex(ctx, o + len, &fin) != 1) {
        rc = unwrap ? SL_EINTEGRITY : SL_ECRYPTO;
        OPENSSL_cleanse(o, n + 16);
        goto done;
    }
    out->len += (size_t)(len + fin);
    out->data[out->len] = '\0';
    rc = 0;
done:
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

int sl_vault_wrap(const sl_vault_mat_t *m, sl_vault_alg_t alg, const uint8_t *in, size_t n,
                  sl_buf_t *out, sl_diag_t *d)
{
    if (!sl_vault_alg_fits(alg, m->kty))
        return sl_diag_set(d, SL_EINVAL, "Algorithm %s is not supported for key type %s.",
                           sl_vault_alg_name(alg), sl_vault_kty_name(m->kty));
    if (alg == SL_VAULT_ALG_A256KW) {
        /* RFC 3394 wraps whole 64-bit blocks, at least two of them. */
        if (n < 16 || n % 8 || n > 4096)
            return sl_diag_set(d, SL_EINVAL,
                               "A256KW wraps 16 to 4096 bytes in multiples of 8, not %zu", n);
        return aes_kw(m, false, in, n, out) ? ossl_fail(d, "A256KW wrap failed") : 0;
    }
    size_t k = (size_t)EVP_PKEY_get_size(m->pkey);
    if (n == 0 || n > rsa_max_in(alg, k))
        return sl_diag_set(d, SL_EINVAL, "%s with a %u-bit key wraps 1 to %zu bytes, not %zu",
                           sl_vault_alg_name(alg), m->bits, rsa_max_in(alg, k), n);
    EVP_PKEY_CTX *ctx = rsa_ctx(m, alg, false);
    if (!ctx)
        return ossl_fail(d, "RSA setup failed");
    size_t olen = k;
    sl_buf_reserve(out, k);
    int rc = 0;
    if (EVP_PKEY_encrypt(ctx, (unsigned char *)out->data + out->len, &olen, in, n) <= 0)
        rc = ossl_fail(d, "RSA wrap failed");
    else {
        out->len += olen;
        out->data[out->len] = '\0';
    }
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int sl_vault_unwrap(const sl_vault_mat_t *m, sl_vault_alg_t alg, const uint8_t *in, size_t n,
                    sl_buf_t *out, sl_diag_t *d)
{
    if (!sl_vault_alg_fits(alg, m->kty))
        return sl_diag_set(d, SL_EINVAL, "Algorithm %s is not supported for key type %s.",
                           sl_vault_alg_name(alg), sl_vault_kty_name(m->kty));
    if (alg == SL_VAULT_ALG_A256KW) {
        if (n < 24 || n % 8 || n > 4104)
            return sl_diag_set(d, SL_EINVAL,
                               "A256KW input must be 24 to 4104 bytes in multiples of 8, not %zu",
                               n);
        if (aes_kw(m, true, in, n, out))
            return sl_diag_set(d, SL_EINTEGRITY,
                               "Unable to unwrap the specified value with this key (A256KW "
                               "integrity check failed).");
        return 0;
    }
    size_t k = (size_t)EVP_PKEY_get_size(m->pkey);
    if (n != k)
        return sl_diag_set(d, SL_EINVAL, "%s input for a %u-bit key must be %zu bytes, not %zu",
                           sl_vault_alg_name(alg), m->bits, k, n);
    EVP_PKEY_CTX *ctx = rsa_ctx(m, alg, true);
    if (!ctx)
        return ossl_fail(d, "RSA setup failed");
    uint8_t *tmp = sl_xmalloc(k);
    size_t olen = k;
    int rc = 0;
    if (EVP_PKEY_decrypt(ctx, tmp, &olen, in, n) <= 0) {
        ERR_clear_error();
        rc = sl_diag_set(d, SL_EINTEGRITY,
                         "Unable to unwrap the specified value with this key (%s decoding "
                         "failed).",
                         sl_vault_alg_name(alg));
    } else {
        sl_buf_append(out, tmp, olen);
    }
    OPENSSL_cleanse(tmp, k);
    sl_free(tmp);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}
