#include "config.h"

#include "replies.h"

#include "handler.h"
#include "log.h"

void
reply_db_failure(struct handler_ctx *ctx, const struct db_error *err)
{
	if (err->failure == DB_UNAVAILABLE) {
		response_error(ctx->res, 503, "Service Unavailable: the database cannot be reached");
		return;
	}
	log_error("database error sqlstate=%s: %s", err->sqlstate, err->message);
	response_error(ctx->res, 500, "Server Error");
}

void
reply_git_read_failure(struct handler_ctx *ctx)
{
	response_error(ctx->res, 500, "Server Error: the repository cannot be read");
}

void
reply_git_write_failure(struct handler_ctx *ctx)
{
	response_error(ctx->res, 500, "Server Error: the repository cannot be written");
}

void
reply_not_found(struct handler_ctx *ctx)
{
	response_error(ctx->res, 404, "Not Found");
}

bool
reply_unless_found(struct handler_ctx *ctx, int found, const struct db_error *err)
{
	if (found < 0)
		reply_db_failure(ctx, err);
	else if (found == 0)
		reply_not_found(ctx);
	return found > 0;
}

int64_t
path_id_or_reply(struct handler_ctx *ctx, const char *name)
{
	int64_t id;

	if (parse_int64(route_param(&ctx->match, name), 1, INT64_MAX, &id) < 0) {
		reply_not_found(ctx);
		return 0;
	}
	return id;
}
