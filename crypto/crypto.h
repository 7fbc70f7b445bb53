/*
 * crypto — everything keyed: hashes and MACs, the AEAD layers, key memory,
 * the node's local key files, sealed secrets, and TLS contexts. OpenSSL is
 * used only inside this module.
 *
 * Key material never leaves this module in the clear except through the
 * few functions that say so, and is wiped (OPENSSL_cleanse) after use. Long-
 * lived keys sit in locked pages that are excluded from core dumps.
 *
 * Functions here never log; they return 0 or a negative SL_E* code and fill
 * an optional sl_diag_t.
 */
#ifndef SL_CRYPTO_H
#define SL_CRYPTO_H

#include "common/common.h"

#define SL_KEY_LEN 32
#define SL_SHA256_LEN 32
#define SL_AEAD_NONCE_LEN 12
#define SL_AEAD_TAG_LEN 16

/* ------------------------------------------------------------------------ */
/* Key memory                                                               */
/* ------------------------------------------------------------------------ */

/*
 * A 32-byte symmetric key in its own page: mlock()ed when the limit allows,
 * MADV_DONTDUMP always, wiped and unmapped on destroy. Thread-safe to read;
 * the holder decides when to destroy.
 */
typedef struct sl_key sl_key_t;

int sl_key_create_random(sl_key_t **out);
int sl_key_create_from(const uint8_t bytes[SL_KEY_LEN], sl_key_t **out);
void sl_key_destroy(sl_key_t *k);
/* Borrowed view of the key bytes, valid until destroy. For crypto/ callers and
 * for the few places that must hand a key to a wrap operation. */
const uint8_t *sl_key_bytes(const sl_key_t *k);
/* Copies the key into a new one (e.g. before handing a slot to another owner). */
int sl_key_clone(const sl_key_t *k, sl_key_t **out);
/* A short public identifier of the key: the first 8 bytes of
 * HMAC-SHA256(key, "sealog key id"), never enough to recover the key. */
uint64_t sl_key_id(const sl_key_t *k);

/* ------------------------------------------------------------------------ */
/* Hashes, MACs, KDF                                                        */
/* ------------------------------------------------------------------------ */

void sl_sha256(const void *data, size_t n, uint8_t out[SL_SHA256_LEN]);
/* Incremental SHA-256 for data that arrives in pieces. */
typedef struct sl_sha256_ctx sl_sha256_ctx_t;
sl_sha256_ctx_t *sl_sha256_begin(void);
void sl_sha256_update(sl_sha256_ctx_t *c, const void *data, size_t n);
void sl_sha256_end(sl_sha256_ctx_t *c, uint8_t out[SL_SHA256_LEN]); /* frees c */

void sl_hmac_sha256(const void *key, size_t keyn, const void *data, size_t n,
                    uint8_t out[SL_SHA256_LEN]);
/* HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info`. */
int sl_hkdf_sha256(const uint8_t *ikm, size_t ikmn, const void *salt, size_t saltn,
                   const void *info, size_t infon, uint8_t *out, size_t outn);
/* Derives a sub-key of `k` for one purpose, e.g. ("catalog secrets", NULL). */
int sl_key_derive(const sl_key_t *k, const char *purpose, const void *ctx, size_t ctxn,
                  sl_key_t **out);
/* The same derivation into caller memory (wipe it after use). */
int sl_key_derive_raw(const sl_key_t *k, const char *purpose, const void *ctx, size_t ctxn,
                      uint8_t out[SL_KEY_LEN]);

/* ------------------------------------------------------------------------ */
/* AEAD                                                                     */
/* ------------------------------------------------------------------------ */

typedef enum {
    SL_AEAD_AES256GCM = 1,        /* service layer */
    SL_AEAD_CHACHA20POLY1305 = 2, /* infrastructure layer */
} sl_aead_alg_t;

/*
 * Encrypts `pt` into `out` (pt_n + SL_AEAD_TAG_LEN bytes: ciphertext then
 * tag). The nonce must never repeat for the same key; callers derive keys per
 * block so that a counter nonce is safe. `out` may equal `pt`.
 */
int sl_aead_seal(sl_aead_alg_t alg, const uint8_t key[SL_KEY_LEN],
                 const uint8_t nonce[SL_AEAD_NONCE_LEN], const void *aad, size_t aad_n,
                 const void *pt, size_t pt_n, uint8_t *out);
/* Decrypts and verifies; returns SL_EINTEGRITY if anything was altered.
 * `ct_n` includes the tag; `out` gets ct_n - SL_AEAD_TAG_LEN bytes. */
int sl_aead_open(sl_aead_alg_t alg, const uint8_t key[SL_KEY_LEN],
                 const uint8_t nonce[SL_AEAD_NONCE_LEN], const void *aad, size_t aad_n,
                 const void *ct, size_t ct_n, uint8_t *out);

/*
 * Sealed secrets: small values (shared keys, cache keys) encrypted under a
 * key with a random nonce: output is nonce || ciphertext || tag. `aad` binds
 * the secret to its owner (e.g. the workspace id) so it cannot be moved.
 */
#define SL_SEALED_OVERHEAD (SL_AEAD_NONCE_LEN + SL_AEAD_TAG_LEN)
void sl_seal(const sl_key_t *k, const void *aad, size_t aad_n, const void *pt, size_t pt_n,
             sl_buf_t *out);
int sl_unseal(const sl_key_t *k, const void *aad, size_t aad_n, const void *sealed,
              size_t sealed_n, sl_buf_t *out);

/* ------------------------------------------------------------------------ */
/* Node key files                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Loads the 32-byte key in `path`, or creates it (mode 0600, written
 * atomically) when absent and `create` is true. The file holds a magic, the
 * key and a checksum so that a truncated or altered file is refused rather
 * than silently used. *created tells whether it was made now.
 */
int sl_keyfile_load(const char *path, bool create, sl_key_t **out, bool *created, sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */
/* ------------------------------------------------------------------------ */

/* A random secret as base64url text (for bearer tokens and client secrets). */
void sl_token_secret(char *out, size_t nbytes); /* out needs 4*nbytes/3+2 */

/* ------------------------------------------------------------------------ */
/* TLS                                                                      */
/* ------------------------------------------------------------------------ */

/* An OpenSSL SSL_CTX, opaque outside crypto/ (h2o takes it as is). */
typedef struct ssl_ctx_st sl_tls_ctx_t;

/*
 * Makes sure `cert_path` and `key_path` exist: when both are absent, creates
 * a self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1
 * (10 years), and writes the private key PEM-encrypted under a key derived
 * from `wrap` (the node's service key). *created tells whether it did.
 */
int sl_tls_ensure_selfsigned(const char *cert_path, const char *key_path, const sl_key_t *wrap,
                             bool *created, sl_diag_t *d);
/*
 * Creates a server context from PEM files. `wrap` decrypts a key written by
 * sl_tls_ensure_selfsigned (NULL for operator-supplied, unencrypted keys).
 * With `alpn_h2`, the caller registers ALPN itself (h2o does that).
 */
int sl_tls_ctx_create(const char *cert_path, const char *key_path, const sl_key_t *wrap,
                      sl_tls_ctx_t **out, sl_diag_t *d);
void sl_tls_ctx_destroy(sl_tls_ctx_t *ctx);
/* "AB:CD:..." SHA-256 fingerprint of the certificate in `cert_path`. */
int sl_tls_fingerprint(const char *cert_path, char out[96], sl_diag_t *d);

#endif /* SL_CRYPTO_H */
