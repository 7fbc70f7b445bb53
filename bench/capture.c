/*
 * The capture server (see capture.h): a stand-in for the node's ingestion
 * endpoints, used by sealog-load's integration test and to measure the
 * generator's own ceiling (sealog-capture).
 *
 * One libuv loop on its own thread. Each connection parses requests with
 * the same HTTP/1.1 parser the client uses (in request mode), pausing after
 * each head to decide whether the body is worth keeping: token requests
 * always (the form is read), data requests only when recording — a ceiling
 * measurement should not pay for copying megabytes it throws away.
 *
 * Responses are deliberately plain and quick: the point is to answer as
 * fast as a server possibly can, so whatever limits throughput in a
 * measurement against it is the client.
 */
#include "bench/capture.h"
#include "bench/load.h"
#include "crypto/crypto.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

typedef struct cconn cconn_t;

struct sl_capture {
    sl_capture_opts_t o;
    char dir[256], cert[300], key[300], url[64];
    bool tmpdir;
    sl_key_t *wrap;
    sl_tls_ctx_t *tls;
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_async_t stop_async;
    uv_thread_t thread;
    bool running;
    uv_mutex_t mu;
    sl_capture_counts_t counts;
    sl_capture_req_t **reqs;
    size_t nreqs, cap;
    uint64_t seq, data_seq, resp_seq, token_seq;
    unsigned nconn;
    cconn_t *conns; /* open connections, for stopping */
};

struct cconn {
    sl_capture_t *cap;
    uv_tcp_t tcp;
    unsigned id;
    sl_load_tls_t *tls;
    sl_load_http_t req;
    bool decided; /* keep_body chosen for the current request */
    bool closing, close_after;
    unsigned writes;
    sl_buf_t plain, resp;
    cconn_t *prev, *next;
    char rbuf[65536];
};

typedef struct wreq {
    uv_write_t req;
    cconn_t *cc;
    char *data;
} wreq_t;

static void on_closed(uv_handle_t *h)
{
    cconn_t *cc = h->data;
    sl_capture_t *cap = cc->cap;
    if (cc->prev)
        cc->prev->next = cc->next;
    else
        cap->conns = cc->next;
    if (cc->next)
        cc->next->prev = cc->prev;
    sl_load_tls_destroy(cc->tls);
    sl_load_http_dispose(&cc->req);
    sl_buf_dispose(&cc->plain);
    sl_buf_dispose(&cc->resp);
    sl_free(cc);
}

static void conn_close(cconn_t *cc)
{
    if (cc->closing)
        return;
    cc->closing = true;
    uv_close((uv_handle_t *)&cc->tcp, on_closed);
}

static void on_write(uv_write_t *req, int status)
{
    wreq_t *w = SL_CONTAINER_OF(req, wreq_t, req);
    cconn_t *cc = w->cc;
    sl_free(w->data);
    sl_free(w);
    cc->writes--;
    if (status < 0 || (cc->close_after && !cc->writes))
        conn_close(cc);
}

/* Queues `n` bytes (ownership of `data` passes to the write). */
static void send_raw(cconn_t *cc, char *data, size_t n)
{
    wreq_t *w = sl_xmalloc(sizeof *w);
    w->cc = cc;
    w->data = data;
    uv_buf_t b = uv_buf_init(data, (unsigned)n);
    if (uv_write(&w->req, (uv_stream_t *)&cc->tcp, &b, 1, on_write)) {
        sl_free(data);
        sl_free(w);
        conn_close(cc);
        return;
    }
    cc->writes++;
}

static void flush_tls(cconn_t *cc)
{
    size_t n;
    char *out = sl_load_tls_take(cc->tls, &n);
    if (out)
        send_raw(cc, out, n);
}

/* Sends cc->resp (plain or through TLS). */
static void send_resp(cconn_t *cc)
{
    if (cc->tls) {
        if (sl_load_tls_write(cc->tls, cc->resp.data, cc->resp.len, NULL)) {
            conn_close(cc);
            return;
        }
        flush_tls(cc);
    } else {
        size_t n;
        char *data = sl_buf_steal(&cc->resp, &n);
        send_raw(cc, data, n);
    }
    sl_buf_reset(&cc->resp);
}

/* Appends a status line, headers and a body (chunked if configured). */
static void respond(cconn_t *cc,
                    int status,
                    const char *reason,
                    const char *extra,
                    const char *body,
                    bool chunked_ok)
{
    sl_capture_t *cap = cc->cap;
    sl_buf_t *r = &cc->resp;
    uint64_t n = ++cap->resp_seq;
    bool close = cc->close_after || (cap->o.close_every && n % cap->o.close_every == 0);
    sl_buf_printf(r, "HTTP/1.1 %d %s\r\n%s", status, reason, extra ? extra : "");
    if (close) {
        sl_buf_puts(r, "Connection: close\r\n");
        cc->close_after = true;
    }
    size_t bn = body ? strlen(body) : 0;
    if (status == 204) {
        sl_buf_puts(r, "\r\n");
    } else if (bn && chunked_ok && cap->o.chunked) {
        /* Two chunks, to exercise the client's chunk parser properly. */
        size_t half = bn / 2;
        sl_buf_printf(r,
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "%zx;ext=1\r\n%.*s\r\n%zx\r\n%s\r\n0\r\n\r\n",
                      half,
                      (int)half,
                      body,
                      bn - half,
                      body + half);
    } else {
        sl_buf_printf(r,
                      "%sContent-Length: %zu\r\n\r\n%s",
                      bn ? "Content-Type: application/json\r\n" : "",
                      bn,
                      bn ? body : "");
    }
    uv_mutex_lock(&cap->mu);
    cap->counts.status[status]++;
    uv_mutex_unlock(&cap->mu);
}

static bool path_is(const sl_load_http_t *p, const char *prefix)
{
    size_t n = strlen(prefix);
    return p->target_n >= n && !memcmp(p->head.data + p->target_off, prefix, n);
}

static bool is_token_path(const sl_load_http_t *p)
{
    const char *t = p->head.data + p->target_off;
    size_t n = p->target_n;
    const char *q = memchr(t, '?', n);
    if (q)
        n = (size_t)(q - t);
    return path_is(p, "/oauth2/") && n >= 6 && !memcmp(t + n - 6, "/token", 6);
}

/* Answers a token request; returns the status sent. */
static int answer_token(cconn_t *cc)
{
    sl_capture_t *cap = cc->cap;
    sl_pool_t *pool = sl_pool_create();
    sl_qparam_t params[16];
    size_t np = 0;
    const char *grant = NULL, *id = NULL, *secret = NULL;
    if (sl_form_parse(
          pool, cc->req.body.data ? cc->req.body.data : "", cc->req.body.len, params, 16, &np) ==
        0) {
        for (size_t i = 0; i < np; i++) {
            if (!strcmp(params[i].name, "grant_type"))
                grant = params[i].value;
            else if (!strcmp(params[i].name, "client_id"))
                id = params[i].value;
            else if (!strcmp(params[i].name, "client_secret"))
                secret = params[i].value;
        }
    }
    bool ok = grant && !strcmp(grant, "client_credentials") && id && secret &&
              (!cap->o.client_id || !strcmp(id, cap->o.client_id)) &&
              (!cap->o.client_secret || !strcmp(secret, cap->o.client_secret));
    if (ok) {
        char body[200];
        unsigned ttl = cap->o.token_ttl ? cap->o.token_ttl : 3600;
        snprintf(body,
                 sizeof body,
                 "{\"token_type\":\"Bearer\",\"expires_in\":%u,\"ext_expires_in\":%u,"
                 "\"access_token\":\"capture-token-%llu\"}",
                 ttl,
                 ttl,
                 (unsigned long long)++cap->token_seq);
        respond(cc, 200, "OK", NULL, body, true);
    } else {
        respond(cc,
                401,
                "Unauthorized",
                NULL,
                "{\"error\":\"invalid_client\",\"error_description\":\"capture: bad credentials\"}",
                true);
    }
    sl_pool_destroy(pool);
    return ok ? 200 : 401;
}

static void record(cconn_t *cc, int status)
{
    sl_capture_t *cap = cc->cap;
    const sl_load_http_t *p = &cc->req;
    sl_capture_req_t *r = sl_xcalloc(1, sizeof *r);
    r->conn = cc->id;
    r->status = status;
    r->method = sl_xstrndup(p->head.data, p->method_n);
    r->target = sl_xstrndup(p->head.data + p->target_off, p->target_n);
    r->nhdr = p->nhdr;
    r->names = sl_xcalloc(p->nhdr + 1, sizeof *r->names);
    r->values = sl_xcalloc(p->nhdr + 1, sizeof *r->values);
    for (size_t i = 0; i < p->nhdr; i++) {
        r->names[i] = sl_xstrndup(p->head.data + p->hdr[i].name_off, p->hdr[i].name_n);
        r->values[i] = sl_xstrndup(p->head.data + p->hdr[i].value_off, p->hdr[i].value_n);
    }
    sl_buf_append(&r->body, p->body.data ? p->body.data : "", p->body.len);
    uv_mutex_lock(&cap->mu);
    r->seq = cap->nreqs;
    if (cap->nreqs == cap->cap) {
        cap->cap = cap->cap ? cap->cap * 2 : 256;
        cap->reqs = sl_xrealloc(cap->reqs, cap->cap * sizeof *cap->reqs);
    }
    cap->reqs[cap->nreqs++] = r;
    uv_mutex_unlock(&cap->mu);
}

/* A complete request is in cc->req: answer it. */
static void handle(cconn_t *cc)
{
    sl_capture_t *cap = cc->cap;
    sl_load_http_t *p = &cc->req;
    bool post = p->method_n == 4 && !memcmp(p->head.data, "POST", 4);
    bool dc = post && path_is(p, "/api/logs");
    bool li = post && path_is(p, "/dataCollectionRules/");
    bool token = post && is_token_path(p);
    uv_mutex_lock(&cap->mu);
    cap->counts.requests++;
    cap->counts.body_bytes += p->body_n;
    cap->counts.data_requests += dc || li;
    cap->counts.token_requests += token;
    uv_mutex_unlock(&cap->mu);
    if (p->conn_close)
        cc->close_after = true;

    int status;
    if (token) {
        status = answer_token(cc);
    } else if (dc || li) {
        uint64_t n = ++cap->data_seq;
        if (cap->o.fail_every && n % cap->o.fail_every == 0) {
            status = cap->o.fail_status ? cap->o.fail_status : 503;
            bool busy = status == 503;
            respond(cc,
                    status,
                    busy ? "Service Unavailable" : "Internal Server Error",
                    busy ? "Retry-After: 1\r\n" : NULL,
                    busy ? "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"capture: "
                           "injected failure\"}}"
                         : "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"capture: "
                           "injected failure\"}}",
                    true);
        } else if (dc) {
            status = 200;
            respond(cc, 200, "OK", NULL, NULL, false);
        } else {
            status = 204;
            respond(cc, 204, "No Content", NULL, NULL, false);
        }
    } else {
        status = 404;
        respond(cc,
                404,
                "Not Found",
                NULL,
                "{\"error\":{\"code\":\"NotFound\",\"message\":\"capture: no such endpoint\"}}",
                false);
    }
    if (cap->o.record)
        record(cc, status);
    send_resp(cc);
}

static void on_plain(cconn_t *cc, const char *p, size_t n)
{
    sl_capture_t *cap = cc->cap;
    while (n && !cc->closing && !cc->close_after) {
        ssize_t used = sl_load_http_feed(&cc->req, p, n);
        if (used < 0) {
            cc->close_after = true;
            respond(cc,
                    used == SL_ELIMIT ? 413 : 400,
                    used == SL_ELIMIT ? "Content Too Large" : "Bad Request",
                    NULL,
                    "{\"error\":{\"code\":\"BadRequest\",\"message\":\"capture: bad request\"}}",
                    false);
            send_resp(cc);
            return;
        }
        p += used;
        n -= (size_t)used;
        if (cc->req.head_done && !cc->decided) {
            cc->decided = true;
            cc->req.keep_body = cap->o.record || is_token_path(&cc->req);
        }
        if (cc->req.done) {
            handle(cc);
            sl_load_http_reset(&cc->req);
            cc->req.keep_body = false;
            cc->decided = false;
        }
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    cconn_t *cc = h->data;
    *buf = uv_buf_init(cc->rbuf, sizeof cc->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    cconn_t *cc = s->data;
    if (nread == 0 || cc->closing)
        return;
    if (nread < 0) {
        conn_close(cc);
        return;
    }
    if (!cc->tls) {
        on_plain(cc, buf->base, (size_t)nread);
        return;
    }
    sl_load_tls_feed(cc->tls, buf->base, (size_t)nread);
    sl_buf_reset(&cc->plain);
    int rc = sl_load_tls_read(cc->tls, &cc->plain, NULL);
    flush_tls(cc);
    if (cc->plain.len)
        on_plain(cc, cc->plain.data, cc->plain.len);
    if (rc && !cc->writes)
        conn_close(cc);
    else if (rc)
        cc->close_after = true;
}

static void on_connection(uv_stream_t *server, int status)
{
    sl_capture_t *cap = server->data;
    if (status < 0)
        return;
    cconn_t *cc = sl_xcalloc(1, sizeof *cc);
    cc->cap = cap;
    cc->id = cap->nconn++;
    uv_tcp_init(&cap->loop, &cc->tcp);
    cc->tcp.data = cc;
    cc->next = cap->conns;
    if (cap->conns)
        cap->conns->prev = cc;
    cap->conns = cc;
    sl_load_http_init(&cc->req,
                      SL_LOAD_HTTP_REQUEST,
                      false,
                      64 * 1024,
                      cap->o.max_body ? cap->o.max_body : (size_t)64 << 20);
    cc->req.pause_after_head = true;
    if (uv_accept(server, (uv_stream_t *)&cc->tcp)) {
        conn_close(cc);
        return;
    }
    if (cap->tls && sl_load_tls_create(cap->tls, true, NULL, &cc->tls, NULL)) {
        conn_close(cc);
        return;
    }
    uv_mutex_lock(&cap->mu);
    cap->counts.connections++;
    uv_mutex_unlock(&cap->mu);
    uv_tcp_nodelay(&cc->tcp, 1);
    uv_read_start((uv_stream_t *)&cc->tcp, on_alloc, on_read);
}

static void on_stop(uv_async_t *a)
{
    sl_capture_t *cap = a->data;
    uv_close((uv_handle_t *)&cap->listener, NULL);
    uv_close((uv_handle_t *)&cap->stop_async, NULL);
    for (cconn_t *cc = cap->conns; cc; cc = cc->next)
        conn_close(cc);
}

static void loop_main(void *arg)
{
    sl_capture_t *cap = arg;
    /* A client that leaves mid-response must give this thread EPIPE, not
     * kill the process that embeds the server (a test, say). SIGPIPE is
     * sent to the writing thread, so blocking it here is enough. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    uv_run(&cap->loop, UV_RUN_DEFAULT);
}

static int make_tls(sl_capture_t *cap, sl_diag_t *d)
{
    if (cap->o.dir) {
        snprintf(cap->dir, sizeof cap->dir, "%s", cap->o.dir);
        int rc = sl_mkdirs(cap->dir, 0700);
        if (rc)
            return sl_diag_set(d, rc, "%s: %s", cap->dir, sl_strerror(rc));
    } else {
        snprintf(cap->dir, sizeof cap->dir, "/tmp/sealog-capture-XXXXXX");
        if (!mkdtemp(cap->dir))
            return sl_diag_set(d, SL_EINVAL, "cannot create a temporary directory");
        cap->tmpdir = true;
    }
    snprintf(cap->cert, sizeof cap->cert, "%s/cert.pem", cap->dir);
    snprintf(cap->key, sizeof cap->key, "%s/key.pem", cap->dir);
    /* A fresh wrapping key each time: an old key.pem in `dir` could not be
     * read with it, so start from an empty pair. */
    unlink(cap->cert);
    unlink(cap->key);
    bool created;
    int rc = sl_key_create_random(&cap->wrap);
    if (!rc)
        rc = sl_tls_ensure_selfsigned(cap->cert, cap->key, cap->wrap, &created, d);
    if (!rc)
        rc = sl_tls_ctx_create(cap->cert, cap->key, cap->wrap, &cap->tls, d);
    return rc;
}

int sl_capture_start(const sl_capture_opts_t *o, sl_capture_t **out, sl_diag_t *d)
{
    sl_capture_t *cap = sl_xcalloc(1, sizeof *cap);
    cap->o = *o;
    uv_mutex_init(&cap->mu);
    int rc = 0;
    if (o->tls && (rc = make_tls(cap, d)))
        goto fail;
    uv_loop_init(&cap->loop);
    uv_tcp_init(&cap->loop, &cap->listener);
    cap->listener.data = cap;
    uv_async_init(&cap->loop, &cap->stop_async, on_stop);
    cap->stop_async.data = cap;
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", o->port, &sa);
    if ((rc = uv_tcp_bind(&cap->listener, (const struct sockaddr *)&sa, 0)) ||
        (rc = uv_listen((uv_stream_t *)&cap->listener, 1024, on_connection))) {
        sl_diag_set(d, rc, "cannot listen on 127.0.0.1:%u: %s", o->port, uv_strerror(rc));
        goto fail_loop;
    }
    struct sockaddr_storage ss;
    int len = sizeof ss;
    uv_tcp_getsockname(&cap->listener, (struct sockaddr *)&ss, &len);
    snprintf(cap->url,
             sizeof cap->url,
             "%s://127.0.0.1:%u",
             o->tls ? "https" : "http",
             ntohs(((struct sockaddr_in *)&ss)->sin_port));
    if ((rc = uv_thread_create(&cap->thread, loop_main, cap))) {
        sl_diag_set(d, rc, "cannot start the capture thread");
        goto fail_loop;
    }
    cap->running = true;
    *out = cap;
    return 0;
fail_loop:
    uv_close((uv_handle_t *)&cap->listener, NULL);
    uv_close((uv_handle_t *)&cap->stop_async, NULL);
    uv_run(&cap->loop, UV_RUN_DEFAULT);
    uv_loop_close(&cap->loop);
fail:
    sl_capture_destroy(cap);
    return rc;
}

const char *sl_capture_url(const sl_capture_t *c)
{
    return c->url;
}

const char *sl_capture_cacert(const sl_capture_t *c)
{
    return c->o.tls ? c->cert : NULL;
}

void sl_capture_counts(sl_capture_t *c, sl_capture_counts_t *out)
{
    uv_mutex_lock(&c->mu);
    *out = c->counts;
    uv_mutex_unlock(&c->mu);
}

void sl_capture_stop(sl_capture_t *c)
{
    if (!c->running)
        return;
    uv_async_send(&c->stop_async);
    uv_thread_join(&c->thread);
    uv_loop_close(&c->loop);
    c->running = false;
}

size_t sl_capture_count(const sl_capture_t *c)
{
    return c->nreqs;
}

const sl_capture_req_t *sl_capture_get(const sl_capture_t *c, size_t i)
{
    return i < c->nreqs ? c->reqs[i] : NULL;
}

const char *sl_capture_req_header(const sl_capture_req_t *r, const char *name)
{
    for (size_t i = 0; i < r->nhdr; i++)
        if (sl_str_ieq(r->names[i], name))
            return r->values[i];
    return NULL;
}

void sl_capture_destroy(sl_capture_t *c)
{
    if (!c)
        return;
    sl_capture_stop(c);
    for (size_t i = 0; i < c->nreqs; i++) {
        sl_capture_req_t *r = c->reqs[i];
        for (size_t k = 0; k < r->nhdr; k++) {
            sl_free(r->names[k]);
            sl_free(r->values[k]);
        }
        sl_free(r->names);
        sl_free(r->values);
        sl_free(r->method);
        sl_free(r->target);
        sl_buf_dispose(&r->body);
        sl_free(r);
    }
    sl_free(c->reqs);
    sl_tls_ctx_destroy(c->tls);
    sl_key_destroy(c->wrap);
    if (c->tmpdir)
        sl_rmtree(c->dir);
    uv_mutex_destroy(&c->mu);
    sl_free(c);
}
