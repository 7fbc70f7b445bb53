/*
 * `sealog admin ...` and `sealog status`: thin wrappers over the admin API
 * that print tables for people and the node's JSON for scripts (--json).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void num(json_t *o, const char *k, char *out, size_t n)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else
        snprintf(out, n, "%s", "");
}

static void url_seg(sl_buf_t *b, const char *s)
{
    sl_percent_encode(b, s, strlen(s));
}

int cli_cmd_status(cli_t *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    json_t *out;
    int rc = cli_json(c, "GET", "/admin/v1/status", NULL, &out);
    if (rc)
        return rc;
    if (c->json) {
        cli_print_json(out);
    } else {
        char up[32], ws[32];
        num(out, "uptimeSeconds", up, sizeof up);
        num(out, "workspaces", ws, sizeof ws);
        printf("node:        %s\nversion:     %s\nstate:       %s\nstarted:     %s (up %ss)\n"
               "data dir:    %s\nworkspaces:  %s\n",
               c->endpoint, jstr(out, "version"), jstr(out, "state"), jstr(out, "startedAt"), up,
               jstr(out, "dataDir"), ws);
    }
    json_decref(out);
    return CLI_OK;
}

static void print_ws_table(json_t *list)
{
    static const char *const hdr[] = { "NAME", "CUSTOMER ID", "RETENTION", "CREATED", "STATE" };
    cli_table_t *t = cli_table_create(hdr, 5);
    size_t i;
    json_t *w;
    json_array_foreach(list, i, w)
    {
        char ret[32];
        num(w, "retentionInDays", ret, sizeof ret);
        strncat(ret, "d", sizeof ret - strlen(ret) - 1);
        const char *cells[] = { jstr(w, "name"), jstr(w, "customerId"), ret,
                                jstr(w, "createdDate"),
                                strcmp(jstr(w, "provisioningState"), "Deleted") ? "active"
                                                                                : "deleted" };
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_destroy(t);
}

static void print_ws_detail(json_t *w)
{
    char ret[32];
    num(w, "retentionInDays", ret, sizeof ret);
    printf("name:                %s\ncustomerId:          %s\nretentionInDays:     %s\n"
           "createdDate:         %s\nprovisioningState:   %s\n",
           jstr(w, "name"), jstr(w, "customerId"), ret, jstr(w, "createdDate"),
           jstr(w, "provisioningState"));
    if (json_object_get(w, "deletedDate"))
        printf("deletedDate:         %s\n", jstr(w, "deletedDate"));
    if (json_object_get(w, "primarySharedKey"))
        printf("primarySharedKey:    %s\nsecondarySharedKey:  %s\n", jstr(w, "primarySharedKey"),
               jstr(w, "secondarySharedKey"));
}

static int ws_cmd(cli_t *c, int argc, char **argv)
{
    if (argc < 1) {
        cli_usage_error("admin workspace needs a command: create, list, show, delete, "
                        "regenerate-key, link, unlink");
        return CLI_ERR_USAGE;
    }
    const char *cmd = argv[0];
    json_t *out = NULL, *req = NULL;
    int rc;
    sl_buf_t path = SL_BUF_INIT;
    if (!strcmp(cmd, "list")) {
        bool all = false;
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--all"))
                all = true;
            else {
                cli_usage_error("unknown option %s", argv[i]);
                return CLI_ERR_USAGE;
            }
        }
        rc = cli_json(c, "GET", all ? "/admin/v1/workspaces?includeDeleted=true"
                                    : "/admin/v1/workspaces",
                      NULL, &out);
        if (!rc) {
            if (c->json)
                cli_print_json(out);
            else
                print_ws_table(json_object_get(out, "value"));
        }
        goto done;
    }
    if (argc < 2) {
        cli_usage_error("admin workspace %s needs a workspace name%s", cmd,
                        strcmp(cmd, "create") ? " or id" : "");
        return CLI_ERR_USAGE;
    }
    const char *ws = argv[1];
    sl_buf_puts(&path, "/admin/v1/workspaces");
    if (!strcmp(cmd, "create")) {
        req = json_object();
        json_object_set_new(req, "name", json_string(ws));
        for (int i = 2; i < argc; i++) {
            const char *v = cli_opt(argc, argv, &i, "--retention");
            if (!v) {
                cli_usage_error("unknown option %s", argv[i]);
                rc = CLI_ERR_USAGE;
                goto done;
            }
            json_object_set_new(req, "retentionInDays", json_integer(atoll(v)));
        }
        rc = cli_json(c, "POST", path.data, req, &out);
        if (!rc) {
            if (c->json)
                cli_print_json(out);
            else
                print_ws_detail(out);
        }
        goto done;
    }
    sl_buf_putc(&path, '/');
    url_seg(&path, ws);
    if (!strcmp(cmd, "show")) {
        rc = cli_json(c, "GET", path.data, NULL, &out);
        if (!rc) {
            json_t *keys = NULL;
            sl_buf_puts(&path, "/sharedKeys");
            rc = cli_json(c, "POST", path.data, NULL, &keys);
            if (!rc)
                json_object_update(out, keys);
            json_decref(keys);
        }
        if (!rc) {
            if (c->json)
                cli_print_json(out);
            else
                print_ws_detail(out);
        }
    } else if (!strcmp(cmd, "delete")) {
        rc = cli_json(c, "DELETE", path.data, NULL, &out);
        if (!rc) {
            if (c->json)
                cli_print_json(out);
            else
                printf("workspace %s deleted\n", jstr(out, "name"));
        }
    } else if (!strcmp(cmd, "link") || !strcmp(cmd, "unlink")) {
        rc = cli_cmd_ws_link(c, ws, !strcmp(cmd, "link"));
    } else if (!strcmp(cmd, "regenerate-key")) {
        const char *which = "primary";
        for (int i = 2; i < argc; i++) {
            const char *v = cli_opt(argc, argv, &i, "--key");
            if (!v) {
                cli_usage_error("unknown option %s", argv[i]);
                rc = CLI_ERR_USAGE;
                goto done;
            }
            which = v;
        }
        req = json_object();
        json_object_set_new(req, "keyName", json_string(which));
        sl_buf_puts(&path, "/regenerateSharedKey");
        rc = cli_json(c, "POST", path.data, req, &out);
        if (!rc) {
            if (c->json)
                cli_print_json(out);
            else
                print_ws_detail(out);
        }
    } else {
        cli_usage_error("unknown workspace command \"%s\"", cmd);
        rc = CLI_ERR_USAGE;
    }
done:
    sl_buf_dispose(&path);
    json_decref(out);
    json_decref(req);
    return rc;
}

static int token_cmd(cli_t *c, int argc, char **argv)
{
    if (argc < 1) {
        cli_usage_error("admin token needs a command: create, list, revoke");
        return CLI_ERR_USAGE;
    }
    const char *cmd = argv[0];
    json_t *out = NULL, *req = NULL;
    int rc = CLI_OK;
    if (!strcmp(cmd, "list")) {
        rc = cli_json(c, "GET", "/admin/v1/tokens", NULL, &out);
        if (!rc && c->json) {
            cli_print_json(out);
        } else if (!rc) {
            static const char *const hdr[] = { "ID", "KIND", "NAME", "SCOPES", "EXPIRES", "STATE" };
            cli_table_t *t = cli_table_create(hdr, 6);
            size_t i, k;
            json_t *tk, *s;
            json_array_foreach(json_object_get(out, "value"), i, tk)
            {
                sl_buf_t sc = SL_BUF_INIT;
                json_array_foreach(json_object_get(tk, "scopes"), k, s)
                    sl_buf_printf(&sc, "%s%s", k ? "," : "", json_string_value(s));
                const char *cells[] = { jstr(tk, "id"),      jstr(tk, "kind"),
                                        jstr(tk, "name"),    sc.data ? sc.data : "",
                                        jstr(tk, "expiresOn"), jstr(tk, "state") };
                cli_table_add(t, cells);
                sl_buf_dispose(&sc);
            }
            cli_table_print(t, stdout);
            cli_table_destroy(t);
        }
    } else if (!strcmp(cmd, "create")) {
        req = json_object();
        json_t *scopes = json_array();
        for (int i = 1; i < argc; i++) {
            const char *v;
            if ((v = cli_opt(argc, argv, &i, "--kind")))
                json_object_set_new(req, "kind", json_string(v));
            else if ((v = cli_opt(argc, argv, &i, "--name")))
                json_object_set_new(req, "name", json_string(v));
            else if ((v = cli_opt(argc, argv, &i, "--scope")))
                json_array_append_new(scopes, json_string(v));
            else if ((v = cli_opt(argc, argv, &i, "--expires-in")))
                json_object_set_new(req, "expiresIn", json_string(v));
            else {
                cli_usage_error("unknown option %s", argv[i]);
                json_decref(scopes);
                rc = CLI_ERR_USAGE;
                goto done;
            }
        }
        if (!json_object_get(req, "kind")) {
            cli_usage_error("admin token create needs --kind admin|ingest|query");
            json_decref(scopes);
            rc = CLI_ERR_USAGE;
            goto done;
        }
        json_object_set_new(req, "scopes", scopes);
        rc = cli_json(c, "POST", "/admin/v1/tokens", req, &out);
        if (!rc && c->json)
            cli_print_json(out);
        else if (!rc)
            printf("id:       %s\nkind:     %s\nexpires:  %s\ntoken:    %s\n"
                   "(the token is shown once; sealog keeps only its hash)\n",
                   jstr(out, "id"), jstr(out, "kind"), jstr(out, "expiresOn"),
                   jstr(out, "token"));
    } else if (!strcmp(cmd, "revoke")) {
        if (argc < 2) {
            cli_usage_error("admin token revoke needs a token id");
            return CLI_ERR_USAGE;
        }
        sl_buf_t path = SL_BUF_INIT;
        sl_buf_puts(&path, "/admin/v1/tokens/");
        url_seg(&path, argv[1]);
        rc = cli_json(c, "DELETE", path.data, NULL, &out);
        sl_buf_dispose(&path);
        if (!rc && c->json)
            cli_print_json(out);
        else if (!rc)
            printf("token %s revoked\n", jstr(out, "id"));
    } else {
        cli_usage_error("unknown token command \"%s\"", cmd);
        rc = CLI_ERR_USAGE;
    }
done:
    json_decref(out);
    json_decref(req);
    return rc;
}

static int dcr_cmd(cli_t *c, int argc, char **argv)
{
    if (argc < 1) {
        cli_usage_error("admin dcr needs a command: create FILE, list, show ID, delete ID");
        return CLI_ERR_USAGE;
    }
    const char *cmd = argv[0];
    json_t *out = NULL;
    int rc;
    if (!strcmp(cmd, "list")) {
        rc = cli_json(c, "GET", "/admin/v1/dataCollectionRules", NULL, &out);
        if (!rc && c->json) {
            cli_print_json(out);
        } else if (!rc) {
            static const char *const hdr[] = { "IMMUTABLE ID", "NAME", "STREAMS" };
            cli_table_t *t = cli_table_create(hdr, 3);
            size_t i;
            json_t *r;
            json_array_foreach(json_object_get(out, "value"), i, r)
            {
                json_t *props = json_object_get(r, "properties");
                sl_buf_t streams = SL_BUF_INIT;
                const char *k;
                json_t *v;
                json_object_foreach(json_object_get(props, "streamDeclarations"), k, v)
                    sl_buf_printf(&streams, "%s%s", streams.len ? "," : "", k);
                const char *cells[] = { jstr(props, "immutableId"), jstr(r, "name"),
                                        streams.data ? streams.data : "" };
                cli_table_add(t, cells);
                sl_buf_dispose(&streams);
            }
            cli_table_print(t, stdout);
            cli_table_destroy(t);
        }
        json_decref(out);
        return rc;
    }
    if (argc < 2) {
        cli_usage_error("admin dcr %s needs %s", cmd, strcmp(cmd, "create") ? "an id" : "a FILE");
        return CLI_ERR_USAGE;
    }
    if (!strcmp(cmd, "create")) {
        sl_buf_t body = SL_BUF_INIT;
        int r = strcmp(argv[1], "-") ? sl_read_file(argv[1], 1 << 20, &body) : 0;
        if (!strcmp(argv[1], "-")) {
            char chunk[4096];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0)
                sl_buf_append(&body, chunk, got);
        }
        if (r) {
            fprintf(stderr, "sealog: cannot read %s: %s\n", argv[1], sl_strerror(r));
            sl_buf_dispose(&body);
            return CLI_ERR_USAGE;
        }
        json_error_t err;
        json_t *req = json_loadb(body.data ? body.data : "", body.len, 0, &err);
        sl_buf_dispose(&body);
        if (!req) {
            fprintf(stderr, "sealog: %s is not JSON: %s (line %d)\n", argv[1], err.text, err.line);
            return CLI_ERR_USAGE;
        }
        rc = cli_json(c, "POST", "/admin/v1/dataCollectionRules", req, &out);
        json_decref(req);
        if (!rc && c->json)
            cli_print_json(out);
        else if (!rc)
            printf("immutableId:  %s\nendpoint:     %s\n",
                   jstr(json_object_get(out, "properties"), "immutableId"),
                   jstr(json_object_get(json_object_get(out, "properties"), "endpoints"),
                        "logsIngestion"));
        json_decref(out);
        return rc;
    }
    sl_buf_t path = SL_BUF_INIT;
    sl_buf_puts(&path, "/admin/v1/dataCollectionRules/");
    url_seg(&path, argv[1]);
    if (!strcmp(cmd, "show")) {
        rc = cli_json(c, "GET", path.data, NULL, &out);
        if (!rc)
            cli_print_json(out);
    } else if (!strcmp(cmd, "delete")) {
        rc = cli_json(c, "DELETE", path.data, NULL, &out);
        if (!rc && c->json)
            cli_print_json(out);
        else if (!rc)
            printf("data collection rule %s deleted\n", argv[1]);
    } else {
        cli_usage_error("unknown dcr command \"%s\"", cmd);
        rc = CLI_ERR_USAGE;
    }
    sl_buf_dispose(&path);
    json_decref(out);
    return rc;
}

/* sealog admin dump --workspace WS --table T [--from ISO] [--to ISO] [--blocks] */
static int dump_cmd(cli_t *c, int argc, char **argv)
{
    const char *ws = NULL, *table = NULL, *from = NULL, *to = NULL;
    bool blocks = false;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "--workspace")))
            ws = v;
        else if ((v = cli_opt(argc, argv, &i, "--table")))
            table = v;
        else if ((v = cli_opt(argc, argv, &i, "--from")))
            from = v;
        else if ((v = cli_opt(argc, argv, &i, "--to")))
            to = v;
        else if (!strcmp(argv[i], "--blocks"))
            blocks = true;
        else {
            cli_usage_error("unknown option %s", argv[i]);
            return CLI_ERR_USAGE;
        }
    }
    if (!ws || !table) {
        cli_usage_error("admin dump needs --workspace and --table");
        return CLI_ERR_USAGE;
    }
    sl_buf_t path = SL_BUF_INIT;
    sl_buf_puts(&path, "/admin/v1/dump?workspace=");
    url_seg(&path, ws);
    sl_buf_puts(&path, "&table=");
    url_seg(&path, table);
    if (from) {
        sl_buf_puts(&path, "&from=");
        url_seg(&path, from);
    }
    if (to) {
        sl_buf_puts(&path, "&to=");
        url_seg(&path, to);
    }
    if (blocks)
        sl_buf_puts(&path, "&blocks=true");
    sl_buf_t resp = SL_BUF_INIT;
    long status = 0;
    int rc = cli_http(c, "GET", path.data, NULL, NULL, 0, NULL, &status, &resp);
    if (!rc && status != 200) {
        json_t *j = json_loadb(resp.data ? resp.data : "", resp.len, 0, NULL);
        const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        fprintf(stderr, "sealog: %s (HTTP %ld)\n", msg ? msg : "dump failed", status);
        json_decref(j);
        rc = CLI_ERR_SERVER;
    } else if (!rc) {
        fwrite(resp.data ? resp.data : "", 1, resp.len, stdout);
    }
    sl_buf_dispose(&resp);
    sl_buf_dispose(&path);
    return rc;
}

static int retention_cmd(cli_t *c, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "run")) {
        cli_usage_error("admin retention needs a command: run");
        return CLI_ERR_USAGE;
    }
    json_t *out;
    int rc = cli_json(c, "POST", "/admin/v1/retention/run", NULL, &out);
    if (!rc)
        cli_print_json(out);
    json_decref(out);
    return rc;
}

int cli_cmd_admin(cli_t *c, int argc, char **argv)
{
    if (argc < 1) {
        cli_usage_error("admin needs a subject: workspace, token, dcr, dump, retention, cluster, "
                        "audit");
        return CLI_ERR_USAGE;
    }
    if (!strcmp(argv[0], "workspace") || !strcmp(argv[0], "workspaces") ||
        !strcmp(argv[0], "ws"))
        return ws_cmd(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "token") || !strcmp(argv[0], "tokens"))
        return token_cmd(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "dcr") || !strcmp(argv[0], "dcrs"))
        return dcr_cmd(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "dump"))
        return dump_cmd(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "retention"))
        return retention_cmd(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "cluster") || !strcmp(argv[0], "audit"))
        return cli_cmd_admin_cmk(c, argv[0], argc - 1, argv + 1);
    cli_usage_error("unknown admin subject \"%s\"", argv[0]);
    return CLI_ERR_USAGE;
}
