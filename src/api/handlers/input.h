/*
 * Request bodies, the one place that parses and validates them: 400 for
 * bad JSON (or JSON that is not an object), then typed readers that check
 * each field and collect GitHub-shaped error entries {resource, field,
 * code} so that one 422 lists every problem at once. Handlers see the body
 * only through these readers; jansson stays inside input.c.
 */
#ifndef DEPLOY_INPUT_H
#define DEPLOY_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "jsonw.h"

struct handler_ctx;

/* A JSON object of the body (the body itself, or an object inside it).
 * Strings read from it are borrowed from the body. */
struct input;

/* The body as an object, or NULL with the 400 written. An empty body is an
 * empty object. */
struct input *input_body_or_reply(struct handler_ctx *ctx);
/* The same for a body that is optional as a whole: JSON null is an empty
 * object too. */
struct input *input_optional_body_or_reply(struct handler_ctx *ctx);
void input_release(struct input *body);

struct validation {
	const char *resource;  /* "Deployment", "DeploymentStatus", ... */
	struct buf errors;     /* the entries so far, as a JSON array's text */
	struct jsonw w;
	size_t count;
};

void validation_init(struct validation *v, const char *resource);
/* {resource, field, code} */
void validation_add(struct validation *v, const char *field, const char *code);
/* {resource, field, code: "custom", message} */
void validation_add_custom(struct validation *v, const char *field, const char *message);
/* Writes the 422 when anything failed and returns -1; 0 when the input
 * was valid. Releases v either way. */
int validation_reply(struct validation *v, struct handler_ctx *ctx);

/* How a field is read. */
enum input_flags {
	INPUT_OPTIONAL = 0,
	INPUT_REQUIRED = 1 << 0,     /* absent: missing_field; "" (strings): invalid */
	INPUT_NULLABLE = 1 << 1,     /* JSON null reads as absent, not invalid */
	INPUT_NO_CONTROL = 1 << 2,   /* control characters are invalid */
	INPUT_SAY_TOO_LONG = 1 << 3, /* over the limit: GitHub's custom "is too long
	                                (maximum is N characters)", not invalid */
};

/* What a field holds, unchecked. */
enum input_kind {
	INPUT_ABSENT,
	INPUT_NULL,
	INPUT_STRING,
	INPUT_NUMBER,
	INPUT_BOOLEAN,
	INPUT_ARRAY,
	INPUT_OBJECT,
};

enum input_kind input_kind_of(const struct input *in, const char *field);
/* Present and not null. */
bool input_has(const struct input *in, const char *field);

/*
 * A string of at most max_chars characters (UTF-8 code points, not bytes),
 * never holding NUL. NULL when absent (or null, with INPUT_NULLABLE) and
 * when invalid; the error is recorded under the field's name.
 */
const char *input_string(struct validation *v, const struct input *in, const char *field,
    unsigned flags, size_t max_chars);

/* One of names[0..n), as the pointer in names; NULL when absent (recorded
 * as missing_field with INPUT_REQUIRED) or not one of them (recorded as
 * GitHub's custom "<field> is not included in the list"). */
const char *input_enum(struct validation *v, const struct input *in, const char *field,
    const char *const *names, size_t n, unsigned flags);

/* A boolean; def when absent or null. */
bool input_bool(struct validation *v, const struct input *in, const char *field, bool def);

/* An integer in [min, max] into *out: 1 read; 0 absent or null (*out
 * untouched); -1 anything else, recorded as invalid. */
int input_int(struct validation *v, const struct input *in, const char *field, int64_t min,
    int64_t max, int64_t *out);

/* How many elements the field's array has; 0 when it is not an array. */
size_t input_array_size(const struct input *in, const char *field);

/* 0 or 1, given as a number or as the string "0" or "1"; -1 when absent or
 * null (GitHub's insecure_ssl). */
int input_zero_or_one(struct validation *v, const struct input *in, const char *field);

/* Which JSON values input_json accepts. */
enum input_json_kinds {
	INPUT_JSON_OBJECT = 1 << 0,
	INPUT_JSON_STRING = 1 << 1,
};

/* The field's value as compact JSON text (newly allocated) when it is one of
 * kinds and its text fits in max_bytes; NULL when absent or null, and when
 * invalid (recorded). */
char *input_json(struct validation *v, const struct input *in, const char *field, unsigned kinds,
    size_t max_bytes);

/* An array of strings, each read as input_string reads one (flags and
 * max_chars apply to every element), as compact JSON text (newly
 * allocated). NULL when absent or null, and when invalid (recorded once). */
char *input_string_array(struct validation *v, const struct input *in, const char *field,
    unsigned flags, size_t max_chars);

/* The field as an object to read fields from, or NULL when it is not one. */
const struct input *input_object(const struct input *in, const char *field);
/* How many members an object has, and its compact JSON text (newly
 * allocated; NULL when it cannot be written). */
size_t input_object_size(const struct input *object);
char *input_object_text(const struct input *object);

/*
 * A set of names, each one of a fixed list (the pointers are the list's),
 * in the order first added. The readers return false when the field (or
 * the text) is not an array of such names.
 */
struct name_set {
	const char **items;
	size_t count;
};

bool input_name_set_add(const struct input *in, const char *field, const char *const *names,
    size_t n, struct name_set *set);
/* The same for a stored JSON array's text. */
bool name_set_add_json(const char *json, const char *const *names, size_t n, struct name_set *set);
/* Removes the array's strings from set; false when the field is not an
 * array. Elements that are not strings or not in set are ignored. */
bool input_name_set_remove(const struct input *in, const char *field, struct name_set *set);
void name_set_write(const struct name_set *set, struct jsonw *w);
void name_set_release(struct name_set *set);

/* GET /graphql's query string (graphql.md section 1) as the body a POST
 * would carry: {query, operationName, variables} from the parameters of
 * those names, variables parsed as JSON; NULL with the 400 written when
 * they are not JSON. Release it with input_release(). */
struct input *input_graphql_query_or_reply(struct handler_ctx *ctx);

/* text (len bytes) as compact JSON when it is JSON, else as a JSON string
 * holding it: GraphQL's createDeployment payload (graphql.md 7.1). Newly
 * allocated; NULL when it cannot be written. */
char *input_json_or_string(const char *text, size_t len);

/* A string field's value (borrowed, len bytes, may hold NUL), or NULL when
 * absent or not a string. */
const char *input_raw_string(const struct input *in, const char *field, size_t *len);

/* A field's JSON value as a GraphQL value in arena (a string as a
 * String, a number as an Int or a Float, an object with its members in
 * order), the request variables of graphql.md section 1; NULL when absent. */
struct gql_arena;
struct gql_value *input_gql_value(const struct input *in, const char *field,
    struct gql_arena *arena);

#endif
