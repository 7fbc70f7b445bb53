/*
 * The request wrapper around h2o_req_t, responses, and the request log.
 *
 * Lifetime: an sl_vault_req_t is freed when both h2o has disposed of its
 * request (answered and sent, or the client went away) and no asynchronous
 * work for it is pending. A sentinel allocated in h2o's request pool reports
 * the first; sl_vault_req_resume() checks it when the work comes back.
 * The vault counts live requests (`inflight`): a drain closes idle
 * connections only once every request is freed, i.e. every response sent.
 *
 * Every response writes one log line: method, path (never the query, which
 * is where a careless client might put a secret), status, time, caller.
 */
#include "vault/vault_int.h"

#include <stdio.h>
#include <string.h>

static void req_free(sl_vault_req_t *r)
{
    sl_vault_t *v = r->vault;
    sl_buf_dispose(&r->body_out);
    sl_pool_destroy(r->pool);
    sl_free(r);
    /* The response is on its way out (h2o disposes of a request once it is
     * sent), so a drain may now close the idle connections. */
    v->inflight--;
    sl_vault__maybe_finish_drain(v);
}

struct sentinel {
    sl_vault_req_t *r;
};

static void on_h2o_dispose(void *p)
{
    sl_vault_req_t *r = ((struct sentinel *)p)->r;
    r->h2o = NULL;
    if (!r->pending)
        req_free(r);
}

sl_vault_req_t *sl_vault__req_create(sl_vault_t *v, h2o_req_t *req)
{
    sl_vault_req_t *r = sl_xcalloc(1, sizeof *r);
    r->vault = v;
    r->h2o = req;
    r->pool = sl_pool_create();
    r->start_ns = sl_time_mono_ns();
    v->inflight++;
    sl_request_id(r->id);
    int mlen = (int)SL_MIN(req->method.len, sizeof r->method - 1);
    snprintf(r->method, sizeof r->method, "%.*s", mlen, req->method.base);
    snprintf(r->who.id, sizeof r->who.id, "-");
    struct sentinel *s = h2o_mem_alloc_shared(&req->pool, sizeof *s, on_h2o_dispose);
    s->r = r;
    return r;
}

bool sl_vault_req_header(sl_vault_req_t *r, const char *name, const char **val, size_t *len)
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

const char *sl_vault_req_body(sl_vault_req_t *r, size_t *len)
{
    if (!r->h2o || !r->h2o->entity.base) {
        *len = 0;
        return "";
    }
    *len = r->h2o->entity.len;
    return r->h2o->entity.base;
}

void sl_vault_req_add_header(sl_vault_req_t *r, const char *name, const char *value)
{
    if (!r->h2o)
        return;
    h2o_iovec_t n = h2o_strdup(&r->h2o->pool, name, strlen(name));
    h2o_iovec_t val = h2o_strdup(&r->h2o->pool, value, strlen(value));
    h2o_add_header_by_str(&r->h2o->pool, &r->h2o->res.headers, n.base, n.len, 1, NULL, val.base,
                          val.len);
}

void sl_vault_req_suspend(sl_vault_req_t *r)
{
    r->pending = true;
}

bool sl_vault_req_resume(sl_vault_req_t *r)
{
    r->pending = false;
    if (!r->h2o) {
        req_free(r);
        return false;
    }
    return true;
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
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
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

void sl_vault_respond(sl_vault_req_t *r, int status, const char *content_type, sl_buf_t *body)
{
    if (r->responded || !r->h2o) {
        if (body)
            sl_buf_dispose(body);
        return;
    }
    r->responded = true;
    r->status = status;
    h2o_req_t *req = r->h2o;
    req->res.status = status;
    req->res.reason = reason(status);
    sl_vault_req_add_header(r, "x-ms-request-id", r->id);
    if (body) {
        /* Kept alive until h2o disposes of the request. */
        r->body_out = *body;
        *body = (sl_buf_t)SL_BUF_INIT;
    }
    if (content_type)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                       strlen(content_type));
    req->res.content_length = r->body_out.len;
    static h2o_generator_t generator = { NULL, NULL };
    h2o_start_response(req, &generator);
    h2o_iovec_t buf = h2o_iovec_init(r->body_out.data, r->body_out.len);
    h2o_send(req, r->body_out.len ? &buf : NULL, r->body_out.len ? 1 : 0, H2O_SEND_STATE_FINAL);

    uint64_t us = (sl_time_mono_ns() - r->start_ns) / 1000;
    sl_logr(r->vault->log, SL_LOG_INFO, "http", r->id, "%s %s %d %llu.%03llums caller=%s",
            r->method, r->target.path ? r->target.path : "?", status,
            (unsigned long long)(us / 1000), (unsigned long long)(us % 1000), r->who.id);
}

void sl_vault_respond_json(sl_vault_req_t *r, int status, sl_buf_t *body)
{
    sl_vault_respond(r, status, "application/json; charset=utf-8", body);
}

void sl_vault_respond_error(sl_vault_req_t *r, int status, const char *code, const char *inner,
                            const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (status == 401) {
        /* The challenge Key Vault clients parse (PROTOCOLS.md §4.5): quoted
         * values separated by ", "; the tenant is the authority's path. */
        sl_vault_t *v = r->vault;
        char ch[800];
        snprintf(ch, sizeof ch, "Bearer authorization=\"%s/%s\", resource=\"%s\"", v->authority,
                 v->tenant, v->opts->resource);
        sl_vault_req_add_header(r, "www-authenticate", ch);
    }
    sl_buf_t b = SL_BUF_INIT;
    sl_vault_json_error(&b, code, inner, msg);
    sl_logr(r->vault->log, SL_LOG_DEBUG, "http", r->id, "%d %s%s%s: %s", status, code,
            inner ? "/" : "", inner ? inner : "", msg);
    sl_vault_respond_json(r, status, &b);
}

void sl_vault_respond_oauth_error(sl_vault_req_t *r, int status, const char *error,
                                  const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "error");
    sl_jw_str(&w, error);
    sl_jw_key(&w, "error_description");
    sl_jw_str(&w, msg);
    sl_jw_obj_end(&w);
    sl_vault_respond_json(r, status, &b);
}

void sl_vault_audit(sl_vault_req_t *r, const char *op, const char *name, const char *version,
                    const char *outcome)
{
    sl_logr(r->vault->log, SL_LOG_INFO, "audit", r->id,
            "op=%s key=%s version=%s caller=%s outcome=%s", op, name && *name ? name : "-",
            version && *version ? version : "-", r->who.id, outcome);
}
