#include "config.h"

#include "base64.h"

#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
emit(struct base64_writer *e, int nchars)
{
	char quad[4] = { '=', '=', '=', '=' };

	for (int i = 0; i < nchars; i++)
		quad[i] = alphabet[(e->pending >> (18 - 6 * i)) & 63];
	buf_append(e->out, quad, 4);
}

void
base64_feed(struct base64_writer *e, const void *data, size_t len)
{
	const unsigned char *s = data;

	for (size_t i = 0; i < len; i++) {
		e->pending = (e->pending << 8) | s[i];
		if (++e->npending == 3) {
			emit(e, 4);
			e->pending = 0;
			e->npending = 0;
		}
	}
}

void
base64_finish(struct base64_writer *e)
{
	if (e->npending == 0)
		return;
	e->pending <<= 8 * (3 - e->npending);
	emit(e, e->npending + 1);
	e->pending = 0;
	e->npending = 0;
}

int
base64_decode(const char *s, size_t len, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *p = s[i] != '\0' ? strchr(alphabet, s[i]) : NULL;

		if (p == NULL)
			return -1;
		acc = (acc << 6) | (unsigned)(p - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}
