#include "config.h"

#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static const char *log_role = "deploy";

void
log_set_role(const char *role)
{
	log_role = role;
}

static bool
needs_quotes(const char *v)
{
	if (*v == '\0')
		return true;
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || *v == '"' || *v == '=' || *v == '\\' || *v == 0x7f)
			return true;
	return false;
}

void
log_put_field(struct buf *b, const char *key, const char *value)
{
	if (b->len > 0)
		buf_putc(b, ' ');
	buf_puts(b, key);
	buf_putc(b, '=');
	if (!needs_quotes(value)) {
		buf_puts(b, value);
		return;
	}
	buf_putc(b, '"');
	for (; *value; value++) {
		unsigned char c = (unsigned char)*value;

		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c == '\n') {
			buf_puts(b, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\x%02x", c);
		} else {
			buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
}

void
log_begin_line(struct buf *b, const char *level)
{
	struct timeval tv;
	char ts[ISO8601_LEN + 1];
	char millis[3];

	gettimeofday(&tv, NULL);
	format_iso8601((int64_t)tv.tv_sec, ts);
	format_decimal_padded((unsigned)(tv.tv_usec / 1000), 3, millis);
	/* ts=2026-11-21T06:01:00.123Z: the seconds' "Z" moves after the millis. */
	buf_puts(b, "ts=");
	buf_append(b, ts, ISO8601_LEN - 1);
	buf_putc(b, '.');
	buf_append(b, millis, 3);
	buf_puts(b, "Z level=");
	buf_puts(b, level);
	buf_puts(b, " role=");
	buf_puts(b, log_role);
	buf_puts(b, " pid=");
	buf_put_int(b, process_id());
}

void
log_write_line(struct buf *b)
{
	const char *p;
	size_t left;

	buf_putc(b, '\n');
	p = b->data;
	left = b->len;
	while (left > 0) {
		ssize_t n = write(STDERR_FILENO, p, left);

		if (n <= 0)
			break;
		p += n;
		left -= (size_t)n;
	}
}

/* A format function itself, so that clang's -Wformat-nonliteral accepts the
 * fmt it passes on (the callers' formats are checked at theirs). */
static void PRINTF_LIKE(2, 0)
log_message(const char *level, const char *fmt, va_list ap)
{
	struct buf line = BUF_INIT;
	struct buf msg = BUF_INIT;

	log_begin_line(&line, level);
	buf_vprintf(&msg, fmt, ap);
	log_put_field(&line, "msg", buf_cstr(&msg));
	log_write_line(&line);
	buf_release(&msg);
	buf_release(&line);
}

#define LOG_LEVEL_FUNCTION(name, level)          \
	void name(const char *fmt, ...)          \
	{                                        \
		va_list ap;                      \
		va_start(ap, fmt);               \
		log_message(level, fmt, ap);     \
		va_end(ap);                      \
	}

LOG_LEVEL_FUNCTION(log_info, "info")
LOG_LEVEL_FUNCTION(log_warn, "warn")
LOG_LEVEL_FUNCTION(log_error, "error")
