/*
 * The HTTP side of the CLI: one libcurl easy handle per exchange (the CLI
 * makes few), HTTP/2 over TLS when the node offers it, the node's CA file
 * or the system store, and Unix sockets for local use.
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    sl_buf_append(arg, p, size * n);
    return size * n;
}

int cli_http(const cli_t *c, const char *method, const char *path, const char *content_type,
             const char *body, size_t body_len, const char *const *headers, long *status,
             sl_buf_t *resp)
{
    CURL *h = curl_easy_init();
    if (!h) {
        fprintf(stderr, "sealog: cannot initialise libcurl\n");
        return CLI_ERR_CONNECT;
    }
    char url[2048];
    if (!strncmp(c->endpoint, "unix:", 5)) {
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->endpoint + 5);
        snprintf(url, sizeof url, "http://localhost%s", path);
    } else {
        size_t el = strlen(c->endpoint);
        while (el && c->endpoint[el - 1] == '/')
            el--;
        snprintf(url, sizeof url, "%.*s%s", (int)el, c->endpoint, path);
    }
    struct curl_slist *hl = NULL;
    char auth[512];
    if (c->token && *c->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        hl = curl_slist_append(hl, auth);
    }
    char ct[128];
    if (content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
        hl = curl_slist_append(hl, ct);
    }
    hl = curl_slist_append(hl, "Accept: application/json");
    for (const char *const *x = headers; x && *x; x++)
        hl = curl_slist_append(hl, *x);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "sealog-cli/" SL_VERSION);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (c->cacert && *c->cacert)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->verbose)
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    CURLcode rc = curl_easy_perform(h);
    int ret = CLI_OK;
    if (rc != CURLE_OK) {
        fprintf(stderr, "sealog: cannot reach %s: %s\n", c->endpoint, curl_easy_strerror(rc));
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
            fprintf(stderr, "sealog: pass the node's certificate with --cacert "
                            "DATA_DIR/tls/cert.pem (or SEALOG_CA_FILE)\n");
        ret = CLI_ERR_CONNECT;
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return ret;
}

/* Prints the error a node sent, in any of its API shapes. */
static void print_server_error(long status, const sl_buf_t *b)
{
    json_t *j = json_loadb(b->data ? b->data : "", b->len, 0, NULL);
    json_t *e = j ? json_object_get(j, "error") : NULL;
    const char *code = NULL, *msg = NULL;
    if (json_is_object(e)) {
        code = json_string_value(json_object_get(e, "code"));
        msg = json_string_value(json_object_get(e, "message"));
    } else if (j) {
        code = json_string_value(json_object_get(j, "Error"));
        msg = json_string_value(json_object_get(j, "Message"));
    }
    if (msg)
        fprintf(stderr, "sealog: %s (HTTP %ld%s%s)\n", msg, status, code ? ", " : "",
                code ? code : "");
    else
        fprintf(stderr, "sealog: the node answered HTTP %ld%s%.*s\n", status, b->len ? ": " : "",
                (int)SL_MIN(b->len, 300), b->data ? b->data : "");
    json_decref(j);
}

int cli_json(const cli_t *c, const char *method, const char *path, json_t *req, json_t **out)
{
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    sl_buf_t resp = SL_BUF_INIT;
    long status = 0;
    *out = NULL;
    int rc = cli_http(c, method, path, body ? "application/json" : NULL, body,
                      body ? strlen(body) : 0, NULL, &status, &resp);
    free(body);
    if (rc == CLI_OK && (status < 200 || status > 299)) {
        print_server_error(status, &resp);
        rc = CLI_ERR_SERVER;
    } else if (rc == CLI_OK && resp.len) {
        json_error_t err;
        *out = json_loadb(resp.data, resp.len, 0, &err);
        if (!*out) {
            fprintf(stderr, "sealog: the node sent invalid JSON: %s\n", err.text);
            rc = CLI_ERR_SERVER;
        }
    }
    sl_buf_dispose(&resp);
    return rc;
}

void cli_print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s) {
        puts(s);
        free(s);
    }
}
