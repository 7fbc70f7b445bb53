#include "cli_test.h"

#define SEC 1000000000ull

Test(cli_progress, silent_during_the_first_second)
{
    cap_t c;
    cap_begin(&c);
    cli_progress_t p;
    cli_progress_init(&p, c.f, 5 * SEC);
    cli_progress_update(&p, 5 * SEC + SEC / 2);
    cli_progress_update(&p, 6 * SEC - 1);
    cli_progress_clear(&p);
    char *s = cap_end(&c);
    cr_expect_str_eq(s, "", "a quick query must leave no trace, got \"%s\"", s);
    free(s);
}

Test(cli_progress, spins_with_elapsed_seconds_then_erases_itself)
{
    cap_t c;
    cap_begin(&c);
    cli_progress_t p;
    cli_progress_init(&p, c.f, 10 * SEC);
    cli_progress_update(&p, 11 * SEC);
    cli_progress_update(&p, 11 * SEC + SEC / 20); /* too soon after the last: skipped */
    cli_progress_update(&p, 11 * SEC + SEC / 10);
    cli_progress_update(&p, 13 * SEC + SEC / 2);
    cli_progress_clear(&p);
    cli_progress_clear(&p); /* a second clear writes nothing */
    char *s = cap_end(&c);
    cr_expect_str_eq(s, "\r\033[K| running query... 1s"
                        "\r\033[K/ running query... 1s"
                        "\r\033[K- running query... 3s"
                        "\r\033[K");
    free(s);
}
