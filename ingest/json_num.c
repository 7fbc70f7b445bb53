/*
 * Number tokens to C numbers.
 *
 * Doubles must be correctly rounded: a record's 0.1 must become the same
 * double every other JSON reader produces. Most literals in logs are short
 * (timestamps like 1724230000.123456, durations, counters), and for those
 * there is an exact shortcut (Clinger's fast path): when the decimal
 * significand w has at most 15 digits it is exactly representable, and so is
 * 10^k for k <= 22, so w * 10^k or w / 10^k is a single IEEE operation on
 * exact operands and therefore correctly rounded. Everything else goes to
 * strtod on a NUL-terminated copy. The scanner has validated the grammar,
 * so neither path sees anything but -?digits[.digits][e[+-]digits].
 *
 * strtod reads the C locale's decimal point; sealog never changes
 * LC_NUMERIC (common/ relies on the same).
 */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 10^0 .. 10^22, all exactly representable as doubles. */
static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Tries the exact fast path; returns false if it does not apply. */
static bool fast_double(const char *s, size_t n, double *out)
{
#if FLT_EVAL_METHOD != 0
    /* Extended-precision intermediates would round twice. */
    (void)s, (void)n, (void)out;
    return false;
#else
    size_t i = 0;
    bool neg = s[0] == '-';
    i += neg;
    uint64_t w = 0;
    int nd = 0;      /* significant digits in w */
    int64_t e10 = 0; /* value = w * 10^e10 */
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (w || s[i] != '0') {
            if (++nd > 15) {
                return false;
            }
            w = w * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (w || s[i] != '0') {
                if (++nd > 15) {
                    return false;
                }
                w = w * 10 + (uint64_t)(s[i] - '0');
            }
            e10--;
        }
    }
    if (i < n) { /* exponent */
        i++;
        bool eneg = s[i] == '-';
        i += s[i] == '-' || s[i] == '+';
        int64_t ex = 0;
        for (; i < n; i++) {
            if (ex < 100000) { /* saturate: far out of range either way */
                ex = ex * 10 + (s[i] - '0');
            }
        }
        e10 += eneg ? -ex : ex;
    }
    double r;
    if (w == 0) {
        r = 0.0;
    } else if (e10 >= 0 && e10 <= 22) {
        r = (double)w * pow10_exact[e10];
    } else if (e10 < 0 && e10 >= -22) {
        r = (double)w / pow10_exact[-e10];
    } else if (e10 > 22 && e10 <= 22 + 15 - nd) {
        /* w * 10^(e10-22) still has at most 15 digits: exact; then one
         * rounding multiplication by 10^22. */
        r = (double)w * pow10_exact[e10 - 22] * pow10_exact[22];
    } else {
        return false;
    }
    *out = neg ? -r : r;
    return true;
#endif
}

int sl_json_number_double(const sl_json_doc_t *d, const sl_json_tok_t *t, double *out)
{
    if (t->type != SL_JSON_NUMBER) {
        return SL_EINVAL;
    }
    const char *s = d->src + t->off;
    size_t n = t->len;
    if (fast_double(s, n, out)) {
        return 0;
    }
    char small[128];
    char *buf = small;
    if (n >= sizeof small) {
        buf = sl_try_malloc(n + 1);
        if (!buf) {
            return SL_ENOMEM;
        }
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    double r = strtod(buf, NULL);
    int rc = errno == ERANGE && isinf(r) ? SL_ELIMIT : 0;
    if (buf != small) {
        sl_free(buf);
    }
    *out = r;
    return rc;
}

int sl_json_number_i64(const sl_json_doc_t *d, const sl_json_tok_t *t, int64_t *out)
{
    if (t->type != SL_JSON_NUMBER) {
        return SL_EINVAL;
    }
    if (!(t->flags & SL_JSON_F_INT)) {
        return SL_ELIMIT;
    }
    /* The literal is -?digits without leading zeros; sl_parse_i64 fails only
     * on overflow here. */
    return sl_parse_i64(d->src + t->off, t->len, out) == 0 ? 0 : SL_ELIMIT;
}
