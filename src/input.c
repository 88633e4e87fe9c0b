#include "config.h"

#include "input.h"

#include <string.h>

json_t *
input_body_object_or_reply(struct handler_ctx *ctx)
{
	const struct request *req = ctx->req;
	json_error_t error;
	json_t *body;

	if (req->body_len == 0)
		return json_object();
	/* NUL is valid JSON inside strings: accept it here, so that fields
	 * that cannot hold one fail validation (422) rather than parsing. */
	body = json_loadb(req->body, req->body_len,
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);
	if (body == NULL) {
		response_error(ctx->res, 400, "Problems parsing JSON");
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		response_error(ctx->res, 400, "Body should be a JSON object");
		return NULL;
	}
	return body;
}

void
validation_init(struct validation *v, const char *resource)
{
	v->resource = resource;
	v->errors = NULL;
}

static json_t *
error_entry(struct validation *v, const char *field, const char *code)
{
	json_t *e = json_object();

	if (v->errors == NULL)
		v->errors = json_array();
	json_object_set_new(e, "resource", json_string(v->resource));
	json_object_set_new(e, "field", json_string(field));
	json_object_set_new(e, "code", json_string(code));
	json_array_append_new(v->errors, e);
	return e;
}

void
validation_add(struct validation *v, const char *field, const char *code)
{
	(void)error_entry(v, field, code);
}

void
validation_add_custom(struct validation *v, const char *field, const char *message)
{
	json_object_set_new(error_entry(v, field, "custom"), "message", json_string(message));
}

bool
validation_failed(const struct validation *v)
{
	return v->errors != NULL;
}

int
validation_reply(struct validation *v, struct handler_ctx *ctx)
{
	if (v->errors == NULL)
		return 0;
	response_validation_failed(ctx->res, v->errors);
	v->errors = NULL;
	return -1;
}

void
validation_release(struct validation *v)
{
	json_decref(v->errors);
	v->errors = NULL;
}

bool
input_has(json_t *body, const char *field)
{
	json_t *value = json_object_get(body, field);

	return value != NULL && !json_is_null(value);
}

const char *
input_string(struct validation *v, json_t *body, const char *field, bool required, bool null_ok,
    size_t max_chars, bool no_control)
{
	json_t *value = json_object_get(body, field);
	const char *s;

	if (value == NULL || (json_is_null(value) && null_ok)) {
		if (required)
			validation_add(v, field, "missing_field");
		return NULL;
	}
	if (!json_is_string(value)) {
		validation_add(v, field, "invalid");
		return NULL;
	}
	s = json_string_value(value);
	/* The body may carry "\u0000" inside strings; no field may hold one. */
	if (strlen(s) != json_string_length(value) || (required && *s == '\0') ||
	    utf8_length(s) > max_chars || (no_control && has_control_chars(s))) {
		validation_add(v, field, "invalid");
		return NULL;
	}
	return s;
}

bool
input_bool(struct validation *v, json_t *body, const char *field, bool def)
{
	json_t *value = json_object_get(body, field);

	if (value == NULL || json_is_null(value))
		return def;
	if (!json_is_boolean(value)) {
		validation_add(v, field, "invalid");
		return def;
	}
	return json_is_true(value);
}
