/*
 * Registry table of the text functions (see query_int.h, sl_qfn_text).
 */
#include "query/query_int.h"

const sl_qfn_t sl_qfn_text[] = {
    { .name = NULL },
};
