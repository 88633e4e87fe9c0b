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

/* Window starts are kept in 32 bits as seconds since this moment
 * (2023-11-14), which lasts until 2159; a clock before it counts as it. */
#define WINDOW_EPOCH INT64_C(1700000000)

static uint64_t
pack(uint64_t start, uint64_t count)
{
	int64_t since = (int64_t)start - WINDOW_EPOCH;

	if (since < 0)
		since = 0;
	if (since > (int64_t)LOW32)
		since = LOW32;
	return ((uint64_t)since << 32) | (count & LOW32);
}

static int64_t
start_of(uint64_t word)
{
	return (int64_t)(word >> 32) + WINDOW_EPOCH;
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

/* A slot is in use while its counts or its grants are of a live window. */
static bool
slot_expired(const struct ratelimit_slot *s, int64_t now)
{
	return window_expired(atomic_load(&s->used), now) && window_expired(atomic_load(&s->granted), now);
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
		if (slot_expired(s, now))
			reusable[nreusable++] = s;
	}
	for (size_t i = 0; i < nreusable; i++) {
		struct ratelimit_slot *s = reusable[i];
		uint64_t k = atomic_load(&s->key);
		uint64_t used = atomic_load(&s->used), granted = atomic_load(&s->granted);

		if (k != 0 && !(window_expired(used, now) && window_expired(granted, now)))
			continue;
		if (atomic_compare_exchange_strong(&s->key, &k, key)) {
			/* Live windows of nothing counted or granted yet, so that
			 * the slot is not taken again before its first count;
			 * unless another worker counting for this key got there
			 * first. The old claimed count needs no reset: it is of a
			 * window that ended, and every count is read with its
			 * window. */
			atomic_compare_exchange_strong(&s->used, &used, pack((uint64_t)now, 0));
			atomic_compare_exchange_strong(&s->granted, &granted, pack((uint64_t)now, 0));
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

/* Adds n to the count of word's window, or starts window start with n. */
static uint64_t
add_in_window(_Atomic uint64_t *word, int64_t start, int64_t n)
{
	uint64_t old = atomic_load(word), next;

	do {
		int64_t total = (start_of(old) == start ? count_of(old) : 0) + n;

		next = pack((uint64_t)start, (uint64_t)(total < COUNT_MAX ? total : COUNT_MAX));
	} while (!atomic_compare_exchange_weak(word, &old, next));
	return next;
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
	int64_t unspent = start_of(used) == start_of(granted) ? count_of(granted) - count_of(used)
	                                                     : count_of(granted);

	out->reset = start_of(granted) + RATELIMIT_WINDOW_SECONDS;
	out->used = handed_out - (unspent > 0 ? unspent : 0);
	if (out->used < count_of(used))
		out->used = count_of(used);
	out->remaining = limit - out->used > 0 ? limit - out->used : 0;
}

/* One host alone (no store), or a budget without limit: the slot's count
 * is the budget, one CAS per request. */
static void
count_locally(struct ratelimit_slot *s, int64_t limit, int64_t now, struct ratelimit_result *out)
{
	uint64_t word = atomic_load(&s->used), next;

	do {
		bool expired = window_expired(word, now);
		int64_t start = expired ? now : start_of(word);
		int64_t count = expired ? 0 : count_of(word);

		out->reset = start + RATELIMIT_WINDOW_SECONDS;
		if (limit > 0 && count >= limit) {
			out->used = count;
			out->remaining = 0;
			out->exceeded = true;
			return;
		}
		next = pack((uint64_t)start, (uint64_t)(count < COUNT_MAX ? count + 1 : count));
	} while (!atomic_compare_exchange_weak(&s->used, &word, next));
	out->used = count_of(next);
	out->remaining = out->limit - out->used > 0 ? out->limit - out->used : 0;
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
		uint64_t next;

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
		next = pack((uint64_t)start_of(granted), (uint64_t)count + 1);
		if (atomic_compare_exchange_weak(&s->used, &used, next)) {
			describe(s, next, granted, limit, out);
			return SPENT;
		}
	}
}

/* What the store granted, into the slot. The request that asked counts one
 * of it at once, so that no other worker can spend it first and leave this
 * one asking again: counted before the grant is added, so that the others
 * can never spend more than was granted. */
static void
take_grant(struct ratelimit_slot *s, const struct ratelimit_claim *c, int64_t limit,
    struct ratelimit_result *out)
{
	uint64_t used = 0, granted;

	if (c->granted > 0)
		used = add_in_window(&s->used, c->window_start, 1);
	granted = add_in_window(&s->granted, c->window_start, c->granted);
	raise_claimed(s, c->window_start, c->claimed);
	if (c->granted > 0)
		describe(s, used, granted, limit, out);
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
	if (limit <= 0 || store == NULL) {
		count_locally(s, limit, now, out);
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
		/* Asked again only when the limit grew while the store said
		 * none was left; a changing limit cannot keep a request here. */
		if (asked == CLAIMS_PER_REQUEST)
			return;
		want = store->share > 0 && limit / store->share > 1 ? limit / store->share : 1;
		if (store->claim(store->arg, s == &t->overflow ? overflow_key() : key, want, limit, &c) < 0)
			return; /* no store: counted by no one, as without a table */
		take_grant(s, &c, limit, out);
		if (c.granted > 0)
			return;
	}
}
