/*
 * A command runs each statement once (migrate: its check once per
 * migration file), so none is prepared: db_exec_once, not a struct
 * db_statement. db_exec would also run a read-only statement again on a
 * fresh connection when the old one died, and a migrator's lock is held
 * by its connection: a migration must stop there, not carry on unlocked.
 */
#include "config.h"

#include "ctl_store.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db_query.h"
#include "hook_sql.h"
#include "jsonw.h"

#define MIGRATION_LOCK_KEY "7245871203"

/* The repository $1/$2 (owner's login, name) is r, its owner o. */
#define REPOSITORY_JOIN "repositories r JOIN users o ON o.id = r.owner_id"
#define REPOSITORY_NAMED "lower(o.login) = lower($1) AND lower(r.name) = lower($2)"

/* Runs sql: 1 when it returns a row (*id, when asked for, from its first
 * column), 0 when it returns none. */
static int
run(struct db *db, const char *sql, int nparams, const char *const *params, int64_t *id,
    struct db_error *err)
{
	PGresult *r = db_exec_once(db, sql, nparams, params, err);
	int found;

	if (r == NULL)
		return -1;
	found = PQntuples(r) > 0;
	if (found && id != NULL)
		*id = db_get_int64(r, 0, 0);
	PQclear(r);
	return found;
}

int
ctl_store_migrations_open(struct db *db, struct db_error *err)
{
	const char *lock[] = { MIGRATION_LOCK_KEY };

	if (run(db, "SELECT pg_advisory_lock($1::bigint)", 1, lock, NULL, err) < 0)
		return -1;
	return db_exec_script(db,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", err);
}

int
ctl_store_migration_applied(struct db *db, const char *version, struct db_error *err)
{
	const char *params[] = { version };

	return run(db, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, params, NULL, err);
}

int
ctl_store_migration_apply(struct db *db, const char *version, const char *sql,
    struct db_error *err)
{
	const char *params[] = { version };
	struct db_error rollback;

	if (db_exec_script(db, "BEGIN", err) == 0 && db_exec_script(db, sql, err) == 0 &&
	    run(db, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, params, NULL, err) >= 0)
		return db_exec_script(db, "COMMIT", err);
	/* err says what failed. If even ROLLBACK fails, the connection is
	 * gone and the server has rolled back already. */
	if (db_exec_script(db, "ROLLBACK", &rollback) < 0)
		fprintf(stderr, "rollback failed: %s\n", rollback.message);
	return -1;
}

int
ctl_store_user_create(struct db *db, const char *login, bool site_admin, int64_t *id,
    struct db_error *err)
{
	const char *params[] = { login, site_admin ? "true" : "false" };

	return run(db, "INSERT INTO users (login, site_admin) VALUES ($1, $2) RETURNING id",
	    (int)ARRAY_SIZE(params), params, id, err) < 0 ? -1 : 0;
}

int
ctl_store_token_create(struct db *db, const struct ctl_token *t, struct db_error *err)
{
	struct buf scopes = BUF_INIT;
	const char *params[5];
	int rc;

	/* The scopes as a PostgreSQL array literal: the names are known
	 * ones (scopes_parse), separated by any run of spaces and commas
	 * ("repo, public_repo"). */
	buf_putc(&scopes, '{');
	for (const char *p = t->scopes; *p;) {
		size_t len;

		p += strspn(p, " ,");
		len = strcspn(p, " ,");
		if (len > 0) {
			if (scopes.len > 1)
				buf_putc(&scopes, ',');
			buf_append(&scopes, p, len);
		}
		p += len;
	}
	buf_putc(&scopes, '}');
	params[0] = t->token_hash;
	params[1] = buf_cstr(&scopes);
	params[2] = t->expires_days;
	params[3] = t->rate_limit;
	params[4] = t->login;
	rc = run(db,
	    "INSERT INTO tokens (user_id, token_hash, scopes, expires_at, rate_limit)"
	    " SELECT id, $1, $2::text[],"
	    "        now() + make_interval(days => $3::int), $4::bigint"
	    "   FROM users WHERE lower(login) = lower($5) RETURNING id",
	    (int)ARRAY_SIZE(params), params, NULL, err);
	buf_release(&scopes);
	return rc;
}

int
ctl_store_repo_create(struct db *db, const struct ctl_repo *r, int64_t *id, struct db_error *err)
{
	const char *params[] = { r->owner, r->name, r->private_repo ? "true" : "false",
		r->default_branch, r->git_dir, r->description };

	/* The owner is created when missing, in the same statement. */
	return run(db,
	    "WITH existing AS (SELECT id FROM users WHERE lower(login) = lower($1)),"
	    " created AS (INSERT INTO users (login) SELECT $1"
	    "             WHERE NOT EXISTS (SELECT 1 FROM existing) RETURNING id),"
	    " owner AS (SELECT id FROM existing UNION ALL SELECT id FROM created)"
	    " INSERT INTO repositories (owner_id, name, private, default_branch, git_dir, description)"
	    " SELECT id, $2, $3, $4, $5, $6 FROM owner RETURNING id",
	    (int)ARRAY_SIZE(params), params, id, err) < 0 ? -1 : 0;
}

int
ctl_store_collaborator_add(struct db *db, const char *owner, const char *name,
    const char *login, const char *permission, struct db_error *err)
{
	const char *params[] = { owner, name, login, permission };

	return run(db,
	    "INSERT INTO collaborators (repository_id, user_id, permission)"
	    " SELECT r.id, u.id, $4 FROM " REPOSITORY_JOIN ", users u"
	    "  WHERE " REPOSITORY_NAMED " AND lower(u.login) = lower($3)"
	    " ON CONFLICT (repository_id, user_id) DO UPDATE SET permission = EXCLUDED.permission"
	    " RETURNING 1",
	    (int)ARRAY_SIZE(params), params, NULL, err);
}

int
ctl_store_hook_create(struct db *db, const struct ctl_hook *h, int64_t *id, struct db_error *err)
{
	const char *names[] = { h->owner, h->name };
	int64_t repository_id;
	char repository[INT64_DECIMAL_MAX + 1];
	struct buf events = BUF_INIT;
	struct jsonw w;
	const char *params[HOOK_INSERT_NPARAMS] = { repository, h->url, h->content_type, h->secret,
		NULL, NULL, NULL };
	int rc;

	rc = run(db, "SELECT r.id FROM " REPOSITORY_JOIN " WHERE " REPOSITORY_NAMED,
	    (int)ARRAY_SIZE(names), names, &repository_id, err);
	if (rc <= 0)
		return rc;
	repository[format_int64(repository_id, repository)] = '\0';
	/* The insert takes the events as the API's body gives them: a JSON
	 * array. */
	jw_init(&w, &events);
	jw_array_begin(&w);
	for (const char *p = h->events; *p != '\0';) {
		size_t len = strcspn(p, ",");

		jw_stringn(&w, p, len);
		p += len;
		if (*p == ',')
			p++;
	}
	jw_array_end(&w);
	params[5] = buf_cstr(&events);
	rc = run(db, HOOK_INSERT_SQL " RETURNING id", HOOK_INSERT_NPARAMS, params, id, err);
	buf_release(&events);
	/* An INSERT ... VALUES returns its row. */
	return rc < 0 ? -1 : 1;
}

int
ctl_store_outbox_status(struct db *db, struct ctl_outbox_status *out, struct db_error *err)
{
	PGresult *r = db_exec_once(db,
	    "SELECT (SELECT count(*) FROM outbox),"
	    "       coalesce((SELECT extract(epoch FROM now() - min(created_at))::bigint FROM outbox), 0),"
	    "       (SELECT count(*) FROM deliveries WHERE status = 'pending'),"
	    "       coalesce((SELECT extract(epoch FROM now() - min(created_at))::bigint"
	    "                   FROM deliveries WHERE status = 'pending'), 0),"
	    "       (SELECT count(*) FROM deliveries WHERE status = 'failed')",
	    0, NULL, err);

	int64_t *fields[] = { &out->outbox_pending, &out->outbox_oldest_seconds,
		&out->deliveries_pending, &out->deliveries_oldest_seconds, &out->deliveries_failed };

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		*fields[i] = db_get_int64(r, 0, (int)i);
	PQclear(r);
	return 0;
}
