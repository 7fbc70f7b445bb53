/*
 * Text predicates and functions in whole queries over a real store
 * (blocks of 100 rows, read back through the executor): the column-scan
 * fast paths see the text of real blocks, batch after batch, serially and
 * with parallel scans.
 */
#include "exec_test.h"

static xt_env_t env;

static void setup(void)
{
    xt_open(&env, 1000);
}

static void teardown(void)
{
    xt_close(&env);
}

TestSuite(query_fn_text_exec, .init = setup, .fini = teardown, .timeout = 60);

/* Rows: SyslogMessage "message <i> Connection timeout from Host<i%3>" when
 * i % 4 == 3, else "message <i> ok from Host<i%3>"; Computer host<i%3>;
 * SeverityLevel info, info, warning, error by i % 4; Code i % 7 (null when
 * i % 10 == 9); Dur i / 4. */
static const char *const queries[][2] = {
    { "Syslog | where SyslogMessage contains 'TIMEOUT' | count", "Count:long\n250" },
    { "Syslog | where SyslogMessage contains_cs 'TIMEOUT' | count", "Count:long\n0" },
    { "Syslog | where SyslogMessage !contains 'timeout' | count", "Count:long\n750" },
    { "Syslog | where SyslogMessage has 'connection' | count", "Count:long\n250" },
    { "Syslog | where SyslogMessage has 'host1' | count", "Count:long\n333" },
    { "Syslog | where SyslogMessage has_cs 'host1' | count", "Count:long\n0" },
    { "Syslog | where SyslogMessage hasprefix 'conn' | count", "Count:long\n250" },
    { "Syslog | where SyslogMessage startswith 'message 99' | count", "Count:long\n11" },
    { "Syslog | where SyslogMessage endswith 'host0' | count", "Count:long\n334" },
    { "Syslog | where SyslogMessage matches regex @'^message \\d+ Connection timeout from "
      "Host2$' | count",
      "Count:long\n83" },
    { "Syslog | where Computer in ('host1', 'host2') and SyslogMessage has 'timeout' | count",
      "Count:long\n166" },
    { "Syslog | where SeverityLevel in~ ('ERROR', 'Warning') | count", "Count:long\n500" },
    { "Syslog | where SeverityLevel !in ('info') | count", "Count:long\n500" },
    { "Syslog | where SyslogMessage has_any ('timeout', 'nothing') | count", "Count:long\n250" },
    { "Syslog | where SyslogMessage has_all ('timeout', 'host2') | count", "Count:long\n83" },
    { "Syslog | where Code between (2 .. 4) | count", "Count:long\n386" },
    { "Syslog | where TimeGenerated between (datetime(2024-06-10) .. 1h) | count",
      "Count:long\n61" },
    { "Syslog | where extract(@'message (\\d+)', 1, SyslogMessage) == '500' | project Dur",
      "Dur:real\n125" },
    { "Syslog | where indexof(SyslogMessage, 'Host') > 30 | count", "Count:long\n250" },
    { "Syslog | where Dur == 2 | project u = toupper(Computer), n = strlen(SyslogMessage), "
      "r = replace_string(SyslogMessage, 'message', 'msg')",
      "u:string,n:long,r:string\nHOST2,23,msg 8 ok from Host2" },
};

Test(query_fn_text_exec, predicates_over_stored_blocks)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(queries); i++) {
        xt_expect(&env, queries[i][0], queries[i][1]);
    }
}

Test(query_fn_text_exec, parallel_scans_give_the_same_answers)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(queries); i++) {
        env.parallel = true;
        xt_expect(&env, queries[i][0], queries[i][1]);
    }
    env.parallel = false;
}

Test(query_fn_text_exec, regex_errors_name_the_function)
{
    xt_expect_error(&env,
                    "Syslog | where SyslogMessage matches regex '(a' | count",
                    "SL_ESEMANTIC",
                    "invalid regular expression");
}
