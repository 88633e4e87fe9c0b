/*
 * The GraphQL parser: an executable document (October 2021 spec, section
 * 2: operations, fragments, and nothing of the type system) from the bytes
 * of a request's `query`, to the tree of gql_ast.h.
 *
 * Errors are GitHub's (graphql-ruby's), message and location as a parse
 * error's entry of `errors` shows them (graphql.md section 2):
 *   Expected VAR_SIGN, actual: IDENTIFIER ("environments") at [2, 52]
 *   Expected NAME, actual: (none) ("") at [1, 12]     at the end, the last token's place
 *   Unexpected end of document                        nothing but ignored tokens; no location
 * The grammar is the spec's where graphql-ruby accepts more (an empty
 * selection set or argument list, a variable in a default value, a
 * fragment named `on` are errors here).
 *
 * The limits of gql_limits.h are checked as the text is read, in this
 * order, each a parse error in graphql-ruby's words: the size ("This query
 * is too large to execute.", no location), the tokens and the nesting (the
 * same text, at the token past the limit), and, once the document is
 * read, the depth ("Query has depth of 27, which exceeds max depth of 25",
 * no location).
 */
#ifndef DEPLOY_GQL_PARSER_H
#define DEPLOY_GQL_PARSER_H

#include <stddef.h>

#include "gql_ast.h"
#include "gql_error.h"
#include "util.h"

/* The document in the len bytes at text (no NUL needed; nothing of text is
 * kept), or NULL with err set. Free it with gql_document_free(). */
struct gql_document *gql_parse(const char *text, size_t len, struct gql_error *err) MUST_CHECK;

#endif
