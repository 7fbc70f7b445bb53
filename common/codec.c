/*
 * Byte encodings (base64, base64url, hex), kernel randomness, constant-time
 * comparison and wiping. These live in common/ because every layer needs
 * them; keyed cryptography lives in crypto/.
 */
#include "common/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const char b64std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t encode(const uint8_t *in, size_t n, char *out, const char *alpha, bool pad)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        if (pad)
            out[o++] = '=';
    }
    return o;
}

size_t sl_base64_encode(const void *in, size_t n, char *out)
{
    return encode(in, n, out, b64std, true);
}

size_t sl_base64url_encode(const void *in, size_t n, char *out)
{
    return encode(in, n, out, b64url, false);
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

int sl_base64_decode(const char *in, size_t n, uint8_t *out, size_t *out_n)
{
    /* Strip padding; the remainder must be a whole number of sextets. */
    size_t pad = 0;
    while (n > 0 && in[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if (n % 4 == 1)
        return SL_EPARSE;
    if (pad && (n + pad) % 4 != 0)
        return SL_EPARSE;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)in[i]);
        if (v < 0)
            return SL_EPARSE;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Non-canonical trailing bits are a sign of a truncated or altered value. */
    if (bits && (acc & ((1u << bits) - 1)))
        return SL_EPARSE;
    *out_n = o;
    return 0;
}

void sl_hex_encode(const void *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = in;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int sl_hex_decode(const char *in, size_t n, uint8_t *out)
{
    if (n % 2)
        return SL_EPARSE;
    for (size_t i = 0; i < n; i += 2) {
        int h = hexval((unsigned char)in[i]), l = hexval((unsigned char)in[i + 1]);
        if (h < 0 || l < 0)
            return SL_EPARSE;
        out[i / 2] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

void sl_random_bytes(void *p, size_t n)
{
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = getrandom(b, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "sealog: getrandom failed: %s\n", strerror(errno));
            abort();
        }
        b += r;
        n -= (size_t)r;
    }
}

bool sl_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

void sl_wipe(void *p, size_t n)
{
    if (p)
        explicit_bzero(p, n);
}
