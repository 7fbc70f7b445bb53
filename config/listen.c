/*
 * Listener addresses and URL checks used by the settings table.
 */
#include "config/config_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_config_parse_listen(const char *s, sl_listen_addr_t *out)
{
    memset(out, 0, sizeof *out);
    if (!strncmp(s, "unix:", 5)) {
        size_t n = strlen(s + 5);
        if (n == 0 || n >= sizeof out->path)
            return SL_EPARSE;
        out->is_unix = true;
        memcpy(out->path, s + 5, n + 1);
        return 0;
    }
    const char *colon;
    const char *host = s;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return SL_EPARSE;
        host = s + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return SL_EPARSE;
        hlen = (size_t)(colon - s);
        if (memchr(s, ':', hlen))
            return SL_EPARSE; /* bare IPv6 needs brackets */
    }
    if (hlen == 0 || hlen >= sizeof out->host)
        return SL_EPARSE;
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    int64_t port;
    if (sl_parse_i64(colon + 1, strlen(colon + 1), &port) || port < 0 || port > 65535)
        return SL_EPARSE;
    out->port = (int)port;
    /* Hosts are addresses, or "localhost": a listener must not depend on DNS. */
    if (!strcmp(out->host, "localhost")) {
        snprintf(out->host, sizeof out->host, "127.0.0.1");
        return 0;
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET, out->host, buf) != 1 && inet_pton(AF_INET6, out->host, buf) != 1)
        return SL_EPARSE;
    return 0;
}

const char *sl_check_listen(const char *v)
{
    sl_listen_addr_t a;
    if (sl_config_parse_listen(v, &a))
        return "HOST:PORT (an IPv4 address, [IPv6] or localhost; port 0-65535) or unix:PATH";
    return NULL;
}

const char *sl_check_http_listen(const char *v)
{
    sl_listen_addr_t a;
    if (sl_config_parse_listen(v, &a) || a.is_unix)
        return "a loopback HOST:PORT such as 127.0.0.1:8080 (plain HTTP is never exposed)";
    unsigned char b[16];
    if (inet_pton(AF_INET, a.host, b) == 1 && b[0] == 127)
        return NULL;
    if (!strcmp(a.host, "::1"))
        return NULL;
    return "a loopback address (127.0.0.0/8 or [::1]); plain HTTP is never exposed beyond the host";
}

const char *sl_check_url(const char *v)
{
    if (strncmp(v, "https://", 8) && strncmp(v, "http://", 7))
        return "an absolute http:// or https:// URL";
    return NULL;
}
