/*
 * What token endpoints and key vaults say, read defensively: every byte
 * here comes from a peer. Token answers are read with the allocation-free
 * scanner (kv_json.c) because they carry a secret; Key Vault's KeyBundle and
 * error documents carry none and are read with jansson.
 *
 * The challenge parser follows the Azure SDKs (PROTOCOLS.md §4.5): a
 * WWW-Authenticate value "Bearer k="v", k2="v2"" with double-quoted values
 * separated by commas and/or spaces; the keys it knows are authorization
 * (alias authorization_uri), resource, scope, tenantId, error and claims.
 * The scope to ask a token for is resource + "/.default" when a resource is
 * given, else scope; the tenant is the authorization URL's first path
 * segment. Unknown parameters are ignored, as the SDKs do.
 */
#include "crypto/crypto_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* Token answers                                                            */
/* ------------------------------------------------------------------------ */

bool sl_crypto__token_chars_ok(const char *s, size_t n)
{
    /* RFC 6750: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
    size_t i = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/')) {
            break;
        }
    }
    if (i == 0) {
        return false;
    }
    for (; i < n; i++) {
        if (s[i] != '=') {
            return false;
        }
    }
    return true;
}

int sl_crypto__token_parse(const char *json, size_t n, int64_t now_s, sl_secbuf_t *tok,
                           int64_t *lifetime_s)
{
    sl_kvj_val_t v;
    sl_crypto__secbuf_reset(tok);
    *lifetime_s = 0;
    if (sl_crypto__json_member(json, n, "access_token", &v) != 1 || v.type != SL_KVJ_STRING ||
        v.escaped || !sl_crypto__token_chars_ok(v.p, v.n)) {
        return SL_EPARSE;
    }
    if (sl_crypto__secbuf_append(tok, v.p, v.n)) {
        return SL_EPARSE;
    }
    sl_kvj_val_t t;
    if (sl_crypto__json_member(json, n, "token_type", &t) == 1) {
        char type[32];
        if (sl_crypto__json_str(&t, type, sizeof type, NULL) || strcasecmp(type, "Bearer")) {
            sl_crypto__secbuf_reset(tok);
            return SL_EPARSE;
        }
    }
    int64_t x;
    sl_kvj_val_t e;
    if (sl_crypto__json_member(json, n, "expires_in", &e) == 1 && !sl_crypto__json_int(&e, &x)) {
        *lifetime_s = x > 0 ? x : 0;
    } else if (sl_crypto__json_member(json, n, "expires_on", &e) == 1 &&
               !sl_crypto__json_int(&e, &x)) {
        *lifetime_s = x > now_s ? x - now_s : 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Challenges                                                               */
/* ------------------------------------------------------------------------ */

static bool is_sp(char c)
{
    return c == ' ' || c == '\t';
}

/* Copies a parameter value (quoted with \-escapes, or a bare token) into
 * out; leaves *pp after it. Over-long values are cut, never overflowed. */
static void take_value(const char **pp, const char *end, char *out, size_t size)
{
    const char *p = *pp;
    size_t o = 0;
    if (p < end && *p == '"') {
        p++;
        while (p < end && *p != '"') {
            if (*p == '\\' && p + 1 < end) {
                p++;
            }
            if (o + 1 < size) {
                out[o++] = *p;
            }
            p++;
        }
        if (p < end) {
            p++; /* the closing quote */
        }
    } else {
        while (p < end && *p != ',' && !is_sp(*p)) {
            if (o + 1 < size) {
                out[o++] = *p;
            }
            p++;
        }
    }
    out[o] = '\0';
    *pp = p;
}

/* Parses one challenge line; 0 if it is a Bearer challenge. */
static int parse_line(const char *p, const char *end, sl_kv_challenge_t *c)
{
    memset(c, 0, sizeof *c);
    while (p < end && is_sp(*p)) {
        p++;
    }
    if (end - p < 6 || strncasecmp(p, "Bearer", 6) != 0 || (end - p > 6 && !is_sp(p[6]))) {
        return SL_EPARSE;
    }
    p += 6;
    while (p < end) {
        while (p < end && (is_sp(*p) || *p == ',')) {
            p++;
        }
        const char *k = p;
        while (p < end && *p != '=' && *p != ',' && !is_sp(*p)) {
            p++;
        }
        size_t kn = (size_t)(p - k);
        if (p >= end || *p != '=') {
            /* a bare word (token68) or a key without a value: skip it */
            continue;
        }
        p++;
        char scratch[512];
        char *dst = scratch;
        size_t dn = sizeof scratch;
        if (sl_strn_ieq(k, kn, "authorization", 13) ||
            sl_strn_ieq(k, kn, "authorization_uri", 17)) {
            dst = c->authorization, dn = sizeof c->authorization;
        } else if (sl_strn_ieq(k, kn, "resource", 8)) {
            dst = c->resource, dn = sizeof c->resource;
        } else if (sl_strn_ieq(k, kn, "scope", 5)) {
            dst = c->scope, dn = sizeof c->scope;
        } else if (sl_strn_ieq(k, kn, "tenantId", 8)) {
            dst = c->tenant, dn = sizeof c->tenant;
        } else if (sl_strn_ieq(k, kn, "error", 5)) {
            dst = c->error, dn = sizeof c->error;
        } else if (sl_strn_ieq(k, kn, "claims", 6)) {
            dst = c->claims, dn = sizeof c->claims;
        }
        take_value(&p, end, dst, dn);
    }
    if (!c->tenant[0] && c->authorization[0]) {
        /* "https://login.microsoftonline.com/<tenant>[/...]" */
        const char *s = strstr(c->authorization, "://");
        s = s ? strchr(s + 3, '/') : NULL;
        if (s) {
            s++;
            size_t n = strcspn(s, "/?#");
            if (n && n < sizeof c->tenant) {
                memcpy(c->tenant, s, n);
                c->tenant[n] = '\0';
            }
        }
    }
    return c->resource[0] || c->scope[0] ? 0 : SL_EPARSE;
}

int sl_crypto__challenge_parse(const char *hdr, sl_kv_challenge_t *c)
{
    memset(c, 0, sizeof *c);
    for (const char *line = hdr; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        if (parse_line(line, end, c) == 0) {
            return 0;
        }
        line = nl ? nl + 1 : NULL;
    }
    memset(c, 0, sizeof *c);
    return SL_EPARSE;
}

int sl_crypto__challenge_scope(const sl_kv_challenge_t *c, char *out, size_t size)
{
    int n;
    if (c->resource[0]) {
        size_t rn = strlen(c->resource);
        while (rn && c->resource[rn - 1] == '/') {
            rn--;
        }
        n = snprintf(out, size, "%.*s/.default", (int)rn, c->resource);
    } else {
        n = snprintf(out, size, "%s", c->scope);
    }
    return n < 0 || (size_t)n >= size || n == 0 ? SL_ELIMIT : 0;
}

void sl_crypto__scope_to_resource(const char *scope, char *out, size_t size)
{
    size_t n = strlen(scope);
    if (n >= 9 && !strcmp(scope + n - 9, "/.default")) {
        n -= 9;
    }
    snprintf(out, size, "%.*s", (int)n, scope);
}

int sl_crypto__challenge_verify(const char *vault_host, const char *scope, sl_diag_t *d)
{
    char res[512];
    sl_crypto__scope_to_resource(scope, res, sizeof res);
    sl_kv_url_t u;
    const char *host = res;
    if (!sl_crypto__url_parse(res, &u, NULL)) {
        host = u.host;
    }
    size_t vn = strlen(vault_host), hn = strlen(host);
    if (hn && vn > hn + 1 && vault_host[vn - hn - 1] == '.' &&
        !strcasecmp(vault_host + vn - hn, host)) {
        return 0;
    }
    return sl_diag_set(d, SL_ECONFIG,
                       "The challenge resource '%.100s' does not match the requested domain "
                       "'%.100s'. Set disable_challenge_resource_verification to trust it. See "
                       "https://aka.ms/azsdk/blog/vault-uri for more information.",
                       host, vault_host);
}

/* ------------------------------------------------------------------------ */
/* Key Vault documents                                                      */
/* ------------------------------------------------------------------------ */

/* Copies printable text, control characters as spaces, cut to size. */
static void copy_clean(char *out, size_t size, const char *s)
{
    size_t o = 0;
    for (; s && *s && o + 1 < size; s++) {
        unsigned char c = (unsigned char)*s;
        out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    out[o] = '\0';
}

void sl_crypto__kv_error_parse(const char *json, size_t n, sl_kv_error_t *e)
{
    memset(e, 0, sizeof *e);
    json_t *root = json_loadb(json ? json : "", n, 0, NULL);
    json_t *err = json_object_get(root, "error");
    if (json_is_object(err)) {
        copy_clean(e->code, sizeof e->code, json_string_value(json_object_get(err, "code")));
        copy_clean(e->message, sizeof e->message,
                   json_string_value(json_object_get(err, "message")));
        json_t *inner = json_object_get(err, "innererror");
        copy_clean(e->inner, sizeof e->inner,
                   json_string_value(json_object_get(inner, "code")));
    } else if (json_is_string(err)) {
        /* OAuth2: {"error":"invalid_client","error_description":"AADSTS..."} */
        copy_clean(e->code, sizeof e->code, json_string_value(err));
        copy_clean(e->message, sizeof e->message,
                   json_string_value(json_object_get(root, "error_description")));
    }
    json_decref(root);
}

static int64_t int_member(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static const struct {
    const char *name;
    unsigned bit;
} op_names[] = {
    { "encrypt", SL_KV_OP_ENCRYPT }, { "decrypt", SL_KV_OP_DECRYPT },
    { "sign", SL_KV_OP_SIGN },       { "verify", SL_KV_OP_VERIFY },
    { "wrapKey", SL_KV_OP_WRAP },    { "unwrapKey", SL_KV_OP_UNWRAP },
    { "import", SL_KV_OP_IMPORT },
};

int sl_crypto__key_bundle_parse(const char *json, size_t n, sl_kv_key_info_t *info)
{
    memset(info, 0, sizeof *info);
    json_t *root = json_loadb(json ? json : "", n, 0, NULL);
    json_t *key = json_object_get(root, "key");
    json_t *attr = json_object_get(root, "attributes");
    const char *kid = json_string_value(json_object_get(key, "kid"));
    const char *kty = json_string_value(json_object_get(key, "kty"));
    sl_kv_kid_t k;
    int rc = SL_EPARSE;
    if (!json_is_object(key) || !kid || !kty || sl_crypto__kid_parse(kid, &k)) {
        goto done;
    }
    snprintf(info->kid, sizeof info->kid, "%s/keys/%s/%s", k.base, k.name, k.version);
    snprintf(info->version, sizeof info->version, "%s", k.version);
    copy_clean(info->kty, sizeof info->kty, kty);
    json_t *ops = json_object_get(key, "key_ops");
    if (json_is_array(ops)) {
        info->key_ops_listed = true;
        size_t i;
        json_t *op;
        json_array_foreach(ops, i, op)
        {
            const char *s = json_string_value(op);
            for (size_t j = 0; s && j < SL_ARRAY_SIZE(op_names); j++) {
                if (!strcmp(s, op_names[j].name)) {
                    info->key_ops |= op_names[j].bit;
                }
            }
        }
    }
    const char *modulus = json_string_value(json_object_get(key, "n"));
    size_t mlen = modulus ? strlen(modulus) : 0;
    if (mlen && mlen <= 2048) {
        /* The modulus, less any leading zero bytes some encoders add. */
        uint8_t raw[2048 / 4 * 3 + 3];
        size_t rn, z = 0;
        if (!sl_base64_decode(modulus, mlen, raw, &rn)) {
            while (z < rn && raw[z] == 0) {
                z++;
            }
            info->key_size = (int)((rn - z) * 8);
        }
    }
    if (!json_is_object(attr)) {
        /* Azure always sends attributes; without them nothing can be checked. */
        goto done;
    }
    info->enabled = json_is_true(json_object_get(attr, "enabled"));
    info->nbf = int_member(attr, "nbf");
    info->exp = int_member(attr, "exp");
    info->created = int_member(attr, "created");
    info->updated = int_member(attr, "updated");
    copy_clean(info->recovery_level, sizeof info->recovery_level,
               json_string_value(json_object_get(attr, "recoveryLevel")));
    info->recoverable_days = (int)int_member(attr, "recoverableDays");
    rc = 0;
done:
    json_decref(root);
    if (rc) {
        memset(info, 0, sizeof *info);
    }
    return rc;
}
