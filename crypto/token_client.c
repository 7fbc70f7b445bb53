/*
 * OAuth2 client credentials against an Entra-ID-shaped token endpoint:
 *
 *   POST {authority}/{tenant}/oauth2/v2.0/token
 *   Content-Type: application/x-www-form-urlencoded
 *   grant_type=client_credentials&client_id=..&client_secret=..&scope=<resource>/.default
 *   → {"token_type":"Bearer","expires_in":3599,"access_token":".."}
 *
 * sealog-vault serves the same endpoint (its banner's "token url:").
 *
 * The secret goes only to the endpoint configured here: a vault's 401
 * challenge names an authority too, but following it would hand the client
 * secret to whoever answers a request (the SDKs likewise keep their
 * configured authority host). The authority must be https, except on
 * loopback for tests, as MSAL insists.
 *
 * Errors: 400/401/403 (invalid_client, invalid_scope, unauthorized_client,
 * unknown tenant) are SL_EAUTH — the identity was refused, which the vault
 * provider reports as revoked; 429, 5xx and network failures are transient.
 * The endpoint's error and error_description are quoted (cleaned); the
 * secret and tokens never are.
 */
#include "crypto/crypto_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct client_src {
    char *url;
    char *tenant;
    char *client_id;
    sl_secbuf_t secret;
    sl_crypto_http_t *http;
} client_src_t;

static int client_fetch(void *impl, const char *scope_in, sl_secbuf_t *tok, int64_t *lifetime_s,
                        sl_diag_t *d)
{
    client_src_t *c = impl;
    /* A resource ("https://vault.azure.net") becomes its .default scope. */
    char scope[600];
    size_t sn = strlen(scope_in);
    if (sn >= 9 && !strcmp(scope_in + sn - 9, "/.default")) {
        snprintf(scope, sizeof scope, "%s", scope_in);
    } else {
        while (sn && scope_in[sn - 1] == '/') {
            sn--;
        }
        snprintf(scope, sizeof scope, "%.*s/.default", (int)sn, scope_in);
    }
    sl_secbuf_t form;
    int rc = sl_crypto__secbuf_init(&form, 4096);
    if (rc) {
        return sl_diag_set(d, rc, "cannot map a buffer for the token request");
    }
    rc = sl_crypto__secbuf_puts(&form, "grant_type=client_credentials&client_id=");
    rc = rc ? rc : sl_crypto__secbuf_put_form(&form, c->client_id, strlen(c->client_id));
    rc = rc ? rc : sl_crypto__secbuf_puts(&form, "&client_secret=");
    rc = rc ? rc : sl_crypto__secbuf_put_form(&form, c->secret.data, c->secret.len);
    rc = rc ? rc : sl_crypto__secbuf_puts(&form, "&scope=");
    rc = rc ? rc : sl_crypto__secbuf_put_form(&form, scope, strlen(scope));
    if (rc) {
        sl_crypto__secbuf_dispose(&form);
        return sl_diag_set(d, SL_EINVAL, "client id, secret and scope are too long");
    }
    sl_crypto_http_req_t rq = {
        .method = "POST",
        .url = c->url,
        .body = form.data,
        .body_len = form.len,
        .content_type = "application/x-www-form-urlencoded",
    };
    sl_crypto_http_resp_t resp;
    sl_diag_t hd;
    rc = sl_crypto__http_do(c->http, &rq, &resp, &hd);
    sl_crypto__secbuf_dispose(&form);
    if (rc) {
        return sl_diag_set(d, rc, "token endpoint %s: %s", c->url, hd.msg);
    }
    if (resp.status == 200) {
        rc = sl_crypto__token_parse(resp.body.data, resp.body.len, (int64_t)time(NULL), tok,
                                    lifetime_s);
        if (rc) {
            sl_diag_set(d, rc, "token endpoint %s answered 200 without a bearer access_token",
                        c->url);
        }
    } else {
        sl_kv_error_t e;
        sl_crypto__kv_error_parse(resp.body.data, resp.body.len, &e);
        rc = resp.status == 400 ? SL_EAUTH : sl_crypto__http_status_code(resp.status);
        if (rc == SL_EFORBIDDEN || rc == SL_ENOTFOUND || rc == SL_EINVAL) {
            rc = SL_EAUTH;
        }
        sl_diag_set(d, rc, "token endpoint %s refused client %s: HTTP %ld %s: %s", c->url,
                    c->client_id, resp.status, e.code[0] ? e.code : "-",
                    e.message[0] ? e.message : "(no description)");
    }
    sl_crypto__http_resp_dispose(&resp);
    return rc;
}

static void client_describe(void *impl, sl_buf_t *out)
{
    client_src_t *c = impl;
    sl_buf_printf(out, "client credentials (client %s, tenant %s) at %s", c->client_id,
                  c->tenant, c->url);
}

static void client_destroy(void *impl)
{
    client_src_t *c = impl;
    sl_crypto__http_destroy(c->http);
    sl_crypto__secbuf_dispose(&c->secret);
    sl_free(c->url);
    sl_free(c->tenant);
    sl_free(c->client_id);
    sl_free(c);
}

static const sl_token_ops_t client_ops = {
    .kind = "client",
    .scoped = true,
    .fetch = client_fetch,
    .describe = client_describe,
    .destroy = client_destroy,
};

int sl_token_client_create(const sl_token_client_config_t *cfg, sl_token_source_t **out,
                           sl_diag_t *d)
{
    if (!cfg->authority || !cfg->tenant || !*cfg->tenant || !cfg->client_id ||
        !*cfg->client_id || !cfg->client_secret || !*cfg->client_secret) {
        return sl_diag_set(d, SL_EINVAL,
                           "client credentials need authority, tenant, client_id and "
                           "client_secret");
    }
    if (strpbrk(cfg->tenant, "/?#%") || strlen(cfg->tenant) > 128) {
        return sl_diag_set(d, SL_EINVAL, "tenant '%.64s' is not a tenant id or domain",
                           cfg->tenant);
    }
    size_t an = strlen(cfg->authority);
    while (an && cfg->authority[an - 1] == '/') {
        an--;
    }
    char *url = sl_xasprintf("%.*s/%s/oauth2/v2.0/token", (int)an, cfg->authority, cfg->tenant);
    sl_kv_url_t u;
    int rc = sl_crypto__url_parse(url, &u, d);
    if (!rc && strcmp(u.scheme, "https") && !sl_crypto__host_is_local(u.host, false)) {
        rc = sl_diag_set(d, SL_EINVAL, "authority %.*s must be https", (int)an, cfg->authority);
    }
    if (!rc && strlen(cfg->client_secret) > 1024) {
        rc = sl_diag_set(d, SL_EINVAL, "client secret longer than 1024 bytes");
    }
    if (rc) {
        sl_free(url);
        return rc;
    }
    client_src_t *c = sl_xcalloc(1, sizeof *c);
    c->url = url;
    c->tenant = sl_xstrdup(cfg->tenant);
    c->client_id = sl_xstrdup(cfg->client_id);
    sl_crypto_http_opts_t o = { .ca_file = cfg->ca_file, .timeout_ms = cfg->timeout_ms };
    rc = sl_crypto__secbuf_init(&c->secret, 1024);
    if (!rc) {
        rc = sl_crypto__secbuf_puts(&c->secret, cfg->client_secret);
    }
    if (!rc) {
        rc = sl_crypto__http_create(&o, &c->http, d);
    } else {
        sl_diag_set(d, rc, "cannot map memory for the client secret");
    }
    if (rc) {
        client_destroy(c);
        return rc;
    }
    *out = sl_crypto__token_source_new(&client_ops, c);
    return 0;
}
