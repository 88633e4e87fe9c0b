/*
 * Deployment statuses: list, create (with the inactive cascade), get. The
 * deployment in the path was resolved with the caller; creating a status
 * costs one more statement (sql/0003 deployment_status_create).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bodies.h"
#include "buf.h"
#include "deployment_checks.h"
#include "handler.h"
#include "input.h"
#include "pagination.h"
#include "store_deployments.h"
#include "status_create.h"
#include "store_statuses.h"

#define STATUS_DESCRIPTION_MAX_CHARS 140
#define STATUS_URL_MAX_CHARS 2048
#define ENVIRONMENT_MAX_CHARS 255
/* URLs and the environment: null is absent, no control characters. */
#define URL_FLAGS (INPUT_NULLABLE | INPUT_NO_CONTROL)

static const char *const status_states[] = {
	"error", "failure", "inactive", "in_progress", "queued", "pending", "success",
};

int
parse_status_request(struct handler_ctx *ctx, const struct input *body, struct status_request *sr)
{
	struct validation v;
	const char *target_url, *log_url;

	validation_init(&v, "DeploymentStatus");
	sr->state = input_enum(&v, body, "state", status_states, ARRAY_SIZE(status_states),
	    INPUT_REQUIRED);
	/* Characters, not bytes; never truncated. */
	sr->description = input_string(&v, body, "description", INPUT_NULLABLE | INPUT_SAY_TOO_LONG,
	    STATUS_DESCRIPTION_MAX_CHARS);
	if (sr->description == NULL)
		sr->description = "";
	target_url = input_string(&v, body, "target_url", URL_FLAGS, STATUS_URL_MAX_CHARS);
	log_url = input_string(&v, body, "log_url", URL_FLAGS, STATUS_URL_MAX_CHARS);
	sr->environment = input_string(&v, body, "environment", URL_FLAGS, ENVIRONMENT_MAX_CHARS);
	if (sr->environment && *sr->environment == '\0')
		sr->environment = NULL;
	sr->environment_url = input_string(&v, body, "environment_url", URL_FLAGS,
	    STATUS_URL_MAX_CHARS);
	if (sr->environment_url == NULL)
		sr->environment_url = "";
	sr->auto_inactive = input_bool(&v, body, "auto_inactive", true);
	/* Each fills the other; log_url wins when both are sent. */
	sr->log_url = log_url ? log_url : (target_url ? target_url : "");
	sr->target_url = sr->log_url;
	return validation_reply(&v, ctx);
}

/* A status that moves the deployment is judged by the branch policies of
 * the environment it moves to (deployment_move_refusal): 0, or -1 with
 * the 422 (or 500, 503) written. */
static int
move_allowed_or_reply(struct handler_ctx *ctx, const struct deployment *d,
    const char *environment)
{
	struct policy_ref p;
	char *refused = NULL;
	struct db_error err;

	switch (deployment_move_refusal(ctx->db, &ctx->auth->repo, d, environment, &p, &refused,
	    &err)) {
	case MOVE_ALLOWED:
		return 0;
	case MOVE_REFUSED:
		deployment_refused_reply(ctx, &p, refused);
		free(refused);
		return -1;
	case MOVE_GIT_FAILED:
		reply_git_read_failure(ctx);
		return -1;
	case MOVE_DB_FAILED:
		reply_db_failure(ctx, &err);
		return -1;
	}
	return -1;
}

void
h_deployment_status_create(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	const struct author who = { &a->repo, &a->principal.user, a->now };
	struct status_request sr;
	struct deployment_status status;
	struct deployment fresh;
	const struct deployment *d = &a->deployment;
	enum status_create_result result;
	struct db_error err;
	struct buf location = BUF_INIT;
	struct jsonw w;
	struct input *body;

	memset(&fresh, 0, sizeof(fresh));
	if (!a->deployment_found) {
		reply_not_found(ctx);
		return;
	}
	body = input_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_status_request(ctx, body, &sr) < 0 ||
	    move_allowed_or_reply(ctx, d, sr.environment) < 0)
		goto out;

	if (status_create(ctx, &who, &sr, d, &fresh, &status, &result, &err) < 0) {
		reply_db_failure(ctx, &err);
		goto out;
	}
	switch (result) {
	case STATUS_CREATED:
		render_deployment_url(&location, &ctx->urls, &a->repo, d->id);
		buf_printf(&location, "/statuses/%lld", (long long)status.id);
		response_header(ctx->res, "Location", location.data);
		response_json_begin(ctx->res, 201, &w);
		render_deployment_status(&w, &ctx->urls, &a->repo, &status);
		break;
	case STATUS_DEPLOYMENT_NOT_FOUND:
		reply_not_found(ctx);
		break;
	case STATUS_ENVIRONMENT_CHANGED:
		response_error(ctx->res, 409, "Conflict: the deployment's environment keeps changing");
		break;
	}
out:
	buf_release(&location);
	deployment_release(&fresh);
	input_release(body);
}

void
h_deployment_statuses_list(struct handler_ctx *ctx)
{
	struct page_request page;
	struct status_list list;
	struct db_error err;
	struct jsonw w;

	if (!ctx->auth->deployment_found) {
		reply_not_found(ctx);
		return;
	}
	pagination_parse(ctx->req, &page);
	if (store_status_list(ctx->db, ctx->auth->deployment.id, page.per_page,
	    pagination_offset(&page), page.before_id, &list, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	pagination_reply_begin(ctx, &page, list.total, list.more, PAGINATION_LAST_ID(list), &w);
	for (size_t i = 0; i < list.count; i++)
		render_deployment_status(&w, &ctx->urls, &ctx->auth->repo, &list.items[i]);
	jw_array_end(&w);
	status_list_release(&list);
}

void
h_deployment_status_get(struct handler_ctx *ctx)
{
	struct deployment_status status;
	struct db_error err;
	struct jsonw w;
	int64_t id;
	int found;

	if (!ctx->auth->deployment_found) {
		reply_not_found(ctx);
		return;
	}
	id = path_id_or_reply(ctx, "status_id");
	if (id == 0)
		return;
	found = store_status_get(ctx->db, ctx->auth->deployment.id, id, &status, &err);
	if (!reply_unless_found(ctx, found, &err))
		return;
	response_json_begin(ctx->res, 200, &w);
	render_deployment_status(&w, &ctx->urls, &ctx->auth->repo, &status);
	deployment_status_release(&status);
}
