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

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    double total = 0; /* ticks */
    while (i < n) {
        if ((s[i] == 'T' || s[i] == 't') && !in_time) {
            in_time = true;
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ','))
            i++;
        if (i == st || i >= n)
            return SL_EPARSE;
        char num[40];
        size_t len = i - st;
        if (len >= sizeof num)
            return SL_EPARSE;
        memcpy(num, s + st, len);
        num[len] = 0;
        for (size_t k = 0; k < len; k++)
            if (num[k] == ',')
                num[k] = '.';
        char *end;
        double v = strtod(num, &end);
        if (*end)
            return SL_EPARSE;
        char u = s[i++];
        if (u >= 'a' && u <= 'z')
            u = (char)(u - 32);
        double unit;
        if (!in_time) {
            unit = u == 'Y'   ? 365.0 * SL_TICKS_PER_DAY
                   : u == 'M' ? 30.0 * SL_TICKS_PER_DAY
                   : u == 'W' ? 7.0 * SL_TICKS_PER_DAY
                   : u == 'D' ? (double)SL_TICKS_PER_DAY
                              : 0;
        } else {
            unit = u == 'H'   ? (double)SL_TICKS_PER_HOUR
                   : u == 'M' ? (double)SL_TICKS_PER_MIN
                   : u == 'S' ? (double)SL_TICKS_PER_SEC
                              : 0;
        }
        if (unit == 0)
            return SL_EPARSE;
        total += v * unit;
        any = true;
    }
    if (!any || total > 9.2e18)
        return SL_EPARSE;
    *out = (sl_ticks_t)llround(neg ? -total : total);
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
        *t0 = now - a;
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
        *t0 = b - a;
        *t1 = b;
    } else if (rd) {
        if (sl_time_parse_iso8601(l, ln, &a) || sl_time_parse_iso_duration(r, rn, &b))
            return SL_EPARSE;
        *t0 = a;
        *t1 = a + b;
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
