/*
 * The misc functions end to end, over a real store (exec_test.h): ago()
 * folded at bind time prunes blocks, summarize by bin(TimeGenerated, 1h),
 * conversions and conditionals in project, serial and parallel scans
 * agreeing.
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

TestSuite(query_fn_misc_exec, .init = setup, .fini = teardown, .timeout = 60);

/* Syslog row i is at XT_T0 + i minutes (2024-06-10), i < 1000, in blocks of
 * 100 rows; the query's now() is XT_T0 + 2 days. */

Test(query_fn_misc_exec, ago_filters_prune_blocks)
{
    sl_query_env_t qe = { .store = env.store };
    const char *text = "Syslog | where TimeGenerated >= ago(2d) + 500m | count";
    sl_query_req_t req = { .text = text,
                           .len = strlen(text),
                           .ws = &env.ws,
                           .nws = 1,
                           .now = XT_T0 + 2 * SL_TICKS_PER_DAY };
    sl_query_result_t res;
    sl_diag_t d = { 0 };
    cr_assert_eq(sl_query_run(&qe, &req, &res, &d), 0, "%s", d.msg);
    const sl_colset_t *t = &res.tables[0].rows;
    cr_expect_eq(sl_col_i64(&t->cols[0], 0), 500);
    /* The bound filter compares with a constant: the scan skipped the five
     * blocks of rows 0..499 without reading them. */
    cr_expect_geq(
      res.stats.blocks_pruned, 5, "pruned %llu", (unsigned long long)res.stats.blocks_pruned);
    sl_query_result_dispose(&res);
}

Test(query_fn_misc_exec, summarize_by_bin)
{
    /* Group keys only (the aggregates are another library's). */
    xt_expect(&env, "Syslog | summarize by bin(TimeGenerated, 1h) | count", "Count:long\n17");
    xt_expect(&env,
              "Syslog | summarize by h = bin(TimeGenerated, 1h) | sort by h asc | take 2",
              "h:datetime\n2024-06-10T00:00:00Z\n2024-06-10T01:00:00Z");
    xt_expect(&env,
              "Syslog | summarize by bin(TimeGenerated, 7d)",
              "TimeGenerated:datetime\n2024-06-10T00:00:00Z");
    xt_expect(&env,
              "Syslog | summarize by d = startofday(TimeGenerated), Computer | count",
              "Count:long\n3");
    xt_expect(
      &env, "Syslog | summarize by b = bin(Dur, 100) | sort by b asc", "b:real\n0\n100\n200");
}

Test(query_fn_misc_exec, functions_in_project_and_where)
{
    xt_expect(&env,
              "Syslog | where Dur == 2 | project t = format_datetime(TimeGenerated, 'HH:mm'), "
              "ok = iff(Ok, 'y', 'n'), c = coalesce(Code, -1), "
              "m = datetime_diff('minute', TimeGenerated, datetime(2024-06-10)), "
              "s = tostring(Dur), h = hourofday(TimeGenerated)",
              "t:string,ok:string,c:long,m:long,s:string,h:int\n00:08,y,1,8,2,0");
    xt_expect(&env, "Syslog | where isnull(Code) | count", "Count:long\n100");
    xt_expect(&env,
              "Syslog | where toint(Code) == 6 and Dur < 10 | project Dur",
              "Dur:real\n1.5\n3.25\n5\n6.75\n8.5");
    xt_expect(&env,
              "Syslog | where Dur < 1 | project lvl = case(SeverityLevel == 'error', 3, "
              "SeverityLevel == 'warning', 2, 1), r = round(Dur, 1)",
              "lvl:long,r:real\n1,0\n1,0.3\n2,0.5\n3,0.8");
}

Test(query_fn_misc_exec, parallel_scans_give_the_same_answers)
{
    const char *queries[] = {
        "Syslog | summarize by bin(TimeGenerated, 1h) | sort by TimeGenerated asc",
        "Syslog | summarize by bin(TimeGenerated, 5m), Computer | count",
        "Syslog | where TimeGenerated > ago(2d) + 10h | count",
        "Syslog | summarize by Computer, startofday(TimeGenerated) | sort by Computer asc",
        "Syslog | where datetime_part('minute', TimeGenerated) == 7 | project Dur",
    };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        env.parallel = false;
        char *serial = xt_query(&env, queries[i]);
        env.parallel = true;
        char *par = xt_query(&env, queries[i]);
        cr_expect(
          strcmp(serial, par) == 0, "%s\n serial: %s\n parallel: %s", queries[i], serial, par);
        cr_expect(strncmp(par, "ERROR", 5) != 0, "%s", par);
        free(serial);
        free(par);
    }
    env.parallel = false;
}
