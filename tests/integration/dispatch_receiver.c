#include "config.h"

#include "dispatch_receiver.h"

#include <arpa/inet.h>
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util.h"

#define MAX_CONNS 2048
#define MAX_NAMES 64

struct conn {
	int fd;
	struct buf in;
	struct buf out;
	size_t out_off;
	int64_t respond_at_ns;   /* 0: nothing scheduled */
	bool hung;
	bool close_after;
};

struct name_state {
	char name[64];
	long counted;            /* requests that matched, for fail=K */
};

static struct name_state names[MAX_NAMES];
static size_t nnames;
static uint64_t rng = 0x853c49e6748fea9bULL;

static double
wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct name_state *
name_state(const char *name)
{
	for (size_t i = 0; i < nnames; i++)
		if (strcmp(names[i].name, name) == 0)
			return &names[i];
	if (nnames == MAX_NAMES)
		return &names[0];
	snprintf(names[nnames].name, sizeof(names[nnames].name), "%s", name);
	return &names[nnames++];
}

/* The value of option key in query ("a=1&b=%22x%22"), percent-decoded,
 * or NULL; newly allocated. */
static char *
query_value(const char *query, const char *key)
{
	size_t klen = strlen(key);

	while (query && *query) {
		size_t len = strcspn(query, "&");

		if (len > klen && strncmp(query, key, klen) == 0 && query[klen] == '=') {
			struct buf v = BUF_INIT;

			buf_append(&v, "", 0);
			for (size_t i = klen + 1; i < len; i++) {
				if (query[i] == '%' && i + 2 < len) {
					char hex[3] = { query[i + 1], query[i + 2], 0 };

					buf_putc(&v, (char)strtol(hex, NULL, 16));
					i += 2;
				} else {
					buf_putc(&v, query[i]);
				}
			}
			return buf_detach(&v);
		}
		query += len;
		if (*query == '&')
			query++;
	}
	return NULL;
}

static long
query_long(const char *query, const char *key, long def)
{
	char *v = query_value(query, key);
	long n = v ? atol(v) : def;

	free(v);
	return n;
}

static void
record(int log_fd, const char *path, const char *name, int status, json_t *headers,
    const char *body, size_t body_len)
{
	json_t *rec = json_object();
	json_t *b = json_stringn(body, body_len);
	char *line;

	json_object_set_new(rec, "t", json_real(wall_clock()));
	json_object_set_new(rec, "name", json_string(name));
	json_object_set_new(rec, "path", json_string(path));
	json_object_set_new(rec, "status", json_integer(status));
	json_object_set(rec, "headers", headers);
	json_object_set_new(rec, "body", b ? b : json_string("<not utf-8>"));
	line = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	if (line) {
		struct buf out = BUF_INIT;

		buf_printf(&out, "%s\n", line);
		/* One write per record: O_APPEND keeps lines whole. */
		if (write(log_fd, out.data, out.len) != (ssize_t)out.len)
			_exit(3);
		buf_release(&out);
		free(line);
	}
}

/* Handles one complete request at the start of c->in, if there is one;
 * returns the number of bytes it took, 0 when more must be read. */
static size_t
handle_request(struct conn *c, int log_fd)
{
	char *end = strstr(c->in.data, "\r\n\r\n");
	size_t header_len, body_len = 0;
	char method[16], target[2048];
	char *line, *name, *query;
	json_t *headers;
	const char *body;
	int status;
	long fail, fail_pct, delay_ms;
	char *match, *retry_after;
	bool fails = false;

	if (end == NULL)
		return 0;
	header_len = (size_t)(end - c->in.data) + 4;
	headers = json_object();
	line = strstr(c->in.data, "\r\n") + 2;
	while (line < end) {
		char *eol = strstr(line, "\r\n");
		char *colon = memchr(line, ':', (size_t)(eol - line));

		if (colon) {
			char *n = xstrndup(line, (size_t)(colon - line));
			char *v = colon + 1;

			while (*v == ' ')
				v++;
			for (char *p = n; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			json_object_set_new(headers, n, json_stringn(v, (size_t)(eol - v)));
			if (strcmp(n, "content-length") == 0)
				body_len = (size_t)atol(v);
			free(n);
		}
		line = eol + 2;
	}
	if (c->in.len < header_len + body_len) {
		json_decref(headers);
		return 0;
	}
	body = c->in.data + header_len;
	if (sscanf(c->in.data, "%15s %2047s", method, target) != 2) {
		json_decref(headers);
		c->close_after = true;
		return c->in.len;
	}
	name = xstrndup(target + 1, strcspn(target + 1, "?"));
	query = strchr(target, '?');
	query = query ? query + 1 : NULL;

	status = (int)query_long(query, "status", 204);
	fail = query_long(query, "fail", 0);
	fail_pct = query_long(query, "fail_pct", 0);
	delay_ms = query_long(query, "delay_ms", 0);
	match = query_value(query, "match");
	retry_after = query_value(query, "retry_after");
	if (match == NULL || memmem(body, body_len, match, strlen(match)) != NULL) {
		struct name_state *st = name_state(name);

		if (st->counted++ < fail)
			fails = true;
	}
	if (fail_pct > 0) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		if ((long)(rng % 100) < fail_pct)
			fails = true;
	}
	if (fails)
		status = (int)query_long(query, "fail_status", 500);
	if (query_long(query, "hang", 0)) {
		c->hung = true;
		status = 0;
	} else {
		/* 204 and 304 have no body; anything else says "ok". */
		bool no_body = status == 204 || status == 304;

		bool flood = query_long(query, "flood", 0) != 0;
		size_t body_out = no_body ? 0 : (flood ? FLOOD_BODY : 2);

		buf_printf(&c->out, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n", status, body_out);
		if (fails && retry_after)
			buf_printf(&c->out, "Retry-After: %s\r\n", retry_after);
		for (int i = 0; flood && i < FLOOD_HEADERS; i++) {
			buf_printf(&c->out, "X-Flood-%d: ", i);
			for (int k = 0; k < FLOOD_HEADER_BYTES; k++)
				buf_putc(&c->out, '\xff');
			buf_puts(&c->out, "\r\n");
		}
		buf_puts(&c->out, "X-Receiver: test\r\n\r\n");
		for (size_t k = 0; flood && k < body_out; k++)
			buf_putc(&c->out, '\xff');
		if (!no_body && !flood)
			buf_puts(&c->out, "ok");
		c->respond_at_ns = monotonic_ns() + delay_ms * 1000000LL;
	}
	record(log_fd, target, name, status, headers, body, body_len);
	json_decref(headers);
	free(name);
	free(match);
	free(retry_after);
	return header_len + body_len;
}

/* Answers the whole requests waiting in c->in, one after the other, while
 * no answer is still being written and c is not made to hang. */
static void
answer_waiting(struct conn *c, int log_fd)
{
	while (!c->hung && c->out.len == c->out_off && c->in.len > 0) {
		size_t used = handle_request(c, log_fd);

		if (used == 0)
			break;
		memmove(c->in.data, c->in.data + used, c->in.len - used);
		c->in.len -= used;
		c->in.data[c->in.len] = '\0';
	}
}

static void
conn_close(struct conn *c)
{
	close(c->fd);
	buf_release(&c->in);
	buf_release(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void
serve(int listen_fd, int log_fd)
{
	static struct conn conns[MAX_CONNS];
	static struct pollfd pfds[MAX_CONNS + 1];

	for (size_t i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	for (;;) {
		int64_t now = monotonic_ns();
		int timeout = 1000;
		nfds_t n = 0;

		pfds[n].fd = listen_fd;
		pfds[n].events = POLLIN;
		n++;
		for (size_t i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			bool sending = c->out.len > c->out_off && c->respond_at_ns <= now;

			if (c->fd < 0)
				continue;
			if (c->out.len > c->out_off && c->respond_at_ns > now) {
				int ms = (int)((c->respond_at_ns - now) / 1000000LL) + 1;

				timeout = ms < timeout ? ms : timeout;
			}
			pfds[n].fd = c->fd;
			pfds[n].events = (short)(sending ? POLLOUT : POLLIN);
			n++;
		}
		{
			/* Map poll slots back to connections. */
			static size_t slot_conn[MAX_CONNS + 1];
			nfds_t k = 1;

			for (size_t i = 0; i < MAX_CONNS; i++)
				if (conns[i].fd >= 0)
					slot_conn[k++] = i;
			for (k = 0; k < n; k++)
				pfds[k].revents = 0;
			if (poll(pfds, n, timeout) < 0 && errno != EINTR)
				_exit(4);
			if (pfds[0].revents & POLLIN) {
				for (;;) {
					int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
					size_t i;

					if (fd < 0)
						break;
					for (i = 0; i < MAX_CONNS && conns[i].fd >= 0; i++)
						;
					if (i == MAX_CONNS) {
						close(fd);
						continue;
					}
					conns[i].fd = fd;
				}
			}
			for (k = 1; k < n; k++) {
				struct conn *c = &conns[slot_conn[k]];

				if (pfds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
					char chunk[65536];
					ssize_t got = read(c->fd, chunk, sizeof(chunk));

					if (got <= 0) {
						if (got == 0 || (errno != EAGAIN && errno != EINTR))
							conn_close(c);
						continue;
					}
					buf_append(&c->in, chunk, (size_t)got);
					answer_waiting(c, log_fd);
				} else if (pfds[k].revents & POLLOUT) {
					ssize_t put = write(c->fd, c->out.data + c->out_off, c->out.len - c->out_off);

					if (put < 0 && errno != EAGAIN) {
						conn_close(c);
						continue;
					}
					if (put > 0)
						c->out_off += (size_t)put;
					if (c->out_off == c->out.len) {
						buf_reset(&c->out);
						c->out_off = 0;
						c->respond_at_ns = 0;
						if (c->close_after) {
							conn_close(c);
							continue;
						}
						/* A request that arrived while we answered. */
						answer_waiting(c, log_fd);
					}
				}
			}
		}
	}
}

void
receiver_start(struct receiver *r)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, one = 1, write_fd;
	static unsigned counter;

	memset(r, 0, sizeof(*r));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1024), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	r->port = ntohs(sa.sin_port);
	snprintf(r->log_path, sizeof(r->log_path), "%s/log/receiver-%d-%u.jsonl", env_or_die("DEPLOY_DATA"),
	    (int)getpid(), ++counter);
	write_fd = open(r->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	ck_assert_int_ge(write_fd, 0);
	r->log_fd = open(r->log_path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(r->log_fd, 0);
	r->records = json_array();
	r->pid = fork();
	ck_assert_int_ge(r->pid, 0);
	if (r->pid == 0) {
		/* Dies with the test, even when an assertion ends it early. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_IGN);
		serve(fd, write_fd);
		_exit(0);
	}
	close(fd);
	close(write_fd);
}

void
receiver_stop(struct receiver *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	if (r->log_fd > 0)
		close(r->log_fd);
	buf_release(&r->partial);
	json_decref(r->records);
	memset(r, 0, sizeof(*r));
}

size_t
receiver_poll(struct receiver *r)
{
	char chunk[65536];
	ssize_t got;

	while ((got = read(r->log_fd, chunk, sizeof(chunk))) > 0) {
		size_t start = 0;

		buf_append(&r->partial, chunk, (size_t)got);
		for (size_t i = 0; i < r->partial.len; i++) {
			json_t *rec;

			if (r->partial.data[i] != '\n')
				continue;
			rec = json_loadb(r->partial.data + start, i - start, 0, NULL);
			ck_assert_ptr_nonnull(rec);
			json_array_append_new(r->records, rec);
			start = i + 1;
		}
		memmove(r->partial.data, r->partial.data + start, r->partial.len - start);
		r->partial.len -= start;
		r->partial.data[r->partial.len] = '\0';
	}
	return json_array_size(r->records);
}

char *
receiver_url(const struct receiver *r, const char *name, const char *query)
{
	struct buf url = BUF_INIT;

	buf_printf(&url, "http://127.0.0.1:%d/%s", r->port, name);
	if (query && *query)
		buf_printf(&url, "?%s", query);
	return buf_detach(&url);
}
