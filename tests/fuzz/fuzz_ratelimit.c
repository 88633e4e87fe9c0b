/*
 * The rate limiter (ratelimit.c): the input is a sequence of requests, five
 * bytes each (the caller's key, one of 256; the seconds since the previous
 * request; the host that serves it, one of three, or none), against tables
 * of 16 slots, so that tables fill, slots expire and callers overflow. One
 * table counts alone (no store); three share a store that behaves as
 * sql/0011_rate_budgets.sql does. Promises: a budget is never exceeded,
 * alone or across the three hosts, whether the caller has a slot of its own
 * or shares the overflow budget; the headers' numbers agree with each other.
 */
#include "config.h"

#include <string.h>

#include "budget_store.h"
#include "fuzz.h"
#include "ratelimit.h"

#define FUZZ_LIMIT 7
#define FUZZ_HOSTS 3

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ratelimit_table *alone, *hosts[FUZZ_HOSTS];
	static struct budget_store st;
	static int64_t now = 1795240860;
	struct ratelimit_store store = { .claim = budget_store_claim, .arg = &st, .share = 3 };
	int64_t let_through = 0;  /* by the three hosts */

	/* One set of tables for the process; each input starts after every
	 * budget of the inputs before it has expired. A clock run past the
	 * years the tables can hold (2159) starts a new process, as it were. */
	if (now > INT64_C(4000000000)) {
		ratelimit_destroy(alone);
		for (int h = 0; h < FUZZ_HOSTS; h++)
			ratelimit_destroy(hosts[h]);
		alone = NULL;
		now = 1795240860;
	}
	if (alone == NULL) {
		alone = ratelimit_create(16);
		for (int h = 0; h < FUZZ_HOSTS; h++)
			hosts[h] = ratelimit_create(16);
	}
	fuzz_require(alone != NULL && hosts[0] != NULL && hosts[1] != NULL && hosts[2] != NULL);
	now += 2 * RATELIMIT_WINDOW_SECONDS;
	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i + 5 <= size; i += 5) {
		struct ratelimit_result r;
		uint64_t key = ((uint64_t)data[i] + 1) * 0x9e3779b97f4a7c15ULL;
		int host = data[i + 3] % (FUZZ_HOSTS + 1);

		now += data[i + 1] | (data[i + 2] << 8);
		st.now = now;
		if (host == FUZZ_HOSTS)
			ratelimit_consume(alone, key, FUZZ_LIMIT, now, NULL, &r);
		else {
			ratelimit_consume(hosts[host], key, FUZZ_LIMIT, now, &store, &r);
			let_through += !r.exceeded;
		}
		fuzz_require(r.limit == FUZZ_LIMIT);
		fuzz_require(r.used <= FUZZ_LIMIT && r.used >= 0);
		fuzz_require(r.remaining == FUZZ_LIMIT - r.used);
		fuzz_require(!r.exceeded || (r.used == FUZZ_LIMIT && r.remaining == 0));
		fuzz_require(r.exceeded || r.used >= 1);
		fuzz_require(r.reset > now - RATELIMIT_WINDOW_SECONDS && r.reset <= now + RATELIMIT_WINDOW_SECONDS);
	}
	/* The hosts let through only what the store handed out, and it never
	 * hands out more than a budget's limit in a window. */
	fuzz_require(let_through <= st.handed_out);
	for (size_t b = 0; b < BUDGET_STORE_KEYS; b++)
		fuzz_require(st.budgets[b].claimed <= FUZZ_LIMIT);
	return 0;
}
