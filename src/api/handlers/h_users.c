#include "config.h"

#include "handler.h"
#include "store_user.h"

void
h_user_get(struct handler_ctx *ctx)
{
	const struct user *u = &ctx->auth->principal.user;
	struct user_counts counts;
	struct db_error err;
	struct jsonw w;

	if (store_user_counts(ctx->db, u->id, &counts, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	response_json_begin(ctx->res, 200, &w);
	render_private_user(&w, &ctx->urls, u, &counts);
}
