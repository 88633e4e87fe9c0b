/*
 * The reads of the GraphQL API (graphql.md sections 3 and 6): a
 * repository by owner and name or by id with the caller's permission, a
 * page of a repository's deployments, and the statuses of every
 * deployment of a page at once. Each call is one statement, whatever the
 * page size, so a query costs a bounded number of round trips per
 * connection page.
 */
#ifndef DEPLOY_STORE_GRAPHQL_H
#define DEPLOY_STORE_GRAPHQL_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "model.h"

/* The most first or last may ask for (graphql.md section 8; GQL_PAGE_MAX,
 * which graphql_exec.c checks is the same). */
#define STORE_GRAPHQL_PAGE_MAX 100

/* A repository and what the caller may do with it. */
struct graphql_repository {
	struct repository repo;
	enum permission permission;
};

/* By owner and name, a repository is found as REST's path names it
 * (handler.h find_repository); by id: */
int store_graphql_repository_by_id(struct db *db, int64_t user_id, int64_t id,
    struct graphql_repository *out, struct db_error *err) MUST_CHECK;

/* A place in a connection's order: what its cursor holds. Deployments'
 * cursors hold created_at too, as GitHub's do; the order is the id's. */
struct graphql_key {
	bool set;
	int64_t created_at;   /* epoch seconds; deployments only */
	int64_t id;
};

/* A Relay window (graphql.md section 6): the items strictly between
 * after and before in the connection's order, the first `limit` of them,
 * or the last when from_end (`last`). Uncounted, a page of deployments or
 * statuses comes without its total and what lies beyond it (the query asks
 * neither); environments are always counted. */
struct graphql_window {
	struct graphql_key after;
	struct graphql_key before;
	int64_t limit;
	bool from_end;
	bool counted;
};

struct graphql_page_info {
	int64_t total;           /* every item that matches the filters */
	bool has_next;
	bool has_previous;
};

struct graphql_deployment_page {
	struct deployment *items;    /* in the connection's order */
	size_t count;
	struct graphql_page_info info;
};

struct graphql_deployments_filter {
	int64_t repository_id;
	const char *environments;  /* a JSON array of names the current
	                              environment is one of; NULL: all */
	size_t environment_count;  /* its length; */
	const char *environment;   /* the name when it is 1 */
	const char *sha;           /* Commit.deployments; NULL: all */
	bool descending;           /* ordered by created_at (so by id) */
};

int store_graphql_deployments(struct db *db, const struct graphql_deployments_filter *f,
    const struct graphql_window *w, struct graphql_deployment_page *out,
    struct db_error *err) MUST_CHECK;
void graphql_deployment_page_release(struct graphql_deployment_page *p);

struct graphql_status_page {
	struct deployment_status *items;  /* newest first */
	size_t count;
	struct graphql_page_info info;
};

/* The window of the statuses (id descending) of each of n deployments,
 * into pages[0..n). */
int store_graphql_statuses(struct db *db, const int64_t *deployment_ids, size_t n,
    const struct graphql_window *w, struct graphql_status_page *pages,
    struct db_error *err) MUST_CHECK;
void graphql_status_page_release(struct graphql_status_page *p);

struct graphql_environment_page {
	struct environment *items;   /* in the connection's order */
	size_t count;
	struct graphql_page_info info;
};

struct graphql_environments_filter {
	int64_t repository_id;
	const char *names;   /* a JSON array of names the folded name is one of; NULL: all */
	bool descending;     /* ordered by the folded name */
};

/* A window of a repository's environments, ordered by folded name (unique
 * in a repository); cursors hold the id of the environment they follow. */
int store_graphql_environments(struct db *db, const struct graphql_environments_filter *f,
    const struct graphql_window *w, struct graphql_environment_page *out,
    struct db_error *err) MUST_CHECK;
void graphql_environment_page_release(struct graphql_environment_page *p);

/* Deployments, statuses, environments, repositories (with the caller's
 * permission) by ids, one statement each whatever their number
 * (nodes(ids:)): the rows found, in any order, in a new array (free it,
 * and release each). 0 or -1. */
struct graphql_deployment_row {
	int64_t repository_id;
	struct deployment deployment;
};

struct graphql_status_row {
	int64_t repository_id;
	struct deployment_status status;
};

struct graphql_environment_row {
	int64_t repository_id;
	struct environment environment;
};

int store_graphql_deployments_by_id(struct db *db, const int64_t *ids, size_t n,
    struct graphql_deployment_row **rows, size_t *count, struct db_error *err) MUST_CHECK;
int store_graphql_statuses_by_id(struct db *db, const int64_t *ids, size_t n,
    struct graphql_status_row **rows, size_t *count, struct db_error *err) MUST_CHECK;
int store_graphql_environments_by_id(struct db *db, const int64_t *ids, size_t n,
    struct graphql_environment_row **rows, size_t *count, struct db_error *err) MUST_CHECK;
int store_graphql_repositories_by_id(struct db *db, int64_t user_id, const int64_t *ids,
    size_t n, struct graphql_repository **rows, size_t *count, struct db_error *err) MUST_CHECK;

/* A deployment by id with its repository's id: 1, 0, -1. */
int store_graphql_deployment(struct db *db, int64_t id, struct deployment *out,
    int64_t *repository_id, struct db_error *err) MUST_CHECK;
/* A status by id with its deployment's repository's id: 1, 0, -1. */
int store_graphql_status(struct db *db, int64_t id, struct deployment_status *out,
    int64_t *repository_id, struct db_error *err) MUST_CHECK;

#endif
