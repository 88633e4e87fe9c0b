/*
 * What the executor needs of a parsed document before and while it runs:
 * the operation the request names, its variables coerced to their declared
 * types (defaults filled in), arguments with variables substituted,
 * @include/@skip, and field collection (October 2021 spec, 6.3.2): the
 * fields of selection sets, fragments spread and inline, merged by
 * response key in document order.
 */
#ifndef DEPLOY_GQL_REQUEST_H
#define DEPLOY_GQL_REQUEST_H

#include <stdbool.h>

#include "gql_ast.h"
#include "gql_errors.h"
#include "gql_schema.h"
#include "jsonw.h"

/* The operation named name (NULL: the only one), or NULL with graphql-ruby's
 * message in message: "An operation name is required", "No operation
 * named \"X\"". */
const struct gql_definition *gql_operation(const struct gql_document *doc, const char *name,
    struct buf *message);

/*
 * op's variables from provided (an object value, the request's
 * `variables`, or NULL): each declared one coerced to its type, or its
 * default; undeclared ones are ignored (graphql.md section 1). Values that
 * do not fit are errors in errs, graphql-ruby's "Variable $first of type
 * Int! was provided invalid value" with its extensions. 0, or -1 when any
 * variable failed. The list is allocated in arena.
 */
int gql_coerce_variables(struct gql_arena *arena, const struct gql_schema *schema,
    const struct gql_definition *op, const struct gql_value *provided,
    struct gql_argument **vars, struct gql_errors *errs) MUST_CHECK;

/* A value with a variable replaced by the variable's value: NULL for a
 * variable without one (absent, as an argument not given). */
const struct gql_value *gql_resolve(const struct gql_value *v, const struct gql_argument *vars);
/* The field's argument name, resolved; NULL when absent. */
const struct gql_value *gql_argument(const struct gql_selection *field, const char *name,
    const struct gql_argument *vars);

/* False when @skip(if: true) or @include(if: false) is among d. */
bool gql_included(const struct gql_directive *d, const struct gql_argument *vars);

/* The fragment definition named name, or NULL. */
const struct gql_definition *gql_fragment(const struct gql_document *doc, const char *name);

/* Selection sets whose fields are merged under one response key. */
struct gql_set {
	const struct gql_selection *selections;
	struct gql_set *next;
};

struct gql_field_group {
	const char *key;                    /* the response key */
	const struct gql_selection *field;  /* the first field of that key */
	struct gql_set *sets;               /* the selection sets of all of them */
	struct gql_field_group *next;
};

/* The fields the selection sets in sets select on an object of type
 * concrete, in order; NULL when none. Allocated in arena. */
struct gql_field_group *gql_collect(struct gql_arena *arena, const struct gql_document *doc,
    const struct gql_schema *schema, const struct gql_set *sets, const char *concrete,
    const struct gql_argument *vars);

/* Whether an Int literal's text is within GraphQL's 32 bits. */
bool gql_int32(const char *text);

/* The value as JSON (an enum as its name, a variable as null). */
void gql_value_write_json(struct jsonw *w, const struct gql_value *v);

/* A type reference as written: "[String!]!". */
void gql_type_print(struct buf *b, const struct gql_type *t);

#endif
