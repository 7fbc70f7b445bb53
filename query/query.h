/*
 * query — KQL for sealog: lexer, parser and (later) planner, operators,
 * functions and the result writer. See KQL.md (the language contract) and
 * docs/KQL-PARSER.md (the front end).
 *
 * Only the syntax check is public so far: the node uses it to answer a bad
 * query with the right error class before any execution exists. The parse
 * tree itself is declared in query/query_int.h for the module's own files.
 *
 * Nothing here logs; errors come back as SL_E* codes with an sl_diag_t.
 */
#ifndef SL_QUERY_H
#define SL_QUERY_H

#include "common/common.h"

/*
 * Checks that `text` (len bytes, need not be NUL-terminated) is a
 * syntactically valid KQL request. Returns
 *   0                on success;
 *   SL_EPARSE        for a syntax error ("Syntax error at line 3, column 12
 *                    near 'by': expected an expression");
 *   SL_EUNSUPPORTED  for statements Azure Monitor does not have (`alias`,
 *                    `declare query_parameters`, `restrict`, `declare
 *                    pattern`), which the Query API reports as SemanticError;
 *   SL_ELIMIT        when the query nests deeper than the parser allows;
 * with the message in `d` (may be NULL). Thread-safe; allocates only
 * temporary memory.
 */
int sl_query_syntax_check(const char *text, size_t len, sl_diag_t *d);

#endif /* SL_QUERY_H */
