/* The shared rate-limit budgets (sql/0011_rate_budgets.sql): a host's
 * share of a token's or address's hourly budget, asked for when the share
 * it holds is spent (src/api/http/ratelimit.h). */
#ifndef DEPLOY_STORE_RATE_BUDGETS_H
#define DEPLOY_STORE_RATE_BUDGETS_H

#include <stdint.h>

#include "db.h"

struct rate_budget_claim {
	int64_t window_start;   /* epoch seconds, the database's clock */
	int64_t claimed;        /* handed out to every host in the window */
	int64_t granted;        /* to this call: 0 when the budget is spent */
};

/* Asks for up to want requests of key's budget of limit an hour. */
int store_rate_budget_claim(struct db *db, int64_t key, int64_t want, int64_t limit,
    struct rate_budget_claim *out, struct db_error *err) MUST_CHECK;

#endif
