#include "config.h"

#include "gql_introspection.h"

#include <string.h>

#define END { NULL, NULL, NULL, false }

static const struct gql_input_def include_deprecated[] = {
	{ "includeDeprecated", "Boolean" }, { NULL, NULL },
};
static const struct gql_input_def type_args[] = { { "name", "String!" }, { NULL, NULL } };

static const struct gql_field_def schema_fields[] = {
	{ "description", "String", NULL, false },
	{ "types", "[__Type!]!", NULL, false },
	{ "queryType", "__Type!", NULL, false },
	{ "mutationType", "__Type", NULL, false },
	{ "subscriptionType", "__Type", NULL, false },
	{ "directives", "[__Directive!]!", NULL, false },
	END,
};

static const struct gql_field_def type_fields[] = {
	{ "kind", "__TypeKind!", NULL, false },
	{ "name", "String", NULL, false },
	{ "description", "String", NULL, false },
	{ "specifiedByURL", "String", NULL, false },
	{ "fields", "[__Field!]", include_deprecated, false },
	{ "interfaces", "[__Type!]", NULL, false },
	{ "possibleTypes", "[__Type!]", NULL, false },
	{ "enumValues", "[__EnumValue!]", include_deprecated, false },
	{ "inputFields", "[__InputValue!]", include_deprecated, false },
	{ "ofType", "__Type", NULL, false },
	END,
};

static const struct gql_field_def field_fields[] = {
	{ "name", "String!", NULL, false },
	{ "description", "String", NULL, false },
	{ "args", "[__InputValue!]!", include_deprecated, false },
	{ "type", "__Type!", NULL, false },
	{ "isDeprecated", "Boolean!", NULL, false },
	{ "deprecationReason", "String", NULL, false },
	END,
};

static const struct gql_field_def input_value_fields[] = {
	{ "name", "String!", NULL, false },
	{ "description", "String", NULL, false },
	{ "type", "__Type!", NULL, false },
	{ "defaultValue", "String", NULL, false },
	{ "isDeprecated", "Boolean!", NULL, false },
	{ "deprecationReason", "String", NULL, false },
	END,
};

static const struct gql_field_def enum_value_fields[] = {
	{ "name", "String!", NULL, false },
	{ "description", "String", NULL, false },
	{ "isDeprecated", "Boolean!", NULL, false },
	{ "deprecationReason", "String", NULL, false },
	END,
};

static const struct gql_field_def directive_fields[] = {
	{ "name", "String!", NULL, false },
	{ "description", "String", NULL, false },
	{ "isRepeatable", "Boolean!", NULL, false },
	{ "locations", "[__DirectiveLocation!]!", NULL, false },
	{ "args", "[__InputValue!]!", include_deprecated, false },
	END,
};

static const char *const type_kinds[] = {
	"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "LIST", "NON_NULL", NULL,
};
static const char *const directive_locations[] = {
	"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
	"INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION",
	"ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT",
	"INPUT_FIELD_DEFINITION", NULL,
};

static const struct gql_type_def meta_types[] = {
	{ "__Schema", GQL_KIND_OBJECT, schema_fields, NULL, NULL, NULL },
	{ "__Type", GQL_KIND_OBJECT, type_fields, NULL, NULL, NULL },
	{ "__Field", GQL_KIND_OBJECT, field_fields, NULL, NULL, NULL },
	{ "__InputValue", GQL_KIND_OBJECT, input_value_fields, NULL, NULL, NULL },
	{ "__EnumValue", GQL_KIND_OBJECT, enum_value_fields, NULL, NULL, NULL },
	{ "__Directive", GQL_KIND_OBJECT, directive_fields, NULL, NULL, NULL },
	{ "__TypeKind", GQL_KIND_ENUM, NULL, NULL, type_kinds, NULL },
	{ "__DirectiveLocation", GQL_KIND_ENUM, NULL, NULL, directive_locations, NULL },
	{ NULL, GQL_KIND_SCALAR, NULL, NULL, NULL, NULL },
};

static const struct gql_field_def root_fields[] = {
	{ "__schema", "__Schema!", NULL, false },
	{ "__type", "__Type", type_args, false },
	END,
};

const struct gql_type_def *
gql_introspection_type(const char *name)
{
	for (const struct gql_type_def *t = meta_types; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

const struct gql_field_def *
gql_introspection_root_field(const char *name)
{
	for (const struct gql_field_def *f = root_fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* @include and @skip, the directives served (gql_included). */
static const struct gql_input_def if_arg[] = { { "if", "Boolean!" }, { NULL, NULL } };
static const char *const directive_names[] = { "include", "skip" };
static const char *const directive_on[] = { "FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT" };

/* What a __Type, __Field, ... object is made of. A type is a reference
 * (ref[0..len), "[ID!]!"): wrappers peel off it one by one. */
enum meta_kind { META_TYPE, META_FIELD, META_INPUT, META_ENUM_VALUE, META_DIRECTIVE };

struct meta {
	enum meta_kind kind;
	const char *ref;
	size_t len;
	const struct gql_field_def *field;
	const struct gql_input_def *input;
	const char *name;                 /* an enum value's, a directive's */
};

static void write_meta(const struct gql_introspection *in, const struct gql_set *sets,
    const struct meta *m);

static const char *const meta_type_names[] = {
	[META_TYPE] = "__Type", [META_FIELD] = "__Field", [META_INPUT] = "__InputValue",
	[META_ENUM_VALUE] = "__EnumValue", [META_DIRECTIVE] = "__Directive",
};

static const struct gql_type_def *
named_type(const struct gql_introspection *in, const char *ref, size_t len)
{
	char name[64];

	if (len >= sizeof(name))
		return NULL;
	memcpy(name, ref, len);
	name[len] = '\0';
	return gql_schema_type(in->schema, name);
}

static void
write_type_ref(const struct gql_introspection *in, const struct gql_set *sets, const char *ref,
    size_t len)
{
	struct meta m = { .kind = META_TYPE, .ref = ref, .len = len };

	if (ref == NULL)
		jw_null(in->w);
	else
		write_meta(in, sets, &m);
}

static void
write_type_list(const struct gql_introspection *in, const struct gql_set *sets,
    const char *const *names)
{
	jw_array_begin(in->w);
	for (; names && *names; names++)
		write_type_ref(in, sets, *names, strlen(*names));
	jw_array_end(in->w);
}

static void
write_possible_types(const struct gql_introspection *in, const struct gql_set *sets,
    const char *interface)
{
	jw_array_begin(in->w);
	for (const struct gql_type_def *t = in->schema->types; t->name; t++)
		for (const char *const *i = t->interfaces; i && *i; i++)
			if (strcmp(*i, interface) == 0)
				write_type_ref(in, sets, t->name, strlen(t->name));
	jw_array_end(in->w);
}

static void
write_inputs(const struct gql_introspection *in, const struct gql_set *sets,
    const struct gql_input_def *defs)
{
	jw_array_begin(in->w);
	for (const struct gql_input_def *d = defs; d && d->name; d++) {
		struct meta m = { .kind = META_INPUT, .input = d };

		write_meta(in, sets, &m);
	}
	jw_array_end(in->w);
}

static void
write_type_field(const struct gql_introspection *in, const struct gql_field_group *f,
    const struct meta *m)
{
	const char *n = f->field->name;
	bool non_null = m->len > 0 && m->ref[m->len - 1] == '!';
	bool list = !non_null && m->ref[0] == '[';
	const struct gql_type_def *t = non_null || list ? NULL : named_type(in, m->ref, m->len);
	static const char *const kinds[] = {
		[GQL_KIND_SCALAR] = "SCALAR", [GQL_KIND_ENUM] = "ENUM", [GQL_KIND_OBJECT] = "OBJECT",
		[GQL_KIND_INTERFACE] = "INTERFACE", [GQL_KIND_INPUT_OBJECT] = "INPUT_OBJECT",
	};

	if (strcmp(n, "kind") == 0) {
		jw_string(in->w, non_null ? "NON_NULL" : list ? "LIST" : t ? kinds[t->kind] : "SCALAR");
	} else if (strcmp(n, "name") == 0) {
		if (t)
			jw_string(in->w, t->name);
		else
			jw_null(in->w);
	} else if (strcmp(n, "ofType") == 0) {
		write_type_ref(in, f->sets, non_null || list ? m->ref + list : NULL,
		    non_null ? m->len - 1 : list ? m->len - 2 : 0);
	} else if (t && strcmp(n, "fields") == 0 && t->fields) {
		jw_array_begin(in->w);
		for (const struct gql_field_def *d = t->fields; d->name; d++) {
			struct meta fm = { .kind = META_FIELD, .field = d };

			write_meta(in, f->sets, &fm);
		}
		jw_array_end(in->w);
	} else if (t && strcmp(n, "interfaces") == 0 && t->kind == GQL_KIND_OBJECT) {
		write_type_list(in, f->sets, t->interfaces);
	} else if (t && strcmp(n, "interfaces") == 0 && t->kind == GQL_KIND_INTERFACE) {
		write_type_list(in, f->sets, NULL);
	} else if (t && strcmp(n, "possibleTypes") == 0 && t->kind == GQL_KIND_INTERFACE) {
		write_possible_types(in, f->sets, t->name);
	} else if (t && strcmp(n, "enumValues") == 0 && t->values) {
		jw_array_begin(in->w);
		for (const char *const *v = t->values; *v; v++) {
			struct meta em = { .kind = META_ENUM_VALUE, .name = *v };

			write_meta(in, f->sets, &em);
		}
		jw_array_end(in->w);
	} else if (t && strcmp(n, "inputFields") == 0 && t->kind == GQL_KIND_INPUT_OBJECT) {
		write_inputs(in, f->sets, t->input_fields);
	} else {
		/* description, specifiedByURL, and what this kind has not. */
		jw_null(in->w);
	}
}

static void
write_member_field(const struct gql_introspection *in, const struct gql_field_group *f,
    const struct meta *m)
{
	const char *n = f->field->name;
	const char *name = m->kind == META_FIELD ? m->field->name
	    : m->kind == META_INPUT ? m->input->name : m->name;

	if (strcmp(n, "name") == 0) {
		jw_string(in->w, name);
	} else if (strcmp(n, "type") == 0) {
		const char *ref = m->kind == META_FIELD ? m->field->type : m->input->type;

		write_type_ref(in, f->sets, ref, strlen(ref));
	} else if (strcmp(n, "args") == 0) {
		write_inputs(in, f->sets, m->kind == META_FIELD ? m->field->args : if_arg);
	} else if (strcmp(n, "isDeprecated") == 0 || strcmp(n, "isRepeatable") == 0) {
		jw_bool(in->w, false);
	} else if (strcmp(n, "locations") == 0) {
		jw_array_begin(in->w);
		for (size_t i = 0; i < sizeof(directive_on) / sizeof(directive_on[0]); i++)
			jw_string(in->w, directive_on[i]);
		jw_array_end(in->w);
	} else {
		/* description, deprecationReason, defaultValue */
		jw_null(in->w);
	}
}

static void
write_meta(const struct gql_introspection *in, const struct gql_set *sets, const struct meta *m)
{
	const char *type = meta_type_names[m->kind];

	jw_object_begin(in->w);
	for (const struct gql_field_group *f = gql_collect(in->arena, in->doc, in->schema, sets, type,
		 in->vars); f; f = f->next) {
		jw_key(in->w, f->key);
		if (strcmp(f->field->name, "__typename") == 0)
			jw_string(in->w, type);
		else if (m->kind == META_TYPE)
			write_type_field(in, f, m);
		else
			write_member_field(in, f, m);
	}
	jw_object_end(in->w);
}

static void
write_schema(const struct gql_introspection *in, const struct gql_set *sets)
{
	const struct gql_schema *s = in->schema;

	jw_object_begin(in->w);
	for (const struct gql_field_group *f = gql_collect(in->arena, in->doc, s, sets, "__Schema",
		 in->vars); f; f = f->next) {
		const char *n = f->field->name;

		jw_key(in->w, f->key);
		if (strcmp(n, "__typename") == 0) {
			jw_string(in->w, "__Schema");
		} else if (strcmp(n, "types") == 0) {
			jw_array_begin(in->w);
			for (const struct gql_type_def *t = s->types; t->name; t++)
				write_type_ref(in, f->sets, t->name, strlen(t->name));
			jw_array_end(in->w);
		} else if (strcmp(n, "queryType") == 0) {
			write_type_ref(in, f->sets, s->query, strlen(s->query));
		} else if (strcmp(n, "mutationType") == 0 && s->mutation) {
			write_type_ref(in, f->sets, s->mutation, strlen(s->mutation));
		} else if (strcmp(n, "directives") == 0) {
			jw_array_begin(in->w);
			for (size_t i = 0; i < sizeof(directive_names) / sizeof(directive_names[0]); i++) {
				struct meta m = { .kind = META_DIRECTIVE, .name = directive_names[i] };

				write_meta(in, f->sets, &m);
			}
			jw_array_end(in->w);
		} else {
			jw_null(in->w);
		}
	}
	jw_object_end(in->w);
}

void
gql_introspect(const struct gql_introspection *in, const struct gql_selection *field,
    const struct gql_set *sets)
{
	const struct gql_value *name;

	if (strcmp(field->name, "__schema") == 0) {
		write_schema(in, sets);
		return;
	}
	name = gql_argument(field, "name", in->vars);
	if (name && name->kind == GQL_VALUE_STRING && strlen(name->text) == name->len &&
	    gql_schema_type(in->schema, name->text))
		write_type_ref(in, sets, name->text, name->len);
	else
		jw_null(in->w);
}
