/*
 * Repository webhooks (admin access): create, list, get, update, delete,
 * ping, test, and their deliveries (list, get, redeliver). Sending is
 * deploy-dispatch's job; the API only queues work and shows the record.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bodies.h"
#include "buf.h"
#include "handler.h"
#include "hook_target.h"
#include "input.h"
#include "pagination.h"
#include "store_hooks.h"

#define HOOK_URL_MAX_CHARS 2048
#define HOOK_SECRET_MAX_CHARS 1024
#define HOOK_NAME_MAX_CHARS 16
#define CONTENT_TYPE_MAX_CHARS 8

/* The events this server can deliver, and GitHub's default. */
static const char *const hook_events[] = {
	"*", "push", "deployment", "deployment_status", "repository_dispatch",
};

void
hook_input_release(struct hook_input *in)
{
	buf_release(&in->events_text);
}

/* The url, unless the operator's --hook-allowed-hosts refuses its host
 * (by name, as an address in any of its spellings, or by what it resolves
 * to): NULL with the 422 entry recorded. */
static const char *
allowed_url(struct validation *v, const struct hook_target_policy *targets, const char *url)
{
	struct buf host = BUF_INIT;
	struct buf msg = BUF_INIT;

	switch (hook_target_check_url(targets, url, true, &host, NULL)) {
	case HOOK_URL_ALLOWED:
		break;
	case HOOK_URL_MALFORMED:
		validation_add_custom(v, "url", "url must be an http or https URL");
		url = NULL;
		break;
	case HOOK_URL_CREDENTIALS:
		validation_add_custom(v, "url", "url must not contain a user name or password");
		url = NULL;
		break;
	case HOOK_URL_HOST_REFUSED:
		/* GitHub's words. */
		buf_printf(&msg, "Sorry, the URL host %s is not supported because it isn't reachable "
		    "over the public Internet", buf_cstr(&host));
		validation_add_custom(v, "url", buf_cstr(&msg));
		url = NULL;
		break;
	}
	buf_release(&msg);
	buf_release(&host);
	return url;
}

static void
read_config(struct validation *v, const struct input *body, bool creating,
    const struct hook_target_policy *targets, struct hook_change *c)
{
	const struct input *config = input_object(body, "config");
	int insecure;

	if (config == NULL) {
		if (input_has(body, "config"))
			validation_add(v, "config", "invalid");
		else if (creating)
			validation_add_custom(v, "config", "Config must include a url");
		return;
	}
	c->url = input_string(v, config, "url", creating ? INPUT_REQUIRED | INPUT_NO_CONTROL
	    : INPUT_NO_CONTROL, HOOK_URL_MAX_CHARS);
	if (c->url)
		c->url = allowed_url(v, targets, c->url);
	c->content_type = input_string(v, config, "content_type", INPUT_NULLABLE | INPUT_NO_CONTROL,
	    CONTENT_TYPE_MAX_CHARS);
	if (c->content_type && strcmp(c->content_type, "json") != 0 &&
	    strcmp(c->content_type, "form") != 0) {
		validation_add_custom(v, "content_type", "content_type must be json or form");
		c->content_type = NULL;
	}
	c->secret = input_string(v, config, "secret", INPUT_NULLABLE, HOOK_SECRET_MAX_CHARS);
	/* GitHub: a config without the secret removes it ("you must provide
	 * the same secret or set a new secret or the secret will be removed"). */
	if (!creating && c->secret == NULL && input_kind_of(config, "secret") == INPUT_ABSENT)
		c->secret = "";
	insecure = input_zero_or_one(v, config, "insecure_ssl");
	if (insecure >= 0)
		c->insecure_ssl = insecure ? "t" : "f";
}

/* The hook's events after the request: events replaces them, add_events and
 * remove_events (updates only) change the current ones. */
static void
read_events(struct validation *v, const struct input *body, const struct hook *current,
    struct hook_input *in)
{
	bool replaced = input_has(body, "events");
	bool add = input_kind_of(body, "add_events") != INPUT_ABSENT;
	bool remove = input_kind_of(body, "remove_events") != INPUT_ABSENT;
	struct name_set set = { 0 };
	struct jsonw w;

	if (!replaced && !(current && (add || remove)))
		return;
	if (replaced) {
		if (!input_name_set_add(body, "events", hook_events, ARRAY_SIZE(hook_events), &set))
			validation_add(v, "events", "invalid");
	} else {
		(void)name_set_add_json(current->events, hook_events, ARRAY_SIZE(hook_events), &set);
	}
	if (add && !input_name_set_add(body, "add_events", hook_events, ARRAY_SIZE(hook_events), &set))
		validation_add(v, "add_events", "invalid");
	if (remove && !input_name_set_remove(body, "remove_events", &set))
		validation_add(v, "remove_events", "invalid");
	jw_init(&w, &in->events_text);
	name_set_write(&set, &w);
	in->change.events = buf_cstr(&in->events_text);
	name_set_release(&set);
}

int
parse_hook_input(struct handler_ctx *ctx, const struct input *body, const struct hook *current,
    struct hook_input *in)
{
	struct validation v;
	const char *name;

	memset(in, 0, sizeof(*in));
	validation_init(&v, "Hook");
	name = input_string(&v, body, "name", INPUT_NULLABLE | INPUT_NO_CONTROL, HOOK_NAME_MAX_CHARS);
	if (name && strcmp(name, "web") != 0)
		validation_add_custom(&v, "name", "name must be web");
	read_config(&v, body, current == NULL, ctx->options->hook_targets, &in->change);
	if (input_has(body, "active"))
		in->change.active = input_bool(&v, body, "active", true) ? "t" : "f";
	read_events(&v, body, current, in);
	return validation_reply(&v, ctx);
}

/* The hook in the path, or 0 with the 404 (or 503) written. */
static int
load_hook(struct handler_ctx *ctx, struct hook *h)
{
	int64_t id = path_id_or_reply(ctx, "hook_id");
	struct db_error err;
	int found;

	memset(h, 0, sizeof(*h));
	if (id == 0)
		return 0;
	found = store_hook_get(ctx->db, ctx->auth->repo.id, id, h, &err);
	return reply_unless_found(ctx, found, &err);
}

/* The hook and the delivery id in the path, or 0 with the reply written
 * (and nothing to release). */
static int64_t
load_hook_delivery_id(struct handler_ctx *ctx, struct hook *h)
{
	int64_t id;

	if (!load_hook(ctx, h))
		return 0;
	id = path_id_or_reply(ctx, "delivery_id");
	if (id == 0)
		hook_release(h);
	return id;
}

void
h_hook_create(struct handler_ctx *ctx)
{
	struct hook_input in;
	struct hook h;
	struct db_error err;
	struct buf location = BUF_INIT;
	struct jsonw w;
	struct input *body = input_body_or_reply(ctx);

	if (body == NULL)
		return;
	if (parse_hook_input(ctx, body, NULL, &in) == 0) {
		if (store_hook_create(ctx->db, ctx->auth->repo.id, &in.change, &h, &err) < 0) {
			reply_db_failure(ctx, &err);
		} else {
			render_hook_url(&location, &ctx->urls, &ctx->auth->repo, h.id);
			response_header(ctx->res, "Location", location.data);
			response_json_begin(ctx->res, 201, &w);
			render_hook(&w, &ctx->urls, &ctx->auth->repo, &h);
			hook_release(&h);
		}
	}
	buf_release(&location);
	hook_input_release(&in);
	input_release(body);
}

void
h_hooks_list(struct handler_ctx *ctx)
{
	struct page_request page;
	struct hook_list list;
	struct db_error err;
	struct jsonw w;

	pagination_parse(ctx->req, &page);
	page.before_id = 0;
	if (store_hook_list(ctx->db, ctx->auth->repo.id, page.per_page, pagination_offset(&page),
	    &list, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	pagination_reply_begin(ctx, &page, list.total, list.more, 0, &w);
	for (size_t i = 0; i < list.count; i++)
		render_hook(&w, &ctx->urls, &ctx->auth->repo, &list.items[i]);
	jw_array_end(&w);
	hook_list_release(&list);
}

void
h_hook_get(struct handler_ctx *ctx)
{
	struct hook h;
	struct jsonw w;

	if (!load_hook(ctx, &h))
		return;
	response_json_begin(ctx->res, 200, &w);
	render_hook(&w, &ctx->urls, &ctx->auth->repo, &h);
	hook_release(&h);
}

void
h_hook_update(struct handler_ctx *ctx)
{
	struct hook current, updated;
	struct hook_input in;
	struct db_error err;
	struct jsonw w;
	struct input *body;
	int found;

	if (!load_hook(ctx, &current))
		return;
	body = input_body_or_reply(ctx);
	if (body == NULL) {
		hook_release(&current);
		return;
	}
	if (parse_hook_input(ctx, body, &current, &in) == 0) {
		found = store_hook_update(ctx->db, ctx->auth->repo.id, current.id, &in.change, &updated,
		    &err);
		if (reply_unless_found(ctx, found, &err)) {
			response_json_begin(ctx->res, 200, &w);
			render_hook(&w, &ctx->urls, &ctx->auth->repo, &updated);
			hook_release(&updated);
		}
	}
	hook_input_release(&in);
	hook_release(&current);
	input_release(body);
}

void
h_hook_delete(struct handler_ctx *ctx)
{
	int64_t id = path_id_or_reply(ctx, "hook_id");
	struct db_error err;
	int deleted;

	if (id == 0)
		return;
	deleted = store_hook_delete(ctx->db, ctx->auth->repo.id, id, &err);
	if (reply_unless_found(ctx, deleted, &err))
		response_empty(ctx->res, 204);
}

void
h_hook_ping(struct handler_ctx *ctx)
{
	struct hook h;
	struct db_error err;
	struct buf payload = BUF_INIT;
	struct jsonw w;

	if (!load_hook(ctx, &h))
		return;
	jw_init(&w, &payload);
	render_ping_event(&w, &ctx->urls, &ctx->auth->repo, &h, &ctx->auth->principal.user);
	if (store_delivery_queue(ctx->db, &h, "ping", NULL, payload.data, &err) < 0)
		reply_db_failure(ctx, &err);
	else
		response_empty(ctx->res, 204);
	buf_release(&payload);
	hook_release(&h);
}

/* GitHub answers 204 and sends the latest push event to the hook if it
 * subscribes to push, nothing when there is none. This server receives no
 * pushes, so there never is one: 204 for a hook that exists, nothing
 * queued (docs/architecture.md, "Webhooks (API side)"). */
void
h_hook_test(struct handler_ctx *ctx)
{
	struct hook h;

	if (!load_hook(ctx, &h))
		return;
	response_empty(ctx->res, 204);
	hook_release(&h);
}

void
h_hook_deliveries_list(struct handler_ctx *ctx)
{
	struct page_request page;
	struct delivery_list list;
	struct db_error err;
	struct hook h;
	struct jsonw w;

	if (!load_hook(ctx, &h))
		return;
	pagination_parse(ctx->req, &page);
	if (store_delivery_list(ctx->db, h.id, page.per_page, pagination_offset(&page), page.before_id,
	    &list, &err) < 0) {
		reply_db_failure(ctx, &err);
		hook_release(&h);
		return;
	}
	pagination_reply_begin(ctx, &page, list.total, list.more, PAGINATION_LAST_ID(list), &w);
	for (size_t i = 0; i < list.count; i++)
		render_delivery(&w, &list.items[i], false);
	jw_array_end(&w);
	delivery_list_release(&list);
	hook_release(&h);
}

void
h_hook_delivery_get(struct handler_ctx *ctx)
{
	struct delivery d;
	struct db_error err;
	struct hook h;
	struct jsonw w;
	int64_t id = load_hook_delivery_id(ctx, &h);
	int found;

	if (id == 0)
		return;
	found = store_delivery_get(ctx->db, h.id, id, &d, &err);
	if (reply_unless_found(ctx, found, &err)) {
		response_json_begin(ctx->res, 200, &w);
		render_delivery(&w, &d, true);
		delivery_release(&d);
	}
	hook_release(&h);
}

void
h_hook_delivery_redeliver(struct handler_ctx *ctx)
{
	struct db_error err;
	struct hook h;
	struct jsonw w;
	int64_t id = load_hook_delivery_id(ctx, &h);
	int found;

	if (id == 0)
		return;
	found = store_delivery_redeliver(ctx->db, h.id, id, &err);
	if (reply_unless_found(ctx, found, &err)) {
		response_json_begin(ctx->res, 202, &w);
		jw_object_begin(&w);
		jw_object_end(&w);
	}
	hook_release(&h);
}
