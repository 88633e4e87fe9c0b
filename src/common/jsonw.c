#include "config.h"

#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
jw_init(struct jsonw *w, struct buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/* Before any value or key: the comma that separates it from the last. */
static void
separate(struct jsonw *w)
{
	if (w->need_comma[w->depth])
		buf_putc(w->out, ',');
	w->need_comma[w->depth] = true;
}

static void value_start(struct jsonw *w);

static void
open_container(struct jsonw *w, char c)
{
	value_start(w);
	buf_putc(w->out, c);
	if (w->depth + 1 >= JSONW_MAX_DEPTH)
		abort(); /* our own output never nests this deep */
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void
close_container(struct jsonw *w, char c)
{
	buf_putc(w->out, c);
	w->depth--;
}

void
jw_object_begin(struct jsonw *w)
{
	open_container(w, '{');
}

void
jw_object_end(struct jsonw *w)
{
	close_container(w, '}');
}

void
jw_array_begin(struct jsonw *w)
{
	open_container(w, '[');
}

void
jw_array_end(struct jsonw *w)
{
	close_container(w, ']');
}

/* A value after a key takes no separator of its own: the key took it. */
static void
value_start(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	separate(w);
}

/* Bytes that JSON strings cannot hold as they are: controls, '"' and '\\'. */
static const bool needs_escape[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
	[0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

static void
put_escape(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
	size_t elen = 2;

	switch (c) {
	case '"': esc[1] = '"'; break;
	case '\\': esc[1] = '\\'; break;
	case '\n': esc[1] = 'n'; break;
	case '\r': esc[1] = 'r'; break;
	case '\t': esc[1] = 't'; break;
	case '\b': esc[1] = 'b'; break;
	case '\f': esc[1] = 'f'; break;
	default: elen = 6;
	}
	buf_append(b, esc, elen);
}

/* True when any of the eight bytes of x needs escaping (exact, no false
 * positives: the classic "has a byte less than n" and "has a zero byte"
 * tests, the latter on x xor '"' and x xor '\\'). */
static inline bool
word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) |
	    ((backslash - ones) & ~backslash)) & highs;
}

/* Bytes that are not UTF-8 become U+FFFD: JSON text must be UTF-8
 * (RFC 8259), and strict parsers reject the whole document otherwise. */
void
jw_escape_into(struct buf *b, const char *s, size_t n)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const uint64_t highs = 0x8080808080808080ULL;
	const unsigned char *p = (const unsigned char *)s;
	size_t start = 0, i = 0;

	while (i < n) {
		uint64_t word;
		size_t len;

		/* Eight ASCII bytes at a time while none needs escaping: most text. */
		if (n - i >= 8) {
			memcpy(&word, p + i, 8);
			if (!(word & highs) && !word_needs_escape(word)) {
				i += 8;
				continue;
			}
		}
		if (p[i] >= 0x80) {
			len = utf8_sequence_length(p + i, n - i);
			if (len > 0) {
				i += len;
				continue;
			}
			buf_append(b, s + start, i - start);
			buf_append(b, replacement, sizeof(replacement) - 1);
			start = ++i;
			continue;
		}
		if (needs_escape[p[i]]) {
			buf_append(b, s + start, i - start);
			put_escape(b, p[i]);
			start = i + 1;
		}
		i++;
	}
	buf_append(b, s + start, n - start);
}

void
jw_key(struct jsonw *w, const char *key)
{
	/* Keys are this program's own literals: nothing to escape. */
	separate(w);
	buf_putc(w->out, '"');
	buf_puts(w->out, key);
	buf_append(w->out, "\":", 2);
	w->after_key = true;
}

void
jw_stringn(struct jsonw *w, const char *s, size_t n)
{
	value_start(w);
	buf_putc(w->out, '"');
	jw_escape_into(w->out, s, n);
	buf_putc(w->out, '"');
}

void
jw_string(struct jsonw *w, const char *s)
{
	if (s == NULL)
		jw_null(w);
	else
		jw_stringn(w, s, strlen(s));
}

void
jw_int(struct jsonw *w, int64_t v)
{
	value_start(w);
	buf_put_int(w->out, v);
}

void
jw_double(struct jsonw *w, double v)
{
	value_start(w);
	buf_printf(w->out, "%.6g", v);
}

void
jw_bool(struct jsonw *w, bool v)
{
	value_start(w);
	buf_puts(w->out, v ? "true" : "false");
}

void
jw_null(struct jsonw *w)
{
	value_start(w);
	buf_puts(w->out, "null");
}

void
jw_raw(struct jsonw *w, const char *json)
{
	value_start(w);
	buf_puts(w->out, json);
}

void
jw_string_begin(struct jsonw *w)
{
	value_start(w);
	buf_putc(w->out, '"');
}

void
jw_string_part(struct jsonw *w, const char *s)
{
	jw_escape_into(w->out, s, strlen(s));
}

void
jw_string_int(struct jsonw *w, int64_t v)
{
	buf_put_int(w->out, v);
}

void
jw_string_end(struct jsonw *w)
{
	buf_putc(w->out, '"');
}

void
jw_kv_string(struct jsonw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void
jw_kv_int(struct jsonw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_kv_bool(struct jsonw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void
jw_kv_null(struct jsonw *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}

void
jw_kv_concat_escaped(struct jsonw *w, const char *key, const struct buf *escaped_prefix,
    const char *suffix)
{
	jw_key(w, key);
	jw_string_begin(w);
	buf_append(w->out, escaped_prefix->data, escaped_prefix->len);
	jw_escape_into(w->out, suffix, strlen(suffix));
	jw_string_end(w);
}

void
jw_kv_concat3(struct jsonw *w, const char *key, const char *base, const char *middle,
    const char *tail)
{
	jw_key(w, key);
	jw_string_begin(w);
	jw_string_part(w, base);
	jw_string_part(w, middle);
	jw_string_part(w, tail);
	jw_string_end(w);
}

void
jw_kv_concat(struct jsonw *w, const char *key, const char *prefix, const char *suffix)
{
	jw_kv_concat3(w, key, prefix, suffix, "");
}
