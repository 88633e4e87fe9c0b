/*
 * GraphQL's opaque strings (graphql.md sections 5 and 6): global node ids,
 * the legacy form that is byte for byte REST's node_id, and cursors,
 * base64 of "cursor:v2:" and a MessagePack array of the sort key, as
 * GitHub's are: [created_at as "YYYY-MM-DDTHH:MM:SS+00:00", id] for
 * deployments, [id] for statuses.
 */
#ifndef DEPLOY_GRAPHQL_IDS_H
#define DEPLOY_GRAPHQL_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store_graphql.h"
#include "util.h"

#define GRAPHQL_TYPE_NAME_MAX 32

/* Type and key (appended to key) of a legacy id "0<n>:<Type><key>" (a
 * Ref's key is "<repository id>:<qualified name>"); -1 when s is anything
 * else (a next-format id, garbage, a key holding NUL). */
int graphql_id_parse_text(const char *s, size_t len, char type[GRAPHQL_TYPE_NAME_MAX],
    struct buf *key) MUST_CHECK;
/* The same for a numeric key; -1 for any other (a Commit's or Ref's id). */
int graphql_id_parse(const char *s, size_t len, char type[GRAPHQL_TYPE_NAME_MAX],
    int64_t *key) MUST_CHECK;

/* The cursor of a deployment (created_at set) or a status (created_at
 * unset), appended to out. */
void graphql_cursor_write(struct buf *out, const struct graphql_key *k);
/* The key a cursor holds; -1 when it is not a cursor of that kind. */
int graphql_cursor_parse(const char *s, size_t len, bool with_time,
    struct graphql_key *k) MUST_CHECK;

#endif
