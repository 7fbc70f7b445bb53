/*
 * The client half of sealog-vault: `sealog-vault key ...` and
 * `sealog-vault token ...` talk to a running vault over HTTPS with libcurl
 * (one easy handle per exchange: a person's command makes a few).
 *
 * Options may appear anywhere after the command word, and come from the
 * environment when absent:
 *   --endpoint URL   SEALOG_VAULT_ENDPOINT   default https://127.0.0.1:8444
 *   --cacert FILE    SEALOG_VAULT_CA_FILE    default ./sealog-vault-data/tls/cert.pem
 *   --token TOKEN    SEALOG_VAULT_TOKEN      the admin token or a vault token
 *   --json           print the vault's JSON instead of tables
 *   -k, --insecure   do not verify the vault's certificate
 */
#include "vault/vault_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: sealog-vault key create NAME [--kty RSA|oct|oct-HSM] [--size BITS] [--ops LIST]\n"
    "                               [--expires ISO8601] [--not-before ISO8601] [--tag K=V]...\n"
    "       sealog-vault key list\n"
    "       sealog-vault key show NAME [--version V]      the key and its versions\n"
    "       sealog-vault key disable NAME [--version V]   default: the latest version\n"
    "       sealog-vault key enable NAME [--version V]\n"
    "       sealog-vault key rotate NAME                  a new version, same type and size\n"
    "       sealog-vault token create [--permissions LIST] [--keys NAME,...] [--expires-in 30d]\n"
    "                                 [--name NAME] [--client]\n"
    "\n"
    "Options (anywhere after the command; or the environment):\n"
    "  --endpoint URL   the vault                (SEALOG_VAULT_ENDPOINT, default "
    "https://127.0.0.1:8444)\n"
    "  --cacert FILE    its certificate          (SEALOG_VAULT_CA_FILE, default "
    "./sealog-vault-data/tls/cert.pem)\n"
    "  --token TOKEN    admin or vault token     (SEALOG_VAULT_TOKEN)\n"
    "  --json           print JSON\n"
    "  -k, --insecure   do not verify the certificate\n"
    "\n"
    "Permissions: get, list, create, update, wrapKey, unwrapKey, all (token create defaults\n"
    "to get,wrapKey,unwrapKey: what a sealog node needs). --client mints a client_id and\n"
    "client_secret for the OAuth2 client-credentials endpoint instead of a bearer token.\n";

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    sl_buf_append(arg, p, size * n);
    return size * n;
}

int sl_vault_cli_http(const sl_vault_cli_t *c, const char *method, const char *path,
                      const char *body, long *status, sl_buf_t *resp)
{
    CURL *h = curl_easy_init();
    if (!h) {
        fprintf(stderr, "sealog-vault: cannot initialise libcurl\n");
        return SL_VAULT_EXIT_CONNECT;
    }
    char url[2048], auth[600];
    if (!strncmp(path, "https://", 8) || !strncmp(path, "http://", 7)) {
        snprintf(url, sizeof url, "%s", path); /* a nextLink */
    } else {
        size_t el = strlen(c->endpoint);
        while (el && c->endpoint[el - 1] == '/')
            el--;
        snprintf(url, sizeof url, "%.*s%s", (int)el, c->endpoint, path);
    }
    struct curl_slist *hl = NULL;
    if (c->token && *c->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        hl = curl_slist_append(hl, auth);
    }
    if (body)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Accept: application/json");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "sealog-vault-cli/" SL_VERSION);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L); /* a 4096-bit key takes a while */
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    if (c->cacert && *c->cacert)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    CURLcode rc = curl_easy_perform(h);
    int ret = SL_VAULT_EXIT_OK;
    if (rc != CURLE_OK) {
        fprintf(stderr, "sealog-vault: cannot reach %s: %s\n", c->endpoint,
                curl_easy_strerror(rc));
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
            fprintf(stderr, "sealog-vault: pass the vault's certificate with --cacert "
                            "DATA_DIR/tls/cert.pem (or SEALOG_VAULT_CA_FILE)\n");
        ret = SL_VAULT_EXIT_CONNECT;
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    }
    sl_wipe(auth, sizeof auth);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return ret;
}

/* Takes the value of --name or --name=value at argv[*i]; NULL if argv[*i]
 * is not that option. A missing value is a usage error. */
static const char *take_opt(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int sl_vault_cli_main(int argc, char **argv)
{
    sl_vault_cli_t c = { 0 };
    c.endpoint = getenv("SEALOG_VAULT_ENDPOINT");
    c.cacert = getenv("SEALOG_VAULT_CA_FILE");
    c.token = getenv("SEALOG_VAULT_TOKEN");
    /* Global options are pulled out; the rest is the command's. */
    char **rest = sl_xcalloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        bool missing = false;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            sl_free(rest);
            return SL_VAULT_EXIT_OK;
        } else if ((v = take_opt(argc, argv, &i, "--endpoint", &missing))) {
            c.endpoint = v;
        } else if ((v = take_opt(argc, argv, &i, "--cacert", &missing))) {
            c.cacert = v;
        } else if ((v = take_opt(argc, argv, &i, "--token", &missing))) {
            c.token = v;
        } else if (!strcmp(argv[i], "--json")) {
            c.json = true;
        } else if (!strcmp(argv[i], "-k") || !strcmp(argv[i], "--insecure")) {
            c.insecure = true;
        } else if (missing) {
            fprintf(stderr, "sealog-vault: option %s needs a value\n", argv[i]);
            sl_free(rest);
            return SL_VAULT_EXIT_USAGE;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (!c.endpoint || !*c.endpoint)
        c.endpoint = "https://127.0.0.1:8444";
    if ((!c.cacert || !*c.cacert) && access("sealog-vault-data/tls/cert.pem", R_OK) == 0)
        c.cacert = "sealog-vault-data/tls/cert.pem";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc;
    if (!strcmp(rest[0], "key"))
        rc = sl_vault_cli_key(&c, nrest - 1, rest + 1);
    else
        rc = sl_vault_cli_token(&c, nrest - 1, rest + 1);
    curl_global_cleanup();
    sl_free(rest);
    return rc;
}
