/*
 * Sends deliveries concurrently with libcurl's multi interface, on the
 * dispatcher's one thread: POST, no redirects followed, one timeout for the
 * whole request, TLS verified unless the hook says insecure_ssl, no signal
 * handlers (CURLOPT_NOSIGNAL). Connections to a receiver are kept and
 * reused across deliveries. The caller waits in dispatch_http_wait(),
 * which also watches its own descriptors (signals, LISTEN socket).
 */
#ifndef DEPLOY_DISPATCH_HTTP_H
#define DEPLOY_DISPATCH_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dispatch_job.h"
#include "util.h"

struct dispatch_transfer;
struct hook_target_policy;

struct dispatch_http {
	void *multi;                          /* CURLM */
	long timeout_ms;
	struct dispatch_transfer **active;    /* in flight, unordered */
	size_t nactive;
	size_t capacity;
	void **idle;                          /* CURL handles kept for reuse */
	size_t nidle;
	const struct hook_target_policy *targets; /* --hook-allowed-hosts */
	const char *ca_file;                  /* --ca-file; NULL: libcurl's bundle */
};

/* Called for each finished job: status, headers, body excerpt, error and
 * duration are filled. The callee takes the job. */
typedef void (*dispatch_http_done_fn)(void *arg, struct dispatch_job *job);

/* capacity: most transfers at once (the dispatcher's --concurrency);
 * targets: where requests may go, checked for every connection; ca_file:
 * the CAs receivers are verified against (NULL or "": libcurl's default). */
int dispatch_http_init(struct dispatch_http *h, int64_t timeout_seconds, size_t capacity,
    const struct hook_target_policy *targets, const char *ca_file) MUST_CHECK;

/* 0 when job's URL may be sent to (its host by name or as an address; the
 * addresses it resolves to are checked at connect time); -1 with
 * job->error saying why not. */
int dispatch_http_check_target(const struct dispatch_http *h, struct dispatch_job *job) MUST_CHECK;
/* Aborts what is in flight (their jobs are freed) and frees everything. */
void dispatch_http_release(struct dispatch_http *h);

/* Starts the request built in job (dispatch_request_build()). On -1 the
 * job was not started and job->error says why; the caller keeps it. */
int dispatch_http_start(struct dispatch_http *h, struct dispatch_job *job) MUST_CHECK;

/* Sleeps until a transfer needs attention, one of fds is ready for its
 * events (its revents set; an fd of -1 is skipped), or timeout_ms passes
 * (curl's own timers may shorten it). At most 4 fds. */
void dispatch_http_wait(struct dispatch_http *h, struct pollfd *fds, size_t nfds, int timeout_ms);

/* Moves transfers along; hands each finished job to done. */
void dispatch_http_perform(struct dispatch_http *h, dispatch_http_done_fn done, void *arg);

/* Stops every transfer in flight and hands its job back through fn
 * without an outcome (shutdown: the caller releases their leases). */
void dispatch_http_abort_all(struct dispatch_http *h, dispatch_http_done_fn fn, void *arg);

static inline size_t
dispatch_http_in_flight(const struct dispatch_http *h)
{
	return h->nactive;
}

#endif
