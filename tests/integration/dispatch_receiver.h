/*
 * A webhook receiver for the dispatcher's tests: a forked process with a
 * listening socket on 127.0.0.1 speaking enough HTTP/1.1 (keep-alive,
 * Content-Length bodies) to take deliveries, recording each request as
 * one JSON line in a file:
 *
 *   {"t": arrival (epoch seconds), "name": "...", "path": "...",
 *    "status": answer (0: none), "headers": {lower-case name: value},
 *    "body": "..."}
 *
 * What it answers depends on the request path, /NAME?option=value&...:
 *   status=S        the answer when it does not fail (default 204)
 *   fail=K          the first K requests to NAME (that match) fail
 *   match=TEXT      only requests whose body contains TEXT count for fail
 *   fail_pct=P      each request fails with probability P percent
 *   fail_status=S   the failing answer (default 500)
 *   retry_after=N   failing answers carry Retry-After: N
 *   delay_ms=D      answer after D ms (other connections are served meanwhile)
 *   hang=1          never answer
 *   flood=1         answer with FLOOD_HEADERS headers of FLOOD_HEADER_BYTES
 *                   bytes 0xff each and a body of FLOOD_BODY such bytes
 *                   (none for 204 and 304): more than may be stored
 */
#ifndef DEPLOY_TEST_DISPATCH_RECEIVER_H
#define DEPLOY_TEST_DISPATCH_RECEIVER_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "buf.h"

#define FLOOD_HEADERS 200
#define FLOOD_HEADER_BYTES 300
#define FLOOD_BODY 65536

struct receiver {
	pid_t pid;
	int port;
	char log_path[256];
	int log_fd;            /* the test's reading end */
	struct buf partial;    /* an unfinished last line */
	json_t *records;       /* every record read so far, in arrival order */
};

/* Forks the receiver; its log goes under DEPLOY_DATA/log. */
void receiver_start(struct receiver *r);
void receiver_stop(struct receiver *r);

/* Reads records written since the last call; returns the total count. */
size_t receiver_poll(struct receiver *r);

/* "http://127.0.0.1:PORT/NAME?QUERY" (query may be NULL), newly allocated. */
char *receiver_url(const struct receiver *r, const char *name, const char *query);

#endif
