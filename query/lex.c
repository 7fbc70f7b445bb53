/*
 * The KQL lexer: text in, an array of tokens out.
 *
 * The whole request is tokenised up front (queries are small, and a token
 * array makes the parser's look-ahead and back-tracking trivial). A lexical
 * error does not stop anything by itself: it becomes an ERROR token at that
 * place and ends the array, so the parser reports whichever error comes first
 * in the text — a syntax error before a bad string wins, as a reader expects.
 *
 * Decisions that follow Kql.g4 / KqlTokens.g4 (see docs/KQL-PARSER.md):
 *  - Keywords are case-sensitive words. Multi-part keywords are single
 *    tokens: `project-away` (only for the known hyphenated keywords, so `a-b`
 *    stays a subtraction), `!has` and the other negated operators (no space
 *    after `!`), `in~`, and `matches regex` (any whitespace between). The
 *    operator hints of Kql.g4 (`hint.strategy`, `hint.shufflekey` ...) are one
 *    name token; any other `hint.x` stays a path that the parser's parameter
 *    rule still accepts.
 *  - A number immediately followed by a timespan unit is a timespan (`1d`,
 *    `2.5h`, `30min`, `100ms`, `10microseconds`, `1tick`); digits followed by
 *    any other word form an identifier (`3Dchart`); `5 min` is a number and a
 *    name. Units are lower-case, as in the reference grammar.
 *  - `1..5` is 1, `..`, 5: a dot only starts a fraction when no second dot
 *    follows, which `between (1..5)` depends on.
 *  - datetime/time/timespan/guid/uuid/uniqueid/int/int32/long/int64/real/
 *    double/decimal/bool/typeof immediately followed by `(` are one TYPED
 *    token whose body runs to the first `)`; dynamic(...) is TYPED too, with
 *    a body balanced over brackets and strings (it nests). Bodies are decoded
 *    by the parser, so a bad literal is reported as a syntax error.
 *  - Whitespace is the KqlTokens.g4 set (ASCII blanks, U+00A0, U+1680,
 *    U+180E, U+2000..U+200B, U+202F, U+205F, U+3000, U+FEFF) plus the line
 *    separators U+2028/U+2029 that end a comment.
 */
#include "query/query_int.h"

#include <stdlib.h>
#include <string.h>

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

static bool is_xdigit(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Byte at s[i], or 0 past the end (NUL is never a valid token start). */
static int at(const sl_query__lexer_t *lx, size_t i)
{
    return i < lx->n ? lx->s[i] : 0;
}

void sl_query__lex_adv(sl_query__lexer_t *lx, size_t k)
{
    while (k-- > 0 && lx->i < lx->n) {
        unsigned char c = lx->s[lx->i++];
        if (c == '\n') {
            lx->line++;
            lx->col = 1;
        } else if (c == '\r') {
            /* "\r\n" ends one line, at the '\n'; a lone '\r' ends one too. */
            if (lx->i >= lx->n || lx->s[lx->i] != '\n') {
                lx->line++;
                lx->col = 1;
            }
        } else if ((c & 0xC0) != 0x80) {
            lx->col++; /* count code points, not bytes */
        }
    }
}

sl_query_pos_t sl_query__lex_pos(const sl_query__lexer_t *lx)
{
    sl_query_pos_t p = { (uint32_t)(lx->base_off + lx->i), 0, lx->line, lx->col };
    return p;
}

size_t sl_query__lex_ws(const sl_query__lexer_t *lx, size_t i)
{
    int c = at(lx, i);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
        return 1;
    }
    if (c < 0x80 || i + 1 >= lx->n) {
        return 0;
    }
    int c1 = at(lx, i + 1), c2 = at(lx, i + 2);
    if (c == 0xC2 && c1 == 0xA0) {
        return 2; /* U+00A0 no-break space */
    }
    if (i + 2 >= lx->n) {
        return 0;
    }
    if ((c == 0xE1 && c1 == 0x9A && c2 == 0x80) ||                 /* U+1680 */
        (c == 0xE1 && c1 == 0xA0 && c2 == 0x8E) ||                 /* U+180E */
        (c == 0xE2 && c1 == 0x80 && c2 >= 0x80 && c2 <= 0x8B) ||   /* U+2000..U+200B */
        (c == 0xE2 && c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9)) || /* U+2028, U+2029 */
        (c == 0xE2 && c1 == 0x80 && c2 == 0xAF) ||                 /* U+202F */
        (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) ||                 /* U+205F */
        (c == 0xE3 && c1 == 0x80 && c2 == 0x80) ||                 /* U+3000 */
        (c == 0xEF && c1 == 0xBB && c2 == 0xBF)) {                 /* U+FEFF */
        return 3;
    }
    return 0;
}

void sl_query__lex_trivia(sl_query__lexer_t *lx)
{
    for (;;) {
        size_t w = sl_query__lex_ws(lx, lx->i);
        if (w) {
            sl_query__lex_adv(lx, w);
            continue;
        }
        if (at(lx, lx->i) == '/' && at(lx, lx->i + 1) == '/') {
            size_t j = lx->i + 2;
            while (j < lx->n && lx->s[j] != '\n' && lx->s[j] != '\r' &&
                   !(lx->s[j] == 0xE2 && at(lx, j + 1) == 0x80 &&
                     (at(lx, j + 2) == 0xA8 || at(lx, j + 2) == 0xA9))) {
                j++;
            }
            sl_query__lex_adv(lx, j - lx->i);
            continue;
        }
        return;
    }
}

/* The word types that form typed-literal tokens when `(` follows at once. */
static sl_query_type_t typed_literal_type(const unsigned char *w, size_t n, bool *is_typeof)
{
    static const struct {
        const char *name;
        sl_query_type_t type;
    } words[] = {
        { "datetime", SL_QUERY_TY_DATETIME }, { "time", SL_QUERY_TY_TIMESPAN },
        { "timespan", SL_QUERY_TY_TIMESPAN }, { "guid", SL_QUERY_TY_GUID },
        { "uuid", SL_QUERY_TY_GUID },         { "uniqueid", SL_QUERY_TY_GUID },
        { "int", SL_QUERY_TY_INT },           { "int32", SL_QUERY_TY_INT },
        { "long", SL_QUERY_TY_LONG },         { "int64", SL_QUERY_TY_LONG },
        { "real", SL_QUERY_TY_REAL },         { "double", SL_QUERY_TY_REAL },
        { "decimal", SL_QUERY_TY_DECIMAL },   { "bool", SL_QUERY_TY_BOOL },
        { "dynamic", SL_QUERY_TY_DYNAMIC },   { "typeof", SL_QUERY_TY_TYPE },
    };
    *is_typeof = false;
    for (size_t k = 0; k < SL_ARRAY_SIZE(words); k++) {
        if (strlen(words[k].name) == n && memcmp(words[k].name, w, n) == 0) {
            *is_typeof = words[k].type == SL_QUERY_TY_TYPE;
            return words[k].type;
        }
    }
    return SL_QUERY_TY_NONE;
}

void sl_query__lex_error(sl_query__lexer_t *lx, sl_query_tok_t *tok, size_t end, const char *msg)
{
    tok->kind = SL_QUERY_T_ERROR;
    tok->v.err = msg;
    /* Report from the token start to `end`, within its first line. */
    size_t start = tok->pos.off - lx->base_off;
    size_t stop = start;
    while (stop < end && stop < lx->n && lx->s[stop] != '\n' && lx->s[stop] != '\r') {
        stop++;
    }
    if (stop == start && start < lx->n) {
        stop = start + 1;
    }
    tok->pos.len = (uint32_t)(stop - start);
}

/* Skips a string literal inside a dynamic(...) body so that brackets in it
 * do not count. Returns the index after it, or 0 if it is unterminated. */
static size_t skip_string(const sl_query__lexer_t *lx, size_t i)
{
    size_t open = sl_query__lex_string_start(lx, i);
    if (!open) {
        return i + 1;
    }
    unsigned char q = lx->s[i + open - 1];
    bool multi = open >= 3 && (q == '`' || q == '~');
    bool verbatim = !multi && open >= 2 && lx->s[i + open - 2] == '@';
    size_t j = i + open;
    while (j < lx->n) {
        unsigned char c = lx->s[j];
        if (multi) {
            if (c == q && at(lx, j + 1) == q && at(lx, j + 2) == q) {
                return j + 3;
            }
        } else if (c == '\n' || c == '\r') {
            return 0;
        } else if (c == '\\' && !verbatim) {
            j++;
        } else if (c == q) {
            if (verbatim && at(lx, j + 1) == q) {
                j++;
            } else {
                return j + 1;
            }
        }
        j++;
    }
    return 0;
}

/* Lexes `word(` ... `)` as a TYPED token; lx->i is at the '('. */
static void lex_typed(sl_query__lexer_t *lx, sl_query_tok_t *tok, sl_query_type_t type)
{
    size_t open = lx->i, j = open + 1;
    if (type == SL_QUERY_TY_DYNAMIC) {
        int depth = 1; /* an int suffices: it only counts, never recurses */
        while (j < lx->n && depth > 0) {
            unsigned char c = lx->s[j];
            if (c == '(' || c == '[' || c == '{') {
                depth++;
                j++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                j++;
            } else if (c == '/' && at(lx, j + 1) == '/') {
                while (j < lx->n && lx->s[j] != '\n' && lx->s[j] != '\r') {
                    j++;
                }
            } else if (!is_word(at(lx, j - 1)) && sl_query__lex_string_start(lx, j)) {
                size_t e = skip_string(lx, j);
                if (!e) {
                    sl_query__lex_error(
                      lx, tok, lx->n, "unterminated string literal in dynamic literal");
                    return;
                }
                j = e;
            } else {
                j++;
            }
        }
        if (depth > 0) {
            sl_query__lex_error(lx, tok, lx->n, "unterminated dynamic literal: missing ')'");
            return;
        }
        j--; /* at the closing ')' (or a mismatched bracket, caught later) */
    } else {
        while (j < lx->n && lx->s[j] != ')') {
            j++;
        }
        if (j >= lx->n) {
            sl_query__lex_error(lx, tok, lx->n, "unterminated literal: missing ')'");
            return;
        }
    }
    tok->kind = SL_QUERY_T_TYPED;
    tok->v.typed.type = type;
    tok->v.typed.body_off = (uint32_t)(lx->base_off + open + 1);
    tok->v.typed.body_len = (uint32_t)(j - open - 1);
    sl_query__lex_adv(lx, j + 1 - lx->i);
}

/* The operator hints of Kql.g4 (`hint.<name>`); other hint.x stay a path. */
static bool is_hint_name(const unsigned char *w, size_t n)
{
    static const char *const names[] = { "concurrency",     "distribution", "materialized",
                                         "num_partitions",  "pass_filters", "pass_filters_column",
                                         "progressive_top", "remote",       "shufflekey",
                                         "spread",          "strategy" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++) {
        if (strlen(names[i]) == n && memcmp(names[i], w, n) == 0) {
            return true;
        }
    }
    return false;
}

/* The longest hyphenated keyword starting with the word at [start, end). */
static size_t hyphenated_end(const sl_query__lexer_t *lx,
                             size_t start,
                             size_t end,
                             sl_query_kw_t *kw)
{
    size_t best = 0, j = end;
    for (int parts = 0; parts < 3 && at(lx, j) == '-' && is_alpha(at(lx, j + 1)); parts++) {
        j++;
        while (is_word(at(lx, j))) {
            j++;
        }
        sl_query_kw_t k = sl_query_kw_lookup((const char *)lx->s + start, j - start);
        if (k != SL_QUERY_KW_NONE) {
            best = j;
            *kw = k;
        }
    }
    return best;
}

static void lex_word(sl_query__lexer_t *lx, sl_query_tok_t *tok)
{
    size_t start = lx->i, j = start + 1;
    while (is_word(at(lx, j))) {
        j++;
    }
    const unsigned char *w = lx->s + start;
    size_t wn = j - start;
    bool is_typeof;
    sl_query_type_t ty =
      at(lx, j) == '(' ? typed_literal_type(w, wn, &is_typeof) : SL_QUERY_TY_NONE;
    if (ty != SL_QUERY_TY_NONE) {
        sl_query__lex_adv(lx, wn);
        lex_typed(lx, tok, ty);
        return;
    }
    sl_query_kw_t kw = SL_QUERY_KW_NONE;
    size_t hend = at(lx, j) == '-' ? hyphenated_end(lx, start, j, &kw) : 0;
    if (hend) {
        tok->kind = SL_QUERY_T_KEYWORD;
        tok->kw = kw;
        sl_query__lex_adv(lx, hend - start);
        return;
    }
    if (wn == 4 && memcmp(w, "hint", 4) == 0 && at(lx, j) == '.' && is_alpha(at(lx, j + 1))) {
        /* hint.strategy, hint.shufflekey ...: one name, as in Kql.g4. */
        size_t k = j + 1;
        while (is_word(at(lx, k))) {
            k++;
        }
        if (is_hint_name(lx->s + j + 1, k - j - 1)) {
            tok->kind = SL_QUERY_T_IDENT;
            tok->kw = SL_QUERY_KW_NONE;
            sl_query__lex_adv(lx, k - start);
            return;
        }
    }
    if (wn == 2 && memcmp(w, "in", 2) == 0 && at(lx, j) == '~') {
        tok->kind = SL_QUERY_T_KEYWORD;
        tok->kw = SL_QUERY_KW_IN_CI;
        sl_query__lex_adv(lx, 3);
        return;
    }
    if (wn == 7 && memcmp(w, "matches", 7) == 0) {
        size_t k = j, ws;
        while ((ws = sl_query__lex_ws(lx, k)) != 0) {
            k += ws;
        }
        if (k > j && k + 5 <= lx->n && memcmp(lx->s + k, "regex", 5) == 0 &&
            !is_word(at(lx, k + 5))) {
            tok->kind = SL_QUERY_T_KEYWORD;
            tok->kw = SL_QUERY_KW_MATCHES_REGEX;
            sl_query__lex_adv(lx, k + 5 - start);
            return;
        }
    }
    tok->kind = SL_QUERY_T_IDENT;
    tok->kw = sl_query_kw_lookup((const char *)w, wn);
    sl_query__lex_adv(lx, wn);
}

/* `!` followed by a word: one of the negated operator keywords. */
static void lex_bang_word(sl_query__lexer_t *lx, sl_query_tok_t *tok)
{
    size_t start = lx->i, j = start + 1;
    while (is_word(at(lx, j))) {
        j++;
    }
    if (j - start == 3 && memcmp(lx->s + start, "!in", 3) == 0 && at(lx, j) == '~') {
        j++;
    }
    sl_query_kw_t kw = sl_query_kw_lookup((const char *)lx->s + start, j - start);
    if (kw == SL_QUERY_KW_NONE) {
        sl_query__lex_error(lx, tok, j, "unexpected '!': KQL has no `!` operator; use not(...)");
        return;
    }
    tok->kind = SL_QUERY_T_KEYWORD;
    tok->kw = kw;
    sl_query__lex_adv(lx, j - start);
}

/* Numbers, timespans and digit-led identifiers (`3Dchart`). */
static void lex_number(sl_query__lexer_t *lx, sl_query_tok_t *tok)
{
    size_t start = lx->i, j = start;
    char buf[80];
    if (at(lx, j) == '0' && (at(lx, j + 1) == 'x' || at(lx, j + 1) == 'X') &&
        is_xdigit(at(lx, j + 2))) {
        size_t k = j + 2;
        uint64_t v = 0;
        bool overflow = false;
        while (is_xdigit(at(lx, k))) {
            int c = lx->s[k];
            int d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
            overflow |= v >> 60 != 0;
            v = v << 4 | (uint64_t)d;
            k++;
        }
        if (!is_word(at(lx, k))) {
            if (overflow) {
                sl_query__lex_error(lx, tok, k, "integer literal out of range");
                return;
            }
            tok->kind = SL_QUERY_T_LONG;
            tok->v.i = (int64_t)v; /* 0xFFFFFFFFFFFFFFFF is -1, as in Kusto */
            sl_query__lex_adv(lx, k - start);
            return;
        }
        /* 0x1Fg: not a number; lexed as a digit-led identifier below. */
    }
    while (is_digit(at(lx, j))) {
        j++;
    }
    size_t int_end = j;
    bool real = false, exponent = false;
    if (at(lx, j) == '.' && at(lx, j + 1) != '.' && !is_alpha(at(lx, j + 1)) &&
        at(lx, j + 1) != '_') {
        real = true;
        j++;
        while (is_digit(at(lx, j))) {
            j++;
        }
    }
    if ((at(lx, j) == 'e' || at(lx, j) == 'E') &&
        (is_digit(at(lx, j + 1)) ||
         ((at(lx, j + 1) == '+' || at(lx, j + 1) == '-') && is_digit(at(lx, j + 2))))) {
        real = exponent = true;
        j += 2;
        while (is_digit(at(lx, j))) {
            j++;
        }
    }
    if (is_alpha(at(lx, j)) || at(lx, j) == '_') {
        size_t k = j;
        while (is_word(at(lx, k))) {
            k++;
        }
        int64_t un, ud;
        if (!exponent && sl_query_timespan_unit((const char *)lx->s + j, k - j, &un, &ud)) {
            sl_ticks_t t;
            int rc = sl_query_timespan_from_parts(
              (const char *)lx->s + start, j - start, (const char *)lx->s + j, k - j, &t);
            if (rc != 0) {
                sl_query__lex_error(lx, tok, k, "timespan literal out of range");
                return;
            }
            tok->kind = SL_QUERY_T_TIMESPAN;
            tok->v.ticks = t;
            sl_query__lex_adv(lx, k - start);
            return;
        }
        if (!real) {
            tok->kind = SL_QUERY_T_IDENT; /* 3Dchart, 1d2 */
            tok->kw = sl_query_kw_lookup((const char *)lx->s + start, k - start);
            sl_query__lex_adv(lx, k - start);
            return;
        }
        sl_query__lex_error(lx, tok, k, "invalid number");
        return;
    }
    if (j - start >= sizeof buf) {
        sl_query__lex_error(
          lx, tok, j, real ? "real literal too long" : "integer literal out of range");
        return;
    }
    memcpy(buf, lx->s + start, j - start);
    buf[j - start] = '\0';
    if (real) {
        tok->kind = SL_QUERY_T_REAL;
        tok->v.r = strtod(buf, NULL);
    } else {
        int64_t v;
        if (sl_parse_i64(buf, int_end - start, &v) != 0) {
            sl_query__lex_error(lx, tok, j, "integer literal out of range");
            return;
        }
        tok->kind = SL_QUERY_T_LONG;
        tok->v.i = v;
    }
    sl_query__lex_adv(lx, j - start);
}

/* Punctuation: one, two or three bytes. Returns false if none matched. */
static bool lex_punct(sl_query__lexer_t *lx, sl_query_tok_t *tok)
{
    int c = at(lx, lx->i), c1 = at(lx, lx->i + 1);
    sl_query_tok_kind_t k;
    size_t len = 1;
    switch (c) {
    case '|':
        k = SL_QUERY_T_PIPE;
        break;
    case '(':
        k = SL_QUERY_T_LPAREN;
        break;
    case ')':
        k = SL_QUERY_T_RPAREN;
        break;
    case '[':
        k = SL_QUERY_T_LBRACKET;
        break;
    case ']':
        k = SL_QUERY_T_RBRACKET;
        break;
    case '{':
        k = SL_QUERY_T_LBRACE;
        break;
    case '}':
        k = SL_QUERY_T_RBRACE;
        break;
    case ',':
        k = SL_QUERY_T_COMMA;
        break;
    case ';':
        k = SL_QUERY_T_SEMI;
        break;
    case ':':
        k = SL_QUERY_T_COLON;
        break;
    case '+':
        k = SL_QUERY_T_PLUS;
        break;
    case '-':
        k = SL_QUERY_T_MINUS;
        break;
    case '*':
        k = SL_QUERY_T_STAR;
        break;
    case '/':
        k = SL_QUERY_T_SLASH;
        break;
    case '%':
        k = SL_QUERY_T_PERCENT;
        break;
    case '@':
        k = SL_QUERY_T_AT;
        break;
    case '.':
        k = c1 == '.' ? SL_QUERY_T_DOTDOT : SL_QUERY_T_DOT;
        len = c1 == '.' ? 2 : 1;
        break;
    case '=':
        k = c1 == '='   ? SL_QUERY_T_EQ
            : c1 == '~' ? SL_QUERY_T_EQ_CI
            : c1 == '>' ? SL_QUERY_T_ARROW
                        : SL_QUERY_T_ASSIGN;
        len = k == SL_QUERY_T_ASSIGN ? 1 : 2;
        break;
    case '<':
        k = c1 == '=' ? SL_QUERY_T_LE : c1 == '>' ? SL_QUERY_T_LTGT : SL_QUERY_T_LT;
        len = k == SL_QUERY_T_LT ? 1 : 2;
        break;
    case '>':
        k = c1 == '=' ? SL_QUERY_T_GE : SL_QUERY_T_GT;
        len = k == SL_QUERY_T_GT ? 1 : 2;
        break;
    case '!':
        if (c1 != '=' && c1 != '~') {
            return false;
        }
        k = c1 == '=' ? SL_QUERY_T_NE : SL_QUERY_T_NE_CI;
        len = 2;
        break;
    default:
        return false;
    }
    tok->kind = k;
    sl_query__lex_adv(lx, len);
    return true;
}

/* Lexes one token at lx->i (not at the end, trivia skipped). */
static void lex_token(sl_query__lexer_t *lx, sl_query_tok_t *tok)
{
    int c = at(lx, lx->i);
    if (sl_query__lex_string_start(lx, lx->i)) {
        sl_query__lex_string(lx, tok);
        return;
    }
    if (is_alpha(c) || c == '_' || c == '$') {
        lex_word(lx, tok);
        return;
    }
    if (is_digit(c)) {
        lex_number(lx, tok);
        return;
    }
    if (c == '!' && is_alpha(at(lx, lx->i + 1))) {
        lex_bang_word(lx, tok);
        return;
    }
    if (lex_punct(lx, tok)) {
        return;
    }
    /* Name the character in the message; UTF-8 sequences stay whole. */
    size_t k = lx->i + 1;
    while (k < lx->n && (lx->s[k] & 0xC0) == 0x80 && k - lx->i < 4) {
        k++;
    }
    sl_query__lex_error(lx,
                        tok,
                        k,
                        c == '!' ? "unexpected '!': KQL has no `!` operator; use not(...)"
                                 : "unexpected character");
    tok->pos.len = (uint32_t)(k - lx->i);
}

void sl_query_lex(sl_pool_t *pool,
                  const char *text,
                  size_t len,
                  const sl_query_pos_t *base,
                  sl_query_tok_t **out,
                  size_t *count)
{
    sl_query__lexer_t lx = { .pool = pool, .s = (const unsigned char *)text, .n = len };
    lx.line = base ? base->line : 1;
    lx.col = base ? base->col : 1;
    lx.base_off = base ? base->off : 0;
    size_t n = 0, cap = 64;
    sl_query_tok_t *toks = sl_xmalloc(cap * sizeof *toks);
    for (;;) {
        sl_query__lex_trivia(&lx);
        if (n == cap) {
            cap *= 2;
            toks = sl_xrealloc(toks, cap * sizeof *toks);
        }
        sl_query_tok_t *tok = &toks[n++];
        memset(tok, 0, sizeof *tok);
        tok->pos = sl_query__lex_pos(&lx);
        if (lx.i >= lx.n) {
            tok->kind = SL_QUERY_T_EOF;
            break;
        }
        size_t before = lx.i;
        lex_token(&lx, tok);
        if (tok->kind == SL_QUERY_T_ERROR) {
            break;
        }
        if (tok->pos.len == 0) {
            tok->pos.len = (uint32_t)(lx.i - before);
        }
    }
    *out = sl_pool_alloc(pool, n * sizeof *toks);
    memcpy(*out, toks, n * sizeof *toks);
    *count = n;
    sl_free(toks);
    sl_buf_dispose(&lx.scratch);
}
