/*
 * Registry table of the misc functions (see query_int.h, sl_qfn_misc):
 * conversions, datetime, math and conditional functions. Members of a
 * family share a bind and an eval (fn_misc_int.h); the bind tells them
 * apart by name. Argument counts here are the only arity check, so they
 * follow the docs' syntax exactly.
 */
#include "query/fn_misc_int.h"

#define FN(name, lo, hi, fam)                                                                      \
    {                                                                                              \
        name, lo, hi, false, sl_qmisc_bind_##fam, sl_qmisc_eval_##fam                              \
    }

const sl_qfn_t sl_qfn_misc[] = {
    /* conversions (fn_misc_conv.c) */
    FN("tostring", 1, 1, conv),
    FN("toint", 1, 1, conv),
    FN("tolong", 1, 1, conv),
    FN("todouble", 1, 1, conv),
    FN("toreal", 1, 1, conv),
    FN("todecimal", 1, 1, conv),
    FN("tobool", 1, 1, conv),
    FN("toboolean", 1, 1, conv),
    FN("todatetime", 1, 1, conv),
    FN("totimespan", 1, 1, conv),
    FN("totime", 1, 1, conv),
    FN("toguid", 1, 1, conv),

    /* datetimes (fn_misc_time.c) */
    FN("now", 0, 1, now),
    FN("ago", 1, 1, now),
    FN("startofday", 1, 2, startof),
    FN("startofweek", 1, 2, startof),
    FN("startofmonth", 1, 2, startof),
    FN("startofyear", 1, 2, startof),
    FN("endofday", 1, 2, startof),
    FN("endofweek", 1, 2, startof),
    FN("endofmonth", 1, 2, startof),
    FN("endofyear", 1, 2, startof),
    FN("dayofweek", 1, 1, dtfield),
    FN("dayofmonth", 1, 1, dtfield),
    FN("dayofyear", 1, 1, dtfield),
    FN("hourofday", 1, 1, dtfield),
    FN("getmonth", 1, 1, dtfield),
    FN("monthofyear", 1, 1, dtfield),
    FN("getyear", 1, 1, dtfield),
    FN("week_of_year", 1, 1, dtfield),
    FN("datetime_part", 2, 2, dtfield),
    FN("datepart", 2, 2, dtfield),

    /* calendar arithmetic (fn_misc_dtcalc.c) */
    FN("datetime_add", 3, 3, dtadd),
    FN("datetime_diff", 3, 3, dtdiff),
    FN("make_datetime", 3, 6, mkdt),
    FN("make_timespan", 2, 4, mkdt),
    FN("unixtime_seconds_todatetime", 1, 1, unixtime),
    FN("unixtime_milliseconds_todatetime", 1, 1, unixtime),
    FN("unixtime_microseconds_todatetime", 1, 1, unixtime),
    FN("unixtime_nanoseconds_todatetime", 1, 1, unixtime),

    /* binning (fn_misc_bin.c); floor with one argument is math below */
    FN("bin", 2, 2, bin),
    FN("floor", 2, 2, bin),
    FN("bin_at", 3, 3, bin),

    /* formatting (fn_misc_fmt.c) */
    FN("format_datetime", 2, 2, fmt),
    FN("format_timespan", 2, 2, fmt),

    /* math (fn_misc_math.c, fn_misc_minmax.c) */
    FN("round", 1, 2, round),
    FN("floor", 1, 1, round),
    FN("ceiling", 1, 1, round),
    FN("abs", 1, 1, unary),
    FN("sign", 1, 1, unary),
    FN("sqrt", 1, 1, unary),
    FN("exp", 1, 1, unary),
    FN("exp2", 1, 1, unary),
    FN("exp10", 1, 1, unary),
    FN("log", 1, 1, unary),
    FN("log2", 1, 1, unary),
    FN("log10", 1, 1, unary),
    FN("isnan", 1, 1, unary),
    FN("isinf", 1, 1, unary),
    FN("isfinite", 1, 1, unary),
    FN("sin", 1, 1, unary),
    FN("cos", 1, 1, unary),
    FN("tan", 1, 1, unary),
    FN("asin", 1, 1, unary),
    FN("acos", 1, 1, unary),
    FN("atan", 1, 1, unary),
    FN("cot", 1, 1, unary),
    FN("degrees", 1, 1, unary),
    FN("radians", 1, 1, unary),
    FN("pow", 2, 2, pow),
    FN("atan2", 2, 2, pow),
    FN("pi", 0, 0, pi),
    FN("max_of", 2, 64, minmax),
    FN("min_of", 2, 64, minmax),

    /* conditionals and nulls (fn_misc_cond.c, fn_misc_null.c) */
    FN("iff", 3, 3, iff),
    FN("iif", 3, 3, iff),
    FN("case", 3, 255, iff),
    FN("coalesce", 2, 64, coalesce),
    FN("isnull", 1, 1, isnull),
    FN("isnotnull", 1, 1, isnull),
    FN("isempty", 1, 1, isnull),
    FN("isnotempty", 1, 1, isnull),
    FN("not", 1, 1, isnull),
    FN("gettype", 1, 1, gettype),

    { .name = NULL },
};
