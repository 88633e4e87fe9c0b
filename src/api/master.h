/*
 * The supervising process: it holds the listening socket and the shared
 * rate-limit table, forks the workers and keeps their number up. Signals
 * are never handled asynchronously here: they stay blocked and the loop
 * takes them with sigtimedwait(), so no work happens in a signal handler.
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

#include "ratelimit.h"
#include "api_config.h"

/* Returns when stopped: 0, or 1 when a worker crashed meanwhile (died of a
 * signal other than SIGKILL, SIGTERM, SIGINT or SIGQUIT, or failed after it
 * became ready, as the sanitizers make a process fail). */
int master_run(const struct api_config *config, int listen_fd, struct ratelimit_table *ratelimit);

#endif
