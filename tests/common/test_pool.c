#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

static int order[4], norder;
static void cb(void *arg)
{
    order[norder++] = (int)(intptr_t)arg;
}

Test(common_pool, allocations_and_cleanups_in_reverse_order)
{
    sl_pool_t *p = sl_pool_create();
    char *big = sl_pool_alloc(p, 100000);
    memset(big, 1, 100000);
    for (int i = 0; i < 1000; i++) {
        char *s = sl_pool_printf(p, "item %d", i);
        cr_assert_str_eq(s, sl_pool_printf(p, "item %d", i));
        cr_assert_eq((uintptr_t)s % 16, 0, "aligned");
    }
    cr_expect(sl_pool_used(p) >= 100000);
    sl_pool_cleanup_add(p, cb, (void *)1);
    sl_pool_cleanup_add(p, cb, (void *)2);
    norder = 0;
    sl_pool_destroy(p);
    cr_expect_eq(norder, 2);
    cr_expect(order[0] == 2 && order[1] == 1);
}

Test(common_buf, grows_and_formats)
{
    sl_buf_t b = SL_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        sl_buf_printf(&b, "%04d", i);
    cr_expect_eq(b.len, 4000);
    cr_expect_eq(b.data[b.len], '\0');
    cr_expect(!memcmp(b.data + 3996, "0999", 4));
    size_t n;
    char *s = sl_buf_steal(&b, &n);
    cr_expect_eq(n, 4000);
    cr_expect_null(b.data);
    sl_free(s);
}

Test(common_log, lines_are_structured_and_rate_limited)
{
    char path[] = "/tmp/sealog-log-XXXXXX";
    int fd = mkstemp(path);
    sl_log_t *lg = sl_log_create(fd, SL_LOG_INFO);
    sl_log(lg, SL_LOG_DEBUG, "t", "hidden");
    sl_logr(lg, SL_LOG_INFO, "node", "abc123", "hello \"world\"\nnext");
    for (int i = 0; i < 1000; i++)
        sl_log(lg, SL_LOG_WARN, "t", "flood %d", i);
    cr_expect(sl_log_suppressed(lg) > 0, "a flood of warnings is rate-limited");
    sl_log_destroy(lg);
    sl_buf_t b = SL_BUF_INIT;
    sl_read_file(path, 1 << 20, &b);
    cr_expect(!strstr(b.data, "hidden"));
    cr_expect(strstr(b.data, " level=info sub=node req=abc123 msg=\"hello \\\"world\\\" next\"\n"),
              "%s", b.data);
    sl_buf_dispose(&b);
    close(fd);
    unlink(path);
}
