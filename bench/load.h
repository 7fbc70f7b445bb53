/*
 * load — the parts of the sealog load generator (sealog-load) that do not
 * need an event loop: URL parsing, the Data Collector SharedKey signer, the
 * row sources (the shared generator's JSON lines, or rows generated here
 * from a seeded PRNG), the mapping of a row to a Data Collector or Logs
 * Ingestion record, request heads, gzip, a latency histogram, an HTTP/1.1
 * message parser, the open-loop rate schedule, the report, and a TLS
 * stream over memory BIOs. The program (main.c, run.c, conn.c, feed.c,
 * token.c) and the capture server (capture.h) are built on these.
 *
 * Everything here is single-threaded per object: an object may move between
 * threads but is never used by two at once. Functions return 0 or a
 * negative SL_E* code and describe failures in an optional sl_diag_t.
 */
#ifndef SL_LOAD_H
#define SL_LOAD_H

#include "common/common.h"

/* ------------------------------------------------------------------------ */
/* Target URL                                                               */
/* ------------------------------------------------------------------------ */

/*
 * "http[s]://host[:port][/base]" split for connecting and for request
 * targets. IPv6 literals are written in brackets ("https://[::1]:8443").
 */
typedef struct sl_load_url {
    bool tls;
    char host[256];      /* without brackets: what to resolve and verify */
    uint16_t port;       /* 443 / 80 when absent */
    char authority[280]; /* the Host header: host[:port] as the user wrote it */
    char path[512];      /* "" or "/base" (no trailing slash) for --url; the whole
                            path, query included, for --token-url */
} sl_load_url_t;

/* Parses `s`. Returns 0, or SL_EPARSE for anything but an absolute http(s)
 * URL with a host, a port in 1..65535 and no user info or fragment. */
int sl_load_url_parse(const char *s, sl_load_url_t *out, sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Data Collector SharedKey (PROTOCOLS.md §1.3)                             */
/* ------------------------------------------------------------------------ */

#define SL_LOAD_SHAREDKEY_MAX 128 /* decoded key bytes accepted */
#define SL_LOAD_SIG_B64_LEN 44    /* base64 of a SHA-256 HMAC */

typedef struct sl_load_sharedkey {
    uint8_t key[SL_LOAD_SHAREDKEY_MAX];
    size_t key_n;
} sl_load_sharedkey_t;

/* Decodes the base64 workspace key. Returns 0, or SL_EPARSE when it is not
 * base64 or decodes to nothing or to more than SL_LOAD_SHAREDKEY_MAX bytes. */
int sl_load_sharedkey_init(sl_load_sharedkey_t *k, const char *key_b64, sl_diag_t *d);
/* Wipes the key. */
void sl_load_sharedkey_dispose(sl_load_sharedkey_t *k);

/*
 * Writes the five-line string-to-sign
 *   "POST\n<content_length>\n<content_type>\nx-ms-date:<date>\n/api/logs"
 * into `out` (NUL-terminated) and returns its length, or 0 if `cap` is too
 * small.
 */
size_t sl_load_sharedkey_string(size_t content_length,
                                const char *content_type,
                                const char *date,
                                char *out,
                                size_t cap);
/* base64(HMAC-SHA256(key, string-to-sign)) into `out` (NUL-terminated). */
void sl_load_sharedkey_sign(const sl_load_sharedkey_t *k,
                            size_t content_length,
                            const char *content_type,
                            const char *date,
                            char out[SL_LOAD_SIG_B64_LEN + 1]);

/* ------------------------------------------------------------------------ */
/* Rows                                                                     */
/* ------------------------------------------------------------------------ */

/* A slice of JSON string *content*: already escaped, without the quotes, so
 * it can be copied into a request body verbatim. */
typedef struct sl_load_str {
    const char *p;
    size_t n;
} sl_load_str_t;

/* One syslog-like row: the shape of the shared generator's JSON lines. */
typedef struct sl_load_row {
    int64_t ts_ms; /* event time, Unix milliseconds */
    sl_load_str_t host, app, severity, message;
} sl_load_row_t;

/*
 * Parses one JSON line of the shared generator (`ts`, `ts_ms`, `host`, `app`,
 * `severity`, `message`; other keys are ignored). The time comes from
 * `ts_ms`, or from `ts` (ISO 8601, UTC when no zone) when `ts_ms` is absent.
 * Strings are validated (escapes, no raw control characters) and the row's
 * slices point into `line`. Returns 0 or SL_EPARSE with the reason.
 */
int sl_load_row_parse(const char *line, size_t n, sl_load_row_t *row, sl_diag_t *d);

/*
 * The built-in row generator: realistic sshd, nginx, kernel, cron, systemd,
 * postgres, worker and container rows with the shared generator's hosts,
 * severity weights and message shapes (~106 B of message per row). Row i
 * depends only on (seed, i): any subset can be made in any order. Row times
 * cycle through one day in steps of 86,400,000 / cycle ms (plus up to
 * 999 ms of jitter), starting at the shared generator's epoch.
 */
typedef struct sl_load_gen {
    uint64_t seed;
    uint64_t cycle;
    char text[1024]; /* backing store of the last row's strings */
} sl_load_gen_t;

#define SL_LOAD_GEN_EPOCH_MS INT64_C(1718000000000) /* genlogs.py's t0 */
#define SL_LOAD_GEN_SPAN_MS INT64_C(86400000)

/* `cycle` is the number of rows after which times repeat (0 means 2,000,000,
 * the shared generator's default row count). */
void sl_load_gen_init(sl_load_gen_t *g, uint64_t seed, uint64_t cycle);
/* Makes row i. The row's strings live in `g` until the next call. */
void sl_load_gen_row(sl_load_gen_t *g, uint64_t i, sl_load_row_t *row);
/* The latest time any generated row can carry (for rebasing to "now"). */
int64_t sl_load_gen_last_ms(const sl_load_gen_t *g);

/* ------------------------------------------------------------------------ */
/* Records, bodies, request heads                                           */
/* ------------------------------------------------------------------------ */

typedef enum {
    SL_LOAD_MODE_DC = 1, /* HTTP Data Collector API, SharedKey */
    SL_LOAD_MODE_LI = 2, /* Logs Ingestion API, Bearer token */
} sl_load_mode_t;

/*
 * Appends one record for `row` with its time moved by `shift_ms`:
 *   DC: {"ts":"<ISO ms Z>","Computer":..,"ProcessName":..,"SeverityLevel":..,"SyslogMessage":..}
 *   LI: the same with "TimeGenerated" in place of "ts".
 */
void sl_load_record_append(sl_buf_t *b,
                           sl_load_mode_t mode,
                           const sl_load_row_t *row,
                           int64_t shift_ms);

/* Compresses `in` as one gzip member (RFC 1952) at zlib `level` (0-9, or -1
 * for zlib's default) into `out` (replacing its contents). Returns 0 or
 * SL_EINVAL for a bad level. */
int sl_load_gzip(const void *in, size_t n, int level, sl_buf_t *out, sl_diag_t *d);

/* What is fixed for every request of a run. Strings are borrowed. */
typedef struct sl_load_reqcfg {
    sl_load_mode_t mode;
    const char *authority; /* Host header */
    const char *base_path; /* "" or "/prefix" */
    /* DC */
    const char *workspace_id;
    const char *log_type;
    bool time_field; /* send "time-generated-field: ts" */
    /* LI */
    const char *dcr;
    const char *stream;
    bool gzip;
} sl_load_reqcfg_t;

/*
 * Writes the head of one POST carrying `body_len` bytes (after compression,
 * if any) into `out` (replacing its contents):
 *   DC: POST <base>/api/logs?api-version=2016-04-01 with Host, Content-Type,
 *       Log-Type, x-ms-date (`date`, RFC 1123), [time-generated-field],
 *       Authorization: SharedKey <ws>:<auth> and Content-Length; `auth` is
 *       the signature from sl_load_sharedkey_sign() for body_len and date.
 *   LI: POST <base>/dataCollectionRules/<dcr>/streams/<stream>?api-version=2023-01-01
 *       with Host, Content-Type, [Content-Encoding: gzip], Authorization:
 *       Bearer <auth>, x-ms-client-request-id (`request_id`) and Content-Length.
 */
void sl_load_req_head(sl_buf_t *out,
                      const sl_load_reqcfg_t *c,
                      size_t body_len,
                      const char *date,
                      const char *auth,
                      const char *request_id);

/* A version 4 UUID text (36 chars + NUL) from a caller-owned xorshift state,
 * for request ids: unique enough for tracing, cheap enough for 100 k/s. */
void sl_load_uuid(uint64_t *state, char out[37]);

/* ------------------------------------------------------------------------ */
/* Latency histogram                                                        */
/* ------------------------------------------------------------------------ */

/*
 * Log-linear buckets over nanoseconds: exact below 128 ns, then 128 linear
 * buckets per power of two, so a bucket's width is at most 1/128 of its
 * lower bound (≤ 0.4% error at the bucket middle). Values up to 2^36 ns
 * (68.7 s, past the 60 s this tool needs) have their own bucket; larger ones
 * land in the last bucket and still count toward max.
 */
#define SL_LOAD_HIST_SUB 128
#define SL_LOAD_HIST_MAX_EXP 36
#define SL_LOAD_HIST_BUCKETS (SL_LOAD_HIST_SUB + (SL_LOAD_HIST_MAX_EXP - 7) * SL_LOAD_HIST_SUB)

typedef struct sl_load_hist {
    uint64_t count;
    uint64_t min_ns, max_ns;
    uint64_t sum_ns;
    uint64_t b[SL_LOAD_HIST_BUCKETS];
} sl_load_hist_t;

/* Empties `h` (caller storage; nothing to dispose). */
void sl_load_hist_init(sl_load_hist_t *h);
/* Counts one value, in nanoseconds. */
void sl_load_hist_record(sl_load_hist_t *h, uint64_t ns);
/* Adds every count of `src` to `dst` (workers' histograms into one). */
void sl_load_hist_merge(sl_load_hist_t *dst, const sl_load_hist_t *src);
/* The value at quantile q in [0, 1] (the middle of its bucket, clamped to the
 * recorded min and max); 0 for an empty histogram. */
uint64_t sl_load_hist_quantile(const sl_load_hist_t *h, double q);
/* Bucket index of a value, and the [lo, hi) range of a bucket (for tests). */
size_t sl_load_hist_index(uint64_t ns);
void sl_load_hist_bucket_range(size_t idx, uint64_t *lo, uint64_t *hi);

/* ------------------------------------------------------------------------ */
/* HTTP/1.1 message parser                                                  */
/* ------------------------------------------------------------------------ */

typedef enum { SL_LOAD_HTTP_REQUEST = 1, SL_LOAD_HTTP_RESPONSE = 2 } sl_load_http_kind_t;

#define SL_LOAD_HTTP_MAX_HEADERS 64

typedef struct sl_load_http_hdr {
    uint32_t name_off, name_n, value_off, value_n; /* offsets into the head buffer */
} sl_load_http_hdr_t;

/*
 * An incremental parser for one HTTP/1.1 connection's messages: requests (for
 * the capture server) or responses (for the client). It frames bodies by
 * Content-Length, chunked transfer coding, or — responses only — the end of
 * the connection, skips interim 1xx responses, and keeps the body only when
 * asked. Use: init, then feed() until `done`, read the message, reset(), and
 * feed the remaining bytes. With `pause_after_head`, feed() also stops right
 * after the head, so the caller can look at it (and set keep_body) before
 * the body is read.
 */
typedef struct sl_load_http {
    sl_load_http_kind_t kind;
    int state;
    bool keep_body;
    bool pause_after_head; /* feed() returns once the head is parsed */
    bool head_done;        /* the head of the current message is parsed */
    size_t max_head, max_body;
    /* the message */
    sl_buf_t head; /* start line and header lines, verbatim */
    sl_load_http_hdr_t hdr[SL_LOAD_HTTP_MAX_HEADERS];
    size_t nhdr;
    int status;                              /* responses */
    uint32_t method_n, target_off, target_n; /* requests: method is at offset 0 */
    int minor;                               /* HTTP/1.<minor> */
    bool conn_close;                         /* no keep-alive after this message */
    bool chunked;
    int64_t content_length; /* -1 when absent */
    uint64_t body_n;        /* body bytes seen (decoded) */
    sl_buf_t body;          /* the body, if keep_body */
    bool done;
    /* framing state */
    uint64_t remaining;
    bool until_close;
    char line[96];
    size_t line_n;
    const char *error; /* why the stream is unusable */
} sl_load_http_t;

/* `max_head` bounds the start line plus headers, `max_body` a kept body. */
void sl_load_http_init(sl_load_http_t *p,
                       sl_load_http_kind_t kind,
                       bool keep_body,
                       size_t max_head,
                       size_t max_body);
void sl_load_http_dispose(sl_load_http_t *p);
/* Forgets the finished message and gets ready for the next one. */
void sl_load_http_reset(sl_load_http_t *p);
/*
 * Consumes bytes of the stream; returns how many (the rest belong to the next
 * message once `done` is set), or SL_EPARSE / SL_ELIMIT with p->error set.
 * Returns 0 without consuming when `done` is already set.
 */
ssize_t sl_load_http_feed(sl_load_http_t *p, const char *data, size_t n);
/* The peer closed the connection: completes a body read to the end of the
 * stream. Returns 0 when a message is `done`, SL_EPARSE when it was cut off,
 * SL_ENOTFOUND when no byte of a new message had arrived (a clean close). */
int sl_load_http_eof(sl_load_http_t *p);
/* Value of the first header called `name` (case-insensitive), or NULL. */
const char *sl_load_http_header(const sl_load_http_t *p, const char *name, size_t *value_n);

/* ------------------------------------------------------------------------ */
/* Open-loop rate schedule                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Request k carries rows [k*rows_per_post, (k+1)*rows_per_post) and is due
 * when those rows' turn comes at `rate` rows per second: at
 * start + floor(k * rows_per_post * 1e9 / rate) ns. The arithmetic is exact
 * (128-bit), so a long run never drifts from its timetable.
 */
typedef struct sl_load_sched {
    uint64_t start_ns;
    uint64_t rate;          /* rows per second, > 0 */
    uint64_t rows_per_post; /* > 0 */
} sl_load_sched_t;

/* When request k is due (monotonic nanoseconds, like sl_time_mono_ns). */
uint64_t sl_load_sched_due_ns(const sl_load_sched_t *s, uint64_t k);
/* How many requests (k = 0, 1, ...) are due at `now_ns`. */
uint64_t sl_load_sched_due_count(const sl_load_sched_t *s, uint64_t now_ns);

/* ------------------------------------------------------------------------ */
/* Results and the report                                                   */
/* ------------------------------------------------------------------------ */

#define SL_LOAD_MAX_STATUS 600
#define SL_LOAD_MAX_XERR 16

/* Everything counted during a run. Workers keep one each; they are merged. */
typedef struct sl_load_stats {
    uint64_t requests;                   /* answered, or lost to a transport error */
    uint64_t requests_ok;                /* 2xx */
    uint64_t lost;                       /* requests lost to transport errors */
    uint64_t rows_ok;                    /* rows in 2xx requests */
    uint64_t bytes_ok;                   /* uncompressed JSON bytes in 2xx requests */
    uint64_t wire_bytes_ok;              /* body bytes as sent (compressed if gzip) */
    uint64_t status[SL_LOAD_MAX_STATUS]; /* responses by status code */
    struct {
        char name[24];
        uint64_t n;
    } xerr[SL_LOAD_MAX_XERR]; /* transport errors by name ("ECONNRESET", "TLS", ...) */
    size_t nxerr;
    sl_load_hist_t lat; /* every answered request, 2xx or not */
} sl_load_stats_t;

/* Zeroes `s` (caller storage, ~35 KiB: allocate it, do not put it on a
 * small stack). */
void sl_load_stats_init(sl_load_stats_t *s);
/* Adds `src` into `dst`; transport errors merge by name. */
void sl_load_stats_merge(sl_load_stats_t *dst, const sl_load_stats_t *src);
/* Counts one answered request: its status, and for a 2xx its rows and bytes
 * (uncompressed and as sent); its latency goes into the histogram. */
void sl_load_stats_response(sl_load_stats_t *s,
                            int status,
                            uint64_t rows,
                            uint64_t bytes,
                            uint64_t wire_bytes,
                            uint64_t latency_ns);
/* Counts one transport error under `name` (the first 23 bytes of it; names past
 * the 15th distinct one are counted as "other"). `lost` says whether a request
 * was lost with it (a failed connection attempt loses none). */
void sl_load_stats_xerr(sl_load_stats_t *s, const char *name, bool lost);
/* Non-2xx answers plus transport errors. */
uint64_t sl_load_stats_errors(const sl_load_stats_t *s);

/* The run's description and the figures that are not counters. */
typedef struct sl_load_meta {
    const char *mode; /* "dc" or "li" */
    const char *url;
    unsigned connections, threads;
    uint64_t rows_per_post;
    uint64_t rate; /* 0 = as fast as possible */
    bool gzip;
    double elapsed_s;             /* first send to last answer */
    double cpu_user_s, cpu_sys_s; /* client CPU during the run */
    uint64_t unsent;              /* scheduled by --rate but never sent (run ended) */
    uint64_t feed_stalls;         /* times a connection waited for a body to be prepared */
    uint64_t token_fetches, token_failures;
} sl_load_meta_t;

/* The human report (several lines) and the same as one JSON document. */
void sl_load_report_text(sl_buf_t *out, const sl_load_meta_t *m, const sl_load_stats_t *s);
void sl_load_report_json(sl_buf_t *out, const sl_load_meta_t *m, const sl_load_stats_t *s);
/* "1.23 ms"-style latency text in `out` (16 bytes). */
void sl_load_fmt_ns(uint64_t ns, char out[16]);

/* ------------------------------------------------------------------------ */
/* TLS over memory buffers                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A TLS session that never touches a socket: the caller feeds it the bytes
 * that arrived and sends the bytes it produces, so it fits any event loop.
 * Contexts are OpenSSL SSL_CTX objects (the same type crypto/ hands out for
 * servers), opaque here.
 */
typedef struct ssl_ctx_st sl_load_tls_ctx_t;
typedef struct sl_load_tls sl_load_tls_t;

/* A client context for TLS 1.2+ offering ALPN "http/1.1". With `insecure`
 * the server is not verified; otherwise it must chain to `cacert` (a PEM
 * file; NULL means the system store) and match the host name. */
int sl_load_tls_ctx_client(const char *cacert,
                           bool insecure,
                           sl_load_tls_ctx_t **out,
                           sl_diag_t *d);
void sl_load_tls_ctx_destroy(sl_load_tls_ctx_t *ctx);

/* A session on `ctx`: a client for `host` (SNI and verification; an IP
 * address is checked against the certificate's IP entries) or a server. */
int sl_load_tls_create(sl_load_tls_ctx_t *ctx,
                       bool server,
                       const char *host,
                       sl_load_tls_t **out,
                       sl_diag_t *d);
void sl_load_tls_destroy(sl_load_tls_t *t);
/* Hands ciphertext from the peer to the session. */
void sl_load_tls_feed(sl_load_tls_t *t, const void *p, size_t n);
/* Advances the handshake and appends any decrypted bytes to `plain`.
 * Returns 0, SL_ECANCELED when the peer sent close_notify, or SL_ECRYPTO. */
int sl_load_tls_read(sl_load_tls_t *t, sl_buf_t *plain, sl_diag_t *d);
/* Encrypts application bytes (the handshake must be complete, or for a
 * client, started: OpenSSL queues them). Returns 0 or SL_ECRYPTO. */
int sl_load_tls_write(sl_load_tls_t *t, const void *p, size_t n, sl_diag_t *d);
/* Starts a client handshake (produces the ClientHello). */
int sl_load_tls_connect(sl_load_tls_t *t, sl_diag_t *d);
/* True once the handshake is complete. */
bool sl_load_tls_ready(const sl_load_tls_t *t);
/* Takes the ciphertext waiting to be sent (caller frees with sl_free), or
 * NULL when there is none. */
char *sl_load_tls_take(sl_load_tls_t *t, size_t *n);
/* Makes the session append its ciphertext to `out` instead (NULL: back to
 * its own buffer and sl_load_tls_take). `out` must outlive the session or
 * be replaced first; a caller that keeps it between writes avoids an
 * allocation per write. */
void sl_load_tls_set_output(sl_load_tls_t *t, sl_buf_t *out);

#endif /* SL_LOAD_H */
