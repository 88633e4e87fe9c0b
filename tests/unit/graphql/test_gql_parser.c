#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gql_limits.h"
#include "gql_parser.h"
#include "unit.h"

/* The document back as compact GraphQL text, every part of the tree in it,
 * so that a test states the whole shape the parser built in one string. */
static void print_selections(struct buf *b, const struct gql_selection *s);

static void print_arguments(struct buf *b, const struct gql_argument *a, char open, char close);

static void
print_value(struct buf *b, const struct gql_value *v)
{
	switch (v->kind) {
	case GQL_VALUE_VARIABLE:
		buf_printf(b, "$%s", v->text);
		break;
	case GQL_VALUE_STRING:
		gql_error_put_quoted(b, v->text, v->len);
		break;
	case GQL_VALUE_BOOLEAN:
		buf_puts(b, v->boolean ? "true" : "false");
		break;
	case GQL_VALUE_NULL:
		buf_puts(b, "null");
		break;
	case GQL_VALUE_LIST:
		buf_putc(b, '[');
		for (const struct gql_value *i = v->items; i; i = i->next) {
			print_value(b, i);
			if (i->next)
				buf_putc(b, ',');
		}
		buf_putc(b, ']');
		break;
	case GQL_VALUE_OBJECT:
		if (v->fields == NULL)
			buf_puts(b, "{}");
		print_arguments(b, v->fields, '{', '}');
		break;
	default:
		buf_puts(b, v->text);
		break;
	}
}

static void
print_arguments(struct buf *b, const struct gql_argument *a, char open, char close)
{
	for (const struct gql_argument *i = a; i; i = i->next) {
		buf_printf(b, "%c%s:", i == a ? open : ',', i->name);
		print_value(b, i->value);
		if (i->next == NULL)
			buf_putc(b, close);
	}
}

static void
print_directives(struct buf *b, const struct gql_directive *d)
{
	for (; d; d = d->next) {
		buf_printf(b, "@%s", d->name);
		print_arguments(b, d->arguments, '(', ')');
	}
}

static void
print_type(struct buf *b, const struct gql_type *t)
{
	if (t->kind == GQL_TYPE_NAMED) {
		buf_puts(b, t->name);
	} else if (t->kind == GQL_TYPE_LIST) {
		buf_putc(b, '[');
		print_type(b, t->of);
		buf_putc(b, ']');
	} else {
		print_type(b, t->of);
		buf_putc(b, '!');
	}
}

static void
print_selections(struct buf *b, const struct gql_selection *s)
{
	if (s == NULL)
		return;
	buf_putc(b, '{');
	for (; s; s = s->next) {
		if (s->kind == GQL_SELECTION_FIELD) {
			if (s->alias)
				buf_printf(b, "%s:", s->alias);
			buf_puts(b, s->name);
			print_arguments(b, s->arguments, '(', ')');
		} else if (s->kind == GQL_SELECTION_FRAGMENT_SPREAD) {
			buf_printf(b, "...%s", s->name);
		} else {
			buf_puts(b, "...");
			if (s->type_condition)
				buf_printf(b, "on %s", s->type_condition);
		}
		print_directives(b, s->directives);
		print_selections(b, s->selections);
		if (s->next)
			buf_putc(b, ' ');
	}
	buf_putc(b, '}');
}

static void
print_document(struct buf *b, const struct gql_document *doc)
{
	static const char *const types[] = { "query", "mutation", "subscription" };

	for (const struct gql_definition *d = doc->definitions; d; d = d->next) {
		if (d->kind == GQL_DEFINITION_FRAGMENT) {
			buf_printf(b, "fragment %s on %s", d->name, d->type_condition);
		} else {
			buf_puts(b, types[d->operation]);
			if (d->name)
				buf_printf(b, " %s", d->name);
			for (const struct gql_variable_definition *v = d->variables; v; v = v->next) {
				buf_printf(b, "%c$%s:", v == d->variables ? '(' : ',', v->name);
				print_type(b, v->type);
				if (v->default_value) {
					buf_putc(b, '=');
					print_value(b, v->default_value);
				}
				print_directives(b, v->directives);
				if (v->next == NULL)
					buf_putc(b, ')');
			}
		}
		print_directives(b, d->directives);
		print_selections(b, d->selections);
		if (d->next)
			buf_putc(b, '\n');
	}
}

/* text parsed and printed, or "!message@line:column". */
static char *
parse_and_print(const char *text, size_t len)
{
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_document *doc = gql_parse(text, len, &err);
	struct buf out = BUF_INIT;

	if (doc) {
		ck_assert_uint_eq(err.message.len, 0);
		print_document(&out, doc);
	} else {
		buf_printf(&out, "!%s@%u:%u", buf_cstr(&err.message), err.loc.line, err.loc.column);
	}
	gql_document_free(doc);
	gql_error_release(&err);
	return buf_detach(&out);
}

static void
assert_parses_as(const char *text, const char *printed)
{
	char *got = parse_and_print(text, strlen(text));

	ck_assert_msg(strcmp(got, printed) == 0, "%s\n  parsed as %s\n  not      %s", text, got, printed);
	free(got);
}

static const struct {
	const char *text, *printed;
} shapes[] = {
	/* Operations. */
	{ "{ a }", "query{a}" },
	{ "query { a }", "query{a}" },
	{ "query Q { a }", "query Q{a}" },
	{ "mutation M { a }", "mutation M{a}" },
	{ "subscription { a }", "subscription{a}" },
	{ "query query { a }", "query query{a}" },
	{ "{ a } query B { b } fragment F on T { c }", "query{a}\nquery B{b}\nfragment F on T{c}" },
	/* Variables: types, defaults, directives. */
	{ "query ($a: Int, $b: [String!]!, $c: [[ID]!] = [[\"x\"]], $d: Boolean = false @deprecated) { a }",
	  "query($a:Int,$b:[String!]!,$c:[[ID]!]=[[\"x\"]],$d:Boolean=false@deprecated){a}" },
	{ "query ($o: Order = {field: CREATED_AT, direction: DESC}) { a }",
	  "query($o:Order={field:CREATED_AT,direction:DESC}){a}" },
	{ "query Q($a: Int) @live(x: 1) { a }", "query Q($a:Int)@live(x:1){a}" },
	/* Fields: aliases, arguments, directives, selections. */
	{ "{ x: a(b: 1, c: $d) @include(if: $e) { f g: h } }", "query{x:a(b:1,c:$d)@include(if:$e){f g:h}}" },
	{ "{ a @skip(if: true) @include(if: false) }", "query{a@skip(if:true)@include(if:false)}" },
	/* Keywords are names wherever a name is wanted. */
	{ "{ query type on fragment(on: null, true: true) { null } }",
	  "query{query type on fragment(on:null,true:true){null}}" },
	/* Fragments. */
	{ "{ ...F ...on T { a } ... @include(if: $x) { b } ... { c } ...G @d }",
	  "query{...F ...on T{a} ...@include(if:$x){b} ...{c} ...G@d}" },
	{ "fragment F on Deployment @d { id }", "fragment F on Deployment@d{id}" },
	/* Values of every kind. */
	{ "{ a(i: -3, f: 1.5e3, s: \"x\\ny\", b: \"\"\"  block\"\"\", t: true, n: null, e: DESC, "
	  "l: [1 [2] []], o: {a: {b: $v}}, eo: {}) }",
	  "query{a(i:-3,f:1.5e3,s:\"x\\ny\",b:\"  block\",t:true,n:null,e:DESC,l:[1,[2],[]],o:{a:{b:$v}},eo:{})}" },
	/* Commas are ignored, even where none is needed; a trailing one too. */
	{ "query ($a: Int!,) {,a,,b,}", "query($a:Int!){a b}" },
};

START_TEST(test_shapes)
{
	assert_parses_as(shapes[_i].text, shapes[_i].printed);
}
END_TEST

static const struct {
	const char *text, *error;
} errors[] = {
	{ "", "!Unexpected end of document@0:0" },
	{ "  # only a comment\n,", "!Unexpected end of document@0:0" },
	{ "{", "!Expected NAME, actual: (none) (\"\") at [1, 1]@1:1" },
	{ "{ a", "!Expected NAME, actual: (none) (\"\") at [1, 3]@1:3" },
	{ "{\n  a {\n    b", "!Expected NAME, actual: (none) (\"\") at [3, 5]@3:5" },
	{ "{}", "!Expected NAME, actual: RCURLY (\"}\") at [1, 2]@1:2" },
	{ "mutation", "!Expected LCURLY, actual: (none) (\"\") at [1, 1]@1:1" },
	{ "{ a } }", "!Expected one of QUERY, MUTATION, SUBSCRIPTION, FRAGMENT, LCURLY, actual: RCURLY "
	  "(\"}\") at [1, 7]@1:7" },
	{ "foo { a }", "!Expected one of QUERY, MUTATION, SUBSCRIPTION, FRAGMENT, LCURLY, actual: "
	  "IDENTIFIER (\"foo\") at [1, 1]@1:1" },
	{ "type Query { a: Int }", "!Expected one of QUERY, MUTATION, SUBSCRIPTION, FRAGMENT, LCURLY, "
	  "actual: TYPE (\"type\") at [1, 1]@1:1" },
	{ "{ a(b c) }", "!Expected COLON, actual: IDENTIFIER (\"c\") at [1, 7]@1:7" },
	{ "{ a() }", "!Expected ARGUMENT_NAME, actual: RPAREN (\")\") at [1, 5]@1:5" },
	{ "{ a(x: ) }", "!Expected VALUE, actual: RPAREN (\")\") at [1, 8]@1:8" },
	{ "{ a(x: \"s\" y: %) }", "!Expected VALUE, actual: UNKNOWN_CHAR (\"%\") at [1, 15]@1:15" },
	{ "{ a(x: 1 \"q\\\"uote\") }", "!Expected NAME, actual: STRING (\"q\\\"uote\") at [1, 10]@1:10" },
	/* Quoted as Ruby quotes: #{ would start an interpolation there. */
	{ "{ a(x: 1 \"#{x} #y\") }", "!Expected NAME, actual: STRING (\"\\#{x} #y\") at [1, 10]@1:10" },
	{ "{ a(x: [1, 2) }", "!Expected VALUE, actual: RPAREN (\")\") at [1, 13]@1:13" },
	{ "{ a(x: {b 1}) }", "!Expected COLON, actual: INT (\"1\") at [1, 11]@1:11" },
	{ "{ ... }", "!Expected NAME, actual: RCURLY (\"}\") at [1, 7]@1:7" },
	{ "{ ... on { a } }", "!Expected NAME, actual: LCURLY (\"{\") at [1, 10]@1:10" },
	{ "{ a @ }", "!Expected NAME, actual: RCURLY (\"}\") at [1, 7]@1:7" },
	{ "query () { a }", "!Expected VAR_SIGN, actual: RPAREN (\")\") at [1, 8]@1:8" },
	{ "query ($a Int) { a }", "!Expected COLON, actual: IDENTIFIER (\"Int\") at [1, 11]@1:11" },
	{ "query ($a: 1) { a }", "!Expected one of IDENTIFIER, LBRACKET, actual: INT (\"1\") at [1, 12]@1:12" },
	{ "query ($a:", "!Expected one of IDENTIFIER, LBRACKET, actual: NOTHING (\"\") at [1, 10]@1:10" },
	{ "query ($a: [Int) { a }", "!Expected RBRACKET, actual: RPAREN (\")\") at [1, 16]@1:16" },
	{ "query ($a: Int!!) { a }", "!Expected VAR_SIGN, actual: BANG (\"!\") at [1, 16]@1:16" },
	{ "query ($a: Int = $b) { a }", "!Expected VALUE, actual: VAR_SIGN (\"$\") at [1, 18]@1:18" },
	{ "query ($a: Int = [{x: $b}]) { a }",
	  "!Expected VALUE, actual: VAR_SIGN (\"$\") at [1, 23]@1:23" },
	{ "query ($a: Int) { a", "!Expected NAME, actual: (none) (\"\") at [1, 19]@1:19" },
	{ "fragment on on T { a }", "!Expected IDENTIFIER, actual: ON (\"on\") at [1, 10]@1:10" },
	{ "fragment F T { a }", "!Expected ON, actual: IDENTIFIER (\"T\") at [1, 12]@1:12" },
	{ "fragment F on T", "!Expected LCURLY, actual: (none) (\"\") at [1, 15]@1:15" },
	{ "query Q @ { a }", "!Expected NAME, actual: LCURLY (\"{\") at [1, 11]@1:11" },
	{ "{ a\n  b(c: \"\\q\") }", "!Expected string or block string, but it was malformed@2:8" },
	{ "{ a: }", "!Expected NAME, actual: RCURLY (\"}\") at [1, 6]@1:6" },
	{ "{ a: b: c }", "!Expected NAME, actual: COLON (\":\") at [1, 7]@1:7" },
};

START_TEST(test_errors)
{
	assert_parses_as(errors[_i].text, errors[_i].error);
}
END_TEST

/* Locations are the first token's, 1-based, in code points. */
START_TEST(test_locations)
{
	static const char text[] = "query Q($v: [Int!] = [1]) {\n"
	    "  \"\xc3\xa9\" # not a field: a string\n";
	static const char good[] = "\n  query Q($v: [Int!] = [1]) {\n\ta: f(x: {y: $v}) @d { ...F }\n}";
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_document *doc = gql_parse(good, strlen(good), &err);
	const struct gql_definition *d;
	const struct gql_selection *f;
	const struct gql_variable_definition *v;

	ck_assert_ptr_nonnull(doc);
	d = doc->definitions;
	ck_assert_uint_eq(d->loc.line, 2);
	ck_assert_uint_eq(d->loc.column, 3);
	v = d->variables;
	ck_assert_uint_eq(v->loc.column, 11);
	ck_assert_uint_eq(v->type->loc.column, 15);          /* the [ of [Int!] */
	ck_assert_uint_eq(v->type->of->loc.column, 16);
	ck_assert_uint_eq(v->default_value->loc.column, 24);
	f = d->selections;
	ck_assert_str_eq(gql_response_key(f), "a");
	ck_assert_str_eq(f->name, "f");
	ck_assert_uint_eq(f->loc.line, 3);
	ck_assert_uint_eq(f->loc.column, 2);                 /* the alias, after a tab */
	ck_assert_uint_eq(f->arguments->loc.column, 7);
	ck_assert_uint_eq(f->arguments->value->loc.column, 10);
	ck_assert_uint_eq(f->arguments->value->fields->value->loc.column, 14);
	ck_assert_uint_eq(f->directives->loc.column, 19);
	ck_assert_uint_eq(f->selections->loc.column, 24);
	ck_assert_int_eq(f->selections->kind, GQL_SELECTION_FRAGMENT_SPREAD);
	gql_document_free(doc);

	ck_assert_ptr_null(gql_parse(text, strlen(text), &err));
	ck_assert_str_eq(buf_cstr(&err.message),
	    "Expected NAME, actual: STRING (\"\xc3\xa9\") at [2, 3]");
	ck_assert_uint_eq(err.loc.line, 2);
	ck_assert_uint_eq(err.loc.column, 3);
	gql_error_release(&err);
}
END_TEST

/* String values keep their length: a NUL does not end them. */
START_TEST(test_string_with_nul)
{
	static const char text[] = "{ a(s: \"x\\u0000y\") }";
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_document *doc = gql_parse(text, strlen(text), &err);
	const struct gql_value *s;

	ck_assert_ptr_nonnull(doc);
	s = doc->definitions->selections->arguments->value;
	ck_assert_int_eq(s->kind, GQL_VALUE_STRING);
	ck_assert_uint_eq(s->len, 3);
	ck_assert_mem_eq(s->text, "x\0y", 4);
	gql_document_free(doc);
}
END_TEST

/* The document is all in the arena: the text can go once it is parsed. */
START_TEST(test_text_not_kept)
{
	char *text = xstrdup("query Q($v: Int = 5) { alias: field(arg: \"s\", e: ENUM) }");
	struct gql_error err = GQL_ERROR_INIT;
	struct gql_document *doc = gql_parse(text, strlen(text), &err);
	struct buf out = BUF_INIT;

	ck_assert_ptr_nonnull(doc);
	memset(text, 'x', strlen(text));
	free(text);
	print_document(&out, doc);
	ck_assert_str_eq(buf_cstr(&out), "query Q($v:Int=5){alias:field(arg:\"s\",e:ENUM)}");
	buf_release(&out);
	gql_document_free(doc);
	gql_document_free(NULL);
	/* No text at all is an empty document. */
	ck_assert_ptr_null(gql_parse(NULL, 0, &err));
	ck_assert_str_eq(buf_cstr(&err.message), "Unexpected end of document");
	gql_error_release(&err);
}
END_TEST

/*
 * graphql.md section 9: the queries real clients send, verbatim (blank
 * lines and indentation included: locations depend on them).
 */

/* 9.1 github/branch-deploy v12, src/functions/deployment.ts buildQuery(). */
static const char branch_deploy_v12[] =
	    "\n"
	    "    query BranchDeployments($repo_owner: String!, $repo_name: String!, $environment: String!, $first: Int!, $cursor: String) {\n"
	    "      repository(owner: $repo_owner, name: $repo_name) {\n"
	    "        id\n"
	    "        nameWithOwner\n"
	    "        deployments(environments: [$environment], first: $first, after: $cursor, orderBy: { field: CREATED_AT, direction: DESC }) {\n"
	    "          nodes {\n"
	    "            createdAt\n"
	    "            environment\n"
	    "            id\n"
	    "            payload\n"
	    "            state\n"
	    "            commit {\n"
	    "              oid\n"
	    "            }\n"
	    "          }\n"
	    "          pageInfo {\n"
	    "            endCursor\n"
	    "            hasNextPage\n"
	    "          }\n"
	    "        }\n"
	    "      }\n"
	    "    }\n"
	    ;

/* 9.2 github/branch-deploy v9 to v11.1.5, src/functions/deployment.js
 * buildQuery(page): a template, ${page} replaced by the text null, then by
 * the raw previous endCursor. */
static const char branch_deploy_v9[] =
	    "\n"
	    "    query ($repo_owner: String!, $repo_name: String!, $environment: String!) {\n"
	    "      repository(owner: $repo_owner, name: $repo_name) {\n"
	    "        deployments(environments: [$environment], first: 100, after: ${page}, orderBy: { field: CREATED_AT, direction: DESC }) {\n"
	    "          nodes {\n"
	    "            createdAt\n"
	    "            environment\n"
	    "            updatedAt\n"
	    "            id\n"
	    "            payload\n"
	    "            state\n"
	    "            ref {\n"
	    "              name\n"
	    "            }\n"
	    "            creator {\n"
	    "              login\n"
	    "            }\n"
	    "            commit {\n"
	    "              oid\n"
	    "            }\n"
	    "          }\n"
	    "          pageInfo {\n"
	    "            endCursor\n"
	    "            hasNextPage\n"
	    "          }\n"
	    "        }\n"
	    "      }\n"
	    "    }\n"
	    ;

/* 9.3 Backstage github-deployments plugin, deploymentsQuery. */
static const char backstage[] =
	    "\n"
	    "query deployments($owner: String!, $repo: String!, $last: Int, $lastStatuses: Int) {\n"
	    "  repository(owner: $owner, name: $repo) {\n"
	    "    deployments(last: $last) {\n"
	    "      nodes {\n"
	    "        state\n"
	    "        environment\n"
	    "        updatedAt\n"
	    "        commit {\n"
	    "          abbreviatedOid\n"
	    "          commitUrl\n"
	    "        }\n"
	    "        statuses(last: $lastStatuses) {\n"
	    "          nodes {\n"
	    "            logUrl\n"
	    "          }\n"
	    "        }\n"
	    "        creator {\n"
	    "          login\n"
	    "        }\n"
	    "        repository {\n"
	    "          nameWithOwner\n"
	    "        }\n"
	    "        payload\n"
	    "      }\n"
	    "    }\n"
	    "  }\n"
	    "}\n"
	    ;

/* 9.3 the plugin's first version (2021). */
static const char backstage_2021[] =
	    "\n"
	    "query lastDeployments($owner: String!, $repo: String!, $last: Int) {\n"
	    "  repository(owner: $owner, name: $repo) {\n"
	    "    deployments(last: $last) {\n"
	    "      nodes {\n"
	    "        state\n"
	    "        environment\n"
	    "        updatedAt\n"
	    "        commit {\n"
	    "          abbreviatedOid\n"
	    "          commitUrl\n"
	    "        }\n"
	    "      }\n"
	    "    }\n"
	    "  }\n"
	    "}\n"
	    ;

/* 9.3 backstage/community-plugins, plugin 0.6.0: not valid GraphQL
 * (`environments` lacks its $), and GitHub says so. */
static const char backstage_community[] =
	    "\n"
	    "query deployments($owner: String!, $repo: String!, environments: [String!] $last: Int, $lastStatuses: Int) {\n"
	    "  repository(owner: $owner, name: $repo) {\n"
	    "    deployments(last: $last, environments: $environments) {\n"
	    "      nodes {\n"
	    "        state\n"
	    "        environment\n"
	    "        updatedAt\n"
	    "        commit {\n"
	    "          abbreviatedOid\n"
	    "          commitUrl\n"
	    "        }\n"
	    "        statuses(last: $lastStatuses) {\n"
	    "          nodes {\n"
	    "            logUrl\n"
	    "          }\n"
	    "        }\n"
	    "        creator {\n"
	    "          login\n"
	    "        }\n"
	    "        repository {\n"
	    "          nameWithOwner\n"
	    "        }\n"
	    "        payload\n"
	    "      }\n"
	    "    }\n"
	    "  }\n"
	    "}\n"
	    ;

/* 9.4 badges/shields, the GitHub deployments badge. */
static const char shields[] =
	    "        query ($user: String!, $repo: String!, $environment: String!) {\n"
	    "          repository(owner: $user, name: $repo) {\n"
	    "            deployments(last: 1, environments: [$environment]) {\n"
	    "              nodes {\n"
	    "                latestStatus {\n"
	    "                  state\n"
	    "                }\n"
	    "              }\n"
	    "            }\n"
	    "          }\n"
	    "        }\n"
	    ;

/* 9.4 AminFazlMondo/check-deployed-environment: a trailing comma in the
 * variable list. */
static const char check_deployed_environment[] =
	    "\n"
	    "query deployDetails($owner: String!, $name: String!, $environment: String!, $maxHistorySize: Int!,) {\n"
	    "  repository(owner: $owner, name: $name) {\n"
	    "    deployments(environments: [$environment], first: $maxHistorySize, orderBy: {field: CREATED_AT, direction: DESC}) {\n"
	    "      nodes {\n"
	    "        commitOid\n"
	    "        state\n"
	    "      }\n"
	    "    }\n"
	    "  }\n"
	    "}\n"
	    ;

/* 9.4 apache/devlake: generated from Go struct tags, so no literal text
 * exists; this is the selection section 9.4 gives, written the way the
 * generator writes it (commas, no spaces). */
static const char devlake[] =
    "query($owner:String!,$name:String!,$pageSize:Int!,$skipCursor:String){rateLimit{cost},"
    "repository(owner:$owner,name:$name){deployments(first:$pageSize,after:$skipCursor,"
    "orderBy:{field:CREATED_AT,direction:DESC}){totalCount,pageInfo{endCursor,hasNextPage},"
    "nodes{task,id,commitOid,environment,state,databaseId,description,payload,ref{id,name,prefix},"
    "latestStatus{id,state,updatedAt},repository{id,name,url},createdAt,updatedAt}}}}";

/* branch_deploy_v9 with ${page} replaced by page. */
static char *
branch_deploy_v9_page(const char *page)
{
	const char *hole = strstr(branch_deploy_v9, "${page}");
	struct buf b = BUF_INIT;

	ck_assert_ptr_nonnull(hole);
	buf_append(&b, branch_deploy_v9, (size_t)(hole - branch_deploy_v9));
	buf_puts(&b, page);
	buf_puts(&b, hole + strlen("${page}"));
	return buf_detach(&b);
}

START_TEST(test_fixtures_parse)
{
	char *v9 = branch_deploy_v9_page("null");
	const char *const fixtures[] = {
		branch_deploy_v12, v9, backstage, backstage_2021, shields, check_deployed_environment,
		devlake,
	};

	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		char *got = parse_and_print(fixtures[i], strlen(fixtures[i]));

		ck_assert_msg(got[0] != '!', "fixture %zu: %s", i, got);
		free(got);
	}
	free(v9);
}
END_TEST

/* The whole tree of one fixture, to the last argument. */
START_TEST(test_fixture_tree)
{
	assert_parses_as(branch_deploy_v12,
	    "query BranchDeployments($repo_owner:String!,$repo_name:String!,$environment:String!,"
	    "$first:Int!,$cursor:String){repository(owner:$repo_owner,name:$repo_name){id nameWithOwner "
	    "deployments(environments:[$environment],first:$first,after:$cursor,"
	    "orderBy:{field:CREATED_AT,direction:DESC}){nodes{createdAt environment id payload state "
	    "commit{oid}} pageInfo{endCursor hasNextPage}}}}");
	assert_parses_as(shields,
	    "query($user:String!,$repo:String!,$environment:String!){repository(owner:$user,name:$repo)"
	    "{deployments(last:1,environments:[$environment]){nodes{latestStatus{state}}}}}");
}
END_TEST

/* Section 9.2's later pages fail as they fail on GitHub: a cursor with =
 * is a syntax error at the =, an alphanumeric one parses as an enum value
 * (which validation then refuses as a String). */
START_TEST(test_fixture_v9_cursors)
{
	char *with_equals = branch_deploy_v9_page("Y3Vyc29yOnYyOpK5MjAyNC0wOS0xOVQyMDoxODoxOCswMDowMCo=");
	char *alphanumeric = branch_deploy_v9_page("Y3Vyc29yOnYyOpK5MjAyNC0wOS0xOVQyMDoxODoxOCswMDowMCo");
	char *got = parse_and_print(with_equals, strlen(with_equals));

	ck_assert_str_eq(got, "!Expected NAME, actual: EQUALS (\"=\") at [4, 121]@4:121");
	free(got);
	got = parse_and_print(alphanumeric, strlen(alphanumeric));
	ck_assert_ptr_nonnull(strstr(got, ",after:Y3Vyc29yOnYyOpK5MjAyNC0wOS0xOVQyMDoxODoxOCswMDowMCo,"));
	free(got);
	free(with_equals);
	free(alphanumeric);
}
END_TEST

/* Section 9.3: GitHub's exact answer to the community plugin's query. */
START_TEST(test_fixture_backstage_community)
{
	char *got = parse_and_print(backstage_community, strlen(backstage_community));

	ck_assert_str_eq(got,
	    "!Expected VAR_SIGN, actual: IDENTIFIER (\"environments\") at [2, 52]@2:52");
	free(got);
}
END_TEST

/*
 * The limits of gql_limits.h.
 */

#define TOO_LARGE "This query is too large to execute."

/* text parses (expected NULL), or fails as expected ("!message@l:c"). */
static void
assert_limit(const struct buf *text, const char *expected)
{
	char *got = parse_and_print(text->data, text->len);

	if (expected == NULL)
		ck_assert_msg(got[0] != '!', "%s", got);
	else
		ck_assert_str_eq(got, expected);
	free(got);
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
	assert_limit(&b, NULL);
	buf_putc(&b, ' ');
	assert_limit(&b, "!" TOO_LARGE "@0:0");
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
	assert_limit(&b, NULL);

	buf_reset(&b);
	buf_puts(&b, "{");
	for (int i = 0; i < GQL_TOKENS_MAX - 1; i++)
		buf_puts(&b, " a");
	buf_puts(&b, " }");
	snprintf(expected, sizeof(expected), "!" TOO_LARGE "@1:%d", 2 * GQL_TOKENS_MAX + 1);
	assert_limit(&b, expected);

	buf_reset(&b);
	buf_puts(&b, "{ a ");
	for (int i = 0; i < 2 * GQL_TOKENS_MAX; i++)
		buf_puts(&b, ",# comment\n");
	buf_puts(&b, "}");
	assert_limit(&b, NULL);
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

	doc = gql_parse("{ ...F }", 8, &err);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(doc->depth, 0);
	gql_document_free(doc);

	buf_reset(&b);
	nested_fields(&b, GQL_DEPTH_MAX + 1, true);
	assert_limit(&b, "!Query has depth of 26, which exceeds max depth of 25@0:0");

	buf_reset(&b);
	nested_fields(&b, 40, false);
	assert_limit(&b, "!Query has depth of 40, which exceeds max depth of 25@0:0");
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
	assert_limit(&b, "!Query has depth of 100, which exceeds max depth of 25@0:0");
	buf_reset(&b);
	nested_fields(&b, GQL_NESTING_MAX + 1, false);
	snprintf(expected, sizeof(expected), "!" TOO_LARGE "@1:%d", 2 * (GQL_NESTING_MAX + 1) - 1);
	assert_limit(&b, expected);

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
	snprintf(expected, sizeof(expected), "!" TOO_LARGE "@1:%d", 9 + 5 * 49);
	assert_limit(&b, expected);

	buf_reset(&b);
	buf_puts(&b, "query ($v: ");
	for (int i = 0; i <= GQL_NESTING_MAX; i++)
		buf_putc(&b, '[');
	buf_puts(&b, "Int");
	for (int i = 0; i <= GQL_NESTING_MAX; i++)
		buf_putc(&b, ']');
	buf_puts(&b, ") { a }");
	snprintf(expected, sizeof(expected), "!" TOO_LARGE "@1:%d", 12 + GQL_NESTING_MAX);
	assert_limit(&b, expected);
	buf_release(&b);
}
END_TEST

Suite *
gql_parser_suite(void)
{
	return suite_of("gql_parser",
	    tcase_with_table("shapes", test_shapes, (int)ARRAY_SIZE(shapes), (const TTest *const[]){
		test_locations, test_string_with_nul, test_text_not_kept, NULL }),
	    tcase_with_table("errors", test_errors, (int)ARRAY_SIZE(errors), (const TTest *const[]){ NULL }),
	    tcase_of("fixtures", 0, (const TTest *const[]){ test_fixtures_parse, test_fixture_tree,
		test_fixture_v9_cursors, test_fixture_backstage_community, NULL }),
	    tcase_of("limits", 0, (const TTest *const[]){ test_document_size, test_token_count, test_depth,
		test_nesting, NULL }),
	    NULL);
}
