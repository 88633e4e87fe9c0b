/*
 * Running statements on a connection of db.h. Results are libpq's: only
 * the store layers (api/store, dispatch's and deployctl's store files)
 * include this header, and a PGresult never leaves them.
 */
#ifndef DEPLOY_DB_QUERY_H
#define DEPLOY_DB_QUERY_H

#include <libpq-fe.h>

#include "db.h"

/* Runs stmt with text parameters (NULL = SQL NULL). Returns a result with
 * status TUPLES_OK or COMMAND_OK that the caller PQclear()s, or NULL with
 * err filled. */
PGresult *db_exec(struct db *db, struct db_statement *stmt, const char *const *params,
    struct db_error *err) MUST_CHECK;

/* Runs a one-off statement without preparing it (admin tools, migrations). */
PGresult *db_exec_once(struct db *db, const char *sql, int nparams, const char *const *params,
    struct db_error *err) MUST_CHECK;

/*
 * A transaction of several statements. Between db_begin and db_end a
 * broken connection is not replaced: every statement fails DB_UNAVAILABLE
 * until db_end, so that none runs on a new connection, outside the
 * transaction. db_end commits (commit true) or rolls back; -1 with err
 * filled when the commit did not happen (nothing of the transaction did).
 * Call db_end after any failure too.
 */
int db_begin(struct db *db, struct db_error *err) MUST_CHECK;
int db_end(struct db *db, bool commit, struct db_error *err) MUST_CHECK;

/* Runs a script of several statements (our own migration files only: the
 * simple protocol cannot bind parameters, so never pass it client input). */
int db_exec_script(struct db *db, const char *sql, struct db_error *err) MUST_CHECK;

/* Fills err; for stores that find a result of a shape the statement cannot
 * return (sqlstate and message as the log should show them). */
void db_error_set(struct db_error *err, enum db_failure failure, const char *sqlstate,
    const char *message);

/* Convenience for readers of results. */
int64_t db_get_int64(const PGresult *r, int row, int col);
bool db_get_bool(const PGresult *r, int row, int col);
/* NULL for SQL NULL. */
const char *db_get_text(const PGresult *r, int row, int col);

#endif
