/*
 * ISO 8601 durations ("PT1H", "P1DT12H", "PT0.5S", "P2W") and time
 * intervals ("start/end", "start/duration", "duration/end", "duration"),
 * the four shapes the Log Analytics SDKs send as a query's timespan.
 *
 * Years and months have no fixed length; they are taken as 365 and 30
 * days, which is what a duration without an anchor can mean. (The SDKs
 * only ever send days and smaller units.)
 */
#include "common/common.h"

#include <string.h>

/* One component ("1.5" of "PT1.5H") times its unit, in whole ticks (the
 * fraction rounded to nearest). Integers, not doubles: a double holds every
 * tick only up to 2^53 (about 28 years), so long durations would depend on
 * how they are spelled. False when it is not a number or does not fit. */
static bool component_ticks(const char *num, size_t len, uint64_t unit, uint64_t *out)
{
    size_t k = 0, digits = 0;
    unsigned __int128 t = 0;
    for (; k < len && num[k] >= '0' && num[k] <= '9'; k++, digits++) {
        t = t * 10 + (unsigned)(num[k] - '0');
        if (t > INT64_MAX) {
            return false;
        }
    }
    t *= unit;
    if (k < len) {
        k++; /* the decimal separator, '.' or ',' */
        uint64_t f = 0, scale = 1;
        for (; k < len; k++, digits++) {
            if (num[k] < '0' || num[k] > '9') {
                return false;
            }
            /* Digits past the 18th are below a thousandth of a tick. */
            if (scale < UINT64_C(1000000000000000000)) {
                f = f * 10 + (uint64_t)(num[k] - '0');
                scale *= 10;
            }
        }
        t += ((unsigned __int128)f * unit + scale / 2) / scale;
    }
    if (!digits || t > INT64_MAX) {
        return false;
    }
    *out = (uint64_t)t;
    return true;
}

int sl_time_parse_iso_duration(const char *s, size_t n, sl_ticks_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i >= n || (s[i] != 'P' && s[i] != 'p'))
        return SL_EPARSE;
    i++;
    bool in_time = false, any = false;
    uint64_t total = 0; /* ticks */
    while (i < n) {
        if ((s[i] == 'T' || s[i] == 't') && !in_time) {
            in_time = true;
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ','))
            i++;
        if (i == st || i >= n || i - st >= 40)
            return SL_EPARSE;
        char u = s[i];
        if (u >= 'a' && u <= 'z')
            u = (char)(u - 32);
        uint64_t unit;
        if (!in_time) {
            unit = u == 'Y'   ? 365 * SL_TICKS_PER_DAY
                   : u == 'M' ? 30 * SL_TICKS_PER_DAY
                   : u == 'W' ? 7 * SL_TICKS_PER_DAY
                   : u == 'D' ? SL_TICKS_PER_DAY
                              : 0;
        } else {
            unit = u == 'H'   ? SL_TICKS_PER_HOUR
                   : u == 'M' ? SL_TICKS_PER_MIN
                   : u == 'S' ? SL_TICKS_PER_SEC
                              : 0;
        }
        uint64_t v;
        if (unit == 0 || !component_ticks(s + st, i - st, unit, &v) ||
            __builtin_add_overflow(total, v, &total) || total > INT64_MAX)
            return SL_EPARSE;
        i++;
        any = true;
    }
    if (!any)
        return SL_EPARSE;
    *out = neg ? -(sl_ticks_t)total : (sl_ticks_t)total;
    return 0;
}

static bool is_duration(const char *s, size_t n)
{
    return n && (s[0] == 'P' || s[0] == 'p' || ((s[0] == '-' || s[0] == '+') && n > 1 &&
                                                (s[1] == 'P' || s[1] == 'p')));
}

int sl_time_parse_iso_interval(const char *s, size_t n, sl_ticks_t now, sl_ticks_t *t0,
                               sl_ticks_t *t1)
{
    while (n && (s[0] == ' '))
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    const char *slash = memchr(s, '/', n);
    sl_ticks_t a, b;
    if (!slash) {
        if (!is_duration(s, n) || sl_time_parse_iso_duration(s, n, &a) || a < 0)
            return SL_EPARSE;
        if (__builtin_sub_overflow(now, a, t0))
            return SL_EPARSE;
        *t1 = now;
        return 0;
    }
    const char *l = s, *r = slash + 1;
    size_t ln = (size_t)(slash - s), rn = n - ln - 1;
    bool ld = is_duration(l, ln), rd = is_duration(r, rn);
    if (ld && rd)
        return SL_EPARSE;
    if (ld) {
        if (sl_time_parse_iso_duration(l, ln, &a) || sl_time_parse_iso8601(r, rn, &b))
            return SL_EPARSE;
        /* A duration of up to ~29,000 years can leave the tick range. */
        if (__builtin_sub_overflow(b, a, t0))
            return SL_EPARSE;
        *t1 = b;
    } else if (rd) {
        if (sl_time_parse_iso8601(l, ln, &a) || sl_time_parse_iso_duration(r, rn, &b))
            return SL_EPARSE;
        *t0 = a;
        if (__builtin_add_overflow(a, b, t1))
            return SL_EPARSE;
    } else {
        if (sl_time_parse_iso8601(l, ln, &a) || sl_time_parse_iso8601(r, rn, &b))
            return SL_EPARSE;
        *t0 = a;
        *t1 = b;
    }
    if (*t0 > *t1)
        return SL_EPARSE;
    return 0;
}
