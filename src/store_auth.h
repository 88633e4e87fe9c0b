/*
 * Who is calling and, for repository routes, which repository and with
 * what permission: one statement, one round trip, before any handler runs.
 */
#ifndef DEPLOY_STORE_AUTH_H
#define DEPLOY_STORE_AUTH_H

#include "db.h"
#include "model.h"

struct resolution {
	bool token_found;       /* the hash matched a token */
	bool token_expired;
	struct principal principal;
	bool repo_found;
	struct repository repo;
	enum permission permission;  /* the principal's, on repo */
};

/* token_hash: hex SHA-256 of the presented token, or NULL when anonymous.
 * owner and name: the repository in the path, or NULL. */
int store_resolve(struct db *db, const char *token_hash, const char *owner, const char *name,
    struct resolution *out, struct db_error *err) MUST_CHECK;
void resolution_release(struct resolution *r);

#endif
