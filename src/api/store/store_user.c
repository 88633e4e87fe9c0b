#include "config.h"

#include "store_user.h"

#include "store_rows.h"

#include <stdio.h>
#include <string.h>

static struct db_statement user_counts_statement = {
	.name = "user_counts",
	.nparams = 1,
	.read_only = true,
	.sql =
	    "SELECT count(*) FILTER (WHERE NOT r.private),"
	    "       count(*) FILTER (WHERE r.private),"
	    "       (SELECT count(*) FROM repositories p"
	    "          LEFT JOIN collaborators c ON c.repository_id = p.id AND c.user_id = $1"
	    "         WHERE p.private AND (p.owner_id = $1 OR c.user_id IS NOT NULL)),"
	    "       (SELECT count(DISTINCT c.user_id) FROM collaborators c"
	    "          JOIN repositories o ON o.id = c.repository_id WHERE o.owner_id = $1)"
	    "  FROM repositories r WHERE r.owner_id = $1",
};

int
store_user_counts(struct db *db, int64_t user_id, struct user_counts *out, struct db_error *err)
{
	char id[STORE_INT_LEN];
	const char *params[1] = { id };
	PGresult *r;

	store_format_int(id, user_id);
	r = db_exec(db, &user_counts_statement, params, err);
	if (r == NULL)
		return -1;
	out->public_repos = db_get_int64(r, 0, 0);
	out->owned_private_repos = db_get_int64(r, 0, 1);
	out->total_private_repos = db_get_int64(r, 0, 2);
	out->collaborators = db_get_int64(r, 0, 3);
	PQclear(r);
	return 0;
}
