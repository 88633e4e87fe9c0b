/*
 * The environment a path names ({environment_name}, percent-decoded once
 * by the request reader, so "preview%2Fpr-12" is "preview/pr-12"), shared
 * by the environment and branch-policy handlers.
 */
#ifndef DEPLOY_ENVIRONMENT_PATH_H
#define DEPLOY_ENVIRONMENT_PATH_H

#include "handler.h"

#define ENVIRONMENT_NAME_MAX_CHARS 255

enum environment_name_check {
	ENVIRONMENT_NAME_OK,
	ENVIRONMENT_NAME_TOO_LONG,  /* over ENVIRONMENT_NAME_MAX_CHARS code points */
	ENVIRONMENT_NAME_INVALID,   /* empty, or a C0 control or DEL in it */
};

/* Whether name could name an environment (it is UTF-8: the request reader
 * refuses other segments). */
enum environment_name_check environment_name_check(const char *name);

/* The path's environment name. */
const char *environment_path_name(const struct handler_ctx *ctx);

/* Reads the path's environment into out: true when found; otherwise the
 * 404 (no such name, or not a name at all), 503 or 500 is written. */
bool environment_from_path_or_reply(struct handler_ctx *ctx, struct environment *out);

#endif
