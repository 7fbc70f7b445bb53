/*
 * Helpers shared by the misc function library: calendar arithmetic on
 * ticks, period names, argument checks for binds, and null-bitmap copies.
 *
 * Calendar: the proleptic Gregorian calendar in UTC (KQL has no time zones
 * in datetime values), built on sl_days_from_civil / sl_civil_from_days so
 * that dates before 1970 (negative ticks) work the same as later ones.
 * Every function that can leave KQL's range 0001..9999 says so by
 * returning false; the callers turn that into null.
 */
#include "query/fn_misc_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Calendar                                                                 */
/* ------------------------------------------------------------------------ */

bool sl_qdt_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned sl_qdt_days_in_month(int64_t y, unsigned m)
{
    static const unsigned dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && sl_qdt_is_leap(y)) {
        return 29;
    }
    return dm[m - 1];
}

void sl_qtm_from_ticks(sl_ticks_t t, sl_qtm_t *tm)
{
    tm->days = sl_qfloordiv(t, SL_TICKS_PER_DAY);
    tm->tod = t - tm->days * SL_TICKS_PER_DAY;
    sl_civil_from_days(tm->days, &tm->year, &tm->month, &tm->day);
    int64_t secs = tm->tod / SL_TICKS_PER_SEC;
    tm->frac = (unsigned)(tm->tod % SL_TICKS_PER_SEC);
    tm->hour = (unsigned)(secs / 3600);
    tm->minute = (unsigned)(secs / 60 % 60);
    tm->second = (unsigned)(secs % 60);
    /* 1970-01-01 was a Thursday (4 with Sunday = 0). */
    tm->dow = (unsigned)sl_qfloormod(tm->days + 4, 7);
    tm->doy = (unsigned)(tm->days - sl_days_from_civil(tm->year, 1, 1) + 1);
}

int sl_qdt_iso_week(int64_t days, unsigned dow)
{
    /* The ISO week of a day is the week of that week's Thursday, counted
     * within the Thursday's year. */
    int64_t monday_based = (dow + 6) % 7; /* Monday = 0 */
    int64_t thursday = days - monday_based + 3;
    int64_t y;
    unsigned m, d;
    sl_civil_from_days(thursday, &y, &m, &d);
    return (int)((thursday - sl_days_from_civil(y, 1, 1)) / 7 + 1);
}

bool sl_qdt_make(int64_t y, int64_t m, int64_t d, int64_t tod, sl_ticks_t *out)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 ||
        d > (int64_t)sl_qdt_days_in_month(y, (unsigned)m) || tod < 0 || tod >= SL_TICKS_PER_DAY) {
        return false;
    }
    *out = sl_days_from_civil(y, (unsigned)m, (unsigned)d) * SL_TICKS_PER_DAY + tod;
    return sl_qdt_ok(*out);
}

bool sl_qdt_add_months(sl_ticks_t t, int64_t months, sl_ticks_t *out)
{
    /* 12 * 10000 months span the whole range: anything larger is out. */
    if (months > 120000 || months < -120000) {
        return false;
    }
    sl_qtm_t tm;
    sl_qtm_from_ticks(t, &tm);
    int64_t total = tm.year * 12 + (tm.month - 1) + months;
    int64_t y = sl_qfloordiv(total, 12);
    unsigned m = (unsigned)(total - y * 12) + 1;
    if (y < 1 || y > 9999) {
        return false;
    }
    unsigned dim = sl_qdt_days_in_month(y, m);
    return sl_qdt_make(y, m, tm.day > dim ? dim : tm.day, tm.tod, out);
}

sl_qper_t sl_qper_parse(const char *s, size_t n, bool for_part)
{
    static const struct {
        const char *name;
        sl_qper_t per;
        bool part_only;
    } names[] = {
        { "year", SL_QPER_YEAR, false },
        { "quarter", SL_QPER_QUARTER, false },
        { "month", SL_QPER_MONTH, false },
        { "week", SL_QPER_WEEK, false },
        { "day", SL_QPER_DAY, false },
        { "hour", SL_QPER_HOUR, false },
        { "minute", SL_QPER_MINUTE, false },
        { "second", SL_QPER_SECOND, false },
        { "millisecond", SL_QPER_MILLISECOND, false },
        { "microsecond", SL_QPER_MICROSECOND, false },
        { "nanosecond", SL_QPER_NANOSECOND, false },
        { "week_of_year", SL_QPER_WEEK_OF_YEAR, true },
        { "dayofyear", SL_QPER_DAY_OF_YEAR, true },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++) {
        if ((for_part || !names[i].part_only) &&
            sl_strn_ieq(s, n, names[i].name, strlen(names[i].name))) {
            return names[i].per;
        }
    }
    return SL_QPER_NONE;
}

/* ------------------------------------------------------------------------ */
/* Bind helpers                                                             */
/* ------------------------------------------------------------------------ */

int sl_qmisc_arg_error(sl_diag_t *d, const sl_qcall_t *call, size_t i, const char *what)
{
    return sl_diag_set(d,
                       SL_ESEMANTIC,
                       "%s(): argument %zu must be %s, got %s",
                       call->fn->name,
                       i + 1,
                       what,
                       sl_type_name(call->args[i]->type));
}

int sl_qmisc_error(sl_diag_t *d, const sl_qcall_t *call, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sl_diag_set(d, SL_ESEMANTIC, "%s(): %s", call->fn->name, msg);
}

bool sl_qmisc_named(const sl_qcall_t *call, const char *name)
{
    return strcmp(call->fn->name, name) == 0;
}

int sl_qmisc_want(sl_qbind_t *b,
                  sl_qcall_t *call,
                  size_t i,
                  sl_type_t t,
                  const char *what,
                  sl_diag_t *d)
{
    sl_type_t have = call->args[i]->type;
    if (have == t) {
        return 0;
    }
    /* A dynamic value is converted by its JSON kind: a `d.Time` member can
     * be handed to startofday() without an explicit todatetime(). */
    if (have == SL_TYPE_DYNAMIC) {
        return sl_qbind_cast(b, &call->args[i], t, d);
    }
    return sl_qmisc_arg_error(d, call, i, what);
}

int sl_qmisc_want_long(sl_qbind_t *b, sl_qcall_t *call, size_t i, sl_diag_t *d)
{
    sl_type_t have = call->args[i]->type;
    if (have == SL_TYPE_LONG) {
        return 0;
    }
    if (!sl_qtype_is_numeric(have) && have != SL_TYPE_DYNAMIC) {
        return sl_qmisc_arg_error(d, call, i, "an integer");
    }
    return sl_qbind_cast(b, &call->args[i], SL_TYPE_LONG, d);
}

int sl_qmisc_want_real(sl_qbind_t *b, sl_qcall_t *call, size_t i, sl_diag_t *d)
{
    sl_type_t have = call->args[i]->type;
    if (have == SL_TYPE_REAL) {
        return 0;
    }
    if (!sl_qtype_is_numeric(have) && have != SL_TYPE_DYNAMIC) {
        return sl_qmisc_arg_error(d, call, i, "a number");
    }
    return sl_qbind_cast(b, &call->args[i], SL_TYPE_REAL, d);
}

bool sl_qmisc_all_const(const sl_qcall_t *call)
{
    for (size_t i = 0; i < call->nargs; i++) {
        if (!sl_qexpr_is_const(call->args[i])) {
            return false;
        }
    }
    return true;
}

int sl_qmisc_unify(sl_qbind_t *b,
                   sl_qcall_t *call,
                   const size_t *idx,
                   size_t k,
                   sl_type_t *type,
                   sl_diag_t *d)
{
    sl_type_t t = call->args[idx[0]]->type;
    bool numeric = sl_qtype_is_numeric(t);
    for (size_t j = 1; j < k; j++) {
        sl_type_t u = call->args[idx[j]]->type;
        if (numeric && sl_qtype_is_numeric(u)) {
            t = sl_qtype_numeric_join(t, u);
        } else if (u != t) {
            return sl_qmisc_error(d,
                                  call,
                                  "argument %zu has type %s, which does not match %s of "
                                  "argument %zu",
                                  idx[j] + 1,
                                  sl_type_name(u),
                                  sl_type_name(t),
                                  idx[0] + 1);
        }
    }
    for (size_t j = 0; j < k; j++) {
        if (call->args[idx[j]]->type != t) {
            int rc = sl_qbind_cast(b, &call->args[idx[j]], t, d);
            if (rc != 0) {
                return rc;
            }
        }
    }
    *type = t;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Eval helpers                                                             */
/* ------------------------------------------------------------------------ */

void sl_qmisc_copy_nulls(sl_qvec_t *out, const sl_qvec_t *in, size_t n)
{
    if (in->col.nulls.len == 0 || n == 0) {
        return;
    }
    if (in->konst) {
        if (sl_qvec_is_null(in, 0)) {
            for (size_t i = 0; i < n; i++) {
                sl_qvec_set_null(out, i);
            }
        }
        return;
    }
    size_t need = (n + 7) / 8;
    size_t have = SL_MIN(need, in->col.nulls.len);
    sl_buf_t *nb = &out->col.nulls;
    sl_buf_reset(nb);
    sl_buf_reserve(nb, need);
    memcpy(nb->data, in->col.nulls.data, have);
    memset(nb->data + have, 0, need - have);
    /* Bits past row n would make rows appended later look null. */
    if (n % 8) {
        ((uint8_t *)nb->data)[need - 1] &= (uint8_t)((1u << (n % 8)) - 1);
    }
    nb->len = need;
}

sl_qdyn_kind_t sl_qmisc_dyn_scalar(const char *s,
                                   size_t n,
                                   sl_buf_t *tmp,
                                   const char **out,
                                   size_t *outn)
{
    sl_qdyn_kind_t k = sl_qdyn_kind(s, n);
    if (k == SL_QDYN_STRING) {
        sl_buf_reset(tmp);
        sl_qdyn_unquote(s, n, tmp);
        *out = tmp->data ? tmp->data : "";
        *outn = tmp->len;
    } else {
        *out = s;
        *outn = n;
    }
    return k;
}
