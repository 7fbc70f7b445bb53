/*
 * Internals shared by the files of the misc function library (fn_misc_*.c):
 * conversion, datetime, math and conditional functions, registered in
 * fn_misc_reg.c as sl_qfn_misc[].
 *
 * Functions of one family share a bind and an eval; the bind tells the
 * members apart by call->fn->name and records the member in call->variant
 * (e.g. startofday / startofweek / ... share sl_qmisc_bind_startof), so the
 * registry stays a flat table and each eval switches once per call, never
 * per row.
 *
 * Nothing here is part of the shared executor interface of query_int.h;
 * only the files of this library include this header.
 */
#ifndef SL_QUERY_FN_MISC_INT_H
#define SL_QUERY_FN_MISC_INT_H

#include "query/query_int.h"

/* ------------------------------------------------------------------------ */
/* Datetimes                                                                */
/* ------------------------------------------------------------------------ */

/* KQL's datetime range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.9999999Z,
 * in ticks since 1970. A computation that leaves it yields null. */
#define SL_QDT_MIN (-INT64_C(621355968000000000))
#define SL_QDT_MAX (INT64_C(2534023007999999999))
/* .NET ticks (since 0001-01-01) of the Unix epoch: tolong(datetime) and
 * todatetime(long) use .NET ticks, as Kusto does. */
#define SL_QDT_NET_EPOCH INT64_C(621355968000000000)

static inline bool sl_qdt_ok(int64_t t)
{
    return t >= SL_QDT_MIN && t <= SL_QDT_MAX;
}

/* Floor division and modulo (b > 0): datetimes before 1970 and negative
 * timespans round towards minus infinity, as calendars do. */
static inline int64_t sl_qfloordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - ((a % b) != 0 && ((a < 0) != (b < 0)));
}
static inline int64_t sl_qfloormod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r + ((r != 0 && ((r < 0) != (b < 0))) ? b : 0);
}

/* A datetime broken down into its UTC calendar fields. */
typedef struct sl_qtm {
    int64_t days; /* whole days since 1970-01-01 (floor) */
    int64_t tod;  /* ticks since midnight */
    int64_t year;
    unsigned month;  /* 1..12 */
    unsigned day;    /* 1..31 */
    unsigned hour;   /* 0..23 */
    unsigned minute; /* 0..59 */
    unsigned second; /* 0..59 */
    unsigned frac;   /* ticks within the second, 0..9999999 */
    unsigned dow;    /* day of week, 0 = Sunday */
    unsigned doy;    /* day of year, 1..366 */
} sl_qtm_t;

void sl_qtm_from_ticks(sl_ticks_t t, sl_qtm_t *tm);
bool sl_qdt_is_leap(int64_t y);
unsigned sl_qdt_days_in_month(int64_t y, unsigned m);
/* ISO 8601 week number (weeks start on Monday; week 1 holds the year's
 * first Thursday), 1..53. */
int sl_qdt_iso_week(int64_t days, unsigned dow);
/* The datetime of a calendar date plus `tod` ticks; false when the date is
 * invalid (month 13, February 30) or outside KQL's range. */
bool sl_qdt_make(int64_t y, int64_t m, int64_t d, int64_t tod, sl_ticks_t *out);
/* Adds `months` calendar months, keeping the time of day and clamping the
 * day to the target month's length (Jan 31 + 1 month = Feb 28/29); false
 * outside the range. */
bool sl_qdt_add_months(sl_ticks_t t, int64_t months, sl_ticks_t *out);

/* Calendar periods (datetime_add, datetime_diff, datetime_part). */
typedef enum sl_qper {
    SL_QPER_NONE = 0,
    SL_QPER_YEAR,
    SL_QPER_QUARTER,
    SL_QPER_MONTH,
    SL_QPER_WEEK,
    SL_QPER_DAY,
    SL_QPER_HOUR,
    SL_QPER_MINUTE,
    SL_QPER_SECOND,
    SL_QPER_MILLISECOND,
    SL_QPER_MICROSECOND,
    SL_QPER_NANOSECOND,
    SL_QPER_WEEK_OF_YEAR, /* datetime_part only */
    SL_QPER_DAY_OF_YEAR,  /* datetime_part only */
} sl_qper_t;

/* The period named s[0..n) (case-insensitive, as the docs say), or NONE.
 * `for_part` also accepts the datetime_part-only names. */
sl_qper_t sl_qper_parse(const char *s, size_t n, bool for_part);

/* ------------------------------------------------------------------------ */
/* Helpers for binds and evals                                              */
/* ------------------------------------------------------------------------ */

/* "f(): argument i+1 must be <what>, got <type>" (i is 0-based). */
int sl_qmisc_arg_error(sl_diag_t *d, const sl_qcall_t *call, size_t i, const char *what);
/* SL_ESEMANTIC "f(): <message>". */
int sl_qmisc_error(sl_diag_t *d, const sl_qcall_t *call, const char *fmt, ...) SL_PRINTF(3, 4);
/* True when call->fn->name is `name`. */
bool sl_qmisc_named(const sl_qcall_t *call, const char *name);
/* Requires argument i to be of an integral type (int, long; also real,
 * converted with truncation) and casts it to long. */
int sl_qmisc_want_long(sl_qbind_t *b, sl_qcall_t *call, size_t i, sl_diag_t *d);
/* Requires argument i to be numeric (int, long, real) and casts it to real. */
int sl_qmisc_want_real(sl_qbind_t *b, sl_qcall_t *call, size_t i, sl_diag_t *d);
/* Requires argument i to be of type t (dynamic is converted to t). */
int sl_qmisc_want(sl_qbind_t *b,
                  sl_qcall_t *call,
                  size_t i,
                  sl_type_t t,
                  const char *what,
                  sl_diag_t *d);
/* True if every argument is a constant. */
bool sl_qmisc_all_const(const sl_qcall_t *call);

/* Sets out's null bitmap to a copy of in's for n rows (in may be a
 * constant: then every row copies row 0). */
void sl_qmisc_copy_nulls(sl_qvec_t *out, const sl_qvec_t *in, size_t n);

/* Text of a dynamic value as a scalar: the JSON kind and, for strings, the
 * unquoted bytes (in `tmp`), for numbers and bools the JSON text. */
sl_qdyn_kind_t sl_qmisc_dyn_scalar(const char *s,
                                   size_t n,
                                   sl_buf_t *tmp,
                                   const char **out,
                                   size_t *outn);

/* tostring() of a datetime / timespan without printf (fn_misc_fmt.c): the
 * same text as sl_qfmt_datetime / sl_qfmt_timespan (value.c), which the
 * tests check, at a tenth of the cost. Return the length. */
size_t sl_qmisc_fmt_datetime(sl_ticks_t t, char out[40]);
size_t sl_qmisc_fmt_timespan(sl_ticks_t t, char out[40]);

/* ------------------------------------------------------------------------ */
/* Conversions (fn_misc_conv.c)                                             */
/* ------------------------------------------------------------------------ */

/* Parsers used by the conversions and by the functions that take text. All
 * trim ASCII whitespace and fail (false) on anything else. */
/* An integer ("42", "-7", "+3"), or a real truncated towards zero ("1.9" →
 * 1, "1e3" → 1000) when it is within the long range. */
bool sl_qconv_parse_long(const char *s, size_t n, int64_t *out);
/* A real: "1.5", "-2e-3", ".5", "NaN", "Infinity", "-inf" (any case). */
bool sl_qconv_parse_real(const char *s, size_t n, double *out);
/* "true" / "false" in any case, or a number (non-zero is true). */
bool sl_qconv_parse_bool(const char *s, size_t n, bool *out);

/* The conversion functions sl_qbind_cast wraps arguments in. The dynamic
 * one is not registered under a name (users' todynamic() parses JSON text
 * and belongs to the text library): as a cast it wraps a value as a
 * dynamic element, so a string becomes a JSON string. */
const sl_qfn_t *sl_qconv_fn(sl_type_t to);

int sl_qmisc_bind_conv(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d);
int sl_qmisc_eval_conv(const sl_qcall_t *call,
                       sl_qvec_t *const *args,
                       size_t n,
                       sl_qvec_t **out,
                       sl_qrt_t *rt);

/* ------------------------------------------------------------------------ */
/* Families (bind + eval), one or two files each                            */
/* ------------------------------------------------------------------------ */

#define SL_QMISC_FAMILY(fam)                                                                       \
    int sl_qmisc_bind_##fam(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d);       \
    int sl_qmisc_eval_##fam(                                                                       \
      const sl_qcall_t *call, sl_qvec_t *const *args, size_t n, sl_qvec_t **out, sl_qrt_t *rt)

/* fn_misc_time.c */
SL_QMISC_FAMILY(now);     /* now([offset]), ago(span) */
SL_QMISC_FAMILY(startof); /* startof/endof day|week|month|year (dt [, offset]) */
SL_QMISC_FAMILY(dtfield); /* dayofweek, dayofmonth, dayofyear, hourofday, getmonth,
                             monthofyear, getyear, week_of_year, datetime_part */
/* fn_misc_dtcalc.c */
SL_QMISC_FAMILY(dtadd);    /* datetime_add(period, amount, dt) */
SL_QMISC_FAMILY(dtdiff);   /* datetime_diff(period, dt1, dt2) */
SL_QMISC_FAMILY(mkdt);     /* make_datetime, make_timespan */
SL_QMISC_FAMILY(unixtime); /* unixtime_{seconds,milliseconds,microseconds,nanoseconds}_todatetime */
/* fn_misc_bin.c */
SL_QMISC_FAMILY(bin); /* bin(v, step), floor(v, step), bin_at(v, step, at) */
/* fn_misc_fmt.c */
SL_QMISC_FAMILY(fmt); /* format_datetime, format_timespan */
/* fn_misc_math.c */
SL_QMISC_FAMILY(round); /* round(x [, p]), floor(x), ceiling(x) */
SL_QMISC_FAMILY(unary); /* abs, sign, sqrt, exp, exp2, exp10, log, log2, log10,
                           isnan, isinf, isfinite, trigonometry */
SL_QMISC_FAMILY(pow);   /* pow(x, y), atan2(y, x) */
SL_QMISC_FAMILY(pi);    /* pi() */
/* fn_misc_minmax.c */
SL_QMISC_FAMILY(minmax); /* max_of, min_of */
/* fn_misc_cond.c */
SL_QMISC_FAMILY(iff);      /* iff, iif, case */
SL_QMISC_FAMILY(coalesce); /* coalesce */
/* fn_misc_null.c */
SL_QMISC_FAMILY(isnull);  /* isnull, isnotnull, isempty, isnotempty, not */
SL_QMISC_FAMILY(gettype); /* gettype */

/* Shared by iff/case/coalesce/max_of: the common type of the k arguments
 * call->args[idx[0..k)], casting them to the widest numeric type when all
 * are numeric (int < long < real). SL_ESEMANTIC naming the first argument
 * that does not fit when the types differ otherwise. */
int sl_qmisc_unify(sl_qbind_t *b,
                   sl_qcall_t *call,
                   const size_t *idx,
                   size_t k,
                   sl_type_t *type,
                   sl_diag_t *d);

#endif /* SL_QUERY_FN_MISC_INT_H */
