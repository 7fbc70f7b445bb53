/*
 * Required literals of a regular expression, for the matches_regex
 * prefilter.
 *
 * `where Msg matches regex "Failed password for invalid user \w+ from ..."`
 * can only match rows containing "Failed password for invalid user ". A
 * whole-column substring scan (several GB/s) finds those rows, and the
 * regex runs on them alone. PCRE2 itself only exploits a first code unit
 * and one "last required" code unit, which on log text rejects little.
 *
 * The analysis is deliberately conservative — whatever it reports must
 * occur in every match; when in doubt it reports nothing:
 *   - leading flag groups `(?i)`, `(?ims)` are read (i makes the literals
 *     case-insensitive); a flag group anywhere else, `(?x)`, `\Q..\E`, an
 *     unbalanced `)` or a `{` that is not a quantifier give up;
 *   - a pattern that is an alternation of plain literals, bare or in one
 *     group (`(?i)(exception|fatal|panic)`), yields those literals: some
 *     one of them must occur;
 *   - otherwise, with no top-level `|`, the top-level sequence is walked:
 *     runs of literal characters (escaped punctuation included) are
 *     collected, a quantifier that allows zero repetitions removes its
 *     atom from the run, `+` / `{n,}` keep it but end the run, and any
 *     group, class, escape class, `.` or anchor ends the run. The longest
 *     run wins.
 * Literals shorter than 3 bytes are not worth a scan and are dropped,
 * unless the pattern is nothing but literals (`exact`): then a row matches
 * exactly when it contains one of them, and the regex need not run at all.
 *
 * Case-insensitive patterns: PCRE2 (like RE2) folds case by Unicode rules
 * while our scans fold ASCII only. Non-ASCII characters therefore end a
 * case-insensitive run. Two ASCII letters have non-ASCII partners under
 * Unicode folding: 'k' (KELVIN SIGN U+212A) and 's' (LONG S U+017F); a
 * case-insensitive literal holding either sets `nonascii`: rows with any
 * byte >= 0x80 must then be left to the regex whatever the scan says.
 */
#include "query/fn_text_int.h"

#include <string.h>

#define MIN_LIT 3

typedef struct walk {
    const char *p;
    size_t n, i;
    bool ci;
    bool pure; /* nothing but literal atoms so far */
    sl_buf_t run, best;
    size_t last_atom; /* start of the last atom in `run` */
    bool have_atom;   /* the last thing read was a literal atom in `run` */
} walk_t;

static bool is_alnum(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26 || (unsigned char)(c - '0') < 10;
}

static void end_run(walk_t *w)
{
    if (w->run.len > w->best.len) {
        sl_buf_reset(&w->best);
        sl_buf_append(&w->best, w->run.data, w->run.len);
    }
    sl_buf_reset(&w->run);
    w->have_atom = false;
}

static void add_atom(walk_t *w, const char *s, size_t len)
{
    if (w->ci && (unsigned char)s[0] >= 0x80) {
        end_run(w); /* Unicode case folding: not for an ASCII scan */
        w->pure = false;
        return;
    }
    w->last_atom = w->run.len;
    sl_buf_append(&w->run, s, len);
    w->have_atom = true;
}

/* Index just past the class starting at p[i] == '['; 0 if unterminated. */
static size_t skip_class(const char *p, size_t n, size_t i)
{
    i++;
    if (i < n && p[i] == '^') {
        i++;
    }
    if (i < n && p[i] == ']') {
        i++; /* a leading ']' is literal */
    }
    while (i < n) {
        if (p[i] == '\\') {
            i += 2;
            continue;
        }
        if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
            const char *e = memmem(p + i + 2, n - i - 2, ":]", 2);
            if (!e) {
                return 0;
            }
            i = (size_t)(e - p) + 2;
            continue;
        }
        if (p[i] == ']') {
            return i + 1;
        }
        i++;
    }
    return 0;
}

/* Index just past the group starting at p[i] == '('; 0 if unbalanced or if
 * it is a flag group that changes the rest of the pattern. */
static size_t skip_group(const char *p, size_t n, size_t i)
{
    if (i + 1 < n && p[i + 1] == '?') {
        /* (?flags) with no ':' applies to what follows: give up. */
        size_t k = i + 2;
        while (k < n && (is_alnum((unsigned char)p[k]) || p[k] == '-' || p[k] == '^')) {
            k++;
        }
        if (k < n && p[k] == ')' && k > i + 2) {
            return 0;
        }
    }
    int depth = 0;
    while (i < n) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 < n && (p[i + 1] == 'Q' || p[i + 1] == 'E')) {
                return 0;
            }
            i += 2;
            continue;
        }
        if (c == '[') {
            i = skip_class(p, n, i);
            if (!i) {
                return 0;
            }
            continue;
        }
        if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            return i + 1;
        }
        i++;
    }
    return 0;
}

/* Parses a quantifier at p[i]: returns its length (0 if none) and whether
 * it allows zero repetitions; -1 for a `{` PCRE2 might read differently. */
static ptrdiff_t quantifier(const char *p, size_t n, size_t i, bool *zero)
{
    if (i >= n) {
        return 0;
    }
    size_t k = i;
    if (p[k] == '*' || p[k] == '?') {
        *zero = true;
        k++;
    } else if (p[k] == '+') {
        *zero = false;
        k++;
    } else if (p[k] == '{') {
        size_t d = k + 1;
        size_t lo = 0;
        bool digits = false;
        while (d < n && p[d] >= '0' && p[d] <= '9') {
            lo = lo * 10 + (size_t)(p[d] - '0');
            digits = true;
            d++;
            if (lo > 100000) {
                return -1;
            }
        }
        if (!digits) {
            return -1;
        }
        if (d < n && p[d] == ',') {
            d++;
            while (d < n && p[d] >= '0' && p[d] <= '9') {
                d++;
            }
        }
        if (d >= n || p[d] != '}') {
            return -1;
        }
        *zero = lo == 0;
        k = d + 1;
    } else {
        return 0;
    }
    if (k < n && (p[k] == '?' || p[k] == '+')) {
        k++; /* lazy or possessive */
    }
    return (ptrdiff_t)(k - i);
}

/* Leading (?flags) groups. False if one of them is not understood. */
static bool leading_flags(walk_t *w)
{
    while (w->i + 2 < w->n && w->p[w->i] == '(' && w->p[w->i + 1] == '?') {
        size_t k = w->i + 2;
        bool ci = w->ci;
        while (k < w->n && w->p[k] && strchr("imsU", w->p[k])) {
            ci |= w->p[k] == 'i';
            k++;
        }
        if (k >= w->n || w->p[k] != ')' || k == w->i + 2) {
            /* (?:...), (?P<n>...), lookarounds: not a flag group. */
            return k < w->n && (w->p[k] == ':' || k == w->i + 2);
        }
        w->ci = ci;
        w->i = k + 1;
    }
    return true;
}

/* The pattern (from w->i) as an alternation of plain literals, bare or in
 * one group. */
static bool literal_alts(walk_t *w, sl_pool_t *pool, sl_qrelit_t *out)
{
    const char *p = w->p + w->i;
    size_t n = w->n - w->i;
    if (n >= 2 && p[0] == '(' && p[n - 1] == ')') {
        size_t end = skip_group(p, n, 0);
        if (end != n) {
            return false;
        }
        p++;
        n -= 2;
        if (n >= 2 && p[0] == '?' && p[1] == ':') {
            p += 2;
            n -= 2;
        } else if (n && p[0] == '?') {
            return false; /* a named group or lookaround: keep it simple */
        }
    }
    sl_buf_t lit = SL_BUF_INIT;
    size_t nalts = 0;
    bool ok = true;
    for (size_t i = 0; ok && i <= n; i++) {
        if (i == n || p[i] == '|') {
            if (lit.len == 0 || nalts == SL_QRELIT_MAX_ALTS) {
                ok = false;
                break;
            }
            out->alt[nalts] = sl_pool_strndup(pool, lit.data, lit.len);
            out->altn[nalts] = lit.len;
            nalts++;
            sl_buf_reset(&lit);
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (c == '\\' && i + 1 < n && !is_alnum((unsigned char)p[i + 1]) &&
            (unsigned char)p[i + 1] < 0x80) {
            c = (unsigned char)p[++i];
        } else if (strchr(".^$[](){}*+?\\", c)) {
            ok = false;
            break;
        }
        if (w->ci && c >= 0x80) {
            ok = false;
            break;
        }
        sl_buf_putc(&lit, (char)c);
    }
    sl_buf_dispose(&lit);
    if (!ok || nalts < 2) {
        return false;
    }
    out->nalts = nalts;
    out->exact = true;
    return true;
}

/* Walks the top-level sequence. False to give up. */
static bool sequence(walk_t *w)
{
    const char *p = w->p;
    size_t n = w->n;
    while (w->i < n) {
        size_t i = w->i;
        unsigned char c = (unsigned char)p[i];
        bool zero;
        ptrdiff_t q;
        switch (c) {
        case '|':
        case ')':
            return false;
        case '(': {
            size_t e = skip_group(p, n, i);
            if (!e) {
                return false;
            }
            w->pure = false;
            end_run(w);
            w->i = e;
            break;
        }
        case '[': {
            size_t e = skip_class(p, n, i);
            if (!e) {
                return false;
            }
            w->pure = false;
            end_run(w);
            w->i = e;
            break;
        }
        case '.':
        case '^':
        case '$':
            w->pure = false;
            end_run(w);
            w->i++;
            break;
        case '*':
        case '+':
        case '?':
        case '{':
            q = quantifier(p, n, i, &zero);
            if (q <= 0) {
                return false;
            }
            w->pure = false;
            if (w->have_atom) {
                if (zero) {
                    w->run.len = w->last_atom; /* the atom may be absent */
                }
                end_run(w);
            }
            w->i += (size_t)q;
            break;
        case '\\':
            if (i + 1 >= n) {
                return false;
            }
            if (p[i + 1] == 'Q' || p[i + 1] == 'E') {
                return false;
            }
            if (is_alnum((unsigned char)p[i + 1]) || (unsigned char)p[i + 1] >= 0x80) {
                w->pure = false;
                end_run(w); /* \d, \w, \b, \x41, \n ... */
                w->i += 2;
            } else {
                add_atom(w, p + i + 1, 1);
                w->i += 2;
            }
            break;
        default: {
            size_t len = c < 0x80 ? 1 : sl_qutf8_char_len(p + i, n - i);
            add_atom(w, p + i, len);
            w->i += len;
            break;
        }
        }
    }
    end_run(w);
    return true;
}

void sl_qrelit_analyse(sl_pool_t *pool, const char *pat, size_t n, bool icase, sl_qrelit_t *out)
{
    memset(out, 0, sizeof *out);
    walk_t w = { .p = pat, .n = n, .ci = icase };
    if (!leading_flags(&w)) {
        return;
    }
    out->cs = !w.ci;
    w.pure = true;
    if (!literal_alts(&w, pool, out)) {
        memset(out->alt, 0, sizeof out->alt);
        out->nalts = 0;
        out->exact = false;
        if (sequence(&w) && w.best.len && (w.pure || w.best.len >= MIN_LIT)) {
            out->alt[0] = sl_pool_strndup(pool, w.best.data, w.best.len);
            out->altn[0] = w.best.len;
            out->nalts = 1;
            out->exact = w.pure;
        }
    }
    for (size_t k = 0; k < out->nalts && !out->cs; k++) {
        for (size_t i = 0; i < out->altn[k]; i++) {
            char c = (char)sl_qstr_lower1((unsigned char)out->alt[k][i]);
            out->nonascii |= c == 'k' || c == 's';
        }
    }
    sl_buf_dispose(&w.run);
    sl_buf_dispose(&w.best);
}
