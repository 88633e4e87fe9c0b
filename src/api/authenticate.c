#include "config.h"

#include "authenticate.h"

#include <string.h>
#include <time.h>

#include "access.h"
#include "credentials.h"
#include "jsonw.h"
#include "log.h"
#include "store_rate_budgets.h"
#include "store_resolve.h"

static void
add_rate_limit_headers(struct response *res, const struct ratelimit_result *rl,
    const char *resource)
{
	response_header_int(res, "X-RateLimit-Limit", rl->limit);
	response_header_int(res, "X-RateLimit-Remaining", rl->remaining);
	response_header_int(res, "X-RateLimit-Reset", rl->reset);
	response_header_int(res, "X-RateLimit-Used", rl->used);
	response_header(res, "X-RateLimit-Resource", resource);
}

/* The budgets' store is PostgreSQL, shared by every host. A database that
 * cannot answer lets the request pass uncounted: it will fail there. */
static int
claim_from_database(void *arg, uint64_t key, int64_t want, int64_t limit, struct ratelimit_claim *out)
{
	struct rate_budget_claim c;
	struct db_error err;

	if (store_rate_budget_claim(arg, (int64_t)key, want, limit, &c, &err) < 0) {
		log_warn("rate budget claim failed: %s", err.message);
		return -1;
	}
	*out = (struct ratelimit_claim){
		.window_start = c.window_start, .claimed = c.claimed, .granted = c.granted,
	};
	return 0;
}

/* Counts the request against the caller's budget (the token's when
 * ctx->auth holds an authenticated caller, else the client address's) and
 * adds the X-RateLimit-* headers; true when the budget was already spent.
 * A token's GraphQL requests have a budget of their own, as on GitHub. */
static bool
count_request(struct handler_ctx *ctx, const struct rate_budgets *budgets)
{
	const struct principal *p = &ctx->auth->principal;
	struct ratelimit_store store;
	const struct route *route = ctx->match.route;
	const char *resource = route && route->rate_resource ? route->rate_resource : "core";
	struct ratelimit_result rl;
	uint64_t key;
	int64_t limit;

	if (p->authenticated) {
		char id[INT64_DECIMAL_MAX + 1];

		id[format_int64(p->token_id, id)] = '\0';
		key = ratelimit_key(strcmp(resource, "core") == 0 ? 't' : 'g', id);
		limit = p->rate_limit >= 0 ? p->rate_limit : budgets->token_limit;
	} else {
		key = ratelimit_key('a', ctx->req->remote_addr ? ctx->req->remote_addr : "");
		limit = budgets->anonymous_limit;
	}
	store = (struct ratelimit_store){
		.claim = claim_from_database, .arg = ctx->db, .share = budgets->share,
	};
	ratelimit_consume(budgets->table, key, limit, (int64_t)time(NULL), &store, &rl);
	add_rate_limit_headers(ctx->res, &rl, resource);
	ctx->rate = rl;
	return rl.exceeded;
}

#define GRAPHQL_DOCS "https://docs.github.com/graphql"

/* GraphQL answers a few things otherwise than REST (graphql.md sections 1
 * and 2): its 401 texts, and a spent budget as 200 with RATE_LIMITED. */
static bool
is_graphql(const struct handler_ctx *ctx)
{
	const struct route *route = ctx->match.route;

	return route && route->rate_resource && strcmp(route->rate_resource, "graphql") == 0;
}

static void
reply_graphql_rate_limited(struct handler_ctx *ctx, int64_t user_id)
{
	struct buf msg = BUF_INIT;
	struct jsonw w;

	buf_printf(&msg, "API rate limit exceeded for user ID %lld.", (long long)user_id);
	response_json_begin(ctx->res, 200, &w);
	jw_object_begin(&w);
	jw_key(&w, "data");
	jw_null(&w);
	jw_key(&w, "errors");
	jw_array_begin(&w);
	jw_object_begin(&w);
	jw_key(&w, "type");
	jw_string(&w, "RATE_LIMITED");
	jw_key(&w, "message");
	jw_string(&w, buf_cstr(&msg));
	jw_object_end(&w);
	jw_array_end(&w);
	jw_object_end(&w);
	buf_release(&msg);
}

/* Counts the request; false when the budget is spent (the 403, or
 * GraphQL's answer, is then already in res). */
static bool
apply_rate_limit(struct handler_ctx *ctx, const struct rate_budgets *budgets)
{
	const struct principal *p = &ctx->auth->principal;

	if (!count_request(ctx, budgets))
		return true;
	api_metrics_count_rate_limited(budgets->metrics);
	if (p->authenticated && is_graphql(ctx)) {
		reply_graphql_rate_limited(ctx, p->user.id);
		return false;
	}
	ctx->res->documentation_url = DOCS_ROOT "/overview/rate-limits-for-the-rest-api";
	if (p->authenticated) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "API rate limit exceeded for user ID %lld.", (long long)p->user.id);
		response_error(ctx->res, 403, buf_cstr(&msg));
		buf_release(&msg);
	} else {
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "API rate limit exceeded for %s. (But here's the good news: "
		    "Authenticated requests get a higher rate limit. Check out the documentation "
		    "for more details.)", ctx->req->remote_addr ? ctx->req->remote_addr : "you");
		response_error(ctx->res, 403, buf_cstr(&msg));
		buf_release(&msg);
	}
	return false;
}

/* A request with credentials we do not accept counts against its client
 * address, as an anonymous one does, and gets the same headers. */
static bool
reply_bad_credentials(struct handler_ctx *ctx, const struct rate_budgets *budgets)
{
	ctx->auth->principal.authenticated = false;
	if (apply_rate_limit(ctx, budgets)) {
		ctx->res->documentation_url = is_graphql(ctx) ? GRAPHQL_DOCS : DOCS_ROOT;
		response_error(ctx->res, 401, "Bad credentials");
	}
	return false;
}

/* Resolves the caller (and the repository in the path) and decides
 * whether the route may run; false when the response is already set. */
bool
authenticate_request(struct handler_ctx *ctx, const struct rate_budgets *budgets)
{
	const struct route *route = ctx->match.route;
	char token_hash[65];
	enum credentials_kind cred = credentials_parse(ctx->req->authorization, token_hash);
	struct resolve_request rq = { 0 };
	struct access_request ar;
	enum access_verdict verdict;
	struct db_error err;
	const char *message;
	int status;

	if (cred == CREDENTIALS_MALFORMED)
		return reply_bad_credentials(ctx, budgets);
	rq.token_hash = cred == CREDENTIALS_TOKEN ? token_hash : NULL;
	if (route) {
		int64_t id;

		rq.owner = route_param(&ctx->match, "owner");
		rq.name = route_param(&ctx->match, "repo");
		rq.deployment_id = route_param(&ctx->match, "deployment_id");
		if (rq.deployment_id && parse_int64(rq.deployment_id, 1, INT64_MAX, &id) < 0)
			rq.deployment_id = NULL;
		rq.id_sequence = route->id_sequence;
	}
	if (resolve_cached(ctx->callers, ctx->db, &rq, ctx->auth, &err) < 0) {
		/* The token cannot be read without the database: the client
		 * address pays, as for bad credentials. */
		(void)count_request(ctx, budgets);
		reply_db_failure(ctx, &err);
		return false;
	}
	if (cred == CREDENTIALS_TOKEN && !ctx->auth->principal.authenticated)
		return reply_bad_credentials(ctx, budgets);
	if (ctx->auth->principal.authenticated) {
		response_header(ctx->res, "X-OAuth-Scopes", ctx->auth->principal.scopes_header);
		response_header(ctx->res, "X-Accepted-OAuth-Scopes", route ? route->accepted_scopes : "");
	}
	if (!apply_rate_limit(ctx, budgets))
		return false;
	if (route == NULL) {
		response_error(ctx->res, 404, "Not Found");
		return false;
	}
	ar = (struct access_request){
		.need = route->access,
		.scope_class = route->scope_class,
		.principal = &ctx->auth->principal,
		.repo_found = ctx->auth->repo_found,
		.repo_private = ctx->auth->repo.is_private,
		.permission = ctx->auth->permission,
	};
	verdict = access_decide(&ar);
	if (verdict == ACCESS_ALLOW)
		return true;
	message = access_verdict_message(verdict, &status);
	if (verdict == ACCESS_REQUIRES_AUTH && is_graphql(ctx)) {
		ctx->res->documentation_url =
		    GRAPHQL_DOCS "/guides/forming-calls-with-graphql#authenticating-with-graphql";
		message = "This endpoint requires you to be authenticated.";
	}
	response_error(ctx->res, status, message);
	return false;
}

void
authenticate_count_rejected(struct handler_ctx *ctx, const struct rate_budgets *budgets)
{
	char token_hash[65];
	struct resolve_request rq = { 0 };
	struct db_error err;

	if (credentials_parse(ctx->req->authorization, token_hash) == CREDENTIALS_TOKEN) {
		rq.token_hash = token_hash;
		/* A database that fails leaves the caller anonymous: the client
		 * address pays, and the error decided already stays the answer. */
		if (resolve_cached(ctx->callers, ctx->db, &rq, ctx->auth, &err) < 0)
			ctx->auth->principal.authenticated = false;
	}
	(void)count_request(ctx, budgets);
}

int
authenticate_find_repository(struct handler_ctx *ctx, const char *owner, const char *name,
    struct repository *repo, enum permission *permission, struct db_error *err)
{
	char token_hash[65];
	struct resolve_request rq = { .owner = owner, .name = name };
	struct resolution found;

	memset(&found, 0, sizeof(found));
	if (credentials_parse(ctx->req->authorization, token_hash) == CREDENTIALS_TOKEN)
		rq.token_hash = token_hash;
	if (resolve_cached(ctx->callers, ctx->db, &rq, &found, err) < 0)
		return -1;
	if (!found.repo_found) {
		resolution_release(&found);
		return 0;
	}
	*repo = found.repo;
	*permission = found.permission;
	memset(&found.repo, 0, sizeof(found.repo));
	resolution_release(&found);
	return 1;
}
