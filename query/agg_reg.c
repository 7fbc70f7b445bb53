/*
 * Registry table of the aggregates (see query_int.h, sl_qagg_all).
 *
 * Several entries share one implementation and tell themselves apart by
 * `agg->name` at bind time (countif vs count, sumif vs sum ...), so this
 * table is the one place that lists every spelling, with its argument
 * counts (255 = variadic). Semantics, result types and generated column
 * names are described at the top of each agg_*.c file.
 *
 * For the integrator (see also agg_int.h):
 *   - states are accessed as 8-byte aligned (state_off and the group
 *     stride multiples of 8, as sl_qgroups_layout makes them); every
 *     state_size here is a multiple of 8;
 *   - bind leaves out_names[k] NULL for a returned argument (arg_max and
 *     arg_min's returned columns, take_any's); bind_summarize.c names it
 *     after call->args[sl_qagg_out_arg(call, k)];
 *   - arg_max and arg_min drop their key's own column from a `*`
 *     expansion, so `arg_max(T, *)` lists T once;
 *   - update uses rt->scratch (arg_max/take_any/min/max of text,
 *     make_list) and finish uses it too (make_*): nothing of the caller's
 *     may live there across these calls.
 */
#include "query/agg_int.h"

#define AGG(name, lo, hi, fam, upd)                                                                \
    {                                                                                              \
        name, lo, hi, sl_qagg_##fam##_bind, upd, sl_qagg_##fam##_merge, sl_qagg_##fam##_finish,    \
          NULL                                                                                     \
    }
#define AGGD(name, lo, hi, fam, upd)                                                               \
    {                                                                                              \
        name, lo, hi, sl_qagg_##fam##_bind, upd, sl_qagg_##fam##_merge, sl_qagg_##fam##_finish,    \
          sl_qagg_##fam##_dispose                                                                  \
    }
#define SEL(name, lo, hi, bind)                                                                    \
    {                                                                                              \
        name, lo, hi, bind, sl_qagg_sel_update, sl_qagg_sel_merge, sl_qagg_sel_finish,             \
          sl_qagg_sel_dispose                                                                      \
    }

const sl_qagg_t sl_qagg_all[] = {
    /* agg_count.c */
    AGG("count", 0, 1, count, sl_qagg_count_update),
    AGG("countif", 1, 1, count, sl_qagg_countif_update),
    AGGD("dcount", 1, 2, distinct, sl_qagg_distinct_update),
    AGGD("dcountif", 2, 3, distinct, sl_qagg_distinct_update),
    AGGD("count_distinct", 1, 1, distinct, sl_qagg_distinct_update),
    AGGD("count_distinctif", 2, 2, distinct, sl_qagg_distinct_update),
    /* agg_sum.c */
    AGG("sum", 1, 1, sum, sl_qagg_sum_update),
    AGG("sumif", 2, 2, sum, sl_qagg_sum_update),
    AGG("avg", 1, 1, sum, sl_qagg_sum_update),
    AGG("avgif", 2, 2, sum, sl_qagg_sum_update),
    AGG("stdev", 1, 1, sum, sl_qagg_sum_update),
    AGG("stdevif", 2, 2, sum, sl_qagg_sum_update),
    AGG("stdevp", 1, 1, sum, sl_qagg_sum_update),
    AGG("variance", 1, 1, sum, sl_qagg_sum_update),
    AGG("varianceif", 2, 2, sum, sl_qagg_sum_update),
    AGG("variancep", 1, 1, sum, sl_qagg_sum_update),
    /* agg_minmax.c */
    AGGD("min", 1, 1, minmax, sl_qagg_minmax_update),
    AGGD("max", 1, 1, minmax, sl_qagg_minmax_update),
    AGGD("minif", 2, 2, minmax, sl_qagg_minmax_update),
    AGGD("maxif", 2, 2, minmax, sl_qagg_minmax_update),
    /* agg_arg.c */
    SEL("arg_max", 2, 255, sl_qagg_argmax_bind),
    SEL("arg_min", 2, 255, sl_qagg_argmax_bind),
    SEL("take_any", 1, 255, sl_qagg_takeany_bind),
    SEL("take_anyif", 2, 2, sl_qagg_takeany_bind),
    SEL("any", 1, 255, sl_qagg_takeany_bind),
    /* agg_list.c */
    AGGD("make_set", 1, 2, list, sl_qagg_list_update),
    AGGD("make_set_if", 2, 3, list, sl_qagg_list_update),
    AGGD("makeset", 1, 2, list, sl_qagg_list_update),
    AGGD("make_list", 1, 2, list, sl_qagg_list_update),
    AGGD("make_list_if", 2, 3, list, sl_qagg_list_update),
    AGGD("makelist", 1, 2, list, sl_qagg_list_update),
    AGGD("make_bag", 1, 2, list, sl_qagg_list_update),
    AGGD("make_bag_if", 2, 3, list, sl_qagg_list_update),
    /* agg_pct.c */
    AGGD("percentile", 2, 2, pct, sl_qagg_pct_update),
    AGGD("percentiles", 2, 255, pct, sl_qagg_pct_update),
    { .name = NULL },
};
