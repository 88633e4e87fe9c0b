/*
 * The list parameters: the input is a list's query string (per_page, page,
 * the last_id cursor of a rel="next" link, and any other parameter, which
 * the Link header carries over). request_read() decodes it, as for any
 * request; pagination_parse() reads it and pagination_link() writes the
 * Link header for a short and a long list, and for an uncounted one with
 * and without more items.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fake_fcgi.h"
#include "fuzz.h"
#include "pagination.h"
#include "request.h"

#define LIST_PATH "REQUEST_URI=/api/v3/repos/octo/hello/deployments?"

/* The Link header of a list of total items (-1: uncounted, more says
 * whether items follow): one header line, whatever the query held (every
 * parameter carried over is percent-encoded). */
static void
check_link(struct handler_ctx *ctx, const struct page_request *page, int64_t total, bool more,
    int64_t last_id)
{
	struct response res;
	const char *headers, *end;

	response_init(&res);
	ctx->res = &res;
	pagination_link(ctx, page, total, more, last_id);
	headers = buf_cstr(&res.headers);
	end = strstr(headers, "\r\n");
	fuzz_require(end == NULL || end + 2 == headers + res.headers.len);
	/* Each URL, between < and >, holds nothing that could end it early. */
	for (const char *url = strchr(headers, '<'); url; url = strchr(end, '<')) {
		end = strchr(url, '>');
		fuzz_require(end != NULL && strcspn(url + 1, " \"<>") == (size_t)(end - url - 1));
	}
	response_release(&res);
	ctx->res = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf uri = BUF_INIT;
	char *env[2];
	struct fake_fcgi f;
	struct request req;
	struct handler_ctx ctx = { .req = &req };
	struct page_request page;

	buf_puts(&uri, LIST_PATH);
	buf_append(&uri, data, strnlen((const char *)data, size));
	env[0] = uri.data;
	env[1] = NULL;
	fake_fcgi_init(&f, env, NULL, 0);
	fuzz_require(request_read(&req, &f.req, 0, NULL, true) == REQUEST_OK);
	ctx.urls.api = req.api_url;
	ctx.urls.web = req.web_url;

	pagination_parse(&req, &page);
	fuzz_require(page.per_page >= 1 && page.per_page <= PAGINATION_MAX_PER_PAGE);
	fuzz_require(page.page >= 1 && page.before_id >= 0);
	fuzz_require(pagination_offset(&page) >= 0);
	check_link(&ctx, &page, 3, false, 7);
	check_link(&ctx, &page, INT32_MAX, false, 1);
	check_link(&ctx, &page, -1, true, 5);
	check_link(&ctx, &page, -1, false, 0);

	request_release(&req);
	buf_release(&uri);
	return 0;
}
