/*
 * Loading and validating the node configuration.
 *
 * Each source (file, environment, flags) is parsed into the same staging
 * form — one string (or string list) per setting plus where it came from —
 * and a setting's final text is the one from the highest source. Only then
 * are values converted and checked, so every error message can say which
 * source supplied the bad value.
 */
#include "config/config_int.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct staged {
    bool set;
    char origin[160];
    sl_strlist_t values; /* one entry except for lists */
} staged_t;

static void strlist_add(sl_strlist_t *l, const char *s, size_t n)
{
    l->v = sl_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = sl_xstrndup(s, n);
}

static void strlist_clear(sl_strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        sl_free(l->v[i]);
    sl_free(l->v);
    l->v = NULL;
    l->n = 0;
}

static const sl_setting_t *find_setting(const char *name, size_t n)
{
    for (size_t i = 0; i < sl_settings_count; i++)
        if (strlen(sl_settings[i].name) == n && memcmp(sl_settings[i].name, name, n) == 0)
            return &sl_settings[i];
    return NULL;
}

/* Replaces the staged value of `s` with the items of `text` (comma-split for
 * lists when `split` is set). */
static void stage(staged_t *st, const sl_setting_t *s, const char *text, bool split,
                  const char *origin)
{
    staged_t *e = &st[s - sl_settings];
    strlist_clear(&e->values);
    e->set = true;
    snprintf(e->origin, sizeof e->origin, "%s", origin);
    if (s->type != SL_SET_LIST || !split) {
        strlist_add(&e->values, text, strlen(text));
        return;
    }
    const char *p = text;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        while (n && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (n)
            strlist_add(&e->values, p, n);
        if (!c)
            break;
        p = c + 1;
    }
}

static void stage_append(staged_t *st, const sl_setting_t *s, const char *text, const char *origin,
                         bool *fresh)
{
    staged_t *e = &st[s - sl_settings];
    if (!fresh[s - sl_settings]) {
        /* The first flag of a list replaces lower sources; later ones append. */
        strlist_clear(&e->values);
        fresh[s - sl_settings] = true;
    }
    e->set = true;
    snprintf(e->origin, sizeof e->origin, "%s", origin);
    strlist_add(&e->values, text, strlen(text));
}

/* Finds the 1-based line of `"key"` in the file text, for messages. */
static int line_of_key(const char *text, const char *key)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *hit = strstr(text, pat);
    if (!hit)
        return 0;
    int line = 1;
    for (const char *p = text; p < hit; p++)
        line += *p == '\n';
    return line;
}

static int load_file(const char *path, staged_t *st, sl_diag_t *d)
{
    sl_buf_t text = SL_BUF_INIT;
    int rc = sl_read_file(path, 1 << 20, &text);
    if (rc) {
        sl_diag_set(d, SL_ECONFIG, "cannot read config file %s: %s", path, sl_strerror(rc));
        sl_buf_dispose(&text);
        return SL_ECONFIG;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        sl_diag_set(d, SL_ECONFIG, "config file %s:%d:%d: %s", path, jerr.line, jerr.column,
                    jerr.text);
        sl_buf_dispose(&text);
        return SL_ECONFIG;
    }
    rc = 0;
    if (!json_is_object(root)) {
        rc = sl_diag_set(d, SL_ECONFIG, "config file %s: expected a JSON object of settings",
                         path);
        goto done;
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        char origin[160];
        int line = line_of_key(text.data, key);
        snprintf(origin, sizeof origin, "%s:%d", path, line);
        const sl_setting_t *s = find_setting(key, strlen(key));
        if (!s) {
            sl_buf_t known = SL_BUF_INIT;
            for (size_t i = 0; i < sl_settings_count; i++)
                sl_buf_printf(&known, "%s%s", i ? ", " : "", sl_settings[i].name);
            rc = sl_diag_set(d, SL_ECONFIG, "unknown setting \"%s\" at %s (known: %s)", key,
                             origin, known.data);
            sl_buf_dispose(&known);
            goto done;
        }
        char tmp[64];
        const char *txt = NULL;
        if (s->type == SL_SET_LIST && json_is_array(val)) {
            staged_t *e = &st[s - sl_settings];
            strlist_clear(&e->values);
            e->set = true;
            snprintf(e->origin, sizeof e->origin, "%s", origin);
            size_t i;
            json_t *item;
            json_array_foreach(val, i, item)
            {
                if (!json_is_string(item)) {
                    rc = sl_diag_set(d, SL_ECONFIG,
                                     "setting %s at %s: expected an array of strings", key,
                                     origin);
                    goto done;
                }
                strlist_add(&e->values, json_string_value(item), json_string_length(item));
            }
            continue;
        }
        if (json_is_string(val)) {
            txt = json_string_value(val);
        } else if (json_is_integer(val) &&
                   (s->type == SL_SET_INT || s->type == SL_SET_SIZE || s->type == SL_SET_DURATION)) {
            snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(val));
            txt = tmp;
        } else if (json_is_boolean(val) && s->type == SL_SET_BOOL) {
            txt = json_is_true(val) ? "true" : "false";
        } else {
            static const char *const want[] = { "a string",   "a string or an array of strings",
                                                "an integer", "true or false",
                                                "a duration string like \"10s\" or seconds",
                                                "a size like \"32MiB\" or bytes",
                                                "one of \"debug\", \"info\", \"warn\", \"error\", \"off\"" };
            rc = sl_diag_set(d, SL_ECONFIG, "setting %s at %s has the wrong type: expected %s", key,
                             origin, want[s->type]);
            goto done;
        }
        stage(st, s, txt, false, origin);
    }
done:
    json_decref(root);
    sl_buf_dispose(&text);
    return rc;
}

static void env_name(const sl_setting_t *s, char *out, size_t n)
{
    size_t o = (size_t)snprintf(out, n, "SEALOGD_");
    for (const char *p = s->name; *p && o + 1 < n; p++)
        out[o++] = (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

static int load_env(char **envp, staged_t *st, sl_diag_t *d)
{
    for (char **e = envp; e && *e; e++) {
        if (strncmp(*e, "SEALOGD_", 8) != 0)
            continue;
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        const sl_setting_t *found = NULL;
        for (size_t i = 0; i < sl_settings_count && !found; i++) {
            char name[96];
            env_name(&sl_settings[i], name, sizeof name);
            if (strlen(name) == (size_t)(eq - *e) && memcmp(name, *e, (size_t)(eq - *e)) == 0)
                found = &sl_settings[i];
        }
        if (!found)
            return sl_diag_set(d, SL_ECONFIG,
                               "unknown environment variable %.*s (sealogd settings are "
                               "SEALOGD_<SETTING>, see sealogd --help)",
                               (int)(eq - *e), *e);
        char origin[96];
        snprintf(origin, sizeof origin, "environment %.*s", (int)(eq - *e), *e);
        stage(st, found, eq + 1, true, origin);
    }
    return 0;
}

/* Converts the staged text of one setting into the config struct. */
static int apply(const sl_setting_t *s, const staged_t *e, sl_config_t *c, sl_diag_t *d)
{
    void *field = (char *)c + s->offset;
    const char *v = e->values.n ? e->values.v[0] : "";
    const char *origin = e->set ? e->origin : "default";
    const char *why = NULL;
    switch (s->type) {
    case SL_SET_STRING:
        if (s->check && *v && (why = s->check(v)))
            goto bad;
        *(char **)field = sl_xstrdup(v);
        return 0;
    case SL_SET_LIST: {
        sl_strlist_t *l = field;
        for (size_t i = 0; i < e->values.n; i++) {
            v = e->values.v[i];
            if (s->check && (why = s->check(v)))
                goto bad;
            strlist_add(l, v, strlen(v));
        }
        return 0;
    }
    case SL_SET_INT: {
        int64_t x;
        if (sl_parse_i64(v, strlen(v), &x) || x < s->min || x > s->max) {
            return sl_diag_set(d, SL_ECONFIG,
                               "invalid value \"%s\" for %s (from %s): expected an integer from "
                               "%lld to %lld",
                               v, s->name, origin, (long long)s->min, (long long)s->max);
        }
        *(int64_t *)field = x;
        return 0;
    }
    case SL_SET_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on")) {
            *(bool *)field = true;
        } else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") ||
                   !strcmp(v, "off")) {
            *(bool *)field = false;
        } else {
            why = "true or false";
            goto bad;
        }
        return 0;
    case SL_SET_DURATION: {
        int64_t ms;
        if (s->check && (why = s->check(v)))
            goto bad;
        if (sl_duration_parse_ms(v, &ms) || ms < s->min || ms > s->max)
            return sl_diag_set(d, SL_ECONFIG,
                               "invalid value \"%s\" for %s (from %s): expected a duration from "
                               "%llds to %llds, like \"10s\", \"500ms\", \"5m\", \"1h\", \"7d\"",
                               v, s->name, origin, (long long)(s->min / 1000),
                               (long long)(s->max / 1000));
        *(int64_t *)field = ms;
        return 0;
    }
    case SL_SET_SIZE: {
        uint64_t bytes;
        if (sl_size_parse(v, &bytes) || bytes < (uint64_t)s->min || bytes > (uint64_t)s->max)
            return sl_diag_set(d, SL_ECONFIG,
                               "invalid value \"%s\" for %s (from %s): expected a size from "
                               "%lld to %lld bytes, like \"32MiB\" or \"512KiB\"",
                               v, s->name, origin, (long long)s->min, (long long)s->max);
        *(uint64_t *)field = bytes;
        return 0;
    }
    case SL_SET_ENUM: {
        int lvl = sl_log_level_parse(v);
        if (lvl < 0) {
            why = "one of debug, info, warn, error, off";
            goto bad;
        }
        *(int *)field = lvl;
        return 0;
    }
    }
    return 0;
bad:
    return sl_diag_set(d, SL_ECONFIG, "invalid value \"%s\" for %s (from %s): expected %s", v,
                       s->name, origin, why);
}

static void flag_name(const sl_setting_t *s, char *out, size_t n)
{
    size_t o = (size_t)snprintf(out, n, "--");
    for (const char *p = s->name; *p && o + 1 < n; p++)
        out[o++] = *p == '_' ? '-' : *p;
    out[o] = '\0';
}

int sl_config_load(int argc, char **argv, char **envp, sl_config_t **out,
                   sl_config_action_t *action, sl_diag_t *d)
{
    staged_t *st = sl_xcalloc(sl_settings_count, sizeof *st);
    bool *fresh = sl_xcalloc(sl_settings_count, sizeof *fresh);
    sl_config_t *c = sl_xcalloc(1, sizeof *c);
    const char *file = NULL;
    int rc = 0;
    *action = SL_CONFIG_RUN;

    for (size_t i = 0; i < sl_settings_count; i++)
        stage(st, &sl_settings[i], sl_settings[i].def, true, "default");
    for (size_t i = 0; i < sl_settings_count; i++)
        st[i].set = false;

    /* First pass over flags: only --config and the actions, so that the file
     * is read before the environment and the other flags override it. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            *action = SL_CONFIG_HELP;
        } else if (!strcmp(a, "--version")) {
            *action = SL_CONFIG_VERSION;
        } else if (!strcmp(a, "--print-config-reference")) {
            *action = SL_CONFIG_REFERENCE;
        } else if (!strcmp(a, "--config") || !strncmp(a, "--config=", 9)) {
            if (a[8] == '=') {
                file = a + 9;
            } else if (i + 1 < argc) {
                file = argv[++i];
            } else {
                rc = sl_diag_set(d, SL_ECONFIG, "option --config needs a FILE argument");
                goto done;
            }
        }
    }
    if (*action != SL_CONFIG_RUN)
        goto done;
    if (file) {
        rc = load_file(file, st, d);
        if (rc)
            goto done;
        c->source_file = sl_xstrdup(file);
    }
    rc = load_env(envp, st, d);
    if (rc)
        goto done;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--config")) {
            i++;
            continue;
        }
        if (!strncmp(a, "--config=", 9))
            continue;
        if (strncmp(a, "--", 2) != 0) {
            rc = sl_diag_set(d, SL_ECONFIG, "unexpected argument \"%s\"; see --help", a);
            goto done;
        }
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const sl_setting_t *s = NULL;
        for (size_t k = 0; k < sl_settings_count && !s; k++) {
            char fname[96];
            flag_name(&sl_settings[k], fname, sizeof fname);
            if (strlen(fname) == nlen && !memcmp(fname, a, nlen))
                s = &sl_settings[k];
        }
        if (!s) {
            rc = sl_diag_set(d, SL_ECONFIG, "unknown option %.*s; see --help", (int)nlen, a);
            goto done;
        }
        const char *val;
        if (eq) {
            val = eq + 1;
        } else if (s->type == SL_SET_BOOL && (i + 1 >= argc || !strncmp(argv[i + 1], "--", 2))) {
            val = "true";
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            rc = sl_diag_set(d, SL_ECONFIG, "option %.*s needs a value", (int)nlen, a);
            goto done;
        }
        char origin[128];
        snprintf(origin, sizeof origin, "flag %.*s", (int)nlen, a);
        if (s->type == SL_SET_LIST)
            stage_append(st, s, val, origin, fresh);
        else
            stage(st, s, val, false, origin);
    }

    for (size_t i = 0; i < sl_settings_count; i++) {
        rc = apply(&sl_settings[i], &st[i], c, d);
        if (rc)
            goto done;
    }
    /* Cross-setting rules. */
    if (!*c->data_dir) {
        rc = sl_diag_set(d, SL_ECONFIG, "invalid value \"\" for data_dir: expected a directory");
        goto done;
    }
    if (!!*c->tls_cert_file != !!*c->tls_key_file) {
        rc = sl_diag_set(d, SL_ECONFIG,
                         "tls_cert_file and tls_key_file must be set together (got %s only)",
                         *c->tls_cert_file ? "tls_cert_file" : "tls_key_file");
        goto done;
    }
    if (c->max_body_size < c->dc_max_body) {
        rc = sl_diag_set(d, SL_ECONFIG,
                         "max_body_size (%llu bytes) must be at least dc_max_body (%llu bytes)",
                         (unsigned long long)c->max_body_size,
                         (unsigned long long)c->dc_max_body);
        goto done;
    }
    if (c->listen.n == 0 && c->http_listen.n == 0) {
        rc = sl_diag_set(d, SL_ECONFIG,
                         "no listeners: set listen or http_listen to at least one address");
        goto done;
    }
done:
    for (size_t i = 0; i < sl_settings_count; i++)
        strlist_clear(&st[i].values);
    sl_free(st);
    sl_free(fresh);
    if (rc || *action != SL_CONFIG_RUN) {
        sl_config_destroy(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

void sl_config_destroy(sl_config_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < sl_settings_count; i++) {
        void *field = (char *)c + sl_settings[i].offset;
        if (sl_settings[i].type == SL_SET_STRING)
            sl_free(*(char **)field);
        else if (sl_settings[i].type == SL_SET_LIST)
            strlist_clear(field);
    }
    sl_free(c->source_file);
    sl_free(c);
}

void sl_config_usage(sl_buf_t *out, const char *prog)
{
    sl_buf_printf(out,
                  "usage: %s [--config FILE] [options]\n\n"
                  "Starts the sealog node. With no options it keeps its data in ./sealog-data\n"
                  "and serves HTTPS on 127.0.0.1:8443 with a self-signed certificate.\n\n"
                  "Each setting below may also come from the config file (JSON, key as shown)\n"
                  "or the environment (SEALOGD_<KEY>); flags win over the environment, which\n"
                  "wins over the file.\n\n",
                  prog);
    for (size_t i = 0; i < sl_settings_count; i++) {
        const sl_setting_t *s = &sl_settings[i];
        char fname[96];
        flag_name(s, fname, sizeof fname);
        sl_buf_printf(out, "  %-22s default: %s\n      %s\n", fname, *s->def ? s->def : "(empty)",
                      s->doc);
    }
    sl_buf_puts(out, "\n  --config FILE          JSON config file\n"
                     "  --print-config-reference  print the settings table as Markdown\n"
                     "  --version, --help\n");
}

void sl_config_reference(sl_buf_t *out)
{
    static const char *const tname[] = { "string", "list", "integer", "bool",
                                         "duration", "size", "level" };
    sl_buf_puts(out, "| setting | flag | environment | type | default | description |\n"
                     "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sl_settings_count; i++) {
        const sl_setting_t *s = &sl_settings[i];
        char fname[96], ename[96];
        flag_name(s, fname, sizeof fname);
        env_name(s, ename, sizeof ename);
        sl_buf_printf(out, "| `%s` | `%s` | `%s` | %s | `%s` | %s", s->name, fname, ename,
                      tname[s->type], s->def, s->doc);
        if (s->type == SL_SET_INT)
            sl_buf_printf(out, " Range %lld–%lld.", (long long)s->min, (long long)s->max);
        else if (s->type == SL_SET_DURATION)
            sl_buf_printf(out, " Range %llds–%llds.", (long long)(s->min / 1000),
                          (long long)(s->max / 1000));
        else if (s->type == SL_SET_SIZE)
            sl_buf_printf(out, " Range %lld–%lld bytes.", (long long)s->min, (long long)s->max);
        sl_buf_puts(out, " |\n");
    }
}
