/*
 * The syntax tree of an executable GraphQL document (October 2021 spec,
 * section 2): what gql_parse() returns and the executor walks. Every node
 * and string lives in the document's arena; gql_document_free() releases
 * them all. Lists are singly linked through `next`, in document order, and
 * NULL when empty. Names are NUL-terminated copies; every node has the
 * location of its first token, for the `locations` of errors about it.
 *
 * Nothing here is checked against a schema: that a field exists, that a
 * fragment named by a spread is defined, that an Int fits 32 bits is
 * validation's.
 */
#ifndef DEPLOY_GQL_AST_H
#define DEPLOY_GQL_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "gql_arena.h"
#include "gql_error.h"

struct gql_argument;

enum gql_value_kind {
	GQL_VALUE_VARIABLE,   /* text: the name, without the $ */
	GQL_VALUE_INT,        /* text: the literal as written ("-12") */
	GQL_VALUE_FLOAT,      /* text: the literal as written ("1.5e3") */
	GQL_VALUE_STRING,     /* text, len: the value (may hold NULs) */
	GQL_VALUE_BOOLEAN,    /* boolean */
	GQL_VALUE_NULL,
	GQL_VALUE_ENUM,       /* text: the name */
	GQL_VALUE_LIST,       /* items */
	GQL_VALUE_OBJECT,     /* fields */
};

struct gql_value {
	enum gql_value_kind kind;
	struct gql_location loc;
	const char *text;
	size_t len;                    /* of text */
	bool boolean;
	struct gql_value *items;
	struct gql_argument *fields;
	struct gql_value *next;        /* the next item of the enclosing list */
};

/* name: value, as a field's or directive's argument or an object's field. */
struct gql_argument {
	const char *name;
	struct gql_location loc;
	struct gql_value *value;
	struct gql_argument *next;
};

struct gql_directive {
	const char *name;              /* without the @ */
	struct gql_location loc;
	struct gql_argument *arguments;
	struct gql_directive *next;
};

enum gql_type_kind {
	GQL_TYPE_NAMED,                /* name */
	GQL_TYPE_LIST,                 /* [of] */
	GQL_TYPE_NON_NULL,             /* of!: of is never NON_NULL */
};

struct gql_type {
	enum gql_type_kind kind;
	struct gql_location loc;
	const char *name;
	struct gql_type *of;
};

enum gql_selection_kind {
	GQL_SELECTION_FIELD,           /* alias: name(arguments) @directives { selections } */
	GQL_SELECTION_FRAGMENT_SPREAD, /* ...name @directives */
	GQL_SELECTION_INLINE_FRAGMENT, /* ... on type_condition @directives { selections } */
};

struct gql_selection {
	enum gql_selection_kind kind;
	struct gql_location loc;
	const char *alias;             /* FIELD: NULL without one */
	const char *name;              /* FIELD: the field; FRAGMENT_SPREAD: the fragment */
	const char *type_condition;    /* INLINE_FRAGMENT: NULL without one */
	struct gql_argument *arguments;
	struct gql_directive *directives;
	struct gql_selection *selections;  /* NULL for a leaf field and a spread */
	struct gql_selection *next;
};

/* The key a field's value has in the response: its alias, else its name. */
const char *gql_response_key(const struct gql_selection *field);

enum gql_operation_type {
	GQL_OPERATION_QUERY,
	GQL_OPERATION_MUTATION,
	GQL_OPERATION_SUBSCRIPTION,
};

/* $name: type = default_value @directives */
struct gql_variable_definition {
	const char *name;              /* without the $ */
	struct gql_location loc;
	struct gql_type *type;
	struct gql_value *default_value;   /* NULL without one; constant (no variables) */
	struct gql_directive *directives;
	struct gql_variable_definition *next;
};

enum gql_definition_kind {
	GQL_DEFINITION_OPERATION,
	GQL_DEFINITION_FRAGMENT,
};

struct gql_definition {
	enum gql_definition_kind kind;
	struct gql_location loc;
	enum gql_operation_type operation;  /* OPERATION; `{ ... }` alone is a query */
	const char *name;              /* NULL for an anonymous operation */
	struct gql_variable_definition *variables;  /* OPERATION */
	const char *type_condition;    /* FRAGMENT */
	struct gql_directive *directives;
	struct gql_selection *selections;
	struct gql_definition *next;
};

struct gql_document {
	struct gql_definition *definitions;  /* at least one */
	/* The deepest nesting of fields: { a { b } } has 2, { ...F } 0. */
	unsigned depth;
	struct gql_arena arena;        /* holds the document itself too */
};

/* Releases doc and everything in it; NULL is accepted. */
void gql_document_free(struct gql_document *doc);

#endif
