/*
 * Registry table of the aggregates (see query_int.h, sl_qagg_all).
 */
#include "query/query_int.h"

const sl_qagg_t sl_qagg_all[] = {
    { .name = NULL },
};
