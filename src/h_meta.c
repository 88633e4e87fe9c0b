#include "config.h"

#include "handler.h"
#include "log.h"
#include "store_user.h"

void
handler_db_failure(struct handler_ctx *ctx, const struct db_error *err)
{
	if (err->failure == DB_UNAVAILABLE) {
		response_error(ctx->res, 503, "Service Unavailable: the database cannot be reached");
		return;
	}
	log_error("database error sqlstate=%s: %s", err->sqlstate, err->message);
	response_error(ctx->res, 500, "Server Error");
}

/* For load balancers: 200 while this worker's database answers. */
void
h_healthz(struct handler_ctx *ctx)
{
	struct db_error err;
	json_t *body;

	if (store_ping(ctx->db, &err) < 0) {
		handler_db_failure(ctx, &err);
		return;
	}
	body = json_object();
	json_object_set_new(body, "status", json_string("ok"));
	response_json(ctx->res, 200, body);
}
