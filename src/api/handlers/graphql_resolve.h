/*
 * What the GraphQL resolvers share (graphql_exec.c, the reads, and
 * graphql_mutations.c): the execution's state, the object writer that
 * nulls a failing field as GraphQL says, batches of deployments whose
 * statuses are read once per field, and the checks of who may see and
 * write what. For the resolver files only.
 */
#ifndef DEPLOY_GRAPHQL_RESOLVE_H
#define DEPLOY_GRAPHQL_RESOLVE_H

#include <stdbool.h>

#include "access.h"
#include "gql_errors.h"
#include "gql_request.h"
#include "graphql_exec.h"
#include "store_graphql.h"

/* What a resolver returns besides 0: its value is null and its error is
 * recorded (GX_NULL), or the database failed and the request with it. */
#define GX_NULL 1
#define GX_FATAL (-1)

struct gx;
typedef int (*resolver_fn)(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);

struct gx {
	struct graphql_exec *x;
	struct jsonw *w;
	int64_t now;
	bool dry_run;       /* rateLimit(dryRun: true): only it is resolved */
};

/* The statuses of a batch's deployments for one field (a statuses
 * connection, or latestStatus), read once for all of them. */
struct status_cache {
	const struct gql_selection *field;
	struct graphql_status_page *pages;  /* one per deployment; NULL: failed */
	struct status_cache *next;
};

/* Deployments read together (a page, or one node): what their fields
 * select of the statuses is read for all of them at once. */
struct deployment_batch {
	const struct deployment *items;
	size_t count;
	const struct graphql_repository *repo;      /* of them all, or: */
	struct status_cache *cache;
	const struct graphql_repository *const *repos;  /* of each (nodes(ids:)) */
};

struct deployment_ref {
	struct deployment_batch *batch;
	size_t index;
};

struct status_ref {
	const struct deployment_status *status;
	const struct deployment_ref *deployment;
};

/* An object of type type: each field collected from sets, resolved by
 * fn; GX_NULL when a non-null field of it failed (the caller writes null). */
int gx_write_object(struct gx *g, const char *type, const struct gql_set *sets,
    const struct gql_path *path, resolver_fn fn, const void *obj);

/* Records an execution error at field: GX_NULL. */
int gx_add_error(struct gx *g, const char *type, const struct gql_path *path,
    const struct gql_selection *field, const struct buf *msg);
/* Keeps err for the reply: GX_FATAL. */
int gx_db_failed(struct gx *g, const struct db_error *err);
/* NOT_FOUND "Could not resolve to a node with the global id of '<id>'". */
int gx_not_found_node(struct gx *g, const struct gql_field_group *f,
    const struct gql_path *path, const char *id, size_t len);

/* A String value as C text; NULL for anything else or a string holding NUL. */
const char *gx_text(const struct gql_value *v);

/* Whether the caller may do what need says on r, by REST's rules. */
bool gx_allowed(struct gx *g, const struct graphql_repository *r, enum route_access need);
/* The repository id names, if the caller may see it: 1, 0, GX_FATAL. */
int gx_node_repository(struct gx *g, int64_t id, struct graphql_repository *r);

/* Releases what a batch read of the statuses. */
void gx_batch_release(struct deployment_batch *b);

/* The resolvers of Deployment (obj: a deployment_ref) and DeploymentStatus
 * (obj: a status_ref). */
int gx_resolve_deployment(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);
int gx_resolve_status(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);

/* The Mutation type's fields (graphql_mutations.c). */
int gx_resolve_mutation(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);

#endif
