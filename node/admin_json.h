/* Helpers for the JSON bodies of the admin API (jansson: small documents). */
#ifndef SL_NODE_ADMIN_JSON_H
#define SL_NODE_ADMIN_JSON_H

#include <jansson.h>

#include "node/node_int.h"

/* Parses the request body as a JSON object; responds 400 and returns NULL
 * on failure. An empty body yields an empty object when `allow_empty`. */
json_t *sl_admin_body(sl_req_t *r, bool allow_empty);
/* Rejects keys not in the NULL-terminated `known` list (400). */
bool sl_admin_known_keys(sl_req_t *r, json_t *obj, const char *const *known);
/* Writes one workspace; keys are included when non-NULL. */
void sl_admin_ws_json(sl_jw_t *w, const sl_ws_rec_t *ws, const char *key1, const char *key2);

#endif
