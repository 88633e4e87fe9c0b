/*
 * The analysis GitHub runs after validation and before execution, with
 * the variables' values (graphql.md section 8): a connection whose items
 * (`nodes` or `edges`) are selected needs `first` or `last`
 * (MISSING_PAGINATION_BOUNDARIES), and the nodes a query may return (each
 * connection's size times the sizes of the connections around it, summed)
 * must stay within GQL_NODE_LIMIT (MAX_NODE_LIMIT_EXCEEDED: the message
 * names the nested connection where the running total first passed it,
 * GitHub's second form, or gives the total). Both are
 * answered with `errors` alone, no `data`. The same walk gives the cost
 * `rateLimit` shows.
 */
#ifndef DEPLOY_GQL_ANALYSIS_H
#define DEPLOY_GQL_ANALYSIS_H

#include <stdint.h>

#include "gql_ast.h"
#include "gql_errors.h"
#include "gql_schema.h"

#define GQL_NODE_LIMIT 500000
#define GQL_PAGE_MAX 100

struct gql_cost {
	int64_t nodes;      /* rateLimit.nodeCount */
	int64_t cost;       /* rateLimit.cost: max(1, round(requests / 100)) */
};

/* 0, or -1 with the entries in errs. op must have passed gql_validate. */
int gql_analyse(const struct gql_document *doc, const struct gql_schema *schema,
    const struct gql_definition *op, const struct gql_argument *vars, struct gql_errors *errs,
    struct gql_cost *out) MUST_CHECK;

#endif
