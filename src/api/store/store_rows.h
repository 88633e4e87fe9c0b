/*
 * Column lists and row readers shared by every statement that returns
 * users or repositories, so that one SELECT list and one reader stay in
 * step. Times come back as epoch seconds.
 */
#ifndef DEPLOY_STORE_ROWS_H
#define DEPLOY_STORE_ROWS_H

#include <stdbool.h>

#include "buf.h"
#include "db_query.h"
#include "model.h"
#include "model_rows.h"

/* The records of model.h, as every program reads them (model_rows.h). */
#define STORE_EPOCH MODEL_ROWS_EPOCH
#define STORE_USER_COLUMNS MODEL_ROWS_USER_COLUMNS
#define STORE_USER_NCOLUMNS MODEL_ROWS_USER_NCOLUMNS
#define STORE_REPOSITORY_COLUMNS MODEL_ROWS_REPOSITORY_COLUMNS
#define STORE_REPOSITORY_NCOLUMNS MODEL_ROWS_REPOSITORY_NCOLUMNS
#define STORE_DEPLOYMENT_COLUMNS MODEL_ROWS_DEPLOYMENT_COLUMNS
#define STORE_DEPLOYMENT_NCOLUMNS MODEL_ROWS_DEPLOYMENT_NCOLUMNS
#define STORE_STATUS_COLUMNS MODEL_ROWS_STATUS_COLUMNS
#define STORE_STATUS_NCOLUMNS MODEL_ROWS_STATUS_NCOLUMNS
#define store_text_or_null model_rows_text_or_null
#define store_read_user model_rows_read_user
#define store_read_repository model_rows_read_repository
#define store_read_deployment model_rows_read_deployment
#define store_read_status model_rows_read_status

#define STORE_ENVIRONMENT_COLUMNS(e)                                        \
	e ".id, " e ".name, " e ".can_admins_bypass, "                        \
	"COALESCE(" e ".branch_gate_id, 0) AS gate_id, "                      \
	STORE_EPOCH(e ".created_at") ", " STORE_EPOCH(e ".updated_at")
#define STORE_ENVIRONMENT_NCOLUMNS 6

/* A bound parameter for an id: decimal text in out. */
#define STORE_INT_LEN (INT64_DECIMAL_MAX + 1)
void store_format_int(char out[STORE_INT_LEN], int64_t v);

/*
 * Lists: a statement of the shape "SELECT c.total, p.* FROM (total) c LEFT
 * JOIN LATERAL (page) p ON true" gives the list's size in column 0 of every
 * row (NULL when the list has no kept size), the page's items from column 1
 * on, and one row of NULLs beside the total when the page is empty.
 * store_read_page runs it and reads at most limit rows with read into an
 * array of item_size elements; a row beyond limit (an uncounted list's
 * statement asks for one) sets more.
 */
struct store_page {
	void *items;
	size_t count;
	int64_t total;  /* -1: not counted */
	bool more;
};
typedef void (*store_row_reader)(const PGresult *r, int row, int col, void *item);
int store_read_page(struct db *db, struct db_statement *st, const char *const *params,
    int64_t limit, size_t item_size, store_row_reader read, struct store_page *out,
    struct db_error *err) MUST_CHECK;

/*
 * A list's page is read in two steps of one statement: its ids first,
 * from "SELECT id FROM table WHERE ..." (ids), which an index of the
 * list's conditions and id answers alone, then its rows by those ids
 * ("SELECT columns FROM table alias JOIN ...", rows, with alias.id the
 * id_column), as an array: the planner then knows they are few and reads
 * them by primary key (with IN, a generic plan guessed thousands and
 * scanned the table). In one step, PostgreSQL would rather walk the
 * primary key backwards and filter: fine while the list's rows are the
 * newest, 100 times slower for a repository whose deployments are older
 * than another one's 100,000.
 */
struct store_list {
	const char *ids;
	const char *rows;
	const char *id_column;
	/* The ids' ORDER BY, newest first: "id DESC" when NULL. An index that
	 * the conditions do not all match orders by its own columns, so that
	 * the primary key cannot serve (an uncounted list only). */
	const char *newest_first;
};

/*
 * The page statement of a list whose size is kept in a table (sql/0007):
 * total, a SELECT of that size; the list's items newest first by id. $2 is
 * the keyset hint (rows older than it), $3 the page size, $4 the rows to
 * skip. A page in the older half of the list is read from the oldest end
 * (OFFSET from that end), so rel="last" and the pages near it cost what
 * page 1 costs.
 */
void store_page_counted_sql(struct buf *sql, const char *total, const struct store_list *list);
/* The same for a list without a kept size: one row more than $3 is read,
 * which tells whether another page follows. */
void store_page_uncounted_sql(struct buf *sql, const struct store_list *list);

/* Runs a statement that returns at most one row and reads it into item
 * (zeroed first): 1 found, 0 not found, -1 error. */
int store_read_one(struct db *db, struct db_statement *st, const char *const *params,
    store_row_reader read, void *item, size_t item_size, struct db_error *err) MUST_CHECK;

/* Runs a statement whose rows are not read: how many rows it returned or
 * changed, or -1 with err filled. */
int64_t store_exec_count(struct db *db, struct db_statement *st, const char *const *params,
    struct db_error *err) MUST_CHECK;

/* Releases each item with release, then the array. */
void store_items_free(void *items, size_t count, size_t item_size, void (*release)(void *item));

/*
 * Every list a store returns is a struct { T *items; size_t count; int64_t
 * total; }. STORE_READ_LIST runs a page statement into one (0, or -1 with
 * err filled; page is the caller's scratch); STORE_LIST_RELEASE defines
 * NAME_release(struct NAME *) from the item type's release function.
 */
#define STORE_READ_LIST(db, st, params, limit, read, list, page, err)                    \
	(store_read_page((db), (st), (params), (limit), sizeof(*(list)->items), (read), (page),  \
	     (err)) < 0                                                                        \
	    ? -1                                                                               \
	    : ((list)->items = (page)->items, (list)->count = (page)->count,                   \
		  (list)->total = (page)->total, (list)->more = (page)->more, 0))

#define STORE_LIST_RELEASE(name, item_release)                                  \
	static void name##_item_release(void *item) { item_release(item); }       \
	void name##_release(struct name *l)                                      \
	{                                                                         \
		store_items_free(l->items, l->count, sizeof(*l->items), name##_item_release); \
		memset(l, 0, sizeof(*l));                                             \
	}

void store_read_environment(const PGresult *r, int row, int col, struct environment *out);

#endif
