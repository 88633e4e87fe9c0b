#include "config.h"

#include "dispatch_listen.h"

#include <string.h>

#include "db_query.h"
#include "log.h"

#define LISTEN_CHANNEL "deploy_dispatch"

void
dispatch_listen_init(struct dispatch_listen *l, const char *conninfo, int64_t connect_timeout_s)
{
	memset(l, 0, sizeof(*l));
	/* No statement runs long here: LISTEN only. */
	db_init(&l->db, conninfo, connect_timeout_s, 10000, "deploy-dispatch-listen");
}

void
dispatch_listen_release(struct dispatch_listen *l)
{
	db_release(&l->db);
}

bool
dispatch_listen_ensure(struct dispatch_listen *l)
{
	struct db_error err;
	PGresult *r;

	if (l->db.conn != NULL && PQstatus(l->db.conn) == CONNECTION_OK &&
	    l->listening_generation == l->db.generation)
		return false;
	if (db_ensure(&l->db, &err) < 0)
		return false;
	r = db_exec_once(&l->db, "LISTEN " LISTEN_CHANNEL, 0, NULL, &err);
	if (r == NULL) {
		log_warn("cannot listen on " LISTEN_CHANNEL ": %s", err.message);
		return false;
	}
	PQclear(r);
	l->listening_generation = l->db.generation;
	return true;
}

int
dispatch_listen_fd(const struct dispatch_listen *l)
{
	if (l->db.conn == NULL || PQstatus(l->db.conn) != CONNECTION_OK ||
	    l->listening_generation != l->db.generation)
		return -1;
	return PQsocket(l->db.conn);
}

bool
dispatch_listen_consume(struct dispatch_listen *l)
{
	bool woken = false;
	PGnotify *n;

	if (l->db.conn == NULL)
		return false;
	if (!PQconsumeInput(l->db.conn) || PQstatus(l->db.conn) != CONNECTION_OK) {
		/* The server went away (restart, shutdown): PQstatus is now bad,
		 * so _ensure reconnects and we stop polling the dead socket. */
		const char *why = PQerrorMessage(l->db.conn);

		log_warn("listen connection lost: %.*s", (int)strcspn(why, "\n"), why);
		l->listening_generation = 0;
		return true;
	}
	while ((n = PQnotifies(l->db.conn)) != NULL) {
		if (n->be_pid != l->ignore_pid)
			woken = true;
		PQfreemem(n);
	}
	return woken;
}
