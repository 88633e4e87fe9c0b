#include "config.h"

#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "buf.h"

#define API_PREFIX "/api/v3"

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
percent_decode(const char *s, size_t n, bool plus_is_space)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n) {
				free(out);
				return NULL;
			}
			hi = hex_value(s[i + 1]);
			lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space) {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Keeps name=value when both decode and name is UTF-8 (anything else
 * names no parameter of ours); a value that is not UTF-8 is kept out and
 * its name remembered for the 422. Takes both strings. */
static void
add_query_param(struct request *req, char *name, char *value, size_t *cap)
{
	if (name == NULL || value == NULL || *name == '\0' || !utf8_is_valid(name, strlen(name))) {
		free(name);
		free(value);
		return;
	}
	if (!utf8_is_valid(value, strlen(value))) {
		if (req->invalid_query_name == NULL)
			req->invalid_query_name = name;
		else
			free(name);
		free(value);
		return;
	}
	if (req->nquery == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		req->query = xrealloc(req->query, *cap * sizeof(*req->query));
	}
	req->query[req->nquery].name = name;
	req->query[req->nquery].value = value;
	req->nquery++;
}

static void
parse_query(struct request *req, const char *qs)
{
	size_t cap = 0;

	while (*qs) {
		size_t len = strcspn(qs, "&");
		size_t name_len = strcspn(qs, "=");

		if (name_len > len)
			name_len = len;
		add_query_param(req, percent_decode(qs, name_len, true),
		    name_len < len ? percent_decode(qs + name_len + 1, len - name_len - 1, true)
				   : xstrdup(""), &cap);
		qs += len;
		if (*qs == '&')
			qs++;
	}
}

static void
parse_path(struct request *req)
{
	const char *p = req->raw_path;
	size_t plen = strlen(API_PREFIX);

	if (strncmp(p, API_PREFIX, plen) == 0 && (p[plen] == '/' || p[plen] == '\0')) {
		req->api_prefix = true;
		p += plen;
	}
	req->path = xstrdup(*p ? p : "/");
	p = req->path;
	while (*p == '/')
		p++;
	while (*p) {
		size_t len = strcspn(p, "/");
		char *seg;

		if (req->nsegments == REQUEST_MAX_SEGMENTS) {
			req->path_invalid = req->path_too_long = true;
			return;
		}
		seg = percent_decode(p, len, false);
		/* A segment that is not UTF-8 names nothing (and PostgreSQL
		 * would refuse it as a parameter). */
		if (seg == NULL || !utf8_is_valid(seg, strlen(seg))) {
			free(seg);
			seg = xstrdup(REQUEST_UNDECODABLE);
			req->path_invalid = req->path_undecodable = true;
		}
		req->segments[req->nsegments++] = seg;
		p += len;
		/* A trailing slash is ignored, as GitHub does. */
		while (*p == '/')
			p++;
	}
}

static bool
is_decimal_port(const char *s)
{
	int64_t port;

	return parse_int64(s, 1, 65535, &port) == 0;
}

/* Host comes from the client: only characters that can be in a host name
 * or address may reach a URL or a Link header. */
static bool
host_is_safe(const char *h)
{
	if (h == NULL || *h == '\0' || strlen(h) > 255)
		return false;
	for (; *h; h++) {
		char c = *h;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

/*
 * The scheme and host of the URLs in responses and in the webhook bodies
 * rendered with them: --base-url when set; else, with trust_proxy, the
 * client's Host and X-Forwarded-Proto (a proxy in front sets them); else
 * only what the server's own configuration says (nginx's SERVER_NAME,
 * SERVER_PORT and HTTPS), since a client's Host would otherwise end up in
 * stored payloads that receivers follow with their credentials.
 */
static void
build_urls(struct request *req, const char *base_url, bool trust_proxy)
{
	char **env = req->fcgx->envp;
	struct buf web = BUF_INIT;
	struct buf api = BUF_INIT;

	if (base_url && *base_url) {
		size_t n = strlen(base_url);

		while (n > 0 && base_url[n - 1] == '/')
			n--;
		buf_append(&web, base_url, n);
	} else {
		const char *https = FCGX_GetParam("HTTPS", env);
		const char *proto = trust_proxy ? FCGX_GetParam("HTTP_X_FORWARDED_PROTO", env) : NULL;
		const char *host = trust_proxy ? FCGX_GetParam("HTTP_HOST", env) : NULL;
		const char *port = NULL;
		bool secure = (https && *https && strcmp(https, "off") != 0) ||
		    (proto && strcmp(proto, "https") == 0);

		if (!host_is_safe(host)) {
			host = FCGX_GetParam("SERVER_NAME", env);
			port = FCGX_GetParam("SERVER_PORT", env);
		}
		if (!host_is_safe(host)) {
			host = "localhost";
			port = NULL;
		}
		buf_printf(&web, "%s://%s", secure ? "https" : "http", host);
		/* The port the server listens on, unless the scheme implies it. */
		if (port && is_decimal_port(port) && strcmp(port, secure ? "443" : "80") != 0)
			buf_printf(&web, ":%s", port);
	}
	buf_append(&api, web.data, web.len);
	if (req->api_prefix)
		buf_puts(&api, API_PREFIX);
	req->web_url = buf_detach(&web);
	req->api_url = buf_detach(&api);
}

/* xorshift64*, seeded once per process from the kernel: request ids need
 * to be unique, not secret, and a syscall per request is not free. */
static uint64_t
next_random(void)
{
	static uint64_t state;

	if (state == 0 && (random_bytes(&state, sizeof(state)) < 0 || state == 0))
		state = (uint64_t)monotonic_ns() | 1;
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ULL;
}

static void
make_request_id(struct request *req)
{
	static unsigned counter;
	const uint64_t groups[] = {
		(unsigned)process_id() & 0xffff, (req->started_ns / 1000) & 0xffff, ++counter,
		(uint64_t)(req->started_ns / 1000000000) & 0xffffffff, next_random() >> 32,
	};
	const size_t widths[] = { 4, 4, 1, 1, 8 };
	char *out = req->request_id;

	/* GitHub's shape: five colon-separated hex groups, "%04X:%04X:%X:%X:%08X". */
	for (size_t i = 0; i < 5; i++) {
		if (i > 0)
			*out++ = ':';
		out += format_hex(groups[i], widths[i], true, out);
	}
	*out = '\0';
}

enum request_read_result
request_read(struct request *req, FCGX_Request *fcgx, int64_t body_max, const char *base_url,
    bool trust_proxy)
{
	char **env = fcgx->envp;
	const char *uri, *qs, *content_length;
	int64_t declared = 0;
	bool too_long = false;

	memset(req, 0, sizeof(*req));
	req->fcgx = fcgx;
	req->started_ns = monotonic_ns();
	make_request_id(req);
	req->method = FCGX_GetParam("REQUEST_METHOD", env);
	if (req->method == NULL)
		req->method = "GET";
	uri = FCGX_GetParam("REQUEST_URI", env);
	if (uri == NULL)
		uri = "/";
	req->raw_path = xstrndup(uri, strcspn(uri, "?"));
	parse_path(req);
	qs = strchr(uri, '?');
	if (qs && strlen(qs + 1) > REQUEST_QUERY_MAX)
		too_long = true;
	else if (qs)
		parse_query(req, qs + 1);

	req->authorization = FCGX_GetParam("HTTP_AUTHORIZATION", env);
	req->accept = FCGX_GetParam("HTTP_ACCEPT", env);
	req->api_version = FCGX_GetParam("HTTP_X_GITHUB_API_VERSION", env);
	req->if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", env);
	req->remote_addr = FCGX_GetParam("REMOTE_ADDR", env);
	build_urls(req, base_url, trust_proxy);
	if (too_long)
		return REQUEST_QUERY_TOO_LONG;

	content_length = FCGX_GetParam("CONTENT_LENGTH", env);
	if (content_length && *content_length &&
	    parse_int64(content_length, 0, INT64_MAX, &declared) < 0)
		return REQUEST_BODY_INCOMPLETE;
	if (declared > body_max)
		return REQUEST_BODY_TOO_LARGE;
	req->body = xmalloc((size_t)declared + 1);
	while (req->body_len < (size_t)declared) {
		int n = FCGX_GetStr(req->body + req->body_len, (int)((size_t)declared - req->body_len),
		    fcgx->in);

		if (n <= 0)
			break;
		req->body_len += (size_t)n;
	}
	req->body[req->body_len] = '\0';
	return req->body_len == (size_t)declared ? REQUEST_OK : REQUEST_BODY_INCOMPLETE;
}

void
request_release(struct request *req)
{
	free(req->raw_path);
	free(req->path);
	for (size_t i = 0; i < req->nsegments; i++)
		free(req->segments[i]);
	for (size_t i = 0; i < req->nquery; i++) {
		free(req->query[i].name);
		free(req->query[i].value);
	}
	free(req->query);
	free(req->invalid_query_name);
	free(req->body);
	free(req->api_url);
	free(req->web_url);
	memset(req, 0, sizeof(*req));
}

const char *
request_query(const struct request *req, const char *name)
{
	for (size_t i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].name, name) == 0)
			return req->query[i].value;
	return NULL;
}
