#include "config.h"

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bodies.h"
#include "buf.h"
#include "hook_target.h"

void
fuzz_require_at(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	fprintf(stderr, "%s:%d: fuzz_require(%s) failed\n", file, line, what);
	abort();
}

/* What nginx gets back must parse, whatever the body held. */
static void
require_json_body(const struct response *res)
{
	json_t *parsed;

	if (!res->has_body)
		return;
	parsed = json_loadb(res->body.data, res->body.len, 0, NULL);
	fuzz_require(parsed != NULL);
	json_decref(parsed);
}

void
fuzz_body(const char *body, size_t size, const fuzz_body_check *checks, size_t n)
{
	/* Every host allowed: the URL check itself, which would resolve names
	 * here, has its own target (fuzz_hook_target.c). */
	static struct hook_target_policy every_host = { .everything = true };
	static const struct handler_options options = { .hook_targets = &every_host };
	struct request req = { .body = (char *)body, .body_len = size };
	struct response res;
	struct handler_ctx ctx = { .req = &req, .res = &res, .options = &options };
	struct input *in;

	response_init(&res);
	in = input_body_or_reply(&ctx);
	require_json_body(&res);
	for (size_t i = 0; in && i < n; i++) {
		checks[i](&ctx, in);
		require_json_body(&res);
	}
	input_release(in);
	response_release(&res);
}

static void
check_hook(struct handler_ctx *ctx, const struct input *body, const struct hook *current)
{
	struct hook_input in;

	if (parse_hook_input(ctx, body, current, &in) == 0) {
		const char *url = in.change.url;
		/* A valid change's events are always a JSON array of names. */
		json_t *events = in.change.events ? json_loads(in.change.events, 0, NULL) : NULL;

		fuzz_require(in.change.events == NULL || json_is_array(events));
		json_decref(events);
		/* The dispatcher hands the URL to libcurl as it is. */
		fuzz_require(url == NULL || ((strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
		    !has_control_chars(url) && strchr(url, ' ') == NULL));
	}
	hook_input_release(&in);
}

void
fuzz_hook_create(struct handler_ctx *ctx, const struct input *body)
{
	check_hook(ctx, body, NULL);
}

void
fuzz_hook_update(struct handler_ctx *ctx, const struct input *body)
{
	struct hook current = { .id = 1, .events = "[\"push\",\"deployment\"]", .active = true };

	check_hook(ctx, body, &current);
}
