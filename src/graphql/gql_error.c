#include "config.h"

#include "gql_error.h"

#include <stdarg.h>

void
gql_error_set(struct gql_error *err, struct gql_location loc, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&err->message);
	va_start(ap, fmt);
	buf_vprintf(&err->message, fmt, ap);
	va_end(ap);
	err->loc = loc;
}

void
gql_error_put_quoted(struct buf *b, const char *s, size_t len)
{
	static const char named[] = "\a\b\t\n\v\f\r\x1b";
	static const char letters[] = "abtnvfre";

	buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *n = c != '\0' ? strchr(named, c) : NULL;

		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (n) {
			buf_putc(b, '\\');
			buf_putc(b, letters[n - named]);
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\u%04X", c);
		} else if (c == '#' && i + 1 < len && strchr("{$@", s[i + 1]) && s[i + 1] != '\0') {
			/* Ruby escapes what would start an interpolation. */
			buf_puts(b, "\\#");
		} else {
			buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
}

void
gql_error_release(struct gql_error *err)
{
	buf_release(&err->message);
	err->loc = (struct gql_location){ 0, 0 };
}
