#include "config.h"

#include "resolve_cache.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "store_deployments.h"

struct cache_entry {
	char *key;           /* NULL: empty */
	int64_t expires_ns;
	/* Only the caller's part: token, principal, repository, permission. */
	struct resolution who;
};

struct resolve_cache {
	struct cache_entry *slots;
	size_t nslots;
	int64_t max_age_ns;
};

struct resolve_cache *
resolve_cache_create(size_t slots, int64_t max_age_ms)
{
	struct resolve_cache *c = xcalloc(1, sizeof(*c));

	c->nslots = max_age_ms > 0 ? slots : 0;
	c->slots = c->nslots ? xcalloc(c->nslots, sizeof(*c->slots)) : NULL;
	c->max_age_ns = max_age_ms * 1000000;
	return c;
}

static void
entry_clear(struct cache_entry *e)
{
	free(e->key);
	resolution_release(&e->who);
	memset(e, 0, sizeof(*e));
}

void
resolve_cache_destroy(struct resolve_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		entry_clear(&c->slots[i]);
	free(c->slots);
	free(c);
}

/* Owner and name compare without case, as the resolve statement compares
 * them: ASCII folding here can only split one repository over two keys
 * (each resolved by the database), never join two. Each part is preceded
 * by its length, so no bytes of a decoded path segment can make two
 * (owner, name) pairs one key. */
static void
put_folded(struct buf *key, const char *s)
{
	buf_printf(key, "%zu:", s ? strlen(s) : 0);
	for (; s && *s; s++)
		buf_putc(key, (char)tolower((unsigned char)*s));
}

static void
key_of(struct buf *key, const struct resolve_request *q)
{
	buf_puts(key, q->token_hash ? q->token_hash : "-");
	put_folded(key, q->owner);
	put_folded(key, q->name);
}

static void
copy_caller(struct resolution *dst, const struct resolution *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->token_found = src->token_found;
	dst->token_expired = src->token_expired;
	principal_copy(&dst->principal, &src->principal);
	dst->repo_found = src->repo_found;
	repository_copy(&dst->repo, &src->repo);
	dst->permission = src->permission;
}

/* What a hit cannot take from the cache: the path's deployment, or the id
 * of the row the route creates. */
static int
resolve_rest(struct db *db, const struct resolve_request *q, struct resolution *out,
    struct db_error *err)
{
	int64_t id;
	int found;

	out->now = (int64_t)time(NULL);
	if (!out->repo_found)
		return 0;
	if (q->id_sequence)
		return store_next_id(db, q->id_sequence, &out->new_id, err);
	if (q->deployment_id == NULL || parse_int64(q->deployment_id, 1, INT64_MAX, &id) < 0)
		return 0;
	found = store_deployment_get(db, out->repo.id, id, &out->deployment, err);
	if (found < 0)
		return -1;
	out->deployment_found = found == 1;
	return 0;
}

int
resolve_cached(struct resolve_cache *c, struct db *db, const struct resolve_request *q,
    struct resolution *out, struct db_error *err)
{
	struct buf key = BUF_INIT;
	struct cache_entry *e;
	uint64_t hash[2];
	int64_t now = monotonic_ns();

	if (c->nslots == 0)
		return store_resolve(db, q, out, err);
	key_of(&key, q);
	hash128(key.data, key.len, hash);
	e = &c->slots[hash[0] % c->nslots];
	if (e->key && now < e->expires_ns && strcmp(e->key, key.data) == 0) {
		buf_release(&key);
		copy_caller(out, &e->who);
		if (resolve_rest(db, q, out, err) < 0) {
			resolution_release(out);
			return -1;
		}
		return 0;
	}
	if (store_resolve(db, q, out, err) < 0) {
		buf_release(&key);
		return -1;
	}
	entry_clear(e);
	e->key = buf_detach(&key);
	e->expires_ns = now + c->max_age_ns;
	copy_caller(&e->who, out);
	return 0;
}
