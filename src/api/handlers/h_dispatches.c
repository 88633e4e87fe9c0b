/*
 * POST /repos/{owner}/{repo}/dispatches: a repository_dispatch event for
 * the repository's webhooks, queued in the outbox; 204, nothing else.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bodies.h"
#include "buf.h"
#include "handler.h"
#include "input.h"
#include "store_hooks.h"

#define EVENT_TYPE_MAX_CHARS 100
#define CLIENT_PAYLOAD_MAX_KEYS 10
#define CLIENT_PAYLOAD_MAX_BYTES ((size_t)64 * 1024)

/* client_payload, checked, as JSON text (newly allocated; "null" when
 * absent), or NULL with the 422 written. */
static char *
read_client_payload(struct handler_ctx *ctx, const struct input *body)
{
	const struct input *cp = input_object(body, "client_payload");
	struct buf msg = BUF_INIT;
	char *text;

	if (!input_has(body, "client_payload"))
		return xstrdup("null");
	if (cp == NULL) {
		response_error(ctx->res, 422, "client_payload must be an object.");
		return NULL;
	}
	if (input_object_size(cp) > CLIENT_PAYLOAD_MAX_KEYS) {
		buf_printf(&msg, "No more than %d properties are allowed; %zu were supplied.",
		    CLIENT_PAYLOAD_MAX_KEYS, input_object_size(cp));
		response_error(ctx->res, 422, msg.data);
		buf_release(&msg);
		return NULL;
	}
	text = input_object_text(cp);
	if (text == NULL || strlen(text) >= CLIENT_PAYLOAD_MAX_BYTES) {
		free(text);
		response_error(ctx->res, 422, "client_payload is too large.");
		return NULL;
	}
	return text;
}

/* event_type first: its 422 lists entries, client_payload's are messages. */
int
parse_repository_dispatch_request(struct handler_ctx *ctx, const struct input *body,
    struct repository_dispatch_request *dr)
{
	struct validation v;

	dr->client_payload = NULL;
	validation_init(&v, "Repository");
	dr->event_type = input_string(&v, body, "event_type", INPUT_REQUIRED | INPUT_NO_CONTROL,
	    EVENT_TYPE_MAX_CHARS);
	if (validation_reply(&v, ctx) < 0)
		return -1;
	dr->client_payload = read_client_payload(ctx, body);
	return dr->client_payload ? 0 : -1;
}

void
h_repository_dispatch(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	struct repository_dispatch_request dr;
	struct db_error err;
	struct input *body;

	body = input_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_repository_dispatch_request(ctx, body, &dr) == 0) {
		struct repository_dispatch_insert ins = {
			.repository_id = a->repo.id,
			.sender_id = a->principal.user.id,
			.event_type = dr.event_type,
			.client_payload = dr.client_payload,
			.api_url = ctx->urls.api,
			.web_url = ctx->urls.web,
		};

		if (store_repository_dispatch(ctx->db, &ins, &err) < 0)
			reply_db_failure(ctx, &err);
		else
			response_empty(ctx->res, 204);
	}
	free(dr.client_payload);
	input_release(body);
}
