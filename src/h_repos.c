#include "config.h"

#include "handler.h"

/* The repository was found and authorised while resolving the caller, so
 * this costs no further round trip. */
void
h_repository_get(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	enum permission perm = a->permission;

	if (!a->repo.is_private && perm < PERMISSION_PULL)
		perm = PERMISSION_PULL;
	response_json(ctx->res, 200,
	    render_full_repository(&ctx->urls, &a->repo, a->principal.authenticated ? &perm : NULL));
}
