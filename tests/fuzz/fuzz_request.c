/*
 * The FastCGI request reader and what reads its headers before a handler
 * runs: the input is the FastCGI parameters, one NAME=value a line (as
 * nginx sends REQUEST_URI, HTTP_HOST, CONTENT_LENGTH, ...), then an empty
 * line and the body. request_read() parses the path, the query and the
 * headers; the API version, the media type, the credentials and the route
 * table then read them as serve_request() does.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "fake_fcgi.h"
#include "fuzz.h"
#include "media.h"
#include "request.h"
#include "routes.h"

/* Larger than any seed's declared length, small enough to allocate per run. */
#define FUZZ_BODY_MAX 65536

/* Characters that would let a client's Host break out of a URL or a Link. */
#define URL_BREAKERS " \t\r\n<>\"'\\,;"

/* Splits text into its lines, in place: the NULL-terminated parameters. */
static char **
split_lines(char *text)
{
	size_t n = 0;
	char **lines;

	for (const char *p = text; *p; p++)
		n += *p == '\n';
	lines = xmalloc((n + 2) * sizeof(*lines));
	n = 0;
	while (*text) {
		lines[n++] = text;
		text += strcspn(text, "\n");
		if (*text)
			*text++ = '\0';
	}
	lines[n] = NULL;
	return lines;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	char *end = strstr(text, "\n\n");
	const char *body = end ? end + 2 : "";
	char **env;
	struct fake_fcgi f;
	struct request req;
	struct buf media = BUF_INIT;
	struct route_match match;
	char hash[65];

	if (end)
		*end = '\0';
	env = split_lines(text);
	fake_fcgi_init(&f, env, body, strlen(body));
	if (request_read(&req, &f.req, FUZZ_BODY_MAX, NULL, true) == REQUEST_OK)
		fuzz_require(req.body[req.body_len] == '\0');
	fuzz_require(strcspn(req.web_url, URL_BREAKERS) == strlen(req.web_url));
	fuzz_require(strncmp(req.api_url, req.web_url, strlen(req.web_url)) == 0);
	if (media_api_version_supported(req.api_version))
		fuzz_require(media_api_version_selected(req.api_version) != NULL);
	media_type_served(req.accept, &media);
	(void)credentials_parse(req.authorization, hash);
	if (!req.path_invalid &&
	    router_match(routes, routes_count, req.method, req.segments, req.nsegments, &match) == 0)
		fuzz_require(match.route != NULL);
	(void)request_query(&req, "per_page");

	buf_release(&media);
	request_release(&req);
	free(env);
	free(text);
	return 0;
}
