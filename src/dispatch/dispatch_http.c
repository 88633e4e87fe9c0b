#include "config.h"

#include "dispatch_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "hook_target.h"

#include "log.h"

struct dispatch_transfer {
	CURL *easy;
	struct curl_slist *headers;
	struct dispatch_job *job;
	size_t index;                 /* in h->active */
	const struct hook_target_policy *targets;
	bool allowed_by_name;         /* a name entry of the list vouches for the host */
	char *refused_address;        /* the address a connection was refused to */
	char errbuf[CURL_ERROR_SIZE];
};

int
dispatch_http_init(struct dispatch_http *h, int64_t timeout_seconds, size_t capacity,
    const struct hook_target_policy *targets, const char *ca_file)
{
	memset(h, 0, sizeof(*h));
	h->targets = targets;
	h->ca_file = ca_file && *ca_file ? ca_file : NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	h->multi = curl_multi_init();
	if (h->multi == NULL)
		return -1;
	h->timeout_ms = (long)(timeout_seconds * 1000);
	h->capacity = capacity;
	h->active = xcalloc(capacity, sizeof(*h->active));
	h->idle = xcalloc(capacity, sizeof(*h->idle));
	/* Keep a connection per transfer slot: receivers are few and busy, so
	 * reusing their connections saves a handshake per delivery. */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)capacity);
	return 0;
}

static void
transfer_free(struct dispatch_http *h, struct dispatch_transfer *t)
{
	curl_multi_remove_handle(h->multi, t->easy);
	curl_slist_free_all(t->headers);
	if (h->nidle < h->capacity) {
		curl_easy_reset(t->easy);
		h->idle[h->nidle++] = t->easy;
	} else {
		curl_easy_cleanup(t->easy);
	}
	/* Swap-remove from the active list. */
	h->active[t->index] = h->active[--h->nactive];
	h->active[t->index]->index = t->index;
	free(t->refused_address);
	free(t);
}

void
dispatch_http_release(struct dispatch_http *h)
{
	while (h->nactive > 0) {
		struct dispatch_transfer *t = h->active[0];

		dispatch_job_free(t->job);
		transfer_free(h, t);
	}
	for (size_t i = 0; i < h->nidle; i++)
		curl_easy_cleanup(h->idle[i]);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	free(h->active);
	free(h->idle);
	memset(h, 0, sizeof(*h));
	curl_global_cleanup();
}

/* One response header line: kept in job->response_headers, bounded. A
 * status line starts a new response (after an interim 1xx one). */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct dispatch_job *job = arg;
	size_t len = size * n;
	size_t name_len, value_start, value_end;
	char *name, *value;
	json_t *old;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		json_object_clear(job->response_headers);
		job->response_header_bytes = 0;
		return len;
	}
	name_len = 0;
	while (name_len < len && data[name_len] != ':' && data[name_len] != '\r' && data[name_len] != '\n')
		name_len++;
	if (name_len == 0 || name_len == len || data[name_len] != ':')
		return len;
	value_start = name_len + 1;
	while (value_start < len && (data[value_start] == ' ' || data[value_start] == '\t'))
		value_start++;
	value_end = len;
	while (value_end > value_start && (data[value_end - 1] == '\r' || data[value_end - 1] == '\n' ||
	    data[value_end - 1] == ' ' || data[value_end - 1] == '\t'))
		value_end--;
	if (json_object_size(job->response_headers) >= DISPATCH_HEADERS_MAX)
		return len;
	/* Counted as stored: cleaning may turn one stray byte into three. */
	name = dispatch_text_clean(data, name_len);
	value = dispatch_text_clean(data + value_start, value_end - value_start);
	if (job->response_header_bytes + strlen(name) + strlen(value) > DISPATCH_HEADER_BYTES_MAX) {
		free(name);
		free(value);
		return len;
	}
	job->response_header_bytes += strlen(name) + strlen(value);
	old = json_object_get(job->response_headers, name);
	if (old != NULL) {
		/* A repeated header is one list, as RFC 9110 allows. */
		struct buf joined = BUF_INIT;

		buf_printf(&joined, "%s, %s", json_string_value(old), value);
		json_object_set_new(job->response_headers, name, json_string(buf_cstr(&joined)));
		buf_release(&joined);
	} else {
		json_object_set_new(job->response_headers, name, json_string(value));
	}
	free(name);
	free(value);
	return len;
}

/* The body: the first bytes are kept, the rest is read and dropped so the
 * connection can be reused. */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct dispatch_job *job = arg;
	size_t len = size * n;

	if (job->response_body.len < DISPATCH_BODY_EXCERPT) {
		size_t room = DISPATCH_BODY_EXCERPT - job->response_body.len;

		buf_append(&job->response_body, data, len < room ? len : room);
	}
	return len;
}

/*
 * Every address curl is about to connect to, after its own resolution, is
 * checked against --hook-allowed-hosts: a name that resolved to a public
 * address when the hook was made may resolve to 127.0.0.1 now (DNS
 * rebinding). A refused one is never connected to.
 */
static curl_socket_t
open_allowed_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct dispatch_transfer *t = arg;
	char text[INET6_ADDRSTRLEN] = "?";

	(void)purpose;
	if (t->allowed_by_name || hook_target_allows_address(t->targets, &address->addr))
		return socket(address->family, address->socktype, address->protocol);
	if (address->family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&address->addr)->sin_addr, text,
		    sizeof(text));
	else if (address->family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&address->addr)->sin6_addr, text,
		    sizeof(text));
	free(t->refused_address);
	t->refused_address = xstrdup(text);
	return CURL_SOCKET_BAD;
}

int
dispatch_http_check_target(const struct dispatch_http *h, struct dispatch_job *job)
{
	struct buf host = BUF_INIT;
	struct buf why = BUF_INIT;
	int rc = -1;

	switch (hook_target_check_url(h->targets, job->url, false, &host, NULL)) {
	case HOOK_URL_ALLOWED:
		rc = 0;
		break;
	case HOOK_URL_MALFORMED:
		buf_puts(&why, "not sent: the URL is not http(s)://host");
		break;
	case HOOK_URL_CREDENTIALS:
		buf_puts(&why, "not sent: the URL has a user name or password");
		break;
	case HOOK_URL_HOST_REFUSED:
		buf_printf(&why, "not sent: the host %s is not allowed (--hook-allowed-hosts)",
		    buf_cstr(&host));
		break;
	}
	if (rc < 0)
		job->error = buf_detach(&why);
	buf_release(&why);
	buf_release(&host);
	return rc;
}

static double
wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
dispatch_http_start(struct dispatch_http *h, struct dispatch_job *job)
{
	struct dispatch_transfer *t;
	const char *name;
	json_t *value;

	if (h->nactive == h->capacity) {
		job->error = xstrdup("too many transfers in flight");
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	t->job = job;
	t->targets = h->targets;
	(void)hook_target_check_url(h->targets, job->url, false, NULL, &t->allowed_by_name);
	t->easy = h->nidle > 0 ? h->idle[--h->nidle] : curl_easy_init();
	if (t->easy == NULL) {
		free(t);
		job->error = xstrdup("cannot create a curl handle");
		return -1;
	}
	json_object_foreach(job->request_headers, name, value) {
		struct buf line = BUF_INIT;

		buf_printf(&line, "%s: %s", name, json_string_value(value));
		t->headers = curl_slist_append(t->headers, buf_cstr(&line));
		buf_release(&line);
	}
	/* curl would otherwise wait up to a second for "100 Continue" before
	 * sending a body over 1 KiB; GitHub sends no Expect either. */
	t->headers = curl_slist_append(t->headers, "Expect:");
	json_decref(job->response_headers);
	job->response_headers = json_object();

	curl_easy_setopt(t->easy, CURLOPT_URL, job->url);
	curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, job->body.data);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)job->body.len);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYPEER, job->insecure_ssl ? 0L : 1L);
	curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYHOST, job->insecure_ssl ? 0L : 2L);
	if (h->ca_file)
		curl_easy_setopt(t->easy, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, job);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETFUNCTION, open_allowed_socket);
	curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETDATA, t);
	/* No proxy from the environment: a proxy would resolve and connect
	 * to the host itself, past the check above. */
	curl_easy_setopt(t->easy, CURLOPT_PROXY, "");

	job->started_at = wall_clock();
	job->started_ns = monotonic_ns();
	if (curl_multi_add_handle(h->multi, t->easy) != CURLM_OK) {
		curl_slist_free_all(t->headers);
		curl_easy_cleanup(t->easy);
		free(t);
		job->error = xstrdup("cannot add the transfer");
		return -1;
	}
	t->index = h->nactive;
	h->active[h->nactive++] = t;
	return 0;
}

void
dispatch_http_wait(struct dispatch_http *h, struct pollfd *fds, size_t nfds, int timeout_ms)
{
	struct curl_waitfd extra[4];
	int numfds = 0;
	unsigned n = 0;

	for (size_t i = 0; i < nfds && n < ARRAY_SIZE(extra); i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		extra[n].fd = fds[i].fd;
		extra[n].events = (short)(((fds[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
		    ((fds[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
		extra[n].revents = 0;
		n++;
	}
	if (curl_multi_poll(h->multi, extra, n, timeout_ms < 0 ? 0 : timeout_ms, &numfds) != CURLM_OK) {
		/* Only out of memory or a bad descriptor; do not spin on it. */
		struct timespec ts = { 0, 10 * 1000000L };

		nanosleep(&ts, NULL);
		return;
	}
	n = 0;
	for (size_t i = 0; i < nfds && n < ARRAY_SIZE(extra); i++) {
		if (fds[i].fd < 0)
			continue;
		fds[i].revents = (short)(((extra[n].revents & (CURL_WAIT_POLLIN | CURL_WAIT_POLLPRI)) ?
		    POLLIN : 0) | ((extra[n].revents & CURL_WAIT_POLLOUT) ? POLLOUT : 0));
		n++;
	}
}

/* Retry-After, by case-insensitive name. */
static const char *
response_header(const struct dispatch_job *job, const char *wanted)
{
	const char *name;
	json_t *value;

	json_object_foreach(job->response_headers, name, value)
		if (strcasecmp(name, wanted) == 0)
			return json_string_value(value);
	return NULL;
}

static void
transfer_finish(struct dispatch_transfer *t, CURLcode result)
{
	struct dispatch_job *job = t->job;
	curl_off_t total_us = 0;
	long status = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK && total_us > 0)
		job->duration_ms = (double)total_us / 1000.0;
	else
		job->duration_ms = (double)(monotonic_ns() - job->started_ns) / 1e6;
	if (result == CURLE_OK) {
		const char *retry_after;

		job->status = status;
		retry_after = response_header(job, "Retry-After");
		if (retry_after != NULL)
			job->retry_after_ms = dispatch_retry_after_parse(retry_after, (int64_t)time(NULL));
	} else {
		/* A response cut short (timeout while reading the body) is no
		 * response: only a complete 2xx counts as delivered. */
		job->status = 0;
		if (t->refused_address) {
			struct buf why = BUF_INIT;

			buf_printf(&why, "not sent: the address %s is not allowed (--hook-allowed-hosts)",
			    t->refused_address);
			job->error = buf_detach(&why);
		} else {
			job->error = xstrdup(t->errbuf[0] ? t->errbuf : curl_easy_strerror(result));
		}
	}
}

void
dispatch_http_perform(struct dispatch_http *h, dispatch_http_done_fn done, void *arg)
{
	int running = 0;
	int left = 0;
	CURLMsg *msg;

	curl_multi_perform(h->multi, &running);
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct dispatch_transfer *t = NULL;
		struct dispatch_job *job;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		transfer_finish(t, msg->data.result);
		job = t->job;
		transfer_free(h, t);
		done(arg, job);
	}
}

void
dispatch_http_abort_all(struct dispatch_http *h, dispatch_http_done_fn fn, void *arg)
{
	while (h->nactive > 0) {
		struct dispatch_transfer *t = h->active[h->nactive - 1];
		struct dispatch_job *job = t->job;

		transfer_free(h, t);
		fn(arg, job);
	}
}
