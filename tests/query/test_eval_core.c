/*
 * Comparison, arithmetic and logic operators through the binder and the
 * vectorised evaluator, with KQL's null rules.
 */
#include "eval_test.h"

Test(query_eval_core, constants_fold_to_one_value)
{
    et_expect(NULL, "1 + 2 * 3", "7:long");
    et_expect(NULL, "7 / 2", "3:long");
    et_expect(NULL, "-7 / 2", "-3:long");
    et_expect(NULL, "7 % 3", "1:long");
    et_expect(NULL, "7.0 / 2", "3.5:real");
    et_expect(NULL, "1 / 0", "null:long");
    et_expect(NULL, "1.0 / 0", "Infinity:real");
    et_expect(NULL, "int(2) + int(3)", "5:int");
    et_expect(NULL, "-(3)", "-3:long");
}

Test(query_eval_core, datetime_and_timespan_arithmetic)
{
    et_expect(NULL, "datetime(2024-01-01) + 1d", "2024-01-02T00:00:00Z:datetime");
    et_expect(NULL, "datetime(2024-01-02) - datetime(2024-01-01)", "1.00:00:00:timespan");
    et_expect(NULL, "1h * 2", "02:00:00:timespan");
    et_expect(NULL, "2 * 30m", "01:00:00:timespan");
    et_expect(NULL, "1d / 1h", "24:real");
    et_expect(NULL, "90m / 2", "00:45:00:timespan");
    et_expect(NULL, "1h - 2h", "-01:00:00:timespan");
}

Test(query_eval_core, comparisons_over_columns)
{
    sl_colset_t t;
    et_table(&t);
    et_expect(&t, "a > 0", "true|true|null|false:bool");
    et_expect(&t, "a == 5", "false|true|false|false:bool");
    et_expect(&t, "a != 5", "true|false|true|true:bool");
    et_expect(&t, "a == r", "false|true|false|true:bool");
    et_expect(&t, "r >= 1.5", "true|true|false|false:bool");
    et_expect(&t, "s == 'Beta'", "false|true|false|false:bool");
    et_expect(&t, "s != ''", "true|true|false|true:bool");
    et_expect(&t, "s < 'b'", "true|true|true|false:bool");
    et_expect(&t, "a * 2 + 1", "3|11|null|-5:long");
    et_expect(&t, "a + r", "2.5|10|null|-6:real");
    sl_colset_dispose(&t);
}

Test(query_eval_core, null_rules_for_equality)
{
    et_expect(NULL, "long(null) == 1", "false:bool");
    et_expect(NULL, "long(null) != 1", "true:bool");
    et_expect(NULL, "long(null) == long(null)", "null:bool");
    et_expect(NULL, "long(null) < 1", "null:bool");
    et_expect(NULL, "long(null) + 1", "null:long");
}

Test(query_eval_core, three_valued_logic)
{
    sl_colset_t t;
    et_table(&t);
    et_expect(&t, "f and true", "true|null|true|false:bool");
    et_expect(&t, "f and false", "false|false|false|false:bool");
    et_expect(&t, "f or true", "true|true|true|true:bool");
    et_expect(&t, "f or false", "true|null|true|false:bool");
    et_expect(&t, "a > 0 and s != ''", "true|true|false|false:bool");
    sl_colset_dispose(&t);
}

Test(query_eval_core, type_errors_are_semantic_errors)
{
    char *got = et_eval(NULL, "'a' + 1");
    cr_expect(strstr(got, "ERROR SL_ESEMANTIC") == got, "%s", got);
    free(got);
    got = et_eval(NULL, "1 == 'a'");
    cr_expect(strstr(got, "Cannot compare") != NULL, "%s", got);
    free(got);
    got = et_eval(NULL, "nosuchcolumn > 1");
    cr_expect(strstr(got, "Failed to resolve scalar expression named 'nosuchcolumn'") != NULL,
              "%s", got);
    free(got);
    got = et_eval(NULL, "nosuchfn(1)");
    cr_expect(strstr(got, "Unknown function") != NULL, "%s", got);
    free(got);
}

Test(query_eval_core, typeof_literals_name_a_type)
{
    et_expect(NULL, "extract('x=([0-9]+)', 1, 'x=42', typeof(long)) + 1", "43:long");
    et_expect(NULL, "extract('x=([0-9.]+)', 1, 'x=1.5', typeof(real))", "1.5:real");
}
