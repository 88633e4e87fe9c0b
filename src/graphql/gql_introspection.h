/*
 * Introspection (October 2021 spec, section 4): `__schema` and
 * `__type(name:)` answered from a schema's tables, so that tools that read
 * the schema first (graphql-js's buildClientSchema, GraphiQL, code
 * generators) see what is served here (graphql.md section 3's Decision).
 * Descriptions are null, nothing is deprecated, and the directives are
 * @include and @skip.
 */
#ifndef DEPLOY_GQL_INTROSPECTION_H
#define DEPLOY_GQL_INTROSPECTION_H

#include "gql_ast.h"
#include "gql_request.h"
#include "gql_schema.h"
#include "jsonw.h"

/* The meta types (__Schema, __Type, ...) and the root's meta fields
 * (__schema, __type), for validation. */
const struct gql_type_def *gql_introspection_type(const char *name);
const struct gql_field_def *gql_introspection_root_field(const char *name);

/* What the executor passes: the document, its arena and variables. */
struct gql_introspection {
	const struct gql_schema *schema;
	const struct gql_document *doc;
	struct gql_arena *arena;
	const struct gql_argument *vars;
	struct jsonw *w;
};

/* The value of the root field `__schema` or `__type` (field), with w. */
void gql_introspect(const struct gql_introspection *in, const struct gql_selection *field,
    const struct gql_set *sets);

#endif
