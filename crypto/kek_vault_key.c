/*
 * Reading the key itself: GET of a version or of the latest, the latest
 * version's kid for rotation (keyVersion ""), and the configure-time check
 * a cluster update runs before it accepts keyVaultProperties.
 *
 * The check's failures use Azure Monitor's own messages for a cluster update
 * with a bad key (MicrosoftDocs customer-managed-keys.md, "Error messages"):
 *   "Failed to validate key in Key Vault. Could be due to lack of
 *    permissions or when key doesn't exist."
 *   "Key isn't recoverable. Key Vault must be set to Soft-delete and
 *    Purge-protection."
 * followed, in parentheses, by which rule failed, so the operator need not
 * guess. Azure Monitor documents no separate text for a disabled, expired or
 * wrap-less key; those get the first message with their own detail.
 *
 * A GET cannot show whether the identity may wrap and unwrap (Key Vault
 * permissions are per operation), so the check ends with a trial wrap and
 * unwrap of a random throwaway value: the same calls the node will make.
 */
#include "crypto/crypto_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MSG_VALIDATE                                                                           \
    "Failed to validate key in Key Vault. Could be due to lack of permissions or when key "   \
    "doesn't exist."
#define MSG_RECOVERABLE                                                                        \
    "Key isn't recoverable. Key Vault must be set to Soft-delete and Purge-protection."

int sl_crypto__kv_get_key(sl_kv_t *v, const char *version, sl_kv_key_info_t *info,
                          sl_diag_t *d)
{
    char path[300];
    snprintf(path, sizeof path, "/keys/%s/%s", v->name, version ? version : "");
    sl_crypto_http_resp_t resp;
    int rc = sl_crypto__kv_call(v, "get", "GET", path, NULL, 0, false, &resp, d);
    if (rc) {
        return rc;
    }
    rc = sl_crypto__key_bundle_parse(resp.body.data, resp.body.len, info);
    if (rc) {
        sl_diag_set(d, rc, "Key Vault get %s%s: the answer is not a KeyBundle", v->base, path);
    } else {
        /* The answer must describe the key we asked about, on this vault. */
        sl_kv_kid_t k;
        if (sl_crypto__kid_parse(info->kid, &k) || strcmp(k.base, v->base) ||
            strcasecmp(k.name, v->name) ||
            (version && *version && strcasecmp(k.version, version))) {
            rc = sl_diag_set(d, SL_EPARSE, "Key Vault get %s%s: the answer describes %.120s",
                             v->base, path, info->kid);
        }
    }
    sl_crypto__http_resp_dispose(&resp);
    return rc;
}

int sl_kek_vault_key_info(sl_kek_provider_t *p, const char *version, sl_kv_key_info_t *info,
                          sl_diag_t *d)
{
    sl_kv_t *v = sl_crypto__kv_of(p);
    if (!v) {
        return sl_diag_set(d, SL_EINVAL, "not a key vault provider");
    }
    char ver[64] = "";
    if (version && strchr(version, '/')) {
        sl_kv_kid_t k;
        if (sl_crypto__kid_parse(version, &k) || strcmp(k.base, v->base) ||
            strcasecmp(k.name, v->name)) {
            return sl_diag_set(d, SL_EINVAL, "'%.120s' is not a version of key '%s' in %s",
                               version, v->name, v->base);
        }
        snprintf(ver, sizeof ver, "%s", k.version);
    } else if (version && *version) {
        if (!sl_crypto__kv_version_ok(version)) {
            return sl_diag_set(d, SL_EINVAL, "'%.80s' is not a key version", version);
        }
        snprintf(ver, sizeof ver, "%s", version);
    }
    return sl_crypto__kv_get_key(v, ver, info, d);
}

int sl_kek_vault_latest_version(sl_kek_provider_t *p, char kid[256], sl_diag_t *d)
{
    sl_kv_key_info_t info;
    int rc = sl_kek_vault_key_info(p, "", &info, d);
    if (!rc) {
        snprintf(kid, 256, "%s", info.kid);
    }
    return rc;
}

static bool wrap_capable(const char *kty)
{
    return !strcmp(kty, "RSA") || !strcmp(kty, "RSA-HSM") || !strcmp(kty, "oct") ||
           !strcmp(kty, "oct-HSM");
}

static void iso(int64_t unix_s, char out[32])
{
    sl_time_format_iso8601(unix_s * SL_TICKS_PER_SEC, out);
}

/* Appends "name" for each missing operation. */
static void missing_ops(unsigned ops, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", ops & SL_KV_OP_WRAP ? "" : "wrapKey",
             !(ops & SL_KV_OP_WRAP) && !(ops & SL_KV_OP_UNWRAP) ? " and " : "",
             ops & SL_KV_OP_UNWRAP ? "" : "unwrapKey");
}

/* A vault refusal during the check becomes Azure Monitor's validation error. */
static int refused(int rc, sl_diag_t *d)
{
    if (rc == SL_EAUTH || rc == SL_EFORBIDDEN || rc == SL_ENOTFOUND || rc == SL_EINVAL ||
        rc == SL_EINTEGRITY) {
        char detail[sizeof d->msg];
        snprintf(detail, sizeof detail, "%s", d ? d->msg : "");
        return sl_diag_set(d, SL_EINVAL, MSG_VALIDATE " (%.214s)", detail);
    }
    return rc; /* transient: the vault could not be asked; try again */
}

int sl_kek_vault_check(sl_kek_provider_t *p, sl_kv_key_info_t *info_out, sl_diag_t *d)
{
    sl_kv_t *v = sl_crypto__kv_of(p);
    if (!v) {
        return sl_diag_set(d, SL_EINVAL, "not a key vault provider");
    }
    sl_diag_t local;
    if (!d) {
        d = &local;
    }
    sl_kv_key_info_t info;
    int rc = sl_crypto__kv_get_key(v, v->version, &info, d);
    if (rc) {
        return refused(rc, d);
    }
    if (info_out) {
        *info_out = info;
    }
    int64_t now = (int64_t)time(NULL);
    char when[32], ops[40];
    if (!info.enabled) {
        return sl_diag_set(d, SL_EINVAL, MSG_VALIDATE " (key '%s' version %s is disabled)",
                           v->name, info.version);
    }
    if (!wrap_capable(info.kty)) {
        return sl_diag_set(d, SL_EINVAL,
                           MSG_VALIDATE " (key '%s' is of type %s; use an RSA or oct key)",
                           v->name, info.kty);
    }
    unsigned need = SL_KV_OP_WRAP | SL_KV_OP_UNWRAP;
    if (info.key_ops_listed && (info.key_ops & need) != need) {
        missing_ops(info.key_ops, ops, sizeof ops);
        return sl_diag_set(d, SL_EINVAL,
                           MSG_VALIDATE " (key '%s' does not permit %s: add them to its "
                                        "key_ops)",
                           v->name, ops);
    }
    if (info.nbf && info.nbf > now) {
        iso(info.nbf, when);
        return sl_diag_set(d, SL_EINVAL, MSG_VALIDATE " (key '%s' is not valid before %s)",
                           v->name, when);
    }
    if (info.exp && info.exp <= now) {
        iso(info.exp, when);
        return sl_diag_set(d, SL_EINVAL, MSG_VALIDATE " (key '%s' expired at %s)", v->name,
                           when);
    }
    if (!strstr(info.recovery_level, "Recoverable") || strstr(info.recovery_level, "Purgeable")) {
        return sl_diag_set(d, SL_EINVAL, MSG_RECOVERABLE " (the vault reports recoveryLevel '%s')",
                           info.recovery_level[0] ? info.recovery_level : "none");
    }
    /* Permissions: a round trip of a throwaway value through the real calls. */
    uint8_t probe[SL_KEY_LEN], back[SL_KEY_LEN];
    sl_random_bytes(probe, sizeof probe);
    sl_buf_t wrapped = SL_BUF_INIT;
    char kid[256];
    rc = p->wrap(p->ctx, probe, &wrapped, kid, d);
    if (!rc) {
        rc = p->unwrap(p->ctx, (const uint8_t *)wrapped.data, wrapped.len, kid, back, d);
    }
    if (!rc && !sl_ct_equal(probe, back, SL_KEY_LEN)) {
        rc = sl_diag_set(d, SL_EINTEGRITY, "a trial unwrap returned another value");
    }
    sl_wipe(probe, sizeof probe);
    sl_wipe(back, sizeof back);
    sl_buf_dispose(&wrapped);
    return rc ? refused(rc, d) : 0;
}
