#include "config.h"

#include "gql_schema.h"

#include <string.h>

#include "gql_introspection.h"

const struct gql_type_def *
gql_schema_type(const struct gql_schema *s, const char *name)
{
	for (const struct gql_type_def *t = s->types; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return gql_introspection_type(name);
}

const struct gql_field_def *
gql_schema_field(const struct gql_type_def *t, const char *name)
{
	if (t->fields == NULL)
		return NULL;
	for (const struct gql_field_def *f = t->fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

const struct gql_input_def *
gql_schema_input(const struct gql_input_def *defs, const char *name)
{
	for (const struct gql_input_def *d = defs; d && d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void
gql_schema_named(const char *ref, char *out)
{
	size_t n;

	ref += strspn(ref, "[");
	n = strcspn(ref, "]!");
	memcpy(out, ref, n);
	out[n] = '\0';
}

bool
gql_schema_composite(const struct gql_schema *s, const char *ref)
{
	char name[64];
	const struct gql_type_def *t;

	if (strlen(ref) >= sizeof(name))
		return false;
	gql_schema_named(ref, name);
	t = gql_schema_type(s, name);
	return t && (t->kind == GQL_KIND_OBJECT || t->kind == GQL_KIND_INTERFACE);
}

bool
gql_schema_applies(const struct gql_schema *s, const char *cond, const char *concrete)
{
	const struct gql_type_def *t;

	if (cond == NULL || strcmp(cond, concrete) == 0)
		return true;
	t = gql_schema_type(s, concrete);
	for (const char *const *i = t ? t->interfaces : NULL; i && *i; i++)
		if (strcmp(*i, cond) == 0)
			return true;
	return false;
}
