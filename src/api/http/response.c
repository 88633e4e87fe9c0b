#include "config.h"

#include "response.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

void
response_init(struct response *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 500;
	res->documentation_url = DOCS_ROOT;
	/* Room for most responses at once, rather than a doubling per append. */
	buf_grow(&res->headers, 1024);
	buf_grow(&res->body, 8192);
}

void
response_release(struct response *res)
{
	buf_release(&res->headers);
	buf_release(&res->body);
}

void
response_header(struct response *res, const char *name, const char *value)
{
	buf_puts(&res->headers, name);
	buf_append(&res->headers, ": ", 2);
	/* A line break in a value would start a header of the caller's. */
	for (;;) {
		size_t run = strcspn(value, "\r\n");

		buf_append(&res->headers, value, run);
		value += run;
		if (*value == '\0')
			break;
		buf_putc(&res->headers, ' ');
		value++;
	}
	buf_append(&res->headers, "\r\n", 2);
}

void
response_header_int(struct response *res, const char *name, int64_t value)
{
	buf_puts(&res->headers, name);
	buf_append(&res->headers, ": ", 2);
	buf_put_int(&res->headers, value);
	buf_append(&res->headers, "\r\n", 2);
}

void
response_json_begin(struct response *res, int status, struct jsonw *w)
{
	res->status = status;
	res->has_body = true;
	buf_reset(&res->body);
	jw_init(w, &res->body);
}

void
response_empty(struct response *res, int status)
{
	res->status = status;
	res->has_body = false;
	buf_reset(&res->body);
}

void
response_error_with_errors(struct response *res, int status, const char *message,
    const char *errors_json)
{
	struct jsonw w;

	response_json_begin(res, status, &w);
	jw_object_begin(&w);
	jw_kv_string(&w, "message", message);
	if (errors_json) {
		jw_key(&w, "errors");
		jw_raw(&w, errors_json);
	}
	jw_kv_string(&w, "documentation_url", res->documentation_url);
	jw_object_end(&w);
}

void
response_error(struct response *res, int status, const char *message)
{
	response_error_with_errors(res, status, message, NULL);
}

void
response_validation_failed(struct response *res, const char *errors_json)
{
	response_error_with_errors(res, 422, "Validation Failed", errors_json);
}

static bool
etag_matches(const char *list, const char *etag)
{
	/* etag is W/"hex"; a client may send it weak or strong, alone or in
	 * a comma-separated list, or "*". */
	const char *strong = etag + 2;
	size_t strong_len = strlen(strong);

	while (*list) {
		size_t len;

		list += strspn(list, " \t,");
		len = strcspn(list, ",");
		while (len > 0 && (list[len - 1] == ' ' || list[len - 1] == '\t'))
			len--;
		if (len == 1 && list[0] == '*')
			return true;
		if (len > 2 && strncmp(list, "W/", 2) == 0) {
			if (len - 2 == strong_len && strncmp(list + 2, strong, strong_len) == 0)
				return true;
		} else if (len == strong_len && strncmp(list, strong, len) == 0) {
			return true;
		}
		list += len;
	}
	return false;
}

void
response_apply_etag(struct response *res, const char *if_none_match)
{
	const char *body = res->body.data ? res->body.data : "";
	uint64_t hash[2];
	char etag[3 + 32 + 2] = "W/\"";

	/* A weak validator: a 128-bit hash of the body. */
	hash128(body, res->body.len, hash);
	format_hex(hash[0], 16, false, etag + 3);
	format_hex(hash[1], 16, false, etag + 19);
	memcpy(etag + 35, "\"", 2);
	response_header(res, "ETag", etag);
	if (if_none_match && etag_matches(if_none_match, etag))
		response_empty(res, 304);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

int
response_send(struct response *res, struct FCGX_Stream *out)
{
	struct buf head = BUF_INIT;
	int rc = 0;

	buf_grow(&head, res->headers.len + 128);
	buf_puts(&head, "Status: ");
	buf_put_int(&head, res->status);
	buf_putc(&head, ' ');
	buf_puts(&head, http_reason(res->status));
	buf_append(&head, "\r\n", 2);
	buf_append(&head, res->headers.data, res->headers.len);
	if (res->has_body) {
		buf_puts(&head, "Content-Type: application/json; charset=utf-8\r\n");
		buf_puts(&head, "Content-Length: ");
		buf_put_int(&head, (int64_t)res->body.len);
		buf_append(&head, "\r\n", 2);
	}
	buf_append(&head, "\r\n", 2);
	if (FCGX_PutStr(head.data, (int)head.len, out) != (int)head.len)
		rc = -1;
	if (rc == 0 && res->has_body && res->body.len > 0 &&
	    FCGX_PutStr(res->body.data, (int)res->body.len, out) != (int)res->body.len)
		rc = -1;
	buf_release(&head);
	return rc;
}
