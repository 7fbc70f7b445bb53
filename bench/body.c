/*
 * Rows to records, records to request bodies, bodies to gzip.
 *
 * The mapping follows BENCHMARKS.md: the event time, host → Computer, app →
 * ProcessName, severity → SeverityLevel, message → SyslogMessage. The Data
 * Collector record carries its time in "ts" (which `time-generated-field: ts`
 * can promote to TimeGenerated); the Logs Ingestion record names the column
 * TimeGenerated directly, as a DCR stream declaration would.
 *
 * Row strings are escaped JSON content already (see rows.c), so a record is
 * a handful of memcpys and one time format: this runs for every row before
 * the clock starts, and in the refill thread during long runs.
 */
#include "bench/load.h"

#include <string.h>
#include <zlib.h>

static void put_str(sl_buf_t *b, const char *key, size_t keyn, const sl_load_str_t *v, bool comma)
{
    if (comma)
        sl_buf_putc(b, ',');
    sl_buf_append(b, key, keyn);
    sl_buf_append(b, v->p, v->n);
    sl_buf_putc(b, '"');
}

#define KEY(s) s, sizeof(s) - 1

static void two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DDThh:mm:ss.mmmZ" for Unix milliseconds (years 0-9999). This is
 * sl_time_format_iso8601_ms() without snprintf, which cost more than the
 * rest of a record; a unit test holds the two to the same output. */
static size_t format_ts(int64_t ms, char out[32])
{
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    int64_t y;
    unsigned m, d;
    sl_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        /* Nonsense input times: saturate rather than overflow the ticks. */
        int64_t lim = INT64_MAX / SL_TICKS_PER_MS;
        int64_t t = ms > lim ? INT64_MAX : ms < -lim ? -INT64_MAX : ms * SL_TICKS_PER_MS;
        return sl_time_format_iso8601_ms(t, out);
    }
    unsigned secs = (unsigned)(rem / 1000), milli = (unsigned)(rem % 1000);
    two(out, (unsigned)(y / 100));
    two(out + 2, (unsigned)(y % 100));
    out[4] = '-';
    two(out + 5, m);
    out[7] = '-';
    two(out + 8, d);
    out[10] = 'T';
    two(out + 11, secs / 3600);
    out[13] = ':';
    two(out + 14, secs / 60 % 60);
    out[16] = ':';
    two(out + 17, secs % 60);
    out[19] = '.';
    out[20] = (char)('0' + milli / 100);
    two(out + 21, milli % 100);
    out[23] = 'Z';
    out[24] = '\0';
    return 24;
}

void sl_load_record_append(sl_buf_t *b,
                           sl_load_mode_t mode,
                           const sl_load_row_t *row,
                           int64_t shift_ms)
{
    char ts[32];
    int64_t at;
    if (__builtin_add_overflow(row->ts_ms, shift_ms, &at))
        at = shift_ms > 0 ? INT64_MAX : INT64_MIN + 1;
    size_t tn = format_ts(at, ts);
    sl_buf_reserve(b, tn + row->host.n + row->app.n + row->severity.n + row->message.n + 100);
    if (mode == SL_LOAD_MODE_DC)
        sl_buf_append(b, KEY("{\"ts\":\""));
    else
        sl_buf_append(b, KEY("{\"TimeGenerated\":\""));
    sl_buf_append(b, ts, tn);
    sl_buf_putc(b, '"');
    put_str(b, KEY("\"Computer\":\""), &row->host, true);
    put_str(b, KEY("\"ProcessName\":\""), &row->app, true);
    put_str(b, KEY("\"SeverityLevel\":\""), &row->severity, true);
    put_str(b, KEY("\"SyslogMessage\":\""), &row->message, true);
    sl_buf_putc(b, '}');
}

int sl_load_gzip(const void *in, size_t n, int level, sl_buf_t *out, sl_diag_t *d)
{
    if (level < -1 || level > 9)
        return sl_diag_set(d, SL_EINVAL, "gzip level must be 0..9");
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16 asks zlib for a gzip wrapper instead of zlib's. */
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return sl_diag_set(d, SL_ENOMEM, "deflateInit2 failed");
    sl_buf_reset(out);
    sl_buf_reserve(out, deflateBound(&z, n) + 1);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)(out->cap - 1);
    int rc = deflate(&z, Z_FINISH);
    out->len = z.total_out;
    out->data[out->len] = '\0';
    deflateEnd(&z);
    /* deflateBound() is a guarantee, so anything but the end is a zlib bug. */
    if (rc != Z_STREAM_END)
        return sl_diag_set(d, SL_EINVAL, "deflate did not finish (%d)", rc);
    return 0;
}
