/*
 * GitHub-style hourly request budgets, counted in a table of shared memory
 * that the master maps before forking, so that every worker of a host
 * counts against the same budget without a database round trip. A budget's
 * hour starts at its first request (X-RateLimit-Reset = start + 3600).
 *
 * Slots are claimed lock-free with compare-and-swap; a slot whose hour has
 * passed is reused. A caller that finds no slot along its probe run (the
 * table is full of live budgets) counts against one overflow budget that
 * all such callers share, with its own limit: stricter, never unlimited.
 * Without a table (it could not be mapped) requests are allowed.
 */
#ifndef DEPLOY_RATELIMIT_H
#define DEPLOY_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define RATELIMIT_WINDOW_SECONDS 3600
/* What X-RateLimit-Limit says for a budget of 0 (unlimited): a number, so
 * clients that throttle on "remaining" never stop. */
#define RATELIMIT_UNLIMITED_LIMIT 2147483647

struct ratelimit_table;

struct ratelimit_result {
	int64_t limit;
	int64_t remaining;
	int64_t used;
	int64_t reset;      /* epoch seconds */
	bool exceeded;
};

/* Maps a table of nslots slots shared with every process forked later. */
struct ratelimit_table *ratelimit_create(size_t nslots);
void ratelimit_destroy(struct ratelimit_table *t);

/* A key from a kind ('t' token, 'a' address) and an identifying string. */
uint64_t ratelimit_key(char kind, const char *id);

/* Counts one request against key's budget of limit per hour (0: no
 * limit) at time now. A request over the budget is not counted. */
void ratelimit_consume(struct ratelimit_table *t, uint64_t key, int64_t limit, int64_t now,
    struct ratelimit_result *out);

#endif
