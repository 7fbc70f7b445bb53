/*
 * Fuzzes the ISO 8601 duration and interval parsers (common/isodur.c),
 * which read the Query API's "timespan" parameter from any client.
 *
 * Every input goes to both parsers. Invariants:
 *  - a duration parses to the same value in lower case (every letter the
 *    grammar has is case-insensitive), and printed back canonically
 *    ("[-]PnDTnHnMn.nnnnnnnS") and as seconds only ("[-]PTn.nnnnnnnS") it
 *    parses again to within one tick;
 *  - an interval satisfies t0 <= t1; a bare duration ends at `now` and
 *    starts that duration before it; "start/end" with two datetimes gives
 *    exactly them; and when both ends are inside the datetime range the
 *    interval printed as "start/end" (sl_time_format_iso8601) parses back
 *    to the same t0 and t1;
 *  - no crash and no undefined behaviour: signed overflow in the interval
 *    arithmetic stops the run (halt_on_error, __ubsan_default_options).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* 2024-06-10T00:00:00Z, a plausible "now". */
#define NOW (INT64_C(1717977600) * SL_TICKS_PER_SEC)
/* 0001-01-01 and 9999-12-31T23:59:59.9999999, the datetime range. */
#define MIN_DT (INT64_C(-62135596800) * SL_TICKS_PER_SEC)
#define MAX_DT (INT64_C(253402300800) * SL_TICKS_PER_SEC - 1)

static void round_trip(const char *text, sl_ticks_t want)
{
    sl_ticks_t got;
    CHECK(sl_time_parse_iso_duration(text, strlen(text), &got) == 0);
    CHECK(got - want <= 1 && want - got <= 1);
}

static void check_duration(const char *s, size_t n)
{
    sl_ticks_t d;
    int rc = sl_time_parse_iso_duration(s, n, &d);
    CHECK(rc == 0 || rc == SL_EPARSE);

    char *low = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    sl_ticks_t dl;
    CHECK(sl_time_parse_iso_duration(low, n, &dl) == rc);
    CHECK(rc || dl == d);
    free(low);
    if (rc)
        return;

    CHECK(d != INT64_MIN);
    uint64_t u = (uint64_t)(d < 0 ? -d : d);
    const char *sign = d < 0 ? "-" : "";
    uint64_t days = u / SL_TICKS_PER_DAY, rem = u % SL_TICKS_PER_DAY;
    char text[96];
    snprintf(text, sizeof text, "%sP%lluDT%lluH%lluM%llu.%07lluS", sign,
             (unsigned long long)days, (unsigned long long)(rem / SL_TICKS_PER_HOUR),
             (unsigned long long)(rem % SL_TICKS_PER_HOUR / SL_TICKS_PER_MIN),
             (unsigned long long)(rem % SL_TICKS_PER_MIN / SL_TICKS_PER_SEC),
             (unsigned long long)(rem % SL_TICKS_PER_SEC));
    round_trip(text, d);
    snprintf(text, sizeof text, "%sPT%llu.%07lluS", sign,
             (unsigned long long)(u / SL_TICKS_PER_SEC),
             (unsigned long long)(u % SL_TICKS_PER_SEC));
    round_trip(text, d);
}

static bool has_slash(const char *s, size_t n)
{
    return memchr(s, '/', n) != NULL;
}

static void check_interval(const char *s, size_t n)
{
    sl_ticks_t t0, t1;
    int rc = sl_time_parse_iso_interval(s, n, NOW, &t0, &t1);
    CHECK(rc == 0 || rc == SL_EPARSE);
    if (rc)
        return;
    CHECK(t0 <= t1);
    if (!has_slash(s, n)) {
        /* A bare duration: it ends now. */
        sl_ticks_t d;
        size_t a = 0, b = n;
        while (a < b && s[a] == ' ')
            a++;
        while (b > a && s[b - 1] == ' ')
            b--;
        CHECK(sl_time_parse_iso_duration(s + a, b - a, &d) == 0);
        CHECK(t1 == NOW && t0 == NOW - d);
    } else {
        const char *slash = memchr(s, '/', n);
        sl_ticks_t a, b;
        if (sl_time_parse_iso8601(s, (size_t)(slash - s), &a) == 0 &&
            sl_time_parse_iso8601(slash + 1, n - (size_t)(slash - s) - 1, &b) == 0)
            CHECK(t0 == a && t1 == b);
    }
    if (t0 >= MIN_DT && t1 <= MAX_DT) {
        char a[32], b[32], text[80];
        sl_time_format_iso8601(t0, a);
        sl_time_format_iso8601(t1, b);
        snprintf(text, sizeof text, "%s/%s", a, b);
        sl_ticks_t u0, u1;
        CHECK(sl_time_parse_iso_interval(text, strlen(text), NOW, &u0, &u1) == 0);
        CHECK(u0 == t0 && u1 == t1);
    }
}

/* UBSan reports and carries on by default: stop at the first report, so
 * undefined behaviour fails the run (UBSAN_OPTIONS still overrides). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    /* Exact-size copies: ASan sees any read past the input. */
    char *s = malloc(size ? size : 1);
    memcpy(s, data, size);
    check_duration(s, size);
    check_interval(s, size);
    free(s);
    return 0;
}
