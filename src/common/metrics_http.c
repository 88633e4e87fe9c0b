#include "config.h"

#include "metrics_http.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "prom.h"

#define METRICS_HTTP_BACKLOG 16

void
metrics_http_init(struct metrics_http *s)
{
	*s = (struct metrics_http){ .listen_fd = -1, .conn_fd = -1 };
}

/* "host:port", "[v6]:port" or ":port" into its parts (host "" for any). */
static int
split_host_port(const char *host_port, struct buf *host, const char **port)
{
	const char *colon = strrchr(host_port, ':');
	const char *h = host_port;
	size_t hlen;

	if (colon == NULL || colon[1] == '\0')
		return -1;
	hlen = (size_t)(colon - host_port);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	buf_append(host, h, hlen);
	*port = colon + 1;
	return 0;
}

static int
listen_on(const struct addrinfo *ai)
{
	int one = 1;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, METRICS_HTTP_BACKLOG) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* The socket listening on host_port; -1 with the reason in error. */
static int
listen_address(const char *host_port, struct buf *error)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *found = NULL;
	struct buf host = BUF_INIT;
	const char *port;
	int rc, fd = -1, saved = 0;

	if (split_host_port(host_port, &host, &port) < 0) {
		buf_printf(error, "metrics address '%s' is not HOST:PORT", host_port);
		buf_release(&host);
		return -1;
	}
	rc = getaddrinfo(host.len > 0 ? buf_cstr(&host) : NULL, port, &hints, &found);
	buf_release(&host);
	if (rc != 0) {
		buf_printf(error, "metrics address '%s': %s", host_port, gai_strerror(rc));
		return -1;
	}
	for (const struct addrinfo *ai = found; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = listen_on(ai);
		if (fd < 0)
			saved = errno;
	}
	freeaddrinfo(found);
	if (fd < 0)
		buf_printf(error, "cannot listen for metrics on %s: %s", host_port, strerror(saved));
	return fd;
}

int
metrics_http_open(struct metrics_http *s, const char *host_port, metrics_render_fn render,
    void *render_arg)
{
	struct buf error = BUF_INIT;

	metrics_http_init(s);
	if (host_port[0] == '\0')
		return 0;
	s->listen_fd = listen_address(host_port, &error);
	if (s->listen_fd < 0) {
		log_error("%s", buf_cstr(&error));
		buf_release(&error);
		return -1;
	}
	s->render = render;
	s->render_arg = render_arg;
	log_info("metrics on http://%s/metrics", host_port);
	return 0;
}

static void
close_connection(struct metrics_http *s)
{
	if (s->conn_fd >= 0)
		close(s->conn_fd);
	s->conn_fd = -1;
	buf_release(&s->in);
	buf_release(&s->out);
	s->out_sent = 0;
}

void
metrics_http_close(struct metrics_http *s)
{
	close_connection(s);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	metrics_http_init(s);
}

void
metrics_http_pollfd(const struct metrics_http *s, struct pollfd *pfd)
{
	pfd->revents = 0;
	if (s->conn_fd < 0) {
		pfd->fd = s->listen_fd;
		pfd->events = POLLIN;
	} else {
		pfd->fd = s->conn_fd;
		pfd->events = s->out.len > 0 ? POLLOUT : POLLIN;
	}
}

int
metrics_http_timeout_ms(const struct metrics_http *s, int64_t now_ns)
{
	int64_t left;

	if (s->conn_fd < 0)
		return -1;
	left = s->deadline_ns - now_ns;
	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

static void
accept_one(struct metrics_http *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	s->conn_fd = fd;
	s->deadline_ns = monotonic_ns() + METRICS_HTTP_TIMEOUT_MS * 1000000LL;
}

/* The request line's target is /metrics (a query string aside). */
static bool
asks_for_metrics(const char *request)
{
	static const char prefix[] = "GET /metrics";
	char after;

	if (strncmp(request, prefix, sizeof(prefix) - 1) != 0)
		return false;
	after = request[sizeof(prefix) - 1];
	return after == ' ' || after == '?';
}

static void
prepare_answer(struct metrics_http *s)
{
	struct buf body = BUF_INIT;
	bool found = asks_for_metrics(buf_cstr(&s->in));

	if (found)
		s->render(s->render_arg, &body);
	else
		buf_puts(&body, "404 page not found: metrics are at /metrics\n");
	buf_printf(&s->out, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", found ? "200 OK" : "404 Not Found",
	    found ? PROM_CONTENT_TYPE : "text/plain; charset=utf-8", body.len);
	buf_append(&s->out, body.data, body.len);
	buf_release(&body);
}

static bool
request_complete(const struct buf *in)
{
	return in->len > 0 && (strstr(in->data, "\r\n\r\n") != NULL || strstr(in->data, "\n\n") != NULL);
}

/* Reads what has arrived; false when the connection is done for. */
static bool
read_request(struct metrics_http *s)
{
	char chunk[2048];

	for (;;) {
		size_t room = METRICS_HTTP_REQUEST_MAX - s->in.len;
		ssize_t n = read(s->conn_fd, chunk, room < sizeof(chunk) ? room : sizeof(chunk));

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		if (n == 0)
			return false;
		/* A NUL would hide the rest from the string searches. */
		if (memchr(chunk, '\0', (size_t)n) != NULL)
			return false;
		buf_append(&s->in, chunk, (size_t)n);
		if (request_complete(&s->in)) {
			prepare_answer(s);
			return true;
		}
		if (s->in.len >= METRICS_HTTP_REQUEST_MAX)
			return false;
	}
}

/* Reads what the client sent past its request (a body), so that closing
 * with it unread does not reset the connection before the answer
 * arrives. What comes later is not waited for. */
static void
drain_input(int fd)
{
	char chunk[2048];

	for (int i = 0; i < 32 && read(fd, chunk, sizeof(chunk)) > 0; i++)
		continue;
}

/* Writes what the socket takes; false when done or broken. */
static bool
write_answer(struct metrics_http *s)
{
	while (s->out_sent < s->out.len) {
		ssize_t n = send(s->conn_fd, s->out.data + s->out_sent, s->out.len - s->out_sent,
		    MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		s->out_sent += (size_t)n;
	}
	shutdown(s->conn_fd, SHUT_WR);
	drain_input(s->conn_fd);
	return false;
}

void
metrics_http_step(struct metrics_http *s, short revents)
{
	bool keep;

	if (s->listen_fd < 0)
		return;
	if (s->conn_fd < 0) {
		if (revents & POLLIN)
			accept_one(s);
		return;
	}
	if (monotonic_ns() >= s->deadline_ns) {
		close_connection(s);
		return;
	}
	if ((revents & (POLLIN | POLLOUT | POLLERR | POLLHUP)) == 0)
		return;
	keep = s->out.len == 0 ? read_request(s) : true;
	if (keep && s->out.len > 0)
		keep = write_answer(s);
	if (!keep)
		close_connection(s);
}
