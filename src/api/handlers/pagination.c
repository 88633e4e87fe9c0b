#include "config.h"

#include "pagination.h"

#include <string.h>

#include "buf.h"

/* Pages beyond this are empty anyway; the bound keeps the offset's
 * arithmetic far from overflow. */
#define PAGINATION_MAX_PAGE 100000000

void
pagination_parse(const struct request *req, struct page_request *out)
{
	const char *per_page = request_query(req, "per_page");
	const char *page = request_query(req, "page");
	const char *hint = request_query(req, PAGINATION_HINT);
	int64_t v;

	out->per_page = PAGINATION_DEFAULT_PER_PAGE;
	out->page = 1;
	out->before_id = 0;
	if (per_page && parse_int64(per_page, INT64_MIN, INT64_MAX, &v) == 0 && v >= 1)
		out->per_page = v > PAGINATION_MAX_PER_PAGE ? PAGINATION_MAX_PER_PAGE : v;
	if (page && parse_int64(page, INT64_MIN, INT64_MAX, &v) == 0 && v >= 1)
		out->page = v > PAGINATION_MAX_PAGE ? PAGINATION_MAX_PAGE : v;
	/* The hint only makes sense past the first page. */
	if (hint && out->page > 1 && parse_int64(hint, 1, INT64_MAX, &v) == 0)
		out->before_id = v;
}

int64_t
pagination_offset(const struct page_request *p)
{
	return p->before_id ? 0 : (p->page - 1) * p->per_page;
}

/* url?other=params&page=N[&last_id=X] */
static void
put_page_url(struct buf *b, struct handler_ctx *ctx, int64_t page, int64_t before_id)
{
	const struct request *req = ctx->req;
	char sep = '?';

	buf_puts(b, "<");
	buf_puts(b, ctx->urls.api);
	for (size_t i = 0; i < req->nsegments; i++) {
		buf_putc(b, '/');
		buf_put_urlencoded(b, req->segments[i]);
	}
	for (size_t i = 0; i < req->nquery; i++) {
		const struct query_param *q = &req->query[i];

		if (strcmp(q->name, "page") == 0 || strcmp(q->name, PAGINATION_HINT) == 0)
			continue;
		buf_putc(b, sep);
		buf_put_urlencoded(b, q->name);
		buf_putc(b, '=');
		buf_put_urlencoded(b, q->value);
		sep = '&';
	}
	buf_printf(b, "%cpage=%lld", sep, (long long)page);
	if (before_id > 0)
		buf_printf(b, "&%s=%lld", PAGINATION_HINT, (long long)before_id);
	buf_puts(b, ">");
}

static void
put_rel(struct buf *b, struct handler_ctx *ctx, const char *rel, int64_t page, int64_t before_id)
{
	if (b->len > 0)
		buf_puts(b, ", ");
	put_page_url(b, ctx, page, before_id);
	buf_printf(b, "; rel=\"%s\"", rel);
}

void
pagination_link(struct handler_ctx *ctx, const struct page_request *p, int64_t total, bool more,
    int64_t last_id)
{
	bool counted = total >= 0;
	int64_t last_page = total > 0 ? (total + p->per_page - 1) / p->per_page : 1;
	bool next = counted ? p->page < last_page : more;
	struct buf link = BUF_INIT;

	if (!next && p->page == 1)
		return;
	/* Uncounted, a page past the end has no known last page to go back to. */
	if (p->page > 1)
		put_rel(&link, ctx, "prev", counted && p->page - 1 > last_page ? last_page : p->page - 1, 0);
	if (next)
		put_rel(&link, ctx, "next", p->page + 1, last_id);
	if (next && counted)
		put_rel(&link, ctx, "last", last_page, 0);
	if (p->page > 1)
		put_rel(&link, ctx, "first", 1, 0);
	response_header(ctx->res, "Link", link.data);
	buf_release(&link);
}

void
pagination_reply_begin(struct handler_ctx *ctx, const struct page_request *p, int64_t total,
    bool more, int64_t last_id, struct jsonw *w)
{
	pagination_link(ctx, p, total, more, last_id);
	response_json_begin(ctx->res, 200, w);
	jw_array_begin(w);
}

int64_t
pagination_page_offset(const struct page_request *p)
{
	return (p->page - 1) * p->per_page;
}

void
pagination_object_reply_begin(struct handler_ctx *ctx, const struct page_request *p,
    int64_t total, const char *key, struct jsonw *w)
{
	pagination_link(ctx, p, total, false, 0);
	response_json_begin(ctx->res, 200, w);
	jw_object_begin(w);
	jw_kv_int(w, "total_count", total);
	jw_key(w, key);
	jw_array_begin(w);
}

void
pagination_object_reply_end(struct jsonw *w)
{
	jw_array_end(w);
	jw_object_end(w);
}
