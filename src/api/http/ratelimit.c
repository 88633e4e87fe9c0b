#include "config.h"

#include "ratelimit.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#define RATELIMIT_PROBES 32

/* state packs the hour's start (high 32 bits, epoch seconds) and the
 * requests counted in it (low 32 bits), so both change in one CAS. */
struct ratelimit_slot {
	_Atomic uint64_t key;
	_Atomic uint64_t state;
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
pack(uint64_t start, uint64_t used)
{
	return (start << 32) | (used & 0xffffffffu);
}

static bool
window_expired(uint64_t state, int64_t now)
{
	return (int64_t)(state >> 32) + RATELIMIT_WINDOW_SECONDS <= now;
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
		if (window_expired(atomic_load(&s->state), now))
			reusable[nreusable++] = s;
	}
	for (size_t i = 0; i < nreusable; i++) {
		struct ratelimit_slot *s = reusable[i];
		uint64_t k = atomic_load(&s->key);

		if (k != 0 && !window_expired(atomic_load(&s->state), now))
			continue;
		if (atomic_compare_exchange_strong(&s->key, &k, key)) {
			atomic_store(&s->state, pack((uint64_t)now, 0));
			return s;
		}
		/* Another process took it, maybe for this very key. */
		if (k == key)
			return s;
	}
	return &t->overflow;
}

void
ratelimit_consume(struct ratelimit_table *t, uint64_t key, int64_t limit, int64_t now,
    struct ratelimit_result *out)
{
	struct ratelimit_slot *s = t ? find_slot(t, key, now) : NULL;
	int64_t shown_limit = limit > 0 ? limit : RATELIMIT_UNLIMITED_LIMIT;
	uint64_t state, next;

	memset(out, 0, sizeof(*out));
	out->limit = shown_limit;
	out->remaining = shown_limit;
	out->reset = now + RATELIMIT_WINDOW_SECONDS;
	if (s == NULL)
		return;
	state = atomic_load(&s->state);
	for (;;) {
		uint64_t start = state >> 32;
		uint64_t used = state & 0xffffffffu;

		if (window_expired(state, now)) {
			start = (uint64_t)now;
			used = 0;
		}
		out->reset = (int64_t)start + RATELIMIT_WINDOW_SECONDS;
		if (limit > 0 && (int64_t)used >= limit) {
			out->used = (int64_t)used;
			out->remaining = 0;
			out->exceeded = true;
			return;
		}
		next = pack(start, used + 1);
		if (atomic_compare_exchange_weak(&s->state, &state, next)) {
			out->used = (int64_t)used + 1;
			out->remaining = shown_limit - out->used;
			if (out->remaining < 0)
				out->remaining = 0;
			return;
		}
	}
}
