/*
 * The client commands: `key create|list|show|disable|enable|rotate` speak
 * the Key Vault REST API itself (api-version 7.5), exactly as any Key Vault
 * client would; `token create` uses the vault's admin API. Output is an
 * aligned table for people, or the vault's own JSON with --json.
 */
#include "vault/vault_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API "api-version=7.5"

static int usage_error(const char *fmt, ...) SL_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sealog-vault: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see sealog-vault key --help)\n", stderr);
    va_end(ap);
    return SL_VAULT_EXIT_USAGE;
}

/* Prints the vault's error body in one line. */
static void print_error(long status, const sl_buf_t *b)
{
    json_t *j = json_loadb(b->data ? b->data : "", b->len, 0, NULL);
    json_t *e = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    json_t *ie = json_object_get(e, "innererror");
    const char *inner = json_string_value(json_object_get(ie, "code"));
    if (!msg && json_is_string(e)) { /* OAuth2 shape */
        code = json_string_value(e);
        msg = json_string_value(json_object_get(j, "error_description"));
    }
    if (msg)
        fprintf(stderr, "sealog-vault: %s (HTTP %ld%s%s%s%s)\n", msg, status, code ? ", " : "",
                code ? code : "", inner ? "/" : "", inner ? inner : "");
    else
        fprintf(stderr, "sealog-vault: the vault answered HTTP %ld\n", status);
    json_decref(j);
}

/* One JSON exchange; *out gets the parsed 2xx body. */
static int call(const sl_vault_cli_t *c, const char *method, const char *path, json_t *req,
                json_t **out)
{
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    sl_buf_t resp = SL_BUF_INIT;
    long status = 0;
    *out = NULL;
    int rc = sl_vault_cli_http(c, method, path, body, &status, &resp);
    free(body);
    if (rc == SL_VAULT_EXIT_OK && (status < 200 || status > 299)) {
        print_error(status, &resp);
        rc = SL_VAULT_EXIT_FAIL;
    } else if (rc == SL_VAULT_EXIT_OK) {
        json_error_t err;
        *out = json_loadb(resp.data ? resp.data : "", resp.len, 0, &err);
        if (!*out) {
            fprintf(stderr, "sealog-vault: the vault sent invalid JSON: %s\n", err.text);
            rc = SL_VAULT_EXIT_FAIL;
        }
    }
    sl_buf_dispose(&resp);
    return rc;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (s)
        puts(s);
    free(s);
}

/* Tables: rows of cells, printed with columns padded to their widest cell. */
typedef struct table {
    size_t ncols, nrows;
    char **cells;
} table_t;

static void table_add(table_t *t, const char *const *cells)
{
    t->cells = sl_xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = sl_xstrdup(cells[i] ? cells[i] : "");
    t->nrows++;
}

static void table_print(table_t *t, bool header)
{
    size_t w[8] = { 0 };
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols && c < 8; c++)
            w[c] = SL_MAX(w[c], strlen(t->cells[r * t->ncols + c]));
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            if (c + 1 < t->ncols)
                printf("%-*s  ", (int)w[c], s);
            else
                printf("%s\n", s);
        }
        if (r == 0 && header) {
            for (size_t c = 0; c < t->ncols; c++) {
                for (size_t k = 0; k < w[c]; k++)
                    putchar('-');
                fputs(c + 1 < t->ncols ? "  " : "\n", stdout);
            }
        }
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        sl_free(t->cells[i]);
    sl_free(t->cells);
}

/* Unix seconds as ISO 8601, "" for absent. */
static const char *when(json_t *j, char out[32])
{
    out[0] = '\0';
    if (json_is_integer(j))
        sl_time_format_iso8601(json_integer_value(j) * SL_TICKS_PER_SEC, out);
    return out;
}

static const char *enabled_of(json_t *attr)
{
    return json_is_true(json_object_get(attr, "enabled")) ? "yes" : "no";
}

/* The version part of a kid. */
static const char *kid_version(const char *kid)
{
    const char *s = kid ? strrchr(kid, '/') : NULL;
    return s ? s + 1 : "";
}

static void print_bundle(json_t *b)
{
    json_t *key = json_object_get(b, "key"), *attr = json_object_get(b, "attributes");
    const char *kid = json_string_value(json_object_get(key, "kid"));
    sl_buf_t ops = SL_BUF_INIT;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(key, "key_ops"), i, o)
    {
        sl_buf_printf(&ops, "%s%s", i ? "," : "", json_string_value(o));
    }
    char c[32], u[32], nbf[32], exp[32], bits[16] = "";
    const char *n = json_string_value(json_object_get(key, "n"));
    if (n)
        snprintf(bits, sizeof bits, "%zu", (strlen(n) * 6 / 8) * 8);
    else
        snprintf(bits, sizeof bits, "256");
    table_t t = { .ncols = 2 };
    const char *rows[][2] = {
        { "kid", kid },
        { "version", kid_version(kid) },
        { "kty", json_string_value(json_object_get(key, "kty")) },
        { "size", bits },
        { "key_ops", ops.data },
        { "enabled", enabled_of(attr) },
        { "created", when(json_object_get(attr, "created"), c) },
        { "updated", when(json_object_get(attr, "updated"), u) },
        { "not before", when(json_object_get(attr, "nbf"), nbf) },
        { "expires", when(json_object_get(attr, "exp"), exp) },
        { "recovery", json_string_value(json_object_get(attr, "recoveryLevel")) },
    };
    for (size_t r = 0; r < SL_ARRAY_SIZE(rows); r++)
        table_add(&t, rows[r]);
    table_print(&t, false);
    sl_buf_dispose(&ops);
}

/* GETs a list and every page after it through nextLink into one array, as
 * an SDK's pager would: people want the whole list, not page one. */
static int get_all(const sl_vault_cli_t *c, const char *path, json_t **out)
{
    json_t *all = json_array();
    char *next = sl_xstrdup(path);
    int rc = SL_VAULT_EXIT_OK;
    while (next && rc == SL_VAULT_EXIT_OK) {
        json_t *page;
        rc = call(c, "GET", next, NULL, &page);
        sl_free(next);
        next = NULL;
        if (rc)
            break;
        json_array_extend(all, json_object_get(page, "value"));
        const char *nl = json_string_value(json_object_get(page, "nextLink"));
        if (nl)
            next = sl_xstrdup(nl);
        json_decref(page);
    }
    sl_free(next);
    *out = all;
    return rc;
}

static void print_items(json_t *items, bool versions)
{
    table_t t = { .ncols = 5 };
    const char *head[] = { versions ? "VERSION" : "NAME", "ENABLED", "CREATED", "UPDATED",
                           "EXPIRES" };
    table_add(&t, head);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *attr = json_object_get(it, "attributes");
        char c[32], u[32], e[32];
        const char *row[] = { kid_version(json_string_value(json_object_get(it, "kid"))),
                              enabled_of(attr), when(json_object_get(attr, "created"), c),
                              when(json_object_get(attr, "updated"), u),
                              when(json_object_get(attr, "exp"), e) };
        table_add(&t, row);
    }
    table_print(&t, true);
}

/* Parses an ISO 8601 time into Unix seconds. */
static bool iso_seconds(const char *s, json_int_t *out)
{
    sl_ticks_t t;
    if (sl_time_parse_iso8601(s, strlen(s), &t))
        return false;
    *out = t / SL_TICKS_PER_SEC;
    return true;
}

static json_t *split_list(const char *s)
{
    json_t *a = json_array();
    while (*s) {
        size_t n = strcspn(s, ",");
        if (n)
            json_array_append_new(a, json_stringn(s, n));
        s += n + (s[n] == ',');
    }
    return a;
}

static int key_create(const sl_vault_cli_t *c, int argc, char **argv, const char *name)
{
    json_t *req = json_object(), *attr = json_object(), *tags = json_object();
    const char *kty = "RSA";
    json_int_t size = 0;
    int rc = SL_VAULT_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        json_int_t t;
        if (!v) {
            usage_error("option %s needs a value", a);
            goto done;
        }
        i++;
        if (!strcmp(a, "--kty")) {
            kty = v;
        } else if (!strcmp(a, "--size")) {
            size = atoll(v);
        } else if (!strcmp(a, "--ops")) {
            json_object_set_new(req, "key_ops", split_list(v));
        } else if (!strcmp(a, "--expires") || !strcmp(a, "--not-before")) {
            if (!iso_seconds(v, &t)) {
                usage_error("%s \"%s\" is not an ISO 8601 time", a, v);
                goto done;
            }
            json_object_set_new(attr, a[2] == 'e' ? "exp" : "nbf", json_integer(t));
        } else if (!strcmp(a, "--tag") && strchr(v, '=')) {
            const char *eq = strchr(v, '=');
            char *k = sl_xstrndup(v, (size_t)(eq - v));
            json_object_set_new(tags, k, json_string(eq + 1));
            sl_free(k);
        } else {
            usage_error("unknown option %s", a);
            goto done;
        }
    }
    json_object_set_new(req, "kty", json_string(kty));
    if (size)
        json_object_set_new(req, "key_size", json_integer(size));
    if (json_object_size(attr))
        json_object_set(req, "attributes", attr);
    if (json_object_size(tags))
        json_object_set(req, "tags", tags);
    char path[256];
    snprintf(path, sizeof path, "/keys/%s/create?" API, name);
    json_t *out;
    rc = call(c, "POST", path, req, &out);
    if (!rc)
        c->json ? print_json(out) : print_bundle(out);
    json_decref(out);
done:
    json_decref(req);
    json_decref(attr);
    json_decref(tags);
    return rc;
}

static int key_show(const sl_vault_cli_t *c, const char *name, const char *version)
{
    char path[320];
    snprintf(path, sizeof path, "/keys/%s/%s?" API, name, version ? version : "");
    json_t *b, *vers = NULL;
    int rc = call(c, "GET", path, NULL, &b);
    if (!rc) {
        snprintf(path, sizeof path, "/keys/%s/versions?" API, name);
        rc = get_all(c, path, &vers);
    }
    if (!rc && c->json) {
        json_object_set(b, "versions", vers);
        print_json(b);
    } else if (!rc) {
        print_bundle(b);
        putchar('\n');
        print_items(vers, true);
    }
    json_decref(b);
    json_decref(vers);
    return rc;
}

static int key_set_enabled(const sl_vault_cli_t *c, const char *name, const char *version,
                           bool enabled)
{
    char path[320];
    snprintf(path, sizeof path, "/keys/%s/%s?" API, name, version ? version : "");
    json_t *req = json_pack("{s:{s:b}}", "attributes", "enabled", enabled), *out;
    int rc = call(c, "PATCH", path, req, &out);
    json_decref(req);
    if (!rc && c->json)
        print_json(out);
    else if (!rc)
        printf("%s %s\n", json_string_value(json_object_get(json_object_get(out, "key"), "kid")),
               enabled ? "enabled" : "disabled");
    json_decref(out);
    return rc;
}

static int key_rotate(const sl_vault_cli_t *c, const char *name)
{
    /* A new version with the latest version's type, size and operations. */
    char path[320];
    snprintf(path, sizeof path, "/keys/%s?" API, name);
    json_t *cur, *out;
    int rc = call(c, "GET", path, NULL, &cur);
    if (rc)
        return rc;
    json_t *key = json_object_get(cur, "key");
    const char *n = json_string_value(json_object_get(key, "n"));
    json_t *req = json_object();
    json_object_set(req, "kty", json_object_get(key, "kty"));
    json_object_set(req, "key_ops", json_object_get(key, "key_ops"));
    if (n)
        json_object_set_new(req, "key_size", json_integer((json_int_t)(strlen(n) * 6 / 8) * 8));
    snprintf(path, sizeof path, "/keys/%s/create?" API, name);
    rc = call(c, "POST", path, req, &out);
    if (!rc)
        c->json ? print_json(out) : print_bundle(out);
    json_decref(out);
    json_decref(req);
    json_decref(cur);
    return rc;
}

int sl_vault_cli_key(sl_vault_cli_t *c, int argc, char **argv)
{
    if (argc < 1)
        return usage_error("key needs a subcommand");
    const char *sub = argv[0];
    if (!strcmp(sub, "list")) {
        json_t *all;
        int rc = get_all(c, "/keys?" API, &all);
        if (!rc)
            c->json ? print_json(all) : print_items(all, false);
        json_decref(all);
        return rc;
    }
    if (argc < 2)
        return usage_error("key %s needs a key name", sub);
    const char *name = argv[1];
    const char *version = NULL;
    if (strcmp(sub, "create") != 0)
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--version") && i + 1 < argc)
                version = argv[++i];
            else
                return usage_error("unexpected argument \"%s\"", argv[i]);
        }
    if (!strcmp(sub, "create"))
        return key_create(c, argc - 1, argv + 1, name);
    if (!strcmp(sub, "show"))
        return key_show(c, name, version);
    if (!strcmp(sub, "disable") || !strcmp(sub, "enable"))
        return key_set_enabled(c, name, version, sub[0] == 'e');
    if (!strcmp(sub, "rotate"))
        return key_rotate(c, name);
    return usage_error("unknown key subcommand \"%s\"", sub);
}

int sl_vault_cli_token(sl_vault_cli_t *c, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "create"))
        return usage_error("token needs the subcommand create");
    json_t *req = json_object(), *out;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--client")) {
            json_object_set_new(req, "client", json_true());
            continue;
        }
        if (i + 1 >= argc) {
            json_decref(req);
            return usage_error("option %s needs a value", a);
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--permissions"))
            json_object_set_new(req, "permissions", json_string(v));
        else if (!strcmp(a, "--keys"))
            json_object_set_new(req, "keys", split_list(v));
        else if (!strcmp(a, "--expires-in"))
            json_object_set_new(req, "expires_in", json_string(v));
        else if (!strcmp(a, "--name"))
            json_object_set_new(req, "name", json_string(v));
        else {
            json_decref(req);
            return usage_error("unknown option %s", a);
        }
    }
    int rc = call(c, "POST", "/admin/tokens", req, &out);
    json_decref(req);
    if (rc)
        return rc;
    if (c->json) {
        print_json(out);
    } else if (json_object_get(out, "client_id")) {
        printf("client_id:      %s\nclient_secret:  %s\ntenant:         %s\n"
               "token endpoint: %s\nscope:          %s\npermissions:    %s\n"
               "(the secret is shown once; the vault stores only its hash)\n",
               json_string_value(json_object_get(out, "client_id")),
               json_string_value(json_object_get(out, "client_secret")),
               json_string_value(json_object_get(out, "tenant")),
               json_string_value(json_object_get(out, "token_endpoint")),
               json_string_value(json_object_get(out, "scope")),
               json_string_value(json_object_get(out, "permissions")));
    } else {
        printf("%s\n", json_string_value(json_object_get(out, "token")));
        fflush(stdout); /* the token first, then the note, even on one terminal */
        fprintf(stderr, "token %s (%s); shown once, the vault stores only its hash\n",
                json_string_value(json_object_get(out, "id")),
                json_string_value(json_object_get(out, "permissions")));
    }
    json_decref(out);
    return SL_VAULT_EXIT_OK;
}
