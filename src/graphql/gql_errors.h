/*
 * The `errors` list of a GraphQL response, written as it grows (graphql.md
 * section 2.1): execution errors are {type, path, locations, message} in
 * GitHub's key order, validation errors {path, extensions, locations,
 * message}. A path is the chain of response keys (and list indexes) from
 * the root, kept on the executor's stack.
 */
#ifndef DEPLOY_GQL_ERRORS_H
#define DEPLOY_GQL_ERRORS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "gql_error.h"
#include "jsonw.h"

struct gql_path {
	const struct gql_path *up;   /* NULL at the root */
	const char *key;             /* NULL: index is a list position */
	int64_t index;
};

struct gql_errors {
	struct buf text;             /* the entries so far, as a JSON array */
	struct jsonw w;
	size_t count;
};

void gql_errors_init(struct gql_errors *e);
void gql_errors_release(struct gql_errors *e);

/* Starts an entry: {"type": type (omitted when NULL), "path": [...]
 * (omitted when path is NULL)}; add the rest with the writer e->w, then
 * gql_errors_end(). */
void gql_errors_begin(struct gql_errors *e, const char *type, const struct gql_path *path);
/* "locations": [loc] (none for line 0), "message": message, and the end. */
void gql_errors_end(struct gql_errors *e, struct gql_location loc, const char *message);

/* An execution error: type, path, location, message. */
void gql_errors_add(struct gql_errors *e, const char *type, const struct gql_path *path,
    struct gql_location loc, const char *message);

/* The path as a JSON array. */
void gql_path_write(struct jsonw *w, const struct gql_path *path);

/* Closes the list and returns it as JSON text, "[...]"; nothing can be
 * added after. */
const char *gql_errors_finish(struct gql_errors *e);

#endif
