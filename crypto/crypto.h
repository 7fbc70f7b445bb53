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

/* ------------------------------------------------------------------------ */
/* Key hierarchy                                                            */
/* ------------------------------------------------------------------------ */

/*
 *   KEK (provider: local service key, or a key vault)
 *     └─wrap─> AEK (per scope, 32 random bytes, id)
 *                └─HKDF(block or WAL file id)─> DEK ─AES-256-GCM─> service layer
 *   infra key (node-local) ─HKDF(same id)─> ChaCha20-Poly1305 ─> infrastructure layer
 */

/* Key scopes: data under the service-managed key, or the customer's key. */
typedef enum { SL_SCOPE_MMK = 0, SL_SCOPE_CMK = 1 } sl_scope_t;
#define SL_SCOPE_COUNT 2

/* How a KEK provider failure should be treated. */
typedef enum {
    SL_KEK_TRANSIENT = 1, /* refused connection, timeout, DNS, 429, 5xx: keep serving */
    SL_KEK_REVOKED = 2,   /* disabled, deleted, no permission, integrity failure */
} sl_kek_class_t;

/*
 * A KEK provider wraps and unwraps AEKs with a key-encryption key it keeps.
 * `version` identifies the KEK version used (a key id, a vault kid); wrap
 * fills it, unwrap receives it. Functions may block (network); callers run
 * them off the event loop.
 */
typedef struct sl_kek_provider {
    void *ctx;
    const char *kind; /* "local", "vault" */
    int (*wrap)(void *ctx, const uint8_t aek[SL_KEY_LEN], sl_buf_t *wrapped, char version[256],
                sl_diag_t *d);
    int (*unwrap)(void *ctx, const uint8_t *wrapped, size_t n, const char *version,
                  uint8_t aek[SL_KEY_LEN], sl_diag_t *d);
    void (*describe)(void *ctx, sl_buf_t *out);
    sl_kek_class_t (*classify)(void *ctx, int err);
    void (*destroy)(void *ctx);
    /* The version new wraps would use when the provider follows the latest
     * key version (a vault key configured with keyVersion ""); NULL when
     * the provider has a fixed version. Used by the key monitor to notice
     * rotations. */
    int (*latest)(void *ctx, char version[256], sl_diag_t *d);
} sl_kek_provider_t;

/* The local provider: wraps with AES-256-GCM under a sub-key of the service
 * key (the MMK). Its version string is the service key's id in hex. */
sl_kek_provider_t *sl_kek_local_create(const sl_key_t *service_key);
void sl_kek_provider_destroy(sl_kek_provider_t *p);

/* ------------------------------------------------------------------------ */
/* Access tokens for a key vault                                            */
/* ------------------------------------------------------------------------ */

/*
 * A token source hands out bearer tokens for a resource or scope, the way an
 * Azure SDK credential does. Three kinds: a static token file, OAuth2 client
 * credentials against an Entra-ID-shaped token endpoint, and a managed
 * identity endpoint (Azure IMDS or App Service shape). Tokens are cached per
 * scope until about five minutes before they expire (half their lifetime
 * when that is shorter); a failed refresh while the cached token is still
 * valid returns the cached token, so an identity provider's blip never
 * reaches the vault client.
 *
 * Thread-safe: one lock per source, held while a token is fetched (callers
 * for the same source wait rather than stampede the endpoint). Calls block
 * on the network for at most the source's timeout; never call them on the
 * event loop. Secrets (client secret, tokens) sit in locked, non-dumpable
 * pages and are wiped when replaced or destroyed; they are never put in a
 * diagnostic.
 *
 * Errors: SL_EAUTH when the endpoint refused the credential (HTTP 400/401/
 * 403: invalid_client, unknown identity, bad scope); SL_ETRANSIENT,
 * SL_ETIMEOUT or SL_EBUSY (429) when it could not be reached or failed
 * (5xx); SL_EPARSE for an answer without a usable token; SL_ECONFIG for a
 * token file that is missing, empty or not a token; SL_ELIMIT when `out`
 * is too small.
 */
typedef struct sl_token_source sl_token_source_t;

/* OAuth2 client credentials: POST {authority}/{tenant}/oauth2/v2.0/token with
 * grant_type=client_credentials, client_id, client_secret and
 * scope=<resource>/.default. The client secret goes only to this configured
 * endpoint, never to an authority a vault's challenge names. */
typedef struct sl_token_client_config {
    const char *authority;     /* "https://login.microsoftonline.com" */
    const char *tenant;        /* tenant id or domain */
    const char *client_id;
    const char *client_secret; /* copied into locked memory */
    const char *ca_file;       /* NULL: the system trust store */
    int64_t timeout_ms;        /* per request; 0 = 10 s */
} sl_token_client_config_t;

typedef enum {
    SL_TOKEN_MI_IMDS = 0,        /* GET {endpoint}?api-version=2018-02-01&resource=..
                                  * with "Metadata: true" */
    SL_TOKEN_MI_APP_SERVICE = 1, /* GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=..
                                  * with "X-IDENTITY-HEADER: {IDENTITY_HEADER}" */
} sl_token_mi_kind_t;

/* A managed identity endpoint. config/ reads IDENTITY_ENDPOINT and
 * IDENTITY_HEADER from the environment; this module never reads it. */
typedef struct sl_token_mi_config {
    sl_token_mi_kind_t kind;
    /* NULL (IMDS only): http://169.254.169.254/metadata/identity/oauth2/token.
     * Plain http is accepted only for loopback and link-local hosts. */
    const char *endpoint;
    const char *identity_header; /* App Service: the IDENTITY_HEADER value */
    const char *client_id;       /* a user-assigned identity; NULL: system-assigned */
    const char *ca_file;         /* for an https endpoint; NULL: system trust */
    int64_t timeout_ms;          /* per request; 0 = 10 s */
} sl_token_mi_config_t;

/* A static bearer token in a file (whitespace around it ignored, an optional
 * "Bearer " prefix allowed, at most 16 KiB). The file is read when first
 * needed and again whenever its mtime, size or inode changes, so an operator
 * rotates the token by replacing the file. Its tokens have no known expiry. */
int sl_token_file_create(const char *path, sl_token_source_t **out, sl_diag_t *d);
int sl_token_client_create(const sl_token_client_config_t *c, sl_token_source_t **out,
                           sl_diag_t *d);
int sl_token_mi_create(const sl_token_mi_config_t *c, sl_token_source_t **out, sl_diag_t *d);
/* Destroys the source and wipes its secrets. NULL is a no-op. */
void sl_token_source_destroy(sl_token_source_t *s);

/*
 * Copies a bearer token for `resource_or_scope` ("https://vault.azure.net" or
 * "https://vault.azure.net/.default"; each kind converts to what its endpoint
 * wants) into `out` (NUL-terminated; wipe it after use). Returns 0 or a code
 * listed above.
 */
int sl_token_get(sl_token_source_t *s, const char *resource_or_scope, char *out, size_t size,
                 sl_diag_t *d);
/* Forgets the cached token for `resource_or_scope` if it is still `token`
 * (a vault rejected it), so the next sl_token_get fetches or re-reads a
 * fresh one. Another thread's newer token is kept. */
void sl_token_invalidate(sl_token_source_t *s, const char *resource_or_scope, const char *token);
/* "client credentials (tenant T, client C) at URL" and the like; no secrets. */
void sl_token_describe(sl_token_source_t *s, sl_buf_t *out);

/* ------------------------------------------------------------------------ */
/* The key vault KEK provider                                               */
/* ------------------------------------------------------------------------ */

/*
 * A KEK in an Azure Key Vault (or a vault that speaks its keys REST API,
 * such as sealog-vault), reached over HTTPS with libcurl. See
 * docs/ARCHITECTURE.md "Vault client".
 *
 * - wrap: GETs the key version (the configured one, or the latest when
 *   key_version is ""), then POSTs wrapkey to that explicit version with
 *   RSA-OAEP-256 (RSA keys) or A256KW (oct keys). `version` receives the full
 *   kid of the version used ("https://host/keys/name/version").
 * - unwrap: `version` is such a kid (or a bare version id); the AEK is always
 *   unwrapped with the version it was wrapped under, so old wraps keep working
 *   after rotation. The algorithm follows from the wrapped length (40 bytes:
 *   A256KW; otherwise RSA-OAEP-256). A result that is not 32 bytes is
 *   SL_EINTEGRITY.
 * - classify: SL_KEK_REVOKED for SL_EAUTH (401 after a fresh token, or the
 *   token endpoint refused the identity), SL_EFORBIDDEN (403: KeyDisabled,
 *   no permission, outside nbf), SL_ENOTFOUND (404 KeyNotFound), SL_EINTEGRITY
 *   (400 on unwrap, a result that is not 32 bytes), SL_EINVAL (any other 4xx,
 *   a key that cannot wrap, a kid of another vault or key); everything else
 *   is SL_KEK_TRANSIENT: SL_ETRANSIENT (connection refused or reset, DNS, TLS
 *   handshake or certificate failure, 5xx, a redirect), SL_ETIMEOUT, SL_EBUSY
 *   (429), SL_EPARSE (an answer that is not Key Vault's), SL_ELIMIT (an answer
 *   over 64 KiB), SL_ECONFIG (a local problem: CA file, token file, a
 *   challenge for another resource). TLS failures are transient on purpose:
 *   they are not the key owner's refusal, and whoever can break TLS can as
 *   well drop packets; the grace period still fails the node closed.
 *
 * Diagnostics name the operation, the URL, the HTTP status and the vault's
 * error code, inner code and message; never key bytes or tokens.
 *
 * Authentication follows the Azure SDKs' challenge flow: the first request
 * goes out without a token (and without a body), the vault's 401
 * `WWW-Authenticate: Bearer authorization="..", resource=".."` (or scope=)
 * tells which scope to ask the token source for, and the scope is remembered.
 * A 401 on a later request refreshes the token once; a second 401 is
 * SL_EAUTH. Unless disabled, the scope's host must be a parent domain of the
 * vault's host (the SDKs' challenge resource verification).
 *
 * All calls block (network, at most timeout_ms each exchange; wrap and the
 * check make two or three exchanges) and are thread-safe: the key monitor's
 * thread and pool threads may call them at once. Never call them on the
 * event loop.
 */
typedef struct sl_kv_config {
    const char *vault_uri;     /* "https://myvault.vault.azure.net"; http only for loopback */
    const char *key_name;      /* 1-127 of [0-9A-Za-z-] */
    const char *key_version;   /* "" or NULL: follow the latest version */
    const char *ca_file;       /* NULL: the system trust store */
    sl_token_source_t *tokens; /* borrowed; must outlive the provider */
    int64_t timeout_ms;        /* total per HTTP exchange; 0 = 10 s (connect: at most 5 s) */
    /* Skip the check that the challenge's resource is a parent domain of the
     * vault host (needed for 127.0.0.1 or localhost vaults, as with the SDKs'
     * disableChallengeResourceVerification). */
    bool disable_challenge_resource_verification;
} sl_kv_config_t;

/* Creates the provider (no network yet). SL_EINVAL for a bad URI, key name
 * or version, plain http to a non-loopback host, or a missing token source. */
int sl_kek_vault_create(const sl_kv_config_t *c, sl_kek_provider_t **out, sl_diag_t *d);

/* key_ops bits */
#define SL_KV_OP_ENCRYPT 0x01u
#define SL_KV_OP_DECRYPT 0x02u
#define SL_KV_OP_SIGN 0x04u
#define SL_KV_OP_VERIFY 0x08u
#define SL_KV_OP_WRAP 0x10u
#define SL_KV_OP_UNWRAP 0x20u
#define SL_KV_OP_IMPORT 0x40u

/* What a GET of a key version says (times in Unix seconds, 0 = unset). */
typedef struct sl_kv_key_info {
    char kid[256];           /* normalized: vault base + /keys/name/version */
    char version[64];
    char kty[16];            /* "RSA", "RSA-HSM", "oct", "oct-HSM", "EC", ... */
    int key_size;            /* RSA modulus bits; 0 when the JWK does not say */
    bool enabled;
    bool key_ops_listed;     /* false: the bundle had no key_ops (nothing restricted) */
    unsigned key_ops;        /* SL_KV_OP_* */
    int64_t nbf, exp, created, updated;
    char recovery_level[64]; /* "Recoverable", "Recoverable+Purgeable", ... */
    int recoverable_days;
} sl_kv_key_info_t;

/* GETs the key: `version` NULL or "" for the latest (GET /keys/{name}/), else
 * that version (a bare id or a kid). Errors are classified as for unwrap.
 * SL_EINVAL if `p` is not a vault provider. */
int sl_kek_vault_key_info(sl_kek_provider_t *p, const char *version, sl_kv_key_info_t *info,
                          sl_diag_t *d);
/* The kid of the latest version (GET /keys/{name}/), for key_version "":
 * when it differs from the kid an AEK was wrapped under, rewrap. */
int sl_kek_vault_latest_version(sl_kek_provider_t *p, char kid[256], sl_diag_t *d);

/*
 * Validates the configured key for customer-managed keys, as a cluster
 * update does: it exists and the identity may read it, is enabled, can wrap
 * (RSA or oct), lists wrapKey and unwrapKey in key_ops, is inside its
 * nbf/exp window, its vault is recoverable (recoveryLevel contains
 * "Recoverable" and not "Purgeable": soft delete and purge protection on),
 * and a trial wrap and unwrap of a random throwaway value succeed (this
 * proves the wrapKey/unwrapKey permissions that a GET cannot show).
 * Returns 0, SL_EINVAL with Azure Monitor's message for the failed rule
 * ("Failed to validate key in Key Vault. ..." or "Key isn't recoverable.
 * ..."), or a transient code when the vault could not be asked. `info` (may
 * be NULL) receives the key as read.
 */
int sl_kek_vault_check(sl_kek_provider_t *p, sl_kv_key_info_t *info, sl_diag_t *d);

/*
 * The keyring: the unwrapped AEKs the node may use, by scope and AEK id,
 * plus the infrastructure key. Thread-safe: encryption and decryption run
 * on several threads while the key monitor may drop a scope.
 */
typedef struct sl_keyring sl_keyring_t;

/* `double_encryption` is fixed for the life of a data directory. */
sl_keyring_t *sl_keyring_create(const sl_key_t *infra_key, bool double_encryption);
void sl_keyring_destroy(sl_keyring_t *kr);
bool sl_keyring_double_encryption(const sl_keyring_t *kr);
/* Installs an unwrapped AEK (copied) and makes it the scope's active key. */
void sl_keyring_put(sl_keyring_t *kr, sl_scope_t scope, uint64_t aek_id, uint32_t kek_version,
                    const uint8_t aek[SL_KEY_LEN]);
/* Zeroes and drops every AEK of a scope (revocation). */
void sl_keyring_drop_scope(sl_keyring_t *kr, sl_scope_t scope);
/* The active AEK id and KEK version of a scope; SL_EKEYUNAVAIL if none. */
int sl_keyring_active(sl_keyring_t *kr, sl_scope_t scope, uint64_t *aek_id,
                      uint32_t *kek_version);
/* True if the AEK is present (for tests of revocation: the bytes are gone). */
bool sl_keyring_has(sl_keyring_t *kr, sl_scope_t scope, uint64_t aek_id);

/*
 * Envelope keys for one object (a block, a WAL file): the DEK derived from
 * the AEK and the infrastructure sub-key, both bound to `object_id`. Parts of
 * the object (columns, records) are sealed with a part number as nonce, so
 * each (key, nonce) pair is used once.
 */
typedef struct sl_envelope {
    uint8_t dek[SL_KEY_LEN];
    uint8_t infra[SL_KEY_LEN];
    bool twice;
} sl_envelope_t;

#define SL_ENVELOPE_OVERHEAD(twice) ((twice) ? 2 * SL_AEAD_TAG_LEN : SL_AEAD_TAG_LEN)

/* Derives the envelope; SL_EKEYUNAVAIL if the AEK is not in the keyring. */
int sl_keyring_envelope(sl_keyring_t *kr, sl_scope_t scope, uint64_t aek_id, const char *purpose,
                        uint64_t object_id, sl_envelope_t *out);
/* Seals `pt` as part `part`: out gets pt_n + SL_ENVELOPE_OVERHEAD bytes. */
int sl_envelope_seal(const sl_envelope_t *e, uint64_t part, const void *aad, size_t aad_n,
                     const void *pt, size_t pt_n, uint8_t *out);
/* Opens a sealed part; SL_EINTEGRITY if anything was altered. `out` gets
 * ct_n - overhead bytes. */
int sl_envelope_open(const sl_envelope_t *e, uint64_t part, const void *aad, size_t aad_n,
                     const void *ct, size_t ct_n, uint8_t *out);
void sl_envelope_wipe(sl_envelope_t *e);


/* ------------------------------------------------------------------------ */
/* Key monitor (keymon.c)                                                   */
/* ------------------------------------------------------------------------ */

typedef enum {
    SL_KEY_NONE = 0, /* not checked yet */
    SL_KEY_ACTIVE,
    SL_KEY_DEGRADED, /* the vault is unreachable; serving within the grace period */
    SL_KEY_REVOKED,  /* the AEK is gone from memory until an unwrap succeeds */
} sl_key_state_t;

const char *sl_key_state_name(sl_key_state_t s);

typedef enum {
    SL_KEYMON_STATE = 1,       /* from → to */
    SL_KEYMON_CHECK_FAILED,    /* a failure that did not change the state */
    SL_KEYMON_ROTATED,         /* re-wrapped under `version`: store `wrapped` */
    SL_KEYMON_ROTATION_FAILED, /* a newer version exists but wrapping under it failed */
} sl_keymon_kind_t;

typedef struct sl_keymon_event {
    sl_keymon_kind_t kind;
    sl_key_state_t from, to;
    int err;              /* the failure, if any */
    sl_kek_class_t cls;
    char reason[320];     /* the provider's message (never key bytes) */
    int64_t outage_ms;    /* on recovery: how long the key was unusable */
    int64_t check_ms;     /* how long the vault call took */
    char old_version[256], version[256];
    const uint8_t *wrapped; /* ROTATED: the AEK wrapped under `version` */
    size_t wrapped_n;
} sl_keymon_event_t;

typedef struct sl_keymon_opts {
    sl_kek_provider_t *kek;  /* borrowed; must outlive the monitor */
    sl_keyring_t *keyring;   /* where the AEK is installed / dropped */
    sl_scope_t scope;
    uint64_t aek_id;
    uint32_t kek_version_no;
    const uint8_t *wrapped;  /* the AEK as stored (copied) */
    size_t wrapped_n;
    const char *version;     /* the KEK version it is wrapped under */
    bool follow_latest;      /* re-wrap when the provider's latest version moves */
    int64_t interval_ms;     /* between checks (jittered ±10%) */
    int64_t grace_ms;        /* transient failures tolerated this long */
    sl_key_state_t initial_state;
    /* Called on the monitor's thread. */
    void (*on_event)(void *arg, const sl_keymon_event_t *ev);
    void *arg;
} sl_keymon_opts_t;

typedef struct sl_keymon sl_keymon_t;

/* Starts the monitor; its first check runs at once. */
int sl_keymon_start(const sl_keymon_opts_t *o, sl_keymon_t **out, sl_diag_t *d);
void sl_keymon_stop(sl_keymon_t *m);
/* Asks for a check now (e.g. after a configuration change). */
void sl_keymon_poke(sl_keymon_t *m);
sl_key_state_t sl_keymon_state(const sl_keymon_t *m);

#endif /* SL_CRYPTO_H */
