#include "config.h"

#include "store_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_query.h"

void
store_format_int(char out[STORE_INT_LEN], int64_t v)
{
	out[format_int64(v, out)] = '\0';
}

void
store_read_environment(const PGresult *r, int row, int col, struct environment *out)
{
	out->id = db_get_int64(r, row, col);
	out->name = xstrdup(PQgetvalue(r, row, col + 1));
	out->can_admins_bypass = db_get_bool(r, row, col + 2);
	out->branch_gate_id = db_get_int64(r, row, col + 3);
	out->created_at = db_get_int64(r, row, col + 4);
	out->updated_at = db_get_int64(r, row, col + 5);
}

#define NEWEST_ID_BOUND "9223372036854775807"

void
store_page_counted_sql(struct buf *sql, const char *total, const struct store_list *list)
{
	buf_printf(sql,
	    "WITH c AS (%s)"
	    " SELECT c.total, p.* FROM c LEFT JOIN LATERAL ("
	    "  (%s WHERE %s = ANY(ARRAY(%s AND id < COALESCE($2::bigint, " NEWEST_ID_BOUND ")"
	    "   AND $4::bigint * 2 <= c.total ORDER BY id DESC LIMIT $3 OFFSET $4)))"
	    "  UNION ALL"
	    "  (%s WHERE %s = ANY(ARRAY(%s AND $4::bigint * 2 > c.total"
	    "   ORDER BY id LIMIT greatest(least($3::bigint, c.total - $4::bigint), 0)"
	    "   OFFSET greatest(c.total - $4::bigint - $3::bigint, 0))))"
	    " ) p ON true ORDER BY 2 DESC",
	    total, list->rows, list->id_column, list->ids, list->rows, list->id_column, list->ids);
}

void
store_page_uncounted_sql(struct buf *sql, const struct store_list *list)
{
	buf_printf(sql,
	    "SELECT NULL::bigint, p.* FROM (SELECT 1) AS one LEFT JOIN LATERAL ("
	    "  %s WHERE %s = ANY(ARRAY(%s AND id < COALESCE($2::bigint, " NEWEST_ID_BOUND ")"
	    "  ORDER BY %s LIMIT $3::bigint + 1 OFFSET $4))) p ON true ORDER BY 2 DESC",
	    list->rows, list->id_column, list->ids, list->newest_first ? list->newest_first : "id DESC");
}

int
store_read_page(struct db *db, struct db_statement *st, const char *const *params,
    int64_t limit, size_t item_size, store_row_reader read, struct store_page *out,
    struct db_error *err)
{
	PGresult *r = db_exec(db, st, params, err);
	size_t rows;

	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return -1;
	rows = (size_t)PQntuples(r);
	out->total = rows == 0 || PQgetisnull(r, 0, 0) ? -1 : db_get_int64(r, 0, 0);
	if (rows > 0 && !PQgetisnull(r, 0, 1)) {
		out->more = rows > (size_t)limit;
		out->count = out->more ? (size_t)limit : rows;
		out->items = xcalloc(out->count, item_size);
		for (size_t i = 0; i < out->count; i++)
			read(r, (int)i, 1, (char *)out->items + i * item_size);
	}
	PQclear(r);
	return 0;
}

int
store_read_one(struct db *db, struct db_statement *st, const char *const *params,
    store_row_reader read, void *item, size_t item_size, struct db_error *err)
{
	PGresult *r = db_exec(db, st, params, err);
	int found;

	memset(item, 0, item_size);
	if (r == NULL)
		return -1;
	found = PQntuples(r) == 1;
	if (found)
		read(r, 0, 0, item);
	PQclear(r);
	return found;
}

int64_t
store_exec_count(struct db *db, struct db_statement *st, const char *const *params,
    struct db_error *err)
{
	PGresult *r = db_exec(db, st, params, err);
	int64_t count;

	if (r == NULL)
		return -1;
	/* PQcmdTuples counts the rows of a SELECT as well as those an
	 * INSERT, UPDATE or DELETE changed; "" for other commands. */
	count = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return count;
}

void
store_items_free(void *items, size_t count, size_t item_size, void (*release)(void *item))
{
	for (size_t i = 0; i < count; i++)
		release((char *)items + i * item_size);
	free(items);
}
