#include "config.h"

#include "handler.h"
#include "store_health.h"

/* For load balancers: 200 while this worker's database answers. */
void
h_healthz(struct handler_ctx *ctx)
{
	struct db_error err;
	struct jsonw w;

	if (store_ping(ctx->db, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	response_json_begin(ctx->res, 200, &w);
	jw_object_begin(&w);
	jw_kv_string(&w, "status", "ok");
	jw_object_end(&w);
}
