/*
 * Fuzzes HTTP routing input: the request-target parser (origin-form,
 * absolute-form, percent-decoding, "//" collapsing) and the form-body
 * parser used by the token endpoint. Checks the invariants routing relies
 * on: bounded segment counts, NUL-free decoded strings, a normalized path.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_pool_t *pool = sl_pool_create();
    for (int keep = 0; keep < 2; keep++) {
        sl_target_t t;
        if (sl_target_parse(pool, (const char *)data, size, keep, &t) == 0) {
            if (t.nseg > SL_TARGET_MAX_SEGMENTS || t.nparam > SL_TARGET_MAX_PARAMS)
                abort();
            if (!t.path || t.path[0] != '/')
                abort();
            for (size_t i = 0; i < t.nseg; i++)
                if (!keep && t.seg[i][0] == '\0')
                    abort(); /* empty segments only survive when asked for */
            for (size_t i = 0; i < t.nparam; i++)
                (void)sl_target_param(&t, t.param[i].name);
        }
    }
    sl_qparam_t params[16];
    size_t n;
    if (sl_form_parse(pool, (const char *)data, size, params, 16, &n) == 0 && n > 16)
        abort();
    sl_pool_destroy(pool);
    return 0;
}
