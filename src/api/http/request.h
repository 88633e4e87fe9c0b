/*
 * One HTTP request as nginx handed it over FastCGI: method, decoded path
 * segments, decoded query parameters, the headers the API reads, and the
 * body (read whole, up to the configured limit). Everything here is
 * untrusted; lengths are known and nothing is copied into fixed buffers.
 */
#ifndef DEPLOY_REQUEST_H
#define DEPLOY_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define REQUEST_MAX_SEGMENTS 16
/* The longest query string served (bytes as sent). Link headers repeat the
 * query in up to four URLs, each byte re-encoded in at most three: with
 * this bound they fit the FastCGI header buffer that nginx/deploy-api.conf.in
 * sizes (32 KiB). GitHub's own filters are far shorter. */
#define REQUEST_QUERY_MAX 2048

/* libfcgi's request, opaque outside request.c and the server (api/). */
struct FCGX_Request;

struct query_param {
	char *name;
	char *value;
};

/* What a path segment that does not decode to UTF-8 is kept as: a control
 * character, which no name of ours may hold, so it matches nothing a
 * handler looks up; only routes that say so are routed with it. */
#define REQUEST_UNDECODABLE "\x01"

struct request {
	struct FCGX_Request *fcgx;
	const char *method;        /* borrowed from the FastCGI params */
	char *raw_path;            /* as sent, without the query string */
	char *path;                /* raw_path without the /api/v3 prefix */
	bool api_prefix;           /* the client used /api/v3 */
	char *segments[REQUEST_MAX_SEGMENTS]; /* decoded path segments */
	size_t nsegments;
	bool path_invalid;         /* bad percent-encoding or too many segments */
	bool path_too_long;        /* more than REQUEST_MAX_SEGMENTS: segments holds the first ones */
	bool path_undecodable;     /* a segment not percent-encoded UTF-8, kept as REQUEST_UNDECODABLE */
	struct query_param *query;
	size_t nquery;
	char *invalid_query_name;  /* the first parameter whose value was not UTF-8 */
	char *body;
	size_t body_len;
	/* Headers, borrowed; NULL when absent. */
	const char *authorization;
	const char *accept;
	const char *api_version;
	const char *if_none_match;
	const char *remote_addr;
	/* Absolute URL prefixes for links in responses (see request_read). */
	char *api_url;             /* e.g. http://host/api/v3 or http://host */
	char *web_url;             /* e.g. http://host */
	char request_id[48];
	int64_t started_ns;
};

enum request_read_result {
	REQUEST_OK = 0,
	REQUEST_BODY_TOO_LARGE,
	REQUEST_BODY_INCOMPLETE,
	REQUEST_QUERY_TOO_LONG,    /* over REQUEST_QUERY_MAX: 414, nothing parsed */
};

/* Fills req from the accepted FastCGI request; the body is read only when
 * its declared length is within body_max. URLs start with base_url when it
 * is set, else with the server's name and port, or, with trust_proxy, with
 * the request's Host and X-Forwarded-Proto. */
enum request_read_result request_read(struct request *req, struct FCGX_Request *fcgx, int64_t body_max,
    const char *base_url, bool trust_proxy);
void request_release(struct request *req);

/* The value of query parameter name, or NULL. */
const char *request_query(const struct request *req, const char *name);

/* Percent-decodes s (length n) into a new string; '+' is a space only when
 * plus_is_space. NULL on malformed escapes or an embedded NUL. */
char *percent_decode(const char *s, size_t n, bool plus_is_space);

#endif
