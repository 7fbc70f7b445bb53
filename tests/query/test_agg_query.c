/*
 * The aggregates end to end: KQL `summarize` queries over a real store
 * (exec_test.h's generated Syslog table: row i has Computer host<i%3>,
 * SeverityLevel from (info, info, warning, error), Code = i % 7 or null
 * when i % 10 == 9, Dur = i / 4.0, Ok = i even). Expected values were
 * computed independently from that definition.
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

TestSuite(query_agg_query, .init = setup, .fini = teardown, .timeout = 60);

Test(query_agg_query, counts_sums_and_averages_by_group)
{
    xt_expect(&env,
              "Syslog | summarize count(), dcount(Code), sum(Code), avg(Dur) by Computer "
              "| sort by Computer asc",
              "Computer:string,count_:long,dcount_Code:long,sum_Code:long,avg_Dur:real\n"
              "host0,334,7,898,124.875\n"
              "host1,333,7,894,124.75\n"
              "host2,333,7,904,125");
    xt_expect(&env,
              "Syslog | summarize countif(Ok), min(Code), max(Dur) by SeverityLevel "
              "| sort by SeverityLevel asc",
              "SeverityLevel:string,countif_Ok:long,min_Code:long,max_Dur:real\n"
              "error,0,0,249.75\n"
              "info,250,0,249.25\n"
              "warning,250,0,249.5");
}

Test(query_agg_query, percentiles_are_exact_nearest_rank)
{
    xt_expect(&env,
              "Syslog | summarize percentiles(Dur, 50, 95), percentile(Code, 100)",
              "percentile_Dur_50:real,percentile_Dur_95:real,percentile_Code_100:long\n"
              "124.75,237.25,6");
    /* int widens to long, as in Kusto. */
    xt_expect(&env, "Syslog | extend c = toint(Code) | summarize percentile(c, 50)",
              "percentile_c_50:long\n3");
}

Test(query_agg_query, arg_max_with_star_returns_whole_rows)
{
    xt_expect(&env,
              "Syslog | summarize arg_max(Dur, *) by SeverityLevel | sort by SeverityLevel asc "
              "| project SeverityLevel, Dur, Computer, Code",
              "SeverityLevel:string,Dur:real,Computer:string,Code:long\n"
              "error,249.75,host0,null\n"
              "info,249.25,host1,3\n"
              "warning,249.5,host2,4");
    xt_expect(&env,
              "Syslog | summarize arg_min(Dur, SyslogMessage) by Computer | sort by Computer asc",
              "Computer:string,Dur:real,SyslogMessage:string\n"
              "host0,0,message 0 ok from Host0\n"
              "host1,0.25,message 1 ok from Host1\n"
              "host2,0.5,message 2 ok from Host2");
}

Test(query_agg_query, lists_and_sets_are_dynamic_arrays)
{
    xt_expect(&env,
              "Syslog | where Dur < 2 | summarize make_list(Code), make_set(Ok) by Computer "
              "| sort by Computer asc",
              "Computer:string,list_Code:dynamic,set_Ok:dynamic\n"
              "host0,[0,3,6],[true,false]\n"
              "host1,[1,4,0],[false,true]\n"
              "host2,[2,5],[true,false]");
}

Test(query_agg_query, an_empty_input_gives_the_default_values)
{
    /* The summarize page's defaults: 0 for counts and sums, NaN for avg,
     * [] for lists and sets, null for the rest. */
    xt_expect(&env,
              "Syslog | where Dur < 0 | summarize count(), dcount(Code), sum(Code), avg(Dur), "
              "max(Dur), make_list(Code), percentile(Dur, 50), take_any(Computer)",
              "count_:long,dcount_Code:long,sum_Code:long,avg_Dur:real,max_Dur:real,"
              "list_Code:dynamic,percentile_Dur_50:real,Computer:string\n"
              "0,0,0,NaN,null,[],null,");
    xt_expect(&env,
              "Syslog | where Dur < 0 | summarize count() by Computer",
              "Computer:string,"
              "count_:long");
}

Test(query_agg_query, names_follow_kusto)
{
    xt_expect(&env,
              "Syslog | summarize sum(Code * 2), count(), count() | project-away count_1",
              "sum_:long,count_:long\n5392,1000");
    xt_expect(&env, "Syslog | summarize Pct = 100.0 * countif(Ok) / count()", "Pct:real\n50");
    xt_expect(&env,
              "Syslog | where Dur < 1 | summarize any(Computer), take_any(Code + 1)",
              "any_Computer:string,Column1:long\nhost0,1");
}

Test(query_agg_query, bind_errors_name_the_aggregate)
{
    xt_expect_error(&env,
                    "Syslog | summarize sum(Computer)",
                    "SL_ESEMANTIC",
                    "sum(): argument 1 must be a number or a timespan, got string");
    xt_expect_error(&env,
                    "Syslog | summarize percentile(Dur, 200)",
                    "SL_ESEMANTIC",
                    "percentile must be 0 to 100");
}

Test(query_agg_query, parallel_partials_merge_to_the_same_answers)
{
    const char *queries[] = {
        "Syslog | summarize count(), dcount(Code), sum(Code), avg(Dur), min(Dur), max(Code) by "
        "Computer | sort by Computer asc",
        "Syslog | summarize dcount(SyslogMessage), countif(Ok), sumif(Dur, Ok) by SeverityLevel | "
        "sort by SeverityLevel asc",
        "Syslog | summarize percentiles(Dur, 1, 50, 99), percentile(Code, 75)",
        "Syslog | summarize arg_max(Dur, SyslogMessage, Code), arg_min(Dur, Computer) by "
        "SeverityLevel | sort by SeverityLevel asc",
        "Syslog | summarize max(SyslogMessage), min(SyslogMessage) by Computer | sort by Computer "
        "asc",
        "Syslog | summarize variance(Code), stdev(Dur) by Ok | sort by Ok asc",
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
