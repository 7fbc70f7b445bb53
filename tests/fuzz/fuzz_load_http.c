/*
 * Fuzzes what sealog-load reads from the outside: server responses (the
 * HTTP/1.1 parser in response mode, which the capture server also uses in
 * request mode) and input JSON lines (sl_load_row_parse). The first byte
 * picks the mode and how the input is cut into pieces, so framing across
 * piece boundaries is explored too. Checks the invariants the client relies
 * on: no byte is consumed twice or past the end, offsets stay inside the
 * head, kept bodies respect their limit, and row slices point into the line.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/load.h"

static void check_message(const sl_load_http_t *p)
{
    for (size_t i = 0; i < p->nhdr; i++) {
        const sl_load_http_hdr_t *h = &p->hdr[i];
        if ((size_t)h->name_off + h->name_n > p->head.len ||
            (size_t)h->value_off + h->value_n > p->head.len || h->name_n == 0)
            abort();
    }
    if (p->kind == SL_LOAD_HTTP_RESPONSE && (p->status < 100 || p->status > 599))
        abort();
    if (p->kind == SL_LOAD_HTTP_REQUEST && (size_t)p->target_off + p->target_n > p->head.len)
        abort();
    if (p->keep_body && (p->body.len > p->max_body || p->body.len != p->body_n))
        abort();
}

static void fuzz_http(const uint8_t *data, size_t size, uint8_t mode)
{
    sl_load_http_t p;
    sl_load_http_init(
      &p, mode & 1 ? SL_LOAD_HTTP_REQUEST : SL_LOAD_HTTP_RESPONSE, mode & 2, 512, 256);
    p.pause_after_head = mode & 4;
    size_t step = (size_t)(mode >> 3) + 1, off = 0;
    int messages = 0;
    while (off < size && messages < 64) {
        size_t n = SL_MIN(step, size - off);
        ssize_t r = sl_load_http_feed(&p, (const char *)data + off, n);
        if (r < 0) {
            if (!p.error)
                abort();
            break;
        }
        if ((size_t)r > n)
            abort();
        off += (size_t)r;
        if (p.head_done || p.done)
            check_message(&p);
        if (p.done) {
            messages++;
            sl_load_http_reset(&p);
        } else if (r == 0 && !(p.pause_after_head && p.head_done)) {
            abort(); /* no progress without a reason */
        }
    }
    if (sl_load_http_eof(&p) == 0)
        check_message(&p);
    sl_load_http_dispose(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    fuzz_http(data + 1, size - 1, mode);

    sl_load_row_t row;
    const char *line = (const char *)data + 1;
    if (sl_load_row_parse(line, size - 1, &row, NULL) == 0) {
        const sl_load_str_t *s[] = { &row.host, &row.app, &row.severity, &row.message };
        for (size_t i = 0; i < 4; i++)
            if (s[i]->p < line || s[i]->p + s[i]->n > line + size - 1)
                abort();
        /* What the reader accepts is copied into bodies verbatim. */
        sl_buf_t b = SL_BUF_INIT;
        sl_load_record_append(&b, SL_LOAD_MODE_DC, &row, 0);
        sl_buf_dispose(&b);
    }
    return 0;
}
