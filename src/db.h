/*
 * One PostgreSQL connection per process, opened after fork. Statements are
 * described once (struct db_statement, usually a static in the store_*.c
 * that owns the SQL) and prepared lazily, once per connection. A dead
 * database never hangs a caller: connect_timeout and statement_timeout
 * bound every call, a broken connection is reset on the next call (at most
 * one attempt per second), and callers turn DB_UNAVAILABLE into a 503.
 *
 * Only db*.c and store_*.c include libpq; a PGresult never leaves them.
 */
#ifndef DEPLOY_DB_H
#define DEPLOY_DB_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "util.h"

struct db_statement {
	const char *name;
	const char *sql;
	int nparams;
	/* Safe to run again on a fresh connection when the old one turns
	 * out to be dead: the statement does not write. */
	bool read_only;
	unsigned prepared_generation; /* == db.generation once prepared */
};

enum db_failure {
	DB_OK = 0,
	DB_UNAVAILABLE,   /* no connection, or it broke: answer 503 */
	DB_QUERY_FAILED,  /* the statement failed: sqlstate says why */
};

struct db_error {
	enum db_failure failure;
	char sqlstate[6];
	char message[256]; /* truncated server message, for logs only */
};

struct db {
	PGconn *conn;
	char *conninfo;
	unsigned generation;        /* bumped on every new connection */
	int64_t last_attempt_ns;    /* monotonic time of the last connect */
	int64_t last_attempt_cost_ns; /* how long that attempt took */
};

/* Remembers conninfo (extended with timeouts); does not connect. */
void db_init(struct db *db, const char *conninfo, int64_t connect_timeout_s,
    int64_t statement_timeout_ms, const char *application_name);
void db_release(struct db *db);

/* Connects now if not connected; -1 with err filled when it cannot. */
int db_ensure(struct db *db, struct db_error *err) MUST_CHECK;

/* Runs stmt with text parameters (NULL = SQL NULL). Returns a result with
 * status TUPLES_OK or COMMAND_OK that the caller PQclear()s, or NULL with
 * err filled. */
PGresult *db_exec(struct db *db, struct db_statement *stmt, const char *const *params,
    struct db_error *err) MUST_CHECK;

/* Runs a one-off statement without preparing it (admin tools, migrations). */
PGresult *db_exec_once(struct db *db, const char *sql, int nparams, const char *const *params,
    struct db_error *err) MUST_CHECK;

/* Runs a script of several statements (our own migration files only: the
 * simple protocol cannot bind parameters, so never pass it client input). */
int db_exec_script(struct db *db, const char *sql, struct db_error *err) MUST_CHECK;

/* Convenience for readers of results. */
int64_t db_get_int64(const PGresult *r, int row, int col);
bool db_get_bool(const PGresult *r, int row, int col);
/* NULL for SQL NULL. */
const char *db_get_text(const PGresult *r, int row, int col);

#endif
