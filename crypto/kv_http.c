/*
 * The HTTPS client of the vault provider and the token sources: libcurl's
 * easy interface, one blocking exchange per call.
 *
 * Why easy and not multi on the uv loop (DESIGN.md's table): every caller
 * is already off the event loop — the key monitor's own thread and
 * threadpool jobs (configure-time checks, rewraps) — and the exchanges are a
 * handful per interval. Blocking there costs nothing and keeps the provider
 * interface synchronous, as sl_kek_provider_t is. Nothing here may run on
 * the loop thread.
 *
 * Easy handles are kept in a small per-client pool so that connections (and
 * TLS sessions) are reused between calls; a handle is used by one thread at
 * a time. Safety settings on every exchange:
 *   - http and https only, never a redirect followed (a vault or token
 *     endpoint that redirects is answered as a failure);
 *   - TLS peer and host verification always on, with the configured CA file;
 *   - connect timeout min(5 s, total) and a total timeout per exchange;
 *   - the response body capped at SL_HTTP_MAX_BODY and kept in a locked,
 *     wiped buffer (it may hold an unwrapped key or an access token);
 *   - the Authorization header built here and wiped after use (libcurl's
 *     own copies inside its request buffer are outside our reach);
 *   - no signals (CURLOPT_NOSIGNAL), since callers are threads.
 */
#include "crypto/crypto_int.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POOL_MAX 4
#define HEADER_MAX 2048

struct sl_crypto_http {
    char *ca_file;
    int64_t timeout_ms;
    bool no_proxy;
    bool link_local_http;
    pthread_mutex_t mu;
    CURL *idle[POOL_MAX];
    int nidle;
};

int sl_crypto__http_create(const sl_crypto_http_opts_t *o, sl_crypto_http_t **out,
                           sl_diag_t *d)
{
    /* Reference-counted and thread-safe in libcurl >= 7.84 ("threadsafe"). */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return sl_diag_set(d, SL_ECRYPTO, "libcurl could not be initialised");
    }
    sl_crypto_http_t *h = sl_xcalloc(1, sizeof *h);
    h->ca_file = o->ca_file && *o->ca_file ? sl_xstrdup(o->ca_file) : NULL;
    h->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
    h->no_proxy = o->no_proxy;
    h->link_local_http = o->link_local_http;
    pthread_mutex_init(&h->mu, NULL);
    *out = h;
    return 0;
}

void sl_crypto__http_destroy(sl_crypto_http_t *h)
{
    if (!h) {
        return;
    }
    for (int i = 0; i < h->nidle; i++) {
        curl_easy_cleanup(h->idle[i]);
    }
    pthread_mutex_destroy(&h->mu);
    sl_free(h->ca_file);
    sl_free(h);
    curl_global_cleanup();
}

static CURL *handle_take(sl_crypto_http_t *h)
{
    CURL *c = NULL;
    pthread_mutex_lock(&h->mu);
    if (h->nidle > 0) {
        c = h->idle[--h->nidle];
    }
    pthread_mutex_unlock(&h->mu);
    return c ? c : curl_easy_init();
}

static void handle_give(sl_crypto_http_t *h, CURL *c)
{
    /* Options go, connections and TLS sessions stay (curl_easy_reset). */
    curl_easy_reset(c);
    pthread_mutex_lock(&h->mu);
    if (h->nidle < POOL_MAX) {
        h->idle[h->nidle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&h->mu);
    if (c) {
        curl_easy_cleanup(c);
    }
}

typedef struct sink {
    sl_crypto_http_resp_t *r;
    bool overflow;
} sink_t;

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    sink_t *s = arg;
    if (sl_crypto__secbuf_append(&s->r->body, p, size * n)) {
        s->overflow = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    return size * n;
}

static void header_value(const char *p, size_t n, const char **v, size_t *vn)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++, n--;
    }
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' ')) {
        n--;
    }
    *v = p;
    *vn = n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    sl_crypto_http_resp_t *r = arg;
    size_t len = size * n;
    if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
        /* A new response (after a 100 Continue): forget the previous one's. */
        r->www_auth[0] = r->location[0] = '\0';
        r->retry_after_s = -1;
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon) {
        return len;
    }
    size_t kn = (size_t)(colon - p);
    const char *v;
    size_t vn;
    header_value(colon + 1, len - kn - 1, &v, &vn);
    if (sl_strn_ieq(p, kn, "WWW-Authenticate", 16)) {
        size_t have = strlen(r->www_auth);
        if (have + vn + 2 < sizeof r->www_auth) {
            if (have) {
                r->www_auth[have++] = '\n';
            }
            memcpy(r->www_auth + have, v, vn);
            r->www_auth[have + vn] = '\0';
        }
    } else if (sl_strn_ieq(p, kn, "Location", 8)) {
        snprintf(r->location, sizeof r->location, "%.*s", (int)SL_MIN(vn, 200), v);
    } else if (sl_strn_ieq(p, kn, "Retry-After", 11)) {
        int64_t s;
        if (!sl_parse_i64(v, vn, &s) && s >= 0) {
            r->retry_after_s = s;
        }
    }
    return len;
}

/* Maps a failed transfer to our codes, with a message people can act on. */
static int transfer_error(CURLcode cc, const char *errbuf, const sl_crypto_http_t *h,
                          bool overflow, sl_diag_t *d)
{
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return sl_diag_set(d, SL_ETIMEOUT, "timed out after %lld ms (%s)",
                           (long long)h->timeout_ms, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return sl_diag_set(d, SL_ETRANSIENT, "DNS: %s", detail);
    case CURLE_COULDNT_CONNECT:
        return sl_diag_set(d, SL_ETRANSIENT, "cannot connect: %s", detail);
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return sl_diag_set(d, SL_ECONFIG, "TLS setup (CA file %s): %s",
                           h->ca_file ? h->ca_file : "(system)", detail);
    case CURLE_PEER_FAILED_VERIFICATION:
        return sl_diag_set(d, SL_ETRANSIENT, "TLS certificate verification failed: %s",
                           detail);
    case CURLE_SSL_CONNECT_ERROR:
        return sl_diag_set(d, SL_ETRANSIENT, "TLS handshake failed: %s", detail);
    case CURLE_FILESIZE_EXCEEDED: /* Content-Length over CURLOPT_MAXFILESIZE */
        return sl_diag_set(d, SL_ELIMIT, "answer larger than %d bytes", SL_HTTP_MAX_BODY);
    case CURLE_WRITE_ERROR:
        if (overflow) {
            return sl_diag_set(d, SL_ELIMIT, "answer larger than %d bytes", SL_HTTP_MAX_BODY);
        }
        return sl_diag_set(d, SL_ETRANSIENT, "%s", detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return sl_diag_set(d, SL_EINVAL, "%s", detail);
    default:
        /* reset, closed, partial answers, proxy trouble: the network's fault */
        return sl_diag_set(d, SL_ETRANSIENT, "%s", detail);
    }
}

int sl_crypto__http_do(sl_crypto_http_t *h, const sl_crypto_http_req_t *rq,
                       sl_crypto_http_resp_t *resp, sl_diag_t *d)
{
    memset(resp, 0, sizeof *resp);
    resp->retry_after_s = -1;
    sl_kv_url_t u;
    int rc = sl_crypto__url_parse(rq->url, &u, d);
    if (rc) {
        return rc;
    }
    if (strcmp(u.scheme, "https") != 0 && !sl_crypto__host_is_local(u.host, h->link_local_http)) {
        return sl_diag_set(d, SL_EINVAL,
                           "refusing plain http to %s: only loopback%s hosts may use it", u.host,
                           h->link_local_http ? " and link-local" : "");
    }
    rc = sl_crypto__secbuf_init(&resp->body, SL_HTTP_MAX_BODY);
    if (rc) {
        return sl_diag_set(d, rc, "cannot map a buffer for the answer");
    }
    CURL *c = handle_take(h);
    if (!c) {
        sl_crypto__secbuf_dispose(&resp->body);
        return sl_diag_set(d, SL_ENOMEM, "libcurl could not create a handle");
    }
    struct curl_slist *hl = NULL;
    char auth[SL_TOKEN_MAX + 32];
    auth[0] = '\0';
    if (rq->bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", rq->bearer);
        hl = curl_slist_append(hl, auth);
        sl_wipe(auth, sizeof auth);
    }
    for (const char *const *x = rq->headers; x && *x; x++) {
        hl = curl_slist_append(hl, *x);
    }
    char ctype[96];
    if (rq->body && rq->content_type) {
        snprintf(ctype, sizeof ctype, "Content-Type: %s", rq->content_type);
        hl = curl_slist_append(hl, ctype);
    }
    hl = curl_slist_append(hl, "Accept: application/json");
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    sink_t sink = { resp, false };
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "sealog/" SL_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)SL_MIN(h->timeout_ms, 5000));
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SL_HTTP_MAX_BODY);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->ca_file) {
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    }
    if (h->no_proxy) {
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    }
    if (rq->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
    } else if (!strcmp(rq->method, "GET")) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
    }
    CURLcode cc = curl_easy_perform(c);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    } else {
        rc = transfer_error(cc, errbuf, h, sink.overflow, d);
    }
    /* The Authorization line was copied by curl_slist_append: wipe that copy. */
    for (struct curl_slist *x = hl; x; x = x->next) {
        sl_wipe(x->data, strlen(x->data));
    }
    curl_slist_free_all(hl);
    if (cc == CURLE_OK || cc == CURLE_HTTP_RETURNED_ERROR) {
        handle_give(h, c);
    } else {
        /* A broken exchange may leave a connection in a state not worth keeping. */
        curl_easy_cleanup(c);
    }
    if (rc) {
        sl_crypto__secbuf_dispose(&resp->body);
    }
    return rc;
}

void sl_crypto__http_resp_dispose(sl_crypto_http_resp_t *r)
{
    sl_crypto__secbuf_dispose(&r->body);
}

int sl_crypto__http_status_code(long status)
{
    if (status >= 500 || (status >= 300 && status < 400)) {
        return SL_ETRANSIENT;
    }
    switch (status) {
    case 401:
        return SL_EAUTH;
    case 403:
        return SL_EFORBIDDEN;
    case 404:
        return SL_ENOTFOUND;
    case 408:
        return SL_ETIMEOUT;
    case 429:
        return SL_EBUSY;
    case 409: /* Conflict: a concurrent change on the vault's side */
    case 423:
    case 425:
        return SL_ETRANSIENT;
    default:
        return SL_EINVAL;
    }
}
