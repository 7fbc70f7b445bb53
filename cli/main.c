/*
 * sealog: command-line client. Global options come before the command:
 *   sealog [--endpoint URL] [--cacert FILE] [--token T] [-k] [--json] CMD ...
 * and may also be set with SEALOG_ENDPOINT, SEALOG_CA_FILE, SEALOG_TOKEN
 * (and SEALOG_WORKSPACE, the default workspace of `query`).
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: sealog [global options] COMMAND [args]\n"
    "\n"
    "Commands:\n"
    "  status                                   node state and version\n"
    "  query -w WS [QUERY | -f FILE | -]        run a KQL query; prints a table\n"
    "        [--timespan 1h|PT1H|START/END] [--format table|csv|json|raw] [--stats]\n"
    "        [--workspaces A,B] [--wait SECONDS] [--no-truncate]   (sealog query --help)\n"
    "  admin workspace create NAME [--retention DAYS]\n"
    "  admin workspace list [--all]\n"
    "  admin workspace show WS                  details and shared keys\n"
    "  admin workspace delete WS                soft delete\n"
    "  admin workspace regenerate-key WS [--key primary|secondary]\n"
    "  admin token create --kind admin|ingest|query [--scope S]... [--name N] [--expires-in 30d]\n"
    "  admin token list\n"
    "  admin token revoke ID\n"
    "  admin dcr create FILE|-                  a data collection rule (Azure's JSON shape)\n"
    "  admin dcr list | show ID | delete ID\n"
    "  admin dump --workspace WS --table T [--from ISO] [--to ISO] [--blocks]\n"
    "                                           stored rows (or blocks) as NDJSON\n"
    "  admin retention run                      purge expired data now\n"
    "  admin workspace link|unlink WS           new data under the customer-managed key, or not\n"
    "  admin cluster show                       identity, key vault properties, key state\n"
    "  admin cluster update [--identity-type SystemAssigned|UserAssigned|None [--user-assigned ID]]\n"
    "                       [--key-vault-uri URI --key-name NAME [--key-version V]]\n"
    "  admin audit list [--from SEQ] [--limit N] | admin audit verify\n"
    "\n"
    "Global options (or environment):\n"
    "  --endpoint URL   node URL, or unix:PATH     (SEALOG_ENDPOINT, default https://127.0.0.1:8443)\n"
    "  --cacert FILE    CA/certificate to trust    (SEALOG_CA_FILE, default ./sealog-data/tls/cert.pem if present)\n"
    "  --token TOKEN    bearer token               (SEALOG_TOKEN)\n"
    "  -k, --insecure   do not verify the TLS certificate\n"
    "  --json           print JSON instead of tables\n"
    "  -v, --verbose    show the HTTP exchange\n"
    "\n"
    "SEALOG_WORKSPACE names the workspace `sealog query` uses when -w is not given.\n";

int main(int argc, char **argv)
{
    cli_t c = { 0 };
    c.endpoint = getenv("SEALOG_ENDPOINT");
    c.cacert = getenv("SEALOG_CA_FILE");
    c.token = getenv("SEALOG_TOKEN");
    c.workspace = getenv("SEALOG_WORKSPACE");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if (!strcmp(argv[i], "--version")) {
            printf("sealog %s\n", SL_VERSION);
            return CLI_OK;
        } else if ((v = cli_opt(argc, argv, &i, "--endpoint"))) {
            c.endpoint = v;
        } else if ((v = cli_opt(argc, argv, &i, "--cacert"))) {
            c.cacert = v;
        } else if ((v = cli_opt(argc, argv, &i, "--token"))) {
            c.token = v;
        } else if (!strcmp(argv[i], "-k") || !strcmp(argv[i], "--insecure")) {
            c.insecure = true;
        } else if (!strcmp(argv[i], "--json")) {
            c.json = true;
        } else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
            c.verbose = true;
        } else {
            cli_usage_error("unknown option %s", argv[i]);
            return CLI_ERR_USAGE;
        }
    }
    if (!c.endpoint || !*c.endpoint)
        c.endpoint = "https://127.0.0.1:8443";
    if ((!c.cacert || !*c.cacert) && access("sealog-data/tls/cert.pem", R_OK) == 0)
        c.cacert = "sealog-data/tls/cert.pem";
    if (i >= argc) {
        fputs(usage, stderr);
        return CLI_ERR_USAGE;
    }
    /* --json may also follow the command, where people tend to type it. */
    int cargc = 0;
    char **cargv = sl_xcalloc((size_t)(argc - i) + 1, sizeof *cargv);
    for (int k = i + 1; k < argc; k++) {
        if (!strcmp(argv[k], "--json"))
            c.json = true;
        else
            cargv[cargc++] = argv[k];
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc;
    const char *cmd = argv[i];
    if (!strcmp(cmd, "status"))
        rc = cli_cmd_status(&c, cargc, cargv);
    else if (!strcmp(cmd, "admin"))
        rc = cli_cmd_admin(&c, cargc, cargv);
    else if (!strcmp(cmd, "query"))
        rc = cli_cmd_query(&c, cargc, cargv);
    else {
        cli_usage_error("unknown command \"%s\"", cmd);
        rc = CLI_ERR_USAGE;
    }
    sl_free(cargv);
    curl_global_cleanup();
    return rc;
}
