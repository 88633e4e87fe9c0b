#include "config.h"

#include "serve.h"

#include <string.h>

#include "authenticate.h"
#include "resolve_cache.h"
#include "handler.h"
#include "input.h"
#include "log.h"
#include "media.h"
#include "routes.h"

/* Callers remembered per worker: a pool of 32 workers keeps 32 copies. */
#define RESOLVE_CACHE_SLOTS 1024

/* The answers decided before the caller is known: a body too large or
 * cut short, a query too long, an unknown API version (unless the route
 * ignores it). False when there is none. */
static bool
reply_unreadable(struct handler_ctx *ctx, enum request_read_result rr, const struct route *route)
{
	const struct request *req = ctx->req;
	struct buf msg = BUF_INIT;

	if (rr == REQUEST_BODY_TOO_LARGE) {
		response_error(ctx->res, 413, "Request body is too large");
		return true;
	}
	if (rr == REQUEST_BODY_INCOMPLETE) {
		response_error(ctx->res, 400, "Problems reading the request body");
		return true;
	}
	if (rr == REQUEST_QUERY_TOO_LONG) {
		response_error(ctx->res, 414, "URI Too Long");
		return true;
	}
	if ((route && route->any_api_version) || media_api_version_supported(req->api_version))
		return false;
	buf_printf(&msg, "Invalid API version: '%s'.", req->api_version);
	response_error(ctx->res, 400, buf_cstr(&msg));
	buf_release(&msg);
	return true;
}

/* Route, authenticate, handle: every path that ends with a response in
 * ctx->res, X-RateLimit-* headers included. */
static void
route_request(struct handler_ctx *ctx, const struct serve_env *env, enum request_read_result rr)
{
	struct request *req = ctx->req;
	/* A segment that does not decode names nothing: 404, but where the
	 * route says it answers a bad name itself (an environment's PUT: 422). */
	bool routed = !req->path_too_long &&
	    router_match(routes, routes_count, req->method, req->segments, req->nsegments,
		&ctx->match) == 0 &&
	    (!req->path_undecodable || ctx->match.route->takes_undecodable);

	if (reply_unreadable(ctx, rr, routed ? ctx->match.route : NULL)) {
		/* GitHub counts these too, and says so in the headers. */
		authenticate_count_rejected(ctx, &env->budgets);
		return;
	}
	if (routed) {
		ctx->res->documentation_url = ctx->match.route->documentation_url;
		if (ctx->match.route->access == ROUTE_OPEN) {
			ctx->match.route->handler(ctx);
			return;
		}
	}
	if (!authenticate_request(ctx, &env->budgets))
		return;
	if (req->invalid_query_name) {
		/* A filter or page that is not UTF-8 cannot match anything, and
		 * PostgreSQL would refuse it as a parameter. */
		struct validation v;

		validation_init(&v, "Query");
		validation_add(&v, req->invalid_query_name, "invalid");
		(void)validation_reply(&v, ctx);
		return;
	}
	ctx->match.route->handler(ctx);
}

/* "12.345": nanoseconds as milliseconds to the microsecond. */
static void
format_duration_ms(int64_t ns, char out[INT64_DECIMAL_MAX + 5])
{
	int64_t us = ns > 0 ? ns / 1000 : 0;
	size_t n = format_int64(us / 1000, out);

	out[n++] = '.';
	format_decimal_padded((unsigned)(us % 1000), 3, out + n);
	out[n + 3] = '\0';
}

static void
log_access(const struct request *req, const struct response *res, const struct handler_ctx *ctx)
{
	struct buf line = BUF_INIT;
	char value[64];

	log_begin_line(&line, "info");
	log_put_field(&line, "msg", "request");
	log_put_field(&line, "method", req->method);
	log_put_field(&line, "path", req->raw_path ? req->raw_path : "");
	value[format_int64(res->status, value)] = '\0';
	log_put_field(&line, "status", value);
	format_duration_ms(monotonic_ns() - req->started_ns, value);
	log_put_field(&line, "duration_ms", value);
	log_put_field(&line, "request_id", req->request_id);
	if (ctx->auth && ctx->auth->principal.authenticated)
		log_put_field(&line, "user", ctx->auth->principal.user.login);
	log_write_line(&line);
	buf_release(&line);
}

void
serve_env_init(struct serve_env *env, const struct api_config *config, struct db *db,
    struct ratelimit_table *table, struct api_metrics *metrics)
{
	*env = (struct serve_env){
		.db = db,
		.body_max = config->body_max,
		.base_url = config->base_url,
		.trust_proxy = config->trust_proxy,
		.options = {
			.cascade_skip_production = config->cascade_skip_production,
			.hook_targets = &config->hook_targets,
		},
		.budgets = {
			.table = table,
			.share = config->rate_limit_share,
			.token_limit = config->rate_limit,
			.anonymous_limit = config->anonymous_rate_limit,
			.metrics = metrics,
		},
		.resolve_cache = resolve_cache_create(RESOLVE_CACHE_SLOTS, config->auth_cache_ms),
		.metrics = metrics,
	};
}

void
serve_env_release(struct serve_env *env)
{
	resolve_cache_destroy(env->resolve_cache);
	env->resolve_cache = NULL;
}

void
serve_request(FCGX_Request *fcgx, const struct serve_env *env)
{
	struct request req;
	struct response res;
	struct resolution auth;
	struct handler_ctx ctx;
	struct buf media = BUF_INIT;
	enum request_read_result rr;

	memset(&auth, 0, sizeof(auth));
	response_init(&res);
	rr = request_read(&req, fcgx, env->body_max, env->base_url, env->trust_proxy);
	ctx = (struct handler_ctx){
		.req = &req,
		.res = &res,
		.db = env->db,
		.options = &env->options,
		.auth = &auth,
		.urls = { .api = req.api_url, .web = req.web_url },
		.find_repository = authenticate_find_repository,
		.callers = env->resolve_cache,
	};
	route_request(&ctx, env, rr);

	if (res.status == 200 && (strcmp(req.method, "GET") == 0 || strcmp(req.method, "HEAD") == 0))
		response_apply_etag(&res, req.if_none_match);
	media_type_served(req.accept, &media);
	response_header(&res, "X-GitHub-Media-Type", buf_cstr(&media));
	response_header(&res, "X-GitHub-Api-Version-Selected", media_api_version_selected(req.api_version));
	response_header(&res, "X-GitHub-Request-Id", req.request_id);
	if (response_send(&res, fcgx->out) < 0)
		log_warn("client went away before the response was sent request_id=%s", req.request_id);
	log_access(&req, &res, &ctx);
	/* The route that matched; none for answers decided before routing
	 * (ctx.match stays zeroed) and for paths no route takes. */
	api_metrics_count_request(env->metrics, ctx.match.route, req.method,
	    res.status, monotonic_ns() - req.started_ns);

	buf_release(&media);
	resolution_release(&auth);
	response_release(&res);
	request_release(&req);
}
