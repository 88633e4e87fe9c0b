#include "config.h"

#include "store_environments.h"

#include <stdlib.h>
#include <string.h>

#include "store_rows.h"

#define UNIQUE_VIOLATION "23505"

#define BRANCH_POLICY_COLUMNS(p) p ".id, " p ".name, " p ".type"
#define BY_FOLDED_NAME(e, repo, name)                                           \
	e ".repository_id = " repo " AND environment_fold(" e ".name) = environment_fold(" name ")"

/*
 * Lists are short (an environment per deployment target, at most
 * BRANCH_POLICIES_MAX policies): counted as read, paged by OFFSET, in
 * store_read_page's shape (the total beside every row).
 */
#define OLDEST_FIRST_PAGE(table, owner, columns)                                \
	"WITH c AS (SELECT count(*) AS total FROM " table " WHERE " owner " = $1)" \
	" SELECT c.total, p.* FROM c LEFT JOIN LATERAL ("                          \
	"  SELECT " columns " FROM " table " t WHERE t." owner " = $1"             \
	"   ORDER BY t.id LIMIT $2 OFFSET $3) p ON true ORDER BY 2"

static struct db_statement list_statement = {
	.name = "environment_list",
	.nparams = 3,
	.read_only = true,
	.sql = OLDEST_FIRST_PAGE("environments", "repository_id", STORE_ENVIRONMENT_COLUMNS("t")),
};

static struct db_statement get_statement = {
	.name = "environment_get",
	.nparams = 2,
	.read_only = true,
	.sql = "SELECT " STORE_ENVIRONMENT_COLUMNS("e") " FROM environments e"
	    " WHERE " BY_FOLDED_NAME("e", "$1", "$2"),
};

/*
 * Create or update, and clearing the branch policy deletes the policies,
 * in one statement. $3: can_admins_bypass (NULL: keep, true on create);
 * $4: 'set', 'clear' or NULL (keep) for custom branch policies. A gate id
 * is drawn for every insert attempt; an update that keeps its gate wastes
 * it (sequences have gaps anyway).
 */
static struct db_statement put_statement = {
	.name = "environment_put",
	.nparams = 5,
	.sql =
	    "WITH up AS ("
	    "  INSERT INTO environments AS e (repository_id, name, can_admins_bypass, branch_gate_id,"
	    "    created_at, updated_at)"
	    "  VALUES ($1, $2, COALESCE($3::boolean, true),"
	    "    CASE WHEN $4::text = 'set' THEN nextval('environment_gates_id_seq') END,"
	    "    to_timestamp($5), to_timestamp($5))"
	    "  ON CONFLICT (repository_id, environment_fold(name)) DO UPDATE SET"
	    "    can_admins_bypass = COALESCE($3::boolean, e.can_admins_bypass),"
	    "    branch_gate_id = CASE $4::text"
	    "      WHEN 'set' THEN COALESCE(e.branch_gate_id, nextval('environment_gates_id_seq'))"
	    "      WHEN 'clear' THEN NULL ELSE e.branch_gate_id END,"
	    "    updated_at = EXCLUDED.updated_at"
	    "  RETURNING " STORE_ENVIRONMENT_COLUMNS("e") "),"
	    " gone AS (DELETE FROM deployment_branch_policies p USING up"
	    "  WHERE p.environment_id = up.id AND up.gate_id = 0)"
	    " SELECT * FROM up",
};

static struct db_statement delete_statement = {
	.name = "environment_delete",
	.nparams = 2,
	.sql = "SELECT environment_delete($1, $2)",
};

static struct db_statement refusal_statement = {
	.name = "environment_refusal",
	.nparams = 4,
	.read_only = true,
	.sql = "SELECT environment_branch_refusal($1, $2, $3, $4)",
};

static struct db_statement policy_list_statement = {
	.name = "branch_policy_list",
	.nparams = 3,
	.read_only = true,
	.sql = OLDEST_FIRST_PAGE("deployment_branch_policies", "environment_id",
	    BRANCH_POLICY_COLUMNS("t")),
};

/*
 * One row: the new policy's columns (NULL when none was made), the id of
 * the policy that already has this name and type, and how many the
 * environment has. Two clients creating the same policy at once: one
 * insert does nothing and sees neither row; the caller asks again.
 */
static struct db_statement policy_create_statement = {
	.name = "branch_policy_create",
	.nparams = 4,
	.sql =
	    "WITH existing AS (SELECT id FROM deployment_branch_policies"
	    "  WHERE environment_id = $1 AND type = $3 AND name = $2),"
	    " n AS (SELECT count(*) AS n FROM deployment_branch_policies WHERE environment_id = $1),"
	    " ins AS (INSERT INTO deployment_branch_policies (environment_id, name, type)"
	    "  SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM existing)"
	    "   AND (SELECT n FROM n) < $4::bigint"
	    "  ON CONFLICT DO NOTHING RETURNING " BRANCH_POLICY_COLUMNS("deployment_branch_policies") ")"
	    " SELECT ins.*, (SELECT id FROM existing), (SELECT n FROM n)"
	    "   FROM (SELECT 1) AS one LEFT JOIN ins ON true",
};

static struct db_statement policy_get_statement = {
	.name = "branch_policy_get",
	.nparams = 2,
	.read_only = true,
	.sql = "SELECT " BRANCH_POLICY_COLUMNS("b") " FROM deployment_branch_policies b"
	    " WHERE b.environment_id = $1 AND b.id = $2",
};

static struct db_statement policy_rename_statement = {
	.name = "branch_policy_rename",
	.nparams = 3,
	.sql = "UPDATE deployment_branch_policies b SET name = $3"
	    " WHERE b.environment_id = $1 AND b.id = $2 RETURNING " BRANCH_POLICY_COLUMNS("b"),
};

static struct db_statement policy_delete_statement = {
	.name = "branch_policy_delete",
	.nparams = 2,
	.sql = "DELETE FROM deployment_branch_policies WHERE environment_id = $1 AND id = $2",
};

static void
read_environment(const PGresult *r, int row, int col, void *item)
{
	store_read_environment(r, row, col, item);
}

static void
read_branch_policy(const PGresult *r, int row, int col, void *item)
{
	struct branch_policy *p = item;

	p->id = db_get_int64(r, row, col);
	p->name = xstrdup(PQgetvalue(r, row, col + 1));
	p->type = xstrdup(PQgetvalue(r, row, col + 2));
}

/* The parameters of both lists: whose rows ($1), the page size ($2), the
 * rows to skip ($3). */
struct page_params {
	char owner[STORE_INT_LEN], limit[STORE_INT_LEN], offset[STORE_INT_LEN];
	const char *values[3];
};

static const char *const *
page_params(struct page_params *p, int64_t owner_id, int64_t limit, int64_t offset)
{
	store_format_int(p->owner, owner_id);
	store_format_int(p->limit, limit);
	store_format_int(p->offset, offset);
	p->values[0] = p->owner;
	p->values[1] = p->limit;
	p->values[2] = p->offset;
	return p->values;
}

int
store_environment_list(struct db *db, int64_t repository_id, int64_t limit, int64_t offset,
    struct environment_list *out, struct db_error *err)
{
	struct page_params params;
	struct store_page page;

	return STORE_READ_LIST(db, &list_statement, page_params(&params, repository_id, limit, offset),
	    limit, read_environment, out, &page, err);
}

STORE_LIST_RELEASE(environment_list, environment_release)

int
store_environment_get(struct db *db, int64_t repository_id, const char *name,
    struct environment *out, struct db_error *err)
{
	char repo[STORE_INT_LEN];
	const char *params[2] = { repo, name };

	store_format_int(repo, repository_id);
	return store_read_one(db, &get_statement, params, read_environment, out, sizeof(*out), err);
}

int
store_environment_put(struct db *db, const struct environment_change *c, struct environment *out,
    struct db_error *err)
{
	static const char *const bypass[] = {
		[ENVIRONMENT_KEEP] = NULL, [ENVIRONMENT_SET] = "t", [ENVIRONMENT_CLEAR] = "f",
	};
	static const char *const policy[] = {
		[ENVIRONMENT_KEEP] = NULL, [ENVIRONMENT_SET] = "set", [ENVIRONMENT_CLEAR] = "clear",
	};
	char repo[STORE_INT_LEN], now[STORE_INT_LEN];
	const char *params[5] = {
		repo, c->name, bypass[c->admins_bypass], policy[c->branch_policy], now,
	};
	int found;

	store_format_int(repo, c->repository_id);
	store_format_int(now, c->now);
	found = store_read_one(db, &put_statement, params, read_environment, out, sizeof(*out), err);
	if (found == 0) {
		db_error_set(err, DB_QUERY_FAILED, "XX000", "environment upsert returned no row");
		return -1;
	}
	return found < 0 ? -1 : 0;
}

/* Runs a statement that returns one row of one value: a copy of it in
 * *value (NULL for SQL NULL). */
static int
read_one_value(struct db *db, struct db_statement *st, const char *const *params, char **value,
    struct db_error *err)
{
	PGresult *r = db_exec(db, st, params, err);

	*value = NULL;
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		db_error_set(err, DB_QUERY_FAILED, "XX000", "expected one row");
		return -1;
	}
	*value = store_text_or_null(r, 0, 0);
	PQclear(r);
	return 0;
}

int
store_environment_delete(struct db *db, int64_t repository_id, const char *name, bool *deleted,
    struct db_error *err)
{
	char repo[STORE_INT_LEN];
	const char *params[2] = { repo, name };
	char *value;

	store_format_int(repo, repository_id);
	if (read_one_value(db, &delete_statement, params, &value, err) < 0)
		return -1;
	*deleted = value && strcmp(value, "t") == 0;
	free(value);
	return 0;
}

int
store_environment_refusal(struct db *db, int64_t repository_id, const char *environment,
    const char *kind, const char *ref_name, char **refused, struct db_error *err)
{
	char repo[STORE_INT_LEN];
	const char *params[4] = { repo, environment, kind, ref_name };

	store_format_int(repo, repository_id);
	return read_one_value(db, &refusal_statement, params, refused, err);
}

int
store_branch_policy_list(struct db *db, int64_t environment_id, int64_t limit, int64_t offset,
    struct branch_policy_list *out, struct db_error *err)
{
	struct page_params params;
	struct store_page page;

	return STORE_READ_LIST(db, &policy_list_statement,
	    page_params(&params, environment_id, limit, offset), limit, read_branch_policy, out, &page,
	    err);
}

STORE_LIST_RELEASE(branch_policy_list, branch_policy_release)

int
store_branch_policy_create(struct db *db, int64_t environment_id, const char *name,
    const char *type, struct branch_policy *out, enum branch_policy_create_result *result,
    struct db_error *err)
{
	char env[STORE_INT_LEN], max[STORE_INT_LEN];
	const char *params[4] = { env, name, type, max };
	PGresult *r;

	store_format_int(env, environment_id);
	store_format_int(max, BRANCH_POLICIES_MAX);
	memset(out, 0, sizeof(*out));
	/* A second try sees the row of a concurrent create of the same policy. */
	for (int attempt = 0; attempt < 2; attempt++) {
		r = db_exec(db, &policy_create_statement, params, err);
		if (r == NULL)
			return -1;
		if (PQntuples(r) != 1) {
			PQclear(r);
			break;
		}
		if (!PQgetisnull(r, 0, 0)) {
			read_branch_policy(r, 0, 0, out);
			*result = BRANCH_POLICY_CREATED;
		} else if (!PQgetisnull(r, 0, 3)) {
			out->id = db_get_int64(r, 0, 3);
			*result = BRANCH_POLICY_EXISTS;
		} else if (db_get_int64(r, 0, 4) >= BRANCH_POLICIES_MAX) {
			*result = BRANCH_POLICY_TOO_MANY;
		} else {
			PQclear(r);
			continue;
		}
		PQclear(r);
		return 0;
	}
	db_error_set(err, DB_QUERY_FAILED, "XX000", "branch policy neither created nor found");
	return -1;
}

int
store_branch_policy_get(struct db *db, int64_t environment_id, int64_t id,
    struct branch_policy *out, struct db_error *err)
{
	char env[STORE_INT_LEN], pid[STORE_INT_LEN];
	const char *params[2] = { env, pid };

	store_format_int(env, environment_id);
	store_format_int(pid, id);
	return store_read_one(db, &policy_get_statement, params, read_branch_policy, out, sizeof(*out),
	    err);
}

int
store_branch_policy_rename(struct db *db, int64_t environment_id, int64_t id, const char *name,
    struct branch_policy *out, enum branch_policy_rename_result *result, struct db_error *err)
{
	char env[STORE_INT_LEN], pid[STORE_INT_LEN];
	const char *params[3] = { env, pid, name };
	int found;

	store_format_int(env, environment_id);
	store_format_int(pid, id);
	found = store_read_one(db, &policy_rename_statement, params, read_branch_policy, out,
	    sizeof(*out), err);
	if (found < 0) {
		if (err->failure == DB_QUERY_FAILED && strcmp(err->sqlstate, UNIQUE_VIOLATION) == 0) {
			*result = BRANCH_POLICY_NAME_TAKEN;
			return 0;
		}
		return -1;
	}
	*result = found ? BRANCH_POLICY_RENAMED : BRANCH_POLICY_NOT_FOUND;
	return 0;
}

int
store_branch_policy_delete(struct db *db, int64_t environment_id, int64_t id,
    struct db_error *err)
{
	char env[STORE_INT_LEN], pid[STORE_INT_LEN];
	const char *params[2] = { env, pid };
	int64_t n;

	store_format_int(env, environment_id);
	store_format_int(pid, id);
	n = store_exec_count(db, &policy_delete_statement, params, err);
	return n < 0 ? -1 : n > 0;
}
