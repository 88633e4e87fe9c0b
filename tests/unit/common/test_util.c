#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonw.h"
#include "unit.h"
#include "util.h"

/* Sentinel that shows whether a failed parse touched *out. */
#define UNTOUCHED INT64_C(-777)

static const struct {
	const char *s;
	int64_t min, max;
	int ret;
	int64_t value;
} int_cases[] = {
	{ "0", 0, 10, 0, 0 },
	{ "7", 0, 10, 0, 7 },
	{ "10", 0, 10, 0, 10 },
	{ "007", 0, 10, 0, 7 },
	{ "-3", -5, 5, 0, -3 },
	{ "-0", 0, 0, 0, 0 },
	{ "9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX },
	{ "-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN },
	/* Malformed. */
	{ "", 0, 10, -1, UNTOUCHED },
	{ "+1", 0, 10, -1, UNTOUCHED },
	{ " 1", 0, 10, -1, UNTOUCHED },
	{ "1 ", 0, 10, -1, UNTOUCHED },
	{ "1x", 0, 10, -1, UNTOUCHED },
	{ "x1", 0, 10, -1, UNTOUCHED },
	{ "-", -10, 10, -1, UNTOUCHED },
	{ "--1", -10, 10, -1, UNTOUCHED },
	{ "0x10", 0, 100, -1, UNTOUCHED },
	{ "1.0", 0, 10, -1, UNTOUCHED },
	{ "1e3", 0, 10000, -1, UNTOUCHED },
	/* Out of range, of the bounds or of int64_t. */
	{ "11", 0, 10, -1, UNTOUCHED },
	{ "-1", 0, 10, -1, UNTOUCHED },
	{ "-6", -5, 5, -1, UNTOUCHED },
	{ "9223372036854775808", INT64_MIN, INT64_MAX, -1, UNTOUCHED },
	{ "-9223372036854775809", INT64_MIN, INT64_MAX, -1, UNTOUCHED },
	{ "99999999999999999999999", INT64_MIN, INT64_MAX, -1, UNTOUCHED },
};

START_TEST(test_parse_int64)
{
	int64_t v = UNTOUCHED;
	int ret = parse_int64(int_cases[_i].s, int_cases[_i].min, int_cases[_i].max, &v);

	ck_assert_msg(ret == int_cases[_i].ret, "parse_int64(\"%s\") returned %d, expected %d",
	    int_cases[_i].s, ret, int_cases[_i].ret);
	ck_assert_msg(v == int_cases[_i].value, "parse_int64(\"%s\") gave %lld, expected %lld",
	    int_cases[_i].s, (long long)v, (long long)int_cases[_i].value);
}
END_TEST

START_TEST(test_parse_int64_null)
{
	int64_t v = UNTOUCHED;

	ck_assert_int_eq(parse_int64(NULL, 0, 10, &v), -1);
	ck_assert_int_eq(v, UNTOUCHED);
}
END_TEST

/*
 * Known bug: strtoll skips any leading white space and parse_int64 only
 * rejects ' ' and '+' in the first byte, so "\t1", "\n+1" and the like
 * parse although the contract says a whole decimal string.
 */
START_TEST(test_parse_int64_leading_whitespace)
{
	static const char *const bad[] = { "\t1", "\n1", "\r1", "\v1", "\f1", "\t+1", "\t-1" };
	int64_t v = UNTOUCHED;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(parse_int64(bad[i], -10, 10, &v) == -1,
		    "parse_int64 accepted leading white space (case %zu)", i);
}
END_TEST

START_TEST(test_format_iso8601)
{
	static const struct {
		int64_t t;
		const char *s;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 1, "1970-01-01T00:00:01Z" },
		{ -1, "1969-12-31T23:59:59Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ 1700000000, "2023-11-14T22:13:20Z" },
		{ 1795240860, "2026-11-21T06:01:00Z" },
		{ 4102444799, "2099-12-31T23:59:59Z" },
		{ 253402300799, "9999-12-31T23:59:59Z" },
		/* Beyond four-digit years: the epoch, as a fixed-width fallback. */
		{ 253402300800, "1970-01-01T00:00:00Z" },
		{ -62167219201, "1970-01-01T00:00:00Z" },
		{ -62167219200, "0000-01-01T00:00:00Z" },
	};
	char out[ISO8601_LEN + 1];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(out, 'X', sizeof(out));
		format_iso8601(cases[i].t, out);
		ck_assert_str_eq(out, cases[i].s);
		ck_assert_uint_eq(strlen(out), ISO8601_LEN);
	}
}
END_TEST

START_TEST(test_format_int64)
{
	static const struct {
		int64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" }, { 7, "7" }, { -7, "-7" }, { 1234567890, "1234567890" },
		{ INT64_MAX, "9223372036854775807" }, { INT64_MIN, "-9223372036854775808" },
	};
	char out[INT64_DECIMAL_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = format_int64(cases[i].v, out);

		ck_assert_uint_eq(n, strlen(cases[i].s));
		ck_assert_int_eq(memcmp(out, cases[i].s, n), 0);
	}
}
END_TEST

START_TEST(test_format_hex)
{
	char out[16];

	ck_assert_int_eq(memcmp(out, "0", format_hex(0, 1, false, out)), 0);
	ck_assert_uint_eq(format_hex(0xabc, 1, true, out), 3);
	ck_assert_int_eq(memcmp(out, "ABC", 3), 0);
	ck_assert_uint_eq(format_hex(0xabc, 8, false, out), 8);
	ck_assert_int_eq(memcmp(out, "00000abc", 8), 0);
	ck_assert_uint_eq(format_hex(UINT64_MAX, 4, false, out), 16);
	ck_assert_int_eq(memcmp(out, "ffffffffffffffff", 16), 0);
	ck_assert_uint_eq(format_hex(1, 20, false, out), 16);
}
END_TEST

/* The cached pid is the child's own after a fork. */
START_TEST(test_process_id)
{
	int pipefd[2];
	pid_t child;
	int seen = 0;

	ck_assert_int_eq(process_id(), (int)getpid());
	ck_assert_int_eq(pipe(pipefd), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int mine = process_id() == (int)getpid() ? 1 : 2;

		_exit(write(pipefd[1], &mine, sizeof(mine)) == (ssize_t)sizeof(mine) ? 0 : 1);
	}
	ck_assert_int_eq(read(pipefd[0], &seen, sizeof(seen)), (ssize_t)sizeof(seen));
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	ck_assert_int_eq(process_id(), (int)getpid());
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

START_TEST(test_hash128)
{
	/* Every length around the 8- and 32-byte steps; one flipped byte
	 * anywhere, or one byte more, changes both halves. */
	unsigned char data[80];
	uint64_t a[2], b[2], again[2];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len < sizeof(data); len++) {
		hash128(data, len, a);
		hash128(data, len, again);
		ck_assert(a[0] == again[0] && a[1] == again[1]);
		hash128(data, len + 1, b);
		ck_assert(a[0] != b[0] && a[1] != b[1]);
		for (size_t i = 0; i < len; i++) {
			data[i] ^= 1;
			hash128(data, len, b);
			data[i] ^= 1;
			ck_assert(a[0] != b[0] && a[1] != b[1]);
		}
	}
}
END_TEST

START_TEST(test_utf8_length)
{
	ck_assert_uint_eq(utf8_length(""), 0);
	ck_assert_uint_eq(utf8_length("abc"), 3);
	ck_assert_uint_eq(utf8_length("\xc3\xa9"), 1);              /* é */
	ck_assert_uint_eq(utf8_length("caf\xc3\xa9"), 4);
	ck_assert_uint_eq(utf8_length("\xe6\x97\xa5\xe6\x9c\xac"), 2); /* 日本 */
	ck_assert_uint_eq(utf8_length("\xf0\x9f\x9a\x80!"), 2);     /* rocket, ! */
}
END_TEST

START_TEST(test_has_control_chars)
{
	ck_assert(!has_control_chars(""));
	ck_assert(!has_control_chars("plain text, with punctuation ~!"));
	ck_assert(!has_control_chars("caf\xc3\xa9"));
	ck_assert(!has_control_chars(" "));
	ck_assert(has_control_chars("a\tb"));
	ck_assert(has_control_chars("a\nb"));
	ck_assert(has_control_chars("\r"));
	ck_assert(has_control_chars("\x01"));
	ck_assert(has_control_chars("end\x1f"));
	ck_assert(has_control_chars("del\x7f"));
}
END_TEST

START_TEST(test_sha256_hex)
{
	char out[65];

	sha256_hex("", 0, out);
	ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, out);
	ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* The length is honoured, not strlen. */
	sha256_hex("abcdef", 3, out);
	ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_strings_and_alloc)
{
	char *s = xstrdup("hello");
	char *t = xstrndup("hello", 3);
	void *z = xmalloc(0);
	unsigned char *c = xcalloc(4, 4);

	ck_assert_str_eq(s, "hello");
	ck_assert_str_eq(t, "hel");
	ck_assert_ptr_nonnull(z);
	for (size_t i = 0; i < 16; i++)
		ck_assert_uint_eq(c[i], 0);
	s = xrealloc(s, 100);
	ck_assert_str_eq(s, "hello");
	free(c);
	free(z);
	free(t);
	free(s);
}
END_TEST

/* Bytes from requests: what PostgreSQL accepts as UTF-8, and nothing else. */
START_TEST(test_utf8_is_valid)
{
	static const char *const valid[] = {
		"", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x9a\x80", "\xf4\x8f\xbf\xbf",
	};
	static const char *const invalid[] = {
		"\xff", "\xfe\xff", "\x80", "caf\xc3", "\xc0\xaf", /* overlong '/' */
		"\xe0\x80\xaf", "\xed\xa0\x80", /* surrogate */ "\xf4\x90\x80\x80", /* > U+10FFFF */
		"\xe2\x82", "a\xc3(",
	};

	for (size_t i = 0; i < ARRAY_SIZE(valid); i++)
		ck_assert_msg(utf8_is_valid(valid[i], strlen(valid[i])), "valid case %zu", i);
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++)
		ck_assert_msg(!utf8_is_valid(invalid[i], strlen(invalid[i])), "invalid case %zu", i);
}
END_TEST

/* JSON text is UTF-8 whatever bytes a message echoes (issue 15: a bad
 * X-GitHub-Api-Version came back raw in the 400's body). */
START_TEST(test_json_strings_are_utf8)
{
	struct buf out = BUF_INIT;

	jw_escape_into(&out, "v\xff\xfe-\xc3\xa9\"\x01" "abcdefgh\x80", 17);
	ck_assert_str_eq(buf_cstr(&out), "v\xef\xbf\xbd\xef\xbf\xbd-\xc3\xa9\\\"\\u0001abcdefgh\xef\xbf\xbd");
	ck_assert(utf8_is_valid(out.data, out.len));
	buf_release(&out);
}
END_TEST

START_TEST(test_random_and_clock)
{
	unsigned char a[32] = { 0 }, b[32] = { 0 };
	int64_t t0, t1;

	ck_assert_int_eq(random_bytes(a, sizeof(a)), 0);
	ck_assert_int_eq(random_bytes(b, sizeof(b)), 0);
	/* 2^-256 odds of a false failure. */
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert_int_eq(random_bytes(a, 0), 0);
	t0 = monotonic_ns();
	t1 = monotonic_ns();
	ck_assert_int_gt(t0, 0);
	ck_assert_int_ge(t1, t0);
}
END_TEST

Suite *
util_suite(void)
{
	return unit_suite("util", test_parse_int64, (int)ARRAY_SIZE(int_cases), (const TTest *const[]){
		test_parse_int64_null, test_format_iso8601, test_format_int64, test_hash128,
		test_format_hex, test_process_id, test_utf8_length, test_has_control_chars,
		test_sha256_hex, test_strings_and_alloc, test_random_and_clock,
		test_parse_int64_leading_whitespace, test_utf8_is_valid, test_json_strings_are_utf8, NULL });
}
