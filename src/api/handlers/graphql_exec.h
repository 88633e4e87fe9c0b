/*
 * Execution of a validated, analysed GraphQL query against the database:
 * the resolvers of graphql_schema.h's types, writing `data` with jsonw as
 * the fields are resolved, errors (NOT_FOUND, pagination, cursors) into
 * the response's errors list with GitHub's wording (graphql.md section 2).
 * A field that fails is null; a non-null one makes its parent null, up to
 * the nearest nullable field, by cutting what the parent had written.
 *
 * SQL is bounded by the query's shape, not by the data: one statement per
 * connection page, and one per page and field for what its nodes select
 * (latestStatus, statuses), for all of the page's nodes at once.
 */
#ifndef DEPLOY_GRAPHQL_EXEC_H
#define DEPLOY_GRAPHQL_EXEC_H

#include "gql_analysis.h"
#include "gql_ast.h"
#include "gql_errors.h"
#include "handler.h"
#include "ratelimit.h"

struct graphql_exec {
	struct handler_ctx *ctx;
	const struct gql_document *doc;
	struct gql_arena *arena;          /* for field collection */
	const struct gql_argument *vars;
	struct gql_errors *errs;
	struct gql_cost cost;             /* rateLimit's cost and nodeCount */
	struct ratelimit_result rate;     /* the budget after this request */
	struct db_error db_error;         /* when graphql_execute fails */
};

/* Writes the value of `data` for op with w: 0, or -1 when the database
 * failed (x->db_error); what w wrote is then to be thrown away. */
int graphql_execute(struct graphql_exec *x, const struct gql_definition *op,
    struct jsonw *w) MUST_CHECK;

#endif
