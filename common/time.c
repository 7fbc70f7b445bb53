/*
 * Time: 100 ns ticks since the Unix epoch, civil-date conversion (Howard
 * Hinnant's days-from-civil algorithm, valid for the proleptic Gregorian
 * calendar), and the text forms sealog reads and writes.
 */
#include "common/common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>

sl_ticks_t sl_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (sl_ticks_t)ts.tv_sec * SL_TICKS_PER_SEC + ts.tv_nsec / 100;
}

uint64_t sl_time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void sl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Reads exactly `digits` decimal digits at s[*i]. */
static bool take_digits(const char *s, size_t n, size_t *i, int digits, int64_t *out)
{
    int64_t v = 0;
    for (int k = 0; k < digits; k++) {
        if (*i >= n || !isdigit((unsigned char)s[*i]))
            return false;
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return true;
}

static bool make_ticks(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t sec,
                       int64_t frac, sl_ticks_t *out)
{
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (unsigned)mo) ||
        h > 23 || mi > 59 || sec > 59)
        return false;
    int64_t days = sl_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = days * SL_TICKS_PER_DAY + h * SL_TICKS_PER_HOUR + mi * SL_TICKS_PER_MIN +
           sec * SL_TICKS_PER_SEC + frac;
    return true;
}

/* Parses "hh:mm[:ss[.fffffff]]" at s[*i]; the fraction keeps 7 digits. */
static bool parse_clock(const char *s, size_t n, size_t *i, int64_t *h, int64_t *mi, int64_t *sec,
                        int64_t *frac)
{
    *sec = *frac = 0;
    if (!take_digits(s, n, i, 2, h) || *i >= n || s[*i] != ':' || (++*i, false) ||
        !take_digits(s, n, i, 2, mi))
        return false;
    if (*i < n && s[*i] == ':') {
        ++*i;
        if (!take_digits(s, n, i, 2, sec))
            return false;
        if (*i < n && (s[*i] == '.' || s[*i] == ',')) {
            ++*i;
            int k = 0;
            int64_t f = 0;
            while (*i < n && isdigit((unsigned char)s[*i])) {
                if (k < 7) {
                    f = f * 10 + (s[*i] - '0');
                    k++;
                }
                ++*i;
            }
            if (k == 0)
                return false;
            while (k++ < 7)
                f *= 10;
            *frac = f;
        }
    }
    return true;
}

/* Parses a zone at s[*i]: Z, UTC, GMT, ±hh[:mm], ±hhmm. Offset in ticks. */
static bool parse_zone(const char *s, size_t n, size_t *i, int64_t *off)
{
    *off = 0;
    while (*i < n && s[*i] == ' ')
        ++*i;
    if (*i == n)
        return true;
    if (s[*i] == 'Z' || s[*i] == 'z') {
        ++*i;
        return true;
    }
    if (n - *i >= 3 && (strncasecmp(s + *i, "UTC", 3) == 0 || strncasecmp(s + *i, "GMT", 3) == 0)) {
        *i += 3;
        if (*i == n)
            return true;
    }
    if (s[*i] == '+' || s[*i] == '-') {
        int sign = s[*i] == '-' ? -1 : 1;
        ++*i;
        int64_t hh, mm = 0;
        if (!take_digits(s, n, i, 2, &hh))
            return false;
        if (*i < n && s[*i] == ':')
            ++*i;
        if (*i < n && isdigit((unsigned char)s[*i]) && !take_digits(s, n, i, 2, &mm))
            return false;
        if (hh > 23 || mm > 59)
            return false;
        *off = sign * (hh * SL_TICKS_PER_HOUR + mm * SL_TICKS_PER_MIN);
        return true;
    }
    return false;
}

int sl_time_parse_iso8601(const char *s, size_t n, sl_ticks_t *out)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    while (n > i && s[n - 1] == ' ')
        n--;
    int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (!take_digits(s, n, &i, 4, &y) || i >= n || s[i++] != '-' ||
        !take_digits(s, n, &i, 2, &mo) || i >= n || s[i++] != '-' ||
        !take_digits(s, n, &i, 2, &d))
        return SL_EPARSE;
    if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        i++;
        if (!parse_clock(s, n, &i, &h, &mi, &sec, &frac))
            return SL_EPARSE;
        if (!parse_zone(s, n, &i, &off))
            return SL_EPARSE;
    }
    if (i != n)
        return SL_EPARSE;
    sl_ticks_t t;
    if (!make_ticks(y, mo, d, h, mi, sec, frac, &t))
        return SL_EPARSE;
    *out = t - off;
    return 0;
}

static int month_from_name(const char *s, size_t n)
{
    static const char *const names[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec" };
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++)
        if (strncasecmp(s, names[m], 3) == 0)
            return m + 1;
    return 0;
}

int sl_time_parse_rfc1123(const char *s, size_t n, sl_ticks_t *out)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    /* Optional weekday name followed by a comma. */
    size_t j = i;
    while (j < n && isalpha((unsigned char)s[j]))
        j++;
    if (j > i && j < n && s[j] == ',') {
        i = j + 1;
        while (i < n && s[i] == ' ')
            i++;
    }
    /* Day: one or two digits. */
    int64_t d = 0;
    int nd = 0;
    while (i < n && isdigit((unsigned char)s[i]) && nd < 2) {
        d = d * 10 + (s[i++] - '0');
        nd++;
    }
    if (!nd || i >= n || (s[i] != ' ' && s[i] != '-'))
        return SL_EPARSE;
    i++;
    int mo = month_from_name(s + i, n - i);
    if (!mo)
        return SL_EPARSE;
    i += 3;
    if (i >= n || (s[i] != ' ' && s[i] != '-'))
        return SL_EPARSE;
    i++;
    int64_t y = 0;
    int ny = 0;
    while (i < n && isdigit((unsigned char)s[i]) && ny < 4) {
        y = y * 10 + (s[i++] - '0');
        ny++;
    }
    if (ny == 2)
        y += y < 50 ? 2000 : 1900; /* RFC 850 two-digit years */
    else if (ny != 4)
        return SL_EPARSE;
    if (i >= n || s[i++] != ' ')
        return SL_EPARSE;
    int64_t h, mi, sec, frac, off;
    if (!parse_clock(s, n, &i, &h, &mi, &sec, &frac) || !parse_zone(s, n, &i, &off))
        return SL_EPARSE;
    while (i < n && s[i] == ' ')
        i++;
    if (i != n)
        return SL_EPARSE;
    sl_ticks_t t;
    if (!make_ticks(y, mo, d, h, mi, sec, frac, &t))
        return SL_EPARSE;
    *out = t - off;
    return 0;
}

static void split_ticks(sl_ticks_t t, int64_t *days, int64_t *rem)
{
    *days = t / SL_TICKS_PER_DAY;
    *rem = t % SL_TICKS_PER_DAY;
    if (*rem < 0) {
        *rem += SL_TICKS_PER_DAY;
        (*days)--;
    }
}

static size_t format_common(sl_ticks_t t, char out[32], int fraction_digits, bool trim)
{
    int64_t days, rem, y;
    unsigned m, d;
    split_ticks(t, &days, &rem);
    sl_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / SL_TICKS_PER_SEC, frac = rem % SL_TICKS_PER_SEC;
    int n = snprintf(out, 32, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", (long long)y, m, d,
                     (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
    if (fraction_digits == 3) {
        n += snprintf(out + n, 32 - (size_t)n, ".%03lld", (long long)(frac / 10000));
    } else if (frac) {
        char f[8];
        snprintf(f, sizeof f, "%07lld", (long long)frac);
        int k = 7;
        while (trim && k > 0 && f[k - 1] == '0')
            k--;
        out[n++] = '.';
        memcpy(out + n, f, (size_t)k);
        n += k;
    }
    out[n++] = 'Z';
    out[n] = '\0';
    return (size_t)n;
}

size_t sl_time_format_iso8601(sl_ticks_t t, char out[32])
{
    return format_common(t, out, 7, true);
}

size_t sl_time_format_iso8601_ms(sl_ticks_t t, char out[32])
{
    return format_common(t, out, 3, false);
}

size_t sl_time_format_rfc1123(sl_ticks_t t, char out[32])
{
    static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
    static const char *const mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int64_t days, rem, y;
    unsigned m, d;
    split_ticks(t, &days, &rem);
    sl_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / SL_TICKS_PER_SEC;
    int w = (int)(((days % 7) + 7) % 7);
    return (size_t)snprintf(out, 32, "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT", wd[w], d,
                            mn[m - 1], (long long)y, (long long)(secs / 3600),
                            (long long)(secs / 60 % 60), (long long)(secs % 60));
}

/* Splits "12.5ms" into a non-negative number and a unit. */
static bool split_number_unit(const char *s, double *num, const char **unit)
{
    while (*s == ' ')
        s++;
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    char numbuf[64];
    size_t len = (size_t)(p - s);
    if (len >= sizeof numbuf)
        return false;
    memcpy(numbuf, s, len);
    numbuf[len] = '\0';
    *num = strtod(numbuf, NULL);
    while (*p == ' ')
        p++;
    *unit = p;
    return true;
}

int sl_duration_parse_ms(const char *s, int64_t *out_ms)
{
    static const struct {
        const char *u;
        double ms;
    } units[] = { { "", 1000 },   { "ms", 1 },        { "s", 1000 },      { "sec", 1000 },
                  { "m", 60000 }, { "min", 60000 },   { "h", 3600000 },   { "hr", 3600000 },
                  { "d", 86400000 }, { "day", 86400000 }, { "days", 86400000 } };
    double num;
    const char *unit;
    if (!split_number_unit(s, &num, &unit))
        return SL_EPARSE;
    size_t ul = strlen(unit);
    while (ul && unit[ul - 1] == ' ')
        ul--;
    for (size_t i = 0; i < SL_ARRAY_SIZE(units); i++) {
        if (strlen(units[i].u) == ul && strncasecmp(unit, units[i].u, ul) == 0) {
            double v = num * units[i].ms;
            if (v > 9.2e18)
                return SL_EPARSE;
            *out_ms = (int64_t)(v + 0.5);
            return 0;
        }
    }
    return SL_EPARSE;
}

int sl_size_parse(const char *s, uint64_t *out)
{
    static const struct {
        const char *u;
        double mul;
    } units[] = { { "", 1 },          { "b", 1 },           { "k", 1e3 },         { "kb", 1e3 },
                  { "m", 1e6 },       { "mb", 1e6 },        { "g", 1e9 },         { "gb", 1e9 },
                  { "kib", 1024.0 },  { "mib", 1048576.0 }, { "gib", 1073741824.0 },
                  { "tib", 1099511627776.0 }, { "tb", 1e12 } };
    double num;
    const char *unit;
    if (!split_number_unit(s, &num, &unit))
        return SL_EPARSE;
    size_t ul = strlen(unit);
    while (ul && unit[ul - 1] == ' ')
        ul--;
    for (size_t i = 0; i < SL_ARRAY_SIZE(units); i++) {
        if (strlen(units[i].u) == ul && strncasecmp(unit, units[i].u, ul) == 0) {
            double v = num * units[i].mul;
            if (v > 1.8e19)
                return SL_EPARSE;
            *out = (uint64_t)(v + 0.5);
            return 0;
        }
    }
    return SL_EPARSE;
}

size_t sl_time_format_timespan(sl_ticks_t t, char out[40])
{
    uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    uint64_t days = u / (uint64_t)SL_TICKS_PER_DAY, rem = u % (uint64_t)SL_TICKS_PER_DAY;
    uint64_t s = rem / (uint64_t)SL_TICKS_PER_SEC, f = rem % (uint64_t)SL_TICKS_PER_SEC;
    char d[24] = "", fr[10] = "";
    if (days)
        snprintf(d, sizeof d, "%llu.", (unsigned long long)days);
    if (f)
        snprintf(fr, sizeof fr, ".%07llu", (unsigned long long)f);
    return (size_t)snprintf(out, 40, "%s%s%02llu:%02llu:%02llu%s", t < 0 ? "-" : "", d,
                            (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
                            (unsigned long long)(s % 60), fr);
}
