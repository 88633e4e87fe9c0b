/*
 * One request, start to end, in the order it flows: read (request.c),
 * version (media.c), route (router.c over routes.c), authenticate
 * (authenticate.c), handle (handlers/), common headers (ETag, media type,
 * request id), send (response.c), and one access log line.
 */
#ifndef DEPLOY_SERVE_H
#define DEPLOY_SERVE_H

#include <fcgiapp.h>

#include "api_config.h"
#include "db.h"
#include "ratelimit.h"

void serve_request(FCGX_Request *fcgx, struct db *db, const struct api_config *config,
    struct ratelimit_table *table);

#endif
