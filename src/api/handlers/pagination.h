/*
 * GitHub's page-numbered lists: per_page (default 30, at most 100) and page
 * (default 1), and one Link header with rel prev, next, last and first,
 * absolute URLs that keep every other query parameter.
 *
 * Following rel="next" costs the same on page 1 and page 1,000: the next
 * link carries a keyset hint, last_id=<the last id on this page>, and the
 * store then reads "id < last_id" instead of skipping rows with OFFSET. A
 * client that asks for page=N itself still gets page N.
 */
#ifndef DEPLOY_PAGINATION_H
#define DEPLOY_PAGINATION_H

#include <stdbool.h>
#include <stdint.h>

#include "handler.h"

#define PAGINATION_DEFAULT_PER_PAGE 30
#define PAGINATION_MAX_PER_PAGE 100
#define PAGINATION_HINT "last_id"

struct page_request {
	int64_t per_page;
	int64_t page;
	int64_t before_id;  /* keyset hint; 0 when absent */
};

void pagination_parse(const struct request *req, struct page_request *out);

/* Rows to skip: 0 when the keyset hint is used. */
int64_t pagination_offset(const struct page_request *p);

/* Adds the Link header (none when everything fits on one page). total is
 * the number of items in the whole list, or -1 for a list the store does
 * not count: then more says whether items follow this page, and the header
 * has no rel="last" (clients then follow rel="next" until it is gone, as
 * they do on GitHub's uncounted lists). last_id is the id of the last item
 * on this page (0 when the page is empty). */
void pagination_link(struct handler_ctx *ctx, const struct page_request *p, int64_t total,
    bool more, int64_t last_id);

/* A 200 list response: the Link header, then the body's JSON array begun
 * in w (the handler writes the items and ends it). */
void pagination_reply_begin(struct handler_ctx *ctx, const struct page_request *p, int64_t total,
    bool more, int64_t last_id, struct jsonw *w);

/* Rows to skip by the page number alone, for the lists read oldest first,
 * which take no keyset hint. */
int64_t pagination_page_offset(const struct page_request *p);

/* A 200 list wrapped in an object, as GitHub's environment lists are: the
 * Link header, then {"total_count": total, "<key>": [ begun in w; the
 * handler writes the items, then pagination_object_reply_end. */
void pagination_object_reply_begin(struct handler_ctx *ctx, const struct page_request *p,
    int64_t total, const char *key, struct jsonw *w);
void pagination_object_reply_end(struct jsonw *w);

/* The id of the last item of a store list, 0 when it is empty. */
#define PAGINATION_LAST_ID(list) ((list).count ? (list).items[(list).count - 1].id : 0)

#endif
