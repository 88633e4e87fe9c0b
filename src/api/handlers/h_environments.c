/*
 * Environments (shared/spec/environments.md): list, get, create or update,
 * delete, and the custom deployment protection rules, which need GitHub
 * Apps this server does not have (empty lists, 422, 404). Settings that
 * gate workflow jobs (wait_timer, reviewers, prevent_self_review,
 * protected_branches) are refused, never stored: there are no jobs here.
 */
#include "config.h"

#include <string.h>

#include "bodies.h"
#include "environment_path.h"
#include "handler.h"
#include "input.h"
#include "pagination.h"
#include "render_environments.h"
#include "store_environments.h"

#define WAIT_TIMER_MAX_MINUTES 43200

void
h_environments_list(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	struct page_request page;
	struct environment_list list;
	struct db_error err;
	struct jsonw w;

	pagination_parse(ctx->req, &page);
	if (store_environment_list(ctx->db, a->repo.id, page.per_page,
	    pagination_page_offset(&page), &list, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	pagination_object_reply_begin(ctx, &page, list.total, "environments", &w);
	for (size_t i = 0; i < list.count; i++)
		render_environment(&w, &ctx->urls, &a->repo, &list.items[i]);
	pagination_object_reply_end(&w);
	environment_list_release(&list);
}

void
h_environment_get(struct handler_ctx *ctx)
{
	struct environment env;
	struct jsonw w;

	if (!environment_from_path_or_reply(ctx, &env))
		return;
	response_json_begin(ctx->res, 200, &w);
	render_environment(&w, &ctx->urls, &ctx->auth->repo, &env);
	environment_release(&env);
}

/* The 422 for a path name no environment can have. */
static void
reply_invalid_name(struct handler_ctx *ctx, enum environment_name_check check)
{
	struct validation v;

	validation_init(&v, "Environment");
	if (check == ENVIRONMENT_NAME_TOO_LONG)
		validation_add_custom(&v, "name", "name is too long (maximum is 255 characters)");
	else
		validation_add(&v, "name", "invalid");
	(void)validation_reply(&v, ctx);
}

static bool
is_boolean_or_not_given(const struct input *in, const char *field)
{
	enum input_kind kind = input_kind_of(in, field);

	return kind == INPUT_ABSENT || kind == INPUT_NULL || kind == INPUT_BOOLEAN;
}

/* Types and ranges, in the spec's table order; only the first key that
 * fails is reported. */
int
parse_environment_request(struct handler_ctx *ctx, const struct input *body,
    struct environment_request *er)
{
	const struct input *policy = input_object(body, "deployment_branch_policy");
	enum input_kind reviewers = input_kind_of(body, "reviewers");
	enum input_kind policy_kind = input_kind_of(body, "deployment_branch_policy");
	const char *bad = NULL;
	struct validation v;

	memset(er, 0, sizeof(*er));
	validation_init(&v, "Environment");
	if (input_int(&v, body, "wait_timer", 0, WAIT_TIMER_MAX_MINUTES, &er->wait_timer) < 0)
		return validation_reply(&v, ctx);
	if (!is_boolean_or_not_given(body, "prevent_self_review"))
		bad = "prevent_self_review";
	else if (reviewers != INPUT_ABSENT && reviewers != INPUT_NULL && reviewers != INPUT_ARRAY)
		bad = "reviewers";
	else if (!is_boolean_or_not_given(body, "can_admins_bypass"))
		bad = "can_admins_bypass";
	else if (policy_kind != INPUT_ABSENT && policy_kind != INPUT_NULL &&
	    (policy == NULL || input_kind_of(policy, "protected_branches") != INPUT_BOOLEAN ||
	    input_kind_of(policy, "custom_branch_policies") != INPUT_BOOLEAN))
		bad = "deployment_branch_policy";
	if (bad) {
		validation_add(&v, bad, "invalid");
		return validation_reply(&v, ctx);
	}
	er->prevent_self_review = input_bool(&v, body, "prevent_self_review", false);
	er->reviewers = input_array_size(body, "reviewers");
	if (input_kind_of(body, "can_admins_bypass") == INPUT_ABSENT)
		er->admins_bypass = ENVIRONMENT_KEEP;
	else
		er->admins_bypass = input_bool(&v, body, "can_admins_bypass", true)
		    ? ENVIRONMENT_SET : ENVIRONMENT_CLEAR;
	er->policy_given = policy_kind != INPUT_ABSENT;
	er->policy_null = policy_kind == INPUT_NULL;
	if (policy) {
		er->protected_branches = input_bool(&v, policy, "protected_branches", false);
		er->custom_branch_policies = input_bool(&v, policy, "custom_branch_policies", false);
	}
	return validation_reply(&v, ctx);
}

/* Steps 3 and 4 of the spec's order: the OpenAPI's 422 for a policy that
 * is both or neither, then each setting this server cannot honour. 0, or
 * -1 with the 422 written. */
static int
refuse_unsupported(struct handler_ctx *ctx, const struct environment_request *er)
{
	const char *message = NULL;

	if (er->policy_given && !er->policy_null &&
	    er->protected_branches == er->custom_branch_policies)
		message = "Exactly one of protected_branches and custom_branch_policies must be true.";
	else if (er->wait_timer > 0)
		message = "wait_timer is not supported: this server runs no workflow jobs to delay. "
		    "Send 0 or omit it.";
	else if (er->prevent_self_review)
		message = "prevent_self_review is not supported: this server has no required "
		    "reviewers. Send false or omit it.";
	else if (er->reviewers > 0)
		message = "reviewers are not supported: this server runs no workflow jobs to approve. "
		    "Send null or [] or omit it.";
	else if (er->policy_given && er->protected_branches)
		message = "protected_branches is not supported: this server has no branch protection "
		    "rules. Use custom_branch_policies.";
	if (message == NULL)
		return 0;
	response_error(ctx->res, 422, message);
	return -1;
}

void
h_environment_put(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	const char *name = environment_path_name(ctx);
	enum environment_name_check check = environment_name_check(name);
	struct environment_request er;
	struct environment_change change;
	struct environment env = { 0 };
	struct db_error err;
	struct input *body;
	struct jsonw w;

	if (check != ENVIRONMENT_NAME_OK) {
		reply_invalid_name(ctx, check);
		return;
	}
	body = input_optional_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_environment_request(ctx, body, &er) < 0 || refuse_unsupported(ctx, &er) < 0)
		goto out;
	change = (struct environment_change){
		.repository_id = a->repo.id,
		.name = name,
		.admins_bypass = er.admins_bypass,
		.branch_policy = !er.policy_given ? ENVIRONMENT_KEEP
		    : er.policy_null ? ENVIRONMENT_CLEAR : ENVIRONMENT_SET,
		.now = a->now,
	};
	if (store_environment_put(ctx->db, &change, &env, &err) < 0) {
		reply_db_failure(ctx, &err);
		goto out;
	}
	response_json_begin(ctx->res, 200, &w);
	render_environment(&w, &ctx->urls, &a->repo, &env);
out:
	environment_release(&env);
	input_release(body);
}

void
h_environment_delete(struct handler_ctx *ctx)
{
	const char *name = environment_path_name(ctx);
	struct db_error err;
	bool deleted = false;

	if (environment_name_check(name) == ENVIRONMENT_NAME_OK &&
	    store_environment_delete(ctx->db, ctx->auth->repo.id, name, &deleted, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	if (deleted)
		response_empty(ctx->res, 204);
	else
		reply_not_found(ctx);
}

/* A 200 {"total_count":0,"<key>":[]} for an environment that exists. */
static void
reply_empty_list(struct handler_ctx *ctx, const char *key)
{
	struct page_request page;
	struct environment env;
	struct jsonw w;

	if (!environment_from_path_or_reply(ctx, &env))
		return;
	environment_release(&env);
	pagination_parse(ctx->req, &page);
	pagination_object_reply_begin(ctx, &page, 0, key, &w);
	pagination_object_reply_end(&w);
}

void
h_protection_rules_list(struct handler_ctx *ctx)
{
	reply_empty_list(ctx, "custom_deployment_protection_rules");
}

void
h_protection_rule_apps_list(struct handler_ctx *ctx)
{
	reply_empty_list(ctx, "available_custom_deployment_protection_rule_integrations");
}

void
h_protection_rule_create(struct handler_ctx *ctx)
{
	struct environment env;

	if (!environment_from_path_or_reply(ctx, &env))
		return;
	environment_release(&env);
	response_error(ctx->res, 422,
	    "Custom deployment protection rules are not supported: this server has no GitHub Apps.");
}

/* No rule exists, so none can be read or deleted. */
void
h_protection_rule_get_or_delete(struct handler_ctx *ctx)
{
	reply_not_found(ctx);
}
