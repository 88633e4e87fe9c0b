#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "unit.h"

/* The invariants buf.h promises, checked after every operation. */
static void
assert_invariants(const struct buf *b)
{
	if (b->cap == 0) {
		ck_assert_ptr_null(b->data);
		ck_assert_uint_eq(b->len, 0);
		ck_assert_str_eq(buf_cstr(b), "");
		return;
	}
	ck_assert_ptr_nonnull(b->data);
	ck_assert_uint_lt(b->len, b->cap);
	ck_assert_int_eq(b->data[b->len], '\0');
	ck_assert_ptr_eq(buf_cstr(b), b->data);
}

/* b keeps its invariants and holds exactly text. */
static void
assert_holds(const struct buf *b, const char *text)
{
	assert_invariants(b);
	ck_assert_str_eq(buf_cstr(b), text);
}

START_TEST(test_init_is_empty)
{
	struct buf b = BUF_INIT;

	assert_holds(&b, "");
}
END_TEST

START_TEST(test_append_grows)
{
	struct buf b = BUF_INIT;
	char chunk[37];
	size_t total = 0;

	memset(chunk, 'x', sizeof(chunk));
	/* Enough appends to cross several doublings of the capacity. */
	for (int i = 0; i < 300; i++) {
		chunk[0] = (char)('a' + i % 26);
		buf_append(&b, chunk, sizeof(chunk));
		total += sizeof(chunk);
		assert_invariants(&b);
		ck_assert_uint_eq(b.len, total);
	}
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(b.data[(size_t)i * sizeof(chunk)], 'a' + i % 26);
	ck_assert_int_eq(b.data[1], 'x');
	buf_release(&b);
}
END_TEST

START_TEST(test_grow_before_append)
{
	struct buf b = BUF_INIT;

	/* Room made ahead (response_init does so) is an empty string at once:
	 * buf_cstr() of a response's headers before any was added read
	 * uninitialised bytes (found by tests/fuzz/fuzz_pagination). */
	buf_grow(&b, 1024);
	assert_holds(&b, "");
	ck_assert_uint_gt(b.cap, 1024);
	buf_release(&b);
}
END_TEST

/* n bytes appended to an empty buffer are all of it, NUL-terminated. */
static void
assert_append_to_empty(const char *bytes, size_t n)
{
	struct buf b = BUF_INIT;

	buf_append(&b, bytes, n);
	assert_invariants(&b);
	ck_assert_uint_eq(b.len, n);
	ck_assert_mem_eq(buf_cstr(&b), bytes, n + 1);
	buf_release(&b);
}

START_TEST(test_append_zero_bytes)
{
	/* An empty append still makes a valid C string. */
	assert_append_to_empty("", 0);
}
END_TEST

START_TEST(test_append_embedded_nul)
{
	assert_append_to_empty("a\0b", 3);
}
END_TEST

START_TEST(test_puts_putc)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "hello");
	assert_invariants(&b);
	buf_putc(&b, ',');
	assert_invariants(&b);
	buf_puts(&b, "");
	assert_invariants(&b);
	buf_puts(&b, " world");
	assert_holds(&b, "hello, world");
	ck_assert_uint_eq(b.len, strlen("hello, world"));
	buf_release(&b);
}
END_TEST

START_TEST(test_put_int)
{
	struct buf b = BUF_INIT;

	buf_put_int(&b, 0);
	buf_putc(&b, ' ');
	buf_put_int(&b, -42);
	buf_putc(&b, ' ');
	buf_put_int(&b, INT64_MIN);
	assert_holds(&b, "0 -42 -9223372036854775808");
	buf_release(&b);
}
END_TEST

START_TEST(test_printf)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%d-%s", 42, "x");
	assert_holds(&b, "42-x");
	buf_printf(&b, "%s", "");
	assert_invariants(&b);
	ck_assert_uint_eq(b.len, 4);
	buf_printf(&b, "/%lld", (long long)INT64_MIN);
	assert_holds(&b, "42-x/-9223372036854775808");
	buf_release(&b);
}
END_TEST

START_TEST(test_printf_growth)
{
	struct buf b = BUF_INIT;
	char *big = malloc(5001);
	size_t n;

	ck_assert_ptr_nonnull(big);
	/* One printf much larger than the first allocation, after a small one. */
	memset(big, 'z', 5000);
	big[5000] = '\0';
	buf_puts(&b, "<");
	buf_printf(&b, "%s>", big);
	assert_invariants(&b);
	ck_assert_uint_eq(b.len, 5002);
	ck_assert_int_eq(b.data[0], '<');
	ck_assert_int_eq(b.data[5000], 'z');
	ck_assert_int_eq(b.data[5001], '>');
	/* Exactly filling the capacity must still leave room for the NUL. */
	buf_reset(&b);
	n = 3 * b.cap;
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "%c", 'q');
		assert_invariants(&b);
	}
	free(big);
	buf_release(&b);
}
END_TEST

START_TEST(test_urlencoded)
{
	struct buf b = BUF_INIT;

	buf_put_urlencoded(&b, "AZaz09-_.~");
	ck_assert_str_eq(buf_cstr(&b), "AZaz09-_.~");
	buf_reset(&b);
	buf_put_urlencoded(&b, "a b&c=d/e?f+g%h#i");
	ck_assert_str_eq(buf_cstr(&b), "a%20b%26c%3Dd%2Fe%3Ff%2Bg%25h%23i");
	buf_reset(&b);
	/* UTF-8 is encoded byte by byte, in upper-case hex. */
	buf_put_urlencoded(&b, "\xc3\xa9\x7f\x01\xff");
	ck_assert_str_eq(buf_cstr(&b), "%C3%A9%7F%01%FF");
	buf_reset(&b);
	buf_put_urlencoded(&b, "");
	ck_assert_str_eq(buf_cstr(&b), "");
	/* It appends; it does not replace. */
	buf_puts(&b, "q=");
	buf_put_urlencoded(&b, "x y");
	ck_assert_str_eq(buf_cstr(&b), "q=x%20y");
	assert_invariants(&b);
	buf_release(&b);
}
END_TEST

START_TEST(test_reset)
{
	struct buf b = BUF_INIT;
	size_t cap;

	buf_reset(&b);
	assert_invariants(&b);
	buf_puts(&b, "some text");
	cap = b.cap;
	buf_reset(&b);
	assert_invariants(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	/* The memory is kept for reuse. */
	ck_assert_uint_eq(b.cap, cap);
	buf_puts(&b, "again");
	ck_assert_str_eq(buf_cstr(&b), "again");
	buf_release(&b);
}
END_TEST

START_TEST(test_release)
{
	struct buf b = BUF_INIT;

	buf_release(&b);
	assert_invariants(&b);
	buf_puts(&b, "text");
	buf_release(&b);
	assert_invariants(&b);
	ck_assert_uint_eq(b.cap, 0);
	/* A released buffer is empty and reusable. */
	buf_puts(&b, "more");
	assert_holds(&b, "more");
	buf_release(&b);
	buf_release(&b);
	assert_invariants(&b);
}
END_TEST

START_TEST(test_detach)
{
	struct buf b = BUF_INIT;
	char *s;

	buf_puts(&b, "owned");
	s = buf_detach(&b);
	ck_assert_str_eq(s, "owned");
	assert_invariants(&b);
	ck_assert_uint_eq(b.cap, 0);
	free(s);

	/* An empty buffer still hands over a string the caller frees. */
	s = buf_detach(&b);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);

	buf_puts(&b, "reused");
	s = buf_detach(&b);
	ck_assert_str_eq(s, "reused");
	free(s);
}
END_TEST

Suite *
buf_suite(void)
{
	return unit_suite("buf", NULL, 0, (const TTest *const[]){
		test_init_is_empty, test_append_grows, test_grow_before_append, test_append_zero_bytes,
		test_append_embedded_nul, test_puts_putc, test_put_int, test_printf,
		test_printf_growth, test_urlencoded, test_reset, test_release, test_detach, NULL });
}
