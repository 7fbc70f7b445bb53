/*
 * Internals shared by the aggregate files (agg_*.c) and their tests. The
 * shared aggregate interface (sl_qagg_t, sl_qaggcall_t) is in query_int.h;
 * this header holds what the agg files build on:
 *
 *   - column readers with constants and nulls folded into plain loads, so
 *     that the per-batch loops stay tight;
 *   - bind helpers: result columns, generated names, argument checks;
 *   - owned value slots (captured values that outlive their batch);
 *   - an exact hash set of values (dcount, count_distinct, make_set,
 *     make_bag keys), kept in first-seen order;
 *   - a walker over the elements of compact JSON arrays and objects.
 *
 * Generated column names
 * ----------------------
 * A result column is named by the rule of its aggregate (see each file);
 * the rules use call->argname, the binder's inferred name of args[0] ("" if
 * it is not a simple column). Where an output is a returned expression
 * (arg_max's returned columns, take_any's arguments) and not derived from
 * argname, bind leaves out_names[k] == NULL, and summarize
 * (bind_summarize.c) gives it the inferred name of the argument
 * `call->args[sl_qagg_out_arg(call, k)]`: a column keeps its own name, an
 * unnamed expression becomes ColumnN. (sl_qaggcall_t carries only the
 * first argument's name, so the aggregates cannot name the others.)
 *
 * Memory accounting
 * -----------------
 * Everything a state points to is charged with sl_qrt_charge before it is
 * allocated. merge() credits back what the source state still owns (the
 * caller frees it, unused, afterwards), and finish() credits what the finished
 * state owns, since dispose() has no runtime context to do it.
 */
#ifndef SL_QUERY_AGG_INT_H
#define SL_QUERY_AGG_INT_H

#include "query/query_int.h"

#include <string.h>

/* The state of group g in a batch update. */
#define SL_QAGG_ST(call, base, stride, g) ((base) + (size_t)(g) * (stride) + (call)->state_off)

/* make_set/make_list/make_bag default and largest maxSize (KQL docs); the
 * legacy makeset/makelist default to 128. */
#define SL_QAGG_MAX_SIZE 1048576
#define SL_QAGG_LEGACY_MAX_SIZE 128

/* ---- Column readers ----------------------------------------------------- */

/*
 * A vector's buffers copied into locals. `mask` is 0 for a constant (every
 * row reads row 0) and all ones otherwise, so a loop indexes with r & mask
 * and needs no branch for constants. Copies also keep the compiler from
 * reloading the vector through the state pointers the loop writes.
 */
typedef struct sl_qagg_rd {
    const uint8_t *nulls; /* NULL when no row is null */
    size_t nulls_len;     /* bytes in the bitmap; rows past it are not null */
    const char *data;
    const uint32_t *offs; /* text types */
    size_t mask;
    sl_type_t type;
} sl_qagg_rd_t;

static inline void sl_qagg_rd_init(sl_qagg_rd_t *rd, const sl_qvec_t *v)
{
    rd->type = v->col.type;
    rd->nulls = v->col.nulls.len ? (const uint8_t *)v->col.nulls.data : NULL;
    rd->nulls_len = v->col.nulls.len;
    rd->data = v->col.data.data ? v->col.data.data : "";
    rd->offs = (const uint32_t *)v->col.offs.data;
    rd->mask = v->konst ? 0 : SIZE_MAX;
}

/* Null test for fixed-width types (text types: see sl_qagg_rd_text_null). */
static inline bool sl_qagg_rd_null(const sl_qagg_rd_t *rd, size_t r)
{
    size_t i = r & rd->mask;
    return rd->nulls && (i >> 3) < rd->nulls_len && (rd->nulls[i >> 3] >> (i & 7) & 1);
}
static inline int64_t sl_qagg_rd_i64(const sl_qagg_rd_t *rd, size_t r)
{
    return ((const int64_t *)rd->data)[r & rd->mask];
}
static inline double sl_qagg_rd_f64(const sl_qagg_rd_t *rd, size_t r)
{
    return ((const double *)rd->data)[r & rd->mask];
}
static inline bool sl_qagg_rd_bool(const sl_qagg_rd_t *rd, size_t r)
{
    return ((const uint8_t *)rd->data)[r & rd->mask] != 0;
}
static inline const char *sl_qagg_rd_text(const sl_qagg_rd_t *rd, size_t r, size_t *len)
{
    size_t i = r & rd->mask;
    *len = rd->offs[i + 1] - rd->offs[i];
    return rd->data + rd->offs[i];
}
/* Any type: null (fixed-width null bit; "" for guid and dynamic). */
static inline bool sl_qagg_rd_is_null(const sl_qagg_rd_t *rd, size_t r)
{
    if (sl_type_is_text(rd->type)) {
        size_t i = r & rd->mask;
        return rd->type != SL_TYPE_STRING && rd->offs[i + 1] == rd->offs[i];
    }
    return sl_qagg_rd_null(rd, r);
}
/* A predicate row that holds: true, not false and not null. */
static inline bool sl_qagg_rd_true(const sl_qagg_rd_t *rd, size_t r)
{
    return sl_qagg_rd_bool(rd, r) && !sl_qagg_rd_null(rd, r);
}
/* A fixed-width value as 64 bits (bool as 0/1, real as its bit pattern). */
static inline uint64_t sl_qagg_rd_bits(const sl_qagg_rd_t *rd, size_t r)
{
    if (rd->type == SL_TYPE_BOOL) {
        return sl_qagg_rd_bool(rd, r);
    }
    return ((const uint64_t *)rd->data)[r & rd->mask];
}

/* ---- Results ------------------------------------------------------------ */

/* A fixed-width value given as 64 bits (see sl_qagg_rd_bits). */
void sl_qagg_out_bits(sl_qvec_t *v, uint64_t bits);
/* Appends the JSON text of a fixed-width value of type t to out. */
void sl_qagg_json_bits(sl_type_t t, uint64_t bits, sl_buf_t *out);

/* Appends p[0..n) to b, charging the growth of b's capacity before it
 * happens. */
int sl_qagg_buf_append(sl_buf_t *b, const char *p, size_t n, sl_qrt_t *rt);

/* ---- Binding ------------------------------------------------------------ */

/* Allocates out_types/out_names for nout columns (names NULL). */
void sl_qagg_outs(sl_qbind_t *b, sl_qaggcall_t *call, size_t nout);
/* "<prefix><argname>" from the bind pool. */
const char *sl_qagg_name(sl_qbind_t *b, const char *prefix, const char *argname);
/* SL_ESEMANTIC "<agg>(): argument k must be <what>, got <type>" (k is
 * 0-based). */
int sl_qagg_arg_error(sl_diag_t *d, const sl_qaggcall_t *call, size_t k, const char *what);
/* Checks that args[k] is bool (a predicate). */
int sl_qagg_check_pred(const sl_qaggcall_t *call, size_t k, sl_diag_t *d);
/* The value of a constant numeric args[k] (int, long or real), or an
 * SL_ESEMANTIC error naming `what`. */
int sl_qagg_const_num(const sl_qaggcall_t *call,
                      size_t k,
                      const char *what,
                      double *out,
                      sl_diag_t *d);
/* The value of a constant int or long args[k] (non-null). */
int sl_qagg_const_int(const sl_qaggcall_t *call,
                      size_t k,
                      const char *what,
                      int64_t *out,
                      sl_diag_t *d);
/* make_set/make_list/make_bag: the optional maxSize args[k] (a constant
 * integer >= 1; values above SL_QAGG_MAX_SIZE are capped), or `dflt` when
 * the call has no args[k]. */
int sl_qagg_max_size(const sl_qaggcall_t *call,
                     size_t k,
                     uint32_t dflt,
                     uint32_t *out,
                     sl_diag_t *d);
/* Which argument output column k returns, for callers naming NULL names
 * (sl_qagg_t bind leaves out_names[k] NULL; see the note at the top). */
size_t sl_qagg_out_arg(const sl_qaggcall_t *call, size_t k);

/* Bind state of aggregates whose outputs are a selection of their
 * arguments (arg_max, take_any): out column k returns args[argidx[k]]. */
typedef struct sl_qagg_sel {
    int mode;       /* SL_QAGG_SEL_* */
    size_t pred;    /* argument index of the predicate, 0 if none */
    size_t nret;    /* captured columns besides the key */
    size_t *argidx; /* nout entries */
} sl_qagg_sel_t;

/* Row selection modes (agg_arg.c). MAX/MIN keep the row with the largest
 * or smallest key (arg_max, arg_min, and max/min of text values); ANY
 * keeps the first row; ANY1 keeps the first row whose one value is not
 * null or empty (take_any with a single argument). */
enum { SL_QAGG_SEL_MAX = 1, SL_QAGG_SEL_MIN, SL_QAGG_SEL_ANY, SL_QAGG_SEL_ANY1 };

/* ---- Hashing ------------------------------------------------------------ */

uint64_t sl_qagg_hash_u64(uint64_t x);
uint64_t sl_qagg_hash_bytes(const char *s, size_t n);
/* Bits identifying a real value in a set: -0 is 0, every NaN is one NaN. */
uint64_t sl_qagg_real_key(double x);

/* ---- Owned value slots -------------------------------------------------- */

/*
 * One captured value of any type. Fixed-width values sit in `i`/`f` with
 * len == 1 meaning null; text values are copied into `p` (cap bytes, len
 * used), since the batch they come from is freed after the update.
 */
typedef struct sl_qagg_slot {
    union {
        int64_t i;
        double f;
        char *p;
    };
    uint32_t len;
    uint32_t cap;
} sl_qagg_slot_t;

/* Captures row r of rd (type rd->type) into the slot, charging growth. */
int sl_qagg_slot_set(sl_qagg_slot_t *s, const sl_qagg_rd_t *rd, size_t r, sl_qrt_t *rt);
/* Appends the slot's value to out (type t). */
void sl_qagg_slot_out(const sl_qagg_slot_t *s, sl_type_t t, sl_qvec_t *out);
/* Null (or "" for guid/dynamic). */
bool sl_qagg_slot_is_null(const sl_qagg_slot_t *s, sl_type_t t);
/* Bytes owned by the slot; frees them. */
size_t sl_qagg_slot_bytes(const sl_qagg_slot_t *s, sl_type_t t);
void sl_qagg_slot_free(sl_qagg_slot_t *s, sl_type_t t);
/* Compares the slot's non-null value with row r's non-null value, in the
 * order of sl_qvec_cmp (<0, 0, >0). */
int sl_qagg_slot_cmp_row(const sl_qagg_slot_t *s, const sl_qagg_rd_t *rd, size_t r);
/* Same between two non-null slots of type t. */
int sl_qagg_slot_cmp(const sl_qagg_slot_t *a, const sl_qagg_slot_t *b, sl_type_t t);

/* ---- Exact value sets --------------------------------------------------- */

/*
 * A set of distinct values, in first-seen order. A set holds either 64-bit
 * keys (fixed-width values: sl_qagg_rd_bits, reals through
 * sl_qagg_real_key) or byte strings (copied into `arena` as a uint32
 * length then the bytes). Lookups go through an open-addressing table of
 * indexes with linear probing; hashes are kept so growing never rehashes
 * values. About 20 bytes per value plus the bytes of text values.
 */
typedef struct sl_qagg_set {
    uint32_t n, cap; /* values; room in keys/hashes */
    uint32_t tmask;  /* table slots - 1 (a power of two minus one) */
    bool text;
    uint64_t *keys;   /* the value, or its offset in arena */
    uint64_t *hashes; /* per value */
    uint32_t *table;  /* value index + 1; 0 = empty */
    sl_buf_t arena;
} sl_qagg_set_t;

/* Creates an empty set (charged). */
int sl_qagg_set_create(bool text, sl_qrt_t *rt, sl_qagg_set_t **out);
void sl_qagg_set_destroy(sl_qagg_set_t *s);
/* Bytes held (what has been charged for it). */
size_t sl_qagg_set_bytes(const sl_qagg_set_t *s);
/* Adds a value unless present. *added (may be NULL) says whether it was
 * new. Charges growth; SL_ELIMIT once the query's budget is exhausted. */
int sl_qagg_set_add_u64(sl_qagg_set_t *s, uint64_t key, uint64_t h, bool *added, sl_qrt_t *rt);
int sl_qagg_set_add_text(sl_qagg_set_t *s,
                         const char *p,
                         size_t n,
                         uint64_t h,
                         bool *added,
                         sl_qrt_t *rt);
/* Value i (first-seen order) of a text set. */
static inline const char *sl_qagg_set_text(const sl_qagg_set_t *s, uint32_t i, size_t *len)
{
    const char *p = s->arena.data + s->keys[i];
    uint32_t n;
    memcpy(&n, p, 4);
    *len = n;
    return p + 4;
}
/* Adds every value of src to dst (in src's order). */
int sl_qagg_set_merge(sl_qagg_set_t *dst, const sl_qagg_set_t *src, sl_qrt_t *rt);

/* Lazily created set behind a state pointer; *slot NULL until first use. */
static inline int sl_qagg_set_get(sl_qagg_set_t **slot, bool text, sl_qrt_t *rt)
{
    return *slot ? 0 : sl_qagg_set_create(text, rt, slot);
}

/*
 * Merges the set behind *src into the one behind *dst: moves it when dst
 * has none, else adds its values. Credits what src still holds afterwards
 * (the caller disposes src).
 */
int sl_qagg_set_merge_into(sl_qagg_set_t **dst, sl_qagg_set_t **src, sl_qrt_t *rt);

/* ---- Entry points of the aggregates (listed in agg_reg.c) -------------- */

typedef int sl_qagg_bind_fn(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d);
typedef int sl_qagg_update_fn(const sl_qaggcall_t *call,
                              uint8_t *base,
                              size_t stride,
                              const uint32_t *gid,
                              sl_qvec_t *const *args,
                              size_t n,
                              sl_qrt_t *rt);
typedef int sl_qagg_merge_fn(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt);
typedef int sl_qagg_finish_fn(const sl_qaggcall_t *call,
                              void *state,
                              sl_qvec_t **outs,
                              sl_qrt_t *rt);
typedef void sl_qagg_dispose_fn(const sl_qaggcall_t *call, void *state);

/* agg_count.c */
sl_qagg_bind_fn sl_qagg_count_bind, sl_qagg_distinct_bind;
sl_qagg_update_fn sl_qagg_count_update, sl_qagg_countif_update, sl_qagg_distinct_update;
sl_qagg_merge_fn sl_qagg_count_merge, sl_qagg_distinct_merge;
sl_qagg_finish_fn sl_qagg_count_finish, sl_qagg_distinct_finish;
sl_qagg_dispose_fn sl_qagg_distinct_dispose;

/* agg_sum.c */
sl_qagg_bind_fn sl_qagg_sum_bind;
sl_qagg_update_fn sl_qagg_sum_update;
sl_qagg_merge_fn sl_qagg_sum_merge;
sl_qagg_finish_fn sl_qagg_sum_finish;

/* agg_arg.c: the row-selection engine behind arg_max, arg_min, take_any,
 * any and min/max of text values. Its state size is
 * sl_qagg_sel_state_size(nret); bind leaves call->bstate an sl_qagg_sel_t. */
size_t sl_qagg_sel_state_size(size_t nret);
sl_qagg_bind_fn sl_qagg_argmax_bind, sl_qagg_takeany_bind;
sl_qagg_update_fn sl_qagg_sel_update;
sl_qagg_merge_fn sl_qagg_sel_merge;
sl_qagg_finish_fn sl_qagg_sel_finish;
sl_qagg_dispose_fn sl_qagg_sel_dispose;

/* agg_minmax.c */
sl_qagg_bind_fn sl_qagg_minmax_bind;
sl_qagg_update_fn sl_qagg_minmax_update;
sl_qagg_merge_fn sl_qagg_minmax_merge;
sl_qagg_finish_fn sl_qagg_minmax_finish;
sl_qagg_dispose_fn sl_qagg_minmax_dispose;

/* agg_list.c */
sl_qagg_bind_fn sl_qagg_list_bind;
sl_qagg_update_fn sl_qagg_list_update;
sl_qagg_merge_fn sl_qagg_list_merge;
sl_qagg_finish_fn sl_qagg_list_finish;
sl_qagg_dispose_fn sl_qagg_list_dispose;

/* agg_pct.c */
sl_qagg_bind_fn sl_qagg_pct_bind;
sl_qagg_update_fn sl_qagg_pct_update;
sl_qagg_merge_fn sl_qagg_pct_merge;
sl_qagg_finish_fn sl_qagg_pct_finish;
sl_qagg_dispose_fn sl_qagg_pct_dispose;

/* ---- Compact JSON ------------------------------------------------------- */

/* End of the compact JSON value starting at s[i] (i < n). */
size_t sl_qagg_json_skip(const char *s, size_t n, size_t i);
/*
 * Iterates the elements of a compact JSON array s[0..n) (s[0] == '['):
 * starting with *pos = 1, each call sets *v and *vn to the next element and
 * returns true, or returns false at the end. A bare comma-separated list
 * (no brackets) may be walked from *pos = 0.
 */
bool sl_qagg_json_next(const char *s, size_t n, size_t *pos, const char **v, size_t *vn);

#endif /* SL_QUERY_AGG_INT_H */
