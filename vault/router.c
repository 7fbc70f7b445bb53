/*
 * Routing and authentication: the order of checks is part of the contract.
 *
 *   1. route by path and method           404 / 405
 *   2. Key Vault routes: the bearer token 401 + WWW-Authenticate challenge,
 *      before the body is read — a Key Vault client's first request is a
 *      body-less probe (PROTOCOLS.md §4.5)
 *   3. api-version                        400 BadParameter
 *   4. key name                           400 BadParameter
 *   5. permission and key scope of token  403 Forbidden (ForbiddenByPolicy)
 *   6. the handler: body, key state, crypto
 *
 * Paths keep their empty segments (Key Vault's "/keys/k//wrapkey" means the
 * latest version), after dropping leading empty segments ("//keys/...", a
 * vault URL with a trailing slash) and one trailing empty segment ("/keys/k/"
 * is the same as "/keys/k", the latest version).
 */
#include "vault/vault_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const sl_vault_route_t sl_vault_routes[] = {
    { "GET", "healthz", SL_VAULT_AUTH_NONE, 0, "health", sl_vault_h_healthz },
    { "GET", "keys", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_LIST, "list", sl_vault_h_key_list },
    { "POST", "keys/{n}/create", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_CREATE, "create",
      sl_vault_h_key_create },
    { "GET", "keys/{n}/versions", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_LIST, "list",
      sl_vault_h_key_versions },
    { "GET", "keys/{n}", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_GET, "get", sl_vault_h_key_get },
    { "PATCH", "keys/{n}", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_UPDATE, "update",
      sl_vault_h_key_update },
    { "GET", "keys/{n}/{v}", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_GET, "get", sl_vault_h_key_get },
    { "PATCH", "keys/{n}/{v}", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_UPDATE, "update",
      sl_vault_h_key_update },
    { "POST", "keys/{n}/{v}/wrapkey", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_WRAP, "wrapKey",
      sl_vault_h_wrap },
    { "POST", "keys/{n}/{v}/unwrapkey", SL_VAULT_AUTH_KEYS, SL_VAULT_PERM_UNWRAP, "unwrapKey",
      sl_vault_h_unwrap },
    { "POST", "oauth2/v2.0/token", SL_VAULT_AUTH_NONE, 0, "token", sl_vault_h_oauth_token },
    { "POST", "{t}/oauth2/v2.0/token", SL_VAULT_AUTH_NONE, 0, "token", sl_vault_h_oauth_token },
    { "GET", "metadata/identity/oauth2/token", SL_VAULT_AUTH_NONE, 0, "token",
      sl_vault_h_imds_token },
    { "POST", "admin/tokens", SL_VAULT_AUTH_ADMIN, 0, "token create",
      sl_vault_h_admin_token_create },
};
const size_t sl_vault_routes_count = SL_ARRAY_SIZE(sl_vault_routes);

bool sl_vault_api_version_ok(const char *v)
{
    if (!strcmp(v, "2025-07-01"))
        return true;
    /* 7.0 ... 7.6, optionally "-preview" or "-preview.N". */
    if (strlen(v) < 3 || v[0] != '7' || v[1] != '.' || v[2] < '0' || v[2] > '6')
        return false;
    const char *rest = v + 3;
    if (!*rest)
        return true;
    if (strncmp(rest, "-preview", 8))
        return false;
    rest += 8;
    if (!*rest)
        return true;
    if (*rest++ != '.' || !*rest)
        return false;
    for (; *rest; rest++)
        if (*rest < '0' || *rest > '9')
            return false;
    return true;
}

typedef struct captures {
    const char *n, *v, *t;
} captures_t;

/* Matches segments [first, nseg) of `t` against `pattern`. Literals compare
 * without case (Key Vault's paths do); {n} and {t} must not be empty, {v}
 * may be — "/keys/k//wrapkey" is the latest version's wrapkey. */
static bool match(const char *pattern, const sl_target_t *t, size_t first, size_t nseg,
                  captures_t *c)
{
    memset(c, 0, sizeof *c);
    size_t seg = first;
    const char *p = pattern;
    while (*p) {
        size_t len = strcspn(p, "/");
        if (seg >= nseg)
            return false;
        const char *s = t->seg[seg];
        if (len == 3 && !memcmp(p, "{n}", 3)) {
            if (!*s)
                return false;
            c->n = s;
        } else if (len == 3 && !memcmp(p, "{t}", 3)) {
            if (!*s)
                return false;
            c->t = s;
        } else if (len == 3 && !memcmp(p, "{v}", 3)) {
            c->v = s; /* "" = the latest version */
        } else if (strlen(s) != len || strncasecmp(s, p, len) != 0) {
            return false;
        }
        seg++;
        p += len;
        if (*p == '/')
            p++;
    }
    return seg == nseg;
}

static bool authenticate(sl_vault_req_t *r)
{
    sl_vault_t *v = r->vault;
    const char *h;
    size_t hn;
    if (!sl_vault_req_header(r, "authorization", &h, &hn)) {
        sl_vault_respond_error(r, 401, "Unauthorized", NULL,
                               "Request is missing a Bearer or PoP token.");
        return false;
    }
    if (sl_vault_auth_verify(&v->auth, h, hn, sl_time_now() / SL_TICKS_PER_SEC, &r->who)) {
        snprintf(r->who.id, sizeof r->who.id, "invalid");
        sl_vault_respond_error(r, 401, "Unauthorized", "InvalidToken",
                               "The bearer token is malformed, expired, revoked, or was not "
                               "issued for this vault (audience %s).",
                               v->opts->resource);
        return false;
    }
    r->authed = true;
    return true;
}

/* Checks 3-5 of the header comment for a Key Vault route. */
static bool authorize_keys(sl_vault_req_t *r)
{
    const char *api = sl_target_param(&r->target, "api-version");
    if (!api) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "The api-version query parameter is missing; Key Vault has no "
                               "default version (use e.g. api-version=7.5).");
        return false;
    }
    if (!sl_vault_api_version_ok(api)) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "The specified api-version (%.40s) is not recognized. Use 7.0 to "
                               "7.6, a 7.x preview, or 2025-07-01.",
                               api);
        return false;
    }
    if (r->name && !sl_vault_name_valid(r->name)) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "The request URI contains an invalid name: %.140s (key names "
                               "are 1-127 letters, digits and dashes).",
                               r->name);
        return false;
    }
    const sl_vault_route_t *rt = r->route;
    if (!(r->who.perms & rt->perm)) {
        sl_vault_audit(r, rt->op, r->name, r->version, "denied:permission");
        sl_vault_respond_error(r, 403, "Forbidden", "ForbiddenByPolicy",
                               "The user, group or application '%s' does not have keys %s "
                               "permission on key vault '%s'.",
                               r->who.id, sl_vault_perm_name(rt->perm), r->vault->public_url);
        return false;
    }
    if (r->name && !sl_vault_principal_key_allowed(&r->who, r->name)) {
        sl_vault_audit(r, rt->op, r->name, r->version, "denied:key-scope");
        sl_vault_respond_error(r, 403, "Forbidden", "ForbiddenByPolicy",
                               "The user, group or application '%s' does not have keys %s "
                               "permission on key '%s' in key vault '%s'.",
                               r->who.id, sl_vault_perm_name(rt->perm), r->name,
                               r->vault->public_url);
        return false;
    }
    return true;
}

void sl_vault__dispatch(sl_vault_t *v, h2o_req_t *req)
{
    sl_vault_req_t *r = sl_vault__req_create(v, req);
    if (sl_target_parse(r->pool, req->path.base, req->path.len, true, &r->target)) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL, "The request target is malformed.");
        return;
    }
    const sl_target_t *t = &r->target;
    size_t first = 0, nseg = t->nseg;
    while (first < nseg && !*t->seg[first])
        first++;
    if (nseg > first && !*t->seg[nseg - 1])
        nseg--;

    bool path_known = false;
    sl_buf_t allow = SL_BUF_INIT;
    for (size_t i = 0; i < sl_vault_routes_count; i++) {
        const sl_vault_route_t *rt = &sl_vault_routes[i];
        captures_t c;
        if (!match(rt->pattern, t, first, nseg, &c))
            continue;
        if (strcmp(rt->method, r->method) != 0) {
            path_known = true;
            if (!strstr(allow.data ? allow.data : "", rt->method))
                sl_buf_printf(&allow, "%s%s", allow.len ? ", " : "", rt->method);
            continue;
        }
        sl_buf_dispose(&allow);
        r->route = rt;
        r->name = c.n;
        r->version = c.v;
        r->tenant = c.t;
        if (rt->auth == SL_VAULT_AUTH_KEYS) {
            if (!authenticate(r) || !authorize_keys(r))
                return;
        } else if (rt->auth == SL_VAULT_AUTH_ADMIN) {
            if (!authenticate(r))
                return;
            if (!r->who.admin) {
                sl_vault_respond_error(r, 403, "Forbidden", "ForbiddenByPolicy",
                                       "Only the vault's admin token may use %s.", t->path);
                return;
            }
        }
        rt->fn(r);
        return;
    }
    if (path_known) {
        sl_vault_req_add_header(r, "allow", allow.data);
        sl_buf_dispose(&allow);
        sl_vault_respond_error(r, 405, "MethodNotAllowed", NULL,
                               "Method %s is not allowed on %s.", r->method, t->path);
        return;
    }
    sl_buf_dispose(&allow);
    sl_vault_respond_error(r, 404, "NotFound", NULL, "The requested path %s does not exist.",
                           t->path);
}
