/*
 * The part of GitHub's GraphQL schema this server serves (graphql.md
 * section 3), with GitHub's type names and field types, so that a query
 * valid on GitHub is valid here as far as it reads deployments; a field
 * outside it is GitHub's unknown-field error. docs/graphql.md lists what is
 * served and what is not.
 */
#ifndef DEPLOY_GRAPHQL_SCHEMA_H
#define DEPLOY_GRAPHQL_SCHEMA_H

#include "gql_schema.h"

extern const struct gql_schema graphql_schema;

#endif
