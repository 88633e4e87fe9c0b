/*
 * The replies every handler shares: the 503 for a database that cannot be
 * reached (500 for any other database failure), the 500 for a git
 * repository that cannot be read or written, and the 404 for an id in the
 * path that names nothing.
 */
#ifndef DEPLOY_REPLIES_H
#define DEPLOY_REPLIES_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct handler_ctx;

/* 503 when the database is unreachable, 500 (logged) otherwise. */
void reply_db_failure(struct handler_ctx *ctx, const struct db_error *err);

/* 500: the repository's git directory cannot be read (or written). */
void reply_git_read_failure(struct handler_ctx *ctx);
void reply_git_write_failure(struct handler_ctx *ctx);

/* 404 "Not Found". */
void reply_not_found(struct handler_ctx *ctx);

/* For a store call that returned found (1), not found (0) or failed (-1,
 * err filled): true when found; otherwise the 404, 503 or 500 is written. */
bool reply_unless_found(struct handler_ctx *ctx, int found, const struct db_error *err);

/* The numeric path parameter name (1..2^63-1), or 0 with a 404 written. */
int64_t path_id_or_reply(struct handler_ctx *ctx, const char *name);

#endif
