/*
 * Commit statuses in PostgreSQL (sql/0005): each call is one statement, one
 * round trip. "Latest" means the highest id of a context on a commit, the
 * same order the list is served in.
 */
#ifndef DEPLOY_STORE_COMMIT_STATUSES_H
#define DEPLOY_STORE_COMMIT_STATUSES_H

#include <stddef.h>

#include "db.h"
#include "model.h"

struct commit_status_insert {
	int64_t id;                  /* pre-allocated (store_resolve) */
	int64_t repository_id;
	const char *sha;             /* 40 hex, lower case */
	const char *state;
	const char *description;     /* NULL allowed */
	const char *target_url;      /* NULL allowed */
	const char *context;
	int64_t creator_id;
	int64_t created_at;          /* epoch seconds */
};

int store_commit_status_create(struct db *db, const struct commit_status_insert *s,
    struct db_error *err) MUST_CHECK;

struct commit_status_list {
	struct commit_status *items;
	size_t count;
	int64_t total;               /* in all pages */
};

/* A commit's statuses, newest first (creators read in full). */
int store_commit_status_list(struct db *db, int64_t repository_id, const char *sha, int64_t limit,
    int64_t offset, int64_t before_id, struct commit_status_list *out,
    struct db_error *err) MUST_CHECK;
void commit_status_list_release(struct commit_status_list *l);

struct combined_status {
	const char *state;           /* static: GitHub's combined rule */
	struct commit_status_list latest; /* this page, by context; total = contexts */
};

/* The latest status of each context, a page of them in context order, and
 * the combined state over all of them. */
int store_commit_status_combined(struct db *db, int64_t repository_id, const char *sha,
    int64_t limit, int64_t offset, struct combined_status *out, struct db_error *err) MUST_CHECK;
void combined_status_release(struct combined_status *c);

struct context_failure {
	char *context;
	char *state;                 /* "missing" when the context has no status */
};

struct context_failures {
	struct context_failure *items;
	size_t count;
};

/*
 * The contexts that keep a deployment of sha from being created.
 * required: JSON array text of context names (each must have latest state
 * success; one without any status fails as "missing"), or NULL for every
 * context that has a status on the commit. The caller skips the call for
 * an empty list.
 */
int store_commit_contexts_failing(struct db *db, int64_t repository_id, const char *sha,
    const char *required, struct context_failures *out, struct db_error *err) MUST_CHECK;
void context_failures_release(struct context_failures *f);

#endif
