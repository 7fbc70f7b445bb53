/*
 * crypto internals shared across its files: secret buffers, the HTTPS client
 * the vault provider and token sources use, and the parsers of what a vault
 * and a token endpoint answer. No libcurl or jansson type appears here, so
 * unit tests include this header with nothing more than crypto.h's needs.
 */
#ifndef SL_CRYPTO_INT_H
#define SL_CRYPTO_INT_H

#include "crypto/crypto.h"

#include <pthread.h>

/* ------------------------------------------------------------------------ */
/* Secret buffers                                                           */
/* ------------------------------------------------------------------------ */

/*
 * A fixed-capacity buffer in its own anonymous mapping: mlock()ed when the
 * limit allows, MADV_DONTDUMP always, wiped and unmapped on dispose. It never
 * reallocates, so no copy of a secret is left behind in freed heap memory.
 * Always NUL-terminated after `len` bytes. Not thread-safe.
 */
typedef struct sl_secbuf {
    char *data;
    size_t len;
    size_t cap; /* usable bytes (one more is reserved for the NUL) */
    size_t map_len;
} sl_secbuf_t;

#define SL_SECBUF_INIT {NULL, 0, 0, 0}

/* Maps a buffer for up to `cap` bytes. Returns 0 or SL_ENOMEM. */
int sl_crypto__secbuf_init(sl_secbuf_t *b, size_t cap);
/* Appends; SL_ELIMIT (and nothing appended) if it would exceed cap. */
int sl_crypto__secbuf_append(sl_secbuf_t *b, const void *p, size_t n);
int sl_crypto__secbuf_puts(sl_secbuf_t *b, const char *s);
/* Appends the application/x-www-form-urlencoded form of s[0..n). */
int sl_crypto__secbuf_put_form(sl_secbuf_t *b, const char *s, size_t n);
/* Empties (wiping what was there). */
void sl_crypto__secbuf_reset(sl_secbuf_t *b);
/* Wipes and unmaps; safe on a zeroed or already disposed buffer. */
void sl_crypto__secbuf_dispose(sl_secbuf_t *b);

/* ------------------------------------------------------------------------ */
/* URLs                                                                     */
/* ------------------------------------------------------------------------ */

/* An absolute http(s) URL split and normalized: scheme and host lower-case,
 * the port only when it is not the scheme's default. */
typedef struct sl_kv_url {
    char scheme[8];
    char host[256];
    int port;
    char base[300];  /* "https://host[:port]" */
    char path[1024]; /* decoded path, "/" when empty */
    bool has_query;
} sl_kv_url_t;

/* Parses `url`. SL_EINVAL (with a message) for anything but http(s) with a
 * host, for user info, or when too long. */
int sl_crypto__url_parse(const char *url, sl_kv_url_t *u, sl_diag_t *d);
/* True for loopback (localhost and *.localhost, 127/8, ::1) and, with `link_local`, for
 * 169.254/16 hosts: the only ones plain http may be used with. */
bool sl_crypto__host_is_local(const char *host, bool link_local);

/* A key identifier "https://host[:port]/keys/{name}/{version}". */
typedef struct sl_kv_kid {
    char base[300];
    char name[128];
    char version[64];
} sl_kv_kid_t;

/* Parses a kid; SL_EPARSE if it is not one (the version must be present). */
int sl_crypto__kid_parse(const char *kid, sl_kv_kid_t *out);
/* 1-127 of [0-9A-Za-z-]. */
bool sl_crypto__kv_name_ok(const char *s);
/* 1-63 of [0-9A-Za-z] (Azure's are 32 hex digits). */
bool sl_crypto__kv_version_ok(const char *s);

/* ------------------------------------------------------------------------ */
/* HTTP client (libcurl easy handles, pooled for connection reuse)          */
/* ------------------------------------------------------------------------ */

typedef struct sl_crypto_http sl_crypto_http_t;

typedef struct sl_crypto_http_opts {
    const char *ca_file; /* NULL: system trust store */
    int64_t timeout_ms;  /* total per exchange (> 0) */
    bool no_proxy;       /* ignore *_proxy variables (IMDS must be reached directly) */
    bool link_local_http; /* allow plain http to 169.254/16 too (IMDS) */
} sl_crypto_http_opts_t;

typedef struct sl_crypto_http_req {
    const char *method;          /* "GET", "POST" */
    const char *url;
    const char *const *headers;  /* NULL-terminated "Name: value", may be NULL */
    const char *bearer;          /* token for "Authorization: Bearer", or NULL */
    const char *body;            /* NULL: none; "" with body_len 0: an empty body */
    size_t body_len;
    const char *content_type;    /* for a body */
} sl_crypto_http_req_t;

#define SL_HTTP_MAX_BODY (64 * 1024)

typedef struct sl_crypto_http_resp {
    long status;
    sl_secbuf_t body;       /* capped at SL_HTTP_MAX_BODY */
    char www_auth[2048];    /* every WWW-Authenticate value, one per line */
    char location[256];
    int64_t retry_after_s;  /* -1 when absent */
} sl_crypto_http_resp_t;

int sl_crypto__http_create(const sl_crypto_http_opts_t *o, sl_crypto_http_t **out,
                           sl_diag_t *d);
void sl_crypto__http_destroy(sl_crypto_http_t *h);
/*
 * Performs one exchange. Returns 0 when an HTTP response arrived (whatever
 * its status; `resp` must then be disposed), or SL_ETIMEOUT, SL_ETRANSIENT
 * (refused, reset, DNS, TLS), SL_ELIMIT (response over the cap), SL_ECONFIG
 * (unreadable CA file) or SL_EINVAL (a URL this client will not use) with a
 * message. Redirects are never followed. Thread-safe.
 */
int sl_crypto__http_do(sl_crypto_http_t *h, const sl_crypto_http_req_t *rq,
                       sl_crypto_http_resp_t *resp, sl_diag_t *d);
void sl_crypto__http_resp_dispose(sl_crypto_http_resp_t *r);
/* Maps a non-2xx status of a token endpoint or vault: 408 SL_ETIMEOUT,
 * 429 SL_EBUSY, 5xx and 3xx SL_ETRANSIENT, 401 SL_EAUTH, 403 SL_EFORBIDDEN,
 * 404 SL_ENOTFOUND, 409/423/425 SL_ETRANSIENT, other 4xx SL_EINVAL. */
int sl_crypto__http_status_code(long status);

/* ------------------------------------------------------------------------ */
/* A small JSON reader for documents that carry secrets                     */
/* ------------------------------------------------------------------------ */

/*
 * jansson copies every string into heap memory it frees without wiping, so
 * answers that carry a secret (an unwrapped key, an access token) are read
 * with this allocation-free scanner instead: it validates the whole document
 * and returns spans into it.
 */
typedef enum {
    SL_KVJ_STRING = 1,
    SL_KVJ_NUMBER,
    SL_KVJ_OBJECT,
    SL_KVJ_ARRAY,
    SL_KVJ_TRUE,
    SL_KVJ_FALSE,
    SL_KVJ_NULL,
} sl_kvj_type_t;

typedef struct sl_kvj_val {
    sl_kvj_type_t type;
    const char *p; /* strings: between the quotes, escapes not decoded; else the raw text */
    size_t n;
    bool escaped;  /* a string with backslash escapes */
} sl_kvj_val_t;

/* Finds member `name` of the object json[0..n) (which must be one valid JSON
 * object, nesting at most 32 deep). Returns 1 found, 0 absent, SL_EPARSE for
 * malformed JSON, a non-object, or `name` present twice. */
int sl_crypto__json_member(const char *json, size_t n, const char *name, sl_kvj_val_t *out);
/* Decodes a string value (escapes, \u incl. surrogate pairs) into out[cap]
 * with a NUL; SL_ELIMIT if it does not fit, SL_EPARSE for a non-string. */
int sl_crypto__json_str(const sl_kvj_val_t *v, char *out, size_t cap, size_t *len);
/* A number, or a string holding a decimal integer (IMDS sends "3599"). */
int sl_crypto__json_int(const sl_kvj_val_t *v, int64_t *out);

/* ------------------------------------------------------------------------ */
/* What token endpoints and vaults say                                      */
/* ------------------------------------------------------------------------ */

/*
 * Parses a token endpoint's success answer (Entra ID v2, IMDS, App Service):
 * access_token into `tok` (reset first), token_type Bearer if present, and
 * the lifetime in seconds from expires_in, or from expires_on (Unix seconds)
 * and `now_s`; 0 when neither is given. SL_EPARSE if there is no usable
 * token (characters outside RFC 6750's b64token are refused: a token goes
 * into a header).
 */
int sl_crypto__token_parse(const char *json, size_t n, int64_t now_s, sl_secbuf_t *tok,
                           int64_t *lifetime_s);
/* True if s[0..n) is a non-empty RFC 6750 b64token. */
bool sl_crypto__token_chars_ok(const char *s, size_t n);

/* A Bearer challenge from WWW-Authenticate (PROTOCOLS.md §4.5). */
typedef struct sl_kv_challenge {
    char authorization[512]; /* authorization or authorization_uri */
    char resource[512];
    char scope[512];
    char tenant[128];        /* first path segment of authorization */
    char error[64];
    char claims[512];
} sl_kv_challenge_t;

/* Parses the first Bearer challenge among `hdr`'s lines. Returns 0, or
 * SL_EPARSE when there is none or it names neither resource nor scope. */
int sl_crypto__challenge_parse(const char *hdr, sl_kv_challenge_t *c);
/* The scope to ask for: resource + "/.default" when there is a resource
 * (without a trailing slash), else scope. SL_ELIMIT if it does not fit. */
int sl_crypto__challenge_scope(const sl_kv_challenge_t *c, char *out, size_t size);
/* The SDKs' check: the vault host must end with "." + the scope's host.
 * Returns 0 or SL_ECONFIG with their message. */
int sl_crypto__challenge_verify(const char *vault_host, const char *scope, sl_diag_t *d);
/* "https://vault.azure.net/.default" → "https://vault.azure.net" (into out). */
void sl_crypto__scope_to_resource(const char *scope, char *out, size_t size);

/* A Key Vault (or OAuth2) error answer, made safe to print: control
 * characters replaced, long text cut. */
typedef struct sl_kv_error {
    char code[64];
    char inner[64];
    char message[200];
} sl_kv_error_t;

/* Reads {"error":{"code","message","innererror":{"code"}}} or OAuth2's
 * {"error":"..","error_description":".."}; empty fields when absent. */
void sl_crypto__kv_error_parse(const char *json, size_t n, sl_kv_error_t *e);
/* Fills `info` from a KeyBundle (the kid normalized as sl_crypto__kid_parse
 * does). SL_EPARSE if it is not one. */
int sl_crypto__key_bundle_parse(const char *json, size_t n, sl_kv_key_info_t *info);

/* ------------------------------------------------------------------------ */
/* The vault provider (kek_vault.c, kek_vault_key.c)                        */
/* ------------------------------------------------------------------------ */

#define SL_KV_API_VERSION "7.4" /* accepted by Azure Key Vault and sealog-vault */

typedef struct sl_kv {
    char base[300]; /* normalized vault URI: "https://host[:port]" */
    char host[256];
    char name[128];
    char version[64]; /* "" = follow the latest */
    sl_token_source_t *tokens;
    sl_crypto_http_t *http;
    bool verify_resource;
    pthread_mutex_t mu; /* guards scope and authority */
    char scope[512];    /* learned from the first 401 challenge; "" until then */
    char authority[512];
} sl_kv_t;

/* The vault behind a provider, or NULL if `p` is not a vault provider. */
sl_kv_t *sl_crypto__kv_of(sl_kek_provider_t *p);
/*
 * One Key Vault operation with the challenge flow: `path` is relative to the
 * vault ("/keys/k/v/wrapkey"), `op` names it in messages ("unwrapKey").
 * Returns 0 with a 2xx answer in `resp` (dispose it), or a classified code
 * with a diagnostic (nothing to dispose). With `unwrap`, a 400 is
 * SL_EINTEGRITY (the value does not belong to this key version).
 */
int sl_crypto__kv_call(sl_kv_t *v, const char *op, const char *method, const char *path,
                       const char *body, size_t body_len, bool unwrap,
                       sl_crypto_http_resp_t *resp, sl_diag_t *d);
/* GET /keys/{name}/{version} ("" = latest, "/keys/{name}/"). */
int sl_crypto__kv_get_key(sl_kv_t *v, const char *version, sl_kv_key_info_t *info,
                          sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Token sources                                                            */
/* ------------------------------------------------------------------------ */

#define SL_TOKEN_MAX 16384          /* longest token accepted */
#define SL_TOKEN_NO_EXPIRY INT64_MAX /* lifetime of a file token */

typedef struct sl_token_ops {
    const char *kind;
    bool scoped; /* false: one token whatever the scope (a file) */
    /* Fetches a token into `tok` and its lifetime in seconds (0: unknown, do
     * not cache; SL_TOKEN_NO_EXPIRY: until `changed` says so). */
    int (*fetch)(void *impl, const char *scope, sl_secbuf_t *tok, int64_t *lifetime_s,
                 sl_diag_t *d);
    /* Optional: true when the cached token must be read again. */
    bool (*changed)(void *impl);
    void (*describe)(void *impl, sl_buf_t *out);
    void (*destroy)(void *impl);
} sl_token_ops_t;

/* Wraps an implementation in the caching, locking source. Takes `impl`. */
sl_token_source_t *sl_crypto__token_source_new(const sl_token_ops_t *ops, void *impl);
/* Time base for token lifetimes (monotonic seconds). */
int64_t sl_crypto__mono_s(void);

#endif /* SL_CRYPTO_INT_H */
