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

int64_t
handler_id_param_or_reply(struct handler_ctx *ctx, const char *name)
{
	int64_t id;

	if (parse_int64(route_param(&ctx->match, name), 1, INT64_MAX, &id) < 0) {
		response_error(ctx->res, 404, "Not Found");
		return 0;
	}
	return id;
}

/* For load balancers: 200 while this worker's database answers. */
void
h_healthz(struct handler_ctx *ctx)
{
	struct db_error err;
	struct jsonw w;

	if (store_ping(ctx->db, &err) < 0) {
		handler_db_failure(ctx, &err);
		return;
	}
	response_json_begin(ctx->res, 200, &w);
	jw_object_begin(&w);
	jw_kv_string(&w, "status", "ok");
	jw_object_end(&w);
}
