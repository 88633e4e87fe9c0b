#include "config.h"

#include "environment_path.h"

#include "store_environments.h"

enum environment_name_check
environment_name_check(const char *name)
{
	if (*name == '\0' || has_control_chars(name))
		return ENVIRONMENT_NAME_INVALID;
	if (utf8_length(name) > ENVIRONMENT_NAME_MAX_CHARS)
		return ENVIRONMENT_NAME_TOO_LONG;
	return ENVIRONMENT_NAME_OK;
}

const char *
environment_path_name(const struct handler_ctx *ctx)
{
	return route_param(&ctx->match, "environment_name");
}

bool
environment_from_path_or_reply(struct handler_ctx *ctx, struct environment *out)
{
	const char *name = environment_path_name(ctx);
	struct db_error err;
	int found;

	if (environment_name_check(name) != ENVIRONMENT_NAME_OK) {
		reply_not_found(ctx);
		return false;
	}
	found = store_environment_get(ctx->db, ctx->auth->repo.id, name, out, &err);
	return reply_unless_found(ctx, found, &err);
}
