/*
 * Dynamic-building aggregates: make_set, make_set_if, make_list,
 * make_list_if, make_bag, make_bag_if, and the legacy makeset/makelist.
 *
 * Semantics (KQL docs):
 *   make_set(expr [, maxSize]) — the distinct values of expr as a dynamic
 *   array. A dynamic array value contributes its elements (the docs' "Set
 *   from array column" example: rows ['A1','A2'] and ['A2','C1'] give
 *   ["A1","A2","C1"]); any other value contributes itself.
 *   make_list(expr [, maxSize]) — every value, in arrival order; values
 *   are kept whole (a dynamic array becomes one nested element), the way
 *   make_list(pack_array(a, b)) is used to build lists of pairs.
 *   make_bag(expr [, maxSize]) — the members of every property bag value
 *   merged into one bag; values that are not bags are skipped; a key seen
 *   again keeps its first value (the docs: "an arbitrary value").
 *   The *_if forms take a predicate second; maxSize comes after it.
 *   maxSize is a constant integer; default and cap 1048576 (128 for the
 *   legacy makeset/makelist); a set or bag stops taking new members, a
 *   list new elements, once full.
 *
 * Nulls are skipped: null fixed-width values, "" guid/dynamic cells, JSON
 * null values, and null elements of an array fed to make_set. Strings are
 * never null, so "" is a value. A group without values gives [] (make_set,
 * make_list: the summarize page's default-value table) and {} for
 * make_bag: the table puts make_bag in the "[]" row, but an empty property
 * bag is what the function otherwise returns and what bag_unpack expects;
 * we choose {} deliberately.
 *
 * Elements are rendered by sl_qvec_json (numbers, quoted strings,
 * datetimes and timespans as strings, dynamic values as stored). Set
 * members keep first-seen order, so partials merge deterministically.
 *
 * Names: make_set/make_set_if/makeset → set_x, make_list/make_list_if/
 * makelist → list_x, make_bag/make_bag_if → bag_x (the docs' examples
 * show set_x, list_x; x is the first argument's inferred name).
 *
 * State: make_list keeps its elements inline as JSON text joined by
 * commas (32 bytes of state plus the text); make_set and make_bag keep a
 * pointer to an exact set (agg_set.c) made on first use.
 */
#include "query/agg_int.h"

enum { L_SET, L_LIST, L_BAG };

typedef struct lbind {
    int kind;
    size_t pred; /* argument index of the predicate, 0 if none */
    uint32_t max;
} lbind_t;

typedef struct list_st {
    sl_buf_t json; /* elements, comma-separated, no brackets */
    uint32_t n;
    uint32_t pad;
} list_st_t;

typedef struct bag {
    sl_qagg_set_t *keys; /* quoted JSON keys, first-seen order */
    sl_buf_t vals;       /* value texts */
    size_t *vspan;       /* per key: offset, length in vals */
    uint32_t vcap;
} bag_t;

int sl_qagg_list_bind(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d)
{
    const char *name = call->agg->name;
    lbind_t *lb = sl_pool_calloc(sl_qbind_pool(b), sizeof *lb);
    bool legacy = strcmp(name, "makeset") == 0 || strcmp(name, "makelist") == 0;
    bool pred = strstr(name, "_if") != NULL;
    const char *prefix;
    if (strstr(name, "set")) {
        lb->kind = L_SET;
        prefix = "set_";
    } else if (strstr(name, "list")) {
        lb->kind = L_LIST;
        prefix = "list_";
    } else {
        lb->kind = L_BAG;
        prefix = "bag_";
    }
    int rc;
    if (lb->kind == L_BAG && call->args[0]->type != SL_TYPE_DYNAMIC) {
        return sl_qagg_arg_error(d, call, 0, "a dynamic property bag");
    }
    if (pred && (rc = sl_qagg_check_pred(call, 1, d)) != 0) {
        return rc;
    }
    lb->pred = pred ? 1 : 0;
    rc = sl_qagg_max_size(
      call, pred ? 2 : 1, legacy ? SL_QAGG_LEGACY_MAX_SIZE : SL_QAGG_MAX_SIZE, &lb->max, d);
    if (rc) {
        return rc;
    }
    sl_qagg_outs(b, call, 1);
    call->out_types[0] = SL_TYPE_DYNAMIC;
    call->out_names[0] = sl_qagg_name(b, prefix, call->argname);
    call->bstate = lb;
    call->state_size = lb->kind == L_LIST ? sizeof(list_st_t) : sizeof(void *);
    return 0;
}

/* A dynamic value that counts as null: "" or JSON null. */
static bool dyn_null(const char *s, size_t n)
{
    return n == 0 || (s[0] == 'n' && n == 4);
}

/* ---- make_set ----------------------------------------------------------- */

static int set_add_text(sl_qagg_set_t *s, const char *p, size_t n, uint32_t max, sl_qrt_t *rt)
{
    if (s->n >= max) {
        return 0;
    }
    return sl_qagg_set_add_text(s, p, n, sl_qagg_hash_bytes(p, n), NULL, rt);
}

static int set_row(sl_qagg_set_t **slot,
                   const sl_qagg_rd_t *v,
                   size_t r,
                   uint32_t max,
                   sl_qrt_t *rt)
{
    bool text = sl_type_is_text(v->type);
    int rc = sl_qagg_set_get(slot, text, rt);
    if (rc) {
        return rc;
    }
    sl_qagg_set_t *s = *slot;
    if (!text) {
        if (s->n >= max) {
            return 0;
        }
        uint64_t key =
          v->type == SL_TYPE_REAL ? sl_qagg_real_key(sl_qagg_rd_f64(v, r)) : sl_qagg_rd_bits(v, r);
        return sl_qagg_set_add_u64(s, key, sl_qagg_hash_u64(key), NULL, rt);
    }
    size_t n;
    const char *p = sl_qagg_rd_text(v, r, &n);
    if (v->type != SL_TYPE_DYNAMIC || p[0] != '[') {
        return set_add_text(s, p, n, max, rt);
    }
    /* An array contributes its elements. */
    size_t pos = 1, en;
    const char *e;
    while (sl_qagg_json_next(p, n, &pos, &e, &en)) {
        if (!dyn_null(e, en) && (rc = set_add_text(s, e, en, max, rt)) != 0) {
            return rc;
        }
    }
    return 0;
}

/* Renders a set as a JSON array. */
static void set_json(const sl_qagg_set_t *s, sl_type_t t, sl_buf_t *out)
{
    sl_buf_putc(out, '[');
    for (uint32_t i = 0; s && i < s->n; i++) {
        if (i) {
            sl_buf_putc(out, ',');
        }
        if (!s->text) {
            sl_qagg_json_bits(t, s->keys[i], out);
            continue;
        }
        size_t n;
        const char *p = sl_qagg_set_text(s, i, &n);
        if (t == SL_TYPE_DYNAMIC) {
            sl_buf_append(out, p, n);
        } else {
            sl_qdyn_quote(p, n, out);
        }
    }
    sl_buf_putc(out, ']');
}

/* ---- make_bag ----------------------------------------------------------- */

static size_t bag_bytes(const bag_t *g)
{
    if (!g) {
        return 0;
    }
    return sizeof *g + sl_qagg_set_bytes(g->keys) + g->vals.cap +
           (size_t)g->vcap * 2 * sizeof(size_t);
}

static void bag_destroy(bag_t *g)
{
    if (!g) {
        return;
    }
    sl_qagg_set_destroy(g->keys);
    sl_buf_dispose(&g->vals);
    sl_free(g->vspan);
    sl_free(g);
}

/* Adds member key → val unless the key is present or the bag is full. */
static int
bag_put(bag_t *g, const char *k, size_t kn, const char *v, size_t vn, uint32_t max, sl_qrt_t *rt)
{
    bool added;
    if (g->keys->n >= max) {
        return 0;
    }
    int rc = sl_qagg_set_add_text(g->keys, k, kn, sl_qagg_hash_bytes(k, kn), &added, rt);
    if (rc || !added) {
        return rc;
    }
    uint32_t i = g->keys->n - 1;
    if (i >= g->vcap) {
        uint32_t cap = g->vcap ? g->vcap * 2 : 4;
        rc = sl_qrt_charge(rt, (int64_t)((size_t)(cap - g->vcap) * 2 * sizeof(size_t)));
        if (rc) {
            /* The query fails with this; the bag only has to stay
             * disposable, and bag_json is never called on it. */
            return rc;
        }
        g->vspan = sl_xrealloc(g->vspan, (size_t)cap * 2 * sizeof(size_t));
        g->vcap = cap;
    }
    g->vspan[2 * i] = g->vals.len;
    g->vspan[2 * i + 1] = vn;
    return sl_qagg_buf_append(&g->vals, v, vn, rt);
}

static int bag_row(bag_t **slot, const char *s, size_t n, uint32_t max, sl_qrt_t *rt)
{
    if (!n || s[0] != '{') {
        return 0; /* not a property bag: skipped */
    }
    int rc;
    if (!*slot) {
        rc = sl_qrt_charge(rt, sizeof(bag_t));
        if (rc) {
            return rc;
        }
        *slot = sl_xcalloc(1, sizeof(bag_t));
    }
    bag_t *g = *slot;
    if (!g->keys && (rc = sl_qagg_set_create(true, rt, &g->keys)) != 0) {
        return rc;
    }
    size_t i = 1;
    while (i < n && s[i] != '}') {
        if (s[i] == ',') {
            i++;
        }
        size_t ke = sl_qagg_json_skip(s, n, i);
        if (ke >= n || s[ke] != ':') {
            break;
        }
        size_t vs = ke + 1, ve = sl_qagg_json_skip(s, n, vs);
        if ((rc = bag_put(g, s + i, ke - i, s + vs, ve - vs, max, rt)) != 0) {
            return rc;
        }
        i = ve;
    }
    return 0;
}

static void bag_json(const bag_t *g, sl_buf_t *out)
{
    sl_buf_putc(out, '{');
    for (uint32_t i = 0; g && g->keys && i < g->keys->n; i++) {
        size_t kn;
        const char *k = sl_qagg_set_text(g->keys, i, &kn);
        if (i) {
            sl_buf_putc(out, ',');
        }
        sl_buf_append(out, k, kn);
        sl_buf_putc(out, ':');
        sl_buf_append(out, g->vals.data + g->vspan[2 * i], g->vspan[2 * i + 1]);
    }
    sl_buf_putc(out, '}');
}

/* ---- Update ------------------------------------------------------------- */

int sl_qagg_list_update(const sl_qaggcall_t *call,
                        uint8_t *base,
                        size_t stride,
                        const uint32_t *gid,
                        sl_qvec_t *const *args,
                        size_t n,
                        sl_qrt_t *rt)
{
    const lbind_t *lb = call->bstate;
    sl_qagg_rd_t v, p;
    memset(&p, 0, sizeof p);
    sl_qagg_rd_init(&v, args[0]);
    if (lb->pred) {
        sl_qagg_rd_init(&p, args[lb->pred]);
    }
    bool dyn = v.type == SL_TYPE_DYNAMIC;
    for (size_t r = 0; r < n; r++) {
        if ((lb->pred && !sl_qagg_rd_true(&p, r)) || sl_qagg_rd_is_null(&v, r)) {
            continue;
        }
        void *st = SL_QAGG_ST(call, base, stride, gid[r]);
        size_t len = 0;
        const char *s = dyn ? sl_qagg_rd_text(&v, r, &len) : NULL;
        if (dyn && dyn_null(s, len)) {
            continue;
        }
        int rc = 0;
        switch (lb->kind) {
        case L_SET:
            rc = set_row(st, &v, r, lb->max, rt);
            break;
        case L_BAG:
            rc = bag_row(st, s, len, lb->max, rt);
            break;
        default: {
            list_st_t *l = st;
            if (l->n >= lb->max) {
                break;
            }
            sl_buf_reset(&rt->scratch);
            if (l->n) {
                sl_buf_putc(&rt->scratch, ',');
            }
            sl_qvec_json(args[0], r, &rt->scratch);
            rc = sl_qagg_buf_append(&l->json, rt->scratch.data, rt->scratch.len, rt);
            l->n += rc == 0;
            break;
        }
        }
        if (rc) {
            return rc;
        }
    }
    return 0;
}

/* ---- Merge, finish, dispose --------------------------------------------- */

static size_t list_bytes(const sl_qaggcall_t *call, void *state)
{
    const lbind_t *lb = call->bstate;
    switch (lb->kind) {
    case L_SET:
        return sl_qagg_set_bytes(*(sl_qagg_set_t **)state);
    case L_BAG:
        return bag_bytes(*(bag_t **)state);
    default:
        return ((list_st_t *)state)->json.cap;
    }
}

static int list_merge(const lbind_t *lb, list_st_t *a, list_st_t *b, sl_qrt_t *rt)
{
    if (!b->n) {
        return 0;
    }
    if (!a->n) {
        list_st_t t = *a;
        *a = *b;
        *b = t;
        return 0;
    }
    if (a->n >= lb->max) {
        return 0;
    }
    /* Take b's elements up to the limit: all of them when they fit. */
    size_t take = b->json.len;
    uint32_t k = b->n;
    if ((uint64_t)a->n + b->n > lb->max) {
        size_t pos = 0, en;
        const char *e;
        k = 0;
        while (a->n + k < lb->max && sl_qagg_json_next(b->json.data, b->json.len, &pos, &e, &en)) {
            k++;
        }
        take = pos;
    }
    int rc = sl_qagg_buf_append(&a->json, ",", 1, rt);
    if (!rc) {
        rc = sl_qagg_buf_append(&a->json, b->json.data, take, rt);
    }
    if (!rc) {
        a->n += k;
    }
    return rc;
}

static int bag_merge(const lbind_t *lb, bag_t **a, bag_t **b, sl_qrt_t *rt)
{
    if (!*b) {
        return 0;
    }
    if (!*a) {
        *a = *b;
        *b = NULL;
        return 0;
    }
    bag_t *g = *b;
    for (uint32_t i = 0; g->keys && i < g->keys->n; i++) {
        size_t kn;
        const char *k = sl_qagg_set_text(g->keys, i, &kn);
        if (!(*a)->keys) {
            int rc = sl_qagg_set_create(true, rt, &(*a)->keys);
            if (rc) {
                return rc;
            }
        }
        int rc =
          bag_put(*a, k, kn, g->vals.data + g->vspan[2 * i], g->vspan[2 * i + 1], lb->max, rt);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int sl_qagg_list_merge(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt)
{
    const lbind_t *lb = call->bstate;
    int rc;
    switch (lb->kind) {
    case L_SET: {
        sl_qagg_set_t **a = dst, **b = src;
        if (*a && *b && (*a)->n + (uint64_t)(*b)->n > lb->max) {
            /* Only as many new members as fit. */
            rc = 0;
            for (uint32_t i = 0; i < (*b)->n && (*a)->n < lb->max && !rc; i++) {
                if ((*b)->text) {
                    size_t n;
                    const char *p = sl_qagg_set_text(*b, i, &n);
                    rc = sl_qagg_set_add_text(*a, p, n, (*b)->hashes[i], NULL, rt);
                } else {
                    rc = sl_qagg_set_add_u64(*a, (*b)->keys[i], (*b)->hashes[i], NULL, rt);
                }
            }
            break;
        }
        return sl_qagg_set_merge_into(a, b, rt);
    }
    case L_BAG:
        rc = bag_merge(lb, dst, src, rt);
        break;
    default:
        rc = list_merge(lb, dst, src, rt);
        break;
    }
    sl_qrt_charge(rt, -(int64_t)list_bytes(call, src));
    return rc;
}

int sl_qagg_list_finish(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt)
{
    const lbind_t *lb = call->bstate;
    sl_buf_t *out = &rt->scratch;
    sl_buf_reset(out);
    switch (lb->kind) {
    case L_SET:
        set_json(*(sl_qagg_set_t **)state, call->args[0]->type, out);
        break;
    case L_BAG:
        bag_json(*(bag_t **)state, out);
        break;
    default: {
        const list_st_t *l = state;
        sl_buf_putc(out, '[');
        sl_buf_append(out, l->json.data, l->json.len);
        sl_buf_putc(out, ']');
        break;
    }
    }
    sl_qvec_push_text(outs[0], out->data, out->len);
    sl_buf_reset(out);
    sl_qrt_charge(rt, -(int64_t)list_bytes(call, state));
    return 0;
}

void sl_qagg_list_dispose(const sl_qaggcall_t *call, void *state)
{
    const lbind_t *lb = call->bstate;
    switch (lb->kind) {
    case L_SET:
        sl_qagg_set_destroy(*(sl_qagg_set_t **)state);
        *(sl_qagg_set_t **)state = NULL;
        break;
    case L_BAG:
        bag_destroy(*(bag_t **)state);
        *(bag_t **)state = NULL;
        break;
    default:
        sl_buf_dispose(&((list_st_t *)state)->json);
        break;
    }
}
