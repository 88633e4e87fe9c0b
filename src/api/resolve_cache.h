/*
 * A worker's memory of who a token is and what it may do on a repository:
 * store_resolve's answer for a (token, owner, repository) is reused for
 * max_age_ms, so most requests skip the statement that joins token, user,
 * repository, owner and collaborator. Nothing invalidates an entry early,
 * on purpose: a change in the database (a token revoked or expired, a
 * collaborator removed, a repository made private, a permission changed)
 * then takes effect on every worker of every host within max_age_ms, with
 * no message between hosts to lose. docs/architecture.md, "Who is calling".
 *
 * Not from the cache: the deployment a path names (read by id on a hit,
 * store_deployment_get) and the id a create takes (store_next_id), which
 * store_resolve reads in its one statement on a miss. The clock on a hit
 * is this host's.
 */
#ifndef DEPLOY_RESOLVE_CACHE_H
#define DEPLOY_RESOLVE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store_resolve.h"

struct resolve_cache;

/* slots entries at most (a new key takes its slot's place); max_age_ms 0
 * turns the cache off (every request asks the database). */
struct resolve_cache *resolve_cache_create(size_t slots, int64_t max_age_ms);
void resolve_cache_destroy(struct resolve_cache *c);

/* store_resolve's contract, through the cache. */
int resolve_cached(struct resolve_cache *c, struct db *db, const struct resolve_request *q,
    struct resolution *out, struct db_error *err) MUST_CHECK;

#endif
