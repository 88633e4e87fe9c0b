/*
 * One PostgreSQL connection per process, opened after fork. Statements are
 * described once (struct db_statement, usually a static in the store_*.c
 * that owns the SQL) and prepared lazily, once per connection. A dead
 * database never hangs a caller: connect_timeout and statement_timeout
 * bound every call, a broken connection is reset on the next call (at most
 * one attempt per second), and callers turn DB_UNAVAILABLE into a 503.
 *
 * This header is libpq-free, so that any layer can hold a connection and
 * read its errors; running statements is db_query.h, which only the store
 * folders include (tests/layering.py keeps it so).
 */
#ifndef DEPLOY_DB_H
#define DEPLOY_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "db_counters.h"
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
	struct pg_conn *conn;      /* libpq's PGconn, opaque here */
	struct db_counters *counters; /* NULL: not counted; set after db_init() */
	char *conninfo;
	unsigned generation;        /* bumped on every new connection */
	int64_t last_attempt_ns;    /* monotonic time of the last connect */
	int64_t last_attempt_cost_ns; /* how long that attempt took */
	bool in_transaction;        /* between db_begin and db_end */
};

/* Remembers conninfo (extended with timeouts); does not connect. */
void db_init(struct db *db, const char *conninfo, int64_t connect_timeout_s,
    int64_t statement_timeout_ms, const char *application_name);
void db_release(struct db *db);

/* Connects now if not connected; -1 with err filled when it cannot. */
int db_ensure(struct db *db, struct db_error *err) MUST_CHECK;

#endif
