#include "config.h"

#include "ratelimit.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#define RATELIMIT_PROBES 32
#define LOW32 0xffffffffu
/* Counts are kept in 32 bits; a larger budget is this one. */
#define COUNT_MAX INT64_C(2147483647)
/* A budget's store is asked again at most this often for one request
 * (other workers of the host may spend what it granted first). */
#define CLAIMS_PER_REQUEST 4

/* Each word packs a window's start (high 32 bits, epoch seconds) and a
 * count in it (low 32 bits), so both change in one CAS and a count of an
 * earlier window is never taken for this one's. */
struct ratelimit_slot {
	_Atomic uint64_t key;
	_Atomic uint64_t used;     /* requests this host counted */
	_Atomic uint64_t granted;  /* requests the budget's store let this host count */
	_Atomic uint64_t claimed;  /* requests the store let every host count, when it last said */
};

struct ratelimit_table {
	size_t nslots;
	/* The budget shared by every caller that finds no slot of its own:
	 * while the table is full of live budgets (a flood from many source
	 * addresses), newcomers are limited together, never not at all. */
	struct ratelimit_slot overflow;
	struct ratelimit_slot slots[];
};

struct ratelimit_table *
ratelimit_create(size_t nslots)
{
	size_t size = sizeof(struct ratelimit_table) + nslots * sizeof(struct ratelimit_slot);
	struct ratelimit_table *t;

	t = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return NULL;
	t->nslots = nslots;
	return t;
}

void
ratelimit_destroy(struct ratelimit_table *t)
{
	if (t)
		munmap(t, sizeof(*t) + t->nslots * sizeof(struct ratelimit_slot));
}

uint64_t
ratelimit_key(char kind, const char *id)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	h = (h ^ (unsigned char)kind) * 1099511628211ULL;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	/* Finalizer so nearby ids spread over the table. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1;
}

static uint64_t
pack(uint64_t start, uint64_t count)
{
	return (start << 32) | (count & LOW32);
}

static int64_t
start_of(uint64_t word)
{
	return (int64_t)(word >> 32);
}

static int64_t
count_of(uint64_t word)
{
	return (int64_t)(word & LOW32);
}

static bool
window_expired(uint64_t word, int64_t now)
{
	return start_of(word) + RATELIMIT_WINDOW_SECONDS <= now;
}

/*
 * The key's own slot if it has one along its probe run (the run ends at an
 * empty slot), else a fresh one: the first empty or expired slot seen.
 * Looking for the key first matters: taking an expired slot that lies
 * before the key's live one would restart its budget mid-hour. When the
 * run holds only live budgets of other keys, the shared overflow slot.
 */
static struct ratelimit_slot *
find_slot(struct ratelimit_table *t, uint64_t key, int64_t now)
{
	size_t start = key % t->nslots;
	size_t probes = RATELIMIT_PROBES < t->nslots ? RATELIMIT_PROBES : t->nslots;
	struct ratelimit_slot *reusable[RATELIMIT_PROBES] = { NULL };
	size_t nreusable = 0;

	for (size_t i = 0; i < probes; i++) {
		struct ratelimit_slot *s = &t->slots[(start + i) % t->nslots];
		uint64_t k = atomic_load(&s->key);

		if (k == key)
			return s;
		if (k == 0) {
			reusable[nreusable++] = s;
			break;
		}
		if (window_expired(atomic_load(&s->granted), now))
			reusable[nreusable++] = s;
	}
	for (size_t i = 0; i < nreusable; i++) {
		struct ratelimit_slot *s = reusable[i];
		uint64_t k = atomic_load(&s->key);

		if (k != 0 && !window_expired(atomic_load(&s->granted), now))
			continue;
		if (atomic_compare_exchange_strong(&s->key, &k, key)) {
			/* A window of nothing granted yet, live, so that the
			 * slot is not taken again before its first count. */
			atomic_store(&s->used, pack((uint64_t)now, 0));
			atomic_store(&s->claimed, pack((uint64_t)now, 0));
			atomic_store(&s->granted, pack((uint64_t)now, 0));
			return s;
		}
		/* Another process took it, maybe for this very key. */
		if (k == key)
			return s;
	}
	return &t->overflow;
}

/* The store's word on how many it handed out in its window, kept unless
 * the slot already knows of more in that window. */
static void
raise_claimed(struct ratelimit_slot *s, int64_t window_start, int64_t claimed)
{
	uint64_t word = atomic_load(&s->claimed), next;

	next = pack((uint64_t)window_start, (uint64_t)(claimed < COUNT_MAX ? claimed : COUNT_MAX));
	while (start_of(word) != window_start || count_of(word) < count_of(next)) {
		if (atomic_compare_exchange_weak(&s->claimed, &word, next))
			break;
	}
}

/* What the store granted, into the slot: a new window replaces the old
 * one's counts, the same window adds to them. */
static void
take_grant(struct ratelimit_slot *s, const struct ratelimit_claim *c)
{
	uint64_t word = atomic_load(&s->granted), next;

	do {
		int64_t total = (start_of(word) == c->window_start ? count_of(word) : 0) + c->granted;

		next = pack((uint64_t)c->window_start, (uint64_t)(total < COUNT_MAX ? total : COUNT_MAX));
	} while (!atomic_compare_exchange_weak(&s->granted, &word, next));
	raise_claimed(s, c->window_start, c->claimed);
}

/* The store of a single host: the slot itself, which grants one request
 * at a time, within its window or in a new one from now, never past the
 * limit (one CAS decides, whatever other workers do meanwhile). */
static void
grant_locally(struct ratelimit_slot *s, int64_t limit, int64_t now)
{
	uint64_t word = atomic_load(&s->granted), next;
	int64_t start, count;

	do {
		bool expired = window_expired(word, now);

		start = expired ? now : start_of(word);
		count = expired ? 0 : count_of(word);
		if (count >= limit) {
			next = word;
			break;
		}
		next = pack((uint64_t)start, (uint64_t)count + 1);
	} while (!atomic_compare_exchange_weak(&s->granted, &word, next));
	raise_claimed(s, start, count_of(next) > count ? count_of(next) : count);
}

/* The numbers of the headers: the requests every host counted, as far as
 * this one knows, are what the store handed out less what this host has
 * not spent of its share. */
static void
describe(const struct ratelimit_slot *s, uint64_t used, uint64_t granted, int64_t limit,
    struct ratelimit_result *out)
{
	uint64_t claimed = atomic_load(&s->claimed);
	int64_t handed_out = start_of(claimed) == start_of(granted) ? count_of(claimed) : count_of(granted);
	int64_t unspent = count_of(granted) - count_of(used);

	out->reset = start_of(granted) + RATELIMIT_WINDOW_SECONDS;
	out->used = handed_out - (unspent > 0 ? unspent : 0);
	if (out->used < count_of(used))
		out->used = count_of(used);
	out->remaining = limit - out->used > 0 ? limit - out->used : 0;
}

/* Counts one unlimited request: nothing to ask anyone. */
static void
count_unlimited(struct ratelimit_slot *s, int64_t now, struct ratelimit_result *out)
{
	uint64_t word = atomic_load(&s->used), next;
	int64_t used;

	do {
		uint64_t start = window_expired(word, now) ? (uint64_t)now : (uint64_t)start_of(word);

		used = start_of(word) == (int64_t)start ? count_of(word) : 0;
		next = pack(start, (uint64_t)(used < COUNT_MAX ? used + 1 : used));
	} while (!atomic_compare_exchange_weak(&s->used, &word, next));
	out->used = count_of(next);
	out->remaining = out->limit - out->used;
	out->reset = start_of(next) + RATELIMIT_WINDOW_SECONDS;
}

enum spend { SPENT, NOTHING_LEFT, ASK };

/* One request out of what the store granted this host for the window. */
static enum spend
spend_one(struct ratelimit_slot *s, int64_t limit, int64_t now, struct ratelimit_result *out)
{
	uint64_t used = atomic_load(&s->used);

	for (;;) {
		uint64_t granted = atomic_load(&s->granted);
		uint64_t claimed = atomic_load(&s->claimed);
		int64_t count = start_of(used) == start_of(granted) ? count_of(used) : 0;

		if (window_expired(granted, now))
			return ASK;
		if (count >= count_of(granted)) {
			/* Nothing left here: the store has nothing left when it
			 * said so for this window and the limit has not grown. */
			if (start_of(claimed) != start_of(granted) || count_of(claimed) < limit)
				return ASK;
			describe(s, pack((uint64_t)start_of(granted), (uint64_t)count), granted, limit, out);
			out->used = out->used > limit ? out->used : limit;
			out->remaining = 0;
			return NOTHING_LEFT;
		}
		if (atomic_compare_exchange_weak(&s->used, &used,
		        pack((uint64_t)start_of(granted), (uint64_t)count + 1))) {
			describe(s, pack((uint64_t)start_of(granted), (uint64_t)count + 1), granted, limit, out);
			return SPENT;
		}
	}
}

static uint64_t
overflow_key(void)
{
	return ratelimit_key('o', "overflow");
}

void
ratelimit_consume(struct ratelimit_table *t, uint64_t key, int64_t limit, int64_t now,
    const struct ratelimit_store *store, struct ratelimit_result *out)
{
	struct ratelimit_slot *s = t ? find_slot(t, key, now) : NULL;

	memset(out, 0, sizeof(*out));
	out->limit = limit > 0 ? (limit < COUNT_MAX ? limit : COUNT_MAX) : RATELIMIT_UNLIMITED_LIMIT;
	out->remaining = out->limit;
	out->reset = now + RATELIMIT_WINDOW_SECONDS;
	if (s == NULL)
		return;
	if (limit <= 0) {
		count_unlimited(s, now, out);
		return;
	}
	limit = out->limit;
	for (int asked = 0;; asked++) {
		struct ratelimit_claim c;
		int64_t want;

		switch (spend_one(s, limit, now, out)) {
		case SPENT:
			return;
		case NOTHING_LEFT:
			out->exceeded = true;
			return;
		case ASK:
			break;
		}
		if (asked == CLAIMS_PER_REQUEST)
			return; /* the store keeps granting, to others first: let it pass */
		if (store == NULL) {
			grant_locally(s, limit, now);
			continue;
		}
		want = store->share > 0 && limit / store->share > 1 ? limit / store->share : 1;
		if (store->claim(store->arg, s == &t->overflow ? overflow_key() : key, want, limit, &c) < 0)
			return; /* no store: counted by no one, as without a table */
		take_grant(s, &c);
	}
}
