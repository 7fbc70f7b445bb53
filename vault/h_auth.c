/*
 * Where callers get tokens (docs/VAULT.md "Tokens"):
 *
 *   POST /admin/tokens                       the admin mints a static token or a
 *                                            client (sealog-vault token create)
 *   POST /{tenant}/oauth2/v2.0/token         OAuth2 client credentials, shaped like
 *   POST /oauth2/v2.0/token                  Entra ID's v2 endpoint
 *   GET  /metadata/identity/oauth2/token     a managed identity, shaped like Azure
 *                                            IMDS (only with --managed-identity-*)
 *
 * The token endpoints answer errors in OAuth2's shape ({"error",
 * "error_description"}), not Key Vault's, because that is what their clients
 * parse. They never log secrets: not the client secret, not the tokens.
 */
#include "vault/vault_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ACCESS_TTL 3600

static int64_t now_s(void)
{
    return sl_time_now() / SL_TICKS_PER_SEC;
}

/* "<resource>/.default", or the resource itself, with or without a slash. */
static bool scope_ok(const char *scope, const char *resource)
{
    size_t rn = strlen(resource), sn = strlen(scope);
    if (sn >= 9 && !strcmp(scope + sn - 9, "/.default"))
        sn -= 9;
    while (sn && scope[sn - 1] == '/')
        sn--;
    return sl_strn_ieq(scope, sn, resource, rn);
}

static const char *form_get(const sl_qparam_t *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(p[i].name, name))
            return p[i].value;
    return NULL;
}

/* client_secret_basic: "Basic base64(id:secret)" into the pool. */
static void basic_credentials(sl_vault_req_t *r, const char **id, const char **secret)
{
    const char *h;
    size_t hn;
    if (!sl_vault_req_header(r, "authorization", &h, &hn) || hn < 7 || hn > 1024 ||
        strncasecmp(h, "basic ", 6))
        return;
    uint8_t *raw = sl_pool_alloc(r->pool, hn);
    size_t n;
    if (sl_base64_decode(h + 6, hn - 6, raw, &n))
        return;
    char *s = sl_pool_strndup(r->pool, (const char *)raw, n);
    sl_wipe(raw, n);
    char *colon = strchr(s, ':');
    if (!colon)
        return;
    *colon = '\0';
    *id = s;
    *secret = colon + 1;
}

void sl_vault_h_oauth_token(sl_vault_req_t *r)
{
    sl_vault_t *v = r->vault;
    if (r->tenant && strcasecmp(r->tenant, v->tenant)) {
        sl_vault_respond_oauth_error(r, 400, "invalid_request",
                                     "Tenant '%.64s' not found; this vault's tenant is %s.",
                                     r->tenant, v->tenant);
        return;
    }
    size_t n;
    const char *body = sl_vault_req_body(r, &n);
    sl_qparam_t p[16];
    size_t np = 0;
    if (sl_form_parse(r->pool, body, n, p, SL_ARRAY_SIZE(p), &np)) {
        sl_vault_respond_oauth_error(r, 400, "invalid_request",
                                     "The body must be application/x-www-form-urlencoded.");
        return;
    }
    const char *grant = form_get(p, np, "grant_type");
    const char *id = form_get(p, np, "client_id");
    const char *secret = form_get(p, np, "client_secret");
    const char *scope = form_get(p, np, "scope");
    if (!id || !secret)
        basic_credentials(r, &id, &secret);
    if (!grant || strcmp(grant, "client_credentials")) {
        sl_vault_respond_oauth_error(r, 400, "unsupported_grant_type",
                                     "Only grant_type=client_credentials is supported.");
        return;
    }
    if (!id || !secret || !scope) {
        sl_vault_respond_oauth_error(r, 400, "invalid_request",
                                     "client_id, client_secret and scope are required.");
        return;
    }
    if (!scope_ok(scope, v->opts->resource)) {
        sl_vault_respond_oauth_error(r, 400, "invalid_scope",
                                     "The scope '%.200s' is not valid: this vault issues tokens "
                                     "for %s/.default.",
                                     scope, v->opts->resource);
        return;
    }
    int64_t now = now_s();
    const sl_vault_tok_t *t = sl_vault_client_check(&v->auth, id, secret, now);
    if (!t) {
        sl_logr(v->log, SL_LOG_INFO, "audit", r->id, "op=token grant=client_credentials "
                "client_id=%.40s outcome=denied", id);
        sl_vault_respond_oauth_error(r, 401, "invalid_client",
                                     "Invalid client_id or client_secret, or the client has "
                                     "expired.");
        return;
    }
    int64_t ttl = ACCESS_TTL;
    if (t->expires && t->expires - now < ttl)
        ttl = t->expires - now;
    char hex[17];
    sl_vault_tok_id_hex(t, hex);
    snprintf(r->who.id, sizeof r->who.id, "client:%s", hex);
    sl_buf_t tok = SL_BUF_INIT, b = SL_BUF_INIT;
    sl_vault_access_mint(v->access_key, t, v->opts->resource, now, ttl, &tok);
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "token_type");
    sl_jw_str(&w, "Bearer");
    sl_jw_key(&w, "expires_in");
    sl_jw_int(&w, ttl);
    sl_jw_key(&w, "ext_expires_in");
    sl_jw_int(&w, ttl);
    sl_jw_key(&w, "access_token");
    sl_jw_strn(&w, tok.data, tok.len);
    sl_jw_obj_end(&w);
    sl_buf_wipe(&tok);
    sl_logr(v->log, SL_LOG_INFO, "audit", r->id,
            "op=token grant=client_credentials caller=client:%s outcome=ok expires_in=%lld", hex,
            (long long)ttl);
    sl_vault_respond_json(r, 200, &b);
}

void sl_vault_h_imds_token(sl_vault_req_t *r)
{
    sl_vault_t *v = r->vault;
    const char *h;
    size_t hn;
    if (!sl_vault_req_header(r, "metadata", &h, &hn) || !sl_strn_ieq(h, hn, "true", 4)) {
        sl_vault_respond_oauth_error(r, 400, "invalid_request",
                                     "Required metadata header not specified");
        return;
    }
    if (!sl_target_param(&r->target, "api-version")) {
        sl_vault_respond_oauth_error(r, 400, "invalid_request",
                                     "Required query variable 'api-version' is missing");
        return;
    }
    const char *resource = sl_target_param(&r->target, "resource");
    if (!resource) {
        sl_vault_respond_oauth_error(r, 400, "invalid_request",
                                     "Required query variable 'resource' is missing");
        return;
    }
    if (!v->opts->mi_enabled) {
        sl_vault_respond_oauth_error(r, 400, "invalid_request",
                                     "Identity not found (start the vault with "
                                     "--managed-identity-permissions to serve one)");
        return;
    }
    if (!scope_ok(resource, v->opts->resource)) {
        sl_vault_respond_oauth_error(r, 400, "invalid_resource",
                                     "The resource '%.200s' is not valid: this vault issues "
                                     "tokens for %s.",
                                     resource, v->opts->resource);
        return;
    }
    int64_t now = now_s();
    sl_buf_t tok = SL_BUF_INIT, b = SL_BUF_INIT;
    sl_vault_access_mint(v->access_key, NULL, v->opts->resource, now, ACCESS_TTL, &tok);
    /* IMDS sends its numbers as strings; clients expect exactly that. */
    char num[32];
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "access_token");
    sl_jw_strn(&w, tok.data, tok.len);
    sl_jw_key(&w, "expires_in");
    snprintf(num, sizeof num, "%d", ACCESS_TTL);
    sl_jw_str(&w, num);
    sl_jw_key(&w, "expires_on");
    snprintf(num, sizeof num, "%lld", (long long)(now + ACCESS_TTL));
    sl_jw_str(&w, num);
    sl_jw_key(&w, "ext_expires_in");
    snprintf(num, sizeof num, "%d", ACCESS_TTL);
    sl_jw_str(&w, num);
    sl_jw_key(&w, "not_before");
    snprintf(num, sizeof num, "%lld", (long long)now);
    sl_jw_str(&w, num);
    sl_jw_key(&w, "resource");
    sl_jw_str(&w, v->opts->resource);
    sl_jw_key(&w, "token_type");
    sl_jw_str(&w, "Bearer");
    sl_jw_obj_end(&w);
    sl_buf_wipe(&tok);
    snprintf(r->who.id, sizeof r->who.id, "mi");
    sl_logr(v->log, SL_LOG_INFO, "audit", r->id, "op=token grant=managed_identity caller=mi "
            "outcome=ok expires_in=%d", ACCESS_TTL);
    sl_vault_respond_json(r, 200, &b);
}

/* ------------------------------------------------------------------------ */
/* POST /admin/tokens                                                       */
/* ------------------------------------------------------------------------ */

typedef struct mint_job {
    sl_vault_req_t *r;
    sl_vault_tok_t *tok;
    char secret[96];
} mint_job_t;

static int mint_prepare(sl_vault_write_t *w)
{
    mint_job_t *j = w->arg;
    char hex[17], ident[32];
    sl_vault_tok_id_hex(j->tok, hex);
    snprintf(ident, sizeof ident, "token:%s", hex);
    sl_buf_t pt = SL_BUF_INIT;
    sl_vault_tok_encode(j->tok, &pt);
    sl_vault_file_seal(w->vault->rec_key, SL_VAULT_REC_TOKEN, ident, pt.data, pt.len, &w->data);
    sl_buf_wipe(&pt);
    sl_vault__tok_path(w->vault, j->tok, w->path, sizeof w->path);
    return 0;
}

static void mint_done(sl_vault_write_t *w, int rc)
{
    mint_job_t *j = w->arg;
    sl_vault_t *v = w->vault;
    sl_vault_req_t *r = j->r;
    sl_vault_tok_t *t = j->tok;
    char hex[17];
    sl_vault_tok_id_hex(t, hex);
    if (!rc) {
        sl_vault_toklist_add(&v->tokens, t);
        sl_logr(v->log, SL_LOG_INFO, "audit", r->id, "op=tokenCreate id=%s kind=%s caller=%s "
                "outcome=ok", hex, t->kind == SL_VAULT_TOK_CLIENT ? "client" : "static",
                r->who.id);
    } else {
        sl_log(v->log, SL_LOG_ERROR, "vault", "token create failed: %s", w->diag.msg);
    }
    if (sl_vault_req_resume(r)) {
        if (rc) {
            sl_vault_respond_error(r, 500, "InternalError", NULL,
                                   "The token could not be stored; nothing was created.");
        } else {
            sl_buf_t b = SL_BUF_INIT, perms = SL_BUF_INIT;
            sl_vault_perms_format(t->perms, &perms);
            sl_jw_t jw;
            sl_jw_init(&jw, &b);
            sl_jw_obj_begin(&jw);
            sl_jw_key(&jw, "id");
            sl_jw_str(&jw, hex);
            sl_jw_key(&jw, "kind");
            sl_jw_str(&jw, t->kind == SL_VAULT_TOK_CLIENT ? "client" : "static");
            sl_jw_key(&jw, "name");
            sl_jw_str(&jw, t->name);
            sl_jw_key(&jw, "permissions");
            sl_jw_str(&jw, perms.data);
            sl_jw_key(&jw, "keys");
            sl_jw_arr_begin(&jw);
            for (size_t i = 0; i < t->nkeys; i++)
                sl_jw_str(&jw, t->keys[i]);
            sl_jw_arr_end(&jw);
            sl_jw_key(&jw, "expires");
            sl_jw_int(&jw, t->expires);
            if (t->kind == SL_VAULT_TOK_CLIENT) {
                char cid[37];
                sl_guid_format(&t->client_id, cid);
                sl_buf_t url = SL_BUF_INIT;
                sl_buf_printf(&url, "%s/%s/oauth2/v2.0/token", v->public_url, v->tenant);
                sl_jw_key(&jw, "client_id");
                sl_jw_str(&jw, cid);
                sl_jw_key(&jw, "client_secret");
                sl_jw_str(&jw, j->secret);
                sl_jw_key(&jw, "tenant");
                sl_jw_str(&jw, v->tenant);
                sl_jw_key(&jw, "token_endpoint");
                sl_jw_strn(&jw, url.data, url.len);
                sl_jw_key(&jw, "scope");
                sl_buf_reset(&url);
                sl_buf_printf(&url, "%s/.default", v->opts->resource);
                sl_jw_strn(&jw, url.data, url.len);
                sl_buf_dispose(&url);
            } else {
                sl_jw_key(&jw, "token");
                sl_jw_str(&jw, j->secret);
            }
            sl_jw_obj_end(&jw);
            sl_buf_dispose(&perms);
            sl_vault_respond_json(r, 200, &b);
        }
    }
    if (rc)
        sl_free(t);
    sl_wipe(j->secret, sizeof j->secret);
    sl_free(j);
}

/* Reads "permissions" (a list string or an array of names). */
static bool read_perms(sl_vault_req_t *r, json_t *pj, unsigned *perms)
{
    sl_buf_t list = SL_BUF_INIT;
    if (json_is_string(pj)) {
        sl_buf_puts(&list, json_string_value(pj));
    } else if (json_is_array(pj)) {
        size_t i;
        json_t *e;
        json_array_foreach(pj, i, e)
        {
            const char *name = json_is_string(e) ? json_string_value(e) : "?";
            sl_buf_printf(&list, "%s%s", i ? "," : "", name);
        }
    } else if (pj) {
        sl_buf_puts(&list, "?");
    } else {
        sl_buf_puts(&list, "get,wrapKey,unwrapKey");
    }
    sl_diag_t d;
    int rc = sl_vault_perms_parse(list.data, perms, &d);
    sl_buf_dispose(&list);
    if (rc)
        sl_vault_respond_error(r, 400, "BadParameter", NULL, "permissions: %s", d.msg);
    return rc == 0;
}

void sl_vault_h_admin_token_create(sl_vault_req_t *r)
{
    json_t *body = sl_vault__body_object(r);
    if (!body)
        return;
    sl_vault_tok_t *t = sl_xcalloc(1, sizeof *t);
    json_t *keys = json_object_get(body, "keys");
    json_t *exp = json_object_get(body, "expires_in");
    json_t *name = json_object_get(body, "name");
    bool client = json_is_true(json_object_get(body, "client"));
    if (!read_perms(r, json_object_get(body, "permissions"), &t->perms))
        goto fail;
    if (keys && !json_is_null(keys)) {
        size_t i;
        json_t *e;
        if (!json_is_array(keys) || json_array_size(keys) > SL_VAULT_TOK_MAX_KEYS) {
            sl_vault_respond_error(r, 400, "BadParameter", NULL,
                                   "keys must be an array of at most %d key names.",
                                   SL_VAULT_TOK_MAX_KEYS);
            goto fail;
        }
        json_array_foreach(keys, i, e)
        {
            if (!json_is_string(e) || !sl_vault_name_valid(json_string_value(e))) {
                sl_vault_respond_error(r, 400, "BadParameter", NULL,
                                       "keys[%zu] is not a valid key name.", i);
                goto fail;
            }
            snprintf(t->keys[t->nkeys++], sizeof t->keys[0], "%s", json_string_value(e));
        }
    }
    int64_t ttl_ms = 30LL * 86400 * 1000;
    if (json_is_string(exp) && sl_duration_parse_ms(json_string_value(exp), &ttl_ms)) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "expires_in \"%.40s\" is not a duration (e.g. 30d, 12h, 3600s).",
                               json_string_value(exp));
        goto fail;
    }
    if (json_is_integer(exp))
        ttl_ms = json_integer_value(exp) * 1000;
    if (ttl_ms < 60000 || ttl_ms > 3650LL * 86400 * 1000) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "expires_in must be between 60s and 3650d.");
        goto fail;
    }
    if (json_is_string(name))
        snprintf(t->name, sizeof t->name, "%s", json_string_value(name));
    json_decref(body);
    mint_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    j->tok = t;
    /* Mint keeps the fields set above; it fills id, kind, hash (and client id). */
    sl_vault_tok_mint(r->vault->hash_key, client ? SL_VAULT_TOK_CLIENT : SL_VAULT_TOK_STATIC, t,
                      j->secret);
    t->created = now_s();
    t->expires = t->created + ttl_ms / 1000;
    sl_vault_write_t *w = sl_xcalloc(1, sizeof *w);
    w->prepare = mint_prepare;
    w->done = mint_done;
    w->arg = j;
    sl_vault_req_suspend(r);
    sl_vault__write_submit(r->vault, w);
    return;
fail:
    json_decref(body);
    sl_free(t);
}
