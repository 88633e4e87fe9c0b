#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gql_analysis.h"
#include "gql_parser.h"
#include "gql_request.h"
#include "gql_validate.h"
#include "graphql_schema.h"
#include "unit.h"

/*
 * Validation, variable coercion and the analysis of a query against the
 * server's schema, as h_graphql runs them: the errors list they give, or
 * "ok" with the node count and cost. Variables are written as a GraphQL
 * object literal (a JSON body's strings are GraphQL strings too).
 */
static char *
check(const char *query, const char *variables)
{
	struct gql_error perr = GQL_ERROR_INIT;
	struct gql_document *doc = gql_parse(query, strlen(query), &perr);
	struct gql_document *vdoc = NULL;
	const struct gql_value *provided = NULL;
	const struct gql_definition *op;
	struct gql_argument *vars;
	struct gql_errors errs;
	struct gql_cost cost;
	struct buf out = BUF_INIT;

	ck_assert_msg(doc != NULL, "%s", buf_cstr(&perr.message));
	if (variables) {
		struct buf v = BUF_INIT;

		buf_printf(&v, "{ v(x: %s) }", variables);
		vdoc = gql_parse(v.data, v.len, &perr);
		ck_assert_ptr_nonnull(vdoc);
		provided = vdoc->definitions->selections->arguments->value;
		buf_release(&v);
	}
	gql_errors_init(&errs);
	op = gql_operation(doc, NULL, &out);
	ck_assert_ptr_nonnull(op);
	if (gql_validate(doc, &graphql_schema, op, &errs) < 0 ||
	    gql_coerce_variables(&doc->arena, &graphql_schema, op, provided, &vars, &errs) < 0 ||
	    gql_analyse(doc, &graphql_schema, op, vars, &errs, &cost) < 0)
		buf_puts(&out, gql_errors_finish(&errs));
	else
		buf_printf(&out, "ok nodes=%lld cost=%lld", (long long)cost.nodes, (long long)cost.cost);
	gql_errors_release(&errs);
	gql_document_free(vdoc);
	gql_document_free(doc);
	gql_error_release(&perr);
	return buf_detach(&out);
}

static const struct {
	const char *query;
	const char *variables;
	const char *expected;
} cases[] = {
	{ "{ viewer { login } }", NULL, "ok nodes=0 cost=1" },
	{ "{ repository(owner: \"o\", name: \"n\") { deployments(first: 100) { nodes {"
	  " statuses(first: 100) { nodes { id } } } } } }", NULL, "ok nodes=10100 cost=1" },
	{ "{ viewer { nope } }", NULL,
	  "[{\"path\":[\"query\",\"viewer\",\"nope\"],\"extensions\":{\"code\":\"undefinedField\","
	  "\"typeName\":\"User\",\"fieldName\":\"nope\"},\"locations\":[{\"line\":1,\"column\":12}],"
	  "\"message\":\"Field 'nope' doesn't exist on type 'User'\"}]" },
	/* branch-deploy v11's second page: the cursor is an enum literal. */
	{ "query Q { repository(owner: \"o\", name: \"n\") { deployments(first: 1, after: abc) {"
	  " totalCount } } }", NULL,
	  "[{\"path\":[\"query Q\",\"repository\",\"deployments\"],\"extensions\":{\"code\":"
	  "\"argumentLiteralsIncompatible\",\"typeName\":\"Field\",\"argumentName\":\"after\"},"
	  "\"locations\":[{\"line\":1,\"column\":69}],\"message\":\"Argument 'after' on Field "
	  "'deployments' has an invalid value (abc). Expected type 'String'.\"}]" },
	{ "{ repository(owner: \"o\") { id } }", NULL,
	  "[{\"path\":[\"query\",\"repository\"],\"extensions\":{\"code\":\"missingRequiredArguments\","
	  "\"className\":\"Field\",\"name\":\"repository\",\"arguments\":\"name\"},\"locations\":"
	  "[{\"line\":1,\"column\":3}],\"message\":\"Field 'repository' is missing required "
	  "arguments: name\"}]" },
	{ "{ node(id: $id) { id } }", NULL,
	  "[{\"path\":[\"query\",\"node\"],\"extensions\":{\"code\":\"variableNotDefined\","
	  "\"variableName\":\"id\"},\"locations\":[{\"line\":1,\"column\":12}],\"message\":"
	  "\"Variable $id is used by node but not declared\"}]" },
	{ "{ viewer }", NULL,
	  "[{\"path\":[\"query\",\"viewer\"],\"extensions\":{\"code\":\"selectionMismatch\","
	  "\"nodeName\":\"viewer\"},\"locations\":[{\"line\":1,\"column\":3}],\"message\":\"Field "
	  "must have selections (field 'viewer' returns User! but has no selections. Did you mean "
	  "'viewer { ... }'?)\"}]" },
	{ "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", NULL,
	  "[{\"path\":[\"fragment B\"],\"extensions\":{\"code\":\"infiniteLoop\",\"fragmentName\":"
	  "\"A\"},\"locations\":[{\"line\":1,\"column\":61}],\"message\":\"Fragment A contains an "
	  "infinite loop\"}]" },
	{ "{ ...Missing }", NULL,
	  "[{\"path\":[\"query\"],\"extensions\":{\"code\":\"useAndDefineFragment\",\"fragmentName\":"
	  "\"Missing\"},\"locations\":[{\"line\":1,\"column\":3}],\"message\":\"Fragment Missing was "
	  "used, but not defined\"}]" },
	{ "query ($first: Int!) { viewer { login } }", NULL,
	  "[{\"extensions\":{\"value\":null,\"problems\":[{\"path\":[],\"explanation\":\"Expected "
	  "value to not be null\"}]},\"locations\":[{\"line\":1,\"column\":8}],\"message\":"
	  "\"Variable $first of type Int! was provided invalid value\"}]" },
	{ "query ($first: Int) { viewer { login } }", "{first: \"x\"}",
	  "[{\"extensions\":{\"value\":\"x\",\"problems\":[{\"path\":[],\"explanation\":\"Could not "
	  "coerce value \\\"x\\\" to Int\"}]},\"locations\":[{\"line\":1,\"column\":8}],\"message\":"
	  "\"Variable $first of type Int was provided invalid value\"}]" },
	/* Enums arrive as strings in variables; undeclared ones are ignored. */
	{ "query ($o: DeploymentOrder, $f: Int) { repository(owner: \"o\", name: \"n\") {"
	  " deployments(orderBy: $o, first: $f) { nodes { id } } } }",
	  "{o: {field: \"CREATED_AT\", direction: \"DESC\"}, f: 3, host: \"github.com\"}",
	  "ok nodes=3 cost=1" },
	{ "query ($o: DeploymentOrder) { viewer { login } }", "{o: {field: \"NAME\", direction: \"ASC\"}}",
	  "[{\"extensions\":{\"value\":{\"field\":\"NAME\",\"direction\":\"ASC\"},\"problems\":"
	  "[{\"path\":[],\"explanation\":\"Could not coerce value \\\"NAME\\\" to "
	  "DeploymentOrderField\"}]},\"locations\":[{\"line\":1,\"column\":8}],\"message\":"
	  "\"Variable $o of type DeploymentOrder was provided invalid value\"}]" },
	{ "query {\n  repository(owner: \"o\", name: \"n\") {\n    d: deployments { edges { cursor } }\n  }\n}",
	  NULL,
	  "[{\"type\":\"MISSING_PAGINATION_BOUNDARIES\",\"path\":[\"repository\",\"d\"],"
	  "\"locations\":[{\"line\":3,\"column\":5}],\"message\":\"You must provide a `first` or "
	  "`last` value to properly paginate the `deployments` connection.\"}]" },
	/* totalCount alone needs no bound (graphql.md section 8). */
	{ "{ repository(owner: \"o\", name: \"n\") { deployments { totalCount } } }", NULL,
	  "ok nodes=0 cost=1" },
	{ "query ($n: Int = 100) { repository(owner: \"o\", name: \"n\") { a: deployments(first: $n) {"
	  " nodes { statuses(first: $n) { nodes { deployment { statuses(first: 100) { totalCount }"
	  " } } } } } } }", NULL,
	  "[{\"type\":\"MAX_NODE_LIMIT_EXCEEDED\",\"message\":\"By the time this query "
	  "traverses to the statuses connection, it is requesting up to 1,010,100 possible nodes "
	  "which exceeds the maximum limit of 500,000.\"}]" },
	/* Variables fit where their types do: String! in [String!], Int! for
	 * Int, Int with a default for Int!. */
	{ "query ($e: String!, $f: Int!, $o: String = \"o\") { repository(owner: $o, name: \"n\") {"
	  " deployments(environments: [$e], first: $f) { totalCount } } }",
	  "{e: \"production\", f: 1}", "ok nodes=1 cost=1" },
	{ "query ($first: String) { repository(owner: \"o\", name: \"n\") {"
	  " deployments(first: $first) { totalCount } } }", NULL,
	  "[{\"path\":[\"query\",\"repository\",\"deployments\"],\"extensions\":{\"code\":"
	  "\"variableMismatch\",\"variableName\":\"first\",\"typeName\":\"String\",\"argumentName\":"
	  "\"first\",\"errorMessage\":\"Type mismatch\"},\"locations\":[{\"line\":1,\"column\":81}],"
	  "\"message\":\"Type mismatch on variable $first and argument first (String / Int)\"}]" },
	{ "{ viewer { login @skip(if: true) @cached } }", NULL,
	  "[{\"path\":[\"query\",\"viewer\",\"login\"],\"extensions\":{\"code\":\"undefinedDirective\","
	  "\"directiveName\":\"cached\"},\"locations\":[{\"line\":1,\"column\":34}],\"message\":"
	  "\"Directive @cached is not defined\"}]" },
};

START_TEST(test_check)
{
	char *got = check(cases[_i].query, cases[_i].variables);

	ck_assert_str_eq(got, cases[_i].expected);
	free(got);
}
END_TEST

/* A document that spreads each fragment into the next twice selects 2^n
 * fields spread out: refused before any walk takes that long. */
START_TEST(test_fragment_bomb)
{
	struct buf q = BUF_INIT;
	char *got;

	buf_puts(&q, "{ ...F0 }");
	for (int i = 0; i < 40; i++)
		buf_printf(&q, " fragment F%d on Query { ...F%d ...F%d }", i, i + 1, i + 1);
	buf_puts(&q, " fragment F40 on Query { viewer { login } }");
	got = check(q.data, NULL);
	ck_assert_str_eq(got, "[{\"message\":\"This query is too large to execute.\"}]");
	free(got);
	buf_release(&q);
}
END_TEST

/* Fragments spreading fragments nest fields deeper than the text does:
 * counted as graphql-ruby counts them, and refused. */
START_TEST(test_depth_through_fragments)
{
	struct buf q = BUF_INIT;
	char *got;

	buf_puts(&q, "{ node(id: \"x\") { ...F0 } }");
	for (int i = 0; i < 12; i++)
		buf_printf(&q, " fragment F%d on Deployment { statuses(first: 1) { nodes { deployment"
		    " { ...F%d } } } }", i, i + 1);
	buf_puts(&q, " fragment F12 on Deployment { id }");
	got = check(q.data, NULL);
	ck_assert_str_eq(got, "[{\"message\":\"Query has depth of 38, which exceeds max depth of "
	    "25\"}]");
	free(got);
	buf_release(&q);
}
END_TEST

/* Fields of one key merge, in document order, through fragments whose
 * type condition applies; @skip and @include are honoured. */
START_TEST(test_collect)
{
	const char *q = "{ ... on Deployment { id a: task } ... on DeploymentStatus { state }"
	    " ...D id @skip(if: true) b: id @include(if: false) c: id }"
	    " fragment D on Node { id createdAt }";
	struct gql_error perr = GQL_ERROR_INIT;
	struct gql_document *doc = gql_parse(q, strlen(q), &perr);
	struct gql_set root = { doc->definitions->selections, NULL };
	struct buf keys = BUF_INIT;

	for (const struct gql_field_group *g = gql_collect(&doc->arena, doc, &graphql_schema, &root,
		 "Deployment", NULL); g; g = g->next)
		buf_printf(&keys, "%s ", g->key);
	ck_assert_str_eq(buf_cstr(&keys), "id a createdAt c ");
	buf_release(&keys);
	gql_document_free(doc);
}
END_TEST

Suite *
gql_validate_suite(void)
{
	return suite_of("gql_validate",
	    tcase_with_table("check", test_check, (int)ARRAY_SIZE(cases), (const TTest *const[]){
		test_fragment_bomb, test_depth_through_fragments, test_collect, NULL }),
	    NULL);
}
