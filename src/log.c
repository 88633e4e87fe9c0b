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
	struct tm tm;
	char ts[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "ts=%s.%03dZ level=%s role=%s pid=%d", ts, (int)(tv.tv_usec / 1000),
	    level, log_role, (int)getpid());
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

static void
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
