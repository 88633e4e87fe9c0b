/*
 * A growable byte buffer. Invariants: data is NULL only while cap is 0;
 * after any append, data[len] is '\0'. buf_release() frees and leaves an
 * empty, reusable buffer; buf_detach() hands the string to the caller.
 */
#ifndef DEPLOY_BUF_H
#define DEPLOY_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
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
