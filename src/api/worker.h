/*
 * A worker process: opens its own database connection after fork, then
 * serves FastCGI requests on the shared listening socket until told to
 * stop or until it has served max_requests. Each request flows one way:
 * read, check version, route, resolve the caller (one query), count against
 * the rate limit, authorise, handle, add common headers, respond, log.
 */
#ifndef DEPLOY_WORKER_H
#define DEPLOY_WORKER_H

#include "ratelimit.h"
#include "api_config.h"

/* Runs in the child after fork; returns the process exit status. */
int worker_run(const struct api_config *config, int listen_fd, struct ratelimit_table *ratelimit);

#endif
