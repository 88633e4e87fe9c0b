/*
 * A streaming JSON writer: responses are written straight into a buffer,
 * in order, with no tree and no per-value allocation (building a jansson
 * tree and dumping it was a third of a worker's time per request). Keys
 * and strings are escaped here; jw_raw embeds text that is already JSON
 * (a stored payload), byte for byte.
 */
#ifndef DEPLOY_JSONW_H
#define DEPLOY_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Enough for GraphQL's data: two levels (a list of objects) for each of
 * the 25 fields a query may nest, and the envelope. */
#define JSONW_MAX_DEPTH 64

struct jsonw {
	struct buf *out;
	unsigned depth;
	bool need_comma[JSONW_MAX_DEPTH];
	bool after_key;            /* the next value belongs to a key */
};

void jw_init(struct jsonw *w, struct buf *out);

void jw_object_begin(struct jsonw *w);
void jw_object_end(struct jsonw *w);
void jw_array_begin(struct jsonw *w);
void jw_array_end(struct jsonw *w);
/* key is written as it is: a name of this program's, never input. */
void jw_key(struct jsonw *w, const char *key);

/* Values. A NULL string is written as null. */
void jw_string(struct jsonw *w, const char *s);
void jw_stringn(struct jsonw *w, const char *s, size_t n);
void jw_int(struct jsonw *w, int64_t v);
void jw_double(struct jsonw *w, double v);
void jw_bool(struct jsonw *w, bool v);
void jw_null(struct jsonw *w);
/* json must be one valid JSON value. */
void jw_raw(struct jsonw *w, const char *json);

/* A string value made of parts: begin, parts (escaped), end. */
void jw_string_begin(struct jsonw *w);
void jw_string_part(struct jsonw *w, const char *s);
void jw_string_int(struct jsonw *w, int64_t v);
void jw_string_end(struct jsonw *w);

/* Key and value in one call. */
void jw_kv_string(struct jsonw *w, const char *key, const char *s);
void jw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jw_kv_bool(struct jsonw *w, const char *key, bool v);
void jw_kv_null(struct jsonw *w, const char *key);
/* key: "prefix" + "suffix", both escaped (URLs). */
void jw_kv_concat(struct jsonw *w, const char *key, const char *prefix, const char *suffix);
/* key: "base" + "middle" + "tail", all escaped (a URL and an id: .../commits/SHA). */
void jw_kv_concat3(struct jsonw *w, const char *key, const char *base, const char *middle,
    const char *tail);
/* The same with a prefix escaped beforehand (jw_escape_into), for a prefix
 * shared by many keys: a repository's or a user's URL templates. */
void jw_kv_concat_escaped(struct jsonw *w, const char *key, const struct buf *escaped_prefix,
    const char *suffix);

/* Appends s escaped as the inside of a JSON string. */
void jw_escape_into(struct buf *b, const char *s, size_t n);

#endif
