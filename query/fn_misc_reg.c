/*
 * Registry table of the misc functions (see query_int.h, sl_qfn_misc).
 */
#include "query/query_int.h"

const sl_qfn_t sl_qfn_misc[] = {
    { .name = NULL },
};
