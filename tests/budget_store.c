#include "config.h"

#include "budget_store.h"

int
budget_store_claim(void *arg, uint64_t key, int64_t want, int64_t limit, struct ratelimit_claim *out)
{
	struct budget_store *st = arg;
	size_t i = key % BUDGET_STORE_KEYS;

	if (st->down)
		return -1;
	/* Linear probing: a test uses far fewer keys than slots. */
	while (st->budgets[i].key != key && st->budgets[i].key != 0)
		i = (i + 1) % BUDGET_STORE_KEYS;
	st->budgets[i].key = key;
	st->claims++;
	if (st->budgets[i].window_start + RATELIMIT_WINDOW_SECONDS <= st->now) {
		st->budgets[i].window_start = st->now;
		st->budgets[i].claimed = 0;
	}
	out->granted = limit - st->budgets[i].claimed < want ? limit - st->budgets[i].claimed : want;
	if (out->granted < 0)
		out->granted = 0;
	st->budgets[i].claimed += out->granted;
	st->handed_out += out->granted;
	out->window_start = st->budgets[i].window_start;
	out->claimed = st->budgets[i].claimed;
	return 0;
}
