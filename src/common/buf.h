/*
 * A growable byte buffer. Invariants: data is NULL only while cap is 0;
 * otherwise data[len] is '\0'. buf_release() frees and leaves an
 * empty, reusable buffer; buf_detach() hands the string to the caller.
 */
#ifndef DEPLOY_BUF_H
#define DEPLOY_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Makes room for extra more bytes and the terminating NUL. */
void buf_grow(struct buf *b, size_t extra);

/* Inline: responses are built from thousands of short appends. */
static inline void
buf_append(struct buf *b, const void *data, size_t len)
{
	if (b->len + len >= b->cap)
		buf_grow(b, len);
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static inline void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

static inline void
buf_putc(struct buf *b, char c)
{
	if (b->len + 1 >= b->cap)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* v in decimal. */
void buf_put_int(struct buf *b, int64_t v);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* Appends s percent-encoded for a URL query component. */
void buf_put_urlencoded(struct buf *b, const char *s);
/* The contents as a C string; "" for an empty buffer. */
const char *buf_cstr(const struct buf *b);
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b);

#endif
