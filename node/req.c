/*
 * The request wrapper around h2o_req_t, and responses in each API's shape.
 *
 * Lifetime: an sl_req_t is freed when both (a) h2o has disposed of its
 * request (client done or gone) and (b) no asynchronous work is pending.
 * A small sentinel allocated in h2o's request pool tells us about (a): its
 * dispose callback runs when h2o clears that pool.
 */
#include "node/node_int.h"

#include <stdio.h>
#include <string.h>

static void req_free(sl_req_t *r)
{
    sl_buf_dispose(&r->body_out);
    sl_pool_destroy(r->pool);
    sl_free(r);
}

struct sentinel {
    sl_req_t *r;
};

static void on_h2o_dispose(void *p)
{
    sl_req_t *r = ((struct sentinel *)p)->r;
    r->h2o = NULL;
    if (!r->pending)
        req_free(r);
}

sl_req_t *sl_node__req_create(sl_node_t *n, h2o_req_t *req)
{
    sl_req_t *r = sl_xcalloc(1, sizeof *r);
    r->node = n;
    r->h2o = req;
    r->pool = sl_pool_create();
    r->route_index = -1;
    r->start_ns = sl_time_mono_ns();
    sl_request_id(r->id);
    struct sentinel *s = h2o_mem_alloc_shared(&req->pool, sizeof *s, on_h2o_dispose);
    s->r = r; /* linked to req->pool with its only reference: freed when h2o clears it */
    return r;
}

bool sl_req_header(sl_req_t *r, const char *name, const char **val, size_t *len)
{
    if (!r->h2o)
        return false;
    ssize_t i = h2o_find_header_by_str(&r->h2o->headers, name, strlen(name), -1);
    if (i < 0)
        return false;
    *val = r->h2o->headers.entries[i].value.base;
    *len = r->h2o->headers.entries[i].value.len;
    return true;
}

const char *sl_req_header_str(sl_req_t *r, const char *name)
{
    const char *v;
    size_t n;
    if (!sl_req_header(r, name, &v, &n))
        return NULL;
    return sl_pool_strndup(r->pool, v, n);
}

void sl_req_add_header(sl_req_t *r, const char *name, const char *value)
{
    if (!r->h2o)
        return;
    size_t nl = strlen(name);
    char *nm = h2o_mem_alloc_pool(&r->h2o->pool, nl + 1);
    for (size_t i = 0; i <= nl; i++)
        nm[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    h2o_iovec_t v = h2o_strdup(&r->h2o->pool, value, strlen(value));
    h2o_add_header_by_str(&r->h2o->pool, &r->h2o->res.headers, nm, nl, 1, NULL, v.base, v.len);
}

const char *sl_req_body(sl_req_t *r, size_t *len)
{
    if (!r->h2o || !r->h2o->entity.base) {
        *len = 0;
        return "";
    }
    *len = r->h2o->entity.len;
    return r->h2o->entity.base;
}

const char *sl_req_method(sl_req_t *r)
{
    if (!r->h2o)
        return "";
    return sl_pool_strndup(r->pool, r->h2o->method.base, r->h2o->method.len);
}

void sl_req_suspend(sl_req_t *r)
{
    r->pending = true;
    r->node->inflight++;
}

bool sl_req_resume(sl_req_t *r)
{
    r->pending = false;
    r->node->inflight--;
    if (!r->h2o) {
        req_free(r);
        sl_node__maybe_finish_drain(r->node);
        return false;
    }
    return true;
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Unknown";
    }
}

void sl_respond(sl_req_t *r, int status, const char *content_type, sl_buf_t *body)
{
    if (r->responded || !r->h2o) {
        if (body)
            sl_buf_dispose(body);
        return;
    }
    r->responded = true;
    h2o_req_t *req = r->h2o;
    size_t in_len = req->entity.len;
    req->res.status = status;
    req->res.reason = reason_of(status);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-ms-request-id"), 0, NULL,
                          r->id, strlen(r->id));
    if (body) {
        /* Keep the body alive until h2o disposes of the request. */
        r->body_out = *body;
        *body = (sl_buf_t)SL_BUF_INIT;
    }
    size_t out_len = r->body_out.len;
    if (status != 204 && status != 304) {
        if (content_type)
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                           content_type, strlen(content_type));
        req->res.content_length = out_len;
    }
    static h2o_generator_t generator = { NULL, NULL };
    h2o_start_response(req, &generator);
    h2o_iovec_t buf = h2o_iovec_init(r->body_out.data, out_len);
    bool head = req->method.len == 4 && memcmp(req->method.base, "HEAD", 4) == 0;
    h2o_send(req, out_len && !head ? &buf : NULL, out_len && !head ? 1 : 0,
             H2O_SEND_STATE_FINAL);
    sl_metrics_request(r->node->metrics, r->route_index, status, in_len, out_len,
                       sl_time_mono_ns() - r->start_ns);
}

void sl_respond_json(sl_req_t *r, int status, sl_buf_t *body)
{
    sl_respond(r, status, "application/json; charset=utf-8", body);
}

void sl_respond_empty(sl_req_t *r, int status)
{
    sl_respond(r, status, NULL, NULL);
}

static void error_body(sl_req_t *r, sl_buf_t *b, const char *code, const char *inner,
                       const char *msg)
{
    sl_jw_t w;
    sl_jw_init(&w, b);
    sl_api_t api = r->route ? r->route->api : SL_API_ADMIN;
    sl_jw_obj_begin(&w);
    if (api == SL_API_DC) {
        sl_jw_key(&w, "Error");
        sl_jw_str(&w, code);
        sl_jw_key(&w, "Message");
        sl_jw_str(&w, msg);
    } else {
        sl_jw_key(&w, "error");
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "code");
        sl_jw_str(&w, code);
        sl_jw_key(&w, "message");
        sl_jw_str(&w, msg);
        if (inner) {
            sl_jw_key(&w, "innererror");
            sl_jw_obj_begin(&w);
            sl_jw_key(&w, "code");
            sl_jw_str(&w, inner);
            sl_jw_key(&w, "message");
            sl_jw_str(&w, msg);
            sl_jw_obj_end(&w);
        }
        sl_jw_obj_end(&w);
    }
    sl_jw_obj_end(&w);
    if (api == SL_API_INGEST)
        sl_req_add_header(r, "x-ms-error-code", code);
}

static void respond_error_v(sl_req_t *r, int status, int retry_after, const char *code,
                            const char *inner, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    sl_buf_t b = SL_BUF_INIT;
    error_body(r, &b, code, inner, msg);
    if (status == 429 || status == 503) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after > 0 ? retry_after : 1);
        sl_req_add_header(r, "retry-after", ra);
    }
    if (status == 401)
        sl_req_add_header(r, "www-authenticate", "Bearer realm=\"sealog\"");
    sl_logr(r->node->log, status >= 500 ? SL_LOG_WARN : SL_LOG_DEBUG, "http", r->id,
            "%d %s: %s", status, code, msg);
    sl_respond_json(r, status, &b);
}

void sl_respond_error(sl_req_t *r, int status, const char *code, const char *inner,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    respond_error_v(r, status, 1, code, inner, fmt, ap);
    va_end(ap);
}

void sl_respond_retry_after(sl_req_t *r, int status, int retry_after_s, const char *code,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    respond_error_v(r, status, retry_after_s, code, NULL, fmt, ap);
    va_end(ap);
}
