/*
 * TLS contexts for the listeners. On first start the node makes itself a
 * self-signed ECDSA P-256 certificate (localhost, 127.0.0.1, ::1) so that it
 * serves HTTPS with no configuration; clients trust it by its file or its
 * printed fingerprint. Its private key is written PEM-encrypted under a
 * passphrase derived from the service key, so the key file alone is useless.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int ossl_error(sl_diag_t *d, const char *what)
{
    char buf[200] = "unknown error";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return sl_diag_set(d, SL_ECRYPTO, "%s: %s", what, buf);
}

/* Passphrase for the self-signed key: hex of a sub-key of the service key. */
static int key_passphrase(const sl_key_t *wrap, char out[65])
{
    uint8_t raw[SL_KEY_LEN];
    int rc = sl_key_derive_raw(wrap, "tls private key", NULL, 0, raw);
    if (!rc)
        sl_hex_encode(raw, sizeof raw, out);
    OPENSSL_cleanse(raw, sizeof raw);
    return rc;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ex)
        return -1;
    int ok = X509_add_ext(cert, ex, -1);
    X509_EXTENSION_free(ex);
    return ok ? 0 : -1;
}

static int bio_to_file(BIO *bio, const char *path, unsigned mode)
{
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    return sl_write_file_atomic(path, data, (size_t)n, mode);
}

int sl_tls_ensure_selfsigned(const char *cert_path, const char *key_path, const sl_key_t *wrap,
                             bool *created, sl_diag_t *d)
{
    struct stat st;
    bool have_cert = stat(cert_path, &st) == 0, have_key = stat(key_path, &st) == 0;
    *created = false;
    if (have_cert && have_key)
        return 0;
    if (have_cert != have_key)
        return sl_diag_set(d, SL_ESTATE, "found %s but not %s; remove the other or restore both",
                           have_cert ? cert_path : key_path, have_cert ? key_path : cert_path);

    int rc = SL_ECRYPTO;
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    BIO *cbio = BIO_new(BIO_s_mem()), *kbio = BIO_new(BIO_s_mem());
    char pass[65] = "";
    if (!pkey || !cert || !cbio || !kbio) {
        rc = ossl_error(d, "cannot create TLS key");
        goto done;
    }
    uint8_t serial[16];
    sl_random_bytes(serial, sizeof serial);
    serial[0] &= 0x7f; /* positive */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    X509_set_version(cert, 2);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert, pkey);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"sealog", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    if (add_ext(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") ||
        add_ext(cert, NID_basic_constraints, "critical,CA:TRUE") ||
        add_ext(cert, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
        add_ext(cert, NID_ext_key_usage, "serverAuth") ||
        add_ext(cert, NID_subject_key_identifier, "hash")) {
        rc = ossl_error(d, "cannot build TLS certificate");
        goto done;
    }
    if (!X509_sign(cert, pkey, EVP_sha256())) {
        rc = ossl_error(d, "cannot sign TLS certificate");
        goto done;
    }
    if (key_passphrase(wrap, pass)) {
        rc = sl_diag_set(d, SL_ECRYPTO, "cannot derive TLS key passphrase");
        goto done;
    }
    if (!PEM_write_bio_X509(cbio, cert) ||
        !PEM_write_bio_PrivateKey(kbio, pkey, EVP_aes_256_cbc(), (unsigned char *)pass,
                                  (int)strlen(pass), NULL, NULL)) {
        rc = ossl_error(d, "cannot encode TLS certificate");
        goto done;
    }
    rc = bio_to_file(kbio, key_path, 0600);
    if (!rc)
        rc = bio_to_file(cbio, cert_path, 0644);
    if (rc) {
        sl_diag_set(d, rc, "cannot write TLS files: %s", sl_strerror(rc));
        goto done;
    }
    *created = true;
done:
    OPENSSL_cleanse(pass, sizeof pass);
    BIO_free(cbio);
    BIO_free(kbio);
    X509_free(cert);
    EVP_PKEY_free(pkey);
    return rc;
}

int sl_tls_ctx_create(const char *cert_path, const char *key_path, const sl_key_t *wrap,
                      sl_tls_ctx_t **out, sl_diag_t *d)
{
    int rc = SL_ECRYPTO;
    char pass[65] = "";
    EVP_PKEY *pkey = NULL;
    FILE *kf = NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return ossl_error(d, "cannot create TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* h2 requires TLS 1.2 AEAD suites (RFC 7540 §9.2.2); keep only those. */
    SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5");
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1) {
        rc = ossl_error(d, "cannot load TLS certificate");
        sl_diag_prefix(d, "%s", cert_path);
        goto fail;
    }
    kf = fopen(key_path, "r");
    if (!kf) {
        rc = sl_diag_set(d, -errno, "cannot open TLS key %s: %s", key_path, strerror(errno));
        goto fail;
    }
    if (wrap && key_passphrase(wrap, pass)) {
        rc = sl_diag_set(d, SL_ECRYPTO, "cannot derive TLS key passphrase");
        goto fail;
    }
    pkey = PEM_read_PrivateKey(kf, NULL, NULL, wrap ? pass : (void *)"");
    if (!pkey) {
        rc = ossl_error(d, "cannot read TLS private key");
        sl_diag_prefix(d, "%s", key_path);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        rc = ossl_error(d, "TLS private key does not match the certificate");
        goto fail;
    }
    EVP_PKEY_free(pkey);
    fclose(kf);
    OPENSSL_cleanse(pass, sizeof pass);
    *out = ctx;
    return 0;
fail:
    OPENSSL_cleanse(pass, sizeof pass);
    EVP_PKEY_free(pkey);
    if (kf)
        fclose(kf);
    SSL_CTX_free(ctx);
    return rc;
}

void sl_tls_ctx_destroy(sl_tls_ctx_t *ctx)
{
    SSL_CTX_free(ctx);
}

int sl_tls_fingerprint(const char *cert_path, char out[96], sl_diag_t *d)
{
    FILE *f = fopen(cert_path, "r");
    if (!f)
        return sl_diag_set(d, -errno, "cannot open %s: %s", cert_path, strerror(errno));
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!cert)
        return ossl_error(d, "cannot read certificate");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    int ok = X509_digest(cert, EVP_sha256(), md, &n);
    X509_free(cert);
    if (!ok)
        return ossl_error(d, "cannot hash certificate");
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (unsigned i = 0; i < n && o + 3 < 96; i++) {
        if (i)
            out[o++] = ':';
        out[o++] = hex[md[i] >> 4];
        out[o++] = hex[md[i] & 15];
    }
    out[o] = '\0';
    return 0;
}
