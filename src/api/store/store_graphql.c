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

static struct db_statement repository_by_name = {
	.name = "graphql_repository",
	.nparams = 3,
	.read_only = true,
	.sql = REPOSITORY_SELECT " WHERE lower(o.login) = lower($2) AND lower(r.name) = lower($3)",
};

static struct db_statement repository_by_id = {
	.name = "graphql_repository_by_id",
	.nparams = 2,
	.read_only = true,
	.sql = REPOSITORY_SELECT " WHERE r.id = $2",
};

static void
read_repository(const PGresult *r, int row, int col, void *item)
{
	struct graphql_repository *out = item;

	store_read_repository(r, row, col, &out->repo);
	out->permission = permission_parse(db_get_text(r, row, col + STORE_REPOSITORY_NCOLUMNS));
}

int
store_graphql_repository(struct db *db, int64_t user_id, const char *owner, const char *name,
    struct graphql_repository *out, struct db_error *err)
{
	char user[STORE_INT_LEN];
	const char *params[3] = { user, owner, name };

	store_format_int(user, user_id);
	return store_read_one(db, &repository_by_name, params, read_repository, out, sizeof(*out),
	    err);
}

int
store_graphql_repository_by_id(struct db *db, int64_t user_id, int64_t id,
    struct graphql_repository *out, struct db_error *err)
{
	char user[STORE_INT_LEN], idbuf[STORE_INT_LEN];
	const char *params[2] = { user, idbuf };

	store_format_int(user, user_id);
	store_format_int(idbuf, id);
	return store_read_one(db, &repository_by_id, params, read_repository, out, sizeof(*out), err);
}

/*
 * A page of deployments in one statement: f is the filtered list, w the
 * window between the cursors, p the page (read from the far end for
 * `last`); the first row carries the total (deployment_totals, sql/0007)
 * and whether items lie beyond either end of the page, every row one
 * deployment (none: NULLs). $1 repository, $2 environments (JSON array or
 * NULL), $3/$4 after (epoch, id), $5/$6 before, $7 the page size, $8 the
 * commit (NULL: any; a commit's deployments are few, so counted here).
 * Four forms: ascending or descending, first or last.
 */
static const char deployments_sql[] =
    "WITH f AS (SELECT d.id, d.created_at FROM deployments d"
    "   WHERE d.repository_id = $1 AND ($2::json IS NULL OR d.environment = ANY("
    "     ARRAY(SELECT json_array_elements_text($2::json))))"
    "     AND ($8::text IS NULL OR d.sha = $8)),"
    " w AS (SELECT * FROM f"
    "   WHERE ($3::bigint IS NULL OR (f.created_at, f.id) %1$s (to_timestamp($3), $4::bigint))"
    "     AND ($5::bigint IS NULL OR (f.created_at, f.id) %2$s (to_timestamp($5), $6::bigint))),"
    " p AS (SELECT * FROM w ORDER BY created_at %3$s, id %3$s LIMIT $7)"
    " SELECT c.*, x.* FROM (SELECT"
    "   CASE WHEN $8::text IS NOT NULL THEN (SELECT count(*) FROM f)"
    "     ELSE (SELECT COALESCE(sum(t.n), 0)::bigint FROM deployment_totals t"
    "       WHERE t.repository_id = $1 AND (CASE WHEN $2::json IS NULL THEN t.environment = ''"
    "         ELSE t.environment IN (SELECT json_array_elements_text($2::json)) END)) END,"
    "   CASE WHEN EXISTS (SELECT 1 FROM p) THEN EXISTS (SELECT 1 FROM f WHERE (f.created_at, f.id)"
    "       %1$s (SELECT created_at, id FROM p ORDER BY created_at %5$s, id %5$s LIMIT 1))"
    "     ELSE EXISTS (SELECT 1 FROM w) END,"
    "   EXISTS (SELECT 1 FROM f WHERE (f.created_at, f.id)"
    "       %2$s (SELECT created_at, id FROM p ORDER BY created_at %4$s, id %4$s LIMIT 1))) c"
    " LEFT JOIN LATERAL (SELECT p.created_at AS k_t, p.id AS k_id, "
    STORE_DEPLOYMENT_COLUMNS("d", "u")
    "   FROM p JOIN deployments d ON d.id = p.id JOIN users u ON u.id = d.creator_id) x ON true"
    " ORDER BY x.k_t %3$s, x.k_id %3$s";
#define DEPLOYMENTS_FIRST_ITEM_COLUMN 5

static struct db_statement deployments_statements[2][2];
static char deployments_names[2][2][32];

static struct db_statement *
deployments_statement(bool descending, bool from_end)
{
	struct db_statement *st = &deployments_statements[descending][from_end];
	const char *order = descending ? "DESC" : "ASC", *reverse = descending ? "ASC" : "DESC";
	struct buf sql = BUF_INIT;

	if (st->sql)
		return st;
	/* %1 after, %2 before (in the connection's order), %3 the order the
	 * page is read in, %4 the connection's order, %5 its reverse. */
	buf_printf(&sql, deployments_sql, descending ? "<" : ">", descending ? ">" : "<",
	    from_end ? reverse : order, order, reverse);
	snprintf(deployments_names[descending][from_end], sizeof(deployments_names[0][0]),
	    "graphql_deployments_%d%d", descending, from_end);
	st->name = deployments_names[descending][from_end];
	st->nparams = 8;
	st->read_only = true;
	st->sql = buf_detach(&sql);
	return st;
}

static void
format_key(char time[STORE_INT_LEN], char id[STORE_INT_LEN], const struct graphql_key *k,
    const char **tp, const char **ip)
{
	store_format_int(time, k->created_at);
	store_format_int(id, k->id);
	*tp = k->set ? time : NULL;
	*ip = k->set ? id : NULL;
}

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

int
store_graphql_deployments(struct db *db, const struct graphql_deployments_filter *f,
    const struct graphql_window *w, struct graphql_deployment_page *out, struct db_error *err)
{
	char repo[STORE_INT_LEN], at[STORE_INT_LEN], ai[STORE_INT_LEN], bt[STORE_INT_LEN],
	    bi[STORE_INT_LEN], lim[STORE_INT_LEN];
	const char *params[8] = { repo, f->environments, NULL, NULL, NULL, NULL, lim, f->sha };
	PGresult *r;
	int rows;

	memset(out, 0, sizeof(*out));
	store_format_int(repo, f->repository_id);
	store_format_int(lim, w->limit);
	format_key(at, ai, &w->after, &params[2], &params[3]);
	format_key(bt, bi, &w->before, &params[4], &params[5]);
	r = db_exec(db, deployments_statement(f->descending, w->from_end), params, err);
	if (r == NULL)
		return -1;
	rows = PQntuples(r);
	if (rows > 0) {
		read_page_info(r, 0, 0, &out->info);
		if (!PQgetisnull(r, 0, DEPLOYMENTS_FIRST_ITEM_COLUMN)) {
			out->items = xcalloc((size_t)rows, sizeof(*out->items));
			for (int i = 0; i < rows; i++)
				store_read_deployment(r, i, DEPLOYMENTS_FIRST_ITEM_COLUMN, &out->items[i]);
			out->count = (size_t)rows;
		}
	}
	PQclear(r);
	if (w->from_end)
		reverse_items(out->items, out->count, sizeof(*out->items));
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
 * sql/0007), whether statuses lie beyond either end, and the page's ids;
 * then one row per status. Statuses are newest first: after a cursor
 * means older. $2 after, $3 before, $4 the page size.
 */
static const char statuses_sql[] =
    "SELECT d.id, COALESCE(t.n, 0)::bigint,"
    "   CASE WHEN cardinality(c.page) > 0 THEN EXISTS (SELECT 1 FROM deployment_statuses s"
    "       WHERE s.deployment_id = d.id AND s.id < (SELECT min(i) FROM unnest(c.page) i))"
    "     ELSE c.window_nonempty END,"
    "   cardinality(c.page) > 0 AND EXISTS (SELECT 1 FROM deployment_statuses s"
    "       WHERE s.deployment_id = d.id AND s.id > (SELECT max(i) FROM unnest(c.page) i)),"
    "   x.*"
    "  FROM unnest($1::bigint[]) WITH ORDINALITY AS d (id, ord)"
    "  LEFT JOIN status_totals t ON t.deployment_id = d.id"
    "  CROSS JOIN LATERAL (SELECT"
    "     ARRAY(SELECT s.id FROM deployment_statuses s WHERE s.deployment_id = d.id"
    "       AND ($2::bigint IS NULL OR s.id < $2) AND ($3::bigint IS NULL OR s.id > $3)"
    "       ORDER BY s.id %s LIMIT $4) AS page,"
    "     EXISTS (SELECT 1 FROM deployment_statuses s WHERE s.deployment_id = d.id"
    "       AND ($2::bigint IS NULL OR s.id < $2) AND ($3::bigint IS NULL OR s.id > $3))"
    "       AS window_nonempty) c"
    "  LEFT JOIN LATERAL (SELECT s.id AS k_id, " STORE_STATUS_COLUMNS("s", "u")
    "     FROM deployment_statuses s JOIN users u ON u.id = s.creator_id"
    "    WHERE s.id = ANY(c.page)) x ON true"
    " ORDER BY d.ord, x.k_id DESC";
#define STATUSES_FIRST_ITEM_COLUMN 5

static struct db_statement statuses_statements[2];

static struct db_statement *
statuses_statement(bool from_end)
{
	struct db_statement *st = &statuses_statements[from_end];
	struct buf sql = BUF_INIT;

	if (st->sql)
		return st;
	buf_printf(&sql, statuses_sql, from_end ? "ASC" : "DESC");
	st->name = from_end ? "graphql_statuses_last" : "graphql_statuses_first";
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
	r = db_exec(db, statuses_statement(w->from_end), params, err);
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

/* A row of one deployment or status, with its repository's id first. */
struct row_by_id {
	int64_t repository_id;
	union {
		struct deployment deployment;
		struct deployment_status status;
	} u;
};

static void
read_deployment_row(const PGresult *r, int row, int col, void *item)
{
	struct row_by_id *out = item;

	out->repository_id = db_get_int64(r, row, col);
	store_read_deployment(r, row, col + 1, &out->u.deployment);
}

static void
read_status_row(const PGresult *r, int row, int col, void *item)
{
	struct row_by_id *out = item;

	out->repository_id = db_get_int64(r, row, col);
	store_read_status(r, row, col + 1, &out->u.status);
}

static struct db_statement deployment_statement = {
	.name = "graphql_deployment",
	.nparams = 1,
	.read_only = true,
	.sql = "SELECT d.repository_id, " STORE_DEPLOYMENT_COLUMNS("d", "u")
	    "  FROM deployments d JOIN users u ON u.id = d.creator_id WHERE d.id = $1",
};

static struct db_statement status_statement = {
	.name = "graphql_status",
	.nparams = 1,
	.read_only = true,
	.sql = "SELECT d.repository_id, " STORE_STATUS_COLUMNS("s", "u")
	    "  FROM deployment_statuses s JOIN users u ON u.id = s.creator_id"
	    "  JOIN deployments d ON d.id = s.deployment_id WHERE s.id = $1",
};

static int
read_by_id(struct db *db, struct db_statement *st, store_row_reader read, int64_t id,
    struct row_by_id *row, struct db_error *err)
{
	char idbuf[STORE_INT_LEN];
	const char *params[1] = { idbuf };

	store_format_int(idbuf, id);
	return store_read_one(db, st, params, read, row, sizeof(*row), err);
}

int
store_graphql_deployment(struct db *db, int64_t id, struct deployment *out,
    int64_t *repository_id, struct db_error *err)
{
	struct row_by_id row;
	int found = read_by_id(db, &deployment_statement, read_deployment_row, id, &row, err);

	*out = row.u.deployment;
	*repository_id = row.repository_id;
	return found;
}

int
store_graphql_status(struct db *db, int64_t id, struct deployment_status *out,
    int64_t *repository_id, struct db_error *err)
{
	struct row_by_id row;
	int found = read_by_id(db, &status_statement, read_status_row, id, &row, err);

	*out = row.u.status;
	*repository_id = row.repository_id;
	return found;
}
