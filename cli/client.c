/*
 * The HTTP side of the CLI: one libcurl easy handle per exchange (the CLI
 * makes few), HTTP/2 over TLS when the node offers it, the node's CA file
 * or the system store, and Unix sockets for local use. An exchange that
 * asks for a tick (the query command's progress spinner) runs on a multi
 * handle polled every CLI_TICK_MS; the others use the plain easy call.
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

/* Runs the transfer on a multi handle so the caller's tick can run between
 * polls (the query spinner); libcurl's own progress callback fires only
 * about once a second while a response is pending. */
static CURLcode perform(CURL *h, const cli_req_t *rq)
{
    if (!rq->tick) {
        return curl_easy_perform(h);
    }
    CURLM *m = curl_multi_init();
    if (!m) {
        return CURLE_OUT_OF_MEMORY;
    }
    CURLcode rc = CURLE_OK;
    if (curl_multi_add_handle(m, h) != CURLM_OK) {
        curl_multi_cleanup(m);
        return CURLE_OUT_OF_MEMORY;
    }
    for (;;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(m, &running);
        if (mc == CURLM_OK && running) {
            mc = curl_multi_poll(m, NULL, 0, CLI_TICK_MS, NULL);
        }
        if (mc != CURLM_OK) {
            rc = CURLE_RECV_ERROR;
            break;
        }
        if (!running) {
            int left;
            CURLMsg *msg = curl_multi_info_read(m, &left);
            rc = msg && msg->msg == CURLMSG_DONE ? msg->data.result : CURLE_RECV_ERROR;
            break;
        }
        rq->tick(rq->tick_arg);
    }
    curl_multi_remove_handle(m, h);
    curl_multi_cleanup(m);
    return rc;
}

int cli_http_send(const cli_t *c, const cli_req_t *rq, long *status, sl_buf_t *resp)
{
    CURL *h = curl_easy_init();
    if (!h) {
        fprintf(stderr, "sealog: cannot initialise libcurl\n");
        return CLI_ERR_CONNECT;
    }
    char url[2048];
    if (!strncmp(c->endpoint, "unix:", 5)) {
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->endpoint + 5);
        snprintf(url, sizeof url, "http://localhost%s", rq->path);
    } else {
        size_t el = strlen(c->endpoint);
        while (el && c->endpoint[el - 1] == '/') {
            el--;
        }
        snprintf(url, sizeof url, "%.*s%s", (int)el, c->endpoint, rq->path);
    }
    struct curl_slist *hl = NULL;
    char auth[512];
    if (c->token && *c->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        hl = curl_slist_append(hl, auth);
    }
    char ct[128];
    if (rq->content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", rq->content_type);
        hl = curl_slist_append(hl, ct);
    }
    hl = curl_slist_append(hl, "Accept: application/json");
    for (const char *const *x = rq->headers; x && *x; x++) {
        hl = curl_slist_append(hl, *x);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "sealog-cli/" SL_VERSION);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    if (rq->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    }
    if (c->cacert && *c->cacert) {
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    }
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->verbose) {
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }
    CURLcode rc = perform(h, rq);
    if (rq->done) {
        rq->done(rq->tick_arg);
    }
    int ret = CLI_OK;
    if (rc != CURLE_OK) {
        fprintf(stderr, "sealog: cannot reach %s: %s\n", c->endpoint, curl_easy_strerror(rc));
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
            fprintf(stderr, "sealog: pass the node's certificate with --cacert "
                            "DATA_DIR/tls/cert.pem (or SEALOG_CA_FILE)\n");
        }
        ret = CLI_ERR_CONNECT;
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return ret;
}

int cli_http(const cli_t *c, const char *method, const char *path, const char *content_type,
             const char *body, size_t body_len, const char *const *headers, long *status,
             sl_buf_t *resp)
{
    cli_req_t rq = { .method = method,
                     .path = path,
                     .content_type = content_type,
                     .body = body,
                     .body_len = body_len,
                     .headers = headers };
    return cli_http_send(c, &rq, status, resp);
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
