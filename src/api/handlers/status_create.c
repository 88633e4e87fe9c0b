#include "config.h"

#include "status_create.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_deployments.h"

/* An environment change racing with ours makes the database ask us to read
 * the deployment again; more than a few in a row means something is wrong. */
#define STATUS_CREATE_ATTEMPTS 5

/* One attempt: renders the event from d and asks the database to apply it. */
static int
try_create(struct handler_ctx *ctx, const struct author *who,
    const struct status_request *sr, const struct deployment *d,
    struct deployment_status *status, enum status_create_result *result, struct db_error *err)
{
	struct deployment after = *d;
	struct buf event = BUF_INIT;
	struct jsonw ew;
	char *pieces[4];
	struct status_insert ins;
	int rc;

	/* The deployment as the status leaves it, for the event body. */
	if (sr->environment)
		after.environment = (char *)sr->environment;
	after.updated_at = who->now;
	status->environment = after.environment;
	jw_init(&ew, &event);
	render_deployment_status_event(&ew, &ctx->urls, who->repo, &after, status, who->user);
	jw_pieces(&ew, pieces);
	buf_release(&event);
	ins = (struct status_insert){
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
		.event_head = pieces[0],
		.event_mid1 = pieces[1],
		.event_mid2 = pieces[2],
		.event_tail = pieces[3],
	};
	rc = store_status_create(ctx->db, &ins, &status->id, result, err);
	for (size_t i = 0; i < ARRAY_SIZE(pieces); i++)
		free(pieces[i]);
	return rc;
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
