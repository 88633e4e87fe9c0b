/*
 * The GraphQL front end (src/graphql): the input is a request's `query`
 * text, as bytes. The lexer runs alone first, then the parser.
 * Promises: tokens lie in the text, in order, at increasing locations, no
 * more than GQL_TOKENS_MAX of them, and a string token's value is UTF-8;
 * gql_parse() gives a document or an error, never both: an error has a
 * message of UTF-8 (it quotes the text) and a location inside the text
 * unless it is one of the three without; a document's every node is well
 * formed (names are GraphQL names, each list ends, the kinds agree with
 * the parts present) and its depth is within GQL_DEPTH_MAX. Each
 * operation of a document is then validated against the served schema,
 * its variables coerced (none given) and, when valid, analysed: each step
 * fails exactly when it adds errors, whose text is UTF-8, and the fragment
 * spreads of no document make any step slow (gql_validate's size bound).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gql_lexer.h"
#include "gql_limits.h"
#include "gql_analysis.h"
#include "gql_parser.h"
#include "gql_request.h"
#include "gql_validate.h"
#include "graphql_schema.h"

static unsigned text_lines;

static bool
is_name(const char *s)
{
	if (s == NULL || !(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static void
check_location(struct gql_location loc)
{
	fuzz_require(loc.line >= 1 && loc.line <= text_lines && loc.column >= 1);
}

static void check_value(const struct gql_value *v);

static void
check_arguments(const struct gql_argument *a)
{
	for (; a; a = a->next) {
		fuzz_require(is_name(a->name));
		check_location(a->loc);
		check_value(a->value);
	}
}

static void
check_value(const struct gql_value *v)
{
	fuzz_require(v != NULL);
	check_location(v->loc);
	switch (v->kind) {
	case GQL_VALUE_VARIABLE:
	case GQL_VALUE_ENUM:
		fuzz_require(is_name(v->text) && strlen(v->text) == v->len);
		break;
	case GQL_VALUE_INT:
	case GQL_VALUE_FLOAT:
		fuzz_require(v->text && strlen(v->text) == v->len && v->len > 0);
		break;
	case GQL_VALUE_STRING:
		fuzz_require(v->text && v->text[v->len] == '\0' && utf8_is_valid(v->text, v->len));
		break;
	case GQL_VALUE_LIST:
		for (const struct gql_value *i = v->items; i; i = i->next)
			check_value(i);
		break;
	case GQL_VALUE_OBJECT:
		check_arguments(v->fields);
		break;
	case GQL_VALUE_BOOLEAN:
	case GQL_VALUE_NULL:
		break;
	}
}

static void
check_directives(const struct gql_directive *d)
{
	for (; d; d = d->next) {
		fuzz_require(is_name(d->name));
		check_location(d->loc);
		check_arguments(d->arguments);
	}
}

static void
check_type(const struct gql_type *t)
{
	fuzz_require(t != NULL);
	check_location(t->loc);
	if (t->kind == GQL_TYPE_NAMED) {
		fuzz_require(is_name(t->name));
	} else {
		fuzz_require(t->of != NULL);
		fuzz_require(t->kind == GQL_TYPE_LIST || t->of->kind != GQL_TYPE_NON_NULL);
		check_type(t->of);
	}
}

static void
check_selections(const struct gql_selection *s)
{
	fuzz_require(s != NULL);
	for (; s; s = s->next) {
		check_location(s->loc);
		check_directives(s->directives);
		switch (s->kind) {
		case GQL_SELECTION_FIELD:
			fuzz_require(is_name(s->name) && (s->alias == NULL || is_name(s->alias)));
			fuzz_require(strcmp(gql_response_key(s), s->alias ? s->alias : s->name) == 0);
			check_arguments(s->arguments);
			if (s->selections)
				check_selections(s->selections);
			break;
		case GQL_SELECTION_FRAGMENT_SPREAD:
			fuzz_require(is_name(s->name) && strcmp(s->name, "on") != 0 && !s->selections);
			break;
		case GQL_SELECTION_INLINE_FRAGMENT:
			fuzz_require(s->type_condition == NULL || is_name(s->type_condition));
			check_selections(s->selections);
			break;
		}
	}
}

static void
check_document(const struct gql_document *doc)
{
	fuzz_require(doc->definitions != NULL && doc->depth <= GQL_DEPTH_MAX);
	for (const struct gql_definition *d = doc->definitions; d; d = d->next) {
		check_location(d->loc);
		fuzz_require(d->name == NULL || is_name(d->name));
		if (d->kind == GQL_DEFINITION_FRAGMENT)
			fuzz_require(d->name && strcmp(d->name, "on") != 0 && is_name(d->type_condition));
		for (const struct gql_variable_definition *v = d->variables; v; v = v->next) {
			fuzz_require(is_name(v->name));
			check_type(v->type);
			if (v->default_value)
				check_value(v->default_value);
			check_directives(v->directives);
		}
		check_directives(d->directives);
		check_selections(d->selections);
	}
}

static void
check_tokens(const char *text, size_t size)
{
	struct gql_arena arena = GQL_ARENA_INIT;
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_lexer lx;
	struct gql_token tok;
	const char *after = text;
	struct gql_location last = { 0, 0 };
	unsigned count = 0;

	gql_lexer_init(&lx, text, size, &arena);
	while (gql_lexer_next(&lx, &tok, &err) == 0 && tok.kind != GQL_TOKEN_EOF) {
		fuzz_require(tok.text >= after && tok.text + tok.len <= text + size && tok.len > 0);
		fuzz_require(tok.loc.line > last.line ||
		    (tok.loc.line == last.line && tok.loc.column > last.column));
		check_location(tok.loc);
		fuzz_require(tok.kind != GQL_TOKEN_STRING || utf8_is_valid(tok.value, tok.value_len));
		after = tok.text + tok.len;
		last = tok.loc;
		count++;
	}
	fuzz_require(count <= GQL_TOKENS_MAX);
	fuzz_require(utf8_is_valid(err.message.data ? err.message.data : "", err.message.len));
	gql_error_release(&err);
	gql_arena_release(&arena);
}

static void
check_operations(struct gql_document *doc)
{
	for (const struct gql_definition *op = doc->definitions; op; op = op->next) {
		struct gql_errors errs;
		struct gql_argument *vars;
		struct gql_cost cost;
		size_t before;
		int rc;

		if (op->kind != GQL_DEFINITION_OPERATION)
			continue;
		gql_errors_init(&errs);
		rc = gql_validate(doc, &graphql_schema, op, &errs);
		fuzz_require((rc < 0) == (errs.count > 0));
		if (rc == 0) {
			rc = gql_coerce_variables(&doc->arena, &graphql_schema, op, NULL, &vars, &errs);
			fuzz_require((rc < 0) == (errs.count > 0));
		}
		if (rc == 0) {
			before = errs.count;
			rc = gql_analyse(doc, &graphql_schema, op, vars, &errs, &cost);
			fuzz_require((rc < 0) == (errs.count > before) && cost.cost >= 1);
		}
		fuzz_require(utf8_is_valid(gql_errors_finish(&errs), errs.text.len));
		gql_errors_release(&errs);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so ASan sees any read past the end. */
	char *text = xmalloc(size ? size : 1);
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_document *doc;

	memcpy(text, data, size);
	text_lines = 1;
	for (size_t i = 0; i < size; i++)
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == size || text[i + 1] != '\n')))
			text_lines++;
	check_tokens(text, size);
	doc = gql_parse(text, size, &err);
	if (doc) {
		fuzz_require(err.message.len == 0);
		check_document(doc);
		check_operations(doc);
		gql_document_free(doc);
	} else {
		const char *m = buf_cstr(&err.message);

		fuzz_require(err.message.len > 0 && utf8_is_valid(m, err.message.len));
		if (err.loc.line == 0)
			fuzz_require(strcmp(m, "Unexpected end of document") == 0 ||
			    strcmp(m, "This query is too large to execute.") == 0 ||
			    strncmp(m, "Query has depth of ", 19) == 0);
		else
			check_location(err.loc);
	}
	gql_error_release(&err);
	free(text);
	return 0;
}
