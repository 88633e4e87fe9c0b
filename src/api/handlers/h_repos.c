#include "config.h"

#include "handler.h"

/* The repository was found and authorised while resolving the caller, so
 * this costs no further round trip. */
void
h_repository_get(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	enum permission perm = a->permission;
	struct jsonw w;

	if (!a->repo.is_private && perm < PERMISSION_PULL)
		perm = PERMISSION_PULL;
	response_json_begin(ctx->res, 200, &w);
	render_full_repository(&w, &ctx->urls, &a->repo, a->principal.authenticated ? &perm : NULL);
}
