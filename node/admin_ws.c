/*
 * Admin API for workspaces: create, list, show, delete (soft), shared keys.
 *
 * Shared keys are 64 random bytes, handed out base64-encoded (as Azure
 * does) and stored sealed under a sub-key of the service key with the
 * workspace id and key slot as associated data, so a sealed key copied to
 * another workspace record does not open.
 */
#include "node/admin_json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SHARED_KEY_BYTES 64
#define RETENTION_MIN 4
#define RETENTION_MAX 730
#define RETENTION_DEFAULT 30

static void key_aad(const sl_ws_rec_t *w, int slot, uint8_t aad[17])
{
    memcpy(aad, w->id.b, 16);
    aad[16] = (uint8_t)slot;
}

static void new_key(sl_node_t *n, sl_ws_rec_t *w, int slot)
{
    uint8_t raw[SHARED_KEY_BYTES], aad[17];
    sl_random_bytes(raw, sizeof raw);
    key_aad(w, slot, aad);
    sl_buf_reset(&w->sealed_key[slot]);
    sl_seal(n->secrets_key, aad, sizeof aad, raw, sizeof raw, &w->sealed_key[slot]);
    sl_wipe(raw, sizeof raw);
}

int sl_node__ws_keys(sl_node_t *n, const sl_ws_rec_t *w, char key1[96], char key2[96])
{
    char *out[2] = { key1, key2 };
    for (int slot = 0; slot < 2; slot++) {
        uint8_t aad[17];
        key_aad(w, slot, aad);
        sl_buf_t raw = SL_BUF_INIT;
        int rc = sl_unseal(n->secrets_key, aad, sizeof aad, w->sealed_key[slot].data,
                           w->sealed_key[slot].len, &raw);
        if (rc) {
            sl_buf_wipe(&raw);
            return rc;
        }
        size_t len = sl_base64_encode(raw.data, raw.len, out[slot]);
        out[slot][len] = '\0';
        sl_buf_wipe(&raw);
    }
    return 0;
}

int sl_node__ws_find(sl_node_t *n, const char *id_or_name, sl_ws_rec_t *out, sl_diag_t *d)
{
    sl_guid_t g;
    if (sl_guid_parse(id_or_name, strlen(id_or_name), &g) == 0)
        return sl_catalog_ws_get(n->catalog, &g, out, d);
    return sl_catalog_ws_by_name(n->catalog, id_or_name, out, d);
}

/* Azure's rule: 4-63 characters, letters, digits and hyphens, starting and
 * ending with a letter or digit. */
static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > SL_WS_NAME_MAX || !isalnum((unsigned char)s[0]) ||
        !isalnum((unsigned char)s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

typedef struct ws_job {
    sl_req_t *r;
    sl_ws_rec_t rec;
    bool create;
    int status; /* on success */
    bool with_keys;
    int rc;
    sl_diag_t d;
} ws_job_t;

static void job_write(void *arg)
{
    ws_job_t *j = arg;
    j->rc = j->create ? sl_catalog_ws_create(j->r->node->catalog, &j->rec, &j->d)
                      : sl_catalog_ws_update(j->r->node->catalog, &j->rec, &j->d);
}

static void respond_ws(sl_req_t *r, int status, const sl_ws_rec_t *ws, bool with_keys)
{
    char k1[96], k2[96];
    if (with_keys && sl_node__ws_keys(r->node, ws, k1, k2)) {
        sl_respond_error(r, 500, "KeyUnavailable", NULL,
                         "the workspace's shared keys cannot be decrypted");
        return;
    }
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_admin_ws_json(&w, ws, with_keys ? k1 : NULL, k2);
    sl_wipe(k1, sizeof k1);
    sl_wipe(k2, sizeof k2);
    sl_respond_json(r, status, &b);
}

static void job_done(void *arg)
{
    ws_job_t *j = arg;
    sl_req_t *r = j->r;
    if (sl_req_resume(r)) {
        if (j->rc == SL_EEXIST)
            sl_respond_error(r, 409, "Conflict", NULL, "%s", j->d.msg);
        else if (j->rc == SL_ENOTFOUND)
            sl_respond_error(r, 404, "ResourceNotFound", NULL, "workspace not found");
        else if (j->rc)
            sl_respond_error(r, 500, "InternalError", NULL, "catalog write failed: %s", j->d.msg);
        else
            respond_ws(r, j->status, &j->rec, j->with_keys);
        if (!j->rc) {
            char id[37];
            sl_guid_format(&j->rec.id, id);
            sl_logr(r->node->log, SL_LOG_INFO, "admin", r->id, "workspace %s (%s) %s", j->rec.name,
                    id, j->create ? "created" : "updated");
        }
    }
    sl_ws_rec_dispose(&j->rec);
    sl_free(j);
}

static void start_write(sl_req_t *r, ws_job_t *j)
{
    j->r = r;
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, job_write, job_done, j);
}

void sl_h_ws_create(sl_req_t *r)
{
    static const char *const known[] = { "name", "retentionInDays", NULL };
    json_t *body = sl_admin_body(r, false);
    if (!body || !sl_admin_known_keys(r, body, known))
        goto done;
    json_t *name = json_object_get(body, "name"), *ret = json_object_get(body, "retentionInDays");
    if (!json_is_string(name) || !valid_name(json_string_value(name))) {
        sl_respond_error(r, 400, "InvalidWorkspaceName", NULL,
                         "name must be 4-63 letters, digits or hyphens, starting and ending with "
                         "a letter or digit");
        goto done;
    }
    json_int_t days = RETENTION_DEFAULT;
    if (ret) {
        if (!json_is_integer(ret) || json_integer_value(ret) < RETENTION_MIN ||
            json_integer_value(ret) > RETENTION_MAX) {
            sl_respond_error(r, 400, "InvalidRetention", NULL,
                             "retentionInDays must be an integer from %d to %d", RETENTION_MIN,
                             RETENTION_MAX);
            goto done;
        }
        days = json_integer_value(ret);
    }
    ws_job_t *j = sl_xcalloc(1, sizeof *j);
    sl_guid_random(&j->rec.id);
    snprintf(j->rec.name, sizeof j->rec.name, "%s", json_string_value(name));
    j->rec.retention_days = (uint32_t)days;
    j->rec.created = sl_time_now();
    new_key(r->node, &j->rec, 0);
    new_key(r->node, &j->rec, 1);
    j->create = true;
    j->status = 201;
    j->with_keys = true;
    start_write(r, j);
done:
    json_decref(body);
}

void sl_h_ws_list(sl_req_t *r)
{
    sl_ws_rec_t *list;
    size_t n;
    sl_diag_t d;
    if (sl_catalog_ws_list(r->node->catalog, &list, &n, &d)) {
        sl_respond_error(r, 500, "InternalError", NULL, "%s", d.msg);
        return;
    }
    const char *all = sl_target_param(&r->target, "includeDeleted");
    bool include_deleted = all && (!strcmp(all, "true") || !strcmp(all, "1"));
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "value");
    sl_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        if (include_deleted || !list[i].deleted)
            sl_admin_ws_json(&w, &list[i], NULL, NULL);
    sl_jw_arr_end(&w);
    sl_jw_obj_end(&w);
    sl_ws_list_free(list, n);
    sl_respond_json(r, 200, &b);
}

/* Loads the workspace named by the first path parameter, or responds 404. */
static bool load(sl_req_t *r, sl_ws_rec_t *ws)
{
    sl_diag_t d;
    int rc = sl_node__ws_find(r->node, r->params[0], ws, &d);
    if (rc == SL_ENOTFOUND) {
        sl_respond_error(r, 404, "ResourceNotFound", NULL, "workspace \"%s\" not found",
                         r->params[0]);
        return false;
    }
    if (rc) {
        sl_respond_error(r, 500, "InternalError", NULL, "%s", d.msg);
        return false;
    }
    return true;
}

void sl_h_ws_show(sl_req_t *r)
{
    sl_ws_rec_t ws;
    if (!load(r, &ws))
        return;
    respond_ws(r, 200, &ws, false);
    sl_ws_rec_dispose(&ws);
}

void sl_h_ws_keys(sl_req_t *r)
{
    sl_ws_rec_t ws;
    if (!load(r, &ws))
        return;
    char k1[96], k2[96];
    if (sl_node__ws_keys(r->node, &ws, k1, k2)) {
        sl_respond_error(r, 500, "KeyUnavailable", NULL,
                         "the workspace's shared keys cannot be decrypted");
    } else {
        sl_buf_t b = SL_BUF_INIT;
        sl_jw_t w;
        sl_jw_init(&w, &b);
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "primarySharedKey");
        sl_jw_str(&w, k1);
        sl_jw_key(&w, "secondarySharedKey");
        sl_jw_str(&w, k2);
        sl_jw_obj_end(&w);
        sl_respond_json(r, 200, &b);
    }
    sl_wipe(k1, sizeof k1);
    sl_wipe(k2, sizeof k2);
    sl_ws_rec_dispose(&ws);
}

void sl_h_ws_delete(sl_req_t *r)
{
    ws_job_t *j = sl_xcalloc(1, sizeof *j);
    if (!load(r, &j->rec)) {
        sl_free(j);
        return;
    }
    if (j->rec.deleted) {
        respond_ws(r, 200, &j->rec, false);
        sl_ws_rec_dispose(&j->rec);
        sl_free(j);
        return;
    }
    j->rec.deleted = sl_time_now();
    j->status = 200;
    start_write(r, j);
}

void sl_h_ws_regenerate(sl_req_t *r)
{
    static const char *const known[] = { "keyName", NULL };
    json_t *body = sl_admin_body(r, false);
    if (!body || !sl_admin_known_keys(r, body, known))
        goto done;
    const char *which = json_string_value(json_object_get(body, "keyName"));
    int slot = which && !strcasecmp(which, "primary")     ? 0
               : which && !strcasecmp(which, "secondary") ? 1
                                                         : -1;
    if (slot < 0) {
        sl_respond_error(r, 400, "InvalidKeyName", NULL,
                         "keyName must be \"primary\" or \"secondary\"");
        goto done;
    }
    ws_job_t *j = sl_xcalloc(1, sizeof *j);
    if (!load(r, &j->rec)) {
        sl_free(j);
        goto done;
    }
    if (j->rec.deleted) {
        sl_respond_error(r, 409, "WorkspaceDeleted", NULL, "workspace \"%s\" is deleted",
                         j->rec.name);
        sl_ws_rec_dispose(&j->rec);
        sl_free(j);
        goto done;
    }
    new_key(r->node, &j->rec, slot);
    j->status = 200;
    j->with_keys = true;
    start_write(r, j);
done:
    json_decref(body);
}
