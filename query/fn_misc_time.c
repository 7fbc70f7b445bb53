/*
 * Datetime functions of one datetime: now(), ago(), startofX / endofX (day,
 * week, month, year, with the optional offset), and the calendar fields
 * (dayofweek, dayofmonth, dayofyear, hourofday, getmonth / monthofyear,
 * getyear, week_of_year, datetime_part / datepart).
 *
 * now() and ago():  the query's "now" is fixed for the whole query. When the
 * arguments are constant (always, in practice: `ago(1h)`), bind computes the
 * result from sl_qbind_now() and eval returns it, so the binder folds
 * `TimeGenerated > ago(1h)` to a constant the planner can push down to the
 * block index. Otherwise eval reads sl_qrt_now(), the same instant.
 *
 * Calendar: UTC, proleptic Gregorian; weeks start on Sunday (startofweek,
 * dayofweek) as in KQL, except week_of_year, which is ISO 8601 (weeks start
 * on Monday, week 1 holds the first Thursday). endofX(d) is the last tick
 * of the period: startofX(d, offset + 1) - 1 tick. A result outside
 * 0001..9999 is null.
 */
#include "query/fn_misc_int.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* now(), ago()                                                             */
/* ------------------------------------------------------------------------ */

typedef struct now_state {
    bool is_null;
    sl_ticks_t value;
} now_state_t;

/* now + sign * span, or false when the result leaves the datetime range. */
static bool shift(sl_ticks_t now, int sign, sl_ticks_t span, sl_ticks_t *out)
{
    int64_t r;
    bool ovf =
      sign > 0 ? __builtin_add_overflow(now, span, &r) : __builtin_sub_overflow(now, span, &r);
    *out = r;
    return !ovf && sl_qdt_ok(r);
}

int sl_qmisc_bind_now(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int sign = sl_qmisc_named(call, "ago") ? -1 : 1;
    call->variant = sign;
    if (call->nargs == 1) {
        int rc = sl_qmisc_want(b, call, 0, SL_TYPE_TIMESPAN, "a timespan", d);
        if (rc != 0) {
            return rc;
        }
    }
    *type = SL_TYPE_DATETIME;
    if (sl_qmisc_all_const(call)) {
        now_state_t *st = sl_pool_calloc(sl_qbind_pool(b), sizeof *st);
        int64_t span = 0;
        st->is_null = call->nargs == 1 && !sl_qexpr_const_i64(call->args[0], &span);
        if (!st->is_null) {
            st->is_null = !shift(sl_qbind_now(b), sign, span, &st->value);
        }
        call->state = st;
    }
    return 0;
}

int sl_qmisc_eval_now(const sl_qcall_t *call,
                      sl_qvec_t *const *args,
                      size_t n,
                      sl_qvec_t **out,
                      sl_qrt_t *rt)
{
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_DATETIME, n);
    int64_t *w = sl_qvec_i64w(o);
    const now_state_t *st = call->state;
    if (st) {
        for (size_t i = 0; i < n; i++) {
            w[i] = st->value;
            if (st->is_null) {
                sl_qvec_set_null(o, i);
            }
        }
        *out = o;
        return 0;
    }
    sl_ticks_t now = sl_qrt_now(rt);
    for (size_t i = 0; i < n; i++) {
        sl_ticks_t t = 0;
        if (call->nargs == 0) {
            t = now;
        } else if (sl_qvec_is_null(args[0], i) ||
                   !shift(now, call->variant, sl_qvec_i64(args[0], i), &t)) {
            t = 0;
            sl_qvec_set_null(o, i);
        }
        w[i] = t;
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* startof / endof                                                          */
/* ------------------------------------------------------------------------ */

enum { UNIT_DAY, UNIT_WEEK, UNIT_MONTH, UNIT_YEAR };

int sl_qmisc_bind_startof(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    static const char *const units[] = { "day", "week", "month", "year" };
    const char *name = call->fn->name;
    bool end = strncmp(name, "endof", 5) == 0;
    const char *unit = name + (end ? 5 : 7);
    call->variant = -1;
    for (int u = 0; u < 4; u++) {
        if (strcmp(unit, units[u]) == 0) {
            call->variant = u + (end ? 4 : 0);
        }
    }
    if (call->variant < 0) {
        return sl_qmisc_error(d, call, "unknown period");
    }
    int rc = sl_qmisc_want(b, call, 0, SL_TYPE_DATETIME, "a datetime", d);
    if (rc == 0 && call->nargs == 2) {
        rc = sl_qmisc_want_long(b, call, 1, d);
    }
    *type = SL_TYPE_DATETIME;
    return rc;
}

/* Start (or end) of the period holding t, `off` periods away. */
static bool period_edge(int unit, bool end, sl_ticks_t t, int64_t off, sl_ticks_t *out)
{
    /* The whole range is ~3.65 M days: larger offsets are out of it, and
     * rejecting them first keeps the arithmetic below from overflowing. */
    if (off > 4000000 || off < -4000000) {
        return false;
    }
    off += end;
    int64_t days = sl_qfloordiv(t, SL_TICKS_PER_DAY), sd;
    switch (unit) {
    case UNIT_DAY:
        sd = days + off;
        break;
    case UNIT_WEEK:
        sd = days - sl_qfloormod(days + 4, 7) + 7 * off;
        break;
    case UNIT_MONTH: {
        int64_t y;
        unsigned m, dd;
        sl_civil_from_days(days, &y, &m, &dd);
        int64_t total = y * 12 + (m - 1) + off;
        int64_t ny = sl_qfloordiv(total, 12);
        if (ny < 0 || ny > 10000) {
            return false;
        }
        sd = sl_days_from_civil(ny, (unsigned)(total - ny * 12) + 1, 1);
        break;
    }
    default: {
        int64_t y;
        unsigned m, dd;
        sl_civil_from_days(days, &y, &m, &dd);
        if (y + off < 0 || y + off > 10000) {
            return false;
        }
        sd = sl_days_from_civil(y + off, 1, 1);
        break;
    }
    }
    *out = sd * SL_TICKS_PER_DAY - end;
    return sl_qdt_ok(*out);
}

int sl_qmisc_eval_startof(const sl_qcall_t *call,
                          sl_qvec_t *const *args,
                          size_t n,
                          sl_qvec_t **out,
                          sl_qrt_t *rt)
{
    (void)rt;
    int unit = call->variant % 4;
    bool end = call->variant >= 4;
    const sl_qvec_t *a = args[0];
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_DATETIME, n);
    int64_t *w = sl_qvec_i64w(o);
    if (unit == UNIT_DAY && call->nargs == 1 && !a->konst) {
        /* The common case (summarize by startofday(TimeGenerated)): a
         * floor to whole days, in range by construction. */
        const int64_t *x = (const int64_t *)a->col.data.data;
        for (size_t i = 0; i < n; i++) {
            int64_t r = x[i] % SL_TICKS_PER_DAY;
            r += r < 0 ? SL_TICKS_PER_DAY : 0;
            w[i] = x[i] - r + (end ? SL_TICKS_PER_DAY - 1 : 0);
        }
        sl_qmisc_copy_nulls(o, a, n);
        /* The last day's end is 9999-12-31T23:59:59.9999999, in range; the
         * first day's start is 0001-01-01, in range: nothing to check. */
        *out = o;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t off = 0;
        bool ok = !sl_qvec_is_null(a, i);
        if (ok && call->nargs == 2) {
            ok = !sl_qvec_is_null(args[1], i);
            off = ok ? sl_qvec_i64(args[1], i) : 0;
        }
        if (!ok || !period_edge(unit, end, sl_qvec_i64(a, i), off, &w[i])) {
            w[i] = 0;
            sl_qvec_set_null(o, i);
        }
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Calendar fields                                                          */
/* ------------------------------------------------------------------------ */

/* Variants beyond the sl_qper_t values. */
enum { FIELD_DAYOFWEEK = 100 };

static const struct {
    const char *name;
    int field;
} fields[] = {
    { "dayofweek", FIELD_DAYOFWEEK },     { "dayofmonth", SL_QPER_DAY },
    { "dayofyear", SL_QPER_DAY_OF_YEAR }, { "hourofday", SL_QPER_HOUR },
    { "getmonth", SL_QPER_MONTH },        { "monthofyear", SL_QPER_MONTH },
    { "getyear", SL_QPER_YEAR },          { "week_of_year", SL_QPER_WEEK_OF_YEAR },
};

int sl_qmisc_bind_dtfield(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    if (call->nargs == 2) { /* datetime_part(part, dt) / datepart */
        const char *s;
        size_t n;
        if (call->args[0]->type != SL_TYPE_STRING) {
            return sl_qmisc_arg_error(d, call, 0, "a string");
        }
        call->variant = SL_QPER_NONE; /* parsed per row */
        if (sl_qexpr_const_text(call->args[0], &s, &n)) {
            call->variant = (int)sl_qper_parse(s, n, true);
            if (call->variant == SL_QPER_NONE || call->variant == SL_QPER_WEEK) {
                return sl_qmisc_error(d,
                                      call,
                                      "unknown part '%.*s' (expected Year, Quarter, "
                                      "Month, week_of_year, Day, DayOfYear, Hour, "
                                      "Minute, Second, Millisecond, Microsecond or "
                                      "Nanosecond)",
                                      (int)SL_MIN(n, 40),
                                      s);
            }
        }
        *type = SL_TYPE_INT;
        return sl_qmisc_want(b, call, 1, SL_TYPE_DATETIME, "a datetime", d);
    }
    call->variant = -1;
    for (size_t i = 0; i < SL_ARRAY_SIZE(fields); i++) {
        if (sl_qmisc_named(call, fields[i].name)) {
            call->variant = fields[i].field;
        }
    }
    if (call->variant < 0) {
        return sl_qmisc_error(d, call, "unknown calendar field");
    }
    *type = call->variant == FIELD_DAYOFWEEK ? SL_TYPE_TIMESPAN : SL_TYPE_INT;
    return sl_qmisc_want(b, call, 0, SL_TYPE_DATETIME, "a datetime", d);
}

/* One field of t; computes only what the field needs. */
static int64_t field_of(int f, sl_ticks_t t)
{
    int64_t days = sl_qfloordiv(t, SL_TICKS_PER_DAY);
    int64_t tod = t - days * SL_TICKS_PER_DAY;
    switch (f) {
    case FIELD_DAYOFWEEK:
        return sl_qfloormod(days + 4, 7) * SL_TICKS_PER_DAY;
    case SL_QPER_HOUR:
        return tod / SL_TICKS_PER_HOUR;
    case SL_QPER_MINUTE:
        return tod / SL_TICKS_PER_MIN % 60;
    case SL_QPER_SECOND:
        return tod / SL_TICKS_PER_SEC % 60;
    case SL_QPER_MILLISECOND:
        return tod % SL_TICKS_PER_SEC / SL_TICKS_PER_MS;
    case SL_QPER_MICROSECOND:
        return tod % SL_TICKS_PER_SEC / SL_TICKS_PER_US;
    case SL_QPER_NANOSECOND:
        return tod % SL_TICKS_PER_SEC * 100;
    case SL_QPER_WEEK_OF_YEAR:
        return sl_qdt_iso_week(days, (unsigned)sl_qfloormod(days + 4, 7));
    default:
        break;
    }
    int64_t y;
    unsigned m, d;
    sl_civil_from_days(days, &y, &m, &d);
    switch (f) {
    case SL_QPER_YEAR:
        return y;
    case SL_QPER_QUARTER:
        return (m - 1) / 3 + 1;
    case SL_QPER_MONTH:
        return m;
    case SL_QPER_DAY:
        return d;
    default: /* SL_QPER_DAY_OF_YEAR */
        return days - sl_days_from_civil(y, 1, 1) + 1;
    }
}

int sl_qmisc_eval_dtfield(const sl_qcall_t *call,
                          sl_qvec_t *const *args,
                          size_t n,
                          sl_qvec_t **out,
                          sl_qrt_t *rt)
{
    (void)rt;
    bool part = call->nargs == 2;
    const sl_qvec_t *a = args[part ? 1 : 0];
    int f = call->variant;
    sl_qvec_t *o = sl_qvec_new(f == FIELD_DAYOFWEEK ? SL_TYPE_TIMESPAN : SL_TYPE_INT, n);
    int64_t *w = sl_qvec_i64w(o);
    if (f != SL_QPER_NONE && !a->konst) {
        const int64_t *x = (const int64_t *)a->col.data.data;
        if (f == SL_QPER_HOUR) {
            for (size_t i = 0; i < n; i++) {
                int64_t tod = x[i] % SL_TICKS_PER_DAY;
                w[i] = (tod + (tod < 0 ? SL_TICKS_PER_DAY : 0)) / SL_TICKS_PER_HOUR;
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                w[i] = field_of(f, x[i]);
            }
        }
        sl_qmisc_copy_nulls(o, a, n);
        *out = o;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int fi = f;
        if (fi == SL_QPER_NONE) {
            size_t pn;
            const char *ps = sl_qvec_text(args[0], i, &pn);
            fi = (int)sl_qper_parse(ps, pn, true);
            fi = fi == SL_QPER_WEEK ? SL_QPER_NONE : fi;
        }
        if (fi == SL_QPER_NONE || sl_qvec_is_null(a, i)) {
            sl_qvec_set_null(o, i);
            continue;
        }
        w[i] = field_of(fi, sl_qvec_i64(a, i));
    }
    *out = o;
    return 0;
}
