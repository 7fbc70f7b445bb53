/*
 * Managed identity token endpoints, in the two shapes Azure hosts offer:
 *
 *   IMDS (VMs, scale sets, AKS nodes):
 *     GET http://169.254.169.254/metadata/identity/oauth2/token
 *         ?api-version=2018-02-01&resource=<resource>[&client_id=<id>]
 *     Metadata: true
 *     → {"access_token","expires_in":"3599","expires_on":"..","resource","token_type"}
 *
 *   App Service / Container Apps / Functions:
 *     GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=<resource>[&client_id=<id>]
 *     X-IDENTITY-HEADER: $IDENTITY_HEADER
 *     → {"access_token","expires_on":"<unix seconds>","resource","token_type","client_id"}
 *
 * sealog-vault serves the IMDS shape at /metadata/identity/oauth2/token when
 * started with --managed-identity-permissions; the endpoint is configurable
 * for that reason. The endpoint wants a resource, not a scope, so
 * "https://vault.azure.net/.default" is sent as "https://vault.azure.net".
 *
 * The request never goes through a proxy (the link-local address must be
 * reached directly, as the SDKs do) and plain http is accepted only for
 * loopback and link-local hosts, which is where these endpoints live.
 *
 * A 400/401/403/404 means the host has no such identity (or it was
 * removed): SL_EAUTH, which the vault provider reports as revoked — the
 * "identity type None" case of DESIGN.md. IMDS answers 410 and 5xx while it
 * restarts: transient.
 */
#include "crypto/crypto_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define IMDS_URL "http://169.254.169.254/metadata/identity/oauth2/token"

typedef struct mi_src {
    sl_token_mi_kind_t kind;
    char *endpoint;
    char *header;    /* "X-IDENTITY-HEADER: ..." (App Service) */
    char *client_id; /* may be NULL */
    sl_crypto_http_t *http;
} mi_src_t;

static int mi_fetch(void *impl, const char *scope, sl_secbuf_t *tok, int64_t *lifetime_s,
                    sl_diag_t *d)
{
    mi_src_t *m = impl;
    char resource[600];
    sl_crypto__scope_to_resource(scope, resource, sizeof resource);
    sl_buf_t url = SL_BUF_INIT;
    sl_buf_printf(&url, "%s%sapi-version=%s&resource=", m->endpoint,
                  strchr(m->endpoint, '?') ? "&" : "?",
                  m->kind == SL_TOKEN_MI_IMDS ? "2018-02-01" : "2019-08-01");
    sl_percent_encode(&url, resource, strlen(resource));
    if (m->client_id) {
        sl_buf_puts(&url, "&client_id=");
        sl_percent_encode(&url, m->client_id, strlen(m->client_id));
    }
    const char *hdr[] = { "Metadata: true", m->header, NULL };
    sl_crypto_http_req_t rq = { .method = "GET", .url = url.data, .headers = hdr };
    sl_crypto_http_resp_t resp;
    sl_diag_t hd;
    int rc = sl_crypto__http_do(m->http, &rq, &resp, &hd);
    sl_buf_dispose(&url);
    if (rc) {
        return sl_diag_set(d, rc, "managed identity endpoint %s: %s", m->endpoint, hd.msg);
    }
    if (resp.status == 200) {
        rc = sl_crypto__token_parse(resp.body.data, resp.body.len, (int64_t)time(NULL), tok,
                                    lifetime_s);
        if (rc) {
            sl_diag_set(d, rc,
                        "managed identity endpoint %s answered 200 without a bearer "
                        "access_token",
                        m->endpoint);
        }
    } else {
        sl_kv_error_t e;
        sl_crypto__kv_error_parse(resp.body.data, resp.body.len, &e);
        rc = sl_crypto__http_status_code(resp.status);
        if (resp.status == 410) {
            rc = SL_ETRANSIENT; /* IMDS: "retry", it is being updated */
        } else if (rc == SL_EINVAL || rc == SL_EFORBIDDEN || rc == SL_ENOTFOUND) {
            rc = SL_EAUTH;
        }
        sl_diag_set(d, rc, "managed identity endpoint %s refused%s%s: HTTP %ld %s: %s",
                    m->endpoint, m->client_id ? " client " : "", m->client_id ? m->client_id : "",
                    resp.status, e.code[0] ? e.code : "-",
                    e.message[0] ? e.message : "(no description)");
    }
    sl_crypto__http_resp_dispose(&resp);
    return rc;
}

static void mi_describe(void *impl, sl_buf_t *out)
{
    mi_src_t *m = impl;
    sl_buf_printf(out, "managed identity (%s%s%s) at %s",
                  m->kind == SL_TOKEN_MI_IMDS ? "IMDS" : "App Service",
                  m->client_id ? ", client " : ", system-assigned",
                  m->client_id ? m->client_id : "", m->endpoint);
}

static void mi_destroy(void *impl)
{
    mi_src_t *m = impl;
    sl_crypto__http_destroy(m->http);
    if (m->header) {
        sl_wipe(m->header, strlen(m->header));
    }
    sl_free(m->header);
    sl_free(m->endpoint);
    sl_free(m->client_id);
    sl_free(m);
}

static const sl_token_ops_t mi_ops = {
    .kind = "managed identity",
    .scoped = true,
    .fetch = mi_fetch,
    .describe = mi_describe,
    .destroy = mi_destroy,
};

int sl_token_mi_create(const sl_token_mi_config_t *cfg, sl_token_source_t **out, sl_diag_t *d)
{
    const char *ep = cfg->endpoint && *cfg->endpoint ? cfg->endpoint : NULL;
    if (cfg->kind == SL_TOKEN_MI_IMDS && !ep) {
        ep = IMDS_URL;
    }
    if (cfg->kind == SL_TOKEN_MI_APP_SERVICE &&
        (!ep || !cfg->identity_header || !*cfg->identity_header)) {
        return sl_diag_set(d, SL_EINVAL,
                           "the App Service identity needs IDENTITY_ENDPOINT and IDENTITY_HEADER");
    }
    if (cfg->kind != SL_TOKEN_MI_IMDS && cfg->kind != SL_TOKEN_MI_APP_SERVICE) {
        return sl_diag_set(d, SL_EINVAL, "unknown managed identity kind %d", (int)cfg->kind);
    }
    sl_kv_url_t u;
    int rc = sl_crypto__url_parse(ep, &u, d);
    if (rc) {
        return rc;
    }
    if (strcmp(u.scheme, "https") && !sl_crypto__host_is_local(u.host, true)) {
        return sl_diag_set(d, SL_EINVAL,
                           "managed identity endpoint %s: plain http only to loopback or "
                           "link-local hosts",
                           ep);
    }
    if (cfg->identity_header && strpbrk(cfg->identity_header, "\r\n")) {
        return sl_diag_set(d, SL_EINVAL, "IDENTITY_HEADER holds a line break");
    }
    mi_src_t *m = sl_xcalloc(1, sizeof *m);
    m->kind = cfg->kind;
    m->endpoint = sl_xstrdup(ep);
    if (cfg->kind == SL_TOKEN_MI_APP_SERVICE) {
        m->header = sl_xasprintf("X-IDENTITY-HEADER: %s", cfg->identity_header);
    }
    m->client_id = cfg->client_id && *cfg->client_id ? sl_xstrdup(cfg->client_id) : NULL;
    sl_crypto_http_opts_t o = {
        .ca_file = cfg->ca_file,
        .timeout_ms = cfg->timeout_ms,
        .no_proxy = true,
        .link_local_http = true,
    };
    rc = sl_crypto__http_create(&o, &m->http, d);
    if (rc) {
        mi_destroy(m);
        return rc;
    }
    *out = sl_crypto__token_source_new(&mi_ops, m);
    return 0;
}
