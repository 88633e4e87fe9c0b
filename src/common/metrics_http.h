/*
 * The metrics endpoint: a tiny HTTP/1.x server that answers GET /metrics
 * with what its render function writes (Prometheus' text format) and
 * every other request with 404. It runs inside a caller's poll loop and
 * never blocks it: the caller polls the one descriptor it is given, steps
 * the server when that descriptor is ready or the deadline passes, and
 * carries on. One connection at a time (the others wait in the backlog); a
 * request is read up to METRICS_HTTP_REQUEST_MAX bytes and must arrive,
 * like the answer must leave, within METRICS_HTTP_TIMEOUT_MS of the
 * connection, else it is closed.
 *
 * The address is one an operator chooses (--metrics-listen HOST:PORT),
 * separate from the API's, so that the public API location never serves it.
 */
#ifndef DEPLOY_METRICS_HTTP_H
#define DEPLOY_METRICS_HTTP_H

#include <poll.h>
#include <stdint.h>

#include "buf.h"
#include "util.h"

#define METRICS_HTTP_REQUEST_MAX 8192
#define METRICS_HTTP_TIMEOUT_MS 5000

/* Appends the metrics page to out. */
typedef void (*metrics_render_fn)(void *arg, struct buf *out);

struct metrics_http {
	int listen_fd;          /* -1: not serving */
	int conn_fd;            /* the connection in hand, -1: none */
	struct buf in;          /* its request so far */
	struct buf out;         /* its answer */
	size_t out_sent;
	int64_t deadline_ns;    /* monotonic: closed then */
	metrics_render_fn render;
	void *render_arg;
};

/* A server that serves nothing (listen_fd -1), for when the option is
 * absent; metrics_http_pollfd() then gives fd -1, which poll() skips. */
void metrics_http_init(struct metrics_http *s);

/* Listens on host:port ("127.0.0.1:9100", "[::1]:9100", ":9100" for
 * every address) and logs where; "" is no metrics (0, s as after
 * metrics_http_init()). -1, logged, when it cannot. */
int metrics_http_open(struct metrics_http *s, const char *host_port, metrics_render_fn render,
    void *render_arg) MUST_CHECK;

/* Closes the socket and the connection in hand; s is then as after
 * metrics_http_init(). Also what a forked child does with its copy. */
void metrics_http_close(struct metrics_http *s);

/* What to poll now: the connection in hand (for reading or writing), or
 * the listening socket. */
void metrics_http_pollfd(const struct metrics_http *s, struct pollfd *pfd);

/* Milliseconds until the connection's deadline; -1 when none. */
int metrics_http_timeout_ms(const struct metrics_http *s, int64_t now_ns);

/* Does what revents (of the pollfd from metrics_http_pollfd) allows:
 * accepts, reads, answers, closes; also closes a connection past its
 * deadline. Never blocks. */
void metrics_http_step(struct metrics_http *s, short revents);

#endif
