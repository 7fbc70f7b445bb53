/*
 * The open-loop timetable for --rate. A closed-loop generator sends the next
 * request when the previous answer arrives, so a server stall also stalls
 * the clock that measures it and the slow period contributes one sample
 * instead of hundreds ("coordinated omission"). Here every request has a
 * due time fixed before the run; latency is measured from that due time,
 * so requests held back by a stall count the time they waited.
 *
 * Due times are computed from the request number, never by adding an
 * interval to the previous one, so rounding cannot accumulate: 128-bit
 * products keep k * rows_per_post * 1e9 exact for any run this tool can do.
 */
#include "bench/load.h"

uint64_t sl_load_sched_due_ns(const sl_load_sched_t *s, uint64_t k)
{
    unsigned __int128 rows = (unsigned __int128)k * s->rows_per_post;
    return s->start_ns + (uint64_t)(rows * 1000000000u / s->rate);
}

uint64_t sl_load_sched_due_count(const sl_load_sched_t *s, uint64_t now_ns)
{
    if (now_ns < s->start_ns)
        return 0;
    /* Request k is due iff floor(k*D/rate) <= e, i.e. k*D < (e+1)*rate with
     * D = rows_per_post * 1e9; the count of such k >= 0 is a ceiling. */
    unsigned __int128 e1 = (unsigned __int128)(now_ns - s->start_ns) + 1;
    unsigned __int128 D = (unsigned __int128)s->rows_per_post * 1000000000u;
    unsigned __int128 num = e1 * s->rate;
    return (uint64_t)((num + D - 1) / D);
}
