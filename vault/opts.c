/*
 * The server's start-up flags. The vault is configured by flags alone (no
 * file, no environment), like a tool started by a test or a demo script;
 * every value is checked before anything is created, and a bad one ends
 * start-up with one line naming the flag, the value and what is accepted.
 */
#include "vault/vault_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "usage: sealog-vault [flags]            run the vault\n"
    "       sealog-vault key|token ...      talk to a running vault (sealog-vault key --help)\n"
    "\n"
    "Flags:\n"
    "  --data-dir DIR                 data directory (default ./sealog-vault-data)\n"
    "  --listen HOST:PORT             HTTPS listener, repeatable (default 127.0.0.1:8444;\n"
    "                                 port 0 picks a free port)\n"
    "  --http-listen HOST:PORT        plain-HTTP listener on a loopback address, repeatable\n"
    "  --public-url URL               base of every kid (default: the first listener)\n"
    "  --soft-delete true|false       reported recovery level (default true)\n"
    "  --purge-protection true|false  reported recovery level (default true)\n"
    "  --tenant ID                    tenant in the 401 challenge (default: a GUID made on\n"
    "                                 first start)\n"
    "  --authority URL                authority in the 401 challenge (default: the public URL,\n"
    "                                 whose /{tenant}/oauth2/v2.0/token the vault serves)\n"
    "  --resource URL                 audience of access tokens and the challenge resource\n"
    "                                 (default https://vault.azure.net)\n"
    "  --managed-identity-permissions LIST\n"
    "                                 serve the IMDS-shaped token endpoint for an identity\n"
    "                                 with these permissions (e.g. get,wrapKey,unwrapKey)\n"
    "  --log-level LEVEL              debug, info, warn, error or off (default info)\n"
    "  --shutdown-timeout DURATION    drain limit on SIGTERM (default 10s)\n"
    "  --help, --version\n";

void sl_vault_usage(sl_buf_t *out)
{
    sl_buf_puts(out, usage_text);
}

void sl_vault_opts_destroy(sl_vault_opts_t *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->nlisten; i++)
        sl_free(o->listen[i]);
    for (size_t i = 0; i < o->nhttp; i++)
        sl_free(o->http_listen[i]);
    sl_free(o->listen);
    sl_free(o->http_listen);
    sl_free(o->data_dir);
    sl_free(o->public_url);
    sl_free(o->tenant);
    sl_free(o->authority);
    sl_free(o->resource);
    sl_free(o);
}

static void list_add(char ***v, size_t *n, const char *s)
{
    *v = sl_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = sl_xstrdup(s);
}

static int bad(sl_diag_t *d, const char *flag, const char *value, const char *want)
{
    return sl_diag_set(d, SL_ECONFIG, "%s \"%s\" is not valid: expected %s", flag, value, want);
}

static int parse_bool(const char *flag, const char *s, bool *out, sl_diag_t *d)
{
    if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "on"))
        *out = true;
    else if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "off"))
        *out = false;
    else
        return bad(d, flag, s, "true or false");
    return 0;
}

/* An http(s) URL that can sit inside a quoted header value; stored
 * without its trailing slashes. */
static int parse_url(const char *flag, const char *s, char **out, sl_diag_t *d)
{
    size_t n = strlen(s);
    bool scheme = !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7);
    const char *host = scheme ? strstr(s, "://") + 3 : "";
    bool clean = n < 256;
    for (size_t i = 0; clean && i < n; i++)
        clean = s[i] > 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\' && s[i] != '?' &&
                s[i] != '#';
    if (!scheme || !clean || !*host || *host == '/')
        return bad(d, flag, s, "an absolute http:// or https:// URL without query or quotes");
    while (n && s[n - 1] == '/')
        n--;
    sl_free(*out);
    *out = sl_xstrndup(s, n);
    return 0;
}

static int check_listen(const char *flag, const char *s, bool loopback, sl_diag_t *d)
{
    sl_listen_addr_t a;
    if (sl_config_parse_listen(s, &a) || a.is_unix)
        return bad(d, flag, s, "HOST:PORT (an IPv4 address, [IPv6] or localhost; port 0-65535)");
    if (loopback) {
        unsigned char b[16];
        bool lo = (inet_pton(AF_INET, a.host, b) == 1 && b[0] == 127) || !strcmp(a.host, "::1");
        if (!lo)
            return bad(d, flag, s, "a loopback address (127.0.0.0/8 or [::1]): plain HTTP never "
                                   "leaves the host");
    }
    return 0;
}

static bool tenant_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
            return false;
    return true;
}

static const char *const known_flags[] = {
    "--data-dir",  "--listen",           "--http-listen", "--public-url",
    "--authority", "--resource",         "--soft-delete", "--purge-protection",
    "--tenant",    "--managed-identity-permissions",      "--log-level",
    "--shutdown-timeout",
};

static bool known(const char *flag)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(known_flags); i++)
        if (!strcmp(known_flags[i], flag))
            return true;
    return false;
}

/* Applies one known flag and its value. */
static int apply(sl_vault_opts_t *o, const char *flag, const char *value, bool *listen_seen,
                 bool *pp_seen, sl_diag_t *d)
{
    if (!strcmp(flag, "--data-dir")) {
        if (!*value)
            return bad(d, flag, value, "a directory path");
        sl_free(o->data_dir);
        o->data_dir = sl_xstrdup(value);
    } else if (!strcmp(flag, "--listen")) {
        if (check_listen(flag, value, false, d))
            return SL_ECONFIG;
        if (!*listen_seen) {
            /* The first --listen replaces the default. */
            for (size_t i = 0; i < o->nlisten; i++)
                sl_free(o->listen[i]);
            o->nlisten = 0;
            *listen_seen = true;
        }
        list_add(&o->listen, &o->nlisten, value);
    } else if (!strcmp(flag, "--http-listen")) {
        if (check_listen(flag, value, true, d))
            return SL_ECONFIG;
        list_add(&o->http_listen, &o->nhttp, value);
    } else if (!strcmp(flag, "--public-url")) {
        return parse_url(flag, value, &o->public_url, d);
    } else if (!strcmp(flag, "--authority")) {
        return parse_url(flag, value, &o->authority, d);
    } else if (!strcmp(flag, "--resource")) {
        return parse_url(flag, value, &o->resource, d);
    } else if (!strcmp(flag, "--soft-delete")) {
        return parse_bool(flag, value, &o->soft_delete, d);
    } else if (!strcmp(flag, "--purge-protection")) {
        *pp_seen = true;
        return parse_bool(flag, value, &o->purge_protection, d);
    } else if (!strcmp(flag, "--tenant")) {
        if (!tenant_ok(value))
            return bad(d, flag, value, "1-64 of letters, digits, '-', '.', '_' (a GUID)");
        sl_free(o->tenant);
        o->tenant = sl_xstrdup(value);
    } else if (!strcmp(flag, "--managed-identity-permissions")) {
        sl_diag_t pd;
        if (sl_vault_perms_parse(value, &o->mi_perms, &pd))
            return sl_diag_set(d, SL_ECONFIG, "%s \"%s\" is not valid: %s", flag, value, pd.msg);
        o->mi_enabled = true;
    } else if (!strcmp(flag, "--log-level")) {
        int l = sl_log_level_parse(value);
        if (l < 0)
            return bad(d, flag, value, "debug, info, warn, error or off");
        o->log_level = l;
    } else if (!strcmp(flag, "--shutdown-timeout")) {
        int64_t ms;
        if (sl_duration_parse_ms(value, &ms) || ms < 0 || ms > 300000)
            return bad(d, flag, value, "a duration from 0s to 300s");
        o->shutdown_timeout_ms = ms;
    } else {
        return sl_diag_set(d, SL_ECONFIG, "unknown flag %s (see sealog-vault --help)", flag);
    }
    return 0;
}

int sl_vault_opts_parse(int argc, char **argv, sl_vault_opts_t **out, sl_vault_action_t *action,
                        sl_diag_t *d)
{
    sl_vault_opts_t *o = sl_xcalloc(1, sizeof *o);
    o->data_dir = sl_xstrdup("./sealog-vault-data");
    list_add(&o->listen, &o->nlisten, "127.0.0.1:8444");
    o->soft_delete = true;
    o->purge_protection = true;
    o->resource = sl_xstrdup("https://vault.azure.net");
    o->log_level = SL_LOG_INFO;
    o->shutdown_timeout_ms = 10000;
    *action = SL_VAULT_RUN;
    bool listen_seen = false, pp_seen = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            *action = SL_VAULT_HELP;
            continue;
        }
        if (!strcmp(a, "--version")) {
            *action = SL_VAULT_VERSION;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            sl_diag_set(d, SL_ECONFIG, "unexpected argument \"%s\" (see sealog-vault --help)", a);
            goto fail;
        }
        char flag[64];
        const char *value;
        const char *eq = strchr(a, '=');
        if (eq) {
            snprintf(flag, sizeof flag, "%.*s", (int)SL_MIN((size_t)(eq - a), sizeof flag - 1),
                     a);
            value = eq + 1;
        } else {
            snprintf(flag, sizeof flag, "%s", a);
            if (!known(flag)) {
                sl_diag_set(d, SL_ECONFIG, "unknown flag %s (see sealog-vault --help)", flag);
                goto fail;
            }
            if (i + 1 >= argc) {
                sl_diag_set(d, SL_ECONFIG, "flag %s needs a value (see sealog-vault --help)", a);
                goto fail;
            }
            value = argv[++i];
        }
        if (apply(o, flag, value, &listen_seen, &pp_seen, d))
            goto fail;
    }
    /* Purge protection only exists with soft delete: turning soft delete off
     * turns the default purge protection off with it. */
    if (!o->soft_delete && !pp_seen)
        o->purge_protection = false;
    if (o->purge_protection && !o->soft_delete) {
        sl_diag_set(d, SL_ECONFIG,
                    "--purge-protection true needs --soft-delete true (purge protection "
                    "protects soft-deleted keys)");
        goto fail;
    }
    *out = o;
    return 0;
fail:
    sl_vault_opts_destroy(o);
    return SL_ECONFIG;
}
