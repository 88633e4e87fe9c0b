/*
 * A worker process: opens its own database connection after fork, then
 * serves FastCGI requests on the shared listening socket until told to
 * stop or until it has served max_requests. Each request flows one way:
 * read, check version, route, resolve the caller (one query), count against
 * the rate limit, authorise, handle, add common headers, respond, log.
 */
#ifndef DEPLOY_WORKER_H
#define DEPLOY_WORKER_H

#include <signal.h>
#include <sys/types.h>

#include "api_config.h"
#include "api_metrics.h"
#include "ratelimit.h"

/* What a worker sends its master once it is ready to accept: a real-time
 * signal, so that several at once are all delivered, each with its
 * sender's pid. */
#define WORKER_READY_SIGNAL SIGRTMIN

/* What the master hands a worker it forks: the listening socket and the
 * shared memory. */
struct worker_shared {
	int listen_fd;
	struct ratelimit_table *ratelimit;
	struct api_metrics *metrics;  /* NULL: no metrics */
	size_t metrics_slot;          /* where it says it is busy */
};

/* Runs in the child after fork; returns the process exit status. When
 * master_pid exits, the worker finishes the request in hand and exits
 * (the kernel tells it: PR_SET_PDEATHSIG), so that a new master can take
 * over the socket. */
int worker_run(const struct api_config *config, const struct worker_shared *shared,
    pid_t master_pid);

#endif
