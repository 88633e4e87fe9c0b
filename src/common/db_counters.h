/*
 * What database connections count for the metrics (struct db's counters)
 * and how both programs write them out. Atomics, since deploy-api's
 * workers share theirs in shared memory.
 */
#ifndef DEPLOY_DB_COUNTERS_H
#define DEPLOY_DB_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

#include "buf.h"

struct db_counters {
	_Atomic uint64_t unavailable;   /* a call found no connection, or lost it */
	_Atomic uint64_t query_failed;  /* the server refused a statement */
	_Atomic uint64_t reconnects;    /* connections made after the first */
};

/* PREFIX_database_errors_total{kind="unavailable"|"query"} and
 * PREFIX_database_reconnects_total, Prometheus' text format. */
void db_counters_write(const struct db_counters *c, const char *prefix, struct buf *out);

#endif
