/*
 * Structured logging: one line per event in logfmt style, written with a
 * single write(2) so lines from different threads never interleave.
 *
 * Rate limiting: warnings and errors draw from a token bucket (burst 200,
 * refill 50 lines/s). When the bucket is empty lines are counted instead of
 * written, and the next written line reports how many were dropped. Debug and
 * info lines are not limited: they are off or rare in production.
 */
#include "common/common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BURST 200.0
#define REFILL_PER_SEC 50.0

struct sl_log {
    int fd;
    _Atomic int level;
    pthread_mutex_t mu; /* guards the bucket */
    double tokens;
    uint64_t last_ns;
    uint64_t dropped_since;
    _Atomic uint64_t suppressed;
};

sl_log_t *sl_log_create(int fd, sl_log_level_t level)
{
    sl_log_t *lg = sl_xcalloc(1, sizeof *lg);
    lg->fd = fd;
    atomic_store(&lg->level, (int)level);
    pthread_mutex_init(&lg->mu, NULL);
    lg->tokens = BURST;
    lg->last_ns = sl_time_mono_ns();
    return lg;
}

void sl_log_destroy(sl_log_t *lg)
{
    if (!lg)
        return;
    pthread_mutex_destroy(&lg->mu);
    sl_free(lg);
}

void sl_log_set_level(sl_log_t *lg, sl_log_level_t level)
{
    atomic_store(&lg->level, (int)level);
}

sl_log_level_t sl_log_get_level(const sl_log_t *lg)
{
    return (sl_log_level_t)atomic_load(&((sl_log_t *)lg)->level);
}

bool sl_log_enabled(const sl_log_t *lg, sl_log_level_t level)
{
    return lg && (int)level >= atomic_load(&((sl_log_t *)lg)->level) && level != SL_LOG_OFF;
}

static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

int sl_log_level_parse(const char *s)
{
    for (size_t i = 0; i < SL_ARRAY_SIZE(level_names); i++)
        if (strcmp(s, level_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *sl_log_level_name(sl_log_level_t l)
{
    return (unsigned)l < SL_ARRAY_SIZE(level_names) ? level_names[l] : "?";
}

uint64_t sl_log_suppressed(const sl_log_t *lg)
{
    return atomic_load(&((sl_log_t *)lg)->suppressed);
}

/* Returns false if the line must be dropped; *dropped gets the count of lines
 * dropped since the last written one. */
static bool take_token(sl_log_t *lg, uint64_t *dropped)
{
    bool ok;
    pthread_mutex_lock(&lg->mu);
    uint64_t now = sl_time_mono_ns();
    lg->tokens += (double)(now - lg->last_ns) / 1e9 * REFILL_PER_SEC;
    if (lg->tokens > BURST)
        lg->tokens = BURST;
    lg->last_ns = now;
    if (lg->tokens >= 1.0) {
        lg->tokens -= 1.0;
        *dropped = lg->dropped_since;
        lg->dropped_since = 0;
        ok = true;
    } else {
        lg->dropped_since++;
        ok = false;
    }
    pthread_mutex_unlock(&lg->mu);
    return ok;
}

void sl_log_write(sl_log_t *lg, sl_log_level_t level, const char *sub, const char *reqid,
                  const char *fmt, ...)
{
    uint64_t dropped = 0;
    if (level >= SL_LOG_WARN && !take_token(lg, &dropped)) {
        atomic_fetch_add(&lg->suppressed, 1);
        return;
    }
    char line[2048];
    size_t n = 0;
    char ts[32];
    sl_time_format_iso8601_ms(sl_time_now(), ts);
    n += (size_t)snprintf(line, sizeof line, "%s level=%s sub=%s", ts, sl_log_level_name(level),
                          sub);
    if (reqid && n < sizeof line)
        n += (size_t)snprintf(line + n, sizeof line - n, " req=%s", reqid);
    if (n < sizeof line - 8) {
        memcpy(line + n, " msg=\"", 6);
        n += 6;
        char msg[1536];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        /* Quote and escape so a message can never forge another field or line. */
        for (const char *m = msg; *m && n < sizeof line - 4; m++) {
            unsigned char c = (unsigned char)*m;
            if (c == '"' || c == '\\') {
                line[n++] = '\\';
                line[n++] = (char)c;
            } else if (c < 0x20 || c == 0x7f) {
                line[n++] = ' ';
            } else {
                line[n++] = (char)c;
            }
        }
        line[n++] = '"';
    }
    if (dropped && n < sizeof line)
        n += (size_t)snprintf(line + n, sizeof line - n, " suppressed=%llu",
                              (unsigned long long)dropped);
    if (n > sizeof line - 1)
        n = sizeof line - 1;
    line[n++] = '\n';
    ssize_t w = write(lg->fd, line, n);
    (void)w; /* nowhere to report a failing log write */
}
