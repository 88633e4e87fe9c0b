#include "config.h"

#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "access.h"
#include "credentials.h"
#include "db.h"
#include "gitrefs.h"
#include "handler.h"
#include "log.h"
#include "media.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "store_auth.h"

static volatile sig_atomic_t worker_stopping;

static void
on_stop_signal(int sig)
{
	(void)sig;
	worker_stopping = 1;
}

/*
 * Stop signals interrupt accept() (no SA_RESTART, FCGI_FAIL_ACCEPT_ON_INTR)
 * and are blocked while a request is handled, so a request in flight is
 * never cut short: the signal waits until the response is out.
 */
static void
install_signals(sigset_t *stop_set)
{
	struct sigaction sa;
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(stop_set);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(stop_set, stop_signals[i]);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static const char *
verdict_message(enum access_verdict v, int *status)
{
	switch (v) {
	case ACCESS_REQUIRES_AUTH:
		*status = 401;
		return "Requires authentication";
	case ACCESS_NEEDS_PUSH:
		*status = 403;
		return "Must have push access to repository";
	case ACCESS_NEEDS_ADMIN:
		*status = 403;
		return "Must have admin rights to Repository.";
	case ACCESS_NOT_FOUND:
	case ACCESS_ALLOW:
		break;
	}
	*status = 404;
	return "Not Found";
}

static void
add_rate_limit_headers(struct response *res, const struct ratelimit_result *rl)
{
	response_header_int(res, "X-RateLimit-Limit", rl->limit);
	response_header_int(res, "X-RateLimit-Remaining", rl->remaining);
	response_header_int(res, "X-RateLimit-Reset", rl->reset);
	response_header_int(res, "X-RateLimit-Used", rl->used);
	response_header(res, "X-RateLimit-Resource", "core");
}

/* Counts the request against the caller's budget; false when it is spent
 * (the 403 is then already in res). */
static bool
apply_rate_limit(struct handler_ctx *ctx, struct ratelimit_table *table)
{
	const struct principal *p = &ctx->auth->principal;
	struct ratelimit_result rl;
	uint64_t key;
	int64_t limit;

	if (p->authenticated) {
		char id[INT64_DECIMAL_MAX + 1];

		id[format_int64(p->token_id, id)] = '\0';
		key = ratelimit_key('t', id);
		limit = p->rate_limit >= 0 ? p->rate_limit : ctx->settings->rate_limit;
	} else {
		key = ratelimit_key('a', ctx->req->remote_addr ? ctx->req->remote_addr : "");
		limit = ctx->settings->anonymous_rate_limit;
	}
	ratelimit_consume(table, key, limit, (int64_t)time(NULL), &rl);
	add_rate_limit_headers(ctx->res, &rl);
	if (!rl.exceeded)
		return true;
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
reply_bad_credentials(struct handler_ctx *ctx, struct ratelimit_table *table)
{
	ctx->auth->principal.authenticated = false;
	if (apply_rate_limit(ctx, table)) {
		ctx->res->documentation_url = DOCS_ROOT;
		response_error(ctx->res, 401, "Bad credentials");
	}
	return false;
}

/* Resolves the caller (and the repository in the path) and decides
 * whether the route may run; false when the response is already set. */
static bool
authenticate_and_authorise(struct handler_ctx *ctx, struct ratelimit_table *table)
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
		return reply_bad_credentials(ctx, table);
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
	if (store_resolve(ctx->db, &rq, ctx->auth, &err) < 0) {
		handler_db_failure(ctx, &err);
		return false;
	}
	if (cred == CREDENTIALS_TOKEN && !ctx->auth->principal.authenticated)
		return reply_bad_credentials(ctx, table);
	if (ctx->auth->principal.authenticated) {
		response_header(ctx->res, "X-OAuth-Scopes", ctx->auth->principal.scopes_header);
		response_header(ctx->res, "X-Accepted-OAuth-Scopes", route ? route->accepted_scopes : "");
	}
	if (!apply_rate_limit(ctx, table))
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
	message = verdict_message(verdict, &status);
	response_error(ctx->res, status, message);
	return false;
}

static void
dispatch(struct handler_ctx *ctx, struct ratelimit_table *table)
{
	struct request *req = ctx->req;
	struct response *res = ctx->res;
	bool routed;

	if (!media_api_version_supported(req->api_version)) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "Invalid API version: '%s'.", req->api_version);
		response_error(res, 400, buf_cstr(&msg));
		buf_release(&msg);
		return;
	}
	routed = !req->path_invalid &&
	    router_match(routes, routes_count, req->method, req->segments, req->nsegments,
		&ctx->match) == 0;
	if (routed) {
		res->documentation_url = ctx->match.route->documentation_url;
		if (ctx->match.route->access == ROUTE_OPEN) {
			ctx->match.route->handler(ctx);
			return;
		}
	}
	if (!authenticate_and_authorise(ctx, table))
		return;
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

static void
serve(FCGX_Request *fcgx, struct db *db, const struct settings *settings,
    struct ratelimit_table *table)
{
	struct request req;
	struct response res;
	struct resolution auth;
	struct handler_ctx ctx;
	struct buf media = BUF_INIT;
	enum request_read_result rr;

	memset(&auth, 0, sizeof(auth));
	response_init(&res);
	rr = request_read(&req, fcgx, settings->body_max, settings->base_url);
	ctx = (struct handler_ctx){
		.req = &req,
		.res = &res,
		.db = db,
		.settings = settings,
		.auth = &auth,
		.urls = { .api = req.api_url, .web = req.web_url },
	};
	if (rr == REQUEST_BODY_TOO_LARGE)
		response_error(&res, 413, "Request body is too large");
	else if (rr == REQUEST_BODY_INCOMPLETE)
		response_error(&res, 400, "Problems reading the request body");
	else
		dispatch(&ctx, table);

	if (res.status == 200 && (strcmp(req.method, "GET") == 0 || strcmp(req.method, "HEAD") == 0))
		response_apply_etag(&res, req.if_none_match);
	media_type_served(req.accept, &media);
	response_header(&res, "X-GitHub-Media-Type", buf_cstr(&media));
	response_header(&res, "X-GitHub-Api-Version-Selected", media_api_version_selected(req.api_version));
	response_header(&res, "X-GitHub-Request-Id", req.request_id);
	if (response_send(&res, fcgx->out) < 0)
		log_warn("client went away before the response was sent request_id=%s", req.request_id);
	log_access(&req, &res, &ctx);

	buf_release(&media);
	resolution_release(&auth);
	response_release(&res);
	request_release(&req);
}

/*
 * libfcgi closes a connection by shutting down its write side and waiting
 * until nginx closes too (a guard against TCP resets dropping unread
 * data), which puts the worker to sleep once more per request. When nginx
 * has sent the whole request (stdin read to its end) nothing of ours can
 * be reset, so a detached request is closed at once; otherwise, the body
 * left unread, libfcgi's lingering close stays.
 */
static void
finish_request(FCGX_Request *fcgx)
{
	if (FCGX_GetChar(fcgx->in) == EOF && FCGX_GetError(fcgx->in) == 0)
		fcgx->detached = 1;
	FCGX_Finish_r(fcgx);
}

int
worker_run(const struct settings *settings, int listen_fd, struct ratelimit_table *ratelimit)
{
	FCGX_Request fcgx;
	struct db db;
	sigset_t stop_set;
	int64_t served = 0;
	int status = 0;

	log_set_role("worker");
	install_signals(&stop_set);
	sigprocmask(SIG_BLOCK, &stop_set, NULL);
	db_init(&db, settings->db, settings->connect_timeout, settings->statement_timeout, "deploy-api");
	{
		struct db_error err;

		/* Connecting now makes the first request fast; failing is fine,
		 * requests get 503 until the database answers. */
		if (db_ensure(&db, &err) < 0)
			log_warn("starting without a database connection: %s", err.message);
	}
	gitrefs_init();
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgx, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("cannot initialise libfcgi");
		db_release(&db);
		return 1;
	}
	while (!worker_stopping) {
		int rc;

		sigprocmask(SIG_UNBLOCK, &stop_set, NULL);
		rc = worker_stopping ? -EINTR : FCGX_Accept_r(&fcgx);
		sigprocmask(SIG_BLOCK, &stop_set, NULL);
		if (rc < 0) {
			if (worker_stopping)
				break;
			log_error("accept failed: %s", strerror(-rc));
			status = 1;
			break;
		}
		serve(&fcgx, &db, settings, ratelimit);
		finish_request(&fcgx);
		if (settings->max_requests > 0 && ++served >= settings->max_requests) {
			log_info("served %lld requests; exiting to be replaced", (long long)served);
			break;
		}
	}
	FCGX_Free(&fcgx, 1);
	gitrefs_shutdown();
	db_release(&db);
	return status;
}
