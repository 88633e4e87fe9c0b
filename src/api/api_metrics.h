/*
 * deploy-api's metrics, in shared memory that the master maps before it
 * forks (like the rate-limit table): workers count into it with a few
 * relaxed atomic increments per request, and the master, which handles no
 * request, writes it out for GET /metrics (--metrics-listen). Without
 * that option there is no table: every function takes NULL and does
 * nothing.
 *
 *   requests    by route template (routes.c's pattern, "unmatched" for a
 *               request no route took), method and status code
 *   durations   a histogram per route template
 *   workers     which worker slots are busy with a request
 *   database    errors and reconnections (db.h's counters)
 *   rate limit  requests refused with 403 for a spent budget
 */
#ifndef DEPLOY_API_METRICS_H
#define DEPLOY_API_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "router.h"

/* A worker without a slot (all taken): it is not counted as busy. */
#define API_METRICS_NO_SLOT ((size_t)-1)

struct api_metrics;

/* Maps the table, shared with processes forked after; room for
 * worker_slots workers at once. NULL when it cannot be mapped. */
struct api_metrics *api_metrics_create(size_t worker_slots);
void api_metrics_destroy(struct api_metrics *m);

/* One request answered: route NULL when no route matched. */
void api_metrics_count_request(struct api_metrics *m, const struct route *route, const char *method,
    int status, int64_t duration_ns);

/* A request refused for its spent rate-limit budget. */
void api_metrics_count_rate_limited(struct api_metrics *m);

/* Where a worker's connection counts its errors (db->counters); NULL
 * without metrics. */
struct db_counters *api_metrics_db_counters(struct api_metrics *m);

/* The worker of slot is, or is no longer, handling a request. The master
 * clears the slot of a worker that died (it may have died busy). */
void api_metrics_set_busy(struct api_metrics *m, size_t slot, bool busy);
size_t api_metrics_worker_slots(const struct api_metrics *m);

/* The page, Prometheus' text format; workers: how many worker processes
 * the master has now. */
void api_metrics_write(const struct api_metrics *m, size_t workers, struct buf *out);

#endif
