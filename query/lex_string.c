/*
 * String literals, in every form KQL has:
 *
 *   "..."  '...'        escapes \\ \' \" \a \b \f \n \r \t \v \uXXXX
 *                       \UXXXXXXXX \xHH and octal (\7, \47, \101); no raw
 *                       line breaks
 *   @"..." @'...'       verbatim: backslash is literal, a doubled quote is one
 *   ```...``` ~~~...~~~ multi-line, no escapes
 *   h"..." H'...' ...   any of the above with the "hidden" prefix: same value,
 *                       but the query text should be masked in logs
 *
 * Literals separated only by whitespace or comments are one value ("a" "b"
 * is "ab"), so this file lexes the whole run into a single STRING token; the
 * parser never sees the pieces. Escapes produce code points, written as UTF-8
 * (\xE9 is "é", two bytes, as in Kusto where strings are UTF-16); surrogate
 * pairs written as two \u escapes combine, and a lone surrogate becomes
 * U+FFFD. Raw bytes are copied as they are.
 */
#include "query/query_int.h"

#include <string.h>

static int at(const sl_query__lexer_t *lx, size_t i)
{
    return i < lx->n ? lx->s[i] : 0;
}

size_t sl_query__lex_string_start(const sl_query__lexer_t *lx, size_t i)
{
    size_t k = i;
    if (at(lx, k) == 'h' || at(lx, k) == 'H') {
        k++;
    }
    int c = at(lx, k);
    if (c == '"' || c == '\'') {
        return k - i + 1;
    }
    if (c == '@' && (at(lx, k + 1) == '"' || at(lx, k + 1) == '\'')) {
        return k - i + 2;
    }
    if ((c == '`' || c == '~') && at(lx, k + 1) == c && at(lx, k + 2) == c) {
        return k - i + 3;
    }
    return 0;
}

static void put_utf8(sl_buf_t *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sl_buf_append(b, u, n);
}

/* Reads `digits` hex digits at s[j]; false if there are fewer. */
static bool hex_at(const sl_query__lexer_t *lx, size_t j, int digits, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < digits; k++) {
        int c = at(lx, j + (size_t)k);
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return false;
        }
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

static bool is_octal(int c)
{
    return c >= '0' && c <= '7';
}

/*
 * Decodes the escape sequence at s[j] (the byte after the backslash) into
 * the scratch buffer. Returns the number of bytes consumed after the
 * backslash, or 0 if the escape is invalid.
 */
static size_t decode_escape(sl_query__lexer_t *lx, size_t j)
{
    sl_buf_t *b = &lx->scratch;
    int c = at(lx, j);
    uint32_t cp;
    switch (c) {
    case '\\':
        sl_buf_putc(b, '\\');
        return 1;
    case '\'':
        sl_buf_putc(b, '\'');
        return 1;
    case '"':
        sl_buf_putc(b, '"');
        return 1;
    case 'a':
        sl_buf_putc(b, '\a');
        return 1;
    case 'b':
        sl_buf_putc(b, '\b');
        return 1;
    case 'f':
        sl_buf_putc(b, '\f');
        return 1;
    case 'n':
        sl_buf_putc(b, '\n');
        return 1;
    case 'r':
        sl_buf_putc(b, '\r');
        return 1;
    case 't':
        sl_buf_putc(b, '\t');
        return 1;
    case 'v':
        sl_buf_putc(b, '\v');
        return 1;
    case 'x':
        if (!hex_at(lx, j + 1, 2, &cp)) {
            return 0;
        }
        put_utf8(b, cp);
        return 3;
    case 'U':
        if (!hex_at(lx, j + 1, 8, &cp) || cp > 0x10FFFF) {
            return 0;
        }
        put_utf8(b, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
        return 9;
    case 'u': {
        if (!hex_at(lx, j + 1, 4, &cp)) {
            return 0;
        }
        uint32_t lo;
        if (cp >= 0xD800 && cp <= 0xDBFF && at(lx, j + 5) == '\\' && at(lx, j + 6) == 'u' &&
            hex_at(lx, j + 7, 4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            put_utf8(b, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
            return 11;
        }
        put_utf8(b, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
        return 5;
    }
    default:
        break;
    }
    if (!is_octal(c)) {
        return 0;
    }
    /* Octal: three digits when the first is 0..3, otherwise up to two. */
    size_t k = 1;
    cp = (uint32_t)(c - '0');
    size_t max = c <= '3' ? 3 : 2;
    while (k < max && is_octal(at(lx, j + k))) {
        cp = cp * 8 + (uint32_t)(at(lx, j + k) - '0');
        k++;
    }
    put_utf8(b, cp);
    return k;
}

/* Lexes one literal at lx->i into the scratch buffer; false on error (the
 * token is then an ERROR token). */
static bool lex_one(sl_query__lexer_t *lx, sl_query_tok_t *tok, bool *obfuscated)
{
    size_t open = sl_query__lex_string_start(lx, lx->i);
    if (at(lx, lx->i) == 'h' || at(lx, lx->i) == 'H') {
        *obfuscated = true;
    }
    int q = at(lx, lx->i + open - 1);
    size_t j = lx->i + open;
    sl_buf_t *b = &lx->scratch;
    if (q == '`' || q == '~') {
        size_t start = j;
        while (j < lx->n && !(lx->s[j] == q && at(lx, j + 1) == q && at(lx, j + 2) == q)) {
            j++;
        }
        if (j >= lx->n) {
            sl_query__lex_error(lx, tok, j, "unterminated multi-line string literal");
            return false;
        }
        sl_buf_append(b, lx->s + start, j - start);
        sl_query__lex_adv(lx, j + 3 - lx->i);
        return true;
    }
    bool verbatim = open >= 2 && at(lx, lx->i + open - 2) == '@';
    for (;;) {
        if (j >= lx->n || lx->s[j] == '\n' || lx->s[j] == '\r') {
            sl_query__lex_error(lx, tok, j, "unterminated string literal");
            return false;
        }
        int c = lx->s[j];
        if (c == q) {
            if (verbatim && at(lx, j + 1) == q) {
                sl_buf_putc(b, (char)q);
                j += 2;
                continue;
            }
            j++;
            break;
        }
        if (c == '\\' && !verbatim) {
            size_t k = decode_escape(lx, j + 1);
            if (k == 0) {
                sl_query__lex_error(lx, tok, j + 2, "invalid escape sequence in string literal");
                return false;
            }
            j += 1 + k;
            continue;
        }
        /* Copy a run of plain bytes at once. */
        size_t run = j;
        while (run < lx->n && lx->s[run] != q && lx->s[run] != '\n' && lx->s[run] != '\r' &&
               (verbatim || lx->s[run] != '\\')) {
            run++;
        }
        sl_buf_append(b, lx->s + j, run - j);
        j = run;
    }
    sl_query__lex_adv(lx, j - lx->i);
    return true;
}

void sl_query__lex_string(sl_query__lexer_t *lx, sl_query_tok_t *tok)
{
    sl_buf_reset(&lx->scratch);
    sl_buf_reserve(&lx->scratch, 16);
    bool obfuscated = false;
    size_t start = lx->i;
    for (;;) {
        if (!lex_one(lx, tok, &obfuscated)) {
            return;
        }
        /* Look past trivia for another literal; if none, back up so the
         * trivia belongs to the next token as usual. */
        sl_query__lexer_t saved = *lx;
        sl_query__lex_trivia(lx);
        if (lx->i >= lx->n || !sl_query__lex_string_start(lx, lx->i)) {
            lx->i = saved.i;
            lx->line = saved.line;
            lx->col = saved.col;
            break;
        }
    }
    tok->kind = SL_QUERY_T_STRING;
    tok->v.str.n = lx->scratch.len;
    tok->v.str.s = sl_pool_strndup(lx->pool, lx->scratch.data, lx->scratch.len);
    tok->v.str.obfuscated = obfuscated;
    tok->pos.len = (uint32_t)(lx->i - start);
}
