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
	bool more;                   /* always false: counted */
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
 * The contexts that keep a deployment of a commit from being created, as
 * SQL to embed in the statement that creates it (store_deployments.c), so
 * that the check and the insert see one snapshot in one round trip. REPO,
 * SHA and REQUIRED are the placeholders of the repository id, the commit
 * and the JSON array of required names. Each yields rows (context, state).
 *
 * ALL: every context on the commit whose latest state is not success.
 * NAMED: each named context (once, in the order given) whose latest state
 * is not success; one with no status at all fails as "missing".
 */
#define COMMIT_CONTEXTS_FAILING_ALL(REPO, SHA)                                   \
	"SELECT l.context, l.state FROM ("                                      \
	"  SELECT DISTINCT ON (context) context, state FROM commit_statuses"    \
	"   WHERE repository_id = " REPO " AND sha = " SHA                      \
	"   ORDER BY context, id DESC) l"                                       \
	" WHERE l.state <> 'success'"
#define COMMIT_CONTEXTS_FAILING_NAMED(REPO, SHA, REQUIRED)                       \
	"SELECT r.context, COALESCE(l.state, 'missing') AS state, r.n FROM ("   \
	"  SELECT e.context, min(e.n) AS n"                                     \
	"    FROM json_array_elements_text(" REQUIRED "::json)"                 \
	"         WITH ORDINALITY AS e(context, n)"                             \
	"   GROUP BY e.context) r"                                              \
	"  LEFT JOIN LATERAL (SELECT s.state FROM commit_statuses s"            \
	"     WHERE s.repository_id = " REPO " AND s.sha = " SHA                \
	"       AND s.context = r.context"                                      \
	"     ORDER BY s.id DESC LIMIT 1) l ON true"                            \
	" WHERE l.state IS DISTINCT FROM 'success'"

void context_failures_release(struct context_failures *f);

#endif
