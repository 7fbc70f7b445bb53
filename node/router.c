/*
 * The one routing table, and dispatch: parse the target, find the route,
 * authenticate as the route requires, then call the handler.
 *
 * Patterns are matched segment by segment after the target is normalised
 * (absolute-form stripped, "//" collapsed, segments percent-decoded), so
 * the same route serves every spelling clients use (PROTOCOLS.md §5).
 * "{}" captures one segment, "{*}" one or more (Azure resource ids).
 */
#include "node/node_int.h"

#include <stdio.h>
#include <string.h>

const sl_route_t sl_routes[] = {
    { "GET", "/healthz", SL_API_PLAIN, SL_AUTH_NONE, sl_h_healthz },
    { "GET", "/readyz", SL_API_PLAIN, SL_AUTH_NONE, sl_h_readyz },
    { "GET", "/metrics", SL_API_PLAIN, SL_AUTH_NONE, sl_h_metrics },
    { "GET", "/admin/v1/status", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_status },
    { "GET", "/admin/v1/workspaces", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_list },
    { "POST", "/admin/v1/workspaces", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_create },
    { "GET", "/admin/v1/workspaces/{}", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_show },
    { "DELETE", "/admin/v1/workspaces/{}", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_delete },
    { "POST", "/admin/v1/workspaces/{}/sharedKeys", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_keys },
    { "GET", "/admin/v1/workspaces/{}/sharedKeys", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_keys },
    { "POST", "/admin/v1/workspaces/{}/regenerateSharedKey", SL_API_ADMIN, SL_AUTH_ADMIN,
      sl_h_ws_regenerate },
    { "GET", "/admin/v1/tokens", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_token_list },
    { "POST", "/admin/v1/tokens", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_token_create },
    { "DELETE", "/admin/v1/tokens/{}", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_token_revoke },
    { "GET", "/admin/v1/dataCollectionRules", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_dcr_list },
    { "POST", "/admin/v1/dataCollectionRules", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_dcr_create },
    { "GET", "/admin/v1/dataCollectionRules/{}", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_dcr_show },
    { "DELETE", "/admin/v1/dataCollectionRules/{}", SL_API_ADMIN, SL_AUTH_ADMIN,
      sl_h_dcr_delete },
    { "GET", "/admin/v1/dump", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_dump },
    { "POST", "/admin/v1/retention/run", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_retention_run },
    { "GET", "/admin/v1/cluster", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_cluster_show },
    { "PATCH", "/admin/v1/cluster", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_cluster_update },
    { "PUT", "/admin/v1/cluster", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_cluster_update },
    { "POST", "/admin/v1/workspaces/{}/link", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_link },
    { "POST", "/admin/v1/workspaces/{}/unlink", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_ws_unlink },
    { "GET", "/admin/v1/audit", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_audit_list },
    { "GET", "/admin/v1/audit/verify", SL_API_ADMIN, SL_AUTH_ADMIN, sl_h_audit_verify },
    /* HTTP Data Collector API: SharedKey, checked by the handler. */
    { "POST", "/api/logs", SL_API_DC, SL_AUTH_HANDLER, sl_h_dc_post },
    /* Logs Ingestion API. */
    { "POST", "/dataCollectionRules/{}/streams/{}", SL_API_INGEST, SL_AUTH_INGEST, sl_h_li_post },
    /* OAuth2 client credentials, with or without a tenant segment. */
    { "POST", "/oauth2/v2.0/token", SL_API_PLAIN, SL_AUTH_HANDLER, sl_h_oauth_token },
    { "POST", "/{}/oauth2/v2.0/token", SL_API_PLAIN, SL_AUTH_HANDLER, sl_h_oauth_token },
    /* Log Analytics Query API; also without /v1 for SDKs configured without it. */
    { "POST", "/v1/workspaces/{}/query", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query },
    { "GET", "/v1/workspaces/{}/query", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query },
    { "POST", "/v1/$batch", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query_batch },
    { "POST", "/v1/{*}/query", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query_resource },
    { "GET", "/v1/{*}/query", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query_resource },
    { "POST", "/workspaces/{}/query", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query },
    { "GET", "/workspaces/{}/query", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query },
    { "POST", "/$batch", SL_API_QUERY, SL_AUTH_QUERY, sl_h_query_batch },
};
const size_t sl_routes_count = sizeof sl_routes / sizeof sl_routes[0];

/* Matches `t` against `pattern`; fills params. */
static bool match(const char *pattern, const sl_target_t *t, sl_pool_t *pool,
                  const char **params)
{
    size_t seg = 0, np = 0;
    const char *p = pattern;
    while (*p) {
        if (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 3 && !memcmp(p, "{*}", 3)) {
            /* Greedy capture that leaves room for the pattern's remaining segments. */
            size_t rest = 0;
            for (const char *q = p + len; *q; q++)
                rest += *q == '/';
            if (t->nseg < seg + 1 + rest)
                return false;
            size_t take = t->nseg - seg - rest;
            sl_buf_t b = SL_BUF_INIT;
            for (size_t i = 0; i < take; i++)
                sl_buf_printf(&b, "%s%s", i ? "/" : "", t->seg[seg + i]);
            if (np < SL_REQ_MAX_PARAMS)
                params[np++] = sl_pool_strndup(pool, b.data, b.len);
            sl_buf_dispose(&b);
            seg += take;
        } else {
            if (seg >= t->nseg)
                return false;
            if (len == 2 && !memcmp(p, "{}", 2)) {
                if (np < SL_REQ_MAX_PARAMS)
                    params[np++] = t->seg[seg];
            } else if (strlen(t->seg[seg]) != len || memcmp(t->seg[seg], p, len) != 0) {
                return false;
            }
            seg++;
        }
        p += len;
    }
    return seg == t->nseg;
}

/* Responds 401/403 in the route's API shape when authentication fails. */
static bool authenticate(sl_req_t *r)
{
    sl_auth_t need = r->route->auth;
    if (need == SL_AUTH_NONE || need == SL_AUTH_HANDLER)
        return true;
    const char *h;
    size_t hn;
    bool query = r->route->api == SL_API_QUERY;
    if (!sl_req_header(r, "authorization", &h, &hn)) {
        sl_respond_error(r, 401, "AuthenticationFailed", NULL,
                         "The 'Authorization' header is missing.");
        return false;
    }
    sl_token_rec_t *t = sl_pool_alloc(r->pool, sizeof *t);
    if (sl_node__token_verify(r->node, h, hn, t) != 0) {
        sl_respond_error(r, query ? 403 : 401, "InvalidAuthenticationToken", NULL,
                         "The access token is missing, malformed, expired or revoked.");
        return false;
    }
    sl_token_kind_t want = need == SL_AUTH_ADMIN    ? SL_TOKEN_ADMIN
                           : need == SL_AUTH_INGEST ? SL_TOKEN_INGEST
                                                    : SL_TOKEN_QUERY;
    if (t->kind != SL_TOKEN_ADMIN && t->kind != want) {
        if (query)
            sl_respond_error(r, 403, "InvalidAuthenticationTokenAudience", NULL,
                             "The access token is not valid for the Query API.");
        else if (r->route->api == SL_API_INGEST)
            sl_respond_error(r, 403, "OperationFailed", NULL,
                             "The access token is not valid for data ingestion.");
        else
            sl_respond_error(r, 403, "AuthorizationFailed", NULL,
                             "The access token does not grant administration.");
        return false;
    }
    r->token = t;
    return true;
}

int sl_node__route_find(const char *method, size_t mlen, const sl_target_t *t, sl_pool_t *pool,
                        const char *params[SL_REQ_MAX_PARAMS], sl_buf_t *allow)
{
    bool path_known = false;
    for (size_t i = 0; i < sl_routes_count; i++) {
        const char *got[SL_REQ_MAX_PARAMS] = { 0 };
        if (!match(sl_routes[i].pattern, t, pool, got))
            continue;
        path_known = true;
        const char *m = sl_routes[i].method;
        bool head_ok = !strcmp(m, "GET") && mlen == 4 && !memcmp(method, "HEAD", 4);
        if ((strlen(m) != mlen || memcmp(m, method, mlen)) && !head_ok)
            continue;
        memcpy(params, got, sizeof got);
        return (int)i;
    }
    if (!path_known)
        return -1;
    /* 405: every method the path has, in table order (the Allow header). */
    for (size_t i = 0; allow && i < sl_routes_count; i++) {
        const char *got[SL_REQ_MAX_PARAMS];
        if (match(sl_routes[i].pattern, t, pool, got))
            sl_buf_printf(allow, "%s%s", allow->len ? ", " : "", sl_routes[i].method);
    }
    return -2;
}

void sl_node__dispatch(sl_node_t *n, h2o_req_t *req)
{
    sl_req_t *r = sl_node__req_create(n, req);
    int rc = sl_target_parse(r->pool, req->path.base, req->path.len, false, &r->target);
    if (rc) {
        sl_respond_error(r, 400, "BadRequest", NULL, "The request target is malformed.");
        return;
    }
    sl_buf_t allow = SL_BUF_INIT;
    int i = sl_node__route_find(req->method.base, req->method.len, &r->target, r->pool, r->params,
                                &allow);
    if (i >= 0) {
        r->route = &sl_routes[i];
        r->route_index = i;
        sl_logr(n->log, SL_LOG_DEBUG, "http", r->id, "%.*s %s", (int)req->method.len,
                req->method.base, r->target.path);
        if (authenticate(r))
            r->route->fn(r);
        return;
    }
    if (i == -2) {
        sl_req_add_header(r, "allow", allow.data);
        sl_respond_error(r, 405, "MethodNotAllowed", NULL, "Method %.*s is not allowed on %s.",
                         (int)req->method.len, req->method.base, r->target.path);
    } else {
        sl_respond_error(r, 404, "PathNotFoundError", NULL, "The requested path does not exist");
    }
    sl_buf_dispose(&allow);
}
