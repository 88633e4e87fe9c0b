/*
 * Deployment branch policies of an environment: list, create, get,
 * update, delete. They exist only while the environment's
 * deployment_branch_policy is {protected_branches: false,
 * custom_branch_policies: true}; otherwise every request is 404, as on
 * GitHub. Deployments are judged against them when created
 * (h_deployments.c, sql/0009).
 */
#include "config.h"

#include "bodies.h"
#include "buf.h"
#include "environment_path.h"
#include "handler.h"
#include "input.h"
#include "pagination.h"
#include "render_environments.h"
#include "store_environments.h"

#define POLICY_NAME_MAX_CHARS 255

static const char *const policy_types[] = { "branch", "tag" };

/* The path's environment, when it has custom branch policies: its id, or
 * 0 with the 404 (or 503) written. */
static int64_t
gated_environment_or_reply(struct handler_ctx *ctx)
{
	struct environment env;
	int64_t id;

	if (!environment_from_path_or_reply(ctx, &env))
		return 0;
	id = env.branch_gate_id > 0 ? env.id : 0;
	environment_release(&env);
	if (id == 0)
		reply_not_found(ctx);
	return id;
}

/* The path's environment (as gated_environment_or_reply) and policy id:
 * false with the 404 (or 503) written when either names nothing. */
static bool
policy_path_or_reply(struct handler_ctx *ctx, int64_t *env_id, int64_t *id)
{
	*env_id = gated_environment_or_reply(ctx);
	if (*env_id == 0)
		return false;
	*id = path_id_or_reply(ctx, "branch_policy_id");
	return *id != 0;
}

static void
reply_policy(struct handler_ctx *ctx, const struct branch_policy *p)
{
	struct jsonw w;

	response_json_begin(ctx->res, 200, &w);
	render_branch_policy(&w, p);
}

void
h_branch_policies_list(struct handler_ctx *ctx)
{
	int64_t env_id = gated_environment_or_reply(ctx);
	struct page_request page;
	struct branch_policy_list list;
	struct db_error err;
	struct jsonw w;

	if (env_id == 0)
		return;
	pagination_parse(ctx->req, &page);
	if (store_branch_policy_list(ctx->db, env_id, page.per_page, pagination_page_offset(&page),
	    &list, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	pagination_object_reply_begin(ctx, &page, list.total, "branch_policies", &w);
	for (size_t i = 0; i < list.count; i++)
		render_branch_policy(&w, &list.items[i]);
	pagination_object_reply_end(&w);
	branch_policy_list_release(&list);
}

int
parse_branch_policy_request(struct handler_ctx *ctx, const struct input *body, bool creating,
    struct branch_policy_request *br)
{
	struct validation v;

	validation_init(&v, "DeploymentBranchPolicy");
	br->name = input_string(&v, body, "name", INPUT_REQUIRED, POLICY_NAME_MAX_CHARS);
	br->type = NULL;
	if (creating)
		br->type = input_enum(&v, body, "type", policy_types, ARRAY_SIZE(policy_types),
		    INPUT_NULLABLE);
	if (br->type == NULL)
		br->type = policy_types[0];
	return validation_reply(&v, ctx);
}

void
h_branch_policy_create(struct handler_ctx *ctx)
{
	int64_t env_id = gated_environment_or_reply(ctx);
	enum branch_policy_create_result result;
	struct branch_policy policy = { 0 };
	struct branch_policy_request br;
	struct buf location = BUF_INIT;
	struct db_error err;
	struct input *body;

	if (env_id == 0)
		return;
	body = input_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_branch_policy_request(ctx, body, true, &br) < 0)
		goto out;
	if (store_branch_policy_create(ctx->db, env_id, br.name, br.type, &policy, &result,
	    &err) < 0) {
		reply_db_failure(ctx, &err);
		goto out;
	}
	switch (result) {
	case BRANCH_POLICY_CREATED:
		reply_policy(ctx, &policy);
		break;
	case BRANCH_POLICY_EXISTS:
		/* The OpenAPI's 303: see the policy that has this name. */
		render_environment_url(&location, &ctx->urls, &ctx->auth->repo,
		    environment_path_name(ctx));
		buf_printf(&location, "/deployment-branch-policies/%lld", (long long)policy.id);
		response_header(ctx->res, "Location", location.data);
		response_empty(ctx->res, 303);
		break;
	case BRANCH_POLICY_TOO_MANY:
		response_error(ctx->res, 422,
		    "An environment can have at most 100 deployment branch policies.");
		break;
	}
out:
	buf_release(&location);
	branch_policy_release(&policy);
	input_release(body);
}

void
h_branch_policy_get(struct handler_ctx *ctx)
{
	struct branch_policy policy;
	struct db_error err;
	int64_t env_id, id;
	int found;

	if (!policy_path_or_reply(ctx, &env_id, &id))
		return;
	found = store_branch_policy_get(ctx->db, env_id, id, &policy, &err);
	if (!reply_unless_found(ctx, found, &err))
		return;
	reply_policy(ctx, &policy);
	branch_policy_release(&policy);
}

void
h_branch_policy_update(struct handler_ctx *ctx)
{
	enum branch_policy_rename_result result;
	struct branch_policy policy = { 0 };
	struct branch_policy_request br;
	struct validation v;
	struct db_error err;
	struct input *body;
	int64_t env_id, id;

	if (!policy_path_or_reply(ctx, &env_id, &id))
		return;
	body = input_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_branch_policy_request(ctx, body, false, &br) < 0)
		goto out;
	if (store_branch_policy_rename(ctx->db, env_id, id, br.name, &policy, &result, &err) < 0) {
		reply_db_failure(ctx, &err);
		goto out;
	}
	switch (result) {
	case BRANCH_POLICY_RENAMED:
		reply_policy(ctx, &policy);
		break;
	case BRANCH_POLICY_NOT_FOUND:
		reply_not_found(ctx);
		break;
	case BRANCH_POLICY_NAME_TAKEN:
		validation_init(&v, "DeploymentBranchPolicy");
		validation_add(&v, "name", "already_exists");
		(void)validation_reply(&v, ctx);
		break;
	}
out:
	branch_policy_release(&policy);
	input_release(body);
}

void
h_branch_policy_delete(struct handler_ctx *ctx)
{
	struct db_error err;
	int64_t env_id, id;
	int deleted;

	if (!policy_path_or_reply(ctx, &env_id, &id))
		return;
	deleted = store_branch_policy_delete(ctx->db, env_id, id, &err);
	if (!reply_unless_found(ctx, deleted, &err))
		return;
	response_empty(ctx->res, 204);
}
