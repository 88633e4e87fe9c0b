#include "config.h"

#include "db_query.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

/* After a connect attempt that failed slowly (an unreachable host costs up
 * to connect_timeout), wait this long before the next one, so that requests
 * get a prompt 503 instead of each paying the timeout. An attempt that
 * failed fast (refused, no socket) is retried on the next request: the
 * database is back the moment it answers. */
#define DB_RECONNECT_INTERVAL_NS 1000000000LL
#define DB_SLOW_CONNECT_NS 100000000LL

void
db_init(struct db *db, const char *conninfo, int64_t connect_timeout_s,
    int64_t statement_timeout_ms, const char *application_name)
{
	struct buf ci = BUF_INIT;

	memset(db, 0, sizeof(*db));
	/* Later keywords win in a libpq conninfo, so ours go first and an
	 * operator's explicit settings override them. (plan_cache_mode is left
	 * to PostgreSQL: forcing generic plans made the deployments list walk
	 * the primary key backwards on a small installation, 263 ms a page;
	 * the custom plans it re-plans cost 0.2 ms. bench/notes has both.) A URI conninfo cannot be
	 * extended this way: libpq's environment variables carry the defaults
	 * instead. */
	if (strstr(conninfo, "://") == NULL) {
		buf_printf(&ci, "connect_timeout=%lld keepalives=1 keepalives_idle=30 "
		    "keepalives_interval=10 keepalives_count=3 application_name=%s "
		    "options='-c statement_timeout=%lld -c idle_in_transaction_session_timeout=%lld' ",
		    (long long)connect_timeout_s, application_name,
		    (long long)statement_timeout_ms, (long long)statement_timeout_ms * 2);
		buf_puts(&ci, conninfo);
	} else {
		char value[96];

		snprintf(value, sizeof(value), "%lld", (long long)connect_timeout_s);
		setenv("PGCONNECT_TIMEOUT", value, 0);
		snprintf(value, sizeof(value), "-c statement_timeout=%lld", (long long)statement_timeout_ms);
		setenv("PGOPTIONS", value, 0);
		buf_puts(&ci, conninfo);
	}
	db->conninfo = buf_detach(&ci);
}

void
db_release(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	free(db->conninfo);
	memset(db, 0, sizeof(*db));
}

void
db_error_set(struct db_error *err, enum db_failure failure, const char *sqlstate, const char *message)
{
	size_t n;

	err->failure = failure;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate ? sqlstate : "");
	snprintf(err->message, sizeof(err->message), "%s", message ? message : "");
	/* libpq messages end in a newline; logs want one line. */
	n = strlen(err->message);
	while (n > 0 && (err->message[n - 1] == '\n' || err->message[n - 1] == ' '))
		err->message[--n] = '\0';
}

/* Server notices ("terminating connection ...") go to the log as one line
 * instead of libpq's raw stderr. */
static void
log_notice(void *arg, const char *message)
{
	size_t n = strlen(message);

	(void)arg;
	while (n > 0 && message[n - 1] == '\n')
		n--;
	log_warn("database notice: %.*s", (int)n, message);
}

/* Counts err's failure, when the connection is counted. */
static void
db_count_failure(const struct db *db, const struct db_error *err)
{
	if (db->counters == NULL)
		return;
	atomic_fetch_add_explicit(err->failure == DB_QUERY_FAILED ? &db->counters->query_failed :
	    &db->counters->unavailable, 1, memory_order_relaxed);
}

static void
db_drop(struct db *db)
{
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
}

int
db_ensure(struct db *db, struct db_error *err)
{
	int64_t now;

	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	db_drop(db);
	if (db->in_transaction) {
		/* A new connection would run the rest outside the transaction. */
		db_error_set(err, DB_UNAVAILABLE, NULL, "connection lost in a transaction");
		db_count_failure(db, err);
		return -1;
	}
	now = monotonic_ns();
	if (db->last_attempt_cost_ns > DB_SLOW_CONNECT_NS &&
	    now - db->last_attempt_ns < DB_RECONNECT_INTERVAL_NS) {
		db_error_set(err, DB_UNAVAILABLE, NULL, "database unavailable (waiting to reconnect)");
		db_count_failure(db, err);
		return -1;
	}
	db->last_attempt_ns = now;
	db->conn = PQconnectdb(db->conninfo);
	db->last_attempt_cost_ns = monotonic_ns() - now;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db_error_set(err, DB_UNAVAILABLE, NULL, db->conn ? PQerrorMessage(db->conn) : "out of memory");
		log_warn("database connection failed: %s", err->message);
		db_count_failure(db, err);
		db_drop(db);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, log_notice, NULL);
	db->generation++;
	if (db->generation > 1) {
		log_info("database reconnected");
		if (db->counters != NULL)
			atomic_fetch_add_explicit(&db->counters->reconnects, 1, memory_order_relaxed);
	}
	return 0;
}

/*
 * An idle connection whose server has gone (restart, administrator
 * command) has a termination message or EOF waiting on its socket. Reading
 * it before sending means a restarted database costs no failed request.
 */
static void
db_check_idle(struct db *db)
{
	struct pollfd pfd = { .fd = PQsocket(db->conn), .events = POLLIN };

	if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
		return;
	if (!PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK) {
		log_warn("database connection lost while idle; reconnecting");
		db_drop(db);
		return;
	}
	/* Drain notices or notifications so the socket is idle again. */
	for (PGnotify *n; (n = PQnotifies(db->conn)) != NULL;)
		PQfreemem(n);
}

static PGresult *
db_check_result(struct db *db, PGresult *r, struct db_error *err)
{
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return r;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		db_error_set(err, DB_UNAVAILABLE, NULL, PQerrorMessage(db->conn));
		db_drop(db);
	} else {
		db_error_set(err, DB_QUERY_FAILED, r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL,
		    r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
	}
	db_count_failure(db, err);
	PQclear(r);
	return NULL;
}

static PGresult *
db_exec_prepared_once(struct db *db, struct db_statement *stmt, const char *const *params,
    struct db_error *err)
{
	if (db_ensure(db, err) < 0)
		return NULL;
	db_check_idle(db);
	if (db_ensure(db, err) < 0)
		return NULL;
	if (stmt->prepared_generation != db->generation) {
		PGresult *r = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL);

		if ((r = db_check_result(db, r, err)) == NULL) {
			if (err->failure == DB_QUERY_FAILED)
				log_error("cannot prepare %s: %s", stmt->name, err->message);
			return NULL;
		}
		PQclear(r);
		stmt->prepared_generation = db->generation;
	}
	return db_check_result(db,
	    PQexecPrepared(db->conn, stmt->name, stmt->nparams, params, NULL, NULL, 0), err);
}

PGresult *
db_exec(struct db *db, struct db_statement *stmt, const char *const *params, struct db_error *err)
{
	bool was_connected = db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
	PGresult *r;

	memset(err, 0, sizeof(*err));
	r = db_exec_prepared_once(db, stmt, params, err);
	/* A read on a connection that had died before we used it is safe to
	 * repeat once on a new one; a write is not (it may have committed). */
	if (r == NULL && err->failure == DB_UNAVAILABLE && stmt->read_only && was_connected) {
		db->last_attempt_cost_ns = 0;
		memset(err, 0, sizeof(*err));
		r = db_exec_prepared_once(db, stmt, params, err);
	}
	return r;
}

PGresult *
db_exec_once(struct db *db, const char *sql, int nparams, const char *const *params, struct db_error *err)
{
	memset(err, 0, sizeof(*err));
	if (db_ensure(db, err) < 0)
		return NULL;
	return db_check_result(db, PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0), err);
}

int
db_begin(struct db *db, struct db_error *err)
{
	PGresult *r = db_exec_once(db, "BEGIN", 0, NULL, err);

	if (r == NULL)
		return -1;
	PQclear(r);
	db->in_transaction = true;
	return 0;
}

int
db_end(struct db *db, bool commit, struct db_error *err)
{
	PGresult *r;

	memset(err, 0, sizeof(*err));
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		/* The server ended the transaction with the connection. */
		db->in_transaction = false;
		db_drop(db);
		if (!commit)
			return 0;
		db_error_set(err, DB_UNAVAILABLE, NULL, "connection lost in a transaction");
		db_count_failure(db, err);
		return -1;
	}
	r = db_check_result(db, PQexec(db->conn, commit ? "COMMIT" : "ROLLBACK"), err);
	db->in_transaction = false;
	if (r == NULL)
		return -1;
	/* COMMIT of a transaction that had failed answers ROLLBACK. */
	if (commit && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		db_error_set(err, DB_QUERY_FAILED, NULL, "the transaction was rolled back");
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

int
db_exec_script(struct db *db, const char *sql, struct db_error *err)
{
	PGresult *r;

	memset(err, 0, sizeof(*err));
	if (db_ensure(db, err) < 0)
		return -1;
	r = db_check_result(db, PQexec(db->conn, sql), err);
	PQclear(r);
	return r ? 0 : -1;
}

int64_t
db_get_int64(const PGresult *r, int row, int col)
{
	/* PostgreSQL's own text for an integer: an optional '-' and digits.
	 * Parsed by hand: strtoll's locale and base handling cost more than
	 * the rest of reading a row. */
	const char *s;
	uint64_t v = 0;
	bool negative;

	if (PQgetisnull(r, row, col))
		return 0;
	s = PQgetvalue(r, row, col);
	negative = *s == '-';
	if (negative)
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return negative ? (int64_t)(0 - v) : (int64_t)v;
}

bool
db_get_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

const char *
db_get_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}
