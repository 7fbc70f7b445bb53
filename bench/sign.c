/*
 * The Data Collector API's SharedKey signature (PROTOCOLS.md §1.3), as the
 * real agents compute it: the workspace key is distributed as base64 and the
 * *decoded* bytes are the HMAC key; the signed string has five lines — verb,
 * Content-Length, Content-Type, "x-ms-date:<date>", and the literal resource
 * "/api/logs" — joined by '\n' with no trailing newline.
 *
 * The signature depends on the body only through its length, which is why
 * the generator can prepare bodies long before it signs them.
 */
#include "bench/load.h"
#include "crypto/crypto.h"

#include <stdio.h>
#include <string.h>

int sl_load_sharedkey_init(sl_load_sharedkey_t *k, const char *key_b64, sl_diag_t *d)
{
    memset(k, 0, sizeof *k);
    size_t n = strlen(key_b64);
    /* Decode into a scratch buffer sized for the input, then check the limit:
     * the decoder needs 3n/4+3 bytes whatever the result will be. */
    uint8_t *tmp = sl_xmalloc(3 * n / 4 + 3);
    size_t out_n = 0;
    int rc = sl_base64_decode(key_b64, n, tmp, &out_n);
    if (rc || out_n == 0 || out_n > SL_LOAD_SHAREDKEY_MAX) {
        sl_wipe(tmp, 3 * n / 4 + 3);
        sl_free(tmp);
        return sl_diag_set(
          d, SL_EPARSE, "shared key must be base64 of 1..%d bytes", SL_LOAD_SHAREDKEY_MAX);
    }
    memcpy(k->key, tmp, out_n);
    k->key_n = out_n;
    sl_wipe(tmp, 3 * n / 4 + 3);
    sl_free(tmp);
    return 0;
}

void sl_load_sharedkey_dispose(sl_load_sharedkey_t *k)
{
    sl_wipe(k, sizeof *k);
}

size_t sl_load_sharedkey_string(size_t content_length,
                                const char *content_type,
                                const char *date,
                                char *out,
                                size_t cap)
{
    int n = snprintf(
      out, cap, "POST\n%zu\n%s\nx-ms-date:%s\n/api/logs", content_length, content_type, date);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

void sl_load_sharedkey_sign(const sl_load_sharedkey_t *k,
                            size_t content_length,
                            const char *content_type,
                            const char *date,
                            char out[SL_LOAD_SIG_B64_LEN + 1])
{
    char sts[512];
    size_t n = sl_load_sharedkey_string(content_length, content_type, date, sts, sizeof sts);
    uint8_t mac[SL_SHA256_LEN];
    sl_hmac_sha256(k->key, k->key_n, sts, n, mac);
    size_t m = sl_base64_encode(mac, sizeof mac, out);
    out[m] = '\0';
}
