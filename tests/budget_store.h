/*
 * A budget store in memory that behaves as sql/0011_rate_budgets.sql does
 * (a window and a count handed out per key), for the rate limiter's unit
 * tests and fuzz target: several tables (hosts) given one of these share
 * its budgets.
 */
#ifndef DEPLOY_TEST_BUDGET_STORE_H
#define DEPLOY_TEST_BUDGET_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ratelimit.h"

#define BUDGET_STORE_KEYS 512

struct budget_store {
	struct {
		uint64_t key;
		int64_t window_start, claimed;
	} budgets[BUDGET_STORE_KEYS];
	int64_t now;          /* the store's clock */
	int64_t handed_out;   /* granted over every window */
	int64_t claims;       /* calls answered */
	bool down;            /* answer -1, as a database that is gone */
};

/* A ratelimit_store's claim function; arg is a struct budget_store. */
int budget_store_claim(void *arg, uint64_t key, int64_t want, int64_t limit,
    struct ratelimit_claim *out);

#endif
