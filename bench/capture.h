/*
 * capture — a small HTTP/1.1 server that stands in for a sealog node's
 * ingestion endpoints, so sealog-load can be tested and its own ceiling
 * measured before (and apart from) the real node. It answers the Data
 * Collector API with 200, the Logs Ingestion API with 204 and the OAuth2
 * token endpoint with a token; it can inject failures (503 with
 * Retry-After, or 500) on every n-th data request, close every n-th
 * connection, and send chunked bodies. Optionally it records every request
 * (start line, headers, body) for a test to inspect.
 *
 * It runs its own libuv loop on its own thread, plain HTTP or HTTPS with a
 * throwaway self-signed certificate (crypto/'s sl_tls_ensure_selfsigned).
 * Recorded requests may be read only after sl_capture_stop(); counters may
 * be read at any time.
 */
#ifndef SL_CAPTURE_H
#define SL_CAPTURE_H

#include "common/common.h"

typedef struct sl_capture_opts {
    bool tls;              /* HTTPS with a self-signed certificate */
    const char *dir;       /* certificate directory (NULL: a temporary one) */
    uint16_t port;         /* 0: any free port on 127.0.0.1 */
    bool record;           /* keep every request */
    unsigned fail_every;   /* every n-th data request fails (0: never) */
    int fail_status;       /* its status: 503 (sent with Retry-After: 1) or 500 */
    unsigned close_every;  /* every n-th response says Connection: close (0: never) */
    bool chunked;          /* error and token bodies use chunked transfer coding */
    unsigned token_ttl;    /* expires_in of issued tokens (0: 3600) */
    const char *client_id; /* credentials the token endpoint accepts (NULL: any) */
    const char *client_secret;
    size_t max_body; /* largest request body accepted (0: 64 MiB) */
} sl_capture_opts_t;

/* One recorded request. */
typedef struct sl_capture_req {
    uint64_t seq;  /* order of arrival, from 0 */
    unsigned conn; /* connection number, from 0 */
    char *method;
    char *target;
    size_t nhdr;
    char **names, **values;
    sl_buf_t body;
    int status; /* what the server answered */
} sl_capture_req_t;

typedef struct sl_capture_counts {
    uint64_t connections;
    uint64_t requests;      /* all requests */
    uint64_t data_requests; /* /api/logs and /dataCollectionRules/... */
    uint64_t token_requests;
    uint64_t body_bytes;  /* request body bytes received */
    uint64_t status[600]; /* responses by status */
} sl_capture_counts_t;

typedef struct sl_capture sl_capture_t;

/* Starts the server on its own thread. Returns 0, or an error in `d`. */
int sl_capture_start(const sl_capture_opts_t *o, sl_capture_t **out, sl_diag_t *d);
/* "http://127.0.0.1:PORT" or "https://..." (valid until destroy). */
const char *sl_capture_url(const sl_capture_t *c);
/* The certificate to trust (NULL for plain HTTP). */
const char *sl_capture_cacert(const sl_capture_t *c);
/* Thread-safe snapshot of the counters. */
void sl_capture_counts(sl_capture_t *c, sl_capture_counts_t *out);
/* Stops accepting, closes every connection and joins the thread. */
void sl_capture_stop(sl_capture_t *c);
/* Recorded requests (after stop). */
size_t sl_capture_count(const sl_capture_t *c);
const sl_capture_req_t *sl_capture_get(const sl_capture_t *c, size_t i);
/* First value of header `name` (case-insensitive), or NULL. */
const char *sl_capture_req_header(const sl_capture_req_t *r, const char *name);
/* Stops if needed, frees everything, removes a temporary certificate dir. */
void sl_capture_destroy(sl_capture_t *c);

#endif /* SL_CAPTURE_H */
