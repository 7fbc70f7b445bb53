/*
 * One keep-alive HTTP/1.1 client connection on a libuv loop, plain or TLS,
 * with at most one request in flight. The owner (a worker, or the token
 * source) sends when told the connection is ready and hears back once per
 * request: a response or a transport error.
 *
 *   IDLE --start--> CONNECTING --tcp ok--> [HANDSHAKE --tls ok-->] READY
 *   READY --send--> BUSY --response--> READY (or CLOSING when the server
 *                                      said Connection: close)
 *   any --error/EOF--> CLOSING --closed--> IDLE --backoff--> CONNECTING
 *   any --shutdown--> CLOSING --closed--> DEAD (on_closed)
 *
 * Reconnecting is part of the job: a server may close idle connections or
 * answer "Connection: close". Failed attempts back off (50 ms doubling to
 * 1 s) and after SL_LOAD_CONN_MAX_FAILS in a row the connection gives up,
 * so a dead server ends a run instead of spinning. A response only counts
 * once its request has been fully written: a server may answer early (a
 * 413 before reading the body), and the body must not be released while
 * libuv still holds a pointer to it.
 *
 * Over TLS, records are written into two buffers the connection keeps (a
 * fresh multi-megabyte allocation per request costs page faults on every
 * one), and a large body is encrypted 256 KiB at a time as the previous
 * piece leaves: the server starts decrypting while the client is still
 * encrypting, instead of the two taking turns. A small request is encrypted
 * as one record (head and body copied together), not two.
 */

#define TLS_PIECE (256 * 1024)
#include "bench/load_int.h"

#include <netdb.h>
#include <string.h>

enum { C_IDLE, C_CONNECTING, C_HANDSHAKE, C_READY, C_BUSY, C_CLOSING, C_DEAD };

typedef struct wreq {
    uv_write_t req;
    sl_load__conn_t *c;
    char *owned; /* freed when the write completes */
    int slot;    /* tx slot released when the write completes, or -1 */
    char head[];
} wreq_t;

static void start_connect(sl_load__conn_t *c);
static void close_socket(sl_load__conn_t *c);
static int flush_tls(sl_load__conn_t *c);

void sl_load__conn_init(sl_load__conn_t *c,
                        uv_loop_t *loop,
                        const sl_load__conn_ops_t *ops,
                        void *owner,
                        unsigned id,
                        const struct sockaddr_storage *addr,
                        sl_load_tls_ctx_t *tls_ctx,
                        const char *host,
                        uint64_t timeout_ms)
{
    memset(c, 0, offsetof(sl_load__conn_t, rbuf));
    c->loop = loop;
    c->ops = ops;
    c->owner = owner;
    c->id = id;
    c->addr = addr;
    c->tls_ctx = tls_ctx;
    c->host = host;
    c->timeout_ms = timeout_ms;
    c->state = C_IDLE;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    sl_load_http_init(&c->resp, SL_LOAD_HTTP_RESPONSE, false, 64 * 1024, 1 << 20);
}

void sl_load__conn_keep_body(sl_load__conn_t *c, size_t max)
{
    c->resp.keep_body = true;
    c->resp.max_body = max;
}

bool sl_load__conn_is_ready(const sl_load__conn_t *c)
{
    return c->state == C_READY;
}

static void on_timer_closed(uv_handle_t *h)
{
    sl_load__conn_t *c = h->data;
    c->state = C_DEAD;
    sl_load_http_dispose(&c->resp);
    sl_buf_dispose(&c->plain);
    sl_buf_dispose(&c->txq);
    sl_buf_dispose(&c->tx[0]);
    sl_buf_dispose(&c->tx[1]);
    sl_buf_dispose(&c->merge);
    c->ops->on_closed(c);
}

/* Reports a transport error, then closes the socket (reconnecting later). */
static void conn_error(sl_load__conn_t *c, const char *name, const sl_diag_t *d)
{
    bool lost = c->busy;
    c->busy = false;
    c->resp_ready = false;
    c->pend_n = 0;
    c->cut = false;
    if (c->state == C_CONNECTING || c->state == C_HANDSHAKE || !c->answered)
        c->fails++;
    c->ops->on_error(c, name, lost, d);
    close_socket(c);
}

/* The answer to the request in flight is complete and the request is fully
 * written: hand it to the owner, then make the connection ready again (or
 * close it). `more` says bytes followed the response, which one request in
 * flight cannot explain. */
static void deliver(sl_load__conn_t *c, bool more)
{
    c->busy = false;
    c->resp_ready = false;
    c->answered = true;
    c->fails = 0;
    uv_timer_stop(&c->timer);
    c->ops->on_response(c, &c->resp);
    bool close = c->resp.conn_close || c->cut;
    c->cut = false;
    sl_load_http_reset(&c->resp);
    if (c->state != C_BUSY)
        return;
    if (close) {
        close_socket(c);
    } else if (more) {
        conn_error(c, "unexpected data", NULL);
    } else {
        c->state = C_READY;
        if (c->final)
            close_socket(c);
        else
            c->ops->on_ready(c);
    }
}

/* Encrypts and queues the next pieces of a TLS body while a kept buffer is
 * free. Returns 0 or an error already reported. */
static int pump_tls(sl_load__conn_t *c)
{
    while (c->pend_n && (!c->tx_busy[0] || !c->tx_busy[1])) {
        size_t k = SL_MIN(c->pend_n, (size_t)TLS_PIECE);
        sl_diag_t d;
        if (sl_load_tls_write(c->tls, c->pend, k, &d)) {
            conn_error(c, "TLS", &d);
            return UV_EPROTO;
        }
        c->pend += k;
        c->pend_n -= k;
        int rc = flush_tls(c);
        if (rc) {
            conn_error(c, uv_err_name(rc), NULL);
            return rc;
        }
    }
    return 0;
}

static void on_write(uv_write_t *req, int status)
{
    wreq_t *w = SL_CONTAINER_OF(req, wreq_t, req);
    sl_load__conn_t *c = w->c;
    if (w->slot >= 0) {
        c->tx_busy[w->slot] = false;
        sl_buf_reset(&c->tx[w->slot]);
    }
    sl_free(w->owned);
    sl_free(w);
    c->writes--;
    if (c->state == C_CLOSING || c->state == C_DEAD)
        return; /* cancelled by our own close */
    if (status < 0) {
        conn_error(c, uv_err_name(status), NULL);
        return;
    }
    if (c->pend_n && pump_tls(c))
        return;
    /* A response held back while the request was still being written (see
     * the note at the top) can go now. */
    if (!c->writes && !c->pend_n && c->resp_ready)
        deliver(c, false);
}

/* Queues bytes on the socket; `owned` (if any) is freed after the write. */
static int queue_write(sl_load__conn_t *c,
                       uv_buf_t *bufs,
                       unsigned n,
                       char *owned,
                       int slot,
                       const char *head,
                       size_t head_n)
{
    wreq_t *w = sl_xmalloc(sizeof *w + head_n);
    w->c = c;
    w->owned = owned;
    w->slot = slot;
    if (head_n) {
        memcpy(w->head, head, head_n);
        bufs[0] = uv_buf_init(w->head, (unsigned)head_n);
    }
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs, n, on_write);
    if (rc) {
        if (slot >= 0) {
            c->tx_busy[slot] = false;
            sl_buf_reset(&c->tx[slot]);
        }
        sl_free(owned);
        sl_free(w);
        return rc;
    }
    c->writes++;
    return 0;
}

/* Sends whatever TLS produced (handshake messages, records, alerts). */
static int flush_tls(sl_load__conn_t *c)
{
    if (!c->txq.len)
        return 0;
    int slot = !c->tx_busy[0] ? 0 : !c->tx_busy[1] ? 1 : -1;
    if (slot < 0) {
        /* Both kept buffers are on the wire (output while a request is still
         * being written: rare); this batch gets a buffer of its own. */
        size_t n;
        char *out = sl_buf_steal(&c->txq, &n);
        uv_buf_t b = uv_buf_init(out, (unsigned)n);
        return queue_write(c, &b, 1, out, -1, NULL, 0);
    }
    /* Swap contents: the slot takes the records, txq takes the slot's
     * (empty) memory; the session keeps appending to &c->txq. */
    sl_buf_t t = c->tx[slot];
    c->tx[slot] = c->txq;
    c->txq = t;
    c->tx_busy[slot] = true;
    uv_buf_t b = uv_buf_init(c->tx[slot].data, (unsigned)c->tx[slot].len);
    return queue_write(c, &b, 1, NULL, slot, NULL, 0);
}

int sl_load__conn_send(sl_load__conn_t *c,
                       const char *head,
                       size_t head_n,
                       const char *body,
                       size_t body_n)
{
    c->state = C_BUSY;
    c->busy = true;
    c->resp_ready = false;
    c->cut = false;
    if (c->timeout_ms)
        uv_timer_start(&c->timer, NULL, c->timeout_ms, 0);
    int rc;
    if (!c->tls) {
        uv_buf_t bufs[2] = { { 0 }, uv_buf_init((char *)body, (unsigned)body_n) };
        rc = queue_write(c, bufs, body_n ? 2 : 1, NULL, -1, head, head_n);
    } else {
        /* The head and the start of the body share the first record; the
         * rest follows piece by piece (pump_tls). */
        sl_diag_t d;
        size_t first = head_n < 16384 ? SL_MIN(body_n, 16384 - head_n) : 0;
        sl_buf_reset(&c->merge);
        sl_buf_append(&c->merge, head, head_n);
        sl_buf_append(&c->merge, body, first);
        if (sl_load_tls_write(c->tls, c->merge.data, c->merge.len, &d)) {
            conn_error(c, "TLS", &d);
            return UV_EPROTO;
        }
        c->pend = body + first;
        c->pend_n = body_n - first;
        rc = flush_tls(c);
        if (!rc)
            return pump_tls(c);
    }
    if (rc)
        conn_error(c, uv_err_name(rc), NULL);
    return rc;
}

static void on_timer(uv_timer_t *t);

static void on_tcp_closed(uv_handle_t *h)
{
    sl_load__conn_t *c = h->data;
    sl_load_tls_destroy(c->tls);
    c->tls = NULL;
    sl_load_http_reset(&c->resp);
    sl_buf_reset(&c->plain);
    sl_buf_reset(&c->txq); /* records of the old session are worthless */
    if (c->final || c->fails >= SL_LOAD_CONN_MAX_FAILS) {
        c->final = true;
        uv_close((uv_handle_t *)&c->timer, on_timer_closed);
        return;
    }
    c->state = C_IDLE;
    /* Back off only after failures; a server closing an idle keep-alive
     * connection gets an immediate reconnect. */
    uint64_t delay = c->fails ? SL_MIN(1000, 50u << SL_MIN(c->fails - 1, 5u)) : 0;
    if (delay)
        uv_timer_start(&c->timer, on_timer, delay, 0);
    else
        start_connect(c);
}

static void close_socket(sl_load__conn_t *c)
{
    if (c->state == C_CLOSING || c->state == C_DEAD)
        return;
    uv_timer_stop(&c->timer);
    if (c->state == C_IDLE) {
        /* No socket: go straight to the closed state. */
        c->state = C_CLOSING;
        on_tcp_closed((uv_handle_t *)&c->tcp);
        return;
    }
    c->state = C_CLOSING;
    uv_close((uv_handle_t *)&c->tcp, on_tcp_closed);
}

void sl_load__conn_shutdown(sl_load__conn_t *c)
{
    if (c->final && (c->state == C_CLOSING || c->state == C_DEAD))
        return;
    c->final = true;
    close_socket(c);
}

static void on_timer(uv_timer_t *t)
{
    sl_load__conn_t *c = t->data;
    if (c->state == C_IDLE) {
        start_connect(c);
    } else if (c->state == C_BUSY) {
        conn_error(c, "timeout", NULL);
    }
}

static void became_ready(sl_load__conn_t *c)
{
    c->state = C_READY;
    if (c->final)
        close_socket(c);
    else
        c->ops->on_ready(c);
}

/* Parses response bytes (already decrypted). */
static void on_plain(sl_load__conn_t *c, const char *p, size_t n)
{
    while (n > 0 && (c->state == C_BUSY || c->state == C_READY)) {
        if (!c->busy || c->resp_ready) {
            conn_error(c, "unexpected data", NULL);
            return;
        }
        ssize_t used = sl_load_http_feed(&c->resp, p, n);
        if (used < 0) {
            sl_diag_t d;
            sl_diag_set(&d, SL_EPARSE, "bad HTTP response: %s", c->resp.error);
            conn_error(c, "HTTP", &d);
            return;
        }
        p += used;
        n -= (size_t)used;
        if (!c->resp.done)
            continue;
        if (c->pend_n) {
            /* Answered before the whole body went out: stop sending it, and
             * do not reuse a connection the server now reads out of step. */
            c->pend_n = 0;
            c->cut = true;
        }
        if (c->writes) {
            c->resp_ready = true; /* wait for on_write (see the top note) */
            continue;
        }
        deliver(c, n > 0);
        return;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    sl_load__conn_t *c = h->data;
    *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void on_eof(sl_load__conn_t *c, ssize_t nread)
{
    if (c->busy && (c->resp_ready || sl_load_http_eof(&c->resp) == 0)) {
        /* A complete answer (perhaps a body that ran to the end of the
         * connection): the request's own writes are over too, since the
         * socket is going. */
        c->pend_n = 0;
        c->cut = true;
        deliver(c, false);
        return;
    }
    if (c->busy || c->state == C_HANDSHAKE || c->state == C_CONNECTING) {
        conn_error(c, nread == UV_EOF ? "EOF" : uv_err_name((int)nread), NULL);
        return;
    }
    /* An idle connection closed by the server: reconnect quietly, but count it
     * as a failed attempt if it never carried a response. */
    if (!c->answered)
        c->fails++;
    close_socket(c);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    sl_load__conn_t *c = s->data;
    if (nread == 0 || c->state == C_CLOSING || c->state == C_DEAD)
        return;
    if (nread < 0) {
        on_eof(c, nread);
        return;
    }
    if (!c->tls) {
        on_plain(c, buf->base, (size_t)nread);
        return;
    }
    sl_diag_t d;
    sl_load_tls_feed(c->tls, buf->base, (size_t)nread);
    sl_buf_reset(&c->plain);
    int rc = sl_load_tls_read(c->tls, &c->plain, &d);
    if (flush_tls(c) || (rc && rc != SL_ECANCELED)) {
        conn_error(c, "TLS", rc ? &d : NULL);
        return;
    }
    if (c->state == C_HANDSHAKE && sl_load_tls_ready(c->tls))
        became_ready(c);
    if (c->plain.len)
        on_plain(c, c->plain.data, c->plain.len);
    if (rc == SL_ECANCELED && c->state != C_CLOSING && c->state != C_DEAD)
        on_eof(c, UV_EOF);
}

static void on_connect(uv_connect_t *req, int status)
{
    sl_load__conn_t *c = req->data;
    if (c->state != C_CONNECTING)
        return;
    if (status < 0) {
        char name[40];
        snprintf(name, sizeof name, "connect %s", uv_err_name(status));
        conn_error(c, name, NULL);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (!c->tls_ctx) {
        became_ready(c);
        return;
    }
    sl_diag_t d;
    c->state = C_HANDSHAKE;
    if (sl_load_tls_create(c->tls_ctx, false, c->host, &c->tls, &d)) {
        conn_error(c, "TLS", &d);
        return;
    }
    sl_load_tls_set_output(c->tls, &c->txq);
    if (sl_load_tls_connect(c->tls, &d) || flush_tls(c))
        conn_error(c, "TLS", &d);
}

static void start_connect(sl_load__conn_t *c)
{
    c->state = C_CONNECTING;
    c->answered = false;
    uv_tcp_init(c->loop, &c->tcp);
    c->tcp.data = c;
    c->connect_req.data = c;
    int rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)c->addr, on_connect);
    if (rc) {
        char name[40];
        snprintf(name, sizeof name, "connect %s", uv_err_name(rc));
        conn_error(c, name, NULL);
    }
}

void sl_load__conn_start(sl_load__conn_t *c)
{
    start_connect(c);
}

int sl_load__resolve(const sl_load_url_t *u, struct sockaddr_storage *out, sl_diag_t *d)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
    struct addrinfo *ai = NULL;
    char port[8];
    snprintf(port, sizeof port, "%u", u->port);
    int rc = getaddrinfo(u->host, port, &hints, &ai);
    if (rc || !ai)
        return sl_diag_set(d, SL_ENOTFOUND, "cannot resolve %s: %s", u->host, gai_strerror(rc));
    memset(out, 0, sizeof *out);
    memcpy(out, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return 0;
}
