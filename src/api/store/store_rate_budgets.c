#include "config.h"

#include "store_rate_budgets.h"

#include "store_rows.h"

static struct db_statement claim_statement = {
	.name = "rate_budget_claim",
	.nparams = 3,
	.sql = "SELECT window_start, claimed, granted FROM rate_budget_claim($1::bigint, $2::bigint, $3::bigint)",
};

int
store_rate_budget_claim(struct db *db, int64_t key, int64_t want, int64_t limit,
    struct rate_budget_claim *out, struct db_error *err)
{
	char key_text[STORE_INT_LEN], want_text[STORE_INT_LEN], limit_text[STORE_INT_LEN];
	const char *params[3] = { key_text, want_text, limit_text };
	PGresult *r;

	store_format_int(key_text, key);
	store_format_int(want_text, want);
	store_format_int(limit_text, limit);
	if ((r = db_exec(db, &claim_statement, params, err)) == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		db_error_set(err, DB_QUERY_FAILED, NULL, "rate_budget_claim returned no row");
		return -1;
	}
	out->window_start = db_get_int64(r, 0, 0);
	out->claimed = db_get_int64(r, 0, 1);
	out->granted = db_get_int64(r, 0, 2);
	PQclear(r);
	return 0;
}
