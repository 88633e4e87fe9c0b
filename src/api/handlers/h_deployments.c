/*
 * Deployments: list, create, get, delete (GitHub's REST semantics, see
 * shared/spec/semantics.md). The caller and the repository were resolved
 * before the handler ran; each handler adds one statement at most, but
 * create, which adds a second when it checks commit statuses
 * (deployment_checks.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bodies.h"
#include "buf.h"
#include "deployment_checks.h"
#include "deployment_create.h"
#include "gitrefs.h"
#include "handler.h"
#include "input.h"
#include "log.h"
#include "pagination.h"
#include "store_deployments.h"

#define REF_MAX_CHARS 255
#define TASK_MAX_CHARS 128
#define ENVIRONMENT_MAX_CHARS 255
#define DESCRIPTION_MAX_CHARS 1024
#define CONTEXT_MAX_CHARS 255

#define PAYLOAD_MAX_BYTES ((size_t)64 * 1024)

void
deployment_request_release(struct deployment_request *dr)
{
	free(dr->payload);
	free(dr->required_contexts);
}

/* Fills dr from body; payload and required_contexts are serialised here. */
int
parse_deployment_request(struct handler_ctx *ctx, const struct input *body,
    struct deployment_request *dr)
{
	struct validation v;

	validation_init(&v, "Deployment");
	memset(dr, 0, sizeof(*dr));
	dr->ref = input_string(&v, body, "ref", INPUT_REQUIRED | INPUT_NO_CONTROL, REF_MAX_CHARS);
	dr->task = input_string(&v, body, "task", INPUT_NO_CONTROL, TASK_MAX_CHARS);
	dr->environment = input_string(&v, body, "environment", INPUT_NO_CONTROL, ENVIRONMENT_MAX_CHARS);
	dr->description = input_string(&v, body, "description", INPUT_NULLABLE, DESCRIPTION_MAX_CHARS);
	dr->auto_merge = input_bool(&v, body, "auto_merge", true);
	dr->force = input_bool(&v, body, "force", false);
	dr->transient_environment = input_bool(&v, body, "transient_environment", false);
	if (input_has(body, "payload"))
		dr->payload = input_json(&v, body, "payload", INPUT_JSON_OBJECT | INPUT_JSON_STRING,
		    PAYLOAD_MAX_BYTES);
	else
		dr->payload = xstrdup("{}");
	dr->required_contexts = input_string_array(&v, body, "required_contexts",
	    INPUT_REQUIRED | INPUT_NO_CONTROL, CONTEXT_MAX_CHARS);
	if (dr->task == NULL || *dr->task == '\0')
		dr->task = "deploy";
	if (dr->environment == NULL || *dr->environment == '\0')
		dr->environment = "production";
	/* Explicit wins; absent means "is this the production environment". */
	dr->production_environment = input_has(body, "production_environment")
	    ? input_bool(&v, body, "production_environment", false)
	    : strcmp(dr->environment, "production") == 0;
	return validation_reply(&v, ctx);
}

static void
reply_no_ref(struct handler_ctx *ctx, const char *ref)
{
	struct buf msg = BUF_INIT;

	buf_printf(&msg, "No ref found for: %s", ref);
	response_error(ctx->res, 422, msg.data);
	buf_release(&msg);
}

void
h_deployment_create(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	const struct author who = { &a->repo, &a->principal.user, a->now };
	struct deployment_request dr;
	struct deployment d;
	struct context_failures failing = { 0 };
	char *refused = NULL;
	struct policy_ref policy_ref;
	struct db_error err;
	enum gitrefs_kind kind;
	struct buf location = BUF_INIT;
	struct jsonw w;
	struct input *body;

	body = input_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_deployment_request(ctx, body, &dr) < 0)
		goto out;

	memset(&d, 0, sizeof(d));
	switch (gitrefs_resolve_kind(a->repo.git_dir, dr.ref, d.sha, &kind)) {
	case GITREFS_FOUND:
		break;
	case GITREFS_NOT_FOUND:
		reply_no_ref(ctx, dr.ref);
		goto out;
	case GITREFS_ERROR:
		reply_git_read_failure(ctx);
		goto out;
	}
	/* semantics.md's order: branch policies (422, environments.md),
	 * auto-merge (202/409), then contexts (409, in the create statement);
	 * legacy force skips the last two. Only a branch can take a merge. */
	policy_ref = deployment_policy_ref(dr.ref, kind);
	if (!dr.force && dr.auto_merge && kind == GITREFS_KIND_BRANCH &&
	    (deployment_branch_policies_or_reply(ctx, dr.environment, &policy_ref) < 0 ||
	    deployment_auto_merge_or_reply(ctx, dr.ref, kind, d.sha) < 0))
		goto out;

	if (deployment_create(ctx, &who, &dr, &d, &policy_ref, &failing, &refused, &err) < 0) {
		reply_db_failure(ctx, &err);
		goto out;
	}
	if (refused) {
		deployment_refused_reply(ctx, &policy_ref, refused);
		goto out;
	}
	if (failing.count > 0) {
		deployment_contexts_reply(ctx, dr.ref, &failing);
		goto out;
	}
	render_deployment_url(&location, &ctx->urls, &a->repo, d.id);
	response_header(ctx->res, "Location", location.data);
	response_json_begin(ctx->res, 201, &w);
	render_deployment(&w, &ctx->urls, &a->repo, &d);
out:
	free(refused);
	context_failures_release(&failing);
	buf_release(&location);
	deployment_request_release(&dr);
	input_release(body);
}

void
h_deployments_list(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	struct page_request page;
	struct deployment_filter filter = {
		.sha = request_query(ctx->req, "sha"),
		.ref = request_query(ctx->req, "ref"),
		.task = request_query(ctx->req, "task"),
		.environment = request_query(ctx->req, "environment"),
	};
	struct deployment_list list;
	struct db_error err;
	struct jsonw w;

	pagination_parse(ctx->req, &page);
	if (store_deployment_list(ctx->db, a->repo.id, &filter, page.per_page,
	    pagination_offset(&page), page.before_id, &list, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	pagination_reply_begin(ctx, &page, list.total, list.more, PAGINATION_LAST_ID(list), &w);
	for (size_t i = 0; i < list.count; i++)
		render_deployment(&w, &ctx->urls, &a->repo, &list.items[i]);
	jw_array_end(&w);
	deployment_list_release(&list);
}

/* The deployment was read while resolving the caller. */
void
h_deployment_get(struct handler_ctx *ctx)
{
	struct jsonw w;

	if (!ctx->auth->deployment_found) {
		reply_not_found(ctx);
		return;
	}
	response_json_begin(ctx->res, 200, &w);
	render_deployment(&w, &ctx->urls, &ctx->auth->repo, &ctx->auth->deployment);
}

void
h_deployment_delete(struct handler_ctx *ctx)
{
	enum deployment_delete_result result;
	struct db_error err;
	int64_t id = path_id_or_reply(ctx, "deployment_id");

	if (id == 0)
		return;
	if (store_deployment_delete(ctx->db, ctx->auth->repo.id, id, &result, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	switch (result) {
	case DEPLOYMENT_DELETED:
		response_empty(ctx->res, 204);
		return;
	case DEPLOYMENT_NOT_FOUND:
		reply_not_found(ctx);
		return;
	case DEPLOYMENT_ACTIVE:
		response_validation_failed(ctx->res, "[\"We cannot delete an active deployment "
		    "unless it is the only deployment in a given environment.\"]");
		return;
	}
}
