#include "config.h"

#include "store_graphql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_rows.h"

/* The owner is admin; a collaborator has its permission (NULL: none). */
#define REPOSITORY_SELECT                                                      \
	"SELECT " STORE_REPOSITORY_COLUMNS("r", "o") ","                       \
	"       CASE WHEN o.id = $1 THEN 'admin' ELSE c.permission END"        \
	"  FROM repositories r JOIN users o ON o.id = r.owner_id"             \
	"  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = $1"

static void
read_repository(const PGresult *r, int row, int col, void *item)
{
	struct graphql_repository *out = item;

	store_read_repository(r, row, col, &out->repo);
	out->permission = permission_parse(db_get_text(r, row, col + STORE_REPOSITORY_NCOLUMNS));
}



/*
 * A page of deployments in one statement, in id order (the order of
 * created_at, ids growing with time, and its tie-break: graphql.md
 * section 6), so that every part is a range of an index of sql/0002 read
 * in order: p the page (read from the far end for `last`), then the
 * total (deployment_totals, sql/0007; counted for a commit, whose
 * deployments are few) and whether items lie beyond either end of the
 * page, in the first row, every row one deployment (none: NULLs).
 * $1 repository, $2 after, $3 before (ids), $4 the page size, then the
 * filters' values. Built on first use, one form per filters, order and
 * end.
 */
enum deployments_env { ENV_ANY, ENV_ONE, ENV_MANY };

static struct db_statement deployments_statements[3][2][2][2][2];
static char deployments_names[3][2][2][2][2][32];

/*
 * The filters, with the index that serves them named in the order: the
 * repository and the driving column (the sha, else one environment) as
 * ranges (BETWEEN $n AND $n), so that only that index gives the order;
 * as equalities, PostgreSQL drops them from the order (they are
 * constant) and walks the primary key, or the whole table, instead: 41 ms
 * for Backstage's query on a repository whose 100,000 deployments are
 * older than another's (store_rows.h says the same of REST's lists).
 * Several environments (= ANY) have no such order: those stay equalities.
 */
struct deployment_filters {
	struct buf where;           /* "d.repository_id BETWEEN $1 AND $1 AND ..." */
	const char *columns[2];     /* the index's columns before id */
	size_t ncolumns;
};

static void
deployment_filters(struct deployment_filters *f, enum deployments_env env, bool sha)
{
	int sha_param = env == ENV_ANY ? 5 : 6;
	bool ranged = env != ENV_MANY;

	f->where = (struct buf)BUF_INIT;
	f->ncolumns = 0;
	buf_puts(&f->where, ranged ? "d.repository_id BETWEEN $1 AND $1" : "d.repository_id = $1");
	if (ranged)
		f->columns[f->ncolumns++] = "d.repository_id";
	if (sha) {
		buf_printf(&f->where, " AND d.sha BETWEEN $%d AND $%d", sha_param, sha_param);
		if (ranged)
			f->columns[f->ncolumns++] = "d.sha";
	}
	if (env == ENV_ONE && sha) {
		buf_puts(&f->where, " AND d.environment = $5");
	} else if (env == ENV_ONE) {
		buf_puts(&f->where, " AND d.environment BETWEEN $5 AND $5");
		f->columns[f->ncolumns++] = "d.environment";
	} else if (env == ENV_MANY) {
		buf_puts(&f->where, " AND d.environment = ANY(ARRAY(SELECT json_array_elements_text($5::json)))");
	}
}

/* " ORDER BY <the index's columns>, d.id": ids ascending when ascending.
 * The index is (repository_id, column, id DESC): ids ascending is the
 * index read backwards, every column descending. */
static void
append_order(struct buf *sql, const struct deployment_filters *f, bool ascending)
{
	buf_puts(sql, " ORDER BY ");
	for (size_t i = 0; i < f->ncolumns; i++)
		buf_printf(sql, "%s %s, ", f->columns[i], ascending ? "DESC" : "ASC");
	buf_puts(sql, ascending ? "d.id ASC" : "d.id DESC");
}

/* Whether a deployment of the filters lies beyond bound (op "<" or ">"):
 * the nearest one read from the index, or none. */
static void
append_beyond(struct buf *sql, const struct deployment_filters *f, const char *op, const char *bound)
{
	buf_printf(sql, "(SELECT d.id FROM deployments d WHERE %s AND d.id %s %s",
	    buf_cstr(&f->where), op, bound);
	append_order(sql, f, op[0] == '>');
	buf_puts(sql, " LIMIT 1) IS NOT NULL");
}

static struct db_statement *
deployments_statement(enum deployments_env env, bool sha, bool descending, bool from_end,
    bool counted)
{
	struct db_statement *st = &deployments_statements[env][sha][descending][from_end][counted];
	const char *after = descending ? "<" : ">", *before = descending ? ">" : "<";
	const char *first = descending ? "max" : "min", *last = descending ? "min" : "max";
	/* No cursor: every id is after none and before none. */
	const char *low = "0", *high = "9223372036854775807";
	struct deployment_filters f;
	struct buf sql = BUF_INIT, bound = BUF_INIT;
	char *name = deployments_names[env][sha][descending][from_end][counted];
	bool page_ascending = descending == from_end;

	if (st->sql)
		return st;
	deployment_filters(&f, env, sha);
	/* The most a page can hold (STORE_GRAPHQL_PAGE_MAX), then the page: with
	 * the page size only in the second LIMIT, the generic plan costs what
	 * a custom one does and PostgreSQL keeps it, instead of planning this
	 * statement again on every call (1.4 ms, more than running it). */
	buf_printf(&sql, "WITH w AS (SELECT d.id FROM deployments d WHERE %s"
	    " AND d.id %s COALESCE($2::bigint, %s) AND d.id %s COALESCE($3::bigint, %s)",
	    buf_cstr(&f.where), after, descending ? high : low, before, descending ? low : high);
	append_order(&sql, &f, page_ascending);
	buf_printf(&sql, " LIMIT %d), p AS (SELECT id FROM w ORDER BY id %s LIMIT $4)",
	    STORE_GRAPHQL_PAGE_MAX, page_ascending ? "ASC" : "DESC");
	buf_puts(&sql, " SELECT c.*, x.* FROM (SELECT ");
	if (!counted)
		buf_puts(&sql, "0::bigint, false, false");
	else if (sha)
		buf_printf(&sql, "(SELECT count(*) FROM deployments d WHERE %s)", buf_cstr(&f.where));
	else
		buf_printf(&sql, "(SELECT COALESCE(sum(t.n), 0)::bigint FROM deployment_totals t"
		    " WHERE t.repository_id = $1 AND t.environment %s)",
		    env == ENV_ANY ? "= ''" : env == ENV_ONE ? "= $5"
		    : "IN (SELECT json_array_elements_text($5::json))");
	if (counted) {
		buf_puts(&sql, ", CASE WHEN EXISTS (SELECT 1 FROM p) THEN ");
		buf_printf(&bound, "(SELECT %s(id) FROM p)", last);
		append_beyond(&sql, &f, after, buf_cstr(&bound));
		buf_puts(&sql, " ELSE ");
		buf_reset(&bound);
		buf_printf(&bound, "COALESCE($2::bigint, %s) AND d.id %s COALESCE($3::bigint, %s)",
		    descending ? high : low, before, descending ? low : high);
		append_beyond(&sql, &f, after, buf_cstr(&bound));
		buf_puts(&sql, " END, ");
		buf_reset(&bound);
		buf_printf(&bound, "(SELECT %s(id) FROM p)", first);
		append_beyond(&sql, &f, before, buf_cstr(&bound));
	}
	buf_puts(&sql, ") c");
	buf_printf(&sql, " LEFT JOIN LATERAL (SELECT d.id AS k_id, " STORE_DEPLOYMENT_COLUMNS("d", "u")
	    " FROM p JOIN deployments d ON d.id = p.id JOIN users u ON u.id = d.creator_id) x ON true"
	    " ORDER BY x.k_id %s", page_ascending ? "ASC" : "DESC");
	snprintf(name, sizeof(deployments_names[0][0][0][0][0]), "graphql_deployments_%d%d%d%d%d",
	    env, sha, descending, from_end, counted);
	st->name = name;
	st->nparams = 4 + (env != ENV_ANY) + sha;
	st->read_only = true;
	st->sql = buf_detach(&sql);
	buf_release(&bound);
	buf_release(&f.where);
	return st;
}
#define DEPLOYMENTS_FIRST_ITEM_COLUMN 4

/* Items read from the far end are put back in the connection's order. */
static void
reverse_items(void *items, size_t count, size_t size)
{
	char *a = items, tmp[512];

	if (size > sizeof(tmp))
		abort();
	for (size_t i = 0, j = count ? count - 1 : 0; i < j; i++, j--) {
		memcpy(tmp, a + i * size, size);
		memcpy(a + i * size, a + j * size, size);
		memcpy(a + j * size, tmp, size);
	}
}

static void
read_page_info(const PGresult *r, int row, int col, struct graphql_page_info *info)
{
	info->total = db_get_int64(r, row, col);
	info->has_next = db_get_bool(r, row, col + 1);
	info->has_previous = db_get_bool(r, row, col + 2);
}

/* $1 to $4 of a connection's statement: the repository, the after and
 * before ids (NULL when unset), the page size. */
struct window_params {
	char repo[STORE_INT_LEN], after[STORE_INT_LEN], before[STORE_INT_LEN], lim[STORE_INT_LEN];
};

static void
format_window(const char *params[4], struct window_params *p, int64_t repository_id,
    const struct graphql_window *w)
{
	store_format_int(p->repo, repository_id);
	store_format_int(p->after, w->after.id);
	store_format_int(p->before, w->before.id);
	store_format_int(p->lim, w->limit);
	params[0] = p->repo;
	params[1] = w->after.set ? p->after : NULL;
	params[2] = w->before.set ? p->before : NULL;
	params[3] = p->lim;
}

/* What a connection's statement answered (r, cleared): the page info of
 * its first row and the items from column col (NULLs there: none), put
 * back in the connection's order. */
static void
read_connection_page(PGresult *r, int col, const struct graphql_window *w,
    store_row_reader read, size_t size, void **items, size_t *count,
    struct graphql_page_info *info)
{
	int rows = PQntuples(r);

	if (rows > 0) {
		read_page_info(r, 0, 0, info);
		if (!PQgetisnull(r, 0, col)) {
			*items = xcalloc((size_t)rows, size);
			for (int i = 0; i < rows; i++)
				read(r, i, col, (char *)*items + (size_t)i * size);
			*count = (size_t)rows;
		}
	}
	PQclear(r);
	if (w->from_end)
		reverse_items(*items, *count, size);
}

static void
read_deployment_item(const PGresult *r, int row, int col, void *item)
{
	store_read_deployment(r, row, col, item);
}

int
store_graphql_deployments(struct db *db, const struct graphql_deployments_filter *f,
    const struct graphql_window *w, struct graphql_deployment_page *out, struct db_error *err)
{
	struct window_params wp;
	const char *params[6];
	enum deployments_env env = f->environments == NULL ? ENV_ANY
	    : f->environment_count == 1 ? ENV_ONE : ENV_MANY;
	int n = 4;
	PGresult *r;

	memset(out, 0, sizeof(*out));
	format_window(params, &wp, f->repository_id, w);
	if (env != ENV_ANY)
		params[n++] = env == ENV_ONE ? f->environment : f->environments;
	if (f->sha)
		params[n++] = f->sha;
	r = db_exec(db, deployments_statement(env, f->sha != NULL, f->descending, w->from_end,
	    w->counted), params, err);
	if (r == NULL)
		return -1;
	read_connection_page(r, DEPLOYMENTS_FIRST_ITEM_COLUMN, w, read_deployment_item,
	    sizeof(*out->items), (void **)&out->items, &out->count, &out->info);
	return 0;
}

void
graphql_deployment_page_release(struct graphql_deployment_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		deployment_release(&p->items[i]);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

/*
 * The statuses of many deployments, one window each, in one statement:
 * per deployment ($1, an array, in its order) the total (status_totals,
 * sql/0007) and whether statuses lie beyond either end of its page, then
 * one row per status. Statuses are newest first: after a cursor means
 * older. $2 after, $3 before, $4 the page size. Counted, the page is read
 * once as its bounds (b, kept from being flattened so that its probes run
 * once per deployment, not once per row), and its rows are the statuses
 * between them: the window is a range of ids, so the page is all of them.
 * An empty page has nothing beyond it but, at size 0, the window itself.
 * Uncounted (no totalCount or pageInfo asked), the total and both answers
 * are 0 and false and the page is read alone.
 */
#define STATUSES_WINDOW \
	" AND s.id < COALESCE($2::bigint, 9223372036854775807) AND s.id > COALESCE($3::bigint, 0)"
#define STATUSES_PAGE_ROWS(CONDITION)                                              \
	"  LEFT JOIN LATERAL (SELECT s.id AS k_id, " STORE_STATUS_COLUMNS("s", "u")  \
	"     FROM deployment_statuses s JOIN users u ON u.id = s.creator_id"         \
	"    WHERE s.deployment_id = d.id" CONDITION ") x ON true"                    \
	" ORDER BY d.ord, x.k_id DESC"
#define STATUSES_DEPLOYMENTS " FROM unnest($1::bigint[]) WITH ORDINALITY AS d (id, ord)"
static const char statuses_counted_sql[] =
    "SELECT d.id, b.total, b.has_next, b.has_previous, x.*" STATUSES_DEPLOYMENTS
    "  CROSS JOIN LATERAL (SELECT"
    "     COALESCE((SELECT t.n FROM status_totals t WHERE t.deployment_id = d.id), 0)::bigint"
    "       AS total,"
    "     CASE WHEN m.lo IS NULL THEN $4 = 0 AND EXISTS (SELECT 1 FROM deployment_statuses s"
    "         WHERE s.deployment_id = d.id" STATUSES_WINDOW ")"
    "       ELSE EXISTS (SELECT 1 FROM deployment_statuses s"
    "         WHERE s.deployment_id = d.id AND s.id < m.lo) END AS has_next,"
    "     m.hi IS NOT NULL AND EXISTS (SELECT 1 FROM deployment_statuses s"
    "       WHERE s.deployment_id = d.id AND s.id > m.hi) AS has_previous,"
    "     m.lo, m.hi"
    "     FROM (SELECT min(p.id) AS lo, max(p.id) AS hi"
    "       FROM (SELECT s.id FROM deployment_statuses s WHERE s.deployment_id = d.id"
    "         " STATUSES_WINDOW " ORDER BY s.id %s LIMIT $4) p) m"
    "     OFFSET 0) b"
    STATUSES_PAGE_ROWS(" AND s.id BETWEEN b.lo AND b.hi");
static const char statuses_uncounted_sql[] =
    "SELECT d.id, 0::bigint, false, false, x.*" STATUSES_DEPLOYMENTS
    STATUSES_PAGE_ROWS(STATUSES_WINDOW " ORDER BY s.id %s LIMIT $4");
#define STATUSES_FIRST_ITEM_COLUMN 5

static struct db_statement statuses_statements[2][2];

static struct db_statement *
statuses_statement(bool counted, bool from_end)
{
	static const char *const names[2][2] = {
		{ "graphql_statuses_first", "graphql_statuses_last" },
		{ "graphql_statuses_first_counted", "graphql_statuses_last_counted" },
	};
	struct db_statement *st = &statuses_statements[counted][from_end];
	struct buf sql = BUF_INIT;

	if (st->sql)
		return st;
	buf_printf(&sql, counted ? statuses_counted_sql : statuses_uncounted_sql,
	    from_end ? "ASC" : "DESC");
	st->name = names[counted][from_end];
	st->nparams = 4;
	st->read_only = true;
	st->sql = buf_detach(&sql);
	return st;
}

int
store_graphql_statuses(struct db *db, const int64_t *deployment_ids, size_t n,
    const struct graphql_window *w, struct graphql_status_page *pages, struct db_error *err)
{
	char after[STORE_INT_LEN], before[STORE_INT_LEN], lim[STORE_INT_LEN];
	struct buf ids = BUF_INIT;
	const char *params[4] = { NULL, w->after.set ? after : NULL, w->before.set ? before : NULL,
		lim };
	PGresult *r;
	int rows;

	memset(pages, 0, n * sizeof(*pages));
	buf_putc(&ids, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&ids, ',');
		buf_put_int(&ids, deployment_ids[i]);
	}
	buf_putc(&ids, '}');
	params[0] = buf_cstr(&ids);
	store_format_int(after, w->after.id);
	store_format_int(before, w->before.id);
	store_format_int(lim, w->limit);
	r = db_exec(db, statuses_statement(w->counted, w->from_end), params, err);
	buf_release(&ids);
	if (r == NULL)
		return -1;
	rows = PQntuples(r);
	/* Rows come grouped by deployment, in the order asked: a first pass
	 * sizes each page, the second reads it. */
	for (int pass = 0; pass < 2; pass++) {
		size_t page = 0;

		for (int i = 0; i < rows; i++) {
			struct graphql_status_page *p;

			while (page < n && db_get_int64(r, i, 0) != deployment_ids[page])
				page++;
			if (page == n)
				break;
			p = &pages[page];
			if (PQgetisnull(r, i, STATUSES_FIRST_ITEM_COLUMN)) {
				read_page_info(r, i, 1, &p->info);
			} else if (pass == 0) {
				p->count++;
			} else {
				if (p->items == NULL) {
					read_page_info(r, i, 1, &p->info);
					p->items = xcalloc(p->count, sizeof(*p->items));
					p->count = 0;
				}
				store_read_status(r, i, STATUSES_FIRST_ITEM_COLUMN, &p->items[p->count++]);
			}
		}
	}
	PQclear(r);
	return 0;
}

void
graphql_status_page_release(struct graphql_status_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		deployment_status_release(&p->items[i]);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

/*
 * A window of a repository's environments in one statement, in the order
 * of their folded names (byte order: unique in a repository, sql/0009),
 * in store_graphql_deployments' shape: the total and whether items lie
 * beyond either end of the page in every row, then the page's rows (none:
 * NULLs). A cursor is an environment's id; its folded name is the key, so
 * a cursor whose environment is gone matches nothing. $1 repository, $2
 * after, $3 before, $4 the page size, $5 the names (a JSON array; NULL:
 * all). Environments are few per repository: no index is needed.
 */
static const char environments_sql[] =
    "WITH e AS (SELECT t.*, environment_fold(t.name) COLLATE \"C\" AS k FROM environments t"
    "   WHERE t.repository_id = $1 AND ($5::json IS NULL OR environment_fold(t.name) IN"
    "     (SELECT environment_fold(n) FROM json_array_elements_text($5::json) n))),"
    " c AS (SELECT (SELECT k FROM e WHERE id = $2::bigint) AS a,"
    "   (SELECT k FROM e WHERE id = $3::bigint) AS b),"
    " w AS (SELECT e.* FROM e, c WHERE ($2::bigint IS NULL OR e.k %1$s c.a)"
    "   AND ($3::bigint IS NULL OR e.k %2$s c.b)),"
    " p AS (SELECT * FROM w ORDER BY k %5$s LIMIT $4)"
    " SELECT (SELECT count(*) FROM e),"
    "   CASE WHEN EXISTS (SELECT 1 FROM p)"
    "     THEN EXISTS (SELECT 1 FROM e WHERE e.k %1$s (SELECT %4$s(k) FROM p))"
    "     ELSE EXISTS (SELECT 1 FROM w) END,"
    "   EXISTS (SELECT 1 FROM e WHERE e.k %2$s (SELECT %3$s(k) FROM p)),"
    "   x.*"
    "  FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT " STORE_ENVIRONMENT_COLUMNS("p") ", p.k"
    "   FROM p) x ON true"
    " ORDER BY x.k %5$s";
#define ENVIRONMENTS_FIRST_ITEM_COLUMN 3

static struct db_statement environments_statements[2][2];
static char environments_names[2][2][32];

static struct db_statement *
environments_statement(bool descending, bool from_end)
{
	struct db_statement *st = &environments_statements[descending][from_end];
	const char *order = descending != from_end ? "DESC" : "ASC";
	struct buf sql = BUF_INIT;

	if (st->sql)
		return st;
	/* after, before, the page's first and last key in the connection's
	 * order, and the order the page is read in. */
	buf_printf(&sql, environments_sql, descending ? "<" : ">", descending ? ">" : "<",
	    descending ? "max" : "min", descending ? "min" : "max", order);
	snprintf(environments_names[descending][from_end], sizeof(environments_names[0][0]),
	    "graphql_environments_%d%d", descending, from_end);
	st->name = environments_names[descending][from_end];
	st->nparams = 5;
	st->read_only = true;
	st->sql = buf_detach(&sql);
	return st;
}

static void
read_environment_item(const PGresult *r, int row, int col, void *item)
{
	store_read_environment(r, row, col, item);
}

int
store_graphql_environments(struct db *db, const struct graphql_environments_filter *f,
    const struct graphql_window *w, struct graphql_environment_page *out, struct db_error *err)
{
	struct window_params wp;
	const char *params[5];
	PGresult *r;

	memset(out, 0, sizeof(*out));
	format_window(params, &wp, f->repository_id, w);
	params[4] = f->names;
	r = db_exec(db, environments_statement(f->descending, w->from_end), params, err);
	if (r == NULL)
		return -1;
	read_connection_page(r, ENVIRONMENTS_FIRST_ITEM_COLUMN, w, read_environment_item,
	    sizeof(*out->items), (void **)&out->items, &out->count, &out->info);
	return 0;
}

void
graphql_environment_page_release(struct graphql_environment_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		environment_release(&p->items[i]);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

static void
read_deployment_row(const PGresult *r, int row, int col, void *item)
{
	struct graphql_deployment_row *out = item;

	out->repository_id = db_get_int64(r, row, col);
	store_read_deployment(r, row, col + 1, &out->deployment);
}

static void
read_status_row(const PGresult *r, int row, int col, void *item)
{
	struct graphql_status_row *out = item;

	out->repository_id = db_get_int64(r, row, col);
	store_read_status(r, row, col + 1, &out->status);
}

static void
read_environment_row(const PGresult *r, int row, int col, void *item)
{
	struct graphql_environment_row *out = item;

	out->repository_id = db_get_int64(r, row, col);
	store_read_environment(r, row, col + 1, &out->environment);
}

static void
read_repository_row(const PGresult *r, int row, int col, void *item)
{
	read_repository(r, row, col, item);
}

/* Rows of deployments, statuses and repositories by their ids ($1, an
 * array; the repositories' $2 the caller), in any order, one statement
 * whatever their number: nodes(ids:). */
static struct db_statement deployments_by_id = {
	.name = "graphql_deployments_by_id",
	.nparams = 1,
	.read_only = true,
	.sql = "SELECT d.repository_id, " STORE_DEPLOYMENT_COLUMNS("d", "u")
	    "  FROM deployments d JOIN users u ON u.id = d.creator_id WHERE d.id = ANY($1::bigint[])",
};

static struct db_statement statuses_by_id = {
	.name = "graphql_statuses_by_id",
	.nparams = 1,
	.read_only = true,
	.sql = "SELECT d.repository_id, " STORE_STATUS_COLUMNS("s", "u")
	    "  FROM deployment_statuses s JOIN users u ON u.id = s.creator_id"
	    "  JOIN deployments d ON d.id = s.deployment_id WHERE s.id = ANY($1::bigint[])",
};

static struct db_statement environments_by_id = {
	.name = "graphql_environments_by_id",
	.nparams = 1,
	.read_only = true,
	.sql = "SELECT e.repository_id, " STORE_ENVIRONMENT_COLUMNS("e")
	    "  FROM environments e WHERE e.id = ANY($1::bigint[])",
};

static struct db_statement repositories_by_id = {
	.name = "graphql_repositories_by_id",
	.nparams = 2,
	.read_only = true,
	.sql = REPOSITORY_SELECT " WHERE r.id = ANY($2::bigint[])",
};

/* Runs st with the ids as its array parameter (after the prefix ones)
 * and reads every row with read into a new array of item_size items. */
static int
read_by_ids(struct db *db, struct db_statement *st, const char *first_param, const int64_t *ids,
    size_t n, store_row_reader read, size_t item_size, void **items, size_t *count,
    struct db_error *err)
{
	struct buf array = BUF_INIT;
	const char *params[2];
	PGresult *r;
	int rows;

	*items = NULL;
	*count = 0;
	if (n == 0) {
		/* Nothing to ask for: no round trip. */
		*items = xcalloc(1, item_size);
		return 0;
	}
	buf_putc(&array, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&array, ',');
		buf_put_int(&array, ids[i]);
	}
	buf_putc(&array, '}');
	params[0] = first_param ? first_param : buf_cstr(&array);
	params[1] = buf_cstr(&array);
	r = db_exec(db, st, params, err);
	buf_release(&array);
	if (r == NULL)
		return -1;
	rows = PQntuples(r);
	*items = xcalloc(rows > 0 ? (size_t)rows : 1, item_size);
	for (int i = 0; i < rows; i++)
		read(r, i, 0, (char *)*items + (size_t)i * item_size);
	*count = (size_t)rows;
	PQclear(r);
	return 0;
}

int
store_graphql_deployments_by_id(struct db *db, const int64_t *ids, size_t n,
    struct graphql_deployment_row **rows, size_t *count, struct db_error *err)
{
	return read_by_ids(db, &deployments_by_id, NULL, ids, n, read_deployment_row, sizeof(**rows),
	    (void **)rows, count, err);
}

int
store_graphql_statuses_by_id(struct db *db, const int64_t *ids, size_t n,
    struct graphql_status_row **rows, size_t *count, struct db_error *err)
{
	return read_by_ids(db, &statuses_by_id, NULL, ids, n, read_status_row, sizeof(**rows),
	    (void **)rows, count, err);
}

int
store_graphql_environments_by_id(struct db *db, const int64_t *ids, size_t n,
    struct graphql_environment_row **rows, size_t *count, struct db_error *err)
{
	return read_by_ids(db, &environments_by_id, NULL, ids, n, read_environment_row,
	    sizeof(**rows), (void **)rows, count, err);
}

int
store_graphql_repositories_by_id(struct db *db, int64_t user_id, const int64_t *ids, size_t n,
    struct graphql_repository **rows, size_t *count, struct db_error *err)
{
	char user[STORE_INT_LEN];

	store_format_int(user, user_id);
	return read_by_ids(db, &repositories_by_id, user, ids, n, read_repository_row,
	    sizeof(**rows), (void **)rows, count, err);
}

/* One by id: the row for [id], if any. */
int
store_graphql_repository_by_id(struct db *db, int64_t user_id, int64_t id,
    struct graphql_repository *out, struct db_error *err)
{
	struct graphql_repository *rows;
	size_t count;

	memset(out, 0, sizeof(*out));
	if (store_graphql_repositories_by_id(db, user_id, &id, 1, &rows, &count, err) < 0)
		return -1;
	if (count > 0)
		*out = rows[0];
	free(rows);
	return count > 0;
}

int
store_graphql_deployment(struct db *db, int64_t id, struct deployment *out,
    int64_t *repository_id, struct db_error *err)
{
	struct graphql_deployment_row *rows;
	size_t count;

	memset(out, 0, sizeof(*out));
	if (store_graphql_deployments_by_id(db, &id, 1, &rows, &count, err) < 0)
		return -1;
	if (count > 0) {
		*out = rows[0].deployment;
		*repository_id = rows[0].repository_id;
	}
	free(rows);
	return count > 0;
}

int
store_graphql_status(struct db *db, int64_t id, struct deployment_status *out,
    int64_t *repository_id, struct db_error *err)
{
	struct graphql_status_row *rows;
	size_t count;

	memset(out, 0, sizeof(*out));
	if (store_graphql_statuses_by_id(db, &id, 1, &rows, &count, err) < 0)
		return -1;
	if (count > 0) {
		*out = rows[0].status;
		*repository_id = rows[0].repository_id;
	}
	free(rows);
	return count > 0;
}
