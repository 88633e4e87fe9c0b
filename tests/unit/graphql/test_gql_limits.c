#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gql_limits.h"
#include "gql_parser.h"
#include "unit.h"

#define TOO_LARGE "This query is too large to execute."

/* Parses text; NULL when it parses, else the error as
 * "message@line:column" (to be freed). */
static char *
parse_error(const char *text, size_t len)
{
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_document *doc = gql_parse(text, len, &err);
	struct buf out = BUF_INIT;

	if (doc) {
		gql_document_free(doc);
		return NULL;
	}
	buf_printf(&out, "%s@%u:%u", buf_cstr(&err.message), err.loc.line, err.loc.column);
	gql_error_release(&err);
	return buf_detach(&out);
}

static void
assert_parses(const struct buf *text)
{
	char *err = parse_error(text->data, text->len);

	ck_assert_msg(err == NULL, "%s", err);
}

static void
assert_error(const struct buf *text, const char *expected)
{
	char *err = parse_error(text->data, text->len);

	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, expected);
	free(err);
}

/* n fields, each in the selection set of the one before (depth n); with
 * inline, each inside an inline fragment there, which adds no depth. */
static void
nested_fields(struct buf *b, int n, bool inline_fragments)
{
	buf_putc(b, '{');
	for (int i = 1; i < n; i++)
		buf_puts(b, inline_fragments ? "a{...on T{" : "a{");
	buf_putc(b, 'a');
	for (int i = 1; i < n; i++)
		buf_puts(b, inline_fragments ? "}}" : "}");
	buf_putc(b, '}');
}

/* Up to GQL_DOCUMENT_MAX bytes parse; one more is refused before it is read. */
START_TEST(test_document_size)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "{ a }");
	while (b.len < GQL_DOCUMENT_MAX)
		buf_putc(&b, ' ');
	assert_parses(&b);
	buf_putc(&b, ' ');
	assert_error(&b, TOO_LARGE "@0:0");
	buf_release(&b);
}
END_TEST

/* GQL_TOKENS_MAX tokens parse; the next one is refused where it stands.
 * Ignored tokens (commas, comments) do not count. */
START_TEST(test_token_count)
{
	struct buf b = BUF_INIT;
	char expected[64];

	buf_puts(&b, "{");
	for (int i = 0; i < GQL_TOKENS_MAX - 2; i++)
		buf_puts(&b, " a");
	buf_puts(&b, " }");
	assert_parses(&b);

	buf_reset(&b);
	buf_puts(&b, "{");
	for (int i = 0; i < GQL_TOKENS_MAX - 1; i++)
		buf_puts(&b, " a");
	buf_puts(&b, " }");
	snprintf(expected, sizeof(expected), TOO_LARGE "@1:%d", 2 * GQL_TOKENS_MAX + 1);
	assert_error(&b, expected);

	buf_reset(&b);
	buf_puts(&b, "{ a ");
	for (int i = 0; i < 2 * GQL_TOKENS_MAX; i++)
		buf_puts(&b, ",# comment\n");
	buf_puts(&b, "}");
	assert_parses(&b);
	buf_release(&b);
}
END_TEST

/* Fields nested GQL_DEPTH_MAX deep parse; deeper is refused once the
 * document is read, with its depth. Fragments do not add a level. */
START_TEST(test_depth)
{
	struct buf b = BUF_INIT;
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_document *doc;

	nested_fields(&b, GQL_DEPTH_MAX, false);
	doc = gql_parse(b.data, b.len, &err);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(doc->depth, GQL_DEPTH_MAX);
	gql_document_free(doc);

	buf_reset(&b);
	nested_fields(&b, GQL_DEPTH_MAX, true);
	doc = gql_parse(b.data, b.len, &err);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(doc->depth, GQL_DEPTH_MAX);
	gql_document_free(doc);

	buf_reset(&b);
	nested_fields(&b, GQL_DEPTH_MAX + 1, true);
	assert_error(&b, "Query has depth of 26, which exceeds max depth of 25@0:0");

	buf_reset(&b);
	nested_fields(&b, 40, false);
	assert_error(&b, "Query has depth of 40, which exceeds max depth of 25@0:0");
	buf_release(&b);
}
END_TEST

/* The parser descends at most GQL_NESTING_MAX levels, whatever nests:
 * selection sets, lists, objects, list types. The error stands at the
 * token that opens one level too many. */
START_TEST(test_nesting)
{
	struct buf b = BUF_INIT;
	char expected[64];

	/* 100 fields in 100 selection sets: read, then refused for depth. */
	nested_fields(&b, GQL_NESTING_MAX, false);
	assert_error(&b, "Query has depth of 100, which exceeds max depth of 25@0:0");
	buf_reset(&b);
	nested_fields(&b, GQL_NESTING_MAX + 1, false);
	snprintf(expected, sizeof(expected), TOO_LARGE "@1:%d", 2 * (GQL_NESTING_MAX + 1) - 1);
	assert_error(&b, expected);

	/* In one selection set, lists and objects alternating: the 100th
	 * opens level 101, the { of the 50th "[{y: ". */
	buf_reset(&b);
	buf_puts(&b, "{ a(x: ");
	for (int i = 0; i < GQL_NESTING_MAX; i++)
		buf_puts(&b, "[{y: ");
	buf_puts(&b, "1");
	for (int i = 0; i < GQL_NESTING_MAX; i++)
		buf_puts(&b, "}]");
	buf_puts(&b, ") }");
	snprintf(expected, sizeof(expected), TOO_LARGE "@1:%d", 9 + 5 * 49);
	assert_error(&b, expected);

	buf_reset(&b);
	buf_puts(&b, "query ($v: ");
	for (int i = 0; i <= GQL_NESTING_MAX; i++)
		buf_putc(&b, '[');
	buf_puts(&b, "Int");
	for (int i = 0; i <= GQL_NESTING_MAX; i++)
		buf_putc(&b, ']');
	buf_puts(&b, ") { a }");
	snprintf(expected, sizeof(expected), TOO_LARGE "@1:%d", 12 + GQL_NESTING_MAX);
	assert_error(&b, expected);
	buf_release(&b);
}
END_TEST

Suite *
gql_limits_suite(void)
{
	return unit_suite("gql_limits", NULL, 0, (const TTest *const[]){
		test_document_size, test_token_count, test_depth, test_nesting, NULL });
}
