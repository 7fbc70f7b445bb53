/*
 * Admin API for tokens: mint (the secret is shown once), list, revoke.
 *
 * Scopes: an ingest token lists DCR immutable ids, a query token lists
 * workspaces (names are resolved to ids when the token is minted, so a later
 * rename cannot widen it); "*" means all. Admin tokens have no scopes.
 */
#include "node/admin_json.h"

#include <stdio.h>
#include <string.h>

static const char *kind_name(sl_token_kind_t k)
{
    switch (k) {
    case SL_TOKEN_ADMIN:
        return "admin";
    case SL_TOKEN_INGEST:
        return "ingest";
    case SL_TOKEN_QUERY:
        return "query";
    }
    return "unknown";
}

static void token_json(sl_jw_t *w, const sl_token_rec_t *t, const char *secret)
{
    char hex[17], ts[32];
    sl_node__token_id_hex(t->id, hex);
    sl_jw_obj_begin(w);
    sl_jw_key(w, "id");
    sl_jw_str(w, hex);
    sl_jw_key(w, "kind");
    sl_jw_str(w, kind_name(t->kind));
    sl_jw_key(w, "name");
    sl_jw_str(w, t->name);
    sl_jw_key(w, "scopes");
    sl_jw_arr_begin(w);
    for (size_t i = 0; i < t->nscopes; i++)
        sl_jw_str(w, t->scopes[i]);
    sl_jw_arr_end(w);
    sl_jw_key(w, "createdOn");
    sl_time_format_iso8601(t->created, ts);
    sl_jw_str(w, ts);
    sl_jw_key(w, "expiresOn");
    sl_time_format_iso8601(t->expires, ts);
    sl_jw_str(w, ts);
    sl_jw_key(w, "state");
    sl_jw_str(w, t->revoked ? "revoked" : t->expires <= sl_time_now() ? "expired" : "active");
    if (secret) {
        sl_jw_key(w, "token");
        sl_jw_str(w, secret);
    }
    sl_jw_obj_end(w);
}

typedef struct tok_job {
    sl_req_t *r;
    sl_token_kind_t kind;
    char name[64];
    char scopes[SL_TOKEN_MAX_SCOPES][64];
    size_t nscopes;
    int64_t ttl_ms;
    sl_token_rec_t rec;
    char secret[128];
    bool revoke;
    int rc;
    sl_diag_t d;
} tok_job_t;

static void job_run(void *arg)
{
    tok_job_t *j = arg;
    if (j->revoke) {
        j->rec.revoked = sl_time_now();
        j->rc = sl_catalog_token_put(j->r->node->catalog, &j->rec, &j->d);
        return;
    }
    const char *sc[SL_TOKEN_MAX_SCOPES];
    for (size_t i = 0; i < j->nscopes; i++)
        sc[i] = j->scopes[i];
    j->rc = sl_node__token_mint(j->r->node, j->kind, j->name, sc, j->nscopes, j->ttl_ms, &j->rec,
                                j->secret, &j->d);
}

static void job_done(void *arg)
{
    tok_job_t *j = arg;
    sl_req_t *r = j->r;
    if (sl_req_resume(r)) {
        if (j->rc) {
            sl_respond_error(r, 500, "InternalError", NULL, "%s", j->d.msg);
        } else {
            sl_buf_t b = SL_BUF_INIT;
            sl_jw_t w;
            sl_jw_init(&w, &b);
            token_json(&w, &j->rec, j->revoke ? NULL : j->secret);
            sl_respond_json(r, j->revoke ? 200 : 201, &b);
            char hex[17];
            sl_node__token_id_hex(j->rec.id, hex);
            sl_logr(r->node->log, SL_LOG_INFO, "admin", r->id, "token %s (%s) %s", hex,
                    kind_name(j->rec.kind), j->revoke ? "revoked" : "created");
        }
    }
    sl_wipe(j->secret, sizeof j->secret);
    sl_free(j);
}

void sl_h_token_create(sl_req_t *r)
{
    static const char *const known[] = { "kind", "name", "scopes", "expiresIn", NULL };
    json_t *body = sl_admin_body(r, false);
    tok_job_t *j = NULL;
    if (!body || !sl_admin_known_keys(r, body, known))
        goto done;
    j = sl_xcalloc(1, sizeof *j);
    const char *kind = json_string_value(json_object_get(body, "kind"));
    if (kind && !strcmp(kind, "admin"))
        j->kind = SL_TOKEN_ADMIN;
    else if (kind && !strcmp(kind, "ingest"))
        j->kind = SL_TOKEN_INGEST;
    else if (kind && !strcmp(kind, "query"))
        j->kind = SL_TOKEN_QUERY;
    else {
        sl_respond_error(r, 400, "InvalidTokenKind", NULL,
                         "kind must be \"admin\", \"ingest\" or \"query\"");
        goto done;
    }
    json_t *name = json_object_get(body, "name");
    if (name && (!json_is_string(name) || json_string_length(name) >= sizeof j->name)) {
        sl_respond_error(r, 400, "InvalidProperty", NULL, "name must be a string of at most %zu "
                         "characters", sizeof j->name - 1);
        goto done;
    }
    snprintf(j->name, sizeof j->name, "%s", name ? json_string_value(name) : "");
    json_t *exp = json_object_get(body, "expiresIn");
    if (exp) {
        if (!json_is_string(exp) || sl_duration_parse_ms(json_string_value(exp), &j->ttl_ms) ||
            j->ttl_ms < 60000 || j->ttl_ms > (int64_t)3650 * 86400000) {
            sl_respond_error(r, 400, "InvalidProperty", NULL,
                             "expiresIn must be a duration from 1m to 3650d, like \"30d\"");
            goto done;
        }
    }
    json_t *scopes = json_object_get(body, "scopes");
    if (scopes && (!json_is_array(scopes) || json_array_size(scopes) > SL_TOKEN_MAX_SCOPES)) {
        sl_respond_error(r, 400, "InvalidProperty", NULL, "scopes must be an array of at most %d "
                         "strings", SL_TOKEN_MAX_SCOPES);
        goto done;
    }
    if (j->kind == SL_TOKEN_ADMIN && json_array_size(scopes)) {
        sl_respond_error(r, 400, "InvalidProperty", NULL, "admin tokens take no scopes");
        goto done;
    }
    if (j->kind != SL_TOKEN_ADMIN && !json_array_size(scopes)) {
        sl_respond_error(r, 400, "InvalidProperty", NULL, "%s tokens need scopes: %s, or \"*\"",
                         kind, j->kind == SL_TOKEN_QUERY ? "workspace ids or names"
                                                         : "data collection rule ids");
        goto done;
    }
    size_t i;
    json_t *s;
    json_array_foreach(scopes, i, s)
    {
        const char *v = json_string_value(s);
        if (!v || !*v || strlen(v) >= sizeof j->scopes[0]) {
            sl_respond_error(r, 400, "InvalidProperty", NULL, "each scope must be a non-empty "
                             "string of at most 63 characters");
            goto done;
        }
        if (j->kind == SL_TOKEN_QUERY && strcmp(v, "*")) {
            sl_ws_rec_t ws;
            if (sl_node__ws_find(r->node, v, &ws, NULL)) {
                sl_respond_error(r, 400, "ResourceNotFound", NULL, "workspace \"%s\" not found",
                                 v);
                goto done;
            }
            sl_guid_format(&ws.id, j->scopes[j->nscopes++]);
            sl_ws_rec_dispose(&ws);
        } else {
            snprintf(j->scopes[j->nscopes++], sizeof j->scopes[0], "%s", v);
        }
    }
    j->r = r;
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, job_run, job_done, j);
    j = NULL;
done:
    sl_free(j);
    json_decref(body);
}

void sl_h_token_list(sl_req_t *r)
{
    sl_token_rec_t *list;
    size_t n;
    sl_diag_t d;
    if (sl_catalog_token_list(r->node->catalog, &list, &n, &d)) {
        sl_respond_error(r, 500, "InternalError", NULL, "%s", d.msg);
        return;
    }
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "value");
    sl_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        token_json(&w, &list[i], NULL);
    sl_jw_arr_end(&w);
    sl_jw_obj_end(&w);
    sl_free(list);
    sl_respond_json(r, 200, &b);
}

void sl_h_token_revoke(sl_req_t *r)
{
    uint8_t id[SL_TOKEN_ID_LEN];
    tok_job_t *j = sl_xcalloc(1, sizeof *j);
    if (strlen(r->params[0]) != 16 || sl_hex_decode(r->params[0], 16, id) ||
        sl_catalog_token_get(r->node->catalog, id, &j->rec, NULL)) {
        sl_respond_error(r, 404, "ResourceNotFound", NULL, "token \"%s\" not found", r->params[0]);
        sl_free(j);
        return;
    }
    if (j->rec.revoked) {
        sl_buf_t b = SL_BUF_INIT;
        sl_jw_t w;
        sl_jw_init(&w, &b);
        token_json(&w, &j->rec, NULL);
        sl_respond_json(r, 200, &b);
        sl_free(j);
        return;
    }
    j->revoke = true;
    j->r = r;
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, job_run, job_done, j);
}
