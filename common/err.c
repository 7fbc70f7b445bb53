/*
 * Error codes and diagnostics. The message table is generated from
 * SL_ERROR_MAP so names and messages never drift apart; -errno values fall
 * back to strerror_r.
 */
#include "common/common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *sl_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define SL__ERR_MSG(name, value, msg)                                                          \
    case name:                                                                                 \
        return msg;
        SL_ERROR_MAP(SL__ERR_MSG)
#undef SL__ERR_MSG
    default:
        break;
    }
    if (code < 0 && code > -4096) {
        /* strerror() of glibc returns static strings for known errnos. */
        return strerror(-code);
    }
    return "unknown error";
}

const char *sl_err_name(int code)
{
    switch (code) {
    case 0:
        return "OK";
#define SL__ERR_NAME(name, value, msg)                                                         \
    case name:                                                                                 \
        return #name;
        SL_ERROR_MAP(SL__ERR_NAME)
#undef SL__ERR_NAME
    default:
        break;
    }
    if (code < 0 && code > -4096) {
        const char *n = strerrorname_np(-code);
        return n ? n : "EUNKNOWN";
    }
    return "EUNKNOWN";
}

int sl_diag_set(sl_diag_t *d, int code, const char *fmt, ...)
{
    if (d) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->msg, sizeof d->msg, fmt, ap);
        va_end(ap);
        d->code = code;
    }
    return code;
}

void sl_diag_prefix(sl_diag_t *d, const char *fmt, ...)
{
    if (!d)
        return;
    char prefix[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof d->msg];
    memcpy(old, d->msg, sizeof old);
    /* Truncation is acceptable: the message is for people, and the start matters most. */
    size_t pn = strlen(prefix);
    if (pn > sizeof d->msg - 3)
        pn = sizeof d->msg - 3;
    memcpy(d->msg, prefix, pn);
    memcpy(d->msg + pn, ": ", 2);
    size_t rest = sizeof d->msg - pn - 3;
    size_t on = strnlen(old, rest);
    memcpy(d->msg + pn + 2, old, on);
    d->msg[pn + 2 + on] = '\0';
}
