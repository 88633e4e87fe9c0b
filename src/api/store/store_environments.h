/*
 * Environments and their deployment branch policies in PostgreSQL
 * (sql/0009_environments.sql). Names are looked up after ASCII folding
 * (environment_fold); a record keeps the spelling it was created with.
 * Each call is one statement. Deployments create their environment
 * themselves (a trigger on deployments), so nothing here is called on the
 * deployment path but store_environment_refusal.
 */
#ifndef DEPLOY_STORE_ENVIRONMENTS_H
#define DEPLOY_STORE_ENVIRONMENTS_H

#include "db.h"
#include "model.h"

/* GitHub's cap is undocumented; this server's, environments.md. */
#define BRANCH_POLICIES_MAX 100

struct environment_list {
	struct environment *items;
	size_t count;
	int64_t total;  /* every environment of the repository */
	bool more;
};

/* A page of the repository's environments, id ascending. */
int store_environment_list(struct db *db, int64_t repository_id, int64_t limit, int64_t offset,
    struct environment_list *out, struct db_error *err) MUST_CHECK;
void environment_list_release(struct environment_list *l);

/* 1 found, 0 none whose name folds equal to name, -1 error. */
int store_environment_get(struct db *db, int64_t repository_id, const char *name,
    struct environment *out, struct db_error *err) MUST_CHECK;

/* What a PUT changes; each setting may be left as it is. */
enum environment_setting {
	ENVIRONMENT_KEEP,
	ENVIRONMENT_SET,    /* custom branch policies on; can_admins_bypass true */
	ENVIRONMENT_CLEAR,  /* branch policy null (its policies deleted); can_admins_bypass false */
};

struct environment_change {
	int64_t repository_id;
	const char *name;                     /* the path's spelling, for a new record */
	enum environment_setting admins_bypass;
	enum environment_setting branch_policy;
	int64_t now;                          /* epoch seconds: updated_at */
};

/* Creates the environment or updates the one whose name folds equal, and
 * reads it back into out. */
int store_environment_put(struct db *db, const struct environment_change *c,
    struct environment *out, struct db_error *err) MUST_CHECK;

/* Deletes the environment, its policies and every deployment whose current
 * environment folds equal to name, in one transaction (sql/0009
 * environment_delete). *deleted false: there was none. */
int store_environment_delete(struct db *db, int64_t repository_id, const char *name,
    bool *deleted, struct db_error *err) MUST_CHECK;

/*
 * Whether a deployment of a ref to environment may go: *refused NULL when
 * it may, else the environment's record name (newly allocated), when the
 * environment has custom branch policies and none of kind (a "branch" or
 * "tag", NULL for anything else) matches ref_name.
 */
int store_environment_refusal(struct db *db, int64_t repository_id, const char *environment,
    const char *kind, const char *ref_name, char **refused, struct db_error *err) MUST_CHECK;

struct branch_policy_list {
	struct branch_policy *items;
	size_t count;
	int64_t total;
	bool more;
};

/* A page of the environment's policies, id ascending. */
int store_branch_policy_list(struct db *db, int64_t environment_id, int64_t limit, int64_t offset,
    struct branch_policy_list *out, struct db_error *err) MUST_CHECK;
void branch_policy_list_release(struct branch_policy_list *l);

enum branch_policy_create_result {
	BRANCH_POLICY_CREATED,   /* out is the new policy */
	BRANCH_POLICY_EXISTS,    /* out->id is the policy of that name and type */
	BRANCH_POLICY_TOO_MANY,  /* the environment has BRANCH_POLICIES_MAX */
};

int store_branch_policy_create(struct db *db, int64_t environment_id, const char *name,
    const char *type, struct branch_policy *out, enum branch_policy_create_result *result,
    struct db_error *err) MUST_CHECK;

/* 1 found, 0 not a policy of this environment, -1 error. */
int store_branch_policy_get(struct db *db, int64_t environment_id, int64_t id,
    struct branch_policy *out, struct db_error *err) MUST_CHECK;

enum branch_policy_rename_result {
	BRANCH_POLICY_RENAMED,
	BRANCH_POLICY_NOT_FOUND,
	BRANCH_POLICY_NAME_TAKEN,  /* another policy of its type has the name */
};

int store_branch_policy_rename(struct db *db, int64_t environment_id, int64_t id,
    const char *name, struct branch_policy *out, enum branch_policy_rename_result *result,
    struct db_error *err) MUST_CHECK;

/* 1 deleted, 0 not a policy of this environment, -1 error. */
int store_branch_policy_delete(struct db *db, int64_t environment_id, int64_t id,
    struct db_error *err) MUST_CHECK;

#endif
