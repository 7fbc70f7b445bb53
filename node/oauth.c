/*
 * A minimal OAuth2 client-credentials token endpoint (PROTOCOLS.md §2.8,
 * §5), so that Fluent Bit's auth_url and SDK users can get tokens from the
 * node itself.
 *
 *   POST /oauth2/v2.0/token  or  /{tenant}/oauth2/v2.0/token
 *   grant_type=client_credentials&client_id=<token id>&client_secret=<secret>
 *   &scope=https://monitor.azure.com/.default
 *   → {"token_type":"Bearer","access_token":"<JWT>","expires_in":3600,...}
 *
 * A client is a minted token: its id is the client_id and its secret part
 * the client_secret. The access token is a JWT (HS256, key derived from the
 * service key) that carries the client id; verification re-reads the client
 * on every request, so revoking the client revokes its access tokens.
 * Audiences: https://monitor.azure.com (ingest) and https://api.loganalytics.io
 * (query); an admin client may ask for either.
 */
#include "node/node_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define AUD_INGEST "https://monitor.azure.com"
#define AUD_QUERY "https://api.loganalytics.io"

static void jwt_key(sl_node_t *n, uint8_t out[SL_KEY_LEN])
{
    sl_key_derive_raw(n->service_key, "jwt signing", NULL, 0, out);
}

static void b64url_append(sl_buf_t *b, const void *p, size_t n)
{
    sl_buf_reserve(b, SL_BASE64_LEN(n) + 1);
    b->len += sl_base64url_encode(p, n, b->data + b->len);
    b->data[b->len] = '\0';
}

static void oauth_error(sl_req_t *r, int status, const char *err, const char *desc)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "error");
    sl_jw_str(&w, err);
    sl_jw_key(&w, "error_description");
    sl_jw_str(&w, desc);
    sl_jw_obj_end(&w);
    sl_respond_json(r, status, &b);
}

void sl_h_oauth_token(sl_req_t *r)
{
    sl_node_t *n = r->node;
    size_t len;
    const char *body = sl_req_body(r, &len);
    sl_qparam_t p[16];
    size_t np = 0;
    if (len > 8192 || sl_form_parse(r->pool, body, len, p, 16, &np)) {
        oauth_error(r, 400, "invalid_request", "The body must be form-encoded parameters.");
        return;
    }
    const char *grant = NULL, *id = NULL, *secret = NULL, *scope = NULL;
    for (size_t i = 0; i < np; i++) {
        if (!strcmp(p[i].name, "grant_type"))
            grant = p[i].value;
        else if (!strcmp(p[i].name, "client_id"))
            id = p[i].value;
        else if (!strcmp(p[i].name, "client_secret"))
            secret = p[i].value;
        else if (!strcmp(p[i].name, "scope"))
            scope = p[i].value;
    }
    if (!grant || strcmp(grant, "client_credentials")) {
        oauth_error(r, 400, "unsupported_grant_type", "Only client_credentials is supported.");
        return;
    }
    if (!id || !secret) {
        oauth_error(r, 400, "invalid_request", "client_id and client_secret are required.");
        return;
    }
    char bearer[300];
    snprintf(bearer, sizeof bearer, "Bearer sl1.%s.%s", id, secret);
    sl_token_rec_t t;
    int rc = sl_node__token_verify(n, bearer, strlen(bearer), &t);
    sl_wipe(bearer, sizeof bearer);
    if (rc) {
        oauth_error(r, 401, "invalid_client", "Client authentication failed.");
        return;
    }
    const char *aud;
    if (!scope || !strcmp(scope, AUD_INGEST "/.default") || !strcmp(scope, AUD_INGEST "//.default"))
        aud = AUD_INGEST;
    else if (!strcmp(scope, AUD_QUERY "/.default"))
        aud = AUD_QUERY;
    else {
        oauth_error(r, 400, "invalid_scope", "scope must be https://monitor.azure.com/.default or "
                    "https://api.loganalytics.io/.default.");
        return;
    }
    sl_token_kind_t want = !strcmp(aud, AUD_INGEST) ? SL_TOKEN_INGEST : SL_TOKEN_QUERY;
    if (t.kind != SL_TOKEN_ADMIN && t.kind != want) {
        oauth_error(r, 400, "invalid_scope", "This client may not request that scope.");
        return;
    }
    sl_ticks_t now = sl_time_now();
    int64_t ttl = n->cfg->oauth_token_ttl_ms / 1000;
    int64_t exp = now / SL_TICKS_PER_SEC + ttl;
    if (exp > t.expires / SL_TICKS_PER_SEC)
        exp = t.expires / SL_TICKS_PER_SEC;
    sl_buf_t hdr = SL_BUF_INIT, pay = SL_BUF_INIT, tok = SL_BUF_INIT;
    sl_buf_puts(&hdr, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    sl_jw_t w;
    sl_jw_init(&w, &pay);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "aud");
    sl_jw_str(&w, aud);
    sl_jw_key(&w, "iss");
    sl_jw_str(&w, n->public_url);
    sl_jw_key(&w, "sub");
    sl_jw_str(&w, id);
    sl_jw_key(&w, "iat");
    sl_jw_int(&w, now / SL_TICKS_PER_SEC);
    sl_jw_key(&w, "exp");
    sl_jw_int(&w, exp);
    char jti[17];
    sl_request_id(jti);
    sl_jw_key(&w, "jti");
    sl_jw_str(&w, jti);
    sl_jw_obj_end(&w);
    b64url_append(&tok, hdr.data, hdr.len);
    sl_buf_putc(&tok, '.');
    b64url_append(&tok, pay.data, pay.len);
    uint8_t key[SL_KEY_LEN], mac[SL_SHA256_LEN];
    jwt_key(n, key);
    sl_hmac_sha256(key, sizeof key, tok.data, tok.len, mac);
    sl_wipe(key, sizeof key);
    sl_buf_putc(&tok, '.');
    b64url_append(&tok, mac, sizeof mac);

    sl_buf_t b = SL_BUF_INIT;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "token_type");
    sl_jw_str(&w, "Bearer");
    sl_jw_key(&w, "expires_in");
    sl_jw_int(&w, exp - now / SL_TICKS_PER_SEC);
    sl_jw_key(&w, "ext_expires_in");
    sl_jw_int(&w, exp - now / SL_TICKS_PER_SEC);
    sl_jw_key(&w, "access_token");
    sl_jw_str(&w, tok.data);
    sl_jw_obj_end(&w);
    sl_buf_wipe(&tok);
    sl_buf_dispose(&hdr);
    sl_buf_dispose(&pay);
    sl_req_add_header(r, "cache-control", "no-store");
    sl_respond_json(r, 200, &b);
}

int sl_node__jwt_verify(sl_node_t *n, const char *tok, size_t len, sl_token_rec_t *out)
{
    const char *d1 = memchr(tok, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(tok + len - d1 - 1)) : NULL;
    if (!d1 || !d2 || len > 4096)
        return SL_EAUTH;
    uint8_t key[SL_KEY_LEN], mac[SL_SHA256_LEN], got[48];
    size_t got_n;
    jwt_key(n, key);
    sl_hmac_sha256(key, sizeof key, tok, (size_t)(d2 - tok), mac);
    sl_wipe(key, sizeof key);
    size_t sig_len = (size_t)(tok + len - d2 - 1);
    if (sig_len > 60 || sl_base64_decode(d2 + 1, sig_len, got, &got_n) || got_n != sizeof mac ||
        !sl_ct_equal(mac, got, sizeof mac))
        return SL_EAUTH;
    size_t pl = (size_t)(d2 - d1 - 1);
    uint8_t *payload = sl_xmalloc(pl + 4);
    size_t pn;
    int rc = sl_base64_decode(d1 + 1, pl, payload, &pn) ? SL_EAUTH : 0;
    json_t *j = rc ? NULL : json_loadb((char *)payload, pn, 0, NULL);
    sl_free(payload);
    if (!j)
        return SL_EAUTH;
    const char *aud = json_string_value(json_object_get(j, "aud"));
    const char *sub = json_string_value(json_object_get(j, "sub"));
    json_int_t exp = json_integer_value(json_object_get(j, "exp"));
    uint8_t id[SL_TOKEN_ID_LEN];
    rc = SL_EAUTH;
    if (aud && sub && strlen(sub) == 16 && !sl_hex_decode(sub, 16, id) &&
        exp > sl_time_now() / SL_TICKS_PER_SEC &&
        sl_catalog_token_get(n->catalog, id, out, NULL) == 0 && !out->revoked &&
        out->expires > sl_time_now()) {
        /* The access token acts with its client's rights, for its audience. */
        sl_token_kind_t k = !strcmp(aud, AUD_INGEST) ? SL_TOKEN_INGEST
                            : !strcmp(aud, AUD_QUERY) ? SL_TOKEN_QUERY
                                                      : 0;
        if (k && (out->kind == k || out->kind == SL_TOKEN_ADMIN)) {
            if (out->kind == SL_TOKEN_ADMIN) {
                out->kind = k;
                out->nscopes = 1;
                snprintf(out->scopes[0], sizeof out->scopes[0], "*");
            }
            rc = 0;
        }
    }
    json_decref(j);
    return rc;
}
