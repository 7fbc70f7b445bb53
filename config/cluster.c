/*
 * The cluster resource: the node's counterpart of an Azure Monitor Logs
 * dedicated cluster — its managed identity, the customer's key
 * (keyVaultProperties) and whether data is encrypted twice.
 *
 * This file owns its JSON forms: the stored document (the catalog keeps
 * it as text), the ARM-shaped answer of `GET /admin/v1/cluster`, and the
 * checks on an update's shape that need no vault (a key is validated
 * against the vault by the caller). Field names follow ARM:
 *
 *   {"identity":{"type":"SystemAssigned"},
 *    "properties":{"keyVaultProperties":{"keyVaultUri":"https://kv/",
 *                  "keyName":"k","keyVersion":""},
 *                  "isDoubleEncryptionEnabled":true}}
 */
#include "config/config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *sl_identity_type_name(sl_identity_type_t t)
{
    switch (t) {
    case SL_IDENTITY_SYSTEM:
        return "SystemAssigned";
    case SL_IDENTITY_USER:
        return "UserAssigned";
    default:
        return "None";
    }
}

static int parse_identity_type(const char *s, sl_identity_type_t *out)
{
    if (!strcasecmp(s, "SystemAssigned"))
        *out = SL_IDENTITY_SYSTEM;
    else if (!strcasecmp(s, "UserAssigned"))
        *out = SL_IDENTITY_USER;
    else if (!strcasecmp(s, "None"))
        *out = SL_IDENTITY_NONE;
    else
        return SL_EINVAL;
    return 0;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

void sl_cluster_to_json(const sl_cluster_t *c, bool stored, sl_buf_t *out)
{
    json_t *root = json_object();
    json_t *id = json_object();
    json_object_set_new(id, "type", json_string(sl_identity_type_name(c->identity)));
    if (c->identity == SL_IDENTITY_USER && c->user_identity[0])
        json_object_set_new(id, "userAssignedIdentity", json_string(c->user_identity));
    json_object_set_new(root, "identity", id);
    json_t *props = json_object();
    if (c->kv_uri[0]) {
        json_t *kv = json_object();
        json_object_set_new(kv, "keyVaultUri", json_string(c->kv_uri));
        json_object_set_new(kv, "keyName", json_string(c->key_name));
        json_object_set_new(kv, "keyVersion", json_string(c->key_version));
        json_object_set_new(props, "keyVaultProperties", kv);
    }
    json_object_set_new(props, "isDoubleEncryptionEnabled", json_boolean(c->double_encryption));
    if (!stored) {
        json_object_set_new(props, "provisioningState", json_string("Succeeded"));
        char t[32];
        sl_time_format_iso8601(c->created, t);
        json_object_set_new(props, "createdDate", json_string(t));
        sl_time_format_iso8601(c->updated, t);
        json_object_set_new(props, "lastModifiedDate", json_string(t));
    } else {
        json_object_set_new(root, "created", json_integer(c->created));
        json_object_set_new(root, "updated", json_integer(c->updated));
    }
    json_object_set_new(root, "properties", props);
    if (!stored)
        json_object_set_new(root, "name", json_string("sealog"));
    char *s = json_dumps(root, JSON_COMPACT);
    sl_buf_puts(out, s);
    free(s);
    json_decref(root);
}

/* Reads keyVaultProperties into c. */
static int read_kv(json_t *kv, sl_cluster_t *c, sl_diag_t *d)
{
    static const char *const known[] = { "keyVaultUri", "keyName", "keyVersion", "keyRsaSize",
                                         NULL };
    const char *k;
    json_t *v;
    json_object_foreach(kv, k, v)
    {
        bool ok = false;
        for (const char *const *p = known; *p; p++)
            ok |= !strcmp(*p, k);
        if (!ok)
            return sl_diag_set(d, SL_EINVAL, "unknown property keyVaultProperties.%s", k);
        if (strcmp(k, "keyRsaSize") && !json_is_string(v))
            return sl_diag_set(d, SL_EINVAL, "keyVaultProperties.%s must be a string", k);
    }
    const char *uri = json_string_value(json_object_get(kv, "keyVaultUri"));
    const char *name = json_string_value(json_object_get(kv, "keyName"));
    const char *ver = json_string_value(json_object_get(kv, "keyVersion"));
    if (!uri || !*uri || !name || !*name)
        return sl_diag_set(d, SL_EINVAL,
                           "keyVaultProperties needs keyVaultUri and keyName (keyVersion may be "
                           "empty to follow the latest version)");
    if (strncasecmp(uri, "https://", 8) && strncasecmp(uri, "http://", 7))
        return sl_diag_set(d, SL_EINVAL, "keyVaultUri must be an https:// URL, got '%.100s'",
                           uri);
    if (strlen(uri) >= sizeof c->kv_uri || strlen(name) >= sizeof c->key_name ||
        (ver && strlen(ver) >= sizeof c->key_version))
        return sl_diag_set(d, SL_EINVAL, "keyVaultProperties value too long");
    copy(c->kv_uri, sizeof c->kv_uri, uri);
    copy(c->key_name, sizeof c->key_name, name);
    copy(c->key_version, sizeof c->key_version, ver);
    return 0;
}

int sl_cluster_from_json(const char *text, size_t n, sl_cluster_t *c, sl_diag_t *d)
{
    memset(c, 0, sizeof *c);
    json_error_t err;
    json_t *root = json_loadb(text, n, 0, &err);
    if (!root)
        return sl_diag_set(d, SL_EPARSE, "stored cluster resource is not JSON: %s", err.text);
    int rc = 0;
    const char *it = json_string_value(json_object_get(json_object_get(root, "identity"), "type"));
    if (it)
        parse_identity_type(it, &c->identity);
    /* Only a user-assigned identity names one (to_json writes it only then). */
    if (c->identity == SL_IDENTITY_USER)
        copy(c->user_identity, sizeof c->user_identity,
             json_string_value(
                 json_object_get(json_object_get(root, "identity"), "userAssignedIdentity")));
    json_t *props = json_object_get(root, "properties");
    json_t *kv = json_object_get(props, "keyVaultProperties");
    if (kv)
        rc = read_kv(kv, c, d);
    c->double_encryption = json_is_true(json_object_get(props, "isDoubleEncryptionEnabled"));
    c->created = json_integer_value(json_object_get(root, "created"));
    c->updated = json_integer_value(json_object_get(root, "updated"));
    json_decref(root);
    return rc;
}

int sl_cluster_apply_update(const sl_cluster_t *cur, const char *text, size_t n,
                            sl_cluster_t *out, sl_cluster_change_t *what, sl_diag_t *d)
{
    *out = *cur;
    memset(what, 0, sizeof *what);
    json_error_t err;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return sl_diag_set(d, SL_EPARSE, "the body is not a JSON object");
    }
    int rc = 0;
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        if (strcmp(k, "identity") && strcmp(k, "properties") && strcmp(k, "name") &&
            strcmp(k, "location") && strcmp(k, "sku") && strcmp(k, "tags")) {
            rc = sl_diag_set(d, SL_EINVAL, "unknown property '%s'", k);
            goto done;
        }
    }
    json_t *id = json_object_get(root, "identity");
    if (id) {
        const char *t = json_string_value(json_object_get(id, "type"));
        sl_identity_type_t ty;
        if (!t || parse_identity_type(t, &ty)) {
            rc = sl_diag_set(d, SL_EINVAL,
                             "identity.type must be SystemAssigned, UserAssigned or None");
            goto done;
        }
        const char *ua = NULL;
        json_t *uas = json_object_get(id, "userAssignedIdentities");
        if (json_is_object(uas) && json_object_size(uas) == 1)
            ua = json_object_iter_key(json_object_iter(uas));
        if (!ua)
            ua = json_string_value(json_object_get(id, "userAssignedIdentity"));
        if (ty == SL_IDENTITY_USER && (!ua || !*ua)) {
            rc = sl_diag_set(d, SL_EINVAL,
                             "identity type UserAssigned needs userAssignedIdentities with one "
                             "identity");
            goto done;
        }
        /* Cutting a resource id to fit would name another identity. */
        if (ty == SL_IDENTITY_USER && strlen(ua) >= sizeof out->user_identity) {
            rc = sl_diag_set(d, SL_EINVAL, "the user-assigned identity is too long (at most %zu "
                             "bytes)", sizeof out->user_identity - 1);
            goto done;
        }
        what->identity = ty != cur->identity || (ua && strcmp(ua, cur->user_identity));
        out->identity = ty;
        copy(out->user_identity, sizeof out->user_identity, ty == SL_IDENTITY_USER ? ua : "");
    }
    json_t *props = json_object_get(root, "properties");
    if (props && !json_is_object(props)) {
        rc = sl_diag_set(d, SL_EINVAL, "properties must be an object");
        goto done;
    }
    json_object_foreach(props, k, v)
    {
        if (!strcmp(k, "keyVaultProperties")) {
            if (!json_is_object(v)) {
                rc = sl_diag_set(d, SL_EINVAL, "keyVaultProperties must be an object");
                goto done;
            }
            if ((rc = read_kv(v, out, d)))
                goto done;
            what->key = strcmp(out->kv_uri, cur->kv_uri) || strcmp(out->key_name, cur->key_name) ||
                        strcmp(out->key_version, cur->key_version);
        } else if (!strcmp(k, "isDoubleEncryptionEnabled")) {
            if (!json_is_boolean(v) || json_is_true(v) != cur->double_encryption) {
                rc = sl_diag_set(d, SL_EINVAL,
                                 "isDoubleEncryptionEnabled is set when the cluster is created "
                                 "and cannot change");
                goto done;
            }
        } else if (strcmp(k, "billingType") && strcmp(k, "provisioningState")) {
            rc = sl_diag_set(d, SL_EINVAL, "unknown property properties.%s", k);
            goto done;
        }
    }
    if (what->identity && what->key) {
        rc = sl_diag_set(d, SL_EINVAL,
                         "Identity and key vault properties cannot be updated in the same "
                         "operation: update the identity first, then the key");
        goto done;
    }
    if (out->kv_uri[0] && out->identity == SL_IDENTITY_NONE && what->key) {
        rc = sl_diag_set(d, SL_EINVAL,
                         "A customer-managed key needs a managed identity: set identity.type to "
                         "SystemAssigned or UserAssigned first");
        goto done;
    }
done:
    json_decref(root);
    return rc;
}
