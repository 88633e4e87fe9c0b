/*
 * The response being built for one request: status, extra headers and a
 * JSON body. Handlers fill it; the worker adds the common headers (rate
 * limit, request id, media type, ETag) and sends it once at the end.
 */
#ifndef DEPLOY_RESPONSE_H
#define DEPLOY_RESPONSE_H

#include <stdbool.h>

#include "buf.h"
#include "jsonw.h"

#define DOCS_ROOT "https://docs.github.com/rest"

/* libfcgi's output stream, opaque outside response.c and the server (api/). */
struct FCGX_Stream;

struct response {
	int status;
	struct buf headers;  /* "Name: value\r\n" lines */
	struct buf body;
	bool has_body;
	const char *documentation_url; /* for error bodies; set by the router */
};

void response_init(struct response *res);
void response_release(struct response *res);

/* Adds a header. The value must not come unchecked from a client: CR and
 * LF are replaced so no header can ever be split. */
void response_header(struct response *res, const char *name, const char *value);
void response_header_int(struct response *res, const char *name, int64_t value);

/* Sets the status and starts a JSON body: w writes into it. */
void response_json_begin(struct response *res, int status, struct jsonw *w);
/* Status with no body (204, 304). */
void response_empty(struct response *res, int status);

/* GitHub's error body: {"message", "documentation_url"}. */
void response_error(struct response *res, int status, const char *message);
/* 422 {"message": "Validation Failed", "errors": [...], ...}; errors_json
 * is the errors array as JSON text. */
void response_validation_failed(struct response *res, const char *errors_json);
/* The same shape with another status and message (409 with errors, ...). */
void response_error_with_errors(struct response *res, int status, const char *message,
    const char *errors_json);

/* 304 when the body's ETag matches if_none_match; adds the ETag header. */
void response_apply_etag(struct response *res, const char *if_none_match);

/* Writes status line, headers and body to the FastCGI stream. */
int response_send(struct response *res, struct FCGX_Stream *out) MUST_CHECK;

const char *http_reason(int status);

#endif
