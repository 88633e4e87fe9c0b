#include "config.h"

/*
 * POST /graphql and /api/graphql (graphql.md sections 1 and 2): the body
 * {query, variables, operationName}, or the query string of those names
 * for GET, which runs queries only; every GraphQL-level answer is 200,
 * with `errors` alone when the request fails before execution (parse,
 * validation, variables, the analysis), `data` and maybe `errors` after.
 */

#include <string.h>

#include "gql_analysis.h"
#include "gql_parser.h"
#include "gql_request.h"
#include "gql_validate.h"
#include "graphql_exec.h"
#include "graphql_schema.h"
#include "handler.h"
#include "input.h"

static void
reply_errors(struct handler_ctx *ctx, struct gql_errors *errs)
{
	struct jsonw w;

	response_json_begin(ctx->res, 200, &w);
	jw_object_begin(&w);
	jw_key(&w, "errors");
	jw_raw(&w, gql_errors_finish(errs));
	jw_object_end(&w);
}

static void
reply_message(struct handler_ctx *ctx, struct gql_location loc, const char *message)
{
	struct gql_errors errs;

	gql_errors_init(&errs);
	gql_errors_add(&errs, NULL, NULL, loc, message);
	reply_errors(ctx, &errs);
	gql_errors_release(&errs);
}

/* Validation, variables and analysis, then execution. */
static void
run(struct handler_ctx *ctx, const struct input *body, struct gql_document *doc,
    const struct gql_definition *op, struct gql_errors *errs)
{
	struct graphql_exec x = {
		.ctx = ctx, .doc = doc, .arena = &doc->arena, .errs = errs, .rate = ctx->rate,
	};
	struct gql_argument *vars;
	struct buf data = BUF_INIT;
	struct jsonw dw, w;

	if (gql_validate(doc, &graphql_schema, op, errs) < 0 ||
	    gql_coerce_variables(&doc->arena, &graphql_schema, op,
		input_gql_value(body, "variables", &doc->arena), &vars, errs) < 0 ||
	    gql_analyse(doc, &graphql_schema, op, vars, errs, &x.cost) < 0) {
		reply_errors(ctx, errs);
		return;
	}
	x.vars = vars;
	jw_init(&dw, &data);
	if (graphql_execute(&x, op, &dw) < 0) {
		buf_release(&data);
		reply_db_failure(ctx, &x.db_error);
		return;
	}
	response_json_begin(ctx->res, 200, &w);
	jw_object_begin(&w);
	jw_key(&w, "data");
	jw_raw(&w, buf_cstr(&data));
	if (errs->count) {
		jw_key(&w, "errors");
		jw_raw(&w, gql_errors_finish(errs));
	}
	jw_object_end(&w);
	buf_release(&data);
}

void
h_graphql(struct handler_ctx *ctx)
{
	bool get = strcmp(ctx->req->method, "POST") != 0;
	struct input *body = get ? input_graphql_query_or_reply(ctx) : input_body_or_reply(ctx);
	struct gql_error perr = GQL_ERROR_INIT;
	struct gql_document *doc = NULL;
	const struct gql_definition *op;
	struct gql_errors errs;
	struct buf msg = BUF_INIT;
	const char *query, *name;
	size_t len, name_len;

	if (body == NULL)
		return;
	gql_errors_init(&errs);
	query = input_raw_string(body, "query", &len);
	name = input_raw_string(body, "operationName", &name_len);
	if (query == NULL) {
		reply_message(ctx, (struct gql_location){ 0, 0 },
		    "A query attribute must be specified and must be a string.");
	} else if ((doc = gql_parse(query, len, &perr)) == NULL) {
		reply_message(ctx, perr.loc, buf_cstr(&perr.message));
	} else if ((op = gql_operation(doc, name && strlen(name) == name_len ? name : NULL,
	    &msg)) == NULL) {
		reply_message(ctx, (struct gql_location){ 0, 0 }, buf_cstr(&msg));
	} else if (get && op->operation == GQL_OPERATION_MUTATION) {
		/* Decision (graphql.md section 1): GitHub's text is unknown. */
		reply_message(ctx, (struct gql_location){ 0, 0 }, "Mutations can only be sent over POST.");
	} else {
		run(ctx, body, doc, op, &errs);
	}
	buf_release(&msg);
	gql_errors_release(&errs);
	gql_document_free(doc);
	gql_error_release(&perr);
	input_release(body);
}
