#include "config.h"

#include "gql_lexer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gql_limits.h"

static const char *const kind_names[] = {
	[GQL_TOKEN_EOF] = "EOF",
	[GQL_TOKEN_BANG] = "BANG", [GQL_TOKEN_VAR_SIGN] = "VAR_SIGN", [GQL_TOKEN_AMP] = "AMP",
	[GQL_TOKEN_LPAREN] = "LPAREN", [GQL_TOKEN_RPAREN] = "RPAREN", [GQL_TOKEN_ELLIPSIS] = "ELLIPSIS",
	[GQL_TOKEN_COLON] = "COLON", [GQL_TOKEN_EQUALS] = "EQUALS", [GQL_TOKEN_DIR_SIGN] = "DIR_SIGN",
	[GQL_TOKEN_LBRACKET] = "LBRACKET", [GQL_TOKEN_RBRACKET] = "RBRACKET",
	[GQL_TOKEN_LCURLY] = "LCURLY", [GQL_TOKEN_PIPE] = "PIPE", [GQL_TOKEN_RCURLY] = "RCURLY",
	[GQL_TOKEN_IDENTIFIER] = "IDENTIFIER",
	[GQL_TOKEN_ON] = "ON", [GQL_TOKEN_FRAGMENT] = "FRAGMENT", [GQL_TOKEN_TRUE] = "TRUE",
	[GQL_TOKEN_FALSE] = "FALSE", [GQL_TOKEN_NULL] = "NULL", [GQL_TOKEN_QUERY] = "QUERY",
	[GQL_TOKEN_MUTATION] = "MUTATION", [GQL_TOKEN_SUBSCRIPTION] = "SUBSCRIPTION",
	[GQL_TOKEN_SCHEMA] = "SCHEMA", [GQL_TOKEN_SCALAR] = "SCALAR", [GQL_TOKEN_TYPE] = "TYPE",
	[GQL_TOKEN_EXTEND] = "EXTEND", [GQL_TOKEN_IMPLEMENTS] = "IMPLEMENTS",
	[GQL_TOKEN_INTERFACE] = "INTERFACE", [GQL_TOKEN_UNION] = "UNION", [GQL_TOKEN_ENUM] = "ENUM",
	[GQL_TOKEN_INPUT] = "INPUT", [GQL_TOKEN_DIRECTIVE] = "DIRECTIVE",
	[GQL_TOKEN_REPEATABLE] = "REPEATABLE",
	[GQL_TOKEN_INT] = "INT", [GQL_TOKEN_FLOAT] = "FLOAT", [GQL_TOKEN_STRING] = "STRING",
	[GQL_TOKEN_UNKNOWN_CHAR] = "UNKNOWN_CHAR",
};

/* The keywords: their kinds run from ON to REPEATABLE in this order. */
static const char *const keywords[] = {
	"on", "fragment", "true", "false", "null", "query", "mutation", "subscription", "schema",
	"scalar", "type", "extend", "implements", "interface", "union", "enum", "input", "directive",
	"repeatable",
};

static const char punctuators[] = "!$&():=@[]{|}";
static const enum gql_token_kind punctuator_kinds[] = {
	GQL_TOKEN_BANG, GQL_TOKEN_VAR_SIGN, GQL_TOKEN_AMP, GQL_TOKEN_LPAREN, GQL_TOKEN_RPAREN,
	GQL_TOKEN_COLON, GQL_TOKEN_EQUALS, GQL_TOKEN_DIR_SIGN, GQL_TOKEN_LBRACKET, GQL_TOKEN_RBRACKET,
	GQL_TOKEN_LCURLY, GQL_TOKEN_PIPE, GQL_TOKEN_RCURLY,
};

/* graphql-ruby's texts for bytes that are no token. */
#define BAD_UTF8 "Parse error on bad Unicode escape sequence"
#define BAD_STRING "Expected string or block string, but it was malformed"
#define TOO_MANY_TOKENS "This query is too large to execute."

const char *
gql_token_kind_name(enum gql_token_kind kind)
{
	return kind_names[kind];
}

bool
gql_token_is_name(enum gql_token_kind kind)
{
	return kind >= GQL_TOKEN_IDENTIFIER && kind <= GQL_TOKEN_REPEATABLE;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_name_start(int c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_name_continue(int c)
{
	return is_name_start(c) || is_digit(c);
}

/* The byte n past the lexer's position, or -1 past the end. */
static int
peek(const struct gql_lexer *lx, size_t n)
{
	return (size_t)(lx->end - lx->p) > n ? lx->p[n] : -1;
}

/* Moves over n bytes of one character (not a line terminator). */
static void
advance(struct gql_lexer *lx, size_t n)
{
	lx->p += n;
	lx->at.column++;
}

/* Moves over n characters of one byte each (ASCII, not line terminators). */
static void
advance_ascii(struct gql_lexer *lx, unsigned n)
{
	lx->p += n;
	lx->at.column += n;
}

/* Moves over a line terminator: \n, \r, or \r\n. */
static void
advance_line(struct gql_lexer *lx)
{
	if (*lx->p++ == '\r' && lx->p < lx->end && *lx->p == '\n')
		lx->p++;
	lx->at.line++;
	lx->at.column = 1;
}

/* The length of the well-formed UTF-8 character at the position, 0 when
 * the bytes there are none. */
static size_t
char_length(const struct gql_lexer *lx)
{
	return utf8_sequence_length(lx->p, (size_t)(lx->end - lx->p));
}

static bool
at_bom(const struct gql_lexer *lx)
{
	return peek(lx, 0) == 0xef && peek(lx, 1) == 0xbb && peek(lx, 2) == 0xbf;
}

/* Skips white space, line terminators, commas, comments and BOMs. */
static int
skip_ignored(struct gql_lexer *lx, struct gql_error *err)
{
	while (lx->p < lx->end) {
		int c = *lx->p;

		if (c == ' ' || c == '\t' || c == ',') {
			advance(lx, 1);
		} else if (c == '\n' || c == '\r') {
			advance_line(lx);
		} else if (at_bom(lx)) {
			advance(lx, 3);
		} else if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n' && *lx->p != '\r') {
				size_t n = char_length(lx);

				if (n == 0) {
					gql_error_set(err, lx->at, BAD_UTF8);
					return -1;
				}
				advance(lx, n);
			}
		} else {
			break;
		}
	}
	return 0;
}

/* Moves over the digits at the position; returns how many. */
static size_t
skip_digits(struct gql_lexer *lx)
{
	size_t n = 0;

	for (; is_digit(peek(lx, 0)); n++)
		advance(lx, 1);
	return n;
}

/* One of -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, followed by no
 * digit, dot or name character. */
static int
lex_number(struct gql_lexer *lx, struct gql_token *tok, struct gql_error *err)
{
	const unsigned char *start = lx->p;
	bool is_float = false;

	if (peek(lx, 0) == '-')
		advance(lx, 1);
	if (peek(lx, 0) == '0')
		advance(lx, 1);
	else if (skip_digits(lx) == 0)
		goto malformed;
	if (peek(lx, 0) == '.') {
		advance(lx, 1);
		if (skip_digits(lx) == 0)
			goto malformed;
		is_float = true;
	}
	if (peek(lx, 0) == 'e' || peek(lx, 0) == 'E') {
		advance(lx, 1);
		if (peek(lx, 0) == '+' || peek(lx, 0) == '-')
			advance(lx, 1);
		if (skip_digits(lx) == 0)
			goto malformed;
		is_float = true;
	}
	if (is_name_start(peek(lx, 0))) {
		while (is_name_continue(peek(lx, 0)))
			advance(lx, 1);
		gql_error_set(err, tok->loc, "Name after number is not allowed (in `%.*s`)",
		    (int)(lx->p - start), (const char *)start);
		return -1;
	}
	if (peek(lx, 0) == '.' || is_digit(peek(lx, 0)))
		goto malformed;
	tok->kind = is_float ? GQL_TOKEN_FLOAT : GQL_TOKEN_INT;
	return 0;

malformed:
	/* The text so far and the character that does not fit, if it could
	 * belong to a number. */
	if (is_name_continue(peek(lx, 0)) || peek(lx, 0) == '.' || peek(lx, 0) == '+' ||
	    peek(lx, 0) == '-')
		advance(lx, 1);
	buf_reset(&err->message);
	buf_puts(&err->message, "Expected type 'number', but it was malformed: ");
	gql_error_put_quoted(&err->message, (const char *)start, (size_t)(lx->p - start));
	buf_putc(&err->message, '.');
	err->loc = tok->loc;
	return -1;
}

/* The code unit of the four hex digits at s, -1 when they are not. */
static long
code_unit(const char *s)
{
	char digits[5];

	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	memcpy(digits, s, 4);
	digits[4] = '\0';
	return strtol(digits, NULL, 16);
}

static size_t
put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the escapes of a string's raw content (its shape already
 * checked: every backslash starts one of the spec's escapes) into out,
 * which has room: no escape is shorter than what it stands for. Returns
 * the length, or -1 for a \u escape that is not hex or a lone surrogate. */
static long
decode_escapes(const char *raw, size_t n, char *out)
{
	static const char escaped[] = "\"\\/bfnrt";
	static const char meant[] = "\"\\/\b\f\n\r\t";
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		long cp, low;

		if (raw[i] != '\\') {
			out[w++] = raw[i];
			continue;
		}
		if (raw[++i] != 'u') {
			out[w++] = meant[strchr(escaped, raw[i]) - escaped];
			continue;
		}
		if (n - i < 5 || (cp = code_unit(raw + i + 1)) < 0)
			return -1;
		i += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return -1;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (n - i < 7 || raw[i + 1] != '\\' || raw[i + 2] != 'u' ||
			    (low = code_unit(raw + i + 3)) < 0xdc00 || low > 0xdfff)
				return -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
			i += 6;
		}
		w += put_utf8(out + w, (unsigned long)cp);
	}
	return (long)w;
}

/* "..." with escapes; the opening quote is at the position. */
static int
lex_string(struct gql_lexer *lx, struct gql_token *tok, struct gql_error *err)
{
	const char *raw;
	size_t n;
	char *value;
	long len;

	advance(lx, 1);
	raw = (const char *)lx->p;
	for (;;) {
		int c = peek(lx, 0);
		size_t cl;

		if (c == '"')
			break;
		if (c < 0x20 && c != '\t') {     /* the end, a line terminator, a control character */
			gql_error_set(err, tok->loc, BAD_STRING);
			return -1;
		}
		if (c == '\\') {
			if (peek(lx, 1) <= 0 || !strchr("\"\\/bfnrtu", peek(lx, 1))) {
				gql_error_set(err, tok->loc, BAD_STRING);
				return -1;
			}
			advance(lx, 1);
		}
		if ((cl = char_length(lx)) == 0) {
			gql_error_set(err, lx->at, BAD_UTF8);
			return -1;
		}
		advance(lx, cl);
	}
	n = (size_t)((const char *)lx->p - raw);
	advance(lx, 1);
	value = gql_arena_alloc(lx->arena, n + 1);
	if ((len = decode_escapes(raw, n, value)) < 0) {
		buf_reset(&err->message);
		buf_puts(&err->message, "Bad unicode escape in ");
		gql_error_put_quoted(&err->message, raw, n);
		err->loc = tok->loc;
		return -1;
	}
	value[len] = '\0';
	tok->kind = GQL_TOKEN_STRING;
	tok->value = value;
	tok->value_len = (size_t)len;
	return 0;
}

static bool
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static size_t
leading_white_space(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* The spec's BlockStringValue() of the n bytes at s, lines ended by \n, in
 * place (it only removes bytes); returns the new length. */
static size_t
block_string_value(char *s, size_t n)
{
	size_t indent = (size_t)-1, w = 0, end = 0;
	bool first = true, wrote = false;

	for (size_t i = 0; i <= n; first = false) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : n - i;
		size_t ws = leading_white_space(s + i, len);

		if (!first && ws < len && ws < indent)
			indent = ws;
		i += len + 1;
	}
	first = true;
	for (size_t i = 0; i <= n; first = false) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : n - i;
		size_t skip = first ? 0 : (len < indent ? len : indent);
		size_t next = i + len + 1;

		i += skip, len -= skip;
		if (wrote || !is_blank(s + i, len)) {
			if (wrote)
				s[w++] = '\n';
			memmove(s + w, s + i, len);
			w += len;
			wrote = true;
			if (!is_blank(s + w - len, len))
				end = w;
		}
		i = next;
	}
	return end;
}

/* """...""" ; the opening quotes are at the position. */
static int
lex_block_string(struct gql_lexer *lx, struct gql_token *tok, struct gql_error *err)
{
	const char *start;
	char *value;
	size_t w = 0;

	advance_ascii(lx, 3);
	start = (const char *)lx->p;
	/* Scanned first, so that the value (never longer than the raw text:
	 * \""" becomes """ and \r\n becomes \n) has its room at once. */
	for (;;) {
		int c = peek(lx, 0);

		if (c == '"' && peek(lx, 1) == '"' && peek(lx, 2) == '"')
			break;
		if (c < 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
			gql_error_set(err, tok->loc, BAD_STRING);
			return -1;
		}
		if (c == '\n' || c == '\r') {
			advance_line(lx);
		} else if (c == '\\' && peek(lx, 1) == '"' && peek(lx, 2) == '"' && peek(lx, 3) == '"') {
			advance_ascii(lx, 4);
		} else {
			size_t cl = char_length(lx);

			if (cl == 0) {
				gql_error_set(err, lx->at, BAD_UTF8);
				return -1;
			}
			advance(lx, cl);
		}
	}
	value = gql_arena_alloc(lx->arena, (size_t)((const char *)lx->p - start) + 1);
	for (const char *r = start; r < (const char *)lx->p;) {
		if (*r == '\r') {
			value[w++] = '\n';
			r += r + 1 < (const char *)lx->p && r[1] == '\n' ? 2 : 1;
		} else if (*r == '\\' && strncmp(r + 1, "\"\"\"", 3) == 0) {
			memcpy(value + w, "\"\"\"", 3);
			w += 3, r += 4;
		} else {
			value[w++] = *r++;
		}
	}
	advance_ascii(lx, 3);
	w = block_string_value(value, w);
	value[w] = '\0';
	tok->kind = GQL_TOKEN_STRING;
	tok->value = value;
	tok->value_len = w;
	return 0;
}

static void
lex_name(struct gql_lexer *lx, struct gql_token *tok)
{
	const unsigned char *start = lx->p;
	size_t len;

	while (is_name_continue(peek(lx, 0)))
		advance(lx, 1);
	len = (size_t)(lx->p - start);
	tok->kind = GQL_TOKEN_IDENTIFIER;
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		if (strlen(keywords[i]) == len && memcmp(keywords[i], start, len) == 0)
			tok->kind = (enum gql_token_kind)(GQL_TOKEN_ON + i);
}

void
gql_lexer_init(struct gql_lexer *lx, const char *text, size_t len, struct gql_arena *arena)
{
	lx->p = (const unsigned char *)text;
	lx->end = len > 0 ? lx->p + len : lx->p;    /* text may be NULL when len is 0 */
	lx->at = (struct gql_location){ 1, 1 };
	lx->tokens = 0;
	lx->arena = arena;
}

int
gql_lexer_next(struct gql_lexer *lx, struct gql_token *tok, struct gql_error *err)
{
	const char *punct;
	int c, rc = 0;

	if (skip_ignored(lx, err) < 0)
		return -1;
	*tok = (struct gql_token){ .text = (const char *)lx->p, .loc = lx->at };
	if (lx->p == lx->end) {
		tok->kind = GQL_TOKEN_EOF;
		return 0;
	}
	if (++lx->tokens > GQL_TOKENS_MAX) {
		gql_error_set(err, tok->loc, TOO_MANY_TOKENS);
		return -1;
	}
	c = *lx->p;
	if (c != '\0' && (punct = strchr(punctuators, c)) != NULL) {
		tok->kind = punctuator_kinds[punct - punctuators];
		advance(lx, 1);
	} else if (c == '.') {
		if (peek(lx, 1) != '.' || peek(lx, 2) != '.') {
			size_t n = 1;

			while (n < 3 && peek(lx, n) > 0x20 && peek(lx, n) < 0x7f)
				n++;
			buf_reset(&err->message);
			buf_puts(&err->message, "Expected `...`, actual: ");
			gql_error_put_quoted(&err->message, tok->text, n);
			err->loc = tok->loc;
			return -1;
		}
		tok->kind = GQL_TOKEN_ELLIPSIS;
		advance_ascii(lx, 3);
	} else if (c == '"') {
		rc = peek(lx, 1) == '"' && peek(lx, 2) == '"' ? lex_block_string(lx, tok, err)
		    : lex_string(lx, tok, err);
	} else if (c == '-' || is_digit(c)) {
		rc = lex_number(lx, tok, err);
	} else if (is_name_start(c)) {
		lex_name(lx, tok);
	} else {
		size_t n = char_length(lx);

		if (n == 0) {
			gql_error_set(err, tok->loc, BAD_UTF8);
			return -1;
		}
		tok->kind = GQL_TOKEN_UNKNOWN_CHAR;
		advance(lx, n);
	}
	tok->len = (size_t)((const char *)lx->p - tok->text);
	return rc;
}
