/*
 * Deployments in PostgreSQL: each call is one statement, one round trip.
 * Creating a deployment checks the commit's statuses and writes the
 * deployment and its outbox event in the same statement, so the check and
 * the rows see one snapshot, and both rows exist or neither does.
 */
#ifndef DEPLOY_STORE_DEPLOYMENTS_H
#define DEPLOY_STORE_DEPLOYMENTS_H

#include "db.h"
#include "model.h"
#include "store_commit_statuses.h"

/* What the commit's statuses must say before a deployment is created. */
enum contexts_check {
	CONTEXTS_UNCHECKED,  /* [] or legacy force */
	CONTEXTS_ALL,        /* required_contexts omitted: every context */
	CONTEXTS_NAMED,      /* the names in required_contexts */
};

struct deployment_insert {
	int64_t repository_id;
	int64_t creator_id;
	int64_t created_at;          /* epoch seconds */
	const char *sha;
	const char *ref;
	const char *task;
	const char *payload;         /* JSON text */
	const char *environment;
	const char *description;     /* NULL allowed */
	bool transient_environment;
	bool production_environment;
	const char *required_contexts; /* JSON array text, NULL: all */
	bool auto_merge;
	/* The API's base URLs, which the dispatcher builds the event's URLs
	 * from (docs/dispatch.md, "Rendering at fan-out"). */
	const char *api_url;
	const char *web_url;
	enum contexts_check check;
	/* What the environment's branch policies judge (sql/0009): "branch"
	 * or "tag" and the name without refs/heads/ or refs/tags/; kind NULL
	 * for a SHA or another ref, which no policy admits. */
	const char *ref_kind;
	const char *ref_name;
};

/* Creates the deployment, its event and (when new) its environment in one
 * statement, and says its id, unless the environment's branch policies
 * refuse the ref (*refused: the environment's name, newly allocated) or
 * the contexts check finds failing contexts (in failing): then nothing is
 * written and id is 0. */
int store_deployment_create(struct db *db, const struct deployment_insert *d, int64_t *id,
    struct context_failures *failing, char **refused, struct db_error *err) MUST_CHECK;

struct deployment_filter {
	const char *sha;          /* NULL or "": no filter */
	const char *ref;
	const char *task;
	const char *environment;
};

struct deployment_list {
	struct deployment *items;
	size_t count;
	/* Matching deployments in all pages, kept for the whole repository
	 * and per environment (sql/0007); -1 for the other filters, which
	 * are not counted: then more says whether a page follows. */
	int64_t total;
	bool more;
};

int store_deployment_list(struct db *db, int64_t repository_id, const struct deployment_filter *f,
    int64_t limit, int64_t offset, int64_t before_id, struct deployment_list *out,
    struct db_error *err) MUST_CHECK;
void deployment_list_release(struct deployment_list *l);

/* 1 found, 0 not found (in this repository), -1 error. */
int store_deployment_get(struct db *db, int64_t repository_id, int64_t id, struct deployment *out,
    struct db_error *err) MUST_CHECK;

enum deployment_delete_result {
	DEPLOYMENT_DELETED,
	DEPLOYMENT_NOT_FOUND,
	DEPLOYMENT_ACTIVE,
};

int store_deployment_delete(struct db *db, int64_t repository_id, int64_t id,
    enum deployment_delete_result *out, struct db_error *err) MUST_CHECK;

#endif
