/*
 * POST /repos/{owner}/{repo}/dispatches: a repository_dispatch event for
 * the repository's webhooks, queued in the outbox; 204, nothing else.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "handler.h"
#include "input.h"
#include "store_hooks.h"

#define EVENT_TYPE_MAX_CHARS 100
#define CLIENT_PAYLOAD_MAX_KEYS 10
#define CLIENT_PAYLOAD_MAX_BYTES (64 * 1024)

/* client_payload, checked: a new reference (JSON null when absent), or
 * NULL with the 422 written. */
static json_t *
read_client_payload(struct handler_ctx *ctx, json_t *body)
{
	json_t *cp = json_object_get(body, "client_payload");
	struct buf msg = BUF_INIT;
	char *text;
	size_t len;

	if (cp == NULL || json_is_null(cp))
		return json_null();
	if (!json_is_object(cp)) {
		response_error(ctx->res, 422, "client_payload must be an object.");
		return NULL;
	}
	if (json_object_size(cp) > CLIENT_PAYLOAD_MAX_KEYS) {
		buf_printf(&msg, "No more than %d properties are allowed; %zu were supplied.",
		    CLIENT_PAYLOAD_MAX_KEYS, json_object_size(cp));
		response_error(ctx->res, 422, msg.data);
		buf_release(&msg);
		return NULL;
	}
	text = json_dumps(cp, JSON_COMPACT);
	len = text ? strlen(text) : SIZE_MAX;
	free(text);
	if (len >= CLIENT_PAYLOAD_MAX_BYTES) {
		response_error(ctx->res, 422, "client_payload is too large.");
		return NULL;
	}
	return json_incref(cp);
}

void
h_repository_dispatch(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	struct validation v;
	const char *event_type;
	struct db_error err;
	json_t *body, *client_payload, *event;
	char *payload = NULL;

	body = input_body_object_or_reply(ctx);
	if (body == NULL)
		return;
	validation_init(&v, "Repository");
	event_type = input_string(&v, body, "event_type", true, false, EVENT_TYPE_MAX_CHARS, true);
	if (validation_reply(&v, ctx) < 0)
		goto out;
	client_payload = read_client_payload(ctx, body);
	if (client_payload == NULL)
		goto out;
	event = render_repository_dispatch_event(&ctx->urls, &a->repo, event_type, client_payload,
	    &a->principal.user);
	payload = json_dumps(event, JSON_COMPACT);
	json_decref(event);
	if (payload == NULL)
		response_error(ctx->res, 500, "Server Error");
	else if (store_repository_dispatch(ctx->db, a->repo.id, event_type, payload, &err) < 0)
		handler_db_failure(ctx, &err);
	else
		response_empty(ctx->res, 204);
out:
	free(payload);
	json_decref(body);
}
