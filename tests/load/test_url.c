#include <criterion/criterion.h>

#include "bench/load.h"

Test(load_url, schemes_ports_and_base_paths)
{
    sl_load_url_t u;
    cr_assert_eq(sl_load_url_parse("https://127.0.0.1:8443", &u, NULL), 0);
    cr_expect(u.tls);
    cr_expect_str_eq(u.host, "127.0.0.1");
    cr_expect_eq(u.port, 8443);
    cr_expect_str_eq(u.authority, "127.0.0.1:8443");
    cr_expect_str_eq(u.path, "");

    cr_assert_eq(sl_load_url_parse("http://logs.internal/", &u, NULL), 0);
    cr_expect(!u.tls);
    cr_expect_eq(u.port, 80);
    cr_expect_str_eq(u.authority, "logs.internal");
    cr_expect_str_eq(u.path, "", "a trailing slash is dropped");

    cr_assert_eq(sl_load_url_parse("https://node.example:443/proxy/sealog/", &u, NULL), 0);
    cr_expect_str_eq(u.path, "/proxy/sealog");

    cr_assert_eq(sl_load_url_parse("https://[::1]:9443/x", &u, NULL), 0);
    cr_expect_str_eq(u.host, "::1");
    cr_expect_str_eq(u.authority, "[::1]:9443");
    cr_expect_eq(u.port, 9443);

    cr_assert_eq(sl_load_url_parse("http://h:1/oauth2/v2.0/token?x=1", &u, NULL), 0);
    cr_expect_str_eq(u.path, "/oauth2/v2.0/token?x=1", "token URLs keep their query");
}

Test(load_url, malformed_urls_are_refused)
{
    const char *bad[] = { "ftp://h",      "127.0.0.1:8443",  "https://",      "https://:80",
                          "https://h:0",  "https://h:70000", "https://h:x",   "https://u@h/",
                          "https://h/#f", "https://[::1",    "https://[::1]x" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sl_load_url_t u;
        sl_diag_t d;
        cr_expect_eq(sl_load_url_parse(bad[i], &u, &d), SL_EPARSE, "%s", bad[i]);
    }
}
