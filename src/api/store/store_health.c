#include "config.h"

#include "store_health.h"

#include "store_rows.h"

static struct db_statement ping_statement = {
	.name = "ping",
	.nparams = 0,
	.read_only = true,
	.sql = "SELECT 1",
};

int
store_ping(struct db *db, struct db_error *err)
{
	PGresult *r = db_exec(db, &ping_statement, NULL, err);

	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}
