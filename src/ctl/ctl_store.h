/*
 * deployctl's SQL: one function per thing a command does to the database.
 * Names are matched as the API matches them (logins and repository names
 * case-insensitively). Every function returns -1 with err filled when the
 * statement fails; err->sqlstate says why (23505: it exists already).
 */
#ifndef DEPLOY_CTL_STORE_H
#define DEPLOY_CTL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "util.h"

/*
 * Migrations. open: one migrator at a time, whatever the number of hosts
 * (an advisory lock held until the connection closes), and the
 * schema_migrations table created when missing. applied: 1 when version is
 * recorded there, 0 when not. apply: runs sql and records version in one
 * transaction, rolled back on failure; sql is one of our migration files,
 * never input (it cannot take parameters).
 */
int ctl_store_migrations_open(struct db *db, struct db_error *err) MUST_CHECK;
int ctl_store_migration_applied(struct db *db, const char *version, struct db_error *err) MUST_CHECK;
int ctl_store_migration_apply(struct db *db, const char *version, const char *sql,
    struct db_error *err) MUST_CHECK;

int ctl_store_user_create(struct db *db, const char *login, bool site_admin, int64_t *id,
    struct db_error *err) MUST_CHECK;

struct ctl_token {
	const char *login;
	const char *token_hash;    /* SHA-256 hex of the token: the token is never stored */
	const char *scopes;        /* scope names, comma- or space-separated, known ones only */
	const char *expires_days;  /* a whole number of days; NULL: never */
	const char *rate_limit;    /* requests per hour, 0 unlimited; NULL: the server's default */
};
/* 1 created, 0 no such user. */
int ctl_store_token_create(struct db *db, const struct ctl_token *t, struct db_error *err) MUST_CHECK;

struct ctl_repo {
	const char *owner;          /* created when missing, in the same statement */
	const char *name;
	bool private_repo;
	const char *default_branch;
	const char *git_dir;        /* NULL: none */
	const char *description;    /* NULL: none */
};
int ctl_store_repo_create(struct db *db, const struct ctl_repo *r, int64_t *id,
    struct db_error *err) MUST_CHECK;

/* Adds login to the repository, or changes its permission (pull, push or
 * admin). 1 done, 0 no such repository or user. */
int ctl_store_collaborator_add(struct db *db, const char *owner, const char *name,
    const char *login, const char *permission, struct db_error *err) MUST_CHECK;

struct ctl_hook {
	const char *owner;
	const char *name;
	const char *url;
	const char *secret;        /* NULL or "": deliveries are not signed */
	const char *events;        /* comma-separated event names, none empty; "*": all */
	const char *content_type;  /* json or form */
};
/* Active, verifying TLS, as the API's default. 1 created, 0 no such
 * repository. */
int ctl_store_hook_create(struct db *db, const struct ctl_hook *h, int64_t *id,
    struct db_error *err) MUST_CHECK;

/* The dispatch backlog (ages in whole seconds, 0 when nothing waits). */
struct ctl_outbox_status {
	int64_t outbox_pending;
	int64_t outbox_oldest_seconds;
	int64_t deliveries_pending;
	int64_t deliveries_oldest_seconds;
	int64_t deliveries_failed;
};
int ctl_store_outbox_status(struct db *db, struct ctl_outbox_status *out,
    struct db_error *err) MUST_CHECK;

#endif
