#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gql_lexer.h"
#include "gql_limits.h"
#include "unit.h"

/* The tokens of the len bytes at text, one word each: the kind, with the
 * text of a name or number, the quoted text of an unknown character and
 * the quoted value of a string; an error ends the list as "!message@line:column". */
static char *
describe(const char *text, size_t len)
{
	struct gql_arena arena = GQL_ARENA_INIT;
	struct gql_error err = GQL_ERROR_INIT;
	struct buf out = BUF_INIT;
	struct gql_lexer lx;
	struct gql_token tok;

	gql_lexer_init(&lx, text, len, &arena);
	for (;;) {
		if (gql_lexer_next(&lx, &tok, &err) < 0) {
			buf_printf(&out, "%s!%s@%u:%u", out.len ? " " : "", buf_cstr(&err.message),
			    err.loc.line, err.loc.column);
			break;
		}
		if (tok.kind == GQL_TOKEN_EOF)
			break;
		if (out.len)
			buf_putc(&out, ' ');
		buf_puts(&out, gql_token_kind_name(tok.kind));
		if (tok.kind == GQL_TOKEN_STRING) {
			gql_error_put_quoted(&out, tok.value, tok.value_len);
		} else if (tok.kind == GQL_TOKEN_UNKNOWN_CHAR) {
			gql_error_put_quoted(&out, tok.text, tok.len);
		} else if (tok.kind == GQL_TOKEN_IDENTIFIER || tok.kind == GQL_TOKEN_INT ||
		    tok.kind == GQL_TOKEN_FLOAT) {
			buf_putc(&out, '(');
			buf_append(&out, tok.text, tok.len);
			buf_putc(&out, ')');
		}
	}
	gql_error_release(&err);
	gql_arena_release(&arena);
	if (out.len == 0)
		buf_puts(&out, "(nothing)");
	return buf_detach(&out);
}

static const struct {
	const char *text;
	size_t len;                 /* 0: strlen(text) */
	const char *tokens;
} cases[] = {
	/* Punctuators; commas, white space and comments are ignored. */
	{ "! $ & ( ) ... : = @ [ ] { | }", 0,
	  "BANG VAR_SIGN AMP LPAREN RPAREN ELLIPSIS COLON EQUALS DIR_SIGN LBRACKET RBRACKET LCURLY "
	  "PIPE RCURLY" },
	{ ",,a,\t,b  # a comment, with { and \"\n c", 0, "IDENTIFIER(a) IDENTIFIER(b) IDENTIFIER(c)" },
	{ "", 0, "(nothing)" },
	{ "  \n\r\n , # only ignored tokens", 0, "(nothing)" },
	/* Names and graphql-ruby's keywords (a keyword is only the whole name). */
	{ "_a9 A query queryX on one fragment true false null mutation subscription", 0,
	  "IDENTIFIER(_a9) IDENTIFIER(A) QUERY IDENTIFIER(queryX) ON IDENTIFIER(one) FRAGMENT "
	  "TRUE FALSE NULL MUTATION SUBSCRIPTION" },
	{ "schema scalar type extend implements interface union enum input directive repeatable", 0,
	  "SCHEMA SCALAR TYPE EXTEND IMPLEMENTS INTERFACE UNION ENUM INPUT DIRECTIVE REPEATABLE" },
	/* Numbers. */
	{ "0 -0 7 -12 1234567890123456789012", 0,
	  "INT(0) INT(-0) INT(7) INT(-12) INT(1234567890123456789012)" },
	{ "1.5 -0.25 1e10 1E+3 2.5e-3 0.0", 0,
	  "FLOAT(1.5) FLOAT(-0.25) FLOAT(1e10) FLOAT(1E+3) FLOAT(2.5e-3) FLOAT(0.0)" },
	{ "[1,2]", 0, "LBRACKET INT(1) INT(2) RBRACKET" },
	{ "01", 0, "!Expected type 'number', but it was malformed: \"01\".@1:1" },
	{ "a 1.", 0, "IDENTIFIER(a) !Expected type 'number', but it was malformed: \"1.\".@1:3" },
	{ "1.x", 0, "!Expected type 'number', but it was malformed: \"1.x\".@1:1" },
	{ "1e", 0, "!Expected type 'number', but it was malformed: \"1e\".@1:1" },
	{ "- 1", 0, "!Expected type 'number', but it was malformed: \"-\".@1:1" },
	{ "-x", 0, "!Expected type 'number', but it was malformed: \"-x\".@1:1" },
	{ "1.5.2", 0, "!Expected type 'number', but it was malformed: \"1.5.\".@1:1" },
	{ "123abc", 0, "!Name after number is not allowed (in `123abc`)@1:1" },
	{ "0x1F", 0, "!Name after number is not allowed (in `0x1F`)@1:1" },
	/* Strings and their escapes. */
	{ "\"\" \"abc\" \"a b\\tc\"", 0, "STRING\"\" STRING\"abc\" STRING\"a b\\tc\"" },
	{ "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", 0, "STRING\"\\\" \\\\ / \\b \\f \\n \\r \\t\"" },
	{ "\"\\u0041\\u00e9\\u20AC\"", 0, "STRING\"A\xc3\xa9\xe2\x82\xac\"" },
	{ "\"\\uD83D\\uDE00\"", 0, "STRING\"\xf0\x9f\x98\x80\"" },
	{ "\"caf\xc3\xa9 \xf0\x9f\x9a\x80\"", 0, "STRING\"caf\xc3\xa9 \xf0\x9f\x9a\x80\"" },
	{ "\"nul:\\u0000.\"", 0, "STRING\"nul:\\u0000.\"" },
	{ "\"\\uD83D\"", 0, "!Bad unicode escape in \"\\\\uD83D\"@1:1" },
	{ "\"\\uDE00\\uD83D\"", 0, "!Bad unicode escape in \"\\\\uDE00\\\\uD83D\"@1:1" },
	{ "\"\\uD83Dx\"", 0, "!Bad unicode escape in \"\\\\uD83Dx\"@1:1" },
	{ "\"\\u12G4\"", 0, "!Bad unicode escape in \"\\\\u12G4\"@1:1" },
	{ "\"\\u{1F600}\"", 0, "!Bad unicode escape in \"\\\\u{1F600}\"@1:1" },
	{ "\"\\u12\"", 0, "!Bad unicode escape in \"\\\\u12\"@1:1" },
	{ "\"\\q\"", 0, "!Expected string or block string, but it was malformed@1:1" },
	{ "x \"abc", 0, "IDENTIFIER(x) !Expected string or block string, but it was malformed@1:3" },
	{ "\"a\nb\"", 0, "!Expected string or block string, but it was malformed@1:1" },
	{ "\"a\x01\"", 0, "!Expected string or block string, but it was malformed@1:1" },
	{ "\"a\\", 0, "!Expected string or block string, but it was malformed@1:1" },
	/* Block strings: the spec's BlockStringValue(). */
	{ "\"\"\"abc\"\"\"", 0, "STRING\"abc\"" },
	{ "\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\"", 0,
	  "STRING\"Hello,\\n  World!\\n\\nYours,\\n  GraphQL.\"" },
	{ "\"\"\"  first\n  second\r\n\tthird\"\"\"", 0, "STRING\"  first\\n second\\nthird\"" },
	{ "\"\"\"a \\\"\"\" b \\n \"\" \"\"\"", 0, "STRING\"a \\\"\\\"\\\" b \\\\n \\\"\\\" \"" },
	{ "\"\"\"\n\n  \n\"\"\"", 0, "STRING\"\"" },
	{ "\"\"\"unterminated\"\"", 0, "!Expected string or block string, but it was malformed@1:1" },
	{ "\"\"\"\x02\"\"\"", 0, "!Expected string or block string, but it was malformed@1:1" },
	/* Other characters are tokens the parser refuses. */
	{ "a % \xc3\xa9", 0, "IDENTIFIER(a) UNKNOWN_CHAR\"%\" UNKNOWN_CHAR\"\xc3\xa9\"" },
	{ "a\0b", 3, "IDENTIFIER(a) UNKNOWN_CHAR\"\\u0000\" IDENTIFIER(b)" },
	{ ".. x", 0, "!Expected `...`, actual: \"..\"@1:1" },
	{ "a .b", 0, "IDENTIFIER(a) !Expected `...`, actual: \".b\"@1:3" },
	/* The byte order mark is ignored, at the start or anywhere. */
	{ "\xef\xbb\xbf{ a\xef\xbb\xbf }", 0, "LCURLY IDENTIFIER(a) RCURLY" },
	/* Bytes that are not UTF-8, wherever they are. */
	{ "{ \xff }", 0, "LCURLY !Parse error on bad Unicode escape sequence@1:3" },
	{ "\"ab\xc3\"", 0, "!Parse error on bad Unicode escape sequence@1:4" },
	{ "\"\xed\xa0\x80\"", 0, "!Parse error on bad Unicode escape sequence@1:2" },
	{ "# \xc0\xaf\n", 0, "!Parse error on bad Unicode escape sequence@1:3" },
	{ "\"\"\"\xf8\"\"\"", 0, "!Parse error on bad Unicode escape sequence@1:4" },
};

START_TEST(test_tokens)
{
	size_t len = cases[_i].len ? cases[_i].len : strlen(cases[_i].text);
	char *got = describe(cases[_i].text, len);

	ck_assert_msg(strcmp(got, cases[_i].tokens) == 0, "case %d: got %s", _i, got);
	free(got);
}
END_TEST

/* The location of each token of text, "line:column" apart by spaces. */
static char *
locations(const char *text)
{
	struct gql_arena arena = GQL_ARENA_INIT;
	struct gql_error err = GQL_ERROR_INIT;
	struct buf out = BUF_INIT;
	struct gql_lexer lx;
	struct gql_token tok;

	gql_lexer_init(&lx, text, strlen(text), &arena);
	while (gql_lexer_next(&lx, &tok, &err) == 0 && tok.kind != GQL_TOKEN_EOF)
		buf_printf(&out, "%s%u:%u", out.len ? " " : "", tok.loc.line, tok.loc.column);
	ck_assert_uint_eq(err.message.len, 0);
	gql_arena_release(&arena);
	return buf_detach(&out);
}

/* Lines end at \n, \r\n or \r; columns count code points, from 1. */
START_TEST(test_locations)
{
	static const struct {
		const char *text, *locations;
	} loc_cases[] = {
		{ "a b\nc", "1:1 1:3 2:1" },
		{ "a\r\nb\rc\n\nd", "1:1 2:1 3:1 5:1" },
		{ "\t a", "1:3" },
		{ "\"\xc3\xa9\xe2\x82\xac\" x", "1:1 1:6" },
		{ "\"\"\"a\nb\r\nc\"\"\" d", "1:1 3:6" },
		{ "# comment\n  x", "2:3" },
		{ "\xef\xbb\xbfx", "1:2" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(loc_cases); i++) {
		char *got = locations(loc_cases[i].text);

		ck_assert_msg(strcmp(got, loc_cases[i].locations) == 0, "case %zu: got %s", i, got);
		free(got);
	}
}
END_TEST

/* The lexer reads len bytes and no further: a name that runs to the end
 * of the buffer ends there, and a string that does is unterminated. */
START_TEST(test_reads_only_len_bytes)
{
	char *got = describe("abc}", 2);

	ck_assert_str_eq(got, "IDENTIFIER(ab)");
	free(got);
	got = describe("\"ab\"", 3);
	ck_assert_str_eq(got, "!Expected string or block string, but it was malformed@1:1");
	free(got);
	got = describe("1.5", 2);
	ck_assert_str_eq(got, "!Expected type 'number', but it was malformed: \"1.\".@1:1");
	free(got);
}
END_TEST

/* EOF again and again once the end is reached. */
START_TEST(test_eof_repeats)
{
	struct gql_arena arena = GQL_ARENA_INIT;
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_lexer lx;
	struct gql_token tok;

	gql_lexer_init(&lx, "x", 1, &arena);
	ck_assert_int_eq(gql_lexer_next(&lx, &tok, &err), 0);
	ck_assert_int_eq(tok.kind, GQL_TOKEN_IDENTIFIER);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(gql_lexer_next(&lx, &tok, &err), 0);
		ck_assert_int_eq(tok.kind, GQL_TOKEN_EOF);
	}
	gql_arena_release(&arena);
}
END_TEST

Suite *
gql_lexer_suite(void)
{
	return unit_suite("gql_lexer", test_tokens, (int)ARRAY_SIZE(cases), (const TTest *const[]){
		test_locations, test_reads_only_len_bytes, test_eof_repeats, NULL });
}
