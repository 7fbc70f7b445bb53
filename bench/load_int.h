/*
 * Internals of the sealog-load program shared by its files: options, the
 * body feed (feed.c), client connections (conn.c), workers and the run
 * (run.c), and the OAuth2 token source (token.c). Not a library API.
 */
#ifndef SL_LOAD_INT_H
#define SL_LOAD_INT_H

#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <uv.h>

#include "bench/load.h"

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sl_load_opts {
    const char *url_text;
    sl_load_url_t url;
    const char *cacert;
    bool insecure;
    sl_load_mode_t mode;
    /* DC */
    const char *workspace_id;
    const char *shared_key;
    const char *log_type;
    bool time_field;
    /* LI */
    const char *dcr, *stream;
    const char *token;
    const char *client_id, *client_secret;
    const char *token_url_text;
    sl_load_url_t token_url;
    bool gzip;
    int gzip_level;
    /* shape of the run */
    unsigned connections, threads;
    uint64_t rows_per_post;
    uint64_t rate;       /* rows/s, 0 = closed loop */
    double duration_s;   /* 0 = none */
    uint64_t total_rows; /* 0 = none */
    const char *input;
    uint64_t seed;
    bool rebase;
    uint64_t ring_bytes; /* budget of uncompressed JSON prepared ahead */
    double timeout_s;
    const char *report_json;
    bool quiet;
} sl_load_opts_t;

/* Parses argv into `o`. Returns 0, 1 when --help was printed, or SL_EINVAL
 * with the reason in `d`. */
int sl_load__opts_parse(int argc, char **argv, sl_load_opts_t *o, sl_diag_t *d);
void sl_load__usage(FILE *f);

/* ------------------------------------------------------------------------ */
/* Feed: a ring of prepared request bodies                                  */
/* ------------------------------------------------------------------------ */

typedef struct sl_load_body {
    sl_buf_t data;       /* what is sent: JSON, or its gzip */
    uint64_t json_bytes; /* uncompressed size */
    uint64_t rows;
    uint64_t seq; /* request number */
    int state;    /* FEED_FREE / FEED_READY / FEED_TAKEN (feed.c) */
} sl_load_body_t;

typedef struct sl_load__feed sl_load__feed_t;

typedef enum {
    SL_LOAD_TAKE_OK = 0,
    SL_LOAD_TAKE_WAIT = 1, /* the refill thread is behind: try again shortly */
    SL_LOAD_TAKE_END = 2,  /* every body has been handed out (or the feed failed) */
} sl_load_take_t;

/* Prepares bodies until the ring budget is used or the run's rows are all
 * prepared (before the clock starts), and starts the refill thread when the
 * run needs more bodies than the ring holds. Prints nothing. */
int sl_load__feed_create(const sl_load_opts_t *o, sl_load__feed_t **out, sl_diag_t *d);
/* Thread-safe. Hands out bodies in request order. */
sl_load_take_t sl_load__feed_take(sl_load__feed_t *f, sl_load_body_t **out);
void sl_load__feed_release(sl_load__feed_t *f, sl_load_body_t *b);
/* Stops the refill thread and frees everything; returns the refill error, if
 * any happened (then `d` says what). */
int sl_load__feed_destroy(sl_load__feed_t *f, sl_diag_t *d);
/* Prepared-before-start figures, for the banner; `after` says what happens
 * when they run out. */
void sl_load__feed_info(const sl_load__feed_t *f,
                        size_t *slots,
                        uint64_t *bytes,
                        const char **after);

/* ------------------------------------------------------------------------ */
/* Connections                                                              */
/* ------------------------------------------------------------------------ */

typedef struct sl_load__conn sl_load__conn_t;

typedef struct sl_load__conn_ops {
    /* Connected (TLS included) or done with a response: ready to send. */
    void (*on_ready)(sl_load__conn_t *c);
    /* The answer to the request in flight. */
    void (*on_response)(sl_load__conn_t *c, const sl_load_http_t *resp);
    /* A transport error; `lost` says whether a request in flight was lost. */
    void (*on_error)(sl_load__conn_t *c, const char *name, bool lost, const sl_diag_t *d);
    /* The connection is closed for good (after sl_load__conn_shutdown, or after
     * giving up on reconnecting). */
    void (*on_closed)(sl_load__conn_t *c);
} sl_load__conn_ops_t;

#define SL_LOAD_CONN_RBUF 65536
#define SL_LOAD_CONN_MAX_FAILS 8

struct sl_load__conn {
    uv_loop_t *loop;
    const sl_load__conn_ops_t *ops;
    void *owner;
    unsigned id;
    const struct sockaddr_storage *addr;
    sl_load_tls_ctx_t *tls_ctx; /* NULL for plain HTTP */
    const char *host;           /* for SNI and verification */
    uint64_t timeout_ms;        /* per request */

    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_timer_t timer; /* request timeout, reconnect backoff */
    int state;
    bool final;      /* shutdown requested */
    bool busy;       /* a request is in flight */
    bool resp_ready; /* its response arrived before the write finished */
    bool answered;   /* a response arrived since this socket connected */
    unsigned writes; /* uv_write calls in progress */
    unsigned fails;  /* consecutive failed connection attempts */
    sl_load_tls_t *tls;
    sl_load_http_t resp;
    sl_buf_t plain;
    /* TLS output: records accumulate in txq; a flush swaps txq with a free
     * tx slot and writes that, so buffers keep their memory between
     * requests (conn.c explains why). */
    sl_buf_t txq, tx[2], merge;
    bool tx_busy[2];
    const char *pend; /* TLS: body bytes not yet encrypted (streamed) */
    size_t pend_n;
    bool cut; /* the server answered before the body was sent */
    char rbuf[SL_LOAD_CONN_RBUF];

    /* owner's per-request data */
    void *req;
    uint64_t t0_ns;
};

void sl_load__conn_init(sl_load__conn_t *c,
                        uv_loop_t *loop,
                        const sl_load__conn_ops_t *ops,
                        void *owner,
                        unsigned id,
                        const struct sockaddr_storage *addr,
                        sl_load_tls_ctx_t *tls_ctx,
                        const char *host,
                        uint64_t timeout_ms);
/* Starts connecting; on_ready follows (or on_error and retries). */
void sl_load__conn_start(sl_load__conn_t *c);
/* Sends one request (only when ready and not busy). `body` must stay valid
 * until on_response or on_error(lost). Returns 0 or a libuv error (then the
 * connection reports on_error itself, asynchronously). */
int sl_load__conn_send(sl_load__conn_t *c,
                       const char *head,
                       size_t head_n,
                       const char *body,
                       size_t body_n);
/* Keeps response bodies (up to `max` bytes) for the owner to read. */
void sl_load__conn_keep_body(sl_load__conn_t *c, size_t max);
/* Closes the connection for good; on_closed follows. */
void sl_load__conn_shutdown(sl_load__conn_t *c);
bool sl_load__conn_is_ready(const sl_load__conn_t *c);

/* Resolves host:port (blocking; used before the run starts). */
int sl_load__resolve(const sl_load_url_t *u, struct sockaddr_storage *out, sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* OAuth2 client credentials                                                */
/* ------------------------------------------------------------------------ */

typedef struct sl_load__token sl_load__token_t;

/* Fetches the first token on `loop` (running it until done), then keeps it
 * fresh with a timer on the same loop. Thread-safe readers use
 * sl_load__token_copy(). */
int sl_load__token_create(uv_loop_t *loop,
                          const sl_load_opts_t *o,
                          sl_load__token_t **out,
                          sl_diag_t *d);
/* Copies the current token into `out` if its version differs from *version;
 * returns true when it did. */
bool sl_load__token_copy(sl_load__token_t *t, uint64_t *version, sl_buf_t *out);
void sl_load__token_stop(sl_load__token_t *t); /* closes its handles (loop thread) */
void sl_load__token_destroy(sl_load__token_t *t);
void sl_load__token_counts(sl_load__token_t *t, uint64_t *fetches, uint64_t *failures);

/* ------------------------------------------------------------------------ */
/* The run                                                                  */
/* ------------------------------------------------------------------------ */

/* Runs the whole measurement (connect, go, stop, drain) and fills `stats`
 * and `meta`. Returns 0, or an error that prevented the run. */
int sl_load__run(const sl_load_opts_t *o,
                 sl_load_stats_t *stats,
                 sl_load_meta_t *meta,
                 sl_diag_t *d);

#endif /* SL_LOAD_INT_H */
