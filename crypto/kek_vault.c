/*
 * The key vault KEK provider: AEKs wrapped and unwrapped by a key in an
 * Azure Key Vault, or in anything that speaks its keys REST API the same way
 * (sealog-vault). The contract is in crypto.h; the wire in PROTOCOLS.md §4.
 *
 * One operation, as a vault sees it:
 *
 *   first call of this provider:
 *     POST /keys/k/v/unwrapkey?api-version=7.4   (no token, empty body)
 *     ← 401  WWW-Authenticate: Bearer authorization="..", resource="R"
 *       remember scope R/.default (checked against the vault host unless
 *       disabled), get a token for it from the token source
 *   every call:
 *     POST /keys/k/v/unwrapkey  Authorization: Bearer T  {"alg","value"}
 *     ← 200 {"kid","value"}
 *     ← 401 → invalidate T, get a fresh token, send once more; 401 again
 *             means the identity is refused: SL_EAUTH
 *
 * The probe carries no body on purpose: a wrap request holds the AEK in the
 * clear, and it must not go out before we know the vault wants a token (the
 * SDKs do the same). Error codes are chosen so that classify() is exact
 * without remembering anything per call (calls run on several threads at
 * once); see the table in crypto.h.
 *
 * Key material: the AEK travels base64url-encoded in request and answer
 * bodies. Both are built or received in locked secret buffers and wiped; the
 * decoded AEK goes straight into the caller's array through a stack buffer
 * that is wiped. Copies made inside libcurl and OpenSSL while sending and
 * receiving are beyond this code's reach (docs/ARCHITECTURE.md says so).
 */
#include "crypto/crypto_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* "Key Vault <op>: <detail> [<url>]": the reason first, so that a long vault
 * message cuts into the URL (which describe() also gives), not the reason. */
static int kv_fail(const sl_kv_t *v, sl_diag_t *d, int rc, const char *op, const char *path,
                   const char *fmt, ...) SL_PRINTF(6, 7);

static int kv_fail(const sl_kv_t *v, sl_diag_t *d, int rc, const char *op, const char *path,
                   const char *fmt, ...)
{
    char detail[sizeof d->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return sl_diag_set(d, rc, "Key Vault %s: %s [%s%s]", op, detail, v->base, path);
}

/* ------------------------------------------------------------------------ */
/* Requests with the challenge flow                                         */
/* ------------------------------------------------------------------------ */

/* Learns the scope from a 401's challenge. */
static int learn_challenge(sl_kv_t *v, const char *www_auth, const char *op, const char *path,
                           sl_diag_t *d)
{
    sl_kv_challenge_t c;
    char scope[512];
    if (sl_crypto__challenge_parse(www_auth, &c) ||
        sl_crypto__challenge_scope(&c, scope, sizeof scope)) {
        return kv_fail(v, d, SL_EAUTH, op, path,
                       "HTTP 401 without a usable Bearer challenge (WWW-Authenticate: '%.80s')",
                       www_auth[0] ? www_auth : "none");
    }
    if (v->verify_resource) {
        sl_diag_t vd;
        int rc = sl_crypto__challenge_verify(v->host, scope, &vd);
        if (rc) {
            return kv_fail(v, d, rc, op, path, "%s", vd.msg);
        }
    }
    pthread_mutex_lock(&v->mu);
    snprintf(v->scope, sizeof v->scope, "%s", scope);
    snprintf(v->authority, sizeof v->authority, "%s", c.authorization);
    pthread_mutex_unlock(&v->mu);
    return 0;
}

/* Turns a non-2xx answer into a code and a message naming status, codes and text. */
static int answer_error(sl_kv_t *v, const char *op, const char *path, bool unwrap,
                        const sl_crypto_http_resp_t *r, sl_diag_t *d)
{
    int rc = sl_crypto__http_status_code(r->status);
    if (unwrap && r->status == 400) {
        rc = SL_EINTEGRITY;
    }
    if (r->status >= 300 && r->status < 400) {
        return kv_fail(v, d, rc, op, path, "HTTP %ld redirect to '%.100s' (not followed)",
                       r->status, r->location);
    }
    sl_kv_error_t e;
    sl_crypto__kv_error_parse(r->body.data, r->body.len, &e);
    char retry[48] = "";
    if (r->retry_after_s >= 0) {
        snprintf(retry, sizeof retry, " (Retry-After %lld s)", (long long)r->retry_after_s);
    }
    return kv_fail(v, d, rc, op, path, "HTTP %ld %s%s%s: %s%s", r->status,
                   e.code[0] ? e.code : "-", e.inner[0] ? "/" : "", e.inner,
                   e.message[0] ? e.message : "(no message)", retry);
}

int sl_crypto__kv_call(sl_kv_t *v, const char *op, const char *method, const char *path,
                       const char *body, size_t body_len, bool unwrap,
                       sl_crypto_http_resp_t *resp, sl_diag_t *d)
{
    char url[1600];
    snprintf(url, sizeof url, "%s%s?api-version=" SL_KV_API_VERSION, v->base, path);
    sl_crypto_http_req_t rq = {
        .method = method,
        .url = url,
        .body = body,
        .body_len = body_len,
        .content_type = "application/json",
    };
    sl_diag_t hd;
    int rc;
    char scope[512];
    pthread_mutex_lock(&v->mu);
    snprintf(scope, sizeof scope, "%s", v->scope);
    pthread_mutex_unlock(&v->mu);

    if (!scope[0]) {
        /* The probe: no token, and no body even for a POST (it may hold the AEK). */
        sl_crypto_http_req_t probe = rq;
        if (body) {
            probe.body = "";
            probe.body_len = 0;
        }
        rc = sl_crypto__http_do(v->http, &probe, resp, &hd);
        if (rc) {
            return kv_fail(v, d, rc, op, path, "%s", hd.msg);
        }
        if (resp->status != 401) {
            /* This vault does not ask for a token. A GET's answer is the answer;
             * anything else is sent again with its body. */
            if (!body) {
                goto answered;
            }
            sl_crypto__http_resp_dispose(resp);
            rc = sl_crypto__http_do(v->http, &rq, resp, &hd);
            if (rc) {
                return kv_fail(v, d, rc, op, path, "%s", hd.msg);
            }
            goto answered;
        }
        rc = learn_challenge(v, resp->www_auth, op, path, d);
        sl_crypto__http_resp_dispose(resp);
        if (rc) {
            return rc;
        }
    }

    char token[SL_TOKEN_MAX + 1];
    for (int attempt = 0;; attempt++) {
        pthread_mutex_lock(&v->mu);
        snprintf(scope, sizeof scope, "%s", v->scope);
        pthread_mutex_unlock(&v->mu);
        sl_diag_t td;
        rc = sl_token_get(v->tokens, scope, token, sizeof token, &td);
        if (rc) {
            return kv_fail(v, d, rc, op, path, "no token for %s: %s", scope, td.msg);
        }
        rq.bearer = token;
        rc = sl_crypto__http_do(v->http, &rq, resp, &hd);
        if (rc) {
            sl_wipe(token, sizeof token);
            return kv_fail(v, d, rc, op, path, "%s", hd.msg);
        }
        if (resp->status != 401) {
            break;
        }
        /* Rejected: a challenge may name a new scope; the token is stale. */
        sl_token_invalidate(v->tokens, scope, token);
        sl_wipe(token, sizeof token);
        if (attempt == 1) {
            sl_kv_error_t e;
            sl_crypto__kv_error_parse(resp->body.data, resp->body.len, &e);
            rc = kv_fail(v, d, SL_EAUTH, op, path, "HTTP 401 %s%s%s with a fresh token: %s",
                         e.code[0] ? e.code : "Unauthorized", e.inner[0] ? "/" : "", e.inner,
                         e.message[0] ? e.message : "(no message)");
            sl_crypto__http_resp_dispose(resp);
            return rc;
        }
        sl_kv_challenge_t c;
        char fresh[512];
        if (!sl_crypto__challenge_parse(resp->www_auth, &c) &&
            !sl_crypto__challenge_scope(&c, fresh, sizeof fresh) && strcmp(fresh, scope)) {
            rc = learn_challenge(v, resp->www_auth, op, path, d);
            if (rc) {
                sl_crypto__http_resp_dispose(resp);
                return rc;
            }
        }
        sl_crypto__http_resp_dispose(resp);
    }
    sl_wipe(token, sizeof token);
answered:
    if (resp->status >= 200 && resp->status < 300) {
        return 0;
    }
    rc = answer_error(v, op, path, unwrap, resp, d);
    sl_crypto__http_resp_dispose(resp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* wrap / unwrap                                                            */
/* ------------------------------------------------------------------------ */

static const char *wrap_alg(const char *kty)
{
    if (!strcmp(kty, "RSA") || !strcmp(kty, "RSA-HSM")) {
        return "RSA-OAEP-256";
    }
    if (!strcmp(kty, "oct") || !strcmp(kty, "oct-HSM")) {
        return "A256KW";
    }
    return NULL;
}

/* The algorithm an AEK was wrapped with, from the wrapped length: A256KW of
 * 32 bytes is 40 bytes; RSA-OAEP output is the modulus size, 256 or more. */
static const char *unwrap_alg(size_t n)
{
    if (n == SL_KEY_LEN + 8) {
        return "A256KW";
    }
    if (n >= 256 && n <= 1024) {
        return "RSA-OAEP-256";
    }
    return NULL;
}

static int vault_wrap(void *ctx, const uint8_t aek[SL_KEY_LEN], sl_buf_t *wrapped,
                      char version[256], sl_diag_t *d)
{
    sl_kv_t *v = ctx;
    sl_kv_key_info_t info;
    int rc = sl_crypto__kv_get_key(v, v->version, &info, d);
    if (rc) {
        return rc;
    }
    const char *alg = wrap_alg(info.kty);
    if (!alg) {
        return sl_diag_set(d, SL_EINVAL, "Key Vault key %s is of type %s, which cannot wrap keys",
                           info.kid, info.kty);
    }
    char path[300];
    snprintf(path, sizeof path, "/keys/%s/%s/wrapkey", v->name, info.version);
    sl_secbuf_t body;
    rc = sl_crypto__secbuf_init(&body, 256);
    if (rc) {
        return sl_diag_set(d, rc, "cannot map a buffer for the wrap request");
    }
    char b64[64];
    size_t bn = sl_base64url_encode(aek, SL_KEY_LEN, b64);
    sl_crypto__secbuf_puts(&body, "{\"alg\":\"");
    sl_crypto__secbuf_puts(&body, alg);
    sl_crypto__secbuf_puts(&body, "\",\"value\":\"");
    sl_crypto__secbuf_append(&body, b64, bn);
    sl_crypto__secbuf_puts(&body, "\"}");
    sl_wipe(b64, sizeof b64);
    sl_crypto_http_resp_t resp;
    rc = sl_crypto__kv_call(v, "wrapKey", "POST", path, body.data, body.len, false, &resp, d);
    sl_crypto__secbuf_dispose(&body);
    if (rc) {
        return rc;
    }
    sl_kvj_val_t val, kid;
    char kidbuf[512], *enc = NULL;
    uint8_t *raw = NULL;
    size_t rn = 0;
    rc = SL_EPARSE;
    if (sl_crypto__json_member(resp.body.data, resp.body.len, "value", &val) != 1 ||
        val.type != SL_KVJ_STRING || val.escaped || val.n == 0 || val.n > 2048) {
        sl_diag_set(d, rc, "Key Vault wrapKey %s: the answer has no base64url value", info.kid);
        goto done;
    }
    int has_kid = sl_crypto__json_member(resp.body.data, resp.body.len, "kid", &kid);
    if (has_kid == 1 && !sl_crypto__json_str(&kid, kidbuf, sizeof kidbuf, NULL)) {
        sl_kv_kid_t k;
        if (sl_crypto__kid_parse(kidbuf, &k) || strcmp(k.base, v->base) ||
            strcasecmp(k.name, v->name) || strcasecmp(k.version, info.version)) {
            sl_diag_set(d, SL_EPARSE, "Key Vault wrapKey %s: the answer names kid '%.120s'",
                        info.kid, kidbuf);
            goto done;
        }
    }
    enc = sl_xstrndup(val.p, val.n);
    raw = sl_xmalloc(val.n + 3);
    if (sl_base64_decode(enc, val.n, raw, &rn) || unwrap_alg(rn) == NULL ||
        strcmp(unwrap_alg(rn), alg)) {
        sl_diag_set(d, SL_EPARSE, "Key Vault wrapKey %s: a wrapped value of %zu bytes for %s",
                    info.kid, rn, alg);
        goto done;
    }
    if (strlen(info.kid) >= 256) {
        sl_diag_set(d, SL_ELIMIT, "Key Vault kid '%.100s...' is longer than 255 bytes", info.kid);
        goto done;
    }
    sl_buf_append(wrapped, raw, rn);
    snprintf(version, 256, "%s", info.kid);
    rc = 0;
done:
    sl_free(enc);
    sl_free(raw);
    sl_crypto__http_resp_dispose(&resp);
    return rc;
}

/* The version id an AEK was wrapped under: a kid of this vault and key, or a bare id. */
static int pinned_version(sl_kv_t *v, const char *version, char out[64], sl_diag_t *d)
{
    if (version && strchr(version, '/')) {
        sl_kv_kid_t k;
        if (sl_crypto__kid_parse(version, &k)) {
            return sl_diag_set(d, SL_EINVAL, "'%.120s' is not a Key Vault key id", version);
        }
        if (strcmp(k.base, v->base) || strcasecmp(k.name, v->name)) {
            return sl_diag_set(d, SL_EINVAL,
                               "the AEK was wrapped by %.120s, not by key '%s' of %s: rewrap it "
                               "before changing keyVaultProperties",
                               version, v->name, v->base);
        }
        snprintf(out, 64, "%s", k.version);
        return 0;
    }
    if (!version || !sl_crypto__kv_version_ok(version)) {
        return sl_diag_set(d, SL_EINVAL, "'%.80s' is not a key version", version ? version : "");
    }
    snprintf(out, 64, "%s", version);
    return 0;
}

static int vault_unwrap(void *ctx, const uint8_t *wrapped, size_t n, const char *version,
                        uint8_t aek[SL_KEY_LEN], sl_diag_t *d)
{
    sl_kv_t *v = ctx;
    char ver[64];
    int rc = pinned_version(v, version, ver, d);
    if (rc) {
        return rc;
    }
    const char *alg = unwrap_alg(n);
    if (!alg) {
        return sl_diag_set(d, SL_EINTEGRITY,
                           "a wrapped AEK of %zu bytes fits neither A256KW nor RSA-OAEP-256", n);
    }
    char path[300];
    snprintf(path, sizeof path, "/keys/%s/%s/unwrapkey", v->name, ver);
    sl_buf_t body = SL_BUF_INIT;
    char *b64 = sl_xmalloc(SL_BASE64_LEN(n) + 1);
    size_t bn = sl_base64url_encode(wrapped, n, b64);
    sl_buf_printf(&body, "{\"alg\":\"%s\",\"value\":\"%.*s\"}", alg, (int)bn, b64);
    sl_free(b64);
    sl_crypto_http_resp_t resp;
    rc = sl_crypto__kv_call(v, "unwrapKey", "POST", path, body.data, body.len, true, &resp, d);
    sl_buf_dispose(&body);
    if (rc) {
        return rc;
    }
    sl_kvj_val_t val;
    uint8_t raw[64];
    size_t rn = 0;
    if (sl_crypto__json_member(resp.body.data, resp.body.len, "value", &val) != 1 ||
        val.type != SL_KVJ_STRING || val.escaped) {
        /* Not Key Vault's answer (a proxy's page, a truncated body): no verdict on the key. */
        rc = sl_diag_set(d, SL_EPARSE,
                         "Key Vault unwrapKey %s/keys/%s/%s: HTTP %ld without a value member",
                         v->base, v->name, ver, resp.status);
    } else if (val.n > 60 || sl_base64_decode(val.p, val.n, raw, &rn) || rn != SL_KEY_LEN) {
        /* The vault unwrapped something, but not an AEK: the value was not ours. */
        rc = sl_diag_set(d, SL_EINTEGRITY,
                         "Key Vault unwrapKey %s/keys/%s/%s: the result is not a 32-byte key "
                         "(integrity failure)",
                         v->base, v->name, ver);
    } else {
        memcpy(aek, raw, SL_KEY_LEN);
        rc = 0;
    }
    sl_wipe(raw, sizeof raw);
    sl_crypto__http_resp_dispose(&resp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The rest of the provider interface                                       */
/* ------------------------------------------------------------------------ */

static void vault_describe(void *ctx, sl_buf_t *out)
{
    sl_kv_t *v = ctx;
    sl_buf_printf(out, "Key Vault %s key '%s' (%s%s), token from ", v->base, v->name,
                  v->version[0] ? "version " : "latest version", v->version);
    sl_token_describe(v->tokens, out);
}

static sl_kek_class_t vault_classify(void *ctx, int err)
{
    (void)ctx;
    switch (err) {
    case SL_EAUTH:
    case SL_EFORBIDDEN:
    case SL_ENOTFOUND:
    case SL_EINTEGRITY:
    case SL_EINVAL:
    case SL_EKEYUNAVAIL:
        return SL_KEK_REVOKED;
    default:
        return SL_KEK_TRANSIENT;
    }
}

static void vault_destroy(void *ctx)
{
    sl_kv_t *v = ctx;
    sl_crypto__http_destroy(v->http);
    pthread_mutex_destroy(&v->mu);
    sl_free(v);
}

sl_kv_t *sl_crypto__kv_of(sl_kek_provider_t *p)
{
    return p && p->kind && !strcmp(p->kind, "vault") && p->destroy == vault_destroy ? p->ctx
                                                                                     : NULL;
}

/* The key monitor's rotation hook: the kid a wrap would use now. */
static int vault_latest(void *ctx, char version[256], sl_diag_t *d)
{
    sl_kv_t *v = ctx;
    sl_kv_key_info_t info;
    int rc = sl_crypto__kv_get_key(v, "", &info, d);
    if (!rc)
        snprintf(version, 256, "%s", info.kid);
    return rc;
}

int sl_kek_vault_create(const sl_kv_config_t *c, sl_kek_provider_t **out, sl_diag_t *d)
{
    sl_kv_url_t u;
    sl_diag_t ud;
    int rc = sl_crypto__url_parse(c->vault_uri, &u, &ud);
    if (rc) {
        return sl_diag_set(d, SL_EINVAL, "vault_uri: %s", ud.msg);
    }
    if (strcmp(u.path, "/") || u.has_query) {
        return sl_diag_set(d, SL_EINVAL,
                           "vault_uri %.120s must be scheme://host[:port] without a path",
                           c->vault_uri);
    }
    if (strcmp(u.scheme, "https") && !sl_crypto__host_is_local(u.host, false)) {
        return sl_diag_set(d, SL_EINVAL,
                           "vault_uri %.120s: plain http only to a loopback vault (tokens and "
                           "keys would cross the network in the clear)",
                           c->vault_uri);
    }
    if (!sl_crypto__kv_name_ok(c->key_name)) {
        return sl_diag_set(d, SL_EINVAL, "key name '%.130s' is not 1-127 of [0-9A-Za-z-]",
                           c->key_name ? c->key_name : "");
    }
    const char *ver = c->key_version ? c->key_version : "";
    if (*ver && !sl_crypto__kv_version_ok(ver)) {
        return sl_diag_set(d, SL_EINVAL, "key version '%.70s' is not a version id", ver);
    }
    if (!c->tokens) {
        return sl_diag_set(d, SL_EINVAL, "a vault provider needs a token source");
    }
    sl_kv_t *v = sl_xcalloc(1, sizeof *v);
    snprintf(v->base, sizeof v->base, "%s", u.base);
    snprintf(v->host, sizeof v->host, "%s", u.host);
    snprintf(v->name, sizeof v->name, "%s", c->key_name);
    snprintf(v->version, sizeof v->version, "%s", ver);
    v->tokens = c->tokens;
    v->verify_resource = !c->disable_challenge_resource_verification;
    pthread_mutex_init(&v->mu, NULL);
    sl_crypto_http_opts_t o = { .ca_file = c->ca_file, .timeout_ms = c->timeout_ms };
    rc = sl_crypto__http_create(&o, &v->http, d);
    if (rc) {
        vault_destroy(v);
        return rc;
    }
    sl_kek_provider_t *p = sl_xcalloc(1, sizeof *p);
    p->ctx = v;
    p->kind = "vault";
    p->wrap = vault_wrap;
    p->unwrap = vault_unwrap;
    p->describe = vault_describe;
    p->classify = vault_classify;
    p->destroy = vault_destroy;
    /* keyVersion "" follows the vault's latest version. */
    p->latest = *ver ? NULL : vault_latest;
    *out = p;
    return 0;
}
