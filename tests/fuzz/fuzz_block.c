/*
 * Fuzzes the block decoder below the AEAD layer: the column decoder (every
 * encoding, every type), the block header reader, and the WAL batch payload
 * decoder. Authentication stops forged data from reaching these in
 * practice; they must still never read out of bounds, loop, or crash on
 * anything, should a key ever be compromised.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* First byte picks the column type, the rest is an encoded column. */
    sl_type_t type = (sl_type_t)(data[0] % 9 + 1);
    sl_col_t c;
    memset(&c, 0, sizeof c);
    c.type = type;
    if (sl_store__col_decode(data + 1, size - 1, &c, 1u << 16) == 0) {
        /* A decoded column is self-consistent: every value can be read. */
        for (size_t i = 0; i < c.n; i++) {
            if (sl_type_is_text(type)) {
                size_t n;
                const char *s = sl_col_text(&c, i, &n);
                if (n && !s)
                    abort();
            } else if (c.nulls.len && c.nulls.len < (c.n + 7) / 8) {
                abort();
            }
        }
        /* And re-encodes to something that decodes to the same count. */
        sl_buf_t enc = SL_BUF_INIT;
        sl_store__col_encode(&c, &enc);
        sl_col_t d;
        memset(&d, 0, sizeof d);
        d.type = type;
        if (sl_store__col_decode((uint8_t *)enc.data, enc.len, &d, 1u << 16) || d.n != c.n)
            abort();
        sl_buf_dispose(&d.nulls);
        sl_buf_dispose(&d.data);
        sl_buf_dispose(&d.offs);
        sl_buf_dispose(&enc);
    }
    sl_buf_dispose(&c.nulls);
    sl_buf_dispose(&c.data);
    sl_buf_dispose(&c.offs);

    sl_block_hdr_t h;
    (void)sl_store__block_hdr_read(data, size, &h);

    sl_batch_t *b;
    if (sl_store__batch_decode(data, size, &b) == 0) {
        for (size_t i = 0; i < b->rows.ncols; i++)
            if (b->rows.cols[i].n != b->rows.nrows)
                abort();
        sl_batch_destroy(b);
    }
    return 0;
}
