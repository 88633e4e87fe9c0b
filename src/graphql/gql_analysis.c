#include "config.h"

#include "gql_analysis.h"

#include <stdlib.h>
#include <string.h>

#include "gql_request.h"

struct analysis {
	const struct gql_document *doc;
	const struct gql_schema *schema;
	const struct gql_argument *vars;
	struct gql_errors *errs;
	int64_t nodes;
	int64_t requests;
	/* Where the running total first passed the limit inside another
	 * connection: GitHub's message names that connection. */
	const char *passed_at;
	int64_t passed_with;
	int failed;
};

/* first or last as given, or -1 when absent or out of range (the
 * executor reports a bad value where GitHub does). */
static int64_t
page_size(const struct gql_selection *f, const char *name, const struct gql_argument *vars)
{
	const struct gql_value *v = gql_argument(f, name, vars);
	int64_t n;

	if (v == NULL || v->kind != GQL_VALUE_INT ||
	    parse_int64(v->text, 0, GQL_PAGE_MAX, &n) < 0)
		return -1;
	return n;
}

/* Whether a selection set picks `nodes` or `edges`, through fragments. */
static bool
selects_items(const struct analysis *a, const struct gql_selection *sel)
{
	for (; sel; sel = sel->next) {
		const struct gql_definition *frag;

		if (!gql_included(sel->directives, a->vars))
			continue;
		if (sel->kind == GQL_SELECTION_FIELD) {
			if (strcmp(sel->name, "nodes") == 0 || strcmp(sel->name, "edges") == 0)
				return true;
		} else if (sel->kind == GQL_SELECTION_INLINE_FRAGMENT) {
			if (selects_items(a, sel->selections))
				return true;
		} else if ((frag = gql_fragment(a->doc, sel->name)) && selects_items(a, frag->selections)) {
			return true;
		}
	}
	return false;
}

static void walk_set(struct analysis *a, const struct gql_type_def *type,
    const struct gql_selection *sel, const struct gql_path *path, int64_t multiplier);

static void
walk_field(struct analysis *a, const struct gql_type_def *type, const struct gql_selection *sel,
    const struct gql_path *up, int64_t multiplier)
{
	struct gql_path path = { .up = up, .key = gql_response_key(sel) };
	const struct gql_field_def *def = gql_schema_field(type, sel->name);
	char name[64];
	int64_t n;

	if (def == NULL || sel->selections == NULL)
		return;
	if (def->connection) {
		n = page_size(sel, "first", a->vars);
		if (n < 0)
			n = page_size(sel, "last", a->vars);
		if (gql_argument(sel, "first", a->vars) == NULL &&
		    gql_argument(sel, "last", a->vars) == NULL && selects_items(a, sel->selections)) {
			struct buf msg = BUF_INIT;

			buf_printf(&msg, "You must provide a `first` or `last` value to properly "
			    "paginate the `%s` connection.", sel->name);
			gql_errors_add(a->errs, "MISSING_PAGINATION_BOUNDARIES", &path, sel->loc,
			    buf_cstr(&msg));
			buf_release(&msg);
			a->failed = -1;
		}
		if (n < 0)
			n = 0;
		a->requests += multiplier;
		if (a->passed_at == NULL && multiplier > 1 && a->nodes + multiplier * n > GQL_NODE_LIMIT) {
			a->passed_at = sel->name;
			a->passed_with = a->nodes + multiplier * n;
		}
		multiplier *= n;
		a->nodes += multiplier;
		/* Beyond this the sums could overflow; the answer is decided. */
		if (a->nodes > GQL_NODE_LIMIT * (int64_t)GQL_NODE_LIMIT)
			return;
	}
	gql_schema_named(def->type, name);
	walk_set(a, gql_schema_type(a->schema, name), sel->selections, &path, multiplier);
}

static void
walk_set(struct analysis *a, const struct gql_type_def *type, const struct gql_selection *sel,
    const struct gql_path *path, int64_t multiplier)
{
	for (; sel; sel = sel->next) {
		const struct gql_definition *frag;

		if (!gql_included(sel->directives, a->vars))
			continue;
		if (sel->kind == GQL_SELECTION_FIELD) {
			walk_field(a, type, sel, path, multiplier);
		} else if (sel->kind == GQL_SELECTION_INLINE_FRAGMENT) {
			walk_set(a, sel->type_condition ? gql_schema_type(a->schema, sel->type_condition)
			    : type, sel->selections, path, multiplier);
		} else if ((frag = gql_fragment(a->doc, sel->name))) {
			walk_set(a, gql_schema_type(a->schema, frag->type_condition), frag->selections,
			    path, multiplier);
		}
	}
}

/* 2010050 -> "2,010,050" */
static void
put_thousands(struct buf *b, int64_t n)
{
	if (n >= 1000) {
		put_thousands(b, n / 1000);
		buf_printf(b, ",%03d", (int)(n % 1000));
	} else {
		buf_printf(b, "%d", (int)n);
	}
}

int
gql_analyse(const struct gql_document *doc, const struct gql_schema *schema,
    const struct gql_definition *op, const struct gql_argument *vars, struct gql_errors *errs,
    struct gql_cost *out)
{
	struct analysis a = { .doc = doc, .schema = schema, .vars = vars, .errs = errs };
	const char *root = op->operation == GQL_OPERATION_MUTATION ? schema->mutation : schema->query;

	walk_set(&a, gql_schema_type(schema, root), op->selections, NULL, 1);
	if (a.nodes > GQL_NODE_LIMIT) {
		struct buf msg = BUF_INIT;

		if (a.passed_at) {
			buf_printf(&msg, "By the time this query traverses to the %s connection, it is "
			    "requesting up to ", a.passed_at);
			put_thousands(&msg, a.passed_with);
		} else {
			buf_puts(&msg, "This query requests up to ");
			put_thousands(&msg, a.nodes);
		}
		buf_puts(&msg, " possible nodes which exceeds the maximum limit of ");
		put_thousands(&msg, GQL_NODE_LIMIT);
		buf_putc(&msg, '.');
		gql_errors_add(errs, "MAX_NODE_LIMIT_EXCEEDED", NULL, (struct gql_location){ 0, 0 },
		    buf_cstr(&msg));
		buf_release(&msg);
		a.failed = -1;
	}
	out->nodes = a.nodes;
	out->cost = (a.requests + 50) / 100;
	if (out->cost < 1)
		out->cost = 1;
	return a.failed;
}
