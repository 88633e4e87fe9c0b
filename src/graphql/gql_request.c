#include "config.h"

#include "gql_request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct gql_definition *
gql_operation(const struct gql_document *doc, const char *name, struct buf *message)
{
	const struct gql_definition *found = NULL;
	size_t n = 0;

	for (const struct gql_definition *d = doc->definitions; d; d = d->next) {
		if (d->kind != GQL_DEFINITION_OPERATION)
			continue;
		n++;
		if (name == NULL || (d->name && strcmp(d->name, name) == 0))
			found = d;
	}
	if (name == NULL && n > 1) {
		buf_puts(message, "An operation name is required");
		return NULL;
	}
	if (found == NULL)
		buf_printf(message, "No operation named \"%s\"", name ? name : "");
	return found;
}

const struct gql_definition *
gql_fragment(const struct gql_document *doc, const char *name)
{
	for (const struct gql_definition *d = doc->definitions; d; d = d->next)
		if (d->kind == GQL_DEFINITION_FRAGMENT && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void
gql_type_print(struct buf *b, const struct gql_type *t)
{
	if (t->kind == GQL_TYPE_NAMED) {
		buf_puts(b, t->name);
	} else if (t->kind == GQL_TYPE_LIST) {
		buf_putc(b, '[');
		gql_type_print(b, t->of);
		buf_putc(b, ']');
	} else {
		gql_type_print(b, t->of);
		buf_putc(b, '!');
	}
}

void
gql_value_write_json(struct jsonw *w, const struct gql_value *v)
{
	switch (v->kind) {
	case GQL_VALUE_INT:
	case GQL_VALUE_FLOAT:
		jw_raw(w, v->text);
		break;
	case GQL_VALUE_STRING:
		jw_stringn(w, v->text, v->len);
		break;
	case GQL_VALUE_ENUM:
		jw_string(w, v->text);
		break;
	case GQL_VALUE_BOOLEAN:
		jw_bool(w, v->boolean);
		break;
	case GQL_VALUE_LIST:
		jw_array_begin(w);
		for (const struct gql_value *i = v->items; i; i = i->next)
			gql_value_write_json(w, i);
		jw_array_end(w);
		break;
	case GQL_VALUE_OBJECT:
		jw_object_begin(w);
		for (const struct gql_argument *f = v->fields; f; f = f->next) {
			jw_key(w, f->name);
			gql_value_write_json(w, f->value);
		}
		jw_object_end(w);
		break;
	case GQL_VALUE_NULL:
	case GQL_VALUE_VARIABLE:
		jw_null(w);
		break;
	}
}

/* Coercion of one value to a type reference, with why it failed. */
struct coercion {
	struct gql_arena *arena;
	const struct gql_schema *schema;
	struct buf problem;
};

static struct gql_value *
new_value(struct gql_arena *arena, const struct gql_value *like, enum gql_value_kind kind)
{
	struct gql_value *v = gql_arena_alloc(arena, sizeof(*v));

	*v = *like;
	v->kind = kind;
	v->next = NULL;
	return v;
}

static void
problem_could_not_coerce(struct coercion *c, const struct gql_value *v, const char *type)
{
	struct jsonw w;

	buf_puts(&c->problem, "Could not coerce value ");
	jw_init(&w, &c->problem);
	gql_value_write_json(&w, v);
	buf_printf(&c->problem, " to %s", type);
}

bool
gql_int32(const char *text)
{
	long long n;
	char *end;

	errno = 0;
	n = strtoll(text, &end, 10);
	return errno == 0 && *end == '\0' && n >= INT32_MIN && n <= INT32_MAX;
}

static const struct gql_value *coerce(struct coercion *c, const char *ref, size_t len,
    const struct gql_value *v);

static const struct gql_value *
coerce_scalar(struct coercion *c, const struct gql_type_def *t, const struct gql_value *v)
{
	const char *n = t->name;

	if (strcmp(n, "Int") == 0 && v->kind == GQL_VALUE_INT && gql_int32(v->text))
		return v;
	if (strcmp(n, "Float") == 0 && (v->kind == GQL_VALUE_INT || v->kind == GQL_VALUE_FLOAT))
		return v;
	if (strcmp(n, "Boolean") == 0 && v->kind == GQL_VALUE_BOOLEAN)
		return v;
	if (strcmp(n, "ID") == 0 && v->kind == GQL_VALUE_INT) {
		struct gql_value *s = new_value(c->arena, v, GQL_VALUE_STRING);

		s->len = strlen(v->text);
		return s;
	}
	/* String and the custom scalars (URI, DateTime, GitObjectID) are
	 * strings on the wire. */
	if (strcmp(n, "Int") != 0 && strcmp(n, "Float") != 0 && strcmp(n, "Boolean") != 0 &&
	    v->kind == GQL_VALUE_STRING)
		return v;
	problem_could_not_coerce(c, v, n);
	return NULL;
}

static const struct gql_value *
coerce_enum(struct coercion *c, const struct gql_type_def *t, const struct gql_value *v)
{
	if (v->kind == GQL_VALUE_STRING || v->kind == GQL_VALUE_ENUM)
		for (const char *const *e = t->values; *e; e++)
			if (strlen(*e) == (v->kind == GQL_VALUE_ENUM ? strlen(v->text) : v->len) &&
			    strcmp(*e, v->text) == 0)
				return new_value(c->arena, v, GQL_VALUE_ENUM);
	problem_could_not_coerce(c, v, t->name);
	return NULL;
}

static const struct gql_value *
coerce_object(struct coercion *c, const struct gql_type_def *t, const struct gql_value *v)
{
	struct gql_value *out;
	struct gql_argument **tail;

	if (v->kind != GQL_VALUE_OBJECT) {
		problem_could_not_coerce(c, v, t->name);
		return NULL;
	}
	for (const struct gql_argument *f = v->fields; f; f = f->next)
		if (gql_schema_input(t->input_fields, f->name) == NULL) {
			buf_printf(&c->problem, "Field is not defined on %s: %s", t->name, f->name);
			return NULL;
		}
	out = new_value(c->arena, v, GQL_VALUE_OBJECT);
	out->fields = NULL;
	tail = &out->fields;
	for (const struct gql_input_def *d = t->input_fields; d->name; d++) {
		const struct gql_value *given = NULL, *cv;
		struct gql_argument *a;

		for (const struct gql_argument *f = v->fields; f; f = f->next)
			if (strcmp(f->name, d->name) == 0)
				given = f->value;
		if (given == NULL && d->type[strlen(d->type) - 1] != '!')
			continue;
		cv = coerce(c, d->type, strlen(d->type), given);
		if (cv == NULL)
			return NULL;
		a = gql_arena_alloc(c->arena, sizeof(*a));
		a->name = d->name;
		a->value = (struct gql_value *)cv;
		*tail = a;
		tail = &a->next;
	}
	return out;
}

static const struct gql_value *
coerce_list(struct coercion *c, const char *item, size_t len, const struct gql_value *v)
{
	struct gql_value *out = new_value(c->arena, v, GQL_VALUE_LIST);
	struct gql_value **tail = &out->items;

	out->items = NULL;
	if (v->kind != GQL_VALUE_LIST) {
		const struct gql_value *one = coerce(c, item, len, v);

		if (one == NULL)
			return NULL;
		out->items = new_value(c->arena, one, one->kind);
		return out;
	}
	for (const struct gql_value *i = v->items; i; i = i->next) {
		const struct gql_value *ci = coerce(c, item, len, i);

		if (ci == NULL)
			return NULL;
		*tail = new_value(c->arena, ci, ci->kind);
		tail = &(*tail)->next;
	}
	return out;
}

/* v (NULL: absent) as a value of the type reference in ref[0..len). */
static const struct gql_value *
coerce(struct coercion *c, const char *ref, size_t len, const struct gql_value *v)
{
	static const struct gql_value null_value = { .kind = GQL_VALUE_NULL };
	bool non_null = len > 0 && ref[len - 1] == '!';
	const struct gql_type_def *t;
	char *name;

	if (non_null)
		len--;
	if (v == NULL || v->kind == GQL_VALUE_NULL) {
		if (non_null) {
			buf_puts(&c->problem, "Expected value to not be null");
			return NULL;
		}
		return &null_value;
	}
	if (len >= 2 && ref[0] == '[')
		return coerce_list(c, ref + 1, len - 2, v);
	name = gql_arena_strndup(c->arena, ref, len);
	t = gql_schema_type(c->schema, name);
	if (t == NULL || t->kind == GQL_KIND_OBJECT || t->kind == GQL_KIND_INTERFACE) {
		buf_printf(&c->problem, "%s isn't a defined input type", name);
		return NULL;
	}
	if (t->kind == GQL_KIND_ENUM)
		return coerce_enum(c, t, v);
	if (t->kind == GQL_KIND_INPUT_OBJECT)
		return coerce_object(c, t, v);
	return coerce_scalar(c, t, v);
}

static const struct gql_value *
provided_value(const struct gql_value *provided, const char *name)
{
	if (provided == NULL || provided->kind != GQL_VALUE_OBJECT)
		return NULL;
	for (const struct gql_argument *f = provided->fields; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f->value;
	return NULL;
}

static void
add_variable_error(struct gql_errors *errs, const struct gql_variable_definition *d,
    const char *type, const struct gql_value *value, const char *problem)
{
	struct buf msg = BUF_INIT;

	gql_errors_begin(errs, NULL, NULL);
	jw_key(&errs->w, "extensions");
	jw_object_begin(&errs->w);
	jw_key(&errs->w, "value");
	if (value)
		gql_value_write_json(&errs->w, value);
	else
		jw_null(&errs->w);
	jw_key(&errs->w, "problems");
	jw_array_begin(&errs->w);
	jw_object_begin(&errs->w);
	jw_key(&errs->w, "path");
	jw_array_begin(&errs->w);
	jw_array_end(&errs->w);
	jw_kv_string(&errs->w, "explanation", problem);
	jw_object_end(&errs->w);
	jw_array_end(&errs->w);
	jw_object_end(&errs->w);
	buf_printf(&msg, "Variable $%s of type %s was provided invalid value", d->name, type);
	gql_errors_end(errs, d->loc, buf_cstr(&msg));
	buf_release(&msg);
}

int
gql_coerce_variables(struct gql_arena *arena, const struct gql_schema *schema,
    const struct gql_definition *op, const struct gql_value *provided,
    struct gql_argument **vars, struct gql_errors *errs)
{
	struct coercion c = { .arena = arena, .schema = schema, .problem = BUF_INIT };
	struct buf type = BUF_INIT;
	int rc = 0;

	*vars = NULL;
	for (const struct gql_variable_definition *d = op->variables; d; d = d->next) {
		const struct gql_value *given = provided_value(provided, d->name);
		const struct gql_value *cv;
		struct gql_argument *a;

		buf_reset(&type);
		buf_reset(&c.problem);
		gql_type_print(&type, d->type);
		if (given == NULL && d->default_value)
			given = d->default_value;
		if (given == NULL && d->type->kind != GQL_TYPE_NON_NULL)
			continue;
		cv = coerce(&c, type.data, type.len, given);
		if (cv == NULL) {
			add_variable_error(errs, d, buf_cstr(&type), given, buf_cstr(&c.problem));
			rc = -1;
			continue;
		}
		a = gql_arena_alloc(arena, sizeof(*a));
		a->name = d->name;
		a->value = (struct gql_value *)cv;
		a->next = *vars;
		*vars = a;
	}
	buf_release(&type);
	buf_release(&c.problem);
	return rc;
}

const struct gql_value *
gql_resolve(const struct gql_value *v, const struct gql_argument *vars)
{
	if (v == NULL || v->kind != GQL_VALUE_VARIABLE)
		return v;
	for (const struct gql_argument *a = vars; a; a = a->next)
		if (strcmp(a->name, v->text) == 0)
			return a->value;
	return NULL;
}

const struct gql_value *
gql_argument(const struct gql_selection *field, const char *name, const struct gql_argument *vars)
{
	for (const struct gql_argument *a = field->arguments; a; a = a->next)
		if (strcmp(a->name, name) == 0)
			return gql_resolve(a->value, vars);
	return NULL;
}

bool
gql_included(const struct gql_directive *d, const struct gql_argument *vars)
{
	for (; d; d = d->next) {
		bool skip = strcmp(d->name, "skip") == 0;
		const struct gql_value *v;

		if (!skip && strcmp(d->name, "include") != 0)
			continue;
		for (const struct gql_argument *a = d->arguments; a; a = a->next) {
			if (strcmp(a->name, "if") != 0)
				continue;
			v = gql_resolve(a->value, vars);
			if (v && v->kind == GQL_VALUE_BOOLEAN && v->boolean == skip)
				return false;
		}
	}
	return true;
}

struct collector {
	struct gql_arena *arena;
	const struct gql_document *doc;
	const struct gql_schema *schema;
	const char *concrete;
	const struct gql_argument *vars;
	struct gql_field_group *first;
	struct gql_field_group **tail;
};

static void
collect_field(struct collector *c, const struct gql_selection *sel)
{
	const char *key = gql_response_key(sel);
	struct gql_field_group *g;
	struct gql_set *set;

	for (g = c->first; g; g = g->next)
		if (strcmp(g->key, key) == 0)
			break;
	if (g == NULL) {
		g = gql_arena_alloc(c->arena, sizeof(*g));
		g->key = key;
		g->field = sel;
		*c->tail = g;
		c->tail = &g->next;
	}
	if (sel->selections == NULL)
		return;
	set = gql_arena_alloc(c->arena, sizeof(*set));
	set->selections = sel->selections;
	/* Appended, so the merged fields keep document order. */
	if (g->sets == NULL) {
		g->sets = set;
	} else {
		struct gql_set *last = g->sets;

		while (last->next)
			last = last->next;
		last->next = set;
	}
}

/* Validation has refused documents whose spreads form a cycle. */
static void
collect_set(struct collector *c, const struct gql_selection *sel)
{
	for (; sel; sel = sel->next) {
		const struct gql_definition *frag;

		if (!gql_included(sel->directives, c->vars))
			continue;
		if (sel->kind == GQL_SELECTION_FIELD) {
			collect_field(c, sel);
		} else if (sel->kind == GQL_SELECTION_INLINE_FRAGMENT) {
			if (gql_schema_applies(c->schema, sel->type_condition, c->concrete))
				collect_set(c, sel->selections);
		} else {
			frag = gql_fragment(c->doc, sel->name);
			if (frag && gql_schema_applies(c->schema, frag->type_condition, c->concrete))
				collect_set(c, frag->selections);
		}
	}
}

struct gql_field_group *
gql_collect(struct gql_arena *arena, const struct gql_document *doc,
    const struct gql_schema *schema, const struct gql_set *sets, const char *concrete,
    const struct gql_argument *vars)
{
	struct collector c = {
		.arena = arena, .doc = doc, .schema = schema, .concrete = concrete, .vars = vars,
	};

	c.tail = &c.first;
	for (; sets; sets = sets->next)
		collect_set(&c, sets->selections);
	return c.first;
}
