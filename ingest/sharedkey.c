/*
 * The Data Collector API's SharedKey signature (PROTOCOLS.md §1.3). The
 * string to sign uses the received Content-Length, Content-Type and
 * x-ms-date exactly as sent, and the literal resource "/api/logs".
 */
#include "crypto/crypto.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <string.h>

static void mac(const uint8_t *key, size_t key_len, uint64_t content_length,
                const char *content_type, size_t ct_len, const char *date, size_t date_len,
                uint8_t out[SL_SHA256_LEN])
{
    sl_buf_t s = SL_BUF_INIT;
    sl_buf_printf(&s, "POST\n%llu\n", (unsigned long long)content_length);
    sl_buf_append(&s, content_type, ct_len);
    sl_buf_puts(&s, "\nx-ms-date:");
    sl_buf_append(&s, date, date_len);
    sl_buf_puts(&s, "\n/api/logs");
    sl_hmac_sha256(key, key_len, s.data, s.len, out);
    sl_buf_dispose(&s);
}

void sl_ingest_sharedkey_sign(const uint8_t *key, size_t key_len, uint64_t content_length,
                              const char *content_type, size_t ct_len, const char *date,
                              size_t date_len, char out[48])
{
    uint8_t m[SL_SHA256_LEN];
    mac(key, key_len, content_length, content_type, ct_len, date, date_len, m);
    size_t n = sl_base64_encode(m, sizeof m, out);
    out[n] = '\0';
}

bool sl_ingest_sharedkey_check(const uint8_t *key, size_t key_len, uint64_t content_length,
                               const char *content_type, size_t ct_len, const char *date,
                               size_t date_len, const char *sig, size_t sig_len)
{
    uint8_t want[SL_SHA256_LEN], got[48];
    size_t got_len = 0;
    /* Decode first: a signature of the wrong shape fails like a wrong one. */
    if (sig_len > 64 || sl_base64_decode(sig, sig_len, got, &got_len) || got_len != sizeof want)
        return false;
    mac(key, key_len, content_length, content_type, ct_len, date, date_len, want);
    return sl_ct_equal(want, got, sizeof want);
}

bool sl_ingest_log_type_valid(const char *s, size_t n)
{
    if (n == 0 || n > 100)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}
