/*
 * Who calls, and may they run the route: the credentials parsed and the
 * token hashed (credentials.c), caller, repository, permission and the
 * path's deployment resolved in one statement (store_resolve.c), or from
 * the worker's memory of recent callers (resolve_cache.c), the
 * request counted against the caller's hourly budget (ratelimit.c), then
 * GitHub's access rules (access.c, which holds the 401/403/404 wording).
 */
#ifndef DEPLOY_AUTHENTICATE_H
#define DEPLOY_AUTHENTICATE_H

#include <stdbool.h>
#include <stdint.h>

#include "api_metrics.h"
#include "handler.h"
#include "ratelimit.h"
#include "resolve_cache.h"

/* The host's budget table, the configured hourly limits, and how finely
 * hosts share a budget (ratelimit.h: a host asks for limit/share at a
 * time). */
struct rate_budgets {
	struct ratelimit_table *table;
	int64_t share;
	int64_t token_limit;        /* for tokens without a limit of their own */
	int64_t anonymous_limit;    /* per client address */
	struct api_metrics *metrics; /* counts the 403s; NULL: not counted */
};

/* True when the route may run; false when the response (401, 403, 404,
 * 503) is already in ctx->res. X-RateLimit-* and X-OAuth-Scopes headers
 * are added either way once the caller is known. */
bool authenticate_request(struct handler_ctx *ctx, const struct rate_budgets *budgets);

/* For a request answered before authentication (an unknown API version, a
 * body too large or cut short): counts it against the budget of the token
 * it carries, or of the client address when it has none that resolves,
 * and adds the X-RateLimit-* headers. The response already in ctx->res
 * stays, even when the budget is spent. */
void authenticate_count_rejected(struct handler_ctx *ctx, const struct rate_budgets *budgets);

/* ctx->find_repository: the repository as store_resolve reads a path's,
 * for the token the request carries, through ctx->callers. */
int authenticate_find_repository(struct handler_ctx *ctx, const char *owner, const char *name,
    struct repository *repo, enum permission *permission, struct db_error *err);

#endif
