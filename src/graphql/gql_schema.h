/*
 * A schema as static tables: the types a server serves, their fields and
 * the fields' arguments, with types written as in SDL ("String!",
 * "[ID!]!"). Validation (gql_validate.h) and the analysis before execution
 * (gql_analysis.h) read it; the executor that resolves the fields is the
 * server's. Arrays end with an entry whose name is NULL.
 */
#ifndef DEPLOY_GQL_SCHEMA_H
#define DEPLOY_GQL_SCHEMA_H

#include <stdbool.h>

enum gql_kind {
	GQL_KIND_SCALAR,
	GQL_KIND_ENUM,
	GQL_KIND_OBJECT,
	GQL_KIND_INTERFACE,
	GQL_KIND_INPUT_OBJECT,
};

struct gql_input_def {
	const char *name;
	const char *type;
};

struct gql_field_def {
	const char *name;
	const char *type;
	const struct gql_input_def *args;   /* NULL: none */
	/* A Relay connection: first/last bound it, and its size counts
	 * against the node limit (graphql.md section 8). */
	bool connection;
};

struct gql_type_def {
	const char *name;
	enum gql_kind kind;
	const struct gql_field_def *fields;      /* OBJECT, INTERFACE */
	const struct gql_input_def *input_fields; /* INPUT_OBJECT */
	const char *const *values;               /* ENUM; NULL-terminated */
	const char *const *interfaces;           /* OBJECT; NULL-terminated or NULL */
};

struct gql_schema {
	const struct gql_type_def *types;        /* ends with a NULL name */
	const char *query;                       /* the root types */
	const char *mutation;
};

/* The type named name: one of s, or an introspection type (__Type, ...). */
const struct gql_type_def *gql_schema_type(const struct gql_schema *s, const char *name);
const struct gql_field_def *gql_schema_field(const struct gql_type_def *t, const char *name);
const struct gql_input_def *gql_schema_input(const struct gql_input_def *defs, const char *name);

/* The named type at the bottom of a type reference: "[ID!]!" -> "ID",
 * into out (at least as long as ref). */
void gql_schema_named(const char *ref, char *out);
/* Whether a field of type ref needs a selection set (object, interface). */
bool gql_schema_composite(const struct gql_schema *s, const char *ref);

/* Whether a fragment on type condition cond applies to an object of
 * type concrete: the same type, or an interface it implements. */
bool gql_schema_applies(const struct gql_schema *s, const char *cond, const char *concrete);

#endif
