#include "config.h"

#include "store_deployments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_rows.h"

/*
 * The deployment and its event in one statement, the request's only
 * round trip: if either insert fails, neither row exists. The id comes
 * from the table's identity; the event is the lean row of sql/0014 (the
 * deployment's values, the creator as sender, the base URLs $15 and $16),
 * which deploy-dispatch renders. Nothing is inserted when the
 * environment's branch policies refuse the ref ($17 its kind, $18 its
 * short name; sql/0009), nor, in the checked forms, unless the commit's
 * statuses pass. Every form returns one row with the new id, or, when
 * contexts failed, one row per failing context (context, state) and no id;
 * the fourth column is the refusing environment's name, else NULL. The
 * deployment's insert creates its environment (a trigger, sql/0009).
 */
#define CREATE_REFUSED \
	" refused AS (SELECT environment_branch_refusal($1, $8, $17, $18) AS name),"
#define NOT_REFUSED "(SELECT name FROM refused) IS NULL"
#define CREATE_INSERTS(CONDITION)                                                   \
	" d AS ("                                                                   \
	"  INSERT INTO deployments (repository_id, creator_id, created_at, updated_at, sha," \
	"    ref, task, payload, original_environment, environment, description,"   \
	"    transient_environment, production_environment, required_contexts, auto_merge)" \
	"  SELECT $1, $2, to_timestamp($3), to_timestamp($3), $4, $5, $6, $7::json, $8, $8," \
	"    $9, $10, $11,"                                                         \
	"    CASE WHEN $12::json IS NULL THEN NULL"                                 \
	"         ELSE ARRAY(SELECT json_array_elements_text($12::json)) END,"      \
	"    $13" CONDITION                                                        \
	"  RETURNING id, repository_id, creator_id,"                                \
	"    deployment_event_values(deployments) AS event_values),"                \
	" o AS (INSERT INTO outbox (event, action, repository_id, deployment_id, sender_id," \
	"    event_values, api_url, web_url)"                                       \
	"  SELECT $14, 'created', d.repository_id, d.id, d.creator_id,"             \
	"    json_build_object('deployment', d.event_values), $15, $16"             \
	"    FROM d RETURNING id)"
#define CREATE_FAILING(ORDER)                                                   \
	" SELECT (SELECT id FROM d), f.context, f.state, (SELECT name FROM refused)" \
	"   FROM (SELECT 1) AS one LEFT JOIN failing f ON true ORDER BY " ORDER

static struct db_statement create_statements[] = {
	[CONTEXTS_UNCHECKED] = {
		.name = "deployment_create",
		.nparams = 18,
		.sql = "WITH" CREATE_REFUSED CREATE_INSERTS(" WHERE " NOT_REFUSED)
		    " SELECT (SELECT id FROM d), NULL, NULL, (SELECT name FROM refused)",
	},
	[CONTEXTS_ALL] = {
		.name = "deployment_create_check_all",
		.nparams = 18,
		.sql = "WITH failing AS (" COMMIT_CONTEXTS_FAILING_ALL("$1", "$4") "),"
		    CREATE_REFUSED
		    CREATE_INSERTS(" WHERE NOT EXISTS (SELECT 1 FROM failing) AND " NOT_REFUSED)
		    CREATE_FAILING("f.context"),
	},
	[CONTEXTS_NAMED] = {
		.name = "deployment_create_check_named",
		.nparams = 18,
		.sql = "WITH failing AS (" COMMIT_CONTEXTS_FAILING_NAMED("$1", "$4", "$12") "),"
		    CREATE_REFUSED
		    CREATE_INSERTS(" WHERE NOT EXISTS (SELECT 1 FROM failing) AND " NOT_REFUSED)
		    CREATE_FAILING("f.n"),
	},
};

static struct db_statement get_statement = {
	.name = "deployment_get",
	.nparams = 2,
	.read_only = true,
	.sql =
	    "SELECT " STORE_DEPLOYMENT_COLUMNS("d", "u")
	    "  FROM deployments d JOIN users u ON u.id = d.creator_id"
	    " WHERE d.id = $1 AND d.repository_id = $2",
};

static struct db_statement delete_statement = {
	.name = "deployment_delete",
	.nparams = 2,
	.sql = "SELECT deployment_delete($1, $2)",
};

/*
 * One prepared statement per combination of filters, so that each has
 * exact conditions the planner can match to an index (a generic plan for
 * "$n IS NULL OR col = $n" cannot). Built on first use. The whole list and
 * the environment filter alone are counted (deployment_totals, sql/0007);
 * the other combinations are not.
 */
static const char *const filter_columns[] = { "sha", "ref", "task", "environment" };
#define FILTER_ENVIRONMENT (1u << 3)

#define FILTER_COMBINATIONS (1u << ARRAY_SIZE(filter_columns))

static struct db_statement list_statements[FILTER_COMBINATIONS];
static char list_names[FILTER_COMBINATIONS][24];

/*
 * " AND sha = $5 AND environment = $6" for the filters in mask, with the
 * ORDER BY of the list's ids into order. Each filter has an index
 * (repository_id, column, id DESC). With two or more, the ids come from
 * the first filter's index, the others filtered: the repository and that
 * column are then written as ranges (BETWEEN $n AND $n) and the order
 * names them, an order only that index gives. As equalities, PostgreSQL
 * drops them from the order (they are constant) and, expecting matches
 * spread evenly over ids, walks the primary key backwards: 13 ms for a
 * page of a repository older than another's 100,000 deployments.
 */
static int
append_filters(struct buf *sql, struct buf *order, unsigned mask)
{
	int param = 5;
	bool several = (mask & (mask - 1)) != 0;
	bool driving = several;

	buf_puts(order, several ? "repository_id, " : "");
	for (size_t i = 0; i < ARRAY_SIZE(filter_columns); i++) {
		if (!(mask & (1u << i)))
			continue;
		if (driving) {
			buf_printf(sql, " AND %s BETWEEN $%d AND $%d", filter_columns[i], param, param);
			buf_printf(order, "%s, ", filter_columns[i]);
			driving = false;
		} else {
			buf_printf(sql, " AND %s = $%d", filter_columns[i], param);
		}
		param++;
	}
	buf_puts(order, "id DESC");
	return param - 1;
}

static bool
list_counted(unsigned mask)
{
	return mask == 0 || mask == FILTER_ENVIRONMENT;
}

static struct db_statement *
list_statement(unsigned mask)
{
	struct db_statement *st = &list_statements[mask];
	struct buf ids = BUF_INIT, order = BUF_INIT;
	struct buf sql = BUF_INIT;
	bool several = (mask & (mask - 1)) != 0;
	struct store_list list = {
		.rows = "SELECT " STORE_DEPLOYMENT_COLUMNS("d", "u")
		    " FROM deployments d JOIN users u ON u.id = d.creator_id",
		.id_column = "d.id",
	};

	if (st->sql)
		return st;
	buf_puts(&ids, several ? "SELECT id FROM deployments WHERE repository_id BETWEEN $1 AND $1"
	                       : "SELECT id FROM deployments WHERE repository_id = $1");
	st->nparams = append_filters(&ids, &order, mask);
	list.ids = ids.data;
	list.newest_first = order.data;
	if (list_counted(mask))
		store_page_counted_sql(&sql, mask ? "SELECT COALESCE(sum(n), 0)::bigint AS total"
		    " FROM deployment_totals WHERE repository_id = $1 AND environment = $5"
		    : "SELECT COALESCE(sum(n), 0)::bigint AS total"
		    " FROM deployment_totals WHERE repository_id = $1 AND environment = ''",
		    &list);
	else
		store_page_uncounted_sql(&sql, &list);
	buf_release(&ids);
	buf_release(&order);
	snprintf(list_names[mask], sizeof(list_names[mask]), "deployment_list_%u", mask);
	st->name = list_names[mask];
	st->read_only = true;
	st->sql = buf_detach(&sql);
	return st;
}

int
store_deployment_create(struct db *db, const struct deployment_insert *d, int64_t *id,
    struct context_failures *failing, char **refused, struct db_error *err)
{
	char repo[STORE_INT_LEN], creator[STORE_INT_LEN], created[STORE_INT_LEN];
	const char *params[18] = {
		repo, creator, created, d->sha, d->ref, d->task, d->payload, d->environment,
		d->description, d->transient_environment ? "t" : "f",
		d->production_environment ? "t" : "f", d->required_contexts, d->auto_merge ? "t" : "f",
		"deployment", d->api_url, d->web_url, d->ref_kind, d->ref_name,
	};
	PGresult *r;
	bool failed;

	store_format_int(repo, d->repository_id);
	store_format_int(creator, d->creator_id);
	store_format_int(created, d->created_at);
	memset(failing, 0, sizeof(*failing));
	*id = 0;
	*refused = NULL;
	r = db_exec(db, &create_statements[d->check], params, err);
	if (r == NULL)
		return -1;
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 3)) {
		*refused = xstrdup(PQgetvalue(r, 0, 3));
		PQclear(r);
		return 0;
	}
	failed = PQntuples(r) > 0 && !PQgetisnull(r, 0, 1);
	if (!failed) {
		*id = db_get_int64(r, 0, 0);
		PQclear(r);
		return 0;
	}
	failing->count = (size_t)PQntuples(r);
	failing->items = xcalloc(failing->count, sizeof(*failing->items));
	for (size_t i = 0; i < failing->count; i++) {
		failing->items[i].context = xstrdup(PQgetvalue(r, (int)i, 1));
		failing->items[i].state = xstrdup(PQgetvalue(r, (int)i, 2));
	}
	PQclear(r);
	return 0;
}

static void
read_deployment_row(const PGresult *r, int row, int col, void *item)
{
	store_read_deployment(r, row, col, item);
}

int
store_deployment_list(struct db *db, int64_t repository_id, const struct deployment_filter *f,
    int64_t limit, int64_t offset, int64_t before_id, struct deployment_list *out,
    struct db_error *err)
{
	const char *values[4] = { f->sha, f->ref, f->task, f->environment };
	char repo[STORE_INT_LEN], before[STORE_INT_LEN], lim[STORE_INT_LEN], off[STORE_INT_LEN];
	const char *params[8] = { repo, before_id > 0 ? before : NULL, lim, off };
	struct store_page page;
	unsigned mask = 0;
	int n = 4;

	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		if (values[i] && *values[i]) {
			mask |= 1u << i;
			params[n++] = values[i];
		}
	}
	store_format_int(repo, repository_id);
	store_format_int(before, before_id);
	store_format_int(lim, limit);
	store_format_int(off, offset);
	return STORE_READ_LIST(db, list_statement(mask), params, limit, read_deployment_row, out, &page,
	    err);
}

STORE_LIST_RELEASE(deployment_list, deployment_release)

int
store_deployment_get(struct db *db, int64_t repository_id, int64_t id, struct deployment *out,
    struct db_error *err)
{
	char idbuf[STORE_INT_LEN], repo[STORE_INT_LEN];
	const char *params[2] = { idbuf, repo };

	store_format_int(idbuf, id);
	store_format_int(repo, repository_id);
	return store_read_one(db, &get_statement, params, read_deployment_row, out, sizeof(*out), err);
}

int
store_deployment_delete(struct db *db, int64_t repository_id, int64_t id,
    enum deployment_delete_result *out, struct db_error *err)
{
	char repo[STORE_INT_LEN], idbuf[STORE_INT_LEN];
	const char *params[2] = { repo, idbuf };
	PGresult *r;
	const char *result;

	store_format_int(repo, repository_id);
	store_format_int(idbuf, id);
	r = db_exec(db, &delete_statement, params, err);
	if (r == NULL)
		return -1;
	result = PQgetvalue(r, 0, 0);
	if (strcmp(result, "deleted") == 0)
		*out = DEPLOYMENT_DELETED;
	else if (strcmp(result, "active") == 0)
		*out = DEPLOYMENT_ACTIVE;
	else
		*out = DEPLOYMENT_NOT_FOUND;
	PQclear(r);
	return 0;
}
