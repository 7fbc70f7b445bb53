/*
 * `sealog admin cluster|audit` and `admin workspace link|unlink`: the
 * customer-managed key commands. Flag names follow `az monitor
 * log-analytics cluster update` (--key-vault-uri, --key-name,
 * --key-version, --identity-type) so runbooks translate directly.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_cluster(json_t *c)
{
    json_t *p = json_object_get(c, "properties");
    json_t *kv = json_object_get(p, "keyVaultProperties");
    json_t *ks = json_object_get(p, "keyState");
    printf("%-22s %s\n", "identity:", jstr(json_object_get(c, "identity"), "type"));
    printf("%-22s %s\n", "double encryption:",
           json_is_true(json_object_get(p, "isDoubleEncryptionEnabled")) ? "on" : "off");
    printf("%-22s %s\n", "key vault:", kv ? jstr(kv, "keyVaultUri") : "(service-managed key)");
    if (kv) {
        printf("%-22s %s\n", "key name:", jstr(kv, "keyName"));
        printf("%-22s %s\n", "key version:",
               *jstr(kv, "keyVersion") ? jstr(kv, "keyVersion") : "(latest)");
    }
    printf("%-22s %s\n", "key state:", jstr(ks, "state"));
    if (*jstr(ks, "keyId"))
        printf("%-22s %s\n", "wrapped under:", jstr(ks, "keyId"));
    if (*jstr(ks, "reason"))
        printf("%-22s %s\n", "reason:", jstr(ks, "reason"));
    printf("%-22s %lld\n", "linked workspaces:",
           (long long)json_integer_value(json_object_get(ks, "linkedWorkspaces")));
    printf("%-22s %lld records, %lld bytes\n", "refused while revoked:",
           (long long)json_integer_value(json_object_get(ks, "droppedRecords")),
           (long long)json_integer_value(json_object_get(ks, "droppedBytes")));
}

static int cluster_cmd(cli_t *c, int argc, char **argv)
{
    if (argc < 1 || (strcmp(argv[0], "show") && strcmp(argv[0], "update"))) {
        cli_usage_error("admin cluster needs a command: show, update");
        return CLI_ERR_USAGE;
    }
    json_t *out = NULL, *req = NULL;
    int rc;
    if (!strcmp(argv[0], "show")) {
        rc = cli_json(c, "GET", "/admin/v1/cluster", NULL, &out);
    } else {
        const char *uri = NULL, *name = NULL, *ver = NULL, *idt = NULL, *uai = NULL;
        for (int i = 1; i < argc; i++) {
            const char *v;
            if ((v = cli_opt(argc, argv, &i, "--key-vault-uri")))
                uri = v;
            else if ((v = cli_opt(argc, argv, &i, "--key-name")))
                name = v;
            else if ((v = cli_opt(argc, argv, &i, "--key-version")))
                ver = v;
            else if ((v = cli_opt(argc, argv, &i, "--identity-type")))
                idt = v;
            else if ((v = cli_opt(argc, argv, &i, "--user-assigned")))
                uai = v;
            else {
                cli_usage_error("unknown option %s", argv[i]);
                return CLI_ERR_USAGE;
            }
        }
        if (!uri && !name && !ver && !idt) {
            cli_usage_error("admin cluster update needs --identity-type or --key-vault-uri, "
                            "--key-name [--key-version]");
            return CLI_ERR_USAGE;
        }
        req = json_object();
        if (idt) {
            json_t *id = json_pack("{s:s}", "type", idt);
            if (uai)
                json_object_set_new(id, "userAssignedIdentities",
                                    json_pack("{s:{}}", uai));
            json_object_set_new(req, "identity", id);
        }
        if (uri || name || ver) {
            json_object_set_new(
                req, "properties",
                json_pack("{s:{s:s,s:s,s:s}}", "keyVaultProperties", "keyVaultUri",
                          uri ? uri : "", "keyName", name ? name : "", "keyVersion",
                          ver ? ver : ""));
        }
        rc = cli_json(c, "PATCH", "/admin/v1/cluster", req, &out);
    }
    if (!rc) {
        if (c->json)
            cli_print_json(out);
        else
            print_cluster(out);
    }
    json_decref(out);
    json_decref(req);
    return rc;
}

int cli_cmd_ws_link(cli_t *c, const char *ws, bool link)
{
    sl_buf_t path = SL_BUF_INIT;
    sl_buf_puts(&path, "/admin/v1/workspaces/");
    sl_percent_encode(&path, ws, strlen(ws));
    sl_buf_puts(&path, link ? "/link" : "/unlink");
    json_t *out = NULL;
    int rc = cli_json(c, "POST", path.data, NULL, &out);
    if (!rc) {
        if (c->json)
            cli_print_json(out);
        else
            printf("workspace %s %s: its new data goes to the %s scope\n", jstr(out, "name"),
                   link ? "linked" : "unlinked",
                   link ? "customer-managed key's" : "service-managed key's");
    }
    json_decref(out);
    sl_buf_dispose(&path);
    return rc;
}

static int audit_cmd(cli_t *c, int argc, char **argv)
{
    if (argc < 1 || (strcmp(argv[0], "list") && strcmp(argv[0], "verify"))) {
        cli_usage_error("admin audit needs a command: list, verify");
        return CLI_ERR_USAGE;
    }
    json_t *out = NULL;
    int rc;
    if (!strcmp(argv[0], "verify")) {
        rc = cli_json(c, "GET", "/admin/v1/audit/verify", NULL, &out);
        if (!rc) {
            bool ok = json_is_true(json_object_get(out, "valid"));
            if (c->json)
                cli_print_json(out);
            else if (ok)
                printf("audit log intact: %lld records, hash chain verified\n",
                       (long long)json_integer_value(json_object_get(out, "records")));
            else
                printf("audit log DAMAGED at record %lld: %s\n",
                       (long long)json_integer_value(json_object_get(out, "firstBadRecord")),
                       jstr(out, "message"));
            if (!ok)
                rc = CLI_ERR_SERVER;
        }
        json_decref(out);
        return rc;
    }
    const char *from = "1", *limit = "1000";
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "--from")))
            from = v;
        else if ((v = cli_opt(argc, argv, &i, "--limit")))
            limit = v;
        else {
            cli_usage_error("unknown option %s", argv[i]);
            return CLI_ERR_USAGE;
        }
    }
    char path[120];
    snprintf(path, sizeof path, "/admin/v1/audit?from=%lld&limit=%lld", atoll(from),
             atoll(limit));
    rc = cli_json(c, "GET", path, NULL, &out);
    if (!rc) {
        if (c->json) {
            cli_print_json(out);
        } else {
            size_t i;
            json_t *r;
            json_array_foreach(json_object_get(out, "value"), i, r)
            {
                char *det = json_dumps(json_object_get(r, "details"), JSON_COMPACT);
                printf("%6lld  %s  %-16s %s\n", (long long)json_integer_value(json_object_get(r, "seq")),
                       jstr(r, "time"), jstr(r, "kind"), det ? det : "{}");
                free(det);
            }
        }
    }
    json_decref(out);
    return rc;
}

int cli_cmd_admin_cmk(cli_t *c, const char *subject, int argc, char **argv)
{
    if (!strcmp(subject, "cluster"))
        return cluster_cmd(c, argc, argv);
    return audit_cmd(c, argc, argv);
}
