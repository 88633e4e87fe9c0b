#include "config.h"

#include "store_commit_statuses.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_rows.h"

/* id, sha, state, description, target_url, context, created_at,
 * updated_at, then the creator's user columns (or only its id). */
#define COMMIT_STATUS_COLUMNS(s)                                            \
	s ".id, " s ".sha, " s ".state, " s ".description, " s ".target_url, " \
	s ".context, " STORE_EPOCH(s ".created_at") ", " STORE_EPOCH(s ".updated_at")
#define COMMIT_STATUS_NCOLUMNS 8

static struct db_statement create_statement = {
	.name = "commit_status_create",
	.nparams = 9,
	.sql =
	    "INSERT INTO commit_statuses (id, repository_id, sha, state, description, target_url,"
	    "    context, creator_id, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9), to_timestamp($9))",
};

/* The count comes in every row, and in a row of NULLs when the page is
 * empty, so one round trip gives both (as the other lists do). */
static struct db_statement list_statement = {
	.name = "commit_status_list",
	.nparams = 5,
	.read_only = true,
	.sql =
	    "SELECT c.total, p.* FROM (SELECT count(*) AS total FROM commit_statuses"
	    "                          WHERE repository_id = $1 AND sha = $2) c"
	    "  LEFT JOIN LATERAL (SELECT " COMMIT_STATUS_COLUMNS("s") ", " STORE_USER_COLUMNS("u")
	    "    FROM commit_statuses s JOIN users u ON u.id = s.creator_id"
	    "   WHERE s.repository_id = $1 AND s.sha = $2"
	    "     AND s.id < COALESCE($3::bigint, 9223372036854775807)"
	    "   ORDER BY s.id DESC LIMIT $4 OFFSET $5) p ON true",
};

/*
 * DISTINCT ON walks commit_statuses_latest in (context, id DESC) order, so
 * the first row of each context is its latest with no sort. The counts for
 * the combined state cover every context; the page is a slice of them.
 */
static struct db_statement combined_statement = {
	.name = "commit_status_combined",
	.nparams = 4,
	.read_only = true,
	.sql =
	    "WITH latest AS MATERIALIZED ("
	    "  SELECT DISTINCT ON (s.context) " COMMIT_STATUS_COLUMNS("s") ", s.creator_id"
	    "    FROM commit_statuses s"
	    "   WHERE s.repository_id = $1 AND s.sha = $2"
	    "   ORDER BY s.context, s.id DESC)"
	    " SELECT c.total, c.failing, c.pending, p.* FROM ("
	    "   SELECT count(*) AS total,"
	    "          count(*) FILTER (WHERE state IN ('error', 'failure')) AS failing,"
	    "          count(*) FILTER (WHERE state = 'pending') AS pending"
	    "     FROM latest) c"
	    "  LEFT JOIN LATERAL (SELECT * FROM latest ORDER BY context LIMIT $3 OFFSET $4) p ON true",
};

static void
read_commit_status(const PGresult *r, int row, int col, struct commit_status *out)
{
	out->id = db_get_int64(r, row, col);
	snprintf(out->sha, sizeof(out->sha), "%s", PQgetvalue(r, row, col + 1));
	out->state = xstrdup(PQgetvalue(r, row, col + 2));
	out->description = store_text_or_null(r, row, col + 3);
	out->target_url = store_text_or_null(r, row, col + 4);
	out->context = xstrdup(PQgetvalue(r, row, col + 5));
	out->created_at = db_get_int64(r, row, col + 6);
	out->updated_at = db_get_int64(r, row, col + 7);
}

int
store_commit_status_create(struct db *db, const struct commit_status_insert *s,
    struct db_error *err)
{
	char id[STORE_INT_LEN], repo[STORE_INT_LEN], creator[STORE_INT_LEN], created[STORE_INT_LEN];
	const char *params[9] = {
		id, repo, s->sha, s->state, s->description, s->target_url, s->context, creator, created,
	};

	store_format_int(id, s->id);
	store_format_int(repo, s->repository_id);
	store_format_int(creator, s->creator_id);
	store_format_int(created, s->created_at);
	return store_exec_count(db, &create_statement, params, err) < 0 ? -1 : 0;
}

int
store_commit_status_list(struct db *db, int64_t repository_id, const char *sha, int64_t limit,
    int64_t offset, int64_t before_id, struct commit_status_list *out, struct db_error *err)
{
	char repo[STORE_INT_LEN], before[STORE_INT_LEN], lim[STORE_INT_LEN], off[STORE_INT_LEN];
	const char *params[5] = { repo, sha, before_id > 0 ? before : NULL, lim, off };
	PGresult *r;

	store_format_int(repo, repository_id);
	store_format_int(before, before_id);
	store_format_int(lim, limit);
	store_format_int(off, offset);
	memset(out, 0, sizeof(*out));
	r = db_exec(db, &list_statement, params, err);
	if (r == NULL)
		return -1;
	out->total = db_get_int64(r, 0, 0);
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 1)) {
		out->count = (size_t)PQntuples(r);
		out->items = xcalloc(out->count, sizeof(*out->items));
		for (size_t i = 0; i < out->count; i++) {
			read_commit_status(r, (int)i, 1, &out->items[i]);
			store_read_user(r, (int)i, 1 + COMMIT_STATUS_NCOLUMNS, &out->items[i].creator);
		}
	}
	PQclear(r);
	return 0;
}

STORE_LIST_RELEASE(commit_status_list, commit_status_release)

/* GitHub's rule: failure if any latest state is error or failure; pending
 * if there is none or any is pending; success when all are. */
static const char *
combined_state(int64_t total, int64_t failing, int64_t pending)
{
	if (failing > 0)
		return "failure";
	if (total == 0 || pending > 0)
		return "pending";
	return "success";
}

int
store_commit_status_combined(struct db *db, int64_t repository_id, const char *sha,
    int64_t limit, int64_t offset, struct combined_status *out, struct db_error *err)
{
	char repo[STORE_INT_LEN], lim[STORE_INT_LEN], off[STORE_INT_LEN];
	const char *params[4] = { repo, sha, lim, off };
	struct commit_status_list *l = &out->latest;
	PGresult *r;

	store_format_int(repo, repository_id);
	store_format_int(lim, limit);
	store_format_int(off, offset);
	memset(out, 0, sizeof(*out));
	r = db_exec(db, &combined_statement, params, err);
	if (r == NULL)
		return -1;
	l->total = db_get_int64(r, 0, 0);
	out->state = combined_state(l->total, db_get_int64(r, 0, 1), db_get_int64(r, 0, 2));
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 3)) {
		l->count = (size_t)PQntuples(r);
		l->items = xcalloc(l->count, sizeof(*l->items));
		for (size_t i = 0; i < l->count; i++) {
			read_commit_status(r, (int)i, 3, &l->items[i]);
			l->items[i].creator.id = db_get_int64(r, (int)i, 3 + COMMIT_STATUS_NCOLUMNS);
		}
	}
	PQclear(r);
	return 0;
}

void
combined_status_release(struct combined_status *c)
{
	commit_status_list_release(&c->latest);
	c->state = NULL;
}

void
context_failures_release(struct context_failures *f)
{
	for (size_t i = 0; i < f->count; i++) {
		free(f->items[i].context);
		free(f->items[i].state);
	}
	free(f->items);
	memset(f, 0, sizeof(*f));
}
