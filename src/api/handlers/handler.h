/*
 * What every handler gets: the parsed request, the response to fill, the
 * worker's database, the caller and (on repository routes) the repository
 * already resolved and authorised. A handler always leaves a complete
 * response in ctx->res; it never writes to the client itself.
 */
#ifndef DEPLOY_HANDLER_H
#define DEPLOY_HANDLER_H

#include "db.h"
#include "ratelimit.h"
#include "replies.h"
#include "render.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "store_resolve.h"

struct hook_target_policy;
struct resolve_cache;

/* What handlers act on of deploy-api's configuration (api_config.h). */
struct handler_options {
	bool cascade_skip_production;
	const struct hook_target_policy *hook_targets; /* --hook-allowed-hosts */
};

struct handler_ctx {
	struct request *req;
	struct response *res;
	struct db *db;
	const struct handler_options *options;
	struct route_match match;
	struct resolution *auth;
	struct url_base urls;
	struct ratelimit_result rate;  /* the caller's budget, once counted */
	/* A repository by owner and name as the caller sees it, through the
	 * worker's memory of callers that REST's path repositories go
	 * through (callers, resolve_cache.h): 1 found (repo and permission
	 * set; repository_release it), 0 not, -1 the database failed. */
	int (*find_repository)(struct handler_ctx *ctx, const char *owner, const char *name,
	    struct repository *repo, enum permission *permission, struct db_error *err);
	struct resolve_cache *callers;
};

/* Who writes a row, in which repository, when: the request's caller for
 * REST, a mutation's for GraphQL. */
struct author {
	const struct repository *repo;
	const struct user *user;
	int64_t now;
};

/* Handlers, one file per resource. */
void h_healthz(struct handler_ctx *ctx);
void h_user_get(struct handler_ctx *ctx);
void h_repository_get(struct handler_ctx *ctx);
void h_deployments_list(struct handler_ctx *ctx);
void h_deployment_create(struct handler_ctx *ctx);
void h_deployment_get(struct handler_ctx *ctx);
void h_deployment_delete(struct handler_ctx *ctx);
void h_deployment_statuses_list(struct handler_ctx *ctx);
void h_deployment_status_create(struct handler_ctx *ctx);
void h_deployment_status_get(struct handler_ctx *ctx);
void h_hooks_list(struct handler_ctx *ctx);
void h_hook_create(struct handler_ctx *ctx);
void h_hook_get(struct handler_ctx *ctx);
void h_hook_update(struct handler_ctx *ctx);
void h_hook_delete(struct handler_ctx *ctx);
void h_hook_ping(struct handler_ctx *ctx);
void h_hook_deliveries_list(struct handler_ctx *ctx);
void h_hook_delivery_get(struct handler_ctx *ctx);
void h_hook_delivery_redeliver(struct handler_ctx *ctx);
void h_repository_dispatch(struct handler_ctx *ctx);
void h_commit_get(struct handler_ctx *ctx);
void h_commit_status_create(struct handler_ctx *ctx);
void h_hook_test(struct handler_ctx *ctx);
void h_commit_statuses_list(struct handler_ctx *ctx);
void h_commit_status_combined(struct handler_ctx *ctx);
void h_merge_create(struct handler_ctx *ctx);
void h_environments_list(struct handler_ctx *ctx);
void h_environment_get(struct handler_ctx *ctx);
void h_environment_put(struct handler_ctx *ctx);
void h_environment_delete(struct handler_ctx *ctx);
void h_protection_rules_list(struct handler_ctx *ctx);
void h_protection_rule_apps_list(struct handler_ctx *ctx);
void h_protection_rule_create(struct handler_ctx *ctx);
void h_protection_rule_get_or_delete(struct handler_ctx *ctx);
void h_branch_policies_list(struct handler_ctx *ctx);
void h_branch_policy_create(struct handler_ctx *ctx);
void h_branch_policy_get(struct handler_ctx *ctx);
void h_branch_policy_update(struct handler_ctx *ctx);
void h_branch_policy_delete(struct handler_ctx *ctx);
void h_graphql(struct handler_ctx *ctx);

#endif
