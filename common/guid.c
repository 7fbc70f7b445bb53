/*
 * GUIDs in the forms Azure clients send: dashed, undashed, braced; any case.
 * Stored as 16 bytes in text order, printed lower-case and dashed.
 */
#include "common/common.h"

#include <string.h>

int sl_guid_parse(const char *s, size_t n, sl_guid_t *out)
{
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
        s++;
        n -= 2;
    }
    char hex[32];
    size_t h = 0;
    if (n == 36) {
        for (size_t i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (s[i] != '-')
                    return SL_EPARSE;
                continue;
            }
            hex[h++] = s[i];
        }
    } else if (n == 32) {
        memcpy(hex, s, 32);
        h = 32;
    } else {
        return SL_EPARSE;
    }
    return sl_hex_decode(hex, h, out->b) ? SL_EPARSE : 0;
}

void sl_guid_format(const sl_guid_t *g, char out[37])
{
    char hex[33];
    sl_hex_encode(g->b, 16, hex);
    size_t o = 0;
    for (size_t i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[o++] = '-';
        out[o++] = hex[i];
    }
    out[o] = '\0';
}

void sl_guid_random(sl_guid_t *g)
{
    sl_random_bytes(g->b, 16);
    g->b[6] = (uint8_t)((g->b[6] & 0x0f) | 0x40);
    g->b[8] = (uint8_t)((g->b[8] & 0x3f) | 0x80);
}

bool sl_guid_is_zero(const sl_guid_t *g)
{
    static const uint8_t zero[16];
    return memcmp(g->b, zero, 16) == 0;
}
