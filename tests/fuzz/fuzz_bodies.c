/*
 * Every body validator (bodies.h) on one request body: the input is the
 * body as a client sends it, parsed once as the handlers parse it, then
 * given to each validator in turn.
 */
#include "config.h"

#include <stdlib.h>

#include "bodies.h"
#include "fuzz.h"

static void
check_deployment(struct handler_ctx *ctx, const struct input *body)
{
	struct deployment_request dr;

	(void)parse_deployment_request(ctx, body, &dr);
	deployment_request_release(&dr);
}

static void
check_status(struct handler_ctx *ctx, const struct input *body)
{
	struct status_request sr;

	(void)parse_status_request(ctx, body, &sr);
}

static void
check_commit_status(struct handler_ctx *ctx, const struct input *body)
{
	struct commit_status_request sr;

	(void)parse_commit_status_request(ctx, body, &sr);
}

static void
check_dispatch(struct handler_ctx *ctx, const struct input *body)
{
	struct repository_dispatch_request dr;

	(void)parse_repository_dispatch_request(ctx, body, &dr);
	free(dr.client_payload);
}

static void
check_merge(struct handler_ctx *ctx, const struct input *body)
{
	struct merge_request mr;

	(void)parse_merge_request(ctx, body, &mr);
}

static void
check_environment(struct handler_ctx *ctx, const struct input *body)
{
	struct environment_request er;

	(void)parse_environment_request(ctx, body, &er);
}

static void
check_branch_policy(struct handler_ctx *ctx, const struct input *body)
{
	struct branch_policy_request br;

	(void)parse_branch_policy_request(ctx, body, true, &br);
	(void)parse_branch_policy_request(ctx, body, false, &br);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const fuzz_body_check checks[] = {
		check_deployment, check_status, check_commit_status, check_dispatch, check_merge,
		check_environment, check_branch_policy, fuzz_hook_create, fuzz_hook_update,
	};

	fuzz_body((const char *)data, size, checks, sizeof(checks) / sizeof(checks[0]));
	return 0;
}
