/*
 * The Data Collector SharedKey signer, checked against computations that
 * share no code with it: OpenSSL's HMAC() called directly, and the openssl
 * command line (`openssl dgst -sha256 -mac HMAC -macopt hexkey:...`).
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/load.h"

static const char *doc_sts =
  "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs";

Test(load_sign, string_to_sign_has_the_documented_five_lines)
{
    char out[256];
    size_t n = sl_load_sharedkey_string(
      1024, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT", out, sizeof out);
    cr_assert_eq(n, strlen(doc_sts));
    cr_expect_str_eq(out, doc_sts);
    cr_expect_eq(sl_load_sharedkey_string(1024, "application/json", "x", out, 10),
                 0,
                 "a too-small buffer is refused, not truncated");
}

/* base64 of 64 bytes 0x00..0x3f, the length Azure workspace keys have. */
static void make_key(uint8_t raw[64], char b64[128])
{
    for (int i = 0; i < 64; i++)
        raw[i] = (uint8_t)(i * 37 + 11);
    size_t n = sl_base64_encode(raw, 64, b64);
    b64[n] = '\0';
}

Test(load_sign, signature_matches_openssl_hmac)
{
    uint8_t raw[64];
    char b64[128];
    make_key(raw, b64);
    sl_load_sharedkey_t k;
    cr_assert_eq(sl_load_sharedkey_init(&k, b64, NULL), 0);
    cr_assert_eq(k.key_n, 64, "the HMAC key is the decoded bytes, not the base64 text");

    char sig[SL_LOAD_SIG_B64_LEN + 1];
    sl_load_sharedkey_sign(&k, 1024, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT", sig);

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_n = 0;
    HMAC(EVP_sha256(), raw, 64, (const unsigned char *)doc_sts, strlen(doc_sts), mac, &mac_n);
    cr_assert_eq(mac_n, 32);
    char want[64];
    int wn = EVP_EncodeBlock((unsigned char *)want, mac, 32);
    want[wn] = '\0';
    cr_expect_str_eq(sig, want);
    cr_expect_eq(strlen(sig), 44);

    /* Any change to a signed field changes the signature. */
    char other[SL_LOAD_SIG_B64_LEN + 1];
    sl_load_sharedkey_sign(&k, 1025, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT", other);
    cr_expect_str_neq(sig, other);
    sl_load_sharedkey_sign(&k, 1024, "application/json", "Mon, 04 Apr 2016 08:00:01 GMT", other);
    cr_expect_str_neq(sig, other);
    sl_load_sharedkey_dispose(&k);
}

Test(load_sign, signature_matches_openssl_command_line)
{
    uint8_t raw[64];
    char b64[128], hex[129];
    make_key(raw, b64);
    sl_hex_encode(raw, 64, hex);
    char path[] = "/tmp/sealog-sts-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(doc_sts, f); /* no trailing newline: it is not part of the string */
    fclose(f);
    char cmd[512];
    snprintf(cmd,
             sizeof cmd,
             "openssl dgst -sha256 -mac HMAC -macopt hexkey:%s -binary %s | openssl base64 -A",
             hex,
             path);
    FILE *p = popen(cmd, "r");
    cr_assert(p != NULL);
    char want[128] = "";
    cr_assert(fgets(want, sizeof want, p) != NULL, "openssl produced nothing");
    pclose(p);
    unlink(path);
    want[strcspn(want, "\n")] = '\0';

    sl_load_sharedkey_t k;
    cr_assert_eq(sl_load_sharedkey_init(&k, b64, NULL), 0);
    char sig[SL_LOAD_SIG_B64_LEN + 1];
    sl_load_sharedkey_sign(&k, 1024, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT", sig);
    cr_expect_str_eq(sig, want);
    sl_load_sharedkey_dispose(&k);
}

Test(load_sign, bad_keys_are_refused)
{
    sl_load_sharedkey_t k;
    sl_diag_t d;
    cr_expect_eq(sl_load_sharedkey_init(&k, "not base64!", &d), SL_EPARSE);
    cr_expect(strstr(d.msg, "base64") != NULL);
    cr_expect_eq(sl_load_sharedkey_init(&k, "", &d), SL_EPARSE, "an empty key signs nothing");
    char big[400];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_expect_eq(sl_load_sharedkey_init(&k, big, &d), SL_EPARSE, "300 bytes is not a key");
}
