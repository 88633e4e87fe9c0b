/*
 * Creating a deployment status, for REST's POST .../statuses and GraphQL's
 * createDeploymentStatus alike: the event rendered around the status,
 * then one statement (sql/0003 deployment_status_create, the inactive
 * cascade included), again from a fresh read of the deployment when its
 * environment changed in between.
 */
#ifndef DEPLOY_STATUS_CREATE_H
#define DEPLOY_STATUS_CREATE_H

#include "bodies.h"
#include "handler.h"
#include "store_statuses.h"

/*
 * Creates sr's status on d. status is filled with borrowed fields (of sr,
 * the author, d or fresh) and, when *result is STATUS_CREATED, its id;
 * fresh (zeroed by the caller, released by it after status is used) holds
 * the deployment read again after a change. 0, or -1 with err filled.
 */
int status_create(struct handler_ctx *ctx, const struct author *who,
    const struct status_request *sr, const struct deployment *d, struct deployment *fresh,
    struct deployment_status *status, enum status_create_result *result,
    struct db_error *err) MUST_CHECK;

#endif
