/* Internals shared by the files of node/. Includes h2o (and so OpenSSL). */
#ifndef SL_NODE_INT_H
#define SL_NODE_INT_H

#define H2O_USE_LIBUV 1
#include <h2o.h>
#include <limits.h>
#include <stdatomic.h>
#include <uv.h>

#include "cache/cache.h"
#include "crypto/crypto.h"
#include "node/node.h"
#include "store/store.h"

typedef struct sl_node sl_node_t;
typedef struct sl_req sl_req_t;
typedef struct sl_metrics sl_metrics_t;
typedef struct sl_qspawn sl_qspawn_t;
typedef struct sl_cmk sl_cmk_t;
struct sl_audit_q;

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

typedef enum {
    SL_NODE_STARTING = 0,
    SL_NODE_RUNNING,
    SL_NODE_DRAINING,
    SL_NODE_STOPPED,
} sl_node_state_t;

/* A bound listening socket. */
typedef struct sl_listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    sl_node_t *node;
    bool tls;
    bool is_unix;
    char display[300]; /* "https://127.0.0.1:8443", "unix:/run/x.sock" */
    struct sl_listener *next;
} sl_listener_t;

struct sl_node {
    sl_config_t *cfg;
    uv_loop_t *loop;
    sl_log_t *log;
    int out_fd;
    sl_node_state_t state;
    bool closing_idle; /* draining: idle connections are being closed */
    sl_ticks_t started_at;

    /* data directory */
    char data_dir[PATH_MAX];
    int lock_fd;
    bool first_start;
    bool double_encryption; /* as fixed in the data directory */

    /* keys */
    sl_key_t *service_key;  /* MMK */
    sl_key_t *infra_key;    /* infrastructure layer */
    sl_key_t *secrets_key;  /* derived: seals catalog secrets */
    sl_key_t *token_key;    /* derived: binds token hashes to this node */

    sl_catalog_t *catalog;
    sl_metrics_t *metrics;
    sl_kek_provider_t *kek_local; /* the MMK scope's KEK */
    sl_keyring_t *keyring;
    sl_store_t *store;
    /* ingestion (loop thread) */
    uint64_t ingest_inflight_bytes;
    uint64_t ingest_rows, ingest_requests[2];
    uint64_t ingest_rejected_busy, ingest_rejected_auth;
    _Atomic uint64_t ingest_ns_parse; /* pool threads: gunzip + parse + submit */
    struct sl_dcr_entry *dcrs; /* dcr.c */
    uv_timer_t retention_timer;
    bool purge_running;
    uint64_t purged_rows;
    uv_async_t store_async; /* the WAL thread's "commits are done" */
    bool store_async_ready;
    sl_qspawn_t *qspawn; /* query_pool.c */
    sl_cmk_t *cmk;       /* cmk.c */
    struct sl_node_cache *hot; /* hotcache.c */
    struct sl_audit_q *audit; /* audit.c */
    unsigned query_helpers;
    _Atomic uint64_t queries, query_errors, query_timeouts, query_partial;
    _Atomic int queries_active;
    _Atomic bool cancel_queries; /* set at shutdown: running queries stop */

    /* HTTP */
    h2o_globalconf_t h2o_conf;
    h2o_context_t h2o_ctx;
    bool h2o_ready; /* h2o_ctx initialised */
    h2o_accept_ctx_t accept_tls, accept_plain;
    sl_tls_ctx_t *tls_ctx;
    char cert_path[PATH_MAX], key_path[PATH_MAX];
    bool cert_is_ours;
    sl_listener_t *listeners;
    uint64_t open_conns;
    struct conn *conns; /* open connections (http.c) */
    uint64_t inflight;
    char public_url[300];

    /* signals and shutdown */
    uv_signal_t sig_term, sig_int, sig_hup;
    uv_timer_t drain_timer;
    int argc;
    char **argv, **envp;
};

/* datadir.c */
int sl_node__datadir_open(sl_node_t *n, sl_diag_t *d);
void sl_node__datadir_close(sl_node_t *n);

/* keys.c: the AEKs and the keyring. */
int sl_node__keys_open(sl_node_t *n, sl_diag_t *d);
void sl_node__keys_close(sl_node_t *n);

/* storage.c: the store and its completion wake-up. */
int sl_node__storage_open(sl_node_t *n, sl_diag_t *d);
void sl_node__storage_close(sl_node_t *n);
/* ingest_http.c: a batch's commit finished (loop thread). */
void sl_node__ingest_done(void *arg, void *user, int status, uint64_t lsn);

/* query_json.c: the Query API's JSON (needs query/query.h for the result). */
struct sl_query_result;
void sl_node__query_result_json(const struct sl_query_result *res, bool stats, bool render,
                                sl_buf_t *out);
void sl_node__query_error_json(sl_buf_t *out, const char *code, const char *inner,
                               const char *msg);

/* audit.c: the audit log, written in order off the loop. */
int sl_node__audit_open(sl_node_t *n, sl_diag_t *d);
void sl_node__audit_close(sl_node_t *n);
void sl_node__audit_free(sl_node_t *n);
/* Appends an audit record (kind, JSON details) soon; callable from any thread. */
void sl_node__audit(sl_node_t *n, const char *kind, const char *details_json);

/* cmk.c: customer-managed keys (cluster resource, CMK account key, key monitor). */
int sl_node__cmk_open(sl_node_t *n, sl_diag_t *d);
void sl_node__cmk_close(sl_node_t *n); /* stops the monitor */
void sl_node__cmk_free(sl_node_t *n);  /* after the loop has finished */
/* The vault provider and token source for a cluster configuration. */
int sl_node__cmk_provider(sl_node_t *n, const sl_cluster_t *c, sl_token_source_t **tokens,
                          sl_kek_provider_t **kek, sl_diag_t *d);
/* (Re)starts the key monitor on the stored CMK account key (takes kek and tokens). */
int sl_node__cmk_watch(sl_node_t *n, sl_kek_provider_t *kek, sl_token_source_t *tokens,
                       sl_diag_t *d);
/* The scope new data of workspace ws goes to; SL_EKEYUNAVAIL (with the reason
 * in why) when the workspace's customer-managed key is unavailable. Any thread. */
int sl_node__cmk_scope(sl_node_t *n, const sl_guid_t *ws, sl_scope_t *scope, char *why,
                       size_t whyn);
/* Counts records refused for workspace ws while its key was unavailable. */
void sl_node__cmk_dropped(sl_node_t *n, const sl_guid_t *ws, uint64_t records, uint64_t bytes);
void sl_node__cmk_json(sl_node_t *n, sl_jw_t *w);
void sl_node__cmk_metrics(sl_node_t *n, sl_buf_t *out);
void sl_node__cmk_cluster(sl_node_t *n, sl_cluster_t *out);
void sl_node__cmk_set_cluster(sl_node_t *n, const sl_cluster_t *c);
void sl_node__cmk_set_linked(sl_node_t *n, const sl_guid_t *ws, bool linked);
/* Revokes now (identity removed): drops the key, stops the monitor. */
void sl_node__cmk_revoke(sl_node_t *n, const char *why);

/* query_pool.c: helper threads for parallel scans. */
int sl_node__qspawn_open(sl_node_t *n, sl_diag_t *d);
void sl_node__qspawn_close(sl_node_t *n);
void sl_node__qspawn(void *arg, void (*fn)(void *task), void *task);

/* http.c */
int sl_node__http_bind(sl_node_t *n, sl_diag_t *d);
int sl_node__http_start(sl_node_t *n, sl_diag_t *d);
int sl_node__tls_load(sl_node_t *n, sl_tls_ctx_t **out, sl_diag_t *d);
void sl_node__http_reload_tls(sl_node_t *n);
void sl_node__http_stop_accepting(sl_node_t *n);
/* Closes connections that are still open once no request is in flight. */
void sl_node__http_close_idle(sl_node_t *n);
void sl_node__http_dispose(sl_node_t *n);

/* node.c */
void sl_node__maybe_finish_drain(sl_node_t *n);

/* hotcache.c: the hot cache's life in the node (see the file's note). */
typedef struct sl_node_cache sl_node_cache_t;
sl_node_cache_t *sl_node__cache_create(sl_node_t *n); /* before the store opens */
void sl_node__cache_on_block(void *arg, const sl_store_block_info_t *info, sl_colset_t *rows);
int sl_node__cache_open(sl_node_t *n, bool cmk_may_come, sl_diag_t *d);
sl_cache_t *sl_node__cache(sl_node_t *n); /* NULL: no cache */
void sl_node__cache_reload(sl_node_t *n, sl_scope_t s);
int sl_node__cache_wipe(sl_node_t *n, sl_scope_t s, sl_cache_wipe_stats_t *st, sl_diag_t *d);
void sl_node__cache_purge(sl_node_t *n, const sl_retention_rule_t *rules, size_t nrules);
void sl_node__cache_json(sl_node_t *n, sl_jw_t *w);
void sl_node__cache_metrics(sl_node_t *n, sl_buf_t *out);
void sl_node__cache_cancel(sl_node_t *n); /* a drain began: reloads stop */
void sl_node__cache_close(sl_node_t *n);  /* after the store is closed */

/* work.c: run `fn` on the thread pool, then `done` on the loop thread. */
typedef void (*sl_work_fn)(void *arg);
void sl_node__run_blocking(sl_node_t *n, sl_work_fn fn, sl_work_fn done, void *arg);

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */

/* Which API a route belongs to decides its error body shape. */
typedef enum {
    SL_API_PLAIN = 0, /* health, metrics */
    SL_API_ADMIN,     /* {"error":{"code","message"}} */
    SL_API_DC,        /* {"Error","Message"} (Data Collector) */
    SL_API_INGEST,    /* Azure.Core {"error":{...}} + x-ms-error-code */
    SL_API_QUERY,     /* OneAPI {"error":{"message","code","innererror"}} */
} sl_api_t;

typedef enum {
    SL_AUTH_NONE = 0,
    SL_AUTH_ADMIN,  /* admin token */
    SL_AUTH_INGEST, /* ingest or admin token */
    SL_AUTH_QUERY,  /* query or admin token */
    SL_AUTH_HANDLER, /* the handler authenticates (SharedKey, token endpoint) */
} sl_auth_t;

typedef void (*sl_handler_fn)(sl_req_t *r);

typedef struct sl_route {
    const char *method;
    const char *pattern; /* "/admin/v1/workspaces/{}"; "{}" captures one segment */
    sl_api_t api;
    sl_auth_t auth;
    sl_handler_fn fn;
} sl_route_t;

#define SL_REQ_MAX_PARAMS 4

struct sl_req {
    sl_node_t *node;
    h2o_req_t *h2o; /* NULL once h2o has disposed of the request */
    sl_pool_t *pool;
    sl_target_t target;
    const sl_route_t *route;
    int route_index; /* for metrics; -1 when unrouted */
    const char *params[SL_REQ_MAX_PARAMS];
    char id[17];
    uint64_t start_ns;
    bool pending;   /* asynchronous work outstanding */
    bool responded;
    sl_buf_t body_out;
    sl_token_rec_t *token; /* authenticated principal, or NULL */
};

/* Header access (names in lower case; h2o lower-cases request headers). */
bool sl_req_header(sl_req_t *r, const char *name, const char **val, size_t *len);
/* Copies a header value into the pool as a C string; NULL if absent. */
const char *sl_req_header_str(sl_req_t *r, const char *name);
void sl_req_add_header(sl_req_t *r, const char *name, const char *value);
/* The request body (never NULL; empty when none). */
const char *sl_req_body(sl_req_t *r, size_t *len);
const char *sl_req_method(sl_req_t *r);

/* Marks the request as waiting for asynchronous work; call sl_req_resume()
 * on the loop thread when it completes, before responding. Returns false if
 * the client went away in the meantime (the request must then be dropped). */
void sl_req_suspend(sl_req_t *r);
bool sl_req_resume(sl_req_t *r);

/* Sends a response; takes ownership of `body` (may be NULL for no body). */
void sl_respond(sl_req_t *r, int status, const char *content_type, sl_buf_t *body);
void sl_respond_json(sl_req_t *r, int status, sl_buf_t *body);
void sl_respond_empty(sl_req_t *r, int status);
/* An error in the route's API shape; `inner` is the innererror code for the
 * Query API (may be NULL). 429 and 503 get a Retry-After header. */
void sl_respond_error(sl_req_t *r, int status, const char *code, const char *inner,
                      const char *fmt, ...) SL_PRINTF(5, 6);
void sl_respond_retry_after(sl_req_t *r, int status, int retry_after_s, const char *code,
                            const char *fmt, ...) SL_PRINTF(5, 6);

/* router.c */
extern const sl_route_t sl_routes[];
extern const size_t sl_routes_count;
void sl_node__dispatch(sl_node_t *n, h2o_req_t *req);
/* The route for `method` (mlen bytes) on the parsed target `t`, as dispatch
 * picks it: the first route of sl_routes whose pattern matches the path and
 * whose method is `method` (GET routes also serve HEAD). Returns its index
 * with its captures in params ("{}": a segment of t; "{*}": segments joined
 * by '/', copied into pool); -1 when no route has this path (404); -2 when
 * some do but not for this method (405), listing their methods in `allow`
 * ("GET, POST") when it is not NULL. */
int sl_node__route_find(const char *method, size_t mlen, const sl_target_t *t, sl_pool_t *pool,
                        const char *params[SL_REQ_MAX_PARAMS], sl_buf_t *allow);
sl_req_t *sl_node__req_create(sl_node_t *n, h2o_req_t *req);

/* auth.c */
/* Mints a token of `kind` with scopes; *secret gets the full bearer string
 * (shown once). `ttl_ms` 0 means the configured default. */
int sl_node__token_mint(sl_node_t *n, sl_token_kind_t kind, const char *name,
                        const char *const *scopes, size_t nscopes, int64_t ttl_ms,
                        sl_token_rec_t *out, char secret[128], sl_diag_t *d);
/* Authenticates a "Bearer ..." header value. Returns 0, SL_EAUTH (missing,
 * malformed, unknown, expired or revoked — deliberately not distinguished). */
int sl_node__token_verify(sl_node_t *n, const char *header, size_t len, sl_token_rec_t *out);
/* True if the token grants `scope` for `kind` (admin tokens grant all). */
/* oauth.c: access tokens issued by the token endpoint (JWT, HS256). */
int sl_node__jwt_verify(sl_node_t *n, const char *tok, size_t len, sl_token_rec_t *out);
bool sl_node__token_allows(const sl_token_rec_t *t, sl_token_kind_t kind, const char *scope);
void sl_node__token_id_hex(const uint8_t id[SL_TOKEN_ID_LEN], char out[17]);

/* ------------------------------------------------------------------------ */
/* Metrics                                                                  */
/* ------------------------------------------------------------------------ */

sl_metrics_t *sl_metrics_create(size_t nroutes);
void sl_metrics_destroy(sl_metrics_t *m);
void sl_metrics_request(sl_metrics_t *m, int route, int status, uint64_t bytes_in,
                        uint64_t bytes_out, uint64_t ns);
void sl_metrics_render(sl_metrics_t *m, sl_node_t *n, sl_buf_t *out);

/* ------------------------------------------------------------------------ */
/* Handlers                                                                 */
/* ------------------------------------------------------------------------ */

void sl_h_healthz(sl_req_t *r);
void sl_h_readyz(sl_req_t *r);
void sl_h_metrics(sl_req_t *r);
void sl_h_status(sl_req_t *r);
void sl_h_ws_list(sl_req_t *r);
void sl_h_ws_create(sl_req_t *r);
void sl_h_ws_show(sl_req_t *r);
void sl_h_ws_delete(sl_req_t *r);
void sl_h_ws_keys(sl_req_t *r);
void sl_h_ws_regenerate(sl_req_t *r);
void sl_h_token_list(sl_req_t *r);
void sl_h_token_create(sl_req_t *r);
void sl_h_token_revoke(sl_req_t *r);
void sl_h_dc_post(sl_req_t *r);
void sl_h_li_post(sl_req_t *r);
void sl_h_oauth_token(sl_req_t *r);
void sl_h_dcr_list(sl_req_t *r);
void sl_h_dcr_create(sl_req_t *r);
void sl_h_dcr_show(sl_req_t *r);
void sl_h_dcr_delete(sl_req_t *r);
void sl_h_dump(sl_req_t *r);
void sl_h_retention_run(sl_req_t *r);
void sl_h_query(sl_req_t *r);
void sl_h_cluster_show(sl_req_t *r);
void sl_h_cluster_update(sl_req_t *r);
void sl_h_ws_link(sl_req_t *r);
void sl_h_ws_unlink(sl_req_t *r);
void sl_h_audit_list(sl_req_t *r);
void sl_h_audit_verify(sl_req_t *r);
void sl_h_query_resource(sl_req_t *r);
void sl_h_query_batch(sl_req_t *r);
void sl_node__retention_start(sl_node_t *n);

/* dcr.c: the registry of data collection rules (loaded at start). */
struct sl_dcr;
int sl_node__dcr_load(sl_node_t *n, sl_diag_t *d);
void sl_node__dcr_free(sl_node_t *n);
const struct sl_dcr *sl_node__dcr_find(sl_node_t *n, const char *immutable_id);

/* Workspace helpers shared by admin and ingest. Finds by GUID or name. */
int sl_node__ws_find(sl_node_t *n, const char *id_or_name, sl_ws_rec_t *out, sl_diag_t *d);
/* Unseals the shared keys of `w` (base64 text of 64 random bytes). */
int sl_node__ws_keys(sl_node_t *n, const sl_ws_rec_t *w, char key1[96], char key2[96]);

#endif
