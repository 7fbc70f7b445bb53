/*
 * The HTTP/1.1 parser: every framing, fed in every split, and the errors
 * that must stop a stream.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/load.h"

/* Feeds `s` in pieces of `step` bytes; returns the bytes consumed until the
 * first message is done (or a negative error). */
static ssize_t feed_steps(sl_load_http_t *p, const char *s, size_t n, size_t step)
{
    size_t off = 0;
    while (off < n && !p->done) {
        size_t k = SL_MIN(step, n - off);
        ssize_t r = sl_load_http_feed(p, s + off, k);
        if (r < 0)
            return r;
        off += (size_t)r;
        if ((size_t)r < k && !p->done)
            return -999; /* stopped early without finishing */
    }
    return (ssize_t)off;
}

Test(load_http, content_length_response_in_any_split)
{
    const char *msg = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b c \r\n\r\nhelloHTTP/1.1";
    size_t first = strlen(msg) - 8;
    for (size_t step = 1; step <= strlen(msg); step++) {
        sl_load_http_t p;
        sl_load_http_init(&p, SL_LOAD_HTTP_RESPONSE, true, 4096, 4096);
        ssize_t used = feed_steps(&p, msg, strlen(msg), step);
        cr_assert_eq(used, (ssize_t)first, "step %zu", step);
        cr_assert(p.done);
        cr_expect_eq(p.status, 200);
        cr_expect_eq(p.body.len, 5);
        cr_expect(!memcmp(p.body.data, "hello", 5));
        size_t vn;
        const char *v = sl_load_http_header(&p, "x-a", &vn);
        cr_assert(v);
        cr_expect(vn == 3 && !memcmp(v, "b c", 3), "values are trimmed");
        cr_expect(!p.conn_close);
        sl_load_http_dispose(&p);
    }
}

Test(load_http, chunked_with_extensions_and_trailers)
{
    const char *msg = "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: gzip, chunked\r\n"
                      "Retry-After: 1\r\n\r\n4;ext=\"x\"\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\n"
                      "chunks.\r\n0\r\nX-Trailer: 1\r\n\r\n";
    for (size_t step = 1; step <= strlen(msg); step += 3) {
        sl_load_http_t p;
        sl_load_http_init(&p, SL_LOAD_HTTP_RESPONSE, true, 4096, 4096);
        cr_assert_eq(
          feed_steps(&p, msg, strlen(msg), step), (ssize_t)strlen(msg), "step %zu", step);
        cr_expect_eq(p.status, 503);
        cr_expect(p.chunked);
        cr_expect_eq(p.body.len, 23);
        cr_expect(!memcmp(p.body.data, "Wikipedia in\r\n\r\nchunks.", 23));
        sl_load_http_dispose(&p);
    }
}

Test(load_http, interim_and_bodiless_responses)
{
    sl_load_http_t p;
    sl_load_http_init(&p, SL_LOAD_HTTP_RESPONSE, false, 4096, 0);
    const char *msg =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n";
    cr_assert_eq(sl_load_http_feed(&p, msg, strlen(msg)), (ssize_t)strlen(msg));
    cr_expect(p.done);
    cr_expect_eq(p.status, 204, "the 100 is skipped, the 204 has no body");
    cr_expect_eq(p.body_n, 0);
    sl_load_http_reset(&p);
    const char *m2 = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
    cr_assert_eq(sl_load_http_feed(&p, m2, strlen(m2)), (ssize_t)strlen(m2));
    cr_expect(p.conn_close, "HTTP/1.0 closes unless keep-alive");
    cr_expect_eq(p.body_n, 2, "bodies are counted even when not kept");
    sl_load_http_reset(&p);
    const char *m3 =
      "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n";
    cr_assert_eq(sl_load_http_feed(&p, m3, strlen(m3)), (ssize_t)strlen(m3));
    cr_expect(p.conn_close);
    sl_load_http_dispose(&p);
}

Test(load_http, body_to_end_of_connection)
{
    sl_load_http_t p;
    sl_load_http_init(&p, SL_LOAD_HTTP_RESPONSE, true, 4096, 4096);
    const char *msg = "HTTP/1.1 500 Oops\r\n\r\npartial body";
    cr_assert_eq(sl_load_http_feed(&p, msg, strlen(msg)), (ssize_t)strlen(msg));
    cr_expect(!p.done);
    cr_expect(p.conn_close);
    cr_assert_eq(sl_load_http_eof(&p), 0);
    cr_expect(p.done);
    cr_expect_eq(p.body.len, 12);

    sl_load_http_reset(&p);
    cr_expect_eq(sl_load_http_eof(&p), SL_ENOTFOUND, "a clean close between messages");
    sl_load_http_feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 41);
    cr_expect_eq(sl_load_http_eof(&p), SL_EPARSE, "a body cut short");
    sl_load_http_dispose(&p);
}

Test(load_http, requests_and_pausing_after_the_head)
{
    sl_load_http_t p;
    sl_load_http_init(&p, SL_LOAD_HTTP_REQUEST, false, 4096, 1 << 20);
    p.pause_after_head = true;
    const char *msg = "\r\nPOST /api/logs?api-version=2016-04-01 HTTP/1.1\r\nHost: h\r\n"
                      "Content-Length: 3\r\n\r\n[1]GET / HTTP/1.1\r\n\r\n";
    size_t n = strlen(msg);
    ssize_t r = sl_load_http_feed(&p, msg, n);
    cr_assert_gt(r, 0);
    cr_expect(p.head_done && !p.done, "paused after the head");
    cr_expect_eq(p.method_n, 4);
    cr_expect(!memcmp(p.head.data, "POST", 4));
    cr_expect(p.target_n == 32 &&
              !memcmp(p.head.data + p.target_off, "/api/logs?api-version=2016-04-01", 32));
    p.keep_body = true;
    ssize_t r2 = sl_load_http_feed(&p, msg + r, n - (size_t)r);
    cr_assert_eq(r2, 3);
    cr_expect(p.done);
    cr_expect(p.body.len == 3 && !memcmp(p.body.data, "[1]", 3));
    sl_load_http_reset(&p);
    ssize_t r3 = sl_load_http_feed(&p, msg + r + r2, n - (size_t)(r + r2));
    cr_expect_eq(r3, (ssize_t)(n - (size_t)(r + r2)));
    cr_expect(p.done, "a request without a length has no body");
    sl_load_http_dispose(&p);
}

Test(load_http, broken_streams_are_refused)
{
    static const struct {
        int kind;
        const char *msg;
        int rc;
    } bad[] = {
        { SL_LOAD_HTTP_RESPONSE, "HTTP/2 200 OK\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE, "HTTP/1.1 20 OK\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE, "HTTP/1.1 700 Odd\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE, "HTTP/1.1 101 Switching\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE,
          "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
          SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE,
          "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
          SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE,
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
          SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE,
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
          SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE,
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
          SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE, "HTTP/1.1 200 OK\r\n folded\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_REQUEST, "POST  HTTP/1.1\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_REQUEST, "P(ST / HTTP/1.1\r\n\r\n", SL_EPARSE },
        { SL_LOAD_HTTP_REQUEST, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", SL_ELIMIT },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sl_load_http_t p;
        sl_load_http_init(&p, bad[i].kind, true, 4096, 10);
        ssize_t r = sl_load_http_feed(&p, bad[i].msg, strlen(bad[i].msg));
        cr_expect_eq(r, bad[i].rc, "case %zu: %zd", i, r);
        cr_expect(p.error != NULL, "case %zu gives a reason", i);
        cr_expect_lt(sl_load_http_feed(&p, "x", 1), 0, "case %zu: the stream stays failed", i);
        sl_load_http_dispose(&p);
    }
    /* Heads are bounded. */
    sl_load_http_t p;
    sl_load_http_init(&p, SL_LOAD_HTTP_RESPONSE, false, 64, 0);
    char big[200];
    memset(big, 'a', sizeof big);
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    cr_expect_eq(sl_load_http_feed(&p, big, sizeof big), SL_ELIMIT);
    sl_load_http_dispose(&p);
}
