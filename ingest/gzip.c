/*
 * gzip request bodies (Content-Encoding: gzip). The size limit applies to
 * the inflated data, checked as it grows, so a small bomb cannot make the
 * node allocate more than the limit.
 */
#include "ingest/ingest.h"

#include <zlib.h>

int sl_ingest_gunzip(const char *in, size_t n, size_t max, sl_buf_t *out, sl_diag_t *d)
{
    z_stream z = { 0 };
    /* 16 + MAX_WBITS: gzip wrapper only. */
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return sl_diag_set(d, SL_ENOMEM, "cannot start gzip decoder");
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    int rc = 0;
    for (;;) {
        size_t room = 65536;
        if (out->len + room > max + 1)
            room = max + 1 - out->len;
        if (room == 0) {
            rc = sl_diag_set(d, SL_ELIMIT, "the body is larger than %zu bytes once decompressed",
                             max);
            break;
        }
        if (sl_buf_try_reserve(out, room)) {
            rc = sl_diag_set(d, SL_ENOMEM, "out of memory inflating the body");
            break;
        }
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)room;
        int zr = inflate(&z, Z_NO_FLUSH);
        out->len += room - z.avail_out;
        if (out->len > max) {
            rc = sl_diag_set(d, SL_ELIMIT, "the body is larger than %zu bytes once decompressed",
                             max);
            break;
        }
        if (zr == Z_STREAM_END) {
            if (z.avail_in != 0)
                rc = sl_diag_set(d, SL_EPARSE, "trailing data after the gzip stream");
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = sl_diag_set(d, SL_EPARSE, "the body is not valid gzip (%s)",
                             z.msg ? z.msg : "corrupt stream");
            break;
        }
        if (zr == Z_BUF_ERROR && z.avail_in == 0) {
            rc = sl_diag_set(d, SL_EPARSE, "the gzip stream is truncated");
            break;
        }
    }
    inflateEnd(&z);
    if (out->data)
        out->data[out->len] = '\0';
    return rc;
}
