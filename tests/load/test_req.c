/*
 * Request heads: the headers each API requires, exactly once, and a
 * SharedKey signature that verifies with the workspace key.
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "bench/load.h"

/* The value of header `name` in a head, or "" (first match). */
static const char *hdr(const char *head, const char *name, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\r\n%s: ", name);
    const char *p = strstr(head, pat);
    out[0] = '\0';
    if (p) {
        p += strlen(pat);
        size_t n = strcspn(p, "\r");
        snprintf(out, cap, "%.*s", (int)n, p);
    }
    return out;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

Test(load_req, data_collector_head_is_signed_and_complete)
{
    uint8_t raw[32];
    for (int i = 0; i < 32; i++)
        raw[i] = (uint8_t)(200 - i);
    char b64[64];
    b64[sl_base64_encode(raw, 32, b64)] = '\0';
    sl_load_sharedkey_t key;
    cr_assert_eq(sl_load_sharedkey_init(&key, b64, NULL), 0);
    sl_load_reqcfg_t c = { .mode = SL_LOAD_MODE_DC,
                           .authority = "127.0.0.1:8443",
                           .base_path = "",
                           .workspace_id = "5f2c7d1e-0000-4000-8000-000000000001",
                           .log_type = "Syslog",
                           .time_field = true };
    const char *date = "Sat, 23 Nov 2026 12:00:00 GMT";
    char sig[SL_LOAD_SIG_B64_LEN + 1];
    sl_load_sharedkey_sign(&key, 4321, "application/json", date, sig);
    sl_buf_t h = SL_BUF_INIT;
    sl_load_req_head(&h, &c, 4321, date, sig, NULL);

    cr_expect(!strncmp(h.data, "POST /api/logs?api-version=2016-04-01 HTTP/1.1\r\n", 48));
    cr_expect(h.len > 4 && !strcmp(h.data + h.len - 4, "\r\n\r\n"));
    char v[200];
    cr_expect_str_eq(hdr(h.data, "Host", v, sizeof v), "127.0.0.1:8443");
    cr_expect_str_eq(hdr(h.data, "Content-Type", v, sizeof v), "application/json");
    cr_expect_str_eq(hdr(h.data, "Content-Length", v, sizeof v), "4321");
    cr_expect_str_eq(hdr(h.data, "Log-Type", v, sizeof v), "Syslog");
    cr_expect_str_eq(hdr(h.data, "x-ms-date", v, sizeof v), date);
    cr_expect_str_eq(hdr(h.data, "time-generated-field", v, sizeof v), "ts");
    cr_expect_eq(count(h.data, "Content-Length:"), 1);

    /* Verify the way a server does (PROTOCOLS.md §1.3): rebuild the string
     * from the received headers and HMAC it with the decoded key. */
    hdr(h.data, "Authorization", v, sizeof v);
    cr_assert(!strncmp(v, "SharedKey 5f2c7d1e-0000-4000-8000-000000000001:", 47), "%s", v);
    const char *got = strrchr(v, ':') + 1;
    char sts[200];
    int n =
      snprintf(sts, sizeof sts, "POST\n4321\napplication/json\nx-ms-date:%s\n/api/logs", date);
    unsigned char mac[32];
    unsigned int mn;
    HMAC(EVP_sha256(), raw, 32, (unsigned char *)sts, (size_t)n, mac, &mn);
    char want[64];
    want[EVP_EncodeBlock((unsigned char *)want, mac, 32)] = '\0';
    cr_expect_str_eq(got, want);

    c.time_field = false;
    sl_load_req_head(&h, &c, 10, date, sig, NULL);
    cr_expect(strstr(h.data, "time-generated-field") == NULL);
    sl_buf_dispose(&h);
    sl_load_sharedkey_dispose(&key);
}

Test(load_req, logs_ingestion_head_carries_token_and_request_id)
{
    sl_load_reqcfg_t c = { .mode = SL_LOAD_MODE_LI,
                           .authority = "node:443",
                           .base_path = "/base",
                           .dcr = "dcr-0123abcd",
                           .stream = "Custom-Syslog_CL",
                           .gzip = true };
    sl_buf_t h = SL_BUF_INIT;
    sl_load_req_head(&h, &c, 77, NULL, "tok.en", "0b5e6c1e-1111-4222-8333-444455556666");
    cr_expect(!strncmp(h.data,
                       "POST /base/dataCollectionRules/dcr-0123abcd/streams/Custom-Syslog_CL"
                       "?api-version=2023-01-01 HTTP/1.1\r\n",
                       100));
    char v[200];
    cr_expect_str_eq(hdr(h.data, "Authorization", v, sizeof v), "Bearer tok.en");
    cr_expect_str_eq(hdr(h.data, "Content-Encoding", v, sizeof v), "gzip");
    cr_expect_str_eq(hdr(h.data, "Content-Type", v, sizeof v), "application/json");
    cr_expect_str_eq(hdr(h.data, "Content-Length", v, sizeof v), "77");
    cr_expect_str_eq(hdr(h.data, "x-ms-client-request-id", v, sizeof v),
                     "0b5e6c1e-1111-4222-8333-444455556666");
    cr_expect(strstr(h.data, "SharedKey") == NULL && strstr(h.data, "Log-Type") == NULL);
    c.gzip = false;
    sl_load_req_head(&h, &c, 77, NULL, "t", "r");
    cr_expect(strstr(h.data, "Content-Encoding") == NULL);
    sl_buf_dispose(&h);
}

Test(load_req, request_ids_are_distinct_v4_uuids)
{
    uint64_t st = 12345;
    char prev[37] = "";
    for (int i = 0; i < 1000; i++) {
        char id[37];
        sl_load_uuid(&st, id);
        sl_guid_t g;
        cr_assert_eq(sl_guid_parse(id, 36, &g), 0, "%s", id);
        cr_assert_eq(id[14], '4', "version 4: %s", id);
        cr_assert(strchr("89ab", id[19]) != NULL, "RFC 4122 variant: %s", id);
        cr_assert_str_neq(id, prev);
        memcpy(prev, id, 37);
    }
}
