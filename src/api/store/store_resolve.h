/*
 * Who is calling and, for repository routes, which repository (and which
 * deployment, when the path names one) and with what permission: one
 * statement, one round trip, before any handler runs.
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
	bool deployment_found;       /* the path's deployment, in repo */
	struct deployment deployment;
	int64_t new_id;              /* from the sequence asked for, else 0 */
	int64_t now;                 /* the database's clock, epoch seconds */
};

/* token_hash: hex SHA-256 of the presented token, or NULL when anonymous.
 * owner and name: the repository in the path, or NULL.
 * deployment_id: the deployment in the path (decimal text), or NULL.
 * id_sequence: for routes that create a row, the sequence its id comes
 * from: taking it here, in the same round trip, lets the handler render the
 * new row (and its webhook payload) before the one statement that writes
 * it. NULL otherwise. A route has a deployment in its path or creates a
 * row, never both (id_sequence wins). */
struct resolve_request {
	const char *token_hash;
	const char *owner;
	const char *name;
	const char *deployment_id;
	const char *id_sequence;
};

int store_resolve(struct db *db, const struct resolve_request *q, struct resolution *out,
    struct db_error *err) MUST_CHECK;

/* The next value of sequence (a resolve_request's id_sequence), for a
 * caller resolved without the database (resolve_cache.h). */
int store_next_id(struct db *db, const char *sequence, int64_t *id,
    struct db_error *err) MUST_CHECK;
void resolution_release(struct resolution *r);

#endif
