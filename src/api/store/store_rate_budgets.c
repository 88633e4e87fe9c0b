#include "config.h"

#include "store_rate_budgets.h"

#include "store_rows.h"
#include "util.h"

static struct db_statement claim_statement = {
	.name = "rate_budget_claim",
	.nparams = 3,
	.sql = "SELECT window_start, claimed, granted FROM rate_budget_claim($1::bigint, $2::bigint, $3::bigint)",
};

int
store_rate_budget_claim(struct db *db, int64_t key, int64_t want, int64_t limit,
    struct rate_budget_claim *out, struct db_error *err)
{
	char key_text[INT64_DECIMAL_MAX + 1], want_text[INT64_DECIMAL_MAX + 1];
	char limit_text[INT64_DECIMAL_MAX + 1];
	const char *params[3] = { key_text, want_text, limit_text };
	PGresult *r;

	key_text[format_int64(key, key_text)] = '\0';
	want_text[format_int64(want, want_text)] = '\0';
	limit_text[format_int64(limit, limit_text)] = '\0';
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
