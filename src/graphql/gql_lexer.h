/*
 * The GraphQL lexer (October 2021 spec, section 2.1): bytes with a length,
 * no NUL needed, to tokens one at a time. Ignored: white space, line
 * terminators, commas, comments, and the byte order mark U+FEFF anywhere.
 * The text must be UTF-8; bytes that are not are an error.
 *
 * Kinds and their names in messages are graphql-ruby's: the keywords of
 * its lexer are tokens of their own (QUERY, ON, TRUE, ...), and a character
 * that starts no token is UNKNOWN_CHAR, for the parser to refuse, as
 * GitHub does ("Expected NAME, actual: UNKNOWN_CHAR (\"%\")").
 *
 * Beyond the grammar, the lexer enforces GQL_TOKENS_MAX (gql_limits.h).
 * Where graphql-ruby is laxer than the spec the lexer follows the spec (a
 * control character in a string, a number followed by a name or a dot, a
 * lone surrogate escape are errors), with two exceptions graphql-js
 * makes too: strings and comments may hold any code point (the
 * 2021 text stops at U+FFFF), and a comment any character but a line
 * terminator (graphql-ruby's rule; the spec refuses control characters).
 */
#ifndef DEPLOY_GQL_LEXER_H
#define DEPLOY_GQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "gql_arena.h"
#include "gql_error.h"
#include "util.h"

enum gql_token_kind {
	GQL_TOKEN_EOF,
	/* Punctuators. */
	GQL_TOKEN_BANG, GQL_TOKEN_VAR_SIGN, GQL_TOKEN_AMP, GQL_TOKEN_LPAREN, GQL_TOKEN_RPAREN,
	GQL_TOKEN_ELLIPSIS, GQL_TOKEN_COLON, GQL_TOKEN_EQUALS, GQL_TOKEN_DIR_SIGN, GQL_TOKEN_LBRACKET,
	GQL_TOKEN_RBRACKET, GQL_TOKEN_LCURLY, GQL_TOKEN_PIPE, GQL_TOKEN_RCURLY,
	/* Names: an identifier, or one of graphql-ruby's keywords (each is a
	 * Name wherever the grammar takes one). */
	GQL_TOKEN_IDENTIFIER,
	GQL_TOKEN_ON, GQL_TOKEN_FRAGMENT, GQL_TOKEN_TRUE, GQL_TOKEN_FALSE, GQL_TOKEN_NULL,
	GQL_TOKEN_QUERY, GQL_TOKEN_MUTATION, GQL_TOKEN_SUBSCRIPTION, GQL_TOKEN_SCHEMA,
	GQL_TOKEN_SCALAR, GQL_TOKEN_TYPE, GQL_TOKEN_EXTEND, GQL_TOKEN_IMPLEMENTS,
	GQL_TOKEN_INTERFACE, GQL_TOKEN_UNION, GQL_TOKEN_ENUM, GQL_TOKEN_INPUT, GQL_TOKEN_DIRECTIVE,
	GQL_TOKEN_REPEATABLE,
	/* Values. */
	GQL_TOKEN_INT, GQL_TOKEN_FLOAT, GQL_TOKEN_STRING,
	GQL_TOKEN_UNKNOWN_CHAR,
};

/* The name messages give the kind ("IDENTIFIER", "LCURLY"). */
const char *gql_token_kind_name(enum gql_token_kind kind);

/* Whether kind is a Name of the grammar (an identifier or a keyword). */
bool gql_token_is_name(enum gql_token_kind kind);

struct gql_token {
	enum gql_token_kind kind;
	const char *text;           /* the token's bytes in the document (not NUL-terminated) */
	size_t len;
	struct gql_location loc;    /* of its first character */
	/* STRING: the value, escapes decoded and a block string's indentation
	 * removed; NUL-terminated in the arena, but may hold NULs (\u0000). */
	const char *value;
	size_t value_len;
};

struct gql_lexer {
	const unsigned char *p, *end;
	struct gql_location at;     /* of p */
	unsigned tokens;            /* returned so far */
	struct gql_arena *arena;    /* where string values go */
};

/* Reads the len bytes at text (which must outlive the tokens). */
void gql_lexer_init(struct gql_lexer *lx, const char *text, size_t len, struct gql_arena *arena);

/* The next token into tok (EOF at the end, and again after); -1 with err
 * set for text that is no token (a malformed string or number, a stray
 * dot, bytes that are not UTF-8) or the token past GQL_TOKENS_MAX. */
int gql_lexer_next(struct gql_lexer *lx, struct gql_token *tok, struct gql_error *err) MUST_CHECK;

#endif
