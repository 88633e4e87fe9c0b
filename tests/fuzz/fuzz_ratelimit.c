/*
 * The rate limiter (ratelimit.c): the input is a sequence of requests, five
 * bytes each (the caller's key, one of 256, and the seconds since the
 * previous request), against a table of 16 slots, so that the table fills,
 * slots expire and callers overflow. Promises: a budget is never exceeded,
 * whether the caller has a slot of its own or shares the overflow budget;
 * the headers' numbers agree with each other.
 */
#include "config.h"

#include "fuzz.h"
#include "ratelimit.h"

#define FUZZ_LIMIT 3

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ratelimit_table *table;
	static int64_t now = 1795240860;

	/* One table for the process; each input starts after every budget of
	 * the inputs before it has expired. */
	if (table == NULL)
		table = ratelimit_create(16);
	fuzz_require(table != NULL);
	now += 2 * RATELIMIT_WINDOW_SECONDS;
	for (size_t i = 0; i + 5 <= size; i += 5) {
		struct ratelimit_result r;
		uint64_t key = (uint64_t)data[i] + 1;

		now += data[i + 1] | (data[i + 2] << 8);
		ratelimit_consume(table, key * 0x9e3779b97f4a7c15ULL, FUZZ_LIMIT, now, &r);
		fuzz_require(r.limit == FUZZ_LIMIT);
		fuzz_require(r.used <= FUZZ_LIMIT && r.used >= 0);
		fuzz_require(r.remaining == FUZZ_LIMIT - r.used);
		fuzz_require(!r.exceeded || (r.used == FUZZ_LIMIT && r.remaining == 0));
		fuzz_require(r.exceeded || r.used >= 1);
		fuzz_require(r.reset > now - RATELIMIT_WINDOW_SECONDS && r.reset <= now + RATELIMIT_WINDOW_SECONDS);
	}
	return 0;
}
