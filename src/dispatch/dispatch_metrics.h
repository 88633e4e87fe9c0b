/*
 * deploy-dispatch's metrics, for GET /metrics on --metrics-listen (served
 * from the dispatcher's own loop, dispatcher.c): attempts by result, how
 * long the requests took, the database connection's errors, and what
 * waits in the database (queue and outbox depth, the oldest pending
 * delivery's age), read at most every DISPATCH_METRICS_QUEUE_EVERY_NS on a
 * scrape, not on every one.
 */
#ifndef DEPLOY_DISPATCH_METRICS_H
#define DEPLOY_DISPATCH_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "dispatch_job.h"
#include "dispatch_store.h"
#include "prom.h"

#define DISPATCH_METRICS_QUEUE_EVERY_NS 5000000000LL

struct dispatch_metrics {
	uint64_t results[DISPATCH_FAILED + 1];  /* by enum dispatch_outcome */
	struct prom_duration_histogram attempt_durations;
	struct db_counters db;                  /* the work connection's */
	struct dispatch_queue_stats queue;
	bool queue_known;                       /* read once at least */
	int64_t queue_read_ns;                  /* monotonic; 0: never tried */
};

/* An attempt decided (job->outcome); sent: it made an HTTP request, whose
 * time (job->duration_ms) the histogram takes. */
void dispatch_metrics_count(struct dispatch_metrics *m, const struct dispatch_job *job, bool sent);

/* The queue figures are due to be read again. */
bool dispatch_metrics_queue_due(const struct dispatch_metrics *m, int64_t now_ns);

/* The page, Prometheus' text format. */
void dispatch_metrics_write(const struct dispatch_metrics *m, struct buf *out);

#endif
