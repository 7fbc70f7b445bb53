/*
 * Admin API for customer-managed keys: the cluster resource, workspace
 * link/unlink, and the audit log.
 *
 *   GET   /admin/v1/cluster                      the cluster and its key state
 *   PATCH /admin/v1/cluster (or PUT)             identity or keyVaultProperties
 *   POST  /admin/v1/workspaces/{ws}/link         new data of ws goes to the CMK scope
 *   POST  /admin/v1/workspaces/{ws}/unlink       new data goes to the MMK scope again
 *   GET   /admin/v1/audit[?from=N&limit=M]       audit records
 *   GET   /admin/v1/audit/verify                 checks the hash chain
 *
 * A key update is validated against the vault (exists, enabled, can wrap
 * and unwrap, recoverable) before anything changes; the account key is
 * then wrapped under it (a new one the first time; the same one, re-wrapped,
 * when the key changes), stored, and the key monitor restarted on it.
 */
#include "node/admin_json.h"

#include <stdio.h>
#include <string.h>

static void respond_cluster(sl_req_t *r, int status)
{
    sl_cluster_t c;
    sl_node__cmk_cluster(r->node, &c);
    sl_buf_t js = SL_BUF_INIT;
    sl_cluster_to_json(&c, false, &js);
    /* The ARM object, plus the live key state under properties. */
    json_t *root = json_loadb(js.data, js.len, 0, NULL);
    sl_buf_dispose(&js);
    sl_buf_t ks = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &ks);
    sl_node__cmk_json(r->node, &w);
    json_object_set_new(json_object_get(root, "properties"), "keyState",
                        json_loadb(ks.data, ks.len, 0, NULL));
    sl_buf_dispose(&ks);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    sl_buf_t out = SL_BUF_INIT;
    sl_buf_puts(&out, s);
    free(s);
    sl_respond_json(r, status, &out);
}

void sl_h_cluster_show(sl_req_t *r)
{
    respond_cluster(r, 200);
}

/* ---- Update ---------------------------------------------------------------- */

typedef struct upd_job {
    sl_req_t *r;
    sl_cluster_t cur, next;
    sl_cluster_change_t what;
    sl_kek_provider_t *kek;
    sl_token_source_t *tokens;
    int rc, status;
    const char *code;
    sl_diag_t d;
    char kid[256];
    bool new_aek;
} upd_job_t;

static void upd_fail(upd_job_t *j, int status, const char *code, int rc)
{
    j->status = status;
    j->code = code;
    j->rc = rc ? rc : SL_EINVAL;
}

/* Wraps the CMK account key under the new key and stores it. */
static void rewrap(upd_job_t *j)
{
    sl_node_t *n = j->r->node;
    sl_aek_rec_t *list;
    size_t cnt;
    if ((j->rc = sl_catalog_aek_list(n->catalog, &list, &cnt, &j->d)))
        return upd_fail(j, 500, "InternalError", j->rc);
    sl_aek_rec_t *old = NULL;
    for (size_t i = 0; i < cnt; i++)
        if (list[i].scope == SL_SCOPE_CMK && list[i].active)
            old = &list[i];
    uint8_t aek[SL_KEY_LEN];
    sl_aek_rec_t rec = { 0 };
    if (old) {
        /* The same account key, re-wrapped: stored data stays readable. */
        sl_kek_provider_t *cur;
        sl_token_source_t *ct;
        int rc = sl_node__cmk_provider(n, &j->cur, &ct, &cur, &j->d);
        if (!rc) {
            rc = cur->unwrap(cur->ctx, (const uint8_t *)old->wrapped.data, old->wrapped.len,
                             old->kek_version, aek, &j->d);
            sl_kek_provider_destroy(cur);
            sl_token_source_destroy(ct);
        }
        if (rc) {
            sl_aek_list_free(list, cnt);
            sl_diag_prefix(&j->d, "the current key cannot unwrap the account key, so it cannot "
                                  "be moved to the new key");
            return upd_fail(j, 409, "KeyUnavailable", rc);
        }
        rec = *old;
        memset(&rec.wrapped, 0, sizeof rec.wrapped);
    } else {
        sl_random_bytes(aek, sizeof aek);
        rec.scope = SL_SCOPE_CMK;
        sl_random_bytes(&rec.aek_id, sizeof rec.aek_id);
        rec.created = sl_time_now();
        rec.active = true;
        j->new_aek = true;
    }
    snprintf(rec.provider, sizeof rec.provider, "vault");
    rec.kek_version_no++;
    int rc = j->kek->wrap(j->kek->ctx, aek, &rec.wrapped, rec.kek_version, &j->d);
    if (!rc)
        rc = sl_catalog_aek_put(n->catalog, &rec, &j->d);
    if (!rc)
        sl_keyring_put(n->keyring, SL_SCOPE_CMK, rec.aek_id, rec.kek_version_no, aek);
    sl_wipe(aek, sizeof aek);
    snprintf(j->kid, sizeof j->kid, "%s", rec.kek_version);
    sl_buf_dispose(&rec.wrapped);
    sl_aek_list_free(list, cnt);
    if (rc)
        upd_fail(j, 502, "KeyVaultError", rc);
}

static void upd_run(void *arg)
{
    upd_job_t *j = arg;
    sl_node_t *n = j->r->node;
    if (j->what.key || (j->what.identity && j->next.kv_uri[0] &&
                        j->next.identity != SL_IDENTITY_NONE)) {
        int rc = sl_node__cmk_provider(n, &j->next, &j->tokens, &j->kek, &j->d);
        if (rc)
            return upd_fail(j, 400, "InvalidKeyVaultProperties", rc);
        sl_kv_key_info_t info;
        rc = sl_kek_vault_check(j->kek, &info, &j->d);
        if (rc == SL_EINVAL)
            return upd_fail(j, 400, "InvalidKeyVaultProperties", rc);
        if (rc)
            return upd_fail(j, 400, "KeyVaultUnreachable", rc);
        if (j->what.key)
            rewrap(j);
        if (j->rc)
            return;
    }
    sl_buf_t b = SL_BUF_INIT;
    j->next.updated = sl_time_now();
    sl_cluster_to_json(&j->next, true, &b);
    j->rc = sl_catalog_meta_put(n->catalog, "cluster", b.data, b.len, &j->d);
    sl_buf_dispose(&b);
    if (j->rc)
        upd_fail(j, 500, "InternalError", j->rc);
}

static void upd_done(void *arg)
{
    upd_job_t *j = arg;
    sl_req_t *r = j->r;
    sl_node_t *n = r->node;
    if (!j->rc) {
        sl_node__cmk_set_cluster(n, &j->next);
        sl_diag_t d;
        if (j->kek) {
            if (sl_node__cmk_watch(n, j->kek, j->tokens, &d))
                sl_log(n->log, SL_LOG_ERROR, "cmk", "cannot start the key monitor: %s", d.msg);
            j->kek = NULL;
            j->tokens = NULL;
        } else if (j->what.identity && j->next.identity == SL_IDENTITY_NONE) {
            sl_node__cmk_revoke(n, "the cluster's identity was removed (identity type None)");
        }
        char js[1400];
        snprintf(js, sizeof js,
                 "{\"identity\":\"%s\",\"keyVaultUri\":\"%s\",\"keyName\":\"%s\","
                 "\"keyVersion\":\"%s\",\"kid\":\"%s\",\"newAccountKey\":%s}",
                 sl_identity_type_name(j->next.identity), j->next.kv_uri, j->next.key_name,
                 j->next.key_version, j->kid, j->new_aek ? "true" : "false");
        sl_node__audit(n, "cluster.update", js);
        if (j->what.key) {
            snprintf(js, sizeof js, "{\"kid\":\"%s\",\"newAccountKey\":%s}", j->kid,
                     j->new_aek ? "true" : "false");
            sl_node__audit(n, "key.wrap", js);
        }
        sl_logr(n->log, SL_LOG_INFO, "admin", r->id, "cluster updated (key %s)",
                j->kid[0] ? j->kid : "unchanged");
    }
    if (sl_req_resume(r)) {
        if (j->rc)
            sl_respond_error(r, j->status, j->code, NULL, "%s", j->d.msg);
        else
            respond_cluster(r, 200);
    }
    sl_kek_provider_destroy(j->kek);
    sl_token_source_destroy(j->tokens);
    sl_free(j);
}

void sl_h_cluster_update(sl_req_t *r)
{
    size_t n;
    const char *body = sl_req_body(r, &n);
    upd_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    sl_node__cmk_cluster(r->node, &j->cur);
    int rc = sl_cluster_apply_update(&j->cur, body, n, &j->next, &j->what, &j->d);
    if (rc) {
        sl_respond_error(r, 400, rc == SL_EPARSE ? "InvalidJson" : "BadRequest", NULL, "%s",
                         j->d.msg);
        sl_free(j);
        return;
    }
    if (!j->what.key && !j->what.identity) {
        sl_free(j);
        respond_cluster(r, 200);
        return;
    }
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, upd_run, upd_done, j);
}

/* ---- Link / unlink --------------------------------------------------------------- */

typedef struct link_job {
    sl_req_t *r;
    sl_ws_rec_t ws;
    bool link;
    int rc;
    sl_diag_t d;
} link_job_t;

static void link_run(void *arg)
{
    link_job_t *j = arg;
    j->rc = sl_catalog_ws_update(j->r->node->catalog, &j->ws, &j->d);
}

static void link_done(void *arg)
{
    link_job_t *j = arg;
    sl_req_t *r = j->r;
    sl_node_t *n = r->node;
    if (!j->rc) {
        sl_node__cmk_set_linked(n, &j->ws.id, j->link);
        char id[37], js[200];
        sl_guid_format(&j->ws.id, id);
        snprintf(js, sizeof js, "{\"workspace\":\"%s\",\"name\":\"%s\"}", id, j->ws.name);
        sl_node__audit(n, j->link ? "workspace.link" : "workspace.unlink", js);
    }
    if (sl_req_resume(r)) {
        if (j->rc) {
            sl_respond_error(r, 500, "InternalError", NULL, "%s", j->d.msg);
        } else {
            sl_buf_t b = SL_BUF_INIT;
            sl_jw_t w;
            sl_jw_init(&w, &b);
            sl_admin_ws_json(&w, &j->ws, NULL, NULL);
            sl_respond_json(r, 200, &b);
        }
    }
    sl_ws_rec_dispose(&j->ws);
    sl_free(j);
}

static void link_start(sl_req_t *r, bool link)
{
    link_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    j->link = link;
    if (sl_node__ws_find(r->node, r->params[0], &j->ws, &j->d) || j->ws.deleted) {
        sl_respond_error(r, 404, "ResourceNotFound", NULL, "workspace '%s' not found",
                         r->params[0]);
        sl_ws_rec_dispose(&j->ws);
        sl_free(j);
        return;
    }
    if (link) {
        if (!j->ws.linked)
            j->ws.linked = sl_time_now();
    } else if (j->ws.linked) {
        j->ws.linked = 0;
        j->ws.unlinked = sl_time_now();
    }
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, link_run, link_done, j);
}

void sl_h_ws_link(sl_req_t *r)
{
    link_start(r, true);
}

void sl_h_ws_unlink(sl_req_t *r)
{
    link_start(r, false);
}

/* ---- Audit log --------------------------------------------------------------------- */

void sl_h_audit_list(sl_req_t *r)
{
    const char *from = sl_target_param(&r->target, "from");
    const char *lim = sl_target_param(&r->target, "limit");
    uint64_t f = from ? strtoull(from, NULL, 10) : 1;
    size_t limit = lim ? (size_t)strtoull(lim, NULL, 10) : 1000;
    if (limit == 0 || limit > 10000)
        limit = 10000;
    sl_audit_rec_t *list;
    size_t n;
    sl_diag_t d;
    if (sl_catalog_audit_list(r->node->catalog, f ? f : 1, limit, &list, &n, &d)) {
        sl_respond_error(r, 500, "InternalError", NULL, "%s", d.msg);
        return;
    }
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "value");
    sl_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
        char t[32], h[65];
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "seq");
        sl_jw_uint(&w, list[i].seq);
        sl_jw_key(&w, "time");
        sl_time_format_iso8601(list[i].time, t);
        sl_jw_str(&w, t);
        sl_jw_key(&w, "kind");
        sl_jw_str(&w, list[i].kind);
        sl_jw_key(&w, "details");
        if (list[i].details.len)
            sl_jw_raw(&w, list[i].details.data, list[i].details.len);
        else
            sl_jw_raw(&w, "{}", 2);
        sl_jw_key(&w, "hash");
        sl_hex_encode(list[i].hash, 32, h);
        sl_jw_str(&w, h);
        sl_jw_obj_end(&w);
    }
    sl_jw_arr_end(&w);
    sl_jw_obj_end(&w);
    sl_audit_list_free(list, n);
    sl_respond_json(r, 200, &b);
}

void sl_h_audit_verify(sl_req_t *r)
{
    uint64_t n, bad;
    sl_diag_t d;
    int rc = sl_catalog_audit_verify(r->node->catalog, &n, &bad, &d);
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "valid");
    sl_jw_bool(&w, rc == 0);
    sl_jw_key(&w, "records");
    sl_jw_uint(&w, n);
    if (rc) {
        sl_jw_key(&w, "firstBadRecord");
        sl_jw_uint(&w, bad);
        sl_jw_key(&w, "message");
        sl_jw_str(&w, d.msg);
    }
    sl_jw_obj_end(&w);
    sl_respond_json(r, 200, &b);
}
