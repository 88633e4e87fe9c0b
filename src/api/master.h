/*
 * The supervising process: it holds the listening socket and the shared
 * rate-limit table, forks the workers and keeps their number up, and
 * serves GET /metrics on --metrics-listen from the same loop (never a
 * request of the API). Signals are never handled asynchronously here:
 * they stay blocked and the loop reads them from a signalfd, polled with
 * the metrics socket, so no work happens in a signal handler.
 *
 *   SIGCHLD          reap; replace a worker that exited: at once if it
 *                    had become ready (WORKER_READY_SIGNAL), after a
 *                    growing delay if it died starting up, so that a
 *                    crash loop cannot spin
 *   SIGTERM/SIGINT   graceful stop: workers finish the request in hand,
 *                    then exit; after shutdown_timeout they are killed
 *   SIGHUP           graceful reload: a new set of workers starts, then
 *                    the old ones drain; the socket is never closed, so no
 *                    queued request is lost
 */
#ifndef DEPLOY_MASTER_H
#define DEPLOY_MASTER_H

#include "api_config.h"
#include "api_metrics.h"
#include "ratelimit.h"

/* Returns when stopped: 0, or 1 when a worker crashed meanwhile (died of a
 * signal other than SIGKILL, SIGTERM, SIGINT or SIGQUIT, or failed after it
 * became ready, as the sanitizers make a process fail). */
int master_run(const struct api_config *config, int listen_fd, struct ratelimit_table *ratelimit,
    struct api_metrics *metrics);

#endif
