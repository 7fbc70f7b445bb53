/*
 * Internals shared by the files of vault/. Includes h2o (and so OpenSSL and
 * libuv); only vault/ and its tests include this header.
 *
 * Layers, bottom up:
 *   kcrypto.c  key material: generation, serialisation, wrap/unwrap
 *   model.c    keys and versions in memory; names, paging, recovery level
 *   record.c   records on disk: binary encoding and sealing
 *   tokens.c   bearer tokens, client credentials, access tokens, permissions
 *   bundle.c   KeyBundle / KeyItem JSON
 *   opts.c     start-up flags
 *   datadir.c  the data directory (atomic creation, lock, load)
 *   jobs.c     thread-pool work and the serialised write queue
 *   http.c req.c router.c            the HTTPS server
 *   h_keys.c h_wrap.c h_auth.c       request handlers
 *   server.c   lifecycle and banner
 *   cli.c cli_cmd.c                  the client subcommands
 */
#ifndef SL_VAULT_INT_H
#define SL_VAULT_INT_H

#define H2O_USE_LIBUV 1
#include <h2o.h>
#include <jansson.h>
#include <limits.h>
#include <uv.h>

#include "config/config.h"
#include "crypto/crypto.h"
#include "vault/vault.h"

/* ------------------------------------------------------------------------ */
/* Key material (kcrypto.c)                                                 */
/* ------------------------------------------------------------------------ */

typedef enum {
    SL_VAULT_KTY_RSA = 1,
    SL_VAULT_KTY_OCT = 2,     /* 256-bit AES key, reported as "oct"     */
    SL_VAULT_KTY_OCT_HSM = 3, /* the same, reported as "oct-HSM"        */
} sl_vault_kty_t;

typedef enum {
    SL_VAULT_ALG_RSA_OAEP_256 = 1,
    SL_VAULT_ALG_RSA_OAEP = 2,
    SL_VAULT_ALG_RSA1_5 = 3,
    SL_VAULT_ALG_A256KW = 4,
} sl_vault_alg_t;

/* Key name of a kty ("RSA", "oct", "oct-HSM"); parse returns 0 if unknown. */
const char *sl_vault_kty_name(sl_vault_kty_t kty);
sl_vault_kty_t sl_vault_kty_parse(const char *s);
bool sl_vault_kty_is_oct(sl_vault_kty_t kty);
/* Algorithm names as Key Vault spells them; parse returns 0 if unknown. */
const char *sl_vault_alg_name(sl_vault_alg_t alg);
sl_vault_alg_t sl_vault_alg_parse(const char *s);
/* True if `alg` applies to keys of type `kty`. */
bool sl_vault_alg_fits(sl_vault_alg_t alg, sl_vault_kty_t kty);

/*
 * Private key material of one key version: an RSA key pair or a 256-bit
 * AES key in locked memory. Immutable once made and reference-counted, so a
 * thread-pool job can keep using it while the loop thread moves on.
 */
typedef struct sl_vault_mat sl_vault_mat_t;

/* Generates material. RSA: bits 2048/3072/4096, exponent 3 or 65537; oct:
 * bits 256. Slow for large RSA keys: call off the loop thread. */
int sl_vault_mat_generate(sl_vault_kty_t kty, unsigned bits, unsigned long exponent,
                          sl_vault_mat_t **out, sl_diag_t *d);
/* Serialises the private material (PKCS#1 DER for RSA, the raw 32 bytes for
 * oct) into `out`; the caller must sl_buf_wipe() it. */
int sl_vault_mat_export(const sl_vault_mat_t *m, sl_buf_t *out);
/* Rebuilds material from sl_vault_mat_export() output. */
int sl_vault_mat_import(sl_vault_kty_t kty, const uint8_t *p, size_t n, sl_vault_mat_t **out,
                        sl_diag_t *d);
sl_vault_mat_t *sl_vault_mat_ref(sl_vault_mat_t *m);
void sl_vault_mat_unref(sl_vault_mat_t *m); /* NULL is a no-op */
unsigned sl_vault_mat_bits(const sl_vault_mat_t *m);
/* The RSA public modulus and exponent, big-endian without leading zeros. */
int sl_vault_mat_rsa_public(const sl_vault_mat_t *m, sl_buf_t *n, sl_buf_t *e);

/*
 * Wraps `in` with `alg`. Returns 0, SL_EINVAL when the algorithm does not
 * fit the key or the input length is out of range (message in `d`), or
 * SL_ECRYPTO. Thread-safe for concurrent calls on the same material.
 */
int sl_vault_wrap(const sl_vault_mat_t *m, sl_vault_alg_t alg, const uint8_t *in, size_t n,
                  sl_buf_t *out, sl_diag_t *d);
/* Unwraps; SL_EINTEGRITY when the input was not wrapped by this key with
 * this algorithm (wrong key, corrupted input). The caller wipes `out`. */
int sl_vault_unwrap(const sl_vault_mat_t *m, sl_vault_alg_t alg, const uint8_t *in, size_t n,
                    sl_buf_t *out, sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Keys and versions (model.c)                                              */
/* ------------------------------------------------------------------------ */

#define SL_VAULT_NAME_MAX 127
#define SL_VAULT_VERSION_LEN 32 /* hex characters */

/* JSON Web Key operations (key_ops). */
enum {
    SL_VAULT_OP_ENCRYPT = 1 << 0,
    SL_VAULT_OP_DECRYPT = 1 << 1,
    SL_VAULT_OP_SIGN = 1 << 2,
    SL_VAULT_OP_VERIFY = 1 << 3,
    SL_VAULT_OP_WRAP = 1 << 4,
    SL_VAULT_OP_UNWRAP = 1 << 5,
    SL_VAULT_OP_IMPORT = 1 << 6,
    SL_VAULT_OP_EXPORT = 1 << 7,
};
/* Name of the single op bit `op`, or NULL. */
const char *sl_vault_op_name(unsigned op);
/* Bit of an op name (exact, as Key Vault spells it), or 0. */
unsigned sl_vault_op_parse(const char *s);
/* Key Vault's defaults when create has no key_ops. */
unsigned sl_vault_ops_default(sl_vault_kty_t kty);

/* One version of a key. Owned by its key; never removed while running. */
typedef struct sl_vault_ver {
    char id[SL_VAULT_VERSION_LEN + 1];
    uint64_t seq; /* creation order within the key, from 1 */
    sl_vault_kty_t kty;
    unsigned bits;
    unsigned ops;
    bool enabled;
    bool has_nbf, has_exp;
    int64_t nbf, exp;         /* Unix seconds */
    int64_t created, updated; /* Unix seconds */
    char *tags;               /* compact JSON object, or NULL for none */
    sl_vault_mat_t *mat;
} sl_vault_ver_t;

typedef struct sl_vault_key {
    char name[SL_VAULT_NAME_MAX + 1];  /* as first created */
    char lname[SL_VAULT_NAME_MAX + 1]; /* lower case: names are case-insensitive */
    sl_vault_ver_t **v;                /* ascending seq */
    size_t nv, cap;
    uint64_t next_seq;
} sl_vault_key_t;

typedef struct sl_vault_model {
    sl_vault_key_t **k; /* ascending lname */
    size_t nk, cap;
} sl_vault_model_t;

sl_vault_ver_t *sl_vault_ver_create(void);
void sl_vault_ver_destroy(sl_vault_ver_t *v);
/* A new version id: 32 random lower-case hex digits. */
void sl_vault_version_new(char out[SL_VAULT_VERSION_LEN + 1]);
/* Key Vault's name rule: 1-127 of [0-9A-Za-z-]. */
bool sl_vault_name_valid(const char *s);
bool sl_vault_version_valid(const char *s);

void sl_vault_model_init(sl_vault_model_t *m);
void sl_vault_model_dispose(sl_vault_model_t *m);
/* Case-insensitive lookup; NULL if absent. */
sl_vault_key_t *sl_vault_model_find(const sl_vault_model_t *m, const char *name);
/* Finds or inserts (with no versions) the key `name`. */
sl_vault_key_t *sl_vault_model_add(sl_vault_model_t *m, const char *name);
/* Inserts `v` (ownership passes) in seq order. SL_EEXIST for a duplicate
 * id or seq (the caller keeps `v`). */
int sl_vault_key_insert(sl_vault_key_t *k, sl_vault_ver_t *v);
sl_vault_ver_t *sl_vault_key_latest(const sl_vault_key_t *k);
sl_vault_ver_t *sl_vault_key_version(const sl_vault_key_t *k, const char *id);

/*
 * Paging. A page starts after a position taken from a $skiptoken (0 / ""
 * for the first page) and holds at most `max` entries; *more tells whether
 * entries remain. Keys without versions (a first create still in flight)
 * are skipped.
 */
size_t sl_vault_page_versions(const sl_vault_key_t *k, uint64_t after_seq, size_t max,
                              size_t *first, bool *more);
typedef bool (*sl_vault_key_filter_fn)(const sl_vault_key_t *k, void *arg);
size_t sl_vault_page_keys(const sl_vault_model_t *m, const char *after_lname, size_t max,
                          sl_vault_key_filter_fn keep, void *arg, sl_vault_key_t **out,
                          bool *more);
/* $skiptoken text for a position, and back. Tokens are opaque to clients:
 * base64url of "v:<seq>" or "k:<lname>". Decode returns SL_EPARSE. */
void sl_vault_skiptoken_versions(uint64_t seq, sl_buf_t *out);
void sl_vault_skiptoken_keys(const char *lname, sl_buf_t *out);
int sl_vault_skiptoken_parse_versions(const char *tok, uint64_t *seq);
int sl_vault_skiptoken_parse_keys(const char *tok, char lname[SL_VAULT_NAME_MAX + 1]);

/* recoveryLevel from the vault's settings; *days gets recoverableDays (0 =
 * omit). Soft delete off with purge protection on is not a valid setting. */
const char *sl_vault_recovery_level(bool soft_delete, bool purge_protection, int *days);

/* ------------------------------------------------------------------------ */
/* Records on disk (record.c)                                               */
/* ------------------------------------------------------------------------ */

/*
 * A record file is "SLVAULT1", a type byte, then the record sealed
 * (AES-256-GCM, sl_seal) under the records key with the magic, the type and
 * the record's identity ("key:<lname>/<version>", "token:<id>") as AAD, so a
 * file renamed or copied over another is refused rather than trusted.
 */
enum { SL_VAULT_REC_KEY = 'K', SL_VAULT_REC_TOKEN = 'T' };

void sl_vault_file_seal(const sl_key_t *k, int type, const char *ident, const void *pt,
                        size_t pt_n, sl_buf_t *out);
int sl_vault_file_unseal(const sl_key_t *k, int type, const char *ident, const void *data,
                         size_t n, sl_buf_t *pt, sl_diag_t *d);

/* Plain record of a key version, material included: wipe it after use. */
void sl_vault_ver_encode(const char *name, const sl_vault_ver_t *v, sl_buf_t *out);
/* Decodes a record; `name` gets the key name. */
int sl_vault_ver_decode(const void *p, size_t n, char name[SL_VAULT_NAME_MAX + 1],
                        sl_vault_ver_t **out, sl_diag_t *d);
/* Identity (AAD) of a key version record: "key:<lname>/<version>". */
void sl_vault_ver_ident(const char *lname, const char *version, char *out, size_t n);

/* ------------------------------------------------------------------------ */
/* Tokens and permissions (tokens.c)                                        */
/* ------------------------------------------------------------------------ */

/* Key Vault key permissions. */
enum {
    SL_VAULT_PERM_GET = 1 << 0,
    SL_VAULT_PERM_LIST = 1 << 1,
    SL_VAULT_PERM_CREATE = 1 << 2,
    SL_VAULT_PERM_UPDATE = 1 << 3,
    SL_VAULT_PERM_WRAP = 1 << 4,
    SL_VAULT_PERM_UNWRAP = 1 << 5,
    SL_VAULT_PERM_ALL = (1 << 6) - 1,
};
/* Parses "get,list,wrapKey" (case-insensitive; "all"). SL_EPARSE names the
 * first unknown entry in `d`. */
int sl_vault_perms_parse(const char *list, unsigned *out, sl_diag_t *d);
/* Comma-separated names, or "all". */
void sl_vault_perms_format(unsigned perms, sl_buf_t *out);
const char *sl_vault_perm_name(unsigned perm);

typedef enum {
    SL_VAULT_TOK_ADMIN = 1,  /* bootstrap: every permission, and the admin API */
    SL_VAULT_TOK_STATIC = 2, /* bearer token minted by the admin              */
    SL_VAULT_TOK_CLIENT = 3, /* client_id/client_secret for client credentials */
} sl_vault_tok_kind_t;

#define SL_VAULT_TOK_ID_LEN 8
#define SL_VAULT_TOK_MAX_KEYS 16

/* A stored token or client. Only an HMAC of the secret is kept. */
typedef struct sl_vault_tok {
    uint8_t id[SL_VAULT_TOK_ID_LEN];
    sl_vault_tok_kind_t kind;
    char name[64];
    uint8_t hash[SL_SHA256_LEN];
    unsigned perms;
    size_t nkeys; /* 0 = every key */
    char keys[SL_VAULT_TOK_MAX_KEYS][SL_VAULT_NAME_MAX + 1];
    int64_t created, expires; /* Unix seconds; expires 0 = never */
    sl_guid_t client_id;      /* SL_VAULT_TOK_CLIENT */
} sl_vault_tok_t;

typedef struct sl_vault_toklist {
    sl_vault_tok_t **t;
    size_t n, cap;
} sl_vault_toklist_t;

void sl_vault_toklist_dispose(sl_vault_toklist_t *l);
/* Adds `t` (ownership passes). */
void sl_vault_toklist_add(sl_vault_toklist_t *l, sl_vault_tok_t *t);
sl_vault_tok_t *sl_vault_toklist_find(const sl_vault_toklist_t *l,
                                      const uint8_t id[SL_VAULT_TOK_ID_LEN]);

void sl_vault_tok_encode(const sl_vault_tok_t *t, sl_buf_t *out);
int sl_vault_tok_decode(const void *p, size_t n, sl_vault_tok_t *out, sl_diag_t *d);
void sl_vault_tok_id_hex(const sl_vault_tok_t *t, char out[17]);

/*
 * Fills `t` as a fresh token of `kind` (random id; for clients a random
 * client id) and writes its secret into `secret`: the bearer string
 * "svt1.<id hex>.<secret>" for admin/static tokens, the client secret for
 * clients. Only the HMAC (under `hash_key`) goes into `t`.
 */
void sl_vault_tok_mint(const sl_key_t *hash_key, sl_vault_tok_kind_t kind, sl_vault_tok_t *t,
                       char secret[96]);

/* Who is calling. */
typedef struct sl_vault_principal {
    bool admin;
    unsigned perms;
    const sl_vault_tok_t *tok; /* NULL for the managed identity */
    char id[48];               /* for logs: "admin:<id>", "token:<id>", "client:<id>", "mi" */
} sl_vault_principal_t;

/* The policy the verifier needs besides the stored tokens. */
typedef struct sl_vault_authctx {
    const sl_key_t *hash_key;   /* HMACs of token and client secrets */
    const sl_key_t *access_key; /* MACs of access tokens */
    const sl_vault_toklist_t *tokens;
    const char *resource; /* the audience access tokens must carry */
    bool mi_enabled;
    unsigned mi_perms;
} sl_vault_authctx_t;

/* Verifies the token in an Authorization header value ("Bearer ..."):
 * a static token or an access token. Returns 0 or SL_EAUTH (every failure
 * alike: missing, malformed, unknown, expired, wrong audience). */
int sl_vault_auth_verify(const sl_vault_authctx_t *a, const char *header, size_t len,
                         int64_t now, sl_vault_principal_t *out);
/* True if the principal may use key `name` (token key lists). */
bool sl_vault_principal_key_allowed(const sl_vault_principal_t *p, const char *name);
/* Finds the client `client_id` and checks `secret`; NULL if they do not
 * match or the client has expired. */
const sl_vault_tok_t *sl_vault_client_check(const sl_vault_authctx_t *a, const char *client_id,
                                            const char *secret, int64_t now);

enum { SL_VAULT_ACCESS_CLIENT = 1, SL_VAULT_ACCESS_MI = 2 };
/* Mints an access token "sva1.<payload>.<mac>" for a client (tok) or the
 * managed identity (tok NULL) with audience `aud`, valid `ttl_s` seconds. */
void sl_vault_access_mint(const sl_key_t *access_key, const sl_vault_tok_t *tok, const char *aud,
                          int64_t now, int64_t ttl_s, sl_buf_t *out);

/* ------------------------------------------------------------------------ */
/* JSON (bundle.c)                                                          */
/* ------------------------------------------------------------------------ */

/* What the JSON of a key depends on besides the key. */
typedef struct sl_vault_view {
    const char *base_url; /* public URL, no trailing slash */
    const char *recovery_level;
    int recoverable_days; /* 0 = omit */
} sl_vault_view_t;

/* "<base>/keys/<name>[/<version>]". */
void sl_vault_kid(sl_buf_t *out, const char *base, const char *name, const char *version);
/* KeyBundle: {"key":JWK,"attributes":..,"tags":..,"managed":false}. Never
 * writes private parts. */
void sl_vault_json_bundle(sl_jw_t *w, const sl_vault_view_t *view, const char *name,
                          const sl_vault_ver_t *v);
/* KeyItem: {"kid","attributes","tags","managed"}; with_version false gives
 * the versionless kid used by the key list. */
void sl_vault_json_item(sl_jw_t *w, const sl_vault_view_t *view, const char *name,
                        const sl_vault_ver_t *v, bool with_version);
/* Key Vault error body {"error":{"code","message"[,"innererror":{"code"}]}}. */
void sl_vault_json_error(sl_buf_t *out, const char *code, const char *inner, const char *msg);

/* ------------------------------------------------------------------------ */
/* Start-up flags (opts.c)                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sl_vault_opts {
    char *data_dir;
    char **listen; /* HTTPS HOST:PORT */
    size_t nlisten;
    char **http_listen; /* plain HTTP, loopback only */
    size_t nhttp;
    char *public_url; /* NULL: the first listener's URL */
    bool soft_delete;
    bool purge_protection;
    char *tenant;    /* NULL: the data directory's own tenant id */
    char *authority; /* NULL: the public URL (the vault issues its own tokens) */
    char *resource;  /* audience of access tokens, advertised in the challenge */
    bool mi_enabled;
    unsigned mi_perms;
    int log_level;
    int64_t shutdown_timeout_ms;
} sl_vault_opts_t;

typedef enum { SL_VAULT_RUN = 0, SL_VAULT_HELP, SL_VAULT_VERSION } sl_vault_action_t;

/* Parses server flags (argv[1..]). On error fills `d` with one line and
 * returns SL_ECONFIG. */
int sl_vault_opts_parse(int argc, char **argv, sl_vault_opts_t **out, sl_vault_action_t *action,
                        sl_diag_t *d);
void sl_vault_opts_destroy(sl_vault_opts_t *o);
void sl_vault_usage(sl_buf_t *out);

/* api-version values accepted: 7.0-7.6, their previews, and 2025-07-01. */
bool sl_vault_api_version_ok(const char *v);

/* ------------------------------------------------------------------------ */
/* The server                                                               */
/* ------------------------------------------------------------------------ */

typedef struct sl_vault sl_vault_t;
typedef struct sl_vault_req sl_vault_req_t;

typedef struct sl_vault_listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
    } h;
    sl_vault_t *vault;
    bool tls;
    char url[300]; /* "https://127.0.0.1:8444" */
    struct sl_vault_listener *next;
} sl_vault_listener_t;

typedef struct sl_vault_write sl_vault_write_t;

typedef enum {
    SL_VAULT_STARTING = 0,
    SL_VAULT_RUNNING,
    SL_VAULT_DRAINING,
    SL_VAULT_STOPPED,
} sl_vault_state_t;

struct sl_vault {
    sl_vault_opts_t *opts;
    uv_loop_t *loop;
    sl_log_t *log;
    int out_fd;
    sl_vault_state_t state;

    /* data directory */
    char data_dir[PATH_MAX];
    int lock_fd;
    bool first_start;
    char bootstrap_secret[96]; /* first start only, wiped after the banner */
    char tenant[80];
    char public_url[300];
    char authority[300];
    sl_key_t *master;     /* master.key */
    sl_key_t *rec_key;    /* derived: seals records */
    sl_key_t *hash_key;   /* derived: HMACs of token secrets */
    sl_key_t *access_key; /* derived: MACs of access tokens */

    sl_vault_model_t model;
    sl_vault_toklist_t tokens;
    sl_vault_view_t view;
    sl_vault_authctx_t auth;

    /* HTTP */
    h2o_globalconf_t h2o_conf;
    h2o_context_t h2o_ctx;
    bool h2o_ready;
    h2o_accept_ctx_t accept_tls, accept_plain;
    sl_tls_ctx_t *tls_ctx;
    char cert_path[PATH_MAX], key_path[PATH_MAX];
    sl_vault_listener_t *listeners;
    struct sl_vault_conn *conns;
    uint64_t open_conns;
    uint64_t inflight; /* live requests: created, not yet freed */
    bool closing_idle;

    /* the write queue (jobs.c) */
    sl_vault_write_t *wq_head, *wq_tail;
    bool wq_busy;

    uv_signal_t sig_term, sig_int;
    uv_timer_t drain_timer;
};

/* datadir.c: open (creating on first start), lock, load keys and tokens. */
int sl_vault__datadir_open(sl_vault_t *v, sl_diag_t *d);
void sl_vault__datadir_close(sl_vault_t *v);
/* Paths of records. */
void sl_vault__key_dir(const sl_vault_t *v, const char *lname, char *out, size_t n);
void sl_vault__ver_path(const sl_vault_t *v, const char *lname, const char *version, char *out,
                        size_t n);
void sl_vault__tok_path(const sl_vault_t *v, const sl_vault_tok_t *t, char *out, size_t n);

/* http.c */
int sl_vault__http_bind(sl_vault_t *v, sl_diag_t *d);
int sl_vault__http_start(sl_vault_t *v, sl_diag_t *d);
void sl_vault__http_stop_accepting(sl_vault_t *v);
void sl_vault__http_close_idle(sl_vault_t *v);
void sl_vault__http_dispose(sl_vault_t *v);

/* server.c */
void sl_vault__maybe_finish_drain(sl_vault_t *v);

/* jobs.c: `fn` on the thread pool, then `done` on the loop thread. */
typedef void (*sl_vault_work_fn)(void *arg);
void sl_vault__run(sl_vault_t *v, sl_vault_work_fn fn, sl_vault_work_fn done, void *arg);

/*
 * The write queue: durable record writes, one at a time, in order. A job's
 * `prepare` runs on the loop thread when its turn comes — so it sees every
 * earlier write committed — and fills `path`, `mkdir` and the sealed
 * `data`; the file is written (atomically, fsynced) on the thread pool; then
 * `done` runs on the loop with the outcome, commits to memory and answers.
 * A non-zero return from `prepare` skips the write and goes to `done`.
 */
typedef int (*sl_vault_prepare_fn)(sl_vault_write_t *w);
typedef void (*sl_vault_done_fn)(sl_vault_write_t *w, int rc);
struct sl_vault_write {
    uv_work_t work;
    sl_vault_t *vault;
    sl_vault_prepare_fn prepare;
    sl_vault_done_fn done;
    void *arg;
    char path[PATH_MAX];
    char mkdir[PATH_MAX]; /* directory to create first, or "" */
    sl_buf_t data;
    int rc;
    sl_diag_t diag;
    sl_vault_write_t *next;
};
/* Queues `w` (allocated by the caller with sl_xcalloc; freed after done). */
void sl_vault__write_submit(sl_vault_t *v, sl_vault_write_t *w);

/* ------------------------------------------------------------------------ */
/* Requests (req.c, router.c)                                               */
/* ------------------------------------------------------------------------ */

typedef enum {
    SL_VAULT_AUTH_NONE = 0, /* health; the token endpoints authenticate themselves */
    SL_VAULT_AUTH_KEYS,     /* Key Vault: challenge, token, permission */
    SL_VAULT_AUTH_ADMIN,    /* the admin API: the bootstrap token only */
} sl_vault_auth_t;

typedef void (*sl_vault_handler_fn)(sl_vault_req_t *r);

typedef struct sl_vault_route {
    const char *method;
    const char *pattern; /* "keys/{n}/{v}/wrapkey": {n} a name, {v} a version (may be empty) */
    sl_vault_auth_t auth;
    unsigned perm; /* SL_VAULT_PERM_* needed, for SL_VAULT_AUTH_KEYS */
    const char *op; /* operation name for logs and messages: "unwrapKey" */
    sl_vault_handler_fn fn;
} sl_vault_route_t;

struct sl_vault_req {
    sl_vault_t *vault;
    h2o_req_t *h2o; /* NULL once h2o has disposed of the request */
    sl_pool_t *pool;
    sl_target_t target;
    const sl_vault_route_t *route;
    const char *name;    /* {n}, or NULL */
    const char *version; /* {v}, or NULL; "" means the latest */
    const char *tenant;  /* the token endpoint's {tenant}, or NULL */
    char id[17];
    char method[12];
    uint64_t start_ns;
    bool pending;
    bool responded;
    int status;
    sl_buf_t body_out;
    sl_vault_principal_t who;
    bool authed;
};

sl_vault_req_t *sl_vault__req_create(sl_vault_t *v, h2o_req_t *req);
bool sl_vault_req_header(sl_vault_req_t *r, const char *name, const char **val, size_t *len);
const char *sl_vault_req_body(sl_vault_req_t *r, size_t *len);
void sl_vault_req_add_header(sl_vault_req_t *r, const char *name, const char *value);
/* Asynchronous work: suspend before, resume on the loop after; resume
 * returns false when the client is gone (the request is then freed). */
void sl_vault_req_suspend(sl_vault_req_t *r);
bool sl_vault_req_resume(sl_vault_req_t *r);

/* Responses. The body buffer is taken over. */
void sl_vault_respond(sl_vault_req_t *r, int status, const char *content_type, sl_buf_t *body);
void sl_vault_respond_json(sl_vault_req_t *r, int status, sl_buf_t *body);
/* A Key Vault error; 401s carry the WWW-Authenticate challenge. */
void sl_vault_respond_error(sl_vault_req_t *r, int status, const char *code, const char *inner,
                            const char *fmt, ...) SL_PRINTF(5, 6);
/* An OAuth2-shaped error {"error","error_description"} (token endpoints). */
void sl_vault_respond_oauth_error(sl_vault_req_t *r, int status, const char *error,
                                  const char *fmt, ...) SL_PRINTF(4, 5);
/* One audit line for a key operation: never key material, never tokens. */
void sl_vault_audit(sl_vault_req_t *r, const char *op, const char *name, const char *version,
                    const char *outcome);

extern const sl_vault_route_t sl_vault_routes[];
extern const size_t sl_vault_routes_count;
void sl_vault__dispatch(sl_vault_t *v, h2o_req_t *req);

/* Handlers. */
void sl_vault_h_healthz(sl_vault_req_t *r);
void sl_vault_h_key_create(sl_vault_req_t *r);
void sl_vault_h_key_get(sl_vault_req_t *r);
void sl_vault_h_key_update(sl_vault_req_t *r);
void sl_vault_h_key_versions(sl_vault_req_t *r);
void sl_vault_h_key_list(sl_vault_req_t *r);
void sl_vault_h_wrap(sl_vault_req_t *r);
void sl_vault_h_unwrap(sl_vault_req_t *r);
void sl_vault_h_oauth_token(sl_vault_req_t *r);
void sl_vault_h_imds_token(sl_vault_req_t *r);
void sl_vault_h_admin_token_create(sl_vault_req_t *r);

/* h_keys.c, shared with h_wrap.c: finds the key and version the request
 * names; answers 404 (or 400 for an invalid name) and returns NULL. */
sl_vault_ver_t *sl_vault__resolve(sl_vault_req_t *r, sl_vault_key_t **kout);
/* Parses the request body as a JSON object; answers 400 BadParameter and
 * returns NULL when it is not one. The caller json_decref()s. */
json_t *sl_vault__body_object(sl_vault_req_t *r);
/* Refuses (403, answered) an operation on a disabled key. */
bool sl_vault__check_enabled(sl_vault_req_t *r, const sl_vault_key_t *k,
                             const sl_vault_ver_t *ver, const char *op);

/* ------------------------------------------------------------------------ */
/* The client (cli.c, cli_cmd.c)                                            */
/* ------------------------------------------------------------------------ */

typedef struct sl_vault_cli {
    const char *endpoint;
    const char *cacert;
    const char *token;
    bool json;
    bool insecure;
} sl_vault_cli_t;

int sl_vault_cli_main(int argc, char **argv);
/* One HTTPS exchange with the vault; returns SL_VAULT_EXIT_OK with *status
 * and `resp` filled, or SL_VAULT_EXIT_CONNECT after printing why. */
int sl_vault_cli_http(const sl_vault_cli_t *c, const char *method, const char *path,
                      const char *body, long *status, sl_buf_t *resp);
int sl_vault_cli_key(sl_vault_cli_t *c, int argc, char **argv);
int sl_vault_cli_token(sl_vault_cli_t *c, int argc, char **argv);

#endif /* SL_VAULT_INT_H */
