/*
 * One request, start to end, in the order it flows: read (request.c),
 * version (media.c), route (router.c over routes.c), authenticate
 * (authenticate.c), handle (handlers/), common headers (ETag, media type,
 * request id), send (response.c), and one access log line.
 */
#ifndef DEPLOY_SERVE_H
#define DEPLOY_SERVE_H

#include <fcgiapp.h>

#include "api_config.h"
#include "api_metrics.h"
#include "authenticate.h"
#include "db.h"
#include "handler.h"
#include "ratelimit.h"

/* What every request of one worker shares, derived once from the
 * configuration when the worker starts. */
struct serve_env {
	struct db *db;
	int64_t body_max;
	const char *base_url;
	bool trust_proxy;
	struct handler_options options;
	struct rate_budgets budgets;
	struct resolve_cache *resolve_cache;
	struct api_metrics *metrics;  /* NULL: not counted */
};

void serve_env_init(struct serve_env *env, const struct api_config *config, struct db *db,
    struct ratelimit_table *table, struct api_metrics *metrics);
void serve_env_release(struct serve_env *env);

void serve_request(FCGX_Request *fcgx, const struct serve_env *env);

#endif
