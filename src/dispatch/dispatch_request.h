/*
 * The request GitHub would send for a delivery: the body (the payload as
 * is for content type json, "payload=<urlencoded payload>" for form), and
 * the headers in GitHub's order, signed over the exact body bytes when the
 * hook has a secret. No I/O here: dispatch_http.c sends what this builds.
 */
#ifndef DEPLOY_DISPATCH_REQUEST_H
#define DEPLOY_DISPATCH_REQUEST_H

#include "dispatch_job.h"
#include "util.h"

/* "GitHub-Hookshot/<short id>", the id derived from this build's version. */
const char *dispatch_request_user_agent(void);

/* Fills job->body and job->request_headers from the claimed fields; -1
 * (with job->error set) when the delivery cannot be sent as stored. */
int dispatch_request_build(struct dispatch_job *job) MUST_CHECK;

#endif
