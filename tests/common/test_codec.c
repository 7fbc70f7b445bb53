#include <criterion/criterion.h>
#include <string.h>

#include "common/common.h"

Test(common_codec, base64_rfc4648_vectors)
{
    const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (int i = 0; i < 7; i++) {
        char enc[32];
        size_t n = sl_base64_encode(in[i], strlen(in[i]), enc);
        enc[n] = '\0';
        cr_expect_str_eq(enc, out[i]);
        uint8_t dec[32];
        size_t dn;
        cr_assert_eq(sl_base64_decode(out[i], strlen(out[i]), dec, &dn), 0);
        cr_expect_eq(dn, strlen(in[i]));
        cr_expect(memcmp(dec, in[i], dn) == 0);
    }
}

Test(common_codec, base64url_and_unpadded)
{
    uint8_t raw[] = { 0xfb, 0xff, 0xbf };
    char enc[8];
    size_t n = sl_base64url_encode(raw, 3, enc);
    enc[n] = '\0';
    cr_expect_str_eq(enc, "-_-_");
    uint8_t dec[8];
    size_t dn;
    cr_expect_eq(sl_base64_decode("-_-_", 4, dec, &dn), 0);
    cr_expect(dn == 3 && memcmp(dec, raw, 3) == 0);
    cr_expect_eq(sl_base64_decode("Zm8", 3, dec, &dn), 0, "unpadded accepted");
    cr_expect_eq(dn, 2);
    cr_expect_eq(sl_base64_decode("Zm9v!", 5, dec, &dn), SL_EPARSE);
    cr_expect_eq(sl_base64_decode("Z", 1, dec, &dn), SL_EPARSE);
    cr_expect_eq(sl_base64_decode("Zm9=", 4, dec, &dn), SL_EPARSE, "non-canonical tail bits");
}

Test(common_codec, hex_and_constant_time_compare)
{
    char h[9];
    uint8_t b[4] = { 0xde, 0xad, 0xbe, 0xef };
    sl_hex_encode(b, 4, h);
    cr_expect_str_eq(h, "deadbeef");
    uint8_t back[4];
    cr_expect_eq(sl_hex_decode("DEADbeef", 8, back), 0);
    cr_expect(memcmp(back, b, 4) == 0);
    cr_expect_eq(sl_hex_decode("xy", 2, back), SL_EPARSE);
    cr_expect(sl_ct_equal("abcd", "abcd", 4));
    cr_expect(!sl_ct_equal("abcd", "abce", 4));
}

Test(common_codec, guid_forms)
{
    sl_guid_t g, h;
    cr_assert_eq(sl_guid_parse("8145d82213a744ad859c36f31a84f6dd", 32, &g), 0);
    char s[37];
    sl_guid_format(&g, s);
    cr_expect_str_eq(s, "8145d822-13a7-44ad-859c-36f31a84f6dd");
    cr_assert_eq(sl_guid_parse("{8145D822-13A7-44AD-859C-36F31A84F6DD}", 38, &h), 0);
    cr_expect(memcmp(g.b, h.b, 16) == 0);
    cr_expect_eq(sl_guid_parse("8145d822-13a744ad-859c-36f31a84f6dd", 35, &h), SL_EPARSE);
    cr_expect_eq(sl_guid_parse("8145d822x13a7-44ad-859c-36f31a84f6dd", 36, &h), SL_EPARSE);
    sl_guid_random(&g);
    sl_guid_format(&g, s);
    cr_expect_eq(s[14], '4', "version 4");
}

Test(common_codec, varints_and_records)
{
    sl_buf_t b = SL_BUF_INIT;
    int64_t vals[] = { 0, 1, -1, 63, -64, INT64_MAX, INT64_MIN, 300, -300 };
    for (size_t i = 0; i < 9; i++)
        sl_buf_put_svarint(&b, vals[i]);
    size_t off = 0;
    for (size_t i = 0; i < 9; i++) {
        int64_t v;
        size_t k = sl_get_svarint((uint8_t *)b.data + off, b.len - off, &v);
        cr_assert(k > 0);
        cr_expect_eq(v, vals[i]);
        off += k;
    }
    cr_expect_eq(off, b.len);
    uint64_t u;
    uint8_t overlong[11] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    cr_expect_eq(sl_get_uvarint(overlong, 11, &u), 0);
    cr_expect_eq(sl_get_uvarint(overlong, 3, &u), 0, "truncated");

    sl_buf_reset(&b);
    sl_rec_put_u(&b, 1, 42);
    sl_rec_put_str(&b, 2, "hello");
    sl_rec_put_i(&b, 9, -7);
    sl_rec_reader_t r;
    sl_rec_field_t f;
    sl_rec_reader_init(&r, b.data, b.len);
    cr_assert_eq(sl_rec_next(&r, &f), 1);
    cr_expect(f.field == 1 && f.u == 42);
    cr_assert_eq(sl_rec_next(&r, &f), 1);
    cr_expect(f.field == 2 && f.n == 5 && !memcmp(f.p, "hello", 5));
    cr_assert_eq(sl_rec_next(&r, &f), 1);
    cr_expect(f.field == 9 && f.i == -7);
    cr_expect_eq(sl_rec_next(&r, &f), 0);
    sl_rec_reader_init(&r, b.data, b.len - 3); /* cuts into "hello" */
    sl_rec_next(&r, &f);
    cr_expect_eq(sl_rec_next(&r, &f), -1, "truncated bytes field is malformed");
    sl_buf_dispose(&b);
}
