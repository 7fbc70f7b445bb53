/*
 * format_datetime(date, format) and format_timespan(span, format).
 *
 * A format is compiled once into a list of elements (at bind time when it
 * is a constant, which is the usual case; per distinct value otherwise)
 * and each row is rendered by walking that list, with no parsing and no
 * allocation per row.
 *
 * Elements follow the docs (which follow .NET's custom formats):
 *   datetime: y (year % 100), yy, yyyy (and more y: zero-padded to that
 *             width), M, MM, d, dd, h, hh (12-hour), H, HH, m, mm, s, ss,
 *             f..fffffff (fraction digits), F..FFFFFFF (the same without
 *             trailing zeros; nothing, and no preceding '.', when zero),
 *             tt (AM/PM), t (A/P); also MMM/MMMM and ddd/dddd (English
 *             month and day names, as .NET's invariant culture).
 *   timespan: d..dddddddd (whole days, zero-padded to the width), h, hh /
 *             H, HH (hours of the day), m, mm, s, ss, f.., F.. as above.
 *             A negative timespan is written with a leading '-' (the docs
 *             are silent; .NET would drop the sign, which hides it).
 * Everything that is not a letter is copied as is (the docs' delimiters
 * ' ', '/', '-', ':', ',', '.', '_', '[', ']' and any other); "\x" and
 * '...' / "..." quote literal text. Any other letter is an error: at bind
 * time for a constant format (SL_ESEMANTIC), an empty result for a format
 * that comes from the data.
 */
#include "query/fn_misc_int.h"

#include <stdlib.h>
#include <string.h>

typedef enum el_kind {
    EL_LIT,   /* literal text lits[off .. off+len) */
    EL_YEAR,  /* width 1 and 2: year % 100 */
    EL_MONTH, /* width 1-2: number; 3: abbreviated name; 4: full name */
    EL_DAY,   /* width 1-2: day of month; 3-4: day name. Timespan: days */
    EL_H24,
    EL_H12,
    EL_MIN,
    EL_SEC,
    EL_FRAC,     /* f: width digits */
    EL_FRAC_OPT, /* F: width digits, trailing zeros trimmed */
    EL_AMPM,     /* width 1: A/P, 2: AM/PM */
} el_kind_t;

typedef struct el {
    uint8_t kind;
    uint8_t width;
    uint32_t off, len; /* EL_LIT */
} el_t;

typedef struct fmt {
    bool timespan;
    size_t n;
    el_t *els;
    char *lits;
} fmt_t;

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Compiles s[0..n) into f (els and lits need room for n entries / bytes).
 * On error returns false with the offending letter in *bad. */
static bool compile(const char *s, size_t n, bool timespan, fmt_t *f, char *bad)
{
    size_t ne = 0, nl = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (!is_letter(c)) {
            size_t start = nl;
            if (c == '\\' && i + 1 < n) {
                f->lits[nl++] = s[i + 1];
                i += 2;
            } else if (c == '\'' || c == '"') {
                size_t j = i + 1;
                while (j < n && s[j] != c) {
                    f->lits[nl++] = s[j++];
                }
                i = j + 1; /* an unclosed quote runs to the end */
            } else {
                f->lits[nl++] = c;
                i++;
            }
            if (ne && f->els[ne - 1].kind == EL_LIT &&
                f->els[ne - 1].off + f->els[ne - 1].len == start) {
                f->els[ne - 1].len += (uint32_t)(nl - start);
            } else if (nl > start) {
                f->els[ne++] = (el_t){ EL_LIT, 0, (uint32_t)start, (uint32_t)(nl - start) };
            }
            continue;
        }
        size_t k = 1;
        while (i + k < n && s[i + k] == c) {
            k++;
        }
        el_kind_t kind;
        size_t maxw = 2;
        switch (c) {
        case 'y':
            kind = EL_YEAR;
            maxw = 9;
            break;
        case 'M':
            kind = EL_MONTH;
            maxw = 4;
            break;
        case 'd':
            kind = EL_DAY;
            maxw = timespan ? 8 : 4;
            break;
        case 'H':
            kind = EL_H24;
            break;
        case 'h':
            kind = timespan ? EL_H24 : EL_H12;
            break;
        case 'm':
            kind = EL_MIN;
            break;
        case 's':
            kind = EL_SEC;
            break;
        case 'f':
            kind = EL_FRAC;
            maxw = 7;
            break;
        case 'F':
            kind = EL_FRAC_OPT;
            maxw = 7;
            break;
        case 't':
            kind = EL_AMPM;
            break;
        default:
            *bad = c;
            return false;
        }
        if ((timespan && (kind == EL_YEAR || kind == EL_MONTH || kind == EL_AMPM)) ||
            ((kind == EL_FRAC || kind == EL_FRAC_OPT || (timespan && kind == EL_DAY)) &&
             k > maxw)) {
            *bad = c;
            return false;
        }
        f->els[ne++] = (el_t){ (uint8_t)kind, (uint8_t)SL_MIN(k, maxw), 0, 0 };
        i += k;
    }
    f->n = ne;
    f->timespan = timespan;
    return true;
}

/* Decimal digits of v, zero-padded to `width`, ending at `end`; returns
 * the first. Formats run per row, so no printf (a call costs ~100 ns). */
static char *digits(char *end, uint64_t v, unsigned width)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while ((unsigned)(end - p) < width) {
        *--p = '0';
    }
    return p;
}

static void put_num(sl_buf_t *b, uint64_t v, unsigned width)
{
    char tmp[24];
    char *p = digits(tmp + sizeof tmp, v, width);
    sl_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

size_t sl_qmisc_fmt_datetime(sl_ticks_t t, char out[40])
{
    sl_qtm_t tm;
    sl_qtm_from_ticks(t, &tm);
    digits(out + 4, (uint64_t)tm.year, 4);
    out[4] = '-';
    digits(out + 7, tm.month, 2);
    out[7] = '-';
    digits(out + 10, tm.day, 2);
    out[10] = 'T';
    digits(out + 13, tm.hour, 2);
    out[13] = ':';
    digits(out + 16, tm.minute, 2);
    out[16] = ':';
    digits(out + 19, tm.second, 2);
    size_t n = 19;
    if (tm.frac) {
        unsigned f = tm.frac, k = 7;
        while (f % 10 == 0) {
            f /= 10;
            k--;
        }
        out[n++] = '.';
        digits(out + n + k, f, k);
        n += k;
    }
    out[n++] = 'Z';
    out[n] = '\0';
    return n;
}

size_t sl_qmisc_fmt_timespan(sl_ticks_t t, char out[40])
{
    uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    uint64_t days = u / (uint64_t)SL_TICKS_PER_DAY, rem = u % (uint64_t)SL_TICKS_PER_DAY;
    unsigned secs = (unsigned)(rem / (uint64_t)SL_TICKS_PER_SEC);
    unsigned frac = (unsigned)(rem % (uint64_t)SL_TICKS_PER_SEC);
    size_t n = 0;
    if (t < 0) {
        out[n++] = '-';
    }
    if (days) {
        char tmp[24];
        char *p = digits(tmp + sizeof tmp, days, 1);
        memcpy(out + n, p, (size_t)(tmp + sizeof tmp - p));
        n += (size_t)(tmp + sizeof tmp - p);
        out[n++] = '.';
    }
    digits(out + n + 2, secs / 3600, 2);
    out[n + 2] = ':';
    digits(out + n + 5, secs / 60 % 60, 2);
    out[n + 5] = ':';
    digits(out + n + 8, secs % 60, 2);
    n += 8;
    if (frac) {
        out[n++] = '.';
        digits(out + n + 7, frac, 7);
        n += 7;
    }
    out[n] = '\0';
    return n;
}

static void put_frac(sl_buf_t *b, unsigned frac, unsigned width, bool trim)
{
    static const unsigned pow10[8] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000 };
    unsigned v = frac / pow10[7 - width];
    if (trim) {
        while (width && v % 10 == 0) {
            v /= 10;
            width--;
        }
        if (width == 0) {
            /* .NET drops the decimal point of an empty F field too. */
            if (b->len && b->data[b->len - 1] == '.') {
                b->len--;
                b->data[b->len] = '\0';
            }
            return;
        }
    }
    put_num(b, v, width);
}

static const char *const month_names[12] = { "January",   "February", "March",    "April",
                                             "May",       "June",     "July",     "August",
                                             "September", "October",  "November", "December" };
static const char *const day_names[7] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday" };

static void render_datetime(const fmt_t *f, sl_ticks_t t, sl_buf_t *b)
{
    sl_qtm_t tm;
    sl_qtm_from_ticks(t, &tm);
    for (size_t i = 0; i < f->n; i++) {
        const el_t *e = &f->els[i];
        switch (e->kind) {
        case EL_LIT:
            sl_buf_append(b, f->lits + e->off, e->len);
            break;
        case EL_YEAR:
            put_num(b, e->width <= 2 ? (uint64_t)(tm.year % 100) : (uint64_t)tm.year, e->width);
            break;
        case EL_MONTH:
            if (e->width <= 2) {
                put_num(b, tm.month, e->width);
            } else {
                sl_buf_append(b,
                              month_names[tm.month - 1],
                              e->width == 3 ? 3 : strlen(month_names[tm.month - 1]));
            }
            break;
        case EL_DAY:
            if (e->width <= 2) {
                put_num(b, tm.day, e->width);
            } else {
                sl_buf_append(b, day_names[tm.dow], e->width == 3 ? 3 : strlen(day_names[tm.dow]));
            }
            break;
        case EL_H24:
            put_num(b, tm.hour, e->width);
            break;
        case EL_H12:
            put_num(b, tm.hour % 12 ? tm.hour % 12 : 12, e->width);
            break;
        case EL_MIN:
            put_num(b, tm.minute, e->width);
            break;
        case EL_SEC:
            put_num(b, tm.second, e->width);
            break;
        case EL_FRAC:
        case EL_FRAC_OPT:
            put_frac(b, tm.frac, e->width, e->kind == EL_FRAC_OPT);
            break;
        default: /* EL_AMPM */
            sl_buf_append(b, tm.hour < 12 ? "AM" : "PM", e->width == 1 ? 1 : 2);
            break;
        }
    }
}

static void render_timespan(const fmt_t *f, sl_ticks_t t, sl_buf_t *b)
{
    uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    if (t < 0) {
        sl_buf_putc(b, '-');
    }
    uint64_t days = u / (uint64_t)SL_TICKS_PER_DAY, rem = u % (uint64_t)SL_TICKS_PER_DAY;
    unsigned secs = (unsigned)(rem / (uint64_t)SL_TICKS_PER_SEC);
    unsigned frac = (unsigned)(rem % (uint64_t)SL_TICKS_PER_SEC);
    for (size_t i = 0; i < f->n; i++) {
        const el_t *e = &f->els[i];
        switch (e->kind) {
        case EL_LIT:
            sl_buf_append(b, f->lits + e->off, e->len);
            break;
        case EL_DAY:
            put_num(b, days, e->width);
            break;
        case EL_H24:
            put_num(b, secs / 3600, e->width);
            break;
        case EL_MIN:
            put_num(b, secs / 60 % 60, e->width);
            break;
        case EL_SEC:
            put_num(b, secs % 60, e->width);
            break;
        default: /* EL_FRAC, EL_FRAC_OPT */
            put_frac(b, frac, e->width, e->kind == EL_FRAC_OPT);
            break;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Bind and eval                                                            */
/* ------------------------------------------------------------------------ */

int sl_qmisc_bind_fmt(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    bool ts = sl_qmisc_named(call, "format_timespan");
    call->variant = ts;
    int rc = sl_qmisc_want(
      b, call, 0, ts ? SL_TYPE_TIMESPAN : SL_TYPE_DATETIME, ts ? "a timespan" : "a datetime", d);
    if (rc != 0) {
        return rc;
    }
    if (call->args[1]->type != SL_TYPE_STRING) {
        return sl_qmisc_arg_error(d, call, 1, "a string");
    }
    *type = SL_TYPE_STRING;
    const char *s;
    size_t n;
    if (!sl_qexpr_const_text(call->args[1], &s, &n)) {
        return 0;
    }
    sl_pool_t *pool = sl_qbind_pool(b);
    fmt_t *f = sl_pool_calloc(pool, sizeof *f);
    f->els = sl_pool_calloc(pool, (n + 1) * sizeof *f->els);
    f->lits = sl_pool_calloc(pool, n + 1);
    char bad;
    if (!compile(s, n, ts, f, &bad)) {
        return sl_qmisc_error(
          d, call, "unsupported format element '%c' in \"%.*s\"", bad, (int)SL_MIN(n, 60), s);
    }
    call->state = f;
    return 0;
}

int sl_qmisc_eval_fmt(const sl_qcall_t *call,
                      sl_qvec_t *const *args,
                      size_t n,
                      sl_qvec_t **out,
                      sl_qrt_t *rt)
{
    const sl_qvec_t *a = args[0];
    bool ts = call->variant;
    const fmt_t *cf = call->state;
    sl_buf_t *b = &rt->scratch;
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_STRING, n);
    sl_qvec_reserve_text(o, n, n * 24);

    /* A format from the data: compiled again only when it changes. */
    fmt_t dyn = { 0 };
    const char *last = NULL;
    size_t last_n = 0, cap = 0;
    bool last_ok = false;

    for (size_t i = 0; i < n; i++) {
        const fmt_t *f = cf;
        if (!f) {
            size_t fn;
            const char *fs = sl_qvec_text(args[1], i, &fn);
            if (!last || fn != last_n || memcmp(fs, last, fn) != 0) {
                if (fn + 1 > cap) {
                    cap = fn + 1;
                    dyn.els = sl_xrealloc(dyn.els, cap * sizeof *dyn.els);
                    dyn.lits = sl_xrealloc(dyn.lits, cap);
                }
                char bad;
                last_ok = compile(fs, fn, ts, &dyn, &bad);
                last = fs;
                last_n = fn;
            }
            f = last_ok ? &dyn : NULL;
        }
        if (!f || sl_qvec_is_null(a, i)) {
            sl_qvec_push_text(o, "", 0);
            continue;
        }
        sl_buf_reset(b);
        if (ts) {
            render_timespan(f, sl_qvec_i64(a, i), b);
        } else {
            render_datetime(f, sl_qvec_i64(a, i), b);
        }
        sl_qvec_push_text(o, b->data ? b->data : "", b->len);
    }
    sl_free(dyn.els);
    sl_free(dyn.lits);
    sl_buf_reset(b);
    *out = o;
    return 0;
}
