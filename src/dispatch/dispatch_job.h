/*
 * One claimed delivery on its way through the dispatcher: what the claim
 * returned (dispatch_store.c), the request built from it
 * (dispatch_request.c), what came back (dispatch_http.c) and the decision
 * (retry_schedule.c), until dispatch_store_finish() records it. A job owns
 * every string and JSON value it points to.
 */
#ifndef DEPLOY_DISPATCH_JOB_H
#define DEPLOY_DISPATCH_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "retry_schedule.h"

/* How much of a response body is kept for the deliveries API. */
#define DISPATCH_BODY_EXCERPT 4096
/* Response headers kept at most (count, then bytes of names and values). */
#define DISPATCH_HEADERS_MAX 64
#define DISPATCH_HEADER_BYTES_MAX 16384

struct dispatch_job {
	/* The delivery, as claimed. */
	int64_t id;
	int64_t hook_id;
	int64_t repository_id;
	int64_t deployment_id;       /* 0 when the delivery is unordered */
	int64_t event_seq;
	int64_t attempts;            /* including this one */
	int64_t claims;              /* the lease's token (delivery_queue.claims) */
	bool redelivery;
	char *guid;                  /* X-GitHub-Delivery */
	char *event;                 /* X-GitHub-Event */
	char *payload;               /* the JSON body, byte for byte */
	/* Its hook, as it is at claim time. */
	char *url;
	char *secret;                /* NULL or "": not signed */
	bool form;                   /* content_type form, else json */
	bool insecure_ssl;
	bool hook_active;

	/* The request. */
	struct buf body;             /* the exact bytes sent and signed */
	json_t *request_headers;     /* name -> value, in the order sent */

	/* The attempt. */
	double started_at;           /* wall clock, epoch seconds */
	int64_t started_ns;          /* monotonic */
	double duration_ms;
	long status;                 /* 0: no HTTP response */
	char *error;                 /* transport error; NULL when there was a response */
	json_t *response_headers;    /* name -> value */
	size_t response_header_bytes;
	struct buf response_body;    /* an excerpt */
	int64_t retry_after_ms;      /* -1: none */

	/* The decision. */
	enum dispatch_outcome outcome;
	int64_t delay_ms;
};

struct dispatch_job *dispatch_job_new(void);
void dispatch_job_free(struct dispatch_job *job);

/* A copy of s (len bytes) that is valid UTF-8 without NUL bytes, as
 * PostgreSQL text and JSON strings require: invalid sequences become
 * U+FFFD, NUL bytes are dropped. */
char *dispatch_text_clean(const char *s, size_t len);

#endif
