/*
 * Writing a deployment, for REST's POST .../deployments and GraphQL's
 * createDeployment alike, once its ref is resolved and any auto-merge is
 * done: the one statement that judges the environment's branch policies,
 * checks the commit's statuses against required_contexts and writes the
 * row and its event, which deploy-dispatch renders (store_deployments.h).
 */
#ifndef DEPLOY_DEPLOYMENT_CREATE_H
#define DEPLOY_DEPLOYMENT_CREATE_H

#include "bodies.h"
#include "deployment_checks.h"
#include "handler.h"
#include "store_deployments.h"

/*
 * Creates dr's deployment of the commit in d->sha, its ref as policy says
 * (deployment_policy_ref). d is filled with borrowed fields (of dr and
 * who) and, when created, its id. Nothing is written (d->id 0) when the
 * environment's policies refuse the ref (*refused: the environment's name,
 * to free) or contexts failed (in failing). 0, or -1 with err filled.
 */
int deployment_create(struct handler_ctx *ctx, const struct author *who,
    const struct deployment_request *dr, struct deployment *d, const struct policy_ref *policy,
    struct context_failures *failing, char **refused, struct db_error *err) MUST_CHECK;

#endif
