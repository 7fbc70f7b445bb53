/*
 * Calendar arithmetic: datetime_add, datetime_diff, make_datetime,
 * make_timespan, unixtime_{seconds,milliseconds,microseconds,nanoseconds}
 * _todatetime.
 *
 * datetime_add adds calendar periods: months and years keep the time of
 * day and clamp the day to the target month (Jan 31 + 1 month = Feb 28, or
 * 29 in leap years), as .NET's AddMonths does; weeks and smaller periods
 * are fixed lengths. Nanoseconds are 1/100 tick and truncate towards zero.
 *
 * datetime_diff(period, a, b) counts period boundaries crossed, per the
 * docs' examples: both values are truncated to the period (the week starts
 * on Sunday) and the difference of the truncated values is returned, so
 * datetime_diff('year', 2017-01-01, 2000-12-31) is 17 and
 * datetime_diff('second', 23:00:10.1, 23:00:00.9) is 10.
 *
 * The period is usually a constant: bind parses it once (an unknown name is
 * a bind error); a period taken from a column is parsed per row and an
 * unknown one gives null. Any result outside the datetime range is null.
 */
#include "query/fn_misc_int.h"

#include <math.h>
#include <string.h>

/* The period argument: parsed at bind time when constant. */
static int bind_period(sl_qcall_t *call, sl_diag_t *d)
{
    const char *s;
    size_t n;
    if (call->args[0]->type != SL_TYPE_STRING) {
        return sl_qmisc_arg_error(d, call, 0, "a string");
    }
    call->variant = SL_QPER_NONE;
    if (sl_qexpr_const_text(call->args[0], &s, &n)) {
        call->variant = (int)sl_qper_parse(s, n, false);
        if (call->variant == SL_QPER_NONE) {
            return sl_qmisc_error(d,
                                  call,
                                  "unknown period '%.*s' (expected Year, Quarter, Month, "
                                  "Week, Day, Hour, Minute, Second, Millisecond, "
                                  "Microsecond or Nanosecond)",
                                  (int)SL_MIN(n, 40),
                                  s);
        }
    }
    return 0;
}

static sl_qper_t row_period(const sl_qcall_t *call, sl_qvec_t *const *args, size_t i)
{
    if (call->variant != SL_QPER_NONE) {
        return (sl_qper_t)call->variant;
    }
    size_t n;
    const char *s = sl_qvec_text(args[0], i, &n);
    return sl_qper_parse(s, n, false);
}

/* Ticks of one fixed-length period (weeks and smaller), 0 for calendar ones. */
static int64_t period_ticks(sl_qper_t p)
{
    switch (p) {
    case SL_QPER_WEEK:
        return 7 * SL_TICKS_PER_DAY;
    case SL_QPER_DAY:
        return SL_TICKS_PER_DAY;
    case SL_QPER_HOUR:
        return SL_TICKS_PER_HOUR;
    case SL_QPER_MINUTE:
        return SL_TICKS_PER_MIN;
    case SL_QPER_SECOND:
        return SL_TICKS_PER_SEC;
    case SL_QPER_MILLISECOND:
        return SL_TICKS_PER_MS;
    case SL_QPER_MICROSECOND:
        return SL_TICKS_PER_US;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------------ */
/* datetime_add                                                             */
/* ------------------------------------------------------------------------ */

int sl_qmisc_bind_dtadd(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int rc = bind_period(call, d);
    if (rc == 0) {
        rc = sl_qmisc_want_long(b, call, 1, d);
    }
    if (rc == 0) {
        rc = sl_qmisc_want(b, call, 2, SL_TYPE_DATETIME, "a datetime", d);
    }
    *type = SL_TYPE_DATETIME;
    return rc;
}

static bool dt_add(sl_qper_t p, int64_t amount, sl_ticks_t t, sl_ticks_t *out)
{
    int64_t step = period_ticks(p), delta;
    switch (p) {
    case SL_QPER_YEAR:
    case SL_QPER_QUARTER:
    case SL_QPER_MONTH: {
        int64_t per = p == SL_QPER_YEAR ? 12 : p == SL_QPER_QUARTER ? 3 : 1;
        if (amount > 120000 || amount < -120000) {
            return false;
        }
        return sl_qdt_add_months(t, amount * per, out);
    }
    case SL_QPER_NANOSECOND:
        delta = amount / 100;
        break;
    default:
        if (__builtin_mul_overflow(amount, step, &delta)) {
            return false;
        }
        break;
    }
    return !__builtin_add_overflow(t, delta, out) && sl_qdt_ok(*out);
}

int sl_qmisc_eval_dtadd(const sl_qcall_t *call,
                        sl_qvec_t *const *args,
                        size_t n,
                        sl_qvec_t **out,
                        sl_qrt_t *rt)
{
    (void)rt;
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_DATETIME, n);
    int64_t *w = sl_qvec_i64w(o);
    for (size_t i = 0; i < n; i++) {
        sl_qper_t p = row_period(call, args, i);
        if (p == SL_QPER_NONE || sl_qvec_is_null(args[1], i) || sl_qvec_is_null(args[2], i) ||
            !dt_add(p, sl_qvec_i64(args[1], i), sl_qvec_i64(args[2], i), &w[i])) {
            w[i] = 0;
            sl_qvec_set_null(o, i);
        }
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* datetime_diff                                                            */
/* ------------------------------------------------------------------------ */

int sl_qmisc_bind_dtdiff(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int rc = bind_period(call, d);
    if (rc == 0) {
        rc = sl_qmisc_want(b, call, 1, SL_TYPE_DATETIME, "a datetime", d);
    }
    if (rc == 0) {
        rc = sl_qmisc_want(b, call, 2, SL_TYPE_DATETIME, "a datetime", d);
    }
    *type = SL_TYPE_LONG;
    return rc;
}

/* The number of the period holding t, counted from some fixed origin. */
static int64_t period_index(sl_qper_t p, sl_ticks_t t)
{
    if (p == SL_QPER_WEEK) {
        int64_t days = sl_qfloordiv(t, SL_TICKS_PER_DAY);
        /* Sunday-based weeks: 1970-01-04 was a Sunday. */
        return sl_qfloordiv(days - 3, 7);
    }
    int64_t step = period_ticks(p);
    if (step) {
        return sl_qfloordiv(t, step);
    }
    int64_t y;
    unsigned m, d;
    sl_civil_from_days(sl_qfloordiv(t, SL_TICKS_PER_DAY), &y, &m, &d);
    switch (p) {
    case SL_QPER_YEAR:
        return y;
    case SL_QPER_QUARTER:
        return y * 4 + (m - 1) / 3;
    default: /* month */
        return y * 12 + (m - 1);
    }
}

static bool dt_diff(sl_qper_t p, sl_ticks_t a, sl_ticks_t b, int64_t *out)
{
    if (p == SL_QPER_NANOSECOND) {
        int64_t d;
        return !__builtin_sub_overflow(a, b, &d) && !__builtin_mul_overflow(d, 100, out);
    }
    return !__builtin_sub_overflow(period_index(p, a), period_index(p, b), out);
}

int sl_qmisc_eval_dtdiff(const sl_qcall_t *call,
                         sl_qvec_t *const *args,
                         size_t n,
                         sl_qvec_t **out,
                         sl_qrt_t *rt)
{
    (void)rt;
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_LONG, n);
    int64_t *w = sl_qvec_i64w(o);
    for (size_t i = 0; i < n; i++) {
        sl_qper_t p = row_period(call, args, i);
        if (p == SL_QPER_NONE || sl_qvec_is_null(args[1], i) || sl_qvec_is_null(args[2], i) ||
            !dt_diff(p, sl_qvec_i64(args[1], i), sl_qvec_i64(args[2], i), &w[i])) {
            w[i] = 0;
            sl_qvec_set_null(o, i);
        }
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* make_datetime, make_timespan                                             */
/* ------------------------------------------------------------------------ */

/* make_datetime(year, month, day [, hour [, minute [, second]]]) and
 * make_timespan(hour, minute) / (hour, minute, second) /
 * (day, hour, minute, second). The last argument of the longest forms is a
 * real (seconds with a fraction); the others are integers. */
int sl_qmisc_bind_mkdt(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    bool dt = sl_qmisc_named(call, "make_datetime");
    size_t sec_arg = dt ? 5 : (call->nargs == 2 ? SIZE_MAX : call->nargs - 1);
    for (size_t i = 0; i < call->nargs; i++) {
        int rc =
          i == sec_arg ? sl_qmisc_want_real(b, call, i, d) : sl_qmisc_want_long(b, call, i, d);
        if (rc != 0) {
            return rc;
        }
    }
    call->variant = dt;
    *type = dt ? SL_TYPE_DATETIME : SL_TYPE_TIMESPAN;
    return 0;
}

/* Seconds (a real) as ticks, rounded to the nearest tick. */
static bool sec_ticks(double s, int64_t *out)
{
    double t = s * (double)SL_TICKS_PER_SEC;
    if (!(t > -9.2e18 && t < 9.2e18)) { /* also NaN */
        return false;
    }
    *out = llround(t);
    return true;
}

static bool make_dt(const int64_t *v, size_t k, double sec, sl_ticks_t *out)
{
    int64_t h = k > 3 ? v[3] : 0, mi = k > 4 ? v[4] : 0, st = 0;
    if (k > 5 && (!sec_ticks(sec, &st) || st < 0 || st >= 60 * SL_TICKS_PER_SEC)) {
        return false;
    }
    if (h < 0 || h > 23 || mi < 0 || mi > 59) {
        return false;
    }
    return sl_qdt_make(v[0], v[1], v[2], h * SL_TICKS_PER_HOUR + mi * SL_TICKS_PER_MIN + st, out);
}

static bool make_ts(const int64_t *v, size_t k, double sec, sl_ticks_t *out)
{
    int64_t day = 0, h, mi, st = 0, t;
    if (k == 4) {
        day = v[0];
        v++;
    }
    h = v[0];
    mi = v[1];
    if (k >= 3 && !sec_ticks(sec, &st)) {
        return false;
    }
    /* ((day * 24 + h) * 60 + mi) * minute + seconds, checked. */
    return !__builtin_mul_overflow(day, 24, &t) && !__builtin_add_overflow(t, h, &t) &&
           !__builtin_mul_overflow(t, 60, &t) && !__builtin_add_overflow(t, mi, &t) &&
           !__builtin_mul_overflow(t, SL_TICKS_PER_MIN, &t) && !__builtin_add_overflow(t, st, out);
}

int sl_qmisc_eval_mkdt(const sl_qcall_t *call,
                       sl_qvec_t *const *args,
                       size_t n,
                       sl_qvec_t **out,
                       sl_qrt_t *rt)
{
    (void)rt;
    bool dt = call->variant;
    size_t k = call->nargs;
    size_t sec_arg = dt ? 5 : (k == 2 ? SIZE_MAX : k - 1);
    sl_qvec_t *o = sl_qvec_new(dt ? SL_TYPE_DATETIME : SL_TYPE_TIMESPAN, n);
    int64_t *w = sl_qvec_i64w(o);
    for (size_t i = 0; i < n; i++) {
        int64_t v[6] = { 0 };
        double sec = 0;
        bool ok = true;
        for (size_t j = 0; j < k && ok; j++) {
            ok = !sl_qvec_is_null(args[j], i);
            if (j == sec_arg) {
                sec = ok ? sl_qvec_f64(args[j], i) : 0;
            } else {
                v[j] = ok ? sl_qvec_i64(args[j], i) : 0;
            }
        }
        ok = ok && (dt ? make_dt(v, k, sec, &w[i]) : make_ts(v, k, sec, &w[i]));
        if (!ok) {
            w[i] = 0;
            sl_qvec_set_null(o, i);
        }
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* unixtime_*_todatetime                                                    */
/* ------------------------------------------------------------------------ */

/* Ticks per unit, or (for nanoseconds) 100 units per tick as a negative. */
static const struct {
    const char *name;
    int64_t ticks;
} unixunits[] = {
    { "unixtime_seconds_todatetime", SL_TICKS_PER_SEC },
    { "unixtime_milliseconds_todatetime", SL_TICKS_PER_MS },
    { "unixtime_microseconds_todatetime", SL_TICKS_PER_US },
    { "unixtime_nanoseconds_todatetime", -100 },
};

int sl_qmisc_bind_unixtime(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    call->variant = -1;
    for (size_t i = 0; i < SL_ARRAY_SIZE(unixunits); i++) {
        if (sl_qmisc_named(call, unixunits[i].name)) {
            call->variant = (int)i;
        }
    }
    if (call->variant < 0) {
        return sl_qmisc_error(d, call, "unknown unit");
    }
    *type = SL_TYPE_DATETIME;
    sl_type_t t = call->args[0]->type;
    if (t == SL_TYPE_INT) {
        return sl_qbind_cast(b, &call->args[0], SL_TYPE_LONG, d);
    }
    if (t == SL_TYPE_LONG || t == SL_TYPE_REAL) {
        return 0;
    }
    return sl_qmisc_want_real(b, call, 0, d);
}

int sl_qmisc_eval_unixtime(const sl_qcall_t *call,
                           sl_qvec_t *const *args,
                           size_t n,
                           sl_qvec_t **out,
                           sl_qrt_t *rt)
{
    (void)rt;
    const sl_qvec_t *a = args[0];
    int64_t per = unixunits[call->variant].ticks;
    bool real = a->col.type == SL_TYPE_REAL;
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_DATETIME, n);
    int64_t *w = sl_qvec_i64w(o);
    for (size_t i = 0; i < n; i++) {
        bool ok = !sl_qvec_is_null(a, i);
        int64_t t = 0;
        if (ok && real) {
            double x = sl_qvec_f64(a, i);
            double tt = per > 0 ? x * (double)per : x / 100.0;
            ok = tt > -9.2e18 && tt < 9.2e18;
            t = ok ? llround(tt) : 0;
        } else if (ok) {
            int64_t x = sl_qvec_i64(a, i);
            if (per > 0) {
                ok = !__builtin_mul_overflow(x, per, &t);
            } else {
                t = sl_qfloordiv(x, 100);
            }
        }
        if (ok && sl_qdt_ok(t)) {
            w[i] = t;
        } else {
            sl_qvec_set_null(o, i);
        }
    }
    *out = o;
    return 0;
}
