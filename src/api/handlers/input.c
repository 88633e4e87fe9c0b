#include "config.h"

#include "input.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gql_ast.h"
#include "handler.h"

/* A struct input is a jansson object; the type is ours so that no header
 * outside this file names jansson's. */
static const json_t *
as_json(const struct input *in)
{
	return (const json_t *)in;
}

/* The body as an object; null_is_empty: JSON null reads as {} too. */
static struct input *
body_or_reply(struct handler_ctx *ctx, bool null_is_empty)
{
	const struct request *req = ctx->req;
	json_error_t error;
	json_t *body;

	if (req->body_len == 0) {
		body = json_object();
		if (body == NULL)
			response_error(ctx->res, 500, "Server Error: out of memory");
		return (struct input *)body;
	}
	/* NUL is valid JSON inside strings: accept it here, so that fields
	 * that cannot hold one fail validation (422) rather than parsing. */
	body = json_loadb(req->body, req->body_len,
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);
	if (body == NULL) {
		response_error(ctx->res, 400, "Problems parsing JSON");
		return NULL;
	}
	if (null_is_empty && json_is_null(body)) {
		json_decref(body);
		body = json_object();
		if (body == NULL)
			response_error(ctx->res, 500, "Server Error: out of memory");
		return (struct input *)body;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		response_error(ctx->res, 400, "Body should be a JSON object");
		return NULL;
	}
	return (struct input *)body;
}

struct input *
input_body_or_reply(struct handler_ctx *ctx)
{
	return body_or_reply(ctx, false);
}

struct input *
input_optional_body_or_reply(struct handler_ctx *ctx)
{
	return body_or_reply(ctx, true);
}

void
input_release(struct input *body)
{
	json_decref((json_t *)body);
}

void
validation_init(struct validation *v, const char *resource)
{
	v->resource = resource;
	v->errors = (struct buf)BUF_INIT;
	v->count = 0;
	jw_init(&v->w, &v->errors);
}

static void
entry_begin(struct validation *v, const char *field, const char *code)
{
	if (v->count++ == 0)
		jw_array_begin(&v->w);
	jw_object_begin(&v->w);
	jw_kv_string(&v->w, "resource", v->resource);
	jw_kv_string(&v->w, "field", field);
	jw_kv_string(&v->w, "code", code);
}

void
validation_add(struct validation *v, const char *field, const char *code)
{
	entry_begin(v, field, code);
	jw_object_end(&v->w);
}

void
validation_add_custom(struct validation *v, const char *field, const char *message)
{
	entry_begin(v, field, "custom");
	jw_kv_string(&v->w, "message", message);
	jw_object_end(&v->w);
}

int
validation_reply(struct validation *v, struct handler_ctx *ctx)
{
	int rc = 0;

	if (v->count > 0) {
		jw_array_end(&v->w);
		response_validation_failed(ctx->res, buf_cstr(&v->errors));
		rc = -1;
	}
	buf_release(&v->errors);
	v->count = 0;
	return rc;
}

enum input_kind
input_kind_of(const struct input *in, const char *field)
{
	const json_t *value = json_object_get(as_json(in), field);

	if (value == NULL)
		return INPUT_ABSENT;
	switch (json_typeof(value)) {
	case JSON_NULL: return INPUT_NULL;
	case JSON_STRING: return INPUT_STRING;
	case JSON_INTEGER:
	case JSON_REAL: return INPUT_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE: return INPUT_BOOLEAN;
	case JSON_ARRAY: return INPUT_ARRAY;
	case JSON_OBJECT: break;
	}
	return INPUT_OBJECT;
}

bool
input_has(const struct input *in, const char *field)
{
	enum input_kind kind = input_kind_of(in, field);

	return kind != INPUT_ABSENT && kind != INPUT_NULL;
}

/* Absent, or null where null means absent: the field was not given, which
 * a required field records as missing_field. */
static bool
not_given(struct validation *v, const json_t *value, const char *field, unsigned flags)
{
	if (value != NULL && !(json_is_null(value) && (flags & INPUT_NULLABLE)))
		return false;
	if (flags & INPUT_REQUIRED)
		validation_add(v, field, "missing_field");
	return true;
}

enum string_check {
	STRING_OK,
	STRING_INVALID,
	STRING_TOO_LONG,
};

static enum string_check
check_string(const json_t *value, unsigned flags, size_t max_chars)
{
	const char *s = json_string_value(value);

	/* The body may carry "\u0000" inside strings; no field may hold one. */
	if (s == NULL || strlen(s) != json_string_length(value) ||
	    ((flags & INPUT_REQUIRED) && *s == '\0') ||
	    ((flags & INPUT_NO_CONTROL) && has_control_chars(s)))
		return STRING_INVALID;
	return utf8_length(s) > max_chars ? STRING_TOO_LONG : STRING_OK;
}

const char *
input_string(struct validation *v, const struct input *in, const char *field, unsigned flags,
    size_t max_chars)
{
	const json_t *value = json_object_get(as_json(in), field);

	if (not_given(v, value, field, flags))
		return NULL;
	switch (check_string(value, flags, max_chars)) {
	case STRING_OK:
		return json_string_value(value);
	case STRING_TOO_LONG:
		if (flags & INPUT_SAY_TOO_LONG) {
			struct buf msg = BUF_INIT;

			buf_printf(&msg, "%s is too long (maximum is %zu characters)", field, max_chars);
			validation_add_custom(v, field, buf_cstr(&msg));
			buf_release(&msg);
			return NULL;
		}
		break;
	case STRING_INVALID:
		break;
	}
	validation_add(v, field, "invalid");
	return NULL;
}

const char *
input_enum(struct validation *v, const struct input *in, const char *field,
    const char *const *names, size_t n, unsigned flags)
{
	const json_t *value = json_object_get(as_json(in), field);
	const char *s = json_string_value(value);
	struct buf msg = BUF_INIT;

	if (not_given(v, value, field, flags))
		return NULL;
	if (s && strlen(s) == json_string_length(value))
		for (size_t i = 0; i < n; i++)
			if (strcmp(s, names[i]) == 0)
				return names[i];
	buf_printf(&msg, "%s is not included in the list", field);
	validation_add_custom(v, field, buf_cstr(&msg));
	buf_release(&msg);
	return NULL;
}

bool
input_bool(struct validation *v, const struct input *in, const char *field, bool def)
{
	const json_t *value = json_object_get(as_json(in), field);

	if (value == NULL || json_is_null(value))
		return def;
	if (!json_is_boolean(value)) {
		validation_add(v, field, "invalid");
		return def;
	}
	return json_is_true(value);
}

int
input_int(struct validation *v, const struct input *in, const char *field, int64_t min,
    int64_t max, int64_t *out)
{
	const json_t *value = json_object_get(as_json(in), field);

	if (value == NULL || json_is_null(value))
		return 0;
	if (!json_is_integer(value) || json_integer_value(value) < min ||
	    json_integer_value(value) > max) {
		validation_add(v, field, "invalid");
		return -1;
	}
	*out = json_integer_value(value);
	return 1;
}

size_t
input_array_size(const struct input *in, const char *field)
{
	return json_array_size(json_object_get(as_json(in), field));
}

int
input_zero_or_one(struct validation *v, const struct input *in, const char *field)
{
	const json_t *value = json_object_get(as_json(in), field);
	const char *s = json_string_value(value);

	if (value == NULL || json_is_null(value))
		return -1;
	if ((s && strcmp(s, "0") == 0) || (json_is_integer(value) && json_integer_value(value) == 0))
		return 0;
	if ((s && strcmp(s, "1") == 0) || (json_is_integer(value) && json_integer_value(value) == 1))
		return 1;
	validation_add(v, field, "invalid");
	return -1;
}

char *
input_json(struct validation *v, const struct input *in, const char *field, unsigned kinds,
    size_t max_bytes)
{
	const json_t *value = json_object_get(as_json(in), field);
	char *text;

	if (value == NULL || json_is_null(value))
		return NULL;
	if (!((kinds & INPUT_JSON_OBJECT) && json_is_object(value)) &&
	    !((kinds & INPUT_JSON_STRING) && json_is_string(value))) {
		validation_add(v, field, "invalid");
		return NULL;
	}
	text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text == NULL || strlen(text) > max_bytes) {
		free(text);
		validation_add(v, field, "invalid");
		return NULL;
	}
	return text;
}

char *
input_string_array(struct validation *v, const struct input *in, const char *field,
    unsigned flags, size_t max_chars)
{
	const json_t *array = json_object_get(as_json(in), field);
	size_t i;
	const json_t *element;

	if (array == NULL || json_is_null(array))
		return NULL;
	if (!json_is_array(array)) {
		validation_add(v, field, "invalid");
		return NULL;
	}
	json_array_foreach(array, i, element) {
		if (check_string(element, flags, max_chars) != STRING_OK) {
			validation_add(v, field, "invalid");
			return NULL;
		}
	}
	return json_dumps(array, JSON_COMPACT);
}

const struct input *
input_object(const struct input *in, const char *field)
{
	const json_t *value = json_object_get(as_json(in), field);

	return json_is_object(value) ? (const struct input *)value : NULL;
}

size_t
input_object_size(const struct input *object)
{
	return json_object_size(as_json(object));
}

char *
input_object_text(const struct input *object)
{
	return json_dumps(as_json(object), JSON_COMPACT);
}

static const char *
name_in(const char *const *names, size_t n, const json_t *value)
{
	const char *s = json_string_value(value);

	if (s == NULL || strlen(s) != json_string_length(value))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return names[i];
	return NULL;
}

static bool
name_set_has(const struct name_set *set, const char *name)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i] == name)
			return true;
	return false;
}

static bool
name_set_add_array(const json_t *array, const char *const *names, size_t n, struct name_set *set)
{
	size_t i;
	const json_t *element;

	if (!json_is_array(array))
		return false;
	json_array_foreach(array, i, element) {
		const char *name = name_in(names, n, element);

		if (name == NULL)
			return false;
		if (name_set_has(set, name))
			continue;
		set->items = xrealloc(set->items, (set->count + 1) * sizeof(*set->items));
		set->items[set->count++] = name;
	}
	return true;
}

bool
input_name_set_add(const struct input *in, const char *field, const char *const *names,
    size_t n, struct name_set *set)
{
	return name_set_add_array(json_object_get(as_json(in), field), names, n, set);
}

bool
name_set_add_json(const char *json, const char *const *names, size_t n, struct name_set *set)
{
	json_t *array = json ? json_loads(json, 0, NULL) : NULL;
	bool ok = name_set_add_array(array, names, n, set);

	json_decref(array);
	return ok;
}

bool
input_name_set_remove(const struct input *in, const char *field, struct name_set *set)
{
	const json_t *array = json_object_get(as_json(in), field);
	size_t i;
	const json_t *element;

	if (!json_is_array(array))
		return false;
	json_array_foreach(array, i, element) {
		const char *name = name_in(set->items, set->count, element);
		size_t kept = 0;

		for (size_t j = 0; j < set->count; j++)
			if (set->items[j] != name)
				set->items[kept++] = set->items[j];
		set->count = kept;
	}
	return true;
}

void
name_set_write(const struct name_set *set, struct jsonw *w)
{
	jw_array_begin(w);
	for (size_t i = 0; i < set->count; i++)
		jw_string(w, set->items[i]);
	jw_array_end(w);
}

void
name_set_release(struct name_set *set)
{
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

const char *
input_raw_string(const struct input *in, const char *field, size_t *len)
{
	json_t *v = json_object_get((const json_t *)in, field);

	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

static struct gql_value *
gql_value_of(const json_t *j, struct gql_arena *arena)
{
	struct gql_value *v = gql_arena_alloc(arena, sizeof(*v));
	char number[64];

	switch (json_typeof(j)) {
	case JSON_STRING:
		v->kind = GQL_VALUE_STRING;
		v->len = json_string_length(j);
		v->text = gql_arena_strndup(arena, json_string_value(j), v->len);
		break;
	case JSON_INTEGER:
		v->kind = GQL_VALUE_INT;
		snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		v->text = gql_arena_strndup(arena, number, strlen(number));
		break;
	case JSON_REAL:
		v->kind = GQL_VALUE_FLOAT;
		snprintf(number, sizeof(number), "%.17g", json_real_value(j));
		v->text = gql_arena_strndup(arena, number, strlen(number));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		v->kind = GQL_VALUE_BOOLEAN;
		v->boolean = json_is_true(j);
		break;
	case JSON_NULL:
		v->kind = GQL_VALUE_NULL;
		break;
	case JSON_ARRAY: {
		struct gql_value **tail = &v->items;
		size_t i;
		json_t *item;

		v->kind = GQL_VALUE_LIST;
		json_array_foreach(j, i, item) {
			*tail = gql_value_of(item, arena);
			tail = &(*tail)->next;
		}
		break;
	}
	case JSON_OBJECT: {
		struct gql_argument **tail = &v->fields;
		const char *key;
		json_t *member;

		v->kind = GQL_VALUE_OBJECT;
		json_object_foreach((json_t *)j, key, member) {
			struct gql_argument *a = gql_arena_alloc(arena, sizeof(*a));

			a->name = gql_arena_strndup(arena, key, strlen(key));
			a->value = gql_value_of(member, arena);
			*tail = a;
			tail = &a->next;
		}
		break;
	}
	}
	return v;
}

struct gql_value *
input_gql_value(const struct input *in, const char *field, struct gql_arena *arena)
{
	json_t *v = json_object_get((const json_t *)in, field);

	return v ? gql_value_of(v, arena) : NULL;
}

char *
input_json_or_string(const char *text, size_t len)
{
	json_error_t error;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
	char *out;

	if (v == NULL)
		v = json_stringn(text, len);
	if (v == NULL)
		return NULL;
	out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	return out;
}

struct input *
input_graphql_query_or_reply(struct handler_ctx *ctx)
{
	const char *query = request_query(ctx->req, "query");
	const char *name = request_query(ctx->req, "operationName");
	const char *variables = request_query(ctx->req, "variables");
	json_t *body = json_object();
	json_t *vars = NULL;
	json_error_t error;

	if (body == NULL) {
		response_error(ctx->res, 500, "Server Error: out of memory");
		return NULL;
	}
	if (variables && *variables) {
		vars = json_loads(variables, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
		if (vars == NULL) {
			json_decref(body);
			response_error(ctx->res, 400, "Problems parsing JSON");
			return NULL;
		}
	}
	if ((query && json_object_set_new(body, "query", json_string(query)) < 0) ||
	    (name && json_object_set_new(body, "operationName", json_string(name)) < 0) ||
	    (vars && json_object_set_new(body, "variables", vars) < 0)) {
		json_decref(body);
		response_error(ctx->res, 500, "Server Error: out of memory");
		return NULL;
	}
	return (struct input *)body;
}
