/*
 * The built-in generator: deterministic per (seed, row), the shared
 * generator's shapes and proportions, and JSON-ready strings.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "bench/load.h"

static char *row_text(const sl_load_row_t *r)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_printf(&b,
                  "%lld|%.*s|%.*s|%.*s|%.*s",
                  (long long)r->ts_ms,
                  (int)r->host.n,
                  r->host.p,
                  (int)r->app.n,
                  r->app.p,
                  (int)r->severity.n,
                  r->severity.p,
                  (int)r->message.n,
                  r->message.p);
    return sl_buf_steal(&b, NULL);
}

Test(load_gen, row_i_depends_only_on_seed_and_i)
{
    sl_load_gen_t a, b;
    sl_load_gen_init(&a, 42, 0);
    sl_load_gen_init(&b, 42, 0);
    sl_load_row_t r;
    /* b makes other rows first, and in another order. */
    for (uint64_t i = 1000; i > 0; i--)
        sl_load_gen_row(&b, i * 7, &r);
    for (uint64_t i = 0; i < 500; i++) {
        sl_load_gen_row(&a, i, &r);
        char *x = row_text(&r);
        sl_load_gen_row(&b, i, &r);
        char *y = row_text(&r);
        cr_assert_str_eq(x, y, "row %llu", (unsigned long long)i);
        sl_free(x);
        sl_free(y);
    }
    sl_load_gen_init(&b, 43, 0);
    sl_load_gen_row(&a, 5, &r);
    char *x = row_text(&r);
    sl_load_gen_row(&b, 5, &r);
    char *y = row_text(&r);
    cr_expect_str_neq(x, y, "another seed, other rows");
    sl_free(x);
    sl_free(y);
}

Test(load_gen, shapes_and_proportions_match_the_shared_generator)
{
    sl_load_gen_t g;
    sl_load_gen_init(&g, 1, 100000);
    uint64_t info = 0, err = 0, msg_bytes = 0, failed_pw = 0;
    int64_t prev_base = -1;
    for (uint64_t i = 0; i < 100000; i++) {
        sl_load_row_t r;
        sl_load_gen_row(&g, i, &r);
        cr_assert(r.host.n > 0 && r.app.n > 0 && r.message.n > 0);
        cr_assert(r.ts_ms >= SL_LOAD_GEN_EPOCH_MS &&
                  r.ts_ms <= SL_LOAD_GEN_EPOCH_MS + SL_LOAD_GEN_SPAN_MS + 999);
        cr_assert_leq(r.ts_ms, sl_load_gen_last_ms(&g));
        int64_t base = (r.ts_ms - SL_LOAD_GEN_EPOCH_MS) / 864; /* 864 ms per row at 100 k */
        cr_assert_geq(base, prev_base, "times advance with i");
        prev_base = base;
        info += r.severity.n == 4 && !memcmp(r.severity.p, "info", 4);
        err += r.severity.n == 5 && !memcmp(r.severity.p, "error", 5);
        msg_bytes += r.message.n;
        failed_pw += memmem(r.message.p, r.message.n, "Failed password for invalid user", 32) != 0;
    }
    cr_expect(info > 68000 && info < 72000, "info is 70%% of rows: %llu", (unsigned long long)info);
    cr_expect(err > 4300 && err < 5700, "error is 5%% of rows: %llu", (unsigned long long)err);
    double avg = (double)msg_bytes / 100000;
    /* genlogs.py: 105.7 B of message per row (176 B as a text line, 236 B as
     * its JSON line); ours counts escaped quotes twice. */
    cr_expect(avg > 95 && avg < 120, "about 106 B of message per row, got %.1f", avg);
    cr_expect(failed_pw > 100, "sshd failures appear (Q3 needs them)");
}

Test(load_gen, strings_are_valid_json_content)
{
    sl_load_gen_t g;
    sl_load_gen_init(&g, 9, 0);
    for (uint64_t i = 0; i < 20000; i++) {
        sl_load_row_t r;
        sl_load_gen_row(&g, i, &r);
        char doc[1200];
        int n = snprintf(doc,
                         sizeof doc,
                         "[\"%.*s\",\"%.*s\"]",
                         (int)r.host.n,
                         r.host.p,
                         (int)r.message.n,
                         r.message.p);
        json_error_t e;
        json_t *j = json_loadb(doc, (size_t)n, 0, &e);
        cr_assert(j != NULL, "row %llu: %s in %s", (unsigned long long)i, e.text, doc);
        json_decref(j);
    }
}
