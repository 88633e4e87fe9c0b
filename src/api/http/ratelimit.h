/*
 * GitHub-style hourly request budgets. A budget's hour starts at its first
 * request (X-RateLimit-Reset = start + 3600).
 *
 * Each host counts in a table of shared memory that the master maps before
 * forking, so its workers count with no database round trip. The budget
 * itself is the store's (struct ratelimit_store: PostgreSQL, shared by
 * every host): a host asks it for a share of a budget (1/share of the
 * limit at a time), counts requests against that share locally, and asks
 * again when it is spent. The store never hands out more than the limit,
 * so N hosts together never allow more than it; what hosts hold unspent
 * (at most N shares) is refused early, within N/share of the limit. With
 * no store, the table is the budget (one host).
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

/* What a budget's store answered: the budget's window (it may have begun
 * on another host), how many requests it let all hosts count in it, and
 * how many of those it just granted to the caller (0: none left). */
struct ratelimit_claim {
	int64_t window_start;   /* epoch seconds */
	int64_t claimed;
	int64_t granted;
};

struct ratelimit_store {
	/* Grants up to want more requests of key's budget of limit; -1 when
	 * the store cannot answer (the request is then allowed). */
	int (*claim)(void *arg, uint64_t key, int64_t want, int64_t limit, struct ratelimit_claim *out);
	void *arg;
	int64_t share;  /* a host asks for limit/share at a time (at least 1) */
};

/* Counts one request against key's budget of limit per hour (0: no
 * limit) at time now, asking store (NULL: the table is the budget) when
 * this host's share is spent. A request over the budget is not counted. */
void ratelimit_consume(struct ratelimit_table *t, uint64_t key, int64_t limit, int64_t now,
    const struct ratelimit_store *store, struct ratelimit_result *out);

#endif
