/*
 * Standard base64 (RFC 4648, "+/" and "=" padding), as GitHub's node ids
 * and GraphQL cursors use it. The writer encodes bytes as they come,
 * three at a time, straight into a buffer.
 */
#ifndef DEPLOY_BASE64_H
#define DEPLOY_BASE64_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

struct base64_writer {
	struct buf *out;
	unsigned pending;
	int npending;
};

#define BASE64_WRITER_INIT(b) { (b), 0, 0 }

void base64_feed(struct base64_writer *e, const void *data, size_t len);
/* Writes the last group and its padding. */
void base64_finish(struct base64_writer *e);

/* The bytes that the len characters at s encode, appended to out;
 * padding may be left out. -1 for any other character or a length no
 * encoding has. */
int base64_decode(const char *s, size_t len, struct buf *out) MUST_CHECK;

#endif
