#include "config.h"

#include "store_statuses.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_rows.h"

#define SERIALIZATION_FAILURE "40001"

static struct db_statement create_statement = {
	.name = "status_create",
	.nparams = 15,
	.sql =
	    "SELECT deployment_status_create($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
	    " $13, $14, $15)",
};

static struct db_statement list_statement = {
	.name = "status_list",
	.nparams = 4,
	.read_only = true,
};

/* Built on first use (store_page_counted_sql). */
static struct db_statement *
status_list_statement(void)
{
	static const struct store_list list = {
		.ids = "SELECT id FROM deployment_statuses WHERE deployment_id = $1",
		.rows = "SELECT " STORE_STATUS_COLUMNS("s", "u")
		    " FROM deployment_statuses s JOIN users u ON u.id = s.creator_id",
		.id_column = "s.id",
	};
	struct buf sql = BUF_INIT;

	if (list_statement.sql)
		return &list_statement;
	store_page_counted_sql(&sql,
	    "SELECT COALESCE((SELECT n FROM status_totals WHERE deployment_id = $1), 0) AS total",
	    &list);
	list_statement.sql = buf_detach(&sql);
	return &list_statement;
}

static struct db_statement get_statement = {
	.name = "status_get",
	.nparams = 2,
	.read_only = true,
	.sql =
	    "SELECT " STORE_STATUS_COLUMNS("s", "u")
	    "  FROM deployment_statuses s JOIN users u ON u.id = s.creator_id"
	    " WHERE s.id = $1 AND s.deployment_id = $2",
};

int
store_status_create(struct db *db, const struct status_insert *s, int64_t *status_id,
    enum status_create_result *result, struct db_error *err)
{
	char repo[STORE_INT_LEN], dep[STORE_INT_LEN];
	char creator[STORE_INT_LEN], created[STORE_INT_LEN];
	const char *params[15] = {
		repo, dep, s->expected_environment, s->state, creator, s->description,
		s->environment, s->target_url, s->log_url, s->environment_url,
		s->auto_inactive ? "t" : "f", s->cascade_production ? "t" : "f", created,
		s->api_url, s->web_url,
	};
	PGresult *r;

	store_format_int(repo, s->repository_id);
	store_format_int(dep, s->deployment_id);
	store_format_int(creator, s->creator_id);
	store_format_int(created, s->created_at);
	r = db_exec(db, &create_statement, params, err);
	if (r == NULL) {
		if (err->failure == DB_QUERY_FAILED && strcmp(err->sqlstate, SERIALIZATION_FAILURE) == 0) {
			*result = STATUS_ENVIRONMENT_CHANGED;
			return 0;
		}
		return -1;
	}
	if (PQgetisnull(r, 0, 0)) {
		*result = STATUS_DEPLOYMENT_NOT_FOUND;
	} else {
		*result = STATUS_CREATED;
		*status_id = db_get_int64(r, 0, 0);
	}
	PQclear(r);
	return 0;
}

static void
read_status_row(const PGresult *r, int row, int col, void *item)
{
	store_read_status(r, row, col, item);
}

int
store_status_list(struct db *db, int64_t deployment_id, int64_t limit, int64_t offset,
    int64_t before_id, struct status_list *out, struct db_error *err)
{
	char dep[STORE_INT_LEN], before[STORE_INT_LEN], lim[STORE_INT_LEN], off[STORE_INT_LEN];
	const char *params[4] = { dep, before_id > 0 ? before : NULL, lim, off };
	struct store_page page;

	store_format_int(dep, deployment_id);
	store_format_int(before, before_id);
	store_format_int(lim, limit);
	store_format_int(off, offset);
	return STORE_READ_LIST(db, status_list_statement(), params, limit, read_status_row, out, &page,
	    err);
}

STORE_LIST_RELEASE(status_list, deployment_status_release)

int
store_status_get(struct db *db, int64_t deployment_id, int64_t status_id,
    struct deployment_status *out, struct db_error *err)
{
	char sid[STORE_INT_LEN], dep[STORE_INT_LEN];
	const char *params[2] = { sid, dep };

	store_format_int(sid, status_id);
	store_format_int(dep, deployment_id);
	return store_read_one(db, &get_statement, params, read_status_row, out, sizeof(*out), err);
}
