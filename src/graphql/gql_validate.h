/*
 * Static validation of an operation against a schema, before anything is
 * executed: every field exists on its type, arguments exist and their
 * literals fit their types, required arguments are given, variables used
 * are declared, leaf and composite fields are selected as they must be,
 * fragments exist, apply to a known type and do not spread themselves.
 * Errors are GitHub's (graphql-ruby's) static validation errors
 * (graphql.md section 2): {path, extensions: {code, ...}, locations,
 * message}, the path starting with the operation's label ("query",
 * "query Name") or the fragment's ("fragment F").
 *
 * It also refuses a document whose fragments, spread out, select more
 * than GQL_EXPANDED_MAX fields: each fragment's size is counted once, so
 * a document that spreads fragments into fragments cannot make the
 * executor's field collection take exponential time. And one whose fields,
 * spread out, nest deeper than GQL_DEPTH_MAX (graphql-ruby's max_depth:
 * "Query has depth of 38, which exceeds max depth of 25"), which the
 * parser, seeing the text alone, cannot tell.
 */
#ifndef DEPLOY_GQL_VALIDATE_H
#define DEPLOY_GQL_VALIDATE_H

#include "gql_ast.h"
#include "gql_errors.h"
#include "gql_schema.h"

#define GQL_EXPANDED_MAX 100000

/* 0 when op (and the fragments it uses) is valid; -1 with the entries in
 * errs. */
int gql_validate(const struct gql_document *doc, const struct gql_schema *schema,
    const struct gql_definition *op, struct gql_errors *errs) MUST_CHECK;

#endif
