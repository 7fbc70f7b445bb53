/* JSON plumbing shared by the admin handlers. */
#include "node/admin_json.h"

#include <string.h>

json_t *sl_admin_body(sl_req_t *r, bool allow_empty)
{
    size_t n;
    const char *body = sl_req_body(r, &n);
    if (n == 0 && allow_empty)
        return json_object();
    json_error_t err;
    json_t *root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        sl_respond_error(r, 400, "InvalidJson", NULL, "request body is not valid JSON: %s (at %d:%d)",
                         err.text, err.line, err.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        sl_respond_error(r, 400, "InvalidJson", NULL, "request body must be a JSON object");
        return NULL;
    }
    return root;
}

bool sl_admin_known_keys(sl_req_t *r, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = !strcmp(*k, key);
        if (!ok) {
            sl_respond_error(r, 400, "InvalidProperty", NULL, "unknown property \"%s\"", key);
            return false;
        }
    }
    return true;
}

void sl_admin_ws_json(sl_jw_t *w, const sl_ws_rec_t *ws, const char *key1, const char *key2)
{
    char id[37], ts[32];
    sl_guid_format(&ws->id, id);
    sl_jw_obj_begin(w);
    sl_jw_key(w, "customerId");
    sl_jw_str(w, id);
    sl_jw_key(w, "name");
    sl_jw_str(w, ws->name);
    sl_jw_key(w, "retentionInDays");
    sl_jw_uint(w, ws->retention_days);
    sl_jw_key(w, "createdDate");
    sl_time_format_iso8601(ws->created, ts);
    sl_jw_str(w, ts);
    sl_jw_key(w, "provisioningState");
    sl_jw_str(w, ws->deleted ? "Deleted" : "Succeeded");
    if (ws->deleted) {
        sl_jw_key(w, "deletedDate");
        sl_time_format_iso8601(ws->deleted, ts);
        sl_jw_str(w, ts);
    }
    if (key1) {
        sl_jw_key(w, "primarySharedKey");
        sl_jw_str(w, key1);
        sl_jw_key(w, "secondarySharedKey");
        sl_jw_str(w, key2);
    }
    sl_jw_obj_end(w);
}
