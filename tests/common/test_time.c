#include <criterion/criterion.h>
#include <string.h>

#include "common/common.h"

static sl_ticks_t iso(const char *s)
{
    sl_ticks_t t = 0;
    cr_assert_eq(sl_time_parse_iso8601(s, strlen(s), &t), 0, "parse %s", s);
    return t;
}

Test(common_time, iso8601_forms)
{
    sl_ticks_t base = (sl_ticks_t)1718000000 * SL_TICKS_PER_SEC; /* 2024-06-10T06:13:20Z */
    cr_expect_eq(iso("2024-06-10T06:13:20Z"), base);
    cr_expect_eq(iso("2024-06-10 06:13:20"), base);
    cr_expect_eq(iso("2024-06-10T08:13:20+02:00"), base);
    cr_expect_eq(iso("2024-06-10T01:13:20-0500"), base);
    cr_expect_eq(iso("2024-06-10T06:13:20.1234567Z"), base + 1234567);
    cr_expect_eq(iso("2024-06-10T06:13:20.123456789Z"), base + 1234567, "extra digits dropped");
    cr_expect_eq(iso("2024-06-10T06:13:20.5Z"), base + 5000000);
    cr_expect_eq(iso("2024-06-10"), base - (6 * 3600 + 13 * 60 + 20) * SL_TICKS_PER_SEC);
    cr_expect_eq(iso("1970-01-01T00:00:00Z"), 0);
    cr_expect_eq(iso("1969-12-31T23:59:59Z"), -SL_TICKS_PER_SEC);
}

Test(common_time, iso8601_rejects)
{
    const char *bad[] = { "", "2024", "2024-13-01", "2024-02-30", "2023-02-29T00:00:00Z",
                          "2024-06-10T25:00:00Z", "2024-06-10T06:13:20ZZ", "2024-06-10T06:13:20.Z",
                          "x2024-06-10", "2024-06-10T06:13:20+25:00" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_ticks_t t;
        cr_expect_eq(sl_time_parse_iso8601(bad[i], strlen(bad[i]), &t), SL_EPARSE, "%s", bad[i]);
    }
    sl_ticks_t t;
    cr_expect_eq(sl_time_parse_iso8601("2024-02-29", 10, &t), 0, "leap day");
}

Test(common_time, format_round_trip)
{
    char out[32];
    sl_time_format_iso8601((sl_ticks_t)1718000000 * SL_TICKS_PER_SEC, out);
    cr_expect_str_eq(out, "2024-06-10T06:13:20Z");
    sl_time_format_iso8601((sl_ticks_t)1718000000 * SL_TICKS_PER_SEC + 3170000, out);
    cr_expect_str_eq(out, "2024-06-10T06:13:20.317Z");
    sl_time_format_iso8601_ms((sl_ticks_t)1718000000 * SL_TICKS_PER_SEC, out);
    cr_expect_str_eq(out, "2024-06-10T06:13:20.000Z");
    sl_time_format_iso8601(-1, out);
    cr_expect_str_eq(out, "1969-12-31T23:59:59.9999999Z");
    sl_time_format_rfc1123((sl_ticks_t)1459756800 * SL_TICKS_PER_SEC, out);
    cr_expect_str_eq(out, "Mon, 04 Apr 2016 08:00:00 GMT");
    for (sl_ticks_t t = -5 * SL_TICKS_PER_DAY; t < 400 * SL_TICKS_PER_DAY; t += 7777777777) {
        char s[32];
        size_t n = sl_time_format_iso8601(t, s);
        sl_ticks_t back;
        cr_assert_eq(sl_time_parse_iso8601(s, n, &back), 0, "%s", s);
        cr_assert_eq(back, t, "%s", s);
    }
}

Test(common_time, rfc1123_forms)
{
    sl_ticks_t t, want = (sl_ticks_t)1459756800 * SL_TICKS_PER_SEC;
    cr_expect_eq(sl_time_parse_rfc1123("Mon, 04 Apr 2016 08:00:00 GMT", 29, &t), 0);
    cr_expect_eq(t, want);
    const char *rfc850 = "Monday, 04-Apr-16 08:00:00 GMT";
    cr_expect_eq(sl_time_parse_rfc1123(rfc850, strlen(rfc850), &t), 0);
    cr_expect_eq(t, want);
    const char *short_day = "Mon, 4 Apr 2016 10:00:00 +0200";
    cr_expect_eq(sl_time_parse_rfc1123(short_day, strlen(short_day), &t), 0);
    cr_expect_eq(t, want);
    cr_expect_eq(sl_time_parse_rfc1123("Mon, 04 Foo 2016 08:00:00 GMT", 29, &t), SL_EPARSE);
}

Test(common_time, durations_and_sizes)
{
    int64_t ms;
    cr_expect_eq(sl_duration_parse_ms("10s", &ms), 0);
    cr_expect_eq(ms, 10000);
    cr_expect_eq(sl_duration_parse_ms("500ms", &ms), 0);
    cr_expect_eq(ms, 500);
    cr_expect_eq(sl_duration_parse_ms("1.5h", &ms), 0);
    cr_expect_eq(ms, 5400000);
    cr_expect_eq(sl_duration_parse_ms("30d", &ms), 0);
    cr_expect_eq(ms, (int64_t)30 * 86400000);
    cr_expect_eq(sl_duration_parse_ms("7", &ms), 0);
    cr_expect_eq(ms, 7000);
    cr_expect_eq(sl_duration_parse_ms("10 parsecs", &ms), SL_EPARSE);
    cr_expect_eq(sl_duration_parse_ms("-1s", &ms), SL_EPARSE);
    uint64_t b;
    cr_expect_eq(sl_size_parse("32MiB", &b), 0);
    cr_expect_eq(b, 32u << 20);
    cr_expect_eq(sl_size_parse("1MB", &b), 0);
    cr_expect_eq(b, 1000000u);
    cr_expect_eq(sl_size_parse("4096", &b), 0);
    cr_expect_eq(b, 4096u);
    cr_expect_eq(sl_size_parse("lots", &b), SL_EPARSE);
}

Test(common_time, iso_durations)
{
    sl_ticks_t t;
    cr_assert_eq(sl_time_parse_iso_duration("PT1H", 4, &t), 0);
    cr_expect_eq(t, SL_TICKS_PER_HOUR);
    cr_assert_eq(sl_time_parse_iso_duration("P1DT12H30M", 10, &t), 0);
    cr_expect_eq(t, SL_TICKS_PER_DAY + 12 * SL_TICKS_PER_HOUR + 30 * SL_TICKS_PER_MIN);
    cr_assert_eq(sl_time_parse_iso_duration("PT0.5S", 6, &t), 0);
    cr_expect_eq(t, SL_TICKS_PER_SEC / 2);
    cr_assert_eq(sl_time_parse_iso_duration("P2W", 3, &t), 0);
    cr_expect_eq(t, 14 * SL_TICKS_PER_DAY);
    cr_expect_eq(sl_time_parse_iso_duration("P", 1, &t), SL_EPARSE);
    cr_expect_eq(sl_time_parse_iso_duration("PT", 2, &t), SL_EPARSE);
    cr_expect_eq(sl_time_parse_iso_duration("PT1X", 4, &t), SL_EPARSE);
    cr_expect_eq(sl_time_parse_iso_duration("P1H", 3, &t), SL_EPARSE); /* H needs T */
    cr_expect_eq(sl_time_parse_iso_duration("1H", 2, &t), SL_EPARSE);
}

static sl_ticks_t dur(const char *s)
{
    sl_ticks_t t = -1;
    cr_assert_eq(sl_time_parse_iso_duration(s, strlen(s), &t), 0, "%s", s);
    return t;
}

Test(common_time, iso_durations_are_exact_however_spelled)
{
    /* Found by fuzz_timespan: summed as doubles, a duration past 2^53
     * ticks (~28 years) came out hundreds of ticks apart depending on its
     * units. */
    sl_ticks_t want = INT64_C(10157699) * SL_TICKS_PER_DAY + 2 * SL_TICKS_PER_HOUR +
                      48 * SL_TICKS_PER_MIN + 5 * SL_TICKS_PER_SEC + 4775070;
    cr_expect_eq(dur("P10157699DT2H48M5.477507S"), want);
    cr_expect_eq(dur("PT877625203685.477507S"), want);
    cr_expect_eq(dur("-PT877625203685.4775070S"), -want);
    /* Fractions of any unit, either separator, rounded to the nearest tick. */
    cr_expect_eq(dur("PT0,00000005S"), 1);
    cr_expect_eq(dur("PT0.00000004S"), 0);
    cr_expect_eq(dur("P0.5D"), SL_TICKS_PER_DAY / 2);
    cr_expect_eq(dur("PT.25H"), SL_TICKS_PER_HOUR / 4);
    cr_expect_eq(dur("PT1.S"), SL_TICKS_PER_SEC);
    cr_expect_eq(dur("P1Y"), 365 * SL_TICKS_PER_DAY);
    /* The largest duration there is, and one tick more. */
    cr_expect_eq(dur("PT922337203685.4775807S"), INT64_MAX);
    sl_ticks_t t;
    cr_expect_eq(sl_time_parse_iso_duration("PT922337203685.4775808S", 23, &t), SL_EPARSE);
    cr_expect_eq(sl_time_parse_iso_duration("P10675199D10675199D", 19, &t), SL_EPARSE);
    cr_expect_eq(sl_time_parse_iso_duration("PT.S", 4, &t), SL_EPARSE);
    cr_expect_eq(sl_time_parse_iso_duration("PT1.2.3S", 8, &t), SL_EPARSE);
}

Test(common_time, iso_intervals_outside_the_tick_range_are_refused)
{
    /* Found with fuzz_timespan: start - duration and start + duration
     * overflowed (undefined behaviour) for durations of ~27,000 years. */
    sl_ticks_t now = INT64_C(1718000000) * SL_TICKS_PER_SEC, a, b;
    const char *s = "P10000000D/0001-01-01T00:00:00Z";
    cr_expect_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), SL_EPARSE);
    s = "9999-12-31T00:00:00Z/P10000000D";
    cr_expect_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), SL_EPARSE);
    /* Within the range they still work. */
    s = "P10000D/2024-06-01T00:00:00Z";
    cr_assert_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), 0);
    cr_expect_eq(b - a, 10000 * SL_TICKS_PER_DAY);
}

Test(common_time, iso_intervals_in_the_four_sdk_shapes)
{
    sl_ticks_t now = INT64_C(1718000000) * SL_TICKS_PER_SEC, a, b, d0;
    cr_assert_eq(sl_time_parse_iso8601("2024-06-01T00:00:00Z", 20, &d0), 0);
    const char *s = "PT1H";
    cr_assert_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), 0);
    cr_expect_eq(a, now - SL_TICKS_PER_HOUR);
    cr_expect_eq(b, now);
    s = "2024-06-01T00:00:00Z/2024-06-02T00:00:00Z";
    cr_assert_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), 0);
    cr_expect_eq(a, d0);
    cr_expect_eq(b, d0 + SL_TICKS_PER_DAY);
    s = "2024-06-01T00:00:00.000Z/P1D";
    cr_assert_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), 0);
    cr_expect_eq(a, d0);
    cr_expect_eq(b, d0 + SL_TICKS_PER_DAY);
    s = "PT2H/2024-06-01T00:00:00Z";
    cr_assert_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), 0);
    cr_expect_eq(a, d0 - 2 * SL_TICKS_PER_HOUR);
    cr_expect_eq(b, d0);
    s = "2024-06-02T00:00:00Z/2024-06-01T00:00:00Z";
    cr_expect_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), SL_EPARSE);
    s = "PT1H/PT2H";
    cr_expect_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), SL_EPARSE);
    s = "yesterday";
    cr_expect_eq(sl_time_parse_iso_interval(s, strlen(s), now, &a, &b), SL_EPARSE);
}
