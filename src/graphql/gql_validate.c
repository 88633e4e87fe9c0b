#include "config.h"

#include "gql_validate.h"

#include <stdlib.h>
#include <string.h>

#include "gql_introspection.h"
#include "gql_limits.h"
#include "gql_request.h"

/* What a selection set selects, fragments spread out. */
struct extent {
	int64_t size;        /* fields, at most GQL_EXPANDED_MAX + 1 */
	unsigned depth;      /* of fields nested in fields */
};

/* A fragment's place in the walk over spreads. */
struct fragment_state {
	const struct gql_definition *def;
	int mark;            /* 0 not seen, 1 being expanded, 2 done */
	struct extent extent;
};

struct validator {
	const struct gql_document *doc;
	const struct gql_schema *schema;
	const struct gql_definition *op;
	struct gql_errors *errs;
	struct fragment_state *frags;
	size_t nfrags;
	struct buf msg;
	/* A variable literal_fits found where its type does not fit, and the
	 * type expected there. */
	const struct gql_variable_definition *mismatch;
	struct buf mismatch_expected;
	int failed;
};

/* An error with {"code": code, then the extensions the caller adds}. */
static void
begin_error(struct validator *v, const struct gql_path *path, const char *code)
{
	gql_errors_begin(v->errs, NULL, path);
	jw_key(&v->errs->w, "extensions");
	jw_object_begin(&v->errs->w);
	jw_kv_string(&v->errs->w, "code", code);
	buf_reset(&v->msg);
	v->failed = -1;
}

static void
end_error(struct validator *v, struct gql_location loc)
{
	jw_object_end(&v->errs->w);
	gql_errors_end(v->errs, loc, buf_cstr(&v->msg));
}

/* A literal as GraphQL writes it, for messages: {field: CREATED_AT}. */
static void
print_value(struct buf *b, const struct gql_value *val)
{
	struct jsonw w;

	switch (val->kind) {
	case GQL_VALUE_VARIABLE:
		buf_printf(b, "$%s", val->text);
		break;
	case GQL_VALUE_STRING:
		jw_init(&w, b);
		jw_stringn(&w, val->text, val->len);
		break;
	case GQL_VALUE_BOOLEAN:
		buf_puts(b, val->boolean ? "true" : "false");
		break;
	case GQL_VALUE_NULL:
		buf_puts(b, "null");
		break;
	case GQL_VALUE_LIST:
		buf_putc(b, '[');
		for (const struct gql_value *i = val->items; i; i = i->next) {
			print_value(b, i);
			if (i->next)
				buf_puts(b, ", ");
		}
		buf_putc(b, ']');
		break;
	case GQL_VALUE_OBJECT:
		buf_putc(b, '{');
		for (const struct gql_argument *f = val->fields; f; f = f->next) {
			buf_printf(b, "%s: ", f->name);
			print_value(b, f->value);
			if (f->next)
				buf_puts(b, ", ");
		}
		buf_putc(b, '}');
		break;
	default:
		buf_puts(b, val->text);
	}
}

static bool literal_fits(struct validator *v, const char *ref, size_t len,
    const struct gql_value *val);

static bool
scalar_fits(const char *name, const struct gql_value *val)
{
	if (strcmp(name, "Int") == 0)
		return val->kind == GQL_VALUE_INT && gql_int32(val->text);
	if (strcmp(name, "Float") == 0)
		return val->kind == GQL_VALUE_INT || val->kind == GQL_VALUE_FLOAT;
	if (strcmp(name, "Boolean") == 0)
		return val->kind == GQL_VALUE_BOOLEAN;
	if (strcmp(name, "ID") == 0)
		return val->kind == GQL_VALUE_STRING || val->kind == GQL_VALUE_INT;
	return val->kind == GQL_VALUE_STRING;
}

static bool
object_fits(struct validator *v, const struct gql_type_def *t, const struct gql_value *val)
{
	if (val->kind != GQL_VALUE_OBJECT)
		return false;
	for (const struct gql_argument *f = val->fields; f; f = f->next) {
		const struct gql_input_def *d = gql_schema_input(t->input_fields, f->name);

		if (d == NULL || !literal_fits(v, d->type, strlen(d->type), f->value))
			return false;
	}
	for (const struct gql_input_def *d = t->input_fields; d->name; d++) {
		bool given = false;

		for (const struct gql_argument *f = val->fields; f; f = f->next)
			given = given || strcmp(f->name, d->name) == 0;
		if (!given && d->type[strlen(d->type) - 1] == '!')
			return false;
	}
	return true;
}

static const struct gql_variable_definition *
variable_definition(const struct validator *v, const char *name)
{
	for (const struct gql_variable_definition *d = v->op->variables; d; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* Records the first variable used where its declared type does not fit
 * the type in ref[0..len): the same type, or a non-null one where null is
 * allowed, or a nullable one with a default where it is not. */
static void
check_variable_type(struct validator *v, const char *ref, size_t len, const char *name)
{
	const struct gql_variable_definition *d = variable_definition(v, name);
	struct buf t = BUF_INIT;
	bool fits;

	if (d == NULL || v->mismatch)
		return;
	gql_type_print(&t, d->type);
	fits = (t.len == len && memcmp(t.data, ref, len) == 0) ||
	    (t.len == len + 1 && t.data[len] == '!' && memcmp(t.data, ref, len) == 0) ||
	    (d->default_value && d->default_value->kind != GQL_VALUE_NULL && len == t.len + 1 &&
		ref[t.len] == '!' && memcmp(t.data, ref, t.len) == 0);
	if (!fits) {
		v->mismatch = d;
		buf_reset(&v->mismatch_expected);
		buf_append(&v->mismatch_expected, ref, len);
	}
	buf_release(&t);
}

/* Whether the literal val can be a value of the type in ref[0..len).
 * Variables fit when their declared types do (check_variable_type); their
 * values are coerced to those types. */
static bool
literal_fits(struct validator *v, const char *ref, size_t len, const struct gql_value *val)
{
	bool non_null = len > 0 && ref[len - 1] == '!';
	const struct gql_type_def *t;
	char *name;

	if (val->kind == GQL_VALUE_VARIABLE) {
		check_variable_type(v, ref, len, val->text);
		return true;
	}
	if (non_null)
		len--;
	if (val->kind == GQL_VALUE_NULL)
		return !non_null;
	if (len >= 2 && ref[0] == '[') {
		if (val->kind != GQL_VALUE_LIST)
			return literal_fits(v, ref + 1, len - 2, val);
		for (const struct gql_value *i = val->items; i; i = i->next)
			if (!literal_fits(v, ref + 1, len - 2, i))
				return false;
		return true;
	}
	name = xstrndup(ref, len);
	t = gql_schema_type(v->schema, name);
	free(name);
	if (t == NULL)
		return false;
	if (t->kind == GQL_KIND_ENUM) {
		if (val->kind != GQL_VALUE_ENUM)
			return false;
		for (const char *const *e = t->values; *e; e++)
			if (strcmp(*e, val->text) == 0)
				return true;
		return false;
	}
	if (t->kind == GQL_KIND_INPUT_OBJECT)
		return object_fits(v, t, val);
	return scalar_fits(t->name, val);
}

/* Fragments are validated once each, on their own: they may use only
 * the variables of the operation being run. */
static void
check_variables(struct validator *v, const struct gql_value *val, const char *field,
    const struct gql_path *path)
{
	if (val->kind == GQL_VALUE_VARIABLE && variable_definition(v, val->text) == NULL) {
		begin_error(v, path, "variableNotDefined");
		jw_kv_string(&v->errs->w, "variableName", val->text);
		buf_printf(&v->msg, "Variable $%s is used by %s but not declared", val->text, field);
		end_error(v, val->loc);
	}
	for (const struct gql_value *i = val->items; i; i = i->next)
		check_variables(v, i, field, path);
	for (const struct gql_argument *f = val->fields; f; f = f->next)
		check_variables(v, f->value, field, path);
}

static void
check_arguments(struct validator *v, const struct gql_field_def *def,
    const struct gql_selection *sel, const struct gql_path *path)
{
	struct buf missing = BUF_INIT;

	for (const struct gql_argument *a = sel->arguments; a; a = a->next) {
		const struct gql_input_def *ad = gql_schema_input(def->args, a->name);

		check_variables(v, a->value, sel->name, path);
		if (ad == NULL) {
			begin_error(v, path, "argumentNotAccepted");
			jw_kv_string(&v->errs->w, "name", sel->name);
			jw_kv_string(&v->errs->w, "typeName", "Field");
			jw_kv_string(&v->errs->w, "argumentName", a->name);
			buf_printf(&v->msg, "Field '%s' doesn't accept argument '%s'", sel->name, a->name);
			end_error(v, a->loc);
		} else if (!literal_fits(v, ad->type, strlen(ad->type), a->value)) {
			begin_error(v, path, "argumentLiteralsIncompatible");
			jw_kv_string(&v->errs->w, "typeName", "Field");
			jw_kv_string(&v->errs->w, "argumentName", a->name);
			buf_printf(&v->msg, "Argument '%s' on Field '%s' has an invalid value (", a->name,
			    sel->name);
			print_value(&v->msg, a->value);
			buf_printf(&v->msg, "). Expected type '%s'.", ad->type);
			end_error(v, a->loc);
		} else if (v->mismatch) {
			struct buf type = BUF_INIT;

			gql_type_print(&type, v->mismatch->type);
			begin_error(v, path, "variableMismatch");
			jw_kv_string(&v->errs->w, "variableName", v->mismatch->name);
			jw_kv_string(&v->errs->w, "typeName", buf_cstr(&type));
			jw_kv_string(&v->errs->w, "argumentName", a->name);
			jw_kv_string(&v->errs->w, "errorMessage", "Type mismatch");
			buf_printf(&v->msg, "Type mismatch on variable $%s and argument %s (%s / %s)",
			    v->mismatch->name, a->name, buf_cstr(&type), buf_cstr(&v->mismatch_expected));
			end_error(v, a->value->loc);
			buf_release(&type);
		}
		v->mismatch = NULL;
	}
	for (const struct gql_input_def *ad = def->args; ad && ad->name; ad++) {
		bool given = false;

		if (ad->type[strlen(ad->type) - 1] != '!')
			continue;
		for (const struct gql_argument *a = sel->arguments; a; a = a->next)
			given = given || strcmp(a->name, ad->name) == 0;
		if (!given)
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", ad->name);
	}
	if (missing.len) {
		begin_error(v, path, "missingRequiredArguments");
		jw_kv_string(&v->errs->w, "className", "Field");
		jw_kv_string(&v->errs->w, "name", sel->name);
		jw_kv_string(&v->errs->w, "arguments", buf_cstr(&missing));
		buf_printf(&v->msg, "Field '%s' is missing required arguments: %s", sel->name,
		    buf_cstr(&missing));
		end_error(v, sel->loc);
	}
	buf_release(&missing);
}

static void
check_directives(struct validator *v, const struct gql_directive *d, const struct gql_path *path)
{
	for (; d; d = d->next) {
		if (strcmp(d->name, "include") == 0 || strcmp(d->name, "skip") == 0) {
			for (const struct gql_argument *a = d->arguments; a; a = a->next)
				check_variables(v, a->value, d->name, path);
			continue;
		}
		begin_error(v, path, "undefinedDirective");
		jw_kv_string(&v->errs->w, "directiveName", d->name);
		buf_printf(&v->msg, "Directive @%s is not defined", d->name);
		end_error(v, d->loc);
	}
}

static struct fragment_state *
fragment_state(struct validator *v, const char *name)
{
	for (size_t i = 0; i < v->nfrags; i++)
		if (strcmp(v->frags[i].def->name, name) == 0)
			return &v->frags[i];
	return NULL;
}

static struct extent validate_set(struct validator *v, const struct gql_type_def *type,
    const struct gql_selection *sel, const struct gql_path *path);

/* Validates a fragment on its own, once; what it selects spread out. */
static struct extent
validate_fragment(struct validator *v, struct fragment_state *f, const struct gql_selection *spread,
    const struct gql_path *path)
{
	const struct gql_type_def *t;
	struct buf label = BUF_INIT;
	struct gql_path root = { 0 };

	if (f->mark == 2)
		return f->extent;
	if (f->mark == 1) {
		begin_error(v, path, "infiniteLoop");
		jw_kv_string(&v->errs->w, "fragmentName", f->def->name);
		buf_printf(&v->msg, "Fragment %s contains an infinite loop", f->def->name);
		end_error(v, spread->loc);
		return (struct extent){ 0, 0 };
	}
	f->mark = 1;
	buf_printf(&label, "fragment %s", f->def->name);
	root.key = buf_cstr(&label);
	t = gql_schema_type(v->schema, f->def->type_condition);
	if (t == NULL || t->kind == GQL_KIND_SCALAR || t->kind == GQL_KIND_ENUM ||
	    t->kind == GQL_KIND_INPUT_OBJECT) {
		begin_error(v, &root, "undefinedType");
		jw_kv_string(&v->errs->w, "typeName", f->def->type_condition);
		buf_printf(&v->msg, "No such type %s, so it can't be a fragment condition",
		    f->def->type_condition);
		end_error(v, f->def->loc);
	} else {
		check_directives(v, f->def->directives, &root);
		f->extent = validate_set(v, t, f->def->selections, &root);
	}
	buf_release(&label);
	f->mark = 2;
	return f->extent;
}

static struct extent
validate_spread(struct validator *v, const struct gql_selection *sel, const struct gql_path *path)
{
	struct fragment_state *f = fragment_state(v, sel->name);

	if (f == NULL) {
		begin_error(v, path, "useAndDefineFragment");
		jw_kv_string(&v->errs->w, "fragmentName", sel->name);
		buf_printf(&v->msg, "Fragment %s was used, but not defined", sel->name);
		end_error(v, sel->loc);
		return (struct extent){ 0, 0 };
	}
	return validate_fragment(v, f, sel, path);
}

static void
check_leaf(struct validator *v, const struct gql_field_def *def, const struct gql_selection *sel,
    const struct gql_path *path)
{
	begin_error(v, path, "selectionMismatch");
	jw_kv_string(&v->errs->w, "nodeName", sel->name);
	buf_printf(&v->msg, "Selections can't be made on scalars (field '%s' returns %s but has "
	    "selections [", sel->name, def ? def->type : "String!");
	for (const struct gql_selection *s = sel->selections; s; s = s->next)
		buf_printf(&v->msg, "\"%s\"%s", s->name ? s->name : "...", s->next ? ", " : "");
	buf_puts(&v->msg, "])");
	end_error(v, sel->loc);
}

static struct extent
validate_field(struct validator *v, const struct gql_type_def *type, const struct gql_selection *sel,
    const struct gql_path *up)
{
	static const struct extent leaf = { 1, 1 };
	struct gql_path path = { .up = up, .key = gql_response_key(sel) };
	const struct gql_field_def *def;
	const struct gql_type_def *inner;
	char name[64];

	check_directives(v, sel->directives, &path);
	if (strcmp(sel->name, "__typename") == 0) {
		if (sel->selections)
			check_leaf(v, NULL, sel, &path);
		return leaf;
	}
	def = gql_schema_field(type, sel->name);
	if (def == NULL && strcmp(type->name, v->schema->query) == 0)
		def = gql_introspection_root_field(sel->name);
	if (def == NULL) {
		begin_error(v, &path, "undefinedField");
		jw_kv_string(&v->errs->w, "typeName", type->name);
		jw_kv_string(&v->errs->w, "fieldName", sel->name);
		buf_printf(&v->msg, "Field '%s' doesn't exist on type '%s'", sel->name, type->name);
		end_error(v, sel->loc);
		return leaf;
	}
	check_arguments(v, def, sel, &path);
	gql_schema_named(def->type, name);
	inner = gql_schema_type(v->schema, name);
	if (!gql_schema_composite(v->schema, def->type)) {
		if (sel->selections)
			check_leaf(v, def, sel, &path);
		return leaf;
	}
	if (sel->selections == NULL) {
		begin_error(v, &path, "selectionMismatch");
		jw_kv_string(&v->errs->w, "nodeName", sel->name);
		buf_printf(&v->msg, "Field must have selections (field '%s' returns %s but has no "
		    "selections. Did you mean '%s { ... }'?)", sel->name, def->type, sel->name);
		end_error(v, sel->loc);
		return leaf;
	}
	{
		struct extent e = validate_set(v, inner, sel->selections, &path);

		return (struct extent){ e.size + 1, e.depth + 1 };
	}
}

/* a and b side by side. */
static void
extent_add(struct extent *a, struct extent b)
{
	a->size += b.size;
	if (a->size > GQL_EXPANDED_MAX)
		a->size = GQL_EXPANDED_MAX + 1;
	if (b.depth > a->depth)
		a->depth = b.depth;
}

static struct extent
validate_set(struct validator *v, const struct gql_type_def *type, const struct gql_selection *sel,
    const struct gql_path *path)
{
	struct extent e = { 0, 0 };

	for (; sel; sel = sel->next) {
		const struct gql_type_def *t = type;

		if (sel->kind == GQL_SELECTION_FIELD) {
			extent_add(&e, validate_field(v, type, sel, path));
		} else if (sel->kind == GQL_SELECTION_FRAGMENT_SPREAD) {
			check_directives(v, sel->directives, path);
			extent_add(&e, validate_spread(v, sel, path));
		} else {
			check_directives(v, sel->directives, path);
			if (sel->type_condition)
				t = gql_schema_type(v->schema, sel->type_condition);
			if (t == NULL || t->fields == NULL) {
				begin_error(v, path, "undefinedType");
				jw_kv_string(&v->errs->w, "typeName", sel->type_condition);
				buf_printf(&v->msg, "No such type %s, so it can't be a fragment condition",
				    sel->type_condition);
				end_error(v, sel->loc);
				continue;
			}
			extent_add(&e, validate_set(v, t, sel->selections, path));
		}
	}
	return e;
}

int
gql_validate(const struct gql_document *doc, const struct gql_schema *schema,
    const struct gql_definition *op, struct gql_errors *errs)
{
	static const char *const kinds[] = { "query", "mutation", "subscription" };
	struct validator v = {
		.doc = doc, .schema = schema, .op = op, .errs = errs, .msg = BUF_INIT,
		.mismatch_expected = BUF_INIT,
	};
	const char *root_name = op->operation == GQL_OPERATION_QUERY ? schema->query
	    : op->operation == GQL_OPERATION_MUTATION ? schema->mutation : NULL;
	const struct gql_type_def *root = root_name ? gql_schema_type(schema, root_name) : NULL;
	struct buf label = BUF_INIT;
	struct gql_path path = { 0 };
	struct extent e;

	for (const struct gql_definition *d = doc->definitions; d; d = d->next)
		v.nfrags += d->kind == GQL_DEFINITION_FRAGMENT;
	v.frags = xcalloc(v.nfrags + 1, sizeof(*v.frags));
	v.nfrags = 0;
	for (const struct gql_definition *d = doc->definitions; d; d = d->next)
		if (d->kind == GQL_DEFINITION_FRAGMENT)
			v.frags[v.nfrags++].def = d;
	buf_puts(&label, kinds[op->operation]);
	if (op->name)
		buf_printf(&label, " %s", op->name);
	path.key = buf_cstr(&label);
	if (root == NULL) {
		begin_error(&v, &path, "missingSubscriptionConfiguration");
		buf_puts(&v.msg, "Schema is not configured for subscriptions");
		end_error(&v, op->loc);
	} else {
		check_directives(&v, op->directives, &path);
		e = validate_set(&v, root, op->selections, &path);
		if (v.failed == 0 && e.size > GQL_EXPANDED_MAX) {
			gql_errors_add(errs, NULL, NULL, (struct gql_location){ 0, 0 },
			    "This query is too large to execute.");
			v.failed = -1;
		} else if (v.failed == 0 && e.depth > GQL_DEPTH_MAX) {
			/* graphql-ruby's max_depth, which counts through fragments. */
			buf_reset(&v.msg);
			buf_printf(&v.msg, "Query has depth of %u, which exceeds max depth of %d",
			    e.depth, GQL_DEPTH_MAX);
			gql_errors_add(errs, NULL, NULL, (struct gql_location){ 0, 0 }, buf_cstr(&v.msg));
			v.failed = -1;
		}
	}
	buf_release(&label);
	buf_release(&v.msg);
	buf_release(&v.mismatch_expected);
	free(v.frags);
	return v.failed;
}
