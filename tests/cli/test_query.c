#include "cli_test.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static char *iso(const char *in)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_diag_t d = { 0 };
    if (cli_timespan_iso(in, &b, &d)) {
        cr_expect_neq(d.msg[0], '\0');
        cr_expect_eq(b.len, 0);
        sl_buf_dispose(&b);
        return NULL;
    }
    return sl_buf_steal(&b, NULL);
}

static void expect_iso(const char *in, const char *out)
{
    char *s = iso(in);
    cr_expect(s, "'%s' was refused", in);
    if (s) {
        cr_expect_str_eq(s, out, "'%s'", in);
    }
    sl_free(s);
}

Test(cli_query, friendly_timespans_become_iso)
{
    expect_iso("1h", "PT1H");
    expect_iso("30m", "PT30M");
    expect_iso("7d", "P7D");
    expect_iso("90s", "PT90S");
    expect_iso("1h30m", "PT1H30M");
    expect_iso("30m1h", "PT1H30M"); /* any order, ISO order out */
    expect_iso("1d12h", "P1DT12H");
    expect_iso("1.5h", "PT1.5H");
    expect_iso("2w", "P14D");
    expect_iso("1w2d", "P9D");
}

Test(cli_query, iso_timespans_pass_unchanged)
{
    expect_iso("PT1H", "PT1H");
    expect_iso("P1D", "P1D");
    expect_iso("p2dt3h", "p2dt3h");
    expect_iso("2026-11-01T00:00:00Z/2026-11-02T00:00:00Z",
               "2026-11-01T00:00:00Z/2026-11-02T00:00:00Z");
    expect_iso("2026-11-01T00:00:00Z/PT1H", "2026-11-01T00:00:00Z/PT1H");
    expect_iso("PT1H/2026-11-02T00:00:00Z", "PT1H/2026-11-02T00:00:00Z");
}

Test(cli_query, bad_timespans_refused)
{
    const char *bad[] = { "",   "1",  "h",   "1x",    "1h1h",  "1.h", ".5h", "1..5h",
                          "1H", "PT", "P1Q", "a/b",   "-1h",   "1h ", "2026-11-01T00:00:00Z",
                          "2026-11-02T00:00:00Z/2026-11-01T00:00:00Z" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
        char *s = iso(bad[i]);
        cr_expect_null(s, "'%s' was accepted as '%s'", bad[i], s ? s : "");
        sl_free(s);
    }
}

static FILE *mem_in(const char *text)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    cr_assert(f);
    return f;
}

Test(cli_query, text_from_argument_file_or_stdin)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_diag_t d = { 0 };
    FILE *in = mem_in("StdinTable | take 1\n");
    /* The argument wins; stdin is not read. */
    cr_expect_eq(cli_query_text("T | count", NULL, in, false, &b, &d), 0);
    cr_expect_str_eq(b.data, "T | count");
    sl_buf_reset(&b);
    /* No argument and stdin not a terminal: stdin. */
    cr_expect_eq(cli_query_text(NULL, NULL, in, false, &b, &d), 0);
    cr_expect_str_eq(b.data, "StdinTable | take 1\n");
    fclose(in);
    /* `-` reads stdin even from a terminal. */
    in = mem_in("Dash");
    sl_buf_reset(&b);
    cr_expect_eq(cli_query_text("-", NULL, in, true, &b, &d), 0);
    cr_expect_str_eq(b.data, "Dash");
    fclose(in);
    in = mem_in("DashF");
    sl_buf_reset(&b);
    cr_expect_eq(cli_query_text(NULL, "-", in, true, &b, &d), 0);
    cr_expect_str_eq(b.data, "DashF");
    fclose(in);
    /* A file. */
    char path[] = "/tmp/sealog-cli-q-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "FileTable\n| count\n", 18), 18);
    close(fd);
    sl_buf_reset(&b);
    cr_expect_eq(cli_query_text(NULL, path, NULL, true, &b, &d), 0);
    cr_expect_str_eq(b.data, "FileTable\n| count\n");
    unlink(path);
    /* A missing file names itself. */
    sl_buf_reset(&b);
    cr_expect_eq(cli_query_text(NULL, path, NULL, true, &b, &d), -ENOENT);
    cr_expect(strstr(d.msg, path), "%s", d.msg);
    sl_buf_dispose(&b);
}

Test(cli_query, no_text_empty_text_and_too_long_text)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_diag_t d = { 0 };
    /* Nothing given and stdin is a terminal: the caller prints usage. */
    cr_expect_eq(cli_query_text(NULL, NULL, NULL, true, &b, &d), SL_EINVAL);
    FILE *in = mem_in(" \n\t\r\n");
    cr_expect_eq(cli_query_text(NULL, NULL, in, false, &b, &d), SL_EPARSE);
    cr_expect(strstr(d.msg, "empty"), "%s", d.msg);
    fclose(in);
    char *big = sl_xmalloc(CLI_QUERY_MAX + 2);
    memset(big, 'x', CLI_QUERY_MAX + 1);
    big[CLI_QUERY_MAX + 1] = '\0';
    sl_buf_reset(&b);
    cr_expect_eq(cli_query_text(big, NULL, NULL, true, &b, &d), SL_ELIMIT);
    in = fmemopen(big, CLI_QUERY_MAX + 1, "r");
    sl_buf_reset(&b);
    cr_expect_eq(cli_query_text(NULL, NULL, in, false, &b, &d), SL_ELIMIT);
    fclose(in);
    sl_free(big);
    sl_buf_dispose(&b);
}

Test(cli_query, request_body)
{
    sl_buf_t b = SL_BUF_INIT;
    cli_query_body("T | where m == \"x\"", 18, NULL, NULL, &b);
    cr_expect_str_eq(b.data, "{\"query\":\"T | where m == \\\"x\\\"\"}");
    sl_buf_reset(&b);
    cli_query_body("T", 1, "PT1H", " a, b ,,c,", &b);
    cr_expect_str_eq(b.data,
                     "{\"query\":\"T\",\"timespan\":\"PT1H\",\"workspaces\":[\"a\",\"b\",\"c\"]}");
    sl_buf_dispose(&b);
}

static char *error_text(long status, const char *body, int *rc)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, body);
    cap_t c;
    cap_begin(&c);
    *rc = cli_query_error(status, &b, c.f);
    sl_buf_dispose(&b);
    return cap_end(&c);
}

Test(cli_query, error_answers_name_the_most_specific_code)
{
    int rc;
    char *s = error_text(400,
                         "{\"error\":{\"message\":\"Syntax error at line 1\",\"code\":"
                         "\"BadArgumentError\",\"innererror\":{\"code\":\"SyntaxError\"}}}",
                         &rc);
    cr_expect_str_eq(s, "error: SyntaxError: Syntax error at line 1\n");
    cr_expect_eq(rc, CLI_ERR_SERVER);
    free(s);
    s = error_text(504, "{\"error\":{\"message\":\"too slow\",\"code\":\"GatewayTimeout\"}}", &rc);
    cr_expect_str_eq(s, "error: GatewayTimeout: too slow\n");
    cr_expect_eq(rc, CLI_ERR_SERVER);
    free(s);
    s = error_text(403,
                   "{\"error\":{\"message\":\"no access\",\"code\":\"InsufficientAccessError\"}}",
                   &rc);
    cr_expect_str_eq(s, "error: InsufficientAccessError: no access\n");
    cr_expect_eq(rc, CLI_ERR_CONNECT);
    free(s);
    s = error_text(401, "", &rc);
    cr_expect_str_eq(s, "error: HTTP 401: the node sent no message\n");
    cr_expect_eq(rc, CLI_ERR_CONNECT);
    free(s);
    s = error_text(502, "<html>Bad gateway</html>\nmore", &rc);
    cr_expect_str_eq(s, "error: HTTP 502: <html>Bad gateway</html>\n");
    cr_expect_eq(rc, CLI_ERR_SERVER);
    free(s);
}
