#include "config.h"

#include "gql_parser.h"

#include <string.h>

#include "gql_lexer.h"
#include "gql_limits.h"

#define TOO_LARGE "This query is too large to execute."

struct parser {
	struct gql_lexer lx;
	struct gql_token tok;          /* the current token */
	struct gql_arena *arena;
	struct gql_error *err;
	unsigned nesting;              /* of selection sets, lists, objects, list types */
	unsigned depth;                /* fields enclosing the current selection set */
	unsigned max_depth;
};

static int
advance_token(struct parser *p)
{
	struct gql_location last = p->tok.loc;

	if (gql_lexer_next(&p->lx, &p->tok, p->err) < 0)
		return -1;
	/* graphql-ruby places an error at the end on the last token. */
	if (p->tok.kind == GQL_TOKEN_EOF && last.line > 0)
		p->tok.loc = last;
	return 0;
}

/* The current token is not what the grammar wants here: "Expected
 * <expected>, actual: <kind> (<text>) at [line, column]". */
static int
unexpected(struct parser *p, const char *expected)
{
	const struct gql_token *t = &p->tok;
	struct buf *m = &p->err->message;
	bool one_of = strncmp(expected, "one of ", 7) == 0;

	buf_reset(m);
	if (t->kind == GQL_TOKEN_EOF) {
		/* graphql-ruby's two spellings of nothing. */
		buf_printf(m, "Expected %s, actual: %s (\"\")", expected, one_of ? "NOTHING" : "(none)");
	} else {
		buf_printf(m, "Expected %s, actual: %s (", expected, gql_token_kind_name(t->kind));
		if (t->kind == GQL_TOKEN_STRING)
			gql_error_put_quoted(m, t->value, t->value_len);
		else
			gql_error_put_quoted(m, t->text, t->len);
		buf_putc(m, ')');
	}
	buf_printf(m, " at [%u, %u]", t->loc.line, t->loc.column);
	p->err->loc = t->loc;
	return -1;
}

static int
expect(struct parser *p, enum gql_token_kind kind)
{
	if (p->tok.kind != kind)
		return unexpected(p, gql_token_kind_name(kind));
	return advance_token(p);
}

static bool
at(const struct parser *p, enum gql_token_kind kind)
{
	return p->tok.kind == kind;
}

/* One level deeper in the recursion, refused past GQL_NESTING_MAX. */
static int
enter(struct parser *p)
{
	if (++p->nesting > GQL_NESTING_MAX) {
		gql_error_set(p->err, p->tok.loc, TOO_LARGE);
		return -1;
	}
	return 0;
}

/* A Name (an identifier or any keyword) into *out. */
static int
parse_name(struct parser *p, const char **out)
{
	if (!gql_token_is_name(p->tok.kind))
		return unexpected(p, "NAME");
	*out = gql_arena_strndup(p->arena, p->tok.text, p->tok.len);
	return advance_token(p);
}

static int parse_value(struct parser *p, bool constant, struct gql_value **out);

/* name: value, until the closing token; what arguments and object values
 * are made of. */
static int
parse_argument(struct parser *p, bool constant, struct gql_argument **out)
{
	struct gql_argument *a = gql_arena_alloc(p->arena, sizeof(*a));

	a->loc = p->tok.loc;
	if (parse_name(p, &a->name) < 0 || expect(p, GQL_TOKEN_COLON) < 0 ||
	    parse_value(p, constant, &a->value) < 0)
		return -1;
	*out = a;
	return 0;
}

static int
parse_list_value(struct parser *p, bool constant, struct gql_value *v)
{
	struct gql_value **tail = &v->items;

	if (enter(p) < 0 || advance_token(p) < 0)
		return -1;
	while (!at(p, GQL_TOKEN_RBRACKET)) {
		if (parse_value(p, constant, tail) < 0)
			return -1;
		tail = &(*tail)->next;
	}
	p->nesting--;
	return advance_token(p);
}

static int
parse_object_value(struct parser *p, bool constant, struct gql_value *v)
{
	struct gql_argument **tail = &v->fields;

	if (enter(p) < 0 || advance_token(p) < 0)
		return -1;
	while (!at(p, GQL_TOKEN_RCURLY)) {
		if (parse_argument(p, constant, tail) < 0)
			return -1;
		tail = &(*tail)->next;
	}
	p->nesting--;
	return advance_token(p);
}

/* A Value, or a Value[Const] (no variables) when constant. */
static int
parse_value(struct parser *p, bool constant, struct gql_value **out)
{
	struct gql_value *v = gql_arena_alloc(p->arena, sizeof(*v));
	enum gql_token_kind kind = p->tok.kind;

	v->loc = p->tok.loc;
	*out = v;
	switch (kind) {
	case GQL_TOKEN_VAR_SIGN:
		if (constant)
			return unexpected(p, "VALUE");
		v->kind = GQL_VALUE_VARIABLE;
		if (advance_token(p) < 0 || parse_name(p, &v->text) < 0)
			return -1;
		v->len = strlen(v->text);
		return 0;
	case GQL_TOKEN_LBRACKET:
		v->kind = GQL_VALUE_LIST;
		return parse_list_value(p, constant, v);
	case GQL_TOKEN_LCURLY:
		v->kind = GQL_VALUE_OBJECT;
		return parse_object_value(p, constant, v);
	case GQL_TOKEN_STRING:
		v->kind = GQL_VALUE_STRING;
		v->text = p->tok.value;
		v->len = p->tok.value_len;
		return advance_token(p);
	case GQL_TOKEN_TRUE:
	case GQL_TOKEN_FALSE:
		v->kind = GQL_VALUE_BOOLEAN;
		v->boolean = kind == GQL_TOKEN_TRUE;
		return advance_token(p);
	case GQL_TOKEN_NULL:
		v->kind = GQL_VALUE_NULL;
		return advance_token(p);
	case GQL_TOKEN_INT:
	case GQL_TOKEN_FLOAT:
		v->kind = kind == GQL_TOKEN_INT ? GQL_VALUE_INT : GQL_VALUE_FLOAT;
		break;
	default:
		if (!gql_token_is_name(kind))
			return unexpected(p, "VALUE");
		v->kind = GQL_VALUE_ENUM;
		break;
	}
	v->text = gql_arena_strndup(p->arena, p->tok.text, p->tok.len);
	v->len = p->tok.len;
	return advance_token(p);
}

/* (name: value ...) or nothing; at least one argument between parentheses. */
static int
parse_arguments(struct parser *p, bool constant, struct gql_argument **out)
{
	struct gql_argument **tail = out;

	if (!at(p, GQL_TOKEN_LPAREN))
		return 0;
	if (advance_token(p) < 0)
		return -1;
	if (at(p, GQL_TOKEN_RPAREN))
		return unexpected(p, "ARGUMENT_NAME");
	while (!at(p, GQL_TOKEN_RPAREN)) {
		if (parse_argument(p, constant, tail) < 0)
			return -1;
		tail = &(*tail)->next;
	}
	return advance_token(p);
}

/* @name(arguments) ..., or nothing. */
static int
parse_directives(struct parser *p, bool constant, struct gql_directive **out)
{
	struct gql_directive **tail = out;

	while (at(p, GQL_TOKEN_DIR_SIGN)) {
		struct gql_directive *d = gql_arena_alloc(p->arena, sizeof(*d));

		d->loc = p->tok.loc;
		if (advance_token(p) < 0 || parse_name(p, &d->name) < 0 ||
		    parse_arguments(p, constant, &d->arguments) < 0)
			return -1;
		*tail = d;
		tail = &d->next;
	}
	return 0;
}

/* Name, [Type], and either with a ! after it. */
static int
parse_type(struct parser *p, struct gql_type **out)
{
	struct gql_type *t = gql_arena_alloc(p->arena, sizeof(*t));

	t->loc = p->tok.loc;
	if (at(p, GQL_TOKEN_LBRACKET)) {
		t->kind = GQL_TYPE_LIST;
		if (enter(p) < 0 || advance_token(p) < 0 || parse_type(p, &t->of) < 0 ||
		    expect(p, GQL_TOKEN_RBRACKET) < 0)
			return -1;
		p->nesting--;
	} else if (gql_token_is_name(p->tok.kind)) {
		t->kind = GQL_TYPE_NAMED;
		if (parse_name(p, &t->name) < 0)
			return -1;
	} else {
		return unexpected(p, "one of IDENTIFIER, LBRACKET");
	}
	if (at(p, GQL_TOKEN_BANG)) {
		struct gql_type *non_null = gql_arena_alloc(p->arena, sizeof(*non_null));

		non_null->kind = GQL_TYPE_NON_NULL;
		non_null->loc = t->loc;
		non_null->of = t;
		t = non_null;
		if (advance_token(p) < 0)
			return -1;
	}
	*out = t;
	return 0;
}

static int parse_selection_set(struct parser *p, struct gql_selection **out);

static int
parse_field(struct parser *p, struct gql_selection *s)
{
	s->kind = GQL_SELECTION_FIELD;
	if (parse_name(p, &s->name) < 0)
		return -1;
	if (at(p, GQL_TOKEN_COLON)) {
		s->alias = s->name;
		if (advance_token(p) < 0 || parse_name(p, &s->name) < 0)
			return -1;
	}
	if (parse_arguments(p, false, &s->arguments) < 0 ||
	    parse_directives(p, false, &s->directives) < 0)
		return -1;
	if (p->depth + 1 > p->max_depth)
		p->max_depth = p->depth + 1;
	if (!at(p, GQL_TOKEN_LCURLY))
		return 0;
	p->depth++;
	if (parse_selection_set(p, &s->selections) < 0)
		return -1;
	p->depth--;
	return 0;
}

/* After "...": a spread (...Name) or an inline fragment (... on Type, or
 * directives, or a selection set straight away). */
static int
parse_fragment_selection(struct parser *p, struct gql_selection *s)
{
	if (advance_token(p) < 0)
		return -1;
	if (at(p, GQL_TOKEN_ON) || at(p, GQL_TOKEN_DIR_SIGN) || at(p, GQL_TOKEN_LCURLY)) {
		s->kind = GQL_SELECTION_INLINE_FRAGMENT;
		if (at(p, GQL_TOKEN_ON) &&
		    (advance_token(p) < 0 || parse_name(p, &s->type_condition) < 0))
			return -1;
		if (parse_directives(p, false, &s->directives) < 0)
			return -1;
		return parse_selection_set(p, &s->selections);
	}
	s->kind = GQL_SELECTION_FRAGMENT_SPREAD;
	if (parse_name(p, &s->name) < 0)
		return -1;
	return parse_directives(p, false, &s->directives);
}

/* { selection ... }: at least one. */
static int
parse_selection_set(struct parser *p, struct gql_selection **out)
{
	struct gql_selection **tail = out;

	if (!at(p, GQL_TOKEN_LCURLY))
		return unexpected(p, "LCURLY");
	if (enter(p) < 0 || advance_token(p) < 0)
		return -1;
	if (at(p, GQL_TOKEN_RCURLY))
		return unexpected(p, "NAME");
	while (!at(p, GQL_TOKEN_RCURLY)) {
		struct gql_selection *s = gql_arena_alloc(p->arena, sizeof(*s));

		s->loc = p->tok.loc;
		if (at(p, GQL_TOKEN_ELLIPSIS) ? parse_fragment_selection(p, s) < 0 : parse_field(p, s) < 0)
			return -1;
		*tail = s;
		tail = &s->next;
	}
	p->nesting--;
	return advance_token(p);
}

/* $name: Type = default @directives */
static int
parse_variable_definition(struct parser *p, struct gql_variable_definition **out)
{
	struct gql_variable_definition *v = gql_arena_alloc(p->arena, sizeof(*v));

	v->loc = p->tok.loc;
	if (expect(p, GQL_TOKEN_VAR_SIGN) < 0 || parse_name(p, &v->name) < 0 ||
	    expect(p, GQL_TOKEN_COLON) < 0 || parse_type(p, &v->type) < 0)
		return -1;
	if (at(p, GQL_TOKEN_EQUALS) &&
	    (advance_token(p) < 0 || parse_value(p, true, &v->default_value) < 0))
		return -1;
	if (parse_directives(p, true, &v->directives) < 0)
		return -1;
	*out = v;
	return 0;
}

/* ($a: T ...): at least one. */
static int
parse_variable_definitions(struct parser *p, struct gql_variable_definition **out)
{
	struct gql_variable_definition **tail = out;

	if (!at(p, GQL_TOKEN_LPAREN))
		return 0;
	if (advance_token(p) < 0)
		return -1;
	if (at(p, GQL_TOKEN_RPAREN))
		return unexpected(p, "VAR_SIGN");
	while (!at(p, GQL_TOKEN_RPAREN)) {
		if (parse_variable_definition(p, tail) < 0)
			return -1;
		tail = &(*tail)->next;
	}
	return advance_token(p);
}

/* { ... }, or query|mutation|subscription Name? (variables)? @directives? { ... } */
static int
parse_operation(struct parser *p, struct gql_definition *d)
{
	d->kind = GQL_DEFINITION_OPERATION;
	d->operation = GQL_OPERATION_QUERY;
	if (!at(p, GQL_TOKEN_LCURLY)) {
		if (at(p, GQL_TOKEN_MUTATION))
			d->operation = GQL_OPERATION_MUTATION;
		else if (at(p, GQL_TOKEN_SUBSCRIPTION))
			d->operation = GQL_OPERATION_SUBSCRIPTION;
		if (advance_token(p) < 0)
			return -1;
		if (gql_token_is_name(p->tok.kind) && parse_name(p, &d->name) < 0)
			return -1;
		if (parse_variable_definitions(p, &d->variables) < 0 ||
		    parse_directives(p, false, &d->directives) < 0)
			return -1;
	}
	return parse_selection_set(p, &d->selections);
}

/* fragment Name on Type @directives { ... }; the name is not `on`. */
static int
parse_fragment(struct parser *p, struct gql_definition *d)
{
	d->kind = GQL_DEFINITION_FRAGMENT;
	if (advance_token(p) < 0)
		return -1;
	if (at(p, GQL_TOKEN_ON))
		return unexpected(p, "IDENTIFIER");
	if (parse_name(p, &d->name) < 0 || expect(p, GQL_TOKEN_ON) < 0 ||
	    parse_name(p, &d->type_condition) < 0 || parse_directives(p, false, &d->directives) < 0)
		return -1;
	return parse_selection_set(p, &d->selections);
}

static int
parse_document(struct parser *p, struct gql_document *doc)
{
	struct gql_definition **tail = &doc->definitions;

	if (advance_token(p) < 0)
		return -1;
	if (at(p, GQL_TOKEN_EOF)) {
		gql_error_set(p->err, (struct gql_location){ 0, 0 }, "Unexpected end of document");
		return -1;
	}
	while (!at(p, GQL_TOKEN_EOF)) {
		struct gql_definition *d = gql_arena_alloc(p->arena, sizeof(*d));
		int rc;

		d->loc = p->tok.loc;
		switch (p->tok.kind) {
		case GQL_TOKEN_LCURLY:
		case GQL_TOKEN_QUERY:
		case GQL_TOKEN_MUTATION:
		case GQL_TOKEN_SUBSCRIPTION:
			rc = parse_operation(p, d);
			break;
		case GQL_TOKEN_FRAGMENT:
			rc = parse_fragment(p, d);
			break;
		default:
			rc = unexpected(p, "one of QUERY, MUTATION, SUBSCRIPTION, FRAGMENT, LCURLY");
			break;
		}
		if (rc < 0)
			return -1;
		*tail = d;
		tail = &d->next;
	}
	if (p->max_depth > GQL_DEPTH_MAX) {
		gql_error_set(p->err, (struct gql_location){ 0, 0 },
		    "Query has depth of %u, which exceeds max depth of %d", p->max_depth, GQL_DEPTH_MAX);
		return -1;
	}
	return 0;
}

struct gql_document *
gql_parse(const char *text, size_t len, struct gql_error *err)
{
	struct gql_arena arena = GQL_ARENA_INIT;
	struct parser p = { .arena = &arena, .err = err };
	struct gql_document *doc;

	if (len > GQL_DOCUMENT_MAX) {
		gql_error_set(err, (struct gql_location){ 0, 0 }, TOO_LARGE);
		return NULL;
	}
	gql_lexer_init(&p.lx, text, len, &arena);
	doc = gql_arena_alloc(&arena, sizeof(*doc));
	if (parse_document(&p, doc) < 0) {
		gql_arena_release(&arena);
		return NULL;
	}
	doc->depth = p.max_depth;
	doc->arena = arena;
	return doc;
}
