/*
 * URLs the vault client deals in: the configured vault URI, key identifiers
 * (kids) that come back from the vault, token endpoints. libcurl's URL
 * parser does the RFC 3986 work (IPv6 literals, IDN, percent-encoding); this
 * file normalizes the result so that two spellings of one vault compare
 * equal ("HTTPS://Vault.Example:443" and "https://vault.example"), which is
 * what lets the provider refuse a kid of another vault.
 */
#include "crypto/crypto_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void lower(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s - 'A' + 'a');
        }
    }
}

int sl_crypto__url_parse(const char *url, sl_kv_url_t *u, sl_diag_t *d)
{
    memset(u, 0, sizeof *u);
    if (!url || !*url || strlen(url) >= 2048) {
        return sl_diag_set(d, SL_EINVAL, "URL is empty or too long");
    }
    CURLU *h = curl_url();
    if (!h) {
        return sl_diag_set(d, SL_ENOMEM, "out of memory parsing a URL");
    }
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *user = NULL;
    int rc = 0;
    CURLUcode uc = curl_url_set(h, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        rc = sl_diag_set(d, SL_EINVAL, "'%.120s' is not a URL: %s", url, curl_url_strerror(uc));
        goto done;
    }
    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(h, CURLUPART_HOST, &host, 0);
    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    curl_url_get(h, CURLUPART_PATH, &path, CURLU_URLDECODE);
    curl_url_get(h, CURLUPART_QUERY, &query, 0);
    curl_url_get(h, CURLUPART_USER, &user, 0);
    if (!scheme || (strcasecmp(scheme, "https") && strcasecmp(scheme, "http"))) {
        rc = sl_diag_set(d, SL_EINVAL, "'%.120s' is not an http(s) URL", url);
        goto done;
    }
    if (!host || !*host || strlen(host) >= sizeof u->host) {
        rc = sl_diag_set(d, SL_EINVAL, "'%.120s' has no usable host", url);
        goto done;
    }
    if (user) {
        rc = sl_diag_set(d, SL_EINVAL, "'%.120s' carries user information", url);
        goto done;
    }
    if (path && strlen(path) >= sizeof u->path) {
        rc = sl_diag_set(d, SL_EINVAL, "'%.120s' has a path that is too long", url);
        goto done;
    }
    snprintf(u->scheme, sizeof u->scheme, "%s", scheme);
    lower(u->scheme);
    snprintf(u->host, sizeof u->host, "%s", host);
    lower(u->host);
    u->port = port ? atoi(port) : 0;
    bool https = !strcmp(u->scheme, "https");
    int def = https ? 443 : 80;
    if (u->port == def || u->port == 0) {
        snprintf(u->base, sizeof u->base, "%s://%s", u->scheme, u->host);
        u->port = def;
    } else {
        snprintf(u->base, sizeof u->base, "%s://%s:%d", u->scheme, u->host, u->port);
    }
    snprintf(u->path, sizeof u->path, "%s", path && *path ? path : "/");
    u->has_query = query != NULL;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_free(user);
    curl_url_cleanup(h);
    return rc;
}

bool sl_crypto__host_is_local(const char *host, bool link_local)
{
    /* RFC 6761: "localhost" and names under it are loopback; libcurl resolves
     * them itself, without asking DNS. */
    size_t hn = strlen(host);
    if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]") ||
        (hn > 10 && !strcasecmp(host + hn - 10, ".localhost"))) {
        return true;
    }
    unsigned a, b, c, e;
    char tail;
    if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &e, &tail) != 4 || a > 255 || b > 255 ||
        c > 255 || e > 255) {
        return false;
    }
    return a == 127 || (link_local && a == 169 && b == 254);
}

bool sl_crypto__kv_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 127) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-')) {
            return false;
        }
    }
    return true;
}

bool sl_crypto__kv_version_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 63) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return true;
}

int sl_crypto__kid_parse(const char *kid, sl_kv_kid_t *out)
{
    memset(out, 0, sizeof *out);
    sl_kv_url_t u;
    if (sl_crypto__url_parse(kid, &u, NULL) || u.has_query) {
        return SL_EPARSE;
    }
    /* "/keys/{name}/{version}", nothing more */
    const char *p = u.path;
    if (strncasecmp(p, "/keys/", 6) != 0) {
        return SL_EPARSE;
    }
    p += 6;
    const char *slash = strchr(p, '/');
    if (!slash || (size_t)(slash - p) >= sizeof out->name) {
        return SL_EPARSE;
    }
    memcpy(out->name, p, (size_t)(slash - p));
    out->name[slash - p] = '\0';
    snprintf(out->version, sizeof out->version, "%.63s", slash + 1);
    if (strlen(slash + 1) >= sizeof out->version || !sl_crypto__kv_name_ok(out->name) ||
        !sl_crypto__kv_version_ok(out->version)) {
        memset(out, 0, sizeof *out);
        return SL_EPARSE;
    }
    snprintf(out->base, sizeof out->base, "%s", u.base);
    return 0;
}
