#include "config.h"

#include "deployment_create.h"

#include "deployment_checks.h"

int
deployment_create(struct handler_ctx *ctx, const struct author *who,
    const struct deployment_request *dr, struct deployment *d, const struct policy_ref *policy,
    struct context_failures *failing, char **refused, struct db_error *err)
{
	struct deployment_insert ins;

	/* Borrowed fields: d is rendered, never released. */
	d->ref = (char *)dr->ref;
	d->task = (char *)dr->task;
	d->payload = dr->payload;
	d->original_environment = (char *)dr->environment;
	d->environment = (char *)dr->environment;
	d->description = (char *)dr->description;
	d->transient_environment = dr->transient_environment;
	d->production_environment = dr->production_environment;
	d->created_at = who->now;
	d->updated_at = who->now;
	d->creator = *who->user;

	ins = (struct deployment_insert){
		.repository_id = who->repo->id,
		.creator_id = who->user->id,
		.created_at = d->created_at,
		.sha = d->sha,
		.ref = dr->ref,
		.task = dr->task,
		.payload = dr->payload,
		.environment = dr->environment,
		.description = dr->description,
		.transient_environment = dr->transient_environment,
		.production_environment = dr->production_environment,
		.required_contexts = dr->required_contexts,
		.auto_merge = dr->auto_merge,
		.api_url = ctx->urls.api,
		.web_url = ctx->urls.web,
		.check = deployment_contexts_check(dr->required_contexts, dr->force),
		.ref_kind = policy->kind,
		.ref_name = policy->name,
	};
	return store_deployment_create(ctx->db, &ins, &d->id, failing, refused, err);
}
