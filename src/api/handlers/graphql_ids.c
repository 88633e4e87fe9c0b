#include "config.h"

#include "graphql_ids.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base64.h"

#define CURSOR_PREFIX "cursor:v2:"
/* "2024-09-19T20:18:18+00:00" */
#define CURSOR_TIME_LEN 25

int
graphql_id_parse_text(const char *s, size_t len, char type[GRAPHQL_TYPE_NAME_MAX], struct buf *key)
{
	struct buf raw = BUF_INIT;
	const char *p;
	size_t n = 0, tlen;
	int rc = -1;

	if (base64_decode(s, len, &raw) < 0 || raw.len < 4 || raw.data[0] != '0')
		goto out;
	p = raw.data + 1;
	while (isdigit((unsigned char)*p) && n < GRAPHQL_TYPE_NAME_MAX)
		n = n * 10 + (size_t)(*p++ - '0');
	if (*p++ != ':' || n == 0 || n >= GRAPHQL_TYPE_NAME_MAX ||
	    (size_t)(p - raw.data) + n >= raw.len)
		goto out;
	for (tlen = 0; tlen < n; tlen++)
		if (!isalpha((unsigned char)p[tlen]))
			goto out;
	memcpy(type, p, n);
	type[n] = '\0';
	p += n;
	/* No NUL hidden in the key: it is compared as C text. */
	if (strlen(p) != raw.len - (size_t)(p - raw.data))
		goto out;
	buf_puts(key, p);
	rc = 0;
out:
	buf_release(&raw);
	return rc;
}

int
graphql_id_parse(const char *s, size_t len, char type[GRAPHQL_TYPE_NAME_MAX], int64_t *key)
{
	struct buf text = BUF_INIT;
	int rc = graphql_id_parse_text(s, len, type, &text);

	/* All digits: no sign or space either. */
	if (rc == 0 && (!isdigit((unsigned char)text.data[0]) ||
	    strspn(text.data, "0123456789") != text.len || parse_int64(text.data, 1, INT64_MAX, key) < 0))
		rc = -1;
	buf_release(&text);
	return rc;
}

/* A non-negative integer in MessagePack's smallest form. */
static void
put_uint(struct buf *b, uint64_t v)
{
	int bytes;

	if (v < 128) {
		buf_putc(b, (char)v);
		return;
	}
	if (v <= 0xff) {
		buf_putc(b, (char)0xcc);
		bytes = 1;
	} else if (v <= 0xffff) {
		buf_putc(b, (char)0xcd);
		bytes = 2;
	} else if (v <= 0xffffffffu) {
		buf_putc(b, (char)0xce);
		bytes = 4;
	} else {
		buf_putc(b, (char)0xcf);
		bytes = 8;
	}
	for (int i = bytes - 1; i >= 0; i--)
		buf_putc(b, (char)((v >> (8 * i)) & 0xff));
}

static int
get_uint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	int bytes;

	if (*p >= end)
		return -1;
	if (**p < 128) {
		*v = *(*p)++;
		return 0;
	}
	switch (*(*p)++) {
	case 0xcc: bytes = 1; break;
	case 0xcd: bytes = 2; break;
	case 0xce: bytes = 4; break;
	case 0xcf: bytes = 8; break;
	default: return -1;
	}
	if (end - *p < bytes)
		return -1;
	*v = 0;
	for (int i = 0; i < bytes; i++)
		*v = (*v << 8) | *(*p)++;
	return 0;
}

void
graphql_cursor_write(struct buf *out, const struct graphql_key *k)
{
	struct base64_writer e = BASE64_WRITER_INIT(out);
	struct buf raw = BUF_INIT;
	char ts[ISO8601_LEN + 1];

	buf_puts(&raw, CURSOR_PREFIX);
	if (k->created_at) {
		format_iso8601(k->created_at, ts);
		buf_putc(&raw, (char)0x92);
		buf_putc(&raw, (char)(0xa0 | CURSOR_TIME_LEN));
		buf_append(&raw, ts, ISO8601_LEN - 1);
		buf_puts(&raw, "+00:00");
	} else {
		buf_putc(&raw, (char)0x91);
	}
	put_uint(&raw, (uint64_t)k->id);
	base64_feed(&e, raw.data, raw.len);
	base64_finish(&e);
	buf_release(&raw);
}

static int
parse_time(const unsigned char *s, int64_t *out)
{
	char text[CURSOR_TIME_LEN + 1];
	struct tm tm = { 0 };
	char tail;
	time_t t;

	memcpy(text, s, CURSOR_TIME_LEN);
	text[CURSOR_TIME_LEN] = '\0';
	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d+00:0%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		&tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail) != 7 || tail != '0')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

int
graphql_cursor_parse(const char *s, size_t len, bool with_time, struct graphql_key *k)
{
	struct buf raw = BUF_INIT;
	const unsigned char *p, *end;
	uint64_t id;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (base64_decode(s, len, &raw) < 0 || raw.len < sizeof(CURSOR_PREFIX) ||
	    memcmp(raw.data, CURSOR_PREFIX, sizeof(CURSOR_PREFIX) - 1) != 0)
		goto out;
	p = (const unsigned char *)raw.data + sizeof(CURSOR_PREFIX) - 1;
	end = (const unsigned char *)raw.data + raw.len;
	if (*p++ != (with_time ? 0x92 : 0x91))
		goto out;
	if (with_time) {
		if (end - p < 1 + CURSOR_TIME_LEN || *p++ != (0xa0 | CURSOR_TIME_LEN) ||
		    parse_time(p, &k->created_at) < 0)
			goto out;
		p += CURSOR_TIME_LEN;
	}
	if (get_uint(&p, end, &id) < 0 || p != end || id == 0 || id > INT64_MAX)
		goto out;
	k->id = (int64_t)id;
	k->set = true;
	rc = 0;
out:
	buf_release(&raw);
	return rc;
}
