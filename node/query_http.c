/*
 * The Log Analytics Query API (PROTOCOLS.md §3): POST and GET
 * /v1/workspaces/{id}/query, the resource-centric /v1/{resourceId}/query,
 * and POST /v1/$batch.
 *
 * A request is parsed and authorised on the loop thread (workspace ids or
 * names resolved, each checked against the token's scopes), then runs on
 * the thread pool; its JSON is written there too, so a 64 MB result never
 * stalls the loop. A batch runs its items one after the other in one job
 * and answers them in request order (one SDK maps answers by position).
 */
#include "node/node_int.h"
#include "query/query.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_WS 100 /* Azure's limit on workspaces in one query */

typedef struct qitem {
    char id[80]; /* batch item id */
    char *text;
    size_t len;
    sl_guid_t ws[MAX_WS];
    size_t nws;
    bool has_ts;
    sl_ticks_t t0, t1;
    int64_t wait_ms;
    bool stats, render;
    int status; /* set when the item failed before running */
    sl_buf_t body;
} qitem_t;

typedef struct qjob {
    sl_req_t *r;
    sl_node_t *n;
    sl_token_rec_t tok;
    qitem_t *items;
    size_t nitems;
    bool batch;
    int status;
    sl_buf_t out;
} qjob_t;

/* ---- Errors ------------------------------------------------------------- */

static void item_error(qitem_t *it, int status, const char *code, const char *inner,
                       const char *fmt, ...) SL_PRINTF(5, 6);

static void item_error(qitem_t *it, int status, const char *code, const char *inner,
                       const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    it->status = status;
    sl_buf_reset(&it->body);
    sl_node__query_error_json(&it->body, code, inner, msg);
}

/* Maps an engine error to the API's status and codes. */
static void engine_error(qitem_t *it, int rc, const char *msg)
{
    switch (rc) {
    case SL_EPARSE:
        item_error(it, 400, "BadArgumentError", "SyntaxError", "%s", msg);
        break;
    case SL_ESEMANTIC:
    case SL_EUNSUPPORTED:
    case SL_ENOTFOUND:
        item_error(it, 400, "BadArgumentError", "SemanticError", "%s", msg);
        break;
    case SL_EFORBIDDEN:
        item_error(it, 403, "InsufficientAccessError", NULL, "%s", msg);
        break;
    case SL_ELIMIT:
        item_error(it, 400, "BadArgumentError", "LimitsExceeded", "%s", msg);
        break;
    case SL_ETIMEOUT:
        item_error(it, 504, "GatewayTimeout", NULL,
                   "The query exceeded its time limit (Prefer: wait) and was stopped.");
        break;
    case SL_ECANCELED:
        item_error(it, 503, "ServiceUnavailable", NULL, "The query was cancelled: %s", msg);
        break;
    case SL_EKEYUNAVAIL:
        item_error(it, 403, "CustomerManagedKeyUnavailable", NULL,
                   "Some of the data is encrypted with a customer-managed key that is "
                   "unavailable: %s",
                   msg);
        break;
    default:
        item_error(it, 500, "InternalServerError", NULL, "The query failed: %s", msg);
        break;
    }
}

/* ---- Parsing ------------------------------------------------------------- */

/* Finds a workspace by id, name or Azure resource id (…/workspaces/<name>). */
static int find_ws(sl_node_t *n, const char *text, size_t len, sl_ws_rec_t *w, sl_diag_t *d)
{
    char buf[400];
    if (len >= sizeof buf)
        return sl_diag_set(d, SL_ENOTFOUND, "workspace '%.60s...' not found", text);
    memcpy(buf, text, len);
    buf[len] = 0;
    const char *key = buf;
    const char *ws = strcasestr(buf, "/workspaces/");
    if (ws && (buf[0] == '/' || !strncasecmp(buf, "subscriptions/", 14)))
        key = ws + 12;
    int rc = sl_node__ws_find(n, key, w, d);
    if (!rc && w->deleted) {
        sl_ws_rec_dispose(w);
        rc = SL_ENOTFOUND;
    }
    if (rc)
        return sl_diag_set(d, SL_ENOTFOUND, "Failed to resolve workspace '%s'", key);
    return 0;
}

static bool allowed(const sl_token_rec_t *t, const sl_ws_rec_t *w)
{
    char id[37];
    sl_guid_format(&w->id, id);
    return sl_node__token_allows(t, SL_TOKEN_QUERY, id) ||
           sl_node__token_allows(t, SL_TOKEN_QUERY, w->name);
}

static bool add_ws(qjob_t *j, qitem_t *it, const char *text, size_t len)
{
    sl_ws_rec_t w;
    sl_diag_t d;
    if (find_ws(j->n, text, len, &w, &d)) {
        item_error(it, 400, "FailedToResolveResource", NULL, "%s", d.msg);
        return false;
    }
    bool ok = allowed(&j->tok, &w);
    sl_scope_t scope;
    char why[400];
    if (ok && sl_node__cmk_scope(j->n, &w.id, &scope, why, sizeof why)) {
        item_error(it, 403, "CustomerManagedKeyUnavailable", NULL, "%s", why);
        ok = false;
    } else if (!ok) {
        item_error(it, 403, "InsufficientAccessError", NULL,
                   "The provided credentials have insufficient access to workspace '%s'.",
                   w.name);
    } else {
        for (size_t i = 0; i < it->nws; i++)
            if (!memcmp(it->ws[i].b, w.id.b, 16))
                goto done; /* listed twice */
        if (it->nws == MAX_WS) {
            item_error(it, 400, "BadArgumentError", NULL,
                       "A query may cover at most %d workspaces.", MAX_WS);
            ok = false;
        } else {
            it->ws[it->nws++] = w.id;
        }
    }
done:
    sl_ws_rec_dispose(&w);
    return ok;
}

/* Prefer: wait=N, include-statistics=true, include-render=true (RFC 7240). */
static void parse_prefer(sl_node_t *n, qitem_t *it, const char *p)
{
    const sl_config_t *c = n->cfg;
    it->wait_ms = c->query_timeout_ms;
    for (const char *s = p; s && *s;) {
        while (*s == ' ' || *s == ',')
            s++;
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        while (len && s[len - 1] == ' ')
            len--;
        if (len > 5 && !strncasecmp(s, "wait=", 5)) {
            long v = strtol(s + 5, NULL, 10);
            if (v > 0)
                it->wait_ms = v * 1000;
        } else if (len >= 18 && !strncasecmp(s, "include-statistics", 18)) {
            it->stats = len == 18 || !strncasecmp(s + 18, "=true", len - 18);
        } else if (len >= 14 && !strncasecmp(s, "include-render", 14)) {
            it->render = len == 14 || !strncasecmp(s + 14, "=true", len - 14);
        }
        s = e;
    }
    if (it->wait_ms > c->query_timeout_max_ms)
        it->wait_ms = c->query_timeout_max_ms;
}

static bool parse_timespan(qitem_t *it, const char *ts)
{
    if (!ts)
        return true;
    sl_ticks_t a, b;
    if (sl_time_parse_iso_interval(ts, strlen(ts), sl_time_now(), &a, &b)) {
        item_error(it, 400, "BadArgumentError", "InvalidTimespan",
                   "The timespan '%.80s' is not an ISO 8601 duration or interval (PT1H, "
                   "start/end, start/duration, duration/end).",
                   ts);
        return false;
    }
    if (it->has_ts) {
        /* Given twice (URL and body): the service intersects them. */
        it->t0 = SL_MAX(it->t0, a);
        it->t1 = SL_MIN(it->t1, b);
    } else {
        it->t0 = a;
        it->t1 = b;
    }
    it->has_ts = true;
    return true;
}

/* Fills an item from a JSON body ({"query","timespan","workspaces"}) or, for
 * GET, the target's parameters; `ws_text` is the path's workspace. */
static bool parse_item(qjob_t *j, qitem_t *it, const char *ws_text, json_t *body,
                       const sl_target_t *get, const char *prefer, sl_pool_t *pool)
{
    parse_prefer(j->n, it, prefer);
    if (!add_ws(j, it, ws_text, strlen(ws_text)))
        return false;
    const char *q = NULL, *ts = NULL;
    size_t qlen = 0;
    if (body) {
        json_t *jq = json_object_get(body, "query");
        if (!json_is_string(jq)) {
            item_error(it, 400, "BadArgumentError", "QueryValidationError",
                       "The request body needs a \"query\" string.");
            return false;
        }
        q = json_string_value(jq);
        qlen = json_string_length(jq);
        json_t *jt = json_object_get(body, "timespan");
        if (jt && !json_is_null(jt)) {
            if (!json_is_string(jt)) {
                item_error(it, 400, "BadArgumentError", "QueryValidationError",
                           "\"timespan\" must be a string.");
                return false;
            }
            ts = json_string_value(jt);
        }
        json_t *jw = json_object_get(body, "workspaces");
        if (jw && !json_is_null(jw)) {
            if (!json_is_array(jw)) {
                item_error(it, 400, "BadArgumentError", "QueryValidationError",
                           "\"workspaces\" must be an array of workspace ids.");
                return false;
            }
            size_t k;
            json_t *v;
            json_array_foreach(jw, k, v)
            {
                if (!json_is_string(v)) {
                    item_error(it, 400, "BadArgumentError", "QueryValidationError",
                               "\"workspaces\" must be an array of workspace ids.");
                    return false;
                }
                if (!add_ws(j, it, json_string_value(v), json_string_length(v)))
                    return false;
            }
        }
    } else if (get) {
        q = sl_target_param(get, "query");
        qlen = q ? strlen(q) : 0;
        ts = sl_target_param(get, "timespan");
        const char *wl = sl_target_param(get, "workspaces");
        for (const char *s = wl; s && *s;) {
            const char *e = strchr(s, ',');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            while (len && *s == ' ')
                s++, len--;
            if (len && !add_ws(j, it, s, len))
                return false;
            s = e ? e + 1 : NULL;
        }
        if (!q) {
            item_error(it, 400, "BadArgumentError", "QueryValidationError",
                       "The request needs a 'query' parameter.");
            return false;
        }
    }
    if (qlen > j->n->cfg->query_max_length) {
        item_error(it, 400, "BadArgumentError", "QueryValidationError",
                   "The query is %zu bytes long; the limit is %llu.", qlen,
                   (unsigned long long)j->n->cfg->query_max_length);
        return false;
    }
    it->text = sl_pool_strndup(pool, q ? q : "", qlen);
    it->len = qlen;
    return parse_timespan(it, ts);
}

/* ---- Running ----------------------------------------------------------- */

typedef struct resolver {
    qjob_t *j;
} resolver_t;

static int resolve_ws(void *arg, const char *text, size_t n, sl_guid_t *out, sl_diag_t *d)
{
    resolver_t *rv = arg;
    sl_ws_rec_t w;
    int rc = find_ws(rv->j->n, text, n, &w, d);
    if (rc)
        return rc;
    sl_scope_t scope;
    char why[400];
    if (!allowed(&rv->j->tok, &w))
        rc = sl_diag_set(d, SL_EFORBIDDEN,
                         "The provided credentials have insufficient access to workspace '%s'.",
                         w.name);
    else if (sl_node__cmk_scope(rv->j->n, &w.id, &scope, why, sizeof why))
        rc = sl_diag_set(d, SL_EKEYUNAVAIL, "workspace '%s': %s", w.name, why);
    else
        *out = w.id;
    sl_ws_rec_dispose(&w);
    return rc;
}

static void run_item(qjob_t *j, qitem_t *it)
{
    sl_node_t *n = j->n;
    if (it->status)
        return;
    resolver_t rv = { j };
    sl_query_env_t env = { .store = n->store,
                           .cache = sl_node__cache(n),
                           .resolve_ws = resolve_ws,
                           .resolve_arg = &rv,
                           .spawn = n->qspawn ? sl_node__qspawn : NULL,
                           .spawn_arg = n->qspawn,
                           .helpers = n->query_helpers };
    sl_query_req_t req = { .text = it->text,
                           .len = it->len,
                           .ws = it->ws,
                           .nws = it->nws,
                           .has_timespan = it->has_ts,
                           .t0 = it->t0,
                           .t1 = it->t1,
                           .now = sl_time_now(),
                           .deadline_ns = sl_time_mono_ns() + (uint64_t)it->wait_ms * 1000000u,
                           .mem_budget = (int64_t)n->cfg->query_memory,
                           .max_rows = (uint64_t)n->cfg->query_max_rows,
                           .max_bytes = n->cfg->query_max_result,
                           .cancel = &n->cancel_queries };
    sl_query_result_t res;
    sl_diag_t d = { 0 };
    atomic_fetch_add(&n->queries, 1);
    atomic_fetch_add(&n->queries_active, 1);
    int rc = sl_query_run(&env, &req, &res, &d);
    atomic_fetch_sub(&n->queries_active, 1);
    if (rc) {
        atomic_fetch_add(&n->query_errors, 1);
        if (rc == SL_ETIMEOUT)
            atomic_fetch_add(&n->query_timeouts, 1);
        engine_error(it, rc, d.msg);
        return;
    }
    if (res.partial)
        atomic_fetch_add(&n->query_partial, 1);
    it->status = 200;
    sl_node__query_result_json(&res, it->stats, it->render, &it->body);
    sl_query_result_dispose(&res);
}

static void job_run(void *arg)
{
    qjob_t *j = arg;
    for (size_t i = 0; i < j->nitems; i++)
        run_item(j, &j->items[i]);
    if (!j->batch) {
        j->status = j->items[0].status;
        j->out = j->items[0].body;
        memset(&j->items[0].body, 0, sizeof j->items[0].body);
        return;
    }
    /* {"responses":[{"id","status","body"}, ...]} in request order. */
    j->status = 200;
    sl_jw_t w;
    sl_jw_init(&w, &j->out);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "responses");
    sl_jw_arr_begin(&w);
    for (size_t i = 0; i < j->nitems; i++) {
        qitem_t *it = &j->items[i];
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "id");
        sl_jw_str(&w, it->id);
        sl_jw_key(&w, "status");
        sl_jw_int(&w, it->status);
        sl_jw_key(&w, "body");
        sl_jw_raw(&w, it->body.data ? it->body.data : "{}", it->body.data ? it->body.len : 2);
        sl_jw_obj_end(&w);
    }
    sl_jw_arr_end(&w);
    sl_jw_obj_end(&w);
}

static void job_free(qjob_t *j)
{
    for (size_t i = 0; i < j->nitems; i++)
        sl_buf_dispose(&j->items[i].body);
    sl_free(j->items);
    sl_buf_dispose(&j->out);
    sl_free(j);
}

static void job_done(void *arg)
{
    qjob_t *j = arg;
    if (sl_req_resume(j->r)) {
        if (j->status >= 500)
            sl_logr(j->n->log, SL_LOG_WARN, "query", j->r->id, "status %d", j->status);
        sl_respond_json(j->r, j->status, &j->out);
    }
    job_free(j);
}

static qjob_t *job_new(sl_req_t *r, size_t nitems)
{
    qjob_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    j->n = r->node;
    j->tok = *r->token;
    j->nitems = nitems;
    j->items = sl_xcalloc(nitems ? nitems : 1, sizeof *j->items);
    return j;
}

static void start(qjob_t *j)
{
    sl_req_suspend(j->r);
    sl_node__run_blocking(j->n, job_run, job_done, j);
}

/* ---- Handlers ------------------------------------------------------------ */

static bool is_json(sl_req_t *r)
{
    const char *ct = sl_req_header_str(r, "content-type");
    return ct && strcasestr(ct, "application/json");
}

/* The JSON body of a POST, or NULL after answering 400. */
static json_t *json_body(sl_req_t *r)
{
    if (!is_json(r)) {
        sl_respond_error(r, 400, "BadArgumentError", "QueryValidationError",
                         "A POST needs Content-Type: application/json and a JSON body.");
        return NULL;
    }
    size_t n;
    const char *b = sl_req_body(r, &n);
    json_error_t err;
    json_t *root = json_loadb(b, n, 0, &err);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        sl_respond_error(r, 400, "BadArgumentError", "QueryValidationError",
                         "The request body is not a JSON object (InvalidJsonBody): %s",
                         root ? "expected an object" : err.text);
        return NULL;
    }
    return root;
}

static void handle(sl_req_t *r, const char *ws_text)
{
    bool post = !strcmp(sl_req_method(r), "POST");
    json_t *body = NULL;
    if (post && !(body = json_body(r)))
        return;
    qjob_t *j = job_new(r, 1);
    parse_item(j, &j->items[0], ws_text, body, post ? NULL : &r->target,
               sl_req_header_str(r, "prefer"), r->pool);
    json_decref(body);
    if (j->items[0].status) {
        /* Rejected before running: answer now. */
        sl_buf_t out = j->items[0].body;
        memset(&j->items[0].body, 0, sizeof out);
        sl_respond_json(r, j->items[0].status, &out);
        job_free(j);
        return;
    }
    start(j);
}

void sl_h_query(sl_req_t *r)
{
    handle(r, r->params[0]);
}

void sl_h_query_resource(sl_req_t *r)
{
    const char *res = r->params[0];
    if (!strcasestr(res, "/workspaces/")) {
        sl_respond_error(r, 400, "FailedToResolveResource", NULL,
                         "Resource-centric queries are supported for workspace resources "
                         "(.../providers/Microsoft.OperationalInsights/workspaces/<name>); "
                         "'%.200s' is not one.",
                         res);
        return;
    }
    char *full = sl_pool_printf(r->pool, "/%s", res);
    handle(r, full);
}

void sl_h_query_batch(sl_req_t *r)
{
    json_t *root = json_body(r);
    if (!root)
        return;
    json_t *reqs = json_object_get(root, "requests");
    if (!json_is_array(reqs) || json_array_size(reqs) == 0 || json_array_size(reqs) > 100) {
        json_decref(root);
        sl_respond_error(r, 400, "BadArgumentError", "QueryValidationError",
                         "The body needs a \"requests\" array of 1 to 100 queries.");
        return;
    }
    size_t n = json_array_size(reqs);
    /* Whole-batch errors first: missing ids or workspaces, duplicate ids. */
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(reqs, i);
        json_t *id = json_object_get(it, "id"), *ws = json_object_get(it, "workspace");
        const char *bad = !json_is_object(it)      ? "is not an object"
                          : !json_is_string(id)    ? "has no string \"id\""
                          : !json_is_string(ws)    ? "has no string \"workspace\""
                          : json_string_length(id) >= 80 ? "has an id longer than 79 characters"
                                                         : NULL;
        for (size_t k = 0; !bad && k < i; k++)
            if (json_equal(json_object_get(json_array_get(reqs, k), "id"), id))
                bad = "repeats an id";
        if (bad) {
            json_decref(root);
            sl_respond_error(r, 400, "BadArgumentError", "QueryValidationError",
                             "Request %zu of the batch %s.", i, bad);
            return;
        }
    }
    qjob_t *j = job_new(r, n);
    j->batch = true;
    for (size_t i = 0; i < n; i++) {
        json_t *in = json_array_get(reqs, i);
        qitem_t *it = &j->items[i];
        snprintf(it->id, sizeof it->id, "%s", json_string_value(json_object_get(in, "id")));
        const char *path = json_string_value(json_object_get(in, "path"));
        const char *method = json_string_value(json_object_get(in, "method"));
        const char *prefer = NULL;
        json_t *hdrs = json_object_get(in, "headers");
        const char *k;
        json_t *v;
        json_object_foreach(hdrs, k, v)
        {
            if (!strcasecmp(k, "prefer") && json_is_string(v))
                prefer = json_string_value(v);
        }
        if (path && strcmp(path, "/query") != 0) {
            item_error(it, 404, "PathNotFoundError", NULL, "The requested path does not exist");
            continue;
        }
        json_t *body = json_object_get(in, "body");
        if (method && strcasecmp(method, "POST") != 0)
            body = NULL; /* GET ignores the body */
        if (!json_is_object(body)) {
            parse_prefer(j->n, it, prefer);
            item_error(it, 400, "BadArgumentError", "QueryValidationError",
                       "Batch request '%s' has no query body (method POST with "
                       "{\"query\": ...}).",
                       it->id);
            continue;
        }
        parse_item(j, it, json_string_value(json_object_get(in, "workspace")), body, NULL,
                   prefer, r->pool);
    }
    json_decref(root);
    start(j);
}
