/*
 * A GraphQL syntax error: its message and where it is, as GitHub answers
 * them (graphql.md section 2): {"message": ..., "locations": [{"line",
 * "column"}]}. GitHub runs graphql-ruby, so the messages are graphql-ruby's
 * ("Expected NAME, actual: EQUALS (\"=\") at [3, 91]"), not graphql-js's.
 */
#ifndef DEPLOY_GQL_ERROR_H
#define DEPLOY_GQL_ERROR_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

/* A place in the query text: line and column from 1, the column counted
 * in code points (a tab is one). line 0: no place (an empty document). */
struct gql_location {
	unsigned line;
	unsigned column;
};

struct gql_error {
	struct buf message;   /* UTF-8: the document was checked before any part is quoted */
	struct gql_location loc;
};

#define GQL_ERROR_INIT { BUF_INIT, { 0, 0 } }

/* Replaces err's message and location. */
void gql_error_set(struct gql_error *err, struct gql_location loc, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

/* s (len bytes of UTF-8) quoted as Ruby's String#inspect quotes it, which
 * graphql-ruby's messages show: "a\"b\n" for a"b and a newline. */
void gql_error_put_quoted(struct buf *b, const char *s, size_t len);

void gql_error_release(struct gql_error *err);

#endif
