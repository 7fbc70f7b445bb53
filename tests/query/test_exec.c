/*
 * End-to-end queries over a real store: the operators that need no
 * aggregate functions, sources, unions, lets, time pushdown, result caps
 * and errors.
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

TestSuite(query_exec, .init = setup, .fini = teardown, .timeout = 60);

Test(query_exec, count_reads_every_block)
{
    xt_expect(&env, "Syslog | count", "Count:long\n1000");
    xt_expect(&env, "Syslog | where Computer == 'host1' | count", "Count:long\n333");
    xt_expect(&env, "Syslog | count as N", "N:long\n1000");
}

Test(query_exec, where_project_take)
{
    xt_expect(&env, "Syslog | where Code == 3 and Dur < 10 | project Code, Dur | take 2",
              "Code:long,Dur:real\n3,0.75\n3,2.5");
    xt_expect(&env, "Syslog | where Code >= 0 | count", "Count:long\n900");
    xt_expect(&env, "Syslog | take 0 | project Code", "Code:long");
}

Test(query_exec, extend_and_generated_names)
{
    xt_expect(&env, "Syslog | where Dur == 2 | extend x = Code * 10, Dur + 1 | project x, Column1",
              "x:long,Column1:real\n10,3");
    xt_expect(&env, "Syslog | where Dur == 2 | project Code = Code + 1, Dur",
              "Code:long,Dur:real\n2,2");
}

Test(query_exec, sort_and_top)
{
    /* Every table also has TenantId and Type, as in Log Analytics. */
    xt_expect(&env, "Syslog | top 3 by Dur", "TimeGenerated:datetime,Computer:string,"
              "SeverityLevel:string,SyslogMessage:string,Code:long,Dur:real,Ok:bool,"
              "TenantId:string,Type:string\n"
              "2024-06-10T16:39:00Z,host0,error,message 999 Connection timeout from Host0,null,"
              "249.75,false,42424242-4242-4242-4242-424242424242,Syslog\n"
              "2024-06-10T16:38:00Z,host2,warning,message 998 ok from Host2,4,249.5,true,"
              "42424242-4242-4242-4242-424242424242,Syslog\n"
              "2024-06-10T16:37:00Z,host1,info,message 997 ok from Host1,3,249.25,false,"
              "42424242-4242-4242-4242-424242424242,Syslog");
    xt_expect(&env, "Syslog | top 2 by Dur asc | project Dur", "Dur:real\n0\n0.25");
    xt_expect(&env, "Syslog | where Dur < 3 | sort by Code asc nulls last, Dur desc | project Code, "
              "Dur | take 4",
              "Code:long,Dur:real\n0,1.75\n0,0\n1,2\n1,0.25");
    /* nulls: last by default in desc order, first in asc. */
    xt_expect(&env, "Syslog | where Dur < 3 | order by Code | project Code | take 1",
              "Code:long\n6");
    xt_expect(&env, "Syslog | where Dur < 3 | order by Code asc | project Code | take 2",
              "Code:long\nnull\n0");
}

Test(query_exec, distinct_and_summarize_by_without_aggregates)
{
    xt_expect(&env, "Syslog | distinct Computer | sort by Computer asc",
              "Computer:string\nhost0\nhost1\nhost2");
    xt_expect(&env, "Syslog | summarize by SeverityLevel | sort by SeverityLevel asc",
              "SeverityLevel:string\nerror\ninfo\nwarning");
}

Test(query_exec, lets_print_and_unions)
{
    xt_expect(&env, "let n = 2; let T = Syslog | where Code == n; T | count", "Count:long\n128");
    xt_expect(&env, "print x = 1 + 1, 'a'", "x:long,print_1:string\n2,a");
    xt_expect(&env, "union Syslog, workspace('ws2').Syslog | count", "Count:long\n1050");
    xt_expect(&env, "union withsource=Src Sys*, (workspace('ws2').Syslog | where Dur < 1) "
              "| where Dur < 0.5 | project Src, Dur | sort by Dur asc, Src asc",
              "Src:string,Dur:real\nSyslog,0\nunion_arg1,0\nSyslog,0.25\nunion_arg1,0.25");
    xt_expect(&env, "Syslog | where Dur == 0 | project Type, TenantId",
              "Type:string,TenantId:string\nSyslog,42424242-4242-4242-4242-424242424242");
}

Test(query_exec, time_filters_prune_blocks)
{
    /* Minutes 100..199 of the data: one hour and 40 minutes in. */
    xt_expect(&env,
              "Syslog | where TimeGenerated >= datetime(2024-06-10T01:40:00Z) and TimeGenerated < "
              "datetime(2024-06-10T03:20:00Z) | count",
              "Count:long\n100");
    sl_query_req_t opt = { .has_timespan = true,
                           .t0 = XT_T0 + 10 * SL_TICKS_PER_MIN,
                           .t1 = XT_T0 + 19 * SL_TICKS_PER_MIN };
    char *got = xt_query_opts(&env, "Syslog | count", &opt);
    cr_expect_str_eq(got, "Count:long\n10");
    free(got);
}

Test(query_exec, result_caps_mark_partial)
{
    sl_query_req_t opt = { .max_rows = 5 };
    char *got = xt_query_opts(&env, "Syslog | project Dur", &opt);
    cr_expect(strstr(got, "\n1\nPARTIAL: The results of this query exceed the set limit of 5 "
                          "records") != NULL,
              "%s", got);
    free(got);
}

Test(query_exec, errors_name_the_problem)
{
    xt_expect_error(&env, "Nope | count", "SL_ESEMANTIC",
                    "Failed to resolve table expression named 'Nope'");
    xt_expect_error(&env, "Syslog | where Nope > 1", "SL_ESEMANTIC",
                    "'where' operator: Failed to resolve scalar expression named 'Nope'");
    xt_expect_error(&env, "Syslog | where", "SL_EPARSE", "line 1");
    xt_expect_error(&env, "Syslog | join (Syslog) on Code", "SL_EUNSUPPORTED",
                    "'join' is not supported");
    xt_expect_error(&env, "Syslog | make-series count() on TimeGenerated step 1h",
                    "SL_EUNSUPPORTED", "make-series");
    xt_expect_error(&env, "Syslog | where Dur", "SL_ESEMANTIC", "must be a bool");
    xt_expect_error(&env, "workspace('zz').Syslog | count", "SL_ENOTFOUND", "zz");
}

Test(query_exec, acknowledged_rows_are_visible_before_their_block_is_written)
{
    /* The store's flush interval is a minute: these rows stay in memory. */
    xt_submit(&env, xt_batch(&env.ws, 1000, 30));
    xt_expect(&env, "Syslog | count", "Count:long\n1030");
    xt_expect(&env, "Syslog | where Dur >= 250 | count", "Count:long\n30");
}

Test(query_exec, parallel_scans_give_the_same_answers)
{
    const char *queries[] = {
        "Syslog | count",
        "Syslog | where Code == 2 | count",
        "Syslog | distinct Computer | sort by Computer asc",
        "Syslog | top 5 by Dur asc | project Dur",
        "Syslog | where Dur > 10 | take 7 | count",
        "Syslog | where SeverityLevel == 'error' | project Dur | sort by Dur desc | take 3",
        "Syslog | where Dur < 30 | project Dur, Code",
    };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        env.parallel = false;
        char *serial = xt_query(&env, queries[i]);
        env.parallel = true;
        char *par = xt_query(&env, queries[i]);
        cr_expect(strcmp(serial, par) == 0, "%s\n serial: %s\n parallel: %s", queries[i],
                  serial, par);
        cr_expect(strncmp(par, "ERROR", 5) != 0, "%s", par);
        free(serial);
        free(par);
    }
    env.parallel = false;
}

Test(query_exec, summarize_with_aggregates_and_generated_names)
{
    xt_expect(&env, "Syslog | summarize count() by Computer | sort by Computer asc",
              "Computer:string,count_:long\nhost0,334\nhost1,333\nhost2,333");
    xt_expect(&env, "Syslog | summarize n = count(), sum(Code), avg(Dur), dcount(Computer), "
              "max(Dur), min(TimeGenerated)",
              "n:long,sum_Code:long,avg_Dur:real,dcount_Computer:long,max_Dur:real,"
              "min_TimeGenerated:datetime\n1000,2696,124.875,3,249.75,2024-06-10T00:00:00Z");
    xt_expect(&env, "Syslog | summarize count() by bin(TimeGenerated, 6h) | sort by TimeGenerated "
              "asc",
              "TimeGenerated:datetime,count_:long\n2024-06-10T00:00:00Z,360\n"
              "2024-06-10T06:00:00Z,360\n2024-06-10T12:00:00Z,280");
    xt_expect(&env, "Syslog | summarize errors = countif(SeverityLevel == 'error'), "
              "pct = round(100.0 * countif(SeverityLevel == 'error') / count(), 1) by Computer "
              "| sort by Computer asc",
              "Computer:string,errors:long,pct:real\nhost0,84,25.1\nhost1,83,24.9\nhost2,83,24.9");
    xt_expect(&env, "Syslog | where Computer == 'host0' | summarize arg_max(Dur, Code, "
              "SeverityLevel)",
              "Dur:real,Code:long,SeverityLevel:string\n249.75,null,error");
    xt_expect(&env, "Syslog | summarize count() by Computer | summarize sum(count_)",
              "sum_count_:long\n1000");
    /* No rows and no group keys: one row of the aggregates' default values. */
    xt_expect(&env, "Syslog | where Dur < 0 | summarize count(), sum(Code)",
              "count_:long,sum_Code:long\n0,0");
}

Test(query_exec, string_operators_and_functions_in_filters)
{
    xt_expect(&env, "Syslog | where SyslogMessage has 'timeout' | count", "Count:long\n250");
    xt_expect(&env, "Syslog | where SyslogMessage contains 'TIMEOUT' | count", "Count:long\n250");
    xt_expect(&env, "Syslog | where SyslogMessage contains_cs 'TIMEOUT' | count", "Count:long\n0");
    xt_expect(&env, "Syslog | where SyslogMessage matches regex @'message 99\\d ' | count",
              "Count:long\n10");
    xt_expect(&env, "Syslog | where Computer in ('host1', 'host2') and Dur between (1 .. 2) "
              "| project Dur",
              "Dur:real\n1\n1.25\n1.75\n2");
    xt_expect(&env, "Syslog | where Dur == 2.5 | project tolower(Computer), strlen(SyslogMessage),"
              " x = strcat(Computer, '-', tostring(Code))",
              "Column1:string,Column2:long,x:string\nhost1,24,host1-3");
    xt_expect(&env, "let hosts = dynamic(['host0']); Syslog | where Computer in (hosts) | count",
              "Count:long\n334");
    xt_expect(&env, "Syslog | where Computer in ((Syslog | where Dur == 1 | project Computer)) "
              "| count",
              "Count:long\n333");
    xt_expect(&env, "Syslog | where TimeGenerated > ago(2d) - 1h | count", "Count:long\n1000");
}

Test(query_exec, rare_terms_skip_blocks_by_their_term_filters)
{
    /* 1000 rows in 12 blocks (batches of 250, blocks of 100). "Connection" is in every block: nothing
     * can be skipped, and the answer is the same as without filters. */
    xt_expect(&env, "Syslog | where SyslogMessage has 'connection' | count", "Count:long\n250");
    cr_expect_eq(env.last.blocks_pruned, 0);
    /* A long term that no row holds: every stored block is skipped by its
     * filter, before any column is decoded. */
    xt_expect(&env, "Syslog | where SyslogMessage has 'a65ed3891f' | count", "Count:long\n0");
    cr_expect_eq(env.last.blocks_pruned, 12, "%llu pruned, %llu read", (unsigned long long)env.last.blocks_pruned, (unsigned long long)env.last.blocks_read);
    cr_expect_eq(env.last.rows_scanned, 0);
    xt_expect(&env, "Syslog | where Computer == 'host1-nonexistent' | count",
              "Count:long\n0");
    cr_expect_eq(env.last.blocks_pruned, 12, "%llu pruned, %llu read", (unsigned long long)env.last.blocks_pruned, (unsigned long long)env.last.blocks_read);
    /* has_all needs every term; has_cs is a subset of has. */
    xt_expect(&env,
              "Syslog | where SyslogMessage has_all ('Connection', 'nonexistent') | count",
              "Count:long\n0");
    cr_expect_eq(env.last.blocks_pruned, 12, "%llu pruned, %llu read", (unsigned long long)env.last.blocks_pruned, (unsigned long long)env.last.blocks_read);
    xt_expect(&env, "Syslog | where SyslogMessage has_cs 'Connection' | count",
              "Count:long\n250");
    xt_expect(&env, "Syslog | where SyslogMessage has_cs 'CONNECTION' | count", "Count:long\n0");
    /* Negations, disjunctions and short terms never skip a block. */
    xt_expect(&env, "Syslog | where SyslogMessage !has 'a65ed3891f' | count",
              "Count:long\n1000");
    cr_expect_eq(env.last.blocks_pruned, 0);
    xt_expect(&env,
              "Syslog | where SyslogMessage has 'a65ed3891f' or Computer == 'host1' | count",
              "Count:long\n333");
    cr_expect_eq(env.last.blocks_pruned, 0);
    xt_expect(&env, "Syslog | where SyslogMessage has 'message' | count", "Count:long\n1000");
    /* A filter after a rename refers to another column: no skipping by name. */
    xt_expect(&env,
              "Syslog | project-rename M = SyslogMessage | where M has 'Connection' | count",
              "Count:long\n250");
}
