/*
 * Request bodies: parsing (400 for bad JSON, or JSON that is not an object)
 * and validation, which collects GitHub-shaped error entries
 * {resource, field, code} so that one 422 lists every problem at once.
 * The *_or_reply functions write the error response themselves and return
 * NULL or -1, so a handler just returns.
 */
#ifndef DEPLOY_INPUT_H
#define DEPLOY_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "handler.h"

/* The body as a JSON object (new reference), or NULL with 400 written.
 * An empty body is an empty object. */
json_t *input_body_object_or_reply(struct handler_ctx *ctx);

struct validation {
	const char *resource;  /* "Deployment", "DeploymentStatus", ... */
	json_t *errors;        /* array; NULL until the first error */
};

void validation_init(struct validation *v, const char *resource);
/* {resource, field, code} */
void validation_add(struct validation *v, const char *field, const char *code);
/* {resource, field, code: "custom", message} */
void validation_add_custom(struct validation *v, const char *field, const char *message);
bool validation_failed(const struct validation *v);
/* Writes the 422 when anything failed (and frees the errors); returns -1
 * then, 0 when the input was valid. */
int validation_reply(struct validation *v, struct handler_ctx *ctx);
void validation_release(struct validation *v);

/*
 * Field readers: each checks type and limits, records an error under the
 * field's name when they are wrong, and returns the value or the default.
 * max_chars counts characters (UTF-8 code points), not bytes.
 */
/* NULL when absent (or JSON null if null_ok); records "missing_field" when
 * required and absent. Rejects control characters when no_control. */
const char *input_string(struct validation *v, json_t *body, const char *field, bool required,
    bool null_ok, size_t max_chars, bool no_control);
/* def when absent. */
bool input_bool(struct validation *v, json_t *body, const char *field, bool def);
/* True when the field is present and not null. */
bool input_has(json_t *body, const char *field);

#endif
