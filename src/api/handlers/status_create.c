#include "config.h"

#include "status_create.h"

#include "store_deployments.h"

/* An environment change racing with ours makes the database ask us to read
 * the deployment again; more than a few in a row means something is wrong. */
#define STATUS_CREATE_ATTEMPTS 5

/* One attempt: asks the database to apply the status to d as read. */
static int
try_create(struct handler_ctx *ctx, const struct author *who,
    const struct status_request *sr, const struct deployment *d,
    struct deployment_status *status, enum status_create_result *result, struct db_error *err)
{
	struct status_insert ins = {
		.repository_id = who->repo->id,
		.deployment_id = d->id,
		.expected_environment = d->environment,
		.state = sr->state,
		.creator_id = who->user->id,
		.description = sr->description,
		.environment = sr->environment,
		.target_url = sr->target_url,
		.log_url = sr->log_url,
		.environment_url = sr->environment_url,
		.auto_inactive = sr->auto_inactive,
		.cascade_production = !ctx->options->cascade_skip_production,
		.created_at = who->now,
		.api_url = ctx->urls.api,
		.web_url = ctx->urls.web,
	};

	status->environment = sr->environment ? (char *)sr->environment : d->environment;
	return store_status_create(ctx->db, &ins, &status->id, result, err);
}

int
status_create(struct handler_ctx *ctx, const struct author *who,
    const struct status_request *sr, const struct deployment *d, struct deployment *fresh,
    struct deployment_status *status, enum status_create_result *result, struct db_error *err)
{
	/* Borrowed fields: status is rendered, never released. */
	*status = (struct deployment_status){
		.deployment_id = d->id,
		.state = (char *)sr->state,
		.description = (char *)sr->description,
		.target_url = (char *)sr->target_url,
		.log_url = (char *)sr->log_url,
		.environment_url = (char *)sr->environment_url,
		.created_at = who->now,
		.updated_at = who->now,
		.creator = *who->user,
	};
	*result = STATUS_ENVIRONMENT_CHANGED;
	for (int attempt = 0; attempt < STATUS_CREATE_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			int found;

			deployment_release(fresh);
			found = store_deployment_get(ctx->db, who->repo->id, d->id, fresh, err);
			if (found < 0)
				return -1;
			if (found == 0) {
				*result = STATUS_DEPLOYMENT_NOT_FOUND;
				return 0;
			}
			d = fresh;
		}
		if (try_create(ctx, who, sr, d, status, result, err) < 0)
			return -1;
		if (*result != STATUS_ENVIRONMENT_CHANGED)
			return 0;
	}
	return 0;
}
