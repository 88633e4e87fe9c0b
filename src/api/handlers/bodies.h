/*
 * What each create or update body asks for, validated: one parse function
 * per body, defined next to its handler (h_*.c), which calls it before any
 * other work. They are declared here rather than kept static so that the
 * fuzz target (tests/fuzz/fuzz_bodies.c) runs exactly the validation a
 * request runs, with no database or repository behind it. Each returns 0,
 * or -1 with the 422 written to ctx->res. Strings are borrowed from body.
 */
#ifndef DEPLOY_BODIES_H
#define DEPLOY_BODIES_H

#include <stdbool.h>

#include "buf.h"
#include "handler.h"
#include "input.h"
#include "store_environments.h"
#include "store_hooks.h"

/* POST .../deployments (h_deployments.c). */
struct deployment_request {
	const char *ref;
	const char *task;
	const char *environment;
	const char *description;
	bool auto_merge;
	bool force;
	bool transient_environment;
	bool production_environment;
	char *payload;            /* JSON text */
	char *required_contexts;  /* JSON array text, NULL: all contexts */
};

int parse_deployment_request(struct handler_ctx *ctx, const struct input *body,
    struct deployment_request *dr);
void deployment_request_release(struct deployment_request *dr);

/* POST .../deployments/{id}/statuses (h_statuses.c). */
struct status_request {
	const char *state;
	const char *description;
	const char *environment;      /* NULL: keep the deployment's */
	const char *target_url;
	const char *log_url;
	const char *environment_url;
	bool auto_inactive;
};

int parse_status_request(struct handler_ctx *ctx, const struct input *body,
    struct status_request *sr);

/* POST .../statuses/{sha} (h_commit_statuses.c). */
struct commit_status_request {
	const char *state;
	const char *description;   /* NULL when not given */
	const char *target_url;    /* NULL when not given */
	const char *context;
};

int parse_commit_status_request(struct handler_ctx *ctx, const struct input *body,
    struct commit_status_request *sr);

/* POST .../dispatches (h_dispatches.c). */
struct repository_dispatch_request {
	const char *event_type;
	char *client_payload;  /* JSON text, "null" when absent; free() it */
};

int parse_repository_dispatch_request(struct handler_ctx *ctx, const struct input *body,
    struct repository_dispatch_request *dr);

/* POST .../merges (h_merges.c). */
struct merge_request {
	const char *base;
	const char *head;
	const char *commit_message;  /* NULL: GitHub's default */
};

int parse_merge_request(struct handler_ctx *ctx, const struct input *body, struct merge_request *mr);

/* POST .../hooks and PATCH .../hooks/{id} (h_hooks.c): the change borrows
 * from the body and from the strings owned here. */
struct hook_input {
	struct hook_change change;
	struct buf events_text;
};

/* current is the hook being updated (NULL on create), whose events
 * add_events/remove_events start from. */
int parse_hook_input(struct handler_ctx *ctx, const struct input *body, const struct hook *current,
    struct hook_input *in);
void hook_input_release(struct hook_input *in);

/* PUT .../environments/{name} (h_environments.c): types and ranges; the
 * settings this server cannot honour are refused by the handler after. */
struct environment_request {
	int64_t wait_timer;
	bool prevent_self_review;
	size_t reviewers;                      /* how many were sent */
	enum environment_setting admins_bypass;
	bool policy_given;                     /* deployment_branch_policy present */
	bool policy_null;
	bool protected_branches;
	bool custom_branch_policies;
};

int parse_environment_request(struct handler_ctx *ctx, const struct input *body,
    struct environment_request *er);

/* POST and PUT .../deployment-branch-policies[/{id}] (h_branch_policies.c):
 * type is read only when creating ("branch" when omitted). */
struct branch_policy_request {
	const char *name;
	const char *type;
};

int parse_branch_policy_request(struct handler_ctx *ctx, const struct input *body, bool creating,
    struct branch_policy_request *br);

#endif
