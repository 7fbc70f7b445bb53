#include "cli_test.h"

#include <string.h>

static char *print_table(cli_table_t *t)
{
    cap_t c;
    cap_begin(&c);
    cli_table_print(t, c.f);
    return cap_end(&c);
}

Test(cli_table, columns_padded_to_widest_cell)
{
    const char *h[] = { "NAME", "N" };
    cli_table_t *t = cli_table_create(h, 2);
    cli_table_add(t, (const char *[]){ "a", "1" });
    cli_table_add(t, (const char *[]){ "longer", "22" });
    char *s = print_table(t);
    cr_expect_str_eq(s, "NAME    N\n"
                        "------  --\n"
                        "a       1\n"
                        "longer  22\n");
    free(s);
    cli_table_destroy(t);
}

Test(cli_table, right_aligned_column_pads_on_the_left)
{
    const char *h[] = { "N", "NAME" };
    cli_table_t *t = cli_table_create(h, 2);
    cli_table_align_right(t, 0);
    cli_table_add(t, (const char *[]){ "5", "x" });
    cli_table_add(t, (const char *[]){ "1234", "y" });
    char *s = print_table(t);
    cr_expect_str_eq(s, "   N  NAME\n"
                        "----  ----\n"
                        "   5  x\n"
                        "1234  y\n");
    free(s);
    cli_table_destroy(t);
}

Test(cli_table, right_aligned_last_column_has_no_trailing_space)
{
    const char *h[] = { "A", "COUNT" };
    cli_table_t *t = cli_table_create(h, 2);
    cli_table_align_right(t, 1);
    cli_table_add(t, (const char *[]){ "x", "7" });
    char *s = print_table(t);
    cr_expect_str_eq(s, "A  COUNT\n"
                        "-  -----\n"
                        "x      7\n");
    free(s);
    cli_table_destroy(t);
}

Test(cli_table, width_counts_characters_not_bytes)
{
    const char *h[] = { "A", "B" };
    cli_table_t *t = cli_table_create(h, 2);
    cli_table_add(t, (const char *[]){ "héé", "1" }); /* 3 characters, 5 bytes */
    cli_table_add(t, (const char *[]){ "abcd", "2" });
    char *s = print_table(t);
    cr_expect_str_eq(s, "A     B\n"
                        "----  -\n"
                        "héé   1\n"
                        "abcd  2\n");
    free(s);
    cr_expect_eq(cli_text_width("日本語"), 3);
    cli_table_destroy(t);
}

Test(cli_table, long_cells_cut_with_ellipsis_headers_whole)
{
    const char *h[] = { "MESSAGE_HEADER", "X" };
    cli_table_t *t = cli_table_create(h, 2);
    cli_table_set_max_width(t, 5);
    cli_table_add(t, (const char *[]){ "abcdefghij", "1" });
    cli_table_add(t, (const char *[]){ "ééééééé", "2" }); /* cut inside multi-byte text */
    cli_table_add(t, (const char *[]){ "abcde", "3" });   /* exactly the limit: whole */
    char *s = print_table(t);
    cr_expect_str_eq(s, "MESSAGE_HEADER  X\n"
                        "--------------  -\n"
                        "abcd…           1\n"
                        "éééé…           2\n"
                        "abcde           3\n");
    free(s);
    cli_table_destroy(t);
}

Test(cli_table, cut_cells_set_the_column_width)
{
    const char *h[] = { "M", "X" };
    cli_table_t *t = cli_table_create(h, 2);
    cli_table_set_max_width(t, 4);
    cli_table_add(t, (const char *[]){ "a very long message", "1" });
    char *s = print_table(t);
    cr_expect_str_eq(s, "M     X\n"
                        "----  -\n"
                        "a v…  1\n");
    free(s);
    cli_table_destroy(t);
}

Test(cli_table, control_characters_print_as_spaces_and_null_as_empty)
{
    const char *h[] = { "A", "B" };
    cli_table_t *t = cli_table_create(h, 2);
    cli_table_add(t, (const char *[]){ "line1\nline2\ttab", NULL });
    char *s = print_table(t);
    cr_expect_str_eq(s, "A                B\n"
                        "---------------  -\n"
                        "line1 line2 tab\n");
    free(s);
    cli_table_destroy(t);
}
